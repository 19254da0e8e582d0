//! Markdown → HTML with pulldown-cmark: heading anchors, highlighted code (syntect, CSS
//! classes), links between content files rewritten to page URLs, raw HTML escaped, and the
//! plain-text summary taken from the first paragraph.

use std::sync::OnceLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd, html};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::base::diagnostics::Diagnostic;
use crate::base::slug::slugify;
use crate::model::content::Source;

mod broken;

/// Prefix of syntect's CSS classes, so they never clash with the theme's own.
pub const CODE_CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "z-" };

/// How many words the automatic summary keeps.
const SUMMARY_WORDS: usize = 40;

/// What a link in Markdown points to, as decided by the site (which knows every file).
pub trait LinkResolver {
    /// `Ok(Some(url))` to rewrite the link, `Ok(None)` to keep it as written, `Err(message)`
    /// for a broken link. `dir` is the folder of the referring file, relative to `content/`.
    fn resolve(&self, dir: &str, dest: &str, is_image: bool) -> Result<Option<String>, String>;

    /// The published sizes of a photo (`srcset`, `width`/`height`), if `dest` is one.
    fn picture(&self, _dir: &str, _dest: &str) -> Option<crate::images::Shown> {
        None
    }

    /// True when the page shows a cover image above the body: then no body image is on the
    /// first screen, and all are loaded lazily.
    fn has_cover(&self) -> bool {
        false
    }
}

/// The width a photo takes in an article (`.article` is at most 46rem wide).
const BODY_SIZES: &str = "(min-width: 48rem) 46rem, 100vw";

pub struct Rendered {
    pub html: String,
    /// Plain text of the first paragraph, cut at about 40 words.
    pub summary: String,
}

pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Loaded on first use only: a site without code blocks never pays for it.
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Renders `source.body`. Broken links are returned as diagnostics at their file line; the
/// HTML is still produced so that every problem of the site is found in one run.
pub fn render(source: &Source, resolver: &dyn LinkResolver) -> (Rendered, Vec<Diagnostic>) {
    let body: &str = &source.body;
    let mut problems = Vec::new();
    let mut events: Vec<Event> = Vec::new();
    let mut summary: Option<String> = None;
    let mut summary_text: Option<String> = None;
    // An image being read: its URL and title, and its alt text as it comes.
    let mut image: Option<(String, String, String, Option<crate::images::Shown>)> = None;
    // The first photo may be on the first screen: it is not loaded lazily.
    let mut images_seen = usize::from(resolver.has_cover());
    let mut heading: Option<(usize, Vec<Event>)> = None;
    let mut code: Option<(Option<String>, String)> = None;
    let mut used_ids: Vec<String> = Vec::new();
    // Where each image's HTML is in `events`, with its caption: see `crate::assemble::figures`.
    let mut figures: Vec<(usize, Option<String>)> = Vec::new();
    // The last line scanned for Markdown that failed to become a link (each line once).
    let mut scanned_line = 0;

    // Counted from the last offset asked, not from the start: offsets come in (nearly)
    // ascending order, so a body costs one pass, where counting from the start each time
    // made a 1 MB body take 12 s and 200 KB of `[` 11 s.
    let last = std::cell::Cell::new((0usize, 0usize));
    let line_of = |offset: usize| {
        let newlines = |a: usize, b: usize| {
            body.as_bytes()
                .get(a..b)
                .map_or(0, |s| s.iter().filter(|c| **c == b'\n').count())
        };
        let (at, lines) = last.get();
        let lines = if offset >= at {
            lines + newlines(at, offset)
        } else {
            lines - newlines(offset, at)
        };
        last.set((offset, lines));
        source.body_line + lines
    };
    // The link's new URL, if it changes; a broken link becomes a problem at its line.
    let resolve = |problems: &mut Vec<Diagnostic>, offset: usize, dest: &str, is_image: bool| {
        resolver
            .resolve(source.dir(), dest, is_image)
            .unwrap_or_else(|message| {
                problems.push(Diagnostic::new(&source.shown, line_of(offset), message));
                None
            })
    };

    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        // Images: gather the alt text, then emit the tag ourselves (lazy, no XML-style slash).
        if let Some((src, title, alt, shown)) = image.as_mut() {
            match event {
                Event::Text(t) | Event::Code(t) => alt.push_str(&t),
                Event::SoftBreak | Event::HardBreak => alt.push(' '),
                Event::End(TagEnd::Image) => {
                    figures.push((events.len(), crate::assemble::figures::caption(title, alt)));
                    images_seen += 1;
                    let html = match shown {
                        Some(shown) => shown.html(alt, title, BODY_SIZES, images_seen > 1),
                        None => image_html(src, title, alt),
                    };
                    events.push(Event::Html(html.into()));
                    image = None;
                }
                _ => {}
            }
            continue;
        }
        // Code blocks: gather the text, then emit highlighted HTML at the end.
        if let Some((lang, text)) = code.as_mut() {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    events.push(Event::Html(highlight(lang.as_deref(), text).into()));
                    code = None;
                }
                _ => {}
            }
            continue;
        }
        // Brackets left as text: a link or image CommonMark could not read (see `broken`).
        if let Event::Text(text) = &event {
            let line = line_of(range.start);
            if text.contains(['[', ']', '(']) && line != scanned_line {
                scanned_line = line;
                let start = body[..range.start].rfind('\n').map_or(0, |i| i + 1);
                let end = body[range.start..]
                    .find('\n')
                    .map_or(body.len(), |i| i + range.start);
                for found in broken::scan_line(&body[start..end]) {
                    let (message, hint) = broken::message(&found);
                    problems.push(Diagnostic::new(&source.shown, line, message).with_hint(hint));
                }
            }
        }
        let event = match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().map(str::to_string)
                    }
                    CodeBlockKind::Indented => None,
                };
                code = Some((lang, String::new()));
                continue;
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let rewritten = resolve(&mut problems, range.start, &dest_url, false);
                let dest_url = rewritten.map_or(dest_url, CowStr::from);
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                let src = resolve(&mut problems, range.start, &dest_url, true)
                    .unwrap_or_else(|| dest_url.to_string());
                let shown = resolver.picture(source.dir(), &dest_url);
                image = Some((src, title.to_string(), String::new(), shown));
                continue;
            }
            // Tables scroll sideways on phones inside a region the keyboard can reach.
            Event::Start(Tag::Table(alignments)) => {
                events.push(Event::Html(
                    "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Bảng\">"
                        .into(),
                ));
                Event::Start(Tag::Table(alignments))
            }
            Event::End(TagEnd::Table) => {
                events.push(Event::End(TagEnd::Table));
                Event::Html("</div>\n".into())
            }
            // Raw HTML is shown as text, never executed: content comes from many hands.
            Event::Html(raw) | Event::InlineHtml(raw) => {
                if raw.trim_start().starts_with("<!--") {
                    continue;
                }
                Event::Text(raw)
            }
            Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
            Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
            other => other,
        };

        // The summary: text of the first paragraph, without image alt text.
        match &event {
            Event::Start(Tag::Paragraph) if summary.is_none() && summary_text.is_none() => {
                summary_text = Some(String::new());
            }
            Event::End(TagEnd::Paragraph) if summary.is_none() => {
                if let Some(text) = summary_text.take()
                    && !text.trim().is_empty()
                {
                    summary = Some(text);
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some(text) = summary_text.as_mut() {
                    text.push_str(t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(text) = summary_text.as_mut() {
                    text.push(' ');
                }
            }
            _ => {}
        }

        // Headings: buffer until the end to derive the anchor from the heading's text.
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some((events.len(), vec![event])),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((_, mut buffered)) = heading.take() {
                    buffered.push(event);
                    events.extend(with_anchor(buffered, &mut used_ids));
                }
            }
            other => match heading.as_mut() {
                Some((_, buffered)) => buffered.push(other),
                None => events.push(other),
            },
        }
    }

    // HTML runs about 1.1 times the Markdown; this string is kept for the whole build.
    let mut out = String::with_capacity(body.len() + body.len() / 4 + 64);
    let events = crate::assemble::figures::wrap(events, &figures);
    html::push_html(&mut out, events.into_iter());
    let rendered = Rendered {
        html: out,
        summary: cut_words(&summary.unwrap_or_default(), SUMMARY_WORDS),
    };
    (rendered, problems)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).ok();
    out
}

fn image_html(src: &str, title: &str, alt: &str) -> String {
    let mut src_attr = String::with_capacity(src.len());
    pulldown_cmark_escape::escape_href(&mut src_attr, src).ok();
    let title = if title.is_empty() {
        String::new()
    } else {
        format!(" title=\"{}\"", escape(title))
    };
    format!(
        "<img src=\"{src_attr}\" alt=\"{}\"{title} loading=\"lazy\" decoding=\"async\">",
        escape(alt)
    )
}

/// Gives a heading its `id`: the one written (`{#id}`) or the slug of its text, made unique.
fn with_anchor<'a>(mut buffered: Vec<Event<'a>>, used: &mut Vec<String>) -> Vec<Event<'a>> {
    let text: String = buffered
        .iter()
        .filter_map(|e| match e {
            Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
            _ => None,
        })
        .collect();
    if let Some(Event::Start(Tag::Heading { id, .. })) = buffered.first_mut() {
        let base = match id.as_deref() {
            Some(written) if !written.is_empty() => written.to_string(),
            _ => {
                let slug = slugify(&text);
                if slug.is_empty() {
                    "muc".to_string()
                } else {
                    slug
                }
            }
        };
        let mut unique = base.clone();
        let mut n = 1;
        while used.contains(&unique) {
            unique = format!("{base}-{n}");
            n += 1;
        }
        used.push(unique.clone());
        *id = Some(unique.into());
    }
    buffered
}

fn highlight(lang: Option<&str>, code: &str) -> String {
    let syntax = lang.and_then(|l| syntaxes().find_syntax_by_token(l));
    let (Some(lang), Some(syntax)) = (lang, syntax) else {
        let mut escaped = String::with_capacity(code.len() + 32);
        escaped.push_str("<pre class=\"code\"><code>");
        pulldown_cmark_escape::escape_html(&mut escaped, code).ok();
        escaped.push_str("</code></pre>\n");
        return escaped;
    };
    let mut generator =
        ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes(), CODE_CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        if generator
            .parse_html_for_line_which_includes_newline(line)
            .is_err()
        {
            // A grammar that fails on odd input: show the code plain rather than fail the build.
            return highlight(None, code);
        }
    }
    let mut lang_attr = String::new();
    pulldown_cmark_escape::escape_html(&mut lang_attr, lang).ok();
    format!(
        "<pre class=\"code\" data-lang=\"{lang_attr}\"><code>{}</code></pre>\n",
        generator.finalize()
    )
}

/// Keeps the first `words` words, adding "…" when something was cut.
pub fn cut_words(text: &str, words: usize) -> String {
    let mut iter = text.split_whitespace();
    let kept: Vec<&str> = iter.by_ref().take(words).collect();
    let mut out = kept.join(" ");
    if iter.next().is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    struct Fake;
    impl LinkResolver for Fake {
        fn resolve(
            &self,
            dir: &str,
            dest: &str,
            _is_image: bool,
        ) -> Result<Option<String>, String> {
            match dest {
                "../2017/b.md" => Ok(Some(format!("/tin-bai/2017/b/#from-{}", dir.len()))),
                "missing.md" => Err("liên kết hỏng `missing.md`".into()),
                _ => Ok(None),
            }
        }
    }

    fn source(body: &str) -> Source {
        Source {
            shown: PathBuf::from("content/tin-bai/2018/a.md"),
            rel: "tin-bai/2018/a.md".into(),
            body: body.to_string().into(),
            body_line: 6,
            text_hash: 0,
        }
    }

    fn html(body: &str) -> String {
        render(&source(body), &Fake).0.html
    }

    #[test]
    fn headings_get_unique_vietnamese_anchors() {
        let out = html("## Kết quả đạt được\n\n## Kết quả đạt được\n\n## Khác {#rieng}\n\n## 🌸\n");
        assert!(
            out.contains("<h2 id=\"ket-qua-dat-duoc\">Kết quả đạt được</h2>"),
            "{out}"
        );
        assert!(out.contains("<h2 id=\"ket-qua-dat-duoc-1\">"), "{out}");
        assert!(out.contains("<h2 id=\"rieng\">Khác</h2>"), "{out}");
        assert!(out.contains("<h2 id=\"muc\">"), "{out}");
    }

    #[test]
    fn markdown_that_failed_to_become_an_image_is_reported() {
        let body = "Đoạn đầu.\n\n![Đội thi](ảnh đội thi.jpg)\n\nXem [bài](hai từ.md) và `[x](a b)`.\n\n![Đúng](<ảnh đội thi.jpg>)\n";
        let (out, problems) = render(&source(body), &Fake);
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(shown.len(), 2, "{shown:#?}");
        assert!(
            shown[0].starts_with(
                "content/tin-bai/2018/a.md:8: `![Đội thi](ảnh đội thi.jpg)` không thành ảnh"
            ),
            "{shown:#?}"
        );
        assert!(
            shown[0].contains("ghi `![Đội thi](<ảnh đội thi.jpg>)`"),
            "{shown:#?}"
        );
        assert!(
            shown[1].contains(":10: `[bài](hai từ.md)` không thành liên kết"),
            "{shown:#?}"
        );
        // The angle-bracket form is an image.
        assert!(
            out.html
                .contains("<img src=\"%E1%BA%A3nh%20%C4%91%E1%BB%99i%20thi.jpg\""),
            "{}",
            out.html
        );
    }

    #[test]
    fn links_are_rewritten_and_broken_ones_reported_with_line() {
        let (out, problems) = render(
            &source("Xem [bài](../2017/b.md).\n\nVà [hỏng](missing.md)."),
            &Fake,
        );
        assert!(
            out.html.contains("href=\"/tin-bai/2017/b/#from-13\""),
            "{}",
            out.html
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 8);
        assert!(
            problems[0]
                .to_string()
                .starts_with("content/tin-bai/2018/a.md:8: liên kết hỏng")
        );
    }

    #[test]
    fn images_are_lazy_with_escaped_alt_and_no_slash() {
        let out = html("![Ảnh A & B < C](anh%20mới.jpg \"Tiêu đề\")\n");
        assert!(
            out.contains("<img src=\"anh%20m%E1%BB%9Bi.jpg\" alt=\"Ảnh A &amp; B &lt; C\" title=\"Tiêu đề\" loading=\"lazy\" decoding=\"async\">"),
            "{out}"
        );
        assert!(!out.contains("/>"), "{out}");
    }

    #[test]
    fn a_photo_alone_gets_a_caption_and_one_in_text_does_not() {
        let out = html("![Đội thi](a.jpg \"Đội thi <xã> Tiên Kiên\")\n\nCó ![ảnh](b.jpg) ở đây.\n");
        assert!(
            out.starts_with("<figure class=\"figure\"><img src=\"a.jpg\""),
            "{out}"
        );
        assert!(
            out.contains("<figcaption>Đội thi &lt;xã&gt; Tiên Kiên</figcaption></figure>"),
            "{out}"
        );
        assert!(out.contains("<p>Có <img src=\"b.jpg\""), "{out}");
        assert_eq!(out.matches("<figure").count(), 1, "{out}");
    }

    #[test]
    fn raw_html_is_escaped() {
        let out =
            html("<script>alert(1)</script>\n\nChữ <b onclick=\"x\">đậm</b>\n\n<!-- ghi chú -->\n");
        assert!(!out.contains("<script"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
        assert!(!out.contains("<b "), "{out}");
        assert!(!out.contains("ghi chú"), "{out}");
    }

    #[test]
    fn extensions_are_on() {
        let out = html(
            "| a | b |\n|---|--:|\n| 1 | 2 |\n\n~~gạch~~ \"ngoặc\"\n\n- [x] xong\n\nChú thích[^1]\n\n[^1]: Nguồn.\n",
        );
        assert!(out.contains("<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"Bảng\"><table>"), "{out}");
        assert!(out.contains("</table>\n</div>"), "{out}");
        assert!(out.contains("<del>gạch</del>"), "{out}");
        assert!(out.contains("“ngoặc”"), "{out}");
        assert!(out.contains("type=\"checkbox\""), "{out}");
        assert!(out.contains("footnote-definition"), "{out}");
    }

    #[test]
    fn code_is_highlighted_with_classes_or_escaped() {
        let out = html("```rust\nfn main() { let x = \"<a>\"; }\n```\n\n```khong-biet\n<b>\n```\n");
        assert!(
            out.contains("<pre class=\"code\" data-lang=\"rust\">"),
            "{out}"
        );
        assert!(out.contains("class=\"z-"), "{out}");
        assert!(out.contains("&lt;b&gt;"), "{out}");
        assert!(!out.contains("<b>"), "{out}");
    }

    #[test]
    fn summary_is_first_paragraph_cut_at_40_words() {
        let long = (1..=60)
            .map(|i| format!("từ{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let (out, _) = render(
            &source(&format!("![ảnh](a.png)\n\n**{long}**\n\nĐoạn hai.")),
            &Fake,
        );
        assert!(out.summary.starts_with("từ1 từ2"), "{}", out.summary);
        assert!(out.summary.ends_with("từ40…"), "{}", out.summary);
        let (short, _) = render(&source("# Tiêu đề\n\nNgắn *gọn*\nhai dòng."), &Fake);
        assert_eq!(short.summary, "Ngắn gọn hai dòng.");
    }
}
