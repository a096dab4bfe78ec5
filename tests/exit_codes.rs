//! One test per way out of `main`'s dispatch that the other CLI tests do
//! not already take: the hang exit (3), help (0), the live view's bad input
//! (2), and the runtime failures signals cause (1) in `run` and `sweep`.

use std::process::{Command as StdCommand, Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;

fn qs() -> Command {
    Command::cargo_bin("queuescope").unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Starts `args`, sends SIGTERM after each of `after` (counted from the
/// previous one), and waits for the process.
fn signalled(args: &[&str], after: &[Duration]) -> Output {
    let child = StdCommand::new(assert_cmd::cargo::cargo_bin("queuescope"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    for pause in after {
        std::thread::sleep(*pause);
        // SAFETY: plain kill(2) on our own child.
        unsafe {
            libc::kill(child.id() as i32, libc::SIGTERM);
        }
    }
    let t0 = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(t0.elapsed() < Duration::from_secs(20), "slow to stop");
    out
}

#[test]
fn a_hang_the_watchdog_stops_exits_3_after_the_report() {
    let out = qs()
        .args(["run", "--scenario", "too-few-pills"])
        .timeout(Duration::from_secs(60))
        .assert()
        .code(3)
        .get_output()
        .clone();
    let err = text(&out.stderr);
    assert!(
        err.contains("queuescope: hang: 3 consumers will wait forever"),
        "{err}"
    );
    let report = text(&out.stdout);
    assert!(report.starts_with("Stopped (aborted)"), "{report}");
    assert!(report.contains("pills 1/1 received"), "{report}");
}

#[test]
fn help_and_version_exit_0_on_stdout() {
    for flag in ["--help", "--version"] {
        let out = qs().arg(flag).assert().code(0).get_output().clone();
        assert!(out.stderr.is_empty(), "{flag}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("queuescope"), "{flag}");
    }
}

#[test]
fn the_live_view_with_an_unwritable_record_path_exits_2_before_anything_starts() {
    let out = qs()
        .args(["--record", "/no/such/dir/live.jsonl"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = text(&out.stderr);
    assert!(
        err.starts_with("error: --record: cannot create /no/such/dir/live.jsonl: "),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn a_live_view_with_bad_flags_exits_2_before_the_terminal_check() {
    let out = qs()
        .args(["--consumers", "0"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = text(&out.stderr);
    assert!(err.starts_with("error: --consumers: "), "{err}");
    assert!(!err.contains("not a terminal"), "{err}");
}

#[test]
fn a_second_signal_aborts_a_run_and_exits_1() {
    // Two-second items: the graceful shutdown is still waiting for them
    // when the second signal comes.
    let ms = Duration::from_millis;
    let out = signalled(
        &["run", "--interval", "1ms", "--work", "2s"],
        &[ms(600), ms(300)],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("shutting down (pills going out)"), "{err}");
    assert!(err.contains("second signal: aborting"), "{err}");
    assert!(text(&out.stdout).starts_with("Stopped (aborted)"));
}

#[test]
fn an_interrupted_sweep_prints_what_it_has_and_exits_1() {
    let out = signalled(
        &[
            "sweep",
            "--consumers",
            "1..4",
            "--trial",
            "2s",
            "--interval",
            "2ms",
            "--work",
            "5ms",
            "--csv",
        ],
        &[Duration::from_millis(600)],
    );
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("sweep interrupted"), "{err}");
    assert!(
        text(&out.stdout).starts_with("producers,consumers,"),
        "the CSV header is still printed"
    );
}
