//! Turns file-system events into a [`Change`]: which kind of rebuild they call for.

use std::path::{Component, Path};

use crate::base::layout::{CONFIG_FILE, CONTENT, STATIC, TEMPLATES, THEMES};
use crate::commands::serve::rebuild::Change;
use crate::load::inventory::is_ignored;

/// Adds what `path` (absolute, under `root`) means for the site to `change`.
/// Editor temp files, hidden files and anything outside `content/` and the theme are ignored.
pub fn classify(root: &Path, theme: &str, path: &Path, change: &mut Change) {
    let Ok(rel) = path.strip_prefix(root) else {
        return;
    };
    let parts: Option<Vec<&str>> = rel
        .components()
        .map(|c| match c {
            Component::Normal(part) => part.to_str(),
            _ => None,
        })
        .collect();
    let Some(parts) = parts else { return };
    if parts.iter().any(|p| is_ignored(p)) {
        return;
    }
    match parts.as_slice() {
        [CONTENT, file] if *file == CONFIG_FILE => change.config = true,
        [CONTENT] => change.rescan = true,
        [CONTENT, section, ..] if *section == STATIC => change.rescan = true,
        [CONTENT, rest @ ..] => {
            let rel = rest.join("/");
            if rel.ends_with(".md") {
                if !change.content.contains(&rel) {
                    change.content.push(rel);
                }
            } else {
                // An asset, or a folder added, renamed or deleted: walk content/ again.
                change.rescan = true;
            }
        }
        [THEMES, name, TEMPLATES, ..] if *name == theme => change.templates = true,
        [THEMES, name, ..] if *name == theme => change.rescan = true,
        _ => {}
    }
}

/// A one-line description of a change, for the server's log.
pub fn describe(change: &Change) -> String {
    let mut parts = Vec::new();
    if change.config {
        parts.push(CONFIG_FILE.to_string());
    }
    if change.templates {
        parts.push("mẫu giao diện".to_string());
    }
    match change.content.len() {
        0 => {}
        1 => parts.push(change.content[0].clone()),
        n => parts.push(format!("{n} tệp nội dung")),
    }
    if change.rescan && parts.is_empty() {
        parts.push("tệp tĩnh hoặc thư mục".to_string());
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change_for(paths: &[&str]) -> Change {
        let root = Path::new("/site");
        let mut change = Change::default();
        for p in paths {
            classify(root, "datto", &root.join(p), &mut change);
        }
        change
    }

    #[test]
    fn classifies_paths() {
        assert!(change_for(&["content/site.yaml"]).config);
        assert_eq!(
            change_for(&["content/tin-bai/2018/a.md"]).content,
            ["tin-bai/2018/a.md"]
        );
        assert_eq!(
            change_for(&["content/tin-bai/2018/a.md", "content/tin-bai/2018/a.md"])
                .content
                .len(),
            1
        );
        assert!(change_for(&["content/tin-bai/2018/b/anh.jpg"]).rescan);
        assert!(change_for(&["content/static/anh/x.png"]).rescan);
        assert!(change_for(&["content/tin-bai/2018"]).rescan);
        assert!(change_for(&["themes/datto/templates/item.html"]).templates);
        assert!(change_for(&["themes/datto/static/css/style.css"]).rescan);
    }

    #[test]
    fn ignores_editor_files_and_other_places() {
        let ignored = [
            "content/tin-bai/.a.md.swp",
            "content/tin-bai/a.md~",
            "content/tin-bai/4913.tmp",
            "content/.git/index",
            "content/tin-bai/_nhap.md",
            "themes/khac/templates/item.html",
            "public/index.html",
            "target/debug/x",
        ];
        for path in ignored {
            assert!(change_for(&[path]).is_empty(), "{path}");
        }
    }
}
