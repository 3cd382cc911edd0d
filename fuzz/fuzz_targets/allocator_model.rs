//! Differential fuzz target: the input bytes decode to a sequence of allocator operations,
//! misuse included, run through `vertex_domain::allocation::Allocator` and through a plain
//! reference model (a sorted `Vec` of aggregate blocks), the same model and harness as
//! `tests/allocation_model.rs` (`tests/support/allocation_model.rs`). Results, regions and statistics must
//! match after every step, and every `OutOfCapacity` must name exactly the smallest capacity
//! at which the same call succeeds.
//!
//! Run with `cargo +nightly fuzz run allocator_model` from the crate root.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/allocation_model.rs"]
mod model;

use model::{Harness, Op};

/// Reads the input as a stream of small numbers.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }

    /// A size: mostly small, sometimes medium, sometimes next to `usize::MAX`.
    fn size(&mut self) -> Option<usize> {
        let b = self.byte()?;
        Some(match b >> 6 {
            0 | 1 => usize::from(b & 0x0F),
            2 => usize::from(b & 0x3F) * 4 + usize::from(self.byte()? & 3),
            _ => usize::MAX - usize::from(b & 0x3F),
        })
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let Some(first) = input.byte() else { return };
    let capacity = if first == 0xFF {
        usize::MAX
    } else {
        usize::from(first)
    };
    let mut h = Harness::new(capacity);
    while let Some(op) = input.byte() {
        let op = match op % 8 {
            0 | 1 => {
                let Some(n) = input.size() else { break };
                Op::Alloc(n)
            }
            2 => {
                let Some(i) = input.byte() else { break };
                Op::Free(usize::from(i))
            }
            3 => {
                let (Some(i), Some(off), Some(len)) = (input.byte(), input.size(), input.size())
                else {
                    break;
                };
                Op::FreePart(usize::from(i), off, len)
            }
            4 | 5 => {
                let (Some(i), Some(new)) = (input.byte(), input.size()) else {
                    break;
                };
                Op::Realloc(usize::from(i), new)
            }
            6 => {
                let (Some(s), Some(n), Some(new)) = (input.byte(), input.size(), input.size())
                else {
                    break;
                };
                let s = if s == 0xFF {
                    usize::MAX - 3
                } else {
                    usize::from(s)
                };
                if new % 2 == 0 {
                    Op::FreeAt(s, n)
                } else {
                    Op::ReallocAt(s, n, new)
                }
            }
            // Mostly grows, sometimes tries to shrink (misuse).
            _ => {
                let Some(d) = input.byte() else { break };
                Op::SetCapacity(i64::from(d as i8))
            }
        };
        h.apply(&op);
    }
});
