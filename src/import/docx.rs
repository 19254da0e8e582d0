//! WordprocessingML → [`Document`]: the parts of a `.docx` that carry text and structure.
//!
//! Read: the main document (found through `_rels/.rels`), its relationships (links, photos),
//! `styles.xml` (which paragraph style is a heading or a list, which character style is
//! bold), `numbering.xml` (bullets or numbers) and `docProps/core.xml` (the title).
//! Elements are matched by namespace and local name, so a writer's choice of prefixes does
//! not matter; transitional and strict OOXML namespaces are both accepted.

use std::collections::HashMap;

use roxmltree::Node;
use unicode_normalization::UnicodeNormalization;

use super::ImportError;
use super::document::{Block, Cell, Document, Image, Inline, List, ListItem, Style, Table};
use super::package::{Limits, Package, resolve_target};

const W: [&str; 2] = [
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
];
const R: [&str; 2] = [
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
];
const MC: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";
const MATH: &str = "http://schemas.openxmlformats.org/officeDocument/2006/math";
const DC: &str = "http://purl.org/dc/elements/1.1/";

/// Enough for a few hundred pages; a bigger tree is refused rather than parsed.
const XML_NODES_LIMIT: u32 = 4_000_000;

/// Reads a `.docx` held in memory.
pub fn read(bytes: &[u8]) -> Result<Document, ImportError> {
    read_with_limits(bytes, Limits::default())
}

pub fn read_with_limits(bytes: &[u8], limits: Limits) -> Result<Document, ImportError> {
    let mut package = Package::open(bytes, limits)?;

    let package_rels = match package.read_text("_rels/.rels")? {
        Some(text) => parse_rels(&text, "_rels/.rels", "")?,
        None => HashMap::new(),
    };
    let main = package_rels
        .values()
        .find(|r| r.kind.ends_with("/officeDocument") && !r.external)
        .map(|r| r.target.clone())
        .filter(|t| package.contains(t))
        .unwrap_or_else(|| "word/document.xml".to_owned());
    let Some(main_text) = package.read_text(&main)? else {
        return Err(ImportError::MissingDocument);
    };
    let base_dir = match main.rfind('/') {
        Some(at) => main[..=at].to_owned(),
        None => String::new(),
    };
    let rels_name = format!("{base_dir}_rels/{}.rels", &main[base_dir.len()..]);
    let rels = match package.read_text(&rels_name)? {
        Some(text) => parse_rels(&text, &rels_name, &base_dir)?,
        None => HashMap::new(),
    };
    let part_of = |suffix: &str, default: &str| {
        rels.values()
            .find(|r| r.kind.ends_with(suffix) && !r.external)
            .map(|r| r.target.clone())
            .unwrap_or_else(|| format!("{base_dir}{default}"))
    };
    let styles_name = part_of("/styles", "styles.xml");
    let numbering_name = part_of("/numbering", "numbering.xml");
    let core_name = package_rels
        .values()
        .find(|r| r.kind.ends_with("/core-properties") && !r.external)
        .map(|r| r.target.clone())
        .unwrap_or_else(|| "docProps/core.xml".to_owned());

    let mut warnings = Vec::new();
    let styles_text = package.read_text(&styles_name)?;
    let styles = match &styles_text {
        Some(text) => {
            let xml = parse_xml(text, &styles_name)?;
            legacy_font_warning(&xml, &mut warnings);
            Styles::parse(&xml)
        }
        None => Styles::default(),
    };
    let numbering = match package.read_text(&numbering_name)? {
        Some(text) => Numbering::parse(&parse_xml(&text, &numbering_name)?),
        None => Numbering::default(),
    };
    let title_property = match package.read_text(&core_name)? {
        Some(text) => core_title(&parse_xml(&text, &core_name)?),
        None => None,
    };

    let xml = parse_xml(&main_text, &main)?;
    legacy_font_warning(&xml, &mut warnings);
    let root = xml.root_element();
    let Some(body) = root.children().find(|n| is_w(*n, "body")) else {
        return Err(ImportError::MissingDocument);
    };
    let mut reader = Reader {
        package: &mut package,
        rels: &rels,
        styles: &styles,
        numbering: &numbering,
        media: HashMap::new(),
        images: Vec::new(),
        warnings,
        floating: Vec::new(),
    };
    let mut items = Vec::new();
    reader.block_items(body, &mut items)?;
    let blocks = assemble(items);
    Ok(Document {
        title_property,
        blocks,
        images: reader.images,
        warnings: reader.warnings,
    })
}

/// Word nests a few dozen levels at most; the readers below recurse, so a deeper tree
/// (a crafted file) is refused rather than risking the stack.
const XML_DEPTH_LIMIT: usize = 256;

fn parse_xml<'t>(text: &'t str, part: &str) -> Result<roxmltree::Document<'t>, ImportError> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: XML_NODES_LIMIT,
        ..roxmltree::ParsingOptions::default()
    };
    let xml = roxmltree::Document::parse_with_options(text, options).map_err(|e| {
        ImportError::BadXml {
            part: part.to_owned(),
            position: Some((e.pos().row, e.pos().col)),
        }
    })?;
    // Depths in document order (a parent before its children), without recursion.
    let mut depth = vec![0usize; xml.descendants().count() + 1];
    for node in xml.descendants() {
        let here = node.parent().map_or(0, |p| {
            depth.get(p.id().get_usize()).copied().unwrap_or(0) + 1
        });
        if here > XML_DEPTH_LIMIT {
            return Err(ImportError::TooDeep {
                part: part.to_owned(),
            });
        }
        if let Some(slot) = depth.get_mut(node.id().get_usize()) {
            *slot = here;
        }
    }
    Ok(xml)
}

fn is_w(node: Node, name: &str) -> bool {
    node.is_element()
        && node.tag_name().name() == name
        && node
            .tag_name()
            .namespace()
            .is_some_and(|ns| W.contains(&ns))
}

fn w_child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|n| is_w(*n, name))
}

/// `w:NAME` attribute (either namespace).
fn w_attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    W.iter().find_map(|ns| node.attribute((*ns, name)))
}

fn r_attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    R.iter().find_map(|ns| node.attribute((*ns, name)))
}

/// `w:val` of child `name`.
fn child_val<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    w_child(node, name).and_then(|c| w_attr(c, "val"))
}

/// On/off properties (`<w:b/>`, `<w:b w:val="false"/>`): present and not switched off.
fn toggle(node: Node, name: &str) -> Option<bool> {
    w_child(node, name).map(|c| !matches!(w_attr(c, "val"), Some("0" | "false" | "off")))
}

struct Rel {
    kind: String,
    /// A part name for internal targets, the address as written for external ones.
    target: String,
    external: bool,
}

fn parse_rels(text: &str, part: &str, base_dir: &str) -> Result<HashMap<String, Rel>, ImportError> {
    let xml = parse_xml(text, part)?;
    let mut rels = HashMap::new();
    for node in xml.descendants().filter(|n| n.has_tag_name("Relationship")) {
        let (Some(id), Some(kind), Some(target)) = (
            node.attribute("Id"),
            node.attribute("Type"),
            node.attribute("Target"),
        ) else {
            continue;
        };
        let external = node
            .attribute("TargetMode")
            .is_some_and(|m| m.eq_ignore_ascii_case("External"));
        let target = if external {
            Some(target.trim().to_owned())
        } else {
            resolve_target(base_dir, target)
        };
        if let Some(target) = target {
            rels.insert(
                id.to_owned(),
                Rel {
                    kind: kind.to_owned(),
                    target,
                    external,
                },
            );
        }
    }
    Ok(rels)
}

fn core_title(xml: &roxmltree::Document) -> Option<String> {
    xml.descendants()
        .find(|n| n.has_tag_name((DC, "title")))
        .and_then(|n| n.text())
        .map(clean_text)
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty())
}

/// TCVN3 (".VnTime") and VNI fonts show Vietnamese from 8-bit codes: the text in the file
/// is not Unicode Vietnamese, and the page would show it garbled.
fn legacy_font_warning(xml: &roxmltree::Document, warnings: &mut Vec<String>) {
    let legacy = xml
        .descendants()
        .filter(|n| is_w(*n, "rFonts"))
        .flat_map(|n| {
            ["ascii", "hAnsi"]
                .into_iter()
                .filter_map(move |a| w_attr(n, a))
        })
        .find(|font| {
            let lower = font.to_lowercase();
            lower.starts_with(".vn") || lower.starts_with("vni-") || lower.starts_with("vni ")
        });
    if let Some(font) = legacy {
        warn(
            warnings,
            format!(
                "tài liệu dùng phông chữ cũ `{font}` (TCVN3/VNI): chữ tiếng Việt có thể bị lỗi \
                 dấu; hãy chuyển mã sang Unicode (ví dụ bằng Unikey) rồi nhập lại"
            ),
        );
    }
}

/// Each message once, and a few dozen at most: enough for staff to act on, and a crafted
/// file with a million bad links costs nothing.
fn warn(warnings: &mut Vec<String>, message: String) {
    const MAX: usize = 40;
    if warnings.len() < MAX && !warnings.contains(&message) {
        warnings.push(message);
    }
}

/// Text as staff typed it, in NFC (some Vietnamese keyboards write decomposed accents).
fn clean_text(text: &str) -> String {
    text.nfc().collect()
}

#[derive(Default)]
struct StyleDef {
    /// Lower-case `w:name` (Word stores built-in names in English: "heading 1").
    name: String,
    based_on: Option<String>,
    outline_level: Option<u8>,
    num: Option<NumRef>,
    bold: Option<bool>,
    italic: Option<bool>,
}

#[derive(Clone)]
struct NumRef {
    num_id: String,
    level: Option<u8>,
}

#[derive(Default)]
struct Styles {
    by_id: HashMap<String, StyleDef>,
    default_paragraph: Option<String>,
}

impl Styles {
    fn parse(xml: &roxmltree::Document) -> Styles {
        let mut styles = Styles::default();
        for node in xml.root_element().children().filter(|n| is_w(*n, "style")) {
            let Some(id) = w_attr(node, "styleId") else {
                continue;
            };
            let ppr = w_child(node, "pPr");
            let rpr = w_child(node, "rPr");
            let def = StyleDef {
                name: child_val(node, "name").unwrap_or_default().to_lowercase(),
                based_on: child_val(node, "basedOn").map(str::to_owned),
                outline_level: ppr
                    .and_then(|p| child_val(p, "outlineLvl"))
                    .and_then(|v| v.parse().ok()),
                num: ppr.and_then(num_ref),
                bold: rpr.and_then(|r| toggle(r, "b")),
                italic: rpr.and_then(|r| toggle(r, "i")),
            };
            if w_attr(node, "type") == Some("paragraph")
                && matches!(w_attr(node, "default"), Some("1" | "true"))
            {
                styles.default_paragraph = Some(id.to_owned());
            }
            styles.by_id.insert(id.to_owned(), def);
        }
        styles
    }

    /// The style and those it is based on, nearest first (cycles cut).
    fn chain(&self, id: &str) -> Vec<&StyleDef> {
        let mut chain = Vec::new();
        let mut next = Some(id);
        while let Some(id) = next {
            let Some(def) = self.by_id.get(id) else {
                break;
            };
            if chain.len() >= 16 {
                break;
            }
            chain.push(def);
            next = def.based_on.as_deref();
        }
        chain
    }
}

fn num_ref(ppr: Node) -> Option<NumRef> {
    let num = w_child(ppr, "numPr")?;
    Some(NumRef {
        num_id: child_val(num, "numId").unwrap_or_default().to_owned(),
        level: child_val(num, "ilvl").and_then(|v| v.parse().ok()),
    })
}

#[derive(Default)]
struct Numbering {
    /// numId → (abstractNumId, level → format overrides).
    nums: HashMap<String, (String, HashMap<u8, String>)>,
    /// abstractNumId → level → `w:numFmt` ("bullet", "decimal", "lowerLetter", "none", …).
    abstracts: HashMap<String, HashMap<u8, String>>,
}

impl Numbering {
    fn parse(xml: &roxmltree::Document) -> Numbering {
        let levels = |node: Node| -> HashMap<u8, String> {
            node.descendants()
                .filter(|n| is_w(*n, "lvl"))
                .filter_map(|lvl| {
                    let level = w_attr(lvl, "ilvl")?.parse().ok()?;
                    Some((level, child_val(lvl, "numFmt")?.to_owned()))
                })
                .collect()
        };
        let mut numbering = Numbering::default();
        for node in xml.root_element().children() {
            if is_w(node, "abstractNum") {
                if let Some(id) = w_attr(node, "abstractNumId") {
                    numbering.abstracts.insert(id.to_owned(), levels(node));
                }
            } else if is_w(node, "num") {
                if let (Some(id), Some(abstract_id)) =
                    (w_attr(node, "numId"), child_val(node, "abstractNumId"))
                {
                    numbering
                        .nums
                        .insert(id.to_owned(), (abstract_id.to_owned(), levels(node)));
                }
            }
        }
        numbering
    }

    fn format(&self, num_id: &str, level: u8) -> Option<&str> {
        let (abstract_id, overrides) = self.nums.get(num_id)?;
        overrides
            .get(&level)
            .or_else(|| self.abstracts.get(abstract_id)?.get(&level))
            .map(String::as_str)
    }
}

/// A paragraph or table in body order, before lists are grouped.
enum Item {
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

struct Reader<'r, 'a> {
    package: &'r mut Package<'a>,
    rels: &'r HashMap<String, Rel>,
    styles: &'r Styles,
    numbering: &'r Numbering,
    /// Part name → index in `images` (`None`: seen and left out).
    media: HashMap<String, Option<usize>>,
    images: Vec<Image>,
    warnings: Vec<String>,
    /// Paragraphs of text boxes met inside the paragraph being read, to follow it.
    floating: Vec<Item>,
}

impl Reader<'_, '_> {
    fn block_items(&mut self, parent: Node, items: &mut Vec<Item>) -> Result<(), ImportError> {
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

    fn paragraph(&mut self, node: Node) -> Result<Item, ImportError> {
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

    fn run_style(&self, rpr: Option<Node>, inherited: Style) -> Style {
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
    fn link_target(&mut self, id: &str) -> Option<String> {
        let rel = self.rels.get(id)?;
        if !rel.external || !rel.kind.ends_with("/hyperlink") {
            return None;
        }
        self.checked_link(&rel.target.clone())
    }

    /// `HYPERLINK "https://…" \o "tip"` → the address (`\l` bookmarks are not links out).
    fn field_link(&mut self, instruction: &str) -> Option<String> {
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

    fn checked_link(&mut self, target: &str) -> Option<String> {
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

    fn drawing(&mut self, drawing: Node, out: &mut Vec<Inline>) -> Result<(), ImportError> {
        let doc_pr = drawing
            .descendants()
            .find(|n| n.is_element() && n.tag_name().name() == "docPr");
        let alt = doc_pr.map(alt_text).unwrap_or_default();
        let blips: Vec<Node> = drawing
            .descendants()
            .filter(|n| n.is_element() && n.tag_name().name() == "blip")
            .collect();
        let had_text_box = self.text_boxes(drawing)?;
        let blips: Vec<Node> = blips
            .into_iter()
            .filter(|b| !in_text_box(*b, drawing))
            .collect();
        if !had_text_box && blips.is_empty() {
            warn(
                &mut self.warnings,
                "hình vẽ, biểu đồ hoặc SmartArt không chuyển được và đã bị bỏ qua; hãy lưu \
                 thành ảnh JPEG hoặc PNG rồi chèn lại"
                    .into(),
            );
        }
        // A group of pictures has one blip each; they share the group's description.
        for blip in blips {
            match r_attr(blip, "embed") {
                Some(id) => self.image(id, alt.clone(), out)?,
                None if r_attr(blip, "link").is_some() => warn(
                    &mut self.warnings,
                    "ảnh liên kết tới tệp bên ngoài tài liệu không được lấy; hãy chèn hẳn ảnh \
                     vào tài liệu"
                        .into(),
                ),
                None => {}
            }
        }
        Ok(())
    }

    /// Text boxes (captions, side notes) of a drawing or VML shape become paragraphs after
    /// the one holding them. Whether there was one.
    fn text_boxes(&mut self, shape: Node) -> Result<bool, ImportError> {
        let boxes: Vec<Node> = shape
            .descendants()
            .filter(|n| is_w(*n, "txbxContent") && !in_text_box(*n, shape))
            .collect();
        // Boxes met earlier in the same paragraph keep their place ahead of these.
        let earlier = std::mem::take(&mut self.floating);
        let mut items = Vec::new();
        for text_box in &boxes {
            self.block_items(*text_box, &mut items)?;
        }
        self.floating = earlier;
        self.floating.extend(items);
        Ok(!boxes.is_empty())
    }

    /// Old-style (VML) pictures: `v:imagedata r:id`.
    fn vml(&mut self, pict: Node, out: &mut Vec<Inline>) -> Result<(), ImportError> {
        self.text_boxes(pict)?;
        for data in pict.descendants().filter(|n| {
            n.is_element() && n.tag_name().name() == "imagedata" && !in_text_box(*n, pict)
        }) {
            let alt = data
                .ancestors()
                .find(|n| n.tag_name().name() == "shape")
                .and_then(|s| s.attribute("alt"))
                .or_else(|| {
                    data.attributes()
                        .find(|a| a.name() == "title")
                        .map(|a| a.value())
                })
                .map(|a| a.split_whitespace().collect::<Vec<_>>().join(" "))
                .unwrap_or_default();
            if let Some(id) = r_attr(data, "id") {
                self.image(id, clean_text(&alt), out)?;
            }
        }
        Ok(())
    }

    fn image(
        &mut self,
        rel_id: &str,
        alt: String,
        out: &mut Vec<Inline>,
    ) -> Result<(), ImportError> {
        let Some(rel) = self.rels.get(rel_id) else {
            return Ok(());
        };
        if rel.external || !rel.kind.ends_with("/image") {
            return Ok(());
        }
        let part = rel.target.clone();
        let index = match self.media.get(&part) {
            Some(known) => *known,
            None => {
                let index = self.extract(&part)?;
                self.media.insert(part.clone(), index);
                index
            }
        };
        if let Some(image) = index {
            if alt.is_empty() {
                warn(
                    &mut self.warnings,
                    format!(
                        "ảnh `{}` chưa có lời mô tả (alt) cho người khiếm thị; hãy viết vào giữa `![` và `]`",
                        self.images[image].name
                    ),
                );
            }
            out.push(Inline::Image { image, alt });
        }
        Ok(())
    }

    /// Reads a photo part and gives it a file name of datto's making; `None` (with a
    /// warning) for formats the site cannot publish.
    fn extract(&mut self, part: &str) -> Result<Option<usize>, ImportError> {
        let shown = part.rsplit('/').next().unwrap_or(part).to_owned();
        let Some(bytes) = self.package.read(part)? else {
            warn(
                &mut self.warnings,
                format!("ảnh `{shown}` không có trong tệp .docx và đã bị bỏ qua"),
            );
            return Ok(None);
        };
        let Some(extension) = photo_extension(&bytes) else {
            warn(
                &mut self.warnings,
                format!(
                    "ảnh `{shown}` không phải JPEG, PNG hay WebP nên đã bị bỏ qua; hãy chèn lại \
                     ảnh dạng JPEG hoặc PNG"
                ),
            );
            return Ok(None);
        };
        let stem = shown
            .rsplit_once('.')
            .map_or(shown.as_str(), |(stem, _)| stem);
        let mut slug = crate::slug::slugify(stem);
        slug.truncate(60);
        let slug = slug.trim_end_matches('-');
        let slug = if slug.is_empty() || slug == "index" {
            "anh"
        } else {
            slug
        };
        let mut name = format!("{slug}.{extension}");
        let mut n = 2;
        while self.images.iter().any(|i| i.name == name) {
            name = format!("{slug}-{n}.{extension}");
            n += 1;
        }
        self.images.push(Image { name, bytes });
        Ok(Some(self.images.len() - 1))
    }

    fn table(&mut self, node: Node) -> Result<Table, ImportError> {
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
    fn cell_paragraphs(
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

/// Inside a text box of `shape` (that box's own paragraphs read it, not the shape).
fn in_text_box(node: Node, shape: Node) -> bool {
    node.ancestors()
        .skip(1)
        .take_while(|a| *a != shape)
        .any(|a| is_w(a, "txbxContent"))
}

/// `mc:AlternateContent`: the first `mc:Choice`, else `mc:Fallback`.
fn alternate_branch<'a, 'i>(node: Node<'a, 'i>) -> Option<Node<'a, 'i>> {
    if !node.has_tag_name((MC, "AlternateContent")) {
        return None;
    }
    node.children()
        .find(|n| n.has_tag_name((MC, "Choice")))
        .or_else(|| node.children().find(|n| n.has_tag_name((MC, "Fallback"))))
}

fn push_link(out: &mut Vec<Inline>, target: Option<String>, inner: Vec<Inline>) {
    match target {
        Some(target) if !inner.is_empty() => out.push(Inline::Link {
            target,
            inlines: inner,
        }),
        _ => out.extend(inner),
    }
}

/// Alt text of a drawing: its description, else its title (never its generated name).
fn alt_text(doc_pr: Node) -> String {
    ["descr", "title"]
        .iter()
        .filter_map(|a| doc_pr.attribute(*a))
        .map(|a| clean_text(&a.split_whitespace().collect::<Vec<_>>().join(" ")))
        .find(|a| !a.is_empty())
        .unwrap_or_default()
}

/// The extension for a photo the site can publish, from its first bytes (never its name).
fn photo_extension(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("webp")
    } else {
        None
    }
}

/// Groups list paragraphs into nested lists; everything else becomes a block as it is.
fn assemble(items: Vec<Item>) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut pending: Vec<(u8, bool, Vec<Inline>)> = Vec::new();
    for item in items {
        if let Item::Listed {
            level,
            ordered,
            inlines,
        } = item
        {
            pending.push((level, ordered, inlines));
            continue;
        }
        if !pending.is_empty() {
            blocks.extend(
                build_lists(std::mem::take(&mut pending))
                    .into_iter()
                    .map(Block::List),
            );
        }
        blocks.push(match item {
            Item::Paragraph(inlines) => Block::Paragraph(inlines),
            Item::Heading(level, inlines) => Block::Heading { level, inlines },
            Item::Title(inlines) => Block::Title(inlines),
            Item::Table(table) => Block::Table(table),
            Item::Listed { .. } => continue,
        });
    }
    if !pending.is_empty() {
        blocks.extend(build_lists(pending).into_iter().map(Block::List));
    }
    blocks
}

/// Word's flat (level, kind, text) paragraphs → lists nested by level. A deeper level
/// nests under the item before it; a change of kind at the same level starts a new list.
pub(crate) fn build_lists(items: Vec<(u8, bool, Vec<Inline>)>) -> Vec<List> {
    fn close(list: List, stack: &mut [(u8, List)], roots: &mut Vec<List>) {
        match stack
            .last_mut()
            .and_then(|(_, parent)| parent.items.last_mut())
        {
            Some(item) => item.children.push(list),
            None => roots.push(list),
        }
    }
    let mut roots = Vec::new();
    let mut stack: Vec<(u8, List)> = Vec::new();
    for (level, ordered, inlines) in items {
        let item = ListItem {
            inlines,
            children: Vec::new(),
        };
        while stack.last().is_some_and(|(l, _)| *l > level) {
            if let Some((_, list)) = stack.pop() {
                close(list, &mut stack, &mut roots);
            }
        }
        match stack.last_mut() {
            Some((l, list)) if *l == level && list.ordered == ordered => list.items.push(item),
            Some((l, _)) if *l == level => {
                if let Some((_, list)) = stack.pop() {
                    close(list, &mut stack, &mut roots);
                }
                stack.push((
                    level,
                    List {
                        ordered,
                        items: vec![item],
                    },
                ));
            }
            _ => stack.push((
                level,
                List {
                    ordered,
                    items: vec![item],
                },
            )),
        }
    }
    while let Some((_, list)) = stack.pop() {
        close(list, &mut stack, &mut roots);
    }
    roots
}
