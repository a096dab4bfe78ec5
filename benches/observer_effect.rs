//! The performance table of `docs/performance.md`, measured on this machine
//! from outside, one whole process at a time (start-up and report
//! included), as a user would time `queuescope run`:
//!
//! - throughput of `queuescope run --json` at zero work, capacity 64, over
//!   that of `bare-channel` (the same program with nothing watched: bare
//!   crossbeam moving `u64`s through `bounded(64)`), run alternately;
//! - the mean actual length of `--work 1ms` and `--work 100us` sleeps (1
//!   producer, 1 consumer, 1,000 items; in this process, from the lengths
//!   the engine records);
//! - the `pool-map` makespan (7 one-second tasks on 8 workers);
//! - the peak RSS of 500 producers and 500 consumers.
//!
//! Every figure is the median of `--rounds N` runs (default 7). Pick rows
//! with `--rows ratio,sleep,pool,rss` (default all):
//!
//! ```sh
//! cargo bench --bench observer_effect -- --rows ratio --rounds 9
//! ```

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use queuescope::sim::{Config, Dist, Engine, Role, SnapshotRequest, WorkMode, WorkSpec, Workload};
use serde_json::Value;

const QUEUESCOPE: &str = env!("CARGO_BIN_EXE_queuescope");
const BARE: &str = env!("CARGO_BIN_EXE_bare-channel");
/// Items moved per process in the throughput rows: about a second of work.
const ITEMS: &str = "3000000";

/// One finished process: its wall time, peak RSS and standard output.
struct Run {
    wall: Duration,
    peak_kb: u64,
    stdout: String,
}

/// Runs `program args` to its end; panics if it cannot start or fails.
// Reaped by `wait4` below, which std's `wait` cannot replace.
#[allow(clippy::zombie_processes)]
fn run(program: &str, args: &[&str]) -> Run {
    let t0 = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the program starts");
    let mut pipe = child.stdout.take().expect("stdout is piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut pipe, &mut s);
        s
    });
    // Reap it ourselves to get its own peak RSS (std's wait does not say).
    let (status, peak_kb) = wait4(child.id() as libc::pid_t);
    let wall = t0.elapsed();
    assert_eq!(status, Some(0), "{program} {args:?} failed");
    Run {
        wall,
        peak_kb,
        stdout: reader.join().unwrap_or_default(),
    }
}

/// Waits for child `pid`: its exit code (`None` if killed) and peak RSS in KB.
fn wait4(pid: libc::pid_t) -> (Option<i32>, u64) {
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it and `status`.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own unreaped child; both pointers are to locals.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut ru) };
    if r != pid {
        return (None, 0);
    }
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    (code, ru.ru_maxrss as u64)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).expect("queuescope run --json prints JSON")
}

/// Throughput ratio (bare wall / queuescope wall), A/B alternating.
fn ratios(rounds: usize) {
    println!("throughput of `queuescope run --json` / `bare-channel`, zero work, capacity 64,");
    println!("{ITEMS} items; whole processes, alternating; median (min..max) of {rounds}");
    for n in ["1", "2", "4"] {
        let bare = [
            "--producers",
            n,
            "--consumers",
            n,
            "--items",
            ITEMS,
            "--capacity",
            "64",
        ];
        let mut watched = bare.to_vec();
        watched.splice(0..0, ["run"]);
        watched.extend(["--interval", "0ms", "--work", "0ms", "--json"]);
        let mut r = Vec::new();
        for k in 0..rounds {
            // Alternate which goes first, so drift favours neither.
            let (b, w) = if k % 2 == 0 {
                let b = run(BARE, &bare);
                (b, run(QUEUESCOPE, &watched))
            } else {
                let w = run(QUEUESCOPE, &watched);
                (run(BARE, &bare), w)
            };
            r.push(b.wall.as_secs_f64() / w.wall.as_secs_f64());
        }
        let (lo, hi) = (
            r.iter().copied().fold(f64::MAX, f64::min),
            r.iter().copied().fold(0.0, f64::max),
        );
        println!(
            "  {n}P{n}C  ratio {:.2} ({lo:.2}..{hi:.2})  goal >= 0.90",
            median(r)
        );
    }
}

/// Mean actual length of the consumer's sleeps of `work` (as the engine
/// records them and the details view shows them), 1 producer, 1 consumer,
/// 1,000 items, in this process.
fn sleep_row(work: Duration, goal_pct: f64, rounds: usize) {
    let means: Vec<f64> = (0..rounds)
        .map(|_| {
            let mut cfg = Config {
                name: "sleep accuracy".into(),
                producers: 1,
                consumers: 1,
                workload: Workload::Items(1000),
                interval: WorkSpec::zero(),
                work: WorkSpec::new(WorkMode::Sleep, Dist::Fixed(work)),
                ..Config::default()
            };
            cfg.seed = 42;
            let engine = Engine::start(cfg).expect("engine starts");
            assert!(engine.wait(Duration::from_secs(120)), "run hung");
            let id = engine.snapshot().role(Role::Consumer).next().map(|t| t.id);
            let detail = engine
                .snapshot_with(SnapshotRequest {
                    detail: id,
                    ..Default::default()
                })
                .detail
                .expect("the consumer's details");
            let s = detail.sleeps;
            s.actual.as_secs_f64() / s.count.max(1) as f64 * 1e6
        })
        .collect();
    let m = median(means);
    let asked = work.as_secs_f64() * 1e6;
    let err = (m / asked - 1.0) * 100.0;
    println!(
        "  --work {:<6} mean {m:8.1} µs  {err:+.2} %  goal within {goal_pct} %",
        queuescope::units::exact(work)
    );
}

/// `pool-map`: 7 one-second tasks on 8 workers.
fn pool_row(rounds: usize) {
    let spans: Vec<f64> = (0..rounds)
        .map(|_| {
            let doc = json(&run(
                QUEUESCOPE,
                &["run", "--scenario", "pool-map", "--json"],
            ));
            doc["map"]["makespan_s"].as_f64().unwrap_or(f64::NAN)
        })
        .collect();
    println!(
        "  pool-map makespan {:.4} s  goal <= 1.0019 s",
        median(spans)
    );
}

/// Peak RSS of 500 producers and 500 consumers.
fn rss_row(rounds: usize) {
    let args = [
        "run",
        "--producers",
        "500",
        "--consumers",
        "500",
        "--items",
        "100000",
        "--interval",
        "1ms",
        "--work",
        "1ms",
        "--json",
    ];
    let peaks: Vec<f64> = (0..rounds)
        .map(|_| run(QUEUESCOPE, &args).peak_kb as f64 / 1024.0)
        .collect();
    println!("  500P500C peak RSS {:.1} MB  goal <= 48 MB", median(peaks));
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).cloned()
}

fn main() {
    let rounds = arg("--rounds")
        .and_then(|r| r.parse().ok())
        .unwrap_or(7usize)
        .max(1);
    let rows = arg("--rows").unwrap_or_else(|| "ratio,sleep,pool,rss".into());
    let want = |r: &str| rows.split(',').any(|x| x == r);
    if want("ratio") {
        ratios(rounds);
    }
    if want("sleep") {
        println!("sleep accuracy, 1P1C, 1,000 items; median of {rounds}");
        sleep_row(Duration::from_millis(1), 0.5, rounds);
        sleep_row(Duration::from_micros(100), 5.0, rounds);
    }
    if want("pool") {
        pool_row(rounds);
    }
    if want("rss") {
        rss_row(rounds);
    }
}
