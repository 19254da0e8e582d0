//! An entry's text ⇄ `{front_matter, body}`, and its validation by the same parsers as
//! `check`, with each problem tied to the form field (`key`) on its line.

use crate::base::layout::{self, Folder};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Value, json};
use serde_yaml::Mapping;

use crate::base::diagnostics::Diagnostic;
use crate::base::front_matter;
use crate::load::parse::{parse_item, parse_page, parse_profile};
use crate::load::sources::Doc;
use crate::model::config::Config;

/// A hash of the file's bytes: what `PUT` must name to overwrite it.
pub fn version(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex()[..16].to_string()
}

/// The front matter as a YAML mapping and the body; `None` for a file `check` refuses.
pub fn split(text: &str) -> Option<(Mapping, String)> {
    let text = front_matter::normalize(text.to_string());
    let parts = front_matter::split(Path::new(""), &text).ok()?;
    let mapping = match serde_yaml::from_str::<serde_yaml::Value>(parts.yaml).ok()? {
        serde_yaml::Value::Mapping(m) => m,
        serde_yaml::Value::Null => Mapping::new(),
        _ => return None,
    };
    Some((mapping, parts.body.trim_start_matches('\n').to_string()))
}

/// JSON (from the form) into YAML; `null` values mean "remove this key".
pub fn merge(mut base: Mapping, front_matter: &serde_json::Map<String, Value>) -> Mapping {
    for (key, value) in front_matter {
        let key = serde_yaml::Value::String(key.clone());
        if value.is_null() {
            base.remove(&key);
        } else if let Ok(value) = serde_yaml::to_value(value) {
            // An existing key keeps its place: the file stays diff-friendly.
            base.insert(key, value);
        }
    }
    base
}

pub fn to_json(mapping: &Mapping) -> Value {
    serde_json::to_value(mapping).unwrap_or_else(|_| json!({}))
}

/// The file datto writes: front matter, a blank line, the body (ending in a newline).
pub fn compose(mapping: &Mapping, body: &str) -> String {
    let yaml = if mapping.is_empty() {
        String::new()
    } else {
        serde_yaml::to_string(mapping).unwrap_or_default()
    };
    let body = body.replace("\r\n", "\n");
    let body = body.trim_end();
    format!("---\n{yaml}---\n\n{body}\n")
}

/// `text` parsed as `check` parses the file `rel`, or the problems it would report.
pub fn parse(config: &Config, rel: &str, text: &str) -> Result<Doc, Vec<Diagnostic>> {
    let shown = shown(rel);
    let owned = text.to_string();
    match Folder::of(rel) {
        Some(Folder::Items) => {
            parse_item(config, &shown, rel, owned).map(|i| Doc::Item(Arc::new(i)))
        }
        Some(Folder::Profiles) => {
            parse_profile(config, &shown, rel, owned).map(|p| Doc::Profile(Arc::new(p)))
        }
        _ => parse_page(&shown, rel, owned).map(|p| Doc::Page(Arc::new(p))),
    }
}

/// How errors name a file: `content/tin-bai/…`.
pub fn shown(rel: &str) -> PathBuf {
    Path::new(layout::CONTENT).join(rel)
}

/// The page path of a parsed entry (`tin-bai/2026/slug/`: its `slug:` and year count).
pub fn page_path(doc: &Doc) -> Option<String> {
    match doc {
        Doc::Item(item) => Some(item.path()),
        Doc::Profile(profile) => Some(profile.path()),
        Doc::Page(page) => Some(page.path()),
        Doc::Failed(..) => None,
    }
}

/// Problems as `{key, line, message, hint}`: `key` is the form field on the problem's line
/// of `text` (the file `rel`); a problem of another file names it in the message.
pub fn errors(rel: &str, text: &str, problems: &[Diagnostic]) -> Vec<Value> {
    let own = shown(rel);
    problems
        .iter()
        .map(|d| {
            if d.path == own {
                json!({
                    "key": key_on_line(text, d.line),
                    "line": d.line,
                    "message": d.message,
                    "hint": d.hint,
                })
            } else {
                json!({
                    "key": null,
                    "line": null,
                    "message": format!("{}:{}: {}", d.path.display(), d.line, d.message),
                    "hint": d.hint,
                })
            }
        })
        .collect()
}

/// The problems `check` would report for `text` at `rel`, as `{key, line, message, hint}`.
#[cfg(test)]
pub fn validate(config: &Config, rel: &str, text: &str) -> Vec<Value> {
    match parse(config, rel, text) {
        Ok(_) => Vec::new(),
        Err(problems) => errors(rel, text, &problems),
    }
}

/// The top-level front-matter key that owns `line` (1-based), `body` past the front matter.
pub fn key_on_line(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines.iter().skip(1).position(|l| l.trim_end() == "---")? + 2;
    if line > end {
        return Some("body".into());
    }
    if line < 2 {
        return None;
    }
    lines[1..line.min(lines.len())].iter().rev().find_map(|l| {
        let first = l.chars().next()?;
        if first.is_whitespace() || matches!(first, '#' | '-') {
            return None;
        }
        l.split_once(':')
            .map(|(k, _)| k.trim().trim_matches(['"', '\'']).to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_unknown_keys_in_order() {
        let text = "---\ntitle: A\nmy_note: giữ\nunit: viet-tri\n---\n\nThân bài\n";
        let (mapping, body) = split(text).unwrap();
        let form = json!({"title": "B", "unit": null, "tags": ["x"]});
        let merged = merge(mapping, form.as_object().unwrap());
        let out = compose(&merged, &body);
        assert_eq!(
            out,
            "---\ntitle: B\nmy_note: giữ\ntags:\n- x\n---\n\nThân bài\n"
        );
    }

    #[test]
    fn lines_name_their_key() {
        let text = "---\ntitle: A\ntags:\n  - x\nunit: z\n---\n\nbody\n";
        let cases = [
            (1, None),
            (2, Some("title")),
            (4, Some("tags")),
            (5, Some("unit")),
            (8, Some("body")),
        ];
        for (line, key) in cases {
            assert_eq!(key_on_line(text, line).as_deref(), key, "{line}");
        }
    }

    #[test]
    fn bad_unit_is_reported_at_its_key() {
        let config = crate::model::config::tests::sample();
        let text = "---\ntitle: A\ndate: 2019-05-01\nunit: khong-co\n---\n\nx\n";
        let errors = validate(&config, "tin-bai/2019/a/index.md", text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0]["key"], "unit");
        assert_eq!(errors[0]["line"], 4);
    }
}
