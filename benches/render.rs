//! Render cost per frame: full frames of the live view drawn into a
//! `TestBackend` at 200×60 for 8, 64 and 1,000 threads, including the
//! buffer diff ratatui does on every draw. Prints p50/p99 per case
//! (targets: p99 ≤ 1 ms at 64 threads, ≤ 5 ms at 1,000), then hands the
//! same cases to criterion for its statistics.
//!
//! Two snapshots alternate so every frame has changes to diff, as a live
//! run does. The percentiles are of the thread's CPU time per frame (what
//! the frame costs) and of wall time (what it took on this machine, with
//! whatever else was running).

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

/// CPU time this thread has used. Wall time on a shared two-core machine
/// mostly measures the other processes; the thread's own CPU time does not.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn percentiles() {
    for n in [8, 64, 1000] {
        let mut case = Case::new(n);
        let (mut wall, mut cpu): (Vec<Duration>, Vec<Duration>) = (0..2000)
            .map(|_| {
                let (t, c) = (Instant::now(), thread_cpu());
                case.draw();
                (t.elapsed(), thread_cpu() - c)
            })
            .unzip();
        wall.sort_unstable();
        cpu.sort_unstable();
        let p = |v: &[Duration], q: f64| v[((v.len() - 1) as f64 * q) as usize];
        println!(
            "render {W}x{H} {n:>4} threads: p50 {:>8.1?}  p99 {:>8.1?} cpu  |  p50 {:>8.1?}  p99 {:>8.1?} wall",
            p(&cpu, 0.50),
            p(&cpu, 0.99),
            p(&wall, 0.50),
            p(&wall, 0.99),
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
