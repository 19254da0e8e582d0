//! Writing the output folder: a build renders into a fresh staging folder beside the target
//! and swaps it into place only when everything succeeded, so a failed build leaves the
//! previous output byte-for-byte as it was. Every write goes through [`safe_join`].

use std::fs;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, bail};
use rayon::prelude::*;

/// `base/rel` when `rel` is a clean relative path; an error for anything that could
/// escape `base` (`..`, absolute paths, backslashes, drive prefixes).
pub fn safe_join(base: &Path, rel: &str) -> anyhow::Result<PathBuf> {
    let is_clean = crate::paths::clean_relative(rel).as_deref() == Some(rel)
        && !rel.ends_with('/')
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if !is_clean {
        bail!("đường dẫn ra không an toàn: `{rel}`");
    }
    Ok(base.join(rel))
}

/// Writes `bytes` to `path` through a temporary file and a rename, so a reader (the dev
/// server, a browser reloading) never sees half a page.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let parent = path.parent().context("đường dẫn không có thư mục cha")?;
    fs::create_dir_all(parent).with_context(|| format!("tạo thư mục {}", parent.display()))?;
    let name = path
        .file_name()
        .context("đường dẫn không có tên tệp")?
        .to_string_lossy();
    let temp = parent.join(format!(".{name}.datto-tmp-{}", std::process::id()));
    fs::write(&temp, bytes).with_context(|| format!("ghi {}", temp.display()))?;
    fs::rename(&temp, path).with_context(|| format!("đổi tên thành {}", path.display()))
}

/// A staging folder that becomes the output on [`Staging::commit`], or disappears on drop.
pub struct Staging {
    target: PathBuf,
    dir: PathBuf,
    committed: bool,
}

impl Staging {
    pub fn create(target: &Path) -> anyhow::Result<Staging> {
        refuse_foreign_folder(target)?;
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent).with_context(|| format!("tạo thư mục {}", parent.display()))?;
        let name = target
            .file_name()
            .context("thư mục ra không có tên")?
            .to_string_lossy();
        let dir = parent.join(format!(".{name}.datto-new-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).with_context(|| format!("xóa {}", dir.display()))?;
        }
        fs::create_dir_all(&dir).with_context(|| format!("tạo {}", dir.display()))?;
        Ok(Staging {
            target: target.to_path_buf(),
            dir,
            committed: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Creates every folder the files `rels` need, once each, before any file is written:
    /// a 10,000-page site would otherwise ask the file system for each folder ten times.
    pub fn prepare<'r>(&self, rels: impl Iterator<Item = &'r str>) -> anyhow::Result<()> {
        let mut dirs: Vec<&str> = rels
            .filter_map(|rel| rel.rsplit_once('/').map(|(dir, _)| dir))
            .collect();
        dirs.sort_unstable();
        dirs.dedup();
        // Only the deepest folders: `create_dir_all` makes their parents on the way.
        let leaves: Vec<&str> = dirs
            .iter()
            .enumerate()
            .filter(|(i, dir)| {
                dirs.get(i + 1)
                    .is_none_or(|next| !next.starts_with(&format!("{dir}/")))
            })
            .map(|(_, dir)| *dir)
            .collect();
        leaves.par_iter().try_for_each(|dir| {
            let path = safe_join(&self.dir, dir)?;
            fs::create_dir_all(&path).with_context(|| format!("tạo thư mục {}", path.display()))
        })
    }

    /// Writes a file whose folder [`Staging::prepare`] made. When the previous output has the
    /// same bytes at the same path, that file is hard-linked instead: an unchanged page costs
    /// no disk write, and keeps its modification time, so `rsync` skips it when publishing.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = safe_join(&self.dir, rel)?;
        if self.link_unchanged(rel, &path, |old| old == bytes)? {
            return Ok(());
        }
        fs::write(&path, bytes).with_context(|| format!("ghi {}", path.display()))
    }

    /// Copies a file into a folder [`Staging::prepare`] made (or links the previous copy if
    /// it is the same).
    pub fn copy(&self, rel: &str, from: &Path) -> anyhow::Result<()> {
        let path = safe_join(&self.dir, rel)?;
        let same_as_source = |old: &[u8]| fs::read(from).is_ok_and(|new| new == old);
        if self.link_unchanged(rel, &path, same_as_source)? {
            return Ok(());
        }
        fs::copy(from, &path)
            .with_context(|| format!("chép {} sang {}", from.display(), path.display()))?;
        Ok(())
    }

    /// Hard-links the previous output's `rel` to `path` if `same` says its bytes are the ones
    /// to write. `Ok(false)` whenever that is not possible: then the caller writes.
    fn link_unchanged(
        &self,
        rel: &str,
        path: &Path,
        same: impl Fn(&[u8]) -> bool,
    ) -> anyhow::Result<bool> {
        let old = safe_join(&self.target, rel)?;
        let is_file = fs::symlink_metadata(&old).is_ok_and(|m| m.is_file());
        if !is_file {
            return Ok(false);
        }
        let Ok(old_bytes) = fs::read(&old) else {
            return Ok(false);
        };
        Ok(same(&old_bytes) && fs::hard_link(&old, path).is_ok())
    }

    /// Swaps the staging folder into place: old output aside, new one in, old one removed.
    pub fn commit(mut self) -> anyhow::Result<()> {
        let old = self.dir.with_file_name(format!(
            ".{}.datto-old-{}",
            self.target
                .file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            std::process::id()
        ));
        let had_previous = self.target.exists();
        if had_previous {
            if old.exists() {
                fs::remove_dir_all(&old).with_context(|| format!("xóa {}", old.display()))?;
            }
            fs::rename(&self.target, &old)
                .with_context(|| format!("dời {} sang một bên", self.target.display()))?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.target) {
            if had_previous {
                // Put the previous output back: the site must never be left without one.
                let _ = fs::rename(&old, &self.target);
            }
            return Err(e)
                .with_context(|| format!("đưa bản dựng mới vào {}", self.target.display()));
        }
        self.committed = true;
        if had_previous {
            remove_tree(&old).with_context(|| format!("xóa bản cũ {}", old.display()))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// `remove_dir_all` with the entries of the top two levels removed in parallel: deleting a
/// previous 10,000-page output is thousands of file-system calls.
fn remove_tree(dir: &Path) -> std::io::Result<()> {
    fn remove_entries(dir: &Path, depth: usize) -> std::io::Result<()> {
        let entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.par_iter().try_for_each(|entry| {
            if !entry.file_type()?.is_dir() {
                fs::remove_file(entry.path())
            } else if depth > 0 {
                remove_entries(&entry.path(), depth - 1)?;
                fs::remove_dir(entry.path())
            } else {
                fs::remove_dir_all(entry.path())
            }
        })
    }
    remove_entries(dir, 2)?;
    fs::remove_dir(dir)
}

/// The output folder is replaced whole: refuse to do that to a folder that is clearly not a
/// previous build (a project, a home folder), however the `--output` was mistyped.
fn refuse_foreign_folder(target: &Path) -> anyhow::Result<()> {
    if !target.exists() {
        return Ok(());
    }
    if !target.is_dir() {
        bail!("{} đã có và không phải thư mục", target.display());
    }
    let looks_like_project = ["content", "Cargo.toml", ".git", "themes"]
        .iter()
        .any(|name| target.join(name).exists());
    let mut entries = fs::read_dir(target).with_context(|| format!("đọc {}", target.display()))?;
    let empty = entries.next().is_none();
    if looks_like_project || (!empty && !target.join("index.html").exists()) {
        bail!(
            "{} không giống thư mục kết quả của datto (không có index.html); datto sẽ không thay thế nó. \
             Hãy chọn thư mục khác bằng --output",
            target.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_join_refuses_escapes() {
        let base = Path::new("/tmp/out");
        for ok in ["index.html", "tin-bai/2018/a/index.html", "anh/ảnh mới.jpg"] {
            assert!(safe_join(base, ok).is_ok(), "{ok}");
        }
        for bad in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "a\\..\\b",
            "",
            "./a",
            "a//b",
        ] {
            assert!(safe_join(base, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn staging_swaps_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("index.html"), "old").unwrap();

        let failed = Staging::create(&target).unwrap();
        failed.prepare(["index.html"].into_iter()).unwrap();
        failed.write("index.html", b"new").unwrap();
        drop(failed);
        assert_eq!(
            fs::read_to_string(target.join("index.html")).unwrap(),
            "old"
        );
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "staging folder removed"
        );

        let ok = Staging::create(&target).unwrap();
        ok.prepare(
            [
                "tin-bai/index.html",
                "index.html",
                "a/b/c/d.html",
                "a/b/e.html",
            ]
            .into_iter(),
        )
        .unwrap();
        ok.write("a/b/c/d.html", b"deep").unwrap();
        ok.write("a/b/e.html", b"e").unwrap();
        ok.write("tin-bai/index.html", b"new").unwrap();
        ok.write("index.html", b"new").unwrap();
        ok.commit().unwrap();
        assert_eq!(
            fs::read_to_string(target.join("index.html")).unwrap(),
            "new"
        );
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "old output removed"
        );

        // A rebuild keeps unchanged files (same inode, same mtime) and rewrites changed ones.
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let inode = |rel: &str| fs::metadata(target.join(rel)).unwrap().ino();
            let (same_before, changed_before) = (inode("a/b/e.html"), inode("index.html"));
            let again = Staging::create(&target).unwrap();
            again
                .prepare(["index.html", "a/b/e.html"].into_iter())
                .unwrap();
            again.write("a/b/e.html", b"e").unwrap();
            again.write("index.html", b"newer").unwrap();
            again.commit().unwrap();
            assert_eq!(inode("a/b/e.html"), same_before);
            assert_ne!(inode("index.html"), changed_before);
            assert_eq!(
                fs::read_to_string(target.join("index.html")).unwrap(),
                "newer"
            );
            assert!(
                !target.join("a/b/c/d.html").exists(),
                "files not written again are gone"
            );
        }
    }

    #[test]
    fn refuses_to_replace_a_project_folder() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("content")).unwrap();
        assert!(Staging::create(dir.path()).is_err());
        let notes = dir.path().join("notes");
        fs::create_dir_all(&notes).unwrap();
        fs::write(notes.join("a.txt"), "keep").unwrap();
        assert!(Staging::create(&notes).is_err());
    }

    #[test]
    fn atomic_write_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b.html");
        write_atomic(&path, b"x").unwrap();
        write_atomic(&path, b"y").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "y");
        assert_eq!(fs::read_dir(dir.path().join("a")).unwrap().count(), 1);
    }
}
