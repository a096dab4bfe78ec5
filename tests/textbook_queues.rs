//! The textbook queues (OSTEP's bounded buffer with a mutex and condition
//! variables) on real threads: the correct one passes the channel's
//! invariants and never hangs or crashes; the presets show their bugs on
//! every run; a recording of each bug replays the fatal wake-up.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use assert_cmd::Command as Cmd;
use common::{assert_conserved, config, ms};
use queuescope::analysis::lint::lints;
use queuescope::sim::{
    Capacity, Command, Config, Engine, ExitReason, Phase, QueueKind, Role, SleepPlan, Snapshot,
    ThreadState, Workload,
};

const DEADLINE: Duration = Duration::from_secs(60);

fn qs() -> Cmd {
    Cmd::cargo_bin("queuescope").unwrap()
}

fn textbook(kind: QueueKind, p: usize, c: usize, cap: usize, items: u64) -> Config {
    Config {
        queue: kind,
        ..config(p, c, Capacity::Bounded(cap), items)
    }
}

fn wait_for(engine: &Engine, what: &str, f: impl Fn(&Snapshot) -> bool) -> Snapshot {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let s = engine.snapshot();
        if f(&s) {
            return s;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn assert_finished_clean(s: &Snapshot, consumers: u64) {
    assert_eq!(s.phase, Phase::Done);
    let c = s.counts;
    assert_eq!(c.produced, c.consumed, "{c:?}");
    assert_eq!((c.queued, c.in_flight, c.failed), (0, 0, 0), "{c:?}");
    assert_eq!((c.pills_sent, c.pills_received), (consumers, consumers));
    assert_eq!(s.channel_len, 0);
    for t in &s.threads {
        assert!(t.state.is_final(), "{} still {}", t.name, t.state);
        assert_ne!(t.exit, Some(ExitReason::Crashed), "{}", t.name);
    }
}

#[test]
fn the_correct_buffer_conserves_items_in_every_snapshot() {
    for cap in [1, 4, 64] {
        let engine = Engine::start(textbook(QueueKind::Condvar, 2, 3, cap, 20_000)).unwrap();
        let mut samples = 0;
        while !engine.is_over() {
            let s = engine.snapshot();
            assert_conserved(&s);
            assert!(s.channel_len <= cap as u64);
            samples += 1;
        }
        assert!(engine.wait(DEADLINE));
        let s = engine.snapshot();
        assert_conserved(&s);
        assert_finished_clean(&s, 3);
        assert_eq!(s.counts.consumed, 20_000);
        assert!(samples > 0);
        let tb = s.textbook.as_ref().expect("a textbook snapshot");
        assert_eq!((tb.kind, tb.lock_holder), (QueueKind::Condvar, None));
    }
}

#[test]
fn every_consumer_takes_exactly_one_pill_from_the_buffer() {
    let engine = Engine::start(textbook(QueueKind::Condvar, 3, 5, 2, 500)).unwrap();
    assert!(engine.wait(DEADLINE));
    let s = engine.snapshot();
    assert_finished_clean(&s, 5);
    for t in s.role(Role::Consumer) {
        assert_eq!(t.exit, Some(ExitReason::Pill), "{}", t.name);
    }
}

#[test]
fn shutdown_completes_on_the_buffer_at_small_and_large_capacities() {
    for cap in [1, 64] {
        let mut cfg = textbook(QueueKind::Condvar, 2, 2, cap, 0);
        cfg.workload = Workload::Endless;
        cfg.interval = ms(1);
        cfg.work = ms(1);
        let engine = Engine::start(cfg).unwrap();
        wait_for(&engine, "items flowing", |s| s.counts.consumed > 10);
        engine.send(Command::Shutdown);
        assert!(engine.wait(DEADLINE), "shutdown hung at capacity {cap}");
        assert_finished_clean(&engine.snapshot(), 2);
    }
}

#[test]
fn threads_show_waiting_cv_with_the_variable_and_abort_releases_them() {
    // One slot, producers far faster than consumers that never finish
    // their work: producers end up asleep on `empty`. Then the consumers
    // of a second run, with no producer making anything, on `fill`.
    let mut cfg = textbook(QueueKind::Condvar, 3, 1, 1, 0);
    cfg.workload = Workload::Endless;
    cfg.work = ms(30_000);
    let engine = Engine::start(cfg).unwrap();
    let s = wait_for(&engine, "producers asleep on empty", |s| {
        s.role(Role::Producer)
            .filter(|t| t.state == ThreadState::WaitingCv)
            .count()
            == 3
    });
    for t in s.role(Role::Producer) {
        assert_eq!(t.cv, Some(queuescope::sim::Cv::Empty), "{}", t.name);
    }
    let t0 = Instant::now();
    engine.send(Command::Abort);
    assert!(engine.wait(Duration::from_secs(5)));
    assert!(t0.elapsed() < Duration::from_secs(2));
    let s = engine.snapshot();
    assert_eq!(s.phase, Phase::Aborted);
    assert_conserved(&s);

    let mut cfg = textbook(QueueKind::CondvarOneCv, 1, 3, 2, 0);
    cfg.workload = Workload::Endless;
    cfg.interval = ms(30_000);
    let engine = Engine::start(cfg).unwrap();
    wait_for(&engine, "consumers asleep on cond", |s| {
        s.role(Role::Consumer)
            .all(|t| t.state == ThreadState::WaitingCv && t.cv == Some(queuescope::sim::Cv::Cond))
    });
    engine.send(Command::Abort);
    assert!(engine.wait(Duration::from_secs(5)));
    for t in &engine.snapshot().threads {
        assert!(t.state.is_final(), "{} {}", t.name, t.state);
    }
}

#[test]
fn a_step_lets_exactly_one_buffer_operation_happen() {
    let mut cfg = textbook(QueueKind::Condvar, 1, 1, 2, 5);
    cfg.start_paused = true;
    let engine = Engine::start(cfg).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let ops = |s: &Snapshot| s.counts.produced + s.counts.consumed + s.counts.pills_received;
    assert_eq!(ops(&engine.snapshot()), 0, "nothing moves while paused");
    for n in 1..=4 {
        engine.send(Command::Step);
        wait_for(&engine, "one more operation", |s| ops(s) == n);
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(ops(&engine.snapshot()), n, "a step let more through");
    }
    engine.send(Command::Pause);
    engine.send(Command::Resume);
    assert!(engine.wait(DEADLINE));
    assert_finished_clean(&engine.snapshot(), 1);
}

#[test]
fn live_changes_and_pauses_on_the_buffer_lose_nothing() {
    let mut cfg = textbook(QueueKind::Condvar, 1, 3, 3, 0);
    cfg.workload = Workload::Endless;
    cfg.interval = ms(1);
    let engine = Engine::start(cfg).unwrap();
    wait_for(&engine, "flow", |s| s.counts.consumed > 5);
    for cmd in [
        Command::AddProducer,
        Command::AddConsumer,
        Command::Pause,
        Command::Resume,
        Command::RemoveConsumer(queuescope::sim::Removal::Pill),
        // A retire flag cannot wake a thread asleep on a variable: a pill.
        Command::RemoveConsumer(queuescope::sim::Removal::Retire),
        Command::RemoveProducer,
    ] {
        engine.send(cmd);
        std::thread::sleep(Duration::from_millis(20));
        assert_conserved(&engine.snapshot());
    }
    engine.send(Command::Shutdown);
    assert!(engine.wait(DEADLINE));
    let s = engine.snapshot();
    assert_eq!(s.phase, Phase::Done);
    assert_eq!(s.counts.produced, s.counts.consumed, "{:?}", s.counts);
    // Both removals went by pill: two consumers of four left on one.
    let by_pill = s
        .role(Role::Consumer)
        .filter(|t| t.exit == Some(ExitReason::Pill))
        .count();
    assert_eq!(by_pill, 4, "every consumer left on a pill");
}

/// A seeded xorshift: varied runs, reproducible.
fn rng(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut x = seed;
    move |n| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    }
}

/// A random sleep string for `threads` threads: mostly zeros, now and then
/// up to 2 ms at a random point.
fn random_sleeps(next: &mut impl FnMut(u64) -> u64, threads: usize) -> SleepPlan {
    let pieces = (0..threads)
        .map(|_| {
            let mut p = [0u64; 7];
            for slot in p.iter_mut() {
                if next(5) == 0 {
                    *slot = next(2_000_000);
                }
            }
            p
        })
        .collect();
    SleepPlan::new(pieces)
}

#[test]
fn two_hundred_random_runs_of_the_correct_buffer_never_hang_or_crash() {
    let mut next = rng(0xC0DE_CAFE);
    for round in 0..200 {
        let (p, c) = (1 + next(4) as usize, 1 + next(4) as usize);
        let mut cfg = textbook(
            QueueKind::Condvar,
            p,
            c,
            1 + next(4) as usize,
            1 + next(150),
        );
        if next(2) == 0 {
            cfg.producer_sleeps = random_sleeps(&mut next, p);
            cfg.consumer_sleeps = random_sleeps(&mut next, c);
        }
        let engine = Engine::start(cfg.clone()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while !engine.is_over() {
            let s = engine.snapshot();
            let hung = lints(&s).iter().any(|l| l.kind.is_hang());
            assert!(!hung, "round {round} hangs: {cfg:?}");
            assert!(Instant::now() < deadline, "round {round} too slow: {cfg:?}");
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(engine.wait(DEADLINE));
        let s = engine.snapshot();
        assert_finished_clean(&s, c as u64);
    }
}

/// Two threads that spin until dropped: a loaded 2-core machine, so the
/// presets are held to "every run" with every core busy.
struct Load(Arc<AtomicBool>, Vec<JoinHandle<()>>);

impl Load {
    fn start() -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let spinners = (0..2)
            .map(|_| {
                let stop = stop.clone();
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::hint::spin_loop();
                    }
                })
            })
            .collect();
        Load(stop, spinners)
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
        for t in self.1.drain(..) {
            let _ = t.join();
        }
    }
}

/// `run --scenario NAME` with `args`: exit code and stderr.
fn run(name: &str, args: &[&str]) -> (i32, String, String) {
    let out = qs()
        .args(["run", "--scenario", name, "--json"])
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn ostep_one_cv_deadlocks_on_every_run_and_names_the_wrong_wake_up() {
    let _load = Load::start();
    for round in 0..4 {
        let (code, out, err) = run("ostep-one-cv", &[]);
        assert_eq!(code, 3, "round {round}: {err}");
        assert!(
            err.contains("every thread is asleep on cond")
                && err.contains("signalled cond → woke Consumer-")
                && err.contains("instead of the producer"),
            "round {round}: {err}"
        );
        let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON report");
        assert_eq!(doc["produced"], doc["consumed"], "nothing lost: {out}");
    }
}

#[test]
fn ostep_if_takes_from_an_empty_buffer_on_every_run_and_still_shuts_down() {
    let _load = Load::start();
    for round in 0..4 {
        let (code, out, err) = run("ostep-if", &[]);
        // A crashed thread is a runtime failure: exit 1, and stderr says so.
        assert_eq!(code, 1, "round {round}: {err}");
        assert!(err.contains("1 thread crashed"), "round {round}: {err}");
        let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON report");
        assert_eq!(doc["phase"], "done");
        // Caught before any slot was read: every item made was consumed.
        assert_eq!(doc["produced"], 3);
        assert_eq!(doc["consumed"], 3);
        assert_eq!(doc["left_in_queue"], 0);
        let crashed: Vec<_> = doc["threads"]
            .as_array()
            .expect("threads")
            .iter()
            .filter(|t| t["exit"] == "crashed")
            .collect();
        assert_eq!(crashed.len(), 1, "round {round}: {out}");
        let warned = doc["warnings"].to_string();
        assert!(
            warned.contains("woke, did not re-check, took from an empty buffer"),
            "round {round}: {warned}"
        );
    }
}

#[test]
fn ostep_two_cvs_works_at_any_size() {
    for args in [
        &["--items", "100"][..],
        &[
            "--items",
            "200",
            "--producers",
            "4",
            "--consumers",
            "1",
            "--capacity",
            "1",
        ],
        &[
            "--items",
            "200",
            "--producers",
            "1",
            "--consumers",
            "5",
            "--capacity",
            "3",
        ],
    ] {
        let mut all = args.to_vec();
        all.extend(["--interval", "0", "--work", "0"]);
        let (code, out, err) = run("ostep-two-cvs", &all);
        assert_eq!(code, 0, "{args:?}: {err}");
        let doc: serde_json::Value = serde_json::from_str(&out).expect("JSON report");
        assert_eq!(doc["produced"], doc["consumed"], "{args:?}");
        assert_eq!(doc["warnings"], serde_json::json!([]), "{args:?}");
    }
}

#[test]
fn a_recording_of_each_bug_replays_the_fatal_wake_up() {
    let dir = std::env::temp_dir().join(format!("qs-textbook-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, fatal, on_screen) in [
        (
            "ostep-one-cv",
            "instead of the producer: nothing for it, back to sleep",
            "asleep on cond",
        ),
        (
            "ostep-if",
            "it does not re-check",
            "crashed: woke, did not re-check, buffer empty",
        ),
    ] {
        let rec = dir.join(format!("{name}.jsonl"));
        let ran = qs()
            .args(["run", "--scenario", name, "--record"])
            .arg(&rec)
            .timeout(Duration::from_secs(60))
            .output()
            .expect("runs");
        assert!(
            rec.exists(),
            "{name}: no recording; run exit {:?}, stderr: {}",
            ran.status.code(),
            String::from_utf8_lossy(&ran.stderr)
        );
        let out = qs()
            .arg("replay")
            .arg(&rec)
            .arg("--json")
            .output()
            .expect("replays");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{name}: replay --json: {e}; exit {:?}, stderr: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        let steps: Vec<String> = doc["textbook"]["wakeups"]
            .as_array()
            .expect("wake-ups")
            .iter()
            .map(|w| w["event"].as_str().unwrap_or_default().to_string())
            .collect();
        assert!(steps.len() >= 2, "{name}: {steps:?}");
        assert!(steps.iter().any(|s| s.contains(fatal)), "{name}: {steps:?}");
        // The replayed screen after the fatal wake-up shows it too.
        let pic = dir.join(format!("{name}-after.svg"));
        qs().arg("replay")
            .arg(&rec)
            .args([
                "--snapshot-at",
                "0.7s",
                "--snapshot-size",
                "160x50",
                "--snapshot",
            ])
            .arg(&pic)
            .assert()
            .success();
        let text = std::fs::read_to_string(pic.with_extension("txt")).expect("text picture");
        assert!(text.contains(on_screen), "{name}: {text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn point_sleeps_stop_with_the_run_clock_and_end_on_abort() {
    // The producer sleeps 0.3 s at p0 before each item, and 10 s at p1,
    // holding the lock: a pause freezes the first sleep, and an abort
    // ends the second at once (and with it the wait for the mutex).
    let mut cfg = textbook(QueueKind::Condvar, 1, 1, 1, 5);
    let mut p = [0u64; 7];
    p[0] = 300_000_000;
    p[1] = 10_000_000_000;
    cfg.producer_sleeps = SleepPlan::new(vec![p]);
    let engine = Engine::start(cfg).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    engine.send(Command::Pause);
    std::thread::sleep(Duration::from_millis(400));
    let s = engine.snapshot();
    assert!(
        s.elapsed < Duration::from_millis(300),
        "paused at {:?}",
        s.elapsed
    );
    engine.send(Command::Resume);
    wait_for(&engine, "the producer holding the lock at p1", |s| {
        let producer = s.role(Role::Producer).map(|t| t.id).next();
        s.textbook.as_ref().and_then(|t| t.lock_holder) == producer && producer.is_some()
    });
    let t0 = Instant::now();
    engine.send(Command::Abort);
    assert!(engine.wait(Duration::from_secs(5)));
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
    assert_eq!(engine.snapshot().phase, Phase::Aborted);
}

#[test]
fn a_sweep_runs_on_the_condvar_buffer() {
    let out = qs()
        .args([
            "sweep",
            "--queue",
            "condvar",
            "--capacity",
            "2",
            "--consumers",
            "1,2",
        ])
        .args(["--items", "2000", "--interval", "0", "--work", "0"])
        .args(["--repeat", "1", "--json"])
        .timeout(Duration::from_secs(120))
        .output()
        .expect("sweeps");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["queue"], "condvar", "the document names the buffer");
    let points = doc["points"].as_array().expect("points");
    assert_eq!(points.len(), 2);
    assert!(points.iter().all(|p| p["outcome"] == "ok"), "{doc}");
    // The flag reaches the sweep's config: an unbounded buffer is refused.
    let out = qs()
        .args(["sweep", "--queue", "condvar", "--capacity", "unbounded"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--capacity: queue \"condvar\""));
}
