//! White-box stress tests: random operations with the tree's structural invariants checked
//! every few operations against a plain bitmap of the buffer, and the switch from 32-bit to
//! `usize` keys.

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

/// Allocates `size` units of `scale` by first fit, growing the capacity when told to, and
/// checks the placement against the bitmap model, which it updates. Returns the start unit.
/// The first-fit check scans the bitmap up to the start, so `check_first_fit` can skip it.
fn alloc_checked(
    a: &mut Allocator,
    used: &mut Vec<bool>,
    size: usize,
    scale: usize,
    check_first_fit: bool,
) -> usize {
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
    if check_first_fit {
        // No earlier free run of `size` slots.
        let mut run = 0;
        for &u in &used[..start] {
            run = if u { 0 } else { run + 1 };
            assert!(run < size, "not first fit");
        }
    }
    used[start..start + size].fill(true);
    start
}

/// Frees the `size` units of `scale` at unit `start` and marks them free in the bitmap model.
fn dealloc_checked(a: &mut Allocator, used: &mut [bool], start: usize, size: usize, scale: usize) {
    a.dealloc(start * scale, size * scale).unwrap();
    used[start..start + size].fill(false);
}

/// Random churn with sizes up to `max_size` units of `scale`: first fit is scale-invariant,
/// so a bitmap of units is the model, and a large `scale` spreads keys past `u32`.
///
/// It first allocates `prefill` regions and frees a random half of them, so that the churn
/// starts from thousands of gaps and the tree has branch levels to split, borrow and merge.
fn stress(seed: u64, prefill: usize, steps: usize, max_size: usize, scale: usize) {
    let mut rng = Rng(seed);
    let mut a = Allocator::new(0);
    let mut used: Vec<bool> = Vec::new();
    let mut live: Vec<(usize, usize)> = Vec::new();
    for _ in 0..prefill {
        // With nothing freed yet, every region goes to the end: first fit is trivial.
        let size = 1 + rng.below(max_size);
        live.push((alloc_checked(&mut a, &mut used, size, scale, false), size));
    }
    for _ in 0..prefill / 2 {
        let (s, n) = live.swap_remove(rng.below(live.len()));
        dealloc_checked(&mut a, &mut used, s, n, scale);
    }
    check_against(&a, &used, scale);
    let mut max_height = a.gaps.height();
    for step in 0..steps {
        let grow_phase = (step / (steps / 4).max(1)) % 2 == 0;
        let r = rng.below(100);
        if live.is_empty() || (grow_phase && r < 60) || (!grow_phase && r < 35) {
            let size = 1 + rng.below(max_size);
            live.push((alloc_checked(&mut a, &mut used, size, scale, true), size));
        } else if r < 90 {
            let (s, n) = live.swap_remove(rng.below(live.len()));
            dealloc_checked(&mut a, &mut used, s, n, scale);
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
        if step % 7 == 0 {
            check_against(&a, &used, scale);
        }
    }
    check_against(&a, &used, scale);
    assert!(
        max_height >= 2,
        "the stress test must exercise branch levels"
    );
    for (i, (s, n)) in live.drain(..).enumerate() {
        dealloc_checked(&mut a, &mut used, s, n, scale);
        if i % 7 == 0 {
            a.check();
        }
    }
    check_against(&a, &used, scale);
    assert_eq!(a.allocated_size(), 0);
    assert_eq!(a.gaps.height(), 0);
    assert_eq!(a.free_size(), a.capacity());
}

#[test]
fn tree_invariants_hold_under_random_churn_of_small_regions() {
    for seed in 0..4 {
        stress(seed, 8_000, 12_000, 8, 1);
    }
}

#[test]
fn tree_invariants_hold_under_random_churn_of_mixed_regions() {
    for seed in 10..14 {
        stress(seed, 8_000, 12_000, 64, 1);
    }
}

#[test]
fn tree_invariants_hold_when_regions_are_far_beyond_u32() {
    // Units of 2^28 slots: addresses and sizes soon pass u32::MAX.
    for seed in 20..23 {
        stress(seed, 8_000, 12_000, 24, 1 << 28);
    }
}

#[test]
#[cfg(target_pointer_width = "64")]
fn gaps_stay_intact_when_the_allocated_space_passes_i32_and_keys_widen() {
    // 3,001 regions of 2^19 slots end below i32::MAX; freeing every other one leaves 1,500
    // gaps in an `i32` tree with branch levels.
    let unit = 1 << 19;
    let mut a = Allocator::new(0);
    a.set_capacity(1 << 40).unwrap();
    let mut used = vec![false; (1 << 40) / unit];
    let mut live = Vec::new();
    for _ in 0..3_001 {
        live.push(alloc_checked(&mut a, &mut used, 1, unit, false));
    }
    for &s in live.iter().skip(1).step_by(2) {
        dealloc_checked(&mut a, &mut used, s, 1, unit);
    }
    let before = a.check();
    assert_eq!(before.len(), 1_500);
    assert!(!a.gaps.is_wide());
    assert!(a.gaps.height() >= 2);

    // No gap holds 1,200 units: the region goes to the end, past i32::MAX.
    let big = alloc_checked(&mut a, &mut used, 1_200, unit, true);
    assert_eq!(big, 3_001);
    assert!(a.gaps.is_wide());
    assert_eq!(a.check(), before);
    check_against(&a, &used, unit);

    // The wide tree goes on allocating by first fit and coalescing.
    let first = alloc_checked(&mut a, &mut used, 1, unit, true);
    assert_eq!(first, 1);
    for &s in live.iter().step_by(2) {
        dealloc_checked(&mut a, &mut used, s, 1, unit);
    }
    check_against(&a, &used, unit);
    assert_eq!(
        a.regions().collect::<Vec<_>>(),
        [unit..2 * unit, 3_001 * unit..4_201 * unit]
    );
}

#[test]
fn keys_stay_32_bit_while_the_allocated_space_fits_i32() {
    let mut a = Allocator::new(i32::MAX as usize);
    let s = a.alloc(i32::MAX as usize - 1).unwrap();
    a.alloc(1).unwrap();
    a.dealloc(s, 10).unwrap();
    assert_eq!(a.alloc(4), Ok(0));
    assert!(!a.gaps.is_wide());
    assert_eq!(a.check(), [(4, 6)]);
    // A request longer than any 32-bit gap fails cleanly in the narrow tree.
    assert_eq!(a.alloc(usize::MAX), Err(AllocError::Overflow));
    assert!(!a.gaps.is_wide());
}
