//! The sweep's progress bar on stderr: one line redrawn in place, shown only
//! when stderr is a terminal (a log file gets no carriage-return noise), and
//! at most ten times a second.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use super::Progress;

/// Width of the bar itself, in cells.
const BAR: usize = 30;
/// Fastest redraw.
const EVERY: Duration = Duration::from_millis(100);

/// The bar's text for `p`, `elapsed` into the sweep (no control characters).
///
/// ```
/// use queuescope::sweep::{Progress, progress::line};
/// use std::time::Duration;
/// let p = Progress { done: 2, total: 4, within: 0.0, point: (1, 3), finished: None };
/// assert_eq!(line(&p, Duration::from_secs(10)),
///     "sweep [###############...............]  50%  2/4 trials  P1 C3  ~10s left");
/// ```
pub fn line(p: &Progress, elapsed: Duration) -> String {
    let f = p.fraction();
    let filled = ((f * BAR as f64).round() as usize).min(BAR);
    let left = if f > 0.01 {
        let rest = Duration::from_secs(((elapsed.as_secs_f64() * (1.0 - f) / f).round()) as u64);
        if rest.as_secs() < 60 {
            format!("  ~{}s left", rest.as_secs())
        } else {
            format!("  ~{} left", crate::units::clock(rest))
        }
    } else {
        String::new()
    };
    format!(
        "sweep [{}{}] {:>3.0}%  {}/{} trials  P{} C{}{left}",
        "#".repeat(filled),
        ".".repeat(BAR - filled),
        f * 100.0,
        p.done,
        p.total,
        p.point.0,
        p.point.1,
    )
}

/// Draws [`line()`] on stderr when it is a terminal.
#[derive(Debug)]
pub struct Bar {
    on: bool,
    start: Instant,
    last: Option<Instant>,
}

impl Bar {
    /// A bar that draws only if stderr is a terminal.
    pub fn stderr() -> Bar {
        Bar {
            on: std::io::stderr().is_terminal(),
            start: Instant::now(),
            last: None,
        }
    }

    /// Redraw for `p` (rate-limited).
    pub fn update(&mut self, p: &Progress) {
        if !self.on {
            return;
        }
        let now = Instant::now();
        if self.last.is_some_and(|t| now - t < EVERY) && p.finished.is_none() {
            return;
        }
        self.last = Some(now);
        let mut err = std::io::stderr().lock();
        // \r and "erase line": the bar overwrites itself.
        let _ = write!(err, "\r\x1b[2K{}", line(p, self.start.elapsed()));
        let _ = err.flush();
    }

    /// Erase the bar, leaving the line clean for the report.
    pub fn clear(&mut self) {
        if self.on && self.last.is_some() {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
