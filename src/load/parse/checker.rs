//! Value-level checks of one file's front matter, each error at the line of its key.

use std::path::Path;

use super::raw::Text;
use crate::base::diagnostics::{Diagnostic, did_you_mean_named};
use crate::base::front_matter::{self, Document, KeyLines};
use crate::base::layout::MAX_SEGMENT;
use crate::base::paths;
use crate::base::slug::slugify;
use crate::model::config::Config;
use crate::model::content::{Image, Source};

/// Per-file error collector that knows the file and where each key is.
pub struct Checker<'a> {
    pub shown: &'a Path,
    pub lines: KeyLines,
    pub start_line: usize,
    pub errors: Vec<Diagnostic>,
    /// Keys already reported for a value of the wrong type.
    pub failed: Vec<String>,
}

impl Checker<'_> {
    pub fn line(&self, key: &str) -> usize {
        self.lines.line_of(key, self.start_line)
    }

    pub fn error(&mut self, key: &str, message: impl Into<String>, hint: Option<String>) {
        let line = self.line(key);
        self.errors
            .push(Diagnostic::new(self.shown, line, message).with_optional_hint(hint));
    }

    pub fn required(&mut self, key: &str, value: Option<Text>, example: &str) -> Option<String> {
        match value.map(|t| t.0.trim().to_string()) {
            Some(v) if !v.is_empty() => Some(v),
            Some(_) => {
                self.error(
                    key,
                    format!("`{key}` đang để trống"),
                    Some(format!("ví dụ `{key}: {example}`")),
                );
                None
            }
            None if self.failed.iter().any(|k| k == key) => None,
            None => {
                self.error(
                    key,
                    format!("thiếu khóa bắt buộc `{key}`"),
                    Some(format!("thêm dòng `{key}: {example}`")),
                );
                None
            }
        }
    }

    /// `found`, or an error at `key`: "không có {what} `text` trong site.yaml", with the
    /// closest valid name or the list of all of them.
    pub fn named<'v, T>(
        &mut self,
        key: &str,
        text: &str,
        what: &str,
        found: Result<T, Option<String>>,
        valid: impl IntoIterator<Item = (&'v str, &'v str)>,
    ) -> Option<T> {
        found
            .map_err(|suggestion| {
                let hint = did_you_mean_named(
                    suggestion.as_deref(),
                    &format!("các {what} trong site.yaml"),
                    valid,
                );
                self.error(
                    key,
                    format!("không có {what} `{text}` trong site.yaml"),
                    Some(hint),
                );
            })
            .ok()
    }

    pub fn unit(
        &mut self,
        config: &Config,
        value: Option<Text>,
    ) -> Option<crate::model::config::UnitId> {
        let text = self.required("unit", value, "viet-tri")?;
        self.named(
            "unit",
            &text,
            "đơn vị",
            config.resolve_unit(&text),
            config.unit_choices(),
        )
    }

    /// `slug:` if given, else the file name (the folder name for `index.md`).
    pub fn slug(&mut self, value: Option<Text>, rel: &str) -> Option<String> {
        let (written, key) = match value {
            Some(t) => (t.0, "slug"),
            None => (default_slug_source(rel).to_string(), "title"),
        };
        let slug = slugify(&written);
        if slug.len() > MAX_SEGMENT {
            let (message, hint) = if key == "slug" {
                (
                    format!(
                        "`slug` dài {} byte, quá dài làm tên thư mục của trang",
                        slug.len()
                    ),
                    format!("rút ngắn `slug` còn tối đa {MAX_SEGMENT} byte"),
                )
            } else {
                (
                    format!(
                        "tên tệp dài {} byte, quá dài làm tên thư mục của trang",
                        slug.len()
                    ),
                    format!(
                        "đổi tên tệp cho ngắn hơn (tối đa {MAX_SEGMENT} byte, khoảng 70 chữ có dấu), hoặc thêm dòng `slug: ten-ngan`"
                    ),
                )
            };
            self.error(key, message, Some(hint));
            return None;
        }
        if paths::windows_reserved(&slug) {
            self.error(
                key,
                format!("`{slug}` là tên Windows không cho dùng làm thư mục của trang"),
                Some(format!("thêm dòng `slug: {slug}-1` hoặc một tên dài hơn")),
            );
            return None;
        }
        if slug.is_empty() {
            let message = if key == "slug" {
                format!("`slug` `{written}` không còn ký tự nào sau khi bỏ dấu")
            } else {
                format!("tên tệp `{written}` không tạo được đường dẫn")
            };
            self.error(
                key,
                message,
                Some("dùng chữ cái hoặc chữ số, ví dụ `hoi-nghi-2018`".into()),
            );
            return None;
        }
        Some(slug)
    }

    pub fn image(
        &mut self,
        source: &Source,
        image: Option<Text>,
        alt: Option<Text>,
        title: &str,
    ) -> Option<Image> {
        let written = image?.0;
        let line = self.line("image");
        if paths::is_external(&written) {
            self.error(
                "image",
                format!("ảnh `{written}` nằm trên máy chủ khác"),
                Some(
                    "chép ảnh vào cạnh tệp .md hoặc vào content/static/ rồi ghi đường dẫn tới đó"
                        .into(),
                ),
            );
            return None;
        }
        match paths::resolve(source.dir(), &written) {
            Some(reference) => Some(Image {
                reference,
                alt: alt.map(|t| t.0).unwrap_or_else(|| title.to_string()),
                line,
            }),
            None => {
                self.error(
                    "image",
                    format!("đường dẫn ảnh `{written}` không hợp lệ"),
                    None,
                );
                None
            }
        }
    }

    pub fn finish<T>(self, value: Option<T>) -> Result<T, Vec<Diagnostic>> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.errors),
        }
    }
}

pub fn default_slug_source(rel: &str) -> &str {
    let without_ext = rel.strip_suffix(".md").unwrap_or(rel);
    let mut parts = without_ext.rsplit('/');
    let last = parts.next().unwrap_or(without_ext);
    if last == "index" {
        parts.next().unwrap_or(last)
    } else {
        last
    }
}

/// Splits and parses one file's front matter into `T`.
pub fn read<T: serde::de::DeserializeOwned>(
    shown: &Path,
    rel: &str,
    text: String,
    keys: &[&str],
) -> Result<(Document<T>, Source), Vec<Diagnostic>> {
    let mut text = front_matter::normalize(text);
    let text_hash = crate::base::text::hash(&text);
    let split = front_matter::split(shown, &text).map_err(|d| vec![d])?;
    let doc = front_matter::parse_yaml::<T>(shown, split.yaml, split.yaml_line, keys)?;
    // The body is the end of the text: cut the front matter off in place.
    let (body_start, body_line) = (text.len() - split.body.len(), split.body_line);
    text.drain(..body_start);
    let source = Source {
        shown: shown.to_path_buf(),
        rel: rel.to_string(),
        body: std::sync::Arc::new(text),
        body_line,
        text_hash,
    };
    Ok((doc, source))
}

/// The body of a file whose front matter was refused, when it can still be cut off: its
/// own problems (a broken link) are then reported in the same run as the front matter's.
pub fn body_of(shown: &Path, rel: &str, text: String) -> Option<Source> {
    let mut text = front_matter::normalize(text);
    let text_hash = crate::base::text::hash(&text);
    let split = front_matter::split(shown, &text).ok()?;
    let (body_start, body_line) = (text.len() - split.body.len(), split.body_line);
    text.drain(..body_start);
    Some(Source {
        shown: shown.to_path_buf(),
        rel: rel.to_string(),
        body: std::sync::Arc::new(text),
        body_line,
        text_hash,
    })
}

pub fn checker<'a, T>(shown: &'a Path, doc: &Document<T>) -> Checker<'a> {
    Checker {
        shown,
        lines: doc.lines.clone(),
        start_line: doc.start_line,
        errors: doc.problems.clone(),
        failed: doc.failed_keys.clone(),
    }
}

pub fn trimmed(value: Option<Text>) -> Option<String> {
    value
        .map(|t| t.0.trim().to_string())
        .filter(|s| !s.is_empty())
}

pub fn extra(value: Option<serde_json::Value>) -> serde_json::Value {
    value.unwrap_or_else(|| serde_json::Value::Object(Default::default()))
}
