//! What machines read: RSS feeds (the site's and each unit's), the sitemap, robots.txt.
//! All with absolute URLs under `base_url`.

use serde::Serialize;

use super::{Renderer, Show, select};
use crate::base::layout::Section;
use crate::base::urls::paginated;
use crate::model::config::UnitId;
use crate::model::plan::{self, PageJob, PageKind};

#[derive(Serialize, Hash)]
struct FeedEntry {
    title: String,
    link: String,
    pub_date: String,
    description: String,
    category: String,
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
                    title: item.title.clone(),
                    link: parts.absolute(&item.path()),
                    pub_date: item.date.to_rfc2822(),
                    description: item.body.summary.clone(),
                    category: site.config.unit(item.unit).name.clone(),
                }
            })
            .collect();
        #[derive(Serialize, Hash)]
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
            link: parts.absolute(&paginated(&home, 1)),
            description: site.config.description.clone(),
            feed_url: parts.absolute(&job.path),
            last_build: indices.first().map(|&i| site.items[i].date.to_rfc2822()),
            entries,
        };
        show.page(&self.meta(job, "", Section::None), &feed)
    }

    pub(super) fn sitemap<S: Show>(&self, job: &PageJob, show: S) -> S::Out {
        #[derive(Serialize, Hash)]
        struct Entry {
            loc: String,
            lastmod: Option<String>,
        }
        #[derive(Serialize, Hash)]
        struct Sitemap {
            urls: Vec<Entry>,
        }
        let site = self.site();
        let urls: Vec<Entry> = site
            .jobs
            .iter()
            .filter(|j| j.kind.in_sitemap())
            .map(|j| Entry {
                loc: self.parts.absolute(&j.path),
                lastmod: match j.kind {
                    PageKind::Item(i) => Some(site.items[i].date.format("%Y-%m-%d").to_string()),
                    _ => None,
                },
            })
            .collect();
        show.page(&self.meta(job, "", Section::None), &Sitemap { urls })
    }

    pub(super) fn robots<S: Show>(&self, job: &PageJob, show: S) -> S::Out {
        #[derive(Serialize, Hash)]
        struct Robots {
            sitemap_url: String,
        }
        let page = Robots {
            sitemap_url: self.parts.absolute("sitemap.xml"),
        };
        show.page(&self.meta(job, "", Section::None), &page)
    }
}
