//! `queuescope sweep`: flags → a validated [`SweepSpec`], the run with a
//! progress bar on stderr, and the report on stdout (table with charts,
//! JSON or CSV). Ctrl-C stops the sweep after aborting the current trial and
//! prints what was measured.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::progress::Bar;
use super::range::{parse_counts, spread};
use super::{SweepSpec, output};
use crate::cli::SweepArgs;
use crate::scenario;
use crate::scenario::duration::parse_duration;
use crate::scenario::error::ScenarioError;

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

/// A one-line error for `flag`.
fn flag_error(flag: &str, message: String) -> String {
    format!("{flag}: {message}")
}

/// Builds the spec from the flags; `Err` is the one line to print (exit 2).
pub fn spec(args: &SweepArgs) -> Result<SweepSpec, String> {
    let overrides = args.workload.overrides();
    let base = scenario::resolve(args.scenario.as_deref(), &overrides)
        .map_err(|e: ScenarioError| e.to_string())?;
    let counts = |flag: &str, text: &Option<String>, default: Vec<usize>| match text {
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
    SweepSpec::new(base, producers, consumers, trial, repeat).map_err(|e| e.to_string())
}

fn quote(t: &str) -> String {
    format!("{t:?}")
}

/// Runs `queuescope sweep`, with `charts` drawing the table's charts;
/// returns the exit code (0 done, 1 interrupted or threads could not
/// start, 2 bad flags).
pub fn run(args: &SweepArgs, charts: output::ChartText) -> i32 {
    let spec = match spec(args) {
        Ok(s) => s,
        Err(line) => {
            eprintln!("error: {line}");
            return 2;
        }
    };
    let format = if args.json {
        Format::Json
    } else if args.csv {
        Format::Csv
    } else {
        Format::Table
    };
    let cancel = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        let _ = signal_hook::flag::register(sig, cancel.clone());
    }
    let mut bar = Bar::stderr();
    let result = super::run(&spec, &cancel, &mut |p| bar.update(p));
    bar.clear();
    let result = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("queuescope: could not start the threads: {e}");
            return 1;
        }
    };
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
    if result.cancelled { 1 } else { 0 }
}
