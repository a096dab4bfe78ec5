//! Narration from facts: every event line and summary line says what
//! happened and nothing else. The cases the issue found false, run as a
//! user runs them.

use std::io::Write;

use assert_cmd::Command;
use serde_json::Value;

fn qs() -> Command {
    Command::cargo_bin("queuescope").unwrap()
}

fn json(args: &[&str]) -> Value {
    let out = qs().args(args).arg("--json").output().unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn warnings(doc: &Value) -> Vec<String> {
    doc["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn early_pills_are_put_because_the_first_producer_finished() {
    let out = qs()
        .args([
            "run",
            "--scenario",
            "early-pill",
            "--log",
            "--log-format",
            "plain",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("main puts"))
        .unwrap_or_else(|| panic!("no pill line:\n{text}"));
    assert!(
        line.starts_with("Producer-1 finished first (1 producer still producing)"),
        "{line}"
    );
    assert!(!text.contains("all producers finished"), "{text}");
}

#[test]
fn pills_nobody_could_take_are_counted_and_warned_about() {
    let doc = json(&[
        "run",
        "--capacity",
        "0",
        "--consumers",
        "2",
        "--pills",
        "5",
        "--items",
        "10",
    ]);
    assert_eq!(doc["pills_planned"], 5);
    assert_eq!(doc["pills_sent"], 2);
    assert_eq!(doc["pills_received"], 2);
    assert_eq!(doc["pills_undelivered"], 3);
    let w = warnings(&doc);
    assert!(
        w.iter()
            .any(|m| m == "5 pills for 2 consumers: 3 pills not delivered (no consumer left)"),
        "{w:?}"
    );
}

#[test]
fn one_pill_per_consumer_still_alive_is_no_mistake() {
    // A consumer crashes after the pills were planned: the pill meant for
    // it stays in the queue, but the protocol was right.
    let out = qs()
        .args([
            "run",
            "--scenario",
            "pool-map",
            "--crash-item",
            "0",
            "--json",
        ])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["failed"], 1);
    let w = warnings(&doc);
    assert!(!w.iter().any(|m| m.contains("pill")), "{w:?}");
}

#[test]
fn a_flag_over_a_per_producer_list_applies_to_every_producer() {
    let mut file = tempfile();
    writeln!(
        file.1,
        "producers = 2\ninterval = [\"1s\", \"1s\"]\nitems = 20\nconsumers = 2"
    )
    .unwrap();
    let path = file.0.to_str().unwrap().to_string();
    let doc = json(&["run", "--scenario", &path, "--interval", "0ms"]);
    assert_eq!(doc["config"]["interval"], "0ms");
    assert!(doc["config"].get("producer_intervals").is_none(), "{doc}");
    // 20 items at one a second per producer would take 10 s.
    assert!(doc["elapsed_s"].as_f64().unwrap() < 2.0, "{doc}");
    // Without the flag the list is reported as in force.
    let doc = json(&["run", "--scenario", &path, "--items", "2"]);
    assert_eq!(doc["config"]["producer_intervals"][1], "1s");
    let _ = std::fs::remove_file(&file.0);
}

#[test]
fn waiting_for_items_and_blocking_on_a_full_queue_are_told_apart() {
    let doc = json(&["run", "--scenario", "backpressure", "--duration", "1s"]);
    let threads = doc["threads"].as_array().unwrap();
    let by_role = |role: &str, field: &str| -> f64 {
        threads
            .iter()
            .filter(|t| t["role"] == role)
            .map(|t| t[field].as_f64().unwrap())
            .sum()
    };
    assert!(by_role("producer", "blocked_s") > 0.1, "{threads:?}");
    assert_eq!(by_role("producer", "waiting_s"), 0.0);
    assert_eq!(by_role("consumer", "blocked_s"), 0.0);
    let out = qs()
        .args(["run", "--scenario", "starved", "--duration", "1s"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let header = text.lines().find(|l| l.starts_with("thread ")).unwrap();
    assert!(
        header.contains("blocked s") && header.contains("waiting s"),
        "{header}"
    );
}

#[test]
fn a_paused_run_reports_active_wall_and_paused_time() {
    let doc = json(&["run", "--items", "5", "--work", "0ms", "--interval", "0ms"]);
    let (active, wall, paused) = (
        doc["elapsed_s"].as_f64().unwrap(),
        doc["wall_s"].as_f64().unwrap(),
        doc["paused_s"].as_f64().unwrap(),
    );
    assert!(wall >= active && (0.0..0.01).contains(&paused), "{doc}");
    assert!(
        doc["epochs"].as_array().is_some_and(|e| e.len() == 1),
        "{doc}"
    );
    assert_eq!(doc["epochs"][0]["cause"], "start");
}

/// A scenario file in the temp directory, removed with the handle.
fn tempfile() -> (std::path::PathBuf, std::fs::File) {
    let path = std::env::temp_dir().join(format!(
        "queuescope-narration-{}-{:?}.toml",
        std::process::id(),
        std::thread::current().id()
    ));
    let file = std::fs::File::create(&path).unwrap();
    (path, file)
}
