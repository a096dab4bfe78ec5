//! A fast hash for the fold's maps from the sender's thread and queue ids
//! to their slots: each event looks one or two up, and the standard
//! SipHash made that a sixth of the reader's time. The ids come from the
//! program, so a hostile sender could make them collide; those maps are
//! bounded (1,024 threads, 256 queues), so a collision costs a longer
//! probe, never more memory. (Item ids, up to 200,000, keep SipHash.)

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Multiplies in each word (the constant is odd, with well-spread bits)
/// and folds the high half into the low one, which picks the bucket.
#[derive(Clone, Copy, Debug, Default)]
pub struct IdHasher(u64);

const K: u64 = 0x9e37_79b9_7f4a_7c15;

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(K);
    }
}

/// A map keyed by a sender's id.
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn page_aligned_ids_spread_over_the_buckets() {
        // pthread ids are addresses: their low 12 bits are often zero.
        let b = BuildHasherDefault::<IdHasher>::default();
        let low: std::collections::BTreeSet<u64> = (1..=64u64)
            .map(|k| b.hash_one(0x7f00_0000_0000 + k * 4096) & 63)
            .collect();
        assert!(low.len() > 32, "only {} of 64 buckets used", low.len());
    }

    #[test]
    fn the_map_finds_what_it_holds() {
        let mut m: IdMap<u64, usize> = IdMap::default();
        for k in 0..1000u64 {
            m.insert(k << 12, k as usize);
        }
        assert!((0..1000u64).all(|k| m.get(&(k << 12)) == Some(&(k as usize))));
        assert_eq!(m.get(&1), None);
    }
}
