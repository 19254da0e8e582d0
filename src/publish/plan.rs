//! The plan of a publish: the built output compared with the target's manifest, as ordered
//! operations. A pure function, so that every rule is tested without a server.

use std::collections::{BTreeSet, HashMap, HashSet};

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
    /// Output files that a file datto did not publish, with other content, occupies on the
    /// target: never overwritten (unless the publish adopts them), so the publish is refused
    /// while they are there.
    pub conflicts: Vec<String>,
    /// Output files already on the target with the very content datto would upload, put
    /// there by other means (rsync, an FTP client, a datto without manifest): taken into the
    /// manifest, nothing sent.
    pub adopted: Vec<String>,
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

/// A file seen on the target that the manifest may not own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seen {
    /// From the listing, when it says.
    pub size: Option<u64>,
    /// Read from the target for the files [`to_compare`] names.
    pub sha256: Option<String>,
}

/// The output files that a file datto does not own occupies on the target with perhaps the
/// same content (same size, or a listing without sizes): those whose content must be read
/// from the target to decide between adopting them and a conflict.
pub fn to_compare(
    local: &[LocalFile],
    manifest: &Manifest,
    present: &HashMap<String, Seen>,
) -> Vec<String> {
    local
        .iter()
        .filter(|f| !manifest.owns(&f.path))
        .filter(|f| {
            present
                .get(&f.path)
                .is_some_and(|seen| seen.size.is_none_or(|size| size == f.entry.size))
        })
        .map(|f| f.path.clone())
        .collect()
}

/// `present`: the files seen on the target (all of it, or at least the folders new files go
/// to); a file there that the manifest does not own is foreign, unless it is an output file
/// with the same content (adopted). `adopt`: overwrite output files that are there with
/// other content (`--adopt`, taking over a copy of the site uploaded by other means).
pub fn plan(
    local: &[LocalFile],
    manifest: &Manifest,
    present: &HashMap<String, Seen>,
    adopt: bool,
) -> Plan {
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
            None => match present.get(&file.path) {
                Some(seen) if seen.sha256.as_ref() == Some(&file.entry.sha256) => {
                    plan.adopted.push(file.path.clone());
                    continue;
                }
                Some(_) if adopt => ChangeKind::Changed,
                Some(_) => {
                    plan.conflicts.push(file.path.clone());
                    continue;
                }
                None => ChangeKind::New,
            },
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
        .keys()
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
        /// Seen on the target, with the hash read from it (for [`to_compare`]'s files).
        present: &'static [(&'static str, Option<&'static str>)],
        adopt: bool,
        uploads: &'static [(&'static str, ChangeKind)],
        deletes: &'static [&'static str],
        conflicts: &'static [&'static str],
        foreign: &'static [&'static str],
        adopted: &'static [&'static str],
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
                adopt: false,
                uploads: &[
                    ("style.css", New),
                    ("feed.xml", New),
                    ("index.html", New),
                    ("tin/x/index.html", New),
                ],
                deletes: &[],
                conflicts: &[],
                foreign: &[],
                adopted: &[],
            },
            Case {
                name: "nothing changed",
                local: vec![local("index.html", "a"), local("style.css", "b")],
                manifest: manifest(&[("index.html", "a"), ("style.css", "b")], &[]),
                present: &[],
                adopt: false,
                uploads: &[],
                deletes: &[],
                conflicts: &[],
                foreign: &[],
                adopted: &[],
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
                adopt: false,
                uploads: &[("index.html", Changed)],
                deletes: &["old/index.html"],
                conflicts: &[],
                foreign: &[],
                adopted: &[],
            },
            Case {
                name: "foreign files stay, a foreign file in the way is a conflict",
                local: vec![local("index.html", "a"), local("google123.html", "g")],
                manifest: Manifest::default(),
                present: &[
                    ("cgi-bin/run.pl", None),
                    (".well-known/acme", None),
                    ("google123.html", Some("other")),
                    (".x.datto-tmp", None),
                    (MANIFEST, None),
                ],
                adopt: false,
                uploads: &[("index.html", New)],
                deletes: &[],
                conflicts: &["google123.html"],
                foreign: &[".well-known/acme", "cgi-bin/run.pl"],
                adopted: &[],
            },
            Case {
                name: "an interrupted publish: pending files are ours, uploaded again",
                local: vec![local("a.css", "a"), local("index.html", "i")],
                manifest: manifest(&[("a.css", "a")], &["a.css", "index.html", "gone.png"]),
                present: &[("index.html", None)],
                adopt: false,
                uploads: &[("a.css", Changed), ("index.html", New)],
                deletes: &["gone.png"],
                conflicts: &[],
                foreign: &[],
                adopted: &[],
            },
            Case {
                name: "taking over a copy uploaded by rsync: same content adopted, other kept",
                local: vec![
                    local("index.html", "a"),
                    local("style.css", "b"),
                    local("new.html", "n"),
                ],
                manifest: Manifest::default(),
                present: &[
                    ("index.html", Some("a")),
                    ("style.css", Some("b")),
                    ("old-page.html", None),
                ],
                adopt: false,
                uploads: &[("new.html", New)],
                deletes: &[],
                conflicts: &[],
                foreign: &["old-page.html"],
                adopted: &["index.html", "style.css"],
            },
            Case {
                name: "an older copy: different content refused without --adopt",
                local: vec![local("index.html", "A"), local("style.css", "b")],
                manifest: Manifest::default(),
                present: &[("index.html", Some("a")), ("style.css", Some("b"))],
                adopt: false,
                uploads: &[],
                deletes: &[],
                conflicts: &["index.html"],
                foreign: &[],
                adopted: &["style.css"],
            },
            Case {
                name: "an older copy with --adopt: overwritten, never a deletion",
                local: vec![local("index.html", "A"), local("style.css", "b")],
                manifest: manifest(&[("style.css", "b")], &[]),
                present: &[("index.html", Some("a")), ("gone.html", None)],
                adopt: true,
                uploads: &[("index.html", Changed)],
                deletes: &[],
                conflicts: &[],
                foreign: &["gone.html"],
                adopted: &[],
            },
        ];
        for case in cases {
            let present: HashMap<String, Seen> = case
                .present
                .iter()
                .map(|(p, hash)| {
                    let seen = Seen {
                        size: hash.map(|h| h.len() as u64),
                        sha256: hash.map(str::to_string),
                    };
                    (p.to_string(), seen)
                })
                .collect();
            let plan = plan(&case.local, &case.manifest, &present, case.adopt);
            let uploads: Vec<(&str, ChangeKind)> = plan
                .uploads
                .iter()
                .map(|u| (u.path.as_str(), u.kind))
                .collect();
            assert_eq!(uploads, case.uploads, "{}", case.name);
            assert_eq!(plan.deletes, case.deletes, "{}", case.name);
            assert_eq!(plan.conflicts, case.conflicts, "{}", case.name);
            assert_eq!(plan.foreign, case.foreign, "{}", case.name);
            assert_eq!(plan.adopted, case.adopted, "{}", case.name);
        }
    }

    #[test]
    fn compares_only_what_may_be_the_same() {
        let files = vec![
            local("same-size.html", "aaaa"),
            local("other-size.html", "aaaa"),
            local("no-size.css", "b"),
            local("ours.html", "c"),
            local("absent.html", "d"),
        ];
        let seen = |size| Seen { size, sha256: None };
        let present: HashMap<String, Seen> = [
            ("same-size.html", seen(Some(4))),
            ("other-size.html", seen(Some(9))),
            ("no-size.css", seen(None)),
            ("ours.html", seen(Some(1))),
        ]
        .into_iter()
        .map(|(p, s)| (p.to_string(), s))
        .collect();
        let manifest = manifest(&[("ours.html", "c")], &[]);
        assert_eq!(
            to_compare(&files, &manifest, &present),
            ["same-size.html", "no-size.css"]
        );
        // A file whose size differs is not read, and is a conflict.
        let plan = plan(&files, &manifest, &present, false);
        assert_eq!(
            plan.conflicts,
            ["same-size.html", "other-size.html", "no-size.css"]
        );
    }

    #[test]
    fn temporary_names() {
        assert!(is_temporary("a/.index.html.datto-tmp"));
        assert!(!is_temporary("a/index.html"));
        assert!(!is_temporary("x.datto-tmp"));
    }
}
