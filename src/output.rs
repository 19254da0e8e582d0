//! Writing the output folder. A build never touches the previous output before everything
//! has rendered without error: a failed build leaves it byte-for-byte as it was.
//!
//! - First build (no output yet): every file goes into a fresh staging folder beside the
//!   target, which is renamed into place at the end.
//! - Later builds: each rendered page is compared with the file already there. Only new or
//!   changed files go into the staging folder; on success they are renamed into place one by
//!   one and files no longer produced are removed. An unchanged page is not written at all:
//!   it keeps its modification time (rsync skips it when publishing), and a 10,000-page
//!   rebuild costs reads, not 12,000 new files and folders and the removal of 12,000 old ones.
//!
//! Every path goes through [`safe_join`].

use rustc_hash::FxHashSet;
use std::fs;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

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
    let parent = create_parent(path)?;
    let name = path
        .file_name()
        .context("đường dẫn không có tên tệp")?
        .to_string_lossy();
    let temp = parent.join(format!(".{name}.datto-tmp-{}", std::process::id()));
    fs::write(&temp, bytes).with_context(|| format!("ghi {}", temp.display()))?;
    fs::rename(&temp, path).with_context(|| format!("đổi tên thành {}", path.display()))
}

/// The files of one build on their way into the output folder; see the module docs.
/// Nothing reaches the output before [`Staging::commit`]; dropping it uncommitted removes
/// the staging folder and leaves the output as it was.
pub struct Staging {
    target: PathBuf,
    /// New and changed files, at their output paths.
    dir: PathBuf,
    /// The previous output, when there is one to update (else the staging folder becomes
    /// the output).
    previous: Option<Previous>,
    /// Every file this build produces ([`Staging::prepare`]): the rest of the previous
    /// output is removed on commit.
    expected: FxHashSet<String>,
    /// The files written to the staging folder (update mode).
    changed: Mutex<Vec<String>>,
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
        // An empty folder (made by hand, or a mount point's) is no previous output.
        let previous = if target.is_dir() {
            Some(Previous::list(target)?).filter(|p| !p.entries.is_empty())
        } else {
            None
        };
        Ok(Staging {
            previous,
            target: target.to_path_buf(),
            dir,
            expected: FxHashSet::default(),
            changed: Mutex::new(Vec::new()),
            committed: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Declares every file of this build before any is written. A first build creates all
    /// their folders now, once each: a 10,000-page site would otherwise ask the file system
    /// for each folder ten times.
    pub fn prepare<'r>(&mut self, rels: impl Iterator<Item = &'r str>) -> anyhow::Result<()> {
        self.expected = rels.map(str::to_string).collect();
        if self.previous.is_some() {
            return Ok(());
        }
        create_folders(&self.dir, self.expected.iter().map(String::as_str))
    }

    /// Declares more files of this build, known only once others were written (the search
    /// index's shards).
    pub fn expect<'r>(
        &mut self,
        rels: impl Iterator<Item = &'r str> + Clone,
    ) -> anyhow::Result<()> {
        self.expected.extend(rels.clone().map(str::to_string));
        if self.previous.is_some() {
            return Ok(());
        }
        create_folders(&self.dir, rels)
    }

    /// Writes one file of the build (unless the previous output already has these bytes).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let path = safe_join(&self.dir, rel)?;
        if let Some(previous) = &self.previous {
            if previous.files.contains(rel) && file_equals(&safe_join(&self.target, rel)?, bytes) {
                return Ok(());
            }
            create_parent(&path)?;
        }
        fs::write(&path, bytes).with_context(|| format!("ghi {}", path.display()))?;
        self.note_changed(rel);
        Ok(())
    }

    /// Copies a file into the build (unless the previous output already has the same bytes).
    pub fn copy(&self, rel: &str, from: &Path) -> anyhow::Result<()> {
        let path = safe_join(&self.dir, rel)?;
        if self.previous.is_some() {
            let bytes = fs::read(from).with_context(|| format!("đọc {}", from.display()))?;
            return self.write(rel, &bytes);
        }
        fs::copy(from, &path)
            .with_context(|| format!("chép {} sang {}", from.display(), path.display()))?;
        Ok(())
    }

    fn note_changed(&self, rel: &str) {
        if self.previous.is_some() {
            // A poisoned lock only means another writer panicked; the list is still sound.
            let mut changed = self.changed.lock().unwrap_or_else(|e| e.into_inner());
            changed.push(rel.to_string());
        }
    }

    /// Puts the build in place: the staging folder becomes the output (first build), or the
    /// changed files are moved in and the files no longer produced are removed.
    pub fn commit(mut self) -> anyhow::Result<()> {
        let Some(previous) = self.previous.take() else {
            if self.target.is_dir() {
                // Empty (see `create`): out of the way of the rename.
                fs::remove_dir(&self.target)
                    .with_context(|| format!("xóa thư mục rỗng {}", self.target.display()))?;
            }
            fs::rename(&self.dir, &self.target)
                .with_context(|| format!("đưa bản dựng mới vào {}", self.target.display()))?;
            self.committed = true;
            return Ok(());
        };
        // Stale entries first: that also clears anything (a symlink, a file where a folder
        // now goes) that could misdirect the moves below.
        previous.remove_stale(&self.expected)?;
        let changed = std::mem::take(self.changed.get_mut().unwrap_or_else(|e| e.into_inner()));
        changed.par_iter().try_for_each(|rel| {
            let to = safe_join(&self.target, rel)?;
            create_parent(&to)?;
            fs::rename(safe_join(&self.dir, rel)?, &to)
                .with_context(|| format!("đưa {} vào chỗ", to.display()))
        })?;
        self.committed = true;
        fs::remove_dir_all(&self.dir).with_context(|| format!("xóa {}", self.dir.display()))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Creates, under `base`, the folders that the files `rels` go into, each once and in
/// parallel.
pub fn create_folders<'r>(base: &Path, rels: impl Iterator<Item = &'r str>) -> anyhow::Result<()> {
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
        let path = safe_join(base, dir)?;
        fs::create_dir_all(&path).with_context(|| format!("tạo thư mục {}", path.display()))
    })
}

/// Creates the folder `path` goes into; returns it.
fn create_parent(path: &Path) -> anyhow::Result<&Path> {
    let parent = path.parent().context("đường dẫn không có thư mục cha")?;
    fs::create_dir_all(parent).with_context(|| format!("tạo thư mục {}", parent.display()))?;
    Ok(parent)
}

/// Whether `path` is a regular file holding exactly `bytes`. Never follows a final symlink
/// nor blocks on a FIFO someone left in the output.
fn file_equals(path: &Path, bytes: &[u8]) -> bool {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    if !fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let Ok(mut file) = options.open(path) else {
        return false;
    };
    let same_size = file
        .metadata()
        .is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64);
    if !same_size {
        return false;
    }
    // `read_exact` with the known size: `read_to_end` would ask for the size again (two
    // more system calls per page, 120,000 on a 50,000-item site).
    let mut old = vec![0; bytes.len()];
    file.read_exact(&mut old).is_ok() && old == bytes
}

/// Every folder that holds an expected file, at any depth (`a`, `a/b` for `a/b/c.html`).
fn needed_folders(expected: &FxHashSet<String>) -> FxHashSet<&str> {
    let mut needed = FxHashSet::default();
    for rel in expected {
        let mut rest = rel.as_str();
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
    /// Output path (`tin-bai/2018/a/index.html`); lossy for a name that is not UTF-8, which
    /// is no file of ours and so is removed.
    rel: String,
    path: PathBuf,
    kind: EntryKind,
}

/// What the previous output holds, listed once, without following symlinks.
struct Previous {
    /// Every entry, each folder directly followed by its contents.
    entries: Vec<Entry>,
    /// The regular files among them, reached through real folders only: the only ones a
    /// build compares its pages with (never a file behind a symlink).
    files: FxHashSet<String>,
}

impl Previous {
    fn list(root: &Path) -> anyhow::Result<Previous> {
        let entries = list_tree(root, "")?;
        let files = entries
            .iter()
            .filter(|e| e.kind == EntryKind::File)
            .map(|e| e.rel.clone())
            .collect();
        Ok(Previous { entries, files })
    }

    /// Removes every entry that is neither an expected file nor a folder holding one.
    fn remove_stale(&self, expected: &FxHashSet<String>) -> anyhow::Result<()> {
        let needed = needed_folders(expected);
        let mut stale: Vec<&Entry> = Vec::new();
        // The last folder marked for removal: its contents follow it and go with it.
        let mut removed_folder: Option<&str> = None;
        for entry in &self.entries {
            if let Some(folder) = removed_folder {
                let inside = entry
                    .rel
                    .strip_prefix(folder)
                    .is_some_and(|rest| rest.starts_with('/'));
                if inside {
                    continue;
                }
                removed_folder = None;
            }
            let keep = match entry.kind {
                EntryKind::File => expected.contains(&entry.rel),
                EntryKind::Folder => needed.contains(entry.rel.as_str()),
                EntryKind::Other => false,
            };
            if !keep {
                if entry.kind == EntryKind::Folder {
                    removed_folder = Some(&entry.rel);
                }
                stale.push(entry);
            }
        }
        stale.par_iter().try_for_each(|entry| {
            match entry.kind {
                EntryKind::Folder => remove_tree(&entry.path),
                _ => fs::remove_file(&entry.path),
            }
            .with_context(|| format!("xóa {}", entry.path.display()))
        })
    }
}

/// The entries under `root/prefix`, each folder followed by its contents; folders are read
/// in parallel (a 10,000-page output has 10,000 of them).
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
                list.push(Entry { rel, path, kind });
                list.extend(contents);
            } else {
                list.push(Entry { rel, path, kind });
            }
            Ok(list)
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(lists.into_iter().flatten().collect())
}

/// `remove_dir_all` with the entries of the top two levels removed in parallel.
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

        let mut failed = Staging::create(&target).unwrap();
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

        let mut ok = Staging::create(&target).unwrap();
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
            let mut again = Staging::create(&target).unwrap();
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

    #[cfg(unix)]
    #[test]
    fn an_update_replaces_wrong_kinds_and_never_follows_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let outside = dir.path().join("outside");
        fs::create_dir_all(target.join("was-folder/deep")).unwrap();
        fs::create_dir_all(&outside).unwrap();
        fs::write(target.join("index.html"), "home").unwrap();
        fs::write(target.join("was-folder/deep/x.html"), "x").unwrap();
        fs::write(target.join("was-file"), "f").unwrap();
        fs::write(outside.join("index.html"), "same").unwrap();
        std::os::unix::fs::symlink(&outside, target.join("linked")).unwrap();

        let files = [
            "index.html",
            "was-folder",
            "was-file/index.html",
            "linked/index.html",
        ];
        let mut staging = Staging::create(&target).unwrap();
        staging.prepare(files.into_iter()).unwrap();
        for rel in files {
            staging.write(rel, b"same").unwrap();
        }
        staging.commit().unwrap();

        for rel in files {
            assert_eq!(fs::read(target.join(rel)).unwrap(), b"same", "{rel}");
        }
        assert!(
            !target.join("linked").is_symlink(),
            "the symlink is replaced"
        );
        assert_eq!(fs::read(outside.join("index.html")).unwrap(), b"same");
        assert_eq!(
            fs::read_dir(&outside).unwrap().count(),
            1,
            "nothing written outside"
        );
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            2,
            "staging folder removed"
        );
    }

    #[test]
    fn an_empty_target_folder_takes_a_first_build() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        fs::create_dir_all(&target).unwrap();
        let mut staging = Staging::create(&target).unwrap();
        assert!(staging.previous.is_none(), "nothing to compare with");
        staging.prepare(["a/index.html"].into_iter()).unwrap();
        staging.write("a/index.html", b"a").unwrap();
        staging.commit().unwrap();
        assert_eq!(fs::read(target.join("a/index.html")).unwrap(), b"a");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_update_leaves_stale_files_too() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        fs::create_dir_all(target.join("old")).unwrap();
        fs::write(target.join("index.html"), "home").unwrap();
        fs::write(target.join("old/index.html"), "old").unwrap();
        let mut staging = Staging::create(&target).unwrap();
        staging.prepare(["index.html"].into_iter()).unwrap();
        staging.write("index.html", b"new home").unwrap();
        drop(staging);
        assert_eq!(fs::read(target.join("index.html")).unwrap(), b"home");
        assert_eq!(fs::read(target.join("old/index.html")).unwrap(), b"old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
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
