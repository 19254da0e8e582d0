//! One Markdown file → one typed [`Item`], [`Profile`] or [`Page`], with every front-matter
//! problem of that file reported (not only the first).

use std::fmt;
use std::path::Path;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

use super::featured::Featured;
use super::{Image, Item, ItemType, Page, Profile, Source, TagName};
use crate::config::Config;
use crate::dates::parse_date;
use crate::diagnostics::{Diagnostic, did_you_mean};
use crate::front_matter::{self, Document, KeyLines};
use crate::paths::{self, LocalRef};
use crate::slug::{match_key, slugify};

pub const ITEM_KEYS: &[&str] = &[
    "title",
    "date",
    "unit",
    "type",
    "tags",
    "summary",
    "image",
    "image_alt",
    "author",
    "channel",
    "source_url",
    "draft",
    "slug",
    "extra",
    "featured",
];
pub const PROFILE_KEYS: &[&str] = &[
    "title",
    "unit",
    "kind",
    "year",
    "commune",
    "criteria",
    "summary",
    "image",
    "image_alt",
    "draft",
    "slug",
    "extra",
];
pub const PAGE_KEYS: &[&str] = &["title", "slug", "draft", "extra"];

/// A scalar staff may write unquoted: `title: 2018` is the text "2018", not a type error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl Visitor<'_> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a piece of text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        deserializer.deserialize_any(TextVisitor)
    }
}

/// `tags: hát Xoan` is read as a one-tag list.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum TextList {
    One(Text),
    Many(Vec<Text>),
}

impl TextList {
    fn into_vec(self) -> Vec<String> {
        match self {
            TextList::One(t) => vec![t.0],
            TextList::Many(v) => v.into_iter().map(|t| t.0).collect(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    title: Option<Text>,
    date: Option<Text>,
    unit: Option<Text>,
    #[serde(rename = "type")]
    kind: Option<Text>,
    tags: Option<TextList>,
    summary: Option<Text>,
    image: Option<Text>,
    image_alt: Option<Text>,
    author: Option<Text>,
    channel: Option<Text>,
    source_url: Option<Text>,
    draft: Option<bool>,
    slug: Option<Text>,
    extra: Option<serde_json::Value>,
    featured: Option<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    title: Option<Text>,
    unit: Option<Text>,
    kind: Option<Text>,
    year: Option<i32>,
    commune: Option<Text>,
    criteria: Option<TextList>,
    summary: Option<Text>,
    image: Option<Text>,
    image_alt: Option<Text>,
    draft: Option<bool>,
    slug: Option<Text>,
    extra: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPage {
    title: Option<Text>,
    slug: Option<Text>,
    draft: Option<bool>,
    extra: Option<serde_json::Value>,
}

/// Per-file error collector that knows the file and where each key is.
struct Checker<'a> {
    shown: &'a Path,
    lines: KeyLines,
    start_line: usize,
    errors: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn line(&self, key: &str) -> usize {
        self.lines.line_of(key, self.start_line)
    }

    fn error(&mut self, key: &str, message: impl Into<String>, hint: Option<String>) {
        let line = self.line(key);
        self.errors
            .push(Diagnostic::new(self.shown, line, message).with_optional_hint(hint));
    }

    fn required(&mut self, key: &str, value: Option<Text>, example: &str) -> Option<String> {
        match value.map(|t| t.0.trim().to_string()) {
            Some(v) if !v.is_empty() => Some(v),
            Some(_) => {
                self.error(
                    key,
                    format!("`{key}` đang để trống"),
                    Some(format!("ví dụ `{key}: {example}`")),
                );
                None
            }
            None => {
                self.error(
                    key,
                    format!("thiếu khóa bắt buộc `{key}`"),
                    Some(format!("thêm dòng `{key}: {example}`")),
                );
                None
            }
        }
    }

    /// `found`, or an error at `key`: "không có {what} `text` trong site.yaml", with the
    /// closest valid name or the list of all of them.
    fn named<'v, T>(
        &mut self,
        key: &str,
        text: &str,
        what: &str,
        found: Result<T, Option<String>>,
        valid: impl IntoIterator<Item = &'v str>,
    ) -> Option<T> {
        found
            .map_err(|suggestion| {
                let hint = did_you_mean(
                    suggestion.as_deref(),
                    &format!("các {what} trong site.yaml"),
                    valid,
                );
                self.error(
                    key,
                    format!("không có {what} `{text}` trong site.yaml"),
                    Some(hint),
                );
            })
            .ok()
    }

    fn unit(&mut self, config: &Config, value: Option<Text>) -> Option<crate::config::UnitId> {
        let text = self.required("unit", value, "viet-tri")?;
        self.named(
            "unit",
            &text,
            "đơn vị",
            config.resolve_unit(&text),
            config.unit_slugs(),
        )
    }

    /// `slug:` if given, else the file name (the folder name for `index.md`).
    fn slug(&mut self, value: Option<Text>, rel: &str) -> Option<String> {
        let (written, key) = match value {
            Some(t) => (t.0, "slug"),
            None => (default_slug_source(rel).to_string(), "title"),
        };
        let slug = slugify(&written);
        if slug.is_empty() {
            let message = if key == "slug" {
                format!("`slug` `{written}` không còn ký tự nào sau khi bỏ dấu")
            } else {
                format!("tên tệp `{written}` không tạo được đường dẫn")
            };
            self.error(
                key,
                message,
                Some("dùng chữ cái hoặc chữ số, ví dụ `hoi-nghi-2018`".into()),
            );
            return None;
        }
        Some(slug)
    }

    fn image(
        &mut self,
        source: &Source,
        image: Option<Text>,
        alt: Option<Text>,
        title: &str,
    ) -> Option<Image> {
        let written = image?.0;
        let line = self.line("image");
        if paths::is_external(&written) {
            self.error(
                "image",
                format!("ảnh `{written}` nằm trên máy chủ khác"),
                Some(
                    "chép ảnh vào cạnh tệp .md hoặc vào content/static/ rồi ghi đường dẫn tới đó"
                        .into(),
                ),
            );
            return None;
        }
        match paths::resolve(source.dir(), &written) {
            Some(reference) => Some(Image {
                reference,
                alt: alt.map(|t| t.0).unwrap_or_else(|| title.to_string()),
                line,
                path: String::new(),
            }),
            None => {
                self.error(
                    "image",
                    format!("đường dẫn ảnh `{written}` không hợp lệ"),
                    None,
                );
                None
            }
        }
    }

    fn finish<T>(self, value: Option<T>) -> Result<T, Vec<Diagnostic>> {
        match value {
            Some(v) if self.errors.is_empty() => Ok(v),
            _ => Err(self.errors),
        }
    }
}

fn default_slug_source(rel: &str) -> &str {
    let without_ext = rel.strip_suffix(".md").unwrap_or(rel);
    let mut parts = without_ext.rsplit('/');
    let last = parts.next().unwrap_or(without_ext);
    if last == "index" {
        parts.next().unwrap_or(last)
    } else {
        last
    }
}

/// Splits and parses one file's front matter into `T`.
fn read<T: serde::de::DeserializeOwned>(
    shown: &Path,
    rel: &str,
    text: String,
    keys: &[&str],
) -> Result<(Document<T>, Source), Vec<Diagnostic>> {
    let mut text = front_matter::normalize(text);
    let version = crate::sources::fingerprint(&text);
    let split = front_matter::split(shown, &text).map_err(|d| vec![d])?;
    let doc = front_matter::parse_yaml::<T>(shown, split.yaml, split.yaml_line, keys)?;
    // The body is the end of the text: cut the front matter off in place.
    let (body_start, body_line) = (text.len() - split.body.len(), split.body_line);
    text.drain(..body_start);
    let source = Source {
        shown: shown.to_path_buf(),
        rel: rel.to_string(),
        body: std::sync::Arc::new(text),
        body_line,
        version,
        fingerprint: version,
    };
    Ok((doc, source))
}

fn checker<'a, T>(shown: &'a Path, doc: &Document<T>) -> Checker<'a> {
    Checker {
        shown,
        lines: doc.lines.clone(),
        start_line: doc.start_line,
        errors: Vec::new(),
    }
}

fn trimmed(value: Option<Text>) -> Option<String> {
    value
        .map(|t| t.0.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn extra(value: Option<serde_json::Value>) -> serde_json::Value {
    value.unwrap_or_else(|| serde_json::Value::Object(Default::default()))
}

/// A news item from `content/tin-bai/`.
pub fn parse_item(
    config: &Config,
    shown: &Path,
    rel: &str,
    text: String,
) -> Result<Item, Vec<Diagnostic>> {
    let (doc, source) = read::<RawItem>(shown, rel, text, ITEM_KEYS)?;
    let mut check = checker(shown, &doc);
    let raw = doc.value;

    let title = check.required("title", raw.title, "Hội nghị sơ kết 6 tháng");
    let date = check
        .required("date", raw.date, "2018-03-05")
        .and_then(|text: String| {
            parse_date(&text, config.timezone)
                .map_err(|message| check.error("date", message, None))
                .ok()
        });
    let unit = check.unit(config, raw.unit);
    let kind = match raw.kind.map(|t| t.0) {
        None => Some(ItemType::Tin),
        Some(t) => match match_key(&t).as_str() {
            "tin" => Some(ItemType::Tin),
            "bai" => Some(ItemType::Bai),
            _ => {
                check.error(
                    "type",
                    format!("`type` `{t}` không hợp lệ"),
                    Some("viết `tin` hoặc `bai`".into()),
                );
                None
            }
        },
    };
    let mut tags: Vec<TagName> = Vec::new();
    for tag in raw.tags.map(TextList::into_vec).unwrap_or_default() {
        let name = tag.trim().to_string();
        let slug = slugify(&name);
        if slug.is_empty() {
            check.error(
                "tags",
                format!("chủ đề `{name}` không có chữ cái hay chữ số nào"),
                None,
            );
        } else if !tags.iter().any(|t| t.slug == slug) {
            tags.push(TagName { name, slug });
        }
    }
    let channel = match raw.channel.map(|t| t.0) {
        None => Some(Default::default()),
        Some(text) => check.named(
            "channel",
            &text,
            "kênh",
            config.resolve_channel(&text),
            config.channel_slugs(),
        ),
    };
    // Shown as a link on the item page: only a web address may go there.
    let source_url = trimmed(raw.source_url);
    if let Some(url) = source_url.as_deref() {
        let web = url.starts_with("https://") || url.starts_with("http://");
        if !web || paths::runs_code(url) {
            check.error(
                "source_url",
                format!("`source_url` `{url}` không phải địa chỉ web"),
                Some("viết đầy đủ, ví dụ `https://baophutho.vn/...`".into()),
            );
        }
    }
    let slug = check.slug(raw.slug, rel);
    let image = check.image(
        &source,
        raw.image,
        raw.image_alt,
        title.as_deref().unwrap_or(""),
    );
    let featured = match raw.featured.map(|t| Featured::parse(&t.0, config.timezone)) {
        None => Featured::No,
        Some(Ok(featured)) => featured,
        Some(Err((message, hint))) => {
            check.error("featured", message, Some(hint));
            Featured::No
        }
    };

    let item = match (title, date, unit, kind, channel, slug) {
        (Some(title), Some(date), Some(unit), Some(kind), Some(channel), Some(slug)) => {
            Some(Item {
                source,
                title,
                date,
                unit,
                kind,
                tags,
                summary: trimmed(raw.summary).unwrap_or_default(),
                summary_is_auto: false,
                image,
                author: trimmed(raw.author),
                channel,
                source_url,
                draft: raw.draft.unwrap_or(false),
                featured,
                slug,
                extra: extra(raw.extra),
                html: String::new(),
            })
        }
        _ => None,
    };
    check.finish(item)
}

/// A model profile from `content/mo-hinh/`.
pub fn parse_profile(
    config: &Config,
    shown: &Path,
    rel: &str,
    text: String,
) -> Result<Profile, Vec<Diagnostic>> {
    let (doc, source) = read::<RawProfile>(shown, rel, text, PROFILE_KEYS)?;
    let mut check = checker(shown, &doc);
    let raw = doc.value;

    let title = check.required("title", raw.title, "Mái ấm tình thương xã Hy Cương");
    let unit = check.unit(config, raw.unit);
    let kind = check
        .required("kind", raw.kind, "mai-am-tinh-thuong")
        .and_then(|text: String| {
            let found = config.resolve_kind(&text);
            check.named("kind", &text, "loại mô hình", found, config.kind_slugs())
        });
    let slug = check.slug(raw.slug, rel);
    let image = check.image(
        &source,
        raw.image,
        raw.image_alt,
        title.as_deref().unwrap_or(""),
    );
    let criteria = raw
        .criteria
        .map(TextList::into_vec)
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .collect();

    let profile = match (title, unit, kind, slug) {
        (Some(title), Some(unit), Some(kind), Some(slug)) => Some(Profile {
            source,
            title,
            unit,
            kind,
            year: raw.year,
            commune: trimmed(raw.commune),
            criteria,
            summary: trimmed(raw.summary).unwrap_or_default(),
            summary_is_auto: false,
            image,
            draft: raw.draft.unwrap_or(false),
            slug,
            extra: extra(raw.extra),
            html: String::new(),
        }),
        _ => None,
    };
    check.finish(profile)
}

/// A page from `content/trang/`.
pub fn parse_page(shown: &Path, rel: &str, text: String) -> Result<Page, Vec<Diagnostic>> {
    let (doc, source) = read::<RawPage>(shown, rel, text, PAGE_KEYS)?;
    let mut check = checker(shown, &doc);
    let raw = doc.value;
    let title = check.required("title", raw.title, "Giới thiệu");
    let slug = check.slug(raw.slug, rel);
    let page = match (title, slug) {
        (Some(title), Some(slug)) => Some(Page {
            source,
            title,
            draft: raw.draft.unwrap_or(false),
            slug,
            extra: extra(raw.extra),
            html: String::new(),
        }),
        _ => None,
    };
    check.finish(page)
}

/// The image reference of a cover, as written, for error messages.
pub fn describe(reference: &LocalRef) -> &str {
    match reference {
        LocalRef::Content(p) | LocalRef::Root(p) => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::sample;
    use chrono::Datelike;

    fn item(text: &str) -> Result<Item, Vec<Diagnostic>> {
        parse_item(
            &sample(),
            Path::new("content/tin-bai/2018/a.md"),
            "tin-bai/2018/a.md",
            text.to_string(),
        )
    }

    fn messages(errors: &[Diagnostic]) -> Vec<String> {
        errors.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn a_full_item() {
        let it = item(
            "---\ntitle: Hội nghị\ndate: 2017-12-31T20:00:00Z\nunit: Việt Trì\ntype: bai\ntags: [Hát Xoan, hát xoan, Giáo dục]\n\
             image: anh.jpg\nchannel: Báo Phú Thọ\nextra: {mau: do}\n---\nNội dung\n",
        )
        .unwrap();
        assert_eq!(it.title, "Hội nghị");
        assert_eq!(it.date.year(), 2018);
        assert_eq!(it.unit.0, 0);
        assert_eq!(it.kind, ItemType::Bai);
        let tags: Vec<(&str, &str)> = it
            .tags
            .iter()
            .map(|t| (t.name.as_str(), t.slug.as_str()))
            .collect();
        assert_eq!(tags, [("Hát Xoan", "hat-xoan"), ("Giáo dục", "giao-duc")]);
        assert_eq!(it.channel.0, 1);
        assert_eq!(it.slug, "a");
        assert_eq!(it.path(), "tin-bai/2018/a/");
        assert_eq!(
            it.image.unwrap().reference,
            LocalRef::Content("tin-bai/2018/anh.jpg".into())
        );
        assert_eq!(it.extra["mau"], "do");
        assert_eq!(&*it.source.body, "Nội dung\n");
        assert_eq!(it.source.body_line, 11);
    }

    #[test]
    fn every_error_of_a_file_is_reported() {
        let errors = item("---\ntitle: \"\"\ndate: 05/03/2018\nunit: viet-tr\ntype: video\n---\n")
            .unwrap_err();
        let shown = messages(&errors);
        assert_eq!(shown.len(), 4, "{shown:#?}");
        assert!(
            shown[0].starts_with("content/tin-bai/2018/a.md:2:"),
            "{shown:#?}"
        );
        assert!(
            shown[1].starts_with("content/tin-bai/2018/a.md:3:"),
            "{shown:#?}"
        );
        assert!(
            shown[2].contains("viet-tr") && shown[2].contains("`viet-tri`"),
            "{shown:#?}"
        );
        assert!(
            shown[3].starts_with("content/tin-bai/2018/a.md:5:"),
            "{shown:#?}"
        );
    }

    #[test]
    fn missing_required_keys() {
        let errors = item("---\ntitle: A\n---\n").unwrap_err();
        let shown = messages(&errors);
        assert_eq!(shown.len(), 2, "{shown:#?}");
        assert!(
            shown.iter().all(|s| s.contains(":1: thiếu khóa bắt buộc")),
            "{shown:#?}"
        );
    }

    #[test]
    fn typo_in_draft_never_publishes() {
        let errors =
            item("---\ntitle: A\ndate: 2018-01-01\nunit: viet-tri\ndraf: true\n---\n").unwrap_err();
        assert_eq!(errors[0].line, 5);
        assert!(errors[0].hint.as_deref().unwrap().contains("`draft`"));
    }

    #[test]
    fn bundle_slug_is_the_folder() {
        let it = parse_item(
            &sample(),
            Path::new("x"),
            "tin-bai/2018/trao-qua/index.md",
            "---\ntitle: A\ndate: 2018-05-01\nunit: viet-tri\n---\n".into(),
        )
        .unwrap();
        assert_eq!(it.slug, "trao-qua");
        assert!(it.source.is_bundle());
    }

    #[test]
    fn slug_override_is_folded_and_cannot_escape() {
        let it =
            item("---\ntitle: A\ndate: 2018-01-01\nunit: viet-tri\nslug: ../../Đi Ra Ngoài\n---\n")
                .unwrap();
        assert_eq!(it.slug, "di-ra-ngoai");
        let errors = item("---\ntitle: A\ndate: 2018-01-01\nunit: viet-tri\nslug: \"🌸\"\n---\n")
            .unwrap_err();
        assert_eq!(errors[0].line, 5);
    }

    #[test]
    fn source_url_must_be_a_web_address() {
        for bad in ["javascript:alert(1)", "baophutho.vn/a", "ftp://x/a"] {
            let text = format!(
                "---\ntitle: A\ndate: 2018-01-01\nunit: viet-tri\nsource_url: \"{bad}\"\n---\nX\n"
            );
            let errors = item(&text).unwrap_err();
            assert_eq!(errors[0].line, 5, "{bad}");
        }
        let ok = item(
            "---\ntitle: A\ndate: 2018-01-01\nunit: viet-tri\nsource_url: https://baophutho.vn/a\n---\nX\n",
        );
        assert_eq!(
            ok.unwrap().source_url.as_deref(),
            Some("https://baophutho.vn/a")
        );
    }

    #[test]
    fn external_cover_image_is_refused() {
        let errors = item(
            "---\ntitle: A\ndate: 2018-01-01\nunit: viet-tri\nimage: https://x.vn/a.jpg\n---\n",
        )
        .unwrap_err();
        assert_eq!(errors[0].line, 5);
    }

    #[test]
    fn profiles_and_pages() {
        let p = parse_profile(
            &sample(),
            Path::new("x"),
            "mo-hinh/nha-ba-lan.md",
            "---\ntitle: Nhà bà Lan\nunit: doan-hung\nkind: Mái ấm tình thương\nyear: 2019\ncriteria: [Sạch nhà, Sạch bếp]\n---\n".into(),
        )
        .unwrap();
        assert_eq!((p.kind.0, p.year, p.criteria.len()), (0, Some(2019), 2));
        assert_eq!(p.path(), "mo-hinh/nha-ba-lan/");
        let errors = parse_profile(
            &sample(),
            Path::new("x"),
            "mo-hinh/x.md",
            "---\ntitle: X\nunit: doan-hung\nkind: mai-am\n---\n".into(),
        )
        .unwrap_err();
        assert!(errors[0].message.contains("mai-am"));
        let page = parse_page(
            Path::new("x"),
            "trang/gioi-thieu.md",
            "---\ntitle: Giới thiệu\n---\nX".into(),
        )
        .unwrap();
        assert_eq!(page.path(), "gioi-thieu/");
    }
}
