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

use crate::assemble::Kept;
use crate::assemble::bodies::Bodies;
use crate::base::diagnostics::Error;
use crate::base::urls::output_file;
use crate::commands::Summary;
use crate::commands::serve::store::{Entry, Store};
use crate::load::sources::Sources;
use crate::model::site::{LoadOptions, Site};
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
    /// The site the last good rebuild assembled, and what an edit that moves nothing
    /// needs to patch it ([`crate::assemble::patch`]); `None` after a failed rebuild.
    assembled: Option<(Site, Kept)>,
    /// The pages served.
    served: Served,
    /// Whether the last rebuild patched the site it assembled before (for tests).
    patched: bool,
    /// Every other served file: search index parts, static files, photos.
    others: FxHashSet<String>,
    /// The search index, updated shard by shard.
    search: crate::search::Incremental,
    /// The photos of the last rebuild, for [`Rebuilder::take_photos`].
    photos: Option<Photos>,
}

/// The pages the last good rebuild served, in the order of its plan.
#[derive(Default)]
struct Served {
    /// The output file of each page (shared with the next rebuild when its plan is the same).
    files: Arc<Vec<String>>,
    /// The signature of what is served at each of `files`.
    signatures: Vec<u64>,
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
            assembled: None,
            served: Served::default(),
            patched: false,
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

    /// Whether the last rebuild applied an edit to the site it assembled before
    /// ([`crate::assemble::patch`]) instead of assembling the whole site again.
    pub fn patched(&self) -> bool {
        self.patched
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
        // Kept only by a rebuild that succeeds: after a failure the sources may hold edits
        // the served site does not show, and the next rebuild assembles in full.
        let previous = self.assembled.take();
        // Every page is rendered again after a configuration change; `served` is kept all
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

        // The site and the theme: both report their problems together, as in `build`. An
        // edit that moves nothing patches the last site; the plan then stays the same.
        let patched = match previous {
            Some((mut site, mut kept)) if !render_all && !change.rescan => {
                crate::assemble::patch::patch(
                    &mut site,
                    &mut kept,
                    sources,
                    &change.content,
                    &self.options,
                    &mut self.bodies,
                )
                .then_some((site, kept))
            }
            _ => None,
        };
        let same_plan = patched.is_some();
        self.patched = same_plan;
        let assembled = match patched {
            Some(done) => Ok(done),
            None => crate::assemble::assemble_keeping(sources, &self.options, &mut self.bodies),
        };
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
        let ((site, kept), ()) = Error::both(assembled, theme_loaded)?;
        let Some(theme) = self.theme.as_ref() else {
            return Err(Error::Internal(anyhow::anyhow!("giao diện chưa được nạp")));
        };

        let jobs = site.jobs();
        let renderer = Renderer::new(&site, theme)?;
        let signatures: Vec<u64> = jobs
            .par_iter()
            .map(|job| {
                let content = renderer.signature(job);
                let template = job.kind.template().and_then(|t| theme.fingerprints.get(t));
                let mut hasher = rustc_hash::FxHasher::default();
                (content, template).hash(&mut hasher);
                hasher.finish()
            })
            .collect();
        // The output file of every page: the same as last time when the plan is.
        let files: Arc<Vec<String>> = if same_plan {
            self.served.files.clone()
        } else {
            Arc::new(jobs.par_iter().map(|job| output_file(&job.path)).collect())
        };
        let changed: Vec<bool> = if same_plan && !render_all {
            (signatures.iter().zip(&self.served.signatures))
                .map(|(new, old)| new != old)
                .collect()
        } else {
            let previous: FxHashMap<&str, u64> = (self.served.files.iter())
                .map(String::as_str)
                .zip(self.served.signatures.iter().copied())
                .collect();
            (files.iter().zip(&signatures))
                .map(|(file, new)| render_all || previous.get(file.as_str()) != Some(new))
                .collect()
        };

        // Render everything that changed in memory first: a template error writes nothing.
        let dirty: Vec<usize> = (0..jobs.len()).filter(|&i| changed[i]).collect();
        let rendered_count = dirty.len();
        let (first, rest): (Vec<usize>, Vec<usize>) = if dirty.len() >= OPEN_FIRST_FROM {
            dirty.into_iter().partition(|&i| open.contains(&files[i]))
        } else {
            (dirty, Vec::new())
        };
        let render = |pages: &[usize]| {
            renderer.render_each(
                pages.iter().map(|&i| &jobs[i]).collect::<Vec<_>>(),
                |job, bytes| Ok((output_file(&job.path), Arc::<[u8]>::from(bytes))),
            )
        };
        let mut pages = render(&first)?;
        if !pages.is_empty() && !rest.is_empty() {
            let waiting: Vec<String> = rest.iter().map(|&i| files[i].clone()).collect();
            let previous = self.serve_first(&pages, &waiting);
            early(pages.len(), started.elapsed());
            match render(&rest) {
                Ok(more) => pages.extend(more),
                Err(error) => {
                    self.take_back(previous, &waiting);
                    return Err(error);
                }
            }
        } else {
            pages.extend(render(&rest)?);
        }
        let search = self.search.update(&site);

        // Everything served from now on; what was served before and is not any more goes.
        let mut others: FxHashSet<String> = search.paths.into_iter().collect();
        others.extend(site.files.iter().map(|f| f.to.clone()));
        others.extend(site.images.outputs().map(str::to_string));
        let mut gone: Vec<&String> = (self.others.iter())
            .filter(|file| !others.contains(*file))
            .collect();
        if !same_plan {
            gone.extend(self.served.files.iter());
        }
        let mut batch = self.store.batch();
        let mut removed = 0;
        if !gone.is_empty() {
            let pages_now: FxHashSet<&str> = files.iter().map(String::as_str).collect();
            for file in gone {
                let stays = pages_now.contains(file.as_str()) || others.contains(file);
                if !stays && batch.remove(file) {
                    removed += 1;
                }
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
        let summary = Summary {
            removed,
            ..Summary::of(&site, rendered_count, copied, started)
        };
        drop(renderer);
        self.served = Served { files, signatures };
        self.others = others;
        self.assembled = Some((site, kept));
        Ok(summary)
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
