//! The cost of `--record` on throughput.
//!
//! Both sides run the same program on the real engine: P producers, C
//! consumers, bounded(64), zero work, N items, pills. The recorded side also
//! runs the recorder (its sampler and writer threads, a snapshot every
//! 100 ms, every lifecycle event) into a file in the temp directory, exactly
//! as `run --record FILE` does. Zero work is the worst case: the workers
//! never sleep, so every cycle the recorder takes is a cycle they lose on a
//! 2-core machine.
//!
//! After criterion's own group, the two are run alternately (A/B/A/B...)
//! and the median throughput ratio is printed: on a shared machine only
//! ratios measured side by side are stable. Target: cost <= 10 %.
//!
//! `cargo bench --bench record_overhead -- --ratio-only` skips criterion.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use queuescope::record::{self, Options, Recorder};
use queuescope::sim::{Capacity, Config, Engine, WorkSpec, Workload};

const ITEMS: u64 = 10_000_000;
/// A/B rounds per shape (odd, for a true median).
const ROUNDS: usize = 21;
const CAPACITY: usize = 64;
const SHAPES: [(usize, usize); 2] = [(1, 1), (2, 2)];

fn config(producers: usize, consumers: usize) -> Config {
    Config {
        name: "bench".into(),
        producers,
        consumers,
        capacity: Capacity::Bounded(CAPACITY),
        workload: Workload::Items(ITEMS),
        interval: WorkSpec::zero(),
        work: WorkSpec::zero(),
        ..Config::default()
    }
}

fn file() -> PathBuf {
    std::env::temp_dir().join(format!("queuescope-bench-{}.jsonl", std::process::id()))
}

/// CPU time the recorder's threads (`rec-sampler`, `rec-writer`) have used
/// so far, from Linux's per-thread schedstat (nanoseconds on a CPU); zero
/// elsewhere.
fn recorder_cpu() -> Duration {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Duration::ZERO;
    };
    let mut ns = 0u64;
    for t in tasks.flatten() {
        let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        if comm.trim_end().starts_with("rec-") {
            let stat = std::fs::read_to_string(t.path().join("schedstat")).unwrap_or_default();
            ns += stat
                .split_whitespace()
                .next()
                .and_then(|x| x.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    Duration::from_nanos(ns)
}

/// What one run measured.
struct Run {
    /// Start to the last join (closing the recording afterwards is not
    /// counted: it does not slow the run).
    took: Duration,
    /// Bytes recorded.
    bytes: u64,
    /// CPU the recorder's threads used during the run.
    cpu: Duration,
}

/// One run; with `record`, recorded to a temp file.
fn run(producers: usize, consumers: usize, record: bool) -> Run {
    let cfg = config(producers, consumers);
    let out = record.then(|| record::create(&file()).expect("temp file"));
    let t0 = Instant::now();
    let engine = Arc::new(Engine::start(cfg.clone()).expect("engine starts"));
    let recorder = out.map(|f| {
        Recorder::start(record::engine_source(&engine), &cfg, f, Options::default())
            .expect("recorder starts")
    });
    assert!(engine.wait(Duration::from_secs(120)), "bench run hung");
    let took = t0.elapsed();
    let cpu = recorder_cpu();
    let last = engine.snapshot_with(record::final_request());
    assert_eq!(last.counts.consumed, ITEMS);
    let mut bytes = 0;
    if let Some(r) = recorder {
        r.finish(last, |s, w| record::summary(&cfg, &engine, s, w))
            .expect("recording written");
        bytes = std::fs::metadata(file()).map_or(0, |m| m.len());
    }
    Run { took, bytes, cpu }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("record_zero_work");
    g.throughput(Throughput::Elements(ITEMS));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(5));
    for (p, q) in SHAPES {
        let id = format!("{p}P{q}C");
        for (name, rec) in [("plain", false), ("recorded", true)] {
            g.bench_with_input(BenchmarkId::new(name, &id), &(p, q), |b, &(p, q)| {
                b.iter_custom(|n| (0..n).map(|_| run(p, q, rec).took).sum())
            });
        }
    }
    g.finish();
}

fn median(v: Vec<f64>) -> f64 {
    quantile(v, 0.5)
}

fn quantile(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * q).round() as usize]
}

/// A/B alternating rounds; prints the median recorded/plain throughput ratio.
fn ratios(rounds: usize) {
    println!("\nrecorded vs plain engine, zero work, capacity {CAPACITY}, {ITEMS} items");
    println!("(A/B alternating, {rounds} rounds, medians; ratio = recorded throughput / plain)");
    for (p, q) in SHAPES {
        let (mut rs, mut plain, mut recd, mut sizes, mut cpu) =
            (vec![], vec![], vec![], vec![], vec![]);
        for r in 0..rounds {
            // Alternate which goes first so drift does not favour one side.
            let (a, b) = if r % 2 == 0 {
                let a = run(p, q, false).took;
                (a, run(p, q, true))
            } else {
                let b = run(p, q, true);
                (run(p, q, false).took, b)
            };
            let secs = b.took.as_secs_f64();
            plain.push(ITEMS as f64 / a.as_secs_f64());
            recd.push(ITEMS as f64 / secs);
            rs.push(a.as_secs_f64() / secs);
            sizes.push(b.bytes as f64 / secs);
            cpu.push(b.cpu.as_secs_f64() / secs);
        }
        let (lo, hi) = (quantile(rs.clone(), 0.25), quantile(rs.clone(), 0.75));
        let ratio = median(rs);
        let (plain, recd) = (median(plain), median(recd));
        println!(
            "{p}P{q}C  plain {:>6.2} M/s  recorded {:>6.2} M/s  (medians; their ratio {:.3})",
            plain / 1e6,
            recd / 1e6,
            recd / plain,
        );
        println!(
            "      paired ratio: median {ratio:.3}, p25..p75 {lo:.3}..{hi:.3}  =>  cost {:.1} %  \
             (target <= 10 %)",
            (1.0 - ratio) * 100.0
        );
        println!(
            "      recorder: {:.0} KB/s written, its two threads {:.2} % of a core",
            median(sizes) / 1e3,
            median(cpu) * 100.0,
        );
    }
    let _ = std::fs::remove_file(file());
}

criterion_group!(benches, bench);

fn main() {
    let quick = std::env::args().any(|a| a == "--ratio-only");
    if !quick {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
    ratios(ROUNDS);
}
