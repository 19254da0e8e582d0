//! The assembled site: content parsed, filtered for this build, sorted, indexed, placed
//! and rendered to HTML, with the plan of its pages. Built in one go by
//! [`crate::assemble`]; every later stage only reads it.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};

use crate::base::urls::BaseUrl;
use crate::model::config::Config;
use crate::model::content::{Item, Page, Profile, Rendered, Scheduled};
use crate::model::plan::PageJob;

/// Choices made on the command line for one build.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub drafts: bool,
    pub future: bool,
    /// "Now" for scheduled items and the current year: the clock or `SOURCE_DATE_EPOCH`.
    pub now: DateTime<Utc>,
    /// Overrides `base_url` from `site.yaml` (`--base-url`, and `serve`).
    pub base_url: Option<BaseUrl>,
    /// A private preview (`serve`): shows the tallies that `tallies: { public: false }`
    /// keeps out of the published site.
    pub preview: bool,
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
    /// Items published in this build, newest first.
    pub items: Vec<Arc<Rendered<Item>>>,
    /// By slug.
    pub profiles: Vec<Arc<Rendered<Profile>>>,
    /// By slug.
    pub pages: Vec<Arc<Rendered<Page>>>,
    pub tags: Vec<Tag>,
    /// `0..items.len()`: every item, newest first, in the shape of the other indexes, so
    /// that the all-items listing and feed share their code with the per-unit ones.
    pub all_items: Vec<usize>,
    pub items_by_unit: Vec<Vec<usize>>,
    pub profiles_by_unit: Vec<Vec<usize>>,
    pub profiles_by_kind: Vec<Vec<usize>>,
    pub files: Vec<FileCopy>,
    /// Photos, published as derived files only ([`crate::images`]).
    pub images: crate::images::Catalog,
    pub theme_dir: PathBuf,
    /// Every page of this build, decided before any is rendered.
    pub jobs: Vec<PageJob>,
    /// Years with a tally page: every year with a counted item, and the current year.
    pub tally_years: Vec<i32>,
    /// Items not published yet because of their date, soonest first.
    pub scheduled: Vec<Scheduled>,
}

impl Site {
    /// The day tallies are counted to in this build: today in the site timezone.
    pub fn as_of(&self) -> chrono::NaiveDate {
        self.now.date_naive()
    }

    /// Until when this build's pages stay the same if nothing else changes: the next
    /// midnight in the site timezone (today's date and the tallies' day, [`Site::as_of`]),
    /// the next scheduled item, the next end of a `featured:` period. Every use of `now`
    /// in making pages must be bounded here: `build` skips a build over its own output,
    /// with the same inputs, only before this moment.
    pub fn stable_until(&self) -> DateTime<FixedOffset> {
        let midnight = self
            .as_of()
            .succ_opt()
            .and_then(|day| day.and_hms_opt(0, 0, 0))
            .and_then(|t| t.and_local_timezone(*self.now.offset()).single());
        let scheduled = self.scheduled.iter().map(|s| s.date);
        let featured = self.items.iter().filter_map(|item| match item.featured {
            crate::model::content::featured::Featured::Until(end) => Some(end),
            _ => None,
        });
        midnight
            .into_iter()
            .chain(scheduled)
            .chain(featured)
            .filter(|moment| *moment > self.now)
            .min()
            // No midnight (the year 262143): nothing is stable.
            .unwrap_or(self.now)
    }

    /// The items the tallies count from: those published in this build (the tally itself
    /// leaves out drafts, which `--drafts` publishes).
    pub fn counted_items(&self) -> impl Iterator<Item = &Item> + Clone {
        self.items.iter().map(|item| &item.doc)
    }

    pub fn jobs(&self) -> &[PageJob] {
        &self.jobs
    }
}
