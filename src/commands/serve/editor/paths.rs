//! Entry paths from the client (`tin-bai/2026/x/index.md`, relative to `content/`): never
//! trusted, checked by name and again after resolving symlinks.

use crate::base::layout::Folder;
use std::path::{Path, PathBuf};

/// The folders the editor lists and edits.
pub const SECTIONS: [&str; 3] = [
    Folder::Items.name(),
    Folder::Profiles.name(),
    Folder::Pages.name(),
];

/// Where deleted entries go; `_` names are ignored by builds.
pub use crate::base::layout::TRASH;

/// A checked entry: its canonical file and its path relative to `content/`.
#[derive(Debug, Clone)]
pub struct Entry {
    pub file: PathBuf,
    pub rel: String,
    pub section: &'static str,
}

impl Entry {
    /// `index.md` of a bundle folder (photos beside it).
    pub fn is_bundle(&self) -> bool {
        self.rel.ends_with("/index.md")
    }

    /// The folder that goes with this entry when it is deleted: its bundle's, when that
    /// folder is not a section and holds no other entry (an `index.md` written by hand in
    /// `tin-bai/2025/` must not take the year's other items with it). Relative to `content/`.
    pub fn own_folder(&self) -> Option<&str> {
        let folder = self.rel.strip_suffix("/index.md")?;
        if !folder.contains('/') {
            return None;
        }
        let dir = self.file.parent()?;
        let others = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .any(|e| match e {
                Ok(e) => {
                    let name = e.file_name().to_string_lossy();
                    let markdown = std::path::Path::new(name.as_ref())
                        .extension()
                        .is_some_and(|x| x.eq_ignore_ascii_case("md"));
                    markdown && (name != "index.md" || e.depth() > 1)
                }
                // A folder that cannot be read whole is not moved whole.
                Err(_) => true,
            });
        (!others).then_some(folder)
    }
}

/// The section a relative path starts with, if it is one the editor knows.
pub fn section_of(rel: &str) -> Option<&'static str> {
    let first = rel.split('/').next()?;
    SECTIONS.iter().copied().find(|s| *s == first)
}

/// Checks the name only: plain `/`-separated segments, no `..`, `.`, empty, absolute,
/// backslash, drive, control character or `_`/`.`-prefixed segment; a Markdown file.
pub fn well_formed(rel: &str) -> bool {
    if rel.is_empty() || rel.starts_with('/') || !rel.ends_with(".md") {
        return false;
    }
    rel.split('/').all(|segment| {
        !segment.is_empty()
            && !segment.starts_with(['.', '_'])
            && !segment.contains(['\\', ':'])
            && !segment.chars().any(char::is_control)
    }) && section_of(rel).is_some()
}

/// An existing content file under one of [`SECTIONS`], or `None`.
pub fn resolve(content: &Path, rel: &str) -> Option<Entry> {
    if !well_formed(rel) {
        return None;
    }
    let section = section_of(rel)?;
    let base = content.join(section).canonicalize().ok()?;
    let file = content.join(rel).canonicalize().ok()?;
    let inside = file.strip_prefix(&base).ok()?;
    // A symlink inside the section that points at another file inside it still names a
    // different entry: only the written path is accepted.
    let written = Path::new(rel).strip_prefix(section).ok()?;
    (inside == written && file.is_file()).then(|| Entry {
        file,
        rel: rel.to_string(),
        section,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let good = [
            "tin-bai/2018/a.md",
            "tin-bai/2026/x/index.md",
            "mo-hinh/a.md",
            "trang/gioi-thieu.md",
        ];
        for rel in good {
            assert!(well_formed(rel), "{rel}");
        }
        let bad = [
            "",
            "/etc/passwd.md",
            "tin-bai/../site.yaml",
            "tin-bai/../../x.md",
            "tin-bai/./a.md",
            "tin-bai//a.md",
            "tin-bai\\a.md",
            "tin-bai/a.txt",
            "site.yaml",
            "static/a.md",
            "_thung-rac/tin-bai/a.md",
            "tin-bai/_thung-rac/a.md",
            "tin-bai/.an.md",
            "C:/tin-bai/a.md",
            "tin-bai/a\n.md",
        ];
        for rel in bad {
            assert!(!well_formed(rel), "{rel:?}");
        }
    }

    #[test]
    fn only_a_folder_holding_this_entry_alone_goes_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path();
        let files = [
            "tin-bai/2025/a/index.md",
            "tin-bai/2025/a/anh.jpg",
            "tin-bai/2025/index.md",
            "tin-bai/2025/b.md",
            "tin-bai/2024/index.md",
            "tin-bai/2024/c/index.md",
            "tin-bai/index.md",
            "trang/index.md",
            "trang/gioi-thieu.md",
            "mo-hinh/d/index.md",
            "mo-hinh/d/ghi-chu.MD",
        ];
        for f in files {
            std::fs::create_dir_all(content.join(f).parent().unwrap()).unwrap();
            std::fs::write(content.join(f), "x").unwrap();
        }
        let cases = [
            ("tin-bai/2025/a/index.md", Some("tin-bai/2025/a")),
            ("tin-bai/2025/index.md", None),
            ("tin-bai/2024/index.md", None),
            ("tin-bai/index.md", None),
            ("trang/index.md", None),
            ("trang/gioi-thieu.md", None),
            ("mo-hinh/d/index.md", None),
        ];
        for (rel, folder) in cases {
            let entry = resolve(content, rel).unwrap();
            assert_eq!(entry.own_folder(), folder, "{rel}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir_all(content.join("tin-bai")).unwrap();
        std::fs::write(content.join("tin-bai/a.md"), "x").unwrap();
        std::fs::write(dir.path().join("secret.md"), "x").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.md"), content.join("tin-bai/b.md"))
            .unwrap();
        assert!(resolve(&content, "tin-bai/a.md").is_some());
        assert!(resolve(&content, "tin-bai/b.md").is_none());
        assert!(resolve(&content, "tin-bai/missing.md").is_none());
    }
}
