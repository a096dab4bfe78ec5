//! The fuzz targets' properties, in every `cargo test`: arbitrary text for
//! the scenario loader and the duration / distribution parsers, arbitrary
//! bytes and mutated real recordings for the recording reader. None may
//! panic; every refusal is bad input (exit 2) in one line; and whatever
//! the reader accepts must survive a whole replay (play, seek, step, every
//! screen). `cargo fuzz` runs the same entry points for much longer (see
//! docs/robustness.md).

use std::sync::Arc;

use proptest::prelude::*;

use queuescope::error::{Error, Exit};
use queuescope::record::read::parse_bytes;
use queuescope::scenario::dist::parse_work_spec;
use queuescope::scenario::duration::parse_duration;
use queuescope::scenario::file::parse_scenario;
use queuescope::testing::exercise::replay_everything;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// One line, and the exit code of bad input.
fn usage_line(message: &str) {
    let e = Error::usage(message);
    assert_eq!(e.exit(), Exit::Usage);
    assert!(!message.is_empty());
    assert!(!message.contains('\n'), "one line: {message}");
}

const FIXTURE: &str = include_str!("fixtures/recordings/worker-pool-v2.jsonl");

/// Fragments a scenario file is made of, to reach past the TOML parser.
fn toml_fragment() -> impl Strategy<Value = String> {
    let keys = prop::sample::select(vec![
        "producers",
        "consumers",
        "capacity",
        "items",
        "duration",
        "interval",
        "work",
        "seed",
        "pills",
        "crash_items",
        "words",
        "gil",
        "switch_interval",
        "name",
        "lesson",
        "map",
        "pill_trigger",
    ]);
    let values = prop::sample::select(vec![
        "0",
        "1",
        "-1",
        "1024",
        "1025",
        "99999999999999999999",
        "\"unbounded\"",
        "\"10ms\"",
        "\"uniform:10ms..1ms\"",
        "\"cpu:exp:1h\"",
        "\"normal:5ms,1ms\"",
        "[1, 2, 3]",
        "[\"a\", \"\"]",
        "true",
        "1.5",
        "\"\\u001b[31m\"",
        "{ x = 1 }",
    ]);
    (keys, values).prop_map(|(k, v)| format!("{k} = {v}\n"))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_scenario_loader_never_panics(text in ".{0,400}") {
        if let Err(e) = parse_scenario("p.toml", &text, "p") {
            usage_line(&e.to_string());
        }
    }

    #[test]
    fn scenario_files_of_real_keys_give_a_config_or_one_line(
        parts in prop::collection::vec(toml_fragment(), 0..12)
    ) {
        let text: String = parts.concat();
        if let Err(e) = parse_scenario("p.toml", &text, "p") {
            usage_line(&e.to_string());
        }
    }

    #[test]
    fn durations_and_specs_never_panic_and_round_trip(text in "(cpu:)?(exp:|uniform:|normal:)?[0-9.]{0,24}(ns|us|µs|ms|s|m|h)?(\\.\\.|,)?[0-9.]{0,8}(ms|s)?|.{0,40}") {
        match parse_duration(&text) {
            Ok(d) => prop_assert_eq!(parse_duration(&queuescope::units::exact(d)), Ok(d)),
            Err(e) => usage_line(&e.to_string()),
        }
        match parse_work_spec(&text) {
            Ok(spec) => prop_assert_eq!(parse_work_spec(&spec.to_string()), Ok(spec)),
            Err(e) => usage_line(&e.to_string()),
        }
    }

    #[test]
    fn arbitrary_bytes_are_refused_as_bad_input(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        match parse_bytes("x.jsonl", &bytes) {
            Ok(rec) => replay_everything(&Arc::new(rec)),
            Err(e) => {
                prop_assert!(e.is_usage());
                usage_line(&e.to_string());
            }
        }
    }

    #[test]
    fn mutated_recordings_load_and_replay_or_are_refused(
        line in 0usize..64,
        at in 0usize..4096,
        len in 0usize..8,
        with in "[0-9a-z\"{}\\[\\]:,.-]{0,8}",
    ) {
        let mut lines: Vec<String> = FIXTURE.lines().map(str::to_string).collect();
        let i = line % lines.len();
        let l = &mut lines[i];
        let start = (at % (l.len() + 1)).min(l.len());
        let start = (0..=start).rev().find(|&k| l.is_char_boundary(k)).unwrap_or(0);
        let end = (start + len).min(l.len());
        let end = (end..=l.len()).find(|&k| l.is_char_boundary(k)).unwrap_or(l.len());
        l.replace_range(start..end, &with);
        let text = lines.join("\n") + "\n";
        match parse_bytes("m.jsonl", text.as_bytes()) {
            Ok(rec) => replay_everything(&Arc::new(rec)),
            Err(e) => {
                prop_assert!(e.is_usage());
                usage_line(&e.to_string());
            }
        }
    }
}

#[test]
fn the_fixtures_replay_whole() {
    for text in [
        FIXTURE,
        include_str!("fixtures/recordings/worker-pool.jsonl"),
    ] {
        let rec = parse_bytes("f.jsonl", text.as_bytes()).expect("fixture");
        replay_everything(&Arc::new(rec));
    }
}
