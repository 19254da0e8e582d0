//! Dates as staff write them, read in the site's fixed UTC offset, and shown in Vietnamese.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};

/// Vietnam's offset, UTC+7 (the default `timezone`).
pub const VIETNAM: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+7 is a valid offset"),
};

/// Parses `+07:00`, `-05:30`, `+0700` or `Z`.
pub fn parse_offset(text: &str) -> Option<FixedOffset> {
    let text = text.trim();
    if text == "Z" || text.eq_ignore_ascii_case("utc") {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = digits[2..].parse().ok()?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// The years a date may have: a four-digit year, so that every page address
/// (`/tin-bai/YYYY/…`) and every sort stays right (`0001-01-01` once made `/tin-bai/1/`).
pub const YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

/// Why a written date was refused, with the ready answer when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateError {
    pub message: String,
    pub hint: Option<String>,
}

/// The forms of SPEC §3.1: `2018-03-05`, `2018-03-05 08:30` (seconds optional, `T` allowed),
/// and RFC 3339 with an offset or `Z`. A date without offset is in the site timezone; the
/// result is always expressed in the site timezone. The year must be in [`YEARS`].
pub fn parse_date(text: &str, tz: FixedOffset) -> Result<DateTime<FixedOffset>, DateError> {
    let date = parse_any_year(text, tz)?;
    if !YEARS.contains(&date.year()) {
        return Err(DateError {
            message: format!(
                "năm {} của ngày `{}` không hợp lệ",
                date.year(),
                text.trim()
            ),
            hint: Some("năm phải có bốn chữ số, ví dụ `2026-11-30`".into()),
        });
    }
    Ok(date)
}

fn parse_any_year(text: &str, tz: FixedOffset) -> Result<DateTime<FixedOffset>, DateError> {
    let text = text.trim();
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(text) {
        return Ok(with_offset.with_timezone(&tz));
    }
    // Near-RFC 3339 forms people also write: `+0700`, a space for `T`, no seconds.
    let with_offset = [
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%d %H:%M:%S%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M%z",
    ]
    .iter()
    .find_map(|format| DateTime::parse_from_str(text, format).ok());
    if let Some(date) = with_offset {
        return Ok(date.with_timezone(&tz));
    }
    let naive = if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        day.and_hms_opt(0, 0, 0)
    } else {
        [
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%dT%H:%M:%S",
        ]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    };
    let naive = naive.ok_or_else(|| DateError {
        message: format!("ngày `{text}` không đúng dạng năm-tháng-ngày"),
        hint: Some(match day_first(text) {
            Some(answer) => format!("ghi `{answer}`"),
            None => "viết `2018-03-05`, `2018-03-05 08:30` hoặc `2018-03-05T08:30:00+07:00`".into(),
        }),
    })?;
    tz.from_local_datetime(&naive)
        .single()
        .ok_or_else(|| DateError {
            message: format!("ngày `{text}` không tồn tại"),
            hint: None,
        })
}

/// `30/11/2026`, `30-11-2026`, `30.11.2026` (and a time after it), the Vietnamese order, as
/// the date datto reads: `2026-11-30` (or `2026-11-30 08:30`).
fn day_first(text: &str) -> Option<String> {
    let (day_part, time) = match text.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (text, None),
    };
    let parts: Vec<&str> = day_part.split(['/', '-', '.']).collect();
    let [d, m, y] = parts.as_slice() else {
        return None;
    };
    let (d, m, y): (u32, u32, i32) = (d.parse().ok()?, m.parse().ok()?, y.parse().ok()?);
    if !YEARS.contains(&y) {
        return None;
    }
    let day = NaiveDate::from_ymd_opt(y, m, d)?;
    let mut answer = day.format("%Y-%m-%d").to_string();
    if let Some(time) = time.filter(|t| !t.is_empty()) {
        answer.push(' ');
        answer.push_str(time);
    }
    Some(answer)
}

/// Parses a `--as-of` style calendar day.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

pub fn weekday_vi(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Thứ Hai",
        Weekday::Tue => "Thứ Ba",
        Weekday::Wed => "Thứ Tư",
        Weekday::Thu => "Thứ Năm",
        Weekday::Fri => "Thứ Sáu",
        Weekday::Sat => "Thứ Bảy",
        Weekday::Sun => "Chủ Nhật",
    }
}

/// "Thứ Hai, 05/03/2018".
pub fn format_vi(date: &DateTime<FixedOffset>) -> String {
    format!(
        "{}, {:02}/{:02}/{}",
        weekday_vi(date.weekday()),
        date.day(),
        date.month(),
        date.year()
    )
}

/// The build's "now": `SOURCE_DATE_EPOCH` when set (reproducible builds), else the clock.
pub fn now() -> Result<DateTime<Utc>, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(value) => {
            let seconds: i64 = value
                .trim()
                .parse()
                .map_err(|_| format!("SOURCE_DATE_EPOCH=`{value}` không phải số giây"))?;
            DateTime::from_timestamp(seconds, 0)
                .ok_or_else(|| format!("SOURCE_DATE_EPOCH=`{value}` nằm ngoài khoảng hợp lệ"))
        }
        Err(_) => Ok(Utc::now()),
    }
}

/// Number of days in a calendar year (365 or 366).
pub fn days_in_year(year: i32) -> u32 {
    if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn tz7() -> FixedOffset {
        parse_offset("+07:00").unwrap()
    }

    #[test]
    fn offsets() {
        let cases = [
            ("+07:00", Some(7 * 3600)),
            ("+0700", Some(7 * 3600)),
            ("-05:30", Some(-(5 * 3600 + 30 * 60))),
            ("Z", Some(0)),
            ("07:00", None),
            ("+7", None),
            ("+25:00", None),
        ];
        for (text, seconds) in cases {
            assert_eq!(
                parse_offset(text).map(|o| o.local_minus_utc()),
                seconds,
                "{text}"
            );
        }
    }

    #[test]
    fn every_date_form() {
        // (input, expected local date-time in +07:00)
        let cases = [
            ("2018-03-05", "2018-03-05 00:00:00"),
            ("2018-03-05 08:30", "2018-03-05 08:30:00"),
            ("2018-03-05 08:30:15", "2018-03-05 08:30:15"),
            ("2018-03-05T08:30", "2018-03-05 08:30:00"),
            ("2018-03-05T08:30:00+07:00", "2018-03-05 08:30:00"),
            ("2018-03-05T01:30:00Z", "2018-03-05 08:30:00"),
            ("2018-03-05T08:30:00+09:00", "2018-03-05 06:30:00"),
            ("2018-03-05T08:30:00+0700", "2018-03-05 08:30:00"),
            ("2018-03-05 08:30:00+07:00", "2018-03-05 08:30:00"),
            ("2018-03-05 01:30+00:00", "2018-03-05 08:30:00"),
            (" 2018-03-05 ", "2018-03-05 00:00:00"),
        ];
        for (input, expected) in cases {
            let parsed = parse_date(input, tz7()).unwrap_or_else(|e| panic!("{input}: {e:?}"));
            assert_eq!(
                parsed.format("%Y-%m-%d %H:%M:%S").to_string(),
                expected,
                "{input}"
            );
            assert_eq!(parsed.offset().local_minus_utc(), 7 * 3600);
        }
    }

    #[test]
    fn bad_dates_are_errors() {
        for input in [
            "05/03/2018",
            "2018-02-30",
            "2018-3-5x",
            "hôm qua",
            "",
            "2018-03-05 25:00",
            "0001-01-01",
            "0999-12-31",
            "10000-01-01",
        ] {
            assert!(parse_date(input, tz7()).is_err(), "{input:?} should fail");
        }
        assert!(parse_date("1000-01-01", tz7()).is_ok());
        assert!(parse_date("9999-12-31", tz7()).is_ok());
    }

    #[test]
    fn day_first_dates_get_the_ready_answer() {
        // (as written, the hint's answer)
        let cases = [
            ("30/11/2026", Some("ghi `2026-11-30`")),
            ("5/3/2018", Some("ghi `2018-03-05`")),
            ("05-03-2018 08:30", Some("ghi `2018-03-05 08:30`")),
            ("30.11.2026", Some("ghi `2026-11-30`")),
            ("31/02/2026", None),
            ("hôm qua", None),
        ];
        for (input, answer) in cases {
            let error = parse_date(input, tz7()).unwrap_err();
            let hint = error.hint.unwrap_or_default();
            match answer {
                Some(answer) => assert_eq!(hint, answer, "{input}"),
                None => assert!(hint.contains("2018-03-05"), "{input}: {hint}"),
            }
        }
        let year = parse_date("0001-01-01", tz7()).unwrap_err();
        assert!(year.message.contains("năm 1 "), "{year:?}");
    }

    #[test]
    fn timezone_boundary_both_ways() {
        let late_utc = parse_date("2017-12-31T20:00:00Z", tz7()).unwrap();
        assert_eq!(
            (late_utc.year(), late_utc.month(), late_utc.day()),
            (2018, 1, 1)
        );
        assert_eq!(late_utc.hour(), 3);
        let early_utc = parse_date("2018-01-01T06:59:59+07:00", tz7()).unwrap();
        assert_eq!(early_utc.year(), 2018);
        let before = parse_date("2017-12-31T16:59:59Z", tz7()).unwrap();
        assert_eq!(before.year(), 2017);
        // A naive midnight is the site's midnight, not UTC's.
        let naive = parse_date("2018-01-01", tz7()).unwrap();
        assert_eq!(naive.with_timezone(&Utc).year(), 2017);
    }

    #[test]
    fn vietnamese_format() {
        let date = parse_date("2018-03-05", tz7()).unwrap();
        assert_eq!(format_vi(&date), "Thứ Hai, 05/03/2018");
        let sunday = parse_date("2026-11-29", tz7()).unwrap();
        assert_eq!(format_vi(&sunday), "Chủ Nhật, 29/11/2026");
    }

    #[test]
    fn leap_years() {
        assert_eq!(days_in_year(2024), 366);
        assert_eq!(days_in_year(2100), 365);
        assert_eq!(days_in_year(2000), 366);
        assert_eq!(days_in_year(2026), 365);
    }
}
