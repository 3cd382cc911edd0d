//! Batches: many vertex lists drawn in few calls, grouped by GL state.
//!
//! - [`Group`]s are GL state in a tree with an order key; [`Batch::draw`] sets each group's
//!   state, draws its domains with one multi-draw each, draws its children and unsets it.
//! - A [`Batch`] owns one domain per (group, [`VertexFormat`], [`Primitive`], indexed) and
//!   hands out [`BatchList`]s from them (and instances of instanced meshes).
//!
//! The 2D scene of sprites, shapes and labels drawn through a batch is
//! [`scene`](crate::scene).
//!
//! [`VertexFormat`]: crate::backend::VertexFormat
//! [`Primitive`]: crate::domain::Primitive

mod group;
mod vertex_batch;

pub use group::{BatchId, Group, GroupId, ProgramGroup, StateGroup, TextureGroup};
pub use vertex_batch::{
    Batch, BatchInstance, BatchList, DrawStats, FormatId, FormatKey, Placement,
};

use crate::backend::{FormatError, GlError};
use crate::domain::DomainError;

/// What went wrong in a batch operation. On error, nothing changed.
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
