//! Fault-injected model fuzz target on a real headless GL context: the input bytes are the
//! random choices of the same operations, failures and checks as `tests/gl_model.rs`
//! (`tests/support/gl_model.rs`): create, write, resize, migrate, delete and draw over plain
//! and indexed domains, a batch and a scene of sprites, misuse included, with faults armed at
//! the crate's GL steps, GL errors queued first and buffer caps, on a stream path the input
//! picks. Every list must match the
//! model after every operation, and the pixels a reference draw.
//!
//! Run with `cargo +nightly fuzz run gl_model -- -detect_leaks=0` from the crate root (needs
//! libEGL and Mesa, as the tests do). LeakSanitizer is off because Mesa's driver keeps
//! allocations of the one context the whole run shares, which it reports as leaks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vertex_domain::backend::{StreamConfig, StreamPath};
use vertex_domain::headless::{HeadlessApi, HeadlessContext};

#[path = "../../tests/support/gl_model.rs"]
mod model;

use model::{Source, World};

/// Reads the input two bytes at a time; the run ends where the input does.
struct Input<'a>(&'a [u8]);

impl Source for Input<'_> {
    fn next(&mut self) -> Option<u64> {
        let (bytes, rest) = self.0.split_first_chunk::<2>()?;
        self.0 = rest;
        // Spread 16 bits over 64, so that `float` sees its high bits change too.
        Some(u64::from(u16::from_le_bytes(*bytes)).wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }
}

thread_local! {
    /// One context for the whole run: creating one costs more than most inputs.
    static CONTEXT: HeadlessContext = HeadlessContext::new(HeadlessApi::GlCore)
        .expect("the fuzz target needs a headless GL context (libegl1, libgl1-mesa-dri)");
}

fuzz_target!(|data: &[u8]| {
    CONTEXT.with(|ctx| {
        // The first byte picks native multi-draw or the single-draw fallback, and the
        // stream path: each of the four, or a 4 KiB ring that may not grow, so that it
        // wraps and waits on its fences.
        let Some((&first, rest)) = data.split_first() else {
            return;
        };
        let multi_draw = if first & 1 == 0 {
            ctx.multi_draw()
        } else {
            vertex_domain::backend::MultiDraw::single_draws()
        };
        let stream = match (first >> 1) % 5 {
            4 => StreamConfig {
                ring_bytes: 4096,
                ring_grows: false,
                ..StreamConfig::on(StreamPath::Ring)
            },
            path => StreamConfig::on(StreamPath::ALL[path as usize]),
        };
        model::use_stream(stream);
        let mut world = World::new(ctx.gl(), multi_draw);
        let mut input = Input(rest);
        while world.step(&mut input).is_some() {}
    });
});
