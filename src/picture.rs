//! Pictures of the screen as files, for handouts: one frame written twice,
//! as `NAME.svg` and `NAME.txt` side by side. The live view's `x` names
//! them by the time (`queuescope-20261129-142501`), `run --snapshot FILE`
//! and `replay --snapshot-at TIME [--snapshot FILE]` by the name given.
//! The drawing is [`crate::ui::export`]'s; this module only names, checks
//! and writes the files.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use ratatui::buffer::Buffer;

use crate::app::ViewState;
use crate::error::Error;
use crate::headless::FinalPicture;
use crate::record::Recording;
use crate::replay::Cursor;
use crate::sim::{Snapshot, SnapshotRequest};
use crate::source::SourceView;
use crate::ui::{Theme, ThemeKind, export};

/// The two files one picture was written to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// The SVG.
    pub svg: PathBuf,
    /// The plain text.
    pub txt: PathBuf,
}

impl std::fmt::Display for Written {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "saved {} and {}", self.svg.display(), self.txt.display())
    }
}

/// `path` without an `.svg` or `.txt` ending, the name both files share:
/// `end` and `end.svg` both write `end.svg` and `end.txt`.
pub fn stem(path: &Path) -> PathBuf {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("svg") || e.eq_ignore_ascii_case("txt") => {
            path.with_extension("")
        }
        _ => path.to_path_buf(),
    }
}

/// `stem` with `ext` added (not replacing a dot already in the name).
fn with_ext(stem: &Path, ext: &str) -> PathBuf {
    let mut s = stem.as_os_str().to_os_string();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// Writes `buf` as `stem.svg` (titled `title`) and `stem.txt`.
pub fn write(buf: &Buffer, title: &str, stem: &Path) -> io::Result<Written> {
    let written = Written {
        svg: with_ext(stem, "svg"),
        txt: with_ext(stem, "txt"),
    };
    std::fs::write(&written.svg, export::svg(buf, title))?;
    std::fs::write(&written.txt, export::text(buf))?;
    Ok(written)
}

/// A name in `dir` no picture has yet, from the local time `now`:
/// `queuescope-20261129-142501`, then `-2`, `-3`, ... within one second.
pub fn timestamped(dir: &Path, now: SystemTime) -> PathBuf {
    let base = format!("queuescope-{}", local_stamp(now));
    let taken = |stem: &Path| with_ext(stem, "svg").exists() || with_ext(stem, "txt").exists();
    let mut stem = dir.join(&base);
    let mut n = 2;
    while taken(&stem) && n < 1000 {
        stem = dir.join(format!("{base}-{n}"));
        n += 1;
    }
    stem
}

/// `YYYYMMDD-HHMMSS` in local time (UTC if the time zone cannot be read).
fn local_stamp(now: SystemTime) -> String {
    let secs = now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let t = libc::time_t::try_from(secs).unwrap_or(0);
    // SAFETY: `tm` is plain data that localtime_r fills in; both pointers
    // are valid for the call. On failure it is left zeroed and UTC is used.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    let ok = !unsafe { libc::localtime_r(&t, &mut tm) }.is_null();
    if !ok {
        return utc_stamp(secs);
    }
    format!(
        "{:04}{:02}{:02}-{:02}{:02}{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

/// `YYYYMMDD-HHMMSS` in UTC (days to a civil date: Howard Hinnant's
/// algorithm).
fn utc_stamp(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}{month:02}{day:02}-{:02}{:02}{:02}",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Checks, before anything runs, that `dir` (given as `flag`) is a
/// directory: bad input otherwise.
pub fn check_dir(flag: &str, dir: &Path) -> Result<(), Error> {
    if dir.is_dir() {
        Ok(())
    } else {
        Err(Error::usage(format!(
            "{flag}: '{}' is not a directory",
            dir.display()
        )))
    }
}

/// Checks, before anything runs, that the directory `file` (given as
/// `flag`) would be written in exists.
pub fn check_file(flag: &str, file: &Path) -> Result<(), Error> {
    if file.as_os_str().is_empty() || file.is_dir() {
        return Err(Error::usage(format!(
            "{flag}: expected a file name, e.g. end (writes end.svg and end.txt)"
        )));
    }
    match file.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(dir) => check_dir(flag, dir),
        None => Ok(()),
    }
}

/// `snap` drawn the way a headless picture is: the live view's screen at
/// `cols`×`rows`, the default theme, with or without colour.
pub fn draw(snap: &Snapshot, view: &mut ViewState, color: bool, cols: u16, rows: u16) -> Buffer {
    let theme = Theme::new(ThemeKind::Default, color, false);
    export::frame(snap, view, &theme, cols, rows)
}

/// `run --snapshot`: the final screen of a headless run, written where
/// `pic` says. Handed to [`crate::headless`] as its picture writer.
pub fn write_final(snap: &Snapshot, pic: &FinalPicture) -> Result<String, String> {
    let buf = draw(snap, &mut ViewState::new(), pic.color, pic.cols, pic.rows);
    write(&buf, &export::title(snap), &stem(&pic.path))
        .map(|w| w.to_string())
        .map_err(|e| format!("--snapshot: {e}"))
}

/// `replay --snapshot-at`: the screen `queuescope replay` shows when
/// paused at `at` into `rec` (in presentation mode when `present`). A time
/// past the recording's end is bad input, named after the flag.
pub fn replay_at(
    rec: &Recording,
    at: Duration,
    theme: &Theme,
    present: bool,
    size: (u16, u16),
) -> Result<Buffer, Error> {
    if at > rec.duration() {
        return Err(Error::usage(format!(
            "--snapshot-at: {} is past the end of the recording ({})",
            crate::units::exact(at),
            crate::units::exact(rec.duration())
        )));
    }
    let mut cursor = Cursor::default();
    cursor.seek_to(rec, at);
    cursor.playing = false;
    let snap = cursor.snapshot(rec, SnapshotRequest::default());
    let mut view = ViewState::new();
    view.present = present;
    view.source = SourceView::Replay(cursor.view(rec));
    Ok(export::frame(&snap, &mut view, theme, size.0, size.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_files_share_one_stem() {
        assert_eq!(stem(Path::new("end")), Path::new("end"));
        assert_eq!(stem(Path::new("out/end.svg")), Path::new("out/end"));
        assert_eq!(stem(Path::new("end.TXT")), Path::new("end"));
        assert_eq!(stem(Path::new("v1.2")), Path::new("v1.2"));
        assert_eq!(with_ext(Path::new("v1.2"), "svg"), Path::new("v1.2.svg"));
    }

    #[test]
    fn utc_stamps_are_civil_dates() {
        assert_eq!(utc_stamp(0), "19700101-000000");
        // 2024-02-29 12:34:56 UTC, a leap day.
        assert_eq!(utc_stamp(1_709_210_096), "20240229-123456");
    }

    #[test]
    fn timestamped_names_do_not_overwrite() {
        let dir = std::env::temp_dir().join(format!("qs-picture-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_709_210_096);
        let first = timestamped(&dir, now);
        assert!(
            first
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("queuescope-2024")),
            "{first:?}"
        );
        let buf = draw(
            &crate::testing::running(4),
            &mut ViewState::new(),
            true,
            80,
            24,
        );
        let w = write(&buf, "t", &first).expect("written");
        assert!(w.svg.exists() && w.txt.exists());
        let second = timestamped(&dir, now);
        assert_ne!(first, second);
        assert!(second.to_string_lossy().ends_with("-2"), "{second:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_replay_is_drawn_paused_at_the_time_asked() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/recordings/worker-pool.jsonl"
        );
        let rec = crate::record::load(Path::new(path)).expect("fixture");
        let half = rec.duration() / 2;
        let buf = replay_at(&rec, half, &Theme::default(), false, (120, 30)).expect("drawn");
        let text = export::text(&buf);
        assert!(text.contains("replay ‖"), "{text}");
        assert!(text.contains("Consumer-1"), "{text}");
        let late = rec.duration() + Duration::from_secs(1);
        let e = replay_at(&rec, late, &Theme::default(), false, (120, 30)).unwrap_err();
        assert!(e.to_string().contains("--snapshot-at"), "{e}");
    }

    #[test]
    fn bad_targets_are_bad_input() {
        assert!(check_file("--snapshot", Path::new("end")).is_ok());
        assert!(check_file("--snapshot", Path::new("/no/such/dir/end")).is_err());
        assert!(check_file("--snapshot", Path::new("/")).is_err());
        assert!(check_dir("--snapshot-dir", Path::new("/no/such/dir")).is_err());
        let e = check_dir("--snapshot-dir", Path::new("/no/such")).unwrap_err();
        assert!(e.to_string().contains("--snapshot-dir"), "{e}");
    }
}
