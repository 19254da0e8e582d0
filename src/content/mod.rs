//! The content model: news items, model profiles and pages, as loaded from `content/`.
//!
//! Loading happens in two steps: [`inventory`] walks the folder and sorts files by role,
//! [`parse`] turns one Markdown file into a typed [`Item`], [`Profile`] or [`Page`].
//! Cross-file checks (duplicate URLs, links, images) belong to [`crate::site`].

pub mod featured;
pub mod inventory;
pub mod parse;

use std::path::PathBuf;

use chrono::{DateTime, Datelike, FixedOffset};
use serde::Serialize;

use crate::config::{ChannelId, KindId, UnitId};
use crate::paths::LocalRef;

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
    /// off (never copied), shared so that copying a parsed document ([`crate::bodies`]) does
    /// not copy its text.
    pub body: std::sync::Arc<String>,
    /// File line of the body's first line, to report link errors at the right place.
    pub body_line: usize,
    /// Fingerprint of the whole file text.
    pub version: u64,
    /// Fingerprint of everything the rendered page shows of this file: the file text and
    /// how its links and cover image resolved. Set when the body is rendered; incremental
    /// rebuilds compare it to know which pages changed.
    pub fingerprint: u64,
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
    /// Path of the file in the output (`anh/x.png`); set when the site is assembled.
    pub path: String,
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
    /// From front matter, else (once rendered) the start of the first paragraph.
    pub summary: String,
    /// True when `summary` was taken from the body (so the page need not repeat it).
    pub summary_is_auto: bool,
    pub image: Option<Image>,
    pub author: Option<String>,
    pub channel: ChannelId,
    pub source_url: Option<String>,
    pub draft: bool,
    /// `featured:`: chosen by staff for the home page's lead and headlines.
    pub featured: featured::Featured,
    pub slug: String,
    pub extra: serde_json::Value,
    /// The body as HTML; empty until the site renders Markdown.
    pub html: String,
}

impl Item {
    /// `tin-bai/YYYY/slug/`, YYYY being the year in the site timezone.
    pub fn path(&self) -> String {
        format!("tin-bai/{}/{}/", self.date.year(), self.slug)
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
    pub summary: String,
    pub summary_is_auto: bool,
    pub image: Option<Image>,
    pub draft: bool,
    pub slug: String,
    pub extra: serde_json::Value,
    pub html: String,
}

impl Profile {
    pub fn path(&self) -> String {
        format!("mo-hinh/{}/", self.slug)
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
    pub html: String,
}

impl Page {
    pub fn path(&self) -> String {
        format!("{}/", self.slug)
    }
}
