//! What instanced domains draw, read back with `glReadPixels`, on GL core (every instance
//! draw path the context has) and GLES 3 (re-pointing, as it has no base instance): two
//! meshes, plain and indexed, whose instances are placed by a `mat4` and tinted by a
//! colour record; runs that move, instances deleted with the swap, meshes deleted.

mod common;

use std::sync::Arc;

use glow::HasContext;

use vertex_domain::backend::{
    Attribute, ComponentType, InstanceDraw, MultiDraw, Program, RenderTarget, ShaderVersion,
    VertexFormat,
};
use vertex_domain::domain::{
    Domain, DomainError, InstanceId, InstancedIndexedVertexDomain, InstancedKind, InstancedMesh,
    InstancedVertexDomain, ListId, Primitive,
};
use vertex_domain::headless::HeadlessContext;

const SIZE: u32 = 64;
const CLEAR: [u8; 4] = [0, 0, 0, 255];
/// Cells of the 4 × 4 grid the instances are placed in, 16 pixels each.
const CELLS: usize = 16;

/// Mesh vertices: `position` at location 0.
fn mesh_format() -> VertexFormat {
    VertexFormat::new(vec![Attribute::new("position", 0, 2, ComponentType::F32)]).unwrap()
}

/// Instance records: a `mat4` `transform` at locations 1 to 4 and a normalized `tint` at 5.
fn instance_format() -> VertexFormat {
    VertexFormat::new(vec![
        Attribute::matrix("transform", 1, 4, 4),
        Attribute::new("tint", 5, 4, ComponentType::U8).normalized(),
    ])
    .unwrap()
}

fn program(gl: &Arc<glow::Context>) -> Program {
    let version = ShaderVersion::for_context(gl);
    let vertex = version.source(
        "in vec2 position;\nin mat4 transform;\nin vec4 tint;\nout vec4 v_tint;\n\
         void main() { v_tint = tint; gl_Position = transform * vec4(position, 0.0, 1.0); }",
    );
    let fragment = version
        .source("in vec4 v_tint;\nout vec4 out_colour;\nvoid main() { out_colour = v_tint; }");
    Program::builder(gl, &vertex, &fragment)
        .bind_attribute("position", 0)
        .bind_attribute("transform", 1)
        .bind_attribute("tint", 5)
        .build()
        .unwrap()
}

/// The centre of a cell in NDC.
fn cell_centre(cell: usize) -> (f32, f32) {
    (
        -0.75 + 0.5 * (cell % 4) as f32,
        -0.75 + 0.5 * (cell / 4) as f32,
    )
}

/// A column-major translation to a cell's centre.
fn translation(cell: usize) -> [[f32; 4]; 4] {
    let (x, y) = cell_centre(cell);
    [
        [1.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0],
        [0.0, 0.0, 1.0, 0.0],
        [x, y, 0.0, 1.0],
    ]
}

fn tint(cell: usize) -> [u8; 4] {
    [
        255 - 15 * cell as u8,
        15 * cell as u8,
        100 + cell as u8,
        255,
    ]
}

/// The square mesh: ±0.15 around the origin. The triangle: (±0.2, -0.2) and (0, 0.2).
const SQUARE: [[f32; 2]; 4] = [[-0.15, -0.15], [0.15, -0.15], [0.15, 0.15], [-0.15, 0.15]];
const TRIANGLE: [[f32; 2]; 3] = [[-0.2, -0.2], [0.2, -0.2], [0.0, 0.2]];

/// Which mesh, if any, draws in each cell.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Shape {
    Square,
    Triangle,
}

/// What a cell shows at its centre and at a point inside the square but outside the
/// triangle, which tells the two meshes apart.
fn looks(pixels: &[u8], cell: usize) -> Option<(Shape, [u8; 4])> {
    let (x, y) = cell_centre(cell);
    let px = |v: f32| ((v + 1.0) / 2.0 * SIZE as f32) as u32;
    let centre = common::pixel(pixels, SIZE, px(x), px(y));
    let corner = common::pixel(pixels, SIZE, px(x - 0.11), px(y + 0.11));
    match (centre == CLEAR, corner == CLEAR) {
        (true, true) => None,
        (false, false) => {
            assert_eq!(centre, corner, "cell {cell}: one square, one colour");
            Some((Shape::Square, centre))
        }
        (false, true) => Some((Shape::Triangle, centre)),
        (true, false) => panic!("cell {cell}: a corner without a centre"),
    }
}

fn check(pixels: &[u8], expected: &[Option<Shape>; CELLS], what: &str) {
    for (cell, shape) in expected.iter().enumerate() {
        let seen = looks(pixels, cell);
        assert_eq!(
            seen,
            shape.map(|s| (s, tint(cell))),
            "{what}: cell {cell} (expected {expected:?})"
        );
    }
}

/// Adds an instance of `mesh` placed in `cell`.
fn place<K: InstancedKind>(domain: &mut Domain<K>, mesh: ListId<K>, cell: usize) -> InstanceId {
    let instance = domain.add_instance(mesh).unwrap();
    domain
        .write_instance(instance, "transform", translation(cell))
        .unwrap();
    domain.write_instance(instance, "tint", tint(cell)).unwrap();
    instance
}

/// The scenario every kind and path runs: instances of two meshes, a run that must move,
/// deletions that swap, a deleted mesh.
fn scenario<K: InstancedKind>(
    ctx: &HeadlessContext,
    domain: &mut Domain<K>,
    square: ListId<K>,
    triangle: ListId<K>,
    what: &str,
) {
    let target = RenderTarget::new(ctx.gl(), SIZE, SIZE).unwrap();
    target.bind();
    let program = program(ctx.gl());
    program.use_program();
    let indirect = domain.instance_draw() == InstanceDraw::MultiDrawIndirect;
    let render = |domain: &mut Domain<K>, meshes: usize| {
        target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        let calls = domain.draw(Primitive::Triangles).unwrap();
        assert_eq!(
            calls,
            if indirect { 1 } else { meshes },
            "{what}: draw calls"
        );
        target.read_pixels().unwrap()
    };
    use Shape::{Square as S, Triangle as T};
    let mut expected = [None; CELLS];

    let mut ids = [None; CELLS];
    for cell in [0, 1, 2] {
        ids[cell] = Some(place(domain, square, cell));
        expected[cell] = Some(S);
    }
    for cell in [4, 5] {
        ids[cell] = Some(place(domain, triangle, cell));
        expected[cell] = Some(T);
    }
    let first_run = domain.instance_slot(ids[0].unwrap()).unwrap();
    // The square's run of 4 is full after one more; the next must move past the triangle's.
    for cell in [3, 6, 7, 9] {
        ids[cell] = Some(place(domain, square, cell));
        expected[cell] = Some(S);
    }
    assert_ne!(
        domain.instance_slot(ids[0].unwrap()).unwrap(),
        first_run,
        "{what}: the square's run moved"
    );
    assert!(
        domain.stats().grows > 0,
        "{what}: the instance buffers grew"
    );
    check(
        &render(domain, 2),
        &expected,
        &format!("{what}, after a move"),
    );

    // Deleting from the middle moves the last instance (cell 9) into the hole.
    domain.delete_instance(ids[1].unwrap()).unwrap();
    domain.delete_instance(ids[4].unwrap()).unwrap();
    expected[1] = None;
    expected[4] = None;
    assert_eq!(
        domain.delete_instance(ids[1].unwrap()),
        Err(DomainError::StaleList)
    );
    assert_eq!(domain.instance_count(square).unwrap(), 6);
    let moved = ids[9].unwrap();
    assert_eq!(
        domain.read_instance::<[u8; 4]>(moved, "tint").unwrap(),
        vec![tint(9)]
    );
    check(
        &render(domain, 2),
        &expected,
        &format!("{what}, after deletes"),
    );

    // A move of an instance is one record write.
    domain
        .write_instance(moved, "transform", translation(15))
        .unwrap();
    domain.write_instance(moved, "tint", tint(15)).unwrap();
    expected[9] = None;
    expected[15] = Some(S);
    check(
        &render(domain, 2),
        &expected,
        &format!("{what}, after a move"),
    );

    // One mesh alone draws its instances in one call, and none of the other's.
    target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
    assert_eq!(domain.draw_list(triangle, Primitive::Triangles), Ok(1));
    let triangles = expected.map(|shape| shape.filter(|s| *s == T));
    assert!(triangles.iter().any(Option::is_some));
    check(
        &target.read_pixels().unwrap(),
        &triangles,
        &format!("{what}, one mesh"),
    );

    // Deleting the mesh retires its instances.
    domain.delete(triangle).unwrap();
    expected[5] = None;
    assert_eq!(
        domain.write_instance(ids[5].unwrap(), "tint", tint(5)),
        Err(DomainError::StaleList)
    );
    assert_eq!(domain.instance_total(), 6);
    check(
        &render(domain, 1),
        &expected,
        &format!("{what}, after a mesh delete"),
    );

    // One mesh alone draws its instances in one call.
    target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
    assert_eq!(domain.draw_list(square, Primitive::Triangles), Ok(1));
    check(
        &target.read_pixels().unwrap(),
        &expected,
        &format!("{what}, one mesh"),
    );
}

/// The square (as two triangles) and the triangle, as meshes of a plain instanced domain.
fn plain_meshes(domain: &mut InstancedVertexDomain) -> (InstancedMesh, InstancedMesh) {
    let square = domain.create(6).unwrap();
    let [a, b, c, d] = SQUARE;
    domain
        .write(square, "position", &[a, b, c, a, c, d])
        .unwrap();
    let triangle = domain.create(3).unwrap();
    domain.write(triangle, "position", &TRIANGLE).unwrap();
    (square, triangle)
}

/// The paths `multi_draw` can draw instances by.
fn paths(multi_draw: &MultiDraw) -> Vec<InstanceDraw> {
    [
        InstanceDraw::BaseInstance,
        InstanceDraw::MultiDrawIndirect,
        InstanceDraw::Repoint,
    ]
    .into_iter()
    .filter(|p| multi_draw.supports(*p))
    .collect()
}

fn plain_instanced_meshes_draw_their_instances_by_every_path(ctx: &HeadlessContext) {
    let multi_draw = ctx.multi_draw();
    let expected = if ctx.gl().version().is_embedded { 1 } else { 3 };
    assert_eq!(paths(&multi_draw).len(), expected, "{multi_draw:?}");
    for path in paths(&multi_draw) {
        let mut domain = InstancedVertexDomain::new(
            ctx.gl(),
            multi_draw.clone(),
            mesh_format(),
            instance_format(),
            8,
            8,
        )
        .unwrap();
        domain.set_instance_draw(path).unwrap();
        let (square, triangle) = plain_meshes(&mut domain);
        scenario(
            ctx,
            &mut domain,
            square,
            triangle,
            &format!("plain, {path:?}"),
        );
    }
}

fn indexed_instanced_meshes_draw_their_instances_by_every_path(ctx: &HeadlessContext) {
    let multi_draw = ctx.multi_draw();
    for path in paths(&multi_draw) {
        let mut domain = InstancedIndexedVertexDomain::new(
            ctx.gl(),
            multi_draw.clone(),
            mesh_format(),
            instance_format(),
            8,
            8,
            8,
        )
        .unwrap();
        domain.set_instance_draw(path).unwrap();
        let square = domain.create(4, 6).unwrap();
        domain.write(square, "position", &SQUARE).unwrap();
        domain.write_indices(square, &common::QUAD_INDICES).unwrap();
        let triangle = domain.create(3, 3).unwrap();
        domain.write(triangle, "position", &TRIANGLE).unwrap();
        domain.write_indices(triangle, &[0, 1, 2]).unwrap();
        scenario(
            ctx,
            &mut domain,
            square,
            triangle,
            &format!("indexed, {path:?}"),
        );
    }
}

fn without_base_instance_the_domain_repoints_and_refuses_the_other_paths(ctx: &HeadlessContext) {
    let multi_draw = ctx.multi_draw().without_base_instance();
    let mut domain =
        InstancedVertexDomain::new(ctx.gl(), multi_draw, mesh_format(), instance_format(), 8, 8)
            .unwrap();
    assert_eq!(domain.instance_draw(), InstanceDraw::Repoint);
    for path in [InstanceDraw::BaseInstance, InstanceDraw::MultiDrawIndirect] {
        assert_eq!(
            domain.set_instance_draw(path),
            Err(DomainError::Unsupported(path))
        );
    }
    let (square, triangle) = plain_meshes(&mut domain);
    scenario(
        ctx,
        &mut domain,
        square,
        triangle,
        "plain, no base instance",
    );
}

fn instances_migrate_between_domains_with_their_records(ctx: &HeadlessContext) {
    let target = RenderTarget::new(ctx.gl(), SIZE, SIZE).unwrap();
    target.bind();
    let program = program(ctx.gl());
    program.use_program();
    let new = || {
        let mut domain = InstancedVertexDomain::new(
            ctx.gl(),
            ctx.multi_draw(),
            mesh_format(),
            instance_format(),
            8,
            4,
        )
        .unwrap();
        let square = domain.create(6).unwrap();
        let [a, b, c, d] = SQUARE;
        domain
            .write(square, "position", &[a, b, c, a, c, d])
            .unwrap();
        (domain, square)
    };
    let (mut first, first_square) = new();
    let (mut second, second_square) = new();
    let ids: Vec<_> = (0..5)
        .map(|cell| place(&mut first, first_square, cell))
        .collect();
    let moved = first
        .migrate_instance(ids[2], &mut second, second_square)
        .unwrap();
    assert_eq!(
        first.write_instance(ids[2], "tint", tint(2)),
        Err(DomainError::StaleList)
    );
    assert_eq!(
        first.migrate(first_square, &mut second),
        Err(DomainError::MeshHasInstances { instances: 4 })
    );
    target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
    first.draw(Primitive::Triangles).unwrap();
    let pixels = target.read_pixels().unwrap();
    let mut expected = [None; CELLS];
    for cell in [0, 1, 3, 4] {
        expected[cell] = Some(Shape::Square);
    }
    check(&pixels, &expected, "the source after migrating cell 2");
    target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
    second.draw(Primitive::Triangles).unwrap();
    let mut expected = [None; CELLS];
    expected[2] = Some(Shape::Square);
    check(&target.read_pixels().unwrap(), &expected, "the target");
    assert_eq!(second.mesh_of(moved), Ok(second_square));
}

common::on_gl_core_and_gles3!(
    plain_instanced_meshes_draw_their_instances_by_every_path,
    indexed_instanced_meshes_draw_their_instances_by_every_path,
    without_base_instance_the_domain_repoints_and_refuses_the_other_paths,
    instances_migrate_between_domains_with_their_records,
);
