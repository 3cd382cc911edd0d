//! [`Order`]: the draw order of an ordered domain. Its lists (or each mesh's instances)
//! draw by ascending z, and where z is equal in the order they were added, whatever slots
//! the allocators gave them.
//!
//! The order is kept in the data the GPU reads, not in the draw commands, so an ordered
//! domain still draws in one multi-draw (or one instanced call per mesh) and a frame that
//! changes no order costs nothing:
//!
//! - an ordered **indexed** domain lays its lists' indices out in key order, so the index
//!   allocator's aggregate regions, drawn in address order, are in key order;
//! - an ordered **instanced** domain keeps each mesh's instance records in key order in
//!   the mesh's run.
//!
//! Adding on top (a key above every other, placed after every other) keeps the order. Any
//! other change (a list placed in a hole, a z changed, a deleted instance's hole filled by
//! its mesh's last instance, a region moved by a resize) marks the order stale, and the
//! next draw lays everything out again: one sort (adaptive, near linear when little
//! changed), then a rewrite of the index buffer (4 bytes per index) or of the runs'
//! records from their CPU mirrors, staged like any write. That is CPU work only, so it
//! cannot fail.

use std::cmp::Ordering;

/// Where an item draws: by `z`, then by `seq`, the order of adding.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Key {
    pub(crate) z: f32,
    seq: u64,
}

impl Key {
    /// Total order: z by [`f32::total_cmp`] (so NaN sorts last and never breaks the
    /// sort), then the order of adding. No two live items share a `seq`.
    fn order(&self, other: &Key) -> Ordering {
        self.z.total_cmp(&other.z).then(self.seq.cmp(&other.seq))
    }
}

/// The keys of one ordered set of items (a domain's lists, or its instances), by the
/// slot index of their handles, and whether the data is laid out in key order.
///
/// Invariant: when `stale` is false, the items' data lies in key order (indices at
/// ascending addresses; each mesh's instances at ascending slots), and `top` holds the
/// greatest key with the end of its data.
#[derive(Debug, Default)]
pub(crate) struct Order {
    /// The key of the item at each handle slot index (meaningful for live items only).
    keys: Vec<Key>,
    /// The `seq` the next item gets.
    next_seq: u64,
    stale: bool,
    /// The greatest key laid out in order, and where its data ends (lists only).
    top: Option<(Key, usize)>,
    /// Scratch space of a relayout, kept so that relayouts allocate nothing once warm.
    sorted: Vec<(Key, u32)>,
    /// Relayouts done.
    relayouts: u64,
}

impl Order {
    /// An order over the live items at `live` (handle slot indices, in the order they were
    /// added as far as it is known), which must be laid out before the next draw if there
    /// are any.
    pub(crate) fn new(live: impl Iterator<Item = usize>) -> Self {
        let mut order = Order::default();
        for index in live {
            order.insert(index, 0.0);
        }
        order.stale = order.next_seq > 0;
        order
    }

    /// The key of the live item at handle slot `index`.
    pub(crate) fn key(&self, index: usize) -> Key {
        self.keys[index]
    }

    /// Gives the item at handle slot `index` its key: `z`, added now.
    pub(crate) fn insert(&mut self, index: usize, z: f32) -> Key {
        let key = Key {
            z,
            seq: self.next_seq,
        };
        self.next_seq += 1;
        if self.keys.len() <= index {
            self.keys.resize(index + 1, key);
        }
        self.keys[index] = key;
        key
    }

    /// Records that an item of `key` was placed at `start..end`: the order holds when it
    /// lies above and after the top.
    pub(crate) fn placed(&mut self, key: Key, start: usize, end: usize) {
        let on_top = match self.top {
            Some((top, top_end)) => key.order(&top).is_gt() && start >= top_end,
            None => true,
        };
        if on_top {
            self.top = Some((key, end));
        } else {
            self.stale = true;
        }
    }

    /// Records that the item of `key` now ends at `end` without having moved.
    pub(crate) fn resized(&mut self, key: Key, end: usize) {
        if let Some((top, top_end)) = &mut self.top {
            if *top == key {
                *top_end = end;
            }
        }
    }

    /// Whether an item of `key` placed right after one of `below` keeps the order.
    pub(crate) fn follows(&self, key: Key, below: Key) -> bool {
        key.order(&below).is_gt()
    }

    /// Sets the z of the live item at handle slot `index`; a change marks the order stale.
    pub(crate) fn set_z(&mut self, index: usize, z: f32) {
        let key = &mut self.keys[index];
        if key.z.to_bits() != z.to_bits() {
            key.z = z;
            self.stale = true;
        }
    }

    /// Marks the layout out of key order.
    pub(crate) fn mark_stale(&mut self) {
        self.stale = true;
    }

    /// Whether the next draw must lay the data out again.
    pub(crate) fn is_stale(&self) -> bool {
        self.stale
    }

    /// The live items at `live` (handle slot index, and the position of its data), sorted
    /// by key. Give the vector back to [`laid_out`](Self::laid_out).
    pub(crate) fn sort(&mut self, live: impl Iterator<Item = (usize, u32)>) -> Vec<(Key, u32)> {
        let mut sorted = std::mem::take(&mut self.sorted);
        sorted.clear();
        sorted.extend(live.map(|(index, at)| (self.keys[index], at)));
        sorted.sort_by(|a, b| a.0.order(&b.0));
        sorted
    }

    /// Takes back the vector [`sort`](Self::sort) gave out, to reuse its memory.
    pub(crate) fn restore(&mut self, sorted: Vec<(Key, u32)>) {
        self.sorted = sorted;
    }

    /// Records a relayout in key order of the items last sorted, whose data (for lists)
    /// ends at `end`.
    pub(crate) fn laid_out(&mut self, end: Option<usize>) {
        self.top = end.and_then(|end| Some((self.sorted.last()?.0, end)));
        self.stale = false;
        self.relayouts += 1;
    }

    /// Relayouts done so far.
    pub(crate) fn relayouts(&self) -> u64 {
        self.relayouts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adding_on_top_keeps_the_order_and_adding_below_marks_it_stale() {
        let mut order = Order::default();
        let a = order.insert(0, 0.0);
        order.placed(a, 0, 6);
        let b = order.insert(1, 0.0);
        order.placed(b, 6, 12);
        assert!(!order.is_stale());
        let c = order.insert(2, -1.0);
        order.placed(c, 12, 18);
        assert!(
            order.is_stale(),
            "a lower z placed after the top is out of order"
        );
    }

    #[test]
    fn an_item_placed_in_a_hole_below_the_top_marks_the_order_stale() {
        let mut order = Order::default();
        let a = order.insert(0, 0.0);
        order.placed(a, 6, 12);
        let b = order.insert(1, 0.0);
        order.placed(b, 0, 6);
        assert!(order.is_stale());
    }

    #[test]
    fn equal_z_sorts_by_the_order_of_adding_and_nan_sorts_last() {
        let mut order = Order::default();
        order.insert(0, f32::NAN);
        order.insert(1, 2.0);
        order.insert(2, 1.0);
        order.insert(3, 2.0);
        let sorted = order.sort([(0, 0), (1, 1), (2, 2), (3, 3)].into_iter());
        let at: Vec<u32> = sorted.iter().map(|&(_, at)| at).collect();
        assert_eq!(at, [2, 1, 3, 0]);
    }

    #[test]
    fn setting_the_same_z_leaves_the_order_fresh() {
        let mut order = Order::default();
        let a = order.insert(0, 3.0);
        order.placed(a, 0, 6);
        order.set_z(0, 3.0);
        assert!(!order.is_stale());
        order.set_z(0, 4.0);
        assert!(order.is_stale());
    }
}
