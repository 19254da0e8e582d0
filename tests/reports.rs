//! The tally workbook read back by real clients (SPEC §13): openpyxl (Python) and LibreOffice
//! (`soffice --headless --convert-to csv`). Their numbers must equal `datto tally --format
//! json` for the same arguments, on the example site and on the `tally` fixture. A client that
//! is not installed is skipped with "SKIPPED: …" (`.ci/run` installs both).

mod common;

use std::path::Path;
use std::process::Command;

use common::{TestSite, parse_csv, repo};
use serde_json::Value;

/// 2026-12-01T00:00:00Z: "now" for the example site, whose items are dated up to 2026.
const EXAMPLE_NOW: &str = "1796083200";

/// Runs `datto` on `root` with a fixed "now".
fn datto(root: &Path, now: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_datto"))
        .args(args)
        .arg("--root")
        .arg(root)
        .env("SOURCE_DATE_EPOCH", now)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "datto {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json(root: &Path, now: &str, args: &[&str]) -> Value {
    let mut all = vec!["tally"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    serde_json::from_str(&datto(root, now, &all)).unwrap()
}

fn workbook(root: &Path, now: &str, args: &[&str], path: &Path) {
    let mut all = vec!["tally"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "xlsx", "--output", path.to_str().unwrap()]);
    datto(root, now, &all);
}

/// The cases: the example site and the fixture, a year and a part of one. The JSON of a
/// year has no channels (SPEC §6's exact shape), so channels and last items are compared
/// with the same year asked as a range.
struct Case {
    root: std::path::PathBuf,
    now: &'static str,
    args: Vec<&'static str>,
    /// The same days as a range, for `by_channel` and `last_item`.
    detail: Vec<&'static str>,
    _site: Option<TestSite>,
}

fn cases() -> Vec<Case> {
    let fixture = TestSite::fixture("tally");
    let fixture_root = fixture.root().to_path_buf();
    let fixture_q1 = TestSite::fixture("tally");
    let fixture_q1_root = fixture_q1.root().to_path_buf();
    vec![
        Case {
            root: repo(),
            now: EXAMPLE_NOW,
            args: vec!["--period", "h1", "--year", "2026"],
            detail: vec!["--period", "h1", "--year", "2026"],
            _site: None,
        },
        Case {
            root: repo(),
            now: EXAMPLE_NOW,
            args: vec!["--year", "2026", "--as-of", "2026-11-30"],
            detail: vec![
                "--from",
                "2026-01-01",
                "--to",
                "2026-12-31",
                "--as-of",
                "2026-11-30",
            ],
            _site: None,
        },
        Case {
            root: fixture_root,
            now: common::NOW,
            args: vec!["--year", "2019", "--as-of", "2019-06-01"],
            detail: vec![
                "--from",
                "2019-01-01",
                "--to",
                "2019-12-31",
                "--as-of",
                "2019-06-01",
            ],
            _site: Some(fixture),
        },
        Case {
            root: fixture_q1_root,
            now: common::NOW,
            args: vec!["--period", "q1", "--year", "2019"],
            detail: vec!["--period", "q1", "--year", "2019"],
            _site: Some(fixture_q1),
        },
    ]
}

fn has(program: &str, args: &[&str]) -> bool {
    Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Dumps every sheet as JSON: rows of values (dates as `{"date": "YYYY-MM-DD"}`), with the
/// frozen panes and the print setup.
const DUMP: &str = r#"
import datetime, json, sys
import openpyxl
book = openpyxl.load_workbook(sys.argv[1])
out = {}
for ws in book.worksheets:
    def value(v):
        if isinstance(v, datetime.datetime):
            return {"date": v.date().isoformat()}
        return v
    out[ws.title] = {
        "rows": [[value(v) for v in row] for row in ws.iter_rows(values_only=True)],
        "freeze": ws.freeze_panes,
        "orientation": ws.page_setup.orientation,
        "paper": ws.page_setup.paperSize,
        "fit_width": ws.page_setup.fitToWidth,
        "fit_height": ws.page_setup.fitToHeight,
        "fit": bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage),
        "print_titles": ws.print_title_rows,
        "widths": {k: d.width for k, d in ws.column_dimensions.items()},
        "bold_province": any(c.font.bold for row in ws.iter_rows() for c in row if c.value == "Toàn tỉnh"),
    }
json.dump(out, sys.stdout, ensure_ascii=False, default=str)
"#;

fn openpyxl_dump(path: &Path) -> Value {
    let out = Command::new("python3")
        .args(["-c", DUMP])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn num(v: &Value) -> u64 {
    v.as_u64()
        .or_else(|| v.as_f64().map(|f| f as u64))
        .unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The rows of a sheet whose first cell is a unit slug, then the `province` row.
fn unit_rows<'a>(sheet: &'a Value, json: &Value) -> Vec<&'a Vec<Value>> {
    let rows: Vec<&Vec<Value>> = sheet["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap())
        .collect();
    let units = json["units"].as_array().unwrap();
    let body = &rows[1..=units.len() + 1];
    for (row, unit) in body.iter().zip(units) {
        assert_eq!(row[0], unit["slug"], "units in site.yaml order");
    }
    assert_eq!(body[units.len()][0], "province");
    assert_eq!(body[units.len()][1], "Toàn tỉnh");
    body.to_vec()
}

#[test]
fn openpyxl_reads_the_numbers_of_the_json() {
    if !has("python3", &["-c", "import openpyxl"]) {
        println!("SKIPPED: python3 with openpyxl is not installed (pip install openpyxl)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (n, case) in cases().iter().enumerate() {
        let path = dir.path().join(format!("bao-cao-{n}.xlsx"));
        workbook(&case.root, case.now, &case.args, &path);
        let json = json(&case.root, case.now, &case.args);
        let detail = json_detail(case);
        let book = openpyxl_dump(&path);
        let label = format!("{:?}", case.args);
        let names: Vec<&str> = book
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            names,
            [
                "Tổng hợp",
                "Theo tháng",
                "Theo kênh",
                "Mô hình",
                "Danh sách"
            ],
            "{label}"
        );
        for (name, sheet) in book.as_object().unwrap() {
            assert_eq!(sheet["freeze"], "A2", "{label} {name}: header row frozen");
            assert_eq!(sheet["orientation"], "landscape", "{label} {name}");
            assert_eq!(sheet["paper"], 9, "{label} {name}: A4");
            assert!(
                sheet["fit"].as_bool().unwrap(),
                "{label} {name}: fit to page"
            );
            // openpyxl reports an unset fitToWidth as its default, 1.
            assert!(
                sheet["fit_width"].is_null() || sheet["fit_width"] == 1,
                "{label} {name}: one page wide"
            );
            assert_eq!(
                sheet["fit_height"], 0,
                "{label} {name}: as many pages tall as needed"
            );
            assert_eq!(
                sheet["print_titles"], "$1:$1",
                "{label} {name}: header repeated"
            );
            assert!(
                !sheet["widths"].as_object().unwrap().is_empty(),
                "{label} {name}: widths set"
            );
        }

        // Tổng hợp: tin, bài, tổng, chỉ tiêu, cần có — as numbers, equal to the JSON.
        let summary = &book["Tổng hợp"];
        assert!(
            summary["bold_province"].as_bool().unwrap(),
            "province row emphasised"
        );
        let rows = unit_rows(summary, &json);
        let units = json["units"].as_array().unwrap();
        let records = units.iter().chain([&json["province"]]);
        for (row, record) in rows.iter().zip(records) {
            for (col, key) in ["tin", "bai", "count", "target", "expected_by_now"]
                .iter()
                .enumerate()
            {
                assert!(row[2 + col].is_number(), "{label}: {key} is a number");
                assert_eq!(
                    num(&row[2 + col]),
                    num(&record[key]),
                    "{label} {key} {row:?}"
                );
            }
        }
        for (row, unit) in rows.iter().zip(detail["units"].as_array().unwrap()) {
            match unit["last_item"].as_str() {
                Some(day) => {
                    assert_eq!(row[8]["date"], day, "{label}: last item is a real date");
                    assert_eq!(num(&row[9]), num(&unit["days_since_last"]), "{label}");
                }
                None => assert_eq!(row[8], "chưa có", "{label}"),
            }
            let quiet = if unit["quiet"].as_bool().unwrap() {
                "Có"
            } else {
                ""
            };
            assert_eq!(row[10].as_str().unwrap_or(""), quiet, "{label} {row:?}");
        }

        // Theo tháng: the months of the period, then the total.
        let months = unit_rows(&book["Theo tháng"], &json);
        let header = book["Theo tháng"]["rows"][0].as_array().unwrap();
        let first_month: usize = header[2].as_str().unwrap()[1..].parse().unwrap();
        let month_count = header.len() - 3;
        for (row, unit) in months.iter().zip(units) {
            let by_month = unit["by_month"].as_array().unwrap();
            for m in 0..month_count {
                assert_eq!(
                    num(&row[2 + m]),
                    num(&by_month[first_month - 1 + m]),
                    "{label}"
                );
            }
            assert_eq!(num(&row[2 + month_count]), num(&unit["count"]), "{label}");
        }
        let province_months: u64 = (0..month_count)
            .map(|m| num(&months[units.len()][2 + m]))
            .sum();
        assert_eq!(province_months, num(&json["province"]["count"]), "{label}");

        // Theo kênh: one column per channel, in the JSON's `by_channel` order.
        let channels = unit_rows(&book["Theo kênh"], &json);
        let records = detail["units"]
            .as_array()
            .unwrap()
            .iter()
            .chain([&detail["province"]]);
        for (row, record) in channels.iter().zip(records) {
            let by_channel = record["by_channel"].as_object().unwrap();
            for (col, n) in by_channel.values().enumerate() {
                assert_eq!(num(&row[2 + col]), num(n), "{label} {row:?}");
            }
            assert_eq!(
                num(&row[2 + by_channel.len()]),
                num(&record["count"]),
                "{label}"
            );
        }

        // Danh sách: every counted item once, its date a real date inside the period.
        let list = book["Danh sách"]["rows"].as_array().unwrap();
        assert_eq!(
            list[0],
            serde_json::json!(["Ngày", "Đơn vị", "Loại", "Kênh", "Tiêu đề", "Địa chỉ"])
        );
        let items = &list[1..];
        assert_eq!(
            items.len() as u64,
            num(&json["province"]["count"]),
            "{label}"
        );
        let (from, to) = (
            detail["from"].as_str().unwrap(),
            json["as_of"].as_str().unwrap(),
        );
        for row in items {
            let day = row[0]["date"].as_str().expect("a real date");
            assert!(
                from <= day && day <= to,
                "{label}: {day} outside {from}..{to}"
            );
            assert!(row[5].as_str().unwrap().starts_with("http"), "{row:?}");
        }
        for unit in units {
            let name = unit["name"].as_str().unwrap();
            let listed = items.iter().filter(|r| r[1] == name).count() as u64;
            assert_eq!(listed, num(&unit["count"]), "{label}: items of {name}");
        }
        let tin = items.iter().filter(|r| r[2] == "Tin").count() as u64;
        assert_eq!(tin, num(&json["province"]["tin"]), "{label}");
    }
}

fn json_detail(case: &Case) -> Value {
    json(&case.root, case.now, &case.detail)
}

#[test]
fn libreoffice_opens_the_workbook_with_the_numbers_of_the_json() {
    if !has("soffice", &["--version"]) {
        println!(
            "SKIPPED: LibreOffice (soffice) is not installed (apt-get install libreoffice-calc)"
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // A profile of its own: a user's running LibreOffice (or another test) is left alone.
    let profile = format!("file://{}", dir.path().join("profile").display());
    for (n, case) in cases().iter().enumerate() {
        let name = format!("bao-cao-{n}");
        let path = dir.path().join(format!("{name}.xlsx"));
        workbook(&case.root, case.now, &case.args, &path);
        let json = json(&case.root, case.now, &case.args);
        let detail = json_detail(case);
        // UTF-8, comma-separated, cells as shown, every sheet to its own file (-1).
        let out = Command::new("soffice")
            .arg(format!("-env:UserInstallation={profile}"))
            .args([
                "--headless",
                "--convert-to",
                "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
                "--outdir",
            ])
            .arg(dir.path())
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let sheet = |sheet: &str| {
            let file = dir.path().join(format!("{name}-{sheet}.csv"));
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            parse_csv(&text)
        };
        let label = format!("{:?}", case.args);
        let summary = sheet("Tổng hợp");
        let units = json["units"].as_array().unwrap();
        let records: Vec<&Value> = units.iter().chain([&json["province"]]).collect();
        assert_eq!(summary[0][2..5], ["Tin", "Bài", "Tổng"], "{label}");
        for (row, record) in summary[1..].iter().zip(&records) {
            for (col, key) in ["tin", "bai", "count", "target", "expected_by_now"]
                .iter()
                .enumerate()
            {
                assert_eq!(
                    row[2 + col],
                    record[key].to_string(),
                    "{label} {key} {row:?}"
                );
            }
        }
        assert_eq!(summary[units.len() + 1][0], "province", "{label}");
        for (row, unit) in summary[1..].iter().zip(detail["units"].as_array().unwrap()) {
            if let Some(day) = unit["last_item"].as_str() {
                // Shown as dd/mm/yyyy: the cell is a date with that format, not text.
                let shown = format!("{}/{}/{}", &day[8..10], &day[5..7], &day[0..4]);
                assert_eq!(row[8], shown, "{label}");
            }
        }
        let channels = sheet("Theo kênh");
        let records = detail["units"]
            .as_array()
            .unwrap()
            .iter()
            .chain([&detail["province"]]);
        for (row, record) in channels[1..].iter().zip(records) {
            let by_channel = record["by_channel"].as_object().unwrap();
            for (col, n) in by_channel.values().enumerate() {
                assert_eq!(row[2 + col], n.to_string(), "{label} {row:?}");
            }
        }
        let list = sheet("Danh sách");
        assert_eq!(
            (list.len() - 1) as u64,
            json["province"]["count"].as_u64().unwrap(),
            "{label}"
        );
        let kinds = sheet("Mô hình");
        assert_eq!(kinds[0][0], "Mã loại");
        let months = sheet("Theo tháng");
        assert_eq!(
            months[units.len() + 1].last().unwrap(),
            &json["province"]["count"].to_string(),
            "{label}"
        );
    }
}
