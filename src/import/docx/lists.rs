//! Word's flat list paragraphs → nested lists.

use super::body::Item;
use crate::import::document::{Block, Inline, List, ListItem};

/// Groups list paragraphs into nested lists; everything else becomes a block as it is.
pub(super) fn assemble(items: Vec<Item>) -> Vec<Block> {
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
