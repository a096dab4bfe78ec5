//! The yardstick for queuescope's observer effect: the simplest program a
//! user would write for the same shape, with nothing measured. P producer
//! threads put `--items` `u64`s in all on a crossbeam `bounded(capacity)`
//! channel; C consumer threads `recv()` until each takes a poison pill
//! (`u64::MAX`), which `main` puts after joining the producers. Comparing the
//! whole process against `queuescope run --json` with the same flags gives
//! the end-to-end cost of watching (see docs/performance.md).
//!
//! Usage: `bare-channel [--producers N] [--consumers N] [--items N] [--capacity N]`
//! (defaults 1, 1, 1000000, 64). Only built with the `testing` feature, so
//! it is not installed with the real binary.

use std::process::ExitCode;

use queuescope::testing::bare::{PILL, move_items};

struct Args {
    producers: u64,
    consumers: u64,
    items: u64,
    capacity: usize,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        producers: 1,
        consumers: 1,
        items: 1_000_000,
        capacity: 64,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let n: u64 = value
            .parse()
            .map_err(|_| format!("{flag}: expected a whole number, got {value:?}"))?;
        match flag.as_str() {
            "--producers" if (1..=1024).contains(&n) => a.producers = n,
            "--consumers" if (1..=1024).contains(&n) => a.consumers = n,
            "--items" if n < PILL => a.items = n,
            "--capacity" if n <= 1_000_000 => a.capacity = n as usize,
            _ => {
                return Err(format!(
                    "{flag} {value}: not accepted (see the file's header)"
                ));
            }
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let a = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("bare-channel: {e}");
            return ExitCode::from(2);
        }
    };
    let odd = move_items(a.producers, a.consumers, a.items, a.capacity);
    println!("{} items, {odd} odd", a.items);
    ExitCode::SUCCESS
}
