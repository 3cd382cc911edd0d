//! Differential fuzz target: the input bytes decode to a sequence of allocator operations,
//! misuse included, run through `vertex_domain::allocation::Allocator` and through a plain
//! reference model (a sorted `Vec` of aggregate blocks). Results, regions and statistics must
//! match after every step, and every `OutOfCapacity` must name exactly the smallest capacity
//! at which the same call succeeds.
//!
//! Run with `cargo +nightly fuzz run allocator_model` from the crate root.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vertex_domain::allocation::{AllocError, Allocator};

/// The reference: allocated space as sorted, coalesced `(start, end)` blocks.
#[derive(Clone, Debug, Default)]
struct Model {
    capacity: usize,
    blocks: Vec<(usize, usize)>,
}

impl Model {
    fn end(&self) -> usize {
        self.blocks.last().map_or(0, |b| b.1)
    }

    fn allocated(&self) -> usize {
        self.blocks.iter().map(|b| b.1 - b.0).sum()
    }

    fn is_allocated(&self, start: usize, end: usize) -> bool {
        self.blocks.iter().any(|&(s, e)| s <= start && end <= e)
    }

    fn mark(&mut self, start: usize, end: usize) {
        self.blocks.push((start, end));
        self.blocks.sort();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for &(s, e) in &self.blocks {
            match merged.last_mut() {
                Some(last) if last.1 == s => last.1 = e,
                _ => merged.push((s, e)),
            }
        }
        self.blocks = merged;
    }

    fn unmark(&mut self, start: usize, end: usize) {
        let i = self
            .blocks
            .iter()
            .position(|&(s, e)| s <= start && end <= e)
            .unwrap();
        let (s, e) = self.blocks.remove(i);
        if end < e {
            self.blocks.insert(i, (end, e));
        }
        if s < start {
            self.blocks.insert(i, (s, start));
        }
    }

    fn alloc(&mut self, size: usize) -> Result<usize, AllocError> {
        if size == 0 {
            return Ok(0);
        }
        let mut prev = 0;
        for &(s, e) in &self.blocks {
            if s - prev >= size {
                self.mark(prev, prev + size);
                return Ok(prev);
            }
            prev = e;
        }
        let end = prev.checked_add(size).ok_or(AllocError::Overflow)?;
        if end > self.capacity {
            return Err(AllocError::OutOfCapacity {
                requested_capacity: end,
            });
        }
        self.mark(prev, end);
        Ok(prev)
    }

    fn dealloc(&mut self, start: usize, size: usize) -> Result<(), AllocError> {
        if size == 0 {
            return Ok(());
        }
        let end = start.checked_add(size).ok_or(AllocError::Overflow)?;
        if !self.is_allocated(start, end) {
            return Err(AllocError::NotAllocated { start, size });
        }
        self.unmark(start, end);
        Ok(())
    }

    fn realloc(&mut self, start: usize, size: usize, new_size: usize) -> Result<usize, AllocError> {
        if new_size == 0 {
            self.dealloc(start, size)?;
            return Ok(0);
        }
        if size == 0 {
            return self.alloc(new_size);
        }
        let end = start.checked_add(size).ok_or(AllocError::Overflow)?;
        if !self.is_allocated(start, end) {
            return Err(AllocError::NotAllocated { start, size });
        }
        if new_size == size {
            return Ok(start);
        }
        if new_size < size {
            self.unmark(start + new_size, end);
            return Ok(start);
        }
        let growth = new_size - size;
        let block = self.blocks.iter().position(|&(_, e)| e >= end).unwrap();
        let free_after = if self.blocks[block].1 > end {
            0
        } else {
            self.blocks
                .get(block + 1)
                .map_or(self.capacity, |next| next.0)
                - end
        };
        if free_after >= growth {
            self.mark(end, end + growth);
            return Ok(start);
        }
        let ends_allocated_space = end == self.end();
        match self.alloc(new_size) {
            Ok(new_start) => {
                self.unmark(start, end);
                Ok(new_start)
            }
            Err(_) if ends_allocated_space => match start.checked_add(new_size) {
                Some(requested_capacity) => Err(AllocError::OutOfCapacity { requested_capacity }),
                None => Err(AllocError::Overflow),
            },
            Err(e) => Err(e),
        }
    }

    fn set_capacity(&mut self, capacity: usize) -> Result<(), AllocError> {
        if capacity < self.capacity {
            return Err(AllocError::CapacityReduction {
                capacity: self.capacity,
                requested: capacity,
            });
        }
        self.capacity = capacity;
        Ok(())
    }
}

/// Reads the input as a stream of small numbers.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    /// A size: mostly small, sometimes medium, sometimes next to `usize::MAX`.
    fn size(&mut self) -> Option<usize> {
        let b = self.byte()?;
        Some(match b >> 6 {
            0 | 1 => usize::from(b & 0x0F),
            2 => usize::from(b & 0x3F) * 4 + usize::from(self.byte()? & 3),
            _ => usize::MAX - usize::from(b & 0x3F),
        })
    }
}

fn assert_same(a: &Allocator, m: &Model) {
    let blocks: Vec<(usize, usize)> = a.regions().map(|r| (r.start, r.end)).collect();
    assert_eq!(blocks, m.blocks);
    let (starts, sizes) = a.allocated_regions();
    assert_eq!(starts.len(), blocks.len());
    assert!(starts
        .iter()
        .zip(&sizes)
        .zip(&blocks)
        .all(|((&s, &n), b)| (s, s + n) == *b));
    assert_eq!(a.region_count(), blocks.len());
    for w in blocks.windows(2) {
        assert!(w[0].1 < w[1].0);
    }
    assert!(blocks.iter().all(|&(s, e)| s < e && e <= a.capacity()));
    assert_eq!(a.capacity(), m.capacity);
    assert_eq!(a.allocated_size(), m.allocated());
    assert_eq!(a.free_size(), m.capacity - m.allocated());
    assert_eq!(
        a.fragmented_free_size(),
        a.free_size() - (m.capacity - m.end())
    );
}

fn assert_grow_and_retry<T: std::fmt::Debug>(
    a: &Allocator,
    result: &Result<T, AllocError>,
    call: impl Fn(&mut Allocator) -> Result<T, AllocError>,
) {
    if let Err(AllocError::OutOfCapacity { requested_capacity }) = *result {
        let mut grown = a.clone();
        grown.set_capacity(requested_capacity).unwrap();
        assert!(call(&mut grown).is_ok());
        let mut short = a.clone();
        short.set_capacity(requested_capacity - 1).unwrap();
        assert!(matches!(
            call(&mut short),
            Err(AllocError::OutOfCapacity { .. })
        ));
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let Some(first) = input.byte() else { return };
    let capacity = if first == 0xFF {
        usize::MAX
    } else {
        usize::from(first)
    };
    let mut a = Allocator::new(capacity);
    let mut m = Model {
        capacity,
        blocks: Vec::new(),
    };
    let mut handed_out: Vec<(usize, usize)> = Vec::new();
    while let Some(op) = input.byte() {
        let pick =
            |i: u8| (!handed_out.is_empty()).then(|| handed_out[usize::from(i) % handed_out.len()]);
        match op % 8 {
            0 | 1 => {
                let Some(n) = input.size() else { break };
                let got = a.alloc(n);
                assert_eq!(got, m.alloc(n));
                assert_grow_and_retry(&a, &got, |a| a.alloc(n));
                if let Ok(s) = got {
                    handed_out.push((s, n));
                }
            }
            2 => {
                let Some(i) = input.byte() else { break };
                if let Some((s, n)) = pick(i) {
                    assert_eq!(a.dealloc(s, n), m.dealloc(s, n));
                }
            }
            3 => {
                let (Some(i), Some(off), Some(len)) = (input.byte(), input.size(), input.size())
                else {
                    break;
                };
                if let Some((s, n)) = pick(i) {
                    let (s, n) = (s.saturating_add(off.min(n)), len.min(n - off.min(n)));
                    assert_eq!(a.dealloc(s, n), m.dealloc(s, n));
                }
            }
            4 | 5 => {
                let (Some(i), Some(new)) = (input.byte(), input.size()) else {
                    break;
                };
                if let Some((s, n)) = pick(i) {
                    let got = a.realloc(s, n, new);
                    assert_eq!(got, m.realloc(s, n, new));
                    assert_grow_and_retry(&a, &got, |a| a.realloc(s, n, new));
                    if let Ok(ns) = got {
                        handed_out.push((ns, new));
                    }
                }
            }
            6 => {
                let (Some(s), Some(n), Some(new)) = (input.byte(), input.size(), input.size())
                else {
                    break;
                };
                let s = if s == 0xFF {
                    usize::MAX - 3
                } else {
                    usize::from(s)
                };
                if new % 2 == 0 {
                    assert_eq!(a.dealloc(s, n), m.dealloc(s, n));
                } else {
                    let got = a.realloc(s, n, new);
                    assert_eq!(got, m.realloc(s, n, new));
                    assert_grow_and_retry(&a, &got, |a| a.realloc(s, n, new));
                }
            }
            _ => {
                let Some(d) = input.byte() else { break };
                // Mostly grows, sometimes tries to shrink (misuse).
                let c = a.capacity().saturating_add_signed(isize::from(d as i8));
                assert_eq!(a.set_capacity(c), m.set_capacity(c));
            }
        }
        assert_same(&a, &m);
    }
});
