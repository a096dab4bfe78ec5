//! The stats panel: throughput over the whole run, the last 10 s and the
//! current epoch (since the last knob change, named in the title), latency
//! percentiles, utilization, and Little's law checked live (L measured
//! beside λ·W computed). Everything divides by active time, so a pause
//! changes nothing here. When the panel is short, the least important
//! lines go first; a line that does not fit its width drops its details,
//! never its value.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::columns::{Columns, Widths};
use super::queue::rates_over;
use super::theme::Theme;
use super::{draw, fmt};
use crate::sim::{EpochSnap, LatencySummary, Role, Snapshot, ThreadSnap};

/// The sliding window the `last 10s` rates cover.
pub const WINDOW: Duration = Duration::from_secs(10);

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

/// The current epoch when the setup has changed since the start.
pub fn changed_epoch(snap: &Snapshot) -> Option<&EpochSnap> {
    snap.epoch().filter(|e| e.index > 1)
}

/// `since +1 consumer, 12.4s ago`.
pub fn since_words(snap: &Snapshot, e: &EpochSnap) -> String {
    let age = snap.elapsed.saturating_sub(e.started);
    format!("since {}, {} ago", e.cause, fmt::elapsed(age))
}

/// Draws the stats panel.
pub fn render(buf: &mut Buffer, area: Rect, snap: &Snapshot, theme: &Theme) {
    let dot = theme.glyphs.dot.trim();
    let mut titles = vec![" Stats ".to_string()];
    if let Some(e) = changed_epoch(snap) {
        titles.insert(0, format!(" Stats {dot} since {} ", e.cause));
        titles.insert(0, format!(" Stats {dot} {} ", since_words(snap, e)));
    }
    // The fullest title that fits on the border.
    let room = area.width.saturating_sub(4) as usize;
    let title = titles
        .into_iter()
        .find(|t| t.chars().count() <= room)
        .unwrap_or_default();
    let inner = draw::panel(buf, area, &Line::from(title), None, theme);
    let t = Columns::new(inner.width, WIDTHS, theme);
    let lines = pick(panel_lines(snap, &t), inner.height as usize);
    for (k, line) in lines.iter().enumerate() {
        let row = Rect {
            y: inner.y + k as u16,
            height: 1,
            ..inner
        };
        draw::spans(buf, row, &line.spans);
    }
}

/// Every line the panel can show, in screen order, each with its rank
/// (0 = most important).
fn panel_lines(snap: &Snapshot, t: &Columns) -> Vec<(u8, Line<'static>)> {
    let width = t.width;
    let mut lines = vec![(
        0,
        rates(
            t.pick("run average", "run avg"),
            snap.arrival_rate(),
            snap.throughput(),
            t,
        ),
    )];
    let (win_in, win_out) = rates_over(&snap.history, WINDOW);
    lines.push((
        7,
        rates(&format!("last {}s", WINDOW.as_secs()), win_in, win_out, t),
    ));
    if let Some(e) = changed_epoch(snap) {
        let (i, o) = (e.measured.lambda(), e.measured.throughput());
        let label = t.pick("since change", "since chg");
        lines.push((6, rates(label, i.unwrap_or(0.0), o.unwrap_or(0.0), t)));
    }
    lines.extend([
        (1, percentile_header(t)),
        (2, percentiles("queue wait", &snap.latency.queue_wait, t)),
        (3, percentiles("end-to-end", &snap.latency.end_to_end, t)),
        (4, utilization_line(snap, t)),
        (5, little_line(snap, t, width)),
        (8, counts(snap, t)),
    ]);
    if t.wide {
        let c = &snap.counts;
        let theme = t.theme;
        lines.push((
            9,
            Line::from(vec![
                t.label("queue depth"),
                Span::styled(format!("now {}", c.depth()), theme.text),
                Span::styled(format!("  mean {:.1}", snap.mean_depth), theme.dim),
                Span::styled(format!("  max {}", snap.max_depth), theme.dim),
            ]),
        ));
    }
    lines
}

/// The `rows` most important lines, kept in screen order.
fn pick(mut lines: Vec<(u8, Line<'static>)>, rows: usize) -> Vec<Line<'static>> {
    while lines.len() > rows {
        let Some(worst) = lines
            .iter()
            .enumerate()
            .max_by_key(|(_, (rank, _))| *rank)
            .map(|(k, _)| k)
        else {
            break;
        };
        lines.remove(worst);
    }
    lines.into_iter().map(|(_, l)| l).collect()
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

/// `label  in 40.1/s  out 39.8/s` (closer together where that does not
/// fit); the queue panel shows the last second.
fn rates(label: &str, inp: f64, out: f64, t: &Columns) -> Line<'static> {
    let theme = t.theme;
    let (inp, out) = (fmt::rate(inp), fmt::rate(out));
    let values = inp.len() + out.len();
    let gap = if t.label_w + 9 + values <= t.width {
        "  out "
    } else {
        " out "
    };
    // Too tight even so: the label column gives up its padding.
    let label = if t.label_w + 8 + values <= t.width {
        t.label(label)
    } else {
        Span::styled(format!("{} ", t.tx(label)), theme.dim)
    };
    Line::from(vec![
        label,
        Span::styled("in ", theme.dim),
        Span::styled(inp, theme.text),
        Span::styled(gap, theme.dim),
        Span::styled(out, theme.text),
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
/// agree within 5 %. The λ × W breakdown shows only where the whole line,
/// tick included, fits in `width`.
fn little_line(snap: &Snapshot, t: &Columns, width: usize) -> Line<'static> {
    let theme = t.theme;
    let (l, lambda, w, lw) = little(snap);
    let agree = lw > 0.0 && ((l - lw) / lw).abs() <= 0.05;
    let mark = match (agree, theme.ascii) {
        (true, false) => " ✓",
        (true, true) => " ok",
        _ => "",
    };
    let head = vec![
        t.label(t.pick("Little's law", "Little")),
        Span::styled("L ", theme.dim),
        Span::styled(format!("{l:.1}"), theme.text),
        Span::styled(if theme.ascii { "  lW " } else { "  λ·W " }, theme.dim),
    ];
    let tail = vec![
        Span::styled(format!("{lw:.1}"), theme.text),
        Span::styled(mark, theme.good),
    ];
    let breakdown = Span::styled(
        format!(
            "{}{}{} = ",
            fmt::rate(lambda),
            if theme.ascii { " x " } else { " × " },
            fmt::dur(Duration::from_secs_f64(w.max(0.0)))
        ),
        theme.dim,
    );
    let cells = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
    let mut spans = head;
    if cells(&spans) + breakdown.width() + cells(&tail) <= width {
        spans.push(breakdown);
    }
    spans.extend(tail);
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
    let flight = format!("{} in flight", c.in_flight);
    let used: usize = spans.iter().map(Span::width).sum();
    if t.wide && used + 3 + flight.len() <= t.width {
        spans.push(dot());
        spans.push(Span::styled(flight, theme.text));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    fn text(snap: &Snapshot, w: u16, h: u16) -> String {
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        render(&mut buf, area, snap, &Theme::default());
        (0..h)
            .map(|y| {
                (0..w)
                    .map(|x| buf[(x, y)].symbol().to_string())
                    .collect::<String>()
                    + "\n"
            })
            .collect()
    }

    #[test]
    fn littles_law_keeps_its_tick_when_lambda_w_is_large() {
        // The saturated default: λ·W ≈ 40, L ≈ 40.
        let snap = testing::running(4);
        let (l, _, _, lw) = little(&snap);
        assert!(lw >= 10.0 && ((l - lw) / lw).abs() <= 0.05, "{l} {lw}");
        for w in [36, 46, 52] {
            let screen = text(&snap, w, 12);
            let line = screen
                .lines()
                .find(|l| l.contains("Little"))
                .unwrap_or_else(|| panic!("no Little line at {w}:\n{screen}"));
            assert!(line.contains('✓'), "tick cut at width {w}: {line}");
        }
    }

    #[test]
    fn a_short_panel_drops_the_least_important_lines() {
        let snap = testing::running(4);
        let screen = text(&snap, 46, 8);
        for must in [
            "run average",
            "queue wait",
            "end-to-end",
            "utilization",
            "Little",
        ] {
            assert!(screen.contains(must), "{must} missing:\n{screen}");
        }
        let tall = text(&snap, 46, 14);
        assert!(tall.contains("last 10s"), "{tall}");
    }
}
