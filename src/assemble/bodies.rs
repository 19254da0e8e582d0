//! Rendering Markdown bodies, once: a body is rendered again only when its file changed or
//! when one of its links or its cover image now resolves differently (a linked item moved).

use rustc_hash::FxHashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use super::claims::Claims;
use super::links::Resolver;
use super::markdown::{self, LinkResolver};
use super::stored::{self, Store};
use crate::base::diagnostics::Diagnostic;
use crate::model::content::{Body, Html, Image, Item, Page, Profile, Rendered, Source};

/// A page type with a Markdown body and maybe a cover image.
pub trait Renderable: Clone + Send + Sync {
    fn source(&self) -> &Source;
    fn source_mut(&mut self) -> &mut Source;
    fn image(&self) -> Option<&Image>;
    /// `summary:` as written; `None` for a type that has none.
    fn written_summary(&self) -> Option<&str>;
}

/// Items and profiles: a cover image, and a summary taken from the body when none is written.
macro_rules! renderable_with_cover {
    ($($type:ty),*) => {$(
        impl Renderable for $type {
            fn source(&self) -> &Source {
                &self.source
            }
            fn source_mut(&mut self) -> &mut Source {
                &mut self.source
            }
            fn image(&self) -> Option<&Image> {
                self.image.as_ref()
            }
            fn written_summary(&self) -> Option<&str> {
                Some(&self.written_summary)
            }
        }
    )*};
}

renderable_with_cover!(Item, Profile);

impl Renderable for Page {
    fn source(&self) -> &Source {
        &self.source
    }
    fn source_mut(&mut self) -> &mut Source {
        &mut self.source
    }
    fn image(&self) -> Option<&Image> {
        None
    }
    fn written_summary(&self) -> Option<&str> {
        None
    }
}

/// One link as resolved when the body was rendered.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct LinkUse {
    dest: String,
    is_image: bool,
    outcome: Result<Option<String>, String>,
}

impl LinkUse {
    fn to_stored(&self) -> stored::Resolved {
        (self.dest.clone(), self.is_image, self.outcome.clone())
    }
}

impl From<stored::Resolved> for LinkUse {
    fn from((dest, is_image, outcome): stored::Resolved) -> LinkUse {
        LinkUse {
            dest,
            is_image,
            outcome,
        }
    }
}

/// Records every resolution, so that a cached body can be checked against a new site.
struct Recording<'a> {
    inner: &'a Resolver<'a>,
    has_cover: bool,
    uses: Mutex<Vec<LinkUse>>,
}

impl LinkResolver for Recording<'_> {
    // Not recorded: a photo's derived sizes are in the file names `resolve` returns.
    fn picture(&self, dir: &str, dest: &str) -> Option<crate::images::Shown> {
        self.inner.picture(dir, dest)
    }

    fn has_cover(&self) -> bool {
        self.has_cover
    }

    fn resolve(&self, dir: &str, dest: &str, is_image: bool) -> Result<Option<String>, String> {
        let outcome = self.inner.resolve(dir, dest, is_image);
        if let Ok(mut uses) = self.uses.lock() {
            uses.push(LinkUse {
                dest: dest.to_string(),
                is_image,
                outcome: outcome.clone(),
            });
        }
        outcome
    }
}

#[derive(Debug)]
struct Cached<T> {
    /// The parsed document this was rendered from (same allocation means same file text).
    input: Arc<T>,
    output: Arc<Rendered<T>>,
    links: Vec<LinkUse>,
    image: Option<String>,
    problems: Vec<Diagnostic>,
    /// [`Resolver::environment`] when the links were last resolved.
    environment: u64,
}

/// Rendered bodies of one page type, kept between rebuilds of `serve`.
#[derive(Debug)]
pub struct BodyCache<T> {
    entries: FxHashMap<String, Cached<T>>,
}

impl<T> Default for BodyCache<T> {
    fn default() -> Self {
        BodyCache {
            entries: FxHashMap::default(),
        }
    }
}

/// The caches of all three page types; `build` uses a fresh one.
#[derive(Debug, Default)]
pub struct Bodies {
    pub items: BodyCache<Item>,
    pub profiles: BodyCache<Profile>,
    pub pages: BodyCache<Page>,
}

impl<T: Renderable> BodyCache<T> {
    /// Renders (or reuses) the bodies of `docs`, resolving their cover images. Returns the
    /// rendered documents in the same order, and every problem found. Entries of documents
    /// not in `docs` are dropped.
    pub fn render(
        &mut self,
        docs: &[Arc<T>],
        outputs: &Claims,
        resolver: &Resolver,
    ) -> (Vec<Arc<Rendered<T>>>, Vec<Diagnostic>) {
        // Entries move from the old map to the new one: nothing is cloned per document.
        let mut old = std::mem::take(&mut self.entries);
        let pairs: Vec<(&Arc<T>, Option<Cached<T>>)> = docs
            .iter()
            .map(|doc| (doc, old.remove(&doc.source().rel)))
            .collect();
        let results: Vec<Cached<T>> = pairs
            .into_par_iter()
            .map(
                |(doc, cached)| match cached.filter(|c| still_valid(c, doc, outputs, resolver)) {
                    Some(c) => Cached {
                        environment: resolver.environment(),
                        ..c
                    },
                    None => render_one(doc, outputs, resolver),
                },
            )
            .collect();
        let mut rendered = Vec::with_capacity(results.len());
        let mut problems = Vec::new();
        for cached in results {
            problems.extend(cached.problems.iter().cloned());
            rendered.push(cached.output.clone());
            self.entries
                .insert(cached.input.source().rel.clone(), cached);
        }
        (rendered, problems)
    }
}

impl<T: Renderable> BodyCache<T> {
    /// Renders (or reuses) the body of `doc` alone, the other entries left as they are
    /// (`serve`, after an edit that moved nothing: see [`super::patch`]).
    pub fn render_changed(
        &mut self,
        doc: &Arc<T>,
        outputs: &Claims,
        resolver: &Resolver,
    ) -> (Arc<Rendered<T>>, Vec<Diagnostic>) {
        let rel = &doc.source().rel;
        let cached = match self.entries.remove(rel) {
            Some(c) if still_valid(&c, doc, outputs, resolver) => Cached {
                environment: resolver.environment(),
                ..c
            },
            _ => render_one(doc, outputs, resolver),
        };
        let done = (cached.output.clone(), cached.problems.clone());
        self.entries.insert(rel.clone(), cached);
        done
    }
}

fn still_valid<T: Renderable>(
    cached: &Cached<T>,
    doc: &Arc<T>,
    outputs: &Claims,
    resolver: &Resolver,
) -> bool {
    let dir = doc.source().dir();
    Arc::ptr_eq(doc, &cached.input)
        && doc.image().and_then(|i| outputs.image_path(i)) == cached.image.as_deref()
        && (cached.environment == resolver.environment()
            || cached
                .links
                .iter()
                .all(|u| resolver.resolve(dir, &u.dest, u.is_image) == u.outcome))
}

fn render_one<T: Renderable>(doc: &Arc<T>, outputs: &Claims, resolver: &Resolver) -> Cached<T> {
    let done = render_source(doc.as_ref(), doc.source(), outputs, resolver);
    Cached {
        input: doc.clone(),
        output: Arc::new(done.output),
        links: done.links,
        image: done.cover,
        problems: done.problems,
        environment: resolver.environment(),
    }
}

/// Renders the bodies of `docs` once, with no cache to fill (`build`): `markdown[i]` is the
/// body of `docs[i]`, taken out of it by the caller, and is dropped as soon as its HTML
/// exists, so that a 50,000-item build never holds every Markdown body and every HTML body
/// at once. Same results as [`BodyCache::render`] on an empty cache.
///
/// With `store` (see `stored`), a body stored by the last build is reused when nothing it
/// was made from changed, and every body goes into the next store.
pub fn render_once<T: Renderable>(
    docs: &[Arc<T>],
    markdown: Vec<Arc<String>>,
    outputs: &Claims,
    resolver: &Resolver,
    store: Option<&Store>,
) -> (Vec<Arc<Rendered<T>>>, Vec<Diagnostic>) {
    let results: Vec<Done<T>> = docs
        .par_iter()
        .zip(markdown.into_par_iter())
        .map(|(doc, body)| {
            let source = Source {
                body,
                ..doc.source().clone()
            };
            let Some(store) = store else {
                return render_source(doc.as_ref(), &source, outputs, resolver);
            };
            let key = stored::key(&source.rel, &source.body, doc.image().is_some());
            let dir = source.dir();
            let hit = store.get(&source.rel, &key, |(dest, is_image, outcome)| {
                resolver.resolve(dir, dest, *is_image) == *outcome
            });
            let (rendered, links, problems) = match hit {
                Some(hit) => {
                    let links = hit.links.into_iter().map(LinkUse::from).collect();
                    let rendered = markdown::Rendered {
                        html: hit.html,
                        summary: hit.summary,
                    };
                    (rendered, links, Vec::new())
                }
                None => render_markdown(doc.as_ref(), &source, resolver),
            };
            let spilled = if problems.is_empty() {
                let resolved: Vec<stored::Resolved> =
                    links.iter().map(LinkUse::to_stored).collect();
                store.put(
                    &source.rel,
                    key,
                    &rendered.summary,
                    &resolved,
                    &rendered.html,
                )
            } else {
                None
            };
            let mut done = finish(doc.as_ref(), &source, outputs, rendered, links, problems);
            // The HTML is in the store's file now: read back by its page and the index.
            if let Some(spilled) = spilled {
                done.output.body.html = Html::Spilled(spilled);
            }
            done
        })
        .collect();
    if let Some(store) = store {
        store.flush();
    }
    let mut rendered = Vec::with_capacity(results.len());
    let mut problems = Vec::new();
    for done in results {
        problems.extend(done.problems);
        rendered.push(Arc::new(done.output));
    }
    (rendered, problems)
}

/// What rendering one body gave.
struct Done<T> {
    output: Rendered<T>,
    links: Vec<LinkUse>,
    cover: Option<String>,
    problems: Vec<Diagnostic>,
}

/// Renders `source` (the body of `doc`) and resolves `doc`'s cover image.
fn render_source<T: Renderable>(
    doc: &T,
    source: &Source,
    outputs: &Claims,
    resolver: &Resolver,
) -> Done<T> {
    let (rendered, links, problems) = render_markdown(doc, source, resolver);
    finish(doc, source, outputs, rendered, links, problems)
}

/// The Markdown of `source` as HTML, with how each of its links resolved.
fn render_markdown<T: Renderable>(
    doc: &T,
    source: &Source,
    resolver: &Resolver,
) -> (markdown::Rendered, Vec<LinkUse>, Vec<Diagnostic>) {
    let recording = Recording {
        inner: resolver,
        has_cover: doc.image().is_some(),
        uses: Mutex::new(Vec::new()),
    };
    let (rendered, problems) = markdown::render(source, &recording);
    let links = recording.uses.into_inner().unwrap_or_default();
    (rendered, links, problems)
}

/// A rendered body made into `doc`'s [`Rendered`], its cover image resolved.
fn finish<T: Renderable>(
    doc: &T,
    source: &Source,
    outputs: &Claims,
    rendered: markdown::Rendered,
    links: Vec<LinkUse>,
    mut problems: Vec<Diagnostic>,
) -> Done<T> {
    let shown = &source.shown;
    let mut cover = None;
    if let Some(image) = doc.image() {
        match outputs.image_path(image).map(str::to_string) {
            Some(path) => cover = Some(path),
            None if outputs.is_bad_photo(image) => problems.push(Diagnostic::new(
                shown,
                image.line,
                format!("ảnh `{}` không dùng được (xem lỗi ghi ở chính tệp ảnh)", image.name()),
            )),
            None => problems.push(
                Diagnostic::new(shown, image.line, format!("không tìm thấy ảnh `{}`", image.name())).with_hint(
                    "ảnh đặt cạnh tệp .md (ghi `image: anh.jpg`) hoặc trong content/static/ (ghi `image: /anh/ten.jpg`)",
                ),
            ),
        }
    }
    let mut hasher = rustc_hash::FxHasher::default();
    (source.text_hash, &cover, &links).hash(&mut hasher);
    let (summary, summary_is_auto) = match doc.written_summary() {
        Some(written) if !written.is_empty() => (written.to_string(), false),
        Some(_) => (rendered.summary, true),
        None => (String::new(), false),
    };
    let body = Body {
        html: Html::Held(rendered.html),
        summary,
        summary_is_auto,
        cover: cover.clone(),
        fingerprint: hasher.finish(),
    };
    // The metadata is copied; the Markdown stays with the parsed document only.
    let mut copy = T::clone(doc);
    copy.source_mut().body = Default::default();
    Done {
        output: Rendered { doc: copy, body },
        links,
        cover,
        problems,
    }
}
