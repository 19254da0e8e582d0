//! Reporting periods (SPEC §13): a year, a quarter, a half or a range of days, always inside
//! one calendar year of the site timezone, and the pro-rata targets that go with them.
//!
//! Items carry their date in the site timezone, so "30/6 23:59+07:00 is in h1" is a
//! comparison of local calendar days; nothing here looks at UTC.

use chrono::{Datelike, NaiveDate};

use crate::base::dates::days_in_year;

/// Which part of the year a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Span {
    Year,
    /// 1–4.
    Quarter(u8),
    /// 1–2.
    Half(u8),
    /// `--from`/`--to`.
    Range,
}

/// A span of whole days, `from` and `to` included, within `year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub span: Span,
    pub year: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Why a period could not be made; the CLI words these for staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodError {
    /// `--from` after `--to`.
    Reversed,
    /// `--from` and `--to` in different years: targets are yearly, so a report is too.
    CrossesYears,
}

fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    // Only called with valid month/day pairs for years chrono supports.
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or(NaiveDate::MIN)
}

fn last_of_month(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 {
        ymd(year + 1, 1, 1)
    } else {
        ymd(year, month + 1, 1)
    };
    next.pred_opt().unwrap_or(next)
}

impl Period {
    pub fn year(year: i32) -> Period {
        Period {
            span: Span::Year,
            year,
            from: ymd(year, 1, 1),
            to: ymd(year, 12, 31),
        }
    }

    /// Quarter `q` (1–4) of `year`; `None` for another number.
    pub fn quarter(year: i32, q: u8) -> Option<Period> {
        if !(1..=4).contains(&q) {
            return None;
        }
        let first = u32::from(q) * 3 - 2;
        Some(Period {
            span: Span::Quarter(q),
            year,
            from: ymd(year, first, 1),
            to: last_of_month(year, first + 2),
        })
    }

    /// Half `h` (1–2) of `year`.
    pub fn half(year: i32, h: u8) -> Option<Period> {
        if !(1..=2).contains(&h) {
            return None;
        }
        let first = u32::from(h) * 6 - 5;
        Some(Period {
            span: Span::Half(h),
            year,
            from: ymd(year, first, 1),
            to: last_of_month(year, first + 5),
        })
    }

    /// `from`..=`to`, both in one year.
    pub fn range(from: NaiveDate, to: NaiveDate) -> Result<Period, PeriodError> {
        if from > to {
            return Err(PeriodError::Reversed);
        }
        if from.year() != to.year() {
            return Err(PeriodError::CrossesYears);
        }
        Ok(Period {
            span: Span::Range,
            year: from.year(),
            from,
            to,
        })
    }

    /// `year`, `q1`…`q4`, `h1`, `h2` (as typed after `--period`), or `None`.
    pub fn named(name: &str, year: i32) -> Option<Period> {
        let name = name.trim().to_ascii_lowercase();
        let digit = || name.get(1..).and_then(|d| d.parse::<u8>().ok());
        match name.as_bytes().first() {
            _ if name == "year" => Some(Period::year(year)),
            Some(b'q') => Period::quarter(year, digit()?),
            Some(b'h') => Period::half(year, digit()?),
            _ => None,
        }
    }

    pub fn is_year(&self) -> bool {
        self.span == Span::Year
    }

    /// `year`, `q1`, `h2`, `range`: the `period` key of the JSON.
    pub fn key(&self) -> String {
        match self.span {
            Span::Year => "year".into(),
            Span::Quarter(q) => format!("q{q}"),
            Span::Half(h) => format!("h{h}"),
            Span::Range => "range".into(),
        }
    }

    /// "năm 2018", "quý II năm 2018", "6 tháng đầu năm 2018", "từ 01/03/2018 đến 31/05/2018".
    pub fn label(&self) -> String {
        const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];
        match self.span {
            Span::Year => format!("năm {}", self.year),
            Span::Quarter(q) => format!("quý {} năm {}", ROMAN[usize::from(q - 1)], self.year),
            Span::Half(1) => format!("6 tháng đầu năm {}", self.year),
            Span::Half(_) => format!("6 tháng cuối năm {}", self.year),
            Span::Range => format!(
                "từ {} đến {}",
                self.from.format("%d/%m/%Y"),
                self.to.format("%d/%m/%Y")
            ),
        }
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    /// Days in the period, both ends included.
    pub fn days(&self) -> u32 {
        (self.to - self.from).num_days() as u32 + 1
    }

    /// Days of the period up to the end of `as_of`: 0 before it starts, all after it ends.
    pub fn days_elapsed(&self, as_of: NaiveDate) -> u32 {
        if as_of < self.from {
            0
        } else if as_of >= self.to {
            self.days()
        } else {
            (as_of - self.from).num_days() as u32 + 1
        }
    }

    /// The `as_of` a report of this period shows: the period's last day once it is over.
    pub fn as_of(&self, as_of: NaiveDate) -> NaiveDate {
        as_of.min(self.to)
    }

    /// A yearly target for this period: target × days ÷ days in the year, rounded to the
    /// nearest whole item (halves up). So 20 a year is 10 for h1 (181 days: 9.92) and 10 for
    /// h2 (184 days: 10.08), 5 for each quarter; the two halves of 300 are 149 and 151.
    pub fn target(&self, yearly: u32) -> u32 {
        if self.is_year() {
            return yearly;
        }
        let year_days = u64::from(days_in_year(self.year));
        ((2 * u64::from(yearly) * u64::from(self.days()) + year_days) / (2 * year_days)) as u32
    }

    /// ⌊period target × days elapsed ÷ days in the period⌋: for a year this is SPEC §6's
    /// ⌊target × day of year ÷ days in the year⌋.
    pub fn expected_by(&self, target: u32, as_of: NaiveDate) -> u32 {
        (u64::from(target) * u64::from(self.days_elapsed(as_of)) / u64::from(self.days())) as u32
    }
}

/// Counts per quarter from counts per month.
pub fn by_quarter(by_month: &[u32; 12]) -> [u32; 4] {
    let mut quarters = [0; 4];
    for (month, n) in by_month.iter().enumerate() {
        quarters[month / 3] += n;
    }
    quarters
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::dates::parse_date;
    use chrono::FixedOffset;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// The local calendar day of a front-matter date in +07:00, as the tally sees it.
    fn local_day(text: &str) -> NaiveDate {
        let tz = FixedOffset::east_opt(7 * 3600).unwrap();
        parse_date(text, tz).unwrap().date_naive()
    }

    #[test]
    fn named_periods_and_their_bounds() {
        let cases = [
            ("year", 2018, "2018-01-01", "2018-12-31", 365),
            ("q1", 2018, "2018-01-01", "2018-03-31", 90),
            ("q1", 2020, "2020-01-01", "2020-03-31", 91), // leap year: 29 February
            ("Q2", 2018, "2018-04-01", "2018-06-30", 91),
            ("q3", 2018, "2018-07-01", "2018-09-30", 92),
            ("q4", 2018, "2018-10-01", "2018-12-31", 92),
            ("h1", 2018, "2018-01-01", "2018-06-30", 181),
            ("h1", 2024, "2024-01-01", "2024-06-30", 182),
            ("h2", 2018, "2018-07-01", "2018-12-31", 184),
        ];
        for (name, year, from, to, days) in cases {
            let p = Period::named(name, year).unwrap();
            assert_eq!(
                (p.from, p.to, p.days()),
                (day(from), day(to), days),
                "{name}"
            );
        }
        for bad in ["q5", "q0", "h3", "q", "quarter", "x1", "q12", ""] {
            assert_eq!(Period::named(bad, 2018), None, "{bad}");
        }
    }

    #[test]
    fn boundaries_in_the_site_timezone() {
        let h1 = Period::named("h1", 2018).unwrap();
        let h2 = Period::named("h2", 2018).unwrap();
        let q2 = Period::named("q2", 2018).unwrap();
        let q3 = Period::named("q3", 2018).unwrap();
        // 30/6 23:59 local is in h1 and q2.
        for text in [
            "2018-06-30 23:59",
            "2018-06-30T23:59:00+07:00",
            "2018-06-30T16:59:59Z",
        ] {
            let d = local_day(text);
            assert!(h1.contains(d) && q2.contains(d), "{text}");
            assert!(!h2.contains(d) && !q3.contains(d), "{text}");
        }
        // 1/7 00:00 local is in h2 and q3, although it is still 30/6 in UTC.
        for text in [
            "2018-07-01 00:00",
            "2018-07-01T00:00:00+07:00",
            "2018-06-30T17:00:00Z",
        ] {
            let d = local_day(text);
            assert!(h2.contains(d) && q3.contains(d), "{text}");
            assert!(!h1.contains(d) && !q2.contains(d), "{text}");
        }
        // 31/3 and 1/4 around the first quarter's end; 29/2 of a leap year is in q1.
        let q1 = Period::named("q1", 2020).unwrap();
        assert!(q1.contains(local_day("2020-02-29T23:00:00+07:00")));
        assert!(q1.contains(local_day("2020-03-31T16:59:00Z")));
        assert!(!q1.contains(local_day("2020-03-31T17:00:00Z")));
    }

    #[test]
    fn ranges() {
        let p = Period::range(day("2018-03-01"), day("2018-05-31")).unwrap();
        assert_eq!((p.year, p.days(), p.key()), (2018, 92, "range".to_string()));
        assert_eq!(p.label(), "từ 01/03/2018 đến 31/05/2018");
        assert!(Period::range(day("2018-03-01"), day("2018-03-01")).is_ok());
        assert_eq!(
            Period::range(day("2018-05-01"), day("2018-03-01")),
            Err(PeriodError::Reversed)
        );
        assert_eq!(
            Period::range(day("2018-12-01"), day("2019-01-31")),
            Err(PeriodError::CrossesYears)
        );
    }

    #[test]
    fn pro_rata_targets() {
        let cases = [
            ("year", 2018, 20, 20),
            ("year", 2018, 300, 300),
            ("h1", 2018, 20, 10),   // 20 × 181 / 365 = 9.92
            ("h2", 2018, 20, 10),   // 20 × 184 / 365 = 10.08
            ("h1", 2018, 300, 149), // 148.77
            ("h2", 2018, 300, 151), // 151.23
            ("q1", 2018, 20, 5),    // 4.93
            ("q3", 2018, 20, 5),    // 5.04
            ("q1", 2018, 300, 74),  // 73.97
            ("q4", 2018, 300, 76),  // 75.62
            ("q1", 2020, 300, 75),  // 91 / 366: 74.59
            ("h1", 2020, 30, 15),   // 182 / 366: 14.92
        ];
        for (name, year, yearly, expected) in cases {
            let p = Period::named(name, year).unwrap();
            assert_eq!(p.target(yearly), expected, "{name} {year} {yearly}");
        }
        // Exactly half rounds up: 1 a year over 182.5 days cannot happen, but 2 × 1 / 2 can.
        let one_day = Period::range(day("2018-01-01"), day("2018-01-01")).unwrap();
        assert_eq!(one_day.target(365), 1);
        assert_eq!(one_day.target(182), 0); // 0.4986
        assert_eq!(one_day.target(183), 1); // 0.5014
    }

    #[test]
    fn expected_by_now_within_the_period() {
        let h1 = Period::named("h1", 2018).unwrap();
        let target = h1.target(20); // 10
        let cases = [
            ("2017-12-31", 0),  // not begun
            ("2018-01-01", 0),  // 10 × 1 / 181
            ("2018-03-31", 4),  // day 90: 4.97
            ("2018-06-30", 10), // all of it
            ("2018-09-01", 10), // over
        ];
        for (as_of, expected) in cases {
            assert_eq!(h1.expected_by(target, day(as_of)), expected, "{as_of}");
        }
        // For a year it is SPEC §6's formula.
        let year = Period::year(2020);
        assert_eq!(year.expected_by(300, day("2020-02-29")), 49);
        assert_eq!(year.expected_by(20, day("2020-12-31")), 20);
        assert_eq!(year.as_of(day("2021-03-01")), day("2020-12-31"));
        assert_eq!(h1.as_of(day("2018-05-01")), day("2018-05-01"));
    }

    #[test]
    fn labels() {
        let cases = [
            ("year", "năm 2018"),
            ("q2", "quý II năm 2018"),
            ("q4", "quý IV năm 2018"),
            ("h1", "6 tháng đầu năm 2018"),
            ("h2", "6 tháng cuối năm 2018"),
        ];
        for (name, label) in cases {
            assert_eq!(Period::named(name, 2018).unwrap().label(), label);
        }
    }

    #[test]
    fn quarters_from_months() {
        let months = [1, 2, 3, 0, 0, 1, 5, 0, 0, 0, 0, 9];
        assert_eq!(by_quarter(&months), [6, 1, 5, 9]);
    }
}
