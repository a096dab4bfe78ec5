//! Randomized shutdowns of the real binary: thread counts, queue
//! capacities 0 / 1 / small / unbounded, fewer, as many or more pills than
//! consumers, crashing items, and stop signals at random times (one,
//! or two a millisecond apart). Every run must end within its bound, lose
//! nothing (produced = consumed + failed + queued + in flight, in the
//! recording's last snapshot; all of it done when the exit is 0), and exit
//! as `run` documents: 0 done as asked, 1 failed items / aborted / cut
//! short, 3 hung.
//!
//! A fixed list of seeds, plus a few new ones each run; a failure names its
//! seed, and `QS_SHUTDOWN_SEED=N` replays just that one.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Seeds 1 to this, every run.
const FIXED_SEEDS: u64 = 40;
/// New seeds per run, on top of the fixed ones.
const RANDOM_SEEDS: usize = 6;
/// Runs at a time (they mostly sleep).
const PARALLEL: usize = 4;
/// The grace period every case runs with.
const GRACE: Duration = Duration::from_secs(1);

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// When and how the run is told to stop.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stop {
    /// Never: the run must end on its own.
    Never,
    /// One signal.
    Once(libc::c_int),
    /// Two SIGINTs a millisecond apart.
    Twice,
}

#[derive(Clone, Debug)]
struct Case {
    seed: u64,
    args: Vec<String>,
    consumers: u64,
    /// Pills relative to consumers: fewer, equal, more.
    pills: &'static str,
    items: Option<u64>,
    crash: bool,
    stop: Stop,
    stop_after: Duration,
}

impl Case {
    fn new(seed: u64) -> Case {
        let mut r = Rng::new(seed);
        let producers = 1 + r.below(3);
        let consumers = 1 + r.below(4);
        let capacity = match r.below(4) {
            0 => "0".to_string(),
            1 => "1".to_string(),
            2 => (2 + r.below(7)).to_string(),
            _ => "unbounded".to_string(),
        };
        let pills = r.pick(&["fewer", "equal", "more"]);
        let pill_count = match pills {
            "fewer" => consumers - 1,
            "equal" => consumers,
            _ => consumers + 1 + r.below(2),
        };
        let endless = r.below(5) == 0;
        let items = (!endless).then(|| 10 + r.below(150));
        let crash = items.is_some() && r.below(5) == 0;
        let stop = match r.below(4) {
            0 if !endless => Stop::Never,
            1 => Stop::Once(libc::SIGTERM),
            2 => Stop::Twice,
            _ => Stop::Once(libc::SIGINT),
        };
        let mut args: Vec<String> = [
            "run",
            "--json",
            "--producers",
            &producers.to_string(),
            "--consumers",
            &consumers.to_string(),
            "--capacity",
            &capacity,
            "--pills",
            &pill_count.to_string(),
            "--interval",
            &format!("{}us", r.below(2_000)),
            "--work",
            &format!("uniform:0ms..{}ms", 1 + r.below(3)),
            "--seed",
            &seed.to_string(),
            "--grace",
            "1s",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        if let Some(n) = items {
            args.extend(["--items".into(), n.to_string()]);
        }
        if crash {
            let id = r.below(items.unwrap_or(1));
            args.extend(["--crash-item".into(), id.to_string()]);
        }
        Case {
            seed,
            args,
            consumers,
            pills,
            items,
            crash,
            stop,
            stop_after: Duration::from_millis(30 + r.below(600)),
        }
    }

    /// The longest this case may take: the work itself (no more than a
    /// few seconds here), the watchdog's second, the grace period, and the
    /// abort's own bound.
    fn bound(&self) -> Duration {
        let work = Duration::from_millis(self.items.unwrap_or(0) * 3);
        work + Duration::from_secs(1) + GRACE + Duration::from_secs(5) + Duration::from_secs(3)
    }
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("queuescope")
}

fn kill(child: &Child, sig: libc::c_int) {
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as libc::pid_t, sig);
    }
}

/// True once `pid` catches SIGINT and SIGTERM (its handlers are in): a
/// signal before that would meet the default action, before `main` ran.
fn catching(pid: u32) -> bool {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return false;
    };
    let mask = status
        .lines()
        .find_map(|l| l.strip_prefix("SigCgt:"))
        .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
        .unwrap_or(0);
    let bit = |sig: libc::c_int| 1u64 << (sig - 1);
    mask & bit(libc::SIGINT) != 0 && mask & bit(libc::SIGTERM) != 0
}

/// The recording's last snapshot's counts, and its summary.
fn recorded(path: &Path) -> Result<(Value, Value), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("recording: {e}"))?;
    let mut counts = None;
    let mut summary = None;
    for line in text.lines() {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("line: {e}"))?;
        match v["t"].as_str() {
            Some("snap") => counts = Some(v["snap"]["counts"].clone()),
            Some("end") => summary = Some(v["summary"].clone()),
            _ => {}
        }
    }
    Ok((
        counts.ok_or("no snapshot")?,
        summary.ok_or("no end record")?,
    ))
}

/// Runs `case`: its exit code, or what broke.
fn check(case: &Case, dir: &Path) -> Result<i32, String> {
    let rec = dir.join(format!("seed-{}.jsonl", case.seed));
    let _ = std::fs::remove_file(&rec);
    let t0 = Instant::now();
    let child = Command::new(bin())
        .args(&case.args)
        .arg("--record")
        .arg(&rec)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut child = child;
    let mut signalled = false;
    loop {
        if child.try_wait().map_err(|e| e.to_string())?.is_some() {
            break;
        }
        if !signalled
            && case.stop != Stop::Never
            && t0.elapsed() >= case.stop_after
            && catching(child.id())
        {
            signalled = true;
            match case.stop {
                Stop::Once(sig) => kill(&child, sig),
                Stop::Twice => {
                    kill(&child, libc::SIGINT);
                    std::thread::sleep(Duration::from_millis(1));
                    kill(&child, libc::SIGINT);
                }
                Stop::Never => {}
            }
        }
        if t0.elapsed() > case.bound() {
            let _ = child.kill();
            return Err(format!("still running after {:?}", case.bound()));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().ok_or("killed by a signal")?;
    let report: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("exit {code}: the report is not JSON ({e}); stderr: {err}"))?;
    let (c, summary) = recorded(&rec)?;
    if summary != report {
        return Err("the recording's summary differs from the report".into());
    }
    let n = |k: &str| c[k].as_u64().unwrap_or(u64::MAX);
    let (produced, consumed, failed) = (n("produced"), n("consumed"), n("failed"));
    let (queued, in_flight) = (n("queued"), n("in_flight"));
    if produced != consumed + failed + queued + in_flight {
        return Err(format!("lost items: {c}"));
    }
    if n("pills_received") > n("pills_sent") {
        return Err(format!("pills: {c}"));
    }
    let phase = report["phase"].as_str().unwrap_or("");
    let hung = err.contains("queuescope: hang: ");
    match code {
        0 => {
            let complete = queued == 0 && in_flight == 0 && failed == 0 && phase == "done";
            let all = case.items.is_none_or(|want| produced == want) || signalled;
            let aborted = err.lines().any(|l| l.ends_with(": aborting"));
            if !complete || !all || hung || aborted {
                return Err(format!("exit 0 but {phase}, {c}; stderr: {err}"));
            }
            if signalled && case.items.is_some_and(|want| produced != want) {
                return Err(format!("exit 0 for a finite run cut short: {c}"));
            }
        }
        1 => {
            let why = failed > 0
                || phase == "aborted"
                || err.contains("stopped by a signal before the run finished")
                || err.contains("recording");
            if !why {
                return Err(format!(
                    "exit 1 without a reason: {phase}, {c}; stderr: {err}"
                ));
            }
            if failed > 0 && !err.contains("failed") {
                return Err(format!("failed items not said on stderr: {err}"));
            }
        }
        3 if hung => {}
        other => return Err(format!("exit {other}: {phase}, {c}; stderr: {err}")),
    }
    // What is certain beforehand: a run left alone with a pill per consumer
    // and nothing crashing does all it was asked and exits 0; with fewer
    // pills it hangs and the watchdog says so.
    if case.stop == Stop::Never && !case.crash {
        let want = match case.pills {
            "fewer" => 3,
            "equal" => 0,
            _ => code, // extra pills: the engine decides (checked above)
        };
        if code != want && case.consumers > 0 {
            return Err(format!("exit {code}, expected {want}; stderr: {err}"));
        }
    }
    let _ = std::fs::remove_file(&rec);
    Ok(code)
}

fn seeds() -> Vec<u64> {
    if let Some(one) = std::env::var("QS_SHUTDOWN_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return vec![one];
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(7, |d| d.as_nanos() as u64);
    let mut r = Rng::new(now);
    (1..=FIXED_SEEDS)
        .chain((0..RANDOM_SEEDS).map(|_| 10_000 + r.below(1 << 40)))
        .collect()
}

#[test]
fn every_shutdown_ends_within_its_bound_loses_nothing_and_exits_as_documented() {
    let dir = std::env::temp_dir().join(format!("qs-shutdown-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: Vec<Case> = seeds().into_iter().map(Case::new).collect();
    let t0 = Instant::now();
    let (tx, rx) = std::sync::mpsc::channel::<(Case, Result<i32, String>)>();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(cases.clone()));
    let workers: Vec<_> = (0..PARALLEL)
        .map(|_| {
            let (queue, tx, dir) = (queue.clone(), tx.clone(), dir.clone());
            std::thread::spawn(move || {
                loop {
                    let next = queue.lock().unwrap().pop();
                    let Some(case) = next else { break };
                    let result = check(&case, &dir);
                    let _ = tx.send((case, result));
                }
            })
        })
        .collect();
    drop(tx);
    let mut exits = std::collections::BTreeMap::<i32, usize>::new();
    let failures: Vec<String> = rx
        .iter()
        .filter_map(|(case, r)| {
            if let Ok(code) = &r {
                *exits.entry(*code).or_default() += 1;
            }
            r.err().map(|e| {
                format!(
                    "seed {} (QS_SHUTDOWN_SEED={}): {} {:?} after {:?}: {e}",
                    case.seed,
                    case.seed,
                    case.args.join(" "),
                    case.stop,
                    case.stop_after
                )
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    eprintln!(
        "{} shutdown cases in {:?}, exits {exits:?}",
        cases.len(),
        t0.elapsed()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
