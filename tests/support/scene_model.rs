//! The scene's fault-injected model, shared by `tests/gl_scene_model.rs` (seeded) and the
//! `scene_model` fuzz target (fuzzer input): random operations on sprites, shapes and labels
//! in mixed world and screen layers, through every setter, `update`, layer moves, text,
//! image and geometry changes, images added until the atlas grows, removal, the camera and
//! draws, about one in five with a fault armed at one of the crate's GL steps first.
//!
//! After every operation each live item must equal the model (a call that failed changed
//! nothing; one that succeeded changed exactly what it said), and every few operations the
//! pixels must equal a reference: the model's items added afresh, with no fault, into
//! reference layers of the same scene (so the same atlas and camera), drawn alone.

use std::sync::Arc;

use vertex_domain::backend::fault::{self, Site};
use vertex_domain::backend::{MultiDraw, RenderTarget};
use vertex_domain::scene::{
    Camera, Font, Image, Item, ItemId, Label, Layer, Particle, Particles, Pictured, Props, Scene,
    SceneError, SceneItem, Shape, ShapeKind, Space, Sprite,
};

/// The sites a scene's operations reach.
const SITES: [Site; 7] = [
    Site::BufferCreate,
    Site::GrowCopy,
    Site::Flush,
    Site::Copy,
    Site::PointVao,
    Site::Draw,
    Site::Texture,
];

const W: u32 = 96;
const H: u32 = 72;

/// Pixels are compared every this many operations (and at the end).
pub const PIXEL_EVERY: u64 = 25;

/// What a run did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    pub ops: u64,
    pub armed: u64,
    pub failed: u64,
    pub faults_fired: u64,
    pub pixel_checks: u64,
    pub atlas_grows: u64,
    pub items: u64,
}

/// Random choices: `None` when the source runs dry (a fuzz input ended).
pub struct Source<F: FnMut() -> Option<u64>>(pub F);

impl<F: FnMut() -> Option<u64>> Source<F> {
    fn below(&mut self, n: u64) -> Option<u64> {
        Some((self.0)()? % n.max(1))
    }

    fn float(&mut self, lo: f32, hi: f32) -> Option<f32> {
        Some(lo + (hi - lo) * (self.below(1 << 16)? as f32 / 65536.0))
    }

    fn colour(&mut self) -> Option<[u8; 3]> {
        Some([
            self.below(256)? as u8,
            self.below(256)? as u8,
            self.below(256)? as u8,
        ])
    }
}

/// The items of one kind and their model.
struct Kept<K> {
    items: Vec<(ItemId<K>, K)>,
}

impl<K: SceneItem + PartialEq + std::fmt::Debug> Kept<K> {
    fn check(&self, scene: &Scene) {
        for (id, model) in &self.items {
            assert_eq!(
                scene.get(*id).as_ref(),
                Ok(&model),
                "an item left its model"
            );
        }
        assert_eq!(scene.count::<K>(), self.items.len(), "live items");
    }
}

/// The scene under test and its model.
pub struct World {
    scene: Scene,
    target: RenderTarget,
    font: Font,
    layers: Vec<Layer>,
    /// One reference layer per layer, hidden but while pixels are checked.
    references: Vec<Layer>,
    /// Particle layers, and theirs.
    particle_layers: Vec<Layer<Particles>>,
    particle_references: Vec<Layer<Particles>>,
    images: Vec<Image>,
    sprites: Kept<Sprite>,
    shapes: Kept<Shape>,
    labels: Kept<Label>,
    particles: Kept<Particle>,
    /// The next z: every z is distinct, so that the reference draws in the same order
    /// whatever the order of adding.
    z: f32,
    pub counts: Counts,
}

/// What an operation did.
enum Outcome {
    Done,
    Failed(SceneError),
}

impl World {
    pub fn new(gl: &Arc<glow::Context>, multi_draw: MultiDraw) -> World {
        let mut scene = Scene::new(gl, multi_draw, W, H).unwrap();
        let spaces = [Space::World, Space::World, Space::Screen];
        let layers: Vec<Layer> = (spaces.iter().enumerate())
            .map(|(i, &space)| scene.add_layer_in(i as i32, space).unwrap())
            .collect();
        let references = (spaces.iter().enumerate())
            .map(|(i, &space)| {
                let layer = scene.add_layer_in(100 + i as i32, space).unwrap();
                scene.set_layer_visible(layer, false).unwrap();
                layer
            })
            .collect();
        let mut particle_layers = Vec::new();
        let mut particle_references = Vec::new();
        for (i, space) in [Space::World, Space::Screen].into_iter().enumerate() {
            particle_layers.push(scene.add_particle_layer_in(10 + i as i32, space).unwrap());
            let reference = scene.add_particle_layer_in(110 + i as i32, space).unwrap();
            scene.set_layer_visible(reference, false).unwrap();
            particle_references.push(reference);
        }
        let mut world = World {
            scene,
            target: RenderTarget::new(gl, W, H).unwrap(),
            font: Font::default_font(),
            layers,
            references,
            particle_layers,
            particle_references,
            images: Vec::new(),
            sprites: Kept { items: Vec::new() },
            shapes: Kept { items: Vec::new() },
            labels: Kept { items: Vec::new() },
            particles: Kept { items: Vec::new() },
            z: 0.0,
            counts: Counts::default(),
        };
        for (side, rgba) in [(6, [200, 40, 40, 255]), (9, [40, 200, 90, 160])] {
            let pixels = rgba.repeat((side * side) as usize);
            let image = world.scene.add_image(side, side, &pixels).unwrap();
            world.images.push(image);
        }
        world
    }

    fn next_z(&mut self) -> f32 {
        self.z += 1.0;
        self.z
    }

    /// One operation, maybe with a fault armed first, then the checks. `None` when the
    /// source ran dry part-way: whatever was armed is disarmed.
    pub fn step<F: FnMut() -> Option<u64>>(&mut self, src: &mut Source<F>) -> Option<()> {
        let stepped = self.try_step(src);
        fault::disarm();
        stepped
    }

    fn try_step<F: FnMut() -> Option<u64>>(&mut self, src: &mut Source<F>) -> Option<()> {
        let roll = src.below(100)?;
        let armed = src.below(5)? == 0;
        let fired_before = fault::injected();
        if armed {
            // A site the operation reaches, mostly; now and then any.
            let sites: &[Site] = match roll {
                0..=24 => &[
                    Site::BufferCreate,
                    Site::GrowCopy,
                    Site::PointVao,
                    Site::Texture,
                ],
                25..=27 => &[Site::Texture],
                28..=32 => &[Site::Flush, Site::Draw, Site::PointVao],
                33..=35 => &[Site::Flush],
                _ => &[
                    Site::Copy,
                    Site::BufferCreate,
                    Site::GrowCopy,
                    Site::Texture,
                ],
            };
            let sites = if src.below(4)? == 0 {
                &SITES[..]
            } else {
                sites
            };
            let site = sites[src.below(sites.len() as u64)? as usize];
            fault::fail_repeatedly(site, src.below(2)? as u32, 1);
            self.counts.armed += 1;
        }
        let outcome = self.operate(src, roll)?;
        fault::disarm();
        let fired = fault::injected() - fired_before;
        self.counts.faults_fired += fired;
        if let Outcome::Failed(error) = outcome {
            self.counts.failed += 1;
            assert!(fired > 0, "a call failed with no fault fired: {error}");
        }
        self.counts.ops += 1;
        self.check();
        if self.counts.ops % PIXEL_EVERY == 0 {
            self.check_pixels();
        }
        Some(())
    }

    /// Asserts that every live item equals its model.
    pub fn check(&self) {
        self.sprites.check(&self.scene);
        self.shapes.check(&self.scene);
        self.labels.check(&self.scene);
        self.particles.check(&self.scene);
    }

    fn layer<F: FnMut() -> Option<u64>>(&self, src: &mut Source<F>) -> Option<Layer> {
        Some(self.layers[src.below(self.layers.len() as u64)? as usize])
    }

    fn operate<F: FnMut() -> Option<u64>>(
        &mut self,
        src: &mut Source<F>,
        roll: u64,
    ) -> Option<Outcome> {
        let outcome = match roll {
            0..=9 => self.add_sprite(src)?,
            10..=17 => self.add_shape(src)?,
            18..=21 => self.add_label(src)?,
            22..=24 => self.add_particle(src)?,
            25..=27 => self.add_image(src)?,
            28..=32 => self.draw(),
            33..=35 => {
                let camera = Camera {
                    pan: [src.float(-30.0, 30.0)?, src.float(-30.0, 30.0)?],
                    zoom: src.float(0.5, 2.0)?,
                    rotation: src.float(-40.0, 40.0)?,
                };
                settle(self.scene.set_camera(camera))
            }
            _ => match src.below(4)? {
                0 => self.change_pictured::<Sprite, F>(src)?,
                1 => self.change_shape(src)?,
                2 => self.change_label(src)?,
                _ => self.change_pictured::<Particle, F>(src)?,
            },
        };
        Some(outcome)
    }

    fn draw(&mut self) -> Outcome {
        self.target.bind();
        self.target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        match self.scene.draw() {
            Ok(stats) => {
                // One domain a layer, whatever kinds it holds: one multi-draw each.
                let layers = self.layers.len() + self.particle_layers.len();
                assert!(stats.domains <= layers, "one domain a layer: {stats:?}");
                Outcome::Done
            }
            Err(error) => Outcome::Failed(error),
        }
    }

    fn add_image<F: FnMut() -> Option<u64>>(&mut self, src: &mut Source<F>) -> Option<Outcome> {
        // Now and then one large enough to grow the atlas.
        let side = match src.below(4)? {
            0 => 100 + src.below(200)? as u32,
            _ => 2 + src.below(20)? as u32,
        };
        let rgba = [
            src.below(256)? as u8,
            src.below(256)? as u8,
            src.below(256)? as u8,
            255,
        ];
        let grows = self.scene.atlas_stats().grows;
        let added = self
            .scene
            .add_image(side, side, &rgba.repeat((side * side) as usize));
        self.counts.atlas_grows += self.scene.atlas_stats().grows - grows;
        Some(match added {
            Ok(image) => {
                self.images.push(image);
                Outcome::Done
            }
            Err(error) => Outcome::Failed(error),
        })
    }

    fn add_sprite<F: FnMut() -> Option<u64>>(&mut self, src: &mut Source<F>) -> Option<Outcome> {
        let image = self.images[src.below(self.images.len() as u64)? as usize];
        let (x, y) = (src.float(0.0, W as f32)?, src.float(0.0, H as f32)?);
        let mut sprite = Sprite::new(self.layer(src)?, image, x, y)
            .rotated(src.float(-180.0, 180.0)?)
            .with_colour(src.colour()?)
            .at_z(self.next_z());
        if src.below(2)? == 0 {
            sprite = sprite
                .centred()
                .scaled(src.float(0.5, 2.0)?, src.float(0.5, 2.0)?);
        }
        Some(self.add(sprite))
    }

    fn add_particle<F: FnMut() -> Option<u64>>(&mut self, src: &mut Source<F>) -> Option<Outcome> {
        let image = self.images[src.below(self.images.len() as u64)? as usize];
        let (x, y) = (src.float(0.0, W as f32)?, src.float(0.0, H as f32)?);
        let layer = Particle::layers(self).0[src.below(2)? as usize];
        let particle = Particle::new(layer, image, x, y)
            .rotated(src.float(-180.0, 180.0)?)
            .with_colour(src.colour()?)
            .at_z(self.next_z());
        Some(self.add(particle))
    }

    fn shape_kind<F: FnMut() -> Option<u64>>(&self, src: &mut Source<F>) -> Option<ShapeKind> {
        Some(match src.below(4)? {
            0 => ShapeKind::Rectangle {
                width: src.float(2.0, 30.0)?,
                height: src.float(2.0, 20.0)?,
            },
            1 => ShapeKind::Circle {
                radius: src.float(2.0, 15.0)?,
                segments: 3 + src.below(20)? as u32,
            },
            2 => ShapeKind::BorderedRectangle {
                width: src.float(6.0, 30.0)?,
                height: src.float(6.0, 20.0)?,
                border: src.float(1.0, 3.0)?,
            },
            _ => ShapeKind::Line {
                dx: src.float(-20.0, 20.0)?,
                dy: src.float(-20.0, 20.0)?,
                width: src.float(1.0, 4.0)?,
            },
        })
    }

    fn add_shape<F: FnMut() -> Option<u64>>(&mut self, src: &mut Source<F>) -> Option<Outcome> {
        let kind = self.shape_kind(src)?;
        let (x, y) = (src.float(0.0, W as f32)?, src.float(0.0, H as f32)?);
        let shape = Shape::new(self.layer(src)?, kind, x, y)
            .with_colour(src.colour()?)
            .with_border_colour(src.colour()?)
            .with_opacity(128 + src.below(128)? as u8)
            .at_z(self.next_z());
        Some(self.add(shape))
    }

    fn text<F: FnMut() -> Option<u64>>(src: &mut Source<F>) -> Option<String> {
        const WORDS: [&str; 6] = ["hp", "Score: 12", "Score: 123", "ogre", "é!", ""];
        Some(WORDS[src.below(WORDS.len() as u64)? as usize].to_owned())
    }

    fn add_label<F: FnMut() -> Option<u64>>(&mut self, src: &mut Source<F>) -> Option<Outcome> {
        let text = Self::text(src)?;
        let size = 8.0 + src.below(10)? as f32;
        let (x, y) = (src.float(0.0, W as f32)?, src.float(0.0, H as f32)?);
        let label = Label::new(self.layer(src)?, text, &self.font, size, x, y)
            .rotated(src.float(-30.0, 30.0)?)
            .at_z(self.next_z());
        Some(self.add(label))
    }

    fn add<K: Modelled>(&mut self, item: K) -> Outcome {
        match self.scene.add(item.clone()) {
            Ok(id) => {
                K::kept(self).items.push((id, item));
                self.counts.items += 1;
                Outcome::Done
            }
            Err(error) => Outcome::Failed(error),
        }
    }

    /// A change every kind takes through the same setters: `f` applies it to the scene and
    /// `model` to the model.
    fn common<K: Modelled, F: FnMut() -> Option<u64>>(
        &mut self,
        src: &mut Source<F>,
    ) -> Option<Outcome> {
        let count = K::kept(self).items.len() as u64;
        if count == 0 {
            return Some(Outcome::Done);
        }
        let index = src.below(count)? as usize;
        let (id, mut model) = K::kept(self).items[index].clone();
        let layers = K::layers(self).0;
        let layer = layers[src.below(layers.len() as u64)? as usize];
        let z = self.next_z();
        let s = &mut self.scene;
        let p = model.common_mut();
        let result = match src.below(10)? {
            0 => {
                let (x, y) = (src.float(0.0, W as f32)?, src.float(0.0, H as f32)?);
                (p.x, p.y) = (x, y);
                s.set_position(id, x, y)
            }
            1 => {
                p.rotation = src.float(-180.0, 180.0)?;
                s.set_rotation(id, p.rotation)
            }
            2 => {
                p.colour = src.colour()?;
                s.set_colour(id, p.colour)
            }
            3 => {
                p.opacity = src.below(256)? as u8;
                s.set_opacity(id, p.opacity)
            }
            4 => {
                p.visible = !p.visible;
                s.set_visible(id, p.visible)
            }
            5 => {
                p.z = z;
                s.set_z(id, z)
            }
            6 => {
                p.anchor = [src.float(-5.0, 5.0)?, src.float(-5.0, 5.0)?];
                s.set_anchor(id, p.anchor[0], p.anchor[1])
            }
            7 => {
                p.layer = layer;
                s.set_layer(id, layer)
            }
            8 => {
                let removed = s.remove(id);
                if removed.is_ok() {
                    K::kept(self).items.swap_remove(index);
                }
                return Some(settle(removed.map(|_| ())));
            }
            _ => {
                // Several at once through `update`, a layer change included.
                (p.x, p.layer, p.z) = (src.float(0.0, W as f32)?, layer, z);
                p.rotation = src.float(-90.0, 90.0)?;
                let edited = *p;
                s.update(id, |item| *item.common_mut() = edited)
            }
        };
        if result.is_ok() {
            K::kept(self).items[index].1 = model;
        }
        Some(settle(result))
    }

    /// A sprite's or particle's own change: another image, or another scale.
    fn change_pictured<K: Modelled + Pictured, F: FnMut() -> Option<u64>>(
        &mut self,
        src: &mut Source<F>,
    ) -> Option<Outcome> {
        let count = K::kept(self).items.len() as u64;
        if count == 0 || src.below(3)? > 0 {
            return self.common::<K, F>(src);
        }
        let index = src.below(count)? as usize;
        let (id, mut model) = K::kept(self).items[index];
        let result = match src.below(2)? {
            0 => {
                let image = self.images[src.below(self.images.len() as u64)? as usize];
                model = model.with_image(image);
                self.scene.set_image(id, image)
            }
            _ => {
                let [x, y] = [src.float(0.25, 3.0)?, src.float(0.25, 3.0)?];
                model = model.scaled(x, y);
                self.scene.set_scale(id, x, y)
            }
        };
        if result.is_ok() {
            K::kept(self).items[index].1 = model;
        }
        Some(settle(result))
    }

    fn change_shape<F: FnMut() -> Option<u64>>(&mut self, src: &mut Source<F>) -> Option<Outcome> {
        let count = self.shapes.items.len() as u64;
        if count == 0 || src.below(3)? > 0 {
            return self.common::<Shape, F>(src);
        }
        let index = src.below(count)? as usize;
        let (id, mut model) = self.shapes.items[index].clone();
        let result = match src.below(2)? {
            0 => {
                model.kind = self.shape_kind(src)?;
                self.scene.set_geometry(id, model.kind.clone())
            }
            _ => {
                model.border_colour = src.colour()?;
                let border = model.border_colour;
                self.scene.update(id, |s| s.border_colour = border)
            }
        };
        if result.is_ok() {
            self.shapes.items[index].1 = model;
        }
        Some(settle(result))
    }

    fn change_label<F: FnMut() -> Option<u64>>(&mut self, src: &mut Source<F>) -> Option<Outcome> {
        let count = self.labels.items.len() as u64;
        if count == 0 || src.below(3)? > 0 {
            return self.common::<Label, F>(src);
        }
        let index = src.below(count)? as usize;
        let (id, mut model) = self.labels.items[index].clone();
        let result = match src.below(2)? {
            0 => {
                model.text = Self::text(src)?;
                self.scene.set_text(id, &model.text)
            }
            _ => {
                // A text change and a turn in one update: kept glyphs turn too.
                model.text = Self::text(src)?;
                model.props.rotation = src.float(-60.0, 60.0)?;
                let new = model.clone();
                self.scene.update(id, |l| *l = new)
            }
        };
        if result.is_ok() {
            self.labels.items[index].1 = model;
        }
        Some(settle(result))
    }

    /// Draws the scene, then the model's items added afresh into the reference layers and
    /// drawn alone, and asserts that the pixels are the same.
    pub fn check_pixels(&mut self) {
        self.counts.pixel_checks += 1;
        let drawn = self.pixels();
        for (&layer, &reference) in self.layers.iter().zip(&self.references) {
            self.scene.set_layer_visible(layer, false).unwrap();
            self.scene.set_layer_visible(reference, true).unwrap();
        }
        for (&layer, &reference) in self.particle_layers.iter().zip(&self.particle_references) {
            self.scene.set_layer_visible(layer, false).unwrap();
            self.scene.set_layer_visible(reference, true).unwrap();
        }
        let sprites = self.add_references::<Sprite>();
        let shapes = self.add_references::<Shape>();
        let labels = self.add_references::<Label>();
        let particles = self.add_references::<Particle>();
        let reference = self.pixels();
        self.remove_references(sprites);
        self.remove_references(shapes);
        self.remove_references(labels);
        self.remove_references(particles);
        for (&layer, &reference) in self.particle_layers.iter().zip(&self.particle_references) {
            self.scene.set_layer_visible(layer, true).unwrap();
            self.scene.set_layer_visible(reference, false).unwrap();
        }
        for (&layer, &reference) in self.layers.iter().zip(&self.references) {
            self.scene.set_layer_visible(layer, true).unwrap();
            self.scene.set_layer_visible(reference, false).unwrap();
        }
        let differing = (drawn.chunks_exact(4).zip(reference.chunks_exact(4)))
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(
            differing, 0,
            "pixels differ from the reference after {:?}",
            self.counts
        );
    }

    /// Adds every model item of kind `K` afresh, in the reference layer of its layer.
    fn add_references<K: Modelled>(&mut self) -> Vec<ItemId<K>> {
        let (layers, references) = K::layers(self);
        let (layers, references) = (layers.to_vec(), references.to_vec());
        let items: Vec<K> = K::kept(self).items.iter().map(|(_, m)| m.clone()).collect();
        (items.into_iter())
            .map(|mut item| {
                let p = item.common_mut();
                p.layer = references[layers.iter().position(|&l| l == p.layer).unwrap()];
                self.scene.add(item).unwrap()
            })
            .collect()
    }

    fn remove_references<K: Modelled>(&mut self, ids: Vec<ItemId<K>>) {
        for id in ids {
            self.scene.remove(id).unwrap();
        }
    }

    fn pixels(&mut self) -> Vec<u8> {
        self.target.bind();
        self.target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        self.scene.draw().unwrap();
        self.target.read_pixels().unwrap()
    }
}

/// `Done`, or `Failed` with the error.
fn settle(result: Result<(), SceneError>) -> Outcome {
    match result {
        Ok(()) => Outcome::Done,
        Err(error) => Outcome::Failed(error),
    }
}

/// Layers of one kind, and their reference layers.
type Layers<'a, L> = (&'a [Layer<L>], &'a [Layer<L>]);

/// A kind the world keeps a model of.
trait Modelled: SceneItem + Clone + PartialEq + std::fmt::Debug {
    fn kept(world: &mut World) -> &mut Kept<Self>;
    fn common_mut(&mut self) -> &mut Props<Self::Holds>;
    /// The layers it may be in, and their reference layers.
    fn layers(world: &World) -> Layers<'_, Self::Holds>;
}

macro_rules! modelled {
    ($kind:ty, $field:ident, $layers:ident, $references:ident) => {
        impl Modelled for $kind {
            fn kept(world: &mut World) -> &mut Kept<Self> {
                &mut world.$field
            }
            fn common_mut(&mut self) -> &mut Props<Self::Holds> {
                &mut self.props
            }
            fn layers(world: &World) -> Layers<'_, Self::Holds> {
                (&world.$layers, &world.$references)
            }
        }
    };
}
modelled!(Sprite, sprites, layers, references);
modelled!(Shape, shapes, layers, references);
modelled!(Label, labels, layers, references);
modelled!(Particle, particles, particle_layers, particle_references);
