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

pub mod fold;
pub mod index;
pub mod text;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

use chrono::{DateTime, Datelike, FixedOffset};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHasher};
use serde::Serialize;

use crate::site::Site;
use index::{DocWords, Token};

/// Where the index lives in the output.
pub const DIR: &str = "tim-kiem/";

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

/// One searchable page, borrowed from the site.
pub struct SearchDoc<'a> {
    /// Page path: `tin-bai/2018/hoi-nghi/`.
    pub path: String,
    pub title: &'a str,
    pub kind: DocType,
    pub date: Option<DateTime<FixedOffset>>,
    pub year: Option<i32>,
    pub unit: Option<crate::config::UnitId>,
    /// Rendered body.
    pub html: &'a str,
    /// Searchable text outside the body: a written summary, tags, criteria, commune.
    pub extra: Vec<&'a str>,
    /// Changes whenever anything above changes (file text, links, unit names).
    pub identity: u64,
}

/// Every searchable page of `site`, in document order (see the module docs).
pub fn documents(site: &Site) -> Vec<SearchDoc<'_>> {
    let mut docs = Vec::with_capacity(site.pages.len() + site.profiles.len() + site.items.len());
    for page in &site.pages {
        docs.push(SearchDoc {
            path: page.path(),
            title: &page.title,
            kind: DocType::Page,
            date: None,
            year: None,
            unit: None,
            html: &page.html,
            extra: Vec::new(),
            identity: page.source.fingerprint,
        });
    }
    for profile in &site.profiles {
        let mut extra: Vec<&str> = Vec::new();
        if !profile.summary_is_auto {
            extra.push(&profile.summary);
        }
        extra.extend(profile.commune.as_deref());
        extra.extend(profile.criteria.iter().map(String::as_str));
        docs.push(SearchDoc {
            path: profile.path(),
            title: &profile.title,
            kind: DocType::Profile,
            date: None,
            year: profile.year,
            unit: Some(profile.unit),
            html: &profile.html,
            extra,
            identity: profile.source.fingerprint,
        });
    }
    for item in site.items.iter().rev() {
        let mut extra: Vec<&str> = Vec::new();
        if !item.summary_is_auto {
            extra.push(&item.summary);
        }
        extra.extend(item.tags.iter().map(|t| t.name.as_str()));
        docs.push(SearchDoc {
            path: item.path(),
            title: &item.title,
            kind: match item.kind {
                crate::content::ItemType::Tin => DocType::Tin,
                crate::content::ItemType::Bai => DocType::Bai,
            },
            date: Some(item.date),
            year: Some(item.date.year()),
            unit: Some(item.unit),
            html: &item.html,
            extra,
            identity: item.source.fingerprint,
        });
    }
    for doc in &mut docs {
        let mut h = FxHasher::default();
        (doc.identity, &doc.path, doc.title, doc.kind, doc.date, doc.year).hash(&mut h);
        doc.unit
            .map(|u| &site.config.unit(u).name)
            .hash(&mut h);
        doc.identity = h.finish();
    }
    docs
}

/// The text a document is searched and excerpted by, diacritics kept.
fn plain_text(doc: &SearchDoc) -> String {
    let mut text = String::new();
    for piece in &doc.extra {
        text.push_str(piece);
        text.push('\n');
    }
    text.push_str(&text::html_to_text(doc.html));
    text
}

fn words<'a>(doc: &'a SearchDoc) -> DocWords<'a> {
    DocWords {
        title: doc.title,
        text: vec![Cow::Owned(plain_text(doc))],
    }
}

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
    /// Plain text.
    x: String,
}

fn record_path(id: usize) -> String {
    format!("{DIR}r/{id}.json")
}

fn record_bytes(site: &Site, doc: &SearchDoc) -> Vec<u8> {
    let record = Record {
        t: doc.title,
        u: &doc.path,
        d: match (doc.date, doc.year) {
            (Some(date), _) => crate::dates::format_vi(&date),
            (None, Some(year)) => format!("Năm {year}"),
            (None, None) => String::new(),
        },
        i: doc.date.map(|d| d.to_rfc3339()).unwrap_or_default(),
        n: doc.unit.map_or("", |u| site.config.unit(u).name.as_str()),
        k: doc.kind.label(),
        x: plain_text(doc),
    };
    serde_json::to_vec(&record).unwrap_or_default()
}

/// Filter lists: `u-UNIT`, `y-YEAR`, `t-TYPE` → their documents' numbers, ascending.
fn filters(site: &Site, docs: &[SearchDoc]) -> BTreeMap<String, Vec<u32>> {
    let mut lists: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (id, doc) in docs.iter().enumerate() {
        let id = id as u32;
        if let Some(unit) = doc.unit {
            lists
                .entry(format!("u-{}", site.config.unit(unit).slug))
                .or_default()
                .push(id);
        }
        if let Some(year) = doc.year {
            lists.entry(format!("y-{year}")).or_default().push(id);
        }
        lists
            .entry(format!("t-{}", doc.kind.code()))
            .or_default()
            .push(id);
    }
    lists
}

fn filter_path(name: &str) -> String {
    format!("{DIR}f/{name}.txt")
}

fn filter_bytes(list: &[u32]) -> Vec<u8> {
    let mut code = String::new();
    index::encode(list, &mut code);
    code.into_bytes()
}

fn shard_path(first: &str) -> String {
    format!("{DIR}s/{}.json", index::shard_name(first))
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
struct Shards {
    /// (first word, start, end) into the token list.
    ranges: Vec<(String, usize, usize)>,
}

fn shards(tokens: &[(&String, &Token)]) -> Shards {
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
}

fn manifest_bytes(
    docs: &[SearchDoc],
    shards: &Shards,
    shard_hashes: &[u64],
    filters: &BTreeMap<String, Vec<u32>>,
) -> Vec<u8> {
    let mut h: u64 = index::stable_hash(b"datto-search-1");
    let mut mix = |x: u64| h = index::stable_hash(&[h.to_le_bytes(), x.to_le_bytes()].concat());
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
        s: shards.ranges.iter().map(|(first, _, _)| first.as_str()).collect(),
        f: filters.keys().map(String::as_str).collect(),
    };
    serde_json::to_vec(&manifest).unwrap_or_default()
}

/// The index of one build, ready to be written.
pub struct SiteIndex<'a> {
    site: &'a Site,
    docs: Vec<SearchDoc<'a>>,
    tokens: BTreeMap<String, Token>,
    shards: Shards,
    filters: BTreeMap<String, Vec<u32>>,
}

impl<'a> SiteIndex<'a> {
    pub fn build(site: &'a Site) -> SiteIndex<'a> {
        let docs = documents(site);
        let exacts = index::collect(docs.len(), |i| words(&docs[i]));
        let tokens = index::group(exacts);
        let list: Vec<(&String, &Token)> = tokens.iter().collect();
        let shards = shards(&list);
        let filters = filters(site, &docs);
        SiteIndex {
            site,
            docs,
            tokens,
            shards,
            filters,
        }
    }

    /// Every file of the index, records included.
    pub fn paths(&self) -> Vec<String> {
        let mut paths = vec![format!("{DIR}index.json")];
        paths.extend(self.shards.ranges.iter().map(|(first, _, _)| shard_path(first)));
        paths.extend(self.filters.keys().map(|name| filter_path(name)));
        paths.extend((0..self.docs.len()).map(record_path));
        paths
    }

    /// Writes every file with `sink`, in parallel; records are made as they are written
    /// (their text is the site's whole text: it is never all held at once).
    pub fn write(&self, sink: impl Fn(&str, &[u8]) -> anyhow::Result<()> + Sync) -> anyhow::Result<()> {
        let list: Vec<(&String, &Token)> = self.tokens.iter().collect();
        let hashes: Vec<u64> = self
            .shards
            .ranges
            .par_iter()
            .map(|(first, start, end)| {
                let tokens = list[*start..*end].iter().map(|(_, t)| *t);
                sink(&shard_path(first), &index::shard_bytes(tokens.clone()))?;
                Ok(index::shard_hash(tokens))
            })
            .collect::<anyhow::Result<_>>()?;
        for (name, list) in &self.filters {
            sink(&filter_path(name), &filter_bytes(list))?;
        }
        sink(
            &format!("{DIR}index.json"),
            &manifest_bytes(&self.docs, &self.shards, &hashes, &self.filters),
        )?;
        self.docs
            .par_iter()
            .enumerate()
            .try_for_each(|(id, doc)| sink(&record_path(id), &record_bytes(self.site, doc)))
    }
}

/// An index kept up to date by `serve`: after an edit, only the documents whose identity
/// changed are read again, and only the shards, records and lists that changed are
/// returned. The files are the same as a fresh build's.
#[derive(Default)]
pub struct Incremental {
    /// Each document's identity and words (exact form, seen in the title).
    docs: Vec<(u64, Vec<(Box<str>, bool)>)>,
    tokens: BTreeMap<String, Token>,
    /// Output path → hash of what was last returned for it.
    files: FxHashMap<String, u64>,
}

/// What [`Incremental::update`] produced.
pub struct Update {
    /// Every file of the index now.
    pub paths: Vec<String>,
    /// The files whose bytes changed (or are new), with their bytes.
    pub changed: Vec<(String, Vec<u8>)>,
}

/// A document's words, one entry per exact form.
fn doc_terms(doc: &SearchDoc) -> Vec<(Box<str>, bool)> {
    let exacts = index::collect(1, |_| words(doc));
    exacts
        .into_iter()
        .map(|(exact, postings)| (exact.into_boxed_str(), postings[0] & 1 == 1))
        .collect()
}

impl Incremental {
    /// Forgets everything (after a configuration change).
    pub fn reset(&mut self) {
        *self = Incremental::default();
    }

    pub fn update(&mut self, site: &Site) -> Update {
        let docs = documents(site);
        let mut changed_docs: Vec<usize> = (0..docs.len().max(self.docs.len()))
            .filter(|&id| match (docs.get(id), self.docs.get(id)) {
                (Some(new), Some((old, _))) => new.identity != *old,
                _ => true,
            })
            .collect();
        let fresh = self.docs.is_empty() || changed_docs.len() > 2000;
        if fresh {
            let exacts = index::collect(docs.len(), |i| words(&docs[i]));
            let mut terms: Vec<Vec<(Box<str>, bool)>> = vec![Vec::new(); docs.len()];
            for (exact, postings) in &exacts {
                for value in postings {
                    terms[(*value >> 1) as usize].push((exact.as_str().into(), value & 1 == 1));
                }
            }
            self.tokens = index::group(exacts);
            self.docs = docs.iter().map(|d| d.identity).zip(terms).collect();
            self.files.clear();
            changed_docs = (0..docs.len()).collect();
        } else {
            let new_terms: Vec<(usize, Vec<(Box<str>, bool)>)> = changed_docs
                .par_iter()
                .filter(|&&id| id < docs.len())
                .map(|&id| (id, doc_terms(&docs[id])))
                .collect();
            // Exact forms whose postings change, with (document, Some(title) to add | None).
            let mut edits: BTreeMap<Box<str>, Vec<(u32, Option<bool>)>> = BTreeMap::new();
            for &id in &changed_docs {
                if let Some((_, old)) = self.docs.get(id) {
                    for (exact, _) in old {
                        edits.entry(exact.clone()).or_default().push((id as u32, None));
                    }
                }
            }
            self.docs.truncate(docs.len());
            for (id, terms) in new_terms {
                for (exact, title) in &terms {
                    edits.entry(exact.clone()).or_default().push((id as u32, Some(*title)));
                }
                let entry = (docs[id].identity, terms);
                if id < self.docs.len() {
                    self.docs[id] = entry;
                } else {
                    self.docs.push(entry);
                }
            }
            let mut by_folded: BTreeMap<String, Vec<(Box<str>, Vec<(u32, Option<bool>)>)>> =
                BTreeMap::new();
            for (exact, list) in edits {
                by_folded
                    .entry(fold::fold(&exact))
                    .or_default()
                    .push((exact, list));
            }
            for (folded, exacts) in by_folded {
                let mut variants = self
                    .tokens
                    .remove(&folded)
                    .map(|t| t.variants)
                    .unwrap_or_default();
                for (exact, list) in exacts {
                    let at = match variants.binary_search_by(|v| v.0.as_str().cmp(&exact)) {
                        Ok(at) => at,
                        Err(at) => {
                            variants.insert(at, (exact.to_string(), Vec::new()));
                            at
                        }
                    };
                    let postings = &mut variants[at].1;
                    for (doc, add) in list {
                        postings.retain(|v| v >> 1 != doc);
                        if let Some(title) = add {
                            let value = 2 * doc + u32::from(title);
                            let pos = postings.partition_point(|v| *v < value);
                            postings.insert(pos, value);
                        }
                    }
                }
                variants.retain(|v| !v.1.is_empty());
                if !variants.is_empty() && !folded.is_empty() {
                    self.tokens.insert(folded.clone(), Token::new(&folded, variants));
                }
            }
        }

        let list: Vec<(&String, &Token)> = self.tokens.iter().collect();
        let shards = shards(&list);
        let filters = filters(site, &docs);
        let mut paths = Vec::new();
        let mut changed = Vec::new();
        let mut files = FxHashMap::default();
        let mut shard_hashes = Vec::with_capacity(shards.ranges.len());
        for (first, start, end) in &shards.ranges {
            let tokens = list[*start..*end].iter().map(|(_, t)| *t);
            let hash = index::shard_hash(tokens.clone());
            let path = shard_path(first);
            if self.files.get(&path) != Some(&hash) {
                changed.push((path.clone(), index::shard_bytes(tokens)));
            }
            files.insert(path.clone(), hash);
            paths.push(path);
            shard_hashes.push(hash);
        }
        for (name, list) in &filters {
            let bytes = filter_bytes(list);
            let hash = index::stable_hash(&bytes);
            let path = filter_path(name);
            if self.files.get(&path) != Some(&hash) {
                changed.push((path.clone(), bytes));
            }
            files.insert(path.clone(), hash);
            paths.push(path);
        }
        let manifest = manifest_bytes(&docs, &shards, &shard_hashes, &filters);
        let path = format!("{DIR}index.json");
        let hash = index::stable_hash(&manifest);
        if self.files.get(&path) != Some(&hash) {
            changed.push((path.clone(), manifest));
        }
        files.insert(path.clone(), hash);
        paths.push(path);
        let mut records: Vec<(String, Vec<u8>)> = changed_docs
            .par_iter()
            .filter(|&&id| id < docs.len())
            .map(|&id| (record_path(id), record_bytes(site, &docs[id])))
            .collect();
        changed.append(&mut records);
        paths.extend((0..docs.len()).map(record_path));
        self.files = files;
        Update { paths, changed }
    }
}
