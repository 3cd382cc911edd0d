//! The scene: sprites, shapes and labels together in mixed layers, each drawn in one call
//! in z order; images added at any time, across atlas growth; screen layers; a game's own
//! group seeing the scene's view; and refusals that change nothing. GL core and GLES 3
//! natively, WebGL2 in the browser.

mod common;

use std::sync::Arc;

use common::pixel;
use vertex_domain::backend::fault::{self, Site};
use vertex_domain::backend::{
    Attribute, ComponentType, Program, RenderTarget, ShaderVersion, VertexFormat,
};
use vertex_domain::batch::ProgramGroup;
use vertex_domain::domain::Primitive;
use vertex_domain::headless::HeadlessContext;
use vertex_domain::scene::{
    Camera, Font, Image, Item, Label, Layer, Particle, Pictured, Scene, SceneError, Shape,
    ShapeKind, Sprite, VIEW_GLSL,
};
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const W: u32 = 64;
const H: u32 = 48;
const RED: [u8; 4] = [220, 30, 30, 255];
const BLUE: [u8; 4] = [30, 40, 220, 255];
const GREEN: [u8; 3] = [20, 200, 40];
const BLACK: [u8; 4] = [0, 0, 0, 255];

fn solid(side: u32, rgba: [u8; 4]) -> Vec<u8> {
    rgba.repeat((side * side) as usize)
}

/// A scene over a render target of `W` × `H`.
struct Frame {
    scene: Scene,
    target: RenderTarget,
}

impl Frame {
    fn new(ctx: &HeadlessContext) -> Frame {
        Frame {
            scene: Scene::new(ctx.gl(), ctx.multi_draw(), W, H).unwrap(),
            target: RenderTarget::new(ctx.gl(), W, H).unwrap(),
        }
    }

    /// Draws on black; the pixels (rows from the bottom) and the draw calls.
    fn draw(&mut self) -> (Vec<u8>, usize) {
        self.target.bind();
        self.target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        let stats = self.scene.draw().unwrap();
        (self.target.read_pixels().unwrap(), stats.draw_calls)
    }

    fn pixels(&mut self) -> Vec<u8> {
        self.draw().0
    }
}

/// A unit: a 16-pixel sprite with its bottom left at `(x, y)`, a health bar (a green
/// rectangle) across its middle, and a name label over it; its parts at `z`, `z + 0.1`,
/// `z + 0.2`.
fn add_unit(scene: &mut Scene, layer: Layer, image: Image, (x, y): (f32, f32), z: f32) {
    scene.add(Sprite::new(layer, image, x, y).at_z(z)).unwrap();
    let bar = ShapeKind::Rectangle {
        width: 16.0,
        height: 4.0,
    };
    let bar = Shape::new(layer, bar, x, y + 6.0).with_colour(GREEN);
    scene.add(bar.at_z(z + 0.1)).unwrap();
    let name = Label::new(layer, "I", &Font::default_font(), 14.0, x + 2.0, y + 1.0);
    scene.add(name.at_z(z + 0.2)).unwrap();
}

fn two_units_overlapping_in_one_mixed_layer_draw_in_one_call_in_z_order(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let red = f.scene.add_image(16, 16, &solid(16, RED)).unwrap();
    let blue = f.scene.add_image(16, 16, &solid(16, BLUE)).unwrap();
    let layer = f.scene.add_layer(0).unwrap();
    // The blue unit stands 8 pixels right of the red one, drawn over it (higher z).
    add_unit(&mut f.scene, layer, red, (10.0, 10.0), 1.0);
    add_unit(&mut f.scene, layer, blue, (18.0, 10.0), 2.0);
    let (pixels, calls) = f.draw();
    assert_eq!(calls, 1, "a mixed layer draws in one call");
    let at = |x, y| pixel(&pixels, W, x, y);
    assert_eq!(at(12, 12), RED, "the red sprite where nothing covers it");
    assert_eq!(at(12, 17)[..3], GREEN, "the red unit's bar over its sprite");
    assert_eq!(
        at(20, 12),
        BLUE,
        "the blue sprite over the red unit's sprite"
    );
    assert_eq!(
        at(28, 17)[..3],
        GREEN,
        "the blue unit's bar over the red unit's bar"
    );
    assert_eq!(at(31, 12), BLUE, "the blue sprite's right edge");
    let ink = |x0: u32, x1: u32| {
        (x0..x1)
            .flat_map(|x| (11..16).map(move |y| (x, y)))
            .filter(|&(x, y)| {
                // White ink over a blue or red sprite: every channel lit.
                let p = at(x, y);
                p[0] > 120 && p[1] > 120 && p[2] > 120
            })
            .count()
    };
    assert!(ink(18, 26) > 0, "the blue unit's name over its own sprite");
    // Raising the red unit above the blue one draws it over, in the same one call.
    let mut f2 = Frame::new(ctx);
    let (red, blue) = (
        f2.scene.add_image(16, 16, &solid(16, RED)).unwrap(),
        f2.scene.add_image(16, 16, &solid(16, BLUE)).unwrap(),
    );
    let layer = f2.scene.add_layer(0).unwrap();
    add_unit(&mut f2.scene, layer, red, (10.0, 10.0), 3.0);
    add_unit(&mut f2.scene, layer, blue, (18.0, 10.0), 2.0);
    let (pixels, calls) = f2.draw();
    assert_eq!(calls, 1);
    let at = |x, y| pixel(&pixels, W, x, y);
    assert_eq!(at(20, 12), RED, "the red sprite over the blue one");
    assert_eq!(at(31, 12), BLUE, "the blue sprite beyond the red one");
}

fn set_z_reorders_items_of_every_kind_within_a_layer(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let red = f.scene.add_image(16, 16, &solid(16, RED)).unwrap();
    let layer = f.scene.add_layer(0).unwrap();
    let sprite = f
        .scene
        .add(Sprite::new(layer, red, 10.0, 10.0).at_z(1.0))
        .unwrap();
    let square = ShapeKind::Rectangle {
        width: 16.0,
        height: 16.0,
    };
    let shape = Shape::new(layer, square, 10.0, 10.0).with_colour(GREEN);
    let shape = f.scene.add(shape.at_z(0.0)).unwrap();
    assert_eq!(pixel(&f.pixels(), W, 15, 15), RED, "the sprite above");
    f.scene.set_z(shape, 2.0).unwrap();
    assert_eq!(pixel(&f.pixels(), W, 15, 15)[..3], GREEN, "the shape above");
    f.scene.set_z(sprite, 3.0).unwrap();
    assert_eq!(pixel(&f.pixels(), W, 15, 15), RED, "the sprite above again");
    assert_eq!(f.scene.get(shape).unwrap().props.z, 2.0);
}

/// An image of `side` texels whose every texel differs from its neighbours.
fn pattern(side: u32, seed: u8) -> Vec<u8> {
    (0..side * side)
        .flat_map(|i| {
            let (x, y) = ((i % side) as u8, (i / side) as u8);
            [x.wrapping_mul(13) ^ seed, y.wrapping_mul(29), seed, 255]
        })
        .collect()
}

fn region(pixels: &[u8], (x0, y0): (u32, u32), side: u32) -> Vec<[u8; 4]> {
    (y0..y0 + side)
        .flat_map(|y| (x0..x0 + side).map(move |x| (x, y)))
        .map(|(x, y)| pixel(pixels, W, x, y))
        .collect()
}

fn images_added_after_the_first_draw_across_atlas_growth_keep_every_pixel(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let layer = f.scene.add_layer(0).unwrap();
    let first = f.scene.add_image(12, 12, &pattern(12, 7)).unwrap();
    f.scene.add(Sprite::new(layer, first, 4.0, 4.0)).unwrap();
    let label = Label::new(layer, "Hi", &Font::default_font(), 16.0, 4.0, 28.0);
    f.scene.add(label).unwrap();
    let before = f.pixels();
    let expected: Vec<[u8; 4]> = pattern(12, 7)
        .chunks_exact(4)
        .map(|t| [t[0], t[1], t[2], t[3]])
        .collect::<Vec<_>>()
        .chunks_exact(12)
        .rev()
        .flatten()
        .copied()
        .collect();
    assert_eq!(region(&before, (4, 4), 12), expected, "the image, upright");
    // Images large enough to make the atlas grow, twice.
    let size = f.scene.atlas_stats().size;
    let big = size.0 / 2 + 8;
    let blue = f.scene.add_image(big, big, &solid(big, BLUE)).unwrap();
    let second = f.scene.add_image(big, big, &solid(big, RED)).unwrap();
    while f.scene.atlas_stats().grows < 2 {
        f.scene.add_image(big, big, &solid(big, RED)).unwrap();
    }
    let stats = f.scene.atlas_stats();
    assert!(stats.grows >= 2, "the atlas grew: {stats:?}");
    assert!(stats.size.0 > size.0 && stats.size.1 > size.1);
    let mut sprite = Sprite::new(layer, blue, 30.0, 4.0);
    sprite.scale = [12.0 / big as f32; 2];
    f.scene.add(sprite).unwrap();
    let after = f.pixels();
    assert_eq!(
        region(&after, (4, 4), 12),
        expected,
        "the first image, unchanged"
    );
    assert_eq!(
        region(&after, (4, 20), 24),
        region(&before, (4, 20), 24),
        "the label"
    );
    assert_eq!(pixel(&after, W, 36, 10), BLUE, "the new image");
    // Showing another image is an animation frame: the sprite keeps its place.
    let id = f.scene.add(Sprite::new(layer, first, 48.0, 30.0)).unwrap();
    f.scene.set_image(id, second).unwrap();
    f.scene.set_scale(id, 0.01, 0.01).unwrap();
    f.scene.set_image(id, first).unwrap();
    f.scene.set_scale(id, 1.0, 1.0).unwrap();
    let last = f.pixels();
    assert_eq!(
        region(&last, (48, 30), 12),
        expected,
        "a sprite shown its first image again"
    );
}

fn a_screen_layer_holds_still_while_the_camera_pans(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let red = f.scene.add_image(8, 8, &solid(8, RED)).unwrap();
    let blue = f.scene.add_image(8, 8, &solid(8, BLUE)).unwrap();
    let world = f.scene.add_layer(0).unwrap();
    let hud = f.scene.add_screen_layer(1).unwrap();
    f.scene.add(Sprite::new(world, red, 10.0, 10.0)).unwrap();
    f.scene.add(Sprite::new(hud, blue, 40.0, 30.0)).unwrap();
    let before = f.pixels();
    f.scene
        .set_camera(Camera {
            pan: [6.0, -4.0],
            zoom: 2.0,
            rotation: 30.0,
        })
        .unwrap();
    let after = f.pixels();
    assert_eq!(region(&after, (40, 30), 8), region(&before, (40, 30), 8));
    assert!(region(&after, (40, 30), 8).iter().all(|&p| p == BLUE));
    assert_ne!(
        region(&after, (10, 10), 8),
        region(&before, (10, 10), 8),
        "the world moved"
    );
    f.scene.set_camera(Camera::default()).unwrap();
    assert_eq!(f.pixels(), before, "back where it was");
}

/// A program of a game's own, placing `position` through the scene's view.
fn own_program(gl: &Arc<glow::Context>) -> Program {
    let version = ShaderVersion::for_context(gl);
    let vertex = version.source(&format!(
        "{VIEW_GLSL}
in vec2 position;
void main() {{ gl_Position = world_to_clip(position); }}"
    ));
    let fragment =
        version.source("out vec4 colour; void main() { colour = vec4(0.0, 1.0, 0.0, 1.0); }");
    (Program::builder(gl, &vertex, &fragment))
        .bind_attribute("position", 0)
        .build()
        .unwrap()
}

fn an_own_group_drawn_with_the_scenes_view_lines_up_with_a_sprite(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let red = f.scene.add_image(10, 10, &solid(10, RED)).unwrap();
    let layer = f.scene.add_layer(0).unwrap();
    f.scene.add(Sprite::new(layer, red, 20.0, 14.0)).unwrap();
    let program = Arc::new(own_program(ctx.gl()));
    f.scene.share_view(&program).unwrap();
    let group = f.scene.add_group(ProgramGroup::new(program), 1).unwrap();
    let format =
        VertexFormat::new(vec![Attribute::new("position", 0, 2, ComponentType::F32)]).unwrap();
    let batch = f.scene.batch_mut();
    let format = batch.format_id(&format);
    let list = batch.add(group, format, Primitive::Triangles, 6).unwrap();
    let (x0, y0, x1, y1) = (20.0f32, 14.0f32, 30.0f32, 24.0f32);
    let quad = [[x0, y0], [x1, y0], [x1, y1], [x0, y0], [x1, y1], [x0, y1]];
    batch.write(list, 0, &quad).unwrap();
    f.scene
        .set_camera(Camera {
            pan: [-5.0, 3.0],
            zoom: 1.5,
            rotation: 0.0,
        })
        .unwrap();
    f.scene.batch_mut().set_visible(group, false).unwrap();
    let sprite = f.pixels();
    f.scene.batch_mut().set_visible(group, true).unwrap();
    let own = f.pixels();
    let covered = |pixels: &[u8], rgba: [u8; 4]| -> Vec<(u32, u32)> {
        (0..H)
            .flat_map(|y| (0..W).map(move |x| (x, y)))
            .filter(|&(x, y)| pixel(pixels, W, x, y) == rgba)
            .collect()
    };
    // Every pixel the sprite covers (its edge texels blended with the atlas's padding
    // under linear filtering, but none black), and only those, the own quad covers.
    let lit = |pixels: &[u8]| -> Vec<(u32, u32)> {
        (0..H)
            .flat_map(|y| (0..W).map(move |x| (x, y)))
            .filter(|&(x, y)| pixel(pixels, W, x, y) != BLACK)
            .collect()
    };
    let sprite_pixels = lit(&sprite);
    assert!(
        sprite_pixels.len() >= 14 * 14,
        "the sprite, zoomed 1.5 times: {}",
        sprite_pixels.len()
    );
    assert_eq!(
        covered(&own, [0, 255, 0, 255]),
        sprite_pixels,
        "the own quad on the sprite"
    );
    assert_eq!(lit(&own), sprite_pixels);
}

fn every_non_finite_input_is_refused_and_leaves_the_pixels_as_they_were(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let red = f.scene.add_image(8, 8, &solid(8, RED)).unwrap();
    let layer = f.scene.add_layer(0).unwrap();
    let sprite = f.scene.add(Sprite::new(layer, red, 4.0, 4.0)).unwrap();
    let square = ShapeKind::Rectangle {
        width: 8.0,
        height: 6.0,
    };
    let shape = f.scene.add(Shape::new(layer, square, 20.0, 4.0)).unwrap();
    let label = Label::new(layer, "ok", &Font::default_font(), 12.0, 4.0, 20.0);
    let label = f.scene.add(label).unwrap();
    let before = f.pixels();
    let s = &mut f.scene;
    let props = (
        *s.get(sprite).unwrap(),
        s.get(shape).unwrap().clone(),
        s.get(label).unwrap().clone(),
    );
    let refused = |result: Result<(), SceneError>, what: &str| {
        assert!(
            matches!(
                result,
                Err(SceneError::NotFinite(_)) | Err(SceneError::EmptyView(_))
            ),
            "{what}: {result:?}"
        );
    };
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        refused(s.set_position(sprite, bad, 1.0), "a position");
        refused(s.set_position(shape, 1.0, bad), "a position");
        refused(s.set_position(label, bad, bad), "a position");
        refused(s.set_rotation(sprite, bad), "a rotation");
        refused(s.set_rotation(shape, bad), "a rotation");
        refused(s.set_rotation(label, bad), "a rotation");
        refused(s.set_anchor(sprite, bad, 0.0), "an anchor");
        refused(s.set_anchor(label, 0.0, bad), "an anchor");
        refused(s.set_z(sprite, bad), "a z");
        refused(s.set_z(shape, bad), "a z");
        refused(s.set_z(label, bad), "a z");
        refused(s.set_scale(sprite, bad, 1.0), "a scale");
        refused(s.update(shape, |p| p.props.y = bad), "an update");
        refused(
            s.add(Sprite::new(layer, red, bad, 0.0)).map(|_| ()),
            "an add",
        );
        refused(s.add(props.1.clone().at_z(bad)).map(|_| ()), "an add");
        refused(s.add(props.2.clone().rotated(bad)).map(|_| ()), "an add");
        for camera in [
            Camera {
                pan: [bad, 0.0],
                ..Camera::default()
            },
            Camera {
                rotation: bad,
                ..Camera::default()
            },
            Camera {
                zoom: bad,
                ..Camera::default()
            },
            Camera {
                zoom: 0.0,
                ..Camera::default()
            },
        ] {
            refused(s.set_camera(camera), "a camera");
        }
    }
    refused(s.set_viewport(0, 10), "a viewport");
    refused(s.set_viewport(10, 0), "a viewport");
    assert!(matches!(
        s.add(Shape::new(
            layer,
            ShapeKind::Circle {
                radius: f32::NAN,
                segments: 16
            },
            0.0,
            0.0
        )),
        Err(SceneError::Geometry(_))
    ));
    let now = (
        *s.get(sprite).unwrap(),
        s.get(shape).unwrap().clone(),
        s.get(label).unwrap().clone(),
    );
    assert_eq!(now, props);
    assert_eq!(
        (s.count::<Sprite>(), s.count::<Shape>(), s.count::<Label>()),
        (1, 1, 1)
    );
    assert_eq!(f.pixels(), before);
}

fn another_scenes_layers_images_and_items_are_refused(ctx: &HeadlessContext) {
    let mut a = Scene::new(ctx.gl(), ctx.multi_draw(), W, H).unwrap();
    let mut b = Scene::new(ctx.gl(), ctx.multi_draw(), W, H).unwrap();
    let (image_a, layer_a) = (
        a.add_image(2, 2, &solid(2, RED)).unwrap(),
        a.add_layer(0).unwrap(),
    );
    let (image_b, layer_b) = (
        b.add_image(2, 2, &solid(2, RED)).unwrap(),
        b.add_layer(0).unwrap(),
    );
    let sprite = a.add(Sprite::new(layer_a, image_a, 0.0, 0.0)).unwrap();
    assert_eq!(
        a.add(Sprite::new(layer_a, image_b, 0.0, 0.0)),
        Err(SceneError::UnknownImage)
    );
    assert_eq!(
        a.add(Sprite::new(layer_b, image_a, 0.0, 0.0)),
        Err(SceneError::UnknownLayer)
    );
    assert_eq!(b.get(sprite), Err(SceneError::UnknownItem("sprite")));
    assert_eq!(a.set_layer(sprite, layer_b), Err(SceneError::UnknownLayer));
    assert_eq!(a.set_image(sprite, image_b), Err(SceneError::UnknownImage));
    assert_eq!(a.get(sprite).unwrap().image, image_a);
    a.remove(sprite).unwrap();
    assert_eq!(
        a.set_position(sprite, 1.0, 1.0),
        Err(SceneError::UnknownItem("sprite"))
    );
    assert!(matches!(
        a.add_image(3, 3, &[0; 5]),
        Err(SceneError::ImageData {
            width: 3,
            height: 3,
            bytes: 5
        })
    ));
}

fn items_move_between_layers_and_keep_their_properties(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let red = f.scene.add_image(8, 8, &solid(8, RED)).unwrap();
    let low = f.scene.add_layer(0).unwrap();
    let high = f.scene.add_layer(1).unwrap();
    let square = ShapeKind::Rectangle {
        width: 8.0,
        height: 8.0,
    };
    let shape = Shape::new(high, square, 10.0, 10.0).with_colour(GREEN);
    f.scene.add(shape).unwrap();
    let sprite = f.scene.add(Sprite::new(low, red, 10.0, 10.0)).unwrap();
    assert_eq!(pixel(&f.pixels(), W, 13, 13)[..3], GREEN);
    f.scene.set_layer(sprite, high).unwrap();
    assert_eq!(
        pixel(&f.pixels(), W, 13, 13),
        RED,
        "added anew on top of its z in the layer"
    );
    f.scene.set_colour(sprite, [255, 255, 255]).unwrap();
    f.scene.set_layer(sprite, low).unwrap();
    assert_eq!(pixel(&f.pixels(), W, 13, 13)[..3], GREEN);
    assert_eq!(f.scene.get(sprite).unwrap().props.layer, low);
    f.scene.set_layer_visible(high, false).unwrap();
    assert_eq!(pixel(&f.pixels(), W, 13, 13), RED);
    assert_eq!(pixel(&f.pixels(), W, 30, 30), BLACK);
}

fn cheap_setters_rewrite_only_what_they_change_and_build_nothing(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let layer = f.scene.add_layer(0).unwrap();
    let circle = ShapeKind::Circle {
        radius: 10.0,
        segments: 24,
    };
    let shape = f.scene.add(Shape::new(layer, circle, 30.0, 20.0)).unwrap();
    let label = Label::new(layer, "Score: 12", &Font::default_font(), 12.0, 2.0, 2.0);
    let label = f.scene.add(label).unwrap();
    f.draw();
    let before = (f.scene.stats::<Shape>(), f.scene.stats::<Label>());
    let read = |f: &mut Frame, attribute: &str| -> (Vec<[f32; 2]>, Vec<[u8; 4]>) {
        let list = f.scene.list(shape).unwrap();
        let batch = f.scene.batch_mut();
        let floats = batch.read::<[f32; 2]>(list, attribute).unwrap();
        (floats, batch.read::<[u8; 4]>(list, "colour").unwrap())
    };
    let (positions, colours) = read(&mut f, "position");
    f.scene.set_colour(shape, [10, 20, 30]).unwrap();
    f.scene.set_opacity(label, 100).unwrap();
    f.draw();
    let (after, recoloured) = read(&mut f, "position");
    assert_eq!(after, positions, "a colour change leaves positions");
    assert_ne!(recoloured, colours);
    assert!(recoloured.iter().all(|&c| c == [10, 20, 30, 255]));
    let (translations, _) = read(&mut f, "translation");
    f.scene.set_position(shape, 40.0, 21.0).unwrap();
    f.scene.set_position(label, 3.0, 4.0).unwrap();
    f.draw();
    let (moved, _) = read(&mut f, "translation");
    assert_ne!(moved, translations);
    assert_eq!(
        read(&mut f, "position").0,
        positions,
        "a move leaves positions"
    );
    f.scene.set_rotation(shape, 30.0).unwrap();
    f.scene.set_rotation(label, 30.0).unwrap();
    f.scene.set_z(shape, 3.0).unwrap();
    f.scene.set_visible(label, false).unwrap();
    f.scene.set_anchor(shape, 1.0, 1.0).unwrap();
    f.draw();
    let after = (f.scene.stats::<Shape>(), f.scene.stats::<Label>());
    assert_eq!(after, before, "no setter built geometry again");
}

fn a_text_change_writes_only_the_glyphs_from_the_first_that_differs(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let layer = f.scene.add_layer(0).unwrap();
    let label = Label::new(layer, "Score: 12", &Font::default_font(), 12.0, 2.0, 20.0);
    let label = f.scene.add(label).unwrap();
    let glyphs = |f: &Frame| f.scene.stats::<Label>().vertices_written / 4;
    assert_eq!(glyphs(&f), 8, "8 glyphs with ink (the space has none)");
    f.scene.set_text(label, "Score: 123").unwrap();
    assert_eq!(glyphs(&f), 9, "one glyph more, written alone");
    f.scene.set_text(label, "Score: 124").unwrap();
    assert_eq!(glyphs(&f), 10, "the last glyph, alone");
    f.scene.set_text(label, "Score: 124").unwrap();
    assert_eq!(glyphs(&f), 10, "the same text writes nothing");
    let stats = f.scene.stats::<Label>();
    assert_eq!(stats.rebuilds, 2);
    assert_eq!(stats.resized_in_place + stats.resized_moved, 1);
    let pixels = f.pixels();
    let mut fresh = Frame::new(ctx);
    let layer = fresh.scene.add_layer(0).unwrap();
    let label = Label::new(layer, "Score: 124", &Font::default_font(), 12.0, 2.0, 20.0);
    fresh.scene.add(label).unwrap();
    assert_eq!(fresh.pixels(), pixels, "as drawn afresh");
}

fn bounds_hold_every_kind_placed_and_turned(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let layer = f.scene.add_layer(0).unwrap();
    let image = f.scene.add_image(10, 4, &solid(10, RED)[..160]).unwrap();
    let sprite = Sprite::new(layer, image, 20.0, 20.0)
        .centred()
        .rotated(90.0);
    let sprite = f.scene.add(sprite).unwrap();
    let near = |a: [f32; 4], b: [f32; 4]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-3);
    let bounds = f.scene.bounds(sprite).unwrap();
    assert!(
        near(bounds, [18.0, 15.0, 22.0, 25.0]),
        "turned a quarter: {bounds:?}"
    );
    let bar = ShapeKind::Rectangle {
        width: 6.0,
        height: 2.0,
    };
    let shape = f.scene.add(Shape::new(layer, bar, 1.0, 2.0)).unwrap();
    assert!(near(f.scene.bounds(shape).unwrap(), [1.0, 2.0, 7.0, 4.0]));
    let label = Label::new(layer, "Hg", &Font::default_font(), 20.0, 5.0, 30.0);
    let label = f.scene.add(label).unwrap();
    let [l, b, r, t] = f.scene.bounds(label).unwrap();
    assert!(
        l <= 5.0 && b < 30.0 && r > 15.0 && t > 40.0,
        "{:?}",
        [l, b, r, t]
    );
}

fn particles_draw_instanced_in_one_call_a_layer_and_take_the_same_setters(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let red = f.scene.add_image(4, 4, &solid(4, RED)).unwrap();
    let blue = f.scene.add_image(4, 4, &solid(4, BLUE)).unwrap();
    let sparks = f.scene.add_particle_layer(0).unwrap();
    let more = f.scene.add_particle_layer(1).unwrap();
    let ids: Vec<_> = (0..200)
        .map(|i| {
            let particle = Particle::new(sparks, red, (i % 16) as f32 * 4.0, (i / 16) as f32 * 3.0);
            f.scene.add(particle.at_z(i as f32)).unwrap()
        })
        .collect();
    let (pixels, calls) = f.draw();
    assert_eq!(calls, 1, "one instanced call for the layer");
    assert_eq!(pixel(&pixels, W, 1, 1), RED);
    let id = ids[0];
    f.scene.set_position(id, 50.0, 40.0).unwrap();
    f.scene.set_image(id, blue).unwrap();
    f.scene.set_scale(id, 2.0, 2.0).unwrap();
    f.scene.set_layer(id, more).unwrap();
    let (pixels, calls) = f.draw();
    assert_eq!(calls, 2);
    assert_eq!(
        pixel(&pixels, W, 54, 44),
        BLUE,
        "moved, scaled, another image"
    );
    assert_eq!(f.scene.bounds(id).unwrap(), [50.0, 40.0, 58.0, 48.0]);
    f.scene.set_rotation(id, 90.0).unwrap();
    f.scene.set_opacity(id, 0).unwrap();
    assert_eq!(pixel(&f.pixels(), W, 54, 44), BLACK, "transparent");
    assert_eq!(f.scene.count::<Particle>(), 200);
    f.scene.remove(id).unwrap();
    assert_eq!(f.scene.get(id), Err(SceneError::UnknownItem("particle")));
    assert!(matches!(
        f.scene.set_position(ids[1], f32::NAN, 0.0),
        Err(SceneError::NotFinite(_))
    ));
    // A sprite and a particle of one image at one place draw the same pixels.
    let mut g = Frame::new(ctx);
    let image = g.scene.add_image(12, 12, &pattern(12, 3)).unwrap();
    let layer = g.scene.add_layer(0).unwrap();
    let sprite = g.scene.add(Sprite::new(layer, image, 20.0, 10.0)).unwrap();
    let sprite_pixels = g.pixels();
    g.scene.remove(sprite).unwrap();
    let sparks = g.scene.add_particle_layer(0).unwrap();
    g.scene
        .add(Particle::new(sparks, image, 20.0, 10.0))
        .unwrap();
    assert_eq!(g.pixels(), sprite_pixels);
}

fn a_particle_whose_move_to_a_full_layer_fails_keeps_its_record_and_pixels(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let red = f.scene.add_image(4, 4, &solid(4, RED)).unwrap();
    let (from, to) = (
        f.scene.add_particle_layer(0).unwrap(),
        f.scene.add_particle_layer(1).unwrap(),
    );
    let id = f.scene.add(Particle::new(from, red, 10.0, 10.0)).unwrap();
    let record = |f: &mut Frame| {
        let instance = f.scene.instance(id).unwrap();
        let batch = f.scene.batch_mut();
        let translation = batch
            .read_instance::<[f32; 2]>(instance, "translation")
            .unwrap();
        (
            translation,
            batch.read_instance::<[u8; 4]>(instance, "colour").unwrap(),
        )
    };
    // Fill the other layer one particle at a time until moving there must grow its
    // instance buffer, and make that growth fail.
    for n in 0..10_000 {
        let (before, pixels) = (record(&mut f), f.pixels());
        fault::fail_repeatedly(Site::BufferCreate, 0, 1);
        let moved = f.scene.update(id, |p| {
            p.props.layer = to;
            p.props.x += 5.0;
            p.props.colour = [0, 255, 0];
        });
        fault::disarm();
        match moved {
            Err(SceneError::Gl(_)) => {
                assert_eq!(f.scene.get(id).unwrap().props.layer, from);
                assert_eq!(record(&mut f), before, "the record as it was");
                assert_eq!(f.pixels(), pixels, "the pixels as they were");
                return;
            }
            Err(other) => panic!("{other}"),
            Ok(()) => {
                f.scene
                    .update(id, |p| {
                        p.props.layer = from;
                        p.props.x -= 5.0;
                        p.props.colour = [255, 255, 255];
                    })
                    .unwrap();
                let filler = Particle::new(to, red, n as f32 % 60.0, 30.0);
                f.scene.add(filler).unwrap();
            }
        }
    }
    panic!("the other layer never had to grow");
}

common::on_gl_core_and_gles3!(
    a_particle_whose_move_to_a_full_layer_fails_keeps_its_record_and_pixels,
    particles_draw_instanced_in_one_call_a_layer_and_take_the_same_setters,
    cheap_setters_rewrite_only_what_they_change_and_build_nothing,
    a_text_change_writes_only_the_glyphs_from_the_first_that_differs,
    bounds_hold_every_kind_placed_and_turned,
    two_units_overlapping_in_one_mixed_layer_draw_in_one_call_in_z_order,
    set_z_reorders_items_of_every_kind_within_a_layer,
    images_added_after_the_first_draw_across_atlas_growth_keep_every_pixel,
    a_screen_layer_holds_still_while_the_camera_pans,
    an_own_group_drawn_with_the_scenes_view_lines_up_with_a_sprite,
    every_non_finite_input_is_refused_and_leaves_the_pixels_as_they_were,
    another_scenes_layers_images_and_items_are_refused,
    items_move_between_layers_and_keep_their_properties,
);
