//! A scenario file's size in values, counted before it is parsed: the TOML
//! parser spends about 160 bytes on each value, so a 16 MiB file of
//! `x = [0,0,0,...]` would take over a gigabyte before any key is checked.
//! A cheap pass over the text counts the separators every value needs
//! (`,` `=` `[` `{`, outside strings and comments) and refuses a file with
//! more than a scenario can use: the longest `words` list and then some.

use crate::sim::config::limits;

/// Most separators a scenario file may hold (a full `words` list is one
/// comma per word).
pub const MAX_VALUES: usize = 2 * limits::MAX_WORDS + 1_000;

/// Where scanning is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum In {
    Code,
    Comment,
    Basic,
    Literal,
    MultiBasic,
    MultiLiteral,
}

/// The byte offset at which `source` passes [`MAX_VALUES`] separators, if
/// it does.
pub fn over_budget(source: &str) -> Option<usize> {
    let b = source.as_bytes();
    let mut state = In::Code;
    let mut count = 0usize;
    let mut i = 0;
    let triple = |i: usize, q: u8| b.get(i..i + 3) == Some(&[q, q, q][..]);
    while i < b.len() {
        let c = b[i];
        let mut step = 1;
        match state {
            In::Code => match c {
                b'#' => state = In::Comment,
                b'"' if triple(i, b'"') => (state, step) = (In::MultiBasic, 3),
                b'"' => state = In::Basic,
                b'\'' if triple(i, b'\'') => (state, step) = (In::MultiLiteral, 3),
                b'\'' => state = In::Literal,
                b',' | b'=' | b'[' | b'{' => {
                    count += 1;
                    if count > MAX_VALUES {
                        return Some(i);
                    }
                }
                _ => {}
            },
            In::Comment if c == b'\n' => state = In::Code,
            In::Basic | In::MultiBasic if c == b'\\' => step = 2,
            In::Basic if c == b'"' || c == b'\n' => state = In::Code,
            In::Literal if c == b'\'' || c == b'\n' => state = In::Code,
            In::MultiBasic if triple(i, b'"') => (state, step) = (In::Code, 3),
            In::MultiLiteral if triple(i, b'\'') => (state, step) = (In::Code, 3),
            _ => {}
        }
        i += step;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_in_strings_and_comments_do_not_count() {
        let many = ",".repeat(MAX_VALUES + 10);
        for quiet in [
            format!("# {many}\nitems = 3\n"),
            format!("lesson = \"{many}\"\n"),
            format!("lesson = '{many}'\n"),
            format!("lesson = \"\"\"\n{many}\n\"\"\"\n"),
            format!("lesson = '''{many}'''\n"),
            format!("lesson = \"a \\\" {many}\"\n"),
        ] {
            assert_eq!(over_budget(&quiet), None, "{}", &quiet[..20]);
        }
        let loud = format!("x = [{}0]\n", "0,".repeat(MAX_VALUES));
        // `=` and `[` count too: the limit falls on comma MAX_VALUES - 1, at 4 + 2k.
        assert_eq!(over_budget(&loud), Some(2 * MAX_VALUES + 2));
        assert_eq!(over_budget("producers = 2\nwords = [\"a\", \"b\"]\n"), None);
    }
}
