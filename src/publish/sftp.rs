//! `sftp://`: after the SSH session of [`super::ssh`], SFTP requests kept in flight many at a
//! time, which is what makes a first publish of 10,000 files fast.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use russh_sftp::client::RawSftpSession;
use russh_sftp::client::error::Error as SftpError;
use russh_sftp::protocol::{FileAttributes, OpenFlags, Packet, StatusCode};
use tokio::task::JoinSet;

use super::credentials::Credentials;
use super::target::Remote;
use super::transport::{
    DirEntry, Failure, Put, Result, Source, Transport, emptied_dirs, parents, temp_name,
};

/// Requests in flight at once: enough to hide the round trips of a distant server.
const IN_FLIGHT: usize = 64;
/// Bytes per write request (OpenSSH accepts up to 255 KiB; 32 KiB is safe everywhere).
const CHUNK: usize = 32 * 1024;

pub struct SftpTarget {
    runtime: tokio::runtime::Runtime,
    sftp: Arc<RawSftpSession>,
    /// Kept so the connection lives as long as the transport.
    _ssh: super::ssh::Ssh,
    base: String,
    posix_rename: bool,
    made_dirs: Arc<Mutex<HashSet<String>>>,
}

fn sftp_failure(action: &str, path: &str, e: &SftpError) -> Failure {
    match e {
        SftpError::Status(s) if s.status_code == StatusCode::PermissionDenied => Failure(format!(
            "máy chủ không cho {action} {path} (không có quyền)"
        )),
        SftpError::Status(s) if s.status_code == StatusCode::NoSuchFile => Failure(format!(
            "không {action} được {path}: không có thư mục chứa nó trên máy chủ"
        )),
        SftpError::Timeout => Failure(format!(
            "máy chủ không trả lời khi {action} {path}; kiểm tra mạng rồi chạy lại `datto publish`"
        )),
        _ => Failure(format!("không {action} được {path} trên máy chủ: {e}")),
    }
}

impl SftpTarget {
    pub fn connect(remote: &Remote, credentials: &Credentials) -> Result<SftpTarget> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| Failure(format!("lỗi nội bộ: {e}")))?;
        let (ssh, sftp, posix_rename) = runtime.block_on(async {
            let ssh = super::ssh::connect(remote, credentials).await?;
            let channel = ssh
                .channel_open_session()
                .await
                .map_err(|e| Failure(format!("máy chủ {} từ chối phiên SFTP: {e}", remote.host)))?;
            channel
                .request_subsystem(true, "sftp")
                .await
                .map_err(|e| Failure(format!("máy chủ {} không mở SFTP: {e}", remote.host)))?;
            let sftp = RawSftpSession::new(channel.into_stream());
            let version = sftp
                .init()
                .await
                .map_err(|e| Failure(format!("máy chủ {} không mở SFTP: {e}", remote.host)))?;
            sftp.set_timeout(120);
            let posix_rename = version.extensions.contains_key("posix-rename@openssh.com");
            Ok((ssh, sftp, posix_rename))
        })?;
        let target = SftpTarget {
            runtime,
            sftp: Arc::new(sftp),
            _ssh: ssh,
            base: remote.path.clone(),
            posix_rename,
            made_dirs: Arc::new(Mutex::new(HashSet::new())),
        };
        let root = target.full("");
        let found = target.runtime.block_on(target.sftp.stat(root.clone()));
        match found {
            Ok(attrs) if attrs.attrs.is_dir() => Ok(target),
            Ok(_) | Err(SftpError::Status(_)) => Err(Failure(format!(
                "không có thư mục {root} trên máy chủ {}; tạo nó trước hoặc sửa địa chỉ đăng",
                remote.host
            ))),
            Err(e) => Err(sftp_failure("đọc", &root, &e)),
        }
    }

    fn full(&self, path: &str) -> String {
        full_path(&self.base, path)
    }
}

fn full_path(base: &str, path: &str) -> String {
    match (base.trim_end_matches('/'), path) {
        ("", "") if base.starts_with('/') => "/".into(),
        ("", "") => ".".into(),
        ("", p) if base.starts_with('/') => format!("/{p}"),
        ("", p) => p.to_string(),
        (b, "") => b.to_string(),
        (b, p) => format!("{b}/{p}"),
    }
}

/// Creates every missing parent folder of `path` (the ones this run made are remembered).
async fn make_parents(
    sftp: &RawSftpSession,
    base: &str,
    path: &str,
    made: &Mutex<HashSet<String>>,
) {
    for dir in parents(path) {
        if made.lock().is_ok_and(|m| m.contains(dir)) {
            continue;
        }
        // Fails when the folder exists, which is fine: the open that follows says the rest.
        let _ = sftp
            .mkdir(full_path(base, dir), FileAttributes::empty())
            .await;
        if let Ok(mut m) = made.lock() {
            m.insert(dir.to_string());
        }
    }
}

async fn upload(
    sftp: Arc<RawSftpSession>,
    base: String,
    put: Put,
    posix_rename: bool,
    made: Arc<Mutex<HashSet<String>>>,
) -> Result<u64> {
    let bytes = match &put.from {
        Source::Bytes(b) => b.clone(),
        Source::File(p) => tokio::fs::read(p)
            .await
            .map_err(|e| Failure(format!("không đọc được {}: {e}", p.display())))?,
    };
    make_parents(&sftp, &base, &put.path, &made).await;
    let temp = full_path(&base, &temp_name(&put.path));
    let full = full_path(&base, &put.path);
    let written = async {
        let flags = OpenFlags::WRITE | OpenFlags::CREATE | OpenFlags::TRUNCATE;
        let handle = sftp
            .open(temp.clone(), flags, FileAttributes::empty())
            .await?
            .handle;
        // Every chunk's write in flight at once: a 1.5 MB manifest or a large photo costs a
        // round trip or two, not one per 32 KiB.
        let writes = bytes.chunks(CHUNK).enumerate().map(|(i, chunk)| {
            let (sftp, handle) = (sftp.clone(), handle.clone());
            let chunk = chunk.to_vec();
            async move { sftp.write(handle, (i * CHUNK) as u64, chunk).await }
        });
        let result = futures_util::future::join_all(writes)
            .await
            .into_iter()
            .find(|r| r.is_err())
            .map_or(Ok(()), |r| r.map(|_| ()));
        let closed = sftp.close(handle).await.map(|_| ());
        result.and(closed)
    }
    .await;
    if let Err(e) = written {
        let _ = sftp.remove(temp.clone()).await;
        return Err(full_disk(&sftp, &base, &put.path, bytes.len() as u64)
            .await
            .unwrap_or_else(|| sftp_failure("ghi", &put.path, &e)));
    }
    let renamed = if posix_rename {
        posix_rename_request(&sftp, &temp, &full).await
    } else {
        // Plain SFTP v3 rename refuses to replace a file.
        let _ = sftp.remove(full.clone()).await;
        sftp.rename(temp.clone(), full.clone()).await.map(|_| ())
    };
    if let Err(e) = renamed {
        let _ = sftp.remove(temp).await;
        return Err(sftp_failure("ghi", &put.path, &e));
    }
    Ok(bytes.len() as u64)
}

/// A whole file, with the reads of its chunks kept in flight together (a 1.5 MB manifest
/// is then a few round trips, not 48); `None` when there is no such file.
async fn download(sftp: Arc<RawSftpSession>, full: String) -> Result<Option<Vec<u8>>> {
    let handle = match sftp
        .open(full.clone(), OpenFlags::READ, FileAttributes::empty())
        .await
    {
        Ok(h) => h.handle,
        Err(SftpError::Status(s)) if s.status_code == StatusCode::NoSuchFile => {
            return Ok(None);
        }
        Err(e) => return Err(sftp_failure("đọc", &full, &e)),
    };
    let size = sftp
        .fstat(handle.as_str())
        .await
        .ok()
        .and_then(|a| a.attrs.size)
        .unwrap_or(0);
    let mut out = Vec::with_capacity(size as usize);
    // The chunks the size announces, asked together; then, in case the file grew (or the
    // size was not given), one at a time to the end.
    let reads = (0..size.div_ceil(CHUNK as u64)).map(|i| {
        let (sftp, handle) = (sftp.clone(), handle.clone());
        async move { sftp.read(handle, i * CHUNK as u64, CHUNK as u32).await }
    });
    for read in futures_util::future::join_all(reads).await {
        match read {
            Ok(data) if data.data.len() == CHUNK => out.extend_from_slice(&data.data),
            Ok(data) => {
                out.extend_from_slice(&data.data);
                break;
            }
            Err(SftpError::Status(s)) if s.status_code == StatusCode::Eof => break,
            Err(e) => return Err(sftp_failure("đọc", &full, &e)),
        }
    }
    loop {
        match sftp
            .read(handle.as_str(), out.len() as u64, CHUNK as u32)
            .await
        {
            Ok(data) if data.data.is_empty() => break,
            Ok(data) => out.extend_from_slice(&data.data),
            Err(SftpError::Status(s)) if s.status_code == StatusCode::Eof => break,
            Err(e) => return Err(sftp_failure("đọc", &full, &e)),
        }
    }
    let _ = sftp.close(handle).await;
    Ok(Some(out))
}

/// Whether a failed write was a full disk (SFTP v3 reports it as a plain "failure").
async fn full_disk(sftp: &RawSftpSession, base: &str, path: &str, size: u64) -> Option<Failure> {
    let stats = sftp.statvfs(full_path(base, "")).await.ok()?;
    let free = stats
        .blocks_avail
        .saturating_mul(stats.fragment_size.max(1));
    // With a margin: the uploads in flight beside this one free their temporary files as they
    // fail, so by the time of this look the disk may have a little room again.
    (free < size + 1024 * 1024).then(|| {
        Failure(format!(
            "máy chủ đã hết chỗ trống khi ghi {path}; giải phóng bớt dung lượng rồi chạy lại `datto publish`"
        ))
    })
}

async fn posix_rename_request(
    sftp: &RawSftpSession,
    from: &str,
    to: &str,
) -> std::result::Result<(), SftpError> {
    let mut data = Vec::with_capacity(from.len() + to.len() + 8);
    for s in [from, to] {
        data.extend_from_slice(&(s.len() as u32).to_be_bytes());
        data.extend_from_slice(s.as_bytes());
    }
    match sftp.extended("posix-rename@openssh.com", data).await? {
        Packet::Status(s) if s.status_code == StatusCode::Ok => Ok(()),
        Packet::Status(s) => Err(SftpError::Status(s)),
        _ => Err(SftpError::UnexpectedPacket),
    }
}

impl Transport for SftpTarget {
    fn read(&mut self, path: &str) -> Result<Option<Vec<u8>>> {
        let full = self.full(path);
        let sftp = self.sftp.clone();
        self.runtime.block_on(download(sftp, full))
    }

    fn hashes(&mut self, paths: &[String]) -> Result<Vec<Option<String>>> {
        let sftp = self.sftp.clone();
        let fulls: Vec<String> = paths.iter().map(|p| self.full(p)).collect();
        self.runtime.block_on(async move {
            // Many files at a time, like uploads: a take-over reads the whole site once.
            let mut tasks = JoinSet::new();
            let mut out = vec![None; fulls.len()];
            let mut queue = fulls.into_iter().enumerate();
            loop {
                while tasks.len() < IN_FLIGHT {
                    let Some((i, full)) = queue.next() else { break };
                    let sftp = sftp.clone();
                    tasks.spawn(async move {
                        let bytes = download(sftp, full).await?;
                        Ok::<_, Failure>((i, bytes.map(|b| super::manifest::sha256_hex(&b))))
                    });
                }
                let Some(finished) = tasks.join_next().await else {
                    break;
                };
                match finished {
                    Ok(Ok((i, hash))) => out[i] = hash,
                    Ok(Err(f)) => return Err(f),
                    Err(e) => return Err(Failure(format!("lỗi nội bộ: {e}"))),
                }
            }
            Ok(out)
        })
    }

    fn list_dir(&mut self, dir: &str) -> Result<Option<Vec<DirEntry>>> {
        let full = self.full(dir);
        let sftp = self.sftp.clone();
        self.runtime.block_on(async move {
            let handle = match sftp.opendir(full.clone()).await {
                Ok(h) => h.handle,
                Err(SftpError::Status(s)) if s.status_code == StatusCode::NoSuchFile => {
                    return Ok(None);
                }
                Err(e) => return Err(sftp_failure("đọc", &full, &e)),
            };
            let mut out = Vec::new();
            loop {
                match sftp.readdir(handle.as_str()).await {
                    Ok(name) => out.extend(name.files.into_iter().map(|f| {
                        if f.attrs.is_dir() {
                            DirEntry::dir(f.filename)
                        } else if f.attrs.file_type().is_file() {
                            DirEntry::file(f.filename, f.attrs.size)
                        } else {
                            DirEntry::file(f.filename, None)
                        }
                    })),
                    Err(SftpError::Status(s)) if s.status_code == StatusCode::Eof => break,
                    Err(e) => return Err(sftp_failure("đọc", &full, &e)),
                }
            }
            let _ = sftp.close(handle).await;
            Ok(Some(out))
        })
    }

    fn put(&mut self, files: &[Put], done: &mut dyn FnMut(u64)) -> Result<()> {
        let sftp = self.sftp.clone();
        let base = self.base.clone();
        let posix_rename = self.posix_rename;
        let made = self.made_dirs.clone();
        self.runtime.block_on(async move {
            let mut tasks = JoinSet::new();
            let mut queue = files.iter().cloned();
            let mut failure = None;
            loop {
                while failure.is_none() && tasks.len() < IN_FLIGHT {
                    let Some(put) = queue.next() else { break };
                    tasks.spawn(upload(
                        sftp.clone(),
                        base.clone(),
                        put,
                        posix_rename,
                        made.clone(),
                    ));
                }
                let Some(finished) = tasks.join_next().await else {
                    break;
                };
                match finished {
                    Ok(Ok(size)) => done(size),
                    Ok(Err(f)) => failure = failure.or(Some(f)),
                    Err(e) => failure = failure.or(Some(Failure(format!("lỗi nội bộ: {e}")))),
                }
            }
            failure.map_or(Ok(()), Err)
        })
    }

    fn delete(&mut self, paths: &[String]) -> Result<()> {
        let sftp = self.sftp.clone();
        let base = self.base.clone();
        let dirs = emptied_dirs(paths);
        self.runtime.block_on(async move {
            let mut tasks = JoinSet::new();
            let mut failure = None;
            for path in paths {
                while tasks.len() >= IN_FLIGHT {
                    if let Some(Ok(Err(f))) = tasks.join_next().await {
                        failure = failure.or(Some(f));
                    }
                }
                let (sftp, full, path) = (sftp.clone(), full_path(&base, path), path.clone());
                tasks.spawn(async move {
                    match sftp.remove(full).await {
                        Ok(_) => Ok(()),
                        Err(SftpError::Status(s)) if s.status_code == StatusCode::NoSuchFile => {
                            Ok(())
                        }
                        Err(e) => Err(sftp_failure("xoá", &path, &e)),
                    }
                });
            }
            while let Some(result) = tasks.join_next().await {
                if let Ok(Err(f)) = result {
                    failure = failure.or(Some(f));
                }
            }
            if let Some(f) = failure {
                return Err(f);
            }
            for dir in dirs {
                // Refused, as wanted, while the folder still holds something.
                let _ = sftp.rmdir(full_path(&base, &dir)).await;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn full_paths() {
        let cases = [
            ("/", "", "/"),
            ("/", "a/b", "/a/b"),
            ("/www/", "a", "/www/a"),
            ("/www", "", "/www"),
            ("", "", "."),
            ("", "a", "a"),
            ("www", "a", "www/a"),
        ];
        for (base, path, expected) in cases {
            assert_eq!(super::full_path(base, path), expected, "{base} {path}");
        }
    }
}
