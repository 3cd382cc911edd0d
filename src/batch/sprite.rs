//! [`SpriteBatch`]: textured quads with position, rotation, scale, colour, opacity,
//! visibility and an atlas region, drawn through a [`Batch`].
//!
//! Each sprite is 4 vertices and 6 indices in an indexed domain of its layer (a
//! [`TextureGroup`] under the batch's [`ProgramGroup`]).
//!
//! # Corners on the CPU, a pass-through vertex shader
//!
//! The transform (anchor, scale, rotation, position) is applied on the CPU: each vertex
//! carries its final corner position in pixels, and the vertex shader only maps pixels to
//! clip space. That keeps a vertex at 20 bytes in 3 attribute streams, where transforming in
//! the shader (as pyglet does) needs 6 streams and 40 bytes, plus a `sin`/`cos` per vertex.
//! Vertex fetch and shading are what a draw call costs: on llvmpipe they run inside the
//! draw call, on a GPU they are memory bandwidth. The CPU side stays as cheap: each sprite
//! keeps its corners relative to its position, computed again only when its rotation, scale,
//! region or visibility changes, so a move is 8 additions and one 32-byte write of its own
//! 4 positions.
//!
//! | location | attribute    | type           | written by                         |
//! |----------|--------------|----------------|------------------------------------|
//! | 0        | `position`   | 2 × f32        | [`SpriteBatch::set_position`], [`SpriteBatch::set_rotation`], [`SpriteBatch::set_scale`], [`SpriteBatch::set_visible`], [`SpriteBatch::set_region`] |
//! | 1        | `tex_coords` | 2 × f32        | [`SpriteBatch::set_region`]        |
//! | 2        | `colour`     | 4 × u8, normalized | [`SpriteBatch::set_colour`], [`SpriteBatch::set_opacity`] |
//!
//! Each setter rewrites only the attribute it changes, and only this sprite's 4 vertices.
//! Coordinates are pixels with the origin at the bottom left of the viewport
//! ([`SpriteBatch::set_viewport`]); rotation is in degrees, clockwise, as in pyglet.

use std::rc::Rc;

use super::group::{GroupId, ProgramGroup, TextureGroup};
use super::vertex_batch::{BatchList, DrawStats, FormatId};
use super::{Batch, BatchError};
use crate::backend::{
    AtlasRegion, AttributeData, ComponentType, MultiDraw, Program, ShaderVersion, Texture,
    VertexFormat,
};
use crate::domain::{DomainId, ListId, Primitive, Slots};

/// The two triangles of a quad whose corners go counter-clockwise from the bottom left.
const QUAD_INDICES: [u32; 6] = [0, 1, 2, 0, 2, 3];

/// Attribute location of the corner positions, in pixels.
const POSITION: usize = 0;
/// Attribute location of the texture coordinates.
const TEX_COORDS: usize = 1;
/// Attribute location of the tint and opacity.
const COLOUR: usize = 2;

const VERTEX_SHADER: &str = "
uniform vec2 viewport;
in vec2 position;
in vec2 tex_coords;
in vec4 colour;
out vec2 v_tex_coords;
out vec4 v_colour;
void main() {
    gl_Position = vec4(position / viewport * 2.0 - 1.0, 0.0, 1.0);
    v_tex_coords = tex_coords;
    v_colour = colour;
}";

const FRAGMENT_SHADER: &str = "
uniform sampler2D image;
in vec2 v_tex_coords;
in vec4 v_colour;
out vec4 out_colour;
void main() {
    out_colour = texture(image, v_tex_coords) * v_colour;
}";

/// Marker for sprite handles.
#[derive(Debug)]
pub enum Sprites {}

/// A sprite of a [`SpriteBatch`]; a removed sprite's id resolves to an error.
pub type SpriteId = ListId<Sprites>;

/// A sprite's properties, as last set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sprite {
    /// Position of the anchor, in pixels.
    pub x: f32,
    /// Position of the anchor, in pixels.
    pub y: f32,
    /// Clockwise rotation about the anchor, in degrees.
    pub rotation: f32,
    /// Horizontal scale.
    pub scale_x: f32,
    /// Vertical scale.
    pub scale_y: f32,
    /// RGB tint.
    pub colour: [u8; 3],
    /// Opacity, 255 opaque.
    pub opacity: u8,
    /// Whether it draws.
    pub visible: bool,
    /// The atlas sub-rectangle it shows.
    pub region: AtlasRegion,
    /// Offset of the anchor from the region's bottom left corner, in unscaled pixels.
    pub anchor: [f32; 2],
    /// The layer it draws in.
    pub layer: GroupId,
}

impl Sprite {
    /// A sprite of `region` at `(x, y)`, unrotated, unscaled, untinted and opaque, anchored
    /// at its bottom left corner.
    pub fn new(layer: GroupId, region: AtlasRegion, x: f32, y: f32) -> Self {
        Sprite {
            x,
            y,
            rotation: 0.0,
            scale_x: 1.0,
            scale_y: 1.0,
            colour: [255, 255, 255],
            opacity: 255,
            visible: true,
            region,
            anchor: [0.0, 0.0],
            layer,
        }
    }

    /// The region's corners relative to the anchor, unscaled, counter-clockwise from the
    /// bottom left.
    fn corners(&self) -> [[f32; 2]; 4] {
        let (w, h) = (self.region.width as f32, self.region.height as f32);
        let [ax, ay] = self.anchor;
        [[-ax, -ay], [w - ax, -ay], [w - ax, h - ay], [-ax, h - ay]]
    }

    /// The 4 corners relative to `(x, y)`, in pixels: scaled and turned clockwise by the
    /// rotation about the anchor. A hidden sprite's corners all sit at `(x, y)`, a quad of no
    /// area that rasterises nothing.
    fn offsets(&self) -> [[f32; 2]; 4] {
        if !self.visible {
            return [[0.0; 2]; 4];
        }
        let (sin, cos) = self.rotation.to_radians().sin_cos();
        self.corners().map(|[cx, cy]| {
            let (px, py) = (cx * self.scale_x, cy * self.scale_y);
            [px * cos + py * sin, py * cos - px * sin]
        })
    }

    /// The region's first row (`v0`) goes at the top, so top-down image data (as in PNG
    /// files) draws upright.
    fn tex_coords(&self) -> [[f32; 2]; 4] {
        let [u0, v0, u1, v1] = self.region.uv;
        [[u0, v1], [u1, v1], [u1, v0], [u0, v0]]
    }

    fn colour(&self) -> [[u8; 4]; 4] {
        let [r, g, b] = self.colour;
        [[r, g, b, self.opacity]; 4]
    }
}

/// A live sprite: its properties, its vertex list, and its corners relative to its position
/// ([`Sprite::offsets`]), kept so that a move is 8 additions and one 32-byte write.
#[derive(Debug, Clone, Copy)]
struct Entry {
    sprite: Sprite,
    offsets: [[f32; 2]; 4],
    list: BatchList,
}

impl Entry {
    fn new(sprite: Sprite, list: BatchList) -> Self {
        Entry {
            sprite,
            offsets: sprite.offsets(),
            list,
        }
    }

    /// The corner positions in pixels.
    fn positions(&self) -> [[f32; 2]; 4] {
        self.positions_at(self.sprite.x, self.sprite.y)
    }

    /// The corner positions in pixels if the sprite were at `(x, y)`.
    #[inline]
    fn positions_at(&self, x: f32, y: f32) -> [[f32; 2]; 4] {
        self.offsets.map(|[dx, dy]| [x + dx, y + dy])
    }

    /// Applies a change of shape (rotation, scale, region or visibility) through `f` and
    /// returns the new corner positions.
    fn reshape(&mut self, f: impl FnOnce(&mut Sprite)) -> [[f32; 2]; 4] {
        f(&mut self.sprite);
        self.offsets = self.sprite.offsets();
        self.positions()
    }
}

/// Sprites drawn through one [`Batch`] with one shader program, one layer (texture group) per
/// texture and order.
///
/// Owns GL objects: use and drop it while its context is current.
pub struct SpriteBatch {
    batch: Batch,
    program: Rc<Program>,
    root: GroupId,
    format: VertexFormat,
    format_id: FormatId,
    sprites: Slots<Entry>,
    /// `layers[i]` says whether the batch's group of index `i` is a layer of this sprite
    /// batch (the root program group and groups added through
    /// [`batch_mut`](SpriteBatch::batch_mut) are not).
    layers: Vec<bool>,
    viewport: [f32; 2],
}

impl SpriteBatch {
    /// A sprite batch with its shader program compiled for `gl`'s GLSL dialect, drawing into
    /// a viewport of `width` × `height` pixels.
    pub fn new(
        gl: &Rc<glow::Context>,
        multi_draw: MultiDraw,
        width: u32,
        height: u32,
    ) -> Result<Self, BatchError> {
        let version = ShaderVersion::for_context(gl);
        let program = Rc::new(
            Program::builder(
                Rc::clone(gl),
                &version.source(VERTEX_SHADER),
                &version.source(FRAGMENT_SHADER),
            )
            .bind_attribute("position", POSITION as u32)
            .bind_attribute("tex_coords", TEX_COORDS as u32)
            .bind_attribute("colour", COLOUR as u32)
            .build()?,
        );
        program.set_int(&program.uniform_location("image")?, 0)?;
        let format = VertexFormat::from_program(&program, &[("colour", ComponentType::U8, true)])?;
        let mut batch = Batch::new(gl, multi_draw);
        let root = batch.add_group(ProgramGroup::new(Rc::clone(&program)), 0, None)?;
        let format_id = batch.format_id(&format);
        let mut sprites = SpriteBatch {
            batch,
            program,
            root,
            format,
            format_id,
            sprites: Slots::new(DomainId::next()),
            layers: Vec::new(),
            viewport: [1.0, 1.0],
        };
        sprites.set_viewport(width, height)?;
        Ok(sprites)
    }

    /// The vertex format of sprites.
    pub fn format(&self) -> &VertexFormat {
        &self.format
    }

    /// The shader program sprites draw with, for uniforms of one's own or for drawing
    /// vertices of [`format`](Self::format) outside the batch. Its `viewport` uniform is
    /// the batch's ([`set_viewport`](Self::set_viewport)); its `image` sampler reads unit 0.
    pub fn program(&self) -> &Rc<Program> {
        &self.program
    }

    /// The underlying batch, for inspection (buffer statistics, domains).
    pub fn batch(&self) -> &Batch {
        &self.batch
    }

    /// The underlying batch, for groups of its own (visibility, order) and flushing.
    pub fn batch_mut(&mut self) -> &mut Batch {
        &mut self.batch
    }

    /// Sets the viewport size in pixels, after a window resize.
    pub fn set_viewport(&mut self, width: u32, height: u32) -> Result<(), BatchError> {
        let viewport = [width.max(1) as f32, height.max(1) as f32];
        let location = self.program.uniform_location("viewport")?;
        self.program.set_vec2(&location, viewport)?;
        self.viewport = viewport;
        Ok(())
    }

    /// Adds a layer: sprites of `texture` (with alpha blending), drawn among layers by
    /// ascending `order`.
    pub fn add_layer(&mut self, texture: Rc<Texture>, order: i32) -> Result<GroupId, BatchError> {
        let layer =
            self.batch
                .add_group(TextureGroup::new(texture, 0, true), order, Some(self.root))?;
        let index = layer.index as usize;
        if self.layers.len() <= index {
            self.layers.resize(index + 1, false);
        }
        self.layers[index] = true;
        Ok(layer)
    }

    /// Whether `group` is a layer of this sprite batch.
    pub fn is_layer(&self, group: GroupId) -> bool {
        self.batch.has_group(group) && self.layers.get(group.index as usize) == Some(&true)
    }

    /// Refuses a group that is not one of this sprite batch's layers.
    fn check_layer(&self, group: GroupId) -> Result<(), BatchError> {
        if self.is_layer(group) {
            Ok(())
        } else {
            Err(BatchError::NotASpriteLayer(group))
        }
    }

    /// Shows or hides a whole layer.
    pub fn set_layer_visible(&mut self, layer: GroupId, visible: bool) -> Result<(), BatchError> {
        self.batch.set_visible(layer, visible)
    }

    /// Adds a sprite and writes its vertices. Its layer must be one of this sprite batch's
    /// ([`BatchError::NotASpriteLayer`] otherwise).
    pub fn add(&mut self, sprite: Sprite) -> Result<SpriteId, BatchError> {
        self.check_layer(sprite.layer)?;
        let list = self.batch.add_indexed(
            sprite.layer,
            self.format_id,
            Primitive::Triangles,
            4,
            &QUAD_INDICES,
        )?;
        let entry = Entry::new(sprite, list);
        if let Err(error) = self.write_all(&entry) {
            self.batch.delete(list)?;
            return Err(error);
        }
        Ok(self.sprites.insert(entry))
    }

    /// Writes every attribute of the entry's vertices.
    fn write_all(&mut self, entry: &Entry) -> Result<(), BatchError> {
        let b = &mut self.batch;
        b.write(entry.list, POSITION, &entry.positions())?;
        b.write(entry.list, TEX_COORDS, &entry.sprite.tex_coords())?;
        b.write(entry.list, COLOUR, &entry.sprite.colour())
    }

    /// A sprite's properties.
    pub fn get(&self, id: SpriteId) -> Result<&Sprite, BatchError> {
        Ok(&self.entry(id)?.sprite)
    }

    /// The sprite's vertex list in [`batch`](Self::batch), for reading its vertices back
    /// (attributes `position`, `tex_coords`, `colour`) or its [`Placement`].
    ///
    /// [`Placement`]: super::Placement
    pub fn list(&self, id: SpriteId) -> Result<BatchList, BatchError> {
        Ok(self.entry(id)?.list)
    }

    fn entry(&self, id: SpriteId) -> Result<&Entry, BatchError> {
        self.sprites.get(id).map_err(|_| BatchError::UnknownSprite)
    }

    /// Updates a sprite's properties through `f` and rewrites its vertices' attributes,
    /// moving it to its new layer if `f` changed that. Prefer the setters, which rewrite
    /// only what changes.
    ///
    /// On error the sprite keeps its properties, layer, vertices and id: the new values
    /// are staged on its current list first, the migration runs last, and if that fails the
    /// old values are staged again.
    pub fn update(&mut self, id: SpriteId, f: impl FnOnce(&mut Sprite)) -> Result<(), BatchError> {
        let old = *self.entry(id)?;
        let mut sprite = old.sprite;
        f(&mut sprite);
        if sprite.layer != old.sprite.layer {
            self.check_layer(sprite.layer)?;
        }
        let mut entry = Entry::new(sprite, old.list);
        if let Err(error) = self.write_all(&entry) {
            // Staged writes of a live list only fail on a bug; restore whatever went in.
            let _ = self.write_all(&old);
            return Err(error);
        }
        if sprite.layer != old.sprite.layer {
            match self.batch.migrate(old.list, sprite.layer) {
                Ok(list) => entry.list = list,
                Err(error) => {
                    // Staging the old values again cannot fail where staging the new ones
                    // just worked; the migration's error is the one to report.
                    let _ = self.write_all(&old);
                    return Err(error);
                }
            }
        }
        self.set_entry(id, entry)
    }

    fn set_entry(&mut self, id: SpriteId, entry: Entry) -> Result<(), BatchError> {
        let slot = self
            .sprites
            .get_mut(id)
            .map_err(|_| BatchError::UnknownSprite)?;
        *slot = entry;
        Ok(())
    }

    /// Applies `change` to a copy of a sprite's entry, writes the 4 values it returns as
    /// `attribute` of the sprite's vertices (and nothing else), and keeps the copy only
    /// when the write succeeded.
    #[inline]
    fn change<T: AttributeData>(
        &mut self,
        id: SpriteId,
        attribute: usize,
        change: impl FnOnce(&mut Entry) -> [T; 4],
    ) -> Result<(), BatchError> {
        let slot = self
            .sprites
            .get_mut(id)
            .map_err(|_| BatchError::UnknownSprite)?;
        let mut entry = *slot;
        let values = change(&mut entry);
        self.batch.write(entry.list, attribute, &values)?;
        *slot = entry;
        Ok(())
    }

    /// Moves a sprite: rewrites its 4 `position` values only.
    ///
    /// The hot path of a frame: it computes the new corners from the kept offsets, writes
    /// them, and only then records the position, without copying the sprite.
    #[inline]
    pub fn set_position(&mut self, id: SpriteId, x: f32, y: f32) -> Result<(), BatchError> {
        let entry = self
            .sprites
            .get_mut(id)
            .map_err(|_| BatchError::UnknownSprite)?;
        self.batch
            .write(entry.list, POSITION, &entry.positions_at(x, y))?;
        (entry.sprite.x, entry.sprite.y) = (x, y);
        Ok(())
    }

    /// Rotates a sprite (degrees, clockwise): rewrites its `position` only.
    pub fn set_rotation(&mut self, id: SpriteId, degrees: f32) -> Result<(), BatchError> {
        self.change(id, POSITION, |e| e.reshape(|s| s.rotation = degrees))
    }

    /// Scales a sprite: rewrites its `position` only.
    pub fn set_scale(&mut self, id: SpriteId, x: f32, y: f32) -> Result<(), BatchError> {
        self.change(id, POSITION, |e| {
            e.reshape(|s| (s.scale_x, s.scale_y) = (x, y))
        })
    }

    /// Shows or hides a sprite (a hidden sprite's quad collapses to a point): rewrites its
    /// `position` only.
    pub fn set_visible(&mut self, id: SpriteId, visible: bool) -> Result<(), BatchError> {
        self.change(id, POSITION, |e| e.reshape(|s| s.visible = visible))
    }

    /// Tints a sprite: rewrites its `colour` only.
    pub fn set_colour(&mut self, id: SpriteId, rgb: [u8; 3]) -> Result<(), BatchError> {
        self.change(id, COLOUR, |e| {
            e.sprite.colour = rgb;
            e.sprite.colour()
        })
    }

    /// Sets a sprite's opacity: rewrites its `colour` only.
    pub fn set_opacity(&mut self, id: SpriteId, opacity: u8) -> Result<(), BatchError> {
        self.change(id, COLOUR, |e| {
            e.sprite.opacity = opacity;
            e.sprite.colour()
        })
    }

    /// Shows another atlas region: rewrites `position` and `tex_coords`, and keeps the new
    /// region only when both writes succeeded.
    pub fn set_region(&mut self, id: SpriteId, region: AtlasRegion) -> Result<(), BatchError> {
        let old = *self.entry(id)?;
        let mut entry = old;
        let positions = entry.reshape(|s| s.region = region);
        let written = self
            .batch
            .write(entry.list, POSITION, &positions)
            .and_then(|()| {
                let tex_coords = entry.sprite.tex_coords();
                self.batch.write(entry.list, TEX_COORDS, &tex_coords)
            });
        if let Err(error) = written {
            // Staged writes of a live list only fail on a bug; restore what went in.
            let _ = self.batch.write(old.list, POSITION, &old.positions());
            return Err(error);
        }
        self.set_entry(id, entry)
    }

    /// Removes a sprite and frees its vertices and indices; its id becomes stale.
    pub fn remove(&mut self, id: SpriteId) -> Result<(), BatchError> {
        let entry = *self.entry(id)?;
        self.batch.delete(entry.list)?;
        self.sprites
            .remove(id)
            .map_err(|_| BatchError::UnknownSprite)?;
        Ok(())
    }

    /// Live sprites.
    pub fn len(&self) -> usize {
        self.sprites.len()
    }

    /// Whether no sprite is live.
    pub fn is_empty(&self) -> bool {
        self.sprites.len() == 0
    }

    /// Draws every visible layer's sprites: one multi-draw per layer.
    pub fn draw(&mut self) -> Result<DrawStats, BatchError> {
        self.batch.draw()
    }
}

impl std::fmt::Debug for SpriteBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpriteBatch")
            .field("sprites", &self.sprites.len())
            .field("batch", &self.batch)
            .finish()
    }
}
