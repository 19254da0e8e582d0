//! Incremental rebuilds for `serve`: the same output as `build`, written in place, but only
//! what a change affects is parsed, rendered and written again.
//!
//! A content change re-parses the changed files (see [`Sources::refresh`]), re-renders the
//! bodies whose file or links changed (see [`crate::assemble::bodies`]) and re-renders the pages whose
//! signature changed (see [`Renderer::signature`]). A template change re-renders
//! every page without re-parsing; a `site.yaml` change starts from scratch. A failed rebuild
//! writes nothing, so the last good output stays in place.

use rustc_hash::FxHashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime};

use rayon::prelude::*;

use crate::assemble::bodies::Bodies;
use crate::base::diagnostics::Error;
use crate::base::urls::output_file;
use crate::commands::Summary;
use crate::emit::{InPlace, Sink, safe_join};
use crate::load::sources::Sources;
use crate::model::plan::PageJob;
use crate::model::site::LoadOptions;
use crate::render::{Renderer, theme};

/// What changed since the last rebuild, as the file watcher saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Change {
    /// `content/site.yaml`: everything is rebuilt.
    pub config: bool,
    /// A theme template: every page is rendered again.
    pub templates: bool,
    /// Markdown files, relative to `content/`.
    pub content: Vec<String>,
    /// Static files or page assets were added, changed or removed: walk `content/` again.
    pub rescan: bool,
}

impl Change {
    pub fn everything() -> Change {
        Change {
            config: true,
            templates: true,
            content: Vec::new(),
            rescan: true,
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Change::default()
    }
}

/// An output file, the fingerprint of its bytes, and the bytes if they changed.
type RenderedPage = (String, u64, Option<Vec<u8>>);

/// Size and modification time: enough to tell a static file was replaced.
type Stamp = (u64, Option<SystemTime>);

fn stamp(path: &Path) -> Stamp {
    std::fs::metadata(path).map_or((0, None), |m| (m.len(), m.modified().ok()))
}

pub struct Rebuilder {
    root: PathBuf,
    options: LoadOptions,
    output: PathBuf,
    sources: Option<Sources>,
    bodies: Bodies,
    theme: Option<theme::Theme>,
    /// Output file → signature of what is written there.
    written: FxHashMap<String, u64>,
    /// Output file → fingerprint of its bytes, to skip rewriting identical pages.
    contents: FxHashMap<String, u64>,
    /// Output file → source file and its stamp when copied.
    copied: FxHashMap<String, (PathBuf, Stamp)>,
    /// The search index, updated shard by shard.
    search: crate::search::Incremental,
}

impl Rebuilder {
    /// Rebuilds `root` into `output`, which this value then owns.
    pub fn new(root: &Path, options: LoadOptions, output: &Path) -> Rebuilder {
        Rebuilder {
            root: root.to_path_buf(),
            options,
            output: output.to_path_buf(),
            sources: None,
            bodies: Bodies::default(),
            theme: None,
            written: FxHashMap::default(),
            contents: FxHashMap::default(),
            copied: FxHashMap::default(),
            search: crate::search::Incremental::default(),
        }
    }

    /// Moves "now" on (scheduled items go live, the tally day advances).
    pub fn set_now(&mut self, now: chrono::DateTime<chrono::Utc>) {
        self.options.now = now;
    }

    /// The theme the site uses now (`theme:` in `site.yaml`, as last loaded): the one whose
    /// files the watcher must follow.
    pub fn theme_name(&self) -> Option<&str> {
        self.sources.as_ref().map(|s| s.config.theme.as_str())
    }

    pub fn output(&self) -> &Path {
        &self.output
    }

    /// The loaded site, for the editor's live preview (which renders one page from it):
    /// the parsed sources, the body cache, the theme and the options of this session;
    /// `None` until a load succeeded.
    pub fn loaded(&mut self) -> Option<(&mut Sources, &mut Bodies, &theme::Theme, &LoadOptions)> {
        match (self.sources.as_mut(), self.theme.as_ref()) {
            (Some(sources), Some(theme)) => Some((sources, &mut self.bodies, theme, &self.options)),
            _ => None,
        }
    }

    /// Applies `change`. On error nothing is written and the next call retries what failed.
    pub fn rebuild(&mut self, change: &Change) -> Result<Summary, Error> {
        let started = Instant::now();
        // Every page is rendered again after a configuration change; `written` is kept all
        // the same, to know which old files to remove. A template change re-renders the
        // pages whose templates' fingerprints changed (see `theme::Theme::fingerprints`).
        let mut render_all = false;
        if change.config || self.sources.is_none() {
            self.sources = None;
            self.theme = None;
            self.bodies = Bodies::default();
            self.search.reset();
            render_all = true;
            self.sources = Some(Sources::load(&self.root)?);
        } else if let Some(sources) = self
            .sources
            .as_mut()
            .filter(|_| !change.content.is_empty() || change.rescan)
        {
            sources.refresh(&change.content, change.rescan)?;
        }
        let Some(sources) = self.sources.as_ref() else {
            return Err(Error::Internal(anyhow::anyhow!("nội dung chưa được nạp")));
        };

        // The site and the theme: both report their problems together, as in `build`.
        let site = crate::assemble::assemble(sources, &self.options, &mut self.bodies);
        let theme_loaded = if change.templates || self.theme.is_none() {
            self.theme = None;
            let theme_dir = crate::load::theme::dir(&self.root, &sources.config.theme);
            theme::load(&theme_dir, &self.root)
                .map(|theme| self.theme = Some(theme))
                .map_err(Error::content)
        } else {
            Ok(())
        };
        let (site, ()) = Error::both(site, theme_loaded)?;
        let Some(theme) = self.theme.as_ref() else {
            return Err(Error::Internal(anyhow::anyhow!("giao diện chưa được nạp")));
        };

        let jobs = site.jobs();
        let renderer = Renderer::new(&site, theme)?;
        let signatures: Vec<(String, u64)> = jobs
            .par_iter()
            .map(|job| {
                let content = renderer.signature(job);
                let template = job.kind.template().and_then(|t| theme.fingerprints.get(t));
                let mut hasher = rustc_hash::FxHasher::default();
                (content, template).hash(&mut hasher);
                (output_file(&job.path), hasher.finish())
            })
            .collect();

        // Render everything that changed in memory first: a template error writes nothing.
        let dirty: Vec<&PageJob> = jobs
            .iter()
            .zip(&signatures)
            .filter(|(_, (file, signature))| {
                render_all || self.written.get(file) != Some(signature)
            })
            .map(|(job, _)| job)
            .collect();
        // A page whose bytes did not change (a comment added to a template) is not kept or
        // written again: a template edit then costs rendering, not 10,000 file writes.
        let rendered_count = dirty.len();
        let pages: Vec<RenderedPage> = renderer.render_each(dirty, |job, bytes| {
            let file = output_file(&job.path);
            let hash = fingerprint_bytes(&bytes);
            let unchanged = self.contents.get(&file) == Some(&hash);
            Ok((file, hash, (!unchanged).then_some(bytes)))
        })?;
        // Photos: a `stat` each when cached; a new or changed one is processed here.
        let photos = crate::images::produce(
            &site.images.pictures,
            &crate::images::Cache::new(&self.root),
        )?;

        let search = self.search.update(&site);
        let changed: Vec<(&str, &Vec<u8>)> = pages
            .iter()
            .filter_map(|(file, _, bytes)| bytes.as_ref().map(|b| (file.as_str(), b)))
            .chain(
                search
                    .changed
                    .iter()
                    .map(|(file, bytes)| (file.as_str(), bytes)),
            )
            .collect();
        let sink = InPlace::open(&self.output, changed.iter().map(|(file, _)| *file))
            .map_err(Error::Internal)?;
        changed
            .par_iter()
            .try_for_each(|(file, bytes)| sink.write(file, bytes))
            .map_err(|e| {
                // The index believes its files written: it starts afresh next time.
                self.search.reset();
                Error::Internal(e)
            })?;
        for (file, hash, _) in pages {
            self.contents.insert(file, hash);
        }
        let mut new_written: FxHashMap<String, u64> = signatures.into_iter().collect();
        // The index keeps its own record of what changed; listed here so it is not removed.
        new_written.extend(search.paths.into_iter().map(|path| (path, 0)));
        let mut removed = 0;
        for file in self
            .written
            .keys()
            .filter(|f| !new_written.contains_key(*f))
        {
            removed += self.remove(file);
        }

        let mut new_copied =
            FxHashMap::with_capacity_and_hasher(site.files.len(), Default::default());
        let mut copied = 0;
        let copies = site.files.iter().map(|f| (&f.from, &f.to));
        for (from, to) in copies.chain(photos.iter().map(|p| (&p.from, &p.to))) {
            let current = (from.clone(), stamp(from));
            if self.copied.get(to) != Some(&current) || !self.output.join(to).exists() {
                sink.copy(to, from).map_err(Error::Internal)?;
                copied += 1;
            }
            new_copied.insert(to.clone(), current);
        }
        for file in self
            .copied
            .keys()
            .filter(|f| !new_copied.contains_key(*f) && !new_written.contains_key(*f))
        {
            removed += self.remove(file);
        }

        self.contents
            .retain(|file, _| new_written.contains_key(file));
        self.written = new_written;
        self.copied = new_copied;
        Ok(Summary {
            pages: jobs.len(),
            rendered: rendered_count,
            copied,
            removed,
            items: site.items.len(),
            profiles: site.profiles.len(),
            elapsed: started.elapsed(),
            scheduled: site.scheduled.clone(),
        })
    }

    /// Removes an output file and the folders it leaves empty; 1 if something was removed.
    fn remove(&self, file: &str) -> usize {
        let Ok(path) = safe_join(&self.output, file) else {
            return 0;
        };
        if std::fs::remove_file(&path).is_err() {
            return 0;
        }
        let mut dir = path.parent();
        while let Some(d) = dir.filter(|d| *d != self.output) {
            if std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
        1
    }
}

fn fingerprint_bytes(bytes: &[u8]) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    bytes.hash(&mut hasher);
    hasher.finish()
}
