//! Many instances of a few meshes in one instanced domain: each mesh (a polygon or a star,
//! drawn once) is drawn by one instanced call for all its instances, each instance a `mat4`
//! transform and a colour, rewritten every frame.
//!
//! ```text
//! cargo run --release --example instancing                       # a window
//! cargo run --release --example instancing -- --headless --screenshot instancing.png
//! cargo run --release --example instancing -- --bench            # the draw paths, timed
//! ```
//!
//! Options: `--instances N` (default 3000), `--meshes M` (default 7), `--path
//! base-instance|indirect|repoint` (default: the context's best), `--bench`, and the
//! harness's `--frames K`, `--headless`, `--screenshot FILE.png`, `--size WxH`, `--seed S`,
//! `--check`.
//!
//! Keys in the window: Up or `+` adds 1,000 instances, Down or `-` deletes 1,000 (each
//! deletion moves its mesh's last instance into the hole), `P` switches the draw path, Space
//! pauses, Escape quits.

use std::sync::Arc;
use std::time::{Duration, Instant};

use glow::HasContext;
use vertex_domain::backend::{
    Attribute, ComponentType, InstanceDraw, MultiDraw, Program, RenderTarget, ShaderVersion,
    VertexFormat,
};
use vertex_domain::domain::{IndexedMesh, InstanceId, InstancedIndexedVertexDomain, Primitive};
use vertex_domain::headless::{HeadlessApi, HeadlessContext};

mod common;
use common::demo::{Demo, Key, Options, Result};
use common::rng::Rng;

/// Instances added or deleted per key press.
const BULK: usize = 1000;

const USAGE: &str = "usage: instancing [--instances N] [--meshes M] \\
[--path base-instance|indirect|repoint] [--bench] [--frames K] [--headless] \\
[--screenshot FILE.png] [--size WxH] [--seed S] [--check]";

const VERTEX_SHADER: &str = "
uniform vec2 viewport;
in vec2 position;
in mat4 transform;
in vec4 colour;
out vec4 v_colour;
void main() {
    vec4 p = transform * vec4(position, 0.0, 1.0);
    gl_Position = vec4(p.xy / viewport * 2.0 - 1.0, 0.0, 1.0);
    v_colour = colour;
}";

const FRAGMENT_SHADER: &str = "
in vec4 v_colour;
out vec4 out_colour;
void main() {
    out_colour = v_colour;
}";

/// The mesh's vertex format: `position` at location 0.
fn mesh_format() -> VertexFormat {
    VertexFormat::new(vec![Attribute::new("position", 0, 2, ComponentType::F32)])
        .expect("a valid format")
}

/// The instance format: a `mat4` `transform` at locations 1 to 4, a `colour` at 5.
fn instance_format() -> VertexFormat {
    VertexFormat::new(vec![
        Attribute::matrix("transform", 1, 4, 4),
        Attribute::new("colour", 5, 4, ComponentType::U8).normalized(),
    ])
    .expect("a valid format")
}

/// Mesh `i`: a regular polygon of 3 to 8 sides, every seventh a five-pointed star, of
/// radius 1 as a fan of triangles around its centre.
fn shape(i: usize) -> (Vec<[f32; 2]>, Vec<u32>) {
    let star = i % 7 == 6;
    let points = if star { 10 } else { 3 + i % 6 };
    let mut vertices = vec![[0.0, 0.0]];
    for k in 0..points {
        let angle = k as f32 / points as f32 * std::f32::consts::TAU;
        let radius = if star && k % 2 == 1 { 0.45 } else { 1.0 };
        vertices.push([radius * angle.cos(), radius * angle.sin()]);
    }
    let indices = (0..points as u32)
        .flat_map(|k| [0, k + 1, (k + 1) % points as u32 + 1])
        .collect();
    (vertices, indices)
}

/// The column-major transform that scales by `s`, turns by `angle` (counter-clockwise) and
/// moves to `(x, y)`.
fn transform(x: f32, y: f32, angle: f32, s: f32) -> [[f32; 4]; 4] {
    let (sin, cos) = angle.sin_cos();
    [
        [s * cos, s * sin, 0.0, 0.0],
        [-s * sin, s * cos, 0.0, 0.0],
        [0.0, 0.0, 1.0, 0.0],
        [x, y, 0.0, 1.0],
    ]
}

/// A saturated colour of hue `h` in `0..1`.
fn hue(h: f32) -> [u8; 4] {
    let channel = |offset: f32| {
        let x = ((h + offset).fract() * 6.0 - 3.0).abs() - 1.0;
        (x.clamp(0.0, 1.0) * 200.0 + 55.0) as u8
    };
    [channel(0.0), channel(2.0 / 3.0), channel(1.0 / 3.0), 230]
}

/// One instance in motion.
struct Mover {
    id: InstanceId,
    position: [f32; 2],
    velocity: [f32; 2],
    angle: f32,
    spin: f32,
    scale: f32,
}

/// The domain, its meshes, the instances in motion and the program that draws them.
struct Scene {
    domain: InstancedIndexedVertexDomain,
    meshes: Vec<IndexedMesh>,
    movers: Vec<Mover>,
    program: Program,
    multi_draw: MultiDraw,
    rng: Rng,
    size: (f32, f32),
    /// Instances the scene was made for: sizes are chosen so that they cover the viewport
    /// about once.
    density: f32,
}

/// The demo's own options, after the harness's: `--path`, `--meshes` and `--bench`.
#[derive(Debug, Clone, Copy)]
struct Extra {
    path: Option<InstanceDraw>,
    meshes: usize,
    bench: bool,
}

impl Extra {
    fn parse(options: &Options) -> Result<Extra> {
        let mut extra = Extra {
            path: None,
            meshes: 7,
            bench: false,
        };
        let mut args = options.rest.iter();
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or(format!("{arg} needs a value"));
            match arg.as_str() {
                "--path" => {
                    extra.path = Some(match value()?.as_str() {
                        "base-instance" => InstanceDraw::BaseInstance,
                        "indirect" => InstanceDraw::MultiDrawIndirect,
                        "repoint" => InstanceDraw::Repoint,
                        other => return Err(format!("bad --path {other}").into()),
                    })
                }
                "--meshes" => extra.meshes = common::demo::parse::<usize>(value()?)?.max(1),
                "--bench" => extra.bench = true,
                other => return Err(format!("unknown argument {other}").into()),
            }
        }
        Ok(extra)
    }
}

impl Scene {
    fn create(
        gl: &Arc<glow::Context>,
        multi_draw: MultiDraw,
        options: &Options,
        extra: &Extra,
    ) -> Result<Scene> {
        let version = ShaderVersion::for_context(gl);
        let program = Program::builder(
            gl,
            &version.source(VERTEX_SHADER),
            &version.source(FRAGMENT_SHADER),
        )
        .bind_attribute("position", 0)
        .bind_attribute("transform", 1)
        .bind_attribute("colour", 5)
        .build()?;
        let mut domain = InstancedIndexedVertexDomain::new(
            gl,
            multi_draw.clone(),
            mesh_format(),
            instance_format(),
            1024,
            1024,
            1024,
        )?;
        if let Some(path) = extra.path {
            domain.set_instance_draw(path)?;
        }
        let mut handles = Vec::new();
        for i in 0..extra.meshes {
            let (vertices, indices) = shape(i);
            let mesh = domain.create(vertices.len(), indices.len())?;
            domain.write(mesh, "position", &vertices)?;
            domain.write_indices(mesh, &indices)?;
            handles.push(mesh);
        }
        let (w, h) = options.size;
        let mut scene = Scene {
            domain,
            meshes: handles,
            movers: Vec::new(),
            program,
            multi_draw,
            rng: Rng(options.seed),
            size: (w as f32, h as f32),
            density: options.count.max(1) as f32,
        };
        scene.resize_viewport(w, h)?;
        scene.add(options.count)?;
        Ok(scene)
    }

    /// Adds `n` instances of random meshes at random places, sizes, turns and colours.
    fn add(&mut self, n: usize) -> Result<()> {
        for _ in 0..n {
            let rng = &mut self.rng;
            let mesh = self.meshes[rng.below(self.meshes.len() as u64) as usize];
            let id = self.domain.add_instance(mesh)?;
            let mover = Mover {
                id,
                position: [rng.range(0.0, self.size.0), rng.range(0.0, self.size.1)],
                velocity: [rng.range(-90.0, 90.0), rng.range(-90.0, 90.0)],
                angle: rng.range(0.0, std::f32::consts::TAU),
                spin: rng.range(-2.0, 2.0),
                scale: (self.size.0 * self.size.1 / self.density).sqrt() * rng.range(0.3, 0.8),
            };
            self.domain
                .write_instance(id, "colour", hue(rng.range(0.0, 1.0)))?;
            self.write_transform(&mover)?;
            self.movers.push(mover);
        }
        Ok(())
    }

    /// Deletes `n` random instances (each deletion moves its mesh's last instance into the
    /// hole; that instance keeps its id).
    fn delete(&mut self, n: usize) -> Result<()> {
        for _ in 0..n.min(self.movers.len()) {
            let i = self.rng.below(self.movers.len() as u64) as usize;
            let mover = self.movers.swap_remove(i);
            self.domain.delete_instance(mover.id)?;
        }
        Ok(())
    }

    fn write_transform(&mut self, m: &Mover) -> Result<()> {
        let [x, y] = m.position;
        let matrix = transform(x, y, m.angle, m.scale);
        Ok(self.domain.write_instance(m.id, "transform", matrix)?)
    }

    fn resize_viewport(&mut self, width: u32, height: u32) -> Result<()> {
        self.size = (width as f32, height as f32);
        let location = self.program.uniform_location("viewport")?;
        Ok(self
            .program
            .set_vec2(&location, [width as f32, height as f32])?)
    }

    /// The next draw path this context has.
    fn next_path(&mut self) -> Result<()> {
        let paths = [
            InstanceDraw::BaseInstance,
            InstanceDraw::MultiDrawIndirect,
            InstanceDraw::Repoint,
        ];
        let at = paths.iter().position(|&p| p == self.domain.instance_draw());
        let next = (1..=paths.len())
            .map(|k| paths[(at.unwrap_or(0) + k) % paths.len()])
            .find(|&p| self.multi_draw.supports(p))
            .unwrap_or(InstanceDraw::Repoint);
        self.domain.set_instance_draw(next)?;
        println!("draw path: {next:?}");
        Ok(())
    }
}

impl Demo for Scene {
    const NAME: &'static str = "vertex-domain instancing";

    fn new(gl: &Arc<glow::Context>, multi_draw: MultiDraw, options: &Options) -> Result<Scene> {
        Scene::create(gl, multi_draw, options, &Extra::parse(options)?)
    }

    /// Moves and turns every instance, bouncing off the edges: one `mat4` write each.
    fn step(&mut self, dt: f32) -> Result<()> {
        let (w, h) = self.size;
        let mut movers = std::mem::take(&mut self.movers);
        for m in &mut movers {
            for (axis, limit) in [(0, w), (1, h)] {
                m.position[axis] += m.velocity[axis] * dt;
                if !(0.0..=limit).contains(&m.position[axis]) {
                    m.velocity[axis] = -m.velocity[axis];
                    m.position[axis] = m.position[axis].clamp(0.0, limit);
                }
            }
            m.angle += m.spin * dt;
            self.write_transform(m)?;
        }
        self.movers = movers;
        Ok(())
    }

    fn draw(&mut self, gl: &glow::Context) -> Result<usize> {
        self.program.use_program();
        // SAFETY: plain state changes on the current context.
        unsafe {
            gl.enable(glow::BLEND);
            gl.blend_func(glow::SRC_ALPHA, glow::ONE_MINUS_SRC_ALPHA);
        }
        let calls = self.domain.draw(Primitive::Triangles)?;
        // SAFETY: as above.
        unsafe {
            gl.disable(glow::BLEND);
            gl.use_program(None);
        }
        Ok(calls)
    }

    fn resize(&mut self, width: u32, height: u32) -> Result<()> {
        self.resize_viewport(width, height)
    }

    fn describe(&self) -> String {
        format!(
            "{} instances of {} meshes, {:?}",
            self.movers.len(),
            self.meshes.len(),
            self.domain.instance_draw()
        )
    }

    fn key(&mut self, key: Key) -> Result<()> {
        match key {
            Key::Up => self.add(BULK),
            Key::Down => self.delete(BULK),
            Key::Char('+' | '=') => self.add(BULK),
            Key::Char('-') => self.delete(BULK),
            Key::Char('p' | 'P') => self.next_path(),
            _ => Ok(()),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The draw paths, timed

/// Milliseconds per frame of drawing unchanged instances by `path`: the draw call(s) on
/// the CPU, and the frame to `glFinish`.
fn time_path(
    ctx: &HeadlessContext,
    options: &Options,
    meshes: usize,
    path: InstanceDraw,
) -> Result<(f64, f64, usize)> {
    const FRAMES: u32 = 30;
    let extra = Extra {
        path: Some(path),
        meshes,
        bench: true,
    };
    let mut scene = Scene::create(ctx.gl(), ctx.multi_draw(), options, &extra)?;
    let gl = ctx.gl();
    let (mut submit, mut frame, mut calls) = (Duration::ZERO, Duration::ZERO, 0);
    for k in 0..FRAMES + 2 {
        common::demo::clear(gl);
        // SAFETY: a plain command on the current context.
        unsafe { gl.finish() };
        let started = Instant::now();
        calls = scene.draw(gl)?;
        let submitted = started.elapsed();
        // SAFETY: as above.
        unsafe { gl.finish() };
        // Two untimed frames first: the first draw compiles llvmpipe's shader variants.
        if k >= 2 {
            submit += submitted;
            frame += started.elapsed();
        }
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3 / f64::from(FRAMES);
    Ok((ms(submit), ms(frame), calls))
}

fn bench(options: &Options) -> Result<()> {
    let ctx = HeadlessContext::new(HeadlessApi::GlCore)?;
    println!("{} | {}", ctx.version(), ctx.renderer());
    println!("(llvmpipe runs vertex work inside the draw call: no figure here is a GPU figure)");
    let (width, height) = options.size;
    let target = RenderTarget::new(ctx.gl(), width, height)?;
    target.bind();
    println!(
        "\n| meshes | instances | path | draw calls | submit (CPU, ms) | frame to glFinish (ms) |"
    );
    println!("|---|---|---|---|---|---|");
    // Each configuration twice, paths interleaved; the second round is reported, so that
    // no path pays for the process's first frames.
    let configs = [(6, 20_000), (1000, 20_000), (5000, 5000)];
    for round in 0..2 {
        for (meshes, instances) in configs {
            let options = Options {
                count: instances,
                ..options.clone()
            };
            for path in [
                InstanceDraw::BaseInstance,
                InstanceDraw::MultiDrawIndirect,
                InstanceDraw::Repoint,
            ] {
                if !ctx.multi_draw().supports(path) {
                    continue;
                }
                let (submit, frame, calls) = time_path(&ctx, &options, meshes, path)?;
                if round == 1 {
                    println!("| {meshes} | {instances} | {path:?} | {calls} | {submit:.3} | {frame:.3} |");
                }
            }
        }
    }
    Ok(())
}

fn main() {
    let options = Options::parse("--instances", 3000);
    if let Ok(options) = &options {
        if Extra::parse(options).is_ok_and(|extra| extra.bench) {
            if let Err(error) = bench(options) {
                eprintln!("instancing: {error}");
                std::process::exit(1);
            }
            return;
        }
    }
    common::app::main::<Scene>(options, USAGE);
}
