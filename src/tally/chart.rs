//! The inline-SVG bar chart of `/thong-ke/YYYY/`: one bar per unit against its target line.
//! No JavaScript; colours are attributes so the chart prints and reads without CSS.

use std::fmt::Write as _;

use super::Tally;
use crate::render::theme::escape_html as escape;

const WIDTH: u32 = 720;
const LABEL: u32 = 190;
const ROW: u32 = 30;
const BAR_HEIGHT: u32 = 18;
const TOP: u32 = 30;
/// Room on the right for the "21/20" labels.
const RIGHT: u32 = 70;

/// Well-formed SVG (also valid inside HTML). `labels` are the short unit names to show.
pub fn bar_chart(tally: &Tally, labels: &[String]) -> String {
    let plot = WIDTH - LABEL - RIGHT;
    let scale_max = tally
        .units
        .iter()
        .map(|u| u.counts.count.max(u.counts.target))
        .max()
        .unwrap_or(1)
        .max(1);
    let x = |n: u32| LABEL + (u64::from(n) * u64::from(plot) / u64::from(scale_max)) as u32;
    let height = TOP + ROW * tally.units.len() as u32 + 16;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"tally-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"100%\" role=\"img\" aria-labelledby=\"tally-chart-title\" font-family=\"system-ui, sans-serif\" font-size=\"13\">\
         <title id=\"tally-chart-title\">Số tin bài năm {} của từng đơn vị so với chỉ tiêu</title>",
        tally.year
    );
    let _ = write!(
        svg,
        "<text x=\"{LABEL}\" y=\"16\" fill=\"#374151\">Thanh: số tin bài đã đăng · vạch đỏ: chỉ tiêu · vạch xám: mức cần có đến nay</text>"
    );
    for (row, unit) in tally.units.iter().enumerate() {
        let c = &unit.counts;
        let y = TOP + ROW * row as u32;
        let label = labels.get(row).map_or(unit.name.as_str(), String::as_str);
        let (class, fill) = if c.met {
            ("bar met", "#047857")
        } else if c.on_pace() {
            ("bar on-pace", "#b45309")
        } else {
            ("bar behind", "#9d174d")
        };
        let width = x(c.count) - LABEL;
        let _ = write!(
            svg,
            "<g class=\"unit-row\"><text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#1f2937\">{}</text>\
             <rect class=\"track\" x=\"{LABEL}\" y=\"{y}\" width=\"{plot}\" height=\"{BAR_HEIGHT}\" fill=\"#f3f4f6\"/>\
             <rect class=\"{class}\" x=\"{LABEL}\" y=\"{y}\" width=\"{width}\" height=\"{BAR_HEIGHT}\" fill=\"{fill}\">\
             <title>{}: {} / {} tin bài</title></rect>\
             <line class=\"pace\" x1=\"{px}\" x2=\"{px}\" y1=\"{}\" y2=\"{}\" stroke=\"#6b7280\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>\
             <line class=\"target\" x1=\"{tx}\" x2=\"{tx}\" y1=\"{}\" y2=\"{}\" stroke=\"#b91c1c\" stroke-width=\"2\"/>\
             <text x=\"{}\" y=\"{}\" fill=\"#1f2937\">{}/{}</text></g>",
            LABEL - 8,
            y + 13,
            escape(label),
            escape(&unit.name),
            c.count,
            c.target,
            y.saturating_sub(3),
            y + BAR_HEIGHT + 3,
            y.saturating_sub(3),
            y + BAR_HEIGHT + 3,
            WIDTH - RIGHT + 8,
            y + 13,
            c.count,
            c.target,
            px = x(c.expected_by_now),
            tx = x(c.target),
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tally::{Counts, UnitTally};

    fn unit(name: &str, count: u32) -> UnitTally {
        UnitTally {
            slug: "x".into(),
            name: name.into(),
            counts: Counts {
                count,
                tin: count,
                bai: 0,
                target: 20,
                expected_by_now: 10,
                met: count >= 20,
                by_channel: vec![count],
            },
            by_month: [0; 12],
            last_item: None,
        }
    }

    #[test]
    fn one_bar_per_unit_and_well_formed() {
        let tally = Tally {
            year: 2018,
            as_of: chrono::NaiveDate::from_ymd_opt(2018, 7, 2).unwrap(),
            province: Counts {
                count: 0,
                tin: 0,
                bai: 0,
                target: 300,
                expected_by_now: 150,
                met: false,
                by_channel: vec![0],
            },
            units: vec![unit("Việt Trì", 25), unit("A & <B>", 3), unit("C", 12)],
            period: crate::tally::Period::year(2018),
            channels: vec![("web".into(), "Trang web".into())],
            quiet_days: 30,
        };
        let svg = bar_chart(&tally, &[]);
        let doc = roxmltree::Document::parse(&svg).expect("well-formed");
        let bars: Vec<_> = doc
            .descendants()
            .filter(|n| {
                n.has_tag_name("rect")
                    && n.attribute("class")
                        .is_some_and(|c| c.split(' ').any(|w| w == "bar"))
            })
            .collect();
        assert_eq!(bars.len(), 3);
        assert_eq!(bars[0].attribute("class"), Some("bar met"));
        assert_eq!(bars[1].attribute("class"), Some("bar behind"));
        assert_eq!(bars[2].attribute("class"), Some("bar on-pace"));
        assert!(svg.contains("A &amp; &lt;B&gt;"));
    }
}
