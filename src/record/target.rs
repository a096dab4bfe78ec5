//! Where a recording goes, decided before anything runs, so `--record`
//! never destroys a file by accident:
//!
//! - a path that does not exist yet: the recording is written to a hidden
//!   temporary file in the same directory and renamed to the path at the
//!   end, so a crash leaves no half-written recording under that name;
//! - an existing regular file: refused (bad input) unless `--force`, and
//!   then replaced the same way (the old file stays whole until the new
//!   recording is complete);
//! - the scenario file of the same run: always refused, even with `--force`
//!   (same file: same device and inode, whatever the path says);
//! - a FIFO, a terminal or another character device (`/dev/stdout`,
//!   `>(gzip > r.gz)`): written directly, as a stream; nothing is replaced.
//!
//! Opening can block (a FIFO without a reader): it runs through
//! [`crate::signals::interruptible`], so Ctrl-C and SIGTERM end the wait.

use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::writer::RecordError;
use crate::signals;

/// What kind of file the recording goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A regular file, written under `temp` and renamed to `dest` at the end.
    File {
        /// Where the recording ends up (symbolic links resolved, when the
        /// path already existed).
        dest: PathBuf,
        /// Replace an existing file (`--force`); else never.
        replace: bool,
    },
    /// A FIFO or a device: written directly, never renamed or removed.
    Stream,
}

/// A checked `--record` path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The path as given (for messages).
    pub path: PathBuf,
    /// What is there.
    pub kind: Kind,
}

/// An open recording file: write to [`Opened::file`], then [`Opened::commit`].
#[derive(Debug)]
pub struct Opened {
    /// The file to write the recording to.
    pub file: File,
    /// Where the bytes go until the commit (`None` for a stream).
    temp: Option<PathBuf>,
    target: Target,
}

/// How long an open may block before the user is told what it waits for.
const SLOW_OPEN: Duration = Duration::from_secs(1);

fn create_error(path: &Path, why: impl std::fmt::Display) -> RecordError {
    RecordError::Create {
        path: path.to_path_buf(),
        why: why.to_string(),
    }
}

/// The same file: same device and inode.
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    a.dev() == b.dev() && a.ino() == b.ino()
}

impl Target {
    /// Checks `path` for a new recording: `force` allows replacing an
    /// existing regular file; `scenario` (the run's scenario file, if it
    /// came from one) is never a valid target.
    pub fn check(path: &Path, force: bool, scenario: Option<&Path>) -> Result<Target, RecordError> {
        if path.as_os_str().is_empty() {
            return Err(create_error(path, "the path is empty"));
        }
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Target::new_file(path),
            Err(e) => return Err(create_error(path, e)),
        };
        if let Some(s) = scenario
            && std::fs::metadata(s).is_ok_and(|sm| same_file(&sm, &meta))
        {
            return Err(create_error(
                path,
                "it is this run's scenario file; pick another name for the recording",
            ));
        }
        let ft = meta.file_type();
        if ft.is_dir() {
            return Err(create_error(path, "it is a directory"));
        }
        if ft.is_fifo() || ft.is_char_device() || ft.is_socket() {
            return Ok(Target {
                path: path.to_path_buf(),
                kind: Kind::Stream,
            });
        }
        if !force {
            return Err(create_error(
                path,
                "the file already exists; add --force to replace it, or pick another name",
            ));
        }
        // Replace what the path points to, not a symbolic link on the way.
        let dest = std::fs::canonicalize(path).map_err(|e| create_error(path, e))?;
        Ok(Target {
            path: path.to_path_buf(),
            kind: Kind::File {
                dest,
                replace: true,
            },
        })
    }

    /// A path that does not exist: its directory must.
    fn new_file(path: &Path) -> Result<Target, RecordError> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(create_error(path, "its directory is not a directory")),
            Err(e) => return Err(create_error(path, e)),
        }
        Ok(Target {
            path: path.to_path_buf(),
            kind: Kind::File {
                dest: path.to_path_buf(),
                replace: false,
            },
        })
    }

    /// Opens the target for writing: a temporary file beside a regular
    /// one, the path itself for a stream. Waits (for a FIFO's reader) only
    /// until a stop signal, saying after a second what it waits for.
    pub fn open(&self) -> Result<Opened, RecordError> {
        let target = self.clone();
        let shown = self.path.display().to_string();
        let mut say = move || {
            eprintln!(
                "queuescope: --record {shown}: waiting for a reader to open it (Ctrl-C to stop)"
            )
        };
        let slow: Option<(Duration, &mut dyn FnMut())> = match self.kind {
            Kind::Stream => Some((SLOW_OPEN, &mut say)),
            Kind::File { .. } => None,
        };
        signals::interruptible(move || target.open_here(), slow).map_err(|i| {
            RecordError::Interrupted {
                path: self.path.clone(),
                why: format!("{i} while waiting to open it"),
            }
        })?
    }

    /// [`Target::open`], blocking.
    fn open_here(self) -> Result<Opened, RecordError> {
        match &self.kind {
            Kind::Stream => {
                let file = OpenOptions::new()
                    .write(true)
                    .open(&self.path)
                    .map_err(|e| create_error(&self.path, e))?;
                Ok(Opened {
                    file,
                    temp: None,
                    target: self,
                })
            }
            Kind::File { dest, .. } => {
                let (file, temp) = create_temp(dest).map_err(|e| create_error(&self.path, e))?;
                Ok(Opened {
                    file,
                    temp: Some(temp),
                    target: self,
                })
            }
        }
    }

    /// Opens the target again for a new recording (the live view's
    /// restart), never waiting: a regular file replaces the recording made
    /// there before; a FIFO is opened only if a reader has it open now.
    pub fn reopen(&self) -> Result<Opened, RecordError> {
        match &self.kind {
            Kind::File { dest, .. } => Target {
                path: self.path.clone(),
                kind: Kind::File {
                    dest: dest.clone(),
                    replace: true,
                },
            }
            .open_here(),
            Kind::Stream => {
                use std::os::unix::fs::OpenOptionsExt;
                let file = OpenOptions::new()
                    .write(true)
                    .custom_flags(libc::O_NONBLOCK)
                    .open(&self.path)
                    .map_err(|e| match e.raw_os_error() {
                        Some(libc::ENXIO) => create_error(&self.path, "no reader has it open"),
                        _ => create_error(&self.path, e),
                    })?;
                blocking(&file).map_err(|e| create_error(&self.path, e))?;
                Ok(Opened {
                    file,
                    temp: None,
                    target: self.clone(),
                })
            }
        }
    }

    /// Whether opening it again may block (a FIFO waits for a reader).
    pub fn is_stream(&self) -> bool {
        self.kind == Kind::Stream
    }
}

/// Clears `O_NONBLOCK`: writes wait for the reader, on the writer thread.
fn blocking(file: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this `File` owns, with plain integer flags.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: as above.
    if unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Creates a new hidden file beside `dest`: `.NAME.PID-N.tmp`.
fn create_temp(dest: &Path) -> io::Result<(File, PathBuf)> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let dir = match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "recording".into());
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let temp = dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(f) => return Ok((f, temp)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

impl Opened {
    /// A second handle on the same file, for the writer thread (this one
    /// stays for the commit's sync).
    pub fn writer(&self) -> io::Result<File> {
        self.file.try_clone()
    }

    /// The recording is complete: sync it to disk and move it into place.
    /// A new path that appeared meanwhile is not replaced (the recording
    /// stays under its temporary name, and the error says where).
    pub fn commit(mut self) -> Result<(), RecordError> {
        let Some(temp) = self.temp.clone() else {
            return Ok(()); // a stream: nothing to move
        };
        let Kind::File { dest, replace } = &self.target.kind else {
            return Ok(());
        };
        let fail = |why: String| RecordError::Write(why);
        // On an error below, dropping `self` removes the temporary file.
        self.file
            .sync_all()
            .map_err(|e| fail(format!("{}: {e}", temp.display())))?;
        if *replace {
            std::fs::rename(&temp, dest).map_err(|e| fail(format!("{}: {e}", dest.display())))?;
            self.temp = None;
            return Ok(());
        }
        // Link, then unlink: unlike rename, a link never replaces a file.
        match std::fs::hard_link(&temp, dest) {
            Ok(()) => Ok(()), // the drop unlinks the temporary name
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                self.temp = None; // kept, and said where
                Err(fail(format!(
                    "{} appeared while recording; the recording was kept as {}",
                    dest.display(),
                    temp.display()
                )))
            }
            // A file system without hard links: look, then rename.
            Err(_) if !dest.exists() => {
                std::fs::rename(&temp, dest)
                    .map_err(|e| fail(format!("{}: {e}", dest.display())))?;
                self.temp = None;
                Ok(())
            }
            Err(e) => Err(fail(format!("{}: {e}", dest.display()))),
        }
    }

    /// The recording will not be completed: remove the temporary file (a
    /// stream is left as it is). Dropping does the same.
    pub fn discard(self) {}

    /// The target it was opened for.
    pub fn target(&self) -> &Target {
        &self.target
    }
}

impl Drop for Opened {
    /// Neither committed nor kept: the temporary file goes.
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let _ = std::fs::remove_file(temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("qs-target-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    }

    fn write_through(t: &Target, text: &str) -> Result<(), RecordError> {
        let o = t.open()?;
        use std::io::Write;
        o.writer()
            .and_then(|mut w| w.write_all(text.as_bytes()))
            .map_err(|e| RecordError::Write(e.to_string()))?;
        o.commit()
    }

    #[test]
    fn a_new_path_appears_only_when_complete() {
        let d = dir("new");
        let p = d.join("r.jsonl");
        let t = Target::check(&p, false, None).expect("new path");
        let o = t.open().expect("open");
        assert!(!p.exists(), "nothing under the name while recording");
        let temps = std::fs::read_dir(&d).expect("dir").count();
        assert_eq!(temps, 1, "one temporary file");
        o.commit().expect("commit");
        assert!(p.exists());
        assert_eq!(std::fs::read_dir(&d).expect("dir").count(), 1, "temp gone");
    }

    #[test]
    fn an_existing_file_needs_force_and_survives_a_discard() {
        let d = dir("force");
        let p = d.join("r.jsonl");
        std::fs::write(&p, "old").expect("write");
        let e = Target::check(&p, false, None).expect_err("refused");
        assert!(e.to_string().contains("already exists; add --force"), "{e}");
        let t = Target::check(&p, true, None).expect("forced");
        t.open().expect("open").discard();
        assert_eq!(std::fs::read_to_string(&p).expect("read"), "old");
        write_through(&t, "new").expect("replace");
        assert_eq!(std::fs::read_to_string(&p).expect("read"), "new");
    }

    #[test]
    fn the_scenario_file_is_never_a_target() {
        let d = dir("scenario");
        let s = d.join("s.toml");
        std::fs::write(&s, "producers = 1\n").expect("write");
        // Another spelling of the same path.
        let other = d.join(".").join("s.toml");
        let e = Target::check(&other, true, Some(&s)).expect_err("refused");
        assert!(e.to_string().contains("this run's scenario file"), "{e}");
        assert_eq!(
            std::fs::read_to_string(&s).expect("read"),
            "producers = 1\n"
        );
    }

    #[test]
    fn a_path_that_appears_meanwhile_is_not_replaced() {
        let d = dir("race");
        let p = d.join("r.jsonl");
        let t = Target::check(&p, false, None).expect("new path");
        let o = t.open().expect("open");
        std::fs::write(&p, "someone else's").expect("write");
        let e = o.commit().expect_err("kept apart");
        assert!(e.to_string().contains("appeared while recording"), "{e}");
        assert_eq!(std::fs::read_to_string(&p).expect("read"), "someone else's");
    }

    #[test]
    fn devices_are_streams_and_directories_are_refused() {
        let t = Target::check(Path::new("/dev/null"), false, None).expect("device");
        assert!(t.is_stream());
        write_through(&t, "x").expect("write to /dev/null");
        let e = Target::check(&std::env::temp_dir(), true, None).expect_err("dir");
        assert!(e.to_string().contains("is a directory"), "{e}");
        let e = Target::check(Path::new("/no/such/dir/r.jsonl"), false, None)
            .and_then(|t| t.open().map(|_| ()))
            .expect_err("no dir");
        assert!(
            e.to_string()
                .starts_with("--record: cannot create /no/such/dir/r.jsonl: "),
            "{e}"
        );
    }
}
