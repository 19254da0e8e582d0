//! Which pages the site has, and at which paths: decided from the selected content before
//! any page is rendered, so that links can be checked against it and collisions found early.

use super::Selection;
use crate::base::urls::paginated;
use crate::model::config::KindId;
use crate::model::plan::*;

/// Every page of the site, in a stable order.
pub fn plan(site: &Selection) -> Vec<PageJob> {
    let per_page = site.config.per_page;
    let mut jobs = Vec::new();
    let mut push = |path: String, kind: PageKind| jobs.push(PageJob { path, kind });

    push(String::new(), PageKind::Home);
    for page in 1..=page_count(site.items.len(), per_page) {
        push(paginated(ITEMS, page), PageKind::ItemList { page });
    }
    for (i, item) in site.items.iter().enumerate() {
        push(item.path(), PageKind::Item(i));
    }
    push(UNITS.to_string(), PageKind::UnitIndex);
    for unit in site.config.unit_ids() {
        let first = unit_path(&site.config.unit(unit).slug);
        for page in 1..=page_count(site.items_by_unit[unit.0].len(), per_page) {
            push(paginated(&first, page), PageKind::Unit { unit, page });
        }
        push(format!("{first}rss.xml"), PageKind::UnitFeed(unit));
    }
    push(TAGS.to_string(), PageKind::TagIndex);
    for (t, tag) in site.tags.iter().enumerate() {
        let first = tag_path(&tag.slug);
        for page in 1..=page_count(tag.items.len(), per_page) {
            push(paginated(&first, page), PageKind::Tag { tag: t, page });
        }
    }
    push(PROFILES.to_string(), PageKind::ProfileIndex);
    for (k, kind) in site.config.profile_kinds.iter().enumerate() {
        push(kind_path(&kind.slug), PageKind::ProfileKind(KindId(k)));
    }
    for (i, profile) in site.profiles.iter().enumerate() {
        push(profile.path(), PageKind::Profile(i));
    }
    for (i, page) in site.pages.iter().enumerate() {
        push(page.path(), PageKind::Page(i));
    }
    // `tallies: { public: false }` keeps them out of the published site (not of `serve`).
    if site.config.tallies_public {
        push(TALLIES.to_string(), PageKind::TallyIndex);
        for year in &site.tally_years {
            let year = *year;
            push(tally_path(year), PageKind::TallyYear(year));
            push(format!("{TALLIES}{year}.csv"), PageKind::TallyCsv(year));
            push(format!("{TALLIES}{year}.json"), PageKind::TallyJson(year));
            push(format!("{TALLIES}{year}.xlsx"), PageKind::TallyXlsx(year));
        }
    }
    push(SEARCH.to_string(), PageKind::Search);
    push(
        crate::base::layout::NOT_FOUND_PAGE.into(),
        PageKind::NotFound,
    );
    push("rss.xml".into(), PageKind::Feed);
    push("sitemap.xml".into(), PageKind::Sitemap);
    push("robots.txt".into(), PageKind::Robots);
    jobs
}
