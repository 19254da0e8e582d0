//! The site's address and the mapping from page paths to URLs and output files.
//!
//! Page paths are relative and slash-separated, with a trailing slash for pages
//! (`tin-bai/2018/hoi-nghi/`) and none for files (`rss.xml`). Every link the site writes is
//! root-relative and starts with the path part of `base_url`, so a site served under
//! `/phunu/` works; feeds and sitemaps use absolute URLs.

use std::fmt;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// `https://host` or `https://host:8080`, no trailing slash.
    origin: String,
    /// `/` or `/phunu/`: always starts and ends with `/`.
    path: String,
}

impl BaseUrl {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let rest = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
            .ok_or_else(|| format!("`{text}` phải bắt đầu bằng https:// hoặc http://"))?;
        let scheme_len = text.len() - rest.len();
        let (host, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if host.is_empty() || host.contains(['?', '#', ' ']) {
            return Err(format!("`{text}` không có tên miền hợp lệ"));
        }
        if path.contains(['?', '#', ' ', '\\']) || path.split('/').any(|s| s == ".." || s == ".") {
            return Err(format!("đường dẫn trong `{text}` không hợp lệ"));
        }
        let mut path = path.replace("//", "/");
        if !path.ends_with('/') {
            path.push('/');
        }
        Ok(BaseUrl {
            origin: text[..scheme_len + host.len()].to_string(),
            path,
        })
    }

    /// The path part: `/` or `/phunu/`.
    pub fn root(&self) -> &str {
        &self.path
    }

    /// Root-relative link for a page path: `tin-bai/` → `/phunu/tin-bai/`.
    pub fn link(&self, page_path: &str) -> String {
        format!("{}{}", self.path, page_path.trim_start_matches('/'))
    }

    /// Absolute URL for a page path, for feeds, sitemaps and sharing tags.
    pub fn absolute(&self, page_path: &str) -> String {
        format!("{}{}", self.origin, self.link(page_path))
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.origin, self.path)
    }
}

/// The file a page path is written to: directories get `index.html`.
pub fn output_file(page_path: &str) -> String {
    if page_path.is_empty() || page_path.ends_with('/') {
        format!("{page_path}index.html")
    } else {
        page_path.to_string()
    }
}

/// Page path of page `number` (1-based) of a paginated listing whose first page is `first`:
/// `tin-bai/` → `tin-bai/trang/2/`.
pub fn paginated(first: &str, number: usize) -> String {
    if number <= 1 {
        first.to_string()
    } else {
        format!("{first}trang/{number}/")
    }
}

/// Characters that must be escaped in a URL path (non-ASCII is always escaped).
const PATH_ESCAPE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'%')
    .add(b'\\')
    .add(b'^')
    .add(b'|');

/// An output path (`tin-bai/a b`) escaped as a URL path (`tin-bai/a%20b`).
pub fn escape_path(path: &str) -> String {
    utf8_percent_encode(path, PATH_ESCAPE).to_string()
}

/// A root-relative URL for an output path, escaped for use in `href`/`src`.
pub fn url_for(base: &BaseUrl, path: &str) -> String {
    base.link(&utf8_percent_encode(path, PATH_ESCAPE).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_escaped() {
        let base = BaseUrl::parse("https://h/phunu/").unwrap();
        assert_eq!(
            url_for(&base, "anh/ảnh mới.jpg"),
            "/phunu/anh/%E1%BA%A3nh%20m%E1%BB%9Bi.jpg"
        );
        assert_eq!(url_for(&base, "tin-bai/2018/a/"), "/phunu/tin-bai/2018/a/");
    }

    #[test]
    fn base_urls() {
        let cases = [
            (
                "https://phunudatto.example.vn/",
                "https://phunudatto.example.vn",
                "/",
            ),
            (
                "https://phunudatto.example.vn",
                "https://phunudatto.example.vn",
                "/",
            ),
            ("https://host/phunu/", "https://host", "/phunu/"),
            ("https://host/phunu", "https://host", "/phunu/"),
            ("http://127.0.0.1:1111/", "http://127.0.0.1:1111", "/"),
        ];
        for (input, origin, path) in cases {
            let b = BaseUrl::parse(input).unwrap();
            assert_eq!((b.origin.as_str(), b.root()), (origin, path), "{input}");
        }
        for bad in ["ftp://x/", "phunudatto.vn", "https:///x", "https://h/../x"] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn links_honour_sub_path() {
        let b = BaseUrl::parse("https://host/phunu/").unwrap();
        assert_eq!(b.link("tin-bai/"), "/phunu/tin-bai/");
        assert_eq!(b.link(""), "/phunu/");
        assert_eq!(b.absolute("rss.xml"), "https://host/phunu/rss.xml");
        assert_eq!(b.to_string(), "https://host/phunu/");
    }

    #[test]
    fn output_files_and_pagination() {
        assert_eq!(output_file(""), "index.html");
        assert_eq!(output_file("tin-bai/"), "tin-bai/index.html");
        assert_eq!(output_file("rss.xml"), "rss.xml");
        assert_eq!(paginated("tin-bai/", 1), "tin-bai/");
        assert_eq!(paginated("tin-bai/", 3), "tin-bai/trang/3/");
    }
}
