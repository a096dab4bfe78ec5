//! Which queue a run uses: the crossbeam channel, or one of OSTEP's three
//! textbook bounded buffers (a mutex and condition variables), and the names
//! of their condition variables.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The queue a run's threads share.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueueKind {
    /// crossbeam-channel: lock-free, the default.
    #[default]
    Channel,
    /// OSTEP `main-two-cvs-while.c`: two condition variables (`empty`,
    /// `fill`), each wait in a `while` loop. Correct.
    Condvar,
    /// OSTEP `main-one-cv-while.c`: one condition variable (`cond`) for both
    /// sides. A consumer can wake a consumer instead of the producer.
    CondvarOneCv,
    /// OSTEP `main-two-cvs-if.c`: two condition variables, each wait under an
    /// `if`. A woken thread does not re-check its condition.
    CondvarIf,
}

impl QueueKind {
    /// Every kind, in the order `--help` lists them.
    pub const ALL: [QueueKind; 4] = [
        QueueKind::Channel,
        QueueKind::Condvar,
        QueueKind::CondvarOneCv,
        QueueKind::CondvarIf,
    ];

    /// The name the flag, the scenario key and the JSON use.
    pub fn name(self) -> &'static str {
        match self {
            QueueKind::Channel => "channel",
            QueueKind::Condvar => "condvar",
            QueueKind::CondvarOneCv => "condvar-one-cv",
            QueueKind::CondvarIf => "condvar-if",
        }
    }

    /// The kind of this name.
    pub fn parse(s: &str) -> Option<QueueKind> {
        Self::ALL.into_iter().find(|k| k.name() == s.trim())
    }

    /// True for the mutex + condition-variable buffers.
    pub fn is_textbook(self) -> bool {
        self != QueueKind::Channel
    }

    /// The condition variable a thread waits on when the buffer is full
    /// (`is_full`) or empty.
    pub fn cv_for(self, is_full: bool) -> Cv {
        match (self, is_full) {
            (QueueKind::CondvarOneCv, _) => Cv::Cond,
            (_, true) => Cv::Empty,
            (_, false) => Cv::Fill,
        }
    }

    /// Whether a woken thread checks its condition again (`while`).
    pub fn rechecks(self) -> bool {
        self != QueueKind::CondvarIf
    }
}

impl fmt::Display for QueueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A textbook buffer's condition variable, by its name in OSTEP's code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cv {
    /// Producers wait on it while the buffer is full; consumers signal it.
    Empty,
    /// Consumers wait on it while the buffer is empty; producers signal it.
    Fill,
    /// The one variable of the one-cv buffer: everybody waits and signals here.
    Cond,
}

impl Cv {
    /// Its name in the code.
    pub fn name(self) -> &'static str {
        match self {
            Cv::Empty => "empty",
            Cv::Fill => "fill",
            Cv::Cond => "cond",
        }
    }

    /// Index for per-variable tables.
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// From a stored byte (0 = none).
    pub fn from_u8(b: u8) -> Option<Cv> {
        match b {
            1 => Some(Cv::Empty),
            2 => Some(Cv::Fill),
            3 => Some(Cv::Cond),
            _ => None,
        }
    }

    /// As a stored byte (never 0).
    pub fn to_u8(self) -> u8 {
        self as u8 + 1
    }
}

impl fmt::Display for Cv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_the_variables_follow_the_code() {
        for k in QueueKind::ALL {
            assert_eq!(QueueKind::parse(k.name()), Some(k));
        }
        assert_eq!(QueueKind::parse("mutex"), None);
        assert_eq!(QueueKind::Condvar.cv_for(true), Cv::Empty);
        assert_eq!(QueueKind::CondvarIf.cv_for(false), Cv::Fill);
        assert_eq!(QueueKind::CondvarOneCv.cv_for(true), Cv::Cond);
        assert!(!QueueKind::CondvarIf.rechecks() && QueueKind::CondvarOneCv.rechecks());
        for cv in [Cv::Empty, Cv::Fill, Cv::Cond] {
            assert_eq!(Cv::from_u8(cv.to_u8()), Some(cv));
        }
        assert_eq!(Cv::from_u8(0), None);
    }
}
