//! One way out: the process's exit codes, defined here and nowhere else,
//! and the one error type every command returns to `main`'s dispatch.
//!
//! A command that did its job returns `Ok(Exit)`: [`Exit::Ok`], or, when
//! its report is printed but the run went wrong, [`Exit::Failure`] or
//! [`Exit::Hang`]; `trace` passes the traced program's own code on as
//! [`Exit::Program`]. A command that stops early returns an [`Error`]; `main`
//! prints it and exits with the code of its [`Kind`].

use std::fmt;
use std::process::ExitCode;

/// How the process ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The command did what was asked.
    Ok,
    /// A runtime failure: failed items, an aborted or interrupted run,
    /// threads that could not start, a recording that could not be written.
    Failure,
    /// Bad input: a flag, a scenario file, a recording, a path; or no
    /// terminal for the live view.
    Usage,
    /// The watchdog stopped a run that could never finish.
    Hang,
    /// `queuescope trace`: the traced program ended by itself with this
    /// code (128 + the signal if one killed it), passed on as queuescope's.
    Program(u8),
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Ok => 0,
            Exit::Failure => 1,
            Exit::Usage => 2,
            Exit::Hang => 3,
            Exit::Program(code) => code,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        ExitCode::from(exit.code())
    }
}

/// What kind of error stopped a command: it decides the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Bad input (exit [`Exit::Usage`]): nothing ran, or nothing could.
    Usage,
    /// Something failed at run time (exit [`Exit::Failure`]).
    Failure,
}

/// Why a command stopped before doing its job. `Display` is the message
/// exactly as printed on stderr; for bad input it is one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: Kind,
    message: String,
}

impl Error {
    /// An error printed exactly as `message`.
    pub fn new(kind: Kind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// Bad input, printed as `error: {what}` (`what` names the flag, key or file).
    pub fn usage(what: impl fmt::Display) -> Error {
        Error::new(Kind::Usage, format!("error: {what}"))
    }

    /// A runtime failure, printed as `queuescope: {what}`.
    pub fn failure(what: impl fmt::Display) -> Error {
        Error::new(Kind::Failure, format!("queuescope: {what}"))
    }

    /// What kind of error this is.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// How the process ends because of it.
    pub fn exit(&self) -> Exit {
        match self.kind {
            Kind::Usage => Exit::Usage,
            Kind::Failure => Exit::Failure,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// What every command returns to the dispatch in `main`.
pub type Result<T = Exit> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_exit_codes() {
        let codes: Vec<u8> = [Exit::Ok, Exit::Failure, Exit::Usage, Exit::Hang]
            .into_iter()
            .map(Exit::code)
            .collect();
        assert_eq!(codes, vec![0, 1, 2, 3]);
        assert_eq!(Exit::Program(0).code(), 0);
        assert_eq!(Exit::Program(143).code(), 143);
        assert_eq!(ExitCode::from(Exit::Program(7)), ExitCode::from(7));
    }

    #[test]
    fn the_kind_decides_the_prefix_and_the_exit() {
        let bad = Error::usage("--consumers: expected a whole number");
        assert_eq!(
            bad.to_string(),
            "error: --consumers: expected a whole number"
        );
        assert_eq!(bad.exit(), Exit::Usage);
        let failed = Error::failure("could not start the threads: boom");
        assert_eq!(
            failed.to_string(),
            "queuescope: could not start the threads: boom"
        );
        assert_eq!(failed.exit(), Exit::Failure);
        let verbatim = Error::new(Kind::Usage, "two\nlines");
        assert_eq!(verbatim.to_string(), "two\nlines");
        assert_eq!(verbatim.kind(), Kind::Usage);
    }
}
