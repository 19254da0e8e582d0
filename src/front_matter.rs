//! Front matter: splitting the `---` block off a Markdown file, and reading YAML into typed
//! structs with errors that name the file, the line and the key.
//!
//! This is the only module that touches `serde_yaml` (archived upstream): `site.yaml` goes
//! through [`parse_yaml`] too, so replacing the YAML crate means editing this file alone.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::diagnostics::{Diagnostic, closest, did_you_mean};

/// A Markdown file cut into its YAML block and its body, with the line numbers needed to
/// report errors against the original file.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// Line number (1-based, in the file) of the first YAML line.
    pub yaml_line: usize,
    pub body: &'a str,
    /// Line number of the first body line.
    pub body_line: usize,
}

/// Strips a UTF-8 BOM and turns CRLF (and lone CR) into LF, so everything after this sees
/// one kind of text whatever editor wrote it.
pub fn normalize(mut text: String) -> String {
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    if text.contains('\r') {
        text = text.replace("\r\n", "\n").replace('\r', "\n");
    }
    text
}

fn is_fence(line: &str) -> bool {
    line.trim_end() == "---"
}

/// Splits normalized text (see [`normalize`]) at its `---` fences.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>, Diagnostic> {
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if !is_fence(first) {
        return Err(Diagnostic::new(path, 1, "tệp không bắt đầu bằng front matter").with_hint(
            "dòng đầu tiên phải là `---`, sau đó là `title:`, `date:`, `unit:`…, rồi một dòng `---` nữa",
        ));
    }
    let yaml_start = first.len();
    let mut offset = yaml_start;
    let mut line_number = 1;
    for line in lines {
        line_number += 1;
        if is_fence(line) {
            return Ok(Split {
                yaml: &text[yaml_start..offset],
                yaml_line: 2,
                body: &text[offset + line.len()..],
                body_line: line_number + 1,
            });
        }
        offset += line.len();
    }
    Err(Diagnostic::new(
        path,
        1,
        "front matter mở bằng `---` nhưng không có dòng `---` đóng",
    )
    .with_hint("thêm một dòng chỉ có `---` ngay sau dòng khóa cuối cùng"))
}

/// Top-level keys with the file line each one is on.
#[derive(Debug, Default, Clone)]
pub struct KeyLines(Vec<(String, usize)>);

impl KeyLines {
    /// Finds `key:` lines at column 0. Good enough for front matter, which is flat at the
    /// top level; nested values only need the line of the key that owns them.
    fn scan(yaml: &str, first_line: usize) -> Self {
        let mut keys = Vec::new();
        for (index, line) in yaml.lines().enumerate() {
            let starts_key = line.chars().next().is_some_and(|c| {
                !c.is_whitespace() && !matches!(c, '#' | '-' | '{' | '}' | '[' | ']')
            });
            if !starts_key {
                continue;
            }
            if let Some(colon) = line.find(':') {
                let key = line[..colon].trim().trim_matches(['"', '\'']);
                keys.push((key.to_string(), first_line + index));
            }
        }
        KeyLines(keys)
    }

    /// The line of `key`, or `fallback` when the key is not written at the top level.
    pub fn line_of(&self, key: &str, fallback: usize) -> usize {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map_or(fallback, |(_, line)| *line)
    }

    /// The key whose value covers `line`: the last key starting at or before it.
    fn owner_of(&self, line: usize) -> Option<&str> {
        self.0
            .iter()
            .take_while(|(_, l)| *l <= line)
            .last()
            .map(|(k, _)| k.as_str())
    }
}

/// A YAML document read into `T`, with its key lines for later, value-level errors
/// (a unit that does not exist, a date in the wrong form).
#[derive(Debug)]
pub struct Document<T> {
    pub value: T,
    pub lines: KeyLines,
    /// Line to blame for a missing key: the opening `---` (or line 1 of `site.yaml`).
    pub start_line: usize,
}

/// A decoded string (a `"\0"` or `"\uFFFF"` escape) holding a character no page may
/// hold (see [`crate::text`]): one error per top-level key, at its line.
fn forbidden_characters(
    path: &Path,
    mapping: &serde_yaml::Mapping,
    line_of: impl Fn(&str) -> usize,
) -> Vec<Diagnostic> {
    fn first(value: &serde_yaml::Value) -> Option<char> {
        match value {
            serde_yaml::Value::String(s) => crate::text::first_forbidden(s),
            serde_yaml::Value::Sequence(list) => list.iter().find_map(first),
            serde_yaml::Value::Mapping(map) => map.iter().find_map(|(k, v)| first(k).or(first(v))),
            serde_yaml::Value::Tagged(tagged) => first(&tagged.value),
            _ => None,
        }
    }
    mapping
        .iter()
        .filter_map(|(key, value)| {
            let c = first(key).or_else(|| first(value))?;
            let line = key.as_str().map_or(1, &line_of);
            Some(Diagnostic::new(
                path,
                line,
                crate::text::forbidden_message(c),
            ))
        })
        .collect()
}

/// Parses `yaml` (which starts at file line `first_line`) into `T`. Every unknown top-level
/// key is reported with a "did you mean" hint, so that a typo such as `draf: true` never
/// silently publishes a draft; YAML syntax and type errors carry their line and key.
pub fn parse_yaml<T: DeserializeOwned>(
    path: &Path,
    yaml: &str,
    first_line: usize,
    allowed_keys: &[&str],
) -> Result<Document<T>, Vec<Diagnostic>> {
    let lines = KeyLines::scan(yaml, first_line);
    let start_line = first_line.saturating_sub(1).max(1);
    let file_line = |error: &serde_yaml::Error| {
        error
            .location()
            .map_or(start_line, |l| first_line + l.line() - 1)
    };

    let tree: serde_yaml::Value = if yaml.trim().is_empty() {
        serde_yaml::Value::Mapping(Default::default())
    } else {
        serde_yaml::from_str(yaml).map_err(|e| {
            vec![Diagnostic::new(
                path,
                file_line(&e),
                format!("YAML không hợp lệ: {}", strip_location(&e.to_string())),
            )
            .with_hint("kiểm tra dấu `:` sau mỗi khóa, thụt lề bằng dấu cách, và đặt chuỗi có dấu `:` trong ngoặc kép")]
        })?
    };
    let mapping = match tree {
        serde_yaml::Value::Mapping(m) => m,
        serde_yaml::Value::Null => Default::default(),
        _ => {
            return Err(vec![
                Diagnostic::new(
                    path,
                    first_line,
                    "front matter phải là các dòng `khóa: giá trị`",
                )
                .with_hint("ví dụ `title: Hội nghị sơ kết`"),
            ]);
        }
    };

    let mut errors = forbidden_characters(path, &mapping, |key| lines.line_of(key, first_line));
    for key in mapping.keys() {
        let Some(key) = key.as_str() else {
            errors.push(Diagnostic::new(
                path,
                first_line,
                format!("khóa `{key:?}` phải là chữ"),
            ));
            continue;
        };
        if !allowed_keys.contains(&key) {
            let near = closest(key, allowed_keys.iter().copied());
            let hint = did_you_mean(near, "các khóa được dùng", allowed_keys.iter().copied());
            errors.push(
                Diagnostic::new(
                    path,
                    lines.line_of(key, first_line),
                    format!("khóa không được hỗ trợ `{key}`"),
                )
                .with_hint(hint),
            );
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let typed = if mapping.is_empty() {
        serde_yaml::from_value(serde_yaml::Value::Mapping(mapping))
    } else {
        serde_yaml::from_str(yaml)
    };
    let value = typed.map_err(|e| {
        let line = file_line(&e);
        let detail = strip_location(&e.to_string());
        let key = lines.owner_of(line).map(str::to_string);
        // serde_yaml prefixes the path (`draft: …`, `tags[0]: …`); the key goes first instead.
        let detail = match &key {
            Some(k) if detail.starts_with(k.as_str()) => detail
                .split_once(": ")
                .map_or(detail.clone(), |(_, rest)| rest.to_string()),
            _ => detail,
        };
        let message = match &key {
            Some(k) => format!("`{k}`: giá trị không hợp lệ ({detail})"),
            None => format!("giá trị không hợp lệ ({detail})"),
        };
        let hint = if detail.contains("expected a boolean") {
            Some("viết `true` hoặc `false`".to_string())
        } else if detail.contains("expected a sequence") {
            Some("viết dạng danh sách, ví dụ `[a, b]`".to_string())
        } else if detail.contains("expected i32")
            || detail.contains("expected u32")
            || detail.contains("integer")
        {
            Some("viết một số nguyên, ví dụ `2020`".to_string())
        } else {
            None
        };
        vec![Diagnostic::new(path, line, message).with_optional_hint(hint)]
    })?;
    Ok(Document {
        value,
        lines,
        start_line,
    })
}

/// serde_yaml appends " at line L column C"; the line is already in our prefix.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn p() -> &'static Path {
        Path::new("content/tin-bai/a.md")
    }

    #[test]
    fn splits_simple_file() {
        let text = "---\ntitle: A\n---\nBody\n";
        let s = split(p(), text).unwrap();
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.body, "Body\n");
        assert_eq!((s.yaml_line, s.body_line), (2, 4));
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let text = normalize(
            "\u{feff}---\r\ntitle: A\r\ndate: 2018-01-01\r\n---\r\nBody\r\nmore\r\n".into(),
        );
        let s = split(p(), &text).unwrap();
        assert_eq!(s.yaml, "title: A\ndate: 2018-01-01\n");
        assert_eq!(s.body, "Body\nmore\n");
        assert_eq!(s.body_line, 5);
    }

    #[test]
    fn empty_body_and_trailing_spaces_on_fences() {
        let s = split(p(), "--- \ntitle: A\n---").unwrap();
        assert_eq!(s.yaml, "title: A\n");
        assert_eq!(s.body, "");
    }

    #[test]
    fn missing_front_matter_is_line_1() {
        let err = split(p(), "# Tiêu đề\n\nNội dung").unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("front matter"), "{err}");
    }

    #[test]
    fn unterminated_front_matter() {
        let err = split(p(), "---\ntitle: A\ndate: 2018-01-01\n\nBody").unwrap_err();
        assert!(err.message.contains("không có dòng `---` đóng"), "{err}");
        assert!(err.hint.is_some());
    }

    #[test]
    fn a_rule_in_the_body_is_not_the_fence() {
        let s = split(p(), "---\ntitle: A\n---\ntext\n---\nmore\n").unwrap();
        assert_eq!(s.body, "text\n---\nmore\n");
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Fm {
        title: Option<String>,
        draft: Option<bool>,
        tags: Option<Vec<String>>,
    }
    const KEYS: &[&str] = &["title", "draft", "tags"];

    #[test]
    fn unknown_keys_get_line_and_hint() {
        let yaml = "title: A\ndraf: true\ntagz: [a]\n";
        let errors = parse_yaml::<Fm>(p(), yaml, 2, KEYS).unwrap_err();
        let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(
            shown[0].starts_with("content/tin-bai/a.md:3: khóa không được hỗ trợ `draf`"),
            "{shown:?}"
        );
        assert!(shown[0].contains("`draft`"), "{shown:?}");
        assert!(shown[1].starts_with("content/tin-bai/a.md:4:"), "{shown:?}");
        assert!(shown[1].contains("`tags`"), "{shown:?}");
    }

    #[test]
    fn bad_value_names_key_and_line() {
        let yaml = "title: A\ndraft: maybe\n";
        let errors = parse_yaml::<Fm>(p(), yaml, 2, KEYS).unwrap_err();
        assert_eq!(errors[0].line, 3);
        assert!(errors[0].message.contains("`draft`"), "{}", errors[0]);
    }

    #[test]
    fn invalid_yaml_has_line() {
        let yaml = "title: A\ntags: [a, b\n";
        let errors = parse_yaml::<Fm>(p(), yaml, 2, KEYS).unwrap_err();
        assert!(
            errors[0].message.starts_with("YAML không hợp lệ"),
            "{}",
            errors[0]
        );
        assert!(errors[0].line >= 3);
    }

    #[test]
    fn empty_front_matter_is_an_empty_mapping() {
        let doc = parse_yaml::<Fm>(p(), "", 2, KEYS).unwrap();
        assert!(doc.value.title.is_none());
        assert_eq!(doc.start_line, 1);
    }

    #[test]
    fn key_lines_follow_the_file() {
        let doc = parse_yaml::<Fm>(
            p(),
            "title: A\ntags:\n  - x\n  - y\ndraft: false\n",
            2,
            KEYS,
        )
        .unwrap();
        assert_eq!(doc.lines.line_of("draft", 0), 6);
        assert_eq!(doc.lines.line_of("tags", 0), 3);
        assert_eq!(doc.lines.line_of("missing", 99), 99);
        assert_eq!(doc.value.tags.unwrap(), ["x", "y"]);
        assert_eq!(doc.value.draft, Some(false));
    }
}
