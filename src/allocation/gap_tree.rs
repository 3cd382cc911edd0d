//! An arena-based B+-tree of free gaps, ordered by address and augmented with the largest gap
//! length below every child, so that first fit, neighbour lookup and coalescing each cost one
//! descent of O(log n) nodes.
//!
//! # Layout
//!
//! Every node, leaf or branch, is the same [`Node`]: up to [`NODE_CAPACITY`] entries of
//! `(key, val, child)`, kept sorted by key.
//!
//! - In a **leaf**, entry `i` is one gap: `key` is its start, `val` its length (`child` unused,
//!   and never shifted by the leaf's own inserts and removals).
//! - In a **branch**, entry `i` summarises child `i`: `key` is the smallest gap start in that
//!   subtree and `val` the largest gap length in it.
//!
//! So a node's own summary is always `(keys[0], max(vals))`, whatever its kind, and one routine
//! ([`GapTree::propagate`]) keeps the summaries right from a leaf up to the root. It updates
//! a parent's recorded maximum in O(1) from what changed below ([`Change`]) and rescans a
//! node only when its largest gap shrank or went away, and it stops at the first ancestor
//! whose summary did not change.
//!
//! Keys and values are stored as a [`Key`] type: `i32` while the buffer's allocated space
//! ends at or below `i32::MAX` (half the memory, and twice the entries per cache line), `usize`
//! beyond. The tree works in its own type; its `pub(crate)` methods take and return `usize`.
//!
//! # Invariants (checked by `GapTree::check` in tests)
//!
//! 1. All leaves are at depth `height`; the root is a leaf when `height == 0`.
//! 2. Keys strictly increase within a node and across leaves in order; gaps never overlap.
//! 3. A branch entry's `key` equals its child's first key and its `val` equals its child's
//!    largest `val` (exact, not a bound: descent by key relies on exact minimums).
//! 4. Unused entries are padding: key [`Key::MAX`], val 0, and they all come after the used
//!    ones. So searches and maxima run over the whole fixed-size arrays without a
//!    length-dependent loop, and a node needs no length field: entry `i` exists when its key
//!    is not padding ([`Node::has`]). That makes the fullness checks of inserts and removals
//!    one load from a key line the operation has already read.
//! 5. Every node except the root holds between [`NODE_MIN`] and [`NODE_CAPACITY`] entries; a
//!    branch root holds at least 2.  This keeps the height O(log n).
//! 6. Every key, value and lookup is below [`Key::MAX`]: the owner picks the key type so that
//!    the end of allocated space fits it.
//!
//! Nodes live in one `Vec` arena addressed by `u32` ids, with a free list for reuse, so a descent
//! touches a handful of contiguous nodes instead of chasing heap pointers.
//!
//! # Alternatives measured and rejected
//!
//! On the churn benchmark at 100k live regions (ns/op, medians of alternating runs against
//! about 56 for this design):
//!
//! - **Upper-bound maxima** (invariant 3 relaxed: shrinking a gap updates nothing above it,
//!   and a first-fit search that meets a stale bound repairs it and moves on): 82. Each op
//!   changes its leaf's largest gap, so the exact maxima cost rescans, but the lazy searches
//!   then descend into leaves with nothing left that are no longer in cache, and a single
//!   search is only amortised O(log n).
//! - **A saturated 16-bit copy of every length**, so that maxima and leaf first fits use
//!   SSE2's 16-bit `pmaxsw` on half the lanes: 60. Keeping the copy costs more than it saves.
//! - **Branch scans in chunks of 8 or 16 lanes**, each compared at once with an exit per
//!   chunk: 59–60 for the first-fit scan, 66 with the key scan as well.
//! - **Always rescanning a changed leaf** instead of the O(1) update from [`Change`]: 63.
//! - **Leaves of another capacity than the branches' 48** (same runs, against 55 for 48):
//!   24, 32 and 40 entries 61–68, 64 entries 65. Smaller leaves change their largest gap
//!   more often, so more updates climb to the root.
//! - **The leaf first fit as a minimum over `i16` indices**, which SSE2 does with `pminsw`
//!   in about 90 instructions against the mask's 137: no change. The search waits on loads,
//!   not on arithmetic.

use std::fmt::Debug;
use std::ops::{Add, Sub};

/// Most entries a node holds. With 32-bit keys, 48 entries are three cache lines of keys; the
/// tree is then 3 levels deep at 100k live regions (about 16k gaps) and 4 at a million.
/// Measured on the churn benchmark at 100k live regions (ns/op, 32-bit keys): 16 entries 72,
/// 24 67, 32 66, 48 64, 64 68, 96 70. Wider nodes save levels; past 48 the linear scans and
/// shifts cost more than the level saves.
pub(crate) const NODE_CAPACITY: usize = 48;
/// Fewest entries a non-root node holds after any operation (half full).
pub(crate) const NODE_MIN: usize = NODE_CAPACITY / 2;
/// Deepest tree the fixed-size paths can describe. A tree of height `h` has at least
/// `2 * NODE_MIN^(h - 1)` leaves (invariant 5); with `u32` node ids that caps `h` at 7.
const MAX_HEIGHT: usize = 8;

/// The integer type a [`GapTree`] stores gap starts and lengths in: `i32` or `usize`.
///
/// The narrow type is `i32` rather than `u32` because SSE2, the x86-64 baseline, compares
/// 32-bit lanes as signed only: the vectorised maximum over a node's lengths then needs no
/// sign flip per lane (about 4% of an operation on the churn benchmark).
pub(crate) trait Key: Copy + Ord + Debug + Add<Output = Self> + Sub<Output = Self> {
    /// Padding key: above every real key and every lookup (invariant 6).
    const MAX: Self;
    /// Padding value.
    const ZERO: Self;
    /// `x` as a key. `x` must fit; the tree's owner guarantees it (invariant 6).
    fn from_usize(x: usize) -> Self;
    /// `x` as a key, or `None` when it does not fit.
    fn try_from_usize(x: usize) -> Option<Self>;
    /// The key as a `usize`.
    fn to_usize(self) -> usize;
}

impl Key for i32 {
    const MAX: i32 = i32::MAX;
    const ZERO: i32 = 0;

    #[inline]
    fn from_usize(x: usize) -> i32 {
        debug_assert!(x <= i32::MAX as usize, "{x} does not fit an i32 gap tree");
        x as i32
    }

    #[inline]
    fn try_from_usize(x: usize) -> Option<i32> {
        i32::try_from(x).ok()
    }

    #[inline]
    fn to_usize(self) -> usize {
        self as usize
    }
}

impl Key for usize {
    const MAX: usize = usize::MAX;
    const ZERO: usize = 0;

    #[inline]
    fn from_usize(x: usize) -> usize {
        x
    }

    #[inline]
    fn try_from_usize(x: usize) -> Option<usize> {
        Some(x)
    }

    #[inline]
    fn to_usize(self) -> usize {
        self
    }
}

/// Index of a node in the arena.
type NodeId = u32;

/// One node of the tree; see the module documentation for what the fields mean per kind.
/// Aligned to cache lines, keys first, so a search by key touches only the key lines (three
/// with 32-bit keys, six with `usize` keys).
///
/// There is no length field (invariant 4 makes it redundant). With one, every insert and
/// removal in a leaf read or wrote a tenth cache line, apart from the lines holding the
/// entries: dropping it took the churn benchmark at 100k live regions from 57.0 to 54.6
/// ns/op (medians of 8 alternating runs; 2.13 to 2.00 times offset-allocator's time).
#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub(crate) struct Node<K> {
    keys: [K; NODE_CAPACITY],
    vals: [K; NODE_CAPACITY],
    children: [NodeId; NODE_CAPACITY],
}

impl<K: Key> Node<K> {
    const EMPTY: Node<K> = Node {
        keys: [K::MAX; NODE_CAPACITY],
        vals: [K::ZERO; NODE_CAPACITY],
        children: [0; NODE_CAPACITY],
    };

    /// Number of entries: the keys before the padding (invariant 4).
    #[inline]
    fn len(&self) -> usize {
        self.keys.iter().map(|&k| usize::from(k != K::MAX)).sum()
    }

    /// Whether entry `i` exists (`i` may be past the capacity): its key is not padding.
    #[inline]
    fn has(&self, i: usize) -> bool {
        i < NODE_CAPACITY && self.keys[i] != K::MAX
    }

    /// Whether every entry is in use.
    #[inline]
    fn is_full(&self) -> bool {
        self.has(NODE_CAPACITY - 1)
    }

    /// Drops every entry from `n` on (their children stay, unused).
    fn truncate(&mut self, n: usize) {
        self.keys[n..].fill(K::MAX);
        self.vals[n..].fill(K::ZERO);
    }

    /// Largest `val` in the node: the longest gap in the subtree.
    #[inline]
    fn max_val(&self) -> K {
        // Padding vals are 0 (invariant 4), so the whole array can be scanned.
        self.vals.iter().fold(K::ZERO, |m, &v| m.max(v))
    }

    /// Number of entries whose key is `<= x`, for `x <` [`Key::MAX`], by a linear scan that
    /// stops at the first greater key: the padding at the latest (invariant 4). For the
    /// descent through branches, where the count picks the next node to load: a predicted
    /// exit lets the CPU start that load before the compares resolve. Measured on the churn
    /// benchmark, this beats a branchless binary search (whose loads depend on each other:
    /// 1.8x slower lookups) and, in branches, a branchless count in every node as well (about
    /// 4% slower overall than [`Node::count_le_in_leaf`] in leaves only).
    #[inline]
    fn count_le(&self, x: K) -> usize {
        // Every lookup key is below the end of allocated space, so below `Key::MAX`: the
        // padding always compares greater and the count never passes the entries.
        debug_assert!(x < K::MAX);
        let n = self
            .keys
            .iter()
            .position(|&k| k > x)
            .unwrap_or(NODE_CAPACITY);
        debug_assert!(n <= self.len());
        n
    }

    /// [`Node::count_le`] without branches: every key is compared (in SSE2 lanes), so no exit
    /// is mispredicted. For leaves, where nothing further is loaded from the count: about 3%
    /// faster per operation than the scan (medians of 8 alternating runs of the churn
    /// benchmark at 100k live regions: 64.2 against 65.5 ns, and 2.37 against 2.49 times
    /// offset-allocator's time in the same runs).
    #[inline]
    fn count_le_in_leaf(&self, x: K) -> usize {
        debug_assert!(x < K::MAX);
        let n = self
            .keys
            .iter()
            .map(|&k| usize::from(k <= x))
            .sum::<usize>();
        debug_assert!(n <= self.len());
        n
    }

    /// Index of the first entry whose `val >= size`, for `size > 0`, if any. Padding vals are
    /// 0 (invariant 4), so the whole array is scanned. For branches, like [`Node::count_le`]:
    /// using [`Node::first_val_at_least_in_leaf`] at every level was about 10% slower per
    /// operation.
    #[inline]
    fn first_val_at_least(&self, size: K) -> Option<usize> {
        debug_assert!(size > K::ZERO);
        let i = self.vals.iter().position(|&v| v >= size);
        debug_assert!(i.map_or(true, |i| i < self.len()));
        i
    }

    /// [`Node::first_val_at_least`] without a data-dependent exit: every val is compared into
    /// a bit mask whose lowest set bit is the answer. For leaves, as with
    /// [`Node::count_le_in_leaf`]: the scan's mispredicted exit was a fifth of the first-fit
    /// search, and this is about 3% faster per operation (medians of 6 alternating runs of
    /// the churn benchmark at 100k live regions: 55.5 against 57.2 ns).
    #[inline]
    fn first_val_at_least_in_leaf(&self, size: K) -> Option<usize> {
        const _: () = assert!(NODE_CAPACITY <= u64::BITS as usize, "the mask is a u64");
        debug_assert!(size > K::ZERO);
        let mask = self
            .vals
            .iter()
            .enumerate()
            .fold(0u64, |m, (i, &v)| m | (u64::from(v >= size) << i));
        let i = (mask != 0).then(|| mask.trailing_zeros() as usize);
        debug_assert!(i.map_or(true, |i| i < self.len()));
        i
    }

    /// Inserts a gap into a leaf: as [`Node::insert`], without moving the unused children.
    fn insert_gap(&mut self, at: usize, key: K, val: K) {
        debug_assert!(!self.is_full() && at <= self.len());
        // Shifts up to the end of the arrays: the last entry is padding, so nothing is lost,
        // and the length needs no counting.
        self.keys.copy_within(at..NODE_CAPACITY - 1, at + 1);
        self.vals.copy_within(at..NODE_CAPACITY - 1, at + 1);
        self.keys[at] = key;
        self.vals[at] = val;
    }

    /// Removes a gap from a leaf and returns its length: as [`Node::remove`], without moving
    /// the unused children.
    fn remove_gap(&mut self, at: usize) -> K {
        debug_assert!(self.has(at));
        let len = self.vals[at];
        // Shifts the whole tail, padding included, then pads the last entry.
        self.keys.copy_within(at + 1.., at);
        self.vals.copy_within(at + 1.., at);
        self.keys[NODE_CAPACITY - 1] = K::MAX;
        self.vals[NODE_CAPACITY - 1] = K::ZERO;
        len
    }

    /// Inserts an entry with its child: [`Node::insert_gap`] plus the child array.
    fn insert(&mut self, at: usize, key: K, val: K, child: NodeId) {
        self.children.copy_within(at..NODE_CAPACITY - 1, at + 1);
        self.children[at] = child;
        self.insert_gap(at, key, val);
    }

    /// Removes entry `at` with its child: [`Node::remove_gap`] plus the child array.
    fn remove(&mut self, at: usize) {
        self.children.copy_within(at + 1.., at);
        self.remove_gap(at);
    }

    /// The gap `(start, len)` at entry `i` of a leaf, as `usize`.
    #[inline]
    fn gap_at(&self, i: usize) -> (usize, usize) {
        (self.keys[i].to_usize(), self.vals[i].to_usize())
    }

    /// Copies entries `from..to` of `src` to the end of this node (which must have room).
    fn append_from(&mut self, src: &Node<K>, from: usize, to: usize) {
        let d = self.len();
        let n = to - from;
        self.keys[d..d + n].copy_from_slice(&src.keys[from..to]);
        self.vals[d..d + n].copy_from_slice(&src.vals[from..to]);
        self.children[d..d + n].copy_from_slice(&src.children[from..to]);
    }

    /// Moves all entries from `at` on to the end of `dst` (which must have room).
    fn move_tail_to(&mut self, at: usize, dst: &mut Node<K>) {
        dst.append_from(self, at, self.len());
        self.truncate(at);
    }
}

/// What a modification did to one node's values, so that its parent's recorded maximum can
/// be updated in O(1): `lost` is the largest value removed or decreased (0 if none), `added`
/// the largest value inserted or increased to (0 if none). `None` in its place asks for a
/// rescan.
#[derive(Clone, Copy, Debug)]
struct Change<K> {
    lost: K,
    added: K,
}

/// The branches taken from the root down to a leaf: `nodes[l]` is the branch at level `l`
/// (0 = root) and `slots[l]` the child index taken there. `leaf` is the node reached.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Path {
    nodes: [NodeId; MAX_HEIGHT],
    slots: [u8; MAX_HEIGHT],
    leaf: NodeId,
}

impl Path {
    const fn new() -> Self {
        Path {
            nodes: [0; MAX_HEIGHT],
            slots: [0; MAX_HEIGHT],
            leaf: 0,
        }
    }
}

/// Where a key lookup landed: the path to a leaf and the number of entries in it with a key
/// `<= x`, so the predecessor is entry `pos - 1` and the successor entry `pos` (or the first
/// entry of the next leaf).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cursor {
    path: Path,
    pos: usize,
}

impl Cursor {
    /// Number of entries in the cursor's leaf with a key `<= x`.
    #[inline]
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }
}

/// The set of free gaps, as `(start, len)` pairs; see the module documentation.
#[derive(Clone, Debug)]
pub(crate) struct GapTree<K> {
    nodes: Vec<Node<K>>,
    free_nodes: Vec<NodeId>,
    root: NodeId,
    /// Number of branch levels above the leaves.
    height: usize,
    /// Number of gaps.
    count: usize,
}

impl<K: Key> Default for GapTree<K> {
    fn default() -> Self {
        GapTree {
            nodes: vec![Node::EMPTY],
            free_nodes: Vec::new(),
            root: 0,
            height: 0,
            count: 0,
        }
    }
}

impl<K: Key> GapTree<K> {
    /// Number of gaps in the tree.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// The lowest gap start, if any.
    #[inline]
    pub(crate) fn first_start(&self) -> Option<usize> {
        let root = self.node(self.root);
        root.has(0).then(|| root.keys[0].to_usize())
    }

    #[inline]
    fn node(&self, id: NodeId) -> &Node<K> {
        &self.nodes[id as usize]
    }

    #[inline]
    fn node_mut(&mut self, id: NodeId) -> &mut Node<K> {
        &mut self.nodes[id as usize]
    }

    fn new_node(&mut self) -> NodeId {
        if let Some(id) = self.free_nodes.pop() {
            self.nodes[id as usize] = Node::EMPTY;
            id
        } else {
            let id = NodeId::try_from(self.nodes.len()).expect("gap tree outgrew u32 node ids");
            self.nodes.push(Node::EMPTY);
            id
        }
    }

    fn release_node(&mut self, id: NodeId) {
        self.free_nodes.push(id);
    }

    /// Descends towards key `x`: at each branch takes the last child whose smallest key is
    /// `<= x` (the first child when there is none).
    #[inline]
    pub(crate) fn locate(&self, x: usize) -> Cursor {
        let x = K::from_usize(x);
        let mut path = Path::new();
        let mut id = self.root;
        for level in 0..self.height {
            let node = self.node(id);
            let slot = node.count_le(x).saturating_sub(1);
            path.nodes[level] = id;
            path.slots[level] = slot as u8;
            id = node.children[slot];
        }
        path.leaf = id;
        let pos = self.node(id).count_le_in_leaf(x);
        Cursor { path, pos }
    }

    /// The gap at `pos - 1` in the cursor's leaf: the last gap starting at or before `x`.
    /// By invariant 3, `pos == 0` means no gap starts at or before `x` at all.
    #[inline]
    pub(crate) fn predecessor(&self, c: &Cursor) -> Option<(usize, usize)> {
        let leaf = self.node(c.path.leaf);
        (c.pos > 0).then(|| leaf.gap_at(c.pos - 1))
    }

    /// The start of the first gap after the cursor's predecessor, and whether it lies in the
    /// cursor's own leaf (at `pos`).
    #[inline]
    pub(crate) fn successor_start(&self, c: &Cursor) -> Option<(usize, bool)> {
        let leaf = self.node(c.path.leaf);
        if leaf.has(c.pos) {
            return Some((leaf.keys[c.pos].to_usize(), true));
        }
        // The first key of the next subtree is recorded in the lowest ancestor that has one.
        for level in (0..self.height).rev() {
            let node = self.node(c.path.nodes[level]);
            let next = c.path.slots[level] as usize + 1;
            if node.has(next) {
                return Some((node.keys[next].to_usize(), false));
            }
        }
        None
    }

    /// The path to the lowest-addressed gap holding `size` units, and its index in the leaf.
    #[inline]
    fn find_first_fit(&self, size: K) -> Option<(Path, usize)> {
        let mut path = Path::new();
        let mut id = self.root;
        for level in 0..self.height {
            let node = self.node(id);
            // Only the root can lack a fit (then no gap fits at all); below it, invariant 3
            // (exact recorded maxima) guarantees one.
            let slot = node.first_val_at_least(size)?;
            path.nodes[level] = id;
            path.slots[level] = slot as u8;
            id = node.children[slot];
        }
        path.leaf = id;
        let idx = self.node(id).first_val_at_least_in_leaf(size)?;
        Some((path, idx))
    }

    /// The start of the lowest-addressed gap holding `size` units, without taking it: where
    /// [`take_first_fit`](Self::take_first_fit) would carve.
    #[inline]
    pub(crate) fn first_fit(&self, size: usize) -> Option<usize> {
        let (path, idx) = self.find_first_fit(K::try_from_usize(size)?)?;
        Some(self.node(path.leaf).keys[idx].to_usize())
    }

    /// Finds the lowest-addressed gap holding `size` units and carves them off its front.
    /// Returns the start of the carved space.
    pub(crate) fn take_first_fit(&mut self, size: usize) -> Option<usize> {
        // A size beyond the key type is longer than any gap the tree can hold.
        let size = K::try_from_usize(size)?;
        let (path, idx) = self.find_first_fit(size)?;
        let id = path.leaf;
        let (start, len) = {
            let leaf = self.node(id);
            (leaf.keys[idx], leaf.vals[idx])
        };
        if len == size {
            self.remove_at(&path, idx);
        } else {
            let leaf = self.node_mut(id);
            leaf.keys[idx] = start + size;
            leaf.vals[idx] = len - size;
            let change = Change {
                lost: len,
                added: len - size,
            };
            self.propagate(&path, self.height, path.leaf, Some(change));
        }
        Some(start.to_usize())
    }

    /// The gap `(start, len)` at `idx` of the cursor's leaf.
    #[inline]
    pub(crate) fn entry(&self, c: &Cursor, idx: usize) -> (usize, usize) {
        self.node(c.path.leaf).gap_at(idx)
    }

    /// Sets the gap at `idx` of the cursor's leaf to `(key, val)`. The new key must keep the
    /// order of keys (it lies strictly between the neighbours' ends and starts).
    pub(crate) fn set_at(&mut self, c: &Cursor, idx: usize, key: usize, val: usize) {
        let (key, val) = (K::from_usize(key), K::from_usize(val));
        let leaf = self.node_mut(c.path.leaf);
        let old = leaf.vals[idx];
        leaf.keys[idx] = key;
        leaf.vals[idx] = val;
        let change = if val < old {
            Change {
                lost: old,
                added: val,
            }
        } else {
            Change {
                lost: K::ZERO,
                added: val,
            }
        };
        self.propagate(&c.path, self.height, c.path.leaf, Some(change));
    }

    /// Removes the gap at `idx` of the cursor's leaf.
    #[inline]
    pub(crate) fn remove_in(&mut self, c: &Cursor, idx: usize) {
        self.remove_at(&c.path, idx);
    }

    /// Inserts a gap at the cursor's position (`pos`), which must keep keys ordered.
    #[inline]
    pub(crate) fn insert_at_cursor(&mut self, c: &Cursor, key: usize, val: usize) {
        self.insert_at(&c.path, c.pos, K::from_usize(key), K::from_usize(val));
    }

    /// Inserts `(key, val)` at `idx` of the path's leaf, splitting full nodes upwards.
    fn insert_at(&mut self, path: &Path, idx: usize, key: K, val: K) {
        self.count += 1;
        let leaf = path.leaf;
        if !self.node(leaf).is_full() {
            self.node_mut(leaf).insert_gap(idx, key, val);
            let change = Change {
                lost: K::ZERO,
                added: val,
            };
            self.propagate(path, self.height, leaf, Some(change));
            return;
        }
        // `carry` is a new right sibling of `child` that its parent must take in after `child`.
        let mut carry = Some(self.split_insert(leaf, idx, key, val, 0));
        let mut child = leaf;
        for level in (0..self.height).rev() {
            let parent = path.nodes[level];
            let slot = path.slots[level] as usize;
            let (ck, cv) = self.summary(child);
            {
                let p = self.node_mut(parent);
                p.keys[slot] = ck;
                p.vals[slot] = cv;
            }
            if let Some(right) = carry {
                let (rk, rv) = self.summary(right);
                if !self.node(parent).is_full() {
                    self.node_mut(parent).insert(slot + 1, rk, rv, right);
                    carry = None;
                } else {
                    carry = Some(self.split_insert(parent, slot + 1, rk, rv, right));
                }
            }
            child = parent;
        }
        if let Some(right) = carry {
            // The root split: grow a level.
            let (lk, lv) = self.summary(child);
            let (rk, rv) = self.summary(right);
            let root = self.new_node();
            let r = self.node_mut(root);
            r.insert(0, lk, lv, child);
            r.insert(1, rk, rv, right);
            self.root = root;
            self.height += 1;
        }
    }

    /// The `(smallest key, largest val)` of a node: what its parent records for it.
    #[inline]
    fn summary(&self, id: NodeId) -> (K, K) {
        let n = self.node(id);
        (n.keys[0], n.max_val())
    }

    /// Splits the full node `id` in two while inserting one entry at `idx`; returns the new
    /// right half. Both halves end at least half full.
    fn split_insert(&mut self, id: NodeId, idx: usize, key: K, val: K, child: NodeId) -> NodeId {
        let right = self.new_node();
        let mut moved = Node::EMPTY;
        // After the insert there are NODE_CAPACITY + 1 entries: the left keeps NODE_MIN, the
        // right takes the rest (NODE_MIN + 1), so both halves are at least half full.
        let keep = NODE_MIN;
        let left = self.node_mut(id);
        if idx < keep {
            left.move_tail_to(keep - 1, &mut moved);
            left.insert(idx, key, val, child);
        } else {
            left.move_tail_to(keep, &mut moved);
            moved.insert(idx - keep, key, val, child);
        }
        self.nodes[right as usize] = moved;
        right
    }

    /// Removes entry `idx` of the path's leaf, then borrows from or merges with a sibling
    /// wherever a node fell under [`NODE_MIN`] entries, up to the root.
    fn remove_at(&mut self, path: &Path, idx: usize) {
        self.count -= 1;
        let lost = self.node_mut(path.leaf).remove_gap(idx);
        let mut change = Some(Change {
            lost,
            added: K::ZERO,
        });
        let mut child = path.leaf;
        let mut depth = self.height;
        while depth > 0 && !self.node(child).has(NODE_MIN - 1) {
            let level = depth - 1;
            let parent = path.nodes[level];
            let slot = path.slots[level] as usize;
            // Pair the short child with a sibling: (left, right) adjacent, at slots (ls, ls+1).
            let ls = if slot > 0 { slot - 1 } else { slot };
            let (l, r) = {
                let p = self.node(parent);
                (p.children[ls], p.children[ls + 1])
            };
            let total = self.node(l).len() + self.node(r).len();
            if total >= 2 * NODE_MIN {
                // Borrow: split the pair's entries evenly, so both end >= NODE_MIN.
                let want_left = total / 2;
                let mut ln = self.node(l).clone();
                let mut rn = self.node(r).clone();
                if ln.len() > want_left {
                    let mut moved = Node::EMPTY;
                    ln.move_tail_to(want_left, &mut moved);
                    rn.move_tail_to(0, &mut moved);
                    rn = moved;
                } else {
                    let take = want_left - ln.len();
                    ln.append_from(&rn, 0, take);
                    let mut rest = Node::EMPTY;
                    rn.move_tail_to(take, &mut rest);
                    rn = rest;
                }
                self.nodes[l as usize] = ln;
                self.nodes[r as usize] = rn;
                let (lk, lv) = self.summary(l);
                let (rk, rv) = self.summary(r);
                let p = self.node_mut(parent);
                p.keys[ls] = lk;
                p.vals[ls] = lv;
                p.keys[ls + 1] = rk;
                p.vals[ls + 1] = rv;
                // The parent's entry count is unchanged: only summaries move upwards.
                self.propagate(path, level, parent, None);
                return;
            }
            // Merge the right node into the left one and drop the right from the parent.
            let mut rn = std::mem::replace(self.node_mut(r), Node::EMPTY);
            rn.move_tail_to(0, self.node_mut(l));
            self.release_node(r);
            let (lk, lv) = self.summary(l);
            let p = self.node_mut(parent);
            p.remove(ls + 1);
            p.keys[ls] = lk;
            p.vals[ls] = lv;
            if level == 0 && !self.node(parent).has(1) {
                // The root has a single child left: shrink a level.
                self.root = self.node(parent).children[0];
                self.release_node(parent);
                self.height -= 1;
                return;
            }
            child = parent;
            depth = level;
            change = None;
        }
        // `child` sits at `depth` and is at least half full (or is the root): fix the
        // summaries above it.
        self.propagate(path, depth, child, change);
    }

    /// Brings the summaries on `path` above `node` (which sits at depth `depth`) up to date
    /// after `change` modified `node`'s entries (`None`: unknown, rescan). Stops at the first
    /// ancestor whose recorded summary is already right: everything above it is then right.
    fn propagate(&mut self, path: &Path, depth: usize, node: NodeId, change: Option<Change<K>>) {
        let mut child = node;
        let mut change = change;
        for level in (0..depth).rev() {
            let parent = path.nodes[level];
            let slot = path.slots[level] as usize;
            let key = self.node(child).keys[0];
            let old = self.node(parent).vals[slot];
            // `old` is the child's exact maximum before the change (invariant 3): if nothing
            // as large went away it is still there, and only additions can raise it.
            let val = match change {
                Some(c) if c.lost < old => old.max(c.added),
                _ => self.node(child).max_val(),
            };
            let p = self.node_mut(parent);
            if p.keys[slot] == key && old == val {
                return;
            }
            p.keys[slot] = key;
            p.vals[slot] = val;
            change = Some(Change {
                lost: if val < old { old } else { K::ZERO },
                added: val,
            });
            child = parent;
        }
    }

    /// All gaps in address order.
    pub(crate) fn iter(&self) -> Gaps<'_, K> {
        let mut it = Gaps {
            tree: self,
            path: Path::new(),
            pos: 0,
        };
        it.descend_leftmost(0, self.root);
        it
    }

    /// Number of branch levels above the leaves.
    #[cfg(test)]
    pub(crate) fn height(&self) -> usize {
        self.height
    }

    /// Checks every invariant of the module documentation; returns the gaps in order.
    #[cfg(test)]
    pub(crate) fn check(&self) -> Vec<(usize, usize)> {
        fn walk<K: Key>(
            t: &GapTree<K>,
            id: NodeId,
            depth: usize,
            is_root: bool,
            out: &mut Vec<(usize, usize)>,
        ) {
            let n = t.node(id);
            let len = n.len();
            if !is_root {
                assert!(len >= NODE_MIN, "node under half full");
            } else if depth < t.height {
                assert!(len >= 2, "branch root with one child");
            }
            for w in n.keys[..len].windows(2) {
                assert!(w[0] < w[1], "keys out of order");
            }
            assert!(n.keys[len..].iter().all(|&k| k == K::MAX), "key padding");
            assert!(n.vals[len..].iter().all(|&v| v == K::ZERO), "val padding");
            if depth == t.height {
                out.extend((0..len).map(|i| n.gap_at(i)));
            } else {
                for i in 0..len {
                    let c = n.children[i];
                    assert_eq!(t.summary(c), (n.keys[i], n.vals[i]), "stale summary");
                    walk(t, c, depth + 1, false, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(self, self.root, 0, true, &mut out);
        assert_eq!(out.len(), self.count);
        for w in out.windows(2) {
            assert!(w[0].0 + w[0].1 <= w[1].0, "gaps overlap");
        }
        out
    }
}

/// In-order iterator over the gaps of a [`GapTree`], as `(start, len)`.
#[derive(Clone, Debug)]
pub(crate) struct Gaps<'a, K> {
    tree: &'a GapTree<K>,
    path: Path,
    pos: usize,
}

impl<K: Key> Gaps<'_, K> {
    /// Walks down the first children from `id` at depth `depth`, recording the path.
    fn descend_leftmost(&mut self, depth: usize, mut id: NodeId) {
        for level in depth..self.tree.height {
            self.path.nodes[level] = id;
            self.path.slots[level] = 0;
            id = self.tree.node(id).children[0];
        }
        self.path.leaf = id;
        self.pos = 0;
    }
}

impl<K: Key> Iterator for Gaps<'_, K> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        loop {
            let leaf = self.tree.node(self.path.leaf);
            if leaf.has(self.pos) {
                let item = leaf.gap_at(self.pos);
                self.pos += 1;
                return Some(item);
            }
            // Climb to the lowest ancestor with a next child, then go down its left edge.
            let mut level = self.tree.height;
            loop {
                if level == 0 {
                    // Exhausted: park on an empty position so later calls stay `None`.
                    self.pos = usize::MAX;
                    return None;
                }
                level -= 1;
                let node = self.tree.node(self.path.nodes[level]);
                let next = self.path.slots[level] as usize + 1;
                if node.has(next) {
                    self.path.slots[level] = next as u8;
                    let child = node.children[next];
                    self.descend_leftmost(level + 1, child);
                    break;
                }
            }
        }
    }
}
