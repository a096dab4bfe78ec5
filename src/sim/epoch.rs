//! Epochs: every knob change (consumers, producers, interval, work, GIL)
//! starts a new one, so the figures of the setup on screen *now* can be
//! told apart from the whole run's. An epoch is measured from cumulative
//! totals: the totals at its start (and again once its warm-up is over,
//! transient removal as JMT does it) subtracted from the totals at its end
//! or now. Plain data and arithmetic; the coordinator takes the marks and
//! the snapshot reports them.

use std::collections::VecDeque;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::work::WorkSpec;

/// Epochs kept (the oldest are dropped; the whole run is reported apart).
pub const MAX_EPOCHS: usize = 16;

/// Items an epoch must finish before its warm-up is over...
pub const WARMUP_ITEMS: u64 = 25;
/// ... and mean service times it must have lasted.
pub const WARMUP_SERVICES: u32 = 10;

/// Cumulative measures of the run at one moment, on the run clock. Every
/// field only grows, so the difference of two readings measures the time
/// between them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Active ns since the run started.
    pub at_ns: u64,
    /// Items put on the queue.
    pub produced: u64,
    /// Items finished (consumed + failed).
    pub done: u64,
    /// Items taken off the queue.
    pub received: u64,
    /// Items that found the queue non-empty when their consumer came for
    /// them: they had to wait for a consumer (Erlang-C's P(wait)).
    pub waited: u64,
    /// Items whose queue wait and time in system were timed.
    pub timed: u64,
    /// Σ queue wait of timed items, ns.
    pub wait_ns: u64,
    /// Σ time in system (enqueue → done) of timed items, ns.
    pub sojourn_ns: u64,
    /// Σ consumers' working time, ns (the service time S per item).
    pub busy_ns: u64,
    /// Σ depth·dt, messages·ns (sampled).
    pub depth_area: f64,
    /// Σ items queued·dt, items·ns (sampled): Lq.
    pub queued_area: f64,
    /// Σ items in the system·dt, items·ns (sampled): L.
    pub system_area: f64,
    /// Time the samples covered, ns.
    pub sampled_ns: u64,
}

/// The difference between two [`Totals`]: what happened between them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// The active time between them.
    #[serde(rename = "duration_ns", with = "super::serde_fmt::nanos")]
    pub duration: Duration,
    /// The growth of every total.
    pub delta: Totals,
}

impl Totals {
    /// What happened from `earlier` to `self`.
    pub fn since(&self, earlier: &Totals) -> Span {
        let d = |a: u64, b: u64| a.saturating_sub(b);
        let f = |a: f64, b: f64| (a - b).max(0.0);
        Span {
            duration: Duration::from_nanos(d(self.at_ns, earlier.at_ns)),
            delta: Totals {
                at_ns: d(self.at_ns, earlier.at_ns),
                produced: d(self.produced, earlier.produced),
                done: d(self.done, earlier.done),
                received: d(self.received, earlier.received),
                waited: d(self.waited, earlier.waited),
                timed: d(self.timed, earlier.timed),
                wait_ns: d(self.wait_ns, earlier.wait_ns),
                sojourn_ns: d(self.sojourn_ns, earlier.sojourn_ns),
                busy_ns: d(self.busy_ns, earlier.busy_ns),
                depth_area: f(self.depth_area, earlier.depth_area),
                queued_area: f(self.queued_area, earlier.queued_area),
                system_area: f(self.system_area, earlier.system_area),
                sampled_ns: d(self.sampled_ns, earlier.sampled_ns),
            },
        }
    }
}

fn ratio(n: f64, d: f64) -> Option<f64> {
    (d > 0.0 && n.is_finite()).then(|| n / d)
}

impl Span {
    /// Arrival rate λ, items/s.
    pub fn lambda(&self) -> Option<f64> {
        ratio(self.delta.produced as f64, self.duration.as_secs_f64())
    }
    /// Throughput, items finished per second.
    pub fn throughput(&self) -> Option<f64> {
        ratio(self.delta.done as f64, self.duration.as_secs_f64())
    }
    /// Mean service time S, seconds.
    pub fn service_s(&self) -> Option<f64> {
        ratio(self.delta.busy_ns as f64 / 1e9, self.delta.done as f64)
    }
    /// Mean queue wait Wq, seconds.
    pub fn wq_s(&self) -> Option<f64> {
        ratio(self.delta.wait_ns as f64 / 1e9, self.delta.timed as f64)
    }
    /// Mean time in system W, seconds.
    pub fn w_s(&self) -> Option<f64> {
        ratio(self.delta.sojourn_ns as f64 / 1e9, self.delta.timed as f64)
    }
    /// Fraction of items that had to wait for a consumer.
    pub fn p_wait(&self) -> Option<f64> {
        // A span's ends are read while consumers count, so its two counts
        // may each be off by an item in progress: never more than 100 %.
        ratio(self.delta.waited as f64, self.delta.received as f64).map(|p| p.min(1.0))
    }
    /// Time-weighted mean number of items waiting in the queue (Lq).
    pub fn lq(&self) -> Option<f64> {
        ratio(self.delta.queued_area, self.delta.sampled_ns as f64)
    }
    /// Time-weighted mean number of items in the system (L).
    pub fn l(&self) -> Option<f64> {
        ratio(self.delta.system_area, self.delta.sampled_ns as f64)
    }
    /// Time-weighted mean depth, items and pills.
    pub fn mean_depth(&self) -> Option<f64> {
        ratio(self.delta.depth_area, self.delta.sampled_ns as f64)
    }
}

/// The setup an epoch ran with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochConfig {
    /// Producers producing.
    pub producers: usize,
    /// Consumers consuming (not counting those asked to leave).
    pub consumers: usize,
    /// The producers' interval (the first one's, when they differ).
    pub interval: WorkSpec,
    /// The consumers' work.
    pub work: WorkSpec,
    /// GIL emulation on.
    pub gil: bool,
}

/// Where an epoch starts: what changed, and the totals then.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    /// 1 for the run's start, then one more per change.
    pub index: usize,
    /// What changed (`start`, `+1 consumer`, `work now exp:40ms`).
    pub cause: String,
    /// The setup from then on.
    pub config: EpochConfig,
    /// Totals at the start.
    pub start: Totals,
    /// Totals once the warm-up was over.
    pub steady: Option<Totals>,
}

impl Mark {
    /// True once the epoch has finished enough items over enough time to
    /// leave its start-up transient behind (`service` is the mean work time).
    pub fn warmed_up(&self, now: &Totals, service: Duration) -> bool {
        let span = now.since(&self.start);
        span.delta.done >= WARMUP_ITEMS && span.duration >= service * WARMUP_SERVICES
    }
}

/// The recent epochs, oldest first.
#[derive(Clone, Debug, Default)]
pub struct Epochs {
    marks: VecDeque<Mark>,
}

impl Epochs {
    /// Starts a new epoch at `start`.
    pub fn begin(&mut self, cause: String, config: EpochConfig, start: Totals) {
        let index = self.marks.back().map_or(1, |m| m.index + 1);
        if self.marks.len() == MAX_EPOCHS {
            self.marks.pop_front();
        }
        self.marks.push_back(Mark {
            index,
            cause,
            config,
            start,
            steady: None,
        });
    }

    /// The current epoch.
    pub fn current(&mut self) -> Option<&mut Mark> {
        self.marks.back_mut()
    }

    /// Every epoch, measured up to `now` (the current one) or to the start
    /// of the next.
    pub fn report(&self, now: &Totals) -> Vec<EpochSnap> {
        self.marks
            .iter()
            .enumerate()
            .map(|(k, m)| {
                let end = self.marks.get(k + 1).map_or(now, |next| &next.start);
                m.report(end)
            })
            .collect()
    }
}

impl Mark {
    /// The epoch up to `end`. Its measurements leave the warm-up out once
    /// enough items have finished after it; until then they cover the whole
    /// epoch and say they are not settled (`warm: false`).
    fn report(&self, end: &Totals) -> EpochSnap {
        let whole = end.since(&self.start);
        let settled = self
            .steady
            .map(|s| end.since(&s))
            .filter(|span| span.delta.done >= WARMUP_ITEMS);
        EpochSnap {
            index: self.index,
            cause: self.cause.clone(),
            started: Duration::from_nanos(self.start.at_ns),
            duration: whole.duration,
            config: self.config.clone(),
            warm: settled.is_some(),
            measured: settled.unwrap_or(whole),
        }
    }
}

/// One epoch as a snapshot reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochSnap {
    /// 1 for the run's start, then one more per change.
    pub index: usize,
    /// What changed.
    pub cause: String,
    /// When it started, on the run clock.
    #[serde(rename = "started_ns", with = "super::serde_fmt::nanos")]
    pub started: Duration,
    /// How long it has lasted (or lasted), on the run clock.
    #[serde(rename = "duration_ns", with = "super::serde_fmt::nanos")]
    pub duration: Duration,
    /// Its setup.
    pub config: EpochConfig,
    /// Its warm-up is over and enough items have finished since:
    /// `measured` leaves the transient out.
    pub warm: bool,
    /// What it measured: after the warm-up once `warm`, else all of it.
    pub measured: Span,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64, done: u64) -> Totals {
        Totals {
            at_ns: ms * 1_000_000,
            produced: done + 2,
            done,
            received: done + 1,
            waited: done / 2,
            timed: done,
            wait_ns: done * 10_000_000,
            sojourn_ns: done * 50_000_000,
            busy_ns: done * 40_000_000,
            depth_area: ms as f64 * 1e6 * 0.5,
            queued_area: ms as f64 * 1e6 * 0.4,
            system_area: ms as f64 * 1e6 * 2.0,
            sampled_ns: ms * 1_000_000,
        }
    }

    fn config(consumers: usize) -> EpochConfig {
        EpochConfig {
            producers: 1,
            consumers,
            interval: WorkSpec::zero(),
            work: WorkSpec::zero(),
            gil: false,
        }
    }

    #[test]
    fn a_span_measures_what_happened_in_it() {
        let s = at(3000, 100).since(&at(1000, 20));
        assert_eq!(s.duration, Duration::from_secs(2));
        assert_eq!(s.lambda(), Some(40.0));
        assert_eq!(s.throughput(), Some(40.0));
        assert!((s.service_s().unwrap() - 0.040).abs() < 1e-12);
        assert!((s.wq_s().unwrap() - 0.010).abs() < 1e-12);
        assert!((s.w_s().unwrap() - 0.050).abs() < 1e-12);
        assert_eq!(s.p_wait(), Some(40.0 / 80.0));
        assert!((s.lq().unwrap() - 0.4).abs() < 1e-12);
        assert!((s.l().unwrap() - 2.0).abs() < 1e-12);
        assert_eq!(Totals::default().since(&Totals::default()).lambda(), None);
    }

    #[test]
    fn epochs_end_where_the_next_begins_and_leave_out_their_warm_up() {
        let mut e = Epochs::default();
        e.begin("start".into(), config(3), at(0, 0));
        e.current().unwrap().steady = Some(at(1000, 30));
        e.begin("+1 consumer".into(), config(4), at(5000, 200));
        e.current().unwrap().steady = Some(at(5500, 220));
        let r = e.report(&at(6000, 240));
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].index, r[1].index), (1, 2));
        // The second is past its warm-up, but only 20 items since: not settled.
        assert!(r[0].warm && !r[1].warm);
        // The first: from its warm-up (1 s) to the second's start (5 s).
        assert_eq!(r[0].measured.duration, Duration::from_secs(4));
        assert_eq!(r[0].measured.delta.done, 170);
        assert_eq!(r[0].duration, Duration::from_secs(5));
        // The second, unsettled: all of it so far.
        assert_eq!(r[1].measured.delta.done, 40);
        assert_eq!(r[1].started, Duration::from_secs(5));
        let r = e.report(&at(7000, 260));
        assert!(r[1].warm);
        assert_eq!(r[1].measured.delta.done, 40, "since its warm-up");
    }

    #[test]
    fn warm_up_needs_items_and_time() {
        let mut e = Epochs::default();
        e.begin("start".into(), config(1), at(0, 0));
        let m = e.current().unwrap();
        let s = Duration::from_millis(50);
        assert!(!m.warmed_up(&at(100, 30), s), "too short");
        assert!(!m.warmed_up(&at(1000, 10), s), "too few items");
        assert!(m.warmed_up(&at(1000, 30), s));
    }

    #[test]
    fn only_the_recent_epochs_are_kept() {
        let mut e = Epochs::default();
        for k in 0..(MAX_EPOCHS as u64 + 5) {
            e.begin(format!("change {k}"), config(1), at(k * 10, k));
        }
        let r = e.report(&at(10_000, 1000));
        assert_eq!(r.len(), MAX_EPOCHS);
        assert_eq!(r[0].index, 6);
        assert_eq!(r.last().unwrap().index, MAX_EPOCHS + 5);
    }
}
