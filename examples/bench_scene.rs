//! Mixed-scene benchmark, side by side with pyglet: the trace of
//! `benches/peer/pyglet_scene.py` on a [`Scene`], on the same machine in the same run. N game
//! units, each a sprite of one of 16 images, a health bar (a rectangle) and a name label,
//! all in ONE mixed world layer, so that units sort with each other by z (a unit's bar and
//! name over its own sprite, a later unit over all of an earlier one). Per N: creating them;
//! per frame, averaged over `--frames` timed frames after 2 untimed ones, moving every unit
//! (its three items) and changing 300 units' names and z (update), the draw that uploads and
//! submits (submit), `glFinish`, and the thread's CPU time over the frame; the draw calls.
//!
//! `cargo run --release --example bench_scene -- [--counts 10000] [--frames 30] [--pyglet]`
//! With `--pyglet`, `benches/peer/run_pyglet.sh scene` runs pyglet 2.1.19 on the same trace
//! and its figures print beside ours.

use std::time::Instant;

use vertex_domain::backend::RenderTarget;
use vertex_domain::headless::HeadlessContext;
use vertex_domain::scene::{
    Font, Image, Item, Label, LabelId, Layer, Scene, Shape, ShapeId, ShapeKind, Sprite, SpriteId,
};

/// The examples' shared harness: here, running the pyglet peer and reading its JSON.
mod common;
use common::bench::{finish, ms, print_table, side_by_side, timed_frames, Frames, Row};

/// The framebuffer, as the peer's window.
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;
/// Side of each generated image.
const SIDE: u32 = 16;
/// Generated images.
const IMAGES: usize = 16;
/// Units whose name and z change each frame.
const CHANGES: usize = 300;
/// Timed frames unless `--frames` says otherwise, as the peer's default.
const FRAMES: u32 = 30;
/// Untimed frames before the timed ones, numbered f = 1..WARMUP as the peer numbers them.
const WARMUP: u32 = 2;

/// What one N measured: times in ms (per-frame ones are means over the timed frames).
#[derive(Debug, Default, Clone, Copy)]
struct Figures {
    create: f64,
    /// The timed frames.
    frames: Frames,
    /// Mixed layers drawn.
    layers: usize,
    lit_pixels: usize,
}

/// One unit's items.
struct Unit {
    sprite: SpriteId,
    bar: ShapeId,
    name: LabelId,
}

/// The 16 discs: image k is a disc of colour `(k*15, 255 - k*15, 128)`.
fn images(scene: &mut Scene) -> Vec<Image> {
    (0..IMAGES)
        .map(|k| {
            let colour = [(k * 15) as u8, (255 - k * 15) as u8, 128, 255];
            let pixels: Vec<u8> = (0..SIDE * SIDE)
                .flat_map(|p| {
                    let (x, y) = ((p % SIDE) as f32 - 7.5, (p / SIDE) as f32 - 7.5);
                    if x * x + y * y <= 56.0 {
                        colour
                    } else {
                        [0; 4]
                    }
                })
                .collect();
            scene.add_image(SIDE, SIDE, &pixels).expect("image")
        })
        .collect()
}

/// Unit `i`'s base position.
fn base(i: usize) -> (f32, f32) {
    (
        ((i * 7919) % (WIDTH as usize - 32) + 8) as f32,
        ((i * 104729) % (HEIGHT as usize - 40) + 8) as f32,
    )
}

/// Adds unit `i` at z `i` (its bar and name just above its sprite).
fn add_unit(scene: &mut Scene, layer: Layer, images: &[Image], font: &Font, i: usize) -> Unit {
    let (x, y) = base(i);
    let z = i as f32;
    let bar = ShapeKind::Rectangle {
        width: 16.0,
        height: 3.0,
    };
    let bar = Shape::new(layer, bar, x, y + 18.0).with_colour([40, 200, 60]);
    let name = Label::new(layer, format!("u{i}"), font, 8.0, x, y + 22.0);
    Unit {
        sprite: (scene.add(Sprite::new(layer, images[i % IMAGES], x, y).at_z(z))).expect("sprite"),
        bar: scene.add(bar.at_z(z + 0.25)).expect("bar"),
        name: scene.add(name.at_z(z + 0.5)).expect("name"),
    }
}

/// Frame `f`'s update: every unit moves; 300 change their name and come to the top.
fn update(scene: &mut Scene, units: &[Unit], f: u32, text: &mut String) {
    use std::fmt::Write;
    let n = units.len();
    for (i, unit) in units.iter().enumerate() {
        let (x0, y0) = base(i);
        let step = i + f as usize;
        let (x, y) = (x0 + (step % 7) as f32 - 3.0, y0 + (step % 5) as f32 - 2.0);
        scene.set_position(unit.sprite, x, y).expect("move");
        scene.set_position(unit.bar, x, y + 18.0).expect("move");
        scene.set_position(unit.name, x, y + 22.0).expect("move");
    }
    for j in 0..CHANGES {
        let i = (f as usize * CHANGES + j) % n;
        let unit = &units[i];
        text.clear();
        let _ = write!(text, "u{i} {}", f % 100);
        scene.set_text(unit.name, text).expect("text");
        let z = (n + f as usize * CHANGES + j) as f32;
        scene.set_z(unit.sprite, z).expect("z");
        scene.set_z(unit.bar, z + 0.25).expect("z");
        scene.set_z(unit.name, z + 0.5).expect("z");
    }
}

/// Runs the trace at `n` units for `frames` timed frames.
fn run(ctx: &HeadlessContext, n: usize, frames: u32) -> Figures {
    let target = RenderTarget::new(ctx.gl(), WIDTH, HEIGHT).expect("render target");
    target.bind();
    let mut scene = Scene::new(ctx.gl(), ctx.multi_draw(), WIDTH, HEIGHT).expect("scene");
    let images = images(&mut scene);
    let layer = scene.add_layer(0).expect("layer");
    let font = Font::default_font();
    let mut f = Figures {
        layers: 1,
        ..Figures::default()
    };
    finish(ctx);
    let started = Instant::now();
    let units: Vec<Unit> = (0..n)
        .map(|i| add_unit(&mut scene, layer, &images, &font, i))
        .collect();
    f.create = ms(started.elapsed());
    scene.draw().expect("draw");
    finish(ctx);

    let mut text = String::new();
    f.frames = timed_frames(
        ctx,
        &target,
        &mut scene,
        (WARMUP, frames),
        |scene, frame, _| update(scene, &units, frame, &mut text),
    );
    let pixels = target.read_pixels().expect("read pixels");
    f.lit_pixels = (pixels.chunks_exact(4))
        .filter(|p| p[0] | p[1] | p[2] != 0)
        .count();
    f
}

/// Prints the table of one N: our figures, pyglet's (`peer`) where it ran.
fn table(n: usize, frames: u32, ours: &Figures, peer: Option<&[(String, f64)]>) {
    let mut rows = ours.frames.rows(ours.create);
    rows.extend::<[Row; 4]>([
        (
            "minor page faults per frame (ours)",
            ours.frames.faults,
            "-",
            0,
        ),
        ("draw calls", ours.frames.draw_calls as f64, "draw_calls", 0),
        ("mixed layers (ours)", ours.layers as f64, "-", 0),
        (
            "lit pixels (check)",
            ours.lit_pixels as f64,
            "lit_pixels",
            0,
        ),
    ]);
    println!(
        "\nN = {n} units (sprite, bar, name: {} items), 1280x720; per-frame figures are means of {frames} frames after {WARMUP}",
        3 * n
    );
    print_table(&rows, peer);
}

/// The notes under the tables.
fn notes(with_pyglet: bool) {
    println!("\nNotes:");
    println!("- llvmpipe runs vertex fetch and shading inside the draw call, on the calling thread: submit and thread CPU include that GPU work here, and no figure shows GPU-side costs.");
    println!("- Our units are in one mixed layer, sorted by z: a unit's bar and name draw over its own sprite and under every later unit. pyglet's batch draws by group (all sprites, then all bars, then all text), so its picture is not the same: every name is over every sprite.");
    println!("- update moves every unit's three items (set_position: 8 bytes a vertex) and changes 300 names (set_text: the glyphs from the first that changed) and z (set_z: no vertex written; the layer's order is laid out again at the next draw, inside submit).");
    println!("- The minor page faults are llvmpipe's: it frees its per-frame scene memory and glibc trims it back to the kernel, so the next frame faults it in again (see the README's \"Page faults on llvmpipe\"). With MALLOC_TRIM_THRESHOLD_=268435456 (a game's choice, not the library's) they go and submit drops by about a quarter.");
    println!("- Thread CPU is getrusage(RUSAGE_THREAD), counted in scheduler ticks: the mean over the frames is what to read.");
    if with_pyglet {
        println!("- pyglet's figures come from benches/peer/pyglet_scene.py, run right after ours in the same process tree; its 16 images share one TextureBin atlas, as pyglet.resource would put them.");
    }
}

/// Runs the trace at each N beside the peer with `--pyglet`, and prints the tables.
fn main() {
    let usage = "usage: [--counts 10000,...] [--frames 30] [--pyglet]";
    side_by_side((vec![10_000], FRAMES, usage), "scene", run, table, notes);
}
