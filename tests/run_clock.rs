//! The run clock on real threads: a pause of any length, and stepping one
//! hand-off at a time, leave every figure as an untouched run has it.

mod common;

use std::time::{Duration, Instant};

use queuescope::scenario;
use queuescope::sim::{
    Command, Config, Dist, Engine, Phase, Role, Snapshot, WorkMode, WorkSpec, Workload,
};

const DEADLINE: Duration = Duration::from_secs(60);

/// `classic` ten times faster: one producer every 50 ms for 0.5 s (10
/// items), one consumer working 5 ms each, one pill.
fn classic_fast() -> Config {
    scenario::load("classic").expect("preset").at_speed(10.0)
}

fn run_to_end(engine: &Engine) -> Snapshot {
    assert!(engine.wait(DEADLINE), "the run did not end");
    engine.snapshot()
}

/// Busy time over alive time, summed over the threads of `role`.
fn utilization(s: &Snapshot, role: Role) -> f64 {
    let (busy, alive) = s.role(role).fold((0.0, 0.0), |(b, a), t| {
        let gone = t.time_in[queuescope::sim::ThreadState::Exited as usize];
        (
            b + t.busy().as_secs_f64(),
            a + t.lifetime().saturating_sub(gone).as_secs_f64(),
        )
    });
    busy / alive
}

fn close(what: &str, before: f64, after: f64, tol: f64) {
    let r = after / before;
    assert!(
        (1.0 - tol..=1.0 + tol).contains(&r),
        "{what}: {before:.3} before the pause, {after:.3} after"
    );
}

#[test]
fn a_long_pause_changes_no_figure() {
    let cfg = Config {
        producers: 2,
        consumers: 4,
        workload: Workload::Endless,
        interval: WorkSpec::new(WorkMode::Sleep, Dist::Fixed(Duration::from_millis(10))),
        work: WorkSpec::new(
            WorkMode::Sleep,
            Dist::Exp {
                mean: Duration::from_millis(16),
            },
        ),
        ..Config::default()
    };
    let engine = Engine::start(cfg).unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let before = engine.snapshot();
    engine.send(Command::Pause);
    std::thread::sleep(Duration::from_secs(3));
    let paused = engine.snapshot();
    engine.send(Command::Resume);
    std::thread::sleep(Duration::from_millis(100));
    let after = engine.snapshot();
    engine.send(Command::Abort);

    assert_eq!(paused.phase, Phase::Paused);
    assert!(
        paused.elapsed < before.elapsed + Duration::from_millis(200),
        "active time stands still while paused: {:?} → {:?}",
        before.elapsed,
        paused.elapsed
    );
    assert!(
        after.paused() >= Duration::from_millis(2900),
        "{:?}",
        after.paused()
    );
    assert!(after.wall >= after.elapsed + Duration::from_millis(2900));
    close(
        "arrival rate",
        before.arrival_rate(),
        after.arrival_rate(),
        0.1,
    );
    close("throughput", before.throughput(), after.throughput(), 0.1);
    for role in [Role::Producer, Role::Consumer] {
        close(
            &format!("{role} utilization"),
            utilization(&before, role),
            utilization(&after, role),
            0.1,
        );
    }
    let little = |s: &Snapshot| s.arrival_rate() * s.latency.mean_in_system.as_secs_f64();
    close("λ·W", little(&before), little(&after), 0.1);
    close("L", before.mean_in_system, after.mean_in_system, 0.1);
}

#[test]
fn a_pause_mid_interval_makes_no_extra_item() {
    let engine = Engine::start(classic_fast()).unwrap();
    std::thread::sleep(Duration::from_millis(230));
    engine.send(Command::Pause);
    std::thread::sleep(Duration::from_millis(400));
    engine.send(Command::Resume);
    let s = run_to_end(&engine);
    assert_eq!(s.phase, Phase::Done);
    assert_eq!(s.counts.produced, 10, "{:?}", s.counts);
    assert_eq!(s.counts.consumed, 10);
    assert!(s.paused() >= Duration::from_millis(390), "{:?}", s.paused());
}

#[test]
fn stepping_slowly_then_running_makes_the_same_run_as_an_untouched_one() {
    let untouched = run_to_end(&Engine::start(classic_fast()).unwrap());

    let mut cfg = classic_fast();
    cfg.start_paused = true;
    let engine = Engine::start(cfg).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(engine.snapshot().elapsed, Duration::ZERO, "waiting for n");
    // Slower than the producer's interval: waiting for `n` must not count.
    let t0 = Instant::now();
    while engine.snapshot().counts.produced < 5 && t0.elapsed() < DEADLINE {
        engine.send(Command::Step);
        std::thread::sleep(Duration::from_millis(120));
    }
    let stepping = engine.snapshot();
    assert!(stepping.paused() > Duration::from_millis(300));
    engine.send(Command::Resume);
    let stepped = run_to_end(&engine);

    assert_eq!(untouched.counts.produced, 10);
    assert_eq!(stepped.counts.produced, 10, "{:?}", stepped.counts);
    assert_eq!(stepped.counts.consumed, 10);
    close(
        "elapsed",
        untouched.elapsed.as_secs_f64(),
        stepped.elapsed.as_secs_f64(),
        0.1,
    );
    close(
        "throughput",
        untouched.throughput(),
        stepped.throughput(),
        0.1,
    );
    let steps: Vec<String> = stepped
        .events
        .iter()
        .map(|e| e.to_string())
        .filter(|e| e.starts_with("put #") || e.starts_with("get #"))
        .collect();
    assert!(
        steps.iter().any(|e| e == "put #0 by Producer-1"),
        "{steps:?}"
    );
    assert!(
        steps.iter().any(|e| e == "get #0 by Consumer-1"),
        "{steps:?}"
    );
}

#[test]
fn a_run_over_in_a_fraction_of_a_second_still_fills_its_swimlanes() {
    // worker-pool: 7 words on 4 workers, about 0.25 s in all.
    let engine = Engine::start(scenario::load("worker-pool").expect("preset")).unwrap();
    let s = run_to_end(&engine);
    assert!(s.elapsed < Duration::from_secs(1), "{:?}", s.elapsed);
    let cells = s.threads.iter().map(|t| t.lane.len()).max().unwrap_or(0);
    assert!(
        cells >= 30,
        "{cells} swimlane cells for a {:?} run",
        s.elapsed
    );
    // Every cell is as wide as the snapshot says, and the history agrees.
    let span = s.history.last().map(|h| h.at).unwrap_or_default();
    assert!(
        span + s.history_step >= s.elapsed,
        "{span:?} {:?}",
        s.elapsed
    );
    // The last cells show the consumers exiting, the first ones working. A
    // cell shows the state a thread spent most of it in, so the consumer
    // that exits last (a moment before the run ends) may end on `working`;
    // one that got its pill earlier ends on `exited`.
    use queuescope::sim::{Role, ThreadState};
    let consumers: Vec<_> = s.role(Role::Consumer).collect();
    assert!(consumers.iter().all(|t| t.state == ThreadState::Exited));
    assert!(
        consumers
            .iter()
            .any(|t| t.lane.last() == Some(&ThreadState::Exited)),
        "no lane ends on exited"
    );
    let c1 = s.threads.iter().find(|t| &*t.name == "Consumer-1").unwrap();
    assert!(c1.lane.contains(&ThreadState::Working));
}
