//! serde and YAML messages (English, written for programmers) turned into what happened and
//! how to fix it, in Vietnamese, with the ready answer where the faulty line gives one.

/// A message and its hint, for one key (or the whole file when `key` is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explained {
    pub message: String,
    pub hint: Option<String>,
}

fn explained(message: String, hint: Option<String>) -> Explained {
    Explained { message, hint }
}

/// A YAML syntax error. `detail` is serde_yaml's message without its location; `line` is the
/// text of the faulty line (empty when unknown).
pub fn syntax(detail: &str, line: &str) -> Explained {
    let line = line.trim_end();
    if detail.contains("mapping values are not allowed") {
        let value_has_colon = line
            .split_once(':')
            .is_some_and(|(_, value)| value.contains(':'));
        if line.starts_with([' ', '\t']) && !value_has_colon {
            return explained(
                "dòng này thụt lề nên bị hiểu là phần tiếp của dòng trên".into(),
                Some(format!("bỏ dấu cách ở đầu dòng: `{}`", line.trim())),
            );
        }
        let hint = match line.split_once(':') {
            Some((key, value)) if !key.trim().is_empty() && !value.trim().is_empty() => {
                let value = value.trim().replace('"', "\\\"");
                format!("đặt giá trị trong ngoặc kép: `{}: \"{value}\"`", key.trim())
            }
            _ => "đặt giá trị có dấu `:` trong ngoặc kép".into(),
        };
        return explained(
            "giá trị có dấu `:` nên YAML hiểu nhầm là một khóa mới".into(),
            Some(hint),
        );
    }
    if detail.contains("cannot start any token") {
        if line.contains('\t') {
            return explained(
                "dòng có ký tự Tab; YAML chỉ cho thụt lề bằng dấu cách".into(),
                Some("xóa Tab, thụt lề bằng dấu cách".into()),
            );
        }
        return explained(
            "giá trị bắt đầu bằng một ký tự đặc biệt (như `@` hoặc `` ` ``)".into(),
            Some(quote_hint(line)),
        );
    }
    if detail.contains("found character that cannot start any token")
        || detail.contains("found a tab character")
    {
        return explained(
            "dòng có ký tự Tab; YAML chỉ cho thụt lề bằng dấu cách".into(),
            Some("xóa Tab, thụt lề bằng dấu cách".into()),
        );
    }
    if let Some(key) = detail
        .strip_prefix("duplicate entry with key ")
        .or_else(|| detail.split("duplicate key").nth(1))
    {
        let key = key.trim().trim_matches('"');
        return explained(
            format!("khóa `{key}` được ghi hai lần"),
            Some("giữ một dòng, xóa dòng kia".into()),
        );
    }
    if detail.contains("expected ',' or ']'") {
        return explained(
            "danh sách mở bằng `[` nhưng không đóng bằng `]`".into(),
            Some("ví dụ `tags: [Ẩm thực, Hội thi]`".into()),
        );
    }
    if detail.contains("expected ',' or '}'") {
        return explained(
            "bảng mở bằng `{` nhưng không đóng bằng `}`".into(),
            Some("đóng ngoặc `}`, hoặc đặt giá trị trong ngoặc kép".into()),
        );
    }
    if detail.contains("could not find expected ':'") {
        let hint = match line.trim().split_once(char::is_whitespace) {
            Some((key, value)) if !line.contains(':') => {
                format!("ghi `{key}: {}`", value.trim())
            }
            _ => "mỗi dòng viết `khóa: giá trị`, có dấu cách sau dấu `:`".into(),
        };
        return explained("thiếu dấu `:` sau tên khóa".into(), Some(hint));
    }
    if detail.contains("quoted scalar") {
        return explained(
            "thiếu dấu ngoặc kép đóng".into(),
            Some(
                "giá trị mở bằng `\"` (hoặc `'`) phải đóng bằng đúng dấu đó trên cùng dòng".into(),
            ),
        );
    }
    if detail.contains("unknown anchor") || detail.contains("undefined alias") {
        return explained(
            "bí danh `*…` không có neo `&…` tương ứng ở phía trên".into(),
            Some("viết thẳng giá trị thay cho `*…`".into()),
        );
    }
    if detail.contains("recursion limit") {
        return explained(
            "giá trị lồng nhau quá sâu".into(),
            Some("viết phẳng hơn, mỗi khóa một dòng".into()),
        );
    }
    if detail.contains("repetition limit") {
        return explained(
            "dùng bí danh `*…` quá nhiều lần".into(),
            Some("viết thẳng giá trị thay cho `*…`".into()),
        );
    }
    if detail.contains("block mapping")
        || detail.contains("did not find expected key")
        || detail.contains("block sequence")
        || detail.contains("did not find expected '-'")
    {
        return explained(
            "thụt lề không đều: YAML không biết dòng này thuộc khóa nào".into(),
            Some("các khóa cùng cấp phải thẳng cột, thụt lề bằng dấu cách; giá trị có `:`, `#` hay `[` thì đặt trong ngoặc kép".into()),
        );
    }
    explained(
        "YAML không hợp lệ".into(),
        Some("kiểm tra dấu `:` sau mỗi khóa, thụt lề bằng dấu cách, và đặt chuỗi có dấu `:` trong ngoặc kép".into()),
    )
}

fn quote_hint(line: &str) -> String {
    match line.split_once(':') {
        Some((key, value)) if !value.trim().is_empty() => {
            let value = value.trim().replace('"', "\\\"");
            format!("đặt giá trị trong ngoặc kép: `{}: \"{value}\"`", key.trim())
        }
        _ => "đặt giá trị trong ngoặc kép".into(),
    }
}

/// serde_yaml puts the path inside the document first (`units[1].target: …`): split off.
fn split_path(detail: &str) -> (Option<&str>, &str) {
    match detail.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') && !path.is_empty() => (Some(path), rest),
        _ => (None, detail),
    }
}

/// What the message is about, in words (`` `target` của mục thứ 2 trong `units` ``), and the
/// key the ready answer is written with (`target`).
fn subject(key: &str, path: Option<&str>) -> (String, String) {
    let Some(path) = path.filter(|p| *p != key && p.starts_with(key)) else {
        return (format!("`{key}`"), key.to_string());
    };
    let rest = &path[key.len()..];
    // `[1]` then maybe `.field`
    if let Some(inner) = rest.strip_prefix('[')
        && let Some((index, after)) = inner.split_once(']')
        && let Ok(index) = index.parse::<usize>()
    {
        let item = format!("mục thứ {} trong `{key}`", index + 1);
        return match after.strip_prefix('.') {
            Some(field) if !field.is_empty() => {
                let leaf = field.rsplit('.').next().unwrap_or(field);
                (format!("`{field}` của {item}"), leaf.to_string())
            }
            _ => (item, key.to_string()),
        };
    }
    let leaf = path.rsplit('.').next().unwrap_or(path);
    (format!("`{path}`"), leaf.to_string())
}

/// A written value as serde names it (`string "có"`, `map`, `integer `3``) → Vietnamese,
/// with the scalar itself when there is one.
fn found(unexpected: &str) -> (String, Option<String>) {
    let unexpected = unexpected.trim();
    if let Some(text) = unexpected.strip_prefix("string ") {
        let text = text.trim_matches('"').to_string();
        return (format!("`{text}`"), Some(text));
    }
    for (prefix, _) in [("integer ", ()), ("floating point ", ()), ("boolean ", ())] {
        if let Some(value) = unexpected.strip_prefix(prefix) {
            let value = value.trim_matches('`').to_string();
            return (format!("`{value}`"), Some(value));
        }
    }
    let shown = match unexpected {
        "map" => "một bảng (các dòng `khóa: giá trị`)",
        "sequence" => "một danh sách",
        "unit value" | "null" => "để trống",
        "enum" => "một giá trị có thẻ `!`",
        _ => "một giá trị khác",
    };
    (shown.to_string(), None)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Wanted {
    Boolean,
    Integer,
    Number,
    Text,
    TextOrList,
    List,
    Map,
    Other,
}

fn wanted(expected: &str) -> Wanted {
    let expected = expected.trim();
    match expected {
        "a boolean" => Wanted::Boolean,
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize" | "isize" => {
            Wanted::Integer
        }
        "f32" | "f64" => Wanted::Number,
        "a string" | "một dòng chữ" => Wanted::Text,
        "một dòng chữ hoặc một danh sách" => Wanted::TextOrList,
        "a sequence" => Wanted::List,
        e if e.starts_with("struct ") || e == "a map" => Wanted::Map,
        _ => Wanted::Other,
    }
}

fn wanted_text(wanted: Wanted) -> &'static str {
    match wanted {
        Wanted::Boolean => "`true` hoặc `false`",
        Wanted::Integer => "một số nguyên",
        Wanted::Number => "một số",
        Wanted::Text => "một dòng chữ",
        Wanted::TextOrList => "một dòng chữ hoặc một danh sách",
        Wanted::List => "một danh sách",
        Wanted::Map => "các dòng `khóa: giá trị`",
        Wanted::Other => "một giá trị khác",
    }
}

/// Keys whose value is a list of texts.
const LIST_KEYS: &[&str] = &["tags", "criteria"];

/// The ready answer for a value of the wrong type under `key`.
fn type_hint(key: &str, wanted: Wanted, scalar: Option<&str>, found_list: bool) -> String {
    match wanted {
        Wanted::Boolean => {
            let yes = [
                "có", "co", "rồi", "roi", "đúng", "dung", "yes", "y", "x", "1",
            ];
            let no = [
                "false", "không", "khong", "chưa", "chua", "sai", "no", "n", "0",
            ];
            let written = scalar.map(|s| s.trim().to_lowercase());
            match written.as_deref() {
                Some(w) if yes.contains(&w) => format!("ghi `{key}: true`"),
                Some(w) if no.contains(&w) => format!("ghi `{key}: false`"),
                _ => format!("ghi `{key}: true` (có) hoặc `{key}: false` (không)"),
            }
        }
        Wanted::Integer | Wanted::Number => {
            match scalar.map(|s| s.chars().filter(char::is_ascii_digit).collect::<String>()) {
                Some(digits) if !digits.is_empty() => format!("ghi chỉ con số: `{key}: {digits}`"),
                _ if key.contains("year") || key == "by" => {
                    format!("ghi một con số, ví dụ `{key}: 2020`")
                }
                _ => format!("ghi một con số, ví dụ `{key}: 20`"),
            }
        }
        Wanted::Text | Wanted::TextOrList if found_list && LIST_KEYS.contains(&key) => format!(
            "mỗi mục là một dòng chữ, không lồng danh sách hay bảng: `{key}: [Ẩm thực, Hội thi]`"
        ),
        Wanted::Text | Wanted::TextOrList if found_list => format!(
            "giá trị bắt đầu bằng `[` hay `{{` thì đặt cả giá trị trong ngoặc kép: `{key}: \"[Ảnh] Hội thi\"`"
        ),
        Wanted::Text | Wanted::TextOrList => {
            format!("giá trị có dấu `:` thì đặt trong ngoặc kép: `{key}: \"Hội nghị: tổng kết\"`")
        }
        Wanted::List => format!("ghi dạng danh sách: `{key}: [a, b]`"),
        Wanted::Map => format!("ghi `{key}:` rồi các dòng `khóa: giá trị` thụt lề bên dưới"),
        Wanted::Other => "xem ví dụ trong README".into(),
    }
}

/// A type or value error from serde for the value of `key`.
pub fn value(key: &str, detail: &str) -> Explained {
    let (path, detail) = split_path(detail);
    let (about, key) = subject(key, path);
    let key = key.as_str();
    if let Some(rest) = detail
        .strip_prefix("invalid type: ")
        .or_else(|| detail.strip_prefix("invalid value: "))
    {
        let (unexpected, expected) = rest.rsplit_once(", expected ").unwrap_or((rest, ""));
        let (shown, scalar) = found(unexpected);
        let wanted = wanted(expected);
        let found_list = matches!(unexpected.trim(), "map" | "sequence");
        return explained(
            format!(
                "{about} phải là {}, không phải {shown}",
                wanted_text(wanted)
            ),
            Some(type_hint(key, wanted, scalar.as_deref(), found_list)),
        );
    }
    if let Some(rest) = detail.strip_prefix("missing field ") {
        let field = rest.trim().trim_matches('`');
        return explained(
            format!("{about}: thiếu khóa `{field}`"),
            Some(format!("thêm dòng `{field}: …` vào mục đó")),
        );
    }
    if let Some(rest) = detail.strip_prefix("unknown field ") {
        let (field, expected) = rest.split_once(", expected").unwrap_or((rest, ""));
        let field = field.trim().trim_matches('`');
        let valid: Vec<&str> = expected
            .split('`')
            .skip(1)
            .step_by(2)
            .filter(|s| !s.is_empty())
            .collect();
        let hint = crate::base::diagnostics::did_you_mean(
            crate::base::diagnostics::closest(field, valid.iter().copied()),
            "các khóa được dùng",
            valid.iter().copied(),
        );
        return explained(
            format!("{about}: khóa không được hỗ trợ `{field}`"),
            Some(hint),
        );
    }
    if let Some(rest) = detail.strip_prefix("duplicate field ") {
        let field = rest.trim().trim_matches('`');
        return explained(
            format!("{about}: khóa `{field}` được ghi hai lần"),
            Some("giữ một dòng, xóa dòng kia".into()),
        );
    }
    if detail.starts_with("invalid length") {
        return explained(
            format!("{about}: số mục không đúng"),
            Some("xem ví dụ trong README".into()),
        );
    }
    if detail.contains("recursion limit") || detail.contains("repetition limit") {
        return syntax(detail, "");
    }
    explained(
        format!("{about}: giá trị không hợp lệ"),
        Some("xem ví dụ trong README".into()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_errors_in_vietnamese_with_the_ready_answer() {
        // (key, serde's message, expected fragment of the message, of the hint)
        let cases = [
            (
                "draft",
                "invalid type: string \"có\", expected a boolean",
                "`draft` phải là `true` hoặc `false`, không phải `có`",
                "ghi `draft: true`",
            ),
            (
                "draft",
                "draft: invalid type: string \"không\", expected a boolean",
                "không phải `không`",
                "ghi `draft: false`",
            ),
            (
                "tags",
                "invalid type: sequence, expected một dòng chữ",
                "`tags` phải là một dòng chữ, không phải một danh sách",
                "`tags: [Ẩm thực, Hội thi]`",
            ),
            (
                "tags",
                "invalid type: map, expected một dòng chữ hoặc một danh sách",
                "không phải một bảng",
                "`tags: [Ẩm thực, Hội thi]`",
            ),
            (
                "year",
                "invalid type: string \"năm 2019\", expected i32",
                "`year` phải là một số nguyên",
                "`year: 2019`",
            ),
            (
                "units",
                "units[1]: missing field `name`",
                "mục thứ 2 trong `units`: thiếu khóa `name`",
                "`name: …`",
            ),
            (
                "units",
                "units[0]: unknown field `shrot`, expected one of `slug`, `name`, `short`, `target`",
                "khóa không được hỗ trợ `shrot`",
                "`short`",
            ),
            (
                "units",
                "units[2].target: invalid type: string \"hai mươi\", expected u32",
                "`target` của mục thứ 3 trong `units` phải là một số nguyên",
                "`target: 20`",
            ),
            (
                "targets",
                "targets.unit_per_year: invalid type: string \"20 tin\", expected u32",
                "`targets.unit_per_year` phải là một số nguyên",
                "`unit_per_year: 20`",
            ),
        ];
        for (key, detail, message, hint) in cases {
            let e = value(key, detail);
            assert!(e.message.contains(message), "{detail}: {e:?}");
            assert!(
                e.hint.as_deref().unwrap_or("").contains(hint),
                "{detail}: {e:?}"
            );
            assert!(!e.message.contains("expected"), "{detail}: {e:?}");
        }
    }

    #[test]
    fn syntax_errors_in_vietnamese_with_the_ready_answer() {
        let cases = [
            (
                "mapping values are not allowed in this context",
                "title: Hội nghị: tổng kết",
                "dấu `:`",
                "`title: \"Hội nghị: tổng kết\"`",
            ),
            (
                "found character that cannot start any token",
                "\tunit: viet-tri",
                "Tab",
                "dấu cách",
            ),
            (
                "found character that cannot start any token",
                "author: @hoa",
                "ký tự đặc biệt",
                "`author: \"@hoa\"`",
            ),
            (
                "did not find expected ',' or ']'",
                "tags: [a, b",
                "`]`",
                "tags: [",
            ),
            (
                "mapping values are not allowed in this context",
                "  date: 2019-01-01",
                "thụt lề",
                "`date: 2019-01-01`",
            ),
            (
                "could not find expected ':', while scanning a simple key",
                "date 2019-01-01",
                "thiếu dấu `:`",
                "ghi `date: 2019-01-01`",
            ),
            (
                "found unexpected end of stream, while scanning a quoted scalar",
                "title: \"Hội nghị",
                "ngoặc kép",
                "đóng bằng",
            ),
        ];
        for (detail, line, message, hint) in cases {
            let e = syntax(detail, line);
            assert!(e.message.contains(message), "{detail}: {e:?}");
            assert!(
                e.hint.as_deref().unwrap_or("").contains(hint),
                "{detail}: {e:?}"
            );
        }
    }
}
