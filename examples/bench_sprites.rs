//! Sprite benchmark, side by side with pyglet: a 640x480 framebuffer, 16x16 sprites of one
//! image, N = 1k, 10k and 100k in one run, for both ways a [`Scene`] keeps images on quads:
//! [`Sprite`]s in a mixed layer (4 vertices each, the layer that holds shapes and labels
//! too) and [`Particle`]s in a particle layer (one instance each, drawn instanced). Per N:
//! create time; per frame, averaged over 30 frames after 2 untimed ones, moving every
//! sprite (update), the CPU submit of the draw, and `glFinish`; then deleting a random half
//! and re-creating it.
//!
//! The vertex stage is timed alone too: the same unchanged frame drawn with
//! `GL_RASTERIZER_DISCARD`, so that llvmpipe runs vertex fetch, shading and primitive
//! assembly but rasterises nothing.
//!
//! Beside ours it times the floor every client pays on this driver: the same vertices,
//! indices, program, texture and blending drawn by one bare `glDrawElements` from buffers
//! uploaded once (see [`bare`]). On llvmpipe the draw call itself runs the vertex shader,
//! triangle setup and binning, so a submit can never cost less than that floor; what we
//! add on top of it is our CPU work.
//!
//! With `--streams`, it times instead how a frame's writes reach GL on each stream path
//! (`map`, the path before streams; `subdata`; `orphan`; `ring`) at N = 100k (or
//! `--counts`), sprites and particles: per frame the CPU time of update, flush and submit,
//! the GPU time of the frame's GL work (a `GL_TIME_ELAPSED` query around flush and draw),
//! the calling thread's CPU time (`getrusage(RUSAGE_THREAD)`), minor page faults of the
//! thread and of the process, and the stream's statistics; and the one-off upload, creating
//! N sprites and drawing the first frame.
//!
//! With `--order`, it times what order within a layer costs at N = 10k and 100k (or
//! `--counts`), sprites and particles: a frame that moves every sprite, a frame that also
//! churns 1% of them (removed, and as many added at random z, out of order), and a frame
//! that gives every sprite a new z (the whole layer reshuffled), each on an ordered layer
//! (the default) and on the same layer with its order turned off.
//!
//! `cargo run --release --example bench_sprites -- [--counts 1000,10000,100000] [--streams] [--order] [--pyglet]`
//! With `--pyglet`, `benches/peer/run_pyglet.sh sprites` runs pyglet 2.1.19 on the same
//! workload in the same run and its figures print beside ours.

use std::time::{Duration, Instant};

use glow::HasContext;
use vertex_domain::backend::{RenderTarget, StreamConfig, StreamPath, StreamStats};
use vertex_domain::headless::{HeadlessApi, HeadlessContext};
use vertex_domain::scene::{
    Camera, Image, Item, ItemId, Layer, Mixed, Particle, Particles, Scene, SceneItem, Sprite,
};

mod common;
use common::rng::Rng;

const WIDTH: u32 = 640;
const HEIGHT: u32 = 480;
const FRAMES: u32 = 30;
/// Untimed frames before the timed ones (the first draw compiles llvmpipe's shader
/// variants), as the pyglet peer does.
const WARMUP: u32 = 2;

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
    camera_frame: f64,
    camera_bytes: f64,
    vertex_stage: f64,
    bare_draw: f64,
    bare_finish: f64,
}

/// A kind of the scene to benchmark: its layer, its item, and the bare-GL floor (which
/// draws the sprites' vertex layout with their program) beside it.
trait Store {
    /// Its column in the tables.
    const NAME: &'static str;
    /// What its layers hold.
    type Holds;
    /// Its item.
    type Item: SceneItem + Item;
    /// A layer for it at order 0.
    fn layer(scene: &mut Scene) -> Layer<Self::Holds>;
    /// `image` with its bottom left corner at `(x, y)` in `layer`.
    fn item(layer: Layer<Self::Holds>, image: Image, x: f32, y: f32) -> Self::Item;
    /// The bare-GL floor of these items (`ids`, at `positions`), drawn after a draw of the
    /// scene; `None` where it does not run.
    fn bare(
        scene: &mut Scene,
        ids: &[ItemId<Self::Item>],
        positions: &[(f32, f32)],
    ) -> Option<bare::Sprites>;
}

/// Sprites in a mixed layer: 4 vertices each.
struct MixedLayer;

impl Store for MixedLayer {
    const NAME: &'static str = "sprites";
    type Holds = Mixed;
    type Item = Sprite;
    fn layer(scene: &mut Scene) -> Layer {
        scene.add_layer(0).expect("layer")
    }
    fn item(layer: Layer, image: Image, x: f32, y: f32) -> Sprite {
        Sprite::new(layer, image, x, y)
    }
    fn bare(
        scene: &mut Scene,
        ids: &[ItemId<Sprite>],
        positions: &[(f32, f32)],
    ) -> Option<bare::Sprites> {
        // The atlas texels of the one image, as the first sprite's vertices hold them.
        let list = scene.list(*ids.first()?).expect("list");
        let texels = scene.batch_mut().read::<[u16; 2]>(list, "tex_coords");
        let texels: [[u16; 2]; 4] = texels.expect("texels").try_into().expect("4 corners");
        Some(bare::Sprites::new(scene.batch().gl(), positions, texels))
    }
}

/// Particles in a particle layer: one instance each.
struct ParticleLayer;

impl Store for ParticleLayer {
    const NAME: &'static str = "particles";
    type Holds = Particles;
    type Item = Particle;
    fn layer(scene: &mut Scene) -> Layer<Particles> {
        scene.add_particle_layer(0).expect("particle layer")
    }
    fn item(layer: Layer<Particles>, image: Image, x: f32, y: f32) -> Particle {
        Particle::new(layer, image, x, y)
    }
    fn bare(_: &mut Scene, _: &[ItemId<Particle>], _: &[(f32, f32)]) -> Option<bare::Sprites> {
        None
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn finish(ctx: &HeadlessContext) {
    // SAFETY: a plain command on the current context.
    unsafe { ctx.gl().finish() };
}

/// The one 16x16 image every sprite shows, added to `scene`'s atlas.
fn image(scene: &mut Scene) -> Image {
    let pixels: Vec<u8> = (0..16 * 16)
        .flat_map(|i| [255, i as u8, 128, 255])
        .collect();
    scene.add_image(16, 16, &pixels).expect("image")
}

/// `n` random sprite positions inside the framebuffer.
fn scattered(rng: &mut Rng, n: usize) -> Vec<(f32, f32)> {
    (0..n)
        .map(|_| {
            (
                rng.range(0.0, (WIDTH - 16) as f32),
                rng.range(0.0, (HEIGHT - 16) as f32),
            )
        })
        .collect()
}

/// Adds an item of `image` in `layer` at each of `positions`.
fn add_all<S: Store>(
    scene: &mut Scene,
    layer: Layer<S::Holds>,
    image: Image,
    positions: &[(f32, f32)],
) -> Vec<ItemId<S::Item>> {
    positions
        .iter()
        .map(|&(x, y)| scene.add(S::item(layer, image, x, y)).expect("add"))
        .collect()
}

/// Moves every item one pixel, right on even frames and left on odd ones.
fn move_all<K: SceneItem>(
    scene: &mut Scene,
    ids: &[ItemId<K>],
    positions: &mut [(f32, f32)],
    frame: u32,
) {
    let dx = if frame % 2 == 0 { 1.0 } else { -1.0 };
    for (id, position) in ids.iter().zip(positions) {
        position.0 += dx;
        scene
            .set_position(*id, position.0, position.1)
            .expect("move");
    }
}

/// What every section measures on: a bound framebuffer, a scene streaming by `stream` with
/// the one image in its atlas and one layer of the store's kind, and `n` random positions
/// from a seeded `rng`.
struct Setup<S: Store> {
    target: RenderTarget,
    image: Image,
    scene: Scene,
    layer: Layer<S::Holds>,
    rng: Rng,
    positions: Vec<(f32, f32)>,
}

impl<S: Store> Setup<S> {
    fn new(ctx: &HeadlessContext, n: usize, stream: StreamConfig) -> Self {
        let target = RenderTarget::new(ctx.gl(), WIDTH, HEIGHT).expect("render target");
        target.bind();
        let mut scene = Scene::new(ctx.gl(), ctx.multi_draw(), WIDTH, HEIGHT).expect("scene");
        scene
            .batch_mut()
            .set_stream_config(stream)
            .expect("stream path");
        let image = image(&mut scene);
        let layer = S::layer(&mut scene);
        let mut rng = Rng(0x5EED ^ n as u64);
        let positions = scattered(&mut rng, n);
        Setup {
            target,
            image,
            scene,
            layer,
            rng,
            positions,
        }
    }
}

fn run<S: Store>(ctx: &HeadlessContext, n: usize) -> Figures {
    let Setup {
        target,
        image,
        mut scene,
        layer,
        mut rng,
        mut positions,
    } = Setup::<S>::new(ctx, n, StreamConfig::default());
    let mut figures = Figures::default();

    finish(ctx);
    let started = Instant::now();
    let ids = add_all::<S>(&mut scene, layer, image, &positions);
    figures.create = ms(started.elapsed());

    let (mut update, mut submit, mut gpu) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut upload = Duration::ZERO;
    // The floor is drawn after each of our frames, so both see the same machine state.
    let bare = S::bare(&mut scene, &ids, &positions);
    let (mut bare_draw, mut bare_finish) = (Duration::ZERO, Duration::ZERO);
    for frame in 0..WARMUP + FRAMES {
        if frame == WARMUP {
            (update, submit, gpu, upload) = Default::default();
            (bare_draw, bare_finish) = Default::default();
        }
        target.clear([0.0, 0.0, 0.0, 1.0]).expect("clear");
        finish(ctx);
        let started = Instant::now();
        move_all(&mut scene, &ids, &mut positions, frame);
        let moved = Instant::now();
        scene.batch_mut().flush().expect("flush");
        let flushed = Instant::now();
        scene.draw().expect("draw");
        let submitted = Instant::now();
        upload += flushed - moved;
        finish(ctx);
        update += moved - started;
        submit += submitted - moved;
        gpu += submitted.elapsed();

        if let Some(bare) = &bare {
            // The scene's draw left its atlas bound to unit 0 and its view block bound.
            let atlas = bare::bound_texture(ctx.gl());
            target.clear([0.0, 0.0, 0.0, 1.0]).expect("clear");
            finish(ctx);
            let started = Instant::now();
            bare.draw(scene.program(), atlas);
            let submitted = Instant::now();
            finish(ctx);
            bare_draw += submitted - started;
            bare_finish += submitted.elapsed();
        }
    }
    drop(bare);
    figures.bare_draw = ms(bare_draw) / f64::from(FRAMES);
    figures.bare_finish = ms(bare_finish) / f64::from(FRAMES);
    figures.update = ms(update) / f64::from(FRAMES);
    figures.submit = ms(submit) / f64::from(FRAMES);
    figures.finish = ms(gpu) / f64::from(FRAMES);
    figures.upload = ms(upload) / f64::from(FRAMES);
    // The same frame with nothing changed: what llvmpipe needs to draw the sprites at all
    // (its vertex work runs inside the draw call, its rasterising until glFinish).
    let started = Instant::now();
    for _ in 0..FRAMES {
        target.clear([0.0, 0.0, 0.0, 1.0]).expect("clear");
        scene.draw().expect("draw");
        finish(ctx);
    }
    figures.static_frame = ms(started.elapsed()) / f64::from(FRAMES);
    // Panning the camera instead of moving the sprites: the view block (64 bytes, outside
    // the batch's buffers) written once a frame, no vertex upload.
    let uploaded = scene.batch().buffer_stats().uploaded_bytes;
    let started = Instant::now();
    for frame in 0..FRAMES {
        target.clear([0.0, 0.0, 0.0, 1.0]).expect("clear");
        let camera = Camera {
            pan: [frame as f32, 0.5 * frame as f32],
            ..Camera::default()
        };
        scene.set_camera(camera).expect("camera");
        scene.draw().expect("draw");
        finish(ctx);
    }
    figures.camera_frame = ms(started.elapsed()) / f64::from(FRAMES);
    let panned = scene.batch().buffer_stats().uploaded_bytes - uploaded;
    figures.camera_bytes = panned as f64 / f64::from(FRAMES);
    scene.set_camera(Camera::default()).expect("camera");
    // SAFETY: plain state changes on the current context.
    unsafe { ctx.gl().enable(glow::RASTERIZER_DISCARD) };
    let started = Instant::now();
    for _ in 0..FRAMES {
        scene.draw().expect("draw");
        finish(ctx);
    }
    figures.vertex_stage = ms(started.elapsed()) / f64::from(FRAMES);
    // SAFETY: as above.
    unsafe { ctx.gl().disable(glow::RASTERIZER_DISCARD) };

    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let ids: Vec<ItemId<S::Item>> = order.iter().map(|&i| ids[i]).collect();
    let positions: Vec<(f32, f32)> = order.iter().map(|&i| positions[i]).collect();
    let half = n / 2;
    let started = Instant::now();
    for &id in &ids[..half] {
        scene.remove(id).expect("remove");
    }
    figures.delete_half = ms(started.elapsed());
    let started = Instant::now();
    for &(x, y) in &positions[..half] {
        scene.add(S::item(layer, image, x, y)).expect("add");
    }
    figures.recreate_half = ms(started.elapsed());
    assert_eq!(scene.count::<S::Item>(), n);
    figures
}

fn main() {
    // Measure what a release build of a game does: no per-frame glGetError (the
    // dev-dependency's `fault-injection` feature would otherwise turn validation on).
    vertex_domain::backend::set_validation(false);
    let mut counts = vec![1_000, 10_000, 100_000];
    let mut with_pyglet = false;
    let mut paths = false;
    let mut order = false;
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
            "--streams" => paths = true,
            "--order" => order = true,
            other => {
                eprintln!(
                    "unknown argument {other}; usage: [--counts 1000,10000] [--streams] [--order] [--pyglet]"
                );
                std::process::exit(2);
            }
        }
    }
    let ctx = HeadlessContext::new(HeadlessApi::GlCore).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    println!("{} | {}", ctx.version(), ctx.renderer());
    println!("(llvmpipe runs vertex work inside the draw call and rasterises until glFinish: no figure here is a GPU figure)");
    if order {
        let counts = if counts == [1_000, 10_000, 100_000] {
            vec![10_000, 100_000]
        } else {
            counts
        };
        return order_table(&ctx, &counts);
    }
    if paths {
        let counts = if counts == [1_000, 10_000, 100_000] {
            vec![100_000]
        } else {
            counts
        };
        return stream_table(&ctx, &counts, with_pyglet);
    }
    let ours: Vec<(usize, Figures, Figures)> = counts
        .iter()
        .map(|&n| (n, run::<MixedLayer>(&ctx, n), run::<ParticleLayer>(&ctx, n)))
        .collect();
    let list: Vec<String> = counts.iter().map(usize::to_string).collect();
    let peer = if with_pyglet {
        common::pyglet(&["sprites", "--counts", &list.join(",")])
    } else {
        Vec::new()
    };

    println!(
        "\n16x16 sprites, one image, 640x480; per-frame figures are means of {FRAMES} frames (ms)"
    );
    println!("| N | figure | sprites (mixed layer) | particles (particle layer) | particles / sprites | pyglet 2.1.19 | pyglet / particles |");
    println!("|---|---|---|---|---|---|---|");
    for (n, q, i) in &ours {
        let fields = peer
            .iter()
            .find(|f| common::field(f, "count") == Some(*n as f64));
        let figure = |f: &Figures, name: &str| match name {
            "create" => f.create,
            "update" => f.update,
            "submit" => f.submit,
            "flush" => f.upload,
            "finish" => f.finish,
            "frame" => f.update + f.submit + f.finish,
            "static" => f.static_frame,
            "camera" => f.camera_frame,
            "camera bytes" => f.camera_bytes,
            "vertex" => f.vertex_stage,
            "delete" => f.delete_half,
            _ => f.recreate_half,
        };
        let rows = [
            ("create", "create", "create_ms"),
            ("update (move all)", "update", "update_ms"),
            ("submit (CPU)", "submit", "submit_ms"),
            ("  of which our flush", "flush", "-"),
            ("glFinish", "finish", "finish_ms"),
            ("frame (update + submit + glFinish)", "frame", "-"),
            ("unchanged frame (draw + glFinish)", "static", "-"),
            (
                "camera pan frame (set_camera + draw + glFinish)",
                "camera",
                "-",
            ),
            ("  bytes uploaded per pan frame", "camera bytes", "-"),
            ("  vertex stage alone (rasterizer discard)", "vertex", "-"),
            ("delete random half", "delete", "delete_half_ms"),
            ("re-create half", "recreate", "recreate_half_ms"),
        ];
        for (name, key, peer_key) in rows {
            let (sprites, particles) = (figure(q, key), figure(i, key));
            let theirs = fields.and_then(|f| common::field(f, peer_key));
            let (p, ratio) = match theirs {
                Some(p) => (
                    format!("{p:.3}"),
                    format!("{:.0}x", p / particles.max(1e-6)),
                ),
                None => ("-".into(), "-".into()),
            };
            println!(
                "| {n} | {name} | {sprites:.3} | {particles:.3} | {:.2}x | {p} | {ratio} |",
                particles / sprites.max(1e-6)
            );
        }
    }
    println!("\n| N | store | frame | unchanged frame | vertex stage share of unchanged frame | bare GL frame (sprites' vertices, glDrawElements + glFinish) | frame vs bare GL frame |");
    println!("|---|---|---|---|---|---|---|");
    for (n, q, i) in &ours {
        let bare = q.bare_draw + q.bare_finish;
        for (store, f) in [(MixedLayer::NAME, q), (ParticleLayer::NAME, i)] {
            let frame = f.update + f.submit + f.finish;
            println!(
                "| {n} | {store} | {frame:.2} | {:.2} | {:.0}% | {bare:.2} | {:+.1}% |",
                f.static_frame,
                f.vertex_stage / f.static_frame * 100.0,
                (frame / bare - 1.0) * 100.0
            );
        }
    }
    notes();
}

/// The notes under the main tables.
fn notes() {
    println!("\nNotes:");
    println!("- Sprites are 4 vertices of 24 bytes each in a mixed layer of a Scene (position, translation, atlas texels, colour), and a move writes their 4 translations, 32 bytes; particles are one 44-byte instance record each in a particle layer, and a move writes its translation, 8 bytes. Each layer draws in one call.");
    println!("- The image is in the scene's atlas, which samples linearly: earlier versions of this benchmark sampled a texture of their own, nearest, so glFinish and the frames hold a little more texturing work than theirs.");
    println!("- A camera pan writes the scene's view block, 64 bytes of a uniform buffer outside the batch's buffers: bytes uploaded per pan frame counts the batch's buffers alone, as before (then the pan set two uniforms), and stays 0.");
    println!("- The bare GL frame draws the sprites' own vertex format with the scene's program, atlas and blending (premultiplied alpha), so it runs beside the sprites alone; the particles' frame is compared with the same floor.");
}

/// `count` of the timed frames, per frame.
fn per_frame(f: &streams::PathFigures, count: u64) -> f64 {
    count as f64 / f.stats.frames.max(1) as f64
}

/// Runs `--streams` and prints its table.
fn stream_table(ctx: &HeadlessContext, counts: &[usize], with_pyglet: bool) {
    let list: Vec<String> = counts.iter().map(usize::to_string).collect();
    let peer = if with_pyglet {
        common::pyglet(&["sprites", "--counts", &list.join(","), "--frames", "20"])
    } else {
        Vec::new()
    };
    type Figure = fn(&streams::PathFigures) -> f64;
    let rows: [(&str, Figure, &str); 19] = [
        (
            "create N + first frame",
            |f| f.create_and_first_frame,
            "create_ms",
        ),
        ("update (move all)", |f| f.update, "update_ms"),
        ("flush (CPU)", |f| f.flush, "-"),
        ("submit (CPU: groups, draws, fence)", |f| f.submit, "-"),
        (
            "CPU: update + flush + submit",
            |f| f.update + f.flush + f.submit,
            "update_ms+submit_ms",
        ),
        (
            "GPU time, moving frame (GL_TIME_ELAPSED)",
            |f| f.gpu,
            "gpu_ms",
        ),
        ("GPU time, unchanged frame", |f| f.static_gpu, "-"),
        (
            "moving / unchanged GPU time",
            |f| f.gpu / f.static_gpu.max(1e-9),
            "-",
        ),
        ("glFinish after submit", |f| f.finish, "finish_ms"),
        (
            "thread CPU time per frame (getrusage)",
            |f| f.thread_cpu,
            "thread_cpu_ms",
        ),
        (
            "minor faults / frame, thread",
            |f| f.thread_faults,
            "thread_faults_per_frame",
        ),
        (
            "minor faults / frame, process",
            |f| f.process_faults,
            "process_faults_per_frame",
        ),
        (
            "KiB / frame through staging",
            |f| per_frame(f, f.stats.staged_bytes) / 1024.0,
            "-",
        ),
        (
            "KiB / frame written in place",
            |f| per_frame(f, f.stats.in_place_bytes + f.stats.direct_bytes) / 1024.0,
            "-",
        ),
        (
            "writes into buffers in use / frame",
            |f| per_frame(f, f.stats.in_use_writes),
            "-",
        ),
        (
            "ring wraps (all timed frames)",
            |f| f.stats.ring_wraps as f64,
            "-",
        ),
        (
            "fence waits (all timed frames)",
            |f| f.stats.fence_waits as f64,
            "-",
        ),
        (
            "  time in them (ms, all frames)",
            |f| f.stats.fence_wait_ns as f64 / 1e6,
            "-",
        ),
        (
            "  of which for a frame <= K old",
            |f| f.stats.early_waits as f64,
            "-",
        ),
    ];
    println!("
{} moving 16x16 sprites, one image, 640x480; per-frame figures are means of 20 frames after 3 (ms unless named)", list.join(", "));
    println!(
        "| N | store | figure | map (before streams) | subdata | orphan | ring | pyglet 2.1.19 |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for &n in counts {
        let fields = peer
            .iter()
            .find(|f| common::field(f, "count") == Some(n as f64));
        for store in [MixedLayer::NAME, ParticleLayer::NAME] {
            // Untimed: the first scene of a process compiles llvmpipe's shader variants and
            // grows the heap, which would count against whichever path ran first.
            match store {
                MixedLayer::NAME => {
                    streams::run::<MixedLayer>(ctx, n.min(10_000), StreamPath::Ring)
                }
                _ => streams::run::<ParticleLayer>(ctx, n.min(10_000), StreamPath::Ring),
            };
            let figures: Vec<streams::PathFigures> = [
                StreamPath::Map,
                StreamPath::SubData,
                StreamPath::Orphan,
                StreamPath::Ring,
            ]
            .into_iter()
            .map(|path| match store {
                MixedLayer::NAME => streams::run::<MixedLayer>(ctx, n, path),
                _ => streams::run::<ParticleLayer>(ctx, n, path),
            })
            .collect();
            for (name, figure, peer_key) in rows {
                let ours: Vec<String> = figures
                    .iter()
                    .map(|f| format!("{:.3}", figure(f)))
                    .collect();
                let theirs = match (store, fields) {
                    (MixedLayer::NAME, Some(fields)) => peer_key
                        .split('+')
                        .map(|k| common::field(fields, k))
                        .sum::<Option<f64>>()
                        .map_or("-".to_owned(), |v| format!("{v:.3}")),
                    _ => "-".to_owned(),
                };
                println!(
                    "| {n} | {store} | {name} | {} | {theirs} |",
                    ours.join(" | ")
                );
            }
        }
    }
    println!("
pyglet's create is the sprites alone (it uploads them in its first draw); its submit holds its upload, so it stands under CPU: update + flush + submit. llvmpipe times a query on the CPU that runs the commands: no GPU time here is a GPU figure.");
}

/// The floor: sprite vertices drawn the cheapest way a client can, to tell the driver's cost
/// of a draw from ours. The same vertex format, program, atlas and blending as the sprites of
/// a scene's mixed layer, uploaded once, drawn by one `glDrawElements` with no batch in
/// between.
mod bare {
    use glow::HasContext;
    use vertex_domain::backend::Program;

    /// The texture bound to unit 0's `GL_TEXTURE_2D`: after a scene's draw, its atlas (the
    /// scene has no accessor for it).
    pub fn bound_texture(gl: &glow::Context) -> Option<glow::Texture> {
        // SAFETY: plain state queries on the current context.
        unsafe {
            gl.active_texture(glow::TEXTURE0);
            gl.get_parameter_texture(glow::TEXTURE_BINDING_2D)
        }
    }

    /// GL objects of one upload, deleted on drop (with the context current).
    pub struct Sprites {
        gl: std::sync::Arc<glow::Context>,
        vao: glow::VertexArray,
        buffers: Vec<glow::Buffer>,
        indices: i32,
    }

    impl Sprites {
        /// Uploads 16x16 quads at `positions` reading the atlas at `texels` (its corners
        /// counter-clockwise from the bottom left, as a sprite's vertices hold them),
        /// untinted.
        pub fn new(
            gl: &std::sync::Arc<glow::Context>,
            positions: &[(f32, f32)],
            texels: [[u16; 2]; 4],
        ) -> Self {
            let n = positions.len();
            let corners: Vec<[f32; 2]> = (0..n)
                .flat_map(|_| [[0.0, 0.0], [16.0, 0.0], [16.0, 16.0], [0.0, 16.0]])
                .collect();
            let translations: Vec<[f32; 2]> =
                positions.iter().flat_map(|&(x, y)| [[x, y]; 4]).collect();
            let tex: Vec<[u16; 2]> = (0..n).flat_map(|_| texels).collect();
            let colour = vec![[255u8; 4]; n * 4];
            let indices: Vec<u32> = (0..n as u32)
                .flat_map(|i| [0, 1, 3, 3, 1, 2].map(|k| 4 * i + k))
                .collect();
            // Attribute locations as the scene binds them: position, translation,
            // tex_coords (texels), colour.
            let streams: [(&[u8], i32, u32, bool); 4] = [
                (bytemuck::cast_slice(&corners), 2, glow::FLOAT, false),
                (bytemuck::cast_slice(&translations), 2, glow::FLOAT, false),
                (bytemuck::cast_slice(&tex), 2, glow::UNSIGNED_SHORT, false),
                (bytemuck::cast_slice(&colour), 4, glow::UNSIGNED_BYTE, true),
            ];
            // SAFETY: plain object creation and uploads on the current context, from slices
            // that outlive the calls; every attribute reads inside its buffer.
            unsafe {
                let vao = gl.create_vertex_array().expect("vertex array");
                gl.bind_vertex_array(Some(vao));
                let mut buffers = Vec::new();
                for (location, (bytes, size, kind, normalized)) in streams.into_iter().enumerate() {
                    let buffer = gl.create_buffer().expect("buffer");
                    gl.bind_buffer(glow::ARRAY_BUFFER, Some(buffer));
                    gl.buffer_data_u8_slice(glow::ARRAY_BUFFER, bytes, glow::STATIC_DRAW);
                    gl.enable_vertex_attrib_array(location as u32);
                    gl.vertex_attrib_pointer_f32(location as u32, size, kind, normalized, 0, 0);
                    buffers.push(buffer);
                }
                let element = gl.create_buffer().expect("buffer");
                gl.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, Some(element));
                gl.buffer_data_u8_slice(
                    glow::ELEMENT_ARRAY_BUFFER,
                    bytemuck::cast_slice(&indices),
                    glow::STATIC_DRAW,
                );
                buffers.push(element);
                gl.bind_vertex_array(None);
                gl.bind_buffer(glow::ARRAY_BUFFER, None);
                Sprites {
                    gl: gl.clone(),
                    vao,
                    buffers,
                    indices: indices.len() as i32,
                }
            }
        }

        /// One frame's draw: the program and atlas a scene's layer sets (its uniforms and
        /// the view block stay as the scene's last draw left them), blending, then one call.
        pub fn draw(&self, program: &Program, atlas: Option<glow::Texture>) {
            program.use_program();
            let gl = &self.gl;
            // SAFETY: objects of this context; the element buffer holds `indices` indices,
            // all below the vertex count.
            unsafe {
                gl.active_texture(glow::TEXTURE0);
                gl.bind_texture(glow::TEXTURE_2D, atlas);
                gl.enable(glow::BLEND);
                gl.blend_func(glow::ONE, glow::ONE_MINUS_SRC_ALPHA);
                gl.bind_vertex_array(Some(self.vao));
                gl.draw_elements(glow::TRIANGLES, self.indices, glow::UNSIGNED_INT, 0);
                gl.bind_vertex_array(None);
                gl.disable(glow::BLEND);
                gl.use_program(None);
            }
        }
    }

    impl Drop for Sprites {
        fn drop(&mut self) {
            // SAFETY: deleting objects this value created, on their context.
            unsafe {
                self.gl.delete_vertex_array(self.vao);
                for &buffer in &self.buffers {
                    self.gl.delete_buffer(buffer);
                }
            }
        }
    }
}

/// `--streams`: one frame's writes on each stream path, side by side.
mod streams {
    use std::time::{Duration, Instant};

    use super::add_all;
    use glow::HasContext;
    use vertex_domain::headless::HeadlessContext;

    use super::StreamStats;
    use super::{finish, move_all, ms, Setup, Store, StreamConfig, StreamPath};

    /// Timed frames per path (after the warm-up ones).
    const FRAMES: u32 = 20;
    /// Untimed frames first: they create the staging ring and llvmpipe's shader variants.
    const WARMUP: u32 = 3;

    /// One path's figures at one N: per-frame means in ms, faults per frame, and the
    /// stream's statistics over the timed frames.
    #[derive(Debug, Default, Clone, Copy)]
    pub struct PathFigures {
        pub create_and_first_frame: f64,
        pub update: f64,
        pub flush: f64,
        pub submit: f64,
        pub gpu: f64,
        pub finish: f64,
        pub thread_cpu: f64,
        pub thread_faults: f64,
        pub process_faults: f64,
        pub static_gpu: f64,
        pub stats: StreamStats,
    }

    /// `getrusage` of `who`: CPU time (user + system) and minor faults.
    fn usage(who: libc::c_int) -> (Duration, u64) {
        // SAFETY: getrusage writes one rusage into the zeroed struct it is given.
        let usage = unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            libc::getrusage(who, &mut usage);
            usage
        };
        let time = |t: libc::timeval| {
            Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
        };
        (
            time(usage.ru_utime) + time(usage.ru_stime),
            usage.ru_minflt as u64,
        )
    }

    /// A `GL_TIME_ELAPSED` query, deleted on drop.
    struct Timer<'a> {
        gl: &'a glow::Context,
        query: glow::Query,
    }

    impl<'a> Timer<'a> {
        fn new(gl: &'a glow::Context) -> Self {
            // SAFETY: plain object creation on the current context.
            let query = unsafe { gl.create_query() }.expect("timer query");
            Timer { gl, query }
        }

        fn begin(&self) {
            // SAFETY: a query of this context; no other TIME_ELAPSED query is active.
            unsafe { self.gl.begin_query(glow::TIME_ELAPSED, self.query) };
        }

        fn end(&self) {
            // SAFETY: ends the query begun above.
            unsafe { self.gl.end_query(glow::TIME_ELAPSED) };
        }

        /// The last query's nanoseconds, waiting for them.
        fn elapsed(&self) -> Duration {
            // SAFETY: the query has ended; QUERY_RESULT waits for its value.
            let ns = unsafe {
                self.gl
                    .get_query_parameter_u64(self.query, glow::QUERY_RESULT)
            };
            Duration::from_nanos(ns)
        }
    }

    impl Drop for Timer<'_> {
        fn drop(&mut self) {
            // SAFETY: the query is ours.
            unsafe { self.gl.delete_query(self.query) };
        }
    }

    /// Moves every sprite of a scene on `path` for the warm-up and timed frames.
    pub fn run<S: Store>(ctx: &HeadlessContext, n: usize, path: StreamPath) -> PathFigures {
        let gl = ctx.gl();
        let Setup {
            target,
            image,
            mut scene,
            layer,
            mut positions,
            ..
        } = Setup::<S>::new(ctx, n, StreamConfig::on(path));
        let mut f = PathFigures::default();

        target.clear([0.0, 0.0, 0.0, 1.0]).expect("clear");
        finish(ctx);
        let started = Instant::now();
        let ids = add_all::<S>(&mut scene, layer, image, &positions);
        scene.draw().expect("draw");
        finish(ctx);
        f.create_and_first_frame = ms(started.elapsed());

        let timer = Timer::new(gl);
        let mut before = scene.batch().stream_stats();
        let (mut update, mut flush, mut submit) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
        let (mut gpu, mut finished, mut cpu) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
        let (mut thread_faults, mut process_faults) = (0, 0);
        for frame in 0..WARMUP + FRAMES {
            if frame == WARMUP {
                before = scene.batch().stream_stats();
                (update, flush, submit, gpu, finished, cpu) = Default::default();
                (thread_faults, process_faults) = (0, 0);
            }
            target.clear([0.0, 0.0, 0.0, 1.0]).expect("clear");
            finish(ctx);
            let (thread0, faults0) = usage(libc::RUSAGE_THREAD);
            let (_, process0) = usage(libc::RUSAGE_SELF);
            let t0 = Instant::now();
            move_all(&mut scene, &ids, &mut positions, frame);
            let t1 = Instant::now();
            timer.begin();
            scene.batch_mut().flush().expect("flush");
            let t2 = Instant::now();
            scene.draw().expect("draw");
            timer.end();
            let t3 = Instant::now();
            finish(ctx);
            let t4 = Instant::now();
            let (thread1, faults1) = usage(libc::RUSAGE_THREAD);
            let (_, process1) = usage(libc::RUSAGE_SELF);
            gpu += timer.elapsed();
            update += t1 - t0;
            flush += t2 - t1;
            submit += t3 - t2;
            finished += t4 - t3;
            cpu += thread1 - thread0;
            thread_faults += faults1 - faults0;
            process_faults += process1 - process0;
        }
        let per = |d: Duration| ms(d) / f64::from(FRAMES);
        (f.update, f.flush, f.submit) = (per(update), per(flush), per(submit));
        (f.gpu, f.finish, f.thread_cpu) = (per(gpu), per(finished), per(cpu));
        f.thread_faults = thread_faults as f64 / f64::from(FRAMES);
        f.process_faults = process_faults as f64 / f64::from(FRAMES);
        f.stats = scene.batch().stream_stats().since(before);
        // The same frame with nothing moved: its GPU time is the floor a moving frame is
        // compared with.
        let mut unchanged = Duration::ZERO;
        for _ in 0..FRAMES {
            target.clear([0.0, 0.0, 0.0, 1.0]).expect("clear");
            timer.begin();
            scene.draw().expect("draw");
            timer.end();
            finish(ctx);
            unchanged += timer.elapsed();
        }
        f.static_gpu = per(unchanged);
        f
    }
}

/// What a frame does to the sprites besides drawing them, in the order section.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Frame {
    /// Moves every sprite.
    Move,
    /// Moves every sprite, removes 1% at random and adds as many at random z.
    Churn,
    /// Moves every sprite and gives every one a new z, reshuffling the whole layer (the
    /// worst case: every sprite's place in the order changes).
    Reshuffle,
}

/// Per-frame means of one order scenario: update (the frame's sprite calls) and submit (the
/// draw, which lays an ordered layer out again after a change out of order), in ms, and
/// the relayouts per frame.
fn order_frame<S: Store>(ctx: &HeadlessContext, n: usize, ordered: bool, churn: Frame) -> [f64; 3] {
    let mut setup = Setup::<S>::new(ctx, n, StreamConfig::default());
    let (layer, image) = (setup.layer, setup.image);
    let scene = &mut setup.scene;
    // A scene's layers are ordered; the batch's setting turns that off for the comparison.
    scene
        .batch_mut()
        .set_ordered(layer.group(), ordered)
        .expect("order");
    let mut ids = add_all::<S>(scene, layer, image, &setup.positions);
    let (mut update, mut submit) = (Duration::ZERO, Duration::ZERO);
    let relayouts = scene.batch().relayouts();
    for frame in 0..WARMUP + FRAMES {
        setup.target.clear([0.0, 0.0, 0.0, 1.0]).expect("clear");
        finish(ctx);
        let started = Instant::now();
        move_all(scene, &ids, &mut setup.positions, frame);
        match churn {
            Frame::Move => {}
            Frame::Churn => {
                for _ in 0..n / 100 {
                    let k = setup.rng.below(ids.len() as u64) as usize;
                    scene.remove(ids[k]).expect("remove");
                    let (x, y) = setup.positions[k];
                    let z = setup.rng.range(-1.0, 1.0);
                    let item = S::item(layer, image, x, y).at_z(z);
                    ids[k] = scene.add(item).expect("add");
                }
            }
            // Without an order there is no z to set: the row is the moves alone.
            Frame::Reshuffle if !ordered => {}
            Frame::Reshuffle => {
                for (i, id) in ids.iter().enumerate() {
                    let z = (i as u64 * 7919 + u64::from(frame) * 104_729) % 1000;
                    scene.set_z(*id, z as f32).expect("z");
                }
            }
        }
        let moved = Instant::now();
        scene.draw().expect("draw");
        let drawn = Instant::now();
        finish(ctx);
        if frame >= WARMUP {
            update += moved - started;
            submit += drawn - moved;
        }
    }
    let frames = f64::from(FRAMES);
    let relaid = (scene.batch().relayouts() - relayouts) as f64 / f64::from(WARMUP + FRAMES);
    [ms(update) / frames, ms(submit) / frames, relaid]
}

/// The order section: each scenario on an ordered layer and an unordered one.
fn order_table(ctx: &HeadlessContext, counts: &[usize]) {
    println!(
        "\nOrder within a layer: per-frame means of {FRAMES} frames (ms); relayouts per frame"
    );
    println!("| N | store | frame | ordered update | ordered submit | relayouts | unordered update | unordered submit | ordered / unordered (update + submit) |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for &n in counts {
        for (store, run) in [
            (
                MixedLayer::NAME,
                order_frame::<MixedLayer> as fn(&HeadlessContext, usize, bool, Frame) -> [f64; 3],
            ),
            (ParticleLayer::NAME, order_frame::<ParticleLayer>),
        ] {
            for churn in [Frame::Move, Frame::Churn, Frame::Reshuffle] {
                let [ou, os, relaid] = run(ctx, n, true, churn);
                let [uu, us, _] = run(ctx, n, false, churn);
                let what = match churn {
                    Frame::Move => "move all",
                    Frame::Churn => "move all + churn 1%",
                    Frame::Reshuffle => "move all + every z changed",
                };
                println!(
                    "| {n} | {store} | {what} | {ou:.2} | {os:.2} | {relaid:.2} | {uu:.2} | {us:.2} | {:.2} |",
                    (ou + os) / (uu + us)
                );
            }
        }
    }
    println!("\nUnordered, there is no z to set: the unordered columns of the reshuffle rows are the moves alone. The move-all rows run the same code either way (no relayout): their ratio is this machine's noise. llvmpipe runs vertex work inside the draw call, so submit holds GPU work on this machine.");
}
