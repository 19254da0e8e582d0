//! [`Document`] → Markdown body. Text is escaped so that it renders exactly as written in
//! Word with datto's Markdown options (smart punctuation and heading attributes included):
//! a `*`, `#`, `1.`, `|` or straight quote typed in Word stays that character on the page.

use super::document::{Block, Cell, Document, Image, Inline, List, Style, Table};

/// The Markdown body of `document` (without front matter), ending with one newline.
/// The highest heading level left in the body becomes `##` (the item's title is the page's
/// only `#`), and the others keep their distance from it.
pub fn write(document: &Document) -> String {
    let images = &document.images[..];
    let top = document
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, .. } => Some(*level),
            _ => None,
        })
        .min()
        .unwrap_or(1);
    let mut chunks: Vec<String> = Vec::new();
    for block in &document.blocks {
        let chunk = match block {
            Block::Heading { level, inlines } => {
                heading(level.saturating_sub(top).saturating_add(2), inlines, images)
            }
            Block::Title(inlines) => heading(2, inlines, images),
            Block::Paragraph(inlines) => inline_markdown(inlines, images),
            Block::List(list) => {
                let mut out = String::new();
                write_list(list, "", images, &mut out);
                out.trim_end().to_owned()
            }
            Block::Table(table) => write_table(table, images),
        };
        if !chunk.trim().is_empty() {
            chunks.push(chunk);
        }
    }
    let mut out = chunks.join("\n\n");
    out.push('\n');
    out
}

fn heading(level: u8, inlines: &[Inline], images: &[Image]) -> String {
    let text = one_line(&inline_markdown(&unstyled(inlines), images));
    if text.is_empty() {
        return String::new();
    }
    format!("{} {text}", "#".repeat(usize::from(level.clamp(2, 6))))
}

/// Headings carry Word's bold as part of their look: it is not emphasis.
fn unstyled(inlines: &[Inline]) -> Vec<Inline> {
    inlines
        .iter()
        .map(|inline| match inline {
            Inline::Text { text, .. } => Inline::Text {
                text: text.clone(),
                style: Style::default(),
            },
            Inline::Link { target, inlines } => Inline::Link {
                target: target.clone(),
                inlines: unstyled(inlines),
            },
            other => other.clone(),
        })
        .collect()
}

/// Line breaks cannot live in a heading or a table cell: they become spaces.
fn one_line(markdown: &str) -> String {
    markdown
        .split(HARD_BREAK)
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn write_list(list: &List, indent: &str, images: &[Image], out: &mut String) {
    for (n, item) in list.items.iter().enumerate() {
        let marker = if list.ordered {
            format!("{}. ", n + 1)
        } else {
            "- ".to_owned()
        };
        let inner_indent = format!("{indent}{}", " ".repeat(marker.len()));
        let text = inline_markdown(&item.inlines, images);
        out.push_str(indent);
        out.push_str(&marker);
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                out.push('\n');
                out.push_str(&inner_indent);
            }
            out.push_str(line);
        }
        out.push('\n');
        for child in &item.children {
            write_list(child, &inner_indent, images, out);
        }
    }
}

fn write_table(table: &Table, images: &[Image]) -> String {
    let width = table.rows.iter().map(Vec::len).max().unwrap_or(0);
    if width == 0 {
        return String::new();
    }
    let mut lines = Vec::new();
    for (r, row) in table.rows.iter().enumerate() {
        let cells: Vec<String> = (0..width)
            .map(|c| match row.get(c) {
                Some(Cell::Content(paragraphs)) => paragraphs
                    .iter()
                    .map(|p| one_line(&inline_markdown(p, images)))
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" "),
                Some(Cell::Covered) | None => String::new(),
            })
            .collect();
        lines.push(format!("| {} |", cells.join(" | ")));
        if r == 0 {
            lines.push(format!("|{}", " --- |".repeat(width)));
        }
    }
    lines.join("\n")
}

/// A hard line break: backslash + newline (trailing spaces would be lost by editors).
const HARD_BREAK: &str = "\\\n";

/// One piece of a paragraph, after links and photos are rendered.
enum Atom {
    Text(String, Style),
    /// Rendered Markdown that emphasis must not cross (a link, a photo).
    Opaque(String),
    Break,
}

/// Markdown for a paragraph's inlines: escaped text, emphasis, links, photos, hard breaks.
pub fn inline_markdown(inlines: &[Inline], images: &[Image]) -> String {
    let mut atoms: Vec<Atom> = Vec::new();
    for inline in inlines {
        match inline {
            Inline::Text { text, style } => {
                let text = text.replace(['\t', '\n', '\r'], " ");
                match atoms.last_mut() {
                    Some(Atom::Text(previous, s)) if s == style => previous.push_str(&text),
                    _ => atoms.push(Atom::Text(text, *style)),
                }
            }
            Inline::LineBreak => atoms.push(Atom::Break),
            Inline::Link { target, inlines } => {
                let text = one_line(&inline_markdown(inlines, images));
                let text = if text.is_empty() {
                    escape(target, false)
                } else {
                    text
                };
                atoms.push(Atom::Opaque(format!("[{text}]({})", link_target(target))));
            }
            Inline::Image { image, alt } => {
                atoms.push(Atom::Opaque(image_markdown(*image, alt, images)))
            }
        }
    }
    emphasise(&atoms)
}

fn image_markdown(image: usize, alt: &str, images: &[Image]) -> String {
    let name = images
        .get(image)
        .map(|i| i.name.as_str())
        .unwrap_or_default();
    format!("![{}]({})", escape(alt, false), link_target(name))
}

/// A link target safe inside `( )`: characters that would end or split it are
/// percent-encoded.
fn link_target(target: &str) -> String {
    let mut out = String::with_capacity(target.len());
    for c in target.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '\\' => out.push_str("%5C"),
            // A table cell would end at a bare `|`.
            '|' => out.push_str("%7C"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One stretch of a paragraph with its style; whitespace stretches are kept apart so that
/// emphasis never opens before or closes after a space (CommonMark would not see it).
struct Piece<'a> {
    atom: PieceKind<'a>,
    style: Style,
}

enum PieceKind<'a> {
    Text(&'a str),
    Space(&'a str),
    Opaque(&'a str),
    Break,
}

fn emphasise(atoms: &[Atom]) -> String {
    let mut pieces: Vec<Piece> = Vec::new();
    for atom in atoms {
        match atom {
            Atom::Text(text, style) => {
                let core = text.trim_matches(' ');
                let lead = &text[..text.len() - text.trim_start_matches(' ').len()];
                let trail = &text[text.trim_end_matches(' ').len()..];
                if core.is_empty() {
                    pieces.push(Piece {
                        atom: PieceKind::Space(text),
                        style: Style::default(),
                    });
                    continue;
                }
                if !lead.is_empty() {
                    pieces.push(Piece {
                        atom: PieceKind::Space(lead),
                        style: Style::default(),
                    });
                }
                pieces.push(Piece {
                    atom: PieceKind::Text(core),
                    style: *style,
                });
                if !trail.is_empty() {
                    pieces.push(Piece {
                        atom: PieceKind::Space(trail),
                        style: Style::default(),
                    });
                }
            }
            Atom::Opaque(markdown) => pieces.push(Piece {
                atom: PieceKind::Opaque(markdown),
                style: Style::default(),
            }),
            Atom::Break => pieces.push(Piece {
                atom: PieceKind::Break,
                style: Style::default(),
            }),
        }
    }
    // A space keeps the emphasis both of its neighbours share, so that "**a b**" stays one
    // strong span while "**a** b" closes before the space.
    for i in 0..pieces.len() {
        if matches!(pieces[i].atom, PieceKind::Space(_)) {
            let before = pieces[..i]
                .iter()
                .rev()
                .find(|p| !matches!(p.atom, PieceKind::Space(_)))
                .map(|p| p.style)
                .unwrap_or_default();
            let after = pieces[i + 1..]
                .iter()
                .find(|p| !matches!(p.atom, PieceKind::Space(_)))
                .map(|p| p.style)
                .unwrap_or_default();
            pieces[i].style = Style {
                bold: before.bold && after.bold,
                italic: before.italic && after.italic,
            };
        }
    }

    let mut out = String::new();
    let mut open: Vec<Flag> = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        // Close what this piece does not have (and whatever was opened inside it).
        while let Some(position) = open.iter().position(|f| !f.is_in(piece.style)) {
            while open.len() > position {
                if let Some(flag) = open.pop() {
                    out.push_str(flag.delimiter());
                }
            }
        }
        match piece.atom {
            PieceKind::Space(text) => {
                let at_line_start = out.is_empty() || out.ends_with('\n');
                let before_break = pieces[i + 1..]
                    .iter()
                    .find(|p| !matches!(p.atom, PieceKind::Space(_)))
                    .is_none_or(|p| matches!(p.atom, PieceKind::Break));
                if !at_line_start && !before_break {
                    out.push_str(text);
                }
            }
            PieceKind::Text(text) => {
                // Open what this piece adds, the longest-lasting first so that it is the
                // outer span.
                let mut adding: Vec<Flag> = [Flag::Bold, Flag::Italic]
                    .into_iter()
                    .filter(|f| f.is_in(piece.style) && !open.contains(f))
                    .collect();
                adding.sort_by_key(|f| std::cmp::Reverse(f.run_length(&pieces[i..])));
                let at_line_start = (out.is_empty() || out.ends_with('\n')) && adding.is_empty();
                for flag in adding {
                    out.push_str(flag.delimiter());
                    open.push(flag);
                }
                out.push_str(&escape(text, at_line_start));
            }
            PieceKind::Opaque(markdown) => out.push_str(markdown),
            PieceKind::Break => {
                let at_line_start = out.is_empty() || out.ends_with('\n');
                let has_more = pieces[i + 1..]
                    .iter()
                    .any(|p| !matches!(p.atom, PieceKind::Space(_) | PieceKind::Break));
                if !at_line_start && has_more {
                    out.push_str(HARD_BREAK);
                }
            }
        }
    }
    while let Some(flag) = open.pop() {
        out.push_str(flag.delimiter());
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    Bold,
    Italic,
}

impl Flag {
    fn is_in(self, style: Style) -> bool {
        match self {
            Flag::Bold => style.bold,
            Flag::Italic => style.italic,
        }
    }

    fn delimiter(self) -> &'static str {
        match self {
            Flag::Bold => "**",
            Flag::Italic => "*",
        }
    }

    /// How many pieces from here keep this flag (spaces between count).
    fn run_length(self, pieces: &[Piece]) -> usize {
        pieces.iter().take_while(|p| self.is_in(p.style)).count()
    }
}

/// Escapes text so that Markdown shows it as written. `at_line_start`: the text begins a
/// line, where `#`, `-`, `+`, `=`, `>` and `1.` would start a block.
pub fn escape(text: &str, at_line_start: bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    if at_line_start {
        // "1." / "12)" at the start of a line would begin an ordered list.
        let digits = chars.iter().take_while(|c| c.is_ascii_digit()).count();
        if (1..=9).contains(&digits) && matches!(chars.get(digits), Some('.' | ')')) {
            let mut out: String = chars[..=digits].iter().collect();
            out.insert(digits, '\\');
            return out + &escape_rest(&chars[digits + 1..]);
        }
        if let Some(&first @ ('#' | '-' | '+' | '=' | '>')) = chars.first() {
            return format!("\\{first}{}", escape_rest(&chars[1..]));
        }
    }
    escape_rest(&chars)
}

fn escape_rest(chars: &[char]) -> String {
    let mut out = String::with_capacity(chars.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let previous = if i > 0 { Some(chars[i - 1]) } else { None };
        let next = chars.get(i + 1).copied();
        let escape = match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '{' | '}' => true,
            // Smart punctuation would curl straight quotes and join "--" / "...".
            '"' | '\'' => true,
            '-' => previous == Some('-'),
            '.' => previous == Some('.') && chars.get(i.wrapping_sub(2)) == Some(&'.'),
            // `&amp;`, `&#39;`: an entity reference would be decoded.
            '&' => next.is_some_and(|n| n.is_ascii_alphanumeric() || n == '#'),
            '!' => next == Some('['),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests;
