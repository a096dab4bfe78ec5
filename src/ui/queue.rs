//! The queue panel: depth gauge against capacity, the queue's contents as a
//! strip of slots (head first, items coloured by producer, pills distinct),
//! a depth-history chart with the capacity line, and in/out rates.
//!
//! The strip and chart are drawn cell by cell into the buffer: they are the
//! busiest part of the screen and this keeps them cheap and exact.

use std::time::Duration;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::theme::Theme;
use super::{draw, fmt};
use crate::sim::{Capacity, HistoryPoint, Role, Slot, Snapshot};

/// Items in and out per second over the last second of history.
pub fn recent_rates(history: &[HistoryPoint]) -> (f64, f64) {
    rates_over(history, Duration::from_secs(1))
}

/// Items in and out per second over the last `window` of history (the
/// whole history when it is shorter), whatever its resolution.
pub fn rates_over(history: &[HistoryPoint], window: Duration) -> (f64, f64) {
    let Some(last) = history.last() else {
        return (0.0, 0.0);
    };
    let from = last.at.saturating_sub(window);
    // The buckets that end after `from`, and where the first of them began.
    let first = history.partition_point(|h| h.at <= from);
    let start = if first == 0 {
        Duration::ZERO
    } else {
        history[first - 1].at
    };
    let span = last.at.saturating_sub(start).as_secs_f64();
    if span <= 0.0 {
        return (0.0, 0.0);
    }
    let (p, d) = history[first..]
        .iter()
        .fold((0, 0), |(p, d), h| (p + h.produced, d + h.done));
    (p as f64 / span, d as f64 / span)
}

/// Style for a fill ratio: calm, filling, full.
fn fill_style(theme: &Theme, ratio: f64) -> Style {
    if ratio >= 0.9 {
        theme.bad
    } else if ratio >= 0.5 {
        theme.warn
    } else {
        theme.good
    }
}

/// Draws the queue panel.
pub fn render(buf: &mut Buffer, area: Rect, snap: &Snapshot, theme: &Theme) {
    let cap = match (snap.capacity, &snap.textbook) {
        // A textbook buffer: which one, and its slots.
        (Capacity::Bounded(n), Some(tb)) => {
            format!("{}, {n} slot{}", tb.kind, if n == 1 { "" } else { "s" })
        }
        (Capacity::Bounded(n), None) => format!("bounded({n})"),
        (Capacity::Rendezvous, _) => "rendezvous".into(),
        (Capacity::Unbounded, _) => "unbounded".into(),
    };
    let inner = draw::panel(
        buf,
        area,
        &Line::from(format!(" Queue {cap} ")),
        None,
        theme,
    );
    if inner.height == 0 || inner.width < 10 {
        return;
    }
    let mut y = inner.y;
    let bottom = inner.bottom();
    let row = |y: u16| Rect::new(inner.x, y, inner.width, 1);

    gauge(buf, row(y), snap, theme);
    y += 1;
    if y < bottom {
        let marks = strip(buf, row(y), snap, theme);
        y += 1;
        // Rows left after the rates line; a marker line only when the chart
        // keeps at least five rows (a flatter chart says little).
        let left = bottom.saturating_sub(y + 1);
        if left >= 7 {
            markers(buf, row(y), marks, theme);
            y += 1;
        }
        let left = bottom.saturating_sub(y + 1);
        if left >= 2 {
            chart(buf, Rect::new(inner.x, y, inner.width, left), snap, theme);
            y += left;
        }
    }
    if y < bottom {
        rates(buf, row(y), snap, theme);
    }
}

/// `depth ████████░░░░ 20/32 63%  max 32  mean 18.4`
fn gauge(buf: &mut Buffer, area: Rect, snap: &Snapshot, theme: &Theme) {
    let depth = snap.counts.depth();
    let g = &theme.glyphs;
    let (limit, label) = match snap.capacity.limit() {
        Some(c) => (c as u64, format!(" {depth}/{c}")),
        // Unbounded: the gauge is relative to the deepest point seen.
        None => (snap.max_depth.max(1), format!(" {depth} (unbounded)")),
    };
    let ratio = if limit == 0 {
        if depth > 0 { 1.0 } else { 0.0 }
    } else {
        (depth as f64 / limit as f64).min(1.0)
    };
    // The bar gives way first, then the mean, then the max.
    let max = format!("  max {}", snap.max_depth);
    let mean = format!("  mean {:.1}", snap.mean_depth);
    let fixed = 6 + label.len();
    let room = (area.width as usize).saturating_sub(fixed);
    let rest = [format!("{max}{mean}"), max, String::new()]
        .into_iter()
        .find(|r| r.len() + 4 <= room || r.is_empty())
        .unwrap_or_default();
    let bar_w = room.saturating_sub(rest.len()).min(40);
    let filled = (ratio * bar_w as f64).round() as usize;
    let style = fill_style(theme, ratio);
    draw::spans(
        buf,
        area,
        &[
            Span::styled("depth ", theme.dim),
            Span::styled(g.full.repeat(filled), style),
            Span::styled(g.empty.repeat(bar_w - filled), theme.dim),
            Span::styled(label, style),
            Span::styled(rest, theme.dim),
        ],
    );
}

/// The queue's contents on one row (`out◂ ■■■●●··· ◂in`), for screens
/// with no room for the whole panel.
pub fn strip_line(buf: &mut Buffer, area: Rect, snap: &Snapshot, theme: &Theme) {
    strip(buf, area, snap, theme);
}

/// Columns of the head and tail message in the strip, if any are drawn.
#[derive(Clone, Copy, Debug, Default)]
struct Marks {
    head: Option<u16>,
    tail: Option<u16>,
}

/// `out◂ ■■■■■■■■●●●·········· ◂in`: head on the left, where consumers take;
/// producers append behind the tail; free slots of a bounded queue dotted.
fn strip(buf: &mut Buffer, area: Rect, snap: &Snapshot, theme: &Theme) -> Marks {
    let g = &theme.glyphs;
    let prefix = format!("out{} ", g.left);
    let suffix = format!(" {}in", g.left);
    // Display widths, not byte lengths: the arrow is three bytes in UTF-8.
    let (pre_w, suf_w) = (prefix.chars().count(), suffix.chars().count());
    let room = (area.width as usize).saturating_sub(pre_w + suf_w);
    let mut x = area.x;
    buf.set_string(x, area.y, &prefix, theme.dim);
    x += pre_w as u16;

    let slots = &snap.strip.slots;
    let hidden = snap.strip.hidden;
    // Keep the newest messages that fit (the tail is where pills arrive);
    // everything nearer the head is summarised as `+N`.
    let mut shown = slots.len().min(room);
    let mut more = hidden + (slots.len() - shown) as u64;
    while more > 0 && shown > 0 && shown + format!("+{more} ").len() > room {
        shown -= 1;
        more += 1;
    }
    let mut marks = Marks::default();
    if more > 0 && format!("+{more} ").len() + shown <= room {
        let label = format!("+{more} ");
        buf.set_string(x, area.y, &label, theme.dim);
        marks.head = Some(x);
        x += label.len() as u16;
    }
    let start = x;
    for slot in &slots[slots.len() - shown..] {
        let (sym, style) = match *slot {
            Slot::Item { producer, .. } => (g.item, theme.producer(producer)),
            Slot::Pill => (g.pill, theme.pill),
        };
        buf[(x, area.y)].set_symbol(sym).set_style(style);
        x += 1;
    }
    if shown > 0 {
        marks.head = marks.head.or(Some(start));
        marks.tail = Some(x - 1);
    }
    // Free slots of a bounded queue, as far as they fit.
    if let Some(c) = snap.capacity.limit() {
        let used = (x - area.x) as usize - pre_w;
        let free = (c as u64).saturating_sub(snap.counts.depth().max(hidden + slots.len() as u64));
        let n = (free as usize).min(room.saturating_sub(used));
        for _ in 0..n {
            buf[(x, area.y)].set_symbol(g.free).set_style(theme.dim);
            x += 1;
        }
    }
    if x == start && more == 0 && room >= 7 && snap.capacity == Capacity::Unbounded {
        // Nothing queued and no slots to dot: say so rather than show a gap.
        x = draw::put(buf, x, area.y, "(empty)", room, theme.dim);
    }
    buf.set_string(x, area.y, &suffix, theme.dim);
    marks
}

/// `↑head      tail↑` under the strip.
fn markers(buf: &mut Buffer, area: Rect, marks: Marks, theme: &Theme) {
    let up = theme.glyphs.up;
    match (marks.head, marks.tail) {
        (Some(h), Some(t)) if t > h + 10 => {
            buf.set_string(h, area.y, format!("{up}head"), theme.dim);
            buf.set_string(t.saturating_sub(4), area.y, format!("tail{up}"), theme.dim);
        }
        (Some(h), _) => {
            buf.set_string(h, area.y, format!("{up}head (next out)"), theme.dim);
        }
        _ => {
            buf.set_string(area.x + 5, area.y, "(empty)", theme.dim);
        }
    }
}

/// Depth over the recent history as bars of eighth-blocks, newest on the
/// right; the top row is the capacity line (or the scale when unbounded).
fn chart(buf: &mut Buffer, area: Rect, snap: &Snapshot, theme: &Theme) {
    let g = &theme.glyphs;
    let hist = &snap.history;
    let (scale, top_label) = match snap.capacity.limit() {
        Some(c) => (c.max(1) as u64, c.to_string()),
        // Unbounded: the deepest the queue has been, the gauge's `max`
        // (so the two agree even when the history no longer holds it).
        None => {
            let m = hist
                .iter()
                .map(|h| h.max_depth)
                .max()
                .unwrap_or(0)
                .max(snap.max_depth)
                .max(1);
            (m, m.to_string())
        }
    };
    let gutter = top_label.len().max(1) as u16 + 1;
    if area.width <= gutter + 4 {
        return;
    }
    let cols = (area.width - gutter) as usize;
    let bar_rows = (area.height - 1) as usize;
    let x0 = area.x + gutter;

    // Axis labels: the scale at the capacity line, 0 at the bottom.
    buf.set_string(area.x, area.y, &top_label, theme.dim);
    buf.set_string(area.x + gutter - 2, area.bottom() - 1, "0", theme.dim);

    // Each column covers `per` points so the whole history fits.
    let per = hist.len().div_ceil(cols).max(1);
    let ncols = hist.len().div_ceil(per);
    let span = hist.last().map(|h| h.at).unwrap_or_default();
    let label = match snap.capacity {
        Capacity::Unbounded => format!(" max depth, last {} ", fmt::elapsed(span)),
        _ => format!(" capacity, last {} ", fmt::elapsed(span)),
    };
    let line_style = match snap.capacity {
        Capacity::Unbounded => theme.dim,
        _ => theme.warn,
    };
    for c in 0..cols {
        buf[(x0 + c as u16, area.y)]
            .set_symbol(g.cap_line)
            .set_style(line_style);
    }
    if cols > label.len() + 2 {
        buf.set_string(x0 + 1, area.y, &label, theme.dim);
    }

    // Newest column at the right edge.
    let first_col = cols.saturating_sub(ncols);
    let mut end = hist.len();
    for c in (first_col..cols).rev() {
        let begin = end.saturating_sub(per);
        if begin == end {
            break;
        }
        let value = hist[begin..end]
            .iter()
            .map(|h| h.max_depth)
            .max()
            .unwrap_or(0);
        end = begin;
        let ratio = (value as f64 / scale as f64).min(1.0);
        let eighths = (ratio * (bar_rows * 8) as f64).round() as usize;
        let style = fill_style(theme, ratio);
        let x = x0 + c as u16;
        for r in 0..bar_rows {
            let level = eighths.saturating_sub(r * 8).min(8);
            if level == 0 {
                break;
            }
            let y = area.bottom() - 1 - r as u16;
            buf[(x, y)].set_symbol(g.eighths[level]).set_style(style);
        }
    }
}

/// `in 29.2/s  out 26.7/s  │  2 producers every 50ms  │  4 consumers, work exp:150ms`,
/// said more briefly where that does not fit (`2P×50ms │ 4C×exp:150ms`),
/// and without the setup where even that does not.
fn rates(buf: &mut Buffer, area: Rect, snap: &Snapshot, theme: &Theme) {
    let (inp, out) = recent_rates(&snap.history);
    let sep = theme.glyphs.sep;
    let (p, c) = (snap.live(Role::Producer), snap.live(Role::Consumer));
    let interval = theme.text_of(&snap.interval.to_string()).into_owned();
    let work = theme.text_of(&snap.work.to_string()).into_owned();
    let x = if theme.ascii { "x" } else { "×" };
    let long = format!(
        "{} every {interval}{sep}{} work {work}",
        fmt::n_of(p, "producer"),
        fmt::n_of(c, "consumer")
    );
    let short = format!("{p}P{x}{interval}{sep}{c}C{x}{work}");
    let mut spans = vec![
        Span::styled("in ", theme.dim),
        Span::styled(fmt::rate(inp), theme.text),
        Span::styled("  out ", theme.dim),
        Span::styled(fmt::rate(out), theme.text),
    ];
    let used: usize = spans.iter().map(Span::width).sum::<usize>() + sep.chars().count();
    let room = area.width as usize;
    if let Some(knobs) = [long, short]
        .into_iter()
        .find(|k| used + k.chars().count() <= room)
    {
        spans.push(Span::styled(sep, theme.dim));
        spans.push(Span::styled(knobs, theme.text));
    }
    draw::spans(buf, area, &spans);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_use_the_last_second() {
        let step = Duration::from_millis(250);
        let hist: Vec<HistoryPoint> = (1..=10)
            .map(|k| HistoryPoint {
                at: step * k,
                produced: 10,
                done: 5,
                ..HistoryPoint::default()
            })
            .collect();
        let (i, o) = recent_rates(&hist);
        assert!((i - 40.0).abs() < 1e-9 && (o - 20.0).abs() < 1e-9);
        assert_eq!(recent_rates(&[]), (0.0, 0.0));
        // Finer buckets early in a run: still the last second.
        let fine: Vec<HistoryPoint> = (1..=1000)
            .map(|k| HistoryPoint {
                at: Duration::from_millis(4) * k,
                produced: if k > 750 { 1 } else { 0 },
                done: 0,
                ..HistoryPoint::default()
            })
            .collect();
        let (i, _) = recent_rates(&fine);
        assert!((i - 250.0).abs() < 1e-9, "{i}");
        // A window longer than the history: all of it.
        let (i, _) = rates_over(&hist, Duration::from_secs(10));
        assert!((i - 40.0).abs() < 1e-9, "{i}");
    }

    #[test]
    fn an_unbounded_charts_scale_is_the_gauges_max() {
        let mut snap = crate::testing::mmc();
        // The deepest moment has left the history; the gauge still says it.
        snap.max_depth = 40;
        assert!(snap.history.iter().all(|h| h.max_depth < 40));
        let area = Rect::new(0, 0, 60, 12);
        let mut buf = Buffer::empty(area);
        render(&mut buf, area, &snap, &Theme::default());
        let rows: Vec<String> = (0..12)
            .map(|y| (0..60).map(|x| buf[(x, y)].symbol().to_string()).collect())
            .collect();
        assert!(rows[1].contains("max 40"), "{rows:#?}");
        let top = rows.iter().find(|r| r.contains("max depth, last")).unwrap();
        assert!(top.starts_with("│40 "), "{rows:#?}");
    }

    fn strip_text(snap: &Snapshot) -> String {
        let area = Rect::new(0, 0, 46, 1);
        let mut buf = Buffer::empty(area);
        strip(&mut buf, area, snap, &Theme::default());
        buf.content().iter().map(|c| c.symbol()).collect()
    }

    #[test]
    fn strip_shows_head_first_and_summarises_what_does_not_fit() {
        let mut snap = crate::testing::shutting_down();
        assert_eq!(
            strip_text(&snap).trim_end(),
            "out◂ ■■■■■■■■■■■■■■■■■■■■■■■■■■■■■●●● ◂in"
        );
        snap.strip.hidden = 100;
        let text = strip_text(&snap);
        assert!(text.starts_with("out◂ +1"), "{text}");
        assert!(
            text.trim_end().ends_with("●●● ◂in"),
            "pills at the tail stay: {text}"
        );
        snap.capacity = Capacity::Unbounded;
        snap.counts.queued = 0;
        snap.counts.pills_sent = 0;
        snap.strip = crate::sim::QueueStrip::default();
        assert_eq!(strip_text(&snap).trim_end(), "out◂ (empty) ◂in");
    }
}
