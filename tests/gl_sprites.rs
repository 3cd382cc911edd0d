//! Sprites on a real headless GL context, for both stores ([`Quads`] and [`Instances`]):
//! where they draw, what each setter changes on screen, that a setter rewrites only its own
//! sprite's bytes, and removal; and that the two stores draw the same pictures.

mod common;
#[path = "../examples/common/rng.rs"]
mod rng;

use vertex_domain::backend::{AtlasBuilder, RenderTarget, TextureAtlas, TextureFilter};
use vertex_domain::batch::{
    BatchError, Camera, GroupId, Instances, Quads, Sprite, SpriteBatch, SpriteStore,
};
use vertex_domain::headless::HeadlessContext;

/// A sprite store under test: how to make its batch, and what a move, a tint and a change
/// of shape upload.
trait Store: SpriteStore + Sized {
    const MOVE_BYTES: u64;
    const TINT_BYTES: u64;
    const SHAPE_BYTES: u64;
    fn batch(ctx: &HeadlessContext, width: u32, height: u32) -> SpriteBatch<Self>;
}

impl Store for Quads {
    /// 4 vertices of 2 floats.
    const MOVE_BYTES: u64 = 4 * 2 * 4;
    /// 4 vertices of 4 bytes.
    const TINT_BYTES: u64 = 4 * 4;
    /// The 4 corners again.
    const SHAPE_BYTES: u64 = 4 * 2 * 4;
    fn batch(ctx: &HeadlessContext, width: u32, height: u32) -> SpriteBatch<Self> {
        SpriteBatch::new(ctx.gl(), ctx.multi_draw(), width, height).unwrap()
    }
}

impl Store for Instances {
    /// One position of 2 floats.
    const MOVE_BYTES: u64 = 2 * 4;
    /// One colour of 4 bytes.
    const TINT_BYTES: u64 = 4;
    /// The origin (2 floats) and the transformed axes (4 floats).
    const SHAPE_BYTES: u64 = 6 * 4;
    fn batch(ctx: &HeadlessContext, width: u32, height: u32) -> SpriteBatch<Self> {
        SpriteBatch::instanced(ctx.gl(), ctx.multi_draw(), width, height).unwrap()
    }
}

/// Runs each named test body, a generic `fn<S: Store>()`, once per store.
macro_rules! for_both_stores {
    ($($name:ident),* $(,)?) => {
        mod quads {
            $(#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
            #[cfg_attr(not(target_arch = "wasm32"), test)]
            fn $name() {
                super::$name::<vertex_domain::batch::Quads>()
            })*
        }
        mod instances {
            $(#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
            #[cfg_attr(not(target_arch = "wasm32"), test)]
            fn $name() {
                super::$name::<vertex_domain::batch::Instances>()
            })*
        }
    };
}

const SIZE: u32 = 64;
const CLEAR: [u8; 4] = [0, 0, 0, 255];

/// An atlas of a white 8x8 square and a 8x8 square whose top half is red, bottom half blue
/// (top = first rows, as image files store them).
fn atlas(ctx: &HeadlessContext) -> TextureAtlas {
    let mut builder = AtlasBuilder::new();
    builder.add(8, 8, &[255u8; 8 * 8 * 4]).unwrap();
    let halves: Vec<u8> = (0..8 * 8)
        .flat_map(|i| {
            if i < 32 {
                [255, 0, 0, 255]
            } else {
                [0, 0, 255, 255]
            }
        })
        .collect();
    builder.add(8, 8, &halves).unwrap();
    builder.build(ctx.gl(), TextureFilter::Nearest).unwrap()
}

struct Scene<S: Store> {
    target: RenderTarget,
    sprites: SpriteBatch<S>,
    layer: GroupId,
    atlas: TextureAtlas,
}

fn scene<S: Store>(ctx: &HeadlessContext) -> Scene<S> {
    let target = RenderTarget::new(ctx.gl(), SIZE, SIZE).unwrap();
    target.bind();
    let atlas = atlas(ctx);
    let mut sprites = S::batch(ctx, SIZE, SIZE);
    let layer = sprites.add_layer(atlas.texture().clone(), 0).unwrap();
    Scene {
        target,
        sprites,
        layer,
        atlas,
    }
}

impl<S: Store> Scene<S> {
    fn render(&mut self) -> Vec<u8> {
        self.target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        self.sprites.draw().unwrap();
        self.target.read_pixels().unwrap()
    }

    fn white(&self, x: f32, y: f32) -> Sprite {
        Sprite::new(self.layer, self.atlas.regions()[0], x, y)
    }
}

fn at(pixels: &[u8], x: u32, y: u32) -> [u8; 4] {
    common::pixel(pixels, SIZE, x, y)
}

fn a_sprite_draws_its_region_upright_where_it_is<S: Store>() {
    let ctx = common::context();
    let mut s = scene::<S>(&ctx);
    let halves = Sprite::new(s.layer, s.atlas.regions()[1], 40.0, 40.0);
    s.sprites.add(s.white(8.0, 8.0)).unwrap();
    s.sprites.add(halves).unwrap();
    let pixels = s.render();
    assert_eq!(at(&pixels, 12, 12), [255, 255, 255, 255]);
    assert_eq!(at(&pixels, 7, 12), CLEAR);
    assert_eq!(at(&pixels, 16, 12), CLEAR);
    assert_eq!(
        at(&pixels, 44, 46),
        [255, 0, 0, 255],
        "top half is the first rows"
    );
    assert_eq!(at(&pixels, 44, 41), [0, 0, 255, 255]);
    assert_eq!(at(&pixels, 30, 30), CLEAR);
}

fn setters_move_tint_scale_rotate_and_hide_a_sprite<S: Store>() {
    let ctx = common::context();
    let mut s = scene::<S>(&ctx);
    let id = s.sprites.add(s.white(8.0, 8.0)).unwrap();

    s.sprites.set_position(id, 30.0, 20.0).unwrap();
    let pixels = s.render();
    assert_eq!(at(&pixels, 12, 12), CLEAR);
    assert_eq!(at(&pixels, 34, 24), [255, 255, 255, 255]);

    s.sprites.set_colour(id, [0, 255, 0]).unwrap();
    assert_eq!(at(&s.render(), 34, 24), [0, 255, 0, 255]);

    s.sprites.set_opacity(id, 0).unwrap();
    assert_eq!(
        at(&s.render(), 34, 24),
        CLEAR,
        "opacity 0 blends to nothing"
    );
    s.sprites.set_opacity(id, 255).unwrap();

    s.sprites.set_scale(id, 3.0, 1.0).unwrap();
    let pixels = s.render();
    assert_eq!(at(&pixels, 50, 24), [0, 255, 0, 255]);
    assert_eq!(at(&pixels, 34, 30), CLEAR);

    // 90 degrees clockwise about the anchor (bottom left): the 24x8 bar now hangs below.
    s.sprites.set_rotation(id, 90.0).unwrap();
    let pixels = s.render();
    assert_eq!(at(&pixels, 50, 24), CLEAR);
    assert_eq!(at(&pixels, 33, 10), [0, 255, 0, 255]);

    s.sprites.set_visible(id, false).unwrap();
    assert!(
        s.render().chunks(4).all(|p| p == CLEAR),
        "a hidden sprite drew"
    );
    s.sprites.set_visible(id, true).unwrap();
    assert_eq!(at(&s.render(), 33, 10), [0, 255, 0, 255]);

    s.sprites.set_region(id, s.atlas.regions()[1]).unwrap();
    s.sprites
        .update(id, |sprite| sprite.rotation = 0.0)
        .unwrap();
    s.sprites.set_scale(id, 1.0, 1.0).unwrap();
    s.sprites.set_colour(id, [255, 255, 255]).unwrap();
    let pixels = s.render();
    assert_eq!(at(&pixels, 34, 26), [255, 0, 0, 255]);
    assert_eq!(at(&pixels, 34, 21), [0, 0, 255, 255]);
    assert_eq!(s.sprites.get(id).unwrap().x, 30.0);
}

fn changing_one_sprite_rewrites_only_its_own_data<S: Store>() {
    let ctx = common::context();
    let mut s = scene::<S>(&ctx);
    let ids: Vec<_> = (0..100)
        .map(|i| s.sprites.add(s.white(i as f32, 0.0)).unwrap())
        .collect();
    s.sprites.batch_mut().flush().unwrap();
    let before = s.sprites.batch().buffer_stats().uploaded_bytes;
    s.sprites.set_position(ids[42], 5.0, 5.0).unwrap();
    s.sprites.batch_mut().flush().unwrap();
    let moved = s.sprites.batch().buffer_stats().uploaded_bytes;
    assert_eq!(moved - before, S::MOVE_BYTES, "the position only");
    s.sprites.set_colour(ids[7], [1, 2, 3]).unwrap();
    s.sprites.batch_mut().flush().unwrap();
    let tinted = s.sprites.batch().buffer_stats().uploaded_bytes;
    assert_eq!(tinted - moved, S::TINT_BYTES, "the colour only");
}

fn a_removed_sprite_is_gone_and_its_id_is_refused<S: Store>() {
    let ctx = common::context();
    let mut s = scene::<S>(&ctx);
    let a = s.sprites.add(s.white(8.0, 8.0)).unwrap();
    let b = s.sprites.add(s.white(40.0, 40.0)).unwrap();
    s.sprites.remove(a).unwrap();
    let pixels = s.render();
    assert_eq!(at(&pixels, 12, 12), CLEAR);
    assert_eq!(at(&pixels, 44, 44), [255, 255, 255, 255]);
    assert_eq!(s.sprites.len(), 1);
    assert_eq!(
        s.sprites.set_position(a, 0.0, 0.0),
        Err(BatchError::UnknownSprite)
    );
    assert_eq!(s.sprites.remove(a), Err(BatchError::UnknownSprite));
    s.sprites.remove(b).unwrap();
    assert!(s.sprites.is_empty());
    assert!(s.render().chunks(4).all(|p| p == CLEAR));
}

fn a_hidden_layer_hides_its_sprites_and_layers_draw_by_order<S: Store>() {
    let ctx = common::context();
    let mut s = scene::<S>(&ctx);
    let top = s.sprites.add_layer(s.atlas.texture().clone(), 1).unwrap();
    s.sprites.add(s.white(8.0, 8.0)).unwrap();
    let mut red = Sprite::new(top, s.atlas.regions()[1], 8.0, 8.0);
    red.colour = [255, 255, 255];
    s.sprites.add(red).unwrap();
    assert_eq!(at(&s.render(), 12, 14), [255, 0, 0, 255]);
    s.sprites.set_layer_visible(top, false).unwrap();
    assert_eq!(at(&s.render(), 12, 14), [255, 255, 255, 255]);
}

fn sprites_draw_the_same_on_gles3<S: Store>() {
    let ctx = common::context_gles();
    let mut s = scene::<S>(&ctx);
    s.sprites.add(s.white(8.0, 8.0)).unwrap();
    assert_eq!(at(&s.render(), 12, 12), [255, 255, 255, 255]);
}

fn set_transform_places_turns_and_scales_in_one_write<S: Store>() {
    let ctx = common::context();
    let mut s = scene::<S>(&ctx);
    let by_setters = s.sprites.add(s.white(0.0, 0.0).centred()).unwrap();
    let at_once = s.sprites.add(s.white(0.0, 0.0).centred()).unwrap();
    s.sprites.batch_mut().flush().unwrap();
    s.sprites.set_position(by_setters, 20.0, 30.0).unwrap();
    s.sprites.set_rotation(by_setters, 30.0).unwrap();
    s.sprites.set_scale(by_setters, 2.0, 0.5).unwrap();
    s.sprites.batch_mut().flush().unwrap();
    let before = s.sprites.batch().buffer_stats().uploaded_bytes;
    s.sprites
        .set_transform(at_once, (20.0, 30.0), 30.0, (2.0, 0.5))
        .unwrap();
    s.sprites.batch_mut().flush().unwrap();
    let written = s.sprites.batch().buffer_stats().uploaded_bytes - before;
    assert_eq!(written, S::SHAPE_BYTES, "one write of the sprite's shape");
    assert_eq!(
        s.sprites.get(at_once).unwrap(),
        s.sprites.get(by_setters).unwrap()
    );
    // Both draw the same quad: with one of them hidden, the picture does not change.
    let both = s.render();
    s.sprites.set_visible(by_setters, false).unwrap();
    assert_eq!(s.render(), both);
}

fn a_centred_sprite_is_placed_and_anchored_at_its_middle<S: Store>() {
    let ctx = common::context();
    let mut s = scene::<S>(&ctx);
    let sprite = s.white(32.0, 32.0).centred();
    assert_eq!(sprite.anchor, [4.0, 4.0]);
    let id = s.sprites.add(sprite).unwrap();
    let pixels = s.render();
    assert_eq!(at(&pixels, 28, 35), [255, 255, 255, 255]);
    assert_eq!(at(&pixels, 36, 32), CLEAR);
    // Moving the anchor keeps the position: the square now hangs from its top left.
    s.sprites.set_anchor(id, 0.0, 8.0).unwrap();
    let pixels = s.render();
    assert_eq!(at(&pixels, 33, 30), [255, 255, 255, 255]);
    assert_eq!(at(&pixels, 31, 30), CLEAR);
    assert_eq!(at(&pixels, 33, 33), CLEAR);
}

fn the_camera_pans_and_zooms_without_rewriting_a_vertex<S: Store>() {
    let ctx = common::context();
    let mut s = scene::<S>(&ctx);
    // An 8x8 square centred on (20, 20).
    let id = s.sprites.add(s.white(20.0, 20.0).centred()).unwrap();
    let pixels = s.render();
    assert_eq!(at(&pixels, 20, 20), [255, 255, 255, 255]);
    let before = s.sprites.batch().buffer_stats().uploaded_bytes;

    // Panned 10 right and 4 up: the square shows centred on (10, 16).
    s.sprites
        .set_camera(Camera {
            pan: [10.0, 4.0],
            ..Camera::default()
        })
        .unwrap();
    let pixels = s.render();
    assert_eq!(at(&pixels, 8, 14), [255, 255, 255, 255]);
    assert_eq!(at(&pixels, 15, 16), CLEAR);
    assert_eq!(s.sprites.world_to_screen([20.0, 20.0]), [10.0, 16.0]);
    assert_eq!(s.sprites.screen_to_world([10.0, 16.0]), [20.0, 20.0]);

    // Zoomed 2x about the viewport's centre (32, 32): (20, 20) shows at (8, 8), 16 wide.
    s.sprites
        .set_camera(Camera {
            zoom: 2.0,
            ..Camera::default()
        })
        .unwrap();
    let pixels = s.render();
    assert_eq!(at(&pixels, 1, 1), [255, 255, 255, 255]);
    assert_eq!(at(&pixels, 15, 15), [255, 255, 255, 255]);
    assert_eq!(at(&pixels, 17, 8), CLEAR);
    let after = s.sprites.batch().buffer_stats().uploaded_bytes;
    assert_eq!(after, before, "the camera uploads no vertex");
    assert_eq!(s.sprites.get(id).unwrap().x, 20.0);
}

fn resizing_the_viewport_keeps_pixel_coordinates<S: Store>() {
    let ctx = common::context();
    let mut s = scene::<S>(&ctx);
    s.sprites.add(s.white(40.0, 12.0).centred()).unwrap();
    let big = RenderTarget::new(ctx.gl(), 2 * SIZE, SIZE).unwrap();
    big.bind();
    s.sprites.set_viewport(2 * SIZE, SIZE).unwrap();
    big.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
    s.sprites.draw().unwrap();
    let pixels = big.read_pixels().unwrap();
    let at_wide = |x, y| common::pixel(&pixels, 2 * SIZE, x, y);
    assert_eq!(at_wide(40, 12), [255, 255, 255, 255]);
    assert_eq!(at_wide(46, 12), CLEAR);
    assert_eq!(at_wide(80, 12), CLEAR);
}

fn a_sprite_scales_and_turns_about_its_anchor<S: Store>() {
    let ctx = common::context();
    let mut s = scene::<S>(&ctx);
    let mut sprite = s.white(32.0, 32.0);
    sprite.anchor = [4.0, 4.0];
    let id = s.sprites.add(sprite).unwrap();
    // Anchored at its centre: the 8x8 square covers 28..36 on both axes.
    let pixels = s.render();
    assert_eq!(at(&pixels, 29, 34), [255, 255, 255, 255]);
    assert_eq!(at(&pixels, 27, 32), CLEAR);

    // Scaled 2x about the centre: 24..40.
    s.sprites.set_scale(id, 2.0, 2.0).unwrap();
    let pixels = s.render();
    assert_eq!(at(&pixels, 25, 38), [255, 255, 255, 255]);
    assert_eq!(at(&pixels, 32, 41), CLEAR);

    // Turned 45 degrees about the centre: a diamond reaching 11.3 px along each axis, so
    // the square's corner region is empty and the axes reach past the square's edges.
    s.sprites.set_rotation(id, 45.0).unwrap();
    let pixels = s.render();
    assert_eq!(
        at(&pixels, 38, 38),
        CLEAR,
        "a corner of the unturned square"
    );
    assert_eq!(
        at(&pixels, 25, 26),
        CLEAR,
        "a corner of the unturned square"
    );
    assert_eq!(at(&pixels, 32, 42), [255, 255, 255, 255]);
    assert_eq!(at(&pixels, 21, 32), [255, 255, 255, 255]);

    // A move keeps the shape: only the position attribute is rewritten.
    s.sprites.set_position(id, 20.0, 20.0).unwrap();
    let pixels = s.render();
    assert_eq!(at(&pixels, 20, 30), [255, 255, 255, 255]);
    assert_eq!(at(&pixels, 26, 26), CLEAR);
    assert_eq!(at(&pixels, 32, 42), CLEAR);
}

/// A scene of sprites in two layers (a nearest and a linear atlas), with every property
/// varied, as the same sprites in a [`Quads`] batch and an [`Instances`] batch. Each sprite
/// has a cell of its own, so the pictures do not depend on the order sprites draw in
/// within a layer (which the stores do not promise to share). `any_angle` turns sprites by
/// any angle, else by quarter turns only.
struct Twins {
    target: RenderTarget,
    quads: SpriteBatch<Quads>,
    instances: SpriteBatch<Instances>,
    /// The same sprite in each batch.
    ids: Vec<(
        vertex_domain::batch::SpriteId,
        vertex_domain::batch::SpriteId,
        usize,
    )>,
    layers: [(GroupId, GroupId); 2],
    regions: Vec<vertex_domain::backend::AtlasRegion>,
    rng: rng::Rng,
    any_angle: bool,
}

/// Side of the twins' target.
const TWIN_SIZE: u32 = 256;
/// Side of a twin sprite's cell: a 16 × 12 region scaled 1.5 and turned about its centre
/// stays inside.
const TWIN_CELL: u32 = 32;
const TWIN_CELLS: usize = ((TWIN_SIZE / TWIN_CELL) * (TWIN_SIZE / TWIN_CELL)) as usize;

impl Twins {
    fn new(ctx: &HeadlessContext, any_angle: bool) -> Twins {
        let target = RenderTarget::new(ctx.gl(), TWIN_SIZE, TWIN_SIZE).unwrap();
        target.bind();
        let nearest = atlas(ctx);
        let mut builder = AtlasBuilder::new();
        let gradient: Vec<u8> = (0..16 * 12)
            .flat_map(|i| {
                [
                    (i % 16 * 16) as u8,
                    (i / 16 * 20) as u8,
                    200,
                    128 + (i % 7) as u8 * 16,
                ]
            })
            .collect();
        builder.add(16, 12, &gradient).unwrap();
        let linear = builder.build(ctx.gl(), TextureFilter::Linear).unwrap();
        let mut quads = Quads::batch(ctx, TWIN_SIZE, TWIN_SIZE);
        let mut instances = Instances::batch(ctx, TWIN_SIZE, TWIN_SIZE);
        let mut layer = |texture: &std::sync::Arc<vertex_domain::backend::Texture>, order| {
            (
                quads.add_layer(texture.clone(), order).unwrap(),
                instances.add_layer(texture.clone(), order).unwrap(),
            )
        };
        let layers = [layer(nearest.texture(), 0), layer(linear.texture(), 1)];
        let mut regions = nearest.regions().to_vec();
        regions.extend(linear.regions());
        Twins {
            target,
            quads,
            instances,
            ids: Vec::new(),
            layers,
            regions,
            rng: rng::Rng(if any_angle { 7 } else { 3 }),
            any_angle,
        }
    }

    /// The centre of a cell, a quarter pixel off the grid, so that no unturned edge
    /// crosses a pixel centre.
    fn centre(cell: usize) -> (f32, f32) {
        let per_row = (TWIN_SIZE / TWIN_CELL) as usize;
        let at = |i: usize| (i as u32 * TWIN_CELL + TWIN_CELL / 2) as f32 + 0.25;
        (at(cell % per_row), at(cell / per_row))
    }

    /// A cell no sprite has.
    fn free_cell(&mut self) -> usize {
        loop {
            let cell = self.rng.below(TWIN_CELLS as u64) as usize;
            if self.ids.iter().all(|&(_, _, c)| c != cell) {
                return cell;
            }
        }
    }

    /// A random sprite in `cell`, anchored about its centre.
    fn sprite(&mut self, which: usize, cell: usize) -> Sprite {
        let r = &mut self.rng;
        let region = self.regions[r.below(3) as usize];
        let layer = if region == self.regions[2] { 1 } else { 0 };
        let layer = if which == 0 {
            self.layers[layer].0
        } else {
            self.layers[layer].1
        };
        let (x, y) = Self::centre(cell);
        let mut sprite = Sprite::new(layer, region, x, y);
        sprite.scale_x = [1.0, 1.5, 0.5][r.below(3) as usize];
        sprite.scale_y = [1.0, 1.5, 0.5][r.below(3) as usize];
        sprite.rotation = if self.any_angle {
            r.range(0.0, 360.0)
        } else {
            90.0 * r.below(4) as f32
        };
        let (w, h) = (region.width as f32, region.height as f32);
        sprite.anchor = [w / 2.0 + r.range(-1.0, 1.0), h / 2.0 + r.range(-1.0, 1.0)];
        sprite.colour = [r.below(256) as u8, r.below(256) as u8, r.below(256) as u8];
        sprite.opacity = [255, 200, 90][r.below(3) as usize];
        sprite.visible = r.below(10) != 0;
        sprite
    }

    /// Adds the same random sprite to both batches.
    fn add(&mut self) {
        let cell = self.free_cell();
        let seed = self.rng.0;
        let quad = self.sprite(0, cell);
        self.rng.0 = seed;
        let instance = self.sprite(1, cell);
        let ids = (
            self.quads.add(quad).unwrap(),
            self.instances.add(instance).unwrap(),
        );
        self.ids.push((ids.0, ids.1, cell));
    }

    /// Both pictures.
    fn render(&mut self) -> (Vec<u8>, Vec<u8>) {
        self.target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        self.quads.draw().unwrap();
        let quads = self.target.read_pixels().unwrap();
        self.target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        self.instances.draw().unwrap();
        (quads, self.target.read_pixels().unwrap())
    }

    /// Asserts the two pictures are identical, byte for byte: the instanced shader does
    /// the 4-vertex store's sums in the same order, so even turned edges and linearly
    /// filtered texels agree.
    fn assert_same(&mut self, what: &str) {
        let (quads, instances) = self.render();
        let lit = quads.chunks(4).filter(|p| p[..3] != [0, 0, 0]).count();
        assert!(lit > 3000, "{what}: only {lit} pixels drawn");
        let differ = (quads.chunks(4).zip(instances.chunks(4)))
            .filter(|(a, b)| a != b)
            .count();
        if differ > 0 {
            let dir = std::env::temp_dir();
            common::write_png(&dir.join("twins-quads.png"), TWIN_SIZE, TWIN_SIZE, &quads);
            common::write_png(
                &dir.join("twins-instances.png"),
                TWIN_SIZE,
                TWIN_SIZE,
                &instances,
            );
        }
        assert_eq!(
            differ,
            0,
            "{what}: pixels of {lit} drawn differ between the stores (pictures in {})",
            std::env::temp_dir().display()
        );
    }

    /// Changes every sprite the same way in both batches: moves, setters, layer changes,
    /// removals and re-adds.
    fn churn(&mut self) {
        for k in (0..self.ids.len()).rev() {
            let (q, i, _) = self.ids[k];
            match self.rng.below(6) {
                0 => {
                    let cell = self.free_cell();
                    let (x, y) = Self::centre(cell);
                    self.quads.set_position(q, x, y).unwrap();
                    self.instances.set_position(i, x, y).unwrap();
                    self.ids[k].2 = cell;
                }
                1 => {
                    let angle = if self.any_angle {
                        self.rng.range(0.0, 360.0)
                    } else {
                        270.0
                    };
                    self.quads.set_rotation(q, angle).unwrap();
                    self.instances.set_rotation(i, angle).unwrap();
                    self.quads.set_scale(q, 1.5, 0.5).unwrap();
                    self.instances.set_scale(i, 1.5, 0.5).unwrap();
                }
                2 => {
                    self.quads.set_colour(q, [10, 200, 30]).unwrap();
                    self.instances.set_colour(i, [10, 200, 30]).unwrap();
                    self.quads.set_opacity(q, 128).unwrap();
                    self.instances.set_opacity(i, 128).unwrap();
                }
                3 => {
                    let region = self.regions[1];
                    let (layer_q, layer_i) = self.layers[0];
                    self.quads
                        .update(q, |s| (s.region, s.layer) = (region, layer_q))
                        .unwrap();
                    self.instances
                        .update(i, |s| (s.region, s.layer) = (region, layer_i))
                        .unwrap();
                }
                4 => {
                    self.quads.remove(q).unwrap();
                    self.instances.remove(i).unwrap();
                    self.ids.swap_remove(k);
                }
                _ => {
                    let visible = self.rng.below(2) == 0;
                    self.quads.set_visible(q, visible).unwrap();
                    self.instances.set_visible(i, visible).unwrap();
                }
            }
        }
        while self.ids.len() < 56 {
            self.add();
        }
    }
}

fn instanced_sprites_draw_the_pictures_of_quads(ctx: &HeadlessContext) {
    let mut twins = Twins::new(ctx, false);
    for _ in 0..48 {
        twins.add();
    }
    twins.assert_same("quarter turns");
    twins.churn();
    twins.assert_same("quarter turns, after churn");
}

fn instanced_sprites_draw_the_pictures_of_quads_at_any_angle(ctx: &HeadlessContext) {
    let mut twins = Twins::new(ctx, true);
    for _ in 0..48 {
        twins.add();
    }
    twins.assert_same("any angle");
    twins.churn();
    twins.assert_same("any angle, after churn");
}

fn a_refused_z_leaves_the_sprite_as_it_was<S: Store>() {
    let ctx = common::context();
    let mut s = scene::<S>(&ctx);
    let id = s.sprites.add(s.white(10.0, 10.0)).unwrap();
    let before = s.render();
    // A layer without a draw order refuses a z; the move in the same call must not happen
    // either.
    s.sprites.batch_mut().set_ordered(s.layer, false).unwrap();
    let error = s
        .sprites
        .update(id, |sprite| {
            (sprite.x, sprite.z) = (30.0, 2.0);
        })
        .unwrap_err();
    assert!(matches!(error, BatchError::Domain(_)), "{error}");
    let sprite = s.sprites.get(id).unwrap();
    assert_eq!((sprite.x, sprite.z), (10.0, 0.0));
    assert_eq!(s.render(), before);
}

common::on_gl_core_and_gles3!(
    instanced_sprites_draw_the_pictures_of_quads,
    instanced_sprites_draw_the_pictures_of_quads_at_any_angle,
);

for_both_stores!(
    a_sprite_draws_its_region_upright_where_it_is,
    setters_move_tint_scale_rotate_and_hide_a_sprite,
    changing_one_sprite_rewrites_only_its_own_data,
    a_removed_sprite_is_gone_and_its_id_is_refused,
    a_hidden_layer_hides_its_sprites_and_layers_draw_by_order,
    sprites_draw_the_same_on_gles3,
    a_sprite_scales_and_turns_about_its_anchor,
    set_transform_places_turns_and_scales_in_one_write,
    a_centred_sprite_is_placed_and_anchored_at_its_middle,
    the_camera_pans_and_zooms_without_rewriting_a_vertex,
    resizing_the_viewport_keeps_pixel_coordinates,
    a_refused_z_leaves_the_sprite_as_it_was,
);
