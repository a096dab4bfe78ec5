//! Every lint fires on the scenario that teaches it, and on no healthy
//! scenario. Runs the real presets on real threads for a few seconds each
//! (trend lints look at the last 5 s of history).

use std::time::{Duration, Instant};

use queuescope::analysis::lint::{LintKind, lints};
use queuescope::scenario;
use queuescope::sim::{Command, Engine};

/// Runs preset `name` for up to `secs` (or until done), then shuts it down;
/// returns every lint kind seen along the way.
fn seen(name: &str, secs: u64) -> Vec<LintKind> {
    let config = scenario::load(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let engine = Engine::start(config).unwrap();
    let mut kinds = Vec::new();
    let mut note = |s: &queuescope::sim::Snapshot| {
        for l in lints(s) {
            if !kinds.contains(&l.kind) {
                kinds.push(l.kind);
            }
        }
    };
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until && !engine.is_over() {
        note(&engine.snapshot());
        std::thread::sleep(Duration::from_millis(50));
    }
    // Graceful shutdown; a hung scenario is aborted after a moment.
    engine.send(Command::Shutdown);
    if !engine.wait(Duration::from_secs(3)) {
        note(&engine.snapshot());
        engine.send(Command::Abort);
        assert!(engine.wait(Duration::from_secs(10)), "{name}: abort hung");
    }
    note(&engine.snapshot());
    kinds
}

#[test]
fn too_few_pills_hangs_and_says_so() {
    let k = seen("too-few-pills", 3);
    assert!(k.contains(&LintKind::Hang), "{k:?}");
    assert!(k.contains(&LintKind::PillsMismatch), "{k:?}");
}

#[test]
fn early_pill_strands_items_and_a_producer() {
    let k = seen("early-pill", 4);
    assert!(k.contains(&LintKind::Stranded), "{k:?}");
    assert!(k.contains(&LintKind::StuckProducer), "{k:?}");
}

#[test]
fn runaway_says_consumers_cannot_keep_up() {
    let k = seen("runaway", 7);
    assert!(k.contains(&LintKind::Runaway), "{k:?}");
}

#[test]
fn backpressure_is_consumer_bound() {
    let k = seen("backpressure", 7);
    assert!(k.contains(&LintKind::ConsumerBound), "{k:?}");
    assert!(!k.contains(&LintKind::Runaway), "{k:?}");
}

#[test]
fn starved_is_producer_bound() {
    let k = seen("starved", 7);
    assert!(k.contains(&LintKind::ProducerBound), "{k:?}");
}

#[test]
fn healthy_scenarios_raise_no_warning() {
    for name in ["worker-pool", "pool-map", "fetch-pool", "classic"] {
        let k = seen(name, 8);
        assert!(k.is_empty(), "{name}: {k:?}");
    }
}

#[test]
fn the_default_mmc_and_rendezvous_scenarios_raise_no_warning() {
    for name in ["default", "mmc", "rendezvous"] {
        let k = seen(name, 7);
        assert!(k.is_empty(), "{name}: {k:?}");
    }
}
