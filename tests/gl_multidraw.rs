//! MultiDraw on a real context: two coloured quads from one buffer in one call (native) or
//! two (fallback), with a third quad between them in the buffer that must not be drawn.

mod common;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use glow::HasContext;
use vertex_domain::backend::{GlError, MultiDraw, RenderTarget};
use vertex_domain::headless::HeadlessContext;

const W: u32 = 64;
const H: u32 = 32;
const RED: [f32; 4] = [1.0, 0.0, 0.0, 1.0];
const GREEN: [f32; 4] = [0.0, 1.0, 0.0, 1.0];
const WHITE: [f32; 4] = [1.0, 1.0, 1.0, 1.0];
const CLEAR: [f32; 4] = [0.0, 0.0, 1.0, 1.0];

/// Left quad (red, x in 0..24 px), the undrawn middle quad (white, 24..40 px) and the right
/// quad (green, 40..64 px), all full height.
fn quads() -> [[f32; 4]; 3] {
    // x0, x1 in NDC for the three quads.
    [
        [-1.0, -0.25, 0.0, 0.0],
        [-0.25, 0.25, 0.0, 0.0],
        [0.25, 1.0, 0.0, 0.0],
    ]
}

/// Checks red left, green right and the clear colour in the gap.
fn assert_two_quads(pixels: &[u8], what: &str) {
    for y in [0, H / 2, H - 1] {
        for x in [0, 10, 23] {
            assert_eq!(
                common::pixel(pixels, W, x, y),
                [255, 0, 0, 255],
                "{what}: left at ({x},{y})"
            );
        }
        for x in [24, 32, 39] {
            assert_eq!(
                common::pixel(pixels, W, x, y),
                [0, 0, 255, 255],
                "{what}: gap at ({x},{y})"
            );
        }
        for x in [40, 50, 63] {
            assert_eq!(
                common::pixel(pixels, W, x, y),
                [0, 255, 0, 255],
                "{what}: right at ({x},{y})"
            );
        }
    }
}

fn draw_arrays(ctx: &HeadlessContext, multi_draw: &MultiDraw) -> (Vec<u8>, usize) {
    let gl = ctx.gl();
    let colours = [RED, WHITE, GREEN];
    let vertices: Vec<f32> = quads()
        .iter()
        .zip(colours)
        .flat_map(|(q, c)| common::quad_triangles(q[0], q[1], -1.0, 1.0, c))
        .collect();
    let target = RenderTarget::new(gl, W, H).unwrap();
    let program = common::colour_program(gl);
    let geometry = common::Geometry::new(gl, &vertices, &[2, 4], None);
    target.clear(CLEAR).unwrap();
    program.use_program();
    // SAFETY: binding a vertex array of the current context.
    unsafe { gl.bind_vertex_array(Some(geometry.vao)) };
    // SAFETY: vertices 0..18 exist in the geometry's buffer.
    let calls = unsafe { multi_draw.draw_arrays(gl, glow::TRIANGLES, &[0, 12], &[6, 6]) }.unwrap();
    (target.read_pixels().unwrap(), calls)
}

fn draw_elements(ctx: &HeadlessContext, multi_draw: &MultiDraw) -> (Vec<u8>, usize) {
    let gl = ctx.gl();
    let colours = [RED, WHITE, GREEN];
    let vertices: Vec<f32> = quads()
        .iter()
        .zip(colours)
        .flat_map(|(q, c)| common::quad_corners(q[0], q[1], -1.0, 1.0, c))
        .collect();
    let indices: Vec<u32> = (0..3u32)
        .flat_map(|quad| common::QUAD_INDICES.map(|i| i + 4 * quad))
        .collect();
    let target = RenderTarget::new(gl, W, H).unwrap();
    let program = common::colour_program(gl);
    let geometry = common::Geometry::new(gl, &vertices, &[2, 4], Some(&indices));
    target.clear(CLEAR).unwrap();
    program.use_program();
    // SAFETY: binding a vertex array of the current context.
    unsafe { gl.bind_vertex_array(Some(geometry.vao)) };
    // Quads 0 and 2: indices 0..6 and 12..18, byte offsets 0 and 48.
    // SAFETY: the geometry has an element buffer of 18 indices, each naming one of its 12
    // vertices.
    let calls = unsafe {
        multi_draw.draw_elements(gl, glow::TRIANGLES, &[6, 6], glow::UNSIGNED_INT, &[0, 48])
    }
    .unwrap();
    (target.read_pixels().unwrap(), calls)
}

#[test]
fn draw_arrays_native_is_one_call_drawing_both_ranges() {
    let ctx = common::context();
    assert!(ctx.multi_draw().is_native_arrays());
    let (pixels, calls) = draw_arrays(&ctx, &ctx.multi_draw());
    assert_two_quads(&pixels, "native draw_arrays");
    assert_eq!(calls, 1);
}

#[test]
fn draw_arrays_fallback_is_one_call_per_range_with_the_same_pixels() {
    let ctx = common::context();
    let (native, _) = draw_arrays(&ctx, &ctx.multi_draw());
    let (pixels, calls) = draw_arrays(&ctx, &MultiDraw::single_draws());
    assert_two_quads(&pixels, "fallback draw_arrays");
    assert_eq!(calls, 2);
    assert_eq!(pixels, native);
}

#[test]
fn draw_elements_native_is_one_call_drawing_both_ranges() {
    let ctx = common::context();
    assert!(ctx.multi_draw().is_native_elements());
    let (pixels, calls) = draw_elements(&ctx, &ctx.multi_draw());
    assert_two_quads(&pixels, "native draw_elements");
    assert_eq!(calls, 1);
}

#[test]
fn draw_elements_fallback_is_one_call_per_range_with_the_same_pixels() {
    let ctx = common::context();
    let (pixels, calls) = draw_elements(&ctx, &MultiDraw::single_draws());
    assert_two_quads(&pixels, "fallback draw_elements");
    assert_eq!(calls, 2);
}

#[test]
fn gles_draws_the_same_with_its_loaded_and_fallback_paths() {
    let ctx = common::context_gles();
    let expected_calls = if ctx.multi_draw().is_native_arrays() {
        1
    } else {
        2
    };
    let (pixels, calls) = draw_arrays(&ctx, &ctx.multi_draw());
    assert_two_quads(&pixels, "GLES draw_arrays");
    assert_eq!(calls, expected_calls);
    let (pixels, calls) = draw_arrays(&ctx, &MultiDraw::single_draws());
    assert_two_quads(&pixels, "GLES fallback draw_arrays");
    assert_eq!(calls, 2);

    let expected_calls = if ctx.multi_draw().is_native_elements() {
        1
    } else {
        2
    };
    let (pixels, calls) = draw_elements(&ctx, &ctx.multi_draw());
    assert_two_quads(&pixels, "GLES draw_elements");
    assert_eq!(calls, expected_calls);
    let (pixels, calls) = draw_elements(&ctx, &MultiDraw::single_draws());
    assert_two_quads(&pixels, "GLES fallback draw_elements");
    assert_eq!(calls, 2);
}

#[test]
fn empty_ranges_issue_no_call() {
    let ctx = common::context();
    for md in [ctx.multi_draw(), MultiDraw::single_draws()] {
        // SAFETY: no range is drawn.
        unsafe {
            assert_eq!(md.draw_arrays(ctx.gl(), glow::TRIANGLES, &[], &[]), Ok(0));
            assert_eq!(
                md.draw_elements(ctx.gl(), glow::TRIANGLES, &[], glow::UNSIGNED_INT, &[]),
                Ok(0)
            );
        }
    }
}

#[test]
fn mismatched_lengths_are_an_error_not_a_draw() {
    let ctx = common::context();
    for md in [ctx.multi_draw(), MultiDraw::single_draws()] {
        // SAFETY: mismatched slices are refused before anything is drawn.
        let err = unsafe { md.draw_arrays(ctx.gl(), glow::TRIANGLES, &[0, 3], &[3]) }.unwrap_err();
        assert!(matches!(err, GlError::InvalidArgument { .. }), "{err}");
        // SAFETY: as above.
        let err = unsafe {
            md.draw_elements(
                ctx.gl(),
                glow::TRIANGLES,
                &[3],
                glow::UNSIGNED_INT,
                &[0, 12],
            )
        }
        .unwrap_err();
        assert!(matches!(err, GlError::InvalidArgument { .. }), "{err}");
    }
}

#[test]
fn a_gl_error_during_a_multi_draw_is_reported() {
    let ctx = common::context();
    let gl = ctx.gl();
    let target = RenderTarget::new(gl, 4, 4).unwrap();
    target.bind();
    let program = common::colour_program(gl);
    let vertices = common::quad_triangles(-1.0, 1.0, -1.0, 1.0, RED);
    let geometry = common::Geometry::new(gl, &vertices, &[2, 4], None);
    program.use_program();
    // SAFETY: binding a vertex array of the current context.
    unsafe { gl.bind_vertex_array(Some(geometry.vao)) };
    for md in [ctx.multi_draw(), MultiDraw::single_draws()] {
        // A negative count is GL_INVALID_VALUE.
        // SAFETY: GL refuses the negative count before reading any vertex.
        let err = unsafe { md.draw_arrays(gl, glow::TRIANGLES, &[0], &[-3]) }.unwrap_err();
        assert!(
            matches!(
                err,
                GlError::Call {
                    code: glow::INVALID_VALUE,
                    ..
                }
            ),
            "{err}"
        );
    }
}
