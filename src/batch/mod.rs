//! Batches: many vertex lists drawn in few calls, grouped by GL state, and sprites on top.
//!
//! - [`Group`]s are GL state in a tree with an order key; [`Batch::draw`] sets each group's
//!   state, draws its domains with one multi-draw each, draws its children and unsets it.
//! - A [`Batch`] owns one domain per (group, [`VertexFormat`], [`Primitive`], indexed) and
//!   hands out [`BatchList`]s from them.
//! - A [`SpriteBatch`] draws textured, transformed quads through a batch: one layer
//!   ([`TextureGroup`]) per texture, all sharing one shader program.
//!
//! [`VertexFormat`]: crate::backend::VertexFormat
//! [`Primitive`]: crate::domain::Primitive

mod group;
mod sprite;
mod vertex_batch;

pub use group::{Group, GroupId, ProgramGroup, StateGroup, TextureGroup};
pub use sprite::{Sprite, SpriteBatch, SpriteId, Sprites};
pub use vertex_batch::{Batch, BatchList, DrawStats, FormatId, FormatKey};

use crate::backend::{FormatError, GlError};
use crate::domain::DomainError;

/// What went wrong in a batch or sprite operation. On error, nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BatchError {
    /// A domain operation failed (GL errors included).
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The group is not one of this batch's.
    #[error("{0:?} is not a group of this batch")]
    UnknownGroup(GroupId),
    /// The format id is not one of this batch's.
    #[error("the format id is not one of this batch's")]
    UnknownFormat,
    /// The batch has as many groups as a `u32` counts.
    #[error("too many groups")]
    TooManyGroups,
    /// The sprite was removed (or never belonged to this sprite batch).
    #[error("the sprite was removed or belongs to another sprite batch")]
    UnknownSprite,
}

impl From<GlError> for BatchError {
    fn from(error: GlError) -> Self {
        BatchError::Domain(error.into())
    }
}

impl From<FormatError> for BatchError {
    fn from(error: FormatError) -> Self {
        BatchError::Domain(error.into())
    }
}
