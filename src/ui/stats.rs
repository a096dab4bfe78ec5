//! The stats panel: throughput, latency percentiles, utilization, and
//! Little's law checked live (L measured beside λ·W computed).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::columns::{Columns, Widths};
use super::theme::Theme;
use super::{draw, fmt};
use crate::sim::{LatencySummary, Role, Snapshot, ThreadSnap};

/// Busy time over alive time, summed over every thread with `role`.
pub fn utilization(snap: &Snapshot, role: Role) -> Option<f64> {
    let (mut busy, mut alive) = (0.0, 0.0);
    for t in snap.role(role) {
        busy += t.busy().as_secs_f64();
        alive += alive_secs(t);
    }
    (alive > 0.0).then(|| busy / alive)
}

fn alive_secs(t: &ThreadSnap) -> f64 {
    let gone = t.time_in[crate::sim::ThreadState::Exited as usize]
        + t.time_in[crate::sim::ThreadState::Crashed as usize];
    t.lifetime().saturating_sub(gone).as_secs_f64()
}

/// Little's law: (L measured, λ, W, λ·W).
pub fn little(snap: &Snapshot) -> (f64, f64, f64, f64) {
    let lambda = snap.arrival_rate();
    let w = snap.latency.mean_in_system.as_secs_f64();
    (snap.mean_in_system, lambda, w, lambda * w)
}

/// Draws the stats panel.
pub fn render(buf: &mut Buffer, area: Rect, snap: &Snapshot, theme: &Theme) {
    let inner = draw::panel(buf, area, &Line::from(" Stats "), None, theme);
    let t = Columns::new(inner.width, WIDTHS, theme);
    let mut lines = vec![
        rates(snap, &t),
        percentile_header(&t),
        percentiles("queue wait", &snap.latency.queue_wait, &t),
        percentiles("end-to-end", &snap.latency.end_to_end, &t),
        utilization_line(snap, &t),
        little_line(snap, &t),
        counts(snap, &t),
    ];
    if t.wide {
        let c = &snap.counts;
        lines.push(Line::from(vec![
            t.label("queue depth"),
            Span::styled(format!("now {}", c.depth()), theme.text),
            Span::styled(format!("  mean {:.1}", snap.mean_depth), theme.dim),
            Span::styled(format!("  max {}", snap.max_depth), theme.dim),
        ]));
    }
    for (k, line) in lines.iter().enumerate().take(inner.height as usize) {
        let row = Rect {
            y: inner.y + k as u16,
            height: 1,
            ..inner
        };
        draw::spans(buf, row, &line.spans);
    }
}

/// The stats panel's columns: label, then p50, p90, p99.
const WIDTHS: Widths = Widths {
    wide_from: 44,
    label: (11, 13),
    value: (7, 8),
};

fn percentile_header(t: &Columns) -> Line<'static> {
    let w = t.value_w;
    Line::from(vec![
        t.label(""),
        Span::styled(
            format!("{:>w$}{:>w$}{:>w$}", "p50", "p90", "p99"),
            t.theme.dim,
        ),
    ])
}

/// p50, p90 and p99 of `l` under the header's columns.
fn percentiles(name: &str, l: &LatencySummary, t: &Columns) -> Line<'static> {
    if l.count == 0 {
        return Line::from(vec![
            t.label(name),
            Span::styled("      no samples yet", t.theme.dim),
        ]);
    }
    let text = t.theme.text;
    Line::from(vec![
        t.label(name),
        t.value(fmt::dur(l.p50), text),
        t.value(fmt::dur(l.p90), text),
        t.value(fmt::dur(l.p99), text),
    ])
}

/// Whole-run averages in and out; the queue panel shows the last second.
fn rates(snap: &Snapshot, t: &Columns) -> Line<'static> {
    let theme = t.theme;
    Line::from(vec![
        t.label(t.pick("run average", "run avg")),
        Span::styled("in ", theme.dim),
        Span::styled(fmt::rate(snap.arrival_rate()), theme.text),
        Span::styled("  out ", theme.dim),
        Span::styled(fmt::rate(snap.throughput()), theme.text),
    ])
}

fn utilization_line(snap: &Snapshot, t: &Columns) -> Line<'static> {
    let theme = t.theme;
    let util = |r| utilization(snap, r).map_or("-".into(), fmt::pct);
    Line::from(vec![
        t.label(t.pick("utilization", "util")),
        Span::styled(t.pick("consumers ", "cons "), theme.dim),
        Span::styled(util(Role::Consumer), theme.text),
        Span::styled(t.pick("  producers ", "  prod "), theme.dim),
        Span::styled(util(Role::Producer), theme.text),
    ])
}

/// Little's law checked live: L measured beside λ·W, ticked when they
/// agree within 5 %.
fn little_line(snap: &Snapshot, t: &Columns) -> Line<'static> {
    let theme = t.theme;
    let (l, lambda, w, lw) = little(snap);
    let agree = lw > 0.0 && ((l - lw) / lw).abs() <= 0.05;
    let mark = match (agree, theme.ascii) {
        (true, false) => " ✓",
        (true, true) => " ok",
        _ => "",
    };
    let mut spans = vec![
        t.label(t.pick("Little's law", "Little")),
        Span::styled("L ", theme.dim),
        Span::styled(format!("{l:.1}"), theme.text),
        Span::styled(if theme.ascii { "  lW " } else { "  λ·W " }, theme.dim),
    ];
    if t.wide {
        spans.push(Span::styled(
            format!(
                "{}{}{} = ",
                fmt::rate(lambda),
                if theme.ascii { " x " } else { " × " },
                fmt::dur(std::time::Duration::from_secs_f64(w.max(0.0)))
            ),
            theme.dim,
        ));
    }
    spans.push(Span::styled(format!("{lw:.1}"), theme.text));
    spans.push(Span::styled(mark, theme.good));
    Line::from(spans)
}

/// `items 1204 made · 1199 done · 2 failed · 3 in flight`.
fn counts(snap: &Snapshot, t: &Columns) -> Line<'static> {
    let (theme, c) = (t.theme, &snap.counts);
    let dot = || Span::styled(theme.glyphs.dot, theme.dim);
    let mut spans = vec![
        t.label("items"),
        Span::styled(format!("{} made", fmt::count(c.produced)), theme.text),
        dot(),
        Span::styled(format!("{} done", fmt::count(c.consumed)), theme.text),
    ];
    if c.failed > 0 {
        spans.push(dot());
        spans.push(Span::styled(format!("{} failed", c.failed), theme.bad));
    }
    if t.wide {
        spans.push(dot());
        spans.push(Span::styled(
            format!("{} in flight", c.in_flight),
            theme.text,
        ));
    }
    Line::from(spans)
}
