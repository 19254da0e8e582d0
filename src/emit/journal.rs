//! The record of what datto wrote into an output folder (the manifest), the journal that
//! makes a swap finishable after a kill, and the lock that keeps two commands apart.
//!
//! A swap is decided when its journal, listing every file to remove and every staged file
//! to move in, is renamed into the staging folder. Before that moment nothing in the output
//! has changed and the staging folder is an orphan that the next command removes; after it,
//! the next command (or the rest of this one) finishes the swap from the journal. Every step
//! of finishing is idempotent, so a kill during recovery is recovered again.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::safe_join;

/// Inside the output: every file datto wrote there (itself excluded), sorted.
pub const MANIFEST: &str = ".datto-output.json";
/// Inside a staging folder: the decided swap.
pub const JOURNAL: &str = ".datto-journal.json";
/// Bumped if the manifest's shape changes.
const FORMAT: u32 = 1;

#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub datto_output: u32,
    pub files: Vec<String>,
}

impl Manifest {
    pub fn new(mut files: Vec<String>) -> Manifest {
        files.sort_unstable();
        files.dedup();
        Manifest {
            datto_output: FORMAT,
            files,
        }
    }

    /// The manifest of `output`; `None` when there is none (or it is not one of ours).
    pub fn read(output: &Path) -> Option<Manifest> {
        let bytes = fs::read(output.join(MANIFEST)).ok()?;
        serde_json::from_slice::<Manifest>(&bytes)
            .ok()
            .filter(|m| m.datto_output == FORMAT)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        // One file per line: a diff between two builds reads as a list of files.
        let mut text = format!("{{\"datto_output\": {FORMAT}, \"files\": [\n");
        for (i, file) in self.files.iter().enumerate() {
            let sep = if i + 1 == self.files.len() { "" } else { "," };
            let quoted = serde_json::to_string(file).unwrap_or_else(|_| "\"\"".into());
            text.push_str(&format!("  {quoted}{sep}\n"));
        }
        text.push_str("]}\n");
        text.into_bytes()
    }
}

/// A decided swap. `whole`: the staging folder becomes the output (first build).
#[derive(Debug, Serialize, Deserialize, Default)]
pub struct Journal {
    pub whole: bool,
    /// Files of the previous output that the new build no longer has.
    pub remove: Vec<String>,
    /// Staged files to move to the same path in the output.
    pub moves: Vec<String>,
}

/// `.public.datto-new-` for an output named `public`: the prefix of its staging folders.
pub fn staging_prefix(name: &str) -> String {
    format!(".{name}.datto-new-")
}

impl Journal {
    /// Writes the journal into `staging` (temp file + rename): from here on, the swap is
    /// finished by whoever runs next.
    pub fn decide(&self, staging: &Path) -> anyhow::Result<()> {
        let bytes = serde_json::to_vec(self).context("ghi nhật ký đổi bản dựng")?;
        let temp = staging.join(".datto-journal.tmp");
        fs::write(&temp, bytes).with_context(|| format!("ghi {}", temp.display()))?;
        fs::rename(&temp, staging.join(JOURNAL))
            .with_context(|| format!("ghi nhật ký trong {}", staging.display()))
    }

    fn read(staging: &Path) -> Option<Journal> {
        let bytes = fs::read(staging.join(JOURNAL)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Carries the swap out; safe to run again after it was interrupted at any point.
    pub fn apply(&self, staging: &Path, target: &Path) -> anyhow::Result<()> {
        if self.whole {
            let target_is_empty_dir =
                fs::read_dir(target).is_ok_and(|mut entries| entries.next().is_none());
            if target_is_empty_dir {
                fs::remove_dir(target).with_context(|| format!("xóa {}", target.display()))?;
            }
            if fs::symlink_metadata(target).is_err() {
                fs::rename(staging, target)
                    .with_context(|| format!("đưa bản dựng mới vào {}", target.display()))?;
            } else if staging.exists() {
                // Something appeared at the target meanwhile: never replaced, never merged.
                anyhow::bail!(
                    "{} vừa có nội dung khác; bản dựng mới để lại ở {}",
                    target.display(),
                    staging.display()
                );
            }
            // The journal came along; killed before this, the next build removes it.
            let _ = fs::remove_file(target.join(JOURNAL));
            return Ok(());
        }
        // Removals first: a file may stand where a folder now goes, and the reverse.
        self.remove.par_iter().try_for_each(|rel| {
            let path = safe_join(target, rel)?;
            match fs::symlink_metadata(&path) {
                Ok(meta) if !meta.is_dir() => match fs::remove_file(&path) {
                    Ok(()) => {}
                    Err(e) if e.kind() == ErrorKind::NotFound => {}
                    Err(e) => return Err(e).with_context(|| format!("xóa {}", path.display())),
                },
                // Gone already, or a folder the new build put there (an earlier attempt).
                _ => {}
            }
            prune_empty_parents(target, &path);
            Ok(())
        })?;
        self.moves.par_iter().try_for_each(|rel| {
            let from = safe_join(staging, rel)?;
            if fs::symlink_metadata(&from).is_err() {
                return Ok(()); // moved by an earlier attempt
            }
            let to = safe_join(target, rel)?;
            super::create_parent(&to)?;
            fs::rename(&from, &to).with_context(|| format!("đưa {} vào chỗ", to.display()))
        })
    }
}

/// Removes the folders that `removed` leaves empty, up to (not including) `target`.
/// A folder still holding something stays; concurrent callers race harmlessly.
fn prune_empty_parents(target: &Path, removed: &Path) {
    let mut dir = removed.parent();
    while let Some(d) = dir.filter(|d| *d != target && d.starts_with(target)) {
        if fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// Finishes every decided swap beside `target` and removes the orphan staging folders of
/// interrupted builds. The caller holds the lock.
pub fn recover(target: &Path) -> anyhow::Result<usize> {
    let (parent, name) = super::parent_and_name(target)?;
    let prefix = staging_prefix(&name);
    let Ok(entries) = fs::read_dir(&parent) else {
        return Ok(0);
    };
    let mut staging: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    staging.sort();
    let mut recovered = 0;
    for dir in staging {
        if let Some(journal) = Journal::read(&dir) {
            journal.apply(&dir, target)?;
            recovered += 1;
        }
        if dir.exists() {
            fs::remove_dir_all(&dir).with_context(|| format!("xóa {}", dir.display()))?;
        }
    }
    Ok(recovered)
}

/// An exclusive lock on the folder holding an output, held while a command writes or
/// recovers it; released when dropped or when the process dies (`kill -9` included). The
/// folder itself is locked (`flock` on its descriptor), so no lock file is left behind.
pub struct Lock {
    /// The lock lives as long as the open descriptor.
    _dir: fs::File,
}

impl Lock {
    /// `None` when another datto holds it.
    pub fn try_acquire(target: &Path) -> anyhow::Result<Option<Lock>> {
        let (parent, _) = super::parent_and_name(target)?;
        fs::create_dir_all(&parent).with_context(|| format!("tạo thư mục {}", parent.display()))?;
        let dir = fs::File::open(&parent).with_context(|| format!("mở {}", parent.display()))?;
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: flock on a descriptor we own; no memory is involved.
            let locked = unsafe { libc::flock(dir.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if locked != 0 {
                return Ok(None);
            }
        }
        Ok(Some(Lock { _dir: dir }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = Manifest::new(vec!["b".into(), "a/\"q\".html".into(), "b".into()]);
        fs::write(dir.path().join(MANIFEST), manifest.to_bytes()).unwrap();
        assert_eq!(Manifest::read(dir.path()), Some(manifest));
    }

    #[test]
    fn a_journal_applied_twice_gives_the_same_output() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let staging = dir.path().join(".public.datto-new-1");
        for (rel, text) in [("old/index.html", "old"), ("a", "file"), ("keep.html", "k")] {
            let path = target.join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        fs::create_dir_all(staging.join("a")).unwrap();
        fs::write(staging.join("a/index.html"), "new").unwrap();
        let journal = Journal {
            whole: false,
            remove: vec!["old/index.html".into(), "a".into()],
            moves: vec!["a/index.html".into()],
        };
        journal.decide(&staging).unwrap();
        journal.apply(&staging, &target).unwrap();
        journal.apply(&staging, &target).unwrap();
        assert_eq!(
            fs::read_to_string(target.join("a/index.html")).unwrap(),
            "new"
        );
        assert!(!target.join("old").exists(), "emptied folder pruned");
        assert_eq!(fs::read_to_string(target.join("keep.html")).unwrap(), "k");
        assert_eq!(recover(&target).unwrap(), 1);
        assert!(!staging.exists());
    }
}
