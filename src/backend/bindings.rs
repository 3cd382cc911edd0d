//! Reading what is bound, so that a call can put back the bindings it changes.
//!
//! Natively each function asks GL (`glGetIntegerv` of the binding). In the browser glow
//! cannot answer when nothing is bound (it panics on WebGL's `null`), and it cannot name an
//! object it did not create, so these functions answer `None`: a call that saves and
//! restores a binding leaves it unbound in the browser. The crate binds what it draws with at
//! every draw, so this changes nothing for it; a game that relies on a binding across the
//! crate's calls in the browser binds it again.

/// The framebuffer bound to `pname` (`GL_DRAW_FRAMEBUFFER_BINDING` or
/// `GL_READ_FRAMEBUFFER_BINDING`); `None` in the browser.
pub(crate) fn framebuffer(gl: &glow::Context, pname: u32) -> Option<glow::Framebuffer> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use glow::HasContext;
        // SAFETY: a plain query on the current context.
        unsafe { gl.get_parameter_framebuffer(pname) }
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = (gl, pname);
        None
    }
}

/// The renderbuffer bound to `GL_RENDERBUFFER`; `None` in the browser.
pub(crate) fn renderbuffer(gl: &glow::Context) -> Option<glow::Renderbuffer> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use glow::HasContext;
        // SAFETY: a plain query on the current context.
        unsafe { gl.get_parameter_renderbuffer(glow::RENDERBUFFER_BINDING) }
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = gl;
        None
    }
}

/// The texture bound to `GL_TEXTURE_2D` of the active unit; `None` in the browser.
pub(crate) fn texture_2d(gl: &glow::Context) -> Option<glow::Texture> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use glow::HasContext;
        // SAFETY: a plain query on the current context.
        unsafe { gl.get_parameter_texture(glow::TEXTURE_BINDING_2D) }
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = gl;
        None
    }
}

/// The buffer bound to `pname` (such as `GL_PIXEL_UNPACK_BUFFER_BINDING`); `None` in the
/// browser.
pub(crate) fn buffer(gl: &glow::Context, pname: u32) -> Option<glow::Buffer> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use glow::HasContext;
        // SAFETY: a plain query on the current context.
        unsafe { gl.get_parameter_buffer(pname) }
    }
    #[cfg(target_arch = "wasm32")]
    {
        let _ = (gl, pname);
        None
    }
}
