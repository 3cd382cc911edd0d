//! [`Stream`]: how staged bytes reach GL buffers that queued draws may still be reading.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use web_time::Instant;

use glow::HasContext;

use super::buffer::type_as_index;
use super::dirty::Span;
use super::error::{validate_gl, GlError};
use super::fault::{fences_held, inject, Site};
use super::{check_clean, check_gl, MAX_BUFFER_BYTES};

/// The ring's first capacity, unless [`StreamConfig::ring_bytes`] asks for another.
pub const DEFAULT_RING_BYTES: usize = 64 << 10;

/// The largest ring a stream grows to. Beyond it the ring waits for space instead, and
/// uploads larger than a quarter of it go through in chunks.
pub const MAX_RING_BYTES: usize = 64 << 20;

/// The most fences a stream keeps: one per frame that staged bytes and is not known
/// complete. Reaching it (a GPU this many frames behind) makes the stream wait on the
/// oldest, so the queue never reallocates.
const MAX_FENCES: usize = 16;

/// Ring spans room is made for when a ring is created: a few per frame (one per buffer
/// flushed), for the frames the ring holds.
const RING_SPANS: usize = 64;

/// Ring allocations start at multiples of this, so the CPU copies into aligned memory.
const RING_ALIGN: usize = 64;

/// How long a blocking fence wait may take before the stream reports
/// [`GlError::FenceWait`]: far beyond any frame, so only a lost context gets there.
const FENCE_PATIENCE: Duration = Duration::from_secs(10);

/// One blocking `glClientWaitSync`, in nanoseconds (its timeout is a 64-bit value, but glow
/// passes it through an `i32`).
const FENCE_WAIT_STEP_NS: i32 = 1_000_000_000;

/// [`StreamConfig::frames_ahead`] by default: the CPU may be two frames ahead of the GPU
/// without waiting, as with triple buffering.
const DEFAULT_FRAMES_AHEAD: u32 = 2;

/// How staged bytes travel to their buffers. See [`Stream`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamPath {
    /// A persistently mapped staging ring guarded by per-frame fences, copied on the GPU.
    /// Needs GL 4.4, `GL_ARB_buffer_storage` or `GL_EXT_buffer_storage`.
    Ring,
    /// A staging buffer orphaned at each upload, mapped unsynchronized, copied on the GPU.
    /// Works on every GL 3.3 and GLES 3.0 context.
    Orphan,
    /// `glBufferSubData` into the destination, per dirty span.
    SubData,
    /// One `glMapBufferRange` of the destination's dirty span (invalidating it when one span
    /// covers it), the spans copied in.
    Map,
    /// A staging buffer re-specified and filled by one `glBufferData` at each upload, then
    /// copied on the GPU, with bytes no queued command touches written by
    /// `glBufferSubData`: the staging path that never maps, for WebGL2 (which has no
    /// `mapBufferRange`). Works on every context.
    Respecify,
}

impl StreamPath {
    /// Every path, in order of preference.
    pub const ALL: [StreamPath; 5] = [
        StreamPath::Ring,
        StreamPath::Orphan,
        StreamPath::SubData,
        StreamPath::Map,
        StreamPath::Respecify,
    ];

    /// The path a stream takes on `gl` when none is chosen: the ring where the context has
    /// buffer storage, else the orphaned staging buffer; in the browser, [`WEB_DEFAULT`].
    pub fn best(gl: &glow::Context) -> StreamPath {
        if cfg!(target_arch = "wasm32") {
            WEB_DEFAULT
        } else if StreamPath::Ring.is_supported(gl) {
            StreamPath::Ring
        } else {
            StreamPath::Orphan
        }
    }

    /// Whether `gl` can take this path. In the browser only the paths that never map
    /// ([`SubData`](Self::SubData) and [`Respecify`](Self::Respecify)) can.
    pub fn is_supported(self, gl: &glow::Context) -> bool {
        match self {
            StreamPath::SubData | StreamPath::Respecify => true,
            _ if cfg!(target_arch = "wasm32") => false,
            StreamPath::Ring => has_buffer_storage(gl),
            StreamPath::Orphan | StreamPath::Map => true,
        }
    }

    /// Its name, as `headless_info` and the benchmarks print it.
    pub fn name(self) -> &'static str {
        match self {
            StreamPath::Ring => "ring",
            StreamPath::Orphan => "orphan",
            StreamPath::SubData => "subdata",
            StreamPath::Map => "map",
            StreamPath::Respecify => "respecify",
        }
    }

    /// Whether this path stages bytes and copies them on the GPU.
    fn stages(self) -> bool {
        matches!(
            self,
            StreamPath::Ring | StreamPath::Orphan | StreamPath::Respecify
        )
    }

    /// Whether this path maps buffers (WebGL2 cannot).
    fn maps(self) -> bool {
        matches!(
            self,
            StreamPath::Ring | StreamPath::Orphan | StreamPath::Map
        )
    }
}

/// The path streams take in the browser: [`StreamPath::Respecify`], the staging path that
/// never maps, so that the browser never writes where queued draws read. Measured against
/// [`StreamPath::SubData`] in headless Chromium (`benches/web_frames.sh`, the sprite demo's
/// whole frame on SwiftShader), it was as fast or faster at 1,000 and 10,000 sprites and
/// within the run's noise at 50,000.
pub const WEB_DEFAULT: StreamPath = StreamPath::Respecify;

/// Whether `gl` has `glBufferStorage` with persistent mappings.
fn has_buffer_storage(gl: &glow::Context) -> bool {
    let version = gl.version();
    let extensions = gl.supported_extensions();
    (!version.is_embedded && (version.major, version.minor) >= (4, 4))
        || extensions.contains("GL_ARB_buffer_storage")
        || extensions.contains("GL_EXT_buffer_storage")
}

/// How a [`Stream`] moves bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamConfig {
    /// The path; `None` takes [`StreamPath::best`] for the context.
    pub path: Option<StreamPath>,
    /// How many frames the CPU may run ahead of the GPU before it waits for ring space
    /// (`K`): the space of a frame more than `K` frames old may be waited for, a younger
    /// frame's never is. Default 2.
    pub frames_ahead: u32,
    /// The ring's first capacity in bytes (it grows by doubling, up to [`MAX_RING_BYTES`]).
    /// Default [`DEFAULT_RING_BYTES`].
    pub ring_bytes: usize,
    /// Whether the ring may grow. Default `true`; off, it waits for space instead, which
    /// tests use to make a small ring wrap every few frames.
    pub ring_grows: bool,
}

impl Default for StreamConfig {
    fn default() -> Self {
        StreamConfig {
            path: None,
            frames_ahead: DEFAULT_FRAMES_AHEAD,
            ring_bytes: DEFAULT_RING_BYTES,
            ring_grows: true,
        }
    }
}

impl StreamConfig {
    /// The default configuration on `path`.
    pub fn on(path: StreamPath) -> Self {
        StreamConfig {
            path: Some(path),
            ..StreamConfig::default()
        }
    }

    /// The path this configuration names on `gl`: its own, or [`StreamPath::best`].
    pub fn path_on(&self, gl: &glow::Context) -> StreamPath {
        self.path.unwrap_or_else(|| StreamPath::best(gl))
    }

    /// [`path_on`](Self::path_on), checked: fails with [`GlError::Unsupported`] when `gl`
    /// lacks what that path needs.
    pub fn resolve(&self, gl: &glow::Context) -> Result<StreamPath, GlError> {
        let path = self.path_on(gl);
        if !path.is_supported(gl) && path.maps() && cfg!(target_arch = "wasm32") {
            return Err(GlError::Unsupported(format!(
                "the {} stream path maps buffers, which WebGL2 cannot",
                path.name()
            )));
        }
        if !path.is_supported(gl) {
            return Err(GlError::Unsupported(format!(
                "the {} stream path needs glBufferStorage (GL 4.4, GL_ARB_buffer_storage or \
                 GL_EXT_buffer_storage), which this context lacks",
                path.name()
            )));
        }
        Ok(path)
    }
}

/// What a stream has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Bytes that went through the staging ring or the orphaned staging buffer.
    pub staged_bytes: u64,
    /// `glCopyBufferSubData` calls from staging into destinations.
    pub staged_copies: u64,
    /// Bytes written straight into destination ranges no queued command touches.
    pub direct_bytes: u64,
    /// Bytes written by [`StreamPath::SubData`] or [`StreamPath::Map`].
    pub in_place_bytes: u64,
    /// Maps and `glBufferSubData` calls into ranges that queued draws or copies may still
    /// read or write: what makes a driver wait. 0 on the staging paths.
    pub in_use_writes: u64,
    /// Times the ring went back to its start.
    pub ring_wraps: u64,
    /// Times the ring was replaced by a larger one.
    pub ring_grows: u64,
    /// The ring's capacity in bytes now (0 before the first use).
    pub ring_capacity: u64,
    /// Fences asked with a zero timeout.
    pub fence_polls: u64,
    /// Times the CPU blocked on a fence that had not signalled.
    pub fence_waits: u64,
    /// Time spent in those waits, in nanoseconds.
    pub fence_wait_ns: u64,
    /// Of those waits, the ones for a frame at most [`StreamConfig::frames_ahead`] frames
    /// old: only a ring that may not grow (at [`MAX_RING_BYTES`], or
    /// [`StreamConfig::ring_grows`] off) ever makes them.
    pub early_waits: u64,
    /// Frames ended ([`Stream::end_frame`]).
    pub frames: u64,
}

impl StreamStats {
    /// What happened since `earlier` (a snapshot of the same stream or sum): every counter
    /// less its earlier value; [`ring_capacity`](Self::ring_capacity) as it is now.
    pub fn since(self, earlier: StreamStats) -> StreamStats {
        StreamStats {
            ring_capacity: self.ring_capacity,
            ..self.zip(earlier, u64::saturating_sub)
        }
    }

    /// Every field of `self` and `other` combined by `f`.
    fn zip(self, other: StreamStats, f: impl Fn(u64, u64) -> u64) -> StreamStats {
        StreamStats {
            staged_bytes: f(self.staged_bytes, other.staged_bytes),
            staged_copies: f(self.staged_copies, other.staged_copies),
            direct_bytes: f(self.direct_bytes, other.direct_bytes),
            in_place_bytes: f(self.in_place_bytes, other.in_place_bytes),
            in_use_writes: f(self.in_use_writes, other.in_use_writes),
            ring_wraps: f(self.ring_wraps, other.ring_wraps),
            ring_grows: f(self.ring_grows, other.ring_grows),
            ring_capacity: f(self.ring_capacity, other.ring_capacity),
            fence_polls: f(self.fence_polls, other.fence_polls),
            fence_waits: f(self.fence_waits, other.fence_waits),
            fence_wait_ns: f(self.fence_wait_ns, other.fence_wait_ns),
            early_waits: f(self.early_waits, other.early_waits),
            frames: f(self.frames, other.frames),
        }
    }
}

impl std::ops::Add for StreamStats {
    type Output = StreamStats;

    /// The sum of two streams' statistics (ring capacities add up too).
    fn add(self, other: StreamStats) -> StreamStats {
        self.zip(other, |a, b| a + b)
    }
}

/// How far a buffer's queued GPU work reaches: bytes `0..end` may be read or written by
/// commands issued up to frame `frame` of its stream; bytes from `end` on by none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Busy {
    end: usize,
    frame: u64,
}

impl Busy {
    /// A buffer whose first `end` bytes a command of `stream`'s current frame touches.
    pub(crate) fn up_to(end: usize, stream: &Stream) -> Busy {
        Busy {
            end,
            frame: stream.frame,
        }
    }

    /// Adds `0..end`, touched by a command of `stream`'s current frame.
    pub(crate) fn touch(&mut self, end: usize, stream: &Stream) {
        let end = if self.frame <= stream.retired {
            end
        } else {
            end.max(self.end)
        };
        *self = Busy::up_to(end, stream);
    }
}

/// A ring allocation not yet known to be consumed, from `start` up to the next span's
/// start (or the ring's head), written in `frame`.
#[derive(Debug, Clone, Copy)]
struct RingSpan {
    start: usize,
    frame: u64,
}

/// The persistently mapped staging buffer.
///
/// Invariants: `spans` are in allocation order, each inside `0..capacity`, and together
/// with `head` they describe one ring: occupied bytes run from the first span's start to
/// `head`, wrapping past `capacity` at most once. `ptr` maps all `capacity` bytes for
/// writing until the buffer is deleted.
struct Ring {
    raw: glow::Buffer,
    ptr: *mut u8,
    capacity: usize,
    head: usize,
    spans: VecDeque<RingSpan>,
}

impl Ring {
    /// Where `len` bytes fit now, and whether taking them wraps to the start.
    fn free_at(&self, len: usize) -> Option<(usize, bool)> {
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

    /// Ends the frame: fences the GPU work issued so far when this frame staged bytes
    /// (ring space is reused only once such a fence has signalled), and starts the next
    /// frame. A domain calls it at the end of each [`draw`](crate::domain::Domain::draw).
    ///
    /// Fails only when `glFenceSync` does; the frame has ended either way.
    pub fn end_frame(&mut self) -> Result<(), GlError> {
        let staged = std::mem::take(&mut self.staged_this_frame);
        let frame = self.frame;
        self.frame += 1;
        self.stats.frames += 1;
        if staged {
            self.fence(frame)?;
        }
        // Keep the fence queue short: a frame more than `frames_ahead + 1` old has usually
        // signalled, and asking costs one call a frame at most.
        if self.fences.len() > self.config.frames_ahead as usize + 1 && self.poll(0)? {
            self.retire_through(0);
        }
        Ok(())
    }

    /// Whether every command issued up to the end of `frame` is known complete, asking the
    /// GPU (a zero-timeout fence query) when that is not known yet. Never waits.
    pub fn frame_done(&mut self, frame: u64) -> Result<bool, GlError> {
        if frame <= self.retired {
            return Ok(true);
        }
        match self.fences.iter().position(|&(f, _)| f >= frame) {
            Some(i) if self.poll(i)? => {
                self.retire_through(i);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The first byte of a buffer with `busy` from which no queued command can touch it.
    pub(crate) fn idle_from(&self, busy: Busy) -> usize {
        if busy.frame <= self.retired {
            0
        } else {
            busy.end
        }
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

    /// One mapping of `dst` covering `spans` (invalidating it when one span covers it),
    /// with each span copied in from `mirror`. `sync` maps synchronized; otherwise the
    /// spans must lie where no queued command reaches and the map is unsynchronized.
    fn write_in_place(
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
    fn sub_data(
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

    /// Stages `spans` of `mirror` and copies them into `dst` on the GPU, in batches of at
    /// most a chunk's bytes.
    fn stage(
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

    /// The most bytes one ring batch holds.
    fn ring_chunk(&self) -> usize {
        if self.config.ring_grows {
            MAX_RING_BYTES / 4
        } else {
            (self.config.ring_bytes / 2).max(RING_ALIGN)
        }
    }

    /// Copies the `batch` (`bytes` in all) into staging memory back to back, then into
    /// `dst` with one `glCopyBufferSubData` per span.
    fn stage_batch(
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
    fn orphan_fill(
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
    fn respecify_fill(
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

    /// Free ring space for `len` bytes: reclaims the space of signalled frames, waits for
    /// a frame more than `frames_ahead` old, and grows the ring rather than wait for a
    /// younger one. Returns the offset.
    fn ring_alloc(&mut self, len: usize) -> Result<usize, GlError> {
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
    fn reclaim(&mut self, oldest: u64, len: usize) -> Result<(), GlError> {
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
    fn can_grow(&self, len: usize) -> bool {
        let capacity = self.ring.as_ref().map_or(0, |r| r.capacity);
        self.config.ring_grows && capacity < MAX_RING_BYTES || capacity < len
    }

    /// Replaces the ring by an empty one large enough for `len` bytes: twice as large, at
    /// least. The old ring is deleted; queued copies from it still run (GL keeps it alive).
    fn grow_ring(&mut self, len: usize) -> Result<(), GlError> {
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
    fn drop_ring(&mut self) {
        if let Some(ring) = self.ring.take() {
            // SAFETY: the ring is ours; deleting a mapped buffer unmaps it, and queued
            // copies from it keep its storage alive.
            unsafe { self.gl.delete_buffer(ring.raw) };
        }
    }

    /// Deletes the ring and the orphaned staging buffer, if any.
    fn drop_staging(&mut self) {
        self.drop_ring();
        let respecified = [self.respecified.take(), self.index_staging.take()];
        let orphan = self.orphan.take().map(|(raw, _)| raw);
        for raw in respecified.into_iter().chain([orphan]).flatten() {
            // SAFETY: the staging buffer is ours; queued copies keep its storage alive.
            unsafe { self.gl.delete_buffer(raw) };
        }
    }

    /// Fences the GPU work issued so far as `frame`'s, first waiting on the oldest fence
    /// when [`MAX_FENCES`] are outstanding.
    fn fence(&mut self, frame: u64) -> Result<(), GlError> {
        if self.fences.len() >= MAX_FENCES {
            if self.path == StreamPath::Ring || !cfg!(target_arch = "wasm32") {
                self.wait(0)?;
            } else {
                // WebGL cannot block on a fence (its client wait timeout is 0), and a fence
                // signals only once the page yields to the browser. Only the ring needs its
                // fences to reuse space; on the other paths the oldest is forgotten, not
                // retired: its buffers stay counted as busy, so nothing is written where a
                // queued draw may read.
                self.forget_oldest();
            }
        }
        // SAFETY: a plain sync object creation on the current context.
        let fence = unsafe { self.gl.fence_sync(glow::SYNC_GPU_COMMANDS_COMPLETE, 0) }.map_err(
            |message| GlError::Create {
                object: "fence",
                message,
            },
        )?;
        self.fences.push_back((frame, fence));
        Ok(())
    }

    /// Asks fence `i` with a zero timeout whether it has signalled.
    fn poll(&mut self, i: usize) -> Result<bool, GlError> {
        let Some(&(_, fence)) = self.fences.get(i) else {
            return Ok(true);
        };
        self.stats.fence_polls += 1;
        if fences_held() {
            return Ok(false);
        }
        // SAFETY: `fence` is a live sync object of this context. Flushing makes sure a
        // fence not yet submitted (nothing has flushed since it was made) can signal;
        // it queues the commands to the GPU and does not wait for them.
        let status = unsafe {
            self.gl
                .client_wait_sync(fence, glow::SYNC_FLUSH_COMMANDS_BIT, 0)
        };
        match status {
            glow::ALREADY_SIGNALED | glow::CONDITION_SATISFIED => Ok(true),
            glow::TIMEOUT_EXPIRED => Ok(false),
            _ => Err(GlError::FenceWait { waited_ms: 0 }),
        }
    }

    /// Blocks until fence `i` signals, then retires it and the frames before it.
    fn wait(&mut self, i: usize) -> Result<(), GlError> {
        let Some(&(_, fence)) = self.fences.get(i) else {
            return Ok(());
        };
        let started = Instant::now();
        self.stats.fence_waits += 1;
        let result = loop {
            // SAFETY: `fence` is a live sync object; flushing makes sure it can signal.
            let status = unsafe {
                self.gl
                    .client_wait_sync(fence, glow::SYNC_FLUSH_COMMANDS_BIT, FENCE_WAIT_STEP_NS)
            };
            let waited = started.elapsed();
            match status {
                glow::ALREADY_SIGNALED | glow::CONDITION_SATISFIED => break Ok(()),
                glow::TIMEOUT_EXPIRED if waited < FENCE_PATIENCE => continue,
                _ => {
                    break Err(GlError::FenceWait {
                        waited_ms: waited.as_millis() as u64,
                    })
                }
            }
        };
        self.stats.fence_wait_ns += started.elapsed().as_nanos() as u64;
        result?;
        self.retire_through(i);
        Ok(())
    }

    /// Deletes the oldest fence without retiring its frame.
    fn forget_oldest(&mut self) {
        if let Some((_, fence)) = self.fences.pop_front() {
            // SAFETY: the fence is ours and no longer used.
            unsafe { self.gl.delete_sync(fence) };
        }
    }

    /// Deletes fences `0..=i`, whose frames are complete, and frees their ring space.
    fn retire_through(&mut self, i: usize) {
        if self.fences.is_empty() {
            return;
        }
        for (frame, fence) in self.fences.drain(..=i.min(self.fences.len() - 1)) {
            // SAFETY: the fence is ours and no longer used.
            unsafe { self.gl.delete_sync(fence) };
            self.retired = self.retired.max(frame);
        }
        self.retire_spans();
    }

    /// Frees the ring spans of retired frames.
    fn retire_spans(&mut self) {
        if let Some(ring) = &mut self.ring {
            while ring.spans.front().is_some_and(|s| s.frame <= self.retired) {
                ring.spans.pop_front();
            }
        }
    }
}

/// Where [`copy_spans`] puts each span.
#[derive(Clone, Copy)]
enum Place {
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
unsafe fn copy_spans(
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

/// `start..end` as a span, when it holds bytes.
fn clip(start: usize, end: usize) -> Option<Span> {
    (start < end).then_some(Span { start, end })
}

/// The error of a ring operation with no ring (not reachable after `ring_alloc`).
#[cold]
fn no_ring() -> GlError {
    GlError::InvalidArgument {
        operation: "Stream",
        message: "no staging ring".to_owned(),
    }
}

/// Creates a buffer of `capacity` bytes, persistently and coherently mapped for writing,
/// and returns it with its mapping. Always checked: this is where `GL_OUT_OF_MEMORY` shows.
fn create_ring(gl: &glow::Context, capacity: usize) -> Result<(glow::Buffer, *mut u8), GlError> {
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
