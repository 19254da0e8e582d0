//! A fingerprint of everything a build reads from disk — every file under `content/` and
//! under the site's theme folder, by path, size and modification time — taken without
//! reading a byte, so that `build` can tell in milliseconds that nothing changed since its
//! last build (as `make` and Cargo tell by modification times).
//!
//! Over-inclusive on purpose: ignored files (`_nhap.md`, `.DS_Store`) count too, so a
//! change to one only costs a build.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use walkdir::WalkDir;

use crate::base::layout;
use crate::base::stamp::Stamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// BLAKE3 over every file's path, size and modification time, in name order.
    pub digest: [u8; 32],
    /// The files modified too recently to be trusted by their stamp (see `base::stamp`: one
    /// saved in the same clock tick could change again unseen), with the BLAKE3 of their
    /// bytes as they were when looked at: whoever compares fingerprints compares these
    /// bytes again ([`Fingerprint::racy_still_hold`]), as git does with "racily clean" files.
    pub racy: Vec<(PathBuf, [u8; 32])>,
}

impl Fingerprint {
    /// Whether every racy file of this fingerprint still holds the bytes it held.
    pub fn racy_still_hold(racy: &[(PathBuf, [u8; 32])]) -> bool {
        racy.iter()
            .all(|(path, digest)| content_digest(path).as_ref() == Some(digest))
    }
}

fn content_digest(path: &Path) -> Option<[u8; 32]> {
    let bytes = std::fs::read(path).ok()?;
    Some(*blake3::hash(&bytes).as_bytes())
}

/// The fingerprint of the inputs of the site at `root`, taken now; `None` when they cannot
/// all be looked at (a folder that cannot be read, `site.yaml` that does not parse: the
/// build then reports what is wrong).
pub fn inputs(root: &Path) -> Option<Fingerprint> {
    let taken = SystemTime::now();
    let config = crate::load::sources::load_config(root).ok()?;
    let theme = crate::load::theme::dir(root, &config.theme);
    let mut hasher = blake3::Hasher::new();
    let mut racy = Vec::new();
    for (tag, dir) in [
        (layout::CONTENT, layout::content_dir(root)),
        (layout::THEMES, theme),
    ] {
        hasher.update(tag.as_bytes());
        hasher.update(dir.as_os_str().as_encoded_bytes());
        // Symlinks are followed: what they point at is what the build reads.
        for entry in WalkDir::new(&dir).follow_links(true).sort_by_file_name() {
            let entry = entry.ok()?;
            let rel = entry.path().strip_prefix(&dir).ok()?;
            hasher.update(&[0]);
            hasher.update(rel.as_os_str().as_encoded_bytes());
            if entry.file_type().is_dir() {
                continue;
            }
            let stamp = entry.metadata().ok().as_ref().and_then(Stamp::of)?;
            if !stamp.settled_at(taken) {
                racy.push((entry.path().to_path_buf(), content_digest(entry.path())?));
            }
            hasher.update(&stamp.size.to_le_bytes());
            hasher.update(&stamp.mtime_ns.to_le_bytes());
        }
    }
    Some(Fingerprint {
        digest: *hasher.finalize().as_bytes(),
        racy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        std::fs::create_dir_all(content.join("tin-bai")).unwrap();
        let fixture = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/basic/content/site.yaml"
        );
        std::fs::copy(fixture, content.join("site.yaml")).unwrap();
        std::fs::write(content.join("tin-bai/a.md"), "a").unwrap();
        std::fs::create_dir_all(dir.path().join("themes/datto/templates")).unwrap();
        std::fs::write(dir.path().join("themes/datto/templates/x.html"), "x").unwrap();
        for entry in WalkDir::new(dir.path()) {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                set_mtime(entry.path(), 1_000);
            }
        }
        dir
    }

    fn set_mtime(path: &Path, secs: u64) {
        let file = std::fs::File::options().write(true).open(path).unwrap();
        file.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
            .unwrap();
    }

    #[test]
    fn follows_every_change_a_build_could_see() {
        let dir = site();
        let root = dir.path();
        let item = root.join("content/tin-bai/a.md");
        let template = root.join("themes/datto/templates/x.html");
        let first = inputs(root).unwrap();
        assert!(first.racy.is_empty(), "{first:?}");
        assert_eq!(inputs(root).unwrap(), first, "nothing changed");

        let changes: [(&str, &dyn Fn()); 4] = [
            ("content rewritten", &|| {
                std::fs::write(&item, "b").unwrap();
                set_mtime(&item, 2_000);
            }),
            ("template touched", &|| set_mtime(&template, 3_000)),
            ("file added", &|| {
                std::fs::write(root.join("content/tin-bai/_nhap.md"), "").unwrap();
            }),
            ("file renamed", &|| {
                std::fs::rename(
                    root.join("content/tin-bai/_nhap.md"),
                    root.join("content/c.md"),
                )
                .unwrap();
            }),
        ];
        let mut seen = vec![first.digest];
        for (what, change) in changes {
            change();
            let now = inputs(root).unwrap();
            assert!(!seen.contains(&now.digest), "{what}: not seen");
            seen.push(now.digest);
        }
        // Just written: not trusted by its stamp, its bytes are compared.
        let racy = inputs(root).unwrap().racy;
        assert_eq!(racy.len(), 1, "{racy:?}");
        assert!(Fingerprint::racy_still_hold(&racy));
        std::fs::write(root.join("content/c.md"), "x").unwrap();
        assert!(
            !Fingerprint::racy_still_hold(&racy),
            "rewritten in the same tick"
        );
    }
}
