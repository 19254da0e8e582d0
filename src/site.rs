//! The loaded, validated site: content parsed, filtered for this build, sorted and indexed.
//!
//! `Site::load` runs the first half of the pipeline (load → validate); rendering only reads
//! from a `Site`. Every problem found on the way is collected, so one run reports them all.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{DateTime, FixedOffset, Utc};
use rayon::prelude::*;

use crate::config::Config;
use crate::content::inventory::{self, Inventory};
use crate::content::parse::{describe, parse_item, parse_page, parse_profile};
use crate::content::{Item, Page, Profile, Source};
use crate::diagnostics::{Diagnostic, Diagnostics, Error};
use crate::links::{Outputs, Resolver};
use crate::markdown;
use crate::plan::{self, PageJob};
use crate::slug::slugify;

/// Choices made on the command line for one build.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub drafts: bool,
    pub future: bool,
    /// "Now" for scheduled items and the current year: the clock or `SOURCE_DATE_EPOCH`.
    pub now: DateTime<Utc>,
    /// Overrides `base_url` from `site.yaml` (`--base-url`, and `serve`).
    pub base_url: Option<String>,
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
    pub items: Vec<Item>,
    /// Drafts and scheduled items left out of this build; tallies still see them.
    pub unpublished: Vec<Item>,
    pub profiles: Vec<Profile>,
    pub pages: Vec<Page>,
    pub tags: Vec<Tag>,
    pub items_by_unit: Vec<Vec<usize>>,
    pub profiles_by_unit: Vec<Vec<usize>>,
    pub profiles_by_kind: Vec<Vec<usize>>,
    pub files: Vec<FileCopy>,
    pub theme_dir: PathBuf,
}

pub fn content_dir(root: &Path) -> PathBuf {
    root.join("content")
}

/// Reads `content/site.yaml` alone (for `tally`, `new` and the first step of `load`).
pub fn load_config(root: &Path) -> Result<Config, Error> {
    let path = content_dir(root).join(inventory::CONFIG_FILE);
    let shown = crate::diagnostics::relative_to(root, &path);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Diagnostic::new(&shown, 1, format!("không đọc được site.yaml: {e}"))
            .with_hint("chạy lệnh trong thư mục chứa content/, hoặc chỉ rõ bằng --root")
    })?;
    Config::from_yaml(&shown, &text).map_err(Error::Content)
}

impl Site {
    /// Loads and validates everything; renders Markdown bodies. Fails with every problem found.
    pub fn load(root: &Path, options: &LoadOptions) -> Result<Site, Error> {
        let mut config = load_config(root)?;
        if let Some(url) = &options.base_url {
            config.base_url = crate::urls::BaseUrl::parse(url)
                .map_err(|m| Diagnostic::new("--base-url", 1, m))?;
        }
        let content = content_dir(root);
        let inventory = Inventory::scan(&content, root).map_err(Error::Content)?;
        let theme_dir = root.join("themes").join(&config.theme);
        let mut problems = Diagnostics::new();
        let read = |rel: &String| -> Result<(PathBuf, String), Diagnostic> {
            let path = content.join(rel);
            let shown = crate::diagnostics::relative_to(root, &path);
            match std::fs::read_to_string(&path) {
                Ok(text) => Ok((shown, text)),
                Err(e) => Err(
                    Diagnostic::new(shown, 1, format!("không đọc được tệp: {e}"))
                        .with_hint("tệp phải là văn bản UTF-8"),
                ),
            }
        };
        let items: Vec<Result<Item, Vec<Diagnostic>>> = inventory
            .items
            .par_iter()
            .map(|rel| {
                let (shown, text) = read(rel).map_err(|d| vec![d])?;
                parse_item(&config, &shown, rel, text)
            })
            .collect();
        let profiles: Vec<Result<Profile, Vec<Diagnostic>>> = inventory
            .profiles
            .par_iter()
            .map(|rel| {
                let (shown, text) = read(rel).map_err(|d| vec![d])?;
                parse_profile(&config, &shown, rel, text)
            })
            .collect();
        let pages: Vec<Result<Page, Vec<Diagnostic>>> = inventory
            .pages
            .iter()
            .map(|rel| {
                let (shown, text) = read(rel).map_err(|d| vec![d])?;
                parse_page(&shown, rel, text)
            })
            .collect();
        let items = collect(items, &mut problems);
        let profiles = collect(profiles, &mut problems);
        let pages = collect(pages, &mut problems);

        let now = options.now.with_timezone(&config.timezone);
        let (mut published, mut unpublished): (Vec<Item>, Vec<Item>) =
            items.into_iter().partition(|item| {
                (options.drafts || !item.draft) && (options.future || item.date <= now)
            });
        published.sort_by(|a, b| {
            b.date
                .cmp(&a.date)
                .then_with(|| a.source.rel.cmp(&b.source.rel))
        });
        unpublished.sort_by(|a, b| {
            b.date
                .cmp(&a.date)
                .then_with(|| a.source.rel.cmp(&b.source.rel))
        });
        let (mut profiles, hidden_profiles): (Vec<Profile>, Vec<Profile>) = profiles
            .into_iter()
            .partition(|p| options.drafts || !p.draft);
        profiles.sort_by(|a, b| {
            a.slug
                .cmp(&b.slug)
                .then_with(|| a.source.rel.cmp(&b.source.rel))
        });
        let (mut pages, hidden_pages): (Vec<Page>, Vec<Page>) =
            pages.into_iter().partition(|p| options.drafts || !p.draft);
        pages.sort_by(|a, b| a.slug.cmp(&b.slug));

        let mut site = Site {
            root: root.to_path_buf(),
            items_by_unit: index_by(&published, config.units.len(), |i| i.unit.0),
            profiles_by_unit: index_by(&profiles, config.units.len(), |p| p.unit.0),
            profiles_by_kind: index_by(&profiles, config.profile_kinds.len(), |p| p.kind.0),
            tags: index_tags(&published),
            config,
            now,
            items: published,
            unpublished,
            profiles,
            pages,
            files: Vec::new(),
            theme_dir,
        };

        // Where everything goes, then whether anything collides or points nowhere.
        let jobs = plan::plan(&site);
        // Content paths of files that exist but are not published in this build.
        let hidden: Vec<String> = site
            .unpublished
            .iter()
            .map(|i| i.source.rel.clone())
            .chain(hidden_profiles.iter().map(|p| p.source.rel.clone()))
            .chain(hidden_pages.iter().map(|p| p.source.rel.clone()))
            .collect();
        let mut outputs = Outputs::new(&site.config.base_url);
        outputs.add_pages(&site, &jobs, &mut problems);
        let static_files = list_static(
            &site.theme_dir.join("static"),
            &content.join(inventory::STATIC_DIR),
        )
        .context("đọc thư mục static")?;
        site.files = outputs.add_files(
            &site,
            &hidden,
            &inventory.assets,
            &static_files,
            &content,
            &mut problems,
        );
        outputs.resolve_images(&mut site, &mut problems);

        let resolver = Resolver::new(&outputs, &site, &hidden);
        problems.extend(site.render_markdown(&resolver));
        problems.into_result(site)
    }

    /// Renders every Markdown body in parallel; returns broken-link problems.
    fn render_markdown(&mut self, resolver: &Resolver) -> Vec<Diagnostic> {
        fn apply(source: &mut Source, resolver: &Resolver) -> (String, String, Vec<Diagnostic>) {
            let (rendered, problems) = markdown::render(source, resolver);
            // The Markdown is not needed after this: keep the peak memory of big sites down.
            source.body = String::new();
            (rendered.html, rendered.summary, problems)
        }
        let mut problems: Vec<Diagnostic> = self
            .items
            .par_iter_mut()
            .flat_map_iter(|item| {
                let (html, summary, problems) = apply(&mut item.source, resolver);
                item.html = html;
                if item.summary.is_empty() {
                    item.summary = summary;
                }
                problems
            })
            .collect();
        problems.extend(
            self.profiles
                .par_iter_mut()
                .flat_map_iter(|profile| {
                    let (html, summary, problems) = apply(&mut profile.source, resolver);
                    profile.html = html;
                    if profile.summary.is_empty() {
                        profile.summary = summary;
                    }
                    problems
                })
                .collect::<Vec<_>>(),
        );
        for page in &mut self.pages {
            let (html, _, more) = apply(&mut page.source, resolver);
            page.html = html;
            problems.extend(more);
        }
        problems
    }

    /// Every item the tallies consider: published or not (they apply their own rules).
    pub fn all_items(&self) -> impl Iterator<Item = &Item> {
        self.items.iter().chain(&self.unpublished)
    }

    /// Years with a tally page: every year with a counted item, and the current year.
    pub fn tally_years(&self) -> Vec<i32> {
        let mut years = crate::tally::years_with_items(&self.items);
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

    pub fn jobs(&self) -> Vec<PageJob> {
        plan::plan(self)
    }
}

fn collect<T>(results: Vec<Result<T, Vec<Diagnostic>>>, problems: &mut Diagnostics) -> Vec<T> {
    let mut ok = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(value) => ok.push(value),
            Err(errors) => problems.extend(errors),
        }
    }
    ok
}

fn index_by<T>(entries: &[T], groups: usize, group_of: impl Fn(&T) -> usize) -> Vec<Vec<usize>> {
    let mut index = vec![Vec::new(); groups];
    for (i, entry) in entries.iter().enumerate() {
        index[group_of(entry)].push(i);
    }
    index
}

/// Tags by slug; "Hát Xoan" and "hát xoan" are one tag.
fn index_tags(items: &[Item]) -> Vec<Tag> {
    let mut by_slug: HashMap<String, Tag> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        for name in &item.tags {
            let slug = slugify(name);
            by_slug
                .entry(slug.clone())
                .or_insert_with(|| Tag {
                    slug,
                    name: name.clone(),
                    items: Vec::new(),
                })
                .items
                .push(i);
        }
    }
    let mut tags: Vec<Tag> = by_slug.into_values().collect();
    tags.sort_by(|a, b| a.slug.cmp(&b.slug));
    tags
}

/// Static files: the theme's first, then the site's, which win (path relative → absolute).
fn list_static(theme_static: &Path, site_static: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut files: HashMap<String, PathBuf> = HashMap::new();
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

/// For messages about cover images.
pub(crate) fn image_name(image: &crate::content::Image) -> &str {
    describe(&image.reference)
}
