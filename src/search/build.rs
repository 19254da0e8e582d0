//! The index of one `datto build`: every document read once, in parallel, beside the page
//! rendering; records files written as each chunk of documents is read, the shards made
//! once the words are known and written last. (`serve` keeps its index up to date with
//! [`super::Incremental`] instead.)

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::index::{self, Token};
use super::{
    DIR, RECORDS_PER_FILE, SearchDoc, Unread, documents, filter_bytes, filter_path, filters,
    manifest_bytes, record_files, record_json, record_path, records_bytes, shard_file, shard_path,
    shards, words,
};
use crate::model::site::Site;

/// Whether `build` writes the index: the Cargo feature `search`, on by default. Off, the
/// build is the same but for the index files (the bench's fair "without search"); `serve`
/// and the search page are unchanged.
pub const IN_BUILD: bool = cfg!(feature = "search");

/// The index of one build. [`SiteIndex::new`] lists the documents; [`SiteIndex::index`]
/// reads each one once and writes the records files; [`Indexed::write`] writes the shards,
/// the filter lists and the manifest. Without the `search` feature, all three do nothing.
pub struct SiteIndex<'a> {
    site: &'a Site,
    docs: Vec<SearchDoc<'a>>,
    filters: BTreeMap<String, Vec<u32>>,
}

/// The index of one build once every document is read: the shards' files, made and
/// gzipped (8 MB at 50,000 items; the tokens they are made from, with their postings, are
/// dropped once they are made), waiting to be written.
pub struct Indexed<'a> {
    docs: Vec<SearchDoc<'a>>,
    filters: BTreeMap<String, Vec<u32>>,
    shards: Vec<ShardFile>,
}

/// One shard, made.
struct ShardFile {
    /// Its first word (in the manifest).
    first: String,
    path: String,
    /// Gzipped.
    bytes: Vec<u8>,
    /// Of its tokens (in the manifest's version).
    hash: u64,
}

impl<'a> SiteIndex<'a> {
    pub fn new(site: &'a Site) -> SiteIndex<'a> {
        let docs = if IN_BUILD {
            documents(site)
        } else {
            Vec::new()
        };
        let filters = filters(site, &docs);
        SiteIndex {
            site,
            docs,
            filters,
        }
    }

    /// The files known before indexing: manifest, filter lists, records.
    pub fn paths(&self) -> Vec<String> {
        if !IN_BUILD {
            return Vec::new();
        }
        let mut paths = vec![format!("{DIR}index.json")];
        paths.extend(self.filters.keys().map(|name| filter_path(name)));
        paths.extend((0..record_files(self.docs.len())).map(record_path));
        paths
    }

    /// Reads every document (in parallel) and writes the records files with `sink` as
    /// each chunk of documents is read; makes the shards.
    pub fn index(
        self,
        sink: impl Fn(&str, &[u8]) -> anyhow::Result<()> + Sync,
    ) -> anyhow::Result<Indexed<'a>> {
        const { assert!(index::CHUNK.is_multiple_of(RECORDS_PER_FILE)) };
        let unread = Unread::default();
        let collected = index::collect_chunks(
            self.docs.len(),
            |i| words(&self.docs[i], &unread),
            |i, words, firsts| record_json(self.site, &self.docs[i], &words.text, firsts),
            |chunk, records| {
                let first = chunk * index::CHUNK / RECORDS_PER_FILE;
                records
                    .chunks(RECORDS_PER_FILE)
                    .enumerate()
                    .try_for_each(|(k, r)| sink(&record_path(first + k), &records_bytes(r)))
            },
        );
        unread.into_result()?;
        collected.made.into_iter().collect::<anyhow::Result<()>>()?;
        let tokens = index::group(collected.exacts);
        let list: Vec<(&String, &Token)> = tokens.iter().collect();
        let shards = shards(&list)
            .ranges
            .into_par_iter()
            .map(|(first, start, end)| {
                let tokens = list[start..end].iter().map(|(_, t)| *t);
                ShardFile {
                    path: shard_path(&first),
                    bytes: shard_file(tokens.clone()),
                    hash: index::shard_hash(tokens),
                    first,
                }
            })
            .collect();
        Ok(Indexed {
            docs: self.docs,
            filters: self.filters,
            shards,
        })
    }
}

impl Indexed<'_> {
    /// The shards' files (known once the words are).
    pub fn paths(&self) -> Vec<String> {
        self.shards.iter().map(|shard| shard.path.clone()).collect()
    }

    /// Writes the shards, the filter lists and the manifest with `sink`.
    pub fn write(
        &self,
        sink: impl Fn(&str, &[u8]) -> anyhow::Result<()> + Sync,
    ) -> anyhow::Result<()> {
        if !IN_BUILD {
            return Ok(());
        }
        self.shards
            .par_iter()
            .try_for_each(|shard| sink(&shard.path, &shard.bytes))?;
        for (name, list) in &self.filters {
            sink(&filter_path(name), &filter_bytes(list))?;
        }
        let hashes: Vec<u64> = self.shards.iter().map(|shard| shard.hash).collect();
        let firsts: Vec<&str> = self.shards.iter().map(|s| s.first.as_str()).collect();
        sink(
            &format!("{DIR}index.json"),
            &manifest_bytes(&self.docs, &firsts, &hashes, &self.filters),
        )
    }
}
