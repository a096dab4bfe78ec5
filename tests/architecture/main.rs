//! The architecture rules of the brief, checked on the source tree:
//!
//! - no import cycle between the top-level modules of `src/`;
//! - the engine (`src/sim`) imports nothing of the front end (ratatui,
//!   crossterm, `ui`, `app`, `tui`, `cli`); the headless sweep, the snapshot
//!   sources, the Tune model, the view state and the text units import
//!   nothing of the terminal UI (ratatui, crossterm, `ui`, `tui`);
//! - a traced program (`src/trace`) is a source with a command of its own:
//!   only that command (its `mod.rs`) opens the live view, and nothing in
//!   the library imports `trace` (`main` dispatches to it);
//! - no non-test function longer than 80 lines.
//!
//! Test code (`#[cfg(test)]` items and the files of `#[cfg(test)] mod`
//! declarations) is left out: tests may reach anywhere.

mod graph;
mod long_fns;
mod source;

use std::path::Path;

use source::{File, load_crate};

/// The longest a non-test function may be.
const MAX_FN_LINES: usize = 80;

/// What the engine and the model layers may not use.
const FRONT_END_CRATES: &[&str] = &["ratatui", "crossterm"];
/// The engine's forbidden modules: everything of the front end.
const FRONT_END_MODULES: &[&str] = &["ui", "app", "tui", "cli"];
/// The terminal UI, which only the top layers may use.
const TERMINAL_UI: &[&str] = &["ui", "tui"];
/// Parts of the tree (a folder or a file) that must stay free of the
/// terminal UI, so they work headless and sit below it in the layering.
const UI_FREE: &[&str] = &["src/sweep/", "src/source/", "src/tune.rs", "src/units.rs"];
/// `queuescope trace`: a snapshot source for a real program, and the
/// command that shows it ([`TRACE_COMMAND`]).
const TRACE: &str = "src/trace/";
/// The one file of [`TRACE`] that may open the live view.
const TRACE_COMMAND: &str = "src/trace/mod.rs";
/// The view state: it reads key events and screen geometry (crossterm and
/// ratatui types) but never the rendering code or the event loop.
const VIEW_STATE: &str = "src/app/";

fn crate_files() -> Vec<File> {
    load_crate(Path::new(env!("CARGO_MANIFEST_DIR")))
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let graph = graph::import_graph(&crate_files());
    let cycles = graph::describe(&graph);
    assert!(
        cycles.is_empty(),
        "import cycles between top-level modules of src/ (each edge: where it is made):\n{}",
        cycles.join("\n")
    );
}

#[test]
fn the_engine_imports_nothing_of_the_front_end() {
    let found = front_end_uses(&crate_files(), "src/sim/", FRONT_END_MODULES);
    assert!(
        found.is_empty(),
        "src/sim uses the front end:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_model_layers_import_nothing_of_the_terminal_ui() {
    let files = crate_files();
    let mut found: Vec<String> = UI_FREE
        .iter()
        .flat_map(|part| front_end_uses(&files, part, TERMINAL_UI))
        .collect();
    found.extend(module_uses(&files, VIEW_STATE, TERMINAL_UI));
    assert!(
        found.is_empty(),
        "a headless part of the tree uses the terminal UI:\n{}",
        found.join("\n")
    );
}

#[test]
fn a_traced_program_is_a_source_nothing_else_imports() {
    let files = crate_files();
    let mut found: Vec<String> = files
        .iter()
        .filter(|f| f.path.starts_with(TRACE) && f.path != TRACE_COMMAND)
        .flat_map(|f| front_end_uses(&files, &f.path, TERMINAL_UI))
        .collect();
    found.extend(importers_of(&files, "trace"));
    assert!(
        found.is_empty(),
        "trace's source uses the terminal UI, or the library imports trace:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_function_is_longer_than_80_lines() {
    let long: Vec<String> = crate_files()
        .iter()
        .flat_map(|f| long_fns::long_functions(&f.path, &f.text, MAX_FN_LINES))
        .map(|f| format!("  {}:{} {} is {} lines", f.path, f.line, f.name, f.len))
        .collect();
    assert!(
        long.is_empty(),
        "functions longer than {MAX_FN_LINES} lines (split them into named steps):\n{}",
        long.join("\n")
    );
}

/// `file:line: what` for each use of the front-end crates or of the
/// `modules` in files under `dir` (a folder, or one file).
fn front_end_uses(files: &[File], dir: &str, modules: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for f in files.iter().filter(|f| f.path.starts_with(dir)) {
        for name in FRONT_END_CRATES {
            for (at, _) in f.code.match_indices(name) {
                let before = f.code[..at].chars().next_back();
                let after = f.code[at + name.len()..].chars().next();
                if !before.is_some_and(source::is_ident) && !after.is_some_and(source::is_ident) {
                    found.push(format!("  {}:{}: {name}", f.path, f.line_of(at)));
                }
            }
        }
    }
    found.extend(module_uses(files, dir, modules));
    found
}

/// `file:line: crate::module` for each use of one of `modules` in files
/// under `dir`.
fn module_uses(files: &[File], dir: &str, modules: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for f in files.iter().filter(|f| f.path.starts_with(dir)) {
        for r in source::references(f) {
            if modules.contains(&r.module.as_str()) {
                found.push(format!("  {}:{}: crate::{}", f.path, r.line, r.module));
            }
        }
    }
    found
}

/// `file:line: crate::module` for each use of `module` outside it.
fn importers_of(files: &[File], module: &str) -> Vec<String> {
    let mut found = Vec::new();
    for f in files
        .iter()
        .filter(|f| f.top_module().as_deref() != Some(module))
    {
        for r in source::references(f)
            .into_iter()
            .filter(|r| r.module == module)
        {
            found.push(format!("  {}:{}: crate::{module}", f.path, r.line));
        }
    }
    found
}

mod the_checks_themselves {
    //! The checks above are only as good as their reading of Rust: these
    //! feed them small trees with known answers.

    use super::*;

    fn tree(files: &[(&str, &str)]) -> Vec<File> {
        let files = files.iter().map(|(p, t)| File::new(p, t)).collect();
        source::without_test_files(files)
    }

    fn edges(files: &[(&str, &str)]) -> Vec<(String, String)> {
        let g = graph::import_graph(&tree(files));
        g.iter()
            .flat_map(|(a, to)| to.keys().map(move |b| (a.clone(), b.clone())))
            .collect()
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (a.to_string(), b.to_string())
    }

    #[test]
    fn reads_every_way_a_module_is_named() {
        let found = edges(&[
            ("src/a.rs", "use crate::b::X;\nfn f() { crate::c::g(); }"),
            ("src/b/mod.rs", "use crate::{c, d::{E, F}};\nmod inner;"),
            ("src/b/inner.rs", "use super::super::a::Y;\nuse super::Z;"),
            ("src/c.rs", "use super::e::W;"),
            ("src/d.rs", "pub(crate) fn x() {}\nuse mycrate::a;"),
            ("src/e.rs", ""),
        ]);
        assert_eq!(
            found,
            vec![
                pair("a", "b"),
                pair("a", "c"),
                pair("b", "a"),
                pair("b", "c"),
                pair("b", "d"),
                pair("c", "e"),
            ]
        );
    }

    #[test]
    fn ignores_comments_strings_and_test_code() {
        let found = edges(&[
            (
                "src/a.rs",
                "// use crate::b;\n/* crate::b */\n/// [`crate::b`]\nconst S: &str = \"crate::b\";\n\
                 const R: &str = r#\"crate::b\"#;\nconst C: char = '{';\n\
                 #[cfg(test)]\nmod tests { use crate::b; }\n\
                 #[cfg(test)]\nfn helper() { crate::b::x(); }\n\
                 #[cfg(test)]\nmod more;\nfn real() {}",
            ),
            ("src/a/more.rs", "use crate::b::Y;"),
            (
                "src/b.rs",
                "fn lifetimes<'a>(x: &'a str) -> &'a str { crate::a::f(x) }",
            ),
        ]);
        assert_eq!(found, vec![pair("b", "a")]);
    }

    #[test]
    fn reports_a_cycle_with_where_each_edge_is_made() {
        let files = tree(&[
            ("src/app.rs", "use crate::ui::draw;"),
            ("src/ui/mod.rs", "mod draw;"),
            ("src/ui/draw.rs", "\n\nuse crate::tui::Sim;"),
            (
                "src/tui.rs",
                "use crate::app::State;\nuse crate::sim::Engine;",
            ),
            ("src/sim.rs", ""),
        ]);
        let report = graph::describe(&graph::import_graph(&files));
        assert_eq!(
            report,
            vec![
                "cycle app -> ui -> tui -> app (modules tangled together: app, tui, ui)\n    \
                 app -> ui: src/app.rs:1\n    \
                 tui -> app: src/tui.rs:1\n    \
                 ui -> tui: src/ui/draw.rs:3"
                    .to_string()
            ]
        );
    }

    #[test]
    fn a_tree_without_cycles_has_nothing_to_report() {
        let files = tree(&[
            ("src/lib.rs", "pub mod a;\npub mod b;"),
            ("src/a.rs", "use crate::b::X;"),
            ("src/b.rs", "pub struct X;"),
        ]);
        assert!(graph::describe(&graph::import_graph(&files)).is_empty());
    }

    #[test]
    fn finds_the_shortest_of_several_cycles() {
        let files = tree(&[
            ("src/a.rs", "use crate::b::X;\nuse crate::c::Y;"),
            ("src/b.rs", "use crate::c::Z;"),
            ("src/c.rs", "use crate::a::W;"),
        ]);
        let g = graph::import_graph(&files);
        let all: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(graph::shortest_cycle(&g, "a", &all), ["a", "c", "a"]);
    }

    #[test]
    fn flags_the_front_end_in_the_engine() {
        let files = tree(&[
            (
                "src/sim/mod.rs",
                "use ratatui::text::Line;\nuse crate::ui::fmt;",
            ),
            (
                "src/sim/ok.rs",
                "use crate::units::exact;\nlet ratatuish = 1;",
            ),
            ("src/ui/mod.rs", "use ratatui::Frame;"),
        ]);
        assert_eq!(
            front_end_uses(&files, "src/sim/", FRONT_END_MODULES),
            vec![
                "  src/sim/mod.rs:1: ratatui",
                "  src/sim/mod.rs:2: crate::ui"
            ]
        );
    }

    #[test]
    fn finds_who_imports_a_module_from_outside() {
        let files = tree(&[
            ("src/lib.rs", "pub mod trace;\npub mod source;"),
            (
                "src/trace/mod.rs",
                "use crate::trace::fold;\nuse super::source::S;",
            ),
            ("src/trace/fold.rs", "use super::super::trace::x;"),
            ("src/sim/mod.rs", "pub mod trace;\nuse self::trace::T;"),
            (
                "src/source/mod.rs",
                "\nuse crate::sim::trace::T;\nuse crate::trace::Fold;",
            ),
        ]);
        assert_eq!(
            importers_of(&files, "trace"),
            vec!["  src/source/mod.rs:3: crate::trace"]
        );
    }

    #[test]
    fn counts_function_lines_like_the_checker_script() {
        let body = |n: usize| "    x();\n".repeat(n);
        let text = format!(
            "pub(crate) fn short() {{\n{}}}\n\
             pub async unsafe fn long() {{\n{}}}\n\
             fn strings() {{\n    let s = \"}}}}\"; let c = '}}'; // }}\n{}}}\n\
             trait T {{\n    fn no_body();\n}}\n\
             #[cfg(test)]\nfn after_the_tests() {{\n{}}}\n",
            body(3),
            body(5),
            body(4),
            body(9)
        );
        let long = long_fns::long_functions("src/x.rs", &text, 5);
        let found: Vec<(usize, &str, usize)> = long
            .iter()
            .map(|f| (f.line, f.name.as_str(), f.len))
            .collect();
        assert_eq!(found, vec![(6, "long", 7), (13, "strings", 7)]);
    }
}
