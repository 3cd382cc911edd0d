//! [`UniformBuffer`]: a small uniform buffer bound to one binding point, which any number
//! of programs read through a uniform block of theirs
//! ([`Program::bind_uniform_block`](super::Program::bind_uniform_block)). Changing it once
//! changes what every such program sees: no uniform is pushed program by program.
//!
//! Each [`write`](UniformBuffer::write) respecifies the buffer's storage (`glBufferData`),
//! so a draw the GPU has queued keeps reading the old contents and the CPU never waits for
//! it.
//!
//! GL state touched: writes restore nothing but leave `GL_UNIFORM_BUFFER`'s generic binding
//! on this buffer; [`bind`](UniformBuffer::bind) sets the indexed binding of its binding
//! point.

use std::sync::Arc;

use glow::HasContext;

use super::fault::{inject, Site};
use super::{check_gl, GlError};

/// A uniform buffer of a few bytes for one binding point.
///
/// Owns its GL buffer and deletes it on drop: the context must be current then, as
/// whenever it is used.
#[derive(Debug)]
pub struct UniformBuffer {
    gl: Arc<glow::Context>,
    raw: glow::Buffer,
    binding: u32,
}

impl UniformBuffer {
    /// A buffer holding `bytes`, for binding point `binding`.
    pub fn new(gl: &Arc<glow::Context>, binding: u32, bytes: &[u8]) -> Result<Self, GlError> {
        // SAFETY: creating a buffer on the current context.
        let raw = unsafe { gl.create_buffer() }.map_err(|message| GlError::Create {
            object: "uniform buffer",
            message,
        })?;
        let buffer = UniformBuffer {
            gl: Arc::clone(gl),
            raw,
            binding,
        };
        buffer.write(bytes)?;
        Ok(buffer)
    }

    /// Replaces the contents with `bytes`, in new storage.
    pub fn write(&self, bytes: &[u8]) -> Result<(), GlError> {
        // SAFETY: a buffer of this context, which is current, filled from a slice GL
        // copies before the call returns.
        unsafe {
            self.gl.bind_buffer(glow::UNIFORM_BUFFER, Some(self.raw));
            (self.gl).buffer_data_u8_slice(glow::UNIFORM_BUFFER, bytes, glow::DYNAMIC_DRAW);
        }
        inject(&self.gl, Site::Flush);
        check_gl(&self.gl, "UniformBuffer::write")
    }

    /// Binds the buffer to its binding point (`glBindBufferBase`).
    pub fn bind(&self) {
        // SAFETY: a buffer of this context, which is current; the binding point is below
        // the minimum every GL 3.1, GLES 3 and WebGL2 context offers (checked by its
        // owner's docs), or GL raises an error the caller's check reports.
        unsafe {
            (self.gl).bind_buffer_base(glow::UNIFORM_BUFFER, self.binding, Some(self.raw));
        }
    }

    /// The binding point.
    pub fn binding(&self) -> u32 {
        self.binding
    }
}

impl Drop for UniformBuffer {
    fn drop(&mut self) {
        // SAFETY: the buffer belongs to this context, which must be current (type docs).
        unsafe { self.gl.delete_buffer(self.raw) };
    }
}
