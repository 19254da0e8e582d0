//! Tallies of the publicity targets (SPEC §6): pure functions from loaded items to counts.
//!
//! Counted: news items (never profiles or pages) that are not drafts, dated at or before the
//! end of `as_of` in the site timezone, in the calendar year of their date in that timezone.
//! The CLI, the pages and the downloads all call [`tally`].

pub mod format;
pub mod period;
pub mod xlsx;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::model::config::{Config, KindId};
use crate::model::content::{Item, ItemType, Profile};
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
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
mod tests;
