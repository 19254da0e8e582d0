//! `featured:` on a news item (SPEC §3.1): staff choose the home page's lead story and its
//! secondary headlines, for good (`true`) or until a date. Which featured items the home page
//! shows is decided in [`crate::render::select`].

use chrono::{DateTime, Days, FixedOffset, NaiveDate};

use crate::base::dates::parse_date;

/// Whether, and until when, an item is one the staff chose for the home page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Featured {
    #[default]
    No,
    /// `featured: true`: until someone removes the line.
    Always,
    /// Featured before this moment. `featured: 2026-12-10` lasts the whole of 10/12, so the
    /// moment kept is the start of the next day.
    Until(DateTime<FixedOffset>),
}

impl Featured {
    /// Reads the value as written; the error is a message and a hint, in Vietnamese.
    pub fn parse(text: &str, tz: FixedOffset) -> Result<Featured, (String, String)> {
        let text = text.trim();
        match text {
            "true" => return Ok(Featured::Always),
            "false" | "" => return Ok(Featured::No),
            _ => {}
        }
        let hint = || {
            "viết `featured: true`, hoặc ngày hết nổi bật, ví dụ `featured: 2026-12-31`".to_string()
        };
        let Ok(moment) = parse_date(text, tz) else {
            return Err((format!("`featured` `{text}` không hợp lệ"), hint()));
        };
        if NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() {
            return moment
                .checked_add_days(Days::new(1))
                .map(Featured::Until)
                .ok_or_else(|| (format!("ngày `{text}` quá xa"), hint()));
        }
        Ok(Featured::Until(moment))
    }

    /// True when the item is featured at `now` (the build moment).
    pub fn active_at(self, now: DateTime<FixedOffset>) -> bool {
        match self {
            Featured::No => false,
            Featured::Always => true,
            Featured::Until(end) => now < end,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tz() -> FixedOffset {
        FixedOffset::east_opt(7 * 3600).unwrap()
    }

    fn at(text: &str) -> DateTime<FixedOffset> {
        parse_date(text, tz()).unwrap()
    }

    #[test]
    fn values_and_expiry() {
        let cases = [
            ("true", "2030-01-01", true),
            ("false", "2000-01-01", false),
            ("2026-12-10", "2026-12-10 23:59", true),
            ("2026-12-10", "2026-12-11", false),
            ("2026-12-10 12:00", "2026-12-10 11:59", true),
            ("2026-12-10 12:00", "2026-12-10 12:00", false),
        ];
        for (value, now, expected) in cases {
            let featured = Featured::parse(value, tz()).unwrap();
            assert_eq!(featured.active_at(at(now)), expected, "{value} at {now}");
        }
    }

    #[test]
    fn bad_values_say_what_to_write() {
        for bad in ["có", "10/12/2026", "yes"] {
            let (message, hint) = Featured::parse(bad, tz()).unwrap_err();
            assert!(message.contains(bad), "{message}");
            assert!(hint.contains("featured: true"), "{hint}");
        }
    }
}
