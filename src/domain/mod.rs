//! Vertex domains: attribute buffers sharing one region allocator, drawn in one multi-draw.
//!
//! A [`Domain`] keeps one GL buffer per attribute of its [`VertexFormat`] and hands out
//! vertex lists, each a run of vertex slots found by the [`Allocator`]. Its kind says what
//! else a list has:
//!
//! - [`VertexDomain`] (`Domain<Arrays>`): vertices only, drawn with `glMultiDrawArrays`.
//! - [`IndexedVertexDomain`] (`Domain<Indexed>`): a `u32` index buffer with an allocator of
//!   its own; indices are given relative to their list and stored absolute, drawn with
//!   `glMultiDrawElements`.
//! - [`InstancedVertexDomain`] (`Domain<Instanced>`) and [`InstancedIndexedVertexDomain`]
//!   (`Domain<IndexedInstanced>`): the lists are meshes, drawn once per instance; each
//!   instance is a record of the instance format (divisor-1 attributes, one buffer each,
//!   from an allocator of its own). A mesh's instances are contiguous, so each mesh draws
//!   with one instanced call ([`InstanceDraw`](crate::backend::InstanceDraw) says how).
//!
//! Every kind runs one lifecycle (create, write, resize, migrate, delete, flush, draw),
//! kept once in `core.rs` over the GL storage of `store.rs`; the kinds only choose which
//! parts a store has (an index part, an instance part), and `instances.rs` adds the
//! instances' own calls. A fifth kind would be a marker, its constructor and its
//! `create`/`resize` arguments. The [`Batch`](crate::batch::Batch) draws through the same
//! lifecycle.
//!
//! - **Every call either completes or changes nothing.** A call that may fail part-way
//!   first plans its allocations without committing them
//!   ([`Allocator::plan_alloc`], [`Allocator::plan_realloc`]), grows what must grow (all
//!   buffers or none), and copies moved data into free space on the GPU. Only when every
//!   fallible GL step is done does it commit the allocations, which then cannot fail. So a
//!   failed call never moves, shrinks or loses a list, and never lets two lists share
//!   slots. The one thing a failed call may leave behind is larger buffers: a growth that
//!   completed before a later step failed is kept.
//! - **Growth** follows the allocator's protocol: on [`AllocError::OutOfCapacity`], every
//!   buffer grows to the next power of two at or above the requested capacity by a GPU
//!   copy, and the allocator's capacity follows.
//! - **Writes** are typed ([`AttributeData`]): `[f32; 4]` colours into a `4 × u8`
//!   attribute are refused. They are staged per buffer and reach GL at the next flush or
//!   draw, through one mapped range per buffer.
//! - **Drawing** a domain is one `glMultiDrawArrays`/`glMultiDrawElements` over the
//!   allocator's aggregate regions (or one range per list for strips, fans and loops, whose
//!   lists must not join). Lists of points, lines or triangles are drawn as one range, so a
//!   domain with a list that is not whole primitives (four vertices of triangles) refuses to
//!   draw them instead of garbling the lists after it.
//! - **Handles** are generational ([`VertexList`], [`IndexedVertexList`]): a deleted list's
//!   handle gets [`DomainError::StaleList`], never another list's data.
//!
//! Every domain owns GL objects: use and drop it while its context is current.
//!
//! [`Allocator`]: crate::allocation::Allocator
//! [`Allocator::plan_alloc`]: crate::allocation::Allocator::plan_alloc
//! [`Allocator::plan_realloc`]: crate::allocation::Allocator::plan_realloc
//! [`VertexFormat`]: crate::backend::VertexFormat
//! [`AttributeData`]: crate::backend::AttributeData

mod core;
mod handle;
mod instances;
mod kinds;
mod order;
mod store;

pub use handle::{
    Arrays, DomainId, Indexed, IndexedInstanced, IndexedMesh, IndexedVertexList, Instance,
    InstanceId, Instanced, InstancedMesh, ListId, VertexList,
};
pub use kinds::{
    Domain, DomainKind, IndexedKind, IndexedVertexDomain, InstancedIndexedVertexDomain,
    InstancedKind, InstancedVertexDomain, VertexDomain,
};

pub(crate) use self::core::DomainCore;

/// How a resize kept a list's data: where it was, or moved by GPU copies to a region that
/// fits. Either way the list keeps its handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resized {
    /// Its vertices and indices stayed where they were (the space after them was free, or
    /// it shrank).
    InPlace,
    /// Its vertices or indices moved to a new region, the kept data copied on the GPU.
    Moved,
}
use crate::allocation::AllocError;
use crate::backend::{ComponentType, FormatError, GlError, VertexFormat};
use handle::Unresolved;
pub(crate) use handle::{process_unique, Slots};

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
    /// Values of another component type or count than the attribute's (`[f32; 4]` for a
    /// `4 × u8` colour, say).
    #[error(
        "attribute `{attribute}` holds {} × {:?} per vertex; got values of {} × {:?}",
        expected.0, expected.1, got.0, got.1
    )]
    AttributeType {
        /// The attribute written or read.
        attribute: String,
        /// Its components per vertex and component type.
        expected: (u8, ComponentType),
        /// The components per value and component type given.
        got: (u8, ComponentType),
    },
    /// Values that do not cover the list's vertices exactly.
    #[error(
        "attribute `{attribute}` of this list takes {expected} vertices of {per_vertex} \
         components, got {components} components"
    )]
    VertexCount {
        /// The attribute written.
        attribute: String,
        /// The list's vertex count.
        expected: usize,
        /// The attribute's components per vertex.
        per_vertex: u8,
        /// The components given.
        components: usize,
    },
    /// A write from a first vertex past the list's end.
    #[error("first vertex {first} is past the list's {count} vertices")]
    FirstVertex {
        /// The first vertex asked for.
        first: usize,
        /// The list's vertex count.
        count: usize,
    },
    /// Raw bytes of the wrong length for the list's vertices.
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
    /// A list whose draw count (vertices, or indices when indexed) is not a whole number of
    /// the primitive's: lists of points, lines and triangles are drawn as one range, so a
    /// partial primitive would join the next list's vertices.
    #[error(
        "a {mode:?} list needs a multiple of {per_primitive} vertices or indices, got {count}"
    )]
    PartialPrimitive {
        /// The primitive.
        mode: Primitive,
        /// Vertices (or indices) per primitive.
        per_primitive: usize,
        /// The list's count.
        count: usize,
    },
    /// A draw of points, lines or triangles over a domain holding lists that are not whole
    /// primitives of that kind; nothing was drawn.
    #[error(
        "{lists} list(s) of this domain are not whole {mode:?}; drawing them as one range \
         would garble the lists after them"
    )]
    PartialPrimitives {
        /// The primitive asked for.
        mode: Primitive,
        /// How many lists are not whole primitives of it.
        lists: usize,
    },
    /// An index operation on a domain without indices.
    #[error("this domain has no index buffer")]
    NotIndexed,
    /// An instance operation on a domain without instances.
    #[error("this domain has no instances")]
    NotInstanced,
    /// A z on a domain that keeps no draw order: turn it on first
    /// ([`Domain::set_ordered`]).
    #[error("this domain keeps no draw order (set_ordered turns it on)")]
    NotOrdered,
    /// A mesh with live instances cannot migrate: its instances' ids would go stale. Move
    /// the instances first ([`Domain::migrate_instance`]).
    #[error("the mesh has {instances} live instance(s); migrate or delete them first")]
    MeshHasInstances {
        /// Its live instances.
        instances: usize,
    },
    /// An instance draw path this context does not have.
    #[error("this context cannot draw instances by {0:?}")]
    Unsupported(crate::backend::InstanceDraw),
    /// Migration between an indexed domain and one without indices.
    #[error("cannot migrate between an indexed domain and one without indices")]
    KindMismatch,
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
        self.per_primitive().is_some()
    }

    /// Vertices (or indices) per primitive for the separable primitives (1, 2, 3), which a
    /// list's count must be a multiple of; `None` for strips, loops and fans, which take any
    /// count.
    pub const fn per_primitive(self) -> Option<usize> {
        match self {
            Primitive::Points => Some(1),
            Primitive::Lines => Some(2),
            Primitive::Triangles => Some(3),
            Primitive::LineStrip
            | Primitive::LineLoop
            | Primitive::TriangleStrip
            | Primitive::TriangleFan => None,
        }
    }

    /// Refuses a list count that is not whole primitives of this kind.
    pub(crate) fn check_whole(self, count: usize) -> Result<(), DomainError> {
        match self.per_primitive() {
            Some(per_primitive) if count % per_primitive != 0 => {
                Err(DomainError::PartialPrimitive {
                    mode: self,
                    per_primitive,
                    count,
                })
            }
            _ => Ok(()),
        }
    }
}

/// Names an attribute of a format: its index in the format (`usize`), or its name (`&str`).
/// Sealed: the domains trust the index it returns.
pub trait AttributeKey: sealed::Sealed {
    /// The attribute's index in `format`, if it has one.
    fn index_in(&self, format: &VertexFormat) -> Result<usize, DomainError>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for usize {}
    impl Sealed for &str {}
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

/// Checks relative indices against a list of `vertex_count` vertices and `expected` indices.
pub(crate) fn check_indices(
    indices: &[u32],
    expected: usize,
    vertex_count: usize,
) -> Result<(), DomainError> {
    if indices.len() != expected {
        return Err(DomainError::IndexCount {
            expected,
            got: indices.len(),
        });
    }
    match indices.iter().find(|&&i| i as usize >= vertex_count) {
        Some(&index) => Err(DomainError::IndexOutOfRange {
            index,
            vertex_count,
        }),
        None => Ok(()),
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

/// One `(first, count)` range per non-empty region, for primitives that must not join.
fn list_ranges(regions: impl Iterator<Item = store::Region>) -> (Vec<i32>, Vec<i32>) {
    regions
        .filter(|r| r.count > 0)
        .map(|r| (r.start as i32, r.count as i32))
        .unzip()
}
