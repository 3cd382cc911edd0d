//! A frame allocates nothing: after warm-up, moving every sprite of a sprite batch,
//! flushing and drawing makes no heap allocation and frees nothing, on every stream path
//! and both sprite stores. Counted by a global allocator that forwards to the system's.
//!
//! This is the crate's side of "no heap churn per frame": the CPU staging, dirty-block
//! bookkeeping, draw ranges, indirect commands and fences all reuse what earlier frames
//! allocated. (What the GL driver allocates inside its own calls is its own: llvmpipe's
//! binner, for one, takes and frees its scene memory every frame through the C allocator,
//! which this counter does not see.)
//!
//! Native only: in the browser the glue between wasm and WebGL (wasm-bindgen's table of
//! JavaScript objects, which the typed-array views and multi-draw arrays handed to WebGL
//! pass through) allocates on the same heap, so the count there is not the crate's own.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Arc;

use vertex_domain::backend::{
    AtlasBuilder, MultiDraw, RenderTarget, StreamConfig, StreamPath, TextureFilter,
};
use vertex_domain::batch::{Instances, Sprite, SpriteBatch, SpriteStore};

/// Counts this thread's allocations and frees while switched on.
struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static EVENTS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the allocator also runs while thread-locals are torn down.
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let _ = EVENTS.try_with(|e| e.set(e.get() + 1));
        }
    });
}

// SAFETY: every call forwards to the system allocator unchanged; counting touches only
// const-initialised thread-locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count();
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: as `dealloc`, and the caller's new size.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Heap events during `f`, on this thread.
fn heap_events(f: impl FnOnce()) -> u64 {
    EVENTS.with(|e| e.set(0));
    COUNTING.with(|on| on.set(true));
    f();
    COUNTING.with(|on| on.set(false));
    EVENTS.with(Cell::get)
}

fn frames_allocate_nothing<S: SpriteStore>(
    make: fn(&Arc<glow::Context>, MultiDraw, u32, u32) -> SpriteBatch<S>,
) {
    let ctx = common::context();
    let target = RenderTarget::new(ctx.gl(), 64, 64).unwrap();
    target.bind();
    let mut builder = AtlasBuilder::new();
    builder.add(4, 4, &[255u8; 64]).unwrap();
    let atlas = builder.build(ctx.gl(), TextureFilter::Nearest).unwrap();
    for path in StreamPath::ALL
        .into_iter()
        .filter(|p| p.is_supported(ctx.gl()))
    {
        let mut batch = make(ctx.gl(), ctx.multi_draw(), 64, 64);
        batch
            .batch_mut()
            .set_stream_config(StreamConfig::on(path))
            .unwrap();
        let layer = batch.add_layer(atlas.texture().clone(), 0).unwrap();
        let ids: Vec<_> = (0..3000)
            .map(|i| {
                let sprite = Sprite::new(layer, atlas.regions()[0], (i % 60) as f32, 1.0);
                batch.add(sprite).unwrap()
            })
            .collect();
        let mut frame = |k: usize| {
            for (i, &id) in ids.iter().enumerate() {
                batch.set_position(id, ((i + k) % 60) as f32, 2.0).unwrap();
            }
            batch.draw().unwrap();
        };
        // Warm-up: the first frames size the staging ring and the scratch lists.
        (0..4).for_each(&mut frame);
        let events = heap_events(|| (4..8).for_each(&mut frame));
        assert_eq!(events, 0, "{path:?}: heap allocations or frees in 4 frames");
    }
}

#[test]
fn a_frame_of_moving_quad_sprites_allocates_nothing() {
    frames_allocate_nothing(|gl, md, w, h| SpriteBatch::new(gl, md, w, h).unwrap());
}

#[test]
fn a_frame_of_moving_instanced_sprites_allocates_nothing() {
    frames_allocate_nothing::<Instances>(|gl, md, w, h| {
        SpriteBatch::instanced(gl, md, w, h).unwrap()
    });
}

#[test]
fn moving_recolouring_and_fading_labels_allocates_nothing() {
    // The label setters change the stored label in place: none clones its text.
    let ctx = common::context();
    let target = RenderTarget::new(ctx.gl(), 64, 64).unwrap();
    target.bind();
    let mut batch = SpriteBatch::new(ctx.gl(), ctx.multi_draw(), 64, 64).unwrap();
    let layer = batch.add_text_layer(0).unwrap();
    let font = vertex_domain::batch::Font::default_font();
    let ids: Vec<_> = (0..20)
        .map(|i| {
            let text = format!("label number {i}");
            let label = vertex_domain::batch::Label::new(layer, text, &font, 12.0, 2.0, 2.0);
            batch.add_label(label).unwrap()
        })
        .collect();
    let mut frame = |k: usize| {
        for (i, &id) in ids.iter().enumerate() {
            let v = ((i + k) % 40) as f32;
            batch.set_label_position(id, v, 2.0 * v).unwrap();
            batch.set_label_colour(id, [k as u8, 200, 100]).unwrap();
            batch.set_label_opacity(id, 255 - k as u8).unwrap();
        }
        batch.draw().unwrap();
    };
    (0..4).for_each(&mut frame);
    let events = heap_events(|| (4..8).for_each(&mut frame));
    assert_eq!(
        events, 0,
        "heap allocations or frees in 4 frames of label changes"
    );
}
