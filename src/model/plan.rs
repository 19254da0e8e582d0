//! The plan of the output: every page or file the site has, by kind, and the paths of the
//! sections (made by [`crate::assemble::plan`]).

use crate::base::layout::Section;
use crate::model::config::{KindId, UnitId};

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
        let index = match self {
            PageKind::Home => 0,
            PageKind::ItemList { .. } => 1,
            PageKind::Item(_) => 2,
            PageKind::UnitIndex => 3,
            PageKind::Unit { .. } => 4,
            PageKind::TagIndex => 5,
            PageKind::Tag { .. } => 6,
            PageKind::ProfileIndex => 7,
            PageKind::ProfileKind(_) => 8,
            PageKind::Profile(_) => 9,
            PageKind::Page(_) => 10,
            PageKind::NotFound => 11,
            PageKind::Feed | PageKind::UnitFeed(_) => 12,
            PageKind::Sitemap => 13,
            PageKind::Robots => 14,
            PageKind::TallyYear(_) => 15,
            PageKind::TallyIndex => 16,
            PageKind::Search => 17,
            PageKind::TallyCsv(_) | PageKind::TallyJson(_) | PageKind::TallyXlsx(_) => {
                return None;
            }
        };
        Some(TEMPLATES[index])
    }

    /// Listed in the sitemap: HTML pages a reader can land on. No wildcard: a new kind of
    /// page must say whether it belongs.
    pub fn in_sitemap(self) -> bool {
        match self {
            PageKind::Home
            | PageKind::ItemList { .. }
            | PageKind::Item(_)
            | PageKind::UnitIndex
            | PageKind::Unit { .. }
            | PageKind::TagIndex
            | PageKind::Tag { .. }
            | PageKind::ProfileIndex
            | PageKind::ProfileKind(_)
            | PageKind::Profile(_)
            | PageKind::Page(_)
            | PageKind::TallyIndex
            | PageKind::TallyYear(_) => true,
            PageKind::NotFound
            | PageKind::Feed
            | PageKind::UnitFeed(_)
            | PageKind::Sitemap
            | PageKind::Robots
            | PageKind::TallyCsv(_)
            | PageKind::TallyJson(_)
            | PageKind::TallyXlsx(_)
            // `noindex`: a results page is no page to land on from a search engine.
            | PageKind::Search => false,
        }
    }
}

/// The templates every theme must provide: one per kind of page ([`PageKind::template`]).
pub const TEMPLATES: [&str; 18] = [
    "index.html",
    "list.html",
    "item.html",
    "units.html",
    "unit.html",
    "tags.html",
    "tag.html",
    "profiles.html",
    "profile_kind.html",
    "profile.html",
    "page.html",
    "404.html",
    "rss.xml",
    "sitemap.xml",
    "robots.txt",
    "tally.html",
    "tally_index.html",
    "search.html",
];

/// Number of pages needed to show `count` entries `per_page` at a time (at least one).
pub fn page_count(count: usize, per_page: usize) -> usize {
    count.div_ceil(per_page.max(1)).max(1)
}

pub const ITEMS: &str = Section::Items.prefix();
pub const UNITS: &str = Section::Units.prefix();
pub const TAGS: &str = Section::Tags.prefix();
pub const PROFILES: &str = Section::Profiles.prefix();
pub const TALLIES: &str = Section::Tallies.prefix();
pub const SEARCH: &str = Section::Search.prefix();

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
