//! How far a shutdown's drain has to go: the items still to finish once
//! producers have stopped, the rate the consumers finish them at lately,
//! and so the time left. A pure function of a `Snapshot`, so the live
//! header and `run`'s progress line on stderr say the same thing.

use std::time::Duration;

use crate::sim::{Phase, Snapshot};

/// History points the recent rate is taken over (about 2 s).
const WINDOW: usize = 9;

/// A drain in progress.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Drain {
    /// Items queued or being worked on.
    pub left: u64,
    /// Items finished per second lately (0 when none finish).
    pub rate: f64,
    /// The time left at that rate; `None` while nothing finishes.
    pub eta: Option<Duration>,
}

/// Longest time an estimate states (beyond it: "no end in sight").
const MAX_ETA: Duration = Duration::from_secs(100 * 24 * 3600);

/// The drain of `snap`, while it is shutting down with items left.
pub fn estimate(snap: &Snapshot) -> Option<Drain> {
    if snap.phase != Phase::ShuttingDown {
        return None;
    }
    let c = &snap.counts;
    let left = c.queued.saturating_add(c.in_flight);
    if left == 0 {
        return None;
    }
    let rate = recent_rate(snap);
    let eta = (rate > 0.0)
        .then(|| left as f64 / rate)
        .filter(|s| s.is_finite())
        .map(|s| Duration::from_secs_f64(s.min(MAX_ETA.as_secs_f64())));
    Some(Drain { left, rate, eta })
}

/// Items finished per second over the last few history points, or over
/// the whole run when there are too few.
fn recent_rate(snap: &Snapshot) -> f64 {
    let h = &snap.history;
    if h.len() >= 2 {
        let w = &h[h.len().saturating_sub(WINDOW)..];
        if let (Some(first), Some(last)) = (w.first(), w.last()) {
            let span = last.at.saturating_sub(first.at).as_secs_f64();
            // The first point's items were done before the span began.
            let done: u64 = w[1..].iter().map(|p| p.done).fold(0, u64::saturating_add);
            if span > 0.0 {
                return done as f64 / span;
            }
        }
    }
    snap.throughput()
}

/// `1234 left ~12.0s`, or `1234 left, none finishing` while nothing finishes.
pub fn short(d: &Drain) -> String {
    match d.eta {
        Some(eta) => format!("{} left ~{}", d.left, crate::units::clock(eta)),
        None => format!("{} left, none finishing", d.left),
    }
}

/// The progress line `run` prints on stderr.
pub fn line(d: &Drain) -> String {
    let eta = match d.eta {
        Some(eta) if eta >= MAX_ETA => "no end in sight".to_string(),
        Some(eta) => format!("about {} to go", crate::units::clock(eta)),
        None => "none finishing yet".to_string(),
    };
    format!(
        "queuescope: draining: {} items left at {}: {eta}",
        d.left,
        crate::units::rate(d.rate)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::HistoryPoint;
    use crate::testing;

    fn draining(left: u64, done_per_point: u64) -> Snapshot {
        let mut s = testing::running(2);
        s.phase = Phase::ShuttingDown;
        let moved = s.counts.queued;
        s.counts.queued = left;
        s.counts.produced = s.counts.produced - moved + left;
        s.history = (1..=12)
            .map(|k| HistoryPoint {
                at: Duration::from_millis(250 * k),
                done: done_per_point,
                ..HistoryPoint::default()
            })
            .collect();
        s
    }

    #[test]
    fn the_time_left_is_what_is_left_at_the_recent_rate() {
        // 100 per 250 ms = 400/s; 4,000 left (+ in flight) is about 10 s.
        let s = draining(4_000, 100);
        let d = estimate(&s).expect("draining");
        assert_eq!(d.left, 4_000 + s.counts.in_flight);
        assert!((d.rate - 400.0).abs() < 1e-9, "{}", d.rate);
        let eta = d.eta.expect("progress").as_secs_f64();
        assert!((eta - d.left as f64 / 400.0).abs() < 1e-6, "{eta}");
        assert!(
            line(&d).contains("items left at 400.0/s: about 10."),
            "{}",
            line(&d)
        );
    }

    #[test]
    fn no_progress_and_no_drain_are_said_so() {
        let d = estimate(&draining(50, 0)).expect("draining");
        assert_eq!(d.eta, None);
        assert_eq!(short(&d), format!("{} left, none finishing", d.left));
        let mut running = draining(50, 10);
        running.phase = Phase::Running;
        assert_eq!(estimate(&running), None);
    }
}
