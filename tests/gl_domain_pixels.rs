//! What a domain draws, read back with `glReadPixels`: the right areas are filled, deleted
//! lists are not drawn, and a resized list draws its new shape. On GL core and GLES 3.

mod common;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use vertex_domain::backend::{MultiDraw, RenderTarget};
use vertex_domain::domain::{IndexedVertexDomain, Primitive, VertexDomain};
use vertex_domain::headless::HeadlessContext;

const SIZE: u32 = 64;
const RED: [u8; 4] = [255, 0, 0, 255];
const GREEN: [u8; 4] = [0, 255, 0, 255];
const BLUE: [u8; 4] = [0, 0, 255, 255];
const CLEAR: [u8; 4] = [0, 0, 0, 255];

use common::format;

/// The corners of a square of side `w` (NDC) with its lower left at `(x, y)`.
fn square(x: f32, y: f32, w: f32) -> [[f32; 2]; 4] {
    [[x, y], [x + w, y], [x + w, y + w], [x, y + w]]
}

/// The pixel at the centre of the square `square(x, y, w)`.
fn centre(pixels: &[u8], x: f32, y: f32, w: f32) -> [u8; 4] {
    let to_px = |v: f32| ((v + w / 2.0 + 1.0) / 2.0 * SIZE as f32) as u32;
    common::pixel(pixels, SIZE, to_px(x), to_px(y))
}

fn render(target: &RenderTarget, draw: impl FnOnce()) -> Vec<u8> {
    target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
    draw();
    target.read_pixels().unwrap()
}

fn indexed_quads_draw_where_they_are_and_vanish_when_deleted(ctx: &HeadlessContext) {
    let target = RenderTarget::new(ctx.gl(), SIZE, SIZE).unwrap();
    target.bind();
    let program = common::colour_program(ctx.gl());
    program.use_program();
    let mut domain = IndexedVertexDomain::new(ctx.gl(), ctx.multi_draw(), format(), 4, 6).unwrap();
    let quads = [(-1.0, RED), (-0.25, GREEN), (0.5, BLUE)].map(|(x, colour)| {
        let list = domain.create(4, 6).unwrap();
        domain
            .write(list, "position", &square(x, -1.0, 0.5))
            .unwrap();
        domain.write(list, "colour", &[colour; 4]).unwrap();
        domain.write_indices(list, &[0, 1, 2, 0, 2, 3]).unwrap();
        list
    });

    let pixels = render(&target, || {
        assert_eq!(domain.draw(Primitive::Triangles), Ok(1));
    });
    assert_eq!(centre(&pixels, -1.0, -1.0, 0.5), RED);
    assert_eq!(centre(&pixels, -0.25, -1.0, 0.5), GREEN);
    assert_eq!(centre(&pixels, 0.5, -1.0, 0.5), BLUE);
    assert_eq!(centre(&pixels, -0.25, 0.5, 0.5), CLEAR);

    domain.delete(quads[1]).unwrap();
    let pixels = render(&target, || {
        domain.draw(Primitive::Triangles).unwrap();
    });
    assert_eq!(centre(&pixels, -1.0, -1.0, 0.5), RED);
    assert_eq!(
        centre(&pixels, -0.25, -1.0, 0.5),
        CLEAR,
        "a deleted list drew"
    );
    assert_eq!(centre(&pixels, 0.5, -1.0, 0.5), BLUE);

    // The red list grows into two squares: it moves (blue follows it) and must draw both.
    domain.resize(quads[0], 8, 12).unwrap();
    let mut corners = square(-1.0, -1.0, 0.5).to_vec();
    corners.extend(square(-0.25, 0.5, 0.5));
    domain.write(quads[0], "position", &corners).unwrap();
    domain.write(quads[0], "colour", &[RED; 8]).unwrap();
    domain
        .write_indices(quads[0], &[0, 1, 2, 0, 2, 3, 4, 5, 6, 4, 6, 7])
        .unwrap();
    let pixels = render(&target, || {
        domain.draw(Primitive::Triangles).unwrap();
    });
    assert_eq!(centre(&pixels, -1.0, -1.0, 0.5), RED);
    assert_eq!(
        centre(&pixels, -0.25, 0.5, 0.5),
        RED,
        "the new shape is missing"
    );
    assert_eq!(centre(&pixels, -0.25, -1.0, 0.5), CLEAR);
    assert_eq!(centre(&pixels, 0.5, -1.0, 0.5), BLUE);

    // Shrunk back to one square, the second one is gone.
    domain.resize(quads[0], 4, 6).unwrap();
    let pixels = render(&target, || {
        domain.draw_list(quads[0], Primitive::Triangles).unwrap();
    });
    assert_eq!(centre(&pixels, -1.0, -1.0, 0.5), RED);
    assert_eq!(centre(&pixels, -0.25, 0.5, 0.5), CLEAR);
    assert_eq!(
        centre(&pixels, 0.5, -1.0, 0.5),
        CLEAR,
        "draw_list drew another list"
    );
}

fn plain_strips_draw_as_separate_lists(ctx: &HeadlessContext, multi_draw: MultiDraw) {
    let target = RenderTarget::new(ctx.gl(), SIZE, SIZE).unwrap();
    target.bind();
    let program = common::colour_program(ctx.gl());
    program.use_program();
    let mut domain = VertexDomain::new(ctx.gl(), multi_draw, format(), 4).unwrap();
    let strips = [(-1.0, GREEN), (0.0, BLUE)].map(|(x, colour)| {
        let list = domain.create(4).unwrap();
        let [a, b, c, d] = square(x, 0.0, 0.5);
        domain.write(list, 0, &[a, b, d, c]).unwrap();
        domain.write(list, 1, &[colour; 4]).unwrap();
        list
    });
    let pixels = render(&target, || {
        domain.draw(Primitive::TriangleStrip).unwrap();
    });
    assert_eq!(centre(&pixels, -1.0, 0.0, 0.5), GREEN);
    assert_eq!(centre(&pixels, 0.0, 0.0, 0.5), BLUE);
    // Joined into one strip, the lists would fill the gap between them.
    assert_eq!(
        centre(&pixels, -0.5, 0.0, 0.5),
        CLEAR,
        "two strips were joined"
    );
    domain.delete(strips[0]).unwrap();
    let pixels = render(&target, || {
        domain.draw(Primitive::TriangleStrip).unwrap();
    });
    assert_eq!(centre(&pixels, -1.0, 0.0, 0.5), CLEAR);
    assert_eq!(centre(&pixels, 0.0, 0.0, 0.5), BLUE);
}

#[test]
fn indexed_quads_draw_in_place_on_gl_core() {
    indexed_quads_draw_where_they_are_and_vanish_when_deleted(&common::context());
}

#[test]
fn indexed_quads_draw_in_place_on_gles3() {
    indexed_quads_draw_where_they_are_and_vanish_when_deleted(&common::context_gles());
}

#[test]
fn strips_stay_separate_with_native_and_fallback_multi_draw() {
    let ctx = common::context();
    plain_strips_draw_as_separate_lists(&ctx, ctx.multi_draw());
    plain_strips_draw_as_separate_lists(&ctx, MultiDraw::single_draws());
    let gles = common::context_gles();
    plain_strips_draw_as_separate_lists(&gles, gles.multi_draw());
}
