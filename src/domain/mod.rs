//! Vertex domains: attribute buffers sharing one region allocator, drawn in one multi-draw.
//!
//! A [`VertexDomain`] keeps one GL buffer per attribute of its [`VertexFormat`] and hands out
//! vertex lists, each a run of vertex slots found by the [`Allocator`]. An
//! [`IndexedVertexDomain`] adds a `u32` index buffer with an allocator of its own; indices
//! are given relative to their list and stored absolute.
//!
//! - **Growth** follows the allocator's protocol: on
//!   [`AllocError::OutOfCapacity`], every buffer grows to the next power of two at or above the
//!   requested capacity by a GPU copy, the allocator's capacity follows, and the call is
//!   retried. If GL cannot grow a buffer, the call fails and the domain is as it was.
//! - **Writes** are staged per buffer and reach GL at the next [`VertexDomain::flush`] or
//!   draw, through one mapped range per buffer.
//! - **Drawing** a domain is one `glMultiDrawArrays`/`glMultiDrawElements` over the
//!   allocator's aggregate regions (or one range per list for strips, fans and loops, whose
//!   lists must not join).
//! - **Handles** are generational ([`VertexList`], [`IndexedVertexList`]): a deleted list's
//!   handle gets [`DomainError::StaleList`], never another list's data.
//!
//! Every domain owns GL objects: use and drop it while its context is current.
//!
//! [`Allocator`]: crate::allocation::Allocator
//! [`VertexFormat`]: crate::backend::VertexFormat

mod handle;
mod indexed;
mod store;
mod vertex;

pub use handle::{Arrays, DomainId, Indexed, IndexedVertexList, ListId, VertexList};
pub use indexed::IndexedVertexDomain;
pub use vertex::VertexDomain;

use crate::allocation::AllocError;
use crate::backend::{FormatError, GlError, VertexFormat};
pub(crate) use handle::Slots;
use handle::Unresolved;

/// What went wrong in a domain operation. On every error, the domain, its lists and their
/// data are as they were before the call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DomainError {
    /// A GL call failed (including a buffer that could not grow).
    #[error(transparent)]
    Gl(#[from] GlError),
    /// The vertex format was rejected.
    #[error(transparent)]
    Format(#[from] FormatError),
    /// The allocator refused (an overflowing size, for instance).
    #[error("allocator: {0}")]
    Alloc(#[from] AllocError),
    /// The list was deleted or migrated away.
    #[error("the vertex list was deleted or migrated away")]
    StaleList,
    /// The list belongs to another domain.
    #[error("the vertex list belongs to another domain")]
    WrongDomain,
    /// No attribute has that name or index.
    #[error("the format has no attribute `{0}`")]
    UnknownAttribute(String),
    /// Data of the wrong byte length for the list's vertices.
    #[error("attribute `{attribute}` of this list takes {expected} bytes, got {got}")]
    DataLength {
        /// The attribute written or read.
        attribute: String,
        /// The bytes the list's vertices take.
        expected: usize,
        /// The bytes given (or the element size that does not divide them).
        got: usize,
    },
    /// Index data of the wrong length for the list.
    #[error("this list has {expected} indices, got {got}")]
    IndexCount {
        /// The list's index count.
        expected: usize,
        /// The count given.
        got: usize,
    },
    /// An index names no vertex of its list.
    #[error("index {index} names no vertex of a list of {vertex_count} vertices")]
    IndexOutOfRange {
        /// The relative index.
        index: u32,
        /// The list's vertex count.
        vertex_count: usize,
    },
    /// Migration between domains of different formats.
    #[error("cannot migrate between formats [{from}] and [{to}]")]
    FormatMismatch {
        /// The source domain's format.
        from: VertexFormat,
        /// The target domain's format.
        to: VertexFormat,
    },
    /// Migration between domains of different GL contexts.
    #[error("cannot migrate between domains of different GL contexts")]
    ContextMismatch,
}

impl From<Unresolved> for DomainError {
    fn from(unresolved: Unresolved) -> Self {
        match unresolved {
            Unresolved::Stale => DomainError::StaleList,
            Unresolved::WrongDomain => DomainError::WrongDomain,
        }
    }
}

/// The primitive a draw assembles from vertices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Primitive {
    /// `GL_POINTS`.
    Points,
    /// `GL_LINES`.
    Lines,
    /// `GL_LINE_STRIP`: lists are drawn as separate strips.
    LineStrip,
    /// `GL_LINE_LOOP`: lists are drawn as separate loops.
    LineLoop,
    /// `GL_TRIANGLES`.
    Triangles,
    /// `GL_TRIANGLE_STRIP`: lists are drawn as separate strips.
    TriangleStrip,
    /// `GL_TRIANGLE_FAN`: lists are drawn as separate fans.
    TriangleFan,
}

impl Primitive {
    /// The GL enum (`GL_TRIANGLES`, ...).
    pub const fn gl_enum(self) -> u32 {
        match self {
            Primitive::Points => glow::POINTS,
            Primitive::Lines => glow::LINES,
            Primitive::LineStrip => glow::LINE_STRIP,
            Primitive::LineLoop => glow::LINE_LOOP,
            Primitive::Triangles => glow::TRIANGLES,
            Primitive::TriangleStrip => glow::TRIANGLE_STRIP,
            Primitive::TriangleFan => glow::TRIANGLE_FAN,
        }
    }

    /// Whether adjacent lists may be drawn as one range without joining their primitives
    /// (points, lines, triangles). Strips, loops and fans are drawn one range per list.
    pub const fn is_separable(self) -> bool {
        matches!(
            self,
            Primitive::Points | Primitive::Lines | Primitive::Triangles
        )
    }
}

/// Names an attribute of a format: its index in the format, or its name.
pub trait AttributeKey {
    /// The attribute's index in `format`, if it has one.
    fn index_in(&self, format: &VertexFormat) -> Result<usize, DomainError>;
}

impl AttributeKey for usize {
    #[inline]
    fn index_in(&self, format: &VertexFormat) -> Result<usize, DomainError> {
        if *self < format.attributes().len() {
            Ok(*self)
        } else {
            Err(DomainError::UnknownAttribute(self.to_string()))
        }
    }
}

impl AttributeKey for &str {
    fn index_in(&self, format: &VertexFormat) -> Result<usize, DomainError> {
        format
            .position(self)
            .ok_or_else(|| DomainError::UnknownAttribute((*self).to_owned()))
    }
}

/// Turns read-back bytes into `T`s, refusing a length that is not a whole number of them.
fn cast_vec<T: bytemuck::Pod>(bytes: Vec<u8>, attribute: &str) -> Result<Vec<T>, DomainError> {
    let size = std::mem::size_of::<T>();
    if size == 0 || bytes.len() % size != 0 {
        return Err(DomainError::DataLength {
            attribute: attribute.to_owned(),
            expected: bytes.len(),
            got: size,
        });
    }
    let mut values = vec![T::zeroed(); bytes.len() / size];
    bytemuck::cast_slice_mut::<T, u8>(&mut values).copy_from_slice(&bytes);
    Ok(values)
}

/// Draw ranges `(firsts, counts)` of aggregate regions, rebuilt only after the allocation
/// changed.
#[derive(Debug, Default)]
struct RangeCache {
    firsts: Vec<i32>,
    counts: Vec<i32>,
    valid: bool,
}

impl RangeCache {
    fn invalidate(&mut self) {
        self.valid = false;
    }

    /// The aggregate regions of `allocator` as GL ranges (capacities fit `i32`, since every
    /// buffer is at most `i32::MAX` bytes).
    fn ranges(&mut self, allocator: &crate::allocation::Allocator) -> (&[i32], &[i32]) {
        if !self.valid {
            self.firsts.clear();
            self.counts.clear();
            for region in allocator.regions() {
                self.firsts.push(region.start as i32);
                self.counts.push(region.len() as i32);
            }
            self.valid = true;
        }
        (&self.firsts, &self.counts)
    }
}
