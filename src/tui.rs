//! The live terminal UI: terminal setup and restore, and the event loop
//! that turns keys, mouse, resizes, ticks and signals into view changes and
//! engine [`Command`]s.
//!
//! One snapshot per frame: the loop asks the engine for a [`Snapshot`]
//! (with a thread's details only while the details view is open), hands it
//! to [`ui::render`], and sends commands only through [`Engine::send`].
//! The loop is generic over the backend, the input source and the engine
//! ([`Sim`]), so it runs against a `TestBackend` and a scripted input in
//! tests.

use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::ThreadId;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use ratatui::crossterm::execute;

use crate::app::{self, Action, Overlay, SourceView, ViewState};
use crate::record::RecordedEngine;
use crate::replay::{Player, ReplayAction};
use crate::sim::{Command, Config, Engine, Phase, Snapshot, SnapshotRequest};
use crate::tune::{self, TuneJob, TuneView};
use crate::ui::{self, Theme, ThemeKind};

/// Frame rate when none is given.
pub const DEFAULT_FPS: u32 = 30;
/// Redraw interval while paused: nothing moves, so 4 fps is plenty and
/// keeps the UI under half a percent of a core.
const PAUSED_FRAME: Duration = Duration::from_millis(250);
/// Redraw interval once the run is over (the screen is static).
const OVER_FRAME: Duration = Duration::from_millis(500);
/// Longest the loop sleeps in one poll, so a signal is noticed promptly.
const MAX_POLL: Duration = Duration::from_millis(250);
/// How long a restart waits for the old run's threads after Abort, so they
/// do not compete with the new run's.
const RESTART_WAIT: Duration = Duration::from_secs(2);
/// How long quitting waits for them: the process is about to exit and take
/// any straggler with it, so the shell prompt should not wait long.
const QUIT_WAIT: Duration = Duration::from_millis(300);

/// How the UI looks and how often it redraws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TuiOptions {
    /// Frames per second while the run is moving (1..=120).
    pub fps: u32,
    /// ASCII glyphs only (`--ascii`).
    pub ascii: bool,
    /// Palette (`--theme`).
    pub theme: ThemeKind,
    /// No colours (`--no-color`; the `NO_COLOR` variable is also honoured).
    pub no_color: bool,
    /// Presentation mode (`--present`): large panels for a projector.
    pub present: bool,
}

impl Default for TuiOptions {
    fn default() -> Self {
        TuiOptions {
            fps: DEFAULT_FPS,
            ascii: false,
            theme: ThemeKind::Default,
            no_color: false,
            present: false,
        }
    }
}

impl TuiOptions {
    /// The theme these options and the environment ask for. `NO_COLOR`
    /// counts when set to anything non-empty (no-color.org).
    pub fn theme(&self) -> Theme {
        let env_no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme::new(self.theme, !(self.no_color || env_no_color), self.ascii)
    }

    /// Time between frames while the run moves.
    fn frame(&self) -> Duration {
        Duration::from_secs(1) / self.fps.clamp(1, 120)
    }
}

/// What the event loop drives: the real [`Engine`], or a fake in tests.
pub trait Sim {
    /// A snapshot with the parts `req` asks for.
    fn snapshot_with(&self, req: SnapshotRequest) -> Snapshot;
    /// Apply a live change.
    fn send(&self, cmd: Command);
    /// Wait until every thread has left or `timeout` passes; true if over.
    fn wait(&self, timeout: Duration) -> bool;
    /// What drives the screen, for the header: live, recording or replay.
    fn source(&self) -> SourceView {
        SourceView::Live
    }
    /// The run's configuration with its current knobs, for the Tune view's
    /// sweep; `None` when there is no engine to sweep (a replay).
    fn config(&self) -> Option<Config> {
        None
    }
    /// A replay key; a live engine ignores it.
    fn replay(&mut self, _: ReplayAction) {}
    /// Called once after the UI has ended and the run has been stopped;
    /// an error is one line for stderr (e.g. a recording that failed).
    fn close(&mut self) -> Result<(), String> {
        Ok(())
    }
}

impl Sim for Engine {
    fn snapshot_with(&self, req: SnapshotRequest) -> Snapshot {
        Engine::snapshot_with(self, req)
    }
    fn send(&self, cmd: Command) {
        Engine::send(self, cmd)
    }
    fn wait(&self, timeout: Duration) -> bool {
        Engine::wait(self, timeout)
    }
    fn config(&self) -> Option<Config> {
        Some(Engine::config(self))
    }
}

impl Sim for RecordedEngine {
    fn snapshot_with(&self, req: SnapshotRequest) -> Snapshot {
        self.engine().snapshot_with(req)
    }
    fn send(&self, cmd: Command) {
        self.engine().send(cmd)
    }
    fn wait(&self, timeout: Duration) -> bool {
        self.engine().wait(timeout)
    }
    fn source(&self) -> SourceView {
        SourceView::Recording(self.view())
    }
    fn config(&self) -> Option<Config> {
        Some(self.engine().config())
    }
    fn close(&mut self) -> Result<(), String> {
        RecordedEngine::close(self).map_err(|e| format!("{}: {e}", self.path().display()))
    }
}

/// Where terminal events come from.
pub trait Input {
    /// The next event, or `None` if none arrives within `timeout`.
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>>;
}

/// Events from the real terminal, read on a thread of their own.
///
/// crossterm 0.29 spins forever inside `event::poll`/`read` once the tty is
/// gone (it re-reads a descriptor that keeps returning end-of-file:
/// crossterm issue #793). Called from the event loop, that would leave an
/// orphaned process burning a core after its terminal window closed, with
/// SIGHUP noticed never. On its own thread only that thread is stuck; the
/// loop goes on, sees SIGHUP or the hangup itself, restores and exits, and
/// the process ends, taking the stuck thread with it.
#[derive(Debug)]
pub struct TerminalInput {
    rx: Receiver<io::Result<Event>>,
    /// Whether stdin is the terminal (then its hangup can be polled for).
    stdin_tty: bool,
}

impl TerminalInput {
    /// Starts the reader thread.
    pub fn spawn() -> io::Result<TerminalInput> {
        let (tx, rx) = crossbeam_channel::bounded(256);
        std::thread::Builder::new()
            .name("input".into())
            .spawn(move || {
                loop {
                    let ev = event::read();
                    let failed = ev.is_err();
                    if tx.send(ev).is_err() || failed {
                        break;
                    }
                }
            })?;
        Ok(TerminalInput {
            rx,
            stdin_tty: io::stdin().is_terminal(),
        })
    }
}

impl Input for TerminalInput {
    fn next(&mut self, timeout: Duration) -> io::Result<Option<Event>> {
        if self.stdin_tty && hung_up(libc::STDIN_FILENO) {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the terminal went away",
            ));
        }
        match self.rx.recv_timeout(timeout) {
            Ok(ev) => ev.map(Some),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "terminal input ended",
            )),
        }
    }
}

/// True when `fd` reports a hangup (the terminal's other end closed).
fn hung_up(fd: libc::c_int) -> bool {
    let mut p = libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    };
    // SAFETY: one valid pollfd, zero timeout: poll only reports its state.
    let n = unsafe { libc::poll(&mut p, 1, 0) };
    n > 0 && p.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
}

/// Runs the live UI on `config` until the user quits (or SIGTERM / SIGHUP /
/// SIGINT arrives). Returns the process exit code: 0 after a normal quit,
/// 2 when stdout is not a terminal (with a message pointing to the headless
/// `queuescope run`).
pub fn run(config: Config, opts: TuiOptions) -> io::Result<i32> {
    run_sim(|| Engine::start(config.clone()), opts)
}

/// [`run`], recording the run to `path` (`--record`). A restart (`r`)
/// starts a new recording in the same file.
pub fn run_recorded(config: Config, opts: TuiOptions, path: &std::path::Path) -> io::Result<i32> {
    run_sim(|| RecordedEngine::start(config.clone(), path), opts)
}

/// Replays `rec` in the live view (`queuescope replay FILE`); `r` plays it
/// again from the start.
pub fn replay(rec: Arc<crate::record::Recording>, opts: TuiOptions) -> io::Result<i32> {
    run_sim(|| Ok(Player::new(Arc::clone(&rec))), opts)
}

/// The UI around any [`Sim`] that `start` makes (and makes again on `r`).
pub fn run_sim<S: Sim>(
    mut start: impl FnMut() -> io::Result<S>,
    opts: TuiOptions,
) -> io::Result<i32> {
    if !io::stdout().is_terminal() {
        eprintln!(
            "queuescope: stdout is not a terminal, so the live view cannot start.\n\
             For a headless run with a text report use: queuescope run"
        );
        return Ok(2);
    }
    let theme = opts.theme();
    let signals = Signals::register()?;
    // Start the engine before touching the terminal, so a failure is an
    // ordinary error message on a normal screen.
    let engine = start()?;
    let mut terminal = match init_terminal() {
        Ok(t) => t,
        Err(e) => {
            ratatui::restore();
            finish(&engine, QUIT_WAIT);
            return Err(e);
        }
    };
    // Mouse capture is best-effort: a terminal without it still works by keys.
    let _ = execute!(io::stdout(), EnableMouseCapture);
    // Test hook: prove that a panic in the UI restores the terminal (the pty
    // tests set it; nothing else does).
    if std::env::var_os("QUEUESCOPE_TEST_PANIC").is_some() {
        panic!("QUEUESCOPE_TEST_PANIC: deliberate panic in the UI thread");
    }

    let mut input = match TerminalInput::spawn() {
        Ok(i) => i,
        Err(e) => {
            let _ = execute!(io::stdout(), DisableMouseCapture);
            ratatui::restore();
            finish(&engine, QUIT_WAIT);
            return Err(e);
        }
    };
    let result = event_loop(
        &mut terminal,
        &mut input,
        engine,
        &mut start,
        &theme,
        &opts,
        &signals.stop,
    );

    let _ = execute!(io::stdout(), DisableMouseCapture);
    ratatui::restore();
    TUI_ACTIVE.store(false, Ordering::SeqCst);
    let _ = io::stdout().flush();
    signals.unregister();
    let mut engine = result?;
    finish(&engine, QUIT_WAIT);
    if let Err(e) = engine.close() {
        eprintln!("queuescope: {e}");
        return Ok(1);
    }
    Ok(0)
}

/// Stop the engine's threads (blocked ones are released) and wait a bounded
/// time for them.
fn finish<S: Sim>(sim: &S, wait: Duration) {
    sim.send(Command::Abort);
    sim.wait(wait);
}

/// The event loop. Returns the engine that was running at the end (a
/// restart replaces it) so the caller can stop it after restoring the
/// terminal.
pub fn event_loop<B, S, F>(
    terminal: &mut Terminal<B>,
    input: &mut impl Input,
    mut sim: S,
    start: &mut F,
    theme: &Theme,
    opts: &TuiOptions,
    stop: &AtomicBool,
) -> io::Result<S>
where
    B: Backend,
    S: Sim,
    F: FnMut() -> io::Result<S>,
{
    let mut view = ViewState::new();
    view.present = opts.present;
    let mut last: Option<Snapshot> = None;
    // The Tune view's background sweep, while the view is open.
    let mut tune_job: Option<TuneJob> = None;
    let mut dirty = true;
    let mut next_frame = Instant::now();
    loop {
        if stop.load(Ordering::SeqCst) {
            return Ok(sim);
        }
        let now = Instant::now();
        if SCREEN_SOILED.swap(false, Ordering::SeqCst) {
            // Something printed over the screen: forget what ratatui
            // thinks is on it so the next frame repaints every cell.
            // `resize` clears and forgets the last frame without asking the
            // terminal for its cursor position (as `clear` does), a query
            // some terminals never answer.
            let size = terminal
                .size()
                .map_err(|e| io::Error::other(e.to_string()))?;
            terminal
                .resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
                .map_err(|e| io::Error::other(e.to_string()))?;
            dirty = true;
        }
        if let (Some(job), Some(tv)) = (&tune_job, view.tune.as_mut()) {
            for msg in job.poll() {
                tv.update(msg);
                dirty = true;
            }
        }
        let source = sim.source();
        if source != view.source {
            view.source = source;
            dirty = true;
        }
        if dirty || now >= next_frame {
            let snap = sim.snapshot_with(view.snapshot_request());
            // A replay's cursor moved while the snapshot was taken: show
            // the position of this very snapshot.
            view.source = sim.source();
            view.sync(&snap);
            // An unchanged snapshot (paused, or over) needs no new frame.
            if dirty || last.as_ref() != Some(&snap) {
                let mut geometry = view.geometry;
                terminal
                    .draw(|f| geometry = ui::render(f, &snap, &view, theme))
                    .map_err(|e| io::Error::other(e.to_string()))?;
                if geometry != view.geometry {
                    // The layout changed (first frame, resize): paging and
                    // the event count depend on it, so draw once more.
                    view.geometry = geometry;
                    dirty = true;
                } else {
                    dirty = false;
                }
            }
            next_frame = now + frame_interval(snap.phase, opts);
            last = Some(snap);
        }
        let timeout = next_frame
            .saturating_duration_since(Instant::now())
            .min(MAX_POLL);
        let ev = match input.next(if dirty { Duration::ZERO } else { timeout }) {
            Ok(Some(ev)) => ev,
            Ok(None) => continue,
            // The terminal is gone: like SIGHUP, an ordinary way to end.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(sim),
            Err(e) => return Err(e),
        };
        // Handle this event and any already queued (a burst of wheel
        // notches or a paste) before drawing again.
        let mut pending = Some(ev);
        let mut handled = 0;
        while let Some(ev) = pending.take() {
            let Some(snap) = last.as_mut() else { break };
            let action = match ev {
                Event::Key(k) => app::handle_key(&mut view, k, snap),
                Event::Mouse(m) => app::handle_mouse(&mut view, m, snap),
                _ => None,
            };
            dirty = true;
            match action {
                Some(Action::Quit) => return Ok(sim),
                Some(Action::Restart) => {
                    tune_job = None;
                    finish(&sim, RESTART_WAIT);
                    drop(sim);
                    sim = start()?;
                    view.reset_for_restart();
                    last = None;
                    break;
                }
                Some(Action::Replay(a)) => sim.replay(a),
                Some(Action::OpenTune) => {
                    // A replay has no config: `T` does nothing there.
                    if let Some(Ok(spec)) = sim.config().map(|c| tune::spec_for(c, snap)) {
                        let mut tv = TuneView::new(&spec);
                        match TuneJob::start(spec) {
                            Ok(job) => tune_job = Some(job),
                            Err(e) => tv.state = tune::TuneState::Failed(e.to_string()),
                        }
                        view.tune = Some(tv);
                        view.overlay = Overlay::Tune;
                    }
                }
                Some(Action::ApplyTune) => {
                    if let Some(knee) = view.tune.as_ref().and_then(|t| t.knee()) {
                        for cmd in tune::apply(knee, snap) {
                            sim.send(cmd);
                        }
                    }
                    tune_job = None;
                    view.tune = None;
                    view.overlay = Overlay::None;
                }
                Some(Action::CloseTune) => {
                    // Dropping the job cancels its sweep.
                    tune_job = None;
                    view.tune = None;
                    view.overlay = Overlay::None;
                }
                Some(a) => {
                    if let Some(cmd) = app::command(a, snap) {
                        // Keys queued behind this one are mapped against
                        // the same (pre-command) snapshot: record the GIL
                        // switch so a quick `gg` turns it back off.
                        if let Command::SetGil(on) = cmd {
                            snap.gil = on;
                        }
                        sim.send(cmd);
                    }
                }
                None => {}
            }
            handled += 1;
            if handled < 64 {
                // An error here (a hangup) is seen again by the next poll.
                pending = input.next(Duration::ZERO).ok().flatten();
            }
        }
        if last.is_none() {
            next_frame = Instant::now();
        }
    }
}

/// Time to the next frame in `phase`.
fn frame_interval(phase: Phase, opts: &TuiOptions) -> Duration {
    match phase {
        Phase::Running | Phase::ShuttingDown => opts.frame(),
        Phase::Paused => PAUSED_FRAME.max(opts.frame()),
        Phase::Done | Phase::Aborted => OVER_FRAME.max(opts.frame()),
    }
}

/// SIGTERM, SIGHUP and SIGINT set one flag the loop checks every poll, so
/// the terminal is restored on the normal path instead of in a handler.
struct Signals {
    stop: Arc<AtomicBool>,
    ids: Vec<signal_hook::SigId>,
}

impl Signals {
    fn register() -> io::Result<Signals> {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let stop = Arc::new(AtomicBool::new(false));
        let mut ids = Vec::new();
        for sig in [SIGTERM, SIGHUP, SIGINT] {
            ids.push(signal_hook::flag::register(sig, Arc::clone(&stop))?);
        }
        Ok(Signals { stop, ids })
    }

    fn unregister(self) {
        for id in self.ids {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// True while the alternate screen is up.
static TUI_ACTIVE: AtomicBool = AtomicBool::new(false);
/// Set when a thread other than the UI's printed a panic over the screen:
/// the next frame is drawn in full to wipe it.
static SCREEN_SOILED: AtomicBool = AtomicBool::new(false);

/// A shareable panic hook.
type Hook = Arc<dyn Fn(&std::panic::PanicHookInfo<'_>) + Send + Sync>;

/// `ratatui::try_init` (raw mode, alternate screen, and its panic hook that
/// restores the terminal), with that hook confined to the UI thread.
///
/// ratatui's hook restores the terminal on *any* panic, but consumers panic
/// on purpose under fault injection (the engine catches it, shows the
/// thread as crashed, and its own hook keeps quiet about it). So a panic on
/// another thread goes to the hook that was there before ratatui's, and
/// only a panic on the UI thread releases the mouse and runs ratatui's
/// restore before the message is printed.
fn init_terminal() -> io::Result<ratatui::DefaultTerminal> {
    let before: Hook = Arc::from(std::panic::take_hook());
    let passthrough = Arc::clone(&before);
    std::panic::set_hook(Box::new(move |info| passthrough(info)));
    let terminal = ratatui::try_init()?;
    let ratatui_hook: Hook = Arc::from(std::panic::take_hook());
    let ui_thread: ThreadId = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == ui_thread {
            let _ = execute!(io::stdout(), DisableMouseCapture);
            TUI_ACTIVE.store(false, Ordering::SeqCst);
            ratatui_hook(info);
        } else {
            // A panic the engine catches prints nothing: the screen is clean.
            if TUI_ACTIVE.load(Ordering::SeqCst) && !crate::sim::panic_filter::is_caught() {
                SCREEN_SOILED.store(true, Ordering::SeqCst);
            }
            before(info);
        }
    }));
    TUI_ACTIVE.store(true, Ordering::SeqCst);
    Ok(terminal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;
    use ratatui::backend::TestBackend;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::rc::Rc;

    /// An engine stand-in: hands out a fixed snapshot, records commands.
    struct Fake {
        snap: Snapshot,
        sent: Rc<RefCell<Vec<Command>>>,
        requests: Rc<RefCell<Vec<SnapshotRequest>>>,
    }

    impl Sim for Fake {
        fn snapshot_with(&self, req: SnapshotRequest) -> Snapshot {
            self.requests.borrow_mut().push(req);
            self.snap.clone()
        }
        fn send(&self, cmd: Command) {
            self.sent.borrow_mut().push(cmd);
        }
        fn wait(&self, _: Duration) -> bool {
            true
        }
    }

    /// Scripted input: each event after one empty poll (so a frame is drawn
    /// between keys, as with a human typing).
    struct Script(VecDeque<Option<Event>>);

    impl Input for Script {
        fn next(&mut self, _: Duration) -> io::Result<Option<Event>> {
            Ok(self.0.pop_front().flatten())
        }
    }

    fn keys(s: &str) -> Script {
        let mut q = VecDeque::new();
        for c in s.chars() {
            let code = match c {
                '\n' => KeyCode::Enter,
                '\x1b' => KeyCode::Esc,
                c => KeyCode::Char(c),
            };
            q.push_back(None);
            q.push_back(Some(Event::Key(KeyEvent::new(code, KeyModifiers::NONE))));
        }
        Script(q)
    }

    type Log<T> = Rc<RefCell<Vec<T>>>;

    fn fake(snap: Snapshot) -> (Fake, Log<Command>, Log<SnapshotRequest>) {
        let sent = Rc::new(RefCell::new(Vec::new()));
        let requests = Rc::new(RefCell::new(Vec::new()));
        let f = Fake {
            snap,
            sent: Rc::clone(&sent),
            requests: Rc::clone(&requests),
        };
        (f, sent, requests)
    }

    #[test]
    fn keys_drive_the_engine_and_q_quits() {
        let (sim, sent, requests) = fake(testing::running(4));
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("test terminal");
        let stop = AtomicBool::new(false);
        let mut starts = 0;
        let mut start = || {
            starts += 1;
            Ok(fake(testing::running(4)).0)
        };
        let opts = TuiOptions::default();
        let out = event_loop(
            &mut terminal,
            &mut keys("+ j\ngq"),
            sim,
            &mut start,
            &Theme::default(),
            &opts,
            &stop,
        );
        assert!(out.is_ok());
        assert_eq!(
            *sent.borrow(),
            vec![Command::AddConsumer, Command::Pause, Command::SetGil(true)]
        );
        assert_eq!(starts, 0);
        // The details view (opened on Producer-1) asked for its details.
        assert!(requests.borrow().iter().any(|r| r.detail == Some(1)));
        let screen = format!("{}", terminal.backend());
        assert!(screen.contains("Producer-1"), "{screen}");
    }

    #[test]
    fn restart_starts_a_fresh_engine_after_aborting_the_old() {
        let (sim, sent, _) = fake(testing::done());
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("test terminal");
        let stop = AtomicBool::new(false);
        let mut start = || Ok(fake(testing::running(4)).0);
        let out = event_loop(
            &mut terminal,
            &mut keys("rq"),
            sim,
            &mut start,
            &Theme::default(),
            &TuiOptions::default(),
            &stop,
        );
        let fresh = out.expect("loop ends cleanly");
        assert_eq!(*sent.borrow(), vec![Command::Abort], "old engine aborted");
        assert_eq!(fresh.snap.phase, Phase::Running);
        let screen = format!("{}", terminal.backend());
        assert!(!screen.contains("Done!"), "banner gone after restart");
    }

    #[test]
    fn a_replay_drives_the_same_screen() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/recordings/worker-pool.jsonl"
        );
        let rec = Arc::new(crate::record::load(std::path::Path::new(path)).expect("fixture"));
        let events = rec.events.len();
        let mut terminal = Terminal::new(TestBackend::new(120, 30)).expect("test terminal");
        let stop = AtomicBool::new(false);
        let mut starts = 0;
        let rec2 = Arc::clone(&rec);
        let mut start = || {
            starts += 1;
            Ok(Player::new(Arc::clone(&rec2)))
        };
        // Pause, back to the start, step three events, then quit.
        let out = event_loop(
            &mut terminal,
            &mut keys(" 0nnnq"),
            Player::new(Arc::clone(&rec)),
            &mut start,
            &Theme::default(),
            &TuiOptions::default(),
            &stop,
        );
        let player = out.expect("loop ends cleanly");
        let c = player.cursor();
        assert!(!c.playing);
        assert_eq!(c.events, 3, "three steps from the start");
        let screen = format!("{}", terminal.backend());
        assert!(
            screen.contains("replay ‖ 1x") && screen.contains(&format!("event 3/{events}")),
            "{screen}"
        );
        assert!(screen.contains("Events (3 in all)"), "{screen}");
        assert_eq!(starts, 0);
    }

    #[test]
    fn a_signal_ends_the_loop() {
        let (sim, _, _) = fake(testing::running(4));
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("test terminal");
        let stop = AtomicBool::new(true);
        let mut start = || Ok(fake(testing::running(4)).0);
        let out = event_loop(
            &mut terminal,
            &mut Script(VecDeque::new()),
            sim,
            &mut start,
            &Theme::default(),
            &TuiOptions::default(),
            &stop,
        );
        assert!(out.is_ok());
    }
}
