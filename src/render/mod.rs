//! Rendering: one planned page → its bytes, through the theme's Tera templates.
//!
//! The contract with templates is in [`context`]: `site`, `meta` and `page`, where `page`
//! holds only what that page shows.

pub mod chart;
pub mod context;
pub mod deps;
mod feeds;
pub mod partials;
pub mod select;
pub mod stats;
pub mod theme;

use serde::Serialize;
use tera::Tera;

use crate::base::diagnostics::Error;
use crate::model::config::UnitId;
use crate::model::plan::{self, PageJob, PageKind, page_count};
use crate::model::site::Site;
use context::{Builder, ItemCard, Link, Meta, ProfileCard};

pub struct Renderer<'a> {
    tera: &'a Tera,
    build: Builder<'a>,
    site_value: tera::Value,
    /// All planned pages; the sitemap lists them.
    jobs: &'a [PageJob],
    /// This year's tally, for the progress boxes of the home and unit pages.
    current: crate::tally::Tally,
}

#[derive(Serialize)]
struct ListPage<'a> {
    heading: String,
    items: Vec<&'a ItemCard>,
    pagination: context::Pagination,
}

#[derive(Serialize)]
struct UnitSummary {
    #[serde(flatten)]
    unit: context::UnitLink,
    item_count: usize,
    profile_count: usize,
    target: u32,
}

#[derive(Serialize)]
struct TagSummary {
    name: String,
    url: String,
    count: usize,
}

#[derive(Serialize)]
struct KindGroup {
    kind: context::KindLink,
    profiles: Vec<ProfileCard>,
}

impl<'a> Renderer<'a> {
    /// Starts a build: the theme's cached partials are forgotten.
    pub fn new(
        site: &'a Site,
        theme: &'a theme::Theme,
        jobs: &'a [PageJob],
    ) -> Result<Self, crate::base::diagnostics::Error> {
        let build = Builder::new(site);
        let site_value = tera::to_value(build.site_context()).map_err(anyhow::Error::from)?;
        theme.partials.start_build(site_value.clone());
        let tera = &theme.tera;
        let current = crate::tally::tally(
            &site.config,
            site.counted_items(),
            chrono::Datelike::year(&site.now),
            site.as_of(),
        );
        Ok(Renderer {
            tera,
            build,
            site_value,
            jobs,
            current,
        })
    }

    /// What the dependency signatures of this build share.
    pub fn globals(&self) -> deps::Globals {
        deps::Globals::new(self.site(), &self.site_value, &self.current)
    }

    fn site(&self) -> &'a Site {
        self.build.site
    }

    fn meta(&self, job: &PageJob, title: impl Into<String>, section: &'static str) -> Meta {
        Meta {
            title: title.into(),
            description: self.site().config.description.clone(),
            canonical: self.build.absolute(&job.path),
            og_type: "website",
            image: self.build.default_og(),
            section,
        }
    }

    /// Renders `job` with its template ([`PageKind::template`]).
    fn page<T: Serialize>(&self, job: &PageJob, meta: &Meta, page: &T) -> Result<Vec<u8>, Error> {
        let template = job.kind.template().unwrap_or_default();
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
                        &self.site().theme_dir.join("templates"),
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

    fn list(
        &self,
        job: &PageJob,
        indices: &[usize],
        first: &str,
        page: usize,
        heading: String,
        section: &'static str,
    ) -> Result<Vec<u8>, Error> {
        let per_page = self.site().config.per_page;
        let total = page_count(indices.len(), per_page);
        let shown = select::page_slice(indices, page, per_page);
        let title = if page > 1 {
            format!("{heading} – trang {page}")
        } else {
            heading.clone()
        };
        let list = ListPage {
            heading,
            items: self.build.item_cards(shown),
            pagination: self.build.pagination(first, page, total),
        };
        let meta = self.meta(job, title, section);
        match job.kind {
            PageKind::Unit { unit, page } => {
                self.page(job, &meta, &self.unit_page(unit, page, list))
            }
            PageKind::Tag { tag, .. } => {
                let tag = &self.site().tags[tag];
                #[derive(Serialize)]
                struct TagPage<'p> {
                    tag: context::TagLink,
                    #[serde(flatten)]
                    list: ListPage<'p>,
                }
                self.page(
                    job,
                    &meta,
                    &TagPage {
                        tag: self.build.tag(&tag.name, &tag.slug),
                        list,
                    },
                )
            }
            _ => self.page(job, &meta, &list),
        }
    }

    fn unit_page<'p>(&self, unit: UnitId, page: usize, list: ListPage<'p>) -> impl Serialize + 'p {
        #[derive(Serialize)]
        struct UnitPage<'p> {
            unit: context::UnitLink,
            target: u32,
            #[serde(flatten)]
            list: ListPage<'p>,
            /// Shown on the first page only.
            profiles: Vec<ProfileCard>,
            feed_url: String,
            progress: Option<stats::Progress>,
        }
        let site = self.site();
        let u = site.config.unit(unit);
        UnitPage {
            unit: self.build.unit(unit),
            target: u.target,
            list,
            profiles: if page == 1 {
                self.build.profile_cards(&site.profiles_by_unit[unit.0])
            } else {
                Vec::new()
            },
            feed_url: self
                .build
                .link(&format!("{}rss.xml", plan::unit_path(&u.slug))),
            progress: self.unit_progress(unit),
        }
    }

    /// `/tim-kiem/`: the form with its filters; the results come from `js/tim-kiem.js`.
    fn search_page(&self, job: &PageJob) -> Result<Vec<u8>, Error> {
        #[derive(Serialize)]
        struct Choice {
            value: String,
            label: String,
        }
        #[derive(Serialize)]
        struct SearchPage {
            /// Folder of the index files (root-relative, trailing slash).
            index_url: String,
            years: Vec<i32>,
            types: Vec<Choice>,
        }
        let page = SearchPage {
            index_url: self.build.link(crate::search::DIR),
            years: crate::search::years(self.site()),
            types: crate::search::DocType::ALL
                .iter()
                .map(|t| Choice {
                    value: t.code().to_string(),
                    label: t.label().to_string(),
                })
                .collect(),
        };
        let mut meta = self.meta(job, "Tìm kiếm", "tim-kiem");
        meta.description = format!(
            "Tìm tin bài, mô hình và trang trên {}",
            self.site().config.title
        );
        self.page(job, &meta, &page)
    }

    /// Renders one planned page.
    pub fn render(&self, job: &PageJob) -> Result<Vec<u8>, Error> {
        let site = self.site();
        let build = &self.build;
        match job.kind {
            PageKind::Home => {
                let chosen = select::home(site);
                let featured = select::featured_profiles(site);
                #[derive(Serialize)]
                struct Topic<'p> {
                    tag: context::TagLink,
                    items: Vec<&'p ItemCard>,
                }
                #[derive(Serialize)]
                struct Home<'p> {
                    lead: Option<&'p ItemCard>,
                    headlines: Vec<&'p ItemCard>,
                    latest: Vec<&'p ItemCard>,
                    topics: Vec<Topic<'p>>,
                    profiles: Vec<ProfileCard>,
                    progress: Option<stats::Progress>,
                }
                let home = Home {
                    progress: self.province_progress(),
                    lead: chosen.lead.map(|i| build.item_card(i)),
                    headlines: build.item_cards(&chosen.headlines),
                    latest: build.item_cards(&chosen.latest),
                    topics: chosen
                        .topics
                        .iter()
                        .map(|(tag, items)| Topic {
                            tag: build.tag(&site.tags[*tag].name, &site.tags[*tag].slug),
                            items: build.item_cards(items),
                        })
                        .collect(),
                    profiles: build.profile_cards(&featured),
                };
                let mut meta = self.meta(job, site.config.title.clone(), "home");
                meta.title = String::new();
                self.page(job, &meta, &home)
            }
            PageKind::ItemList { page } => self.list(
                job,
                &site.all_items,
                plan::ITEMS,
                page,
                "Tin bài".into(),
                "tin-bai",
            ),
            PageKind::Item(i) => {
                let item = &site.items[i];
                let related = select::related(site, i);
                let (newer, older) = select::neighbours(site, i);
                let link = |j: usize| Link {
                    title: site.items[j].title.clone(),
                    url: build.link(&site.items[j].path()),
                };
                #[derive(Serialize)]
                struct ItemPage<'i> {
                    item: context::ItemFull<'i>,
                    related: Vec<&'i ItemCard>,
                    newer: Option<Link>,
                    older: Option<Link>,
                    share: context::ShareLinks,
                }
                let page = ItemPage {
                    share: context::ShareLinks::new(&build.absolute(&job.path)),
                    item: build.item_full(i),
                    related: build.item_cards(&related),
                    newer: newer.map(link),
                    older: older.map(link),
                };
                let mut meta = self.meta(job, item.title.clone(), "tin-bai");
                meta.og_type = "article";
                if !item.body.summary.is_empty() {
                    meta.description = item.body.summary.clone();
                }
                if let Some(og) = build.item_card(i).image.as_ref().and_then(|c| c.og.clone()) {
                    meta.image = og;
                }
                self.page(job, &meta, &page)
            }
            PageKind::UnitIndex => {
                #[derive(Serialize)]
                struct Units {
                    units: Vec<UnitSummary>,
                }
                let units = site
                    .config
                    .unit_ids()
                    .map(|u| UnitSummary {
                        unit: build.unit(u),
                        item_count: site.items_by_unit[u.0].len(),
                        profile_count: site.profiles_by_unit[u.0].len(),
                        target: site.config.unit(u).target,
                    })
                    .collect();
                self.page(job, &self.meta(job, "Đơn vị", "don-vi"), &Units { units })
            }
            PageKind::Unit { unit, page } => {
                let u = site.config.unit(unit);
                self.list(
                    job,
                    &site.items_by_unit[unit.0],
                    &plan::unit_path(&u.slug),
                    page,
                    u.name.clone(),
                    "don-vi",
                )
            }
            PageKind::TagIndex => {
                #[derive(Serialize)]
                struct Tags {
                    tags: Vec<TagSummary>,
                }
                let tags = site
                    .tags
                    .iter()
                    .map(|t| TagSummary {
                        name: t.name.clone(),
                        url: build.link(&plan::tag_path(&t.slug)),
                        count: t.items.len(),
                    })
                    .collect();
                self.page(job, &self.meta(job, "Chủ đề", "chu-de"), &Tags { tags })
            }
            PageKind::Tag { tag, page } => {
                let t = &site.tags[tag];
                self.list(
                    job,
                    &t.items,
                    &plan::tag_path(&t.slug),
                    page,
                    format!("Chủ đề: {}", t.name),
                    "chu-de",
                )
            }
            PageKind::ProfileIndex => {
                #[derive(Serialize)]
                struct Profiles {
                    kinds: Vec<KindGroup>,
                    count: usize,
                }
                let kinds = (0..site.config.profile_kinds.len())
                    .map(|k| KindGroup {
                        kind: build.kind(crate::model::config::KindId(k)),
                        profiles: build.profile_cards(&site.profiles_by_kind[k]),
                    })
                    .collect();
                let page = Profiles {
                    kinds,
                    count: site.profiles.len(),
                };
                self.page(job, &self.meta(job, "Mô hình, điển hình", "mo-hinh"), &page)
            }
            PageKind::ProfileKind(kind) => {
                let group = KindGroup {
                    kind: build.kind(kind),
                    profiles: build.profile_cards(&site.profiles_by_kind[kind.0]),
                };
                let title = site.config.kind(kind).name.clone();
                self.page(job, &self.meta(job, title, "mo-hinh"), &group)
            }
            PageKind::Profile(i) => {
                let profile = &site.profiles[i];
                let same_kind = select::same_kind(site, i);
                #[derive(Serialize)]
                struct ProfilePage<'p> {
                    profile: context::ProfileFull<'p>,
                    same_kind: Vec<ProfileCard>,
                }
                let page = ProfilePage {
                    profile: context::ProfileFull {
                        card: build.profile_card(profile),
                        criteria: &profile.criteria,
                        content: &profile.body.html,
                        extra: &profile.extra,
                    },
                    same_kind: build.profile_cards(&same_kind),
                };
                let mut meta = self.meta(job, profile.title.clone(), "mo-hinh");
                meta.og_type = "article";
                if !profile.body.summary.is_empty() {
                    meta.description = profile.body.summary.clone();
                }
                if let Some(og) = build
                    .image(profile.image.as_ref(), profile.body.cover.as_deref())
                    .and_then(|c| c.og)
                {
                    meta.image = og;
                }
                self.page(job, &meta, &page)
            }
            PageKind::Page(i) => {
                let page = &site.pages[i];
                #[derive(Serialize)]
                struct PageContext<'p> {
                    title: &'p str,
                    url: String,
                    content: &'p str,
                    extra: &'p serde_json::Value,
                }
                let context = PageContext {
                    title: &page.title,
                    url: build.link(&page.path()),
                    content: &page.body.html,
                    extra: &page.extra,
                };
                self.page(job, &self.meta(job, page.title.clone(), "trang"), &context)
            }
            PageKind::NotFound => {
                let mut meta = self.meta(job, "Không tìm thấy trang", "");
                meta.canonical = build.absolute("404.html");
                self.page(job, &meta, &())
            }
            PageKind::Search => self.search_page(job),
            PageKind::Feed => self.site_feed(job),
            PageKind::UnitFeed(unit) => self.unit_feed(job, unit),
            PageKind::Sitemap => self.sitemap(job),
            PageKind::TallyIndex => self.tally_index(job),
            PageKind::TallyYear(year) => self.tally_year(job, year),
            PageKind::TallyCsv(year) => Ok(self.tally_csv(year)),
            PageKind::TallyJson(year) => Ok(self.tally_json(year)),
            PageKind::TallyXlsx(year) => self.tally_xlsx(year),
            PageKind::Robots => self.robots(job),
        }
    }
}
