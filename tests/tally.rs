//! `datto tally` and the tally pages on the `tally` fixture (now = 2019-06-01).

mod common;

use common::{TestSite, repo};
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

/// A minimal CSV reader: enough for quoted fields with commas.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            let mut fields = Vec::new();
            let mut field = String::new();
            let mut quoted = false;
            let mut chars = line.chars().peekable();
            while let Some(c) = chars.next() {
                match (c, quoted) {
                    ('"', true) if chars.peek() == Some(&'"') => {
                        field.push('"');
                        chars.next();
                    }
                    ('"', _) => quoted = !quoted,
                    (',', false) => fields.push(std::mem::take(&mut field)),
                    (c, _) => field.push(c),
                }
            }
            fields.push(field);
            fields
        })
        .collect()
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
