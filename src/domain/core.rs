//! [`DomainCore`]: the one list lifecycle of every domain kind (create, write, resize,
//! migrate, delete, flush, draw), over a [`Store`] that has an index part or not.
//!
//! Every operation that can fail part-way follows one order (see the [module
//! docs](super)): check the arguments, plan the allocations, grow what must grow, do the
//! GPU copies into free space, and only then commit the allocations and the handle table,
//! which cannot fail. CPU-only work (staging indices) comes last.

use std::sync::Arc;

use super::handle::{DomainId, ListId, Slots};
use super::instances::InstanceTable;
use super::order::Order;
use super::store::{capacity_needed, Needs, Region, Store, INDEX_SIZE};
use super::{
    check_indices, list_ranges, AttributeKey, DomainError, Primitive, RangeCache, Resized,
};
use crate::allocation::Allocator;
use crate::backend::{
    validate_clean, AttributeData, BufferStats, MultiDraw, Precheck, VertexFormat,
};
use crate::backend::{Stream, StreamConfig};

/// A list's vertex and index regions (the index region is empty without an index part).
/// A mesh's instances are kept beside, in its domain's instance table, so that every other
/// list's entry stays this small.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Entry {
    pub(crate) vertices: Region,
    pub(crate) indices: Region,
}

/// Live lists whose draw count is not a multiple of 2 (`[0]`) and of 3 (`[1]`): such a
/// list cannot be drawn with others as one range of lines or triangles.
///
/// Invariant: the counts match the live lists, updated on every create, resize, delete and
/// migration, so that a draw checks them in O(1).
#[derive(Debug, Default, Clone, Copy)]
struct PartialCounts([usize; 2]);

impl PartialCounts {
    fn add(&mut self, count: usize) {
        self.0[0] += usize::from(count % 2 != 0);
        self.0[1] += usize::from(count % 3 != 0);
    }

    fn remove(&mut self, count: usize) {
        self.0[0] -= usize::from(count % 2 != 0);
        self.0[1] -= usize::from(count % 3 != 0);
    }

    /// Lists that are not whole primitives of `mode`.
    fn of(&self, mode: Primitive) -> usize {
        match mode.per_primitive() {
            Some(2) => self.0[0],
            Some(3) => self.0[1],
            _ => 0,
        }
    }
}

/// The region of a list that a draw reads: its indices when the domain is indexed, else its
/// vertices.
pub(super) fn drawn(indexed: bool, entry: &Entry) -> Region {
    if indexed {
        entry.indices
    } else {
        entry.vertices
    }
}

/// The lists of one domain and the GL storage they live in.
pub(crate) struct DomainCore {
    pub(super) store: Store,
    pub(super) lists: Slots<Entry>,
    pub(super) multi_draw: MultiDraw,
    /// The instances of an instanced domain's meshes.
    pub(super) instances: Option<InstanceTable>,
    ranges: RangeCache,
    /// The draw order of an ordered indexed domain's lists (see [`Order`]); the instances
    /// of an ordered instanced domain keep theirs in the instance table.
    order: Option<Order>,
    /// The relative indices before the last relayout, kept to reuse the memory.
    relaid: Vec<u32>,
    /// Byte offsets of the index ranges of the last indexed draw, kept to reuse the memory.
    offsets: Vec<usize>,
    partial: PartialCounts,
}

impl DomainCore {
    /// A domain with room for `vertex_capacity` vertices, an index part with room for
    /// `index_capacity` indices when given, and an instance part of `instances.0` with room
    /// for `instances.1` instances when given.
    pub(crate) fn new(
        gl: &Arc<glow::Context>,
        multi_draw: MultiDraw,
        format: VertexFormat,
        vertex_capacity: usize,
        index_capacity: Option<usize>,
        instances: Option<(VertexFormat, usize)>,
    ) -> Result<Self, DomainError> {
        // Lists and instances carry one id: the domain's.
        let id = DomainId::next();
        let table = instances
            .as_ref()
            .map(|(_, capacity)| InstanceTable::new(&multi_draw, id, *capacity));
        Ok(DomainCore {
            store: Store::new(gl, format, vertex_capacity, index_capacity, instances)?,
            lists: Slots::new(id),
            multi_draw,
            instances: table,
            ranges: RangeCache::default(),
            order: None,
            relaid: Vec::new(),
            offsets: Vec::new(),
            partial: PartialCounts::default(),
        })
    }

    pub(crate) fn id(&self) -> DomainId {
        self.lists.domain()
    }

    pub(crate) fn format(&self) -> &VertexFormat {
        self.store.format()
    }

    pub(crate) fn len(&self) -> usize {
        self.lists.len()
    }

    pub(crate) fn is_indexed(&self) -> bool {
        self.store.index.is_some()
    }

    pub(crate) fn is_instanced(&self) -> bool {
        self.store.instance.is_some()
    }

    pub(crate) fn vertex_allocator(&self) -> &Allocator {
        &self.store.vertex.allocator
    }

    pub(crate) fn index_allocator(&self) -> Option<&Allocator> {
        self.store.index.as_ref().map(|i| &i.allocator)
    }

    pub(crate) fn stats(&self) -> BufferStats {
        self.store.stats()
    }

    pub(crate) fn stream(&self) -> &Stream {
        &self.store.stream
    }

    pub(crate) fn set_stream_config(&mut self, config: StreamConfig) -> Result<(), DomainError> {
        self.store.set_stream_config(config)
    }

    pub(crate) fn end_frame(&mut self) -> Result<(), DomainError> {
        Ok(self.store.end_frame()?)
    }

    pub(crate) fn buffer_names(&self) -> Vec<glow::Buffer> {
        self.store.buffer_names()
    }

    pub(crate) fn set_max_buffer_bytes(&mut self, limit: usize) {
        self.store.set_max_buffer_bytes(limit);
    }

    pub(crate) fn max_buffer_bytes(&self) -> usize {
        self.store.max_buffer_bytes()
    }

    /// The list's regions.
    #[inline]
    pub(crate) fn entry<K>(&self, list: ListId<K>) -> Result<Entry, DomainError> {
        Ok(*self.lists.get(list)?)
    }

    /// The count a draw of the list reads ([`drawn`]).
    pub(super) fn draw_count(&self, entry: &Entry) -> usize {
        drawn(self.is_indexed(), entry).count
    }

    /// Refuses indices on a domain without an index part, and indices with no vertex.
    fn check_counts(&self, vertex_count: usize, index_count: usize) -> Result<(), DomainError> {
        if !self.is_indexed() && index_count > 0 {
            return Err(DomainError::NotIndexed);
        }
        if vertex_count == 0 && index_count > 0 {
            return Err(DomainError::IndexOutOfRange {
                index: 0,
                vertex_count,
            });
        }
        Ok(())
    }

    /// The index capacity an index allocation plan needs, if any.
    fn index_need(
        &self,
        plan: impl FnOnce(&Allocator) -> Result<usize, crate::allocation::AllocError>,
    ) -> Result<Option<usize>, DomainError> {
        match &self.store.index {
            Some(index) => capacity_needed(plan(&index.allocator)),
            None => Ok(None),
        }
    }

    /// Creates a list of `vertex_count` vertices and `index_count` indices (0 without an
    /// index part). Until written, vertex data is undefined and every index names the list's
    /// first vertex. In an ordered domain it draws at `z`, above the lists of its z added
    /// before it. Completes or changes nothing but the buffers' size.
    pub(crate) fn create<K>(
        &mut self,
        vertex_count: usize,
        index_count: usize,
        z: f32,
    ) -> Result<ListId<K>, DomainError> {
        self.check_counts(vertex_count, index_count)?;
        let vertex_need = capacity_needed(self.store.vertex.allocator.plan_alloc(vertex_count))?;
        let index_need = self.index_need(|a| a.plan_alloc(index_count))?;
        self.store.reserve(Needs {
            vertices: vertex_need,
            indices: index_need,
            ..Needs::default()
        })?;
        // Both allocations fit now; nothing below touches GL.
        let vertices = Region {
            start: self.store.vertex.allocator.alloc(vertex_count)?,
            count: vertex_count,
        };
        let indices = match self.store.index.as_mut() {
            None => Region::default(),
            Some(index) => {
                let start = match index.allocator.alloc(index_count) {
                    Ok(start) => start,
                    Err(error) => {
                        let allocator = &mut self.store.vertex.allocator;
                        allocator.dealloc(vertices.start, vertices.count)?;
                        return Err(error.into());
                    }
                };
                let indices = Region {
                    start,
                    count: index_count,
                };
                index.relative[indices.start..indices.end()].fill(0);
                index.stage_absolute(indices, vertices.start)?;
                indices
            }
        };
        let entry = Entry { vertices, indices };
        self.partial.add(self.draw_count(&entry));
        self.ranges.invalidate();
        let list = self.lists.insert(entry);
        self.ordered_insert(list, z)?;
        Ok(list)
    }

    /// Gives a new list of an ordered domain its key, `z` added now.
    fn ordered_insert<K>(&mut self, list: ListId<K>, z: f32) -> Result<(), DomainError> {
        if let Some(order) = &mut self.order {
            let entry = *self.lists.get(list)?;
            let key = order.insert(self.lists.index(list)?, z);
            order.placed(key, entry.indices.start, entry.indices.end());
        }
        Ok(())
    }

    /// Stages typed values of `attribute` for the list's vertices.
    #[inline]
    pub(crate) fn write<K, T: AttributeData>(
        &mut self,
        list: ListId<K>,
        attribute: impl AttributeKey,
        data: &[T],
    ) -> Result<(), DomainError> {
        let vertices = self.lists.get(list)?.vertices;
        self.store.vertex.write(vertices, attribute, data)
    }

    /// Stages typed values of `attribute` for the list's vertices from `first` on, to its
    /// last: `data` covers exactly those.
    pub(crate) fn write_from<K, T: AttributeData>(
        &mut self,
        list: ListId<K>,
        attribute: impl AttributeKey,
        first: usize,
        data: &[T],
    ) -> Result<(), DomainError> {
        let vertices = self.lists.get(list)?.vertices;
        if first > vertices.count {
            return Err(DomainError::FirstVertex {
                first,
                count: vertices.count,
            });
        }
        let tail = Region {
            start: vertices.start + first,
            count: vertices.count - first,
        };
        self.store.vertex.write(tail, attribute, data)
    }

    /// Stages raw bytes of `attribute` for the list's vertices.
    pub(crate) fn write_bytes<K>(
        &mut self,
        list: ListId<K>,
        attribute: impl AttributeKey,
        bytes: &[u8],
    ) -> Result<(), DomainError> {
        let vertices = self.lists.get(list)?.vertices;
        self.store.vertex.write_bytes(vertices, attribute, bytes)
    }

    /// Reads the list's values of `attribute` back from GL.
    pub(crate) fn read<K, T: AttributeData>(
        &mut self,
        list: ListId<K>,
        attribute: impl AttributeKey,
    ) -> Result<Vec<T>, DomainError> {
        let vertices = self.lists.get(list)?.vertices;
        let store = &mut self.store;
        store.vertex.read(vertices, attribute, &mut store.stream)
    }

    /// Sets the list's indices, relative to its first vertex. CPU work only.
    pub(crate) fn write_indices<K>(
        &mut self,
        list: ListId<K>,
        indices: &[u32],
    ) -> Result<(), DomainError> {
        let entry = *self.lists.get(list)?;
        let index = self.store.index_mut()?;
        check_indices(indices, entry.indices.count, entry.vertices.count)?;
        let slots = entry.indices.start..entry.indices.end();
        index.relative[slots].copy_from_slice(indices);
        index.stage_absolute(entry.indices, entry.vertices.start)
    }

    /// Reads the list's indices back from GL, relative to its first vertex (so a stale
    /// absolute index shows up as a wrong value).
    pub(crate) fn read_indices<K>(&mut self, list: ListId<K>) -> Result<Vec<u32>, DomainError> {
        let entry = *self.lists.get(list)?;
        let (index, stream) = self.store.index_and_stream()?;
        let bytes = index.buffer.read(
            entry.indices.start * INDEX_SIZE,
            entry.indices.count * INDEX_SIZE,
            stream,
        )?;
        let base = entry.vertices.start as u32;
        Ok(bytes
            .chunks_exact(INDEX_SIZE)
            .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]).wrapping_sub(base))
            .collect())
    }

    /// Resizes the list to `vertex_count` vertices and `index_count` indices, keeping the
    /// first `min(old, new)` of each. Moved data is copied on the GPU; when the vertices
    /// move, the indices are rewritten for their new first vertex. Kept indices that name a
    /// vertex past the new count, and new indices, name the list's first vertex.
    ///
    /// Completes or changes nothing but the buffers' size: growth and the GPU copies into
    /// free space happen before either allocator commits.
    pub(crate) fn resize<K>(
        &mut self,
        list: ListId<K>,
        vertex_count: usize,
        index_count: usize,
    ) -> Result<Resized, DomainError> {
        let old = *self.lists.get(list)?;
        self.check_counts(vertex_count, index_count)?;
        let (v, i) = (old.vertices, old.indices);
        let plan_vertices =
            |s: &Store| (s.vertex.allocator).plan_realloc(v.start, v.count, vertex_count);
        let vertex_need = capacity_needed(plan_vertices(&self.store))?;
        let index_need = self.index_need(|a| a.plan_realloc(i.start, i.count, index_count))?;
        self.store.reserve(Needs {
            vertices: vertex_need,
            indices: index_need,
            ..Needs::default()
        })?;
        let vertex_start = plan_vertices(&self.store)?;
        let index_start = match &self.store.index {
            Some(index) => index
                .allocator
                .plan_realloc(i.start, i.count, index_count)?,
            None => 0,
        };

        // GPU copies into free space: a failure leaves every list as it was.
        let kept_vertices = v.count.min(vertex_count);
        let vertices_move = vertex_start != v.start;
        if vertices_move && kept_vertices > 0 {
            let store = &mut self.store;
            (store.vertex).copy_within(v.start, vertex_start, kept_vertices, &mut store.stream)?;
        }
        let kept_indices = i.count.min(index_count);
        let clamp = self.store.index.as_ref().is_some_and(|index| {
            index.relative[i.start..i.start + kept_indices]
                .iter()
                .any(|&rel| rel as usize >= vertex_count)
        });
        // Indices are restaged whole when their base or values change; otherwise kept ones
        // that move are copied on the GPU, like vertices.
        let restage_all = vertices_move || clamp;
        if let Some(index) = self.store.index.as_mut() {
            if !restage_all && index_start != i.start && kept_indices > 0 {
                index.buffer.copy_within(
                    i.start * INDEX_SIZE,
                    index_start * INDEX_SIZE,
                    kept_indices * INDEX_SIZE,
                    &mut self.store.stream,
                )?;
            }
        }

        // Commit: the plans above said both fit, so neither call fails.
        let vertices = Region {
            start: (self.store.vertex.allocator).realloc(v.start, v.count, vertex_count)?,
            count: vertex_count,
        };
        debug_assert_eq!(vertices.start, vertex_start);
        let mut indices = Region::default();
        if let Some(index) = self.store.index.as_mut() {
            indices = Region {
                start: index.allocator.realloc(i.start, i.count, index_count)?,
                count: index_count,
            };
            let relative = &mut index.relative;
            relative.copy_within(i.start..i.start + kept_indices, indices.start);
            let kept = indices.start..indices.start + kept_indices;
            for rel in &mut relative[kept] {
                if *rel as usize >= vertex_count {
                    *rel = 0;
                }
            }
            relative[indices.start + kept_indices..indices.end()].fill(0);
            let restaged = if restage_all {
                indices
            } else {
                Region {
                    start: indices.start + kept_indices,
                    count: index_count - kept_indices,
                }
            };
            index.stage_absolute(restaged, vertices.start)?;
        }
        self.partial.remove(self.draw_count(&old));
        let entry = Entry { vertices, indices };
        self.partial.add(self.draw_count(&entry));
        self.ranges.invalidate();
        if let Some(order) = &mut self.order {
            if indices.start == i.start {
                order.resized(order.key(self.lists.index(list)?), indices.end());
            } else {
                order.mark_stale();
            }
        }
        *self.lists.get_mut(list)? = entry;
        Ok(match vertices_move || indices.start != i.start {
            true => Resized::Moved,
            false => Resized::InPlace,
        })
    }

    /// Frees the regions of the live list at slot `index` (which are allocated, so this
    /// cannot fail), and retires a mesh's instances.
    fn release(&mut self, index: usize, entry: Entry) -> Result<(), DomainError> {
        let Entry { vertices, indices } = entry;
        let allocator = &mut self.store.vertex.allocator;
        allocator.dealloc(vertices.start, vertices.count)?;
        if let Some(index) = self.store.index.as_mut() {
            index.allocator.dealloc(indices.start, indices.count)?;
        }
        self.release_instances(index)?;
        self.partial.remove(self.draw_count(&entry));
        self.ranges.invalidate();
        Ok(())
    }

    /// Deletes the list and frees its vertices and indices. Its handle becomes stale.
    pub(crate) fn delete<K>(&mut self, list: ListId<K>) -> Result<(), DomainError> {
        let entry = *self.lists.get(list)?;
        self.release(self.lists.index(list)?, entry)?;
        self.lists.remove(list)?;
        Ok(())
    }

    /// Moves the list into `other` (same format, context and kind) by GPU copies, indices
    /// rewritten for their new first vertex, and returns its handle there; the old one
    /// becomes stale. Completes or changes nothing but `other`'s buffers' size.
    pub(crate) fn migrate<K, L>(
        &mut self,
        list: ListId<K>,
        other: &mut DomainCore,
    ) -> Result<ListId<L>, DomainError> {
        let entry = *self.lists.get(list)?;
        self.check_compatible(other)?;
        let index = self.lists.index(list)?;
        let instances = self.instance_count_at(index);
        if instances > 0 {
            return Err(DomainError::MeshHasInstances { instances });
        }
        let (v, i) = (entry.vertices, entry.indices);
        let vertex_need = capacity_needed(other.store.vertex.allocator.plan_alloc(v.count))?;
        let index_need = other.index_need(|a| a.plan_alloc(i.count))?;
        other.store.reserve(Needs {
            vertices: vertex_need,
            indices: index_need,
            ..Needs::default()
        })?;
        let vertex_start = other.store.vertex.allocator.plan_alloc(v.count)?;
        let streams = (&mut self.store.stream, &mut other.store.stream);
        (self.store.vertex).copy_to(v, &mut other.store.vertex, vertex_start, streams)?;

        // Commit: the plans above said both fit.
        let vertices = Region {
            start: other.store.vertex.allocator.alloc(v.count)?,
            count: v.count,
        };
        let mut indices = Region::default();
        if let (Some(from), Some(to)) = (self.store.index.as_ref(), other.store.index.as_mut()) {
            indices = Region {
                start: to.allocator.alloc(i.count)?,
                count: i.count,
            };
            to.relative[indices.start..indices.end()]
                .copy_from_slice(&from.relative[i.start..i.end()]);
            to.stage_absolute(indices, vertices.start)?;
        }
        let z = self.order.as_ref().map_or(0.0, |order| order.key(index).z);
        self.release(index, entry)?;
        self.lists.remove(list)?;
        let moved = Entry { vertices, indices };
        other.partial.add(other.draw_count(&moved));
        other.ranges.invalidate();
        let moved = other.lists.insert(moved);
        other.ordered_insert(moved, z)?;
        Ok(moved)
    }

    /// Refuses a migration between domains of different formats, contexts or kinds.
    fn check_compatible(&self, to: &DomainCore) -> Result<(), DomainError> {
        if self.format() != to.format() {
            return Err(DomainError::FormatMismatch {
                from: self.format().clone(),
                to: to.format().clone(),
            });
        }
        if !Arc::ptr_eq(self.store.gl(), to.store.gl()) {
            return Err(DomainError::ContextMismatch);
        }
        if self.is_indexed() != to.is_indexed() || self.is_instanced() != to.is_instanced() {
            return Err(DomainError::KindMismatch);
        }
        if let (Some(from), Some(to)) = (&self.store.instance, &to.store.instance) {
            if from.format() != to.format() {
                return Err(DomainError::FormatMismatch {
                    from: from.format().clone(),
                    to: to.format().clone(),
                });
            }
        }
        Ok(())
    }

    /// Turns the draw order on or off: on, lists (or each mesh's instances, in an instanced
    /// domain) draw by ascending z, then in the order they were added, the live ones taken
    /// at z 0 in slot order; off, in allocator order, as fast as it gets. Refused for a
    /// domain without indices or instances ([`DomainError::NotIndexed`]), whose order would
    /// cost moving vertices.
    pub(crate) fn set_ordered(&mut self, ordered: bool) -> Result<(), DomainError> {
        if let Some(table) = &mut self.instances {
            table.set_ordered(ordered);
            return Ok(());
        }
        if !self.is_indexed() {
            return Err(DomainError::NotIndexed);
        }
        match (ordered, &self.order) {
            (true, None) => self.order = Some(Order::new(self.lists.indexed().map(|(i, _)| i))),
            (false, Some(_)) => self.order = None,
            _ => {}
        }
        Ok(())
    }

    /// Whether this domain keeps a draw order.
    pub(crate) fn is_ordered(&self) -> bool {
        match &self.instances {
            Some(table) => table.is_ordered(),
            None => self.order.is_some(),
        }
    }

    /// Relayouts of the draw order so far (each a sort and a rewrite of the index buffer or
    /// the instance runs, on a draw after a change out of order).
    pub(crate) fn relayouts(&self) -> u64 {
        match &self.instances {
            Some(table) => table.relayouts(),
            None => self.order.as_ref().map_or(0, Order::relayouts),
        }
    }

    /// The list's order, for its z.
    fn list_order<K>(&mut self, list: ListId<K>) -> Result<(&mut Order, usize), DomainError> {
        let index = self.lists.index(list)?;
        match &mut self.order {
            Some(order) => Ok((order, index)),
            None => Err(DomainError::NotOrdered),
        }
    }

    /// Sets the z of a list of an ordered domain: from the next draw on it draws above the
    /// lists of lower z, and among those of its z by the order of adding.
    pub(crate) fn set_z<K>(&mut self, list: ListId<K>, z: f32) -> Result<(), DomainError> {
        let (order, index) = self.list_order(list)?;
        order.set_z(index, z);
        Ok(())
    }

    /// The z of a list of an ordered domain.
    pub(crate) fn z<K>(&mut self, list: ListId<K>) -> Result<f32, DomainError> {
        let (order, index) = self.list_order(list)?;
        Ok(order.key(index).z)
    }

    /// Lays every list's indices out in key order from slot 0, when a change left them out
    /// of it: the index allocator then holds one region, drawn in key order. CPU work only
    /// (the relative indices are permuted and restaged whole), so it cannot fail but on a
    /// bug.
    fn lay_out_indices(&mut self) -> Result<(), DomainError> {
        let Some(order) = self.order.as_mut().filter(|o| o.is_stale()) else {
            return Ok(());
        };
        let Some(index) = self.store.index.as_mut() else {
            return Err(DomainError::NotIndexed);
        };
        let sorted = order.sort(self.lists.indexed().map(|(i, _)| (i, i as u32)));
        let mut relative = std::mem::take(&mut self.relaid);
        relative.clear();
        relative.resize(index.relative.len(), 0);
        let mut end = 0;
        for &(_, list) in &sorted {
            if let Some(entry) = self.lists.at_mut(list as usize) {
                let old = entry.indices;
                relative[end..end + old.count]
                    .copy_from_slice(&index.relative[old.start..old.end()]);
                entry.indices.start = end;
                end += old.count;
            }
        }
        // The lists now fill `0..end` with no hole: one allocation holds them (the
        // allocator frees parts of one as well as whole ones).
        let mut allocator = Allocator::new(index.allocator.capacity());
        allocator.alloc(end)?;
        index.allocator = allocator;
        self.relaid = std::mem::replace(&mut index.relative, relative);
        for &(_, list) in &sorted {
            if let Some(entry) = self.lists.at_mut(list as usize) {
                index.stage_absolute(entry.indices, entry.vertices.start)?;
            }
        }
        order.restore(sorted);
        order.laid_out(Some(end));
        self.ranges.invalidate();
        Ok(())
    }

    /// Sends every staged write to GL.
    pub(crate) fn flush(&mut self) -> Result<(), DomainError> {
        Ok(self.store.flush()?)
    }

    /// Draws every list: one multi-draw over the aggregate regions for points, lines and
    /// triangles (refused when a list is not whole primitives of `mode`), one range per
    /// list otherwise. Returns the GL draw calls issued.
    ///
    /// GL state touched: binds this domain's VAO (which holds the index buffer binding) and
    /// unbinds it after. The program, textures and blending are the caller's.
    pub(crate) fn draw(&mut self, mode: Primitive) -> Result<usize, DomainError> {
        let drawn = if self.is_instanced() {
            self.draw_instances(mode, None)
        } else {
            self.draw_lists(mode)
        };
        // The frame ends whether or not the draw went through: its uploads are queued.
        let ended = self.store.end_frame();
        let calls = drawn?;
        ended?;
        Ok(calls)
    }

    /// The body of [`draw`](Self::draw) for domains without instances.
    fn draw_lists(&mut self, mode: Primitive) -> Result<usize, DomainError> {
        let partial = self.partial.of(mode);
        if partial > 0 {
            return Err(DomainError::PartialPrimitives {
                mode,
                lists: partial,
            });
        }
        validate_clean(self.store.gl(), "Domain::draw")?;
        self.lay_out_indices()?;
        self.store.flush()?;
        let indexed = self.is_indexed();
        let per_list;
        let (starts, counts) = if mode.is_separable() {
            let allocator = match &self.store.index {
                Some(index) => &index.allocator,
                None => &self.store.vertex.allocator,
            };
            self.ranges.ranges(allocator)
        } else {
            let mut regions: Vec<Region> = self.lists.values().map(|e| drawn(indexed, e)).collect();
            if self.order.is_some() {
                // Laid out in key order: address order is draw order.
                regions.sort_by_key(|r| r.start);
            }
            per_list = list_ranges(regions.into_iter());
            (&per_list.0[..], &per_list.1[..])
        };
        if indexed {
            self.offsets.clear();
            self.offsets
                .extend(starts.iter().map(|&s| s as usize * INDEX_SIZE));
        }
        self.store.bind()?;
        let gl = self.store.gl();
        // SAFETY: every range is allocated space of the allocator it came from, whose
        // capacity every buffer of its part holds; every stored index is a vertex of its own
        // list (checked when written, clamped on resize), inside the vertex buffers; the
        // VAO just bound names the current buffers (`bind` re-points it if a failed growth
        // left that unsure), and this domain's index buffer when indexed.
        let result = unsafe {
            if indexed {
                let elements = glow::UNSIGNED_INT;
                self.multi_draw.draw_elements_with(
                    Precheck::Done,
                    gl,
                    mode.gl_enum(),
                    counts,
                    elements,
                    &self.offsets,
                )
            } else {
                self.multi_draw
                    .draw_arrays_with(Precheck::Done, gl, mode.gl_enum(), starts, counts)
            }
        };
        self.store.unbind();
        Ok(result?)
    }

    /// Draws one list (refused when it is not whole primitives of `mode`). GL state
    /// touched: as [`draw`](Self::draw).
    pub(crate) fn draw_list<K>(
        &mut self,
        list: ListId<K>,
        mode: Primitive,
    ) -> Result<usize, DomainError> {
        let entry = *self.lists.get(list)?;
        mode.check_whole(self.draw_count(&entry))?;
        if self.is_instanced() {
            return self.draw_instances(mode, Some(list.cast()));
        }
        validate_clean(self.store.gl(), "Domain::draw_list")?;
        self.store.flush()?;
        self.store.bind()?;
        let gl = self.store.gl();
        // SAFETY: as in `draw`, for the list's own regions.
        let result = unsafe {
            if self.is_indexed() {
                self.multi_draw.draw_elements_with(
                    Precheck::Done,
                    gl,
                    mode.gl_enum(),
                    &[entry.indices.count as i32],
                    glow::UNSIGNED_INT,
                    &[entry.indices.start * INDEX_SIZE],
                )
            } else {
                self.multi_draw.draw_arrays_with(
                    Precheck::Done,
                    gl,
                    mode.gl_enum(),
                    &[entry.vertices.start as i32],
                    &[entry.vertices.count as i32],
                )
            }
        };
        self.store.unbind();
        Ok(result?)
    }
}
