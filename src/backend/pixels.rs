//! Pixel-store guards: run a `glReadPixels` or `glTex(Sub)Image2D` with tightly packed client
//! memory, whatever pixel-store state and pixel buffer bindings the caller left, and restore
//! that state afterwards.
//!
//! GL state touched (saved, set, then restored): `GL_PIXEL_PACK_BUFFER` binding and
//! `GL_PACK_ALIGNMENT`/`ROW_LENGTH`/`SKIP_ROWS`/`SKIP_PIXELS` for packing;
//! `GL_PIXEL_UNPACK_BUFFER` binding and `GL_UNPACK_ALIGNMENT`/`ROW_LENGTH`/`SKIP_ROWS`/
//! `SKIP_PIXELS` for unpacking. With them at their defaults (no buffer, alignment 4, the rest
//! 0), an RGBA8 rectangle of `w * h` pixels occupies exactly `w * h * 4` client bytes, which is
//! what makes passing a slice of that length sound.

use glow::HasContext;

use super::bindings;

/// The pixel-store parameters for one direction.
struct Direction {
    buffer_target: u32,
    buffer_binding: u32,
    alignment: u32,
    others: [u32; 3],
}

const PACK: Direction = Direction {
    buffer_target: glow::PIXEL_PACK_BUFFER,
    buffer_binding: glow::PIXEL_PACK_BUFFER_BINDING,
    alignment: glow::PACK_ALIGNMENT,
    others: [
        glow::PACK_ROW_LENGTH,
        glow::PACK_SKIP_ROWS,
        glow::PACK_SKIP_PIXELS,
    ],
};

const UNPACK: Direction = Direction {
    buffer_target: glow::PIXEL_UNPACK_BUFFER,
    buffer_binding: glow::PIXEL_UNPACK_BUFFER_BINDING,
    alignment: glow::UNPACK_ALIGNMENT,
    others: [
        glow::UNPACK_ROW_LENGTH,
        glow::UNPACK_SKIP_ROWS,
        glow::UNPACK_SKIP_PIXELS,
    ],
};

/// Runs `f` with tightly packed client-memory packing (for `glReadPixels`).
pub(crate) fn with_tight_packing<R>(gl: &glow::Context, f: impl FnOnce() -> R) -> R {
    with_defaults(gl, &PACK, RGBA8_ALIGNMENT, f)
}

/// Runs `f` with client-memory unpacking of one byte a texel and rows of any width packed
/// back to back (`GL_UNPACK_ALIGNMENT` 1, for single-channel uploads).
pub(crate) fn with_byte_unpacking<R>(gl: &glow::Context, f: impl FnOnce() -> R) -> R {
    with_defaults(gl, &UNPACK, 1, f)
}

/// GL's default row alignment, which RGBA8 rows (4 bytes a texel) always meet: tight.
const RGBA8_ALIGNMENT: i32 = 4;

/// Runs `f` with `dir`'s pixel-store state at its defaults but for a row alignment of
/// `row_alignment`, then restores what was there.
fn with_defaults<R>(
    gl: &glow::Context,
    dir: &Direction,
    row_alignment: i32,
    f: impl FnOnce() -> R,
) -> R {
    // SAFETY: state queries and pixel-store/binding calls with valid enums on the current
    // context; the saved values are restored unchanged.
    unsafe {
        let buffer = bindings::buffer(gl, dir.buffer_binding);
        let alignment = gl.get_parameter_i32(dir.alignment);
        let others = dir.others.map(|p| gl.get_parameter_i32(p));
        if buffer.is_some() {
            gl.bind_buffer(dir.buffer_target, None);
        }
        if alignment != row_alignment {
            gl.pixel_store_i32(dir.alignment, row_alignment);
        }
        for (&param, &value) in dir.others.iter().zip(&others) {
            if value != 0 {
                gl.pixel_store_i32(param, 0);
            }
        }
        let result = f();
        for (&param, &value) in dir.others.iter().zip(&others) {
            if value != 0 {
                gl.pixel_store_i32(param, value);
            }
        }
        if alignment != row_alignment {
            gl.pixel_store_i32(dir.alignment, alignment);
        }
        if buffer.is_some() {
            gl.bind_buffer(dir.buffer_target, buffer);
        }
        result
    }
}

/// `width * height * 4` as a byte count, or `None` on overflow.
pub(crate) fn rgba8_len(width: u32, height: u32) -> Option<usize> {
    (width as usize)
        .checked_mul(height as usize)?
        .checked_mul(4)
}
