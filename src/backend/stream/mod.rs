//! [`Stream`]: how staged bytes reach GL buffers that queued draws may still be reading.

//!
//! One file per job: [`path`] (which way bytes travel, and the settings), [`stats`], the
//! frames' [`fences`], [`staging`] through the [`ring`] or a staging buffer, and [`direct`]
//! writes into the destination.

mod direct;
mod fences;
mod path;
mod ring;
mod staging;
mod stats;

use std::collections::VecDeque;
use std::sync::Arc;

use glow::HasContext;

use super::dirty::Span;
use super::error::{validate_gl, GlError};
use super::fault::{inject, Site};
pub(crate) use fences::Busy;
use fences::MAX_FENCES;
pub use path::{StreamConfig, StreamPath, WEB_DEFAULT};
use ring::{Ring, RingSpan};
pub use stats::StreamStats;

/// The ring's first capacity, unless [`StreamConfig::ring_bytes`] asks for another.
pub const DEFAULT_RING_BYTES: usize = 64 << 10;

/// The largest ring a stream grows to. Beyond it the ring waits for space instead, and
/// uploads larger than a quarter of it go through in chunks.
pub const MAX_RING_BYTES: usize = 64 << 20;

/// [`StreamConfig::frames_ahead`] by default: the CPU may be two frames ahead of the GPU
/// without waiting, as with triple buffering.
const DEFAULT_FRAMES_AHEAD: u32 = 2;

/// Moves staged bytes into GL buffers by the path of its [`StreamConfig`], and keeps the
/// frames' fences. One per domain.
///
/// On a GPU the draws of the last frame or two are still queued when the next frame writes
/// its updates. Writing into a buffer those draws read (`glMapBufferRange` without
/// `GL_MAP_UNSYNCHRONIZED_BIT`, or `glBufferSubData`) makes the driver wait for them, or
/// copy behind the caller's back. A stream moves the bytes a different way, chosen by
/// [`StreamPath`]:
///
/// - [`StreamPath::Ring`]: a staging ring, one buffer made with `glBufferStorage` and mapped
///   once, persistently and coherently. The CPU copies staged bytes into free ring space,
///   and `glCopyBufferSubData` moves them into the destination on the GPU, ordered after the
///   draws that read the old bytes, so nothing waits. Each frame's part of the ring is
///   guarded by a fence (`glFenceSync`, made by [`Stream::end_frame`]); ring space is reused
///   once its fence has signalled. The CPU waits on a fence only when it needs the space of
///   a frame more than [`StreamConfig::frames_ahead`] frames old; space of a younger frame is
///   never waited for: the ring grows instead.
/// - [`StreamPath::Orphan`]: where buffer storage is missing (GLES 3.0, GL before 4.4), a
///   staging buffer re-specified by `glBufferData(NULL)` at each upload (so the driver hands
///   out fresh storage instead of waiting) and mapped with
///   `GL_MAP_INVALIDATE_BUFFER_BIT | GL_MAP_UNSYNCHRONIZED_BIT`, then copied on the GPU.
/// - [`StreamPath::SubData`] and [`StreamPath::Map`]: `glBufferSubData` per span, or one
///   mapping of the whole dirty span, straight into the destination: the paths that can make
///   the CPU wait, kept to compare with and for contexts where they are fastest.
///
/// On the two staging paths, bytes that no queued GPU command can touch are written
/// straight into the destination through an unsynchronized mapping: a buffer records how far
/// its queued draws and copies reach, and everything past that is free to write
/// now. That keeps large one-off uploads (a level load, creating a hundred thousand sprites
/// into freshly grown buffers) at one CPU copy.
///
/// [`StreamStats`] count what went which way; [`StreamStats::in_use_writes`], the writes
/// into ranges queued draws may read, stays 0 on the staging paths.
///
/// GL state touched: the `GL_COPY_READ_BUFFER` and `GL_COPY_WRITE_BUFFER` bindings, left
/// unbound, as in [`GlBuffer`](super::GlBuffer).
///
/// Owns its staging buffers and fences and deletes them on drop: the context must be
/// current then.
pub struct Stream {
    gl: Arc<glow::Context>,
    config: StreamConfig,
    path: StreamPath,
    ring: Option<Ring>,
    /// The orphaned staging buffer and the size it is re-specified with.
    orphan: Option<(glow::Buffer, usize)>,
    /// [`StreamPath::Respecify`]'s staging buffers: one for vertex data, one typed for
    /// indices.
    respecified: Option<glow::Buffer>,
    index_staging: Option<glow::Buffer>,
    /// Scratch: a batch packed for [`StreamPath::Respecify`]'s one `glBufferData`.
    packed: Vec<u8>,
    /// The frame now being written, from 1.
    frame: u64,
    /// Whether this frame staged bytes, so that [`end_frame`](Self::end_frame) fences it.
    staged_this_frame: bool,
    /// Fences of ended frames not yet known to have signalled, oldest first.
    fences: VecDeque<(u64, glow::Fence)>,
    /// The newest frame whose GPU work is known complete.
    retired: u64,
    /// Scratch: one batch of spans to stage together.
    batch: Vec<Span>,
    stats: StreamStats,
}

impl Stream {
    /// A stream on `gl`. Creates no GL object until its first upload. Fails with
    /// [`GlError::Unsupported`] when the configured path needs what `gl` lacks.
    pub fn new(gl: &Arc<glow::Context>, config: StreamConfig) -> Result<Self, GlError> {
        let gl = Arc::clone(gl);
        let path = config.resolve(&gl)?;
        Ok(Stream {
            gl,
            config,
            path,
            ring: None,
            orphan: None,
            respecified: None,
            index_staging: None,
            packed: Vec::new(),
            frame: 1,
            staged_this_frame: false,
            fences: VecDeque::with_capacity(MAX_FENCES),
            retired: 0,
            batch: Vec::new(),
            stats: StreamStats::default(),
        })
    }

    /// The path it takes.
    pub fn path(&self) -> StreamPath {
        self.path
    }

    /// Its configuration.
    pub fn config(&self) -> StreamConfig {
        self.config
    }

    /// What it has done so far.
    pub fn stats(&self) -> StreamStats {
        StreamStats {
            ring_capacity: self.ring.as_ref().map_or(0, |r| r.capacity as u64),
            ..self.stats
        }
    }

    /// The frame now being written (from 1; each [`end_frame`](Self::end_frame) adds one).
    pub fn frame(&self) -> u64 {
        self.frame
    }

    /// Switches to `config`. Staging buffers are dropped (GL keeps them alive until the
    /// copies reading them have run); frames and their fences are kept. On error nothing
    /// changed.
    pub fn reconfigure(&mut self, config: StreamConfig) -> Result<(), GlError> {
        self.path = config.resolve(&self.gl)?;
        self.config = config;
        self.drop_staging();
        Ok(())
    }

    /// Sends the `spans` of `mirror` (the buffer's CPU copy) to `dst`, whose queued work
    /// reaches as `busy` says, by this stream's path. Returns the buffer's new [`Busy`].
    /// `index` says that `dst` holds indices: WebGL2 copies into an index buffer only from
    /// another, so [`StreamPath::Respecify`] stages indices in a staging buffer of their own.
    /// On error the caller keeps the spans dirty and sends them again later: every path
    /// writes from the mirror, so a repeat is harmless.
    pub(crate) fn upload(
        &mut self,
        dst: glow::Buffer,
        index: bool,
        mirror: &[u8],
        spans: &[Span],
        mut busy: Busy,
    ) -> Result<Busy, GlError> {
        let idle = self.idle_from(busy);
        let result = match self.path {
            StreamPath::Ring | StreamPath::Orphan | StreamPath::Respecify => {
                let below = spans.iter().filter_map(|s| clip(s.start, s.end.min(idle)));
                let above = spans.iter().filter_map(|s| clip(s.start.max(idle), s.end));
                let direct = if self.path == StreamPath::Respecify {
                    self.sub_data(dst, mirror, above, idle)
                } else {
                    self.write_in_place(dst, mirror, above, false, idle)
                };
                direct.and_then(|()| self.stage(dst, index, mirror, below))
            }
            StreamPath::SubData => self.sub_data(dst, mirror, spans.iter().copied(), idle),
            StreamPath::Map => self.write_in_place(dst, mirror, spans.iter().copied(), true, idle),
        };
        inject(&self.gl, Site::Flush);
        let checked = validate_gl(&self.gl, "Stream::upload");
        result.and(checked)?;
        // The GPU copies of staged spans are queued commands on the destination.
        let reach = spans.iter().map(|s| s.end.min(idle)).max().unwrap_or(0);
        if self.path.stages() && reach > 0 {
            busy.touch(reach, self);
        }
        Ok(busy)
    }
}

/// `start..end` as a span, when it holds bytes.
fn clip(start: usize, end: usize) -> Option<Span> {
    (start < end).then_some(Span { start, end })
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.drop_staging();
        for (_, fence) in self.fences.drain(..) {
            // SAFETY: the fence is ours.
            unsafe { self.gl.delete_sync(fence) };
        }
    }
}

// SAFETY: natively a stream's only non-`Send` fields are the ring's mapping (`*mut u8`) and
// the fences (`GLsync` pointers). Both are objects of the GL context, which is itself
// `Send + Sync` natively; they are read and written only through `&mut self`, with that
// context current on the calling thread, whichever thread that is. (In the browser the
// context is not `Send`, and neither is a stream.)
#[cfg(not(target_arch = "wasm32"))]
unsafe impl Send for Stream {}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("path", &self.path)
            .field("frame", &self.frame)
            .field("retired", &self.retired)
            .field("stats", &self.stats())
            .finish()
    }
}
