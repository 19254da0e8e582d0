//! The workbook of SPEC §13 (`datto tally --format xlsx`, `/thong-ke/YYYY.xlsx`): five sheets
//! made from one [`Tally`] and the items it counted. Numbers are numbers and dates are dates
//! (not text), so the union's staff can sum and filter them; every total is written as a
//! value equal to the JSON. Each sheet prints on A4 landscape, one page wide, header row
//! repeated, and keeps its header row frozen on screen.

use anyhow::Context as _;
use chrono::NaiveDate;
use rust_xlsxwriter::{
    Color, DocProperties, Format, FormatAlign, FormatBorder, Url, Workbook, Worksheet,
};

use super::period::Span;
use super::{Counts, KindProgress, Tally, counts_in};
use crate::model::config::Config;
use crate::model::content::{Item, ItemType};

/// Sheet names, in order.
pub const SHEETS: [&str; 5] = [
    "Tổng hợp",
    "Theo tháng",
    "Theo kênh",
    "Mô hình",
    "Danh sách",
];

/// Excel refuses more hyperlinks than this in one sheet; past it URLs are written as text.
const MAX_LINKS: usize = 65_000;
/// Paper size 9 is A4 in the OOXML numbering.
const A4: u8 = 9;

struct Styles {
    header: Format,
    text: Format,
    number: Format,
    date: Format,
    province_text: Format,
    province_number: Format,
    note: Format,
    link: Format,
    wrapped: Format,
}

impl Styles {
    fn new() -> Styles {
        let border = |f: Format| f.set_border(FormatBorder::Thin).set_border_color("#9A9A9A");
        let header = border(
            Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xF3E3E8)),
        );
        let text = border(Format::new());
        let number = border(Format::new().set_num_format("0"));
        let date = border(Format::new().set_num_format("dd/mm/yyyy"));
        let province = |f: Format| {
            f.set_bold()
                .set_background_color(Color::RGB(0xFFF2CC))
                .set_border_top(FormatBorder::Medium)
        };
        Styles {
            province_text: province(text.clone()),
            province_number: province(number.clone()),
            header,
            wrapped: text.clone().set_text_wrap(),
            text,
            number,
            date,
            note: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x555555)),
            link: border(
                Format::new()
                    .set_font_color(Color::RGB(0x1F4E9E))
                    .set_underline(rust_xlsxwriter::FormatUnderline::Single),
            ),
        }
    }
}

/// Common page setup: A4 landscape, one page wide, header row frozen and repeated.
fn setup(sheet: &mut Worksheet, name: &str, title: &str, widths: &[f64]) -> anyhow::Result<()> {
    sheet.set_name(name)?;
    sheet.set_paper_size(A4);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_print_center_horizontally(true);
    sheet.set_freeze_panes(1, 0)?;
    sheet.set_repeat_rows(0, 0)?;
    // `&` starts a control code in page headers.
    sheet.set_header(format!("&C&\"-,Bold\"{}", title.replace('&', "&&")));
    sheet.set_footer("&CTrang &P/&N");
    sheet.set_row_height(0, 32)?;
    for (col, width) in widths.iter().enumerate() {
        sheet.set_column_width(col as u16, *width)?;
    }
    Ok(())
}

fn headers(sheet: &mut Worksheet, styles: &Styles, names: &[&str]) -> anyhow::Result<()> {
    for (col, name) in names.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *name, &styles.header)?;
    }
    Ok(())
}

fn status(c: &Counts) -> &'static str {
    if c.met {
        "Đã đạt"
    } else if c.on_pace() {
        "Đúng tiến độ"
    } else {
        "Chậm tiến độ"
    }
}

/// The months a period touches (0-based), for the month sheet.
fn months(tally: &Tally) -> std::ops::RangeInclusive<usize> {
    use chrono::Datelike;
    match tally.period.span {
        Span::Year => 0..=11,
        _ => tally.period.from.month0() as usize..=tally.period.to.month0() as usize,
    }
}

/// What the list sheet shows of one item: `serve` re-makes a workbook only when this (or
/// the tally) changed, not for every edit of an item's text.
pub fn listed_fields(item: &Item, h: &mut impl std::hash::Hasher) {
    use std::hash::Hash;
    (
        item.date,
        item.unit,
        item.kind,
        item.channel,
        &item.title,
        &item.slug,
    )
        .hash(h);
}

/// The workbook of `tally`; `items` are the site's items (those the tally counted are listed).
pub fn workbook<'a>(
    config: &Config,
    tally: &Tally,
    kinds: &[KindProgress],
    items: impl IntoIterator<Item = &'a Item>,
) -> anyhow::Result<Vec<u8>> {
    let styles = Styles::new();
    let title = format!(
        "{} — chỉ tiêu tin bài {} (đến hết ngày {})",
        config.title,
        tally.period.label(),
        tally.as_of.format("%d/%m/%Y")
    );
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(&title)
            .set_author(config.title.as_str())
            .set_creation_datetime(&tally.as_of),
    );
    summary(book.add_worksheet(), &styles, tally, &title)?;
    by_month(book.add_worksheet(), &styles, tally, &title)?;
    by_channel(book.add_worksheet(), &styles, tally, &title)?;
    profile_kinds(book.add_worksheet(), &styles, kinds, &title)?;
    let mut counted: Vec<&Item> = items
        .into_iter()
        .filter(|i| counts_in(i, &tally.period, tally.as_of))
        .collect();
    counted.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.title.cmp(&b.title)));
    list(book.add_worksheet(), &styles, config, &counted, &title)?;
    book.save_to_buffer().context("không tạo được tệp Excel")
}

fn summary(
    sheet: &mut Worksheet,
    styles: &Styles,
    tally: &Tally,
    title: &str,
) -> anyhow::Result<()> {
    setup(
        sheet,
        SHEETS[0],
        title,
        &[14.0, 30.0, 7.0, 7.0, 8.0, 9.0, 10.0, 14.0, 12.0, 11.0, 9.0],
    )?;
    headers(
        sheet,
        styles,
        &[
            "Mã đơn vị",
            "Đơn vị",
            "Tin",
            "Bài",
            "Tổng",
            "Chỉ tiêu",
            "Cần có đến nay",
            "Đánh giá",
            "Tin gần nhất",
            "Số ngày từ tin gần nhất",
            "Im lặng",
        ],
    )?;
    let counts = |sheet: &mut Worksheet, row: u32, c: &Counts, f: &Format| -> anyhow::Result<()> {
        for (col, n) in [c.tin, c.bai, c.count, c.target, c.expected_by_now]
            .into_iter()
            .enumerate()
        {
            sheet.write_number_with_format(row, 2 + col as u16, n, f)?;
        }
        Ok(())
    };
    let mut row = 1;
    for unit in &tally.units {
        sheet.write_string_with_format(row, 0, &unit.slug, &styles.text)?;
        sheet.write_string_with_format(row, 1, &unit.name, &styles.text)?;
        counts(sheet, row, &unit.counts, &styles.number)?;
        sheet.write_string_with_format(row, 7, status(&unit.counts), &styles.text)?;
        match (unit.last_item, tally.days_since_last(unit)) {
            (Some(day), Some(days)) => {
                sheet.write_datetime_with_format(row, 8, day, &styles.date)?;
                sheet.write_number_with_format(row, 9, days as f64, &styles.number)?;
            }
            _ => {
                sheet.write_string_with_format(row, 8, "chưa có", &styles.text)?;
                sheet.write_blank(row, 9, &styles.number)?;
            }
        }
        let quiet = if tally.is_quiet(unit) { "Có" } else { "" };
        sheet.write_string_with_format(row, 10, quiet, &styles.text)?;
        row += 1;
    }
    sheet.write_string_with_format(row, 0, "province", &styles.province_text)?;
    sheet.write_string_with_format(row, 1, "Toàn tỉnh", &styles.province_text)?;
    counts(sheet, row, &tally.province, &styles.province_number)?;
    sheet.write_string_with_format(row, 7, status(&tally.province), &styles.province_text)?;
    for col in 8..=10 {
        sheet.write_blank(row, col, &styles.province_text)?;
    }
    let notes = [
        format!(
            "Kỳ báo cáo: {} ({} – {}); số liệu tính đến hết ngày {}.",
            tally.period.label(),
            tally.period.from.format("%d/%m/%Y"),
            tally.period.to.format("%d/%m/%Y"),
            tally.as_of.format("%d/%m/%Y")
        ),
        "Chỉ tiêu của kỳ = chỉ tiêu năm × số ngày của kỳ ÷ số ngày của năm, làm tròn đến số nguyên gần nhất.".into(),
        "Cần có đến nay = chỉ tiêu của kỳ × số ngày đã qua của kỳ ÷ số ngày của kỳ, làm tròn xuống.".into(),
        format!(
            "Im lặng: không có tin bài nào trong {} ngày tính đến hết ngày {}.",
            tally.quiet_days,
            tally.as_of.format("%d/%m/%Y")
        ),
    ];
    for (i, note) in notes.iter().enumerate() {
        sheet.write_string_with_format(row + 2 + i as u32, 0, note, &styles.note)?;
    }
    Ok(())
}

fn by_month(
    sheet: &mut Worksheet,
    styles: &Styles,
    tally: &Tally,
    title: &str,
) -> anyhow::Result<()> {
    let months = months(tally);
    let mut widths = vec![14.0, 30.0];
    widths.extend(months.clone().map(|_| 6.0));
    widths.push(8.0);
    setup(sheet, SHEETS[1], title, &widths)?;
    let mut names = vec!["Mã đơn vị".to_string(), "Đơn vị".to_string()];
    names.extend(months.clone().map(|m| format!("T{}", m + 1)));
    names.push("Tổng".into());
    headers(
        sheet,
        styles,
        &names.iter().map(String::as_str).collect::<Vec<_>>(),
    )?;
    let mut totals = [0u32; 12];
    let mut row = 1;
    let total_col = 2 + months.clone().count() as u16;
    for unit in &tally.units {
        sheet.write_string_with_format(row, 0, &unit.slug, &styles.text)?;
        sheet.write_string_with_format(row, 1, &unit.name, &styles.text)?;
        for (col, m) in months.clone().enumerate() {
            sheet.write_number_with_format(
                row,
                2 + col as u16,
                unit.by_month[m],
                &styles.number,
            )?;
            totals[m] += unit.by_month[m];
        }
        sheet.write_number_with_format(row, total_col, unit.counts.count, &styles.number)?;
        row += 1;
    }
    sheet.write_string_with_format(row, 0, "province", &styles.province_text)?;
    sheet.write_string_with_format(row, 1, "Toàn tỉnh", &styles.province_text)?;
    for (col, m) in months.enumerate() {
        sheet.write_number_with_format(row, 2 + col as u16, totals[m], &styles.province_number)?;
    }
    sheet.write_number_with_format(
        row,
        total_col,
        tally.province.count,
        &styles.province_number,
    )?;
    Ok(())
}

fn by_channel(
    sheet: &mut Worksheet,
    styles: &Styles,
    tally: &Tally,
    title: &str,
) -> anyhow::Result<()> {
    let mut widths = vec![14.0, 30.0];
    widths.extend(tally.channels.iter().map(|_| 14.0));
    widths.push(8.0);
    setup(sheet, SHEETS[2], title, &widths)?;
    let mut names = vec!["Mã đơn vị", "Đơn vị"];
    names.extend(tally.channels.iter().map(|(_, name)| name.as_str()));
    names.push("Tổng");
    headers(sheet, styles, &names)?;
    let total_col = 2 + tally.channels.len() as u16;
    let write = |sheet: &mut Worksheet,
                 row: u32,
                 slug: &str,
                 name: &str,
                 c: &Counts,
                 text: &Format,
                 number: &Format|
     -> anyhow::Result<()> {
        sheet.write_string_with_format(row, 0, slug, text)?;
        sheet.write_string_with_format(row, 1, name, text)?;
        for (col, n) in c.by_channel.iter().enumerate() {
            sheet.write_number_with_format(row, 2 + col as u16, *n, number)?;
        }
        sheet.write_number_with_format(row, total_col, c.count, number)?;
        Ok(())
    };
    let mut row = 1;
    for unit in &tally.units {
        write(
            sheet,
            row,
            &unit.slug,
            &unit.name,
            &unit.counts,
            &styles.text,
            &styles.number,
        )?;
        row += 1;
    }
    write(
        sheet,
        row,
        "province",
        "Toàn tỉnh",
        &tally.province,
        &styles.province_text,
        &styles.province_number,
    )?;
    // The channel slugs, for whoever matches the sheet with the JSON's `by_channel`.
    let slugs: Vec<&str> = tally.channels.iter().map(|(s, _)| s.as_str()).collect();
    sheet.write_string_with_format(
        row + 2,
        0,
        format!("Mã kênh theo thứ tự cột: {}", slugs.join(", ")),
        &styles.note,
    )?;
    Ok(())
}

fn profile_kinds(
    sheet: &mut Worksheet,
    styles: &Styles,
    kinds: &[KindProgress],
    title: &str,
) -> anyhow::Result<()> {
    setup(
        sheet,
        SHEETS[3],
        title,
        &[22.0, 34.0, 12.0, 10.0, 10.0, 12.0],
    )?;
    headers(
        sheet,
        styles,
        &[
            "Mã loại",
            "Loại mô hình",
            "Số mô hình",
            "Chỉ tiêu",
            "Đến năm",
            "Đánh giá",
        ],
    )?;
    for (i, kind) in kinds.iter().enumerate() {
        let row = 1 + i as u32;
        sheet.write_string_with_format(row, 0, &kind.slug, &styles.text)?;
        sheet.write_string_with_format(row, 1, &kind.name, &styles.text)?;
        sheet.write_number_with_format(row, 2, kind.count, &styles.number)?;
        sheet.write_number_with_format(row, 3, kind.target, &styles.number)?;
        sheet.write_number_with_format(row, 4, kind.by, &styles.number)?;
        let met = if kind.met {
            "Đã đạt"
        } else {
            "Chưa đạt"
        };
        sheet.write_string_with_format(row, 5, met, &styles.text)?;
    }
    if kinds.is_empty() {
        sheet.write_string_with_format(
            1,
            0,
            "Chưa có loại mô hình nào có chỉ tiêu trong site.yaml.",
            &styles.note,
        )?;
    }
    Ok(())
}

fn list(
    sheet: &mut Worksheet,
    styles: &Styles,
    config: &Config,
    items: &[&Item],
    title: &str,
) -> anyhow::Result<()> {
    setup(
        sheet,
        SHEETS[4],
        title,
        &[12.0, 24.0, 6.0, 26.0, 50.0, 72.0],
    )?;
    headers(
        sheet,
        styles,
        &["Ngày", "Đơn vị", "Loại", "Kênh", "Tiêu đề", "Địa chỉ"],
    )?;
    sheet.autofilter(0, 0, items.len() as u32, 5)?;
    for (i, item) in items.iter().enumerate() {
        let row = 1 + i as u32;
        let day: NaiveDate = item.date.date_naive();
        sheet.write_datetime_with_format(row, 0, day, &styles.date)?;
        sheet.write_string_with_format(row, 1, &config.unit(item.unit).name, &styles.text)?;
        let kind = match item.kind {
            ItemType::Tin => "Tin",
            ItemType::Bai => "Bài",
        };
        sheet.write_string_with_format(row, 2, kind, &styles.text)?;
        sheet.write_string_with_format(row, 3, &config.channel(item.channel).name, &styles.text)?;
        sheet.write_string_with_format(row, 4, &item.title, &styles.wrapped)?;
        let url = config.base_url.absolute(&item.path());
        if i < MAX_LINKS {
            sheet.write_url_with_format(row, 5, Url::new(url), &styles.link)?;
        } else {
            sheet.write_string_with_format(row, 5, url, &styles.text)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::config::tests::sample;
    use crate::tally::{Period, tally_period};

    #[test]
    fn same_tally_same_bytes() {
        let config = sample();
        let as_of = NaiveDate::from_ymd_opt(2018, 7, 2).unwrap();
        let make = |name: &str| {
            let period = Period::named(name, 2018).unwrap();
            let tally = tally_period(&config, &[] as &[Item], period, as_of, 30);
            workbook(&config, &tally, &[], &[] as &[Item]).unwrap()
        };
        let h1 = make("h1");
        assert!(h1.starts_with(b"PK\x03\x04"), "an OOXML zip");
        assert_eq!(h1, make("h1"), "no clock in the file");
        assert_ne!(h1, make("q3"), "the period is in it");
    }

    #[test]
    fn months_of_a_period() {
        let config = sample();
        let as_of = NaiveDate::from_ymd_opt(2018, 12, 31).unwrap();
        let of = |period: Period| months(&tally_period(&config, &[] as &[Item], period, as_of, 30));
        assert_eq!(of(Period::year(2018)), 0..=11);
        assert_eq!(of(Period::named("q3", 2018).unwrap()), 6..=8);
        let range = Period::range(
            NaiveDate::from_ymd_opt(2018, 2, 15).unwrap(),
            NaiveDate::from_ymd_opt(2018, 4, 1).unwrap(),
        )
        .unwrap();
        assert_eq!(of(range), 1..=3);
    }
}
