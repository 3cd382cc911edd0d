//! The machinery both domain kinds share: the grow-and-retry protocol ([`Growable`]) and
//! [`VertexStore`], one buffer per attribute plus the allocator of vertex slots and the VAO
//! that points at the buffers.
//!
//! Data flows one way: the store asks the [`Allocator`] where a list goes, and tells the
//! [`GlBuffer`]s what to hold there; the allocator never sees GL.

use std::rc::Rc;

use glow::HasContext;

use bytemuck::Pod;

use super::{cast_vec, AttributeKey, DomainError};
use crate::allocation::{AllocError, Allocator};
use crate::backend::{check_gl, BufferStats, FormatError, GlBuffer, GlError, VertexFormat};
use crate::backend::{GrownBuffer, MAX_BUFFER_BYTES};

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

/// Something backed by an [`Allocator`] whose buffers can grow: applies the seed's protocol.
pub(crate) trait Growable {
    /// The allocator of slots.
    fn allocator(&mut self) -> &mut Allocator;

    /// Grows every buffer to `capacity` slots, then the allocator. All or nothing: on error
    /// the buffers and the allocator are as before.
    fn grow_to(&mut self, capacity: usize) -> Result<(), DomainError>;

    /// Runs `op`; when it reports `OutOfCapacity`, grows to the next power of two at or above
    /// the requested capacity and runs it once more, which the allocator guarantees to pass.
    fn with_growth<T>(
        &mut self,
        mut op: impl FnMut(&mut Allocator) -> Result<T, AllocError>,
    ) -> Result<T, DomainError> {
        match op(self.allocator()) {
            Err(AllocError::OutOfCapacity { requested_capacity }) => {
                let capacity = requested_capacity
                    .checked_next_power_of_two()
                    .ok_or(AllocError::Overflow)?;
                self.grow_to(capacity)?;
                Ok(op(self.allocator())?)
            }
            result => Ok(result?),
        }
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

/// Prepares every buffer's growth to `capacity` slots (of each buffer's own slot size);
/// returns the grown copies in order, or the first error with every copy already deleted.
pub(crate) fn prepare_all<'a>(
    buffers: impl Iterator<Item = (&'a GlBuffer, usize)>,
    capacity: usize,
    limit: usize,
) -> Result<Vec<Option<GrownBuffer>>, DomainError> {
    buffers
        .map(|(buffer, slot_size)| {
            let bytes = buffer_bytes(capacity, slot_size, limit)?;
            Ok(buffer.prepare_grow(bytes)?)
        })
        .collect()
}

/// One GL buffer per attribute of a [`VertexFormat`], the [`Allocator`] of their vertex
/// slots, and the VAO that points at them (and at an index buffer, when one is attached).
///
/// Invariant: every buffer holds `allocator.capacity()` vertices of its attribute, and the
/// VAO names the current buffers.
pub(crate) struct VertexStore {
    gl: Rc<glow::Context>,
    format: VertexFormat,
    buffers: Vec<GlBuffer>,
    allocator: Allocator,
    vao: glow::VertexArray,
    element_buffer: Option<glow::Buffer>,
    max_buffer_bytes: usize,
}

impl VertexStore {
    /// Creates the buffers for `capacity` vertices and the VAO.
    pub(crate) fn new(
        gl: Rc<glow::Context>,
        format: VertexFormat,
        capacity: usize,
    ) -> Result<Self, DomainError> {
        // SAFETY: a plain query on the current context.
        let max_attribs = unsafe { gl.get_parameter_i32(glow::MAX_VERTEX_ATTRIBS) }.max(0) as u32;
        if let Some(a) = format
            .attributes()
            .iter()
            .find(|a| a.location >= max_attribs)
        {
            return Err(FormatError::LocationOutOfRange {
                name: a.name.clone(),
                location: a.location,
                max: max_attribs,
            }
            .into());
        }
        let buffers = format
            .attributes()
            .iter()
            .map(|a| {
                let bytes = buffer_bytes(capacity, a.size(), MAX_BUFFER_BYTES)?;
                Ok(GlBuffer::new(Rc::clone(&gl), bytes)?)
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        // SAFETY: plain object creation on the current context.
        let vao = unsafe { gl.create_vertex_array() }.map_err(|message| GlError::Create {
            object: "vertex array",
            message,
        })?;
        let store = VertexStore {
            gl,
            format,
            buffers,
            allocator: Allocator::new(capacity),
            vao,
            element_buffer: None,
            max_buffer_bytes: MAX_BUFFER_BYTES,
        };
        store.point_vao()?;
        Ok(store)
    }

    pub(crate) fn gl(&self) -> &Rc<glow::Context> {
        &self.gl
    }

    pub(crate) fn format(&self) -> &VertexFormat {
        &self.format
    }

    pub(crate) fn capacity(&self) -> usize {
        self.allocator.capacity()
    }

    pub(crate) fn allocator_ref(&self) -> &Allocator {
        &self.allocator
    }

    pub(crate) fn max_buffer_bytes(&self) -> usize {
        self.max_buffer_bytes
    }

    pub(crate) fn set_max_buffer_bytes(&mut self, limit: usize) {
        self.max_buffer_bytes = limit.min(MAX_BUFFER_BYTES);
    }

    /// Attaches an index buffer to the VAO (indexed domains), or detaches it.
    pub(crate) fn set_element_buffer(
        &mut self,
        buffer: Option<glow::Buffer>,
    ) -> Result<(), GlError> {
        self.element_buffer = buffer;
        self.point_vao()
    }

    /// Points the VAO at the current buffers.
    ///
    /// GL state touched: binds and unbinds the VAO and `GL_ARRAY_BUFFER`; inside the VAO,
    /// the attribute arrays and `GL_ELEMENT_ARRAY_BUFFER`.
    fn point_vao(&self) -> Result<(), GlError> {
        let gl = &self.gl;
        // SAFETY: the VAO and buffers are live objects of this context; each attribute
        // reads its own tightly packed buffer from offset 0, and the location was checked
        // against GL_MAX_VERTEX_ATTRIBS.
        unsafe {
            gl.bind_vertex_array(Some(self.vao));
            for (attribute, buffer) in self.format.attributes().iter().zip(&self.buffers) {
                gl.bind_buffer(glow::ARRAY_BUFFER, Some(buffer.raw()));
                gl.enable_vertex_attrib_array(attribute.location);
                gl.vertex_attrib_pointer_f32(
                    attribute.location,
                    i32::from(attribute.count),
                    attribute.component.gl_enum(),
                    attribute.normalized,
                    attribute.size() as i32,
                    0,
                );
            }
            gl.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, self.element_buffer);
            gl.bind_vertex_array(None);
            gl.bind_buffer(glow::ARRAY_BUFFER, None);
        }
        check_gl(gl, "point vertex array at buffers")
    }

    /// Binds the VAO for drawing. GL state touched: the vertex array binding.
    pub(crate) fn bind(&self) {
        // SAFETY: the VAO is a live object of this context.
        unsafe { self.gl.bind_vertex_array(Some(self.vao)) };
    }

    /// Unbinds any VAO. GL state touched: the vertex array binding.
    pub(crate) fn unbind(&self) {
        // SAFETY: unbinding is always valid.
        unsafe { self.gl.bind_vertex_array(None) };
    }

    /// Allocates `count` vertex slots, growing when needed.
    pub(crate) fn alloc(&mut self, count: usize) -> Result<Region, DomainError> {
        let start = self.with_growth(|a| a.alloc(count))?;
        Ok(Region { start, count })
    }

    /// Frees a region.
    pub(crate) fn dealloc(&mut self, region: Region) -> Result<(), DomainError> {
        Ok(self.allocator.dealloc(region.start, region.count)?)
    }

    /// Resizes a region, growing when needed. When it moves, the kept vertices of every
    /// attribute are copied on the GPU (the allocator allocates before it frees, so the old
    /// and new ranges never overlap).
    pub(crate) fn realloc(
        &mut self,
        region: Region,
        new_count: usize,
    ) -> Result<Region, DomainError> {
        let start = self.with_growth(|a| a.realloc(region.start, region.count, new_count))?;
        let moved = Region {
            start,
            count: new_count,
        };
        let kept = region.count.min(new_count);
        if start != region.start && kept > 0 {
            for (attribute, buffer) in self.format.attributes().iter().zip(&mut self.buffers) {
                let size = attribute.size();
                buffer.copy_within(region.start * size, start * size, kept * size)?;
            }
        }
        Ok(moved)
    }

    /// Copies a region's vertices into `target` (same format) at `dst_start`, on the GPU.
    pub(crate) fn copy_to(
        &mut self,
        region: Region,
        target: &mut VertexStore,
        dst_start: usize,
    ) -> Result<(), DomainError> {
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
            )?;
        }
        Ok(())
    }

    /// Stages `data` as `attribute` (an index or a name) of the region's vertices; `data`
    /// must cover them exactly.
    #[inline]
    pub(crate) fn write<T: Pod>(
        &mut self,
        region: Region,
        attribute: impl AttributeKey,
        data: &[T],
    ) -> Result<(), DomainError> {
        let attribute = attribute.index_in(&self.format)?;
        let bytes: &[u8] = bytemuck::cast_slice(data);
        let size = self.format.attributes()[attribute].size();
        let expected = region.count * size;
        if bytes.len() != expected {
            return Err(DomainError::DataLength {
                attribute: self.format.attributes()[attribute].name.clone(),
                expected,
                got: bytes.len(),
            });
        }
        Ok(self.buffers[attribute].write(region.start * size, bytes)?)
    }

    /// Reads `attribute` of the region's vertices back from GL (flushing staged writes).
    pub(crate) fn read<T: Pod>(
        &mut self,
        region: Region,
        attribute: impl AttributeKey,
    ) -> Result<Vec<T>, DomainError> {
        let attribute = attribute.index_in(&self.format)?;
        let size = self.format.attributes()[attribute].size();
        let bytes = self.buffers[attribute].read(region.start * size, region.count * size)?;
        cast_vec(bytes, &self.format.attributes()[attribute].name)
    }

    /// Sends every staged write to GL.
    pub(crate) fn flush(&mut self) -> Result<(), GlError> {
        self.buffers.iter_mut().try_for_each(GlBuffer::flush)
    }

    /// The sum of every attribute buffer's statistics.
    pub(crate) fn stats(&self) -> BufferStats {
        self.buffers
            .iter()
            .map(GlBuffer::stats)
            .fold(BufferStats::default(), |a, b| a + b)
    }

    /// The GL names of the attribute buffers, in format order.
    pub(crate) fn buffer_names(&self) -> Vec<glow::Buffer> {
        self.buffers.iter().map(GlBuffer::raw).collect()
    }
}

impl Growable for VertexStore {
    fn allocator(&mut self) -> &mut Allocator {
        &mut self.allocator
    }

    fn grow_to(&mut self, capacity: usize) -> Result<(), DomainError> {
        let sizes = self.format.attributes().iter().map(|a| a.size());
        let grown = prepare_all(
            self.buffers.iter().zip(sizes),
            capacity,
            self.max_buffer_bytes,
        )?;
        for (buffer, grown) in self.buffers.iter_mut().zip(grown) {
            if let Some(grown) = grown {
                buffer.commit_grow(grown);
            }
        }
        self.allocator.set_capacity(capacity)?;
        Ok(self.point_vao()?)
    }
}

impl Drop for VertexStore {
    fn drop(&mut self) {
        // SAFETY: the VAO is ours; the buffers delete themselves after this.
        unsafe { self.gl.delete_vertex_array(self.vao) };
    }
}
