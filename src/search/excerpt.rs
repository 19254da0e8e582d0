//! What a result's excerpt is cut from: not the page's whole text (70 MB on 10,000 items,
//! which made records most of the build's files and bytes), but the opening lines and a
//! short window around the *first* occurrence of every word form the opening does not hold.
//! Whatever word a reader searches for, one fragment shows it with its diacritics, and a
//! page's fragments are a fraction of its text (the rest repeats words already covered).

/// Bytes of the opening kept whole (the usual excerpt when the match is in the title).
pub const LEDE: usize = 240;
/// Bytes kept either side of a word's first occurrence (three or four syllables).
const AROUND: usize = 20;
/// Two windows closer than this become one fragment.
const JOIN: usize = 12;
/// Stop adding windows past this many bytes: on the bench corpus (5 KB of text a page, ~90
/// forms first seen after the opening) the fragments average ~2.4 KB and few pages reach it;
/// a word first seen later is still found, its excerpt then is the opening.
pub const MAX: usize = 2500;

/// Fragments of `text`, in order: the opening, then a window around each `(start, end)`
/// (byte ranges of words, ascending) beyond it. Each fragment starts and ends on a word
/// boundary. Returns the fragments and whether the last one reaches the end of `text`.
pub fn fragments<'t>(text: &'t str, firsts: &[(usize, usize)]) -> (Vec<&'t str>, bool) {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let lede = word_end(text, LEDE.min(text.len()));
    if lede > 0 {
        out.push((0, lede));
    }
    let mut total = lede;
    for &(start, end) in firsts {
        if end <= out.last().map_or(0, |f| f.1) {
            continue;
        }
        if total > MAX {
            break;
        }
        let from = word_start(text, start.saturating_sub(AROUND).max(lede), start);
        let to = word_end(text, (end + AROUND).min(text.len())).max(end);
        match out.last_mut() {
            Some(last) if from <= last.1 + JOIN => {
                total += to - last.1;
                last.1 = to;
            }
            _ => {
                total += to - from;
                out.push((from, to));
            }
        }
    }
    let whole = out.last().is_none_or(|f| f.1 >= text.len());
    (
        out.into_iter().map(|(a, b)| text[a..b].trim()).collect(),
        whole,
    )
}

/// The first word boundary at or after `at` (not past `limit`, a word's start).
fn word_start(text: &str, at: usize, limit: usize) -> usize {
    let mut at = at;
    while !text.is_char_boundary(at) {
        at += 1;
    }
    if at == 0 || at >= limit {
        return at.min(limit);
    }
    match text[at..limit].find(char::is_whitespace) {
        Some(space) if !text[..at].ends_with(char::is_whitespace) => at + space + 1,
        _ => at,
    }
}

/// The last word boundary at or before `at`.
fn word_end(text: &str, at: usize) -> usize {
    let mut at = at;
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    if at >= text.len() || text[at..].starts_with(char::is_whitespace) {
        return at;
    }
    text[..at].rfind(char::is_whitespace).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str, words: &[&str]) -> Vec<(usize, usize)> {
        words
            .iter()
            .map(|w| {
                let at = text.find(w).unwrap();
                (at, at + w.len())
            })
            .collect()
    }

    #[test]
    fn a_short_text_is_its_own_opening() {
        let text = "Phụ nữ Đất Tổ đảm đang";
        assert_eq!(fragments(text, &spans(text, &["đảm"])), (vec![text], true));
        assert_eq!(fragments("", &[]), (vec![], true));
    }

    #[test]
    fn every_first_occurrence_gets_a_window_on_word_boundaries() {
        let filler = "một hai ba bốn năm sáu bảy tám chín mười ".repeat(12);
        let text = format!("{filler}đoạn giữa có chữ Đường làng {filler}cuối cùng tukhoamoi hết");
        let (parts, whole) = fragments(&text, &spans(&text, &["Đường", "tukhoamoi"]));
        assert_eq!(parts.len(), 3, "{parts:?}");
        assert!(parts[0].len() <= LEDE && parts[0].starts_with("một"));
        assert!(parts[1].contains("Đường") && parts[2].contains("tukhoamoi"));
        for part in &parts {
            // Whole words only: each fragment is a run of the text's words.
            assert!(text.contains(part), "{part:?}");
            let at = text.find(part).unwrap();
            assert!(at == 0 || text[..at].ends_with(' '), "{part:?}");
            let end = at + part.len();
            assert!(
                end == text.len() || text[end..].starts_with(' '),
                "{part:?}"
            );
        }
        assert!(whole, "the last window reaches the end");
        assert!(parts.iter().map(|p| p.len()).sum::<usize>() < text.len() / 2);
    }

    #[test]
    fn close_windows_join_and_words_in_the_opening_add_nothing() {
        let filler = "chữ ".repeat(80);
        let text = format!("mở đầu {filler}một hai ba bốn {filler}");
        let (parts, whole) = fragments(&text, &spans(&text, &["mở", "một", "bốn"]));
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert!(parts[1].contains("một hai ba bốn"));
        assert!(!whole);
    }
}
