//! `datto build` and `datto check`: load → validate → render → write.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::base::diagnostics::{Diagnostic, Diagnostics, Error};
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
    let (site, tera) = rayon::join(
        || crate::assemble::load(root, options),
        || theme_dir.map(|dir| theme::load(&dir, root)),
    );
    match (site, tera) {
        (Ok(site), Some(Ok(tera))) => Ok((site, tera)),
        (Err(Error::Content(mut list)), Some(Err(more))) => {
            list.extend(more);
            Err(Error::Content(Diagnostics::from(list).into_sorted()))
        }
        (Err(e), _) => Err(e),
        (Ok(_), Some(Err(list))) => Err(Error::Content(list)),
        (Ok(_), None) => Err(Error::Internal(anyhow::anyhow!(
            "không xác định được giao diện"
        ))),
    }
}

/// Renders every planned page with `sink`, in parallel; collects template errors.
fn render_all(
    renderer: &Renderer,
    jobs: &[PageJob],
    sink: impl Fn(&str, &[u8]) -> anyhow::Result<()> + Sync,
) -> Result<(), Error> {
    // Pages that list the whole site (the sitemap, the tallies) first: started last, the
    // sitemap of a 50,000-item site alone kept one core busy for 80 ms after the other ran dry.
    let (whole_site, rest): (Vec<&PageJob>, Vec<&PageJob>) = jobs.iter().partition(|job| {
        matches!(
            job.kind,
            PageKind::Sitemap
                | PageKind::TallyIndex
                | PageKind::TallyYear(_)
                | PageKind::TallyXlsx(_)
        )
    });
    let results: Vec<Result<(), Error>> = whole_site
        .into_par_iter()
        .chain(rest)
        .map(|job| {
            let bytes = renderer.render(job)?;
            sink(&output_file(&job.path), &bytes).map_err(Error::Internal)
        })
        .filter(Result::is_err)
        .collect();
    let mut problems: Vec<Diagnostic> = Vec::new();
    for result in results {
        match result {
            Err(Error::Content(list)) => problems.extend(list),
            Err(internal) => return Err(internal),
            Ok(()) => {}
        }
    }
    Diagnostics::from(problems).into_result(())
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
                || render_all(&renderer, jobs, |rel, bytes| staging.write(rel, bytes)),
                || index.index(|rel, bytes| staging.write(rel, bytes)),
            )
        },
        || images::produce(&site.images.pictures, &cache),
    );
    let photos = match (rendered, photos) {
        (Ok(()), Ok(photos)) => photos,
        (Err(Error::Content(mut list)), Err(Error::Content(more))) => {
            list.extend(more);
            return Err(Error::Content(Diagnostics::from(list).into_sorted()));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
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
        || render_all(&renderer, jobs, |_, _| Ok(())),
        || images::verify(&site.images.pictures, &cache),
    );
    match (rendered, photos) {
        (Ok(()), Ok(())) => {}
        (Err(Error::Content(mut list)), Err(Error::Content(more))) => {
            list.extend(more);
            return Err(Error::Content(Diagnostics::from(list).into_sorted()));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    }
    Ok(Report {
        pages: jobs.len(),
        files: site.files.len(),
        items: site.items.len(),
        profiles: site.profiles.len(),
        elapsed: started.elapsed(),
        scheduled: site.scheduled.clone(),
    })
}
