//! Every kind of edit, one after another, each compared with a fresh build.

use crate::common::TestSite;
use crate::harness::*;
use datto::commands::serve::rebuild::{Change, Rebuilder};

#[test]
fn every_kind_of_edit_gives_the_fresh_build() {
    let site = TestSite::fixture("basic");
    let mut dev = rebuilder(&site);
    let first = dev.rebuild(&Change::everything()).unwrap();
    assert_eq!(
        first.rendered, first.pages,
        "the first rebuild renders everything"
    );
    assert_same_as_build(&site, &mut dev);

    // Nothing changed: nothing rendered.
    let idle = dev.rebuild(&Change::default()).unwrap();
    assert_eq!((idle.rendered, idle.copied, idle.removed), (0, 0, 0));

    // Edit the body of one item: its page, and the few pages showing its summary.
    let rel = "tin-bai/2019/tap-huan.md";
    let text = std::fs::read_to_string(site.root().join("content").join(rel)).unwrap();
    site.write(rel, &text.replace("Hơn 100 hội viên", "Hơn 150 hội viên"));
    let edit = dev.rebuild(&content(rel)).unwrap();
    assert!(
        edit.rendered >= 1 && edit.rendered < edit.pages / 2,
        "rendered {} of {}",
        edit.rendered,
        edit.pages
    );
    assert!(page(&dev, "tin-bai/2019/tap-huan/index.html").contains("Hơn 150"));
    assert_same_as_build(&site, &mut dev);

    // Move an item to another year and unit: old page gone, listings and tallies follow.
    let rel = "tin-bai/2018/hoi-nghi-so-ket.md";
    let text = std::fs::read_to_string(site.root().join("content").join(rel)).unwrap();
    site.write(
        rel,
        &text
            .replace("date: 2018-07-05 08:30", "date: 2019-02-05 08:30")
            .replace("unit: Việt Trì", "unit: doan-hung"),
    );
    dev.rebuild(&content(rel)).unwrap();
    assert!(!served(&dev, "tin-bai/2018/hoi-nghi-so-ket/index.html"));
    assert_same_as_build(&site, &mut dev);

    // Move a linked item to another year: the unchanged file linking to it must follow.
    let rel = "tin-bai/2019/tap-huan.md";
    let text = std::fs::read_to_string(site.root().join("content").join(rel)).unwrap();
    site.write(rel, &text.replace("date: 2019-04-10", "date: 2018-11-10"));
    dev.rebuild(&content(rel)).unwrap();
    let linking = page(&dev, "tin-bai/2019/hoi-nghi-so-ket/index.html");
    assert!(
        linking.contains("href=\"/tin-bai/2018/tap-huan/#ket-qua\""),
        "stale link in a cached body"
    );
    assert_same_as_build(&site, &mut dev);
    site.write(rel, &text);
    dev.rebuild(&content(rel)).unwrap();
    assert_same_as_build(&site, &mut dev);

    // Add, then delete an item.
    site.write(
        "tin-bai/2019/moi.md",
        "---\ntitle: Tin mới\ndate: 2019-05-30\nunit: co-quan-tinh\ntags: [Hát Xoan]\n---\nMới.\n",
    );
    dev.rebuild(&content("tin-bai/2019/moi.md")).unwrap();
    assert_same_as_build(&site, &mut dev);
    site.remove("tin-bai/2019/moi.md");
    let removal = dev.rebuild(&content("tin-bai/2019/moi.md")).unwrap();
    assert!(
        removal.removed >= 2,
        "item page and tag page removed: {removal:?}"
    );
    assert!(!served(&dev, "tin-bai/2019/moi/index.html"));
    assert_same_as_build(&site, &mut dev);

    // A broken file: the rebuild fails and writes nothing.
    let before = tree(&mut dev);
    let good =
        std::fs::read_to_string(site.root().join("content/tin-bai/2019/tap-huan.md")).unwrap();
    site.write(
        "tin-bai/2019/tap-huan.md",
        "---\ntitle: Hỏng\ndate: 2019-04-10\nunit: khong-co\n---\nX\n",
    );
    let Err(datto::Error::Content(errors)) = dev.rebuild(&content("tin-bai/2019/tap-huan.md"))
    else {
        panic!("a broken file must fail the rebuild");
    };
    assert!(
        errors.iter().any(|e| e
            .to_string()
            .starts_with("content/tin-bai/2019/tap-huan.md:4:")),
        "{errors:?}"
    );
    assert_eq!(before, tree(&mut dev), "a failed rebuild wrote something");
    site.write(
        "tin-bai/2019/tap-huan.md",
        &good.replace("Tập huấn chuyển đổi số", "Đã sửa"),
    );
    dev.rebuild(&content("tin-bai/2019/tap-huan.md")).unwrap();
    assert_same_as_build(&site, &mut dev);

    // A template change renders again the pages that use it, without re-parsing.
    let templates = Change {
        templates: true,
        ..Change::default()
    };
    let edit_template = |name: &str, edit: &dyn Fn(String) -> String| {
        let path = site.root().join("themes/datto/templates").join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, edit(text)).unwrap();
    };
    edit_template("404.html", &|t| t.replace("</h1>", " (sửa)</h1>"));
    let not_found = dev.rebuild(&templates).unwrap();
    assert_eq!(not_found.rendered, 1, "only the 404 page uses 404.html");
    assert_same_as_build(&site, &mut dev);

    edit_template("item.html", &|t| {
        t.replace("{% block content %}", "{% block content %}{# a note #}")
    });
    let comment = dev.rebuild(&templates).unwrap();
    assert_eq!(comment.rendered, 0, "a comment changes no page");

    let item_pages = dev
        .store()
        .files()
        .iter()
        .filter(|f| f.starts_with("tin-bai/20") && f.ends_with("/index.html"))
        .count();
    assert!(item_pages > 1);
    edit_template("item.html", &|t| {
        t.replace(
            "<article class=\"article\">",
            "<article class=\"article article--x\">",
        )
    });
    let items = dev.rebuild(&templates).unwrap();
    assert_eq!(
        items.rendered, item_pages,
        "item.html renders the item pages"
    );
    assert_same_as_build(&site, &mut dev);

    edit_template("base.html", &|t| t.replace("<body", "<body data-x=\"1\""));
    let all = dev.rebuild(&templates).unwrap();
    assert!(
        all.rendered > all.pages / 2,
        "base.html is every page's layout"
    );
    assert_same_as_build(&site, &mut dev);

    // Static files come and go.
    // A photo is published as its derived files only.
    image::RgbImage::from_pixel(8, 6, image::Rgb([200, 30, 90]))
        .save(site.root().join("content/static/anh/moi.png"))
        .unwrap();
    dev.rebuild(&Change {
        rescan: true,
        ..Change::default()
    })
    .unwrap();
    assert!(served(&dev, "anh/moi-8x6.webp"));
    assert!(!served(&dev, "anh/moi.png"));
    site.remove("static/anh/moi.png");
    dev.rebuild(&Change {
        rescan: true,
        ..Change::default()
    })
    .unwrap();
    assert_same_as_build(&site, &mut dev);

    // site.yaml: everything again.
    let config = site.root().join("content/site.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text.replace("per_page: 2", "per_page: 1")).unwrap();
    dev.rebuild(&Change {
        config: true,
        ..Change::default()
    })
    .unwrap();
    assert!(served(&dev, "tin-bai/trang/4/index.html"));
    assert_same_as_build(&site, &mut dev);
}

/// `featured:` changes what the home page leads with: the home page is rendered again, and
/// again when the featured date passes while `serve` runs.
#[test]
fn featured_moves_the_home_page() {
    let site = TestSite::fixture("basic");
    let mut dev = rebuilder(&site);
    dev.rebuild(&Change::everything()).unwrap();
    let home = |dev: &Rebuilder| page(dev, "index.html");
    let lead_of = |html: &str| {
        let start = html.find("<article class=\"lead\">").unwrap();
        html[start..start + html[start..].find("</article>").unwrap()].to_string()
    };
    assert!(!lead_of(&home(&dev)).contains("Cảnh giác"));

    let rel = "tin-bai/2018/tieu-de-html.md";
    let text = std::fs::read_to_string(site.root().join("content").join(rel)).unwrap();
    site.write(
        rel,
        &text.replacen("---\n", "---\nfeatured: 2019-06-02\n", 1),
    );
    let edit = dev.rebuild(&content(rel)).unwrap();
    assert!(edit.rendered >= 2, "the item and the home page: {edit:?}");
    assert!(lead_of(&home(&dev)).contains("Cảnh giác"));
    assert_same_as_build(&site, &mut dev);

    // Two days later the date has passed: the home page changes with no edit at all.
    dev.set_now(options().now + chrono::Duration::days(2));
    dev.rebuild(&Change::default()).unwrap();
    assert!(!lead_of(&home(&dev)).contains("Cảnh giác"));
}
