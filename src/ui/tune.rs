//! The Tune view (`T`): a sweep of the consumer count running in the
//! background, its progress, the throughput and p99 curves (the same charts
//! `queuescope sweep` prints), the knee, and the offer to apply it.
//! Pure: everything comes from the [`TuneView`] and the live snapshot.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
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

    // Top line: progress while running, the verdict when done.
    let top = row(inner.y);
    match &tv.state {
        TuneState::Running => {
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
            let g = &theme.glyphs;
            let x = draw::put(buf, x, top.y, &g.full.repeat(filled), filled, theme.good);
            let x = draw::put(
                buf,
                x,
                top.y,
                &g.empty.repeat(bar_w - filled),
                bar_w - filled,
                theme.dim,
            );
            draw::put(buf, x, top.y, &pct, pct.len(), theme.text);
        }
        TuneState::Done => {
            draw::put(
                buf,
                top.x,
                top.y,
                &verdict(r),
                top.width as usize,
                theme.good,
            );
        }
        TuneState::Failed(e) => {
            draw::put(buf, top.x, top.y, e, top.width as usize, theme.bad);
        }
    }

    // The charts, side by side when there is room, else stacked.
    let done = tv.state == TuneState::Done;
    let charts = Rect::new(
        inner.x,
        inner.y + 2,
        inner.width,
        inner.height.saturating_sub(4),
    );
    if r.points.is_empty() {
        draw::put(
            buf,
            charts.x + 1,
            charts.y,
            "the first point is being measured; the curves appear as points finish",
            charts.width.saturating_sub(2) as usize,
            theme.dim,
        );
    } else if charts.width >= 100 || charts.height < 16 {
        let half = charts.width / 2;
        let left = Rect {
            width: half,
            ..charts
        };
        let right = Rect {
            x: charts.x + half,
            width: charts.width - half,
            ..charts
        };
        chart::render(buf, left, r, Metric::Throughput, done, theme);
        chart::render(buf, right, r, Metric::WaitP99, done, theme);
    } else {
        let half = charts.height / 2;
        let upper = Rect {
            height: half,
            ..charts
        };
        let lower = Rect {
            y: charts.y + half,
            height: charts.height - half,
            ..charts
        };
        chart::render(buf, upper, r, Metric::Throughput, done, theme);
        chart::render(buf, lower, r, Metric::WaitP99, done, theme);
    }

    // The keys: what Enter would do, once there is a knee.
    let keys = row(inner.bottom().saturating_sub(1));
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
    let line = Line::from(spans);
    draw::spans(buf, keys, &line.spans);
}
