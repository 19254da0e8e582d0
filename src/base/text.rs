//! Text as it enters datto (a Markdown file, `site.yaml`, a decoded YAML string): the
//! characters that no HTML page or XML feed may hold are dealt with here, once, so no
//! template has to think about them.
//!
//! - U+000B (Word's "soft line break", Shift+Enter, pasted into a file) and U+000C (form
//!   feed, Word's page break) in a file become a space: that is how a line break inside a
//!   Markdown paragraph renders anyway.
//! - Every other control character (U+0000–U+001F but tab, LF, CR; U+007F–U+009F) and the
//!   noncharacters (U+FDD0–U+FDEF, U+FFFE, U+FFFF and their twins in every plane) are an
//!   error at `path:line`: they are invisible, so only the error tells staff they are there.
//!   XML 1.0 cannot hold them at all and the HTML standard calls them parse errors.

use std::path::Path;

use crate::base::diagnostics::Diagnostic;

/// `bytes` as a `String` when they are UTF-8, checked with SIMD (`simdutf8`): std's check
/// runs ~0.4 GB/s on Vietnamese text (it leaves its ASCII fast path at every letter with a
/// diacritic) and was a tenth of a build's CPU time.
pub fn utf8(bytes: Vec<u8>) -> Result<String, Vec<u8>> {
    if simdutf8::basic::from_utf8(&bytes).is_err() {
        return Err(bytes);
    }
    // SAFETY: checked to be UTF-8 just above.
    Ok(unsafe { String::from_utf8_unchecked(bytes) })
}

/// `std::fs::read_to_string` with [`utf8`]'s check (the same error when it is not UTF-8).
pub fn read_to_string(path: &Path) -> std::io::Result<String> {
    utf8(std::fs::read(path)?).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// Characters that can never reach the output.
pub fn is_forbidden(c: char) -> bool {
    let code = c as u32;
    matches!(c, '\0'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
        || (0xfdd0..=0xfdef).contains(&code)
        || code & 0xfffe == 0xfffe
}

/// The first forbidden character of `text`, if any. Looks at bytes, decoding a character
/// only where one may start (decoding every character of 71 MB of Vietnamese was a tenth of
/// a build): every forbidden character's UTF-8 begins with a byte below 0x20 (not tab, LF,
/// CR), 0x7F, 0xC2 (U+0080–U+00BF) or 0xEF and above (U+F000 and up).
pub fn first_forbidden(text: &str) -> Option<char> {
    let may_start = |b: &u8| match *b {
        b'\t' | b'\n' | b'\r' => false,
        b => b < 0x20 || b == 0x7f || b == 0xc2 || b >= 0xef,
    };
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = bytes[from..].iter().position(may_start) {
        // A lead or ASCII byte: always the start of a character.
        let c = text.get(from + at..)?.chars().next()?;
        if is_forbidden(c) {
            return Some(c);
        }
        from += at + c.len_utf8();
    }
    None
}

/// How an error names a character: `U+0000`.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// The message for a forbidden character in a value (a YAML `"\0"` escape).
pub fn forbidden_message(c: char) -> String {
    format!(
        "ký tự điều khiển {} không được phép (không hiện được trên trang, làm hỏng RSS)",
        code_point(c)
    )
}

const HINT: &str = "xóa ký tự này (thường do dán từ Word hay PDF): gõ lại đoạn chữ quanh nó";

/// A file's text made safe (see the module docs), or one error per line holding a
/// forbidden character, at its line.
pub fn clean_file(shown: &Path, text: String) -> Result<String, Vec<Diagnostic>> {
    let text = if text.bytes().any(|b| b == 0x0b || b == 0x0c) {
        text.replace(['\u{b}', '\u{c}'], " ")
    } else {
        text
    };
    if first_forbidden(&text).is_none() {
        return Ok(text);
    }
    let errors = text
        .split('\n')
        .enumerate()
        .filter_map(|(i, line)| {
            first_forbidden(line)
                .map(|c| Diagnostic::new(shown, i + 1, forbidden_message(c)).with_hint(HINT))
        })
        .collect();
    Err(errors)
}

/// A stable hash of a text, to tell whether a file really changed.
pub fn hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = rustc_hash::FxHasher::default();
    text.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters() {
        for c in [
            '\0',
            '\u{1}',
            '\u{8}',
            '\u{1b}',
            '\u{7f}',
            '\u{85}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{fdd0}',
            '\u{1fffe}',
            '\u{10ffff}',
        ] {
            assert!(is_forbidden(c), "{}", code_point(c));
        }
        for c in [
            '\t',
            '\n',
            '\r',
            ' ',
            'ệ',
            '\u{a0}',
            '\u{feff}',
            '\u{fffd}',
            '\u{1f600}',
        ] {
            assert!(!is_forbidden(c), "{}", code_point(c));
        }
    }

    #[test]
    fn soft_line_breaks_become_spaces_and_controls_are_errors_at_their_line() {
        let path = Path::new("content/tin-bai/a.md");
        assert_eq!(
            clean_file(path, "Dòng một\u{b}dòng hai\u{c}\n".into()).unwrap(),
            "Dòng một dòng hai \n"
        );
        let errors =
            clean_file(path, "---\ntitle: a\u{0}b\n---\nx\u{1}\n\u{ffff}\n".into()).unwrap_err();
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert!(shown[0].starts_with("content/tin-bai/a.md:2: ký tự điều khiển U+0000"));
        assert!(shown[1].starts_with("content/tin-bai/a.md:4:"));
        assert!(shown[2].contains("U+FFFF"));
    }

    #[test]
    fn utf8_takes_what_std_takes() {
        for (bytes, ok) in [
            (&b""[..], true),
            ("Phụ nữ Đất Tổ".as_bytes(), true),
            (&[0xc4][..], false),                   // "đ" cut in half
            (&[0xed, 0xa0, 0x80][..], false),       // a surrogate
            (&[0xc0, 0xaf][..], false),             // an overlong "/"
            (&[0xf4, 0x90, 0x80, 0x80][..], false), // above U+10FFFF
        ] {
            assert_eq!(utf8(bytes.to_vec()).is_ok(), ok, "{bytes:?}");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, [b'a', 0xff]).unwrap();
        let e = read_to_string(&path).unwrap_err();
        assert_eq!(e.kind(), std::fs::read_to_string(&path).unwrap_err().kind());
    }

    proptest::proptest! {
        #[test]
        fn utf8_agrees_with_std(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64), text in "\\PC*") {
            proptest::prop_assert_eq!(utf8(bytes.clone()).ok(), String::from_utf8(bytes).ok());
            proptest::prop_assert_eq!(utf8(text.clone().into_bytes()).ok(), Some(text));
        }

        #[test]
        fn the_byte_scan_finds_what_decoding_every_character_finds(text in "\\PC*|[\\x00-\\x{ffff}]*|.*[\\x{fdd0}-\\x{fdef}\\x{fffe}\\x{1fffe}\\x{10ffff}\\x{80}-\\x{9f}].*") {
            proptest::prop_assert_eq!(first_forbidden(&text), text.chars().find(|&c| is_forbidden(c)));
        }
    }
}
