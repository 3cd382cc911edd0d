//! [`Layer`]: the group of one layer of a [`SpriteBatch`](super::SpriteBatch), sprites,
//! shapes or text: its program, its texture (a sprite image or the glyph atlas) and how it
//! blends ([`Blend`]).
//!
//! Both shaders output premultiplied colour, except for [`Blend::StraightAlpha`]: a
//! texture of straight texels is premultiplied in the sprite shader (one multiply), one of
//! premultiplied texels (an atlas, by default) is used as it is. Every blend mode is then a
//! pair of GL factors on premultiplied colour, and linear filtering at a sprite's
//! transparent edge mixes colour with nothing instead of with black.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use glow::HasContext;

use super::group::Group;
use crate::backend::{
    validate_clean, validate_gl, AlphaMode, CoverageTexture, GlError, Program, Texture,
};

/// How a sprite layer's pixels combine with what is drawn below them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Blend {
    /// Normal "over" compositing, on premultiplied colour (`ONE, ONE_MINUS_SRC_ALPHA`): the
    /// default, with clean edges under linear filtering.
    #[default]
    Alpha,
    /// Straight-alpha "over" (`SRC_ALPHA, ONE_MINUS_SRC_ALPHA`), texels taken as they are:
    /// for straight textures drawn as older engines did. Linear filtering darkens the edges
    /// of straight textures with transparent-black padding.
    StraightAlpha,
    /// Light adds to what is below (`ONE, ONE`): glows, fire, sparks.
    Additive,
    /// Multiplies what is below by the sprite's colour where it is opaque
    /// (`DST_COLOR, ONE_MINUS_SRC_ALPHA`): shadows, tinting.
    Multiply,
}

impl Blend {
    /// The source and destination factors of `glBlendFunc`.
    pub(crate) fn factors(self) -> (u32, u32) {
        match self {
            Blend::Alpha => (glow::ONE, glow::ONE_MINUS_SRC_ALPHA),
            Blend::StraightAlpha => (glow::SRC_ALPHA, glow::ONE_MINUS_SRC_ALPHA),
            Blend::Additive => (glow::ONE, glow::ONE),
            Blend::Multiply => (glow::DST_COLOR, glow::ONE_MINUS_SRC_ALPHA),
        }
    }
}

/// A layer's blend mode, shared between the sprite batch (which changes it) and the
/// layer's group (which reads it at each draw). An atomic rather than a cell only so that
/// a batch may move between threads, as glow's context may.
#[derive(Debug)]
pub(crate) struct SharedBlend(AtomicU8);

impl SharedBlend {
    const MODES: [Blend; 4] = [
        Blend::Alpha,
        Blend::StraightAlpha,
        Blend::Additive,
        Blend::Multiply,
    ];

    /// A shared `blend`.
    pub(crate) fn new(blend: Blend) -> Arc<SharedBlend> {
        Arc::new(SharedBlend(AtomicU8::new(Self::index(blend))))
    }

    fn index(blend: Blend) -> u8 {
        Self::MODES.iter().position(|&m| m == blend).unwrap_or(0) as u8
    }

    /// The mode now.
    pub(crate) fn get(&self) -> Blend {
        Self::MODES[usize::from(self.0.load(Ordering::Relaxed)) % Self::MODES.len()]
    }

    /// Changes the mode.
    pub(crate) fn set(&self, blend: Blend) {
        self.0.store(Self::index(blend), Ordering::Relaxed);
    }
}

/// What a layer of a [`SpriteBatch`](super::SpriteBatch) holds, with its blend mode:
/// sprites of one texture, or shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LayerKind {
    /// Sprites, drawn by the sprite program.
    Sprites,
    /// Shapes, drawn by the shape program.
    Shapes,
    /// Labels, drawn by the text program from the glyph atlas.
    Text,
}

/// What a layer binds to texture unit 0.
pub(super) enum LayerTexture {
    /// A sprite layer's image (or atlas) of RGBA texels.
    Image(Arc<Texture>),
    /// The glyph atlas of a text layer: coverage, which the atlas may grow between draws.
    Coverage(Arc<CoverageTexture>),
}

/// The `int` uniforms of a layer's fragment shader that its group sets.
#[derive(Debug, Clone)]
pub(super) struct LayerUniforms {
    /// 1: output straight colour ([`Blend::StraightAlpha`]).
    straight: glow::UniformLocation,
    /// 1: the texels are straight and must be premultiplied (programs with a texture).
    premultiply: Option<glow::UniformLocation>,
    /// The coverage texture's size in texels (programs that read a glyph atlas).
    atlas_size: Option<glow::UniformLocation>,
}

impl LayerUniforms {
    /// The locations in `program`; `textured` programs have `premultiply` as well.
    pub(super) fn of(program: &Program, textured: bool) -> Result<Self, GlError> {
        Ok(LayerUniforms {
            straight: program.uniform_location("straight")?,
            premultiply: match textured {
                true => Some(program.uniform_location("premultiply")?),
                false => None,
            },
            atlas_size: None,
        })
    }

    /// The same, and the location of `program`'s `vec2 atlas_size`, which a layer of a
    /// coverage texture sets to its size at every draw.
    pub(super) fn with_atlas_size(self, program: &Program) -> Result<Self, GlError> {
        Ok(LayerUniforms {
            atlas_size: Some(program.uniform_location("atlas_size")?),
            ..self
        })
    }
}

/// A layer's group: makes its program current, binds its texture (if any) to unit 0, sets
/// the shader's alpha handling for the texture and the blend mode, and blends by the mode.
/// The mode is shared with the sprite batch, which changes it
/// ([`SpriteBatch::set_layer_blend`](super::SpriteBatch::set_layer_blend)).
///
/// GL state touched: the current program (none again on unset), the active texture unit
/// and its 2D binding (left bound), the layer uniforms of its program (with the atlas size
/// for a coverage texture), `GL_BLEND` and the
/// blend function (blending disabled again on unset).
pub(super) struct Layer {
    pub(super) program: Arc<Program>,
    pub(super) texture: Option<LayerTexture>,
    pub(super) blend: Arc<SharedBlend>,
    pub(super) uniforms: LayerUniforms,
}

impl Group for Layer {
    fn set_state(&self, gl: &glow::Context) -> Result<(), GlError> {
        validate_clean(gl, "layer")?;
        self.program.use_program();
        let straight_texels = match &self.texture {
            Some(LayerTexture::Image(texture)) => {
                texture.bind(0)?;
                texture.alpha() == AlphaMode::Straight
            }
            Some(LayerTexture::Coverage(texture)) => {
                texture.bind(0);
                if let Some(location) = &self.uniforms.atlas_size {
                    let (w, h) = texture.size();
                    // SAFETY: the layer's program was just made current and the location
                    // is its own.
                    unsafe { gl.uniform_2_f32(Some(location), w as f32, h as f32) };
                }
                false
            }
            None => false,
        };
        let blend = self.blend.get();
        let straight = blend == Blend::StraightAlpha;
        let premultiply = !straight && straight_texels;
        let (source, destination) = blend.factors();
        // SAFETY: the layer's program was just made current and the locations are its
        // own; the rest are plain state changes.
        unsafe {
            gl.uniform_1_i32(Some(&self.uniforms.straight), i32::from(straight));
            if let Some(location) = &self.uniforms.premultiply {
                gl.uniform_1_i32(Some(location), i32::from(premultiply));
            }
            gl.enable(glow::BLEND);
            gl.blend_func(source, destination);
        }
        validate_gl(gl, "layer")
    }

    fn unset_state(&self, gl: &glow::Context) -> Result<(), GlError> {
        // SAFETY: plain state changes on the current context.
        unsafe {
            gl.disable(glow::BLEND);
            gl.use_program(None);
        }
        Ok(())
    }
}
