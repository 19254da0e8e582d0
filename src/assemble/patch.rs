//! `serve`'s shortcut after an edit that moves nothing: the edited documents' bodies are
//! rendered again and put in the place of their old versions in the last assembled site,
//! instead of assembling the whole site again (on 10,000 items, a quarter of a rebuild).
//!
//! Sound only when the result equals what [`super::assemble`] would make of the same
//! sources. What an assembled site is made of besides each document's own text and body:
//! which documents are published (drafts, dates against "now"), their order (dates, slugs,
//! content paths), the indexes (units, kinds, tags with their names), the pages' paths
//! (the plan, the claims, link targets) and the files of `content/` (assets, photos,
//! static files). [`patch`] applies an edit only when none of those can differ: the
//! caller does not call it after a `site.yaml` change or a rescan (a file or folder added
//! or removed), and it declines a document that is new, gone, failed to parse, not
//! published, or whose date, slug, unit, kind or tags changed; "now" may move only while
//! it publishes nothing new and stays in the same year. Anything declined is assembled in
//! full, which finds every problem as before.

use std::sync::Arc;

use chrono::Datelike;

use super::Kept;
use super::bodies::{BodyCache, Renderable};
use super::claims::Claims;
use super::links::Resolver;
use crate::assemble::bodies::Bodies;
use crate::load::sources::{Doc, Sources};
use crate::model::content::{Item, Page, Profile, Rendered};
use crate::model::site::{LoadOptions, Site};

/// Where an edited document is in the site, and its new version.
enum Edit<'s> {
    Item(usize, &'s Arc<Item>),
    Profile(usize, &'s Arc<Profile>),
    Page(usize, &'s Arc<Page>),
}

/// Applies the edits of the documents `changed` (paths relative to `content/`, already
/// re-parsed in `sources`) to `site` — the site [`super::assemble_keeping`] made from the
/// sources before those edits, with `kept` — and moves it to `options.now`. Returns false,
/// leaving `site` as it was, when the edits may change more than those documents' own
/// pages and cards show (see the module's documentation) or a body has a problem: the
/// caller then assembles in full.
pub fn patch(
    site: &mut Site,
    kept: &mut Kept,
    sources: &Sources,
    changed: &[String],
    options: &LoadOptions,
    bodies: &mut Bodies,
) -> bool {
    let now = options.now.with_timezone(&site.config.timezone);
    // Scheduled items are soonest first: the first one not due means none is.
    let releases = site.scheduled.first().is_some_and(|s| s.date <= now);
    if now < site.now || now.year() != site.now.year() || releases {
        return false;
    }
    let published = |draft: bool| options.drafts || !draft;
    let mut edits = Vec::with_capacity(changed.len());
    for rel in changed {
        let edit = match sources.doc(rel) {
            Some(Doc::Item(new)) => {
                let Some(at) = site.items.iter().position(|i| i.source.rel == *rel) else {
                    return false;
                };
                let old = &site.items[at].doc;
                let same = new.date == old.date
                    && new.slug == old.slug
                    && new.unit == old.unit
                    && new.tags == old.tags
                    && published(new.draft)
                    && new.far_future(&now).is_none();
                if !same {
                    return false;
                }
                Edit::Item(at, new)
            }
            Some(Doc::Profile(new)) => {
                let Some(at) = site.profiles.iter().position(|p| p.source.rel == *rel) else {
                    return false;
                };
                let old = &site.profiles[at].doc;
                let same = new.slug == old.slug
                    && new.unit == old.unit
                    && new.kind == old.kind
                    && published(new.draft);
                if !same {
                    return false;
                }
                Edit::Profile(at, new)
            }
            Some(Doc::Page(new)) => {
                let Some(at) = site.pages.iter().position(|p| p.source.rel == *rel) else {
                    return false;
                };
                let old = &site.pages[at].doc;
                if new.slug != old.slug || !published(new.draft) {
                    return false;
                }
                Edit::Page(at, new)
            }
            // Gone, failed to parse, or not a document at all.
            Some(Doc::Failed(..)) | None => return false,
        };
        edits.push(edit);
    }

    // The photos are the claims' while links resolve (`Resolver::picture`).
    std::mem::swap(&mut kept.claims.pictures, &mut site.images);
    let rendered = render(&edits, kept, bodies);
    std::mem::swap(&mut kept.claims.pictures, &mut site.images);
    let Some(rendered) = rendered else {
        return false;
    };
    for done in rendered {
        match done {
            Done::Item(at, doc) => site.items[at] = doc,
            Done::Profile(at, doc) => site.profiles[at] = doc,
            Done::Page(at, doc) => site.pages[at] = doc,
        }
    }
    site.now = now;
    true
}

enum Done {
    Item(usize, Arc<Rendered<Item>>),
    Profile(usize, Arc<Rendered<Profile>>),
    Page(usize, Arc<Rendered<Page>>),
}

/// The bodies of `edits`; `None` if any has a problem.
fn render(edits: &[Edit], kept: &Kept, bodies: &mut Bodies) -> Option<Vec<Done>> {
    let resolver = Resolver::again(&kept.claims, &kept.targets, kept.environment);
    let claims = &kept.claims;
    edits
        .iter()
        .map(|edit| match edit {
            Edit::Item(at, doc) => {
                one(&mut bodies.items, doc, claims, &resolver).map(|done| Done::Item(*at, done))
            }
            Edit::Profile(at, doc) => one(&mut bodies.profiles, doc, claims, &resolver)
                .map(|done| Done::Profile(*at, done)),
            Edit::Page(at, doc) => {
                one(&mut bodies.pages, doc, claims, &resolver).map(|done| Done::Page(*at, done))
            }
        })
        .collect()
}

fn one<T: Renderable>(
    cache: &mut BodyCache<T>,
    doc: &Arc<T>,
    claims: &Claims,
    resolver: &Resolver,
) -> Option<Arc<Rendered<T>>> {
    let (done, problems) = cache.render_changed(doc, claims, resolver);
    problems.is_empty().then_some(done)
}
