//! The four ways `datto tally` prints a [`Tally`]: JSON and CSV for machines (the same bytes
//! as the site's downloads), an aligned table for a terminal, Markdown for reports.

use std::fmt::Write as _;

use super::{Counts, Tally};

/// The exact shape of SPEC §6, laid out like it: one line per unit, so that a diff of two
/// days' downloads reads as a list of changed units.
pub fn json(tally: &Tally) -> String {
    let mut out = format!(
        "{{\n  \"year\": {},\n  \"as_of\": \"{}\",\n  \"province\": {},\n  \"units\": [\n",
        tally.year,
        tally.as_of.format("%Y-%m-%d"),
        compact(&tally.province)
    );
    for (i, unit) in tally.units.iter().enumerate() {
        let separator = if i + 1 < tally.units.len() { "," } else { "" };
        let _ = writeln!(out, "    {}{separator}", compact(unit));
    }
    out.push_str("  ]\n}\n");
    out
}

/// Compact JSON of plain data (serializing it cannot fail).
fn compact<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn csv_row(out: &mut String, slug: &str, name: &str, c: &Counts) {
    let _ = writeln!(
        out,
        "{},{},{},{},{},{},{},{}",
        csv_field(slug),
        csv_field(name),
        c.count,
        c.tin,
        c.bai,
        c.target,
        c.expected_by_now,
        c.met
    );
}

/// Header `slug,name,count,tin,bai,target,expected_by_now,met`, a row per unit, then `province`.
pub fn csv(tally: &Tally) -> String {
    let mut out = String::from("slug,name,count,tin,bai,target,expected_by_now,met\n");
    for unit in &tally.units {
        csv_row(&mut out, &unit.slug, &unit.name, &unit.counts);
    }
    csv_row(&mut out, "province", "Toàn tỉnh", &tally.province);
    out
}

/// Display width of a label: Vietnamese text in NFC is one column per character.
fn width(text: &str) -> usize {
    text.chars()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .count()
}

fn pad(text: &str, to: usize) -> String {
    format!("{text}{}", " ".repeat(to.saturating_sub(width(text))))
}

const BAR: usize = 20;

/// `██████████░░░░│░░░░░` — filled to the count, `│` at the pace mark, capped at the target.
fn bar(c: &Counts) -> String {
    let scale = |n: u32| -> usize {
        if c.target == 0 {
            return BAR;
        }
        ((u64::from(n.min(c.target)) * BAR as u64) / u64::from(c.target)) as usize
    };
    let filled = scale(c.count);
    let pace = scale(c.expected_by_now).min(BAR - 1);
    (0..BAR)
        .map(|i| match (i < filled, i == pace && !c.met) {
            (_, true) => '│',
            (true, false) => '█',
            (false, false) => '░',
        })
        .collect()
}

fn status(c: &Counts) -> &'static str {
    if c.met {
        "đạt"
    } else if c.on_pace() {
        "đúng tiến độ"
    } else {
        "chậm"
    }
}

/// Aligned columns and a bar per unit, for a terminal.
pub fn table(tally: &Tally) -> String {
    let name_width = tally
        .units
        .iter()
        .map(|u| width(&u.name))
        .chain([width("Toàn tỉnh"), width("Đơn vị")])
        .max()
        .unwrap_or(10);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Chỉ tiêu tin/bài năm {} (tính đến hết ngày {})",
        tally.year,
        tally.as_of.format("%d/%m/%Y")
    );
    let _ = writeln!(out);
    let header = format!(
        "{}  {:>4} {:>4} {:>5} {:>8} {:>8}  {:<BAR$}  {}",
        pad("Đơn vị", name_width),
        "Tin",
        "Bài",
        "Tổng",
        "Chỉ tiêu",
        "Cần có",
        "Tiến độ",
        "Đánh giá"
    );
    let _ = writeln!(out, "{header}");
    let _ = writeln!(out, "{}", "─".repeat(width(&header)));
    let mut row = |name: &str, c: &Counts| {
        let _ = writeln!(
            out,
            "{}  {:>4} {:>4} {:>5} {:>8} {:>8}  {}  {}",
            pad(name, name_width),
            c.tin,
            c.bai,
            c.count,
            c.target,
            c.expected_by_now,
            bar(c),
            status(c)
        );
    };
    for unit in &tally.units {
        row(&unit.name, &unit.counts);
    }
    row("Toàn tỉnh", &tally.province);
    let met = tally.units.iter().filter(|u| u.counts.met).count();
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{met}/{} đơn vị đã đạt chỉ tiêu; toàn tỉnh {}/{} tin bài. Cần có = số tin bài lẽ ra đã có nếu đăng đều cả năm.",
        tally.units.len(),
        tally.province.count,
        tally.province.target
    );
    out
}

/// A Markdown table for pasting into reports.
pub fn markdown(tally: &Tally) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### Chỉ tiêu tin/bài năm {} (tính đến hết ngày {})\n",
        tally.year,
        tally.as_of.format("%d/%m/%Y")
    );
    let _ = writeln!(
        out,
        "| Đơn vị | Tin | Bài | Tổng | Chỉ tiêu | Cần có đến nay | Đánh giá |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---|");
    let escape = |s: &str| s.replace('|', "\\|");
    for unit in &tally.units {
        let c = &unit.counts;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            escape(&unit.name),
            c.tin,
            c.bai,
            c.count,
            c.target,
            c.expected_by_now,
            status(c)
        );
    }
    let c = &tally.province;
    let _ = writeln!(
        out,
        "| **Toàn tỉnh** | {} | {} | **{}** | {} | {} | {} |",
        c.tin,
        c.bai,
        c.count,
        c.target,
        c.expected_by_now,
        status(c)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::UnitTally;
    use chrono::NaiveDate;

    fn counts(count: u32, target: u32, expected: u32) -> Counts {
        Counts {
            count,
            tin: count / 2,
            bai: count - count / 2,
            target,
            expected_by_now: expected,
            met: count >= target,
        }
    }

    fn sample() -> Tally {
        Tally {
            year: 2018,
            as_of: NaiveDate::from_ymd_opt(2018, 7, 2).unwrap(),
            province: counts(31, 300, 150),
            units: vec![
                UnitTally {
                    slug: "viet-tri".into(),
                    name: "Thành phố Việt Trì".into(),
                    counts: counts(21, 20, 10),
                    by_month: [0; 12],
                },
                UnitTally {
                    slug: "x".into(),
                    name: "Tên, có \"dấu phẩy\"".into(),
                    counts: counts(10, 20, 10),
                    by_month: [0; 12],
                },
            ],
        }
    }

    #[test]
    fn json_is_one_unit_per_line_and_parses_back() {
        let text = json(&sample());
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value, serde_json::to_value(sample()).unwrap());
        assert_eq!(
            text.lines()
                .filter(|l| l.trim_start().starts_with("{\"slug\""))
                .count(),
            2
        );
    }

    #[test]
    fn csv_rows_and_quoting() {
        let text = csv(&sample());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "slug,name,count,tin,bai,target,expected_by_now,met"
        );
        assert_eq!(lines[1], "viet-tri,Thành phố Việt Trì,21,10,11,20,10,true");
        assert_eq!(
            lines[2],
            "x,\"Tên, có \"\"dấu phẩy\"\"\",10,5,5,20,10,false"
        );
        assert_eq!(lines[3], "province,Toàn tỉnh,31,15,16,300,150,false");
    }

    #[test]
    fn table_columns_align() {
        let text = table(&sample());
        let rows: Vec<&str> = text
            .lines()
            .filter(|l| l.contains('█') || l.contains('░'))
            .collect();
        assert_eq!(rows.len(), 3);
        let bar_column = |row: &str| {
            row.chars()
                .position(|c| c == '█' || c == '░' || c == '│')
                .unwrap()
        };
        assert!(
            rows.iter().all(|r| bar_column(r) == bar_column(rows[0])),
            "{text}"
        );
        assert!(rows[0].ends_with("đạt"));
        assert!(rows[1].ends_with("đúng tiến độ"), "{text}");
        assert!(rows[2].ends_with("chậm"));
    }

    #[test]
    fn bars() {
        assert_eq!(bar(&counts(20, 20, 10)), "█".repeat(20));
        assert_eq!(
            bar(&counts(0, 20, 10)),
            format!("{}│{}", "░".repeat(10), "░".repeat(9))
        );
        assert_eq!(
            bar(&counts(5, 20, 0)).chars().filter(|c| *c == '█').count(),
            4
        );
    }

    #[test]
    fn markdown_is_a_table() {
        let text = markdown(&sample());
        assert!(text.contains("| Đơn vị | Tin |"));
        assert_eq!(text.lines().filter(|l| l.starts_with('|')).count(), 5);
    }
}
