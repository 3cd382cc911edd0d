//! What every demo is, in a window, headless or in the browser: the [`Demo`] trait, the
//! options, frame statistics and the `--check` of the last frame.

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use glow::HasContext;
use vertex_domain::backend::{MultiDraw, StreamConfig, StreamPath};
use web_time::Instant;

/// A key a demo may answer, from the window or the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Up,
    Down,
    Char(char),
}

/// The clear colour of both demos, which `--check` tells sprites from.
pub const BACKGROUND: [f32; 4] = [0.07, 0.08, 0.11, 1.0];

pub type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// A scene a demo draws.
pub trait Demo: Sized {
    /// The window title's first words, and the name in messages.
    const NAME: &'static str;
    /// The scene, on a current context, for `options`.
    fn new(gl: &Arc<glow::Context>, multi_draw: MultiDraw, options: &Options) -> Result<Self>;
    /// Advances by `dt` seconds.
    fn step(&mut self, dt: f32) -> Result<()>;
    /// Draws a frame (the framebuffer is cleared to [`BACKGROUND`]); returns the GL draw
    /// calls.
    fn draw(&mut self, gl: &glow::Context) -> Result<usize>;
    /// The viewport became `width` × `height` logical pixels.
    fn resize(&mut self, width: u32, height: u32) -> Result<()>;
    /// Device pixels per logical pixel changed (a HiDPI display, or the window moved to
    /// one): the framebuffer is that many times the logical viewport each way. The default
    /// ignores it.
    fn set_scale_factor(&mut self, _scale: f32) -> Result<()> {
        Ok(())
    }
    /// What the scene holds, for the title ("5000 sprites").
    fn describe(&self) -> String;
    /// A key was pressed in the window (Escape and Space are the harness's).
    fn key(&mut self, _key: Key) -> Result<()> {
        Ok(())
    }
    /// The frame statistics, fresh every half second (and once early on): what the title
    /// shows, for a scene that draws them in the window too.
    fn show_stats(&mut self, _line: &str) -> Result<()> {
        Ok(())
    }
    /// Streams the scene's writes by `config` (the benchmark compares paths). The default
    /// keeps the scene's path.
    fn set_stream(&mut self, _config: StreamConfig) -> Result<()> {
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Options

/// The harness's options, and the demo's count (`--sprites`, `--instances`, ...).
#[derive(Debug, Clone)]
pub struct Options {
    pub count: usize,
    pub frames: Option<u64>,
    pub headless: bool,
    pub screenshot: Option<String>,
    pub size: (u32, u32),
    pub seed: u64,
    pub check: bool,
    /// Run the frame benchmark ([`Bench`]) instead of the demo.
    pub bench: bool,
    /// Headless on GLES 3 instead of GL core.
    pub gles: bool,
    /// Arguments the harness does not know, for the demo.
    pub rest: Vec<String>,
}

impl Options {
    /// Parses the command line, with the demo's count as `count_flag` (default
    /// `default_count`).
    pub fn parse(count_flag: &str, default_count: usize) -> std::result::Result<Options, String> {
        Options::from_args(count_flag, default_count, std::env::args().skip(1))
    }

    /// [`parse`](Self::parse), of `args` (the browser's harness passes the page's query).
    pub fn from_args(
        count_flag: &str,
        default_count: usize,
        args: impl IntoIterator<Item = String>,
    ) -> std::result::Result<Options, String> {
        let mut options = Options {
            count: default_count,
            frames: None,
            headless: false,
            screenshot: None,
            size: (800, 600),
            seed: 1,
            check: false,
            bench: false,
            gles: false,
            rest: Vec::new(),
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                flag if flag == count_flag => options.count = parse(&value(count_flag)?)?,
                "--frames" => options.frames = Some(parse(&value("--frames")?)?),
                "--headless" => options.headless = true,
                "--screenshot" => options.screenshot = Some(value("--screenshot")?),
                "--seed" => options.seed = parse(&value("--seed")?)?,
                "--check" => options.check = true,
                "--bench" => options.bench = true,
                "--gles" => options.gles = true,
                "--size" => {
                    let size = value("--size")?;
                    let (w, h) = size.split_once('x').ok_or(format!("bad size {size}"))?;
                    options.size = (parse(w)?, parse(h)?);
                    if options.size.0 == 0 || options.size.1 == 0 {
                        return Err(format!("bad size {size}"));
                    }
                }
                "--help" | "-h" => return Err(String::new()),
                other => options.rest.push(other.to_owned()),
            }
        }
        Ok(options)
    }
}

pub fn parse<T: std::str::FromStr>(text: &str) -> std::result::Result<T, String> {
    text.parse().map_err(|_| format!("not a number: {text}"))
}

/// Clears the bound framebuffer to [`BACKGROUND`].
pub fn clear(gl: &glow::Context) {
    let [r, g, b, a] = BACKGROUND;
    // SAFETY: plain state changes on the current context.
    unsafe {
        gl.clear_color(r, g, b, a);
        gl.clear(glow::COLOR_BUFFER_BIT);
    }
}

// ---------------------------------------------------------------------------------------
// Statistics

/// The frame after which statistics are first reported, however soon.
const EARLY_REPORT_FRAMES: u64 = 10;

/// Frame timing, reported every half second.
pub struct Stats {
    pub frames: u64,
    total: Duration,
    window_start: Instant,
    window_frames: u32,
    last_calls: usize,
}

impl Stats {
    pub fn new() -> Stats {
        Stats {
            frames: 0,
            total: Duration::ZERO,
            window_start: Instant::now(),
            window_frames: 0,
            last_calls: 0,
        }
    }

    /// Records a frame; returns a title line every half second.
    pub fn frame(
        &mut self,
        name: &str,
        took: Duration,
        calls: usize,
        what: &str,
    ) -> Option<String> {
        self.frames += 1;
        self.total += took;
        self.window_frames += 1;
        self.last_calls = calls;
        let elapsed = self.window_start.elapsed();
        // The first report comes after a few frames, so that a short headless run shows
        // one too.
        let early = self.frames == EARLY_REPORT_FRAMES;
        if elapsed < Duration::from_millis(500) && !early {
            return None;
        }
        let fps = f64::from(self.window_frames) / elapsed.as_secs_f64();
        self.window_start = Instant::now();
        self.window_frames = 0;
        Some(format!(
            "{name}: {what}, {calls} draw calls, {fps:.0} fps, {:.2} ms/frame",
            1e3 / fps
        ))
    }

    pub fn summary(&self, what: &str) -> String {
        let mean = self.total.as_secs_f64() * 1e3 / self.frames.max(1) as f64;
        format!(
            "{} frames, {mean:.2} ms mean frame (update + draw + finish), {what}, {} draw calls",
            self.frames, self.last_calls
        )
    }
}

/// Reads the bound framebuffer's `width` x `height` RGBA pixels, bottom row first (GL's
/// order).
pub fn read_pixels(gl: &glow::Context, width: u32, height: u32) -> Vec<u8> {
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
    pixels
}

/// Fails unless the frame shows sprites: enough pixels off the background, in several
/// colours. Returns what it saw, as one line.
pub fn check_frame(pixels: &[u8]) -> Result<String> {
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
    let share = lit as f64 / (pixels.len() / 4).max(1) as f64;
    let line = format!(
        "{:.1}% of pixels show sprites, {} colour buckets",
        share * 100.0,
        colours.len()
    );
    if share < 0.02 || colours.len() < 8 {
        return Err(format!("the frame does not show sprites ({line})").into());
    }
    Ok(line)
}

// ---------------------------------------------------------------------------------------
// The frame benchmark (`--bench` natively, `?bench` in the page)

/// Sprite counts the benchmark runs at.
pub const BENCH_COUNTS: [usize; 3] = [1_000, 10_000, 50_000];
/// Frames run before timing, and frames timed, per configuration.
const BENCH_WARMUP: u32 = 10;
const BENCH_FRAMES: u32 = 30;

/// One configuration of the benchmark.
#[derive(Debug, Clone, Copy)]
pub struct BenchConfig {
    pub count: usize,
    /// The context's multi-draw, or single draws.
    pub multi_draw: bool,
    pub path: StreamPath,
}

/// The benchmark: for each count, multi-draw and single draws, on each of `paths`, a fresh
/// scene runs warm-up frames, then timed frames; each frame is step + clear + draw + a
/// one-pixel read-back, which waits until the frame has been drawn (so the time includes
/// the rasteriser's work: SwiftShader and llvmpipe draw on the CPU).
pub struct Bench<D> {
    plan: Vec<BenchConfig>,
    at: usize,
    scene: Option<D>,
    frame: u32,
    samples: Vec<f64>,
    /// Each configuration with its median and mean frame time, in milliseconds.
    pub results: Vec<(BenchConfig, f64, f64)>,
}

impl<D: Demo> Bench<D> {
    pub fn new(paths: &[StreamPath]) -> Bench<D> {
        let mut plan = Vec::new();
        for count in BENCH_COUNTS {
            for multi_draw in [true, false] {
                for &path in paths {
                    plan.push(BenchConfig {
                        count,
                        multi_draw,
                        path,
                    });
                }
            }
        }
        Bench {
            plan,
            at: 0,
            scene: None,
            frame: 0,
            samples: Vec::new(),
            results: Vec::new(),
        }
    }

    /// Runs one frame; `Ok(true)` once every configuration is done.
    pub fn tick(
        &mut self,
        gl: &Arc<glow::Context>,
        multi_draw: &MultiDraw,
        options: &Options,
        size: (u32, u32),
    ) -> Result<bool> {
        let Some(&config) = self.plan.get(self.at) else {
            return Ok(true);
        };
        if self.scene.is_none() {
            let md = if config.multi_draw {
                multi_draw.clone()
            } else {
                MultiDraw::single_draws()
            };
            let options = Options {
                count: config.count,
                ..options.clone()
            };
            let mut scene = D::new(gl, md, &options)?;
            scene.set_stream(StreamConfig::on(config.path))?;
            scene.resize(size.0, size.1)?;
            self.scene = Some(scene);
            self.frame = 0;
            self.samples.clear();
        }
        let scene = self.scene.as_mut().ok_or("no scene")?;
        let started = Instant::now();
        scene.step(1.0 / 60.0)?;
        clear(gl);
        scene.draw(gl)?;
        read_pixels(gl, 1, 1);
        let ms = started.elapsed().as_secs_f64() * 1e3;
        self.frame += 1;
        if self.frame > BENCH_WARMUP {
            self.samples.push(ms);
        }
        if self.frame == BENCH_WARMUP + BENCH_FRAMES {
            self.samples.sort_by(f64::total_cmp);
            let median = self.samples[self.samples.len() / 2];
            let mean = self.samples.iter().sum::<f64>() / self.samples.len() as f64;
            self.results.push((config, median, mean));
            self.scene = None;
            self.at += 1;
        }
        Ok(self.at == self.plan.len())
    }

    /// The results as JSON lines, one per configuration, tagged with `platform`.
    pub fn report(&self, platform: &str) -> String {
        self.results
            .iter()
            .map(|(c, median, mean)| {
                format!(
                    "{{\"platform\": \"{platform}\", \"sprites\": {}, \"multi_draw\": {}, \
                     \"path\": \"{}\", \"median_ms\": {median:.3}, \"mean_ms\": {mean:.3}}}",
                    c.count,
                    c.multi_draw,
                    c.path.name()
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
