//! Walks `content/` once and sorts every file by its role.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::base::diagnostics::Diagnostic;
use crate::base::layout::{CONFIG_FILE, Folder, MAX_PATH, MAX_SEGMENT, STATIC};

/// Every file of `content/`, by role. Paths are relative to `content/`, slash-separated.
#[derive(Debug, Default)]
pub struct Inventory {
    pub items: Vec<String>,
    pub profiles: Vec<String>,
    pub pages: Vec<String>,
    /// Non-Markdown files inside the three page folders: copied next to their page.
    pub assets: Vec<String>,
    /// Files under `content/static/`, relative to it.
    pub static_files: Vec<String>,
    /// Files in the wrong place, unreadable folders, names the output cannot hold. They do
    /// not stop the other files from being checked: every build reports them with the rest.
    pub problems: Vec<Diagnostic>,
}

/// Editor droppings and private files: `.git`, `_drafts`, `bai.md~`, `.bai.md.swp`, `x.tmp`
/// (SPEC §3), and what else editors and systems leave beside a file, which holds a draft's
/// text or a person's name and must not be published: Emacs's `#bai.md#`, `bai.md.bak`,
/// `bai.md.orig`, Word's lock file `~$bai.docx` (its owner's name), Windows's `Thumbs.db`
/// (thumbnails of every photo of the folder) and `desktop.ini`, half-done downloads.
pub fn is_ignored(name: &str) -> bool {
    // Called for every file walked and every watcher event: no allocation.
    let ends_with = |suffix: &str| {
        name.len() >= suffix.len()
            && name.as_bytes()[name.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    name.starts_with(['.', '_', '#', '~'])
        || name.ends_with(['~', '#'])
        || [".swp", ".tmp", ".bak", ".orig", ".part", ".crdownload"]
            .into_iter()
            .any(ends_with)
        || ["thumbs.db", "ehthumbs.db", "desktop.ini"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n))
}

/// Markdown spelled another way (`bai.MD`, `bai.markdown`): not read as an item, it would
/// be copied as an asset, front matter, drafts and all.
fn is_other_markdown(rel: &str) -> bool {
    let ext = rel.rsplit_once('.').map_or("", |(_, e)| e);
    !ext.contains('/')
        && ext != "md"
        && ["md", "markdown", "mdown", "mkd", "mkdn"]
            .iter()
            .any(|m| ext.eq_ignore_ascii_case(m))
}

impl Inventory {
    /// Walks `content_dir`. `shown_root` is what errors print paths relative to.
    pub fn scan(content_dir: &Path, shown_root: &Path) -> Inventory {
        let mut inventory = Inventory::default();
        let mut errors = Vec::new();
        let site_root = real_root(shown_root);
        if let Err(problem) = check_inside(content_dir, &site_root, shown_root) {
            inventory.problems.push(problem);
            return inventory;
        }
        let walker = WalkDir::new(content_dir)
            .min_depth(1)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| !is_ignored(&e.file_name().to_string_lossy()));
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| content_dir.to_path_buf());
                    errors.push(walk_error(shown(shown_root, &path), &e));
                    continue;
                }
            };
            if entry.file_type().is_dir() {
                continue;
            }
            if entry.path_is_symlink()
                && let Err(problem) = check_symlink(entry.path(), &site_root, shown_root)
            {
                errors.push(problem);
                continue;
            }
            let here = |message: &str, hint: String| {
                Diagnostic::new(shown(shown_root, entry.path()), 1, message).with_hint(hint)
            };
            // A named pipe or a device would block the build reading it, forever.
            let regular = if entry.path_is_symlink() {
                std::fs::metadata(entry.path()).is_ok_and(|m| m.is_file())
            } else {
                entry.file_type().is_file()
            };
            if !regular {
                errors.push(here(
                    "đây không phải tệp thường (ống dẫn, ổ cắm hay thiết bị)",
                    "xóa nó khỏi content/".into(),
                ));
                continue;
            }
            let Ok(rel) = entry.path().strip_prefix(content_dir) else {
                continue;
            };
            let Some(rel) = slash_path(rel) else {
                errors.push(here(
                    "tên tệp không phải UTF-8",
                    "đổi tên tệp, chỉ dùng chữ, số và dấu `-`".into(),
                ));
                continue;
            };
            if let Some(problem) = unwritable(&rel) {
                errors.push(problem.into_diagnostic(shown(shown_root, entry.path())));
                continue;
            }
            let (section, inner) = rel.split_once('/').unwrap_or(("", rel.as_str()));
            let is_markdown = rel.ends_with(".md");
            if Folder::of(&rel).is_some() && is_other_markdown(&rel) {
                let name = rel.rsplit('/').next().unwrap_or(&rel);
                let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
                errors.push(here(
                    "tệp Markdown phải có đuôi `.md` viết thường; tệp này không được dựng thành trang",
                    format!("đổi tên thành `{stem}.md`"),
                ));
                continue;
            }
            match (Folder::of(&rel), is_markdown) {
                (None, _) if section.is_empty() && inner == CONFIG_FILE => {}
                (Some(Folder::Items), true) => inventory.items.push(rel),
                (Some(Folder::Profiles), true) => inventory.profiles.push(rel),
                (Some(Folder::Pages), true) => inventory.pages.push(rel),
                (Some(_), false) => inventory.assets.push(rel),
                (None, _) if section == STATIC => inventory.static_files.push(inner.to_string()),
                _ => errors.push(here(
                    "tệp nằm ngoài các thư mục nội dung",
                    format!(
                        "tin bài đặt trong content/{}/, mô hình trong content/{}/, \
                             trang trong content/{}/, ảnh và tệp tĩnh trong content/{STATIC}/",
                        Folder::Items.name(),
                        Folder::Profiles.name(),
                        Folder::Pages.name(),
                    ),
                )),
            }
        }
        inventory.problems = errors;
        inventory
    }
}

/// A walk error as staff can act on it: a loop of links, a folder they may not read.
fn walk_error(shown: PathBuf, e: &walkdir::Error) -> Diagnostic {
    if e.loop_ancestor().is_some() {
        return Diagnostic::new(
            shown,
            1,
            "liên kết tượng trưng (symlink) trỏ vòng về thư mục chứa nó",
        )
        .with_hint("xóa liên kết này");
    }
    match e.io_error() {
        Some(io) => crate::base::diagnostics::io_diagnostic(shown, io),
        None => Diagnostic::new(shown, 1, "không đọc được thư mục"),
    }
}

/// A path the output could not hold (see [`MAX_SEGMENT`]), or that Windows refuses.
struct BadName {
    message: String,
    hint: Option<String>,
}

impl BadName {
    fn into_diagnostic(self, shown: PathBuf) -> Diagnostic {
        let hint = self.hint.unwrap_or_else(|| {
            format!(
                "đặt tên ngắn hơn: mỗi tên thư mục hay tệp tối đa {MAX_SEGMENT} byte (khoảng 70 chữ có dấu)"
            )
        });
        Diagnostic::new(shown, 1, self.message).with_hint(hint)
    }
}

fn unwritable(rel: &str) -> Option<BadName> {
    if let Some(name) = rel
        .split('/')
        .find(|part| crate::base::paths::windows_reserved(part))
    {
        return Some(BadName {
            message: format!("tên `{name}` là tên Windows không cho dùng"),
            hint: Some("đổi tên, ví dụ thêm một chữ: `con-1`, `aux-2`".into()),
        });
    }
    if let Some(long) = rel.split('/').find(|part| part.len() > MAX_SEGMENT) {
        return Some(BadName {
            message: format!("tên `{}…` dài {} byte, quá dài", cut(long, 40), long.len()),
            hint: None,
        });
    }
    (rel.len() > MAX_PATH).then(|| BadName {
        message: format!("đường dẫn dài {} byte (tối đa {MAX_PATH})", rel.len()),
        hint: None,
    })
}

/// The first `chars` characters of `text`.
fn cut(text: &str, chars: usize) -> &str {
    text.char_indices()
        .nth(chars)
        .map_or(text, |(i, _)| &text[..i])
}

/// The site root with symlinks resolved: what a link's target must stay inside.
pub fn real_root(root: &Path) -> PathBuf {
    root.canonicalize().unwrap_or_else(|_| root.to_path_buf())
}

/// A symlink met while walking the site (`content/`, the theme) is followed only to a file
/// inside the site root (`site_root`, resolved): one pointing outside could publish
/// `/etc/passwd`; one to a folder, a loop or nothing is an error naming the link.
pub fn check_symlink(link: &Path, site_root: &Path, shown_root: &Path) -> Result<(), Diagnostic> {
    let problem = |message: &str, hint: &str| {
        Diagnostic::new(shown(shown_root, link), 1, message.to_string()).with_hint(hint)
    };
    let copy_hint = "đặt tệp thật vào đây thay cho liên kết";
    let target = match link.canonicalize() {
        Ok(target) => target,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(problem(
                "liên kết (symlink) trỏ tới tệp không có",
                "xóa liên kết, hoặc sửa cho nó trỏ tới một tệp trong thư mục trang",
            ));
        }
        Err(_) => {
            return Err(problem(
                "liên kết (symlink) vòng lặp hoặc không đọc được đích",
                copy_hint,
            ));
        }
    };
    if !target.starts_with(site_root) {
        return Err(problem(
            "liên kết (symlink) trỏ ra ngoài thư mục trang; datto không đăng tệp ngoài thư mục trang",
            copy_hint,
        ));
    }
    if target.is_dir() {
        return Err(problem(
            "liên kết (symlink) tới thư mục không được hỗ trợ",
            "chép thư mục vào đây thay cho liên kết",
        ));
    }
    Ok(())
}

/// `content/` or a theme folder that is itself a link must stay inside the site root too.
pub fn check_inside(dir: &Path, site_root: &Path, shown_root: &Path) -> Result<(), Diagnostic> {
    let outside = dir
        .canonicalize()
        .is_ok_and(|real| !real.starts_with(site_root));
    if outside {
        return Err(Diagnostic::new(
            shown(shown_root, dir),
            1,
            "thư mục là liên kết (symlink) trỏ ra ngoài thư mục trang",
        )
        .with_hint("chép thư mục vào thư mục trang thay cho liên kết"));
    }
    Ok(())
}

fn shown(root: &Path, path: &Path) -> PathBuf {
    crate::base::diagnostics::relative_to(root, path)
}

/// A relative path as `a/b/c`, or `None` if some component is not UTF-8.
fn slash_path(rel: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    Some(parts?.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_names() {
        for name in [
            ".git",
            "_nhap",
            "bai.md~",
            ".bai.md.swp",
            "bai.md.swp",
            "x.tmp",
            ".DS_Store",
            "#bai.md#",
            "bai.md.bak",
            "bai.md.orig",
            "~$bai.docx",
            "Thumbs.db",
            "desktop.ini",
            "anh.jpg.crdownload",
        ] {
            assert!(is_ignored(name), "{name}");
        }
        for name in [
            "bai.md",
            "anh.jpg",
            "index.md",
            "a_b.md",
            "bao-cao.docx",
            "so#1.pdf",
        ] {
            assert!(!is_ignored(name), "{name}");
        }
        for (rel, other) in [
            ("tin-bai/a.MD", true),
            ("tin-bai/a.Md", true),
            ("tin-bai/a.markdown", true),
            ("tin-bai/a.md", false),
            ("tin-bai/a.pdf", false),
            ("tin-bai/md", false),
        ] {
            assert_eq!(is_other_markdown(rel), other, "{rel}");
        }
    }

    #[test]
    fn markdown_spelled_otherwise_and_pipes_are_errors_not_assets() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        for file in [
            "tin-bai/2025/Hoa.MD",
            "trang/x.markdown",
            "static/ghi-chu.MD",
        ] {
            let path = content.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "---\ntitle: nháp\ndraft: true\n---\n").unwrap();
        }
        #[cfg(unix)]
        {
            let fifo = content.join("tin-bai/2025/ong.md");
            let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
            // SAFETY: a valid NUL-terminated path; mkfifo only creates a file.
            assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        }
        let inv = Inventory::scan(&content, dir.path());
        assert!(inv.assets.is_empty() && inv.items.is_empty(), "{inv:?}");
        assert_eq!(
            inv.static_files,
            ["ghi-chu.MD"],
            "static/ is copied as it is"
        );
        let named: Vec<String> = inv.problems.iter().map(|e| e.to_string()).collect();
        assert!(
            named
                .iter()
                .any(|e| e.starts_with("content/tin-bai/2025/Hoa.MD:1: tệp Markdown")),
            "{named:?}"
        );
        assert!(
            named
                .iter()
                .any(|e| e.starts_with("content/trang/x.markdown:1: tệp Markdown")),
            "{named:?}"
        );
        #[cfg(unix)]
        assert!(
            named
                .iter()
                .any(|e| e.starts_with("content/tin-bai/2025/ong.md:1: đây không phải tệp thường")),
            "{named:?}"
        );
    }

    #[test]
    fn sorts_files_by_role() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        for file in [
            "site.yaml",
            "tin-bai/2018/a.md",
            "tin-bai/2018/b/index.md",
            "tin-bai/2018/b/anh.jpg",
            "tin-bai/2018/_nhap.md",
            "tin-bai/2018/a.md~",
            "tin-bai/.cache/x.md",
            "mo-hinh/m.md",
            "trang/gioi-thieu.md",
            "static/anh/logo.svg",
        ] {
            let path = content.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        let inv = Inventory::scan(&content, dir.path());
        assert!(inv.problems.is_empty());
        assert_eq!(inv.items, ["tin-bai/2018/a.md", "tin-bai/2018/b/index.md"]);
        assert_eq!(inv.assets, ["tin-bai/2018/b/anh.jpg"]);
        assert_eq!(inv.profiles, ["mo-hinh/m.md"]);
        assert_eq!(inv.pages, ["trang/gioi-thieu.md"]);
        assert_eq!(inv.static_files, ["anh/logo.svg"]);

        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            let outside = tempfile::tempdir().unwrap();
            std::fs::write(outside.path().join("passwd"), "secret").unwrap();
            std::fs::write(dir.path().join("inside.jpg"), "ok").unwrap();
            let links = [
                ("tin-bai/2018/b/ra-ngoai.jpg", outside.path().join("passwd")),
                ("tin-bai/2018/ra-ngoai.md", outside.path().join("passwd")),
                ("static/thu-muc", outside.path().to_path_buf()),
                ("static/thu-muc-trong", content.join("tin-bai")),
                ("static/vong", content.join("static/vong")),
                ("static/hong", content.join("khong-co")),
            ];
            for (link, target) in &links {
                symlink(target, content.join(link)).unwrap();
            }
            symlink(
                dir.path().join("inside.jpg"),
                content.join("static/trong.jpg"),
            )
            .unwrap();
            let errors = Inventory::scan(&content, dir.path()).problems;
            let named: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            for (link, _) in &links {
                assert!(
                    named
                        .iter()
                        .any(|e| e.starts_with(&format!("content/{link}:1: liên kết"))),
                    "{link}: {named:?}"
                );
            }
            assert_eq!(
                errors.len(),
                links.len(),
                "a link to a file inside is fine: {named:?}"
            );
            for (link, _) in &links {
                std::fs::remove_file(content.join(link)).unwrap();
            }
        }

        std::fs::write(content.join("lac.md"), "x").unwrap();
        let long = format!("tin-bai/{}.md", "a".repeat(MAX_SEGMENT + 1));
        std::fs::write(content.join(&long), "x").unwrap();
        let inv = Inventory::scan(&content, dir.path());
        let errors = &inv.problems;
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].path, Path::new("content/lac.md"));
        assert!(errors[1].message.contains("quá dài"), "{errors:?}");
        // The stray file hides nothing: the other files are still listed.
        assert_eq!(inv.items, ["tin-bai/2018/a.md", "tin-bai/2018/b/index.md"]);
    }
}
