//! The front-matter shapes as written: every key optional (missing ones are reported by
//! the checker), scalars read as text whatever YAML thinks they are.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

pub const ITEM_KEYS: &[&str] = &[
    "title",
    "date",
    "scheduled",
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
                f.write_str("một dòng chữ")
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

/// One text or a list of texts: `tags: hát Xoan` or `tags: [hát Xoan, Giáo dục]`. A list
/// inside the list, or a map, is an error that names the key (serde's untagged enums would
/// only say that nothing matched).
#[derive(Debug, Clone)]
pub enum TextList {
    One(Text),
    Many(Vec<Text>),
}

impl<'de> Deserialize<'de> for TextList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor;
        impl<'de> Visitor<'de> for ListVisitor {
            type Value = TextList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("một dòng chữ hoặc một danh sách")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TextList, E> {
                Ok(TextList::One(Text(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<TextList, E> {
                Ok(TextList::One(Text(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<TextList, E> {
                Ok(TextList::One(Text(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<TextList, E> {
                Ok(TextList::One(Text(v.to_string())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<TextList, E> {
                Ok(TextList::One(Text(v.to_string())))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<TextList, A::Error> {
                let mut all = Vec::new();
                while let Some(text) = seq.next_element::<Text>()? {
                    all.push(text);
                }
                Ok(TextList::Many(all))
            }
        }
        deserializer.deserialize_any(ListVisitor)
    }
}

impl TextList {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            TextList::One(t) => vec![t.0],
            TextList::Many(v) => v.into_iter().map(|t| t.0).collect(),
        }
    }

    /// For tags: `tags: Ẩm thực, Ngày Phụ nữ Việt Nam` is what the writer meant as two tags
    /// (a comma inside one tag needs the list form, `["Dân số, gia đình"]`).
    pub fn split_commas(self) -> Vec<String> {
        match self {
            TextList::One(t) => t.0.split(',').map(str::to_string).collect(),
            many => many.into_vec(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawItem {
    pub title: Option<Text>,
    pub date: Option<Text>,
    pub unit: Option<Text>,
    #[serde(rename = "type")]
    pub kind: Option<Text>,
    pub tags: Option<TextList>,
    pub summary: Option<Text>,
    pub image: Option<Text>,
    pub image_alt: Option<Text>,
    pub author: Option<Text>,
    pub channel: Option<Text>,
    pub source_url: Option<Text>,
    pub draft: Option<bool>,
    pub scheduled: Option<bool>,
    pub slug: Option<Text>,
    pub extra: Option<serde_json::Value>,
    pub featured: Option<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProfile {
    pub title: Option<Text>,
    pub unit: Option<Text>,
    pub kind: Option<Text>,
    pub year: Option<i32>,
    pub commune: Option<Text>,
    pub criteria: Option<TextList>,
    pub summary: Option<Text>,
    pub image: Option<Text>,
    pub image_alt: Option<Text>,
    pub draft: Option<bool>,
    pub slug: Option<Text>,
    pub extra: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPage {
    pub title: Option<Text>,
    pub slug: Option<Text>,
    pub draft: Option<bool>,
    pub extra: Option<serde_json::Value>,
}
