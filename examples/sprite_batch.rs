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
//! `--check` (fail unless the last frame shows sprites: used by CI), `--gles` (a headless
//! GLES 3 context instead of GL core), `--bench` (headless: frame times at 1k, 10k and 50k
//! sprites, multi-draw against single draws, on each stream path; in the page: `?bench`).
//!
//! Keys in the window: Up or `+` adds 1,000 sprites, Down or `-` removes 1,000, Space pauses,
//! Escape quits. Frame statistics are drawn in the window's top left corner (a label in a text
//! layer above the sprites) and shown in the title.

use std::sync::Arc;

use vertex_domain::backend::{AtlasBuilder, MultiDraw, StreamConfig, TextureAtlas, TextureFilter};
use vertex_domain::batch::text::{AnchorX, AnchorY};
use vertex_domain::batch::{
    Font, GroupId, Label, LabelId, Shape, ShapeId, ShapeKind, Sprite, SpriteBatch, SpriteId,
};

mod common;
use common::demo::{Demo, Key, Options, Result};
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

/// Two atlases of generated shapes: (circle, ring, square) and (star, diamond).
fn atlases(gl: &Arc<glow::Context>) -> Result<[TextureAtlas; 2]> {
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
        round.build(gl, TextureFilter::Linear)?,
        sharp.build(gl, TextureFilter::Linear)?,
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
    /// The frame statistics, drawn above the sprites on a translucent backdrop.
    stats: LabelId,
    backdrop: ShapeId,
    rng: Rng,
    size: (f32, f32),
}

/// Where the statistics label's top left corner sits: this far in from the window's.
const STATS_MARGIN: f32 = 10.0;

impl Scene {
    fn create(gl: &Arc<glow::Context>, multi_draw: MultiDraw, options: &Options) -> Result<Scene> {
        if let Some(other) = options.rest.first() {
            return Err(format!("unknown argument {other}").into());
        }
        let (w, h) = options.size;
        let mut sprites = SpriteBatch::new(gl, multi_draw, w, h)?;
        let atlases = atlases(gl)?;
        let mut layers = Vec::new();
        for (order, atlas) in [(0, 0), (1, 1), (2, 0)] {
            let layer = sprites.add_layer(Arc::clone(atlases[atlas].texture()), order)?;
            layers.push((layer, atlas));
        }
        let shade = sprites.add_shape_layer(3)?;
        let backdrop = ShapeKind::Rectangle {
            width: 1.0,
            height: 1.0,
        };
        let mut backdrop = Shape::new(shade, backdrop, 0.0, 0.0).with_colour([0, 0, 0]);
        backdrop.opacity = 170;
        let backdrop = sprites.add_shape(backdrop)?;
        let text = sprites.add_text_layer(4)?;
        let stats = Label::new(text, "", &Font::default_font(), 15.0, STATS_MARGIN, 0.0)
            .anchored(AnchorX::Left, AnchorY::Top)
            .with_colour([255, 255, 255])
            .wrapped(w as f32 - 2.0 * STATS_MARGIN);
        let stats = sprites.add_label(Label {
            y: h as f32 - STATS_MARGIN,
            ..stats
        })?;
        let mut scene = Scene {
            sprites,
            atlases,
            layers,
            stats,
            backdrop,
            movers: Vec::new(),
            rng: Rng(options.seed),
            size: (w as f32, h as f32),
        };
        scene.add(options.count)?;
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
    fn advance(&mut self, dt: f32) -> Result<()> {
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
}

/// A saturated colour of hue `h` in `0..1`.
fn hue(h: f32) -> [u8; 3] {
    let channel = |offset: f32| {
        let x = ((h + offset).fract() * 6.0 - 3.0).abs() - 1.0;
        (x.clamp(0.0, 1.0) * 200.0 + 55.0) as u8
    };
    [channel(0.0), channel(2.0 / 3.0), channel(1.0 / 3.0)]
}

impl Demo for Scene {
    const NAME: &'static str = "vertex-domain sprites";

    fn new(gl: &Arc<glow::Context>, multi_draw: MultiDraw, options: &Options) -> Result<Scene> {
        Scene::create(gl, multi_draw, options)
    }

    fn step(&mut self, dt: f32) -> Result<()> {
        self.advance(dt)
    }

    fn draw(&mut self, _: &glow::Context) -> Result<usize> {
        Ok(self.sprites.draw()?.draw_calls)
    }

    fn resize(&mut self, width: u32, height: u32) -> Result<()> {
        self.size = (width as f32, height as f32);
        self.sprites.set_viewport(width, height)?;
        let (w, h) = self.size;
        Ok(self.sprites.update_label(self.stats, |l| {
            l.y = h - STATS_MARGIN;
            l.wrap_width = Some(w - 2.0 * STATS_MARGIN);
        })?)
    }

    fn show_stats(&mut self, line: &str) -> Result<()> {
        self.sprites.set_label_text(self.stats, line)?;
        // The backdrop covers the label's bounds, a few pixels wider.
        let [l, b, r, t] = self.sprites.label_bounds(self.stats)?;
        let pad = 4.0;
        Ok(self.sprites.update_shape(self.backdrop, |s| {
            s.kind = ShapeKind::Rectangle {
                width: r - l + 2.0 * pad,
                height: t - b + 2.0 * pad,
            };
            (s.x, s.y) = (l - pad, b - pad);
        })?)
    }

    fn set_scale_factor(&mut self, scale: f32) -> Result<()> {
        Ok(self.sprites.set_scale_factor(scale)?)
    }

    fn describe(&self) -> String {
        format!("{} sprites", self.movers.len())
    }

    fn set_stream(&mut self, config: StreamConfig) -> Result<()> {
        Ok(self.sprites.batch_mut().set_stream_config(config)?)
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
    common::app::main::<Scene>(Options::parse("--sprites", 5000), USAGE);
    // In the browser: the page's query (`?sprites=N&check`) are the options.
    #[cfg(target_arch = "wasm32")]
    common::web::main::<Scene>("--sprites", 5000);
}
