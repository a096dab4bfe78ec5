//! The Erlang-C comparison in `run`'s text report: for a run whose arrivals
//! and service are both exponential (an M/M/c queue, as the `mmc` lesson
//! sets up), what queueing theory predicts from the measured λ and S beside
//! what the threads measured.

use std::fmt::Write as _;
use std::time::Duration;

use crate::analysis::theory::theory;
use crate::sim::{Dist, Snapshot};
use crate::units::{rate, short};

/// True when the model's assumptions hold: exponential gaps between
/// arrivals and exponential work.
pub fn applies(s: &Snapshot) -> bool {
    matches!(s.interval.dist, Dist::Exp { .. }) && matches!(s.work.dist, Dist::Exp { .. })
}

/// The comparison as lines of text ending in a newline; empty when the
/// model does not apply or nothing was measured yet.
pub fn comparison(s: &Snapshot) -> String {
    let t = theory(s);
    if !applies(s) || t.service_s <= 0.0 || t.lambda_per_s <= 0.0 {
        return String::new();
    }
    let setup = format!(
        "λ = {}, S = {}, c = {}",
        rate(t.lambda_per_s),
        short(Duration::from_secs_f64(t.service_s)),
        t.consumers
    );
    let Some(m) = t.predicted else {
        return format!(
            "M/M/c (Erlang C), measured {setup}: ρ = {:.2} ≥ 1, no steady state: \
             the queue grows without bound\n",
            t.rho
        );
    };
    let mut out = format!("M/M/c (Erlang C), measured {setup}, ρ = {:.2}:\n", m.rho);
    let _ = writeln!(out, "  {:<8} {:>9} {:>9}", "", "theory", "measured");
    let p_wait = t.measured_p_wait.map_or("-".into(), |p| format!("{p:.3}"));
    let _ = writeln!(out, "  {:<8} {:>9.3} {:>9}", "P(wait)", m.p_wait, p_wait);
    let _ = writeln!(out, "  {:<8} {:>9.2} {:>9.2}", "Lq", m.lq, t.measured_lq);
    let row = |name: &str, theory: f64, measured: f64| {
        format!(
            "  {name:<8} {:>9} {:>9}\n",
            short(secs(theory)),
            short(secs(measured))
        )
    };
    out.push_str(&row("Wq", m.wq_s, t.measured_wq_s));
    out.push_str(&row("W", m.w_s, s.latency.mean_in_system.as_secs_f64()));
    out
}

fn secs(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    #[test]
    fn an_mmc_run_gets_the_erlang_c_table() {
        let s = testing::mmc();
        assert!(applies(&s));
        let text = comparison(&s);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("M/M/c (Erlang C), measured λ = "),
            "{text}"
        );
        assert!(lines[1].contains("theory") && lines[1].contains("measured"));
        assert!(lines[2].trim_start().starts_with("P(wait)"), "{text}");
        assert!(lines[4].trim_start().starts_with("Wq"), "{text}");
        assert_eq!(lines.len(), 6, "{text}");
    }

    #[test]
    fn other_runs_get_nothing() {
        // The default scenario arrives every 50 ms exactly: not M/M/c.
        assert!(comparison(&testing::running(4)).is_empty());
    }
}
