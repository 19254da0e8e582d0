//! The inverted index and its files: folded word → the exact forms seen → postings.
//!
//! A posting is `2 × doc + in_title`, kept ascending, written as deltas in a base-64
//! variable-length code (see [`encode`]). Folded words are sorted and cut into shards of
//! at most [`SHARD_MAX`] bytes at content-defined points, so an edit rewrites the shards
//! near the words it touched, not every shard after them.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};

use super::fold;

/// Digits of the posting code; `0`–`V` end a number, `W`–`_` continue it. JSON-safe.
const DIGITS: &[u8; 64] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

/// A shard stops growing past this (unless one word alone is larger).
pub const SHARD_MAX: usize = 40 * 1024;
/// Below this a shard never ends; above it, it ends after a word whose hash says so.
const SHARD_MIN: usize = 8 * 1024;
/// One word in this many ends a shard (once past [`SHARD_MIN`]).
const CUT_ONE_IN: u64 = 16;

/// Appends `values` (ascending, distinct) as deltas: each `value − previous − 1` (the
/// first from −1), in groups of 5 bits, most significant first.
pub fn encode(values: &[u32], out: &mut String) {
    let mut previous: i64 = -1;
    for &value in values {
        let mut delta = (i64::from(value) - previous - 1) as u64;
        previous = i64::from(value);
        let mut groups = [0u8; 13];
        let mut n = 0;
        loop {
            groups[n] = (delta & 31) as u8;
            n += 1;
            delta >>= 5;
            if delta == 0 {
                break;
            }
        }
        for i in (0..n).rev() {
            let digit = if i == 0 { groups[i] } else { groups[i] + 32 };
            out.push(DIGITS[digit as usize] as char);
        }
    }
}

/// The inverse of [`encode`], for tests.
#[cfg(test)]
pub fn decode(code: &str) -> Vec<u32> {
    let mut values = Vec::new();
    let mut previous: i64 = -1;
    let mut number: i64 = 0;
    for b in code.bytes() {
        let digit = DIGITS.iter().position(|d| *d == b).unwrap_or(0) as i64;
        if digit >= 32 {
            number = number * 32 + (digit - 32);
        } else {
            number = number * 32 + digit;
            previous += number + 1;
            values.push(previous as u32);
            number = 0;
        }
    }
    values
}

/// FNV-1a: a hash fixed forever (shard cuts and versions must not change between builds).
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// What one document contributes: its words in exact form, each with "seen in the title".
pub struct DocWords<'a> {
    pub title: &'a str,
    /// Text outside the title (body, written summary, tags…).
    pub text: std::borrow::Cow<'a, str>,
}

/// Byte ranges in [`DocWords::text`] of the first occurrence of each exact form there,
/// ascending (what the excerpt keeps, [`super::excerpt`]).
pub type Firsts = Vec<(usize, usize)>;

/// Words interned for a run of documents: each word is looked up as written (a hash of a
/// few bytes in a table of a few thousand entries), and lower-cased and composed only the
/// first time it is seen. Postings are kept by word number; nothing is allocated per word.
#[derive(Default)]
struct Chunk {
    /// Word as written, when at most 16 bytes (most: a Vietnamese syllable is at most 7
    /// letters), packed in an integer → number of its exact form. Hashing and comparing an
    /// integer beats hashing and comparing a string (the lookup was a quarter of the time).
    short: FxHashMap<u128, u32>,
    /// Longer words as written → number of their exact form.
    written: FxHashMap<Box<str>, u32>,
    /// Exact form → its number.
    numbers: FxHashMap<Box<str>, u32>,
    /// By number: the exact form and its postings.
    forms: Vec<(Box<str>, Vec<u32>)>,
    /// By number: 1 + the last document given a posting, so that a word seen again in the
    /// same document touches this small array only, not its postings.
    seen: Vec<u32>,
    /// By number: 1 + the last document whose text (not title) had the form.
    in_text: Vec<u32>,
    buffer: String,
}

/// `word`'s bytes in an integer, zero-padded (a word never holds a zero byte), when it fits.
fn pack(word: &str) -> Option<u128> {
    let bytes = word.as_bytes();
    if bytes.len() > 16 {
        return None;
    }
    let mut packed = [0u8; 16];
    packed[..bytes.len()].copy_from_slice(bytes);
    Some(u128::from_le_bytes(packed))
}

impl Chunk {
    fn number(&mut self, word: &str) -> u32 {
        let packed = pack(word);
        let known = match packed {
            Some(key) => self.short.get(&key),
            None => self.written.get(word),
        };
        if let Some(&n) = known {
            return n;
        }
        self.buffer.clear();
        let mut marks = false;
        for c in word.chars() {
            marks |= ('\u{300}'..='\u{36f}').contains(&c);
            fold::push_lower(c, &mut self.buffer);
        }
        if marks {
            self.buffer = fold::exact(&self.buffer);
        }
        let n = match self.numbers.get(self.buffer.as_str()) {
            Some(&n) => n,
            None => {
                let n = self.forms.len() as u32;
                self.numbers.insert(self.buffer.as_str().into(), n);
                self.forms.push((self.buffer.as_str().into(), Vec::new()));
                self.seen.push(0);
                self.in_text.push(0);
                n
            }
        };
        match packed {
            Some(key) => self.short.insert(key, n),
            None => self.written.insert(word.into(), n),
        };
        n
    }

    fn add(&mut self, doc: u32, n: usize, title: bool) {
        if self.seen[n] != doc + 1 {
            self.seen[n] = doc + 1;
            self.forms[n].1.push(2 * doc + u32::from(title));
        } else if title && let Some(last) = self.forms[n].1.last_mut() {
            *last |= 1;
        }
    }

    /// Adds the document's words; returns where in its text each form first appears.
    fn add_words(&mut self, doc: u32, words: &DocWords) -> Firsts {
        for word in fold::words(words.title) {
            let n = self.number(word) as usize;
            self.add(doc, n, true);
        }
        let base = words.text.as_ptr() as usize;
        let mut firsts = Vec::new();
        for word in fold::words(&words.text) {
            let n = self.number(word) as usize;
            self.add(doc, n, false);
            if self.in_text[n] != doc + 1 {
                self.in_text[n] = doc + 1;
                let start = word.as_ptr() as usize - base;
                firsts.push((start, start + word.len()));
            }
        }
        firsts
    }
}

/// Documents per parallel task of [`collect`]: the unit `done` sees.
pub const CHUNK: usize = 256;

/// Every exact word form of `docs` with its postings, and what `each` made of each
/// document. `words_of(i)` gives document `i`'s words, then `each(i, words, firsts)` sees
/// them with where each form first appears; both are called once per document, in parallel.
pub fn collect<'a, F, E, T>(count: usize, words_of: F, each: E) -> Collected<T>
where
    F: Fn(usize) -> DocWords<'a> + Sync,
    E: Fn(usize, &DocWords<'a>, &Firsts) -> T + Sync,
    T: Send,
{
    let chunks = collect_chunks(count, words_of, each, |_, made| made);
    Collected {
        exacts: chunks.exacts,
        made: chunks.made.into_iter().flatten().collect(),
    }
}

/// [`collect`], where `done(chunk, made)` gets what `each` made of the [`CHUNK`] documents
/// from `chunk × CHUNK` as soon as they are read, and `made` holds what `done` returns: a
/// build writes each chunk's records there instead of keeping every record until the end
/// (their JSON is ~140 MB at 50,000 items).
pub fn collect_chunks<'a, F, E, T, D, U>(
    count: usize,
    words_of: F,
    each: E,
    done: D,
) -> Collected<U>
where
    F: Fn(usize) -> DocWords<'a> + Sync,
    E: Fn(usize, &DocWords<'a>, &Firsts) -> T + Sync,
    D: Fn(usize, Vec<T>) -> U + Sync,
    U: Send,
{
    let chunks: Vec<(Forms, U)> = (0..count.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut chunk = Chunk::default();
            let mut made = Vec::with_capacity(CHUNK);
            for doc in c * CHUNK..((c + 1) * CHUNK).min(count) {
                let words = words_of(doc);
                let firsts = chunk.add_words(doc as u32, &words);
                made.push(each(doc, &words, &firsts));
            }
            (chunk.forms, done(c, made))
        })
        .collect();
    // A few thousand forms per chunk: merged in one pass. Chunks come in document order,
    // so each list stays ascending.
    let mut all: FxHashMap<Box<str>, Vec<u32>> = FxHashMap::default();
    let mut made = Vec::with_capacity(chunks.len());
    for (forms, each) in chunks {
        made.push(each);
        for (form, postings) in forms {
            match all.get_mut(&form) {
                Some(list) => list.extend(postings),
                None => {
                    all.insert(form, postings);
                }
            }
        }
    }
    let exacts = all
        .into_iter()
        .map(|(form, postings)| (form.into_string(), postings))
        .collect();
    Collected { exacts, made }
}

/// A chunk's exact forms with their postings.
type Forms = Vec<(Box<str>, Vec<u32>)>;

/// What [`collect`] returns.
pub struct Collected<T> {
    /// Exact form → postings.
    pub exacts: BTreeMap<String, Vec<u32>>,
    /// What `each` made of each document ([`collect`]), or `done` of each chunk
    /// ([`collect_chunks`]).
    pub made: Vec<T>,
}

/// Exact forms with their postings.
pub type Variants = Vec<(String, Vec<u32>)>;

/// One folded word of the index: its exact forms (sorted) with their postings, and its
/// entry as written in a shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub variants: Vec<(String, Vec<u32>)>,
    /// `"folded":[["exact","postings"],…]`; the exact form is `""` when equal to the folded.
    pub json: String,
    pub hash: u64,
}

impl Token {
    pub fn new(folded: &str, variants: Vec<(String, Vec<u32>)>) -> Token {
        let mut json =
            String::with_capacity(16 + variants.iter().map(|v| v.1.len() * 2).sum::<usize>());
        json.push_str(&serde_json::to_string(folded).unwrap_or_default());
        json.push_str(":[");
        for (i, (exact, postings)) in variants.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push('[');
            if exact == folded {
                json.push_str("\"\"");
            } else {
                json.push_str(&serde_json::to_string(exact).unwrap_or_default());
            }
            json.push_str(",\"");
            encode(postings, &mut json);
            json.push_str("\"]");
        }
        json.push(']');
        let hash = stable_hash(json.as_bytes());
        Token {
            variants,
            json,
            hash,
        }
    }
}

/// Folded word → token, from exact forms with postings.
pub fn group(exacts: BTreeMap<String, Vec<u32>>) -> BTreeMap<String, Token> {
    let mut by_folded: BTreeMap<String, Variants> = BTreeMap::new();
    for (exact, postings) in exacts {
        let folded = fold::fold(&exact);
        if folded.is_empty() {
            continue;
        }
        by_folded.entry(folded).or_default().push((exact, postings));
    }
    let pairs: Vec<(String, Variants)> = by_folded.into_iter().collect();
    pairs
        .into_par_iter()
        .map(|(folded, variants)| {
            let token = Token::new(&folded, variants);
            (folded, token)
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// Where shards start: indices into the sorted tokens, the first always 0.
pub fn partition<'a>(tokens: impl Iterator<Item = (&'a str, usize)>) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut size = 0;
    for (i, (folded, len)) in tokens.enumerate() {
        if i == 0 || size + len > SHARD_MAX {
            starts.push(i);
            size = 0;
        }
        size += len + 1;
        if size >= SHARD_MIN && stable_hash(folded.as_bytes()).is_multiple_of(CUT_ONE_IN) {
            // The next word starts a shard.
            size = SHARD_MAX + 1;
        }
    }
    starts
}

/// A shard's file name: its first word, with anything but `[a-z0-9]` as `_hex_`.
pub fn shard_name(first: &str) -> String {
    let mut name = String::with_capacity(first.len());
    for c in first.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            name.push(c);
        } else {
            name.push_str(&format!("_{:x}_", c as u32));
        }
    }
    name
}

/// The bytes of a shard holding `tokens`.
pub fn shard_bytes<'a>(tokens: impl Iterator<Item = &'a Token>) -> Vec<u8> {
    let mut out = String::from("{");
    for (i, token) in tokens.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&token.json);
    }
    out.push('}');
    out.into_bytes()
}

/// A hash standing for a shard's bytes, from its tokens' hashes (cheap to recompute).
pub fn shard_hash<'a>(tokens: impl Iterator<Item = &'a Token>) -> u64 {
    let mut h = FxHasher::default();
    for token in tokens {
        token.hash.hash(&mut h);
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_round_trip() {
        let cases: [&[u32]; 6] = [
            &[],
            &[0],
            &[0, 1, 2, 3],
            &[5, 37, 1000, 1001, 40_000, 4_000_000_000],
            &[31, 32, 33, 1023, 1024, 1025],
            &[u32::MAX],
        ];
        for values in cases {
            let mut code = String::new();
            encode(values, &mut code);
            assert!(code.bytes().all(|b| DIGITS.contains(&b)), "{code}");
            assert_eq!(decode(&code), values, "{code}");
        }
    }

    #[test]
    fn dense_postings_take_one_character_each() {
        let values: Vec<u32> = (0..100).collect();
        let mut code = String::new();
        encode(&values, &mut code);
        assert_eq!(code, "0".repeat(100));
    }

    fn words<'a>(title: &'a str, text: &'a str) -> DocWords<'a> {
        DocWords {
            title,
            text: text.into(),
        }
    }

    #[test]
    fn collects_exact_forms_with_title_flags() {
        let docs = [
            ("Đường làng", "Con đường mới"),
            ("Tin khác", "dương và ĐƯỜNG"),
            ("Không", "gì"),
            // Longer than 16 bytes: looked up as a string, not packed.
            ("Chuyệnkểvềđườnglàng", "chuyệnkểvềđườnglàng ĐƯỜNG"),
        ];
        let exacts = collect(docs.len(), |i| words(docs[i].0, docs[i].1), |_, _, _| ()).exacts;
        assert_eq!(exacts["chuyệnkểvềđườnglàng"], vec![7]);
        assert_eq!(exacts["đường"], vec![1, 2, 6]);
        assert_eq!(exacts["dương"], vec![2]);
        assert_eq!(exacts["con"], vec![0]);
        let tokens = group(exacts);
        let duong = &tokens["duong"];
        let forms: Vec<&str> = duong.variants.iter().map(|v| v.0.as_str()).collect();
        assert_eq!(forms, ["dương", "đường"]);
        assert!(
            duong.json.starts_with("\"duong\":[[\"dương\",\""),
            "{}",
            duong.json
        );
        assert_eq!(tokens["con"].json, "\"con\":[[\"\",\"0\"]]");
    }

    #[test]
    fn collect_keeps_document_order_across_chunks() {
        let docs: Vec<String> = (0..1000).map(|i| format!("chung riêng{}", i % 7)).collect();
        let exacts = collect(docs.len(), |i| words("", &docs[i]), |_, _, _| ()).exacts;
        let expected: Vec<u32> = (0..1000).map(|i| 2 * i).collect();
        assert_eq!(exacts["chung"], expected);
        assert_eq!(exacts["riêng3"].len(), 143);
    }

    #[test]
    fn shards_respect_the_maximum_and_start_at_zero() {
        let names: Vec<String> = (0..5000).map(|i| format!("w{i:05}")).collect();
        let sizes: Vec<usize> = (0..5000).map(|i| 50 + (i % 13) * 40).collect();
        let starts = partition(names.iter().map(String::as_str).zip(sizes.iter().copied()));
        assert_eq!(starts[0], 0);
        let mut ends = starts[1..].to_vec();
        ends.push(names.len());
        for (start, end) in starts.iter().zip(&ends) {
            let size: usize = sizes[*start..*end].iter().map(|s| s + 1).sum();
            assert!(size <= SHARD_MAX + 1, "shard at {start}: {size} bytes");
        }
        assert!(
            starts.len() > 5000 * 300 / SHARD_MAX,
            "{} shards",
            starts.len()
        );
    }

    #[test]
    fn a_huge_word_gets_a_shard_of_its_own() {
        let tokens = [("a", 10), ("b", SHARD_MAX * 2), ("c", 10)];
        assert_eq!(partition(tokens.into_iter()), vec![0, 1, 2]);
    }

    #[test]
    fn growing_one_word_moves_only_nearby_cuts() {
        let names: Vec<String> = (0..20_000).map(|i| format!("t{i:05}")).collect();
        let mut sizes: Vec<usize> = (0..20_000).map(|i| 30 + (i * 7919) % 500).collect();
        let before = partition(names.iter().map(String::as_str).zip(sizes.iter().copied()));
        sizes[100] += 3000;
        let after = partition(names.iter().map(String::as_str).zip(sizes.iter().copied()));
        let moved = before.iter().filter(|s| !after.contains(s)).count();
        assert!(moved <= 3, "{moved} of {} cuts moved", before.len());
    }

    #[test]
    fn shard_names_are_safe_file_names() {
        let cases = [
            ("duong", "duong"),
            ("2018", "2018"),
            ("ß", "_df_"),
            ("日本", "_65e5__672c_"),
        ];
        for (first, expected) in cases {
            assert_eq!(shard_name(first), expected);
        }
    }
}
