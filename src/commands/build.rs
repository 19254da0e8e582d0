//! `datto build` and `datto check`: load → validate → render → write.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::base::diagnostics::Error;
use crate::base::urls::output_file;
use crate::emit::Staging;
use crate::images;
use crate::model::plan::{PageJob, PageKind};
use crate::model::site::{LoadOptions, Site};
use crate::render::{Renderer, theme};

#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output: PathBuf,
    pub load: LoadOptions,
}

/// What a successful build or check did, for the one-line summary.
#[derive(Debug, Clone)]
pub struct Report {
    pub pages: usize,
    pub files: usize,
    pub items: usize,
    pub profiles: usize,
    pub elapsed: Duration,
    /// Items held back by their date (printed after the summary).
    pub scheduled: Vec<crate::model::content::Scheduled>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} trang, {} tệp tĩnh; {} tin bài, {} mô hình; {} ms",
            self.pages,
            self.files,
            self.items,
            self.profiles,
            self.elapsed.as_millis()
        )
    }
}

/// Loads the site and its theme; both report every problem they find.
pub fn prepare(root: &Path, options: &LoadOptions) -> Result<(Site, theme::Theme), Error> {
    // The theme is parsed while the content loads: it needs only the theme's name.
    let theme_dir = crate::load::sources::load_config(root)
        .ok()
        .map(|c| crate::load::theme::dir(root, &c.theme));
    let (site, theme) = rayon::join(
        || crate::assemble::load(root, options),
        || match theme_dir {
            Some(dir) => theme::load(&dir, root).map_err(Error::Content),
            // site.yaml itself is broken: the site's load reports it.
            None => Err(Error::Content(Vec::new())),
        },
    );
    Error::both(site, theme)
}

/// Every page of the site in render order: pages that list the whole site (the sitemap,
/// the tallies) first — started last, the sitemap of a 50,000-item site alone kept one
/// core busy for 80 ms after the others ran dry.
fn in_render_order(jobs: &[PageJob]) -> Vec<&PageJob> {
    let (mut order, rest): (Vec<&PageJob>, Vec<&PageJob>) = jobs.iter().partition(|job| {
        matches!(
            job.kind,
            PageKind::Sitemap
                | PageKind::TallyIndex
                | PageKind::TallyYear(_)
                | PageKind::TallyXlsx(_)
        )
    });
    order.extend(rest);
    order
}

pub fn build(options: &BuildOptions) -> Result<Report, Error> {
    let started = Instant::now();
    crate::emit::check_location(&options.root, &options.output)?;
    // The previous output is listed while the content loads.
    let (prepared, staging) = rayon::join(
        || prepare(&options.root, &options.load),
        || Staging::create(&options.output),
    );
    let (site, theme) = prepared?;
    let mut staging = staging?;
    let jobs = site.jobs();
    let renderer = Renderer::new(&site, &theme)?;
    let index = crate::search::SiteIndex::new(&site);
    let files: Vec<String> = jobs.iter().map(|job| output_file(&job.path)).collect();
    let index_files = index.paths();
    staging.prepare(
        files
            .iter()
            .chain(&index_files)
            .map(String::as_str)
            .chain(site.files.iter().map(|f| f.to.as_str()))
            .chain(site.images.outputs()),
    )?;
    // While the pages render, the search index reads every body and the photos are made
    // (or found in the cache); the index's shards are written last.
    let cache = images::Cache::new(&site.root);
    let ((rendered, index), photos) = rayon::join(
        || {
            rayon::join(
                || {
                    renderer.render_each(in_render_order(jobs), |job, bytes| {
                        staging.write(&output_file(&job.path), &bytes)
                    })
                },
                || index.index(|rel, bytes| staging.write(rel, bytes)),
            )
        },
        || images::produce(&site.images.pictures, &cache),
    );
    let (_, photos) = Error::both(rendered, photos)?;
    let index = index.map_err(Error::Internal)?;
    staging.expect(index.paths().iter().map(String::as_str))?;
    index
        .write(|rel, bytes| staging.write(rel, bytes))
        .map_err(Error::Internal)?;
    site.files
        .par_iter()
        .map(|f| (f.to.as_str(), f.from.as_path()))
        .chain(photos.par_iter().map(|p| (p.to.as_str(), p.from.as_path())))
        .try_for_each(|(to, from)| staging.copy(to, from))
        .map_err(Error::Internal)?;
    staging.commit()?;
    // Cached files no photo of this build uses are removed (after the copy: a failed build
    // keeps them for the next try).
    let used = photos.iter().map(|p| p.from.clone()).collect();
    cache.prune(&used).map_err(Error::Internal)?;
    Ok(Report {
        pages: jobs.len(),
        files: site.files.len() + photos.len(),
        items: site.items.len(),
        profiles: site.profiles.len(),
        elapsed: started.elapsed(),
        scheduled: site.scheduled.clone(),
    })
}

/// Everything `build` validates, templates included; writes nothing.
pub fn check(root: &Path, load: &LoadOptions) -> Result<Report, Error> {
    let started = Instant::now();
    let (site, theme) = prepare(root, load)?;
    let jobs = site.jobs();
    let renderer = Renderer::new(&site, &theme)?;
    // Photos are decoded as `build` would (unless already in the cache): a truncated file
    // must fail `check` too.
    let cache = images::Cache::new(&site.root);
    let (rendered, photos) = rayon::join(
        || renderer.render_each(in_render_order(jobs), |_, _| Ok(())),
        || images::verify(&site.images.pictures, &cache),
    );
    Error::both(rendered, photos)?;
    Ok(Report {
        pages: jobs.len(),
        files: site.files.len(),
        items: site.items.len(),
        profiles: site.profiles.len(),
        elapsed: started.elapsed(),
        scheduled: site.scheduled.clone(),
    })
}
