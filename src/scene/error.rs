//! [`SceneError`]: what a scene's calls refuse or fail with. On error, nothing changed.

use super::shape::geometry::GeometryError;
use super::text::TextError;
use crate::backend::GlError;
use crate::batch::BatchError;
use crate::domain::DomainError;

/// What went wrong in a [`Scene`](super::Scene) call. On error, nothing changed: every item,
/// layer, image and the camera are as they were.
///
/// A GL error reaches the caller in one shape, [`SceneError::Gl`], whichever layer of the
/// crate met it (a buffer, the atlas texture, a layer's state at a draw).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SceneError {
    /// A GL call failed (out of memory, a lost context, an error injected by a test).
    #[error(transparent)]
    Gl(#[from] GlError),
    /// The batch under the scene refused: an allocator limit (more vertices than a buffer
    /// holds), never a caller's mistake the scene could have named.
    #[error("the scene's storage refused: {0}")]
    Storage(BatchError),
    /// The item was removed, or belongs to another scene. Names its kind.
    #[error("the {0} was removed or belongs to another scene")]
    UnknownItem(&'static str),
    /// The layer belongs to another scene.
    #[error("the layer belongs to another scene")]
    UnknownLayer,
    /// The image belongs to another scene's atlas.
    #[error("the image belongs to another scene")]
    UnknownImage,
    /// An image's pixels are not `width * height` RGBA texels, or it has a zero side.
    #[error("an image of {width}x{height} texels needs {} bytes, got {bytes}", *width as usize * *height as usize * 4)]
    ImageData {
        /// Its width in texels.
        width: u32,
        /// Its height in texels.
        height: u32,
        /// The bytes given.
        bytes: usize,
    },
    /// The atlas is at its largest texture on both sides and full.
    #[error("the scene's atlas is full at {side}x{side} texels")]
    AtlasFull {
        /// Its side.
        side: u32,
    },
    /// A number that must be finite was not (NaN or infinite): an item's position,
    /// rotation, anchor, scale or z, or a camera's pan or rotation. Names which.
    #[error("{0} must be finite")]
    NotFinite(&'static str),
    /// A viewport of zero pixels, or a camera zoom that is not a positive finite number:
    /// nothing could be seen.
    #[error("{0}")]
    EmptyView(&'static str),
    /// A shape's geometry cannot be drawn (a NaN size, a circle of two segments, ...).
    #[error("shape geometry: {0}")]
    Geometry(#[from] GeometryError),
    /// Text could not be laid out (a size out of range, a scale factor out of range, bytes
    /// that are not a font).
    #[error("text: {0}")]
    Text(#[from] TextError),
}

/// `values`, or [`SceneError::NotFinite`] naming `what` when one is NaN or infinite.
pub(crate) fn finite(what: &'static str, values: &[f32]) -> Result<(), SceneError> {
    match values.iter().all(|v| v.is_finite()) {
        true => Ok(()),
        false => Err(SceneError::NotFinite(what)),
    }
}

impl From<BatchError> for SceneError {
    fn from(error: BatchError) -> Self {
        match error {
            BatchError::Domain(DomainError::Gl(gl)) => SceneError::Gl(gl),
            BatchError::GroupState { error, .. } => SceneError::Gl(error),
            other => SceneError::Storage(other),
        }
    }
}
