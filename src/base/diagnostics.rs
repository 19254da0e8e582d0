//! Errors written for the people who edit content: a file, a line, a message and a hint.
//!
//! These are kept apart from internal errors (`anyhow`): a [`Diagnostic`] is something staff
//! can fix in their Markdown or `site.yaml`; anything else is a bug or an I/O failure.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one file, shown as `path:line: message (gợi ý: hint)`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Path as the user knows it: relative to the site root (`content/tin-bai/a.md`).
    pub path: PathBuf,
    /// 1-based line; file-level problems point at line 1.
    pub line: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(path: impl Into<PathBuf>, line: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            path: path.into(),
            line: line.max(1),
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_optional_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Forward slashes on every platform: this is what staff copy into a chat or an issue.
        let path = self.path.to_string_lossy().replace('\\', "/");
        // One line per problem, whatever a quoted value holds (a line break, an escape
        // sequence that would recolour the terminal): `path:line: message` stays greppable.
        let one_line = |text: &str| text.replace(|c: char| c.is_control(), " ");
        write!(f, "{path}:{}: {}", self.line, one_line(&self.message))?;
        if let Some(hint) = &self.hint {
            write!(f, " (gợi ý: {})", one_line(hint))?;
        }
        Ok(())
    }
}

/// Everything a build found wrong, in a stable order (by file, then line).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, more: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(more);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Sorted and deduplicated, so that parallel loading still prints a stable report.
    pub fn into_sorted(self) -> Vec<Diagnostic> {
        self.sorted().0
    }

    fn sorted(mut self) -> Diagnostics {
        self.0.sort();
        self.0.dedup();
        self
    }

    /// `Ok(value)` when nothing was collected, else every diagnostic.
    pub fn into_result<T>(self, value: T) -> Result<T, Error> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(Error::content(self))
        }
    }
}

impl std::ops::Deref for Diagnostics {
    type Target = [Diagnostic];
    fn deref(&self) -> &[Diagnostic] {
        &self.0
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(v: Vec<Diagnostic>) -> Self {
        Diagnostics(v)
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

/// The error of every command: either the content is wrong (staff fix it) or something
/// outside the content failed (disk full, permission, a bug).
#[derive(Debug)]
pub enum Error {
    /// What staff can fix, sorted by file and line (made by [`Error::content`]).
    Content(Diagnostics),
    /// A bad command-line value (`--year abc`): one line, exit code 2.
    Usage(String),
    Internal(anyhow::Error),
}

impl Error {
    /// Content problems, sorted and deduplicated for a stable report.
    pub fn content(problems: impl Into<Diagnostics>) -> Error {
        Error::Content(problems.into().sorted())
    }

    /// Both results, or every content problem of both (sorted): two stages that run side by
    /// side report together. An internal or usage error wins.
    pub fn both<A, B>(a: Result<A, Error>, b: Result<B, Error>) -> Result<(A, B), Error> {
        match (a, b) {
            (Ok(a), Ok(b)) => Ok((a, b)),
            (Err(Error::Content(mut list)), Err(Error::Content(more))) => {
                list.extend(more);
                Err(Error::content(list))
            }
            (Err(e @ (Error::Usage(_) | Error::Internal(_))), _)
            | (_, Err(e @ (Error::Usage(_) | Error::Internal(_)))) => Err(e),
            (Err(e), Ok(_)) | (Ok(_), Err(e)) => Err(e),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Content(list) => {
                for d in list.iter() {
                    writeln!(f, "{d}")?;
                }
                write!(f, "{} lỗi", list.len())
            }
            Error::Usage(message) => write!(f, "{message}"),
            Error::Internal(e) => write!(f, "lỗi hệ thống: {}", describe_internal(e)),
        }
    }
}

impl std::error::Error for Error {}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Self {
        Error::Internal(e)
    }
}

impl From<Diagnostic> for Error {
    fn from(d: Diagnostic) -> Self {
        Error::content(d)
    }
}

/// What went wrong reading or writing a file, in Vietnamese by kind (the OS's own text,
/// "No such file or directory (os error 2)", is English), with what to do about it.
pub fn io_message(error: &std::io::Error) -> (String, Option<&'static str>) {
    use std::io::ErrorKind as K;
    let (message, hint) = match error.kind() {
        K::NotFound => (
            "không có tệp hoặc thư mục này",
            Some(
                "kiểm tra tên và vị trí; chạy lệnh trong thư mục chứa content/, hoặc chỉ rõ bằng --root",
            ),
        ),
        K::PermissionDenied => (
            "không có quyền đọc hoặc ghi",
            Some(
                "kiểm tra quyền của tệp (chủ sở hữu, chỉ đọc), hoặc đóng chương trình đang giữ tệp",
            ),
        ),
        K::InvalidData => (
            "tệp không phải văn bản UTF-8",
            Some("mở tệp bằng trình soạn thảo rồi lưu lại với bảng mã UTF-8"),
        ),
        K::AlreadyExists => ("tệp đã có", None),
        K::IsADirectory => ("đây là thư mục, không phải tệp", None),
        K::NotADirectory => ("một phần của đường dẫn là tệp, không phải thư mục", None),
        K::DirectoryNotEmpty => ("thư mục không trống", None),
        K::StorageFull | K::QuotaExceeded => (
            "ổ đĩa đã đầy",
            Some("xóa bớt tệp để có chỗ trống rồi chạy lại"),
        ),
        K::ReadOnlyFilesystem => ("ổ đĩa chỉ cho đọc", None),
        K::TooManyLinks => (
            "liên kết tượng trưng (symlink) trỏ vòng",
            Some("xóa liên kết này"),
        ),
        K::InvalidFilename => (
            "tên tệp không hợp lệ hoặc quá dài",
            Some("đặt tên ngắn hơn, không dùng ký tự đặc biệt"),
        ),
        K::AddrInUse => (
            "cổng mạng đang được một chương trình khác dùng",
            Some("chọn cổng khác bằng --port, hoặc --port 0 để tự chọn"),
        ),
        K::AddrNotAvailable => (
            "địa chỉ mạng không có trên máy này",
            Some("dùng --bind 127.0.0.1"),
        ),
        K::Interrupted => ("bị ngắt giữa chừng", Some("chạy lại")),
        K::WouldBlock | K::TimedOut => ("quá thời gian chờ", Some("chạy lại")),
        K::UnexpectedEof => ("tệp bị cắt ngang (không đủ dữ liệu)", None),
        K::OutOfMemory => ("hết bộ nhớ", None),
        K::Unsupported => ("hệ thống không hỗ trợ thao tác này", None),
        _ => ("lỗi đọc/ghi tệp", None),
    };
    let code = error
        .raw_os_error()
        .map(|c| format!(" (mã lỗi {c})"))
        .unwrap_or_default();
    (format!("{message}{code}"), hint)
}

/// A file that could not be read, as a staff error at `shown`.
pub fn io_diagnostic(shown: impl Into<PathBuf>, error: &std::io::Error) -> Diagnostic {
    let (message, hint) = io_message(error);
    let d = Diagnostic::new(shown, 1, format!("không đọc được: {message}"));
    match hint {
        Some(hint) => d.with_hint(hint),
        None => d,
    }
}

/// An internal error as one Vietnamese line: each layer's context (written in Vietnamese
/// where it is added), with I/O and folder-walk errors translated instead of the OS's text.
pub fn describe_internal(error: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in error.chain() {
        let text = if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            io_message(io).0
        } else if let Some(walk) = cause.downcast_ref::<walkdir::Error>() {
            let path = walk
                .path()
                .map(|p| format!("{}: ", p.display()))
                .unwrap_or_default();
            match walk.io_error() {
                Some(io) => format!("{path}{}", io_message(io).0),
                None => format!("{path}liên kết tượng trưng trỏ vòng"),
            }
        } else {
            cause.to_string()
        };
        // The OS text of a wrapped io::Error repeats in the next layer's message.
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        if cause.downcast_ref::<std::io::Error>().is_some() {
            break;
        }
    }
    parts.join(": ")
}

/// "Did you mean …?": the closest candidate, if it is close enough to be a plausible typo.
pub fn closest<'a>(input: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let input = input.to_lowercase();
    let limit = (input.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&input, &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The hint for a name that matched nothing: the closest valid one if there is one, else the
/// list of every valid name (`what` says what they are).
pub fn did_you_mean<'a>(
    suggestion: Option<&str>,
    what: &str,
    valid: impl IntoIterator<Item = &'a str>,
) -> String {
    match suggestion {
        Some(near) => format!("có phải ý bạn là `{near}`?"),
        None => format!(
            "{what}: {}",
            valid.into_iter().collect::<Vec<_>>().join(", ")
        ),
    }
}

/// [`did_you_mean`] for things that have a name besides their code (units, channels, kinds):
/// staff recognise "Việt Trì" sooner than `viet-tri`, so both are shown.
pub fn did_you_mean_named<'a>(
    suggestion: Option<&str>,
    what: &str,
    valid: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    let valid: Vec<(&str, &str)> = valid.into_iter().collect();
    let show = |(slug, name): &(&str, &str)| {
        if name.is_empty() || *name == *slug {
            format!("`{slug}`")
        } else {
            format!("`{slug}` ({name})")
        }
    };
    match suggestion.and_then(|s| valid.iter().find(|(slug, _)| *slug == s)) {
        Some(near) => format!("có phải ý bạn là {}?", show(near)),
        None => format!(
            "{what}: {}",
            valid.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Display a path relative to the site root when it lies inside it.
pub fn relative_to(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_path_line_message_and_hint() {
        let d = Diagnostic::new("content/tin-bai/a.md", 4, "khóa lạ `draf`").with_hint("`draft`");
        assert_eq!(
            d.to_string(),
            "content/tin-bai/a.md:4: khóa lạ `draf` (gợi ý: `draft`)"
        );
        let quoted =
            Diagnostic::new("a.md", 2, "liên kết `java\nscript:\u{1b}[31m`").with_hint("xóa\r\n");
        assert_eq!(
            quoted.to_string(),
            "a.md:2: liên kết `java script: [31m` (gợi ý: xóa  )"
        );
    }

    #[test]
    fn closest_finds_typos_and_refuses_far_words() {
        let keys = ["title", "date", "draft", "unit", "tags"];
        assert_eq!(closest("draf", keys), Some("draft"));
        assert_eq!(closest("titel", keys), Some("title"));
        assert_eq!(closest("Unit", keys), Some("unit"));
        assert_eq!(closest("photographer", keys), None);
    }

    #[test]
    fn os_errors_in_vietnamese_by_kind() {
        use std::io::{Error as IoError, ErrorKind};
        // (error, fragment of the message, fragment of the hint)
        let cases = [
            (IoError::from_raw_os_error(2), "không có tệp", "--root"),
            (IoError::from_raw_os_error(13), "không có quyền", "quyền"),
            (
                IoError::new(ErrorKind::InvalidData, "stream did not contain valid UTF-8"),
                "UTF-8",
                "UTF-8",
            ),
        ];
        for (error, message, hint) in cases {
            let d = io_diagnostic("content/tin-bai/a.md", &error);
            let shown = d.to_string();
            assert!(d.message.contains(message), "{shown}");
            assert!(d.hint.as_deref().unwrap_or("").contains(hint), "{shown}");
            for english in ["No such", "denied", "stream", "os error"] {
                assert!(!shown.contains(english), "{shown}");
            }
        }
        // A permission error is never explained as an encoding problem.
        let denied = io_diagnostic("a.md", &IoError::from_raw_os_error(13));
        assert!(!denied.to_string().contains("UTF-8"), "{denied}");
        let chained =
            anyhow::Error::from(IoError::from_raw_os_error(2)).context("ghi public/a.html");
        assert_eq!(
            describe_internal(&chained),
            "ghi public/a.html: không có tệp hoặc thư mục này (mã lỗi 2)"
        );
    }

    #[test]
    fn diagnostics_sort_and_dedup() {
        let mut all = Diagnostics::new();
        all.push(Diagnostic::new("b.md", 1, "x"));
        all.push(Diagnostic::new("a.md", 9, "y"));
        all.push(Diagnostic::new("a.md", 2, "z"));
        all.push(Diagnostic::new("a.md", 2, "z"));
        let sorted = all.into_sorted();
        let lines: Vec<_> = sorted.iter().map(|d| d.to_string()).collect();
        assert_eq!(lines, ["a.md:2: z", "a.md:9: y", "b.md:1: x"]);
    }
}
