//! The document as read from Word, before it becomes Markdown: blocks, inlines and photos.
//! Only what the site can show is kept; Word's look (fonts, colours, spacing) is not.

/// A whole imported document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// `dc:title` of `docProps/core.xml`, when the author set one.
    pub title_property: Option<String>,
    pub blocks: Vec<Block>,
    /// Embedded photos in order of first use; [`Inline::Image`] points here.
    pub images: Vec<Image>,
    /// What was left out or may need a look (in Vietnamese, for staff), each once.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Word's "Heading N" (or outline level N-1); `level` is Word's, 1 = top.
    Heading {
        level: u8,
        inlines: Vec<Inline>,
    },
    /// Word's "Title" paragraph style: a title candidate, not body text.
    Title(Vec<Inline>),
    Paragraph(Vec<Inline>),
    List(List),
    Table(Table),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    pub ordered: bool,
    pub items: Vec<ListItem>,
}

/// One item: its own text, then any lists nested under it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListItem {
    pub inlines: Vec<Inline>,
    pub children: Vec<List>,
}

/// A table as a grid: merged cells are already spread over the cells they cover (see
/// [`Cell::Covered`]), so every row has the same number of cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// A cell's paragraphs, in order.
    Content(Vec<Vec<Inline>>),
    /// A grid position covered by a merged cell to its left or above.
    Covered,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Style {
    pub bold: bool,
    pub italic: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inline {
    Text {
        text: String,
        style: Style,
    },
    /// Word's soft line break (Shift+Enter).
    LineBreak,
    /// A hyperlink to an absolute `http(s)://` or `mailto:` address (others keep only their text).
    Link {
        target: String,
        inlines: Vec<Inline>,
    },
    /// An embedded photo: index into [`Document::images`], alt text from `descr` / `title`.
    Image {
        image: usize,
        alt: String,
    },
}

/// A photo extracted from the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// File name in the bundle, made by datto (slug + extension from the bytes).
    pub name: String,
    pub bytes: Vec<u8>,
}

impl Inline {
    pub fn text(text: &str) -> Inline {
        Inline::Text {
            text: text.to_owned(),
            style: Style::default(),
        }
    }
}

/// The plain text of some inlines (for titles and comparisons): links keep their text,
/// line breaks become spaces, photos nothing.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    fn walk(inlines: &[Inline], out: &mut String) {
        for inline in inlines {
            match inline {
                Inline::Text { text, .. } => out.push_str(text),
                Inline::LineBreak => out.push(' '),
                Inline::Link { inlines, .. } => walk(inlines, out),
                Inline::Image { .. } => {}
            }
        }
    }
    walk(inlines, &mut out);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
