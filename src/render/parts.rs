//! Making the context pieces of one build: links, cards, images, galleries, pagination.
//! Cheap per page; an item's card is made once, the first time a page shows it.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

use super::context::*;
use crate::base::dates::format_vi;
use crate::base::layout::{self, Section};
use crate::base::urls::url_for;
use crate::model::config::{KindId, UnitId};
use crate::model::content::{Image, Profile, Rendered};
use crate::model::plan::{PageKind, kind_path, tag_path, unit_path};
use crate::model::site::Site;

/// An item in a list, made when serialised: an incremental rebuild hashes the pages of
/// 10,000 items without making their cards, and renders only the few that changed.
#[derive(Clone, Copy)]
pub struct Card<'a> {
    parts: &'a Parts<'a>,
    index: usize,
}

impl Serialize for Card<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.parts.item_card(self.index).serialize(s)
    }
}

/// Everything an [`ItemCard`] is made from (see [`Parts::card_key`]).
impl std::hash::Hash for Card<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.parts.card_key(self.index).hash(h);
    }
}

/// Builds context pieces for one site; cheap per page.
pub struct Parts<'a> {
    pub site: &'a Site,
    units: Vec<UnitLink>,
    kinds: Vec<KindLink>,
    /// Each item's card, made the first time a page shows it: an item appears in four or
    /// five listings, and an incremental rebuild needs only the few its pages show. Boxed:
    /// 10,000 empty slots the size of a card cost more to set up than the cards used.
    cards: Vec<OnceLock<Box<ItemCard>>>,
    /// Each item's [`Parts::card_key`], made the first time a signature needs it (an item
    /// is in about eight pages' signatures: listings, tags, its neighbours' "related").
    card_keys: Vec<OnceLock<u64>>,
    /// Each item's page path, from the plan (not formatted again for every link to it).
    item_paths: Vec<&'a str>,
}

impl<'a> Parts<'a> {
    pub fn new(site: &'a Site) -> Self {
        let base = &site.config.base_url;
        let units = site
            .config
            .units
            .iter()
            .map(|u| UnitLink {
                slug: u.slug.clone(),
                name: u.name.clone(),
                short: u.short.clone(),
                url: base.link(&unit_path(&u.slug)),
            })
            .collect();
        let kinds = site
            .config
            .profile_kinds
            .iter()
            .map(|k| KindLink {
                slug: k.slug.clone(),
                name: k.name.clone(),
                url: base.link(&kind_path(&k.slug)),
            })
            .collect();
        let cards = (0..site.items.len()).map(|_| OnceLock::new()).collect();
        let card_keys = (0..site.items.len()).map(|_| OnceLock::new()).collect();
        let mut item_paths = vec![""; site.items.len()];
        for job in &site.jobs {
            if let PageKind::Item(i) = job.kind {
                item_paths[i] = job.path.as_str();
            }
        }
        Parts {
            site,
            units,
            kinds,
            cards,
            card_keys,
            item_paths,
        }
    }

    pub fn link(&self, path: &str) -> String {
        self.site.config.base_url.link(path)
    }

    pub fn absolute(&self, path: &str) -> String {
        self.site.config.base_url.absolute(path)
    }

    /// [`Parts::link`], made when serialised.
    pub fn url(&self, path: impl Into<Cow<'a, str>>) -> Url<'a> {
        Url::link(&self.site.config.base_url, path)
    }

    /// [`Parts::absolute`], made when serialised.
    pub fn absolute_url(&self, path: impl Into<Cow<'a, str>>) -> Url<'a> {
        Url::absolute(&self.site.config.base_url, path)
    }

    /// The page path of `site.items[index]` (`tin-bai/2026/slug/`).
    pub fn item_path(&self, index: usize) -> &'a str {
        self.item_paths[index]
    }

    /// A link to `site.items[index]`: its title and address.
    pub fn item_link(&self, index: usize) -> Link<'a> {
        Link {
            title: &self.site.items[index].title,
            url: self.url(self.item_path(index)),
        }
    }

    pub fn site_context(&self) -> SiteContext {
        let config = &self.site.config;
        let nav = [
            ("Trang chủ", Section::Home),
            ("Tin bài", Section::Items),
            ("Đơn vị", Section::Units),
            ("Mô hình", Section::Profiles),
            ("Thống kê", Section::Tallies),
            ("Giới thiệu", Section::Pages),
        ];
        let has_page = |slug: &str| self.site.pages.iter().any(|p| p.slug == slug);
        let nav =
            nav.into_iter()
                .filter_map(|(label, section)| {
                    let path = match section {
                        // The menu's one stand-alone page, when the site has it.
                        Section::Pages => has_page(layout::ABOUT_PAGE)
                            .then(|| format!("{}/", layout::ABOUT_PAGE))?,
                        // Without public tallies there is no /thong-ke/ to link to.
                        Section::Tallies if !config.tallies_public => return None,
                        _ => section.prefix().to_string(),
                    };
                    Some(NavLink {
                        label,
                        url: self.link(&path),
                        section,
                    })
                })
                .collect();
        SiteContext {
            title: config.title.clone(),
            description: config.description.clone(),
            base_url: config.base_url.to_string(),
            root: config.base_url.root().to_string(),
            language: config.language.clone(),
            year: chrono::Datelike::year(&self.site.now),
            nav,
            units: self.units.clone(),
            kinds: self.kinds.clone(),
            feed_url: self.link("rss.xml"),
            // The day only: `serve` moves "now" on every rebuild, and a time here would
            // make every page differ each time.
            today: DateContext {
                iso: self.site.now.format("%Y-%m-%d").to_string(),
                ..date_context(&self.site.now)
            },
            contact: config.contact.clone(),
            contact_url: self
                .site
                .pages
                .iter()
                .any(|p| p.slug == layout::CONTACT_PAGE)
                .then(|| self.link(&format!("{}/", layout::CONTACT_PAGE))),
        }
    }

    pub fn unit(&self, id: UnitId) -> UnitLink {
        self.units[id.0].clone()
    }

    pub fn kind(&self, id: KindId) -> KindLink {
        self.kinds[id.0].clone()
    }

    pub fn tag(&self, name: &str, slug: &str) -> TagLink {
        TagLink {
            name: name.to_string(),
            url: self.link(&tag_path(slug)),
        }
    }

    pub fn image(&self, image: Option<&Image>, cover: Option<&str>) -> Option<ImageContext> {
        let base = &self.site.config.base_url;
        let (i, path) = image.zip(cover)?;
        Some(match self.site.images.by_output(path) {
            Some(picture) => {
                let photo = picture.shown(|rel| url_for(base, rel));
                ImageContext {
                    url: photo.src.clone(),
                    alt: i.alt.clone(),
                    photo: Some(photo),
                }
            }
            None => ImageContext {
                url: url_for(base, path),
                alt: i.alt.clone(),
                photo: None,
            },
        })
    }

    /// The sharing image of a page whose photo is `image` (at `cover`, as resolved): its
    /// 1200×630 JPEG; `None` for an SVG or no photo.
    pub fn og_image(&self, image: Option<&'a Image>, cover: Option<&str>) -> Option<OgImage<'a>> {
        let (i, path) = image.zip(cover)?;
        let og = self.site.images.by_output(path)?.og();
        Some(OgImage {
            url: self.absolute_url(og.rel.as_str()),
            width: og.width,
            height: og.height,
            alt: Cow::Borrowed(&i.alt),
        })
    }

    /// The site's sharing image (`img/chia-se.png` of the theme, 1200×630).
    pub fn default_og(&self) -> OgImage<'a> {
        OgImage {
            url: self.absolute_url(DEFAULT_OG),
            width: crate::images::OG_SIZE.0,
            height: crate::images::OG_SIZE.1,
            alt: Cow::Borrowed(&self.site.config.title),
        }
    }

    /// Photos of the bundle of `source` that neither the cover nor the text shows (the
    /// text is read when the gallery is shown, see [`Gallery`]).
    pub fn gallery<'g>(
        &self,
        source: &crate::model::content::Source,
        html: &'g crate::model::content::Html,
        cover: Option<&str>,
        title: &'g str,
    ) -> Gallery<'g> {
        let mut candidates = Vec::new();
        if source.is_bundle() {
            let dir = crate::base::layout::content_dir(&self.site.root).join(source.dir());
            let base = &self.site.config.base_url;
            let cover = cover.and_then(|c| self.site.images.by_output(c));
            candidates = self
                .site
                .images
                .in_folder(&dir)
                .filter(|p| cover.is_none_or(|c| !std::sync::Arc::ptr_eq(c, p)))
                .map(|p| {
                    (
                        p.shown(|rel| url_for(base, rel)),
                        crate::images::caption_of(&p.source),
                    )
                })
                .collect();
        }
        Gallery {
            candidates,
            html,
            title,
        }
    }

    /// The card of `site.items[index]`.
    pub fn item_card(&self, index: usize) -> &ItemCard {
        self.cards[index].get_or_init(|| Box::new(self.make_item_card(index)))
    }

    /// Everything the card of `site.items[index]` is made from: the item's text and how its
    /// links and cover resolved (the fingerprint), its address, and the size of its cover
    /// photo. The unit and tag names come from `site.yaml`, a change of which re-renders
    /// every page.
    pub fn card_key(&self, index: usize) -> u64 {
        *self.card_keys[index].get_or_init(|| {
            let item = &self.site.items[index];
            let mut h = rustc_hash::FxHasher::default();
            (
                item.body.fingerprint,
                &item.source.rel,
                self.item_path(index),
            )
                .hash(&mut h);
            let cover = item.body.cover.as_deref();
            if let Some(picture) = cover.and_then(|c| self.site.images.by_output(c)) {
                (picture.width, picture.height).hash(&mut h);
            }
            h.finish()
        })
    }

    fn make_item_card(&self, index: usize) -> ItemCard {
        let item = &self.site.items[index];
        ItemCard {
            title: item.title.clone(),
            url: self.link(self.item_path(index)),
            date: date_context(&item.date),
            unit: self.unit(item.unit),
            kind: item.kind,
            type_label: item.kind.label(),
            summary: item.body.summary.clone(),
            summary_is_auto: item.body.summary_is_auto,
            image: self.image(item.image.as_ref(), item.body.cover.as_deref()),
            tags: item
                .tags
                .iter()
                .map(|t| self.tag(&t.name, &t.slug))
                .collect(),
        }
    }

    /// The cards of `site.items[i]` for each `i`, made when a template needs them.
    pub fn cards(&'a self, indices: &[usize]) -> Vec<Card<'a>> {
        indices.iter().map(|&i| self.card(i)).collect()
    }

    pub fn card(&'a self, index: usize) -> Card<'a> {
        Card { parts: self, index }
    }

    /// The page of `site.items[index]`.
    pub fn item_full(&'a self, index: usize) -> ItemFull<'a> {
        let item = &self.site.items[index];
        let channel = self.site.config.channel(item.channel);
        ItemFull {
            card: self.card(index),
            fingerprint: item.body.fingerprint,
            content: &item.body.html,
            author: item.author.as_deref(),
            channel: ChannelContext {
                slug: &channel.slug,
                name: &channel.name,
            },
            source_url: item.source_url.as_deref(),
            extra: &item.extra,
            gallery: self.gallery(
                &item.source,
                &item.body.html,
                item.body.cover.as_deref(),
                &item.title,
            ),
        }
    }

    pub fn profile_card(&self, profile: &Rendered<Profile>) -> ProfileCard {
        ProfileCard {
            title: profile.title.clone(),
            url: self.link(&profile.path()),
            unit: self.unit(profile.unit),
            kind: self.kind(profile.kind),
            year: profile.year,
            commune: profile.commune.clone(),
            summary: profile.body.summary.clone(),
            summary_is_auto: profile.body.summary_is_auto,
            image: self.image(profile.image.as_ref(), profile.body.cover.as_deref()),
        }
    }

    pub fn profile_cards(&self, indices: &[usize]) -> Vec<ProfileCard> {
        indices
            .iter()
            .map(|&i| self.profile_card(&self.site.profiles[i]))
            .collect()
    }

    pub fn pagination<'f>(&self, first: &'f str, current: usize, total: usize) -> Pagination<'f>
    where
        'a: 'f,
    {
        let url = |n: usize| Url::paged(&self.site.config.base_url, first, n);
        let mut pages = Vec::new();
        let mut last_shown = 0;
        for number in 1..=total {
            let near = number.abs_diff(current) <= 2;
            if number == 1 || number == total || near {
                if last_shown != 0 && number > last_shown + 1 {
                    pages.push(PageNumber {
                        number: 0,
                        url: None,
                        current: false,
                    });
                }
                pages.push(PageNumber {
                    number,
                    url: Some(url(number)),
                    current: number == current,
                });
                last_shown = number;
            } else if number > current + 2 {
                // Jump straight to the last page: the loop stays O(window), not O(total).
                if total > number {
                    pages.push(PageNumber {
                        number: 0,
                        url: None,
                        current: false,
                    });
                    pages.push(PageNumber {
                        number: total,
                        url: Some(url(total)),
                        current: false,
                    });
                }
                break;
            }
        }
        Pagination {
            current,
            total,
            prev: (current > 1).then(|| url(current - 1)),
            next: (current < total).then(|| url(current + 1)),
            pages,
        }
    }
}

pub fn date_context(date: &DateTime<FixedOffset>) -> DateContext {
    DateContext {
        iso: date.to_rfc3339(),
        text: format_vi(date),
        short: date.format("%d/%m/%Y").to_string(),
        year: chrono::Datelike::year(date),
    }
}
