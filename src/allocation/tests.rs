//! White-box stress test: random operations with the tree's structural invariants checked
//! after each one, against a plain bitmap of the buffer.

use super::{AllocError, Allocator};

/// splitmix64: a tiny deterministic generator for the stress test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Checks the allocator against a bitmap of allocated slots, each standing for `scale` units.
fn check_against(a: &Allocator, used: &[bool], scale: usize) {
    a.check();
    let mut expected = Vec::new();
    let mut i = 0;
    while i < used.len() {
        if used[i] {
            let s = i;
            while i < used.len() && used[i] {
                i += 1;
            }
            expected.push(s..i);
        } else {
            i += 1;
        }
    }
    let got: Vec<_> = a.regions().collect();
    let expected: Vec<_> = expected
        .into_iter()
        .map(|r| r.start * scale..r.end * scale)
        .collect();
    assert_eq!(got, expected);
    assert_eq!(a.region_count(), expected.len());
    assert_eq!(
        a.allocated_size(),
        used.iter().filter(|&&u| u).count() * scale
    );
}

/// Random churn with sizes up to `max_size` units of `scale`: first fit is scale-invariant,
/// so a bitmap of units is the model, and a large `scale` spreads keys past `u32` deltas.
fn stress(seed: u64, steps: usize, max_size: usize, scale: usize) {
    let mut rng = Rng(seed);
    let mut a = Allocator::new(0);
    let mut used: Vec<bool> = Vec::new();
    let mut live: Vec<(usize, usize)> = Vec::new();
    let mut max_height = 0;
    for step in 0..steps {
        let grow_phase = (step / 2000) % 2 == 0;
        let r = rng.below(100);
        if live.is_empty() || (grow_phase && r < 60) || (!grow_phase && r < 35) {
            let size = 1 + rng.below(max_size);
            let start = match a.alloc(size * scale) {
                Ok(s) => s / scale,
                Err(AllocError::OutOfCapacity { requested_capacity }) => {
                    a.set_capacity(requested_capacity).unwrap();
                    used.resize(requested_capacity / scale, false);
                    a.alloc(size * scale).unwrap() / scale
                }
                Err(e) => panic!("{e}"),
            };
            assert!(used[start..start + size].iter().all(|&u| !u));
            // First fit: no earlier free run of `size` slots.
            let mut run = 0;
            for &u in &used[..start] {
                run = if u { 0 } else { run + 1 };
                assert!(run < size, "not first fit");
            }
            used[start..start + size].fill(true);
            live.push((start, size));
        } else if r < 90 {
            let (s, n) = live.swap_remove(rng.below(live.len()));
            a.dealloc(s * scale, n * scale).unwrap();
            used[s..s + n].fill(false);
            assert_eq!(
                a.dealloc(s * scale, n * scale),
                Err(AllocError::NotAllocated {
                    start: s * scale,
                    size: n * scale
                })
            );
        } else {
            let i = rng.below(live.len());
            let (s, n) = live[i];
            let new_size = 1 + rng.below(max_size * 2);
            let (ss, ns_, nn) = (s * scale, n * scale, new_size * scale);
            let ns = match a.realloc(ss, ns_, nn) {
                Ok(ns) => ns / scale,
                Err(AllocError::OutOfCapacity { requested_capacity }) => {
                    a.set_capacity(requested_capacity).unwrap();
                    used.resize(requested_capacity / scale, false);
                    a.realloc(ss, ns_, nn).unwrap() / scale
                }
                Err(e) => panic!("{e}"),
            };
            used[s..s + n].fill(false);
            assert!(used[ns..ns + new_size].iter().all(|&u| !u));
            used[ns..ns + new_size].fill(true);
            live[i] = (ns, new_size);
        }
        max_height = max_height.max(a.gaps.height());
        if step % 7 == 0 || steps < 5000 {
            check_against(&a, &used, scale);
        }
    }
    check_against(&a, &used, scale);
    assert!(
        max_height >= 2,
        "the stress test must exercise branch levels"
    );
    for (s, n) in live.drain(..) {
        a.dealloc(s * scale, n * scale).unwrap();
        used[s..s + n].fill(false);
    }
    check_against(&a, &used, scale);
    assert_eq!(a.allocated_size(), 0);
    assert_eq!(a.gaps.height(), 0);
    assert_eq!(a.free_size(), a.capacity());
}

#[test]
fn tree_invariants_hold_under_random_churn_of_small_regions() {
    for seed in 0..4 {
        stress(seed, 20_000, 8, 1);
    }
}

#[test]
fn tree_invariants_hold_under_random_churn_of_mixed_regions() {
    for seed in 10..14 {
        stress(seed, 20_000, 64, 1);
    }
}

#[test]
fn tree_invariants_hold_when_regions_are_far_beyond_u32() {
    // Units of 2^28 slots: addresses and sizes soon pass u32::MAX.
    for seed in 20..23 {
        stress(seed, 12_000, 24, 1 << 28);
    }
}
