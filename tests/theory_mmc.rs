//! The `mmc` scenario (exponential arrivals and service on 3 consumers)
//! against Erlang-C, using the λ and S measured in the run itself.
//!
//! Played 40x faster (λ = 400/s, S = 6.25 ms) so 4,000 items take ~10 s. A
//! simulated mean wait is noisy — about 15 % relative spread at this size
//! (DESIGN.md) — so the stated tolerance is ±35 %; Little's law, which holds
//! on any run, is checked to 5 %.

use std::sync::Mutex;
use std::time::Duration;

use queuescope::analysis::theory::theory;
use queuescope::scenario;
use queuescope::sim::{Engine, Workload};

/// Timing tests on a 2-core machine: one at a time, or they measure each
/// other's contention.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[test]
fn mmc_mean_wait_matches_erlang_c_within_tolerance() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut config = scenario::load("mmc").unwrap().at_speed(40.0);
    config.workload = Workload::Items(4_000);
    let engine = Engine::start(config).unwrap();
    assert!(engine.wait(Duration::from_secs(120)));
    let s = engine.snapshot();
    assert_eq!(s.counts.consumed, 4_000);
    // Theory with the measured rates, and c as it ran (3 consumers).
    let mut t = theory(&s);
    let lambda = t.lambda_per_s;
    let mu = 1.0 / t.service_s;
    t.predicted = queuescope::analysis::theory::mmc(3, lambda, mu);
    let p = t.predicted.expect("stable system");
    let measured = s.latency.queue_wait.mean.as_secs_f64();
    let ratio = measured / p.wq_s;
    assert!(
        (0.65..=1.35).contains(&ratio),
        "measured Wq {measured:.4} s vs Erlang-C {:.4} s (λ {lambda:.1}/s, S {:.4} s, ρ {:.2})",
        p.wq_s,
        t.service_s,
        p.rho
    );
    eprintln!(
        "Wq measured {measured:.4} s, Erlang-C {:.4} s, ratio {ratio:.3}",
        p.wq_s
    );
    // P(wait): items that found the queue non-empty when their consumer
    // came for them, against Erlang-C's probability of waiting.
    let p_wait = t.measured_p_wait.expect("counted");
    assert!(
        (p_wait / p.p_wait - 1.0).abs() <= 0.15,
        "measured P(wait) {p_wait:.3} vs Erlang-C {:.3}",
        p.p_wait
    );
    let little = s.mean_in_system / (lambda * s.latency.mean_in_system.as_secs_f64());
    assert!((0.95..=1.05).contains(&little), "L / λW = {little:.3}");
}

/// The check: an M/M/c run whose consumer count changes mid-run.
/// The second epoch (4 consumers) is measured from its own warm-up on, and
/// its Wq and P(wait) are compared with Erlang-C for its own λ and S —
/// not with a whole-run average that mixes two setups.
#[test]
fn after_a_consumer_is_added_the_new_epoch_matches_erlang_c() {
    use queuescope::analysis::theory::epoch_theory;
    use queuescope::sim::Command;
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());

    let mut config = scenario::load("mmc").unwrap().at_speed(40.0);
    config.workload = Workload::Endless;
    let engine = Engine::start(config).unwrap();
    std::thread::sleep(Duration::from_secs(3));
    engine.send(Command::AddConsumer);
    // About 8,000 items: a mean wait to within about 10 % (DESIGN.md).
    std::thread::sleep(Duration::from_secs(20));
    engine.send(Command::Shutdown);
    assert!(engine.wait(Duration::from_secs(30)));
    let s = engine.snapshot();
    assert_eq!(s.epochs.len(), 2, "{:?}", s.epochs);
    let (first, second) = (&s.epochs[0], &s.epochs[1]);
    assert_eq!((first.config.consumers, second.config.consumers), (3, 4));
    assert_eq!(second.cause, "+1 consumer");
    assert!(second.warm, "the warm-up is over");
    let t = epoch_theory(second);
    let p = t.predicted.expect("ρ ≈ 0.63: stable");
    let wq_ratio = t.measured_wq_s / p.wq_s;
    let p_ratio = t.measured_p_wait.expect("counted") / p.p_wait;
    eprintln!(
        "epoch 2: {} items, λ {:.1}/s, S {:.4} s, ρ {:.2}: Wq {:.5} s vs Erlang-C {:.5} s ({wq_ratio:.3}); \
         P(wait) {:.3} vs {:.3} ({p_ratio:.3})",
        t.scope.items,
        t.lambda_per_s,
        t.service_s,
        t.rho,
        t.measured_wq_s,
        p.wq_s,
        t.measured_p_wait.unwrap_or(0.0),
        p.p_wait
    );
    assert!(t.scope.items > 6_000, "{} items", t.scope.items);
    assert!(
        (0.75..=1.25).contains(&wq_ratio),
        "measured Wq {:.5} s vs Erlang-C {:.5} s",
        t.measured_wq_s,
        p.wq_s
    );
    assert!(
        (0.85..=1.15).contains(&p_ratio),
        "measured P(wait) {:?} vs Erlang-C {:.3}",
        t.measured_p_wait,
        p.p_wait
    );
    // The whole run's average mixes both setups: the first epoch waited
    // far longer than the second.
    let one = epoch_theory(first);
    assert!(one.measured_wq_s > 2.0 * t.measured_wq_s, "{one:?}");
}
