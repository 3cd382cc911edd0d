//! The one vertex format and program of every item of a scene, whatever its kind.
//!
//! | location | attribute     | type               | written by                              |
//! |----------|---------------|--------------------|-----------------------------------------|
//! | 0        | `position`    | 2 × f32            | geometry, rotation, anchor, visibility  |
//! | 1        | `translation` | 2 × f32            | moves                                   |
//! | 2        | `tex_coords`  | 2 × u16            | geometry (an image, glyphs)             |
//! | 3        | `colour`      | 4 × u8, normalized | colour, opacity                         |
//!
//! 24 bytes a vertex. `position` is the vertex relative to the item's position, turned;
//! `translation` is the item's position, the same at every vertex, so a move rewrites 8
//! bytes a vertex and nothing else. `tex_coords` address the scene's atlas in texels (the
//! shader divides by its size, a uniform each layer sets at every draw), so the atlas grows
//! without a vertex being rewritten. Shapes read the atlas's white texel, glyphs their
//! coverage, kept in the atlas as premultiplied white: every kind's colour is the texel
//! times the vertex colour, and one program draws them all.

use std::sync::Arc;

use super::error::SceneError;
use super::layer::Uniforms;
use super::view::{VIEW_BINDING, VIEW_BLOCK, VIEW_GLSL};
use crate::backend::{ComponentType, Program, ShaderVersion, VertexFormat};

/// The two triangles of a quad whose corners go counter-clockwise from the bottom left
/// (a sprite, a glyph).
pub(crate) const QUAD_INDICES: [u32; 6] = [0, 1, 3, 3, 1, 2];

/// Attribute locations.
pub(crate) const POSITION: usize = 0;
pub(crate) const TRANSLATION: usize = 1;
pub(crate) const TEX_COORDS: usize = 2;
pub(crate) const COLOUR: usize = 3;

const VERTEX_SHADER: &str = "
uniform vec2 atlas_size;
uniform int screen;
in vec2 position;
in vec2 translation;
in vec2 tex_coords;
in vec4 colour;
out vec2 v_tex_coords;
out vec4 v_colour;
void main() {
    vec2 p = position + translation;
    gl_Position = screen == 1 ? screen_to_clip(p) : world_to_clip(p);
    v_tex_coords = tex_coords / atlas_size;
    v_colour = colour;
}";

/// The atlas texel (premultiplied) times the vertex colour, premultiplied; straight for a
/// layer that blends straight alpha.
const FRAGMENT_SHADER: &str = "
uniform sampler2D atlas;
uniform int straight;
in vec2 v_tex_coords;
in vec4 v_colour;
out vec4 out_colour;
void main() {
    vec4 c = texture(atlas, v_tex_coords) * vec4(v_colour.rgb * v_colour.a, v_colour.a);
    if (straight == 1) {
        c = c.a > 0.0 ? vec4(c.rgb / c.a, c.a) : vec4(0.0);
    }
    out_colour = c;
}";

/// A program of the scene: `vertex` (a body after [`VIEW_GLSL`], writing `v_tex_coords` in
/// texels divided by `atlas_size` and `v_colour`) with the scene's fragment shader, its
/// inputs bound to `attributes`' locations, reading the atlas from unit 0 and bound to the
/// view block; and the uniforms its layers set.
pub(crate) fn build(
    gl: &Arc<glow::Context>,
    vertex: &str,
    attributes: &[(&str, u32)],
) -> Result<(Arc<Program>, Uniforms), SceneError> {
    let version = ShaderVersion::for_context(gl);
    let vertex = version.source(&format!("{VIEW_GLSL}{vertex}"));
    let fragment = version.source(FRAGMENT_SHADER);
    let builder = Program::builder(gl, &vertex, &fragment);
    let program = (attributes.iter())
        .fold(builder, |b, &(name, location)| {
            b.bind_attribute(name, location)
        })
        .build()?;
    program.set_int(&program.uniform_location("atlas")?, 0)?;
    program.bind_uniform_block(VIEW_BLOCK, VIEW_BINDING)?;
    let uniforms = Uniforms {
        atlas_size: program.uniform_location("atlas_size")?,
        screen: program.uniform_location("screen")?,
        straight: program.uniform_location("straight")?,
    };
    Ok((Arc::new(program), uniforms))
}

/// The program of every sprite, shape and label, its vertex format, and the uniforms its
/// layers set.
pub(crate) fn program(
    gl: &Arc<glow::Context>,
) -> Result<(Arc<Program>, VertexFormat, Uniforms), SceneError> {
    let attributes = [
        ("position", POSITION as u32),
        ("translation", TRANSLATION as u32),
        ("tex_coords", TEX_COORDS as u32),
        ("colour", COLOUR as u32),
    ];
    let (program, uniforms) = build(gl, VERTEX_SHADER, &attributes)?;
    let format = VertexFormat::from_program(
        &program,
        &[
            ("colour", ComponentType::U8, true),
            ("tex_coords", ComponentType::U16, false),
        ],
    )
    .map_err(crate::batch::BatchError::from)?;
    Ok((program, format, uniforms))
}

/// An item's vertices before they are placed: where each lies in the item's frame (its
/// anchor not yet taken off, unturned) and the atlas texel it reads. What a kind fills.
#[derive(Debug, Default)]
pub struct Corners {
    pub(crate) positions: Vec<[f32; 2]>,
    pub(crate) texels: Vec<[u16; 2]>,
}

impl Corners {
    /// Adds a vertex at `position` reading `texel`.
    #[inline]
    pub(crate) fn push(&mut self, position: [f32; 2], texel: [u16; 2]) {
        self.positions.push(position);
        self.texels.push(texel);
    }
}

/// Scratch space every write reuses, so that writes do not allocate once warm.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    pub corners: Corners,
    pub positions: Vec<[f32; 2]>,
    pub colours: Vec<[u8; 4]>,
    pub indices: Vec<u32>,
}
