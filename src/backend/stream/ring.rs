//! The staging ring of [`StreamPath::Ring`](super::StreamPath::Ring): one persistently
//! mapped buffer, its allocations by frame, and how space is reclaimed (by fence, by
//! growing, or by waiting for a frame more than `frames_ahead` old).

use std::collections::VecDeque;

use glow::HasContext;

use super::{Stream, MAX_RING_BYTES};
use crate::backend::fault::{inject, Site};
use crate::backend::{check_clean, check_gl, GlError, MAX_BUFFER_BYTES};

/// Ring spans room is made for when a ring is created: a few per frame (one per buffer
/// flushed), for the frames the ring holds.
pub(super) const RING_SPANS: usize = 64;
/// Ring allocations start at multiples of this, so the CPU copies into aligned memory.
pub(super) const RING_ALIGN: usize = 64;

/// A ring allocation not yet known to be consumed, from `start` up to the next span's
/// start (or the ring's head), written in `frame`.
#[derive(Debug, Clone, Copy)]
pub(super) struct RingSpan {
    pub(super) start: usize,
    pub(super) frame: u64,
}

/// The persistently mapped staging buffer.
///
/// Invariants: `spans` are in allocation order, each inside `0..capacity`, and together
/// with `head` they describe one ring: occupied bytes run from the first span's start to
/// `head`, wrapping past `capacity` at most once. `ptr` maps all `capacity` bytes for
/// writing until the buffer is deleted.
pub(super) struct Ring {
    pub(super) raw: glow::Buffer,
    pub(super) ptr: *mut u8,
    pub(super) capacity: usize,
    pub(super) head: usize,
    pub(super) spans: VecDeque<RingSpan>,
}

impl Ring {
    /// Where `len` bytes fit now, and whether taking them wraps to the start.
    pub(super) fn free_at(&self, len: usize) -> Option<(usize, bool)> {
        let head = self.head.next_multiple_of(RING_ALIGN);
        let tail = self.spans.front().map(|s| s.start);
        match tail {
            // Empty, or occupied from `tail` up to `head` without wrapping.
            None if head + len <= self.capacity => Some((head, false)),
            None => Some((0, true)),
            Some(tail) if tail < self.head => {
                if head + len <= self.capacity {
                    Some((head, false))
                } else if len <= tail {
                    Some((0, true))
                } else {
                    None
                }
            }
            // Wrapped: the free bytes lie between `head` and `tail`.
            Some(tail) => (head + len <= tail).then_some((head, false)),
        }
    }
}

/// The error of a ring operation with no ring (not reachable after `ring_alloc`).
#[cold]
pub(super) fn no_ring() -> GlError {
    GlError::InvalidArgument {
        operation: "Stream",
        message: "no staging ring".to_owned(),
    }
}

/// Creates a buffer of `capacity` bytes, persistently and coherently mapped for writing,
/// and returns it with its mapping. Always checked: this is where `GL_OUT_OF_MEMORY` shows.
pub(super) fn create_ring(
    gl: &glow::Context,
    capacity: usize,
) -> Result<(glow::Buffer, *mut u8), GlError> {
    let size = i32::try_from(capacity).map_err(|_| GlError::TooLarge {
        requested: capacity as u64,
        limit: MAX_BUFFER_BYTES as u64,
    })?;
    check_clean(gl, "Stream (create ring)")?;
    // SAFETY: plain object creation on the current context.
    let raw = unsafe { gl.create_buffer() }.map_err(|message| GlError::Create {
        object: "staging ring",
        message,
    })?;
    let flags = glow::MAP_WRITE_BIT | glow::MAP_PERSISTENT_BIT | glow::MAP_COHERENT_BIT;
    // SAFETY: `raw` is a fresh buffer; its immutable storage is `size` bytes, all of which
    // are mapped with the flags the storage was made with.
    let ptr = unsafe {
        gl.bind_buffer(glow::COPY_WRITE_BUFFER, Some(raw));
        gl.buffer_storage(glow::COPY_WRITE_BUFFER, size, None, flags);
        gl.map_buffer_range(glow::COPY_WRITE_BUFFER, 0, size, flags)
    };
    inject(gl, Site::Staging);
    let checked = check_gl(gl, "glBufferStorage (staging ring)");
    // SAFETY: unbinding is always valid.
    unsafe { gl.bind_buffer(glow::COPY_WRITE_BUFFER, None) };
    if checked.is_err() || ptr.is_null() {
        // SAFETY: `raw` is ours and referenced nowhere else.
        unsafe { gl.delete_buffer(raw) };
        checked?;
        return Err(GlError::MapFailed {
            offset: 0,
            len: capacity,
        });
    }
    Ok((raw, ptr))
}

impl Stream {
    /// The most bytes one ring batch holds.
    pub(super) fn ring_chunk(&self) -> usize {
        if self.config.ring_grows {
            MAX_RING_BYTES / 4
        } else {
            (self.config.ring_bytes / 2).max(RING_ALIGN)
        }
    }

    /// Free ring space for `len` bytes: reclaims the space of signalled frames, waits for
    /// a frame more than `frames_ahead` old, and grows the ring rather than wait for a
    /// younger one. Returns the offset.
    pub(super) fn ring_alloc(&mut self, len: usize) -> Result<usize, GlError> {
        loop {
            let Some(ring) = self.ring.as_ref().filter(|r| r.capacity >= len) else {
                self.grow_ring(len)?;
                continue;
            };
            if let Some((at, wraps)) = ring.free_at(len) {
                self.stats.ring_wraps += u64::from(wraps);
                return Ok(at);
            }
            let oldest = ring.spans.front().map_or(self.frame, |s| s.frame);
            self.reclaim(oldest, len)?;
        }
    }

    /// Frees the ring space of the oldest frame still in it, `oldest`: by retiring it when
    /// its fence has signalled, else by waiting for it when it is more than
    /// `frames_ahead` frames old (or the ring cannot grow), else by growing the ring.
    pub(super) fn reclaim(&mut self, oldest: u64, len: usize) -> Result<(), GlError> {
        if oldest <= self.retired {
            self.retire_spans();
            return Ok(());
        }
        let can_grow = self.can_grow(len);
        let fence = self.fences.iter().position(|&(f, _)| f >= oldest);
        let Some(i) = fence else {
            // The space is this frame's own, not fenced yet.
            if can_grow {
                return self.grow_ring(len);
            }
            // Fence what is queued so far and wait for it. The rest of the frame counts
            // as a frame of its own, so that retiring this fence frees only what it covers.
            let so_far = self.frame;
            self.frame += 1;
            self.fence(so_far)?;
            let last = self.fences.len() - 1;
            self.stats.early_waits += 1;
            return self.wait(last);
        };
        if self.poll(i)? {
            self.retire_through(i);
            return Ok(());
        }
        let old = self.frame - oldest > u64::from(self.config.frames_ahead);
        if old || !can_grow {
            self.stats.early_waits += u64::from(!old);
            self.wait(i)
        } else {
            self.grow_ring(len)
        }
    }

    /// Whether the ring may grow to hold a `len`-byte allocation beside what it holds.
    pub(super) fn can_grow(&self, len: usize) -> bool {
        let capacity = self.ring.as_ref().map_or(0, |r| r.capacity);
        self.config.ring_grows && capacity < MAX_RING_BYTES || capacity < len
    }

    /// Replaces the ring by an empty one large enough for `len` bytes: twice as large, at
    /// least. The old ring is deleted; queued copies from it still run (GL keeps it alive).
    pub(super) fn grow_ring(&mut self, len: usize) -> Result<(), GlError> {
        let old = self.ring.as_ref().map_or(0, |r| r.capacity);
        let floor = self.config.ring_bytes.max(RING_ALIGN);
        let grown = if self.config.ring_grows {
            (old * 2).max(floor).min(MAX_RING_BYTES)
        } else {
            floor
        };
        let capacity = grown.max(len.next_multiple_of(RING_ALIGN));
        let (raw, ptr) = create_ring(&self.gl, capacity)?;
        // The old ring's span queue is reused: growing allocates nothing on the CPU heap.
        let mut spans = match &mut self.ring {
            Some(old) => std::mem::take(&mut old.spans),
            None => VecDeque::with_capacity(RING_SPANS),
        };
        spans.clear();
        let ring = Ring {
            raw,
            ptr,
            capacity,
            head: 0,
            spans,
        };
        self.drop_ring();
        if old > 0 {
            self.stats.ring_grows += 1;
        }
        self.ring = Some(ring);
        Ok(())
    }

    /// Deletes the ring, if any.
    pub(super) fn drop_ring(&mut self) {
        if let Some(ring) = self.ring.take() {
            // SAFETY: the ring is ours; deleting a mapped buffer unmaps it, and queued
            // copies from it keep its storage alive.
            unsafe { self.gl.delete_buffer(ring.raw) };
        }
    }

    /// Frees the ring spans of retired frames.
    pub(super) fn retire_spans(&mut self) {
        if let Some(ring) = &mut self.ring {
            while ring.spans.front().is_some_and(|s| s.frame <= self.retired) {
                ring.spans.pop_front();
            }
        }
    }
}
