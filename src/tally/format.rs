//! The four ways `datto tally` prints a [`Tally`]: JSON and CSV for machines (the same bytes
//! as the site's downloads), an aligned table for a terminal, Markdown for reports.

use std::fmt::Write as _;

use super::{Counts, Tally, UnitTally};

/// The exact shape of SPEC §6 for a year, laid out like it: one line per unit, so that a
/// diff of two days' downloads reads as a list of changed units. Any other period adds
/// `period`, `from`, `to`, `quiet_days`, and per unit and province `by_channel` (channel slug
/// → count), and per unit `last_item`, `days_since_last` (null when the unit never published)
/// and `quiet`.
pub fn json(tally: &Tally) -> Result<String, serde_json::Error> {
    let year = tally.period.is_year();
    let mut out = format!("{{\n  \"year\": {},\n", tally.year);
    if !year {
        let _ = write!(
            out,
            "  \"period\": \"{}\",\n  \"from\": \"{}\",\n  \"to\": \"{}\",\n  \"quiet_days\": {},\n",
            tally.period.key(),
            tally.period.from.format("%Y-%m-%d"),
            tally.period.to.format("%Y-%m-%d"),
            tally.quiet_days
        );
    }
    let province = if year {
        serde_json::to_string(&tally.province)?
    } else {
        let mut value = serde_json::to_value(&tally.province)?;
        value["by_channel"] = channels(tally, &tally.province);
        serde_json::to_string(&value)?
    };
    let _ = write!(
        out,
        "  \"as_of\": \"{}\",\n  \"province\": {},\n  \"units\": [\n",
        tally.as_of.format("%Y-%m-%d"),
        province
    );
    for (i, unit) in tally.units.iter().enumerate() {
        let separator = if i + 1 < tally.units.len() { "," } else { "" };
        let line = if year {
            serde_json::to_string(unit)?
        } else {
            let mut value = serde_json::to_value(unit)?;
            value["by_channel"] = channels(tally, &unit.counts);
            value["last_item"] = unit
                .last_item
                .map(|d| d.format("%Y-%m-%d").to_string())
                .into();
            value["days_since_last"] = tally.days_since_last(unit).into();
            value["quiet"] = tally.is_quiet(unit).into();
            serde_json::to_string(&value)?
        };
        let _ = writeln!(out, "    {line}{separator}");
    }
    out.push_str("  ]\n}\n");
    Ok(out)
}

/// `{"web": 3, "bao-phu-tho": 1, …}` in `site.yaml` order.
fn channels(tally: &Tally, counts: &Counts) -> serde_json::Value {
    tally
        .channels
        .iter()
        .zip(&counts.by_channel)
        .map(|((slug, _), n)| (slug.clone(), serde_json::Value::from(*n)))
        .collect::<serde_json::Map<_, _>>()
        .into()
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

/// "12 ngày", "chưa có"; `*` marks a quiet unit.
fn last_seen(tally: &Tally, unit: &UnitTally) -> String {
    let mark = if tally.is_quiet(unit) { "*" } else { "" };
    match tally.days_since_last(unit) {
        Some(days) => format!("{days} ngày{mark}"),
        None => format!("chưa có{mark}"),
    }
}

fn heading(tally: &Tally) -> String {
    format!(
        "Chỉ tiêu tin/bài {} (tính đến hết ngày {})",
        tally.period.label(),
        tally.as_of.format("%d/%m/%Y")
    )
}

/// The closing lines: units at target, the province, and the quiet units by name.
fn footer(tally: &Tally) -> String {
    let met = tally.units.iter().filter(|u| u.counts.met).count();
    let pace = if tally.period.is_year() {
        "cả năm"
    } else {
        "trong kỳ"
    };
    let mut out = format!(
        "{met}/{} đơn vị đã đạt chỉ tiêu; toàn tỉnh {}/{} tin bài. Cần có = số tin bài lẽ ra đã có nếu đăng đều {pace}.\n",
        tally.units.len(),
        tally.province.count,
        tally.province.target
    );
    let quiet: Vec<&str> = tally.quiet_units().map(|u| u.name.as_str()).collect();
    if !quiet.is_empty() {
        let _ = writeln!(
            out,
            "* {} đơn vị không có tin bài nào trong {} ngày qua: {}.",
            quiet.len(),
            tally.quiet_days,
            quiet.join(", ")
        );
    }
    out
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
    let _ = writeln!(out, "{}", heading(tally));
    let _ = writeln!(out);
    let header = format!(
        "{}  {:>4} {:>4} {:>5} {:>8} {:>8} {:>12}  {:<BAR$}  {}",
        pad("Đơn vị", name_width),
        "Tin",
        "Bài",
        "Tổng",
        "Chỉ tiêu",
        "Cần có",
        "Tin gần nhất",
        "Tiến độ",
        "Đánh giá"
    );
    let _ = writeln!(out, "{header}");
    let _ = writeln!(out, "{}", "─".repeat(width(&header)));
    let mut row = |name: &str, c: &Counts, last: &str| {
        let _ = writeln!(
            out,
            "{}  {:>4} {:>4} {:>5} {:>8} {:>8} {:>12}  {}  {}",
            pad(name, name_width),
            c.tin,
            c.bai,
            c.count,
            c.target,
            c.expected_by_now,
            last,
            bar(c),
            status(c)
        );
    };
    for unit in &tally.units {
        row(&unit.name, &unit.counts, &last_seen(tally, unit));
    }
    row("Toàn tỉnh", &tally.province, "");
    let _ = writeln!(out);
    out.push_str(&footer(tally));
    out
}

/// A Markdown table for pasting into reports.
pub fn markdown(tally: &Tally) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### {}\n", heading(tally));
    let _ = writeln!(
        out,
        "| Đơn vị | Tin | Bài | Tổng | Chỉ tiêu | Cần có đến nay | Tin gần nhất | Đánh giá |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|---:|---:|---|");
    let escape = |s: &str| s.replace('|', "\\|");
    for unit in &tally.units {
        let c = &unit.counts;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            escape(&unit.name),
            c.tin,
            c.bai,
            c.count,
            c.target,
            c.expected_by_now,
            last_seen(tally, unit).replace('*', "\\*"),
            status(c)
        );
    }
    let c = &tally.province;
    let _ = writeln!(
        out,
        "| **Toàn tỉnh** | {} | {} | **{}** | {} | {} | | {} |",
        c.tin,
        c.bai,
        c.count,
        c.target,
        c.expected_by_now,
        status(c)
    );
    let _ = writeln!(out);
    out.push_str(&footer(tally).replace("* ", "\\* "));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::Period;
    use chrono::NaiveDate;

    fn counts(count: u32, target: u32, expected: u32) -> Counts {
        Counts {
            count,
            tin: count / 2,
            bai: count - count / 2,
            target,
            expected_by_now: expected,
            met: count >= target,
            by_channel: vec![count - count / 3, count / 3],
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
                    last_item: NaiveDate::from_ymd_opt(2018, 6, 30),
                },
                UnitTally {
                    slug: "x".into(),
                    name: "Tên, có \"dấu phẩy\"".into(),
                    counts: counts(10, 20, 10),
                    by_month: [0; 12],
                    last_item: None,
                },
            ],
            period: Period::year(2018),
            channels: vec![
                ("web".into(), "Trang web".into()),
                ("bao-phu-tho".into(), "Báo Phú Thọ".into()),
            ],
            quiet_days: 30,
        }
    }

    #[test]
    fn json_is_one_unit_per_line_and_parses_back() {
        let text = json(&sample()).unwrap();
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
        assert!(rows[0].contains(" 2 ngày "), "{text}");
        assert!(rows[1].contains(" chưa có* "), "{text}");
        assert!(
            text.contains("1 đơn vị không có tin bài nào trong 30 ngày qua: Tên, có"),
            "{text}"
        );
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
        assert!(text.contains("### Chỉ tiêu tin/bài năm 2018"));
    }

    #[test]
    fn json_of_a_period_adds_its_bounds_channels_and_last_items() {
        let mut t = sample();
        t.period = Period::named("h1", 2018).unwrap();
        t.as_of = NaiveDate::from_ymd_opt(2018, 6, 30).unwrap();
        let value: serde_json::Value = serde_json::from_str(&json(&t).unwrap()).unwrap();
        let keys: Vec<&String> = value.as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            [
                "year",
                "period",
                "from",
                "to",
                "quiet_days",
                "as_of",
                "province",
                "units"
            ]
        );
        assert_eq!(
            (&value["period"], &value["from"], &value["to"]),
            (
                &serde_json::json!("h1"),
                &serde_json::json!("2018-01-01"),
                &serde_json::json!("2018-06-30")
            )
        );
        let unit = &value["units"][0];
        assert_eq!(
            unit["by_channel"],
            serde_json::json!({"web": 14, "bao-phu-tho": 7})
        );
        assert_eq!(unit["last_item"], "2018-06-30");
        assert_eq!(unit["days_since_last"], 0);
        assert_eq!(unit["quiet"], false);
        let never = &value["units"][1];
        assert_eq!(never["last_item"], serde_json::Value::Null);
        assert_eq!(never["quiet"], true);
        assert_eq!(value["province"]["by_channel"]["web"], 21);
        // The year's JSON stays the exact shape of SPEC §6.
        let year: serde_json::Value = serde_json::from_str(&json(&sample()).unwrap()).unwrap();
        assert!(year["units"][0].get("by_channel").is_none());
        assert!(year.get("period").is_none());
    }
}
