//! HiDPI: one scene drawn at scale factor 1 into a framebuffer the size of its viewport, and
//! at scale factor 2 into one twice as large each way. Game coordinates stay logical, so the
//! second picture is the first at twice the resolution; text is rasterised at the device
//! size, so its ink covers four times the pixels and stays inside its (logical) bounds.
//! Runs on GL core and GLES 3 natively, and on WebGL2 in the browser.

mod common;

use vertex_domain::backend::fault::{self, Site};
use vertex_domain::backend::RenderTarget;
// `SceneError::Text` wraps it; the scene does not re-export it.
use vertex_domain::headless::HeadlessContext;
use vertex_domain::scene::TextError;
use vertex_domain::scene::{
    Font, Item, Label, LabelId, Scene, SceneError, Shape, ShapeKind, Sprite, MAX_SCALE_FACTOR,
};

/// The viewport, in logical pixels.
const W: u32 = 96;
const H: u32 = 64;
const TEXT: [u8; 3] = [255, 255, 0];
const RED: [u8; 4] = [200, 30, 30, 255];
/// The sprites' bottom left corners; each is 8 pixels square.
const SPRITES: [(u32, u32); 3] = [(4, 4), (20, 8), (70, 40)];

/// The scene at `scale` device pixels per logical pixel: its pixels (bottom-up RGBA8, of
/// `W * scale` by `H * scale`), the label's logical bounds, and the scene.
struct Drawn {
    pixels: Vec<u8>,
    bounds: [f32; 4],
    scene: Scene,
    label: LabelId,
    target: RenderTarget,
}

/// Sprites, a shape and a label in one mixed layer, the label on top.
fn scene(ctx: &HeadlessContext, scale: u32) -> Drawn {
    let gl = ctx.gl();
    let target = RenderTarget::new(gl, W * scale, H * scale).unwrap();
    target.bind();
    let mut scene = Scene::new(gl, ctx.multi_draw(), W, H).unwrap();
    scene.set_scale_factor(scale as f32).unwrap();
    let image = scene.add_image(8, 8, &RED.repeat(64)).unwrap();
    let layer = scene.add_layer(0).unwrap();
    for (x, y) in SPRITES {
        let sprite = Sprite::new(layer, image, x as f32, y as f32);
        scene.add(sprite).unwrap();
    }
    let rectangle = ShapeKind::Rectangle {
        width: 24.0,
        height: 10.0,
    };
    let shape = Shape::new(layer, rectangle, 40.0, 6.0).with_colour([30, 200, 60]);
    scene.add(shape.at_z(1.0)).unwrap();
    let label = Label::new(layer, "Hi 42", &Font::default_font(), 16.0, 6.0, 36.0);
    let label = scene.add(label.with_colour(TEXT).at_z(2.0)).unwrap();
    target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
    scene.draw().unwrap();
    Drawn {
        pixels: target.read_pixels().unwrap(),
        bounds: scene.bounds(label).unwrap(),
        scene,
        label,
        target,
    }
}

/// Whether pixel `p` shows the label's colour (any of its antialiased edge counts).
fn is_text(p: [u8; 4]) -> bool {
    p[0] > 60 && p[1] > 60 && p[2] < 40 && p[0].abs_diff(p[1]) < 40
}

fn a_scene_at_scale_2_is_the_scene_at_scale_1_at_twice_the_resolution(ctx: &HeadlessContext) {
    let one = scene(ctx, 1);
    let two = scene(ctx, 2);
    // Logical bounds do not depend on the scale (up to the rounding of pen positions to
    // whole device pixels, half a logical pixel at scale 2).
    for (a, b) in one.bounds.iter().zip(two.bounds) {
        assert!(
            (a - b).abs() <= 1.0,
            "{:?} against {:?}",
            one.bounds,
            two.bounds
        );
    }
    // At scale 1, each sprite at whole pixels shows its texels exactly, edges included.
    for (x0, y0) in SPRITES {
        for (x, y) in (x0..x0 + 8).flat_map(|x| (y0..y0 + 8).map(move |y| (x, y))) {
            assert_eq!(common::pixel(&one.pixels, W, x, y), RED, "({x}, {y})");
        }
    }
    // Every 2x2 block of the second picture averages to the first's pixel, away from the
    // label (whose glyphs are rasterised afresh at twice the size) and from the sprites'
    // outermost pixels (where the magnified image's linear filtering reaches the atlas's
    // transparent padding, a quarter texel in).
    let [l, b, r, t] = one.bounds;
    let near_text = |x: u32, y: u32| {
        (x as f32) >= l - 2.0
            && (x as f32) <= r + 2.0
            && (y as f32) >= b - 2.0
            && (y as f32) <= t + 2.0
    };
    let on_a_sprite_edge = |x: u32, y: u32| {
        SPRITES.iter().any(|&(x0, y0)| {
            let inside = (x0..x0 + 8).contains(&x) && (y0..y0 + 8).contains(&y);
            inside && (x == x0 || x == x0 + 7 || y == y0 || y == y0 + 7)
        })
    };
    let mut compared = 0;
    for y in 0..H {
        for x in 0..W {
            if near_text(x, y) || on_a_sprite_edge(x, y) {
                continue;
            }
            let p1 = common::pixel(&one.pixels, W, x, y);
            let mut sum = [0u32; 4];
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let p = common::pixel(&two.pixels, 2 * W, 2 * x + dx, 2 * y + dy);
                for c in 0..4 {
                    sum[c] += u32::from(p[c]);
                }
            }
            for c in 0..4 {
                let mean = (sum[c] + 2) / 4;
                assert!(
                    mean.abs_diff(u32::from(p1[c])) <= 2,
                    "pixel ({x}, {y}): {p1:?} at scale 1, 2x2 mean {sum:?}/4 at scale 2"
                );
            }
            compared += 1;
        }
    }
    assert!(
        compared > (W * H) as usize / 2,
        "compared only {compared} pixels"
    );
    // The scene is really there: sprite red and shape green at both scales.
    for drawn in [&one, &two] {
        let px = drawn.pixels.chunks_exact(4);
        assert!(px.clone().any(|p| p == RED), "no sprite");
        assert!(px.clone().any(|p| p == [30, 200, 60, 255]), "no shape");
    }
    // Text ink stays inside its bounds, in device pixels, and covers about four times the
    // pixels at scale 2: glyphs rasterised at 32 px, not 16 px magnified.
    let mut ink = [0usize; 2];
    for (i, (drawn, s)) in [(&one, 1u32), (&two, 2)].into_iter().enumerate() {
        let [l, b, r, t] = drawn.bounds.map(|v| v * s as f32);
        for y in 0..H * s {
            for x in 0..W * s {
                if is_text(common::pixel(&drawn.pixels, W * s, x, y)) {
                    ink[i] += 1;
                    let inside = (x as f32) >= l - 1.0
                        && (x as f32) < r + 1.0
                        && (y as f32) >= b - 1.0
                        && (y as f32) < t + 1.0;
                    assert!(
                        inside,
                        "scale {s}: ink at ({x}, {y}) outside {:?}",
                        [l, b, r, t]
                    );
                }
            }
        }
    }
    let ratio = ink[1] as f64 / ink[0].max(1) as f64;
    assert!((3.0..5.5).contains(&ratio), "ink {ink:?}: ratio {ratio}");
    // Sharp, not magnified: at scale 2 the 16 px label draws exactly what a 32 px label
    // draws at scale 1 in a viewport of device pixels, at twice its position.
    let gl = ctx.gl();
    let target = RenderTarget::new(gl, 2 * W, 2 * H).unwrap();
    target.bind();
    let mut big = Scene::new(gl, ctx.multi_draw(), 2 * W, 2 * H).unwrap();
    let layer = big.add_layer(0).unwrap();
    let label = Label::new(layer, "Hi 42", &Font::default_font(), 32.0, 12.0, 72.0);
    big.add(label.with_colour(TEXT)).unwrap();
    target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
    big.draw().unwrap();
    let reference = target.read_pixels().unwrap();
    let [l, b, r, t] = two.bounds.map(|v| v * 2.0);
    let mut text_pixels = 0;
    for y in (b.floor() as u32)..(t.ceil() as u32).min(2 * H) {
        for x in (l.floor() as u32)..(r.ceil() as u32).min(2 * W) {
            let (ours, theirs) = (
                common::pixel(&two.pixels, 2 * W, x, y),
                common::pixel(&reference, 2 * W, x, y),
            );
            assert_eq!(ours, theirs, "({x}, {y}): scale 2 against a 32 px label");
            text_pixels += usize::from(is_text(ours));
        }
    }
    assert!(text_pixels > 100, "only {text_pixels} text pixels compared");
}

fn a_bad_scale_factor_is_refused_and_changes_nothing(ctx: &HeadlessContext) {
    let mut drawn = scene(ctx, 1);
    for bad in [0.0, -1.0, f32::NAN, f32::INFINITY, MAX_SCALE_FACTOR * 2.0] {
        match drawn.scene.set_scale_factor(bad) {
            Err(SceneError::Text(TextError::ScaleFactor(_))) => {}
            other => panic!("scale {bad}: {other:?}"),
        }
        assert_eq!(drawn.scene.scale_factor(), 1.0);
    }
    assert_eq!(drawn.scene.bounds(drawn.label).unwrap(), drawn.bounds);
    drawn.target.bind();
    drawn.target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
    drawn.scene.draw().unwrap();
    assert!(
        drawn.target.read_pixels().unwrap() == drawn.pixels,
        "the picture changed"
    );
}

fn changing_the_scale_factor_lays_labels_out_again_as_if_made_at_it(ctx: &HeadlessContext) {
    // A scene made at scale 1, then switched to 2, draws what one made at 2 draws.
    let two = scene(ctx, 2);
    let mut switched = scene(ctx, 1);
    let target = RenderTarget::new(ctx.gl(), 2 * W, 2 * H).unwrap();
    target.bind();
    switched.scene.set_scale_factor(2.0).unwrap();
    assert_eq!(switched.scene.scale_factor(), 2.0);
    target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
    switched.scene.draw().unwrap();
    let pixels = target.read_pixels().unwrap();
    let differ = (pixels.chunks(4).zip(two.pixels.chunks(4)))
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(differ, 0, "pixels unlike the scene made at scale 2");
    let bounds = switched.scene.bounds(switched.label).unwrap();
    assert_eq!(bounds, two.bounds);
    let lines = |d: &Drawn| d.scene.label_lines(d.label).unwrap().to_vec();
    assert_eq!(lines(&switched), lines(&two), "laid out in device pixels");
}

fn a_scale_change_that_fails_part_way_leaves_every_label_as_it_was(ctx: &HeadlessContext) {
    // Two labels: the first is laid out again at the new scale, then rasterising the
    // second's glyph fails on the real context (a fault at the atlas upload). Both labels
    // go back to the old scale, and the picture is as it was.
    let gl = ctx.gl();
    let target = RenderTarget::new(gl, W, H).unwrap();
    let mut scene = Scene::new(gl, ctx.multi_draw(), W, H).unwrap();
    let layer = scene.add_layer(0).unwrap();
    let font = Font::default_font();
    let first = scene
        .add(Label::new(layer, "A", &font, 14.0, 4.0, 8.0))
        .unwrap();
    let second = scene
        .add(Label::new(layer, "B", &font, 14.0, 40.0, 30.0))
        .unwrap();
    let draw = |scene: &mut Scene| {
        target.bind();
        target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        scene.draw().unwrap();
        target.read_pixels().unwrap()
    };
    let before = draw(&mut scene);
    let bounds = |scene: &mut Scene| [first, second].map(|id| scene.bounds(id).unwrap());
    let (was, glyphs) = (bounds(&mut scene), scene.atlas_stats().glyphs);
    // One texture step passes (the first label's glyph at 3x), the next fails.
    fault::fail_at(Site::Texture, 1);
    let result = scene.set_scale_factor(3.0);
    assert!(!fault::disarm(), "no texture step failed");
    assert!(matches!(result, Err(SceneError::Gl(_))), "{result:?}");
    assert_eq!(scene.scale_factor(), 1.0);
    assert_eq!(
        scene.atlas_stats().glyphs,
        glyphs + 1,
        "the first glyph at 3x"
    );
    assert_eq!(bounds(&mut scene), was);
    assert!(draw(&mut scene) == before, "the picture changed");
    // And the scale can still change afterwards.
    scene.set_scale_factor(3.0).unwrap();
    assert_eq!(scene.scale_factor(), 3.0);
    assert!(draw(&mut scene) != before, "laid out at 3x");
}

common::on_gl_core_and_gles3!(
    a_scale_change_that_fails_part_way_leaves_every_label_as_it_was,
    a_scene_at_scale_2_is_the_scene_at_scale_1_at_twice_the_resolution,
    a_bad_scale_factor_is_refused_and_changes_nothing,
    changing_the_scale_factor_lays_labels_out_again_as_if_made_at_it,
);
