//! Groups: GL state set before a group's lists (and child groups) draw and unset after.
//!
//! A [`Group`] is the state; a [`Batch`](super::Batch) places it in a tree with an order key
//! and an optional parent, and hands back a [`GroupId`]. Siblings draw in ascending order
//! (ties in the order they were added); an invisible group is skipped with its whole subtree.
//!
//! Ready groups: [`ProgramGroup`] (a shader program), [`TextureGroup`] (a texture, with
//! alpha blending for sprites) and [`StateGroup`] (any pair of closures).

use std::fmt;
use std::sync::Arc;

use glow::HasContext;

use crate::backend::{validate_clean, validate_gl, GlError, MaybeSend, Program, Texture};

/// GL state that a [`Batch`](super::Batch) sets before drawing a group's lists and children,
/// and unsets after.
///
/// An implementation reports its own GL errors (ending in [`check_gl`](crate::backend::check_gl), as the ready groups
/// do): an error it leaves queued is found by the next checked call of the draw and
/// reported as [`GlError::QueuedBefore`] there.
///
/// A group is [`MaybeSend`]: `Send` natively, so that a batch is `Send` like glow's context.
pub trait Group: MaybeSend {
    /// Sets this group's state. Called once per draw of the group.
    fn set_state(&self, gl: &glow::Context) -> Result<(), GlError>;

    /// Restores what [`set_state`](Group::set_state) changed. The default does nothing.
    fn unset_state(&self, _gl: &glow::Context) -> Result<(), GlError> {
        Ok(())
    }
}

/// A group in a [`Batch`](super::Batch). It carries its batch's id, so another batch
/// refuses it ([`BatchError::UnknownGroup`](super::BatchError::UnknownGroup)) instead of
/// taking it for one of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GroupId {
    pub(crate) batch: BatchId,
    pub(crate) index: u32,
}

/// Identifies one [`Batch`](super::Batch) among all batches of the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BatchId(u32);

impl BatchId {
    /// A fresh id, never handed out before in this process (until `u32` wraps).
    pub(crate) fn next() -> Self {
        BatchId(crate::domain::process_unique())
    }
}

/// Uses a shader program for the group's subtree.
///
/// GL state touched: the current program (set, then unset to none).
pub struct ProgramGroup {
    program: Arc<Program>,
}

impl ProgramGroup {
    /// A group that makes `program` current.
    pub fn new(program: Arc<Program>) -> Self {
        ProgramGroup { program }
    }

    /// The program.
    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }
}

impl Group for ProgramGroup {
    fn set_state(&self, gl: &glow::Context) -> Result<(), GlError> {
        validate_clean(gl, "ProgramGroup::set_state")?;
        self.program.use_program();
        validate_gl(gl, "ProgramGroup::set_state")
    }

    fn unset_state(&self, gl: &glow::Context) -> Result<(), GlError> {
        // SAFETY: unbinding the program is always valid.
        unsafe { gl.use_program(None) };
        Ok(())
    }
}

/// Binds a texture to a unit and, when `blend` is on, enables straight-alpha blending
/// (`SRC_ALPHA, ONE_MINUS_SRC_ALPHA`), as sprites need.
///
/// GL state touched: the active texture unit and its 2D binding (left bound), `GL_BLEND`
/// and the blend function (blending disabled again on unset).
pub struct TextureGroup {
    texture: Arc<Texture>,
    unit: u32,
    blend: bool,
}

impl TextureGroup {
    /// A group binding `texture` to unit `unit`, with alpha blending if `blend`.
    pub fn new(texture: Arc<Texture>, unit: u32, blend: bool) -> Self {
        TextureGroup {
            texture,
            unit,
            blend,
        }
    }

    /// The texture.
    pub fn texture(&self) -> &Arc<Texture> {
        &self.texture
    }
}

impl Group for TextureGroup {
    fn set_state(&self, gl: &glow::Context) -> Result<(), GlError> {
        validate_clean(gl, "TextureGroup::set_state")?;
        self.texture.bind(self.unit)?;
        if self.blend {
            // SAFETY: plain state changes on the current context.
            unsafe {
                gl.enable(glow::BLEND);
                gl.blend_func(glow::SRC_ALPHA, glow::ONE_MINUS_SRC_ALPHA);
            }
        }
        validate_gl(gl, "TextureGroup::set_state")
    }

    fn unset_state(&self, gl: &glow::Context) -> Result<(), GlError> {
        if self.blend {
            // SAFETY: a plain state change on the current context.
            unsafe { gl.disable(glow::BLEND) };
        }
        Ok(())
    }
}

/// The set-state callback of a [`StateGroup`].
/// A [`StateGroup`] closure: [`MaybeSend`] like every group.
trait StateClosure: Fn(&glow::Context) -> Result<(), GlError> + MaybeSend {}
impl<F: Fn(&glow::Context) -> Result<(), GlError> + MaybeSend> StateClosure for F {}

type StateFn = Box<dyn StateClosure>;

/// A group made of two closures, for state no ready group covers.
pub struct StateGroup {
    set: StateFn,
    unset: StateFn,
}

impl StateGroup {
    /// A group calling `set` before its lists draw and `unset` after.
    pub fn new(
        set: impl Fn(&glow::Context) -> Result<(), GlError> + MaybeSend + 'static,
        unset: impl Fn(&glow::Context) -> Result<(), GlError> + MaybeSend + 'static,
    ) -> Self {
        StateGroup {
            set: Box::new(set),
            unset: Box::new(unset),
        }
    }
}

impl Group for StateGroup {
    fn set_state(&self, gl: &glow::Context) -> Result<(), GlError> {
        (self.set)(gl)
    }

    fn unset_state(&self, gl: &glow::Context) -> Result<(), GlError> {
        (self.unset)(gl)
    }
}

impl fmt::Debug for dyn Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Group")
    }
}
