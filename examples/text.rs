//! Text in one [`Scene`]: a turning title, a wrapped paragraph whose alignment changes as
//! it runs, anchors around marked points, a wall of counters whose text changes every frame
//! (their lists resized in place, or moved by a GPU copy), and the frame statistics drawn in
//! the window. Every label is one vertex list; the labels and the marks (shapes, below
//! them by z) share one world layer, which draws in one call, and the statistics are on a
//! screen layer.
//!
//! ```text
//! cargo run --release --example text                       # a window
//! cargo run --release --example text -- --headless --screenshot text.png
//! ```
//!
//! Options: `--labels N` (counters, default 120), `--frames K`, `--headless`,
//! `--screenshot FILE.png`, `--size WxH` (default 800x600), `--seed S`, `--check`.

use std::sync::Arc;

use vertex_domain::backend::MultiDraw;
use vertex_domain::scene::{
    Align, AnchorX, AnchorY, Font, Item, Label, LabelId, Layer, Scene, Shape, ShapeKind,
};

mod common;
use common::demo::{Demo, Options, Result};
use common::rng::Rng;

#[cfg_attr(target_arch = "wasm32", allow(dead_code))] // the page has no command line
const USAGE: &str = "usage: text [--labels N] [--frames K] [--headless] \
[--screenshot FILE.png] [--size WxH] [--seed S] [--check]";

const PARAGRAPH: &str = "A label's glyphs are one vertex list in a shared buffer. \
When its text changes, the list is resized where it lies if the space after it is free, \
or moved by a copy on the GPU, and only the glyphs that changed are written again.";

/// A counter: its label and what it counts.
struct Counter {
    id: LabelId,
    name: &'static str,
    value: u64,
    step: u64,
}

struct Text {
    scene: Scene,
    title: LabelId,
    paragraph: LabelId,
    counters: Vec<Counter>,
    stats: LabelId,
    size: (f32, f32),
    time: f32,
}

/// The z of the labels of the world layer: above the marks, at z 0.
const TEXT_Z: f32 = 1.0;

impl Text {
    fn create(gl: &Arc<glow::Context>, multi_draw: MultiDraw, options: &Options) -> Result<Self> {
        let (w, h) = options.size;
        let mut scene = Scene::new(gl, multi_draw, w, h)?;
        // The marks and the labels in one layer: the labels draw above by their z.
        let text = scene.add_layer(0)?;
        let hud = scene.add_screen_layer(1)?;
        let (w, h) = (w as f32, h as f32);
        let font = Font::default_font();
        let title = scene.add(
            Label::new(text, "vertex-domain text", &font, 40.0, w / 2.0, h - 48.0)
                .anchored_at(AnchorX::Centre, AnchorY::Centre)
                .with_colour([250, 210, 90])
                .at_z(TEXT_Z),
        )?;
        let paragraph = scene.add(
            Label::new(text, PARAGRAPH, &font, 16.0, 24.0, h - 96.0)
                .anchored_at(AnchorX::Left, AnchorY::Top)
                .wrapped(w * 0.45)
                .with_colour([220, 225, 235])
                .at_z(TEXT_Z),
        )?;
        // Anchors: a marked point for each of the nine anchors, and a label anchored at it.
        let (px, py) = (w * 0.73, h - 165.0);
        for (i, ax) in [AnchorX::Left, AnchorX::Centre, AnchorX::Right]
            .into_iter()
            .enumerate()
        {
            for (j, ay) in [AnchorY::Top, AnchorY::Centre, AnchorY::Bottom]
                .into_iter()
                .enumerate()
            {
                let (x, y) = (px + (i as f32 - 1.0) * 140.0, py + (1.0 - j as f32) * 45.0);
                let dot = ShapeKind::Circle {
                    radius: 2.5,
                    segments: 12,
                };
                let dot = Shape::new(text, dot, x, y).with_colour([255, 90, 90]);
                scene.add(dot)?;
                let shade = [150 + 40 * i as u8, 210 - 40 * j as u8, 235];
                scene.add(
                    Label::new(text, format!("{ax:?} {ay:?}"), &font, 13.0, x, y)
                        .anchored_at(ax, ay)
                        .with_colour(shade)
                        .at_z(TEXT_Z),
                )?;
            }
        }
        // The statistics stay in the bottom left corner of the viewport.
        let stats = scene.add(
            Label::new(hud, "measuring...", &font, 14.0, 12.0, 12.0)
                .anchored_at(AnchorX::Left, AnchorY::Bottom)
                .with_colour([150, 240, 150])
                .wrapped(w - 24.0),
        )?;
        let mut demo = Text {
            scene,
            title,
            paragraph,
            counters: Vec::new(),
            stats,
            size: (w, h),
            time: 0.0,
        };
        demo.add_counters(text, &font, options.count, options.seed)?;
        Ok(demo)
    }

    /// `n` counters in a grid below the paragraph, each counting at its own pace.
    fn add_counters(&mut self, layer: Layer, font: &Font, n: usize, seed: u64) -> Result<()> {
        const NAMES: [&str; 8] = [
            "Score", "Gold", "Ammo", "Level", "Shield", "Health", "Energy", "Distance",
        ];
        let mut rng = Rng(seed.max(1));
        let columns = 8;
        let (cell_w, cell_h) = (self.size.0 / columns as f32, 16.0);
        for i in 0..n {
            let (col, row) = ((i % columns) as f32, (i / columns) as f32);
            let (x, y) = (8.0 + col * cell_w, self.size.1 - 290.0 - row * cell_h);
            let name = NAMES[i % NAMES.len()];
            let value = rng.below(1000);
            let colour = [
                120 + rng.below(136) as u8,
                120 + rng.below(136) as u8,
                120 + rng.below(136) as u8,
            ];
            let label = Label::new(layer, format!("{name}: {value}"), font, 12.0, x, y)
                .with_colour(colour)
                .at_z(TEXT_Z + i as f32);
            let id = self.scene.add(label)?;
            let step = 1 + rng.below(97);
            self.counters.push(Counter {
                id,
                name,
                value,
                step,
            });
        }
        Ok(())
    }

    fn advance(&mut self, dt: f32) -> Result<()> {
        self.time += dt;
        let t = self.time;
        self.scene.set_rotation(self.title, 4.0 * (t * 0.8).sin())?;
        let align = [Align::Left, Align::Centre, Align::Right][(t / 3.0) as usize % 3];
        // The same alignment as before rebuilds nothing.
        self.scene.update(self.paragraph, |l| l.align = align)?;
        let mut text = String::new();
        for counter in &mut self.counters {
            counter.value = (counter.value + counter.step) % 1_000_000;
            text.clear();
            use std::fmt::Write;
            write!(text, "{}: {}", counter.name, counter.value)?;
            self.scene.set_text(counter.id, &text)?;
        }
        Ok(())
    }
}

impl Demo for Text {
    const NAME: &'static str = "vertex-domain text";

    fn new(gl: &Arc<glow::Context>, multi_draw: MultiDraw, options: &Options) -> Result<Text> {
        Text::create(gl, multi_draw, options)
    }

    fn step(&mut self, dt: f32) -> Result<()> {
        self.advance(dt)
    }

    fn draw(&mut self, _: &glow::Context) -> Result<usize> {
        Ok(self.scene.draw()?.draw_calls)
    }

    fn resize(&mut self, width: u32, height: u32) -> Result<()> {
        self.size = (width as f32, height as f32);
        Ok(self.scene.set_viewport(width, height)?)
    }

    fn set_scale_factor(&mut self, scale: f32) -> Result<()> {
        Ok(self.scene.set_scale_factor(scale)?)
    }

    fn describe(&self) -> String {
        // Text changes are rebuilds: in place (the same glyph count, or resized where the
        // list lay) or moved by a GPU copy.
        let stats = self.scene.stats::<Label>();
        let (w, h) = self.scene.atlas_stats().size;
        format!(
            "{} labels, text changes {} in place + {} moved, atlas {w}x{h}",
            self.scene.count::<Label>(),
            stats.rebuilds - stats.resized_moved,
            stats.resized_moved,
        )
    }

    fn show_stats(&mut self, line: &str) -> Result<()> {
        Ok(self.scene.set_text(self.stats, line)?)
    }
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    common::app::main::<Text>(Options::parse("--labels", 120), USAGE);
    // In the browser: the page's query (`?labels=N&check`) are the options.
    #[cfg(target_arch = "wasm32")]
    common::web::main::<Text>("--labels", 120);
}
