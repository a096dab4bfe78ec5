//! The `queuescope` binary: parse the command line, hand the command to
//! its one dispatch, and turn the outcome into the exit code. Every command
//! returns `Result<Exit, Error>`; the codes themselves (0 ok, 1 runtime
//! failure, 2 bad input, 3 hang) are defined once, in `queuescope::error`.

use std::process::ExitCode;

use queuescope::cli::{self, Cli, Command};
use queuescope::error::{Error, Exit, Result};
use queuescope::headless::{self, RunOptions};
use queuescope::tui::{self, TuiOptions};
use queuescope::ui::ThemeKind;
use queuescope::{replay, scenario, sim, sweep};

fn main() -> ExitCode {
    let exit = match cli::parse() {
        Ok(cli) => dispatch(&cli).unwrap_or_else(|e| {
            eprintln!("{e}");
            e.exit()
        }),
        Err(e) => cli::report(&e),
    };
    exit.into()
}

/// The one place a command is chosen.
fn dispatch(cli: &Cli) -> Result {
    match &cli.command {
        None => live(cli),
        Some(Command::Run(args)) => headless::run(
            config(&args.scenario)?,
            RunOptions {
                json: args.json,
                log: args.log,
                record: args.record.clone(),
            },
        ),
        Some(Command::Scenarios) => scenarios(),
        Some(Command::Sweep(args)) => {
            sweep::command::run(args, queuescope::ui::sweep_chart::report_text)
        }
        Some(Command::Replay(args)) => replay_command(args),
        Some(Command::Trace(args)) => queuescope::trace::command(args, tui_options(&args.tui)),
    }
}

/// The validated config the scenario flags ask for; bad flags or a bad
/// scenario file are bad input.
fn config(args: &cli::ScenarioArgs) -> Result<sim::Config> {
    scenario::resolve(args.scenario(), &args.overrides()).map_err(Error::usage)
}

/// The live view, recording it when `--record` is given.
fn live(cli: &Cli) -> Result {
    let config = config(cli.scenario_args())?;
    let opts = tui_options(&cli.tui);
    match &cli.record {
        None => tui::run(config, opts),
        Some(path) => tui::run_recorded(config, opts, path),
    }
}

/// `queuescope scenarios`: the presets, one per line with its lesson.
fn scenarios() -> Result {
    // A closed stdout (`| head`) is not an error.
    let _ = std::io::Write::write_all(
        &mut std::io::stdout().lock(),
        scenario::presets::listing().as_bytes(),
    );
    Ok(Exit::Ok)
}

/// `queuescope replay FILE [--json]`: a bad file is one line, exit 2.
fn replay_command(args: &cli::ReplayArgs) -> Result {
    if args.json {
        return replay::print_json(&args.file);
    }
    let rec = replay::load(&args.file)?;
    tui::replay(std::sync::Arc::new(rec), tui_options(&args.tui))
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
