//! `datto tally` and the tally pages on the `tally` fixture (now = 2019-06-01).

mod common;

use common::{TestSite, parse_csv, repo};
use serde_json::Value;

fn expected(name: &str) -> Value {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/tally").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn tally(site: &TestSite, args: &[&str]) -> String {
    let mut all = vec!["tally"];
    all.extend_from_slice(args);
    site.run(&all).success().stdout()
}

#[test]
fn json_equals_the_hand_written_file() {
    let site = TestSite::fixture("tally");
    let out = tally(
        &site,
        &[
            "--year",
            "2019",
            "--as-of",
            "2019-06-01",
            "--format",
            "json",
        ],
    );
    let got: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(got, expected("expected-2019.json"));
}

#[test]
fn defaults_are_today_and_its_year() {
    let site = TestSite::fixture("tally");
    let out = tally(&site, &["--format", "json"]);
    let got: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        got,
        expected("expected-2019.json"),
        "now is 2019-06-01 in the fixture"
    );
}

#[test]
fn a_past_year_is_reported_at_31_december() {
    let site = TestSite::fixture("tally");
    let got: Value =
        serde_json::from_str(&tally(&site, &["--year", "2018", "--format", "json"])).unwrap();
    assert_eq!(got["as_of"], "2018-12-31");
    // 16:59 UTC on 31 Dec 2018 is 23:59 in +07:00: it counts for 2018.
    let counts: Vec<u64> = got["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [0, 0, 1]);
    assert_eq!(got["units"][2]["expected_by_now"], 2);
}

#[test]
fn scheduled_items_are_not_counted_even_by_a_later_as_of() {
    let site = TestSite::fixture("tally");
    let got: Value = serde_json::from_str(&tally(
        &site,
        &[
            "--year",
            "2019",
            "--as-of",
            "2019-12-31",
            "--format",
            "json",
        ],
    ))
    .unwrap();
    assert_eq!(got["units"][2]["count"], 0, "c-hen is scheduled after now");
    assert_eq!(got["province"]["count"], 6);
}

#[test]
fn csv_matches_the_json() {
    let site = TestSite::fixture("tally");
    let csv = tally(
        &site,
        &["--year", "2019", "--as-of", "2019-06-01", "--format", "csv"],
    );
    let rows = parse_csv(&csv);
    assert_eq!(
        rows[0],
        [
            "slug",
            "name",
            "count",
            "tin",
            "bai",
            "target",
            "expected_by_now",
            "met"
        ]
    );
    let json = expected("expected-2019.json");
    let units = json["units"].as_array().unwrap();
    assert_eq!(rows.len(), units.len() + 2);
    for (row, unit) in rows[1..].iter().zip(units) {
        assert_eq!(row[0], unit["slug"].as_str().unwrap());
        assert_eq!(row[1], unit["name"].as_str().unwrap());
        for (i, key) in ["count", "tin", "bai", "target", "expected_by_now"]
            .iter()
            .enumerate()
        {
            assert_eq!(row[i + 2], unit[key].to_string(), "{key}");
        }
        assert_eq!(row[7], unit["met"].to_string());
    }
    let province = rows.last().unwrap();
    assert_eq!(province[0], "province");
    assert_eq!(province[2], json["province"]["count"].to_string());
    assert_eq!(province[7], "true");
}

#[test]
fn table_and_markdown_show_every_unit() {
    let site = TestSite::fixture("tally");
    let table = tally(&site, &["--format", "table"]);
    for name in ["Đơn vị A", "Đơn vị B, huyện", "Đơn vị C", "Toàn tỉnh"] {
        assert!(table.contains(name), "{table}");
    }
    let markdown = tally(&site, &["--format", "markdown"]);
    assert_eq!(
        markdown.lines().filter(|l| l.starts_with("| ")).count(),
        5,
        "{markdown}"
    );
}

#[test]
fn bad_arguments_exit_2_with_one_line() {
    let site = TestSite::fixture("tally");
    for args in [
        ["tally", "--year", "năm"],
        ["tally", "--as-of", "01/06/2019"],
        ["tally", "--year", "20190"],
    ] {
        let run = site.run(&args).failure(2);
        assert_eq!(run.stderr().trim().lines().count(), 1, "{}", run.stderr());
        assert!(run.stdout().is_empty());
    }
}

#[test]
fn content_errors_fail_without_a_partial_tally() {
    let site = TestSite::fixture("tally");
    site.write(
        "tin-bai/x.md",
        "---\ntitle: X\ndate: 2019-01-01\nunit: khong-co\n---\n",
    )
    .write(
        "tin-bai/y.md",
        "---\ntitle: Y\ndate: hôm qua\nunit: a\n---\n",
    );
    let run = site.run(&["tally", "--format", "json"]).failure(1);
    assert!(run.stdout().is_empty(), "{}", run.stdout());
    assert!(
        run.stderr().contains("content/tin-bai/x.md:4:"),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr().contains("content/tin-bai/y.md:3:"),
        "{}",
        run.stderr()
    );
}

#[test]
fn site_downloads_equal_the_cli_on_the_same_day() {
    let site = TestSite::fixture("tally");
    site.build(&[]).success();
    let cli_json = tally(
        &site,
        &[
            "--year",
            "2019",
            "--as-of",
            "2019-06-01",
            "--format",
            "json",
        ],
    );
    assert_eq!(site.read("thong-ke/2019.json"), cli_json);
    let cli_csv = tally(
        &site,
        &["--year", "2019", "--as-of", "2019-06-01", "--format", "csv"],
    );
    assert_eq!(site.read("thong-ke/2019.csv"), cli_csv);
    let cli_2018 = tally(&site, &["--year", "2018", "--format", "json"]);
    assert_eq!(site.read("thong-ke/2018.json"), cli_2018);
    assert!(site.exists("thong-ke/index.html"));
    assert!(!site.exists("thong-ke/2017/index.html"));
}

#[test]
fn year_page_chart_is_well_formed_with_one_bar_per_unit() {
    let site = TestSite::fixture("tally");
    site.build(&[]).success();
    let html = site.read("thong-ke/2019/index.html");
    let start = html.find("<svg").expect("an inline svg");
    let end = html[start..].find("</svg>").unwrap() + start + "</svg>".len();
    let svg = &html[start..end];
    let doc = roxmltree::Document::parse(svg).expect("the chart is well-formed XML");
    let bars = doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("rect")
                && n.attribute("class")
                    .is_some_and(|c| c.split(' ').any(|w| w == "bar"))
        })
        .count();
    assert_eq!(bars, 3);
    assert!(
        !html.contains("<script"),
        "the tally page needs no JavaScript"
    );
    // Month table and province line are on the page.
    assert!(
        html.contains("6/5") || html.contains(">6<"),
        "province count shown"
    );
}

#[test]
fn unit_and_home_pages_show_this_years_progress() {
    let site = TestSite::fixture("tally");
    site.build(&[]).success();
    let home = site.read("index.html");
    assert!(home.contains("/thong-ke/"), "home links to the tallies");
    let unit = site.read("don-vi/don-vi-a/index.html");
    assert!(unit.contains("4/3") || unit.contains(">4<"), "{unit}");
}

fn json_of(site: &TestSite, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&tally(site, &all)).expect("valid JSON")
}

#[test]
fn a_half_year_has_its_bounds_pro_rata_targets_channels_and_last_items() {
    let site = TestSite::fixture("tally");
    let got = json_of(&site, &["--period", "h1", "--as-of", "2019-06-01"]);
    assert_eq!(got["year"], 2019);
    assert_eq!(
        (&got["period"], &got["from"], &got["to"]),
        (
            &Value::from("h1"),
            &Value::from("2019-01-01"),
            &Value::from("2019-06-30")
        )
    );
    let units = got["units"].as_array().unwrap();
    let field = |key: &str| -> Vec<Value> { units.iter().map(|u| u[key].clone()).collect() };
    assert_eq!(field("count"), [4, 2, 0]);
    // 3 a year × 181/365 = 1.49 → 1; the override 2 → 0.99 → 1; the province 5 → 2.48 → 2.
    assert_eq!(field("target"), [1, 1, 1]);
    assert_eq!(got["province"]["target"], 2);
    // Day 152 of 181: ⌊2 × 152 / 181⌋ = 1.
    assert_eq!(got["province"]["expected_by_now"], 1);
    assert_eq!(
        units[1]["by_channel"],
        serde_json::json!({"web": 1, "bao-phu-tho": 1, "thong-tin-phu-nu": 0})
    );
    assert_eq!(got["province"]["by_channel"]["web"], 5);
    assert_eq!(
        field("last_item"),
        ["2019-05-31", "2019-04-01", "2018-12-31"],
        "C's last item is 23:59 local on 31 December 2018"
    );
    assert_eq!(field("days_since_last"), [1, 61, 152]);
    assert_eq!(field("quiet"), [false, true, true]);
    // --quiet-days moves the line.
    let got = json_of(
        &site,
        &[
            "--period",
            "h1",
            "--as-of",
            "2019-06-01",
            "--quiet-days",
            "90",
        ],
    );
    assert_eq!(got["quiet_days"], 90);
    assert_eq!(got["units"][1]["quiet"], false);
}

#[test]
fn quarters_and_ranges_count_only_their_days() {
    let site = TestSite::fixture("tally");
    let q1 = json_of(&site, &["--period", "q1", "--year", "2019"]);
    assert_eq!(
        q1["as_of"], "2019-03-31",
        "a quarter already over ends on its last day"
    );
    let counts: Vec<u64> = q1["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [3, 1, 0]);
    let q2 = json_of(&site, &["--period", "q2", "--as-of", "2019-06-01"]);
    assert_eq!(q2["province"]["count"], 2);
    let range = json_of(&site, &["--from", "2019-02-01", "--to", "2019-04-01"]);
    assert_eq!(range["period"], "range");
    assert_eq!(
        range["province"]["count"], 3,
        "a2, a3 and b1 (on its last day)"
    );
    // One end alone runs to the end (or the start) of its year.
    let from = json_of(&site, &["--from", "2019-04-01", "--as-of", "2019-06-01"]);
    assert_eq!(
        (&from["to"], &from["province"]["count"]),
        (&Value::from("2019-12-31"), &Value::from(2))
    );
    // `--period year` is the year report, in its exact shape.
    let year = json_of(&site, &["--period", "year", "--as-of", "2019-06-01"]);
    assert_eq!(year, expected("expected-2019.json"));
}

#[test]
fn bad_periods_exit_2_with_one_vietnamese_line() {
    let site = TestSite::fixture("tally");
    let cases: [&[&str]; 9] = [
        &["tally", "--period", "q5"],
        &["tally", "--period", "quy1"],
        &["tally", "--from", "2019-05-01", "--to", "2019-03-01"],
        &["tally", "--from", "2018-12-01", "--to", "2019-01-31"],
        &["tally", "--from", "1/5/2019"],
        &["tally", "--period", "h1", "--from", "2019-01-01"],
        &["tally", "--quiet-days", "ba mươi"],
        &["tally", "--format", "xlsx"],
        &["tally", "--output", "bao-cao.xlsx"],
    ];
    for args in cases {
        let run = site.run(args).failure(2);
        let err = run.stderr();
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("lỗi: "), "{args:?}: {err}");
        assert!(run.stdout().is_empty());
    }
    let err = site.run(&["tally", "--period", "q5"]).stderr();
    assert!(err.contains("q1, q2, q3, q4"), "{err}");
    let err = site
        .run(&["tally", "--from", "2018-12-01", "--to", "2019-01-31"])
        .stderr();
    assert!(err.contains("hai năm khác nhau"), "{err}");
}

#[test]
fn xlsx_is_written_only_to_output_and_replaces_the_file_whole() {
    let site = TestSite::fixture("tally");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bao-cao.xlsx");
    std::fs::write(&path, b"old").unwrap();
    let out_arg = path.to_str().unwrap();
    let run = site
        .run(&[
            "tally", "--period", "h1", "--format", "xlsx", "--output", out_arg,
        ])
        .success();
    assert!(run.stdout().starts_with("Đã ghi "), "{}", run.stdout());
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        bytes.starts_with(b"PK"),
        "a zip (xlsx) file, not the old bytes"
    );
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["bao-cao.xlsx"], "no temporary file left behind");
    // Same content and "now": the same bytes (the workbook is dated by as_of, not the clock).
    site.run(&[
        "tally", "--period", "h1", "--format", "xlsx", "--output", out_arg,
    ])
    .success();
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    // The site's workbook is the CLI's for the same year and day.
    site.build(&[]).success();
    let site_book = std::fs::read(site.public().join("thong-ke/2019.xlsx")).unwrap();
    site.run(&[
        "tally",
        "--year",
        "2019",
        "--as-of",
        "2019-06-01",
        "--format",
        "xlsx",
        "--output",
        out_arg,
    ])
    .success();
    assert_eq!(std::fs::read(&path).unwrap(), site_book);
    let page = site.read("thong-ke/2019/index.html");
    assert!(
        page.contains("2019.xlsx\" download>bảng tính Excel</a>"),
        "linked with a human label"
    );
}

#[test]
fn tallies_kept_internal_are_not_published_but_serve_and_the_cli_keep_them() {
    let site = TestSite::fixture("tally");
    let config = std::fs::read_to_string(site.root().join("content/site.yaml")).unwrap();
    site.write(
        "site.yaml",
        &format!("{config}tallies: {{ public: false }}\n"),
    );
    site.build(&[]).success();
    let files = site.output_files();
    assert!(
        !files.iter().any(|f| f.starts_with("thong-ke/")),
        "no tally page or download: {files:?}"
    );
    let home = site.read("index.html");
    assert!(
        !home.contains("thong-ke"),
        "no link to tallies on the home page"
    );
    assert!(
        !home.contains("class=\"progress "),
        "no progress box on the home page"
    );
    let unit = site.read("don-vi/don-vi-a/index.html");
    assert!(
        !unit.contains("class=\"progress "),
        "no progress box on a unit page"
    );
    assert!(!site.read("sitemap.xml").contains("thong-ke"));
    // The CLI still reports.
    assert_eq!(
        json_of(&site, &["--as-of", "2019-06-01"]),
        expected("expected-2019.json")
    );
    // serve's preview (LoadOptions::preview) still plans them.
    let options = datto::model::site::LoadOptions {
        drafts: false,
        future: false,
        now: chrono::DateTime::from_timestamp(common::NOW.parse().unwrap(), 0).unwrap(),
        base_url: None,
        preview: true,
    };
    let preview = datto::assemble::load(site.root(), &options).unwrap();
    assert!(preview.jobs().iter().any(|j| j.path == "thong-ke/2019/"));
}
