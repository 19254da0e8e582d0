//! The draft on disk: folder name, front matter, and the bundle written in one rename.

use std::path::Path;

use super::document;
use crate::base::diagnostics::{Diagnostic, Error};
use crate::base::slug::slugify;

/// YAML double-quoted scalar on one line.
pub(super) fn yaml_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The bundle's folder name: the title's slug, kept to a sensible length at a word break;
/// the file's own name, then a fixed name, when the title has no letter or digit.
pub(super) fn bundle_slug(title: &str, source_name: &str) -> String {
    const MAX: usize = 80;
    let stem = Path::new(source_name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let slug = [slugify(title), slugify(&stem)]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "nhap-tu-word".to_owned());
    crate::base::slug::cut(slug, MAX)
}

/// Writes the bundle into a hidden temporary folder beside its place (ignored by builds
/// and the preview while it fills), then renames it into place in one step.
pub(super) fn write_bundle(
    root: &Path,
    content: &Path,
    folder_rel: &str,
    index: &str,
    images: &[document::Image],
) -> Result<(), Error> {
    let folder = content.join(folder_rel);
    let shown = crate::base::diagnostics::relative_to(root, &folder);
    let exists = |path: &Path| std::fs::symlink_metadata(path).is_ok();
    if exists(&folder) || exists(&folder.with_extension("md")) {
        return Err(Error::content(vec![
            Diagnostic::new(shown, 1, "đã có bài cùng tên; datto không ghi đè")
                .with_hint("đổi tiêu đề của tài liệu Word, hoặc sửa bài đang có"),
        ]));
    }
    let parent = folder
        .parent()
        .ok_or_else(|| anyhow::anyhow!("không có thư mục cha: {}", folder.display()))?;
    std::fs::create_dir_all(parent)
        .map_err(|e| anyhow::Error::from(e).context(format!("tạo {}", parent.display())))?;
    // `tin-bai/` or the year folder may be a symlink: never write outside the content folder.
    let inside = match (parent.canonicalize(), content.canonicalize()) {
        (Ok(real), Ok(content)) => real.starts_with(content),
        _ => false,
    };
    if !inside {
        return Err(Error::content(vec![Diagnostic::new(
            crate::base::diagnostics::relative_to(root, parent),
            1,
            "thư mục này trỏ ra ngoài thư mục content/ (liên kết tượng trưng); datto không ghi vào đó",
        )]));
    }
    let name = folder
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Hidden (builds and the preview ignore it) and unique, also for two uploads at once.
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temp = parent.join(format!(".{name}.datto-import-{}-{n}", std::process::id()));
    std::fs::create_dir(&temp)
        .map_err(|e| anyhow::Error::from(e).context(format!("tạo {}", temp.display())))?;
    let filled = (|| -> anyhow::Result<()> {
        std::fs::write(temp.join("index.md"), index)?;
        for image in images {
            // Names are datto's own ([a-z0-9-] + extension), never a path from the document.
            let path = crate::emit::safe_join(&temp, &image.name)?;
            std::fs::write(path, &image.bytes)?;
        }
        if exists(&folder) {
            anyhow::bail!("{} vừa được tạo bởi chương trình khác", folder.display());
        }
        std::fs::rename(&temp, &folder)?;
        Ok(())
    })();
    if let Err(e) = filled {
        // Only what this call wrote: the temporary folder.
        let _ = std::fs::remove_dir_all(&temp);
        return Err(Error::Internal(
            e.context(format!("ghi {}", folder.display())),
        ));
    }
    Ok(())
}
