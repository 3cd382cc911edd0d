//! The plain reference model of the region allocator and the differential harness around it,
//! shared by `tests/allocation_model.rs` (proptest) and `fuzz/fuzz_targets/allocator_model.rs`
//! (libFuzzer), so the two checks cannot drift apart.
//!
//! The model keeps allocated space as a sorted `Vec` of coalesced blocks and walks it linearly.
//! [`Harness::apply`] runs one [`Op`] through the [`Allocator`] and the model, asserts that the
//! results agree, that every `OutOfCapacity` names exactly the smallest capacity that makes the
//! retry pass, and that all regions and statistics agree afterwards.

use vertex_domain::allocation::{AllocError, Allocator};

/// The reference: allocated space as sorted, coalesced `(start, end)` blocks.
#[derive(Clone, Debug, Default)]
pub struct Model {
    capacity: usize,
    blocks: Vec<(usize, usize)>,
}

impl Model {
    pub fn new(capacity: usize) -> Self {
        Model {
            capacity,
            blocks: Vec::new(),
        }
    }

    /// End of the last block.
    fn end(&self) -> usize {
        self.blocks.last().map_or(0, |b| b.1)
    }

    fn allocated(&self) -> usize {
        self.blocks.iter().map(|b| b.1 - b.0).sum()
    }

    fn is_allocated(&self, start: usize, end: usize) -> bool {
        self.blocks.iter().any(|&(s, e)| s <= start && end <= e)
    }

    /// Marks `[start, end)` allocated (it is free), merging with touching blocks.
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

    /// Marks `[start, end)` free (it is allocated), splitting its block.
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
        // Free space right after the region: up to the next block, or to the capacity.
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

    fn free_size(&self) -> usize {
        self.capacity - self.allocated()
    }

    fn fragmented_free_size(&self) -> usize {
        self.free_size() - (self.capacity - self.end())
    }
}

/// One step of a random sequence. Indices pick from the harness's list of regions handed out
/// so far, live or stale (`usize` indices are reduced modulo its length).
#[derive(Clone, Debug)]
pub enum Op {
    Alloc(usize),
    /// Frees a region handed out earlier: live, or already freed (a double free).
    Free(usize),
    /// Frees part of a region handed out earlier.
    FreePart(usize, usize, usize),
    Realloc(usize, usize),
    /// Frees or reallocs an arbitrary range, mostly not allocated.
    FreeAt(usize, usize),
    ReallocAt(usize, usize, usize),
    /// Sets the capacity to the current one plus a signed delta (shrinking is misuse).
    SetCapacity(i64),
}

/// Checks that the allocator and the model agree on everything observable, and that the
/// allocator's regions satisfy the invariants.
pub fn assert_same(a: &Allocator, m: &Model) {
    let (starts, sizes) = a.allocated_regions();
    let blocks: Vec<(usize, usize)> = starts
        .iter()
        .zip(&sizes)
        .map(|(&s, &n)| (s, s + n))
        .collect();
    assert_eq!(blocks, m.blocks, "aggregate regions differ");
    let ranges: Vec<_> = a.regions().map(|r| (r.start, r.end)).collect();
    assert_eq!(ranges, blocks, "regions() and allocated_regions() differ");
    assert_eq!(a.region_count(), blocks.len());
    for w in blocks.windows(2) {
        assert!(w[0].1 < w[1].0, "regions overlap or touch: {w:?}");
    }
    for &(s, e) in &blocks {
        assert!(s < e && e <= a.capacity(), "bad region {s}..{e}");
    }
    let total: usize = sizes.iter().sum();
    assert_eq!(a.allocated_size(), total);
    assert_eq!(a.capacity(), m.capacity);
    assert_eq!(a.free_size() + total, a.capacity());
    assert_eq!(a.free_size(), m.free_size());
    assert_eq!(a.fragmented_free_size(), m.fragmented_free_size());
    let free = m.free_size();
    let frag = if free == 0 {
        0.0
    } else {
        m.fragmented_free_size() as f64 / free as f64
    };
    assert_eq!(a.fragmentation(), frag);
    let usage = if m.capacity == 0 {
        0.0
    } else {
        total as f64 / m.capacity as f64
    };
    assert_eq!(a.usage(), usage);
}

/// The allocator's grow-and-retry contract, checked on a copy: growing to
/// `requested_capacity` makes `call`
/// succeed, and one slot less does not.
fn assert_grow_and_retry<T: std::fmt::Debug>(
    a: &Allocator,
    result: &Result<T, AllocError>,
    call: impl Fn(&mut Allocator) -> Result<T, AllocError>,
) {
    if let Err(AllocError::OutOfCapacity { requested_capacity }) = *result {
        assert!(requested_capacity > a.capacity());
        let mut grown = a.clone();
        grown.set_capacity(requested_capacity).unwrap();
        let retry = call(&mut grown);
        assert!(
            retry.is_ok(),
            "retry at {requested_capacity} failed: {retry:?}"
        );
        let mut short = a.clone();
        short.set_capacity(requested_capacity - 1).unwrap();
        assert!(
            matches!(call(&mut short), Err(AllocError::OutOfCapacity { .. })),
            "{requested_capacity} is not the smallest capacity that works"
        );
    }
}

/// The allocator and the model side by side, with every region handed out so far.
pub struct Harness {
    a: Allocator,
    m: Model,
    /// Regions handed out, live or stale; `Op` indices pick from here.
    handed_out: Vec<(usize, usize)>,
}

impl Harness {
    pub fn new(initial_capacity: usize) -> Self {
        Harness {
            a: Allocator::new(initial_capacity),
            m: Model::new(initial_capacity),
            handed_out: Vec::new(),
        }
    }

    /// Runs `op` through both, asserts the results agree, then asserts everything observable
    /// agrees.
    pub fn apply(&mut self, op: &Op) {
        let Harness { a, m, handed_out } = self;
        let pick = |v: &Vec<(usize, usize)>, i: usize| (!v.is_empty()).then(|| v[i % v.len()]);
        match *op {
            Op::Alloc(n) => {
                let planned = a.plan_alloc(n);
                let got = a.alloc(n);
                assert_eq!(planned, got, "plan_alloc({n}) foretells alloc");
                assert_eq!(got, m.alloc(n), "alloc({n})");
                assert_grow_and_retry(a, &got, |a| a.alloc(n));
                if let Ok(s) = got {
                    handed_out.push((s, n));
                }
            }
            Op::Free(i) => {
                if let Some((s, n)) = pick(handed_out, i) {
                    assert_eq!(a.dealloc(s, n), m.dealloc(s, n), "dealloc({s}, {n})");
                }
            }
            Op::FreePart(i, off, len) => {
                if let Some((s, n)) = pick(handed_out, i) {
                    let (s, n) = (s.saturating_add(off.min(n)), len.min(n - off.min(n)));
                    assert_eq!(a.dealloc(s, n), m.dealloc(s, n), "dealloc({s}, {n})");
                }
            }
            Op::Realloc(i, new) => {
                if let Some((s, n)) = pick(handed_out, i) {
                    let planned = a.plan_realloc(s, n, new);
                    let got = a.realloc(s, n, new);
                    assert_eq!(
                        planned, got,
                        "plan_realloc({s}, {n}, {new}) foretells realloc"
                    );
                    assert_eq!(got, m.realloc(s, n, new), "realloc({s}, {n}, {new})");
                    assert_grow_and_retry(a, &got, |a| a.realloc(s, n, new));
                    if let Ok(ns) = got {
                        handed_out.push((ns, new));
                    }
                }
            }
            Op::FreeAt(s, n) => assert_eq!(a.dealloc(s, n), m.dealloc(s, n), "dealloc({s}, {n})"),
            Op::ReallocAt(s, n, new) => {
                let planned = a.plan_realloc(s, n, new);
                let got = a.realloc(s, n, new);
                assert_eq!(
                    planned, got,
                    "plan_realloc({s}, {n}, {new}) foretells realloc"
                );
                assert_eq!(got, m.realloc(s, n, new), "realloc({s}, {n}, {new})");
                assert_grow_and_retry(a, &got, |a| a.realloc(s, n, new));
            }
            Op::SetCapacity(delta) => {
                let c = a.capacity().saturating_add_signed(delta as isize);
                assert_eq!(a.set_capacity(c), m.set_capacity(c), "set_capacity({c})");
            }
        }
        assert_same(a, m);
    }
}
