//! The fold, driven by scripted event lines as a traced program sends them.

use super::*;
use crate::analysis::lint::{LintKind, lints};
use crate::sim::{Phase, Role, Snapshot, SnapshotRequest};
use crate::trace::protocol::parse_line;

fn fold(pills: &[&str]) -> Fold {
    fold_with(pills, true)
}

fn fold_with(pills: &[&str], log: bool) -> Fold {
    let mut f = Fold::new(Options {
        pills: pills.iter().map(|s| s.to_string()).collect(),
        queue: None,
        log,
    });
    feed(
        &mut f,
        &[
            r#"["hello",1,0,42,100,"python 3.11.7"]"#,
            r#"["thread",0,100,"MainThread"]"#,
        ],
    );
    f
}

fn feed(f: &mut Fold, lines: &[&str]) {
    for l in lines {
        match parse_line(l.as_bytes()) {
            Ok(Some(ev)) => f.apply(ev),
            other => panic!("{l}: {other:?}"),
        }
        f.reselect();
        conserved(&f.snapshot(f.now(), SnapshotRequest::default(), "t", ""));
    }
}

fn snap(f: &Fold) -> Snapshot {
    f.snapshot(f.now(), SnapshotRequest::default(), "t", "")
}

fn conserved(s: &Snapshot) {
    let c = s.counts;
    assert_eq!(
        c.produced,
        c.consumed + c.failed + c.queued + c.in_flight,
        "{c:?}"
    );
    assert!(c.pills_received <= c.pills_sent, "{c:?}");
}

fn row<'a>(s: &'a Snapshot, name: &str) -> &'a crate::sim::ThreadSnap {
    s.threads
        .iter()
        .find(|t| &*t.name == name)
        .unwrap_or_else(|| panic!("no row {name}: {:?}", s.threads))
}

#[test]
fn classic_producer_consumer_with_a_quit_pill() {
    let mut f = fold(&["quit"]);
    feed(
        &mut f,
        &[
            r#"["queue",10,100,1,"Queue","fifo",0,"q"]"#,
            r#"["thread",20,1,"Producer"]"#,
            r#"["thread",21,2,"Consumer"]"#,
            r#"["block",22,2,1,"empty",null]"#,
            r#"["who",30,1,1]"#,
            r#"["put",1]"#,
            r#"["wake",31,2,1]"#,
            r#"["who",31,2,1]"#,
            r#"["get",1]"#,
            r#"["who",40,1,1]"#,
            r#"["put",41,1,1,"7"]"#,
            r#"["put",42,1,1,"'quit'"]"#,
            r#"["exit",43,1,null]"#,
            r#"["get",50,2,1]"#,
        ],
    );
    let s = snap(&f);
    assert_eq!(s.counts.produced, 2);
    assert_eq!(
        s.counts.consumed, 1,
        "the first item finished at the next get"
    );
    assert_eq!(s.counts.in_flight, 1);
    assert_eq!(row(&s, "Consumer").current_item, Some(1));
    assert_eq!(row(&s, "Consumer").state, ThreadState::Working);
    assert_eq!(row(&s, "Producer").role, Role::Producer);
    assert_eq!(row(&s, "Producer").exit, Some(ExitReason::Finished));
    feed(&mut f, &[r#"["get",60,2,1]"#, r#"["exit",61,2,null]"#]);
    let s = snap(&f);
    assert_eq!((s.counts.pills_sent, s.counts.pills_received), (1, 1));
    assert_eq!(s.counts.consumed, 2);
    assert_eq!(row(&s, "Consumer").exit, Some(ExitReason::Pill));
    assert_eq!(row(&s, "Consumer").items, 2);
    // main never touched the queue: it coordinates.
    assert_eq!(row(&s, "MainThread").role, Role::Coordinator);
    assert!(
        s.events
            .iter()
            .any(|e| e.to_string() == "Consumer received the pill → exited")
    );
    assert_eq!(s.phase, Phase::ShuttingDown);
    feed(&mut f, &[r#"["exit",70,100,null]"#, r#"["end",71]"#]);
    let s = snap(&f);
    assert_eq!(s.phase, Phase::Done);
    assert_eq!(s.elapsed, std::time::Duration::from_nanos(71));
    assert_eq!(s.counts.pills_planned, Some(1));
}

#[test]
fn without_pill_the_last_take_before_leaving_is_the_pill_and_is_learned() {
    let mut f = fold(&[]);
    feed(
        &mut f,
        &[
            r#"["queue",1,100,1,"SimpleQueue","fifo",0,"_work_queue"]"#,
            r#"["thread",2,1,"w1"]"#,
            r#"["thread",2,2,"w2"]"#,
            r#"["put",3,100,1,"<_WorkItem>",500]"#,
            r#"["put",4,100,1,"None",9]"#,
            r#"["get",5,1,1,500]"#,
            r#"["get",6,1,1,9]"#,
            // The worker puts the sentinel back for the next one, then leaves.
            r#"["put",7,1,1,"None",9]"#,
            r#"["get",8,2,1,9]"#,
            r#"["exit",9,1,null]"#,
        ],
    );
    let s = snap(&f);
    // w1's None was its pill; None is learned, so w2's None is a pill too.
    assert_eq!(row(&s, "w1").exit, Some(ExitReason::Pill));
    assert_eq!((s.counts.pills_sent, s.counts.pills_received), (2, 2));
    assert_eq!(
        (s.counts.produced, s.counts.consumed, s.counts.in_flight),
        (1, 1, 0)
    );
    assert_eq!(row(&s, "MainThread").role, Role::Coordinator);
    assert_eq!(row(&s, "w2").current_item, None);
    assert!(
        s.events
            .iter()
            .any(|e| e.to_string().contains("None is the pill on _work_queue")),
        "{:?}",
        s.events
    );
    // Later Nones are pills as they are put.
    feed(&mut f, &[r#"["put",10,2,1,"None",9]"#]);
    assert_eq!(snap(&f).counts.pills_sent, 3);
}

#[test]
fn too_few_pills_settles_into_a_hang_the_lints_name() {
    let mut f = fold(&["None"]);
    let mut lines = vec![r#"["queue",1,100,1,"Queue","fifo",0,"q"]"#.to_string()];
    for w in 1..=4 {
        lines.push(format!(r#"["thread",2,{w},"Worker-{w}"]"#));
        lines.push(format!(r#"["block",3,{w},1,"empty",null]"#));
    }
    lines.push(r#"["put",10,100,1,"None"]"#.into());
    lines.push(r#"["wake",11,1,1]"#.into());
    lines.push(r#"["get",11,1,1]"#.into());
    lines.push(r#"["exit",12,1,null]"#.into());
    lines.push(r#"["join",13,100,2,null]"#.into());
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    feed(&mut f, &refs);
    assert!(f.settled());
    let s = snap(&f);
    assert_eq!(s.counts.pills_planned, Some(1));
    let found = lints(&s);
    let hang = found
        .iter()
        .find(|l| l.kind == LintKind::Hang)
        .expect("a hang lint");
    assert_eq!(
        hang.message,
        "3 consumers will wait forever: 1 pill sent for 4 consumers"
    );
    assert_eq!(
        f.wait_for_line(),
        "MainThread waits for Worker-2; Worker-2, Worker-3, Worker-4 wait on queue 'q' (empty)"
    );
    // One thread still running (a timeout, or not waiting) is not a hang.
    feed(&mut f, &[r#"["wake",14,2,1]"#]);
    assert!(!f.settled());
}

#[test]
fn waiters_a_put_or_get_has_answered_are_no_hang() {
    // A consumer waits on the empty queue; the producer fills it and waits
    // for room before the woken consumer has said so (its `wake` is in a
    // later batch): every thread seems to wait, yet the consumer will go on.
    let mut f = fold(&["None"]);
    let mut lines = vec![
        r#"["queue",1,100,1,"Queue","fifo",2,"q"]"#.to_string(),
        r#"["thread",2,1,"Producer"]"#.into(),
        r#"["thread",2,2,"Consumer"]"#.into(),
        r#"["block",3,2,1,"empty",null]"#.into(),
        r#"["put",4,1,1,"1"]"#.into(),
        r#"["put",5,1,1,"2"]"#.into(),
        r#"["block",6,1,1,"full",null]"#.into(),
        r#"["join",7,100,1,null]"#.into(),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    feed(&mut f, &refs);
    assert!(!f.settled(), "{}", f.wait_for_line());
    // Once the consumer has taken both and waits again, with the producer
    // still waiting for room it now has: not settled either.
    lines = vec![
        r#"["wake",8,2,1]"#.into(),
        r#"["get",8,2,1]"#.into(),
        r#"["get",9,2,1]"#.into(),
        r#"["block",10,2,1,"empty",null]"#.into(),
    ];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    feed(&mut f, &refs);
    assert!(!f.settled(), "{}", f.wait_for_line());
    // The producer takes the room and leaves; the consumer waits on an
    // empty queue nobody will fill: that is a hang.
    feed(
        &mut f,
        &[
            r#"["wake",11,1,1]"#,
            r#"["exit",12,1,null]"#,
            r#"["joined",13,100,1]"#,
            r#"["join",14,100,2,null]"#,
        ],
    );
    assert!(f.settled(), "{}", f.wait_for_line());
}

#[test]
fn a_crash_fails_the_item_in_hand() {
    let mut f = fold(&[]);
    feed(
        &mut f,
        &[
            r#"["queue",1,100,1,"Queue","fifo",0,"q"]"#,
            r#"["thread",2,1,"w"]"#,
            r#"["put",3,100,1,"1"]"#,
            r#"["get",4,1,1]"#,
            r#"["exit",5,1,"ZeroDivisionError"]"#,
        ],
    );
    let s = snap(&f);
    assert_eq!((s.counts.failed, s.counts.in_flight), (1, 0));
    assert_eq!(row(&s, "w").state, ThreadState::Crashed);
    assert!(
        s.events
            .iter()
            .any(|e| e.to_string().contains("ZeroDivisionError"))
    );
}

#[test]
fn the_busiest_queue_is_shown_unless_one_is_named() {
    let mut lines = vec![
        r#"["queue",1,100,1,"Queue","fifo",0,"small"]"#.to_string(),
        r#"["queue",1,100,2,"LifoQueue","lifo",5,"big"]"#.to_string(),
        r#"["put",2,100,1,"1"]"#.to_string(),
    ];
    for i in 0..20 {
        lines.push(format!(r#"["put",{},100,2,"{i}"]"#, 3 + i));
    }
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let mut f = fold(&[]);
    feed(&mut f, &refs);
    let s = snap(&f);
    assert_eq!(s.counts.produced, 20);
    assert_eq!(s.capacity, crate::sim::Capacity::Bounded(5));
    assert_eq!(f.queue_line(), "queue 'big' (LifoQueue) · also 'small'");
    // LIFO: the head (next out) is the newest.
    assert_eq!(
        s.strip.slots.first(),
        Some(&crate::sim::Slot::Item {
            id: 19,
            producer: 0
        })
    );
    let mut f = Fold::new(Options {
        queue: Some("small".into()),
        ..Options::default()
    });
    feed(&mut f, &[r#"["hello",1,0,42,100,"python"]"#]);
    feed(&mut f, &refs);
    assert_eq!(snap(&f).counts.produced, 1);
}

#[test]
fn hostile_streams_keep_the_counts_exact_and_memory_bounded() {
    let mut f = fold(&[]);
    // Operations on unknown queues and by unknown threads, gets with no
    // puts, exits of threads never started, a foreign hello later on.
    feed(
        &mut f,
        &[
            r#"["get",1]"#,
            r#"["queue",1,100,1,"Queue","fifo",0,null]"#,
            r#"["get",1]"#,
            r#"["get",5,77,1]"#,
            r#"["exit",6,88,null]"#,
            r#"["done",1]"#,
            r#"["hello",2,0,1,1,"x"]"#,
            r#"["put",7,77,1,"1",3]"#,
        ],
    );
    assert_eq!(f.stats.skipped_ops, 1);
    let s = snap(&f);
    assert_eq!(s.counts.produced, 3);
    let mut f = fold(&[]);
    let n = MAX_THREADS + 10;
    for tid in 1..=n {
        feed(&mut f, &[&format!(r#"["thread",1,{},"t"]"#, tid + 1000)]);
    }
    assert_eq!(f.threads.len(), MAX_THREADS);
}

#[test]
fn pill_values_match_reprs() {
    assert!(pill_matches("quit", "'quit'"));
    assert!(pill_matches("quit", "\"quit\""));
    assert!(pill_matches("'quit'", "'quit'"));
    assert!(pill_matches("None", "None"));
    assert!(pill_matches("-1", "-1"));
    assert!(!pill_matches("quit", "'quitting'"));
    assert!(!pill_matches("quit", "quit'"));
    assert!(!pill_matches("None", "'None'x"));
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    /// One random event line over threads 1..=3 and queues 1 (FIFO,
    /// "a"), 2 (LIFO) and 3 (by id), in full or compact form; some invalid.
    fn line() -> impl Strategy<Value = String> {
        let th = 1u64..=4;
        let q = 1u64..=4;
        let t = 0u64..2_000_000_000;
        prop_oneof![
            (
                t.clone(),
                th.clone(),
                q.clone(),
                prop_oneof![Just("'quit'"), Just("None"), Just("7")],
                proptest::option::of(0u64..4)
            )
                .prop_map(|(t, th, q, r, id)| match id {
                    Some(id) => format!(r#"["put",{t},{th},{q},"{r}",{id}]"#),
                    None => format!(r#"["put",{t},{th},{q},"{r}"]"#),
                }),
            q.clone().prop_map(|q| format!(r#"["put",{q}]"#)),
            (
                t.clone(),
                th.clone(),
                q.clone(),
                proptest::option::of(0u64..4)
            )
                .prop_map(|(t, th, q, id)| match id {
                    Some(id) => format!(r#"["get",{t},{th},{q},{id}]"#),
                    None => format!(r#"["get",{t},{th},{q}]"#),
                }),
            q.clone().prop_map(|q| format!(r#"["get",{q}]"#)),
            q.clone().prop_map(|q| format!(r#"["done",{q}]"#)),
            (t.clone(), th.clone(), q.clone())
                .prop_map(|(t, th, q)| format!(r#"["who",{t},{th},{q}]"#)),
            // Version 2's marks, with totals that may go back or jump.
            (
                t.clone(),
                th.clone(),
                q.clone(),
                0u64..40,
                0u64..40,
                0u64..4,
                0u64..2
            )
                .prop_map(|(t, th, q, p, g, d, fin)| format!(
                    r#"["who",{t},{th},{q},{p},{g},{d},{fin}]"#
                )),
            (t.clone(), q.clone(), 0u64..40, 0u64..40, 0u64..4, 0u64..2)
                .prop_map(|(t, q, p, g, d, fin)| format!(r#"["ops",{t},{q},{p},{g},{d},{fin}]"#)),
            (t.clone(), th.clone(), q.clone(), any::<bool>()).prop_map(|(t, th, q, full)| {
                format!(
                    r#"["block",{t},{th},{q},"{}",null]"#,
                    if full { "full" } else { "empty" }
                )
            }),
            (t.clone(), th.clone(), q.clone())
                .prop_map(|(t, th, q)| format!(r#"["wake",{t},{th},{q}]"#)),
            (t.clone(), th.clone(), proptest::option::of(Just("E"))).prop_map(
                |(t, th, e)| match e {
                    Some(e) => format!(r#"["exit",{t},{th},"{e}"]"#),
                    None => format!(r#"["exit",{t},{th},null]"#),
                }
            ),
            (t.clone(), th.clone()).prop_map(|(t, th)| format!(r#"["thread",{t},{th},"T{th}"]"#)),
            (t.clone(), th.clone(), th)
                .prop_map(|(t, a, b)| format!(r#"["join",{t},{a},{b},null]"#)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Whatever the stream says, in whatever order, the counts add up
        /// in every snapshot and nothing panics.
        #[test]
        fn counts_add_up_whatever_the_stream(
            lines in proptest::collection::vec(line(), 0..120),
            pills in any::<bool>(),
            log in any::<bool>(),
            shown in prop_oneof![Just("a"), Just("queue-2"), Just("queue-3")],
        ) {
            let mut f = Fold::new(Options {
                pills: if pills { vec!["quit".into()] } else { vec![] },
                queue: Some(shown.into()),
                log,
            });
            let mut head = vec![
                r#"["hello",1,0,1,100,"x"]"#.to_string(),
                r#"["queue",0,100,1,"Queue","fifo",2,"a"]"#.to_string(),
                r#"["queue",0,100,2,"LifoQueue","lifo",0,null]"#.to_string(),
                r#"["queue",0,100,3,"SimpleQueue","fifo",0,null]"#.to_string(),
            ];
            head.extend(lines);
            for l in &head {
                if let Ok(Some(ev)) = parse_line(l.as_bytes()) {
                    f.apply(ev);
                }
                f.reselect();
                let s = snap(&f);
                conserved(&s);
                prop_assert!(s.threads.iter().all(|t| t.lifetime() >= t.in_state_for));
                let _ = f.wait_for_line();
            }
            f.finish(3_000_000_000, Over::Exited);
            let s = snap(&f);
            conserved(&s);
            prop_assert_eq!(s.counts.in_flight, 0, "every item is finished or failed at the end");
        }
    }
}

#[test]
fn time_shown_never_runs_backwards() {
    let mut f = fold(&[]);
    feed(&mut f, &[r#"["queue",1,100,1,"Queue","fifo",0,"q"]"#]);
    // A snapshot drawn at 500 (the clock), then the program's end, stamped
    // 400, arrives late: the run ends at 500, not before what was shown.
    let shown = f.snapshot(500, SnapshotRequest::default(), "t", "").elapsed;
    feed(&mut f, &[r#"["end",400]"#]);
    let end = snap(&f).elapsed;
    assert!(end >= shown, "{end:?} < {shown:?}");
    assert_eq!(end, std::time::Duration::from_nanos(500));
}

/// A producer and two consumers on one FIFO queue, the way a counting
/// (version 2) sender says it: marks with the queue's totals when the
/// thread changes (`who`) and at flushes (`ops`), a latency sample in
/// full, the pills in full.
const COUNTED: [&str; 19] = [
    r#"["queue",1,100,1,"Queue","fifo",0,"q"]"#,
    r#"["thread",2,1,"P"]"#,
    r#"["thread",2,2,"C1"]"#,
    r#"["thread",2,3,"C2"]"#,
    r#"["who",10,1,1,0,0,0,0]"#,
    r#"["put",11,1,1,"0"]"#,
    // A flush: P has put 5 in all (4 counted).
    r#"["ops",20,1,5,0,0,0]"#,
    // C1 takes over: P put 2 more; C1's first get goes in full (the sample).
    r#"["who",30,2,1,7,0,0,0]"#,
    r#"["get",31,2,1]"#,
    // C2 takes over: C1 got 2 more and called task_done after its last.
    r#"["who",40,3,1,7,3,1,1]"#,
    r#"["ops",50,1,7,5,1,0]"#,
    r#"["who",60,1,1,7,6,1,0]"#,
    r#"["put",61,1,1,"'quit'"]"#,
    r#"["put",62,1,1,"'quit'"]"#,
    r#"["who",70,2,1,9,6,1,0]"#,
    // C1 took item 6 and a pill, and leaves; then C2 the other pill.
    r#"["ops",80,1,9,8,1,0]"#,
    r#"["exit",81,2,null]"#,
    r#"["who",90,3,1,9,8,1,0]"#,
    r#"["ops",91,1,9,9,1,0]"#,
];

#[test]
fn counted_operations_go_to_the_thread_each_mark_names() {
    let mut f = fold(&["quit"]);
    feed(&mut f, &COUNTED[..9]);
    let s = snap(&f);
    // 7 put, C1 holds item 0 (taken in full, so its wait was measured).
    assert_eq!((s.counts.produced, s.counts.queued), (7, 6));
    assert_eq!(row(&s, "C1").current_item, Some(0));
    assert_eq!(s.latency.queue_wait.count, 1);
    feed(&mut f, &COUNTED[9..10]);
    let s = snap(&f);
    // C1's task_done came after its third get: it holds nothing.
    assert_eq!((s.counts.consumed, s.counts.in_flight), (3, 0));
    assert_eq!(row(&s, "C1").items, 3);
    assert_eq!(row(&s, "C1").current_item, None);
    feed(&mut f, &COUNTED[10..11]);
    let s = snap(&f);
    // A flush: C2's two gets, the second still in its hands.
    assert_eq!(
        (s.counts.consumed, s.counts.in_flight, s.counts.queued),
        (4, 1, 2)
    );
    assert_eq!(row(&s, "C2").current_item, Some(4));
    feed(&mut f, &COUNTED[11..]);
    let s = snap(&f);
    assert_eq!(row(&s, "P").items, 7);
    assert_eq!(row(&s, "C1").items, 4);
    assert_eq!(row(&s, "C1").exit, Some(ExitReason::Pill));
    assert_eq!(row(&s, "C2").items, 3);
    assert_eq!((s.counts.pills_sent, s.counts.pills_received), (2, 2));
    assert_eq!((s.counts.produced, s.counts.queued), (7, 0));
    assert_eq!(f.stats.skipped_ops, 0);
}

/// The same run as [`COUNTED`], one event per operation (what a sender
/// that counts nothing writes, in version 1).
fn one_by_one() -> Vec<String> {
    let mut lines: Vec<String> = COUNTED[..4].iter().map(|s| s.to_string()).collect();
    let mut op = |t: u64, tid: u64, what: &str| {
        lines.push(match what {
            "put" => format!(r#"["put",{t},{tid},1,"{t}"]"#),
            "pill" => format!(r#"["put",{t},{tid},1,"'quit'"]"#),
            "done" => format!(r#"["done",{t},{tid},1]"#),
            "exit" => format!(r#"["exit",{t},{tid},null]"#),
            _ => format!(r#"["get",{t},{tid},1]"#),
        })
    };
    (0..7).for_each(|i| op(10 + i, 1, "put"));
    (0..3).for_each(|i| op(30 + i, 2, "get"));
    op(39, 2, "done");
    (0..3).for_each(|i| op(40 + i, 3, "get"));
    op(61, 1, "pill");
    op(62, 1, "pill");
    op(70, 2, "get");
    op(71, 2, "get");
    op(81, 2, "exit");
    op(90, 3, "get");
    lines
}

#[test]
fn a_sender_that_sends_every_operation_gets_the_same_counts() {
    let lines = one_by_one();
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    // Where the two streams have said the same: (COUNTED, one by one).
    let same = [
        (7, 9),
        (8, 11),
        (9, 12),
        (10, 15),
        (11, 17),
        (12, 18),
        (14, 20),
        (16, 22),
        (17, 23),
        (19, 24),
    ];
    // With --log the fold applies counted operations one by one, without
    // it all at once: both as the events sent one by one.
    for log in [true, false] {
        let mut counted = fold_with(&["quit"], log);
        let mut full = fold_with(&["quit"], log);
        let mut from = (0, 0);
        for (m, e) in same {
            feed(&mut counted, &COUNTED[from.0..m]);
            feed(&mut full, &lines[from.1..e]);
            from = (m, e);
            let (a, b) = (snap(&counted), snap(&full));
            assert_eq!(a.counts, b.counts, "log {log}, up to {m}");
            let rows = |s: &Snapshot| {
                let mut v: Vec<_> = s
                    .threads
                    .iter()
                    .map(|t| (t.name.clone(), t.items, t.role, t.exit, t.current_item))
                    .collect();
                v.sort_by(|x, y| x.0.cmp(&y.0));
                v
            };
            assert_eq!(rows(&a), rows(&b), "log {log}, up to {m}");
        }
    }
}

#[test]
fn hostile_totals_are_bounded_and_never_go_back() {
    let mut f = fold_with(&[], false);
    feed(
        &mut f,
        &[
            r#"["queue",1,100,1,"Queue","fifo",0,"q"]"#,
            r#"["who",10,1,1,0,0,0,0]"#,
            // Far more than one mark may add: the rest is skipped.
            r#"["ops",20,1,18446744073709551615,0,0,0]"#,
            // Lower totals change nothing.
            r#"["ops",30,1,5,0,0,0]"#,
            // Three gets by the same thread.
            r#"["ops",40,1,18446744073709551615,3,0,0]"#,
        ],
    );
    let s = snap(&f);
    assert_eq!(s.counts.produced, counted::MAX_COUNTED);
    assert_eq!((s.counts.consumed, s.counts.in_flight), (2, 1));
    assert_eq!(f.stats.skipped_ops, u64::MAX - counted::MAX_COUNTED);
}

#[test]
fn the_protocol_reference_s_example_folds_to_exact_counts() {
    let doc = include_str!("../../../docs/trace-protocol.md");
    let example = doc
        .split("```json")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("an example in docs/trace-protocol.md");
    let mut f = Fold::new(Options::default());
    let lines: Vec<&str> = example.lines().filter(|l| !l.is_empty()).collect();
    feed(&mut f, &lines);
    let s = snap(&f);
    assert_eq!((s.counts.produced, s.counts.consumed), (2, 2));
    assert_eq!((s.counts.pills_sent, s.counts.pills_received), (1, 1));
    assert_eq!(row(&s, "Producer").items, 2);
    assert_eq!(row(&s, "Consumer").items, 2);
    assert_eq!(row(&s, "Consumer").exit, Some(ExitReason::Pill));
    assert!(f.ended_cleanly);
}

#[test]
fn counts_marked_after_a_wait_came_before_it() {
    let mut f = fold(&[]);
    feed(
        &mut f,
        &[
            r#"["queue",1,100,1,"Queue","fifo",0,"q"]"#,
            r#"["thread",2,1,"P"]"#,
            r#"["thread",2,2,"C"]"#,
            r#"["who",10,1,1,0,0,0,0]"#,
            r#"["who",20,2,1,3,0,0,0]"#,
            // C took all three, then waits on the empty queue: no mark
            // before the block; P's next put marks C's gets.
            r#"["block",30,2,1,"empty",null]"#,
            r#"["who",40,1,1,3,3,0,0]"#,
        ],
    );
    let s = snap(&f);
    assert_eq!(
        (s.counts.consumed, s.counts.in_flight, s.counts.queued),
        (3, 0, 0)
    );
    assert_eq!(row(&s, "C").state, ThreadState::WaitingEmpty);
    assert_eq!(row(&s, "C").items, 3);
}

#[test]
fn versions_1_and_2_are_read_and_a_newer_one_is_not() {
    for (v, foreign) in [(1, None), (2, None), (3, Some(3))] {
        let mut f = Fold::new(Options::default());
        let line = format!(r#"["hello",{v},0,1,1,"x"]"#);
        match parse_line(line.as_bytes()) {
            Ok(Some(ev)) => f.apply(ev),
            other => panic!("{line}: {other:?}"),
        }
        assert_eq!(f.stats.foreign_version, foreign, "version {v}");
    }
}
