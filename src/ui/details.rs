//! The details overlay (Enter on a thread): its state timeline, time spent
//! in each state, and its latency percentiles and histogram. The engine
//! includes [`ThreadDetail`] only while this overlay is open.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

use super::draw::block;
use super::fmt;
use super::layout::centered;
use super::theme::Theme;
use super::threads::{lane_cell, state_words};
use crate::app::ViewState;
use crate::sim::{Bucket, LatencySummary, Snapshot, ThreadDetail, ThreadSnap, ThreadState};

/// Most histogram bars shown.
const MAX_BARS: usize = 12;

/// The histogram without its empty ends (the engine's buckets start at
/// 1 µs), neighbours merged until at most `max` bars remain.
pub fn bars(histogram: &[Bucket], max: usize) -> Vec<Bucket> {
    let first = histogram.iter().position(|b| b.count > 0);
    let last = histogram.iter().rposition(|b| b.count > 0);
    let (Some(first), Some(last)) = (first, last) else {
        return Vec::new();
    };
    let mut v = histogram[first..=last].to_vec();
    let max = max.max(1);
    while v.len() > max {
        // Merge pairs from the top so the upper edges stay the engine's.
        v = v
            .rchunks(2)
            .rev()
            .map(|pair| Bucket {
                upto: pair[pair.len() - 1].upto,
                count: pair.iter().map(|b| b.count).sum(),
            })
            .collect();
    }
    v
}

/// Draws the details of the selected thread centred on `area`.
pub fn render(buf: &mut Buffer, area: Rect, snap: &Snapshot, view: &ViewState, theme: &Theme) {
    let w = (area.width * 9 / 10).clamp(56, 130);
    let Some(t) = view
        .threads
        .selected
        .and_then(|id| snap.threads.iter().find(|t| t.id == id))
    else {
        let rect = centered(area, w, 3);
        Clear.render(rect, buf);
        let block = block(" Details ", theme);
        Paragraph::new("No thread selected.")
            .block(block)
            .render(rect, buf);
        return;
    };
    let detail = snap.detail.as_ref().filter(|d| d.id == t.id);
    // Recordings before version 2 keep the timeline but not each thread's
    // histograms.
    let old_recording = matches!(&view.source,
        crate::source::SourceView::Replay(r) if !r.latency_recorded);
    let latency_shown = if old_recording {
        Latency {
            detail: None,
            missing: "not in this recording (made by an older queuescope)",
        }
    } else {
        Latency {
            detail,
            missing: "loading...",
        }
    };
    // Timeline: the detail's full history when present, else the row's lane.
    let timeline: &[ThreadState] = detail.map_or(&t.lane, |d| &d.timeline);
    // Size the window to its content, so it covers no more than it must.
    let inner_w = w.min(area.width).saturating_sub(2) as usize;
    let timeline_rows = timeline.len().div_ceil(inner_w.max(1)).clamp(1, 4);
    let h = window_height(t, detail, timeline_rows, inner_w);
    let rect = centered(area, w, h.min(area.height.saturating_sub(2)));
    Clear.render(rect, buf);
    let inner = frame(buf, rect, t, snap, theme);
    if inner.height < 4 {
        return;
    }
    let mut y = inner.y;
    summary(t, theme).render(Rect::new(inner.x, y, inner.width, 1), buf);
    y += 2;
    let rows = timeline_rows as u16;
    y = timeline_block(buf, inner, y, (timeline, snap.history_step), rows, theme);
    y += 1;
    if y >= inner.bottom() {
        return;
    }
    let rest = Rect::new(inner.x, y, inner.width, inner.bottom() - y);
    states_and_latency(buf, rest, t, latency_shown, theme);
}

/// The latency to show, and what to say without it.
struct Latency<'a> {
    /// The thread's histograms (none for a replay of an old recording).
    detail: Option<&'a ThreadDetail>,
    /// Shown in their place.
    missing: &'static str,
}

/// The window's height for `t`: borders, the summary, the timeline, and
/// the time per state beside (or above) the latency.
fn window_height(
    t: &ThreadSnap,
    detail: Option<&ThreadDetail>,
    timeline_rows: usize,
    inner_w: usize,
) -> u16 {
    let states = t.time_in.iter().filter(|d| !d.is_zero()).count() + 1;
    let lat = detail.map_or(2, |d| {
        5 + bars(&d.histogram, MAX_BARS).len() + usize::from(d.sleeps.count > 0)
    });
    let body = if inner_w >= 96 {
        states.max(lat)
    } else {
        states + 1 + lat
    };
    (2 + 1 + timeline_rows + 1 + body + 2) as u16
}

/// The window's border with the thread's name, role and state on top;
/// returns the inner area.
fn frame(buf: &mut Buffer, rect: Rect, t: &ThreadSnap, snap: &Snapshot, theme: &Theme) -> Rect {
    let dot = theme.glyphs.dot;
    let title = Line::from(vec![
        Span::raw(" "),
        Span::styled(theme.state_symbol(t.state), theme.state(t.state)),
        Span::styled(format!(" {}", theme.text_of(&t.name)), theme.title),
        Span::styled(format!("{dot}{}{dot}", t.role), theme.dim),
        Span::styled(
            format!("{} ", state_words(t, snap, theme)),
            theme.state(t.state),
        ),
    ]);
    let block = block(title, theme)
        .title_bottom(Line::from(" esc closes, j/k other thread ").right_aligned());
    let inner = block.inner(rect);
    block.render(rect, buf);
    inner
}

/// `items 120 · failed 0 · busy 97% · blocked 0% · alive 12.6s · in this state 3ms`.
fn summary(t: &ThreadSnap, theme: &Theme) -> Line<'static> {
    let dot = theme.glyphs.dot;
    let life = t.lifetime();
    let share = |d: std::time::Duration| {
        if life.is_zero() {
            0.0
        } else {
            d.as_secs_f64() / life.as_secs_f64()
        }
    };
    Line::from(vec![
        Span::styled("items ", theme.dim),
        Span::styled(t.items.to_string(), theme.text),
        Span::styled(format!("{dot}failed "), theme.dim),
        Span::styled(
            t.failed.to_string(),
            if t.failed > 0 { theme.bad } else { theme.text },
        ),
        Span::styled(format!("{dot}busy "), theme.dim),
        Span::styled(fmt::pct(t.busy_fraction()), theme.text),
        Span::styled(format!("{dot}blocked "), theme.dim),
        Span::styled(fmt::pct(share(t.blocked())), theme.text),
        Span::styled(format!("{dot}alive "), theme.dim),
        Span::styled(fmt::elapsed(life), theme.text),
        Span::styled(format!("{dot}in this state "), theme.dim),
        Span::styled(fmt::dur(t.in_state_for), theme.text),
    ])
}

/// The time per state and the latency: side by side from 96 columns,
/// else stacked.
fn states_and_latency(buf: &mut Buffer, rest: Rect, t: &ThreadSnap, lat: Latency, theme: &Theme) {
    let Latency { detail, missing } = lat;
    if rest.width >= 96 {
        let left_w = rest.width / 2 - 1;
        let left = Rect {
            width: left_w,
            ..rest
        };
        let right = Rect {
            x: rest.x + left_w + 2,
            width: rest.width - left_w - 2,
            ..rest
        };
        time_per_state(buf, left, t, theme);
        latency(buf, right, detail, missing, theme);
        return;
    }
    let states = t.time_in.iter().filter(|d| !d.is_zero()).count() as u16 + 1;
    let top = Rect {
        height: states.min(rest.height),
        ..rest
    };
    time_per_state(buf, top, t, theme);
    if rest.height > top.height + 1 {
        let below = Rect {
            y: top.bottom() + 1,
            height: rest.height - top.height - 1,
            ..rest
        };
        latency(buf, below, detail, missing, theme);
    }
}

/// The state history as rows of swimlane cells, newest last; returns the
/// next free row.
fn timeline_block(
    buf: &mut Buffer,
    inner: Rect,
    mut y: u16,
    (timeline, step): (&[ThreadState], std::time::Duration),
    max_rows: u16,
    theme: &Theme,
) -> u16 {
    let g = &theme.glyphs;
    let width = inner.width as usize;
    let rows = timeline
        .len()
        .div_ceil(width.max(1))
        .clamp(1, max_rows as usize);
    let shown = timeline.len().min(rows * width);
    let span = step * shown as u32;
    let label = format!(
        "state timeline: last {} (one cell = {}), oldest {} newest",
        fmt::elapsed(span),
        fmt::dur(step),
        g.arrow
    );
    buf.set_stringn(inner.x, y, label, width, theme.dim);
    y += 1;
    let cells = &timeline[timeline.len() - shown..];
    for (k, chunk) in cells.chunks(width.max(1)).enumerate() {
        let ry = y + k as u16;
        if ry >= inner.bottom() {
            break;
        }
        for (i, &s) in chunk.iter().enumerate() {
            let at = k * width.max(1) + i;
            let prev = at.checked_sub(1).map(|p| cells[p]);
            let shown = lane_cell(prev, s);
            buf[(inner.x + i as u16, ry)]
                .set_symbol(theme.lane_glyph(shown))
                .set_style(theme.state(shown));
        }
    }
    y + rows as u16
}

/// `working   ██████████░░  12.3s  97%` for each state the thread has been in.
fn time_per_state(buf: &mut Buffer, area: Rect, t: &ThreadSnap, theme: &Theme) {
    let g = &theme.glyphs;
    let life = t.lifetime().as_secs_f64();
    let mut lines = vec![Line::styled("time per state", theme.dim)];
    let bar_w = (area.width as usize).saturating_sub(2 + 14 + 8 + 5).min(40);
    for s in ThreadState::ALL {
        let d = t.time_in[s as usize];
        if d.is_zero() {
            continue;
        }
        let f = if life > 0.0 {
            d.as_secs_f64() / life
        } else {
            0.0
        };
        let filled = ((f * bar_w as f64).round() as usize).min(bar_w);
        lines.push(Line::from(vec![
            Span::styled(theme.state_symbol(s), theme.state(s)),
            Span::styled(format!(" {:<14}", s.name()), theme.text),
            Span::styled(g.full.repeat(filled), theme.state(s)),
            Span::styled(" ".repeat(bar_w - filled), theme.text),
            Span::styled(format!("{:>8}", fmt::dur(d)), theme.text),
            Span::styled(format!("{:>5}", fmt::pct(f)), theme.dim),
        ]));
    }
    Paragraph::new(lines).render(area, buf);
}

/// `sleeps 84 × 149ms +4µs (+0.00%) · margin 62µs`: how true its interval
/// or work times were (mean asked, mean lateness), and how early before each
/// deadline it stops waiting and spins (the engine's hybrid sleep).
fn sleeps(d: &ThreadDetail, theme: &Theme) -> Option<Line<'static>> {
    let s = d.sleeps;
    let error = s.error()?;
    let n = u32::try_from(s.count).unwrap_or(u32::MAX);
    let late = s.actual.saturating_sub(s.asked) / n;
    Some(Line::from(vec![
        Span::styled("sleeps ", theme.dim),
        Span::styled(
            format!(
                "{} × {} +{} ({:+.2}%)",
                fmt::count(s.count),
                fmt::dur(s.asked / n),
                fmt::dur(late),
                error * 100.0
            ),
            theme.text,
        ),
        Span::styled(format!("{}margin ", theme.glyphs.dot), theme.dim),
        Span::styled(fmt::dur(s.margin), theme.text),
    ]))
}

/// Percentiles and the end-to-end histogram.
fn latency(
    buf: &mut Buffer,
    area: Rect,
    detail: Option<&ThreadDetail>,
    missing: &str,
    theme: &Theme,
) {
    let mut lines: Vec<Line> = detail.and_then(|d| sleeps(d, theme)).into_iter().collect();
    lines.push(Line::styled(
        format!(
            "latency    {:>8}{:>8}{:>8}{:>8}",
            "p50", "p90", "p99", "max"
        ),
        theme.dim,
    ));
    let Some(d) = detail else {
        lines.push(Line::styled(missing.to_string(), theme.dim));
        Paragraph::new(lines).render(area, buf);
        return;
    };
    if d.end_to_end.count == 0 && d.queue_wait.count == 0 {
        lines.push(Line::styled(
            "no items taken by this thread (latency is per consumer)",
            theme.dim,
        ));
        Paragraph::new(lines).render(area, buf);
        return;
    }
    let row = |name: &str, l: &LatencySummary| {
        Line::from(vec![
            Span::styled(format!("{name:<11}"), theme.dim),
            Span::styled(
                format!(
                    "{:>8}{:>8}{:>8}{:>8}",
                    fmt::dur(l.p50),
                    fmt::dur(l.p90),
                    fmt::dur(l.p99),
                    fmt::dur(l.max)
                ),
                theme.text,
            ),
        ])
    };
    lines.push(row("queue wait", &d.queue_wait));
    lines.push(row("end-to-end", &d.end_to_end));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("end-to-end histogram ({} items)", d.end_to_end.count),
        theme.dim,
    ));
    let room = (area.height as usize)
        .saturating_sub(lines.len())
        .min(MAX_BARS);
    let bars = bars(&d.histogram, room);
    let most = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let bar_w = (area.width as usize).saturating_sub(12 + 8).min(40);
    let le = if theme.ascii { "<=" } else { "≤" };
    for b in &bars {
        let filled = (b.count as f64 / most as f64 * bar_w as f64).round() as usize;
        lines.push(Line::from(vec![
            Span::styled(format!("{le}{:>8} ", fmt::dur(b.upto)), theme.dim),
            Span::styled(theme.glyphs.full.repeat(filled), theme.good),
            Span::styled(format!(" {}", b.count), theme.text),
        ]));
    }
    Paragraph::new(lines).render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn b(us: u64, count: u64) -> Bucket {
        Bucket {
            upto: Duration::from_micros(us),
            count,
        }
    }

    #[test]
    fn bars_drop_empty_ends_and_merge() {
        let h: Vec<Bucket> = [0, 0, 3, 0, 5, 2, 0]
            .iter()
            .enumerate()
            .map(|(i, &c)| b(1 << i, c))
            .collect();
        assert_eq!(bars(&h, 10), vec![b(4, 3), b(8, 0), b(16, 5), b(32, 2)]);
        assert_eq!(bars(&h, 2), vec![b(8, 3), b(32, 7)]);
        assert!(bars(&[b(1, 0)], 5).is_empty());
    }
}
