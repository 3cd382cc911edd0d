//! Shapes on a [`SpriteBatch`]: rectangles, bordered rectangles, circles, ellipses,
//! sectors, arcs, lines, triangles, polygons and stars, after pyglet's `shapes`, drawn in
//! shape layers that interleave with sprite layers by order and look through the same
//! camera.
//!
//! A shape is one indexed vertex list of triangles in its layer's domain, so a layer of
//! shapes of every kind draws in one multi-draw, ordered by z like sprites. Its vertices
//! hold three attributes:
//!
//! - `position`: the tessellated outline ([`geometry`]) less the anchor, turned by the
//!   rotation: rewritten when the geometry, anchor, rotation or visibility change;
//! - `translation`: the shape's position, the same at every vertex: a move rewrites only
//!   this, 8 bytes a vertex;
//! - `colour`: the fill colour and opacity (the border colour at a bordered rectangle's
//!   border): a change of colour rewrites only this.
//!
//! A change of geometry that changes the vertex or index count (a circle's segments, a
//! polygon's points) resizes the shape's list in place where the space after it is free,
//! else moves it by a GPU copy: the shape keeps its id, z and place in the order.

pub mod geometry;

use std::sync::Arc;

use super::camera::VIEW_SHADER;
use super::layer::{Blend, Layer, LayerKind, LayerUniforms, SharedBlend};
use super::sprite::SpriteStore;
use super::{finite, Batch, BatchError, BatchList, FormatId, GroupId, SpriteBatch};
use crate::backend::{ComponentType, Program, ShaderVersion, VertexFormat};
use crate::domain::{DomainId, ListId, Primitive, Slots};
pub use geometry::{GeometryError, Mesh, ShapeKind};

/// Attribute locations of the shape program.
const POSITION: usize = 0;
const TRANSLATION: usize = 1;
const COLOUR: usize = 2;

const VERTEX_SHADER: &str = "
in vec2 position;
in vec2 translation;
in vec4 colour;
out vec4 v_colour;
void main() {
    gl_Position = clip(position + translation);
    v_colour = colour;
}";

/// Premultiplied colour, or straight for a layer that blends straight alpha (set by its
/// [`Layer`]).
const FRAGMENT_SHADER: &str = "
uniform int straight;
in vec4 v_colour;
out vec4 out_colour;
void main() {
    out_colour = straight == 1 ? v_colour : vec4(v_colour.rgb * v_colour.a, v_colour.a);
}";

/// Marker for shape handles.
#[derive(Debug)]
pub enum Shapes {}

/// A shape of a [`SpriteBatch`]; a removed shape's id resolves to
/// [`BatchError::UnknownShape`].
pub type ShapeId = ListId<Shapes>;

/// A shape's properties, as last set.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// What it is, in its local frame (see [`ShapeKind`] for each kind's origin).
    pub kind: ShapeKind,
    /// Where its anchor goes, in world pixels.
    pub x: f32,
    /// Where its anchor goes, in world pixels.
    pub y: f32,
    /// Clockwise turn about the anchor, in degrees, as sprites turn.
    pub rotation: f32,
    /// The local point placed at `(x, y)` and turned about: the kind's origin by default.
    pub anchor: [f32; 2],
    /// RGB fill colour.
    pub colour: [u8; 3],
    /// RGB colour of a [`ShapeKind::BorderedRectangle`]'s border (unused by other kinds).
    pub border_colour: [u8; 3],
    /// Opacity, 255 opaque.
    pub opacity: u8,
    /// Whether it draws.
    pub visible: bool,
    /// Where it draws within its layer: above the shapes of lower z, and above those of
    /// its z added before it.
    pub z: f32,
    /// The shape layer it draws in ([`SpriteBatch::add_shape_layer`]).
    pub layer: GroupId,
}

impl Shape {
    /// [`BatchError::NotFinite`] unless its position, rotation, anchor and z are finite
    /// (its geometry is checked when it is tessellated).
    fn check(&self) -> Result<(), BatchError> {
        finite("a shape's position", &[self.x, self.y])?;
        finite("a shape's rotation", &[self.rotation])?;
        finite("a shape's anchor", &self.anchor)?;
        finite("a shape's z", &[self.z])
    }

    /// A white, opaque, unrotated shape of `kind` whose origin is at `(x, y)`, at z 0.
    pub fn new(layer: GroupId, kind: ShapeKind, x: f32, y: f32) -> Self {
        Shape {
            kind,
            x,
            y,
            rotation: 0.0,
            anchor: [0.0, 0.0],
            colour: [255, 255, 255],
            border_colour: [0, 0, 0],
            opacity: 255,
            visible: true,
            z: 0.0,
            layer,
        }
    }

    /// The same shape filled with `rgb`.
    pub fn with_colour(self, rgb: [u8; 3]) -> Self {
        Shape {
            colour: rgb,
            ..self
        }
    }

    /// The same shape at `z` within its layer.
    pub fn at_z(self, z: f32) -> Self {
        Shape { z, ..self }
    }

    /// The same shape turned clockwise by `degrees` about its anchor.
    pub fn rotated(self, degrees: f32) -> Self {
        Shape {
            rotation: degrees,
            ..self
        }
    }
}

/// What a sprite batch keeps for its shapes: their program, format and lists, and scratch
/// space that keeps writes from allocating once warm.
pub(in crate::batch) struct ShapeStore {
    pub(crate) program: Arc<Program>,
    pub(in crate::batch) uniforms: LayerUniforms,
    format_id: FormatId,
    shapes: Slots<(Shape, BatchList)>,
    mesh: Mesh,
    positions: Vec<[f32; 2]>,
    colours: Vec<[u8; 4]>,
}

impl ShapeStore {
    /// The shape program, compiled for `gl`'s GLSL dialect, and its format in `batch`.
    pub(crate) fn new(batch: &mut Batch) -> Result<Self, BatchError> {
        let gl = Arc::clone(batch.gl());
        let version = ShaderVersion::for_context(&gl);
        let vertex = version.source(&format!("{VIEW_SHADER}{VERTEX_SHADER}"));
        let fragment = version.source(FRAGMENT_SHADER);
        let program = Program::builder(&gl, &vertex, &fragment)
            .bind_attribute("position", POSITION as u32)
            .bind_attribute("translation", TRANSLATION as u32)
            .bind_attribute("colour", COLOUR as u32)
            .build()?;
        let format = VertexFormat::from_program(&program, &[("colour", ComponentType::U8, true)])?;
        Ok(ShapeStore {
            uniforms: LayerUniforms::of(&program, false)?,
            program: Arc::new(program),
            format_id: batch.format_id(&format),
            shapes: Slots::new(DomainId::next()),
            mesh: Mesh::default(),
            positions: Vec::new(),
            colours: Vec::new(),
        })
    }

    /// The layer group of a new shape layer blending by `blend`.
    pub(in crate::batch) fn layer(&self, blend: &Arc<SharedBlend>) -> Layer {
        Layer {
            program: Arc::clone(&self.program),
            texture: None,
            blend: Arc::clone(blend),
            uniforms: self.uniforms.clone(),
        }
    }

    /// Tessellates `kind` into the scratch mesh.
    fn tessellate(&mut self, kind: &ShapeKind) -> Result<(), BatchError> {
        kind.check()?;
        kind.tessellate(&mut self.mesh);
        Ok(())
    }

    /// Writes the positions of the scratch mesh, placed for `shape` (its anchor at the
    /// origin, turned clockwise by its rotation; all at the origin when hidden).
    fn write_positions(
        &mut self,
        batch: &mut Batch,
        list: BatchList,
        shape: &Shape,
    ) -> Result<(), BatchError> {
        let (sin, cos) = (-shape.rotation).to_radians().sin_cos();
        let [ax, ay] = shape.anchor;
        let shown = if shape.visible { 1.0 } else { 0.0 };
        self.positions.clear();
        self.positions
            .extend(self.mesh.positions.iter().map(|&[x, y]| {
                let (x, y) = (x - ax, y - ay);
                [(x * cos - y * sin) * shown, (x * sin + y * cos) * shown]
            }));
        batch.write(list, POSITION, &self.positions)
    }

    /// Writes `(x, y)` as the translation of every vertex of a list of `count`.
    fn write_translation(
        &mut self,
        batch: &mut Batch,
        list: BatchList,
        count: usize,
        (x, y): (f32, f32),
    ) -> Result<(), BatchError> {
        batch.write_filled(list, TRANSLATION, (0, count), [x, y], &mut self.positions)
    }

    /// Writes the colours of the scratch mesh's vertices for `shape`.
    fn write_colours(
        &mut self,
        batch: &mut Batch,
        list: BatchList,
        shape: &Shape,
    ) -> Result<(), BatchError> {
        let rgba = |[r, g, b]: [u8; 3]| [r, g, b, shape.opacity];
        let (fill, border) = (rgba(shape.colour), rgba(shape.border_colour));
        self.colours.clear();
        (self.colours).extend(
            self.mesh
                .border
                .iter()
                .map(|&b| if b { border } else { fill }),
        );
        batch.write(list, COLOUR, &self.colours)
    }

    /// Writes every attribute of `shape` from the scratch mesh, its tessellation.
    fn write_all(
        &mut self,
        batch: &mut Batch,
        list: BatchList,
        shape: &Shape,
    ) -> Result<(), BatchError> {
        self.write_positions(batch, list, shape)?;
        let count = self.mesh.positions.len();
        self.write_translation(batch, list, count, (shape.x, shape.y))?;
        self.write_colours(batch, list, shape)
    }

    /// The live shape and its list.
    fn get(&self, id: ShapeId) -> Result<&(Shape, BatchList), BatchError> {
        self.shapes.get(id).map_err(|_| BatchError::UnknownShape)
    }
}

impl<S: SpriteStore> SpriteBatch<S> {
    /// Adds a layer of shapes, blended over what is below ([`Blend::Alpha`]), drawn among
    /// all layers, sprite layers too, by ascending `order`.
    pub fn add_shape_layer(&mut self, order: i32) -> Result<GroupId, BatchError> {
        self.add_blended_shape_layer(order, Blend::Alpha)
    }

    /// Adds a layer of shapes that blends by `blend`; otherwise as
    /// [`add_shape_layer`](Self::add_shape_layer).
    pub fn add_blended_shape_layer(
        &mut self,
        order: i32,
        blend: Blend,
    ) -> Result<GroupId, BatchError> {
        let mode = SharedBlend::new(blend);
        let group = self.shapes.layer(&mode);
        self.add_layer_group(group, order, LayerKind::Shapes, mode)
    }

    /// Adds a shape and writes it. Its layer must be a shape layer of this batch
    /// ([`BatchError::NotAShapeLayer`]) and its geometry valid
    /// ([`BatchError::Geometry`]); on error nothing was added.
    pub fn add_shape(&mut self, shape: Shape) -> Result<ShapeId, BatchError> {
        shape.check()?;
        self.check_layer_kind(shape.layer, LayerKind::Shapes)?;
        let store = &mut self.shapes;
        store.tessellate(&shape.kind)?;
        let (format, vertices) = (store.format_id, store.mesh.positions.len());
        let list = self.batch.add_indexed_at(
            shape.layer,
            format,
            Primitive::Triangles,
            vertices,
            &store.mesh.indices,
            shape.z,
        )?;
        if let Err(error) = store.write_all(&mut self.batch, list, &shape) {
            self.batch.delete(list)?;
            return Err(error);
        }
        Ok(store.shapes.insert((shape, list)))
    }

    /// A shape's properties.
    pub fn shape(&self, id: ShapeId) -> Result<&Shape, BatchError> {
        Ok(&self.shapes.get(id)?.0)
    }

    /// A shape's vertex list in [`batch`](Self::batch), for reading it back (attributes
    /// `position`, `translation`, `colour`) or its placement.
    pub fn shape_list(&self, id: ShapeId) -> Result<BatchList, BatchError> {
        Ok(self.shapes.get(id)?.1)
    }

    /// Live shapes.
    pub fn shape_count(&self) -> usize {
        self.shapes.shapes.len()
    }

    /// Moves a shape: rewrites its translation only, 8 bytes a vertex.
    pub fn set_shape_position(&mut self, id: ShapeId, x: f32, y: f32) -> Result<(), BatchError> {
        finite("a shape's position", &[x, y])?;
        let list = self.shapes.get(id)?.1;
        let count = self.batch.vertex_count(list)?;
        (self.shapes).write_translation(&mut self.batch, list, count, (x, y))?;
        if let Ok((shape, _)) = self.shapes.shapes.get_mut(id) {
            (shape.x, shape.y) = (x, y);
        }
        Ok(())
    }

    /// Sets where a shape draws within its layer, as
    /// [`set_z`](SpriteBatch::set_z) does for sprites. Writes no vertex.
    pub fn set_shape_z(&mut self, id: ShapeId, z: f32) -> Result<(), BatchError> {
        finite("a shape's z", &[z])?;
        let list = self.shapes.get(id)?.1;
        self.batch.set_z(list, z)?;
        if let Ok((shape, _)) = self.shapes.shapes.get_mut(id) {
            shape.z = z;
        }
        Ok(())
    }

    /// Updates a shape's properties through `f` and rewrites what changed: its colours
    /// alone when only colours or opacity changed, its translation alone when only its
    /// position did, and its whole list otherwise, resized in place (or moved by a GPU
    /// copy) when its vertex or index count changed. A change of layer migrates it, a
    /// change of z reorders it.
    ///
    /// A change of layer counts as adding it anew there: it draws above the items of its z
    /// already in that layer (and moving it back does not restore its old place). Numbers
    /// that are not finite are refused ([`BatchError::NotFinite`]) before anything changes.
    /// On error the shape keeps its properties, list and data.
    pub fn update_shape(
        &mut self,
        id: ShapeId,
        f: impl FnOnce(&mut Shape),
    ) -> Result<(), BatchError> {
        let (old, mut list) = self.shapes.get(id)?.clone();
        let mut new = old.clone();
        f(&mut new);
        new.check()?;
        if new.layer != old.layer {
            self.check_layer_kind(new.layer, LayerKind::Shapes)?;
        }
        // The new z first: CPU work, refused only by a layer without a draw order, and
        // carried by a migration.
        let rezoned = new.z.to_bits() != old.z.to_bits();
        if rezoned {
            self.batch.set_z(list, new.z)?;
        }
        match self.rewrite_shape(&old, list, &new) {
            Ok(moved) => list = moved,
            Err(error) => {
                if rezoned {
                    let _ = self.batch.set_z(list, old.z);
                }
                return Err(error);
            }
        }
        let entry = self
            .shapes
            .shapes
            .get_mut(id)
            .map_err(|_| BatchError::UnknownShape)?;
        *entry = (new, list);
        Ok(())
    }

    /// Rewrites what changed from `old` to `new` in `list` and migrates it to `new`'s
    /// layer, returning its handle there; on error `list` holds `old` as it was.
    fn rewrite_shape(
        &mut self,
        old: &Shape,
        list: BatchList,
        new: &Shape,
    ) -> Result<BatchList, BatchError> {
        let store = &mut self.shapes;
        let geometry = new.kind != old.kind;
        if geometry {
            new.kind.check()?;
        }
        let b = &mut self.batch;
        if geometry {
            let (vertices, indices) = new.kind.counts();
            if (vertices, indices) != (b.vertex_count(list)?, b.index_count(list)?) {
                b.resize(list, vertices, indices)?;
            }
        }
        store.tessellate(&new.kind)?;
        let shaped = new.anchor != old.anchor
            || new.rotation.to_bits() != old.rotation.to_bits()
            || new.visible != old.visible;
        let written = (|| {
            if geometry {
                b.write_indices(list, &store.mesh.indices)?;
                return store.write_all(b, list, new);
            }
            if shaped {
                store.write_positions(b, list, new)?;
            }
            if (new.x, new.y) != (old.x, old.y) {
                let count = store.mesh.positions.len();
                store.write_translation(b, list, count, (new.x, new.y))?;
            }
            let colours = (new.colour, new.border_colour, new.opacity);
            if colours != (old.colour, old.border_colour, old.opacity) {
                store.write_colours(b, list, new)?;
            }
            Ok(())
        })();
        if let Err(error) = written {
            // Staged writes of a live list only fail on a bug: put the old shape back.
            let _ = self.restore_shape(list, old);
            return Err(error);
        }
        if new.layer == old.layer {
            return Ok(list);
        }
        self.batch.migrate(list, new.layer).inspect_err(|_| {
            let _ = self.restore_shape(list, old);
        })
    }

    /// Puts `shape` back into `list`: its counts, indices and every attribute.
    fn restore_shape(&mut self, list: BatchList, shape: &Shape) -> Result<(), BatchError> {
        let store = &mut self.shapes;
        store.tessellate(&shape.kind)?;
        let (vertices, indices) = (store.mesh.positions.len(), store.mesh.indices.len());
        self.batch.resize(list, vertices, indices)?;
        self.batch.write_indices(list, &store.mesh.indices)?;
        store.write_all(&mut self.batch, list, shape)
    }

    /// Turns a shape clockwise about its anchor: rewrites its positions only.
    pub fn set_shape_rotation(&mut self, id: ShapeId, degrees: f32) -> Result<(), BatchError> {
        self.update_shape(id, |s| s.rotation = degrees)
    }

    /// Fills a shape with `rgb`: rewrites its colours only.
    pub fn set_shape_colour(&mut self, id: ShapeId, rgb: [u8; 3]) -> Result<(), BatchError> {
        self.update_shape(id, |s| s.colour = rgb)
    }

    /// Sets a shape's opacity: rewrites its colours only.
    pub fn set_shape_opacity(&mut self, id: ShapeId, opacity: u8) -> Result<(), BatchError> {
        self.update_shape(id, |s| s.opacity = opacity)
    }

    /// Shows or hides a shape (a hidden shape collapses to a point): rewrites its
    /// positions only.
    pub fn set_shape_visible(&mut self, id: ShapeId, visible: bool) -> Result<(), BatchError> {
        self.update_shape(id, |s| s.visible = visible)
    }

    /// Gives a shape new geometry (another segment count, other points, another kind):
    /// its list is resized in place when the counts change and the space after it is
    /// free, else moved by a GPU copy, and rewritten.
    pub fn set_shape_kind(&mut self, id: ShapeId, kind: ShapeKind) -> Result<(), BatchError> {
        self.update_shape(id, |s| s.kind = kind)
    }

    /// Removes a shape and frees its list; its id becomes stale.
    pub fn remove_shape(&mut self, id: ShapeId) -> Result<(), BatchError> {
        let list = self.shapes.get(id)?.1;
        self.batch.delete(list)?;
        self.shapes
            .shapes
            .remove(id)
            .map_err(|_| BatchError::UnknownShape)?;
        Ok(())
    }
}
