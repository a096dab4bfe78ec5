//! The duration and distribution parsers behind every time a user types
//! (--interval, --work, --duration, --grace, and the same TOML keys).
#![no_main]

use libfuzzer_sys::fuzz_target;
use queuescope::scenario::dist::parse_work_spec;
use queuescope::scenario::duration::{parse_duration, parse_duration_max};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(d) = parse_duration(text) {
        // What parses prints back as something that parses to the same.
        let shown = queuescope::units::exact(d);
        assert_eq!(parse_duration(&shown), Ok(d), "{text:?} -> {shown:?}");
    }
    let _ = parse_duration_max(text, std::time::Duration::from_secs(3600));
    if let Ok(spec) = parse_work_spec(text) {
        let shown = spec.to_string();
        assert_eq!(parse_work_spec(&shown), Ok(spec), "{text:?} -> {shown:?}");
        let _ = spec.dist.mean();
    }
});
