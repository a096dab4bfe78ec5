//! The `queuescope` binary: parse the command line, hand the command to
//! its one dispatch, and turn the outcome into the exit code. Every command
//! returns `Result<Exit, Error>`; the codes themselves (0 ok, 1 runtime
//! failure, 2 bad input, 3 hang) are defined once, in `queuescope::error`.

use std::process::ExitCode;

use queuescope::cli::{self, Cli, Command};
use queuescope::error::{Error, Exit, Result};
use queuescope::headless::{self, RunOptions};
use queuescope::record::Target;
use queuescope::tui::{self, TuiOptions};
use queuescope::ui::ThemeKind;
use queuescope::{replay, scenario, signals, sim, sweep};

fn main() -> ExitCode {
    // Before anything opens a file: a signal at any stage is counted, and
    // every wait that could block on a file gives up on one.
    if let Err(e) = signals::install() {
        eprintln!("queuescope: signals: {e}");
        return Exit::Failure.into();
    }
    signals::arm_force_exit();
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
        Some(Command::Run(args)) => run(args),
        Some(Command::Scenarios) => scenarios(),
        Some(Command::Sweep(args)) => {
            sweep::command::run(args, queuescope::ui::sweep_chart::report_text)
        }
        Some(Command::Replay(args)) => replay_command(args),
    }
}

/// The validated config the scenario flags ask for; bad flags or a bad
/// scenario file are bad input. Reading the file waits (a FIFO, a slow
/// pipe) only until a stop signal. A flag that changes the kind of the
/// scenario's workload is noted on stderr.
fn config(args: &cli::ScenarioArgs) -> Result<sim::Config> {
    let (name, flags) = (args.scenario.clone(), args.overrides());
    let resolved = signals::interruptible(
        move || scenario::resolve_noted(name.as_deref(), &flags),
        None,
    )
    .map_err(|i| Error::failure(format!("reading the scenario: {i}")))?;
    let (config, notes) = resolved.map_err(Error::usage)?;
    for note in notes {
        eprintln!("{note}");
    }
    Ok(config)
}

/// The checked `--record` target, if one was given: never the scenario
/// file, and an existing file only with `--force`.
fn target(
    path: Option<&std::path::Path>,
    force: bool,
    args: &cli::ScenarioArgs,
) -> Result<Option<Target>> {
    let Some(path) = path else { return Ok(None) };
    let scenario = scenario::file_of(args.scenario());
    Target::check(path, force, scenario.as_deref())
        .map(Some)
        .map_err(headless::record_error)
}

/// `queuescope run`.
fn run(args: &cli::RunArgs) -> Result {
    if args.scenario.step {
        return Err(Error::usage(headless::STEP_REFUSED));
    }
    let grace = scenario::duration::parse_duration_max(&args.grace, headless::MAX_GRACE)
        .map_err(|e| Error::usage(format!("--grace: {e}; got {:?}", args.grace)))?;
    let config = config(&args.scenario)?;
    let record = target(args.record.as_deref(), args.force, &args.scenario)?;
    headless::run(
        config,
        RunOptions {
            json: args.json,
            log: args.log,
            record,
            grace,
        },
    )
}

/// The live view, recording it when `--record` is given.
fn live(cli: &Cli) -> Result {
    let config = config(cli.scenario_args())?;
    let opts = tui_options(&cli.tui);
    match target(cli.record.as_deref(), cli.force, cli.scenario_args())? {
        None => tui::run(config, opts),
        Some(target) => tui::run_recorded(config, opts, &target),
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
    replay::need_terminal(&args.file)?;
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
