//! What `serve` serves, held in memory as Hugo's server does: the pages and search index of
//! the last good rebuild as bytes, static files and photos as the files they are read from.
//!
//! Why not a folder: on a 10,000-page site, writing the preview cost as much as a build
//! (22,000 files and 12,000 folders; file creation is the slow part of most file systems),
//! and every rebuild wrote through temporary files and renames. Here a rebuild swaps its
//! pages in under one lock, so a reader sees the previous rebuild or the next, never a mix.
//!
//! A file can be *pending*: planned by the last rebuild but not made yet (a photo being
//! processed, a page being rendered after the open ones). A request for it waits until it
//! is ready rather than being answered with an older version or a 404.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use rustc_hash::{FxHashMap, FxHashSet};
use tokio::sync::watch;

/// One served file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Made by the rebuild: a page, an index shard, a feed.
    Bytes(Arc<[u8]>),
    /// Read when asked for: a static file or a bundle asset under `content/` or the theme,
    /// a derived photo in the cache. Always under the site root (checked when served).
    File(PathBuf),
}

/// What a request finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(Entry),
    /// Being made: ask again after [`Store::changes`] moves.
    Pending,
    Missing,
}

#[derive(Default)]
struct Inner {
    files: FxHashMap<String, Entry>,
    pending: FxHashSet<String>,
}

/// The served files, shared by the rebuild thread (which writes) and the HTTP handlers.
pub struct Store {
    /// The site root: a [`Entry::File`] is served only if it resolves inside it or inside
    /// a folder [`Store::allow`]ed (the embedded theme, written out to the user's cache).
    root: PathBuf,
    allowed: RwLock<Vec<PathBuf>>,
    inner: RwLock<Inner>,
    /// Bumped whenever pending files become ready (or stop being expected).
    ready: watch::Sender<u64>,
}

/// Changes made under one write lock: readers see all of them or none.
pub struct Batch<'a> {
    store: &'a Store,
    inner: RwLockWriteGuard<'a, Inner>,
    settled: bool,
}

impl Store {
    pub fn new(root: &Path) -> Arc<Store> {
        Arc::new(Store {
            root: root.to_path_buf(),
            allowed: RwLock::default(),
            inner: RwLock::default(),
            ready: watch::Sender::new(0),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    // A panic while holding the lock leaves the map as the last batch left it, which is
    // still a consistent set of files: the poison is not a reason to stop serving.
    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn batch(&self) -> Batch<'_> {
        Batch {
            store: self,
            inner: self.inner.write().unwrap_or_else(|e| e.into_inner()),
            settled: false,
        }
    }

    pub fn lookup(&self, rel: &str) -> Lookup {
        let inner = self.read();
        match inner.files.get(rel) {
            _ if inner.pending.contains(rel) => Lookup::Pending,
            Some(entry) => Lookup::Found(entry.clone()),
            None => Lookup::Missing,
        }
    }

    /// Whether `rel` is a file (ready or pending).
    pub fn contains(&self, rel: &str) -> bool {
        let inner = self.read();
        inner.files.contains_key(rel) || inner.pending.contains(rel)
    }

    /// Moves when pending files become ready.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.ready.subscribe()
    }

    /// Every file ready now, sorted.
    pub fn files(&self) -> Vec<String> {
        let mut files: Vec<String> = self.read().files.keys().cloned().collect();
        files.sort();
        files
    }

    /// The bytes of a ready file (read from disk for a [`Entry::File`]).
    pub fn bytes(&self, rel: &str) -> Option<Vec<u8>> {
        match self.lookup(rel) {
            Lookup::Found(Entry::Bytes(bytes)) => Some(bytes.to_vec()),
            Lookup::Found(Entry::File(path)) => std::fs::read(self.inside_root(&path)?).ok(),
            Lookup::Pending | Lookup::Missing => None,
        }
    }

    /// Files under `dir` may be served too: the theme's folder when it is not in the site
    /// (the default theme embedded in the binary lives in the user's cache).
    pub fn allow(&self, dir: &Path) {
        let Ok(dir) = dir.canonicalize() else { return };
        let mut allowed = self.allowed.write().unwrap_or_else(|e| e.into_inner());
        if !allowed.contains(&dir) {
            allowed.push(dir);
        }
    }

    /// `path` resolved, if it is inside the site root (or an allowed folder): a static file
    /// replaced by a link to somewhere else after it was checked is not followed out.
    pub fn inside_root(&self, path: &Path) -> Option<PathBuf> {
        let resolved = path.canonicalize().ok()?;
        let root = self.root.canonicalize().ok()?;
        let allowed = self.allowed.read().unwrap_or_else(|e| e.into_inner());
        (resolved.starts_with(&root) || allowed.iter().any(|dir| resolved.starts_with(dir)))
            .then_some(resolved)
    }
}

impl Batch<'_> {
    /// The file at `rel` as this batch leaves it so far (pending or not).
    pub fn get(&self, rel: &str) -> Option<&Entry> {
        self.inner.files.get(rel)
    }

    pub fn put(&mut self, rel: String, entry: Entry) {
        self.inner.pending.remove(&rel);
        self.inner.files.insert(rel, entry);
        self.settled = true;
    }

    /// `rel` will be put by a later batch; until then requests for it wait.
    pub fn expect(&mut self, rel: String) {
        self.inner.pending.insert(rel);
    }

    /// `rel` will not come after all: requests stop waiting for it.
    pub fn unexpect(&mut self, rel: &str) {
        self.settled |= self.inner.pending.remove(rel);
    }

    pub fn remove(&mut self, rel: &str) -> bool {
        let was_pending = self.inner.pending.remove(rel);
        self.settled |= was_pending;
        self.inner.files.remove(rel).is_some() || was_pending
    }

    /// Whatever is still pending will not come (its rebuild failed): serve what is there.
    pub fn settle(&mut self) {
        self.settled |= !self.inner.pending.is_empty();
        self.inner.pending.clear();
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        if self.settled {
            self.store.ready.send_modify(|n| *n += 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(text: &str) -> Entry {
        Entry::Bytes(Arc::from(text.as_bytes()))
    }

    #[test]
    fn a_batch_is_seen_whole_and_pending_files_wait() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        let mut changes = store.changes();
        {
            let mut batch = store.batch();
            batch.put("index.html".into(), bytes("trang chủ"));
            batch.expect("anh/a-480x360.webp".into());
        }
        assert_eq!(
            store.lookup("index.html"),
            Lookup::Found(bytes("trang chủ"))
        );
        assert_eq!(store.lookup("anh/a-480x360.webp"), Lookup::Pending);
        assert_eq!(store.lookup("khac.html"), Lookup::Missing);
        assert!(store.contains("anh/a-480x360.webp"));
        assert!(changes.has_changed().unwrap(), "the put is news");
        changes.mark_unchanged();

        // A pending page keeps its old bytes hidden until the new ones come.
        store.batch().expect("index.html".into());
        assert_eq!(store.lookup("index.html"), Lookup::Pending);
        assert!(!changes.has_changed().unwrap(), "nothing became ready");
        store.batch().put("index.html".into(), bytes("mới"));
        assert!(changes.has_changed().unwrap());
        assert_eq!(store.bytes("index.html").unwrap(), "mới".as_bytes());

        store.batch().settle();
        assert_eq!(store.lookup("anh/a-480x360.webp"), Lookup::Missing);
        assert!(store.batch().remove("index.html"));
        assert_eq!(store.files(), Vec::<String>::new());
    }

    #[test]
    fn files_are_served_only_from_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("content/static")).unwrap();
        std::fs::write(root.join("content/static/a.txt"), "a").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "bí mật").unwrap();
        let store = Store::new(&root);
        let mut batch = store.batch();
        batch.put(
            "a.txt".into(),
            Entry::File(root.join("content/static/a.txt")),
        );
        batch.put(
            "b.txt".into(),
            Entry::File(root.join("content/static/../../secret.txt")),
        );
        drop(batch);
        assert_eq!(store.bytes("a.txt").unwrap(), b"a");
        assert_eq!(store.bytes("b.txt"), None);
    }
}
