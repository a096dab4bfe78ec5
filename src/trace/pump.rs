//! The thread that runs a trace: reads the program's streams, folds the
//! events, keeps the output, watches for a hang, and ends the program when
//! asked (or when it hangs). The live view and the headless report only
//! read what it keeps.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;

use super::child::{self, Running};
use super::fold::Over;
use super::listen::{Stream, Streams};
use super::protocol::{Event, Lines, parse_line};
use super::source::{Outcome, Shared, mono_ns, view_ns};
use crate::analysis::lint::lints;
use crate::analysis::watchdog::{HANG_AFTER, Watchdog};
use crate::sim::{SnapshotRequest, lock};

/// Longest wait for data before looking at the stop flag again.
const POLL: Duration = Duration::from_millis(50);
/// How often the watchdog looks.
const WATCH_EVERY: Duration = Duration::from_millis(100);
/// How long the streams are read after the program has ended.
const DRAIN: Duration = Duration::from_millis(500);

/// Runs the trace until the program ends, hangs or is stopped. `log`
/// gets a line per event the log narrates (`--log`).
pub fn run(shared: &Arc<Shared>, mut running: Running, log: Option<Sender<String>>) {
    let mut streams = Streams::new(
        running.events.take(),
        running.stdout.take(),
        running.stderr.take(),
    );
    if let Some(fd) = running.exit.take() {
        streams.watch_exit(fd);
    }
    let mut reader = Reader {
        lines: Lines::default(),
        log,
    };
    let mut watch = Watch::default();
    let outcome = loop {
        streams.pump(POLL, |s, b| reader.take(shared, s, b));
        reader.settle(shared);
        // A stopped program keeps the picture it had when it was stopped
        // (ending it may take the grace period).
        if shared.stop.load(Ordering::SeqCst) {
            let outcome = finish(shared, Over::Stopped, Outcome::Stopped);
            running.stop(child::GRACE);
            break outcome;
        }
        if running.ended().is_some() {
            streams.drain(DRAIN, |s, b| reader.take(shared, s, b));
            reader.settle(shared);
            let ended = running.reap();
            break finish(shared, Over::Exited, Outcome::Exited(ended));
        }
        if let Some((message, wait_for)) = watch.look(shared) {
            let outcome = finish(shared, Over::Stopped, Outcome::Hang { message, wait_for });
            running.stop(child::GRACE);
            break outcome;
        }
    };
    lock(&shared.output).flush();
    drop(running);
    *lock(&shared.outcome) = Some(outcome);
}

/// Ends the fold now (if the program's own `end` did not) and returns `outcome`.
fn finish(shared: &Shared, how: Over, outcome: Outcome) -> Outcome {
    lock(&shared.fold).finish(mono_ns(), how);
    outcome
}

/// Turns bytes into events and output lines.
struct Reader {
    lines: Lines,
    log: Option<Sender<String>>,
}

impl Reader {
    fn take(&mut self, shared: &Shared, stream: Stream, bytes: &[u8]) {
        match stream {
            Stream::Events => {
                let mut events: Vec<Event> = Vec::new();
                let mut bad = 0;
                let mut unknown = 0;
                self.lines.feed(bytes, |line| match parse_line(line) {
                    Ok(Some(e)) => events.push(e),
                    Ok(None) => unknown += 1,
                    Err(_) => bad += 1,
                });
                let mut fold = lock(&shared.fold);
                fold.stats.bad_lines += bad + std::mem::take(&mut self.lines.overlong);
                fold.stats.unknown += unknown;
                for e in events {
                    fold.apply(e);
                }
            }
            Stream::Stdout => lock(&shared.output).feed(false, bytes),
            Stream::Stderr => lock(&shared.output).feed(true, bytes),
        }
    }

    /// Moves the fold's clock on, picks the queue to show, and sends the
    /// newly narrated events to the log.
    fn settle(&mut self, shared: &Shared) {
        let mut fold = lock(&shared.fold);
        // While the program is quiet its clock moves on with ours.
        fold.tick(view_ns());
        fold.reselect();
        let Some(log) = &self.log else { return };
        let new = fold.take_log();
        drop(fold);
        for line in new {
            // A printer that is gone (closed stdout) just stops the log.
            if log.send(line).is_err() {
                self.log = None;
                return;
            }
        }
    }
}

/// The watchdog: the lints, as `run` has them, and the wait-for graph.
#[derive(Default)]
struct Watch {
    lints: Watchdog,
    next: Option<Instant>,
    settled_since: Option<Instant>,
}

impl Watch {
    /// `Some((message, who waits on what))` once every thread has waited
    /// for ever for [`HANG_AFTER`].
    fn look(&mut self, shared: &Shared) -> Option<(String, Vec<super::fold::WaitFor>)> {
        let now = Instant::now();
        if self.next.is_some_and(|n| now < n) {
            return None;
        }
        self.next = Some(now + WATCH_EVERY);
        let fold = lock(&shared.fold);
        let snap = fold.snapshot(view_ns(), SnapshotRequest::default(), "", "");
        self.lints.observe(&snap);
        *lock(&shared.warnings) = self.lints.warnings().to_vec();
        if !fold.settled() {
            self.settled_since = None;
            return None;
        }
        let since = *self.settled_since.get_or_insert(now);
        if now.duration_since(since) < HANG_AFTER {
            return None;
        }
        let message = lints(&snap)
            .into_iter()
            .find(|l| l.kind.is_hang())
            .map_or_else(|| "every thread waits for ever".into(), |l| l.message);
        Some((
            format!("{message} ({})", fold.wait_for_line()),
            fold.wait_for(),
        ))
    }
}
