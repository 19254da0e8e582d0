//! Site search (SPEC §11): an index built from the text datto already holds, split into
//! small files so that one query fetches a few of them, and read by the theme's
//! `js/tim-kiem.js`.
//!
//! Files, under `tim-kiem/` in the output:
//! - `index.json` — the manifest: version, document count, first word of every shard,
//!   the filter lists that exist;
//! - `s/NAME.json` — a shard: folded word → `[[exact form, postings], …]` ([`index`]);
//! - `r/N.json` — document N's record: title, URL, date, unit, type and plain text (for
//!   the excerpt);
//! - `f/u-UNIT.txt`, `f/y-YEAR.txt`, `f/t-TYPE.txt` — the documents of a unit, a year, a type.
//!
//! Documents are numbered pages first, then profiles, then items oldest first: a new item
//! takes the next number, so adding one rewrites a few files, and recency is "higher first".

mod build;
pub mod excerpt;
pub mod fold;
pub mod index;
mod live;
pub mod text;

pub use build::{IN_BUILD, Indexed, SiteIndex};
pub use live::{Incremental, Update};

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use chrono::{DateTime, Datelike, FixedOffset};
use rustc_hash::FxHasher;
use serde::Serialize;

use crate::model::content::Rendered;
use crate::model::site::Site;
use index::{DocWords, Firsts, Token};

/// Where the index lives in the output.
pub const DIR: &str = crate::base::layout::SEARCH_DIR;

/// What readers filter on besides unit and year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocType {
    Tin,
    Bai,
    Profile,
    Page,
}

impl DocType {
    pub const ALL: [DocType; 4] = [DocType::Tin, DocType::Bai, DocType::Profile, DocType::Page];

    pub fn code(self) -> &'static str {
        match self {
            DocType::Tin => "tin",
            DocType::Bai => "bai",
            DocType::Profile => "mo-hinh",
            DocType::Page => "trang",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DocType::Tin => "Tin",
            DocType::Bai => "Bài",
            DocType::Profile => "Mô hình",
            DocType::Page => "Trang",
        }
    }
}

/// One searchable page, borrowed from the site. Cheap to make (no allocation): `serve`
/// lists every document after each edit to find the ones that changed.
pub struct SearchDoc<'a> {
    pub of: Of<'a>,
    pub title: &'a str,
    pub kind: DocType,
    pub date: Option<DateTime<FixedOffset>>,
    pub year: Option<i32>,
    pub unit: Option<crate::model::config::UnitId>,
    /// Rendered body.
    pub html: &'a crate::model::content::Html,
    /// Changes whenever anything above changes (file text, links, unit names).
    pub identity: u64,
}

/// The page a document is.
#[derive(Clone, Copy)]
pub enum Of<'a> {
    Page(&'a Rendered<crate::model::content::Page>),
    Profile(&'a Rendered<crate::model::content::Profile>),
    Item(&'a Rendered<crate::model::content::Item>),
}

impl SearchDoc<'_> {
    /// Page path: `tin-bai/2018/hoi-nghi/`.
    pub fn path(&self) -> String {
        match self.of {
            Of::Page(page) => page.path(),
            Of::Profile(profile) => profile.path(),
            Of::Item(item) => item.path(),
        }
    }

    /// Searchable text outside the body: a written summary, tags, criteria, commune.
    pub fn extra(&self) -> Vec<&str> {
        let mut extra: Vec<&str> = Vec::new();
        match self.of {
            Of::Page(_) => {}
            Of::Profile(profile) => {
                if !profile.body.summary_is_auto {
                    extra.push(&profile.body.summary);
                }
                extra.extend(profile.commune.as_deref());
                extra.extend(profile.criteria.iter().map(String::as_str));
            }
            Of::Item(item) => {
                if !item.body.summary_is_auto {
                    extra.push(&item.body.summary);
                }
                extra.extend(item.tags.iter().map(|t| t.name.as_str()));
            }
        }
        extra
    }
}

/// Every searchable page of `site`, in document order (see the module docs).
pub fn documents(site: &Site) -> Vec<SearchDoc<'_>> {
    let mut docs = Vec::with_capacity(site.pages.len() + site.profiles.len() + site.items.len());
    for page in &site.pages {
        docs.push(SearchDoc {
            of: Of::Page(page),
            title: &page.title,
            kind: DocType::Page,
            date: None,
            year: None,
            unit: None,
            html: &page.body.html,
            identity: page.body.fingerprint,
        });
    }
    for profile in &site.profiles {
        docs.push(SearchDoc {
            of: Of::Profile(profile),
            title: &profile.title,
            kind: DocType::Profile,
            date: None,
            year: profile.year,
            unit: Some(profile.unit),
            html: &profile.body.html,
            identity: profile.body.fingerprint,
        });
    }
    for item in site.items.iter().rev() {
        docs.push(SearchDoc {
            of: Of::Item(item),
            title: &item.title,
            kind: match item.kind {
                crate::model::content::ItemType::Tin => DocType::Tin,
                crate::model::content::ItemType::Bai => DocType::Bai,
            },
            date: Some(item.date),
            year: Some(item.date.year()),
            unit: Some(item.unit),
            html: &item.body.html,
            identity: item.body.fingerprint,
        });
    }
    // Unit names hashed once each, not once a document.
    let units: Vec<u64> = site
        .config
        .units
        .iter()
        .map(|u| index::stable_hash(u.name.as_bytes()))
        .collect();
    for doc in &mut docs {
        let slug: &str = match doc.of {
            Of::Page(page) => &page.slug,
            Of::Profile(profile) => &profile.slug,
            Of::Item(item) => &item.slug,
        };
        let mut h = FxHasher::default();
        // The path is made of the kind, the year and the slug.
        (doc.identity, slug, doc.title, doc.kind, doc.date, doc.year).hash(&mut h);
        doc.unit.map(|u| units.get(u.0)).hash(&mut h);
        doc.identity = h.finish();
    }
    docs
}

/// The text a document is searched and excerpted by, diacritics kept. Fails only when a
/// build's spilled body cannot be read back.
pub(super) fn plain_text(doc: &SearchDoc) -> std::io::Result<String> {
    let mut text = String::new();
    for piece in doc.extra() {
        text.push_str(piece);
        text.push('\n');
    }
    text.push_str(&text::html_to_text(&doc.html.text()?));
    Ok(text)
}

/// The first body that could not be read back: the index made without it is not written.
#[derive(Default)]
pub(super) struct Unread(std::sync::Mutex<Option<std::io::Error>>);

impl Unread {
    pub(super) fn into_result(self) -> anyhow::Result<()> {
        match self.0.into_inner().unwrap_or_else(|e| e.into_inner()) {
            Some(e) => Err(anyhow::anyhow!(
                "không đọc lại được thân bài từ {} để làm chỉ mục tìm kiếm: {e}",
                crate::base::layout::CACHE
            )),
            None => Ok(()),
        }
    }
}

pub(super) fn words<'a>(doc: &'a SearchDoc, unread: &Unread) -> DocWords<'a> {
    let text = plain_text(doc).unwrap_or_else(|e| {
        unread
            .0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert(e);
        String::new()
    });
    DocWords {
        title: doc.title,
        text: Cow::Owned(text),
    }
}

/// Records per file: a query shows ten results, often recent (neighbours), from at most ten
/// files of ~16 KB gzipped; 10,000 pages make ~640 files instead of one each. Divides the
/// 256 of [`index::collect`].
pub const RECORDS_PER_FILE: usize = 16;

#[derive(Serialize)]
struct Record<'a> {
    /// Title.
    t: &'a str,
    /// Page path, relative to the site root.
    u: &'a str,
    /// "Thứ Hai, 05/03/2018", or "Năm 2019" for a profile, or empty.
    d: String,
    /// `<time datetime>`, or empty.
    i: String,
    /// Unit name, or empty.
    n: &'a str,
    /// Type label.
    k: &'static str,
    /// The excerpt's fragments ([`excerpt::fragments`]): the opening, then windows.
    x: Vec<&'a str>,
    /// 1 when the last fragment reaches the end of the text.
    w: u8,
}

/// The file holding the records of documents `RECORDS_PER_FILE × file …`.
pub(super) fn record_path(file: usize) -> String {
    format!("{DIR}r/{file}.json.gz")
}

pub(super) fn record_files(docs: usize) -> usize {
    docs.div_ceil(RECORDS_PER_FILE)
}

/// A document's record (JSON), from its words as [`index::collect`] saw them.
pub(super) fn record_json(site: &Site, doc: &SearchDoc, text: &str, firsts: &Firsts) -> Vec<u8> {
    let (x, whole) = excerpt::fragments(text, firsts);
    let path = doc.path();
    let record = Record {
        t: doc.title,
        u: &path,
        d: match (doc.date, doc.year) {
            (Some(date), _) => crate::base::dates::format_vi(&date),
            (None, Some(year)) => format!("Năm {year}"),
            (None, None) => String::new(),
        },
        i: doc.date.map(|d| d.to_rfc3339()).unwrap_or_default(),
        n: doc.unit.map_or("", |u| site.config.unit(u).name.as_str()),
        k: doc.kind.label(),
        x,
        w: u8::from(whole),
    };
    serde_json::to_vec(&record).unwrap_or_default()
}

/// One records file: the JSON array of its documents' records, gzipped.
pub(super) fn records_bytes<R: AsRef<[u8]>>(records: &[R]) -> Vec<u8> {
    let mut json =
        Vec::with_capacity(records.iter().map(|r| r.as_ref().len() + 1).sum::<usize>() + 2);
    json.push(b'[');
    for (i, record) in records.iter().enumerate() {
        if i > 0 {
            json.push(b',');
        }
        json.extend_from_slice(record.as_ref());
    }
    json.push(b']');
    // The fastest level: 28 MB of records on 10,000 pages, ~3× smaller; level 6 saves a
    // quarter more bytes for three times the CPU.
    gzip(&json, flate2::Compression::fast())
}

/// `bytes` gzipped (no name, no time: the same bytes every build). The script inflates
/// with the browser's own `DecompressionStream`; text compresses ~4×, so the records
/// stay small enough to hold the excerpts and the shards cost a query less.
pub(super) fn gzip(bytes: &[u8], level: flate2::Compression) -> Vec<u8> {
    use std::io::Write;
    let mut encoder =
        flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 3 + 64), level);
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// Filter lists: `u-UNIT`, `y-YEAR`, `t-TYPE` → their documents' numbers, ascending.
/// (Lists are gathered by unit, year and type, and named once each: serve makes them after
/// every edit.)
pub(super) fn filters(site: &Site, docs: &[SearchDoc]) -> BTreeMap<String, Vec<u32>> {
    let mut units: Vec<Vec<u32>> = vec![Vec::new(); site.config.units.len()];
    let mut years: BTreeMap<i32, Vec<u32>> = BTreeMap::new();
    let mut types: [Vec<u32>; 4] = Default::default();
    for (id, doc) in docs.iter().enumerate() {
        let id = id as u32;
        if let Some(unit) = doc.unit
            && let Some(list) = units.get_mut(unit.0)
        {
            list.push(id);
        }
        if let Some(year) = doc.year {
            years.entry(year).or_default().push(id);
        }
        types[DocType::ALL
            .iter()
            .position(|t| *t == doc.kind)
            .unwrap_or(0)]
        .push(id);
    }
    let mut lists = BTreeMap::new();
    for (unit, list) in site.config.units.iter().zip(units) {
        if !list.is_empty() {
            lists.insert(format!("u-{}", unit.slug), list);
        }
    }
    for (year, list) in years {
        lists.insert(format!("y-{year}"), list);
    }
    for (kind, list) in DocType::ALL.iter().zip(types) {
        if !list.is_empty() {
            lists.insert(format!("t-{}", kind.code()), list);
        }
    }
    lists
}

pub(super) fn filter_path(name: &str) -> String {
    format!("{DIR}f/{name}.txt")
}

pub(super) fn filter_bytes(list: &[u32]) -> Vec<u8> {
    let mut code = String::new();
    index::encode(list, &mut code);
    code.into_bytes()
}

/// A shard's file: its JSON gzipped at the fastest level (serve gzips the shards an edit
/// touches, often ten: the default level took ~1.5 ms each).
pub(super) fn shard_file<'t>(tokens: impl Iterator<Item = &'t Token>) -> Vec<u8> {
    gzip(&index::shard_bytes(tokens), flate2::Compression::fast())
}

pub(super) fn shard_path(first: &str) -> String {
    format!("{DIR}s/{}.json.gz", index::shard_name(first))
}

/// Years of documents with one, newest first (for the year filter).
pub fn years(site: &Site) -> Vec<i32> {
    let mut years: Vec<i32> = site
        .items
        .iter()
        .map(|i| i.date.year())
        .chain(site.profiles.iter().filter_map(|p| p.year))
        .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    years
}

/// The tokens cut into shards: each shard's first word and its tokens' range.
pub(super) struct Shards {
    /// (first word, start, end) into the token list.
    pub(super) ranges: Vec<(String, usize, usize)>,
}

pub(super) fn shards(tokens: &[(&String, &Token)]) -> Shards {
    let starts = index::partition(tokens.iter().map(|(w, t)| (w.as_str(), t.json.len())));
    let ranges = starts
        .iter()
        .enumerate()
        .map(|(i, &start)| {
            let end = starts.get(i + 1).copied().unwrap_or(tokens.len());
            (tokens[start].0.clone(), start, end)
        })
        .collect();
    Shards { ranges }
}

#[derive(Serialize)]
struct Manifest<'a> {
    /// Version: changes whenever any index file does (the script adds it to every URL).
    v: String,
    /// Number of documents.
    n: usize,
    /// First word of each shard, in order.
    s: Vec<&'a str>,
    /// Filter lists that exist.
    f: Vec<&'a str>,
    /// Records per records file.
    r: usize,
}

pub(super) fn manifest_bytes(
    docs: &[SearchDoc],
    firsts: &[&str],
    shard_hashes: &[u64],
    filters: &BTreeMap<String, Vec<u32>>,
) -> Vec<u8> {
    let mut h: u64 = index::stable_hash(b"datto-search-2");
    let mut mix = |x: u64| {
        let mut both = [0u8; 16];
        both[..8].copy_from_slice(&h.to_le_bytes());
        both[8..].copy_from_slice(&x.to_le_bytes());
        h = index::stable_hash(&both);
    };
    for doc in docs {
        mix(doc.identity);
    }
    for hash in shard_hashes {
        mix(*hash);
    }
    for (name, list) in filters {
        mix(index::stable_hash(name.as_bytes()));
        mix(list.len() as u64);
    }
    let manifest = Manifest {
        v: format!("{h:016x}")[..10].to_string(),
        n: docs.len(),
        s: firsts.to_vec(),
        f: filters.keys().map(String::as_str).collect(),
        r: RECORDS_PER_FILE,
    };
    serde_json::to_vec(&manifest).unwrap_or_default()
}
