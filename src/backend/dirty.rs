//! [`DirtySet`]: which bytes of a buffer's CPU mirror GL does not hold yet, as a bitmap of
//! fixed-size blocks. Pure bookkeeping: no GL.
//!
//! A bitmap instead of a list of written ranges keeps a frame's marks in memory that is
//! allocated once (one bit per [`BLOCK_BYTES`] of buffer), however scattered the writes
//! are, and hands the flush its spans already in address order: after sprites are removed
//! and re-added, a frame's hundred thousand small writes land in random order, and a list of
//! ranges would have to be grown and sorted every frame.
//!
//! Marks are block-granular, except at the two ends: the set also keeps the exact lowest
//! and highest byte marked, so a single write is uploaded to the byte.

/// Bytes per dirty bit: one cache line, so a sprite's 32 bytes of positions mark one or two.
pub const BLOCK_BYTES: usize = 64;

/// Bits per bitmap word.
const WORD_BITS: usize = u64::BITS as usize;

/// A dirty byte range to upload, `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// Its length in bytes.
    pub fn len(&self) -> usize {
        self.end - self.start
    }
}

/// The dirty blocks of a buffer of `capacity` bytes.
///
/// Invariants: `words` has one bit per block of `0..capacity`; when clean, every bit is 0
/// and `lo > hi`; otherwise every set bit's block intersects `lo..hi`, and the blocks of
/// `lo` and `hi - 1` are set.
#[derive(Debug, Clone)]
pub(crate) struct DirtySet {
    words: Vec<u64>,
    capacity: usize,
    lo: usize,
    hi: usize,
}

impl DirtySet {
    /// A clean set for `capacity` bytes.
    pub fn new(capacity: usize) -> Self {
        DirtySet {
            words: vec![0; words_for(capacity)],
            capacity,
            lo: usize::MAX,
            hi: 0,
        }
    }

    /// Follows the buffer to a larger `capacity`; marks are kept.
    pub fn grow(&mut self, capacity: usize) {
        if capacity > self.capacity {
            self.words.resize(words_for(capacity), 0);
            self.capacity = capacity;
        }
    }

    /// Whether nothing is marked.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.lo > self.hi
    }

    /// Marks bytes `offset..offset + len` (inside the capacity; the caller checked).
    #[inline]
    pub fn mark(&mut self, offset: usize, len: usize) {
        if len == 0 {
            return;
        }
        let end = offset + len;
        self.lo = self.lo.min(offset);
        self.hi = self.hi.max(end);
        let (first, last) = (offset / BLOCK_BYTES, (end - 1) / BLOCK_BYTES);
        if first == last {
            self.words[first / WORD_BITS] |= 1 << (first % WORD_BITS);
        } else {
            self.mark_blocks(first, last);
        }
    }

    /// Sets the bits of blocks `first..=last`, a word at a time.
    fn mark_blocks(&mut self, first: usize, last: usize) {
        let (first_word, last_word) = (first / WORD_BITS, last / WORD_BITS);
        let head = u64::MAX << (first % WORD_BITS);
        let tail = u64::MAX >> (WORD_BITS - 1 - last % WORD_BITS);
        if first_word == last_word {
            self.words[first_word] |= head & tail;
            return;
        }
        self.words[first_word] |= head;
        self.words[first_word + 1..last_word].fill(u64::MAX);
        self.words[last_word] |= tail;
    }

    /// Writes the marked bytes into `out` (cleared first) as spans in address order, with
    /// neighbours less than `merge_gap` bytes apart joined into one span: copying a small
    /// gap costs less than another GL call. The first span starts at the lowest marked
    /// byte and the last ends at the highest.
    pub fn spans(&self, merge_gap: usize, out: &mut Vec<Span>) {
        out.clear();
        if self.is_empty() {
            return;
        }
        let (first_word, last_word) = (
            self.lo / BLOCK_BYTES / WORD_BITS,
            (self.hi - 1) / BLOCK_BYTES / WORD_BITS,
        );
        let mut open: Option<Span> = None;
        for w in first_word..=last_word {
            let mut bits = self.words[w];
            while bits != 0 {
                // The next run of set bits in this word.
                let from = bits.trailing_zeros() as usize;
                let ones = (bits >> from).trailing_ones() as usize;
                let block = w * WORD_BITS + from;
                let start = block * BLOCK_BYTES;
                let end = ((block + ones) * BLOCK_BYTES).min(self.capacity);
                match &mut open {
                    Some(span) if start <= span.end + merge_gap => span.end = end,
                    _ => {
                        if let Some(span) = open.take() {
                            out.push(span);
                        }
                        open = Some(Span { start, end });
                    }
                }
                bits = if from + ones >= WORD_BITS {
                    0
                } else {
                    bits & (u64::MAX << (from + ones))
                };
            }
        }
        out.extend(open);
        if let Some(first) = out.first_mut() {
            first.start = first.start.max(self.lo);
        }
        if let Some(last) = out.last_mut() {
            last.end = last.end.min(self.hi);
        }
    }

    /// Clears every mark, touching only the words that can hold one.
    pub fn clear(&mut self) {
        if !self.is_empty() {
            let (first_word, last_word) = (
                self.lo / BLOCK_BYTES / WORD_BITS,
                (self.hi - 1) / BLOCK_BYTES / WORD_BITS,
            );
            self.words[first_word..=last_word].fill(0);
        }
        self.lo = usize::MAX;
        self.hi = 0;
    }
}

/// Bitmap words for `capacity` bytes.
fn words_for(capacity: usize) -> usize {
    capacity.div_ceil(BLOCK_BYTES).div_ceil(WORD_BITS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(set: &DirtySet, gap: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        set.spans(gap, &mut out);
        out.iter().map(|s| (s.start, s.end)).collect()
    }

    #[test]
    fn a_single_write_is_one_span_to_the_byte() {
        let mut set = DirtySet::new(4096);
        set.mark(100, 30);
        assert_eq!(spans(&set, 0), [(100, 130)]);
    }

    #[test]
    fn far_apart_writes_stay_apart_and_near_ones_merge() {
        let mut set = DirtySet::new(1 << 20);
        set.mark(0, 8);
        set.mark(200, 8);
        set.mark(100_000, 8);
        assert_eq!(spans(&set, 0), [(0, 64), (192, 256), (99_968, 100_008)]);
        assert_eq!(spans(&set, 4096), [(0, 256), (99_968, 100_008)]);
    }

    #[test]
    fn writes_in_random_order_come_out_in_address_order() {
        let mut set = DirtySet::new(64 * 64 * 4);
        for block in [200, 3, 77, 150, 4, 64, 63] {
            set.mark(block * 64, 64);
        }
        assert_eq!(
            spans(&set, 0),
            [
                (192, 320),
                (4032, 4160),
                (4928, 4992),
                (9600, 9664),
                (12800, 12864)
            ]
        );
    }

    #[test]
    fn a_long_write_marks_every_block_across_words() {
        let mut set = DirtySet::new(64 * 1000);
        set.mark(64 * 10 + 5, 64 * 300);
        assert_eq!(spans(&set, 0), [(645, 64 * 310 + 5)]);
        set.mark(64 * 999, 64);
        assert_eq!(spans(&set, 0), [(645, 64 * 311), (64 * 999, 64 * 1000)]);
    }

    #[test]
    fn the_last_block_is_clamped_to_the_capacity() {
        let mut set = DirtySet::new(100);
        set.mark(60, 40);
        set.mark(0, 4);
        assert_eq!(spans(&set, 0), [(0, 100)]);
    }

    #[test]
    fn clear_forgets_every_mark_and_growth_keeps_them() {
        let mut set = DirtySet::new(256);
        set.mark(10, 10);
        set.grow(1 << 16);
        set.mark(60_000, 4);
        assert_eq!(spans(&set, 0), [(10, 64), (59_968, 60_004)]);
        set.clear();
        assert!(set.is_empty());
        assert_eq!(spans(&set, 0), []);
        set.mark(5000, 1);
        assert_eq!(spans(&set, 0), [(5000, 5001)]);
    }
}
