//! Slash-separated relative paths: joining, normalising and refusing escapes.
//!
//! Everything the site writes goes through [`clean_relative`], which is what guarantees that
//! no slug, link or asset name can reach outside the output folder.

use std::borrow::Cow;

/// A reference from content to a local file, before it is mapped to the output.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LocalRef {
    /// Relative to the referring file: `tin-bai/2018/foo/anh.jpg` (relative to `content/`).
    Content(String),
    /// From the site root: `anh/logo.png` (a static file or a page path).
    Root(String),
}

impl LocalRef {
    /// The path it names, for messages.
    pub fn written(&self) -> &str {
        match self {
            LocalRef::Content(p) | LocalRef::Root(p) => p,
        }
    }
}

/// Resolves `target` (as written in front matter or a link) against the folder `dir` of the
/// referring file. `None` for targets that leave the site (`../../..`) or are empty.
pub fn resolve(dir: &str, target: &str) -> Option<LocalRef> {
    let target = percent_decode(target);
    if let Some(rooted) = target.strip_prefix('/') {
        return clean_relative(rooted).map(LocalRef::Root);
    }
    clean_relative(&format!("{dir}{target}")).map(LocalRef::Content)
}

/// A name Windows refuses for any file or folder, whatever its extension (`con`, `aux.md`,
/// `LPT1.jpg`): a site built or copied there would fail on it. Staff build on Windows.
pub fn windows_reserved(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or(name).trim_end();
    let upper = stem.to_ascii_uppercase();
    matches!(upper.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (upper.len() == 4
            && (upper.starts_with("COM") || upper.starts_with("LPT"))
            && upper.as_bytes()[3].is_ascii_digit()
            && upper.as_bytes()[3] != b'0')
}

/// The segments of `path` with `.`, `..` and empty ones resolved; `None` when the path
/// escapes its root or contains a backslash or NUL. The one place paths are normalised:
/// content links, output files and the dev server's requests all go through it.
pub fn segments(path: &str) -> Option<Vec<&str>> {
    if path.contains(['\\', '\0']) {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            other => parts.push(other),
        }
    }
    Some(parts)
}

/// Removes `.` and `..` segments; `None` when the path escapes its root, contains a
/// backslash or NUL, or is empty. Keeps a trailing slash.
pub fn clean_relative(path: &str) -> Option<String> {
    let parts = segments(path)?;
    if parts.is_empty() {
        return None;
    }
    let mut cleaned = parts.join("/");
    if path.ends_with('/') {
        cleaned.push('/');
    }
    Some(cleaned)
}

pub fn percent_decode(text: &str) -> Cow<'_, str> {
    if !text.contains('%') {
        return Cow::Borrowed(text);
    }
    percent_encoding::percent_decode_str(text).decode_utf8_lossy()
}

/// True for links that leave the site: `https:`, `mailto:`, `tel:`, `//host`.
pub fn is_external(link: &str) -> bool {
    if link.starts_with("//") {
        return true;
    }
    match link.find(':') {
        Some(colon) => {
            let scheme = &link[..colon];
            !scheme.is_empty()
                && !link[..colon].contains('/')
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// True for `javascript:`, `vbscript:` and `data:` links, which would run code or show
/// arbitrary pages when clicked. Browsers ignore case and drop tabs, newlines and leading
/// control characters in a URL, so this does too.
pub fn runs_code(link: &str) -> bool {
    let folded: String = link
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .take(12)
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "vbscript:", "data:"]
        .iter()
        .any(|scheme| folded.starts_with(scheme))
}

/// Splits `a/b.md#phan-2` into the path and the `#fragment` (kept with its `#`, or empty).
/// A query string is kept with the fragment part, as browsers would.
pub fn split_fragment(link: &str) -> (&str, &str) {
    match link.find(['#', '?']) {
        Some(i) => (&link[..i], &link[i..]),
        None => (link, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_windows_refuses() {
        for name in [
            "con",
            "CON",
            "aux.md",
            "nul.tar.gz",
            "Com1",
            "lpt9.jpg",
            "prn ",
        ] {
            assert!(windows_reserved(name), "{name}");
        }
        for name in [
            "con-ga",
            "console",
            "com0",
            "com10",
            "lpt",
            "hoi-nghi",
            "bao-con.md",
        ] {
            assert!(!windows_reserved(name), "{name}");
        }
    }

    #[test]
    fn cleaning() {
        let cases = [
            ("a/b/c", Some("a/b/c")),
            ("a/./b//c/", Some("a/b/c/")),
            ("a/../b", Some("b")),
            ("a/../../b", None),
            ("../etc/passwd", None),
            ("", None),
            ("a\\..\\b", None),
            ("anh/%2e%2e", Some("anh/%2e%2e")),
        ];
        for (input, expected) in cases {
            assert_eq!(clean_relative(input).as_deref(), expected, "{input}");
        }
    }

    #[test]
    fn resolving_against_a_folder() {
        let dir = "tin-bai/2018/";
        assert_eq!(
            resolve(dir, "a.md"),
            Some(LocalRef::Content("tin-bai/2018/a.md".into()))
        );
        assert_eq!(
            resolve(dir, "../2017/b.md"),
            Some(LocalRef::Content("tin-bai/2017/b.md".into()))
        );
        assert_eq!(
            resolve(dir, "/anh/x.png"),
            Some(LocalRef::Root("anh/x.png".into()))
        );
        assert_eq!(
            resolve(dir, "anh%20mới.jpg"),
            Some(LocalRef::Content("tin-bai/2018/anh mới.jpg".into()))
        );
        assert_eq!(resolve(dir, "../../../x"), None);
        assert_eq!(resolve(dir, "%2e%2e/%2e%2e/%2e%2e/x"), None);
    }

    #[test]
    fn external_links() {
        for link in [
            "https://x.vn",
            "http://x",
            "mailto:a@b.vn",
            "tel:0210",
            "//cdn.x/y.js",
        ] {
            assert!(is_external(link), "{link}");
        }
        for link in ["a.md", "/gioi-thieu/", "#muc-1", "../a.md", "anh/a:b.png"] {
            assert!(!is_external(link), "{link}");
        }
    }

    #[test]
    fn links_that_run_code() {
        for link in [
            "javascript:alert(1)",
            "JavaScript:x",
            " javascript:x",
            "java\tscript:x",
            "vbscript:x",
            "data:text/html,<b>",
        ] {
            assert!(runs_code(link), "{link:?}");
        }
        for link in [
            "https://x.vn",
            "a.md",
            "/javascript/",
            "mailto:a@b.vn",
            "#data",
        ] {
            assert!(!runs_code(link), "{link:?}");
        }
    }

    #[test]
    fn fragments() {
        assert_eq!(split_fragment("a.md#phan-2"), ("a.md", "#phan-2"));
        assert_eq!(split_fragment("a.md"), ("a.md", ""));
        assert_eq!(split_fragment("#top"), ("", "#top"));
    }
}
