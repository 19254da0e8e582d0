//! Rendering and signatures of a small site with the default theme: the signature follows
//! what a page shows, and only that.

use super::*;
use crate::assemble::tests::{options, sample_site, write};
use crate::model::plan::PageKind;

fn assembled(root: &std::path::Path) -> (Site, theme::Theme) {
    let site = crate::assemble::load(root, &options("2018-12-31T12:00:00+07:00")).unwrap();
    let dir = crate::load::theme::dir(root, crate::load::theme::DEFAULT);
    let theme = theme::load(&dir, root).unwrap();
    (site, theme)
}

/// Signature and bytes of every page, by path.
fn pages(site: &Site, theme: &theme::Theme) -> Vec<(String, u64, Vec<u8>)> {
    let renderer = Renderer::new(site, theme).unwrap();
    site.jobs
        .iter()
        .map(|job| {
            (
                job.path.clone(),
                renderer.signature(job),
                renderer.render(job).unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_page_shows_its_content_and_equal_signatures_mean_equal_bytes() {
    let dir = tempfile::tempdir().unwrap();
    sample_site(dir.path());
    let (site, theme) = assembled(dir.path());
    let before = pages(&site, &theme);
    let item = before
        .iter()
        .find(|(p, _, _)| p == "tin-bai/2018/a/")
        .unwrap();
    let html = String::from_utf8_lossy(&item.2);
    assert!(html.contains("Đoạn đầu của A."), "{html}");
    assert!(
        html.contains("Thứ Hai, 05/03/2018"),
        "the date as staff read it"
    );

    // Edit B's title: its page, the listings and feeds that show it change; A's page,
    // the unit page of Việt Trì (B is Đoan Hùng's) and the About page do not.
    write(
        dir.path(),
        "tin-bai/2018/b.md",
        "---\ntitle: B mới\ndate: 2018-06-01\nunit: doan-hung\ntags: [hát xoan]\n---\nĐoạn đầu của B.\n",
    );
    let (site, theme) = assembled(dir.path());
    let after = pages(&site, &theme);
    assert_eq!(before.len(), after.len());
    for ((path, sig_before, bytes_before), (path_after, sig_after, bytes_after)) in
        before.iter().zip(&after)
    {
        assert_eq!(path, path_after);
        if sig_before == sig_after {
            assert_eq!(
                bytes_before, bytes_after,
                "{path}: same signature, other bytes"
            );
        }
    }
    let changed = |path: &str| {
        let i = after.iter().position(|(p, _, _)| p == path).unwrap();
        before[i].1 != after[i].1
    };
    for path in [
        "tin-bai/2018/b/",
        "don-vi/doan-hung/",
        "tin-bai/",
        "",
        "rss.xml",
        "chu-de/hat-xoan/",
    ] {
        assert!(changed(path), "{path:?} shows B: its signature must change");
    }
    for path in [
        "don-vi/viet-tri/",
        "gioi-thieu/",
        "mo-hinh/mai-am/",
        "404.html",
    ] {
        assert!(!changed(path), "{path:?} does not show B");
    }
}

#[test]
fn downloads_are_signed_by_their_data() {
    let dir = tempfile::tempdir().unwrap();
    sample_site(dir.path());
    let (site, theme) = assembled(dir.path());
    let renderer = Renderer::new(&site, &theme).unwrap();
    let job = |kind| site.jobs.iter().find(|j| j.kind == kind).unwrap();
    let csv = job(PageKind::TallyCsv(2018));
    let json = job(PageKind::TallyJson(2018));
    assert_ne!(renderer.signature(csv), renderer.signature(json));
    let text = String::from_utf8(renderer.render(csv).unwrap()).unwrap();
    assert!(text.starts_with("slug,name,count"), "{text}");
    assert!(text.contains("viet-tri,Thành phố Việt Trì,2,"), "{text}");
}

#[test]
fn spilled_bodies_render_the_same_and_an_unreadable_one_fails_the_build() {
    use crate::model::content::Html;
    let dir = tempfile::tempdir().unwrap();
    sample_site(dir.path());
    let (held, theme) = assembled(dir.path());
    let store = crate::assemble::stored::Store::open(dir.path());
    let spilled =
        crate::assemble::load_reusing(dir.path(), &options("2018-12-31T12:00:00+07:00"), &store)
            .unwrap();
    assert!(
        spilled
            .items
            .iter()
            .all(|i| matches!(i.body.html, Html::Spilled(_))),
        "a build's bodies wait in the store's file"
    );
    assert!(matches!(held.items[0].body.html, Html::Held(_)));
    let same = |a: &Site, b: &Site| pages(a, &theme) == pages(b, &theme);
    assert!(same(&held, &spilled), "same signatures, same bytes");

    // The file closed under them: every page showing a body fails, and so does the index.
    store.save();
    let renderer = Renderer::new(&spilled, &theme).unwrap();
    let item = spilled
        .jobs
        .iter()
        .find(|j| matches!(j.kind, PageKind::Item(_)))
        .unwrap();
    assert!(matches!(renderer.render(item), Err(Error::Internal(_))));
    let index = crate::search::SiteIndex::new(&spilled).index(|_, _| Ok(()));
    assert!(crate::search::IN_BUILD == index.is_err());
}
