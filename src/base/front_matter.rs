//! Front matter: splitting the `---` block off a Markdown file, and reading YAML into typed
//! structs with errors that name the file, the line and the key.
//!
//! This is the only module that touches `serde_yaml` (archived upstream): `site.yaml` goes
//! through [`parse_yaml`] too, so replacing the YAML crate means editing this file alone.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::base::diagnostics::{Diagnostic, closest, did_you_mean};

mod messages;
pub use messages::Explained;

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

    /// The file lines `key` spans: from its own line to the line before the next key.
    fn span_of(&self, key: &str) -> Option<(usize, Option<usize>)> {
        let at = self.0.iter().position(|(k, _)| k == key)?;
        Some((self.0[at].1, self.0.get(at + 1).map(|(_, l)| *l)))
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
    /// Keys whose value had the wrong type: reported in `problems` and left out of `value`,
    /// so that the other keys are still checked (and not reported missing).
    pub failed_keys: Vec<String>,
    pub problems: Vec<Diagnostic>,
}

impl<T> Document<T> {
    /// True when `key` was written but its value could not be read.
    pub fn failed(&self, key: &str) -> bool {
        self.failed_keys.iter().any(|k| k == key)
    }
}

/// A decoded string (a `"\0"` or `"\uFFFF"` escape) holding a character no page may
/// hold (see [`crate::base::text`]): one error per top-level key, at its line.
fn forbidden_characters(
    path: &Path,
    mapping: &serde_yaml::Mapping,
    line_of: impl Fn(&str) -> usize,
) -> Vec<Diagnostic> {
    fn first(value: &serde_yaml::Value) -> Option<char> {
        match value {
            serde_yaml::Value::String(s) => crate::base::text::first_forbidden(s),
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
                crate::base::text::forbidden_message(c),
            ))
        })
        .collect()
}

/// Parses `yaml` (which starts at file line `first_line`) into `T`. Every unknown top-level
/// key is reported with a "did you mean" hint, so that a typo such as `draf: true` never
/// silently publishes a draft; YAML syntax and type errors carry their line and key, in
/// Vietnamese, with the fix when the faulty line shows it.
///
/// Every top-level field of `T` must be optional: a value of the wrong type is found by
/// reading each key on its own, so that the key at fault is named (not the first key, nor
/// the anchor a `*alias` points to).
pub fn parse_yaml<T: DeserializeOwned>(
    path: &Path,
    yaml: &str,
    first_line: usize,
    allowed_keys: &[&str],
) -> Result<Document<T>, Vec<Diagnostic>> {
    let lines = KeyLines::scan(yaml, first_line);
    let start_line = first_line.saturating_sub(1).max(1);
    let file_line = |error: &serde_yaml::Error| error.location().map(|l| first_line + l.line() - 1);

    let tree: serde_yaml::Value = if yaml.trim().is_empty() {
        serde_yaml::Value::Mapping(Default::default())
    } else {
        serde_yaml::from_str(yaml).map_err(|e| {
            let full = e.to_string();
            // "…, while scanning a quoted scalar at line 1 column 8": where the faulty
            // value starts is the line to show (libyaml notices only at the end of the text).
            let line = match full.rsplit_once("while scanning a ").map(|(_, c)| c) {
                Some(context)
                    if context.starts_with("quoted scalar")
                        || context.starts_with("simple key") =>
                {
                    located_line(context).map(|l| first_line + l - 1)
                }
                _ => file_line(&e),
            }
            .unwrap_or(start_line);
            let text = line
                .checked_sub(first_line)
                .and_then(|i| yaml.lines().nth(i))
                .unwrap_or("");
            let explained = messages::syntax(&without_locations(&full), text);
            vec![Diagnostic::new(path, line, explained.message).with_optional_hint(explained.hint)]
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

    let mut mapping = mapping;
    let mut errors = forbidden_characters(path, &mapping, |key| lines.line_of(key, first_line));
    // An unknown key does not hide the other keys' problems (a typo `draf:` beside a bad
    // date): it is reported, left out, and the rest is read as usual.
    let mut unknown: Vec<(serde_yaml::Value, Diagnostic)> = Vec::new();
    for key in mapping.keys() {
        let Some(key) = key.as_str() else {
            errors.push(
                Diagnostic::new(path, first_line, "có một khóa không phải chữ")
                    .with_hint("mỗi dòng bắt đầu bằng tên khóa, ví dụ `title:`"),
            );
            continue;
        };
        if !allowed_keys.contains(&key) {
            let near = closest(key, allowed_keys.iter().copied());
            let hint = did_you_mean(near, "các khóa được dùng", allowed_keys.iter().copied());
            unknown.push((
                serde_yaml::Value::String(key.to_string()),
                Diagnostic::new(
                    path,
                    lines.line_of(key, first_line),
                    format!("khóa không được hỗ trợ `{key}`"),
                )
                .with_hint(hint),
            ));
        }
    }
    let mut unknown_errors = Vec::new();
    for (key, problem) in unknown {
        mapping.remove(&key);
        unknown_errors.push(problem);
    }
    if !errors.is_empty() {
        errors.extend(unknown_errors);
        return Err(errors);
    }
    let with_unknown = |mut problems: Vec<Diagnostic>| {
        let mut all = unknown_errors.clone();
        all.append(&mut problems);
        all
    };

    let known: Vec<serde_yaml::Value> = mapping.keys().cloned().collect();
    let (value, failed_keys, problems) =
        match serde_yaml::from_value(serde_yaml::Value::Mapping(mapping)) {
            Ok(value) => (value, Vec::new(), with_unknown(Vec::new())),
            Err(_) => {
                // Only on failure: read the tree again (cheaper than a copy on every file).
                let mut mapping = match serde_yaml::from_str(yaml) {
                    Ok(serde_yaml::Value::Mapping(m)) => m,
                    _ => Default::default(),
                };
                mapping.retain(|key, _| known.contains(key));
                let (failed, problems) =
                    type_errors::<T>(path, yaml, mapping.clone(), &lines, first_line);
                for key in &failed {
                    mapping.remove(key.as_str());
                }
                match serde_yaml::from_value(serde_yaml::Value::Mapping(mapping)) {
                    Ok(rest) if !failed.is_empty() => (rest, failed, with_unknown(problems)),
                    _ => return Err(with_unknown(problems)),
                }
            }
        };
    Ok(Document {
        value,
        lines,
        start_line,
        failed_keys,
        problems,
    })
}

/// Reads each key of `mapping` into `T` alone and reports every one that fails, at the
/// line of that key (or, inside it, at the line serde_yaml points to when that line is
/// within the key's own lines: a `*alias` is blamed where it is used, not at its anchor).
fn type_errors<T: DeserializeOwned>(
    path: &Path,
    yaml: &str,
    mapping: serde_yaml::Mapping,
    lines: &KeyLines,
    first_line: usize,
) -> (Vec<String>, Vec<Diagnostic>) {
    // The key's own lines read alone give serde_yaml's line and path (`units[1].target`)
    // inside it; when they do not read alone (an alias to an anchor elsewhere), the key's
    // line and the message from the value are used.
    let text_lines: Vec<&str> = yaml.lines().collect();
    let located = |name: &str| -> Option<(usize, String)> {
        let (start, end) = lines.span_of(name)?;
        let from = start.checked_sub(first_line)?;
        let to = end
            .map_or(text_lines.len(), |e| e - first_line)
            .min(text_lines.len());
        let snippet = text_lines.get(from..to)?.join("\n");
        let e = serde_yaml::from_str::<T>(&snippet).err()?;
        let detail = strip_location(&e.to_string());
        let line = start + e.location()?.line() - 1;
        detail.starts_with(name).then_some((line, detail))
    };
    let mut errors = Vec::new();
    let mut failed = Vec::new();
    for (key, value) in mapping {
        let Some(name) = key.as_str().map(str::to_string) else {
            continue;
        };
        let mut alone = serde_yaml::Mapping::new();
        alone.insert(key, value);
        if let Err(e) = serde_yaml::from_value::<T>(serde_yaml::Value::Mapping(alone)) {
            let key_line = lines.line_of(&name, first_line);
            let (line, detail) = located(&name)
                .filter(|(l, _)| *l >= key_line)
                .unwrap_or_else(|| (key_line, strip_location(&e.to_string())));
            let explained = messages::value(&name, &detail);
            failed.push(name);
            errors.push(
                Diagnostic::new(path, line, explained.message).with_optional_hint(explained.hint),
            );
        }
    }
    if errors.is_empty() {
        // Each key reads alone but not together: not expected with optional fields.
        errors.push(Diagnostic::new(
            path,
            first_line,
            "front matter không đọc được",
        ));
    }
    (failed, errors)
}

/// The `L` of the first " at line L column C" of `text`.
fn located_line(text: &str) -> Option<usize> {
    let (_, rest) = text.split_once(" at line ")?;
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// serde_yaml's message with every " at line L column C" taken out.
fn without_locations(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(at) = rest.find(" at line ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " at line ".len()..];
        rest = match after.find(" column ") {
            Some(c) => {
                after[c + " column ".len()..].trim_start_matches(|ch: char| ch.is_ascii_digit())
            }
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// serde_yaml appends " at line L column C"; the line is already in our prefix.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests;
