//! [`CoverageTexture`]: a single-channel (`R8`) texture that grows, for a glyph atlas: one
//! byte of coverage a texel, written a rectangle at a time, with a copy of every texel kept
//! in memory so that growth can fill the larger texture without reading GL back.
//!
//! The texture is shared (`Rc`) between the atlas that writes it and the layer groups that
//! bind it, so its GL name and size sit in cells: growth swaps in a new texture object
//! behind the same `Rc`, and every group binds the new one from its next draw on.
//! Coordinates in it are texels (the shaders divide by its size, a uniform set at every
//! draw), so growth changes no vertex.
//!
//! GL state touched: creation, writes and growth restore the `GL_TEXTURE_2D` binding of the
//! active unit and the unpack state they change; [`bind`](CoverageTexture::bind) leaves its
//! binding.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use glow::HasContext;

use super::fault::{inject, Site};
use super::pixels::with_byte_unpacking;
use super::texture::{create_2d, max_texture_size, with_bound};
use super::{check_gl, GlError, TextureFilter};

/// A growable `R8` texture with a copy of its texels in memory.
///
/// Owns its GL texture and deletes it on drop: the context must be current then, as
/// whenever it is used.
#[derive(Debug)]
pub struct CoverageTexture {
    gl: Rc<glow::Context>,
    raw: Cell<glow::NativeTexture>,
    /// `(width, height)` in texels.
    size: Cell<(u32, u32)>,
    /// Every texel, row after row: what GL holds. Invariant: `width * height` bytes.
    texels: RefCell<Vec<u8>>,
}

impl CoverageTexture {
    /// A texture of `width` × `height` texels of zero coverage, linearly filtered and
    /// clamped to its edges.
    ///
    /// Fails with [`GlError::InvalidArgument`] for a zero side or one past
    /// `GL_MAX_TEXTURE_SIZE`, and with GL's errors; nothing is leaked on failure.
    pub fn new(gl: &Rc<glow::Context>, width: u32, height: u32) -> Result<Self, GlError> {
        let texels = vec![0; texel_count(gl, width, height, "CoverageTexture::new")?];
        let raw = upload(gl, width, height, &texels)?;
        Ok(CoverageTexture {
            gl: Rc::clone(gl),
            raw: Cell::new(raw),
            size: Cell::new((width, height)),
            texels: RefCell::new(texels),
        })
    }

    /// The size in texels, `(width, height)`.
    pub fn size(&self) -> (u32, u32) {
        self.size.get()
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
        let (tw, th) = self.size();
        let inside = u64::from(x) + u64::from(width) <= u64::from(tw)
            && u64::from(y) + u64::from(height) <= u64::from(th);
        if !inside || coverage.len() != width as usize * height as usize {
            return Err(GlError::InvalidArgument {
                operation: "CoverageTexture::write",
                message: format!(
                    "{} bytes for {width}x{height} texels at ({x}, {y}) of a {tw}x{th} texture",
                    coverage.len()
                ),
            });
        }
        if width == 0 || height == 0 {
            return Ok(());
        }
        let gl = &self.gl;
        with_bound(gl, self.raw.get(), || {
            // SAFETY: `coverage` holds exactly `width * height` bytes (checked) and
            // unpacking reads one byte a texel with rows back to back and no unpack buffer
            // (`with_byte_unpacking`), so GL reads exactly that slice, into a rectangle
            // inside the bound texture (checked).
            with_byte_unpacking(gl, || unsafe {
                gl.tex_sub_image_2d(
                    glow::TEXTURE_2D,
                    0,
                    x as i32,
                    y as i32,
                    width as i32,
                    height as i32,
                    glow::RED,
                    glow::UNSIGNED_BYTE,
                    glow::PixelUnpackData::Slice(Some(coverage)),
                )
            })
        });
        inject(gl, Site::Texture);
        check_gl(gl, "CoverageTexture::write")?;
        let mut texels = self.texels.borrow_mut();
        let row = tw as usize;
        for (r, src) in coverage.chunks_exact(width as usize).enumerate() {
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
        let (old_width, old_height) = self.size();
        if width < old_width || height < old_height {
            return Err(GlError::InvalidArgument {
                operation: "CoverageTexture::grow",
                message: format!("{width}x{height} is smaller than {old_width}x{old_height}"),
            });
        }
        let mut grown = vec![0; texel_count(&self.gl, width, height, "CoverageTexture::grow")?];
        let texels = self.texels.borrow();
        for (r, src) in texels.chunks_exact(old_width as usize).enumerate() {
            let start = r * width as usize;
            grown[start..start + old_width as usize].copy_from_slice(src);
        }
        drop(texels);
        let raw = upload(&self.gl, width, height, &grown)?;
        let old = self.raw.replace(raw);
        // SAFETY: the old texture belongs to this context, which is current, and nothing
        // refers to it any more (groups bind `raw` afresh at every draw).
        unsafe { self.gl.delete_texture(old) };
        self.size.set((width, height));
        *self.texels.borrow_mut() = grown;
        Ok(())
    }

    /// The coverage of texel `(x, y)`, from the copy in memory; `None` outside.
    pub fn texel(&self, x: u32, y: u32) -> Option<u8> {
        let (width, height) = self.size();
        (x < width && y < height)
            .then(|| self.texels.borrow()[y as usize * width as usize + x as usize])
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
            self.gl.bind_texture(glow::TEXTURE_2D, Some(self.raw.get()));
        }
    }

    /// The GL texture name now (growth replaces it).
    pub fn raw(&self) -> glow::NativeTexture {
        self.raw.get()
    }
}

impl Drop for CoverageTexture {
    fn drop(&mut self) {
        // SAFETY: the texture belongs to this context, which must be current (type docs).
        unsafe { self.gl.delete_texture(self.raw.get()) };
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
) -> Result<glow::NativeTexture, GlError> {
    let raw = create_2d(
        gl,
        (width, height),
        TextureFilter::Linear,
        (glow::R8, glow::RED),
        texels,
    )?;
    inject(gl, Site::Texture);
    if let Err(error) = check_gl(gl, "CoverageTexture storage") {
        // SAFETY: the texture was just created on this context and nothing refers to it.
        unsafe { gl.delete_texture(raw) };
        return Err(error);
    }
    Ok(raw)
}
