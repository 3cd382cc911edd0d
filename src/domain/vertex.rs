//! [`VertexDomain`]: non-indexed vertex lists in per-attribute buffers, drawn with one
//! `glMultiDrawArrays`.

use std::rc::Rc;

use bytemuck::Pod;

use super::handle::{DomainId, Slots, VertexList};
use super::store::{Region, VertexStore};
use super::{AttributeKey, DomainError, Primitive, RangeCache};
use crate::allocation::Allocator;
use crate::backend::{BufferStats, MultiDraw, VertexFormat};

/// Vertex lists of one [`VertexFormat`] sharing one buffer per attribute.
///
/// Owns GL objects (buffers and a VAO): use and drop it while its context is current.
///
/// ```no_run
/// # fn demo(gl: std::rc::Rc<glow::Context>, multi_draw: vertex_domain::backend::MultiDraw)
/// # -> Result<(), vertex_domain::domain::DomainError> {
/// use vertex_domain::backend::{Attribute, ComponentType, VertexFormat};
/// use vertex_domain::domain::{Primitive, VertexDomain};
///
/// let format = VertexFormat::new(vec![Attribute::new("position", 0, 2, ComponentType::F32)])?;
/// let mut domain = VertexDomain::new(&gl, multi_draw, format, 16)?;
/// let triangle = domain.create(3)?;
/// domain.write(triangle, "position", &[[0.0f32, 0.0], [1.0, 0.0], [0.0, 1.0]])?;
/// domain.draw(Primitive::Triangles)?; // one glMultiDrawArrays for every list
/// domain.delete(triangle)?;
/// # Ok(()) }
/// ```
pub struct VertexDomain {
    store: VertexStore,
    lists: Slots<Region>,
    multi_draw: MultiDraw,
    ranges: RangeCache,
}

impl VertexDomain {
    /// Creates a domain with room for `capacity` vertices (it grows as needed).
    ///
    /// `multi_draw` holds the context's `glMultiDraw*` entry points (or falls back to one
    /// draw per range). Fails on a format location the context does not have, or a GL error.
    pub fn new(
        gl: &Rc<glow::Context>,
        multi_draw: MultiDraw,
        format: VertexFormat,
        capacity: usize,
    ) -> Result<Self, DomainError> {
        Ok(VertexDomain {
            store: VertexStore::new(Rc::clone(gl), format, capacity)?,
            lists: Slots::new(DomainId::next()),
            multi_draw,
            ranges: RangeCache::default(),
        })
    }

    /// This domain's id, which its lists' handles carry.
    pub fn id(&self) -> DomainId {
        self.lists.domain()
    }

    /// The vertex format.
    pub fn format(&self) -> &VertexFormat {
        self.store.format()
    }

    /// Vertex slots in every attribute buffer.
    pub fn capacity(&self) -> usize {
        self.store.capacity()
    }

    /// Live lists.
    pub fn len(&self) -> usize {
        self.lists.len()
    }

    /// Whether no list is live.
    pub fn is_empty(&self) -> bool {
        self.lists.len() == 0
    }

    /// The allocator of vertex slots, for inspection (regions, fragmentation).
    pub fn allocator(&self) -> &Allocator {
        self.store.allocator_ref()
    }

    /// What the buffers have sent to GL: uploads, GPU copies, growths.
    pub fn stats(&self) -> BufferStats {
        self.store.stats()
    }

    /// The GL names of the attribute buffers, in format order. They change when the domain
    /// grows.
    pub fn buffer_names(&self) -> Vec<glow::Buffer> {
        self.store.buffer_names()
    }

    /// Caps every buffer of this domain at `limit` bytes (at most
    /// [`MAX_BUFFER_BYTES`](crate::backend::MAX_BUFFER_BYTES)). Growth past it fails with
    /// [`GlError::TooLarge`](crate::backend::GlError::TooLarge) and changes nothing.
    pub fn set_max_buffer_bytes(&mut self, limit: usize) {
        self.store.set_max_buffer_bytes(limit);
    }

    /// The cap set by [`set_max_buffer_bytes`](Self::set_max_buffer_bytes).
    pub fn max_buffer_bytes(&self) -> usize {
        self.store.max_buffer_bytes()
    }

    /// Creates a list of `count` vertices (contents undefined until written), growing the
    /// buffers when they are full.
    pub fn create(&mut self, count: usize) -> Result<VertexList, DomainError> {
        let region = self.store.alloc(count)?;
        self.ranges.invalidate();
        Ok(self.lists.insert(region))
    }

    /// The list's vertex count.
    pub fn vertex_count(&self, list: VertexList) -> Result<usize, DomainError> {
        Ok(self.lists.get(list)?.count)
    }

    /// The list's first vertex in the buffers (it changes when the list moves).
    pub fn start(&self, list: VertexList) -> Result<usize, DomainError> {
        Ok(self.lists.get(list)?.start)
    }

    /// Stages `data` as the list's values of `attribute` (an index or a name). `data` must
    /// cover every vertex of the list exactly: `vertex_count * components` scalars, as
    /// `[f32]`, `[[f32; 2]]`, `[[u8; 4]]` or any `Pod` of that byte length.
    pub fn write<T: Pod>(
        &mut self,
        list: VertexList,
        attribute: impl AttributeKey,
        data: &[T],
    ) -> Result<(), DomainError> {
        self.store.write(*self.lists.get(list)?, attribute, data)
    }

    /// Reads the list's values of `attribute` back from GL (flushing staged writes first).
    pub fn read<T: Pod>(
        &mut self,
        list: VertexList,
        attribute: impl AttributeKey,
    ) -> Result<Vec<T>, DomainError> {
        self.store.read(*self.lists.get(list)?, attribute)
    }

    /// Resizes the list to `new_count` vertices, keeping the first `min(old, new)`. It stays
    /// in place when it can; otherwise its data moves by a GPU copy.
    pub fn resize(&mut self, list: VertexList, new_count: usize) -> Result<(), DomainError> {
        let region = *self.lists.get(list)?;
        let resized = self.store.realloc(region, new_count)?;
        self.ranges.invalidate();
        *self.lists.get_mut(list)? = resized;
        Ok(())
    }

    /// Deletes the list and frees its vertices. Its handle becomes stale.
    pub fn delete(&mut self, list: VertexList) -> Result<(), DomainError> {
        let region = *self.lists.get(list)?;
        self.store.dealloc(region)?;
        self.lists.remove(list)?;
        self.ranges.invalidate();
        Ok(())
    }

    /// Moves the list into `other` (same format, same context) by GPU copies and returns its
    /// handle there; the old handle becomes stale. On error both domains are unchanged.
    pub fn migrate(
        &mut self,
        list: VertexList,
        other: &mut VertexDomain,
    ) -> Result<VertexList, DomainError> {
        let region = *self.lists.get(list)?;
        check_compatible(&self.store, &other.store)?;
        let target = other.store.alloc(region.count)?;
        if let Err(error) = self.store.copy_to(region, &mut other.store, target.start) {
            other.store.dealloc(target)?;
            return Err(error);
        }
        self.store.dealloc(region)?;
        self.lists.remove(list)?;
        self.ranges.invalidate();
        other.ranges.invalidate();
        Ok(other.lists.insert(target))
    }

    /// Sends every staged write to GL (draws do this themselves).
    pub fn flush(&mut self) -> Result<(), DomainError> {
        Ok(self.store.flush()?)
    }

    /// Draws every list with one `glMultiDrawArrays` and returns the number of GL draw calls
    /// issued (1, or 0 when empty; one per range if multi-draw is unavailable).
    ///
    /// GL state touched: binds this domain's VAO and unbinds it after. The program, textures
    /// and blending are the caller's.
    pub fn draw(&mut self, mode: Primitive) -> Result<usize, DomainError> {
        self.store.flush()?;
        let per_list;
        let (firsts, counts) = if mode.is_separable() {
            self.ranges.ranges(self.store.allocator_ref())
        } else {
            per_list = list_ranges(self.lists.values().copied());
            (&per_list.0[..], &per_list.1[..])
        };
        self.store.bind();
        let result = self
            .multi_draw
            .draw_arrays(self.store.gl(), mode.gl_enum(), firsts, counts);
        self.store.unbind();
        Ok(result?)
    }

    /// Draws one list with `glDrawArrays`. GL state touched: as [`draw`](Self::draw).
    pub fn draw_list(&mut self, list: VertexList, mode: Primitive) -> Result<usize, DomainError> {
        let region = *self.lists.get(list)?;
        self.store.flush()?;
        self.store.bind();
        let result = self.multi_draw.draw_arrays(
            self.store.gl(),
            mode.gl_enum(),
            &[region.start as i32],
            &[region.count as i32],
        );
        self.store.unbind();
        Ok(result?)
    }
}

/// Refuses a migration between stores of different formats or contexts.
pub(crate) fn check_compatible(from: &VertexStore, to: &VertexStore) -> Result<(), DomainError> {
    if from.format() != to.format() {
        return Err(DomainError::FormatMismatch {
            from: from.format().clone(),
            to: to.format().clone(),
        });
    }
    if !Rc::ptr_eq(from.gl(), to.gl()) {
        return Err(DomainError::ContextMismatch);
    }
    Ok(())
}

/// One `(first, count)` range per non-empty region, for primitives that must not join.
pub(crate) fn list_ranges(regions: impl Iterator<Item = Region>) -> (Vec<i32>, Vec<i32>) {
    regions
        .filter(|r| r.count > 0)
        .map(|r| (r.start as i32, r.count as i32))
        .unzip()
}

impl std::fmt::Debug for VertexDomain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VertexDomain")
            .field("id", &self.id())
            .field("format", &self.format().to_string())
            .field("capacity", &self.capacity())
            .field("lists", &self.len())
            .finish()
    }
}
