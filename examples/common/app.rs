//! The native harness the demos run in: a window (winit + glutin) or a headless EGL context
//! with an offscreen framebuffer, frame statistics in the title, screenshots, and the
//! `--check` that CI runs. A demo is a [`Demo`] (`demo.rs`, shared with the browser's
//! harness, `web.rs`): a scene that steps, draws and resizes.

use std::error::Error;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Instant;

use glow::HasContext;
use glutin::config::{ConfigTemplateBuilder, GlConfig};
use glutin::context::{
    ContextApi, ContextAttributesBuilder, NotCurrentGlContext, PossiblyCurrentContext, Version,
};
use glutin::display::{GetGlDisplay, GlDisplay};
use glutin::surface::{GlSurface, Surface, SwapInterval, WindowSurface};
use glutin_winit::{DisplayBuilder, GlWindow};
use raw_window_handle::HasWindowHandle;
use vertex_domain::backend::{MultiDraw, RenderTarget, StreamPath};
use vertex_domain::headless::{HeadlessApi, HeadlessContext};
use winit::application::ApplicationHandler;
use winit::dpi::PhysicalSize;
use winit::event::{ElementState, KeyEvent, WindowEvent};
use winit::event_loop::{ActiveEventLoop, EventLoop};
use winit::keyboard::{Key, NamedKey};
use winit::window::{Window, WindowId};

use super::demo::Key as DemoKey;
pub use super::demo::*;

/// Runs demo `D` as the options say, in a window or headless; exits with a message on error.
pub fn main<D: Demo>(options: std::result::Result<Options, String>, usage: &str) {
    // Frame times as a release build of a game has them: no per-frame glGetError (the
    // dev-dependency's `fault-injection` feature would otherwise turn validation on).
    vertex_domain::backend::set_validation(false);
    let options = match options {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("{message}");
            }
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let result = if options.headless {
        run_headless::<D>(&options)
    } else {
        run_window::<D>(options)
    };
    if let Err(error) = result {
        eprintln!("{}: {error}", D::NAME);
        std::process::exit(1);
    }
}

// ---------------------------------------------------------------------------------------
// Screenshots

/// Reads the bound framebuffer's `width` x `height` RGBA pixels, top row first.
fn read_frame(gl: &glow::Context, width: u32, height: u32) -> Vec<u8> {
    flip_rows(&read_pixels(gl, width, height), width)
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

/// Writes and checks the last frame, as the options ask.
fn finish_frame(options: &Options, width: u32, height: u32, pixels: &[u8]) -> Result<()> {
    if let Some(path) = &options.screenshot {
        write_png(path, width, height, pixels)?;
        println!("wrote {path}");
    }
    if options.check {
        println!("check: {}", check_frame(pixels)?);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Headless

fn run_headless<D: Demo>(options: &Options) -> Result<()> {
    let api = if options.gles {
        HeadlessApi::Gles3
    } else {
        HeadlessApi::GlCore
    };
    let ctx = HeadlessContext::new(api)?;
    println!("{} | {}", ctx.version(), ctx.renderer());
    println!("{}", ctx.capabilities());
    let (width, height) = options.size;
    let target = RenderTarget::new(ctx.gl(), width, height)?;
    target.bind();
    if options.bench {
        let paths = [
            StreamPath::best(ctx.gl()),
            StreamPath::SubData,
            StreamPath::Respecify,
        ];
        let mut bench = Bench::<D>::new(&paths);
        while !bench.tick(ctx.gl(), &ctx.multi_draw(), options, (width, height))? {}
        let platform = if options.gles {
            "native GLES 3"
        } else {
            "native GL core"
        };
        println!("{}", bench.report(platform));
        return Ok(());
    }
    let mut scene = D::new(ctx.gl(), ctx.multi_draw(), options)?;
    let mut stats = Stats::new();
    let frames = options.frames.unwrap_or(60);
    for _ in 0..frames {
        let started = Instant::now();
        scene.step(1.0 / 60.0)?;
        clear(ctx.gl());
        let calls = scene.draw(ctx.gl())?;
        // SAFETY: a plain command on the current context.
        unsafe { ctx.gl().finish() };
        if let Some(line) = stats.frame(D::NAME, started.elapsed(), calls, &scene.describe()) {
            scene.show_stats(&line)?;
        }
    }
    println!("{}", stats.summary(&scene.describe()));
    let pixels = flip_rows(&target.read_pixels()?, width);
    finish_frame(options, width, height, &pixels)
}

// ---------------------------------------------------------------------------------------
// Window

/// A window's size in logical pixels, at `scale` device pixels each.
fn logical(size: PhysicalSize<u32>, scale: f32) -> (u32, u32) {
    let side = |v: u32| ((v as f32 / scale).round() as u32).max(1);
    (side(size.width), side(size.height))
}

/// Everything that exists once the window does. Field order is drop order: the scene's GL
/// objects go while the context is still alive and current.
struct Running<D> {
    scene: D,
    gl: Arc<glow::Context>,
    surface: Surface<WindowSurface>,
    context: PossiblyCurrentContext,
    window: Window,
}

struct App<D> {
    options: Options,
    running: Option<Running<D>>,
    stats: Stats,
    paused: bool,
    last_frame: Instant,
    error: Option<Box<dyn Error>>,
}

impl<D: Demo> App<D> {
    fn create(&mut self, event_loop: &ActiveEventLoop) -> Result<Running<D>> {
        let (w, h) = self.options.size;
        let attributes = Window::default_attributes()
            .with_title(D::NAME)
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
        let gl = Arc::new(unsafe {
            glow::Context::from_loader_function_cstr(|name| display.get_proc_address(name))
        });
        // SAFETY: the same loader, for the same current context.
        let multi_draw = unsafe { MultiDraw::load(&gl, |name| display.get_proc_address(name)) };
        let size = window.inner_size();
        // The scene works in logical pixels; the framebuffer has the window's device pixels.
        let scale = window.scale_factor() as f32;
        self.options.size = logical(size, scale);
        let mut scene = D::new(&gl, multi_draw.clone(), &self.options)?;
        scene.set_scale_factor(scale)?;
        // SAFETY: a plain state change on the current context.
        unsafe { gl.viewport(0, 0, size.width as i32, size.height as i32) };
        println!(
            "{:?} | {}",
            gl.version(),
            vertex_domain::backend::Capabilities::of(&gl, &multi_draw)
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
        clear(&running.gl);
        let calls = running.scene.draw(&running.gl)?;
        // SAFETY: a plain command on the current context.
        unsafe { running.gl.finish() };
        let what = running.scene.describe();
        if let Some(title) = self.stats.frame(D::NAME, now.elapsed(), calls, &what) {
            running.window.set_title(&title);
            running.scene.show_stats(&title)?;
        }
        let last = self.options.frames.is_some_and(|k| self.stats.frames >= k);
        if last {
            let (w, h) = self.options.size;
            let pixels = read_frame(&running.gl, w, h);
            println!("{}", self.stats.summary(&what));
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
            Key::Named(NamedKey::ArrowUp) => running.scene.key(DemoKey::Up)?,
            Key::Named(NamedKey::ArrowDown) => running.scene.key(DemoKey::Down)?,
            Key::Character(text) => {
                for c in text.chars() {
                    running.scene.key(DemoKey::Char(c))?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn fail(&mut self, event_loop: &ActiveEventLoop, error: Box<dyn Error>) {
        self.error = Some(error);
        event_loop.exit();
    }
}

impl<D: Demo> ApplicationHandler for App<D> {
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
                    let scale = running.window.scale_factor() as f32;
                    self.options.size = logical(size, scale);
                    let (lw, lh) = self.options.size;
                    running
                        .scene
                        .set_scale_factor(scale)
                        .and_then(|()| running.scene.resize(lw, lh))
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

fn run_window<D: Demo>(options: Options) -> Result<()> {
    let no_display =
        std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none();
    if no_display {
        return Err("no display (DISPLAY is unset): run with --headless, or under xvfb-run".into());
    }
    let event_loop = EventLoop::new()?;
    let mut app = App::<D> {
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
