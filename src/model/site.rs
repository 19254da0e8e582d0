//! The loaded, validated site: content parsed, filtered for this build, sorted and indexed.
//!
//! `Site::load` runs the first half of the pipeline (load → validate); rendering only reads
//! from a `Site`. Every problem found on the way is collected, so one run reports them all.

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use chrono::{DateTime, FixedOffset, Utc};

use crate::assemble::bodies::Bodies;
use crate::assemble::links::{Outputs, Resolver};
use crate::base::diagnostics::{Diagnostic, Diagnostics, Error};
use crate::load::inventory;
use crate::load::parse::describe;
use crate::load::sources::{Doc, Sources};
use crate::model::config::Config;
use crate::model::content::{Item, Page, Profile, Scheduled};
use crate::model::plan::{self, PageJob};

/// Choices made on the command line for one build.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub drafts: bool,
    pub future: bool,
    /// "Now" for scheduled items and the current year: the clock or `SOURCE_DATE_EPOCH`.
    pub now: DateTime<Utc>,
    /// Overrides `base_url` from `site.yaml` (`--base-url`, and `serve`).
    pub base_url: Option<String>,
    /// A private preview (`serve`): shows the tallies that `tallies: { public: false }`
    /// keeps out of the published site.
    pub preview: bool,
}

/// A tag with the items that carry it (indices into `Site::items`, newest first).
#[derive(Debug, Clone)]
pub struct Tag {
    pub slug: String,
    /// As first written (on the newest item).
    pub name: String,
    pub items: Vec<usize>,
}

/// A file copied as-is: a page-bundle asset or a static file.
#[derive(Debug, Clone)]
pub struct FileCopy {
    pub from: PathBuf,
    /// Output path, relative and clean.
    pub to: String,
}

#[derive(Debug)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    /// "Now", in the site timezone.
    pub now: DateTime<FixedOffset>,
    /// Items rendered in this build, newest first.
    pub items: Vec<Arc<Item>>,
    pub profiles: Vec<Arc<Profile>>,
    pub pages: Vec<Arc<Page>>,
    pub tags: Vec<Tag>,
    /// `0..items.len()`: every item, newest first, in the shape of the other indexes, so
    /// that the all-items listing and feed share their code with the per-unit ones.
    pub all_items: Vec<usize>,
    pub items_by_unit: Vec<Vec<usize>>,
    pub profiles_by_unit: Vec<Vec<usize>>,
    pub profiles_by_kind: Vec<Vec<usize>>,
    pub files: Vec<FileCopy>,
    /// Photos, published as derived files only ([`crate::images`]).
    pub images: crate::images::Catalog,
    pub theme_dir: PathBuf,
    /// Every page of this build, decided before any is rendered.
    pub jobs: Vec<PageJob>,
    /// Items not published yet because of their date, soonest first.
    pub scheduled: Vec<Scheduled>,
}

pub use crate::load::sources::{content_dir, load_config};

impl Site {
    /// Loads, validates and renders the Markdown of a whole site (for `build` and `check`).
    pub fn load(root: &Path, options: &LoadOptions) -> Result<Site, Error> {
        let sources = Sources::load(root)?;
        Site::assemble(&sources, options, &mut Bodies::default())
    }

    /// Builds the site model from parsed sources: filters drafts and scheduled items, sorts,
    /// indexes, checks that no two files claim one URL, and renders bodies (reusing `bodies`
    /// where nothing they depend on changed). Fails with every problem found.
    pub fn assemble(
        sources: &Sources,
        options: &LoadOptions,
        bodies: &mut Bodies,
    ) -> Result<Site, Error> {
        let root = sources.root.as_path();
        let mut config = sources.config.clone();
        if let Some(url) = &options.base_url {
            config.base_url = crate::base::urls::BaseUrl::parse(url)
                .map_err(|m| Diagnostic::new("--base-url", 1, m))?;
        }
        if options.preview {
            config.tallies_public = true;
        }
        let content = content_dir(root);
        let theme_dir = crate::render::theme::dir(root, &config.theme);
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
        // Items held back by their date, listed by `build` and `check`.
        let mut scheduled = Vec::new();
        for (rel, doc) in sources.docs() {
            if let Doc::Item(item) = doc {
                problems.extend(item.far_future(&now));
                if !options.future && item.date > now && (options.drafts || !item.draft) {
                    scheduled.push(item.scheduled_note());
                }
            }
            match doc {
                Doc::Item(item)
                    if (options.drafts || !item.draft) && (options.future || item.date <= now) =>
                {
                    items.push(item.clone())
                }
                Doc::Profile(profile) if options.drafts || !profile.draft => {
                    profiles.push(profile.clone())
                }
                Doc::Page(page) if options.drafts || !page.draft => pages.push(page.clone()),
                Doc::Failed(errors) => {
                    problems.extend(errors.iter().cloned());
                    failed.push(rel.to_string());
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

        let mut site = Site {
            root: root.to_path_buf(),
            all_items: (0..items.len()).collect(),
            items_by_unit: index_by(&items, config.units.len(), |i| i.unit.0),
            profiles_by_unit: index_by(&profiles, config.units.len(), |p| p.unit.0),
            profiles_by_kind: index_by(&profiles, config.profile_kinds.len(), |p| p.kind.0),
            tags: index_tags(&items),
            config,
            now,
            items,
            profiles,
            pages,
            files: Vec::new(),
            images: Default::default(),
            theme_dir,
            jobs: Vec::new(),
            scheduled,
        };
        site.scheduled
            .sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.shown.cmp(&b.shown)));

        // Where everything goes, then whether anything collides or points nowhere.
        site.jobs = plan::plan(&site);
        let mut outputs = Outputs::new(&site.config.base_url);
        // The static folders are listed while the pages claim their paths.
        let ((), static_files) = rayon::join(
            || outputs.add_pages(&site, &site.jobs, &mut problems),
            || {
                list_static(
                    &site.theme_dir.join("static"),
                    &content.join(inventory::STATIC_DIR),
                )
            },
        );
        let static_files = static_files.context("đọc thư mục static")?;
        site.files = outputs.add_files(
            &site,
            &hidden,
            &sources.inventory.assets,
            &static_files,
            &content,
            &mut problems,
        );
        site.images = outputs.pictures.clone();

        let resolver = Resolver::new(&outputs, &site, &hidden, &failed);
        let (items, more) = bodies.items.render(&site.items, &outputs, &resolver);
        problems.extend(more);
        let (profiles, more) = bodies.profiles.render(&site.profiles, &outputs, &resolver);
        problems.extend(more);
        let (pages, more) = bodies.pages.render(&site.pages, &outputs, &resolver);
        problems.extend(more);
        drop(resolver);
        site.items = items;
        site.profiles = profiles;
        site.pages = pages;
        problems.into_result(site)
    }

    /// Years with a tally page: every year with a counted item, and the current year.
    pub fn tally_years(&self) -> Vec<i32> {
        let mut years = crate::tally::years_with_items(self.counted_items());
        let current = chrono::Datelike::year(&self.now);
        if let Err(at) = years.binary_search(&current) {
            years.insert(at, current);
        }
        years
    }

    /// The day tallies are counted to in this build: today in the site timezone.
    pub fn as_of(&self) -> chrono::NaiveDate {
        self.now.date_naive()
    }

    /// The items the tallies count from: those published in this build (the tally itself
    /// leaves out drafts, which `--drafts` publishes).
    pub fn counted_items(&self) -> impl Iterator<Item = &Item> + Clone {
        self.items.iter().map(AsRef::as_ref)
    }

    pub fn jobs(&self) -> &[PageJob] {
        &self.jobs
    }
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

/// For messages about cover images.
pub(crate) fn image_name(image: &crate::model::content::Image) -> &str {
    describe(&image.reference)
}
