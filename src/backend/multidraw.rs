//! [`MultiDraw`]: the `glMultiDrawArrays`/`glMultiDrawElements` entry points that glow
//! does not expose, loaded through the same loader that built the glow context (natively) or
//! taken from WebGL2's `WEBGL_multi_draw` extension (in the browser), with a loop of single
//! draws as the fallback where the context has no multi-draw (GLES 3.0 without
//! `GL_EXT_multi_draw_arrays`, WebGL2 without the extension).
//!
//! GL state touched by the draws: none is changed. They read the bound program, vertex array,
//! element array buffer (for [`MultiDraw::draw_elements`]) and framebuffer, and raise GL
//! errors that are checked and returned.
//!
//! The draws are `unsafe`: GL does not bounds-check the vertices or indices a draw reads
//! (robust buffer access is optional), so the caller promises that every range lies inside
//! the bound buffers. The domains keep that promise by construction: their ranges come from
//! an allocator whose capacity every buffer holds.
//!
//! ```compile_fail
//! # fn draw(md: vertex_domain::backend::MultiDraw, gl: &glow::Context) {
//! // Refused: GL would read whatever lies at vertices 0..3 of the bound buffers.
//! md.draw_arrays(gl, glow::TRIANGLES, &[0], &[3]);
//! # }
//! ```

use std::ffi::{c_void, CStr};

use glow::HasContext;

use super::fault::{inject, Site};
use super::{validate_clean, validate_gl, GlError};

/// `void glMultiDrawArrays(GLenum mode, const GLint *first, const GLsizei *count, GLsizei drawcount)`.
type MultiDrawArraysFn =
    unsafe extern "system" fn(mode: u32, first: *const i32, count: *const i32, drawcount: i32);

/// `void glMultiDrawElements(GLenum mode, const GLsizei *count, GLenum type, const void *const *indices, GLsizei drawcount)`.
type MultiDrawElementsFn = unsafe extern "system" fn(
    mode: u32,
    count: *const i32,
    index_type: u32,
    indices: *const *const c_void,
    drawcount: i32,
);

/// `void glMultiDrawArraysIndirect(GLenum mode, const void *indirect, GLsizei drawcount, GLsizei stride)`.
type MultiDrawArraysIndirectFn =
    unsafe extern "system" fn(mode: u32, indirect: *const c_void, drawcount: i32, stride: i32);

/// `void glMultiDrawElementsIndirect(GLenum mode, GLenum type, const void *indirect, GLsizei drawcount, GLsizei stride)`.
type MultiDrawElementsIndirectFn = unsafe extern "system" fn(
    mode: u32,
    index_type: u32,
    indirect: *const c_void,
    drawcount: i32,
    stride: i32,
);

/// How an instanced domain draws its meshes' instances, each mesh's being a contiguous run of
/// instance slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstanceDraw {
    /// One `glDrawArraysInstancedBaseInstance` / `glDrawElementsInstancedBaseVertexBaseInstance`
    /// per mesh (GL 4.2 or `GL_ARB_base_instance`).
    BaseInstance,
    /// One `glMultiDrawArraysIndirect` / `glMultiDrawElementsIndirect` for the whole domain,
    /// from a buffer of draw commands rewritten when instance counts change (GL 4.3).
    MultiDrawIndirect,
    /// Per mesh, the instance attributes are pointed at its run and one
    /// `glDrawArraysInstanced` / `glDrawElementsInstanced` draws it: every context with
    /// instancing has this (GLES 3.0, WebGL2), at a few `glVertexAttribPointer` calls per mesh.
    Repoint,
}

/// The multi-draw entry points of one GL context, or the single-draw fallback.
///
/// Load it once per context with [`MultiDraw::load`] natively, or
/// `MultiDraw::from_webgl2` in the browser (the `headless` feature's `HeadlessContext`
/// does this for you), and use it only with that context, current on the calling thread.
/// (On Mesa and most drivers the pointers are the same for every context of one API, but GL
/// does not promise that.) [`MultiDraw::default`] is the single-draw fallback, right for any
/// context.
#[derive(Clone, Default)]
pub struct MultiDraw {
    arrays: Option<MultiDrawArraysFn>,
    elements: Option<MultiDrawElementsFn>,
    arrays_indirect: Option<MultiDrawArraysIndirectFn>,
    elements_indirect: Option<MultiDrawElementsIndirectFn>,
    base_instance: bool,
    /// WebGL2's `WEBGL_multi_draw`, where the browser offers it.
    #[cfg(target_arch = "wasm32")]
    web: Option<web_sys::WebglMultiDraw>,
}

impl MultiDraw {
    /// Loads the multi-draw entry points of the current context `gl` through `loader`, which
    /// must be the loader `gl` was built from (for example `eglGetProcAddress`).
    ///
    /// Which names are loaded is decided by version and extension, not by a non-null answer
    /// alone, because `eglGetProcAddress` may return a stub for a function the context does
    /// not support:
    /// - desktop GL 1.4 and later (every core profile): `glMultiDrawArrays`,
    ///   `glMultiDrawElements`;
    /// - OpenGL ES: `glMultiDrawArraysEXT`, `glMultiDrawElementsEXT`, only when
    ///   `GL_EXT_multi_draw_arrays` is in the extension list.
    ///
    /// Whatever is not available (or loads as null) falls back to single draws.
    ///
    /// For instanced domains it also notes base instance (desktop GL 4.2 or
    /// `GL_ARB_base_instance`) and loads `glMultiDrawArraysIndirect` and
    /// `glMultiDrawElementsIndirect` (desktop GL 4.3); see [`InstanceDraw`].
    ///
    /// GL state touched: none (it reads the version and extension list glow cached).
    ///
    /// # Safety
    /// `loader` must return, for each name, null or the address of that GL function of
    /// `gl`'s context (as the context's own `GetProcAddress` does), and the returned value
    /// may only be used with that context: the domains call the loaded pointers from safe
    /// code.
    pub unsafe fn load(
        gl: &glow::Context,
        mut loader: impl FnMut(&CStr) -> *const c_void,
    ) -> MultiDraw {
        let version = gl.version();
        let desktop = |major: u32, minor: u32| {
            !version.is_embedded && (version.major, version.minor) >= (major, minor)
        };
        let extensions = gl.supported_extensions();
        let names: Option<(&CStr, &CStr)> = if version.is_embedded {
            extensions
                .contains("GL_EXT_multi_draw_arrays")
                .then_some((c"glMultiDrawArraysEXT", c"glMultiDrawElementsEXT"))
        } else {
            desktop(1, 4).then_some((c"glMultiDrawArrays", c"glMultiDrawElements"))
        };
        let mut multi_draw = MultiDraw::single_draws();
        if let Some((arrays_name, elements_name)) = names {
            let arrays = loader(arrays_name);
            let elements = loader(elements_name);
            multi_draw.arrays = (!arrays.is_null()).then(|| {
                // SAFETY: a non-null pointer that the context's loader returned for
                // glMultiDrawArrays(EXT) (this function's contract), which the
                // version/extension check above says the context supports; its C signature
                // is exactly `MultiDrawArraysFn`.
                unsafe { std::mem::transmute::<*const c_void, MultiDrawArraysFn>(arrays) }
            });
            multi_draw.elements = (!elements.is_null()).then(|| {
                // SAFETY: as above, for glMultiDrawElements(EXT) and `MultiDrawElementsFn`.
                unsafe { std::mem::transmute::<*const c_void, MultiDrawElementsFn>(elements) }
            });
        }
        multi_draw.base_instance = desktop(4, 2) || extensions.contains("GL_ARB_base_instance");
        if desktop(4, 3) {
            let arrays = loader(c"glMultiDrawArraysIndirect");
            let elements = loader(c"glMultiDrawElementsIndirect");
            if !arrays.is_null() && !elements.is_null() {
                // SAFETY: non-null pointers the context's loader returned for these GL 4.3
                // functions, which the version check says the context has; their C
                // signatures are exactly the two function types.
                unsafe {
                    multi_draw.arrays_indirect = Some(std::mem::transmute::<
                        *const c_void,
                        MultiDrawArraysIndirectFn,
                    >(arrays));
                    multi_draw.elements_indirect = Some(std::mem::transmute::<
                        *const c_void,
                        MultiDrawElementsIndirectFn,
                    >(elements));
                }
            }
        }
        multi_draw
    }

    /// The multi-draw of a WebGL2 context: `WEBGL_multi_draw` where the browser offers it
    /// (one `multiDrawArraysWEBGL` / `multiDrawElementsWEBGL` per domain), single draws
    /// where it does not. WebGL2 has no base instance here (the
    /// `WEBGL_draw_instanced_base_vertex_base_instance` draft is not used), so instanced
    /// domains draw by [`InstanceDraw::Repoint`].
    ///
    /// GL state touched: none (enabling an extension changes no drawing state).
    #[cfg(target_arch = "wasm32")]
    pub fn from_webgl2(webgl: &web_sys::WebGl2RenderingContext) -> MultiDraw {
        use wasm_bindgen::JsCast;
        let web = webgl
            .get_extension("WEBGL_multi_draw")
            .ok()
            .flatten()
            .map(|extension| extension.unchecked_into::<web_sys::WebglMultiDraw>());
        MultiDraw {
            web,
            ..MultiDraw::single_draws()
        }
    }

    /// A `MultiDraw` that always issues one `glDrawArrays`/`glDrawElements` per range: the
    /// path of GLES 3.0 and of WebGL2 without `WEBGL_multi_draw`, and a way to test that
    /// path on any context.
    pub fn single_draws() -> MultiDraw {
        MultiDraw::default()
    }

    /// This `MultiDraw` without base instance or indirect multi-draw, so that instanced
    /// domains draw by [`InstanceDraw::Repoint`] as on GLES 3: a way to test that path on
    /// any context.
    pub fn without_base_instance(self) -> MultiDraw {
        MultiDraw {
            arrays_indirect: None,
            elements_indirect: None,
            base_instance: false,
            ..self
        }
    }

    /// Whether this context can draw instances by `path`.
    pub fn supports(&self, path: InstanceDraw) -> bool {
        match path {
            InstanceDraw::BaseInstance => self.base_instance,
            InstanceDraw::MultiDrawIndirect => {
                self.arrays_indirect.is_some() && self.elements_indirect.is_some()
            }
            InstanceDraw::Repoint => true,
        }
    }

    /// The path instanced domains take by default: base instance where the context has it
    /// (the fastest on llvmpipe, measured by `examples/instancing.rs --bench`), else
    /// re-pointing.
    pub fn instance_draw(&self) -> InstanceDraw {
        if self.base_instance {
            InstanceDraw::BaseInstance
        } else {
            InstanceDraw::Repoint
        }
    }

    /// Draws `drawcount` tightly packed commands from offset 0 of the bound
    /// `GL_DRAW_INDIRECT_BUFFER`: `DrawArraysIndirectCommand`s when `index_type` is `None`,
    /// else `DrawElementsIndirectCommand`s over the bound element buffer. Fails with
    /// [`GlError::InvalidArgument`] where the context has no indirect multi-draw.
    ///
    /// # Safety
    /// A draw indirect buffer holding `drawcount` commands must be bound, and every range and
    /// instance range the commands name must lie inside the bound vertex array's buffers.
    pub(crate) unsafe fn draw_indirect(
        &self,
        mode: u32,
        index_type: Option<u32>,
        drawcount: usize,
    ) -> Result<(), GlError> {
        let n = draw_count(drawcount, "MultiDraw::draw_indirect")?;
        let unsupported = || GlError::InvalidArgument {
            operation: "MultiDraw::draw_indirect",
            message: "this context has no glMultiDraw*Indirect".to_owned(),
        };
        match index_type {
            None => {
                let draw = self.arrays_indirect.ok_or_else(unsupported)?;
                // SAFETY: offset 0 into the bound indirect buffer, whose `n` commands lie
                // inside the bound buffers (this function's contract); the function was
                // loaded for this context.
                unsafe { draw(mode, std::ptr::null(), n, 0) };
            }
            Some(index_type) => {
                let draw = self.elements_indirect.ok_or_else(unsupported)?;
                // SAFETY: as above, with the bound element buffer.
                unsafe { draw(mode, index_type, std::ptr::null(), n, 0) };
            }
        }
        Ok(())
    }

    /// Whether [`MultiDraw::draw_arrays`] draws every range in one call: the driver's
    /// `glMultiDrawArrays`, or `multiDrawArraysWEBGL` in the browser.
    pub fn is_native_arrays(&self) -> bool {
        self.arrays.is_some() || self.has_web()
    }

    /// Whether [`MultiDraw::draw_elements`] draws every range in one call: the driver's
    /// `glMultiDrawElements`, or `multiDrawElementsWEBGL` in the browser.
    pub fn is_native_elements(&self) -> bool {
        self.elements.is_some() || self.has_web()
    }

    /// Whether WebGL2's `WEBGL_multi_draw` was found (always `false` natively).
    pub fn has_web(&self) -> bool {
        #[cfg(target_arch = "wasm32")]
        return self.web.is_some();
        #[cfg(not(target_arch = "wasm32"))]
        false
    }

    /// Draws `counts[i]` vertices starting at vertex `firsts[i]` for every `i`, from the
    /// bound vertex array with the bound program, in one `glMultiDrawArrays` when native.
    ///
    /// Enabled attributes of the bound vertex array must be sourced from buffer objects
    /// (glow only sets attribute pointers as buffer offsets, so this holds unless raw GL was
    /// used to point one at client memory).
    ///
    /// Returns the number of GL draw calls issued: 0 for empty slices, 1 natively, and
    /// `firsts.len()` in the fallback. Fails without drawing when the slices differ in
    /// length or are longer than `i32::MAX`, or an error is already queued
    /// ([`GlError::QueuedBefore`]), and with [`GlError::Call`] when GL reports an error (a
    /// negative count, a bad mode, no program bound, ...).
    ///
    /// # Safety
    /// Every range `firsts[i]..firsts[i] + counts[i]` must lie inside every buffer that an
    /// enabled attribute of the bound vertex array reads (at its stride and offset): GL does
    /// not check, and reading past a buffer is undefined behaviour in the driver.
    pub unsafe fn draw_arrays(
        &self,
        gl: &glow::Context,
        mode: u32,
        firsts: &[i32],
        counts: &[i32],
    ) -> Result<usize, GlError> {
        // SAFETY: this function's contract.
        unsafe { self.draw_arrays_with(Precheck::Run, gl, mode, firsts, counts) }
    }

    /// The body of [`draw_arrays`](Self::draw_arrays). `Precheck::Done` skips its
    /// [`check_clean`] for a caller that has just run it (a domain draw, which checks before
    /// binding its VAO).
    ///
    /// # Safety
    /// As [`draw_arrays`](Self::draw_arrays).
    pub(crate) unsafe fn draw_arrays_with(
        &self,
        precheck: Precheck,
        gl: &glow::Context,
        mode: u32,
        firsts: &[i32],
        counts: &[i32],
    ) -> Result<usize, GlError> {
        let n = paired_draw_count(
            "MultiDraw::draw_arrays",
            ("firsts", firsts.len()),
            ("counts", counts.len()),
        )?;
        if n == 0 {
            return Ok(0);
        }
        if precheck == Precheck::Run {
            validate_clean(gl, "MultiDraw::draw_arrays")?;
        }
        match self.arrays {
            Some(multi_draw_arrays) => {
                // SAFETY: both pointers address `n` valid i32s (lengths checked equal above,
                // `n` fits in i32); the function was loaded for this context's API, which the
                // caller keeps current; the ranges lie inside the bound buffers (this
                // function's contract).
                unsafe { multi_draw_arrays(mode, firsts.as_ptr(), counts.as_ptr(), n) };
                inject(gl, Site::Draw);
                validate_gl(gl, "glMultiDrawArrays")?;
                Ok(1)
            }
            #[cfg(target_arch = "wasm32")]
            None if self.web.is_some() => {
                if let Some(web) = &self.web {
                    // The extension checks every range against the bound buffers itself
                    // (WebGL is memory safe) and reports a bad one as a GL error.
                    web.multi_draw_arrays_webgl_with_js_i32_array_and_js_i32_array(
                        mode,
                        &js_sys::Int32Array::from(firsts),
                        0,
                        &js_sys::Int32Array::from(counts),
                        0,
                        n,
                    );
                }
                inject(gl, Site::Draw);
                validate_gl(gl, "multiDrawArraysWEBGL")?;
                Ok(1)
            }
            None => {
                for (&first, &count) in firsts.iter().zip(counts) {
                    // SAFETY: the range lies inside the bound vertex array's buffers (this
                    // function's contract); bad arguments raise a GL error, checked below.
                    unsafe { gl.draw_arrays(mode, first, count) };
                }
                inject(gl, Site::Draw);
                validate_gl(gl, "glDrawArrays (multi-draw fallback)")?;
                Ok(firsts.len())
            }
        }
    }

    /// Draws `counts[i]` indices of type `index_type` (`glow::UNSIGNED_INT`,
    /// `UNSIGNED_SHORT` or `UNSIGNED_BYTE`) starting at byte offset `byte_offsets[i]` into
    /// the bound element array buffer, for every `i`, in one `glMultiDrawElements` when native.
    ///
    /// Returns the number of GL draw calls issued: 0 for empty slices, 1 natively, and
    /// `counts.len()` in the fallback. Fails without drawing when the slices differ in
    /// length, are longer than `i32::MAX`, or (fallback only) an offset exceeds `i32::MAX`,
    /// or an error is already queued ([`GlError::QueuedBefore`]); and with
    /// [`GlError::Call`] when GL reports an error.
    ///
    /// # Safety
    /// The bound vertex array must have an element array buffer: without one, compatibility
    /// and ES contexts read the offsets as client pointers. Every range of `counts[i]`
    /// indices at `byte_offsets[i]` must lie inside it, and every index must name a vertex
    /// inside every buffer that an enabled attribute reads. GL checks none of this.
    pub unsafe fn draw_elements(
        &self,
        gl: &glow::Context,
        mode: u32,
        counts: &[i32],
        index_type: u32,
        byte_offsets: &[usize],
    ) -> Result<usize, GlError> {
        // SAFETY: this function's contract.
        unsafe {
            self.draw_elements_with(Precheck::Run, gl, mode, counts, index_type, byte_offsets)
        }
    }

    /// The body of [`draw_elements`](Self::draw_elements). `Precheck::Done` skips its
    /// [`check_clean`] for a caller that has just run it (a domain draw, which checks before
    /// binding its VAO).
    ///
    /// # Safety
    /// As [`draw_elements`](Self::draw_elements).
    pub(crate) unsafe fn draw_elements_with(
        &self,
        precheck: Precheck,
        gl: &glow::Context,
        mode: u32,
        counts: &[i32],
        index_type: u32,
        byte_offsets: &[usize],
    ) -> Result<usize, GlError> {
        let n = paired_draw_count(
            "MultiDraw::draw_elements",
            ("counts", counts.len()),
            ("byte offsets", byte_offsets.len()),
        )?;
        if n == 0 {
            return Ok(0);
        }
        if precheck == Precheck::Run {
            validate_clean(gl, "MultiDraw::draw_elements")?;
        }
        match self.elements {
            Some(multi_draw_elements) => {
                // `usize` and `*const c_void` have the same size and alignment, so the
                // offsets slice can be passed as GL's array of "pointers" (offsets into the
                // bound element buffer) without copying.
                let indices = byte_offsets.as_ptr().cast::<*const c_void>();
                // SAFETY: `counts` and `indices` address `n` valid elements each (lengths
                // checked equal above, `n` fits in i32); an element array buffer is bound and
                // the ranges and indices lie inside the buffers (this function's contract);
                // the function was loaded for this context's API, which the caller keeps
                // current.
                unsafe { multi_draw_elements(mode, counts.as_ptr(), index_type, indices, n) };
                inject(gl, Site::Draw);
                validate_gl(gl, "glMultiDrawElements")?;
                Ok(1)
            }
            None => {
                let mut offsets = Vec::with_capacity(byte_offsets.len());
                for &offset in byte_offsets {
                    offsets.push(i32::try_from(offset).map_err(|_| GlError::InvalidArgument {
                        operation: "MultiDraw::draw_elements",
                        message: format!(
                            "byte offset {offset} exceeds i32::MAX for glDrawElements"
                        ),
                    })?);
                }
                #[cfg(target_arch = "wasm32")]
                if let Some(web) = &self.web {
                    // WebGL checks every range against the bound buffers itself.
                    web.multi_draw_elements_webgl_with_js_i32_array_and_js_i32_array(
                        mode,
                        &js_sys::Int32Array::from(counts),
                        0,
                        index_type,
                        &js_sys::Int32Array::from(&offsets[..]),
                        0,
                        n,
                    );
                    inject(gl, Site::Draw);
                    validate_gl(gl, "multiDrawElementsWEBGL")?;
                    return Ok(1);
                }
                for (&count, &offset) in counts.iter().zip(&offsets) {
                    // SAFETY: an element array buffer is bound, so `offset` is a byte offset into
                    // it, and the range and its indices lie inside the buffers (this
                    // function's contract).
                    unsafe { gl.draw_elements(mode, count, index_type, offset) };
                }
                inject(gl, Site::Draw);
                validate_gl(gl, "glDrawElements (multi-draw fallback)")?;
                Ok(counts.len())
            }
        }
    }
}

impl std::fmt::Debug for MultiDraw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiDraw")
            .field("arrays", &self.arrays.is_some())
            .field("elements", &self.elements.is_some())
            .field("indirect", &self.arrays_indirect.is_some())
            .field("base_instance", &self.base_instance)
            .field("webgl_multi_draw", &self.has_web())
            .finish()
    }
}

/// Whether a draw still has to run [`check_clean`], or its caller just did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Precheck {
    Run,
    Done,
}

/// The `GLsizei drawcount` for two parallel slices, `(name, len)` each, which must have
/// equal lengths.
fn paired_draw_count(
    operation: &'static str,
    (a_name, a_len): (&str, usize),
    (b_name, b_len): (&str, usize),
) -> Result<i32, GlError> {
    if a_len != b_len {
        return Err(GlError::InvalidArgument {
            operation,
            message: format!(
                "{a_len} {a_name} but {b_len} {b_name}; the slices must have equal lengths"
            ),
        });
    }
    draw_count(a_len, operation)
}

/// The `GLsizei drawcount` for a slice of `len` ranges.
fn draw_count(len: usize, operation: &'static str) -> Result<i32, GlError> {
    i32::try_from(len).map_err(|_| GlError::InvalidArgument {
        operation,
        message: format!("{len} draw ranges exceed i32::MAX"),
    })
}
