//! The `queuescope` binary as a user runs it: headless runs, reports, exit
//! codes and one-line errors for bad input.

use std::io::Read;
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn qs() -> Command {
    Command::cargo_bin("queuescope").unwrap()
}

fn bad(args: &[&str], needle: &str) {
    let out = qs().args(args).assert().code(2).get_output().clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(needle), "stderr for {args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line, got: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_flags_get_one_line_naming_the_flag_and_exit_2() {
    bad(
        &["run", "--consumers", "0"],
        "--consumers: expected a whole number from 1 to 1024",
    );
    bad(&["run", "--producers", "5000"], "--producers");
    bad(&["run", "--capacity", "lots"], "--capacity");
    bad(&["run", "--capacity", "1000001"], "--capacity");
    bad(&["run", "--work", "exp:-1ms"], "--work");
    bad(&["run", "--interval", "sometimes"], "--interval");
    bad(&["run", "--duration", "25h"], "--duration");
    bad(&["run", "--items", "0"], "--items");
    bad(&["run", "--seed", "-1"], "--seed");
    bad(&["run", "--scenario", "no-such-scenario"], "--scenario");
}

#[test]
fn bad_scenario_files_name_the_key_with_line_and_column() {
    let dir = std::env::temp_dir().join(format!("qs-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("bad.toml");
    std::fs::write(&f, "producers = 2\ncapacity = -4\n").unwrap();
    bad(
        &["run", "--scenario", f.to_str().unwrap()],
        "bad.toml:2:12: capacity",
    );
    std::fs::write(&f, "producers = 2\nconsumer = 3\n").unwrap();
    bad(
        &["run", "--scenario", f.to_str().unwrap()],
        "bad.toml:2:1: consumer: unknown key",
    );
}

#[test]
fn an_unknown_flag_is_a_short_usage_error() {
    let out = qs()
        .args(["run", "--frobnicate"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--frobnicate"), "{err}");
    assert!(err.lines().count() <= 2, "{err}");
}

#[test]
fn json_report_has_every_documented_field() {
    let out = qs()
        .args(["run", "--scenario", "pool-map", "--json"])
        .assert()
        .success()
        .get_output()
        .clone();
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    for key in [
        "scenario",
        "elapsed_s",
        "produced",
        "consumed",
        "failed",
        "pills_sent",
        "pills_received",
        "throughput_per_s",
        "max_depth",
        "mean_depth",
        "threads",
        "latency",
        "littles_law",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["scenario"], "pool-map");
    assert_eq!(v["produced"], 7);
    assert_eq!(v["consumed"], 7);
    assert_eq!(v["pills_sent"], 8);
    assert_eq!(v["pills_received"], 8);
    let elapsed = v["elapsed_s"].as_f64().unwrap();
    assert!((1.0..1.2).contains(&elapsed), "makespan {elapsed}");
    for l in ["queue_wait", "end_to_end"] {
        for k in ["mean_ms", "p50_ms", "p90_ms", "p99_ms", "max_ms"] {
            assert!(v["latency"][l][k].is_number(), "latency.{l}.{k}");
        }
    }
    for k in [
        "mean_in_system",
        "arrival_rate_per_s",
        "mean_time_in_system_s",
    ] {
        assert!(v["littles_law"][k].is_number(), "littles_law.{k}");
    }
    let threads = v["threads"].as_array().unwrap();
    assert_eq!(threads.len(), 1 + 1 + 8);
    for t in threads {
        for k in [
            "name",
            "role",
            "items",
            "busy_s",
            "blocked_s",
            "idle_s",
            "state",
        ] {
            assert!(t.get(k).is_some(), "thread field {k}");
        }
    }
    let ids: Vec<u64> = v["map"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, (0..7).collect::<Vec<_>>());
    // Little's law holds on the run: L (sampled) is close to λ·W.
    let l = v["littles_law"]["mean_in_system"].as_f64().unwrap();
    let lw = v["littles_law"]["lambda_w"].as_f64().unwrap();
    assert!((l - lw).abs() / lw < 0.05, "L {l} vs λW {lw}");
}

#[test]
fn text_report_ends_like_the_seed_program() {
    qs().args(["run", "--scenario", "worker-pool"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("Done! Time taken: "))
        .stdout(predicate::str::contains("Consumer-4"))
        .stdout(predicate::str::contains("pills 4/4 received"));
}

#[test]
fn log_narrates_items_and_pills_as_they_happen() {
    let out = qs()
        .args([
            "run",
            "--items",
            "30",
            "--consumers",
            "3",
            "--producers",
            "2",
            "--interval",
            "0ms",
            "--work",
            "0ms",
            "--log",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.matches("received the pill: bye").count(), 3, "{text}");
    assert_eq!(
        text.lines()
            .filter(|l| l.contains(" received item "))
            .count(),
        30
    );
    assert!(text.contains("main sent pill 3/3"));
    assert!(text.contains("Done! Time taken"));
}

#[test]
fn a_crashing_item_is_a_runtime_failure_with_exit_1() {
    let out = qs()
        .args([
            "run",
            "--items",
            "20",
            "--consumers",
            "2",
            "--interval",
            "0ms",
            "--work",
            "0ms",
            "--crash-item",
            "5",
            "--json",
        ])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["failed"], 1);
    assert_eq!(v["consumed"], 19);
    let crashed = v["threads"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["state"] == "crashed")
        .count();
    assert_eq!(crashed, 1);
    // The caught panic does not print; one line says why the exit is 1.
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err,
        "queuescope: 1 item failed (--crash-item / crash_items made their consumers panic); exit 1\n"
    );
}

#[test]
fn scenarios_lists_every_preset_with_its_lesson() {
    let out = qs()
        .arg("scenarios")
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    for name in [
        "default",
        "classic",
        "worker-pool",
        "pool-map",
        "fetch-pool",
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(name) && l.len() > name.len() + 10),
            "{name}: {text}"
        );
    }
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("queuescope"))
        .args([
            "run",
            "--items",
            "2000",
            "--interval",
            "0ms",
            "--work",
            "0ms",
            "--log",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then hang up, like `| head -c 1`.
    let mut stdout = child.stdout.take().unwrap();
    let mut one = [0u8; 1];
    stdout.read_exact(&mut one).unwrap();
    drop(stdout);
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn sigterm_shuts_an_endless_run_down_gracefully() {
    let child = StdCommand::new(assert_cmd::cargo::cargo_bin("queuescope"))
        .args(["run", "--interval", "5ms", "--work", "5ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    // SAFETY: plain kill(2) on our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let t0 = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(t0.elapsed() < Duration::from_secs(10));
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with("Done! Time taken"), "{text}");
    assert!(text.contains("pills 4/4 received"), "{text}");
}
