//! The fault-injected model test (harness: `tests/support/gl_model.rs`): seeded random
//! operations over plain, indexed and instanced domains, a batch and a scene of sprites on
//! a real context, about one in six run with something made to fail first, every list
//! checked against a CPU model after every operation and the pixels against a reference
//! draw every 40.
//!
//! It runs on every stream path (the staging ring, one so small that it wraps every few
//! frames and waits for its fences, the orphaned staging buffer, the re-specified one,
//! sub-data and map), so that how bytes travel to GL can never lose or misplace a list's
//! data. In the browser it runs on the paths WebGL2 has, as async tests that yield to the
//! page every few operations.
//!
//! `GL_MODEL_OPS` sets the operations per configuration (default 20,000; the extra path
//! configurations run a third of that; about 45 s for all of them in a debug build on two
//! cores); `cargo test --test gl_model -- --nocapture` prints each configuration's counts.

mod common;
#[path = "support/gl_model.rs"]
mod model;
#[path = "../examples/common/rng.rs"]
mod rng;

use model::{Source, World};
use vertex_domain::backend::{MultiDraw, StreamConfig, StreamPath, StreamStats};
use vertex_domain::headless::HeadlessContext;

/// Operations per configuration unless `GL_MODEL_OPS` says otherwise. Fewer in the
/// browser, where the environment cannot be set and every read-back is a round trip to the
/// GPU process, so that the suite stays a few seconds a configuration.
const DEFAULT_OPS: usize = if cfg!(target_arch = "wasm32") {
    300
} else {
    20_000
};

struct Seeded(rng::Rng);

impl Source for Seeded {
    fn next(&mut self) -> Option<u64> {
        Some(self.0.next())
    }
}

async fn run(ctx: &HeadlessContext, multi_draw: MultiDraw, seed: u64, name: &str) -> StreamStats {
    run_streamed(ctx, multi_draw, StreamConfig::default(), 1, seed, name).await
}

/// Runs a world whose every domain streams by `stream`, for the configured operations
/// divided by `share`, and returns what the streams did. It yields to the browser every
/// few operations (natively the yield is nothing), so that a test never blocks the page
/// past ChromeDriver's renderer timeout, and WebGL's fences can signal between tasks.
async fn run_streamed(
    ctx: &HeadlessContext,
    multi_draw: MultiDraw,
    stream: StreamConfig,
    share: usize,
    seed: u64,
    name: &str,
) -> StreamStats {
    let ops = std::env::var("GL_MODEL_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_OPS)
        // In the browser every configuration runs the full (smaller) count, so that enough
        // operations are made to fail in each.
        / if cfg!(target_arch = "wasm32") { 1 } else { share };
    model::use_stream(stream);
    let mut world = World::new(ctx.gl(), multi_draw);
    let mut source = Seeded(rng::Rng(seed));
    for op in 0..ops {
        world
            .step(&mut source)
            .expect("a seeded source never runs dry");
        if op % YIELD_EVERY == YIELD_EVERY - 1 {
            common::yield_now().await;
        }
    }
    world.check_pixels(&mut source).unwrap();
    let c = world.counts;
    eprintln!(
        "{name}: {} ops, {} failed ({} misuse), {} provoked: {} faults fired, {} GL errors \
         queued first, {} buffer caps; {} pixel checks",
        c.ops,
        c.failed,
        c.misuse,
        c.provoked,
        c.faults_fired,
        c.queued_errors,
        c.capped,
        c.pixel_checks
    );
    assert!(
        c.failed * 10 >= c.ops,
        "{name}: only {} of {} ops failed; the test must make at least one in ten fail",
        c.failed,
        c.ops
    );
    assert!(c.faults_fired > 0, "{name}: no fault fired");
    let streamed = world.stream_stats();
    eprintln!("{name}: {streamed:?}");
    streamed
}

/// Operations between two yields to the browser.
const YIELD_EVERY: usize = 10;

/// A test that runs the async model: natively a `#[test]` that blocks on it, in the browser
/// an async `wasm_bindgen_test`.
macro_rules! model_test {
    ($(#[$meta:meta])* fn $name:ident() $body:block) => {
        $(#[$meta])*
        #[cfg(not(target_arch = "wasm32"))]
        #[test]
        fn $name() {
            common::block_on(async $body)
        }

        $(#[$meta])*
        #[cfg(target_arch = "wasm32")]
        #[wasm_bindgen_test::wasm_bindgen_test]
        async fn $name() $body
    };
}

/// A stream on `path`, with the defaults otherwise.
fn on(path: StreamPath) -> StreamConfig {
    StreamConfig::on(path)
}

model_test! {
    #[cfg(not(target_arch = "wasm32"))] // WebGL2 cannot map buffers
    fn every_error_leaves_every_list_intact_through_a_ring_that_wraps_every_few_frames() {
        let ctx = common::context();
        let small = StreamConfig {
            ring_bytes: 4096,
            ring_grows: false,
            ..on(StreamPath::Ring)
        };
        let s = run_streamed(&ctx, ctx.multi_draw(), small, 3, 0x5EED_0004, "small ring").await;
        assert!(
            s.ring_wraps * 4 > s.frames / 8,
            "the ring wrapped only {} times in {} frames",
            s.ring_wraps,
            s.frames
        );
        assert!(s.fence_polls > 0 && s.staged_bytes > 0, "{s:?}");
        assert_eq!((s.in_use_writes, s.ring_grows), (0, 0), "{s:?}");
    }
}

model_test! {
    #[cfg(not(target_arch = "wasm32"))] // WebGL2 cannot map buffers
    fn every_error_leaves_every_list_intact_through_an_orphaned_staging_buffer() {
        let ctx = common::context_gles();
        let s = run_streamed(
            &ctx,
            ctx.multi_draw(),
            on(StreamPath::Orphan),
            3,
            0x5EED_0005,
            "orphan",
        ).await;
        assert!(s.staged_bytes > 0 && s.staged_copies > 0, "{s:?}");
        assert_eq!(s.in_use_writes, 0, "{s:?}");
    }
}

model_test! {
    fn every_error_leaves_every_list_intact_through_a_respecified_staging_buffer() {
        let ctx = common::context_gles();
        let s = run_streamed(
            &ctx,
            ctx.multi_draw(),
            on(StreamPath::Respecify),
            3,
            0x5EED_0008,
            "respecify",
        ).await;
        assert!(s.staged_bytes > 0 && s.staged_copies > 0, "{s:?}");
        assert_eq!(s.in_use_writes, 0, "{s:?}");
    }
}

model_test! {
    fn every_error_leaves_every_list_intact_through_sub_data() {
        let ctx = common::context();
        let s = run_streamed(
            &ctx,
            ctx.multi_draw(),
            on(StreamPath::SubData),
            3,
            0x5EED_0006,
            "sub-data",
        ).await;
        assert!(s.in_place_bytes > 0 && s.in_use_writes > 0, "{s:?}");
        assert_eq!(s.staged_bytes, 0, "{s:?}");
    }
}

model_test! {
    #[cfg(not(target_arch = "wasm32"))] // WebGL2 cannot map buffers
    fn every_error_leaves_every_list_intact_through_a_mapped_span() {
        let ctx = common::context();
        let s = run_streamed(
            &ctx,
            ctx.multi_draw(),
            on(StreamPath::Map),
            3,
            0x5EED_0007,
            "map",
        ).await;
        assert!(s.in_place_bytes > 0, "{s:?}");
        assert_eq!(s.staged_bytes, 0, "{s:?}");
    }
}

model_test! {
    fn every_error_leaves_every_list_intact_on_gl_core() {
        let ctx = common::context();
        let s = run(&ctx, ctx.multi_draw(), 0x5EED_0001, "GL core").await;
        // The default path stages (the ring natively, re-specified staging in the browser).
        assert!(
            s.staged_bytes > 0 && s.direct_bytes > 0,
            "a staging path: {s:?}"
        );
        assert_eq!(s.in_use_writes, 0, "{s:?}");
    }
}

model_test! {
    fn every_error_leaves_every_list_intact_on_gles3() {
        let ctx = common::context_gles();
        run(&ctx, ctx.multi_draw(), 0x5EED_0002, "GLES 3").await;
    }
}

model_test! {
    fn every_error_leaves_every_list_intact_with_single_draws() {
        let ctx = common::context();
        run(&ctx, MultiDraw::single_draws(), 0x5EED_0003, "single draws").await;
    }
}
