//! [`GrowingTexture`]: an RGBA8 texture that grows on the GPU, for an atlas that takes
//! images and glyphs whenever they come.
//!
//! Growth makes a larger texture and copies the old texels into it on the GPU
//! (`glCopyTexSubImage2D` from a framebuffer the old texture is attached to), so nothing is
//! read back and no copy is kept in memory. Every texel keeps its coordinates: vertices that
//! address the texture in texels (the shaders divide by its size, a uniform set at every
//! draw) stay right, and none is rewritten.
//!
//! The texture is shared (`Arc`) between the atlas that writes it and the layer groups that
//! bind it, so its GL name and size sit behind a lock: growth swaps in the new texture
//! behind the same `Arc`, and every group binds it from its next draw on. (The lock is
//! never contended: GL calls happen where the context is current. It is there so that the
//! texture, like the context, may move between threads.)
//!
//! GL state touched: creation, writes and growth restore the `GL_TEXTURE_2D` binding of
//! the active unit, the read framebuffer binding and the unpack state they change (in the
//! browser, where bindings cannot be read back, they are left unbound; see `bindings`);
//! [`bind`](GrowingTexture::bind) leaves its binding.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use glow::HasContext;

use super::bindings;
use super::fault::{inject, Site};
use super::texture::{create_2d, max_texture_size, with_bound, write_2d};
use super::{check_gl, GlError, TextureFilter};

/// A growable RGBA8 texture, linearly filtered and clamped to its edges.
///
/// Owns its GL texture and deletes it on drop: the context must be current then, as
/// whenever it is used.
#[derive(Debug)]
pub struct GrowingTexture {
    gl: Arc<glow::Context>,
    state: Mutex<State>,
}

/// What growth replaces.
#[derive(Debug, Clone, Copy)]
struct State {
    raw: glow::Texture,
    /// `(width, height)` in texels.
    size: (u32, u32),
}

impl GrowingTexture {
    /// A texture of `width` × `height` transparent texels.
    ///
    /// Fails with [`GlError::InvalidArgument`] for a zero side or one past
    /// `GL_MAX_TEXTURE_SIZE`, and with GL's errors; nothing is leaked on failure.
    pub fn new(gl: &Arc<glow::Context>, width: u32, height: u32) -> Result<Self, GlError> {
        let raw = allocate(gl, (width, height), "GrowingTexture::new")?;
        Ok(GrowingTexture {
            gl: Arc::clone(gl),
            state: Mutex::new(State {
                raw,
                size: (width, height),
            }),
        })
    }

    /// The state, locked. Nothing updates it half-way, so a panic while it was held does
    /// not poison it.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The size in texels, `(width, height)`.
    pub fn size(&self) -> (u32, u32) {
        self.state().size
    }

    /// The largest side GL allows, `GL_MAX_TEXTURE_SIZE`.
    pub fn max_side(&self) -> u32 {
        max_texture_size(&self.gl)
    }

    /// Writes `rgba`, `width * height` texels of 4 bytes row after row, at texel `(x, y)`
    /// with `glTexSubImage2D`.
    ///
    /// Fails with [`GlError::InvalidArgument`] when the rectangle leaves the texture or the
    /// length is wrong (nothing written), and with GL's error.
    pub fn write(&self, at: (u32, u32), size: (u32, u32), rgba: &[u8]) -> Result<(), GlError> {
        let state = *self.state();
        let texture = (state.raw, state.size);
        write_2d(&self.gl, texture, at, size, rgba, "GrowingTexture::write")
    }

    /// Grows the texture to `width` × `height` texels (neither side smaller than now),
    /// keeping every texel at its coordinates and the new ones transparent: a new texture
    /// is filled from the old one on the GPU and replaces it, and the old one is deleted.
    ///
    /// On error (a side past `GL_MAX_TEXTURE_SIZE`, GL out of memory, a failed copy) the
    /// texture keeps its size, object and texels, and nothing is leaked.
    pub fn grow(&self, width: u32, height: u32) -> Result<(), GlError> {
        let mut state = self.state();
        let (old_width, old_height) = state.size;
        if width < old_width || height < old_height {
            return Err(GlError::InvalidArgument {
                operation: "GrowingTexture::grow",
                message: format!("{width}x{height} is smaller than {old_width}x{old_height}"),
            });
        }
        let gl = &self.gl;
        let raw = allocate(gl, (width, height), "GrowingTexture::grow")?;
        if let Err(error) = copy(gl, state.raw, raw, state.size) {
            // SAFETY: the new texture was just made on this context; nothing refers to it.
            unsafe { gl.delete_texture(raw) };
            return Err(error);
        }
        let old = std::mem::replace(&mut state.raw, raw);
        // SAFETY: the old texture belongs to this context, which is current, and nothing
        // refers to it any more (groups bind `raw` afresh at every draw).
        unsafe { gl.delete_texture(old) };
        state.size = (width, height);
        Ok(())
    }

    /// Binds the texture to `GL_TEXTURE_2D` of texture unit `unit`.
    ///
    /// GL state touched: the active texture unit becomes `unit` and its `GL_TEXTURE_2D`
    /// binding this texture, both left changed.
    pub fn bind(&self, unit: u32) {
        // SAFETY: a texture of this context, which is current; an out-of-range unit only
        // raises GL_INVALID_ENUM, which the layer's error check reports.
        unsafe {
            self.gl.active_texture(glow::TEXTURE0 + unit);
            self.gl.bind_texture(glow::TEXTURE_2D, Some(self.raw()));
        }
    }

    /// The GL texture name now (growth replaces it).
    pub fn raw(&self) -> glow::Texture {
        self.state().raw
    }
}

impl Drop for GrowingTexture {
    fn drop(&mut self) {
        // SAFETY: the texture belongs to this context, which must be current (type docs).
        unsafe { self.gl.delete_texture(self.raw()) };
    }
}

/// A new RGBA8 texture of `size` transparent texels, linearly filtered; refused for a
/// zero side or one past `GL_MAX_TEXTURE_SIZE`, deleted again on a GL error.
fn allocate(
    gl: &glow::Context,
    (width, height): (u32, u32),
    operation: &'static str,
) -> Result<glow::Texture, GlError> {
    let max = max_texture_size(gl);
    if width == 0 || height == 0 || width > max || height > max {
        return Err(GlError::InvalidArgument {
            operation,
            message: format!(
                "size {width}x{height} must be between 1 and GL_MAX_TEXTURE_SIZE ({max})"
            ),
        });
    }
    let raw = create_2d(gl, (width, height), TextureFilter::Linear, None)?;
    inject(gl, Site::Texture);
    if let Err(error) = check_gl(gl, operation) {
        // SAFETY: the texture was just created on this context and nothing refers to it.
        unsafe { gl.delete_texture(raw) };
        return Err(error);
    }
    Ok(raw)
}

/// Copies the `size` texels of `from` to the same coordinates of `to` on the GPU, through
/// a framebuffer made for the copy and deleted after it.
///
/// GL state touched: none left changed (the read framebuffer binding and the
/// `GL_TEXTURE_2D` binding of the active unit are restored).
fn copy(
    gl: &glow::Context,
    from: glow::Texture,
    to: glow::Texture,
    (width, height): (u32, u32),
) -> Result<(), GlError> {
    // SAFETY: a framebuffer made here, with `from` (a complete RGBA8 texture of this
    // context) as its colour attachment, read into `to`, which is at least as large; the
    // read framebuffer binding is put back and the framebuffer deleted.
    unsafe {
        let framebuffer = gl.create_framebuffer().map_err(|message| GlError::Create {
            object: "framebuffer",
            message,
        })?;
        let previous = bindings::framebuffer(gl, glow::READ_FRAMEBUFFER_BINDING);
        gl.bind_framebuffer(glow::READ_FRAMEBUFFER, Some(framebuffer));
        gl.framebuffer_texture_2d(
            glow::READ_FRAMEBUFFER,
            glow::COLOR_ATTACHMENT0,
            glow::TEXTURE_2D,
            Some(from),
            0,
        );
        with_bound(gl, to, || {
            gl.copy_tex_sub_image_2d(glow::TEXTURE_2D, 0, 0, 0, 0, 0, width as i32, height as i32)
        });
        gl.bind_framebuffer(glow::READ_FRAMEBUFFER, previous);
        gl.delete_framebuffer(framebuffer);
    }
    inject(gl, Site::Texture);
    check_gl(gl, "GrowingTexture::grow copy")
}
