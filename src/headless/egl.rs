//! The native [`HeadlessContext`]: EGL's device platform through glutin.

use std::ffi::{c_void, CStr};
use std::fmt;
use std::sync::Arc;

use glow::HasContext;
use glutin::api::egl::context::PossiblyCurrentContext;
use glutin::api::egl::device::Device;
use glutin::api::egl::display::Display;
use glutin::config::{Api, ConfigSurfaceTypes, ConfigTemplateBuilder};
use glutin::context::{ContextApi, ContextAttributesBuilder, GlProfile, Version};
use glutin::prelude::*;

use super::{HeadlessApi, INSTALL_HINT};
use crate::backend::{check_gl, Capabilities, GlError, MultiDraw};

/// A GL context with no window and no display server, current on the thread that created it.
///
/// It owns the glutin EGL context and display and the [`glow::Context`] loaded from them.
///
/// # Rules
/// - The context is made current on the creating thread by [`HeadlessContext::new`]. Creating
///   another context on the same thread makes that one current instead; call
///   [`HeadlessContext::make_current`] to switch back before using this one's GL objects.
/// - GL objects made with [`HeadlessContext::gl`] (buffers, programs, textures, render
///   targets of this crate, which hold an `Arc` of it) must be dropped **before** the
///   `HeadlessContext`, while it is current: once it is dropped, the GL context is destroyed
///   and their names are gone with it. Keep the context in a variable declared before them,
///   so that it drops after them.
/// - It is `!Send` (an EGL context is current per thread, and glutin's context handle is not
///   `Send`): make one per thread. Several contexts in one process, and one per test
///   thread, work. The GL objects made on it are `Send`, like glow's context, but may only be
///   used where the context is current.
///
/// ```compile_fail
/// fn assert_send<T: Send>() {}
/// assert_send::<vertex_domain::headless::HeadlessContext>();
/// ```
///
/// # Example
/// ```
/// use vertex_domain::backend::RenderTarget;
/// use vertex_domain::headless::{HeadlessApi, HeadlessContext};
///
/// let context = HeadlessContext::new(HeadlessApi::GlCore)?;
/// // GL objects are declared after the context, so they drop before it.
/// let target = RenderTarget::new(context.gl(), 4, 4)?;
/// target.clear([1.0, 0.0, 0.0, 1.0])?;
/// assert_eq!(&target.read_pixels()?[..4], &[255, 0, 0, 255]);
/// # Ok::<(), vertex_domain::backend::GlError>(())
/// ```
pub struct HeadlessContext {
    // Fields drop in declaration order: the glow handle and its loaded function pointers
    // first, then the EGL context (released in `Drop` first if current), then the display.
    gl: Arc<glow::Context>,
    multi_draw: MultiDraw,
    api: HeadlessApi,
    renderer: String,
    version: String,
    device: String,
    context: PossiblyCurrentContext,
    display: Display,
}

impl HeadlessContext {
    /// Creates a context of `api` on the first EGL device that can make one (Mesa's software
    /// device first), makes it current on this thread and loads glow and [`MultiDraw`].
    ///
    /// Fails with [`GlError::Context`] naming what to install ([`INSTALL_HINT`]) when libEGL
    /// is missing, has no device platform, no device, or no device can create the context.
    pub fn new(api: HeadlessApi) -> Result<HeadlessContext, GlError> {
        let devices: Vec<Device> = Device::query_devices()
            .map_err(|err| {
                GlError::Context(format!(
                    "cannot enumerate EGL devices ({err}); {INSTALL_HINT}"
                ))
            })?
            .collect();
        if devices.is_empty() {
            return Err(GlError::Context(format!(
                "EGL reports no devices; {INSTALL_HINT}"
            )));
        }
        // Stable partition: software devices first, then the rest in EGL's order.
        let mut ordered: Vec<&Device> = devices
            .iter()
            .filter(|d| is_software(d))
            .chain(devices.iter().filter(|d| !is_software(d)))
            .collect();
        ordered.dedup_by_key(|d| d.raw_device());

        let mut failures = Vec::new();
        for device in ordered {
            match Self::on_device(device, api) {
                Ok(context) => return Ok(context),
                Err(err) => failures.push(format!("{}: {err}", device_label(device))),
            }
        }
        Err(GlError::Context(format!(
            "no EGL device could create a {api:?} context ({}); {INSTALL_HINT}",
            failures.join("; ")
        )))
    }

    /// Creates the context on one device.
    fn on_device(device: &Device, api: HeadlessApi) -> Result<HeadlessContext, String> {
        // SAFETY: `None` is the only raw display handle passed, which `with_device` accepts
        // (the safety requirement concerns a provided DRM handle).
        let display = unsafe { Display::with_device(device, None) }
            .map_err(|err| format!("eglGetPlatformDisplay: {err}"))?;

        let (config_api, context_api, profile) = match api {
            HeadlessApi::GlCore => (
                Api::OPENGL,
                ContextApi::OpenGl(Some(Version::new(3, 3))),
                Some(GlProfile::Core),
            ),
            HeadlessApi::Gles3 => (Api::GLES3, ContextApi::Gles(Some(Version::new(3, 0))), None),
        };
        // A device display offers no window or pbuffer configs: ask for none.
        let template = ConfigTemplateBuilder::new()
            .with_surface_type(ConfigSurfaceTypes::empty())
            .with_api(config_api)
            .build();
        // SAFETY: the template names no native window.
        let config = unsafe { display.find_configs(template) }
            .map_err(|err| format!("eglChooseConfig: {err}"))?
            .next()
            .ok_or_else(|| format!("no EGL config supports {api:?} without surfaces"))?;

        let mut attributes = ContextAttributesBuilder::new().with_context_api(context_api);
        if let Some(profile) = profile {
            attributes = attributes.with_profile(profile);
        }
        let attributes = attributes.build(None);
        // SAFETY: `config` came from this display and the attributes name no window.
        let not_current = unsafe { display.create_context(&config, &attributes) }
            .map_err(|err| format!("eglCreateContext: {err}"))?;
        let context = not_current
            .make_current_surfaceless()
            .map_err(|err| format!("eglMakeCurrent (surfaceless): {err}"))?;

        // SAFETY: the context is current on this thread (just made so), and the loader is
        // this display's eglGetProcAddress, so every loaded pointer belongs to it.
        let gl = unsafe {
            glow::Context::from_loader_function_cstr(|name| display.get_proc_address(name))
        };
        // SAFETY: the same loader, for the same current context.
        let multi_draw = unsafe { MultiDraw::load(&gl, |name| display.get_proc_address(name)) };
        // SAFETY: plain string queries on the current context.
        let (renderer, version) = unsafe {
            (
                gl.get_parameter_string(glow::RENDERER),
                gl.get_parameter_string(glow::VERSION),
            )
        };
        check_gl(&gl, "HeadlessContext::new").map_err(|err| err.to_string())?;

        Ok(HeadlessContext {
            gl: Arc::new(gl),
            multi_draw,
            api,
            renderer,
            version,
            device: device_label(device),
            context,
            display,
        })
    }

    /// The glow context. GL-owning types clone the `Arc`; see the type's rules for when it
    /// may be used.
    pub fn gl(&self) -> &Arc<glow::Context> {
        &self.gl
    }

    /// The API this context was created for.
    pub fn api(&self) -> HeadlessApi {
        self.api
    }

    /// Looks up a GL function by name through `eglGetProcAddress`: the loader glow was built
    /// from. The pointer may be non-null even for functions the context does not support;
    /// check the version or extensions first.
    pub fn get_proc_address(&self, name: &CStr) -> *const c_void {
        self.display.get_proc_address(name)
    }

    /// What this context offers the crate, and what it does instead of what the context
    /// lacks.
    pub fn capabilities(&self) -> Capabilities {
        Capabilities::of(&self.gl, &self.multi_draw)
    }

    /// The multi-draw entry points loaded for this context (a copy: constructors take it by
    /// value).
    pub fn multi_draw(&self) -> MultiDraw {
        self.multi_draw.clone()
    }

    /// `GL_RENDERER`, such as `llvmpipe (LLVM 15.0.6, 256 bits)`.
    pub fn renderer(&self) -> &str {
        &self.renderer
    }

    /// `GL_VERSION`, such as `4.5 (Core Profile) Mesa 22.3.6` or `OpenGL ES 3.2 Mesa 22.3.6`.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The EGL device the context runs on: its name and vendor when EGL reports them.
    pub fn device(&self) -> &str {
        &self.device
    }

    /// Whether this context is current on the calling thread.
    pub fn is_current(&self) -> bool {
        self.context.is_current()
    }

    /// Makes this context current on the calling thread again (after another context was
    /// made current there).
    pub fn make_current(&self) -> Result<(), GlError> {
        self.context
            .make_current_surfaceless()
            .map_err(|err| GlError::Context(format!("eglMakeCurrent (surfaceless): {err}")))
    }
}

impl Drop for HeadlessContext {
    fn drop(&mut self) {
        // Release the context if it is current here, so that eglDestroyContext (run when
        // `context` drops) frees it now instead of when the thread next switches contexts.
        if self.context.is_current() {
            // Nothing useful can be done on failure in Drop; the context is destroyed anyway.
            let _ = self.context.make_not_current_in_place();
        }
    }
}

impl fmt::Debug for HeadlessContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HeadlessContext")
            .field("api", &self.api)
            .field("device", &self.device)
            .field("renderer", &self.renderer)
            .field("version", &self.version)
            .field("multi_draw", &self.multi_draw)
            .finish_non_exhaustive()
    }
}

/// Whether `device` is Mesa's software rasteriser.
fn is_software(device: &Device) -> bool {
    device.extensions().contains("EGL_MESA_device_software")
}

/// A human-readable name for `device`: its vendor and name where EGL reports them
/// (`EGL_EXT_device_query_name`), its DRM render node, or the kind of device.
fn device_label(device: &Device) -> String {
    let kind = if is_software(device) {
        "software rasteriser (EGL_MESA_device_software)".to_owned()
    } else if let Some(node) = device.drm_render_device_node_path() {
        format!("DRM device {}", node.display())
    } else {
        format!("EGL device {:p}", device.raw_device())
    };
    match (device.vendor(), device.name()) {
        (Some(vendor), Some(name)) => format!("{vendor} {name}, {kind}"),
        (None, Some(name)) => format!("{name}, {kind}"),
        _ => kind,
    }
}
