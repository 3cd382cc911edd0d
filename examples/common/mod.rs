//! Shared by the examples: what a demo is (`demo`), the demos' window and headless harness
//! (`app`, native) and page harness (`web`, in the browser), a seeded generator, and running
//! the pyglet peer benchmarks.
#![allow(dead_code)]

#[cfg(not(target_arch = "wasm32"))]
pub mod app;
#[cfg(not(target_arch = "wasm32"))]
pub mod bench;
pub mod demo;
pub mod motion;
pub mod rng;
#[cfg(target_arch = "wasm32")]
pub mod web;

/// Runs `benches/peer/run_pyglet.sh` with `args` and returns the numeric fields of every
/// JSON line it prints (`{"n": 1000, "create_ms": 21.9, ...}`), or nothing with a message
/// on stderr when it cannot run.
#[cfg(not(target_arch = "wasm32"))]
pub fn pyglet(args: &[&str]) -> Vec<Vec<(String, f64)>> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/peer/run_pyglet.sh");
    let output = match std::process::Command::new("bash")
        .arg(script)
        .args(args)
        .output()
    {
        Ok(output) if output.status.success() => output,
        Ok(output) => {
            eprintln!(
                "pyglet run failed:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
            return Vec::new();
        }
        Err(error) => {
            eprintln!("could not run {script}: {error}");
            return Vec::new();
        }
    };
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.trim_start().starts_with('{'))
        .map(json_numbers)
        .collect()
}

/// The numeric fields of a flat JSON object (all the peer scripts print).
fn json_numbers(line: &str) -> Vec<(String, f64)> {
    line.trim()
        .trim_matches(|c| c == '{' || c == '}')
        .split(',')
        .filter_map(|pair| {
            let (key, value) = pair.split_once(':')?;
            let value = value.trim().parse::<f64>().ok()?;
            Some((key.trim().trim_matches('"').to_owned(), value))
        })
        .collect()
}

/// The value of `key` among `fields`.
pub fn field(fields: &[(String, f64)], key: &str) -> Option<f64> {
    fields.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
}
