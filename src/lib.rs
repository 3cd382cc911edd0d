//! Keep an OpenGL game's vertex and index data in a few large GL buffers instead of
//! thousands of small ones.
//!
//! The design follows pyglet's `pyglet.graphics`, layered so that data flows one way:
//!
//! - [`allocation`]: the pure region allocator. No GL, no `unsafe`. It hands out ranges of
//!   slots inside a buffer and, when a request does not fit, names the capacity to grow to.
//! - [`backend`]: GL objects through [`glow`]: buffers that grow by GPU-side copies, vertex
//!   formats, multi-draw entry points, shader programs and textures.
//! - [`domain`]: vertex domains, a set of attribute buffers sharing one allocator (plus an
//!   index buffer when indexed, and instance buffers with an allocator of their own when
//!   instanced), drawn with one multi-draw call, or one instanced call per mesh.
//! - [`batch`]: groups of GL state in draw order, and a domain per format (and primitive,
//!   indexing and instance format) under each.
//! - [`scene`]: a 2D scene of sprites, shapes and labels together in layers, each drawn
//!   in one call through one program and one atlas, under a camera.
//!
//! With the `headless` feature, the `headless` module opens a display-less GL context
//! through EGL's device platform (a WebGL2 canvas in the browser), which is how this crate's
//! own tests run on real GL, natively and in headless Chromium. With
//! the `fault-injection` feature, [`backend::fault`] makes the crate's GL steps fail on
//! demand, so that a game's tests (like this crate's) can prove their error paths on a real
//! context.
//!
//! Every fallible call returns a `Result` whose error type says what went wrong, and either
//! completes or leaves every list, its data and its handle as they were. Every constructor
//! takes the GL context the same way, as `&Arc<glow::Context>`: the handle eframe, egui_glow
//! and three-d hand out (glow 0.17, re-exported as [`glow`]). Natively the crate's objects
//! are `Send`, as glow's context is; the library builds for `wasm32-unknown-unknown` and
//! draws on WebGL2 there.
#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

/// The [`glow`] this crate is built on, so that a game uses the same one (its context type
/// is the one every constructor here takes, as `&Arc<glow::Context>`) without pinning a
/// second copy in its own manifest.
pub use glow;

pub mod allocation;
pub mod backend;
pub mod batch;
pub mod domain;
#[cfg(feature = "headless")]
pub mod headless;
pub mod scene;

/// The README's examples, compiled as doctests so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

/// Natively glow's context is `Send + Sync`, and so every object of the crate that holds it
/// is `Send`: a scene can live inside an egui paint callback (which must be `Send + Sync`,
/// so behind a `Mutex`) or move to the thread where the context is current.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod send {
    use super::{backend, batch, domain, scene};

    fn send<T: Send>() {}

    #[test]
    fn every_gl_owning_type_is_send_where_glows_context_is() {
        send::<glow::Context>();
        send::<backend::GlBuffer>();
        send::<backend::Stream>();
        send::<backend::Program>();
        send::<backend::Texture>();
        send::<backend::TextureAtlas>();
        send::<backend::GrowingTexture>();
        send::<backend::UniformBuffer>();
        send::<backend::RenderTarget>();
        send::<backend::MultiDraw>();
        send::<domain::VertexDomain>();
        send::<domain::IndexedVertexDomain>();
        send::<domain::InstancedVertexDomain>();
        send::<domain::InstancedIndexedVertexDomain>();
        send::<batch::Batch>();
        send::<scene::Scene>();
        send::<scene::Font>();
    }
}
