//! [`SpriteBatch`]: textured quads with position, rotation, scale, colour, opacity,
//! visibility and an atlas region, drawn through a [`Batch`], one layer (a texture and a
//! [`Blend`] mode, under the batch's [`ProgramGroup`]) per texture and order.
//!
//! A sprite batch keeps its sprites in one of two stores, chosen by its constructor; both
//! draw the same pictures through the same API, and only their vertex data differs:
//!
//! - [`Quads`] ([`SpriteBatch::new`]): each sprite is 4 vertices and 6 indices in an indexed
//!   domain of its layer, corners computed on the CPU; a move
//!   writes its 4 positions, 32 bytes.
//! - [`Instances`] ([`SpriteBatch::instanced`]): each sprite is one instance of its layer's
//!   unit quad mesh, and the vertex shader expands the quad; a move writes its position,
//!   8 bytes.
//!
//! Each setter rewrites only the attribute it changes, and only this sprite's vertices or
//! record. Coordinates are pixels with the origin at the bottom left of the viewport
//! ([`SpriteBatch::set_viewport`]); rotation is in degrees, clockwise, as in pyglet.

mod instances;
mod quads;

pub use instances::Instances;
pub use quads::Quads;

use std::sync::Arc;

use super::camera::{set_view, Camera, VIEW_SHADER};
use super::group::GroupId;
use super::layer::{Blend, Layer, LayerKind, LayerTexture, LayerUniforms, SharedBlend};
use super::shapes::ShapeStore;
use super::text::TextStore;
use super::vertex_batch::DrawStats;
use super::{finite, Batch, BatchError, Group};
use crate::backend::{AtlasRegion, MultiDraw, Program, ShaderVersion, Texture, VertexFormat};
use crate::domain::{DomainId, ListId, Slots};

/// The two triangles of a quad whose corners go counter-clockwise from the bottom left,
/// split along the diagonal from the bottom right to the top left and with their vertices
/// in the order the instanced store's triangle strip gives them: both stores then
/// rasterise the same triangles the same way, to the last bit.
pub(in crate::batch) const QUAD_INDICES: [u32; 6] = [0, 1, 3, 3, 1, 2];

/// The fragment shader of both stores: the atlas texel times the tint, as premultiplied
/// colour (straight texels are premultiplied here), or straight for a layer that blends
/// straight alpha. The two flags are set by each layer ([`Layer`]).
const FRAGMENT_SHADER: &str = "
uniform sampler2D image;
uniform int straight;
uniform int premultiply;
in vec2 v_tex_coords;
in vec4 v_colour;
out vec4 out_colour;
void main() {
    vec4 texel = texture(image, v_tex_coords);
    if (straight == 1) {
        out_colour = texel * v_colour;
    } else {
        if (premultiply == 1) {
            texel.rgb *= texel.a;
        }
        out_colour = texel * vec4(v_colour.rgb * v_colour.a, v_colour.a);
    }
}";

/// Where a sprite batch keeps its sprites: [`Quads`] or [`Instances`]. Sealed; its methods
/// are the crate's.
pub trait SpriteStore: sealed::Store {}

impl SpriteStore for Quads {}
impl SpriteStore for Instances {}

pub(crate) mod sealed {
    use super::{Batch, BatchError, GroupId, Program, Sprite, VertexFormat};
    use crate::backend::ProgramBuilder;

    /// What a sprite store does; [`SpriteBatch`](super::SpriteBatch) does everything
    /// else (handles, layers, all-or-nothing updates) once for both.
    ///
    /// Every `write_*` stages writes only (CPU work), so it fails only on a bug; the
    /// sprite batch restores a sprite with [`write_all`](Store::write_all) if one does.
    pub trait Store: Sized {
        /// A sprite's handle in the batch.
        type Handle: Copy + std::fmt::Debug;
        /// What the store keeps per sprite to make a move cheap.
        type Cache: Copy + std::fmt::Debug;
        /// The vertex shader body, without its `#version` header, that follows the
        /// camera's prelude: it places corners with `clip(world)`.
        const VERTEX_SHADER: &'static str;
        /// Binds the shader's inputs to the store's locations.
        fn bind_attributes(builder: ProgramBuilder<'_>) -> ProgramBuilder<'_>;
        /// The store for a batch whose sprites draw with `program`.
        fn new(batch: &mut Batch, program: &Program) -> Result<Self, BatchError>;
        /// The format of what a sprite's setters write.
        fn format(&self) -> &VertexFormat;
        /// Prepares a new layer (the instanced store adds its quad mesh).
        fn add_layer(&mut self, batch: &mut Batch, layer: GroupId) -> Result<(), BatchError>;
        /// What to keep for `sprite`.
        fn cache(sprite: &Sprite) -> Self::Cache;
        /// Makes room for a sprite in its layer at its z, on top of that z (its data
        /// undefined until written).
        fn create(
            &mut self,
            batch: &mut Batch,
            sprite: &Sprite,
        ) -> Result<Self::Handle, BatchError>;
        /// Writes every attribute of a sprite.
        fn write_all(
            batch: &mut Batch,
            handle: Self::Handle,
            sprite: &Sprite,
            cache: &Self::Cache,
        ) -> Result<(), BatchError> {
            Self::write_region(batch, handle, sprite, cache)?;
            Self::write_colour(batch, handle, sprite)
        }
        /// Writes a sprite's position at `(x, y)`, and nothing else: the hot path.
        fn write_position(
            batch: &mut Batch,
            handle: Self::Handle,
            cache: &Self::Cache,
            x: f32,
            y: f32,
        ) -> Result<(), BatchError>;
        /// Writes what a change of rotation, scale or visibility changes.
        fn write_shape(
            batch: &mut Batch,
            handle: Self::Handle,
            sprite: &Sprite,
            cache: &Self::Cache,
        ) -> Result<(), BatchError>;
        /// Writes what a change of tint or opacity changes.
        fn write_colour(
            batch: &mut Batch,
            handle: Self::Handle,
            sprite: &Sprite,
        ) -> Result<(), BatchError>;
        /// Writes what a change of atlas region changes.
        fn write_region(
            batch: &mut Batch,
            handle: Self::Handle,
            sprite: &Sprite,
            cache: &Self::Cache,
        ) -> Result<(), BatchError>;
        /// Sets the z a sprite draws at within its layer.
        fn set_z(batch: &mut Batch, handle: Self::Handle, z: f32) -> Result<(), BatchError>;
        /// Moves a sprite to `layer`; on error it stays where it was.
        fn migrate(
            &self,
            batch: &mut Batch,
            handle: Self::Handle,
            layer: GroupId,
        ) -> Result<Self::Handle, BatchError>;
        /// Removes a sprite.
        fn remove(batch: &mut Batch, handle: Self::Handle) -> Result<(), BatchError>;
    }
}

/// A sprite's quad relative to its position ([`Sprite::frame`]): what both stores keep so
/// that a move is a few additions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// From the position to the bottom left corner.
    pub(crate) offset: [f32; 2],
    /// The edge along the width, then the edge along the height.
    pub(crate) axes: [f32; 4],
}

impl Frame {
    /// The bottom left corner of a sprite at `(x, y)`.
    #[inline]
    pub(crate) fn origin(&self, x: f32, y: f32) -> [f32; 2] {
        [x + self.offset[0], y + self.offset[1]]
    }
}

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
    /// Where it draws within its layer: above the sprites of lower z, and above those of
    /// its z added before it.
    pub z: f32,
}

impl Sprite {
    /// [`BatchError::NotFinite`] unless its position, rotation, scale, anchor and z are
    /// finite.
    fn check(&self) -> Result<(), BatchError> {
        finite("a sprite's position", &[self.x, self.y])?;
        finite("a sprite's rotation", &[self.rotation])?;
        finite("a sprite's scale", &[self.scale_x, self.scale_y])?;
        finite("a sprite's anchor", &self.anchor)?;
        finite("a sprite's z", &[self.z])
    }

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
            z: 0.0,
        }
    }

    /// The same sprite at `z` within its layer.
    pub fn at_z(self, z: f32) -> Self {
        Sprite { z, ..self }
    }

    /// The same sprite anchored at the centre of its region, so that its position is its
    /// centre and it turns and scales about it.
    pub fn centred(self) -> Self {
        let (w, h) = (self.region.width as f32, self.region.height as f32);
        Sprite {
            anchor: [w / 2.0, h / 2.0],
            ..self
        }
    }

    /// Where the sprite's quad lies relative to `(x, y)`, in pixels: the offset of its
    /// bottom left corner, and its two edges from there (`axes`: along its width, then its
    /// height), scaled and turned clockwise by the rotation about the anchor. A hidden
    /// sprite's are all zero: a quad of no area at `(x, y)`, which rasterises nothing.
    ///
    /// Both stores place corners with these, in the same order of operations (`origin`,
    /// `origin + width`, `origin + width + height`, `origin + height`, with `origin = (x, y)
    /// + offset`), so they draw the same pixels.
    pub(super) fn frame(&self) -> Frame {
        let [a, b, c, d] = self.transform();
        let (w, h) = (self.region.width as f32, self.region.height as f32);
        let [ax, ay] = self.anchor.map(|v| -v);
        Frame {
            offset: [a * ax + c * ay, b * ax + d * ay],
            axes: [a * w, b * w, c * h, d * h],
        }
    }

    /// The 2 × 2 matrix, column-major, that scales a corner and turns it clockwise by the
    /// rotation: all zeros for a hidden sprite.
    fn transform(&self) -> [f32; 4] {
        if !self.visible {
            return [0.0; 4];
        }
        let (sin, cos) = self.rotation.to_radians().sin_cos();
        let (sx, sy) = (self.scale_x, self.scale_y);
        [sx * cos, -sx * sin, sy * sin, sy * cos]
    }

    /// The region's first row (`v0`) goes at the top, so top-down image data (as in PNG
    /// files) draws upright.
    pub(super) fn tex_coords(&self) -> [[f32; 2]; 4] {
        let [u0, v0, u1, v1] = self.region.uv;
        [[u0, v1], [u1, v1], [u1, v0], [u0, v0]]
    }

    pub(super) fn rgba(&self) -> [u8; 4] {
        let [r, g, b] = self.colour;
        [r, g, b, self.opacity]
    }
}

/// What a move reads and writes of a live sprite, kept apart from its other properties so
/// that moving every sprite streams as few bytes as it can: its handle in the store, what
/// the store keeps to make a move cheap, and its position.
struct Hot<S: sealed::Store> {
    handle: S::Handle,
    cache: S::Cache,
    x: f32,
    y: f32,
}

/// A live sprite whole, as the setters other than moves work on it: its properties, its
/// handle and the store's cache.
struct Entry<S: sealed::Store> {
    sprite: Sprite,
    cache: S::Cache,
    handle: S::Handle,
}

impl<S: sealed::Store> Clone for Hot<S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S: sealed::Store> Copy for Hot<S> {}

impl<S: sealed::Store> Clone for Entry<S> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<S: sealed::Store> Copy for Entry<S> {}

impl<S: sealed::Store> Entry<S> {
    fn new(sprite: Sprite, handle: S::Handle) -> Self {
        Entry {
            sprite,
            cache: S::cache(&sprite),
            handle,
        }
    }

    /// Applies a change through `f` and updates the cache.
    fn reshape(&mut self, f: impl FnOnce(&mut Sprite)) {
        f(&mut self.sprite);
        self.cache = S::cache(&self.sprite);
    }
}

/// A 2D scene drawn through one [`Batch`]: layers of sprites (one texture each, kept by the
/// store `S`, [`Quads`] or [`Instances`]) and layers of shapes
/// ([`add_shape_layer`](Self::add_shape_layer)), drawn by ascending layer order, each in one
/// draw call, all through one [`Camera`].
///
/// Every setter either completes or leaves the sprite (or shape) as it was. Owns GL
/// objects: use and drop it while its context is current.
pub struct SpriteBatch<S: SpriteStore = Quads> {
    pub(in crate::batch) batch: Batch,
    program: Arc<Program>,
    store: S,
    sprites: Slots<Hot<S>>,
    /// Every live sprite's properties (its position as last set apart), by its slot in
    /// `sprites`.
    props: Vec<Sprite>,
    /// The shapes, their program and format.
    pub(in crate::batch) shapes: ShapeStore,
    /// The labels, their program, format and glyph atlas: made by the first text layer.
    pub(in crate::batch) text: Option<TextStore>,
    /// Device pixels per logical pixel (`set_scale_factor`): labels are rasterised at their
    /// size times this.
    pub(in crate::batch) scale: f32,
    /// `layers[i]` says what the batch's group of index `i` holds and its blend mode
    /// (shared with the layer's group), when that group is a layer of this sprite batch
    /// (groups added through [`batch_mut`](SpriteBatch::batch_mut) are not).
    layers: Vec<Option<(LayerKind, Arc<SharedBlend>)>>,
    /// Where each sprite layer sets the fragment shader's alpha handling.
    layer_uniforms: LayerUniforms,
    pub(in crate::batch) viewport: [f32; 2],
    pub(in crate::batch) camera: Camera,
}

impl SpriteBatch<Quads> {
    /// A sprite batch of 4-vertex sprites ([`Quads`]) with its shader program compiled for
    /// `gl`'s GLSL dialect, drawing into a viewport of `width` × `height` pixels.
    pub fn new(
        gl: &Arc<glow::Context>,
        multi_draw: MultiDraw,
        width: u32,
        height: u32,
    ) -> Result<Self, BatchError> {
        SpriteBatch::with_store(gl, multi_draw, width, height)
    }

    /// The sprite's vertex list in [`batch`](Self::batch), for reading its vertices back
    /// (attributes `position`, `tex_coords`, `colour`) or its [`Placement`].
    ///
    /// [`Placement`]: super::Placement
    pub fn list(&self, id: SpriteId) -> Result<super::BatchList, BatchError> {
        Ok(self.entry(id)?.handle)
    }
}

impl SpriteBatch<Instances> {
    /// A sprite batch of instanced sprites ([`Instances`]): one record per sprite, expanded
    /// by the vertex shader. Otherwise as [`SpriteBatch::new`].
    pub fn instanced(
        gl: &Arc<glow::Context>,
        multi_draw: MultiDraw,
        width: u32,
        height: u32,
    ) -> Result<Self, BatchError> {
        SpriteBatch::with_store(gl, multi_draw, width, height)
    }

    /// The sprite's instance in [`batch`](Self::batch), for reading its record back
    /// (attributes `position`, `transform`, `rect`, `uv`, `colour`).
    pub fn instance(&self, id: SpriteId) -> Result<super::BatchInstance, BatchError> {
        Ok(self.entry(id)?.handle)
    }
}

impl<S: SpriteStore> SpriteBatch<S> {
    fn with_store(
        gl: &Arc<glow::Context>,
        multi_draw: MultiDraw,
        width: u32,
        height: u32,
    ) -> Result<Self, BatchError> {
        let version = ShaderVersion::for_context(gl);
        let (vertex, fragment) = (
            version.source(&format!("{VIEW_SHADER}{}", S::VERTEX_SHADER)),
            version.source(FRAGMENT_SHADER),
        );
        let builder = Program::builder(gl, &vertex, &fragment);
        let program = Arc::new(S::bind_attributes(builder).build()?);
        program.set_int(&program.uniform_location("image")?, 0)?;
        let layer_uniforms = LayerUniforms::of(&program, true)?;
        let mut batch = Batch::new(gl, multi_draw);
        let store = S::new(&mut batch, &program)?;
        let shapes = ShapeStore::new(&mut batch)?;
        let mut sprites = SpriteBatch {
            batch,
            program,
            store,
            sprites: Slots::new(DomainId::next()),
            props: Vec::new(),
            shapes,
            text: None,
            scale: 1.0,
            layers: Vec::new(),
            layer_uniforms,
            camera: Camera::default(),
            viewport: [1.0, 1.0],
        };
        sprites.set_viewport(width, height)?;
        Ok(sprites)
    }

    /// The format of what the setters write: the vertex format of [`Quads`], the instance
    /// format of [`Instances`].
    pub fn format(&self) -> &VertexFormat {
        self.store.format()
    }

    /// The shader program sprites draw with, for uniforms of one's own. Its `viewport`,
    /// `view` and `view_offset` uniforms are the batch's ([`set_viewport`](Self::set_viewport),
    /// [`set_camera`](Self::set_camera)); its `image` sampler reads unit 0.
    pub fn program(&self) -> &Arc<Program> {
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

    /// Sets the viewport size in pixels, after a window resize. World coordinates stay
    /// pixels: the camera keeps its pan, zoom and rotation about the new centre.
    ///
    /// A viewport of zero pixels is refused ([`BatchError::EmptyView`]), changing nothing.
    pub fn set_viewport(&mut self, width: u32, height: u32) -> Result<(), BatchError> {
        if width == 0 || height == 0 {
            return Err(BatchError::EmptyView(
                "a viewport must be at least 1x1 pixels",
            ));
        }
        self.look(self.camera, [width as f32, height as f32])
    }

    /// Looks at the sprites, shapes and labels through `camera`: sets the view uniforms of
    /// their programs and rewrites no vertex, so panning or zooming a scene of any size costs
    /// a few uniforms a frame.
    ///
    /// A pan or rotation that is not finite ([`BatchError::NotFinite`]) or a zoom that is not
    /// a positive finite number ([`BatchError::EmptyView`]) is refused, changing nothing.
    pub fn set_camera(&mut self, camera: Camera) -> Result<(), BatchError> {
        finite("a camera's pan", &camera.pan)?;
        finite("a camera's rotation", &[camera.rotation])?;
        if !(camera.zoom.is_finite() && camera.zoom > 0.0) {
            return Err(BatchError::EmptyView(
                "a camera's zoom must be positive and finite",
            ));
        }
        self.look(camera, self.viewport)
    }

    /// Sets both programs' view uniforms, and keeps `camera` and `viewport` when both
    /// succeeded (a failure of the second restores the first).
    fn look(&mut self, camera: Camera, viewport: [f32; 2]) -> Result<(), BatchError> {
        let text = self.text.as_ref().map(|t| &t.program);
        let programs = [Some(&self.program), Some(&self.shapes.program), text];
        let programs = programs.into_iter().flatten();
        for (done, program) in programs.clone().enumerate() {
            if let Err(error) = set_view(program, &camera, viewport) {
                for program in programs.take(done) {
                    let _ = set_view(program, &self.camera, self.viewport);
                }
                return Err(error.into());
            }
        }
        (self.camera, self.viewport) = (camera, viewport);
        Ok(())
    }

    /// The camera set last ([`Camera::default`] at first: world coordinates are pixels).
    pub fn camera(&self) -> Camera {
        self.camera
    }

    /// Where a world point appears, in viewport pixels, through the current camera.
    pub fn world_to_screen(&self, world: [f32; 2]) -> [f32; 2] {
        self.camera.world_to_screen(world, self.viewport)
    }

    /// The world point shown at a viewport pixel (a mouse position, say; y up from the
    /// bottom), through the current camera.
    pub fn screen_to_world(&self, screen: [f32; 2]) -> [f32; 2] {
        self.camera.screen_to_world(screen, self.viewport)
    }

    /// Adds a layer: sprites of `texture`, blended over what is below ([`Blend::Alpha`]),
    /// drawn among layers by ascending `order`.
    pub fn add_layer(&mut self, texture: Arc<Texture>, order: i32) -> Result<GroupId, BatchError> {
        self.add_blended_layer(texture, order, Blend::Alpha)
    }

    /// Adds a layer that blends by `blend`; otherwise as [`add_layer`](Self::add_layer).
    pub fn add_blended_layer(
        &mut self,
        texture: Arc<Texture>,
        order: i32,
        blend: Blend,
    ) -> Result<GroupId, BatchError> {
        let mode = SharedBlend::new(blend);
        let group = Layer {
            program: Arc::clone(&self.program),
            texture: Some(LayerTexture::Image(texture)),
            blend: Arc::clone(&mode),
            uniforms: self.layer_uniforms.clone(),
        };
        self.add_layer_group(group, order, LayerKind::Sprites, mode)
    }

    /// Adds a layer's group at the top level, ordered, prepared for what it holds.
    pub(in crate::batch) fn add_layer_group(
        &mut self,
        group: impl Group + 'static,
        order: i32,
        kind: LayerKind,
        mode: Arc<SharedBlend>,
    ) -> Result<GroupId, BatchError> {
        let layer = self.batch.add_group(group, order, None)?;
        self.batch.set_ordered(layer, true)?;
        if kind == LayerKind::Sprites {
            self.store.add_layer(&mut self.batch, layer)?;
        }
        let index = layer.index as usize;
        if self.layers.len() <= index {
            self.layers.resize(index + 1, None);
        }
        self.layers[index] = Some((kind, mode));
        Ok(layer)
    }

    /// Changes how a layer (of sprites or shapes) blends, from its next draw on.
    pub fn set_layer_blend(&mut self, layer: GroupId, blend: Blend) -> Result<(), BatchError> {
        self.layer_mode(layer)?.set(blend);
        Ok(())
    }

    /// How a layer blends.
    pub fn layer_blend(&self, layer: GroupId) -> Result<Blend, BatchError> {
        Ok(self.layer_mode(layer)?.get())
    }

    /// The shared blend mode of a layer of this batch, sprites or shapes.
    fn layer_mode(&self, layer: GroupId) -> Result<&Arc<SharedBlend>, BatchError> {
        match self.layer_kind(layer) {
            Some((_, mode)) => Ok(mode),
            None => Err(BatchError::NotASpriteLayer(layer)),
        }
    }

    /// What a layer of this batch holds, with its blend mode.
    pub(in crate::batch) fn layer_kind(
        &self,
        group: GroupId,
    ) -> Option<&(LayerKind, Arc<SharedBlend>)> {
        if !self.batch.has_group(group) {
            return None;
        }
        self.layers.get(group.index as usize)?.as_ref()
    }

    /// Whether `group` is a sprite layer of this sprite batch.
    pub fn is_layer(&self, group: GroupId) -> bool {
        self.layer_kind(group)
            .is_some_and(|(kind, _)| *kind == LayerKind::Sprites)
    }

    /// Whether `group` is a shape layer of this sprite batch.
    pub fn is_shape_layer(&self, group: GroupId) -> bool {
        self.layer_kind(group)
            .is_some_and(|(kind, _)| *kind == LayerKind::Shapes)
    }

    /// Refuses a group that is not one of this batch's layers of `kind`.
    pub(in crate::batch) fn check_layer_kind(
        &self,
        group: GroupId,
        kind: LayerKind,
    ) -> Result<(), BatchError> {
        match self.layer_kind(group) {
            Some((found, _)) if *found == kind => Ok(()),
            _ => Err(match kind {
                LayerKind::Sprites => BatchError::NotASpriteLayer(group),
                LayerKind::Shapes => BatchError::NotAShapeLayer(group),
                LayerKind::Text => BatchError::NotATextLayer(group),
            }),
        }
    }

    /// Refuses a group that is not one of this sprite batch's sprite layers.
    fn check_layer(&self, group: GroupId) -> Result<(), BatchError> {
        self.check_layer_kind(group, LayerKind::Sprites)
    }

    /// Shows or hides a whole layer, of sprites or shapes.
    pub fn set_layer_visible(&mut self, layer: GroupId, visible: bool) -> Result<(), BatchError> {
        self.batch.set_visible(layer, visible)
    }

    /// Adds a sprite and writes it. Its layer must be one of this sprite batch's
    /// ([`BatchError::NotASpriteLayer`] otherwise).
    pub fn add(&mut self, sprite: Sprite) -> Result<SpriteId, BatchError> {
        sprite.check()?;
        self.check_layer(sprite.layer)?;
        let cache = S::cache(&sprite);
        let handle = self.store.create(&mut self.batch, &sprite)?;
        if let Err(error) = S::write_all(&mut self.batch, handle, &sprite, &cache) {
            S::remove(&mut self.batch, handle)?;
            return Err(error);
        }
        let id = self.sprites.insert(Hot {
            handle,
            cache,
            x: sprite.x,
            y: sprite.y,
        });
        let index = self
            .sprites
            .index(id)
            .map_err(|_| BatchError::UnknownSprite)?;
        if self.props.len() <= index {
            self.props.resize(index + 1, sprite);
        }
        self.props[index] = sprite;
        Ok(id)
    }

    /// A sprite's properties.
    pub fn get(&self, id: SpriteId) -> Result<Sprite, BatchError> {
        Ok(self.entry(id)?.sprite)
    }

    /// The whole of a live sprite.
    fn entry(&self, id: SpriteId) -> Result<Entry<S>, BatchError> {
        let (index, hot) = (self.sprites)
            .get_indexed(id)
            .map_err(|_| BatchError::UnknownSprite)?;
        let mut sprite = self.props[index];
        (sprite.x, sprite.y) = (hot.x, hot.y);
        Ok(Entry {
            sprite,
            cache: hot.cache,
            handle: hot.handle,
        })
    }

    /// Updates a sprite's properties through `f` and rewrites all of it, moving it to its
    /// new layer if `f` changed that. Prefer the setters, which rewrite only what changes.
    ///
    /// A change of layer counts as adding it anew there: it draws above the items of its z
    /// already in that layer (and moving it back does not restore its old place). Numbers
    /// that are not finite are refused ([`BatchError::NotFinite`]) before anything changes.
    ///
    /// On error the sprite keeps its properties, layer, data and id: the new values are
    /// staged first, the migration runs last, and if that fails the old values are staged
    /// again.
    pub fn update(&mut self, id: SpriteId, f: impl FnOnce(&mut Sprite)) -> Result<(), BatchError> {
        let old = self.entry(id)?;
        let mut sprite = old.sprite;
        f(&mut sprite);
        sprite.check()?;
        if sprite.layer != old.sprite.layer {
            self.check_layer(sprite.layer)?;
        }
        let mut entry = Entry::<S>::new(sprite, old.handle);
        let b = &mut self.batch;
        // The new z first: CPU work, refused only by a layer without a draw order, and
        // carried by a migration.
        let rezoned = sprite.z.to_bits() != old.sprite.z.to_bits();
        if rezoned {
            S::set_z(b, old.handle, sprite.z)?;
        }
        let undo = |b: &mut Batch| {
            // Staging the old values again cannot fail where staging the new ones just
            // worked (or failed on a bug); the first error is the one to report.
            let _ = S::write_all(b, old.handle, &old.sprite, &old.cache);
            if rezoned {
                let _ = S::set_z(b, old.handle, old.sprite.z);
            }
        };
        if let Err(error) = S::write_all(b, entry.handle, &entry.sprite, &entry.cache) {
            undo(b);
            return Err(error);
        }
        if sprite.layer != old.sprite.layer {
            match self.store.migrate(b, old.handle, sprite.layer) {
                Ok(handle) => entry.handle = handle,
                Err(error) => {
                    undo(b);
                    return Err(error);
                }
            }
        }
        self.set_entry(id, entry)
    }

    fn set_entry(&mut self, id: SpriteId, entry: Entry<S>) -> Result<(), BatchError> {
        let (index, hot) = (self.sprites)
            .get_mut_indexed(id)
            .map_err(|_| BatchError::UnknownSprite)?;
        *hot = Hot {
            handle: entry.handle,
            cache: entry.cache,
            x: entry.sprite.x,
            y: entry.sprite.y,
        };
        self.props[index] = entry.sprite;
        Ok(())
    }

    /// Applies `change` to a copy of a sprite's entry, writes what `write` writes from the
    /// copy, and keeps the copy only when that succeeded (else restores the sprite's data).
    #[inline]
    fn change(
        &mut self,
        id: SpriteId,
        change: impl FnOnce(&mut Entry<S>),
        write: impl FnOnce(&mut Batch, &Entry<S>) -> Result<(), BatchError>,
    ) -> Result<(), BatchError> {
        let old = self.entry(id)?;
        let mut entry = old;
        change(&mut entry);
        entry.sprite.check()?;
        if let Err(error) = write(&mut self.batch, &entry) {
            // Staged writes of a live sprite only fail on a bug; restore what went in.
            let _ = S::write_all(&mut self.batch, old.handle, &old.sprite, &old.cache);
            return Err(error);
        }
        self.set_entry(id, entry)
    }

    /// Moves a sprite: rewrites its position only (4 positions for [`Quads`], one for
    /// [`Instances`]).
    ///
    /// The hot path of a frame: it reads only the sprite's handle and cache, writes the
    /// new position, and only then records it.
    #[inline]
    pub fn set_position(&mut self, id: SpriteId, x: f32, y: f32) -> Result<(), BatchError> {
        finite("a sprite's position", &[x, y])?;
        let hot = self
            .sprites
            .get_mut(id)
            .map_err(|_| BatchError::UnknownSprite)?;
        S::write_position(&mut self.batch, hot.handle, &hot.cache, x, y)?;
        (hot.x, hot.y) = (x, y);
        Ok(())
    }

    /// Applies a change of shape (rotation, scale, visibility) and writes what it changes.
    fn reshape(&mut self, id: SpriteId, f: impl FnOnce(&mut Sprite)) -> Result<(), BatchError> {
        self.change(
            id,
            |e| e.reshape(f),
            |b, e| S::write_shape(b, e.handle, &e.sprite, &e.cache),
        )
    }

    /// Places, rotates (degrees, clockwise) and scales a sprite in one call that writes
    /// once: the corners (or the instance's origin and transform), where the three setters
    /// would write three times.
    pub fn set_transform(
        &mut self,
        id: SpriteId,
        (x, y): (f32, f32),
        degrees: f32,
        (scale_x, scale_y): (f32, f32),
    ) -> Result<(), BatchError> {
        self.reshape(id, |s| {
            (s.x, s.y) = (x, y);
            s.rotation = degrees;
            (s.scale_x, s.scale_y) = (scale_x, scale_y);
        })
    }

    /// Moves a sprite's anchor, the point its position places and it turns and scales
    /// about, to `(x, y)` unscaled pixels from its region's bottom left corner: its
    /// position stays, so the picture shifts. Rewrites its corners (or transform) only.
    pub fn set_anchor(&mut self, id: SpriteId, x: f32, y: f32) -> Result<(), BatchError> {
        self.reshape(id, |s| s.anchor = [x, y])
    }

    /// Rotates a sprite (degrees, clockwise): rewrites its corners (or transform) only.
    pub fn set_rotation(&mut self, id: SpriteId, degrees: f32) -> Result<(), BatchError> {
        self.reshape(id, |s| s.rotation = degrees)
    }

    /// Scales a sprite: rewrites its corners (or transform) only.
    pub fn set_scale(&mut self, id: SpriteId, x: f32, y: f32) -> Result<(), BatchError> {
        self.reshape(id, |s| (s.scale_x, s.scale_y) = (x, y))
    }

    /// Shows or hides a sprite (a hidden sprite's quad collapses to a point): rewrites its
    /// corners (or transform) only.
    pub fn set_visible(&mut self, id: SpriteId, visible: bool) -> Result<(), BatchError> {
        self.reshape(id, |s| s.visible = visible)
    }

    /// Sets where a sprite draws within its layer: above the sprites of lower z, and above
    /// those of its z added before it, from the next draw on. Writes no vertex; the next
    /// draw lays the layer's indices (or instances) out again in order, once for every
    /// change made since the last draw.
    pub fn set_z(&mut self, id: SpriteId, z: f32) -> Result<(), BatchError> {
        finite("a sprite's z", &[z])?;
        let (index, hot) = (self.sprites)
            .get_indexed(id)
            .map_err(|_| BatchError::UnknownSprite)?;
        S::set_z(&mut self.batch, hot.handle, z)?;
        self.props[index].z = z;
        Ok(())
    }

    /// Tints a sprite: rewrites its `colour` only.
    pub fn set_colour(&mut self, id: SpriteId, rgb: [u8; 3]) -> Result<(), BatchError> {
        self.change(
            id,
            |e| e.sprite.colour = rgb,
            |b, e| S::write_colour(b, e.handle, &e.sprite),
        )
    }

    /// Sets a sprite's opacity: rewrites its `colour` only.
    pub fn set_opacity(&mut self, id: SpriteId, opacity: u8) -> Result<(), BatchError> {
        self.change(
            id,
            |e| e.sprite.opacity = opacity,
            |b, e| S::write_colour(b, e.handle, &e.sprite),
        )
    }

    /// Shows another atlas region: rewrites its corners and texture coordinates, and keeps
    /// the new region only when every write succeeded.
    pub fn set_region(&mut self, id: SpriteId, region: AtlasRegion) -> Result<(), BatchError> {
        self.change(
            id,
            |e| e.reshape(|s| s.region = region),
            |b, e| S::write_region(b, e.handle, &e.sprite, &e.cache),
        )
    }

    /// Removes a sprite and frees its data; its id becomes stale.
    pub fn remove(&mut self, id: SpriteId) -> Result<(), BatchError> {
        let hot = self
            .sprites
            .get(id)
            .map_err(|_| BatchError::UnknownSprite)?;
        S::remove(&mut self.batch, hot.handle)?;
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

    /// Draws every visible layer's sprites and shapes: one draw call per layer.
    pub fn draw(&mut self) -> Result<DrawStats, BatchError> {
        self.batch.draw()
    }
}

impl<S: SpriteStore> std::fmt::Debug for SpriteBatch<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpriteBatch")
            .field("sprites", &self.sprites.len())
            .field("batch", &self.batch)
            .finish()
    }
}
