//! [`GlyphAtlas`]: every glyph a sprite batch's labels have shown, rasterised once per
//! (font, size, character) on first use ([`Faces`]) and packed into one growing
//! [`CoverageTexture`].
//!
//! - Glyphs are packed on the atlases' shared shelves (`allocation::Shelves`), with its
//!   padding between them, so that linear filtering never reads a neighbour.
//! - When a glyph does not fit, the texture doubles its shorter side (its height first)
//!   up to `GL_MAX_TEXTURE_SIZE`, keeping every texel where it was: vertices address the
//!   atlas in texels, which the shader divides by the texture's size, so no label is
//!   rewritten and none breaks.

use std::sync::Arc;

use super::face::{Face, FaceId, Faces};
use super::font::Font;
use super::TextError;
use crate::allocation::Shelves;
use crate::backend::CoverageTexture;

/// The atlas's side when a sprite batch first draws text.
const INITIAL_SIDE: u32 = 256;

/// The glyphs of every face of a sprite batch's labels, in one coverage texture.
pub(crate) struct GlyphAtlas {
    texture: Arc<CoverageTexture>,
    shelves: Shelves,
    faces: Faces,
    /// How many times the texture grew.
    grows: u64,
}

impl GlyphAtlas {
    /// An empty atlas of [`INITIAL_SIDE`] texels square.
    pub(crate) fn new(gl: &Arc<glow::Context>) -> Result<GlyphAtlas, TextError> {
        let side = INITIAL_SIDE;
        Ok(GlyphAtlas {
            texture: Arc::new(CoverageTexture::new(gl, side, side)?),
            shelves: Shelves::new(side, side),
            faces: Faces::default(),
            grows: 0,
        })
    }

    /// The texture, shared with the text layers that bind it.
    pub(crate) fn texture(&self) -> &Arc<CoverageTexture> {
        &self.texture
    }

    /// How many times the texture grew, and how many glyphs were rasterised.
    pub(crate) fn counts(&self) -> (u64, u64) {
        (self.grows, self.faces.rasterised())
    }

    /// The face of `font` at `size` pixels ([`Faces::face`]).
    pub(crate) fn face(&mut self, font: &Font, size: f32) -> Result<FaceId, TextError> {
        self.faces.face(font, size)
    }

    /// A face made by [`face`](Self::face).
    pub(crate) fn get(&self, id: FaceId) -> &Face {
        self.faces.get(id)
    }

    /// Rasterises every character of `text` the face has not met yet and packs it,
    /// growing the texture when one does not fit ([`Faces::prepare`]).
    pub(crate) fn prepare(&mut self, id: FaceId, text: &str) -> Result<(), TextError> {
        let (texture, shelves, grows) = (&self.texture, &mut self.shelves, &mut self.grows);
        self.faces.prepare(id, text, |w, h, coverage| {
            let max = texture.max_side().min(u32::from(u16::MAX));
            let full = || TextError::AtlasFull { side: max };
            let at = shelves.place_or_grow((w, h), max, full, |width, height| {
                texture.grow(width, height)?;
                *grows += 1;
                Ok(())
            })?;
            texture.write(at, (w, h), coverage)?;
            Ok(at)
        })
    }
}
