//! [`Shape`]: rectangles, bordered rectangles, circles, ellipses, sectors, arcs, lines,
//! triangles, polygons and stars ([`ShapeKind`], after pyglet's `shapes`), filled from the
//! atlas's white texel.
//!
//! Its tessellation is kept beside it, so a turn, a colour or a border colour rewrites
//! positions or colours from it and never tessellates again; only a new [`ShapeKind`]
//! does.

pub mod geometry;

use super::atlas::SceneAtlas;
use super::item::sealed::{Common, Context, Kind};
use super::item::Props;
use super::layer::{Layer, Mixed};
use super::vertex::Corners;
use super::SceneError;
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

impl Kind for Shape {
    /// Its tessellation.
    type State = Mesh;

    fn rebuilds(&self, old: &Self) -> bool {
        self.kind != old.kind
    }

    /// A new border colour, or new geometry: which vertices take the border colour follows
    /// the tessellation (a bordered rectangle's outer ring).
    fn repaints(&self, old: &Self) -> bool {
        self.border_colour != old.border_colour || self.kind != old.kind
    }

    fn build(
        &self,
        _: Option<&Mesh>,
        mesh: &mut Mesh,
        _: &mut Context<'_>,
    ) -> Result<usize, SceneError> {
        self.kind.check()?;
        self.kind.tessellate(mesh);
        Ok(0)
    }

    fn counts(mesh: &Mesh) -> (usize, usize) {
        (mesh.positions.len(), mesh.indices.len())
    }

    fn corners(&self, mesh: &Mesh, atlas: &SceneAtlas, from: usize, out: &mut Corners) {
        let white = atlas.white();
        for &position in &mesh.positions[from.min(mesh.positions.len())..] {
            out.push(position, white);
        }
    }

    fn indices(mesh: &Mesh, out: &mut Vec<u32>) {
        out.extend_from_slice(&mesh.indices);
    }

    fn paint(&self, mesh: &Mesh, out: &mut Vec<[u8; 4]>) {
        let fill = self.props.rgba();
        let [r, g, b] = self.border_colour;
        let border = [r, g, b, self.props.opacity];
        out.extend(mesh.border.iter().map(|&b| if b { border } else { fill }));
    }
}
