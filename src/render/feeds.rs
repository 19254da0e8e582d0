//! What machines read: RSS feeds (the site's and each unit's), the sitemap, robots.txt.
//! All with absolute URLs under `base_url`.

use serde::Serialize;

use super::{Renderer, select};
use crate::base::diagnostics::Error;
use crate::base::urls::paginated;
use crate::model::config::UnitId;
use crate::model::plan::{self, PageJob, PageKind};

#[derive(Serialize)]
struct FeedEntry {
    title: String,
    link: String,
    pub_date: String,
    description: String,
    category: String,
}

impl Renderer<'_> {
    pub(super) fn site_feed(&self, job: &PageJob) -> Result<Vec<u8>, Error> {
        let site = self.site();
        self.feed(
            job,
            site.config.title.clone(),
            String::new(),
            &site.all_items,
        )
    }

    pub(super) fn unit_feed(&self, job: &PageJob, unit: UnitId) -> Result<Vec<u8>, Error> {
        let site = self.site();
        let u = site.config.unit(unit);
        let title = format!("{} – {}", site.config.title, u.name);
        self.feed(
            job,
            title,
            plan::unit_path(&u.slug),
            &site.items_by_unit[unit.0],
        )
    }

    fn feed(
        &self,
        job: &PageJob,
        title: String,
        home: String,
        indices: &[usize],
    ) -> Result<Vec<u8>, Error> {
        let site = self.site();
        let build = &self.build;
        let indices = select::feed(indices);
        let entries: Vec<FeedEntry> = indices
            .iter()
            .map(|&i| {
                let item = &site.items[i];
                FeedEntry {
                    title: item.title.clone(),
                    link: build.absolute(&item.path()),
                    pub_date: item.date.to_rfc2822(),
                    description: item.body.summary.clone(),
                    category: site.config.unit(item.unit).name.clone(),
                }
            })
            .collect();
        #[derive(Serialize)]
        struct Feed {
            title: String,
            link: String,
            description: String,
            feed_url: String,
            last_build: Option<String>,
            entries: Vec<FeedEntry>,
        }
        let feed = Feed {
            title,
            link: build.absolute(&paginated(&home, 1)),
            description: site.config.description.clone(),
            feed_url: build.absolute(&job.path),
            last_build: indices.first().map(|&i| site.items[i].date.to_rfc2822()),
            entries,
        };
        self.page(job, &self.meta(job, "", ""), &feed)
    }

    pub(super) fn sitemap(&self, job: &PageJob) -> Result<Vec<u8>, Error> {
        #[derive(Serialize)]
        struct Entry {
            loc: String,
            lastmod: Option<String>,
        }
        #[derive(Serialize)]
        struct Sitemap {
            urls: Vec<Entry>,
        }
        let site = self.site();
        let urls: Vec<Entry> = self
            .jobs
            .iter()
            .filter(|j| j.kind.in_sitemap())
            .map(|j| Entry {
                loc: self.build.absolute(&j.path),
                lastmod: match j.kind {
                    PageKind::Item(i) => Some(site.items[i].date.format("%Y-%m-%d").to_string()),
                    _ => None,
                },
            })
            .collect();
        self.page(job, &self.meta(job, "", ""), &Sitemap { urls })
    }

    pub(super) fn robots(&self, job: &PageJob) -> Result<Vec<u8>, Error> {
        #[derive(Serialize)]
        struct Robots {
            sitemap_url: String,
        }
        let page = Robots {
            sitemap_url: self.build.absolute("sitemap.xml"),
        };
        self.page(job, &self.meta(job, "", ""), &page)
    }
}
