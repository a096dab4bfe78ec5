//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod pty;
pub mod python;

use std::time::Duration;

use queuescope::sim::{Capacity, Config, Dist, Snapshot, WorkMode, WorkSpec, Workload};

/// Fixed sleep of `ms` milliseconds.
pub fn ms(ms: u64) -> WorkSpec {
    WorkSpec::new(WorkMode::Sleep, Dist::Fixed(Duration::from_millis(ms)))
}

/// A finite config with zero interval and work.
pub fn config(producers: usize, consumers: usize, capacity: Capacity, items: u64) -> Config {
    Config {
        name: "test".into(),
        producers,
        consumers,
        capacity,
        workload: Workload::Items(items),
        interval: WorkSpec::zero(),
        work: WorkSpec::zero(),
        ..Config::default()
    }
}

/// Asserts the conservation law and the sanity of every counter.
pub fn assert_conserved(s: &Snapshot) {
    let c = s.counts;
    assert_eq!(
        c.produced,
        c.consumed + c.failed + c.queued + c.in_flight,
        "conservation broken: {c:?}"
    );
    let live_consumers = s
        .threads
        .iter()
        .filter(|t| t.role == queuescope::sim::Role::Consumer)
        .count() as u64;
    assert!(
        c.in_flight <= live_consumers,
        "more in flight than consumers: {c:?}"
    );
    assert!(c.pills_received <= c.pills_sent, "{c:?}");
}
