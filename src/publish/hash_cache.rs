//! The SHA-256 of each output file, remembered by size and modification time in
//! `<site>/.datto-cache/dang/hashes.json` (outside `content/` and the output), so that a
//! publish after a small edit hashes the few files the build rewrote, not all 12,000.
//!
//! The build keeps an unchanged page's modification time, so a hit is the common case. A
//! file modified within [`RACY`](crate::base::stamp::RACY) of the moment it was hashed is not remembered: a second
//! write in the same clock tick, with the same size, would otherwise go unseen (git's
//! "racy clean" rule). The cache is only a shortcut: lost or damaged, everything is hashed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

/// The cache's place under the site root.
pub const FILE: &str = ".datto-cache/dang/hashes.json";
const VERSION: u32 = 2;

pub use crate::base::stamp::Stamp;

/// `[size, mtime_ns, sha256]` in the file: a plain array, which parses several times faster
/// than an object with `#[serde(flatten)]` (22,000 entries are read by every publish).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "(u64, u64, String)", into = "(u64, u64, String)")]
struct Cached {
    stamp: Stamp,
    sha256: String,
}

impl From<(u64, u64, String)> for Cached {
    fn from((size, mtime_ns, sha256): (u64, u64, String)) -> Cached {
        Cached {
            stamp: Stamp { size, mtime_ns },
            sha256,
        }
    }
}

impl From<Cached> for (u64, u64, String) {
    fn from(c: Cached) -> (u64, u64, String) {
        (c.stamp.size, c.stamp.mtime_ns, c.sha256)
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    version: u32,
    /// The output folder the entries are about (a site may publish from another `--output`).
    output: PathBuf,
    files: BTreeMap<String, Cached>,
}

/// The hashes known from the last publish, and those learnt by this one.
#[derive(Debug)]
pub struct HashCache {
    path: PathBuf,
    output: PathBuf,
    old: BTreeMap<String, Cached>,
    new: BTreeMap<String, Cached>,
}

impl HashCache {
    /// Reads the cache of the site at `root` for `output`; empty when missing, damaged, of
    /// another version or about another output folder.
    pub fn load(root: &Path, output: &Path) -> HashCache {
        let path = root.join(FILE);
        let output = std::path::absolute(output).unwrap_or_else(|_| output.to_path_buf());
        let old = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Stored>(&bytes).ok())
            .filter(|s| s.version == VERSION && s.output == output)
            .map(|s| s.files)
            .unwrap_or_default();
        HashCache {
            path,
            output,
            old,
            new: BTreeMap::new(),
        }
    }

    /// The remembered hash of `path`, when its stamp is the same.
    pub fn get(&self, path: &str, stamp: Stamp) -> Option<&str> {
        self.old
            .get(path)
            .filter(|c| c.stamp == stamp)
            .map(|c| c.sha256.as_str())
    }

    /// Remembers a hash for the next publish; `hashed_at`: when its bytes were read.
    pub fn remember(&mut self, path: &str, stamp: Stamp, sha256: &str, hashed_at: SystemTime) {
        if stamp.settled_at(hashed_at) {
            self.new.insert(
                path.to_string(),
                Cached {
                    stamp,
                    sha256: sha256.to_string(),
                },
            );
        }
    }

    /// Writes what this publish learnt (files gone from the output are forgotten), through
    /// a temporary file and a rename. A failure only costs the next publish some hashing.
    pub fn save(self) {
        if self.new == self.old {
            return;
        }
        let stored = Stored {
            version: VERSION,
            output: self.output,
            files: self.new,
        };
        let Ok(bytes) = serde_json::to_vec(&stored) else {
            return;
        };
        let Some(dir) = self.path.parent() else {
            return;
        };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let Ok(mut temp) = tempfile::NamedTempFile::new_in(dir) else {
            return;
        };
        if std::io::Write::write_all(&mut temp, &bytes).is_ok() {
            let _ = temp.persist(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    fn stamp(size: u64, secs: u64) -> Stamp {
        Stamp {
            size,
            mtime_ns: secs * 1_000_000_000,
        }
    }

    #[test]
    fn remembers_settled_files_for_the_same_output_only() {
        let root = tempfile::tempdir().unwrap();
        let output = root.path().join("public");
        let mut cache = HashCache::load(root.path(), &output);
        let at = UNIX_EPOCH + Duration::from_secs(1_000);
        cache.remember("a.html", stamp(3, 900), "aaa", at);
        // Written less than RACY before it was read: not trusted next time.
        cache.remember("b.html", stamp(3, 999), "bbb", at);
        cache.save();

        let cache = HashCache::load(root.path(), &output);
        assert_eq!(cache.get("a.html", stamp(3, 900)), Some("aaa"));
        assert_eq!(cache.get("a.html", stamp(4, 900)), None, "size changed");
        assert_eq!(cache.get("a.html", stamp(3, 901)), None, "rewritten");
        assert_eq!(cache.get("b.html", stamp(3, 999)), None, "racy");

        let other = HashCache::load(root.path(), &root.path().join("khac"));
        assert_eq!(other.get("a.html", stamp(3, 900)), None, "another output");

        std::fs::write(root.path().join(FILE), "{ hỏng").unwrap();
        let damaged = HashCache::load(root.path(), &output);
        assert_eq!(damaged.get("a.html", stamp(3, 900)), None);
    }
}
