//! Queueing theory beside the measurements: utilisation, the M/M/c
//! (Erlang-C) predictions, Little's law and the batch makespan. Pure
//! functions of measured rates; the screen and `run --json` show them next
//! to what the threads actually did.

use std::time::Duration;

use serde::Serialize;

use crate::sim::{EpochSnap, Role, Snapshot, Span, ThreadState};

/// M/M/c predictions for arrival rate λ, service rate μ per server, c servers.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Mmc {
    /// Offered load a = λ/μ (in servers).
    pub offered_load: f64,
    /// Utilisation ρ = a/c.
    pub rho: f64,
    /// Probability an arrival waits, C(c, a).
    pub p_wait: f64,
    /// Mean number waiting in the queue.
    pub lq: f64,
    /// Mean wait in the queue, seconds.
    pub wq_s: f64,
    /// Mean time in system, seconds.
    pub w_s: f64,
}

/// Erlang-C: the probability that an arrival has to wait in an M/M/c queue
/// with offered load `a` = λ/μ. `None` when unstable (a ≥ c) or c = 0.
pub fn erlang_c(c: u32, a: f64) -> Option<f64> {
    // NaN fails `is_positive`-style checks too: keep only finite, in-range loads.
    if c == 0 || a.is_nan() || a < 0.0 || a >= c as f64 {
        return None;
    }
    // Sum a^k/k! iteratively (stable for hundreds of servers).
    let mut term = 1.0; // a^0/0!
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / k as f64;
        }
        sum += term;
    }
    let top = term * a / c as f64 / (1.0 - a / c as f64); // a^c/c! · 1/(1-ρ)
    Some(top / (sum + top))
}

/// The M/M/c predictions, `None` when unstable.
pub fn mmc(c: u32, lambda: f64, mu: f64) -> Option<Mmc> {
    if lambda.is_nan() || mu.is_nan() || lambda <= 0.0 || mu <= 0.0 {
        return None;
    }
    let a = lambda / mu;
    let p = erlang_c(c, a)?;
    let rho = a / c as f64;
    let lq = p * rho / (1.0 - rho);
    let wq = p / (c as f64 * mu - lambda);
    Some(Mmc {
        offered_load: a,
        rho,
        p_wait: p,
        lq,
        wq_s: wq,
        w_s: wq + 1.0 / mu,
    })
}

/// The smallest consumer count that keeps ρ = λS/c at or below `target`.
pub fn consumers_for(lambda: f64, service_s: f64, target: f64) -> Option<u32> {
    if [lambda, service_s, target]
        .iter()
        .any(|x| x.is_nan() || *x <= 0.0)
    {
        return None;
    }
    let c = (lambda * service_s / target - 1e-9).ceil().max(1.0);
    (c <= u32::MAX as f64).then_some(c as u32)
}

/// Makespan of `n` equal tasks of `service` on `c` workers: ⌈n/c⌉·S.
pub fn makespan(n: u64, c: u32, service: Duration) -> Duration {
    if c == 0 {
        return Duration::ZERO;
    }
    service * n.div_ceil(c as u64) as u32
}

/// Which stretch of the run the measured side covers.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Scope {
    /// The epoch (1 for the run's start), or `None` for the whole run.
    pub epoch: Option<usize>,
    /// What started it (`start`, `+1 consumer`).
    pub cause: String,
    /// Active time it has lasted, seconds.
    pub duration_s: f64,
    /// Its warm-up is over (always true for the whole run).
    pub warm: bool,
    /// Items finished in the measured part.
    pub items: u64,
}

/// Theory next to measurement for one stretch of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Theory {
    /// What the measurements cover.
    pub scope: Scope,
    /// Measured arrival rate λ, items/s.
    pub lambda_per_s: f64,
    /// Measured mean service (work) time S, seconds.
    pub service_s: f64,
    /// Consumers c.
    pub consumers: u32,
    /// Utilisation ρ = λS/c.
    pub rho: f64,
    /// M/M/c predictions from the measured λ and S (when stable).
    pub predicted: Option<Mmc>,
    /// Measured mean wait in the queue, seconds.
    pub measured_wq_s: f64,
    /// Measured mean number waiting (time-weighted mean of items queued).
    pub measured_lq: f64,
    /// Measured fraction of items that waited for a consumer (Erlang-C's
    /// P(wait)); `None` where the source does not count it.
    pub measured_p_wait: Option<f64>,
    /// Little's law: L measured (time-weighted mean in system).
    pub little_l: f64,
    /// Little's law: λ·W from the measured rate and mean time in system.
    pub little_lambda_w: f64,
    /// Consumers needed for ρ ≤ 0.8.
    pub consumers_for_80pct: Option<u32>,
}

/// Mean service time measured from the consumers' busy time per item.
pub fn measured_service(s: &Snapshot) -> Option<Duration> {
    let (busy, items) = s
        .role(Role::Consumer)
        .fold((Duration::ZERO, 0u64), |(b, n), t| {
            (b + t.time_in[ThreadState::Working as usize], n + t.items)
        });
    (items > 0).then(|| busy / items.min(u32::MAX as u64) as u32)
}

/// The arrival rate and mean service time the run has *now*: the current
/// epoch's when it has finished an item, else the whole run's.
pub fn current_rates(s: &Snapshot) -> (f64, f64) {
    if let Some(e) = s.epoch()
        && let (Some(l), Some(sv)) = (e.measured.lambda(), e.measured.service_s())
    {
        return (l, sv);
    }
    let service = measured_service(s).map_or(0.0, |d| d.as_secs_f64());
    (s.arrival_rate(), service)
}

/// Theory for the setup on screen now: the current epoch measured against
/// its own predictions (whole-run figures for sources without epochs).
pub fn theory(s: &Snapshot) -> Theory {
    match s.epoch() {
        Some(e) => epoch_theory(e),
        None => whole_run(s),
    }
}

/// Theory for one epoch, from its own measurements (after its warm-up).
pub fn epoch_theory(e: &EpochSnap) -> Theory {
    let m = &e.measured;
    let scope = Scope {
        epoch: Some(e.index),
        cause: e.cause.clone(),
        duration_s: e.duration.as_secs_f64(),
        warm: e.warm,
        items: m.delta.done,
    };
    from_span(scope, m, e.config.consumers as u32)
}

/// Theory over the whole run. With several epochs, c is the consumers
/// there now (or, once over, all that ran): a guide only.
pub fn whole_run(s: &Snapshot) -> Theory {
    let c = if s.epochs.len() == 1 {
        s.epochs[0].config.consumers
    } else if s.phase.is_over() {
        s.role(Role::Consumer).count()
    } else {
        s.live(Role::Consumer)
    } as u32;
    let scope = Scope {
        epoch: None,
        cause: "whole run".into(),
        duration_s: s.elapsed.as_secs_f64(),
        warm: true,
        items: s.counts.consumed + s.counts.failed,
    };
    match s.whole() {
        Some(span) => from_span(scope, &span, c),
        None => from_snapshot(scope, s, c),
    }
}

/// Theory from a span's measurements with `c` consumers.
fn from_span(scope: Scope, m: &Span, c: u32) -> Theory {
    let lambda = m.lambda().unwrap_or(0.0);
    let service = m.service_s().unwrap_or(0.0);
    let w = m.w_s().unwrap_or(0.0);
    finish(Theory {
        scope,
        lambda_per_s: lambda,
        service_s: service,
        consumers: c,
        rho: 0.0,
        predicted: None,
        measured_wq_s: m.wq_s().unwrap_or(0.0),
        measured_lq: m.lq().unwrap_or(0.0),
        measured_p_wait: m.p_wait(),
        little_l: m.l().unwrap_or(0.0),
        little_lambda_w: lambda * w,
        consumers_for_80pct: None,
    })
}

/// Theory from the snapshot's summary fields (sources without totals,
/// such as recordings made before totals existed).
fn from_snapshot(scope: Scope, s: &Snapshot, c: u32) -> Theory {
    let lambda = s.arrival_rate();
    let items_only = (s.mean_depth - s.counts.pills_in_queue() as f64).max(0.0);
    finish(Theory {
        scope,
        lambda_per_s: lambda,
        service_s: measured_service(s).unwrap_or_default().as_secs_f64(),
        consumers: c,
        rho: 0.0,
        predicted: None,
        measured_wq_s: s.latency.queue_wait.mean.as_secs_f64(),
        measured_lq: items_only,
        measured_p_wait: None,
        little_l: s.mean_in_system,
        little_lambda_w: lambda * s.latency.mean_in_system.as_secs_f64(),
        consumers_for_80pct: None,
    })
}

/// Fills in ρ, the predictions and the sizing from λ, S and c.
fn finish(mut t: Theory) -> Theory {
    let (lambda, service) = (t.lambda_per_s, t.service_s);
    let c_eff = t.consumers.max(1);
    if service > 0.0 {
        t.rho = lambda * service / c_eff as f64;
        t.predicted = mmc(c_eff, lambda, 1.0 / service);
    }
    t.consumers_for_80pct = consumers_for(lambda, service, 0.8);
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn erlang_c_matches_the_design_table() {
        // c, λ, μ, ρ, P(wait), Lq, Wq, W — from shared/DESIGN.md.
        let table = [
            (1, 0.8, 1.0, 0.80, 0.8000, 3.200, 4.000, 5.000),
            (2, 1.5, 1.0, 0.75, 0.6429, 1.929, 1.286, 2.286),
            (2, 1.8, 1.0, 0.90, 0.8526, 7.674, 4.263, 5.263),
            (4, 3.0, 1.0, 0.75, 0.5094, 1.528, 0.509, 1.509),
        ];
        for (c, l, mu, rho, p, lq, wq, w) in table {
            let m = mmc(c, l, mu).unwrap();
            assert!(close(m.rho, rho, 1e-9), "rho c={c}");
            assert!(
                close(m.p_wait, p, 5e-5),
                "P(wait) c={c} λ={l}: {}",
                m.p_wait
            );
            assert!(close(m.lq, lq, 5e-4), "Lq c={c} λ={l}: {}", m.lq);
            assert!(close(m.wq_s, wq, 5e-4), "Wq c={c} λ={l}: {}", m.wq_s);
            assert!(close(m.w_s, w, 5e-4), "W c={c} λ={l}: {}", m.w_s);
            // Little's law inside the model: Lq = λ·Wq.
            assert!(close(m.lq, l * m.wq_s, 1e-9));
        }
    }

    #[test]
    fn unstable_or_empty_systems_have_no_prediction() {
        assert!(mmc(2, 2.0, 1.0).is_none()); // ρ = 1
        assert!(mmc(1, 3.0, 1.0).is_none());
        assert!(mmc(0, 1.0, 1.0).is_none());
        assert!(mmc(2, 0.0, 1.0).is_none());
    }

    #[test]
    fn sizing_and_makespan() {
        // λ = 10/s, S = 0.3 s → a = 3; ρ ≤ 0.8 needs 3.75 → 4.
        assert_eq!(consumers_for(10.0, 0.3, 0.8), Some(4));
        assert_eq!(consumers_for(10.0, 0.08, 0.8), Some(1));
        // The seed: 7 one-second tasks on 8 threads ≈ 1 s; on 4 threads 2 s.
        let s = Duration::from_secs(1);
        assert_eq!(makespan(7, 8, s), s);
        assert_eq!(makespan(7, 4, s), 2 * s);
        assert_eq!(makespan(8, 4, s), 2 * s);
    }
}
