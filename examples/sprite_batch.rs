//! The main demo: thousands of bouncing, spinning, tinted sprites of generated images, in
//! three world layers of one [`Scene`] (one multi-draw per layer), with the frame
//! statistics on a screen layer above them.
//!
//! ```text
//! cargo run --release --example sprite_batch                       # a window
//! cargo run --release --example sprite_batch -- --headless --screenshot sprites.png
//! ```
//!
//! Options: `--sprites N` (default 5000), `--frames K` (stop after K frames; headless default
//! 60), `--headless` (no display: EGL device context and an offscreen framebuffer),
//! `--screenshot FILE.png` (the last frame), `--size WxH` (default 800x600), `--seed S`,
//! `--check` (fail unless the last frame shows sprites: used by CI), `--gles` (a headless
//! GLES 3 context instead of GL core), `--bench` (headless: frame times at 1k, 10k and 50k
//! sprites, multi-draw against single draws, on each stream path; in the page: `?bench`).
//!
//! Keys in the window: Up or `+` adds 1,000 sprites, Down or `-` removes 1,000, Space pauses,
//! Escape quits. Frame statistics are drawn in the window's top left corner (a label on a
//! translucent backdrop in a screen layer) and shown in the title.

use std::sync::Arc;

use vertex_domain::backend::{MultiDraw, StreamConfig};
use vertex_domain::scene::{
    AnchorX, AnchorY, Font, Image, Item, Label, LabelId, Layer, Pictured, Scene, Shape, ShapeId,
    ShapeKind, Sprite,
};

mod common;
use common::demo::{Demo, Key, Options, Result};
use common::motion::Mover;
use common::rng::Rng;

/// Sprites added or removed per key press.
const BULK: usize = 1000;
/// Side of each generated image, in pixels.
const IMAGE: u32 = 32;

#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // the page has no command line
const USAGE: &str = "usage: sprite_batch [--sprites N] [--frames K] [--headless] \
[--screenshot FILE.png] [--size WxH] [--seed S] [--check]";

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

/// The generated images, added to the scene's atlas: circle, ring, square, star, diamond.
fn images(scene: &mut Scene) -> Result<Vec<Image>> {
    let r = |x: f32, y: f32| (x * x + y * y).sqrt();
    let shapes: [&dyn Fn(f32, f32) -> f32; 5] = [
        &|x, y| edge(r(x, y) - 0.9),
        &|x, y| edge((r(x, y) - 0.7).abs() - 0.2),
        &|x, y| edge(x.abs().max(y.abs()) - 0.8),
        &|x, y| {
            let angle = y.atan2(x);
            let radius = 0.55 + 0.4 * (2.5 * angle).cos().abs().powf(3.0);
            edge(r(x, y) - radius)
        },
        &|x, y| edge(x.abs() + y.abs() - 0.9),
    ];
    let mut images = Vec::new();
    for shape in shapes {
        images.push(scene.add_image(IMAGE, IMAGE, &image(shape))?);
    }
    Ok(images)
}

/// The sprites, their motion, and what draws them.
struct Demo2d {
    scene: Scene,
    images: Vec<Image>,
    /// The world layers, back to front.
    layers: Vec<Layer>,
    movers: Vec<Mover>,
    /// The frame statistics, drawn above the sprites on a translucent backdrop.
    stats: LabelId,
    backdrop: ShapeId,
    rng: Rng,
    size: (f32, f32),
}

/// Where the statistics label's top left corner sits: this far in from the window's.
const STATS_MARGIN: f32 = 10.0;

impl Demo2d {
    fn create(gl: &Arc<glow::Context>, multi_draw: MultiDraw, options: &Options) -> Result<Demo2d> {
        if let Some(other) = options.rest.first() {
            return Err(format!("unknown argument {other}").into());
        }
        let (w, h) = options.size;
        let mut scene = Scene::new(gl, multi_draw, w, h)?;
        let images = images(&mut scene)?;
        let mut layers = Vec::new();
        for order in 0..3 {
            layers.push(scene.add_layer(order)?);
        }
        // The statistics stay put on the screen whatever the camera does.
        let hud = scene.add_screen_layer(3)?;
        let backdrop = ShapeKind::Rectangle {
            width: 1.0,
            height: 1.0,
        };
        let backdrop = Shape::new(hud, backdrop, 0.0, 0.0)
            .with_colour([0, 0, 0])
            .with_opacity(170);
        let backdrop = scene.add(backdrop)?;
        let top = h as f32 - STATS_MARGIN;
        let stats = Label::new(hud, "", &Font::default_font(), 15.0, STATS_MARGIN, top)
            .anchored_at(AnchorX::Left, AnchorY::Top)
            .wrapped(w as f32 - 2.0 * STATS_MARGIN)
            .at_z(1.0);
        let stats = scene.add(stats)?;
        let mut demo = Demo2d {
            scene,
            images,
            layers,
            stats,
            backdrop,
            movers: Vec::new(),
            rng: Rng(options.seed),
            size: (w as f32, h as f32),
        };
        demo.add(options.count)?;
        Ok(demo)
    }

    /// Adds `n` sprites at random places, with random images, tints, sizes and motion.
    fn add(&mut self, n: usize) -> Result<()> {
        for _ in 0..n {
            let rng = &mut self.rng;
            let layer = self.layers[(rng.next() % self.layers.len() as u64) as usize];
            let image = self.images[(rng.next() % self.images.len() as u64) as usize];
            let (x, y) = (rng.range(0.0, self.size.0), rng.range(0.0, self.size.1));
            let scale = rng.range(0.4, 1.2);
            let sprite = Sprite::new(layer, image, x, y)
                .centred()
                .scaled(scale, scale)
                .rotated(rng.range(0.0, 360.0))
                .with_colour(hue(rng.range(0.0, 1.0)))
                .with_opacity(rng.range(150.0, 255.0) as u8);
            let velocity = [rng.range(-120.0, 120.0), rng.range(-120.0, 120.0)];
            let spin = rng.range(-180.0, 180.0);
            let id = self.scene.add(sprite)?;
            self.movers.push(Mover { id, velocity, spin });
        }
        Ok(())
    }

    /// Removes the `n` most recently added sprites (or all).
    fn remove(&mut self, n: usize) -> Result<()> {
        let keep = self.movers.len().saturating_sub(n);
        for mover in self.movers.drain(keep..) {
            self.scene.remove(mover.id)?;
        }
        Ok(())
    }

    /// Advances every sprite by `dt` seconds, bouncing off the edges.
    fn advance(&mut self, dt: f32) -> Result<()> {
        let size = [self.size.0, self.size.1];
        for mover in &mut self.movers {
            let props = self.scene.get(mover.id)?.props;
            let (position, rotation) = mover.step(&props, dt, size);
            // Position and rotation in one call: each attribute written once.
            self.scene.set_transform(mover.id, position, rotation)?;
        }
        Ok(())
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

impl Demo for Demo2d {
    const NAME: &'static str = "vertex-domain sprites";

    fn new(gl: &Arc<glow::Context>, multi_draw: MultiDraw, options: &Options) -> Result<Demo2d> {
        Demo2d::create(gl, multi_draw, options)
    }

    fn step(&mut self, dt: f32) -> Result<()> {
        self.advance(dt)
    }

    fn draw(&mut self, _: &glow::Context) -> Result<usize> {
        Ok(self.scene.draw()?.draw_calls)
    }

    fn resize(&mut self, width: u32, height: u32) -> Result<()> {
        self.size = (width as f32, height as f32);
        self.scene.set_viewport(width, height)?;
        let (w, h) = self.size;
        Ok(self.scene.update(self.stats, |l| {
            l.props.y = h - STATS_MARGIN;
            l.wrap_width = Some(w - 2.0 * STATS_MARGIN);
        })?)
    }

    fn show_stats(&mut self, line: &str) -> Result<()> {
        self.scene.set_text(self.stats, line)?;
        // The backdrop covers the label's bounds, a few pixels wider.
        let [l, b, r, t] = self.scene.bounds(self.stats)?;
        let pad = 4.0;
        let backdrop = ShapeKind::Rectangle {
            width: r - l + 2.0 * pad,
            height: t - b + 2.0 * pad,
        };
        self.scene.set_geometry(self.backdrop, backdrop)?;
        Ok(self.scene.set_position(self.backdrop, l - pad, b - pad)?)
    }

    fn set_scale_factor(&mut self, scale: f32) -> Result<()> {
        Ok(self.scene.set_scale_factor(scale)?)
    }

    fn describe(&self) -> String {
        format!("{} sprites", self.movers.len())
    }

    fn set_stream(&mut self, config: StreamConfig) -> Result<()> {
        Ok(self.scene.batch_mut().set_stream_config(config)?)
    }

    fn key(&mut self, key: Key) -> Result<()> {
        match key {
            Key::Up => self.add(BULK),
            Key::Down => self.remove(BULK),
            Key::Char('+' | '=') => self.add(BULK),
            Key::Char('-') => self.remove(BULK),
            _ => Ok(()),
        }
    }
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    common::app::main::<Demo2d>(Options::parse("--sprites", 5000), USAGE);
    // In the browser: the page's query (`?sprites=N&check`) are the options.
    #[cfg(target_arch = "wasm32")]
    common::web::main::<Demo2d>("--sprites", 5000);
}
