//! Reading the traced program's streams: the event pipe it inherited and,
//! when captured, its stdout and stderr. One `poll` with a timeout waits
//! on all of them, so the reading thread wakes at least that often to
//! check whether it should stop: a read never blocks forever, even when a
//! hung program (or a grandchild holding the pipe) never writes again.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Duration;

/// Bytes read at a time.
const CHUNK: usize = 64 * 1024;

/// Which stream bytes came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// The event pipe.
    Events,
    /// The program's stdout.
    Stdout,
    /// The program's stderr.
    Stderr,
}

/// The open streams.
pub struct Streams {
    open: Vec<(Stream, OwnedFd)>,
    /// Readable once the program has exited (a pidfd), if there is one.
    exit: Option<OwnedFd>,
    buf: Vec<u8>,
}

impl Streams {
    /// The event pipe, plus stdout and stderr when captured.
    pub fn new(
        events: Option<OwnedFd>,
        stdout: Option<impl Into<OwnedFd>>,
        stderr: Option<impl Into<OwnedFd>>,
    ) -> Streams {
        let mut open = Vec::new();
        if let Some(e) = events {
            open.push((Stream::Events, e));
        }
        if let Some(o) = stdout {
            open.push((Stream::Stdout, o.into()));
        }
        if let Some(e) = stderr {
            open.push((Stream::Stderr, e.into()));
        }
        Streams {
            open,
            exit: None,
            buf: vec![0; CHUNK],
        }
    }

    /// Waits on `fd` (readable when the program has exited) once every
    /// stream is closed, instead of looking again every few milliseconds:
    /// a program's streams close as it exits, a moment before it can be
    /// waited for.
    pub fn watch_exit(&mut self, fd: OwnedFd) {
        self.exit = Some(fd);
    }

    /// True while any stream is open.
    pub fn any_open(&self) -> bool {
        !self.open.is_empty()
    }

    /// Waits up to `timeout` for data, then hands every chunk read to
    /// `data`. A stream at its end is closed. Returns the bytes read.
    pub fn pump(&mut self, timeout: Duration, mut data: impl FnMut(Stream, &[u8])) -> usize {
        if self.open.is_empty() {
            // Only the program's exit is left to notice.
            match &self.exit {
                Some(fd) => {
                    wait_readable(fd.as_raw_fd(), timeout);
                }
                None => std::thread::sleep(timeout.min(Duration::from_millis(5))),
            }
            return 0;
        }
        let mut fds: Vec<libc::pollfd> = self
            .open
            .iter()
            .map(|(_, fd)| libc::pollfd {
                fd: fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: `fds` is a valid array of pollfd of the given length.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
        if n <= 0 {
            return 0;
        }
        let mut total = 0;
        let mut closed = Vec::new();
        for (i, p) in fds.iter().enumerate() {
            if p.revents == 0 {
                continue;
            }
            match read(p.fd, &mut self.buf) {
                Ok(0) => closed.push(i),
                Ok(k) => {
                    total += k;
                    data(self.open[i].0, &self.buf[..k]);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => closed.push(i),
            }
        }
        for i in closed.into_iter().rev() {
            self.open.remove(i);
        }
        total
    }

    /// Reads whatever is already waiting (a program that has ended),
    /// for at most `limit` in all.
    pub fn drain(&mut self, limit: Duration, mut data: impl FnMut(Stream, &[u8])) {
        let deadline = std::time::Instant::now() + limit;
        while self.any_open() && std::time::Instant::now() < deadline {
            if self.pump(Duration::from_millis(20), &mut data) == 0 {
                break;
            }
        }
    }
}

/// Waits up to `timeout` for `fd` to be readable.
fn wait_readable(fd: libc::c_int, timeout: Duration) {
    let mut p = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: one valid pollfd.
    unsafe {
        libc::poll(&mut p, 1, ms);
    }
}

fn read(fd: libc::c_int, buf: &mut [u8]) -> io::Result<usize> {
    // SAFETY: `buf` is a valid writable buffer of `buf.len()` bytes.
    let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(n as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn with_every_stream_closed_the_pump_wakes_when_the_program_exits() {
        let mut child = std::process::Command::new("sleep")
            .arg("0.3")
            .spawn()
            .expect("sleep");
        let Some(fd) = super::super::child::pidfd(child.id()) else {
            let _ = child.wait();
            eprintln!("no pidfd on this kernel: nothing to test");
            return;
        };
        let mut streams = Streams::new(None, None::<OwnedFd>, None::<OwnedFd>);
        streams.watch_exit(fd);
        let start = Instant::now();
        streams.pump(Duration::from_secs(10), |_, _| {});
        let waited = start.elapsed();
        // Woken by the exit: not after a few milliseconds, not at the timeout.
        assert!(waited >= Duration::from_millis(250), "{waited:?}");
        assert!(waited < Duration::from_secs(5), "{waited:?}");
        assert!(child.try_wait().expect("wait").is_some());
    }
}
