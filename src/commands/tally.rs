//! `datto tally`: reads the command line's values, loads the site like `build` (every content
//! error is reported, no partial tally) and prints or writes one report.

use std::path::Path;

use chrono::{Datelike, NaiveDate};

use crate::Error;
use crate::tally::{Period, PeriodError, QUIET_DAYS, format, tally_period, xlsx};

/// Output formats of `datto tally`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    Markdown,
    /// A workbook, written to `--output` (never to a terminal).
    Xlsx,
}

/// The options of `datto tally`, as typed: bad values are usage errors (exit 2).
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    pub year: Option<&'a str>,
    pub as_of: Option<&'a str>,
    pub period: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub quiet_days: Option<&'a str>,
    pub output: Option<&'a Path>,
}

fn usage(message: String) -> Error {
    Error::Usage(message)
}

fn day_arg(flag: &str, text: Option<&str>) -> Result<Option<NaiveDate>, Error> {
    text.map(|text| {
        crate::base::dates::parse_day(text).ok_or_else(|| {
            usage(format!(
                "{flag} `{text}` không hợp lệ: viết dạng YYYY-MM-DD, ví dụ 2018-12-31"
            ))
        })
    })
    .transpose()
}

fn year_arg(text: Option<&str>) -> Result<Option<i32>, Error> {
    text.map(|text| {
        text.trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=9999).contains(y))
            .ok_or_else(|| {
                usage(format!(
                    "--year `{text}` không hợp lệ: viết năm bốn chữ số, ví dụ 2018"
                ))
            })
    })
    .transpose()
}

/// The period asked for; `default_year` is the year of `as_of`.
fn period_arg(request: &Request, default_year: i32) -> Result<Period, Error> {
    let year = year_arg(request.year)?;
    let from = day_arg("--from", request.from)?;
    let to = day_arg("--to", request.to)?;
    if request.period.is_some() && (from.is_some() || to.is_some()) {
        return Err(usage(
            "dùng --period hoặc --from/--to, không dùng cả hai".into(),
        ));
    }
    if let Some(name) = request.period {
        let year = year.unwrap_or(default_year);
        return Period::named(name, year).ok_or_else(|| {
            usage(format!(
                "--period `{name}` không hợp lệ: dùng q1, q2, q3, q4 (quý), h1, h2 (6 tháng) hoặc year (cả năm)"
            ))
        });
    }
    if from.is_none() && to.is_none() {
        return Ok(Period::year(year.unwrap_or(default_year)));
    }
    // One end alone runs to the start or the end of its year.
    let year_of = |d: NaiveDate| d.year();
    let from_day = from.or_else(|| to.and_then(|t| NaiveDate::from_ymd_opt(year_of(t), 1, 1)));
    let to_day = to.or_else(|| from.and_then(|f| NaiveDate::from_ymd_opt(year_of(f), 12, 31)));
    let (Some(from_day), Some(to_day)) = (from_day, to_day) else {
        return Err(usage("--from/--to không hợp lệ".into()));
    };
    let period = Period::range(from_day, to_day).map_err(|e| match e {
        PeriodError::Reversed => usage(format!(
            "--from {} sau --to {}: ngày bắt đầu phải trước ngày kết thúc",
            from_day.format("%d/%m/%Y"),
            to_day.format("%d/%m/%Y")
        )),
        PeriodError::CrossesYears => usage(format!(
            "--from {} và --to {} thuộc hai năm khác nhau: chỉ tiêu tính theo năm, hãy chạy mỗi năm một lệnh",
            from_day.format("%d/%m/%Y"),
            to_day.format("%d/%m/%Y")
        )),
    })?;
    if year.is_some_and(|y| y != period.year) {
        return Err(usage(format!(
            "--year khác năm của --from/--to ({}): bỏ --year đi",
            period.year
        )));
    }
    Ok(period)
}

fn quiet_arg(text: Option<&str>) -> Result<u32, Error> {
    match text {
        None => Ok(QUIET_DAYS),
        Some(text) => text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=3660).contains(n))
            .ok_or_else(|| {
                usage(format!(
                    "--quiet-days `{text}` không hợp lệ: viết số ngày, ví dụ 30"
                ))
            }),
    }
}

/// Runs `datto tally`: returns what to print (for xlsx, one line naming the file written).
pub fn command(
    root: &Path,
    now: chrono::DateTime<chrono::Utc>,
    request: &Request,
    format: Format,
) -> Result<String, Error> {
    // Every command-line value is checked before the site is loaded.
    let as_of_day = day_arg("--as-of", request.as_of)?;
    let quiet_days = quiet_arg(request.quiet_days)?;
    year_arg(request.year)?;
    day_arg("--from", request.from)?;
    day_arg("--to", request.to)?;
    if format == Format::Xlsx && request.output.is_none() {
        return Err(usage(
            "--format xlsx cần --output TỆP, ví dụ --output bao-cao-6-thang.xlsx".into(),
        ));
    }
    if format != Format::Xlsx && request.output.is_some() {
        return Err(usage("--output chỉ dùng với --format xlsx".into()));
    }
    let options = crate::model::site::LoadOptions {
        drafts: false,
        future: false,
        now,
        base_url: None,
        preview: true,
    };
    let site = crate::assemble::load(root, &options)?;
    let as_of = as_of_day.unwrap_or_else(|| site.as_of());
    let period = period_arg(request, as_of.year())?;
    let result = tally_period(
        &site.config,
        site.counted_items(),
        period,
        as_of,
        quiet_days,
    );
    Ok(match format {
        Format::Table => format::table(&result),
        Format::Csv => format::csv(&result),
        Format::Json => format::json(&result).map_err(|e| Error::Internal(e.into()))?,
        Format::Markdown => format::markdown(&result),
        Format::Xlsx => {
            let path = request.output.unwrap_or(Path::new("bao-cao.xlsx"));
            let kinds =
                crate::tally::kind_progress(&site.config, site.profiles.iter().map(|p| &p.doc));
            let bytes = xlsx::workbook(&site.config, &result, &kinds, site.counted_items())
                .map_err(Error::Internal)?;
            crate::emit::write_atomic(path, &bytes).map_err(Error::Internal)?;
            format!("Đã ghi {}\n", path.display())
        }
    })
}
