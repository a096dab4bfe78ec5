//! Starting and stopping the traced program.
//!
//! The child runs in a process group of its own, so stopping it reaches
//! whatever it started too (a `sh -c` wrapper, a pyenv shim) and so the
//! terminal's Ctrl-C reaches queuescope, which then stops it the one way:
//! SIGTERM to the group, SIGKILL after [`GRACE`]. It also gets SIGKILL if
//! queuescope itself dies (`PR_SET_PDEATHSIG`), so no way of ending leaves
//! it running. Its exit is noticed without reaping it (`waitid` with
//! `WNOWAIT`), so its process group id cannot be reused by an unrelated
//! process while it is still being signalled.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::error::Exit;

/// How long a program gets to end after SIGTERM before SIGKILL.
pub const GRACE: Duration = Duration::from_secs(2);

/// The shim's sitecustomize (chains to the one it shadows).
const SITECUSTOMIZE: &str = include_str!("../../assets/trace/sitecustomize.py");
/// The shim itself.
const SHIM: &str = include_str!("../../assets/trace/_queuescope_trace.py");

/// Where the program's output goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// Pipes queuescope reads (the live view's panel).
    Capture,
    /// queuescope's own stdout and stderr (headless).
    PassThrough,
    /// Both to queuescope's stderr (`--json`: stdout is the report).
    ToStderr,
}

/// What to start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// The program and its arguments.
    pub command: Vec<OsString>,
    /// Where its output goes.
    pub output: Output,
    /// Let the shim send plain ints in compact form (off when an int is a pill).
    pub compact: bool,
}

/// How the program ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// It exited with this code.
    Code(i32),
    /// A signal ended it.
    Signal(i32),
}

impl Ended {
    /// The exit code a shell would report (128 + the signal).
    pub fn code(self) -> i32 {
        match self {
            Ended::Code(c) => c,
            Ended::Signal(s) => 128 + s,
        }
    }

    /// How queuescope ends for it: with the same code.
    pub fn exit(self) -> Exit {
        // A wait status holds 0..=255, and a signal number is below 128.
        Exit::Program(u8::try_from(self.code()).unwrap_or(u8::MAX))
    }
}

/// A running program.
pub struct Running {
    child: Child,
    /// The read end of the event pipe (taken by the reader).
    pub events: Option<OwnedFd>,
    /// Its stdout, when captured.
    pub stdout: Option<ChildStdout>,
    /// Its stderr, when captured.
    pub stderr: Option<ChildStderr>,
    /// A pidfd, readable once it has exited (none before Linux 5.3).
    pub exit: Option<OwnedFd>,
    shim: ShimDir,
    ended: Option<Ended>,
}

/// The private directory holding the shim: a per-user cache directory
/// named after the shim's contents, so Python's compiled copy (its
/// `__pycache__`) is reused from run to run (compiling the shim costs more
/// than running its set-up), or else a fresh temporary one, removed when
/// dropped.
struct ShimDir {
    path: PathBuf,
    remove: bool,
}

impl ShimDir {
    fn create() -> io::Result<ShimDir> {
        if let Some(path) = cached_dir() {
            return Ok(ShimDir {
                path,
                remove: false,
            });
        }
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        for _ in 0..16 {
            let n = SEQ.fetch_add(1, Ordering::Relaxed);
            let dir = base.join(format!("queuescope-trace-{}-{n}", std::process::id()));
            match fs::DirBuilder::new().mode(0o700).create(&dir) {
                Ok(()) => {
                    let d = ShimDir {
                        path: dir,
                        remove: true,
                    };
                    write_shim(&d.path)?;
                    return Ok(d);
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other("no free name for the shim's directory"))
    }
}

impl Drop for ShimDir {
    fn drop(&mut self) {
        if self.remove {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// Writes the shim's two files into `dir` (each through a temporary name
/// and a rename, so a concurrent run never sees half a file).
fn write_shim(dir: &Path) -> io::Result<()> {
    for (name, text) in [
        ("sitecustomize.py", SITECUSTOMIZE),
        ("_queuescope_trace.py", SHIM),
    ] {
        let path = dir.join(name);
        if fs::read(&path).is_ok_and(|b| b == text.as_bytes()) {
            continue;
        }
        let tmp = dir.join(format!(".{name}.{}", std::process::id()));
        fs::write(&tmp, text)?;
        fs::rename(&tmp, &path)?;
    }
    Ok(())
}

/// `$XDG_CACHE_HOME/queuescope/trace-<hash>` (or under `~/.cache`), if it
/// can be made ours alone: a directory others could write to would let
/// them put code into the traced program.
fn cached_dir() -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))?;
    let hash = SITECUSTOMIZE
        .bytes()
        .chain(SHIM.bytes())
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
    let dir = base.join("queuescope").join(format!("trace-{hash:016x}"));
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .ok()?;
    let meta = fs::symlink_metadata(&dir).ok()?;
    // SAFETY: geteuid cannot fail.
    let me = unsafe { libc::geteuid() };
    if !meta.is_dir() || meta.uid() != me || meta.mode() & 0o022 != 0 {
        return None;
    }
    write_shim(&dir).ok()?;
    Some(dir)
}

/// A pipe whose both ends close on exec.
fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded: both are open descriptors we now own.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// A pidfd for our child `pid`, if the kernel has them.
pub(crate) fn pidfd(pid: u32) -> Option<OwnedFd> {
    let pid = libc::pid_t::try_from(pid).ok()?;
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor
    // (always close-on-exec) or -1; the child is not reaped yet, so the pid
    // is still ours.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let fd = RawFd::try_from(fd).ok().filter(|fd| *fd >= 0)?;
    // SAFETY: pidfd_open succeeded: a new descriptor we now own.
    Some(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `PYTHONPATH` with the shim's directory first.
fn python_path(dir: &Path) -> OsString {
    let mut p = dir.as_os_str().to_os_string();
    if let Some(old) = std::env::var_os("PYTHONPATH").filter(|o| !o.is_empty()) {
        p.push(":");
        p.push(old);
    }
    p
}

/// Starts the program with tracing on. An error is one line.
pub fn spawn(spec: &Spec) -> Result<Running, String> {
    let Some((program, args)) = spec.command.split_first() else {
        return Err("trace: no program given (queuescope trace -- python3 prog.py)".into());
    };
    let shown = Path::new(program).display().to_string();
    let shim = ShimDir::create().map_err(|e| format!("trace: cannot write the shim: {e}"))?;
    let (read, write) = pipe().map_err(|e| format!("trace: cannot make a pipe: {e}"))?;
    let wfd = write.as_raw_fd();
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env("PYTHONPATH", python_path(&shim.path))
        .env("QUEUESCOPE_TRACE", format!("fd:{wfd}"))
        .env(
            "QUEUESCOPE_TRACE_COMPACT",
            if spec.compact { "1" } else { "0" },
        );
    set_output(&mut cmd, spec.output).map_err(|e| format!("trace: {e}"))?;
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setpgid(0, 0) != 0
                || libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0
                || libc::fcntl(wfd, libc::F_SETFD, 0) != 0
            {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("trace: cannot start '{shown}': {e}"))?;
    drop(write);
    Ok(Running {
        exit: pidfd(child.id()),
        stdout: child.stdout.take(),
        stderr: child.stderr.take(),
        child,
        events: Some(read),
        shim,
        ended: None,
    })
}

fn set_output(cmd: &mut Command, output: Output) -> io::Result<()> {
    use std::io::IsTerminal;
    match output {
        Output::Capture => {
            cmd.stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
        }
        Output::PassThrough | Output::ToStderr => {
            // In a group of its own the program may not read the terminal
            // (it would be stopped); piped input is passed on.
            if io::stdin().is_terminal() {
                cmd.stdin(Stdio::null());
            }
            if output == Output::ToStderr {
                let err = std::os::fd::AsFd::as_fd(&io::stderr()).try_clone_to_owned()?;
                cmd.stdout(Stdio::from(err));
            }
        }
    }
    Ok(())
}

impl Running {
    /// The program's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// How it ended, once it has (it is not reaped yet, see the module doc).
    pub fn ended(&mut self) -> Option<Ended> {
        if self.ended.is_some() {
            return self.ended;
        }
        // SAFETY: siginfo_t is plain data; waitid fills it in.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: a valid pid of our own child and a valid siginfo pointer.
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                self.child.id(),
                &mut info,
                libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
            )
        };
        // SAFETY: waitid succeeded, so si_pid/si_status are filled in (a
        // zero pid means the child has not changed state).
        if r != 0 || unsafe { info.si_pid() } == 0 {
            return None;
        }
        let status = unsafe { info.si_status() };
        self.ended = Some(if info.si_code == libc::CLD_EXITED {
            Ended::Code(status)
        } else {
            Ended::Signal(status)
        });
        self.ended
    }

    /// Stops it: SIGTERM to its group, SIGKILL after `grace` (and to
    /// whatever of the group is left), then reaps it. Returns how it ended.
    pub fn stop(&mut self, grace: Duration) -> Ended {
        if self.ended().is_none() {
            self.signal(libc::SIGTERM);
            let deadline = Instant::now() + grace;
            while self.ended().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        // The leader is not reaped yet, so the group id is still ours.
        self.signal(libc::SIGKILL);
        self.reap()
    }

    fn signal(&self, sig: libc::c_int) {
        let Ok(pgid) = libc::pid_t::try_from(self.child.id()) else {
            return;
        };
        // SAFETY: signalling our own child's process group.
        unsafe {
            libc::kill(-pgid, sig);
        }
    }

    /// Waits for it and releases its pid; how it ended.
    pub fn reap(&mut self) -> Ended {
        let status = self.child.wait();
        let ended = match status {
            Ok(s) => {
                use std::os::unix::process::ExitStatusExt;
                match (s.code(), s.signal()) {
                    (Some(c), _) => Ended::Code(c),
                    (None, Some(sig)) => Ended::Signal(sig),
                    (None, None) => Ended::Code(1),
                }
            }
            Err(_) => self.ended.unwrap_or(Ended::Code(1)),
        };
        self.ended = Some(ended);
        ended
    }

    /// The shim's directory (for tests).
    pub fn shim_dir(&self) -> &Path {
        &self.shim.path
    }
}

impl Drop for Running {
    /// Never leaves the program running.
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.stop(GRACE);
        }
    }
}
