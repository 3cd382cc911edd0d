//! [`Instances`]: each sprite is one instance of its layer's unit quad, and the vertex

use super::sealed::Store;
use super::{Frame, Sprite};
use crate::backend::{Attribute, ComponentType, Program, ProgramBuilder, VertexFormat};
use crate::batch::vertex_batch::{BatchInstance, BatchList, FormatId};
use crate::batch::{Batch, BatchError, GroupId};
use crate::domain::Primitive;

/// Mesh attribute location of the unit quad's corners.
const CORNER: u32 = 0;
/// Instance attribute indices in the instance format (and locations, one more).
const ORIGIN: usize = 0;
const AXES: usize = 1;
const UV: usize = 2;
const COLOUR: usize = 3;

/// The unit quad as a triangle strip: bottom left, bottom right, top left, top right. A
/// strip draws an instance's 4 vertices with no index fetch, which on llvmpipe (it runs the
/// vertex pipeline once per instance) takes a third off the vertex stage of indexed quads.
const UNIT_STRIP: [[f32; 2]; 4] = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];

/// [`Instances`]: each sprite is one instance of its layer's unit quad, and the vertex
/// shader expands the quad.
///
/// A layer's domain holds one mesh (the unit quad's 4 corners, a triangle strip) and one
/// instance per sprite, drawn with one instanced call. The record is 44 bytes in 4
/// attribute streams (the 4-vertex store's sprite is 80 bytes in 3), and each setter writes
/// only what it changes:
///
/// | location | attribute | type               | written by                               |
/// |----------|-----------|--------------------|------------------------------------------|
/// | 0        | `corner`  | 2 × f32 (mesh)     | the layer, once                          |
/// | 1        | `origin`  | 2 × f32            | moves, rotation, scale, visibility, region |
/// | 2        | `axes`    | 4 × f32            | rotation, scale, visibility, region      |
/// | 3        | `uv`      | 4 × f32            | region                                   |
/// | 4        | `colour`  | 4 × u8, normalized | tint, opacity                            |
///
/// `origin` is where the quad's bottom left corner lands and `axes` its two edges, worked
/// out on the CPU when the rotation, scale or region changes (the sprite keeps the origin's
/// offset from its position, so a move is 2 additions and an 8-byte write). The shader does
/// no trigonometry and no matrix product: a vertex is `origin + corner.x × width edge +
/// corner.y × height edge`, the sums the 4-vertex store does on the CPU, in the same order.
///
/// The store of [`SpriteBatch::instanced`](super::SpriteBatch::instanced).
#[derive(Debug)]
pub struct Instances {
    mesh_format: FormatId,
    format: VertexFormat,
    format_id: FormatId,
    /// The unit quad mesh of each layer, by group index.
    meshes: Vec<Option<BatchList>>,
}

impl Instances {
    fn mesh(&self, layer: GroupId) -> Result<BatchList, BatchError> {
        match self.meshes.get(layer.index as usize) {
            Some(Some(mesh)) => Ok(*mesh),
            _ => Err(BatchError::NotASpriteLayer(layer)),
        }
    }
}

impl Store for Instances {
    type Handle = BatchInstance;
    /// The quad relative to the position.
    type Cache = Frame;

    const VERTEX_SHADER: &'static str = "
in vec2 corner;
in vec2 origin;
in vec4 axes;
in vec4 uv;
in vec4 colour;
out vec2 v_tex_coords;
out vec4 v_colour;
void main() {
    vec2 position = origin + corner.x * axes.xy + corner.y * axes.zw;
    gl_Position = clip(position);
    // The region's first row goes at the top, as with the 4-vertex store.
    v_tex_coords = vec2(corner.x > 0.5 ? uv.z : uv.x, corner.y > 0.5 ? uv.y : uv.w);
    v_colour = colour;
}";

    fn bind_attributes(builder: ProgramBuilder<'_>) -> ProgramBuilder<'_> {
        builder
            .bind_attribute("corner", CORNER)
            .bind_attribute("origin", ORIGIN as u32 + 1)
            .bind_attribute("axes", AXES as u32 + 1)
            .bind_attribute("uv", UV as u32 + 1)
            .bind_attribute("colour", COLOUR as u32 + 1)
    }

    fn new(batch: &mut Batch, _: &Program) -> Result<Self, BatchError> {
        let mesh = VertexFormat::new(vec![Attribute::new(
            "corner",
            CORNER,
            2,
            ComponentType::F32,
        )])?;
        let location = |index: usize| index as u32 + 1;
        let format = VertexFormat::new(vec![
            Attribute::new("origin", location(ORIGIN), 2, ComponentType::F32),
            Attribute::new("axes", location(AXES), 4, ComponentType::F32),
            Attribute::new("uv", location(UV), 4, ComponentType::F32),
            Attribute::new("colour", location(COLOUR), 4, ComponentType::U8).normalized(),
        ])?;
        Ok(Instances {
            mesh_format: batch.format_id(&mesh),
            format_id: batch.format_id(&format),
            format,
            meshes: Vec::new(),
        })
    }

    fn format(&self) -> &VertexFormat {
        &self.format
    }

    fn add_layer(&mut self, batch: &mut Batch, layer: GroupId) -> Result<(), BatchError> {
        let mesh = batch.add_mesh(
            layer,
            self.mesh_format,
            self.format_id,
            Primitive::TriangleStrip,
            4,
            None,
        )?;
        if let Err(error) = batch.write(mesh, 0, &UNIT_STRIP) {
            batch.delete(mesh)?;
            return Err(error);
        }
        let index = layer.index as usize;
        if self.meshes.len() <= index {
            self.meshes.resize(index + 1, None);
        }
        self.meshes[index] = Some(mesh);
        Ok(())
    }

    fn cache(sprite: &Sprite) -> Self::Cache {
        sprite.frame()
    }

    fn create(&mut self, batch: &mut Batch, sprite: &Sprite) -> Result<BatchInstance, BatchError> {
        batch.add_instance_at(self.mesh(sprite.layer)?, sprite.z)
    }

    fn set_z(batch: &mut Batch, instance: BatchInstance, z: f32) -> Result<(), BatchError> {
        batch.set_instance_z(instance, z)
    }

    #[inline]
    fn write_position(
        batch: &mut Batch,
        instance: BatchInstance,
        cache: &Self::Cache,
        x: f32,
        y: f32,
    ) -> Result<(), BatchError> {
        batch.write_instance(instance, ORIGIN, cache.origin(x, y))
    }

    fn write_shape(
        batch: &mut Batch,
        instance: BatchInstance,
        sprite: &Sprite,
        cache: &Self::Cache,
    ) -> Result<(), BatchError> {
        Self::write_position(batch, instance, cache, sprite.x, sprite.y)?;
        batch.write_instance(instance, AXES, cache.axes)
    }

    fn write_colour(
        batch: &mut Batch,
        instance: BatchInstance,
        sprite: &Sprite,
    ) -> Result<(), BatchError> {
        batch.write_instance(instance, COLOUR, sprite.rgba())
    }

    fn write_region(
        batch: &mut Batch,
        instance: BatchInstance,
        sprite: &Sprite,
        cache: &Self::Cache,
    ) -> Result<(), BatchError> {
        Self::write_shape(batch, instance, sprite, cache)?;
        batch.write_instance(instance, UV, sprite.region.uv)
    }

    fn migrate(
        &self,
        batch: &mut Batch,
        instance: BatchInstance,
        layer: GroupId,
    ) -> Result<BatchInstance, BatchError> {
        batch.migrate_instance(instance, self.mesh(layer)?)
    }

    fn remove(batch: &mut Batch, instance: BatchInstance) -> Result<(), BatchError> {
        batch.delete_instance(instance)
    }
}
