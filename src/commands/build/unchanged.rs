//! Knowing that a build would change nothing: the same inputs (their fingerprint, see
//! `load::fingerprint`), the same options, the output exactly as the last build left it
//! (its ledger's generation, see `emit::Staging::as_recorded`) and a moment before the one
//! the last build's pages stop being true ([`crate::model::site::Site::stable_until`]).
//! Then `build` — and `publish`, which builds first — returns the last build's summary in
//! milliseconds instead of rendering 12,000 pages to the same bytes.
//!
//! The note is kept in the site's cache beside the ledger; lost or damaged, the next build
//! is simply made.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::DateTime;
use serde::{Deserialize, Serialize};

use crate::commands::Summary;
use crate::load::fingerprint::Fingerprint;
use crate::model::content::Scheduled;
use crate::model::site::{LoadOptions, Site};

const VERSION: u32 = 1;
/// Under the site's cache folder.
const FOLDER: &str = "dung";

#[derive(Debug, Serialize, Deserialize)]
struct Note {
    version: u32,
    output: PathBuf,
    /// The ledger's generation of the build this note is about.
    generation: u64,
    inputs: [u8; 32],
    /// Inputs modified too recently to trust their stamps, and their bytes' BLAKE3.
    racy: Vec<(PathBuf, [u8; 32])>,
    options: String,
    /// The build's "now" and the moment its pages stop being true, in microseconds since
    /// 1970.
    now: i64,
    until: i64,
    summary: Kept,
}

/// The last build's summary, to print again.
#[derive(Debug, Serialize, Deserialize)]
struct Kept {
    pages: usize,
    copied: usize,
    items: usize,
    profiles: usize,
    /// `(shown path, title, date as RFC 3339)` of each item held back by its date.
    scheduled: Vec<(PathBuf, String, String)>,
}

/// What decides the pages besides the inputs and the clock.
fn options_key(options: &LoadOptions) -> String {
    format!(
        "drafts={} future={} preview={} base_url={:?}",
        options.drafts, options.future, options.preview, options.base_url
    )
}

fn note_path(cache: &Path, output: &Path) -> PathBuf {
    let output = std::path::absolute(output).unwrap_or_else(|_| output.to_path_buf());
    cache.join(FOLDER).join(crate::emit::cache_name(&output))
}

/// The last build's summary, when a build now would change nothing (see the module docs).
pub fn unchanged(
    cache: &Path,
    output: &Path,
    generation: impl FnOnce() -> Option<u64>,
    inputs: Option<&Fingerprint>,
    options: &LoadOptions,
) -> Option<Summary> {
    let inputs = inputs?;
    let bytes = std::fs::read(note_path(cache, output)).ok()?;
    let note: Note = serde_json::from_slice(&bytes).ok()?;
    let same = note.version == VERSION
        && note.output == std::path::absolute(output).ok()?
        && note.inputs == inputs.digest
        && note.options == options_key(options)
        && (note.now..note.until).contains(&options.now.timestamp_micros())
        && Fingerprint::racy_still_hold(&note.racy)
        // Last, as it looks at every output file.
        && generation() == Some(note.generation);
    if !same {
        return None;
    }
    let kept = note.summary;
    Some(Summary {
        pages: kept.pages,
        rendered: 0,
        copied: kept.copied,
        removed: 0,
        items: kept.items,
        profiles: kept.profiles,
        elapsed: Duration::ZERO,
        unchanged: true,
        scheduled: kept
            .scheduled
            .into_iter()
            .map(|(shown, title, date)| {
                let date = DateTime::parse_from_rfc3339(&date).ok()?;
                Some(Scheduled { shown, title, date })
            })
            .collect::<Option<_>>()?,
    })
}

/// Notes a finished build (ledger generation `generation`) for the next one; on failure
/// nothing (the next build is then made).
pub fn remember(
    cache: &Path,
    output: &Path,
    generation: u64,
    inputs: Option<&Fingerprint>,
    site: &Site,
    options: &LoadOptions,
    summary: &Summary,
) {
    let path = note_path(cache, output);
    let Some(inputs) = inputs.filter(|_| generation != 0) else {
        let _ = std::fs::remove_file(&path);
        return;
    };
    let Ok(output) = std::path::absolute(output) else {
        return;
    };
    let note = Note {
        version: VERSION,
        output,
        generation,
        inputs: inputs.digest,
        racy: inputs.racy.clone(),
        options: options_key(options),
        now: options.now.timestamp_micros(),
        until: site.stable_until().timestamp_micros(),
        summary: Kept {
            pages: summary.pages,
            copied: summary.copied,
            items: summary.items,
            profiles: summary.profiles,
            scheduled: summary
                .scheduled
                .iter()
                .map(|s| (s.shown.clone(), s.title.clone(), s.date.to_rfc3339()))
                .collect(),
        },
    };
    if let Ok(bytes) = serde_json::to_vec(&note) {
        let _ = crate::emit::write_atomic(&path, &bytes);
    }
}
