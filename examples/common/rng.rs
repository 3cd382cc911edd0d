//! splitmix64: a tiny seeded generator, so benchmarks, demos and tests replay exactly, and
//! the churn trace's region sizes that the allocator benchmark and demo share.
// Each includer uses a subset.
#![allow(dead_code)]

/// A splitmix64 generator.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (self.next() >> 40) as f32 / (1u64 << 24) as f32 * (hi - lo)
    }

    /// Shuffles `items` in place (Fisher-Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i as u64 + 1) as usize);
        }
    }
}

/// A region size from the churn trace: 80% sprite quads (4 slots), 15% text labels
/// (4..128), 5% meshes (256..4096).
pub fn region_size(rng: &mut Rng) -> usize {
    (match rng.below(100) {
        0..80 => 4,
        80..95 => 4 + rng.below(124),
        _ => 256 + rng.below(3841),
    }) as usize
}
