//! Staging: the spans of a flush packed into staging memory (the ring, an orphaned buffer,
//! or a re-specified one) and copied into their buffer on the GPU, ordered after the draws
//! that read the old bytes.

use std::sync::Arc;

use glow::HasContext;

use super::ring::no_ring;
use super::{RingSpan, Stream, StreamPath};
use crate::backend::buffer::type_as_index;
use crate::backend::dirty::Span;
use crate::backend::{check_gl, GlError, MAX_BUFFER_BYTES};

/// Where [`copy_spans`] puts each span.
#[derive(Clone, Copy)]
pub(super) enum Place {
    /// Back to back from the destination pointer.
    Packed,
    /// At the span's own offset less this one: the pointer maps the buffer from there.
    AtOffset(usize),
}

/// Copies each span of `mirror` to `dst`, placed as `place` says, and returns the bytes
/// copied.
///
/// # Safety
/// `dst` must be valid for writes of every placed span, and must not point into `mirror`.
pub(super) unsafe fn copy_spans(
    mirror: &[u8],
    spans: impl Iterator<Item = Span>,
    dst: *mut u8,
    place: Place,
) -> u64 {
    let mut packed = 0;
    for span in spans {
        let at = match place {
            Place::Packed => packed,
            Place::AtOffset(origin) => span.start - origin,
        };
        // SAFETY: the caller's contract: `dst + at` is valid for the span's bytes, and the
        // source is `mirror`'s own, which `dst` does not alias.
        unsafe {
            std::ptr::copy_nonoverlapping(
                mirror[span.start..span.end].as_ptr(),
                dst.add(at),
                span.len(),
            )
        };
        packed += span.len();
    }
    packed as u64
}

impl Stream {
    /// Stages `spans` of `mirror` and copies them into `dst` on the GPU, in batches of at
    /// most a chunk's bytes.
    pub(super) fn stage(
        &mut self,
        dst: glow::Buffer,
        index: bool,
        mirror: &[u8],
        spans: impl Iterator<Item = Span>,
    ) -> Result<(), GlError> {
        let chunk = match self.path {
            StreamPath::Ring => self.ring_chunk(),
            _ => MAX_BUFFER_BYTES,
        };
        let mut batch = std::mem::take(&mut self.batch);
        batch.clear();
        let mut bytes = 0;
        let mut result = Ok(());
        'spans: for span in spans {
            let mut start = span.start;
            while start < span.end {
                let take = (span.end - start).min(chunk - bytes);
                batch.push(Span {
                    start,
                    end: start + take,
                });
                bytes += take;
                start += take;
                if bytes == chunk {
                    result = self.stage_batch(dst, index, mirror, &batch, bytes);
                    batch.clear();
                    bytes = 0;
                    if result.is_err() {
                        break 'spans;
                    }
                }
            }
        }
        if result.is_ok() && bytes > 0 {
            result = self.stage_batch(dst, index, mirror, &batch, bytes);
        }
        self.batch = batch;
        result
    }

    /// Copies the `batch` (`bytes` in all) into staging memory back to back, then into
    /// `dst` with one `glCopyBufferSubData` per span.
    pub(super) fn stage_batch(
        &mut self,
        dst: glow::Buffer,
        index: bool,
        mirror: &[u8],
        batch: &[Span],
        bytes: usize,
    ) -> Result<(), GlError> {
        let (staging, base) = match self.path {
            StreamPath::Ring => {
                let at = self.ring_alloc(bytes)?;
                let ring = self.ring.as_mut().ok_or_else(no_ring)?;
                // SAFETY: `ptr` maps the whole ring, and at..at + bytes is free ring space
                // inside it (ring_alloc) that the spans, `bytes` in all, fill.
                unsafe {
                    copy_spans(
                        mirror,
                        batch.iter().copied(),
                        ring.ptr.add(at),
                        Place::Packed,
                    )
                };
                ring.spans.push_back(RingSpan {
                    start: at,
                    frame: self.frame,
                });
                ring.head = at + bytes;
                (ring.raw, at)
            }
            StreamPath::Respecify => (self.respecify_fill(index, mirror, batch, bytes)?, 0),
            _ => (self.orphan_fill(mirror, batch, bytes)?, 0),
        };
        let gl = &self.gl;
        // SAFETY: both are live buffers; each source range lies inside the staging bytes
        // just written and each destination span inside `dst`; staging and destination are
        // different buffers.
        unsafe {
            gl.bind_buffer(glow::COPY_READ_BUFFER, Some(staging));
            gl.bind_buffer(glow::COPY_WRITE_BUFFER, Some(dst));
            let mut from = base;
            for span in batch {
                gl.copy_buffer_sub_data(
                    glow::COPY_READ_BUFFER,
                    glow::COPY_WRITE_BUFFER,
                    from as i32,
                    span.start as i32,
                    span.len() as i32,
                );
                from += span.len();
            }
            gl.bind_buffer(glow::COPY_READ_BUFFER, None);
            gl.bind_buffer(glow::COPY_WRITE_BUFFER, None);
        }
        self.staged_this_frame = true;
        self.stats.staged_bytes += bytes as u64;
        self.stats.staged_copies += batch.len() as u64;
        Ok(())
    }

    /// Re-specifies the orphaned staging buffer (creating it the first time), maps it
    /// unsynchronized and fills it with the batch. Returns its name.
    pub(super) fn orphan_fill(
        &mut self,
        mirror: &[u8],
        batch: &[Span],
        bytes: usize,
    ) -> Result<glow::Buffer, GlError> {
        let gl = Arc::clone(&self.gl);
        let (raw, size) = match self.orphan {
            Some((raw, size)) if size >= bytes => (raw, size),
            _ => {
                let size = bytes.next_power_of_two().min(MAX_BUFFER_BYTES);
                let raw = match self.orphan {
                    Some((raw, _)) => raw,
                    None => {
                        // SAFETY: plain object creation on the current context.
                        unsafe { gl.create_buffer() }.map_err(|message| GlError::Create {
                            object: "staging buffer",
                            message,
                        })?
                    }
                };
                self.orphan = Some((raw, size));
                (raw, size)
            }
        };
        // SAFETY: `raw` is our staging buffer; re-specifying it orphans the old storage,
        // which queued copies keep alive; the mapped range lies inside the new storage.
        let ptr = unsafe {
            gl.bind_buffer(glow::COPY_READ_BUFFER, Some(raw));
            gl.buffer_data_size(glow::COPY_READ_BUFFER, size as i32, glow::STREAM_DRAW);
            gl.map_buffer_range(
                glow::COPY_READ_BUFFER,
                0,
                bytes as i32,
                glow::MAP_WRITE_BIT
                    | glow::MAP_INVALIDATE_BUFFER_BIT
                    | glow::MAP_UNSYNCHRONIZED_BIT,
            )
        };
        let result = if ptr.is_null() {
            check_gl(&gl, "glMapBufferRange (staging)").and(Err(GlError::MapFailed {
                offset: 0,
                len: bytes,
            }))
        } else {
            // SAFETY: `ptr` maps `bytes` writable bytes, which the spans fill.
            unsafe { copy_spans(mirror, batch.iter().copied(), ptr, Place::Packed) };
            // SAFETY: the buffer bound to COPY_READ_BUFFER is mapped.
            unsafe { gl.unmap_buffer(glow::COPY_READ_BUFFER) };
            Ok(raw)
        };
        // SAFETY: unbinding is always valid.
        unsafe { gl.bind_buffer(glow::COPY_READ_BUFFER, None) };
        result
    }

    /// Re-specifies the staging buffer (creating it the first time) with the batch, packed,
    /// as its data: one `glBufferData`, which hands out fresh storage and never maps.
    /// Batches for an `index` buffer go through a staging buffer of their own, typed for
    /// indices ([`type_as_index`]). Returns its name.
    pub(super) fn respecify_fill(
        &mut self,
        index: bool,
        mirror: &[u8],
        batch: &[Span],
        bytes: usize,
    ) -> Result<glow::Buffer, GlError> {
        let slot = if index {
            &mut self.index_staging
        } else {
            &mut self.respecified
        };
        let raw = match *slot {
            Some(raw) => raw,
            None => {
                // SAFETY: plain object creation on the current context.
                let raw =
                    unsafe { self.gl.create_buffer() }.map_err(|message| GlError::Create {
                        object: "staging buffer",
                        message,
                    })?;
                if index {
                    type_as_index(&self.gl, raw);
                }
                *slot = Some(raw);
                raw
            }
        };
        self.packed.clear();
        self.packed.reserve(bytes);
        for span in batch {
            self.packed.extend_from_slice(&mirror[span.start..span.end]);
        }
        let gl = &self.gl;
        // SAFETY: `raw` is our staging buffer; re-specifying it orphans the old storage,
        // which queued copies keep alive; the slice is read during the call only.
        unsafe {
            gl.bind_buffer(glow::COPY_READ_BUFFER, Some(raw));
            gl.buffer_data_u8_slice(glow::COPY_READ_BUFFER, &self.packed, glow::STREAM_DRAW);
            gl.bind_buffer(glow::COPY_READ_BUFFER, None);
        }
        Ok(raw)
    }

    /// Deletes the ring and the orphaned staging buffer, if any.
    pub(super) fn drop_staging(&mut self) {
        self.drop_ring();
        let respecified = [self.respecified.take(), self.index_staging.take()];
        let orphan = self.orphan.take().map(|(raw, _)| raw);
        for raw in respecified.into_iter().chain([orphan]).flatten() {
            // SAFETY: the staging buffer is ours; queued copies keep its storage alive.
            unsafe { self.gl.delete_buffer(raw) };
        }
    }
}
