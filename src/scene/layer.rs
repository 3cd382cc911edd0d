//! Layers: [`Layer`], a typed handle to a group of the scene's batch that holds items of
//! every kind (sprites, shapes, labels), drawn in one call; its [`Space`] (the world,
//! through the camera, or the screen); and its group, which sets the scene's program, atlas
//! and blend mode.

use std::marker::PhantomData;
use std::sync::Arc;

use glow::HasContext;

use super::blend::{Blend, SharedBlend};
use crate::backend::{validate_clean, validate_gl, GlError, GrowingTexture, Program};
use crate::batch::{Group, GroupId};

/// Marker of layers that hold sprites, shapes and labels together ([`Layer`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mixed {}

/// Marker of layers of [`Particle`](super::Particle)s, drawn instanced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Particles {}

/// A layer of a [`Scene`](super::Scene): a group of its batch, typed by what it holds, so
/// that an item cannot be put in a layer of the wrong kind, nor in a game's own group. It
/// carries its batch's id, so another scene refuses it
/// ([`SceneError::UnknownLayer`](super::SceneError::UnknownLayer)).
pub struct Layer<K = Mixed> {
    pub(crate) group: GroupId,
    kind: PhantomData<fn() -> K>,
}

impl<K> Layer<K> {
    pub(crate) fn new(group: GroupId) -> Self {
        Layer {
            group,
            kind: PhantomData,
        }
    }

    /// The layer's group in the scene's batch.
    pub fn group(&self) -> GroupId {
        self.group
    }
}

impl<K> Clone for Layer<K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K> Copy for Layer<K> {}
impl<K> PartialEq for Layer<K> {
    fn eq(&self, other: &Self) -> bool {
        self.group == other.group
    }
}
impl<K> Eq for Layer<K> {}
impl<K> std::hash::Hash for Layer<K> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.group.hash(state)
    }
}
impl<K> std::fmt::Debug for Layer<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Layer").field(&self.group).finish()
    }
}

/// What a layer's positions are in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Space {
    /// World coordinates, seen through the scene's camera: the game's world.
    #[default]
    World,
    /// Viewport pixels, origin at the bottom left, whatever the camera does: a HUD.
    Screen,
}

/// The uniforms of the scene's program that a layer's group sets.
#[derive(Debug, Clone)]
pub(crate) struct Uniforms {
    /// The atlas's size in texels, which growth changes.
    pub atlas_size: glow::UniformLocation,
    /// 1 for a [`Space::Screen`] layer.
    pub screen: glow::UniformLocation,
    /// 1: output straight colour ([`Blend::StraightAlpha`]).
    pub straight: glow::UniformLocation,
}

/// What a layer of the scene is, by its group's index in the batch.
#[derive(Debug, Clone)]
pub(crate) struct LayerInfo {
    pub blend: Arc<SharedBlend>,
    pub space: Space,
}

/// A layer's group: makes the scene's program current, binds the atlas to unit 0, sets
/// the atlas size, the space and the blend mode's uniforms, and blends by the mode (shared
/// with the scene, which changes it).
///
/// GL state touched: the current program (none again on unset), the active texture unit
/// and its 2D binding (left bound), the program's layer uniforms, `GL_BLEND` and the blend
/// function (blending disabled again on unset).
pub(crate) struct LayerGroup {
    pub program: Arc<Program>,
    pub atlas: Arc<GrowingTexture>,
    pub uniforms: Uniforms,
    pub info: LayerInfo,
}

impl Group for LayerGroup {
    fn set_state(&self, gl: &glow::Context) -> Result<(), GlError> {
        validate_clean(gl, "scene layer")?;
        self.program.use_program();
        self.atlas.bind(0);
        let (w, h) = self.atlas.size();
        let blend = self.info.blend.get();
        let (source, destination) = blend.factors();
        let u = &self.uniforms;
        // SAFETY: the layer's program was just made current and the locations are its
        // own; the rest are plain state changes.
        unsafe {
            gl.uniform_2_f32(Some(&u.atlas_size), w as f32, h as f32);
            let screen = self.info.space == Space::Screen;
            gl.uniform_1_i32(Some(&u.screen), i32::from(screen));
            let straight = blend == Blend::StraightAlpha;
            gl.uniform_1_i32(Some(&u.straight), i32::from(straight));
            gl.enable(glow::BLEND);
            gl.blend_func(source, destination);
        }
        validate_gl(gl, "scene layer")
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
