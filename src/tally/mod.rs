//! Tallies of the publicity targets (SPEC §6): pure functions from loaded items to counts.
//!
//! Counted: news items (never profiles or pages) that are not drafts, dated at or before the
//! end of `as_of` in the site timezone, in the calendar year of their date in that timezone.
//! The CLI, the pages and the downloads all call [`tally`].

pub mod chart;
pub mod format;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::config::{Config, KindId};
use crate::content::{Item, ItemType, Profile};
use crate::dates::days_in_year;

/// Counts for one unit or the whole province.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub count: u32,
    pub tin: u32,
    pub bai: u32,
    pub target: u32,
    /// ⌊target × day-of-year(as_of) ÷ days-in-year⌋: where a unit on pace would be today.
    pub expected_by_now: u32,
    pub met: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitTally {
    pub slug: String,
    pub name: String,
    #[serde(flatten)]
    pub counts: Counts,
    /// Items per month, January first.
    pub by_month: [u32; 12],
}

/// The shape printed by `datto tally --format json` and served as `/thong-ke/YYYY.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub year: i32,
    #[serde(serialize_with = "iso_day")]
    pub as_of: NaiveDate,
    pub province: Counts,
    pub units: Vec<UnitTally>,
}

fn iso_day<S: serde::Serializer>(day: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&day.format("%Y-%m-%d"))
}

impl Counts {
    fn new(target: u32, as_of: NaiveDate, year: i32) -> Counts {
        Counts {
            count: 0,
            tin: 0,
            bai: 0,
            target,
            expected_by_now: expected_by(target, as_of, year),
            met: false,
        }
    }

    fn add(&mut self, kind: ItemType) {
        self.count += 1;
        match kind {
            ItemType::Tin => self.tin += 1,
            ItemType::Bai => self.bai += 1,
        }
        self.met = self.count >= self.target;
    }

    /// At or above where a steady pace would be by `as_of`.
    pub fn on_pace(&self) -> bool {
        self.count >= self.expected_by_now
    }
}

/// The `as_of` a tally of `year` reports: 31 December for a year already over.
pub fn effective_as_of(year: i32, as_of: NaiveDate) -> NaiveDate {
    if year < as_of.year() {
        NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(as_of)
    } else {
        as_of
    }
}

/// ⌊target × day-of-year ÷ days-in-year⌋; zero before the year has started.
pub fn expected_by(target: u32, as_of: NaiveDate, year: i32) -> u32 {
    if as_of.year() < year {
        return 0;
    }
    let as_of = effective_as_of(year, as_of);
    let day = u64::from(as_of.ordinal());
    (u64::from(target) * day / u64::from(days_in_year(year))) as u32
}

/// Counts `items` for `year` as of the end of `as_of` (SPEC §6).
pub fn tally<'a>(
    config: &Config,
    items: impl IntoIterator<Item = &'a Item>,
    year: i32,
    as_of: NaiveDate,
) -> Tally {
    let as_of = effective_as_of(year, as_of);
    let mut province = Counts::new(config.province_target, as_of, year);
    let mut units: Vec<UnitTally> = config
        .units
        .iter()
        .map(|u| UnitTally {
            slug: u.slug.clone(),
            name: u.name.clone(),
            counts: Counts::new(u.target, as_of, year),
            by_month: [0; 12],
        })
        .collect();
    for item in items {
        // Dates are held in the site timezone, so the local calendar day is the one that counts.
        let day = item.date.date_naive();
        if item.draft || day.year() != year || day > as_of {
            continue;
        }
        let unit = &mut units[item.unit.0];
        unit.counts.add(item.kind);
        unit.by_month[day.month0() as usize] += 1;
        province.add(item.kind);
    }
    Tally {
        year,
        as_of,
        province,
        units,
    }
}

/// Years that have at least one countable item, ascending.
pub fn years_with_items<'a>(items: impl IntoIterator<Item = &'a Item>) -> Vec<i32> {
    let mut years: Vec<i32> = items
        .into_iter()
        .filter(|i| !i.draft)
        .map(|i| i.date.year())
        .collect();
    years.sort_unstable();
    years.dedup();
    years
}

/// Progress of a profile kind with a target: profiles of that kind with `year ≤ by`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KindProgress {
    pub slug: String,
    pub name: String,
    pub count: u32,
    pub target: u32,
    pub by: i32,
    pub met: bool,
}

pub fn kind_progress<'a>(
    config: &Config,
    profiles: impl IntoIterator<Item = &'a Profile> + Clone,
) -> Vec<KindProgress> {
    config
        .profile_kinds
        .iter()
        .enumerate()
        .filter_map(|(k, kind)| {
            let target = kind.target?;
            let count = profiles
                .clone()
                .into_iter()
                .filter(|p| {
                    !p.draft && p.kind == KindId(k) && p.year.is_some_and(|y| y <= target.by)
                })
                .count() as u32;
            Some(KindProgress {
                slug: kind.slug.clone(),
                name: kind.name.clone(),
                count,
                target: target.count,
                by: target.by,
                met: count >= target.count,
            })
        })
        .collect()
}

/// Output formats of `datto tally`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Json,
    Markdown,
}

/// `datto tally`: loads and validates the site like `build` (every content error is
/// reported, no partial tally), then prints the tally of `year` at `as_of`.
/// `year` and `as_of` are as typed on the command line; bad values are usage errors.
pub fn command(
    root: &std::path::Path,
    now: chrono::DateTime<chrono::Utc>,
    year: Option<&str>,
    as_of: Option<&str>,
    format: Format,
) -> Result<String, crate::Error> {
    use crate::Error;
    let as_of_day = match as_of {
        Some(text) => Some(crate::dates::parse_day(text).ok_or_else(|| {
            Error::Usage(format!(
                "--as-of `{text}` không hợp lệ: viết dạng YYYY-MM-DD, ví dụ 2018-12-31"
            ))
        })?),
        None => None,
    };
    let year = match year {
        Some(text) => Some(
            text.trim()
                .parse::<i32>()
                .ok()
                .filter(|y| (1900..=9999).contains(y))
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--year `{text}` không hợp lệ: viết năm bốn chữ số, ví dụ 2018"
                    ))
                })?,
        ),
        None => None,
    };
    let options = crate::site::LoadOptions {
        drafts: false,
        future: false,
        now,
        base_url: None,
    };
    let site = crate::site::Site::load(root, &options)?;
    let as_of = as_of_day.unwrap_or_else(|| site.as_of());
    let year = year.unwrap_or(as_of.year());
    let result = tally(&site.config, site.counted_items(), year, as_of);
    Ok(match format {
        Format::Table => format::table(&result),
        Format::Csv => format::csv(&result),
        Format::Json => format::json(&result),
        Format::Markdown => format::markdown(&result),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tests::sample;
    use crate::config::{ChannelId, UnitId};
    use crate::content::Source;
    use crate::dates::parse_date;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn item(date: &str, unit: usize, kind: ItemType) -> Item {
        let config = sample();
        Item {
            source: Source {
                shown: "x".into(),
                rel: "tin-bai/x.md".into(),
                body: Default::default(),
                body_line: 1,
                version: 0,
                fingerprint: 0,
            },
            title: "T".into(),
            date: parse_date(date, config.timezone).unwrap(),
            unit: UnitId(unit),
            kind,
            tags: vec![],
            summary: String::new(),
            summary_is_auto: false,
            image: None,
            author: None,
            channel: ChannelId(0),
            source_url: None,
            draft: false,
            scheduled: false,
            date_line: 1,
            slug: "x".into(),
            extra: serde_json::Value::Null,
            html: String::new(),
        }
    }

    fn count_of(items: &[Item], year: i32, as_of: &str) -> Vec<u32> {
        tally(&sample(), items, year, day(as_of))
            .units
            .iter()
            .map(|u| u.counts.count)
            .collect()
    }

    #[test]
    fn timezone_boundary_counts_in_the_local_year() {
        // 20:00 UTC on 31 Dec is 03:00 on 1 Jan in +07:00.
        let items = [item("2017-12-31T20:00:00Z", 0, ItemType::Tin)];
        assert_eq!(count_of(&items, 2018, "2018-12-31"), [1, 0, 0]);
        assert_eq!(count_of(&items, 2017, "2018-12-31"), [0, 0, 0]);
        // And the other way: 1 Jan 06:59 in +07:00 is still 31 Dec in UTC, but 2018 here.
        let items = [item("2018-01-01T06:59:00+07:00", 1, ItemType::Tin)];
        assert_eq!(count_of(&items, 2018, "2018-12-31"), [0, 1, 0]);
        // 16:59:59 UTC on 31 Dec 2018 is 23:59:59 local: still 2018.
        let items = [item("2018-12-31T16:59:59Z", 1, ItemType::Tin)];
        assert_eq!(count_of(&items, 2018, "2018-12-31"), [0, 1, 0]);
        assert_eq!(count_of(&items, 2019, "2019-12-31"), [0, 0, 0]);
    }

    #[test]
    fn drafts_never_count() {
        let mut draft = item("2018-03-05", 0, ItemType::Tin);
        draft.draft = true;
        assert_eq!(count_of(&[draft], 2018, "2018-12-31"), [0, 0, 0]);
    }

    #[test]
    fn scheduled_items_count_only_once_their_day_has_come() {
        let items = [item("2018-06-10 09:00", 0, ItemType::Tin)];
        assert_eq!(count_of(&items, 2018, "2018-06-09"), [0, 0, 0]);
        // `as_of` means the end of that day.
        assert_eq!(count_of(&items, 2018, "2018-06-10"), [1, 0, 0]);
    }

    #[test]
    fn profiles_are_never_items() {
        // Tallies take items only: a profile cannot even be passed in. Kind targets count
        // profiles separately, with `year <= by`.
        let config = sample();
        let profile = |year| Profile {
            source: item("2018-01-01", 0, ItemType::Tin).source,
            title: "P".into(),
            unit: UnitId(0),
            kind: KindId(0),
            year: Some(year),
            commune: None,
            criteria: vec![],
            summary: String::new(),
            summary_is_auto: false,
            image: None,
            draft: false,
            slug: "p".into(),
            extra: serde_json::Value::Null,
            html: String::new(),
        };
        let profiles = [profile(2019), profile(2020), profile(2021)];
        let progress = kind_progress(&config, &profiles);
        assert_eq!(progress.len(), 1, "only kinds with a target");
        assert_eq!(
            (progress[0].count, progress[0].target, progress[0].met),
            (2, 30, false)
        );
        let t = tally(&config, &[] as &[Item], 2020, day("2020-12-31"));
        assert_eq!(t.province.count, 0);
    }

    #[test]
    fn unit_target_override_and_met() {
        let items: Vec<Item> = (0..20)
            .map(|d| item(&format!("2018-02-{:02}", d + 1), 0, ItemType::Bai))
            .chain((0..20).map(|d| item(&format!("2018-03-{:02}", d + 1), 2, ItemType::Tin)))
            .collect();
        let t = tally(&sample(), &items, 2018, day("2018-12-31"));
        assert_eq!(
            (t.units[0].counts.target, t.units[0].counts.met),
            (20, true)
        );
        assert_eq!(
            (t.units[2].counts.target, t.units[2].counts.met),
            (30, false),
            "override of 30"
        );
        assert_eq!((t.units[0].counts.bai, t.units[0].counts.tin), (20, 0));
        assert_eq!(t.units[0].by_month[1], 20);
        assert_eq!(t.units[2].by_month[2], 20);
        assert_eq!(
            (
                t.province.count,
                t.province.tin,
                t.province.bai,
                t.province.target
            ),
            (40, 20, 20, 300)
        );
    }

    #[test]
    fn expected_by_now_on_key_days() {
        let cases = [
            (20, "2018-01-01", 2018, 0),  // 20 × 1 / 365
            (300, "2018-01-01", 2018, 0), // 300 × 1 / 365
            (20, "2018-12-31", 2018, 20), // 365 / 365
            (300, "2018-12-31", 2018, 300),
            (20, "2020-02-29", 2020, 3),   // 20 × 60 / 366 = 3.27
            (300, "2020-02-29", 2020, 49), // 300 × 60 / 366 = 49.18
            (20, "2020-12-31", 2020, 20),  // 366 / 366
            (20, "2018-07-02", 2018, 10),  // day 183: 20 × 183 / 365 = 10.03
            (20, "2019-03-01", 2018, 20),  // a past year is judged at its 31 December
            (20, "2017-06-01", 2018, 0),   // a year not yet begun
        ];
        for (target, as_of, year, expected) in cases {
            assert_eq!(
                expected_by(target, day(as_of), year),
                expected,
                "{target} {as_of} {year}"
            );
        }
    }

    #[test]
    fn past_year_reports_31_december() {
        let t = tally(&sample(), &[] as &[Item], 2018, day("2019-05-05"));
        assert_eq!(t.as_of, day("2018-12-31"));
        let t = tally(&sample(), &[] as &[Item], 2019, day("2019-05-05"));
        assert_eq!(t.as_of, day("2019-05-05"));
    }

    #[test]
    fn a_year_without_items_lists_every_unit_at_zero() {
        let items = [item("2018-03-05", 0, ItemType::Tin)];
        let t = tally(&sample(), &items, 2015, day("2015-12-31"));
        assert_eq!(t.units.len(), 3);
        assert!(
            t.units
                .iter()
                .all(|u| u.counts.count == 0 && u.by_month == [0; 12] && !u.counts.met)
        );
        assert_eq!(
            t.units.iter().map(|u| u.slug.as_str()).collect::<Vec<_>>(),
            ["viet-tri", "doan-hung", "co-quan-tinh"]
        );
    }

    #[test]
    fn json_shape() {
        let items = [
            item("2018-03-05", 0, ItemType::Tin),
            item("2018-04-05", 0, ItemType::Bai),
        ];
        let t = tally(&sample(), &items, 2018, day("2018-12-31"));
        let json = serde_json::to_value(&t).unwrap();
        let keys: Vec<&String> = json.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["year", "as_of", "province", "units"]);
        assert_eq!(json["as_of"], "2018-12-31");
        let unit: Vec<&String> = json["units"][0].as_object().unwrap().keys().collect();
        assert_eq!(
            unit,
            [
                "slug",
                "name",
                "count",
                "tin",
                "bai",
                "target",
                "expected_by_now",
                "met",
                "by_month"
            ]
        );
        assert_eq!(
            json["units"][0]["by_month"],
            serde_json::json!([0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0])
        );
        let province: Vec<&String> = json["province"].as_object().unwrap().keys().collect();
        assert_eq!(
            province,
            ["count", "tin", "bai", "target", "expected_by_now", "met"]
        );
    }

    #[test]
    fn years_with_items_sorted_unique() {
        let items = [
            item("2019-01-01", 0, ItemType::Tin),
            item("2017-01-01", 0, ItemType::Tin),
            item("2019-05-01", 1, ItemType::Tin),
        ];
        assert_eq!(years_with_items(&items), [2017, 2019]);
    }
}
