//! How an imported item's title is chosen (`import::title`), table-driven.

use super::super::document::{Block, Inline};
use super::*;

fn table_of(text: &str) -> Block {
    Block::Table(document::Table {
        rows: vec![vec![document::Cell::Content(vec![vec![Inline::text(
            text,
        )]])]],
    })
}

fn letterhead() -> Block {
    Block::Table(document::Table {
        rows: vec![vec![
            document::Cell::Content(vec![
                vec![Inline::text("HỘI LHPN TỈNH PHÚ THỌ")],
                vec![Inline::text("Số: 12/BC-HPN")],
            ]),
            document::Cell::Content(vec![
                vec![Inline::text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")],
                vec![Inline::text("Độc lập - Tự do - Hạnh phúc")],
            ]),
        ]],
    })
}

#[test]
fn titles() {
    let heading = |text: &str| Block::Heading {
        level: 1,
        inlines: vec![Inline::text(text)],
    };
    let para = |text: &str| Block::Paragraph(vec![Inline::text(text)]);
    let long = "một ".repeat(40);
    let cut = format!("{}…", "một ".repeat(15).trim());
    // (title property, blocks) → (title, blocks left in the body)
    type Case<'a> = (Option<&'a str>, Vec<Block>, Option<&'a str>, usize);
    let cases: Vec<Case> = vec![
        // The property wins; a first heading saying the same is not repeated.
        (
            Some("Hội nghị"),
            vec![heading("HỘI NGHỊ"), para("x")],
            Some("Hội nghị"),
            1,
        ),
        (
            Some("Hội nghị"),
            vec![heading("Khác"), para("x")],
            Some("Hội nghị"),
            2,
        ),
        // A Title paragraph, then a first heading.
        (
            None,
            vec![para("x"), Block::Title(vec![Inline::text("Tựa")])],
            Some("Tựa"),
            1,
        ),
        (None, vec![heading("Đầu"), para("x")], Some("Đầu"), 1),
        // A heading further down names its section and stays.
        (None, vec![para("mở"), heading("Giữa")], Some("Giữa"), 2),
        // A short first paragraph is the title; a long one is cut and kept.
        (None, vec![para("Tin ngắn"), para("x")], Some("Tin ngắn"), 1),
        (None, vec![para(&long)], Some(&cut), 1),
        (None, vec![], None, 0),
        // Only a list: its first item names the item and stays.
        (
            None,
            vec![Block::List(document::List {
                ordered: false,
                items: vec![document::ListItem {
                    inlines: vec![Inline::text("Mục một")],
                    children: vec![],
                }],
            })],
            Some("Mục một"),
            1,
        ),
        // A photo in the title paragraph stays in the body.
        (
            None,
            vec![Block::Heading {
                level: 1,
                inlines: vec![
                    Inline::text("Có ảnh"),
                    Inline::Image {
                        image: 0,
                        alt: "a".into(),
                    },
                ],
            }],
            Some("Có ảnh"),
            1,
        ),
        // An official document: the letterhead goes, the kind takes its subject.
        (
            None,
            vec![
                letterhead(),
                para("BÁO CÁO"),
                para("Kết quả công tác Hội năm 2025"),
                para("Năm 2025, Hội LHPN tỉnh…"),
            ],
            Some("Báo cáo kết quả công tác Hội năm 2025"),
            1,
        ),
        (
            None,
            vec![heading("KẾ HOẠCH"), para("TỔ CHỨC NGÀY HỘI"), para("x")],
            Some("Kế hoạch tổ chức ngày hội"),
            1,
        ),
        // A table that is not a letterhead stays; a kind word inside a title is no kind.
        (
            None,
            vec![table_of("Đơn vị"), para("Báo cáo viên giỏi"), para("x")],
            Some("Báo cáo viên giỏi"),
            2,
        ),
    ];
    for (property, blocks, expected, remaining) in cases {
        let mut document = Document {
            title_property: property.map(str::to_owned),
            blocks,
            ..Document::default()
        };
        assert_eq!(
            take_title(&mut document).as_deref(),
            expected,
            "{property:?}"
        );
        assert_eq!(document.blocks.len(), remaining, "{expected:?}");
    }
    let document = read(&docx_with_title(&p(&r("x")), Some("  Tựa   đề "))).unwrap();
    assert_eq!(document.title_property.as_deref(), Some("Tựa đề"));
}
