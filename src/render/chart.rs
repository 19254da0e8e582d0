//! The inline-SVG bar chart of `/thong-ke/YYYY/`: one bar per unit against its target line.
//! No JavaScript; colours are attributes so the chart prints and reads without CSS.

use std::fmt::Write as _;

use crate::render::theme::escape_html as escape;
use crate::tally::Tally;

/// Narrow on purpose: on a 375 px phone the whole chart fits without sideways scrolling
/// and its text stays about 13 px; wider screens cap its width in CSS (tally.css).
const WIDTH: u32 = 360;
/// Each unit takes two lines: its name and "14/20" above, the bar below, so the bars get
/// the full width instead of sharing it with a label column.
const ROW: u32 = 40;
const LABEL_BASELINE: u32 = 15;
const BAR_TOP: u32 = 21;
const BAR_HEIGHT: u32 = 13;
const TOP: u32 = 4;

/// Well-formed SVG (also valid inside HTML). `labels` are the short unit names to show.
pub fn bar_chart(tally: &Tally, labels: &[String]) -> String {
    let plot = WIDTH;
    let scale_max = tally
        .units
        .iter()
        .map(|u| u.counts.count.max(u.counts.target))
        .max()
        .unwrap_or(1)
        .max(1);
    let x = |n: u32| (u64::from(n) * u64::from(plot) / u64::from(scale_max)) as u32;
    let height = TOP + ROW * tally.units.len() as u32;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"tally-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" \
         width=\"100%\" role=\"img\" aria-labelledby=\"tally-chart-title\" font-family=\"system-ui, sans-serif\" font-size=\"15\">\
         <title id=\"tally-chart-title\">Số tin bài năm {} của từng đơn vị so với chỉ tiêu</title>",
        tally.year
    );
    for (row, unit) in tally.units.iter().enumerate() {
        let c = &unit.counts;
        let top = TOP + ROW * row as u32;
        let (y_text, y_bar) = (top + LABEL_BASELINE, top + BAR_TOP);
        let label = labels.get(row).map_or(unit.name.as_str(), String::as_str);
        let (class, fill) = if c.met {
            ("bar met", "#047857")
        } else if c.on_pace() {
            ("bar on-pace", "#b45309")
        } else {
            ("bar behind", "#9d174d")
        };
        // Lines drawn at the plot's edge would be cut in half: keep them inside.
        let line_x = |n: u32| x(n).clamp(1, WIDTH - 1);
        let _ = write!(
            svg,
            "<g class=\"unit-row\"><text x=\"0\" y=\"{y_text}\" fill=\"#1f2937\">{}</text>\
             <text x=\"{WIDTH}\" y=\"{y_text}\" text-anchor=\"end\" fill=\"#1f2937\" font-weight=\"700\">{}/{}</text>\
             <rect class=\"track\" x=\"0\" y=\"{y_bar}\" width=\"{plot}\" height=\"{BAR_HEIGHT}\" fill=\"#f3f4f6\"/>\
             <rect class=\"{class}\" x=\"0\" y=\"{y_bar}\" width=\"{}\" height=\"{BAR_HEIGHT}\" fill=\"{fill}\">\
             <title>{}: {} / {} tin bài</title></rect>\
             <line class=\"pace\" x1=\"{px}\" x2=\"{px}\" y1=\"{}\" y2=\"{}\" stroke=\"#4b5563\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/>\
             <line class=\"target\" x1=\"{tx}\" x2=\"{tx}\" y1=\"{}\" y2=\"{}\" stroke=\"#b91c1c\" stroke-width=\"2\"/></g>",
            escape(label),
            c.count,
            c.target,
            x(c.count),
            escape(&unit.name),
            c.count,
            c.target,
            y_bar - 2,
            y_bar + BAR_HEIGHT + 2,
            y_bar - 3,
            y_bar + BAR_HEIGHT + 3,
            px = line_x(c.expected_by_now),
            tx = line_x(c.target),
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
        // Every unit's number and target is written out, and bars differ by their count.
        let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
        for shown in ["25/20", "3/20", "12/20"] {
            assert!(texts.contains(&shown), "{shown} missing");
        }
        let widths: Vec<u32> = bars
            .iter()
            .map(|b| b.attribute("width").unwrap().parse().unwrap())
            .collect();
        assert!(widths[0] > widths[2] && widths[2] > widths[1], "{widths:?}");
    }
}
