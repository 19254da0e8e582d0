//! The shortcut of an edit that moves nothing (`datto::assemble::patch`): taken when only
//! what the edited documents' own pages and cards show can change, declined otherwise —
//! and either way what is served equals a fresh build.

use crate::common::TestSite;
use crate::harness::*;
use datto::commands::serve::rebuild::{Change, Rebuilder};
use datto::commands::serve::store::Store;

fn edit(site: &TestSite, rel: &str, change: impl Fn(String) -> String) {
    let text = std::fs::read_to_string(site.root().join("content").join(rel)).unwrap();
    let changed = change(text.clone());
    assert_ne!(text, changed, "the edit of {rel} changed nothing");
    site.write(rel, &changed);
}

/// Rebuilds after the files `touched` changed; asserts whether the last site was patched
/// and that what is served equals a fresh build.
#[track_caller]
fn rebuild_after(site: &TestSite, dev: &mut Rebuilder, touched: &[&str], patched: bool) {
    let touched: Vec<String> = touched.iter().map(|t| t.to_string()).collect();
    dev.rebuild(&change_for(site, &touched)).unwrap();
    assert_eq!(dev.patched(), patched, "patched after {touched:?}");
    assert_same_as_build(site, dev);
}

/// Compares `dev` with a rebuilder started afresh at `dev`'s "now", `now`.
#[track_caller]
fn assert_same_as_fresh(site: &TestSite, dev: &mut Rebuilder, now: chrono::DateTime<chrono::Utc>) {
    let mut fresh = rebuilder(site);
    fresh.set_now(now);
    fresh.rebuild(&Change::everything()).unwrap();
    assert!(
        tree(dev) == tree(&mut fresh),
        "differs from a fresh rebuild"
    );
}

const ITEM: &str = "tin-bai/2019/tap-huan.md";

#[test]
fn an_edit_that_moves_nothing_patches_the_site() {
    let site = TestSite::fixture("basic");
    let mut dev = rebuilder(&site);
    dev.rebuild(&Change::everything()).unwrap();
    assert!(!dev.patched(), "the first rebuild assembles");

    // The body: the item's page and the pages showing its card.
    edit(&site, ITEM, |t| {
        t.replace("Hơn 100 hội viên", "Hơn 120 hội viên")
    });
    rebuild_after(&site, &mut dev, &[ITEM], true);
    assert!(page(&dev, "tin-bai/2019/tap-huan/index.html").contains("Hơn 120"));

    // The title, shown in listings, the home page, feeds, tag and unit pages and the
    // neighbours' "newer / older" links.
    edit(&site, ITEM, |t| {
        t.replace(
            "title: Tập huấn chuyển đổi số cho hội viên",
            "title: Tập huấn số hóa",
        )
    });
    rebuild_after(&site, &mut dev, &[ITEM], true);
    assert!(page(&dev, "tin-bai/index.html").contains("Tập huấn số hóa"));
    assert!(page(&dev, "rss.xml").contains("Tập huấn số hóa"));

    // A written summary, the type (the tallies count tin and bài apart) and the channel.
    edit(&site, ITEM, |t| {
        t.replacen("type: bai\n", "type: tin\nsummary: Tóm tắt mới.\n", 1)
    });
    rebuild_after(&site, &mut dev, &[ITEM], true);
    assert!(page(&dev, "tin-bai/2019/tap-huan/index.html").contains("Tóm tắt mới."));

    // The cover's text and the alternative text of a bundle's photo.
    let bundle = "tin-bai/2018/trao-mai-am/index.md";
    edit(&site, bundle, |t| {
        t.replace("image_alt: Lễ trao nhà", "image_alt: Lễ trao nhà mới")
    });
    rebuild_after(&site, &mut dev, &[bundle], true);

    // `featured:` moves the home page's lead.
    let featured = "tin-bai/2018/tieu-de-html.md";
    edit(&site, featured, |t| {
        t.replacen("---\n", "---\nfeatured: 2019-06-02\n", 1)
    });
    rebuild_after(&site, &mut dev, &[featured], true);

    // A profile and a page; two files in one burst.
    let profile = "mo-hinh/nha-ba-lan.md";
    edit(&site, profile, |t| t.replace("Chí Đám", "Chí Tiên"));
    let about = "trang/gioi-thieu.md";
    edit(&site, about, |t| {
        t.replace("Hội Liên hiệp", "Hội Liên hiệp (sửa)")
    });
    rebuild_after(&site, &mut dev, &[profile, about], true);

    // A template edit re-renders without assembling again; so does "now" moving on a day.
    let path = site.root().join("themes/datto/templates/list.html");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("<h1", "<h1 data-sua=\"1\"", 1)).unwrap();
    let templates = Change {
        templates: true,
        ..Change::default()
    };
    dev.rebuild(&templates).unwrap();
    assert!(dev.patched());
    assert_same_as_build(&site, &mut dev);
    let tomorrow = options().now + chrono::Duration::days(1);
    dev.set_now(tomorrow);
    dev.rebuild(&Change::default()).unwrap();
    assert!(dev.patched());
    assert_same_as_fresh(&site, &mut dev, tomorrow);
}

#[test]
fn an_edit_that_moves_something_assembles_the_site_again() {
    let site = TestSite::fixture("basic");
    let mut dev = rebuilder(&site);
    dev.rebuild(&Change::everything()).unwrap();

    // Each of these changes which pages exist or where an item is listed.
    let bundle = "tin-bai/2018/trao-mai-am/index.md";
    let moves = [
        (
            "the date: newer than the 2018 items before it",
            bundle,
            "date: 2018-03-05T08:30:00+07:00",
            "date: 2018-12-01T08:30:00+07:00",
        ),
        ("the unit", ITEM, "unit: viet-tri", "unit: doan-hung"),
        (
            "the tags",
            ITEM,
            "tags: [Chuyển đổi số]",
            "tags: [Chuyển đổi số, Hát Xoan]",
        ),
        (
            "a tag's spelling",
            ITEM,
            "Chuyển đổi số, Hát Xoan",
            "chuyển đổi số, Hát Xoan",
        ),
        (
            "the slug",
            ITEM,
            "type: bai\n",
            "type: bai\nslug: tap-huan-moi\n",
        ),
    ];
    for (what, rel, from, to) in moves {
        edit(&site, rel, |t| t.replacen(from, to, 1));
        dev.rebuild(&change_for(&site, &[rel.to_string()])).unwrap();
        assert!(!dev.patched(), "{what}: patched");
        assert_same_as_build(&site, &mut dev);
    }
    assert!(served(&dev, "tin-bai/2019/tap-huan-moi/index.html"));
    assert!(!served(&dev, "tin-bai/2019/tap-huan/index.html"));

    // An item becoming a draft leaves the site (nothing links to this one), and back.
    let unlinked = "tin-bai/2018/tieu-de-html.md";
    edit(&site, unlinked, |t| {
        t.replacen("---\n", "---\ndraft: true\n", 1)
    });
    rebuild_after(&site, &mut dev, &[unlinked], false);
    assert!(!served(&dev, "tin-bai/2018/tieu-de-html/index.html"));
    edit(&site, unlinked, |t| t.replace("draft: true\n", ""));
    rebuild_after(&site, &mut dev, &[unlinked], false);
    assert!(served(&dev, "tin-bai/2018/tieu-de-html/index.html"));

    // A draft's edit (not in the site), a new item, a deleted one.
    let draft = "tin-bai/2018/nhap.md";
    edit(&site, draft, |t| t.replace("Nháp.", "Vẫn nháp."));
    rebuild_after(&site, &mut dev, &[draft], false);
    let new = "tin-bai/2019/moi.md";
    site.write(
        new,
        "---\ntitle: Tin mới\ndate: 2019-05-30\nunit: co-quan-tinh\n---\nMới.\n",
    );
    rebuild_after(&site, &mut dev, &[new], false);
    edit(&site, new, |t| t.replace("Mới.", "Mới hơn."));
    rebuild_after(&site, &mut dev, &[new], true);
    site.remove(new);
    rebuild_after(&site, &mut dev, &[new], false);

    // A profile's kind, a page's slug.
    let profile = "mo-hinh/nha-ba-lan.md";
    edit(&site, profile, |t| {
        t.replace("kind: mai-am-tinh-thuong", "kind: clb-hat-xoan")
    });
    rebuild_after(&site, &mut dev, &[profile], false);
    let about = "trang/gioi-thieu.md";
    edit(&site, about, |t| {
        t.replacen("---\n", "---\nslug: ve-chung-toi\n", 1)
    });
    rebuild_after(&site, &mut dev, &[about], false);

    // A broken link fails the rebuild with its error, as a fresh build does; after a
    // failure the next rebuild assembles in full, then edits patch again.
    let good = std::fs::read_to_string(site.root().join("content").join(ITEM)).unwrap();
    edit(&site, ITEM, |t| {
        t.replace("Hơn 100", "Xem [bài](khong-co.md). Hơn 100")
    });
    let Err(datto::Error::Content(errors)) = dev.rebuild(&change_for(&site, &[ITEM.into()])) else {
        panic!("a broken link must fail the rebuild");
    };
    assert!(
        errors.iter().any(|e| e.to_string().contains("khong-co.md")),
        "{errors:?}"
    );
    site.build(&[]).failure(1);
    site.write(ITEM, &good);
    rebuild_after(&site, &mut dev, &[ITEM], false);
    edit(&site, ITEM, |t| t.replace("Hơn 100", "Hơn 130"));
    rebuild_after(&site, &mut dev, &[ITEM], true);
}

/// "Now" moving past a scheduled item's date publishes it, and into a new year adds that
/// year's tally page: both assemble again.
#[test]
fn time_that_publishes_something_assembles_the_site_again() {
    let site = TestSite::fixture("basic");
    let mut dev = Rebuilder::new(site.root(), options(), Store::new(site.root()));
    dev.rebuild(&Change::everything()).unwrap();
    assert!(!served(&dev, "tin-bai/2019/hen-gio/index.html"));

    let due = chrono::DateTime::parse_from_rfc3339("2019-12-20T02:00:00Z")
        .unwrap()
        .to_utc();
    dev.set_now(due);
    dev.rebuild(&Change::default()).unwrap();
    assert!(!dev.patched(), "a scheduled item came due");
    assert!(served(&dev, "tin-bai/2019/hen-gio/index.html"));
    assert_same_as_fresh(&site, &mut dev, due);

    let new_year = chrono::DateTime::parse_from_rfc3339("2020-01-01T01:00:00Z")
        .unwrap()
        .to_utc();
    dev.set_now(new_year);
    dev.rebuild(&Change::default()).unwrap();
    assert!(!dev.patched(), "a new year began");
    assert!(served(&dev, "thong-ke/2020/index.html"));
    assert_same_as_fresh(&site, &mut dev, new_year);
}
