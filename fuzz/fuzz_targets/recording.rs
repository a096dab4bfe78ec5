//! The recording reader, and everything a replay then does with what it
//! accepted: play, step, seek, draw every frame's threads, print the summary.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use queuescope::record::read::parse_bytes;

fuzz_target!(|data: &[u8]| {
    match parse_bytes("fuzz.jsonl", data) {
        Ok(rec) => queuescope::testing::exercise::replay_everything(&Arc::new(rec)),
        Err(e) => assert!(e.is_usage(), "{e}"),
    }
});
