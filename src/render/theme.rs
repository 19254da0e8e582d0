//! Loading a theme's Tera templates, with errors that name the template file and line.

use std::path::Path;

use tera::Tera;

use crate::diagnostics::Diagnostic;

/// Templates every theme must provide: one per kind of page, plus the feeds.
pub const REQUIRED: &[&str] = &[
    "index.html",
    "list.html",
    "item.html",
    "units.html",
    "unit.html",
    "tags.html",
    "tag.html",
    "profiles.html",
    "profile_kind.html",
    "profile.html",
    "page.html",
    "404.html",
    "rss.xml",
    "sitemap.xml",
    "robots.txt",
    "tally.html",
    "tally_index.html",
];

/// Reads every file under `templates/` (names relative to it, `/`-separated).
pub fn load(theme_dir: &Path, shown_root: &Path) -> Result<Tera, Vec<Diagnostic>> {
    let dir = theme_dir.join("templates");
    let shown_dir = crate::diagnostics::relative_to(shown_root, &dir);
    if !dir.is_dir() {
        return Err(vec![
            Diagnostic::new(&shown_dir, 1, "không tìm thấy giao diện")
                .with_hint("kiểm tra khóa `theme:` trong content/site.yaml và thư mục themes/"),
        ]);
    }
    let mut sources = Vec::new();
    let mut errors = Vec::new();
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
            || crate::content::inventory::is_ignored(&entry.file_name().to_string_lossy())
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
    let mut tera = Tera::default();
    tera.set_escape_fn(escape_html);
    tera.add_raw_templates(sources)
        .map_err(|e| vec![template_error(&shown_dir, &e)])?;
    Ok(tera)
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
