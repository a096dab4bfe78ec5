//! `queuescope sweep` as a user runs it: a tiny real sweep in each output
//! format, and one-line errors (exit 2) for bad ranges and limits.

use assert_cmd::Command;
use serde_json::Value;

fn qs() -> Command {
    Command::cargo_bin("queuescope").unwrap()
}

/// A fast endless scenario: 3 points of 300 ms each.
const TINY: &[&str] = &[
    "sweep",
    "--consumers",
    "1..3",
    "--trial",
    "300ms",
    "--repeat",
    "1",
    "--interval",
    "2ms",
    "--work",
    "5ms",
    "--producers",
    "1",
];

fn tiny(extra: &[&str]) -> String {
    let out = qs()
        .args(TINY)
        .args(extra)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success()
        .get_output()
        .clone();
    // stderr is not a terminal here: no progress bar.
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn table_has_a_row_per_point_a_knee_and_charts() {
    let t = tiny(&[]);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(
        lines[0],
        "sweep default: 1 producer × consumers 1..3, trials of 300ms"
    );
    for col in [
        "producers",
        "consumers",
        "throughput",
        "mean depth",
        "wait p50",
        "wait p99",
        "cons util",
    ] {
        assert!(lines[1].contains(col), "{col}: {}", lines[1]);
    }
    assert!(
        !lines[1].contains("makespan"),
        "endless: no makespan column"
    );
    for (i, c) in (1..=3).enumerate() {
        let cols: Vec<&str> = lines[2 + i].split_whitespace().collect();
        assert_eq!(cols[..2], ["1", &c.to_string()[..]], "{}", lines[2 + i]);
    }
    assert_eq!(t.matches("◀ knee").count(), 1, "{t}");
    assert!(lines[5].starts_with("knee: "), "{t}");
    assert!(t.contains("throughput (items/s) by consumers"), "{t}");
    assert!(t.contains("p99 queue wait by consumers"), "{t}");
}

#[test]
fn json_document() {
    let v: Value = serde_json::from_str(&tiny(&["--json"])).expect("one JSON document");
    assert_eq!(v["scenario"], "default");
    assert_eq!(v["queue"], "channel");
    assert_eq!(v["batch"], false);
    assert_eq!(v["trial_s"], 0.3);
    let points = v["points"].as_array().expect("points");
    assert_eq!(points.len(), 3);
    for (i, p) in points.iter().enumerate() {
        assert_eq!(p["consumers"], i + 1);
        assert_eq!(p["producers"], 1);
        for k in [
            "throughput_per_s",
            "mean_depth",
            "queue_wait_p50_ms",
            "queue_wait_p99_ms",
            "consumer_utilization",
        ] {
            assert!(p[k].is_number(), "{k}: {p}");
        }
        assert!(p["makespan_s"].is_null());
        assert_eq!(p["outcome"], "ok");
    }
    assert_eq!(points.iter().filter(|p| p["knee"] == true).count(), 1);
    assert!(v["knee"]["consumers"].is_u64());
}

#[test]
fn csv_lines() {
    let t = tiny(&["--csv"]);
    let lines: Vec<&str> = t.lines().collect();
    assert_eq!(lines.len(), 4, "{t}");
    assert!(lines[0].starts_with("producers,consumers,throughput_per_s,"));
    let n = lines[0].split(',').count();
    assert!(lines.iter().all(|l| l.split(',').count() == n), "{t}");
}

#[test]
fn a_batch_scenario_reports_makespan() {
    let out = qs()
        .args([
            "sweep",
            "--consumers",
            "1,2",
            "--repeat",
            "1",
            "--items",
            "20",
            "--interval",
            "0",
            "--work",
            "10ms",
            "--producers",
            "1",
            "--csv",
        ])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success()
        .get_output()
        .clone();
    let t = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<Vec<&str>> = t.lines().skip(1).map(|l| l.split(',').collect()).collect();
    let makespan = |r: &Vec<&str>| r[7].parse::<f64>().expect("makespan");
    // 20 items of 10 ms: ~0.2 s on one consumer, ~0.1 s on two.
    assert!(makespan(&rows[0]) > 0.18 && makespan(&rows[0]) < 0.6, "{t}");
    assert!(makespan(&rows[1]) < makespan(&rows[0]), "{t}");
}

fn bad(args: &[&str], needle: &str) {
    let out = qs()
        .arg("sweep")
        .args(args)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(needle), "stderr for {args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_ranges_and_limits_exit_2_with_one_line() {
    bad(
        &["--consumers", "0..3"],
        "--consumers: expected counts from 1 to 1024",
    );
    bad(
        &["--consumers", "8..1"],
        "--consumers: expected a range from low to high, like 1..8",
    );
    bad(
        &["--consumers", "lots"],
        "--consumers: expected a count, a range like 1..16",
    );
    bad(
        &["--producers", "1..2000"],
        "--producers: expected counts from 1 to 1024",
    );
    bad(
        &["--consumers", "1..300"],
        "--consumers: expected at most 256 points in all; got 300",
    );
    bad(
        &["--consumers", "1..64", "--producers", "1..5"],
        "--producers/--consumers: expected at most 256 points",
    );
    bad(
        &["--trial", "20m"],
        "--trial: expected a time from 10ms to 10m",
    );
    bad(&["--trial", "5"], "--trial: expected a unit");
    bad(
        &["--repeat", "0"],
        "--repeat: expected a whole number from 1 to 20",
    );
    bad(
        &["--repeat", "21"],
        "--repeat: expected a whole number from 1 to 20",
    );
    bad(
        &["--repeat", "x"],
        "--repeat: expected a whole number from 1 to 20",
    );
    bad(&["--work", "fast"], "--work");
    bad(&["--scenario", "nope"], "--scenario");
}
