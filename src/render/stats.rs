//! Tally pages (`/thong-ke/…`), their downloads, and the progress boxes of the home and
//! unit pages. All numbers come from [`crate::tally::tally`], as in `datto tally`.

use serde::Serialize;
use std::borrow::Cow;

use super::chart;
use super::{Renderer, Show};
use crate::base::diagnostics::Error;
use crate::base::layout::Section;
use crate::model::config::UnitId;
use crate::model::plan::{self, PageJob};
use crate::tally::{self, Counts, KindProgress, Period, Tally, UnitTally, format, period};

/// One line of progress: a unit or the province, for one year.
#[derive(Serialize, Hash)]
pub struct Progress {
    pub year: i32,
    /// `dd/mm/yyyy`
    pub as_of: String,
    pub count: u32,
    pub tin: u32,
    pub bai: u32,
    pub target: u32,
    pub expected_by_now: u32,
    pub met: bool,
    pub on_pace: bool,
    /// `met`, `on-pace` or `behind`: for CSS classes.
    pub status: &'static str,
    /// "Đã đạt", "Đúng tiến độ", "Chậm tiến độ".
    pub status_label: &'static str,
    /// count ÷ target, 0–100.
    pub percent: u32,
    /// expected_by_now ÷ target, 0–100.
    pub pace_percent: u32,
    /// Items still needed to reach the target.
    pub remaining: u32,
    /// `/thong-ke/YYYY/`
    pub url: String,
}

fn percent(part: u32, whole: u32) -> u32 {
    if whole == 0 {
        100
    } else {
        ((u64::from(part.min(whole)) * 100) / u64::from(whole)) as u32
    }
}

fn status(c: &Counts) -> (&'static str, &'static str) {
    if c.met {
        ("met", "Đã đạt")
    } else if c.on_pace() {
        ("on-pace", "Đúng tiến độ")
    } else {
        ("behind", "Chậm tiến độ")
    }
}

#[derive(Serialize, Hash)]
struct UnitRow {
    name: String,
    short: String,
    url: String,
    #[serde(flatten)]
    progress: Progress,
    by_month: [u32; 12],
}

/// One unit's counts per quarter against its pro-rata quarter targets.
#[derive(Serialize, Hash)]
struct QuarterRow {
    name: String,
    url: String,
    cells: Vec<QuarterCell>,
}

#[derive(Serialize, Hash)]
struct QuarterCell {
    count: u32,
    target: u32,
    met: bool,
    /// The quarter has not begun at `as_of`.
    future: bool,
}

#[derive(Serialize, Hash)]
struct QuarterHead {
    /// "Quý I"
    label: String,
    /// "01/01–31/03"
    span: String,
}

/// One unit's items per channel and its last item.
#[derive(Serialize, Hash)]
struct ChannelRow {
    name: String,
    url: String,
    by_channel: Vec<u32>,
    count: u32,
    /// `dd/mm/yyyy`, empty when the unit never published.
    last_item: String,
    last_item_iso: String,
    days_since: Option<i64>,
    quiet: bool,
}

#[derive(Serialize, Hash)]
struct YearLink {
    year: i32,
    url: String,
    current: bool,
}

#[derive(Serialize, Hash)]
struct YearPage {
    year: i32,
    /// `targets.unit_per_year`.
    unit_target: u32,
    as_of: String,
    as_of_iso: String,
    /// Inline SVG, safe to insert as is.
    chart: String,
    units: Vec<UnitRow>,
    province: Progress,
    months: [&'static str; 12],
    kinds: Vec<KindProgress>,
    csv_url: String,
    json_url: String,
    xlsx_url: String,
    years: Vec<YearLink>,
    units_met: usize,
    units_behind: usize,
    quarter_heads: Vec<QuarterHead>,
    quarters: Vec<QuarterRow>,
    province_quarters: QuarterRow,
    channels: Vec<String>,
    channel_rows: Vec<ChannelRow>,
    province_channels: Vec<u32>,
    /// Units quiet for `quiet_days` or more, longest silence first: the meeting's list.
    quiet: Vec<ChannelRow>,
    quiet_days: u32,
}

#[derive(Serialize, Hash)]
struct Cell {
    year: i32,
    count: u32,
    target: u32,
    met: bool,
}

#[derive(Serialize, Hash)]
struct CompareRow {
    name: String,
    url: String,
    cells: Vec<Cell>,
}

#[derive(Serialize, Hash)]
struct IndexPage {
    years: Vec<YearLink>,
    units: Vec<CompareRow>,
    province: CompareRow,
    kinds: Vec<KindProgress>,
    as_of: String,
}

const MONTHS: [&str; 12] = [
    "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "T11", "T12",
];

impl Renderer<'_> {
    /// The tally of `year` at this build's `as_of`: the same call as `datto tally`. Counted
    /// once per build for a year with a tally page (its page, index column and three
    /// downloads all show it).
    pub fn tally_of(&self, year: i32) -> Cow<'_, Tally> {
        let site = self.site();
        let count = || tally::tally(&site.config, site.counted_items(), year, site.as_of());
        match site.tally_years.binary_search(&year) {
            Ok(at) => Cow::Borrowed(self.tallies[at].get_or_init(count)),
            Err(_) => Cow::Owned(count()),
        }
    }

    /// This year's tally (a year with a tally page, so counted once).
    fn current(&self) -> Cow<'_, Tally> {
        self.tally_of(chrono::Datelike::year(&self.site().now))
    }

    fn progress(&self, tally: &Tally, counts: &Counts) -> Progress {
        let (status, status_label) = status(counts);
        Progress {
            year: tally.year,
            as_of: tally.as_of.format("%d/%m/%Y").to_string(),
            count: counts.count,
            tin: counts.tin,
            bai: counts.bai,
            target: counts.target,
            expected_by_now: counts.expected_by_now,
            met: counts.met,
            on_pace: counts.on_pace(),
            status,
            status_label,
            percent: percent(counts.count, counts.target),
            pace_percent: percent(counts.expected_by_now, counts.target),
            remaining: counts.target.saturating_sub(counts.count),
            url: self.parts.link(&plan::tally_path(tally.year)),
        }
    }

    /// This year's province progress, for the home page; `None` when the tallies are not
    /// public (`tallies: { public: false }`).
    pub fn province_progress(&self) -> Option<Progress> {
        self.site().config.tallies_public.then(|| {
            let current = self.current();
            self.progress(&current, &current.province)
        })
    }

    /// This year's progress of one unit, for its page (`None` as above).
    pub fn unit_progress(&self, unit: UnitId) -> Option<Progress> {
        self.site().config.tallies_public.then(|| {
            let current = self.current();
            self.progress(&current, &current.units[unit.0].counts)
        })
    }

    fn year_links(&self, current: Option<i32>) -> Vec<YearLink> {
        self.site()
            .tally_years
            .iter()
            .rev()
            .copied()
            .map(|year| YearLink {
                year,
                url: self.parts.link(&plan::tally_path(year)),
                current: Some(year) == current,
            })
            .collect()
    }

    fn quarter_row(
        &self,
        tally: &Tally,
        name: String,
        url: String,
        yearly: u32,
        by_month: &[u32; 12],
    ) -> QuarterRow {
        let counts = period::by_quarter(by_month);
        QuarterRow {
            name,
            url,
            cells: (1..=4u8)
                .zip(counts)
                .filter_map(|(q, count)| {
                    let p = Period::quarter(tally.year, q)?;
                    let target = p.target(yearly);
                    Some(QuarterCell {
                        count,
                        target,
                        met: count >= target,
                        future: tally.as_of < p.from,
                    })
                })
                .collect(),
        }
    }

    fn channel_row(&self, tally: &Tally, unit: &UnitTally, url: String) -> ChannelRow {
        ChannelRow {
            name: unit.name.clone(),
            url,
            by_channel: unit.counts.by_channel.clone(),
            count: unit.counts.count,
            last_item: unit
                .last_item
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
            last_item_iso: unit
                .last_item
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            days_since: tally.days_since_last(unit),
            quiet: tally.is_quiet(unit),
        }
    }

    pub(super) fn tally_year<S: Show>(&self, job: &PageJob, year: i32, show: S) -> S::Out {
        let site = self.site();
        let tally = self.tally_of(year);
        let labels: Vec<String> = site.config.units.iter().map(|u| u.short.clone()).collect();
        let units: Vec<UnitRow> = tally
            .units
            .iter()
            .zip(site.config.unit_ids())
            .map(|(row, id)| UnitRow {
                name: row.name.clone(),
                short: site.config.unit(id).short.clone(),
                url: self.parts.unit(id).url,
                progress: self.progress(&tally, &row.counts),
                by_month: row.by_month,
            })
            .collect();
        let ids: Vec<UnitId> = site.config.unit_ids().collect();
        let quarters = tally
            .units
            .iter()
            .zip(&ids)
            .map(|(row, &id)| {
                self.quarter_row(
                    &tally,
                    row.name.clone(),
                    self.parts.unit(id).url,
                    site.config.unit(id).target,
                    &row.by_month,
                )
            })
            .collect();
        let mut province_months = [0u32; 12];
        for row in &tally.units {
            for (total, n) in province_months.iter_mut().zip(row.by_month) {
                *total += n;
            }
        }
        let province_quarters = self.quarter_row(
            &tally,
            "Toàn tỉnh".into(),
            String::new(),
            site.config.province_target,
            &province_months,
        );
        let channel_rows: Vec<ChannelRow> = tally
            .units
            .iter()
            .zip(&ids)
            .map(|(row, &id)| self.channel_row(&tally, row, self.parts.unit(id).url))
            .collect();
        let mut quiet: Vec<ChannelRow> = tally
            .units
            .iter()
            .zip(&ids)
            .filter(|(row, _)| tally.is_quiet(row))
            .map(|(row, &id)| self.channel_row(&tally, row, self.parts.unit(id).url))
            .collect();
        // Never published first, then the longest silence.
        quiet.sort_by_key(|r| std::cmp::Reverse(r.days_since.unwrap_or(i64::MAX)));
        let quarter_heads = (1..=4u8)
            .filter_map(|q| Period::quarter(year, q))
            .zip(["Quý I", "Quý II", "Quý III", "Quý IV"])
            .map(|(p, label)| QuarterHead {
                label: label.into(),
                span: format!("{}–{}", p.from.format("%d/%m"), p.to.format("%d/%m")),
            })
            .collect();
        let page = YearPage {
            quarter_heads,
            quarters,
            province_quarters,
            channels: tally
                .channels
                .iter()
                .map(|(_, name)| name.clone())
                .collect(),
            channel_rows,
            province_channels: tally.province.by_channel.clone(),
            quiet,
            quiet_days: tally.quiet_days,
            xlsx_url: self.parts.link(&format!("{}{year}.xlsx", plan::TALLIES)),
            year,
            unit_target: site.config.unit_target,
            as_of: tally.as_of.format("%d/%m/%Y").to_string(),
            as_of_iso: tally.as_of.format("%Y-%m-%d").to_string(),
            chart: chart::bar_chart(&tally, &labels),
            units_met: units.iter().filter(|u| u.progress.met).count(),
            units_behind: units.iter().filter(|u| !u.progress.on_pace).count(),
            units,
            province: self.progress(&tally, &tally.province),
            months: MONTHS,
            kinds: tally::kind_progress(&site.config, site.profiles.iter().map(|p| &p.doc)),
            csv_url: self.parts.link(&format!("{}{year}.csv", plan::TALLIES)),
            json_url: self.parts.link(&format!("{}{year}.json", plan::TALLIES)),
            years: self.year_links(Some(year)),
        };
        let mut meta = self.meta(
            job,
            format!("Thống kê tin bài năm {year}"),
            Section::Tallies,
        );
        meta.description = Cow::Owned(format!(
            "Số tin bài năm {year} của từng đơn vị so với chỉ tiêu {} tin bài/năm; toàn tỉnh {}/{}.",
            site.config.unit_target, tally.province.count, tally.province.target
        ));
        show.page(&meta, &page)
    }

    pub(super) fn tally_index<S: Show>(&self, job: &PageJob, show: S) -> S::Out {
        let site = self.site();
        let years: Vec<i32> = site.tally_years.clone().into_iter().rev().collect();
        let tallies: Vec<Cow<Tally>> = years.iter().map(|&y| self.tally_of(y)).collect();
        let cell = |t: &Tally, c: &Counts| Cell {
            year: t.year,
            count: c.count,
            target: c.target,
            met: c.met,
        };
        let units = site
            .config
            .unit_ids()
            .map(|id| CompareRow {
                name: site.config.unit(id).name.clone(),
                url: self.parts.unit(id).url,
                cells: tallies
                    .iter()
                    .map(|t| cell(t, &t.units[id.0].counts))
                    .collect(),
            })
            .collect();
        let page = IndexPage {
            years: self.year_links(None),
            units,
            province: CompareRow {
                name: "Toàn tỉnh".into(),
                url: String::new(),
                cells: tallies.iter().map(|t| cell(t, &t.province)).collect(),
            },
            kinds: tally::kind_progress(&site.config, site.profiles.iter().map(|p| &p.doc)),
            as_of: site.as_of().format("%d/%m/%Y").to_string(),
        };
        show.page(&self.meta(job, "Thống kê tin bài", Section::Tallies), &page)
    }

    /// `/thong-ke/YYYY.csv`, `.json`, `.xlsx`: files made by the tally code itself, from the
    /// year's tally (and, for the workbook, the list of counted items).
    pub(super) fn tally_file<S: Show>(&self, year: i32, kind: Download, show: S) -> S::Out {
        let site = self.site();
        let data = DownloadData {
            kind,
            tally: self.tally_of(year),
            kinds: tally::kind_progress(&site.config, site.profiles.iter().map(|p| &p.doc)),
            site,
        };
        show.file(&data, |data| match data.kind {
            Download::Csv => Ok(format::csv(&data.tally).into_bytes()),
            Download::Json => format::json(&data.tally)
                .map(String::into_bytes)
                .map_err(|e| Error::Internal(e.into())),
            Download::Xlsx => tally::xlsx::workbook(
                &data.site.config,
                &data.tally,
                &data.kinds,
                data.site.counted_items(),
            )
            .map_err(Error::Internal),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Download {
    Csv,
    Json,
    Xlsx,
}

/// What a tally download is made from.
struct DownloadData<'a> {
    kind: Download,
    tally: Cow<'a, Tally>,
    kinds: Vec<KindProgress>,
    site: &'a crate::model::site::Site,
}

impl std::hash::Hash for DownloadData<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (self.kind, &self.tally, &self.kinds).hash(h);
        // The workbook's list sheet shows each counted item's title, channel and URL.
        if self.kind == Download::Xlsx {
            let period = Period::year(self.tally.year);
            for item in self.site.counted_items() {
                if tally::counts_in(item, &period, self.site.as_of()) {
                    tally::xlsx::listed_fields(item, h);
                }
            }
        }
    }
}
