//! The `queuescope` binary: parse the command line, build a validated
//! config, dispatch to the live view, the headless run or the scenario list,
//! and turn the outcome into an exit code (0 ok, 1 runtime failure, 2 bad input).

use std::process::ExitCode;

use queuescope::cli::{self, Command};
use queuescope::headless::{self, RunOptions};
use queuescope::scenario;
use queuescope::tui::{self, TuiOptions};
use queuescope::ui::ThemeKind;

/// Exit code for bad input (flags, scenario files).
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = match cli::parse() {
        Ok(c) => c,
        Err(e) => return ExitCode::from(cli::report(&e) as u8),
    };
    if let Some(Command::Scenarios) = cli.command {
        let _ = std::io::Write::write_all(
            &mut std::io::stdout().lock(),
            scenario::presets::listing().as_bytes(),
        );
        return ExitCode::SUCCESS;
    }
    match &cli.command {
        Some(Command::Sweep(sweep)) => {
            return ExitCode::from(queuescope::sweep::command::run(sweep) as u8);
        }
        Some(Command::Replay(replay)) => return ExitCode::from(replay_command(replay) as u8),
        Some(Command::Trace(trace)) => {
            let code = queuescope::trace::command(trace, tui_options(&trace.tui));
            return ExitCode::from(u8::try_from(code).unwrap_or(1));
        }
        _ => {}
    }
    let args = cli.scenario_args();
    let config = match scenario::resolve(args.scenario(), &args.overrides()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let code = match &cli.command {
        Some(Command::Run(run)) => headless::run(
            config,
            RunOptions {
                json: run.json,
                log: run.log,
                record: run.record.clone(),
            },
        ),
        _ => match start_tui(config, &cli) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e}");
                1
            }
        },
    };
    ExitCode::from(code as u8)
}

/// The live view, recording it when `--record` is given (a path that
/// cannot be created is bad input: exit 2 before anything starts).
fn start_tui(config: queuescope::sim::Config, cli: &cli::Cli) -> std::io::Result<i32> {
    let opts = tui_options(&cli.tui);
    match &cli.record {
        None => tui::run(config, opts),
        Some(path) => {
            if let Err(line) = queuescope::record::create(path) {
                eprintln!("error: {line}");
                return Ok(i32::from(EXIT_USAGE));
            }
            tui::run_recorded(config, opts, path)
        }
    }
}

/// `queuescope replay FILE [--json]`: a bad file is one line, exit 2.
fn replay_command(args: &cli::ReplayArgs) -> i32 {
    if args.json {
        return queuescope::replay::print_json(&args.file);
    }
    let rec = match queuescope::record::load(&args.file) {
        Ok(r) => r,
        Err(e) => return queuescope::replay::bad_file(&e),
    };
    match tui::replay(std::sync::Arc::new(rec), tui_options(&args.tui)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// The live view's options from its flags.
fn tui_options(args: &cli::TuiArgs) -> TuiOptions {
    TuiOptions {
        fps: u32::from(args.fps),
        ascii: args.ascii,
        theme: match args.theme() {
            cli::Theme::Default => ThemeKind::Default,
            cli::Theme::Contrast => ThemeKind::Contrast,
        },
        // NO_COLOR is read by TuiOptions::theme; there is no flag for it.
        no_color: false,
        present: args.present,
    }
}
