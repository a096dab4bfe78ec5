//! The documentation against the tree it describes:
//!
//! - every relative link in `README.md` and `docs/*.md` points to a file
//!   that exists, and every `#anchor` to a heading of that page;
//! - `docs/architecture.md`'s list of rooms names every top-level module of
//!   `src/` (file or folder), and nothing that is not there;
//! - `docs/scenarios.md`'s key table names every key the scenario loader
//!   accepts (`scenario::file::KEYS`, which the loader's own tests tie to
//!   its schema), and nothing else; its table of built-in scenarios names
//!   every preset.
//!
//! Each check is a function of text, tried below on small inputs with known
//! answers, so a check that could never fail would show.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use queuescope::scenario::PRESETS;
use queuescope::scenario::file::KEYS;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `README.md` and every `docs/*.md`, as paths relative to the root.
fn pages() -> Vec<PathBuf> {
    let mut pages = vec![PathBuf::from("README.md")];
    let docs = root().join("docs");
    let mut more: Vec<PathBuf> = fs::read_dir(&docs)
        .unwrap_or_else(|e| panic!("{}: {e}", docs.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .filter_map(|p| p.strip_prefix(root()).ok().map(Path::to_path_buf))
        .collect();
    more.sort();
    pages.extend(more);
    pages
}

/// The lines of a page that are prose: fenced code blocks left out.
fn prose_lines(text: &str) -> Vec<&str> {
    let mut in_fence = false;
    let mut lines = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        } else if !in_fence {
            lines.push(line);
        }
    }
    lines
}

/// A line without its inline code spans (a link shown as code is not one).
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    for c in line.chars() {
        if c == '`' {
            in_code = !in_code;
        } else if !in_code {
            out.push(c);
        }
    }
    out
}

/// The targets of the markdown links `[text](target)` in a page's prose.
fn link_targets(text: &str) -> Vec<String> {
    let mut targets = Vec::new();
    for line in prose_lines(text) {
        let line = without_code_spans(line);
        let mut rest = line.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            targets.push(after[..end].trim().to_string());
            rest = &after[end..];
        }
    }
    targets
}

/// A heading's anchor as GitHub makes it: lower case, code marks and
/// punctuation dropped (hyphens and underscores kept), spaces to hyphens.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// Every anchor a page's headings make (a repeated heading gets `-1`, `-2`).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in prose_lines(text) {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        if hashes == 0 || hashes > 6 || !line[hashes..].starts_with(' ') {
            continue;
        }
        let base = slug(&line[hashes..]);
        let mut anchor = base.clone();
        let mut n = 0;
        while found.contains(&anchor) {
            n += 1;
            anchor = format!("{base}-{n}");
        }
        found.insert(anchor);
    }
    found
}

/// What is wrong with each relative link of `page` (a path relative to
/// `root`): a file that does not exist, or an anchor no heading makes.
fn broken_links(root: &Path, page: &Path, text: &str) -> Vec<String> {
    let dir = page.parent().unwrap_or(Path::new(""));
    let mut broken = Vec::new();
    for target in link_targets(text) {
        if target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let (file, anchor) = match target.split_once('#') {
            Some((f, a)) => (f, Some(a)),
            None => (target.as_str(), None),
        };
        let linked = dir.join(file);
        let path = root.join(&linked);
        if !file.is_empty() && !path.exists() {
            broken.push(format!(
                "{}: {target}: no such file {}",
                page.display(),
                linked.display()
            ));
            continue;
        }
        let Some(anchor) = anchor else { continue };
        let heads = if file.is_empty() {
            anchors(text)
        } else if path.extension().is_some_and(|x| x == "md") {
            anchors(&read(&path))
        } else {
            broken.push(format!(
                "{}: {target}: an anchor into a file that is not markdown",
                page.display()
            ));
            continue;
        };
        if !heads.contains(anchor) {
            broken.push(format!(
                "{}: {target}: no heading makes #{anchor}",
                page.display()
            ));
        }
    }
    broken
}

/// The part of `text` under the heading `title` (any level), up to the next
/// heading of the same or a higher level.
fn section<'a>(text: &'a str, title: &str) -> Option<&'a str> {
    let mut start = None;
    let mut level = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let hashes = line.chars().take_while(|c| *c == '#').count();
        let is_heading = hashes > 0 && line[hashes..].starts_with(' ');
        match start {
            None if is_heading && line[hashes..].trim() == title => {
                start = Some(offset + line.len());
                level = hashes;
            }
            Some(s) if is_heading && hashes <= level => return Some(&text[s..offset]),
            _ => {}
        }
        offset += line.len();
    }
    start.map(|s| &text[s..])
}

/// The entries of the `src/` tree drawn in a section: lines indented by
/// exactly two spaces, their first word (`sim/`, `tui.rs`).
fn tree_entries(section: &str) -> BTreeSet<String> {
    section
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.ends_with('/') || w.ends_with(".rs"))
        .map(str::to_string)
        .collect()
}

/// The top-level modules of a `src/` folder as a tree names them: `name.rs`
/// for a file, `name/` for a folder.
fn top_level_modules(src: &Path) -> BTreeSet<String> {
    fs::read_dir(src)
        .unwrap_or_else(|e| panic!("{}: {e}", src.display()))
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.path().is_dir() {
                Some(format!("{name}/"))
            } else {
                name.ends_with(".rs").then_some(name)
            }
        })
        .collect()
}

/// Differences between the modules in `src/` and a tree's entries: modules
/// missing from the tree (lib.rs and main.rs may be left out), and entries
/// that name no module.
fn tree_mismatches(modules: &BTreeSet<String>, entries: &BTreeSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    for m in modules {
        if m != "lib.rs" && m != "main.rs" && !entries.contains(m) {
            found.push(format!("src/{m} is not described"));
        }
    }
    for e in entries {
        if !modules.contains(e) {
            found.push(format!("{e} is described but there is no src/{e}"));
        }
    }
    found
}

/// The first column of a table's rows, each cell being one code span
/// (`` | `split` | … ``): the names the table documents.
fn table_names(section: &str) -> BTreeSet<String> {
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once('`'))
        .map(|(name, _)| name.to_string())
        .collect()
}

/// Names `wanted` has and `documented` lacks, and the other way round.
fn name_mismatches(
    what: &str,
    wanted: &BTreeSet<String>,
    documented: &BTreeSet<String>,
) -> Vec<String> {
    let missing = wanted
        .difference(documented)
        .map(|k| format!("{what} {k} is not documented"));
    let extra = documented
        .difference(wanted)
        .map(|k| format!("{what} {k} is documented but does not exist"));
    missing.chain(extra).collect()
}

#[test]
fn every_relative_link_and_anchor_resolves() {
    let root = root();
    let pages = pages();
    assert!(pages.len() > 1, "no docs/*.md pages found");
    let broken: Vec<String> = pages
        .iter()
        .flat_map(|p| broken_links(&root, p, &read(&root.join(p))))
        .collect();
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_architecture_page_describes_every_top_level_module() {
    let text = read(&root().join("docs/architecture.md"));
    let rooms = section(&text, "The rooms").expect("docs/architecture.md has no `The rooms`");
    let found = tree_mismatches(
        &top_level_modules(&root().join("src")),
        &tree_entries(rooms),
    );
    assert!(
        found.is_empty(),
        "docs/architecture.md, The rooms, does not match src/:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scenario_page_documents_every_key_and_preset() {
    let text = read(&root().join("docs/scenarios.md"));
    let keys = section(&text, "Every key").expect("docs/scenarios.md has no `Every key`");
    let wanted: BTreeSet<String> = KEYS.iter().map(|k| k.to_string()).collect();
    let mut found = name_mismatches("key", &wanted, &table_names(keys));
    let built_in = section(&text, "Built-in scenarios").expect("no `Built-in scenarios`");
    let presets: BTreeSet<String> = PRESETS.iter().map(|p| p.name.to_string()).collect();
    found.extend(name_mismatches(
        "scenario",
        &presets,
        &table_names(built_in),
    ));
    assert!(
        found.is_empty(),
        "docs/scenarios.md is out of date:\n{}",
        found.join("\n")
    );
}

mod the_checks_themselves {
    //! Each check on small inputs with known answers.

    use super::*;

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn slugs_match_githubs() {
        assert_eq!(
            slug("Headless runs: `queuescope run`"),
            "headless-runs-queuescope-run"
        );
        assert_eq!(slug("JSON report (`run --json`)"), "json-report-run---json");
        assert_eq!(slug("A 20-minute lesson"), "a-20-minute-lesson");
        assert_eq!(
            slug("What is measured, and how"),
            "what-is-measured-and-how"
        );
        assert_eq!(slug("pills_when"), "pills_when");
    }

    #[test]
    fn links_are_found_outside_code_only() {
        let text = "See [a](a.md) and [b](b.md#x).\n`[c](c.md)`\n```\n[d](d.md)\n```\n\
                    [web](https://example.com)\n";
        assert_eq!(
            link_targets(text),
            vec!["a.md", "b.md#x", "https://example.com"]
        );
    }

    #[test]
    fn repeated_headings_get_numbered_anchors() {
        let heads = anchors("# Top\n## Keys\n### Keys\n```\n# not a heading\n```\n#nope\n");
        assert_eq!(heads, set(&["top", "keys", "keys-1"]));
    }

    #[test]
    fn a_missing_file_or_anchor_is_reported() {
        let root = root();
        let page = Path::new("docs/example.md");
        let text = "# Here\n[ok](#here) [up](../README.md#quick-start) [dir](../src/)\n\
                    [gone](nope.md) [bad](#there) [far](../README.md#no-such-heading)\n\
                    [code](../Cargo.toml#deps)\n";
        let broken = broken_links(&root, page, text);
        assert_eq!(broken.len(), 4, "{broken:#?}");
        assert!(broken[0].contains("nope.md: no such file"), "{broken:#?}");
        assert!(broken[1].contains("#there"), "{broken:#?}");
        assert!(broken[2].contains("#no-such-heading"), "{broken:#?}");
        assert!(broken[3].contains("not markdown"), "{broken:#?}");
    }

    #[test]
    fn sections_end_at_the_next_heading_of_their_level() {
        let text = "# A\nintro\n## Rooms\none\n### sub\ntwo\n## Next\nthree\n";
        assert_eq!(section(text, "Rooms"), Some("one\n### sub\ntwo\n"));
        assert_eq!(section(text, "Next"), Some("three\n"));
        assert_eq!(section(text, "Missing"), None);
    }

    #[test]
    fn a_module_missing_from_the_tree_or_a_stale_entry_is_reported() {
        let rooms = "```\nsrc/\n  main.rs   thin\n  sim/      the engine\n    engine.rs  facade\n  \
                     old.rs    gone\n```\n";
        let entries = tree_entries(rooms);
        assert_eq!(entries, set(&["main.rs", "sim/", "old.rs"]));
        let modules = set(&["lib.rs", "main.rs", "sim/", "ui/", "units.rs"]);
        assert_eq!(
            tree_mismatches(&modules, &entries),
            vec![
                "src/ui/ is not described",
                "src/units.rs is not described",
                "old.rs is described but there is no src/old.rs",
            ]
        );
        let real = top_level_modules(&root().join("src"));
        assert!(real.contains("sim/") && real.contains("tui.rs"), "{real:?}");
    }

    #[test]
    fn an_undocumented_or_stale_key_is_reported() {
        let table = "| key | type |\n|---|---|\n| `name` | string |\n| `split` | string |\n\
                     not a row `gil`\n";
        let documented = table_names(table);
        assert_eq!(documented, set(&["name", "split"]));
        assert_eq!(
            name_mismatches("key", &set(&["name", "pills_when"]), &documented),
            vec![
                "key pills_when is not documented",
                "key split is documented but does not exist",
            ]
        );
    }
}
