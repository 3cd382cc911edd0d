//! Writes straight into the destination buffer: one mapping of its dirty span
//! ([`StreamPath::Map`](super::StreamPath::Map), and the staging paths' bytes no queued
//! command reaches), or `glBufferSubData` per span
//! ([`StreamPath::SubData`](super::StreamPath::SubData)).

use glow::HasContext;

use super::staging::{copy_spans, Place};
use super::{Stream, StreamPath};
use crate::backend::dirty::Span;
use crate::backend::{check_gl, GlError};

impl Stream {
    /// One mapping of `dst` covering `spans` (invalidating it when one span covers it),
    /// with each span copied in from `mirror`. `sync` maps synchronized; otherwise the
    /// spans must lie where no queued command reaches and the map is unsynchronized.
    pub(super) fn write_in_place(
        &mut self,
        dst: glow::Buffer,
        mirror: &[u8],
        spans: impl Iterator<Item = Span> + Clone,
        sync: bool,
        idle: usize,
    ) -> Result<(), GlError> {
        let (Some(first), Some(last)) = (spans.clone().next(), spans.clone().last()) else {
            return Ok(());
        };
        let (start, end) = (first.start, last.end);
        let single = first == last;
        let mut flags = glow::MAP_WRITE_BIT;
        if single {
            flags |= glow::MAP_INVALIDATE_RANGE_BIT;
        }
        if !sync {
            flags |= glow::MAP_UNSYNCHRONIZED_BIT;
        }
        let gl = &self.gl;
        // SAFETY: `dst` is a live buffer and start..end lies inside it (the spans come from
        // its dirty set, clamped to its capacity); it is not mapped.
        let ptr = unsafe {
            gl.bind_buffer(glow::COPY_WRITE_BUFFER, Some(dst));
            gl.map_buffer_range(
                glow::COPY_WRITE_BUFFER,
                start as i32,
                (end - start) as i32,
                flags,
            )
        };
        let result = if ptr.is_null() {
            check_gl(gl, "glMapBufferRange (upload)").and(Err(GlError::MapFailed {
                offset: start,
                len: end - start,
            }))
        } else {
            // SAFETY: `ptr` maps start..end for writing, and every span lies inside it.
            let bytes = unsafe { copy_spans(mirror, spans, ptr, Place::AtOffset(start)) };
            // SAFETY: the buffer bound to COPY_WRITE_BUFFER is mapped.
            unsafe { gl.unmap_buffer(glow::COPY_WRITE_BUFFER) };
            if sync {
                self.stats.in_place_bytes += bytes;
                self.stats.in_use_writes += u64::from(start < idle);
            } else {
                self.stats.direct_bytes += bytes;
            }
            Ok(())
        };
        // SAFETY: unbinding is always valid.
        unsafe { gl.bind_buffer(glow::COPY_WRITE_BUFFER, None) };
        result
    }

    /// One `glBufferSubData` into `dst` per span. Spans at or past `idle` count as direct
    /// bytes (nothing queued reads them), the others as in-place writes.
    pub(super) fn sub_data(
        &mut self,
        dst: glow::Buffer,
        mirror: &[u8],
        spans: impl Iterator<Item = Span>,
        idle: usize,
    ) -> Result<(), GlError> {
        let gl = &self.gl;
        // SAFETY: binding a live buffer.
        unsafe { gl.bind_buffer(glow::COPY_WRITE_BUFFER, Some(dst)) };
        for span in spans {
            // SAFETY: the span lies inside the buffer; the slice is exactly its bytes.
            unsafe {
                gl.buffer_sub_data_u8_slice(
                    glow::COPY_WRITE_BUFFER,
                    span.start as i32,
                    &mirror[span.start..span.end],
                );
            }
            if span.start < idle {
                self.stats.in_place_bytes += span.len() as u64;
                self.stats.in_use_writes += 1;
            } else if self.path == StreamPath::SubData {
                self.stats.in_place_bytes += span.len() as u64;
            } else {
                self.stats.direct_bytes += span.len() as u64;
            }
        }
        // SAFETY: unbinding is always valid.
        unsafe { gl.bind_buffer(glow::COPY_WRITE_BUFFER, None) };
        Ok(())
    }
}
