//! The item's title, chosen from the document and taken out of the body where it would
//! repeat.

use super::document::{self, Block, Document, Inline, plain_text};
use crate::base::slug::match_key;

/// The item's title, taken out of the body where it would repeat: the document's title
/// property, else its first "Title" or heading paragraph, else its first paragraph. An
/// official document's letterhead (the table holding the national motto) is left out, and a
/// title that is only its kind ("BÁO CÁO") takes the subject line after it.
pub fn take_title(document: &mut Document) -> Option<String> {
    drop_letterhead(document);
    let title = choose(document)?;
    Some(with_subject(document, title))
}

/// The motto every official document opens with, as [`match_key`] spells it.
const MOTTO: &str = "conghoaxahoichunghiavietnam";

/// Văn bản hành chính open with a table: the union's name and the document's number on
/// the left, the national motto and "Phú Thọ, ngày … tháng … năm …" on the right. On the
/// site it is noise (and a table on a phone); the date is the item's own.
fn drop_letterhead(document: &mut Document) {
    let Some(first) = document.blocks.iter().position(|b| !is_blank(b)) else {
        return;
    };
    let Block::Table(table) = &document.blocks[first] else {
        return;
    };
    let text: String = table
        .rows
        .iter()
        .flatten()
        .filter_map(|cell| match cell {
            document::Cell::Content(paragraphs) => {
                Some(paragraphs.iter().map(|p| plain_text(p)).collect::<String>())
            }
            document::Cell::Covered => None,
        })
        .collect();
    if match_key(&text).contains(MOTTO) {
        document.blocks.remove(first);
        document.warnings.push(
            "đã bỏ phần đầu văn bản (tên cơ quan, số văn bản, quốc hiệu, tiêu ngữ); ngày đăng là `date` của bài"
                .to_owned(),
        );
    }
}

fn is_blank(block: &Block) -> bool {
    matches!(block, Block::Paragraph(inlines) if plain_text(inlines).trim().is_empty())
}

/// Kinds of official documents, as [`match_key`] spells them: alone they name no item.
const KINDS: [&str; 14] = [
    "baocao",
    "kehoach",
    "thongbao",
    "quyetdinh",
    "totrinh",
    "congvan",
    "nghiquyet",
    "huongdan",
    "chuongtrinh",
    "giaymoi",
    "bienban",
    "quyche",
    "dieule",
    "chithi",
];

/// "BÁO CÁO" + "Kết quả công tác Hội năm 2025" → "Báo cáo kết quả công tác Hội năm 2025",
/// the subject line taken out of the body. Any other title as it is.
fn with_subject(document: &mut Document, title: String) -> String {
    if !KINDS.contains(&match_key(&title).as_str()) {
        return title;
    }
    let Some(i) = document.blocks.iter().position(|b| {
        matches!(
            b,
            Block::Paragraph(_) | Block::Heading { .. } | Block::Title(_)
        ) && !block_text(b).trim().is_empty()
    }) else {
        return title;
    };
    let subject = block_text(&document.blocks[i]);
    let subject = subject.trim();
    if subject.split_whitespace().count() > 40 {
        return title;
    }
    remove_keeping_photos(&mut document.blocks, i);
    let kind = title.trim().to_lowercase();
    let mut kind_chars = kind.chars();
    let kind: String = kind_chars
        .next()
        .map(|c| c.to_uppercase().chain(kind_chars).collect())
        .unwrap_or_default();
    // The subject may be in capitals too ("KẾT QUẢ CÔNG TÁC…"): then it is lowered.
    let subject = if subject.chars().any(char::is_lowercase) {
        let mut chars = subject.chars();
        chars
            .next()
            .map(|c| c.to_lowercase().chain(chars).collect())
            .unwrap_or_default()
    } else {
        subject.to_lowercase()
    };
    format!("{kind} {subject}")
}

fn choose(document: &mut Document) -> Option<String> {
    let first_text_block = document
        .blocks
        .iter()
        .position(|b| !block_text(b).is_empty());
    if let Some(title) = document.title_property.clone() {
        // The same words as a first heading or Title paragraph: shown once, as the title.
        if let Some(i) = first_text_block {
            let same = matches!(document.blocks[i], Block::Heading { .. } | Block::Title(_))
                && match_key(&block_text(&document.blocks[i])) == match_key(&title);
            if same {
                remove_keeping_photos(&mut document.blocks, i);
            }
        }
        return Some(title);
    }
    let title_like = document
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Title(_)) && !block_text(b).is_empty())
        .or_else(|| {
            document
                .blocks
                .iter()
                .position(|b| matches!(b, Block::Heading { .. }) && !block_text(b).is_empty())
        });
    if let Some(i) = title_like {
        let title = block_text(&document.blocks[i]);
        // A heading further down names a section: it stays where it is.
        if matches!(document.blocks[i], Block::Title(_)) || Some(i) == first_text_block {
            remove_keeping_photos(&mut document.blocks, i);
        }
        return Some(title);
    }
    let i = document
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Paragraph(_)) && !block_text(b).is_empty());
    if let Some(i) = i {
        let text = block_text(&document.blocks[i]);
        const TITLE_WORDS: usize = 30;
        if text.split_whitespace().count() <= TITLE_WORDS {
            remove_keeping_photos(&mut document.blocks, i);
            return Some(text);
        }
        return Some(crate::assemble::markdown::cut_words(&text, 15));
    }
    // Only lists or tables: their first words name the item, and stay in the body.
    if let Some(text) = document.blocks.iter().find_map(first_words) {
        return Some(crate::assemble::markdown::cut_words(&text, 15));
    }
    (!document.images.is_empty()).then(|| "Ảnh nhập từ Word".to_owned())
}

fn first_words(block: &Block) -> Option<String> {
    fn in_list(list: &document::List) -> Option<String> {
        list.items.iter().find_map(|item| {
            Some(plain_text(&item.inlines))
                .filter(|t| !t.is_empty())
                .or_else(|| item.children.iter().find_map(in_list))
        })
    }
    match block {
        Block::List(list) => in_list(list),
        Block::Table(table) => table.rows.iter().flatten().find_map(|cell| match cell {
            document::Cell::Content(paragraphs) => paragraphs
                .iter()
                .map(|p| plain_text(p))
                .find(|t| !t.is_empty()),
            document::Cell::Covered => None,
        }),
        _ => None,
    }
}

/// Takes a block's text out as the title; photos in it stay where they were.
fn remove_keeping_photos(blocks: &mut Vec<Block>, i: usize) {
    let photos: Vec<Inline> = match &blocks[i] {
        Block::Heading { inlines, .. } | Block::Title(inlines) | Block::Paragraph(inlines) => {
            inlines
                .iter()
                .filter(|inline| matches!(inline, Inline::Image { .. }))
                .cloned()
                .collect()
        }
        _ => Vec::new(),
    };
    if photos.is_empty() {
        blocks.remove(i);
    } else {
        blocks[i] = Block::Paragraph(photos);
    }
}

fn block_text(block: &Block) -> String {
    match block {
        Block::Heading { inlines, .. } | Block::Title(inlines) | Block::Paragraph(inlines) => {
            plain_text(inlines)
        }
        _ => String::new(),
    }
}
