//! A vertex_domain scene inside egui: `egui_glow::Painter` driven headless on the crate's
//! own context, painting an egui frame whose `PaintCallback` draws a [`Scene`].
//!
//! The scene's pixels fill the callback's rectangle and nothing else; egui's widgets
//! outside it are pixel for pixel what egui alone draws; the next egui frame on the same
//! painter is what a painter that never saw the scene draws; and a scene draw changes only
//! GL state that egui_glow sets again before its next mesh. Every test runs on a GL core
//! context and on a GLES 3 context.
//!
//! Native only: egui and egui_glow are native dev-dependencies.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::sync::{Arc, Mutex};

use egui::{pos2, vec2, Rect};
use egui_glow::Painter;
use glow::HasContext;
use vertex_domain::backend::RenderTarget;
use vertex_domain::headless::HeadlessContext;
use vertex_domain::scene::{Font, Item, Label, Scene, Sprite};

/// The frame's size in pixels (and points: one pixel per point).
const WIDTH: u32 = 320;
const HEIGHT: u32 = 240;
/// The paint callback's rectangle, in points from the top left, inside the central panel.
const RECT: Rect = Rect::from_min_max(pos2(160.0, 80.0), pos2(280.0, 200.0));
/// The scene's colour, which egui's default theme never draws.
const SCENE: [u8; 3] = [250, 20, 200];

/// The scene: four opaque sprites of [`SCENE`] tiling a 120 x 120 pixel viewport in one
/// layer, each a white 60 x 60 image of the scene's atlas, unscaled (so that every pixel
/// samples a texel's centre, and the edges read no transparent padding); and the last of
/// them, to add again.
fn scene(ctx: &HeadlessContext) -> (Scene, Sprite) {
    let (w, h) = (RECT.width() as u32, RECT.height() as u32);
    let mut scene = Scene::new(ctx.gl(), ctx.multi_draw(), w, h).unwrap();
    let (half_w, half_h) = (w / 2, h / 2);
    let white = vec![255u8; (half_w * half_h * 4) as usize];
    let image = scene.add_image(half_w, half_h, &white).unwrap();
    let layer = scene.add_layer(0).unwrap();
    let (half_w, half_h) = (half_w as f32, half_h as f32);
    let mut sprite = Sprite::new(layer, image, 0.0, 0.0).with_colour(SCENE);
    for (x, y) in [(0.0, 0.0), (half_w, 0.0), (0.0, half_h), (half_w, half_h)] {
        (sprite.props.x, sprite.props.y) = (x, y);
        scene.add(sprite).unwrap();
    }
    (scene, sprite)
}

/// What a callback does in the rectangle's viewport, on the painter's context.
type Draw = Arc<dyn Fn(&egui::PaintCallbackInfo, &glow::Context) + Send + Sync>;

/// One egui frame: a side panel with a button and a label, a central panel with a heading,
/// with `draw` a paint callback over [`RECT`] (a fixed place: the layout is the same
/// without it), and a label painted after it. `text` makes the frames differ (and brings
/// new glyphs, so a texture update, into the second).
fn run(egui: &egui::Context, frame: u32, text: &str, draw: Option<Draw>) -> egui::FullOutput {
    let input = egui::RawInput {
        screen_rect: Some(Rect::from_min_size(
            pos2(0.0, 0.0),
            vec2(WIDTH as f32, HEIGHT as f32),
        )),
        time: Some(f64::from(frame) / 60.0),
        ..Default::default()
    };
    egui.run_ui(input, |ui| {
        egui::Panel::left("widgets")
            .resizable(false)
            .exact_size(120.0)
            .show(ui, |ui| {
                let _ = ui.button("A button");
                ui.label(text);
            });
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("Scene");
            if let Some(draw) = &draw {
                let draw = Arc::clone(draw);
                let callback =
                    egui_glow::CallbackFn::new(move |info, painter| draw(&info, painter.gl()));
                ui.painter().add(egui::PaintCallback {
                    rect: RECT,
                    callback: Arc::new(callback),
                });
            }
            // Painted after the callback (above the rectangle), with what state it left.
            ui.label("Painted after the scene");
        });
    })
}

/// Tessellates and paints `output` with `painter` into `target` (cleared first); returns its
/// bottom-up RGBA8 pixels.
fn paint(
    painter: &mut Painter,
    target: &RenderTarget,
    egui: &egui::Context,
    output: egui::FullOutput,
) -> Vec<u8> {
    target.bind();
    target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
    let primitives = egui.tessellate(output.shapes, output.pixels_per_point);
    let mut textures = output.textures_delta;
    painter.paint_and_update_textures(
        [WIDTH, HEIGHT],
        output.pixels_per_point,
        &primitives,
        &mut textures,
    );
    vertex_domain::backend::check_gl(painter.gl(), "egui paint").unwrap();
    target.read_pixels().unwrap()
}

/// A painter on `ctx`, without dithering so that frames compare exactly.
fn painter(ctx: &HeadlessContext) -> Painter {
    Painter::new(Arc::clone(ctx.gl()), "", None, false).unwrap()
}

/// Draws the scene into the callback's viewport; returns the draw statistics.
fn draw_scene(
    scene: &Mutex<Scene>,
    info: &egui::PaintCallbackInfo,
) -> vertex_domain::batch::DrawStats {
    let px = info.viewport_in_pixels();
    let mut scene = scene.lock().unwrap();
    scene
        .set_viewport(px.width_px as u32, px.height_px as u32)
        .unwrap();
    scene.draw().unwrap()
}

/// Whether bottom-up pixel `(x, y)` lies inside [`RECT`].
fn inside(x: u32, y: u32) -> bool {
    let top = HEIGHT - y - 1;
    RECT.contains(pos2(x as f32 + 0.5, top as f32 + 0.5))
}

/// The pixels where `a` and `b` differ, among those `select` picks: a count and the first.
fn differences(a: &[u8], b: &[u8], select: impl Fn(u32, u32) -> bool) -> (usize, String) {
    let mut count = 0;
    let mut first = String::new();
    for y in 0..HEIGHT {
        for x in (0..WIDTH).filter(|&x| select(x, y)) {
            let (pa, pb) = (common::pixel(a, WIDTH, x, y), common::pixel(b, WIDTH, x, y));
            if pa != pb {
                if count == 0 {
                    first = format!("first at ({x}, {y} from the bottom): {pa:?} vs {pb:?}");
                }
                count += 1;
            }
        }
    }
    (count, first)
}

/// Two egui frames painted by a fresh painter into a fresh target: the first with `draw` in
/// its callback (none without), the second egui alone; their pixels.
fn two_frames(ctx: &HeadlessContext, draw: Option<Draw>) -> [Vec<u8>; 2] {
    let egui = egui::Context::default();
    let mut painter = painter(ctx);
    let target = RenderTarget::new(ctx.gl(), WIDTH, HEIGHT).unwrap();
    let first = run(&egui, 0, "first", draw);
    let first = paint(&mut painter, &target, &egui, first);
    let second = run(&egui, 1, "second: 0123456789 ÄÖÜ", None);
    let second = paint(&mut painter, &target, &egui, second);
    painter.destroy();
    [first, second]
}

fn a_scene_in_a_paint_callback_draws_inside_its_rectangle_and_leaves_egui_as_egui_draws_it(
    ctx: &HeadlessContext,
) {
    // The reference first, before any scene has drawn on this context: egui alone.
    let [egui_first, egui_second] = two_frames(ctx, None);

    let (scene, _) = scene(ctx);
    let scene = Mutex::new(scene);
    let viewports = Arc::new(Mutex::new(Vec::new()));
    let draw: Draw = {
        let viewports = Arc::clone(&viewports);
        Arc::new(move |info: &egui::PaintCallbackInfo, _: &glow::Context| {
            let stats = draw_scene(&scene, info);
            let px = info.viewport_in_pixels();
            let viewport = [px.left_px, px.from_bottom_px, px.width_px, px.height_px];
            viewports.lock().unwrap().push((viewport, stats.draw_calls));
        })
    };
    let [with_scene, after] = two_frames(ctx, Some(draw));

    // The callback ran once, in the rectangle's viewport, and drew the layer in one call.
    let bottom = (HEIGHT as f32 - RECT.max.y) as i32;
    assert_eq!(
        *viewports.lock().unwrap(),
        [([160, bottom, 120, 120], 1)],
        "the callback's viewports (left, bottom, width, height) and draw calls"
    );
    // (a) The scene fills the rectangle, and its colour appears nowhere else.
    let mut outside_scene = 0;
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let p = common::pixel(&with_scene, WIDTH, x, y);
            if inside(x, y) {
                assert_eq!(p, [SCENE[0], SCENE[1], SCENE[2], 255], "at ({x}, {y})");
            } else if p[..3] == SCENE {
                outside_scene += 1;
            }
        }
    }
    assert_eq!(
        outside_scene, 0,
        "pixels of the scene's colour outside the rectangle"
    );
    // (b) Outside the rectangle, the frame is what egui alone draws, including what egui
    // painted after the callback.
    let (count, first) = differences(&with_scene, &egui_first, |x, y| !inside(x, y));
    assert_eq!(
        count, 0,
        "pixels outside the rectangle unlike egui's own; {first}"
    );
    // (c) The next egui frame (with a texture update) is what a painter that never saw the
    // scene draws.
    let (count, first) = differences(&after, &egui_second, |_, _| true);
    assert_eq!(
        count, 0,
        "pixels of the next frame unlike egui's own; {first}"
    );
}

/// A piece of GL state egui_glow's painting reads, and whether egui_glow sets it again
/// after a callback, before its next mesh (`prepare_painting`, `set_clip_rect` and
/// `paint_mesh` in egui_glow 0.37's painter.rs).
struct State {
    name: &'static str,
    reset_by_egui: bool,
    read: fn(&glow::Context) -> Vec<i32>,
}

macro_rules! states {
    ($($reset:literal $kind:ident $name:ident),* $(,)?) => {
        vec![$(State {
            name: stringify!($name),
            reset_by_egui: $reset,
            // SAFETY: a query of state that GL core 4.5 and GLES 3.2 both have, on the
            // current context.
            read: |gl| unsafe { states!(@read $kind gl, glow::$name) },
        }),*]
    };
    (@read cap $gl:ident, $e:expr) => { vec![i32::from($gl.is_enabled($e))] };
    (@read int $gl:ident, $e:expr) => { vec![$gl.get_parameter_i32($e)] };
    (@read four $gl:ident, $e:expr) => {{
        let mut v = vec![0; 4];
        $gl.get_parameter_i32_slice($e, &mut v);
        v
    }};
}

/// The state egui_glow's painting relies on: what it sets again after a callback, and what
/// it takes as it finds it (texture uploads and draws read the second kind too).
fn states() -> Vec<State> {
    states![
        true cap BLEND, true cap CULL_FACE, true cap DEPTH_TEST, true cap SCISSOR_TEST,
        false cap STENCIL_TEST, false cap RASTERIZER_DISCARD,
        false cap PRIMITIVE_RESTART_FIXED_INDEX, false cap SAMPLE_ALPHA_TO_COVERAGE,
        false cap POLYGON_OFFSET_FILL,
        true int CURRENT_PROGRAM, true int VERTEX_ARRAY_BINDING, true int ARRAY_BUFFER_BINDING,
        true int ELEMENT_ARRAY_BUFFER_BINDING, true int ACTIVE_TEXTURE,
        true int TEXTURE_BINDING_2D, false int SAMPLER_BINDING,
        false int DRAW_FRAMEBUFFER_BINDING, false int READ_FRAMEBUFFER_BINDING,
        false int PIXEL_UNPACK_BUFFER_BINDING, false int UNPACK_ROW_LENGTH,
        false int UNPACK_SKIP_ROWS, false int UNPACK_SKIP_PIXELS,
        true int BLEND_SRC_RGB, true int BLEND_DST_RGB, true int BLEND_SRC_ALPHA,
        true int BLEND_DST_ALPHA, true int BLEND_EQUATION_RGB, true int BLEND_EQUATION_ALPHA,
        true four VIEWPORT, true four SCISSOR_BOX, true four COLOR_WRITEMASK,
    ]
}

fn a_scene_draw_in_a_paint_callback_changes_only_gl_state_that_egui_glow_sets_again(
    ctx: &HeadlessContext,
) {
    let (scene, again) = scene(ctx);
    let scene = Arc::new(Mutex::new(scene));
    // Per state, its value before and after the scene's draw.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let draw: Draw = {
        let (seen, scene) = (Arc::clone(&seen), Arc::clone(&scene));
        Arc::new(move |info: &egui::PaintCallbackInfo, gl: &glow::Context| {
            let states = states();
            let before: Vec<_> = states.iter().map(|s| (s.read)(gl)).collect();
            // Sprites added in the callback, as the egui example adds them, so that the
            // batch grows its buffers (GPU copies) and flushes them here too; an image
            // that grows the atlas (a GPU copy through a framebuffer) and a label whose
            // glyphs are uploaded, so that the atlas's texture work happens here too.
            let mut s = scene.lock().unwrap();
            for _ in 0..1000 {
                s.add(again).unwrap();
            }
            let side = s.atlas_stats().size.0;
            let big = vec![255u8; (side * side * 4) as usize];
            s.add_image(side, side, &big).unwrap();
            let label = Label::new(
                again.props.layer,
                "Hi",
                &Font::default_font(),
                14.0,
                4.0,
                4.0,
            );
            s.add(label.with_colour(SCENE)).unwrap();
            drop(s);
            draw_scene(&scene, info);
            let after = states.iter().map(|s| (s.read)(gl));
            *seen.lock().unwrap() = before.into_iter().zip(after).collect();
        })
    };
    let egui = egui::Context::default();
    let mut painter = painter(ctx);
    let target = RenderTarget::new(ctx.gl(), WIDTH, HEIGHT).unwrap();
    paint(
        &mut painter,
        &target,
        &egui,
        run(&egui, 0, "first", Some(draw)),
    );
    painter.destroy();

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), states().len(), "the callback ran");
    let atlas = scene.lock().unwrap().atlas_stats();
    assert!(atlas.grows > 0 && atlas.glyphs > 0, "{atlas:?}");
    let changed: Vec<_> = states()
        .into_iter()
        .zip(seen.iter())
        .filter(|(_, (before, after))| before != after)
        .map(|(state, (before, after))| (state.name, state.reset_by_egui, before, after))
        .collect();
    for (name, reset, before, after) in &changed {
        let by = if *reset {
            "set again by egui_glow"
        } else {
            "NOT set again"
        };
        eprintln!("scene draw changed {name}: {before:?} -> {after:?} ({by})");
    }
    let harmful: Vec<_> = changed.iter().filter(|c| !c.1).collect();
    assert!(
        harmful.is_empty(),
        "state changed that egui_glow does not set again: {harmful:?}"
    );
}

common::on_gl_core_and_gles3!(
    a_scene_in_a_paint_callback_draws_inside_its_rectangle_and_leaves_egui_as_egui_draws_it,
    a_scene_draw_in_a_paint_callback_changes_only_gl_state_that_egui_glow_sets_again,
);
