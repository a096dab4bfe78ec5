//! Render cost per frame: full frames of the live view drawn into a
//! `TestBackend` at 200×60 for 8, 64 and 1,000 threads, including the
//! buffer diff ratatui does on every draw. Prints p50/p99 per case
//! (targets: p99 ≤ 1 ms at 64 threads, ≤ 5 ms at 1,000), then hands the
//! same cases to criterion for its statistics.
//!
//! Two snapshots alternate so every frame has changes to diff, as a live
//! run does.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use queuescope::app::ViewState;
use queuescope::sim::Snapshot;
use queuescope::testing;
use queuescope::ui::{self, Theme};

const W: u16 = 200;
const H: u16 = 60;

/// The fixture with `n` worker threads, and a variant one tick later.
fn pair(n: usize) -> [Snapshot; 2] {
    let a = if n == 8 {
        testing::running(6)
    } else {
        testing::many(n)
    };
    let mut b = a.clone();
    b.elapsed += Duration::from_millis(33);
    for t in &mut b.threads {
        t.lane.rotate_left(1);
        t.items += 1;
    }
    if let Some(h) = b.history.first().copied() {
        b.history.remove(0);
        b.history.push(h);
    }
    [a, b]
}

struct Case {
    terminal: Terminal<TestBackend>,
    snaps: [Snapshot; 2],
    view: ViewState,
    theme: Theme,
    frame: usize,
}

impl Case {
    fn new(n: usize) -> Case {
        let mut c = Case {
            terminal: Terminal::new(TestBackend::new(W, H)).expect("test terminal"),
            snaps: pair(n),
            view: ViewState::new(),
            theme: Theme::default(),
            frame: 0,
        };
        // Warm up: learn the layout, as the event loop does.
        for _ in 0..4 {
            c.draw();
        }
        c
    }

    fn draw(&mut self) {
        let snap = &self.snaps[self.frame % 2];
        self.frame += 1;
        self.view.sync(snap);
        let (view, theme) = (&self.view, &self.theme);
        let mut geometry = view.geometry;
        self.terminal
            .draw(|f| geometry = ui::render(f, black_box(snap), view, theme))
            .expect("draw");
        self.view.geometry = geometry;
    }
}

fn percentiles() {
    for n in [8, 64, 1000] {
        let mut case = Case::new(n);
        let mut times: Vec<Duration> = (0..2000)
            .map(|_| {
                let t = Instant::now();
                case.draw();
                t.elapsed()
            })
            .collect();
        times.sort_unstable();
        let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
        println!(
            "render {W}x{H} {n:>4} threads: p50 {:>8.1?}  p99 {:>8.1?}  max {:>8.1?}",
            p(0.50),
            p(0.99),
            p(1.0)
        );
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("render_200x60");
    for n in [8, 64, 1000] {
        let mut case = Case::new(n);
        group.bench_function(format!("{n}_threads"), |b| b.iter(|| case.draw()));
    }
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    percentiles();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
