//! A scenario file: any text must give a config or one error line, never
//! a panic; a config it gives must pass the same checks again as flags.
#![no_main]

use libfuzzer_sys::fuzz_target;
use queuescope::scenario::file::parse_scenario;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_scenario("fuzz.toml", text, "fuzz") {
        Ok(config) => {
            // Whatever validated must also describe and scale cleanly.
            let _ = queuescope::scenario::notes::ends(&config.workload);
            let _ = config.at_speed(0.25);
        }
        Err(e) => {
            let line = e.to_string();
            assert!(!line.is_empty());
        }
    }
});
