//! What a Rust command-line tool is expected to have, tried as a user
//! would: `--version` with the commit, shell completions and a man page,
//! `--color`, CSV and JSON for scripts, and pictures of the screen.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;

fn qs() -> Command {
    Command::cargo_bin("queuescope").expect("the binary")
}

/// Runs `queuescope args` expecting success; its stdout.
fn stdout(args: &[&str]) -> String {
    let out = qs().args(args).assert().success().get_output().clone();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The short hash of HEAD, when the crate is the top of a git checkout.
fn head_commit() -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| {
        let out = StdCommand::new("git")
            .args(args)
            .current_dir(dir)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    (top.canonicalize().ok()? == dir.canonicalize().ok()?)
        .then(|| git(&["rev-parse", "--short", "HEAD"]))
        .flatten()
}

#[test]
fn version_names_the_commit_of_a_checkout() {
    let v = stdout(&["--version"]);
    let expected = format!("queuescope {}", env!("CARGO_PKG_VERSION"));
    assert!(v.starts_with(&expected), "{v}");
    match head_commit() {
        Some(hash) => assert_eq!(v.trim_end(), format!("{expected} ({hash})")),
        // A tarball: the version alone.
        None => assert_eq!(v.trim_end(), expected),
    }
}

#[test]
fn completions_are_generated_for_every_shell_and_know_the_subcommands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout(&["completions", shell]);
        assert!(script.contains("queuescope"), "{shell}: {script}");
        for sub in ["run", "sweep", "replay", "scenarios", "completions", "man"] {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
        // A flag of a subcommand, not only the top level's.
        assert!(script.contains("snapshot-at"), "{shell}");
    }
    let out = qs().args(["completions", "tcsh"]).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("'tcsh'") && err.contains("<SHELL>"), "{err}");
}

#[test]
fn the_man_page_is_roff_and_lists_the_subcommands() {
    let page = stdout(&["man"]);
    assert!(page.starts_with(".ie \\n(.g .ds Aq"), "{}", &page[..80]);
    assert!(page.contains(".TH queuescope 1"), "{page}");
    for sub in ["run", "sweep", "replay", "scenarios", "completions"] {
        assert!(page.contains(&format!("queuescope\\-{sub}(1)")), "{sub}");
    }
    let dir = temp_dir("man");
    qs().args(["man", "--dir"]).arg(&dir).assert().success();
    for page in ["queuescope.1", "queuescope-run.1", "queuescope-sweep.1"] {
        let text = std::fs::read_to_string(dir.join(page)).expect(page);
        assert!(text.contains(".TH"), "{page}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A fresh directory for one test's files.
fn temp_dir(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qs-eco-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A short finite run's flags, then `extra`.
fn short_run<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "run",
        "--items",
        "12",
        "--consumers",
        "3",
        "--interval",
        "0ms",
        "--work",
        "1ms",
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn run_csv_is_one_row_per_thread_and_csv_summary_one_per_run() {
    use queuescope::report::csv::{SUMMARY_HEADER, THREADS_HEADER};
    let csv = stdout(&short_run(&["--csv"]));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], THREADS_HEADER);
    // main, the default's two producers, three consumers.
    assert_eq!(lines.len(), 1 + 6, "{csv}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains(",Consumer-3,consumer,exited,pill,")),
        "{csv}"
    );

    let csv = stdout(&short_run(&["--csv-summary", "--log"]));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines,
        [SUMMARY_HEADER, lines[1]],
        "the log went to stderr: {csv}"
    );
    let header: Vec<&str> = SUMMARY_HEADER.split(',').collect();
    let row: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(row.len(), header.len());
    let col = |name: &str| row[header.iter().position(|c| *c == name).expect(name)];
    assert_eq!(
        (col("phase"), col("produced"), col("consumed")),
        ("done", "12", "12")
    );
    assert!(col("queue_wait_p99_ms").parse::<f64>().is_ok());

    let out = qs().args(short_run(&["--csv", "--json"])).assert().code(2);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(err.contains("--csv") && err.contains("--json"), "{err}");
}

#[test]
fn scenarios_json_lists_every_preset() {
    let doc: serde_json::Value =
        serde_json::from_str(&stdout(&["scenarios", "--json"])).expect("one JSON document");
    let names: Vec<&str> = doc
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names, queuescope::scenario::presets::names());
    assert_eq!(doc[0]["work"], "exp:80ms");
}

#[test]
fn log_lines_are_timed_unless_plain() {
    let timed = stdout(&short_run(&["--log"]));
    let received = |text: &str| {
        text.lines()
            .find(|l| l.contains("received item"))
            .map(str::to_string)
            .unwrap_or_default()
    };
    let line = received(&timed);
    // `   0.012s Consumer-2 received item 3`
    let (stamp, rest) = line.split_at(9);
    assert!(
        stamp.ends_with('s') && stamp.trim_end_matches('s').trim().parse::<f64>().is_ok(),
        "{line}"
    );
    assert!(rest.starts_with(" Consumer-"), "{line}");
    let plain = stdout(&short_run(&["--log", "--log-format", "plain"]));
    assert!(received(&plain).starts_with("Consumer-"), "{plain}");
    // No colour into a pipe unless asked for, and then ANSI codes.
    assert!(!timed.contains('\x1b'));
    let painted = stdout(&short_run(&["--log", "--color", "always"]));
    assert!(painted.contains("\x1b[1;91m"), "pills in colour: {painted}");
    qs().args(["run", "--log-format", "plain"]).assert().code(2);
}

#[test]
fn run_snapshot_draws_the_final_screen() {
    let dir = temp_dir("snap");
    let stem = dir.join("end");
    let out = qs()
        .args(short_run(&["--snapshot"]))
        .arg(&stem)
        .args(["--snapshot-size", "100x30"])
        .assert()
        .success()
        .get_output()
        .clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("end.svg") && err.contains("end.txt"), "{err}");
    let text = std::fs::read_to_string(dir.join("end.txt")).expect("text picture");
    assert_eq!(text.lines().count(), 30);
    assert!(
        text.contains("done") && text.contains("Consumer-3"),
        "{text}"
    );
    let svg = std::fs::read_to_string(dir.join("end.svg")).expect("svg picture");
    roxmltree::Document::parse(&svg).expect("well-formed SVG");
    assert!(svg.contains("width=\"860\""), "100 columns");
    // --color never: the picture has the default ink only.
    qs().args(short_run(&["--snapshot"]))
        .arg(dir.join("mono.svg"))
        .args(["--color", "never"])
        .assert()
        .success();
    let mono = std::fs::read_to_string(dir.join("mono.svg")).expect("svg");
    assert!(!mono.contains("#0dbc79"), "no green without colour");
    assert!(svg.contains("#0dbc79"), "green in colour: {svg}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_picture_flags_are_bad_input() {
    let one_line = |args: &[&str], needle: &str| {
        let out = qs().args(args).assert().code(2).get_output().clone();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(err.contains(needle), "{args:?}: {err}");
        assert!(err.lines().count() <= 2, "{err}");
    };
    one_line(&["run", "--snapshot", "/no/such/dir/end"], "--snapshot");
    one_line(
        &["run", "--snapshot", "x", "--snapshot-size", "10x5"],
        "--snapshot-size",
    );
    one_line(&["run", "--snapshot-size", "120x40"], "--snapshot");
    one_line(&["--snapshot-dir", "/no/such/dir"], "--snapshot-dir");
    let rec = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/recordings/worker-pool.jsonl"
    );
    one_line(&["replay", rec, "--snapshot-at", "soon"], "--snapshot-at");
    one_line(&["replay", rec, "--snapshot-at", "1h"], "past the end");
}

#[test]
fn replay_snapshot_at_draws_the_recording_at_that_time() {
    let dir = temp_dir("replay");
    let rec = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/recordings/worker-pool.jsonl"
    );
    // The recording is 227 ms long.
    qs().args(["replay", rec, "--snapshot-at", "100ms", "--snapshot"])
        .arg(dir.join("half.svg"))
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.join("half.txt")).expect("text picture");
    assert!(text.contains("replay ‖") && text.contains("0.1s"), "{text}");
    // Without a name: a timestamped one in --snapshot-dir.
    qs().args(["replay", rec, "--snapshot-at", "0s", "--snapshot-dir"])
        .arg(&dir)
        .assert()
        .success();
    let stamped = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("queuescope-"))
        .count();
    assert_eq!(stamped, 2, "an .svg and a .txt");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Where `text` spells microseconds `us` (`12us`, `12 us`, `_us`), or
/// writes a long duration in a small unit (`1234 ms`, `1500µs`).
fn unit_problems(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let word_end = |i: usize| chars.get(i).is_none_or(|c| !c.is_alphanumeric());
    for i in 0..chars.len() {
        let at = |s: &str| {
            s.chars()
                .enumerate()
                .all(|(k, c)| chars.get(i + k) == Some(&c))
        };
        let before = if i > 0 { chars[i - 1] } else { ' ' };
        let spelt_us = at("us") && word_end(i + 2);
        if spelt_us && (before.is_ascii_digit() || before == ' ' || before == '_') {
            let from = i.saturating_sub(12);
            found.push(chars[from..(i + 3).min(chars.len())].iter().collect());
        }
        // Four digits or more before ms or µs: a larger unit fits.
        let small = (at("ms") || at("µs") || at(" ms") || at(" µs")) && word_end(i + 3);
        if small && i >= 4 && chars[i - 4..i].iter().all(char::is_ascii_digit) {
            let from = i.saturating_sub(8);
            found.push(chars[from..(i + 3).min(chars.len())].iter().collect());
        }
    }
    found
}

#[test]
fn the_unit_scan_finds_what_it_should() {
    assert_eq!(unit_problems("wait 12us, p99 3 us").len(), 2);
    assert_eq!(unit_problems("\"wait_us\": 3").len(), 1);
    let long = unit_problems("took 195261 ms");
    assert!(long.len() == 1 && long[0].ends_with("5261 ms"), "{long:?}");
    assert!(unit_problems("12µs 3m 15.3s status thus bus 999ms 12.500 ms").is_empty());
}

#[test]
fn durations_are_in_micros_and_the_largest_unit_everywhere() {
    // Items 5 ms apart, no work: queue waits of microseconds.
    let fast = ["--items", "20", "--interval", "5ms", "--work", "0ms"];
    let with = |head: &[&str], tail: &[&str]| {
        let mut v: Vec<String> = head.iter().map(|s| s.to_string()).collect();
        v.extend(fast.iter().map(|s| s.to_string()));
        v.extend(tail.iter().map(|s| s.to_string()));
        v
    };
    let sweep = ["sweep", "--consumers", "1..2", "--repeat", "1"];
    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut record = |args: Vec<String>| {
        let out = qs().args(&args).assert().get_output().clone();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        outputs.push((args.join(" "), text));
    };
    for tail in [
        &[][..],
        &["--json"],
        &["--csv"],
        &["--csv-summary"],
        &["--log"],
    ] {
        record(with(&["run"], tail));
    }
    for tail in [&[][..], &["--json"], &["--csv"]] {
        record(with(&sweep, tail));
    }
    record(vec!["scenarios".into()]);
    record(vec!["scenarios".into(), "--json".into()]);
    for sub in ["run", "sweep", "replay", "scenarios", "completions", "man"] {
        record(vec![sub.into(), "--help".into()]);
    }
    record(vec!["--help".into()]);
    let run = &outputs[0].1;
    assert!(run.contains("µs"), "a fast run shows microseconds: {run}");
    for (args, text) in &outputs {
        let bad = unit_problems(text);
        assert!(bad.is_empty(), "queuescope {args}: {bad:?}\n{text}");
    }
}
