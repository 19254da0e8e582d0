//! Dates as staff write them, read in the site's fixed UTC offset, and shown in Vietnamese.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc, Weekday};

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

/// The forms of SPEC §3.1: `2018-03-05`, `2018-03-05 08:30` (seconds optional, `T` allowed),
/// and RFC 3339 with an offset or `Z`. A date without offset is in the site timezone; the
/// result is always expressed in the site timezone.
pub fn parse_date(text: &str, tz: FixedOffset) -> Result<DateTime<FixedOffset>, String> {
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
    let naive = naive.ok_or_else(|| {
        format!("ngày `{text}` không đúng dạng; viết `2018-03-05`, `2018-03-05 08:30` hoặc `2018-03-05T08:30:00+07:00`")
    })?;
    tz.from_local_datetime(&naive)
        .single()
        .ok_or_else(|| format!("ngày `{text}` không tồn tại"))
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
            let parsed = parse_date(input, tz7()).unwrap_or_else(|e| panic!("{input}: {e}"));
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
        ] {
            assert!(parse_date(input, tz7()).is_err(), "{input:?} should fail");
        }
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
