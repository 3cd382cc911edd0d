//! Order within a sprite layer on a real headless GL context, for both sprite stores and on
//! GL core and GLES 3: a sprite of higher z draws above those of lower z whatever slots the
//! allocators gave it, equal z keeps the order of adding, under churn (add, remove, re-add,
//! change z, move); and what it costs: a relayout only on a draw after a change out of
//! order.

mod common;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::sync::Arc;

use vertex_domain::backend::{AtlasBuilder, MultiDraw, RenderTarget, TextureFilter};
use vertex_domain::batch::{Instances, Sprite, SpriteBatch, SpriteId, SpriteStore};
use vertex_domain::headless::HeadlessContext;

/// The target: a 4 × 4 grid of 16-pixel cells.
const SIZE: u32 = 64;
const CELL: u32 = 16;
const CELLS: usize = 16;
const BACKGROUND: [u8; 4] = [0, 0, 0, 255];

type Make<S> = fn(&Arc<glow::Context>, MultiDraw, u32, u32) -> SpriteBatch<S>;

fn quads(gl: &Arc<glow::Context>, md: MultiDraw, w: u32, h: u32) -> SpriteBatch {
    SpriteBatch::new(gl, md, w, h).unwrap()
}

fn instanced(gl: &Arc<glow::Context>, md: MultiDraw, w: u32, h: u32) -> SpriteBatch<Instances> {
    SpriteBatch::instanced(gl, md, w, h).unwrap()
}

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

/// What the model knows of a live sprite: where it is, its z, when it was added, and its
/// (unique) colour.
#[derive(Debug, Clone, Copy)]
struct Live {
    id: SpriteId,
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

/// A scene of one layer of a white texture, with its sprite batch.
struct Scene<S: SpriteStore> {
    target: RenderTarget,
    sprites: SpriteBatch<S>,
    layer: vertex_domain::batch::GroupId,
    region: vertex_domain::backend::AtlasRegion,
    _atlas: vertex_domain::backend::TextureAtlas,
}

impl<S: SpriteStore> Scene<S> {
    fn new(ctx: &HeadlessContext, make: Make<S>) -> Self {
        let target = RenderTarget::new(ctx.gl(), SIZE, SIZE).unwrap();
        target.bind();
        let mut builder = AtlasBuilder::new();
        builder.add(4, 4, &[255u8; 64]).unwrap();
        let atlas = builder.build(ctx.gl(), TextureFilter::Nearest).unwrap();
        let mut sprites = make(ctx.gl(), ctx.multi_draw(), SIZE, SIZE);
        let layer = sprites.add_layer(atlas.texture().clone(), 0).unwrap();
        let region = atlas.regions()[0];
        Scene {
            target,
            sprites,
            layer,
            region,
            _atlas: atlas,
        }
    }

    /// A sprite filling `cell`, tinted `rgb`, at `z`.
    fn sprite(&self, cell: usize, rgb: [u8; 3], z: f32) -> Sprite {
        let (x, y) = centre(cell);
        let mut sprite = Sprite::new(self.layer, self.region, x, y).centred().at_z(z);
        (sprite.scale_x, sprite.scale_y) = (4.0, 4.0);
        sprite.colour = rgb;
        sprite
    }

    /// The colour at the centre of every cell.
    fn draw(&mut self) -> Vec<[u8; 4]> {
        self.target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        self.sprites.draw().unwrap();
        let pixels = self.target.read_pixels().unwrap();
        (0..CELLS)
            .map(|cell| {
                let (x, y) = centre(cell);
                common::pixel(&pixels, SIZE, x as u32, y as u32)
            })
            .collect()
    }
}

/// What the model says each cell shows: its live sprite of the greatest (z, added).
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

fn the_highest_z_then_the_latest_added_draws_on_top_under_churn<S: SpriteStore>(
    ctx: &HeadlessContext,
    make: Make<S>,
) {
    let mut scene = Scene::new(ctx, make);
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
                let id = scene.sprites.add(scene.sprite(cell, rgb, z)).unwrap();
                added += 1;
                live.push(Live {
                    id,
                    cell,
                    z,
                    added,
                    colour: rgb,
                });
                format!("add to cell {cell} at z {z}")
            }
            4 | 5 => {
                let gone = live.swap_remove(rng.below(live.len()));
                scene.sprites.remove(gone.id).unwrap();
                format!("remove {:?}", gone.id)
            }
            6 | 7 => {
                let k = rng.below(live.len());
                let z = zs[rng.below(zs.len())];
                scene.sprites.set_z(live[k].id, z).unwrap();
                live[k].z = z;
                format!("set z of {:?} to {z}", live[k].id)
            }
            _ => {
                let (k, cell) = (rng.below(live.len()), rng.below(CELLS));
                let (x, y) = centre(cell);
                scene.sprites.set_position(live[k].id, x, y).unwrap();
                live[k].cell = cell;
                format!("move {:?} to cell {cell}", live[k].id)
            }
        };
        // Several changes between draws, as in a game's frame, and draws after single ones.
        if step % 3 != 1 {
            assert_eq!(
                scene.draw(),
                expected(&live),
                "step {step} ({what}), {} live",
                live.len()
            );
        }
    }
    assert!(
        scene.sprites.batch().relayouts() > 0,
        "churn out of order lays the layer out again"
    );
}

fn adding_on_top_and_moving_never_lay_the_layer_out_again<S: SpriteStore>(
    ctx: &HeadlessContext,
    make: Make<S>,
) {
    let mut scene = Scene::new(ctx, make);
    let mut ids = Vec::new();
    for k in 0..8 {
        // Rising z, then equal z: each lands on top of what is there.
        let z = (k.min(4)) as f32;
        ids.push(
            scene
                .sprites
                .add(scene.sprite(0, colour(k + 1), z))
                .unwrap(),
        );
        scene.draw();
    }
    let (x, y) = centre(5);
    for &id in &ids {
        scene.sprites.set_position(id, x, y).unwrap();
        scene.sprites.set_colour(id, [9, 9, 9]).unwrap();
    }
    scene.sprites.set_colour(ids[7], [1, 2, 3]).unwrap();
    assert_eq!(scene.draw()[5], [1, 2, 3, 255]);
    assert_eq!(scene.sprites.batch().relayouts(), 0);

    // Two changes of order before a draw: one relayout, and the lowest goes on top.
    scene.sprites.set_z(ids[0], 10.0).unwrap();
    scene.sprites.set_z(ids[1], -1.0).unwrap();
    scene.sprites.set_colour(ids[0], [4, 5, 6]).unwrap();
    assert_eq!(scene.draw()[5], [4, 5, 6, 255]);
    assert_eq!(scene.sprites.batch().relayouts(), 1);
    scene.draw();
    assert_eq!(
        scene.sprites.batch().relayouts(),
        1,
        "nothing changed since"
    );
    assert_eq!(scene.sprites.get(ids[0]).unwrap().z, 10.0);
}

mod gl_core {
    #[cfg(target_arch = "wasm32")]
    use super::test;
    use super::*;

    #[test]
    fn quad_sprites_draw_by_z_then_order_of_adding_under_churn() {
        the_highest_z_then_the_latest_added_draws_on_top_under_churn(&common::context(), quads);
    }

    #[test]
    fn instanced_sprites_draw_by_z_then_order_of_adding_under_churn() {
        let ctx = common::context();
        the_highest_z_then_the_latest_added_draws_on_top_under_churn(&ctx, instanced);
    }

    #[test]
    fn adding_quad_sprites_on_top_and_moving_them_never_lays_the_layer_out_again() {
        adding_on_top_and_moving_never_lay_the_layer_out_again(&common::context(), quads);
    }

    #[test]
    fn adding_instanced_sprites_on_top_and_moving_them_never_lays_the_layer_out_again() {
        adding_on_top_and_moving_never_lay_the_layer_out_again(&common::context(), instanced);
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod gles3 {
    use super::*;

    #[test]
    fn quad_sprites_draw_by_z_then_order_of_adding_under_churn() {
        let ctx = common::context_gles();
        the_highest_z_then_the_latest_added_draws_on_top_under_churn(&ctx, quads);
    }

    #[test]
    fn instanced_sprites_draw_by_z_then_order_of_adding_under_churn() {
        let ctx = common::context_gles();
        the_highest_z_then_the_latest_added_draws_on_top_under_churn(&ctx, instanced);
    }
}
