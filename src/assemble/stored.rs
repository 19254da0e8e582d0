//! The build's store of rendered Markdown bodies, kept between builds in
//! `.datto-cache/than/bodies.bin`, so that a build after a one-item edit renders one body,
//! not 10,000 (rendering them is a quarter of a build's work).
//!
//! A stored body is reused only when its file path, its Markdown and whether it has a cover
//! image are the same (a BLAKE3 key), it was made by the same datto binary, and every link
//! it resolved resolves the same way now (the same check `serve`'s in-memory cache makes,
//! see `bodies`). Bodies with problems are never stored. Lost, damaged or from another
//! binary, the store is ignored and every body rendered.
//!
//! The file: a header, then one record per body — `u32` length, the record's fields
//! (postcard), the HTML — so that opening it reads only the small fields of each record
//! and a reused body's HTML is read when it is asked for. The next store is written while
//! the bodies are rendered and replaces this one when the build has succeeded.

use rustc_hash::FxHashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::base::layout;
use crate::base::spill::{SpillFile, Spilled, read_at};
use crate::base::stamp::Stamp;

/// Under the site's cache folder.
const FILE: &str = "than/bodies.bin";
const MAGIC: &[u8; 8] = b"dattoBD1";
/// A record's fields above this size mean a damaged file, not a body.
const MAX_FIELDS: u32 = 64 << 20;

/// What a body was made from: see the module docs.
pub type Key = [u8; 32];

pub fn key(rel: &str, markdown: &str, has_cover: bool) -> Key {
    let mut hasher = blake3::Hasher::new();
    hasher.update(&(rel.len() as u64).to_le_bytes());
    hasher.update(rel.as_bytes());
    hasher.update(&[u8::from(has_cover)]);
    hasher.update(markdown.as_bytes());
    *hasher.finalize().as_bytes()
}

/// One link as it was resolved when the body was rendered.
pub type Resolved = (String, bool, Result<Option<String>, String>);

/// A record's fields (its HTML follows it in the file).
#[derive(Serialize, Deserialize)]
struct Fields {
    rel: String,
    key: Key,
    /// The summary Markdown rendering gave (a written `summary:` may replace it).
    summary: String,
    links: Vec<Resolved>,
    html_len: u64,
}

struct Entry {
    key: Key,
    summary: String,
    links: Vec<Resolved>,
    offset: u64,
    html_len: u64,
}

/// A stored body, to use instead of rendering it.
pub struct Hit {
    pub html: String,
    pub summary: String,
    pub links: Vec<Resolved>,
}

fn header() -> Option<Vec<u8>> {
    let stamp = Stamp::of_running_binary()?;
    let mut bytes = MAGIC.to_vec();
    bytes.extend(stamp.size.to_le_bytes());
    bytes.extend(stamp.mtime_ns.to_le_bytes());
    Some(bytes)
}

/// The last build's bodies (read) and this build's (written), for `bodies::render_once`.
pub struct Store {
    path: PathBuf,
    old: FxHashMap<String, Entry>,
    file: Option<File>,
    new: Mutex<Option<Next>>,
    /// The next store's file, read back: the HTML of this build's bodies.
    spill: Option<SpillFile>,
}

/// The next store, being written.
struct Next {
    out: BufWriter<tempfile::NamedTempFile>,
    /// Bytes written so far (through the buffer).
    len: u64,
}

impl Store {
    /// Opens the store of the site at `root` (empty when missing, damaged or another
    /// binary's) and starts the next one beside it.
    pub fn open(root: &Path) -> Store {
        let path = root.join(layout::CACHE).join(FILE);
        let (old, file) = read_index(&path).unwrap_or_default();
        let new = (|| {
            let dir = path.parent()?;
            std::fs::create_dir_all(dir).ok()?;
            let temp = tempfile::NamedTempFile::new_in(dir).ok()?;
            let spill = SpillFile::new(temp.reopen().ok()?);
            let mut out = BufWriter::with_capacity(1 << 20, temp);
            let header = header()?;
            out.write_all(&header).ok()?;
            let len = header.len() as u64;
            Some((Next { out, len }, spill))
        })();
        let (new, spill) = new.unzip();
        Store {
            path,
            old,
            file,
            new: Mutex::new(new),
            spill,
        }
    }

    /// The stored body of `rel` when it was made from `key` and `still` holds for each of
    /// its links (they resolve the same way now).
    pub fn get(&self, rel: &str, key: &Key, still: impl Fn(&Resolved) -> bool) -> Option<Hit> {
        let entry = self.old.get(rel).filter(|e| e.key == *key)?;
        if !entry.links.iter().all(still) {
            return None;
        }
        let mut html = vec![0; usize::try_from(entry.html_len).ok()?];
        read_at(self.file.as_ref()?, &mut html, entry.offset).ok()?;
        Some(Hit {
            html: crate::base::text::utf8(html).ok()?,
            summary: entry.summary.clone(),
            links: entry.links.clone(),
        })
    }

    /// Adds a body to the next store; gives where its HTML can be read back once
    /// [`Store::flush`] has run (none when the store cannot be written).
    pub fn put(
        &self,
        rel: &str,
        key: Key,
        summary: &str,
        links: &[Resolved],
        html: &str,
    ) -> Option<Spilled> {
        let fields = Fields {
            rel: rel.to_string(),
            key,
            summary: summary.to_string(),
            links: links.to_vec(),
            html_len: html.len() as u64,
        };
        let bytes = postcard::to_allocvec(&fields).ok()?;
        let len = u32::try_from(bytes.len()).ok()?;
        let mut new = self.new.lock().unwrap_or_else(|e| e.into_inner());
        let next = new.as_mut()?;
        let written = next.out.write_all(&len.to_le_bytes()).is_ok()
            && next.out.write_all(&bytes).is_ok()
            && next.out.write_all(html.as_bytes()).is_ok();
        if !written {
            // A half-written store is worse than none.
            *new = None;
            return None;
        }
        let at = next.len + 4 + u64::from(len);
        next.len = at + html.len() as u64;
        Some(self.spill.as_ref()?.at(at, html.len()))
    }

    /// Makes what [`Store::put`] wrote readable. A failure leaves the spilled bodies
    /// unreadable: the build then fails with an error, and no store is saved.
    pub fn flush(&self) {
        let mut new = self.new.lock().unwrap_or_else(|e| e.into_inner());
        if new.as_mut().is_some_and(|next| next.out.flush().is_err()) {
            *new = None;
            if let Some(spill) = &self.spill {
                spill.close();
            }
        }
    }

    /// Puts the next store in place of this one (after a build that succeeded). A failure
    /// only costs the next build its shortcut.
    pub fn save(self) {
        let Store {
            path,
            file,
            new,
            spill,
            ..
        } = self;
        // Closed first: Windows does not replace an open file.
        drop(file);
        if let Some(spill) = spill {
            spill.close();
        }
        let Some(next) = new.into_inner().unwrap_or_else(|e| e.into_inner()) else {
            return;
        };
        if let Ok(temp) = next.out.into_inner() {
            let _ = temp.persist(&path);
        }
    }
}

/// The records of the store at `path` (without their HTML) and the open file.
fn read_index(path: &Path) -> Option<(FxHashMap<String, Entry>, Option<File>)> {
    let file = File::open(path).ok()?;
    let mut reader = BufReader::with_capacity(1 << 16, file.try_clone().ok()?);
    let mut head = vec![0; header()?.len()];
    reader.read_exact(&mut head).ok()?;
    if head != header()? {
        return None;
    }
    let total = file.metadata().ok()?.len();
    let mut offset = head.len() as u64;
    let mut index = FxHashMap::default();
    let mut fields = Vec::new();
    while offset < total {
        let mut len = [0; 4];
        reader.read_exact(&mut len).ok()?;
        let len = u32::from_le_bytes(len);
        if len > MAX_FIELDS {
            return None;
        }
        fields.resize(len as usize, 0);
        reader.read_exact(&mut fields).ok()?;
        let Fields {
            rel,
            key,
            summary,
            links,
            html_len,
        } = postcard::from_bytes(&fields).ok()?;
        offset += 4 + u64::from(len);
        index.insert(
            rel,
            Entry {
                key,
                summary,
                links,
                offset,
                html_len,
            },
        );
        offset = offset.checked_add(html_len)?;
        if offset > total {
            return None;
        }
        reader.seek_relative(i64::try_from(html_len).ok()?).ok()?;
    }
    Some((index, Some(file)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_is_reused_only_with_the_same_key_and_links() {
        let root = tempfile::tempdir().unwrap();
        let links: Vec<Resolved> = vec![("a.md".into(), false, Ok(Some("/a/".into())))];
        let k = key("tin-bai/x.md", "Chào *bạn*", false);
        let first = Store::open(root.path());
        assert!(
            first.get("tin-bai/x.md", &k, |_| true).is_none(),
            "empty at first"
        );
        first.put(
            "tin-bai/x.md",
            k,
            "Chào bạn",
            &links,
            "<p>Chào <em>bạn</em></p>",
        );
        let spilled = first
            .put(
                "trang/y.md",
                key("trang/y.md", "", false),
                "",
                &[],
                "<p>Đường</p>",
            )
            .unwrap();
        first.flush();
        assert_eq!(spilled.read().unwrap(), "<p>Đường</p>", "read back");
        first.save();
        assert!(spilled.read().is_err(), "closed once saved");

        let second = Store::open(root.path());
        let hit = second.get("tin-bai/x.md", &k, |l| *l == links[0]).unwrap();
        assert_eq!(hit.html, "<p>Chào <em>bạn</em></p>");
        assert_eq!(
            (hit.summary.as_str(), hit.links),
            ("Chào bạn", links.clone())
        );
        assert!(
            second
                .get("trang/y.md", &key("trang/y.md", "", false), |_| true)
                .is_some()
        );
        let other = key("tin-bai/x.md", "Chào *bạn*", true);
        assert!(
            second.get("tin-bai/x.md", &other, |_| true).is_none(),
            "cover now"
        );
        assert!(
            second.get("tin-bai/x.md", &k, |_| false).is_none(),
            "a link moved"
        );
        // The next store holds only what this build put in it.
        second.save();
        assert!(
            Store::open(root.path())
                .get("tin-bai/x.md", &k, |_| true)
                .is_none()
        );

        // Damaged files are ignored, never trusted.
        let path = root.path().join(layout::CACHE).join(FILE);
        let third = Store::open(root.path());
        third.put("tin-bai/x.md", k, "", &links, "<p>x</p>");
        third.save();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 2]).unwrap();
        assert!(
            Store::open(root.path())
                .get("tin-bai/x.md", &k, |_| true)
                .is_none(),
            "cut short"
        );
        std::fs::write(&path, b"dattoBD1 rubbish").unwrap();
        assert!(Store::open(root.path()).old.is_empty());
    }
}
