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
        write!(f, "{path}:{}: {}", self.line, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " (gợi ý: {hint})")?;
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
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.0.sort();
        self.0.dedup();
        self.0
    }

    /// `Ok(value)` when nothing was collected, else every diagnostic.
    pub fn into_result<T>(self, value: T) -> Result<T, Error> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(Error::Content(self.into_sorted()))
        }
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
    Content(Vec<Diagnostic>),
    /// A bad command-line value (`--year abc`): one line, exit code 2.
    Usage(String),
    Internal(anyhow::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Content(list) => {
                for d in list {
                    writeln!(f, "{d}")?;
                }
                write!(f, "{} lỗi", list.len())
            }
            Error::Usage(message) => write!(f, "{message}"),
            Error::Internal(e) => write!(f, "lỗi hệ thống: {e:#}"),
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
        Error::Content(vec![d])
    }
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
