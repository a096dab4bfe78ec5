//! The one error type of scenario loading. Every variant displays as a single
//! line that says where the problem is (file:line:col, or the flag), which key,
//! what is accepted, and what was given, so a user can fix it without docs.

use std::fmt;
use std::ops::Range;

/// Why a scenario could not be turned into a [`Config`](crate::sim::Config).
///
/// `Display` is one line without a leading `error: ` (the caller prints that
/// prefix, as for every other error), e.g.
/// `classic.toml:3:12: capacity: expected 0 (rendezvous), a number up to 1000000, or "unbounded"; got -4`.
#[derive(Debug)]
#[non_exhaustive]
pub enum ScenarioError {
    /// A scenario file could not be read.
    Read {
        /// The path as the user gave it.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The name is neither a preset nor a scenario file.
    UnknownScenario {
        /// The name as given.
        name: String,
    },
    /// A problem inside a scenario file: bad syntax, an unknown key or a bad value.
    File {
        /// The file as the user named it (`presets/NAME.toml` for a preset).
        file: String,
        /// 1-based line of the offending key or value.
        line: usize,
        /// 1-based column, in characters.
        col: usize,
        /// What is wrong, starting with the key: `producers: expected ...; got 0`.
        message: String,
    },
    /// A bad command-line flag value.
    Flag {
        /// The flag, with its dashes: `--consumers`.
        flag: String,
        /// What is wrong: `expected ...; got "0"`.
        message: String,
    },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Read { path, source } => {
                write!(f, "{path}: cannot read scenario file: {source}")
            }
            ScenarioError::UnknownScenario { name } => write!(
                f,
                "--scenario: expected a preset ({}) or a path to a .toml file; got {}",
                super::presets::names().join(", "),
                quote_text(name)
            ),
            ScenarioError::File {
                file,
                line,
                col,
                message,
            } => write!(f, "{file}:{line}:{col}: {message}"),
            ScenarioError::Flag { flag, message } => write!(f, "{flag}: {message}"),
        }
    }
}

impl std::error::Error for ScenarioError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScenarioError::Read { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Longest quoted value in a message, in characters: enough to recognise it,
/// short enough that a 100,000-word list does not flood the terminal.
const MAX_QUOTE_CHARS: usize = 40;

/// Shortens `s` to its first line and [`MAX_QUOTE_CHARS`], marking any cut.
fn shorten(s: &str) -> String {
    let first = s.lines().next().unwrap_or("");
    let cut = first.chars().count() > MAX_QUOTE_CHARS || first.len() < s.trim_end().len();
    let mut out: String = first.chars().take(MAX_QUOTE_CHARS).collect();
    if cut {
        out.push('…');
    }
    out
}

/// A flag's value as it is shown after `got`: in quotes with escapes, so an
/// empty value or stray spaces are visible.
pub(crate) fn quote_text(text: &str) -> String {
    let quoted = format!("{text:?}");
    if quoted.chars().count() > MAX_QUOTE_CHARS + 2 {
        // Keep the opening quote and mark the cut instead of a closing quote.
        format!(
            "{}…",
            quoted.chars().take(MAX_QUOTE_CHARS + 1).collect::<String>()
        )
    } else {
        quoted
    }
}

/// A file's value as it is shown after `got`: exactly as written in the file.
pub(crate) fn quote_source(source: &str, span: &Range<usize>) -> String {
    shorten(source.get(span.clone()).unwrap_or(""))
}

/// 1-based line and character column of byte `offset` in `source`.
pub(crate) fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    // A span from the parser is on a char boundary; be safe anyway.
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_in_characters() {
        let src = "a = 1\nbé = 2\n";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 4), (1, 5));
        assert_eq!(line_col(src, 6), (2, 1));
        // 'é' is two bytes but one column.
        assert_eq!(line_col(src, 11), (2, 5));
        assert_eq!(line_col(src, 999), (3, 1));
    }

    #[test]
    fn quotes_are_short_and_single_line() {
        assert_eq!(quote_text("0"), "\"0\"");
        assert_eq!(quote_text(""), "\"\"");
        assert_eq!(
            quote_text(&"x".repeat(100)),
            format!("\"{}…", "x".repeat(40))
        );
        assert_eq!(quote_source("k = [1,\n2]", &(4..10)), "[1,…");
        assert_eq!(quote_source("k = -4", &(4..6)), "-4");
        assert_eq!(quote_source("k = -4", &(4..60)), "");
    }

    #[test]
    fn every_variant_is_one_line() {
        let errors = [
            ScenarioError::Read {
                path: "x.toml".into(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "No such file or directory",
                ),
            },
            ScenarioError::UnknownScenario {
                name: "nope".into(),
            },
            ScenarioError::File {
                file: "a.toml".into(),
                line: 3,
                col: 12,
                message: "capacity: expected 0; got -4".into(),
            },
            ScenarioError::Flag {
                flag: "--consumers".into(),
                message: "expected a whole number from 1 to 1024; got \"0\"".into(),
            },
        ];
        for e in &errors {
            assert!(!e.to_string().contains('\n'), "{e}");
        }
        assert_eq!(
            errors[0].to_string(),
            "x.toml: cannot read scenario file: No such file or directory"
        );
        assert_eq!(
            errors[2].to_string(),
            "a.toml:3:12: capacity: expected 0; got -4"
        );
        assert_eq!(
            errors[1].to_string(),
            "--scenario: expected a preset (default, classic, worker-pool, pool-map, fetch-pool, \
             backpressure, starved, runaway, rendezvous, mmc, too-few-pills, early-pill, gil-cpu, \
             gil-io, ostep-two-cvs, ostep-one-cv, ostep-if) or a path to a .toml file; got \"nope\""
        );
    }
}
