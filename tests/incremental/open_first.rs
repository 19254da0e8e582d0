//! A template edit with a tab open: its page first, the others pending until ready.

use crate::common::TestSite;
use crate::harness::*;
use datto::commands::serve::rebuild::Change;

/// A template edit that re-renders many pages serves the open tab's page first; the other
/// pages are pending (a request waits) until their new version is ready, never the old one.
#[test]
fn a_template_edit_renders_the_open_page_first() {
    let site = TestSite::fixture("basic");
    for i in 0..70 {
        site.write(
            &format!("tin-bai/2019/tin-{i}.md"),
            &format!(
                "---\ntitle: Tin số {i}\ndate: 2019-05-{:02}T08:00:00+07:00\nunit: viet-tri\n---\n\nNội dung {i}.\n",
                i % 28 + 1
            ),
        );
    }
    let mut dev = rebuilder(&site);
    dev.rebuild(&Change::everything()).unwrap();
    let store = dev.store().clone();
    let open_page = "tin-bai/2019/tin-3/index.html";
    let other_page = "tin-bai/2019/tin-4/index.html";
    let item = site.root().join("themes/datto/templates/item.html");
    let text = std::fs::read_to_string(&item).unwrap();
    std::fs::write(
        &item,
        text.replace(
            "<article class=\"article\">",
            "<article class=\"article\" data-moi=\"1\">",
        ),
    )
    .unwrap();
    let open = [open_page.to_string()].into_iter().collect();
    let mut seen = None;
    let mut early = |count: usize, _| {
        let new = |rel: &str| {
            String::from_utf8(store.bytes(rel).unwrap())
                .unwrap()
                .contains("data-moi")
        };
        seen = Some((count, new(open_page), store.lookup(other_page)));
    };
    let templates = Change {
        templates: true,
        ..Change::default()
    };
    let summary = dev
        .rebuild_open_first(&templates, &open, &mut early)
        .unwrap();
    let (count, open_is_new, other) = seen.expect("the open page came first");
    assert_eq!(count, 1);
    assert!(
        open_is_new,
        "the open page has the edit when the tab is told"
    );
    assert_eq!(other, datto::commands::serve::store::Lookup::Pending);
    assert!(summary.rendered > 70);
    assert!(page(&dev, other_page).contains("data-moi"));
    assert_same_as_build(&site, &mut dev);
}
