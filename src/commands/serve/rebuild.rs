//! Incremental rebuilds for `serve`: the same files as `build` writes, served from memory
//! ([`Store`]), but only what a change affects is parsed and rendered again.
//!
//! A content change re-parses the changed files (see [`Sources::refresh`]), re-renders the
//! bodies whose file or links changed (see [`crate::assemble::bodies`]) and re-renders the pages whose
//! signature changed (see [`Renderer::signature`]). A template change re-renders
//! every page without re-parsing; a `site.yaml` change starts from scratch. A failed rebuild
//! changes nothing, so the last good rebuild stays served.

use rustc_hash::{FxHashMap, FxHashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::assemble::bodies::Bodies;
use crate::base::diagnostics::Error;
use crate::base::urls::output_file;
use crate::commands::Summary;
use crate::commands::serve::store::{Entry, Store};
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

/// A change that re-renders at least this many pages renders the open ones first (below
/// it, the whole change takes about as long as the open pages alone would).
const OPEN_FIRST_FROM: usize = 64;

pub struct Rebuilder {
    root: PathBuf,
    options: LoadOptions,
    store: Arc<Store>,
    sources: Option<Sources>,
    bodies: Bodies,
    theme: Option<theme::Theme>,
    /// Page → signature of what is served there.
    written: FxHashMap<String, u64>,
    /// Every other served file: search index parts, static files, photos.
    others: FxHashSet<String>,
    /// The search index, updated shard by shard.
    search: crate::search::Incremental,
    /// The photos of the last rebuild, for [`Rebuilder::take_photos`].
    photos: Option<Photos>,
}

/// The photos of a rebuild, made after its pages are served (a new 12-megapixel photo takes
/// a second or two; the pages that do not show it need not wait). Requests for a photo not
/// made yet wait for it (see [`Store`]).
pub struct Photos {
    pictures: Vec<Arc<crate::images::Picture>>,
    cache: crate::images::Cache,
    store: Arc<Store>,
    /// The files of `pictures` that were not served before.
    expected: Vec<String>,
}

/// The photo files of a rebuild, being served from the cache.
pub struct Made {
    /// Files new or changed since the previous rebuild's photos.
    pub changed: usize,
    /// Keeps the files in the cache while they are served: a `datto build` run meanwhile
    /// does not prune them (see [`crate::images::Cache::prune`]). Hold it until the next
    /// rebuild's photos are made.
    _held: crate::images::Ready,
}

impl Photos {
    /// Makes (or finds in the cache) every photo file and serves it. On error (a photo that
    /// cannot be decoded) the new files of this rebuild are not served; the error names
    /// the photo.
    pub fn produce(self) -> Result<Made, Error> {
        let produced = crate::images::produce(&self.pictures, &self.cache);
        let mut batch = self.store.batch();
        let mut changed = 0;
        if let Ok(files) = &produced {
            for file in files.iter() {
                let entry = Entry::File(file.from.clone());
                if batch.get(&file.to) != Some(&entry) {
                    batch.put(file.to.clone(), entry);
                    changed += 1;
                }
            }
        }
        // Whatever failed is not coming: those requests get a 404, not an endless wait.
        for rel in &self.expected {
            batch.unexpect(rel);
        }
        drop(batch);
        produced.map(|ready| Made {
            changed,
            _held: ready,
        })
    }
}

impl Rebuilder {
    /// Rebuilds `root` into `output`, which this value then owns.
    /// Rebuilds `root` into `store`, which this value then fills.
    pub fn new(root: &Path, options: LoadOptions, store: Arc<Store>) -> Rebuilder {
        Rebuilder {
            root: root.to_path_buf(),
            options,
            store,
            sources: None,
            bodies: Bodies::default(),
            theme: None,
            written: FxHashMap::default(),
            others: FxHashSet::default(),
            search: crate::search::Incremental::default(),
            photos: None,
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

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// The photos of the last rebuild, to make once its pages are served.
    pub fn take_photos(&mut self) -> Option<Photos> {
        self.photos.take()
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
        self.rebuild_open_first(change, &FxHashSet::default(), &mut |_, _| {})
    }

    /// [`Rebuilder::rebuild`], but when a change re-renders many pages (a template edit),
    /// the pages in `open` (output files of the tabs open in a browser) are rendered and
    /// served first and `early` is told (with their count and the time taken); the other
    /// pages are pending meanwhile, so a request for one waits for its new version rather
    /// than getting the old one. On error the open pages get their old version back.
    pub fn rebuild_open_first(
        &mut self,
        change: &Change,
        open: &FxHashSet<String>,
        early: &mut dyn FnMut(usize, std::time::Duration),
    ) -> Result<Summary, Error> {
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
            self.store.allow(&theme_dir);
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
        let rendered_count = dirty.len();
        let (first, rest): (Vec<&PageJob>, Vec<&PageJob>) = if dirty.len() >= OPEN_FIRST_FROM {
            dirty
                .into_iter()
                .partition(|job| open.contains(&output_file(&job.path)))
        } else {
            (dirty, Vec::new())
        };
        let render = |jobs: Vec<&PageJob>| {
            renderer.render_each(jobs, |job, bytes| {
                Ok((output_file(&job.path), Arc::<[u8]>::from(bytes)))
            })
        };
        let mut pages = render(first)?;
        if !pages.is_empty() && !rest.is_empty() {
            let waiting: Vec<String> = rest.iter().map(|job| output_file(&job.path)).collect();
            let previous = self.serve_first(&pages, &waiting);
            early(pages.len(), started.elapsed());
            match render(rest) {
                Ok(more) => pages.extend(more),
                Err(error) => {
                    self.take_back(previous, &waiting);
                    return Err(error);
                }
            }
        } else {
            pages.extend(render(rest)?);
        }
        let search = self.search.update(&site);

        // Everything served from now on; what was served before and is not any more goes.
        let mut others: FxHashSet<String> = search.paths.into_iter().collect();
        others.extend(site.files.iter().map(|f| f.to.clone()));
        others.extend(site.images.outputs().map(str::to_string));
        let written: FxHashMap<String, u64> = signatures.into_iter().collect();
        let mut batch = self.store.batch();
        let mut removed = 0;
        for file in self.written.keys().chain(&self.others) {
            if !written.contains_key(file) && !others.contains(file) && batch.remove(file) {
                removed += 1;
            }
        }
        for (file, bytes) in pages {
            batch.put(file, Entry::Bytes(bytes));
        }
        for (file, bytes) in search.changed {
            batch.put(file, Entry::Bytes(bytes.into()));
        }
        // Static files are read when asked for: a replaced file is served as it is now.
        let mut copied = 0;
        for file in &site.files {
            let entry = Entry::File(file.from.clone());
            if batch.get(&file.to) != Some(&entry) {
                batch.put(file.to.clone(), entry);
                copied += 1;
            }
        }
        let expected: Vec<String> = site
            .images
            .outputs()
            .filter(|rel| batch.get(rel).is_none())
            .map(str::to_string)
            .collect();
        for rel in &expected {
            batch.expect(rel.clone());
        }
        drop(batch);
        self.photos = Some(Photos {
            pictures: site.images.pictures.clone(),
            cache: crate::images::Cache::new(&self.root),
            store: self.store.clone(),
            expected,
        });
        self.written = written;
        self.others = others;
        Ok(Summary {
            pages: jobs.len(),
            rendered: rendered_count,
            copied,
            removed,
            items: site.items.len(),
            profiles: site.profiles.len(),
            elapsed: started.elapsed(),
            unchanged: false,
            scheduled: site.scheduled.clone(),
        })
    }

    /// Serves `pages` (the open tabs') now and marks `waiting` pending; what was served at
    /// `pages` before, for [`Rebuilder::take_back`].
    fn serve_first(
        &self,
        pages: &[(String, Arc<[u8]>)],
        waiting: &[String],
    ) -> Vec<(String, Option<Entry>)> {
        let mut batch = self.store.batch();
        let previous = pages
            .iter()
            .map(|(file, _)| (file.clone(), batch.get(file).cloned()))
            .collect();
        for (file, bytes) in pages {
            batch.put(file.clone(), Entry::Bytes(bytes.clone()));
        }
        for file in waiting {
            batch.expect(file.clone());
        }
        previous
    }

    /// Undoes [`Rebuilder::serve_first`] after the rest failed: a failed rebuild changes
    /// nothing.
    fn take_back(&self, previous: Vec<(String, Option<Entry>)>, waiting: &[String]) {
        let mut batch = self.store.batch();
        for (file, entry) in previous {
            match entry {
                Some(entry) => batch.put(file, entry),
                None => {
                    batch.remove(&file);
                }
            }
        }
        for file in waiting {
            batch.unexpect(file);
        }
    }
}
