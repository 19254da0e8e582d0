//! Loading a theme's Tera templates, with errors that name the template file and line.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::Path;

use tera::Tera;

use crate::base::diagnostics::Diagnostic;

/// Templates every theme must provide: one per kind of page, plus the feeds.
pub const REQUIRED: &[&str] = &crate::model::plan::TEMPLATES;

/// A loaded theme.
pub struct Theme {
    pub tera: Tera,
    /// For each template of [`REQUIRED`], a fingerprint of every template text that can
    /// shape its output, comments left out: `serve` re-renders a page after a template edit
    /// only when its fingerprint changed.
    pub fingerprints: HashMap<&'static str, u64>,
    /// Behind the `cached_partial` template function.
    pub partials: std::sync::Arc<super::partials::PartialCache>,
}

/// Reads every file under `templates/` (names relative to it, `/`-separated).
pub fn load(theme_dir: &Path, shown_root: &Path) -> Result<Theme, Vec<Diagnostic>> {
    let dir = theme_dir.join(crate::base::layout::TEMPLATES);
    let shown_dir = crate::base::diagnostics::relative_to(shown_root, &dir);
    if !dir.is_dir() {
        return Err(vec![
            Diagnostic::new(&shown_dir, 1, "không tìm thấy giao diện")
                .with_hint("kiểm tra khóa `theme:` trong content/site.yaml và thư mục themes/"),
        ]);
    }
    let mut sources = Vec::new();
    let mut errors = symlink_problems(theme_dir, shown_root);
    for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(Diagnostic::new(
                    &shown_dir,
                    1,
                    format!("không đọc được mẫu: {e}"),
                ));
                continue;
            }
        };
        if !entry.file_type().is_file()
            || crate::load::inventory::is_ignored(&entry.file_name().to_string_lossy())
        {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&dir) else {
            continue;
        };
        let name = rel.to_string_lossy().replace('\\', "/");
        match std::fs::read_to_string(entry.path()) {
            Ok(text) => sources.push((name, text)),
            Err(e) => errors.push(Diagnostic::new(
                shown_dir.join(rel),
                1,
                format!("không đọc được mẫu: {e}"),
            )),
        }
    }
    for required in REQUIRED {
        if !sources.iter().any(|(name, _)| name == required) {
            errors.push(Diagnostic::new(
                shown_dir.join(required),
                1,
                "giao diện thiếu mẫu này",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let fingerprints = fingerprints(&sources);
    let mut tera = Tera::default();
    tera.set_escape_fn(escape_html);
    tera.add_raw_templates(sources)
        .map_err(|e| vec![template_error(&shown_dir, &e)])?;
    let partials = super::partials::PartialCache::new(tera.clone());
    tera.register_function(
        "cached_partial",
        super::partials::CachedPartial(partials.clone()),
    );
    Ok(Theme {
        tera,
        fingerprints,
        partials,
    })
}

/// Every symlink in the theme folder (templates, static files) that leads outside the site
/// root, to a folder, or nowhere: the theme is published too.
fn symlink_problems(theme_dir: &Path, shown_root: &Path) -> Vec<Diagnostic> {
    // The embedded default theme is written by datto itself into its cache folder (see
    // [`dir`]): only a site's own `themes/NAME/` can hold links staff made.
    if !theme_dir.starts_with(shown_root.join(crate::base::layout::THEMES)) {
        return Vec::new();
    }
    let site_root = crate::load::inventory::real_root(shown_root);
    if let Err(problem) = crate::load::inventory::check_inside(theme_dir, &site_root, shown_root) {
        return vec![problem];
    }
    walkdir::WalkDir::new(theme_dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.path_is_symlink())
        .filter_map(|entry| {
            crate::load::inventory::check_symlink(entry.path(), &site_root, shown_root).err()
        })
        .collect()
}

/// See [`Theme::fingerprints`]. A page template depends on itself, on every template that
/// is not a page template (layouts, macros, partials: whatever it extends, imports or
/// includes), and on every page template whose name any of those mention, transitively.
/// Over-counting only costs a re-render; a missed dependency would leave a stale page.
fn fingerprints(sources: &[(String, String)]) -> HashMap<&'static str, u64> {
    let texts: HashMap<&str, String> = sources
        .iter()
        .map(|(name, text)| (name.as_str(), without_comments(text)))
        .collect();
    let mut shared: Vec<&str> = texts
        .keys()
        .copied()
        .filter(|name| !REQUIRED.contains(name))
        .collect();
    shared.sort_unstable();
    let mentioned_by = |names: &[&str]| -> Vec<&'static str> {
        REQUIRED
            .iter()
            .copied()
            .filter(|page| names.iter().any(|n| texts[n].contains(page)))
            .collect()
    };
    REQUIRED
        .iter()
        .map(|&page| {
            // The page templates this one uses, followed mention by mention.
            let mut used: Vec<&str> = vec![page];
            used.extend(mentioned_by(&shared));
            let mut seen = 0;
            while seen < used.len() {
                let next: Vec<&str> = used[seen..]
                    .iter()
                    .copied()
                    .filter(|n| texts.contains_key(n))
                    .collect();
                seen = used.len();
                for found in mentioned_by(&next) {
                    if !used.contains(&found) {
                        used.push(found);
                    }
                }
            }
            used.sort_unstable();
            used.dedup();
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            for name in shared.iter().chain(&used) {
                (name, texts.get(name)).hash(&mut hasher);
            }
            (page, hasher.finish())
        })
        .collect()
}

/// Template text without its `{# comments #}` (a comment's `-` whitespace markers are
/// kept, as they change the output). Tags and `{% raw %}` sections are copied as they are, so a
/// `{#` inside a string or a raw section is not taken for a comment.
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let close = match rest.as_bytes().get(1) {
            Some(b'#') => "#}",
            Some(b'{') => "}}",
            Some(b'%') => "%}",
            _ => {
                out.push('{');
                rest = &rest[1..];
                continue;
            }
        };
        let end = tag_end(rest, close);
        let tag = &rest[..end];
        if close == "#}" {
            // A plain comment renders as nothing; one that trims whitespace stays a marker.
            let (left, right) = (tag.starts_with("{#-"), tag.ends_with("-#}"));
            if left || right {
                out.push_str(if left { "{#-" } else { "{#" });
                out.push_str(if right { "-#}" } else { "#}" });
            }
            rest = &rest[end..];
            continue;
        }
        out.push_str(tag);
        rest = &rest[end..];
        let words: Vec<&str> = tag
            .trim_matches(|c| "{}%-".contains(c))
            .split_whitespace()
            .collect();
        if words == ["raw"] {
            let raw_end = find_endraw(rest).unwrap_or(rest.len());
            out.push_str(&rest[..raw_end]);
            rest = &rest[raw_end..];
        }
    }
    out.push_str(rest);
    out
}

/// Length of the tag opening `text` and closed by `close`, skipping quoted strings inside
/// `{{ }}` and `{% %}`; the whole text when it never closes.
fn tag_end(text: &str, close: &str) -> usize {
    let bytes = text.as_bytes();
    let mut quote = None;
    let mut at = 2;
    while at < bytes.len() {
        let byte = bytes[at];
        match quote {
            Some(q) if byte == q => quote = None,
            Some(_) => {}
            None if close != "#}" && matches!(byte, b'"' | b'\'' | b'`') => quote = Some(byte),
            None if bytes[at..].starts_with(close.as_bytes()) => return at + close.len(),
            None => {}
        }
        at += 1;
    }
    text.len()
}

/// Where the `{% endraw %}` tag (any whitespace control) starts.
fn find_endraw(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find("{%") {
        let at = from + found;
        let end = tag_end(&text[at..], "%}");
        let words: Vec<&str> = text[at..at + end]
            .trim_matches(|c| "{}%-".contains(c))
            .split_whitespace()
            .collect();
        if words == ["endraw"] {
            return Some(at);
        }
        from = at + 2;
    }
    None
}

/// Escapes text for HTML and XML. Unlike Tera's default, `/` is left alone: URLs and dates
/// ("05/03/2018") stay readable in the source and in feeds; attributes are always quoted.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut copied = 0;
    // Bytes, not chars: the five are ASCII and never part of a multi-byte character, and
    // most text has none of them, so it is copied in one piece.
    for (at, byte) in text.bytes().enumerate() {
        let entity = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[copied..at]);
        out.push_str(entity);
        copied = at + 1;
    }
    out.push_str(&text[copied..]);
    out
}

/// Tera reports "Failed to parse 'x.html'" with " --> L:C" in its cause chain.
pub fn template_error(shown_dir: &Path, error: &tera::Error) -> Diagnostic {
    let mut chain = vec![error.to_string()];
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    let text = chain.join(": ");
    let name = text
        .split('\'')
        .nth(1)
        .filter(|n| n.contains('.'))
        .unwrap_or("");
    let line = text
        .split("--> ")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(1);
    let message = text.split_whitespace().collect::<Vec<_>>().join(" ");
    Diagnostic::new(
        shown_dir.join(name),
        line,
        format!("lỗi mẫu giao diện: {message}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_emptied_and_nothing_else() {
        for (text, expected) in [
            ("a{# note #}b", "ab"),
            ("a {#- note -#} b", "a {#--#} b"),
            ("a {# note -#} b", "a {#-#} b"),
            (
                "{{ x }}{# a #}{% if y %}z{% endif %}",
                "{{ x }}{% if y %}z{% endif %}",
            ),
            ("{{ \"{#\" }}{# c #}", "{{ \"{#\" }}"),
            ("{% set s = '#}' %}{# c #}", "{% set s = '#}' %}"),
            (
                "{% raw %}{# kept #}{% endraw %}{# gone #}",
                "{% raw %}{# kept #}{% endraw %}",
            ),
            (
                "{%- raw -%} {# kept #} {%- endraw %}",
                "{%- raw -%} {# kept #} {%- endraw %}",
            ),
            ("a { b } {", "a { b } {"),
            ("{# never closed", ""),
            (
                "{#- Tiến độ — năm nay #}x{{ \"—\" }}{% if a %}é{% endif %}",
                "{#-#}x{{ \"—\" }}{% if a %}é{% endif %}",
            ),
        ] {
            assert_eq!(without_comments(text), expected, "{text}");
        }
    }

    #[test]
    fn fingerprints_follow_what_a_page_template_uses() {
        let theme = |item: &str, base: &str, tally: &str| {
            let mut sources: Vec<(String, String)> = REQUIRED
                .iter()
                .map(|name| (name.to_string(), String::new()))
                .collect();
            for (name, text) in [
                ("item.html", item),
                ("base.html", base),
                ("tally.html", tally),
            ] {
                sources.retain(|(n, _)| n != name);
                sources.push((name.to_string(), text.to_string()));
            }
            fingerprints(&sources)
        };
        let before = theme(
            "{% extends \"base.html\" %}",
            "<b>",
            "{% include \"item.html\" %}",
        );
        let comment = theme(
            "{% extends \"base.html\" %}{# x #}",
            "<b>",
            "{% include \"item.html\" %}",
        );
        assert_eq!(before, comment, "a comment changes nothing");
        let item = theme(
            "{% extends \"base.html\" %}x",
            "<b>",
            "{% include \"item.html\" %}",
        );
        assert_ne!(before["item.html"], item["item.html"]);
        assert_ne!(
            before["tally.html"], item["tally.html"],
            "tally.html names item.html"
        );
        assert_eq!(before["list.html"], item["list.html"]);
        let base = theme(
            "{% extends \"base.html\" %}",
            "<i>",
            "{% include \"item.html\" %}",
        );
        assert!(
            REQUIRED.iter().all(|name| before[name] != base[name]),
            "base.html is shared"
        );
    }

    #[test]
    fn every_page_kind_has_a_required_template() {
        use crate::model::config::{KindId, UnitId};
        use crate::model::plan::PageKind;
        let kinds = [
            PageKind::Home,
            PageKind::ItemList { page: 1 },
            PageKind::Item(0),
            PageKind::UnitIndex,
            PageKind::Unit {
                unit: UnitId(0),
                page: 1,
            },
            PageKind::TagIndex,
            PageKind::Tag { tag: 0, page: 1 },
            PageKind::ProfileIndex,
            PageKind::ProfileKind(KindId(0)),
            PageKind::Profile(0),
            PageKind::Page(0),
            PageKind::NotFound,
            PageKind::Feed,
            PageKind::UnitFeed(UnitId(0)),
            PageKind::Sitemap,
            PageKind::Robots,
            PageKind::TallyIndex,
            PageKind::TallyYear(2018),
            PageKind::Search,
        ];
        for kind in kinds {
            let template = kind.template().unwrap_or("none");
            assert!(REQUIRED.contains(&template), "{kind:?}: {template}");
        }
        assert_eq!(PageKind::TallyCsv(2018).template(), None);
    }

    #[test]
    fn escaping_keeps_slashes_and_escapes_markup() {
        assert_eq!(escape_html("05/03/2018"), "05/03/2018");
        assert_eq!(escape_html(""), "");
        assert_eq!(escape_html("Phụ nữ & Đất Tổ"), "Phụ nữ &amp; Đất Tổ");
        assert_eq!(escape_html("Hà \"Nội\">"), "Hà &quot;Nội&quot;&gt;");
        assert_eq!(
            escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
