//! A photo alone in its paragraph becomes a `<figure>` with a caption: the Markdown image
//! title (`![alt](anh.jpg "Chú thích")`), else its alt text, as news sites caption photos.
//! A photo inside running text stays inline. The image tag itself is made elsewhere
//! ([`crate::assemble::markdown`]); this only replaces the paragraph around it.

use pulldown_cmark::{Event, Tag, TagEnd};

/// The caption of an image: its title, else its alt text; `None` when both are empty.
pub fn caption(title: &str, alt: &str) -> Option<String> {
    [title, alt]
        .into_iter()
        .map(str::trim)
        .find(|text| !text.is_empty())
        .map(str::to_string)
}

/// Turns `<p><img></p>` into `<figure><img><figcaption>…</figcaption></figure>` for each
/// `(index, caption)`: the index in `events` of an image's HTML.
pub fn wrap<'a>(mut events: Vec<Event<'a>>, images: &[(usize, Option<String>)]) -> Vec<Event<'a>> {
    for (at, caption) in images {
        let (Some(caption), Some(before)) = (caption, at.checked_sub(1)) else {
            continue;
        };
        let alone = matches!(events.get(before), Some(Event::Start(Tag::Paragraph)))
            && matches!(events.get(at + 1), Some(Event::End(TagEnd::Paragraph)));
        if alone {
            let mut text = String::with_capacity(caption.len());
            pulldown_cmark_escape::escape_html(&mut text, caption).ok();
            events[before] = Event::Html("<figure class=\"figure\">".into());
            events[at + 1] =
                Event::Html(format!("<figcaption>{text}</figcaption></figure>\n").into());
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caption_is_title_else_alt() {
        assert_eq!(caption("Chú thích", "Ảnh").as_deref(), Some("Chú thích"));
        assert_eq!(caption(" ", "Ảnh đội thi").as_deref(), Some("Ảnh đội thi"));
        assert_eq!(caption("", ""), None);
    }
}
