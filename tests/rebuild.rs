//! `datto build` over its own previous output: only what changed is made again, nothing
//! at all when nothing changed — and the output always equals a fresh build's.

mod common;

use std::process::Command;
use std::time::{Duration, SystemTime};

use common::{NOW, Run, TestSite};

/// Runs `datto build ARGS` with "now" at `epoch` (seconds since 1970).
fn build_at(site: &TestSite, epoch: i64, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_datto"))
        .arg("build")
        .args(args)
        .arg("--root")
        .arg(site.root())
        .env("SOURCE_DATE_EPOCH", epoch.to_string())
        .output()
        .unwrap();
    Run { output }.success()
}

fn now() -> i64 {
    NOW.parse().unwrap()
}

/// Moves every input's modification time an hour back, as if staff had saved it long ago:
/// a file saved within the last two seconds is never trusted by its stamp.
fn settle(site: &TestSite) {
    let past = SystemTime::now() - Duration::from_secs(3600);
    for dir in ["content", "themes"] {
        for entry in walkdir::WalkDir::new(site.root().join(dir)) {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                let file = std::fs::File::options()
                    .write(true)
                    .open(entry.path())
                    .unwrap();
                file.set_modified(past).unwrap();
            }
        }
    }
}

const UNCHANGED: &str = "không có gì thay đổi từ lần dựng trước";

fn skipped(run: &Run) -> bool {
    run.stdout().contains(UNCHANGED)
}

/// The pages re-rendered, from "(dựng lại N trang)"; all of them when not said.
fn rerendered(run: &Run) -> Option<usize> {
    let out = run.stdout();
    let (_, rest) = out.split_once("(dựng lại ")?;
    rest.split_once(' ')?.0.parse().ok()
}

/// The site, its inputs saved long ago, built once into `public/`.
fn settled_site() -> TestSite {
    let site = TestSite::fixture("basic");
    settle(&site);
    let first = build_at(&site, now(), &[]);
    assert!(!skipped(&first), "{}", first.stdout());
    assert_eq!(rerendered(&first), None, "a first build renders every page");
    site
}

/// The output equals what a fresh build at `epoch` with `args` writes into an empty folder.
#[track_caller]
fn assert_as_fresh(site: &TestSite, epoch: i64, args: &[&str]) {
    let fresh = site.root().join("fresh");
    let _ = std::fs::remove_dir_all(&fresh);
    let fresh_arg = fresh.to_string_lossy().into_owned();
    let mut all = args.to_vec();
    all.extend(["--output", &fresh_arg]);
    build_at(site, epoch, &all);
    let (built, expected) = (
        common::whole_tree(&site.public()),
        common::whole_tree(&fresh),
    );
    assert_eq!(
        built.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (rel, bytes) in &expected {
        assert!(built[rel] == *bytes, "{rel} differs from a fresh build");
    }
    std::fs::remove_dir_all(&fresh).unwrap();
}

#[test]
fn nothing_changed_is_not_built_again_and_changes_nothing() {
    let site = settled_site();
    let before = common::whole_tree(&site.public());
    let second = build_at(&site, now(), &[]);
    assert!(skipped(&second), "{}", second.stdout());
    // The summary is the last build's: pages, files, items and the scheduled list.
    assert!(second.stdout().contains("tin bài"), "{}", second.stdout());
    assert!(second.stdout().contains("hẹn giờ"), "{}", second.stdout());
    assert_eq!(common::whole_tree(&site.public()), before);
    assert_as_fresh(&site, now(), &[]);
}

#[test]
fn one_edit_renders_only_the_pages_that_show_it() {
    let site = settled_site();
    let pages = common::files_under(&site.public())
        .iter()
        .filter(|f| f.ends_with(".html") || f.ends_with(".xml"))
        .count();
    let item = "tin-bai/2019/tap-huan.md";
    let text = std::fs::read_to_string(site.root().join("content").join(item)).unwrap();
    site.write(
        item,
        &text.replace("title: Tập huấn chuyển đổi số", "title: Tập huấn số hoá"),
    );
    settle(&site);
    let run = build_at(&site, now(), &[]);
    let redone = rerendered(&run).expect("a partial rebuild");
    assert!(redone > 0 && redone < pages / 2, "{redone} of {pages}");
    assert!(site.read("index.html").contains("Tập huấn số hoá"));
    assert_as_fresh(&site, now(), &[]);

    // An edit saved just now is not trusted by its stamp but by its bytes: the same bytes
    // skip the next build, other bytes at the same size and time are seen.
    site.write(item, &text);
    assert!(!skipped(&build_at(&site, now(), &[])));
    assert!(skipped(&build_at(&site, now(), &[])));
    let path = site.root().join("content").join(item);
    let stamp = std::fs::metadata(&path).unwrap().modified().unwrap();
    let same_size = text.replace("Hơn 100", "Hơn 200");
    assert_eq!(same_size.len(), text.len());
    std::fs::write(&path, &same_size).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(stamp)
        .unwrap();
    let again = build_at(&site, now(), &[]);
    assert!(!skipped(&again), "{}", again.stdout());
    assert!(
        site.read("tin-bai/2019/tap-huan/index.html")
            .contains("Hơn 200")
    );
    assert_as_fresh(&site, now(), &[]);
}

#[test]
fn an_output_file_changed_or_removed_by_hand_is_made_again() {
    let site = settled_site();
    let page = site.public().join("gioi-thieu/index.html");
    let original = std::fs::read(&page).unwrap();
    std::fs::write(&page, b"sua tay").unwrap();
    std::fs::remove_file(site.public().join("rss.xml")).unwrap();
    let run = build_at(&site, now(), &[]);
    assert!(!skipped(&run), "{}", run.stdout());
    assert_eq!(std::fs::read(&page).unwrap(), original);
    assert!(site.exists("rss.xml"));
    assert_as_fresh(&site, now(), &[]);
}

#[test]
fn the_clock_and_the_options_decide_too() {
    let site = settled_site();
    // Later the same day: nothing a page shows has changed.
    assert!(skipped(&build_at(&site, now() + 600, &[])));
    // The scheduled item's time has come: it is published.
    let due = 1_576_900_000; // 2019-12-21
    assert!(!skipped(&build_at(&site, due, &[])));
    assert!(
        site.read("tin-bai/index.html")
            .contains("Hội nghị tổng kết năm 2019")
    );
    assert_as_fresh(&site, due, &[]);
    // Back to the earlier clock (a fixed SOURCE_DATE_EPOCH moved back): held back again.
    assert!(!skipped(&build_at(&site, now(), &[])));
    assert!(
        !site
            .read("tin-bai/index.html")
            .contains("Hội nghị tổng kết năm 2019")
    );
    assert_as_fresh(&site, now(), &[]);
    // Other options, other pages.
    assert!(!skipped(&build_at(&site, now(), &["--future"])));
    assert!(
        site.read("tin-bai/index.html")
            .contains("Hội nghị tổng kết năm 2019")
    );
    assert_as_fresh(&site, now(), &["--future"]);
    assert!(!skipped(&build_at(&site, now(), &[])));
    assert_as_fresh(&site, now(), &[]);
}

#[test]
fn a_static_file_replaced_at_the_same_size_is_copied_again() {
    let site = settled_site();
    let path = site.root().join("themes/datto/static/css/print.css");
    let before = std::fs::read(&path).unwrap();
    let mut after = before.clone();
    after.reverse();
    assert_ne!(before, after);
    std::fs::write(&path, &after).unwrap();
    settle(&site);
    let run = build_at(&site, now(), &[]);
    assert!(!skipped(&run));
    assert_eq!(
        rerendered(&run),
        Some(0),
        "no page shows it: {}",
        run.stdout()
    );
    assert_eq!(
        std::fs::read(site.public().join("css/print.css")).unwrap(),
        after
    );
    assert_as_fresh(&site, now(), &[]);
}

#[test]
fn without_its_cache_a_build_is_made_whole_and_the_same() {
    let site = settled_site();
    std::fs::remove_dir_all(site.root().join(".datto-cache")).unwrap();
    let run = build_at(&site, now(), &[]);
    assert!(!skipped(&run));
    assert_eq!(
        rerendered(&run),
        None,
        "every page rendered: {}",
        run.stdout()
    );
    assert_as_fresh(&site, now(), &[]);
}

#[test]
fn a_body_is_rendered_again_when_a_page_it_links_to_moves() {
    let site = settled_site();
    let linking = "tin-bai/2018/hoi-nghi-so-ket/index.html";
    assert!(
        site.read(linking)
            .contains("href=\"/tin-bai/2019/tap-huan/#ket-qua\"")
    );
    // The linked item moves to 2018 (its address follows its date); the linking file is
    // untouched, so only the check of its stored links can tell.
    let item = "tin-bai/2019/tap-huan.md";
    let text = std::fs::read_to_string(site.root().join("content").join(item)).unwrap();
    site.write(item, &text.replace("date: 2019-04-10", "date: 2018-04-10"));
    settle(&site);
    build_at(&site, now(), &[]);
    assert!(
        site.read(linking)
            .contains("href=\"/tin-bai/2018/tap-huan/#ket-qua\""),
        "{}",
        site.read(linking)
    );
    assert_as_fresh(&site, now(), &[]);
    // Under a sub-path every link changes.
    let sub = ["--base-url", "https://example.org/phu-nu/"];
    build_at(&site, now(), &sub);
    assert!(
        site.read(linking)
            .contains("href=\"/phu-nu/tin-bai/2018/tap-huan/#ket-qua\"")
    );
    assert_as_fresh(&site, now(), &sub);
}
