//! `run --csv` (one row per thread) and `run --csv-summary` (one row per
//! run), for spreadsheets and scripts. Columns are named as in `run --json`
//! and `sweep --csv`: snake_case, the unit as a suffix (`_s`, `_ms`,
//! `_per_s`), fractions as 0..1. Every row starts with the scenario and
//! the seed, so rows of many runs can be put in one file.

use std::fmt::Write as _;

use super::{idle, secs};
use crate::analysis::lint::Lint;
use crate::sim::{Config, LatencySummary, Snapshot, ThreadSnap, ThreadState};
use crate::units::millis as ms;

/// The columns of `run --csv`, in order.
pub const THREADS_HEADER: &str = "scenario,seed,thread,role,state,exit,items,failed,\
busy_s,blocked_s,idle_s,gil_wait_s,busy_fraction";

/// The columns of `run --csv-summary`, in order.
pub const SUMMARY_HEADER: &str = "scenario,seed,phase,producers,consumers,capacity,\
elapsed_s,shutdown_s,produced,consumed,failed,left_in_queue,pills_sent,pills_received,\
throughput_per_s,max_depth,mean_depth,\
queue_wait_mean_ms,queue_wait_p50_ms,queue_wait_p90_ms,queue_wait_p99_ms,queue_wait_max_ms,\
end_to_end_mean_ms,end_to_end_p50_ms,end_to_end_p90_ms,end_to_end_p99_ms,end_to_end_max_ms,\
consumer_utilization,warnings";

/// A field as CSV has it: quoted when it holds a comma, a quote or a line
/// break (RFC 4180), as a scenario's name from a file may.
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A header line, then one line per thread.
pub fn threads(s: &Snapshot) -> String {
    let mut out = format!("{THREADS_HEADER}\n");
    for t in &s.threads {
        out.push_str(&thread_row(s, t));
        out.push('\n');
    }
    out
}

fn thread_row(s: &Snapshot, t: &ThreadSnap) -> String {
    format!(
        "{},{},{},{},{},{},{},{},{:.4},{:.4},{:.4},{:.4},{:.4}",
        field(&s.scenario),
        s.seed,
        field(&t.name),
        t.role.name(),
        t.state.name(),
        t.exit.map_or("", |e| e.name()),
        t.items,
        t.failed,
        secs(t.busy()),
        secs(t.blocked()),
        secs(idle(t)),
        secs(t.time_in[ThreadState::WaitingGil as usize]),
        t.busy_fraction(),
    )
}

/// The five latency columns of one histogram, in milliseconds.
fn latency(l: &LatencySummary) -> String {
    format!(
        "{:.3},{:.3},{:.3},{:.3},{:.3}",
        ms(l.mean),
        ms(l.p50),
        ms(l.p90),
        ms(l.p99),
        ms(l.max)
    )
}

/// A header line and the run's one row. `warnings` lists the lints that
/// fired by name, separated by `;`.
pub fn summary(config: &Config, s: &Snapshot, warnings: &[Lint]) -> String {
    let c = s.counts;
    let kinds: Vec<String> = warnings
        .iter()
        .filter_map(|w| serde_json::to_value(w.kind).ok())
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    let mut out = format!("{SUMMARY_HEADER}\n");
    let _ = writeln!(
        out,
        "{},{},{},{},{},{},{:.4},{},{},{},{},{},{},{},{:.3},{},{:.3},{},{},{:.4},{}",
        field(&s.scenario),
        s.seed,
        s.phase.name(),
        config.producers,
        config.consumers,
        field(&config.capacity.to_string()),
        secs(s.elapsed),
        s.shutdown_took
            .map_or(String::new(), |d| format!("{:.4}", secs(d))),
        c.produced,
        c.consumed,
        c.failed,
        c.queued,
        c.pills_sent,
        c.pills_received,
        s.throughput(),
        s.max_depth,
        s.mean_depth,
        latency(&s.latency.queue_wait),
        latency(&s.latency.end_to_end),
        crate::sweep::trial::utilization(s),
        field(&kinds.join(";")),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    fn columns(line: &str) -> usize {
        line.split(',').count()
    }

    #[test]
    fn one_row_per_thread_under_the_header() {
        let s = testing::running(4);
        let csv = threads(&s);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], THREADS_HEADER);
        assert_eq!(lines.len(), 1 + s.threads.len());
        assert!(lines.iter().all(|l| columns(l) == columns(THREADS_HEADER)));
        assert!(
            lines[1].starts_with("default,42,main,coordinator,"),
            "{}",
            lines[1]
        );
        assert!(
            lines.iter().any(|l| l.contains(",Consumer-1,consumer,")),
            "{csv}"
        );
    }

    #[test]
    fn one_row_per_run_with_the_sweeps_names() {
        let s = testing::hang();
        let config = crate::scenario::load("too-few-pills").expect("preset");
        let lints = crate::analysis::lint::lints(&s);
        let csv = summary(&config, &s, &lints);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(columns(lines[1]), columns(SUMMARY_HEADER), "{csv}");
        // The columns sweep --csv has too are named the same.
        for name in [
            "throughput_per_s",
            "queue_wait_p50_ms",
            "queue_wait_p99_ms",
            "consumer_utilization",
        ] {
            assert!(crate::sweep::output::CSV_HEADER.contains(name));
            assert!(SUMMARY_HEADER.split(',').any(|c| c == name), "{name}");
        }
        let row: Vec<&str> = lines[1].split(',').collect();
        let col = |name: &str| {
            let i = SUMMARY_HEADER.split(',').position(|c| c == name);
            row[i.expect("column")]
        };
        assert_eq!(col("scenario"), "too-few-pills");
        assert_eq!(col("produced"), "8");
        assert_eq!(col("queue_wait_mean_ms"), "26.100");
        assert!(col("warnings").contains("hang"), "{csv}");
    }

    #[test]
    fn awkward_fields_are_quoted() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
