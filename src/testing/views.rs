//! The views that sit beside a snapshot: the Tune view's sweep and the
//! replay's position.

use super::parts::ms;
use crate::replay::ReplayView;
use crate::sim::Config;
use crate::sweep::{Point, SweepSpec, trial::Outcome};
use crate::tune::{TUNE_TRIAL, TuneState, TuneView};

/// Measured throughput (/s), p50 and p99 wait (ms) and utilization for
/// 1..8 consumers.
const MEASURED: [(f64, u64, u64, f64); 8] = [
    (12.4, 1_900, 2_560, 1.0),
    (24.6, 880, 1_300, 0.99),
    (35.9, 210, 620, 0.96),
    (39.2, 40, 180, 0.79),
    (39.8, 12, 95, 0.64),
    (40.0, 5, 60, 0.53),
    (39.9, 2, 41, 0.46),
    (40.1, 1, 30, 0.40),
];

/// The Tune view of the default scenario (2 producers, 4 consumers):
/// consumers 1..8, with the first `points` measured; `done` when all 8 are.
/// Arrival is 40/s and each consumer serves 12.5/s, so throughput climbs to
/// 40/s and levels off from 4 consumers (the knee) while p99 wait falls.
pub fn tune_view(points: usize) -> TuneView {
    let spec = SweepSpec::new(Config::default(), vec![2], (1..=8).collect(), TUNE_TRIAL, 1)
        .expect("a valid sweep");
    let mut tv = TuneView::new(&spec);
    for (i, &(tput, p50, p99, util)) in MEASURED.iter().enumerate().take(points.min(8)) {
        tv.result.points.push(Point {
            producers: 2,
            consumers: i + 1,
            throughput: tput,
            mean_depth: 32.0 / (i + 1) as f64,
            wait_p50: ms(p50),
            wait_p99: ms(p99),
            utilization: util,
            makespan: None,
            trials: 1,
            failed: 0,
            outcome: Outcome::Ok,
        });
    }
    if points >= 8 {
        tv.state = TuneState::Done;
        tv.progress = 1.0;
    } else {
        tv.progress = (points as f64 + 0.4) / 8.0;
        tv.point = (2, points + 1);
    }
    tv
}

/// A replay paused 5.8 s into a 22.4 s recording at 2x, 61 of 139 events
/// shown, with `dropped` events lost while recording.
pub fn replay_view(dropped: u64) -> ReplayView {
    ReplayView {
        at: ms(5_800),
        duration: ms(22_400),
        speed: 2.0,
        playing: false,
        events: (61, 139),
        dropped_events: dropped,
        latency_recorded: true,
    }
}
