//! The Tune view (`T`): a sweep of the consumer count running in the
//! background, its progress, the throughput and p99 curves (the same charts
//! `queuescope sweep` prints), the knee, and the offer to apply it.
//! Pure: everything comes from the [`TuneView`] and the live snapshot.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Clear, Widget};

use super::draw::{self, block};
use super::fmt;
use super::sweep_chart::{self as chart, Metric};
use super::theme::Theme;
use crate::sim::{Role, Snapshot};
use crate::sweep::output::verdict;
use crate::sweep::range::show_counts;
use crate::tune::{TuneState, TuneView, live};

/// Draws the Tune view over everything between the header and the footer
/// of `area` (the charts need the room; the header still shows the run).
pub fn render(buf: &mut Buffer, area: Rect, snap: &Snapshot, tv: &TuneView, theme: &Theme) {
    let rect = Rect::new(
        area.x,
        area.y + 1,
        area.width,
        area.height.saturating_sub(2),
    );
    Clear.render(rect, buf);
    let r = &tv.result;
    let title = format!(
        " Tune: consumers {} with {}, {} trials ",
        show_counts(&r.consumers),
        fmt::n_of(r.producers.first().copied().unwrap_or(1), "producer"),
        crate::sim::work::fmt_duration(r.trial),
    );
    let block = block(title, theme);
    let inner = block.inner(rect);
    block.render(rect, buf);
    if inner.height < 6 || inner.width < 30 {
        return;
    }
    let row = |y: u16| Rect::new(inner.x + 1, y, inner.width.saturating_sub(2), 1);
    status(buf, row(inner.y), tv, theme);
    let charts_area = Rect::new(
        inner.x,
        inner.y + 2,
        inner.width,
        inner.height.saturating_sub(4),
    );
    charts(buf, charts_area, tv, theme);
    keys(buf, row(inner.bottom().saturating_sub(1)), snap, tv, theme);
}

/// The top line: progress while running, the verdict when done.
fn status(buf: &mut Buffer, top: Rect, tv: &TuneView, theme: &Theme) {
    let width = top.width as usize;
    match &tv.state {
        TuneState::Running => progress(buf, top, tv, theme),
        TuneState::Done => {
            draw::put(buf, top.x, top.y, &verdict(&tv.result), width, theme.good);
        }
        TuneState::Failed(e) => {
            draw::put(buf, top.x, top.y, e, width, theme.bad);
        }
    }
}

/// `measuring 2 producers + 4 consumers  ████░░░░  42%`.
fn progress(buf: &mut Buffer, top: Rect, tv: &TuneView, theme: &Theme) {
    let (p, c) = tv.point;
    let label = format!(
        "measuring {} + {}  ",
        fmt::n_of(p, "producer"),
        fmt::n_of(c, "consumer")
    );
    let x = draw::put(buf, top.x, top.y, &label, top.width as usize, theme.text);
    let room = top.right().saturating_sub(x) as usize;
    let pct = format!(" {:>3.0}%", tv.progress * 100.0);
    let bar_w = room.saturating_sub(pct.len());
    let filled = ((tv.progress.clamp(0.0, 1.0) * bar_w as f64).round() as usize).min(bar_w);
    let empty = bar_w - filled;
    let g = &theme.glyphs;
    let x = draw::put(buf, x, top.y, &g.full.repeat(filled), filled, theme.good);
    let x = draw::put(buf, x, top.y, &g.empty.repeat(empty), empty, theme.dim);
    draw::put(buf, x, top.y, &pct, pct.len(), theme.text);
}

/// The two charts, side by side when there is room, else stacked; the
/// knee is marked only once the sweep is done (a provisional one moves).
fn charts(buf: &mut Buffer, area: Rect, tv: &TuneView, theme: &Theme) {
    let r = &tv.result;
    let done = tv.state == TuneState::Done;
    if r.points.is_empty() {
        draw::put(
            buf,
            area.x + 1,
            area.y,
            "the first point is being measured; the curves appear as points finish",
            area.width.saturating_sub(2) as usize,
            theme.dim,
        );
        return;
    }
    let (first, second) = if area.width >= 100 || area.height < 16 {
        let half = area.width / 2;
        (
            Rect {
                width: half,
                ..area
            },
            Rect {
                x: area.x + half,
                width: area.width - half,
                ..area
            },
        )
    } else {
        let half = area.height / 2;
        (
            Rect {
                height: half,
                ..area
            },
            Rect {
                y: area.y + half,
                height: area.height - half,
                ..area
            },
        )
    };
    chart::render(buf, first, r, Metric::Throughput, done, theme);
    chart::render(buf, second, r, Metric::WaitP99, done, theme);
}

/// The keys: what Enter would do, once there is a knee.
fn keys(buf: &mut Buffer, area: Rect, snap: &Snapshot, tv: &TuneView, theme: &Theme) {
    let mut spans = Vec::new();
    if let Some(k) = tv.knee() {
        let now = live(snap, Role::Consumer);
        let what = if k.consumers == now {
            format!(" keep {} (already there) ", fmt::n_of(now, "consumer"))
        } else {
            format!(
                " go to {} (now {}) ",
                fmt::n_of(k.consumers, "consumer"),
                now
            )
        };
        spans.push(Span::styled(theme.glyphs.enter, theme.key));
        spans.push(Span::styled(what, theme.text));
        spans.push(Span::styled(" esc", theme.key));
        spans.push(Span::styled(" close ", theme.dim));
    } else {
        spans.push(Span::styled("esc", theme.key));
        spans.push(Span::styled(" stop and close ", theme.dim));
        spans.push(Span::styled(
            " the live run goes on while the sweep measures",
            theme.dim,
        ));
    }
    draw::spans(buf, area, &spans);
}
