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

mod body;
mod lists;
mod media;
mod styles;

use super::ImportError;
use super::document::Document;
use super::package::{Limits, Package, resolve_target};
use body::Reader;
#[cfg(test)]
pub(crate) use lists::build_lists;
use styles::{Numbering, Styles};

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
    let blocks = lists::assemble(items);
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
