//! The ledger: what the last build wrote into an output folder, file by file — its stamp
//! (size and modification time when datto wrote or last saw it) and its *key*, what it was
//! made from (a page's signature, a copied file's source stamp, the hash of other bytes).
//!
//! With it a build over the previous output skips a page whose key is the same and whose
//! file is still as datto left it, without rendering the page or reading the old file.
//! Kept in the site's cache (`.datto-cache/ra/`), one per output folder; never published.
//! It is only a shortcut: missing, damaged, from another datto binary or stale (a build
//! killed after its swap, before saving it), a file that does not match its entry is made
//! and compared again, as if there were no ledger.

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::base::stamp::Stamp;

const VERSION: u32 = 1;
/// Under the site's cache folder.
const FOLDER: &str = "ra";

/// One output file as the last build left it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "(u64, u64, u64)", into = "(u64, u64, u64)")]
pub struct Record {
    pub stamp: Stamp,
    pub key: u64,
}

// `[size, mtime_ns, key]` in the file: 22,000 entries parse several times faster as arrays.
impl From<(u64, u64, u64)> for Record {
    fn from((size, mtime_ns, key): (u64, u64, u64)) -> Record {
        Record {
            stamp: Stamp { size, mtime_ns },
            key,
        }
    }
}

impl From<Record> for (u64, u64, u64) {
    fn from(r: Record) -> (u64, u64, u64) {
        (r.stamp.size, r.stamp.mtime_ns, r.key)
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    version: u32,
    /// The datto binary that wrote it: another one may render the same description into
    /// other bytes.
    binary: Option<Stamp>,
    /// The output folder it is about (absolute).
    output: PathBuf,
    /// Names this build: what a caller's own note about the build refers to.
    generation: u64,
    files: FxHashMap<String, Record>,
}

#[derive(Debug)]
pub struct Ledger {
    path: PathBuf,
    output: PathBuf,
    pub generation: u64,
    pub files: FxHashMap<String, Record>,
}

impl Ledger {
    /// Where the ledger of `output` (absolute) lives in the cache folder `cache`.
    fn path(cache: &Path, output: &Path) -> PathBuf {
        cache.join(FOLDER).join(super::cache_name(output))
    }

    /// The ledger of `output` in `cache`; empty (generation 0) when there is none to trust.
    pub fn load(cache: &Path, output: &Path) -> Ledger {
        let output = std::path::absolute(output).unwrap_or_else(|_| output.to_path_buf());
        let path = Ledger::path(cache, &output);
        let binary = Stamp::of_running_binary();
        let stored = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Stored>(&bytes).ok())
            .filter(|s| {
                s.version == VERSION && binary.is_some() && s.binary == binary && s.output == output
            })
            .unwrap_or_default();
        Ledger {
            path,
            output,
            generation: stored.generation,
            files: stored.files,
        }
    }

    /// Replaces the ledger with `files` under a new generation, which it returns. Through a
    /// temporary file and a rename; a failure only costs the next build its shortcuts.
    pub fn save(self, files: FxHashMap<String, Record>) -> u64 {
        // Any value other than the last one will do; the clock's nanoseconds are one.
        let generation = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            .max(self.generation + 1);
        let stored = Stored {
            version: VERSION,
            binary: Stamp::of_running_binary(),
            output: self.output,
            generation,
            files,
        };
        let written = serde_json::to_vec(&stored)
            .ok()
            .is_some_and(|bytes| super::write_atomic(&self.path, &bytes).is_ok());
        if written { generation } else { 0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(size: u64, key: u64) -> Record {
        Record {
            stamp: Stamp { size, mtime_ns: 5 },
            key,
        }
    }

    #[test]
    fn a_saved_ledger_is_read_back_for_its_output_only() {
        let cache = tempfile::tempdir().unwrap();
        let output = cache.path().join("public");
        let empty = Ledger::load(cache.path(), &output);
        assert_eq!((empty.generation, empty.files.len()), (0, 0));

        let files: FxHashMap<String, Record> = [("index.html".to_string(), record(3, 7))]
            .into_iter()
            .collect();
        let generation = empty.save(files.clone());
        assert_ne!(generation, 0);
        let again = Ledger::load(cache.path(), &output);
        assert_eq!(again.generation, generation);
        assert_eq!(again.files, files);
        let next = again.save(files);
        assert_ne!(next, generation, "each build is a new generation");

        let other = Ledger::load(cache.path(), &cache.path().join("khac"));
        assert!(other.files.is_empty(), "another output folder");

        let path = Ledger::path(cache.path(), &std::path::absolute(&output).unwrap());
        std::fs::write(&path, "{ hỏng").unwrap();
        assert!(
            Ledger::load(cache.path(), &output).files.is_empty(),
            "damaged"
        );
    }
}
