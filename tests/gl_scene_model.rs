//! The scene's fault-injected model test (harness: `tests/support/scene_model.rs`): seeded
//! random operations on sprites, shapes and labels in mixed layers, one in five with a
//! fault armed at a GL step, every item checked against the model after every operation
//! and the pixels against a fresh reference every 25.
//!
//! `SCENE_MODEL_OPS` sets the operations per seed (default 4,000 natively, 1,000 in the
//! browser).

mod common;
#[path = "../examples/common/rng.rs"]
mod rng;
#[path = "support/scene_model.rs"]
mod scene_model;

use scene_model::{Source, World};
use vertex_domain::backend::MultiDraw;
use vertex_domain::headless::HeadlessContext;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const DEFAULT_OPS: u64 = if cfg!(target_arch = "wasm32") {
    1_000
} else {
    4_000
};

/// Yield to the browser's event loop this often (nothing natively).
const YIELD_EVERY: u64 = 10;

async fn run(ctx: &HeadlessContext, multi_draw: MultiDraw, seed: u64) {
    let ops = std::env::var("SCENE_MODEL_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_OPS);
    let mut world = World::new(ctx.gl(), multi_draw);
    let mut rng = rng::Rng(seed);
    let mut source = Source(move || Some(rng.next()));
    for op in 0..ops {
        world
            .step(&mut source)
            .expect("a seeded source never runs dry");
        if op % YIELD_EVERY == YIELD_EVERY - 1 {
            common::yield_now().await;
        }
    }
    world.check_pixels();
    let c = world.counts;
    eprintln!("seed {seed}: {c:?}");
    assert!(
        c.failed > 0 && c.faults_fired > 0,
        "faults made calls fail: {c:?}"
    );
    assert!(c.atlas_grows > 0, "the atlas grew: {c:?}");
    assert!(c.pixel_checks >= ops / scene_model::PIXEL_EVERY, "{c:?}");
}

macro_rules! model_test {
    ($($name:ident: $api:ident, $multi:expr, $seed:expr;)*) => {
        $(
            #[cfg(not(target_arch = "wasm32"))]
            #[test]
            fn $name() {
                let ctx = common::$api();
                let multi: fn(&HeadlessContext) -> MultiDraw = $multi;
                common::block_on(run(&ctx, multi(&ctx), $seed));
            }
        )*
    };
}

model_test! {
    scene_items_of_every_kind_survive_faults_on_gl_core: context, |c| c.multi_draw(), 11;
    scene_items_of_every_kind_survive_faults_on_gles3: context_gles, |c| c.multi_draw(), 12;
    scene_items_of_every_kind_survive_faults_with_single_draws: context, |_| MultiDraw::single_draws(), 13;
}

#[cfg(target_arch = "wasm32")]
#[test]
async fn scene_items_of_every_kind_survive_faults_on_webgl2() {
    let ctx = common::context();
    let multi = ctx.multi_draw();
    run(&ctx, multi, 14).await;
}
