//! [`StreamPath`] and [`StreamConfig`]: which way a stream moves bytes, and its settings.

use glow::HasContext;

use super::{GlError, DEFAULT_FRAMES_AHEAD, DEFAULT_RING_BYTES};

/// How staged bytes travel to their buffers. See [`Stream`](super::Stream).
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
    pub(super) fn stages(self) -> bool {
        matches!(
            self,
            StreamPath::Ring | StreamPath::Orphan | StreamPath::Respecify
        )
    }

    /// Whether this path maps buffers (WebGL2 cannot).
    pub(super) fn maps(self) -> bool {
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
pub(super) fn has_buffer_storage(gl: &glow::Context) -> bool {
    let version = gl.version();
    let extensions = gl.supported_extensions();
    (!version.is_embedded && (version.major, version.minor) >= (4, 4))
        || extensions.contains("GL_ARB_buffer_storage")
        || extensions.contains("GL_EXT_buffer_storage")
}

/// How a [`Stream`](super::Stream) moves bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamConfig {
    /// The path; `None` takes [`StreamPath::best`] for the context.
    pub path: Option<StreamPath>,
    /// How many frames the CPU may run ahead of the GPU before it waits for ring space
    /// (`K`): the space of a frame more than `K` frames old may be waited for, a younger
    /// frame's never is. Default 2.
    pub frames_ahead: u32,
    /// The ring's first capacity in bytes (it grows by doubling, up to [`MAX_RING_BYTES`](super::MAX_RING_BYTES)).
    /// Default [`DEFAULT_RING_BYTES`](super::DEFAULT_RING_BYTES).
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
