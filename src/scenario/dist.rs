//! Work-spec syntax: how long a producer's interval or a consumer's work
//! lasts and how the time is spent. `10ms` (fixed), `uniform:5ms..15ms`,
//! `exp:10ms` (exponential with that mean), `normal:10ms,2ms` (clamped at 0),
//! each optionally prefixed `cpu:` (spin, CPU-bound) or `sleep:`/`io:` (the
//! default, I/O-like). This is exactly what [`WorkSpec`]'s `Display` prints,
//! so a spec shown on screen can be typed back in.

use std::fmt;
use std::time::Duration;

use super::duration::{DurationError, parse_duration};
use crate::sim::config::limits;
use crate::sim::work::{Dist, WorkMode, WorkSpec};

/// The one-line summary of the syntax, used when nothing more specific helps.
pub const SPEC_FORMS: &str =
    "a time like 10ms, uniform:5ms..15ms, exp:10ms or normal:10ms,2ms, optionally prefixed cpu:";

/// Why a string is not a work spec. Its `Display` is the "expected ..." part
/// of a message; the caller adds the key or flag and what was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecError {
    /// Not recognisable as any form.
    Malformed,
    /// A known kind with the wrong parts, e.g. `uniform:5ms` (names the kind).
    Shape(&'static str),
    /// A plain time (no kind) is bad, e.g. `10` without a unit.
    Time(DurationError),
    /// One duration inside the spec is bad (kind, part name, why).
    Part(&'static str, &'static str, DurationError),
    /// A parameter is over [`limits::MAX_STEP`].
    TooLong,
    /// `uniform:LO..HI` with `LO > HI`.
    Reversed,
    /// Two mode prefixes, e.g. `cpu:sleep:10ms`.
    TwoModes,
}

/// How each kind is written, for messages.
fn shape_of(kind: &str) -> &'static str {
    match kind {
        "uniform" => "uniform:LO..HI, like uniform:5ms..15ms",
        "exp" => "exp:MEAN, like exp:10ms",
        "normal" => "normal:MEAN,SD, like normal:10ms,2ms",
        _ => "fixed:TIME, like fixed:10ms",
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::Malformed => write!(f, "expected {SPEC_FORMS}"),
            SpecError::Time(why) => why.fmt(f),
            SpecError::Shape(kind) => write!(f, "expected {}", shape_of(kind)),
            SpecError::Part(kind, part, why) => {
                // `why` reads "expected a unit ..."; fold it in after the part name.
                let why = why.to_string();
                let why = why.strip_prefix("expected ").unwrap_or(&why).to_string();
                write!(f, "expected {} ({part}: {why})", shape_of(kind))
            }
            SpecError::TooLong => write!(
                f,
                "expected every time in the spec to be at most {}",
                crate::units::limit(limits::MAX_STEP)
            ),
            SpecError::Reversed => f.write_str("expected uniform:LO..HI with LO no larger than HI"),
            SpecError::TwoModes => {
                f.write_str("expected at most one of the prefixes cpu:, sleep:, io:")
            }
        }
    }
}

impl std::error::Error for SpecError {}

/// Parses a work spec (see the module docs). Every parameter must be at most
/// [`limits::MAX_STEP`], and a uniform's bounds must be in order.
///
/// ```
/// use std::time::Duration;
/// use queuescope::scenario::dist::parse_work_spec;
/// use queuescope::sim::{Dist, WorkMode, WorkSpec};
/// let spec = parse_work_spec("cpu:exp:10ms").unwrap();
/// assert_eq!(spec, WorkSpec::new(WorkMode::Spin, Dist::Exp { mean: Duration::from_millis(10) }));
/// assert_eq!(spec.to_string(), "cpu:exp:10ms");
/// ```
pub fn parse_work_spec(input: &str) -> Result<WorkSpec, SpecError> {
    let mut rest = input.trim();
    let mut mode = None;
    while let Some((head, tail)) = rest.split_once(':') {
        let this = match head.trim() {
            "cpu" | "spin" => WorkMode::Spin,
            "sleep" | "io" => WorkMode::Sleep,
            _ => break,
        };
        if mode.is_some() {
            return Err(SpecError::TwoModes);
        }
        mode = Some(this);
        rest = tail.trim();
    }
    let dist = parse_dist(rest)?;
    let params: &[Duration] = match &dist {
        Dist::Fixed(d) | Dist::Exp { mean: d } => std::slice::from_ref(d),
        Dist::Uniform { lo, hi } => &[*lo, *hi],
        Dist::Normal { mean, sd } => &[*mean, *sd],
    };
    if params.iter().any(|d| *d > limits::MAX_STEP) {
        return Err(SpecError::TooLong);
    }
    Ok(WorkSpec::new(mode.unwrap_or(WorkMode::Sleep), dist))
}

/// The distribution part, after any mode prefix.
fn parse_dist(s: &str) -> Result<Dist, SpecError> {
    let Some((kind, args)) = s.split_once(':') else {
        return parse_duration(s).map(Dist::Fixed).map_err(|e| match e {
            // A bare word like "gauss" is a wrong form, not a bad time.
            DurationError::Malformed => SpecError::Malformed,
            other => SpecError::Time(other),
        });
    };
    let part = |kind: &'static str, name: &'static str, text: &str| {
        parse_duration(text).map_err(|e| SpecError::Part(kind, name, e))
    };
    match kind.trim() {
        "fixed" => Ok(Dist::Fixed(part("fixed", "TIME", args)?)),
        "exp" => Ok(Dist::Exp {
            mean: part("exp", "MEAN", args)?,
        }),
        "uniform" => {
            let (lo, hi) = args.split_once("..").ok_or(SpecError::Shape("uniform"))?;
            let lo = part("uniform", "LO", lo)?;
            let hi = part("uniform", "HI", hi)?;
            if lo > hi {
                return Err(SpecError::Reversed);
            }
            Ok(Dist::Uniform { lo, hi })
        }
        "normal" => {
            let (mean, sd) = args.split_once(',').ok_or(SpecError::Shape("normal"))?;
            Ok(Dist::Normal {
                mean: part("normal", "MEAN", mean)?,
                sd: part("normal", "SD", sd)?,
            })
        }
        _ => Err(SpecError::Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn sleep(d: Dist) -> WorkSpec {
        WorkSpec::new(WorkMode::Sleep, d)
    }

    #[test]
    fn accepts_every_documented_form() {
        assert_eq!(parse_work_spec("10ms"), Ok(sleep(Dist::Fixed(ms(10)))));
        assert_eq!(parse_work_spec("0"), Ok(WorkSpec::zero()));
        assert_eq!(
            parse_work_spec("fixed:10ms"),
            Ok(sleep(Dist::Fixed(ms(10))))
        );
        assert_eq!(
            parse_work_spec("uniform:5ms..15ms"),
            Ok(sleep(Dist::Uniform {
                lo: ms(5),
                hi: ms(15)
            }))
        );
        assert_eq!(
            parse_work_spec("exp:10ms"),
            Ok(sleep(Dist::Exp { mean: ms(10) }))
        );
        assert_eq!(
            parse_work_spec("normal:10ms,2ms"),
            Ok(sleep(Dist::Normal {
                mean: ms(10),
                sd: ms(2)
            }))
        );
        assert_eq!(
            parse_work_spec("cpu:exp:10ms"),
            Ok(WorkSpec::new(WorkMode::Spin, Dist::Exp { mean: ms(10) }))
        );
        assert_eq!(
            parse_work_spec("spin:1s"),
            Ok(WorkSpec::new(WorkMode::Spin, Dist::Fixed(ms(1000))))
        );
        assert_eq!(
            parse_work_spec("sleep:exp:10ms"),
            Ok(sleep(Dist::Exp { mean: ms(10) }))
        );
        assert_eq!(parse_work_spec("io:10ms"), Ok(sleep(Dist::Fixed(ms(10)))));
        // Spaces around the parts are forgiven.
        assert_eq!(
            parse_work_spec(" cpu: uniform: 5ms .. 15ms "),
            Ok(WorkSpec::new(
                WorkMode::Spin,
                Dist::Uniform {
                    lo: ms(5),
                    hi: ms(15)
                }
            ))
        );
        // Equal uniform bounds are a fixed time in disguise, and fine.
        assert_eq!(
            parse_work_spec("uniform:5ms..5ms"),
            Ok(sleep(Dist::Uniform {
                lo: ms(5),
                hi: ms(5)
            }))
        );
        // The limit itself is allowed.
        assert_eq!(
            parse_work_spec("exp:1h"),
            Ok(sleep(Dist::Exp {
                mean: ms(3_600_000)
            }))
        );
    }

    #[test]
    fn rejects_bad_specs_with_the_reason() {
        assert_eq!(parse_work_spec("exp:2h"), Err(SpecError::TooLong));
        assert_eq!(parse_work_spec("normal:10ms,61m"), Err(SpecError::TooLong));
        assert_eq!(
            parse_work_spec("uniform:15ms..5ms"),
            Err(SpecError::Reversed)
        );
        assert_eq!(
            parse_work_spec("uniform:5ms"),
            Err(SpecError::Shape("uniform"))
        );
        assert_eq!(
            parse_work_spec("normal:10ms"),
            Err(SpecError::Shape("normal"))
        );
        assert_eq!(parse_work_spec("cpu:io:10ms"), Err(SpecError::TwoModes));
        assert_eq!(
            parse_work_spec("exp:10"),
            Err(SpecError::Part("exp", "MEAN", DurationError::MissingUnit))
        );
        assert_eq!(
            parse_work_spec("normal:10ms,-2ms"),
            Err(SpecError::Part("normal", "SD", DurationError::Negative))
        );
        assert_eq!(
            parse_work_spec("10"),
            Err(SpecError::Time(DurationError::MissingUnit))
        );
        assert_eq!(
            parse_work_spec("-10ms"),
            Err(SpecError::Time(DurationError::Negative))
        );
        assert_eq!(
            parse_work_spec("fixed:10"),
            Err(SpecError::Part("fixed", "TIME", DurationError::MissingUnit))
        );
        for bad in [
            "",
            "cpu:",
            "gauss:10ms",
            "gauss",
            "exp",
            "10ms,2ms",
            "uniform:",
            "cpu:cpu",
        ] {
            assert!(parse_work_spec(bad).is_err(), "{bad:?} should be rejected");
        }
        assert_eq!(parse_work_spec("gauss:10ms"), Err(SpecError::Malformed));
    }

    #[test]
    fn messages_say_what_is_accepted() {
        assert_eq!(
            SpecError::Malformed.to_string(),
            "expected a time like 10ms, uniform:5ms..15ms, exp:10ms or normal:10ms,2ms, optionally prefixed cpu:"
        );
        assert_eq!(
            SpecError::TooLong.to_string(),
            "expected every time in the spec to be at most 1h"
        );
        assert_eq!(
            SpecError::Part("exp", "MEAN", DurationError::MissingUnit).to_string(),
            "expected exp:MEAN, like exp:10ms (MEAN: a unit after the number (ns, µs or us, ms, s, m, h), like 10ms)"
        );
        assert_eq!(
            SpecError::Reversed.to_string(),
            "expected uniform:LO..HI with LO no larger than HI"
        );
    }

    /// Any duration up to the longest step, to the nanosecond: its text is
    /// exact, so every one must parse back.
    fn exact_duration() -> impl Strategy<Value = Duration> {
        prop_oneof![
            (0u64..1_000_000).prop_map(Duration::from_nanos),
            (0u64..1_000_000_000).prop_map(Duration::from_nanos),
            (0u64..=3_600_000_000_000).prop_map(Duration::from_nanos),
            (0u64..=3_600_000).prop_map(Duration::from_millis),
        ]
    }

    fn any_spec() -> impl Strategy<Value = WorkSpec> {
        let dist = prop_oneof![
            exact_duration().prop_map(Dist::Fixed),
            (exact_duration(), exact_duration()).prop_map(|(a, b)| Dist::Uniform {
                lo: a.min(b),
                hi: a.max(b)
            }),
            exact_duration().prop_map(|mean| Dist::Exp { mean }),
            (exact_duration(), exact_duration()).prop_map(|(mean, sd)| Dist::Normal { mean, sd }),
        ];
        let mode = prop_oneof![Just(WorkMode::Sleep), Just(WorkMode::Spin)];
        (mode, dist).prop_map(|(m, d)| WorkSpec::new(m, d))
    }

    proptest! {
        #[test]
        fn display_parses_back_to_the_same_spec(spec in any_spec()) {
            prop_assert_eq!(parse_work_spec(&spec.to_string()), Ok(spec));
        }
    }
}
