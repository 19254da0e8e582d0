//! Property tests (proptest) of the parsers that take open-ended input: front matter
//! splitting and parsing, slugs, path normalisation, Markdown link rewriting. None may panic,
//! and the invariants that keep the output safe must hold for any input.
//! `PROPTEST_CASES` sets the number of cases (256 by default; `.ci/run` sets it).

use std::path::Path;
use std::sync::Arc;

use proptest::prelude::*;

use datto::assemble::markdown::{LinkResolver, render};
use datto::base::paths::{LocalRef, clean_relative, resolve, segments};
use datto::base::slug::slugify;
use datto::model::config::Config;
use datto::model::content::Source;

fn config() -> Config {
    let text = include_str!("fixtures/basic/content/site.yaml");
    Config::from_yaml(Path::new("content/site.yaml"), text).expect("the fixture's site.yaml")
}

/// Text that looks like what staff type and paste, plus the characters that break things.
fn messy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => "[a-zA-Z0-9 ]{1,8}",
            2 => Just("Đất Tổ ".to_string()),
            2 => prop::sample::select(vec![
                "---", "\n", ":", "- ", "[", "]", "(", ")", "#", "/", "..", "\\", "%2e", "%2f",
                "\"", "'", "\t", "\r\n", "\u{0}", "\u{b}", "\u{ffff}", "&", "<", "{", "}", "*",
                "!", "|", "title:", "date:", "unit:", "slug:", "2019-01-02", "viet-tri",
                "\u{feff}", "\u{301}", "ﬁ",
            ]).prop_map(str::to_string),
            1 => any::<char>().prop_map(|c| c.to_string()),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

fn is_clean_relative(path: &str) -> bool {
    !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && path.split('/').all(|part| part != ".." && part != ".")
}

struct Echo;

impl LinkResolver for Echo {
    fn resolve(&self, dir: &str, dest: &str, _: bool) -> Result<Option<String>, String> {
        match resolve(dir, dest) {
            Some(LocalRef::Content(p) | LocalRef::Root(p)) => {
                assert!(is_clean_relative(&p), "{dest} resolved to {p}");
                Ok(Some(format!("/{p}")))
            }
            None => Err("ra ngoài".into()),
        }
    }
}

proptest! {
    #[test]
    fn slugs_hold_only_safe_characters(text in messy()) {
        let slug = slugify(&text);
        prop_assert!(slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{slug}");
        prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"), "{slug}");
        prop_assert!(!slug.contains('/') && !slug.contains(".."));
        prop_assert_eq!(slugify(&slug), slug.clone(), "idempotent");
    }

    #[test]
    fn normalised_paths_never_leave_their_root(dir in "([a-z.]{1,3}/){0,3}", path in messy()) {
        if let Some(clean) = clean_relative(&path) {
            prop_assert!(is_clean_relative(&clean), "{path:?} → {clean:?}");
            prop_assert!(!clean.is_empty());
            prop_assert_eq!(clean_relative(&clean), Some(clean.clone()), "idempotent");
        }
        if let Some(parts) = segments(&path) {
            prop_assert!(parts.iter().all(|p| !p.is_empty() && *p != "." && *p != ".."));
        }
        match resolve(&dir, &path) {
            Some(LocalRef::Content(p) | LocalRef::Root(p)) => {
                prop_assert!(is_clean_relative(&p), "{dir:?} + {path:?} → {p:?}");
            }
            None => {}
        }
    }

    #[test]
    fn front_matter_splitting_and_parsing_never_panic(text in messy(), body in messy()) {
        let path = Path::new("content/tin-bai/2019/a.md");
        let file = format!("---\n{text}\n---\n{body}");
        let normal = datto::base::front_matter::normalize(file.clone());
        if let Ok(split) = datto::base::front_matter::split(path, &normal) {
            prop_assert!(split.yaml_line >= 1 && split.body_line > split.yaml_line);
            prop_assert!(normal.ends_with(split.body));
        }
        let _ = datto::base::front_matter::split(path, &datto::base::front_matter::normalize(text.clone()));
        let config = config();
        for candidate in [file, text] {
            let cleaned = match datto::base::text::clean_file(path, candidate) {
                Ok(cleaned) => cleaned,
                Err(errors) => {
                    prop_assert!(!errors.is_empty());
                    continue;
                }
            };
            prop_assert!(datto::base::text::first_forbidden(&cleaned).is_none());
            if let Ok(item) = datto::load::parse::parse_item(&config, path, "tin-bai/2019/a.md", cleaned) {
                prop_assert!(!item.slug.is_empty(), "an item's slug is never empty");
                prop_assert!(!item.slug.contains('/') && !item.slug.contains(".."), "{}", item.slug);
                prop_assert!(item.title.chars().all(|c| !datto::base::text::is_forbidden(c)));
                prop_assert!(is_clean_relative(&item.path()));
            }
        }
    }

    #[test]
    fn items_with_messy_values_are_safe_or_refused(title in messy(), slug in messy(), tags in messy(), quoted in any::<bool>()) {
        let q = |v: &str| if quoted { format!("{v:?}") } else { v.to_string() };
        let text = format!(
            "---\ntitle: {}\ndate: 2019-01-02\nunit: viet-tri\nslug: {}\ntags: [{}]\n---\nX\n",
            q(&title), q(&slug), q(&tags)
        );
        let path = Path::new("content/tin-bai/2019/a.md");
        let Ok(cleaned) = datto::base::text::clean_file(path, text) else { return Ok(()) };
        if let Ok(item) = datto::load::parse::parse_item(&config(), path, "tin-bai/2019/a.md", cleaned) {
            prop_assert!(!item.slug.is_empty() && !item.slug.contains('/') && !item.slug.contains(".."), "{}", item.slug);
            prop_assert!(is_clean_relative(&item.path()));
            for text in std::iter::once(&item.title).chain(item.tags.iter().map(|t| &t.name)) {
                prop_assert!(datto::base::text::first_forbidden(text).is_none(), "{text:?}");
            }
            prop_assert!(item.tags.iter().all(|t| !t.slug.is_empty()));
        }
    }

    #[test]
    fn item_slugs_from_file_names_are_never_empty(name in messy()) {
        let name = name.replace(['/', '\\', '\0'], "");
        let rel = format!("tin-bai/2019/{name}.md");
        let text = "---\ntitle: Tin\ndate: 2019-01-02\nunit: viet-tri\n---\nX\n".to_string();
        let path = Path::new("content").join(&rel);
        if let Ok(item) = datto::load::parse::parse_item(&config(), &path, &rel, text) {
            prop_assert!(!item.slug.is_empty() && !item.slug.contains('/') && !item.slug.contains(".."), "{rel} → {}", item.slug);
        }
    }

    #[test]
    fn link_rewriting_never_panics_nor_escapes(target in messy(), text in messy()) {
        let body = format!(
            "{text}\n\n[a]({target}) ![b]({target}) [c](<{target}>) [d]: {target}\n\n<{target}>\n"
        );
        let source = Source {
            shown: "content/tin-bai/2019/a.md".into(),
            rel: "tin-bai/2019/a.md".into(),
            body: Arc::new(body),
            body_line: 6,
            text_hash: 0,
        };
        let (rendered, problems) = render(&source, &Echo);
        prop_assert!(!rendered.html.contains("<script"), "{}", rendered.html);
        prop_assert!(problems.iter().all(|p| p.line >= 6));
    }
}
