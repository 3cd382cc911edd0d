//! Text for labels: fonts ([`Font`], through fontdue), layout (pure arithmetic on a face's
//! metrics: [`layout`]) and faces (a font at a size, with the glyphs rasterised for it so
//! far), which the scene's atlas packs.

mod face;
mod font;
pub mod layout;

pub(crate) use face::{Face, FaceId, Faces};
pub use font::Font;
pub use layout::{Align, AnchorX, AnchorY, Line, LineMetrics};

/// What went wrong with text itself: a font, a size, a scale factor. (A full atlas and a GL
/// error are the scene's: [`SceneError::AtlasFull`](super::SceneError::AtlasFull),
/// [`SceneError::Gl`](super::SceneError::Gl).)
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// The bytes are not a font [`Font::from_bytes`] can read.
    #[error("not a font: {0}")]
    Font(String),
    /// A size that is not a positive, finite number of pixels up to 1024.
    #[error("label size {0} must be a positive number of pixels up to 1024")]
    Size(f32),
    /// A scale factor that is not a positive, finite number up to [`MAX_SCALE_FACTOR`].
    #[error("scale factor {0} must be a positive number up to 16")]
    ScaleFactor(f32),
}

/// The largest scale factor [`Scene::set_scale_factor`](super::Scene::set_scale_factor)
/// takes: more than any display reports (phones reach 4).
pub const MAX_SCALE_FACTOR: f32 = 16.0;

/// Sizes compare by their bits, so the error is `Eq` like the others of the crate.
impl Eq for TextError {}
