//! Text benchmark, side by side with pyglet: the trace of `benches/peer/pyglet_text.py`,
//! N labels (1,000 by default) of 8 to 16 characters in DejaVu Sans at 12 px, in one mixed
//! world layer of a [`Scene`], every label's text changing every frame, like a HUD of
//! counters.
//!
//! Label `i` sits at `((i % 10) * 128 + 4, ((i / 10) % 100) * 7 + 4)` in a 1280x720
//! target, coloured `((i*37)%256, (i*91)%256, (i*53)%256)`, and frame `f` gives it the text
//! `"{NAMES[i % 8]}: {(i * 7919 + f * (1 + i % 7) * 37) % 1000000:02}"`. Figures: create,
//! then per frame the update (every `Scene::set_text`, formatting included), the submit
//! (`Scene::draw`, which flushes the staged glyphs), `glFinish`, and the thread's CPU time.
//!
//! `cargo run --release --example bench_text -- [--counts 1000] [--frames 30] [--pyglet]`
//! With `--pyglet`, `benches/peer/run_pyglet.sh text` runs pyglet 2.1.19 on the same
//! trace in the same run, and the table shows both.

use std::fmt::Write;
use std::time::Instant;

use vertex_domain::backend::RenderTarget;
use vertex_domain::headless::HeadlessContext;
use vertex_domain::scene::{Font, Item, Label, LabelId, Layer, Scene};

/// The examples' shared harness: running the pyglet peer and reading its JSON, timing.
mod common;
use common::bench::{finish, ms, print_table, side_by_side, timed_frames, Frames, Row, BLACK};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;
/// Timed frames unless `--frames` says otherwise, as the peer's default.
const FRAMES: u32 = 30;
/// Untimed frames before the timed ones, numbered f = 1..WARMUP as the peer numbers them.
const WARMUP: u32 = 2;
/// The label size in pixels: pyglet's `font_size=12, dpi=72`.
const SIZE: f32 = 12.0;
const NAMES: [&str; 8] = [
    "Score", "Gold", "Ammo", "Level", "Shield", "Health", "Energy", "Distance",
];

/// Label `i`'s text at frame `f`, written into `out`.
fn text(out: &mut String, i: usize, f: u32) {
    out.clear();
    let value = (i as u64 * 7919 + u64::from(f) * (1 + i as u64 % 7) * 37) % 1_000_000;
    let _ = write!(out, "{}: {value:02}", NAMES[i % NAMES.len()]);
}

/// What one N measured: times in ms (per-frame ones are means over the timed frames).
#[derive(Debug, Default, Clone, Copy)]
struct Figures {
    create: f64,
    /// The timed frames: every label's text set (update), the draw (submit), `glFinish`,
    /// the thread's CPU time, draw calls and bytes uploaded.
    frames: Frames,
    /// Characters of the last frame's texts.
    glyphs: usize,
    /// Glyph quads of the last frame (characters with ink; spaces have none).
    quads: usize,
    /// Text changes of the timed frames (the labels' rebuilds), and how the lists took
    /// them: in place (the same glyph count, or resized where it lay) or moved.
    changes: u64,
    in_place: u64,
    moved: u64,
    /// Glyphs written per frame: the unchanged first glyphs are kept.
    glyphs_written: f64,
    lit_pixels: usize,
}

/// Runs the trace at `n` labels for `frames` timed frames.
fn run(ctx: &HeadlessContext, n: usize, frames: u32) -> Figures {
    let target = RenderTarget::new(ctx.gl(), WIDTH, HEIGHT).expect("render target");
    target.bind();
    let mut scene = Scene::new(ctx.gl(), ctx.multi_draw(), WIDTH, HEIGHT).expect("scene");
    let layer = scene.add_layer(0).expect("layer");
    let font = Font::default_font();
    let mut f = Figures::default();
    let mut buffer = String::new();

    target.clear(BLACK).expect("clear");
    finish(ctx);
    let started = Instant::now();
    let ids: Vec<LabelId> = (0..n)
        .map(|i| {
            text(&mut buffer, i, 0);
            scene
                .add(label(layer, &font, i, &buffer))
                .expect("add label")
        })
        .collect();
    f.create = ms(started.elapsed());
    scene.draw().expect("draw");
    finish(ctx);

    let mut snapshot = None;
    f.frames = timed_frames(
        ctx,
        &target,
        &mut scene,
        (WARMUP, frames),
        |scene, frame, timed| {
            if timed && snapshot.is_none() {
                snapshot = Some(scene.stats::<Label>());
            }
            for (i, &id) in ids.iter().enumerate() {
                text(&mut buffer, i, frame);
                scene.set_text(id, &buffer).expect("set text");
            }
        },
    );
    let start = snapshot.expect("a timed frame");
    f.changes = start.rebuilds;
    (f.in_place, f.moved) = (start.rebuilds - start.resized_moved, start.resized_moved);
    f.glyphs_written = start.vertices_written as f64 / 4.0;
    // A label's vertices are 4 a glyph quad.
    let end = scene.stats::<Label>();
    f.changes = end.rebuilds - f.changes;
    let in_place = end.rebuilds - end.resized_moved;
    (f.in_place, f.moved) = (in_place - f.in_place, end.resized_moved - f.moved);
    f.glyphs_written = (end.vertices_written as f64 / 4.0 - f.glyphs_written) / f64::from(frames);
    for &id in &ids {
        let label = scene.get(id).expect("label");
        f.glyphs += label.text.chars().count();
        let list = scene.list(id).expect("list");
        f.quads += scene.batch_mut().vertex_count(list).expect("count") / 4;
    }
    let pixels = target.read_pixels().expect("read pixels");
    f.lit_pixels = pixels
        .chunks_exact(4)
        .filter(|p| p[0] | p[1] | p[2] != 0)
        .count();
    f
}

/// Label `i` of the trace with `text`.
fn label(layer: Layer, font: &Font, i: usize, text: &str) -> Label {
    let (x, y) = ((i % 10) * 128 + 4, ((i / 10) % 100) * 7 + 4);
    let colour = [(i * 37) % 256, (i * 91) % 256, (i * 53) % 256].map(|c| c as u8);
    Label::new(layer, text, font, SIZE, x as f32, y as f32).with_colour(colour)
}

/// Prints the table of one N: our figures, pyglet's (`peer`, its JSON fields) where it ran.
fn table(n: usize, frames: u32, ours: &Figures, peer: Option<&[(String, f64)]>) {
    let mut rows = ours.frames.rows(ours.create);
    rows[1].0 = "update ms (every text set)";
    rows.extend::<[Row; 9]>([
        ("characters", ours.glyphs as f64, "glyphs", 0),
        ("glyph quads (vertices / 4)", ours.quads as f64, "-", 0),
        (
            "text changes (timed frames)",
            ours.changes as f64,
            "changed_texts",
            0,
        ),
        (
            "  resized or rewritten in place",
            ours.in_place as f64,
            "-",
            0,
        ),
        ("  moved by a GPU copy", ours.moved as f64, "-", 0),
        ("glyphs written per frame", ours.glyphs_written, "-", 0),
        ("bytes uploaded per frame", ours.frames.uploaded, "-", 0),
        ("draw calls", ours.frames.draw_calls as f64, "draw_calls", 0),
        (
            "lit pixels (check)",
            ours.lit_pixels as f64,
            "lit_pixels",
            0,
        ),
    ]);
    println!(
        "\nN = {n} labels, one mixed layer, {WIDTH}x{HEIGHT}; per-frame figures are means of {frames} frames after {WARMUP}"
    );
    print_table(&rows, peer);
}

fn notes(with_pyglet: bool) {
    println!("\nNotes:");
    println!("- Both run headless on the same machine and context kind; llvmpipe draws on the CPU: vertex work runs inside the draw call on this thread and rasterising in glFinish, so submit, finish, frame and thread CPU hold GPU work for both libraries.");
    println!("- Our glyphs are kerned (DejaVu's kern table) and spaces take no quad; pyglet's FreeType path places each character by its rounded advance, without kerning, and gives every character a quad: the pictures differ by a pixel here and there, and lit pixels differ a little.");
    println!("- Our labels are in one mixed layer of a Scene (the layer that would hold sprites and shapes too), their glyphs in the scene's one atlas, drawn in one call.");
    println!("- Our update keeps each label's unchanged first glyphs and writes the rest; a label whose glyph count changed is resized in place when the space after it is free, else moved by a GPU copy.");
    println!("- The text changes are the labels' rebuilds (Scene::stats::<Label>().rebuilds); in place is rebuilds less resized_moved (the same glyph count, or resized where it lay), and glyphs written are vertices_written / 4.");
    if with_pyglet {
        println!("- pyglet's figures come from benches/peer/pyglet_text.py, run right after ours in the same process tree.");
    }
}

/// Runs the trace at each N beside the peer with `--pyglet`, and prints the tables.
fn main() {
    let usage = "usage: [--counts 1000,...] [--frames 30] [--pyglet]";
    side_by_side((vec![1000], FRAMES, usage), "text", run, table, notes);
}
