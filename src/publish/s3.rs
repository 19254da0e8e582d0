//! `s3://bucket/prefix`: S3-compatible object storage (AWS, MinIO, a Vietnamese cloud's
//! object storage behind a CDN). rusty-s3 signs each request (AWS Signature V4, sans-IO) and
//! ureq sends it over rustls.
//!
//! An object PUT is atomic (a reader gets the old object or the new one, never half), so
//! there is no temporary name; the order of the publish (files, pages, manifest, deletions)
//! and the manifest's `pending` list are what make an interrupted publish resumable.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use rusty_s3::actions::{DeleteObject, GetObject, ListObjectsV2, PutObject, S3Action};
use rusty_s3::{Bucket, Credentials as S3Credentials, UrlStyle};

use super::credentials::Credentials;
use super::target::S3Location;
use super::transport::{DirEntry, Failure, Put, Result, Transport};

/// Requests in flight at once (one thread each: ureq is blocking).
const IN_FLIGHT: usize = 16;
/// How long a signed request stays valid: it is sent at once.
const SIGNED_FOR: Duration = Duration::from_secs(15 * 60);

/// The access key's environment variables, datto's own first (they win).
pub const KEY_VARS: [&str; 2] = ["DATTO_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"];
pub const SECRET_VARS: [&str; 2] = ["DATTO_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"];
const TOKEN_VARS: [&str; 2] = ["DATTO_S3_SESSION_TOKEN", "AWS_SESSION_TOKEN"];

pub struct S3Target {
    agent: ureq::Agent,
    bucket: Bucket,
    keys: S3Credentials,
    /// `""` or `site/`: every key starts with it.
    prefix: String,
    /// The endpoint, for messages.
    host: String,
}

/// Content-Type of an object: what a browser needs to show it (text in UTF-8).
pub fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = mime.type_() == "text"
        || matches!(
            mime.essence_str(),
            "application/javascript"
                | "application/json"
                | "application/xml"
                | "application/rss+xml"
                | "application/atom+xml"
                | "image/svg+xml"
        );
    if text {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_string()
    }
}

/// Cache-Control of an object. Pages, feeds, the sitemap and the search index change with
/// every publish under the same name: a CDN or browser must ask again each time
/// (`no-cache` revalidates, cheap with the ETag). Styles, scripts, photos and fonts keep
/// their names too (they are not fingerprinted), so an hour, not a year: an edited photo
/// shows within the hour everywhere.
pub fn cache_control(path: &str) -> &'static str {
    let ext = path
        .rsplit('/')
        .next()
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "css" | "js" | "mjs" | "jpg" | "jpeg" | "png" | "webp" | "avif" | "gif" | "svg" | "ico"
        | "woff" | "woff2" | "ttf" | "otf" | "pdf" | "mp4" | "webm" | "mp3" => {
            "public, max-age=3600"
        }
        _ => "no-cache",
    }
}

fn first_var(names: &[&str]) -> Option<String> {
    names
        .iter()
        .filter_map(|n| std::env::var(n).ok())
        .find(|v| !v.trim().is_empty())
        .map(|v| v.trim().to_string())
}

fn tls_config(credentials: &Credentials) -> Result<ureq::tls::TlsConfig> {
    use ureq::tls::{Certificate, RootCerts, TlsConfig};
    let mut roots: Vec<Certificate<'static>> = rustls_native_certs::load_native_certs()
        .certs
        .iter()
        .map(|c| Certificate::from_der(c.as_ref()).to_owned())
        .collect();
    if let Some(path) = &credentials.ca_file {
        let pem = super::credentials::read_ca_file(path)?;
        let before = roots.len();
        for item in ureq::tls::parse_pem(&pem) {
            if let Ok(ureq::tls::PemItem::Certificate(cert)) = item {
                roots.push(cert);
            }
        }
        if roots.len() == before {
            return Err(Failure(format!(
                "tệp {} (--ca-file) không chứa chứng chỉ nào (cần dạng PEM: -----BEGIN CERTIFICATE-----)",
                path.display()
            )));
        }
    }
    let roots = if roots.is_empty() {
        // No system roots (a bare container): Mozilla's, built in.
        RootCerts::WebPki
    } else {
        RootCerts::new_with_certs(&roots)
    };
    Ok(TlsConfig::builder().root_certs(roots).build())
}

/// What an S3 error response says: its `<Code>`.
fn error_code(body: &str) -> Option<&str> {
    let start = body.find("<Code>")? + "<Code>".len();
    let end = body[start..].find("</Code>")? + start;
    Some(&body[start..end])
}

impl S3Target {
    pub fn connect(location: &S3Location, credentials: &Credentials) -> Result<S3Target> {
        let (Some(key), Some(secret)) = (first_var(&KEY_VARS), first_var(&SECRET_VARS)) else {
            return Err(Failure(format!(
                "cần khoá truy cập S3: đặt biến môi trường {} và {} (hoặc AWS_ACCESS_KEY_ID và AWS_SECRET_ACCESS_KEY); đừng ghi chúng vào content/",
                KEY_VARS[0], SECRET_VARS[0]
            )));
        };
        let keys = match first_var(&TOKEN_VARS) {
            Some(token) => S3Credentials::new_with_token(key, secret, token),
            None => S3Credentials::new(key, secret),
        };
        let region = location.region.clone();
        // A given endpoint (MinIO, a cloud other than AWS) is addressed by path, which
        // every S3-compatible server understands; AWS itself by bucket host name.
        let (endpoint, style) = match &location.endpoint {
            Some(endpoint) => (endpoint.clone(), UrlStyle::Path),
            None => (
                format!("https://s3.{region}.amazonaws.com"),
                UrlStyle::VirtualHost,
            ),
        };
        let bad_endpoint = || {
            Failure(format!(
                "địa chỉ máy chủ S3 `{endpoint}` không hợp lệ; viết dạng https://s3.may-chu.vn (--endpoint hoặc ?endpoint= trong địa chỉ đăng)"
            ))
        };
        let url: url::Url = endpoint.parse().map_err(|_| bad_endpoint())?;
        let host = url.host_str().unwrap_or_default().to_string();
        let bucket =
            Bucket::new(url, style, location.bucket.clone(), region).map_err(|_| bad_endpoint())?;
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(20)))
            .timeout_recv_response(Some(Duration::from_secs(120)))
            .tls_config(tls_config(credentials)?)
            .build();
        let target = S3Target {
            agent: ureq::Agent::new_with_config(config),
            bucket,
            keys,
            prefix: location.prefix.clone(),
            host,
        };
        // One small listing: the bucket exists and the keys are accepted.
        target.list_page(&target.prefix, Some("/"), None, Some(1))?;
        Ok(target)
    }

    fn key(&self, path: &str) -> String {
        format!("{}{path}", self.prefix)
    }

    /// One line for a failed request, without any secret (the signed URL holds none, but
    /// is not shown either).
    fn failure(&self, action: &str, path: &str, status: u16, body: &str) -> Failure {
        let code = error_code(body).unwrap_or_default();
        let bucket = self.bucket.name();
        match (status, code) {
            (_, "NoSuchBucket") => Failure(format!(
                "không có bucket `{bucket}` trên máy chủ S3 {}; tạo nó trước hoặc sửa địa chỉ đăng",
                self.host
            )),
            (_, "InvalidAccessKeyId" | "SignatureDoesNotMatch") | (401, _) => Failure(format!(
                "máy chủ S3 {} từ chối khoá truy cập (sai khoá hoặc khoá bí mật); kiểm tra {} và {}",
                self.host, KEY_VARS[0], SECRET_VARS[0]
            )),
            (403, _) => Failure(format!(
                "máy chủ S3 {} không cho {action} {path} trong bucket `{bucket}` (khoá không có quyền)",
                self.host
            )),
            (_, "QuotaExceeded" | "StorageQuotaExceeded") | (507, _) => Failure(format!(
                "bucket `{bucket}` đã hết dung lượng khi ghi {path}; giải phóng bớt rồi chạy lại `datto publish`"
            )),
            _ => Failure(format!(
                "máy chủ S3 {} không cho {action} {path} (mã {status}{}); chạy lại `datto publish` để làm tiếp",
                self.host,
                if code.is_empty() {
                    String::new()
                } else {
                    format!(", {code}")
                }
            )),
        }
    }

    fn unreachable(&self, e: &ureq::Error) -> Failure {
        match e {
            ureq::Error::Tls(_) | ureq::Error::Rustls(_) => Failure(format!(
                "chứng chỉ TLS của máy chủ S3 {} không được xác thực ({e}); datto không gửi gì. Nếu máy chủ dùng chứng chỉ riêng, chỉ ra nó bằng --ca-file TỆP.pem",
                self.host
            )),
            _ => Failure(format!(
                "không kết nối được tới máy chủ S3 {} ({e}); kiểm tra địa chỉ và mạng rồi chạy lại `datto publish`",
                self.host
            )),
        }
    }

    /// Sends a signed request; the status and body when the server answered.
    fn send(
        &self,
        request: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<(u16, Vec<u8>)> {
        let mut response = request.map_err(|e| self.unreachable(&e))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .map_err(|e| self.unreachable(&e))?;
        Ok((status, body))
    }

    fn list_page(
        &self,
        prefix: &str,
        delimiter: Option<&str>,
        token: Option<&str>,
        max_keys: Option<usize>,
    ) -> Result<rusty_s3::actions::ListObjectsV2Response> {
        let mut action = ListObjectsV2::new(&self.bucket, Some(&self.keys));
        action.with_prefix(prefix.to_string());
        if let Some(d) = delimiter {
            action.with_delimiter(d.to_string());
        }
        if let Some(t) = token {
            action.with_continuation_token(t.to_string());
        }
        if let Some(n) = max_keys {
            action.with_max_keys(n);
        }
        let url = action.sign(SIGNED_FOR);
        let (status, body) = self.send(self.agent.get(url.as_str()).call())?;
        let text = String::from_utf8_lossy(&body);
        if status != 200 {
            return Err(self.failure("đọc", "danh sách tệp", status, &text));
        }
        ListObjectsV2::parse_response(text.as_bytes()).map_err(|e| {
            Failure(format!(
                "máy chủ S3 {} trả lời danh sách tệp không đọc được ({e})",
                self.host
            ))
        })
    }

    /// Every object under `prefix` (with `/` as delimiter: one folder level), page by page.
    fn list(&self, prefix: &str, delimiter: Option<&str>) -> Result<Vec<DirEntry>> {
        let mut out = Vec::new();
        let mut token = None;
        loop {
            let page = self.list_page(prefix, delimiter, token.as_deref(), None)?;
            for object in page.contents {
                if let Some(name) = object.key.strip_prefix(prefix)
                    && !name.is_empty()
                {
                    out.push(DirEntry::file(name, Some(object.size)));
                }
            }
            for common in page.common_prefixes {
                if let Some(name) = common.prefix.strip_prefix(prefix) {
                    out.push(DirEntry::dir(name.trim_end_matches('/')));
                }
            }
            match page.next_continuation_token {
                Some(next) if !next.is_empty() => token = Some(next),
                _ => return Ok(out),
            }
        }
    }

    fn get(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let key = self.key(path);
        let url = GetObject::new(&self.bucket, Some(&self.keys), &key).sign(SIGNED_FOR);
        match self.send(self.agent.get(url.as_str()).call())? {
            (200, body) => Ok(Some(body)),
            (404, _) => Ok(None),
            (status, body) => {
                Err(self.failure("đọc", path, status, &String::from_utf8_lossy(&body)))
            }
        }
    }

    fn put_one(&self, put: &Put) -> Result<u64> {
        let bytes = put.from.read()?;
        let key = self.key(&put.path);
        let content_type = content_type(&put.path);
        let cache = cache_control(&put.path);
        let mut action = PutObject::new(&self.bucket, Some(&self.keys), &key);
        // Signed, so that nobody on the way can change them.
        action
            .headers_mut()
            .insert("content-type", content_type.clone());
        action.headers_mut().insert("cache-control", cache);
        let url = action.sign(SIGNED_FOR);
        let request = self
            .agent
            .put(url.as_str())
            .header("content-type", &content_type)
            .header("cache-control", cache)
            .send(&bytes[..]);
        match self.send(request)? {
            (200..=299, _) => Ok(bytes.len() as u64),
            (status, body) => {
                Err(self.failure("ghi", &put.path, status, &String::from_utf8_lossy(&body)))
            }
        }
    }

    fn delete_one(&self, path: &str) -> Result<u64> {
        let key = self.key(path);
        let url = DeleteObject::new(&self.bucket, Some(&self.keys), &key).sign(SIGNED_FOR);
        match self.send(self.agent.delete(url.as_str()).call())? {
            // A missing object is fine (S3 answers 204 anyway, some servers 404).
            (200..=299 | 404, _) => Ok(0),
            (status, body) => {
                Err(self.failure("xoá", path, status, &String::from_utf8_lossy(&body)))
            }
        }
    }
}

/// Runs `work` on every item, [`IN_FLIGHT`] at a time, and calls `done` with each result in
/// this thread; stops starting new ones after the first failure, which it returns.
fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    work: impl Fn(usize, &T) -> Result<R> + Sync,
    mut done: impl FnMut(usize, R),
) -> Result<()> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<(usize, Result<R>)>();
    std::thread::scope(|scope| {
        for _ in 0..IN_FLIGHT.min(items.len()) {
            let tx = tx.clone();
            let (next, stop, work) = (&next, &stop, &work);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = work(i, item);
                    if result.is_err() {
                        stop.store(true, Ordering::Relaxed);
                    }
                    if tx.send((i, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut failure = None;
        for (i, result) in rx {
            match result {
                Ok(r) => done(i, r),
                Err(f) => failure = failure.or(Some(f)),
            }
        }
        failure.map_or(Ok(()), Err)
    })
}

impl Transport for S3Target {
    fn read(&mut self, path: &str) -> Result<Option<Vec<u8>>> {
        self.get(path)
    }

    fn list_dir(&mut self, dir: &str) -> Result<Option<Vec<DirEntry>>> {
        let prefix = if dir.is_empty() {
            self.prefix.clone()
        } else {
            format!("{}{dir}/", self.prefix)
        };
        self.list(&prefix, Some("/")).map(Some)
    }

    /// One flat listing (1,000 keys a request), not one request per folder.
    fn list_all(&mut self) -> Result<Vec<(String, Option<u64>)>> {
        let prefix = self.prefix.clone();
        Ok(self
            .list(&prefix, None)?
            .into_iter()
            .map(|e| (e.name, e.size))
            .collect())
    }

    fn hashes(&mut self, paths: &[String]) -> Result<Vec<Option<String>>> {
        let mut out = vec![None; paths.len()];
        let this = &*self;
        in_parallel(
            paths,
            |_, path| Ok(this.get(path)?.map(|b| super::manifest::sha256_hex(&b))),
            |i, hash| out[i] = hash,
        )?;
        Ok(out)
    }

    fn put(&mut self, files: &[Put], done: &mut dyn FnMut(u64)) -> Result<()> {
        let this = &*self;
        in_parallel(files, |_, put| this.put_one(put), |_, size| done(size))
    }

    fn delete(&mut self, paths: &[String]) -> Result<()> {
        let this = &*self;
        in_parallel(paths, |_, path| this.delete_one(path), |_, _| {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_and_caching() {
        let cases = [
            ("index.html", "text/html; charset=utf-8", "no-cache"),
            (
                "tin-bai/a/index.html",
                "text/html; charset=utf-8",
                "no-cache",
            ),
            (
                "css/style.css",
                "text/css; charset=utf-8",
                "public, max-age=3600",
            ),
            (
                "js/tim-kiem.js",
                "text/javascript; charset=utf-8",
                "public, max-age=3600",
            ),
            ("anh/a-480x360.webp", "image/webp", "public, max-age=3600"),
            ("anh/A.JPG", "image/jpeg", "public, max-age=3600"),
            ("feed.xml", "text/xml; charset=utf-8", "no-cache"),
            (
                "tim-kiem/chi-muc.json",
                "application/json; charset=utf-8",
                "no-cache",
            ),
            (
                "thong-ke/2026.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "no-cache",
            ),
            ("robots.txt", "text/plain; charset=utf-8", "no-cache"),
            ("không-đuôi", "application/octet-stream", "no-cache"),
        ];
        for (path, kind, cache) in cases {
            assert_eq!(content_type(path), kind, "{path}");
            assert_eq!(cache_control(path), cache, "{path}");
        }
    }

    #[test]
    fn a_ca_file_with_crlf_line_ends_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("chung-chi.pem");
        std::fs::write(&file, crate::publish::ftp::tests::CA_PEM_CRLF).unwrap();
        let credentials = Credentials::from_home(false, Some(file.clone()));
        assert!(tls_config(&credentials).is_ok());
        std::fs::write(&file, "không phải PEM\r\n").unwrap();
        assert!(tls_config(&credentials).is_err());
    }

    #[test]
    fn error_codes() {
        let body =
            "<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code><Message>x</Message></Error>";
        assert_eq!(error_code(body), Some("NoSuchBucket"));
        assert_eq!(error_code("<html>"), None);
    }

    #[test]
    fn parallel_work_reports_every_result_and_the_failure() {
        let items: Vec<usize> = (0..100).collect();
        let mut sum = 0;
        in_parallel(&items, |_, n| Ok(*n), |_, n| sum += n).unwrap();
        assert_eq!(sum, 4950);
        let failed = in_parallel(
            &items,
            |_, n| {
                if *n == 50 {
                    Err(Failure("hỏng".into()))
                } else {
                    Ok(())
                }
            },
            |_, ()| {},
        );
        assert_eq!(failed.unwrap_err().0, "hỏng");
    }
}
