//! Tallies of the publicity targets (SPEC §6): pure functions from loaded items to counts.
//!
//! Counted: news items (never profiles or pages) that are not drafts, dated at or before the
//! end of `as_of` in the site timezone, in the calendar year of their date in that timezone.
//! The CLI, the pages and the downloads all call [`tally`].

pub mod chart;
pub mod cli;
pub mod format;
pub mod period;
pub mod xlsx;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::config::{Config, KindId};
use crate::content::{Item, ItemType, Profile};
pub use cli::{Format, Request, command};
pub use period::{Period, PeriodError};

/// Units without an item in this many days are "quiet" unless `--quiet-days` says otherwise.
pub const QUIET_DAYS: u32 = 30;

/// Counts for one unit or the whole province.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Counts {
    pub count: u32,
    pub tin: u32,
    pub bai: u32,
    /// The yearly target, pro rata for a shorter period ([`Period::target`]).
    pub target: u32,
    /// ⌊target × days of the period up to as_of ÷ days of the period⌋: where a unit on
    /// pace would be today (for a year: ⌊target × day-of-year ÷ days-in-year⌋).
    pub expected_by_now: u32,
    pub met: bool,
    /// Items per channel, in `site.yaml` order (`web` first). Not in the year JSON of §6.
    #[serde(skip)]
    pub by_channel: Vec<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct UnitTally {
    pub slug: String,
    pub name: String,
    #[serde(flatten)]
    pub counts: Counts,
    /// Items per month, January first.
    pub by_month: [u32; 12],
    /// The unit's latest counted item at or before `as_of`, in any year.
    #[serde(skip)]
    pub last_item: Option<NaiveDate>,
}

/// The shape printed by `datto tally --format json` and served as `/thong-ke/YYYY.json`.
/// Serialized, it is exactly SPEC §6's year shape; the other fields are written by
/// [`format::json`] for periods other than a year, and used by the pages and the workbook.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Tally {
    pub year: i32,
    #[serde(serialize_with = "iso_day")]
    pub as_of: NaiveDate,
    pub province: Counts,
    pub units: Vec<UnitTally>,
    #[serde(skip)]
    pub period: Period,
    /// `(slug, name)` of every channel, in the order of `by_channel`.
    #[serde(skip)]
    pub channels: Vec<(String, String)>,
    /// A unit without an item in this many days before `as_of` is quiet.
    #[serde(skip)]
    pub quiet_days: u32,
}

fn iso_day<S: serde::Serializer>(day: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&day.format("%Y-%m-%d"))
}

impl Counts {
    fn new(yearly: u32, period: &Period, as_of: NaiveDate, channels: usize) -> Counts {
        let target = period.target(yearly);
        Counts {
            count: 0,
            tin: 0,
            bai: 0,
            target,
            expected_by_now: period.expected_by(target, as_of),
            met: target == 0,
            by_channel: vec![0; channels],
        }
    }

    fn add(&mut self, item: &Item) {
        self.count += 1;
        match item.kind {
            ItemType::Tin => self.tin += 1,
            ItemType::Bai => self.bai += 1,
        }
        if let Some(n) = self.by_channel.get_mut(item.channel.0) {
            *n += 1;
        }
        self.met = self.count >= self.target;
    }

    /// At or above where a steady pace would be by `as_of`.
    pub fn on_pace(&self) -> bool {
        self.count >= self.expected_by_now
    }
}

impl UnitTally {
    /// Days from the unit's last item to `as_of`; `None` when it has none.
    pub fn days_since_last(&self, as_of: NaiveDate) -> Option<i64> {
        self.last_item.map(|d| (as_of - d).num_days())
    }
}

impl Tally {
    /// Days since the unit's last item, `None` for a unit that never published.
    pub fn days_since_last(&self, unit: &UnitTally) -> Option<i64> {
        unit.days_since_last(self.as_of)
    }

    /// No item in the `quiet_days` days up to and including `as_of` (or none ever).
    pub fn is_quiet(&self, unit: &UnitTally) -> bool {
        self.days_since_last(unit)
            .is_none_or(|d| d >= i64::from(self.quiet_days))
    }

    /// Units that are quiet, in `site.yaml` order.
    pub fn quiet_units(&self) -> impl Iterator<Item = &UnitTally> {
        self.units.iter().filter(|u| self.is_quiet(u))
    }
}

/// The `as_of` a tally of `year` reports: 31 December for a year already over.
pub fn effective_as_of(year: i32, as_of: NaiveDate) -> NaiveDate {
    Period::year(year).as_of(as_of)
}

/// ⌊target × day-of-year ÷ days-in-year⌋; zero before the year has started.
pub fn expected_by(target: u32, as_of: NaiveDate, year: i32) -> u32 {
    Period::year(year).expected_by(target, as_of)
}

/// Counts `items` for `year` as of the end of `as_of` (SPEC §6).
pub fn tally<'a>(
    config: &Config,
    items: impl IntoIterator<Item = &'a Item>,
    year: i32,
    as_of: NaiveDate,
) -> Tally {
    tally_period(config, items, Period::year(year), as_of, QUIET_DAYS)
}

/// The day an item counts on: its calendar day in the site timezone (dates are held in it).
fn local_day(item: &Item) -> NaiveDate {
    item.date.date_naive()
}

/// Whether `item` counts in `period` as of the end of `as_of`.
pub fn counts_in(item: &Item, period: &Period, as_of: NaiveDate) -> bool {
    let day = local_day(item);
    !item.draft && period.contains(day) && day <= as_of
}

/// Counts `items` for `period` as of the end of `as_of` (SPEC §6 and §13): targets pro
/// rata to the period, each unit's last item (in any year) up to `as_of`.
pub fn tally_period<'a>(
    config: &Config,
    items: impl IntoIterator<Item = &'a Item>,
    period: Period,
    as_of: NaiveDate,
    quiet_days: u32,
) -> Tally {
    let as_of = period.as_of(as_of);
    let channels = config.channels.len();
    let mut province = Counts::new(config.province_target, &period, as_of, channels);
    let mut units: Vec<UnitTally> = config
        .units
        .iter()
        .map(|u| UnitTally {
            slug: u.slug.clone(),
            name: u.name.clone(),
            counts: Counts::new(u.target, &period, as_of, channels),
            by_month: [0; 12],
            last_item: None,
        })
        .collect();
    for item in items {
        let day = local_day(item);
        if item.draft || day > as_of {
            continue;
        }
        let Some(unit) = units.get_mut(item.unit.0) else {
            continue;
        };
        if unit.last_item.is_none_or(|last| day > last) {
            unit.last_item = Some(day);
        }
        if !period.contains(day) {
            continue;
        }
        unit.counts.add(item);
        unit.by_month[day.month0() as usize] += 1;
        province.add(item);
    }
    Tally {
        year: period.year,
        as_of,
        province,
        units,
        period,
        channels: config
            .channels
            .iter()
            .map(|c| (c.slug.clone(), c.name.clone()))
            .collect(),
        quiet_days,
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

    fn period_counts(items: &[Item], name: &str, year: i32, as_of: &str) -> Tally {
        let period = Period::named(name, year).unwrap();
        tally_period(&sample(), items, period, day(as_of), QUIET_DAYS)
    }

    #[test]
    fn halves_split_at_midnight_local_time() {
        let items = [
            item("2018-06-30T23:59:00+07:00", 0, ItemType::Tin),
            item("2018-07-01 00:00", 1, ItemType::Tin),
            // 17:00 UTC on 30 June is 00:00 on 1 July here.
            item("2018-06-30T17:00:00Z", 1, ItemType::Bai),
        ];
        let h1 = period_counts(&items, "h1", 2018, "2018-12-31");
        let h2 = period_counts(&items, "h2", 2018, "2018-12-31");
        let counts = |t: &Tally| t.units.iter().map(|u| u.counts.count).collect::<Vec<_>>();
        assert_eq!(counts(&h1), [1, 0, 0]);
        assert_eq!(counts(&h2), [0, 2, 0]);
        assert_eq!((h1.as_of, h2.as_of), (day("2018-06-30"), day("2018-12-31")));
        assert_eq!(h1.units[0].by_month[5], 1);
        assert_eq!(h2.units[1].by_month[6], 2);
    }

    #[test]
    fn period_targets_are_pro_rata() {
        let h1 = period_counts(&[], "h1", 2018, "2018-12-31");
        let targets: Vec<u32> = h1.units.iter().map(|u| u.counts.target).collect();
        assert_eq!(
            targets,
            [10, 10, 15],
            "20 → 10 and the override 30 → 14.88 → 15"
        );
        assert_eq!(h1.province.target, 149);
        assert_eq!(h1.province.expected_by_now, 149, "the half is over");
        // Half-way through q3 2018 (day 46 of 92), a quarter target of 5 expects 2.
        let q3 = period_counts(&[], "q3", 2018, "2018-08-15");
        assert_eq!(
            (
                q3.units[0].counts.target,
                q3.units[0].counts.expected_by_now
            ),
            (5, 2)
        );
        // A leap year's first quarter has 91 days of 366.
        let q1 = period_counts(&[], "q1", 2020, "2020-12-31");
        assert_eq!(q1.province.target, 75);
    }

    #[test]
    fn channels_per_unit_and_province() {
        let mut paper = item("2018-03-05", 0, ItemType::Tin);
        paper.channel = ChannelId(1);
        let items = [
            paper,
            item("2018-03-06", 0, ItemType::Tin),
            item("2018-03-07", 2, ItemType::Bai),
        ];
        let t = tally(&sample(), &items, 2018, day("2018-12-31"));
        assert_eq!(
            t.channels,
            [
                ("web".to_string(), "Trang web".to_string()),
                ("bao-phu-tho".to_string(), "Báo Phú Thọ".to_string())
            ]
        );
        assert_eq!(t.units[0].counts.by_channel, [1, 1]);
        assert_eq!(t.units[1].counts.by_channel, [0, 0]);
        assert_eq!(t.units[2].counts.by_channel, [1, 0]);
        assert_eq!(t.province.by_channel, [2, 1]);
        // An item elsewhere counts toward the target like any other.
        assert_eq!(t.units[0].counts.count, 2);
    }

    #[test]
    fn last_item_and_quiet_units() {
        let items = [
            item("2017-11-20", 0, ItemType::Tin), // last year still counts as "last item"
            item("2018-05-02", 1, ItemType::Tin),
            item("2018-06-01", 1, ItemType::Tin),
            item("2018-06-20", 1, ItemType::Tin), // after as_of: not seen yet
        ];
        let t = tally(&sample(), &items, 2018, day("2018-06-10"));
        let last: Vec<Option<NaiveDate>> = t.units.iter().map(|u| u.last_item).collect();
        assert_eq!(
            last,
            [Some(day("2017-11-20")), Some(day("2018-06-01")), None]
        );
        assert_eq!(t.days_since_last(&t.units[1]), Some(9));
        let quiet: Vec<&str> = t.quiet_units().map(|u| u.slug.as_str()).collect();
        assert_eq!(quiet, ["viet-tri", "co-quan-tinh"]);
        // The threshold: an item exactly `quiet_days` days before `as_of` is not recent.
        let at = |as_of: &str, quiet: u32| {
            let t = tally_period(&sample(), &items, Period::year(2018), day(as_of), quiet);
            (t.days_since_last(&t.units[1]), t.is_quiet(&t.units[1]))
        };
        assert_eq!(
            at("2018-07-01", 30),
            (Some(11), false),
            "the 20 June item is seen"
        );
        assert_eq!(at("2018-07-19", 30), (Some(29), false));
        assert_eq!(at("2018-07-20", 30), (Some(30), true));
        assert_eq!(at("2018-07-20", 31), (Some(30), false));
        assert_eq!(at("2018-06-20", 1), (Some(0), false), "same day");
        assert_eq!(at("2018-06-21", 1), (Some(1), true));
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
