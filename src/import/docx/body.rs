//! The document body: paragraphs (headings, list items), runs (text, emphasis, breaks),
//! links (relationships and fields) and tables. Photos and text boxes are in `media.rs`,
//! list grouping in `lists.rs`.

use std::collections::HashMap;

use roxmltree::Node;

use super::styles::{NumRef, Numbering, Styles, num_ref};
use super::{MATH, MC, Rel, W, child_val, clean_text, is_w, r_attr, toggle, w_attr, w_child, warn};
use crate::import::ImportError;
use crate::import::document::{Cell, Image, Inline, Style, Table};
use crate::import::package::Package;

/// A paragraph or table in body order, before lists are grouped.
pub(super) enum Item {
    Paragraph(Vec<Inline>),
    Heading(u8, Vec<Inline>),
    Title(Vec<Inline>),
    Listed {
        level: u8,
        ordered: bool,
        inlines: Vec<Inline>,
    },
    Table(Table),
}

/// A complex field (`w:fldChar` begin … separate … end) being read.
struct Field {
    instruction: String,
    in_result: bool,
    /// A HYPERLINK field: its address, where its shown text starts in the output, and
    /// the nesting depth of that output.
    link: Option<(String, usize, usize)>,
}

pub(super) struct Reader<'r, 'a> {
    pub(super) package: &'r mut Package<'a>,
    pub(super) rels: &'r HashMap<String, Rel>,
    pub(super) styles: &'r Styles,
    pub(super) numbering: &'r Numbering,
    /// Part name → index in `images` (`None`: seen and left out).
    pub(super) media: HashMap<String, Option<usize>>,
    pub(super) images: Vec<Image>,
    pub(super) warnings: Vec<String>,
    /// Paragraphs of text boxes met inside the paragraph being read, to follow it.
    pub(super) floating: Vec<Item>,
}

impl Reader<'_, '_> {
    pub(super) fn block_items(
        &mut self,
        parent: Node,
        items: &mut Vec<Item>,
    ) -> Result<(), ImportError> {
        for node in parent.children().filter(Node::is_element) {
            if is_w(node, "p") {
                let paragraph = self.paragraph(node)?;
                items.push(paragraph);
                items.append(&mut self.floating);
            } else if is_w(node, "tbl") {
                let table = self.table(node)?;
                if !table.rows.is_empty() {
                    items.push(Item::Table(table));
                }
            } else if is_w(node, "sdt") {
                if let Some(content) = w_child(node, "sdtContent") {
                    self.block_items(content, items)?;
                }
            } else if is_w(node, "customXml") || is_w(node, "ins") || is_w(node, "moveTo") {
                self.block_items(node, items)?;
            } else if is_w(node, "altChunk") {
                warn(
                    &mut self.warnings,
                    "một phần nội dung được nhúng từ tệp khác (altChunk) đã bị bỏ qua".into(),
                );
            } else if let Some(branch) = alternate_branch(node) {
                self.block_items(branch, items)?;
            }
        }
        Ok(())
    }

    pub(super) fn paragraph(&mut self, node: Node) -> Result<Item, ImportError> {
        let mut inlines = Vec::new();
        let mut fields = Vec::new();
        self.inlines(node, Style::default(), &mut inlines, &mut fields, 0)?;
        let ppr = w_child(node, "pPr");
        let style_id = ppr
            .and_then(|p| child_val(p, "pStyle"))
            .or(self.styles.default_paragraph.as_deref());
        let chain = style_id.map(|id| self.styles.chain(id)).unwrap_or_default();

        let direct_outline = ppr
            .and_then(|p| child_val(p, "outlineLvl"))
            .and_then(|v| v.parse::<u8>().ok());
        let style_heading = chain.iter().find_map(|s| {
            s.name
                .strip_prefix("heading ")
                .and_then(|n| n.trim().parse::<u8>().ok())
                .or(s.outline_level.map(|l| l.saturating_add(1)))
        });
        // Outline level 9 is "body text".
        let heading = direct_outline
            .map(|l| l.saturating_add(1))
            .or(style_heading)
            .filter(|l| (1..=9).contains(l));
        if let Some(level) = heading {
            return Ok(Item::Heading(level, inlines));
        }
        if chain.first().is_some_and(|s| s.name == "title") {
            return Ok(Item::Title(inlines));
        }

        let direct_num = ppr.and_then(num_ref);
        let style_num = chain.iter().find_map(|s| s.num.clone());
        let num = match (direct_num, style_num) {
            (Some(direct), Some(style)) => Some(NumRef {
                num_id: if direct.num_id.is_empty() {
                    style.num_id
                } else {
                    direct.num_id
                },
                level: direct.level.or(style.level),
            }),
            (direct, style) => direct.or(style),
        };
        if let Some(num) = num.filter(|n| !n.num_id.is_empty() && n.num_id != "0") {
            // Word's "List Bullet 2" / "List Number 3" styles nest by name, not by w:ilvl.
            let style_depth = chain.first().and_then(|s| {
                let rest = s
                    .name
                    .strip_prefix("list bullet ")
                    .or_else(|| s.name.strip_prefix("list number "))?;
                rest.trim().parse::<u8>().ok().map(|n| n.saturating_sub(1))
            });
            let level = num.level.or(style_depth).unwrap_or(0).min(8);
            let ordered = match self.numbering.format(&num.num_id, level) {
                Some("none") => return Ok(Item::Paragraph(inlines)),
                Some(format) => format != "bullet",
                None => chain.iter().any(|s| s.name.contains("number")),
            };
            return Ok(Item::Listed {
                level,
                ordered,
                inlines,
            });
        }
        Ok(Item::Paragraph(inlines))
    }

    /// Inline content of `parent` (a paragraph, or a container inside one) into `out`.
    fn inlines(
        &mut self,
        parent: Node,
        inherited: Style,
        out: &mut Vec<Inline>,
        fields: &mut Vec<Field>,
        depth: usize,
    ) -> Result<(), ImportError> {
        for node in parent.children().filter(Node::is_element) {
            let ns = node.tag_name().namespace();
            if ns == Some(MATH) {
                warn(
                    &mut self.warnings,
                    "công thức toán học không chuyển được và đã bị bỏ qua".into(),
                );
                continue;
            }
            if let Some(branch) = alternate_branch(node) {
                self.inlines(branch, inherited, out, fields, depth)?;
                continue;
            }
            if !ns.is_some_and(|ns| W.contains(&ns)) {
                continue;
            }
            match node.tag_name().name() {
                "r" => self.run(node, inherited, out, fields, depth)?,
                "hyperlink" => {
                    let target = r_attr(node, "id").and_then(|id| self.link_target(id));
                    let mut inner = Vec::new();
                    self.inlines(node, inherited, &mut inner, fields, depth + 1)?;
                    push_link(out, target, inner);
                }
                "fldSimple" => {
                    let target = w_attr(node, "instr").and_then(|i| self.field_link(i));
                    let mut inner = Vec::new();
                    self.inlines(node, inherited, &mut inner, fields, depth + 1)?;
                    push_link(out, target, inner);
                }
                "sdt" => {
                    if let Some(content) = w_child(node, "sdtContent") {
                        self.inlines(content, inherited, out, fields, depth)?;
                    }
                }
                "smartTag" | "customXml" | "ins" | "moveTo" | "bdo" | "dir" => {
                    self.inlines(node, inherited, out, fields, depth)?
                }
                // Deleted text of tracked changes, paragraph properties, bookmarks, …
                _ => {}
            }
        }
        Ok(())
    }

    fn run(
        &mut self,
        run: Node,
        inherited: Style,
        out: &mut Vec<Inline>,
        fields: &mut Vec<Field>,
        depth: usize,
    ) -> Result<(), ImportError> {
        let rpr = w_child(run, "rPr");
        if rpr.and_then(|r| toggle(r, "vanish")) == Some(true) {
            return Ok(());
        }
        let style = self.run_style(rpr, inherited);
        let push_text = |out: &mut Vec<Inline>, text: &str| {
            if text.is_empty() {
                return;
            }
            let text = clean_text(text);
            match out.last_mut() {
                Some(Inline::Text {
                    text: last,
                    style: s,
                }) if *s == style => last.push_str(&text),
                _ => out.push(Inline::Text { text, style }),
            }
        };
        for node in run.children().filter(Node::is_element) {
            if let Some(branch) = alternate_branch(node) {
                // A drawing offered in two forms: the first one we can read.
                let mut inner = Vec::new();
                for child in branch.children().filter(Node::is_element) {
                    self.run_child(child, &mut inner, fields, depth, &push_text)?;
                }
                out.extend(inner);
                continue;
            }
            self.run_child(node, out, fields, depth, &push_text)?;
        }
        Ok(())
    }

    fn run_child(
        &mut self,
        node: Node,
        out: &mut Vec<Inline>,
        fields: &mut Vec<Field>,
        depth: usize,
        push_text: &dyn Fn(&mut Vec<Inline>, &str),
    ) -> Result<(), ImportError> {
        if !node
            .tag_name()
            .namespace()
            .is_some_and(|ns| W.contains(&ns))
        {
            return Ok(());
        }
        match node.tag_name().name() {
            "t" => push_text(out, node.text().unwrap_or_default()),
            "tab" | "ptab" => push_text(out, " "),
            "noBreakHyphen" => push_text(out, "\u{2011}"),
            "br" => {
                if matches!(w_attr(node, "type"), None | Some("textWrapping")) {
                    out.push(Inline::LineBreak);
                }
            }
            "cr" => out.push(Inline::LineBreak),
            "drawing" => self.drawing(node, out)?,
            "pict" => self.vml(node, out)?,
            "object" => warn(
                &mut self.warnings,
                "đối tượng nhúng (bảng tính, biểu đồ…) không chuyển được và đã bị bỏ qua".into(),
            ),
            "footnoteReference" | "endnoteReference" => warn(
                &mut self.warnings,
                "chú thích cuối trang không được chuyển; hãy đưa nội dung vào bài nếu cần".into(),
            ),
            "fldChar" => match w_attr(node, "fldCharType") {
                Some("begin") => fields.push(Field {
                    instruction: String::new(),
                    in_result: false,
                    link: None,
                }),
                Some("separate") => {
                    let link = fields.last().and_then(|f| self.field_link(&f.instruction));
                    if let Some(field) = fields.last_mut() {
                        field.in_result = true;
                        field.link = link.map(|target| (target, out.len(), depth));
                    }
                }
                Some("end") => {
                    if let Some(Field {
                        link: Some((target, start, at_depth)),
                        ..
                    }) = fields.pop()
                    {
                        // A field that began in another container keeps its text unlinked.
                        if at_depth == depth && start <= out.len() {
                            let inner = out.split_off(start);
                            push_link(out, Some(target), inner);
                        }
                    }
                }
                _ => {}
            },
            "instrText" => {
                if let Some(field) = fields.last_mut().filter(|f| !f.in_result) {
                    field.instruction.push_str(node.text().unwrap_or_default());
                }
            }
            _ => {}
        }
        Ok(())
    }

    pub(super) fn run_style(&self, rpr: Option<Node>, inherited: Style) -> Style {
        let mut style = inherited;
        let Some(rpr) = rpr else {
            return style;
        };
        if let Some(id) = child_val(rpr, "rStyle") {
            let chain = self.styles.chain(id);
            if let Some(bold) = chain.iter().find_map(|s| s.bold) {
                style.bold = bold;
            }
            if let Some(italic) = chain.iter().find_map(|s| s.italic) {
                style.italic = italic;
            }
        }
        if let Some(bold) = toggle(rpr, "b") {
            style.bold = bold;
        }
        if let Some(italic) = toggle(rpr, "i") {
            style.italic = italic;
        }
        style
    }

    /// The address of hyperlink relationship `id`, if it is one the site may link to.
    pub(super) fn link_target(&mut self, id: &str) -> Option<String> {
        let rel = self.rels.get(id)?;
        if !rel.external || !rel.kind.ends_with("/hyperlink") {
            return None;
        }
        self.checked_link(&rel.target.clone())
    }

    /// `HYPERLINK "https://…" \o "tip"` → the address (`\l` bookmarks are not links out).
    pub(super) fn field_link(&mut self, instruction: &str) -> Option<String> {
        let rest = instruction.trim_start();
        let rest = rest
            .strip_prefix("HYPERLINK")
            .or_else(|| rest.strip_prefix("hyperlink"))?
            .trim_start();
        if rest.starts_with("\\l") {
            return None;
        }
        let target = match rest.strip_prefix('"') {
            Some(quoted) => quoted.split('"').next().unwrap_or_default(),
            None => rest.split_whitespace().next().unwrap_or_default(),
        };
        self.checked_link(target)
    }

    pub(super) fn checked_link(&mut self, target: &str) -> Option<String> {
        let target = target.trim();
        let lower = target.to_ascii_lowercase();
        let allowed = ["http://", "https://", "mailto:"]
            .iter()
            .any(|scheme| lower.starts_with(scheme));
        if allowed && !target.chars().any(char::is_control) {
            Some(target.to_owned())
        } else {
            if !target.is_empty() {
                let shown: String = target
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(200)
                    .collect();
                warn(
                    &mut self.warnings,
                    format!("liên kết `{shown}` không phải địa chỉ web nên chỉ giữ lại chữ"),
                );
            }
            None
        }
    }

    pub(super) fn table(&mut self, node: Node) -> Result<Table, ImportError> {
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        let mut row_nodes = Vec::new();
        collect(node, "tr", &["tbl"], &mut row_nodes);
        for tr in row_nodes {
            let mut row = Vec::new();
            let trpr = w_child(tr, "trPr");
            let before = trpr
                .and_then(|t| child_val(t, "gridBefore"))
                .and_then(|v| v.parse::<usize>().ok())
                .unwrap_or(0);
            row.extend((0..before.min(64)).map(|_| Cell::Content(Vec::new())));
            let mut cells = Vec::new();
            collect(tr, "tc", &["tbl"], &mut cells);
            for tc in cells {
                let tcpr = w_child(tc, "tcPr");
                let span = tcpr
                    .and_then(|p| child_val(p, "gridSpan"))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, 64);
                let continues = tcpr
                    .and_then(|p| w_child(p, "vMerge"))
                    .is_some_and(|m| matches!(w_attr(m, "val"), None | Some("continue")))
                    || tcpr
                        .and_then(|p| w_child(p, "hMerge"))
                        .is_some_and(|m| matches!(w_attr(m, "val"), None | Some("continue")));
                if continues {
                    row.extend((0..span).map(|_| Cell::Covered));
                    continue;
                }
                let mut paragraphs = Vec::new();
                self.cell_paragraphs(tc, &mut paragraphs)?;
                row.push(Cell::Content(paragraphs));
                row.extend((1..span).map(|_| Cell::Covered));
            }
            rows.push(row);
        }
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        for row in &mut rows {
            while row.len() < width {
                row.push(Cell::Content(Vec::new()));
            }
        }
        Ok(Table { rows })
    }

    /// Every paragraph of a cell, nested tables and lists flattened into it.
    pub(super) fn cell_paragraphs(
        &mut self,
        node: Node,
        out: &mut Vec<Vec<Inline>>,
    ) -> Result<(), ImportError> {
        for child in node.children().filter(Node::is_element) {
            if is_w(child, "p") {
                let paragraph = self.paragraph(child)?;
                let floating = std::mem::take(&mut self.floating);
                for item in std::iter::once(paragraph).chain(floating) {
                    match item {
                        Item::Paragraph(i)
                        | Item::Heading(_, i)
                        | Item::Title(i)
                        | Item::Listed { inlines: i, .. } => out.push(i),
                        // A table in a text box in a cell: its text, cell by cell.
                        Item::Table(table) => {
                            for row in table.rows {
                                for cell in row {
                                    if let Cell::Content(paragraphs) = cell {
                                        out.extend(paragraphs);
                                    }
                                }
                            }
                        }
                    }
                }
            } else if !is_w(child, "tcPr") {
                self.cell_paragraphs(child, out)?;
            }
        }
        Ok(())
    }
}

/// `w:NAME` elements under `node`, looking through wrappers (`w:sdt`, `w:customXml`) but not
/// into elements named in `stop` (a nested table's rows are its own).
fn collect<'a, 'i>(node: Node<'a, 'i>, name: &str, stop: &[&str], out: &mut Vec<Node<'a, 'i>>) {
    for child in node.children().filter(Node::is_element) {
        if is_w(child, name) {
            out.push(child);
        } else if !stop.iter().any(|s| is_w(child, s)) && !is_w(child, "tcPr") {
            collect(child, name, stop, out);
        }
    }
}

/// `mc:AlternateContent`: the first `mc:Choice`, else `mc:Fallback`.
pub(super) fn alternate_branch<'a, 'i>(node: Node<'a, 'i>) -> Option<Node<'a, 'i>> {
    if !node.has_tag_name((MC, "AlternateContent")) {
        return None;
    }
    node.children()
        .find(|n| n.has_tag_name((MC, "Choice")))
        .or_else(|| node.children().find(|n| n.has_tag_name((MC, "Fallback"))))
}

pub(super) fn push_link(out: &mut Vec<Inline>, target: Option<String>, inner: Vec<Inline>) {
    match target {
        Some(target) if !inner.is_empty() => out.push(Inline::Link {
            target,
            inlines: inner,
        }),
        _ => out.extend(inner),
    }
}
