//! [`Store`]: the GL side of a domain. One buffer per attribute and the [`Allocator`] of
//! their vertex slots, optionally an index part (a `u32` index buffer, its allocator and the
//! relative indices it holds), and the VAO that points at all of them.
//!
//! Data flows one way: the store asks the allocators where a list goes and tells the
//! [`GlBuffer`]s what to hold there; the allocators never see GL.
//!
//! # Growing without a half-done state
//!
//! [`Store::reserve`] grows every part that needs it in one step that either completes or
//! changes nothing: each grown buffer is prepared (a new buffer holding a GPU copy of the
//! old one), the VAO is pointed at the new names, and only then are the new buffers
//! committed and the allocators' capacities raised. A failure at any step deletes the
//! prepared buffers and points the VAO back at the buffers it had.

use std::rc::Rc;

use glow::HasContext;

use super::{cast_vec, AttributeKey, DomainError};
use crate::allocation::{AllocError, Allocator};
use crate::backend::fault::{inject, Site};
use crate::backend::{check_clean, check_gl, BufferStats, FormatError, GlBuffer, GlError};
use crate::backend::{AttributeData, GrownBuffer, ShaderInput, VertexFormat, MAX_BUFFER_BYTES};

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

/// One GL buffer per attribute of a [`VertexFormat`], the [`Allocator`] of their vertex
/// slots, an optional [`IndexPart`], and the VAO that points at the buffers.
///
/// Invariants: every attribute buffer holds `vertices.capacity()` vertices of its attribute,
/// the index buffer holds `allocator.capacity()` indices, and the VAO names the current
/// buffers.
pub(crate) struct Store {
    gl: Rc<glow::Context>,
    format: VertexFormat,
    buffers: Vec<GlBuffer>,
    pub(crate) vertices: Allocator,
    pub(crate) index: Option<IndexPart>,
    vao: glow::VertexArray,
    /// False after a growth failed and pointing the VAO back at the kept buffers failed
    /// too: the VAO may name deleted buffers, so [`bind`](Store::bind) re-points it first.
    vao_valid: bool,
    max_buffer_bytes: usize,
}

impl Store {
    /// Creates the buffers for `vertex_capacity` vertices (and `index_capacity` indices when
    /// given) and the VAO. Nothing is leaked on failure: every object made so far is
    /// deleted.
    pub(crate) fn new(
        gl: &Rc<glow::Context>,
        format: VertexFormat,
        vertex_capacity: usize,
        index_capacity: Option<usize>,
    ) -> Result<Self, DomainError> {
        check_clean(gl, "domain creation")?;
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
                let bytes = buffer_bytes(vertex_capacity, a.size(), MAX_BUFFER_BYTES)?;
                Ok(GlBuffer::new(Rc::clone(gl), bytes)?)
            })
            .collect::<Result<Vec<_>, DomainError>>()?;
        let index = index_capacity
            .map(|capacity| {
                let bytes = buffer_bytes(capacity, INDEX_SIZE, MAX_BUFFER_BYTES)?;
                Ok::<_, DomainError>(IndexPart {
                    buffer: GlBuffer::new(Rc::clone(gl), bytes)?,
                    allocator: Allocator::new(capacity),
                    relative: vec![0; capacity],
                })
            })
            .transpose()?;
        // SAFETY: plain object creation on the current context.
        let vao = unsafe { gl.create_vertex_array() }.map_err(|message| GlError::Create {
            object: "vertex array",
            message,
        })?;
        // From here on, dropping `store` deletes the VAO and every buffer.
        let store = Store {
            gl: Rc::clone(gl),
            format,
            buffers,
            vertices: Allocator::new(vertex_capacity),
            index,
            vao,
            vao_valid: true,
            max_buffer_bytes: MAX_BUFFER_BYTES,
        };
        let names: Vec<_> = store.buffers.iter().map(GlBuffer::raw).collect();
        store.point_vao(&names, store.index.as_ref().map(|i| i.buffer.raw()))?;
        Ok(store)
    }

    pub(crate) fn gl(&self) -> &Rc<glow::Context> {
        &self.gl
    }

    pub(crate) fn format(&self) -> &VertexFormat {
        &self.format
    }

    pub(crate) fn max_buffer_bytes(&self) -> usize {
        self.max_buffer_bytes
    }

    pub(crate) fn set_max_buffer_bytes(&mut self, limit: usize) {
        self.max_buffer_bytes = limit.min(MAX_BUFFER_BYTES);
    }

    /// The index part; only indexed domains reach for it.
    pub(crate) fn index_mut(&mut self) -> Result<&mut IndexPart, DomainError> {
        self.index.as_mut().ok_or(DomainError::NotIndexed)
    }

    /// Points the VAO at attribute buffers `names` (format order) and element buffer
    /// `element`. Integer attributes read as integers go through `glVertexAttribIPointer`,
    /// every other one through `glVertexAttribPointer`.
    ///
    /// GL state touched: binds and unbinds the VAO and `GL_ARRAY_BUFFER`; inside the VAO,
    /// the attribute arrays and `GL_ELEMENT_ARRAY_BUFFER`.
    fn point_vao(
        &self,
        names: &[glow::Buffer],
        element: Option<glow::Buffer>,
    ) -> Result<(), GlError> {
        let gl = &self.gl;
        check_clean(gl, "point vertex array at buffers")?;
        // SAFETY: the VAO and buffers are live objects of this context; each attribute
        // reads its own tightly packed buffer from offset 0, and the location was checked
        // against GL_MAX_VERTEX_ATTRIBS.
        unsafe {
            gl.bind_vertex_array(Some(self.vao));
            for (attribute, &buffer) in self.format.attributes().iter().zip(names) {
                let (location, count) = (attribute.location, i32::from(attribute.count));
                let (kind, stride) = (attribute.component.gl_enum(), attribute.size() as i32);
                gl.bind_buffer(glow::ARRAY_BUFFER, Some(buffer));
                gl.enable_vertex_attrib_array(location);
                match attribute.input {
                    ShaderInput::Integer => {
                        gl.vertex_attrib_pointer_i32(location, count, kind, stride, 0)
                    }
                    input => {
                        let normalized = input == ShaderInput::Normalized;
                        gl.vertex_attrib_pointer_f32(location, count, kind, normalized, stride, 0)
                    }
                }
            }
            gl.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, element);
            gl.bind_vertex_array(None);
            gl.bind_buffer(glow::ARRAY_BUFFER, None);
        }
        inject(gl, Site::PointVao);
        check_gl(gl, "point vertex array at buffers")
    }

    /// Makes room for `vertex_capacity` vertex slots and `index_capacity` index slots (each
    /// `None` when that part has room), growing each part that needs it to the next power of
    /// two at or above its request, all in one step: on error no buffer, allocator or VAO
    /// binding has changed.
    pub(crate) fn reserve(
        &mut self,
        vertex_capacity: Option<usize>,
        index_capacity: Option<usize>,
    ) -> Result<(), DomainError> {
        let grow_to = |request: Option<usize>| {
            request
                .map(|r| r.checked_next_power_of_two().ok_or(AllocError::Overflow))
                .transpose()
        };
        let (vertex_target, index_target) = (grow_to(vertex_capacity)?, grow_to(index_capacity)?);
        if vertex_target.is_none() && index_target.is_none() {
            return Ok(());
        }
        let limit = self.max_buffer_bytes;
        let mut grown_vertices: Vec<Option<GrownBuffer>> = Vec::new();
        if let Some(capacity) = vertex_target {
            for (attribute, buffer) in self.format.attributes().iter().zip(&self.buffers) {
                let bytes = buffer_bytes(capacity, attribute.size(), limit)?;
                grown_vertices.push(buffer.prepare_grow(bytes)?);
            }
        }
        let grown_index = match (index_target, &self.index) {
            (Some(capacity), Some(index)) => index
                .buffer
                .prepare_grow(buffer_bytes(capacity, INDEX_SIZE, limit)?)?,
            (Some(_), None) => return Err(DomainError::NotIndexed),
            _ => None,
        };
        // Point the VAO at the new buffers before committing to them.
        let old_names: Vec<_> = self.buffers.iter().map(GlBuffer::raw).collect();
        let old_element = self.index.as_ref().map(|i| i.buffer.raw());
        let new_names: Vec<_> = old_names
            .iter()
            .enumerate()
            .map(|(i, &old)| match grown_vertices.get(i) {
                Some(Some(grown)) => grown.raw(),
                _ => old,
            })
            .collect();
        let new_element = grown_index.as_ref().map(GrownBuffer::raw).or(old_element);
        if let Err(error) = self.point_vao(&new_names, new_element) {
            // Back to the buffers it had; the prepared ones are deleted as they drop. If
            // even this fails, the VAO may name deleted buffers: it is marked, and the next
            // bind for drawing re-points it before anything reads through it.
            self.vao_valid = self.point_vao(&old_names, old_element).is_ok();
            return Err(error.into());
        }
        // Each grown buffer was prepared from the buffer it commits to, so these succeed.
        for (buffer, grown) in self.buffers.iter_mut().zip(grown_vertices) {
            if let Some(grown) = grown {
                buffer.commit_grow(grown)?;
            }
        }
        if let Some(capacity) = vertex_target {
            self.vertices
                .set_capacity(capacity.max(self.vertices.capacity()))?;
        }
        if let (Some(capacity), Some(index)) = (index_target, self.index.as_mut()) {
            if let Some(grown) = grown_index {
                index.buffer.commit_grow(grown)?;
            }
            let capacity = capacity.max(index.allocator.capacity());
            index.allocator.set_capacity(capacity)?;
            index.relative.resize(capacity, 0);
        }
        Ok(())
    }

    /// Binds the VAO for drawing, first pointing it at the current buffers again if a
    /// failed growth left it unsure. GL state touched: the vertex array binding (and, when
    /// re-pointing, what [`point_vao`](Self::point_vao) touches).
    pub(crate) fn bind(&mut self) -> Result<(), GlError> {
        if !self.vao_valid {
            let names: Vec<_> = self.buffers.iter().map(GlBuffer::raw).collect();
            self.point_vao(&names, self.index.as_ref().map(|i| i.buffer.raw()))?;
            self.vao_valid = true;
        }
        // SAFETY: the VAO is a live object of this context.
        unsafe { self.gl.bind_vertex_array(Some(self.vao)) };
        Ok(())
    }

    /// Unbinds any VAO. GL state touched: the vertex array binding.
    pub(crate) fn unbind(&self) {
        // SAFETY: unbinding is always valid.
        unsafe { self.gl.bind_vertex_array(None) };
    }

    /// Copies `count` vertices of every attribute from slot `src` to slot `dst` inside
    /// this store, on the GPU. The ranges must not overlap.
    pub(crate) fn copy_vertices_within(
        &mut self,
        src: usize,
        dst: usize,
        count: usize,
    ) -> Result<(), DomainError> {
        for (attribute, buffer) in self.format.attributes().iter().zip(&mut self.buffers) {
            let size = attribute.size();
            buffer.copy_within(src * size, dst * size, count * size)?;
        }
        Ok(())
    }

    /// Copies a region's vertices into `target` (same format) at `dst_start`, on the GPU.
    pub(crate) fn copy_vertices_to(
        &mut self,
        region: Region,
        target: &mut Store,
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

    /// Stages `data` as `attribute` of the region's vertices. `T` must match the
    /// attribute's component type, and hold either one vertex's components or one
    /// component each; `data` must cover the region's vertices exactly. CPU work only.
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
        if components != region.count * usize::from(a.count)
            || bytes.len() != region.count * a.size()
        {
            return Err(DomainError::VertexCount {
                attribute: a.name.clone(),
                expected: region.count,
                per_vertex: a.count,
                components,
            });
        }
        Ok(self.buffers[index].write(region.start * a.size(), bytes)?)
    }

    /// Stages raw bytes as `attribute` of the region's vertices; `bytes` must be exactly
    /// the region's vertices of that attribute. CPU work only.
    pub(crate) fn write_bytes(
        &mut self,
        region: Region,
        attribute: impl AttributeKey,
        bytes: &[u8],
    ) -> Result<(), DomainError> {
        let index = attribute.index_in(&self.format)?;
        let size = self.format.attributes()[index].size();
        let expected = region.count * size;
        if bytes.len() != expected {
            return Err(DomainError::DataLength {
                attribute: self.format.attributes()[index].name.clone(),
                expected,
                got: bytes.len(),
            });
        }
        Ok(self.buffers[index].write(region.start * size, bytes)?)
    }

    /// Reads `attribute` of the region's vertices back from GL (flushing staged writes), as
    /// `T`s of the attribute's component type.
    pub(crate) fn read<T: AttributeData>(
        &mut self,
        region: Region,
        attribute: impl AttributeKey,
    ) -> Result<Vec<T>, DomainError> {
        let (index, a) = typed_attribute::<T>(&self.format, attribute)?;
        let size = a.size();
        let bytes = self.buffers[index].read(region.start * size, region.count * size)?;
        cast_vec(bytes, &a.name)
    }

    /// Sends every staged write to GL. A buffer whose flush fails keeps its writes staged
    /// (a later flush sends them), so nothing is lost.
    pub(crate) fn flush(&mut self) -> Result<(), GlError> {
        self.buffers.iter_mut().try_for_each(GlBuffer::flush)?;
        match &mut self.index {
            Some(index) => index.buffer.flush(),
            None => Ok(()),
        }
    }

    /// The sum of every buffer's statistics.
    pub(crate) fn stats(&self) -> BufferStats {
        self.buffers
            .iter()
            .chain(self.index.as_ref().map(|i| &i.buffer))
            .map(GlBuffer::stats)
            .fold(BufferStats::default(), |a, b| a + b)
    }

    /// The GL names of the attribute buffers (format order), then the index buffer.
    pub(crate) fn buffer_names(&self) -> Vec<glow::Buffer> {
        self.buffers
            .iter()
            .chain(self.index.as_ref().map(|i| &i.buffer))
            .map(GlBuffer::raw)
            .collect()
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
    if T::COMPONENT != a.component || (T::COUNT != a.count && T::COUNT != 1) {
        return Err(DomainError::AttributeType {
            attribute: a.name.clone(),
            expected: (a.count, a.component),
            got: (T::COUNT, T::COMPONENT),
        });
    }
    Ok((index, a))
}

impl Drop for Store {
    fn drop(&mut self) {
        // SAFETY: the VAO is ours; the buffers delete themselves after this.
        unsafe { self.gl.delete_vertex_array(self.vao) };
    }
}
