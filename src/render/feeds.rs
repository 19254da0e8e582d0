//! What machines read: RSS feeds (the site's and each unit's), the sitemap, robots.txt.
//! All with absolute URLs under `base_url`.

use serde::Serialize;

use super::lazy::Url;
use super::{Renderer, Show, select};
use crate::base::layout::Section;
use crate::base::urls::paginated;
use crate::model::config::UnitId;
use crate::model::plan::{self, PageJob, PageKind};

#[derive(Serialize, Hash)]
struct FeedEntry<'a> {
    title: &'a str,
    link: Url<'a>,
    pub_date: String,
    description: &'a str,
    category: &'a str,
}

impl Renderer<'_> {
    pub(super) fn site_feed<S: Show>(&self, job: &PageJob, show: S) -> S::Out {
        let site = self.site();
        self.feed(
            job,
            site.config.title.clone(),
            String::new(),
            &site.all_items,
            show,
        )
    }

    pub(super) fn unit_feed<S: Show>(&self, job: &PageJob, unit: UnitId, show: S) -> S::Out {
        let site = self.site();
        let u = site.config.unit(unit);
        let title = format!("{} – {}", site.config.title, u.name);
        self.feed(
            job,
            title,
            plan::unit_path(&u.slug),
            &site.items_by_unit[unit.0],
            show,
        )
    }

    fn feed<S: Show>(
        &self,
        job: &PageJob,
        title: String,
        home: String,
        indices: &[usize],
        show: S,
    ) -> S::Out {
        let site = self.site();
        let parts = &self.parts;
        let indices = select::feed(indices);
        let entries: Vec<FeedEntry> = indices
            .iter()
            .map(|&i| {
                let item = &site.items[i];
                FeedEntry {
                    title: &item.title,
                    link: parts.absolute_url(parts.item_path(i)),
                    pub_date: item.date.to_rfc2822(),
                    description: &item.body.summary,
                    category: &site.config.unit(item.unit).name,
                }
            })
            .collect();
        #[derive(Serialize, Hash)]
        struct Feed<'f> {
            title: String,
            link: Url<'f>,
            description: &'f str,
            feed_url: Url<'f>,
            last_build: Option<String>,
            entries: Vec<FeedEntry<'f>>,
        }
        let feed = Feed {
            title,
            link: parts.absolute_url(paginated(&home, 1)),
            description: &site.config.description,
            feed_url: parts.absolute_url(job.path.as_str()),
            last_build: indices.first().map(|&i| site.items[i].date.to_rfc2822()),
            entries,
        };
        show.page(&self.meta(job, "", Section::None), &feed)
    }

    pub(super) fn sitemap<S: Show>(&self, job: &PageJob, show: S) -> S::Out {
        #[derive(Serialize, Hash)]
        struct Entry<'s> {
            loc: Url<'s>,
            lastmod: Option<Day>,
        }
        #[derive(Serialize, Hash)]
        struct Sitemap<'s> {
            urls: Vec<Entry<'s>>,
        }
        let site = self.site();
        let urls: Vec<Entry> = site
            .jobs
            .iter()
            .filter(|j| j.kind.in_sitemap())
            .map(|j| Entry {
                loc: self.parts.absolute_url(j.path.as_str()),
                lastmod: match j.kind {
                    PageKind::Item(i) => Some(Day(site.items[i].date.date_naive())),
                    _ => None,
                },
            })
            .collect();
        show.page(&self.meta(job, "", Section::None), &Sitemap { urls })
    }

    pub(super) fn robots<S: Show>(&self, job: &PageJob, show: S) -> S::Out {
        #[derive(Serialize, Hash)]
        struct Robots<'r> {
            sitemap_url: Url<'r>,
        }
        let page = Robots {
            sitemap_url: self.parts.absolute_url("sitemap.xml"),
        };
        show.page(&self.meta(job, "", Section::None), &page)
    }
}

/// A day as a sitemap writes it (`2026-03-05`), formatted when serialised.
#[derive(Hash)]
struct Day(chrono::NaiveDate);

impl Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0.format("%Y-%m-%d"))
    }
}
