//! [`Quads`]: each sprite is 4 vertices and 6 indices in an indexed domain of its layer.

use super::sealed::Store;
use super::{Frame, Sprite, QUAD_INDICES};
use crate::backend::{ComponentType, Program, ProgramBuilder, VertexFormat};
use crate::batch::vertex_batch::{BatchList, FormatId};
use crate::batch::{Batch, BatchError, GroupId};
use crate::domain::Primitive;

/// Attribute location of the corner positions, in pixels.
const POSITION: usize = 0;
/// Attribute location of the texture coordinates.
const TEX_COORDS: usize = 1;
/// Attribute location of the tint and opacity.
const COLOUR: usize = 2;

/// [`Quads`]: each sprite is 4 vertices and 6 indices in an indexed domain of its layer.
///
/// # Corners on the CPU, a pass-through vertex shader
///
/// The transform (anchor, scale, rotation, position) is applied on the CPU: each vertex
/// carries its final corner position in pixels, and the vertex shader only maps pixels to
/// clip space. That keeps a vertex at 20 bytes in 3 attribute streams, where transforming in
/// the shader per vertex (as pyglet does) needs 6 streams and 40 bytes, plus a `sin`/`cos`
/// per vertex. Each sprite keeps its quad relative to its position (a corner offset and two
/// edges), computed again only when its rotation, scale, region or visibility changes, so a
/// move is 10 additions and one 32-byte write of its own 4 positions.
///
/// | location | attribute    | type               | written by                         |
/// |----------|--------------|--------------------|------------------------------------|
/// | 0        | `position`   | 2 × f32            | moves, rotation, scale, visibility, region |
/// | 1        | `tex_coords` | 2 × f32            | region                             |
/// | 2        | `colour`     | 4 × u8, normalized | tint, opacity                      |
///
/// The default store of [`SpriteBatch`](super::SpriteBatch) ([`SpriteBatch::new`](super::SpriteBatch::new)).
#[derive(Debug)]
pub struct Quads {
    format: VertexFormat,
    format_id: FormatId,
}

impl Quads {
    /// The corner positions in pixels of a sprite at `(x, y)` with `frame`,
    /// counter-clockwise from the bottom left, summed in the order the instanced shader
    /// sums them.
    #[inline]
    fn positions(frame: &Frame, x: f32, y: f32) -> [[f32; 2]; 4] {
        let [ox, oy] = frame.origin(x, y);
        let [wx, wy, hx, hy] = frame.axes;
        let (rx, ry) = (ox + wx, oy + wy);
        [[ox, oy], [rx, ry], [rx + hx, ry + hy], [ox + hx, oy + hy]]
    }
}

impl Store for Quads {
    type Handle = BatchList;
    /// The quad relative to the position.
    type Cache = Frame;

    const VERTEX_SHADER: &'static str = "
in vec2 position;
in vec2 tex_coords;
in vec4 colour;
out vec2 v_tex_coords;
out vec4 v_colour;
void main() {
    gl_Position = clip(position);
    v_tex_coords = tex_coords;
    v_colour = colour;
}";

    fn bind_attributes(builder: ProgramBuilder<'_>) -> ProgramBuilder<'_> {
        builder
            .bind_attribute("position", POSITION as u32)
            .bind_attribute("tex_coords", TEX_COORDS as u32)
            .bind_attribute("colour", COLOUR as u32)
    }

    fn new(batch: &mut Batch, program: &Program) -> Result<Self, BatchError> {
        let format = VertexFormat::from_program(program, &[("colour", ComponentType::U8, true)])?;
        let format_id = batch.format_id(&format);
        Ok(Quads { format, format_id })
    }

    fn format(&self) -> &VertexFormat {
        &self.format
    }

    fn add_layer(&mut self, _: &mut Batch, _: GroupId) -> Result<(), BatchError> {
        Ok(())
    }

    fn cache(sprite: &Sprite) -> Self::Cache {
        sprite.frame()
    }

    fn create(&mut self, batch: &mut Batch, sprite: &Sprite) -> Result<BatchList, BatchError> {
        batch.add_indexed_at(
            sprite.layer,
            self.format_id,
            Primitive::Triangles,
            4,
            &QUAD_INDICES,
            sprite.z,
        )
    }

    fn set_z(batch: &mut Batch, list: BatchList, z: f32) -> Result<(), BatchError> {
        batch.set_z(list, z)
    }

    #[inline]
    fn write_position(
        batch: &mut Batch,
        list: BatchList,
        cache: &Self::Cache,
        x: f32,
        y: f32,
    ) -> Result<(), BatchError> {
        batch.write(list, POSITION, &Self::positions(cache, x, y))
    }

    fn write_shape(
        batch: &mut Batch,
        list: BatchList,
        sprite: &Sprite,
        cache: &Self::Cache,
    ) -> Result<(), BatchError> {
        Self::write_position(batch, list, cache, sprite.x, sprite.y)
    }

    fn write_colour(batch: &mut Batch, list: BatchList, sprite: &Sprite) -> Result<(), BatchError> {
        batch.write(list, COLOUR, &[sprite.rgba(); 4])
    }

    fn write_region(
        batch: &mut Batch,
        list: BatchList,
        sprite: &Sprite,
        cache: &Self::Cache,
    ) -> Result<(), BatchError> {
        Self::write_position(batch, list, cache, sprite.x, sprite.y)?;
        batch.write(list, TEX_COORDS, &sprite.tex_coords())
    }

    fn migrate(
        &self,
        batch: &mut Batch,
        list: BatchList,
        layer: GroupId,
    ) -> Result<BatchList, BatchError> {
        batch.migrate(list, layer)
    }

    fn remove(batch: &mut Batch, list: BatchList) -> Result<(), BatchError> {
        batch.delete(list)
    }
}
