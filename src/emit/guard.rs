//! What an output folder may be: never the site itself or a folder datto reads, and never
//! a folder holding anything datto did not write (its manifest says what it wrote).

use rustc_hash::FxHashSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rayon::prelude::*;

use super::journal::{JOURNAL, MANIFEST, Manifest};
use crate::base::diagnostics::Error;

/// What the previous output holds, as far as this build is concerned.
pub struct Previous {
    /// Files of the manifest that are regular files there, reached through real folders
    /// only: the only ones a build compares its pages with (never a file behind a symlink).
    pub files: FxHashSet<String>,
    /// Everything the manifest lists: what the new build may remove.
    pub manifest: Vec<String>,
}

/// `path` made absolute with symlinks resolved as far as it exists.
fn absolute(path: &Path) -> PathBuf {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = path.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |acc, part| acc.join(part));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return path,
        }
    }
}

/// Refuses an output that is, or holds, the site root, or lies inside `content/` or
/// `themes/` (each build would read the previous one as content or theme files).
pub fn check_location(root: &Path, target: &Path) -> Result<(), Error> {
    let root = absolute(root);
    let out = absolute(target);
    let shown = target.display();
    if root.starts_with(&out) {
        return Err(Error::Usage(format!(
            "thư mục ra {shown} là thư mục trang hoặc chứa nó; datto sẽ không ghi vào đó \
             (gợi ý: dùng --output public hoặc một thư mục riêng)"
        )));
    }
    for dir in [crate::base::layout::CONTENT, crate::base::layout::THEMES] {
        if out.starts_with(root.join(dir)) {
            return Err(Error::Usage(format!(
                "thư mục ra {shown} nằm trong {dir}/: mỗi lần dựng sẽ đọc lại bản dựng trước \
                 (gợi ý: dùng --output public hoặc một thư mục ngoài {dir}/)"
            )));
        }
    }
    Ok(())
}

/// The previous output at `target`, or `None` when there is none (or an empty folder).
/// Refuses a folder that holds anything its manifest does not list.
pub fn previous_output(target: &Path) -> Result<Option<Previous>, Error> {
    let shown = target.display();
    let meta = match fs::symlink_metadata(target) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::Usage(format!("không đọc được {shown}: {e}"))),
    };
    if meta.file_type().is_symlink() {
        return Err(Error::Usage(format!(
            "thư mục ra {shown} là một liên kết (symlink); datto chỉ ghi vào thư mục thật \
             (gợi ý: chỉ rõ thư mục đích bằng --output)"
        )));
    }
    if !meta.is_dir() {
        return Err(Error::Usage(format!(
            "{shown} đã có và không phải thư mục; datto sẽ không ghi đè nó"
        )));
    }
    let entries = list_tree(target, "").map_err(Error::Internal)?;
    if entries.is_empty() {
        return Ok(None);
    }
    let Some(manifest) = Manifest::read(target) else {
        return Err(Error::Usage(format!(
            "thư mục ra {shown} đã có tệp nhưng không phải bản dựng của datto (không có {MANIFEST}); \
             datto không xóa hay ghi đè tệp nó không ghi ra (gợi ý: chọn thư mục khác bằng --output; \
             nếu đó là bản dựng của phiên bản datto cũ, hãy xóa thư mục rồi dựng lại)"
        )));
    };
    // Left by a first build killed right after its folder was renamed into place.
    let _ = fs::remove_file(target.join(JOURNAL));
    let listed: FxHashSet<&str> = manifest.files.iter().map(String::as_str).collect();
    let needed = needed_folders(&listed);
    let mut foreign: Vec<&str> = entries
        .iter()
        .filter(|e| match e.kind {
            EntryKind::File => {
                e.rel != MANIFEST && e.rel != JOURNAL && !listed.contains(e.rel.as_str())
            }
            EntryKind::Folder => !needed.contains(e.rel.as_str()),
            EntryKind::Other => true,
        })
        .map(|e| e.rel.as_str())
        .collect();
    // Inside a foreign folder, the folder alone is named.
    foreign.sort_unstable();
    foreign.dedup_by(|inner, outer| inner.starts_with(&format!("{outer}/")));
    if !foreign.is_empty() {
        let mut names: Vec<String> = foreign.iter().take(5).map(|f| format!("`{f}`")).collect();
        if foreign.len() > 5 {
            names.push(format!("và {} mục khác", foreign.len() - 5));
        }
        return Err(Error::Usage(format!(
            "thư mục ra {shown} có tệp không do datto ghi ra: {}; datto không xóa hay ghi đè chúng \
             (gợi ý: chuyển chúng ra khỏi {shown}, hoặc chọn thư mục khác bằng --output)",
            names.join(", ")
        )));
    }
    let files = entries
        .into_iter()
        .filter(|e| e.kind == EntryKind::File && listed.contains(e.rel.as_str()))
        .map(|e| e.rel)
        .collect();
    Ok(Some(Previous {
        files,
        manifest: manifest.files,
    }))
}

/// Every folder that holds a listed file, at any depth (`a`, `a/b` for `a/b/c.html`).
fn needed_folders<'a>(files: &FxHashSet<&'a str>) -> FxHashSet<&'a str> {
    let mut needed = FxHashSet::default();
    for rel in files {
        let mut rest = *rel;
        while let Some((dir, _)) = rest.rsplit_once('/') {
            if !needed.insert(dir) {
                break;
            }
            rest = dir;
        }
    }
    needed
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EntryKind {
    File,
    Folder,
    /// A symlink, FIFO, socket…: never part of a build.
    Other,
}

/// One entry of the previous output.
struct Entry {
    /// Output path (`tin-bai/2018/a/index.html`); lossy for a name that is not UTF-8,
    /// which is then no file of ours.
    rel: String,
    kind: EntryKind,
}

/// The entries under `dir`, without following symlinks; folders are read in parallel (a
/// 10,000-page output has 10,000 of them).
fn list_tree(dir: &Path, prefix: &str) -> anyhow::Result<Vec<Entry>> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir)
        .and_then(|entries| entries.collect())
        .with_context(|| format!("đọc {}", dir.display()))?;
    let lists: Vec<Vec<Entry>> = entries
        .par_iter()
        .map(|entry| {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let rel = if prefix.is_empty() {
                name.into_owned()
            } else {
                format!("{prefix}/{name}")
            };
            let path = entry.path();
            let file_type = entry
                .file_type()
                .with_context(|| format!("đọc {}", path.display()))?;
            let kind = if file_type.is_dir() {
                EntryKind::Folder
            } else if file_type.is_file() {
                EntryKind::File
            } else {
                EntryKind::Other
            };
            let mut list = Vec::new();
            if kind == EntryKind::Folder {
                let contents = list_tree(&path, &rel)?;
                list.push(Entry { rel, kind });
                list.extend(contents);
            } else {
                list.push(Entry { rel, kind });
            }
            Ok(list)
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(lists.into_iter().flatten().collect())
}
