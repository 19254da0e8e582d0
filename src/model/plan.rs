//! Which pages the site has, and at which paths: decided from the loaded content before any
//! page is rendered, so that links can be checked against it and collisions found early.

use crate::base::urls::paginated;
use crate::model::config::{KindId, UnitId};
use crate::model::site::Site;

/// One page or file of the output, without its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageKind {
    Home,
    /// Page `page` (1-based) of all items.
    ItemList {
        page: usize,
    },
    Item(usize),
    UnitIndex,
    Unit {
        unit: UnitId,
        page: usize,
    },
    TagIndex,
    Tag {
        tag: usize,
        page: usize,
    },
    ProfileIndex,
    ProfileKind(KindId),
    Profile(usize),
    Page(usize),
    NotFound,
    Feed,
    UnitFeed(UnitId),
    Sitemap,
    Robots,
    /// `/thong-ke/`: every year compared.
    TallyIndex,
    TallyYear(i32),
    TallyCsv(i32),
    TallyJson(i32),
    /// `/thong-ke/YYYY.xlsx`: the workbook of SPEC §13.
    TallyXlsx(i32),
    /// `/tim-kiem/`: the search page (its index files are written by [`crate::search`]).
    Search,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageJob {
    /// Page path: `tin-bai/`, `tin-bai/2018/hoi-nghi/`, `rss.xml`.
    pub path: String,
    pub kind: PageKind,
}

impl PageKind {
    /// The theme template that renders this page; `None` for the tally downloads, which
    /// are written by the tally code itself.
    pub fn template(self) -> Option<&'static str> {
        Some(match self {
            PageKind::Home => "index.html",
            PageKind::ItemList { .. } => "list.html",
            PageKind::Item(_) => "item.html",
            PageKind::UnitIndex => "units.html",
            PageKind::Unit { .. } => "unit.html",
            PageKind::TagIndex => "tags.html",
            PageKind::Tag { .. } => "tag.html",
            PageKind::ProfileIndex => "profiles.html",
            PageKind::ProfileKind(_) => "profile_kind.html",
            PageKind::Profile(_) => "profile.html",
            PageKind::Page(_) => "page.html",
            PageKind::NotFound => "404.html",
            PageKind::Feed | PageKind::UnitFeed(_) => "rss.xml",
            PageKind::Sitemap => "sitemap.xml",
            PageKind::Robots => "robots.txt",
            PageKind::TallyIndex => "tally_index.html",
            PageKind::TallyYear(_) => "tally.html",
            PageKind::Search => "search.html",
            PageKind::TallyCsv(_) | PageKind::TallyJson(_) | PageKind::TallyXlsx(_) => {
                return None;
            }
        })
    }

    /// Listed in the sitemap: HTML pages a reader can land on.
    pub fn in_sitemap(self) -> bool {
        !matches!(
            self,
            PageKind::NotFound
                | PageKind::Feed
                | PageKind::UnitFeed(_)
                | PageKind::Sitemap
                | PageKind::Robots
                | PageKind::TallyCsv(_)
                | PageKind::TallyJson(_)
                | PageKind::TallyXlsx(_)
                // `noindex`: a results page is no page to land on from a search engine.
                | PageKind::Search
        )
    }
}

/// Number of pages needed to show `count` entries `per_page` at a time (at least one).
pub fn page_count(count: usize, per_page: usize) -> usize {
    count.div_ceil(per_page.max(1)).max(1)
}

pub const ITEMS: &str = "tin-bai/";
pub const UNITS: &str = "don-vi/";
pub const TAGS: &str = "chu-de/";
pub const PROFILES: &str = "mo-hinh/";
pub const TALLIES: &str = "thong-ke/";
pub const SEARCH: &str = crate::search::DIR;

pub fn tally_path(year: i32) -> String {
    format!("{TALLIES}{year}/")
}

pub fn unit_path(slug: &str) -> String {
    format!("{UNITS}{slug}/")
}

pub fn tag_path(slug: &str) -> String {
    format!("{TAGS}{slug}/")
}

pub fn kind_path(slug: &str) -> String {
    format!("{PROFILES}loai/{slug}/")
}

/// Every page of the site, in a stable order.
pub fn plan(site: &Site) -> Vec<PageJob> {
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
        for year in site.tally_years() {
            push(tally_path(year), PageKind::TallyYear(year));
            push(format!("{TALLIES}{year}.csv"), PageKind::TallyCsv(year));
            push(format!("{TALLIES}{year}.json"), PageKind::TallyJson(year));
            push(format!("{TALLIES}{year}.xlsx"), PageKind::TallyXlsx(year));
        }
    }
    push(SEARCH.to_string(), PageKind::Search);
    push("404.html".into(), PageKind::NotFound);
    push("rss.xml".into(), PageKind::Feed);
    push("sitemap.xml".into(), PageKind::Sitemap);
    push("robots.txt".into(), PageKind::Robots);
    jobs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_counts() {
        let cases = [
            (0, 20, 1),
            (1, 20, 1),
            (20, 20, 1),
            (21, 20, 2),
            (100, 20, 5),
            (5, 0, 5),
        ];
        for (count, per_page, expected) in cases {
            assert_eq!(page_count(count, per_page), expected, "{count}/{per_page}");
        }
    }
}
