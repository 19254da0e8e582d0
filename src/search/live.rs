//! The index `serve` keeps up to date. After an edit only the documents whose identity
//! changed are read again; their words are compared with the ones they had, and only the
//! exact forms that appeared, disappeared or moved in or out of the title have their
//! postings patched and their folded word re-encoded. The shards are cut again (a pass over
//! the words' sizes), and only the shards, records files and lists whose bytes changed are
//! encoded and returned. The files are the same as a fresh build's ([`super::SiteIndex`]).

use std::collections::BTreeMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::index::{self, Token};
use super::{
    DIR, RECORDS_PER_FILE, SearchDoc, Unread, documents, filter_bytes, filter_path, filters, fold,
    manifest_bytes, record_files, record_json, record_path, records_bytes, shard_file, shard_path,
    shards, words,
};
use crate::model::site::Site;

/// A document's words: exact form, seen in the title; sorted by form.
type Terms = Vec<(Box<str>, bool)>;

/// Changes to one exact form's postings: (document, `Some(in_title)` to add, `None` to remove).
type Edits = Vec<(u32, Option<bool>)>;

/// Above this many changed documents, the index is built afresh.
const PATCH_LIMIT: usize = 2000;

/// What the index remembers of one document.
struct Known {
    identity: u64,
    terms: Terms,
    /// Its record (JSON), for rewriting its records file when a neighbour changes.
    record: Vec<u8>,
}

/// An index kept up to date by `serve` (see the module docs).
#[derive(Default)]
pub struct Incremental {
    docs: Vec<Known>,
    tokens: BTreeMap<String, Token>,
    /// Output path → hash of what was last returned for it (shards, lists, manifest).
    files: FxHashMap<String, u64>,
}

/// What [`Incremental::update`] produced.
pub struct Update {
    /// Every file of the index now.
    pub paths: Vec<String>,
    /// The files whose bytes changed (or are new), with their bytes.
    pub changed: Vec<(String, Vec<u8>)>,
}

/// A document's words, one entry per exact form, and its record.
fn read_doc(site: &Site, doc: &SearchDoc) -> (Terms, Vec<u8>) {
    // `serve` holds every body in memory (`Html::Held`): reading cannot fail.
    let unread = Unread::default();
    let collected = index::collect(
        1,
        |_| words(doc, &unread),
        |_, words, firsts| record_json(site, doc, &words.text, firsts),
    );
    let terms = collected
        .exacts
        .into_iter()
        .map(|(exact, postings)| (exact.into_boxed_str(), postings[0] & 1 == 1))
        .collect();
    let record = collected.made.into_iter().next().unwrap_or_default();
    (terms, record)
}

/// The postings edits that turn `old` into `new` for document `id` (both sorted): only
/// forms added, removed, or in the title on one side only.
fn diff(
    id: u32,
    old: &[(Box<str>, bool)],
    new: &[(Box<str>, bool)],
    edits: &mut BTreeMap<Box<str>, Edits>,
) {
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        let order = match (old.get(i), new.get(j)) {
            (Some(a), Some(b)) => a.0.cmp(&b.0),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                edits.entry(old[i].0.clone()).or_default().push((id, None));
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                edits
                    .entry(new[j].0.clone())
                    .or_default()
                    .push((id, Some(new[j].1)));
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                if old[i].1 != new[j].1 {
                    let list = edits.entry(new[j].0.clone()).or_default();
                    list.push((id, None));
                    list.push((id, Some(new[j].1)));
                }
                i += 1;
                j += 1;
            }
        }
    }
}

/// Applies `list` to ascending postings (`2 × doc + in_title`).
fn patch(postings: &mut Vec<u32>, list: &[(u32, Option<bool>)]) {
    for &(doc, add) in list {
        let at = postings.partition_point(|v| *v < 2 * doc);
        match add {
            None => {
                if postings.get(at).is_some_and(|v| v >> 1 == doc) {
                    postings.remove(at);
                }
            }
            Some(title) => {
                if postings.get(at).is_some_and(|v| v >> 1 == doc) {
                    postings[at] = 2 * doc + u32::from(title);
                } else {
                    postings.insert(at, 2 * doc + u32::from(title));
                }
            }
        }
    }
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
                (Some(new), Some(old)) => new.identity != old.identity,
                _ => true,
            })
            .collect();
        let fresh = self.docs.is_empty() || changed_docs.len() > PATCH_LIMIT;
        if fresh {
            self.rebuild(site, &docs);
            changed_docs = (0..docs.len()).collect();
        } else {
            self.patch(site, &docs, &changed_docs);
        }

        let list: Vec<(&String, &Token)> = self.tokens.iter().collect();
        let shards = shards(&list);
        let filters = filters(site, &docs);
        let mut paths = Vec::new();
        let mut changed = Vec::new();
        let mut files = FxHashMap::default();
        let mut shard_hashes = Vec::with_capacity(shards.ranges.len());
        let mut touched = Vec::new();
        for (first, start, end) in &shards.ranges {
            let hash = index::shard_hash(list[*start..*end].iter().map(|(_, t)| *t));
            let path = shard_path(first);
            if self.files.get(&path) != Some(&hash) {
                touched.push((path.clone(), *start, *end));
            }
            files.insert(path.clone(), hash);
            paths.push(path);
            shard_hashes.push(hash);
        }
        // Encoded in parallel: gzip is most of an edit's cost.
        changed.par_extend(touched.into_par_iter().map(|(path, start, end)| {
            (path, shard_file(list[start..end].iter().map(|(_, t)| *t)))
        }));
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
        let firsts: Vec<&str> = shards.ranges.iter().map(|(f, _, _)| f.as_str()).collect();
        let manifest = manifest_bytes(&docs, &firsts, &shard_hashes, &filters);
        let path = format!("{DIR}index.json");
        let hash = index::stable_hash(&manifest);
        if self.files.get(&path) != Some(&hash) {
            changed.push((path.clone(), manifest));
        }
        files.insert(path.clone(), hash);
        paths.push(path);
        // The records files holding a changed document (the last one too when one went).
        let count = record_files(docs.len());
        let mut record_changes: Vec<usize> = changed_docs
            .iter()
            .map(|id| (id / RECORDS_PER_FILE).min(count.saturating_sub(1)))
            .collect();
        record_changes.dedup();
        let mut records: Vec<(String, Vec<u8>)> = record_changes
            .par_iter()
            .filter(|&&file| file < count)
            .map(|&file| {
                let end = ((file + 1) * RECORDS_PER_FILE).min(self.docs.len());
                let records: Vec<&[u8]> = self.docs[file * RECORDS_PER_FILE..end]
                    .iter()
                    .map(|d| d.record.as_slice())
                    .collect();
                (record_path(file), records_bytes(&records))
            })
            .collect();
        changed.append(&mut records);
        paths.extend((0..count).map(record_path));
        self.files = files;
        Update { paths, changed }
    }

    /// Reads every document.
    fn rebuild(&mut self, site: &Site, docs: &[SearchDoc]) {
        let unread = Unread::default();
        let collected = index::collect(
            docs.len(),
            |i| words(&docs[i], &unread),
            |i, words, firsts| record_json(site, &docs[i], &words.text, firsts),
        );
        let mut terms: Vec<Terms> = vec![Vec::new(); docs.len()];
        // Exact forms come sorted: each document's terms are too.
        for (exact, postings) in &collected.exacts {
            for value in postings {
                terms[(*value >> 1) as usize].push((exact.as_str().into(), value & 1 == 1));
            }
        }
        self.docs = docs
            .iter()
            .zip(terms)
            .zip(collected.made)
            .map(|((doc, terms), record)| Known {
                identity: doc.identity,
                terms,
                record,
            })
            .collect();
        self.tokens = index::group(collected.exacts);
        self.files.clear();
    }

    /// Reads the documents `changed` again and patches the words that differ.
    fn patch(&mut self, site: &Site, docs: &[SearchDoc], changed: &[usize]) {
        let read: Vec<(usize, Terms, Vec<u8>)> = changed
            .par_iter()
            .filter(|&&id| id < docs.len())
            .map(|&id| {
                let (terms, record) = read_doc(site, &docs[id]);
                (id, terms, record)
            })
            .collect();
        let mut edits: BTreeMap<Box<str>, Edits> = BTreeMap::new();
        for known in self.docs.iter().enumerate().skip(docs.len()) {
            diff(known.0 as u32, &known.1.terms, &[], &mut edits);
        }
        self.docs.truncate(docs.len());
        for (id, terms, record) in read {
            let old = self.docs.get(id).map_or(&[][..], |k| k.terms.as_slice());
            diff(id as u32, old, &terms, &mut edits);
            let known = Known {
                identity: docs[id].identity,
                terms,
                record,
            };
            if id < self.docs.len() {
                self.docs[id] = known;
            } else {
                self.docs.push(known);
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
                patch(&mut variants[at].1, &list);
            }
            variants.retain(|v| !v.1.is_empty());
            if !variants.is_empty() && !folded.is_empty() {
                self.tokens
                    .insert(folded.clone(), Token::new(&folded, variants));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(list: &[(&str, bool)]) -> Terms {
        list.iter().map(|(w, t)| ((*w).into(), *t)).collect()
    }

    #[test]
    fn diff_touches_only_what_changed() {
        let old = terms(&[("a", false), ("b", true), ("c", false)]);
        let new = terms(&[("a", false), ("b", false), ("d", true)]);
        let mut edits = BTreeMap::new();
        diff(7, &old, &new, &mut edits);
        let got: Vec<(&str, &Edits)> = edits.iter().map(|(k, v)| (&**k, v)).collect();
        assert_eq!(
            got,
            [
                ("b", &vec![(7, None), (7, Some(false))]),
                ("c", &vec![(7, None)]),
                ("d", &vec![(7, Some(true))]),
            ]
        );
    }

    #[test]
    fn patch_keeps_postings_sorted() {
        let mut postings = vec![0, 3, 8, 11];
        patch(
            &mut postings,
            &[(1, None), (3, Some(true)), (4, None), (9, Some(false))],
        );
        assert_eq!(postings, [0, 7, 11, 18]);
        patch(&mut postings, &[(0, Some(true)), (3, None)]);
        assert_eq!(postings, [1, 11, 18]);
    }
}
