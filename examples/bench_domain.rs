//! Domain benchmark: 100k quads (4 vertices, 6 indices; position 2f, tex_coords 2f, colour
//! 4 u8 normalized) in one indexed domain on a headless context, timing:
//!
//! - creating and writing every quad (and flushing it to GL);
//! - rewriting every position and flushing;
//! - deleting a random half;
//! - and counting the draw calls that draw the whole domain.
//!
//! `cargo run --release --example bench_domain -- [--quads N] [--runs R] [--pyglet]`
//! With `--pyglet`, pyglet 2.1.19 runs the same workload through `benches/peer/run_pyglet.sh`
//! in the same run, and its figures print beside ours.

use std::time::{Duration, Instant};

use vertex_domain::backend::{Attribute, ComponentType, RenderTarget, VertexFormat};
use vertex_domain::domain::{IndexedVertexDomain, Primitive};
use vertex_domain::headless::{HeadlessApi, HeadlessContext};

mod common;
use common::rng::Rng;

const QUAD_INDICES: [u32; 6] = [0, 1, 2, 0, 2, 3];

fn quad(i: usize, offset: f32) -> [[f32; 2]; 4] {
    let x = (i % 320) as f32 * 2.0 + offset;
    let y = (i / 320) as f32 * 2.0;
    [[x, y], [x + 16.0, y], [x + 16.0, y + 16.0], [x, y + 16.0]]
}

struct Figures {
    create: Duration,
    rewrite: Duration,
    delete_half: Duration,
    draw_calls: usize,
}

fn run(ctx: &HeadlessContext, quads: usize) -> Figures {
    let format = VertexFormat::new(vec![
        Attribute::new("position", 0, 2, ComponentType::F32),
        Attribute::new("tex_coords", 1, 2, ComponentType::F32),
        Attribute::new("colour", 2, 4, ComponentType::U8).normalized(),
    ])
    .expect("valid format");
    let target = RenderTarget::new(ctx.gl(), 640, 480).expect("render target");
    target.bind();
    let mut domain = IndexedVertexDomain::new(ctx.gl(), ctx.multi_draw(), format, 16, 16)
        .expect("indexed domain");
    let tex: [[f32; 2]; 4] = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
    let colour = [[255u8, 255, 255, 255]; 4];

    let started = Instant::now();
    let mut lists = Vec::with_capacity(quads);
    for i in 0..quads {
        let list = domain.create(4, 6).expect("create");
        domain.write(list, 0, &quad(i, 0.0)).expect("position");
        domain.write(list, 1, &tex).expect("tex_coords");
        domain.write(list, 2, &colour).expect("colour");
        domain.write_indices(list, &QUAD_INDICES).expect("indices");
        lists.push(list);
    }
    domain.flush().expect("flush");
    ctx_finish(ctx);
    let create = started.elapsed();

    let started = Instant::now();
    for (i, &list) in lists.iter().enumerate() {
        domain.write(list, 0, &quad(i, 1.0)).expect("position");
    }
    domain.flush().expect("flush");
    ctx_finish(ctx);
    let rewrite = started.elapsed();

    let draw_calls = domain.draw(Primitive::Triangles).expect("draw");
    ctx_finish(ctx);

    Rng(0x5EED).shuffle(&mut lists);
    let started = Instant::now();
    for &list in &lists[..quads / 2] {
        domain.delete(list).expect("delete");
    }
    let delete_half = started.elapsed();
    Figures {
        create,
        rewrite,
        delete_half,
        draw_calls,
    }
}

/// `glFinish`, so a timing includes the GL work it caused.
fn ctx_finish(ctx: &HeadlessContext) {
    use glow::HasContext;
    // SAFETY: a plain command on the current context.
    unsafe { ctx.gl().finish() };
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    // Measure what a release build of a game does: no per-frame glGetError (the
    // dev-dependency's `fault-injection` feature would otherwise turn validation on).
    vertex_domain::backend::set_validation(false);
    let mut quads = 100_000;
    let mut runs = 5;
    let mut with_pyglet = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quads" => quads = args.next().and_then(|v| v.parse().ok()).expect("--quads N"),
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).expect("--runs R"),
            "--pyglet" => with_pyglet = true,
            other => panic!("unknown argument {other}; see the file's doc"),
        }
    }
    let ctx = HeadlessContext::new(HeadlessApi::GlCore).unwrap_or_else(|e| panic!("{e}"));
    println!("{} | {}", ctx.version(), ctx.renderer());
    // Best of `runs`: the machine is shared and noisy; the minimum is the least disturbed.
    let figures: Vec<Figures> = (0..runs).map(|_| run(&ctx, quads)).collect();
    let best = |f: fn(&Figures) -> Duration| figures.iter().map(f).min().map(ms).unwrap_or(0.0);
    let ours = [
        ("create + write all", best(|f| f.create), 25.0),
        ("rewrite positions + flush", best(|f| f.rewrite), 2.0),
        ("delete random half", best(|f| f.delete_half), 50.0),
    ];
    let draw_calls = figures[0].draw_calls;
    let peer = if with_pyglet {
        common::pyglet(&["domain", "--count", &quads.to_string()]).pop()
    } else {
        None
    };
    let peer_value = |key: &str| peer.as_deref().and_then(|p| common::field(p, key));
    let peer_keys = ["create_ms", "rewrite_ms", "delete_half_ms"];
    println!("\n{quads} quads, one indexed domain, best of {runs} runs (ms)");
    println!("| step | vertex-domain | target | pyglet 2.1.19 | pyglet / ours |");
    println!("|---|---|---|---|---|");
    for ((name, value, target), key) in ours.iter().zip(peer_keys) {
        let (p, ratio) = match peer_value(key) {
            Some(p) => (format!("{p:.1}"), format!("{:.0}x", p / value)),
            None => ("-".into(), "-".into()),
        };
        println!("| {name} | {value:.2} | <= {target} | {p} | {ratio} |");
    }
    let peer_calls = peer_value("draw_calls").map_or("-".into(), |c| format!("{c}"));
    println!("| draw calls for the domain | {draw_calls} | 1 | {peer_calls} | |");
}
