//! The GL backend: GL objects created and destroyed through [`glow`].
//!
//! Every type here that owns a GL object holds an `Arc<glow::Context>` (the handle eframe,
//! egui_glow and three-d hand out, taken as it is) and deletes its object in `Drop`. That
//! makes lifetimes explicit and leak-free, with one rule for the caller: **the context must be
//! current on the calling thread whenever one of these values is used or dropped**. Natively
//! glow's context is `Send + Sync`, so these types are `Send` ([`MaybeSend`]): a scene may
//! live in an egui paint callback, which egui runs where its context is current. In the
//! browser nothing is `Send`.
//!
//! GL errors are checked at the boundaries (after each public operation that can fail) with
//! [`check_gl`], never silently ignored. An operation that ends in such a check first runs
//! [`check_clean`], so that an error earlier GL code left queued is reported as
//! [`GlError::QueuedBefore`] before anything changes, instead of failing the crate's call
//! half-way. The per-frame steps, flushes and draws, check only while [`validation`] is on
//! (debug builds and the `fault-injection` feature, or [`set_validation`]): each check is a
//! `glGetError`, a round trip on threaded drivers.
//!
//! Staged writes reach GL through a [`Stream`], which keeps the CPU from waiting on draws
//! the GPU has queued (see [`stream`](Stream) for the paths).

mod atlas;
mod bindings;
mod buffer;
mod capabilities;
mod dirty;
mod error;
pub mod fault;
mod format;
mod growing;
mod multidraw;
mod pixels;
mod program;
mod send;
mod stream;
mod target;
mod texture;
mod uniform_block;

pub use atlas::{AtlasBuilder, AtlasRegion, TextureAtlas};
pub(crate) use buffer::GrownBuffer;
pub use buffer::{BufferStats, GlBuffer, MAX_BUFFER_BYTES};
pub use capabilities::Capabilities;
pub use dirty::BLOCK_BYTES;
pub use error::{check_clean, check_gl, clear_gl_errors, set_validation, validation, GlError};
pub(crate) use error::{validate_clean, validate_gl};
pub use format::{
    Attribute, AttributeData, ComponentType, FormatError, ShaderInput, VertexFormat, MAX_COMPONENTS,
};
pub use growing::GrowingTexture;
pub(crate) use multidraw::Precheck;
pub use multidraw::{InstanceDraw, MultiDraw};
pub use program::{ActiveAttribute, Program, ProgramBuilder, ShaderVersion};
pub use send::MaybeSend;
pub(crate) use stream::Busy;
pub use stream::{
    Stream, StreamConfig, StreamPath, StreamStats, DEFAULT_RING_BYTES, MAX_RING_BYTES, WEB_DEFAULT,
};
pub use target::RenderTarget;
pub use texture::{AlphaMode, Texture, TextureFilter};
pub use uniform_block::UniformBuffer;
