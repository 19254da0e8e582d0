//! Writing the output folder. A build never touches the previous output before everything
//! has rendered without error: a failed build leaves it byte-for-byte as it was.
//!
//! - The output is datto's alone: its manifest ([`MANIFEST`]) lists every file datto wrote
//!   there, and an output holding anything else (a staff member's `report.docx`) is refused,
//!   as is an output inside `content/` or `themes/` or holding the site ([`check_location`]).
//! - First build (no output yet): every file goes into a fresh staging folder beside the
//!   target, which is renamed into place at the end.
//! - Later builds: each rendered page is compared with the file already there. Only new or
//!   changed files go into the staging folder; an unchanged page is not written at all (it
//!   keeps its modification time, and a 10,000-page rebuild costs reads, not 12,000 new
//!   files and folders).
//! - The ledger (see `ledger`) remembers what each file was made from: a page whose
//!   signature is the same as last time, in a file still as datto left it, is neither
//!   rendered nor read again ([`Staging::reuse`]).
//! - The swap is decided by a journal written into the staging folder (see `journal`): the
//!   files to remove (listed in the old manifest, not produced any more) and the files to
//!   move in. A kill before it leaves an orphan staging folder that the next command removes;
//!   a kill after it leaves a swap that the next command finishes before anything else. So
//!   at rest the output is the previous build or the new one, never a mix. (A web server
//!   reading the folder during the swap itself can see both; see the README for why.)
//! - A lock on the folder holding the output keeps two commands from writing it at once.
//!
//! Every path goes through [`safe_join`].

use rustc_hash::FxHashSet;
use std::fs;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context as _, bail};
use rayon::prelude::*;

use crate::base::diagnostics::Error;
use crate::base::stamp::Stamp;

mod guard;
mod journal;
mod ledger;

use guard::Previous;
pub use guard::check_location;
pub use journal::MANIFEST;
use journal::{Journal, Lock, Manifest};
use ledger::{Ledger, Record};

/// A key that is never reused ([`Staging::reuse`]): for a file made from something that
/// changed too recently to be trusted by its stamp.
pub const UNTRUSTED: u64 = 0;

/// `base/rel` when `rel` is a clean relative path; an error for anything that could
/// escape `base` (`..`, absolute paths, backslashes, drive prefixes).
pub fn safe_join(base: &Path, rel: &str) -> anyhow::Result<PathBuf> {
    let is_clean = crate::base::paths::clean_relative(rel).as_deref() == Some(rel)
        && !rel.ends_with('/')
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
    if !is_clean {
        bail!("đường dẫn ra không an toàn: `{rel}`");
    }
    Ok(base.join(rel))
}

/// The name of what a cache keeps about the output folder `output` (absolute): one file
/// per output folder, `<16 hex digits>.json`.
pub fn cache_name(output: &Path) -> String {
    let digest = blake3::hash(output.as_os_str().as_encoded_bytes()).to_hex();
    format!("{}.json", &digest[..16])
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
    /// What the previous build wrote (see `ledger`); empty without a cache folder.
    ledger: Option<Ledger>,
    /// This build's entries for the next one.
    records: Mutex<Vec<(String, Record)>>,
    committed: bool,
    _lock: Lock,
}

impl Staging {
    /// Takes the output's lock, finishes a swap an earlier command left decided, removes
    /// orphan staging folders, and refuses an output holding anything datto did not write.
    /// With `cache` (the site's cache folder), the ledger there is read and, on commit,
    /// written (see `ledger`).
    pub fn create(target: &Path, cache: Option<&Path>) -> Result<Staging, Error> {
        let (parent, name) = parent_and_name(target)?;
        let lock = Lock::try_acquire(target)?.ok_or_else(|| busy(target))?;
        journal::recover(target)?;
        let previous = guard::previous_output(target)?;
        let dir = parent.join(format!(
            "{}{}",
            journal::staging_prefix(&name),
            std::process::id()
        ));
        fs::create_dir_all(&dir)
            .with_context(|| format!("tạo {}", dir.display()))
            .map_err(Error::Internal)?;
        Ok(Staging {
            previous,
            target: target.to_path_buf(),
            dir,
            expected: FxHashSet::default(),
            changed: Mutex::new(Vec::new()),
            ledger: cache.map(|cache| Ledger::load(cache, target)),
            records: Mutex::new(Vec::new()),
            committed: false,
            _lock: lock,
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
        if self.expected.contains(MANIFEST) {
            bail!("đường dẫn ra `{MANIFEST}` dành cho datto");
        }
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

    /// Whether the previous build's `rel` can stay as it is: the ledger has it made from
    /// `key`, and the file is still as datto left it. Then it is kept without a look at
    /// its bytes (and the caller need not make them).
    pub fn reuse(&self, rel: &str, key: u64) -> bool {
        let (Some(previous), Some(ledger)) = (&self.previous, &self.ledger) else {
            return false;
        };
        if key == UNTRUSTED || !previous.files.contains(rel) {
            return false;
        }
        let Some(record) = ledger.files.get(rel).filter(|r| r.key == key) else {
            return false;
        };
        let still = safe_join(&self.target, rel)
            .ok()
            .and_then(|path| Stamp::of_file(&path));
        if still != Some(record.stamp) {
            return false;
        }
        self.record(rel, *record);
        true
    }

    /// Whether [`Staging::reuse`] can ever say yes in this build (an output to update and a
    /// ledger about it): else there is no point making keys before the bytes.
    pub fn can_reuse(&self) -> bool {
        self.previous.is_some() && self.ledger.as_ref().is_some_and(|l| !l.files.is_empty())
    }

    /// The generation of the previous build (see `ledger`) when the output is exactly what
    /// it wrote: the same files, each as datto left it. A caller that knows the same build
    /// would follow can then skip it.
    pub fn as_recorded(&self) -> Option<u64> {
        let (previous, ledger) = (self.previous.as_ref()?, self.ledger.as_ref()?);
        if ledger.generation == 0 || previous.files.len() != ledger.files.len() {
            return None;
        }
        let same = previous.files.par_iter().all(|rel| {
            let still = safe_join(&self.target, rel)
                .ok()
                .and_then(|path| Stamp::of_file(&path));
            still.is_some() && ledger.files.get(rel).map(|r| r.stamp) == still
        });
        same.then_some(ledger.generation)
    }

    /// Writes one file of the build (unless the previous output already has these bytes),
    /// remembered by the hash of its bytes.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> anyhow::Result<()> {
        self.write_keyed(rel, bytes_key(bytes), bytes)
    }

    /// Writes one file made from `key` (a page's signature): kept as it is when the ledger
    /// says the previous build made it from the same key, else compared with the previous
    /// output's file and written only when different.
    pub fn write_keyed(&self, rel: &str, key: u64, bytes: &[u8]) -> anyhow::Result<()> {
        if self.reuse(rel, key) {
            return Ok(());
        }
        let path = safe_join(&self.dir, rel)?;
        if let Some(previous) = &self.previous {
            if previous.files.contains(rel)
                && let Some(stamp) = file_equals(&safe_join(&self.target, rel)?, bytes)
            {
                self.record(rel, Record { stamp, key });
                return Ok(());
            }
            create_parent(&path)?;
        }
        let stamp = write_new(&path, bytes)?;
        self.note_changed(rel);
        self.record(rel, Record { stamp, key });
        Ok(())
    }

    /// Copies a file into the build (unless the previous output already has the same bytes).
    pub fn copy(&self, rel: &str, from: &Path) -> anyhow::Result<()> {
        let key = source_key(from);
        if self.reuse(rel, key) {
            return Ok(());
        }
        if self.previous.is_some() {
            let bytes = fs::read(from).with_context(|| format!("đọc {}", from.display()))?;
            return self.write_keyed(rel, key, &bytes);
        }
        let path = safe_join(&self.dir, rel)?;
        fs::copy(from, &path)
            .with_context(|| format!("chép {} sang {}", from.display(), path.display()))?;
        if let Some(stamp) = Stamp::of_file(&path) {
            self.record(rel, Record { stamp, key });
        }
        Ok(())
    }

    fn record(&self, rel: &str, record: Record) {
        if self.ledger.is_some() {
            // A poisoned lock only means another writer panicked; the list is still sound.
            let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
            records.push((rel.to_string(), record));
        }
    }

    fn note_changed(&self, rel: &str) {
        if self.previous.is_some() {
            // A poisoned lock only means another writer panicked; the list is still sound.
            let mut changed = self.changed.lock().unwrap_or_else(|e| e.into_inner());
            changed.push(rel.to_string());
        }
    }

    /// Puts the build in place: writes the manifest, decides the swap (the journal), then
    /// carries it out. Killed after the journal is written, the next command finishes it.
    /// Then saves the ledger; returns its generation (0 when there is none).
    pub fn commit(mut self) -> anyhow::Result<u64> {
        let manifest = Manifest::new(self.expected.iter().cloned().collect()).to_bytes();
        let previous = self.previous.take();
        let journal = match previous {
            None => {
                fs::write(self.dir.join(MANIFEST), &manifest)
                    .with_context(|| format!("ghi {}", self.dir.display()))?;
                Journal {
                    whole: true,
                    ..Journal::default()
                }
            }
            Some(previous) => {
                let mut moves =
                    std::mem::take(self.changed.get_mut().unwrap_or_else(|e| e.into_inner()));
                if file_equals(&self.target.join(MANIFEST), &manifest).is_none() {
                    fs::write(self.dir.join(MANIFEST), &manifest)
                        .with_context(|| format!("ghi {}", self.dir.display()))?;
                    moves.push(MANIFEST.to_string());
                }
                let mut remove: Vec<String> = previous
                    .manifest
                    .into_iter()
                    .filter(|rel| !self.expected.contains(rel))
                    .collect();
                remove.sort_unstable();
                moves.sort_unstable();
                Journal {
                    whole: false,
                    remove,
                    moves,
                }
            }
        };
        journal.decide(&self.dir)?;
        // Decided: from here the staging folder is the only copy of the new files.
        self.committed = true;
        journal.apply(&self.dir, &self.target).with_context(|| {
            format!(
                "bản dựng mới chưa vào hết {}; lệnh datto kế tiếp sẽ hoàn tất",
                self.target.display()
            )
        })?;
        if self.dir.exists() {
            fs::remove_dir_all(&self.dir).with_context(|| format!("xóa {}", self.dir.display()))?;
        }
        let Some(ledger) = self.ledger.take() else {
            return Ok(0);
        };
        let records = std::mem::take(self.records.get_mut().unwrap_or_else(|e| e.into_inner()));
        Ok(ledger.save(records.into_iter().collect()))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn busy(target: &Path) -> Error {
    Error::Usage(format!(
        "một lệnh datto khác đang ghi vào {}; chờ lệnh đó xong rồi chạy lại",
        target.display()
    ))
}

/// What every datto command does first: finishes a swap that a killed build left decided
/// in the output `target` and removes orphan staging folders. Skipped (nothing to do, or
/// another datto is at work there) when no staging folder is present or the lock is held.
pub fn recover(target: &Path) -> Result<(), Error> {
    let Ok((parent, name)) = parent_and_name(target) else {
        return Ok(());
    };
    let prefix = journal::staging_prefix(&name);
    let any_staging = fs::read_dir(&parent).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.file_name().to_string_lossy().starts_with(&prefix))
    });
    if !any_staging {
        return Ok(());
    }
    let Some(_lock) = Lock::try_acquire(target)? else {
        return Ok(());
    };
    if journal::recover(target)? > 0 {
        eprintln!(
            "Đã hoàn tất lần dựng bị ngắt trước đó vào {}.",
            target.display()
        );
    }
    Ok(())
}

/// The folder holding `target` (`.` for a bare name) and `target`'s own name.
pub(crate) fn parent_and_name(target: &Path) -> anyhow::Result<(PathBuf, String)> {
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .context("thư mục ra không có tên")?
        .to_string_lossy()
        .into_owned();
    Ok((parent.to_path_buf(), name))
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
pub(crate) fn create_parent(path: &Path) -> anyhow::Result<&Path> {
    let parent = path.parent().context("đường dẫn không có thư mục cha")?;
    fs::create_dir_all(parent).with_context(|| format!("tạo thư mục {}", parent.display()))?;
    Ok(parent)
}

/// Writes a new file; its stamp, for the ledger.
fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<Stamp> {
    use std::io::Write as _;
    let mut file = fs::File::create(path).with_context(|| format!("ghi {}", path.display()))?;
    file.write_all(bytes)
        .with_context(|| format!("ghi {}", path.display()))?;
    let metadata = file
        .metadata()
        .with_context(|| format!("đọc {}", path.display()))?;
    Stamp::of(&metadata).with_context(|| format!("đọc thời điểm sửa {}", path.display()))
}

/// The key of a file known only by its bytes.
fn bytes_key(bytes: &[u8]) -> u64 {
    let digest = blake3::hash(bytes);
    let mut first = [0; 8];
    first.copy_from_slice(&digest.as_bytes()[..8]);
    u64::from_le_bytes(first).max(1)
}

/// The key of a copied file: its path and stamp, [`UNTRUSTED`] while it may still change
/// unseen (see `base::stamp`).
fn source_key(from: &Path) -> u64 {
    use std::hash::{Hash as _, Hasher as _};
    let Some(stamp) = fs::metadata(from).ok().as_ref().and_then(Stamp::of) else {
        return UNTRUSTED;
    };
    if !stamp.settled_at(std::time::SystemTime::now()) {
        return UNTRUSTED;
    }
    let mut hasher = rustc_hash::FxHasher::default();
    (from, stamp).hash(&mut hasher);
    hasher.finish().max(1)
}

/// The stamp of `path` when it is a regular file holding exactly `bytes`. Never follows a
/// final symlink nor blocks on a FIFO someone left in the output.
fn file_equals(path: &Path, bytes: &[u8]) -> Option<Stamp> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    #[cfg(not(unix))]
    if !fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let mut file = options.open(path).ok()?;
    let stamp = file
        .metadata()
        .ok()
        .filter(|m| m.is_file() && m.len() == bytes.len() as u64)
        .as_ref()
        .and_then(Stamp::of)?;
    // `read_exact` with the known size: `read_to_end` would ask for the size again (two
    // more system calls per page, 120,000 on a 50,000-item site).
    let mut old = vec![0; bytes.len()];
    (file.read_exact(&mut old).is_ok() && old == bytes).then_some(stamp)
}

#[cfg(test)]
mod tests;
