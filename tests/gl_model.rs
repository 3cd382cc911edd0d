//! The fault-injected model test (harness: `tests/support/gl_model.rs`): seeded random
//! operations over plain, indexed and instanced domains, a batch and a sprite batch on a real
//! context,
//! about one in six run with something made to fail first, every list checked against a
//! CPU model after every operation and the pixels against a reference draw every 40.
//!
//! `GL_MODEL_OPS` sets the operations per configuration (default 20,000, about 20 s for all
//! three in a debug build on two cores); `cargo test --test gl_model -- --nocapture` prints
//! each configuration's counts.

mod common;
#[path = "support/gl_model.rs"]
mod model;
#[path = "../examples/common/rng.rs"]
mod rng;

use model::{Source, World};
use vertex_domain::backend::MultiDraw;
use vertex_domain::headless::HeadlessContext;

/// Operations per configuration unless `GL_MODEL_OPS` says otherwise.
const DEFAULT_OPS: usize = 20_000;

struct Seeded(rng::Rng);

impl Source for Seeded {
    fn next(&mut self) -> Option<u64> {
        Some(self.0.next())
    }
}

fn run(ctx: &HeadlessContext, multi_draw: MultiDraw, seed: u64, name: &str) {
    let ops = std::env::var("GL_MODEL_OPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_OPS);
    let mut world = World::new(ctx.gl(), multi_draw);
    let mut source = Seeded(rng::Rng(seed));
    for _ in 0..ops {
        world
            .step(&mut source)
            .expect("a seeded source never runs dry");
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
}

#[test]
fn every_error_leaves_every_list_intact_on_gl_core() {
    let ctx = common::context();
    run(&ctx, *ctx.multi_draw(), 0x5EED_0001, "GL core");
}

#[test]
fn every_error_leaves_every_list_intact_on_gles3() {
    let ctx = common::context_gles();
    run(&ctx, *ctx.multi_draw(), 0x5EED_0002, "GLES 3");
}

#[test]
fn every_error_leaves_every_list_intact_with_single_draws() {
    let ctx = common::context();
    run(&ctx, MultiDraw::single_draws(), 0x5EED_0003, "single draws");
}
