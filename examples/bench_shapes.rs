//! Shape benchmark, side by side with pyglet: the trace of `benches/peer/pyglet_shapes.py`
//! on the shapes of a [`Scene`], on the same machine in the same run. N shapes of the ten
//! kinds (shape i is kind i % 10) in one mixed world layer of one scene, on a 640x480
//! offscreen target of a headless GL core context. Per N: creating them; per frame,
//! averaged over `--frames` timed frames after 2 untimed ones, moving every shape (update),
//! the draw that uploads the moves and submits (submit), `glFinish`, and the thread's CPU
//! time over the frame; deleting the shapes with i % 4 in {1, 2}; one more frame after
//! that; the mesh sizes, draw calls and bytes uploaded per frame.
//!
//! `cargo run --release --example bench_shapes -- [--counts 10000] [--frames 30] [--pyglet]`
//! With `--pyglet`, `benches/peer/run_pyglet.sh shapes` runs pyglet 2.1.19 on the same
//! trace and its figures print beside ours.

use std::time::Instant;

use vertex_domain::backend::RenderTarget;
use vertex_domain::headless::HeadlessContext;
use vertex_domain::scene::{Item, Layer, Scene, Shape, ShapeId, ShapeKind};

/// The examples' shared harness: here, running the pyglet peer and reading its JSON.
mod common;
use common::bench::{finish, ms, print_table, side_by_side, timed_frames, Frames, Row, BLACK};

/// Framebuffer width, and the range of the shapes' base x.
const WIDTH: u32 = 640;
/// Framebuffer height, and the range of the shapes' base y.
const HEIGHT: u32 = 480;
/// Timed frames unless `--frames` says otherwise, as the peer's default.
const FRAMES: u32 = 30;
/// Untimed frames before the timed ones (the first draws compile llvmpipe's shader
/// variants), numbered f = 1..WARMUP as the peer numbers them.
const WARMUP: u32 = 2;

/// What one N measured: times in ms (per-frame ones are means over the timed frames),
/// counts as counted.
#[derive(Debug, Default, Clone, Copy)]
struct Figures {
    /// All N `Scene::add` calls.
    create: f64,
    /// The timed frames: `Scene::set_position` of every shape (update), `Scene::draw`,
    /// which flushes the staged moves and draws (submit), `glFinish`, the thread's CPU
    /// time, draw calls and bytes uploaded.
    frames: Frames,
    /// Removing the shapes with i % 4 in {1, 2}, in increasing i.
    delete_half: f64,
    /// Moving the remaining half in the frame after the delete.
    update_after: f64,
    /// The draw of that frame.
    submit_after: f64,
    /// Its `glFinish`.
    finish_after: f64,
    /// Vertices of the N shapes' lists.
    vertices: usize,
    /// Indices of the N shapes' lists.
    indices: usize,
    /// GL draw calls of the draw after the delete.
    draw_calls_after: usize,
    /// Vertices of the shapes left after the delete.
    vertices_after: usize,
    /// Bytes sent to GL in the frame after the delete.
    uploaded_after: u64,
    /// Non-black pixels after the timed frames (a check that the shapes drew).
    lit_pixels: usize,
}

/// Shape `i` of the trace in `layer`, as the peer's `spec` and `makers` make it: its kind,
/// colour (and a bordered rectangle's inverted border colour), base position and rotation.
fn shape(layer: Layer, i: usize) -> Shape {
    let (bx, by) = base(i);
    let kind = match i % 10 {
        0 => ShapeKind::Rectangle {
            width: 12.0,
            height: 8.0,
        },
        1 => ShapeKind::BorderedRectangle {
            width: 12.0,
            height: 8.0,
            border: 2.0,
        },
        2 => ShapeKind::Circle {
            radius: 6.0,
            segments: 16,
        },
        3 => ShapeKind::Ellipse {
            a: 8.0,
            b: 5.0,
            segments: 16,
        },
        4 => ShapeKind::Sector {
            radius: 7.0,
            angle: 270.0,
            start_angle: 0.0,
            segments: 16,
        },
        5 => ShapeKind::Arc {
            radius: 7.0,
            thickness: 2.0,
            angle: 270.0,
            start_angle: 0.0,
            segments: 16,
            closed: false,
        },
        6 => ShapeKind::Line {
            dx: 10.0,
            dy: 6.0,
            width: 2.0,
        },
        7 => ShapeKind::Triangle {
            points: [[0.0, 0.0], [10.0, 0.0], [5.0, 8.0]],
        },
        8 => ShapeKind::Polygon {
            points: vec![
                [0.0, 0.0],
                [10.0, 0.0],
                [12.0, 6.0],
                [5.0, 10.0],
                [-2.0, 6.0],
            ],
        },
        _ => ShapeKind::Star {
            outer_radius: 8.0,
            inner_radius: 4.0,
            spikes: 5,
        },
    };
    let colour = [(i * 37) % 256, (i * 91) % 256, (i * 53) % 256].map(|c| c as u8);
    Shape::new(layer, kind, bx, by)
        .with_colour(colour)
        .with_border_colour(colour.map(|c| 255 - c))
        .with_opacity(255)
        .rotated(((i * 13) % 360) as f32)
}

/// Shape `i`'s base position: `((i*37) % 640, (i*91) % 480)`.
fn base(i: usize) -> (f32, f32) {
    (
        ((i * 37) % WIDTH as usize) as f32,
        ((i * 91) % HEIGHT as usize) as f32,
    )
}

/// Frame `f`'s update: every live shape `(i, id)` to its base plus `(f % 16, 3f % 16)`.
fn move_all(scene: &mut Scene, live: &[(usize, ShapeId)], f: u32) {
    let (dx, dy) = ((f % 16) as f32, ((3 * f) % 16) as f32);
    for &(i, id) in live {
        let (bx, by) = base(i);
        scene.set_position(id, bx + dx, by + dy).expect("move");
    }
}

/// Runs the trace at `n` shapes for `frames` timed frames.
fn run(ctx: &HeadlessContext, n: usize, frames: u32) -> Figures {
    let target = RenderTarget::new(ctx.gl(), WIDTH, HEIGHT).expect("render target");
    target.bind();
    let mut scene = Scene::new(ctx.gl(), ctx.multi_draw(), WIDTH, HEIGHT).expect("scene");
    let layer = scene.add_layer(0).expect("layer");
    let shapes: Vec<Shape> = (0..n).map(|i| shape(layer, i)).collect();
    let mut f = Figures::default();

    target.clear(BLACK).expect("clear");
    finish(ctx);
    let started = Instant::now();
    let ids: Vec<ShapeId> = shapes
        .into_iter()
        .map(|s| scene.add(s).expect("add shape"))
        .collect();
    f.create = ms(started.elapsed());
    scene.draw().expect("draw");
    finish(ctx);

    for &id in &ids {
        let list = scene.list(id).expect("shape list");
        let inner = scene.batch_mut();
        f.vertices += inner.vertex_count(list).expect("vertex count");
        f.indices += inner.index_count(list).expect("index count");
    }
    let counted = (0..n)
        .map(|i| shape(layer, i).kind.counts())
        .fold((0, 0), |(v, x), (dv, dx)| (v + dv, x + dx));
    assert_eq!((f.vertices, f.indices), counted, "lists match their kinds");

    let mut live: Vec<(usize, ShapeId)> = ids.iter().copied().enumerate().collect();
    f.frames = timed_frames(
        ctx,
        &target,
        &mut scene,
        (WARMUP, frames),
        |scene, frame, _| move_all(scene, &live, frame),
    );
    let pixels = target.read_pixels().expect("read pixels");
    f.lit_pixels = pixels
        .chunks_exact(4)
        .filter(|p| p[0] | p[1] | p[2] != 0)
        .count();

    let (victims, kept): (Vec<_>, Vec<_>) =
        live.into_iter().partition(|(i, _)| matches!(i % 4, 1 | 2));
    live = kept;
    let started = Instant::now();
    for &(_, id) in &victims {
        scene.remove(id).expect("remove shape");
    }
    f.delete_half = ms(started.elapsed());
    assert_eq!(scene.count::<Shape>(), live.len());
    f.vertices_after = live
        .iter()
        .map(|&(i, _)| shape(layer, i).kind.counts().0)
        .sum();

    target.clear(BLACK).expect("clear");
    finish(ctx);
    let bytes0 = scene.batch().buffer_stats().uploaded_bytes;
    let t0 = Instant::now();
    move_all(&mut scene, &live, frames + 1);
    let t1 = Instant::now();
    let stats = scene.draw().expect("draw");
    let t2 = Instant::now();
    finish(ctx);
    let t3 = Instant::now();
    f.update_after = ms(t1 - t0);
    f.submit_after = ms(t2 - t1);
    f.finish_after = ms(t3 - t2);
    f.draw_calls_after = stats.draw_calls;
    f.uploaded_after = scene.batch().buffer_stats().uploaded_bytes - bytes0;
    f
}

/// Prints the table of one N: our figures, pyglet's (`peer`, its JSON fields) where it ran.
fn table(n: usize, frames: u32, ours: &Figures, peer: Option<&[(String, f64)]>) {
    let mut rows = ours.frames.rows(ours.create);
    rows.extend::<[Row; 13]>([
        ("delete half ms", ours.delete_half, "delete_half_ms", 2),
        (
            "update after delete ms",
            ours.update_after,
            "update_after_delete_ms",
            3,
        ),
        (
            "submit after delete ms",
            ours.submit_after,
            "submit_after_delete_ms",
            3,
        ),
        (
            "finish after delete ms",
            ours.finish_after,
            "finish_after_delete_ms",
            3,
        ),
        ("vertices", ours.vertices as f64, "vertices", 0),
        ("indices", ours.indices as f64, "indices", 0),
        ("draw calls", ours.frames.draw_calls as f64, "draw_calls", 0),
        (
            "draw calls after delete",
            ours.draw_calls_after as f64,
            "draw_calls_after_delete",
            0,
        ),
        (
            "bytes uploaded per frame (ours)",
            ours.frames.uploaded,
            "-",
            0,
        ),
        (
            "  the moved translations alone (8 B a vertex)",
            8.0 * ours.vertices as f64,
            "-",
            0,
        ),
        (
            "bytes uploaded after delete (ours)",
            ours.uploaded_after as f64,
            "-",
            0,
        ),
        (
            "  the moved translations alone (8 B a vertex)",
            8.0 * ours.vertices_after as f64,
            "-",
            0,
        ),
        (
            "lit pixels (check)",
            ours.lit_pixels as f64,
            "lit_pixels",
            0,
        ),
    ]);
    println!(
        "\nN = {n} shapes of 10 kinds, one mixed layer, 640x480; per-frame figures are means of {frames} frames after {WARMUP}"
    );
    print_table(&rows, peer);
}

/// The notes under the tables.
fn notes(with_pyglet: bool) {
    println!("\nNotes:");
    println!("- llvmpipe runs vertex fetch and shading inside the draw call, on the calling thread: on this machine submit and thread CPU include that GPU work (rasterising happens in llvmpipe's threads, until glFinish).");
    println!("- Our submit is Scene::draw, which first sends the frame's staged translation writes to GL; pyglet's batch.draw() likewise includes its upload of the moves.");
    println!("- Our shapes are in one mixed layer of a Scene, the layer that would hold sprites and labels too, drawn in one call. Every vertex of a scene is 24 bytes (position, translation, texel coordinates, colour: shapes read the atlas's white texel, so that every kind shares one format and program); creating writes all of them, a move the 8-byte translation alone.");
    println!("- Each shape's rotation is set in the Shape before Scene::add; pyglet sets shape.rotation after creating the shape, a second step inside its create time.");
    println!("- Vertex counts differ by design: pyglet draws 8 of the 10 kinds as non-indexed triangle lists (3 vertices per triangle, e.g. 48 for a 16-segment circle), and only BorderedRectangle and Polygon are indexed; every shape of ours is an indexed mesh of shared vertices, so we store (and move) fewer vertices and more indices.");
    println!("- delete half removes the shapes with i % 4 in {{1, 2}} in increasing i; the frame after it uses f = frames + 1 and is one frame, not a mean: expect noise there.");
    println!("- Bytes uploaded are the buffers' uploaded_bytes (what reaches GL from the CPU mirrors, on the default stream path). Dirty spans less than 4 KiB apart are sent as one, and a freed shape's translations are far smaller than that: the frame after the delete uploads the freed lists between the live ones too, about as much as a full frame, in one copy.");
    println!("- Thread CPU is getrusage(RUSAGE_THREAD), which this kernel counts in scheduler ticks: one frame's reading is coarse, the mean over the frames is not.");
    if with_pyglet {
        println!("- pyglet's figures come from benches/peer/pyglet_shapes.py, run in the same process tree right after ours; pyglet draws in 2 calls (a non-indexed and an indexed domain).");
    }
}

/// Runs the trace at each N beside the peer with `--pyglet`, and prints the tables.
fn main() {
    let usage = "usage: [--counts 10000,...] [--frames 30] [--pyglet]";
    side_by_side((vec![10_000], FRAMES, usage), "shapes", run, table, notes);
}
