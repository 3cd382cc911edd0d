//! RenderTarget on a real context: creation limits, clear and read-back (bottom-up rows),
//! bindings and pixel-store state left as documented.

mod common;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use glow::HasContext;
use vertex_domain::backend::{GlError, RenderTarget};

#[test]
fn clear_reads_back_as_rgba8() {
    for ctx in [common::context(), common::context_gles()] {
        ctx.make_current().unwrap();
        let target = RenderTarget::new(ctx.gl(), 7, 3).unwrap();
        assert_eq!(target.size(), (7, 3));
        target.clear([1.0, 0.0, 1.0, 0.0]).unwrap();
        let pixels = target.read_pixels().unwrap();
        assert_eq!(pixels.len(), 7 * 3 * 4);
        assert!(pixels.chunks_exact(4).all(|p| p == [255, 0, 255, 0]));
    }
}

#[test]
fn rows_come_back_bottom_up() {
    let ctx = common::context();
    let gl = ctx.gl();
    let target = RenderTarget::new(gl, 4, 4).unwrap();
    target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
    // Paint only the bottom row (window y = 0) white with a scissored clear.
    // SAFETY: state changes on the current context, undone below.
    unsafe {
        gl.enable(glow::SCISSOR_TEST);
        gl.scissor(0, 0, 4, 1);
        gl.clear_color(1.0, 1.0, 1.0, 1.0);
        gl.clear(glow::COLOR_BUFFER_BIT);
        gl.disable(glow::SCISSOR_TEST);
    }
    let pixels = target.read_pixels().unwrap();
    assert_eq!(&pixels[..16], &[255; 16], "the first row is the bottom one");
    assert!(pixels[16..].chunks_exact(4).all(|p| p == [0, 0, 0, 255]));
}

#[test]
fn bad_sizes_are_errors() {
    let ctx = common::context();
    for (w, h) in [(0, 4), (4, 0), (1 << 20, 4)] {
        let err = RenderTarget::new(ctx.gl(), w, h).unwrap_err();
        assert!(
            matches!(err, GlError::InvalidArgument { .. }),
            "{w}x{h}: {err}"
        );
    }
}

#[test]
fn bind_sets_the_viewport_and_read_pixels_restores_state() {
    let ctx = common::context();
    let gl = ctx.gl();
    let a = RenderTarget::new(gl, 8, 2).unwrap();
    let b = RenderTarget::new(gl, 3, 5).unwrap();
    // SAFETY: queries and pixel-store changes on the current context.
    unsafe {
        assert_eq!(
            gl.get_parameter_i32(glow::DRAW_FRAMEBUFFER_BINDING),
            0,
            "new() restores"
        );
        a.bind();
        let mut viewport = [0; 4];
        gl.get_parameter_i32_slice(glow::VIEWPORT, &mut viewport);
        assert_eq!(viewport, [0, 0, 8, 2]);
        gl.pixel_store_i32(glow::PACK_ALIGNMENT, 8);
        // b is 3 wide: with alignment 8 GL would pad rows; read_pixels must not.
        b.clear([0.0, 1.0, 0.0, 1.0]).unwrap();
        a.bind();
        let pixels = b.read_pixels().unwrap();
        assert_eq!(pixels.len(), 3 * 5 * 4);
        assert!(pixels.chunks_exact(4).all(|p| p == [0, 255, 0, 255]));
        assert_eq!(gl.get_parameter_i32(glow::PACK_ALIGNMENT), 8);
        // In the browser glow cannot read an empty binding back, so read_pixels leaves the
        // read framebuffer unbound there instead of restoring it (`backend::bindings`).
        if !common::WEB {
            assert_eq!(
                gl.get_parameter_framebuffer(glow::READ_FRAMEBUFFER_BINDING),
                Some(a.raw())
            );
        }
        a.unbind();
        if !common::WEB {
            // (glow cannot read WebGL's empty binding back.)
            assert_eq!(
                gl.get_parameter_framebuffer(glow::DRAW_FRAMEBUFFER_BINDING),
                None
            );
        }
    }
}
