//! `queuescope trace` headless on the seed-style Python programs in
//! `tests/trace/`: counts, pills, thread names and roles, the states each
//! thread was seen in, makespans, hangs, exit codes, and that nothing is
//! left running. They need `python3`, and fail (not skip) without it.

mod common;

use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use serde_json::Value;

use common::python::{alive, fixture, require_python};

fn qs() -> Command {
    Command::cargo_bin("queuescope").expect("the queuescope binary")
}

/// `trace --json [flags] -- python3 tests/trace/<script>`: the document
/// and the exit code (the program's output went to stderr).
fn trace_json(flags: &[&str], script: &str) -> (Value, i32) {
    require_python();
    let path = fixture(script);
    let mut args = vec!["trace", "--json"];
    args.extend_from_slice(flags);
    args.extend_from_slice(&["--", "python3", &path]);
    let out = qs()
        .args(&args)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run queuescope");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{script}: stdout is not one JSON document ({e}); stderr:\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (doc, out.status.code().unwrap_or(-1))
}

fn thread<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["threads"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["name"] == name))
        .unwrap_or_else(|| panic!("no thread {name} in {}", doc["threads"]))
}

/// Seconds the trace saw `name` in `state` (0 if never).
fn time_in(doc: &Value, name: &str, state: &str) -> f64 {
    doc["trace"]["threads"]
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["name"] == name))
        .and_then(|t| t["states_s"][state].as_f64())
        .unwrap_or(0.0)
}

fn n(doc: &Value, key: &str) -> u64 {
    doc[key]
        .as_u64()
        .unwrap_or_else(|| panic!("{key} in {doc}"))
}

fn conserved(doc: &Value) {
    assert_eq!(
        n(doc, "produced"),
        n(doc, "consumed") + n(doc, "failed") + n(doc, "left_in_queue"),
        "{doc}"
    );
}

#[test]
fn classic_with_a_quit_pill() {
    for flags in [&["--pill", "quit"][..], &[][..]] {
        let (doc, code) = trace_json(flags, "classic.py");
        assert_eq!(code, 0, "{doc}");
        assert_eq!(doc["phase"], "done");
        assert_eq!((n(&doc, "produced"), n(&doc, "consumed")), (10, 10));
        // With --pill, and without it (the item taken just before leaving).
        assert_eq!((n(&doc, "pills_sent"), n(&doc, "pills_received")), (1, 1));
        conserved(&doc);
        let p = thread(&doc, "Producer");
        assert_eq!(
            (&p["role"], &p["exit"], &p["items"]),
            (&"producer".into(), &"finished".into(), &10.into())
        );
        let c = thread(&doc, "Consumer");
        assert_eq!(
            (&c["role"], &c["exit"], &c["items"]),
            (&"consumer".into(), &"pill".into(), &10.into())
        );
        assert_eq!(thread(&doc, "MainThread")["role"], "coordinator");
        assert!(time_in(&doc, "Producer", "producing") > 0.3, "{doc}");
        assert!(time_in(&doc, "Consumer", "working") > 0.1, "{doc}");
        assert!(time_in(&doc, "Consumer", "waiting-empty") > 0.1, "{doc}");
        assert!(time_in(&doc, "MainThread", "joining") > 0.3, "{doc}");
        // Ten items 50 ms apart.
        let t = doc["elapsed_s"].as_f64().unwrap_or(0.0);
        assert!((0.45..3.0).contains(&t), "makespan {t}");
        assert_eq!(doc["trace"]["queues"][0]["name"], "q");
        assert_eq!(doc["trace"]["exit_code"], 0);
        // Every operation of a quiet queue has its time: real latencies
        // (without --pill the pill's wait is in too: it was an item then).
        let waits = doc["latency"]["queue_wait"]["count"].as_u64();
        assert_eq!(waits, Some(if flags.is_empty() { 11 } else { 10 }));
    }
}

#[test]
fn a_pool_of_four_with_four_pills_over_seven_words() {
    let (doc, code) = trace_json(&["--pill", "None"], "worker_pool.py");
    assert_eq!(code, 0, "{doc}");
    assert_eq!((n(&doc, "produced"), n(&doc, "consumed")), (7, 7));
    assert_eq!((n(&doc, "pills_sent"), n(&doc, "pills_received")), (4, 4));
    conserved(&doc);
    let mut done = 0;
    for w in 1..=4 {
        let t = thread(&doc, &format!("Worker-{w}"));
        assert_eq!(
            (&t["role"], &t["exit"]),
            (&"consumer".into(), &"pill".into())
        );
        done += t["items"].as_u64().unwrap_or(0);
        assert!(
            time_in(&doc, &format!("Worker-{w}"), "working") > 0.05,
            "{doc}"
        );
    }
    assert_eq!(done, 7);
    let main = thread(&doc, "MainThread");
    assert_eq!(
        (&main["role"], &main["items"]),
        (&"coordinator".into(), &11.into())
    );
    assert_eq!(doc["trace"]["queues"][0]["name"], "jobs");
    assert!(
        doc["warnings"].as_array().is_some_and(Vec::is_empty),
        "{doc}"
    );
}

#[test]
fn pool_map_runs_seven_one_second_tasks_in_about_a_second() {
    // With --pill: when the pool is closed, main itself drains Nones from
    // the workers' queue, and whether that happens before a worker has left
    // on its None (which teaches the fold that None is the pill) is timing.
    let (doc, code) = trace_json(&["--pill", "None"], "pool_map.py");
    assert_eq!(code, 0, "{doc}");
    let t = doc["elapsed_s"].as_f64().unwrap_or(0.0);
    assert!((1.0..2.5).contains(&t), "7 tasks on 8 threads: {t} s");
    // The busiest of its three queues: the workers' input.
    let queues = doc["trace"]["queues"].as_array().expect("queues");
    let shown = queues
        .iter()
        .find(|q| q["shown"] == true)
        .expect("a shown queue");
    assert_eq!(shown["name"], "_inqueue");
    assert_eq!((n(&doc, "produced"), n(&doc, "consumed")), (7, 7));
    // The whole map: 15 tuples and 19 Nones over the internal queues.
    let sum = |k: &str| {
        queues
            .iter()
            .map(|q| q[k].as_u64().unwrap_or(0))
            .sum::<u64>()
    };
    assert_eq!((sum("produced"), sum("pills_sent")), (15, 19));
    let workers: Vec<&Value> = doc["threads"]
        .as_array()
        .expect("threads")
        .iter()
        .filter(|t| t["role"] == "consumer")
        .collect();
    assert_eq!(workers.len(), 8, "{doc}");
    // Seven workers ran one task each, for about a second.
    let busy: Vec<f64> = workers
        .iter()
        .map(|w| w["busy_s"].as_f64().unwrap_or(0.0))
        .collect();
    assert_eq!(busy.iter().filter(|b| **b > 0.9).count(), 7, "{busy:?}");
}

#[test]
fn a_thread_pool_executor_fetch_pool() {
    let (doc, code) = trace_json(&[], "fetch_pool.py");
    assert_eq!(code, 0, "{doc}");
    assert_eq!(doc["trace"]["queues"][0]["kind"], "SimpleQueue");
    // 12 work items; main's None and each worker's re-put of it are pills.
    assert_eq!((n(&doc, "produced"), n(&doc, "consumed")), (12, 12));
    assert_eq!((n(&doc, "pills_sent"), n(&doc, "pills_received")), (9, 4));
    for w in 0..4 {
        let name = format!("ThreadPoolExecutor-0_{w}");
        let t = thread(&doc, &name);
        assert_eq!(
            (&t["role"], &t["exit"]),
            (&"consumer".into(), &"pill".into())
        );
        assert!(time_in(&doc, &name, "working") > 0.1, "{doc}");
    }
    // 12 fetches of 100-200 ms on 4 threads overlap: well under 12 × 0.1 s.
    let t = doc["elapsed_s"].as_f64().unwrap_or(0.0);
    assert!((0.3..1.2).contains(&t), "{t}");
}

#[test]
fn too_few_pills_is_a_hang_the_program_is_stopped_and_exit_is_3() {
    let started = Instant::now();
    let (doc, code) = trace_json(&["--pill", "quit"], "too_few_pills.py");
    assert_eq!(code, 3, "{doc}");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(doc["phase"], "aborted");
    assert_eq!(doc["trace"]["outcome"], "hang");
    let hang = doc["trace"]["hang"].as_str().expect("a hang message");
    assert!(hang.contains("3 consumers will wait forever"), "{hang}");
    let waiting: Vec<&Value> = doc["trace"]["wait_for"]
        .as_array()
        .expect("wait_for")
        .iter()
        .filter(|w| w["waits_on"] == "queue 'q' (empty)")
        .collect();
    assert_eq!(waiting.len(), 3, "{doc}");
    for w in waiting {
        assert_eq!(
            thread(&doc, w["thread"].as_str().unwrap_or(""))["state"],
            "waiting-empty"
        );
    }
    assert!(
        doc["warnings"]
            .as_array()
            .is_some_and(|w| w.iter().any(|l| l["kind"] == "hang")),
        "{doc}"
    );
    let pid = doc["trace"]["pid"].as_i64().unwrap_or(0) as i32;
    assert!(pid > 0 && !alive(pid), "the program is not left running");
}

#[test]
fn the_program_s_exit_code_becomes_queuescope_s() {
    require_python();
    qs().args(["trace", "--", "python3", "-c", "import sys; sys.exit(5)"])
        .assert()
        .code(5);
    // Not a Python program at all: it runs, queuescope says it saw nothing.
    let out = qs().args(["trace", "--", "true"]).output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no trace events"));
}

#[test]
fn bad_commands_are_one_line_and_exit_2() {
    let out = qs()
        .args(["trace", "--", "/no/such/program"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot start '/no/such/program'"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    // No command at all: a usage error.
    qs().args(["trace"]).assert().code(2);
    qs().args(["trace", "--record", "/no/such/dir/x.jsonl", "--", "true"])
        .assert()
        .code(2);
}

#[test]
fn text_report_and_log_pass_the_program_s_output_through() {
    require_python();
    let script = fixture("classic.py");
    let out = qs()
        .args(["trace", "--log", "--pill", "quit", "--", "python3", &script])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "Producing 9",
        "Producer put item 0 (0)",
        "Consumer received item 9 (9)",
        "Consumer received the pill: bye",
        "Done! Time taken:",
        "classic.py",
    ] {
        assert!(text.contains(want), "{want:?} in:\n{text}");
    }
}

#[test]
fn queue_picks_the_queue_and_record_replays() {
    require_python();
    let (doc, _) = trace_json(&["--queue", "_outqueue"], "pool_map.py");
    let shown: Vec<&Value> = doc["trace"]["queues"]
        .as_array()
        .expect("queues")
        .iter()
        .filter(|q| q["shown"] == true)
        .collect();
    assert_eq!(shown[0]["name"], "_outqueue");
    // Workers put the results, the result handler takes them.
    assert!(
        doc["threads"].as_array().is_some_and(|t| t
            .iter()
            .filter(|t| t["role"] == "producer")
            .count()
            >= 7)
    );

    let path = std::env::temp_dir().join(format!("qs-trace-rec-{}.jsonl", std::process::id()));
    let file = path.to_str().expect("utf-8 temp path");
    let (doc, code) = trace_json(&["--record", file], "worker_pool.py");
    assert_eq!(code, 0);
    let out = qs()
        .args(["replay", file, "--json"])
        .output()
        .expect("replay");
    assert_eq!(out.status.code(), Some(0));
    let replayed: Value = serde_json::from_slice(&out.stdout).expect("replay JSON");
    for k in ["produced", "consumed", "pills_sent", "pills_received"] {
        assert_eq!(replayed[k], doc[k], "{k}");
    }
    assert_eq!(replayed["trace"]["command"], doc["trace"]["command"]);
    let _ = std::fs::remove_file(&path);
}

/// Starts a headless trace of `ignores_sigterm.py`; returns queuescope
/// and the program's pid once it runs.
fn start_stubborn(tag: &str) -> (std::process::Child, i32, std::path::PathBuf) {
    require_python();
    let pidfile = std::env::temp_dir().join(format!("qs-trace-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_file(&pidfile);
    let child = StdCommand::new(assert_cmd::cargo::cargo_bin("queuescope"))
        .args([
            "trace",
            "--json",
            "--",
            "python3",
            &fixture("ignores_sigterm.py"),
        ])
        .arg(&pidfile)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start queuescope");
    let deadline = Instant::now() + Duration::from_secs(30);
    let pid: i32 = loop {
        if let Some(pid) = std::fs::read_to_string(&pidfile)
            .ok()
            .and_then(|s| s.trim().parse().ok())
        {
            break pid;
        }
        assert!(Instant::now() < deadline, "the program never started");
        std::thread::sleep(Duration::from_millis(20));
    };
    (child, pid, pidfile)
}

#[test]
fn a_signal_stops_a_headless_trace_and_nothing_is_left() {
    let (mut child, pid, pidfile) = start_stubborn("sig");
    // SAFETY: signalling our own child.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let status = child.wait().expect("queuescope ends");
    assert_eq!(status.code(), Some(1));
    assert!(
        !alive(pid),
        "SIGTERM was ignored: SIGKILL must have followed"
    );
    let _ = std::fs::remove_file(&pidfile);
}

#[test]
fn a_hostile_event_stream_is_counted_not_trusted() {
    // A "program" that writes garbage, an overlong line and a few valid
    // events straight to the event pipe.
    let script = r#"fd=${QUEUESCOPE_TRACE#fd:}
eval "exec 9>&$fd"
printf 'garbage\n["put",1,2]\n["teleport",1]\n' >&9
head -c 70000 /dev/zero | tr '\0' x >&9; printf '\n' >&9
printf '["hello",1,0,1,7,"sh"]\n["queue",1,7,1,"Queue","fifo",0,"q"]\n["put",2,7,1,"1"]\n["get",3,7,1,99]\n["get",4,7,1]\n' >&9
"#;
    let out = qs()
        .args(["trace", "--json", "--", "sh", "-c", script])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    let s = &doc["trace"]["stream"];
    assert_eq!(
        (s["bad_lines"].as_u64(), s["unknown_events"].as_u64()),
        (Some(3), Some(1)),
        "{s}"
    );
    // A get of an item never put still keeps the books balanced.
    assert_eq!(n(&doc, "produced"), 2);
    conserved(&doc);
}

#[test]
fn the_program_s_own_sitecustomize_still_runs_and_its_children_are_not_traced() {
    require_python();
    let dir = std::env::temp_dir().join(format!("qs-trace-site-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("sitecustomize.py"),
        "import builtins\nbuiltins.MINE = 42\n",
    )
    .expect("write sitecustomize");
    let program = r#"
import builtins, os, subprocess, sys, queue
q = queue.Queue(); q.put(1); q.get()
child = subprocess.run([sys.executable, "-c",
    "import os, sys; print('QUEUESCOPE_TRACE' in os.environ, any('queuescope' in p for p in sys.path))"],
    capture_output=True, text=True).stdout.strip()
print("mine", builtins.MINE, "child", child, "ours on path", any("queuescope" in p for p in sys.path),
      "pythonpath", os.environ.get("PYTHONPATH"))
"#;
    let out = qs()
        .args(["trace", "--json", "--", "python3", "-c", program])
        .env("PYTHONPATH", &dir)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let said = String::from_utf8_lossy(&out.stderr);
    let want = format!(
        "mine 42 child False False ours on path False pythonpath {}",
        dir.display()
    );
    assert!(said.contains(&want), "{said}");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!((n(&doc, "produced"), n(&doc, "consumed")), (1, 1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_full_bounded_queue_blocks_its_producer() {
    require_python();
    let program = r#"
import queue, threading, time
q = queue.Queue(maxsize=2)
def slow():
    while q.get() is not None:
        time.sleep(0.03)
t = threading.Thread(target=slow, name="Slow")
t.start()
for i in range(10):
    q.put(i)
q.put(None)
t.join()
"#;
    let out = qs()
        .args(["trace", "--json", "--", "python3", "-c", program])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["config"]["capacity"], "2");
    assert_eq!(n(&doc, "max_depth"), 2);
    assert_eq!(thread(&doc, "MainThread")["role"], "coordinator");
    // main put the items into a full queue: it waited for room.
    assert!(time_in(&doc, "MainThread", "blocked-full") > 0.1, "{doc}");
    assert!(time_in(&doc, "Slow", "working") > 0.2, "{doc}");
    assert_eq!(thread(&doc, "Slow")["exit"], "pill");
}

#[test]
fn a_busy_queue_is_sampled_and_its_counts_stay_exact() {
    require_python();
    // The overhead benchmark, smaller: 1 producer, 2 consumers, 30,000 ints.
    let items: u64 = 30_000;
    let script = fixture("bench_queue.py");
    let out = qs()
        .args([
            "trace", "--json", "--pill", "None", "--", "python3", &script,
        ])
        .arg(items.to_string())
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!((n(&doc, "produced"), n(&doc, "consumed")), (items, items));
    assert_eq!((n(&doc, "pills_sent"), n(&doc, "pills_received")), (2, 2));
    conserved(&doc);
    // Most operations were only counted (the totals sent when the thread
    // changes, and at each flush), yet each role's count is exact.
    let by_role = |role: &str| -> u64 {
        doc["threads"]
            .as_array()
            .expect("threads")
            .iter()
            .filter(|t| t["role"] == role)
            .map(|t| t["items"].as_u64().unwrap_or(0))
            .sum()
    };
    assert_eq!((by_role("producer"), by_role("consumer")), (items, items));
    // Queue waits are sampled once the queue is busy (an item per flush),
    // so there are some, and far fewer than items.
    let waits = doc["latency"]["queue_wait"]["count"].as_u64().unwrap_or(0);
    assert!(waits > 0 && waits < items / 2, "{waits} waits measured");
    assert_eq!(doc["trace"]["stream"]["bad_lines"], 0);
}

#[test]
fn each_thread_s_count_on_a_busy_queue_is_what_it_counted_itself() {
    let doc = busy_counts("fifo");
    // Counted, not sent: far fewer events than the 80,000 operations.
    let events = doc["trace"]["stream"]["events"].as_u64().unwrap_or(0);
    assert!(events < 60_000, "{events} events");
}

#[test]
fn each_thread_s_count_on_a_busy_lifo_queue_is_what_it_counted_itself() {
    // A LIFO queue's operations are sent one by one, each thread named
    // when it changes.
    busy_counts("lifo");
}

/// A traced run that ended well: queuescope's `--json` report, and the
/// JSON the program printed itself on its last such stderr line.
fn traced_and_own(out: &std::process::Output) -> (Value, Value) {
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let own = stderr
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("the program printed no JSON: {stderr}"));
    (doc, own)
}

/// Runs busy_counts.py on a `kind` queue: 2 producers, 3 consumers
/// (task_done on every other item), 'quit' pills learned (no --pill); the
/// program prints its own counts, which the trace must match exactly.
fn busy_counts(kind: &str) -> Value {
    require_python();
    let script = fixture("busy_counts.py");
    let out = qs()
        .args(["trace", "--json", "--", "python3", &script, "20000", kind])
        .timeout(Duration::from_secs(60))
        .output()
        .expect("run");
    let (doc, own) = traced_and_own(&out);
    for name in ["P1", "P2", "C1", "C2", "C3"] {
        assert_eq!(
            thread(&doc, name)["items"],
            own[name],
            "{kind} {name}: {doc}"
        );
    }
    for name in ["C1", "C2", "C3"] {
        assert_eq!(thread(&doc, name)["exit"], "pill", "{kind} {name}");
    }
    assert_eq!((n(&doc, "produced"), n(&doc, "consumed")), (40_000, 40_000));
    assert_eq!((n(&doc, "pills_sent"), n(&doc, "pills_received")), (3, 3));
    conserved(&doc);
    assert_eq!(doc["trace"]["stream"]["skipped_operations"], 0);
    doc
}

#[test]
fn the_program_dies_with_queuescope_even_on_sigkill() {
    let (mut child, pid, pidfile) = start_stubborn("kill");
    child.kill().expect("SIGKILL queuescope");
    let _ = child.wait();
    let deadline = Instant::now() + Duration::from_secs(5);
    while alive(pid) {
        assert!(Instant::now() < deadline, "the program outlived queuescope");
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = std::fs::remove_file(&pidfile);
}

#[test]
fn a_deep_busy_queue_samples_waits_as_long_as_its_items_really_wait() {
    // Items wait far longer than the shim's 25 ms round. A latency sample
    // that a newer one replaced while still queued would leave only the
    // short waits measured; the program times every wait itself.
    require_python();
    let script = fixture("deep_queue.py");
    let out = qs()
        .args([
            "trace", "--json", "--pill", "None", "--", "python3", &script,
        ])
        .timeout(Duration::from_secs(120))
        .output()
        .expect("run");
    let (doc, own) = traced_and_own(&out);
    let true_median = own["median_wait_ms"].as_f64().expect("median");
    let sampled = &doc["latency"]["queue_wait"];
    let count = sampled["count"].as_u64().unwrap_or(0);
    let p90 = sampled["p90_ms"].as_f64().unwrap_or(0.0);
    assert!(
        true_median > 50.0,
        "not deep enough to tell: {true_median} ms"
    );
    assert!(count >= 3, "{count} samples: {sampled}");
    assert!(
        p90 >= true_median / 2.0,
        "sampled p90 {p90} ms against a true median of {true_median} ms: {sampled}"
    );
}
