//! Watch the region allocator fragment and heal.
//!
//! A game-like trace churns one vertex buffer: 80% sprite quads (4 slots), 15% text labels
//! (4..128 slots), 5% meshes (256..4096 slots). It builds up, churns with 10% reallocs, unloads
//! half the scene at once, then refills. Each printed row is the buffer at one moment, scaled to
//! the terminal: `█` allocated, `▓ ▒ ░` partly allocated, `·` free, with the statistics beside it.
//! The allocator grows the buffer by the protocol (`OutOfCapacity` → double → retry).
//!
//! ```sh
//! cargo run --example fragmentation                       # terminal strips
//! cargo run --example fragmentation -- --png frag.png     # also a picture: rows = time
//! cargo run --example fragmentation -- --live 20000 --rows 40 --width 120
//! ```

use std::error::Error;
use std::fs::File;
use std::io::BufWriter;

use vertex_domain::allocation::{AllocError, Allocator};

mod common;
use common::rng::{region_size, Rng};

/// Settings, from the command line.
struct Options {
    /// Live regions to build up to.
    live: usize,
    /// Terminal rows (snapshots) to print.
    rows: usize,
    /// Terminal cells per row.
    width: usize,
    /// Where to write the PNG, if anywhere.
    png: Option<String>,
    /// PNG size: one pixel row per snapshot, this many columns.
    png_width: usize,
    png_rows: usize,
    seed: u64,
}

impl Options {
    fn parse() -> Result<Options, Box<dyn Error>> {
        let mut o = Options {
            live: 4000,
            rows: 24,
            width: 64,
            png: None,
            png_width: 1024,
            png_rows: 600,
            seed: 0x5EED,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or(format!("{arg} needs a value"));
            match arg.as_str() {
                "--live" => o.live = value()?.parse()?,
                "--rows" => o.rows = value()?.parse()?,
                "--width" => o.width = value()?.parse()?,
                "--png" => o.png = Some(value()?),
                "--png-width" => o.png_width = value()?.parse()?,
                "--png-rows" => o.png_rows = value()?.parse()?,
                "--seed" => o.seed = value()?.parse()?,
                "-h" | "--help" => {
                    println!(
                        "usage: fragmentation [--live N] [--rows N] [--width N] [--seed N] \
                         [--png FILE [--png-width N] [--png-rows N]]"
                    );
                    std::process::exit(0);
                }
                other => return Err(format!("unknown argument {other} (try --help)").into()),
            }
        }
        if o.live == 0 || o.rows == 0 || o.width == 0 || o.png_width == 0 || o.png_rows == 0 {
            return Err("sizes must be positive".into());
        }
        Ok(o)
    }
}

/// The allocator plus the regions the "game" holds, growing the buffer by the protocol.
struct Scene {
    alloc: Allocator,
    live: Vec<(usize, usize)>,
    rng: Rng,
}

impl Scene {
    fn grow_and_retry<T>(
        &mut self,
        call: impl Fn(&mut Allocator) -> Result<T, AllocError>,
    ) -> Result<T, AllocError> {
        match call(&mut self.alloc) {
            Err(AllocError::OutOfCapacity { requested_capacity }) => {
                // What a GL buffer does: double (at least to the request), copy, retry.
                let doubled = self.alloc.capacity().saturating_mul(2);
                self.alloc.set_capacity(requested_capacity.max(doubled))?;
                call(&mut self.alloc)
            }
            other => other,
        }
    }

    fn spawn(&mut self) -> Result<(), AllocError> {
        let size = region_size(&mut self.rng);
        let start = self.grow_and_retry(|a| a.alloc(size))?;
        self.live.push((start, size));
        Ok(())
    }

    fn despawn(&mut self) -> Result<(), AllocError> {
        let i = self.rng.below(self.live.len() as u64) as usize;
        let (start, size) = self.live.swap_remove(i);
        self.alloc.dealloc(start, size)
    }

    fn resize(&mut self) -> Result<(), AllocError> {
        let i = self.rng.below(self.live.len() as u64) as usize;
        let (start, size) = self.live[i];
        let new_size = region_size(&mut self.rng);
        let new_start = self.grow_and_retry(|a| a.realloc(start, size, new_size))?;
        self.live[i] = (new_start, new_size);
        Ok(())
    }

    /// One step of the script: `t` runs from 0 to 1 over the whole demo.
    fn step(&mut self, t: f64, target: usize) -> Result<(), AllocError> {
        if t < 0.25 {
            // Loading: build up to the target.
            if self.live.len() < target {
                return self.spawn();
            }
        } else if (0.5..0.55).contains(&t) {
            // Level change: unload half the scene.
            if self.live.len() > target / 2 {
                return self.despawn();
            }
        } else if (0.55..0.7).contains(&t) {
            // Refill: first fit pours the new regions into the holes.
            if self.live.len() < target {
                return self.spawn();
            }
        }
        // Steady churn: 10% reallocs, otherwise keep the count around the target.
        if self.live.is_empty() {
            self.spawn()
        } else if self.rng.below(100) < 10 {
            self.resize()
        } else if self.live.len() < target {
            self.spawn()
        } else {
            self.despawn()
        }
    }
}

/// Allocated fraction of each of `cells` equal slices of `[0, extent)`.
fn coverage(alloc: &Allocator, extent: usize, cells: usize) -> Vec<f64> {
    let mut covered = vec![0.0f64; cells];
    let scale = cells as f64 / extent.max(1) as f64;
    for r in alloc.regions() {
        // Spread the region over the cells it overlaps, in cell units.
        let (a, b) = (r.start as f64 * scale, r.end as f64 * scale);
        let mut cell = a.floor() as usize;
        while cell < cells && (cell as f64) < b {
            let lo = a.max(cell as f64);
            let hi = b.min(cell as f64 + 1.0);
            covered[cell] += hi - lo;
            cell += 1;
        }
    }
    covered
}

fn strip(alloc: &Allocator, width: usize) -> String {
    coverage(alloc, alloc.capacity(), width)
        .into_iter()
        .map(|c| match c {
            c if c >= 0.95 => '█',
            c if c >= 0.6 => '▓',
            c if c >= 0.3 => '▒',
            c if c > 0.0 => '░',
            _ => '·',
        })
        .collect()
}

/// Colours of the PNG: allocated, free inside the buffer, beyond the buffer's capacity then.
const ALLOCATED_RGB: [f64; 3] = [242.0, 153.0, 54.0];
const FREE_RGB: [f64; 3] = [32.0, 36.0, 48.0];
const BEYOND_RGB: [u8; 3] = [8, 8, 10];

fn write_png(path: &str, width: usize, rows: &[(Vec<f64>, usize)]) -> Result<(), Box<dyn Error>> {
    let mut pixels = Vec::with_capacity(width * rows.len() * 3);
    for (cover, inside) in rows {
        for (x, &c) in cover.iter().enumerate() {
            if x >= *inside {
                pixels.extend_from_slice(&BEYOND_RGB);
            } else {
                let c = c.clamp(0.0, 1.0);
                for ch in 0..3 {
                    pixels.push((FREE_RGB[ch] + (ALLOCATED_RGB[ch] - FREE_RGB[ch]) * c) as u8);
                }
            }
        }
    }
    let file = BufWriter::new(File::create(path)?);
    let mut encoder = png::Encoder::new(file, u32::try_from(width)?, u32::try_from(rows.len())?);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.write_header()?.write_image_data(&pixels)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let o = Options::parse()?;
    let mut scene = Scene {
        alloc: Allocator::new(1024),
        live: Vec::new(),
        rng: Rng(o.seed),
    };
    // Enough steps to build up, churn each region several times, unload and refill.
    let total_steps = o.live * 16;
    let snapshots = if o.png.is_some() { o.png_rows } else { o.rows };
    let every = (total_steps / snapshots).max(1);
    let print_every = (total_steps / o.rows).max(1);

    println!(
        "{} live regions at most; `█` allocated, `·` free, each row scaled to the capacity then",
        o.live
    );
    let mut png_rows: Vec<(Vec<f64>, usize)> = Vec::new();
    for step in 1..=total_steps {
        scene.step(step as f64 / total_steps as f64, o.live)?;
        if o.png.is_some() && step % every == 0 {
            // Scaled to the final capacity later; keep raw coverage at a fine resolution.
            png_rows.push((Vec::new(), scene.alloc.capacity()));
            let cover = coverage(&scene.alloc, scene.alloc.capacity(), o.png_width);
            png_rows.last_mut().expect("just pushed").0 = cover;
        }
        if step % print_every == 0 {
            let a = &scene.alloc;
            println!(
                "{} {:>6} regions {:>8} cap {:>3.0}% used {:>3.0}% frag",
                strip(a, o.width),
                a.region_count(),
                a.capacity(),
                a.usage() * 100.0,
                a.fragmentation() * 100.0,
            );
        }
    }
    if let Some(path) = &o.png {
        // Re-scale every row to the final capacity, so that growth shows as the buffer widening.
        let final_capacity = scene.alloc.capacity();
        let rows: Vec<(Vec<f64>, usize)> = png_rows
            .into_iter()
            .map(|(cover, capacity)| {
                let inside =
                    (capacity as f64 / final_capacity as f64 * o.png_width as f64).round() as usize;
                (resample(&cover, inside.max(1), o.png_width), inside)
            })
            .collect();
        write_png(path, o.png_width, &rows)?;
        println!(
            "wrote {path}: {} × {} (rows: time, top to bottom; columns: address)",
            o.png_width,
            rows.len()
        );
    }
    Ok(())
}

/// Squeezes `cover` (over a row's own capacity) into its first `inside` of `width` columns.
fn resample(cover: &[f64], inside: usize, width: usize) -> Vec<f64> {
    let mut out = vec![0.0; width];
    let n = cover.len();
    for (x, slot) in out.iter_mut().enumerate().take(inside.min(width)) {
        let lo = x * n / inside;
        let hi = ((x + 1) * n / inside).max(lo + 1).min(n);
        *slot = cover[lo..hi].iter().sum::<f64>() / (hi - lo) as f64;
    }
    out
}
