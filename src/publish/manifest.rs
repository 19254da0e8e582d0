//! `.datto-manifest.json`: what datto published on a target, kept on the target itself so
//! that any laptop publishing the same site knows what is already there.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::hash_cache::{HashCache, Stamp};

/// The manifest's name at the target's root.
pub const MANIFEST: &str = ".datto-manifest.json";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub version: u32,
    /// Every file datto published and its content, by path relative to the target (`/`).
    pub files: BTreeMap<String, Entry>,
    /// Files a publish was about to write when it last saved the manifest: if it stopped
    /// there, they may be on the target already, and are datto's (not foreign) all the same.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub pending: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub sha256: String,
    pub size: u64,
}

impl Manifest {
    pub fn parse(bytes: &[u8]) -> Result<Manifest, String> {
        let manifest: Manifest = serde_json::from_slice(bytes).map_err(|e| {
            format!("tệp {MANIFEST} trên nơi đăng bị hỏng ({e}); xoá nó để datto đăng lại từ đầu")
        })?;
        if manifest.version != 1 {
            return Err(format!(
                "tệp {MANIFEST} trên nơi đăng do một bản datto mới hơn ghi (phiên bản {}); hãy cập nhật datto",
                manifest.version
            ));
        }
        Ok(manifest)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let out = Manifest {
            version: 1,
            ..self.clone()
        };
        // BTreeMap: the same content gives the same bytes on every laptop.
        serde_json::to_vec_pretty(&out).unwrap_or_default()
    }

    /// Whether a path on the target was written by datto.
    pub fn owns(&self, path: &str) -> bool {
        self.files.contains_key(path) || self.pending.contains(path)
    }
}

/// A file of the built output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    /// Relative to the output folder, `/`-separated on every system.
    pub path: String,
    pub entry: Entry,
}

/// Lists and hashes every file of the output folder (in parallel).
pub fn hash_output(output: &Path) -> anyhow::Result<Vec<LocalFile>> {
    hash_output_with(output, None)
}

/// [`hash_output`], taking the hash of a file whose size and modification time are those
/// `cache` remembers from there, and teaching it the others.
pub fn hash_output_with(
    output: &Path,
    cache: Option<&mut HashCache>,
) -> anyhow::Result<Vec<LocalFile>> {
    let mut paths = Vec::new();
    for entry in walkdir::WalkDir::new(output).sort_by_file_name() {
        let entry = entry?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(output)?;
        let path = slash_path(rel);
        // The target's manifest, and the build's own record of the output (which lists every
        // file: nothing a reader needs) are never published.
        if path == MANIFEST || path == crate::emit::MANIFEST {
            continue;
        }
        let stamp = entry.metadata().ok().as_ref().and_then(Stamp::of);
        let known = stamp.and_then(|s| Some((s, cache.as_deref()?.get(&path, s)?.to_string())));
        paths.push((path, entry.into_path(), stamp, known));
    }
    let started = std::time::SystemTime::now();
    let files: Vec<(LocalFile, Option<Stamp>)> = paths
        .into_par_iter()
        .map(|(path, full, stamp, known)| {
            let entry = match known {
                Some((stamp, sha256)) => Entry {
                    sha256,
                    size: stamp.size,
                },
                None => {
                    let (sha256, size) = hash_file(&full)?;
                    Entry { sha256, size }
                }
            };
            Ok((LocalFile { path, entry }, stamp))
        })
        .collect::<anyhow::Result<_>>()?;
    if let Some(cache) = cache {
        for (file, stamp) in &files {
            // A file whose size changed between the look and the read is not remembered.
            if let Some(stamp) = stamp.filter(|s| s.size == file.entry.size) {
                cache.remember(&file.path, stamp, &file.entry.sha256, started);
            }
        }
    }
    Ok(files.into_iter().map(|(file, _)| file).collect())
}

/// A path relative to the output, `/`-separated on every system (Windows included), as
/// the target and the manifest name it.
pub fn slash_path(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn hash_file(path: &Path) -> anyhow::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buffer[..n]);
    }
    Ok((hex(&hasher.finalize()), size))
}

/// The SHA-256 of some bytes, in hex, as the manifest writes it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(digest.len() * 2);
    for b in digest {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_damage() {
        let mut manifest = Manifest::default();
        manifest.files.insert(
            "index.html".into(),
            Entry {
                sha256: "ab".into(),
                size: 2,
            },
        );
        manifest.pending.insert("a.css".into());
        let bytes = manifest.to_bytes();
        let back = Manifest::parse(&bytes).unwrap();
        assert_eq!(back.files, manifest.files);
        assert!(back.owns("a.css") && back.owns("index.html") && !back.owns("x"));
        assert!(Manifest::parse(b"{").unwrap_err().contains("bị hỏng"));
        assert!(
            Manifest::parse(br#"{"version":9,"files":{}}"#)
                .unwrap_err()
                .contains("mới hơn")
        );
    }

    #[test]
    fn slash_paths_on_every_system() {
        let rel: std::path::PathBuf = ["tin-bai", "2026", "index.html"].iter().collect();
        assert_eq!(slash_path(&rel), "tin-bai/2026/index.html");
        #[cfg(windows)]
        assert_eq!(slash_path(Path::new(r"anh\a.webp")), "anh/a.webp");
    }

    #[test]
    fn the_cache_spares_reading_unchanged_files() {
        let root = tempfile::tempdir().unwrap();
        let output = root.path().join("public");
        std::fs::create_dir_all(&output).unwrap();
        let page = output.join("index.html");
        std::fs::write(&page, "xin chao").unwrap();
        // Old enough to be remembered (not "racy").
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(&page)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let mut cache = HashCache::load(root.path(), &output);
        let first = hash_output_with(&output, Some(&mut cache)).unwrap();
        cache.save();
        // Same size and time, other bytes: the cache answers (which is how it saves the
        // reading); a real rewrite changes the time, and is read.
        std::fs::write(&page, "xin chau").unwrap();
        let file = std::fs::File::options().write(true).open(&page).unwrap();
        file.set_modified(old).unwrap();
        let mut cache = HashCache::load(root.path(), &output);
        let cached = hash_output_with(&output, Some(&mut cache)).unwrap();
        assert_eq!(cached, first);
        file.set_modified(old + std::time::Duration::from_secs(1))
            .unwrap();
        let fresh = hash_output_with(&output, Some(&mut cache)).unwrap();
        assert_ne!(fresh[0].entry.sha256, first[0].entry.sha256);
        assert_eq!(fresh, hash_output(&output).unwrap());
    }

    #[test]
    fn hashes_every_output_file_with_slashes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("a/b/index.html"), "xin chào").unwrap();
        std::fs::write(dir.path().join(MANIFEST), "{}").unwrap();
        let files = hash_output(dir.path()).unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, "a/b/index.html");
        assert_eq!(files[0].entry.size, "xin chào".len() as u64);
        assert_eq!(files[0].entry.sha256.len(), 64);
    }
}
