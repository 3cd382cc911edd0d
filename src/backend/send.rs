//! [`MaybeSend`]: `Send` wherever glow's context is.
//!
//! Natively `glow::Context` is `Send + Sync`, so the crate's objects, which hold it in an
//! `Arc`, are `Send`: a scene can live inside an egui paint callback or move to a render
//! thread (with the context made current there). In the browser the context wraps a
//! JavaScript object, which is not `Send`, and nothing else can be either.

/// `Send` natively, nothing in the browser: the bound on what a batch keeps
/// ([`Group`](crate::batch::Group)s), so that a batch is `Send` exactly where the context is.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + ?Sized> MaybeSend for T {}

/// `Send` natively, nothing in the browser: the bound on what a batch keeps
/// ([`Group`](crate::batch::Group)s), so that a batch is `Send` exactly where the context is.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSend for T {}
