//! `datto build` and `datto check`: load → validate → render → write.
//!
//! A build over its previous output renders only the pages whose signature changed (the
//! output's ledger, see `emit`), and a build with nothing changed is not made at all (see
//! `unchanged`).

mod unchanged;

use std::hash::{Hash as _, Hasher as _};
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use super::Summary;
use crate::assemble::stored::Store;
use crate::base::diagnostics::Error;
use crate::base::layout;
use crate::base::urls::output_file;
use crate::emit::{Staging, UNTRUSTED};
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

/// Loads the site and its theme; both report every problem they find. With `store`, the
/// bodies the last build stored are reused and this build's stored (see
/// `assemble::stored`).
pub fn prepare(
    root: &Path,
    options: &LoadOptions,
    store: Option<&Store>,
) -> Result<(Site, theme::Theme), Error> {
    // The theme is parsed while the content loads: it needs only the theme's name.
    let theme_dir = crate::load::sources::load_config(root)
        .ok()
        .map(|c| crate::load::theme::dir(root, &c.theme));
    let (site, theme) = rayon::join(
        || match store {
            Some(store) => crate::assemble::load_reusing(root, options, store),
            None => crate::assemble::load(root, options),
        },
        || match theme_dir {
            Some(dir) => theme::load(&dir, root).map_err(Error::content),
            // site.yaml itself is broken: the site's load reports it.
            None => Err(Error::content(Vec::new())),
        },
    );
    Error::both(site, theme)
}

/// Every page of the site in render order: pages that list the whole site (the sitemap,
/// the tallies) first — started last, the sitemap of a 50,000-item site alone kept one
/// core busy for 80 ms after the others ran dry.
fn in_render_order(jobs: &[PageJob]) -> Vec<&PageJob> {
    let (mut order, rest): (Vec<&PageJob>, Vec<&PageJob>) =
        jobs.iter().partition(|job| lists_whole_site(job.kind));
    order.extend(rest);
    order
}

/// Pages whose making reads every item: the long jobs of a build.
fn lists_whole_site(kind: PageKind) -> bool {
    matches!(
        kind,
        PageKind::Sitemap | PageKind::TallyIndex | PageKind::TallyYear(_) | PageKind::TallyXlsx(_)
    )
}

pub fn build(options: &BuildOptions) -> Result<Summary, Error> {
    let started = Instant::now();
    crate::emit::check_location(&options.root, &options.output)?;
    let cache_dir = options.root.join(layout::CACHE);
    // The inputs' stamps are taken before anything is read: a file saved while the build
    // reads it then differs from what the note says, and the next build is made.
    let (staging, inputs) = rayon::join(
        || Staging::create(&options.output, Some(&cache_dir)),
        || crate::load::fingerprint::inputs(&options.root),
    );
    let mut staging = staging?;
    let skipped = unchanged::unchanged(
        &cache_dir,
        &options.output,
        || staging.as_recorded(),
        inputs.as_ref(),
        &options.load,
    );
    if let Some(summary) = skipped {
        return Ok(Summary {
            elapsed: started.elapsed(),
            ..summary
        });
    }
    let store = Store::open(&options.root);
    let (site, theme) = prepare(&options.root, &options.load, Some(&store))?;
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
    // What a page is made from: its signature and its template's fingerprint.
    let page_key = |job: &PageJob, signature: u64| {
        let template = job.kind.template().and_then(|t| theme.fingerprints.get(t));
        let mut hasher = rustc_hash::FxHasher::default();
        (signature, template).hash(&mut hasher);
        hasher.finish().max(UNTRUSTED + 1)
    };
    let render_pages = || -> Result<usize, Error> {
        let order = in_render_order(jobs);
        if !staging.can_reuse() {
            // Nothing to compare with: every page rendered and signed in one go.
            renderer.render_each_signed(order, |job, signature, bytes| {
                staging.write_keyed(&output_file(&job.path), page_key(job, signature), &bytes)
            })?;
            return Ok(jobs.len());
        }
        // Pages made from what they were made from last time, still as datto left them,
        // are neither rendered nor read.
        let todo: Vec<(&PageJob, u64)> = order
            .into_par_iter()
            .map(|job| (job, page_key(job, renderer.signature(job))))
            .filter(|(job, key)| !staging.reuse(&output_file(&job.path), *key))
            .collect();
        let keys: rustc_hash::FxHashMap<&str, u64> = todo
            .iter()
            .map(|(job, key)| (job.path.as_str(), *key))
            .collect();
        renderer.render_each(todo.par_iter().map(|(job, _)| *job), |job, bytes| {
            let key = keys.get(job.path.as_str()).copied().unwrap_or(UNTRUSTED);
            staging.write_keyed(&output_file(&job.path), key, &bytes)
        })?;
        Ok(todo.len())
    };
    // While the pages render, the search index reads every body and the photos are made
    // (or found in the cache); the index's shards are written last.
    let cache = images::Cache::new(&site.root);
    let ((rendered, index), photos) = rayon::join(
        || {
            rayon::join(render_pages, || {
                index.index(|rel, bytes| staging.write(rel, bytes))
            })
        },
        || images::produce(&site.images.pictures, &cache),
    );
    let (rendered, photos) = Error::both(rendered, photos)?;
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
    let generation = staging.commit()?;
    store.save();
    let copied = site.files.len() + photos.len();
    // Cached files no photo of this build uses are removed (after the copy: a failed build
    // keeps them for the next try; skipped while another build uses the cache).
    cache.prune(photos).map_err(Error::Internal)?;
    let summary = Summary::of(&site, rendered, copied, started);
    unchanged::remember(
        &cache_dir,
        &options.output,
        generation,
        inputs.as_ref(),
        &site,
        &options.load,
        &summary,
    );
    Ok(summary)
}

/// Everything `build` validates, templates included; writes nothing.
pub fn check(root: &Path, load: &LoadOptions) -> Result<Summary, Error> {
    let started = Instant::now();
    let (site, theme) = prepare(root, load, None)?;
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
    Ok(Summary::of(&site, jobs.len(), site.files.len(), started))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assemble::tests::{options, sample_site};

    #[test]
    fn pages_that_list_the_whole_site_render_first() {
        let dir = tempfile::tempdir().unwrap();
        sample_site(dir.path());
        let site =
            crate::assemble::load(dir.path(), &options("2018-12-31T12:00:00+07:00")).unwrap();
        let order = in_render_order(&site.jobs);
        assert_eq!(order.len(), site.jobs.len(), "every page once");
        let whole_site = |j: &&PageJob| lists_whole_site(j.kind);
        let first_other = order.iter().position(|j| !whole_site(j)).unwrap();
        assert!(
            first_other >= 3,
            "sitemap, tally index, a year, its workbook"
        );
        assert!(order[first_other..].iter().all(|j| !whole_site(j)));
    }

    #[test]
    fn build_then_check_agree_and_a_second_build_writes_the_same_tree() {
        let dir = tempfile::tempdir().unwrap();
        sample_site(dir.path());
        let load = options("2018-12-31T12:00:00+07:00");
        let output = dir.path().join("public");
        let options = BuildOptions {
            root: dir.path().to_path_buf(),
            output: output.clone(),
            load: load.clone(),
        };
        let report = build(&options).unwrap();
        let checked = check(dir.path(), &load).unwrap();
        assert_eq!((report.pages, report.items), (checked.pages, checked.items));
        assert_eq!(report.items, 3);
        let page = std::fs::read_to_string(output.join("tin-bai/2018/a/index.html")).unwrap();
        assert!(page.contains("Đoạn đầu của A."));
        let snapshot = |dir: &Path| -> Vec<(std::path::PathBuf, Vec<u8>)> {
            walkdir::WalkDir::new(dir)
                .sort_by_file_name()
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file())
                .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
                .collect()
        };
        let first = snapshot(&output);
        build(&options).unwrap();
        assert_eq!(first, snapshot(&output));
    }
}
