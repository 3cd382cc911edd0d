//! Batches: many vertex lists drawn in few calls, grouped by GL state, and sprites on top.
//!
//! - [`Group`]s are GL state in a tree with an order key; [`Batch::draw`] sets each group's
//!   state, draws its domains with one multi-draw each, draws its children and unsets it.
//! - A [`Batch`] owns one domain per (group, [`VertexFormat`], [`Primitive`], indexed) and
//!   hands out [`BatchList`]s from them.
//! - A [`SpriteBatch`] draws a 2D scene through a batch: layers of textured, transformed
//!   quads (one texture each) and layers of [`shapes`], ordered by z within each layer,
//!   drawn by layer order through one [`Camera`], and layers of [`text`] labels.
//!
//! [`VertexFormat`]: crate::backend::VertexFormat
//! [`Primitive`]: crate::domain::Primitive

mod camera;
mod group;
pub(crate) mod layer;
pub mod shapes;
mod sprite;
pub mod text;
mod vertex_batch;

pub use camera::{Camera, View};
pub use group::{BatchId, Group, GroupId, ProgramGroup, StateGroup, TextureGroup};
pub use layer::Blend;
pub use shapes::{Shape, ShapeId, ShapeKind};
pub use sprite::{Instances, Quads, Sprite, SpriteBatch, SpriteId, SpriteStore, Sprites};
pub use text::{Font, Label, LabelId, TextError, TextStats};
pub use vertex_batch::{
    Batch, BatchInstance, BatchList, DrawStats, FormatId, FormatKey, Placement,
};

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
    /// The list belongs to another batch.
    #[error("the list belongs to another batch")]
    WrongBatch,
    /// A group's state could not be set or unset while drawing; the group was skipped with
    /// its subtree, and the rest of the batch drew.
    #[error("the state of group {group:?} failed: {error}")]
    GroupState {
        /// The group.
        group: GroupId,
        /// What its [`Group::set_state`] or [`Group::unset_state`] returned.
        error: GlError,
    },
    /// The group is not a layer of this sprite batch (another group of its batch, or a
    /// group of another batch).
    #[error("{0:?} is not a layer of this sprite batch")]
    NotASpriteLayer(GroupId),
    /// The sprite was removed (or never belonged to this sprite batch).
    #[error("the sprite was removed or belongs to another sprite batch")]
    UnknownSprite,
    /// The group is not a shape layer of this sprite batch.
    #[error("{0:?} is not a shape layer of this sprite batch")]
    NotAShapeLayer(GroupId),
    /// The shape was removed (or never belonged to this sprite batch).
    #[error("the shape was removed or belongs to another sprite batch")]
    UnknownShape,
    /// A shape's geometry cannot be drawn (a NaN size, a circle of two segments, ...).
    #[error("shape geometry: {0}")]
    Geometry(#[from] shapes::GeometryError),
    /// The group is not a text layer of this sprite batch.
    #[error("{0:?} is not a text layer of this sprite batch")]
    NotATextLayer(GroupId),
    /// The label was removed (or never belonged to this sprite batch).
    #[error("the label was removed or belongs to another sprite batch")]
    UnknownLabel,
    /// Text could not be laid out or rasterised (a bad size, a full atlas, ...).
    #[error("text: {0}")]
    Text(#[from] TextError),
    /// A number that must be finite was not (NaN or infinite): an item's position,
    /// rotation, scale, anchor or z, or a camera's pan or rotation. Nothing changed.
    #[error("{0} must be finite")]
    NotFinite(&'static str),
    /// A viewport of zero pixels, or a camera zoom that is not a positive finite number:
    /// nothing could be seen. Nothing changed.
    #[error("{0}")]
    EmptyView(&'static str),
}

/// `values`, or [`BatchError::NotFinite`] naming `what` when one is NaN or infinite.
pub(crate) fn finite(what: &'static str, values: &[f32]) -> Result<(), BatchError> {
    match values.iter().all(|v| v.is_finite()) {
        true => Ok(()),
        false => Err(BatchError::NotFinite(what)),
    }
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
