//! Saying, in words, how a scenario's run ends: `queuescope scenarios`
//! lists it beside each preset, and when a flag changes the kind of a
//! scenario's workload (a finite list of items replaced by a time to
//! produce for, say) a note on stderr says so before anything runs, since
//! a quiet `--duration 5s` on a finite scenario can make millions of items.

use std::mem::discriminant;

use super::Overrides;
use crate::sim::config::{Config, Workload};

/// How a run of `w` ends: `after 7 items`, `after 5s`, `until stopped`.
pub fn ends(w: &Workload) -> String {
    match w {
        Workload::Endless => "until stopped".into(),
        Workload::Items(n) => format!("after {}", crate::units::n_of(*n as usize, "item")),
        Workload::Words(ws) => format!("after {}", crate::units::n_of(ws.len(), "word")),
        Workload::Duration(d) => format!("after {}", crate::units::limit(*d)),
    }
}

/// A note when `flags` changed the kind of a finite `base`'s workload in
/// `config` (`None` when the kind is the same, or no flag touched it, or
/// the scenario ran until stopped: bounding that is what the flags are for).
pub fn workload_note(base: &Config, config: &Config, flags: &Overrides) -> Option<String> {
    if base.workload == Workload::Endless
        || discriminant(&base.workload) == discriminant(&config.workload)
    {
        return None;
    }
    let flag = if flags.duration.is_some() {
        "--duration"
    } else {
        "--items"
    };
    let flood = match config.workload {
        Workload::Duration(_) | Workload::Endless if config.interval.dist.mean().is_zero() => {
            "; with an interval of 0 the producers make items as fast as they can"
        }
        _ => "",
    };
    Some(format!(
        "queuescope: note: {flag} replaces scenario '{}''s workload: it ran {}, now it runs {}{flood}",
        base.name,
        ends(&base.workload),
        ends(&config.workload),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_changed_kind_is_noted_and_a_flood_is_warned_of() {
        let base = super::super::load("worker-pool").expect("preset");
        let flags = Overrides {
            duration: Some("5s".into()),
            ..Overrides::default()
        };
        let config = flags.apply(base.clone()).expect("valid");
        let note = workload_note(&base, &config, &flags).expect("a note");
        assert_eq!(
            note,
            "queuescope: note: --duration replaces scenario 'worker-pool''s workload: it ran \
             after 7 words, now it runs after 5s; with an interval of 0 the producers make \
             items as fast as they can"
        );
        // Same kind: no note.
        let more = Overrides {
            items: Some("50".into()),
            ..Overrides::default()
        };
        let base = super::super::load("pool-map").expect("preset");
        let config = more.apply(base.clone()).expect("valid");
        assert_eq!(workload_note(&base, &config, &more), None);
        // Bounding an endless scenario is what the flags are for.
        let base = super::super::load("default").expect("preset");
        let config = more.apply(base.clone()).expect("valid");
        assert_eq!(workload_note(&base, &config, &more), None);
        assert_eq!(
            ends(&Workload::Duration(Duration::from_secs(300))),
            "after 5m"
        );
    }
}
