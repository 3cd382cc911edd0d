//! The interior gaps, kept in the narrowest key type that holds them: a [`GapTree<i32>`] while
//! the allocated space ends at or below `i32::MAX` slots, a [`GapTree<usize>`] beyond.
//!
//! 32-bit keys halve the tree's memory and put twice as many keys in each cache line that a
//! search reads; that is what lets the tree use wide nodes (see `NODE_CAPACITY`). On the
//! churn benchmark at 100k live regions the pair took an operation from 77 to 63 ns.
//! The switch to `usize` is one way and happens at most once, in O(n log n), when
//! [`GapSet::reserve_end`] is told that the allocated space is about to pass `i32::MAX`
//! slots. A GL buffer that large holds 2 GiB of a one-byte attribute, so in practice it
//! does not happen, but an [`Allocator`](super::Allocator) of any `usize` capacity stays
//! correct.
//!
//! Every method dispatches on the key type and otherwise forwards to [`GapTree`]; see there
//! for what each does.

use super::gap_tree::{Cursor, GapTree, Gaps, Key};

/// The set of interior gaps, as `(start, len)` pairs, in either key type.
#[derive(Clone, Debug)]
pub(crate) enum GapSet {
    /// Every gap start and length, and every lookup, is below `i32::MAX`.
    Narrow(GapTree<i32>),
    /// The allocated space has passed `i32::MAX` slots.
    Wide(GapTree<usize>),
}

impl Default for GapSet {
    fn default() -> Self {
        GapSet::Narrow(GapTree::default())
    }
}

/// Runs `$body` with `$tree` bound to whichever tree `$set` holds.
macro_rules! with_tree {
    ($set:expr, $tree:ident => $body:expr) => {
        match $set {
            GapSet::Narrow($tree) => $body,
            GapSet::Wide($tree) => $body,
        }
    };
}

impl GapSet {
    /// Prepares for the allocated space to end at `end`: switches to `usize` keys when `end`
    /// no longer fits an `i32`. Call it before the end of allocated space grows.
    #[inline]
    pub(crate) fn reserve_end(&mut self, end: usize) {
        if <i32 as Key>::try_from_usize(end).is_none() {
            if let GapSet::Narrow(narrow) = self {
                let mut wide = GapTree::<usize>::default();
                for (start, len) in narrow.iter() {
                    let cursor = wide.locate(start);
                    wide.insert_at_cursor(&cursor, start, len);
                }
                *self = GapSet::Wide(wide);
            }
        }
    }

    /// See [`GapTree::len`].
    #[inline]
    pub(crate) fn len(&self) -> usize {
        with_tree!(self, t => t.len())
    }

    /// See [`GapTree::first_start`].
    #[inline]
    pub(crate) fn first_start(&self) -> Option<usize> {
        with_tree!(self, t => t.first_start())
    }

    /// See [`GapTree::locate`].
    #[inline]
    pub(crate) fn locate(&self, x: usize) -> Cursor {
        with_tree!(self, t => t.locate(x))
    }

    /// See [`GapTree::predecessor`].
    #[inline]
    pub(crate) fn predecessor(&self, c: &Cursor) -> Option<(usize, usize)> {
        with_tree!(self, t => t.predecessor(c))
    }

    /// See [`GapTree::successor_start`].
    #[inline]
    pub(crate) fn successor_start(&self, c: &Cursor) -> Option<(usize, bool)> {
        with_tree!(self, t => t.successor_start(c))
    }

    /// See [`GapTree::first_fit`].
    #[inline]
    pub(crate) fn first_fit(&self, size: usize) -> Option<usize> {
        with_tree!(self, t => t.first_fit(size))
    }

    /// See [`GapTree::take_first_fit`].
    #[inline]
    pub(crate) fn take_first_fit(&mut self, size: usize) -> Option<usize> {
        with_tree!(self, t => t.take_first_fit(size))
    }

    /// See [`GapTree::entry`].
    #[inline]
    pub(crate) fn entry(&self, c: &Cursor, idx: usize) -> (usize, usize) {
        with_tree!(self, t => t.entry(c, idx))
    }

    /// See [`GapTree::set_at`].
    #[inline]
    pub(crate) fn set_at(&mut self, c: &Cursor, idx: usize, key: usize, val: usize) {
        with_tree!(self, t => t.set_at(c, idx, key, val))
    }

    /// See [`GapTree::remove_in`].
    #[inline]
    pub(crate) fn remove_in(&mut self, c: &Cursor, idx: usize) {
        with_tree!(self, t => t.remove_in(c, idx))
    }

    /// See [`GapTree::insert_at_cursor`].
    #[inline]
    pub(crate) fn insert_at_cursor(&mut self, c: &Cursor, key: usize, val: usize) {
        with_tree!(self, t => t.insert_at_cursor(c, key, val))
    }

    /// All gaps in address order.
    pub(crate) fn iter(&self) -> GapIter<'_> {
        match self {
            GapSet::Narrow(t) => GapIter::Narrow(t.iter()),
            GapSet::Wide(t) => GapIter::Wide(t.iter()),
        }
    }

    /// Whether the keys are `usize` (the allocated space has passed `i32::MAX`).
    #[cfg(test)]
    pub(crate) fn is_wide(&self) -> bool {
        matches!(self, GapSet::Wide(_))
    }

    /// See [`GapTree::height`].
    #[cfg(test)]
    pub(crate) fn height(&self) -> usize {
        with_tree!(self, t => t.height())
    }

    /// See [`GapTree::check`].
    #[cfg(test)]
    pub(crate) fn check(&self) -> Vec<(usize, usize)> {
        with_tree!(self, t => t.check())
    }
}

/// In-order iterator over a [`GapSet`]'s gaps, as `(start, len)`.
#[derive(Clone, Debug)]
pub(crate) enum GapIter<'a> {
    /// Over an `i32` tree.
    Narrow(Gaps<'a, i32>),
    /// Over a `usize` tree.
    Wide(Gaps<'a, usize>),
}

impl Iterator for GapIter<'_> {
    type Item = (usize, usize);

    #[inline]
    fn next(&mut self) -> Option<(usize, usize)> {
        match self {
            GapIter::Narrow(it) => it.next(),
            GapIter::Wide(it) => it.next(),
        }
    }
}
