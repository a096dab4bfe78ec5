//! Engine invariants on real threads: conservation in every snapshot, the
//! poison-pill protocol, shutdown at every capacity, states truthfully shown,
//! faults, live control and abort.

mod common;

use std::time::{Duration, Instant};

use common::{assert_conserved, config, ms};
use queuescope::sim::{
    Capacity, Command, Engine, ExitReason, Phase, Removal, Role, Snapshot, ThreadState, Workload,
};

const DEADLINE: Duration = Duration::from_secs(60);

fn wait_for(engine: &Engine, what: &str, f: impl Fn(&Snapshot) -> bool) -> Snapshot {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let s = engine.snapshot();
        if f(&s) {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}: {:?}",
            s.counts
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn assert_finished_clean(s: &Snapshot, consumers: u64) {
    assert_eq!(s.phase, Phase::Done);
    let c = s.counts;
    assert_eq!(c.produced, c.consumed + c.failed, "{c:?}");
    assert_eq!(c.queued, 0);
    assert_eq!(c.in_flight, 0);
    assert_eq!(c.pills_sent, consumers);
    assert_eq!(c.pills_received, consumers);
    assert_eq!(s.channel_len, 0);
    for t in s.threads.iter() {
        assert!(t.state.is_final(), "{} still {}", t.name, t.state);
    }
}

#[test]
fn conservation_holds_in_every_snapshot_and_at_the_end() {
    for cap in [
        Capacity::Bounded(4),
        Capacity::Unbounded,
        Capacity::Rendezvous,
    ] {
        let engine = Engine::start(config(2, 3, cap, 30_000)).unwrap();
        let mut samples = 0;
        while !engine.is_over() {
            assert_conserved(&engine.snapshot());
            samples += 1;
        }
        assert!(engine.wait(DEADLINE));
        let s = engine.snapshot();
        assert_conserved(&s);
        assert_finished_clean(&s, 3);
        assert_eq!(s.counts.produced, 30_000);
        assert_eq!(s.counts.consumed, 30_000);
        assert!(samples > 0);
        // At zero interval each producer times its first 1024 items, then
        // one in 64 standing for its group of 64: the histograms count every
        // item, give or take each producer's last, partial group.
        let timed = s.latency.queue_wait.count;
        assert!(
            timed.abs_diff(30_000) < 2 * 64,
            "{timed} items counted in the histograms at {cap}: {:?}",
            s.counts
        );
        assert_eq!(s.latency.end_to_end.count, timed);
        // Only a producer stalled while a whole stamp table of ids went by
        // sends an item untimed.
        assert!(engine.stamps_lost() < 300, "at {cap}");
    }
}

#[test]
fn every_consumer_exits_after_exactly_one_pill() {
    let engine = Engine::start(config(3, 5, Capacity::Bounded(8), 500)).unwrap();
    assert!(engine.wait(DEADLINE));
    let s = engine.snapshot();
    assert_finished_clean(&s, 5);
    for t in s.role(Role::Consumer) {
        assert_eq!(t.exit, Some(ExitReason::Pill), "{}", t.name);
    }
    let pill_events = s
        .events
        .iter()
        .filter(|e| e.kind == queuescope::sim::EventKind::PillReceived)
        .count();
    assert_eq!(pill_events, 5);
    // `main` sent them one by one: 1/5 .. 5/5.
    let sent: Vec<_> = s
        .events
        .iter()
        .filter_map(|e| match e.kind {
            queuescope::sim::EventKind::PillSent { k, n } => Some((k, n)),
            _ => None,
        })
        .collect();
    assert_eq!(sent, (1..=5).map(|k| (k, 5)).collect::<Vec<_>>());
}

#[test]
fn shutdown_completes_at_every_capacity() {
    for cap in [
        Capacity::Rendezvous,
        Capacity::Bounded(1),
        Capacity::Bounded(64),
        Capacity::Unbounded,
    ] {
        let mut cfg = config(2, 2, cap, u64::MAX);
        cfg.workload = Workload::Endless;
        cfg.interval = ms(1);
        cfg.work = ms(1);
        let engine = Engine::start(cfg).unwrap();
        wait_for(&engine, "items flowing", |s| s.counts.consumed > 10);
        engine.send(Command::Shutdown);
        assert!(engine.wait(DEADLINE), "shutdown hung at capacity {cap}");
        let s = engine.snapshot();
        assert_finished_clean(&s, 2);
        assert!(s.shutdown_took.is_some());
        for t in s.role(Role::Producer) {
            assert_eq!(t.exit, Some(ExitReason::Stopped));
        }
    }
}

#[test]
fn pool_map_runs_seven_one_second_tasks_on_eight_threads_in_about_a_second() {
    let mut cfg = config(1, 8, Capacity::Unbounded, 7);
    cfg.work = ms(1000);
    cfg.collect_results = true;
    let engine = Engine::start(cfg).unwrap();
    assert!(engine.wait(DEADLINE));
    let s = engine.snapshot();
    assert_finished_clean(&s, 8);
    assert!(s.elapsed >= Duration::from_secs(1), "{:?}", s.elapsed);
    assert!(
        s.elapsed < Duration::from_millis(1200),
        "makespan {:?}",
        s.elapsed
    );
    let ids: Vec<u64> = engine.results().iter().map(|r| r.id).collect();
    assert_eq!(ids, (0..7).collect::<Vec<_>>());
}

#[test]
fn producer_on_a_full_queue_shows_blocked_full() {
    let mut cfg = config(1, 1, Capacity::Bounded(2), 1_000);
    cfg.work = ms(500);
    let engine = Engine::start(cfg).unwrap();
    // Counters and states are read one after the other, so poll until both
    // show the steady blocked picture.
    let s = wait_for(&engine, "producer blocked", |s| {
        s.role(Role::Producer)
            .all(|t| t.state == ThreadState::BlockedFull)
            && s.counts.queued == 2
    });
    assert_eq!(s.max_depth, 2);
    assert!(
        s.events
            .iter()
            .any(|e| e.to_string() == "Producer-1 blocked: queue full 2/2")
    );
    engine.send(Command::Abort);
    assert!(engine.wait(Duration::from_secs(5)));
}

#[test]
fn consumer_on_an_empty_queue_shows_waiting_empty() {
    let mut cfg = config(1, 2, Capacity::Bounded(4), 1_000);
    cfg.interval = ms(2_000);
    let engine = Engine::start(cfg).unwrap();
    let s = wait_for(&engine, "consumers waiting", |s| {
        s.role(Role::Consumer)
            .all(|t| t.state == ThreadState::WaitingEmpty)
            && s.role(Role::Producer)
                .all(|t| t.state == ThreadState::Producing)
    });
    assert_eq!(s.counts.queued, 0);
    engine.send(Command::Abort);
    assert!(
        engine.wait(Duration::from_secs(5)),
        "abort must release sleepers too"
    );
}

#[test]
fn a_crashing_worker_fails_its_item_and_the_rest_go_on() {
    let mut cfg = config(1, 3, Capacity::Bounded(8), 200);
    cfg.crash_items = vec![17];
    let engine = Engine::start(cfg).unwrap();
    assert!(engine.wait(DEADLINE));
    let s = engine.snapshot();
    assert_eq!(s.phase, Phase::Done);
    let c = s.counts;
    assert_eq!(c.failed, 1);
    assert_eq!(c.consumed, 199);
    assert_eq!(c.produced, 200);
    let crashed: Vec<_> = s
        .role(Role::Consumer)
        .filter(|t| t.state == ThreadState::Crashed)
        .collect();
    assert_eq!(crashed.len(), 1);
    assert_eq!(crashed[0].failed, 1);
    assert!(
        s.events
            .iter()
            .any(|e| e.to_string().contains("crashed on item 17"))
    );
    // Pills were planned for the two survivors.
    assert_eq!(c.pills_received, 2);
}

#[test]
fn pause_parks_every_thread_and_the_queue_is_still() {
    let mut cfg = config(2, 2, Capacity::Bounded(16), u64::MAX);
    cfg.workload = Workload::Endless;
    cfg.interval = ms(1);
    cfg.work = ms(3);
    let engine = Engine::start(cfg).unwrap();
    wait_for(&engine, "flow", |s| s.counts.consumed > 5);
    engine.send(Command::Pause);
    let s = wait_for(&engine, "all paused", |s| {
        s.phase == Phase::Paused
            && s.threads
                .iter()
                .filter(|t| t.role != Role::Coordinator)
                .all(|t| t.state == ThreadState::Paused)
    });
    // Quiescent: the channel's own length equals the counters' depth. A
    // consumer paused in the middle of its work keeps its item in hand,
    // and the run clock stands still.
    std::thread::sleep(Duration::from_millis(20));
    let s2 = engine.snapshot();
    assert_eq!(s2.counts, s.counts);
    assert_eq!(s2.channel_len, s2.counts.depth());
    assert!(s2.counts.in_flight <= 2, "{:?}", s2.counts);
    assert_eq!(s2.elapsed, s.elapsed, "active time stopped");
    assert!(s2.wall >= s.wall + Duration::from_millis(20));
    engine.send(Command::Resume);
    wait_for(&engine, "flowing again", |x| {
        x.counts.consumed > s2.counts.consumed
    });
    engine.send(Command::Shutdown);
    assert!(engine.wait(DEADLINE));
    assert_finished_clean(&engine.snapshot(), 2);
}

#[test]
fn live_add_and_remove_take_effect_on_real_threads() {
    let mut cfg = config(1, 2, Capacity::Bounded(8), u64::MAX);
    cfg.workload = Workload::Endless;
    cfg.interval = ms(1);
    cfg.work = ms(2);
    let engine = Engine::start(cfg).unwrap();
    engine.send(Command::AddConsumer);
    engine.send(Command::AddConsumer);
    engine.send(Command::AddProducer);
    let s = wait_for(&engine, "threads added", |s| {
        s.live(Role::Consumer) == 4 && s.live(Role::Producer) == 2
    });
    assert!(s.threads.iter().any(|t| &*t.name == "Consumer-4"));
    engine.send(Command::RemoveConsumer(Removal::Retire));
    wait_for(&engine, "retired", |s| {
        s.role(Role::Consumer)
            .any(|t| t.exit == Some(ExitReason::Retired))
    });
    engine.send(Command::RemoveConsumer(Removal::Pill));
    wait_for(&engine, "removed by pill", |s| {
        s.role(Role::Consumer)
            .filter(|t| t.exit == Some(ExitReason::Pill))
            .count()
            == 1
    });
    engine.send(Command::RemoveProducer);
    wait_for(&engine, "producer stopped", |s| s.live(Role::Producer) == 1);
    engine.send(Command::SetWork(ms(5)));
    // The knob turns before its event is logged: wait for both.
    let s = wait_for(&engine, "work changed and said so", |s| {
        s.work == ms(5)
            && s.events
                .iter()
                .any(|e| e.to_string().contains("consumer work now 5ms"))
    });
    assert_eq!(s.work, ms(5));
    engine.send(Command::Shutdown);
    assert!(engine.wait(DEADLINE));
    let s = engine.snapshot();
    assert_eq!(s.phase, Phase::Done);
    let c = s.counts;
    assert_eq!(c.produced, c.consumed);
    assert_eq!(c.pills_sent, c.pills_received);
    assert_eq!(c.pills_sent, 3); // one removal pill + one per remaining consumer (2)
}

#[test]
fn abort_releases_threads_blocked_on_send_recv_and_work() {
    let mut cfg = config(3, 2, Capacity::Bounded(1), u64::MAX);
    cfg.workload = Workload::Endless;
    cfg.work = ms(30_000);
    let engine = Engine::start(cfg).unwrap();
    wait_for(&engine, "blocked", |s| {
        s.role(Role::Producer)
            .all(|t| t.state == ThreadState::BlockedFull)
    });
    let t0 = Instant::now();
    engine.send(Command::Abort);
    assert!(engine.wait(Duration::from_secs(5)));
    assert!(t0.elapsed() < Duration::from_secs(2));
    let s = engine.snapshot();
    assert_eq!(s.phase, Phase::Aborted);
    assert_conserved(&s);
    for t in &s.threads {
        assert!(t.state.is_final(), "{} {}", t.name, t.state);
    }
}

#[test]
fn words_are_produced_in_order_and_durations_are_reproducible() {
    let mut cfg = config(1, 4, Capacity::Unbounded, 0);
    let words: Vec<String> = "this is a hello world test !"
        .split(' ')
        .map(String::from)
        .collect();
    cfg.workload = Workload::Words(words.into());
    cfg.collect_results = true;
    let engine = Engine::start(cfg).unwrap();
    assert!(engine.wait(DEADLINE));
    let r = engine.results();
    let got: Vec<_> = r.iter().filter_map(|x| x.word.clone()).collect();
    assert_eq!(got.join(" "), "this is a hello world test !");
    assert_finished_clean(&engine.snapshot(), 4);
}

#[test]
fn randomized_runs_finish_with_nothing_lost() {
    // A seeded loop (no external RNG crate needed): varied counts,
    // capacities, live changes and pauses, each run bounded by a deadline.
    let mut x: u64 = 0x5eed;
    let mut next = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    for round in 0..12 {
        let cap = match next(4) {
            0 => Capacity::Rendezvous,
            1 => Capacity::Bounded(1 + next(4) as usize),
            2 => Capacity::Bounded(64),
            _ => Capacity::Unbounded,
        };
        let p = 1 + next(4) as usize;
        let c = 1 + next(6) as usize;
        let mut cfg = config(p, c, cap, 200 + next(3000));
        if next(2) == 0 {
            cfg.work = common::ms(next(2));
        }
        let engine = Engine::start(cfg).unwrap();
        for _ in 0..next(6) {
            let cmd = match next(7) {
                0 => Command::AddConsumer,
                1 => Command::RemoveConsumer(Removal::Retire),
                2 => Command::RemoveConsumer(Removal::Pill),
                3 => Command::AddProducer,
                4 => Command::RemoveProducer,
                5 => Command::Pause,
                _ => Command::Resume,
            };
            engine.send(cmd);
            std::thread::sleep(Duration::from_millis(next(5)));
            assert_conserved(&engine.snapshot());
        }
        engine.send(Command::Resume);
        assert!(
            engine.wait(DEADLINE),
            "round {round} hung: {:?}",
            engine.snapshot().counts
        );
        let s = engine.snapshot();
        let c = s.counts;
        assert_eq!(s.phase, Phase::Done, "round {round}");
        assert_eq!(c.produced, c.consumed, "round {round}: {c:?}");
        assert_eq!(c.queued + c.in_flight, 0, "round {round}: {c:?}");
        assert_eq!(c.pills_sent, c.pills_received, "round {round}: {c:?}");
    }
}

#[test]
fn a_duration_workload_stops_each_producer_on_time() {
    let mut cfg = config(2, 2, Capacity::Bounded(16), 0);
    cfg.workload = Workload::Duration(Duration::from_millis(400));
    cfg.interval = ms(10);
    let engine = Engine::start(cfg).unwrap();
    assert!(engine.wait(DEADLINE));
    let s = engine.snapshot();
    assert_finished_clean(&s, 2);
    for t in s.role(Role::Producer) {
        assert_eq!(t.exit, Some(ExitReason::Finished));
        // ~40 items at one per 10 ms in 400 ms; generous for a loaded box.
        assert!((25..=41).contains(&t.items), "{} made {}", t.name, t.items);
    }
    assert!(s.elapsed >= Duration::from_millis(400));
}

#[test]
fn with_the_gil_cpu_bound_consumers_wait_for_it_and_do_not_scale() {
    use queuescope::sim::{Dist, WorkMode, WorkSpec};
    let run = |gil: bool| {
        let mut cfg = config(1, 2, Capacity::Unbounded, 16);
        cfg.work = WorkSpec::new(WorkMode::Spin, Dist::Fixed(Duration::from_millis(10)));
        cfg.gil = gil;
        cfg.switch_interval = Duration::from_millis(2);
        let engine = Engine::start(cfg).unwrap();
        assert!(engine.wait(DEADLINE));
        engine.snapshot()
    };
    let s = run(true);
    assert_eq!(s.counts.consumed, 16);
    // 160 ms of CPU work through one lock: at least 160 ms however many cores.
    assert!(s.elapsed >= Duration::from_millis(158), "{:?}", s.elapsed);
    let gil_wait: Duration = s
        .role(Role::Consumer)
        .map(|t| t.time_in[ThreadState::WaitingGil as usize])
        .sum();
    // At least one switch interval: how much more depends on how often the
    // OS lets both consumers run at once (a loaded CI box measured < 40 ms).
    assert!(
        gil_wait >= Duration::from_millis(2),
        "consumers never waited for the GIL: {gil_wait:?}"
    );
    let off = run(false);
    let no_wait: Duration = off
        .role(Role::Consumer)
        .map(|t| t.time_in[ThreadState::WaitingGil as usize])
        .sum();
    assert_eq!(no_wait, Duration::ZERO);
}

#[test]
fn a_step_lets_exactly_one_queue_operation_happen() {
    let mut cfg = config(1, 1, Capacity::Unbounded, 5);
    cfg.start_paused = true;
    let engine = Engine::start(cfg).unwrap();
    std::thread::sleep(Duration::from_millis(50));
    let ops = |s: &Snapshot| s.counts.produced + s.counts.consumed + s.counts.pills_received;
    assert_eq!(ops(&engine.snapshot()), 0, "nothing moves while paused");
    for n in 1..=4 {
        engine.send(Command::Step);
        wait_for(&engine, "one more operation", |s| ops(s) == n);
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(
            ops(&engine.snapshot()),
            n,
            "a step let more than one operation through"
        );
    }
    engine.send(Command::Resume);
    assert!(engine.wait(DEADLINE));
    assert_finished_clean(&engine.snapshot(), 1);
}

#[test]
fn early_pills_strand_the_slow_producers_items() {
    use queuescope::sim::PillTrigger;
    let mut cfg = config(2, 2, Capacity::Unbounded, 40);
    cfg.split_even = true;
    cfg.pills_when = PillTrigger::FirstProducer;
    cfg.producer_intervals = vec![ms(0), ms(20)];
    let engine = Engine::start(cfg).unwrap();
    assert!(engine.wait(DEADLINE));
    let s = engine.snapshot();
    let c = s.counts;
    assert_eq!(c.produced, 40, "both producers made their 20");
    assert!(c.queued > 0, "nothing stranded: {c:?}");
    assert_eq!(c.consumed + c.queued, 40);
    assert_eq!(c.pills_received, 2);
    let fast = s.threads.iter().find(|t| &*t.name == "Producer-1").unwrap();
    assert_eq!(fast.items, 20);
}

#[test]
fn an_unbounded_queue_stops_growing_at_its_safety_limit() {
    let mut cfg = config(2, 1, Capacity::Unbounded, 0);
    cfg.workload = Workload::Endless;
    cfg.work = ms(1);
    cfg.unbounded_limit = 5_000;
    let engine = Engine::start(cfg).unwrap();
    let s = wait_for(&engine, "producers held at the limit", |s| {
        s.role(Role::Producer)
            .all(|t| t.state == ThreadState::BlockedFull)
    });
    // Checked every 1024 items per producer: at most that much overshoot each.
    assert!(s.counts.queued <= 5_000 + 2 * 1024, "{:?}", s.counts);
    assert!(
        s.events
            .iter()
            .any(|e| e.to_string().contains("safety limit"))
    );
    engine.send(Command::Abort);
    assert!(engine.wait(Duration::from_secs(5)));
}

/// Flat out, one item in 64 is timed and stands for its group: the epoch's
/// Wq and W (sums over `timed`) must weigh each sample as the histograms do,
/// or they would be a fraction of the histograms' means.
#[test]
fn sampled_waits_are_weighted_alike_in_the_epoch_and_the_histograms() {
    let engine = Engine::start(config(1, 1, Capacity::Bounded(64), 200_000)).unwrap();
    assert!(engine.wait(DEADLINE));
    let s = engine.snapshot();
    assert_finished_clean(&s, 1);
    let span = s.epoch().expect("one epoch").measured;
    // The run's totals count every item; the epoch's span leaves out its
    // warm-up, and its weighted `timed` stands for each item of the span
    // (give or take a group of 64 at either end).
    assert_eq!(s.totals.received, 200_000);
    assert!(span.delta.received > 100_000, "{:?}", span.delta);
    assert!(
        span.delta.timed.abs_diff(span.delta.received) < 2 * 64,
        "{:?}",
        span.delta
    );
    let close = |a: f64, b: f64| (a - b).abs() <= 0.05 * b + 100e-9;
    let wq = span.wq_s().expect("timed items");
    let hist_wq = s.latency.queue_wait.mean.as_secs_f64();
    assert!(
        close(wq, hist_wq),
        "epoch Wq {wq:e} s, histogram {hist_wq:e} s"
    );
    let w = span.w_s().expect("timed items");
    let hist_w = s.latency.mean_in_system.as_secs_f64();
    assert!(close(w, hist_w), "epoch W {w:e} s, run {hist_w:e} s");
    assert!(span.delta.waited <= span.delta.received);
}

/// P(wait) counts every item exactly, timed or not: a consumer that arrives
/// when thousands of items are queued finds each of them waiting.
#[test]
fn every_item_found_waiting_counts_for_p_wait_sampled_or_not() {
    // One producer, flat out (timing 1 in 64 after its first 1,024), fills
    // the queue and blocks on its last item, so the run waits for a
    // consumer (with every producer done and none, it would end there).
    let engine = Engine::start(config(1, 0, Capacity::Bounded(4_096), 4_097)).unwrap();
    wait_for(&engine, "the queue full, the producer blocked", |s| {
        s.counts.queued == 4_096
            && s.role(Role::Producer)
                .all(|t| t.state == ThreadState::BlockedFull)
    });
    engine.send(Command::AddConsumer);
    // Then the producer puts its last item, is done, and `main` sends the
    // consumer its pill.
    assert!(engine.wait(DEADLINE));
    let s = engine.snapshot();
    assert_finished_clean(&s, 1);
    let span = s.epoch().expect("an epoch").measured;
    // Each of the 4,096 queued items was found waiting, though only about
    // 1,100 were timed. The last one waited too unless the consumer had
    // emptied the queue before the producer woke to put it (it can drain
    // 4,096 items faster than a parked thread wakes).
    assert_eq!(s.totals.received, 4_097, "{:?}", s.totals);
    assert!((4_096..=4_097).contains(&s.totals.waited), "{:?}", s.totals);
    assert!(span.delta.received > 0, "{:?}", span.delta);
    assert!(
        span.delta.received.abs_diff(span.delta.waited) <= 1,
        "{:?}",
        span.delta
    );
}
