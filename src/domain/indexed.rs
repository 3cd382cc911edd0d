//! [`IndexedVertexDomain`]: vertex lists with `u32` indices, drawn with one
//! `glMultiDrawElements`.
//!
//! Indices are given relative to their list and stored absolute (offset by the list's first
//! vertex), so the aggregate index regions of many lists draw as one range each. When a
//! list's vertices move (resize, migrate), its indices are rewritten; pyglet's
//! `IndexedVertexList.resize` forgets this and leaves stale indices. A CPU copy of the
//! relative indices (4 bytes per index) makes the rewrite a staged write instead of a GPU
//! readback, which would stall the pipeline.

use std::rc::Rc;

use bytemuck::Pod;

use super::handle::{DomainId, IndexedVertexList, Slots};
use super::store::{prepare_all, Growable, Region, VertexStore};
use super::vertex::check_compatible;
use super::{AttributeKey, DomainError, Primitive, RangeCache};
use crate::allocation::Allocator;
use crate::backend::{BufferStats, GlBuffer, MultiDraw, VertexFormat, MAX_BUFFER_BYTES};

/// Bytes per stored index (`GL_UNSIGNED_INT`).
const INDEX_SIZE: usize = std::mem::size_of::<u32>();

/// The index buffer, its allocator, and the relative indices it holds.
///
/// Invariants: `relative.len() == allocator.capacity()`, and for every live list the buffer
/// holds (after a flush) `relative[i] + list.vertices.start` at each of its index slots `i`.
struct IndexStore {
    buffer: GlBuffer,
    allocator: Allocator,
    relative: Vec<u32>,
    max_buffer_bytes: usize,
}

impl Growable for IndexStore {
    fn allocator(&mut self) -> &mut Allocator {
        &mut self.allocator
    }

    fn grow_to(&mut self, capacity: usize) -> Result<(), DomainError> {
        let mut grown = prepare_all(
            std::iter::once((&self.buffer, INDEX_SIZE)),
            capacity,
            self.max_buffer_bytes,
        )?;
        if let Some(grown) = grown.pop().flatten() {
            self.buffer.commit_grow(grown);
        }
        self.relative.resize(capacity, 0);
        Ok(self.allocator.set_capacity(capacity)?)
    }
}

impl IndexStore {
    /// Stages the absolute form of the relative indices in `indices` for a list whose first
    /// vertex is `first_vertex`.
    fn stage_absolute(&mut self, indices: Region, first_vertex: usize) -> Result<(), DomainError> {
        let staged = self
            .buffer
            .stage(indices.start * INDEX_SIZE, indices.count * INDEX_SIZE)?;
        let relative = &self.relative[indices.start..indices.end()];
        // Absolute indices fit u32: vertex capacity * attribute size <= i32::MAX bytes.
        let base = first_vertex as u32;
        for (bytes, rel) in staged.chunks_exact_mut(INDEX_SIZE).zip(relative) {
            bytes.copy_from_slice(&(rel + base).to_ne_bytes());
        }
        Ok(())
    }
}

/// A list's vertex and index regions.
#[derive(Debug, Clone, Copy)]
struct IndexedRegion {
    vertices: Region,
    indices: Region,
}

/// Indexed vertex lists of one [`VertexFormat`]: per-attribute vertex buffers plus one `u32`
/// index buffer, each with its own allocator.
///
/// Owns GL objects: use and drop it while its context is current.
pub struct IndexedVertexDomain {
    vertices: VertexStore,
    indices: IndexStore,
    lists: Slots<IndexedRegion>,
    multi_draw: MultiDraw,
    ranges: RangeCache,
    offsets: Vec<usize>,
}

impl IndexedVertexDomain {
    /// Creates a domain with room for `vertex_capacity` vertices and `index_capacity`
    /// indices (both grow as needed).
    pub fn new(
        gl: &Rc<glow::Context>,
        multi_draw: MultiDraw,
        format: VertexFormat,
        vertex_capacity: usize,
        index_capacity: usize,
    ) -> Result<Self, DomainError> {
        let mut vertices = VertexStore::new(Rc::clone(gl), format, vertex_capacity)?;
        let bytes = super::store::buffer_bytes(index_capacity, INDEX_SIZE, MAX_BUFFER_BYTES)?;
        let buffer = GlBuffer::new(Rc::clone(gl), bytes)?;
        vertices.set_element_buffer(Some(buffer.raw()))?;
        Ok(IndexedVertexDomain {
            vertices,
            indices: IndexStore {
                buffer,
                allocator: Allocator::new(index_capacity),
                relative: vec![0; index_capacity],
                max_buffer_bytes: MAX_BUFFER_BYTES,
            },
            lists: Slots::new(DomainId::next()),
            multi_draw,
            ranges: RangeCache::default(),
            offsets: Vec::new(),
        })
    }

    /// This domain's id, which its lists' handles carry.
    pub fn id(&self) -> DomainId {
        self.lists.domain()
    }

    /// The vertex format.
    pub fn format(&self) -> &VertexFormat {
        self.vertices.format()
    }

    /// Vertex slots in every attribute buffer.
    pub fn vertex_capacity(&self) -> usize {
        self.vertices.capacity()
    }

    /// Index slots in the index buffer.
    pub fn index_capacity(&self) -> usize {
        self.indices.allocator.capacity()
    }

    /// Live lists.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// Whether no list is live.
    pub fn is_empty(&self) -> bool {
        self.lists.len() == 0
    }

    /// The allocator of vertex slots, for inspection.
    pub fn vertex_allocator(&self) -> &Allocator {
        self.vertices.allocator_ref()
    }

    /// The allocator of index slots, for inspection.
    pub fn index_allocator(&self) -> &Allocator {
        &self.indices.allocator
    }

    /// What the vertex and index buffers have sent to GL: uploads, GPU copies, growths.
    pub fn stats(&self) -> BufferStats {
        self.vertices.stats() + self.indices.buffer.stats()
    }

    /// The GL names of the attribute buffers (format order) then the index buffer. They
    /// change when the domain grows.
    pub fn buffer_names(&self) -> Vec<glow::Buffer> {
        let mut names = self.vertices.buffer_names();
        names.push(self.indices.buffer.raw());
        names
    }

    /// Caps every buffer of this domain at `limit` bytes (at most
    /// [`MAX_BUFFER_BYTES`]). Growth past it fails with
    /// [`GlError::TooLarge`](crate::backend::GlError::TooLarge) and changes nothing.
    pub fn set_max_buffer_bytes(&mut self, limit: usize) {
        self.vertices.set_max_buffer_bytes(limit);
        self.indices.max_buffer_bytes = limit.min(MAX_BUFFER_BYTES);
    }

    /// Re-points the VAO at the index buffer if growth replaced it.
    fn sync_element_buffer(&mut self, before: glow::Buffer) -> Result<(), DomainError> {
        let now = self.indices.buffer.raw();
        if now != before {
            self.vertices.set_element_buffer(Some(now))?;
        }
        Ok(())
    }

    /// Allocates `count` index slots, growing (and re-pointing the VAO) when needed.
    fn alloc_indices(&mut self, count: usize) -> Result<Region, DomainError> {
        let before = self.indices.buffer.raw();
        let start = self.indices.with_growth(|a| a.alloc(count))?;
        self.sync_element_buffer(before)?;
        Ok(Region { start, count })
    }

    /// Creates a list of `vertex_count` vertices and `index_count` indices. Until written,
    /// vertex data is undefined and every index names the list's first vertex (degenerate
    /// primitives).
    pub fn create(
        &mut self,
        vertex_count: usize,
        index_count: usize,
    ) -> Result<IndexedVertexList, DomainError> {
        if vertex_count == 0 && index_count > 0 {
            return Err(DomainError::IndexOutOfRange {
                index: 0,
                vertex_count,
            });
        }
        let vertices = self.vertices.alloc(vertex_count)?;
        let indices = match self.alloc_indices(index_count) {
            Ok(indices) => indices,
            Err(error) => {
                self.vertices.dealloc(vertices)?;
                return Err(error);
            }
        };
        self.indices.relative[indices.start..indices.end()].fill(0);
        self.indices.stage_absolute(indices, vertices.start)?;
        self.ranges.invalidate();
        Ok(self.lists.insert(IndexedRegion { vertices, indices }))
    }

    /// The list's vertex count.
    pub fn vertex_count(&self, list: IndexedVertexList) -> Result<usize, DomainError> {
        Ok(self.lists.get(list)?.vertices.count)
    }

    /// The list's index count.
    pub fn index_count(&self, list: IndexedVertexList) -> Result<usize, DomainError> {
        Ok(self.lists.get(list)?.indices.count)
    }

    /// The list's first vertex in the buffers (it changes when the list moves).
    pub fn start(&self, list: IndexedVertexList) -> Result<usize, DomainError> {
        Ok(self.lists.get(list)?.vertices.start)
    }

    /// Stages `data` as the list's values of `attribute`; see [`VertexDomain::write`].
    ///
    /// [`VertexDomain::write`]: super::VertexDomain::write
    #[inline]
    pub fn write<T: Pod>(
        &mut self,
        list: IndexedVertexList,
        attribute: impl AttributeKey,
        data: &[T],
    ) -> Result<(), DomainError> {
        self.vertices
            .write(self.lists.get(list)?.vertices, attribute, data)
    }

    /// Reads the list's values of `attribute` back from GL.
    pub fn read<T: Pod>(
        &mut self,
        list: IndexedVertexList,
        attribute: impl AttributeKey,
    ) -> Result<Vec<T>, DomainError> {
        self.vertices
            .read(self.lists.get(list)?.vertices, attribute)
    }

    /// Sets the list's indices, relative to its first vertex: `indices.len()` must equal its
    /// index count, and each must be below its vertex count. They are stored absolute.
    pub fn write_indices(
        &mut self,
        list: IndexedVertexList,
        indices: &[u32],
    ) -> Result<(), DomainError> {
        let region = *self.lists.get(list)?;
        if indices.len() != region.indices.count {
            return Err(DomainError::IndexCount {
                expected: region.indices.count,
                got: indices.len(),
            });
        }
        if let Some(&index) = indices
            .iter()
            .find(|&&i| i as usize >= region.vertices.count)
        {
            return Err(DomainError::IndexOutOfRange {
                index,
                vertex_count: region.vertices.count,
            });
        }
        let slots = region.indices.start..region.indices.end();
        self.indices.relative[slots].copy_from_slice(indices);
        self.indices
            .stage_absolute(region.indices, region.vertices.start)
    }

    /// Reads the list's indices back from GL and returns them relative to its first vertex
    /// (so a stale absolute index shows up as a wrong value).
    pub fn read_indices(&mut self, list: IndexedVertexList) -> Result<Vec<u32>, DomainError> {
        let region = *self.lists.get(list)?;
        let bytes = self.indices.buffer.read(
            region.indices.start * INDEX_SIZE,
            region.indices.count * INDEX_SIZE,
        )?;
        let base = region.vertices.start as u32;
        Ok(bytes
            .chunks_exact(INDEX_SIZE)
            .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]).wrapping_sub(base))
            .collect())
    }

    /// Resizes the list to `vertex_count` vertices and `index_count` indices, keeping the
    /// first `min(old, new)` of each. Moved data is copied on the GPU, and when the vertices
    /// move the indices are rewritten for their new position. Kept indices that name a
    /// vertex past the new count, and new indices, name the list's first vertex.
    ///
    /// If the index buffer cannot grow after the vertices were resized, the vertices are
    /// resized back (their data kept) and the error is returned.
    pub fn resize(
        &mut self,
        list: IndexedVertexList,
        vertex_count: usize,
        index_count: usize,
    ) -> Result<(), DomainError> {
        let old = *self.lists.get(list)?;
        if vertex_count == 0 && index_count > 0 {
            return Err(DomainError::IndexOutOfRange {
                index: 0,
                vertex_count,
            });
        }
        let vertices = self.vertices.realloc(old.vertices, vertex_count)?;
        let before = self.indices.buffer.raw();
        let resized = self
            .indices
            .with_growth(|a| a.realloc(old.indices.start, old.indices.count, index_count));
        let start = match resized {
            Ok(start) => start,
            Err(error) => {
                self.vertices.realloc(vertices, old.vertices.count)?;
                return Err(error);
            }
        };
        self.sync_element_buffer(before)?;
        let indices = Region {
            start,
            count: index_count,
        };
        let kept = old.indices.count.min(index_count);
        self.indices
            .relative
            .copy_within(old.indices.start..old.indices.start + kept, start);
        // Kept indices past the new vertex count, and new ones, name the first vertex.
        let mut clamped = false;
        for rel in &mut self.indices.relative[start..start + kept] {
            if *rel as usize >= vertex_count {
                *rel = 0;
                clamped = true;
            }
        }
        self.indices.relative[start + kept..indices.end()].fill(0);
        if vertices.start != old.vertices.start || clamped {
            self.indices.stage_absolute(indices, vertices.start)?;
        } else {
            if start != old.indices.start && kept > 0 {
                self.indices.buffer.copy_within(
                    old.indices.start * INDEX_SIZE,
                    start * INDEX_SIZE,
                    kept * INDEX_SIZE,
                )?;
            }
            let tail = Region {
                start: start + kept,
                count: index_count - kept,
            };
            self.indices.stage_absolute(tail, vertices.start)?;
        }
        self.ranges.invalidate();
        *self.lists.get_mut(list)? = IndexedRegion { vertices, indices };
        Ok(())
    }

    /// Deletes the list and frees its vertices and indices. Its handle becomes stale.
    pub fn delete(&mut self, list: IndexedVertexList) -> Result<(), DomainError> {
        let region = *self.lists.get(list)?;
        self.vertices.dealloc(region.vertices)?;
        self.indices
            .allocator
            .dealloc(region.indices.start, region.indices.count)?;
        self.lists.remove(list)?;
        self.ranges.invalidate();
        Ok(())
    }

    /// Moves the list into `other` (same format, same context): vertices by GPU copies,
    /// indices rewritten for their new first vertex. Returns the handle there; the old one
    /// becomes stale. On error both domains keep their lists and data.
    pub fn migrate(
        &mut self,
        list: IndexedVertexList,
        other: &mut IndexedVertexDomain,
    ) -> Result<IndexedVertexList, DomainError> {
        let region = *self.lists.get(list)?;
        check_compatible(&self.vertices, &other.vertices)?;
        let vertices = other.vertices.alloc(region.vertices.count)?;
        let indices = match other.alloc_indices(region.indices.count) {
            Ok(indices) => indices,
            Err(error) => {
                other.vertices.dealloc(vertices)?;
                return Err(error);
            }
        };
        let copied = self
            .vertices
            .copy_to(region.vertices, &mut other.vertices, vertices.start);
        if let Err(error) = copied {
            other.vertices.dealloc(vertices)?;
            other
                .indices
                .allocator
                .dealloc(indices.start, indices.count)?;
            return Err(error);
        }
        let source = &self.indices.relative[region.indices.start..region.indices.end()];
        other.indices.relative[indices.start..indices.end()].copy_from_slice(source);
        other.indices.stage_absolute(indices, vertices.start)?;
        self.delete(list)?;
        other.ranges.invalidate();
        Ok(other.lists.insert(IndexedRegion { vertices, indices }))
    }

    /// Sends every staged vertex and index write to GL (draws do this themselves).
    pub fn flush(&mut self) -> Result<(), DomainError> {
        self.vertices.flush()?;
        Ok(self.indices.buffer.flush()?)
    }

    /// Draws every list with one `glMultiDrawElements` and returns the number of GL draw
    /// calls issued (1, or 0 when empty; one per range if multi-draw is unavailable).
    ///
    /// GL state touched: binds this domain's VAO (which holds the index buffer binding) and
    /// unbinds it after. The program, textures and blending are the caller's.
    pub fn draw(&mut self, mode: Primitive) -> Result<usize, DomainError> {
        self.flush()?;
        let per_list;
        let (starts, counts) = if mode.is_separable() {
            self.ranges.ranges(&self.indices.allocator)
        } else {
            per_list = super::vertex::list_ranges(self.lists.values().map(|r| r.indices));
            (&per_list.0[..], &per_list.1[..])
        };
        self.offsets.clear();
        self.offsets
            .extend(starts.iter().map(|&s| s as usize * INDEX_SIZE));
        self.vertices.bind();
        let result = self.multi_draw.draw_elements(
            self.vertices.gl(),
            mode.gl_enum(),
            counts,
            glow::UNSIGNED_INT,
            &self.offsets,
        );
        self.vertices.unbind();
        Ok(result?)
    }

    /// Draws one list with `glDrawElements`. GL state touched: as [`draw`](Self::draw).
    pub fn draw_list(
        &mut self,
        list: IndexedVertexList,
        mode: Primitive,
    ) -> Result<usize, DomainError> {
        let region = *self.lists.get(list)?;
        self.flush()?;
        self.vertices.bind();
        let result = self.multi_draw.draw_elements(
            self.vertices.gl(),
            mode.gl_enum(),
            &[region.indices.count as i32],
            glow::UNSIGNED_INT,
            &[region.indices.start * INDEX_SIZE],
        );
        self.vertices.unbind();
        Ok(result?)
    }
}

impl std::fmt::Debug for IndexedVertexDomain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexedVertexDomain")
            .field("id", &self.id())
            .field("format", &self.format().to_string())
            .field("vertex_capacity", &self.vertex_capacity())
            .field("index_capacity", &self.index_capacity())
            .field("lists", &self.len())
            .finish()
    }
}
