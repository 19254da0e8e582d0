//! Search (SPEC §11): the index a build writes, queried by the theme's own script under
//! node, so that the JavaScript readers run is what is tested. Without node the query
//! tests print "SKIPPED" and pass.

mod common;

use std::process::Command;

use common::{TestSite, repo};
use serde_json::Value;

fn node() -> bool {
    Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// One query's results: titles in rank order, and the raw answer.
struct Answer {
    titles: Vec<String>,
    raw: Value,
}

/// Runs every `(query, filters)` through js/tim-kiem.js over `site`'s built index.
fn query(site: &TestSite, queries: &[(&str, &[&str])]) -> Vec<Answer> {
    let list: Vec<Value> = queries
        .iter()
        .map(|(q, filters)| serde_json::json!({"q": q, "filters": filters}))
        .collect();
    let output = Command::new("node")
        .arg(repo().join("tests/search_query.cjs"))
        .arg(repo().join("themes/datto/static/js/tim-kiem.js"))
        .arg(site.public().join("tim-kiem"))
        .arg(serde_json::to_string(&list).unwrap())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answers: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    answers
        .into_iter()
        .map(|raw| Answer {
            titles: raw["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["title"].as_str().unwrap().to_string())
                .collect(),
            raw,
        })
        .collect()
}

fn built() -> TestSite {
    let site = TestSite::fixture("search");
    site.build(&[]).success();
    site
}

const ROAD: &str = "Con đường làng mới ở Việt Trì";
const DAM_DANG: &str = "Giỏi việc nước, đảm đang việc nhà";
const START_UP: &str = "Hỗ trợ phụ nữ khởi nghiệp";
const TRAINING: &str = "Tập huấn kỹ năng cho cán bộ Hội";
const HOME: &str = "Mái ấm tình thương nhà chị Hoa";
const ABOUT: &str = "Giới thiệu";

#[test]
fn queries_fold_vietnamese_and_rank_title_then_exact_then_recency() {
    if !node() {
        println!("SKIPPED: node is not installed");
        return;
    }
    let site = built();
    let no: &[&str] = &[];
    let answers = query(
        &site,
        &[
            ("duong", no),
            ("đường", no),
            ("dam dang", no),
            ("phu nu dat to", no),
            ("Việt Trì", no),
            ("viet tri", no),
            ("VIET   TRI!", no),
            ("hoi vien duong", no),
            ("khoi ngh", no),
            ("zebraxyz", no),
            ("quokkaxyz", no),
            ("không có từ này", no),
            ("", no),
            ("duong", &["u-doan-hung"]),
            ("duong", &["y-2019"]),
            ("duong", &["t-mo-hinh"]),
            ("duong", &["u-khong-co"]),
            ("duong be tong", no),
        ],
    );
    let titles = |i: usize| answers[i].titles.clone();
    // "duong" finds "đường" (in a title: ranked first), then "Dương", "dương" and "đường"
    // in bodies, newest first (the profile has no date: it ranks after the items).
    assert_eq!(titles(0), [ROAD, TRAINING, DAM_DANG, HOME]);
    // Typed with diacritics: exact matches first ("Dương Đình Nghệ" is not "đường").
    assert_eq!(titles(1), [ROAD, HOME, TRAINING, DAM_DANG]);
    assert_eq!(titles(2), [DAM_DANG, ROAD]);
    assert_eq!(titles(3), [START_UP, ABOUT]);
    assert_eq!(titles(4), titles(5));
    assert_eq!(titles(4), titles(6));
    assert_eq!(titles(4), [ROAD, START_UP]);
    // Every word must match.
    // ("Hội" in a title counts like "đường" in one; then the newest first.)
    assert_eq!(titles(7), [TRAINING, ROAD, DAM_DANG, HOME]);
    assert_eq!(titles(17), [ROAD]);
    // A prefix of the last word.
    assert_eq!(titles(8), [START_UP]);
    // Drafts and scheduled items are not indexed; no match is an empty list.
    assert!(titles(9).is_empty() && titles(10).is_empty() && titles(11).is_empty());
    assert!(titles(12).is_empty());
    // Filters by unit, year and type; an unknown value matches nothing.
    assert_eq!(titles(13), [TRAINING, DAM_DANG, HOME]);
    assert_eq!(titles(14), [TRAINING]);
    assert_eq!(titles(15), [HOME]);
    assert!(titles(16).is_empty());

    // Excerpts keep diacritics and mark the matched words, whatever form was typed.
    let first = &answers[0].raw["hits"][0];
    assert_eq!(
        first["titleHtml"],
        "Con <mark>đường</mark> làng mới ở Việt Trì"
    );
    assert!(
        first["excerpt"]
            .as_str()
            .unwrap()
            .contains("làm <mark>đường</mark> bê tông"),
        "{first}"
    );
    let dam = &answers[2].raw["hits"][1]["excerpt"];
    assert!(
        dam.as_str()
            .unwrap()
            .contains("<mark>đảm</mark> <mark>đang</mark>"),
        "{dam}"
    );
    let start_up = &answers[8].raw["hits"][0];
    assert_eq!(
        start_up["titleHtml"],
        "Hỗ trợ phụ nữ <mark>khởi</mark> <mark>nghiệp</mark>"
    );
    assert_eq!(start_up["url"], "tin-bai/2019/khoi-nghiep/");
    assert_eq!(start_up["unit"], "Thành phố Việt Trì");
    assert_eq!(start_up["date"], "Thứ Ba, 02/04/2019");
    assert_eq!(start_up["kind"], "Tin");
}

#[test]
fn index_files_are_deterministic_and_the_page_honours_the_sub_path() {
    let site = built();
    let index = site.read("tim-kiem/index.json");
    let manifest: Value = serde_json::from_str(&index).unwrap();
    assert_eq!(
        manifest["n"], 6,
        "2 pages/profiles + 4 items, no draft, no scheduled item"
    );
    let page = site.read("tim-kiem/index.html");
    assert!(page.contains(
        r#"role="search" aria-label="Tìm kiếm và lọc kết quả" action="/phunu/tim-kiem/""#
    ));
    assert!(page.contains(r#"data-index="/phunu/tim-kiem/""#));
    assert!(page.contains(r#"src="/phunu/js/tim-kiem.js" async data-index="/phunu/tim-kiem/""#));
    // The manifest is asked for with the page, not after the script has run.
    assert!(page.contains(
        r#"<link rel="preload" href="/phunu/tim-kiem/index.json" as="fetch" crossorigin="anonymous">"#
    ));
    assert!(page.contains(r#"id="ket-qua""#) && page.contains(r#"aria-live="polite""#));
    // Every page carries the search form, under the sub-path.
    let home = site.read("index.html");
    assert!(
        home.contains(r#"role="search" aria-label="Tìm nhanh" action="/phunu/tim-kiem/""#),
        "{home}"
    );
    assert!(home.contains(r#"name="q""#));

    let before = common::files_under(&site.public().join("tim-kiem"));
    let bytes: Vec<Vec<u8>> = before
        .iter()
        .map(|f| std::fs::read(site.public().join("tim-kiem").join(f)).unwrap())
        .collect();
    std::fs::remove_dir_all(site.public()).unwrap();
    site.build(&[]).success();
    let after = common::files_under(&site.public().join("tim-kiem"));
    assert_eq!(before, after);
    for (file, old) in before.iter().zip(&bytes) {
        let new = std::fs::read(site.public().join("tim-kiem").join(file)).unwrap();
        assert!(&new == old, "{file} differs between two builds");
    }
}

/// Every index file of a fresh build of `site`'s content, as `SiteIndex` writes them.
fn fresh_index(root: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let site = datto::assemble::load(root, &load_options()).unwrap();
    let files = std::sync::Mutex::new(std::collections::BTreeMap::new());
    let sink = |rel: &str, bytes: &[u8]| {
        files
            .lock()
            .unwrap()
            .insert(rel.to_string(), bytes.to_vec());
        Ok(())
    };
    let indexed = datto::search::SiteIndex::new(&site).index(sink).unwrap();
    indexed.write(sink).unwrap();
    files.into_inner().unwrap()
}

fn load_options() -> datto::model::site::LoadOptions {
    datto::model::site::LoadOptions {
        drafts: false,
        future: false,
        now: chrono::DateTime::from_timestamp(common::NOW.parse().unwrap(), 0).unwrap(),
        base_url: None,
        preview: false,
    }
}

#[test]
fn serve_rewrites_only_the_index_files_an_edit_changes() {
    let site = TestSite::fixture("search");
    let root = site.root();
    let mut live = datto::search::Incremental::default();
    let mut served: std::collections::BTreeMap<String, Vec<u8>> = Default::default();
    let mut step = |live: &mut datto::search::Incremental| {
        let loaded = datto::assemble::load(root, &load_options()).unwrap();
        let update = live.update(&loaded);
        let changed: Vec<String> = update.changed.iter().map(|(p, _)| p.clone()).collect();
        served.extend(update.changed);
        served.retain(|path, _| update.paths.contains(path));
        assert_eq!(
            served,
            fresh_index(root),
            "the served index differs from a fresh build"
        );
        changed
    };
    let first = step(&mut live);
    assert!(first.len() > 10, "{first:?}");
    assert!(
        step(&mut live).is_empty(),
        "nothing changed, nothing rewritten"
    );

    // One item gains a word: its record, the shard holding the word, the manifest.
    let rel = "tin-bai/2019/khoi-nghiep.md";
    let text = std::fs::read_to_string(root.join("content").join(rel)).unwrap();
    site.write(rel, &format!("{text}\nThêm chữ xoan.\n"));
    let changed = step(&mut live);
    assert!(
        changed.iter().any(|p| p.starts_with("tim-kiem/r/")),
        "{changed:?}"
    );
    assert!(
        changed.contains(&"tim-kiem/index.json".to_string()),
        "{changed:?}"
    );
    assert!(changed.len() <= 5, "{changed:?}");

    // A new item takes the next number: nothing else is renumbered.
    site.write(
        "tin-bai/2019/moi.md",
        "---\ntitle: Tin mới về đường làng\ndate: 2019-05-20\nunit: viet-tri\n---\n\nNội dung mới.\n",
    );
    let changed = step(&mut live);
    let records: Vec<&String> = changed
        .iter()
        .filter(|p| p.starts_with("tim-kiem/r/"))
        .collect();
    // Document 6 joins the first records file (16 to a file).
    assert_eq!(records, ["tim-kiem/r/0.json.gz"], "{changed:?}");

    // Removing an item and changing a date renumber some documents; still a fresh build's files.
    site.remove("tin-bai/2018/duong-lang.md");
    step(&mut live);
    let rel = "tin-bai/2019/duong-dai.md";
    let text = std::fs::read_to_string(root.join("content").join(rel)).unwrap();
    site.write(rel, &text.replace("date: 2019-05-10", "date: 2017-01-01"));
    step(&mut live);
}

#[test]
fn a_build_writes_the_same_records_as_serve_across_many_chunks() {
    // More than one chunk of 256 documents: the build writes each chunk's records files as
    // the chunk is read, and must number them as serve's whole-index pass does.
    let site = TestSite::fixture("search");
    for i in 0..600 {
        site.write(
            &format!("tin-bai/2019/tin-so-{i}.md"),
            &format!(
                "---\ntitle: Tin số {i} về đường làng\ndate: 2019-03-{:02} 08:{:02}\nunit: viet-tri\n---\n\nHội viên số {i} góp công làm đường.\n",
                1 + i % 28,
                i % 60
            ),
        );
    }
    let loaded = datto::assemble::load(site.root(), &load_options()).unwrap();
    let update = datto::search::Incremental::default().update(&loaded);
    let served: std::collections::BTreeMap<String, Vec<u8>> = update.changed.into_iter().collect();
    let built = fresh_index(site.root());
    let records = built
        .keys()
        .filter(|p| p.starts_with("tim-kiem/r/"))
        .count();
    assert!(records > 32, "{records} records files");
    assert_eq!(served, built);
}
