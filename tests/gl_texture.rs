//! Texture and TextureAtlas on a real context: uploads read back through a framebuffer and
//! by sampling in a draw; atlas regions do not overlap and their UVs sample their image.

mod common;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::sync::Arc;

use glow::HasContext;
use vertex_domain::backend::{
    AtlasBuilder, GlError, RenderTarget, Texture, TextureAtlas, TextureFilter,
};

/// A `w` x `h` image whose pixel `(x, y)` (row `y` from the first) is `[tag, 10x, 10y, 255]`.
fn pattern(tag: u8, w: u32, h: u32) -> Vec<u8> {
    (0..h)
        .flat_map(|y| (0..w).flat_map(move |x| [tag, (x * 10) as u8, (y * 10) as u8, 255]))
        .collect()
}

/// Reads a texture back exactly by attaching it to a framebuffer.
fn read_texture(gl: &Arc<glow::Context>, texture: &Texture) -> Vec<u8> {
    let (w, h) = texture.size();
    let mut out = vec![0u8; (w * h * 4) as usize];
    // SAFETY: test scaffolding on the current context; `out` is exactly w*h*4 bytes and
    // pack state is at its defaults in these tests.
    unsafe {
        let fb = gl.create_framebuffer().unwrap();
        gl.bind_framebuffer(glow::FRAMEBUFFER, Some(fb));
        gl.framebuffer_texture_2d(
            glow::FRAMEBUFFER,
            glow::COLOR_ATTACHMENT0,
            glow::TEXTURE_2D,
            Some(texture.raw()),
            0,
        );
        assert_eq!(
            gl.check_framebuffer_status(glow::FRAMEBUFFER),
            glow::FRAMEBUFFER_COMPLETE
        );
        gl.read_pixels(
            0,
            0,
            w as i32,
            h as i32,
            glow::RGBA,
            glow::UNSIGNED_BYTE,
            glow::PixelPackData::Slice(Some(&mut out)),
        );
        gl.bind_framebuffer(glow::FRAMEBUFFER, None);
        gl.delete_framebuffer(fb);
    }
    vertex_domain::backend::check_gl(gl, "read_texture").unwrap();
    out
}

/// Draws a full-target quad sampling `uv` = `[u0, v0, u1, v1]` of the texture bound to
/// unit 0 into a fresh `w` x `h` target and returns its pixels.
fn sample(gl: &Arc<glow::Context>, texture: &Texture, uv: [f32; 4], w: u32, h: u32) -> Vec<u8> {
    let target = RenderTarget::new(gl, w, h).unwrap();
    target.clear([0.0; 4]).unwrap();
    let program = common::texture_program(gl);
    let [u0, v0, u1, v1] = uv;
    #[rustfmt::skip]
    let vertices = [
        -1.0, -1.0, u0, v0,   1.0, -1.0, u1, v0,   1.0, 1.0, u1, v1,
        -1.0, -1.0, u0, v0,   1.0, 1.0, u1, v1,   -1.0, 1.0, u0, v1,
    ];
    let geometry = common::Geometry::new(gl, &vertices, &[2, 2], None);
    texture.bind(0).unwrap();
    program.use_program();
    // SAFETY: objects of the current context.
    unsafe {
        gl.bind_vertex_array(Some(geometry.vao));
        gl.draw_arrays(glow::TRIANGLES, 0, 6);
    }
    target.read_pixels().unwrap()
}

#[test]
fn an_upload_reads_back_exactly_through_a_framebuffer() {
    let ctx = common::context();
    let data = pattern(7, 5, 3);
    let texture = Texture::new_rgba8(ctx.gl(), 5, 3, &data, TextureFilter::Nearest).unwrap();
    assert_eq!(texture.size(), (5, 3));
    assert_eq!(read_texture(ctx.gl(), &texture), data);
}

#[test]
fn an_upload_samples_with_its_first_row_at_v0() {
    for ctx in [common::context(), common::context_gles()] {
        ctx.make_current().unwrap();
        let gl = ctx.gl();
        let data = pattern(1, 2, 2);
        let texture = Texture::new_rgba8(gl, 2, 2, &data, TextureFilter::Nearest).unwrap();
        let pixels = sample(gl, &texture, [0.0, 0.0, 1.0, 1.0], 4, 4);
        // Each texel covers a 2x2 block; bottom rows come from the first image row.
        assert_eq!(common::pixel(&pixels, 4, 0, 0), [1, 0, 0, 255]);
        assert_eq!(common::pixel(&pixels, 4, 3, 1), [1, 10, 0, 255]);
        assert_eq!(common::pixel(&pixels, 4, 1, 3), [1, 0, 10, 255]);
        assert_eq!(common::pixel(&pixels, 4, 2, 2), [1, 10, 10, 255]);
    }
}

#[test]
fn a_wrong_length_or_size_is_an_error() {
    let ctx = common::context();
    let gl = ctx.gl();
    for (w, h, len) in [
        (2, 2, 15),
        (2, 2, 17),
        (0, 2, 0),
        (2, 0, 0),
        (1 << 30, 1, 4),
    ] {
        let err = Texture::new_rgba8(gl, w, h, &vec![0; len], TextureFilter::Linear).unwrap_err();
        assert!(
            matches!(err, GlError::InvalidArgument { .. }),
            "{w}x{h}: {err}"
        );
    }
    let texture = Texture::new_rgba8(gl, 1, 1, &[1, 2, 3, 4], TextureFilter::Linear).unwrap();
    assert!(matches!(
        texture.bind(100_000),
        Err(GlError::InvalidArgument { .. })
    ));
    vertex_domain::backend::check_gl(gl, "after refused uploads").unwrap();
}

#[test]
fn an_upload_ignores_caller_unpack_state_and_restores_it() {
    let ctx = common::context();
    let gl = ctx.gl();
    // SAFETY: pixel-store changes on the current context.
    unsafe {
        gl.pixel_store_i32(glow::UNPACK_ALIGNMENT, 8);
        gl.pixel_store_i32(glow::UNPACK_ROW_LENGTH, 100);
    }
    let data = pattern(3, 3, 3);
    let texture = Texture::new_rgba8(gl, 3, 3, &data, TextureFilter::Nearest).unwrap();
    // SAFETY: queries on the current context.
    let (alignment, row_length) = unsafe {
        (
            gl.get_parameter_i32(glow::UNPACK_ALIGNMENT),
            gl.get_parameter_i32(glow::UNPACK_ROW_LENGTH),
        )
    };
    assert_eq!((alignment, row_length), (8, 100));
    assert_eq!(read_texture(gl, &texture), data);
}

fn build_atlas(gl: &Arc<glow::Context>, sizes: &[(u32, u32)]) -> TextureAtlas {
    let mut builder = AtlasBuilder::new();
    for (i, &(w, h)) in sizes.iter().enumerate() {
        assert_eq!(builder.add(w, h, &pattern(i as u8 + 1, w, h)).unwrap(), i);
    }
    builder.build(gl, TextureFilter::Nearest).unwrap()
}

#[test]
fn atlas_regions_do_not_overlap_and_hold_their_images() {
    let ctx = common::context();
    let gl = ctx.gl();
    let sizes = [(16, 16), (5, 9), (20, 3), (1, 1), (12, 12), (7, 7), (16, 4)];
    let atlas = build_atlas(gl, &sizes);
    let (aw, ah) = atlas.size();
    let texels = read_texture(gl, atlas.texture());
    let regions = atlas.regions();
    assert_eq!(regions.len(), sizes.len());
    for (i, r) in regions.iter().enumerate() {
        assert_eq!((r.width, r.height), sizes[i]);
        assert!(
            r.x + r.width <= aw && r.y + r.height <= ah,
            "{r:?} outside {aw}x{ah}"
        );
        for other in &regions[i + 1..] {
            let apart = r.x + r.width < other.x + 1
                || other.x + other.width < r.x + 1
                || r.y + r.height < other.y + 1
                || other.y + other.height < r.y + 1;
            assert!(apart, "{r:?} overlaps or touches {other:?}");
        }
        // The texels under the region are the image, row for row.
        let image = pattern(i as u8 + 1, r.width, r.height);
        for y in 0..r.height {
            let start = (((r.y + y) * aw + r.x) * 4) as usize;
            let row = &texels[start..start + (r.width * 4) as usize];
            let expected = &image[(y * r.width * 4) as usize..((y + 1) * r.width * 4) as usize];
            assert_eq!(row, expected, "image {i} row {y}");
        }
        assert_eq!(
            r.uv,
            [
                r.x as f32 / aw as f32,
                r.y as f32 / ah as f32,
                (r.x + r.width) as f32 / aw as f32,
                (r.y + r.height) as f32 / ah as f32
            ]
        );
    }
}

#[test]
fn atlas_uvs_sample_the_right_image() {
    for ctx in [common::context(), common::context_gles()] {
        ctx.make_current().unwrap();
        let gl = ctx.gl();
        let sizes = [(8, 8), (3, 6), (10, 2), (4, 4)];
        let atlas = build_atlas(gl, &sizes);
        for (i, r) in atlas.regions().iter().enumerate() {
            // One target pixel per image pixel: the sample points are the texel centres.
            let pixels = sample(gl, atlas.texture(), r.uv, r.width, r.height);
            let image = pattern(i as u8 + 1, r.width, r.height);
            assert_eq!(
                pixels,
                image,
                "image {i} sampled through {:?} on {}",
                r.uv,
                ctx.version()
            );
        }
    }
}

#[test]
fn an_atlas_that_cannot_fit_is_an_error() {
    let ctx = common::context();
    let mut builder = AtlasBuilder::new().with_max_size(32);
    builder.add(20, 20, &pattern(1, 20, 20)).unwrap();
    builder.add(20, 20, &pattern(2, 20, 20)).unwrap();
    let err = builder.build(ctx.gl(), TextureFilter::Nearest).unwrap_err();
    assert!(matches!(err, GlError::InvalidArgument { .. }), "{err}");
    assert!(matches!(
        AtlasBuilder::new().build(ctx.gl(), TextureFilter::Nearest),
        Err(GlError::InvalidArgument { .. })
    ));
    assert!(matches!(
        AtlasBuilder::new().add(2, 2, &[0; 3]),
        Err(GlError::InvalidArgument { .. })
    ));
}
