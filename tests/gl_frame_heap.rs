//! A frame allocates nothing: after warm-up, moving every sprite or particle of a scene,
//! changing labels and shapes, flushing and drawing makes no heap allocation and frees
//! nothing, on every stream path. Counted by a global allocator that forwards to the
//! system's.
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

use vertex_domain::backend::{RenderTarget, StreamConfig, StreamPath};
use vertex_domain::headless::HeadlessContext;
use vertex_domain::scene::{Font, Image, Label, Particle, Scene, Shape, ShapeKind, Sprite};

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

/// What a frame moves: sprites in a mixed layer or particles in a particle layer.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Sprites,
    Particles,
}

/// Adds 3000 items of `kind` showing `image` to a new layer of `scene`, and returns a
/// frame: every item moved, then a draw.
fn moving(scene: &mut Scene, image: Image, kind: Kind) -> impl FnMut(&mut Scene, usize) {
    let mut sprites = Vec::new();
    let mut particles = Vec::new();
    match kind {
        Kind::Sprites => {
            let layer = scene.add_layer(0).unwrap();
            for i in 0..3000 {
                let sprite = Sprite::new(layer, image, (i % 60) as f32, 1.0);
                sprites.push(scene.add(sprite).unwrap());
            }
        }
        Kind::Particles => {
            let layer = scene.add_particle_layer(0).unwrap();
            for i in 0..3000 {
                let particle = Particle::new(layer, image, (i % 60) as f32, 1.0);
                particles.push(scene.add(particle).unwrap());
            }
        }
    }
    move |scene: &mut Scene, k: usize| {
        for (i, &id) in sprites.iter().enumerate() {
            scene.set_position(id, ((i + k) % 60) as f32, 2.0).unwrap();
        }
        for (i, &id) in particles.iter().enumerate() {
            scene.set_position(id, ((i + k) % 60) as f32, 2.0).unwrap();
        }
        scene.draw().unwrap();
    }
}

/// A scene over a target, bound.
fn scene(ctx: &HeadlessContext) -> (Scene, RenderTarget) {
    let target = RenderTarget::new(ctx.gl(), 64, 64).unwrap();
    target.bind();
    (
        Scene::new(ctx.gl(), ctx.multi_draw(), 64, 64).unwrap(),
        target,
    )
}

fn frames_allocate_nothing(kind: Kind) {
    let ctx = common::context();
    let counted = heap_events(|| drop(std::hint::black_box(vec![0u8; 16])));
    assert_eq!(counted, 2, "the counter sees an allocation and its free");
    for path in StreamPath::ALL
        .into_iter()
        .filter(|p| p.is_supported(ctx.gl()))
    {
        let (mut scene, _target) = scene(&ctx);
        (scene.batch_mut())
            .set_stream_config(StreamConfig::on(path))
            .unwrap();
        let image = scene.add_image(4, 4, &[255; 64]).unwrap();
        let mut frame = moving(&mut scene, image, kind);
        // Warm-up: the first frames size the staging ring and the scratch lists.
        (0..4).for_each(|k| frame(&mut scene, k));
        assert_eq!(scene.batch().stream_path(), path);
        let events = heap_events(|| (4..8).for_each(|k| frame(&mut scene, k)));
        assert_eq!(events, 0, "{path:?}: heap allocations or frees in 4 frames");
    }
}

#[test]
fn a_frame_of_moving_sprites_allocates_nothing() {
    frames_allocate_nothing(Kind::Sprites);
}

#[test]
fn a_frame_of_moving_particles_allocates_nothing() {
    frames_allocate_nothing(Kind::Particles);
}

#[test]
fn moving_turning_recolouring_and_fading_labels_and_shapes_allocates_nothing() {
    // The setters change the stored item in place: none clones a label's text or a
    // shape's outline, and the scratch space of the writes is reused.
    let ctx = common::context();
    let (mut scene, _target) = scene(&ctx);
    let layer = scene.add_layer(0).unwrap();
    let font = Font::default_font();
    let labels: Vec<_> = (0..20)
        .map(|i| {
            let text = format!("label number {i}");
            let label = Label::new(layer, text, &font, 12.0, 2.0, 2.0);
            scene.add(label).unwrap()
        })
        .collect();
    let circle = ShapeKind::Circle {
        radius: 6.0,
        segments: 24,
    };
    let shapes: Vec<_> = (0..20)
        .map(|i| {
            scene
                .add(Shape::new(layer, circle.clone(), i as f32, 30.0))
                .unwrap()
        })
        .collect();
    let frame = |scene: &mut Scene, k: usize| {
        for (i, (&label, &shape)) in labels.iter().zip(&shapes).enumerate() {
            let v = ((i + k) % 40) as f32;
            scene.set_position(label, v, 2.0 * v).unwrap();
            scene.set_colour(label, [k as u8, 200, 100]).unwrap();
            scene.set_opacity(label, 255 - k as u8).unwrap();
            scene.set_position(shape, 2.0 * v, v).unwrap();
            scene.set_rotation(shape, 10.0 * k as f32).unwrap();
            scene.set_colour(shape, [100, k as u8, 200]).unwrap();
        }
        scene.draw().unwrap();
    };
    (0..4).for_each(|k| frame(&mut scene, k));
    let events = heap_events(|| (4..8).for_each(|k| frame(&mut scene, k)));
    assert_eq!(
        events, 0,
        "heap allocations or frees in 4 frames of label and shape changes"
    );
}

#[test]
fn removing_and_adding_shapes_and_labels_again_allocates_nothing_in_the_scene() {
    // A shape keeps nothing on the heap, and a removed label's layout is kept for the next
    // add: removing and adding items allocates nothing once warm (the shapes' kinds are
    // plain data here, and the labels' texts are moved in and out, so the caller allocates
    // nothing either). The draws between, which lay the churned layer out again, are not
    // counted.
    let ctx = common::context();
    let (mut scene, _target) = scene(&ctx);
    let layer = scene.add_layer(0).unwrap();
    let circle = ShapeKind::Circle {
        radius: 6.0,
        segments: 24,
    };
    let mut shapes: Vec<_> = (0..50)
        .map(|i| {
            let shape = Shape::new(layer, circle.clone(), i as f32, 30.0);
            scene.add(shape).unwrap()
        })
        .collect();
    let font = Font::default_font();
    let mut labels: Vec<_> = (0..50)
        .map(|i| {
            let label = Label::new(layer, format!("unit {i}"), &font, 10.0, 2.0, 2.0);
            scene.add(label).unwrap()
        })
        .collect();
    let mut events = 0;
    for k in 0..8 {
        let churned = heap_events(|| {
            for (i, id) in shapes.iter_mut().enumerate() {
                scene.remove(*id).unwrap();
                let shape = Shape::new(layer, circle.clone(), ((i + k) % 40) as f32, 30.0);
                *id = scene.add(shape).unwrap();
            }
            for id in labels.iter_mut() {
                let label = scene.remove(*id).unwrap();
                *id = scene.add(label).unwrap();
            }
        });
        scene.draw().unwrap();
        if k >= 4 {
            events += churned;
        }
    }
    assert_eq!(
        events, 0,
        "heap allocations or frees in 4 rounds of shape churn"
    );
}
