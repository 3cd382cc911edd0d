//! A vertex_domain scene inside an egui app: an eframe window (glow renderer) whose central
//! panel shows bouncing, spinning sprites of one [`Scene`], drawn by an
//! `egui::PaintCallback` (`egui_glow::CallbackFn`), beside ordinary egui widgets: a slider
//! for the sprite count, a pause checkbox and the frame statistics.
//!
//! ```text
//! cargo run --release --example egui
//! xvfb-run cargo run --release --example egui     # no display: a virtual X server
//! ```
//!
//! The scene lives in an `Arc<Mutex<...>>` built on eframe's `cc.gl` (the `Arc<glow::Context>`
//! vertex_domain takes), with multi-draw loaded through `cc.get_proc_address`. All GL work
//! (adding images and sprites, moving, removing, drawing them) happens in the callback, where
//! the context is current and egui_glow has set the viewport to the callback's rectangle: the
//! scene's viewport is that rectangle in pixels. egui_glow sets its own state again
//! afterwards.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use eframe::{egui, egui_glow, glow};
use vertex_domain::backend::MultiDraw;
use vertex_domain::scene::{Image, Item, Layer, Pictured, Scene, Sprite};

#[path = "common/motion.rs"]
mod motion;
#[path = "common/rng.rs"]
mod rng;
use motion::Mover;
use rng::Rng;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Side of each generated image, in pixels.
const IMAGE: u32 = 32;

/// A white image of `IMAGE` pixels a side whose alpha is `shape` at each pixel centre, in
/// coordinates from -1 to 1, with a soft edge.
fn image(shape: impl Fn(f32, f32) -> f32) -> Vec<u8> {
    let c = IMAGE as f32 / 2.0;
    (0..IMAGE * IMAGE)
        .flat_map(|i| {
            let (x, y) = ((i % IMAGE) as f32 + 0.5 - c, (i / IMAGE) as f32 + 0.5 - c);
            let alpha = (0.5 - shape(x / c, y / c) * c).clamp(0.0, 1.0);
            [255, 255, 255, (alpha * 255.0) as u8]
        })
        .collect()
}

/// The sprites and their motion: everything here is only touched inside the callback.
struct Sprites {
    scene: Scene,
    images: Vec<Image>,
    layer: Layer,
    movers: Vec<Mover>,
    rng: Rng,
    /// The viewport, in pixels: the callback's rectangle.
    size: [f32; 2],
    /// What the last frame did, for the label: draw calls, milliseconds, a failure.
    draw_calls: usize,
    scene_ms: f32,
    error: Option<String>,
}

impl Sprites {
    fn new(gl: &Arc<glow::Context>, multi_draw: MultiDraw) -> Result<Sprites> {
        let mut scene = Scene::new(gl, multi_draw, 1, 1)?;
        let shapes: [&dyn Fn(f32, f32) -> f32; 3] = [
            &|x, y| (x * x + y * y).sqrt() - 0.9,
            &|x, y| x.abs().max(y.abs()) - 0.8,
            &|x, y| x.abs() + y.abs() - 0.9,
        ];
        let mut images = Vec::new();
        for shape in shapes {
            images.push(scene.add_image(IMAGE, IMAGE, &image(shape))?);
        }
        let layer = scene.add_layer(0)?;
        Ok(Sprites {
            scene,
            images,
            layer,
            movers: Vec::new(),
            rng: Rng(1),
            size: [1.0, 1.0],
            draw_calls: 0,
            scene_ms: 0.0,
            error: None,
        })
    }

    /// One frame in a viewport of `width` × `height` pixels: `count` sprites, moved by `dt`
    /// seconds (none when paused), then drawn.
    fn frame(&mut self, width: u32, height: u32, count: usize, dt: Option<f32>) -> Result<()> {
        let started = Instant::now();
        if [width as f32, height as f32] != self.size {
            self.size = [width as f32, height as f32];
            self.scene.set_viewport(width, height)?;
        }
        while self.movers.len() > count {
            let mover = self.movers.pop().expect("more than count");
            self.scene.remove(mover.id)?;
        }
        while self.movers.len() < count {
            self.add()?;
        }
        if let Some(dt) = dt {
            self.step(dt)?;
        }
        self.draw_calls = self.scene.draw()?.draw_calls;
        self.scene_ms = started.elapsed().as_secs_f32() * 1e3;
        Ok(())
    }

    /// The label's text, given the frame interval.
    fn stats(&self, frame_ms: f32) -> String {
        if let Some(error) = &self.error {
            return format!("scene failed: {error}");
        }
        let fps = 1e3 / frame_ms.max(1e-3);
        format!(
            "sprites: {}\ndraw calls: {}\nframe: {frame_ms:.2} ms ({fps:.0} fps)\n\
             scene update + draw: {:.2} ms",
            self.movers.len(),
            self.draw_calls,
            self.scene_ms
        )
    }

    /// Adds a sprite at a random place, with a random image, tint, size and motion.
    fn add(&mut self) -> Result<()> {
        let rng = &mut self.rng;
        let image = self.images[rng.below(self.images.len() as u64) as usize];
        let [w, h] = self.size;
        let (x, y) = (rng.range(0.0, w), rng.range(0.0, h));
        let scale = rng.range(0.4, 1.2);
        let sprite = Sprite::new(self.layer, image, x, y)
            .centred()
            .scaled(scale, scale)
            .rotated(rng.range(0.0, 360.0))
            .with_colour([0.0, 1.0, 2.0].map(|_| rng.range(60.0, 255.0) as u8));
        let velocity = [rng.range(-120.0, 120.0), rng.range(-120.0, 120.0)];
        let spin = rng.range(-180.0, 180.0);
        let id = self.scene.add(sprite)?;
        self.movers.push(Mover { id, velocity, spin });
        Ok(())
    }

    /// Advances every sprite by `dt` seconds, bouncing off the viewport's edges.
    fn step(&mut self, dt: f32) -> Result<()> {
        for mover in &mut self.movers {
            let props = self.scene.get(mover.id)?.props;
            let (position, rotation) = mover.step(&props, dt, self.size);
            // Position and rotation in one call: each attribute written once.
            self.scene.set_transform(mover.id, position, rotation)?;
        }
        Ok(())
    }
}

/// The app: the widgets' values and the shared scene (`None` once the app has exited).
struct App {
    scene: Arc<Mutex<Option<Sprites>>>,
    count: usize,
    paused: bool,
    /// Frame interval, smoothed, in milliseconds.
    frame_ms: f32,
    last_frame: Instant,
}

impl App {
    fn new(cc: &eframe::CreationContext<'_>) -> Result<App> {
        let gl = cc
            .gl
            .as_ref()
            .ok_or("no GL context: eframe must use glow")?;
        let multi_draw = match &cc.get_proc_address {
            // SAFETY: eframe's `get_proc_address` is the loader of the display `cc.gl` was
            // built from, and the entry points are used only with that context.
            Some(loader) => unsafe { MultiDraw::load(gl, |name| loader(name)) },
            None => MultiDraw::single_draws(),
        };
        Ok(App {
            scene: Arc::new(Mutex::new(Some(Sprites::new(gl, multi_draw)?))),
            count: 2000,
            paused: false,
            frame_ms: 0.0,
            last_frame: Instant::now(),
        })
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let now = Instant::now();
        let interval = (now - self.last_frame).as_secs_f32() * 1e3;
        self.frame_ms += (interval - self.frame_ms) * 0.1;
        self.last_frame = now;
        let stats = self
            .scene
            .lock()
            .unwrap()
            .as_ref()
            .map(|s| s.stats(self.frame_ms));
        egui::Panel::left("controls").show(ui, |ui| {
            ui.heading("vertex-domain");
            ui.add(egui::Slider::new(&mut self.count, 0..=20_000).text("sprites"));
            ui.checkbox(&mut self.paused, "paused");
            ui.label(stats.unwrap_or_default());
        });
        egui::CentralPanel::default().show(ui, |ui| {
            let (rect, _) = ui.allocate_exact_size(ui.available_size(), egui::Sense::hover());
            ui.painter()
                .rect_filled(rect, 0.0, egui::Color32::from_rgb(18, 20, 28));
            let (scene, count) = (Arc::clone(&self.scene), self.count);
            let dt = (!self.paused).then_some((interval / 1e3).min(0.1));
            let callback = egui_glow::CallbackFn::new(move |info, _painter| {
                let viewport = info.viewport_in_pixels();
                let (w, h) = (viewport.width_px.max(1), viewport.height_px.max(1));
                if let Some(scene) = scene.lock().unwrap().as_mut() {
                    if let Err(error) = scene.frame(w as u32, h as u32, count, dt) {
                        scene.error = Some(error.to_string());
                    }
                }
            });
            ui.painter().add(egui::PaintCallback {
                rect,
                callback: Arc::new(callback),
            });
        });
        ui.ctx().request_repaint();
    }

    fn on_exit(&mut self, _gl: Option<&glow::Context>) {
        // The scene's GL objects go while eframe still has the context current.
        self.scene.lock().unwrap().take();
    }
}

fn main() -> eframe::Result {
    let options = eframe::NativeOptions {
        renderer: eframe::Renderer::Glow,
        viewport: egui::ViewportBuilder::default().with_inner_size([1000.0, 640.0]),
        ..Default::default()
    };
    eframe::run_native(
        "vertex-domain in egui",
        options,
        Box::new(|cc| Ok(Box::new(App::new(cc)?))),
    )
}
