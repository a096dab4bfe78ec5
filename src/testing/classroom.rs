//! What the classroom fixtures (`hang`, `mmc`, `runaway`) share: a blank
//! snapshot of their scenario and worker threads with believable lanes.

use std::time::Duration;

use super::build::build;
use super::parts::{Lcg, lane, share_time, thread};
use crate::sim::snapshot::{HISTORY_LEN, HISTORY_STEP};
use crate::sim::{Capacity, QueueStrip, Role, Snapshot, ThreadSnap, ThreadState};

/// A snapshot of scenario `name` with no threads, history or events yet:
/// the classroom fixtures fill in the rest.
pub(crate) fn blank(name: &str, lesson: &str, elapsed: Duration, capacity: Capacity) -> Snapshot {
    let mut s = build(1, 1, elapsed, 42);
    s.scenario = name.into();
    s.lesson = lesson.into();
    s.capacity = capacity;
    s.threads.clear();
    s.history.clear();
    s.events.clear();
    s.events_total = 0;
    s.strip = QueueStrip::default();
    s
}

/// `main`, joining the workers for the whole of `elapsed`, with a lane of
/// `buckets` buckets.
pub(crate) fn joining_main(elapsed: Duration, buckets: usize) -> ThreadSnap {
    let mut main = thread(0, "main".into(), Role::Coordinator, ThreadState::Joining);
    main.in_state_for = elapsed;
    main.time_in[ThreadState::Joining as usize] = elapsed;
    main.lane = vec![ThreadState::Joining; buckets];
    main
}

/// Who a worker is and what it is doing now.
pub(crate) struct Who {
    id: usize,
    name: String,
    role: Role,
    state: ThreadState,
}

impl Who {
    /// Thread `id`, named `Producer-n`, now in `state`.
    pub(crate) fn producer(id: usize, n: usize, state: ThreadState) -> Who {
        let name = format!("Producer-{n}");
        Who {
            id,
            name,
            role: Role::Producer,
            state,
        }
    }

    /// Thread `id`, named `Consumer-n`, now in `state`.
    pub(crate) fn consumer(id: usize, n: usize, state: ThreadState) -> Who {
        let name = format!("Consumer-{n}");
        Who {
            id,
            name,
            role: Role::Consumer,
            state,
        }
    }
}

/// A worker that made or finished `items` and spent `elapsed` as `shares`
/// say, with a lane of the first share's state sprinkled with the second's
/// with probability `other_p`.
pub(crate) fn worker(
    rng: &mut Lcg,
    who: Who,
    items: u64,
    elapsed: Duration,
    shares: &[(ThreadState, f64)],
    other_p: f64,
) -> ThreadSnap {
    let mut t = thread(who.id, who.name, who.role, who.state);
    t.items = items;
    share_time(&mut t, elapsed, shares);
    let buckets = ((elapsed.as_millis() / HISTORY_STEP.as_millis()) as usize).min(HISTORY_LEN);
    let main = shares.first().map_or(who.state, |s| s.0);
    let other = shares.get(1).map_or(main, |s| s.0);
    t.lane = lane(rng, buckets, &[ThreadState::Starting], main, other, other_p);
    if let Some(last) = t.lane.last_mut() {
        *last = who.state;
    }
    t
}
