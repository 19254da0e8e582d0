//! Rendering: one planned page → its bytes, through the theme's Tera templates.
//!
//! What each kind of page shows is described once, in [`pages`]: a typed value per page
//! (`meta` and `page`, see [`context`]) handed to a [`Show`]. Rendering it ([`Renderer::render`])
//! and hashing it for `serve` ([`Renderer::signature`]) are the two `Show`s, so a page's
//! dependency signature cannot drift from what its template receives.

pub mod chart;
pub mod context;
mod feeds;
mod lazy;
mod pages;
pub mod partials;
mod parts;
pub mod select;
pub mod stats;
pub mod theme;

use rayon::prelude::*;
use rustc_hash::FxHasher;
use serde::Serialize;
use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use tera::Tera;

use crate::base::diagnostics::Error;
use crate::base::layout::Section;
use crate::model::plan::PageJob;
use crate::model::site::Site;
use context::{Meta, Parts};

pub struct Renderer<'a> {
    tera: &'a Tera,
    parts: Parts<'a>,
    site_value: tera::Value,
    /// A hash of `site_value`: part of every page's signature.
    site_hash: u64,
    /// The tally of each of `site.tally_years` (the current year's is in the progress boxes
    /// of the home and unit pages), counted when first needed.
    tallies: Vec<std::sync::OnceLock<crate::tally::Tally>>,
}

/// What is done with a page's description: render it, or hash it.
pub trait Show {
    type Out;
    /// A page made by its template ([`crate::model::plan::PageKind::template`]) from
    /// `meta` and `page`.
    fn page<P: Serialize + Hash>(self, meta: &Meta, page: &P) -> Self::Out;
    /// A file made by code (the tally downloads) from `data`.
    fn file<D: Hash>(self, data: &D, make: impl FnOnce(&D) -> Result<Vec<u8>, Error>) -> Self::Out;
}

impl<'a> Renderer<'a> {
    /// Starts a build: the theme's cached partials are forgotten.
    pub fn new(site: &'a Site, theme: &'a theme::Theme) -> Result<Self, Error> {
        let parts = Parts::new(site);
        let site_value = tera::to_value(parts.site_context())
            .map_err(|e| anyhow::anyhow!("lỗi nội bộ khi chuẩn bị giao diện: {e}"))?;
        let site_hash = {
            let json = serde_json::to_string(&site_value)
                .map_err(|e| anyhow::anyhow!("lỗi nội bộ khi chuẩn bị giao diện: {e}"))?;
            let mut h = FxHasher::default();
            json.hash(&mut h);
            h.finish()
        };
        theme.partials.start_build(site_value.clone());
        Ok(Renderer {
            tera: &theme.tera,
            parts,
            site_value,
            site_hash,
            tallies: site
                .tally_years
                .iter()
                .map(|_| Default::default())
                .collect(),
        })
    }

    fn site(&self) -> &'a Site {
        self.parts.site
    }

    /// Renders one planned page.
    pub fn render(&self, job: &PageJob) -> Result<Vec<u8>, Error> {
        self.describe(
            job,
            Render {
                renderer: self,
                job,
            },
        )
    }

    /// Renders `jobs` in parallel, handing each page's bytes to `each`: the loop `build`
    /// and `serve` share. Every template error of every page is collected; an internal
    /// error stops at once.
    pub fn render_each<'j, T: Send>(
        &self,
        jobs: impl IntoParallelIterator<Item = &'j PageJob>,
        each: impl Fn(&'j PageJob, Vec<u8>) -> anyhow::Result<T> + Sync + Send,
    ) -> Result<Vec<T>, Error> {
        collect_each(jobs, |job| {
            let bytes = self.render(job)?;
            each(job, bytes).map_err(Error::Internal)
        })
    }

    /// [`Renderer::render_each`], handing each page's [`Renderer::signature`] along (made
    /// from the same description, so signing costs little more than hashing it).
    pub fn render_each_signed<'j, T: Send>(
        &self,
        jobs: impl IntoParallelIterator<Item = &'j PageJob>,
        each: impl Fn(&'j PageJob, u64, Vec<u8>) -> anyhow::Result<T> + Sync + Send,
    ) -> Result<Vec<T>, Error> {
        collect_each(jobs, |job| {
            let (signature, bytes) = self.describe(
                job,
                SignAndRender {
                    sign: self.signer(job),
                    render: Render {
                        renderer: self,
                        job,
                    },
                },
            )?;
            each(job, signature, bytes).map_err(Error::Internal)
        })
    }

    /// The signature of one page: equal signatures mean byte-identical output (for one
    /// theme; the caller adds the template's fingerprint).
    pub fn signature(&self, job: &PageJob) -> u64 {
        self.describe(job, self.signer(job))
    }

    fn signer(&self, job: &PageJob) -> Sign {
        let mut hasher = FxHasher::default();
        (job, self.site_hash).hash(&mut hasher);
        Sign(hasher)
    }

    fn meta<'m>(
        &'m self,
        job: &'m PageJob,
        title: impl Into<Cow<'m, str>>,
        section: Section,
    ) -> Meta<'m> {
        Meta {
            title: title.into(),
            description: Cow::Borrowed(&self.site().config.description),
            canonical: self.parts.absolute_url(job.path.as_str()),
            og_type: "website",
            image: self.parts.default_og(),
            section,
        }
    }

    /// Renders `job` with its template from `meta` and `page`.
    fn template<T: Serialize>(
        &self,
        job: &PageJob,
        meta: &Meta,
        page: &T,
    ) -> Result<Vec<u8>, Error> {
        let Some(template) = job.kind.template() else {
            return Err(Error::Internal(anyhow::anyhow!(
                "lỗi nội bộ: trang {} không có mẫu",
                job.path
            )));
        };
        // Our own context types always serialise; a failure here is a bug, not a content error.
        let context = self
            .context(meta, page)
            .map_err(|e| anyhow::anyhow!("lỗi nội bộ khi chuẩn bị trang {}: {e}", job.path))?;
        // Straight into bytes: `Tera::render` would check the whole page is UTF-8 again.
        let mut out = Vec::with_capacity(32 * 1024);
        self.tera
            .render_to(template, &context, &mut out)
            .map_err(|e| {
                theme::template_error(
                    &crate::base::diagnostics::relative_to(
                        &self.site().root,
                        &self.site().theme_dir.join(crate::base::layout::TEMPLATES),
                    ),
                    &e,
                )
            })?;
        // An XML declaration must open the file: forgive a template's leading blank line.
        if template.ends_with(".xml") {
            let blank = out.iter().take_while(|b| b.is_ascii_whitespace()).count();
            out.drain(..blank);
        }
        Ok(out)
    }

    /// The variables of one page. Moved into Tera whole: `Context::insert` would serialize
    /// the shared `site` value again for every page instead of cloning it.
    fn context<T: Serialize>(&self, meta: &Meta, page: &T) -> tera::Result<tera::Context> {
        let mut variables = serde_json::Map::with_capacity(3);
        variables.insert("site".into(), self.site_value.clone());
        variables.insert("meta".into(), tera::to_value(meta)?);
        variables.insert("page".into(), tera::to_value(page)?);
        tera::Context::from_value(tera::Value::Object(variables))
    }
}

/// `make` for every page in parallel; every template error of every page is collected, an
/// internal error stops at once.
fn collect_each<'j, T: Send>(
    jobs: impl IntoParallelIterator<Item = &'j PageJob>,
    make: impl Fn(&'j PageJob) -> Result<T, Error> + Sync + Send,
) -> Result<Vec<T>, Error> {
    let results: Vec<Result<T, Error>> = jobs.into_par_iter().map(make).collect();
    let mut done = Vec::with_capacity(results.len());
    let mut problems = crate::base::diagnostics::Diagnostics::new();
    for result in results {
        match result {
            Ok(value) => done.push(value),
            Err(Error::Content(list)) => problems.extend(list),
            Err(internal) => return Err(internal),
        }
    }
    problems.into_result(done)
}

/// Rendering a page's description into its bytes.
struct Render<'r, 'a> {
    renderer: &'r Renderer<'a>,
    job: &'r PageJob,
}

impl Show for Render<'_, '_> {
    type Out = Result<Vec<u8>, Error>;

    fn page<P: Serialize + Hash>(self, meta: &Meta, page: &P) -> Self::Out {
        self.renderer.template(self.job, meta, page)
    }

    fn file<D: Hash>(self, data: &D, make: impl FnOnce(&D) -> Result<Vec<u8>, Error>) -> Self::Out {
        make(data)
    }
}

/// Hashing a page's description: what `serve` compares between rebuilds.
struct Sign(FxHasher);

impl Show for Sign {
    type Out = u64;

    fn page<P: Serialize + Hash>(mut self, meta: &Meta, page: &P) -> u64 {
        (meta, page).hash(&mut self.0);
        self.0.finish()
    }

    fn file<D: Hash>(mut self, data: &D, _: impl FnOnce(&D) -> Result<Vec<u8>, Error>) -> u64 {
        data.hash(&mut self.0);
        self.0.finish()
    }
}

/// Both from one description: a build that keeps a ledger of its output.
struct SignAndRender<'r, 'a> {
    sign: Sign,
    render: Render<'r, 'a>,
}

impl Show for SignAndRender<'_, '_> {
    type Out = Result<(u64, Vec<u8>), Error>;

    fn page<P: Serialize + Hash>(self, meta: &Meta, page: &P) -> Self::Out {
        let signature = self.sign.page(meta, page);
        Ok((signature, self.render.page(meta, page)?))
    }

    fn file<D: Hash>(self, data: &D, make: impl FnOnce(&D) -> Result<Vec<u8>, Error>) -> Self::Out {
        let signature = self.sign.file(data, |_: &D| Ok(Vec::new()));
        Ok((signature, make(data)?))
    }
}

#[cfg(test)]
mod tests;
