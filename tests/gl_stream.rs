//! How staged writes reach GL (`backend::Stream`), on a real headless context: the frames a
//! staging ring waits for and the ones it never waits for, writes that never land in
//! buffers queued draws read, large uploads into fresh buffers, every path carrying the
//! same bytes, and a frame that calls no `glGet*` at all when validation is off.
//!
//! llvmpipe finishes each draw before the call returns, so its fences have always
//! signalled by the time they are asked. The tests that need a GPU running frames behind
//! the CPU hold the fence polls (`fault::hold_fences`): every zero-timeout poll then
//! answers "not yet", as a GPU that is behind would, while blocking waits still ask the
//! real fence.

mod common;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::sync::Arc;

use vertex_domain::backend::fault;
use vertex_domain::backend::{
    set_validation, validation, Attribute, ComponentType, GlError, MultiDraw, RenderTarget,
    StreamConfig, StreamPath, VertexFormat,
};
use vertex_domain::domain::{
    Arrays, DomainError, IndexedVertexDomain, ListId, Primitive, VertexDomain,
};
use vertex_domain::headless::HeadlessContext;
use vertex_domain::scene::{Image, ItemId, Particle, Scene, SceneItem, Sprite};

/// Vertices per frame in the ring tests: 64 × 16 bytes = 1 KiB a frame, a multiple of the
/// ring's alignment so that frames pack exactly.
const VERTICES: usize = 64;
const FRAME_BYTES: usize = VERTICES * 16;

fn vec4_format() -> VertexFormat {
    VertexFormat::new(vec![Attribute::new("value", 0, 4, ComponentType::F32)]).unwrap()
}

fn values(frame: usize) -> Vec<[f32; 4]> {
    (0..VERTICES)
        .map(|i| [frame as f32, i as f32, -(frame as f32), 1.0])
        .collect()
}

/// A domain of one 1 KiB list on `config`, drawn once (into a target it returns) so that
/// its buffer is in use.
fn drawn_domain(
    ctx: &HeadlessContext,
    config: StreamConfig,
) -> (VertexDomain, ListId<Arrays>, RenderTarget) {
    let target = RenderTarget::new(ctx.gl(), 16, 16).unwrap();
    target.bind();
    // WebGL draws nothing without a program; any that reads location 0 as floats will do
    // (deleting the current program only marks it for deletion).
    common::colour_program(ctx.gl()).use_program();
    let mut d = VertexDomain::new(ctx.gl(), ctx.multi_draw(), vec4_format(), VERTICES).unwrap();
    d.set_stream_config(config).unwrap();
    let list = d.create(VERTICES).unwrap();
    d.write(list, 0, &values(0)).unwrap();
    d.draw(Primitive::Points).unwrap();
    (d, list, target)
}

/// Writes frame `frame`'s values, draws (which ends the frame) and checks what GL holds.
fn frame(d: &mut VertexDomain, list: ListId<Arrays>, frame: usize) {
    d.write(list, 0, &values(frame)).unwrap();
    d.draw(Primitive::Points).unwrap();
    assert_eq!(
        d.read::<[f32; 4]>(list, 0).unwrap(),
        values(frame),
        "frame {frame}"
    );
}

/// Holds fence polls for as long as it lives.
struct HeldFences;

impl HeldFences {
    fn new() -> Self {
        fault::hold_fences(true);
        HeldFences
    }
}

impl Drop for HeldFences {
    fn drop(&mut self) {
        fault::hold_fences(false);
    }
}

#[test]
#[cfg(not(target_arch = "wasm32"))] // WebGL2 has no staging ring
fn a_frame_k_ahead_of_a_busy_gpu_grows_the_ring_instead_of_waiting() {
    let ctx = common::context();
    // Room for two frames: the third needs the first one's space, which is K = 2 frames old.
    let config = StreamConfig {
        ring_bytes: 2 * FRAME_BYTES,
        frames_ahead: 2,
        ..StreamConfig::on(StreamPath::Ring)
    };
    let (mut d, list, _target) = drawn_domain(&ctx, config);
    let _held = HeldFences::new();
    for f in 1..=3 {
        frame(&mut d, list, f);
    }
    let s = d.stream().stats();
    assert!(
        s.fence_polls > 0,
        "the third frame asked the first one's fence: {s:?}"
    );
    assert_eq!(s.fence_waits, 0, "K frames ahead never waits: {s:?}");
    assert_eq!(s.early_waits, 0, "{s:?}");
    assert_eq!(s.ring_grows, 1, "it grew instead: {s:?}");
    assert_eq!(s.in_use_writes, 0, "{s:?}");
}

#[test]
#[cfg(not(target_arch = "wasm32"))] // WebGL2 has no staging ring
fn a_frame_k_plus_one_ahead_of_a_busy_gpu_waits_on_the_oldest_fence() {
    let ctx = common::context();
    // Room for three frames and no growth: the fourth needs the first one's space, which
    // is K + 1 = 3 frames old.
    let config = StreamConfig {
        ring_bytes: 3 * FRAME_BYTES,
        frames_ahead: 2,
        ring_grows: false,
        ..StreamConfig::on(StreamPath::Ring)
    };
    let (mut d, list, _target) = drawn_domain(&ctx, config);
    let held = HeldFences::new();
    for f in 1..=3 {
        frame(&mut d, list, f);
    }
    let before = d.stream().stats();
    assert_eq!(
        (before.fence_waits, before.ring_wraps),
        (0, 0),
        "{before:?}"
    );
    frame(&mut d, list, 4);
    let s = d.stream().stats();
    assert_eq!(
        s.fence_waits, 1,
        "the fourth frame waited for the first: {s:?}"
    );
    assert!(s.fence_wait_ns > 0, "{s:?}");
    assert_eq!((s.ring_wraps, s.ring_grows), (1, 0), "{s:?}");
    // Released, the next frame asks the real fence of the frame K + 1 before it.
    drop(held);
    frame(&mut d, list, 5);
    let after = d.stream().stats();
    assert!(after.fence_polls > s.fence_polls, "{after:?}");
    assert_eq!(after.early_waits, 0, "{after:?}");
}

#[test]
#[cfg(not(target_arch = "wasm32"))] // WebGL2 has no staging ring
fn a_ring_that_wraps_every_three_frames_never_waits_for_a_frame_k_or_fewer_old() {
    let ctx = common::context();
    let config = StreamConfig {
        ring_bytes: 3 * FRAME_BYTES,
        ring_grows: false,
        ..StreamConfig::on(StreamPath::Ring)
    };
    let (mut d, list, _target) = drawn_domain(&ctx, config);
    for f in 1..=30 {
        frame(&mut d, list, f);
    }
    let s = d.stream().stats();
    // llvmpipe rasterizes on worker threads, so a fence is sometimes still unsignalled when
    // asked: those waits are for frames K + 1 old, never younger ones.
    assert_eq!(
        s.ring_wraps, 9,
        "a 3-frame ring wraps every 3 frames: {s:?}"
    );
    // Each frame after the first three takes the space of the frame three before it, so
    // waits at most once.
    assert!(s.fence_waits <= 27, "{s:?}");
    assert_eq!(
        (s.early_waits, s.ring_grows, s.in_use_writes),
        (0, 0, 0),
        "{s:?}"
    );
    assert_eq!(s.staged_bytes, 30 * FRAME_BYTES as u64, "{s:?}");
}

#[test]
#[cfg(not(target_arch = "wasm32"))] // WebGL2 has no staging ring
fn a_frame_larger_than_a_ring_that_may_not_grow_goes_through_in_chunks() {
    let ctx = common::context();
    let config = StreamConfig {
        ring_bytes: 2 * FRAME_BYTES,
        ring_grows: false,
        ..StreamConfig::on(StreamPath::Ring)
    };
    let (mut d, _, _target) = drawn_domain(&ctx, config);
    let big = d.create(40 * VERTICES).unwrap();
    d.draw(Primitive::Points).unwrap();
    for k in 1..=3 {
        let data: Vec<[f32; 4]> = (0..40 * VERTICES)
            .map(|i| [k as f32, i as f32, 0.5, -1.0])
            .collect();
        d.write(big, 0, &data).unwrap();
        d.draw(Primitive::Points).unwrap();
        assert_eq!(d.read::<[f32; 4]>(big, 0).unwrap(), data, "frame {k}");
    }
    let s = d.stream().stats();
    // 40 KiB a frame through a 2 KiB ring: the frame waits for its own earlier chunks.
    assert!(s.early_waits > 0 && s.ring_wraps > 0, "{s:?}");
    assert_eq!((s.ring_grows, s.in_use_writes), (0, 0), "{s:?}");
}

/// Adds a layer and items of one kind showing `image` at `places`: sprites (quads in a
/// mixed layer) or particles (instances in a particle layer).
type Fill<K> = fn(&mut Scene, Image, &[(f32, f32)]) -> Vec<ItemId<K>>;

fn quads(scene: &mut Scene, image: Image, places: &[(f32, f32)]) -> Vec<ItemId<Sprite>> {
    let layer = scene.add_layer(0).unwrap();
    (places.iter())
        .map(|&(x, y)| scene.add(Sprite::new(layer, image, x, y)).unwrap())
        .collect()
}

fn instances(scene: &mut Scene, image: Image, places: &[(f32, f32)]) -> Vec<ItemId<Particle>> {
    let layer = scene.add_particle_layer(0).unwrap();
    (places.iter())
        .map(|&(x, y)| scene.add(Particle::new(layer, image, x, y)).unwrap())
        .collect()
}

/// A scene on `gl` streaming by `config`, with the items `fill` adds at `places`.
fn filled<K: SceneItem>(
    gl: &Arc<glow::Context>,
    multi_draw: MultiDraw,
    fill: Fill<K>,
    places: &[(f32, f32)],
    config: StreamConfig,
) -> (Scene, Vec<ItemId<K>>) {
    let mut scene = Scene::new(gl, multi_draw, 64, 64).unwrap();
    scene.batch_mut().set_stream_config(config).unwrap();
    let image = scene.add_image(4, 4, &[255u8; 4 * 4 * 4]).unwrap();
    let ids = fill(&mut scene, image, places);
    (scene, ids)
}

/// A scene of `n` items of one kind, drawn once.
fn drawn<K: SceneItem>(
    ctx: &HeadlessContext,
    fill: Fill<K>,
    n: usize,
    config: StreamConfig,
) -> (Scene, Vec<ItemId<K>>) {
    let places: Vec<_> = (0..n).map(|i| ((i % 64) as f32, (i / 64) as f32)).collect();
    let (mut scene, ids) = filled(ctx.gl(), ctx.multi_draw(), fill, &places, config);
    scene.draw().unwrap();
    (scene, ids)
}

fn moving_items_of_a_drawn_scene_never_write_into_buffers_in_use<K: SceneItem>(fill: Fill<K>) {
    let ctx = common::context();
    let target = RenderTarget::new(ctx.gl(), 64, 64).unwrap();
    target.bind();
    let paths = [
        StreamPath::Ring,
        StreamPath::Orphan,
        StreamPath::Respecify,
        StreamPath::SubData,
    ];
    for path in paths.into_iter().filter(|p| p.is_supported(ctx.gl())) {
        let (mut scene, ids) = drawn(&ctx, fill, 2000, StreamConfig::on(path));
        let before = scene.batch().stream_stats();
        for frame in 1..=3 {
            for &id in &ids {
                scene.set_position(id, frame as f32, 1.0).unwrap();
            }
            scene.draw().unwrap();
        }
        let s = scene.batch().stream_stats();
        let in_use = s.in_use_writes - before.in_use_writes;
        if path == StreamPath::SubData {
            assert!(in_use > 0, "sub-data writes under queued draws: {s:?}");
        } else {
            assert_eq!(in_use, 0, "{path:?}: {s:?}");
            assert!(s.staged_bytes > before.staged_bytes, "{path:?}: {s:?}");
        }
        assert_eq!(scene.get(ids[1999]).unwrap().common().x, 3.0);
    }
}

#[test]
fn moving_sprites_never_writes_into_buffers_in_use() {
    moving_items_of_a_drawn_scene_never_write_into_buffers_in_use(quads);
}

#[test]
fn moving_particles_never_writes_into_buffers_in_use() {
    moving_items_of_a_drawn_scene_never_write_into_buffers_in_use(instances);
}

#[test]
fn sprites_created_into_freshly_grown_buffers_are_written_directly() {
    let ctx = common::context();
    let target = RenderTarget::new(ctx.gl(), 64, 64).unwrap();
    target.bind();
    // The best staging path: the ring natively, re-specified staging in the browser.
    let config = if common::WEB {
        StreamConfig::on(StreamPath::Respecify)
    } else {
        StreamConfig::default()
    };
    let (scene, _) = drawn(&ctx, quads, 10_000, config);
    let s = scene.batch().stream_stats();
    // The buffers grew while the sprites were added, so no draw had read them: all but
    // the part the last growth copied is written in place, unsynchronized.
    assert!(s.direct_bytes > s.staged_bytes, "{s:?}");
    assert_eq!(s.in_use_writes, 0, "{s:?}");
}

#[test]
fn a_buffer_nothing_has_reached_grows_without_a_copy() {
    let ctx = common::context();
    let mut d = VertexDomain::new(ctx.gl(), ctx.multi_draw(), vec4_format(), 4).unwrap();
    let first = d.create(4).unwrap();
    d.write(first, 0, &[[1.0f32; 4]; 4]).unwrap();
    let _ = d.create(60).unwrap();
    let s = d.stats();
    assert!(s.grows > 0, "{s:?}");
    assert_eq!(
        (s.empty_grows, s.copied_bytes),
        (s.grows, 0),
        "nothing to copy yet: {s:?}"
    );
    d.flush().unwrap();
    let _ = d.create(200).unwrap();
    let t = d.stats();
    assert!(t.grows > s.grows && t.empty_grows == s.empty_grows, "{t:?}");
    assert_eq!(
        t.copied_bytes,
        64 * 16,
        "the flushed buffer is copied on the GPU"
    );
    assert_eq!(d.read::<[f32; 4]>(first, 0).unwrap(), vec![[1.0f32; 4]; 4]);
}

#[test]
fn every_path_carries_the_same_bytes_on_both_apis() {
    for ctx in [common::context(), common::context_gles()] {
        // Both were made up front: the second is current until the first is made so.
        ctx.make_current().unwrap();
        let target = RenderTarget::new(ctx.gl(), 16, 16).unwrap();
        target.bind();
        let program = common::colour_program(ctx.gl());
        program.use_program();
        for path in StreamPath::ALL
            .into_iter()
            .filter(|p| p.is_supported(ctx.gl()))
        {
            let mut d =
                IndexedVertexDomain::new(ctx.gl(), ctx.multi_draw(), common::format(), 8, 8)
                    .unwrap();
            d.set_stream_config(StreamConfig::on(path)).unwrap();
            assert_eq!(d.stream().path(), path);
            let mut lists = Vec::new();
            for n in 1..40 {
                let list = d.create(n, n).unwrap();
                let positions: Vec<[f32; 2]> = (0..n).map(|i| [n as f32, i as f32]).collect();
                d.write(list, "position", &positions).unwrap();
                d.write_indices(list, &(0..n as u32).rev().collect::<Vec<_>>())
                    .unwrap();
                lists.push((list, positions));
                if n % 7 == 0 {
                    d.draw(Primitive::Points).unwrap();
                }
            }
            // Rewrite every other list after a draw, so the writes land in buffers in use.
            for (k, (list, positions)) in lists.iter_mut().enumerate().step_by(2) {
                positions.iter_mut().for_each(|p| p[1] += k as f32);
                d.write(*list, "position", positions).unwrap();
            }
            d.draw(Primitive::Points).unwrap();
            for (list, positions) in &lists {
                assert_eq!(
                    &d.read::<[f32; 2]>(*list, "position").unwrap(),
                    positions,
                    "{path:?}"
                );
                let n = positions.len() as u32;
                assert_eq!(
                    d.read_indices(*list).unwrap(),
                    (0..n).rev().collect::<Vec<_>>()
                );
            }
        }
    }
}

#[test]
#[cfg(not(target_arch = "wasm32"))] // WebGL2 has no staging ring
fn the_best_path_on_mesa_is_the_ring_and_a_domain_reports_it() {
    for ctx in [common::context(), common::context_gles()] {
        assert_eq!(
            StreamPath::best(ctx.gl()),
            StreamPath::Ring,
            "{}",
            ctx.version()
        );
        let d = VertexDomain::new(ctx.gl(), ctx.multi_draw(), vec4_format(), 4).unwrap();
        assert_eq!(d.stream().path(), StreamPath::Ring);
    }
}

#[test]
fn a_draw_error_with_validation_off_is_reported_by_the_next_checked_step() {
    let ctx = common::context();
    let (mut d, list, _target) = drawn_domain(&ctx, StreamConfig::default());
    let was = validation();
    set_validation(false);
    fault::fail_at(fault::Site::Draw, 0);
    let drawn = d.draw(Primitive::Points);
    set_validation(was);
    assert_eq!(drawn, Ok(1), "unchecked, the draw reports nothing");
    assert!(!fault::is_armed(), "the fault fired");
    // Creation always checks: it finds the draw's error queued and changes nothing.
    match d.create(4) {
        Err(DomainError::Gl(GlError::QueuedBefore { code, .. })) => {
            assert_eq!(code, glow::INVALID_ENUM)
        }
        other => panic!("expected the queued draw error, got {other:?}"),
    }
    assert_eq!(d.len(), 1);
    assert_eq!(d.read::<[f32; 4]>(list, 0).unwrap(), values(0));
}

// ---------------------------------------------------------------------------------------
// No `glGet*` on the frame path: a second glow context on the same GL context, loaded
// through shims that count the query calls and forward them to the driver.
// (Native only: it loads a second glow context through EGL's loader.)
#[cfg(not(target_arch = "wasm32"))]
mod no_queries_on_the_frame_path {
    use std::cell::Cell;
    use std::ffi::{c_void, CStr};
    use std::sync::atomic::{AtomicPtr, Ordering};

    use super::*;

    thread_local! {
        /// Query calls made through the counting context on this thread.
        static QUERIES: Cell<u64> = const { Cell::new(0) };
    }

    macro_rules! counting {
        ($( $gl:literal => $shim:ident, $real:ident: fn($($arg:ident: $ty:ty),*) $(-> $ret:ty)?; )*) => {
            $(
                static $real: AtomicPtr<c_void> = AtomicPtr::new(std::ptr::null_mut());

                extern "system" fn $shim($($arg: $ty),*) $(-> $ret)? {
                    QUERIES.with(|q| q.set(q.get() + 1));
                    // SAFETY: `$real` holds the driver's entry point of this very function,
                    // stored by `counting_loader` before glow could call the shim.
                    let real: extern "system" fn($($ty),*) $(-> $ret)? =
                        unsafe { std::mem::transmute($real.load(Ordering::Relaxed)) };
                    real($($arg),*)
                }
            )*

            /// The driver's entry point for `name`, or a counting shim in front of it.
            fn counting_loader(ctx: &HeadlessContext, name: &CStr) -> *const c_void {
                let real = ctx.get_proc_address(name);
                $(
                    if name.to_bytes() == $gl.as_bytes() {
                        $real.store(real as *mut c_void, Ordering::Relaxed);
                        return $shim as *const c_void;
                    }
                )*
                real
            }
        };
    }

    counting! {
        "glGetError" => get_error, REAL_GET_ERROR: fn() -> u32;
        "glGetIntegerv" => get_integerv, REAL_GET_INTEGERV: fn(p: u32, v: *mut i32);
        "glGetInteger64v" => get_integer64v, REAL_GET_INTEGER64V: fn(p: u32, v: *mut i64);
        "glGetIntegeri_v" => get_integeri_v, REAL_GET_INTEGERI_V: fn(p: u32, i: u32, v: *mut i32);
        "glGetBooleanv" => get_booleanv, REAL_GET_BOOLEANV: fn(p: u32, v: *mut u8);
        "glGetFloatv" => get_floatv, REAL_GET_FLOATV: fn(p: u32, v: *mut f32);
        "glGetString" => get_string, REAL_GET_STRING: fn(p: u32) -> *const u8;
        "glGetStringi" => get_stringi, REAL_GET_STRINGI: fn(p: u32, i: u32) -> *const u8;
        "glGetBufferParameteriv" => get_buffer_parameteriv, REAL_GET_BUFFER_PARAMETERIV: fn(t: u32, p: u32, v: *mut i32);
        "glGetSynciv" => get_synciv, REAL_GET_SYNCIV: fn(s: *const c_void, p: u32, n: i32, l: *mut i32, v: *mut i32);
        "glGetProgramiv" => get_programiv, REAL_GET_PROGRAMIV: fn(o: u32, p: u32, v: *mut i32);
        "glGetUniformLocation" => get_uniform_location, REAL_GET_UNIFORM_LOCATION: fn(o: u32, n: *const u8) -> i32;
        "glGetVertexAttribiv" => get_vertex_attribiv, REAL_GET_VERTEX_ATTRIBIV: fn(i: u32, p: u32, v: *mut i32);
        "glGetTexParameteriv" => get_tex_parameteriv, REAL_GET_TEX_PARAMETERIV: fn(t: u32, p: u32, v: *mut i32);
    }

    /// A glow context on `ctx`'s GL context whose queries are counted in [`QUERIES`].
    fn counting_gl(ctx: &HeadlessContext) -> Arc<glow::Context> {
        // SAFETY: the loader returns the driver's entry points of the current context, or
        // shims with the same signatures that forward to them.
        Arc::new(unsafe {
            glow::Context::from_loader_function_cstr(|name| counting_loader(ctx, name))
        })
    }

    fn queries() -> u64 {
        QUERIES.with(Cell::get)
    }

    /// The queries made by three frames of moving every item of `scene` and drawing it.
    fn frame_queries<K: SceneItem>(scene: &mut Scene, ids: &[ItemId<K>]) -> u64 {
        let before = queries();
        for frame in 0..3 {
            for (i, &id) in ids.iter().enumerate() {
                scene
                    .set_position(id, (frame + i) as f32 % 60.0, 2.0)
                    .unwrap();
            }
            scene.draw().unwrap();
        }
        queries() - before
    }

    fn a_frame_with_validation_off_calls_no_gl_query<K: SceneItem>(fill: Fill<K>) {
        let ctx = common::context();
        let gl = counting_gl(&ctx);
        // SAFETY: the multi-draw entry points of the current context, through its loader.
        let md = unsafe { MultiDraw::load(&gl, |name| ctx.get_proc_address(name)) };
        let target = RenderTarget::new(&gl, 64, 64).unwrap();
        target.bind();
        let was = validation();
        let places: Vec<_> = (0..500).map(|i| (i as f32 % 60.0, 1.0)).collect();
        for path in StreamPath::ALL {
            let config = StreamConfig::on(path);
            let (mut scene, ids) = filled(&gl, md.clone(), fill, &places, config);
            // Warm up: the first frames create the staging ring and grow what they need.
            set_validation(false);
            frame_queries(&mut scene, &ids);
            assert_eq!(
                frame_queries(&mut scene, &ids),
                0,
                "{path:?}: queries with validation off"
            );
            set_validation(true);
            assert!(
                frame_queries(&mut scene, &ids) > 0,
                "{path:?}: validation checks errors"
            );
            set_validation(was);
        }
    }

    #[test]
    fn a_sprite_frame_with_validation_off_calls_no_gl_query() {
        a_frame_with_validation_off_calls_no_gl_query(quads);
    }

    #[test]
    fn a_particle_frame_with_validation_off_calls_no_gl_query() {
        a_frame_with_validation_off_calls_no_gl_query(instances);
    }
}
