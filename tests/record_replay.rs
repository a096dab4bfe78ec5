//! Recording and replaying as a user does it: `run --record`, then
//! `replay --json` prints the very document `run --json` printed; the file
//! is versioned JSON lines; bad files are one line and exit 2.

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn qs() -> Command {
    Command::cargo_bin("queuescope").unwrap()
}

fn tmp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qs-rec-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/recordings/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// `run ARGS --json --record FILE`, then `replay FILE --json`: both stdouts.
fn round_trip(args: &[&str], file: &str) -> (String, String, PathBuf) {
    let path = tmp(file);
    let run = qs()
        .arg("run")
        .args(args)
        .args(["--json", "--record"])
        .arg(&path)
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .success()
        .get_output()
        .clone();
    let replay = qs()
        .args(["replay", "--json"])
        .arg(&path)
        .assert()
        .success()
        .get_output()
        .clone();
    (
        String::from_utf8(run.stdout).unwrap(),
        String::from_utf8(replay.stdout).unwrap(),
        path,
    )
}

#[test]
fn replay_json_prints_what_run_json_printed() {
    let (run, replay, _) = round_trip(&["--scenario", "worker-pool"], "wp.jsonl");
    assert!(!run.is_empty());
    assert_eq!(run, replay);
    let v: Value = serde_json::from_str(&replay).expect("one JSON document");
    assert_eq!(v["scenario"], "worker-pool");
    assert_eq!(v["consumed"], 7);
}

#[test]
fn a_longer_run_round_trips_with_its_events_and_snapshots() {
    let (run, replay, path) = round_trip(
        &[
            "--producers",
            "2",
            "--consumers",
            "3",
            "--capacity",
            "4",
            "--interval",
            "2ms",
            "--work",
            "exp:5ms",
            "--duration",
            "1s",
        ],
        "long.jsonl",
    );
    assert_eq!(run, replay);
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is JSON"))
        .collect();
    let header = &lines[0];
    assert_eq!(header["format"], "queuescope-recording");
    assert_eq!(header["version"], 2);
    assert_eq!(header["config"]["producers"], 2);
    assert_eq!(header["snapshot_every_ms"], 100);
    let kind = |t: &str| lines.iter().filter(|l| l["t"] == t).count();
    // About 10 snapshots a second, plus the final one.
    assert!(kind("snap") >= 8, "{} snapshots", kind("snap"));
    assert!(kind("event") > 10);
    // Each consumer's latency, about once a second and at the end.
    assert!(kind("detail") >= 3, "{} details", kind("detail"));
    assert_eq!(lines.last().map(|l| l["t"].clone()), Some("end".into()));
    assert_eq!(kind("end"), 1);
    // Events are numbered without gaps (nothing was dropped here).
    let seqs: Vec<u64> = lines
        .iter()
        .filter(|l| l["t"] == "event")
        .map(|l| l["seq"].as_u64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    assert_eq!(lines.last().unwrap()["dropped_events"], 0);
}

#[test]
fn a_recording_from_this_version_keeps_loading() {
    // Committed once: later versions of queuescope must still read it.
    let out = qs()
        .args(["replay", "--json", &fixture("worker-pool.jsonl")])
        .assert()
        .success()
        .get_output()
        .clone();
    let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["scenario"], "worker-pool");
    assert_eq!(v["produced"], 7);
}

fn refused(file: &str, needle: &str) {
    for json in [true, false] {
        let mut cmd = qs();
        cmd.arg("replay");
        if json {
            cmd.arg("--json");
        }
        let out = cmd.arg(file).assert().code(2).get_output().clone();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{file}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(err.starts_with("error: "), "{err}");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn bad_files_are_one_line_and_exit_2() {
    refused(
        &fixture("truncated.jsonl"),
        "truncated.jsonl: truncated recording: it ends after line 20 without its end record",
    );
    refused(
        &fixture("no-end.jsonl"),
        "no-end.jsonl: truncated recording: it ends after line 28",
    );
    refused(
        &fixture("corrupt.jsonl"),
        "corrupt.jsonl:3: corrupt recording: invalid type: string \"three\", expected u64",
    );
    refused(
        &fixture("future-version.jsonl"),
        "future-version.jsonl: recording format version 3 is newer than this queuescope reads (version 2)",
    );
    refused(
        &fixture("foreign.json"),
        "foreign.json: not a queuescope recording (no \"format\": \"queuescope-recording\"",
    );
    refused(
        &fixture("empty.jsonl"),
        "empty.jsonl: not a queuescope recording (the file is empty)",
    );
    refused(
        &fixture("binary.bin"),
        "binary.bin: not a queuescope recording (its first line is not JSON)",
    );
    refused(
        &format!("{}/tests/fixtures/endless.toml", env!("CARGO_MANIFEST_DIR")),
        "endless.toml: not a queuescope recording",
    );
    refused("/no/such/recording.jsonl", "cannot read the recording");
}

#[test]
fn an_unwritable_record_path_is_bad_input() {
    let out = qs()
        .args(["run", "--items", "3", "--record", "/no/such/dir/x.jsonl"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: --record: cannot create /no/such/dir/x.jsonl: "),
        "{err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1);
    assert!(out.stdout.is_empty(), "nothing ran");
}

#[test]
fn replay_needs_a_terminal_for_the_live_view() {
    let out = qs()
        .args(["replay", &fixture("worker-pool.jsonl")])
        .assert()
        .code(2)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a terminal"));
}
