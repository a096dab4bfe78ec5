//! The traced program's own output, kept for the live view's panel: the
//! newest [`MAX_LINES`] lines, each at most [`MAX_CHARS`] characters, with
//! escape sequences and control characters taken out (a program's colours
//! or cursor moves must not draw over the screen).

use std::collections::VecDeque;

use crate::sim::{OutputLine, ProgramOutput};

/// Lines kept.
pub const MAX_LINES: usize = 500;
/// Characters kept of a line.
pub const MAX_CHARS: usize = 300;
/// A line longer than this many bytes is cut here (a program that never
/// prints a newline must not grow memory).
const MAX_PARTIAL: usize = 8 * 1024;

/// The newest lines of stdout and stderr, in the order they came.
#[derive(Debug, Default)]
pub struct OutputRing {
    lines: VecDeque<OutputLine>,
    total: u64,
    partial: [Vec<u8>; 2],
}

impl OutputRing {
    /// Feeds bytes from stdout (`err` false) or stderr.
    pub fn feed(&mut self, err: bool, bytes: &[u8]) {
        let i = usize::from(err);
        for &b in bytes {
            if b == b'\n' || b == b'\r' {
                // A carriage return (a progress bar) starts a new line too.
                if b == b'\n' || !self.partial[i].is_empty() {
                    self.push(err);
                }
            } else {
                self.partial[i].push(b);
                if self.partial[i].len() >= MAX_PARTIAL {
                    self.push(err);
                }
            }
        }
    }

    /// Ends a pending line without a newline (the program has ended).
    pub fn flush(&mut self) {
        for err in [false, true] {
            if !self.partial[usize::from(err)].is_empty() {
                self.push(err);
            }
        }
    }

    fn push(&mut self, err: bool) {
        let raw = std::mem::take(&mut self.partial[usize::from(err)]);
        let text = clean(&String::from_utf8_lossy(&raw));
        if self.lines.len() == MAX_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(OutputLine { err, text });
        self.total += 1;
    }

    /// The newest `n` lines, for a snapshot.
    pub fn snapshot(&self, n: usize) -> ProgramOutput {
        let skip = self.lines.len().saturating_sub(n);
        ProgramOutput {
            lines: self.lines.iter().skip(skip).cloned().collect(),
            total: self.total,
        }
    }
}

/// Drops escape sequences and control characters, turns tabs into
/// spaces, and keeps at most [`MAX_CHARS`] characters.
pub fn clean(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    let mut n = 0;
    while let Some(c) = chars.next() {
        if n >= MAX_CHARS {
            out.push('…');
            break;
        }
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            '\t' => {
                out.push_str("    ");
                n += 4;
            }
            c if c.is_control() => {}
            c => {
                out.push(c);
                n += 1;
            }
        }
    }
    out
}

/// Skips the rest of an escape sequence (CSI `ESC [ … final`, OSC
/// `ESC ] … BEL/ST`, or a two-character one).
fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.next() {
        Some('[') => {
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
            }
        }
        Some(']') => {
            while let Some(c) = chars.next() {
                if c == '\u{7}' || (c == '\u{1b}' && chars.peek() == Some(&'\\')) {
                    chars.next();
                    break;
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_cleaned_and_bounded() {
        let mut r = OutputRing::default();
        r.feed(false, b"hello \x1b[31mred\x1b[0m\tx\n50%\r60%\rpart");
        r.feed(true, b"oops\x07\n");
        r.flush();
        let texts: Vec<(bool, String)> = r
            .snapshot(10)
            .lines
            .into_iter()
            .map(|l| (l.err, l.text))
            .collect();
        assert_eq!(
            texts,
            vec![
                (false, "hello red    x".to_string()),
                (false, "50%".to_string()),
                (false, "60%".to_string()),
                (true, "oops".to_string()),
                (false, "part".to_string()),
            ]
        );
        for _ in 0..MAX_LINES + 5 {
            r.feed(false, b"x\n");
        }
        let s = r.snapshot(usize::MAX);
        assert_eq!(s.lines.len(), MAX_LINES);
        assert_eq!(s.total, 5 + MAX_LINES as u64 + 5);
        r.feed(false, &vec![b'y'; 3 * MAX_PARTIAL]);
        let last = r.snapshot(1).lines[0].text.clone();
        assert_eq!(last.chars().count(), MAX_CHARS + 1);
    }
}
