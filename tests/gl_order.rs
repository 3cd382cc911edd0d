//! Order within a layer of a [`Scene`] on a real headless GL context, for sprites in a
//! mixed layer, sprites and shapes together in one, and particles in a particle layer, on
//! GL core and GLES 3: an item of higher z draws above those of lower z whatever slots the
//! allocators gave it, and equal z keeps the order of adding, whatever the kind, under
//! churn (add, remove, re-add, change z, move); and what it costs: a relayout only on a
//! draw after a change out of order.

mod common;

use vertex_domain::backend::RenderTarget;
use vertex_domain::headless::HeadlessContext;
use vertex_domain::scene::{
    Image, Item, Layer, Particle, ParticleId, Particles, Pictured, Scene, Shape, ShapeId,
    ShapeKind, Sprite, SpriteId,
};

/// The target: a 4 × 4 grid of 16-pixel cells.
const SIZE: u32 = 64;
const CELL: u32 = 16;
const CELLS: usize = 16;
const BACKGROUND: [u8; 4] = [0, 0, 0, 255];

/// A small xorshift generator: the churn is the same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// What a scene under test holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kinds {
    /// Sprites in a mixed layer.
    Sprites,
    /// Sprites and shapes, picked at random, in one mixed layer.
    SpritesAndShapes,
    /// Particles in a particle layer.
    Particles,
}

/// An item of any kind.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Id {
    Sprite(SpriteId),
    Shape(ShapeId),
    Particle(ParticleId),
}

/// Runs `$body` with `$id` bound to the typed id inside `$item`, whatever its kind.
macro_rules! with_id {
    ($item:expr, $id:ident => $body:expr) => {
        match $item {
            Id::Sprite($id) => $body,
            Id::Shape($id) => $body,
            Id::Particle($id) => $body,
        }
    };
}

/// What the model knows of a live item: where it is, its z, when it was added, and its
/// (unique) colour.
#[derive(Debug, Clone, Copy)]
struct Live {
    id: Id,
    cell: usize,
    z: f32,
    added: u64,
    colour: [u8; 3],
}

/// The centre of a cell, in pixels.
fn centre(cell: usize) -> (f32, f32) {
    let (col, row) = ((cell % 4) as u32, (cell / 4) as u32);
    (
        (col * CELL + CELL / 2) as f32,
        (row * CELL + CELL / 2) as f32,
    )
}

/// Colour number `k`, unique for every `k` below 65536, never the background.
fn colour(k: u64) -> [u8; 3] {
    [(k & 0xff) as u8, ((k >> 8) as u8).wrapping_mul(37), 200]
}

/// A scene of one layer of `kinds` and a white image.
struct Frame {
    target: RenderTarget,
    scene: Scene,
    kinds: Kinds,
    layer: Layer,
    particles: Layer<Particles>,
    white: Image,
}

impl Frame {
    fn new(ctx: &HeadlessContext, kinds: Kinds) -> Frame {
        let target = RenderTarget::new(ctx.gl(), SIZE, SIZE).unwrap();
        let mut scene = Scene::new(ctx.gl(), ctx.multi_draw(), SIZE, SIZE).unwrap();
        let white = scene.add_image(4, 4, &[255; 64]).unwrap();
        let layer = scene.add_layer(0).unwrap();
        let particles = scene.add_particle_layer(1).unwrap();
        Frame {
            target,
            scene,
            kinds,
            layer,
            particles,
            white,
        }
    }

    /// Adds an item filling `cell`, coloured `rgb`, at `z`: a sprite or a shape (by `pick`
    /// when the scene holds both), or a particle.
    fn add(&mut self, cell: usize, rgb: [u8; 3], z: f32, pick: usize) -> Id {
        let (x, y) = centre(cell);
        let s = &mut self.scene;
        match (self.kinds, pick % 2) {
            (Kinds::Sprites, _) | (Kinds::SpritesAndShapes, 0) => {
                let sprite = Sprite::new(self.layer, self.white, x, y).centred();
                let sprite = sprite.scaled(4.0, 4.0).with_colour(rgb).at_z(z);
                Id::Sprite(s.add(sprite).unwrap())
            }
            (Kinds::SpritesAndShapes, _) => {
                let square = ShapeKind::Rectangle {
                    width: CELL as f32,
                    height: CELL as f32,
                };
                let half = (CELL / 2) as f32;
                let shape = Shape::new(self.layer, square, x, y).anchored(half, half);
                Id::Shape(s.add(shape.with_colour(rgb).at_z(z)).unwrap())
            }
            (Kinds::Particles, _) => {
                let particle = Particle::new(self.particles, self.white, x, y).centred();
                let particle = particle.scaled(4.0, 4.0).with_colour(rgb).at_z(z);
                Id::Particle(s.add(particle).unwrap())
            }
        }
    }

    fn remove(&mut self, id: Id) {
        with_id!(id, id => drop(self.scene.remove(id).unwrap()));
    }

    fn set_z(&mut self, id: Id, z: f32) {
        with_id!(id, id => self.scene.set_z(id, z).unwrap());
    }

    fn z(&self, id: Id) -> f32 {
        with_id!(id, id => self.scene.get(id).unwrap().common().z)
    }

    fn set_position(&mut self, id: Id, (x, y): (f32, f32)) {
        with_id!(id, id => self.scene.set_position(id, x, y).unwrap());
    }

    fn set_colour(&mut self, id: Id, rgb: [u8; 3]) {
        with_id!(id, id => self.scene.set_colour(id, rgb).unwrap());
    }

    fn relayouts(&self) -> u64 {
        self.scene.batch().relayouts()
    }

    /// The colour at the centre of every cell.
    fn draw(&mut self) -> Vec<[u8; 4]> {
        self.target.bind();
        self.target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        self.scene.draw().unwrap();
        let pixels = self.target.read_pixels().unwrap();
        (0..CELLS)
            .map(|cell| {
                let (x, y) = centre(cell);
                common::pixel(&pixels, SIZE, x as u32, y as u32)
            })
            .collect()
    }
}

/// What the model says each cell shows: its live item of the greatest (z, added).
fn expected(live: &[Live]) -> Vec<[u8; 4]> {
    (0..CELLS)
        .map(|cell| {
            live.iter()
                .filter(|s| s.cell == cell)
                .max_by(|a, b| a.z.total_cmp(&b.z).then(a.added.cmp(&b.added)))
                .map_or(BACKGROUND, |s| [s.colour[0], s.colour[1], s.colour[2], 255])
        })
        .collect()
}

fn the_highest_z_then_the_latest_added_draws_on_top_under_churn(
    ctx: &HeadlessContext,
    kinds: Kinds,
) {
    let mut f = Frame::new(ctx, kinds);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut live: Vec<Live> = Vec::new();
    let mut added = 0u64;
    let zs = [-1.0, 0.0, 0.0, 1.0, 2.5];
    for step in 0..400 {
        let op = if live.is_empty() { 0 } else { rng.below(10) };
        let what = match op {
            0..=3 => {
                let (cell, z) = (rng.below(CELLS), zs[rng.below(zs.len())]);
                let rgb = colour(added + 1);
                let id = f.add(cell, rgb, z, rng.below(2));
                added += 1;
                live.push(Live {
                    id,
                    cell,
                    z,
                    added,
                    colour: rgb,
                });
                format!("add {id:?} to cell {cell} at z {z}")
            }
            4 | 5 => {
                let gone = live.swap_remove(rng.below(live.len()));
                f.remove(gone.id);
                format!("remove {:?}", gone.id)
            }
            6 | 7 => {
                let k = rng.below(live.len());
                let z = zs[rng.below(zs.len())];
                f.set_z(live[k].id, z);
                live[k].z = z;
                format!("set z of {:?} to {z}", live[k].id)
            }
            _ => {
                let (k, cell) = (rng.below(live.len()), rng.below(CELLS));
                f.set_position(live[k].id, centre(cell));
                live[k].cell = cell;
                format!("move {:?} to cell {cell}", live[k].id)
            }
        };
        // Several changes between draws, as in a game's frame, and draws after single ones.
        if step % 3 != 1 {
            assert_eq!(
                f.draw(),
                expected(&live),
                "step {step} ({what}), {} live",
                live.len()
            );
        }
    }
    if kinds == Kinds::SpritesAndShapes {
        let shapes = live.iter().filter(|l| matches!(l.id, Id::Shape(_)));
        assert!(shapes.count() > 0, "the churn left no shape");
        let sprites = live.iter().filter(|l| matches!(l.id, Id::Sprite(_)));
        assert!(sprites.count() > 0, "the churn left no sprite");
    }
    assert!(
        f.relayouts() > 0,
        "churn out of order lays the layer out again"
    );
}

fn adding_on_top_and_moving_never_lay_the_layer_out_again(ctx: &HeadlessContext, kinds: Kinds) {
    let mut f = Frame::new(ctx, kinds);
    let mut ids = Vec::new();
    for k in 0..8 {
        // Rising z, then equal z: each lands on top of what is there.
        let z = (k.min(4)) as f32;
        ids.push(f.add(0, colour(k + 1), z, k as usize));
        f.draw();
    }
    for &id in &ids {
        f.set_position(id, centre(5));
        f.set_colour(id, [9, 9, 9]);
    }
    f.set_colour(ids[7], [1, 2, 3]);
    assert_eq!(f.draw()[5], [1, 2, 3, 255]);
    assert_eq!(f.relayouts(), 0);

    // Two changes of order before a draw: one relayout, and the lowest goes on top.
    f.set_z(ids[0], 10.0);
    f.set_z(ids[1], -1.0);
    f.set_colour(ids[0], [4, 5, 6]);
    assert_eq!(f.draw()[5], [4, 5, 6, 255]);
    assert_eq!(f.relayouts(), 1);
    f.draw();
    assert_eq!(f.relayouts(), 1, "nothing changed since");
    assert_eq!(f.z(ids[0]), 10.0);
}

fn sprites_draw_by_z_then_order_of_adding_under_churn(ctx: &HeadlessContext) {
    the_highest_z_then_the_latest_added_draws_on_top_under_churn(ctx, Kinds::Sprites);
}

fn sprites_and_shapes_in_one_layer_draw_by_z_then_order_of_adding_under_churn(
    ctx: &HeadlessContext,
) {
    the_highest_z_then_the_latest_added_draws_on_top_under_churn(ctx, Kinds::SpritesAndShapes);
}

fn particles_draw_by_z_then_order_of_adding_under_churn(ctx: &HeadlessContext) {
    the_highest_z_then_the_latest_added_draws_on_top_under_churn(ctx, Kinds::Particles);
}

fn adding_sprites_on_top_and_moving_them_never_lays_the_layer_out_again(ctx: &HeadlessContext) {
    adding_on_top_and_moving_never_lay_the_layer_out_again(ctx, Kinds::Sprites);
}

fn adding_sprites_and_shapes_on_top_and_moving_them_never_lays_the_layer_out_again(
    ctx: &HeadlessContext,
) {
    adding_on_top_and_moving_never_lay_the_layer_out_again(ctx, Kinds::SpritesAndShapes);
}

fn adding_particles_on_top_and_moving_them_never_lays_the_layer_out_again(ctx: &HeadlessContext) {
    adding_on_top_and_moving_never_lay_the_layer_out_again(ctx, Kinds::Particles);
}

common::on_gl_core_and_gles3!(
    sprites_draw_by_z_then_order_of_adding_under_churn,
    sprites_and_shapes_in_one_layer_draw_by_z_then_order_of_adding_under_churn,
    particles_draw_by_z_then_order_of_adding_under_churn,
    adding_sprites_on_top_and_moving_them_never_lays_the_layer_out_again,
    adding_sprites_and_shapes_on_top_and_moving_them_never_lays_the_layer_out_again,
    adding_particles_on_top_and_moving_them_never_lays_the_layer_out_again,
);
