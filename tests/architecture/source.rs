//! Reading `src/` the way the architecture checks need it: which top-level
//! module each file belongs to, its code with comments, string contents and
//! test-only items blanked out (line numbers kept), and the modules of the
//! crate it names through `crate::` or `super::` paths.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// One source file of the library.
pub struct File {
    /// Path relative to the crate root, with `/` separators: `src/ui/mod.rs`.
    pub path: String,
    /// The text as written.
    pub text: String,
    /// The text with comments, string contents and `#[cfg(test)]` items
    /// replaced by spaces; newlines stay where they were.
    pub code: String,
}

impl File {
    /// A file from its path and text.
    pub fn new(path: &str, text: &str) -> File {
        File {
            path: path.to_string(),
            text: text.to_string(),
            code: without_test_items(&blank_comments_and_strings(text)),
        }
    }

    /// The module path inside the crate: `src/ui/fmt.rs` is `[ui, fmt]`,
    /// `src/ui/mod.rs` is `[ui]`, `src/lib.rs` is `[]`.
    pub fn module_path(&self) -> Vec<String> {
        let inner = self.path.trim_start_matches("src/").trim_end_matches(".rs");
        let mut parts: Vec<String> = inner.split('/').map(str::to_string).collect();
        if matches!(
            parts.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) {
            parts.pop();
        }
        parts
    }

    /// The top-level module this file is part of (`None` for the crate
    /// roots `lib.rs` and `main.rs`).
    pub fn top_module(&self) -> Option<String> {
        self.module_path().into_iter().next()
    }

    /// 1-based line of byte offset `at`.
    pub fn line_of(&self, at: usize) -> usize {
        self.code[..at].matches('\n').count() + 1
    }
}

/// Every `.rs` file under `root/src` except the test-only module files
/// (`#[cfg(test)] mod tests;`), sorted by path.
pub fn load_crate(root: &Path) -> Vec<File> {
    let mut paths = Vec::new();
    walk(&root.join("src"), &mut paths);
    paths.sort();
    let files: Vec<File> = paths
        .iter()
        .map(|p| {
            let text = fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let rel = p.strip_prefix(root).expect("under the root");
            let rel = rel.to_string_lossy().replace('\\', "/");
            File::new(&rel, &text)
        })
        .collect();
    without_test_files(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `files` without those that only exist under `cfg(test)`, and without
/// anything below such a module's directory.
pub fn without_test_files(files: Vec<File>) -> Vec<File> {
    let mut test_dirs = BTreeSet::new();
    for f in &files {
        for name in test_modules(&f.text) {
            let dir = f.path.trim_end_matches(".rs");
            let dir = match dir.rsplit_once('/') {
                Some((parent, "mod" | "lib" | "main")) => parent.to_string(),
                _ => dir.to_string(),
            };
            test_dirs.insert(format!("{dir}/{name}"));
        }
    }
    files
        .into_iter()
        .filter(|f| {
            let stem = f.path.trim_end_matches(".rs").trim_end_matches("/mod");
            !test_dirs
                .iter()
                .any(|t| stem == t || stem.starts_with(&format!("{t}/")))
        })
        .collect()
}

/// Names of the modules `text` declares as `#[cfg(test)] mod NAME;`.
fn test_modules(text: &str) -> Vec<String> {
    let code = blank_comments_and_strings(text);
    let mut names = Vec::new();
    let mut from = 0;
    while let Some(i) = code[from..].find(CFG_TEST) {
        let after = skip_attributes(&code, from + i);
        let rest = code[after..].trim_start();
        let rest = rest.strip_prefix("pub ").unwrap_or(rest).trim_start();
        if let Some(decl) = rest.strip_prefix("mod ") {
            let name: String = decl
                .trim_start()
                .chars()
                .take_while(|c| is_ident(*c))
                .collect();
            if decl.trim_start()[name.len()..]
                .trim_start()
                .starts_with(';')
            {
                names.push(name);
            }
        }
        from += i + CFG_TEST.len();
    }
    names
}

const CFG_TEST: &str = "#[cfg(test)]";

/// True for characters that can be part of an identifier.
pub fn is_ident(c: char) -> bool {
    c == '_' || c.is_alphanumeric()
}

/// `text` with comments and the insides of string and character literals
/// replaced by spaces. Newlines are kept, so lines still line up.
pub fn blank_comments_and_strings(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        let prev_ident = i > 0 && is_ident(chars[i - 1]);
        let end = if c == '/' && next == Some('/') {
            (i..chars.len())
                .find(|&j| chars[j] == '\n')
                .unwrap_or(chars.len())
        } else if c == '/' && next == Some('*') {
            block_comment_end(&chars, i)
        } else if c == '"' {
            quoted_end(&chars, i, '"')
        } else if c == '\'' {
            char_literal_end(&chars, i).unwrap_or(i + 1)
        } else if (c == 'r' || (c == 'b' && next == Some('r'))) && !prev_ident {
            raw_string_end(&chars, i).unwrap_or(i + 1)
        } else {
            i + 1
        };
        if end == i + 1 {
            out.push(c);
        } else {
            out.extend(chars[i..end].iter().map(|&c| blank(c)));
        }
        i = end;
    }
    out
}

/// End (exclusive) of the possibly nested `/* */` comment starting at `i`.
fn block_comment_end(chars: &[char], i: usize) -> usize {
    let mut depth = 0;
    let mut j = i;
    while j + 1 < chars.len() {
        match (chars[j], chars[j + 1]) {
            ('/', '*') => {
                depth += 1;
                j += 2;
            }
            ('*', '/') => {
                depth -= 1;
                j += 2;
                if depth == 0 {
                    return j;
                }
            }
            _ => j += 1,
        }
    }
    chars.len()
}

/// End (exclusive) of the literal opened by `quote` at `i`, honouring `\`.
fn quoted_end(chars: &[char], i: usize, quote: char) -> usize {
    let mut j = i + 1;
    while j < chars.len() {
        match chars[j] {
            '\\' => j += 2,
            c if c == quote => return j + 1,
            _ => j += 1,
        }
    }
    chars.len()
}

/// End of a character literal at `i` (`'x'`, `'\n'`, `'\u{b5}'`); `None`
/// for a lifetime or label (`'a`, `'static`).
fn char_literal_end(chars: &[char], i: usize) -> Option<usize> {
    match (chars.get(i + 1), chars.get(i + 2)) {
        (Some('\\'), _) => Some(quoted_end(chars, i, '\'')),
        (Some(_), Some('\'')) => Some(i + 3),
        _ => None,
    }
}

/// End of a raw string (`r"…"`, `r#"…"#`, `br"…"`) starting at `i`.
fn raw_string_end(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i + if chars[i] == 'b' { 2 } else { 1 };
    let hashes = chars[j..].iter().take_while(|&&c| c == '#').count();
    j += hashes;
    if chars.get(j) != Some(&'"') {
        return None;
    }
    let closing: Vec<char> = std::iter::once('"')
        .chain(std::iter::repeat_n('#', hashes))
        .collect();
    (j + 1..chars.len())
        .find(|&k| chars[k..].starts_with(&closing))
        .map(|k| k + closing.len())
        .or(Some(chars.len()))
}

/// Offset just past the `#[...]` attributes starting at `at`.
fn skip_attributes(code: &str, mut at: usize) -> usize {
    loop {
        let rest = &code[at..];
        let trimmed = rest.trim_start();
        if !trimmed.starts_with("#[") {
            return at;
        }
        let start = at + (rest.len() - trimmed.len());
        at = matching(code, start + 1, '[', ']');
    }
}

/// Offset just past the bracket that closes the `open` at `at`.
fn matching(code: &str, at: usize, open: char, close: char) -> usize {
    let mut depth = 0;
    for (k, c) in code[at..].char_indices() {
        if c == open {
            depth += 1;
        } else if c == close {
            depth -= 1;
            if depth == 0 {
                return at + k + c.len_utf8();
            }
        }
    }
    code.len()
}

/// `code` (already blanked) with every item marked `#[cfg(test)]` blanked
/// too: its attributes and the item up to its `;` or closing `}`.
pub fn without_test_items(code: &str) -> String {
    let mut out = code.to_string();
    let mut from = 0;
    while let Some(i) = out[from..].find(CFG_TEST) {
        let start = from + i;
        let item = skip_attributes(&out, start);
        let end = item_end(&out, item);
        let blanked: String = out[start..end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(start..end, &blanked);
        from = start + blanked.len();
    }
    out
}

/// End of the item starting at `at`: past its first `;` outside brackets,
/// or past the `}` matching its first `{`.
fn item_end(code: &str, at: usize) -> usize {
    let mut depth = 0i32;
    for (k, c) in code[at..].char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ';' if depth == 0 => return at + k + 1,
            '{' if depth == 0 => return matching(code, at + k, '{', '}'),
            _ => {}
        }
    }
    code.len()
}

/// A module of the crate named in a file: which, and where.
#[derive(Debug, PartialEq, Eq)]
pub struct Reference {
    /// The top-level module named.
    pub module: String,
    /// 1-based line.
    pub line: usize,
}

/// The top-level modules `file` names: `crate::X`, `crate::{X, Y::z}`, and
/// `super::…::X` paths that climb to the crate root.
pub fn references(file: &File) -> Vec<Reference> {
    let code = &file.code;
    let depth = file.module_path().len();
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(is_ident) {
            continue;
        }
        for module in named_at(code, at + "crate::".len()) {
            let line = file.line_of(at);
            out.push(Reference { module, line });
        }
    }
    for (at, _) in code.match_indices("super::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(is_ident) || code[..at].ends_with("::") {
            continue; // Not a path's start: `x::super` or a chain's second `super`.
        }
        let mut end = at;
        let mut climbs = 0;
        while code[end..].starts_with("super::") {
            climbs += 1;
            end += "super::".len();
        }
        if depth > 0 && climbs >= depth {
            for module in named_at(code, end) {
                let line = file.line_of(at);
                out.push(Reference { module, line });
            }
        }
    }
    out
}

/// The first path segment at `at`: one identifier, or the first of each
/// element of a `{…}` group (`self` and globs left out).
fn named_at(code: &str, at: usize) -> Vec<String> {
    let rest = code[at..].trim_start();
    let start = code.len() - rest.len();
    if !rest.starts_with('{') {
        return vec![first_ident(rest)]
            .into_iter()
            .filter(|i| !i.is_empty())
            .collect();
    }
    let end = matching(code, start, '{', '}');
    let inner = &code[start + 1..end.saturating_sub(1).max(start + 1)];
    let mut names = Vec::new();
    let mut depth = 0;
    let mut from = 0;
    for (k, c) in inner.char_indices().chain([(inner.len(), ',')]) {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                let ident = first_ident(&inner[from..k]);
                if !ident.is_empty() && ident != "self" {
                    names.push(ident);
                }
                from = (k + 1).min(inner.len());
            }
            _ => {}
        }
    }
    names
}

fn first_ident(s: &str) -> String {
    s.trim_start()
        .chars()
        .take_while(|c| is_ident(*c))
        .collect()
}
