//! Dependency signatures: for each planned page, a hash of everything its output is made
//! from. Between two rebuilds of `serve`, a page whose signature did not change is not
//! rendered again. The selections come from [`super::select`], as in the renderer.

use rustc_hash::FxHasher;
use std::hash::{Hash, Hasher};

use super::select;
use crate::model::plan::{PageJob, PageKind, page_count};
use crate::model::site::Site;
use crate::tally::{self, Tally};

/// What many pages share: the site context, this year's tally, the tally years.
pub struct Globals {
    site: u64,
    current_tally: u64,
    years: Vec<i32>,
    kinds: u64,
}

fn hash_json<T: serde::Serialize>(value: &T) -> u64 {
    let mut hasher = FxHasher::default();
    serde_json::to_string(value)
        .unwrap_or_default()
        .hash(&mut hasher);
    hasher.finish()
}

impl Globals {
    pub fn new(site: &Site, site_context: &impl serde::Serialize, current: &Tally) -> Globals {
        Globals {
            site: hash_json(site_context),
            current_tally: hash_json(current),
            years: site.tally_years.clone(),
            kinds: hash_json(&tally::kind_progress(
                &site.config,
                site.profiles.iter().map(|p| &p.doc),
            )),
        }
    }
}

/// The hash of a year's tally at this build's `as_of`, channels and last items included.
fn tally_of(site: &Site, year: i32) -> u64 {
    let mut h = FxHasher::default();
    tally::tally(&site.config, site.counted_items(), year, site.as_of()).hash(&mut h);
    h.finish()
}

/// An item as other pages show it: its text (the fingerprint) and its address, which a
/// renamed or moved file changes without changing its text.
fn items(site: &Site, indices: &[usize], h: &mut FxHasher) {
    for &i in indices {
        let item = &site.items[i];
        (item.body.fingerprint, &item.source.rel, &item.slug).hash(h);
    }
}

fn profiles(site: &Site, indices: &[usize], h: &mut FxHasher) {
    for &i in indices {
        let profile = &site.profiles[i];
        (profile.body.fingerprint, &profile.source.rel, &profile.slug).hash(h);
    }
}

fn listing(site: &Site, indices: &[usize], page: usize, h: &mut FxHasher) {
    let per_page = site.config.per_page;
    page_count(indices.len(), per_page).hash(h);
    items(site, select::page_slice(indices, page, per_page), h);
}

/// The signature of one page: equal signatures mean byte-identical output.
pub fn signature(site: &Site, job: &PageJob, globals: &Globals, jobs: &[PageJob]) -> u64 {
    let mut h = FxHasher::default();
    job.hash(&mut h);
    globals.site.hash(&mut h);
    match job.kind {
        PageKind::Home => {
            // What is featured changes the choice: hash the choice, not only the items.
            let chosen = select::home(site);
            for part in [chosen.lead.as_slice(), &chosen.headlines, &chosen.latest] {
                part.len().hash(&mut h);
                items(site, part, &mut h);
            }
            for (tag, shown) in &chosen.topics {
                (&site.tags[*tag].name, &site.tags[*tag].slug, shown.len()).hash(&mut h);
                items(site, shown, &mut h);
            }
            profiles(site, &select::featured_profiles(site), &mut h);
            globals.current_tally.hash(&mut h);
        }
        PageKind::ItemList { page } => {
            listing(site, &site.all_items, page, &mut h);
        }
        PageKind::Item(i) => {
            items(site, &[i], &mut h);
            // The gallery: the photos of the item's bundle, with their sizes.
            let source = &site.items[i].source;
            if source.is_bundle() {
                let dir = crate::base::layout::content_dir(&site.root).join(source.dir());
                for picture in site.images.in_folder(&dir) {
                    (&picture.source, picture.width, picture.height).hash(&mut h);
                }
            }
            items(site, &select::related(site, i), &mut h);
            let (newer, older) = select::neighbours(site, i);
            items(site, newer.as_slice(), &mut h);
            items(site, older.as_slice(), &mut h);
        }
        PageKind::UnitIndex => {
            site.items_by_unit
                .iter()
                .map(Vec::len)
                .for_each(|n| n.hash(&mut h));
            site.profiles_by_unit
                .iter()
                .map(Vec::len)
                .for_each(|n| n.hash(&mut h));
        }
        PageKind::Unit { unit, page } => {
            listing(site, &site.items_by_unit[unit.0], page, &mut h);
            if page == 1 {
                profiles(site, &site.profiles_by_unit[unit.0], &mut h);
            }
            globals.current_tally.hash(&mut h);
        }
        PageKind::TagIndex => {
            for tag in &site.tags {
                (&tag.slug, &tag.name, tag.items.len()).hash(&mut h);
            }
        }
        PageKind::Tag { tag, page } => {
            site.tags[tag].name.hash(&mut h);
            listing(site, &site.tags[tag].items, page, &mut h);
        }
        PageKind::ProfileIndex => {
            for group in &site.profiles_by_kind {
                profiles(site, group, &mut h);
            }
        }
        PageKind::ProfileKind(kind) => profiles(site, &site.profiles_by_kind[kind.0], &mut h),
        PageKind::Profile(i) => {
            profiles(site, &[i], &mut h);
            profiles(site, &select::same_kind(site, i), &mut h);
        }
        PageKind::Page(i) => site.pages[i].body.fingerprint.hash(&mut h),
        PageKind::NotFound | PageKind::Robots => {}
        PageKind::Search => crate::search::years(site).hash(&mut h),
        PageKind::Feed => {
            items(site, select::feed(&site.all_items), &mut h);
        }
        PageKind::UnitFeed(unit) => items(site, select::feed(&site.items_by_unit[unit.0]), &mut h),
        PageKind::Sitemap => {
            for other in jobs.iter().filter(|j| j.kind.in_sitemap()) {
                other.path.hash(&mut h);
                if let PageKind::Item(i) = other.kind {
                    site.items[i].date.hash(&mut h);
                }
            }
        }
        PageKind::TallyIndex => {
            (&globals.years, globals.kinds).hash(&mut h);
            for &year in &globals.years {
                tally_of(site, year).hash(&mut h);
            }
        }
        PageKind::TallyYear(year) | PageKind::TallyCsv(year) | PageKind::TallyJson(year) => {
            (&globals.years, globals.kinds).hash(&mut h);
            tally_of(site, year).hash(&mut h);
        }
        PageKind::TallyXlsx(year) => {
            (&globals.years, globals.kinds).hash(&mut h);
            tally_of(site, year).hash(&mut h);
            // The list sheet shows each counted item's title, channel and URL.
            let period = tally::Period::year(year);
            for item in site.counted_items() {
                if tally::counts_in(item, &period, site.as_of()) {
                    tally::xlsx::listed_fields(item, &mut h);
                }
            }
        }
    }
    h.finish()
}
