//! What each kind of page shows: its `meta` and `page` values, described once and handed
//! to a [`Show`] (rendered by the theme, or hashed for `serve`).

use serde::Serialize;
use std::borrow::Cow;
use std::hash::Hash;

use super::context::{self, Card, Link, ProfileCard};
use super::stats::{self, Download};
use super::{Renderer, Show, select};
use crate::base::layout::Section;
use crate::model::config::UnitId;
use crate::model::plan::{self, PageJob, PageKind, page_count};

#[derive(Serialize, Hash)]
struct ListPage<'a> {
    heading: Cow<'a, str>,
    items: Vec<Card<'a>>,
    pagination: context::Pagination<'a>,
}

#[derive(Serialize, Hash)]
struct UnitSummary {
    #[serde(flatten)]
    unit: context::UnitLink,
    item_count: usize,
    profile_count: usize,
    target: u32,
}

#[derive(Serialize, Hash)]
struct TagSummary {
    name: String,
    url: String,
    count: usize,
}

#[derive(Serialize, Hash)]
struct KindGroup {
    kind: context::KindLink,
    profiles: Vec<ProfileCard>,
}

impl Renderer<'_> {
    #[allow(clippy::too_many_arguments)]
    fn list<'p, S: Show>(
        &'p self,
        job: &'p PageJob,
        indices: &[usize],
        first: &'p str,
        page: usize,
        heading: Cow<'p, str>,
        section: Section,
        show: S,
    ) -> S::Out {
        let per_page = self.site().config.per_page;
        let total = page_count(indices.len(), per_page);
        let shown = select::page_slice(indices, page, per_page);
        let title = if page > 1 {
            Cow::Owned(format!("{heading} – trang {page}"))
        } else {
            heading.clone()
        };
        let list = ListPage {
            heading,
            items: self.parts.cards(shown),
            pagination: self.parts.pagination(first, page, total),
        };
        let meta = self.meta(job, title, section);
        match job.kind {
            PageKind::Unit { unit, page } => show.page(&meta, &self.unit_page(unit, page, list)),
            PageKind::Tag { tag, .. } => {
                let tag = &self.site().tags[tag];
                #[derive(Serialize, Hash)]
                struct TagPage<'p> {
                    tag: context::TagLink,
                    #[serde(flatten)]
                    list: ListPage<'p>,
                }
                show.page(
                    &meta,
                    &TagPage {
                        tag: self.parts.tag(&tag.name, &tag.slug),
                        list,
                    },
                )
            }
            _ => show.page(&meta, &list),
        }
    }

    fn unit_page<'p>(
        &'p self,
        unit: UnitId,
        page: usize,
        list: ListPage<'p>,
    ) -> impl Serialize + Hash + 'p {
        #[derive(Serialize, Hash)]
        struct UnitPage<'p> {
            unit: context::UnitLink,
            target: u32,
            #[serde(flatten)]
            list: ListPage<'p>,
            /// Shown on the first page only.
            profiles: Vec<ProfileCard>,
            feed_url: context::Url<'p>,
            progress: Option<stats::Progress>,
        }
        let site = self.site();
        let u = site.config.unit(unit);
        UnitPage {
            unit: self.parts.unit(unit),
            target: u.target,
            list,
            profiles: if page == 1 {
                self.parts.profile_cards(&site.profiles_by_unit[unit.0])
            } else {
                Vec::new()
            },
            feed_url: self
                .parts
                .url(format!("{}rss.xml", plan::unit_path(&u.slug))),
            progress: self.unit_progress(unit),
        }
    }

    /// `/tim-kiem/`: the form with its filters; the results come from `js/tim-kiem.js`.
    fn search_page<S: Show>(&self, job: &PageJob, show: S) -> S::Out {
        #[derive(Serialize, Hash)]
        struct Choice {
            value: String,
            label: String,
        }
        #[derive(Serialize, Hash)]
        struct SearchPage {
            /// Folder of the index files (root-relative, trailing slash).
            index_url: String,
            years: Vec<i32>,
            types: Vec<Choice>,
        }
        let page = SearchPage {
            index_url: self.parts.link(crate::search::DIR),
            years: crate::search::years(self.site()),
            types: crate::search::DocType::ALL
                .iter()
                .map(|t| Choice {
                    value: t.code().to_string(),
                    label: t.label().to_string(),
                })
                .collect(),
        };
        let mut meta = self.meta(job, "Tìm kiếm", Section::Search);
        meta.description = Cow::Owned(format!(
            "Tìm tin bài, mô hình và trang trên {}",
            self.site().config.title
        ));
        show.page(&meta, &page)
    }

    /// What `job` shows, handed to `show`: the one description of every kind of page.
    pub(super) fn describe<S: Show>(&self, job: &PageJob, show: S) -> S::Out {
        let site = self.site();
        let parts = &self.parts;
        match job.kind {
            PageKind::Home => {
                let chosen = select::home(site);
                let featured = select::featured_profiles(site);
                #[derive(Serialize, Hash)]
                struct Topic<'p> {
                    tag: context::TagLink,
                    items: Vec<Card<'p>>,
                }
                #[derive(Serialize, Hash)]
                struct Home<'p> {
                    lead: Option<Card<'p>>,
                    headlines: Vec<Card<'p>>,
                    latest: Vec<Card<'p>>,
                    topics: Vec<Topic<'p>>,
                    profiles: Vec<ProfileCard>,
                    progress: Option<stats::Progress>,
                }
                let home = Home {
                    progress: self.province_progress(),
                    lead: chosen.lead.map(|i| parts.card(i)),
                    headlines: parts.cards(&chosen.headlines),
                    latest: parts.cards(&chosen.latest),
                    topics: chosen
                        .topics
                        .iter()
                        .map(|(tag, items)| Topic {
                            tag: parts.tag(&site.tags[*tag].name, &site.tags[*tag].slug),
                            items: parts.cards(items),
                        })
                        .collect(),
                    profiles: parts.profile_cards(&featured),
                };
                let meta = self.meta(job, "", Section::Home);
                show.page(&meta, &home)
            }
            PageKind::ItemList { page } => self.list(
                job,
                &site.all_items,
                plan::ITEMS,
                page,
                Cow::Borrowed("Tin bài"),
                Section::Items,
                show,
            ),
            PageKind::Item(i) => {
                let item = &site.items[i];
                let related = select::related(site, i);
                let (newer, older) = select::neighbours(site, i);
                #[derive(Serialize, Hash)]
                struct ItemPage<'i> {
                    item: context::ItemFull<'i>,
                    related: Vec<Card<'i>>,
                    newer: Option<Link<'i>>,
                    older: Option<Link<'i>>,
                    share: context::ShareLinks<'i>,
                }
                let page = ItemPage {
                    share: context::ShareLinks::new(parts.absolute_url(job.path.as_str())),
                    item: parts.item_full(i),
                    related: parts.cards(&related),
                    newer: newer.map(|j| parts.item_link(j)),
                    older: older.map(|j| parts.item_link(j)),
                };
                let mut meta = self.meta(job, item.title.as_str(), Section::Items);
                meta.og_type = "article";
                if !item.body.summary.is_empty() {
                    meta.description = Cow::Borrowed(&item.body.summary);
                }
                if let Some(og) = parts.og_image(item.image.as_ref(), item.body.cover.as_deref()) {
                    meta.image = og;
                }
                show.page(&meta, &page)
            }
            PageKind::UnitIndex => {
                #[derive(Serialize, Hash)]
                struct Units {
                    units: Vec<UnitSummary>,
                }
                let units = site
                    .config
                    .unit_ids()
                    .map(|u| UnitSummary {
                        unit: parts.unit(u),
                        item_count: site.items_by_unit[u.0].len(),
                        profile_count: site.profiles_by_unit[u.0].len(),
                        target: site.config.unit(u).target,
                    })
                    .collect();
                show.page(&self.meta(job, "Đơn vị", Section::Units), &Units { units })
            }
            PageKind::Unit { unit, page } => {
                let u = site.config.unit(unit);
                self.list(
                    job,
                    &site.items_by_unit[unit.0],
                    &plan::unit_path(&u.slug),
                    page,
                    Cow::Borrowed(&u.name),
                    Section::Units,
                    show,
                )
            }
            PageKind::TagIndex => {
                #[derive(Serialize, Hash)]
                struct Tags {
                    tags: Vec<TagSummary>,
                }
                let tags = site
                    .tags
                    .iter()
                    .map(|t| TagSummary {
                        name: t.name.clone(),
                        url: parts.link(&plan::tag_path(&t.slug)),
                        count: t.items.len(),
                    })
                    .collect();
                show.page(&self.meta(job, "Chủ đề", Section::Tags), &Tags { tags })
            }
            PageKind::Tag { tag, page } => {
                let t = &site.tags[tag];
                self.list(
                    job,
                    &t.items,
                    &plan::tag_path(&t.slug),
                    page,
                    Cow::Owned(format!("Chủ đề: {}", t.name)),
                    Section::Tags,
                    show,
                )
            }
            PageKind::ProfileIndex => {
                #[derive(Serialize, Hash)]
                struct Profiles {
                    kinds: Vec<KindGroup>,
                    count: usize,
                }
                let kinds = (0..site.config.profile_kinds.len())
                    .map(|k| KindGroup {
                        kind: parts.kind(crate::model::config::KindId(k)),
                        profiles: parts.profile_cards(&site.profiles_by_kind[k]),
                    })
                    .collect();
                let page = Profiles {
                    kinds,
                    count: site.profiles.len(),
                };
                show.page(
                    &self.meta(job, "Mô hình, điển hình", Section::Profiles),
                    &page,
                )
            }
            PageKind::ProfileKind(kind) => {
                let group = KindGroup {
                    kind: parts.kind(kind),
                    profiles: parts.profile_cards(&site.profiles_by_kind[kind.0]),
                };
                let title = site.config.kind(kind).name.as_str();
                show.page(&self.meta(job, title, Section::Profiles), &group)
            }
            PageKind::Profile(i) => {
                let profile = &site.profiles[i];
                let same_kind = select::same_kind(site, i);
                #[derive(Serialize, Hash)]
                struct ProfilePage<'p> {
                    profile: context::ProfileFull<'p>,
                    same_kind: Vec<ProfileCard>,
                }
                let page = ProfilePage {
                    profile: context::ProfileFull {
                        card: parts.profile_card(profile),
                        criteria: &profile.criteria,
                        content: &profile.body.html,
                        extra: &profile.extra,
                        fingerprint: profile.body.fingerprint,
                    },
                    same_kind: parts.profile_cards(&same_kind),
                };
                let mut meta = self.meta(job, profile.title.as_str(), Section::Profiles);
                meta.og_type = "article";
                if !profile.body.summary.is_empty() {
                    meta.description = Cow::Borrowed(&profile.body.summary);
                }
                if let Some(og) =
                    parts.og_image(profile.image.as_ref(), profile.body.cover.as_deref())
                {
                    meta.image = og;
                }
                show.page(&meta, &page)
            }
            PageKind::Page(i) => {
                let page = &site.pages[i];
                #[derive(Serialize)]
                struct PageContext<'p> {
                    title: &'p str,
                    url: context::Url<'p>,
                    content: &'p crate::model::content::Html,
                    extra: &'p serde_json::Value,
                    #[serde(skip)]
                    fingerprint: u64,
                }
                // The body and `extra` come from the page's file: its fingerprint stands
                // for them.
                impl Hash for PageContext<'_> {
                    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
                        (self.title, &self.url, self.fingerprint).hash(h);
                    }
                }
                let context = PageContext {
                    title: &page.title,
                    url: parts.url(job.path.as_str()),
                    content: &page.body.html,
                    extra: &page.extra,
                    fingerprint: page.body.fingerprint,
                };
                show.page(
                    &self.meta(job, page.title.as_str(), Section::Pages),
                    &context,
                )
            }
            PageKind::NotFound => {
                let mut meta = self.meta(job, "Không tìm thấy trang", Section::None);
                meta.canonical = parts.absolute_url("404.html");
                show.page(&meta, &())
            }
            PageKind::Search => self.search_page(job, show),
            PageKind::Feed => self.site_feed(job, show),
            PageKind::UnitFeed(unit) => self.unit_feed(job, unit, show),
            PageKind::Sitemap => self.sitemap(job, show),
            PageKind::TallyIndex => self.tally_index(job, show),
            PageKind::TallyYear(year) => self.tally_year(job, year, show),
            PageKind::TallyCsv(year) => self.tally_file(year, Download::Csv, show),
            PageKind::TallyJson(year) => self.tally_file(year, Download::Json, show),
            PageKind::TallyXlsx(year) => self.tally_file(year, Download::Xlsx, show),
            PageKind::Robots => self.robots(job, show),
        }
    }
}
