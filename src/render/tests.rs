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
