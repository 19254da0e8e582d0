//! The plan of a publish: the built output compared with the target's manifest, as ordered
//! operations. A pure function, so that every rule is tested without a server.

use std::collections::{BTreeSet, HashSet};

use super::manifest::{LocalFile, MANIFEST, Manifest};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    New,
    Changed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub path: String,
    pub kind: ChangeKind,
    pub size: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// In order: every file pages use (styles, images, feeds…), then the pages (`.html`), so
    /// that no reader gets a page whose files are not there yet.
    pub uploads: Vec<Upload>,
    /// Files datto published before and no longer produces; deleted last.
    pub deletes: Vec<String>,
    /// Output files that a file datto did not publish occupies on the target: never
    /// overwritten, so the publish is refused while they are there.
    pub conflicts: Vec<String>,
    /// Files on the target that datto did not publish (and leaves alone).
    pub foreign: Vec<String>,
    pub unchanged: usize,
}

impl Plan {
    pub fn bytes(&self) -> u64 {
        self.uploads.iter().map(|u| u.size).sum()
    }

    pub fn count(&self, kind: ChangeKind) -> usize {
        self.uploads.iter().filter(|u| u.kind == kind).count()
    }

    pub fn is_empty(&self) -> bool {
        self.uploads.is_empty() && self.deletes.is_empty()
    }
}

/// Whether a file is a page, uploaded after the files it uses.
pub fn is_page(path: &str) -> bool {
    path.ends_with(".html") || path.ends_with(".htm")
}

/// Names datto gives a file while it uploads it (see the transports): never foreign.
pub fn is_temporary(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.starts_with('.') && name.ends_with(".datto-tmp")
}

/// `present`: the files seen on the target (all of it, or at least the folders new files go
/// to); a file there that the manifest does not own is foreign.
pub fn plan(local: &[LocalFile], manifest: &Manifest, present: &HashSet<String>) -> Plan {
    let mut plan = Plan::default();
    let produced: HashSet<&str> = local.iter().map(|f| f.path.as_str()).collect();
    let mut pages = Vec::new();
    for file in local {
        let kind = match manifest.files.get(&file.path) {
            Some(entry) if *entry == file.entry && !manifest.pending.contains(&file.path) => {
                plan.unchanged += 1;
                continue;
            }
            Some(_) => ChangeKind::Changed,
            // Perhaps written by the interrupted publish, but not known to be: new.
            None if manifest.pending.contains(&file.path) => ChangeKind::New,
            None if present.contains(&file.path) => {
                plan.conflicts.push(file.path.clone());
                continue;
            }
            None => ChangeKind::New,
        };
        let upload = Upload {
            path: file.path.clone(),
            kind,
            size: file.entry.size,
        };
        if is_page(&file.path) {
            pages.push(upload);
        } else {
            plan.uploads.push(upload);
        }
    }
    plan.uploads.extend(pages);
    let owned: BTreeSet<&String> = manifest.files.keys().chain(&manifest.pending).collect();
    plan.deletes = owned
        .into_iter()
        .filter(|path| !produced.contains(path.as_str()))
        .cloned()
        .collect();
    let mut foreign: Vec<String> = present
        .iter()
        .filter(|p| !manifest.owns(p) && !produced.contains(p.as_str()))
        .filter(|p| p.as_str() != MANIFEST && !is_temporary(p))
        .cloned()
        .collect();
    foreign.sort();
    plan.foreign = foreign;
    plan
}

#[cfg(test)]
mod tests {
    use super::super::manifest::Entry;
    use super::*;

    fn local(path: &str, hash: &str) -> LocalFile {
        LocalFile {
            path: path.into(),
            entry: Entry {
                sha256: hash.into(),
                size: hash.len() as u64,
            },
        }
    }

    fn manifest(files: &[(&str, &str)], pending: &[&str]) -> Manifest {
        Manifest {
            version: 1,
            files: files
                .iter()
                .map(|(p, h)| {
                    (
                        p.to_string(),
                        Entry {
                            sha256: h.to_string(),
                            size: h.len() as u64,
                        },
                    )
                })
                .collect(),
            pending: pending.iter().map(|p| p.to_string()).collect(),
        }
    }

    struct Case {
        name: &'static str,
        local: Vec<LocalFile>,
        manifest: Manifest,
        present: &'static [&'static str],
        uploads: &'static [(&'static str, ChangeKind)],
        deletes: &'static [&'static str],
        conflicts: &'static [&'static str],
        foreign: &'static [&'static str],
    }

    use ChangeKind::{Changed, New};

    #[test]
    fn plans() {
        let cases = vec![
            Case {
                name: "first publish: assets before pages",
                local: vec![
                    local("index.html", "a"),
                    local("style.css", "b"),
                    local("tin/x/index.html", "c"),
                    local("feed.xml", "d"),
                ],
                manifest: Manifest::default(),
                present: &[],
                uploads: &[
                    ("style.css", New),
                    ("feed.xml", New),
                    ("index.html", New),
                    ("tin/x/index.html", New),
                ],
                deletes: &[],
                conflicts: &[],
                foreign: &[],
            },
            Case {
                name: "nothing changed",
                local: vec![local("index.html", "a"), local("style.css", "b")],
                manifest: manifest(&[("index.html", "a"), ("style.css", "b")], &[]),
                present: &[],
                uploads: &[],
                deletes: &[],
                conflicts: &[],
                foreign: &[],
            },
            Case {
                name: "one edit, one removal",
                local: vec![local("index.html", "A"), local("style.css", "b")],
                manifest: manifest(
                    &[
                        ("index.html", "a"),
                        ("style.css", "b"),
                        ("old/index.html", "o"),
                    ],
                    &[],
                ),
                present: &[],
                uploads: &[("index.html", Changed)],
                deletes: &["old/index.html"],
                conflicts: &[],
                foreign: &[],
            },
            Case {
                name: "foreign files stay, a foreign file in the way is a conflict",
                local: vec![local("index.html", "a"), local("google123.html", "g")],
                manifest: Manifest::default(),
                present: &[
                    "cgi-bin/run.pl",
                    ".well-known/acme",
                    "google123.html",
                    ".x.datto-tmp",
                    MANIFEST,
                ],
                uploads: &[("index.html", New)],
                deletes: &[],
                conflicts: &["google123.html"],
                foreign: &[".well-known/acme", "cgi-bin/run.pl"],
            },
            Case {
                name: "an interrupted publish: pending files are ours, uploaded again",
                local: vec![local("a.css", "a"), local("index.html", "i")],
                manifest: manifest(&[("a.css", "a")], &["a.css", "index.html", "gone.png"]),
                present: &["index.html"],
                uploads: &[("a.css", Changed), ("index.html", New)],
                deletes: &["gone.png"],
                conflicts: &[],
                foreign: &[],
            },
        ];
        for case in cases {
            let present: HashSet<String> = case.present.iter().map(|p| p.to_string()).collect();
            let plan = plan(&case.local, &case.manifest, &present);
            let uploads: Vec<(&str, ChangeKind)> = plan
                .uploads
                .iter()
                .map(|u| (u.path.as_str(), u.kind))
                .collect();
            assert_eq!(uploads, case.uploads, "{}", case.name);
            assert_eq!(plan.deletes, case.deletes, "{}", case.name);
            assert_eq!(plan.conflicts, case.conflicts, "{}", case.name);
            assert_eq!(plan.foreign, case.foreign, "{}", case.name);
        }
    }

    #[test]
    fn temporary_names() {
        assert!(is_temporary("a/.index.html.datto-tmp"));
        assert!(!is_temporary("a/index.html"));
        assert!(!is_temporary("x.datto-tmp"));
    }
}
