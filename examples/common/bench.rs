//! Timing helpers of the side-by-side benchmarks: milliseconds, `glFinish`, the calling
//! thread's CPU time, and ratios against the peer.

use std::time::{Duration, Instant};

use glow::HasContext;
use vertex_domain::backend::RenderTarget;
use vertex_domain::headless::{HeadlessApi, HeadlessContext};
use vertex_domain::scene::Scene;

/// `d` in milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// `glFinish` on the current context.
pub fn finish(ctx: &HeadlessContext) {
    // SAFETY: a plain command on the current context.
    unsafe { ctx.gl().finish() };
}

/// This thread's user + system CPU time so far (`getrusage(RUSAGE_THREAD)`).
pub fn thread_cpu() -> Duration {
    // SAFETY: getrusage writes one rusage into the zeroed struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_THREAD, &mut usage);
        usage
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// `theirs / ours`, or "-" without both.
pub fn ratio(ours: f64, theirs: Option<f64>) -> String {
    match theirs {
        Some(p) if ours > 0.0 => {
            let r = p / ours;
            if r >= 10.0 {
                format!("{r:.0}x")
            } else {
                format!("{r:.2}x")
            }
        }
        _ => "-".into(),
    }
}

/// The flags of the side-by-side benchmarks: `--counts a,b,...`, `--frames F`, `--pyglet`.
pub struct Args {
    pub counts: Vec<usize>,
    pub frames: u32,
    pub with_pyglet: bool,
}

impl Args {
    /// Parses the command line, exiting with `usage` on a bad flag.
    pub fn parse(counts: Vec<usize>, frames: u32, usage: &str) -> Args {
        let mut parsed = Args {
            counts,
            frames,
            with_pyglet: false,
        };
        let mut args = std::env::args().skip(1);
        let fail = |message: &str| -> ! {
            eprintln!("{message}; {usage}");
            std::process::exit(2)
        };
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--counts" => {
                    parsed.counts = args
                        .next()
                        .map(|v| v.split(',').filter_map(|c| c.trim().parse().ok()).collect())
                        .unwrap_or_default();
                }
                "--frames" => {
                    parsed.frames = args
                        .next()
                        .and_then(|v| v.parse().ok())
                        .filter(|&f| f > 0)
                        .unwrap_or_else(|| fail("--frames takes a positive number"));
                }
                "--pyglet" => parsed.with_pyglet = true,
                other => fail(&format!("unknown argument {other}")),
            }
        }
        if parsed.counts.is_empty() {
            fail("--counts takes a comma-separated list of numbers");
        }
        parsed
    }

    /// The peer's JSON fields for each count, running `run_pyglet.sh what` when asked
    /// (`None` without `--pyglet`; an empty list for a count it did not report).
    pub fn peer(&self, what: &str) -> Vec<Option<Vec<(String, f64)>>> {
        let runs = match self.with_pyglet {
            true => {
                let list: Vec<String> = self.counts.iter().map(usize::to_string).collect();
                let frames = self.frames.to_string();
                super::pyglet(&[what, "--counts", &list.join(","), "--frames", &frames])
            }
            false => Vec::new(),
        };
        (self.counts.iter())
            .map(|&n| {
                self.with_pyglet.then(|| {
                    (runs.iter())
                        .find(|f| super::field(f, "count") == Some(n as f64))
                        .cloned()
                        .unwrap_or_default()
                })
            })
            .collect()
    }
}

/// A table row: its name, our value, the peer's JSON key ("-" for none), decimals.
pub type Row = (&'static str, f64, &'static str, usize);

/// Prints `rows` as a markdown table, with the peer's column and the ratio when `peer`
/// holds its fields.
pub fn print_table(rows: &[Row], peer: Option<&[(String, f64)]>) {
    if peer.is_some() {
        println!("| figure | vertex-domain | pyglet 2.1.19 | pyglet / vertex-domain |");
        println!("|---|---|---|---|");
    } else {
        println!("| figure | vertex-domain |");
        println!("|---|---|");
    }
    for &(name, value, key, decimals) in rows {
        let Some(fields) = peer else {
            println!("| {name} | {value:.decimals$} |");
            continue;
        };
        let theirs = super::field(fields, key);
        let shown = theirs.map_or("-".to_owned(), |p| format!("{p:.decimals$}"));
        println!(
            "| {name} | {value:.decimals$} | {shown} | {} |",
            ratio(value, theirs)
        );
    }
}

/// The whole of a side-by-side benchmark: parses the flags (counts defaulting to `counts`,
/// `frames` timed frames), turns GL error checks off as a release game runs, runs the
/// trace at each count on a headless GL core context, runs the pyglet peer `peer` with
/// `--pyglet`, and prints each count's table, then the notes.
pub fn side_by_side<F>(
    (counts, frames, usage): (Vec<usize>, u32, &str),
    peer: &str,
    run: impl Fn(&HeadlessContext, usize, u32) -> F,
    table: impl Fn(usize, u32, &F, Option<&[(String, f64)]>),
    notes: impl FnOnce(bool),
) {
    // Measure what a release build of a game does: no per-frame glGetError (the
    // dev-dependency's `fault-injection` feature would otherwise turn validation on).
    vertex_domain::backend::set_validation(false);
    let args = Args::parse(counts, frames, usage);
    let ctx = HeadlessContext::new(HeadlessApi::GlCore).unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    println!("{} | {}", ctx.version(), ctx.renderer());
    let ours: Vec<F> = (args.counts.iter())
        .map(|&n| run(&ctx, n, args.frames))
        .collect();
    let fields = args.peer(peer);
    for ((n, figures), fields) in args.counts.iter().zip(&ours).zip(&fields) {
        table(*n, args.frames, figures, fields.as_deref());
    }
    notes(args.with_pyglet);
}

/// The clear colour of the benchmarks' frames: lit-pixel checks count what is not black.
pub const BLACK: [f32; 4] = [0.0, 0.0, 0.0, 1.0];

/// Per-frame means over the timed frames of [`timed_frames`], in ms, and what they did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Frames {
    /// The frame's changes (the trace's update).
    pub update: f64,
    /// `Scene::draw`: the flush of the staged writes, then the draws.
    pub submit: f64,
    /// `glFinish` after the draw.
    pub finish: f64,
    /// This thread's user + system CPU time over update, submit and finish.
    pub thread_cpu: f64,
    /// Bytes sent to GL by the batch's buffers (`uploaded_bytes`).
    pub uploaded: f64,
    /// Minor page faults of the whole process over update, submit and finish.
    pub faults: f64,
    /// GL draw calls of the last timed frame's draw.
    pub draw_calls: usize,
}

impl Frames {
    /// The rows every scene benchmark's table starts with: `create` (ms), then the
    /// per-frame means and their sum, with the peer's JSON keys.
    pub fn rows(&self, create: f64) -> Vec<Row> {
        vec![
            ("create ms", create, "create_ms", 2),
            ("update ms", self.update, "update_ms", 3),
            ("submit ms", self.submit, "submit_ms", 3),
            ("finish ms", self.finish, "finish_ms", 3),
            (
                "frame ms (update + submit + finish)",
                self.update + self.submit + self.finish,
                "frame_ms",
                3,
            ),
            (
                "thread CPU ms (per frame)",
                self.thread_cpu,
                "thread_cpu_ms",
                3,
            ),
        ]
    }
}

/// Runs `warmup` untimed frames, then `frames` timed ones, numbered as the peers number
/// them (f = 1..warmup, then 1..frames). Each clears `target` and waits for GL (untimed),
/// runs `update(scene, f, timed)`, draws `scene` and waits for GL again; the timed ones
/// are measured. Returns their means.
pub fn timed_frames(
    ctx: &HeadlessContext,
    target: &RenderTarget,
    scene: &mut Scene,
    (warmup, frames): (u32, u32),
    mut update: impl FnMut(&mut Scene, u32, bool),
) -> Frames {
    let (mut upd, mut submit, mut finished, mut cpu) = <(Duration, _, _, Duration)>::default();
    let mut result = Frames::default();
    let (mut uploaded, mut faults) = (0, 0);
    for fi in 0..warmup + frames {
        let timed = fi >= warmup;
        let frame = if timed { fi - warmup + 1 } else { fi + 1 };
        target.clear(BLACK).expect("clear");
        finish(ctx);
        let bytes0 = scene.batch().buffer_stats().uploaded_bytes;
        let (cpu0, faults0) = (thread_cpu(), minor_faults());
        let t0 = Instant::now();
        update(scene, frame, timed);
        let t1 = Instant::now();
        let stats = scene.draw().expect("draw");
        let t2 = Instant::now();
        finish(ctx);
        let t3 = Instant::now();
        let cpu1 = thread_cpu();
        if timed {
            upd += t1 - t0;
            submit += t2 - t1;
            finished += t3 - t2;
            cpu += cpu1 - cpu0;
            uploaded += scene.batch().buffer_stats().uploaded_bytes - bytes0;
            faults += minor_faults() - faults0;
            result.draw_calls = stats.draw_calls;
        }
    }
    let per = |d: Duration| ms(d) / f64::from(frames);
    (result.update, result.submit, result.finish) = (per(upd), per(submit), per(finished));
    result.thread_cpu = per(cpu);
    result.uploaded = uploaded as f64 / f64::from(frames);
    result.faults = faults as f64 / f64::from(frames);
    result
}

/// The process's minor page faults so far (`getrusage(RUSAGE_SELF)`).
pub fn minor_faults() -> i64 {
    // SAFETY: getrusage writes one rusage into the zeroed struct it is given.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage.ru_minflt
    }
}
