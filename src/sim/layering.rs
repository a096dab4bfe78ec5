//! Test-only guard on the engine's layering (listed in `sim`'s module docs):
//! the file-level import graph inside `sim/` has no cycle, and every file
//! imports only from its own layer or the ones below. It reads the sources
//! (the `super::…` and `crate::sim::…` paths outside comments and test
//! modules, re-exports resolved through `mod.rs`), so a new cycle or an
//! upward import fails here naming the files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// module name → the sim modules its non-test code names.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// `sim`'s files, top layer first (keep in step with the docs in `mod.rs`).
const LAYERS: &[&[&str]] = &[
    &["engine"],
    &["coordinator", "control", "sampler", "assemble", "spawn"],
    &[
        "producer",
        "consumer",
        "worker_kit",
        "gate",
        "spend",
        "cv_kit",
    ],
    &["shared", "gil"],
    &[
        "config",
        "command",
        "snapshot",
        "event",
        "trace",
        "state",
        "stats",
        "handoff",
        "recent",
        "work",
        "sleep",
        "serde_fmt",
        "sync",
        "panic_filter",
        "clock",
        "epoch",
        "condvar",
    ],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn sources() -> BTreeMap<String, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sim");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("src/sim is readable") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            let name = path.file_stem().expect("file name").to_string_lossy();
            let text = std::fs::read_to_string(&path).expect("source is readable");
            out.insert(name.into_owned(), text);
        }
    }
    out
}

/// Code without comment lines, cut at the first `#[cfg(test)]`.
fn code(text: &str) -> String {
    text.lines()
        .take_while(|l| !l.trim_start().starts_with("#[cfg(test)]"))
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident(s: &str) -> &str {
    let end = s
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(s.len());
    &s[..end]
}

/// First names after every `super::` / `crate::sim::`, groups expanded
/// (`super::{a::X, b}` names `a` and `b`).
fn named(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for prefix in ["super::", "crate::sim::"] {
        for (at, _) in code.match_indices(prefix) {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue; // `xsuper::` or `crate::sim::super::`
            }
            let rest = &code[at + prefix.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let mut depth = 0;
                let mut start = true;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => start = true,
                        c if start && !c.is_whitespace() => {
                            names.insert(ident(&group[i..]).to_string());
                            start = false;
                        }
                        _ => {}
                    }
                }
            } else {
                names.insert(ident(rest).to_string());
            }
        }
    }
    names
}

/// Names `mod.rs` re-exports (`pub use m::{A, B};`) → the module they come from.
fn reexports(mod_rs: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for stmt in mod_rs.split(';') {
        let Some(rest) = stmt.trim().strip_prefix("pub use ") else {
            continue;
        };
        let (module, items) = rest.split_once("::").unwrap_or((rest, ""));
        for item in items.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
            if !item.is_empty() {
                out.insert(item.to_string(), module.to_string());
            }
        }
    }
    out
}

fn graph() -> Graph {
    let mut files = sources();
    let mod_rs = files.remove("mod").expect("src/sim/mod.rs");
    files.remove("layering");
    let via = reexports(&mod_rs);
    let mut g = Graph::new();
    for (name, text) in &files {
        let deps = named(&code(text))
            .into_iter()
            .filter_map(|n| {
                if files.contains_key(&n) {
                    Some(n)
                } else {
                    via.get(&n).cloned()
                }
            })
            .filter(|d| d != name)
            .collect();
        g.insert(name.clone(), deps);
    }
    g
}

/// One cycle as a path `a → b → … → a`, if there is any.
fn find_cycle(g: &Graph) -> Option<Vec<String>> {
    fn visit(
        g: &Graph,
        n: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == n) {
            let mut cycle = path[i..].to_vec();
            cycle.push(n.to_string());
            return Some(cycle);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for d in g.get(n).into_iter().flatten() {
            if let Some(c) = visit(g, d, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    g.keys()
        .find_map(|n| visit(g, n, &mut Vec::new(), &mut done))
}

#[test]
fn the_reader_sees_the_imports_that_exist() {
    let g = graph();
    // Spot checks, so an empty graph cannot pass the tests below.
    assert!(g["engine"].contains("coordinator"), "{:?}", g["engine"]);
    assert!(g["shared"].contains("trace"), "{:?}", g["shared"]);
    assert!(g["consumer"].contains("worker_kit"), "{:?}", g["consumer"]);
    // Paths inside attribute strings are imports too.
    assert!(g["snapshot"].contains("serde_fmt"), "{:?}", g["snapshot"]);
    let n = named("use super::{a::X, b};\nlet y = crate::sim::c::f(super::d);");
    assert_eq!(n, ["a", "b", "c", "d"].map(String::from).into());
}

#[test]
fn a_cycle_is_found_and_named() {
    let edge =
        |from: &str, to: &[&str]| (from.to_string(), to.iter().map(|t| t.to_string()).collect());
    let mut g: Graph = [
        edge("a", &["b"]),
        edge("b", &["c"]),
        edge("c", &[]),
        edge("d", &["a"]),
    ]
    .into();
    assert_eq!(find_cycle(&g), None);
    g.get_mut("c").expect("c").insert("a".into());
    let cycle = find_cycle(&g).expect("c → a closes a cycle");
    assert_eq!(cycle, ["a", "b", "c", "a"].map(String::from));
}

#[test]
fn the_engine_files_import_each_other_without_a_cycle() {
    let g = graph();
    assert_eq!(find_cycle(&g), None, "import cycle inside src/sim");
}

#[test]
fn every_file_imports_only_from_its_layer_or_below() {
    let g = graph();
    let unplaced: Vec<_> = g.keys().filter(|m| layer_of(m).is_none()).collect();
    assert!(unplaced.is_empty(), "add {unplaced:?} to a layer in LAYERS");
    let upward: Vec<String> = g
        .iter()
        .flat_map(|(m, deps)| deps.iter().map(move |d| (m, d)))
        .filter(|(m, d)| layer_of(d) < layer_of(m))
        .map(|(m, d)| format!("{m} → {d}"))
        .collect();
    assert!(upward.is_empty(), "imports from a higher layer: {upward:?}");
}
