//! `queuescope trace` end to end in a pseudo-terminal: a real Python
//! program in the live view, and every way of quitting leaves nothing
//! running.

mod common;

use std::time::{Duration, Instant};

use common::pty::Session;
use common::python::{alive, fixture, require_python};

const LONG: Duration = Duration::from_secs(30);

#[test]
fn the_classic_program_live_then_q() {
    require_python();
    let script = fixture("classic.py");
    let mut s = Session::start(&["trace", "--pill", "quit", "--", "python3", &script]);
    let screen = s.wait_for("the threads and the program's output", LONG, |sc| {
        sc.contains("Threads") && sc.contains("Consumer") && sc.contains("Program output")
    });
    assert!(
        screen.contains("classic.py"),
        "the header names it:\n{screen}"
    );
    // The output panel, and the header counting the pill and the consumer
    // that took it (one predicate: a screen may be read mid-frame).
    s.wait_for("the done banner, the output and the pill", LONG, |sc| {
        sc.contains("Done! Time taken")
            && sc.contains("Producing 9")
            && sc.contains("pills sent 1/1 · 1/1 consumers exited")
    });
    // `r` runs the program again.
    s.press("r");
    s.wait_for("a new run", LONG, |sc| !sc.contains("Done! Time taken"));
    s.wait_for("its end", LONG, |sc| sc.contains("Done! Time taken"));
    s.press("q");
    assert_eq!(s.exit_code(LONG), 0);
    s.assert_restored();
}

#[test]
fn record_a_traced_program_then_replay_it() {
    require_python();
    let path = std::env::temp_dir().join(format!("qs-trace-pty-rec-{}.jsonl", std::process::id()));
    let file = path.to_str().expect("utf-8 temp path");
    let script = fixture("worker_pool.py");
    let mut s = Session::start(&["trace", "--record", file, "--", "python3", &script]);
    s.wait_for("the done banner while recording", LONG, |sc| {
        sc.contains("Done! Time taken") && sc.contains("● rec")
    });
    s.press("q");
    assert_eq!(s.exit_code(LONG), 0);
    s.assert_restored();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_queuescope"))
        .args(["replay", file, "--json"])
        .output()
        .expect("replay");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        (doc["consumed"].as_u64(), doc["pills_received"].as_u64()),
        (Some(7), Some(4))
    );
    let _ = std::fs::remove_file(&path);
}

/// Starts `ignores_sigterm.py` in the live view and returns the session
/// and the program's pid, once its thread is on screen.
fn start_stubborn() -> (Session, i32, std::path::PathBuf) {
    require_python();
    let pidfile = std::env::temp_dir().join(format!(
        "qs-trace-pid-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    let _ = std::fs::remove_file(&pidfile);
    let script = fixture("ignores_sigterm.py");
    let path = pidfile.to_str().expect("utf-8 temp path").to_string();
    let s = Session::start(&["trace", "--", "python3", &script, &path]);
    s.wait_for("the busy thread", LONG, |sc| sc.contains("Busy"));
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .expect("the program wrote its pid")
        .trim()
        .parse()
        .expect("a pid");
    assert!(alive(pid));
    (s, pid, pidfile)
}

fn assert_gone(pid: i32, within: Duration) {
    let deadline = Instant::now() + within;
    while alive(pid) {
        assert!(
            Instant::now() < deadline,
            "the program (pid {pid}) is still running"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn q_stops_a_program_that_ignores_sigterm() {
    let (mut s, pid, pidfile) = start_stubborn();
    s.press("q");
    // SIGTERM is ignored: SIGKILL follows after the grace period.
    assert_eq!(s.exit_code(LONG), 0);
    s.assert_restored();
    assert_gone(pid, Duration::from_secs(1));
    let _ = std::fs::remove_file(pidfile);
}

#[test]
fn ctrl_c_and_sigterm_stop_the_program_too() {
    let (mut s, pid, pidfile) = start_stubborn();
    s.press("\x03");
    assert_eq!(s.exit_code(LONG), 0);
    s.assert_restored();
    assert_gone(pid, Duration::from_secs(1));

    let (mut s, pid, pidfile2) = start_stubborn();
    let qs = s.child.process_id().expect("queuescope's pid") as libc::pid_t;
    // SAFETY: signalling our own child.
    assert_eq!(unsafe { libc::kill(qs, libc::SIGTERM) }, 0);
    assert_eq!(s.exit_code(LONG), 0);
    s.assert_restored();
    assert_gone(pid, Duration::from_secs(1));
    let _ = std::fs::remove_file(pidfile);
    let _ = std::fs::remove_file(pidfile2);
}

#[test]
fn a_hung_program_is_named_stopped_and_exits_3() {
    require_python();
    let script = fixture("too_few_pills.py");
    let mut s = Session::start(&["trace", "--", "python3", &script]);
    s.wait_for("the hang and the threads that wait", LONG, |sc| {
        sc.contains("HANG") && sc.contains("will wait forever") && sc.contains("Consumer-4")
    });
    s.wait_for("the program stopped", LONG, |sc| sc.contains("aborted"));
    s.press("q");
    assert_eq!(s.exit_code(LONG), 3);
    s.assert_restored();
}
