//! Strings of a page's description made only when the page is rendered. Hashing the
//! description (the page's signature, see [`super::Renderer::signature`]) hashes what such
//! a string is made from — a page path — instead of making it: on a 10,000-item site,
//! formatting the URLs and share links of every page was most of a `serve` rebuild.

use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::hash::{Hash, Hasher};

use crate::base::urls::{BaseUrl, paginated};

/// The address of a page or file under the site's base URL: a root-relative link
/// (`/tin-bai/…`) or an absolute URL (`https://host/tin-bai/…`), written out when serialised.
#[derive(Clone)]
pub struct Url<'a> {
    base: &'a BaseUrl,
    /// The page path, as [`BaseUrl::link`] takes it; with `page`, a listing's first page.
    path: Cow<'a, str>,
    /// Page `page` of the listing at `path` ([`paginated`]); 0 for `path` itself.
    page: usize,
    absolute: bool,
}

impl<'a> Url<'a> {
    pub fn link(base: &'a BaseUrl, path: impl Into<Cow<'a, str>>) -> Self {
        Url {
            base,
            path: path.into(),
            page: 0,
            absolute: false,
        }
    }

    pub fn absolute(base: &'a BaseUrl, path: impl Into<Cow<'a, str>>) -> Self {
        Url {
            absolute: true,
            ..Url::link(base, path)
        }
    }

    /// A link to page `page` (1-based) of the listing whose first page is `first`.
    pub fn paged(base: &'a BaseUrl, first: &'a str, page: usize) -> Self {
        Url {
            // Page 1 is the first page's own path.
            page: if page > 1 { page } else { 0 },
            ..Url::link(base, first)
        }
    }

    /// The URL as the template receives it.
    pub fn text(&self) -> String {
        let paged;
        let path = if self.page > 0 {
            paged = paginated(&self.path, self.page);
            &paged
        } else {
            self.path.as_ref()
        };
        if self.absolute {
            self.base.absolute(path)
        } else {
            self.base.link(path)
        }
    }
}

impl Serialize for Url<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

/// The URL is a function of the base, the path and the page number; the base is left out
/// because it is part of `site`, which every signature covers.
impl Hash for Url<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        (self.absolute, self.path.as_ref(), self.page).hash(h);
    }
}

/// Share pages of Facebook and Zalo for one page: plain links, so that nothing is loaded
/// from either server until the reader chooses to share.
pub struct ShareLinks<'a> {
    /// The shared page's absolute URL.
    page: Url<'a>,
}

impl<'a> ShareLinks<'a> {
    pub fn new(page: Url<'a>) -> Self {
        ShareLinks { page }
    }
}

#[derive(Serialize)]
struct Shares {
    facebook: String,
    zalo: String,
}

fn shares(absolute_url: &str) -> Shares {
    let url =
        percent_encoding::utf8_percent_encode(absolute_url, percent_encoding::NON_ALPHANUMERIC);
    Shares {
        facebook: format!("https://www.facebook.com/sharer/sharer.php?u={url}"),
        zalo: format!("https://sp.zalo.me/share_inline?url={url}"),
    }
}

impl Serialize for ShareLinks<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        shares(&self.page.text()).serialize(s)
    }
}

/// Both links are a function of the page's URL alone.
impl Hash for ShareLinks<'_> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.page.hash(h);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(value: &impl Hash) -> u64 {
        let mut h = rustc_hash::FxHasher::default();
        value.hash(&mut h);
        h.finish()
    }

    #[test]
    fn share_links_carry_the_encoded_address() {
        let base = BaseUrl::parse("https://phunudatto.example.vn/").unwrap();
        let share = ShareLinks::new(Url::absolute(&base, "tin-bai/2026/a-b/"));
        let json = serde_json::to_value(&share).unwrap();
        assert_eq!(
            json["facebook"],
            "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fphunudatto%2Eexample%2Evn%2Ftin%2Dbai%2F2026%2Fa%2Db%2F"
        );
        assert!(
            json["zalo"]
                .as_str()
                .unwrap()
                .starts_with("https://sp.zalo.me/share_inline?url=https%3A%2F%2F")
        );
    }

    #[test]
    fn a_url_serialises_as_the_base_url_makes_it_and_hashes_its_path() {
        let base = BaseUrl::parse("https://host.example/phu-nu/").unwrap();
        let link = Url::link(&base, "tin-bai/");
        let absolute = Url::absolute(&base, "tin-bai/");
        assert_eq!(serde_json::to_value(&link).unwrap(), base.link("tin-bai/"));
        assert_eq!(
            serde_json::to_value(&absolute).unwrap(),
            base.absolute("tin-bai/")
        );
        // A link and an absolute URL are different strings; other paths, other hashes.
        assert_ne!(hash(&link), hash(&absolute));
        assert_ne!(hash(&link), hash(&Url::link(&base, "don-vi/")));
        assert_eq!(
            hash(&link),
            hash(&Url::link(&base, String::from("tin-bai/")))
        );
    }
}
