//! What the tests share: a rebuilder on a fixture site, what it serves, and the comparison
//! with a fresh `datto build`.

use crate::common::{NOW, TestSite};
use datto::commands::serve::rebuild::{Change, Rebuilder};
use datto::commands::serve::store::Store;
use datto::model::site::LoadOptions;

pub fn options() -> LoadOptions {
    LoadOptions {
        drafts: false,
        future: false,
        now: chrono::DateTime::from_timestamp(NOW.parse().unwrap(), 0).unwrap(),
        base_url: None,
        preview: false,
    }
}

pub fn disk_tree(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    crate::common::files_under(dir)
        .into_iter()
        .map(|rel| {
            let bytes = std::fs::read(dir.join(&rel)).unwrap();
            (rel, bytes)
        })
        .collect()
}

/// What the server serves: every file and its bytes, once the photos are made.
pub fn tree(dev: &mut Rebuilder) -> Vec<(String, Vec<u8>)> {
    let _made = dev.take_photos().map(|photos| photos.produce().unwrap());
    let store = dev.store();
    store
        .files()
        .into_iter()
        .map(|rel| {
            let bytes = store.bytes(&rel).unwrap();
            (rel, bytes)
        })
        .collect()
}

pub fn served(dev: &Rebuilder, rel: &str) -> bool {
    dev.store().contains(rel)
}

pub fn page(dev: &Rebuilder, rel: &str) -> String {
    String::from_utf8(dev.store().bytes(rel).unwrap()).unwrap()
}

pub fn rebuilder(site: &TestSite) -> Rebuilder {
    Rebuilder::new(site.root(), options(), Store::new(site.root()))
}

/// Asserts the incremental output equals a fresh build of the same content.
#[track_caller]
pub fn assert_same_as_build(site: &TestSite, dev: &mut Rebuilder) {
    site.build(&[]).success();
    let fresh = disk_tree(&site.public());
    let served = tree(dev);
    let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&served), names(&fresh), "different files");
    for ((name, a), (_, b)) in served.iter().zip(&fresh) {
        assert!(a == b, "{name} differs from a fresh build");
    }
}

pub fn content(rel: &str) -> Change {
    Change {
        content: vec![rel.to_string()],
        ..Change::default()
    }
}

/// What the watcher makes of the paths (relative to `content/`) an operation touched.
pub fn change_for(site: &TestSite, touched: &[String]) -> Change {
    let mut change = Change::default();
    for rel in touched {
        let path = site.root().join("content").join(rel);
        datto::commands::serve::watch::classify(site.root(), "datto", &path, &mut change);
    }
    change
}

pub fn item_text(title: &str, year: u32, unit: &str, body: &str) -> String {
    format!(
        "---\ntitle: {title}\ndate: {year}-03-0{}\nunit: {unit}\ntags: [Chủ đề {}]\n---\n{body}\n",
        title.len() % 9 + 1,
        title.len() % 3
    )
}

/// Moves a file or folder under `content/`; returns the paths the watcher reports.
pub fn rename(site: &TestSite, from: &str, to: &str) -> Vec<String> {
    let content = site.root().join("content");
    std::fs::create_dir_all(content.join(to).parent().unwrap()).unwrap();
    std::fs::rename(content.join(from), content.join(to)).unwrap();
    vec![from.to_string(), to.to_string()]
}

/// Compares `dev` with a fresh build of the same content, failure for failure.
#[track_caller]
pub fn assert_same_outcome(site: &TestSite, dev_ok: bool, dev: &mut Rebuilder, step: &str) {
    let fresh = site.build(&[]);
    assert_eq!(
        dev_ok,
        fresh.output.status.success(),
        "{step}: serve and a fresh build disagree on success:\n{}",
        fresh.stderr()
    );
    if dev_ok {
        let fresh = disk_tree(&site.public());
        let served = tree(dev);
        let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&served), names(&fresh), "{step}: different files");
        for ((name, a), (_, b)) in served.iter().zip(&fresh) {
            assert!(a == b, "{step}: {name} differs from a fresh build");
        }
    }
}
