//! Every shape kind in one [`Scene`], under a moving camera: a row of each of the ten kinds
//! turning in place, a circle whose segment count and a star whose spike count change as it
//! runs (their lists resized in place), and a swarm of small shapes drifting in a second
//! world layer above them, additively blended. Each layer draws in one call.
//!
//! ```text
//! cargo run --release --example shapes                       # a window
//! cargo run --release --example shapes -- --headless --screenshot shapes.png
//! ```
//!
//! Options: `--shapes N` (swarm size, default 400), `--frames K`, `--headless`,
//! `--screenshot FILE.png`, `--size WxH` (default 800x600), `--seed S`, `--check`.

use std::sync::Arc;

use vertex_domain::backend::MultiDraw;
use vertex_domain::scene::{Blend, Camera, Item, Layer, Scene, Shape, ShapeId, ShapeKind};

mod common;
use common::demo::{Demo, Options, Result};
use common::rng::Rng;

const USAGE: &str = "usage: shapes [--shapes N] [--frames K] [--headless] \
[--screenshot FILE.png] [--size WxH] [--seed S] [--check]";

/// The ten kinds, at a size that fits a 70-pixel cell, centred on their cell.
fn kinds() -> Vec<(ShapeKind, [f32; 2])> {
    vec![
        (
            ShapeKind::Rectangle {
                width: 50.0,
                height: 34.0,
            },
            [25.0, 17.0],
        ),
        (
            ShapeKind::BorderedRectangle {
                width: 50.0,
                height: 34.0,
                border: 6.0,
            },
            [25.0, 17.0],
        ),
        (
            ShapeKind::Circle {
                radius: 25.0,
                segments: 32,
            },
            [0.0, 0.0],
        ),
        (
            ShapeKind::Ellipse {
                a: 28.0,
                b: 16.0,
                segments: 32,
            },
            [0.0, 0.0],
        ),
        (
            ShapeKind::Sector {
                radius: 26.0,
                angle: 270.0,
                start_angle: 45.0,
                segments: 24,
            },
            [0.0, 0.0],
        ),
        (
            ShapeKind::Arc {
                radius: 22.0,
                thickness: 7.0,
                angle: 300.0,
                start_angle: 0.0,
                segments: 32,
                closed: false,
            },
            [0.0, 0.0],
        ),
        (
            ShapeKind::Line {
                dx: 50.0,
                dy: 30.0,
                width: 6.0,
            },
            [25.0, 15.0],
        ),
        (
            ShapeKind::Triangle {
                points: [[0.0, 0.0], [50.0, 0.0], [25.0, 42.0]],
            },
            [25.0, 14.0],
        ),
        (
            ShapeKind::Polygon {
                points: vec![
                    [0.0, 0.0],
                    [50.0, 0.0],
                    [50.0, 40.0],
                    [25.0, 18.0],
                    [0.0, 40.0],
                ],
            },
            [25.0, 20.0],
        ),
        (
            ShapeKind::Star {
                outer_radius: 27.0,
                inner_radius: 11.0,
                spikes: 5,
            },
            [0.0, 0.0],
        ),
    ]
}

/// A small shape of the swarm drifting at `velocity`.
struct Mote {
    id: ShapeId,
    velocity: [f32; 2],
}

struct Shapes {
    scene: Scene,
    /// The row of every kind, turning.
    row: Vec<ShapeId>,
    /// A circle and a star whose geometry changes as the scene runs.
    circle: ShapeId,
    star: ShapeId,
    swarm: Vec<Mote>,
    size: (f32, f32),
    time: f32,
}

/// A saturated colour of hue `h` in `0..1`.
fn hue(h: f32) -> [u8; 3] {
    let channel = |offset: f32| {
        let x = ((h + offset).fract() * 6.0 - 3.0).abs() - 1.0;
        (x.clamp(0.0, 1.0) * 200.0 + 55.0) as u8
    };
    [channel(0.0), channel(2.0 / 3.0), channel(1.0 / 3.0)]
}

impl Shapes {
    fn create(gl: &Arc<glow::Context>, multi_draw: MultiDraw, options: &Options) -> Result<Self> {
        let (w, h) = options.size;
        let mut scene = Scene::new(gl, multi_draw, w, h)?;
        let solid = scene.add_layer(0)?;
        let glow = scene.add_layer(1)?;
        scene.set_layer_blend(glow, Blend::Additive)?;
        let (w, h) = (w as f32, h as f32);
        let mut row = Vec::new();
        for (i, (kind, centre)) in kinds().into_iter().enumerate() {
            let (x, y) = (w / 2.0 + (i as f32 - 4.5) * 72.0, h / 2.0);
            let shape = Shape::new(solid, kind, x, y)
                .with_colour(hue(i as f32 / 10.0))
                .with_border_colour([240, 240, 240])
                .anchored(centre[0], centre[1]);
            row.push(scene.add(shape)?);
        }
        let circle = scene.add(
            Shape::new(
                solid,
                ShapeKind::Circle {
                    radius: 60.0,
                    segments: 3,
                },
                w * 0.25,
                h * 0.75,
            )
            .with_colour([90, 120, 230]),
        )?;
        let star = ShapeKind::Star {
            outer_radius: 60.0,
            inner_radius: 25.0,
            spikes: 3,
        };
        let star =
            scene.add(Shape::new(solid, star, w * 0.75, h * 0.25).with_colour([240, 190, 60]))?;
        let mut shapes = Shapes {
            scene,
            row,
            circle,
            star,
            swarm: Vec::new(),
            size: (w, h),
            time: 0.0,
        };
        shapes.add_swarm(glow, options.count, options.seed)?;
        Ok(shapes)
    }

    /// `n` small shapes of every kind, scattered, drifting, at random z.
    fn add_swarm(&mut self, layer: Layer, n: usize, seed: u64) -> Result<()> {
        let mut rng = Rng(seed.max(1));
        let kinds = kinds();
        for i in 0..n {
            let (kind, centre) = kinds[i % kinds.len()].clone();
            let (x, y) = (rng.range(0.0, self.size.0), rng.range(0.0, self.size.1));
            let shape = Shape::new(layer, kind, x, y)
                .with_colour(hue(rng.range(0.0, 1.0)))
                .with_opacity(70)
                .rotated(rng.range(0.0, 360.0))
                .anchored(centre[0], centre[1])
                .at_z(rng.range(0.0, 1.0));
            let id = self.scene.add(shape)?;
            let velocity = [rng.range(-40.0, 40.0), rng.range(-40.0, 40.0)];
            self.swarm.push(Mote { id, velocity });
        }
        Ok(())
    }

    fn advance(&mut self, dt: f32) -> Result<()> {
        self.time += dt;
        let t = self.time;
        for (i, &id) in self.row.iter().enumerate() {
            self.scene
                .set_rotation(id, t * 40.0 * if i % 2 == 0 { 1.0 } else { -1.0 })?;
        }
        // Geometry that changes: the lists are resized in place (or moved on the GPU).
        let segments = 3 + ((t * 4.0) as u32 % 30);
        self.scene.set_geometry(
            self.circle,
            ShapeKind::Circle {
                radius: 60.0,
                segments,
            },
        )?;
        let spikes = 3 + ((t * 2.0) as u32 % 8);
        let star = ShapeKind::Star {
            outer_radius: 60.0,
            inner_radius: 25.0,
            spikes,
        };
        self.scene.set_geometry(self.star, star)?;
        let (w, h) = self.size;
        for mote in &self.swarm {
            let at = self.scene.get(mote.id)?.props;
            let x = (at.x + mote.velocity[0] * dt).rem_euclid(w);
            let y = (at.y + mote.velocity[1] * dt).rem_euclid(h);
            self.scene.set_position(mote.id, x, y)?;
        }
        // The camera drifts and breathes; no vertex is rewritten for it.
        self.scene.set_camera(Camera {
            pan: [40.0 * (t * 0.5).sin(), 25.0 * (t * 0.3).cos()],
            zoom: 1.0 + 0.15 * (t * 0.4).sin(),
            rotation: 4.0 * (t * 0.2).sin(),
        })?;
        Ok(())
    }
}

impl Demo for Shapes {
    const NAME: &'static str = "vertex-domain shapes";

    fn new(gl: &Arc<glow::Context>, multi_draw: MultiDraw, options: &Options) -> Result<Shapes> {
        Shapes::create(gl, multi_draw, options)
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

    fn describe(&self) -> String {
        format!("{} shapes", self.scene.count::<Shape>())
    }
}

fn main() {
    common::app::main::<Shapes>(Options::parse("--shapes", 400), USAGE);
}
