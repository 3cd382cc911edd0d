//! Timing helpers of the side-by-side benchmarks: milliseconds, `glFinish`, the calling
//! thread's CPU time, and ratios against the peer.

use std::time::Duration;

use glow::HasContext;
use vertex_domain::headless::{HeadlessApi, HeadlessContext};

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
