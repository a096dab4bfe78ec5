//! The layering of `src/`: the top-level modules import each other without
//! a cycle, and the model (`sim`, `source`, `sweep`, `tune`) and the view
//! state (`app`) never import the terminal UI (`ui`, `tui`).
//!
//! The imports are read from the source text: every `crate::name` path
//! (also inside `use crate::{a, b}` groups) outside comments and test
//! modules is an edge to the top-level module `name`. Re-exports count
//! like any other use, so a cycle cannot hide behind one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Cycles known and being removed elsewhere: the watchdog that `record`
/// and `sweep` use still lives in `headless`, which uses `record`.
const KNOWN_CYCLES: &[&[&str]] = &[&["headless", "record"]];

/// Modules that must not import the terminal UI.
const UI_FREE: &[&str] = &["sim", "source", "sweep", "tune", "app", "fmt"];
/// The terminal UI.
const UI: &[&str] = &["ui", "tui"];

type Graph = BTreeMap<String, BTreeSet<String>>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).expect("read src/");
    for entry in entries {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text without `//` comments and without `#[cfg(test)] mod x { .. }`
/// blocks (string literals are not special-cased: none holds `crate::`).
fn code_only(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(line.split("//").next().unwrap_or(""));
        out.push('\n');
    }
    while let Some(at) = out.find("#[cfg(test)]") {
        let rest = &out[at..];
        let Some(open) = rest.find('{') else { break };
        let semi = rest.find(';').unwrap_or(usize::MAX);
        if semi < open {
            // `#[cfg(test)] mod tests;`: the file is skipped by name.
            out.replace_range(at..at + semi + 1, "");
            continue;
        }
        let mut depth = 0usize;
        let mut end = rest.len();
        for (i, c) in rest.char_indices().skip(open) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        out.replace_range(at..at + end, "");
    }
    out
}

/// The first identifier of each path after `crate::` in `code`.
fn crate_paths(code: &str) -> Vec<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            out.extend(inner.split(',').map(|p| ident(p.trim())));
        } else {
            out.push(ident(rest));
        }
    }
    out.retain(|m| !m.is_empty() && m != "self");
    out
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let top = |p: &Path| -> String {
        let rel = p.strip_prefix(&src).expect("under src/");
        let first = rel.components().next().expect("a component");
        let name = first.as_os_str().to_string_lossy();
        name.trim_end_matches(".rs").to_string()
    };
    let modules: BTreeSet<String> = files.iter().map(|p| top(p)).collect();
    let mut g = Graph::new();
    for path in &files {
        let from = top(path);
        let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if from == "lib" || from == "main" || file == "tests.rs" {
            continue;
        }
        let text = std::fs::read_to_string(path).expect("read a source file");
        let deps = g.entry(from.clone()).or_default();
        for to in crate_paths(&code_only(&text)) {
            if to != from && modules.contains(&to) {
                deps.insert(to);
            }
        }
    }
    g
}

/// The strongly connected components with more than one module.
fn cycles(g: &Graph) -> Vec<BTreeSet<String>> {
    let reach = |start: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start.to_string()];
        while let Some(m) = stack.pop() {
            for next in g.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    stack.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&String, BTreeSet<String>> = g.keys().map(|m| (m, reach(m))).collect();
    let mut out: Vec<BTreeSet<String>> = Vec::new();
    for (m, r) in &reaches {
        let scc: BTreeSet<String> = r
            .iter()
            .filter(|o| reaches.get(o).is_some_and(|back| back.contains(*m)))
            .cloned()
            .collect();
        if scc.len() > 1 && !out.contains(&scc) {
            out.push(scc);
        }
    }
    out
}

#[test]
fn top_level_modules_import_each_other_without_a_cycle() {
    let g = graph();
    assert!(g.contains_key("sim") && g.contains_key("ui"), "{g:?}");
    let known: Vec<BTreeSet<String>> = KNOWN_CYCLES
        .iter()
        .map(|c| c.iter().map(|s| s.to_string()).collect())
        .collect();
    let new: Vec<_> = cycles(&g)
        .into_iter()
        .filter(|c| !known.contains(c))
        .collect();
    assert!(new.is_empty(), "import cycles {new:?} in\n{g:#?}");
}

#[test]
fn the_model_and_the_view_state_do_not_import_the_terminal_ui() {
    let g = graph();
    for m in UI_FREE {
        let deps = g.get(*m).cloned().unwrap_or_default();
        let bad: Vec<_> = deps.iter().filter(|d| UI.contains(&d.as_str())).collect();
        assert!(bad.is_empty(), "{m} imports {bad:?}");
    }
}

#[test]
fn the_reader_sees_groups_and_skips_comments_and_tests() {
    let code = code_only(
        "use crate::{sim::Snapshot, app};\n// crate::ui\nfn f() { crate::tune::x(); }\n\
         #[cfg(test)]\nmod tests {\n    use crate::testing;\n    fn g() { if true { } }\n}\n",
    );
    assert_eq!(crate_paths(&code), ["sim", "app", "tune"]);
}
