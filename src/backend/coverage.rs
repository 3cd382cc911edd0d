//! [`CoverageTexture`]: a single-channel (`R8`) texture that grows, for a glyph atlas: one
//! byte of coverage a texel, written a rectangle at a time, with a copy of every texel kept
//! in memory so that growth can fill the larger texture without reading GL back.
//!
//! The texture is shared (`Arc`) between the atlas that writes it and the layer groups that
//! bind it, so its GL name, size and texels sit behind a lock: growth swaps in a new texture
//! object behind the same `Arc`, and every group binds the new one from its next draw on.
//! (The lock is never contended: GL calls happen on the one thread where the context is
//! current. It is there so that the texture, like the context, may move between threads.)
//! Coordinates in it are texels (the shaders divide by its size, a uniform set at every
//! draw), so growth changes no vertex.
//!
//! GL state touched: creation, writes and growth restore the `GL_TEXTURE_2D` binding of the
//! active unit and the unpack state they change; [`bind`](CoverageTexture::bind) leaves its
//! binding.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use glow::HasContext;

use super::fault::{inject, Site};
use super::texture::{create_2d, max_texture_size, write_2d};
use super::{check_gl, GlError, TextureFilter};

/// A growable `R8` texture with a copy of its texels in memory.
///
/// Owns its GL texture and deletes it on drop: the context must be current then, as
/// whenever it is used.
#[derive(Debug)]
pub struct CoverageTexture {
    gl: Arc<glow::Context>,
    state: Mutex<State>,
}

/// What growth replaces.
#[derive(Debug)]
struct State {
    raw: glow::Texture,
    /// `(width, height)` in texels.
    size: (u32, u32),
    /// Every texel, row after row: what GL holds. Invariant: `width * height` bytes.
    texels: Vec<u8>,
}

impl CoverageTexture {
    /// A texture of `width` × `height` texels of zero coverage, linearly filtered and
    /// clamped to its edges.
    ///
    /// Fails with [`GlError::InvalidArgument`] for a zero side or one past
    /// `GL_MAX_TEXTURE_SIZE`, and with GL's errors; nothing is leaked on failure.
    pub fn new(gl: &Arc<glow::Context>, width: u32, height: u32) -> Result<Self, GlError> {
        let texels = vec![0; texel_count(gl, width, height, "CoverageTexture::new")?];
        let raw = upload(gl, width, height, &texels)?;
        Ok(CoverageTexture {
            gl: Arc::clone(gl),
            state: Mutex::new(State {
                raw,
                size: (width, height),
                texels,
            }),
        })
    }

    /// The state, locked. A panic while it was held (none of its updates can leave it
    /// half-done) does not poison it.
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

    /// Writes `coverage`, `width * height` bytes row after row, at texel `(x, y)`: into the
    /// copy in memory, and into GL with `glTexSubImage2D`.
    ///
    /// Fails with [`GlError::InvalidArgument`] when the rectangle leaves the texture or the
    /// length is wrong (nothing written), and with GL's error (the copy in memory keeps the
    /// old texels then, so memory and GL disagree only where GL itself failed).
    pub fn write(
        &self,
        (x, y): (u32, u32),
        (width, height): (u32, u32),
        coverage: &[u8],
    ) -> Result<(), GlError> {
        let mut state = self.state();
        let (tw, _) = state.size;
        write_2d(
            &self.gl,
            (state.raw, state.size),
            (x, y),
            (width, height),
            (glow::RED, coverage),
            "CoverageTexture::write",
        )?;
        let texels = &mut state.texels;
        let row = tw as usize;
        // `max(1)`: an empty rectangle (no rows to copy) has no chunks either way.
        for (r, src) in coverage.chunks_exact(width.max(1) as usize).enumerate() {
            let start = (y as usize + r) * row + x as usize;
            texels[start..start + width as usize].copy_from_slice(src);
        }
        Ok(())
    }

    /// Grows the texture to `width` × `height` texels (neither side smaller than now),
    /// keeping every texel at its coordinates and the new ones at zero coverage: a new
    /// texture object is filled from the copy in memory and replaces the old one, which is
    /// deleted.
    ///
    /// On error (a side past `GL_MAX_TEXTURE_SIZE`, GL out of memory) the texture keeps
    /// its size, object and texels.
    pub fn grow(&self, width: u32, height: u32) -> Result<(), GlError> {
        let mut state = self.state();
        let (old_width, old_height) = state.size;
        if width < old_width || height < old_height {
            return Err(GlError::InvalidArgument {
                operation: "CoverageTexture::grow",
                message: format!("{width}x{height} is smaller than {old_width}x{old_height}"),
            });
        }
        let mut grown = vec![0; texel_count(&self.gl, width, height, "CoverageTexture::grow")?];
        for (r, src) in state.texels.chunks_exact(old_width as usize).enumerate() {
            let start = r * width as usize;
            grown[start..start + old_width as usize].copy_from_slice(src);
        }
        let raw = upload(&self.gl, width, height, &grown)?;
        let old = std::mem::replace(&mut state.raw, raw);
        // SAFETY: the old texture belongs to this context, which is current, and nothing
        // refers to it any more (groups bind `raw` afresh at every draw).
        unsafe { self.gl.delete_texture(old) };
        state.size = (width, height);
        state.texels = grown;
        Ok(())
    }

    /// The coverage of texel `(x, y)`, from the copy in memory; `None` outside.
    pub fn texel(&self, x: u32, y: u32) -> Option<u8> {
        let state = self.state();
        let (width, height) = state.size;
        (x < width && y < height).then(|| state.texels[y as usize * width as usize + x as usize])
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

impl Drop for CoverageTexture {
    fn drop(&mut self) {
        // SAFETY: the texture belongs to this context, which must be current (type docs).
        unsafe { self.gl.delete_texture(self.raw()) };
    }
}

/// `width * height`, refused for a zero side or one past `GL_MAX_TEXTURE_SIZE`.
fn texel_count(
    gl: &glow::Context,
    width: u32,
    height: u32,
    operation: &'static str,
) -> Result<usize, GlError> {
    let max = max_texture_size(gl);
    if width == 0 || height == 0 || width > max || height > max {
        return Err(GlError::InvalidArgument {
            operation,
            message: format!(
                "size {width}x{height} must be between 1 and GL_MAX_TEXTURE_SIZE ({max})"
            ),
        });
    }
    Ok(width as usize * height as usize)
}

/// A new `R8` texture holding `texels` (`width * height` bytes), linearly filtered;
/// deleted again on error.
fn upload(
    gl: &glow::Context,
    width: u32,
    height: u32,
    texels: &[u8],
) -> Result<glow::Texture, GlError> {
    let raw = create_2d(
        gl,
        (width, height),
        TextureFilter::Linear,
        (glow::R8, glow::RED),
        Some(texels),
    )?;
    inject(gl, Site::Texture);
    if let Err(error) = check_gl(gl, "CoverageTexture storage") {
        // SAFETY: the texture was just created on this context and nothing refers to it.
        unsafe { gl.delete_texture(raw) };
        return Err(error);
    }
    Ok(raw)
}
