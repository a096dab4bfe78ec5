//! End to end in a real pseudo-terminal: the built binary is started on a
//! pty (portable-pty), its output is fed to a terminal emulator (vt100),
//! and the test reads the screen the way a user would.
//!
//! These start real threads and wait on wall-clock time, so the timeouts
//! are generous; each step polls the screen and moves on as soon as what
//! it waits for appears.

mod common;

use std::time::{Duration, Instant};

use common::pty::{ROWS, Session};

/// Thread rows of consumers (at 100 columns the role column reads `cons`).
fn consumer_rows(screen: &str) -> usize {
    screen
        .lines()
        .filter(|l| l.contains("Consumer-") && l.contains(" cons "))
        .count()
}

#[test]
fn add_a_consumer_then_watch_the_pills_shut_it_down() {
    // Slower work than the default's, so the queue fills and the pills are
    // seen sitting behind items.
    let mut s = Session::start(&["--work", "exp:150ms"]);
    let long = Duration::from_secs(30);
    s.wait_for("the threads panel", long, |sc| {
        sc.contains("Threads") && sc.contains("Consumer-4")
    });
    assert_eq!(consumer_rows(&s.screen()), 4);
    // Producers outrun these consumers: wait for a full queue, so the pills
    // will sit behind items long enough to be seen.
    s.wait_for("a full queue", long, |sc| sc.contains("32/32"));

    s.press("+");
    // The event log may name Consumer-5 a frame before its row appears.
    s.wait_for("a fifth consumer row", long, |sc| consumer_rows(sc) == 5);

    s.press("s");
    // The pills go into the queue behind the items still in it.
    s.wait_for("pills in the queue", long, |sc| {
        sc.contains("shutting down") && sc.lines().any(|l| l.contains("out◂") && l.contains('●'))
    });
    s.wait_for("a consumer taking its pill", long, |sc| {
        sc.contains("got pill → exited") || sc.contains("received the pill")
    });
    let done = s.wait_for("the done banner", long, |sc| {
        sc.contains("Done! Time taken:")
    });
    assert!(done.contains("5/5 consumers exited"), "{done}");

    s.press("q");
    assert_eq!(s.exit_code(long), 0);
    s.assert_restored();
}

/// Starts the default scenario, waits for the threads panel, sends `sig`,
/// and checks a clean exit with the terminal restored.
fn signal_restores_the_terminal(sig: libc::c_int) {
    let mut s = Session::start(&[]);
    let long = Duration::from_secs(30);
    s.wait_for("the threads panel", long, |sc| {
        sc.contains("Threads") && sc.contains("Consumer-4")
    });
    let pid = s.child.process_id().expect("child pid") as libc::pid_t;
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
    assert_eq!(s.exit_code(long), 0);
    s.assert_restored();
}

#[test]
fn sigterm_restores_the_terminal() {
    signal_restores_the_terminal(libc::SIGTERM);
}

#[test]
fn sighup_restores_the_terminal() {
    signal_restores_the_terminal(libc::SIGHUP);
}

#[test]
fn ctrl_c_quits_and_restores_the_terminal() {
    let mut s = Session::start(&["--scenario", "fetch-pool"]);
    let long = Duration::from_secs(30);
    s.wait_for("the threads panel", long, |sc| sc.contains("Consumer-4"));
    s.press("\x03");
    assert_eq!(s.exit_code(long), 0);
    s.assert_restored();
}

#[test]
fn a_crashing_worker_shows_crashed_and_prints_nothing_over_the_screen() {
    let mut s = Session::start(&["--items", "2000", "--crash-item", "3"]);
    let long = Duration::from_secs(30);
    let screen = s.wait_for("a crashed consumer", long, |sc| sc.contains("crashed"));
    assert!(!screen.contains("panicked at"), "{screen}");
    s.press("q");
    assert_eq!(s.exit_code(long), 0);
    s.assert_restored();
}

#[test]
fn a_panic_in_the_ui_restores_the_terminal() {
    let mut s = Session::start_env(&[], &[("QUEUESCOPE_TEST_PANIC", "1")]);
    let code = s.exit_code(Duration::from_secs(30));
    assert_ne!(code, 0, "a panic must not look like success");
    s.assert_restored();
}

#[test]
fn closing_the_terminal_ends_the_process() {
    // crossterm spins on a dead tty (its issue #793); the live view must
    // still notice and exit instead of lingering at 100 % CPU.
    let mut s = Session::start(&[]);
    let long = Duration::from_secs(30);
    s.wait_for("the threads panel", long, |sc| sc.contains("Consumer-4"));
    s.hang_up();
    s.exit_code(Duration::from_secs(10));
}

#[test]
fn a_hang_is_named_on_screen_and_q_still_quits_at_once() {
    // 4 consumers, 1 pill: three consumers wait for ever. The live view must
    // say so in words, and quitting must not wait for threads that never end.
    let mut s = Session::start(&["--scenario", "too-few-pills"]);
    let long = Duration::from_secs(30);
    let screen = s.wait_for("the hang warning", long, |sc| {
        sc.contains("will wait forever")
    });
    assert!(screen.contains("HANG"), "the header says it too:\n{screen}");
    assert!(screen.contains("Warnings"), "{screen}");
    let pressed = Instant::now();
    s.press("q");
    assert_eq!(s.exit_code(long), 0);
    // Quitting waits at most a moment for the engine's threads.
    assert!(
        pressed.elapsed() < Duration::from_secs(5),
        "q took {:?}",
        pressed.elapsed()
    );
    s.assert_restored();
}

#[test]
fn presentation_mode_with_the_theory_panel() {
    let mut s = Session::start(&["--scenario", "mmc", "--present"]);
    let long = Duration::from_secs(30);
    s.wait_for("the lesson and the key numbers", long, |sc| {
        sc.contains("Lesson: ") && sc.contains("done per second")
    });
    s.press("t");
    s.wait_for("the theory panel", long, |sc| {
        sc.contains("Theory M/M/c") && sc.contains("measured")
    });
    s.press("q");
    assert_eq!(s.exit_code(long), 0);
    s.assert_restored();
}

#[test]
fn not_a_terminal_exits_2_pointing_to_run() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_queuescope"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run queuescope");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("queuescope run"), "{err}");
}

#[test]
fn record_the_live_view_then_step_through_the_replay() {
    let path = std::env::temp_dir().join(format!("qs-pty-rec-{}.jsonl", std::process::id()));
    let file = path.to_str().expect("utf-8 temp path");
    let long = Duration::from_secs(30);

    let mut s = Session::start(&["--scenario", "worker-pool", "--record", file]);
    let screen = s.wait_for("the done banner", long, |sc| {
        sc.contains("Done! Time taken:")
    });
    assert!(screen.contains("● rec"), "{screen}");
    s.press("q");
    assert_eq!(s.exit_code(long), 0);
    s.assert_restored();

    let mut r = Session::start(&["replay", file]);
    // A short run: the replay is at its end at once, and stays there.
    r.wait_for("the replay at its end", long, |sc| {
        sc.contains("100% · event")
    });
    // Back to the start (paused there), then three events, one by one.
    r.press("0");
    r.wait_for("the start", long, |sc| sc.contains("0% · event 0/"));
    r.press("nnn");
    let screen = r.wait_for("three steps", long, |sc| sc.contains("event 3/"));
    assert!(screen.contains("replay ‖ 1x"), "{screen}");
    assert!(screen.contains("Events (3 in all)"), "{screen}");
    r.press("q");
    assert_eq!(r.exit_code(long), 0);
    r.assert_restored();
    let _ = std::fs::remove_file(&path);
}

#[test]
fn x_saves_a_picture_of_the_screen_and_the_footer_says_where() {
    let dir = std::env::temp_dir().join(format!("qs-pty-x-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let long = Duration::from_secs(30);
    let dir_arg = dir.to_str().expect("utf-8 temp path");
    let mut s = Session::start(&["--scenario", "worker-pool", "--snapshot-dir", dir_arg]);
    s.wait_for("the done banner", long, |sc| {
        sc.contains("Done! Time taken:")
    });
    s.press("x");
    s.wait_for("the footer naming the files", long, |sc| {
        sc.contains("saved ") && sc.contains(".svg")
    });
    let files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
        .expect("snapshot dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    let text = files
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "txt"))
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    assert_eq!(text.lines().count(), usize::from(ROWS.get()), "{files:?}");
    assert!(text.contains("Done! Time taken:"), "{text}");
    assert!(
        files
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "svg"))
    );
    s.press("q");
    assert_eq!(s.exit_code(long), 0);
    s.assert_restored();
    let _ = std::fs::remove_dir_all(&dir);
}

/// The live view's output, from start to quit, with `args` and `env`.
fn output_of(args: &[&str], env: &[(&str, &str)]) -> Vec<u8> {
    let mut s = Session::start_env(args, env);
    let long = Duration::from_secs(30);
    s.wait_for("the threads panel", long, |sc| {
        sc.contains("Threads") && sc.contains("Consumer-4")
    });
    s.press("q");
    assert_eq!(s.exit_code(long), 0);
    s.assert_restored();
    s.raw.lock().expect("raw lock").clone()
}

#[test]
fn color_flag_wins_over_no_color() {
    // crossterm sets colours as 38;5;N (text) and 48;5;N (background).
    let coloured = |out: &[u8]| out.windows(5).any(|w| w == b"38;5;" || w == b"48;5;");
    assert!(coloured(&output_of(&[], &[])));
    assert!(!coloured(&output_of(&[], &[("NO_COLOR", "1")])));
    assert!(!coloured(&output_of(&["--color", "never"], &[])));
    assert!(coloured(&output_of(
        &["--color", "always"],
        &[("NO_COLOR", "1")]
    )));
}

#[test]
fn the_one_cv_deadlock_happens_live_and_q_still_quits() {
    // The sleep string puts the buffer in lesson order (docs/condvar.md):
    // the producer takes the lock back before the consumer it woke however
    // the two cores are shared with the screen, so one run is enough.
    let long = Duration::from_secs(30);
    let mut s = Session::start(&["--scenario", "ostep-one-cv"]);
    let seen = wait_until(&s, long, |sc| {
        sc.matches("asleep on cond").count() >= 3 && sc.contains("deadlock") || sc.contains("Done!")
    });
    assert!(
        !seen.contains("Done!"),
        "ran to the end, no deadlock:\n{seen}"
    );
    assert!(seen.contains("deadlock"), "{seen}");
    assert!(seen.contains("instead of the producer"), "{seen}");
    s.press("q");
    assert_eq!(s.exit_code(long), 0);
    s.assert_restored();
}

/// The screen once `pred` holds (or as it is after `timeout`).
fn wait_until(s: &Session, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        let sc = s.screen();
        if pred(&sc) || Instant::now() >= deadline {
            return sc;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
