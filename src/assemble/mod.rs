//! The loaded content → one immutable [`Site`]: what is published in this build, in which
//! order, at which paths, with its links resolved and its Markdown rendered.
//!
//! The steps, each reading only what the earlier ones made: [`Selection`] (published
//! documents, sorted and indexed) → [`plan`] (every page's path) → [`claims`] (every output
//! file and who claims it; photos planned) → [`links`] (how links resolve) → [`bodies`]
//! (Markdown rendered) → the [`Site`]. Every problem found on the way is collected.

pub mod bodies;
pub mod claims;
pub mod figures;
pub mod links;
pub mod markdown;
pub mod patch;
pub mod plan;
pub mod stored;

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use chrono::{DateTime, FixedOffset};

use crate::base::diagnostics::{Diagnostics, Error};
use crate::base::layout;
use crate::load::inventory;
use crate::load::sources::{Doc, Sources};
use crate::model::config::Config;
use crate::model::content::{Item, Page, Profile, Scheduled};
use crate::model::site::{LoadOptions, Site, Tag};
use bodies::Bodies;
use claims::Claims;
use links::{Resolver, Targets};
use stored::Store;

/// The documents published in this build, sorted and indexed; not rendered yet.
pub struct Selection {
    pub root: PathBuf,
    pub config: Config,
    /// "Now", in the site timezone.
    pub now: DateTime<FixedOffset>,
    pub theme_dir: PathBuf,
    /// Newest first.
    pub items: Vec<Arc<Item>>,
    /// By slug.
    pub profiles: Vec<Arc<Profile>>,
    /// By slug.
    pub pages: Vec<Arc<Page>>,
    pub tags: Vec<Tag>,
    pub items_by_unit: Vec<Vec<usize>>,
    pub profiles_by_unit: Vec<Vec<usize>>,
    pub profiles_by_kind: Vec<Vec<usize>>,
    pub tally_years: Vec<i32>,
}

/// What assembling a site leaves for `serve`'s next rebuild: how links resolve, so that
/// an edit that moves nothing need not assemble the whole site again (see [`patch`]).
pub struct Kept {
    /// Every claimed output file (its photos moved into the [`Site`]).
    claims: Claims,
    targets: Targets,
    /// [`Resolver::environment`] of `claims` and `targets`.
    environment: u64,
}

/// Loads and assembles a whole site (for `build` and `check`).
pub fn load(root: &Path, options: &LoadOptions) -> Result<Site, Error> {
    let mut sources = Sources::load(root)?;
    let docs = sources.take_docs();
    assemble_from(&sources, docs, options, None, None).map(|(site, _)| site)
}

/// [`load`], reusing the bodies the last build stored and storing this build's (`build`:
/// see `stored`).
pub fn load_reusing(root: &Path, options: &LoadOptions, store: &Store) -> Result<Site, Error> {
    let mut sources = Sources::load(root)?;
    let docs = sources.take_docs();
    assemble_from(&sources, docs, options, None, Some(store)).map(|(site, _)| site)
}

/// Assembles the site from parsed sources, reusing the rendered bodies of `bodies` where
/// nothing they depend on changed (`serve`). Fails with every problem found.
pub fn assemble(
    sources: &Sources,
    options: &LoadOptions,
    bodies: &mut Bodies,
) -> Result<Site, Error> {
    assemble_keeping(sources, options, bodies).map(|(site, _)| site)
}

/// [`assemble`], and what to give [`patch::patch`] after the next edit.
pub fn assemble_keeping(
    sources: &Sources,
    options: &LoadOptions,
    bodies: &mut Bodies,
) -> Result<(Site, Kept), Error> {
    let docs = sources.docs().map(|(rel, doc)| (rel, doc.clone()));
    assemble_from(sources, docs, options, Some(bodies), None)
}

/// [`assemble`] from `docs` (the documents of `sources`, moved out or cloned). Without
/// `bodies` (`build`) nothing is cached: each document's Markdown is taken out of it and
/// freed as soon as its HTML exists.
fn assemble_from<R: AsRef<str>>(
    sources: &Sources,
    docs: impl IntoIterator<Item = (R, Doc)>,
    options: &LoadOptions,
    bodies: Option<&mut Bodies>,
    store: Option<&Store>,
) -> Result<(Site, Kept), Error> {
    let root = sources.root.as_path();
    let mut config = sources.config.clone();
    if let Some(url) = &options.base_url {
        config.base_url = url.clone();
    }
    if options.preview {
        config.tallies_public = true;
    }
    let content = layout::content_dir(root);
    let theme_dir = crate::load::theme::dir(root, &config.theme);
    let now = options.now.with_timezone(&config.timezone);

    let mut problems = Diagnostics::new();
    problems.extend(sources.problems().cloned());
    let mut items = Vec::new();
    let mut profiles = Vec::new();
    let mut pages = Vec::new();
    // Content paths of files that exist but are not published in this build.
    let mut hidden: Vec<String> = Vec::new();
    // Files that exist but failed to parse: links to them are not "broken".
    let mut failed: Vec<String> = Vec::new();
    // Their bodies, when the front matter alone was refused: checked for broken links.
    let mut failed_bodies: Vec<Arc<crate::model::content::Source>> = Vec::new();
    // Items held back by their date, listed by `build` and `check`.
    let mut scheduled = Vec::new();
    for (rel, doc) in docs {
        let rel = rel.as_ref();
        if let Doc::Item(item) = &doc {
            problems.extend(item.far_future(&now));
            if !options.future && item.date > now && (options.drafts || !item.draft) {
                scheduled.push(item.scheduled_note());
            }
        }
        match doc {
            Doc::Item(item)
                if (options.drafts || !item.draft) && (options.future || item.date <= now) =>
            {
                items.push(item)
            }
            Doc::Profile(profile) if options.drafts || !profile.draft => profiles.push(profile),
            Doc::Page(page) if options.drafts || !page.draft => pages.push(page),
            Doc::Failed(errors, body) => {
                problems.extend(errors);
                failed.push(rel.to_string());
                failed_bodies.extend(body);
            }
            _ => hidden.push(rel.to_string()),
        }
    }
    items.sort_by(|a, b| {
        b.date
            .cmp(&a.date)
            .then_with(|| a.source.rel.cmp(&b.source.rel))
    });
    profiles.sort_by(|a, b| {
        a.slug
            .cmp(&b.slug)
            .then_with(|| a.source.rel.cmp(&b.source.rel))
    });
    pages.sort_by(|a, b| {
        a.slug
            .cmp(&b.slug)
            .then_with(|| a.source.rel.cmp(&b.source.rel))
    });
    // Build keeps no cache: the Markdown leaves the documents (then held here alone).
    let markdown = bodies.is_none().then(|| {
        (
            take_bodies(&mut items),
            take_bodies(&mut profiles),
            take_bodies(&mut pages),
        )
    });
    scheduled.sort_by(|a: &Scheduled, b| a.date.cmp(&b.date).then_with(|| a.shown.cmp(&b.shown)));

    let selection = Selection {
        root: root.to_path_buf(),
        items_by_unit: index_by(&items, config.units.len(), |i| i.unit.0),
        profiles_by_unit: index_by(&profiles, config.units.len(), |p| p.unit.0),
        profiles_by_kind: index_by(&profiles, config.profile_kinds.len(), |p| p.kind.0),
        tags: index_tags(&items),
        tally_years: tally_years(&items, &now),
        config,
        now,
        theme_dir,
        items,
        profiles,
        pages,
    };

    // Where everything goes, then whether anything collides or points nowhere.
    let jobs = plan::plan(&selection);
    let mut claims = Claims::new(&selection.config.base_url);
    // The static folders are listed while the pages claim their paths.
    let ((), static_files) = rayon::join(
        || claims.add_pages(&selection, &jobs, &mut problems),
        || {
            list_static(
                &selection.theme_dir.join(layout::STATIC),
                &content.join(layout::STATIC),
            )
        },
    );
    let static_files = static_files.context("đọc thư mục static")?;
    let files = claims.add_files(
        &selection,
        &hidden,
        &sources.inventory.assets,
        &static_files,
        &content,
        &mut problems,
    );

    let targets = Targets::new(&selection, &hidden, &failed);
    let resolver = Resolver::new(&claims, &targets);
    let environment = resolver.environment();
    for body in &failed_bodies {
        problems.extend(markdown::render(body, &resolver).1);
    }
    let (items, profiles, pages) = match (bodies, markdown) {
        (Some(bodies), _) => {
            let (items, more) = bodies.items.render(&selection.items, &claims, &resolver);
            problems.extend(more);
            let (profiles, more) = bodies
                .profiles
                .render(&selection.profiles, &claims, &resolver);
            problems.extend(more);
            let (pages, more) = bodies.pages.render(&selection.pages, &claims, &resolver);
            problems.extend(more);
            (items, profiles, pages)
        }
        (None, markdown) => {
            let (items_md, profiles_md, pages_md) = markdown.unwrap_or_default();
            let (items, more) =
                bodies::render_once(&selection.items, items_md, &claims, &resolver, store);
            problems.extend(more);
            let (profiles, more) =
                bodies::render_once(&selection.profiles, profiles_md, &claims, &resolver, store);
            problems.extend(more);
            let (pages, more) =
                bodies::render_once(&selection.pages, pages_md, &claims, &resolver, store);
            problems.extend(more);
            (items, profiles, pages)
        }
    };
    let Selection {
        root,
        config,
        now,
        theme_dir,
        tags,
        items_by_unit,
        profiles_by_unit,
        profiles_by_kind,
        tally_years,
        ..
    } = selection;
    let images = std::mem::take(&mut claims.pictures);
    let site = Site {
        root,
        config,
        now,
        all_items: (0..items.len()).collect(),
        items,
        profiles,
        pages,
        tags,
        items_by_unit,
        profiles_by_unit,
        profiles_by_kind,
        files,
        images,
        theme_dir,
        jobs,
        tally_years,
        scheduled,
    };
    let kept = Kept {
        claims,
        targets,
        environment,
    };
    problems.into_result((site, kept))
}

/// Takes the Markdown out of `docs`, in their order. A document shared elsewhere (never,
/// in `build`) keeps its copy and lends a second reference.
fn take_bodies<T: bodies::Renderable>(docs: &mut [Arc<T>]) -> Vec<Arc<String>> {
    docs.iter_mut()
        .map(|doc| match Arc::get_mut(doc) {
            Some(doc) => std::mem::take(&mut doc.source_mut().body),
            None => doc.source().body.clone(),
        })
        .collect()
}

/// Years with a tally page: every year with a counted item, and the current year.
fn tally_years(items: &[Arc<Item>], now: &DateTime<FixedOffset>) -> Vec<i32> {
    let mut years = crate::tally::years_with_items(items.iter().map(AsRef::as_ref));
    let current = chrono::Datelike::year(now);
    if let Err(at) = years.binary_search(&current) {
        years.insert(at, current);
    }
    years
}

fn index_by<T>(entries: &[T], groups: usize, group_of: impl Fn(&T) -> usize) -> Vec<Vec<usize>> {
    let mut index = vec![Vec::new(); groups];
    for (i, entry) in entries.iter().enumerate() {
        index[group_of(entry)].push(i);
    }
    index
}

/// Tags by slug; "Hát Xoan" and "hát xoan" are one tag.
fn index_tags(items: &[Arc<Item>]) -> Vec<Tag> {
    let mut by_slug: FxHashMap<String, Tag> = FxHashMap::default();
    for (i, item) in items.iter().enumerate() {
        for tag in &item.tags {
            match by_slug.get_mut(&tag.slug) {
                Some(entry) => entry.items.push(i),
                None => {
                    let entry = Tag {
                        slug: tag.slug.clone(),
                        name: tag.name.clone(),
                        items: vec![i],
                    };
                    by_slug.insert(tag.slug.clone(), entry);
                }
            }
        }
    }
    let mut tags: Vec<Tag> = by_slug.into_values().collect();
    tags.sort_by(|a, b| a.slug.cmp(&b.slug));
    tags
}

/// Static files: the theme's first, then the site's, which win (path relative → absolute).
fn list_static(theme_static: &Path, site_static: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut files: FxHashMap<String, PathBuf> = FxHashMap::default();
    for dir in [theme_static, site_static] {
        if !dir.is_dir() {
            continue;
        }
        let walker = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .filter_entry(|e| !inventory::is_ignored(&e.file_name().to_string_lossy()));
        for entry in walker {
            let entry = entry?;
            if entry.file_type().is_dir() {
                continue;
            }
            // Reported as errors by the inventory and the theme loader; never copied.
            if entry.path_is_symlink()
                && (entry.path().is_dir() || !real_inside(entry.path(), site_static))
            {
                continue;
            }
            let rel = entry.path().strip_prefix(dir)?;
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            files.insert(rel.join("/"), entry.path().to_path_buf());
        }
    }
    let mut files: Vec<(String, PathBuf)> = files.into_iter().collect();
    files.sort();
    Ok(files)
}

/// Whether a link's target lies inside the site root (`site_static` is `ROOT/content/static`).
fn real_inside(link: &Path, site_static: &Path) -> bool {
    let site_root = site_static.ancestors().nth(2).unwrap_or(site_static);
    let (Ok(target), Ok(root)) = (link.canonicalize(), site_root.canonicalize()) else {
        return false;
    };
    target.starts_with(root)
}

#[cfg(test)]
pub(crate) mod tests;
