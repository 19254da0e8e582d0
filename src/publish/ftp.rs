//! `ftp://` and `ftps://` (explicit TLS, `AUTH TLS`): what cPanel shared hosting offers.
//! suppaftp speaks the protocol; rustls checks the certificate against the system's roots and
//! `--ca-file`.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::ToSocketAddrs;
use std::sync::Arc;
use std::time::Duration;

use suppaftp::rustls::pki_types::CertificateDer;
use suppaftp::rustls::pki_types::pem::PemObject;
use suppaftp::rustls::{self, ClientConfig, RootCertStore};
use suppaftp::{FtpError, RustlsConnector, RustlsFtpStream, Status};

use super::credentials::{self, Credentials};
use super::target::Remote;
use super::transport::{
    DirEntry, Failure, Put, Result, Transport, emptied_dirs, parents, temp_name,
};

pub struct FtpTarget {
    ftp: RustlsFtpStream,
    base: String,
    host: String,
    secure: bool,
    made_dirs: HashSet<String>,
}

fn full_path(base: &str, path: &str) -> String {
    let base = base.trim_end_matches('/');
    match (base, path) {
        ("", "") => "/".into(),
        (b, "") => b.into(),
        (b, p) => format!("{b}/{p}"),
    }
}

/// The server refused because the path is not there (550, or 450 on some servers).
fn not_found(e: &FtpError) -> bool {
    matches!(e, FtpError::UnexpectedResponse(r)
        if matches!(r.status, Status::FileUnavailable | Status::RequestFileActionIgnored))
}

fn ftp_failure(host: &str, action: &str, path: &str, e: &FtpError) -> Failure {
    match e {
        FtpError::UnexpectedResponse(r)
            if matches!(
                r.status,
                Status::ExceededStorage | Status::RequestedActionNotTaken
            ) =>
        {
            Failure(format!(
                "máy chủ {host} đã hết chỗ trống khi ghi {path}; giải phóng bớt dung lượng rồi chạy lại `datto publish`"
            ))
        }
        FtpError::UnexpectedResponse(r) => Failure(format!(
            "máy chủ {host} không cho {action} {path}: {}",
            String::from_utf8_lossy(&r.body).trim()
        )),
        FtpError::SecureError(e) => tls_failure(host, e),
        FtpError::ConnectionError(e) if e.to_string().contains("certificate") => {
            tls_failure(host, &e.to_string())
        }
        other => Failure(format!(
            "mất kết nối tới máy chủ {host} khi {action} {path} ({other}); chạy lại `datto publish` để làm tiếp"
        )),
    }
}

fn tls_failure(host: &str, why: &str) -> Failure {
    Failure(format!(
        "chứng chỉ TLS của máy chủ {host} không được xác thực ({why}); datto không gửi mật khẩu. Nếu máy chủ dùng chứng chỉ riêng, chỉ ra nó bằng --ca-file TỆP.pem"
    ))
}

fn tls_config(credentials: &Credentials) -> Result<Arc<ClientConfig>> {
    let mut roots = RootCertStore::empty();
    // A system without roots (or with some unreadable) still works with --ca-file.
    let native = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(native.certs);
    if let Some(path) = &credentials.ca_file {
        let pem = credentials::read_ca_file(path)?;
        let mut count = 0;
        for cert in CertificateDer::pem_slice_iter(&pem) {
            let cert = cert.map_err(|e| {
                Failure(format!(
                    "tệp {} (--ca-file) không phải PEM hợp lệ: {e}",
                    path.display()
                ))
            })?;
            roots.add(cert).map_err(|e| {
                Failure(format!(
                    "chứng chỉ trong {} (--ca-file) không dùng được: {e}",
                    path.display()
                ))
            })?;
            count += 1;
        }
        if count == 0 {
            return Err(Failure(format!(
                "tệp {} (--ca-file) không chứa chứng chỉ nào (cần dạng PEM: -----BEGIN CERTIFICATE-----)",
                path.display()
            )));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Failure(format!("lỗi nội bộ TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

impl FtpTarget {
    pub fn connect(remote: &Remote, secure: bool, credentials: &Credentials) -> Result<FtpTarget> {
        let host = remote.host.clone();
        let unreachable = |why: String| {
            Failure(format!(
                "không kết nối được tới máy chủ {host}:{} ({why}); kiểm tra địa chỉ và mạng",
                remote.port
            ))
        };
        let address = (remote.host.as_str(), remote.port)
            .to_socket_addrs()
            .map_err(|e| unreachable(e.to_string()))?
            .next()
            .ok_or_else(|| unreachable("không tìm thấy địa chỉ".into()))?;
        let mut ftp = RustlsFtpStream::connect_timeout(address, Duration::from_secs(20))
            .map_err(|e| unreachable(e.to_string()))?;
        let _ = ftp
            .get_ref()
            .set_read_timeout(Some(Duration::from_secs(120)));
        if secure {
            let connector = RustlsConnector::from(tls_config(credentials)?);
            ftp = ftp
                .into_secure(connector, &remote.host)
                .map_err(|e| ftp_failure(&host, "mở TLS với", "máy chủ", &e))?;
        }
        let password = if remote.user == "anonymous" {
            None
        } else {
            credentials::password(&format!("{}@{}", remote.user, remote.host))?
        };
        let Some(password) = password.or_else(|| {
            (remote.user == "anonymous").then(|| credentials::Password::new("datto@".into()))
        }) else {
            return Err(Failure(format!(
                "cần mật khẩu FTP của {}; đặt biến môi trường DATTO_PASSWORD hoặc chạy trong cửa sổ lệnh để gõ",
                remote.user
            )));
        };
        match ftp.login(remote.user.as_str(), password.as_str()) {
            Ok(()) => {}
            Err(FtpError::UnexpectedResponse(r)) if r.status == Status::NotLoggedIn => {
                return Err(Failure(format!(
                    "máy chủ {host} từ chối đăng nhập: sai tên đăng nhập ({}) hoặc mật khẩu",
                    remote.user
                )));
            }
            Err(e) => return Err(ftp_failure(&host, "đăng nhập vào", "máy chủ", &e)),
        }
        let _ = ftp.transfer_type(suppaftp::types::FileType::Binary);
        let mut target = FtpTarget {
            ftp,
            base: remote.path.clone(),
            host,
            secure,
            made_dirs: HashSet::new(),
        };
        let root = full_path(&target.base, "");
        if let Err(e) = target.ftp.cwd(&root) {
            return Err(if not_found(&e) {
                Failure(format!(
                    "không có thư mục {root} trên máy chủ {}; tạo nó trước hoặc sửa địa chỉ đăng",
                    target.host
                ))
            } else {
                ftp_failure(&target.host, "mở", &root, &e)
            });
        }
        Ok(target)
    }

    fn full(&self, path: &str) -> String {
        full_path(&self.base, path)
    }

    fn store(&mut self, path: &str, bytes: &[u8]) -> suppaftp::FtpResult<()> {
        let mut stream = self.ftp.put_with_stream(path)?;
        stream.write_all(bytes).map_err(FtpError::ConnectionError)?;
        stream.flush().map_err(FtpError::ConnectionError)?;
        // Read what a TLS 1.3 server sent unasked on the data connection (session tickets):
        // left unread, they turn the close into a TCP reset and the server may lose the end of
        // the file (pyftpdlib kept 16 KiB of 29). Non-blocking: only what has arrived.
        if self.secure && stream.get_ref().set_nonblocking(true).is_ok() {
            let mut buffer = [0u8; 256];
            let _ = stream.read(&mut buffer);
            let _ = stream.get_ref().set_nonblocking(false);
        }
        self.ftp.finalize_put_stream(stream)
    }
}

/// One line of `MLSD`: `type=file;size=12;modify=…; name`.
fn parse_mlsd(line: &str) -> Option<DirEntry> {
    let (facts, name) = line.split_once(' ')?;
    let fact = |key: &str| {
        facts.split(';').find_map(|f| {
            let (k, v) = f.split_once('=')?;
            k.eq_ignore_ascii_case(key).then_some(v)
        })
    };
    let name = name.trim_end_matches(['\r', '\n']);
    match fact("type")?.to_ascii_lowercase().as_str() {
        "cdir" | "pdir" => None,
        "dir" => Some(DirEntry::dir(name)),
        "file" => Some(DirEntry::file(
            name,
            fact("size").and_then(|s| s.parse().ok()),
        )),
        // A link or a device: somebody else's, never taken for one of datto's files unread.
        _ => Some(DirEntry::file(name, None)),
    }
}

impl Transport for FtpTarget {
    fn read(&mut self, path: &str) -> Result<Option<Vec<u8>>> {
        let full = self.full(path);
        match self.ftp.retr_as_buffer(&full) {
            Ok(cursor) => Ok(Some(cursor.into_inner())),
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(ftp_failure(&self.host, "đọc", path, &e)),
        }
    }

    fn list_dir(&mut self, dir: &str) -> Result<Option<Vec<DirEntry>>> {
        let full = self.full(dir);
        match self.ftp.mlsd(Some(&full)) {
            Ok(lines) => Ok(Some(lines.iter().filter_map(|l| parse_mlsd(l)).collect())),
            // pyftpdlib answers 501 for a folder that does not exist.
            Err(FtpError::UnexpectedResponse(r)) if r.status == Status::BadArguments => Ok(None),
            Err(e) if not_found(&e) => Ok(None),
            Err(e) => Err(ftp_failure(&self.host, "đọc", dir, &e)),
        }
    }

    fn put(&mut self, files: &[Put], done: &mut dyn FnMut(u64)) -> Result<()> {
        for put in files {
            for dir in parents(&put.path) {
                if self.made_dirs.insert(dir.to_string()) {
                    // Refused when the folder exists, which is fine.
                    let _ = self.ftp.mkdir(full_path(&self.base, dir));
                }
            }
            let bytes = put.from.read()?;
            let temp = self.full(&temp_name(&put.path));
            let full = self.full(&put.path);
            if let Err(e) = self.store(&temp, &bytes) {
                let _ = self.ftp.rm(&temp);
                return Err(ftp_failure(&self.host, "ghi", &put.path, &e));
            }
            // A server that lost the end of an upload is caught before the rename (a server
            // without SIZE is trusted).
            if let Ok(size) = self.ftp.size(&temp)
                && size != bytes.len()
            {
                let _ = self.ftp.rm(&temp);
                return Err(Failure(format!(
                    "máy chủ {} chỉ nhận được {size} trong {} byte của {}; chạy lại `datto publish`",
                    self.host,
                    bytes.len(),
                    put.path
                )));
            }
            if self.ftp.rename(&temp, &full).is_err() {
                // Some servers refuse to rename over a file: remove it first.
                let _ = self.ftp.rm(&full);
                if let Err(e) = self.ftp.rename(&temp, &full) {
                    let _ = self.ftp.rm(&temp);
                    return Err(ftp_failure(&self.host, "ghi", &put.path, &e));
                }
            }
            done(bytes.len() as u64);
        }
        Ok(())
    }

    fn delete(&mut self, paths: &[String]) -> Result<()> {
        for path in paths {
            match self.ftp.rm(self.full(path)) {
                Ok(()) => {}
                Err(e) if not_found(&e) => {}
                Err(e) => return Err(ftp_failure(&self.host, "xoá", path, &e)),
            }
        }
        for dir in emptied_dirs(paths) {
            let _ = self.ftp.rmdir(self.full(&dir));
        }
        Ok(())
    }
}

impl Drop for FtpTarget {
    fn drop(&mut self) {
        let _ = self.ftp.quit();
    }
}

#[cfg(test)]
pub(crate) mod tests {
    /// A private CA (P-256, made once with openssl for this test), as a PEM file saved on
    /// Windows: CRLF line ends.
    pub(crate) const CA_PEM_CRLF: &str = "-----BEGIN CERTIFICATE-----\r\nMIIBhjCCAS2gAwIBAgIUbR1uPEMPaEflH0NzQ4nSe/kgBoYwCgYIKoZIzj0EAwIw\r\nGDEWMBQGA1UEAwwNZGF0dG8tdGVzdC1jYTAgFw0yNjEyMDExMjI3MzFaGA8yMTI2\r\nMTEwNzEyMjczMVowGDEWMBQGA1UEAwwNZGF0dG8tdGVzdC1jYTBZMBMGByqGSM49\r\nAgEGCCqGSM49AwEHA0IABJhWMglRIQx2nDl7SYv+uSurXJN+NKegfySZ6yHOd/8A\r\n3NIiaO2TdqZnoZd/x01Wnq1kT8NwJ7GzbK/7krR+0gSjUzBRMB0GA1UdDgQWBBSc\r\nKHjd/S9EQoHyFnsj5ail7wxk3TAfBgNVHSMEGDAWgBScKHjd/S9EQoHyFnsj5ail\r\n7wxk3TAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCIFMFn+YFDvdZ\r\n/+M8UIHrrMNEi/GovYFlr0HUFZ4RoqIiAiA3d9X7tEXDNPjTMDkNw0K5YoU0QDNI\r\nw1/lfwyiBZjiKw==\r\n-----END CERTIFICATE-----\r\n";

    #[test]
    fn a_ca_file_with_crlf_line_ends_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("chung-chi.pem");
        std::fs::write(&file, CA_PEM_CRLF).unwrap();
        let mut credentials = super::Credentials::from_home(false, Some(file.clone()));
        assert!(super::tls_config(&credentials).is_ok());
        std::fs::write(&file, "không phải PEM\r\n").unwrap();
        let Err(failure) = super::tls_config(&credentials) else {
            panic!("a file without a certificate is refused");
        };
        assert!(failure.0.contains("không chứa chứng chỉ"), "{}", failure.0);
        credentials.ca_file = Some(dir.path().join("thiếu.pem"));
        assert!(super::tls_config(&credentials).is_err());
    }

    #[test]
    fn mlsd_lines() {
        use super::DirEntry;
        let cases = [
            (
                "type=file;size=12;modify=20260101; index.html",
                Some(DirEntry::file("index.html", Some(12))),
            ),
            (
                "Type=file;Size=x; a b.css",
                Some(DirEntry::file("a b.css", None)),
            ),
            (
                "type=dir;modify=20260101; tin tức",
                Some(DirEntry::dir("tin tức")),
            ),
            ("type=cdir; .", None),
            (
                "Type=OS.unix=symlink;size=3; link",
                Some(DirEntry::file("link", None)),
            ),
            ("garbage", None),
        ];
        for (line, expected) in cases {
            assert_eq!(super::parse_mlsd(line), expected, "{line}");
        }
        assert_eq!(super::full_path("/", "a"), "/a");
        assert_eq!(super::full_path("/www/", ""), "/www");
        assert_eq!(super::full_path("", ""), "/");
    }
}
