//! The sweep's two curves, throughput and p99 queue wait against the thread
//! count, drawn with ratatui's [`Chart`]. The Tune view draws them into its
//! frame; `queuescope sweep` has them drawn into an off-screen buffer
//! ([`report_text`]) and prints the cells as text, so the CLI and the TUI
//! show the same picture.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::symbols::Marker;
use ratatui::text::Line;
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, LegendPosition, Widget};

use super::draw::block;
use super::fmt;
use super::theme::{Theme, ThemeKind};
use crate::sweep::{Point, SweepResult};

/// Columns of each chart under `queuescope sweep`'s table.
pub const REPORT_WIDTH: u16 = 72;
/// Rows of each chart under `queuescope sweep`'s table.
pub const REPORT_HEIGHT: u16 = 14;

/// Which measurement a chart plots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Items finished per second.
    Throughput,
    /// 99th-percentile queue wait.
    WaitP99,
}

impl Metric {
    fn value(self, p: &Point) -> f64 {
        match self {
            Metric::Throughput => p.throughput,
            Metric::WaitP99 => p.wait_p99.as_secs_f64(),
        }
    }

    fn label(self, v: f64) -> String {
        match self {
            Metric::Throughput => fmt::rate(v),
            Metric::WaitP99 => fmt::dur(std::time::Duration::from_secs_f64(v.max(0.0))),
        }
    }

    /// The chart's title, naming the x axis.
    pub fn title(self, x: XAxis) -> String {
        match self {
            Metric::Throughput => format!(" throughput (items/s) by {} ", x.name()),
            Metric::WaitP99 => format!(" p99 queue wait by {} ", x.name()),
        }
    }

    /// Where the legend least often covers the curve: throughput rises and
    /// levels off (bottom right is free), p99 falls (top right is free).
    fn legend(self) -> LegendPosition {
        match self {
            Metric::Throughput => LegendPosition::BottomRight,
            Metric::WaitP99 => LegendPosition::TopRight,
        }
    }
}

/// What the x axis counts: consumers unless only the producers vary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XAxis {
    /// Consumer threads; one curve per producer count.
    Consumers,
    /// Producer threads (a single curve).
    Producers,
}

impl XAxis {
    /// The axis for a result's grid.
    pub fn of(r: &SweepResult) -> XAxis {
        if r.consumers.len() == 1 && r.producers.len() > 1 {
            XAxis::Producers
        } else {
            XAxis::Consumers
        }
    }

    fn x(self, p: &Point) -> f64 {
        match self {
            XAxis::Consumers => p.consumers as f64,
            XAxis::Producers => p.producers as f64,
        }
    }

    /// Axis title.
    pub fn name(self) -> &'static str {
        match self {
            XAxis::Consumers => "consumers",
            XAxis::Producers => "producers",
        }
    }
}

/// One curve: its legend label and points.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend label (`2 producers`).
    pub label: String,
    /// (x, y) points, x ascending.
    pub points: Vec<(f64, f64)>,
}

/// The curves of `metric`, one per producer count (or one along producers).
pub fn series(r: &SweepResult, metric: Metric) -> Vec<Series> {
    let axis = XAxis::of(r);
    let groups: Vec<Option<usize>> = match axis {
        XAxis::Consumers => r.producers.iter().map(|&p| Some(p)).collect(),
        XAxis::Producers => vec![None],
    };
    groups
        .into_iter()
        .map(|g| {
            let mut points: Vec<(f64, f64)> = r
                .points
                .iter()
                .filter(|p| g.is_none_or(|n| p.producers == n))
                .map(|p| (axis.x(p), metric.value(p)))
                .filter(|(_, y)| y.is_finite())
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            let label = match g {
                Some(n) => fmt::n_of(n, "producer"),
                None => fmt::n_of(r.consumers.first().copied().unwrap_or(1), "consumer"),
            };
            Series { label, points }
        })
        .filter(|s| !s.points.is_empty())
        .collect()
}

fn axis_range(r: &SweepResult) -> [f64; 2] {
    let v = match XAxis::of(r) {
        XAxis::Consumers => &r.consumers,
        XAxis::Producers => &r.producers,
    };
    let lo = v.first().copied().unwrap_or(1) as f64;
    let hi = v.last().copied().unwrap_or(1) as f64;
    if hi > lo {
        [lo, hi]
    } else {
        [lo - 1.0, lo + 1.0]
    }
}

/// Markers per curve: distinct shapes so curves differ without colour.
fn marker(i: usize, theme: &Theme) -> Marker {
    if theme.ascii {
        // Only Block survives `--ascii` (as `#`).
        return Marker::Block;
    }
    [Marker::Braille, Marker::Dot, Marker::HalfBlock][i % 3]
}

/// Draws `metric`'s chart of `r` into `area` of `buf`, with the knee marked
/// when `mark_knee` (not while a sweep is still running: it would move).
pub fn render(
    buf: &mut Buffer,
    area: Rect,
    r: &SweepResult,
    metric: Metric,
    mark_knee: bool,
    theme: &Theme,
) {
    let curves = series(r, metric);
    let knee: Vec<(f64, f64)> = r
        .knee()
        .filter(|_| mark_knee)
        .map(|k| vec![(XAxis::of(r).x(k), metric.value(k))])
        .unwrap_or_default();
    let mut datasets: Vec<Dataset> = curves
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Dataset::default()
                .name(s.label.clone())
                .marker(marker(i, theme))
                .graph_type(GraphType::Line)
                .style(theme.producer(i))
                .data(&s.points)
        })
        .collect();
    if !knee.is_empty() {
        datasets.push(
            Dataset::default()
                .name("knee")
                .marker(Marker::Block)
                .graph_type(GraphType::Scatter)
                .style(theme.good)
                .data(&knee),
        );
    }
    let top = curves
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .fold(0.0_f64, f64::max);
    let top = if top > 0.0 { top * 1.1 } else { 1.0 };
    let [x0, x1] = axis_range(r);
    let x_labels: Vec<Line> = {
        let mid = ((x0 + x1) / 2.0).round();
        let mut v = vec![x0, x1];
        if mid > x0 && mid < x1 {
            v.insert(1, mid);
        }
        v.into_iter()
            .map(|x| Line::raw(format!("{x:.0}")))
            .collect()
    };
    let y_labels = [0.0, top / 2.0, top].map(|y| Line::raw(metric.label(y)));
    let chart = Chart::new(datasets)
        .block(block(metric.title(XAxis::of(r)), theme))
        .style(theme.text)
        .x_axis(
            Axis::default()
                .style(theme.dim)
                .bounds([x0, x1])
                .labels(x_labels),
        )
        .y_axis(
            Axis::default()
                .style(theme.dim)
                .bounds([0.0, top])
                .labels(y_labels),
        )
        .legend_position(Some(metric.legend()))
        .hidden_legend_constraints((Constraint::Percentage(60), Constraint::Percentage(60)));
    chart.render(area, buf);
}

/// What `queuescope sweep` prints under its table: [`text`] at the report's
/// size, in the terminal's glyphs.
pub fn report_text(r: &SweepResult) -> String {
    text(r, REPORT_WIDTH, REPORT_HEIGHT, false)
}

/// Both charts as plain text lines (no colour), `width` columns each,
/// stacked.
pub fn text(r: &SweepResult, width: u16, height: u16, ascii: bool) -> String {
    let theme = Theme::new(ThemeKind::Default, false, ascii);
    let mut out = String::new();
    for metric in [Metric::Throughput, Metric::WaitP99] {
        let area = Rect::new(0, 0, width, height);
        let mut buf = Buffer::empty(area);
        render(&mut buf, area, r, metric, true, &theme);
        out.push_str(&buffer_text(&buf, ascii));
    }
    out
}

/// A buffer's cells as lines of text, trailing blanks trimmed. (Every
/// glyph a chart draws is one cell wide, so a cell is a character.)
pub fn buffer_text(buf: &Buffer, ascii: bool) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        for x in area.left()..area.right() {
            let sym = buf[(x, y)].symbol();
            line.push_str(match sym {
                "" => " ",
                s if ascii && !s.is_ascii() => "#",
                s => s,
            });
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::tests::pt;
    use std::time::Duration;

    fn result() -> SweepResult {
        SweepResult {
            scenario: "t".into(),
            queue: crate::sim::QueueKind::Channel,
            producers: vec![1],
            consumers: vec![1, 2, 3, 4],
            trial: Duration::from_secs(1),
            repeat: 1,
            batch: false,
            points: vec![
                pt(1, 1, 10.0),
                pt(1, 2, 19.0),
                pt(1, 3, 26.0),
                pt(1, 4, 27.0),
            ],
            cancelled: false,
        }
    }

    #[test]
    fn series_follow_the_varying_count() {
        let r = result();
        let s = series(&r, Metric::Throughput);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].label, "1 producer");
        assert_eq!(s[0].points[2], (3.0, 26.0));
        let mut r2 = r.clone();
        r2.producers = vec![1, 2];
        r2.consumers = vec![4];
        r2.points = vec![pt(1, 4, 10.0), pt(2, 4, 20.0)];
        assert_eq!(XAxis::of(&r2), XAxis::Producers);
        assert_eq!(series(&r2, Metric::Throughput)[0].points[1], (2.0, 20.0));
    }

    #[test]
    fn text_chart_has_titles_and_the_knee() {
        let t = text(&result(), 60, 12, true);
        assert!(t.contains("throughput (items/s) by consumers"), "{t}");
        assert!(t.contains("p99 queue wait"), "{t}");
        assert!(t.contains("knee"), "{t}");
        assert!(t.is_ascii(), "{t}");
        assert_eq!(t.lines().count(), 24);
    }
}
