//! How the engine's plain-data types are written to a recording (see
//! `record`): serde helpers for the fields whose default encoding would be
//! lossy or bulky. Only the on-disk shape lives here; nothing in the engine
//! calls these.
//!
//! - Durations are whole **nanoseconds** (`u64`): exact, so a replayed report
//!   prints the same digits as the live one (seconds as `f64` would not
//!   round-trip every value).
//! - A swimlane is a run-length string, one letter per state and a count:
//!   `w12f3` is 12 cells working then 3 blocked on a full queue.
//! - A queue slot is `[id, producer]` for an item and `null` for a pill.

use std::time::Duration;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::state::ThreadState;

/// Clamps to `u64` nanoseconds (584 years: never reached by a run).
fn to_ns(d: &Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// `Duration` as whole nanoseconds.
pub mod nanos {
    use super::*;

    /// Writes `d` as nanoseconds.
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(to_ns(d))
    }

    /// Reads nanoseconds.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_nanos)
    }
}

/// `Option<Duration>` as nanoseconds or `null`.
pub mod nanos_opt {
    use super::*;

    /// Writes `d` as nanoseconds or `null`.
    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        d.as_ref().map(to_ns).serialize(s)
    }

    /// Reads nanoseconds or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_nanos))
    }
}

/// `[Duration; ThreadState::COUNT]` (time per state) as an array of nanoseconds.
pub mod nanos_per_state {
    use super::*;

    /// Writes the array as nanoseconds.
    pub fn serialize<S: Serializer>(
        d: &[Duration; ThreadState::COUNT],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        d.map(|x| to_ns(&x)).serialize(s)
    }

    /// Reads one nanosecond value per state: [`ThreadState::COUNT`], or the
    /// 10 of recordings made before the textbook queues' states (the
    /// later states then read 0).
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<[Duration; ThreadState::COUNT], D::Error> {
        let v = Vec::<u64>::deserialize(d)?;
        if v.len() != ThreadState::COUNT && v.len() != OLD_COUNT {
            return Err(D::Error::invalid_length(
                v.len(),
                &"one time per thread state",
            ));
        }
        let mut arr = [Duration::ZERO; ThreadState::COUNT];
        for (a, ns) in arr.iter_mut().zip(v) {
            *a = Duration::from_nanos(ns);
        }
        Ok(arr)
    }

    /// States before `waiting-lock` and `waiting-cv` were added.
    const OLD_COUNT: usize = 10;
}

/// The one-letter code of a state in a run-length lane.
pub fn state_letter(s: ThreadState) -> char {
    match s {
        ThreadState::Starting => 's',
        ThreadState::Producing => 'p',
        ThreadState::BlockedFull => 'f',
        ThreadState::WaitingEmpty => 'e',
        ThreadState::Working => 'w',
        ThreadState::Paused => 'z',
        ThreadState::Joining => 'j',
        ThreadState::Exited => 'x',
        ThreadState::Crashed => 'c',
        ThreadState::WaitingGil => 'g',
        ThreadState::WaitingLock => 'l',
        ThreadState::WaitingCv => 'v',
    }
}

fn letter_state(c: char) -> Option<ThreadState> {
    ThreadState::ALL.into_iter().find(|&s| state_letter(s) == c)
}

/// Most cells one lane may decode to: what the engine keeps per thread
/// (its history length, 240; `record`'s tests check the two agree). A
/// file asking for more is refused before anything is allocated, so a
/// small file cannot decode to a large lane.
pub const MAX_LANE: usize = 240;

/// Encodes states as runs: `w12f3`.
pub fn lane_to_rle(lane: &[ThreadState]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < lane.len() {
        let s = lane[i];
        let n = lane[i..].iter().take_while(|&&x| x == s).count();
        out.push(state_letter(s));
        out.push_str(&n.to_string());
        i += n;
    }
    out
}

/// Decodes [`lane_to_rle`]'s runs: at most [`MAX_LANE`] cells, every run
/// at least one cell long.
pub fn lane_from_rle(text: &str) -> Result<Vec<ThreadState>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let s = letter_state(c).ok_or_else(|| format!("unknown state letter {c:?} in lane"))?;
        let mut digits = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            // Past this many digits the run is too long anyway: stop copying.
            if digits.len() <= 20 {
                digits.push(*d);
            }
            chars.next();
        }
        if digits.is_empty() {
            return Err(format!("lane run {c:?} has no count"));
        }
        let n = digits
            .parse::<usize>()
            .ok()
            .filter(|&n| n <= MAX_LANE)
            .ok_or_else(|| {
                format!("lane run {c:?} of {digits} cells: a lane holds at most {MAX_LANE}")
            })?;
        if n == 0 {
            return Err(format!("lane run {c:?} has a count of 0"));
        }
        let total = out.len().checked_add(n).filter(|&t| t <= MAX_LANE);
        if total.is_none() {
            return Err(format!("lane longer than {MAX_LANE} cells"));
        }
        out.extend(std::iter::repeat_n(s, n));
    }
    Ok(out)
}

/// A swimlane as a run-length string (see the module docs).
pub mod lane {
    use super::*;

    /// Writes the runs.
    pub fn serialize<S: Serializer>(lane: &[ThreadState], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&lane_to_rle(lane))
    }

    /// Reads the runs.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ThreadState>, D::Error> {
        let text = String::deserialize(d)?;
        lane_from_rle(&text).map_err(D::Error::custom)
    }
}

/// Queue slots as `[id, producer]` (item) or `null` (pill). Generic over the
/// slot type, which converts to and from `Option<(id, producer)>`, so this
/// codec does not depend on the snapshot that uses it.
pub mod slots {
    use super::*;

    /// Writes the slots.
    pub fn serialize<T, S>(slots: &[T], s: S) -> Result<S::Ok, S::Error>
    where
        T: Copy + Into<Option<(u64, usize)>>,
        S: Serializer,
    {
        let v: Vec<Option<(u64, usize)>> = slots.iter().map(|&slot| slot.into()).collect();
        v.serialize(s)
    }

    /// Reads the slots.
    pub fn deserialize<'de, T, D>(d: D) -> Result<Vec<T>, D::Error>
    where
        T: From<Option<(u64, usize)>>,
        D: Deserializer<'de>,
    {
        let v = Vec::<Option<(u64, usize)>>::deserialize(d)?;
        Ok(v.into_iter().map(T::from).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_round_trip_as_runs() {
        use ThreadState::*;
        let lane = vec![
            Working,
            Working,
            BlockedFull,
            WaitingGil,
            WaitingGil,
            Exited,
        ];
        let text = lane_to_rle(&lane);
        assert_eq!(text, "w2f1g2x1");
        assert_eq!(lane_from_rle(&text), Ok(lane));
        assert_eq!(lane_from_rle(""), Ok(vec![]));
        assert!(lane_from_rle("w").is_err());
        assert!(lane_from_rle("q3").is_err());
        assert!(lane_from_rle("w99999999999").is_err());
    }

    #[test]
    fn a_lane_is_never_longer_than_the_engine_keeps() {
        let full = format!("w{MAX_LANE}");
        assert_eq!(lane_from_rle(&full).map(|l| l.len()), Ok(MAX_LANE));
        let e = lane_from_rle(&format!("{full}f1")).unwrap_err();
        assert_eq!(e, format!("lane longer than {MAX_LANE} cells"));
        // A count near u64::MAX once wrapped `len + n` and asked for usize::MAX.
        let e = lane_from_rle("w1w18446744073709551615").unwrap_err();
        assert!(e.contains("a lane holds at most"), "{e}");
        // Too many digits for any integer is a count that is too large, not a missing one.
        let e = lane_from_rle("w99999999999999999999").unwrap_err();
        assert_eq!(
            e,
            format!("lane run 'w' of 99999999999999999999 cells: a lane holds at most {MAX_LANE}")
        );
        assert_eq!(
            lane_from_rle("w0"),
            Err("lane run 'w' has a count of 0".into())
        );
        assert_eq!(lane_from_rle("w"), Err("lane run 'w' has no count".into()));
    }

    #[test]
    fn every_state_has_its_own_letter() {
        let mut letters: Vec<char> = ThreadState::ALL.iter().map(|&s| state_letter(s)).collect();
        letters.sort_unstable();
        letters.dedup();
        assert_eq!(letters.len(), ThreadState::COUNT);
    }
}
