//! The index `serve` keeps up to date: after an edit, only the documents whose identity
//! changed are read again and their postings patched; the shards are cut again (cheap: a pass
//! over the words' sizes) and only the files whose bytes changed are returned. The files are
//! the same as a fresh build's ([`super::SiteIndex`]).

use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::index::{self, Token};
use super::{
    DIR, SearchDoc, documents, filter_bytes, filter_path, filters, fold, manifest_bytes,
    record_bytes, record_path, shard_path, shards, words,
};
use crate::model::site::Site;

/// A document's words: exact form, seen in the title.
type Terms = Vec<(Box<str>, bool)>;

/// Changes to one exact form's postings: (document, `Some(in_title)` to add, `None` to remove).
type Edits = Vec<(u32, Option<bool>)>;

/// Above this many changed documents, the index is built afresh.
const PATCH_LIMIT: usize = 2000;

/// An index kept up to date by `serve`: after an edit, only the documents whose identity
/// changed are read again, and only the shards, records and lists that changed are
/// returned. The files are the same as a fresh build's.
#[derive(Default)]
pub struct Incremental {
    /// Each document's identity and words (exact form, seen in the title).
    docs: Vec<(u64, Terms)>,
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
fn doc_terms(doc: &SearchDoc) -> Terms {
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
        let fresh = self.docs.is_empty() || changed_docs.len() > PATCH_LIMIT;
        if fresh {
            let exacts = index::collect(docs.len(), |i| words(&docs[i]));
            let mut terms: Vec<Terms> = vec![Vec::new(); docs.len()];
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
            let new_terms: Vec<(usize, Terms)> = changed_docs
                .par_iter()
                .filter(|&&id| id < docs.len())
                .map(|&id| (id, doc_terms(&docs[id])))
                .collect();
            // Exact forms whose postings change, with (document, Some(title) to add | None).
            let mut edits: BTreeMap<Box<str>, Edits> = BTreeMap::new();
            for &id in &changed_docs {
                if let Some((_, old)) = self.docs.get(id) {
                    for (exact, _) in old {
                        edits
                            .entry(exact.clone())
                            .or_default()
                            .push((id as u32, None));
                    }
                }
            }
            self.docs.truncate(docs.len());
            for (id, terms) in new_terms {
                for (exact, title) in &terms {
                    edits
                        .entry(exact.clone())
                        .or_default()
                        .push((id as u32, Some(*title)));
                }
                let entry = (docs[id].identity, terms);
                if id < self.docs.len() {
                    self.docs[id] = entry;
                } else {
                    self.docs.push(entry);
                }
            }
            let mut by_folded: BTreeMap<String, Vec<(Box<str>, Edits)>> = BTreeMap::new();
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
                    self.tokens
                        .insert(folded.clone(), Token::new(&folded, variants));
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
