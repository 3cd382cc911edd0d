//! [`Domain`], the public face of a domain of one kind: [`VertexDomain`] (vertices only),
//! [`IndexedVertexDomain`] (vertices and `u32` indices), and their instanced forms
//! [`InstancedVertexDomain`] and [`InstancedIndexedVertexDomain`], whose lists are meshes
//! drawn once per instance. Every method shared by the kinds is written once, over
//! [`DomainCore`]; a kind adds only what is its own, through the traits it implements:
//! [`IndexedKind`] (indices) and [`InstancedKind`] (instances). `create` and `resize`,
//! whose arguments differ between kinds with and without indices, are written once each
//! for both kinds of a family.

use std::marker::PhantomData;
use std::sync::Arc;

use super::core::DomainCore;
use super::handle::{Arrays, DomainId, Indexed, IndexedInstanced, InstanceId, Instanced, ListId};
use super::{AttributeKey, DomainError, Primitive, Resized};
use crate::allocation::Allocator;
use crate::backend::{AttributeData, BufferStats, InstanceDraw, MultiDraw, VertexFormat};
use crate::backend::{Stream, StreamConfig};

/// A kind of domain: the marker its lists' handles carry.
pub trait DomainKind: sealed::Sealed {
    /// Whether lists of this kind have indices.
    const INDEXED: bool;
    /// Whether lists of this kind are meshes drawn once per instance.
    const INSTANCED: bool;
}

/// Kinds whose lists have `u32` indices: [`Indexed`] and [`IndexedInstanced`].
pub trait IndexedKind: DomainKind {}

/// Kinds whose lists are meshes with instances: [`Instanced`] and [`IndexedInstanced`].
pub trait InstancedKind: DomainKind {}

/// Implements the kind traits for a marker.
macro_rules! kind {
    ($marker:ident, $name:literal, indexed: $indexed:literal, instanced: $instanced:literal $(, $extra:ident)*) => {
        impl sealed::Sealed for $marker {
            const DEBUG_NAME: &'static str = $name;
        }
        impl DomainKind for $marker {
            const INDEXED: bool = $indexed;
            const INSTANCED: bool = $instanced;
        }
        $(impl $extra for $marker {})*
    };
}

kind!(Arrays, "VertexDomain", indexed: false, instanced: false);
kind!(Indexed, "IndexedVertexDomain", indexed: true, instanced: false, IndexedKind);
kind!(Instanced, "InstancedVertexDomain", indexed: false, instanced: true, InstancedKind);
kind!(
    IndexedInstanced,
    "InstancedIndexedVertexDomain",
    indexed: true,
    instanced: true,
    IndexedKind,
    InstancedKind
);

mod sealed {
    pub trait Sealed {
        /// The domain type's name, for `Debug`.
        const DEBUG_NAME: &'static str;
    }
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
/// # fn demo(gl: std::sync::Arc<glow::Context>, multi_draw: vertex_domain::backend::MultiDraw)
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

/// Meshes (vertex lists) drawn once per instance, each instance a record of the instance
/// format's attributes (divisor 1, one buffer each, from an allocator of their own).
///
/// A mesh's instances are contiguous, so each mesh draws with one instanced call; see
/// [`InstanceDraw`] for how. Deleting an instance moves the mesh's last instance into its
/// slot; the moved instance keeps its [`InstanceId`].
///
/// ```no_run
/// # fn demo(gl: std::sync::Arc<glow::Context>, multi_draw: vertex_domain::backend::MultiDraw)
/// # -> Result<(), vertex_domain::domain::DomainError> {
/// use vertex_domain::backend::{Attribute, ComponentType, VertexFormat};
/// use vertex_domain::domain::{InstancedVertexDomain, Primitive};
///
/// let mesh = VertexFormat::new(vec![Attribute::new("corner", 0, 2, ComponentType::F32)])?;
/// let each = VertexFormat::new(vec![Attribute::new("offset", 1, 2, ComponentType::F32)])?;
/// let mut domain = InstancedVertexDomain::new(&gl, multi_draw, mesh, each, 16, 64)?;
/// let triangle = domain.create(3)?;
/// domain.write(triangle, "corner", &[[0.0f32, 0.0], [0.1, 0.0], [0.0, 0.1]])?;
/// for i in 0..10 {
///     let instance = domain.add_instance(triangle)?;
///     domain.write_instance(instance, "offset", [i as f32 * 0.1, 0.0f32])?;
/// }
/// domain.draw(Primitive::Triangles)?; // one instanced call for the mesh's 10 instances
/// # Ok(()) }
/// ```
pub type InstancedVertexDomain = Domain<Instanced>;

/// Indexed meshes drawn once per instance: an [`InstancedVertexDomain`] whose meshes have
/// `u32` indices, as in an [`IndexedVertexDomain`].
pub type InstancedIndexedVertexDomain = Domain<IndexedInstanced>;

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

    /// How this domain's staged writes reach GL: its [`Stream`]'s path, frame and
    /// [`StreamStats`](crate::backend::StreamStats) (`stream().stats()`).
    pub fn stream(&self) -> &Stream {
        self.core.stream()
    }

    /// Switches how staged writes reach GL (the path, the frames the CPU may run ahead, the
    /// ring's size), after sending everything staged so far. Fails with
    /// [`GlError::Unsupported`](crate::backend::GlError::Unsupported) for a path the context
    /// lacks, changing nothing.
    pub fn set_stream_config(&mut self, config: StreamConfig) -> Result<(), DomainError> {
        self.core.set_stream_config(config)
    }

    /// Ends a frame of this domain's stream, as [`draw`](Self::draw) does after drawing:
    /// fences the frame's uploads so their staging space can be reused once the GPU is
    /// done with them. Call it once a frame when drawing with [`draw_list`](Self::draw_list)
    /// only; the staging ring grows instead of waiting while it is never called.
    pub fn end_frame(&mut self) -> Result<(), DomainError> {
        self.core.end_frame()
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

    /// Stages `data` as the list's values of `attribute` for its vertices from `first` on:
    /// `data` covers exactly vertices `first..count`, as [`write`](Self::write) covers
    /// them all. For rewriting the tail of a list whose head did not change (the glyphs
    /// after the first changed character of a label). [`DomainError::FirstVertex`] when
    /// `first` is past the list's end.
    pub fn write_from<T: AttributeData>(
        &mut self,
        list: ListId<K>,
        attribute: impl AttributeKey,
        first: usize,
        data: &[T],
    ) -> Result<(), DomainError> {
        self.core.write_from(list, attribute, first, data)
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

    /// Turns the draw order on or off (the default is off): on, the lists of an indexed
    /// domain, or each mesh's instances in an instanced one, draw by ascending z and in
    /// the order they were added where z is equal, whatever slots the allocators gave them;
    /// the live ones start at z 0 in slot order. Off (the default), they draw in allocator
    /// order.
    ///
    /// The order is kept in the data the GPU reads: the index buffer (or each mesh's run of
    /// instance records) is laid out in key order, so an ordered domain still draws in one
    /// multi-draw. Adding on top keeps the layout; any other change (a z changed, a list
    /// placed in a hole, an instance deleted) makes the next draw lay it out again, a sort
    /// and a rewrite of the indices or records from their CPU copies
    /// ([`relayouts`](Self::relayouts) counts them). A domain without indices or
    /// instances is refused with [`DomainError::NotIndexed`]: its order would cost moving
    /// vertices.
    pub fn set_ordered(&mut self, ordered: bool) -> Result<(), DomainError> {
        self.core.set_ordered(ordered)
    }

    /// Whether this domain keeps a draw order ([`set_ordered`](Self::set_ordered)).
    pub fn is_ordered(&self) -> bool {
        self.core.is_ordered()
    }

    /// How many times draws have laid the data out again in key order.
    pub fn relayouts(&self) -> u64 {
        self.core.relayouts()
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
        gl: &Arc<glow::Context>,
        multi_draw: MultiDraw,
        format: VertexFormat,
        capacity: usize,
    ) -> Result<Self, DomainError> {
        DomainCore::new(gl, multi_draw, format, capacity, None, None).map(Self::with_core)
    }
}

impl Domain<Indexed> {
    /// Creates a domain with room for `vertex_capacity` vertices and `index_capacity`
    /// indices (both grow as needed).
    pub fn new(
        gl: &Arc<glow::Context>,
        multi_draw: MultiDraw,
        format: VertexFormat,
        vertex_capacity: usize,
        index_capacity: usize,
    ) -> Result<Self, DomainError> {
        let indices = Some(index_capacity);
        DomainCore::new(gl, multi_draw, format, vertex_capacity, indices, None).map(Self::with_core)
    }
}

impl Domain<Instanced> {
    /// Creates a domain of meshes of `mesh_format` with room for `vertex_capacity` vertices,
    /// and instances of `instance_format` with room for `instance_capacity` (all grow as
    /// needed). The two formats must not share a location.
    pub fn new(
        gl: &Arc<glow::Context>,
        multi_draw: MultiDraw,
        mesh_format: VertexFormat,
        instance_format: VertexFormat,
        vertex_capacity: usize,
        instance_capacity: usize,
    ) -> Result<Self, DomainError> {
        let instances = Some((instance_format, instance_capacity));
        DomainCore::new(
            gl,
            multi_draw,
            mesh_format,
            vertex_capacity,
            None,
            instances,
        )
        .map(Self::with_core)
    }
}

impl Domain<IndexedInstanced> {
    /// Creates a domain of indexed meshes of `mesh_format` and instances of
    /// `instance_format`, with room for the given vertices, indices and instances (all
    /// grow as needed). The two formats must not share a location.
    pub fn new(
        gl: &Arc<glow::Context>,
        multi_draw: MultiDraw,
        mesh_format: VertexFormat,
        instance_format: VertexFormat,
        vertex_capacity: usize,
        index_capacity: usize,
        instance_capacity: usize,
    ) -> Result<Self, DomainError> {
        let instances = Some((instance_format, instance_capacity));
        let indices = Some(index_capacity);
        DomainCore::new(
            gl,
            multi_draw,
            mesh_format,
            vertex_capacity,
            indices,
            instances,
        )
        .map(Self::with_core)
    }
}

/// `create` and `resize` of kinds without indices, whose lists are sized by vertices only.
macro_rules! unindexed_lists {
    ($($kind:ty),*) => {$(
        impl Domain<$kind> {
            /// Creates a list (or mesh) of `count` vertices (contents undefined until
            /// written), growing the buffers when they are full.
            pub fn create(&mut self, count: usize) -> Result<ListId<$kind>, DomainError> {
                self.core.create(count, 0, 0.0)
            }

            /// Resizes the list to `new_count` vertices, keeping the first `min(old, new)`.
            /// It stays in place when it can; otherwise its data moves by a GPU copy. A mesh
            /// keeps its instances.
            pub fn resize(
                &mut self,
                list: ListId<$kind>,
                new_count: usize,
            ) -> Result<Resized, DomainError> {
                self.core.resize(list, new_count, 0)
            }
        }
    )*};
}

unindexed_lists!(Arrays, Instanced);

/// `create` and `resize` of kinds with indices.
macro_rules! indexed_lists {
    ($($kind:ty),*) => {$(
        impl Domain<$kind> {
            /// Creates a list of `vertex_count` vertices and `index_count` indices. Until
            /// written, vertex data is undefined and every index names the list's first
            /// vertex (degenerate primitives).
            pub fn create(
                &mut self,
                vertex_count: usize,
                index_count: usize,
            ) -> Result<ListId<$kind>, DomainError> {
                self.core.create(vertex_count, index_count, 0.0)
            }

            /// Resizes the list to `vertex_count` vertices and `index_count` indices,
            /// keeping the first `min(old, new)` of each. Moved data is copied on the GPU,
            /// and when the vertices move the indices are rewritten for their new position.
            /// Kept indices that name a vertex past the new count, and new indices, name the
            /// list's first vertex.
            ///
            /// Every fallible step (growing either buffer, the GPU copies) runs before
            /// either allocator commits, so on error the list keeps its slots, data and
            /// indices.
            pub fn resize(
                &mut self,
                list: ListId<$kind>,
                vertex_count: usize,
                index_count: usize,
            ) -> Result<Resized, DomainError> {
                self.core.resize(list, vertex_count, index_count)
            }
        }
    )*};
}

indexed_lists!(Indexed, IndexedInstanced);

impl<K: IndexedKind> Domain<K> {
    /// Sets a list's z in an ordered indexed domain ([`set_ordered`](Self::set_ordered)):
    /// from the next draw on it draws above the lists of lower z, and among those of its z
    /// by the order of adding. [`DomainError::NotOrdered`] otherwise (an instanced domain
    /// orders instances, not meshes: [`set_instance_z`](Self::set_instance_z)).
    pub fn set_z(&mut self, list: ListId<K>, z: f32) -> Result<(), DomainError> {
        self.core.set_z(list, z)
    }

    /// A list's z in an ordered indexed domain.
    pub fn z(&mut self, list: ListId<K>) -> Result<f32, DomainError> {
        self.core.z(list)
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

    /// The list's index count.
    pub fn index_count(&self, list: ListId<K>) -> Result<usize, DomainError> {
        Ok(self.core.entry(list)?.indices.count)
    }

    /// The list's first index slot in the index buffer (it changes when the list moves).
    pub fn index_start(&self, list: ListId<K>) -> Result<usize, DomainError> {
        Ok(self.core.entry(list)?.indices.start)
    }

    /// Sets the list's indices, relative to its first vertex: `indices.len()` must equal its
    /// index count, and each must be below its vertex count. They are stored absolute.
    pub fn write_indices(&mut self, list: ListId<K>, indices: &[u32]) -> Result<(), DomainError> {
        self.core.write_indices(list, indices)
    }

    /// Reads the list's indices back from GL and returns them relative to its first vertex
    /// (so a stale absolute index shows up as a wrong value).
    pub fn read_indices(&mut self, list: ListId<K>) -> Result<Vec<u32>, DomainError> {
        self.core.read_indices(list)
    }
}

impl<K: InstancedKind> Domain<K> {
    /// The instance format.
    pub fn instance_format(&self) -> &VertexFormat {
        match self.core.instance_format() {
            Some(format) => format,
            None => unreachable!("an instanced domain's core has an instance part"),
        }
    }

    /// The allocator of instance slots, for inspection.
    pub fn instance_allocator(&self) -> &Allocator {
        match self.core.instance_allocator() {
            Some(allocator) => allocator,
            None => unreachable!("an instanced domain's core has an instance part"),
        }
    }

    /// Live instances of every mesh.
    pub fn instance_total(&self) -> usize {
        self.core.instance_total()
    }

    /// How this domain draws its instances (by default [`MultiDraw::instance_draw`]).
    pub fn instance_draw(&self) -> InstanceDraw {
        self.core.instance_draw().unwrap_or(InstanceDraw::Repoint)
    }

    /// Chooses how this domain draws its instances; a path the context lacks is refused
    /// with [`DomainError::Unsupported`].
    pub fn set_instance_draw(&mut self, path: InstanceDraw) -> Result<(), DomainError> {
        self.core.set_instance_draw(path)
    }

    /// Adds an instance of `mesh`; its record is undefined until written
    /// ([`write_instance`](Self::write_instance)). A full run of the mesh's instances
    /// doubles, in place or moved by a GPU copy; the buffers grow when they are full.
    pub fn add_instance(&mut self, mesh: ListId<K>) -> Result<InstanceId, DomainError> {
        self.core.add_instance(mesh, 0.0)
    }

    /// Sets an instance's z in an ordered domain ([`set_ordered`](Self::set_ordered)): from
    /// the next draw on, a mesh's instances draw by ascending z, and in the order they were
    /// added where z is equal. [`DomainError::NotOrdered`] otherwise.
    pub fn set_instance_z(&mut self, instance: InstanceId, z: f32) -> Result<(), DomainError> {
        self.core.set_instance_z(instance, z)
    }

    /// An instance's z in an ordered domain.
    pub fn instance_z(&mut self, instance: InstanceId) -> Result<f32, DomainError> {
        self.core.instance_z(instance)
    }

    /// Deletes an instance. The mesh's last instance moves into its slot and keeps its id.
    pub fn delete_instance(&mut self, instance: InstanceId) -> Result<(), DomainError> {
        self.core.delete_instance(instance)
    }

    /// The mesh's live instances.
    pub fn instance_count(&self, mesh: ListId<K>) -> Result<usize, DomainError> {
        self.core.instance_count(mesh)
    }

    /// The mesh's instances, in the order they draw.
    pub fn instances(&self, mesh: ListId<K>) -> Result<Vec<InstanceId>, DomainError> {
        self.core.instances_of(mesh)
    }

    /// The mesh an instance belongs to.
    pub fn mesh_of(&self, instance: InstanceId) -> Result<ListId<K>, DomainError> {
        self.core.instance_mesh(instance)
    }

    /// The instance's slot in the instance buffers (it changes when the instance moves).
    pub fn instance_slot(&self, instance: InstanceId) -> Result<usize, DomainError> {
        self.core.instance_slot(instance)
    }

    /// Stages `value` as the instance's `attribute` of the instance format: one whole value
    /// of it (`[f32; 2]` for a 2 × f32 attribute, `[[f32; 4]; 4]` for a `mat4`), else
    /// [`DomainError::AttributeType`].
    #[inline]
    pub fn write_instance<T: AttributeData>(
        &mut self,
        instance: InstanceId,
        attribute: impl AttributeKey,
        value: T,
    ) -> Result<(), DomainError> {
        self.core.write_instance(instance, attribute, &value)
    }

    /// Stages raw bytes as the instance's value of `attribute`, checked by length only.
    pub fn write_instance_bytes(
        &mut self,
        instance: InstanceId,
        attribute: impl AttributeKey,
        bytes: &[u8],
    ) -> Result<(), DomainError> {
        self.core.write_instance_bytes(instance, attribute, bytes)
    }

    /// Reads the instance's value of `attribute` back from GL (it waits for the GPU).
    pub fn read_instance<T: AttributeData>(
        &mut self,
        instance: InstanceId,
        attribute: impl AttributeKey,
    ) -> Result<Vec<T>, DomainError> {
        self.core.read_instance(instance, attribute)
    }

    /// Reads `attribute` of every instance of `mesh` back from GL, in the order of
    /// [`instances`](Self::instances) (it waits for the GPU).
    pub fn read_instances<T: AttributeData>(
        &mut self,
        mesh: ListId<K>,
        attribute: impl AttributeKey,
    ) -> Result<Vec<T>, DomainError> {
        self.core.read_instances(mesh, attribute)
    }

    /// Moves an instance to another `mesh` of this domain, record and all, and returns its
    /// new id; the old one goes stale. On error it keeps its mesh, record and id.
    pub fn move_instance(
        &mut self,
        instance: InstanceId,
        mesh: ListId<K>,
    ) -> Result<InstanceId, DomainError> {
        self.core.move_instance(instance, mesh)
    }

    /// Moves an instance to `mesh` of `other` (same instance format and context), record
    /// and all, and returns its id there; the old id goes stale. On error both domains keep
    /// their instances (`other` may have grown).
    pub fn migrate_instance<L: InstancedKind>(
        &mut self,
        instance: InstanceId,
        other: &mut Domain<L>,
        mesh: ListId<L>,
    ) -> Result<InstanceId, DomainError> {
        self.core.migrate_instance(instance, &mut other.core, mesh)
    }
}

impl<K: DomainKind> std::fmt::Debug for Domain<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(<K as sealed::Sealed>::DEBUG_NAME)
            .field("id", &self.id())
            .field("format", &self.format().to_string())
            .field("vertex_capacity", &self.vertex_capacity())
            .field("lists", &self.len())
            .finish()
    }
}
