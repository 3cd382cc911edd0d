//! [`Texture`]: a 2D RGBA8 texture uploaded from client memory, with its size and sampling
//! filter, bound to a texture unit for drawing.
//!
//! GL state touched: see each method. Creation restores every binding it changes.

use std::sync::Arc;

use glow::HasContext;

use super::bindings;
use super::fault::{inject, Site};

use super::pixels::{rgba8_len, with_byte_unpacking};
use super::{check_gl, GlError};

/// How a texture is sampled when minified or magnified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TextureFilter {
    /// `GL_NEAREST`: crisp pixels (pixel art, exact tests).
    #[default]
    Nearest,
    /// `GL_LINEAR`: bilinear filtering.
    Linear,
}

impl TextureFilter {
    fn gl(self) -> i32 {
        match self {
            TextureFilter::Nearest => glow::NEAREST as i32,
            TextureFilter::Linear => glow::LINEAR as i32,
        }
    }
}

/// What a texture's colour channels hold, which decides how a sprite layer blends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlphaMode {
    /// Colour as it is, alpha beside it: linear filtering between an opaque texel and a
    /// transparent black one darkens the edge.
    Straight,
    /// Colour already multiplied by alpha: filtering and blending give clean edges.
    Premultiplied,
}

/// A 2D texture with RGBA8 storage, no mipmaps, clamped to its edges.
///
/// It owns the GL texture and deletes it when dropped. The context it was made with must be
/// current on this thread whenever it is used or dropped (see [`crate::backend`]). Like glow's
/// context it is `Send` natively: it may move to another thread, and be used there while
/// the context is current there.
#[derive(Debug)]
pub struct Texture {
    gl: Arc<glow::Context>,
    raw: glow::Texture,
    width: u32,
    height: u32,
    /// What the texels' colour channels hold.
    alpha: AlphaMode,
    /// The context's `GL_MAX_COMBINED_TEXTURE_IMAGE_UNITS`, read once so that binding, which
    /// happens every frame, queries nothing.
    max_units: u32,
}

impl Texture {
    /// Uploads `pixels`, `width * height` RGBA8 pixels row after row, as a new texture. The
    /// first row lands at texture coordinate `t = 0` (the bottom, in GL's convention), so an
    /// image stored top-down appears with its top at `t = 0`.
    ///
    /// Fails with [`GlError::InvalidArgument`] when `pixels.len()` is not
    /// `width * height * 4`, or a side is zero or over `GL_MAX_TEXTURE_SIZE`; with
    /// [`GlError::Create`] or [`GlError::Call`] (such as `GL_OUT_OF_MEMORY`) from GL. Nothing
    /// is leaked on failure.
    ///
    /// GL state touched: none left changed (the `GL_TEXTURE_2D` binding of the active unit,
    /// the pixel-unpack buffer binding and unpack pixel-store state are restored).
    pub fn new_rgba8(
        gl: &Arc<glow::Context>,
        width: u32,
        height: u32,
        pixels: &[u8],
        filter: TextureFilter,
    ) -> Result<Texture, GlError> {
        let gl = Arc::clone(gl);
        let max = max_texture_size(&gl);
        if width == 0 || height == 0 || width > max || height > max {
            return Err(GlError::InvalidArgument {
                operation: "Texture::new_rgba8",
                message: format!(
                    "size {width}x{height} must be between 1 and GL_MAX_TEXTURE_SIZE ({max})"
                ),
            });
        }
        let expected = rgba8_len(width, height);
        if expected != Some(pixels.len()) {
            return Err(GlError::InvalidArgument {
                operation: "Texture::new_rgba8",
                message: format!(
                    "{} bytes given for {width}x{height} RGBA8 pixels, which need {}",
                    pixels.len(),
                    expected.map_or_else(|| "more than usize::MAX".to_owned(), |n| n.to_string())
                ),
            });
        }
        let raw = create_2d(&gl, (width, height), filter, Some(pixels))?;
        // SAFETY: a plain query on the current context.
        let max_units = unsafe { gl.get_parameter_i32(glow::MAX_COMBINED_TEXTURE_IMAGE_UNITS) };
        let texture = Texture {
            gl,
            raw,
            width,
            height,
            max_units: max_units.max(0) as u32,
            alpha: AlphaMode::Straight,
        };
        // Dropping `texture` on error deletes it.
        check_gl(&texture.gl, "Texture::new_rgba8")?;
        Ok(texture)
    }

    /// Binds the texture to `GL_TEXTURE_2D` of texture unit `unit` (`GL_TEXTURE0 + unit`).
    ///
    /// Fails with [`GlError::InvalidArgument`] when `unit` is not below
    /// `GL_MAX_COMBINED_TEXTURE_IMAGE_UNITS`.
    ///
    /// GL state touched: the active texture unit becomes `unit` and its `GL_TEXTURE_2D`
    /// binding this texture, both left changed.
    pub fn bind(&self, unit: u32) -> Result<(), GlError> {
        let units = self.max_units;
        if unit >= units {
            return Err(GlError::InvalidArgument {
                operation: "Texture::bind",
                message: format!(
                    "unit {unit} is not below GL_MAX_COMBINED_TEXTURE_IMAGE_UNITS ({units})"
                ),
            });
        }
        // SAFETY: a valid unit (checked) and a texture of this context, which is current.
        unsafe {
            self.gl.active_texture(glow::TEXTURE0 + unit);
            self.gl.bind_texture(glow::TEXTURE_2D, Some(self.raw));
        }
        Ok(())
    }

    /// The size in pixels, `(width, height)`.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// What its texels' colour channels hold: [`AlphaMode::Straight`] for pixels uploaded
    /// as given ([`new_rgba8`](Self::new_rgba8)), [`AlphaMode::Premultiplied`] for an atlas
    /// ([`AtlasBuilder`](super::AtlasBuilder) premultiplies by default).
    pub fn alpha(&self) -> AlphaMode {
        self.alpha
    }

    /// The same texture, marked as holding `alpha` texels: for pixels the caller has
    /// premultiplied. Changes nothing in GL.
    pub fn with_alpha(mut self, alpha: AlphaMode) -> Texture {
        self.alpha = alpha;
        self
    }

    /// The GL texture name, for attaching it to a framebuffer or other raw GL use.
    pub fn raw(&self) -> glow::Texture {
        self.raw
    }

    /// The context this texture belongs to.
    pub fn gl(&self) -> &Arc<glow::Context> {
        &self.gl
    }
}

impl Drop for Texture {
    fn drop(&mut self) {
        // SAFETY: the texture belongs to this context, which must be current (type docs).
        unsafe { self.gl.delete_texture(self.raw) };
    }
}

/// A new RGBA8 2D texture of `width` × `height` texels, one level, clamped to its edges and
/// sampled by `filter`, filled from `texels` (4 bytes a texel), or left to GL's zeros when
/// `texels` is `None`. Checks nothing of GL's errors: the caller does, and deletes the
/// texture on one.
///
/// Fails with [`GlError::InvalidArgument`] when `texels` is not exactly the texture's
/// bytes, and with [`GlError::Create`].
///
/// GL state touched: none left changed (the `GL_TEXTURE_2D` binding of the active unit,
/// the pixel-unpack buffer binding and unpack pixel-store state are restored).
pub(super) fn create_2d(
    gl: &glow::Context,
    (width, height): (u32, u32),
    filter: TextureFilter,
    texels: Option<&[u8]>,
) -> Result<glow::Texture, GlError> {
    let expected = (width as usize * height as usize).checked_mul(4);
    if let Some(texels) = texels.filter(|t| expected != Some(t.len())) {
        return Err(GlError::InvalidArgument {
            operation: "create_2d",
            message: format!("{} bytes given for {width}x{height} texels", texels.len()),
        });
    }
    // SAFETY: creating and filling a texture on the current context. `texels`, when
    // given, holds exactly the texture's bytes (checked above) and unpacking reads them
    // back to back with no unpack buffer bound (`with_byte_unpacking`), so GL reads
    // exactly that slice; `None` has GL allocate zeroed storage and read nothing.
    unsafe {
        let raw = gl.create_texture().map_err(|message| GlError::Create {
            object: "texture",
            message,
        })?;
        with_bound(gl, raw, || {
            for (param, value) in [
                (glow::TEXTURE_MIN_FILTER, filter.gl()),
                (glow::TEXTURE_MAG_FILTER, filter.gl()),
                (glow::TEXTURE_WRAP_S, glow::CLAMP_TO_EDGE as i32),
                (glow::TEXTURE_WRAP_T, glow::CLAMP_TO_EDGE as i32),
                (glow::TEXTURE_MAX_LEVEL, 0),
            ] {
                gl.tex_parameter_i32(glow::TEXTURE_2D, param, value);
            }
            with_byte_unpacking(gl, || {
                gl.tex_image_2d(
                    glow::TEXTURE_2D,
                    0,
                    glow::RGBA8 as i32,
                    width as i32,
                    height as i32,
                    0,
                    glow::RGBA,
                    glow::UNSIGNED_BYTE,
                    glow::PixelUnpackData::Slice(texels),
                )
            });
        });
        Ok(raw)
    }
}

/// Writes `texels` (`width * height` RGBA texels, 4 bytes each, row after row) at texel
/// `(x, y)` of `raw`, a texture of `size` texels, with
/// `glTexSubImage2D`.
///
/// Fails with [`GlError::InvalidArgument`] when the rectangle leaves the texture or the
/// length is wrong (nothing written), and with GL's error.
///
/// GL state touched: none left changed (as [`create_2d`]).
pub(super) fn write_2d(
    gl: &glow::Context,
    (raw, size): (glow::Texture, (u32, u32)),
    (x, y): (u32, u32),
    (width, height): (u32, u32),
    texels: &[u8],
    operation: &'static str,
) -> Result<(), GlError> {
    let (tw, th) = size;
    let inside = u64::from(x) + u64::from(width) <= u64::from(tw)
        && u64::from(y) + u64::from(height) <= u64::from(th);
    if !inside || texels.len() != width as usize * height as usize * 4 {
        return Err(GlError::InvalidArgument {
            operation,
            message: format!(
                "{} bytes for {width}x{height} texels at ({x}, {y}) of a {tw}x{th} texture",
                texels.len()
            ),
        });
    }
    if width == 0 || height == 0 {
        return Ok(());
    }
    with_bound(gl, raw, || {
        // SAFETY: `texels` holds exactly the rectangle's bytes (checked) and unpacking
        // reads them back to back with no unpack buffer (`with_byte_unpacking`), so GL
        // reads exactly that slice, into a rectangle inside the bound texture (checked).
        with_byte_unpacking(gl, || unsafe {
            gl.tex_sub_image_2d(
                glow::TEXTURE_2D,
                0,
                x as i32,
                y as i32,
                width as i32,
                height as i32,
                glow::RGBA,
                glow::UNSIGNED_BYTE,
                glow::PixelUnpackData::Slice(Some(texels)),
            )
        })
    });
    inject(gl, Site::Texture);
    check_gl(gl, operation)
}

/// Runs `f` with `raw` bound to `GL_TEXTURE_2D` of the active unit, then binds back what
/// was bound there.
pub(super) fn with_bound<R>(gl: &glow::Context, raw: glow::Texture, f: impl FnOnce() -> R) -> R {
    // SAFETY: a query and bindings of a texture of the current context (`raw`, or the one
    // that was bound); the previous binding is restored.
    unsafe {
        let previous = bindings::texture_2d(gl);
        gl.bind_texture(glow::TEXTURE_2D, Some(raw));
        let result = f();
        gl.bind_texture(glow::TEXTURE_2D, previous);
        result
    }
}

/// `GL_MAX_TEXTURE_SIZE` of the current context.
pub(crate) fn max_texture_size(gl: &glow::Context) -> u32 {
    // SAFETY: a plain query on the current context.
    unsafe { gl.get_parameter_i32(glow::MAX_TEXTURE_SIZE) }.max(0) as u32
}
