//! [`GlBuffer`]: one GL buffer object of a byte capacity, with a CPU mirror of its
//! contents, grown on the GPU and written through a [`Stream`].
//!
//! - **Writes** go into the mirror, which always holds what GL will hold after the next
//!   flush, and mark its blocks in a [`DirtySet`]. [`GlBuffer::flush`] hands the dirty spans
//!   to a [`Stream`], which decides how they travel (a staging ring, an orphaned staging
//!   buffer, or straight into the buffer). Because the mirror is authoritative, a span may
//!   include bytes that did not change, a failed flush can simply be repeated, and a
//!   deleted record's hole can be filled from the mirror ([`GlBuffer::stage_copy`]) with no
//!   GPU round trip.
//! - **Growth** creates a larger buffer and moves the old contents into it with
//!   `glCopyBufferSubData`: nothing is read back and nothing is uploaded from the CPU. It is
//!   two-phase ([`GlBuffer::prepare_grow`] then [`GlBuffer::commit_grow`]), so a caller that
//!   grows several buffers can keep all the old ones when any new one fails.
//! - **Moves** inside a buffer or into another one are GPU copies too
//!   ([`GlBuffer::copy_within`], [`GlBuffer::copy_to`]); pending writes are flushed first so
//!   that the copy carries them.
//! - **Queued work** is tracked: the buffer records how far the draws and copies queued
//!   on it reach ([`Busy`]), so that its stream writes past that point directly and stages
//!   the rest.
//!
//! GL state touched: only the `GL_COPY_READ_BUFFER` and `GL_COPY_WRITE_BUFFER` bindings, which
//! are left unbound. Neither is part of vertex array state, so no VAO is disturbed.

use std::sync::Arc;

use glow::HasContext;

use super::dirty::{DirtySet, Span};
use super::fault::{inject, Site};
use super::{check_clean, check_gl, validate_clean, Busy, GlError, Stream};

/// The largest buffer this crate creates, in bytes: GL takes sizes as a signed 32-bit
/// `GLsizeiptr` through glow.
pub const MAX_BUFFER_BYTES: usize = i32::MAX as usize;

/// Dirty spans closer than this are uploaded as one: copying this many unchanged bytes
/// costs about as much as one more GL call.
const MERGE_GAP_BYTES: usize = 4096;

/// What a buffer has sent to GL so far. Growth must add nothing to `uploaded_bytes`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BufferStats {
    /// Bytes sent to GL from the CPU mirror, by any stream path.
    pub uploaded_bytes: u64,
    /// Bytes copied buffer-to-buffer on the GPU (`glCopyBufferSubData`), growth and moves.
    pub copied_bytes: u64,
    /// How many times the buffer was replaced by a larger one.
    pub grows: u64,
    /// Of those, the growths of a buffer GL held nothing of yet (nothing flushed or copied
    /// into it), which copy nothing.
    pub empty_grows: u64,
    /// How many flushes reached GL.
    pub flushes: u64,
}

impl std::ops::Add for BufferStats {
    type Output = BufferStats;

    fn add(self, other: BufferStats) -> BufferStats {
        BufferStats {
            uploaded_bytes: self.uploaded_bytes + other.uploaded_bytes,
            copied_bytes: self.copied_bytes + other.copied_bytes,
            grows: self.grows + other.grows,
            empty_grows: self.empty_grows + other.empty_grows,
            flushes: self.flushes + other.flushes,
        }
    }
}

/// A GL buffer object with a byte capacity, a CPU mirror of its contents, and the blocks
/// of the mirror not yet sent to GL.
///
/// Owns its GL buffer and deletes it on drop: the context must be current then.
pub struct GlBuffer {
    gl: Arc<glow::Context>,
    raw: glow::Buffer,
    /// Whether it holds indices (WebGL2 types a buffer by its first binding, and an index
    /// buffer must first be bound as `GL_ELEMENT_ARRAY_BUFFER`; growth keeps the kind).
    index: bool,
    capacity: usize,
    /// The whole contents, `capacity` bytes: what GL holds after the next flush.
    mirror: Vec<u8>,
    /// Invariant: covers `0..capacity`; GL holds `mirror` exactly outside the marked blocks.
    dirty: DirtySet,
    /// Scratch for the spans of a flush, kept so that flushing allocates nothing.
    spans: Vec<Span>,
    /// How far queued GPU commands reach into this buffer.
    busy: Busy,
    /// Whether GL holds anything written: a flush or a copy has reached the buffer. Until
    /// then its GL contents are undefined, and growing it copies nothing.
    holds_data: bool,
    stats: BufferStats,
}

/// A larger buffer made by [`GlBuffer::prepare_grow`], holding a GPU copy of the old one's
/// contents. Pass it to [`GlBuffer::commit_grow`]; dropping it instead deletes it.
pub(crate) struct GrownBuffer {
    gl: Arc<glow::Context>,
    raw: glow::Buffer,
    capacity: usize,
    copied: usize,
    /// The buffer it was grown from: only that one may commit it.
    source: glow::Buffer,
    /// Set when [`GlBuffer::commit_grow`] took over `raw`; until then dropping deletes it.
    committed: bool,
}

impl GrownBuffer {
    /// The new buffer's GL name, for pointing a vertex array at it before committing.
    pub fn raw(&self) -> glow::Buffer {
        self.raw
    }
}

impl Drop for GrownBuffer {
    fn drop(&mut self) {
        if !self.committed {
            // SAFETY: `raw` was created on this context; a vertex array that was pointed at
            // it keeps it alive until re-pointed, as GL defines for deleted attachments.
            unsafe { self.gl.delete_buffer(self.raw) };
        }
    }
}

/// Bytes `offset..offset + len` of `raw`, read by mapping the range (natively).
#[cfg(not(target_arch = "wasm32"))]
fn read_back(
    gl: &glow::Context,
    raw: glow::Buffer,
    offset: usize,
    len: usize,
) -> Result<Vec<u8>, GlError> {
    // SAFETY: binding a live buffer; the range lies inside it (checked by the caller).
    let ptr = unsafe {
        gl.bind_buffer(glow::COPY_READ_BUFFER, Some(raw));
        gl.map_buffer_range(
            glow::COPY_READ_BUFFER,
            offset as i32,
            len as i32,
            glow::MAP_READ_BIT,
        )
    };
    let result = if ptr.is_null() {
        check_gl(gl, "glMapBufferRange (read)").and(Err(GlError::MapFailed { offset, len }))
    } else {
        // SAFETY: `ptr` maps `len` readable bytes, valid until the unmap below.
        let bytes = unsafe { std::slice::from_raw_parts(ptr, len) }.to_vec();
        // SAFETY: the buffer bound to COPY_READ_BUFFER is mapped.
        unsafe { gl.unmap_buffer(glow::COPY_READ_BUFFER) };
        inject(gl, Site::Read);
        check_gl(gl, "glMapBufferRange (read)").map(|()| bytes)
    };
    // SAFETY: unbinding is always valid.
    unsafe { gl.bind_buffer(glow::COPY_READ_BUFFER, None) };
    result
}

/// Bytes `offset..offset + len` of `raw`, copied out by `getBufferSubData` (WebGL2 cannot
/// map).
#[cfg(target_arch = "wasm32")]
fn read_back(
    gl: &glow::Context,
    raw: glow::Buffer,
    offset: usize,
    len: usize,
) -> Result<Vec<u8>, GlError> {
    let mut bytes = vec![0; len];
    // SAFETY: binding a live buffer; the range lies inside it (checked by the caller) and
    // the destination is exactly `len` bytes.
    unsafe {
        gl.bind_buffer(glow::COPY_READ_BUFFER, Some(raw));
        gl.get_buffer_sub_data(glow::COPY_READ_BUFFER, offset as i32, &mut bytes);
        gl.bind_buffer(glow::COPY_READ_BUFFER, None);
    }
    inject(gl, Site::Read);
    check_gl(gl, "getBufferSubData (read)").map(|()| bytes)
}

/// Gives a fresh buffer WebGL2's element-array type, by binding it first as
/// `GL_ELEMENT_ARRAY_BUFFER` with no vertex array bound (so that no vertex array's index
/// binding changes). Natively GL has no buffer types, and this does nothing.
///
/// GL state touched in the browser: no vertex array and no element array buffer are bound on
/// return.
pub(super) fn type_as_index(gl: &glow::Context, raw: glow::Buffer) {
    if cfg!(target_arch = "wasm32") {
        // SAFETY: binding a fresh buffer of this context with the default vertex array.
        unsafe {
            gl.bind_vertex_array(None);
            gl.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, Some(raw));
            gl.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, None);
        }
    }
}

/// Checks a byte size against [`MAX_BUFFER_BYTES`].
fn check_size(bytes: usize) -> Result<i32, GlError> {
    i32::try_from(bytes).map_err(|_| GlError::TooLarge {
        requested: bytes as u64,
        limit: MAX_BUFFER_BYTES as u64,
    })
}

/// Creates a buffer of `capacity` bytes with undefined contents, bound to
/// `GL_COPY_WRITE_BUFFER` on return. An `index` buffer is first bound as
/// `GL_ELEMENT_ARRAY_BUFFER` in the browser ([`type_as_index`]).
fn create_raw(gl: &glow::Context, capacity: usize, index: bool) -> Result<glow::Buffer, GlError> {
    let size = check_size(capacity)?;
    check_clean(gl, "glBufferData (allocate)")?;
    // SAFETY: plain object creation on the current context.
    let raw = unsafe { gl.create_buffer() }.map_err(|message| GlError::Create {
        object: "buffer",
        message,
    })?;
    if index {
        type_as_index(gl, raw);
    }
    // SAFETY: `raw` is a fresh buffer name; the size is non-negative and no data is read.
    unsafe {
        gl.bind_buffer(glow::COPY_WRITE_BUFFER, Some(raw));
        gl.buffer_data_size(glow::COPY_WRITE_BUFFER, size, glow::DYNAMIC_DRAW);
    }
    inject(gl, Site::BufferCreate);
    if let Err(error) = check_gl(gl, "glBufferData (allocate)") {
        // SAFETY: `raw` is ours and referenced nowhere else.
        unsafe {
            gl.bind_buffer(glow::COPY_WRITE_BUFFER, None);
            gl.delete_buffer(raw);
        }
        return Err(error);
    }
    Ok(raw)
}

impl GlBuffer {
    /// Creates a buffer of `capacity` bytes. Its mirror starts zeroed; GL's contents are
    /// undefined until written. Costs `capacity` bytes of CPU memory besides GL's.
    ///
    /// Fails with [`GlError::TooLarge`] above [`MAX_BUFFER_BYTES`], or with the GL error
    /// (`GL_OUT_OF_MEMORY`) if the driver cannot allocate it.
    pub fn new(gl: &Arc<glow::Context>, capacity: usize) -> Result<Self, GlError> {
        Self::of_kind(gl, capacity, false)
    }

    /// [`new`](Self::new), for a buffer of indices: in the browser, WebGL2 lets a buffer
    /// hold indices only if its first binding was `GL_ELEMENT_ARRAY_BUFFER`.
    ///
    /// GL state touched in the browser: no vertex array is bound on return.
    pub fn new_index(gl: &Arc<glow::Context>, capacity: usize) -> Result<Self, GlError> {
        Self::of_kind(gl, capacity, true)
    }

    fn of_kind(gl: &Arc<glow::Context>, capacity: usize, index: bool) -> Result<Self, GlError> {
        let gl = Arc::clone(gl);
        let raw = create_raw(&gl, capacity, index)?;
        // SAFETY: unbinding is always valid.
        unsafe { gl.bind_buffer(glow::COPY_WRITE_BUFFER, None) };
        Ok(GlBuffer {
            gl,
            raw,
            index,
            capacity,
            mirror: vec![0; capacity],
            dirty: DirtySet::new(capacity),
            spans: Vec::new(),
            busy: Busy::default(),
            holds_data: false,
            stats: BufferStats::default(),
        })
    }

    /// The CPU copy of the contents (staged writes included).
    pub fn mirror(&self) -> &[u8] {
        &self.mirror
    }

    /// The GL buffer name, for binding it as a vertex or index source. It changes when the
    /// buffer grows.
    pub fn raw(&self) -> glow::Buffer {
        self.raw
    }

    /// The capacity in bytes.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// What this buffer has sent to GL so far.
    pub fn stats(&self) -> BufferStats {
        self.stats
    }

    /// Whether writes are staged and not yet flushed.
    pub fn has_pending_writes(&self) -> bool {
        !self.dirty.is_empty()
    }

    /// Records that draws of `stream`'s current frame read this buffer, so that its next
    /// writes are staged instead of landing under those draws.
    pub fn mark_drawn(&mut self, stream: &Stream) {
        self.busy = Busy::up_to(self.capacity, stream);
    }

    /// Creates a buffer of `new_capacity` bytes holding a GPU copy of this one's contents,
    /// without replacing this one yet. Returns `None` when `new_capacity` is not larger.
    /// A buffer nothing has reached yet (no flush, no copy) has no contents to copy: its
    /// writes are all still in the mirror, and go straight to the new buffer.
    ///
    /// On error nothing has changed and the new buffer is already deleted.
    pub(crate) fn prepare_grow(&self, new_capacity: usize) -> Result<Option<GrownBuffer>, GlError> {
        if new_capacity <= self.capacity {
            return Ok(None);
        }
        let gl = &self.gl;
        let raw = create_raw(gl, new_capacity, self.index)?;
        let grown = GrownBuffer {
            gl: Arc::clone(gl),
            raw,
            capacity: new_capacity,
            copied: if self.holds_data { self.capacity } else { 0 },
            source: self.raw,
            committed: false,
        };
        // `capacity` passed `check_size` when this buffer was made or grown.
        let len = grown.copied as i32;
        // SAFETY: both names are live buffers; the copy stays inside both sizes; the two are
        // different buffers, so the ranges cannot overlap.
        unsafe {
            gl.bind_buffer(glow::COPY_READ_BUFFER, Some(self.raw));
            if len > 0 {
                gl.copy_buffer_sub_data(glow::COPY_READ_BUFFER, glow::COPY_WRITE_BUFFER, 0, 0, len);
            }
            gl.bind_buffer(glow::COPY_READ_BUFFER, None);
            gl.bind_buffer(glow::COPY_WRITE_BUFFER, None);
        }
        inject(gl, Site::GrowCopy);
        // On error `grown` is dropped here, which deletes the new buffer.
        check_gl(gl, "glCopyBufferSubData (grow)")?;
        Ok(Some(grown))
    }

    /// Replaces this buffer by `grown` and deletes the old one. Staged writes stay dirty:
    /// their offsets are just as valid in the larger buffer. `stream` is the one this
    /// buffer flushes through: the growth copy is queued work of its current frame.
    ///
    /// Fails with [`GlError::InvalidArgument`], changing nothing and deleting `grown`, when
    /// `grown` was not prepared from this buffer (in its current state) on its context.
    pub(crate) fn commit_grow(
        &mut self,
        mut grown: GrownBuffer,
        stream: &Stream,
    ) -> Result<(), GlError> {
        if grown.source != self.raw || !Arc::ptr_eq(&grown.gl, &self.gl) {
            return Err(GlError::InvalidArgument {
                operation: "GlBuffer::commit_grow",
                message: "the grown buffer was prepared from another buffer".to_owned(),
            });
        }
        grown.committed = true;
        let raw = grown.raw;
        // SAFETY: the old buffer is ours; GL keeps it alive while a VAO still names it.
        unsafe { self.gl.delete_buffer(self.raw) };
        self.raw = raw;
        self.capacity = grown.capacity;
        self.mirror.resize(grown.capacity, 0);
        self.dirty.grow(grown.capacity);
        // A new buffer: only the growth copy is queued on it.
        self.busy = Busy::up_to(grown.copied, stream);
        self.stats.grows += 1;
        self.stats.empty_grows += u64::from(!self.holds_data);
        self.stats.copied_bytes += grown.copied as u64;
        Ok(())
    }

    /// Grows to `new_capacity` bytes by a GPU copy; a capacity that is not larger is a no-op.
    /// On error this buffer is unchanged.
    pub fn grow(&mut self, new_capacity: usize, stream: &Stream) -> Result<(), GlError> {
        match self.prepare_grow(new_capacity)? {
            Some(grown) => self.commit_grow(grown, stream),
            None => Ok(()),
        }
    }

    /// Stages `data` for bytes `offset..offset + data.len()`: into the mirror, marked dirty.
    /// Nothing reaches GL until [`flush`](Self::flush).
    #[inline]
    pub fn write(&mut self, offset: usize, data: &[u8]) -> Result<(), GlError> {
        self.stage(offset, data.len())?.copy_from_slice(data);
        Ok(())
    }

    /// Stages one value's bytes at `offset`: [`write`](Self::write) for a value whose size
    /// is known when compiling, copied with no call.
    #[inline]
    pub fn write_value<T: bytemuck::Pod>(
        &mut self,
        offset: usize,
        value: &T,
    ) -> Result<(), GlError> {
        let len = std::mem::size_of::<T>();
        match self.mirror.get_mut(offset..offset.wrapping_add(len)) {
            Some(bytes) => bytes.copy_from_slice(bytemuck::bytes_of(value)),
            None => return Err(self.out_of_bounds(offset, len)),
        }
        self.dirty.mark(offset, len);
        Ok(())
    }

    /// Marks `offset..offset + len` dirty and returns those bytes of the mirror, holding
    /// the current contents, to be filled in place: saves a copy when the caller computes
    /// the data.
    #[inline]
    pub fn stage(&mut self, offset: usize, len: usize) -> Result<&mut [u8], GlError> {
        self.check_range(offset, len)?;
        self.dirty.mark(offset, len);
        Ok(&mut self.mirror[offset..offset + len])
    }

    /// Stages a copy of bytes `src..src + len` to `dst`: the mirror is updated now and GL
    /// at the next flush, so no GPU copy or readback runs. The ranges may overlap.
    pub fn stage_copy(&mut self, src: usize, dst: usize, len: usize) -> Result<(), GlError> {
        self.check_range(src, len)?;
        self.check_range(dst, len)?;
        // Records of a vec4 and smaller move as one value: a call to memmove would cost more
        // than the copy.
        match len {
            4 => copy_value::<4>(&mut self.mirror, src, dst),
            8 => copy_value::<8>(&mut self.mirror, src, dst),
            16 => copy_value::<16>(&mut self.mirror, src, dst),
            _ => self.mirror.copy_within(src..src + len, dst),
        }
        self.dirty.mark(dst, len);
        Ok(())
    }

    /// Sends every dirty span to GL through `stream`. On error the spans stay dirty: a
    /// later flush sends them again, so nothing is lost.
    pub fn flush(&mut self, stream: &mut Stream) -> Result<(), GlError> {
        if self.dirty.is_empty() {
            return Ok(());
        }
        validate_clean(&self.gl, "GlBuffer::flush")?;
        self.dirty.spans(MERGE_GAP_BYTES, &mut self.spans);
        self.busy = stream.upload(self.raw, self.index, &self.mirror, &self.spans, self.busy)?;
        let bytes: usize = self.spans.iter().map(Span::len).sum();
        self.stats.uploaded_bytes += bytes as u64;
        self.stats.flushes += 1;
        self.dirty.clear();
        self.holds_data = true;
        Ok(())
    }

    /// Reads bytes `offset..offset + len` back from GL (flushing staged writes through
    /// `stream` first), by mapping the range for reading (by `getBufferSubData` in the
    /// browser). For `read` APIs and tests, not for frames: it waits for the GPU.
    pub fn read(
        &mut self,
        offset: usize,
        len: usize,
        stream: &mut Stream,
    ) -> Result<Vec<u8>, GlError> {
        self.check_range(offset, len)?;
        self.flush(stream)?;
        if len == 0 {
            return Ok(Vec::new());
        }
        let gl = &self.gl;
        check_clean(gl, "GlBuffer::read")?;
        read_back(gl, self.raw, offset, len)
    }

    /// Copies `len` bytes from `src` to `dst` inside this buffer on the GPU (and in the
    /// mirror). The ranges must not overlap (GL forbids it). Staged writes are flushed
    /// through `stream` first so the copy carries them.
    pub fn copy_within(
        &mut self,
        src: usize,
        dst: usize,
        len: usize,
        stream: &mut Stream,
    ) -> Result<(), GlError> {
        self.check_range(src, len)?;
        self.check_range(dst, len)?;
        if src < dst + len && dst < src + len && len > 0 {
            return Err(GlError::OverlappingCopy { src, dst, len });
        }
        self.flush(stream)?;
        copy_raw(&self.gl, self.raw, src, self.raw, dst, len)?;
        self.stats.copied_bytes += len as u64;
        self.mirror.copy_within(src..src + len, dst);
        self.busy.touch(src.max(dst) + len, stream);
        Ok(())
    }

    /// Copies `len` bytes from `src` in this buffer to `dst` in `target` on the GPU (and
    /// between the mirrors). Both buffers' staged writes are flushed first, each through its
    /// own stream: the source's so the copy carries them, the target's so none lands later
    /// on the copied bytes.
    pub fn copy_to(
        &mut self,
        src: usize,
        target: &mut GlBuffer,
        dst: usize,
        len: usize,
        streams: (&mut Stream, &mut Stream),
    ) -> Result<(), GlError> {
        self.check_range(src, len)?;
        target.check_range(dst, len)?;
        let (own, theirs) = streams;
        self.flush(own)?;
        target.flush(theirs)?;
        copy_raw(&self.gl, self.raw, src, target.raw, dst, len)?;
        target.stats.copied_bytes += len as u64;
        target.mirror[dst..dst + len].copy_from_slice(&self.mirror[src..src + len]);
        target.holds_data = true;
        self.busy.touch(src + len, own);
        target.busy.touch(dst + len, theirs);
        Ok(())
    }

    /// Checks that `offset..offset + len` lies inside the buffer.
    fn check_range(&self, offset: usize, len: usize) -> Result<(), GlError> {
        match offset.checked_add(len) {
            Some(end) if end <= self.capacity => Ok(()),
            _ => Err(self.out_of_bounds(offset, len)),
        }
    }

    #[cold]
    fn out_of_bounds(&self, offset: usize, len: usize) -> GlError {
        GlError::OutOfBounds {
            offset,
            len,
            capacity: self.capacity,
        }
    }
}

/// Copies `N` bytes of `bytes` from `src` to `dst` (ranges checked by the caller) through a
/// value, which the compiler turns into plain loads and stores.
#[inline(always)]
fn copy_value<const N: usize>(bytes: &mut [u8], src: usize, dst: usize) {
    let mut value = [0u8; N];
    value.copy_from_slice(&bytes[src..src + N]);
    bytes[dst..dst + N].copy_from_slice(&value);
}

/// One `glCopyBufferSubData` between two live buffers (or two disjoint ranges of one).
fn copy_raw(
    gl: &glow::Context,
    src_buffer: glow::Buffer,
    src: usize,
    dst_buffer: glow::Buffer,
    dst: usize,
    len: usize,
) -> Result<(), GlError> {
    if len == 0 {
        return Ok(());
    }
    check_clean(gl, "glCopyBufferSubData (move)")?;
    // SAFETY: callers checked both ranges against their buffers' capacities, which are at
    // most MAX_BUFFER_BYTES, and that ranges in one buffer do not overlap.
    unsafe {
        gl.bind_buffer(glow::COPY_READ_BUFFER, Some(src_buffer));
        gl.bind_buffer(glow::COPY_WRITE_BUFFER, Some(dst_buffer));
        gl.copy_buffer_sub_data(
            glow::COPY_READ_BUFFER,
            glow::COPY_WRITE_BUFFER,
            src as i32,
            dst as i32,
            len as i32,
        );
        gl.bind_buffer(glow::COPY_READ_BUFFER, None);
        gl.bind_buffer(glow::COPY_WRITE_BUFFER, None);
    }
    inject(gl, Site::Copy);
    check_gl(gl, "glCopyBufferSubData (move)")
}

impl Drop for GlBuffer {
    fn drop(&mut self) {
        // SAFETY: the buffer is ours; GL keeps it alive while a VAO still names it.
        unsafe { self.gl.delete_buffer(self.raw) };
    }
}

impl std::fmt::Debug for GlBuffer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GlBuffer")
            .field("raw", &self.raw)
            .field("capacity", &self.capacity)
            .field("dirty", &!self.dirty.is_empty())
            .field("stats", &self.stats)
            .finish()
    }
}
