//! Instrumented queue vs raw crossbeam-channel at zero work.
//!
//! Both sides run the same program: P producer threads put N items in total
//! on a bounded(64) channel, C consumer threads take them until each gets a
//! poison pill. The raw side is bare crossbeam; the instrumented side is the
//! real engine (states, counters, histograms, sampler, coordinator). After
//! criterion's own groups, the two are run alternately (A/B/A/B...) and the
//! median throughput ratio is printed, because on a shared 2-core machine
//! only ratios measured side by side are stable. Target: ratio >= 0.9.
//!
//! Then the engine on OSTEP's textbook buffer (`--queue condvar`: a mutex
//! and two condition variables) against the engine on the channel, the
//! same way: a lock-free channel against one lock is a lesson of its own.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use queuescope::sim::{Capacity, Config, Engine, QueueKind, WorkSpec, Workload};
use queuescope::testing::bare;

/// Items per run: long enough (a fraction of a second) that one scheduling
/// hiccup on a shared machine does not decide a round.
const ITEMS: u64 = 1_000_000;
const CAPACITY: usize = 64;
const SHAPES: [(usize, usize); 3] = [(1, 1), (2, 2), (4, 4)];

/// Bare crossbeam: the same shape of program with nothing measured (the
/// user's simplest program moves bare `u64`s).
fn raw(producers: usize, consumers: usize, items: u64) -> Duration {
    let t0 = Instant::now();
    black_box(bare::move_items(
        producers as u64,
        consumers as u64,
        items,
        CAPACITY,
    ));
    t0.elapsed()
}

/// The real engine on the same workload.
fn instrumented(producers: usize, consumers: usize, items: u64) -> Duration {
    engine_on(QueueKind::Channel, producers, consumers, items)
}

/// The real engine on the same workload, on queue `kind`.
fn engine_on(kind: QueueKind, producers: usize, consumers: usize, items: u64) -> Duration {
    let cfg = Config {
        queue: kind,
        name: "bench".into(),
        producers,
        consumers,
        capacity: Capacity::Bounded(CAPACITY),
        workload: Workload::Items(items),
        interval: WorkSpec::zero(),
        work: WorkSpec::zero(),
        ..Config::default()
    };
    let t0 = Instant::now();
    let engine = Engine::start(cfg).expect("engine starts");
    assert!(engine.wait(Duration::from_secs(120)), "bench run hung");
    let took = t0.elapsed();
    let s = engine.snapshot();
    assert_eq!(s.counts.consumed, items);
    took
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("queue_zero_work");
    g.throughput(Throughput::Elements(ITEMS));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(3));
    for (p, q) in SHAPES {
        let id = format!("{p}P{q}C");
        g.bench_with_input(BenchmarkId::new("raw", &id), &(p, q), |b, &(p, q)| {
            b.iter_custom(|n| (0..n).map(|_| raw(p, q, ITEMS)).sum())
        });
        g.bench_with_input(
            BenchmarkId::new("instrumented", &id),
            &(p, q),
            |b, &(p, q)| b.iter_custom(|n| (0..n).map(|_| instrumented(p, q, ITEMS)).sum()),
        );
        g.bench_with_input(BenchmarkId::new("condvar", &id), &(p, q), |b, &(p, q)| {
            b.iter_custom(|n| {
                (0..n)
                    .map(|_| engine_on(QueueKind::Condvar, p, q, ITEMS))
                    .sum()
            })
        });
    }
    g.finish();
}

/// Items per run of the channel-vs-condvar rounds (the mutex is slower).
const CV_ITEMS: u64 = 200_000;

/// A/B alternating rounds of the engine on the channel and on the
/// two-cv textbook buffer; prints both throughputs and their ratio.
fn condvar_ratios(rounds: usize) {
    println!(
        "\nengine on the channel vs on the condvar buffer (mutex + 2 condition variables), \
         zero work, capacity {CAPACITY}, {CV_ITEMS} items"
    );
    println!("(A/B alternating, {rounds} rounds, medians; ratio = condvar throughput / channel)");
    for (p, q) in SHAPES {
        let (mut ch, mut cv, mut rs) = (Vec::new(), Vec::new(), Vec::new());
        for r in 0..rounds {
            let run = |k| engine_on(k, p, q, CV_ITEMS);
            let (a, b) = if r % 2 == 0 {
                let a = run(QueueKind::Channel);
                (a, run(QueueKind::Condvar))
            } else {
                let b = run(QueueKind::Condvar);
                (run(QueueKind::Channel), b)
            };
            ch.push(CV_ITEMS as f64 / a.as_secs_f64());
            cv.push(CV_ITEMS as f64 / b.as_secs_f64());
            rs.push(a.as_secs_f64() / b.as_secs_f64());
        }
        let (q1, q3) = quartiles(&rs);
        println!(
            "{p}P{q}C  channel {:>6.2} M/s  condvar {:>6.2} M/s  ratio {:.2} (quartiles {q1:.2}..{q3:.2})",
            median(ch) / 1e6,
            median(cv) / 1e6,
            median(rs)
        );
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// The first and third quartiles, to show how much the rounds agreed.
fn quartiles(v: &[f64]) -> (f64, f64) {
    let mut v = v.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    (v[v.len() / 4], v[v.len() * 3 / 4])
}

/// A/B alternating rounds; prints the median instrumented/raw throughput ratio.
fn ratios(rounds: usize) {
    println!(
        "\ninstrumented vs raw crossbeam-channel, zero work, capacity {CAPACITY}, {ITEMS} items"
    );
    println!("(A/B alternating, {rounds} rounds, medians; ratio = instrumented throughput / raw)");
    for (p, q) in SHAPES {
        let mut rs = Vec::new();
        let mut raw_rate = Vec::new();
        let mut ins_rate = Vec::new();
        for r in 0..rounds {
            // Alternate which goes first so drift does not favour one side.
            let (a, b) = if r % 2 == 0 {
                let a = raw(p, q, ITEMS);
                (a, instrumented(p, q, ITEMS))
            } else {
                let b = instrumented(p, q, ITEMS);
                (raw(p, q, ITEMS), b)
            };
            raw_rate.push(ITEMS as f64 / a.as_secs_f64());
            ins_rate.push(ITEMS as f64 / b.as_secs_f64());
            rs.push(a.as_secs_f64() / b.as_secs_f64());
        }
        let (q1, q3) = quartiles(&rs);
        println!(
            "{p}P{q}C  raw {:>6.2} M/s  instrumented {:>6.2} M/s  ratio {:.2} (quartiles {q1:.2}..{q3:.2})  (target >= 0.90)",
            median(raw_rate) / 1e6,
            median(ins_rate) / 1e6,
            median(rs)
        );
    }
}

criterion_group!(benches, bench);

fn main() {
    let quick = std::env::args().any(|a| a == "--ratio-only");
    if !quick {
        benches();
        Criterion::default().configure_from_args().final_summary();
    }
    ratios(21);
    condvar_ratios(9);
}
