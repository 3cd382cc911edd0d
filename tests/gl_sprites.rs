//! Sprites on a real headless GL context: where they draw, what each setter changes on
//! screen, that a setter rewrites only its own sprite's bytes, and removal.

mod common;

use vertex_domain::backend::{AtlasBuilder, RenderTarget, TextureAtlas, TextureFilter};
use vertex_domain::batch::{BatchError, GroupId, Sprite, SpriteBatch};
use vertex_domain::headless::HeadlessContext;

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
    builder
        .build(ctx.gl().clone(), TextureFilter::Nearest)
        .unwrap()
}

struct Scene {
    target: RenderTarget,
    sprites: SpriteBatch,
    layer: GroupId,
    atlas: TextureAtlas,
}

fn scene(ctx: &HeadlessContext) -> Scene {
    let target = RenderTarget::new(ctx.gl().clone(), SIZE, SIZE).unwrap();
    target.bind();
    let atlas = atlas(ctx);
    let mut sprites = SpriteBatch::new(ctx.gl(), *ctx.multi_draw(), SIZE, SIZE).unwrap();
    let layer = sprites.add_layer(atlas.texture().clone(), 0).unwrap();
    Scene {
        target,
        sprites,
        layer,
        atlas,
    }
}

impl Scene {
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

#[test]
fn a_sprite_draws_its_region_upright_where_it_is() {
    let ctx = common::context();
    let mut s = scene(&ctx);
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

#[test]
fn setters_move_tint_scale_rotate_and_hide_a_sprite() {
    let ctx = common::context();
    let mut s = scene(&ctx);
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

#[test]
fn changing_one_sprite_rewrites_only_its_own_vertices() {
    let ctx = common::context();
    let mut s = scene(&ctx);
    let ids: Vec<_> = (0..100)
        .map(|i| s.sprites.add(s.white(i as f32, 0.0)).unwrap())
        .collect();
    s.sprites.batch_mut().flush().unwrap();
    let before = s.sprites.batch().buffer_stats().uploaded_bytes;
    s.sprites.set_position(ids[42], 5.0, 5.0).unwrap();
    s.sprites.batch_mut().flush().unwrap();
    let moved = s.sprites.batch().buffer_stats().uploaded_bytes;
    assert_eq!(moved - before, 4 * 2 * 4, "4 vertices of 2 floats");
    s.sprites.set_colour(ids[7], [1, 2, 3]).unwrap();
    s.sprites.batch_mut().flush().unwrap();
    let tinted = s.sprites.batch().buffer_stats().uploaded_bytes;
    assert_eq!(tinted - moved, 4 * 4, "4 vertices of 4 bytes");
}

#[test]
fn a_removed_sprite_is_gone_and_its_id_is_refused() {
    let ctx = common::context();
    let mut s = scene(&ctx);
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

#[test]
fn a_hidden_layer_hides_its_sprites_and_layers_draw_by_order() {
    let ctx = common::context();
    let mut s = scene(&ctx);
    let top = s.sprites.add_layer(s.atlas.texture().clone(), 1).unwrap();
    s.sprites.add(s.white(8.0, 8.0)).unwrap();
    let mut red = Sprite::new(top, s.atlas.regions()[1], 8.0, 8.0);
    red.colour = [255, 255, 255];
    s.sprites.add(red).unwrap();
    assert_eq!(at(&s.render(), 12, 14), [255, 0, 0, 255]);
    s.sprites.set_layer_visible(top, false).unwrap();
    assert_eq!(at(&s.render(), 12, 14), [255, 255, 255, 255]);
}

#[test]
fn sprites_draw_the_same_on_gles3() {
    let ctx = common::context_gles();
    let mut s = scene(&ctx);
    s.sprites.add(s.white(8.0, 8.0)).unwrap();
    assert_eq!(at(&s.render(), 12, 12), [255, 255, 255, 255]);
}

#[test]
fn a_sprite_scales_and_turns_about_its_anchor() {
    let ctx = common::context();
    let mut s = scene(&ctx);
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
