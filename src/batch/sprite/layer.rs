//! [`Layer`]: the group of one sprite layer: its texture and how it blends ([`Blend`]).
//!
//! The sprite shader always outputs premultiplied colour, except for
//! [`Blend::StraightAlpha`]: a texture of straight texels is premultiplied in the shader
//! (one multiply), one of premultiplied texels (an atlas, by default) is used as it is.
//! Every blend mode is then a pair of GL factors on premultiplied colour, and linear
//! filtering at a sprite's transparent edge mixes colour with nothing instead of with black.

use std::cell::Cell;
use std::rc::Rc;

use glow::HasContext;

use super::super::group::Group;
use crate::backend::{validate_clean, validate_gl, AlphaMode, GlError, Program, Texture};

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
    fn factors(self) -> (u32, u32) {
        match self {
            Blend::Alpha => (glow::ONE, glow::ONE_MINUS_SRC_ALPHA),
            Blend::StraightAlpha => (glow::SRC_ALPHA, glow::ONE_MINUS_SRC_ALPHA),
            Blend::Additive => (glow::ONE, glow::ONE),
            Blend::Multiply => (glow::DST_COLOR, glow::ONE_MINUS_SRC_ALPHA),
        }
    }
}

/// The `int` uniforms of the sprite fragment shader that a layer sets.
#[derive(Debug, Clone, Copy)]
pub(super) struct LayerUniforms {
    /// 1: output straight colour ([`Blend::StraightAlpha`]).
    straight: glow::NativeUniformLocation,
    /// 1: the texels are straight and must be premultiplied.
    premultiply: glow::NativeUniformLocation,
}

impl LayerUniforms {
    /// The locations in the sprite program.
    pub(super) fn of(program: &Program) -> Result<Self, GlError> {
        Ok(LayerUniforms {
            straight: program.uniform_location("straight")?,
            premultiply: program.uniform_location("premultiply")?,
        })
    }
}

/// A sprite layer's group: binds its texture to unit 0, sets the shader's alpha handling
/// for the texture and the blend mode, and blends by the mode. The mode is shared with the
/// sprite batch, which changes it ([`SpriteBatch::set_layer_blend`](super::SpriteBatch::set_layer_blend)).
///
/// GL state touched: the active texture unit and its 2D binding (left bound), the two
/// uniforms of the current program (the sprite program, made current by the parent group),
/// `GL_BLEND` and the blend function (blending disabled again on unset).
pub(super) struct Layer {
    pub(super) texture: Rc<Texture>,
    pub(super) blend: Rc<Cell<Blend>>,
    pub(super) uniforms: LayerUniforms,
}

impl Group for Layer {
    fn set_state(&self, gl: &glow::Context) -> Result<(), GlError> {
        validate_clean(gl, "sprite layer")?;
        self.texture.bind(0)?;
        let blend = self.blend.get();
        let straight = blend == Blend::StraightAlpha;
        let premultiply = !straight && self.texture.alpha() == AlphaMode::Straight;
        let (source, destination) = blend.factors();
        // SAFETY: the sprite program is current (the parent group made it so) and both
        // locations are its own; the rest are plain state changes.
        unsafe {
            gl.uniform_1_i32(Some(&self.uniforms.straight), i32::from(straight));
            gl.uniform_1_i32(Some(&self.uniforms.premultiply), i32::from(premultiply));
            gl.enable(glow::BLEND);
            gl.blend_func(source, destination);
        }
        validate_gl(gl, "sprite layer")
    }

    fn unset_state(&self, gl: &glow::Context) -> Result<(), GlError> {
        // SAFETY: a plain state change on the current context.
        unsafe { gl.disable(glow::BLEND) };
        Ok(())
    }
}
