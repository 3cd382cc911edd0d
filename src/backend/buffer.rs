//! [`GlBuffer`]: one GL buffer object of a byte capacity, grown on the GPU and written
//! through staged, mapped ranges.
//!
//! - **Growth** creates a larger buffer and moves the old contents into it with
//!   `glCopyBufferSubData`: nothing is read back and nothing is uploaded from the CPU. It is
//!   two-phase ([`GlBuffer::prepare_grow`] then [`GlBuffer::commit_grow`]), so a caller that
//!   grows several buffers can keep all the old ones when any new one fails.
//! - **Writes** are staged in a CPU queue: a write that starts where the previous one ended
//!   extends it, so writing lists in address order builds one run. [`GlBuffer::flush`] maps the
//!   dirty span once (`glMapBufferRange`, with `GL_MAP_INVALIDATE_RANGE_BIT` when one run
//!   covers it) and copies every run, or, for a few small runs in a wide span, uses
//!   `glBufferSubData` per run.
//! - **Mirrored buffers** ([`GlBuffer::mirrored`]) keep a CPU copy of their whole contents
//!   and stage into it: a write is one copy into the mirror plus a dirty run, and a flush
//!   uploads the dirty runs from there. Their contents can also be re-staged from the
//!   mirror ([`GlBuffer::stage_copy`]) with no GPU round trip, which is how an instance
//!   part fills a deleted instance's hole.
//! - **Moves** inside a buffer or into another one are GPU copies too
//!   ([`GlBuffer::copy_within`], [`GlBuffer::copy_to`]); pending writes are flushed first so
//!   that the copy carries them.
//!
//! GL state touched: only the `GL_COPY_READ_BUFFER` and `GL_COPY_WRITE_BUFFER` bindings, which
//! are left unbound. Neither is part of vertex array state, so no VAO is disturbed.

use std::rc::Rc;

use glow::HasContext;

use super::fault::{inject, Site};
use super::{check_clean, check_gl, GlError};

/// The largest buffer this crate creates, in bytes: GL takes sizes as a signed 32-bit
/// `GLsizeiptr` through glow.
pub const MAX_BUFFER_BYTES: usize = i32::MAX as usize;

/// At most this many staged runs may be uploaded one `glBufferSubData` each instead of
/// through one mapping of the whole dirty span.
const SPARSE_RUN_LIMIT: usize = 8;

/// Runs are uploaded one by one when their bytes are less than `1 / SPARSE_SPAN_RATIO` of the
/// dirty span (mapping the span would touch mostly untouched bytes).
const SPARSE_SPAN_RATIO: usize = 4;

/// What a buffer has sent to GL so far. Growth must add nothing to `uploaded_bytes`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BufferStats {
    /// Bytes handed to GL from the CPU: mapped writes and `glBufferSubData`.
    pub uploaded_bytes: u64,
    /// Bytes copied buffer-to-buffer on the GPU (`glCopyBufferSubData`), growth and moves.
    pub copied_bytes: u64,
    /// How many times the buffer was replaced by a larger one.
    pub grows: u64,
    /// How many flushes reached GL (mappings plus sparse uploads batches).
    pub flushes: u64,
}

impl std::ops::Add for BufferStats {
    type Output = BufferStats;

    fn add(self, other: BufferStats) -> BufferStats {
        BufferStats {
            uploaded_bytes: self.uploaded_bytes + other.uploaded_bytes,
            copied_bytes: self.copied_bytes + other.copied_bytes,
            grows: self.grows + other.grows,
            flushes: self.flushes + other.flushes,
        }
    }
}

/// One staged write: `len` bytes for buffer offset `offset`, stored in the staging bytes
/// right after the previous run's.
#[derive(Debug, Clone, Copy)]
struct Run {
    offset: usize,
    len: usize,
}

/// A GL buffer object with a byte capacity and a queue of staged writes.
///
/// Owns its GL buffer and deletes it on drop: the context must be current then.
pub struct GlBuffer {
    gl: Rc<glow::Context>,
    raw: glow::Buffer,
    capacity: usize,
    /// Staged bytes of every run, in write order (empty when mirrored).
    staged: Vec<u8>,
    /// Invariant: every run lies inside `0..capacity`; unmirrored, their lengths sum to
    /// `staged.len()`; mirrored, they name the bytes of `mirror` not yet uploaded.
    runs: Vec<Run>,
    /// The whole contents, `capacity` bytes, for a mirrored buffer: what GL holds after
    /// the next flush.
    mirror: Option<Vec<u8>>,
    stats: BufferStats,
}

/// A larger buffer made by [`GlBuffer::prepare_grow`], holding a GPU copy of the old one's
/// contents. Pass it to [`GlBuffer::commit_grow`]; dropping it instead deletes it.
pub struct GrownBuffer {
    gl: Rc<glow::Context>,
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

/// Checks a byte size against [`MAX_BUFFER_BYTES`].
fn check_size(bytes: usize) -> Result<i32, GlError> {
    i32::try_from(bytes).map_err(|_| GlError::TooLarge {
        requested: bytes as u64,
        limit: MAX_BUFFER_BYTES as u64,
    })
}

/// Creates a buffer of `capacity` bytes with undefined contents, bound to
/// `GL_COPY_WRITE_BUFFER` on return.
fn create_raw(gl: &glow::Context, capacity: usize) -> Result<glow::Buffer, GlError> {
    let size = check_size(capacity)?;
    check_clean(gl, "glBufferData (allocate)")?;
    // SAFETY: plain object creation on the current context.
    let raw = unsafe { gl.create_buffer() }.map_err(|message| GlError::Create {
        object: "buffer",
        message,
    })?;
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
    /// Creates a buffer of `capacity` bytes (contents undefined).
    ///
    /// Fails with [`GlError::TooLarge`] above [`MAX_BUFFER_BYTES`], or with the GL error
    /// (`GL_OUT_OF_MEMORY`) if the driver cannot allocate it.
    pub fn new(gl: Rc<glow::Context>, capacity: usize) -> Result<Self, GlError> {
        let raw = create_raw(&gl, capacity)?;
        // SAFETY: unbinding is always valid.
        unsafe { gl.bind_buffer(glow::COPY_WRITE_BUFFER, None) };
        Ok(GlBuffer {
            gl,
            raw,
            capacity,
            staged: Vec::new(),
            runs: Vec::new(),
            mirror: None,
            stats: BufferStats::default(),
        })
    }

    /// Creates a mirrored buffer of `capacity` bytes: one that keeps a CPU copy of its
    /// contents (zeroed at first, as is the GL buffer's view through it until written) and
    /// stages writes into that copy. Costs `capacity` bytes of CPU memory.
    pub fn mirrored(gl: Rc<glow::Context>, capacity: usize) -> Result<Self, GlError> {
        let mut buffer = GlBuffer::new(gl, capacity)?;
        buffer.mirror = Some(vec![0; capacity]);
        Ok(buffer)
    }

    /// The CPU copy of a mirrored buffer's contents (staged writes included).
    pub fn mirror(&self) -> Option<&[u8]> {
        self.mirror.as_deref()
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
        !self.runs.is_empty()
    }

    /// Creates a buffer of `new_capacity` bytes holding a GPU copy of this one's contents,
    /// without replacing this one yet. Returns `None` when `new_capacity` is not larger.
    ///
    /// On error nothing has changed and the new buffer is already deleted.
    pub fn prepare_grow(&self, new_capacity: usize) -> Result<Option<GrownBuffer>, GlError> {
        if new_capacity <= self.capacity {
            return Ok(None);
        }
        let gl = &self.gl;
        let raw = create_raw(gl, new_capacity)?;
        let grown = GrownBuffer {
            gl: Rc::clone(gl),
            raw,
            capacity: new_capacity,
            copied: self.capacity,
            source: self.raw,
            committed: false,
        };
        // `capacity` passed `check_size` when this buffer was made or grown.
        let len = self.capacity as i32;
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

    /// Replaces this buffer by `grown` and deletes the old one. Staged writes stay queued:
    /// their offsets are just as valid in the larger buffer.
    ///
    /// Fails with [`GlError::InvalidArgument`], changing nothing and deleting `grown`, when
    /// `grown` was not prepared from this buffer (in its current state) on its context.
    pub fn commit_grow(&mut self, mut grown: GrownBuffer) -> Result<(), GlError> {
        if grown.source != self.raw || !Rc::ptr_eq(&grown.gl, &self.gl) {
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
        if let Some(mirror) = &mut self.mirror {
            mirror.resize(grown.capacity, 0);
        }
        self.stats.grows += 1;
        self.stats.copied_bytes += grown.copied as u64;
        Ok(())
    }

    /// Grows to `new_capacity` bytes by a GPU copy; a capacity that is not larger is a no-op.
    /// On error this buffer is unchanged.
    pub fn grow(&mut self, new_capacity: usize) -> Result<(), GlError> {
        match self.prepare_grow(new_capacity)? {
            Some(grown) => self.commit_grow(grown),
            None => Ok(()),
        }
    }

    /// Stages `data` for bytes `offset..offset + data.len()`. Nothing reaches GL until
    /// [`flush`](Self::flush). Later writes win over earlier ones to the same bytes.
    #[inline]
    pub fn write(&mut self, offset: usize, data: &[u8]) -> Result<(), GlError> {
        if self.mirror.is_some() {
            return self.write_mirrored(offset, data);
        }
        // The common case, a write that extends the last run, appends without zero-filling.
        if let Some(last) = self.runs.last_mut() {
            if last.offset + last.len == offset && offset + data.len() <= self.capacity {
                last.len += data.len();
                self.staged.extend_from_slice(data);
                return Ok(());
            }
        }
        self.stage(offset, data.len())?.copy_from_slice(data);
        Ok(())
    }

    /// [`write`](Self::write) into a mirrored buffer: into the mirror, and a dirty run.
    #[inline(never)]
    fn write_mirrored(&mut self, offset: usize, data: &[u8]) -> Result<(), GlError> {
        self.check_range(offset, data.len())?;
        if let Some(mirror) = &mut self.mirror {
            mirror[offset..offset + data.len()].copy_from_slice(data);
        }
        self.mark_dirty(offset, data.len());
        Ok(())
    }

    /// Stages one value's bytes at `offset`: [`write`](Self::write) for a value whose size
    /// is known when compiling, which a mirrored buffer copies with no call.
    #[inline]
    pub fn write_value<T: bytemuck::Pod>(
        &mut self,
        offset: usize,
        value: &T,
    ) -> Result<(), GlError> {
        let len = std::mem::size_of::<T>();
        let Some(mirror) = &mut self.mirror else {
            return self.write(offset, bytemuck::bytes_of(value));
        };
        match mirror.get_mut(offset..offset.wrapping_add(len)) {
            Some(bytes) => bytes.copy_from_slice(bytemuck::bytes_of(value)),
            None => return Err(self.out_of_bounds(offset, len)),
        }
        self.mark_dirty(offset, len);
        Ok(())
    }

    /// Stages `len` bytes for `offset..offset + len` and returns them to be filled in place,
    /// which saves a copy when the caller computes the data. They are zeroed, or hold what
    /// was staged last when this exactly rewrites the end of the last staged run.
    pub fn stage(&mut self, offset: usize, len: usize) -> Result<&mut [u8], GlError> {
        self.check_range(offset, len)?;
        if self.mirror.is_some() {
            // Mirrored: the bytes are the mirror's own, holding the current contents.
            self.mark_dirty(offset, len);
            let mirror = self
                .mirror
                .as_mut()
                .ok_or_else(|| self_unmirrored("stage"))?;
            return Ok(&mut mirror[offset..offset + len]);
        }
        if let Some(last) = self.runs.last_mut() {
            // Rewriting the bytes staged last (a list created, then written): overwrite them
            // in place rather than staging them twice.
            let end = offset + len;
            if end == last.offset + last.len && offset >= last.offset {
                let from = self.staged.len() - len;
                return Ok(&mut self.staged[from..]);
            }
            if last.offset + last.len == offset {
                last.len += len;
            } else if len > 0 {
                self.runs.push(Run { offset, len });
            }
        } else if len > 0 {
            self.runs.push(Run { offset, len });
        }
        let from = self.staged.len();
        self.staged.resize(from + len, 0);
        Ok(&mut self.staged[from..])
    }

    /// Records `offset..offset + len` of a mirrored buffer as not yet uploaded: it extends
    /// the last run when it starts where that one ends.
    #[inline]
    fn mark_dirty(&mut self, offset: usize, len: usize) {
        match self.runs.last_mut() {
            Some(last) if last.offset + last.len == offset => last.len += len,
            _ if len == 0 => {}
            _ => self.runs.push(Run { offset, len }),
        }
    }

    /// Stages, in a mirrored buffer, a copy of its bytes `src..src + len` to `dst`: the
    /// mirror is updated now and GL at the next flush, so no GPU copy or readback runs.
    /// The ranges may overlap. Fails on an unmirrored buffer or a range outside it.
    pub fn stage_copy(&mut self, src: usize, dst: usize, len: usize) -> Result<(), GlError> {
        self.check_range(src, len)?;
        self.check_range(dst, len)?;
        let mirror = self
            .mirror
            .as_mut()
            .ok_or_else(|| self_unmirrored("stage_copy"))?;
        // Records of a vec4 and smaller move as one value: a call to memmove would cost more
        // than the copy.
        match len {
            4 => copy_value::<4>(mirror, src, dst),
            8 => copy_value::<8>(mirror, src, dst),
            16 => copy_value::<16>(mirror, src, dst),
            _ => mirror.copy_within(src..src + len, dst),
        }
        self.mark_dirty(dst, len);
        Ok(())
    }

    /// Sends every staged write to GL: one mapping of the dirty span, or one
    /// `glBufferSubData` per run when a few small runs lie far apart.
    pub fn flush(&mut self) -> Result<(), GlError> {
        if self.runs.is_empty() {
            return Ok(());
        }
        let start = self.runs.iter().map(|r| r.offset).min().unwrap_or(0);
        let end = self
            .runs
            .iter()
            .map(|r| r.offset + r.len)
            .max()
            .unwrap_or(0);
        let span = end - start;
        let gl = &self.gl;
        check_clean(gl, "GlBuffer::flush")?;
        // SAFETY: binding a live buffer name.
        unsafe { gl.bind_buffer(glow::COPY_WRITE_BUFFER, Some(self.raw)) };
        let dirty: usize = self.runs.iter().map(|r| r.len).sum();
        // The bytes of each run, in order: from the staging queue, or from the mirror.
        let (staged, mirror) = (&self.staged, self.mirror.as_deref());
        let mut from = 0;
        let mut source = |run: &Run| -> &[u8] {
            match mirror {
                Some(mirror) => &mirror[run.offset..run.offset + run.len],
                None => {
                    from += run.len;
                    &staged[from - run.len..from]
                }
            }
        };
        let sparse =
            self.runs.len() <= SPARSE_RUN_LIMIT && dirty.saturating_mul(SPARSE_SPAN_RATIO) < span;
        let result = if sparse {
            for run in &self.runs {
                // SAFETY: the run lies inside the buffer (write's invariant); the slice is
                // exactly the run's bytes.
                unsafe {
                    gl.buffer_sub_data_u8_slice(
                        glow::COPY_WRITE_BUFFER,
                        run.offset as i32,
                        source(run),
                    );
                }
            }
            inject(gl, Site::Flush);
            check_gl(gl, "glBufferSubData (flush)")
        } else {
            // One run covering the span may discard the span's old contents.
            let invalidate = if self.runs.len() == 1 {
                glow::MAP_INVALIDATE_RANGE_BIT
            } else {
                0
            };
            // SAFETY: start..end lies inside the buffer; the buffer is not mapped.
            let ptr = unsafe {
                gl.map_buffer_range(
                    glow::COPY_WRITE_BUFFER,
                    start as i32,
                    span as i32,
                    glow::MAP_WRITE_BIT | invalidate,
                )
            };
            if ptr.is_null() {
                check_gl(gl, "glMapBufferRange (flush)").and(Err(GlError::MapFailed {
                    offset: start,
                    len: span,
                }))
            } else {
                for run in &self.runs {
                    let bytes = source(run);
                    // SAFETY: `ptr` maps `span` writable bytes from `start`; the run lies in
                    // start..end, and the source slice is the run's bytes, which live in CPU
                    // memory that cannot overlap the mapping.
                    unsafe {
                        std::ptr::copy_nonoverlapping(
                            bytes.as_ptr(),
                            ptr.add(run.offset - start),
                            run.len,
                        );
                    }
                }
                // SAFETY: the buffer bound to COPY_WRITE_BUFFER is mapped.
                unsafe { gl.unmap_buffer(glow::COPY_WRITE_BUFFER) };
                inject(gl, Site::Flush);
                check_gl(gl, "glMapBufferRange (flush)")
            }
        };
        // SAFETY: unbinding is always valid.
        unsafe { gl.bind_buffer(glow::COPY_WRITE_BUFFER, None) };
        // On error the runs stay staged: a later flush sends them again, so nothing is lost.
        result?;
        self.stats.uploaded_bytes += dirty as u64;
        self.stats.flushes += 1;
        self.runs.clear();
        self.staged.clear();
        Ok(())
    }

    /// Reads bytes `offset..offset + len` back from GL (flushing staged writes first), by
    /// mapping the range for reading. For `read` APIs and tests, not for frames: it waits for
    /// the GPU.
    pub fn read(&mut self, offset: usize, len: usize) -> Result<Vec<u8>, GlError> {
        self.check_range(offset, len)?;
        self.flush()?;
        if len == 0 {
            return Ok(Vec::new());
        }
        let gl = &self.gl;
        check_clean(gl, "GlBuffer::read")?;
        // SAFETY: binding a live buffer; the range lies inside it (checked above).
        let ptr = unsafe {
            gl.bind_buffer(glow::COPY_READ_BUFFER, Some(self.raw));
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

    /// Copies `len` bytes from `src` to `dst` inside this buffer on the GPU. The ranges must
    /// not overlap (GL forbids it). Staged writes are flushed first so the copy carries them.
    pub fn copy_within(&mut self, src: usize, dst: usize, len: usize) -> Result<(), GlError> {
        self.check_range(src, len)?;
        self.check_range(dst, len)?;
        if src < dst + len && dst < src + len && len > 0 {
            return Err(GlError::OverlappingCopy { src, dst, len });
        }
        self.flush()?;
        copy_raw(&self.gl, self.raw, src, self.raw, dst, len)?;
        self.stats.copied_bytes += len as u64;
        if let Some(mirror) = &mut self.mirror {
            mirror.copy_within(src..src + len, dst);
        }
        Ok(())
    }

    /// Copies `len` bytes from `src` in this buffer to `dst` in `target` on the GPU. Both
    /// buffers' staged writes are flushed first: the source's so the copy carries them, the
    /// target's so none lands later on the copied bytes. A mirrored target takes the bytes
    /// from a mirrored source's mirror too; an unmirrored source cannot feed one.
    pub fn copy_to(
        &mut self,
        src: usize,
        target: &mut GlBuffer,
        dst: usize,
        len: usize,
    ) -> Result<(), GlError> {
        self.check_range(src, len)?;
        target.check_range(dst, len)?;
        if target.mirror.is_some() && self.mirror.is_none() {
            return Err(self_unmirrored("copy_to a mirrored buffer"));
        }
        self.flush()?;
        target.flush()?;
        copy_raw(&self.gl, self.raw, src, target.raw, dst, len)?;
        target.stats.copied_bytes += len as u64;
        if let (Some(from), Some(to)) = (&self.mirror, &mut target.mirror) {
            to[dst..dst + len].copy_from_slice(&from[src..src + len]);
        }
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

/// The error of a mirror operation on a buffer without a mirror.
#[cold]
fn self_unmirrored(operation: &str) -> GlError {
    GlError::InvalidArgument {
        operation: "GlBuffer",
        message: format!("{operation} needs a mirrored buffer (GlBuffer::mirrored)"),
    }
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
            .field("pending_runs", &self.runs.len())
            .field("stats", &self.stats)
            .finish()
    }
}
