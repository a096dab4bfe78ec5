//! The threads of the run: `main` joining, producers that block on the full
//! queue now and then, consumers working nearly all the time.

use super::{INTERVAL_S, Run};
use crate::sim::{Role, ThreadSnap, ThreadState};
use crate::testing::parts::{Lcg, lane, ms, share_time, thread};

/// `main`, waiting to join the workers since the start.
pub(super) fn main_thread(run: &Run) -> ThreadSnap {
    let mut main = thread(0, "main".into(), Role::Coordinator, ThreadState::Joining);
    main.in_state_for = run.elapsed;
    main.time_in[ThreadState::Starting as usize] = ms(1);
    main.time_in[ThreadState::Joining as usize] = run.elapsed;
    main.lane = vec![ThreadState::Joining; run.buckets];
    main
}

/// Appends the producers, who made `produced` items between them; when the
/// queue is saturated every other one is blocked on it right now.
pub(super) fn producers(rng: &mut Lcg, run: &Run, produced: u64, threads: &mut Vec<ThreadSnap>) {
    let mut given = 0u64;
    for (p, next_item) in (0..run.producers).zip(produced + 1..) {
        let state = if run.saturated() && p % 2 == 0 {
            ThreadState::BlockedFull
        } else {
            ThreadState::Producing
        };
        let name = format!("Producer-{}", p + 1);
        let mut t = thread(threads.len(), name, Role::Producer, state);
        t.items = if p + 1 == run.producers {
            produced - given
        } else {
            produced / run.producers as u64 + rng.below(3)
        };
        given += t.items;
        t.current_item = Some(next_item);
        t.in_state_for = ms(5 + rng.below(60));
        let busy = t.items as f64 * INTERVAL_S;
        let blocked = (run.elapsed.as_secs_f64() - busy).max(0.0);
        let shares = [
            (ThreadState::Producing, busy),
            (ThreadState::BlockedFull, blocked),
        ];
        share_time(&mut t, run.elapsed, &shares);
        let p_block = if run.saturated() { 0.35 } else { 0.0 };
        let start = [
            ThreadState::Starting,
            ThreadState::Producing,
            ThreadState::Producing,
        ];
        t.lane = lane(
            rng,
            run.buckets,
            &start,
            ThreadState::Producing,
            ThreadState::BlockedFull,
            p_block,
        );
        end_lane_in(&mut t, state);
        threads.push(t);
    }
}

/// Appends the consumers, who finished `consumed` items between them; each
/// works on one now unless (with spare capacity) it waits on an empty queue.
pub(super) fn consumers(rng: &mut Lcg, run: &Run, consumed: u64, threads: &mut Vec<ThreadSnap>) {
    let mut item = consumed + 1;
    let mut finished = 0u64;
    let idle_share = if run.saturated() { 0.02 } else { 0.35 };
    for c in 0..run.consumers {
        let state = if run.saturated() || rng.chance(0.6) {
            ThreadState::Working
        } else {
            ThreadState::WaitingEmpty
        };
        let name = format!("Consumer-{}", c + 1);
        let mut t = thread(threads.len(), name, Role::Consumer, state);
        t.items = if c + 1 == run.consumers {
            consumed - finished
        } else {
            (consumed / run.consumers as u64).saturating_sub(2) + rng.below(5)
        };
        finished += t.items;
        if state == ThreadState::Working {
            t.current_item = Some(item);
            item += 1;
        }
        t.in_state_for = ms(rng.below(300));
        let shares = [
            (ThreadState::Working, 1.0 - idle_share),
            (ThreadState::WaitingEmpty, idle_share),
        ];
        share_time(&mut t, run.elapsed, &shares);
        t.lane = lane(
            rng,
            run.buckets,
            &[ThreadState::Starting, ThreadState::WaitingEmpty],
            ThreadState::Working,
            ThreadState::WaitingEmpty,
            idle_share,
        );
        end_lane_in(&mut t, state);
        threads.push(t);
    }
}

/// The lane's last bucket shows the state the thread is in now.
fn end_lane_in(t: &mut ThreadSnap, state: ThreadState) {
    if let Some(last) = t.lane.last_mut() {
        *last = state;
    }
}
