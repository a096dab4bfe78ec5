//! Scenario files end to end: the fixtures in `tests/fixtures/` go through
//! `scenario::resolve` exactly as `--scenario PATH` would. Each invalid
//! fixture states its exact expected error on its first line
//! (`# error: FILE:line:col: ...`, FILE standing for the path), so positions
//! and wording are both pinned.

use std::path::{Path, PathBuf};
use std::time::Duration;

use queuescope::scenario::{Overrides, ScenarioError, file::MAX_FILE_BYTES, resolve};
use queuescope::sim::{Capacity, Config, Dist, WorkMode, WorkSpec, Workload};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn load(name: &str) -> Result<Config, ScenarioError> {
    let path = fixture(name);
    resolve(path.to_str(), &Overrides::default())
}

fn valid(name: &str) -> Config {
    load(name).unwrap_or_else(|e| panic!("{name} should load: {e}"))
}

/// Loads an invalid fixture and checks the error against its `# error:` line.
fn check_invalid(name: &str) {
    let path = fixture(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let expected = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# error: "))
        .unwrap_or_else(|| panic!("{name} has no '# error:' first line"))
        .replace("FILE", &path.display().to_string());
    match load(name) {
        Ok(c) => panic!("{name} should fail, loaded {c:?}"),
        Err(e) => {
            assert!(matches!(e, ScenarioError::File { .. }), "{name}: {e:?}");
            assert_eq!(e.to_string(), expected, "{name}");
        }
    }
}

#[test]
fn minimal_file_takes_the_defaults_and_its_stem_as_name() {
    let c = valid("minimal.toml");
    assert_eq!(c.name, "minimal");
    assert_eq!(c.workload, Workload::Items(3));
    assert_eq!(
        (c.producers, c.consumers, c.capacity),
        (1, 1, Capacity::Unbounded)
    );
    assert_eq!(
        (c.interval, c.work, c.seed, c.pills),
        (WorkSpec::zero(), WorkSpec::zero(), 42, None)
    );
}

#[test]
fn full_file_sets_every_key() {
    let ms = Duration::from_millis;
    let c = valid("full.toml");
    assert_eq!(c.name, "full house");
    assert_eq!(c.lesson, "every key in one file");
    assert_eq!(
        (c.producers, c.consumers, c.capacity),
        (3, 5, Capacity::Rendezvous)
    );
    assert_eq!(c.workload.total_items(), Some(4));
    assert_eq!(
        c.interval,
        WorkSpec::new(
            WorkMode::Sleep,
            Dist::Uniform {
                lo: ms(1),
                hi: ms(3)
            }
        )
    );
    assert_eq!(
        c.work,
        WorkSpec::new(
            WorkMode::Spin,
            Dist::Normal {
                mean: ms(10),
                sd: ms(2)
            }
        )
    );
    assert_eq!((c.seed, c.pills), (7, Some(2)));
    assert_eq!(c.crash_items, vec![1, 3]);
    assert!(c.collect_results);
}

#[test]
fn no_workload_key_means_endless() {
    assert_eq!(valid("endless.toml").workload, Workload::Endless);
}

#[test]
fn every_invalid_fixture_fails_with_its_stated_error() {
    let dir = fixture("");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("invalid_") && n.ends_with(".toml"))
        .collect();
    names.sort();
    assert!(names.len() >= 15, "fixtures went missing: {names:?}");
    for name in &names {
        check_invalid(name);
    }
}

// The limits and rules the brief names, one test each, so losing a fixture
// fails loudly instead of shrinking the loop above.

#[test]
fn bad_value_is_pointed_at() {
    check_invalid("invalid_capacity_negative.toml");
    check_invalid("invalid_consumers_string.toml");
}

#[test]
fn unknown_keys_are_pointed_at() {
    check_invalid("invalid_unknown_key.toml");
    check_invalid("invalid_unknown_table.toml");
}

#[test]
fn limits_are_enforced() {
    for name in [
        "invalid_producers_zero.toml",
        "invalid_producers_too_many.toml",
        "invalid_capacity_too_big.toml",
        "invalid_items_zero.toml",
        "invalid_duration_too_long.toml",
        "invalid_work_too_long.toml",
        "invalid_pills_too_many.toml",
    ] {
        check_invalid(name);
    }
}

#[test]
fn workload_keys_are_mutually_exclusive() {
    check_invalid("invalid_two_workloads.toml");
}

#[test]
fn syntax_errors_are_positioned() {
    check_invalid("invalid_syntax_unquoted.toml");
}

#[test]
fn flags_override_the_file() {
    let path = fixture("full.toml");
    let o = Overrides {
        consumers: Some("9".into()),
        items: Some("100".into()),
        crash_item: vec!["50".into()],
        ..Overrides::default()
    };
    let c = resolve(path.to_str(), &o).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(c.consumers, 9);
    assert_eq!(
        c.workload,
        Workload::Items(100),
        "--items replaces the file's words"
    );
    assert_eq!(c.crash_items, vec![50]);
    assert_eq!(c.producers, 3, "keys without a flag stay");
}

#[test]
fn a_bad_flag_on_a_good_file_names_the_flag() {
    let path = fixture("minimal.toml");
    let o = Overrides {
        capacity: Some("lots".into()),
        ..Overrides::default()
    };
    let e = resolve(path.to_str(), &o).map(|_| ()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "--capacity: expected 0 (rendezvous), a number up to 1000000, or \"unbounded\"; got \"lots\""
    );
}

/// A scratch file under the system temp dir, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, bytes: &[u8]) -> Scratch {
        let path = std::env::temp_dir().join(format!("queuescope-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Scratch(path)
    }
    fn resolve(&self) -> Result<Config, ScenarioError> {
        resolve(self.0.to_str(), &Overrides::default())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn windows_line_endings_and_a_bom_keep_positions_right() {
    let f = Scratch::new(
        "crlf.toml",
        "\u{feff}items = 3\r\nproducers = 0\r\n".as_bytes(),
    );
    let e = f.resolve().map(|_| ()).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}:2:13: producers: expected a whole number from 1 to 1024; got 0",
            f.0.display()
        )
    );
}

#[test]
fn unreadable_files_are_one_line_errors() {
    let missing = fixture("no_such_file.toml");
    let e = resolve(missing.to_str(), &Overrides::default())
        .map(|_| ())
        .unwrap_err();
    assert!(matches!(e, ScenarioError::Read { .. }), "{e:?}");
    assert!(
        e.to_string().starts_with(&format!(
            "{}: cannot read scenario file: ",
            missing.display()
        )),
        "{e}"
    );

    let binary = Scratch::new("binary.toml", &[0xff, 0xfe, 0x00, 0x41]);
    let e = binary.resolve().map(|_| ()).unwrap_err();
    assert!(e.to_string().contains("cannot read scenario file"), "{e}");
    assert!(!e.to_string().contains('\n'));

    let huge = Scratch::new("huge.toml", b"");
    let file = std::fs::OpenOptions::new().write(true).open(&huge.0);
    // Sparse: costs no disk space.
    file.and_then(|f| f.set_len(MAX_FILE_BYTES + 1))
        .unwrap_or_else(|e| panic!("{e}"));
    let e = huge.resolve().map(|_| ()).unwrap_err();
    assert!(
        e.to_string()
            .ends_with("larger than 16 MiB; is this a scenario file?"),
        "{e}"
    );
}
