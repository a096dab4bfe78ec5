//! A program on a pseudo-terminal (portable-pty), its output fed to a
//! terminal emulator (vt100), so a test reads the screen the way a user
//! would. Shared by the pty tests.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicBool, Ordering};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

/// The pty's size.
pub const ROWS: NonZeroU16 = NonZeroU16::new(30).unwrap();
const COLS: NonZeroU16 = NonZeroU16::new(100).unwrap();
/// Switches back from the alternate screen (what `ratatui::restore` sends).
const LEAVE_ALT_SCREEN: &[u8] = b"\x1b[?1049l";

/// A running `queuescope` on a pty.
pub struct Session {
    pub child: Box<dyn Child + Send + Sync>,
    master: Option<Box<dyn MasterPty + Send>>,
    writer: Option<Box<dyn Write + Send>>,
    parser: Arc<Mutex<vt100::Parser>>,
    pub raw: Arc<Mutex<Vec<u8>>>,
    stop_reading: Arc<AtomicBool>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Session {
    pub fn start(args: &[&str]) -> Session {
        Session::start_env(args, &[])
    }

    pub fn start_env(args: &[&str], env: &[(&str, &str)]) -> Session {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: ROWS.get(),
                cols: COLS.get(),
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_queuescope"));
        cmd.args(args);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn queuescope");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let fd = pair.master.as_raw_fd().expect("pty master fd");
        let writer = pair.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(ROWS, COLS, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let stop_reading = Arc::new(AtomicBool::new(false));
        let (p, r, stop) = (
            Arc::clone(&parser),
            Arc::clone(&raw),
            Arc::clone(&stop_reading),
        );
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            // Poll before reading so the thread can be told to let go of
            // its copy of the master (see `hang_up`).
            while !stop.load(Ordering::SeqCst) {
                let mut pfd = libc::pollfd {
                    fd,
                    events: libc::POLLIN,
                    revents: 0,
                };
                // SAFETY: one valid pollfd on a descriptor this session owns.
                if unsafe { libc::poll(&mut pfd, 1, 50) } <= 0 {
                    continue;
                }
                match reader.read(&mut buf) {
                    Ok(n) if n > 0 => {
                        p.lock().expect("parser lock").process(&buf[..n]);
                        r.lock().expect("raw lock").extend_from_slice(&buf[..n]);
                    }
                    _ => break,
                }
            }
        });
        Session {
            child,
            master: Some(pair.master),
            writer: Some(writer),
            parser,
            raw,
            stop_reading,
            reader: Some(reader),
        }
    }

    /// Closes every copy of the pty's master side, as a terminal window
    /// closing does: the program gets SIGHUP and its tty reads hit EOF.
    pub fn hang_up(&mut self) {
        self.stop_reading.store(true, Ordering::SeqCst);
        if let Some(h) = self.reader.take() {
            h.join().expect("reader thread");
        }
        self.writer = None;
        self.master = None;
    }

    pub fn screen(&self) -> String {
        self.parser.lock().expect("parser lock").screen().contents()
    }

    /// Waits until `pred` holds for the screen; panics with the screen if
    /// it does not within `timeout`.
    pub fn wait_for(&self, what: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn press(&mut self, keys: &str) {
        let w = self.writer.as_mut().expect("pty still open");
        w.write_all(keys.as_bytes()).expect("write keys");
        w.flush().expect("flush keys");
    }

    /// Waits for the process to exit; returns its exit code.
    pub fn exit_code(&mut self, timeout: Duration) -> u32 {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status.exit_code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("queuescope did not exit; screen:\n{}", self.screen());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The terminal is back on the main screen, and the program said so.
    pub fn assert_restored(&self) {
        // The reader thread may still be draining the last bytes.
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let left = {
                let raw = self.raw.lock().expect("raw lock");
                raw.windows(LEAVE_ALT_SCREEN.len())
                    .any(|w| w == LEAVE_ALT_SCREEN)
            };
            let alt = self
                .parser
                .lock()
                .expect("parser lock")
                .screen()
                .alternate_screen();
            if left && !alt {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("the terminal was left on the alternate screen");
    }
}

impl Drop for Session {
    /// A failed test must not leave its program running on an orphaned pty.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
        }
    }
}
