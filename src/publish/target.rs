//! Where `datto publish` copies the output: the `--to` / `publish.url` address, parsed.

use std::path::PathBuf;

use percent_encoding::percent_decode_str;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A folder on this computer (or a mounted share).
    File {
        path: PathBuf,
    },
    Sftp(Remote),
    /// `secure`: explicit TLS (`AUTH TLS`), the `ftps://` scheme.
    Ftp {
        remote: Remote,
        secure: bool,
    },
    /// S3-compatible object storage.
    S3(S3Location),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Location {
    pub bucket: String,
    /// `""`, or the folder inside the bucket with a trailing `/` (`site/`).
    pub prefix: String,
    /// `https://host[:port]` of an S3-compatible server; `None`: AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
}

/// The region when none is given: AWS's default, which S3-compatible servers accept.
pub const DEFAULT_REGION: &str = "us-east-1";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub user: String,
    pub host: String,
    pub port: u16,
    /// The folder on the server, as written after the host (`/` when none): an absolute path,
    /// or, after `/~/`, one relative to the login folder.
    pub path: String,
}

impl Target {
    pub fn parse(url: &str) -> Result<Target, String> {
        let url = url.trim();
        let Some((scheme, rest)) = url.split_once("://") else {
            return Err(format!(
                "địa chỉ đăng `{url}` không hợp lệ; viết dạng sftp://tên@máy-chủ/thư-mục, ftp://…, ftps://… hoặc file:///thư-mục"
            ));
        };
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
        match scheme.to_ascii_lowercase().as_str() {
            "file" => {
                if !rest.starts_with('/') {
                    return Err(format!(
                        "`{url}`: địa chỉ file:// phải có đường dẫn tuyệt đối, ví dụ file:///mnt/web"
                    ));
                }
                // file:///C:/web on Windows: drop the slash before the drive letter.
                let path = decode(rest);
                let path = match path.as_bytes() {
                    [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() => path[1..].to_string(),
                    _ => path,
                };
                Ok(Target::File {
                    path: PathBuf::from(path),
                })
            }
            scheme @ ("sftp" | "ftp" | "ftps") => {
                let (authority, path) = match rest.find('/') {
                    Some(i) => (&rest[..i], &rest[i..]),
                    None => (rest, "/"),
                };
                let (user, hostport) = match authority.rsplit_once('@') {
                    Some((user, hostport)) => (Some(decode(user)), hostport),
                    None => (None, authority),
                };
                if user.as_deref().is_some_and(|u| u.contains(':')) {
                    // The address is not repeated: it holds the password.
                    return Err("đừng ghi mật khẩu vào địa chỉ đăng; đặt biến môi trường DATTO_PASSWORD hoặc gõ khi được hỏi".into());
                }
                let default_port = if scheme == "sftp" { 22 } else { 21 };
                let (host, port) = split_port(hostport, default_port)
                    .ok_or_else(|| format!("`{url}`: cổng không hợp lệ"))?;
                if host.is_empty() {
                    return Err(format!("`{url}`: thiếu tên máy chủ"));
                }
                let user = match user {
                    Some(user) if !user.is_empty() => user,
                    _ if scheme == "sftp" => {
                        return Err(format!(
                            "`{url}`: thiếu tên đăng nhập, viết dạng sftp://tên@{host}{path}"
                        ));
                    }
                    _ => "anonymous".to_string(),
                };
                let path = decode(path);
                let path = match path.strip_prefix("/~") {
                    Some(relative) => relative.trim_start_matches('/').to_string(),
                    None => path,
                };
                let remote = Remote {
                    user,
                    host,
                    port,
                    path,
                };
                Ok(match scheme {
                    "sftp" => Target::Sftp(remote),
                    _ => Target::Ftp {
                        remote,
                        secure: scheme == "ftps",
                    },
                })
            }
            "s3" => parse_s3(url, rest),
            other => Err(format!(
                "không biết cách đăng lên `{other}://`; datto đăng được lên sftp://, ftp://, ftps://, s3:// và file://"
            )),
        }
    }

    /// The address without any secret, for messages.
    pub fn shown(&self) -> String {
        match self {
            Target::File { path } => format!("file://{}", path.display()),
            Target::Sftp(r) => format!("sftp://{}@{}:{}{}", r.user, r.host, r.port, r.path),
            Target::Ftp { remote: r, secure } => format!(
                "{}://{}@{}:{}{}",
                if *secure { "ftps" } else { "ftp" },
                r.user,
                r.host,
                r.port,
                r.path
            ),
            Target::S3(s3) => format!(
                "s3://{}/{}{}",
                s3.bucket,
                s3.prefix,
                s3.endpoint
                    .as_ref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default()
            ),
        }
    }

    /// `--endpoint` and `--region` of the command line, which win over the address's.
    pub fn with_s3_options(mut self, endpoint: Option<&str>, region: Option<&str>) -> Target {
        if let Target::S3(s3) = &mut self {
            if let Some(e) = endpoint {
                s3.endpoint = Some(e.trim_end_matches('/').to_string());
            }
            if let Some(r) = region {
                s3.region = r.to_string();
            }
        }
        self
    }
}

/// `s3://bucket/prefix/?endpoint=https://host&region=R`.
fn parse_s3(url: &str, rest: &str) -> Result<Target, String> {
    let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
    if bucket.contains('@') || bucket.contains(':') {
        return Err("đừng ghi khoá truy cập vào địa chỉ đăng; đặt biến môi trường DATTO_S3_ACCESS_KEY_ID và DATTO_S3_SECRET_ACCESS_KEY".into());
    }
    if bucket.is_empty() {
        return Err(format!(
            "`{url}`: thiếu tên bucket, viết dạng s3://tên-bucket/thư-mục/"
        ));
    }
    let prefix = percent_decode_str(prefix.trim_matches('/')).decode_utf8_lossy();
    let prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}/")
    };
    let mut endpoint = None;
    let mut region = DEFAULT_REGION.to_string();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode_str(value).decode_utf8_lossy().into_owned();
        match key {
            "endpoint" => endpoint = Some(value.trim_end_matches('/').to_string()),
            "region" if !value.is_empty() => region = value,
            _ => {
                return Err(format!(
                    "`{url}`: không hiểu `{key}`; sau dấu ? chỉ có endpoint=… và region=…"
                ));
            }
        }
    }
    if let Some(e) = &endpoint
        && !(e.starts_with("https://") || e.starts_with("http://"))
    {
        return Err(format!(
            "`{url}`: endpoint phải bắt đầu bằng https://, ví dụ ?endpoint=https://s3.may-chu.vn"
        ));
    }
    Ok(Target::S3(S3Location {
        bucket: bucket.to_string(),
        prefix,
        endpoint,
        region,
    }))
}

/// `host`, `host:port`, `[v6]`, `[v6]:port`.
fn split_port(hostport: &str, default: u16) -> Option<(String, u16)> {
    if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None if after.is_empty() => default,
            None => return None,
        };
        return Some((host.to_string(), port));
    }
    match hostport.rsplit_once(':') {
        Some((host, port)) => Some((host.to_string(), port.parse().ok()?)),
        None => Some((hostport.to_string(), default)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(user: &str, host: &str, port: u16, path: &str) -> Remote {
        Remote {
            user: user.into(),
            host: host.into(),
            port,
            path: path.into(),
        }
    }

    #[test]
    fn parses_every_scheme() {
        let cases: &[(&str, Target)] = &[
            (
                "sftp://hoi@web.example.vn/public_html/",
                Target::Sftp(remote("hoi", "web.example.vn", 22, "/public_html/")),
            ),
            (
                "sftp://hoi@127.0.0.1:2222/~/www",
                Target::Sftp(remote("hoi", "127.0.0.1", 2222, "www")),
            ),
            (
                "ftp://web.example.vn",
                Target::Ftp {
                    remote: remote("anonymous", "web.example.vn", 21, "/"),
                    secure: false,
                },
            ),
            (
                "ftps://ph%C3%BAn%E1%BB%AF@[::1]:990/htdocs",
                Target::Ftp {
                    remote: remote("phúnữ", "::1", 990, "/htdocs"),
                    secure: true,
                },
            ),
            (
                "file:///mnt/web%20site",
                Target::File {
                    path: PathBuf::from("/mnt/web site"),
                },
            ),
            (
                "s3://trang-hoi/ban-chinh/?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=hn",
                Target::S3(S3Location {
                    bucket: "trang-hoi".into(),
                    prefix: "ban-chinh/".into(),
                    endpoint: Some("http://127.0.0.1:9000".into()),
                    region: "hn".into(),
                }),
            ),
            (
                "s3://trang-hoi?endpoint=https://s3.example.vn/",
                Target::S3(S3Location {
                    bucket: "trang-hoi".into(),
                    prefix: String::new(),
                    endpoint: Some("https://s3.example.vn".into()),
                    region: DEFAULT_REGION.into(),
                }),
            ),
            (
                "file:///C:/web",
                Target::File {
                    path: PathBuf::from("C:/web"),
                },
            ),
        ];
        for (url, expected) in cases {
            assert_eq!(&Target::parse(url).unwrap(), expected, "{url}");
        }
        let given = Target::parse("s3://b/p?endpoint=https://a.vn")
            .unwrap()
            .with_s3_options(Some("http://127.0.0.1:9/"), Some("vn"));
        let Target::S3(s3) = given else { panic!("s3") };
        assert_eq!(s3.endpoint.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(s3.region, "vn");
    }

    #[test]
    fn refuses_bad_addresses_in_vietnamese() {
        let cases: &[(&str, &str)] = &[
            ("http://example.vn/", "không biết cách đăng lên `http://`"),
            ("web.example.vn", "không hợp lệ"),
            ("sftp://web.example.vn/", "thiếu tên đăng nhập"),
            ("sftp://a:secret@host/", "đừng ghi mật khẩu"),
            ("ftp://a@host:port/", "cổng không hợp lệ"),
            ("file://relative", "đường dẫn tuyệt đối"),
            ("sftp://a@/x", "thiếu tên máy chủ"),
            ("s3:///x", "thiếu tên bucket"),
            ("s3://key:secret@bucket/", "đừng ghi khoá"),
            ("s3://b/?endpoint=s3.example.vn", "https://"),
            ("s3://b/?acl=public", "không hiểu `acl`"),
        ];
        for (url, needle) in cases {
            let message = Target::parse(url).unwrap_err();
            assert!(message.contains(needle), "{url}: {message}");
            assert!(!message.contains("secret"), "{message}");
        }
    }
}
