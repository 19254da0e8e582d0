//! Assembly of a small site written to a temp folder: what is published, in which order,
//! indexed how, and which bodies are reused between two assemblies (`serve`).

use std::path::Path;
use std::sync::Arc;

use super::*;
use crate::model::plan::PageKind;

pub(crate) fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join("content").join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Five items (one a draft, one dated after "now"), a profile and a page.
pub(crate) fn sample_site(root: &Path) {
    write(root, "site.yaml", crate::model::config::tests::SAMPLE);
    let item = |title: &str, date: &str, unit: &str, extra: &str| {
        format!(
            "---\ntitle: {title}\ndate: {date}\nunit: {unit}\n{extra}---\nĐoạn đầu của {title}.\n"
        )
    };
    write(
        root,
        "tin-bai/2018/a.md",
        &item("A", "2018-03-05", "viet-tri", "tags: [Hát Xoan]\n"),
    );
    write(
        root,
        "tin-bai/2018/b.md",
        &item("B", "2018-06-01", "doan-hung", "tags: [hát xoan]\n"),
    );
    write(
        root,
        "tin-bai/2018/c.md",
        &item("C", "2018-06-01", "viet-tri", "summary: Viết sẵn\n"),
    );
    write(
        root,
        "tin-bai/2018/nhap.md",
        &item("Nháp", "2018-07-01", "viet-tri", "draft: true\n"),
    );
    write(
        root,
        "tin-bai/2019/sau.md",
        &item("Sau", "2019-01-10", "viet-tri", ""),
    );
    write(
        root,
        "mo-hinh/mai-am.md",
        "---\ntitle: Mái ấm\nunit: doan-hung\nkind: mai-am-tinh-thuong\n---\nNội dung.\n",
    );
    write(
        root,
        "trang/gioi-thieu.md",
        "---\ntitle: Giới thiệu\n---\nVề Hội.\n",
    );
}

pub(crate) fn options(now: &str) -> LoadOptions {
    LoadOptions {
        drafts: false,
        future: false,
        now: chrono::DateTime::parse_from_rfc3339(now).unwrap().to_utc(),
        base_url: None,
        preview: false,
    }
}

#[test]
fn publishes_sorts_and_indexes_what_this_build_shows() {
    let dir = tempfile::tempdir().unwrap();
    sample_site(dir.path());
    let site = load(dir.path(), &options("2018-12-31T12:00:00+07:00")).unwrap();
    let titles: Vec<&str> = site.items.iter().map(|i| i.title.as_str()).collect();
    // Newest first; same date → by path. The draft and the item of 2019 are not published.
    assert_eq!(titles, ["B", "C", "A"]);
    assert_eq!(site.scheduled.len(), 1, "{:?}", site.scheduled);
    assert_eq!(site.scheduled[0].title, "Sau");
    assert_eq!(site.items_by_unit[0], [1, 2], "Việt Trì: C, A");
    assert_eq!(site.items_by_unit[1], [0], "Đoan Hùng: B");
    assert_eq!(site.profiles_by_unit[1], [0]);
    // "Hát Xoan" and "hát xoan" are one tag, named as first written on the newest item.
    assert_eq!(site.tags.len(), 1);
    assert_eq!(
        (site.tags[0].name.as_str(), &site.tags[0].items),
        ("hát xoan", &vec![0, 2])
    );
    assert_eq!(site.tally_years, [2018]);
    // Every item has its rendered body; the summary is written or taken from the body.
    assert!(
        site.items
            .iter()
            .all(|i| i.body.html.text().unwrap().contains("Đoạn đầu"))
    );
    assert_eq!(site.items[1].body.summary, "Viết sẵn");
    assert!(!site.items[1].body.summary_is_auto);
    assert!(site.items[0].body.summary_is_auto);
    // The plan has a page per item, at its path, and the Markdown of bodies is dropped.
    for (i, item) in site.items.iter().enumerate() {
        assert!(
            site.jobs
                .iter()
                .any(|j| j.kind == PageKind::Item(i) && j.path == item.path())
        );
        assert!(item.source.body.is_empty());
    }
}

#[test]
fn drafts_and_future_items_on_request() {
    let dir = tempfile::tempdir().unwrap();
    sample_site(dir.path());
    let mut o = options("2018-12-31T12:00:00+07:00");
    o.drafts = true;
    o.future = true;
    let site = load(dir.path(), &o).unwrap();
    assert_eq!(site.items.len(), 5);
    assert_eq!(site.items[0].title, "Sau");
    assert!(site.scheduled.is_empty());
    assert_eq!(site.tally_years, [2018, 2019]);
}

#[test]
fn problems_of_every_file_are_reported_together() {
    let dir = tempfile::tempdir().unwrap();
    sample_site(dir.path());
    write(
        dir.path(),
        "tin-bai/2018/x.md",
        "---\ntitle: X\ndate: 2018-01-01\nunit: khong-co\n---\n[a](khong-co.md)\n",
    );
    write(
        dir.path(),
        "tin-bai/2018/y.md",
        "---\ntitle: Y\ndate: 2018-01-01\nunit: viet-tri\n---\n[a](khong-co.md)\n",
    );
    let Err(Error::Content(list)) = load(dir.path(), &options("2018-12-31T12:00:00+07:00")) else {
        panic!("expected content errors");
    };
    let files: Vec<String> = list.iter().map(|d| d.to_string()).collect();
    assert!(files.iter().any(|d| d.contains("x.md:4")), "{files:?}");
    assert!(files.iter().any(|d| d.contains("y.md:6")), "{files:?}");
}

#[test]
fn unchanged_bodies_are_reused_and_a_moved_link_target_renders_again() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    sample_site(root);
    write(
        root,
        "tin-bai/2018/c.md",
        "---\ntitle: C\ndate: 2018-06-01\nunit: viet-tri\n---\nXem [A](a.md).\n",
    );
    let o = options("2018-12-31T12:00:00+07:00");
    let mut sources = Sources::load(root).unwrap();
    let mut bodies = Bodies::default();
    let first = assemble(&sources, &o, &mut bodies).unwrap();
    let second = assemble(&sources, &o, &mut bodies).unwrap();
    for (a, b) in first.items.iter().zip(&second.items) {
        assert!(Arc::ptr_eq(a, b), "{} rendered again", a.title);
    }
    // A gets a slug: its URL moves, so C (which links to it) renders again; B does not.
    write(
        root,
        "tin-bai/2018/a.md",
        "---\ntitle: A\ndate: 2018-03-05\nunit: viet-tri\nslug: a-moi\n---\nĐoạn đầu của A.\n",
    );
    sources
        .refresh(&["tin-bai/2018/a.md".into()], false)
        .unwrap();
    let third = assemble(&sources, &o, &mut bodies).unwrap();
    let by_title = |site: &Site, t: &str| site.items.iter().find(|i| i.title == t).unwrap().clone();
    assert!(Arc::ptr_eq(&by_title(&second, "B"), &by_title(&third, "B")));
    let c = by_title(&third, "C");
    assert!(!Arc::ptr_eq(&by_title(&second, "C"), &c));
    assert!(
        c.body.html.text().unwrap().contains("/tin-bai/2018/a-moi/"),
        "{:?}",
        c.body.html
    );
    assert_ne!(by_title(&second, "C").body.fingerprint, c.body.fingerprint);
}

#[test]
fn build_renders_the_same_bodies_as_serve_and_keeps_no_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    sample_site(root);
    write(
        root,
        "tin-bai/2018/c.md",
        "---\ntitle: C\ndate: 2018-06-01\nunit: viet-tri\n---\nXem [A](a.md) và [mất](khong-co.md).\n",
    );
    let o = options("2018-12-31T12:00:00+07:00");
    let sources = Sources::load(root).unwrap();
    let served = assemble(&sources, &o, &mut Bodies::default());
    let built = load(root, &o);
    let (Err(Error::Content(served)), Err(Error::Content(built))) = (served, built) else {
        panic!("the broken link is reported by both");
    };
    assert_eq!(format!("{served:?}"), format!("{built:?}"));
    write(
        root,
        "tin-bai/2018/c.md",
        "---\ntitle: C\ndate: 2018-06-01\nunit: viet-tri\n---\nXem [A](a.md).\n",
    );
    let sources = Sources::load(root).unwrap();
    let served = assemble(&sources, &o, &mut Bodies::default()).unwrap();
    let built = load(root, &o).unwrap();
    let bodies = |site: &Site| -> Vec<(String, String, String, u64)> {
        let items = site.items.iter().map(|d| (&d.source, &d.body));
        let profiles = site.profiles.iter().map(|d| (&d.source, &d.body));
        let pages = site.pages.iter().map(|d| (&d.source, &d.body));
        items
            .chain(profiles)
            .chain(pages)
            .map(|(source, body)| {
                assert!(source.body.is_empty(), "{}: Markdown kept", source.rel);
                let b = body;
                (
                    source.rel.clone(),
                    b.html.text().unwrap().into_owned(),
                    b.summary.clone(),
                    b.fingerprint,
                )
            })
            .collect()
    };
    assert_eq!(bodies(&served), bodies(&built));
    assert_eq!(bodies(&built).len(), 5, "3 items, a profile, a page");
}
