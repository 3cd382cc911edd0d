//! The browser's [`HeadlessContext`]: a WebGL2 context on a canvas of its own.

use std::fmt;
use std::sync::Arc;

use glow::HasContext;
use wasm_bindgen::JsCast;
use web_sys::{HtmlCanvasElement, WebGl2RenderingContext, WebglLoseContext};

use super::{HeadlessApi, WEB_INSTALL_HINT};
use crate::backend::{check_gl, Capabilities, GlError, MultiDraw};

/// A WebGL2 context on a canvas that is not part of the page, for tests in the browser.
///
/// # Rules
/// - GL objects made with [`HeadlessContext::gl`] must be dropped before it: dropping it
///   loses the context (`WEBGL_lose_context`), after which their names are gone.
/// - Draw into a framebuffer object, such as a
///   [`RenderTarget`](crate::backend::RenderTarget): the canvas is 1×1 and never shown.
pub struct HeadlessContext {
    gl: Arc<glow::Context>,
    multi_draw: MultiDraw,
    renderer: String,
    version: String,
    webgl: WebGl2RenderingContext,
    // Kept so that the canvas lives as long as its context.
    _canvas: HtmlCanvasElement,
}

impl HeadlessContext {
    /// Creates a WebGL2 context on a new canvas and loads glow and [`MultiDraw`]
    /// (`WEBGL_multi_draw` where the browser offers it).
    ///
    /// Fails with [`GlError::Unsupported`] for an API other than
    /// [`HeadlessApi::WebGl2`], and with [`GlError::Context`] naming what the browser needs
    /// ([`WEB_INSTALL_HINT`]) when it has no WebGL2.
    pub fn new(api: HeadlessApi) -> Result<HeadlessContext, GlError> {
        if api != HeadlessApi::WebGl2 {
            return Err(GlError::Unsupported(format!(
                "{api:?} is not available in the browser; ask for HeadlessApi::WebGl2"
            )));
        }
        let fail = |what: &str| GlError::Context(format!("{what}; {WEB_INSTALL_HINT}"));
        let document = web_sys::window()
            .and_then(|window| window.document())
            .ok_or_else(|| fail("no window or document"))?;
        let canvas: HtmlCanvasElement = document
            .create_element("canvas")
            .map_err(|_| fail("cannot create a canvas"))?
            .dyn_into()
            .map_err(|_| fail("a canvas element is not an HtmlCanvasElement"))?;
        canvas.set_width(1);
        canvas.set_height(1);
        let webgl: WebGl2RenderingContext = canvas
            .get_context("webgl2")
            .ok()
            .flatten()
            .ok_or_else(|| fail("the browser offers no WebGL2 context"))?
            .dyn_into()
            .map_err(|_| fail("the webgl2 context is not a WebGl2RenderingContext"))?;
        let gl = glow::Context::from_webgl2_context(webgl.clone());
        let multi_draw = MultiDraw::from_webgl2(&webgl);
        // SAFETY: plain string queries on this context (WebGL checks every call).
        let (renderer, version) = unsafe {
            (
                gl.get_parameter_string(glow::RENDERER),
                gl.get_parameter_string(glow::VERSION),
            )
        };
        check_gl(&gl, "HeadlessContext::new")?;
        Ok(HeadlessContext {
            gl: Arc::new(gl),
            multi_draw,
            renderer,
            version,
            webgl,
            _canvas: canvas,
        })
    }

    /// The glow context. GL-owning types clone the `Arc`.
    pub fn gl(&self) -> &Arc<glow::Context> {
        &self.gl
    }

    /// [`HeadlessApi::WebGl2`].
    pub fn api(&self) -> HeadlessApi {
        HeadlessApi::WebGl2
    }

    /// What this context offers the crate, and what it does instead of what the context
    /// lacks.
    pub fn capabilities(&self) -> Capabilities {
        Capabilities::of(&self.gl, &self.multi_draw)
    }

    /// The multi-draw of this context (a copy: constructors take it by value).
    pub fn multi_draw(&self) -> MultiDraw {
        self.multi_draw.clone()
    }

    /// The WebGL2 context itself, for what glow does not wrap.
    pub fn webgl(&self) -> &WebGl2RenderingContext {
        &self.webgl
    }

    /// `GL_RENDERER` as WebGL reports it, such as `WebKit WebGL`.
    pub fn renderer(&self) -> &str {
        &self.renderer
    }

    /// `GL_VERSION`, such as `WebGL 2.0 (OpenGL ES 3.0 Chromium)`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// `"WebGL2 canvas"`: a browser context has no device to name.
    pub fn device(&self) -> &str {
        "WebGL2 canvas"
    }

    /// Always `true`: a WebGL context is the current one for every call made on it.
    pub fn is_current(&self) -> bool {
        true
    }

    /// Does nothing: a WebGL context needs no making current.
    pub fn make_current(&self) -> Result<(), GlError> {
        Ok(())
    }
}

impl Drop for HeadlessContext {
    fn drop(&mut self) {
        // Lose the context now rather than at garbage collection, so that a test run's
        // contexts do not pile up past the browser's limit.
        if let Ok(Some(extension)) = self.webgl.get_extension("WEBGL_lose_context") {
            extension
                .unchecked_into::<WebglLoseContext>()
                .lose_context();
        }
    }
}

impl fmt::Debug for HeadlessContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeadlessContext")
            .field("api", &HeadlessApi::WebGl2)
            .field("renderer", &self.renderer)
            .field("version", &self.version)
            .field("multi_draw", &self.multi_draw)
            .finish_non_exhaustive()
    }
}
