//! What templates receive. Each page gets `site` (small, the same everywhere), `meta` (title,
//! canonical URL, sharing data) and `page`: only the slice of content that page shows.
//! Templates never see the whole site, which keeps a 10,000-item build fast.

use serde::Serialize;
use std::borrow::Cow;

use crate::model::content::Html;

pub use super::lazy::{ShareLinks, Url};
pub use super::parts::{Card, Parts, date_context};
use crate::base::layout::Section;

/// The theme's sharing image for pages without a photo.
pub const DEFAULT_OG: &str = "img/chia-se.png";

#[derive(Serialize, Clone, Hash)]
pub struct Link<'a> {
    pub title: &'a str,
    pub url: Url<'a>,
}

#[derive(Serialize, Clone, Hash)]
pub struct NavLink {
    pub label: &'static str,
    pub url: String,
    /// Matches `meta.section` on the pages of that section, to mark the current one.
    pub section: Section,
}

#[derive(Serialize, Clone, Hash)]
pub struct UnitLink {
    pub slug: String,
    pub name: String,
    pub short: String,
    pub url: String,
}

#[derive(Serialize, Clone, Hash)]
pub struct KindLink {
    pub slug: String,
    pub name: String,
    pub url: String,
}

#[derive(Serialize, Clone, Hash)]
pub struct TagLink {
    pub name: String,
    pub url: String,
}

/// The same on every page; built once per build.
#[derive(Serialize)]
pub struct SiteContext {
    pub title: String,
    pub description: String,
    /// Absolute, with trailing slash: `https://host/phunu/`.
    pub base_url: String,
    /// Root-relative prefix of every link: `/` or `/phunu/`.
    pub root: String,
    pub language: String,
    /// The current year in the site timezone (build "now").
    pub year: i32,
    pub nav: Vec<NavLink>,
    pub units: Vec<UnitLink>,
    pub kinds: Vec<KindLink>,
    pub feed_url: String,
    /// The header's date line: the build day ("Thứ Ba, 01/12/2026"), so a build is
    /// byte-identical for one `SOURCE_DATE_EPOCH`, and a site built daily shows today.
    pub today: DateContext,
    /// `contact:` from `site.yaml`, for the footer.
    pub contact: crate::model::config::Contact,
    /// The "Liên hệ" page (`content/trang/lien-he.md`), when there is one.
    pub contact_url: Option<String>,
}

#[derive(Serialize, Hash)]
pub struct Meta<'a> {
    /// The page's own title; the layout appends the site title.
    pub title: Cow<'a, str>,
    pub description: Cow<'a, str>,
    /// Absolute URL of this page.
    pub canonical: Url<'a>,
    /// `website` or `article` (OpenGraph).
    pub og_type: &'static str,
    /// The sharing image: the page's photo, else the site's default.
    pub image: OgImage<'a>,
    /// `home`, `tin-bai`, `don-vi`, `chu-de`, `mo-hinh`, `thong-ke`, `trang`.
    pub section: Section,
}

#[derive(Serialize, Clone, Hash)]
pub struct DateContext {
    /// `2018-03-05T08:30:00+07:00`, for `<time datetime>`.
    pub iso: String,
    /// `Thứ Hai, 05/03/2018`.
    pub text: String,
    /// `05/03/2018`.
    pub short: String,
    pub year: i32,
}

#[derive(Serialize, Clone, Hash)]
pub struct ImageContext {
    /// The file as written (an SVG), or the JPEG fallback of a photo.
    pub url: String,
    pub alt: String,
    /// A photo's `src`, `srcset`, `width`, `height`, `large`, `thumb` (absent for an SVG).
    #[serde(flatten)]
    pub photo: Option<crate::images::Shown>,
}

/// `og:image` and its companions: a JPEG (Facebook and Zalo refuse SVG).
#[derive(Serialize, Clone, Hash)]
pub struct OgImage<'a> {
    /// Absolute URL.
    pub url: Url<'a>,
    pub width: u32,
    pub height: u32,
    pub alt: Cow<'a, str>,
}

/// A bundle photo the text does not show, in the gallery at the end of the page.
#[derive(Serialize, Clone, Hash)]
pub struct GalleryPhoto {
    #[serde(flatten)]
    pub photo: crate::images::Shown,
    pub alt: String,
    /// The file name, when it reads as a description (`Trao quà cho hội viên.jpg`).
    pub caption: Option<String>,
}

/// An item's gallery: the photos of its folder that the cover and the text do not show.
/// Which ones the text shows is found when the page is made (the text is read then); the
/// signature hashes the photos of the folder, and the text through the item's fingerprint.
pub struct Gallery<'a> {
    /// Each photo of the folder but the cover, with its caption.
    pub candidates: Vec<(crate::images::Shown, Option<String>)>,
    pub html: &'a Html,
    pub title: &'a str,
}

impl Gallery<'_> {
    /// The photos shown in the gallery, numbered among themselves.
    fn photos(&self, html: &str) -> Vec<GalleryPhoto> {
        // Shown in the text: its largest file is in the body's srcset or a link.
        let shown: Vec<_> = self
            .candidates
            .iter()
            .filter(|(photo, _)| !html.contains(&photo.large))
            .collect();
        let total = shown.len();
        shown
            .into_iter()
            .enumerate()
            .map(|(n, (photo, caption))| GalleryPhoto {
                photo: photo.clone(),
                alt: match caption {
                    Some(c) => c.clone(),
                    None => format!("Ảnh {}/{total}: {}", n + 1, self.title),
                },
                caption: caption.clone(),
            })
            .collect()
    }
}

impl Serialize for Gallery<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.candidates.is_empty() {
            return serializer.collect_seq(std::iter::empty::<GalleryPhoto>());
        }
        let html = self
            .html
            .text()
            .map_err(|e| serde::ser::Error::custom(format!("không đọc lại được thân bài: {e}")))?;
        serializer.collect_seq(self.photos(&html))
    }
}

impl std::hash::Hash for Gallery<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (&self.candidates, self.title).hash(h);
    }
}

/// An item in a list: what a listing, a home page block or "related items" shows.
#[derive(Serialize, Clone, Hash)]
pub struct ItemCard {
    pub title: String,
    pub url: String,
    pub date: DateContext,
    pub unit: UnitLink,
    /// `tin` or `bai`.
    #[serde(rename = "type")]
    pub kind: crate::model::content::ItemType,
    /// `Tin` or `Bài`.
    pub type_label: &'static str,
    pub summary: String,
    /// The summary is the body's first paragraph (no `summary:` was written).
    pub summary_is_auto: bool,
    pub image: Option<ImageContext>,
    pub tags: Vec<TagLink>,
}

#[derive(Serialize, Hash)]
pub struct ChannelContext<'a> {
    pub slug: &'a str,
    pub name: &'a str,
}

/// One item page: the card fields plus the body and the rest of the front matter.
#[derive(Serialize)]
pub struct ItemFull<'a> {
    #[serde(flatten)]
    pub card: Card<'a>,
    /// Body HTML (already safe: raw HTML in Markdown is escaped).
    pub content: &'a Html,
    pub author: Option<&'a str>,
    pub channel: ChannelContext<'a>,
    pub source_url: Option<&'a str>,
    pub extra: &'a serde_json::Value,
    pub gallery: Gallery<'a>,
    #[serde(skip)]
    pub fingerprint: u64,
}

/// The body, author, channel, source and `extra` all come from the item's file: its
/// fingerprint stands for them (the body's HTML is not hashed again for every page).
impl std::hash::Hash for ItemFull<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (&self.card, self.fingerprint, &self.channel, &self.gallery).hash(h);
    }
}

#[derive(Serialize, Clone, Hash)]
pub struct ProfileCard {
    pub title: String,
    pub url: String,
    pub unit: UnitLink,
    pub kind: KindLink,
    pub year: Option<i32>,
    pub commune: Option<String>,
    pub summary: String,
    pub summary_is_auto: bool,
    pub image: Option<ImageContext>,
}

#[derive(Serialize)]
pub struct ProfileFull<'a> {
    #[serde(flatten)]
    pub card: ProfileCard,
    pub criteria: &'a [String],
    pub content: &'a Html,
    pub extra: &'a serde_json::Value,
    #[serde(skip)]
    pub fingerprint: u64,
}

/// As for [`ItemFull`]: the fingerprint stands for what the file says.
impl std::hash::Hash for ProfileFull<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (&self.card, self.fingerprint).hash(h);
    }
}

#[derive(Serialize, Hash)]
pub struct PageNumber<'a> {
    pub number: usize,
    /// `None` for a gap: the template receives an empty string.
    #[serde(serialize_with = "url_or_empty")]
    pub url: Option<Url<'a>>,
    pub current: bool,
}

fn url_or_empty<S: serde::Serializer>(url: &Option<Url>, s: S) -> Result<S::Ok, S::Error> {
    match url {
        Some(url) => url.serialize(s),
        None => s.serialize_str(""),
    }
}

/// Pagination with a window of page numbers (never all 500 of a big archive).
#[derive(Serialize, Hash)]
pub struct Pagination<'a> {
    pub current: usize,
    pub total: usize,
    pub prev: Option<Url<'a>>,
    pub next: Option<Url<'a>>,
    /// Numbers to show; `number: 0` marks a gap ("…").
    pub pages: Vec<PageNumber<'a>>,
}
