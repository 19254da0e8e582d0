//! What a publish needs from a target, and the `file://` target.
//!
//! Paths are relative to the target's root and `/`-separated. Every upload goes to a
//! temporary name beside its final one ([`temp_name`]) and is then renamed over it, so that no
//! reader sees half a file.

use std::path::{Path, PathBuf};

/// A failure a staff member can act on: one Vietnamese line, no secret in it.
#[derive(Debug)]
pub struct Failure(pub String);

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub type Result<T> = std::result::Result<T, Failure>;

/// One file to upload: its path on the target and where its bytes are.
#[derive(Debug, Clone)]
pub struct Put {
    pub path: String,
    pub from: Source,
}

#[derive(Debug, Clone)]
pub enum Source {
    File(PathBuf),
    Bytes(Vec<u8>),
}

impl Source {
    pub fn read(&self) -> Result<Vec<u8>> {
        match self {
            Source::Bytes(bytes) => Ok(bytes.clone()),
            Source::File(path) => std::fs::read(path)
                .map_err(|e| Failure(format!("không đọc được {}: {e}", path.display()))),
        }
    }
}

/// One entry of a folder on the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    pub name: String,
    pub is_dir: bool,
    /// The file's size when the listing says it (it decides, without a download, that a
    /// file of the same name is not the one datto would publish).
    pub size: Option<u64>,
}

impl DirEntry {
    pub fn file(name: impl Into<String>, size: Option<u64>) -> DirEntry {
        DirEntry {
            name: name.into(),
            is_dir: false,
            size,
        }
    }

    pub fn dir(name: impl Into<String>) -> DirEntry {
        DirEntry {
            name: name.into(),
            is_dir: true,
            size: None,
        }
    }
}

pub trait Transport {
    /// A file's bytes; `None` when there is no such file.
    fn read(&mut self, path: &str) -> Result<Option<Vec<u8>>>;
    /// The entries of a folder (`""`: the root); `None` when the folder does not exist.
    fn list_dir(&mut self, dir: &str) -> Result<Option<Vec<DirEntry>>>;
    /// Every file under the root and its size when known; folder by folder unless the
    /// transport does better.
    fn list_all(&mut self) -> Result<Vec<(String, Option<u64>)>> {
        walk(self)
    }
    /// The SHA-256 (hex) of files on the target, `None` for one that is not there: what
    /// decides whether a file uploaded by other means is already the one datto publishes.
    /// Reads them one by one unless the transport does better.
    fn hashes(&mut self, paths: &[String]) -> Result<Vec<Option<String>>> {
        paths
            .iter()
            .map(|p| {
                Ok(self
                    .read(p)?
                    .map(|bytes| super::manifest::sha256_hex(&bytes)))
            })
            .collect()
    }
    /// Uploads each file under its temporary name, then renames it into place, creating
    /// folders as needed; calls `done` with each file's size once it is in place.
    fn put(&mut self, files: &[Put], done: &mut dyn FnMut(u64)) -> Result<()>;
    /// Deletes files (one already gone is fine), then the folders this left empty.
    fn delete(&mut self, paths: &[String]) -> Result<()>;
}

/// `a/b/.index.html.datto-tmp` for `a/b/index.html`.
pub fn temp_name(path: &str) -> String {
    match path.rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/.{name}.datto-tmp"),
        None => format!(".{path}.datto-tmp"),
    }
}

/// Every parent folder of `path`, outermost first: `a`, `a/b` for `a/b/c.html`.
pub fn parents(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

/// `dir/name`, or `name` at the root.
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Every file under the root (recursively) and its size when known, relative paths,
/// through [`Transport::list_dir`].
pub fn walk<T: Transport + ?Sized>(transport: &mut T) -> Result<Vec<(String, Option<u64>)>> {
    let mut files = Vec::new();
    let mut dirs = vec![String::new()];
    while let Some(dir) = dirs.pop() {
        for entry in transport.list_dir(&dir)?.unwrap_or_default() {
            if entry.name == "." || entry.name == ".." {
                continue;
            }
            let path = join(&dir, &entry.name);
            if entry.is_dir {
                dirs.push(path);
            } else {
                files.push((path, entry.size));
            }
        }
    }
    Ok(files)
}

/// The folders that deleting `paths` may have left empty, deepest first.
pub fn emptied_dirs(paths: &[String]) -> Vec<String> {
    let mut dirs: Vec<String> = paths
        .iter()
        .flat_map(|p| parents(p).map(str::to_string).collect::<Vec<_>>())
        .collect();
    dirs.sort_by(|a, b| {
        b.matches('/')
            .count()
            .cmp(&a.matches('/').count())
            .then(b.cmp(a))
    });
    dirs.dedup();
    dirs
}

/// Describes an I/O error of the target's disk in Vietnamese.
pub fn io_failure(action: &str, path: &str, e: &std::io::Error) -> Failure {
    if e.raw_os_error() == Some(28) || e.kind() == std::io::ErrorKind::StorageFull {
        return Failure(format!(
            "nơi đăng đã hết chỗ trống khi ghi {path}; giải phóng bớt dung lượng rồi chạy lại `datto publish`"
        ));
    }
    if e.kind() == std::io::ErrorKind::PermissionDenied {
        return Failure(format!("không có quyền {action} {path} trên nơi đăng"));
    }
    Failure(format!("không {action} được {path} trên nơi đăng: {e}"))
}

/// A folder on this computer or a mounted share.
pub struct FileTarget {
    root: PathBuf,
}

impl FileTarget {
    pub fn open(root: &Path) -> Result<FileTarget> {
        if !root.is_dir() {
            return Err(Failure(format!(
                "không có thư mục {}; tạo nó trước (hoặc kiểm tra ổ mạng đã gắn chưa)",
                root.display()
            )));
        }
        Ok(FileTarget {
            root: root.to_path_buf(),
        })
    }

    fn full(&self, path: &str) -> PathBuf {
        let mut full = self.root.clone();
        full.extend(path.split('/').filter(|p| !p.is_empty()));
        full
    }
}

impl Transport for FileTarget {
    fn read(&mut self, path: &str) -> Result<Option<Vec<u8>>> {
        match std::fs::read(self.full(path)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_failure("đọc", path, &e)),
        }
    }

    fn list_dir(&mut self, dir: &str) -> Result<Option<Vec<DirEntry>>> {
        let entries = match std::fs::read_dir(self.full(dir)) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_failure("đọc", dir, &e)),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io_failure("đọc", dir, &e))?;
            // A symlink is listed, never followed: it is somebody else's (and, with no size,
            // never taken for a file datto publishes without being read).
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = entry.file_type().ok();
            out.push(match kind {
                Some(t) if t.is_dir() => DirEntry::dir(name),
                Some(t) if t.is_file() => {
                    DirEntry::file(name, entry.metadata().ok().map(|m| m.len()))
                }
                _ => DirEntry::file(name, None),
            });
        }
        Ok(Some(out))
    }

    fn put(&mut self, files: &[Put], done: &mut dyn FnMut(u64)) -> Result<()> {
        for file in files {
            let full = self.full(&file.path);
            let temp = self.full(&temp_name(&file.path));
            if let Some(parent) = full.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io_failure("tạo", &file.path, &e))?;
            }
            let written = match &file.from {
                Source::File(from) => std::fs::copy(from, &temp),
                Source::Bytes(bytes) => std::fs::write(&temp, bytes).map(|()| bytes.len() as u64),
            };
            let size = match written {
                Ok(size) => size,
                Err(e) => {
                    let _ = std::fs::remove_file(&temp);
                    return Err(io_failure("ghi", &file.path, &e));
                }
            };
            if let Err(e) = std::fs::rename(&temp, &full) {
                let _ = std::fs::remove_file(&temp);
                return Err(io_failure("ghi", &file.path, &e));
            }
            done(size);
        }
        Ok(())
    }

    fn delete(&mut self, paths: &[String]) -> Result<()> {
        for path in paths {
            match std::fs::remove_file(self.full(path)) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_failure("xoá", path, &e)),
            }
        }
        for dir in emptied_dirs(paths) {
            // Fails, as wanted, when something else is still in the folder.
            let _ = std::fs::remove_dir(self.full(&dir));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(temp_name("a/b/index.html"), "a/b/.index.html.datto-tmp");
        assert_eq!(temp_name("x.css"), ".x.css.datto-tmp");
        assert_eq!(parents("a/b/c").collect::<Vec<_>>(), ["a", "a/b"]);
        assert_eq!(
            emptied_dirs(&["a/b/c".into(), "a/d".into(), "e".into()]),
            ["a/b", "a"]
        );
    }

    #[test]
    fn file_target_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut target = FileTarget::open(dir.path()).unwrap();
        let mut sizes = Vec::new();
        target
            .put(
                &[Put {
                    path: "a/b/index.html".into(),
                    from: Source::Bytes(b"hello".to_vec()),
                }],
                &mut |n| sizes.push(n),
            )
            .unwrap();
        assert_eq!(sizes, [5]);
        assert_eq!(target.read("a/b/index.html").unwrap().unwrap(), b"hello");
        assert_eq!(target.read("nope").unwrap(), None);
        assert_eq!(
            target.list_all().unwrap(),
            [("a/b/index.html".to_string(), Some(5))]
        );
        assert_eq!(
            target
                .hashes(&["a/b/index.html".into(), "x".into()])
                .unwrap(),
            [Some(crate::publish::manifest::sha256_hex(b"hello")), None]
        );
        target.delete(&["a/b/index.html".into()]).unwrap();
        assert!(!dir.path().join("a").exists());
        assert!(FileTarget::open(&dir.path().join("missing")).is_err());
    }
}
