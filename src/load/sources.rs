//! The parsed content of a site, file by file: what `build` reads once and `serve` keeps
//! between rebuilds, re-reading only the files that changed.

use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::base::diagnostics::{Diagnostic, Error, relative_to};
use crate::base::layout::{self, Folder, content_dir};
use crate::load::inventory::Inventory;
use crate::load::parse::{parse_item, parse_page, parse_profile};
use crate::model::config::Config;
use crate::model::content::{Item, Page, Profile, Source};

/// One Markdown file after front matter parsing (its body is not rendered yet).
#[derive(Debug, Clone)]
pub enum Doc {
    Item(Arc<Item>),
    Profile(Arc<Profile>),
    Page(Arc<Page>),
    /// The file's problems; reported by every build until it is fixed. With its body when
    /// only the front matter was refused: the body is checked too (its links), so that one
    /// run reports everything wrong in the file.
    Failed(Vec<Diagnostic>, Option<Arc<Source>>),
}

#[derive(Debug)]
pub struct Sources {
    pub root: PathBuf,
    pub config: Config,
    pub inventory: Inventory,
    /// Mistakes in `site.yaml` that still left a usable configuration: reported with the
    /// content's own problems (see [`Config::from_yaml_lenient`]).
    pub config_problems: Vec<Diagnostic>,
    docs: FxHashMap<String, Doc>,
}

/// Reads `content/site.yaml` alone (for `new` and the first step of loading).
pub fn load_config(root: &Path) -> Result<Config, Error> {
    match load_config_lenient(root)? {
        (Some(config), problems) if problems.is_empty() => Ok(config),
        (_, problems) => Err(Error::content(problems)),
    }
}

/// `site.yaml` read leniently (see [`Config::from_yaml_lenient`]); an error only when the
/// file cannot be read at all.
fn load_config_lenient(root: &Path) -> Result<(Option<Config>, Vec<Diagnostic>), Error> {
    let path = content_dir(root).join(layout::CONFIG_FILE);
    let shown = relative_to(root, &path);
    let text = crate::base::text::read_to_string(&path).map_err(|e| {
        let mut d = crate::base::diagnostics::io_diagnostic(&shown, &e);
        if e.kind() == std::io::ErrorKind::NotFound {
            d = d.with_hint("chạy lệnh trong thư mục chứa content/, hoặc chỉ rõ bằng --root");
        }
        d
    })?;
    let text = crate::base::text::clean_file(&shown, text).map_err(Error::content)?;
    Ok(Config::from_yaml_lenient(&shown, &text))
}

impl Sources {
    /// Reads `site.yaml`, walks `content/` and parses every Markdown file (in parallel).
    /// A broken `site.yaml` hides nothing that can still be checked: with no usable
    /// configuration, stray files and pages (which need none) are reported with it.
    pub fn load(root: &Path) -> Result<Sources, Error> {
        let (config, config_problems) = load_config_lenient(root)?;
        let inventory = Inventory::scan(&content_dir(root), root);
        let Some(config) = config else {
            let mut all = crate::base::diagnostics::Diagnostics::from(config_problems);
            all.extend(inventory.problems.iter().cloned());
            let content = content_dir(root);
            let pages: Vec<Vec<Diagnostic>> = inventory
                .pages
                .par_iter()
                .map(|rel| {
                    let path = content.join(rel);
                    let shown = relative_to(root, &path);
                    match crate::base::text::read_to_string(&path) {
                        Ok(text) => parse_page(&shown, rel, text).err().unwrap_or_default(),
                        Err(e) => vec![crate::base::diagnostics::io_diagnostic(shown, &e)],
                    }
                })
                .collect();
            all.extend(pages.into_iter().flatten());
            return Err(Error::content(all));
        };
        let mut sources = Sources {
            root: root.to_path_buf(),
            config,
            inventory,
            config_problems,
            docs: FxHashMap::default(),
        };
        let all: Vec<String> = sources.markdown_files().map(str::to_string).collect();
        sources.parse(&all);
        Ok(sources)
    }

    /// Problems found before any file was parsed: `site.yaml`'s and the inventory's.
    pub fn problems(&self) -> impl Iterator<Item = &Diagnostic> {
        self.config_problems.iter().chain(&self.inventory.problems)
    }

    fn markdown_files(&self) -> impl Iterator<Item = &str> {
        let inv = &self.inventory;
        inv.items
            .iter()
            .chain(&inv.profiles)
            .chain(&inv.pages)
            .map(String::as_str)
    }

    fn parse(&mut self, rels: &[String]) {
        let content = content_dir(&self.root);
        let parsed: Vec<(String, Doc)> = rels
            .par_iter()
            .map(|rel| {
                let path = content.join(rel);
                let shown = relative_to(&self.root, &path);
                let doc = match crate::base::text::read_to_string(&path) {
                    Ok(text) => match crate::base::text::clean_file(&shown, text) {
                        Ok(text) => parse_doc(&self.config, &shown, rel, text),
                        Err(problems) => Doc::Failed(problems, None),
                    },
                    Err(e) => Doc::Failed(
                        vec![crate::base::diagnostics::io_diagnostic(&shown, &e)],
                        None,
                    ),
                };
                // Read again only when it failed (rare): parsing consumed the text.
                let doc = match doc {
                    Doc::Failed(problems, None) => {
                        let body = crate::base::text::read_to_string(&path)
                            .ok()
                            .and_then(|text| crate::load::parse::body_of(&shown, rel, text));
                        Doc::Failed(problems, body.map(Arc::new))
                    }
                    doc => doc,
                };
                (rel.clone(), doc)
            })
            .collect();
        self.docs.extend(parsed);
    }

    /// Re-parses `changed` (paths relative to `content/`). When `rescan` is set, or a changed
    /// file is new or gone, walks `content/` again too: new Markdown files are parsed, files
    /// that are gone forgotten, and assets listed anew.
    pub fn refresh(&mut self, changed: &[String], rescan: bool) -> Result<(), Error> {
        // Edits of files already known change nothing in the inventory: skip the walk, which
        // on a 10,000-item site costs more than re-parsing the edited file.
        let content = content_dir(&self.root);
        let only_edits = !rescan
            && changed
                .iter()
                .all(|rel| self.docs.contains_key(rel) && content.join(rel).is_file());
        if only_edits {
            self.parse(changed);
            return Ok(());
        }
        self.inventory = Inventory::scan(&content, &self.root);
        let present: rustc_hash::FxHashSet<String> =
            self.markdown_files().map(str::to_string).collect();
        self.docs.retain(|rel, _| present.contains(rel));
        let mut stale: Vec<String> = present
            .into_iter()
            .filter(|rel| !self.docs.contains_key(rel) || changed.contains(rel))
            .collect();
        stale.sort();
        self.parse(&stale);
        Ok(())
    }

    /// Puts `doc` in the place of the file `rel` (listing it if it is new) and returns what
    /// to give [`Sources::restore`]: the editor's live preview renders a text not yet saved.
    pub fn swap(&mut self, rel: &str, doc: Doc) -> Swapped {
        let list = match Folder::of(rel) {
            Some(Folder::Items) => &mut self.inventory.items,
            Some(Folder::Profiles) => &mut self.inventory.profiles,
            _ => &mut self.inventory.pages,
        };
        let listed = !list.iter().any(|r| r == rel);
        if listed {
            list.push(rel.to_string());
        }
        Swapped {
            rel: rel.to_string(),
            previous: self.docs.insert(rel.to_string(), doc),
            listed,
        }
    }

    /// Undoes [`Sources::swap`].
    pub fn restore(&mut self, swapped: Swapped) {
        match swapped.previous {
            Some(doc) => {
                self.docs.insert(swapped.rel.clone(), doc);
            }
            None => {
                self.docs.remove(&swapped.rel);
            }
        }
        if swapped.listed {
            for list in [
                &mut self.inventory.items,
                &mut self.inventory.profiles,
                &mut self.inventory.pages,
            ] {
                list.retain(|r| *r != swapped.rel);
            }
        }
    }

    /// The parsed file `rel` (relative to `content/`).
    pub fn doc(&self, rel: &str) -> Option<&Doc> {
        self.docs.get(rel)
    }

    /// Every parsed file, in a stable order.
    pub fn docs(&self) -> impl Iterator<Item = (&str, &Doc)> {
        self.markdown_files()
            .filter_map(|rel| self.docs.get(rel).map(|doc| (rel, doc)))
    }

    /// Moves the parsed documents out, in the order of [`Sources::docs`] (`build`, which
    /// keeps nothing for a next rebuild: each Markdown body can then be freed once rendered).
    pub fn take_docs(&mut self) -> Vec<(String, Doc)> {
        let mut docs = std::mem::take(&mut self.docs);
        self.markdown_files()
            .filter_map(|rel| docs.remove_entry(rel))
            .collect()
    }
}

/// What [`Sources::swap`] replaced.
#[must_use]
pub struct Swapped {
    rel: String,
    previous: Option<Doc>,
    listed: bool,
}

fn parse_doc(config: &Config, shown: &Path, rel: &str, text: String) -> Doc {
    let result = match Folder::of(rel) {
        Some(Folder::Items) => parse_item(config, shown, rel, text).map(|i| Doc::Item(Arc::new(i))),
        Some(Folder::Profiles) => {
            parse_profile(config, shown, rel, text).map(|p| Doc::Profile(Arc::new(p)))
        }
        _ => parse_page(shown, rel, text).map(|p| Doc::Page(Arc::new(p))),
    };
    result.unwrap_or_else(|problems| Doc::Failed(problems, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join("content").join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn refresh_reparses_only_what_changed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "site.yaml", crate::model::config::tests::SAMPLE);
        write(
            root,
            "tin-bai/a.md",
            "---\ntitle: A\ndate: 2018-01-01\nunit: viet-tri\n---\nA\n",
        );
        write(
            root,
            "tin-bai/b.md",
            "---\ntitle: B\ndate: 2018-01-02\nunit: viet-tri\n---\nB\n",
        );
        let mut sources = Sources::load(root).unwrap();
        let item = |s: &Sources, rel: &str| match s.docs.get(rel) {
            Some(Doc::Item(i)) => Some(i.clone()),
            _ => None,
        };
        let a_before = item(&sources, "tin-bai/a.md").unwrap();
        let b_before = item(&sources, "tin-bai/b.md").unwrap();

        write(
            root,
            "tin-bai/b.md",
            "---\ntitle: B2\ndate: 2018-01-02\nunit: viet-tri\n---\nB\n",
        );
        write(
            root,
            "tin-bai/c.md",
            "---\ntitle: C\ndate: 2018-01-03\nunit: viet-tri\n---\nC\n",
        );
        std::fs::remove_file(root.join("content/tin-bai/a.md")).unwrap();
        // As the watcher reports them: one edit, one new file, one deleted file.
        let changed = [
            "tin-bai/b.md".to_string(),
            "tin-bai/c.md".into(),
            "tin-bai/a.md".into(),
        ];
        sources.refresh(&changed, false).unwrap();

        assert!(item(&sources, "tin-bai/a.md").is_none());
        assert_eq!(item(&sources, "tin-bai/b.md").unwrap().title, "B2");
        assert!(!Arc::ptr_eq(
            &item(&sources, "tin-bai/b.md").unwrap(),
            &b_before
        ));
        assert_eq!(item(&sources, "tin-bai/c.md").unwrap().title, "C");
        drop(a_before);

        // An untouched file keeps its parsed value (same allocation), rescan or not.
        let c = item(&sources, "tin-bai/c.md").unwrap();
        sources.refresh(&[], true).unwrap();
        sources.refresh(&["tin-bai/b.md".into()], false).unwrap();
        assert!(Arc::ptr_eq(&c, &item(&sources, "tin-bai/c.md").unwrap()));
    }
}
