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

/// One run; with `record`, recorded to a temp file. Returns the run time
/// (start to the last join; closing the file afterwards is not counted, as
/// it does not slow the run).
fn run(producers: usize, consumers: usize, record: bool) -> (Duration, u64) {
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
    let last = engine.snapshot_with(record::final_request());
    assert_eq!(last.counts.consumed, ITEMS);
    let mut bytes = 0;
    if let Some(r) = recorder {
        r.finish(last, |s, w| record::summary(&cfg, &engine, s, w))
            .expect("recording written");
        bytes = std::fs::metadata(file()).map_or(0, |m| m.len());
    }
    (took, bytes)
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
                b.iter_custom(|n| (0..n).map(|_| run(p, q, rec).0).sum())
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
        let (mut rs, mut plain, mut recd, mut sizes) = (vec![], vec![], vec![], vec![]);
        for r in 0..rounds {
            // Alternate which goes first so drift does not favour one side.
            let (a, (b, bytes)) = if r % 2 == 0 {
                let a = run(p, q, false).0;
                (a, run(p, q, true))
            } else {
                let b = run(p, q, true);
                (run(p, q, false).0, b)
            };
            plain.push(ITEMS as f64 / a.as_secs_f64());
            recd.push(ITEMS as f64 / b.as_secs_f64());
            rs.push(a.as_secs_f64() / b.as_secs_f64());
            sizes.push(bytes as f64 / b.as_secs_f64());
        }
        let (lo, hi) = (quantile(rs.clone(), 0.25), quantile(rs.clone(), 0.75));
        let ratio = median(rs);
        println!(
            "{p}P{q}C  plain {:>6.2} M/s  recorded {:>6.2} M/s  ratio {ratio:.3}  cost {:.1} %  \
             (ratios p25..p75 {lo:.3}..{hi:.3}; {:.0} KB/s written)  (target: cost <= 10 %)",
            median(plain) / 1e6,
            median(recd) / 1e6,
            (1.0 - ratio) * 100.0,
            median(sizes) / 1e3,
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
    ratios(15);
}
