//! [`Shape`]: rectangles, bordered rectangles, circles, ellipses, sectors, arcs, lines,
//! triangles, polygons and stars ([`ShapeKind`], after pyglet's `shapes`), filled from the
//! atlas's white texel.
//!
//! The scene keeps only its vertex and index counts beside it: a shape costs no memory
//! of its own, and adding or removing one allocates nothing. Its outline is tessellated
//! when its positions or indices are written (an add, a turn, new geometry) into one
//! scratch mesh, which keeps the last outline so that the writes of one change tessellate
//! once. Colours never need the outline: which vertices take a bordered rectangle's border
//! colour follows from its kind ([`ShapeKind::first_border_vertex`]), so a colour change
//! writes colours only.

pub mod geometry;

use std::cell::RefCell;

use super::atlas::SceneAtlas;
use super::error::SceneError;
use super::item::sealed::{Common, Context, Kind};
use super::item::Props;
use super::layer::{Layer, Mixed};
use super::vertex::Corners;
use geometry::{Mesh, ShapeKind};

/// A shape: its kind's outline in its own frame (see [`ShapeKind`] for each kind's origin),
/// placed, turned and filled.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// Layer, position, rotation, anchor, fill colour, opacity, visibility, z.
    pub props: Props,
    /// What it is.
    pub kind: ShapeKind,
    /// RGB colour of a [`ShapeKind::BorderedRectangle`]'s border (unused by other kinds).
    pub border_colour: [u8; 3],
}

impl Shape {
    /// A white, opaque, unturned `kind` with its origin at `(x, y)` in `layer`.
    pub fn new(layer: Layer, kind: ShapeKind, x: f32, y: f32) -> Shape {
        Shape {
            props: Props::new(layer, x, y),
            kind,
            border_colour: [0, 0, 0],
        }
    }

    /// The same shape with a border of `rgb` (for a [`ShapeKind::BorderedRectangle`]).
    pub fn with_border_colour(self, rgb: [u8; 3]) -> Shape {
        Shape {
            border_colour: rgb,
            ..self
        }
    }

    /// The same properties with another kind, for a change of geometry that clones no
    /// shape.
    pub(crate) fn with_kind(&self, kind: ShapeKind) -> Shape {
        Shape {
            props: self.props,
            kind,
            border_colour: self.border_colour,
        }
    }
}

impl Common for Shape {
    type Holds = Mixed;
    const NAME: &'static str = "shape";

    fn props(&self) -> &Props {
        &self.props
    }

    fn props_mut(&mut self) -> &mut Props {
        &mut self.props
    }
}

/// What the scene keeps of a shape: its vertex and index counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShapeCounts {
    vertices: usize,
    indices: usize,
}

thread_local! {
    /// The last outline tessellated, and its kind: the writes of one change (positions,
    /// indices) read it without tessellating again.
    static OUTLINE: RefCell<(Option<ShapeKind>, Mesh)> = RefCell::new((None, Mesh::default()));
}

/// Runs `f` on `kind`'s tessellation, tessellating only when the last one was of another
/// kind.
fn with_outline<R>(kind: &ShapeKind, f: impl FnOnce(&Mesh) -> R) -> R {
    OUTLINE.with(|outline| {
        let mut outline = outline.borrow_mut();
        let (last, mesh) = &mut *outline;
        if last.as_ref() != Some(kind) {
            kind.tessellate(mesh);
            *last = Some(kind.clone());
        }
        f(mesh)
    })
}

impl Kind for Shape {
    /// Its counts: the outline is tessellated again when needed.
    type State = ShapeCounts;

    fn rebuilds(&self, old: &Self) -> bool {
        self.kind != old.kind
    }

    /// A new border colour, or new geometry: which vertices take the border colour follows
    /// the kind (a bordered rectangle's border ring).
    fn repaints(&self, old: &Self) -> bool {
        self.border_colour != old.border_colour || self.kind != old.kind
    }

    fn build(
        &self,
        _: Option<&ShapeCounts>,
        counts: &mut ShapeCounts,
        _: &mut Context<'_>,
    ) -> Result<usize, SceneError> {
        self.kind.check()?;
        let (vertices, indices) = self.kind.counts();
        *counts = ShapeCounts { vertices, indices };
        Ok(0)
    }

    fn counts(counts: &ShapeCounts) -> (usize, usize) {
        (counts.vertices, counts.indices)
    }

    fn corners(&self, _: &ShapeCounts, atlas: &SceneAtlas, from: usize, out: &mut Corners) {
        let white = atlas.white();
        with_outline(&self.kind, |mesh| {
            for &position in &mesh.positions[from.min(mesh.positions.len())..] {
                out.push(position, white);
            }
        });
    }

    fn indices(&self, _: &ShapeCounts, out: &mut Vec<u32>) {
        with_outline(&self.kind, |mesh| out.extend_from_slice(&mesh.indices));
    }

    fn paint(&self, counts: &ShapeCounts, out: &mut Vec<[u8; 4]>) {
        let fill = self.props.rgba();
        let [r, g, b] = self.border_colour;
        let border = [r, g, b, self.props.opacity];
        let count = counts.vertices;
        let first_border = self.kind.first_border_vertex().unwrap_or(count).min(count);
        out.extend(std::iter::repeat(fill).take(first_border));
        out.extend(std::iter::repeat(border).take(count - first_border));
    }
}
