//! The main demo: thousands of bouncing, spinning, tinted sprites from generated atlases, in
//! three layers, drawn by one [`SpriteBatch`] (one multi-draw per layer).
//!
//! ```text
//! cargo run --release --example sprite_batch                       # a window
//! cargo run --release --example sprite_batch -- --headless --screenshot sprites.png
//! ```
//!
//! Options: `--sprites N` (default 5000), `--frames K` (stop after K frames; headless default
//! 60), `--headless` (no display: EGL device context and an offscreen framebuffer),
//! `--screenshot FILE.png` (the last frame), `--size WxH` (default 800x600), `--seed S`,
//! `--check` (fail unless the last frame shows sprites: used by CI).
//!
//! Keys in the window: Up or `+` adds 1,000 sprites, Down or `-` removes 1,000, Space pauses,
//! Escape quits. Frame statistics are in the title.

use std::error::Error;
use std::num::NonZeroU32;
use std::rc::Rc;
use std::time::{Duration, Instant};

use glow::HasContext;
use glutin::config::{ConfigTemplateBuilder, GlConfig};
use glutin::context::{
    ContextApi, ContextAttributesBuilder, NotCurrentGlContext, PossiblyCurrentContext, Version,
};
use glutin::display::{GetGlDisplay, GlDisplay};
use glutin::surface::{GlSurface, Surface, SwapInterval, WindowSurface};
use glutin_winit::{DisplayBuilder, GlWindow};
use raw_window_handle::HasWindowHandle;
use vertex_domain::backend::{AtlasBuilder, MultiDraw, RenderTarget, TextureAtlas, TextureFilter};
use vertex_domain::batch::{DrawStats, GroupId, Sprite, SpriteBatch, SpriteId};
use vertex_domain::headless::{HeadlessApi, HeadlessContext};
use winit::application::ApplicationHandler;
use winit::dpi::PhysicalSize;
use winit::event::{ElementState, KeyEvent, WindowEvent};
use winit::event_loop::{ActiveEventLoop, EventLoop};
use winit::keyboard::{Key, NamedKey};
use winit::window::{Window, WindowId};

mod common;
use common::rng::Rng;

/// Sprites added or removed per key press.
const BULK: usize = 1000;
/// Side of each generated image, in pixels.
const IMAGE: u32 = 32;
const BACKGROUND: [f32; 4] = [0.07, 0.08, 0.11, 1.0];

type Result<T> = std::result::Result<T, Box<dyn Error>>;

// ---------------------------------------------------------------------------------------
// Options

#[derive(Debug, Clone)]
struct Options {
    sprites: usize,
    frames: Option<u64>,
    headless: bool,
    screenshot: Option<String>,
    size: (u32, u32),
    seed: u64,
    check: bool,
}

const USAGE: &str = "usage: sprite_batch [--sprites N] [--frames K] [--headless] \
[--screenshot FILE.png] [--size WxH] [--seed S] [--check]";

fn parse_options() -> std::result::Result<Options, String> {
    let mut options = Options {
        sprites: 5000,
        frames: None,
        headless: false,
        screenshot: None,
        size: (800, 600),
        seed: 1,
        check: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--sprites" => options.sprites = parse(&value("--sprites")?)?,
            "--frames" => options.frames = Some(parse(&value("--frames")?)?),
            "--headless" => options.headless = true,
            "--screenshot" => options.screenshot = Some(value("--screenshot")?),
            "--seed" => options.seed = parse(&value("--seed")?)?,
            "--check" => options.check = true,
            "--size" => {
                let size = value("--size")?;
                let (w, h) = size.split_once('x').ok_or(format!("bad size {size}"))?;
                options.size = (parse(w)?, parse(h)?);
                if options.size.0 == 0 || options.size.1 == 0 {
                    return Err(format!("bad size {size}"));
                }
            }
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(options)
}

fn parse<T: std::str::FromStr>(text: &str) -> std::result::Result<T, String> {
    text.parse().map_err(|_| format!("not a number: {text}"))
}

// ---------------------------------------------------------------------------------------
// The scene, shared by the window and the headless run

/// A generated image: coverage (0..1) at each pixel centre, as white with that alpha.
fn image(shape: impl Fn(f32, f32) -> f32) -> Vec<u8> {
    (0..IMAGE * IMAGE)
        .flat_map(|i| {
            let (x, y) = ((i % IMAGE) as f32 + 0.5, (i / IMAGE) as f32 + 0.5);
            let c = IMAGE as f32 / 2.0;
            let alpha = shape((x - c) / c, (y - c) / c).clamp(0.0, 1.0);
            [255, 255, 255, (alpha * 255.0) as u8]
        })
        .collect()
}

/// A soft edge: 1 inside `d < 0`, fading out over a pixel and a half.
fn edge(d: f32) -> f32 {
    0.5 - d * IMAGE as f32 / 3.0
}

/// Two atlases of generated shapes: (circle, ring, square) and (star, diamond).
fn atlases(gl: &Rc<glow::Context>) -> Result<[TextureAtlas; 2]> {
    let r = |x: f32, y: f32| (x * x + y * y).sqrt();
    let mut round = AtlasBuilder::new();
    round.add(IMAGE, IMAGE, &image(|x, y| edge(r(x, y) - 0.9)))?;
    round.add(
        IMAGE,
        IMAGE,
        &image(|x, y| edge((r(x, y) - 0.7).abs() - 0.2)),
    )?;
    round.add(
        IMAGE,
        IMAGE,
        &image(|x, y| edge(x.abs().max(y.abs()) - 0.8)),
    )?;
    let mut sharp = AtlasBuilder::new();
    sharp.add(
        IMAGE,
        IMAGE,
        &image(|x, y| {
            let angle = y.atan2(x);
            let radius = 0.55 + 0.4 * (2.5 * angle).cos().abs().powf(3.0);
            edge(r(x, y) - radius)
        }),
    )?;
    sharp.add(IMAGE, IMAGE, &image(|x, y| edge(x.abs() + y.abs() - 0.9)))?;
    Ok([
        round.build(Rc::clone(gl), TextureFilter::Linear)?,
        sharp.build(Rc::clone(gl), TextureFilter::Linear)?,
    ])
}

/// One sprite in motion.
struct Mover {
    id: SpriteId,
    velocity: [f32; 2],
    spin: f32,
}

/// The sprites, their motion, and what draws them.
struct Scene {
    sprites: SpriteBatch,
    atlases: [TextureAtlas; 2],
    /// (layer, atlas index) for each layer, back to front.
    layers: Vec<(GroupId, usize)>,
    movers: Vec<Mover>,
    rng: Rng,
    size: (f32, f32),
}

impl Scene {
    fn new(gl: &Rc<glow::Context>, multi_draw: MultiDraw, options: &Options) -> Result<Scene> {
        let (w, h) = options.size;
        let mut sprites = SpriteBatch::new(gl, multi_draw, w, h)?;
        let atlases = atlases(gl)?;
        let mut layers = Vec::new();
        for (order, atlas) in [(0, 0), (1, 1), (2, 0)] {
            let layer = sprites.add_layer(Rc::clone(atlases[atlas].texture()), order)?;
            layers.push((layer, atlas));
        }
        let mut scene = Scene {
            sprites,
            atlases,
            layers,
            movers: Vec::new(),
            rng: Rng(options.seed),
            size: (w as f32, h as f32),
        };
        scene.add(options.sprites)?;
        Ok(scene)
    }

    /// Adds `n` sprites at random places, with random images, tints, sizes and motion.
    fn add(&mut self, n: usize) -> Result<()> {
        for _ in 0..n {
            let rng = &mut self.rng;
            let (layer, atlas) = self.layers[(rng.next() % self.layers.len() as u64) as usize];
            let regions = self.atlases[atlas].regions();
            let region = regions[(rng.next() % regions.len() as u64) as usize];
            let mut sprite = Sprite::new(
                layer,
                region,
                rng.range(0.0, self.size.0),
                rng.range(0.0, self.size.1),
            );
            sprite.anchor = [region.width as f32 / 2.0, region.height as f32 / 2.0];
            let scale = rng.range(0.4, 1.2);
            (sprite.scale_x, sprite.scale_y) = (scale, scale);
            sprite.rotation = rng.range(0.0, 360.0);
            sprite.colour = hue(rng.range(0.0, 1.0));
            sprite.opacity = rng.range(150.0, 255.0) as u8;
            let velocity = [rng.range(-120.0, 120.0), rng.range(-120.0, 120.0)];
            let spin = rng.range(-180.0, 180.0);
            let id = self.sprites.add(sprite)?;
            self.movers.push(Mover { id, velocity, spin });
        }
        Ok(())
    }

    /// Removes the `n` most recently added sprites (or all).
    fn remove(&mut self, n: usize) -> Result<()> {
        let keep = self.movers.len().saturating_sub(n);
        for mover in self.movers.drain(keep..) {
            self.sprites.remove(mover.id)?;
        }
        Ok(())
    }

    /// Advances every sprite by `dt` seconds, bouncing off the edges.
    fn step(&mut self, dt: f32) -> Result<()> {
        let (w, h) = self.size;
        for mover in &mut self.movers {
            let sprite = self.sprites.get(mover.id)?;
            let (mut x, mut y) = (
                sprite.x + mover.velocity[0] * dt,
                sprite.y + mover.velocity[1] * dt,
            );
            let rotation = sprite.rotation + mover.spin * dt;
            if !(0.0..=w).contains(&x) {
                mover.velocity[0] = -mover.velocity[0];
                x = x.clamp(0.0, w);
            }
            if !(0.0..=h).contains(&y) {
                mover.velocity[1] = -mover.velocity[1];
                y = y.clamp(0.0, h);
            }
            self.sprites.set_position(mover.id, x, y)?;
            self.sprites.set_rotation(mover.id, rotation)?;
        }
        Ok(())
    }

    fn resize(&mut self, width: u32, height: u32) -> Result<()> {
        self.size = (width as f32, height as f32);
        Ok(self.sprites.set_viewport(width, height)?)
    }

    fn draw(&mut self, gl: &glow::Context) -> Result<DrawStats> {
        let [r, g, b, a] = BACKGROUND;
        // SAFETY: plain state changes on the current context.
        unsafe {
            gl.clear_color(r, g, b, a);
            gl.clear(glow::COLOR_BUFFER_BIT);
        }
        Ok(self.sprites.draw()?)
    }
}

/// A saturated colour of hue `h` in `0..1`.
fn hue(h: f32) -> [u8; 3] {
    let channel = |offset: f32| {
        let x = ((h + offset).fract() * 6.0 - 3.0).abs() - 1.0;
        (x.clamp(0.0, 1.0) * 200.0 + 55.0) as u8
    };
    [channel(0.0), channel(2.0 / 3.0), channel(1.0 / 3.0)]
}

/// Frame timing, reported every half second.
struct Stats {
    frames: u64,
    total: Duration,
    window_start: Instant,
    window_frames: u32,
    last: DrawStats,
}

impl Stats {
    fn new() -> Stats {
        Stats {
            frames: 0,
            total: Duration::ZERO,
            window_start: Instant::now(),
            window_frames: 0,
            last: DrawStats::default(),
        }
    }

    /// Records a frame; returns a title line every half second.
    fn frame(&mut self, took: Duration, draw: DrawStats, sprites: usize) -> Option<String> {
        self.frames += 1;
        self.total += took;
        self.window_frames += 1;
        self.last = draw;
        let elapsed = self.window_start.elapsed();
        if elapsed < Duration::from_millis(500) {
            return None;
        }
        let fps = f64::from(self.window_frames) / elapsed.as_secs_f64();
        self.window_start = Instant::now();
        self.window_frames = 0;
        Some(format!(
            "vertex-domain sprites: {sprites} sprites, {} draw calls, {fps:.0} fps, {:.2} ms/frame",
            draw.draw_calls,
            1e3 / fps
        ))
    }

    fn summary(&self, sprites: usize) -> String {
        let mean = self.total.as_secs_f64() * 1e3 / self.frames.max(1) as f64;
        format!(
            "{} frames, {mean:.2} ms mean frame (update + draw + finish), {sprites} sprites, {} draw calls",
            self.frames, self.last.draw_calls
        )
    }
}

// ---------------------------------------------------------------------------------------
// Screenshots

/// Reads the bound framebuffer's `width` x `height` RGBA pixels, top row first.
fn read_frame(gl: &glow::Context, width: u32, height: u32) -> Vec<u8> {
    let mut pixels = vec![0u8; (width * height * 4) as usize];
    // SAFETY: the buffer holds exactly width * height RGBA8 pixels, pack alignment 4 fits
    // RGBA8 rows.
    unsafe {
        gl.pixel_store_i32(glow::PACK_ALIGNMENT, 4);
        gl.read_pixels(
            0,
            0,
            width as i32,
            height as i32,
            glow::RGBA,
            glow::UNSIGNED_BYTE,
            glow::PixelPackData::Slice(Some(&mut pixels)),
        );
    }
    flip_rows(&pixels, width)
}

/// GL's rows are bottom-up; images are top-down.
fn flip_rows(pixels: &[u8], width: u32) -> Vec<u8> {
    let row = width as usize * 4;
    pixels.chunks_exact(row).rev().flatten().copied().collect()
}

fn write_png(path: &str, width: u32, height: u32, pixels: &[u8]) -> Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(pixels)?;
    Ok(())
}

/// Fails unless the frame shows sprites: enough pixels off the background, in several
/// colours.
fn check_frame(pixels: &[u8]) -> Result<()> {
    let background = BACKGROUND.map(|c| (c * 255.0).round() as i32);
    let mut lit = 0usize;
    let mut colours = std::collections::HashSet::new();
    for p in pixels.chunks_exact(4) {
        let off = (0..3).any(|i| (i32::from(p[i]) - background[i]).abs() > 24);
        if off {
            lit += 1;
            colours.insert([p[0] >> 5, p[1] >> 5, p[2] >> 5]);
        }
    }
    let share = lit as f64 / (pixels.len() / 4) as f64;
    println!(
        "check: {:.1}% of pixels show sprites, {} colour buckets",
        share * 100.0,
        colours.len()
    );
    if share < 0.02 || colours.len() < 8 {
        return Err("the frame does not show sprites".into());
    }
    Ok(())
}

/// Writes and checks the last frame, as the options ask.
fn finish_frame(options: &Options, width: u32, height: u32, pixels: &[u8]) -> Result<()> {
    if let Some(path) = &options.screenshot {
        write_png(path, width, height, pixels)?;
        println!("wrote {path}");
    }
    if options.check {
        check_frame(pixels)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Headless

fn run_headless(options: &Options) -> Result<()> {
    let ctx = HeadlessContext::new(HeadlessApi::GlCore)?;
    println!("{} | {}", ctx.version(), ctx.renderer());
    let (width, height) = options.size;
    let target = RenderTarget::new(Rc::clone(ctx.gl()), width, height)?;
    target.bind();
    let mut scene = Scene::new(ctx.gl(), *ctx.multi_draw(), options)?;
    let mut stats = Stats::new();
    let frames = options.frames.unwrap_or(60);
    for _ in 0..frames {
        let started = Instant::now();
        scene.step(1.0 / 60.0)?;
        let draw = scene.draw(ctx.gl())?;
        // SAFETY: a plain command on the current context.
        unsafe { ctx.gl().finish() };
        stats.frame(started.elapsed(), draw, scene.movers.len());
    }
    println!("{}", stats.summary(scene.movers.len()));
    let pixels = flip_rows(&target.read_pixels()?, width);
    finish_frame(options, width, height, &pixels)
}

// ---------------------------------------------------------------------------------------
// Window

/// Everything that exists once the window does. Field order is drop order: the scene's GL
/// objects go while the context is still alive and current.
struct Running {
    scene: Scene,
    gl: Rc<glow::Context>,
    surface: Surface<WindowSurface>,
    context: PossiblyCurrentContext,
    window: Window,
}

struct App {
    options: Options,
    running: Option<Running>,
    stats: Stats,
    paused: bool,
    last_frame: Instant,
    error: Option<Box<dyn Error>>,
}

impl App {
    fn create(&mut self, event_loop: &ActiveEventLoop) -> Result<Running> {
        let (w, h) = self.options.size;
        let attributes = Window::default_attributes()
            .with_title("vertex-domain sprites")
            .with_inner_size(PhysicalSize::new(w, h));
        let template = ConfigTemplateBuilder::new().with_alpha_size(8);
        let (window, config) = DisplayBuilder::new()
            .with_window_attributes(Some(attributes))
            .build(event_loop, template, |configs| {
                configs
                    .reduce(|best, c| {
                        if c.num_samples() < best.num_samples() {
                            c
                        } else {
                            best
                        }
                    })
                    .expect("the display offers at least one config")
            })?;
        let window = window.ok_or("no window was created")?;
        let display = config.display();
        let handle = window.window_handle()?.as_raw();
        let attributes = ContextAttributesBuilder::new()
            .with_context_api(ContextApi::OpenGl(Some(Version::new(3, 3))))
            .build(Some(handle));
        // SAFETY: the config comes from this display and the window handle is live.
        let context = unsafe { display.create_context(&config, &attributes)? };
        let surface_attributes = window.build_surface_attributes(Default::default())?;
        // SAFETY: as above; the surface is dropped before the window (field order).
        let surface = unsafe { display.create_window_surface(&config, &surface_attributes)? };
        let context = context.make_current(&surface)?;
        // Uncapped frames show the real cost; a driver may refuse, which is fine.
        let _ = surface.set_swap_interval(&context, SwapInterval::DontWait);
        // SAFETY: the context is current and the loader is the display's.
        let gl = Rc::new(unsafe {
            glow::Context::from_loader_function_cstr(|name| display.get_proc_address(name))
        });
        // SAFETY: the same loader, for the same current context.
        let multi_draw = unsafe { MultiDraw::load(&gl, |name| display.get_proc_address(name)) };
        let size = window.inner_size();
        self.options.size = (size.width.max(1), size.height.max(1));
        let scene = Scene::new(&gl, multi_draw, &self.options)?;
        // SAFETY: a plain state change on the current context.
        unsafe { gl.viewport(0, 0, size.width as i32, size.height as i32) };
        println!(
            "{:?} | multi-draw native: {}",
            gl.version(),
            multi_draw.is_native_elements()
        );
        Ok(Running {
            scene,
            gl,
            surface,
            context,
            window,
        })
    }

    fn redraw(&mut self, event_loop: &ActiveEventLoop) -> Result<()> {
        let Some(running) = self.running.as_mut() else {
            return Ok(());
        };
        let now = Instant::now();
        let dt = (now - self.last_frame).as_secs_f32().min(0.1);
        self.last_frame = now;
        if !self.paused {
            running.scene.step(dt)?;
        }
        let draw = running.scene.draw(&running.gl)?;
        // SAFETY: a plain command on the current context.
        unsafe { running.gl.finish() };
        let sprites = running.scene.movers.len();
        if let Some(title) = self.stats.frame(now.elapsed(), draw, sprites) {
            running.window.set_title(&title);
        }
        let last = self.options.frames.is_some_and(|k| self.stats.frames >= k);
        if last {
            let (w, h) = self.options.size;
            let pixels = read_frame(&running.gl, w, h);
            println!("{}", self.stats.summary(sprites));
            finish_frame(&self.options, w, h, &pixels)?;
            event_loop.exit();
        }
        running.surface.swap_buffers(&running.context)?;
        running.window.request_redraw();
        Ok(())
    }

    fn key(&mut self, key: &Key, event_loop: &ActiveEventLoop) -> Result<()> {
        let Some(running) = self.running.as_mut() else {
            return Ok(());
        };
        match key {
            Key::Named(NamedKey::Escape) => event_loop.exit(),
            Key::Named(NamedKey::Space) => self.paused = !self.paused,
            Key::Named(NamedKey::ArrowUp) => running.scene.add(BULK)?,
            Key::Named(NamedKey::ArrowDown) => running.scene.remove(BULK)?,
            Key::Character(c) if c == "+" || c == "=" => running.scene.add(BULK)?,
            Key::Character(c) if c == "-" => running.scene.remove(BULK)?,
            _ => {}
        }
        Ok(())
    }

    fn fail(&mut self, event_loop: &ActiveEventLoop, error: Box<dyn Error>) {
        self.error = Some(error);
        event_loop.exit();
    }
}

impl ApplicationHandler for App {
    fn resumed(&mut self, event_loop: &ActiveEventLoop) {
        if self.running.is_none() {
            match self.create(event_loop) {
                Ok(running) => {
                    running.window.request_redraw();
                    self.running = Some(running);
                    self.last_frame = Instant::now();
                }
                Err(error) => self.fail(event_loop, error),
            }
        }
    }

    fn window_event(&mut self, event_loop: &ActiveEventLoop, _: WindowId, event: WindowEvent) {
        let result = match event {
            WindowEvent::CloseRequested => {
                event_loop.exit();
                Ok(())
            }
            WindowEvent::Resized(size) => match self.running.as_mut() {
                Some(running) if size.width > 0 && size.height > 0 => {
                    let (w, h) = (size.width, size.height);
                    running.surface.resize(
                        &running.context,
                        NonZeroU32::new(w).expect("checked"),
                        NonZeroU32::new(h).expect("checked"),
                    );
                    // SAFETY: a plain state change on the current context.
                    unsafe { running.gl.viewport(0, 0, w as i32, h as i32) };
                    self.options.size = (w, h);
                    running.scene.resize(w, h)
                }
                _ => Ok(()),
            },
            WindowEvent::KeyboardInput {
                event:
                    KeyEvent {
                        logical_key,
                        state: ElementState::Pressed,
                        ..
                    },
                ..
            } => self.key(&logical_key, event_loop),
            WindowEvent::RedrawRequested => self.redraw(event_loop),
            _ => Ok(()),
        };
        if let Err(error) = result {
            self.fail(event_loop, error);
        }
    }
}

fn run_window(options: Options) -> Result<()> {
    let no_display =
        std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none();
    if no_display {
        return Err("no display (DISPLAY is unset): run with --headless, or under xvfb-run".into());
    }
    let event_loop = EventLoop::new()?;
    let mut app = App {
        options,
        running: None,
        stats: Stats::new(),
        paused: false,
        last_frame: Instant::now(),
        error: None,
    };
    event_loop.run_app(&mut app)?;
    match app.error.take() {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

fn main() {
    let options = match parse_options() {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}");
            }
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    };
    let result = if options.headless {
        run_headless(&options)
    } else {
        run_window(options)
    };
    if let Err(error) = result {
        eprintln!("sprite_batch: {error}");
        std::process::exit(1);
    }
}
