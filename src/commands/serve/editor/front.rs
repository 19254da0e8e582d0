//! Saving an edited file without disturbing what the form does not model: the front matter
//! is edited as text, key by key. A key whose value did not change keeps its lines byte for
//! byte (quotes, comments, layout); a changed key gets new lines in its place; a new key is
//! appended; `null` removes a key's lines. Comments between keys and unknown keys (`extra`)
//! stay where they are, and an unchanged body keeps its exact bytes.

use std::path::Path;

use serde_json::Value;
use serde_yaml::Mapping;

use crate::base::front_matter;

/// The text to write for `original` with the form's `changes` and `body`; `original`
/// itself (byte for byte) when nothing changed. `None` when `original` has no front matter
/// datto can read (the caller then writes a fresh file).
pub fn rewrite(
    original: &str,
    changes: &serde_json::Map<String, Value>,
    body: &str,
) -> Option<String> {
    let text = front_matter::normalize(original.to_string());
    let parts = front_matter::split(Path::new(""), &text).ok()?;
    let values = match serde_yaml::from_str::<serde_yaml::Value>(parts.yaml).ok()? {
        serde_yaml::Value::Mapping(m) => m,
        serde_yaml::Value::Null => Mapping::new(),
        _ => return None,
    };
    let yaml_start = text.find('\n')? + 1;
    let yaml_end = yaml_start + parts.yaml.len();
    let body_start = text.len() - parts.body.len();

    let mut blocks = blocks(parts.yaml);
    let mut appended = String::new();
    let mut expected = values.clone();
    for (key, value) in changes {
        let old = values.get(key.as_str());
        let new = (!value.is_null())
            .then(|| serde_yaml::to_value(value).ok())
            .flatten();
        if old == new.as_ref() {
            continue;
        }
        match &new {
            Some(v) => expected.insert(serde_yaml::Value::String(key.clone()), v.clone()),
            None => expected.remove(key.as_str()),
        };
        let lines = new.map(|v| render(key, v)).unwrap_or_default();
        match blocks
            .iter_mut()
            .find(|b| b.key.as_deref() == Some(key.as_str()))
        {
            Some(block) => block.value = lines,
            None => appended.push_str(&lines),
        }
    }
    let mut yaml: String = blocks.into_iter().map(|b| b.value + &b.trailing).collect();
    if !appended.is_empty() && !yaml.is_empty() && !yaml.ends_with('\n') {
        yaml.push('\n');
    }
    yaml.push_str(&appended);
    // The key-by-key cut reads lines, not YAML: a value it misreads (a quoted title running
    // over two lines, a block scalar with a `key: ` inside…) would be written wrong. What it
    // wrote is read back; unless it holds exactly the values wanted, the front matter is
    // written whole from them instead (comments and layout lost, values right).
    let reads_back = match serde_yaml::from_str::<serde_yaml::Value>(&yaml) {
        Ok(serde_yaml::Value::Mapping(m)) => m == expected,
        Ok(serde_yaml::Value::Null) => expected.is_empty(),
        _ => false,
    };
    if !reads_back {
        yaml = if expected.is_empty() {
            String::new()
        } else {
            serde_yaml::to_string(&expected).ok()?
        };
    }

    let body = body.replace("\r\n", "\n");
    let old_body = parts.body.trim_start_matches('\n');
    let rest = if body.trim_end() == old_body.trim_end() {
        parts.body.to_string()
    } else {
        format!("\n{}\n", body.trim_end())
    };
    let out = format!(
        "{}{yaml}{}{rest}",
        &text[..yaml_start],
        &text[yaml_end..body_start]
    );
    Some(if out == text {
        original.to_string()
    } else {
        out
    })
}

/// `key: value` as serde_yaml writes a one-key mapping (quotes where YAML needs them).
fn render(key: &str, value: serde_yaml::Value) -> String {
    let mut one = Mapping::new();
    one.insert(serde_yaml::Value::String(key.to_string()), value);
    serde_yaml::to_string(&one).unwrap_or_default()
}

/// A top-level key's lines (`value`), and the blank or comment lines after it.
struct Block {
    key: Option<String>,
    value: String,
    trailing: String,
}

/// The front matter cut at its top-level keys; text before the first key is a block
/// without a key.
fn blocks(yaml: &str) -> Vec<Block> {
    let mut out: Vec<Block> = vec![Block {
        key: None,
        value: String::new(),
        trailing: String::new(),
    }];
    for line in yaml.split_inclusive('\n') {
        let Some(block) = out.last_mut() else {
            continue;
        };
        if let Some(key) = top_level_key(line) {
            out.push(Block {
                key: Some(key),
                value: line.to_string(),
                trailing: String::new(),
            });
        } else if is_aside(line) || block.key.is_none() {
            block.trailing.push_str(line);
        } else {
            // A continuation (an indented line, a `- item`): part of the value, with any
            // comment lines it follows.
            let trailing = std::mem::take(&mut block.trailing);
            block.value.push_str(&trailing);
            block.value.push_str(line);
        }
    }
    out
}

/// A blank line or a comment at the left margin.
fn is_aside(line: &str) -> bool {
    let t = line.trim_end();
    t.is_empty() || t.starts_with('#')
}

/// `title` for `title: …` (also `"title": …`); `None` for anything else.
fn top_level_key(line: &str) -> Option<String> {
    let first = line.chars().next()?;
    if first.is_whitespace() || matches!(first, '#' | '-' | '{' | '[') {
        return None;
    }
    let (key, rest) = line.split_once(':')?;
    (rest.is_empty() || rest.starts_with([' ', '\t', '\n']))
        .then(|| key.trim().trim_matches(['"', '\'']).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FILE: &str = "---\n# Ghi chú của biên tập viên\nunit: viet-tri   # đơn vị\ntitle: 'Hội nghị'\ntags:\n  - hội nghị\n  # thẻ chính\n  - sơ kết\n\nextra:\n  nguon: báo\ndate: 2026-03-05\n---\nThân bài.\n\n\n";

    fn changes(value: Value) -> serde_json::Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn nothing_changed_is_byte_identical() {
        let form = changes(json!({
            "title": "Hội nghị", "unit": "viet-tri", "tags": ["hội nghị", "sơ kết"],
            "date": "2026-03-05", "draft": null, "summary": null,
        }));
        assert_eq!(rewrite(FILE, &form, "Thân bài.\n").as_deref(), Some(FILE));
        let crlf = FILE.replace('\n', "\r\n");
        assert_eq!(
            rewrite(&crlf, &form, "Thân bài.\r\n").as_deref(),
            Some(crlf.as_str())
        );
    }

    #[test]
    fn one_changed_key_changes_only_its_lines() {
        let cases = [
            (
                json!({"title": "Hội nghị mới"}),
                "title: 'Hội nghị'\n",
                "title: Hội nghị mới\n",
            ),
            (
                json!({"tags": ["a"]}),
                "tags:\n  - hội nghị\n  # thẻ chính\n  - sơ kết\n",
                "tags:\n- a\n",
            ),
            (
                json!({"unit": "doan-hung"}),
                "unit: viet-tri   # đơn vị\n",
                "unit: doan-hung\n",
            ),
            (json!({"date": null}), "date: 2026-03-05\n", ""),
            (
                json!({"draft": true}),
                "date: 2026-03-05\n",
                "date: 2026-03-05\ndraft: true\n",
            ),
        ];
        for (form, old, new) in cases {
            let out = rewrite(FILE, &changes(form.clone()), "Thân bài.").unwrap();
            assert_eq!(out, FILE.replacen(old, new, 1), "{form}");
        }
    }

    #[test]
    fn a_new_body_keeps_the_front_matter() {
        let out = rewrite(FILE, &changes(json!({})), "Bài mới\r\n").unwrap();
        let head = &FILE[..FILE.find("---\nThân").unwrap() + 4];
        assert_eq!(out, format!("{head}\nBài mới\n"));
    }

    #[test]
    fn values_that_need_quotes_get_them() {
        let out = rewrite(FILE, &changes(json!({"title": "A: b #c"})), "Thân bài.").unwrap();
        let (mapping, _) = super::super::doc::split(&out).unwrap();
        assert_eq!(
            mapping.get("title").and_then(|v| v.as_str()),
            Some("A: b #c")
        );
    }

    #[test]
    fn a_value_the_line_cut_misreads_is_still_saved_right() {
        // A double-quoted title over two lines, the second looking like a key.
        let file =
            "---\ntitle: \"Hội nghị\n  tổng kết: 2025\"\nunit: viet-tri # đơn vị\n---\nThân.\n";
        let cases = [
            (json!({"title": "Mới"}), Some("Mới"), "viet-tri"),
            (
                json!({"unit": "doan-hung"}),
                Some("Hội nghị tổng kết: 2025"),
                "doan-hung",
            ),
            (json!({"title": null}), None, "viet-tri"),
        ];
        for (form, title, unit) in cases {
            let out = rewrite(file, &changes(form.clone()), "Thân.").unwrap();
            let (mapping, _) = super::super::doc::split(&out).unwrap();
            assert_eq!(mapping.len(), title.map_or(1, |_| 2), "{form}: {out}");
            assert_eq!(
                mapping.get("title").and_then(|v| v.as_str()),
                title,
                "{out}"
            );
            assert_eq!(
                mapping.get("unit").and_then(|v| v.as_str()),
                Some(unit),
                "{out}"
            );
        }
    }

    #[test]
    fn no_front_matter_is_none() {
        assert!(rewrite("chỉ có chữ", &changes(json!({})), "").is_none());
    }
}
