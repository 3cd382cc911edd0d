//! [`RenderTarget`]: an offscreen framebuffer object with one RGBA8 colour renderbuffer (no
//! depth or stencil), the place a headless context draws into and reads pixels back from.
//!
//! GL state touched: see each method. Creation restores every binding it changes.

use std::sync::Arc;

use glow::HasContext;

use super::bindings;

use super::pixels::{rgba8_len, with_tight_packing};
use super::{check_gl, GlError};

/// An offscreen RGBA8 framebuffer of a fixed size.
///
/// It owns a GL framebuffer and renderbuffer and deletes them when dropped. The context it
/// was made with must be current on this thread whenever it is used or dropped (see
/// [`crate::backend`]). Like glow's context it is `Send` natively: it may move to another
/// thread, and be used there while the context is current there.
#[derive(Debug)]
pub struct RenderTarget {
    gl: Arc<glow::Context>,
    framebuffer: glow::Framebuffer,
    color: glow::Renderbuffer,
    width: u32,
    height: u32,
}

impl RenderTarget {
    /// Creates a `width` × `height` framebuffer with an RGBA8 colour renderbuffer.
    ///
    /// Fails with [`GlError::InvalidArgument`] for a zero size or one over
    /// `GL_MAX_RENDERBUFFER_SIZE`, with [`GlError::Create`] if GL cannot make the objects or
    /// the framebuffer is incomplete, and with [`GlError::Call`] on a GL error (such as
    /// `GL_OUT_OF_MEMORY`). Nothing is leaked on failure.
    ///
    /// GL state touched: none left changed (the framebuffer and renderbuffer bindings are
    /// restored). The contents start undefined; clear them.
    pub fn new(gl: &Arc<glow::Context>, width: u32, height: u32) -> Result<RenderTarget, GlError> {
        let gl = Arc::clone(gl);
        // SAFETY: a plain query on the current context.
        let max = unsafe { gl.get_parameter_i32(glow::MAX_RENDERBUFFER_SIZE) }.max(0) as u32;
        if width == 0 || height == 0 || width > max || height > max {
            return Err(GlError::InvalidArgument {
                operation: "RenderTarget::new",
                message: format!(
                    "size {width}x{height} must be between 1 and GL_MAX_RENDERBUFFER_SIZE ({max})"
                ),
            });
        }
        let saved = SavedBindings::save(&gl);
        // SAFETY: object creation and binding on the current context; every object made is
        // either moved into the returned value or deleted below on failure.
        let result = unsafe { Self::create(&gl, width, height) };
        saved.restore(&gl);
        // A GL error (say GL_OUT_OF_MEMORY from the storage) explains an incomplete
        // framebuffer better than the status does, and must not stay queued.
        let (framebuffer, color) = match (result, check_gl(&gl, "RenderTarget::new")) {
            (Ok(objects), Ok(())) => objects,
            (Ok((framebuffer, color)), Err(err)) => {
                // SAFETY: both were just created on this current context and are unused.
                unsafe {
                    gl.delete_framebuffer(framebuffer);
                    gl.delete_renderbuffer(color);
                }
                return Err(err);
            }
            (Err(_), Err(err)) | (Err(err), Ok(())) => return Err(err),
        };
        Ok(RenderTarget {
            gl,
            framebuffer,
            color,
            width,
            height,
        })
    }

    /// Makes the framebuffer and renderbuffer; on failure deletes what it made.
    ///
    /// # Safety
    /// The context must be current; width and height must be valid renderbuffer sizes.
    unsafe fn create(
        gl: &glow::Context,
        width: u32,
        height: u32,
    ) -> Result<(glow::Framebuffer, glow::Renderbuffer), GlError> {
        // SAFETY: forwarded from the caller: the context is current.
        unsafe {
            let color = gl
                .create_renderbuffer()
                .map_err(|message| GlError::Create {
                    object: "renderbuffer",
                    message,
                })?;
            let framebuffer = match gl.create_framebuffer() {
                Ok(fb) => fb,
                Err(message) => {
                    gl.delete_renderbuffer(color);
                    return Err(GlError::Create {
                        object: "framebuffer",
                        message,
                    });
                }
            };
            gl.bind_renderbuffer(glow::RENDERBUFFER, Some(color));
            gl.renderbuffer_storage(glow::RENDERBUFFER, glow::RGBA8, width as i32, height as i32);
            gl.bind_framebuffer(glow::FRAMEBUFFER, Some(framebuffer));
            gl.framebuffer_renderbuffer(
                glow::FRAMEBUFFER,
                glow::COLOR_ATTACHMENT0,
                glow::RENDERBUFFER,
                Some(color),
            );
            let status = gl.check_framebuffer_status(glow::FRAMEBUFFER);
            if status != glow::FRAMEBUFFER_COMPLETE {
                gl.delete_framebuffer(framebuffer);
                gl.delete_renderbuffer(color);
                return Err(GlError::Create {
                    object: "framebuffer",
                    message: format!("incomplete framebuffer (status 0x{status:04X})"),
                });
            }
            Ok((framebuffer, color))
        }
    }

    /// Binds the framebuffer for drawing and reading (`GL_FRAMEBUFFER`, i.e. both
    /// `GL_DRAW_FRAMEBUFFER` and `GL_READ_FRAMEBUFFER`) and sets the viewport to cover it.
    ///
    /// GL state touched: both framebuffer bindings and the viewport, left changed.
    pub fn bind(&self) {
        // SAFETY: binding an object of this context, which the caller keeps current.
        unsafe {
            self.gl
                .bind_framebuffer(glow::FRAMEBUFFER, Some(self.framebuffer));
            self.gl
                .viewport(0, 0, self.width as i32, self.height as i32);
        }
    }

    /// Binds framebuffer 0 for drawing and reading (the default framebuffer, which a
    /// surfaceless headless context does not have). The viewport is left as it is.
    ///
    /// GL state touched: both framebuffer bindings.
    pub fn unbind(&self) {
        // SAFETY: binding framebuffer 0 is always valid.
        unsafe { self.gl.bind_framebuffer(glow::FRAMEBUFFER, None) };
    }

    /// Binds this target (as [`RenderTarget::bind`]) and clears it to `rgba`.
    ///
    /// GL state touched: both framebuffer bindings and the viewport (left changed), the clear
    /// colour (restored); the scissor test is disabled for the clear and restored.
    pub fn clear(&self, rgba: [f32; 4]) -> Result<(), GlError> {
        self.bind();
        let gl = &self.gl;
        // SAFETY: state queries and a clear on the current context; state is restored.
        unsafe {
            let mut saved = [0.0f32; 4];
            gl.get_parameter_f32_slice(glow::COLOR_CLEAR_VALUE, &mut saved);
            let scissor = gl.is_enabled(glow::SCISSOR_TEST);
            if scissor {
                gl.disable(glow::SCISSOR_TEST);
            }
            gl.clear_color(rgba[0], rgba[1], rgba[2], rgba[3]);
            gl.clear(glow::COLOR_BUFFER_BIT);
            gl.clear_color(saved[0], saved[1], saved[2], saved[3]);
            if scissor {
                gl.enable(glow::SCISSOR_TEST);
            }
        }
        check_gl(gl, "RenderTarget::clear")
    }

    /// Reads the whole colour buffer back as RGBA8: `width * height * 4` bytes, rows
    /// **bottom-up** as GL stores them (the first row is `y = 0`, the bottom of the image),
    /// each row left to right. Flip the rows to write a top-down image file.
    ///
    /// This waits for all drawing into the target to finish.
    ///
    /// GL state touched: none left changed (the read-framebuffer binding, pixel-pack buffer
    /// binding and pack pixel-store state are restored).
    pub fn read_pixels(&self) -> Result<Vec<u8>, GlError> {
        // Width and height are at most GL_MAX_RENDERBUFFER_SIZE (checked in `new`), far
        // below overflow; `rgba8_len` checks anyway.
        let len = rgba8_len(self.width, self.height).ok_or(GlError::InvalidArgument {
            operation: "RenderTarget::read_pixels",
            message: "the pixel count overflows usize".to_owned(),
        })?;
        let mut pixels = vec![0u8; len];
        let gl = &self.gl;
        // SAFETY: the read framebuffer is this complete RGBA8 target; with tight packing and
        // no pack buffer bound (ensured by `with_tight_packing`), GL writes exactly
        // `width * height * 4` bytes, the length of `pixels`. The binding is restored.
        unsafe {
            let previous = bindings::framebuffer(gl, glow::READ_FRAMEBUFFER_BINDING);
            gl.bind_framebuffer(glow::READ_FRAMEBUFFER, Some(self.framebuffer));
            with_tight_packing(gl, || {
                gl.read_pixels(
                    0,
                    0,
                    self.width as i32,
                    self.height as i32,
                    glow::RGBA,
                    glow::UNSIGNED_BYTE,
                    glow::PixelPackData::Slice(Some(&mut pixels)),
                )
            });
            gl.bind_framebuffer(glow::READ_FRAMEBUFFER, previous);
        }
        check_gl(gl, "RenderTarget::read_pixels")?;
        Ok(pixels)
    }

    /// The size in pixels, `(width, height)`.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// The GL framebuffer name, for attaching more or blitting.
    pub fn raw(&self) -> glow::Framebuffer {
        self.framebuffer
    }

    /// The context this target belongs to.
    pub fn gl(&self) -> &Arc<glow::Context> {
        &self.gl
    }
}

impl Drop for RenderTarget {
    fn drop(&mut self) {
        // SAFETY: both objects belong to this context, which must be current (type docs).
        // Deleting a bound framebuffer rebinds framebuffer 0, as GL specifies.
        unsafe {
            self.gl.delete_framebuffer(self.framebuffer);
            self.gl.delete_renderbuffer(self.color);
        }
    }
}

/// The framebuffer and renderbuffer bindings, saved around creation.
struct SavedBindings {
    draw: Option<glow::Framebuffer>,
    read: Option<glow::Framebuffer>,
    renderbuffer: Option<glow::Renderbuffer>,
}

impl SavedBindings {
    fn save(gl: &glow::Context) -> SavedBindings {
        SavedBindings {
            draw: bindings::framebuffer(gl, glow::DRAW_FRAMEBUFFER_BINDING),
            read: bindings::framebuffer(gl, glow::READ_FRAMEBUFFER_BINDING),
            renderbuffer: bindings::renderbuffer(gl),
        }
    }

    fn restore(&self, gl: &glow::Context) {
        // SAFETY: rebinding names that were bound before (or 0) on the current context.
        unsafe {
            gl.bind_framebuffer(glow::DRAW_FRAMEBUFFER, self.draw);
            gl.bind_framebuffer(glow::READ_FRAMEBUFFER, self.read);
            gl.bind_renderbuffer(glow::RENDERBUFFER, self.renderbuffer);
        }
    }
}
