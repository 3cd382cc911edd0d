//! [`Scene`]: a 2D scene of sprites, shapes and labels in layers, drawn through one
//! [`Batch`] with one program and one atlas.
//!
//! - **Layers** ([`Layer`]) are groups of the batch drawn by ascending order. Each holds
//!   items of every kind together, ordered by z and then by order of adding, and draws in
//!   one multi-draw call: sprites, shapes and labels share one vertex format and one
//!   program ([`vertex`](self#vertex-format)), and read one atlas. A layer is in the world
//!   (seen through the [`Camera`]) or on the screen (a HUD), and blends by its own
//!   [`Blend`] mode.
//! - **Items** ([`Sprite`], [`Shape`], [`Label`]) go through one lifecycle, whatever their
//!   kind: [`add`](Scene::add), [`get`](Scene::get), [`update`](Scene::update),
//!   [`remove`](Scene::remove), and setters that rewrite only what they change
//!   ([`set_position`](Scene::set_position) writes 8 bytes a vertex). Their ids
//!   ([`ItemId`]) are typed by kind and know their scene.
//! - **Images** are added whenever a game loads them ([`add_image`](Scene::add_image)) and
//!   shown by handle ([`Image`]); the atlas grows on the GPU, and no vertex is rewritten
//!   when it does. Glyphs share it, and shapes read its white texel.
//! - **The view** lives in one uniform block ([`view`](self::VIEW_GLSL)): a camera change
//!   writes it once, and a game's own group reads the same block
//!   ([`share_view`](Scene::share_view)).
//!
//! Every call either completes or changes nothing. Owns GL objects: use and drop it while
//! its context is current.
//!
//! Layers are typed by what they hold: a sprite cannot go into a particle layer (nor into
//! a game's own group, a bare [`GroupId`]), and such code does not compile:
//!
//! ```compile_fail
//! use vertex_domain::scene::{Image, Layer, Particles, Scene, Sprite};
//!
//! fn put(scene: &mut Scene, sparks: Layer<Particles>, image: Image) {
//!     scene.add(Sprite::new(sparks, image, 0.0, 0.0)); // expected `Layer`, found `Layer<Particles>`
//! }
//! ```
//!
//! # Vertex format
//!
//! | location | attribute     | type               | written by                              |
//! |----------|---------------|--------------------|-----------------------------------------|
//! | 0        | `position`    | 2 × f32            | geometry, rotation, anchor, visibility  |
//! | 1        | `translation` | 2 × f32            | moves                                   |
//! | 2        | `tex_coords`  | 2 × u16, texels    | geometry (an image, glyphs)             |
//! | 3        | `colour`      | 4 × u8, normalized | colour, opacity                         |

mod atlas;
mod blend;
mod camera;
mod error;
mod item;
mod items;
mod label;
mod layer;
mod particles;
pub mod shape;
mod sprite;
pub mod text;
mod vertex;
mod view;

use std::sync::Arc;

pub use atlas::{AtlasStats, Image};
pub use error::SceneError;
pub use item::{Item, ItemId, Pictured, Props};
pub use items::ItemStats;
pub use label::Label;
pub use layer::{Layer, Mixed, Particles, Space};
pub use particles::Particle;
pub use shape::Shape;
pub use sprite::Sprite;
pub use view::{VIEW_BINDING, VIEW_BLOCK, VIEW_GLSL};

pub use blend::Blend;
pub use camera::{Camera, View};
pub use shape::geometry::{GeometryError, Mesh, ShapeKind};
pub use text::{Align, AnchorX, AnchorY, Font, Line, LineMetrics, TextError, MAX_SCALE_FACTOR};

use crate::backend::{GrowingTexture, MultiDraw, Program, UniformBuffer};
use crate::batch::{Batch, BatchInstance, BatchList, DrawStats, FormatId, Group, GroupId};
use atlas::SceneAtlas;
use blend::SharedBlend;
use error::finite;
use item::sealed::{Common, Kind};
use items::{Items, Target};
use layer::{LayerGroup, LayerInfo, Uniforms};
use particles::ParticleStore;
use vertex::Scratch;

/// A sprite of a scene.
pub type SpriteId = ItemId<Sprite>;
/// A shape of a scene.
pub type ShapeId = ItemId<Shape>;
/// A label of a scene.
pub type LabelId = ItemId<Label>;
/// A particle of a scene.
pub type ParticleId = ItemId<Particle>;

/// The items of every kind.
struct Stores {
    sprites: Items<Sprite>,
    shapes: Items<Shape>,
    labels: Items<Label>,
    particles: ParticleStore,
}

/// How a scene keeps the items of one kind: the one lifecycle of [`Items`] for the kinds
/// drawn as vertex lists, and the instance records of [`ParticleStore`] for particles.
/// Every verb and setter of [`Scene`] goes through it, the same for every kind.
trait Kept: Item + Sized {
    fn add(scene: &mut Scene, item: Self) -> Result<ItemId<Self>, SceneError>;
    fn get(scene: &Scene, id: ItemId<Self>) -> Result<&Self, SceneError>;
    /// Replaces the item whole (its new layer checked); rebuilt when `rebuild`.
    fn replace(
        scene: &mut Scene,
        id: ItemId<Self>,
        item: Self,
        rebuild: bool,
    ) -> Result<(), SceneError>;
    /// Changes its common properties through `edit`, cloning nothing.
    fn edit(
        scene: &mut Scene,
        id: ItemId<Self>,
        edit: impl FnOnce(&mut Props<Self::Holds>),
    ) -> Result<(), SceneError>;
    /// Moves it to a finite `(x, y)`: its translation only.
    fn move_to(scene: &mut Scene, id: ItemId<Self>, at: (f32, f32)) -> Result<(), SceneError>;
    fn remove(scene: &mut Scene, id: ItemId<Self>) -> Result<Self, SceneError>;
    fn count(scene: &Scene) -> usize;
    fn stats(scene: &Scene) -> ItemStats;
    fn bounds(scene: &Scene, id: ItemId<Self>) -> Result<[f32; 4], SceneError>;
}

/// A kind drawn as a vertex list, kept in `Stores::$field`.
macro_rules! kept_as_lists {
    ($kind:ty, $field:ident) => {
        impl Kept for $kind {
            fn add(scene: &mut Scene, item: Self) -> Result<ItemId<Self>, SceneError> {
                scene.layer(item.props().layer)?;
                let (mut target, stores) = scene.target();
                stores.$field.add(&mut target, item)
            }
            fn get(scene: &Scene, id: ItemId<Self>) -> Result<&Self, SceneError> {
                Ok(&scene.stores.$field.entry(id)?.item)
            }
            fn replace(
                scene: &mut Scene,
                id: ItemId<Self>,
                item: Self,
                rebuild: bool,
            ) -> Result<(), SceneError> {
                scene.layer(item.props().layer)?;
                let (mut target, stores) = scene.target();
                stores.$field.replace(&mut target, id, item, rebuild)
            }
            fn edit(
                scene: &mut Scene,
                id: ItemId<Self>,
                edit: impl FnOnce(&mut Props),
            ) -> Result<(), SceneError> {
                let (mut target, stores) = scene.target();
                stores.$field.edit(&mut target, id, edit)
            }
            #[inline]
            fn move_to(
                scene: &mut Scene,
                id: ItemId<Self>,
                at: (f32, f32),
            ) -> Result<(), SceneError> {
                let (mut target, stores) = scene.target();
                stores.$field.move_to(&mut target, id, at)
            }
            fn remove(scene: &mut Scene, id: ItemId<Self>) -> Result<Self, SceneError> {
                scene.stores.$field.remove(&mut scene.batch, id)
            }
            fn count(scene: &Scene) -> usize {
                scene.stores.$field.len()
            }
            fn stats(scene: &Scene) -> ItemStats {
                scene.stores.$field.stats()
            }
            fn bounds(scene: &Scene, id: ItemId<Self>) -> Result<[f32; 4], SceneError> {
                scene.stores.$field.bounds(&scene.atlas, id)
            }
        }
        impl ListItem for $kind {
            fn list(scene: &Scene, id: ItemId<Self>) -> Result<BatchList, SceneError> {
                Ok(scene.stores.$field.entry(id)?.list)
            }
        }
    };
}
kept_as_lists!(Sprite, sprites);
kept_as_lists!(Shape, shapes);
kept_as_lists!(Label, labels);

impl Kept for Particle {
    fn add(scene: &mut Scene, item: Self) -> Result<ItemId<Self>, SceneError> {
        scene.layer(item.props.layer)?;
        (scene.stores.particles).add(&mut scene.batch, &scene.atlas, item)
    }
    fn get(scene: &Scene, id: ItemId<Self>) -> Result<&Self, SceneError> {
        scene.stores.particles.get(id)
    }
    fn replace(scene: &mut Scene, id: ItemId<Self>, item: Self, _: bool) -> Result<(), SceneError> {
        scene.layer(item.props.layer)?;
        (scene.stores.particles).replace(&mut scene.batch, &scene.atlas, id, item)
    }
    fn edit(
        scene: &mut Scene,
        id: ItemId<Self>,
        edit: impl FnOnce(&mut Props<Particles>),
    ) -> Result<(), SceneError> {
        let mut particle = *scene.stores.particles.get(id)?;
        edit(&mut particle.props);
        Self::replace(scene, id, particle, false)
    }
    fn move_to(scene: &mut Scene, id: ItemId<Self>, at: (f32, f32)) -> Result<(), SceneError> {
        scene.stores.particles.move_to(&mut scene.batch, id, at)
    }
    fn remove(scene: &mut Scene, id: ItemId<Self>) -> Result<Self, SceneError> {
        scene.stores.particles.remove(&mut scene.batch, id)
    }
    fn count(scene: &Scene) -> usize {
        scene.stores.particles.len()
    }
    fn stats(scene: &Scene) -> ItemStats {
        scene.stores.particles.stats()
    }
    fn bounds(scene: &Scene, id: ItemId<Self>) -> Result<[f32; 4], SceneError> {
        scene.stores.particles.bounds(id)
    }
}

/// A kind of item a [`Scene`] holds: [`Sprite`], [`Shape`], [`Label`] or [`Particle`].
/// Sealed.
#[allow(private_bounds)]
pub trait SceneItem: Kept {}
impl<K: Kept> SceneItem for K {}

/// A kind drawn as a vertex list of its layer: [`Sprite`], [`Shape`], [`Label`]. Sealed.
#[allow(private_bounds)]
pub trait ListItem: SceneItem + Kind {
    /// Its vertex list.
    #[doc(hidden)]
    fn list(scene: &Scene, id: ItemId<Self>) -> Result<BatchList, SceneError>;
}

/// A 2D scene: layers of sprites, shapes and labels together, drawn each in one call
/// through one camera. See the [module docs](self).
pub struct Scene {
    batch: Batch,
    program: Arc<Program>,
    uniforms: Uniforms,
    format: FormatId,
    atlas: SceneAtlas,
    view: UniformBuffer,
    camera: Camera,
    viewport: [f32; 2],
    /// Device pixels per logical pixel.
    scale: f32,
    /// `layers[i]` describes the batch's group of index `i` when it is a layer of this
    /// scene (a game's own groups are not).
    layers: Vec<Option<LayerInfo>>,
    scratch: Scratch,
    stores: Stores,
}

impl Scene {
    /// A scene drawing into a viewport of `width` × `height` pixels, its program compiled
    /// for `gl`'s GLSL dialect, its atlas empty but for the white texel.
    pub fn new(
        gl: &Arc<glow::Context>,
        multi_draw: MultiDraw,
        width: u32,
        height: u32,
    ) -> Result<Scene, SceneError> {
        let viewport = viewport(width, height)?;
        let (program, format, uniforms) = vertex::program(gl)?;
        let camera = Camera::default();
        let block = view::block(&camera, viewport);
        let view = UniformBuffer::new(gl, VIEW_BINDING, bytemuck::cast_slice(&block))?;
        let mut batch = Batch::new(gl, multi_draw);
        let format = batch.format_id(&format);
        let particles = ParticleStore::new(gl, &mut batch)?;
        Ok(Scene {
            atlas: SceneAtlas::new(gl)?,
            batch,
            program,
            uniforms,
            format,
            view,
            camera,
            viewport,
            scale: 1.0,
            layers: Vec::new(),
            scratch: Scratch::default(),
            stores: Stores {
                sprites: Items::new(),
                shapes: Items::new(),
                labels: Items::new(),
                particles,
            },
        })
    }

    /// Adds an image of `width` × `height` RGBA texels, straight alpha (as PNG files
    /// decode), row 0 at the top, and returns its handle for sprites. Any time: the atlas
    /// grows on the GPU when it is full, and nothing drawn changes.
    ///
    /// Fails with [`SceneError::ImageData`] for a zero side or a wrong length, with
    /// [`SceneError::AtlasFull`] when the largest texture is full, and with GL's errors;
    /// a growth that succeeded before a failure stays (more room, nothing lost).
    pub fn add_image(&mut self, width: u32, height: u32, rgba: &[u8]) -> Result<Image, SceneError> {
        self.atlas.add_image(width, height, rgba)
    }

    /// What the atlas holds and how often it grew.
    pub fn atlas_stats(&self) -> AtlasStats {
        self.atlas.stats()
    }

    /// Adds a layer in the world (seen through the camera), blended over what is below
    /// ([`Blend::Alpha`]), drawn among layers and a game's own groups by ascending `order`.
    pub fn add_layer(&mut self, order: i32) -> Result<Layer, SceneError> {
        self.add_layer_in(order, Space::World)
    }

    /// Adds a layer on the screen: its positions are viewport pixels from the bottom left,
    /// whatever the camera. Otherwise as [`add_layer`](Self::add_layer).
    pub fn add_screen_layer(&mut self, order: i32) -> Result<Layer, SceneError> {
        self.add_layer_in(order, Space::Screen)
    }

    /// Adds a layer in `space`, drawn by ascending `order`.
    pub fn add_layer_in(&mut self, order: i32, space: Space) -> Result<Layer, SceneError> {
        let (program, uniforms) = (Arc::clone(&self.program), self.uniforms.clone());
        let group = self.add_layer_group(order, space, program, uniforms)?;
        Ok(Layer::new(group))
    }

    /// Adds a layer of [`Particle`]s in the world, drawn instanced in one call, by
    /// ascending `order` among all layers.
    pub fn add_particle_layer(&mut self, order: i32) -> Result<Layer<Particles>, SceneError> {
        self.add_particle_layer_in(order, Space::World)
    }

    /// Adds a layer of [`Particle`]s in `space`.
    pub fn add_particle_layer_in(
        &mut self,
        order: i32,
        space: Space,
    ) -> Result<Layer<Particles>, SceneError> {
        let (program, uniforms) = self.stores.particles.program();
        let (program, uniforms) = (Arc::clone(program), uniforms.clone());
        let group = self.add_layer_group(order, space, program, uniforms)?;
        if let Err(error) = self.stores.particles.add_layer(&mut self.batch, group) {
            let _ = self.batch.set_visible(group, false);
            self.layers[group.index as usize] = None;
            return Err(error);
        }
        Ok(Layer::new(group))
    }

    /// Adds a layer's group at the top level, drawn by `program`, ordered by z. On error a
    /// group that was added is hidden and is no layer.
    fn add_layer_group(
        &mut self,
        order: i32,
        space: Space,
        program: Arc<Program>,
        uniforms: Uniforms,
    ) -> Result<GroupId, SceneError> {
        let info = LayerInfo {
            blend: SharedBlend::new(Blend::Alpha),
            space,
        };
        let group = LayerGroup {
            program,
            atlas: Arc::clone(self.atlas.texture()),
            uniforms,
            info: info.clone(),
        };
        let id = self.batch.add_group(group, order, None)?;
        if let Err(error) = self.batch.set_ordered(id, true) {
            let _ = self.batch.set_visible(id, false);
            return Err(error.into());
        }
        let index = id.index as usize;
        if self.layers.len() <= index {
            self.layers.resize(index + 1, None);
        }
        self.layers[index] = Some(info);
        Ok(id)
    }

    /// What a layer of this scene is: [`SceneError::UnknownLayer`] for another scene's.
    fn layer<L>(&self, layer: Layer<L>) -> Result<&LayerInfo, SceneError> {
        let group = layer.group;
        if !self.batch.has_group(group) {
            return Err(SceneError::UnknownLayer);
        }
        let info = self
            .layers
            .get(group.index as usize)
            .and_then(Option::as_ref);
        info.ok_or(SceneError::UnknownLayer)
    }

    /// Changes how a layer blends, from its next draw on.
    pub fn set_layer_blend<L>(&mut self, layer: Layer<L>, blend: Blend) -> Result<(), SceneError> {
        self.layer(layer)?.blend.set(blend);
        Ok(())
    }

    /// How a layer blends.
    pub fn layer_blend<L>(&self, layer: Layer<L>) -> Result<Blend, SceneError> {
        Ok(self.layer(layer)?.blend.get())
    }

    /// Whether a layer is in the world or on the screen.
    pub fn layer_space<L>(&self, layer: Layer<L>) -> Result<Space, SceneError> {
        Ok(self.layer(layer)?.space)
    }

    /// Shows or hides a whole layer.
    pub fn set_layer_visible<L>(
        &mut self,
        layer: Layer<L>,
        visible: bool,
    ) -> Result<(), SceneError> {
        self.layer(layer)?;
        Ok(self.batch.set_visible(layer.group, visible)?)
    }

    /// Adds a game's own group at the top level, drawn among the layers by ascending
    /// `order`, with lists of its own ([`batch_mut`](Self::batch_mut)). A program of its
    /// that includes [`VIEW_GLSL`] sees the scene's view once bound with
    /// [`share_view`](Self::share_view).
    pub fn add_group(
        &mut self,
        group: impl Group + 'static,
        order: i32,
    ) -> Result<GroupId, SceneError> {
        Ok(self.batch.add_group(group, order, None)?)
    }

    /// Binds `program`'s view block ([`VIEW_GLSL`], named [`VIEW_BLOCK`]) to the scene's
    /// view: from then on it sees the camera and viewport as the scene's layers do, with
    /// no uniform to push. One call per program; the scene binds its block at every draw.
    ///
    /// Fails with [`GlError::UnknownUniform`](crate::backend::GlError::UnknownUniform)
    /// (as [`SceneError::Gl`]) when the program has no such block.
    pub fn share_view(&self, program: &Program) -> Result<(), SceneError> {
        Ok(program.bind_uniform_block(VIEW_BLOCK, VIEW_BINDING)?)
    }

    /// The parts a change reaches.
    fn target(&mut self) -> (Target<'_>, &mut Stores) {
        let target = Target {
            batch: &mut self.batch,
            atlas: &mut self.atlas,
            scratch: &mut self.scratch,
            format: self.format,
            scale: self.scale,
        };
        (target, &mut self.stores)
    }

    /// Adds an item and writes it. Its layer must be one of this scene's
    /// ([`SceneError::UnknownLayer`]), its numbers finite ([`SceneError::NotFinite`]),
    /// its image this scene's ([`SceneError::UnknownImage`]), its geometry or text valid;
    /// on error nothing was added.
    pub fn add<K: SceneItem>(&mut self, item: K) -> Result<ItemId<K>, SceneError> {
        K::add(self, item)
    }

    /// An item's properties.
    pub fn get<K: SceneItem>(&self, id: ItemId<K>) -> Result<&K, SceneError> {
        K::get(self, id)
    }

    /// An item's vertex list in [`batch`](Self::batch), for reading its vertices back
    /// (attributes `position`, `translation`, `tex_coords`, `colour`) or its placement.
    pub fn list<K: ListItem>(&self, id: ItemId<K>) -> Result<BatchList, SceneError> {
        K::list(self, id)
    }

    /// What the items of kind `K` have cost so far: adds, rebuilds, resizes and vertices
    /// written.
    pub fn stats<K: SceneItem>(&self) -> ItemStats {
        K::stats(self)
    }

    /// The box `[left, bottom, right, top]` that holds an item, placed and turned, in its
    /// layer's coordinates (world or screen pixels): its vertices, and a label's layout
    /// block (the lines' width by the first ascent to the last descent).
    pub fn bounds<K: SceneItem>(&self, id: ItemId<K>) -> Result<[f32; 4], SceneError> {
        K::bounds(self, id)
    }

    /// Live items of kind `K`.
    pub fn count<K: SceneItem>(&self) -> usize {
        K::count(self)
    }

    /// Updates an item through `f` and rewrites what changed: its geometry when its kind's
    /// own properties changed (an image, a scale, a text, a shape), from the first vertex
    /// that differs; its positions for a turn, anchor or visibility; its translation for a
    /// move; its colours for a colour or opacity. A change of z reorders it and a change of
    /// layer moves it there by a GPU copy.
    ///
    /// A change of layer counts as adding it anew there: it draws above the items of its
    /// z already in that layer, and moving it back does not restore its old place. Prefer
    /// the setters, which clone nothing. On error the item is as it was.
    pub fn update<K: SceneItem>(
        &mut self,
        id: ItemId<K>,
        f: impl FnOnce(&mut K),
    ) -> Result<(), SceneError> {
        let mut item = self.get(id)?.clone();
        f(&mut item);
        self.replace(id, item, false)
    }

    /// Replaces an item whole, checking its new layer; rebuilt when `rebuild`.
    fn replace<K: SceneItem>(
        &mut self,
        id: ItemId<K>,
        item: K,
        rebuild: bool,
    ) -> Result<(), SceneError> {
        K::replace(self, id, item, rebuild)
    }

    /// Changes an item's common properties in place through `edit` and rewrites what
    /// changed; clones nothing.
    fn edit<K: SceneItem>(
        &mut self,
        id: ItemId<K>,
        edit: impl FnOnce(&mut Props<K::Holds>),
    ) -> Result<(), SceneError> {
        K::edit(self, id, edit)
    }

    /// Moves an item: rewrites its translation only, 8 bytes a vertex (a particle's 8
    /// bytes). The frame's hot path: it reads the item's list and vertex count, stages the
    /// write, and then records the position.
    pub fn set_position<K: SceneItem>(
        &mut self,
        id: ItemId<K>,
        x: f32,
        y: f32,
    ) -> Result<(), SceneError> {
        finite("an item's position", &[x, y])?;
        K::move_to(self, id, (x, y))
    }

    /// Places and turns an item in one call that writes each attribute once: its
    /// translation and its positions.
    pub fn set_transform<K: SceneItem>(
        &mut self,
        id: ItemId<K>,
        (x, y): (f32, f32),
        degrees: f32,
    ) -> Result<(), SceneError> {
        self.edit(id, |p| ((p.x, p.y), p.rotation) = ((x, y), degrees))
    }

    /// Turns an item clockwise about its anchor: rewrites its positions only.
    pub fn set_rotation<K: SceneItem>(
        &mut self,
        id: ItemId<K>,
        degrees: f32,
    ) -> Result<(), SceneError> {
        self.edit(id, |p| p.rotation = degrees)
    }

    /// Moves an item's anchor to `(x, y)` of its frame: its position stays, so the item
    /// shifts. Rewrites its positions only.
    pub fn set_anchor<K: SceneItem>(
        &mut self,
        id: ItemId<K>,
        x: f32,
        y: f32,
    ) -> Result<(), SceneError> {
        self.edit(id, |p| p.anchor = [x, y])
    }

    /// Colours an item (a sprite's tint, a shape's fill, a label's ink): rewrites its
    /// colours only.
    pub fn set_colour<K: SceneItem>(
        &mut self,
        id: ItemId<K>,
        rgb: [u8; 3],
    ) -> Result<(), SceneError> {
        self.edit(id, |p| p.colour = rgb)
    }

    /// Sets an item's opacity: rewrites its colours only.
    pub fn set_opacity<K: SceneItem>(
        &mut self,
        id: ItemId<K>,
        opacity: u8,
    ) -> Result<(), SceneError> {
        self.edit(id, |p| p.opacity = opacity)
    }

    /// Shows or hides an item (a hidden item's vertices collapse to its position):
    /// rewrites its positions only.
    pub fn set_visible<K: SceneItem>(
        &mut self,
        id: ItemId<K>,
        visible: bool,
    ) -> Result<(), SceneError> {
        self.edit(id, |p| p.visible = visible)
    }

    /// Sets where an item draws within its layer: above the items of lower z, and above
    /// those of its z added before it. Writes no vertex; the next draw lays the layer's
    /// order out again, once for all changes since the last draw.
    pub fn set_z<K: SceneItem>(&mut self, id: ItemId<K>, z: f32) -> Result<(), SceneError> {
        self.edit(id, |p| p.z = z)
    }

    /// Moves an item to another layer of this scene, by a GPU copy; it draws above the
    /// items of its z already there (as if added anew), and moving it back does not
    /// restore its old place.
    pub fn set_layer<K: SceneItem>(
        &mut self,
        id: ItemId<K>,
        layer: Layer<K::Holds>,
    ) -> Result<(), SceneError> {
        self.layer(layer)?;
        self.edit(id, |p| p.layer = layer)
    }

    /// Shows another image on a sprite or particle (an animation frame): rewrites its
    /// corners and texels only (a sprite's 4 positions and 4 texels, a particle's offset,
    /// edges and texel rectangle).
    pub fn set_image<K: Pictured + SceneItem>(
        &mut self,
        id: ItemId<K>,
        image: Image,
    ) -> Result<(), SceneError> {
        let mut item = *self.get(id)?;
        *item.image_mut() = image;
        self.replace(id, item, false)
    }

    /// Scales a sprite or particle about its anchor: rewrites its corners only.
    pub fn set_scale<K: Pictured + SceneItem>(
        &mut self,
        id: ItemId<K>,
        x: f32,
        y: f32,
    ) -> Result<(), SceneError> {
        let mut item = *self.get(id)?;
        *item.scale_mut() = [x, y];
        self.replace(id, item, false)
    }

    /// Changes a label's text: lays it out again and writes its glyphs from the first one
    /// that changed, resizing its list (in place, or moved by a GPU copy that carries the
    /// glyphs kept) when the glyph count changed. The same text writes nothing; the old
    /// text is not cloned.
    pub fn set_text(&mut self, id: LabelId, text: &str) -> Result<(), SceneError> {
        let label = self.get(id)?;
        if label.text == text {
            return Ok(());
        }
        let label = label.with_text(text);
        self.replace(id, label, false)
    }

    /// Gives a shape another geometry: tessellates it, resizes its list in place when the
    /// counts change and the space after it is free (else moves it by a GPU copy), and
    /// rewrites it. The old shape is not cloned.
    pub fn set_geometry(&mut self, id: ShapeId, kind: ShapeKind) -> Result<(), SceneError> {
        let shape = self.get(id)?.with_kind(kind);
        self.replace(id, shape, false)
    }

    /// A particle's instance in [`batch`](Self::batch), for reading its record back
    /// (attributes `translation`, `offset`, `axes`, `texels`, `colour`).
    pub fn instance(&self, id: ParticleId) -> Result<BatchInstance, SceneError> {
        self.stores.particles.instance(id)
    }

    /// A label's lines as laid out, in its frame, in device pixels.
    pub fn label_lines(&self, id: LabelId) -> Result<&[Line], SceneError> {
        Ok(self.stores.labels.entry(id)?.state.lines())
    }

    /// Removes an item and frees its list; its id becomes stale. Returns its properties.
    pub fn remove<K: SceneItem>(&mut self, id: ItemId<K>) -> Result<K, SceneError> {
        K::remove(self, id)
    }

    /// Sets the viewport size in pixels, after a window resize. World coordinates stay
    /// pixels: the camera keeps its pan, zoom and rotation about the new centre; screen
    /// layers keep their pixels from the bottom left.
    ///
    /// A viewport of zero pixels is refused ([`SceneError::EmptyView`]), changing nothing.
    pub fn set_viewport(&mut self, width: u32, height: u32) -> Result<(), SceneError> {
        self.look(self.camera, viewport(width, height)?)
    }

    /// Looks at the world layers through `camera`: writes the view block once, and no
    /// vertex.
    ///
    /// A pan or rotation that is not finite ([`SceneError::NotFinite`]) or a zoom that is
    /// not a positive finite number ([`SceneError::EmptyView`]) is refused, changing
    /// nothing.
    pub fn set_camera(&mut self, camera: Camera) -> Result<(), SceneError> {
        finite("a camera's pan", &camera.pan)?;
        finite("a camera's rotation", &[camera.rotation])?;
        if !(camera.zoom.is_finite() && camera.zoom > 0.0) {
            return Err(SceneError::EmptyView(
                "a camera's zoom must be positive and finite",
            ));
        }
        self.look(camera, self.viewport)
    }

    fn look(&mut self, camera: Camera, viewport: [f32; 2]) -> Result<(), SceneError> {
        view::write(&self.view, &camera, viewport)?;
        (self.camera, self.viewport) = (camera, viewport);
        Ok(())
    }

    /// The camera set last ([`Camera::default`] at first: world coordinates are pixels).
    pub fn camera(&self) -> Camera {
        self.camera
    }

    /// The viewport, `[width, height]` in pixels.
    pub fn viewport(&self) -> [f32; 2] {
        self.viewport
    }

    /// Where a world point appears, in viewport pixels, through the current camera.
    pub fn world_to_screen(&self, world: [f32; 2]) -> [f32; 2] {
        self.camera.world_to_screen(world, self.viewport)
    }

    /// The world point shown at a viewport pixel (a mouse position, y up from the
    /// bottom), through the current camera.
    pub fn screen_to_world(&self, screen: [f32; 2]) -> [f32; 2] {
        self.camera.screen_to_world(screen, self.viewport)
    }

    /// Sets how many device pixels make one logical pixel (winit's `scale_factor`, the
    /// browser's `devicePixelRatio`), for a framebuffer that many times larger than the
    /// viewport. Positions stay logical; labels are laid out again with their glyphs
    /// rasterised at their size times `scale`, so text stays sharp.
    ///
    /// Fails with [`TextError::ScaleFactor`] (as [`SceneError::Text`]) for a scale that is
    /// not a positive, finite number up to [`MAX_SCALE_FACTOR`], changing nothing; and with
    /// the error of a label that could not be laid out again, after putting the labels
    /// already laid out back at the old scale.
    pub fn set_scale_factor(&mut self, scale: f32) -> Result<(), SceneError> {
        if !(scale.is_finite() && scale > 0.0 && scale <= MAX_SCALE_FACTOR) {
            return Err(SceneError::Text(TextError::ScaleFactor(scale)));
        }
        let old = self.scale;
        if old.to_bits() == scale.to_bits() {
            return Ok(());
        }
        self.scale = scale;
        let ids = self.stores.labels.ids();
        for (done, &id) in ids.iter().enumerate() {
            let label = self.get(id)?.clone();
            if let Err(error) = self.replace(id, label, true) {
                self.scale = old;
                for &id in &ids[..done] {
                    if let Ok(label) = self.get(id).cloned() {
                        let _ = self.replace(id, label, true);
                    }
                }
                return Err(error);
            }
        }
        Ok(())
    }

    /// Device pixels per logical pixel ([`set_scale_factor`](Self::set_scale_factor)).
    pub fn scale_factor(&self) -> f32 {
        self.scale
    }

    /// The atlas texture every layer samples (images, glyphs, the white texel), for a
    /// game's own group that draws from it. Its texels are premultiplied; address them in
    /// texels divided by its size, which growth changes (it is read at each draw). Growth
    /// swaps in a new GL texture behind the same `Arc`: bind it at each draw.
    pub fn atlas_texture(&self) -> &Arc<GrowingTexture> {
        self.atlas.texture()
    }

    /// The texel rectangle `[x, y, width, height]` of an image in the atlas (row 0 at the
    /// top), for a game's own group that draws it.
    pub fn image_texels(&self, image: Image) -> Result<[u32; 4], SceneError> {
        self.atlas.check(&image)?;
        let [x, y] = image.texel.map(u32::from);
        let (w, h) = image.size();
        Ok([x, y, w, h])
    }

    /// The shader program every layer draws with.
    pub fn program(&self) -> &Arc<Program> {
        &self.program
    }

    /// The batch under the scene, for inspection (buffer statistics, domains, reading an
    /// item's list back).
    pub fn batch(&self) -> &Batch {
        &self.batch
    }

    /// The batch under the scene, for a game's own lists in its own groups, flushing and
    /// stream settings. Lists in the scene's layers belong to the scene.
    pub fn batch_mut(&mut self) -> &mut Batch {
        &mut self.batch
    }

    /// Draws every visible layer and group by order: one draw call per layer.
    ///
    /// GL state touched: the view block's binding point ([`VIEW_BINDING`]), left bound to
    /// the scene's block; then what each layer's group touches (see
    /// [`Batch::draw`]).
    pub fn draw(&mut self) -> Result<DrawStats, SceneError> {
        self.view.bind();
        Ok(self.batch.draw()?)
    }
}

/// `[width, height]`, refused when either is zero.
fn viewport(width: u32, height: u32) -> Result<[f32; 2], SceneError> {
    if width == 0 || height == 0 {
        return Err(SceneError::EmptyView(
            "a viewport must be at least 1x1 pixels",
        ));
    }
    Ok([width as f32, height as f32])
}

impl std::fmt::Debug for Scene {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scene")
            .field("sprites", &self.stores.sprites.len())
            .field("shapes", &self.stores.shapes.len())
            .field("labels", &self.stores.labels.len())
            .field("atlas", &self.atlas.stats())
            .finish()
    }
}
