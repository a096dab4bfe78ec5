//! Functions longer than a limit, counted exactly as the project's
//! `longfns.py` checker counts them: from the `fn` line to the line that
//! closes its body, braces counted per line outside strings, character
//! literals and `//` comments, and nothing after a file's first
//! `#[cfg(test)]`.

/// A function over the limit.
#[derive(Debug, PartialEq, Eq)]
pub struct LongFn {
    /// File, relative to the crate root.
    pub path: String,
    /// 1-based line of the `fn`.
    pub line: usize,
    /// The function's name.
    pub name: String,
    /// Lines from the `fn` line to the closing brace, both included.
    pub len: usize,
}

/// The functions in `text` (the file at `path`) longer than `limit` lines.
pub fn long_functions(path: &str, text: &str, limit: usize) -> Vec<LongFn> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let Some(name) = fn_name(line) else {
            i += 1;
            continue;
        };
        let (last, started) = body_end(&lines, i);
        let len = last - i + 1;
        if started && len > limit {
            out.push(LongFn {
                path: path.to_string(),
                line: i + 1,
                name,
                len,
            });
        }
        i = if started { last + 1 } else { i + 1 };
    }
    out
}

/// The last line of the item whose `fn` is on line `first`, and whether it
/// has a body at all (a trait method's `fn f();` has none).
fn body_end(lines: &[&str], first: usize) -> (usize, bool) {
    let mut depth = 0i64;
    let mut started = false;
    let mut j = first;
    while j < lines.len() {
        let code = without_literals(lines[j]);
        let code = code.split("//").next().unwrap_or("");
        for c in code.chars() {
            if c == '{' {
                depth += 1;
                started = true;
            } else if c == '}' {
                depth -= 1;
            }
        }
        if (started && depth == 0) || (!started && code.trim_end().ends_with(';')) {
            break;
        }
        j += 1;
    }
    (j, started)
}

/// The name of the function a line declares: `[pub[(…)]] [const] [async]
/// [unsafe] fn NAME`, at the start of the line after indentation.
fn fn_name(line: &str) -> Option<String> {
    let mut rest = line.trim_start();
    if let Some(after) = rest.strip_prefix("pub") {
        let after = match after.strip_prefix('(') {
            Some(inner) => inner.find(')').map(|k| &inner[k + 1..]),
            None => Some(after),
        };
        if let Some(after) = after.and_then(spaces) {
            rest = after;
        }
    }
    for keyword in ["const", "async", "unsafe"] {
        if let Some(after) = rest.strip_prefix(keyword).and_then(spaces) {
            rest = after;
        }
    }
    let rest = rest.strip_prefix("fn").and_then(spaces)?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// `s` after one or more leading whitespace characters; `None` if it does
/// not start with whitespace.
fn spaces(s: &str) -> Option<&str> {
    let trimmed = s.trim_start();
    (trimmed.len() < s.len()).then_some(trimmed)
}

/// One line with each complete string literal replaced by `""` and each
/// one-character literal (`'x'`, `'\n'`) by `''`.
fn without_literals(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '"'
            && let Some(end) = string_end(&chars, i)
        {
            out.push_str("\"\"");
            i = end;
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    let chars: Vec<char> = out.chars().collect();
    let mut done = String::with_capacity(out.len());
    let mut i = 0;
    while i < chars.len() {
        let at = |k: usize| chars.get(i + k).copied();
        let len = match (at(1), at(2), at(3)) {
            (Some('\\'), Some(_), Some('\'')) => 4,
            (Some(c), Some('\''), _) if c != '\'' && c != '\\' => 3,
            _ => 0,
        };
        if chars[i] == '\'' && len > 0 {
            done.push_str("''");
            i += len;
        } else {
            done.push(chars[i]);
            i += 1;
        }
    }
    done
}

/// End (exclusive) of the string literal opened at `i`, if it closes on
/// this line.
fn string_end(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < chars.len() {
        match chars[j] {
            '\\' if j + 1 < chars.len() => j += 2,
            '\\' => return None,
            '"' => return Some(j + 1),
            _ => j += 1,
        }
    }
    None
}
