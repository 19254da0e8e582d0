//! The Markdown written for Word documents, and that it renders as written.

use super::*;
use crate::import::document::ListItem;
use pulldown_cmark::{Event, Parser};

fn t(text: &str) -> Inline {
    Inline::text(text)
}

fn styled(text: &str, bold: bool, italic: bool) -> Inline {
    Inline::Text {
        text: text.into(),
        style: Style { bold, italic },
    }
}

/// The text pulldown-cmark (with datto's options) shows for `markdown`.
fn rendered_text(markdown: &str) -> String {
    Parser::new_ext(markdown, crate::assemble::markdown::options())
        .filter_map(|e| match e {
            Event::Text(t) => Some(t.into_string()),
            Event::HardBreak => Some("\n".into()),
            _ => None,
        })
        .collect()
}

#[test]
fn inlines_become_markdown() {
    let cases: Vec<(Vec<Inline>, &str)> = vec![
        (
            vec![t("Chào "), styled("đậm", true, false), t(".")],
            "Chào **đậm**.",
        ),
        (
            vec![styled("đậm ", true, false), t("thường")],
            "**đậm** thường",
        ),
        (
            vec![styled("a ", true, false), styled("b", true, false)],
            "**a b**",
        ),
        (
            vec![styled("a", true, true), styled("b", false, true)],
            "***a**b*",
        ),
        (
            vec![styled("cả hai", true, true), t(" rồi")],
            "***cả hai*** rồi",
        ),
        (vec![styled("   ", true, false), t("x")], "x"),
        (
            vec![t("dòng một"), Inline::LineBreak, t("dòng hai")],
            "dòng một\\\ndòng hai",
        ),
        (
            vec![t("cuối "), Inline::LineBreak, Inline::LineBreak],
            "cuối",
        ),
        (vec![t("# không phải tiêu đề")], "\\# không phải tiêu đề"),
        (
            vec![t("1. không phải danh sách")],
            "1\\. không phải danh sách",
        ),
        (vec![t("a"), Inline::LineBreak, t("- b")], "a\\\n\\- b"),
        (
            vec![t("5 * 3 = 15, a_b, [x]")],
            "5 \\* 3 = 15, a\\_b, \\[x\\]",
        ),
        (vec![t("“cong” \"thẳng\"")], "“cong” \\\"thẳng\\\""),
        (
            vec![
                t("xem "),
                Inline::Link {
                    target: "https://a.vn/x (1)|2".into(),
                    inlines: vec![styled("trang", true, false)],
                },
            ],
            "xem [**trang**](https://a.vn/x%20%281%29%7C2)",
        ),
    ];
    for (inlines, expected) in cases {
        assert_eq!(inline_markdown(&inlines, &[]), expected, "{inlines:?}");
    }
}

#[test]
fn escaped_text_renders_as_written() {
    let cases = [
        "Hội nghị -- tổng kết... “Phụ nữ” 'x' & &amp; <b>",
        "## {#id} | ~xoá~ `mã` \\ */_ ![a](b)",
        "100% [^1] [ ] - + = >",
    ];
    for text in cases {
        for start in [true, false] {
            let md = escape(text, start);
            let prefix = if start { "" } else { "x " };
            assert_eq!(
                rendered_text(&format!("{prefix}{md}")),
                format!("{prefix}{text}"),
                "{md}"
            );
        }
    }
}

proptest::proptest! {
    #[test]
    fn any_text_renders_as_written(
        text in "[a-zA-ZàáạảãâầấậẩẫăằắặẳẵèéẹẻẽđĐ0-9 .,:;!?#*_`~|<>\\[\\](){}\"'&=+\\-\\\\%$^“”…]{1,40}"
    ) {
        let text = text.trim();
        proptest::prop_assume!(!text.is_empty());
        let md = inline_markdown(&[Inline::text(text)], &[]);
        let shown = rendered_text(&md);
        // Runs of spaces collapse in HTML anyway; compare the words.
        let words = |s: &str| s.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
        proptest::prop_assert_eq!(words(&shown), words(text), "markdown: {}", md);
    }
}

#[test]
fn blocks_become_markdown() {
    let document = Document {
        title_property: None,
        blocks: vec![
            Block::Heading {
                level: 1,
                inlines: vec![styled("Kết quả", true, false)],
            },
            Block::List(List {
                ordered: false,
                items: vec![
                    ListItem {
                        inlines: vec![t("một")],
                        children: vec![List {
                            ordered: true,
                            items: vec![
                                ListItem {
                                    inlines: vec![t("a"), Inline::LineBreak, t("b")],
                                    children: vec![],
                                },
                                ListItem {
                                    inlines: vec![t("c")],
                                    children: vec![],
                                },
                            ],
                        }],
                    },
                    ListItem {
                        inlines: vec![t("# hai")],
                        children: vec![],
                    },
                ],
            }),
            Block::Table(Table {
                rows: vec![
                    vec![
                        Cell::Content(vec![vec![t("Xã")]]),
                        Cell::Content(vec![vec![t("Số")]]),
                        Cell::Covered,
                    ],
                    vec![
                        Cell::Content(vec![vec![t("A|B")], vec![t("dòng 2")]]),
                        Cell::Covered,
                        Cell::Content(vec![]),
                    ],
                ],
            }),
            Block::Paragraph(vec![Inline::Image {
                image: 0,
                alt: "Ảnh [1]".into(),
            }]),
            Block::Paragraph(vec![t("  ")]),
        ],
        images: vec![Image {
            name: "anh 1.jpg".into(),
            bytes: vec![],
        }],
        warnings: vec![],
    };
    let md = write(&document);
    assert_eq!(
        md,
        "## Kết quả\n\n- một\n  1. a\\\n     b\n  2. c\n- \\# hai\n\n| Xã | Số |  |\n| --- | --- | --- |\n| A\\|B dòng 2 |  |  |\n\n![Ảnh \\[1\\]](anh%201.jpg)\n"
    );
    let html = {
        let mut html = String::new();
        pulldown_cmark::html::push_html(
            &mut html,
            Parser::new_ext(&md, crate::assemble::markdown::options()),
        );
        html
    };
    assert!(html.contains("<ol>"), "{html}");
    assert!(html.contains("<td>A|B dòng 2</td>"), "{html}");
    assert!(html.contains("<h1>") || html.contains("<h2>"), "{html}");
}
