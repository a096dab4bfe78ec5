//! The live terminal UI: terminal setup and restore, and the event loop
//! that turns keys, mouse, resizes, ticks and signals into view changes and
//! engine [`Command`]s.
//!
//! One snapshot per frame: the loop asks its [`Source`] (the engine, a
//! recording being made, or a replay) for a [`Snapshot`] (with a thread's
//! details only while the details view is open), hands it to
//! [`ui::render`], and sends commands only through [`Source::send`]. The
//! loop is generic over the backend, the input and the source, so it runs
//! against a `TestBackend`, a scripted input and a fake source in tests.

use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::ThreadId;
use std::time::{Duration, Instant, SystemTime};

use crossbeam_channel::{Receiver, RecvTimeoutError};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use ratatui::crossterm::execute;

use crate::app::{self, Action, Notice, Overlay, ViewState};
use crate::error::{Error, Exit, Kind};
use crate::record::RecordedEngine;
use crate::replay::Player;
use crate::signals::Signals;
use crate::sim::{Command, Config, Engine, Phase, Snapshot};
use crate::source::Source;
use crate::tune::{self, TuneSession};
use crate::ui::{self, Theme, ThemeKind, export};

/// Frame rate when none is given: smooth enough for numbers that change a
/// few times a second, and it keeps the UI thread near 1 % of a core.
pub const DEFAULT_FPS: u32 = 20;
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
/// How long the footer says where `x` saved a picture.
const NOTICE_TIME: Duration = Duration::from_secs(6);

/// How the UI looks and how often it redraws.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TuiOptions {
    /// Frames per second while the run is moving (1..=120).
    pub fps: u32,
    /// ASCII glyphs only (`--ascii`).
    pub ascii: bool,
    /// Palette (`--theme`).
    pub theme: ThemeKind,
    /// Colours on: what `--color` and `NO_COLOR` decided (the caller
    /// decides; see `cli::ColorChoice`).
    pub color: bool,
    /// Presentation mode (`--present`): large panels for a projector.
    pub present: bool,
    /// Where `x` saves pictures (`--snapshot-dir`); `None`: the current
    /// directory.
    pub snapshot_dir: Option<PathBuf>,
}

impl Default for TuiOptions {
    fn default() -> Self {
        TuiOptions {
            fps: DEFAULT_FPS,
            ascii: false,
            theme: ThemeKind::Default,
            color: true,
            present: false,
            snapshot_dir: None,
        }
    }
}

impl TuiOptions {
    /// The theme these options ask for.
    pub fn theme(&self) -> Theme {
        Theme::new(self.theme, self.color, self.ascii)
    }

    /// Time between frames while the run moves.
    fn frame(&self) -> Duration {
        Duration::from_secs(1) / self.fps.clamp(1, 120)
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
/// SIGINT arrives): [`Exit::Ok`] after a normal quit. A stdout that is not
/// a terminal is bad input (the message points to the headless
/// `queuescope run`).
pub fn run(config: Config, opts: TuiOptions) -> crate::error::Result {
    run_sim(|| Engine::start(config.clone()), opts)
}

/// [`run`], recording the run to `target` (`--record`). A restart (`r`)
/// starts a new recording in the same place. The file is opened before
/// anything starts, and before the terminal is touched: a path that cannot
/// be created is bad input, and a FIFO's wait for a reader ends on Ctrl-C.
pub fn run_recorded(
    config: Config,
    opts: TuiOptions,
    target: &crate::record::Target,
) -> crate::error::Result {
    let record_error = |e: crate::record::RecordError| {
        if e.is_usage() {
            Error::usage(e)
        } else {
            Error::failure(e)
        }
    };
    // Before opening: a FIFO's wait for a reader would be for nothing.
    if !io::stdout().is_terminal() {
        return Err(not_a_terminal());
    }
    let mut first = Some(target.open().map_err(record_error)?);
    run_sim(
        || match first.take() {
            Some(file) => RecordedEngine::start(config.clone(), file),
            None => RecordedEngine::restart(config.clone(), target),
        },
        opts,
    )
}

/// Replays `rec` in the live view (`queuescope replay FILE`); `r` plays it
/// again from the start.
pub fn replay(rec: Arc<crate::record::Recording>, opts: TuiOptions) -> crate::error::Result {
    run_sim(|| Ok(Player::new(Arc::clone(&rec))), opts)
}

/// An I/O error of the terminal (or of starting the engine): a runtime
/// failure, printed as `error: ...`.
fn io_failure(e: io::Error) -> Error {
    Error::new(Kind::Failure, format!("error: {e}"))
}

/// The UI around any [`Source`] that `start` makes (and makes again on `r`).
pub fn run_sim<S: Source>(
    mut start: impl FnMut() -> io::Result<S>,
    opts: TuiOptions,
) -> crate::error::Result {
    if !io::stdout().is_terminal() {
        return Err(not_a_terminal());
    }
    let theme = opts.theme();
    // crossterm drops every colour by itself when NO_COLOR is set; the
    // caller has decided already (`--color always` wins over NO_COLOR).
    ratatui::crossterm::style::Colored::set_ansi_color_disabled(!opts.color);
    let signals = Signals::catch().map_err(io_failure)?;
    // Start the engine before touching the terminal, so a failure is an
    // ordinary error message on a normal screen.
    let engine = start().map_err(io_failure)?;
    let mut terminal = match init_terminal() {
        Ok(t) => t,
        Err(e) => {
            ratatui::restore();
            finish(&engine, QUIT_WAIT);
            return Err(io_failure(e));
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
            return Err(io_failure(e));
        }
    };
    let result = event_loop(
        &mut terminal,
        &mut input,
        engine,
        &mut start,
        &theme,
        &opts,
        signals.flag(),
    );

    let _ = execute!(io::stdout(), DisableMouseCapture);
    ratatui::restore();
    TUI_ACTIVE.store(false, Ordering::SeqCst);
    let _ = io::stdout().flush();
    // The screen is back: from here a signal ends the process as usual.
    drop(signals);
    let mut engine = result.map_err(io_failure)?;
    finish(&engine, QUIT_WAIT);
    engine.close().map_err(Error::failure)?;
    Ok(Exit::Ok)
}

/// The live view needs a terminal: the error points to the headless run.
fn not_a_terminal() -> Error {
    Error::new(
        Kind::Usage,
        "queuescope: stdout is not a terminal, so the live view cannot start.\n\
         For a headless run with a text report use: queuescope run",
    )
}

/// Stop the engine's threads (blocked ones are released) and wait a bounded
/// time for them.
fn finish<S: Source>(sim: &S, wait: Duration) {
    sim.send(Command::Abort);
    sim.wait(wait);
}

/// The event loop. Returns the source that was running at the end (a
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
    S: Source,
    F: FnMut() -> io::Result<S>,
{
    let mut st = LoopState::new(opts);
    loop {
        if stop.load(Ordering::SeqCst) {
            return Ok(sim);
        }
        let now = Instant::now();
        st.expire_notice(now);
        st.repaint_if_soiled(terminal)?;
        st.follow(&sim);
        if st.dirty || now >= st.next_frame {
            st.frame(terminal, &sim, theme, opts, now)?;
        }
        let ev = match input.next(st.poll_timeout()) {
            Ok(Some(ev)) => ev,
            Ok(None) => continue,
            // The terminal is gone: like SIGHUP, an ordinary way to end.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(sim),
            Err(e) => return Err(e),
        };
        match st.handle_burst(ev, input, &mut sim) {
            Flow::Go => {}
            Flow::SavePicture => st.save_picture(terminal, theme, opts),
            Flow::Quit => return Ok(sim),
            Flow::Restart => {
                // Closing the view's overlays stops a Tune sweep; the old
                // run ends (a recording closes its file) before the new
                // one starts.
                st.view.reset_for_restart();
                finish(&sim, RESTART_WAIT);
                drop(sim);
                sim = start()?;
                st.last = None;
            }
        }
        if st.last.is_none() {
            st.next_frame = Instant::now();
        }
    }
}

/// What the event loop keeps between iterations, besides the source.
struct LoopState {
    view: ViewState,
    /// The snapshot drawn last; keys are mapped against it.
    last: Option<Snapshot>,
    /// Something changed that the screen does not show yet.
    dirty: bool,
    /// When the next frame is due even if nothing happens.
    next_frame: Instant,
    /// When the footer's notice goes away.
    notice_until: Option<Instant>,
}

/// What the loop does after a burst of events.
#[derive(Debug, PartialEq, Eq)]
enum Flow {
    /// Go on.
    Go,
    /// Leave the UI.
    Quit,
    /// Start the source again.
    Restart,
    /// Save a picture of the screen (`x`).
    SavePicture,
}

impl LoopState {
    fn new(opts: &TuiOptions) -> LoopState {
        let mut view = ViewState::new();
        view.present = opts.present;
        LoopState {
            view,
            last: None,
            dirty: true,
            next_frame: Instant::now(),
            notice_until: None,
        }
    }

    /// Takes the footer's notice away once its time is up.
    fn expire_notice(&mut self, now: Instant) {
        if self.notice_until.is_some_and(|t| now >= t) {
            self.view.notice = None;
            self.notice_until = None;
            self.dirty = true;
        }
    }

    /// `x`: the frame on screen (without the last notice) as an SVG and a
    /// text file in the `--snapshot-dir`, and a notice saying where.
    fn save_picture<B: Backend>(
        &mut self,
        terminal: &Terminal<B>,
        theme: &Theme,
        opts: &TuiOptions,
    ) {
        let (Some(snap), Ok(size)) = (&self.last, terminal.size()) else {
            return;
        };
        self.view.notice = None;
        let buf = export::frame(snap, &mut self.view, theme, size.width, size.height);
        let dir = opts.snapshot_dir.clone().unwrap_or_default();
        let stem = crate::picture::timestamped(&dir, SystemTime::now());
        let notice = match crate::picture::write(&buf, &export::title(snap), &stem) {
            Ok(written) => Notice {
                text: written.to_string(),
                error: false,
            },
            Err(e) => Notice {
                text: format!("could not save the picture: {e}"),
                error: true,
            },
        };
        self.view.notice = Some(notice);
        self.notice_until = Some(Instant::now() + NOTICE_TIME);
        self.dirty = true;
    }

    /// Something printed over the screen: forget what ratatui thinks is on
    /// it so the next frame repaints every cell. `resize` clears and
    /// forgets the last frame without asking the terminal for its cursor
    /// position (as `clear` does), a query some terminals never answer.
    fn repaint_if_soiled<B: Backend>(&mut self, terminal: &mut Terminal<B>) -> io::Result<()> {
        if !SCREEN_SOILED.swap(false, Ordering::SeqCst) {
            return Ok(());
        }
        let size = terminal
            .size()
            .map_err(|e| io::Error::other(e.to_string()))?;
        terminal
            .resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
            .map_err(|e| io::Error::other(e.to_string()))?;
        self.dirty = true;
        Ok(())
    }

    /// Takes in what changed off screen: the Tune view's sweep, and the
    /// source's own state (a recording's size, a replay's cursor).
    fn follow<S: Source>(&mut self, sim: &S) {
        if let Overlay::Tune(session) = &mut self.view.overlay
            && session.poll()
        {
            self.dirty = true;
        }
        let source = sim.source_view();
        if source != self.view.source {
            self.view.source = source;
            self.dirty = true;
        }
    }

    /// Takes a snapshot and draws it unless the screen already shows it.
    fn frame<B: Backend, S: Source>(
        &mut self,
        terminal: &mut Terminal<B>,
        sim: &S,
        theme: &Theme,
        opts: &TuiOptions,
        now: Instant,
    ) -> io::Result<()> {
        let snap = sim.snapshot_with(self.view.snapshot_request());
        // A replay's cursor moved while the snapshot was taken: show the
        // position of this very snapshot.
        self.view.source = sim.source_view();
        self.view.sync(&snap);
        // An unchanged picture (paused, or over) needs no new frame.
        if self.dirty || !self.last.as_ref().is_some_and(|l| same_picture(l, &snap)) {
            self.draw(terminal, &snap, theme)?;
        }
        self.next_frame = now + frame_interval(snap.phase, opts);
        self.last = Some(snap);
        Ok(())
    }

    fn draw<B: Backend>(
        &mut self,
        terminal: &mut Terminal<B>,
        snap: &Snapshot,
        theme: &Theme,
    ) -> io::Result<()> {
        let mut geometry = self.view.geometry;
        terminal
            .draw(|f| geometry = ui::render(f, snap, &self.view, theme))
            .map_err(|e| io::Error::other(e.to_string()))?;
        // The layout changed (first frame, resize): paging and the event
        // count depend on it, so draw once more.
        self.dirty = geometry != self.view.geometry;
        self.view.geometry = geometry;
        Ok(())
    }

    /// How long to wait for input: not at all while the screen is behind.
    fn poll_timeout(&self) -> Duration {
        if self.dirty {
            return Duration::ZERO;
        }
        self.next_frame
            .saturating_duration_since(Instant::now())
            .min(MAX_POLL)
    }

    /// Handles `ev` and any events already queued behind it (a burst of
    /// wheel notches or a paste) before drawing again.
    fn handle_burst<S: Source>(&mut self, ev: Event, input: &mut impl Input, sim: &mut S) -> Flow {
        let mut pending = Some(ev);
        let mut handled = 0;
        while let Some(ev) = pending.take() {
            let Some(snap) = self.last.as_mut() else {
                break;
            };
            let action = match ev {
                Event::Key(k) => app::handle_key(&mut self.view, k, snap),
                Event::Mouse(m) => app::handle_mouse(&mut self.view, m, snap),
                _ => None,
            };
            self.dirty = true;
            match action {
                Some(Action::Quit) => return Flow::Quit,
                Some(Action::Restart) => return Flow::Restart,
                Some(Action::SavePicture) => return Flow::SavePicture,
                Some(a) => act(a, &mut self.view, snap, sim),
                None => {}
            }
            handled += 1;
            if handled < 64 {
                // An error here (a hangup) is seen again by the next poll.
                pending = input.next(Duration::ZERO).ok().flatten();
            }
        }
        Flow::Go
    }
}

/// Carries out `action` (not quit or restart) on the source and the view.
fn act<S: Source>(action: Action, view: &mut ViewState, snap: &mut Snapshot, sim: &mut S) {
    match action {
        Action::Replay(a) => sim.replay(a),
        Action::OpenTune => {
            // A replay has no config: `T` does nothing there.
            if let Some(Ok(spec)) = sim.config().map(|c| tune::spec_for(c, snap)) {
                view.overlay = Overlay::Tune(TuneSession::start(spec));
            }
        }
        Action::ApplyTune => {
            if let Some(knee) = view.tune().and_then(TuneSession::knee) {
                for cmd in tune::apply(knee, snap) {
                    sim.send(cmd);
                }
            }
            // Closing the view drops its session, which cancels the sweep.
            view.overlay = Overlay::None;
        }
        Action::CloseTune => view.overlay = Overlay::None,
        a => {
            if let Some(cmd) = app::command(a, snap) {
                // Keys queued behind this one are mapped against the same
                // (pre-command) snapshot: record the GIL switch so a quick
                // `gg` turns it back off.
                if let Command::SetGil(on) = cmd {
                    snap.gil = on;
                }
                sim.send(cmd);
            }
        }
    }
}

/// True when `b` would be drawn as `a` was: equal but for wall time that
/// has not moved a whole second (a paused run's only change: the header
/// shows paused and wall time in whole seconds).
fn same_picture(a: &Snapshot, b: &Snapshot) -> bool {
    // A running clock changes the picture: no need to look further.
    if a.elapsed != b.elapsed || a.wall.as_secs() != b.wall.as_secs() {
        return false;
    }
    if a.wall == b.wall {
        return a == b;
    }
    let mut b = b.clone();
    b.wall = a.wall;
    *a == b
}

/// Time to the next frame in `phase`.
fn frame_interval(phase: Phase, opts: &TuiOptions) -> Duration {
    match phase {
        Phase::Running | Phase::ShuttingDown => opts.frame(),
        Phase::Paused => PAUSED_FRAME.max(opts.frame()),
        Phase::Done | Phase::Aborted => OVER_FRAME.max(opts.frame()),
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
    use crate::sim::SnapshotRequest;
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

    impl Source for Fake {
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
        let events = rec.events_len();
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
    fn x_saves_the_screen_and_the_footer_says_where() {
        let dir = std::env::temp_dir().join(format!("qs-tui-x-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let (sim, sent, _) = fake(testing::running(4));
        let mut terminal = Terminal::new(TestBackend::new(100, 30)).expect("test terminal");
        let stop = AtomicBool::new(false);
        let mut start = || Ok(fake(testing::running(4)).0);
        let opts = TuiOptions {
            snapshot_dir: Some(dir.clone()),
            ..TuiOptions::default()
        };
        let out = event_loop(
            &mut terminal,
            &mut keys("x q"),
            sim,
            &mut start,
            &Theme::default(),
            &opts,
            &stop,
        );
        assert!(out.is_ok());
        // Keys after x still work.
        assert_eq!(*sent.borrow(), vec![Command::Pause]);
        let files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        let svg = files
            .iter()
            .find(|p| p.extension().is_some_and(|e| e == "svg"));
        let txt = files
            .iter()
            .find(|p| p.extension().is_some_and(|e| e == "txt"));
        let (Some(svg), Some(txt)) = (svg, txt) else {
            panic!("no pictures in {dir:?}: {files:?}")
        };
        let text = std::fs::read_to_string(txt).expect("text picture");
        assert!(
            text.contains("Producer-1") && !text.contains("saved"),
            "{text}"
        );
        assert!(
            std::fs::read_to_string(svg)
                .expect("svg")
                .starts_with("<svg")
        );
        let screen = format!("{}", terminal.backend());
        assert!(
            screen.contains("saved ") && screen.contains(".svg"),
            "{screen}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_colour_choice_reaches_the_theme() {
        let never = TuiOptions {
            color: false,
            ..TuiOptions::default()
        };
        assert!(!never.theme().color);
        assert!(TuiOptions::default().theme().color);
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
