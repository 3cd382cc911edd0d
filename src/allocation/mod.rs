//! The pure region allocator: hands out ranges of slots inside a buffer and, when a request
//! does not fit, names the capacity the buffer must grow to.
//!
//! This is pyglet's `pyglet.graphics.allocation` with its flaws fixed and its list walks
//! replaced by O(log n) operations. An [`Allocator`] knows only free space; the caller keeps
//! track of what it allocated (start and size) and hands both back to
//! [`dealloc`](Allocator::dealloc) and [`realloc`](Allocator::realloc).
//!
//! # Semantics
//!
//! - Placement is **address-ordered first fit**: [`Allocator::alloc`] returns the lowest start
//!   with enough free units.
//! - Adjacent allocated space forms one **aggregate region**;
//!   [`Allocator::allocated_regions`] and [`Allocator::regions`] list those.
//! - A request that does not fit fails with [`AllocError::OutOfCapacity`], carrying the
//!   smallest capacity at which the same call succeeds. After
//!   [`set_capacity`](Allocator::set_capacity) to at least that, the retry is guaranteed to pass.
//! - Caller mistakes (freeing what is not allocated, shrinking the capacity, bounds beyond
//!   `usize::MAX`) return an [`AllocError`] and leave the allocator unchanged. Nothing panics.
//!
//! # Growing and retrying
//!
//! ```
//! use vertex_domain::allocation::{AllocError, Allocator};
//!
//! fn alloc_growing(a: &mut Allocator, n: usize) -> Result<usize, AllocError> {
//!     match a.alloc(n) {
//!         Err(AllocError::OutOfCapacity { requested_capacity }) => {
//!             // Grow the buffer (here: the allocator's view of it) and retry once.
//!             a.set_capacity(requested_capacity.next_power_of_two())?;
//!             a.alloc(n)
//!         }
//!         other => other,
//!     }
//! }
//!
//! let mut a = Allocator::new(8);
//! assert_eq!(alloc_growing(&mut a, 6)?, 0);
//! assert_eq!(alloc_growing(&mut a, 6)?, 6); // grew to 16
//! assert_eq!(a.capacity(), 16);
//! assert_eq!(a.allocated_regions(), (vec![0], vec![12]));
//! # Ok::<(), AllocError>(())
//! ```
//!
//! # Design
//!
//! Allocated space is the complement of the free space, so only free space is stored, split
//! in two parts:
//!
//! - the **tail**: everything from the end of the last region up to the capacity, kept as one
//!   number (`end`). Growing the capacity only moves the tail's far end, in O(1).
//! - the **interior gaps**: every free run before `end`, each followed by allocated space. They
//!   live in an arena-based B+-tree ordered by address in which every branch records, per
//!   child, the smallest start and the largest gap length below it. First fit descends to the
//!   leftmost child whose largest gap is long enough; freeing descends by address once to find
//!   both neighbours and coalesce with them. Both cost O(log n) in the number of gaps, which is
//!   the number of aggregate regions give or take one.
//!
//! The tree stores starts and lengths as 32-bit integers while the allocated space ends at or
//! below `i32::MAX` slots: half the memory, and twice the keys per cache line that a search
//! reads. Past that it moves, once, to `usize` keys, so any `usize` capacity stays correct.
//!
//! Free space is never adjacent to free space (gaps are coalesced, and a gap touching the tail
//! joins it), which is what keeps aggregate regions maximal. Running totals of the interior
//! free space make every statistic O(1).

mod gap_set;
mod gap_tree;
mod shelves;

use std::fmt;
use std::ops::Range;

use gap_set::{GapIter, GapSet};
use gap_tree::Cursor;
#[cfg(test)]
pub(crate) use shelves::touch;
pub(crate) use shelves::Shelves;

/// Why an [`Allocator`] operation failed. The allocator is unchanged after any error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AllocError {
    /// The request does not fit in the current capacity. Grow the buffer to at least
    /// `requested_capacity` with [`Allocator::set_capacity`] and the same call will succeed.
    /// (pyglet's `AllocatorMemoryException`.)
    #[error("out of capacity: grow the buffer to at least {requested_capacity} slots and retry")]
    OutOfCapacity {
        /// The smallest capacity at which the failed call succeeds.
        requested_capacity: usize,
    },
    /// The region `start..start + size` is not wholly inside allocated space.
    #[error("the region of {size} slots at {start} is not allocated")]
    NotAllocated {
        /// Start of the region the caller named.
        start: usize,
        /// Size of the region the caller named.
        size: usize,
    },
    /// [`Allocator::set_capacity`] was asked to shrink the buffer, which it never does.
    #[error("cannot reduce the capacity from {capacity} to {requested}")]
    CapacityReduction {
        /// The current capacity.
        capacity: usize,
        /// The smaller capacity that was asked for.
        requested: usize,
    },
    /// A region's end or a requested capacity would exceed `usize::MAX`.
    #[error("arithmetic overflow: the region or capacity does not fit in usize")]
    Overflow,
}

/// Hands out regions of a buffer of `capacity` slots by address-ordered first fit; see the
/// [module documentation](self) for the rules and the design.
///
/// Every operation costs O(log n) in the number of aggregate regions; the statistics cost O(1).
#[derive(Clone, Default)]
pub struct Allocator {
    /// Size of the buffer; `[end, capacity)` is the free tail.
    capacity: usize,
    /// End of the last allocated region (0 when nothing is allocated).
    end: usize,
    /// Total length of the interior gaps (free space before `end`).
    interior_free: usize,
    /// The interior gaps: free runs before `end`, each followed by allocated space.
    gaps: GapSet,
}

impl fmt::Debug for Allocator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Allocator")
            .field("capacity", &self.capacity)
            .field("allocated_size", &self.allocated_size())
            .field("region_count", &self.region_count())
            .field("end", &self.end)
            .finish()
    }
}

impl Allocator {
    /// An allocator for an empty buffer of `capacity` slots.
    pub fn new(capacity: usize) -> Allocator {
        Allocator {
            capacity,
            ..Allocator::default()
        }
    }

    /// The buffer's size in slots.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Allocates `size` slots at the lowest start where they fit and returns that start.
    ///
    /// `alloc(0)` returns `Ok(0)` and records nothing.
    ///
    /// # Errors
    /// - [`AllocError::OutOfCapacity`] when no free run holds `size` slots; its
    ///   `requested_capacity` is the end of the last region plus `size`.
    /// - [`AllocError::Overflow`] when that capacity exceeds `usize::MAX`.
    pub fn alloc(&mut self, size: usize) -> Result<usize, AllocError> {
        if size == 0 {
            return Ok(0);
        }
        if let Some(start) = self.gaps.take_first_fit(size) {
            self.interior_free -= size;
            return Ok(start);
        }
        let start = self.tail_fit(size)?;
        self.grow_end(start + size);
        Ok(start)
    }

    /// Where [`alloc(size)`](Allocator::alloc) would place `size` slots, or the error it
    /// would return, without changing anything. A caller that must do fallible work (grow
    /// a buffer, copy data) before committing to an allocation plans it first.
    pub fn plan_alloc(&self, size: usize) -> Result<usize, AllocError> {
        if size == 0 {
            return Ok(0);
        }
        match self.gaps.first_fit(size) {
            Some(start) => Ok(start),
            None => self.tail_fit(size),
        }
    }

    /// The start of `size` slots carved from the tail, or why they do not fit there.
    #[inline]
    fn tail_fit(&self, size: usize) -> Result<usize, AllocError> {
        let new_end = self.end.checked_add(size).ok_or(AllocError::Overflow)?;
        if new_end > self.capacity {
            return Err(AllocError::OutOfCapacity {
                requested_capacity: new_end,
            });
        }
        Ok(self.end)
    }

    /// Frees the `size` slots at `start`. They must lie inside allocated space, but may span
    /// several adjacent allocations or part of one. A `size` of 0 does nothing.
    ///
    /// # Errors
    /// - [`AllocError::NotAllocated`] when any slot of the range is free or beyond the capacity.
    /// - [`AllocError::Overflow`] when `start + size` exceeds `usize::MAX`.
    #[inline]
    pub fn dealloc(&mut self, start: usize, size: usize) -> Result<(), AllocError> {
        if size == 0 {
            return Ok(());
        }
        let (end, cursor) = self.find_allocated(start, size)?;
        self.release(start, end, &cursor);
        Ok(())
    }

    /// Resizes the region of `size` slots at `start` to `new_size` slots and returns its
    /// (possibly new) start.
    ///
    /// - `new_size == 0` frees the region and returns `Ok(0)`.
    /// - `size == 0` behaves as [`alloc(new_size)`](Allocator::alloc).
    /// - The same size returns `start`: nothing moves.
    /// - Shrinking keeps `start` and frees the tail of the region.
    /// - Growing stays in place when the free space right after the region (up to the next
    ///   region or the capacity) holds the growth, an exact fit included.
    /// - Otherwise a new region is allocated first and only then the old one freed, so a
    ///   failure never loses the old region. Contents are the caller's to copy.
    ///
    /// # Errors
    /// - [`AllocError::NotAllocated`] when the region is not allocated.
    /// - [`AllocError::OutOfCapacity`] when neither growing in place nor moving fits; its
    ///   `requested_capacity` is `start + new_size` when the region ends the allocated space,
    ///   else the end of the last region plus `new_size`.
    /// - [`AllocError::Overflow`] when `start + size` or the requested capacity exceeds
    ///   `usize::MAX`.
    pub fn realloc(
        &mut self,
        start: usize,
        size: usize,
        new_size: usize,
    ) -> Result<usize, AllocError> {
        match self.plan_resize(start, size, new_size)? {
            Resize::Free { end, cursor } => {
                self.release(start, end, &cursor);
                Ok(0)
            }
            Resize::Fresh => self.alloc(new_size),
            Resize::Keep if size == 0 => Ok(0),
            Resize::Keep => Ok(start),
            Resize::Shrink { end, cursor } => {
                // Free the tail [start + new_size, end).
                self.release(start + new_size, end, &cursor);
                Ok(start)
            }
            Resize::GrowTail { end } => {
                self.grow_end(end + (new_size - size));
                Ok(start)
            }
            Resize::GrowIntoGap { end, cursor, gap } => {
                self.take_gap_front(&cursor, gap, end, new_size - size);
                Ok(start)
            }
            Resize::Move { end, new_start } => {
                let taken = self.alloc(new_size)?;
                debug_assert_eq!(taken, new_start);
                // The old region is still allocated (nothing above freed it): release it.
                let cursor = self.gaps.locate(end - 1);
                self.release(start, end, &cursor);
                Ok(taken)
            }
        }
    }

    /// What [`realloc(start, size, new_size)`](Allocator::realloc) would return (the
    /// region's start after the call, or its error), without changing anything.
    ///
    /// With it a caller can do the fallible work a resize needs (growing buffers, copying
    /// contents to the new start) before the allocator commits to it, and so never has to
    /// undo an allocation.
    pub fn plan_realloc(
        &self,
        start: usize,
        size: usize,
        new_size: usize,
    ) -> Result<usize, AllocError> {
        Ok(match self.plan_resize(start, size, new_size)? {
            Resize::Free { .. } => 0,
            Resize::Keep if size == 0 => 0,
            Resize::Fresh => self.plan_alloc(new_size)?,
            Resize::Move { new_start, .. } => new_start,
            Resize::Keep
            | Resize::Shrink { .. }
            | Resize::GrowTail { .. }
            | Resize::GrowIntoGap { .. } => start,
        })
    }

    /// Decides how a resize of `start..start + size` to `new_size` slots goes, reading only.
    #[inline]
    fn plan_resize(
        &self,
        start: usize,
        size: usize,
        new_size: usize,
    ) -> Result<Resize, AllocError> {
        if size == 0 {
            return Ok(if new_size == 0 {
                Resize::Keep
            } else {
                Resize::Fresh
            });
        }
        let (end, cursor) = self.find_allocated(start, size)?;
        if new_size == 0 {
            return Ok(Resize::Free { end, cursor });
        }
        if new_size == size {
            return Ok(Resize::Keep);
        }
        if new_size < size {
            return Ok(Resize::Shrink { end, cursor });
        }
        let growth = new_size - size;
        if end == self.end {
            // The region ends the allocated space: grow into the tail if it holds the growth.
            if self.capacity - end >= growth {
                return Ok(Resize::GrowTail { end });
            }
        } else if let Some((next, in_leaf)) = self.gaps.successor_start(&cursor) {
            if next == end {
                let gap = if in_leaf {
                    GapAt::InLeaf
                } else {
                    GapAt::NextLeaf(self.gaps.locate(end))
                };
                if self.gap_len(&cursor, &gap) >= growth {
                    return Ok(Resize::GrowIntoGap { end, cursor, gap });
                }
            }
        }
        match self.plan_alloc(new_size) {
            Ok(new_start) => Ok(Resize::Move { end, new_start }),
            // In the tail, growing in place needs less than moving to the end would.
            Err(_) if end == self.end => Err(match start.checked_add(new_size) {
                Some(requested_capacity) => AllocError::OutOfCapacity { requested_capacity },
                None => AllocError::Overflow,
            }),
            Err(e) => Err(e),
        }
    }

    /// Sets the buffer's size to `capacity` slots. The capacity never shrinks; the same
    /// capacity is a no-op.
    ///
    /// # Errors
    /// [`AllocError::CapacityReduction`] when `capacity` is below the current capacity.
    pub fn set_capacity(&mut self, capacity: usize) -> Result<(), AllocError> {
        if capacity < self.capacity {
            return Err(AllocError::CapacityReduction {
                capacity: self.capacity,
                requested: capacity,
            });
        }
        self.capacity = capacity;
        Ok(())
    }

    /// The aggregate allocated regions sorted by start, as pyglet's `(starts, sizes)`.
    /// Adjacent allocations show as one region. See [`Allocator::regions`] for an iterator.
    pub fn allocated_regions(&self) -> (Vec<usize>, Vec<usize>) {
        let n = self.region_count();
        let mut starts = Vec::with_capacity(n);
        let mut sizes = Vec::with_capacity(n);
        for r in self.regions() {
            starts.push(r.start);
            sizes.push(r.end - r.start);
        }
        (starts, sizes)
    }

    /// The aggregate allocated regions sorted by start, as ranges, without allocating.
    pub fn regions(&self) -> Regions<'_> {
        Regions {
            gaps: self.gaps.iter(),
            cursor: 0,
            end: self.end,
        }
    }

    /// The number of aggregate allocated regions (what [`Allocator::regions`] yields), in O(1).
    pub fn region_count(&self) -> usize {
        if self.end == 0 {
            return 0;
        }
        let front_region = usize::from(self.gaps.first_start() != Some(0));
        self.gaps.len() + front_region
    }

    /// The number of allocated slots.
    pub fn allocated_size(&self) -> usize {
        self.end - self.interior_free
    }

    /// Free slots: the capacity minus the allocated space.
    pub fn free_size(&self) -> usize {
        self.capacity - self.allocated_size()
    }

    /// Free slots other than the final free block after the last region: the space that
    /// cannot serve a request that grows the buffer's end. The gap before the first region
    /// counts.
    pub fn fragmented_free_size(&self) -> usize {
        self.interior_free
    }

    /// [`fragmented_free_size`](Allocator::fragmented_free_size) over
    /// [`free_size`](Allocator::free_size), or 0 when nothing is free.
    pub fn fragmentation(&self) -> f64 {
        let free = self.free_size();
        if free == 0 {
            0.0
        } else {
            self.interior_free as f64 / free as f64
        }
    }

    /// Allocated space over the capacity, or 0 when the capacity is 0.
    pub fn usage(&self) -> f64 {
        if self.capacity == 0 {
            0.0
        } else {
            self.allocated_size() as f64 / self.capacity as f64
        }
    }

    /// Moves the end of allocated space up to `end`, first letting the gaps widen their keys
    /// if `end` no longer fits them. Every growth of `end` goes through here.
    fn grow_end(&mut self, end: usize) {
        debug_assert!(end >= self.end && end <= self.capacity);
        self.gaps.reserve_end(end);
        self.end = end;
    }

    /// Checks that `start..start + size` (with `size > 0`) is allocated; returns its end and
    /// a cursor at its last slot, whose predecessor and successor are the neighbouring gaps.
    #[inline]
    fn find_allocated(&self, start: usize, size: usize) -> Result<(usize, Cursor), AllocError> {
        let end = start.checked_add(size).ok_or(AllocError::Overflow)?;
        if end > self.end {
            return Err(AllocError::NotAllocated { start, size });
        }
        let cursor = self.gaps.locate(end - 1);
        // Gaps are disjoint and sorted: only the last one starting before `end` can overlap.
        if let Some((gap_start, gap_len)) = self.gaps.predecessor(&cursor) {
            if gap_start + gap_len > start {
                return Err(AllocError::NotAllocated { start, size });
            }
        }
        Ok((end, cursor))
    }

    /// Frees the allocated range `start..end` (non-empty), coalescing it with the gaps on
    /// either side. `cursor` is `locate(end - 1)` on the current tree.
    fn release(&mut self, start: usize, end: usize, cursor: &Cursor) {
        let size = end - start;
        let pos = cursor.pos();
        let left = self
            .gaps
            .predecessor(cursor)
            .filter(|&(s, l)| s + l == start);
        if end == self.end {
            // Joins the tail, together with a gap right before it.
            match left {
                Some((ps, pl)) => {
                    self.gaps.remove_in(cursor, pos - 1);
                    self.interior_free -= pl;
                    self.end = ps;
                }
                None => self.end = start,
            }
            return;
        }
        self.interior_free += size;
        let right = self.gaps.successor_start(cursor).filter(|&(s, _)| s == end);
        match (left, right) {
            (None, None) => self.gaps.insert_at_cursor(cursor, start, size),
            (Some((ps, pl)), None) => self.gaps.set_at(cursor, pos - 1, ps, pl + size),
            (None, Some((_, true))) => {
                let (_, sl) = self.gaps.entry(cursor, pos);
                self.gaps.set_at(cursor, pos, start, size + sl);
            }
            (None, Some((_, false))) => {
                let next = self.gaps.locate(end);
                let (_, sl) = self.gaps.entry(&next, next.pos() - 1);
                self.gaps.set_at(&next, next.pos() - 1, start, size + sl);
            }
            (Some((ps, pl)), Some((_, true))) => {
                // Three runs become one: widen the left gap, then drop the right one.
                let (_, sl) = self.gaps.entry(cursor, pos);
                self.gaps.set_at(cursor, pos - 1, ps, pl + size + sl);
                self.gaps.remove_in(cursor, pos);
            }
            (Some((ps, pl)), Some((_, false))) => {
                let next = self.gaps.locate(end);
                let (_, sl) = self.gaps.entry(&next, next.pos() - 1);
                // Updating summaries does not restructure the tree, so `next` stays valid.
                self.gaps.set_at(cursor, pos - 1, ps, pl + size + sl);
                self.gaps.remove_in(&next, next.pos() - 1);
            }
        }
    }

    /// The cursor and index of the interior gap that [`GapAt`] names.
    #[inline]
    fn gap_slot<'c>(cursor: &'c Cursor, gap: &'c GapAt) -> (&'c Cursor, usize) {
        match gap {
            GapAt::InLeaf => (cursor, cursor.pos()),
            GapAt::NextLeaf(next) => (next, next.pos() - 1),
        }
    }

    /// The length of the interior gap that [`GapAt`] names.
    #[inline]
    fn gap_len(&self, cursor: &Cursor, gap: &GapAt) -> usize {
        let (c, idx) = Self::gap_slot(cursor, gap);
        self.gaps.entry(c, idx).1
    }

    /// Grows the region ending at `end` by `growth` into the interior gap starting at `end`
    /// (named by `gap`, relative to `cursor`), which [`plan_resize`](Self::plan_resize)
    /// found long enough.
    fn take_gap_front(&mut self, cursor: &Cursor, gap: GapAt, end: usize, growth: usize) {
        let (c, idx) = Self::gap_slot(cursor, &gap);
        let (_, len) = self.gaps.entry(c, idx);
        if len == growth {
            self.gaps.remove_in(c, idx);
        } else {
            self.gaps.set_at(c, idx, end + growth, len - growth);
        }
        self.interior_free -= growth;
    }
}

/// Where the interior gap right after a region lies: in the leaf of the region's cursor (at
/// its position), or first in the leaf of another cursor.
#[derive(Clone, Copy, Debug)]
enum GapAt {
    InLeaf,
    NextLeaf(Cursor),
}

/// How a [`realloc`](Allocator::realloc) proceeds, as decided by reading the allocator only.
#[derive(Clone, Copy, Debug)]
enum Resize {
    /// `new_size == 0`: free the region.
    Free { end: usize, cursor: Cursor },
    /// `size == 0`: allocate afresh.
    Fresh,
    /// Same size.
    Keep,
    /// Free the region's tail.
    Shrink { end: usize, cursor: Cursor },
    /// Grow into the free tail of the allocated space.
    GrowTail { end: usize },
    /// Grow into the interior gap right after the region.
    GrowIntoGap {
        end: usize,
        cursor: Cursor,
        gap: GapAt,
    },
    /// Allocate `new_size` at `new_start`, then free the old region.
    Move { end: usize, new_start: usize },
}

/// Iterator over an [`Allocator`]'s aggregate allocated regions in address order, from
/// [`Allocator::regions`].
#[derive(Clone, Debug)]
pub struct Regions<'a> {
    gaps: GapIter<'a>,
    /// Where the next region starts (the end of the previous gap).
    cursor: usize,
    /// End of the last region.
    end: usize,
}

impl Iterator for Regions<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        for (gap_start, gap_len) in self.gaps.by_ref() {
            let region = self.cursor..gap_start;
            self.cursor = gap_start + gap_len;
            if !region.is_empty() {
                return Some(region);
            }
        }
        if self.cursor < self.end {
            let region = self.cursor..self.end;
            self.cursor = self.end;
            return Some(region);
        }
        None
    }
}

impl std::iter::FusedIterator for Regions<'_> {}

#[cfg(test)]
impl Allocator {
    /// Checks the tree's invariants and the totals; returns the interior gaps.
    pub(crate) fn check(&self) -> Vec<(usize, usize)> {
        let gaps = self.gaps.check();
        assert!(self.end <= self.capacity);
        let mut prev_end = None;
        for &(s, l) in &gaps {
            assert!(l > 0, "empty gap");
            assert!(s + l < self.end, "gap touching the tail");
            if let Some(p) = prev_end {
                assert!(p < s, "adjacent gaps");
            }
            prev_end = Some(s + l);
        }
        assert_eq!(gaps.iter().map(|g| g.1).sum::<usize>(), self.interior_free);
        gaps
    }
}

#[cfg(test)]
mod tests;
