//! The derived-image cache: `<site>/.datto-cache/anh/`, outside `content/` and the output.
//!
//! A file is named by the BLAKE3 hash of the source bytes, the pipeline [`VERSION`] and the
//! size (`<hash>-v1-960x720.webp`), so the same photo under another name or in another
//! bundle is encoded once, and an edited photo gets new files. Files are written to a
//! temporary name and renamed: two builds at once each find either nothing or a whole file.
//! `sources.json` remembers the hash of each source by size and modification time, so
//! that an unchanged photo is not even read.
//!
//! Two builds may run at once on one site (`build` and `build --drafts`, or `build` while
//! `serve` runs) with different photos. Pruning must not remove what the other has just
//! found or made and not yet copied: see [`Lease`].

use std::fs::File;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::UNIX_EPOCH;

use anyhow::Context as _;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use super::{Kind, Picture, Produced, VERSION, process};
use crate::base::diagnostics::{Diagnostic, Diagnostics, Error};

/// The cache folder, relative to the site root (gitignored by `datto new`'s sites and here).
pub const DIR: &str = ".datto-cache/anh";
const INDEX: &str = "sources.json";
/// The file builds lock (see [`Lease`]); never pruned (not an entry name).
const LOCK: &str = "lock";

/// A build's hold on the cache, from its first look at the entries until it has copied
/// them into its output: a shared lock on [`LOCK`]. Pruning takes the lock exclusive and
/// without waiting, and skips when it cannot (another build will prune later), so no entry
/// disappears under a build that uses it.
///
/// Why a lock and not "prune only entries unused for an hour": age cannot tell a slow build
/// from a finished one, and a lock costs one `open` and one `flock` per build. The OS
/// releases it when a process dies, so a killed build never leaves the cache unprunable.
/// On a file system without locks nothing is pruned (the safe side).
pub struct Lease {
    _file: Option<File>,
}

impl Lease {
    /// Waits for a pruning in progress (a few `unlink`s) to end.
    fn take(dir: &Path) -> Lease {
        let file = open_lock(dir).filter(|f| fs4::FileExt::lock_shared(f).is_ok());
        Lease { _file: file }
    }
}

fn open_lock(dir: &Path) -> Option<File> {
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK))
        .ok()
}

/// The derived files of one build, in the cache, held there by a [`Lease`] until dropped
/// or given to [`Cache::prune`].
pub struct Ready {
    files: Vec<Produced>,
    _lease: Option<Lease>,
}

impl Deref for Ready {
    type Target = [Produced];
    fn deref(&self) -> &[Produced] {
        &self.files
    }
}

/// Photos decoded at once: each holds up to ~60 MB (12 megapixels decoded, plus the file).
/// Whether derived files are made ([`Cache::produce`]) or the photos only checked
/// ([`Cache::verify`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Write,
    Verify,
}

fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Known {
    len: u64,
    modified_ns: u128,
    hash: String,
}

/// Source hashes by absolute path, kept for the whole process (`serve` asks every rebuild).
fn memo() -> &'static Mutex<FxHashMap<PathBuf, Known>> {
    static MEMO: OnceLock<Mutex<FxHashMap<PathBuf, Known>>> = OnceLock::new();
    MEMO.get_or_init(Default::default)
}

fn stamp(path: &Path) -> Option<(u64, u128)> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
    Some((meta.len(), modified.as_nanos()))
}

pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub fn new(root: &Path) -> Cache {
        Cache {
            dir: root.join(DIR),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn entry(&self, hash: &str, kind: Kind, width: u32, height: u32) -> PathBuf {
        let name = match kind {
            Kind::WebP(_) => format!("{hash}-v{VERSION}-{width}x{height}.webp"),
            Kind::Jpeg(_) => format!("{hash}-v{VERSION}-{width}x{height}.jpg"),
            Kind::Og => format!("{hash}-v{VERSION}-og-{width}x{height}.jpg"),
        };
        self.dir.join(name)
    }

    fn load_index(&self) {
        let Ok(text) = std::fs::read_to_string(self.dir.join(INDEX)) else {
            return;
        };
        // A damaged index only costs reading the photos again.
        let Ok(entries) = serde_json::from_str::<Vec<(PathBuf, Known)>>(&text) else {
            return;
        };
        let mut memo = memo().lock().unwrap_or_else(|e| e.into_inner());
        for (path, known) in entries {
            memo.entry(path).or_insert(known);
        }
    }

    fn save_index(&self, sources: &FxHashSet<&Path>) -> anyhow::Result<()> {
        let memo = memo().lock().unwrap_or_else(|e| e.into_inner());
        let mut entries: Vec<(&PathBuf, &Known)> = memo
            .iter()
            .filter(|(path, _)| sources.contains(path.as_path()))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(b.0));
        let text = serde_json::to_string(&entries)?;
        drop(memo);
        let path = self.dir.join(INDEX);
        // Unchanged, it is not written again (a build with nothing new writes nothing).
        if std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
            return Ok(());
        }
        write_new(&path, text.as_bytes())
    }

    /// The hash of a source, from the memo if its size and time did not change.
    fn known_hash(&self, source: &Path) -> Option<String> {
        let (len, modified_ns) = stamp(source)?;
        let memo = memo().lock().unwrap_or_else(|e| e.into_inner());
        memo.get(source)
            .filter(|k| k.len == len && k.modified_ns == modified_ns)
            .map(|k| k.hash.clone())
    }

    /// Every derived file of `pictures`, made if missing (see [`super::produce`]). Keep the
    /// result until the files are copied: while it lives, nothing is pruned.
    pub fn produce(&self, pictures: &[Arc<Picture>]) -> Result<Ready, Error> {
        if pictures.is_empty() {
            return Ok(Ready {
                files: Vec::new(),
                _lease: None,
            });
        }
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("tạo thư mục {}", self.dir.display()))?;
        let lease = Lease::take(&self.dir);
        self.load_index();
        let files = self.each(pictures, Mode::Write)?;
        let sources: FxHashSet<&Path> = pictures.iter().map(|p| p.source.as_path()).collect();
        self.save_index(&sources)?;
        Ok(Ready {
            files,
            _lease: Some(lease),
        })
    }

    /// What `check` does instead of [`Cache::produce`]: every photo not already in the cache
    /// is decoded in full (a truncated or corrupt file is found as `build` would find it),
    /// and nothing is written.
    pub fn verify(&self, pictures: &[Arc<Picture>]) -> Result<(), Error> {
        if pictures.is_empty() {
            return Ok(());
        }
        self.load_index();
        self.each(pictures, Mode::Verify).map(drop)
    }

    fn each(&self, pictures: &[Arc<Picture>], mode: Mode) -> Result<Vec<Produced>, Error> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(workers())
            .thread_name(|i| format!("datto-anh-{i}"))
            .build()
            .context("tạo luồng xử lý ảnh")?;
        let results: Vec<Result<Vec<Produced>, Error>> =
            pool.install(|| pictures.par_iter().map(|p| self.one(p, mode)).collect());
        let mut produced = Vec::new();
        let mut problems = Diagnostics::new();
        for result in results {
            match result {
                Ok(files) => produced.extend(files),
                Err(Error::Content(list)) => problems.extend(list),
                Err(internal) => return Err(internal),
            }
        }
        problems.into_result(produced)
    }

    fn files_for<'p>(
        &self,
        hash: &str,
        picture: &'p Picture,
    ) -> Vec<(PathBuf, &'p super::Derivative)> {
        picture
            .derivatives
            .iter()
            .map(|d| (self.entry(hash, d.kind, d.width, d.height), d))
            .collect()
    }

    fn one(&self, picture: &Picture, mode: Mode) -> Result<Vec<Produced>, Error> {
        let produced = |files: &[(PathBuf, &super::Derivative)]| {
            files
                .iter()
                .map(|(from, d)| Produced {
                    from: from.clone(),
                    to: d.rel.clone(),
                })
                .collect()
        };
        if let Some(hash) = self.known_hash(&picture.source) {
            let files = self.files_for(&hash, picture);
            if files.iter().all(|(path, _)| path.is_file()) {
                return Ok(produced(&files));
            }
        }
        let stamp_before = stamp(&picture.source);
        let bytes = std::fs::read(&picture.source)
            .with_context(|| format!("đọc {}", picture.source.display()))?;
        let hash = blake3::hash(&bytes).to_hex()[..32].to_string();
        if let Some((len, modified_ns)) = stamp_before {
            let mut memo = memo().lock().unwrap_or_else(|e| e.into_inner());
            memo.insert(
                picture.source.clone(),
                Known {
                    len,
                    modified_ns,
                    hash: hash.clone(),
                },
            );
        }
        let files = self.files_for(&hash, picture);
        let missing: Vec<&(PathBuf, &super::Derivative)> =
            files.iter().filter(|(path, _)| !path.is_file()).collect();
        if missing.is_empty() {
            return Ok(produced(&files));
        }
        let decoded =
            process::decode(&bytes).map_err(|problem| Error::from(problem.at(&picture.shown)))?;
        // The file may have changed since it was planned: the header decides the sizes.
        let (raster, orientation) = (&decoded.raster, decoded.orientation);
        if (raster.width, raster.height) != (picture.header.width, picture.header.height)
            || orientation != picture.header.orientation
        {
            return Err(Error::from(
                Diagnostic::new(&picture.shown, 1, "ảnh vừa thay đổi trong lúc dựng trang")
                    .with_hint("chạy lại lệnh"),
            ));
        }
        drop(bytes);
        if mode == Mode::Verify {
            return Ok(Vec::new());
        }
        let kinds: Vec<Kind> = missing.iter().map(|(_, d)| d.kind).collect();
        let encoded = process::derive(decoded, picture, &kinds)?;
        for ((path, _), bytes) in missing.iter().zip(encoded) {
            write_new(path, &bytes)?;
        }
        Ok(produced(&files))
    }

    /// Removes the cached files that `done` (this build's files, already copied) does not
    /// use: only files with the cache's own names (`<32 hex>-v…`), never anything else.
    /// `None` when another build holds the cache (see [`Lease`]): nothing is removed then.
    pub fn prune(&self, done: Ready) -> anyhow::Result<Option<usize>> {
        let used: FxHashSet<PathBuf> = done.files.into_iter().map(|p| p.from).collect();
        // This build's own shared lock goes first, or the exclusive one would never be had.
        drop(done._lease);
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Ok(Some(0));
        };
        let Some(lock) = open_lock(&self.dir) else {
            return Ok(None);
        };
        // Held until the end of the function; released when `lock` is closed.
        if fs4::FileExt::try_lock(&lock).is_err() {
            return Ok(None);
        }
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if is_entry_name(&name) && !used.contains(&path) {
                std::fs::remove_file(&path).with_context(|| format!("xóa {}", path.display()))?;
                removed += 1;
            } else if is_stale_temp(&name, &entry) {
                std::fs::remove_file(&path).ok();
            }
        }
        Ok(Some(removed))
    }
}

fn is_entry_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() > 36
        && bytes[..32].iter().all(u8::is_ascii_hexdigit)
        && name[32..].starts_with("-v")
        && (name.ends_with(".webp") || name.ends_with(".jpg"))
}

/// A temporary file left by a build that was killed (an hour old: not one being written).
fn is_stale_temp(name: &str, entry: &std::fs::DirEntry) -> bool {
    name.starts_with(".tmp-")
        && entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600)
}

/// Writes `bytes` at `path` through a temporary file unique to this process and call.
fn write_new(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path.parent().context("đường dẫn không có thư mục")?;
    let temp = dir.join(format!(
        ".tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::write(&temp, bytes).with_context(|| format!("ghi {}", temp.display()))?;
    std::fs::rename(&temp, path).with_context(|| format!("đổi tên thành {}", path.display()))
}
