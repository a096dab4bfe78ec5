//! The classroom fixtures show what their doc comments promise: the
//! screen tests built on them would mean little otherwise.

use super::*;
use crate::analysis::lint::{LintKind, lints};
use crate::analysis::theory::theory;
use crate::sim::Snapshot;

fn kinds(s: &Snapshot) -> Vec<LintKind> {
    lints(s).iter().map(|l| l.kind).collect()
}

fn conserved(s: &Snapshot) -> bool {
    let c = s.counts;
    c.produced == c.consumed + c.failed + c.queued + c.in_flight
}

#[test]
fn hang_is_a_hang() {
    let s = hang();
    assert!(conserved(&s));
    let found = lints(&s);
    assert_eq!(kinds(&s), vec![LintKind::PillsMismatch, LintKind::Hang]);
    let hang = found.iter().find(|l| l.kind == LintKind::Hang);
    assert_eq!(
        hang.map(|l| l.message.as_str()),
        Some("3 consumers will wait forever: 1 pill sent for 4 consumers")
    );
}

#[test]
fn mmc_is_healthy_and_near_erlang_c() {
    let s = mmc();
    assert!(conserved(&s));
    assert!(kinds(&s).is_empty(), "{:?}", lints(&s));
    let th = theory(&s);
    assert!((th.lambda_per_s - 10.0).abs() < 1e-9);
    assert!((th.service_s - 0.25).abs() < 1e-9);
    let m = th.predicted.expect("stable");
    assert!((m.p_wait - 0.7022).abs() < 1e-3, "{}", m.p_wait);
    assert!((m.wq_s - th.measured_wq_s).abs() / m.wq_s < 0.1);
}

#[test]
fn runaway_runs_away() {
    let s = runaway();
    assert!(conserved(&s));
    assert_eq!(kinds(&s), vec![LintKind::Runaway]);
    let th = theory(&s);
    assert!(th.rho >= 1.0 && th.predicted.is_none(), "{th:?}");
}
