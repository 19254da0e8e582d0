//! The content model: news items, model profiles and pages, as loaded from `content/`.
//!
//! Loading happens in two steps: [`inventory`] walks the folder and sorts files by role,
//! [`parse`] turns one Markdown file into a typed [`Item`], [`Profile`] or [`Page`].
//! Cross-file checks (duplicate URLs, links, images) belong to [`crate::model::site`].

pub mod featured;

use std::path::PathBuf;

use chrono::{DateTime, Datelike, FixedOffset};
use serde::Serialize;

use crate::base::diagnostics::Diagnostic;
use crate::base::layout::Section;
use crate::base::paths::LocalRef;
use crate::model::config::{ChannelId, KindId, UnitId};

/// `tin` (short news, the default) or `bai` (an article).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ItemType {
    #[default]
    Tin,
    Bai,
}

impl ItemType {
    pub fn label(self) -> &'static str {
        match self {
            ItemType::Tin => "Tin",
            ItemType::Bai => "Bài",
        }
    }
}

/// A tag as written on an item, with its slug (computed once: listings need it often).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagName {
    pub name: String,
    pub slug: String,
}

/// Where a page came from, and its Markdown body.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path as shown in errors, relative to the site root: `content/tin-bai/2018/a.md`.
    pub shown: PathBuf,
    /// Path relative to `content/`, slash-separated: `tin-bai/2018/a.md`.
    pub rel: String,
    /// The Markdown after the front matter: the file's own buffer with the front matter cut
    /// off (never copied), shared so that copying a parsed document ([`crate::assemble::bodies`]) does
    /// not copy its text.
    pub body: std::sync::Arc<String>,
    /// File line of the body's first line, to report link errors at the right place.
    pub body_line: usize,
    /// Hash of the whole file text.
    pub text_hash: u64,
}

impl Source {
    /// Folder of the source, relative to `content/`, with a trailing slash (or empty).
    pub fn dir(&self) -> &str {
        match self.rel.rfind('/') {
            Some(i) => &self.rel[..=i],
            None => "",
        }
    }

    /// True for `…/index.md`: a page bundle whose folder holds its assets.
    pub fn is_bundle(&self) -> bool {
        self.rel == "index.md" || self.rel.ends_with("/index.md")
    }
}

/// A cover image, as referenced in front matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub reference: LocalRef,
    pub alt: String,
    /// The front matter line, for a missing-file error.
    pub line: usize,
}

impl Image {
    /// The file as written, for messages.
    pub fn name(&self) -> &str {
        self.reference.written()
    }
}

/// A news item (tin or bài): the unit of the publicity targets.
#[derive(Debug, Clone)]
pub struct Item {
    pub source: Source,
    pub title: String,
    /// In the site timezone.
    pub date: DateTime<FixedOffset>,
    pub unit: UnitId,
    pub kind: ItemType,
    pub tags: Vec<TagName>,
    /// `summary:` as written (empty when none is: [`Body::summary`] then takes the body's
    /// first paragraph).
    pub written_summary: String,
    pub image: Option<Image>,
    pub author: Option<String>,
    pub channel: ChannelId,
    pub source_url: Option<String>,
    pub draft: bool,
    /// `featured:`: chosen by staff for the home page's lead and headlines.
    pub featured: featured::Featured,
    /// `scheduled: true`: a date more than a year ahead is meant (see [`Item::far_future`]).
    pub scheduled: bool,
    /// The front matter line of `date`, for errors about the date.
    pub date_line: usize,
    pub slug: String,
    pub extra: serde_json::Value,
}

impl Item {
    /// `tin-bai/YYYY/slug/`, YYYY being the year in the site timezone.
    pub fn path(&self) -> String {
        format!(
            "{}{}/{}/",
            Section::Items.prefix(),
            self.date.year(),
            self.slug
        )
    }

    /// A date more than a year after `now` is most likely a typo (`2062` for `2026`) that
    /// would hide the item as scheduled and leave it out of the tallies: an error, unless
    /// the front matter says `scheduled: true`.
    pub fn far_future(&self, now: &DateTime<FixedOffset>) -> Option<Diagnostic> {
        let limit = now.checked_add_signed(chrono::Duration::days(366))?;
        if self.scheduled || self.date <= limit {
            return None;
        }
        let written = self.date.format("%Y-%m-%d");
        let guess = self
            .date
            .with_year(now.year())
            .filter(|d| d <= &limit)
            .map(|d| format!("nếu gõ nhầm năm, ghi `date: {}`; ", d.format("%Y-%m-%d")))
            .unwrap_or_default();
        Some(
            Diagnostic::new(
                &self.source.shown,
                self.date_line,
                format!(
                    "ngày đăng `{written}` cách hôm nay hơn một năm; tin sẽ bị ẩn và không được đếm"
                ),
            )
            .with_hint(format!(
                "{guess}nếu thật sự hẹn đăng xa như vậy, thêm dòng `scheduled: true`"
            )),
        )
    }

    /// For the list of scheduled items that `build` and `check` print.
    pub fn scheduled_note(&self) -> Scheduled {
        Scheduled {
            shown: self.source.shown.clone(),
            title: self.title.clone(),
            date: self.date,
        }
    }
}

/// An item not published yet because its date is ahead: listed after a build or check so
/// that a year typo never hides an item silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduled {
    pub shown: PathBuf,
    pub title: String,
    pub date: DateTime<FixedOffset>,
}

impl std::fmt::Display for Scheduled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = self.shown.to_string_lossy().replace('\\', "/");
        write!(
            f,
            "{path}: {} {}: {}",
            crate::base::dates::format_vi(&self.date),
            self.date.format("%H:%M"),
            self.title
        )
    }
}

/// A model family, model, club or exemplary person (SPEC §3.2).
#[derive(Debug, Clone)]
pub struct Profile {
    pub source: Source,
    pub title: String,
    pub unit: UnitId,
    pub kind: KindId,
    pub year: Option<i32>,
    pub commune: Option<String>,
    pub criteria: Vec<String>,
    pub written_summary: String,
    pub image: Option<Image>,
    pub draft: bool,
    pub slug: String,
    pub extra: serde_json::Value,
}

impl Profile {
    pub fn path(&self) -> String {
        format!("{}{}/", Section::Profiles.prefix(), self.slug)
    }
}

/// A stand-alone page such as "Giới thiệu" (`/gioi-thieu/`).
#[derive(Debug, Clone)]
pub struct Page {
    pub source: Source,
    pub title: String,
    pub draft: bool,
    pub slug: String,
    pub extra: serde_json::Value,
}

impl Page {
    pub fn path(&self) -> String {
        format!("{}/", self.slug)
    }
}

/// A document with its Markdown rendered: what the assembled site holds and pages show.
/// The parsed document is kept without its Markdown (dropped once rendered).
#[derive(Debug, Clone)]
pub struct Rendered<T> {
    pub doc: T,
    pub body: Body,
}

impl<T> std::ops::Deref for Rendered<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.doc
    }
}

/// What rendering a document's Markdown gave.
#[derive(Debug, Clone, Default)]
pub struct Body {
    /// The body as HTML (raw HTML in Markdown is escaped).
    pub html: Html,
    /// `summary:` as written, else the start of the first paragraph.
    pub summary: String,
    /// True when `summary` was taken from the body (so the page need not repeat it).
    pub summary_is_auto: bool,
    /// Output path of the cover image's file (`anh/x.png`), when it has one.
    pub cover: Option<String>,
    /// Hash of everything the page shows of this file: its text and how its links and
    /// cover image resolved. `serve` compares it to know which pages changed.
    pub fingerprint: u64,
}

/// A body's HTML: in memory (`serve`, `check`), or — in a build — in the body store's file,
/// read by the page and the search index when each needs it (see `base::spill`).
#[derive(Debug, Clone)]
pub enum Html {
    Held(String),
    Spilled(crate::base::spill::Spilled),
}

impl Default for Html {
    fn default() -> Html {
        Html::Held(String::new())
    }
}

impl From<String> for Html {
    fn from(html: String) -> Html {
        Html::Held(html)
    }
}

impl Html {
    /// The HTML; reading a spilled body back can fail (the build then fails).
    pub fn text(&self) -> std::io::Result<std::borrow::Cow<'_, str>> {
        match self {
            Html::Held(html) => Ok(std::borrow::Cow::Borrowed(html)),
            Html::Spilled(spilled) => spilled.read().map(std::borrow::Cow::Owned),
        }
    }
}

/// As the HTML string, read when the page's context is made.
impl serde::Serialize for Html {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.text() {
            Ok(html) => serializer.serialize_str(&html),
            Err(e) => Err(serde::ser::Error::custom(format!(
                "không đọc lại được thân bài từ {}: {e}",
                crate::base::layout::CACHE
            ))),
        }
    }
}
