//! Sprite layers' blend modes on a real headless GL context, for both sprite stores: each
//! mode's arithmetic in pixels, and the premultiplied atlas that leaves no dark fringe where
//! linear filtering meets transparent padding.

mod common;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::sync::Arc;

use vertex_domain::backend::{AlphaMode, AtlasBuilder, RenderTarget, TextureAtlas, TextureFilter};
use vertex_domain::batch::{Blend, Instances, Sprite, SpriteBatch, SpriteStore};
use vertex_domain::headless::HeadlessContext;

const SIZE: u32 = 64;

type Make<S> =
    fn(&Arc<glow::Context>, vertex_domain::backend::MultiDraw, u32, u32) -> SpriteBatch<S>;

fn quads(
    gl: &Arc<glow::Context>,
    md: vertex_domain::backend::MultiDraw,
    w: u32,
    h: u32,
) -> SpriteBatch {
    SpriteBatch::new(gl, md, w, h).unwrap()
}

fn instanced(
    gl: &Arc<glow::Context>,
    md: vertex_domain::backend::MultiDraw,
    w: u32,
    h: u32,
) -> SpriteBatch<Instances> {
    SpriteBatch::instanced(gl, md, w, h).unwrap()
}

/// Draws an opaque white square tinted `colour` at `opacity` with `blend` over a grey
/// `clear` background, and returns the pixel at its centre.
fn blended<S: SpriteStore>(
    ctx: &HeadlessContext,
    make: Make<S>,
    blend: Blend,
    clear: f32,
    (colour, opacity): ([u8; 3], u8),
) -> [u8; 4] {
    let target = RenderTarget::new(ctx.gl(), SIZE, SIZE).unwrap();
    target.bind();
    let mut builder = AtlasBuilder::new();
    builder.add(4, 4, &[255u8; 64]).unwrap();
    let atlas = builder.build(ctx.gl(), TextureFilter::Nearest).unwrap();
    let mut sprites = make(ctx.gl(), ctx.multi_draw(), SIZE, SIZE);
    let layer = sprites
        .add_blended_layer(atlas.texture().clone(), 0, blend)
        .unwrap();
    assert_eq!(sprites.layer_blend(layer), Ok(blend));
    let mut sprite = Sprite::new(layer, atlas.regions()[0], 32.0, 32.0).centred();
    (sprite.scale_x, sprite.scale_y) = (8.0, 8.0);
    (sprite.colour, sprite.opacity) = (colour, opacity);
    sprites.add(sprite).unwrap();
    target.clear([clear, clear, clear, 1.0]).unwrap();
    sprites.draw().unwrap();
    common::pixel(&target.read_pixels().unwrap(), SIZE, 32, 32)
}

fn close(got: [u8; 4], want: u8) -> bool {
    got[..3].iter().all(|&c| c.abs_diff(want) <= 1)
}

fn each_blend_mode_does_its_arithmetic<S: SpriteStore>(make: Make<S>) {
    let ctx = common::context();
    // Half-opaque white over black: half grey, by either alpha mode.
    let alpha = blended(&ctx, make, Blend::Alpha, 0.0, ([255; 3], 128));
    assert!(close(alpha, 128), "premultiplied over: {alpha:?}");
    let straight = blended(&ctx, make, Blend::StraightAlpha, 0.0, ([255; 3], 128));
    assert!(close(straight, 128), "straight over: {straight:?}");
    // Grey 128 added to grey 51.
    let add = blended(&ctx, make, Blend::Additive, 0.2, ([128; 3], 255));
    assert!(close(add, 179), "additive: 51 + 128, got {add:?}");
    // Grey 204 multiplied by grey 128.
    let multiply = blended(&ctx, make, Blend::Multiply, 0.8, ([128; 3], 255));
    assert!(
        close(multiply, 102),
        "multiply: 204 * 128 / 255, got {multiply:?}"
    );
}

#[test]
fn each_blend_mode_does_its_arithmetic_on_quads() {
    each_blend_mode_does_its_arithmetic(quads);
}

#[test]
fn each_blend_mode_does_its_arithmetic_on_instances() {
    each_blend_mode_does_its_arithmetic(instanced);
}

/// An 8x8 image: an opaque red 4x4 square inside a transparent black border.
fn red_in_a_clear_border(builder: AtlasBuilder) -> AtlasBuilder {
    let mut builder = builder;
    let pixels: Vec<u8> = (0..64)
        .flat_map(|i| {
            let (x, y) = (i % 8, i / 8);
            if (2..6).contains(&x) && (2..6).contains(&y) {
                [255, 0, 0, 255]
            } else {
                [0, 0, 0, 0]
            }
        })
        .collect();
    builder.add(8, 8, &pixels).unwrap();
    builder
}

/// Draws the red square magnified 6 times with linear filtering over white, and returns
/// the lowest red channel of any pixel and how many pixels are neither white nor red.
fn fringe<S: SpriteStore>(
    ctx: &HeadlessContext,
    make: Make<S>,
    atlas: &TextureAtlas,
    blend: Blend,
) -> (u8, usize) {
    let target = RenderTarget::new(ctx.gl(), SIZE, SIZE).unwrap();
    target.bind();
    let mut sprites = make(ctx.gl(), ctx.multi_draw(), SIZE, SIZE);
    let layer = sprites
        .add_blended_layer(atlas.texture().clone(), 0, blend)
        .unwrap();
    let mut sprite = Sprite::new(layer, atlas.regions()[0], 32.0, 32.0).centred();
    (sprite.scale_x, sprite.scale_y) = (6.0, 6.0);
    sprites.add(sprite).unwrap();
    target.clear([1.0, 1.0, 1.0, 1.0]).unwrap();
    sprites.draw().unwrap();
    let pixels = target.read_pixels().unwrap();
    let lowest_red = pixels.chunks_exact(4).map(|p| p[0]).min().unwrap();
    let edge = pixels
        .chunks_exact(4)
        .filter(|p| p[1] > 8 && p[1] < 247)
        .count();
    (lowest_red, edge)
}

fn a_premultiplied_atlas_leaves_no_dark_fringe<S: SpriteStore>(make: Make<S>) {
    let ctx = common::context();
    let premultiplied = red_in_a_clear_border(AtlasBuilder::new())
        .build(ctx.gl(), TextureFilter::Linear)
        .unwrap();
    assert_eq!(premultiplied.texture().alpha(), AlphaMode::Premultiplied);
    let (red, edge) = fringe(&ctx, make, &premultiplied, Blend::Alpha);
    assert!(edge > 20, "the magnified edge blends over {edge} pixels");
    assert!(
        red >= 253,
        "red over white never darkens the red channel; lowest {red}"
    );

    // The same image kept straight and blended the straight way darkens its edge: t red
    // over white gives 1 - t + t² red, down to 0.75 halfway.
    let straight = red_in_a_clear_border(AtlasBuilder::new().straight_alpha())
        .build(ctx.gl(), TextureFilter::Linear)
        .unwrap();
    assert_eq!(straight.texture().alpha(), AlphaMode::Straight);
    let (red, _) = fringe(&ctx, make, &straight, Blend::StraightAlpha);
    assert!(red < 215, "the straight edge darkens to {red}");
}

#[test]
fn a_premultiplied_atlas_leaves_no_dark_fringe_on_quads() {
    a_premultiplied_atlas_leaves_no_dark_fringe(quads);
}

#[test]
fn a_premultiplied_atlas_leaves_no_dark_fringe_on_instances() {
    a_premultiplied_atlas_leaves_no_dark_fringe(instanced);
}

#[test]
fn a_layer_changes_its_blend_mode_and_a_foreign_group_has_none() {
    let ctx = common::context();
    let target = RenderTarget::new(ctx.gl(), SIZE, SIZE).unwrap();
    target.bind();
    let mut builder = AtlasBuilder::new();
    builder.add(4, 4, &[255u8; 64]).unwrap();
    let atlas = builder.build(ctx.gl(), TextureFilter::Nearest).unwrap();
    let mut sprites = quads(ctx.gl(), ctx.multi_draw(), SIZE, SIZE);
    let layer = sprites.add_layer(atlas.texture().clone(), 0).unwrap();
    assert_eq!(sprites.layer_blend(layer), Ok(Blend::Alpha));
    sprites.set_layer_blend(layer, Blend::Additive).unwrap();
    assert_eq!(sprites.layer_blend(layer), Ok(Blend::Additive));
    let mut sprite = Sprite::new(layer, atlas.regions()[0], 32.0, 32.0).centred();
    (sprite.scale_x, sprite.scale_y, sprite.colour) = (8.0, 8.0, [100, 100, 100]);
    sprites.add(sprite).unwrap();
    target.clear([0.2, 0.2, 0.2, 1.0]).unwrap();
    sprites.draw().unwrap();
    let centre = common::pixel(&target.read_pixels().unwrap(), SIZE, 32, 32);
    assert!(close(centre, 151), "51 + 100 added, got {centre:?}");
    let root = sprites.batch_mut().add_group(
        vertex_domain::batch::StateGroup::new(|_| Ok(()), |_| Ok(())),
        0,
        None,
    );
    let root = root.unwrap();
    assert!(sprites.set_layer_blend(root, Blend::Multiply).is_err());
    assert!(sprites.layer_blend(root).is_err());
}
