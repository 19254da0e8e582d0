//! Markdown that meant to be a link or an image but is not one: in CommonMark a destination
//! cannot hold a space, so `![Đội thi](ảnh đội thi.jpg)` stays text and readers see it raw.
//! Such a destination is accepted when written in angle brackets (`(<ảnh đội thi.jpg>)`) or
//! percent-encoded (`ảnh%20đội%20thi.jpg`); the error gives the first form, ready to paste.

/// A `[text](destination)` or `![alt](destination)` written in `line` that CommonMark does
/// not read as one, with the form that works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    pub written: String,
    pub fixed: String,
    pub is_image: bool,
}

/// Every broken link or image of one source line. Only destinations with white space are
/// reported (the usual cause: a file name with spaces); a title after the destination
/// (`(a.jpg "Ảnh")`) and the `<…>` form are valid and skipped.
pub fn scan_line(line: &str) -> Vec<Broken> {
    let code = without_code(line);
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = code[from..].find("](").map(|i| i + from) {
        from = at + 2;
        let Some(open) = code[..at].rfind('[') else {
            continue;
        };
        let Some(close) = code[at + 2..].find(')').map(|i| i + at + 2) else {
            continue;
        };
        let dest = &line[at + 2..close];
        let trimmed = dest.trim();
        if trimmed.starts_with('<') || !trimmed.contains(char::is_whitespace) || has_title(trimmed)
        {
            continue;
        }
        let is_image = open > 0 && line.as_bytes()[open - 1] == b'!';
        let start = if is_image { open - 1 } else { open };
        let label = &line[open..at + 1];
        found.push(Broken {
            written: line[start..=close].to_string(),
            fixed: format!("{}{label}(<{trimmed}>)", if is_image { "!" } else { "" }),
            is_image,
        });
        from = close + 1;
    }
    found
}

/// `line` with the inside of its code spans blanked (same byte length, so offsets hold):
/// `` `[x](a b)` `` is shown as code, not a link.
fn without_code(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
            out.push(c);
        } else if in_code {
            out.extend(std::iter::repeat_n('x', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

/// `a.jpg "Ảnh"` or `a.jpg 'Ảnh'`: a destination without spaces, then a quoted title.
fn has_title(dest: &str) -> bool {
    let Some((url, title)) = dest.split_once(char::is_whitespace) else {
        return false;
    };
    let title = title.trim();
    !url.is_empty()
        && title.len() >= 2
        && ((title.starts_with('"') && title.ends_with('"'))
            || (title.starts_with('\'') && title.ends_with('\''))
            || (title.starts_with('(') && title.ends_with(')')))
}

/// The staff message for one broken link or image.
pub fn message(broken: &Broken) -> (String, String) {
    let what = if broken.is_image {
        "không thành ảnh"
    } else {
        "không thành liên kết"
    };
    (
        format!(
            "`{}` {what}: đường dẫn có dấu cách, người đọc sẽ thấy nguyên dòng chữ này",
            broken.written
        ),
        format!(
            "ghi `{}` (tên tệp trong `< >`), hoặc đổi tên tệp không dấu cách",
            broken.fixed
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_with_spaces_are_found_with_the_fix() {
        // (line, expected (written, fixed) pairs)
        let cases: &[(&str, &[(&str, &str)])] = &[
            (
                "![Đội thi](ảnh đội thi.jpg)",
                &[(
                    "![Đội thi](ảnh đội thi.jpg)",
                    "![Đội thi](<ảnh đội thi.jpg>)",
                )],
            ),
            (
                "Xem [bài trước](../2025/hoi nghi.md) và [ảnh](a b.png).",
                &[
                    (
                        "[bài trước](../2025/hoi nghi.md)",
                        "[bài trước](<../2025/hoi nghi.md>)",
                    ),
                    ("[ảnh](a b.png)", "[ảnh](<a b.png>)"),
                ],
            ),
            ("![Đội thi](<ảnh đội thi.jpg>)", &[]),
            ("![Đội thi](anh-doi-thi.jpg \"Đội thi\")", &[]),
            ("[a](b.md)", &[]),
            ("mảng a[i](j) không có dấu cách", &[]),
            ("không có liên kết nào", &[]),
            ("mã `[x](a b)` không phải liên kết", &[]),
        ];
        for (line, expected) in cases {
            let found: Vec<(String, String)> = scan_line(line)
                .into_iter()
                .map(|b| (b.written, b.fixed))
                .collect();
            let expected: Vec<(String, String)> = expected
                .iter()
                .map(|(w, f)| (w.to_string(), f.to_string()))
                .collect();
            assert_eq!(found, expected, "{line}");
        }
    }
}
