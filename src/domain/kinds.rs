//! [`Domain`], the public face of a domain of one kind: [`VertexDomain`] (vertices only) and
//! [`IndexedVertexDomain`] (vertices and `u32` indices). Every method shared by the kinds is
//! written once, over [`DomainCore`]; each kind adds only what is its own (how a list is
//! created and resized, and its indices).

use std::marker::PhantomData;
use std::rc::Rc;

use super::core::DomainCore;
use super::handle::{Arrays, DomainId, Indexed, ListId};
use super::{AttributeKey, DomainError, Primitive};
use crate::allocation::Allocator;
use crate::backend::{AttributeData, BufferStats, MultiDraw, VertexFormat};

/// A kind of domain: the marker its lists' handles carry.
pub trait DomainKind: sealed::Sealed {
    /// Whether lists of this kind have indices.
    const INDEXED: bool;
}

impl DomainKind for Arrays {
    const INDEXED: bool = false;
}

impl DomainKind for Indexed {
    const INDEXED: bool = true;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Arrays {}
    impl Sealed for super::Indexed {}
}

/// Vertex lists of one [`VertexFormat`] sharing one buffer per attribute (and, for
/// [`IndexedVertexDomain`], one index buffer), drawn in one multi-draw.
///
/// Every method either completes or leaves every list, its data and its handle as they were
/// (see the [module docs](super)); only the buffers may have grown.
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
pub struct Domain<K: DomainKind> {
    core: DomainCore,
    kind: PhantomData<fn() -> K>,
}

/// Non-indexed vertex lists, drawn with one `glMultiDrawArrays`.
pub type VertexDomain = Domain<Arrays>;

/// Vertex lists with `u32` indices, drawn with one `glMultiDrawElements`.
///
/// Indices are given relative to their list and stored absolute (offset by the list's first
/// vertex), so the aggregate index regions of many lists draw as one range each. When a
/// list's vertices move (resize, migrate), its indices are rewritten; pyglet's
/// `IndexedVertexList.resize` forgets this and leaves stale indices. A CPU copy of the
/// relative indices (4 bytes per index) makes the rewrite a staged write instead of a GPU
/// readback, which would stall the pipeline.
pub type IndexedVertexDomain = Domain<Indexed>;

impl<K: DomainKind> Domain<K> {
    fn with_core(core: DomainCore) -> Self {
        Domain {
            core,
            kind: PhantomData,
        }
    }

    /// This domain's id, which its lists' handles carry.
    pub fn id(&self) -> DomainId {
        self.core.id()
    }

    /// The vertex format.
    pub fn format(&self) -> &VertexFormat {
        self.core.format()
    }

    /// Vertex slots in every attribute buffer.
    pub fn vertex_capacity(&self) -> usize {
        self.core.vertex_allocator().capacity()
    }

    /// Live lists.
    pub fn len(&self) -> usize {
        self.core.len()
    }

    /// Whether no list is live.
    pub fn is_empty(&self) -> bool {
        self.core.len() == 0
    }

    /// The allocator of vertex slots, for inspection (regions, fragmentation).
    pub fn vertex_allocator(&self) -> &Allocator {
        self.core.vertex_allocator()
    }

    /// What the buffers have sent to GL: uploads, GPU copies, growths.
    pub fn stats(&self) -> BufferStats {
        self.core.stats()
    }

    /// The GL names of the attribute buffers (format order), then the index buffer when
    /// indexed. They change when the domain grows.
    pub fn buffer_names(&self) -> Vec<glow::Buffer> {
        self.core.buffer_names()
    }

    /// Caps every buffer of this domain at `limit` bytes (at most
    /// [`MAX_BUFFER_BYTES`](crate::backend::MAX_BUFFER_BYTES)). Growth past it fails with
    /// [`GlError::TooLarge`](crate::backend::GlError::TooLarge) and changes nothing.
    pub fn set_max_buffer_bytes(&mut self, limit: usize) {
        self.core.set_max_buffer_bytes(limit);
    }

    /// The cap set by [`set_max_buffer_bytes`](Self::set_max_buffer_bytes).
    pub fn max_buffer_bytes(&self) -> usize {
        self.core.max_buffer_bytes()
    }

    /// The list's vertex count.
    pub fn vertex_count(&self, list: ListId<K>) -> Result<usize, DomainError> {
        Ok(self.core.entry(list)?.vertices.count)
    }

    /// The list's first vertex in the buffers (it changes when the list moves).
    pub fn start(&self, list: ListId<K>) -> Result<usize, DomainError> {
        Ok(self.core.entry(list)?.vertices.start)
    }

    /// Stages `data` as the list's values of `attribute` (an index or a name).
    ///
    /// `T` must hold the attribute's component type ([`AttributeData`]): either one
    /// vertex's components (`[f32; 2]` for a 2 × f32 attribute) or one component each
    /// (`f32`, two per vertex). `data` must cover every vertex of the list exactly.
    /// Otherwise: [`DomainError::AttributeType`] or [`DomainError::VertexCount`], and
    /// nothing is staged.
    pub fn write<T: AttributeData>(
        &mut self,
        list: ListId<K>,
        attribute: impl AttributeKey,
        data: &[T],
    ) -> Result<(), DomainError> {
        self.core.write(list, attribute, data)
    }

    /// Stages raw bytes as the list's values of `attribute`, checked by length only: for
    /// data whose type the crate cannot see (a vertex struct's field, bytes from a file).
    pub fn write_bytes(
        &mut self,
        list: ListId<K>,
        attribute: impl AttributeKey,
        bytes: &[u8],
    ) -> Result<(), DomainError> {
        self.core.write_bytes(list, attribute, bytes)
    }

    /// Reads the list's values of `attribute` back from GL (flushing staged writes first),
    /// as `T`s of the attribute's component type (see [`write`](Self::write)). It waits for
    /// the GPU: for tools and tests, not for frames.
    pub fn read<T: AttributeData>(
        &mut self,
        list: ListId<K>,
        attribute: impl AttributeKey,
    ) -> Result<Vec<T>, DomainError> {
        self.core.read(list, attribute)
    }

    /// Deletes the list and frees its slots. Its handle becomes stale.
    pub fn delete(&mut self, list: ListId<K>) -> Result<(), DomainError> {
        self.core.delete(list)
    }

    /// Moves the list into `other` (same format, same context) by GPU copies and returns its
    /// handle there; the old handle becomes stale. Indices are rewritten for their new first
    /// vertex. On error both domains keep their lists and data (`other` may have grown).
    pub fn migrate(
        &mut self,
        list: ListId<K>,
        other: &mut Domain<K>,
    ) -> Result<ListId<K>, DomainError> {
        self.core.migrate(list, &mut other.core)
    }

    /// Sends every staged write to GL (draws do this themselves). A buffer whose flush fails
    /// keeps its writes staged for the next flush.
    pub fn flush(&mut self) -> Result<(), DomainError> {
        self.core.flush()
    }

    /// Draws every list with one multi-draw and returns the number of GL draw calls issued
    /// (1, or 0 when empty; one per range if multi-draw is unavailable). Strips, fans and
    /// loops draw one range per list.
    ///
    /// Points, lines and triangles are drawn as one range per aggregate region, so a list
    /// that is not whole primitives would join the next list's vertices: the draw is then
    /// refused with [`DomainError::PartialPrimitives`] and draws nothing.
    ///
    /// GL state touched: binds this domain's VAO and unbinds it after. The program,
    /// textures and blending are the caller's.
    pub fn draw(&mut self, mode: Primitive) -> Result<usize, DomainError> {
        self.core.draw(mode)
    }

    /// Draws one list (refused with [`DomainError::PartialPrimitive`] when it is not whole
    /// primitives of `mode`). GL state touched: as [`draw`](Self::draw).
    pub fn draw_list(&mut self, list: ListId<K>, mode: Primitive) -> Result<usize, DomainError> {
        self.core.draw_list(list, mode)
    }
}

impl Domain<Arrays> {
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
        DomainCore::new(gl, multi_draw, format, capacity, None).map(Self::with_core)
    }

    /// Creates a list of `count` vertices (contents undefined until written), growing the
    /// buffers when they are full.
    pub fn create(&mut self, count: usize) -> Result<ListId<Arrays>, DomainError> {
        self.core.create(count, 0)
    }

    /// Resizes the list to `new_count` vertices, keeping the first `min(old, new)`. It stays
    /// in place when it can; otherwise its data moves by a GPU copy.
    pub fn resize(&mut self, list: ListId<Arrays>, new_count: usize) -> Result<(), DomainError> {
        self.core.resize(list, new_count, 0)
    }
}

impl Domain<Indexed> {
    /// Creates a domain with room for `vertex_capacity` vertices and `index_capacity`
    /// indices (both grow as needed).
    pub fn new(
        gl: &Rc<glow::Context>,
        multi_draw: MultiDraw,
        format: VertexFormat,
        vertex_capacity: usize,
        index_capacity: usize,
    ) -> Result<Self, DomainError> {
        DomainCore::new(
            gl,
            multi_draw,
            format,
            vertex_capacity,
            Some(index_capacity),
        )
        .map(Self::with_core)
    }

    /// Index slots in the index buffer.
    pub fn index_capacity(&self) -> usize {
        self.index_allocator().capacity()
    }

    /// The allocator of index slots, for inspection.
    pub fn index_allocator(&self) -> &Allocator {
        match self.core.index_allocator() {
            Some(allocator) => allocator,
            None => unreachable!("an indexed domain's core has an index part"),
        }
    }

    /// Creates a list of `vertex_count` vertices and `index_count` indices. Until written,
    /// vertex data is undefined and every index names the list's first vertex (degenerate
    /// primitives).
    pub fn create(
        &mut self,
        vertex_count: usize,
        index_count: usize,
    ) -> Result<ListId<Indexed>, DomainError> {
        self.core.create(vertex_count, index_count)
    }

    /// The list's index count.
    pub fn index_count(&self, list: ListId<Indexed>) -> Result<usize, DomainError> {
        Ok(self.core.entry(list)?.indices.count)
    }

    /// The list's first index slot in the index buffer (it changes when the list moves).
    pub fn index_start(&self, list: ListId<Indexed>) -> Result<usize, DomainError> {
        Ok(self.core.entry(list)?.indices.start)
    }

    /// Sets the list's indices, relative to its first vertex: `indices.len()` must equal its
    /// index count, and each must be below its vertex count. They are stored absolute.
    pub fn write_indices(
        &mut self,
        list: ListId<Indexed>,
        indices: &[u32],
    ) -> Result<(), DomainError> {
        self.core.write_indices(list, indices)
    }

    /// Reads the list's indices back from GL and returns them relative to its first vertex
    /// (so a stale absolute index shows up as a wrong value).
    pub fn read_indices(&mut self, list: ListId<Indexed>) -> Result<Vec<u32>, DomainError> {
        self.core.read_indices(list)
    }

    /// Resizes the list to `vertex_count` vertices and `index_count` indices, keeping the
    /// first `min(old, new)` of each. Moved data is copied on the GPU, and when the vertices
    /// move the indices are rewritten for their new position. Kept indices that name a
    /// vertex past the new count, and new indices, name the list's first vertex.
    ///
    /// Every fallible step (growing either buffer, the GPU copies) runs before either
    /// allocator commits, so on error the list keeps its slots, data and indices.
    pub fn resize(
        &mut self,
        list: ListId<Indexed>,
        vertex_count: usize,
        index_count: usize,
    ) -> Result<(), DomainError> {
        self.core.resize(list, vertex_count, index_count)
    }
}

impl<K: DomainKind> std::fmt::Debug for Domain<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(if K::INDEXED {
            "IndexedVertexDomain"
        } else {
            "VertexDomain"
        })
        .field("id", &self.id())
        .field("format", &self.format().to_string())
        .field("vertex_capacity", &self.vertex_capacity())
        .field("lists", &self.len())
        .finish()
    }
}
