//! `content/site.yaml`: the site's identity, its units, targets, profile kinds and channels.

use std::collections::HashMap;
use std::path::Path;

use chrono::FixedOffset;
use serde::Deserialize;

use crate::base::dates::parse_offset;
use crate::base::diagnostics::{Diagnostic, closest};
use crate::base::front_matter::parse_yaml;
use crate::base::slug::{match_key, slugify};
use crate::base::urls::BaseUrl;

/// Index of a unit in `site.yaml` order: the order of every table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitId(pub usize);

/// Index of a profile kind in `site.yaml` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KindId(pub usize);

/// Index of a channel; `ChannelId(0)` is always `web`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ChannelId(pub usize);

/// A district-level unit (or the province office) that publishes news items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub slug: String,
    pub name: String,
    pub short: String,
    /// Items a year: the unit's own `target`, else `targets.unit_per_year`.
    pub target: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindTarget {
    pub count: u32,
    pub by: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileKind {
    pub slug: String,
    pub name: String,
    pub target: Option<KindTarget>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub description: String,
    pub base_url: BaseUrl,
    pub language: String,
    pub timezone: FixedOffset,
    pub theme: String,
    pub per_page: usize,
    /// `images:` (SPEC §10): the widest photo published.
    pub images: crate::images::Settings,
    pub province_target: u32,
    /// `targets.unit_per_year`: the target of every unit without its own.
    pub unit_target: u32,
    pub units: Vec<Unit>,
    pub profile_kinds: Vec<ProfileKind>,
    pub channels: Vec<Channel>,
    /// `tallies: { public: false }`: tally pages, downloads and progress boxes stay out of
    /// the published site (they remain in `serve`, the CLI and the reports).
    pub tallies_public: bool,
    pub contact: Contact,
    /// `publish.url`: where `datto publish` copies the output when `--to` is not given.
    pub publish_url: Option<String>,
    unit_keys: HashMap<String, UnitId>,
}

/// `contact:`: who publishes the site, shown in the footer and on the contact page.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// "Chịu trách nhiệm nội dung": the person legally responsible for the content.
    pub responsible: Option<String>,
    /// A licence line for the content, e.g. "Ghi rõ nguồn khi phát hành lại".
    pub licence: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: Option<String>,
    description: Option<String>,
    base_url: Option<String>,
    language: Option<String>,
    timezone: Option<String>,
    theme: Option<String>,
    per_page: Option<usize>,
    images: Option<RawImages>,
    targets: Option<RawTargets>,
    units: Option<Vec<RawUnit>>,
    profile_kinds: Option<Vec<RawKind>>,
    channels: Option<Vec<RawChannel>>,
    tallies: Option<RawTallies>,
    contact: Option<Contact>,
    publish: Option<RawPublish>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTallies {
    public: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPublish {
    url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImages {
    max_width: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTargets {
    province_per_year: Option<u32>,
    unit_per_year: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUnit {
    slug: String,
    name: String,
    short: Option<String>,
    target: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKind {
    slug: String,
    name: String,
    target: Option<RawKindTarget>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKindTarget {
    count: u32,
    by: i32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannel {
    slug: String,
    name: String,
}

const KEYS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "timezone",
    "theme",
    "per_page",
    "images",
    "targets",
    "units",
    "profile_kinds",
    "channels",
    "tallies",
    "contact",
    "publish",
];

impl Config {
    /// Reads and validates `site.yaml`; `shown_path` is how errors name the file.
    pub fn from_yaml(shown_path: &Path, text: &str) -> Result<Config, Vec<Diagnostic>> {
        match Config::from_yaml_lenient(shown_path, text) {
            (Some(config), errors) if errors.is_empty() => Ok(config),
            (_, errors) => Err(errors),
        }
    }

    /// Like [`Config::from_yaml`], but a value-level mistake (a bad `base_url`, `per_page: 0`)
    /// still gives a configuration, with a stand-in for the broken value, so that the content
    /// can be checked too: staff then see all their mistakes in one run. `None` when the file
    /// cannot be read as a whole or lists no unit (every item would fail on it).
    pub fn from_yaml_lenient(shown_path: &Path, text: &str) -> (Option<Config>, Vec<Diagnostic>) {
        let text = crate::base::front_matter::normalize(text.to_string());
        let doc = match parse_yaml::<RawConfig>(shown_path, &text, 1, KEYS) {
            Ok(doc) => doc,
            Err(errors) => return (None, errors),
        };
        let raw = doc.value;
        let line = |key: &str| doc.lines.line_of(key, 1);
        // Values of the wrong type are reported; the other keys are still checked.
        let mut errors = doc.problems.clone();
        let failed_keys = doc.failed_keys.clone();
        let failed = |key: &str| failed_keys.iter().any(|k| k == key);
        let mut error = |key: &str, message: String| {
            errors.push(Diagnostic::new(shown_path, line(key), message));
        };

        let title = raw.title.unwrap_or_default();
        if title.trim().is_empty() && !failed("title") {
            error("title", "thiếu `title` (tên trang)".into());
        }
        let base_url = match raw.base_url.as_deref().map(BaseUrl::parse) {
            Some(Ok(url)) => Some(url),
            Some(Err(message)) => {
                error("base_url", format!("`base_url`: {message}"));
                None
            }
            None if failed("base_url") => None,
            None => {
                error(
                    "base_url",
                    "thiếu `base_url`, ví dụ `https://phunudatto.example.vn/`".into(),
                );
                None
            }
        };
        let timezone_text = raw.timezone.unwrap_or_else(|| "+07:00".into());
        let timezone = parse_offset(&timezone_text);
        if timezone.is_none() {
            error(
                "timezone",
                format!("`timezone` `{timezone_text}` không hợp lệ; viết dạng \"+07:00\""),
            );
        }
        let per_page = raw.per_page.unwrap_or(20);
        if per_page == 0 {
            error("per_page", "`per_page` phải lớn hơn 0".into());
        }
        let mut images = crate::images::Settings::default();
        match raw.images.and_then(|i| i.max_width) {
            Some(width) if !(100..=8000).contains(&width) => error(
                "images",
                format!(
                    "`images.max_width` {width} không hợp lệ; chọn từ 100 đến 8000 (mặc định 1600)"
                ),
            ),
            Some(width) => images.max_width = width,
            None => {}
        }
        let targets = raw.targets.unwrap_or(RawTargets {
            province_per_year: None,
            unit_per_year: None,
        });
        let unit_default = targets.unit_per_year.unwrap_or(20);

        let mut units = Vec::new();
        let mut unit_keys = HashMap::new();
        let raw_units = raw.units.unwrap_or_default();
        if raw_units.is_empty() && !failed("units") {
            error("units", "`units` phải liệt kê ít nhất một đơn vị".into());
        }
        for (index, unit) in raw_units.into_iter().enumerate() {
            let id = UnitId(index);
            if unit.slug.len() > crate::base::layout::MAX_SEGMENT {
                error(
                    "units",
                    format!(
                        "đơn vị `{}…`: slug dài {} byte, quá dài làm tên thư mục (tối đa {})",
                        unit.slug.chars().take(30).collect::<String>(),
                        unit.slug.len(),
                        crate::base::layout::MAX_SEGMENT
                    ),
                );
            }
            if slugify(&unit.slug) != unit.slug {
                error(
                    "units",
                    format!(
                        "đơn vị `{}`: slug phải viết thường, không dấu, nối bằng `-` (ví dụ `{}`)",
                        unit.slug,
                        slugify(&unit.slug)
                    ),
                );
            }
            let short = unit.short.unwrap_or_else(|| unit.name.clone());
            for label in [&unit.slug, &unit.name, &short] {
                let key = match_key(label);
                match unit_keys.get(&key) {
                    Some(&other) if other != id => error(
                        "units",
                        format!(
                            "đơn vị `{}` trùng tên hoặc slug với một đơn vị khác",
                            unit.slug
                        ),
                    ),
                    _ => {
                        unit_keys.insert(key, id);
                    }
                }
            }
            units.push(Unit {
                target: unit.target.unwrap_or(unit_default),
                slug: unit.slug,
                name: unit.name,
                short,
            });
        }

        let mut profile_kinds: Vec<ProfileKind> = Vec::new();
        for kind in raw.profile_kinds.unwrap_or_default() {
            if slugify(&kind.slug) != kind.slug
                || kind.slug.len() > crate::base::layout::MAX_SEGMENT
                || profile_kinds.iter().any(|k| k.slug == kind.slug)
            {
                error(
                    "profile_kinds",
                    format!(
                        "loại mô hình `{}`: slug không hợp lệ, quá dài hoặc bị trùng",
                        kind.slug
                    ),
                );
            }
            profile_kinds.push(ProfileKind {
                slug: kind.slug,
                name: kind.name,
                target: kind.target.map(|t| KindTarget {
                    count: t.count,
                    by: t.by,
                }),
            });
        }

        let mut channels = vec![Channel {
            slug: "web".into(),
            name: "Trang web".into(),
        }];
        for channel in raw.channels.unwrap_or_default() {
            if slugify(&channel.slug) != channel.slug
                || channels.iter().any(|c| c.slug == channel.slug)
            {
                error(
                    "channels",
                    format!("kênh `{}`: slug không hợp lệ hoặc bị trùng", channel.slug),
                );
            }
            channels.push(Channel {
                slug: channel.slug,
                name: channel.name,
            });
        }

        if units.is_empty() {
            return (None, errors);
        }
        // Stand-ins for broken values: never published, since the errors fail the build.
        let base_url = base_url.or_else(|| BaseUrl::parse("http://127.0.0.1/").ok());
        let config = base_url.map(|base_url| Config {
            title,
            description: raw.description.unwrap_or_default(),
            base_url,
            language: raw.language.unwrap_or_else(|| "vi".into()),
            timezone: timezone.unwrap_or(crate::base::dates::VIETNAM),
            theme: raw.theme.unwrap_or_else(|| "datto".into()),
            per_page: per_page.max(1),
            images,
            province_target: targets.province_per_year.unwrap_or(300),
            unit_target: unit_default,
            units,
            profile_kinds,
            channels,
            tallies_public: raw.tallies.and_then(|t| t.public).unwrap_or(true),
            contact: raw.contact.unwrap_or_default(),
            publish_url: raw.publish.and_then(|p| p.url),
            unit_keys,
        });
        (config, errors)
    }

    pub fn unit_slugs(&self) -> impl Iterator<Item = &str> {
        self.units.iter().map(|u| u.slug.as_str())
    }

    pub fn kind_slugs(&self) -> impl Iterator<Item = &str> {
        self.profile_kinds.iter().map(|k| k.slug.as_str())
    }

    pub fn channel_slugs(&self) -> impl Iterator<Item = &str> {
        self.channels.iter().map(|c| c.slug.as_str())
    }

    /// `(slug, short name)` of every unit, for hints.
    /// A unit typed on a command line (`datto new`, `datto import`): the error names the
    /// command and offers the nearest unit, by code and name.
    pub fn resolve_unit_arg(&self, text: &str, command: &str) -> Result<UnitId, Diagnostic> {
        self.resolve_unit(text).map_err(|suggestion| {
            let hint = crate::base::diagnostics::did_you_mean_named(
                suggestion.as_deref(),
                "các đơn vị",
                self.unit_choices(),
            );
            Diagnostic::new(
                command,
                1,
                format!("không có đơn vị `{text}` trong site.yaml"),
            )
            .with_hint(hint)
        })
    }

    pub fn unit_choices(&self) -> impl Iterator<Item = (&str, &str)> {
        self.units
            .iter()
            .map(|u| (u.slug.as_str(), u.short.as_str()))
    }

    /// `(slug, name)` of every profile kind, for hints.
    pub fn kind_choices(&self) -> impl Iterator<Item = (&str, &str)> {
        self.profile_kinds
            .iter()
            .map(|k| (k.slug.as_str(), k.name.as_str()))
    }

    /// `(slug, name)` of every channel, for hints.
    pub fn channel_choices(&self) -> impl Iterator<Item = (&str, &str)> {
        self.channels
            .iter()
            .map(|c| (c.slug.as_str(), c.name.as_str()))
    }

    pub fn unit(&self, id: UnitId) -> &Unit {
        &self.units[id.0]
    }

    pub fn unit_ids(&self) -> impl Iterator<Item = UnitId> + '_ {
        (0..self.units.len()).map(UnitId)
    }

    pub fn kind(&self, id: KindId) -> &ProfileKind {
        &self.profile_kinds[id.0]
    }

    pub fn channel(&self, id: ChannelId) -> &Channel {
        &self.channels[id.0]
    }

    /// A unit as staff write it: its slug, `name` or `short`, ignoring case, diacritics,
    /// spaces and hyphens. On failure, the closest unit's slug as a suggestion.
    pub fn resolve_unit(&self, text: &str) -> Result<UnitId, Option<String>> {
        if let Some(&id) = self.unit_keys.get(&match_key(text)) {
            return Ok(id);
        }
        let key = match_key(text);
        let best = closest(&key, self.unit_keys.keys().map(String::as_str))
            .and_then(|k| self.unit_keys.get(k))
            .map(|&id| self.unit(id).slug.clone());
        Err(best)
    }

    pub fn resolve_kind(&self, text: &str) -> Result<KindId, Option<String>> {
        let key = match_key(text);
        let found = self
            .profile_kinds
            .iter()
            .position(|k| match_key(&k.slug) == key || match_key(&k.name) == key);
        found.map(KindId).ok_or_else(|| {
            closest(text, self.profile_kinds.iter().map(|k| k.slug.as_str())).map(String::from)
        })
    }

    pub fn resolve_channel(&self, text: &str) -> Result<ChannelId, Option<String>> {
        let key = match_key(text);
        let found = self
            .channels
            .iter()
            .position(|c| match_key(&c.slug) == key || match_key(&c.name) == key);
        found.map(ChannelId).ok_or_else(|| {
            closest(text, self.channels.iter().map(|c| c.slug.as_str())).map(String::from)
        })
    }
}

#[cfg(test)]
pub(crate) mod tests;
