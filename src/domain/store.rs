//! [`Store`]: the GL side of a domain, in parts that share one VAO:
//!
//! - the **vertex part** ([`AttributePart`]): one buffer per attribute of the vertex format
//!   and the [`Allocator`] of their vertex slots;
//! - an optional **index part** ([`IndexPart`]): a `u32` index buffer, its allocator and the
//!   relative indices it holds;
//! - an optional **instance part** (an [`AttributePart`] with divisor 1): one buffer per
//!   attribute of the instance format, the allocator of instance slots, and a CPU mirror of
//!   the records (see [`AttributePart::mirror`]).
//!
//! A domain kind is the choice of parts; everything below works on whichever parts a store
//! has. Data flows one way: the store asks the allocators where a list goes and tells the
//! [`GlBuffer`]s what to hold there; the allocators never see GL.
//!
//! # Growing without a half-done state
//!
//! [`Store::reserve`] grows every part that needs it in one step that either completes or
//! changes nothing: each grown buffer is prepared (a new buffer holding a GPU copy of the
//! old one), the VAO is pointed at the new names, and only then are the new buffers
//! committed and the allocators' capacities raised. A failure at any step deletes the
//! prepared buffers and points the VAO back at the buffers it had.

use std::sync::Arc;

use glow::HasContext;

use super::{cast_vec, AttributeKey, DomainError};
use crate::allocation::{AllocError, Allocator};
use crate::backend::fault::{inject, Site};
use crate::backend::{check_clean, check_gl, BufferStats, FormatError, GlBuffer, GlError};
use crate::backend::{
    Attribute, AttributeData, GrownBuffer, ShaderInput, VertexFormat, MAX_BUFFER_BYTES,
};
use crate::backend::{Stream, StreamConfig};

/// Bytes per stored index (`GL_UNSIGNED_INT`).
pub(crate) const INDEX_SIZE: usize = std::mem::size_of::<u32>();

/// A run of slots in an allocator: vertices or indices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Region {
    pub(crate) start: usize,
    pub(crate) count: usize,
}

impl Region {
    pub(crate) fn end(&self) -> usize {
        self.start + self.count
    }
}

/// What an allocator call needs before it can succeed: nothing (`None`), or the capacity
/// it asked for. Any other allocator error is the caller's.
pub(crate) fn capacity_needed(
    planned: Result<usize, AllocError>,
) -> Result<Option<usize>, DomainError> {
    match planned {
        Ok(_) => Ok(None),
        Err(AllocError::OutOfCapacity { requested_capacity }) => Ok(Some(requested_capacity)),
        Err(error) => Err(error.into()),
    }
}

/// Bytes for `slots` slots of `slot_size` bytes, within `limit`.
pub(crate) fn buffer_bytes(slots: usize, slot_size: usize, limit: usize) -> Result<usize, GlError> {
    match slots.checked_mul(slot_size) {
        Some(bytes) if bytes <= limit => Ok(bytes),
        product => Err(GlError::TooLarge {
            requested: product.map_or(u64::MAX, |b| b as u64),
            limit: limit as u64,
        }),
    }
}

/// The index buffer of an indexed domain, its allocator, and the relative indices it holds.
///
/// Invariants: `relative.len() == allocator.capacity()`, and for every live list the buffer
/// holds (after a flush) `relative[i] + first_vertex` at each of the list's index slots `i`.
pub(crate) struct IndexPart {
    pub(crate) buffer: GlBuffer,
    pub(crate) allocator: Allocator,
    pub(crate) relative: Vec<u32>,
}

impl IndexPart {
    /// Stages the absolute form of the relative indices in `indices` for a list whose first
    /// vertex is `first_vertex`. CPU work only.
    pub(crate) fn stage_absolute(
        &mut self,
        indices: Region,
        first_vertex: usize,
    ) -> Result<(), DomainError> {
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

/// What a [`Store::reserve`] must make room for: a slot capacity per part, `None` where
/// that part has room.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Needs {
    pub(crate) vertices: Option<usize>,
    pub(crate) indices: Option<usize>,
    pub(crate) instances: Option<usize>,
}

/// One GL buffer per attribute of a [`VertexFormat`] and the [`Allocator`] of their slots:
/// the vertices of a domain, or its instances.
///
/// Invariants: every buffer holds `allocator.capacity()` slots of its attribute, and so does
/// every mirror buffer when mirrored.
pub(crate) struct AttributePart {
    format: VertexFormat,
    buffers: Vec<GlBuffer>,
    pub(crate) allocator: Allocator,
    /// `glVertexAttribDivisor` of every attribute: 0 per vertex, 1 per instance. A deleted
    /// instance's hole is filled with the last instance of its mesh by a staged copy in the
    /// buffers' mirrors, which joins the frame's other writes, where a GPU copy would cost
    /// one GL call per attribute per deletion.
    divisor: u32,
}

impl AttributePart {
    fn new(
        gl: &Arc<glow::Context>,
        format: VertexFormat,
        capacity: usize,
        divisor: u32,
    ) -> Result<Self, DomainError> {
        let buffers = format
            .attributes()
            .iter()
            .map(|a| {
                let bytes = buffer_bytes(capacity, a.size(), MAX_BUFFER_BYTES)?;
                Ok(GlBuffer::new(gl, bytes)?)
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        Ok(AttributePart {
            format,
            buffers,
            allocator: Allocator::new(capacity),
            divisor,
        })
    }

    pub(crate) fn format(&self) -> &VertexFormat {
        &self.format
    }

    fn names(&self) -> Vec<glow::Buffer> {
        self.buffers.iter().map(GlBuffer::raw).collect()
    }

    /// New buffers of `capacity` slots holding GPU copies of the current ones, not yet
    /// committed.
    fn prepare_grow(
        &self,
        capacity: usize,
        limit: usize,
    ) -> Result<Vec<Option<GrownBuffer>>, DomainError> {
        self.format
            .attributes()
            .iter()
            .zip(&self.buffers)
            .map(|(a, buffer)| Ok(buffer.prepare_grow(buffer_bytes(capacity, a.size(), limit)?)?))
            .collect()
    }

    /// Commits buffers made by [`prepare_grow`](Self::prepare_grow) for `capacity` slots.
    fn commit_grow(
        &mut self,
        grown: Vec<Option<GrownBuffer>>,
        capacity: usize,
        stream: &Stream,
    ) -> Result<(), DomainError> {
        for (buffer, grown) in self.buffers.iter_mut().zip(grown) {
            if let Some(grown) = grown {
                buffer.commit_grow(grown, stream)?;
            }
        }
        let capacity = capacity.max(self.allocator.capacity());
        self.allocator.set_capacity(capacity)?;
        Ok(())
    }

    /// Copies `count` slots of every attribute from slot `src` to slot `dst`, on the GPU
    /// (and in the mirrors). The ranges must not overlap.
    pub(crate) fn copy_within(
        &mut self,
        src: usize,
        dst: usize,
        count: usize,
        stream: &mut Stream,
    ) -> Result<(), DomainError> {
        for (attribute, buffer) in self.format.attributes().iter().zip(&mut self.buffers) {
            let size = attribute.size();
            buffer.copy_within(src * size, dst * size, count * size, stream)?;
        }
        Ok(())
    }

    /// Copies a region's slots into `target` (same format) at `dst_start`, on the GPU.
    pub(crate) fn copy_to(
        &mut self,
        region: Region,
        target: &mut AttributePart,
        dst_start: usize,
        streams: (&mut Stream, &mut Stream),
    ) -> Result<(), DomainError> {
        let (own, theirs) = streams;
        for ((attribute, src), dst) in self
            .format
            .attributes()
            .iter()
            .zip(&mut self.buffers)
            .zip(&mut target.buffers)
        {
            let size = attribute.size();
            src.copy_to(
                region.start * size,
                dst,
                dst_start * size,
                region.count * size,
                (&mut *own, &mut *theirs),
            )?;
        }
        Ok(())
    }

    /// Stages slot `src`'s record of every attribute into slot `dst` of `target` (another
    /// part of the same format), from this part's mirrors. CPU work only.
    pub(crate) fn stage_record(
        &self,
        src: usize,
        target: &mut AttributePart,
        dst: usize,
    ) -> Result<(), DomainError> {
        for (i, (attribute, buffer)) in self
            .format
            .attributes()
            .iter()
            .zip(&self.buffers)
            .enumerate()
        {
            let size = attribute.size();
            let mirror = buffer.mirror();
            target.write_slot_bytes(i, dst, &mirror[src * size..(src + 1) * size])?;
        }
        Ok(())
    }

    /// Stages slot `src`'s record of every attribute into slot `dst` of this part, from its
    /// mirror: how a deleted instance's hole is filled. CPU work only.
    pub(crate) fn move_record(&mut self, src: usize, dst: usize) -> Result<(), DomainError> {
        for (attribute, buffer) in self.format.attributes().iter().zip(&mut self.buffers) {
            let size = attribute.size();
            buffer.stage_copy(src * size, dst * size, size)?;
        }
        Ok(())
    }

    /// Stages, at the slots from `start`, the records of the slots `sources` names in turn
    /// (a permutation of those slots), from the mirrors: how an ordered mesh's instances
    /// are put back in order. `scratch` holds one attribute's records at a time. CPU work
    /// only.
    pub(crate) fn permute(
        &mut self,
        start: usize,
        sources: impl Iterator<Item = usize> + Clone,
        scratch: &mut Vec<u8>,
    ) -> Result<(), DomainError> {
        for (attribute, buffer) in self.format.attributes().iter().zip(&mut self.buffers) {
            let size = attribute.size();
            scratch.clear();
            let mirror = buffer.mirror();
            for source in sources.clone() {
                scratch.extend_from_slice(&mirror[source * size..(source + 1) * size]);
            }
            buffer.write(start * size, scratch)?;
        }
        Ok(())
    }

    /// Stages bytes for attribute `index` at `slot` onwards.
    #[inline(always)]
    fn write_slot_bytes(
        &mut self,
        index: usize,
        slot: usize,
        bytes: &[u8],
    ) -> Result<(), DomainError> {
        let offset = slot * self.format.attributes()[index].size();
        Ok(self.buffers[index].write(offset, bytes)?)
    }

    /// Stages `data` as `attribute` of the region's slots. `T` must match the attribute's
    /// component type, and hold either one slot's components or one component each; `data`
    /// must cover the region's slots exactly. CPU work only.
    #[inline]
    pub(crate) fn write<T: AttributeData>(
        &mut self,
        region: Region,
        attribute: impl AttributeKey,
        data: &[T],
    ) -> Result<(), DomainError> {
        let (index, a) = typed_attribute::<T>(&self.format, attribute)?;
        let components = data.len().saturating_mul(usize::from(T::COUNT));
        let bytes: &[u8] = bytemuck::cast_slice(data);
        // The byte length as well: an `AttributeData` whose constants disagree with its
        // size must not write past the list.
        if components != region.count * a.components() || bytes.len() != region.count * a.size() {
            return Err(DomainError::VertexCount {
                attribute: a.name.clone(),
                expected: region.count,
                per_vertex: a.components() as u8,
                components,
            });
        }
        self.write_slot_bytes(index, region.start, bytes)
    }

    /// Stages `value` as the whole of `attribute` at `slot`: `T` must hold one slot's
    /// components of the attribute's type (`[f32; 2]` for a 2 × f32 attribute). CPU work
    /// only; the hot path of instance writes.
    #[inline]
    pub(crate) fn write_record<T: AttributeData>(
        &mut self,
        slot: usize,
        attribute: impl AttributeKey,
        value: &T,
    ) -> Result<(), DomainError> {
        let (index, a) = typed_attribute::<T>(&self.format, attribute)?;
        // One whole value: a scalar `T` passes the type check only for a 1-component
        // attribute.
        let size = std::mem::size_of::<T>();
        if size != a.size() {
            return Err(attribute_type::<T>(a));
        }
        Ok(self.buffers[index].write_value(slot * size, value)?)
    }

    /// Stages raw bytes as `attribute` of the region's slots; `bytes` must be exactly the
    /// region's slots of that attribute. CPU work only.
    pub(crate) fn write_bytes(
        &mut self,
        region: Region,
        attribute: impl AttributeKey,
        bytes: &[u8],
    ) -> Result<(), DomainError> {
        let index = attribute.index_in(&self.format)?;
        let expected = region.count * self.format.attributes()[index].size();
        if bytes.len() != expected {
            return Err(DomainError::DataLength {
                attribute: self.format.attributes()[index].name.clone(),
                expected,
                got: bytes.len(),
            });
        }
        self.write_slot_bytes(index, region.start, bytes)
    }

    /// Reads `attribute` of the region's slots back from GL (flushing staged writes), as
    /// `T`s of the attribute's component type.
    pub(crate) fn read<T: AttributeData>(
        &mut self,
        region: Region,
        attribute: impl AttributeKey,
        stream: &mut Stream,
    ) -> Result<Vec<T>, DomainError> {
        let (index, a) = typed_attribute::<T>(&self.format, attribute)?;
        let size = a.size();
        let bytes = self.buffers[index].read(region.start * size, region.count * size, stream)?;
        cast_vec(bytes, &a.name)
    }
}

/// Every buffer of a store's parts: the vertex part's, the index buffer, the instance
/// part's. Takes the parts, not the store, so that the store's stream stays free to borrow
/// beside them.
fn buffers_mut<'a>(
    vertex: &'a mut AttributePart,
    index: &'a mut Option<IndexPart>,
    instance: &'a mut Option<AttributePart>,
) -> impl Iterator<Item = &'a mut GlBuffer> {
    let index = index.iter_mut().map(|i| &mut i.buffer);
    let instance = instance.iter_mut().flat_map(|i| i.buffers.iter_mut());
    vertex.buffers.iter_mut().chain(index).chain(instance)
}

/// Points the bound VAO's attributes of `format` at `names` (format order), with
/// `divisor`, starting `base` slots into each buffer. A matrix takes one location per
/// column, each reading its column at the attribute's stride.
///
/// # Safety
/// The VAO to point must be bound, `names` must be live buffers of this context (one per
/// attribute), and every location below `GL_MAX_VERTEX_ATTRIBS`.
unsafe fn point_attributes(
    gl: &glow::Context,
    format: &VertexFormat,
    names: &[glow::Buffer],
    divisor: u32,
    base: usize,
) {
    for (attribute, &buffer) in format.attributes().iter().zip(names) {
        let (kind, stride) = (attribute.component.gl_enum(), attribute.size() as i32);
        let count = i32::from(attribute.count);
        // Offsets fit i32: every buffer is at most i32::MAX bytes and `base` is a slot in it.
        let first = (base * attribute.size()) as i32;
        // SAFETY: this function's contract.
        unsafe { gl.bind_buffer(glow::ARRAY_BUFFER, Some(buffer)) };
        for (column, location) in attribute.locations().enumerate() {
            let offset = first + (column * attribute.column_size()) as i32;
            // SAFETY: this function's contract; each column reads inside its buffer at
            // the attribute's stride.
            unsafe {
                gl.enable_vertex_attrib_array(location);
                match attribute.input {
                    ShaderInput::Integer => {
                        gl.vertex_attrib_pointer_i32(location, count, kind, stride, offset)
                    }
                    input => {
                        let normalized = input == ShaderInput::Normalized;
                        gl.vertex_attrib_pointer_f32(
                            location, count, kind, normalized, stride, offset,
                        )
                    }
                }
                gl.vertex_attrib_divisor(location, divisor);
            }
        }
    }
}

/// The buffer names a VAO points at.
struct Names {
    vertices: Vec<glow::Buffer>,
    element: Option<glow::Buffer>,
    instances: Vec<glow::Buffer>,
}

/// The GL storage of a domain: a vertex part, an optional [`IndexPart`], an optional
/// instance part, and the VAO that points at all of them.
///
/// Invariants: every buffer holds its part's allocator capacity; the VAO names the current
/// buffers, with the instance attributes starting `instance_base` slots in.
pub(crate) struct Store {
    gl: Arc<glow::Context>,
    pub(crate) vertex: AttributePart,
    pub(crate) index: Option<IndexPart>,
    pub(crate) instance: Option<AttributePart>,
    vao: glow::VertexArray,
    /// False after a growth failed and pointing the VAO back at the kept buffers failed
    /// too: the VAO may name deleted buffers, so [`bind`](Store::bind) re-points it first.
    vao_valid: bool,
    /// The instance slot the VAO's instance attributes start at: 0, except while drawing
    /// without base instance ([`Store::point_instances_at`]).
    instance_base: usize,
    max_buffer_bytes: usize,
    /// How staged writes reach every buffer of the store (and the instance table's
    /// indirect commands).
    pub(crate) stream: Stream,
}

impl Store {
    /// Creates the buffers for `vertex_capacity` vertices (and `index_capacity` indices, and
    /// `instances.1` instances of format `instances.0`, when given) and the VAO. Nothing is
    /// leaked on failure: every object made so far is deleted.
    pub(crate) fn new(
        gl: &Arc<glow::Context>,
        format: VertexFormat,
        vertex_capacity: usize,
        index_capacity: Option<usize>,
        instances: Option<(VertexFormat, usize)>,
    ) -> Result<Self, DomainError> {
        check_clean(gl, "domain creation")?;
        if let Some((instance_format, _)) = &instances {
            check_disjoint(&format, instance_format)?;
        }
        // SAFETY: a plain query on the current context.
        let max_attribs = unsafe { gl.get_parameter_i32(glow::MAX_VERTEX_ATTRIBS) }.max(0) as u32;
        let mut attributes = format.attributes().iter();
        let mut all = attributes.by_ref().chain(
            instances
                .iter()
                .flat_map(|(instance_format, _)| instance_format.attributes()),
        );
        if let Some(a) = all.find(|a| a.locations().end > max_attribs) {
            return Err(FormatError::LocationOutOfRange {
                name: a.name.clone(),
                location: a.locations().end - 1,
                max: max_attribs,
            }
            .into());
        }
        let vertex = AttributePart::new(gl, format, vertex_capacity, 0)?;
        let index = index_capacity
            .map(|capacity| {
                let bytes = buffer_bytes(capacity, INDEX_SIZE, MAX_BUFFER_BYTES)?;
                Ok::<_, DomainError>(IndexPart {
                    buffer: GlBuffer::new_index(gl, bytes)?,
                    allocator: Allocator::new(capacity),
                    relative: vec![0; capacity],
                })
            })
            .transpose()?;
        let instance = instances
            .map(|(format, capacity)| AttributePart::new(gl, format, capacity, 1))
            .transpose()?;
        let stream = Stream::new(gl, StreamConfig::default())?;
        // SAFETY: plain object creation on the current context.
        let vao = unsafe { gl.create_vertex_array() }.map_err(|message| GlError::Create {
            object: "vertex array",
            message,
        })?;
        // From here on, dropping `store` deletes the VAO and every buffer.
        let store = Store {
            gl: Arc::clone(gl),
            vertex,
            index,
            instance,
            vao,
            vao_valid: true,
            instance_base: 0,
            max_buffer_bytes: MAX_BUFFER_BYTES,
            stream,
        };
        store.point_vao(&store.names())?;
        Ok(store)
    }

    pub(crate) fn gl(&self) -> &Arc<glow::Context> {
        &self.gl
    }

    pub(crate) fn format(&self) -> &VertexFormat {
        &self.vertex.format
    }

    pub(crate) fn max_buffer_bytes(&self) -> usize {
        self.max_buffer_bytes
    }

    pub(crate) fn set_max_buffer_bytes(&mut self, limit: usize) {
        self.max_buffer_bytes = limit.min(MAX_BUFFER_BYTES);
    }

    /// The index part; only indexed domains reach for it.
    pub(crate) fn index_mut(&mut self) -> Result<&mut IndexPart, DomainError> {
        Ok(self.index_and_stream()?.0)
    }

    /// The index part and the stream its buffer flushes through.
    pub(crate) fn index_and_stream(
        &mut self,
    ) -> Result<(&mut IndexPart, &mut Stream), DomainError> {
        match &mut self.index {
            Some(part) => Ok((part, &mut self.stream)),
            None => Err(DomainError::NotIndexed),
        }
    }

    /// The instance part and the stream its buffers flush through.
    #[inline]
    pub(crate) fn instances_and_stream(
        &mut self,
    ) -> Result<(&mut AttributePart, &mut Stream), DomainError> {
        match &mut self.instance {
            Some(part) => Ok((part, &mut self.stream)),
            None => Err(DomainError::NotInstanced),
        }
    }

    /// The instance part; only instanced domains reach for it.
    #[inline]
    pub(crate) fn instance_mut(&mut self) -> Result<&mut AttributePart, DomainError> {
        Ok(self.instances_and_stream()?.0)
    }

    /// The names of the current buffers.
    fn names(&self) -> Names {
        Names {
            vertices: self.vertex.names(),
            element: self.index.as_ref().map(|i| i.buffer.raw()),
            instances: self
                .instance
                .as_ref()
                .map_or_else(Vec::new, AttributePart::names),
        }
    }

    /// Points the VAO at `names`, instance attributes from slot 0. Integer attributes read
    /// as integers go through `glVertexAttribIPointer`, every other one through
    /// `glVertexAttribPointer`.
    ///
    /// GL state touched: binds and unbinds the VAO and `GL_ARRAY_BUFFER`; inside the VAO,
    /// the attribute arrays, their divisors and `GL_ELEMENT_ARRAY_BUFFER`.
    fn point_vao(&self, names: &Names) -> Result<(), GlError> {
        let gl = &self.gl;
        check_clean(gl, "point vertex array at buffers")?;
        // SAFETY: the VAO and buffers are live objects of this context, bound here; every
        // location was checked against GL_MAX_VERTEX_ATTRIBS when the store was made.
        unsafe {
            gl.bind_vertex_array(Some(self.vao));
            let vertex = &self.vertex;
            point_attributes(gl, &vertex.format, &names.vertices, vertex.divisor, 0);
            if let Some(instance) = &self.instance {
                let divisor = instance.divisor;
                point_attributes(gl, &instance.format, &names.instances, divisor, 0);
            }
            gl.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, names.element);
            gl.bind_vertex_array(None);
            gl.bind_buffer(glow::ARRAY_BUFFER, None);
        }
        inject(gl, Site::PointVao);
        check_gl(gl, "point vertex array at buffers")
    }

    /// Points the bound VAO's instance attributes `base` slots into their buffers: how a
    /// mesh's instances are drawn where GL has no base instance (GLES 3). The VAO must be
    /// bound ([`bind`](Self::bind)). GL state touched: `GL_ARRAY_BUFFER` (left unbound) and
    /// the VAO's instance attribute pointers.
    pub(crate) fn point_instances_at(&mut self, base: usize) {
        if let Some(instance) = &self.instance {
            if base != self.instance_base {
                // SAFETY: the VAO is bound (this function's contract, kept by its callers,
                // the draws), the buffers are live, and `base` is a slot inside them.
                unsafe {
                    let (format, divisor) = (&instance.format, instance.divisor);
                    point_attributes(&self.gl, format, &instance.names(), divisor, base);
                    self.gl.bind_buffer(glow::ARRAY_BUFFER, None);
                }
                self.instance_base = base;
            }
        }
    }

    /// Makes room for the capacities in `needs`, growing each part that needs it to the
    /// next power of two at or above its request, all in one step: on error no buffer,
    /// allocator or VAO binding has changed.
    pub(crate) fn reserve(&mut self, needs: Needs) -> Result<(), DomainError> {
        let grow_to = |request: Option<usize>| {
            request
                .map(|r| r.checked_next_power_of_two().ok_or(AllocError::Overflow))
                .transpose()
        };
        let vertex_target = grow_to(needs.vertices)?;
        let index_target = grow_to(needs.indices)?;
        let instance_target = grow_to(needs.instances)?;
        if vertex_target.is_none() && index_target.is_none() && instance_target.is_none() {
            return Ok(());
        }
        let limit = self.max_buffer_bytes;
        let grown_vertices = match vertex_target {
            Some(capacity) => self.vertex.prepare_grow(capacity, limit)?,
            None => Vec::new(),
        };
        let grown_index = match (index_target, &self.index) {
            (Some(capacity), Some(index)) => index
                .buffer
                .prepare_grow(buffer_bytes(capacity, INDEX_SIZE, limit)?)?,
            (Some(_), None) => return Err(DomainError::NotIndexed),
            _ => None,
        };
        let grown_instances = match (instance_target, &self.instance) {
            (Some(capacity), Some(instance)) => instance.prepare_grow(capacity, limit)?,
            (Some(_), None) => return Err(DomainError::NotInstanced),
            _ => Vec::new(),
        };
        // Point the VAO at the new buffers before committing to them.
        let old = self.names();
        let pick = |old: &[glow::Buffer], grown: &[Option<GrownBuffer>]| -> Vec<glow::Buffer> {
            old.iter()
                .enumerate()
                .map(|(i, &name)| match grown.get(i) {
                    Some(Some(grown)) => grown.raw(),
                    _ => name,
                })
                .collect()
        };
        let new = Names {
            vertices: pick(&old.vertices, &grown_vertices),
            element: grown_index.as_ref().map(GrownBuffer::raw).or(old.element),
            instances: pick(&old.instances, &grown_instances),
        };
        if let Err(error) = self.point_vao(&new) {
            // Back to the buffers it had; the prepared ones are deleted as they drop. If
            // even this fails, the VAO may name deleted buffers: it is marked, and the next
            // bind for drawing re-points it before anything reads through it.
            self.vao_valid = self.point_vao(&old).is_ok();
            return Err(error.into());
        }
        self.instance_base = 0;
        // Each grown buffer was prepared from the buffer it commits to, so these succeed.
        if let Some(capacity) = vertex_target {
            self.vertex
                .commit_grow(grown_vertices, capacity, &self.stream)?;
        }
        if let (Some(capacity), Some(index)) = (index_target, self.index.as_mut()) {
            if let Some(grown) = grown_index {
                index.buffer.commit_grow(grown, &self.stream)?;
            }
            let capacity = capacity.max(index.allocator.capacity());
            index.allocator.set_capacity(capacity)?;
            index.relative.resize(capacity, 0);
        }
        if let (Some(capacity), Some(instance)) = (instance_target, self.instance.as_mut()) {
            instance.commit_grow(grown_instances, capacity, &self.stream)?;
        }
        Ok(())
    }

    /// Binds the VAO for drawing, first pointing it at the current buffers again if a
    /// failed growth left it unsure. GL state touched: the vertex array binding (and, when
    /// re-pointing, what [`point_vao`](Self::point_vao) touches).
    pub(crate) fn bind(&mut self) -> Result<(), GlError> {
        if !self.vao_valid {
            self.point_vao(&self.names())?;
            self.vao_valid = true;
            self.instance_base = 0;
        }
        // The draws about to be issued read every buffer of the store.
        let (vertex, index, instance) = (&mut self.vertex, &mut self.index, &mut self.instance);
        buffers_mut(vertex, index, instance).for_each(|b| b.mark_drawn(&self.stream));
        // SAFETY: the VAO is a live object of this context.
        unsafe { self.gl.bind_vertex_array(Some(self.vao)) };
        Ok(())
    }

    /// Unbinds any VAO. GL state touched: the vertex array binding.
    pub(crate) fn unbind(&self) {
        // SAFETY: unbinding is always valid.
        unsafe { self.gl.bind_vertex_array(None) };
    }

    /// Sends every staged write to GL. A buffer whose flush fails keeps its writes staged
    /// (a later flush sends them), so nothing is lost.
    pub(crate) fn flush(&mut self) -> Result<(), GlError> {
        let (vertex, index, instance) = (&mut self.vertex, &mut self.index, &mut self.instance);
        buffers_mut(vertex, index, instance).try_for_each(|b| b.flush(&mut self.stream))
    }

    /// Ends a frame of this store's stream ([`Stream::end_frame`]): what a draw of every
    /// list does last.
    pub(crate) fn end_frame(&mut self) -> Result<(), GlError> {
        self.stream.end_frame()
    }

    /// Switches the stream to `config` after sending everything staged through the
    /// current one. On error nothing changed.
    pub(crate) fn set_stream_config(&mut self, config: StreamConfig) -> Result<(), DomainError> {
        self.flush()?;
        Ok(self.stream.reconfigure(config)?)
    }

    /// The sum of every buffer's statistics.
    pub(crate) fn stats(&self) -> BufferStats {
        let index = self.index.iter().map(|i| &i.buffer);
        let instance = self.instance.iter().flat_map(|i| &i.buffers);
        (self.vertex.buffers.iter().chain(index).chain(instance))
            .map(GlBuffer::stats)
            .fold(BufferStats::default(), |a, b| a + b)
    }

    /// The GL names of the vertex attribute buffers (format order), then the index buffer,
    /// then the instance attribute buffers.
    pub(crate) fn buffer_names(&self) -> Vec<glow::Buffer> {
        let names = self.names();
        names
            .vertices
            .into_iter()
            .chain(names.element)
            .chain(names.instances)
            .collect()
    }
}

/// Refuses a mesh format and an instance format that share a location.
fn check_disjoint(mesh: &VertexFormat, instances: &VertexFormat) -> Result<(), FormatError> {
    match mesh.shared_location(instances) {
        None => Ok(()),
        Some(location) => {
            let holder = |format: &VertexFormat| -> String {
                format
                    .attributes()
                    .iter()
                    .find(|a: &&Attribute| a.locations().contains(&location))
                    .map_or_else(String::new, |a| a.name.clone())
            };
            Err(FormatError::DuplicateLocation {
                location,
                first: holder(mesh),
                second: holder(instances),
            })
        }
    }
}

/// The index and attribute that `key` names in `format`, refusing a `T` whose component
/// type is not the attribute's, or whose count is neither 1 nor the attribute's.
#[inline]
fn typed_attribute<T: AttributeData>(
    format: &VertexFormat,
    key: impl AttributeKey,
) -> Result<(usize, &crate::backend::Attribute), DomainError> {
    let index = key.index_in(format)?;
    let a = &format.attributes()[index];
    if T::COMPONENT != a.component || (usize::from(T::COUNT) != a.components() && T::COUNT != 1) {
        return Err(attribute_type::<T>(a));
    }
    Ok((index, a))
}

/// The error of a write or read whose `T` does not fit attribute `a`.
#[cold]
fn attribute_type<T: AttributeData>(a: &Attribute) -> DomainError {
    DomainError::AttributeType {
        attribute: a.name.clone(),
        expected: (a.components() as u8, a.component),
        got: (T::COUNT, T::COMPONENT),
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        // SAFETY: the VAO is ours; the buffers delete themselves after this.
        unsafe { self.gl.delete_vertex_array(self.vao) };
    }
}
