//! `styles.xml` and `numbering.xml`: which paragraph style is a heading or a list, which
//! character style is bold, and whether a list level shows bullets or numbers.

use std::collections::HashMap;

use roxmltree::Node;

use super::{child_val, is_w, toggle, w_attr, w_child};

#[derive(Default)]
pub(super) struct StyleDef {
    /// Lower-case `w:name` (Word stores built-in names in English: "heading 1").
    pub(super) name: String,
    pub(super) based_on: Option<String>,
    pub(super) outline_level: Option<u8>,
    pub(super) num: Option<NumRef>,
    pub(super) bold: Option<bool>,
    pub(super) italic: Option<bool>,
}

#[derive(Clone)]
pub(super) struct NumRef {
    pub(super) num_id: String,
    pub(super) level: Option<u8>,
}

#[derive(Default)]
pub(super) struct Styles {
    pub(super) by_id: HashMap<String, StyleDef>,
    pub(super) default_paragraph: Option<String>,
}

impl Styles {
    pub(super) fn parse(xml: &roxmltree::Document) -> Styles {
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
    pub(super) fn chain(&self, id: &str) -> Vec<&StyleDef> {
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

pub(super) fn num_ref(ppr: Node) -> Option<NumRef> {
    let num = w_child(ppr, "numPr")?;
    Some(NumRef {
        num_id: child_val(num, "numId").unwrap_or_default().to_owned(),
        level: child_val(num, "ilvl").and_then(|v| v.parse().ok()),
    })
}

#[derive(Default)]
pub(super) struct Numbering {
    /// numId → (abstractNumId, level → format overrides).
    pub(super) nums: HashMap<String, (String, HashMap<u8, String>)>,
    /// abstractNumId → level → `w:numFmt` ("bullet", "decimal", "lowerLetter", "none", …).
    pub(super) abstracts: HashMap<String, HashMap<u8, String>>,
}

impl Numbering {
    pub(super) fn parse(xml: &roxmltree::Document) -> Numbering {
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
            } else if is_w(node, "num")
                && let (Some(id), Some(abstract_id)) =
                    (w_attr(node, "numId"), child_val(node, "abstractNumId"))
            {
                numbering
                    .nums
                    .insert(id.to_owned(), (abstract_id.to_owned(), levels(node)));
            }
        }
        numbering
    }

    pub(super) fn format(&self, num_id: &str, level: u8) -> Option<&str> {
        let (abstract_id, overrides) = self.nums.get(num_id)?;
        overrides
            .get(&level)
            .or_else(|| self.abstracts.get(abstract_id)?.get(&level))
            .map(String::as_str)
    }
}
