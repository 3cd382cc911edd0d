//! Layers' blend modes on a real headless GL context, for sprites in a mixed layer and
//! particles in a particle layer of a [`Scene`]: each mode's arithmetic in pixels, and the
//! premultiplied atlas (images premultiplied as they are added, filtered linearly) that
//! leaves no fringe where filtering meets transparent texels. GL core and GLES 3
//! natively, WebGL2 in the browser.

mod common;

use vertex_domain::backend::RenderTarget;
use vertex_domain::headless::HeadlessContext;
use vertex_domain::scene::{Blend, Image, Item, Particle, Pictured, Scene, SceneError, Sprite};

const SIZE: u32 = 64;

/// Which kind shows the image.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Sprite,
    Particle,
}

/// A scene over a `SIZE` square target.
struct Frame {
    target: RenderTarget,
    scene: Scene,
}

impl Frame {
    fn new(ctx: &HeadlessContext) -> Frame {
        Frame {
            target: RenderTarget::new(ctx.gl(), SIZE, SIZE).unwrap(),
            scene: Scene::new(ctx.gl(), ctx.multi_draw(), SIZE, SIZE).unwrap(),
        }
    }

    /// Adds `image` centred in the target, scaled `scale`, tinted `colour` at `opacity`,
    /// as `kind` in a new layer blending by `blend`.
    fn add(&mut self, kind: Kind, image: Image, scale: f32, blend: Blend, look: ([u8; 3], u8)) {
        let s = &mut self.scene;
        let (colour, opacity) = look;
        match kind {
            Kind::Sprite => {
                let layer = s.add_layer(0).unwrap();
                s.set_layer_blend(layer, blend).unwrap();
                assert_eq!(s.layer_blend(layer), Ok(blend));
                let sprite = Sprite::new(layer, image, 32.0, 32.0).centred();
                let sprite = sprite.scaled(scale, scale).with_colour(colour);
                s.add(sprite.with_opacity(opacity)).unwrap();
            }
            Kind::Particle => {
                let layer = s.add_particle_layer(0).unwrap();
                s.set_layer_blend(layer, blend).unwrap();
                assert_eq!(s.layer_blend(layer), Ok(blend));
                let particle = Particle::new(layer, image, 32.0, 32.0).centred();
                let particle = particle.scaled(scale, scale).with_colour(colour);
                s.add(particle.with_opacity(opacity)).unwrap();
            }
        }
    }

    /// Draws over a grey `clear`; the pixels.
    fn draw(&mut self, clear: f32) -> Vec<u8> {
        self.target.bind();
        self.target.clear([clear, clear, clear, 1.0]).unwrap();
        self.scene.draw().unwrap();
        self.target.read_pixels().unwrap()
    }
}

/// Draws an opaque white square tinted `colour` at `opacity` with `blend` over a grey
/// `clear` background, and returns the pixel at its centre.
fn blended(
    ctx: &HeadlessContext,
    kind: Kind,
    blend: Blend,
    clear: f32,
    look: ([u8; 3], u8),
) -> [u8; 4] {
    let mut f = Frame::new(ctx);
    let white = f.scene.add_image(4, 4, &[255; 64]).unwrap();
    f.add(kind, white, 8.0, blend, look);
    common::pixel(&f.draw(clear), SIZE, 32, 32)
}

fn close(got: [u8; 4], want: u8) -> bool {
    got[..3].iter().all(|&c| c.abs_diff(want) <= 1)
}

fn each_blend_mode_does_its_arithmetic(ctx: &HeadlessContext, kind: Kind) {
    // Half-opaque white over black: half grey, by either alpha mode.
    let alpha = blended(ctx, kind, Blend::Alpha, 0.0, ([255; 3], 128));
    assert!(close(alpha, 128), "premultiplied over: {alpha:?}");
    let straight = blended(ctx, kind, Blend::StraightAlpha, 0.0, ([255; 3], 128));
    assert!(close(straight, 128), "straight over: {straight:?}");
    // Half-opaque grey 200 over grey 51: 100 + 26 by either alpha mode.
    let alpha = blended(ctx, kind, Blend::Alpha, 0.2, ([200; 3], 128));
    assert!(close(alpha, 126), "premultiplied over grey: {alpha:?}");
    let straight = blended(ctx, kind, Blend::StraightAlpha, 0.2, ([200; 3], 128));
    assert!(close(straight, 126), "straight over grey: {straight:?}");
    // Grey 128 added to grey 51.
    let add = blended(ctx, kind, Blend::Additive, 0.2, ([128; 3], 255));
    assert!(close(add, 179), "additive: 51 + 128, got {add:?}");
    // Grey 204 multiplied by grey 128.
    let multiply = blended(ctx, kind, Blend::Multiply, 0.8, ([128; 3], 255));
    assert!(
        close(multiply, 102),
        "multiply: 204 * 128 / 255, got {multiply:?}"
    );
}

fn each_blend_mode_does_its_arithmetic_on_sprites(ctx: &HeadlessContext) {
    each_blend_mode_does_its_arithmetic(ctx, Kind::Sprite);
}

fn each_blend_mode_does_its_arithmetic_on_particles(ctx: &HeadlessContext) {
    each_blend_mode_does_its_arithmetic(ctx, Kind::Particle);
}

/// An 8x8 image: an opaque red 4x4 square inside a transparent border whose texels carry
/// `border`'s colour (straight alpha, as image files store them).
fn red_in_a_clear_border(border: [u8; 3]) -> Vec<u8> {
    (0..64)
        .flat_map(|i| {
            let (x, y) = (i % 8, i / 8);
            if (2..6).contains(&x) && (2..6).contains(&y) {
                [255, 0, 0, 255]
            } else {
                [border[0], border[1], border[2], 0]
            }
        })
        .collect()
}

/// Draws the red square with a `border` magnified 6 times with linear filtering, by
/// `blend`, over a grey `clear`; the pixels.
fn magnified(
    ctx: &HeadlessContext,
    kind: Kind,
    border: [u8; 3],
    blend: Blend,
    clear: f32,
) -> Vec<u8> {
    let mut f = Frame::new(ctx);
    let image = f.scene.add_image(8, 8, &red_in_a_clear_border(border));
    f.add(kind, image.unwrap(), 6.0, blend, ([255; 3], 255));
    f.draw(clear)
}

/// How many pixels are neither background nor red: the magnified, filtered edge.
fn edge(pixels: &[u8]) -> usize {
    pixels
        .chunks_exact(4)
        .filter(|p| (9..247).contains(&p[1]) || (9..247).contains(&p[0]))
        .count()
}

fn a_premultiplied_atlas_leaves_no_fringe(ctx: &HeadlessContext, kind: Kind) {
    // Over white, a transparent black border: red over white never darkens the red
    // channel, by either alpha mode (a straight layer divides the filtered, premultiplied
    // texel by its alpha).
    for blend in [Blend::Alpha, Blend::StraightAlpha] {
        let pixels = magnified(ctx, kind, [0, 0, 0], blend, 1.0);
        assert!(
            edge(&pixels) > 20,
            "{blend:?}: the magnified edge blends over {} pixels",
            edge(&pixels)
        );
        let lowest_red = pixels.chunks_exact(4).map(|p| p[0]).min().unwrap();
        assert!(lowest_red >= 253, "{blend:?}: lowest red {lowest_red}");
    }
    // Over black, a transparent white border: the image is premultiplied as it is added,
    // so its invisible white never bleeds in (kept straight, filtering would mix up to half
    // white into the edge, lighting green and blue).
    for blend in [Blend::Alpha, Blend::StraightAlpha] {
        let pixels = magnified(ctx, kind, [255, 255, 255], blend, 0.0);
        assert!(edge(&pixels) > 20, "{blend:?}: no edge");
        let brightest = (pixels.chunks_exact(4))
            .map(|p| p[1].max(p[2]))
            .max()
            .unwrap();
        assert!(brightest <= 2, "{blend:?}: the border bleeds {brightest}");
    }
}

fn a_premultiplied_atlas_leaves_no_fringe_on_sprites(ctx: &HeadlessContext) {
    a_premultiplied_atlas_leaves_no_fringe(ctx, Kind::Sprite);
}

fn a_premultiplied_atlas_leaves_no_fringe_on_particles(ctx: &HeadlessContext) {
    a_premultiplied_atlas_leaves_no_fringe(ctx, Kind::Particle);
}

fn a_layer_changes_its_blend_mode_and_another_scenes_layer_has_none(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let white = f.scene.add_image(4, 4, &[255; 64]).unwrap();
    let layer = f.scene.add_layer(0).unwrap();
    let sparks = f.scene.add_particle_layer(1).unwrap();
    assert_eq!(f.scene.layer_blend(layer), Ok(Blend::Alpha));
    assert_eq!(f.scene.layer_blend(sparks), Ok(Blend::Alpha));
    let sprite = Sprite::new(layer, white, 32.0, 32.0).centred();
    let sprite = sprite.scaled(8.0, 8.0).with_colour([100, 100, 100]);
    f.scene.add(sprite).unwrap();
    let spark = Particle::new(sparks, white, 10.0, 10.0).centred();
    let spark = spark.scaled(4.0, 4.0).with_colour([60, 60, 60]);
    f.scene.add(spark).unwrap();
    let pixels = f.draw(0.2);
    let at = |x, y| common::pixel(&pixels, SIZE, x, y);
    assert!(close(at(32, 32), 100), "over, got {:?}", at(32, 32));
    assert!(close(at(10, 10), 60), "over, got {:?}", at(10, 10));

    // Changed after items were added: from the next draw on, and each layer alone.
    f.scene.set_layer_blend(layer, Blend::Additive).unwrap();
    assert_eq!(f.scene.layer_blend(layer), Ok(Blend::Additive));
    assert_eq!(f.scene.layer_blend(sparks), Ok(Blend::Alpha));
    let pixels = f.draw(0.2);
    let at = |x, y| common::pixel(&pixels, SIZE, x, y);
    assert!(
        close(at(32, 32), 151),
        "51 + 100 added, got {:?}",
        at(32, 32)
    );
    assert!(close(at(10, 10), 60), "still over, got {:?}", at(10, 10));
    f.scene.set_layer_blend(sparks, Blend::Additive).unwrap();
    let pixels = f.draw(0.2);
    assert!(close(common::pixel(&pixels, SIZE, 10, 10), 111), "51 + 60");

    // Another scene's layers are refused, and this scene's keep their modes.
    let mut other = Scene::new(ctx.gl(), ctx.multi_draw(), SIZE, SIZE).unwrap();
    let (foreign, foreign_sparks) = (
        other.add_layer(0).unwrap(),
        other.add_particle_layer(1).unwrap(),
    );
    let refused = Err(SceneError::UnknownLayer);
    assert_eq!(f.scene.set_layer_blend(foreign, Blend::Multiply), refused);
    assert_eq!(f.scene.layer_blend(foreign), Err(SceneError::UnknownLayer));
    let multiply = f.scene.set_layer_blend(foreign_sparks, Blend::Multiply);
    assert_eq!(multiply, refused);
    assert_eq!(other.layer_blend(foreign), Ok(Blend::Alpha));
    assert_eq!(f.scene.layer_blend(layer), Ok(Blend::Additive));
}

common::on_gl_core_and_gles3!(
    each_blend_mode_does_its_arithmetic_on_sprites,
    each_blend_mode_does_its_arithmetic_on_particles,
    a_premultiplied_atlas_leaves_no_fringe_on_sprites,
    a_premultiplied_atlas_leaves_no_fringe_on_particles,
    a_layer_changes_its_blend_mode_and_another_scenes_layer_has_none,
);
