//! The stats panel: throughput, latency percentiles, utilization, and
//! Little's law checked live (L measured beside λ·W computed).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

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
    let wide = inner.width >= 44;
    let label_w = if wide { 13 } else { 11 };
    let lab = |s: &str| Span::styled(format!("{s:<label_w$}"), theme.dim);
    let nw = if wide { 8 } else { 7 };
    let num = |s: String| Span::styled(format!("{s:>nw$}"), theme.text);
    let pcts = |name: &str, l: &LatencySummary| -> Line<'static> {
        if l.count == 0 {
            return Line::from(vec![
                lab(name),
                Span::styled("      no samples yet", theme.dim),
            ]);
        }
        Line::from(vec![
            lab(name),
            num(fmt::dur(l.p50)),
            num(fmt::dur(l.p90)),
            num(fmt::dur(l.p99)),
        ])
    };

    let c = &snap.counts;
    let mut lines = vec![
        // Whole-run averages; the queue panel shows the last second.
        Line::from(vec![
            lab(if wide { "run average" } else { "run avg" }),
            Span::styled("in ", theme.dim),
            Span::styled(fmt::rate(snap.arrival_rate()), theme.text),
            Span::styled("  out ", theme.dim),
            Span::styled(fmt::rate(snap.throughput()), theme.text),
        ]),
        Line::from(vec![
            lab(""),
            Span::styled(
                format!("{:>nw$}{:>nw$}{:>nw$}", "p50", "p90", "p99"),
                theme.dim,
            ),
        ]),
        pcts("queue wait", &snap.latency.queue_wait),
        pcts("end-to-end", &snap.latency.end_to_end),
    ];
    let util = |r| utilization(snap, r).map_or("-".into(), fmt::pct);
    let (cons, prod) = if wide {
        ("consumers ", "  producers ")
    } else {
        ("cons ", "  prod ")
    };
    lines.push(Line::from(vec![
        lab(if wide { "utilization" } else { "util" }),
        Span::styled(cons, theme.dim),
        Span::styled(util(Role::Consumer), theme.text),
        Span::styled(prod, theme.dim),
        Span::styled(util(Role::Producer), theme.text),
    ]));

    let (l, lambda, w, lw) = little(snap);
    let agree = lw > 0.0 && ((l - lw) / lw).abs() <= 0.05;
    let mark = match (agree, theme.ascii) {
        (true, false) => " ✓",
        (true, true) => " ok",
        _ => "",
    };
    let mut little_line = vec![
        lab(if wide { "Little's law" } else { "Little" }),
        Span::styled("L ", theme.dim),
        Span::styled(format!("{l:.1}"), theme.text),
        Span::styled(if theme.ascii { "  lW " } else { "  λ·W " }, theme.dim),
    ];
    if wide {
        little_line.push(Span::styled(
            format!(
                "{}{}{} = ",
                fmt::rate(lambda),
                if theme.ascii { " x " } else { " × " },
                fmt::dur(std::time::Duration::from_secs_f64(w.max(0.0)))
            ),
            theme.dim,
        ));
    }
    little_line.push(Span::styled(format!("{lw:.1}"), theme.text));
    little_line.push(Span::styled(mark, theme.good));
    lines.push(Line::from(little_line));

    let mut counts = vec![
        lab("items"),
        Span::styled(format!("{} made", fmt::count(c.produced)), theme.text),
        Span::styled(theme.glyphs.dot, theme.dim),
        Span::styled(format!("{} done", fmt::count(c.consumed)), theme.text),
    ];
    if c.failed > 0 {
        counts.push(Span::styled(theme.glyphs.dot, theme.dim));
        counts.push(Span::styled(format!("{} failed", c.failed), theme.bad));
    }
    if wide {
        counts.push(Span::styled(theme.glyphs.dot, theme.dim));
        counts.push(Span::styled(
            format!("{} in flight", c.in_flight),
            theme.text,
        ));
    }
    lines.push(Line::from(counts));
    if wide {
        lines.push(Line::from(vec![
            lab("queue depth"),
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
