//! One Markdown file → one typed [`Item`], [`Profile`] or [`Page`], with every front-matter
//! problem of that file reported (not only the first).

use std::path::Path;

use crate::base::dates::parse_date;
use crate::base::diagnostics::Diagnostic;
use crate::base::paths;
use crate::base::slug::{match_key, slugify};
use crate::model::config::Config;
use crate::model::content::featured::Featured;
use crate::model::content::{Item, ItemType, Page, Profile, TagName};

mod checker;
mod raw;

pub use checker::body_of;
use checker::{checker, extra, read, trimmed};
pub use raw::{ITEM_KEYS, PAGE_KEYS, PROFILE_KEYS, Text};
use raw::{RawItem, RawPage, RawProfile, TextList};

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
                .map_err(|e| check.error("date", e.message, e.hint))
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
    for tag in raw.tags.map(TextList::split_commas).unwrap_or_default() {
        let name = tag.trim().to_string();
        let slug = slugify(&name);
        if name.is_empty() {
            // `tags: a, , b` or a trailing comma: nothing meant.
            continue;
        }
        if slug.len() > crate::base::layout::MAX_SEGMENT {
            check.error(
                "tags",
                format!("chủ đề dài {} byte, quá dài làm tên trang chủ đề", name.len()),
                Some(format!(
                    "mỗi chủ đề vài chữ; các chủ đề cách nhau bằng dấu phẩy: `tags: [Ẩm thực, Hội thi]` (tối đa {} byte)",
                    crate::base::layout::MAX_SEGMENT
                )),
            );
        } else if slug.is_empty() {
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
            config.channel_choices(),
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
                written_summary: trimmed(raw.summary).unwrap_or_default(),
                image,
                author: trimmed(raw.author),
                channel,
                source_url,
                draft: raw.draft.unwrap_or(false),
                scheduled: raw.scheduled.unwrap_or(false),
                date_line: check.line("date"),
                featured,
                slug,
                extra: extra(raw.extra),
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
            check.named("kind", &text, "loại mô hình", found, config.kind_choices())
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
            written_summary: trimmed(raw.summary).unwrap_or_default(),
            image,
            draft: raw.draft.unwrap_or(false),
            slug,
            extra: extra(raw.extra),
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
        }),
        _ => None,
    };
    check.finish(page)
}

#[cfg(test)]
mod tests;
