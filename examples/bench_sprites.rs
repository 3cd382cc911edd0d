//! Sprite benchmark, side by side with pyglet: a 640x480 framebuffer, 16x16 sprites of one
//! texture, N = 1k, 10k and 100k in one run. Per N: create time; per frame, averaged over 30
//! frames, moving every sprite (update), the CPU submit of the draw, and `glFinish`; then
//! deleting a random half and re-creating it.
//!
//! `cargo run --release --example bench_sprites -- [--counts 1000,10000,100000] [--pyglet]`
//! With `--pyglet`, `benches/peer/run_pyglet.sh sprites` runs pyglet 2.1.19 on the same
//! workload in the same run and its figures print beside ours.

use std::rc::Rc;
use std::time::{Duration, Instant};

use glow::HasContext;
use vertex_domain::backend::{AtlasBuilder, RenderTarget, TextureFilter};
use vertex_domain::batch::{Sprite, SpriteBatch, SpriteId};
use vertex_domain::headless::{HeadlessApi, HeadlessContext};

mod common;
use common::rng::Rng;

const WIDTH: u32 = 640;
const HEIGHT: u32 = 480;
const FRAMES: u32 = 30;

/// Milliseconds for each figure of one N.
#[derive(Debug, Default, Clone, Copy)]
struct Figures {
    create: f64,
    update: f64,
    submit: f64,
    finish: f64,
    delete_half: f64,
    recreate_half: f64,
    upload: f64,
    static_frame: f64,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn finish(ctx: &HeadlessContext) {
    // SAFETY: a plain command on the current context.
    unsafe { ctx.gl().finish() };
}

fn run(ctx: &HeadlessContext, n: usize) -> Figures {
    let target = RenderTarget::new(ctx.gl().clone(), WIDTH, HEIGHT).expect("render target");
    target.bind();
    let mut image = AtlasBuilder::new();
    let pixels: Vec<u8> = (0..16 * 16)
        .flat_map(|i| [255, i as u8, 128, 255])
        .collect();
    image.add(16, 16, &pixels).expect("image");
    let atlas = image
        .build(ctx.gl().clone(), TextureFilter::Nearest)
        .expect("atlas");
    let region = atlas.regions()[0];
    let mut sprites =
        SpriteBatch::new(ctx.gl(), *ctx.multi_draw(), WIDTH, HEIGHT).expect("sprite batch");
    let layer = sprites
        .add_layer(Rc::clone(atlas.texture()), 0)
        .expect("layer");
    let mut rng = Rng(0x5EED ^ n as u64);
    let mut positions: Vec<(f32, f32)> = (0..n)
        .map(|_| {
            (
                rng.range(0.0, (WIDTH - 16) as f32),
                rng.range(0.0, (HEIGHT - 16) as f32),
            )
        })
        .collect();
    let mut figures = Figures::default();

    finish(ctx);
    let started = Instant::now();
    let ids: Vec<SpriteId> = positions
        .iter()
        .map(|&(x, y)| sprites.add(Sprite::new(layer, region, x, y)).expect("add"))
        .collect();
    figures.create = ms(started.elapsed());

    let (mut update, mut submit, mut gpu) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut upload = Duration::ZERO;
    for frame in 0..FRAMES {
        target.clear([0.0, 0.0, 0.0, 1.0]).expect("clear");
        finish(ctx);
        let started = Instant::now();
        let dx = if frame % 2 == 0 { 1.0 } else { -1.0 };
        for (id, position) in ids.iter().zip(&mut positions) {
            position.0 += dx;
            sprites
                .set_position(*id, position.0, position.1)
                .expect("move");
        }
        let moved = Instant::now();
        sprites.batch_mut().flush().expect("flush");
        let flushed = Instant::now();
        sprites.draw().expect("draw");
        let submitted = Instant::now();
        upload += flushed - moved;
        finish(ctx);
        update += moved - started;
        submit += submitted - moved;
        gpu += submitted.elapsed();
    }
    figures.update = ms(update) / f64::from(FRAMES);
    figures.submit = ms(submit) / f64::from(FRAMES);
    figures.finish = ms(gpu) / f64::from(FRAMES);
    figures.upload = ms(upload) / f64::from(FRAMES);
    // The same frame with nothing changed: what llvmpipe needs to draw the sprites at all
    // (its vertex work runs inside the draw call, its rasterising until glFinish).
    let started = Instant::now();
    for _ in 0..FRAMES {
        target.clear([0.0, 0.0, 0.0, 1.0]).expect("clear");
        sprites.draw().expect("draw");
        finish(ctx);
    }
    figures.static_frame = ms(started.elapsed()) / f64::from(FRAMES);

    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let ids: Vec<SpriteId> = order.iter().map(|&i| ids[i]).collect();
    let positions: Vec<(f32, f32)> = order.iter().map(|&i| positions[i]).collect();
    let half = n / 2;
    let started = Instant::now();
    for &id in &ids[..half] {
        sprites.remove(id).expect("remove");
    }
    figures.delete_half = ms(started.elapsed());
    let started = Instant::now();
    for &(x, y) in &positions[..half] {
        sprites.add(Sprite::new(layer, region, x, y)).expect("add");
    }
    figures.recreate_half = ms(started.elapsed());
    assert_eq!(sprites.len(), n);
    figures
}

fn main() {
    let mut counts = vec![1_000, 10_000, 100_000];
    let mut with_pyglet = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--counts" => {
                counts = args
                    .next()
                    .map(|v| v.split(',').filter_map(|c| c.parse().ok()).collect())
                    .unwrap_or_default();
            }
            "--pyglet" => with_pyglet = true,
            other => {
                eprintln!("unknown argument {other}; usage: [--counts 1000,10000] [--pyglet]");
                std::process::exit(2);
            }
        }
    }
    let ctx = HeadlessContext::new(HeadlessApi::GlCore).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    println!("{} | {}", ctx.version(), ctx.renderer());
    let ours: Vec<(usize, Figures)> = counts.iter().map(|&n| (n, run(&ctx, n))).collect();
    let list: Vec<String> = counts.iter().map(usize::to_string).collect();
    let peer = if with_pyglet {
        common::pyglet(&["sprites", "--counts", &list.join(",")])
    } else {
        Vec::new()
    };

    println!("\n16x16 sprites, one texture, 640x480; per-frame figures are means of {FRAMES} frames (ms)");
    println!("| N | figure | vertex-domain | pyglet 2.1.19 | pyglet / ours |");
    println!("|---|---|---|---|---|");
    for (n, f) in &ours {
        let fields = peer
            .iter()
            .find(|f| common::field(f, "count") == Some(*n as f64));
        let rows = [
            ("create", f.create, "create_ms"),
            ("update (move all)", f.update, "update_ms"),
            ("submit (CPU)", f.submit, "submit_ms"),
            ("  of which our flush", f.upload, "-"),
            ("glFinish", f.finish, "finish_ms"),
            ("delete random half", f.delete_half, "delete_half_ms"),
            ("re-create half", f.recreate_half, "recreate_half_ms"),
        ];
        for (name, value, key) in rows {
            let theirs = fields.and_then(|f| common::field(f, key));
            let (p, ratio) = match theirs {
                Some(p) => (format!("{p:.3}"), format!("{:.0}x", p / value.max(1e-6))),
                None => ("-".into(), "-".into()),
            };
            println!("| {n} | {name} | {value:.3} | {p} | {ratio} |");
        }
    }
    println!("\n| N | frame (update + submit + glFinish) | glFinish alone | unchanged frame (draw + glFinish) | frame vs unchanged |");
    println!("|---|---|---|---|---|");
    for (n, f) in &ours {
        let frame = f.update + f.submit + f.finish;
        println!(
            "| {n} | {frame:.2} | {:.2} ({:+.1}%) | {:.2} | {:+.1}% |",
            f.finish,
            (frame / f.finish - 1.0) * 100.0,
            f.static_frame,
            (frame / f.static_frame - 1.0) * 100.0
        );
    }
}
