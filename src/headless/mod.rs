//! [`HeadlessContext`]: a real GL context with no display server, for this crate's tests and
//! for users' CI: natively through EGL's device platform (glutin, EGL only), in the browser
//! a WebGL2 context on a canvas of its own.
//!
//! The native recipe: enumerate the EGL devices (`EGL_EXT_device_enumeration`), prefer Mesa's
//! software device (`EGL_MESA_device_software`, llvmpipe) and fall back to the others in
//! order, open an EGL display on it (`EGL_EXT_platform_device`), pick a config with no surface
//! type (a device display has no window or pbuffer configs to offer), create a desktop core 3.3
//! or GLES 3.0 context and make it current *surfaceless* (`EGL_KHR_surfaceless_context`).
//! There is no default framebuffer: render into a framebuffer object, for example a
//! [`RenderTarget`](crate::backend::RenderTarget).
//!
//! In the browser, the context is a WebGL2 context of a canvas created for it (not attached
//! to the page); the same tests run on it through `wasm-bindgen-test` in headless Chromium.
//! Dropping it loses the context (`WEBGL_lose_context`), so that a long test run does not
//! reach the browser's limit on live WebGL contexts.
//!
//! GL state touched: creating a context makes it current on the calling thread (replacing
//! whatever context was current there); dropping it releases it if it is still current.

/// What to install when no usable EGL is found; part of every context-creation error.
pub const INSTALL_HINT: &str = "a headless GL context needs libEGL with Mesa's EGL device \
    platform: on Debian/Ubuntu install `libegl1 libgl1-mesa-dri` (apt-get install libegl1 \
    libgl1-mesa-dri); on Fedora `mesa-libEGL mesa-dri-drivers`";

/// Which GL API a [`HeadlessContext`] speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeadlessApi {
    /// Desktop OpenGL, core profile, version 3.3 requested (Mesa's llvmpipe answers 4.5).
    GlCore,
    /// OpenGL ES, version 3.0 requested (Mesa's llvmpipe answers 3.2).
    Gles3,
    /// WebGL2, in the browser: the only API there.
    #[cfg(target_arch = "wasm32")]
    WebGl2,
}

/// What the browser needs when no WebGL2 context can be made; part of every
/// context-creation error in the browser.
pub const WEB_INSTALL_HINT: &str = "a WebGL2 context needs a browser with WebGL2: run the     tests with wasm-bindgen-test-runner in a Chromium with WebGL2 (on a machine with no GPU,     Debian's `chromium` and `chromium-driver` with `--enable-unsafe-swiftshader`, as     `.ci/web-test.sh` runs them)";

#[cfg(not(target_arch = "wasm32"))]
mod egl;
#[cfg(not(target_arch = "wasm32"))]
pub use egl::HeadlessContext;

#[cfg(target_arch = "wasm32")]
mod canvas;
#[cfg(target_arch = "wasm32")]
pub use canvas::HeadlessContext;
