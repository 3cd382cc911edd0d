//! [`Blend`]: how a layer's pixels combine with what is below them, and the mode a layer
//! shares with its group.
//!
//! The scene's atlas holds premultiplied texels and its shaders output premultiplied
//! colour, except for [`Blend::StraightAlpha`]: every blend mode is then a pair of GL
//! factors on premultiplied colour, and linear filtering at a sprite's transparent edge
//! mixes colour with nothing instead of with black.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

/// How a layer's pixels combine with what is drawn below them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Blend {
    /// Normal "over" compositing, on premultiplied colour (`ONE, ONE_MINUS_SRC_ALPHA`): the
    /// default, with clean edges under linear filtering.
    #[default]
    Alpha,
    /// Straight-alpha "over" (`SRC_ALPHA, ONE_MINUS_SRC_ALPHA`), the shader's colour
    /// divided by its alpha first: as older engines blended, for a game whose own GL state
    /// expects it. Over an opaque background it draws what [`Blend::Alpha`] draws.
    StraightAlpha,
    /// Light adds to what is below (`ONE, ONE`): glows, fire, sparks.
    Additive,
    /// Multiplies what is below by the item's colour where it is opaque
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

/// A layer's blend mode, shared between the scene (which changes it) and the layer's group
/// (which reads it at each draw). An atomic rather than a cell only so that a scene may
/// move between threads, as glow's context may.
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
