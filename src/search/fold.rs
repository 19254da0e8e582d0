//! Folding and tokenising for search: "Đường" → `duong`, at index time here and at query
//! time in the theme's `js/tim-kiem.js`, which must fold the same way.
//!
//! A *word* is a run of letters, digits and combining marks. Each word has two forms:
//! the **folded** form (lower case, diacritics dropped, `đ`/`Đ` → `d`) that matching uses,
//! and the **exact** form (lower case, NFC) that ranks a query typed with diacritics. Folded
//! text is never shown: excerpts are cut from the original text.

use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Characters below this code point fold through a table; Latin Extended Additional
/// (U+1E00–U+1EFF, where most Vietnamese letters live) is inside.
const TABLE_END: u32 = 0x2000;

/// What a character folds to: nothing (a combining mark), one char, or (rare: ligatures
/// such as `ǆ`) several.
#[derive(Clone)]
enum Folded {
    Drop,
    One(char),
    Many(Box<str>),
}

fn fold_slow(c: char) -> Folded {
    let mut out = String::new();
    for d in c.nfd() {
        if is_combining_mark(d) {
            continue;
        }
        match d {
            'đ' | 'Đ' => out.push('d'),
            other => out.extend(other.to_lowercase()),
        }
    }
    let mut chars = out.chars();
    match (chars.next(), chars.next()) {
        (None, _) => Folded::Drop,
        (Some(one), None) => Folded::One(one),
        _ => Folded::Many(out.into_boxed_str()),
    }
}

/// What search needs to know of a character, looked up once.
#[derive(Clone)]
struct CharInfo {
    folded: Folded,
    /// Its lower case when that is one character.
    lower: Option<char>,
    /// Part of a word ([`is_word_char`]).
    word: bool,
}

fn info(c: char) -> CharInfo {
    let mut lower = c.to_lowercase();
    let single = match (lower.next(), lower.next()) {
        (Some(l), None) => Some(l),
        _ => None,
    };
    CharInfo {
        folded: fold_slow(c),
        lower: single,
        word: c.is_alphanumeric() || is_combining_mark(c),
    }
}

/// NFD, lower-casing and Unicode property lookups per character are slow for 70 MB of text;
/// the table is built once.
fn table() -> &'static [CharInfo] {
    static TABLE: OnceLock<Vec<CharInfo>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..TABLE_END)
            .map(|code| {
                char::from_u32(code).map_or(
                    CharInfo {
                        folded: Folded::Drop,
                        lower: None,
                        word: false,
                    },
                    info,
                )
            })
            .collect()
    })
}

/// Appends the folded form of `c` to `out`.
fn push_folded(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    let folded = match table().get(c as usize) {
        Some(i) => i.folded.clone(),
        None => fold_slow(c),
    };
    match folded {
        Folded::Drop => {}
        Folded::One(one) => out.push(one),
        Folded::Many(many) => out.push_str(&many),
    }
}

/// Appends the lower case of `c` to `out`.
pub fn push_lower(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    match table().get(c as usize).and_then(|i| i.lower) {
        Some(lower) => out.push(lower),
        None => out.extend(c.to_lowercase()),
    }
}

/// Lower case, diacritics dropped, `đ`/`Đ` → `d`: "Phụ nữ Đất Tổ" → "phu nu dat to".
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push_folded(c, &mut out);
    }
    out
}

/// Lower case, precomposed (NFC): the form a word with its diacritics is ranked by, so that
/// "Việt" typed with combining marks and written precomposed are the same word.
pub fn exact(word: &str) -> String {
    let lower = word.to_lowercase();
    if lower.chars().any(is_combining_mark) {
        lower.nfc().collect()
    } else {
        lower
    }
}

/// Part of a word: letters, digits and the combining marks that decorate them.
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    match table().get(c as usize) {
        Some(i) => i.word,
        None => c.is_alphanumeric() || is_combining_mark(c),
    }
}

/// The words of `text`, as slices of it, in order.
pub fn words(text: &str) -> Words<'_> {
    Words { text, at: 0 }
}

/// Iterator of [`words`]: scans bytes, decoding a character only outside ASCII (this runs
/// over every word of the site; `str::split` with a closure was twice as slow).
pub struct Words<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Words<'a> {
    /// Whether the character starting at byte `i` is part of a word, and its length.
    fn class(&self, i: usize) -> (bool, usize) {
        let b = self.text.as_bytes()[i];
        if b < 0x80 {
            return (b.is_ascii_alphanumeric(), 1);
        }
        match self.text[i..].chars().next() {
            Some(c) => (is_word_char(c), c.len_utf8()),
            None => (false, 1),
        }
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let len = self.text.len();
        while self.at < len {
            let (word, n) = self.class(self.at);
            if word {
                break;
            }
            self.at += n;
        }
        if self.at >= len {
            return None;
        }
        let start = self.at;
        while self.at < len {
            let (word, n) = self.class(self.at);
            if !word {
                break;
            }
            self.at += n;
        }
        Some(&self.text[start..self.at])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese() {
        let cases = [
            ("Đường", "duong"),
            ("đường", "duong"),
            ("ĐẢM ĐANG", "dam dang"),
            ("Phụ nữ Đất Tổ", "phu nu dat to"),
            ("Việt Trì", "viet tri"),
            ("VIỆT TRÌ", "viet tri"),
            ("khởi nghiệp", "khoi nghiep"),
            // Tone marks on every vowel.
            (
                "á à ả ã ạ ă ắ ằ ẳ ẵ ặ â ấ ầ ẩ ẫ ậ",
                "a a a a a a a a a a a a a a a a a",
            ),
            ("é è ẻ ẽ ẹ ê ế ề ể ễ ệ", "e e e e e e e e e e e"),
            ("í ì ỉ ĩ ị", "i i i i i"),
            (
                "ó ò ỏ õ ọ ô ố ồ ổ ỗ ộ ơ ớ ờ ở ỡ ợ",
                "o o o o o o o o o o o o o o o o o",
            ),
            ("ú ù ủ ũ ụ ư ứ ừ ử ữ ự", "u u u u u u u u u u u"),
            ("ý ỳ ỷ ỹ ỵ Ý", "y y y y y y"),
            ("Thủy Thuỷ", "thuy thuy"),
            ("Hội LHPN 2018", "hoi lhpn 2018"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(fold(input), expected, "fold({input:?})");
        }
    }

    #[test]
    fn combining_and_precomposed_fold_and_compare_alike() {
        let cases = ["Đường", "Việt Trì", "Phụ nữ Đất Tổ", "ưởng", "Ặ"];
        for text in cases {
            let nfd: String = text.nfd().collect();
            assert_ne!(nfd, text, "{text:?} should decompose");
            assert_eq!(fold(&nfd), fold(text), "fold of NFD {text:?}");
            assert_eq!(exact(&nfd), exact(text), "exact of NFD {text:?}");
        }
    }

    #[test]
    fn the_table_agrees_with_the_slow_path() {
        for code in (0..TABLE_END + 200).step_by(7) {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            assert_eq!(
                is_word_char(c),
                c.is_alphanumeric() || is_combining_mark(c),
                "{c:?}"
            );
            let mut lower = String::new();
            push_lower(c, &mut lower);
            assert_eq!(lower, c.to_lowercase().collect::<String>(), "{c:?}");
        }
    }

    #[test]
    fn exact_keeps_diacritics_in_lower_case() {
        let cases = [
            ("Đường", "đường"),
            ("VIỆT", "việt"),
            ("duong", "duong"),
            ("Khởi", "khởi"),
        ];
        for (input, expected) in cases {
            assert_eq!(exact(input), expected, "exact({input:?})");
        }
    }

    #[test]
    fn splits_words_on_everything_but_letters_digits_and_marks() {
        let cases: [(&str, &[&str]); 6] = [
            ("Phụ nữ Đất Tổ", &["Phụ", "nữ", "Đất", "Tổ"]),
            (
                "“Mái ấm tình thương”, 2018.",
                &["Mái", "ấm", "tình", "thương", "2018"],
            ),
            ("8/3 – ngày hội", &["8", "3", "ngày", "hội"]),
            ("a-b_c", &["a", "b", "c"]),
            ("  ", &[]),
            // Combining marks stay inside the word.
            ("Vie\u{323}\u{302}t Nam", &["Vie\u{323}\u{302}t", "Nam"]),
        ];
        for (input, expected) in cases {
            assert_eq!(
                words(input).collect::<Vec<_>>(),
                expected,
                "words({input:?})"
            );
        }
    }
}
