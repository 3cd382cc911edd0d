//! Prints what the headless EGL context gives on this machine (device, GL and GLES versions,
//! multi-draw support, time per context) and, with `--screenshot FILE.png`, draws two quads
//! with one multi-draw into an offscreen target and writes it as a PNG.
//!
//! Run: `cargo run --example headless_info -- --screenshot /tmp/multidraw.png`

use std::sync::Arc;
use std::time::Instant;

use glow::HasContext;
use vertex_domain::backend::{GlError, Program, RenderTarget, ShaderVersion, StreamPath};
use vertex_domain::headless::{HeadlessApi, HeadlessContext};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let screenshot = args
        .iter()
        .position(|a| a == "--screenshot")
        .and_then(|i| args.get(i + 1));

    // What EGL enumerates (the context prefers the software device).
    match glutin::api::egl::device::Device::query_devices() {
        Ok(devices) => {
            for device in devices {
                let mut extensions: Vec<&str> = device.extensions().iter().copied().collect();
                extensions.sort_unstable();
                println!("EGL device: {}", extensions.join(" "));
            }
        }
        Err(err) => println!("EGL devices cannot be enumerated: {err}"),
    }

    for api in [HeadlessApi::GlCore, HeadlessApi::Gles3] {
        let start = Instant::now();
        let first = HeadlessContext::new(api)?;
        let first_time = start.elapsed();
        println!("{api:?}");
        println!("  device:    {}", first.device());
        println!("  renderer:  {}", first.renderer());
        println!("  version:   {}", first.version());
        println!("  capabilities: {}", first.capabilities());
        println!(
            "  GL_EXT_multi_draw_arrays listed: {}",
            first
                .gl()
                .supported_extensions()
                .contains("GL_EXT_multi_draw_arrays")
        );
        println!(
            "  native multi-draw: arrays {}, elements {}",
            first.multi_draw().is_native_arrays(),
            first.multi_draw().is_native_elements()
        );
        let supported: Vec<&str> = StreamPath::ALL
            .iter()
            .filter(|p| p.is_supported(first.gl()))
            .map(|p| p.name())
            .collect();
        println!(
            "  stream path: {} (chosen by capability; supported: {})",
            StreamPath::best(first.gl()).name(),
            supported.join(", ")
        );
        drop(first);
        let n = 20;
        let start = Instant::now();
        for _ in 0..n {
            drop(HeadlessContext::new(api)?);
        }
        println!(
            "  time per context: first {:.1} ms, then {:.2} ms (mean of {n})",
            first_time.as_secs_f64() * 1e3,
            start.elapsed().as_secs_f64() * 1e3 / n as f64
        );
    }

    if let Some(path) = screenshot {
        let ctx = HeadlessContext::new(HeadlessApi::GlCore)?;
        let (width, height, pixels) = draw_two_quads(ctx.gl(), &ctx)?;
        write_png(path, width, height, &pixels)?;
        println!("wrote {path}");
    }
    Ok(())
}

/// Draws a red and a green quad (from one buffer, one multi-draw) on blue.
fn draw_two_quads(
    gl: &Arc<glow::Context>,
    ctx: &HeadlessContext,
) -> Result<(u32, u32, Vec<u8>), GlError> {
    let version = ShaderVersion::for_context(gl);
    let program = Program::builder(
        gl,
        &version.source(
            "in vec2 position;\nin vec3 colour;\nout vec3 v;\n\
             void main() { v = colour; gl_Position = vec4(position, 0.0, 1.0); }",
        ),
        &version.source("in vec3 v;\nout vec4 c;\nvoid main() { c = vec4(v, 1.0); }"),
    )
    .bind_attribute("position", 0)
    .bind_attribute("colour", 1)
    .build()?;
    let quad = |x0: f32, x1: f32, rgb: [f32; 3]| -> Vec<f32> {
        [
            (x0, -0.5),
            (x1, -0.5),
            (x1, 0.5),
            (x0, -0.5),
            (x1, 0.5),
            (x0, 0.5),
        ]
        .iter()
        .flat_map(|&(x, y)| [x, y, rgb[0], rgb[1], rgb[2]])
        .collect()
    };
    let mut vertices = quad(-0.8, -0.1, [1.0, 0.0, 0.0]);
    vertices.extend(quad(0.1, 0.8, [0.0, 1.0, 0.0]));

    let target = RenderTarget::new(gl, 160, 90)?;
    target.clear([0.0, 0.0, 0.6, 1.0])?;
    // SAFETY: objects of the current context, deleted before it goes.
    let (vao, vbo) = unsafe {
        let vao = gl
            .create_vertex_array()
            .map_err(|message| GlError::Create {
                object: "vertex array",
                message,
            })?;
        gl.bind_vertex_array(Some(vao));
        let vbo = gl.create_buffer().map_err(|message| GlError::Create {
            object: "buffer",
            message,
        })?;
        gl.bind_buffer(glow::ARRAY_BUFFER, Some(vbo));
        gl.buffer_data_u8_slice(
            glow::ARRAY_BUFFER,
            bytemuck::cast_slice(&vertices),
            glow::STATIC_DRAW,
        );
        gl.enable_vertex_attrib_array(0);
        gl.vertex_attrib_pointer_f32(0, 2, glow::FLOAT, false, 20, 0);
        gl.enable_vertex_attrib_array(1);
        gl.vertex_attrib_pointer_f32(1, 3, glow::FLOAT, false, 20, 8);
        (vao, vbo)
    };
    program.use_program();
    // SAFETY: the buffer bound above holds the 12 vertices these two ranges read.
    let calls = unsafe {
        ctx.multi_draw()
            .draw_arrays(gl, glow::TRIANGLES, &[0, 6], &[6, 6])?
    };
    println!("drew 2 quads in {calls} GL draw call(s)");
    let pixels = target.read_pixels()?;
    // SAFETY: deleting the objects made above on the current context.
    unsafe {
        gl.delete_vertex_array(vao);
        gl.delete_buffer(vbo);
    }
    let (width, height) = target.size();
    Ok((width, height, pixels))
}

/// Writes bottom-up RGBA8 rows as a top-down PNG.
fn write_png(
    path: &str,
    width: u32,
    height: u32,
    pixels: &[u8],
) -> Result<(), Box<dyn std::error::Error>> {
    let file = std::fs::File::create(path)?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    let flipped: Vec<u8> = pixels
        .chunks_exact(width as usize * 4)
        .rev()
        .flatten()
        .copied()
        .collect();
    writer.write_image_data(&flipped)?;
    Ok(())
}
