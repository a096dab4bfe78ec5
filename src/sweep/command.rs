//! `queuescope sweep`: flags → a validated [`SweepSpec`], the run with a
//! progress bar on stderr, and the report on stdout (table with charts,
//! JSON or CSV). Ctrl-C stops the sweep after aborting the current trial and
//! prints what was measured.

use std::io::Write;

use super::progress::Bar;
use super::range::{parse_counts, spread};
use super::{SpecError, SweepSpec, output};
use crate::cli::SweepArgs;
use crate::error::{Error, Exit};
use crate::scenario;
use crate::scenario::duration::parse_duration;
use crate::signals::Signals;

/// How the results are printed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Table, verdict and charts.
    #[default]
    Table,
    /// One JSON document.
    Json,
    /// CSV with a header line.
    Csv,
}

/// Most consumer counts in the default range (1 to twice the scenario's).
pub const DEFAULT_POINTS: usize = 16;

/// A bad value of `flag`, as bad input.
fn flag_error(flag: &'static str, message: String) -> Error {
    Error::usage(SpecError { flag, message })
}

/// Builds the spec from the flags; every error is bad input, one line
/// naming the flag (or the scenario file's key).
pub fn spec(args: &SweepArgs) -> Result<SweepSpec, Error> {
    let overrides = args.workload.overrides();
    let base = scenario::resolve(args.scenario.as_deref(), &overrides).map_err(Error::usage)?;
    let counts = |flag: &'static str, text: &Option<String>, default: Vec<usize>| match text {
        None => Ok(default),
        Some(t) => parse_counts(t).map_err(|e| flag_error(flag, format!("{e}; got {}", quote(t)))),
    };
    let producers = counts("--producers", &args.producers, vec![base.producers])?;
    let consumers = counts(
        "--consumers",
        &args.consumers,
        spread(base.consumers.saturating_mul(2), DEFAULT_POINTS),
    )?;
    let trial = parse_duration(&args.trial).map_err(|e| {
        flag_error(
            "--trial",
            format!("{e} (10ms to 10m); got {}", quote(&args.trial)),
        )
    })?;
    let repeat: u32 = args.repeat.trim().parse().map_err(|_| {
        flag_error(
            "--repeat",
            format!(
                "expected a whole number from 1 to {}; got {}",
                super::MAX_REPEAT,
                quote(&args.repeat)
            ),
        )
    })?;
    SweepSpec::new(base, producers, consumers, trial, repeat).map_err(Error::usage)
}

fn quote(t: &str) -> String {
    format!("{t:?}")
}

/// Runs `queuescope sweep` and prints its report (`charts` draws the
/// table's charts): [`Exit::Ok`] when every
/// point was measured, [`Exit::Failure`] when a signal interrupted it (the
/// points measured so far are printed). `Err` for bad flags or threads that
/// could not start.
pub fn run(args: &SweepArgs, charts: output::ChartText) -> crate::error::Result {
    let spec = spec(args)?;
    let format = if args.json {
        Format::Json
    } else if args.csv {
        Format::Csv
    } else {
        Format::Table
    };
    let signals = Signals::catch().map_err(|e| Error::failure(format!("signals: {e}")))?;
    let mut bar = Bar::stderr();
    let result = super::run(&spec, signals.flag(), &mut |p| bar.update(p));
    bar.clear();
    let result = result.map_err(|e| Error::failure(format!("could not start the threads: {e}")))?;
    if result.cancelled {
        eprintln!("queuescope: sweep interrupted; printing the points measured so far");
    }
    let text = match format {
        Format::Table => output::table(&result, Some(charts)),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&output::json(&result)).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Csv => output::csv(&result),
    };
    // A closed stdout (`| head`) is not an error.
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    Ok(if result.cancelled {
        Exit::Failure
    } else {
        Exit::Ok
    })
}
