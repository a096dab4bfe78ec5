//! Work models: how long a producer's interval or a consumer's work lasts
//! (a distribution) and how that time is spent (sleeping like I/O, or spinning
//! like CPU work). Sleeps go to absolute deadlines so timer overshoot does not
//! accumulate, and callers record the actual time taken.

use std::fmt;
use std::time::{Duration, Instant};

use rand::Rng;
use rand::RngExt;
use rand_distr::{Distribution, Exp, Normal};
use serde::{Deserialize, Serialize};

/// A distribution of durations.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Dist {
    /// Always the same.
    Fixed(#[serde(with = "super::serde_fmt::nanos")] Duration),
    /// Uniform in `[lo, hi]`.
    Uniform {
        /// Lower bound.
        #[serde(rename = "lo_ns", with = "super::serde_fmt::nanos")]
        lo: Duration,
        /// Upper bound (>= lo).
        #[serde(rename = "hi_ns", with = "super::serde_fmt::nanos")]
        hi: Duration,
    },
    /// Exponential with this mean (memoryless: the M in M/M/c).
    Exp {
        /// Mean.
        #[serde(rename = "mean_ns", with = "super::serde_fmt::nanos")]
        mean: Duration,
    },
    /// Normal, clamped at zero.
    Normal {
        /// Mean.
        #[serde(rename = "mean_ns", with = "super::serde_fmt::nanos")]
        mean: Duration,
        /// Standard deviation.
        #[serde(rename = "sd_ns", with = "super::serde_fmt::nanos")]
        sd: Duration,
    },
}

impl Dist {
    /// Draw one duration.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Duration {
        match *self {
            Dist::Fixed(d) => d,
            Dist::Uniform { lo, hi } => {
                if hi <= lo {
                    lo
                } else {
                    let ns = rng.random_range(lo.as_nanos() as u64..=hi.as_nanos() as u64);
                    Duration::from_nanos(ns)
                }
            }
            Dist::Exp { mean } => {
                let m = mean.as_secs_f64();
                if m <= 0.0 {
                    return Duration::ZERO;
                }
                match Exp::new(1.0 / m) {
                    Ok(e) => secs(e.sample(rng)),
                    Err(_) => mean,
                }
            }
            Dist::Normal { mean, sd } => match Normal::new(mean.as_secs_f64(), sd.as_secs_f64()) {
                Ok(n) => secs(n.sample(rng)),
                Err(_) => mean,
            },
        }
    }

    /// The distribution's mean (the normal's mean ignores clamping, which
    /// matters only when sd is large against the mean).
    pub fn mean(&self) -> Duration {
        match *self {
            Dist::Fixed(d) => d,
            Dist::Uniform { lo, hi } => (lo + hi) / 2,
            Dist::Exp { mean } | Dist::Normal { mean, .. } => mean,
        }
    }

    /// True when every draw is zero (the engine then skips timing work).
    pub fn is_zero(&self) -> bool {
        match *self {
            Dist::Fixed(d) => d.is_zero(),
            Dist::Uniform { hi, .. } => hi.is_zero(),
            Dist::Exp { mean } => mean.is_zero(),
            Dist::Normal { mean, sd } => mean.is_zero() && sd.is_zero(),
        }
    }

    /// The same shape with every duration multiplied by `factor`.
    pub fn scaled(&self, factor: f64) -> Dist {
        let s = |d: Duration| secs(d.as_secs_f64() * factor);
        match *self {
            Dist::Fixed(d) => Dist::Fixed(s(d)),
            Dist::Uniform { lo, hi } => Dist::Uniform {
                lo: s(lo),
                hi: s(hi),
            },
            Dist::Exp { mean } => Dist::Exp { mean: s(mean) },
            Dist::Normal { mean, sd } => Dist::Normal {
                mean: s(mean),
                sd: s(sd),
            },
        }
    }
}

/// Non-negative, finite seconds to a Duration (clamped to an hour).
fn secs(s: f64) -> Duration {
    if s.is_finite() && s > 0.0 {
        Duration::from_secs_f64(s.min(3600.0))
    } else {
        Duration::ZERO
    }
}

/// Formats a duration the way the scenario syntax reads it (`250ms`,
/// `1.5s`, `40µs`): exact, so it parses back to itself.
pub use crate::units::exact as fmt_duration;

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Dist::Fixed(d) => f.write_str(&fmt_duration(d)),
            Dist::Uniform { lo, hi } => {
                write!(f, "uniform:{}..{}", fmt_duration(lo), fmt_duration(hi))
            }
            Dist::Exp { mean } => write!(f, "exp:{}", fmt_duration(mean)),
            Dist::Normal { mean, sd } => {
                write!(f, "normal:{},{}", fmt_duration(mean), fmt_duration(sd))
            }
        }
    }
}

/// How work time is spent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkMode {
    /// Sleep (I/O-like: the core is free for others).
    Sleep,
    /// Busy-spin (CPU-bound: burns a core).
    Spin,
}

/// A duration distribution plus how the time is spent.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkSpec {
    /// Sleep or spin.
    pub mode: WorkMode,
    /// How long.
    pub dist: Dist,
}

impl WorkSpec {
    /// A new spec.
    pub fn new(mode: WorkMode, dist: Dist) -> Self {
        WorkSpec { mode, dist }
    }

    /// Zero time, no work.
    pub fn zero() -> Self {
        WorkSpec::new(WorkMode::Sleep, Dist::Fixed(Duration::ZERO))
    }

    /// Same mode, every duration multiplied by `factor`.
    pub fn scaled(&self, factor: f64) -> Self {
        WorkSpec::new(self.mode, self.dist.scaled(factor))
    }
}

impl fmt::Display for WorkSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mode == WorkMode::Spin {
            f.write_str("cpu:")?;
        }
        self.dist.fmt(f)
    }
}

/// Spend `d` the way `mode` says, until the absolute `deadline` = start + d.
/// Returns when the deadline has passed (or at once for zero).
pub fn spend(mode: WorkMode, start: Instant, d: Duration) {
    if d.is_zero() {
        return;
    }
    let deadline = start + d;
    match mode {
        WorkMode::Sleep => sleep_until(deadline),
        WorkMode::Spin => {
            while Instant::now() < deadline {
                std::hint::spin_loop();
            }
        }
    }
}

/// Like [`spend`], but returns early (false) when `stop` is set: a sleeper
/// waits on its wake channel so an abort reaches it at once; a spinner checks
/// `stop()` as it spins. Wakes for other reasons (pause) are ignored here: the
/// thread notices those at its next step.
pub fn spend_unless(
    mode: WorkMode,
    start: Instant,
    d: Duration,
    wake: &crossbeam_channel::Receiver<()>,
    stop: &dyn Fn() -> bool,
) -> bool {
    if d.is_zero() {
        return true;
    }
    let deadline = start + d;
    match mode {
        WorkMode::Sleep => loop {
            match wake.recv_deadline(deadline) {
                Ok(()) if stop() => return false,
                Ok(()) => {}
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => return true,
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => {
                    sleep_until(deadline);
                    return true;
                }
            }
        },
        WorkMode::Spin => spin_until(deadline, stop),
    }
}

/// Burn CPU for `d`; false if `stop()` cut it short.
pub fn spin_for(d: Duration, stop: &dyn Fn() -> bool) -> bool {
    spin_until(Instant::now() + d, stop)
}

fn spin_until(deadline: Instant, stop: &dyn Fn() -> bool) -> bool {
    let mut n = 0u32;
    while Instant::now() < deadline {
        std::hint::spin_loop();
        n = n.wrapping_add(1);
        if n.is_multiple_of(1024) && stop() {
            return false;
        }
    }
    true
}

/// Sleep to an absolute deadline: a late wake-up does not push later deadlines.
pub fn sleep_until(deadline: Instant) {
    let now = Instant::now();
    if deadline > now {
        std::thread::sleep(deadline - now);
    }
}

/// Lower this thread's timer slack to 1 ns so a 1 ms sleep lasts ~1 ms instead
/// of ~1.05 ms (Linux's default slack is 50 µs). A no-op elsewhere.
pub fn lower_timer_slack() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_TIMERSLACK takes one integer argument and only affects
    // the calling thread.
    unsafe {
        libc::prctl(libc::PR_SET_TIMERSLACK, 1 as libc::c_ulong, 0, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::SmallRng;

    #[test]
    fn same_seed_same_samples() {
        let d = Dist::Exp {
            mean: Duration::from_millis(10),
        };
        let mut a = SmallRng::seed_from_u64(7);
        let mut b = SmallRng::seed_from_u64(7);
        let xs: Vec<_> = (0..100).map(|_| d.sample(&mut a)).collect();
        let ys: Vec<_> = (0..100).map(|_| d.sample(&mut b)).collect();
        assert_eq!(xs, ys);
    }

    #[test]
    fn samples_have_the_stated_mean_and_bounds() {
        let mut rng = SmallRng::seed_from_u64(1);
        let ms = Duration::from_millis;
        let u = Dist::Uniform {
            lo: ms(5),
            hi: ms(15),
        };
        let n = Dist::Normal {
            mean: ms(10),
            sd: ms(20),
        };
        let e = Dist::Exp { mean: ms(10) };
        let mut sum_u = 0.0;
        let mut sum_e = 0.0;
        for _ in 0..20_000 {
            let x = u.sample(&mut rng);
            assert!(x >= ms(5) && x <= ms(15));
            sum_u += x.as_secs_f64();
            sum_e += e.sample(&mut rng).as_secs_f64();
            // Clamped at zero, never negative (Duration cannot be), never huge.
            assert!(n.sample(&mut rng) < ms(200));
        }
        assert!((sum_u / 20_000.0 - 0.010).abs() < 0.0005);
        assert!((sum_e / 20_000.0 - 0.010).abs() < 0.0005);
    }

    #[test]
    fn display_round_trips_the_syntax() {
        let ms = Duration::from_millis;
        assert_eq!(Dist::Fixed(ms(10)).to_string(), "10ms");
        assert_eq!(Dist::Fixed(ms(1500)).to_string(), "1.5s");
        assert_eq!(Dist::Fixed(Duration::from_micros(40)).to_string(), "40µs");
        assert_eq!(
            WorkSpec::new(WorkMode::Spin, Dist::Exp { mean: ms(10) }).to_string(),
            "cpu:exp:10ms"
        );
        assert_eq!(
            Dist::Uniform {
                lo: ms(5),
                hi: ms(15)
            }
            .to_string(),
            "uniform:5ms..15ms"
        );
        assert_eq!(
            Dist::Normal {
                mean: ms(10),
                sd: ms(2)
            }
            .to_string(),
            "normal:10ms,2ms"
        );
    }

    #[test]
    fn scaled_multiplies_every_parameter() {
        let ms = Duration::from_millis;
        let d = Dist::Uniform {
            lo: ms(10),
            hi: ms(20),
        }
        .scaled(0.5);
        assert_eq!(
            d,
            Dist::Uniform {
                lo: ms(5),
                hi: ms(10)
            }
        );
    }
}
