//! Fault-injected scene fuzz target on a real headless GL context: the input bytes are the
//! random choices of `tests/gl_scene_model.rs` (`tests/support/scene_model.rs`): sprites,
//! shapes and labels added, changed through every setter and `update`, moved between world
//! and screen layers, given new images, texts and geometry, removed, with images added
//! until the atlas grows, camera changes and draws, and faults armed at the crate's GL
//! steps. Every item must match the model after every operation, and the pixels a fresh
//! reference.
//!
//! Run with `cargo +nightly fuzz run scene_model -- -detect_leaks=0` from the crate root (needs
//! libEGL and Mesa, as the tests do). LeakSanitizer is off because Mesa's driver keeps
//! allocations of the one context the whole run shares, which it reports as leaks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vertex_domain::headless::{HeadlessApi, HeadlessContext};

#[path = "../../tests/support/scene_model.rs"]
mod scene_model;

use scene_model::{Source, World};

thread_local! {
    /// One context for the whole run: creating one costs more than most inputs.
    static CONTEXT: HeadlessContext = HeadlessContext::new(HeadlessApi::GlCore)
        .expect("the fuzz target needs a headless GL context (libegl1, libgl1-mesa-dri)");
}

fuzz_target!(|data: &[u8]| {
    CONTEXT.with(|ctx| {
        // The first byte picks native multi-draw or the single-draw fallback.
        let Some((&first, mut rest)) = data.split_first() else {
            return;
        };
        let multi_draw = match first & 1 {
            0 => ctx.multi_draw(),
            _ => vertex_domain::backend::MultiDraw::single_draws(),
        };
        let mut world = World::new(ctx.gl(), multi_draw);
        // Two bytes a choice, spread over 64 bits; the run ends where the input does.
        let mut source = Source(move || {
            let (bytes, tail) = rest.split_first_chunk::<2>()?;
            rest = tail;
            Some(u64::from(u16::from_le_bytes(*bytes)).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        });
        while world.step(&mut source).is_some() {}
        world.check();
    });
});
