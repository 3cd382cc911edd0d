//! The headless EGL context: creation on desktop GL core and GLES 3, several per process and
//! per thread, and what it reports. (The browser's WebGL2 context: `web_context.rs`.)
#![cfg(not(target_arch = "wasm32"))]

mod common;

use glow::HasContext;
use vertex_domain::backend::RenderTarget;
use vertex_domain::headless::{HeadlessApi, HeadlessContext};

#[test]
fn gl_core_context_reports_a_core_version_of_at_least_3_3() {
    let ctx = common::context();
    assert_eq!(ctx.api(), HeadlessApi::GlCore);
    assert!(ctx.is_current());
    let version = ctx.gl().version();
    assert!(!version.is_embedded, "{}", ctx.version());
    assert!(
        (version.major, version.minor) >= (3, 3),
        "{}",
        ctx.version()
    );
    assert!(!ctx.version().starts_with("OpenGL ES"), "{}", ctx.version());
    assert!(!ctx.renderer().is_empty());
    // SAFETY: a plain query on the current context.
    let mask = unsafe { ctx.gl().get_parameter_i32(glow::CONTEXT_PROFILE_MASK) };
    assert_ne!(
        mask as u32 & glow::CONTEXT_CORE_PROFILE_BIT,
        0,
        "not a core profile"
    );
    eprintln!(
        "GL core: {} | {} | {}",
        ctx.version(),
        ctx.renderer(),
        ctx.device()
    );
}

#[test]
fn gles3_context_reports_an_es_3_version() {
    let ctx = common::context_gles();
    assert_eq!(ctx.api(), HeadlessApi::Gles3);
    let version = ctx.gl().version();
    assert!(version.is_embedded, "{}", ctx.version());
    assert!(version.major >= 3, "{}", ctx.version());
    assert!(
        ctx.version().starts_with("OpenGL ES 3."),
        "{}",
        ctx.version()
    );
    eprintln!(
        "GLES: {} | {} | {} | multi-draw native: {}",
        ctx.version(),
        ctx.renderer(),
        ctx.device(),
        ctx.multi_draw().is_native_arrays()
    );
}

#[test]
fn desktop_core_context_has_native_multi_draw() {
    let ctx = common::context();
    assert!(ctx.multi_draw().is_native_arrays());
    assert!(ctx.multi_draw().is_native_elements());
    assert!(!ctx.get_proc_address(c"glMultiDrawArrays").is_null());
}

#[test]
fn gles_multi_draw_follows_the_extension_list() {
    let ctx = common::context_gles();
    let has_ext = ctx
        .gl()
        .supported_extensions()
        .contains("GL_EXT_multi_draw_arrays");
    assert_eq!(ctx.multi_draw().is_native_arrays(), has_ext);
    assert_eq!(ctx.multi_draw().is_native_elements(), has_ext);
}

#[test]
fn several_contexts_in_one_thread_switch_with_make_current() {
    let first = common::context();
    let second = common::context_gles();
    assert!(second.is_current());
    assert!(!first.is_current());
    first.make_current().unwrap();
    assert!(first.is_current());
    // SAFETY: plain query on the current context.
    let version = unsafe { first.gl().get_parameter_string(glow::VERSION) };
    assert_eq!(version, first.version());
    drop(second);
    assert!(
        first.is_current(),
        "dropping a non-current context must not release another"
    );
}

#[test]
fn contexts_work_on_several_threads_at_once() {
    let handles: Vec<_> = (0..4)
        .map(|i| {
            std::thread::spawn(move || {
                let api = if i % 2 == 0 {
                    HeadlessApi::GlCore
                } else {
                    HeadlessApi::Gles3
                };
                let ctx = HeadlessContext::new(api).expect("context on a worker thread");
                assert!(ctx.is_current());
                let gl = ctx.gl();
                // SAFETY: GL calls on this thread's current context; the buffer is deleted
                // before the context drops.
                unsafe {
                    let buffer = gl.create_buffer().unwrap();
                    gl.bind_buffer(glow::ARRAY_BUFFER, Some(buffer));
                    gl.buffer_data_size(glow::ARRAY_BUFFER, 1024, glow::STATIC_DRAW);
                    let size = gl.get_buffer_parameter_i32(glow::ARRAY_BUFFER, glow::BUFFER_SIZE);
                    gl.delete_buffer(buffer);
                    assert_eq!(size, 1024);
                }
                vertex_domain::backend::check_gl(gl, "worker thread").unwrap();
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
}

#[test]
fn contexts_created_and_dropped_one_after_another_each_work() {
    // Each context is current when made and clears its own target to its own colour, after
    // the one before it was dropped with its objects.
    for round in 0..8u8 {
        let ctx = common::context();
        assert!(ctx.is_current(), "round {round}");
        let target = RenderTarget::new(ctx.gl(), 2, 2).unwrap();
        let shade = f32::from(round) / 8.0;
        target.clear([shade, 0.0, 1.0, 1.0]).unwrap();
        let pixels = target.read_pixels().unwrap();
        assert_eq!(
            common::pixel(&pixels, 2, 1, 1),
            [(shade * 255.0).round() as u8, 0, 255, 255],
            "round {round}"
        );
        drop(target);
        drop(ctx);
    }
}

#[test]
fn mesas_gl_core_context_lacks_nothing_and_single_draws_say_what_they_lack() {
    let ctx = common::context();
    let capabilities = ctx.capabilities();
    assert!(capabilities.lacks().is_empty(), "{capabilities}");
    assert_eq!(
        capabilities.stream_path,
        vertex_domain::backend::StreamPath::Ring
    );
    let single = vertex_domain::backend::Capabilities::of(
        ctx.gl(),
        &vertex_domain::backend::MultiDraw::single_draws(),
    );
    assert!(!single.multi_draw);
    assert!(
        single.to_string().contains("one draw call per list"),
        "{single}"
    );
}
