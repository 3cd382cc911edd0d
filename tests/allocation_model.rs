#![cfg(not(target_arch = "wasm32"))]
//! Differential property test: random operation sequences, misuse included, run through the
//! [`Allocator`](vertex_domain::allocation::Allocator) and through a deliberately plain
//! reference model (a sorted `Vec` of aggregate blocks, walked linearly; shared with the fuzz
//! target in `tests/support/allocation_model.rs`). Every result and statistic must be
//! identical, the invariants must hold, and every `OutOfCapacity` must name exactly the
//! smallest capacity that makes the retry pass.

#[path = "support/allocation_model.rs"]
mod model;
#[path = "../examples/common/rng.rs"]
mod rng;

use model::{Harness, Op};
use proptest::prelude::*;

fn size() -> impl Strategy<Value = usize> {
    prop_oneof![
        8 => 0usize..12,
        3 => 0usize..80,
        1 => prop_oneof![Just(usize::MAX), Just(usize::MAX - 1), (usize::MAX - 100)..=usize::MAX],
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        30 => size().prop_map(Op::Alloc),
        20 => any::<usize>().prop_map(Op::Free),
        4 => (any::<usize>(), 0usize..8, 0usize..8).prop_map(|(i, o, n)| Op::FreePart(i, o, n)),
        15 => (any::<usize>(), size()).prop_map(|(i, n)| Op::Realloc(i, n)),
        3 => (0usize..120, size()).prop_map(|(s, n)| Op::FreeAt(s, n)),
        3 => (prop_oneof![0usize..120, Just(usize::MAX - 3)], size(), size())
            .prop_map(|(s, n, m)| Op::ReallocAt(s, n, m)),
        5 => (-16i64..64).prop_map(Op::SetCapacity),
    ]
}

fn run(initial_capacity: usize, ops: &[Op]) {
    let mut h = Harness::new(initial_capacity);
    for op in ops {
        h.apply(op);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 384, ..ProptestConfig::default() })]

    #[test]
    fn allocator_matches_the_plain_model(
        capacity in prop_oneof![Just(0usize), 0usize..64, Just(usize::MAX)],
        ops in prop::collection::vec(op(), 1..200),
    ) {
        run(capacity, &ops);
    }
}

/// Long churn with many regions, so the tree grows several levels deep while being compared.
#[test]
fn allocator_matches_the_plain_model_over_a_long_churn() {
    let mut rng = rng::Rng(0x5EED);
    let mut next = move || rng.next() as usize;
    let mut ops = Vec::new();
    for step in 0..6000 {
        let r = next() % 100;
        let building = step < 3000;
        ops.push(match r {
            _ if r < if building { 60 } else { 35 } => Op::Alloc(1 + next() % 9),
            _ if r < 85 => Op::Free(next()),
            _ if r < 95 => Op::Realloc(next(), next() % 20),
            _ => Op::SetCapacity((next() % 300) as i64),
        });
    }
    run(0, &ops);
}
