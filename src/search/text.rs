//! The plain text of a rendered body, for the index and the excerpts: tags dropped (block
//! tags become a line break, so words of two paragraphs never join), the few entities
//! pulldown-cmark writes decoded, white space collapsed. Diacritics are kept as written.
//!
//! Reading the HTML datto has already rendered is one linear pass; parsing the Markdown a
//! second time would cost as much as rendering it.

/// Tags after which the text continues on a new line.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "td",
    "th",
    "tr",
    "table",
    "blockquote",
    "pre",
    "div",
    "figure",
    "figcaption",
    "hr",
    "dd",
    "dt",
    "section",
];

pub fn html_to_text(html: &str) -> String {
    let mut out = Text {
        text: String::with_capacity(html.len()),
        space: false,
        newline: false,
    };
    let mut rest = html;
    while !rest.is_empty() {
        let next = rest
            .bytes()
            .position(|b| b == b'<' || b == b'&')
            .unwrap_or(rest.len());
        if next > 0 {
            out.push_run(&rest[..next]);
            rest = &rest[next..];
            continue;
        }
        if rest.starts_with('<') {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            let tag = rest[1..end].trim_start_matches('/');
            let name_len = tag.bytes().take_while(u8::is_ascii_alphanumeric).count();
            let name = tag[..name_len].to_ascii_lowercase();
            if BLOCK_TAGS.contains(&name.as_str()) {
                out.newline = true;
            }
            rest = &rest[end..];
        } else {
            let (decoded, len) = entity(rest);
            out.push_run(decoded.encode_utf8(&mut [0; 4]));
            rest = &rest[len..];
        }
    }
    out.text
}

/// The text being made, and the separator owed before the next word.
struct Text {
    text: String,
    space: bool,
    newline: bool,
}

impl Text {
    /// Appends text between tags: runs of white space become one separator, written only
    /// before the next non-space (so none trails or doubles).
    fn push_run(&mut self, run: &str) {
        // Splitting at ASCII bytes keeps every piece valid UTF-8.
        let mut start = 0;
        for (i, b) in run.bytes().enumerate() {
            if matches!(b, b' ' | b'\n' | b'\t' | b'\r') {
                self.push_piece(&run[start..i]);
                self.space = true;
                start = i + 1;
            }
        }
        self.push_piece(&run[start..]);
    }

    fn push_piece(&mut self, piece: &str) {
        if piece.is_empty() {
            return;
        }
        if !self.text.is_empty() {
            if self.newline {
                self.text.push('\n');
            } else if self.space {
                self.text.push(' ');
            }
        }
        self.space = false;
        self.newline = false;
        self.text.push_str(piece);
    }
}

/// The character an entity at the start of `s` stands for, and its length; a lone `&`
/// stands for itself.
fn entity(s: &str) -> (char, usize) {
    let Some(end) = s[1..].find(';').map(|i| i + 1).filter(|&i| i <= 10) else {
        return ('&', 1);
    };
    let body = &s[1..end];
    let c = match body {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some(' '),
        _ => body
            .strip_prefix("#x")
            .or_else(|| body.strip_prefix("#X"))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .or_else(|| body.strip_prefix('#').and_then(|d| d.parse().ok()))
            .and_then(char::from_u32),
    };
    match c {
        Some(c) => (c, end + 1),
        None => ('&', 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_text_keeping_diacritics() {
        let cases = [
            ("<p>Phụ nữ <strong>Đất</strong> Tổ</p>", "Phụ nữ Đất Tổ"),
            ("<p>Một</p>\n<p>Hai</p>", "Một\nHai"),
            (
                "<h2 id=\"a\">Tiêu đề</h2><ul><li>một</li><li>hai</li></ul>",
                "Tiêu đề\nmột\nhai",
            ),
            (
                "<p>A &amp; B &lt;c&gt; &quot;d&quot; &#39;e&#39; &#x1EA1;</p>",
                "A & B <c> \"d\" 'e' ạ",
            ),
            ("<p>lẻ & loi; &unknown; x</p>", "lẻ & loi; &unknown; x"),
            ("<p>  nhiều   khoảng\n trắng </p>", "nhiều khoảng trắng"),
            ("<img src=\"a.jpg\" alt=\"ảnh\"><p>chữ</p>", "chữ"),
            ("<td>1</td><td>2</td>", "1\n2"),
            ("", ""),
            ("chữ <b", "chữ"),
        ];
        for (html, expected) in cases {
            assert_eq!(html_to_text(html), expected, "html_to_text({html:?})");
        }
    }
}
