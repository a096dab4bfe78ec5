//! The yardstick for the observer effect: the simplest program a user would
//! write for the same shape, with nothing measured. Producers `send` plain
//! `u64`s into a crossbeam `bounded(capacity)`; consumers `recv` until each
//! takes a poison pill, which the caller's thread puts after joining the
//! producers. The `bare-channel` binary (whole processes) and the
//! `queue_overhead` bench (in process) both run this one function.

use std::hint::black_box;

/// The poison pill: no item id reaches it.
pub const PILL: u64 = u64::MAX;

/// Moves `items` (below [`PILL`]) from `producers` threads to `consumers`
/// threads (both ≥ 1) through a channel of `capacity`; returns how many odd
/// items the consumers saw, so that nothing is optimised away.
pub fn move_items(producers: u64, consumers: u64, items: u64, capacity: usize) -> u64 {
    let (tx, rx) = crossbeam_channel::bounded::<u64>(capacity);
    let takers: Vec<_> = (0..consumers)
        .map(|_| {
            let rx = rx.clone();
            std::thread::spawn(move || {
                let mut n = 0u64;
                while let Ok(x) = rx.recv() {
                    if x == PILL {
                        break;
                    }
                    n += black_box(x) & 1;
                }
                n
            })
        })
        .collect();
    let makers: Vec<_> = (0..producers)
        .map(|p| {
            let tx = tx.clone();
            let (from, to) = (p * items / producers, (p + 1) * items / producers);
            std::thread::spawn(move || {
                for i in from..to {
                    let _ = tx.send(i);
                }
            })
        })
        .collect();
    for m in makers {
        let _ = m.join();
    }
    for _ in 0..consumers {
        let _ = tx.send(PILL);
    }
    takers.into_iter().filter_map(|c| c.join().ok()).sum()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_item_arrives_once() {
        // 0..1000 holds 500 odd numbers, whatever the shape.
        for (p, c) in [(1, 1), (3, 2), (2, 5)] {
            assert_eq!(super::move_items(p, c, 1000, 4), 500);
        }
    }
}
