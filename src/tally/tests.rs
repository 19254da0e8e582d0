//! Counting rules of SPEC §6 and §13 on hand-made items.
use super::*;
use crate::base::dates::parse_date;
use crate::model::config::tests::sample;
use crate::model::config::{ChannelId, UnitId};
use crate::model::content::Source;

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
            text_hash: 0,
        },
        title: "T".into(),
        date: parse_date(date, config.timezone).unwrap(),
        unit: UnitId(unit),
        kind,
        tags: vec![],
        written_summary: String::new(),
        image: None,
        author: None,
        channel: ChannelId(0),
        source_url: None,
        draft: false,
        scheduled: false,
        date_line: 1,
        featured: Default::default(),
        slug: "x".into(),
        extra: serde_json::Value::Null,
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
        written_summary: String::new(),
        image: None,
        draft: false,
        slug: "p".into(),
        extra: serde_json::Value::Null,
    };
    let profiles = [profile(2019), profile(2020), profile(2021)];
    let progress = kind_progress(&config, &profiles);
    assert_eq!(progress.len(), 1, "only kinds with a target");
    assert_eq!(
        (progress[0].count, progress[0].target, progress[0].met),
        (2, 30, false)
    );
    // Beside one item of 2020, the three profiles (of 2019–2021) add nothing to the count.
    let items = [item("2020-05-04", 0, ItemType::Tin)];
    let t = tally(&config, &items, 2020, day("2020-12-31"));
    assert_eq!((t.province.count, t.units[0].counts.count), (1, 1));
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
