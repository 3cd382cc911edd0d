//! Shared helpers of the GL integration tests: a real context (never a mock) and a panic
//! naming what to install when there is none, so that GL tests fail instead of skipping.
//!
//! The same tests run natively on a headless EGL context (GL core and GLES 3) and in the
//! browser on a WebGL2 canvas (`.ci/web-test.sh`: wasm-bindgen-test in headless Chromium).
//! In the browser, `context()` and `context_gles()` both give WebGL2, and
//! `on_gl_core_and_gles3!` runs each body once, on WebGL2.
#![allow(dead_code)]

use vertex_domain::headless::{HeadlessApi, HeadlessContext};

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// A desktop GL core context current on this thread (WebGL2 in the browser); panics with
/// the install hint if there is none.
pub fn context() -> HeadlessContext {
    #[cfg(target_arch = "wasm32")]
    return make(HeadlessApi::WebGl2);
    #[cfg(not(target_arch = "wasm32"))]
    make(HeadlessApi::GlCore)
}

/// A GLES 3 context current on this thread (WebGL2 in the browser); panics with the install
/// hint if there is none.
pub fn context_gles() -> HeadlessContext {
    #[cfg(target_arch = "wasm32")]
    return make(HeadlessApi::WebGl2);
    #[cfg(not(target_arch = "wasm32"))]
    make(HeadlessApi::Gles3)
}

fn make(api: HeadlessApi) -> HeadlessContext {
    match HeadlessContext::new(api) {
        Ok(context) => context,
        Err(err) => {
            panic!("GL tests need a headless {api:?} context and could not create one: {err}")
        }
    }
}

/// Runs `future` to its end on this thread. The tests' futures only ever wait on
/// [`yield_now`], which natively is ready at once, so polling in a loop finishes them.
#[cfg(not(target_arch = "wasm32"))]
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    /// Nothing to wake: the loop polls again at once.
    struct Noop;
    impl std::task::Wake for Noop {
        fn wake(self: std::sync::Arc<Self>) {}
    }
    let waker = std::task::Waker::from(std::sync::Arc::new(Noop));
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(&waker);
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

/// Gives the browser a turn (a `setTimeout(0)`): the page stays responsive to the test
/// runner, and WebGL's fences can signal. Natively there is nothing to yield to.
pub async fn yield_now() {
    #[cfg(target_arch = "wasm32")]
    {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback(&resolve);
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}

/// Whether the tests run in the browser, on WebGL2.
pub const WEB: bool = cfg!(target_arch = "wasm32");

use std::sync::Arc;

use glow::HasContext;
use vertex_domain::backend::{Attribute, ComponentType, Program, ShaderVersion, VertexFormat};

/// The format most tests draw with: `position` (2 × f32, location 0) and `colour`
/// (4 × u8 normalized, location 1), as [`colour_program`] reads them.
pub fn format() -> VertexFormat {
    VertexFormat::new(vec![
        Attribute::new("position", 0, 2, ComponentType::F32),
        Attribute::new("colour", 1, 4, ComponentType::U8).normalized(),
    ])
    .unwrap()
}

/// Runs each named test body, a `fn(&HeadlessContext)` of the including file, once on GL
/// core (module `gl_core`) and once on GLES 3 (module `gles3`); in the browser once, on
/// WebGL2 (module `webgl2`).
#[allow(unused_macros)]
#[cfg(not(target_arch = "wasm32"))]
macro_rules! on_gl_core_and_gles3 {
    ($($name:ident),* $(,)?) => {
        mod gl_core {
            $(#[test]
            fn $name() {
                super::$name(&super::common::context())
            })*
        }
        mod gles3 {
            $(#[test]
            fn $name() {
                super::$name(&super::common::context_gles())
            })*
        }
    };
}

/// Runs each named test body, a `fn(&HeadlessContext)` of the including file, once on GL
/// core (module `gl_core`) and once on GLES 3 (module `gles3`); in the browser once, on
/// WebGL2 (module `webgl2`).
#[allow(unused_macros)]
#[cfg(target_arch = "wasm32")]
macro_rules! on_gl_core_and_gles3 {
    ($($name:ident),* $(,)?) => {
        mod webgl2 {
            $(#[wasm_bindgen_test::wasm_bindgen_test]
            fn $name() {
                super::$name(&super::common::context())
            })*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use on_gl_core_and_gles3;

/// A vertex array with one interleaved vertex buffer (and an optional element buffer),
/// deleted on drop. Test scaffolding: the crate's own buffers live elsewhere.
pub struct Geometry {
    gl: Arc<glow::Context>,
    pub vao: glow::VertexArray,
    vbo: glow::Buffer,
    ebo: Option<glow::Buffer>,
}

impl Geometry {
    /// Uploads `vertices` (floats, `components` per attribute, attribute `i` at location `i`,
    /// interleaved) and optional u32 `indices`; leaves the vertex array bound.
    pub fn new(
        gl: &Arc<glow::Context>,
        vertices: &[f32],
        components: &[i32],
        indices: Option<&[u32]>,
    ) -> Geometry {
        let stride: i32 = components.iter().sum::<i32>() * 4;
        // SAFETY: test scaffolding on the current context; the slices outlive the uploads.
        unsafe {
            let vao = gl.create_vertex_array().unwrap();
            gl.bind_vertex_array(Some(vao));
            let vbo = gl.create_buffer().unwrap();
            gl.bind_buffer(glow::ARRAY_BUFFER, Some(vbo));
            gl.buffer_data_u8_slice(
                glow::ARRAY_BUFFER,
                bytemuck::cast_slice(vertices),
                glow::STATIC_DRAW,
            );
            let mut offset = 0;
            for (location, &n) in components.iter().enumerate() {
                gl.enable_vertex_attrib_array(location as u32);
                gl.vertex_attrib_pointer_f32(
                    location as u32,
                    n,
                    glow::FLOAT,
                    false,
                    stride,
                    offset,
                );
                offset += n * 4;
            }
            let ebo = indices.map(|indices| {
                let ebo = gl.create_buffer().unwrap();
                gl.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, Some(ebo));
                gl.buffer_data_u8_slice(
                    glow::ELEMENT_ARRAY_BUFFER,
                    bytemuck::cast_slice(indices),
                    glow::STATIC_DRAW,
                );
                ebo
            });
            vertex_domain::backend::check_gl(gl, "Geometry::new").unwrap();
            Geometry {
                gl: gl.clone(),
                vao,
                vbo,
                ebo,
            }
        }
    }
}

impl Drop for Geometry {
    fn drop(&mut self) {
        // SAFETY: objects of this context, which the tests keep current.
        unsafe {
            self.gl.delete_vertex_array(self.vao);
            self.gl.delete_buffer(self.vbo);
            if let Some(ebo) = self.ebo {
                self.gl.delete_buffer(ebo);
            }
        }
    }
}

/// A program drawing `position` (vec2, location 0) in the per-vertex `colour` (vec4,
/// location 1), in the GLSL dialect of `gl`.
pub fn colour_program(gl: &Arc<glow::Context>) -> Program {
    let version = ShaderVersion::for_context(gl);
    let vertex = version.source(
        "in vec2 position;\nin vec4 colour;\nout vec4 v_colour;\n\
         void main() { v_colour = colour; gl_Position = vec4(position, 0.0, 1.0); }",
    );
    let fragment = version
        .source("in vec4 v_colour;\nout vec4 out_colour;\nvoid main() { out_colour = v_colour; }");
    Program::builder(gl, &vertex, &fragment)
        .bind_attribute("position", 0)
        .bind_attribute("colour", 1)
        .build()
        .unwrap()
}

/// A program drawing `position` (vec2, location 0) with texture coordinates `uv` (vec2,
/// location 1) sampled from `image` on unit 0.
pub fn texture_program(gl: &Arc<glow::Context>) -> Program {
    let version = ShaderVersion::for_context(gl);
    let vertex = version.source(
        "in vec2 position;\nin vec2 uv;\nout vec2 v_uv;\n\
         void main() { v_uv = uv; gl_Position = vec4(position, 0.0, 1.0); }",
    );
    let fragment = version.source(
        "uniform sampler2D image;\nin vec2 v_uv;\nout vec4 out_colour;\n\
         void main() { out_colour = texture(image, v_uv); }",
    );
    let program = Program::builder(gl, &vertex, &fragment)
        .bind_attribute("position", 0)
        .bind_attribute("uv", 1)
        .build()
        .unwrap();
    program
        .set_int(&program.uniform_location("image").unwrap(), 0)
        .unwrap();
    program
}

/// The RGBA of pixel `(x, y)` (y counted from the bottom row) in a bottom-up RGBA8 image.
pub fn pixel(pixels: &[u8], width: u32, x: u32, y: u32) -> [u8; 4] {
    let i = ((y * width + x) * 4) as usize;
    pixels[i..i + 4].try_into().unwrap()
}

/// Two triangles covering the axis-aligned rectangle `x0..x1`, `y0..y1` (NDC) in `rgba`:
/// 6 vertices of `x, y, r, g, b, a`.
pub fn quad_triangles(x0: f32, x1: f32, y0: f32, y1: f32, rgba: [f32; 4]) -> Vec<f32> {
    [(x0, y0), (x1, y0), (x1, y1), (x0, y0), (x1, y1), (x0, y1)]
        .iter()
        .flat_map(|&(x, y)| [x, y, rgba[0], rgba[1], rgba[2], rgba[3]])
        .collect()
}

/// The 4 corners of the rectangle `x0..x1`, `y0..y1` (NDC) in `rgba`, counter-clockwise from
/// the bottom left: 4 vertices of `x, y, r, g, b, a`. Index them with [`QUAD_INDICES`].
pub fn quad_corners(x0: f32, x1: f32, y0: f32, y1: f32, rgba: [f32; 4]) -> Vec<f32> {
    [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        .iter()
        .flat_map(|&(x, y)| [x, y, rgba[0], rgba[1], rgba[2], rgba[3]])
        .collect()
}

/// A quad covering all of NDC as two triangles: 6 positions.
pub const FULL_SCREEN: [[f32; 2]; 6] = [
    [-1.0, -1.0],
    [1.0, -1.0],
    [1.0, 1.0],
    [-1.0, -1.0],
    [1.0, 1.0],
    [-1.0, 1.0],
];

/// Two triangles over the 4 corners of [`quad_corners`].
pub const QUAD_INDICES: [u32; 6] = [0, 1, 2, 0, 2, 3];

/// Writes a bottom-up RGBA8 image as a PNG (top-down), for looking at a failing test.
pub fn write_png(path: &std::path::Path, width: u32, height: u32, pixels: &[u8]) {
    let file = std::fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    let row = width as usize * 4;
    let flipped: Vec<u8> = pixels.chunks_exact(row).rev().flatten().copied().collect();
    writer.write_image_data(&flipped).unwrap();
}
