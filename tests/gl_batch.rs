//! Batches on a real headless GL context: group order and visibility, one domain per
//! (group, format, primitive, indexed), pruning of empty domains, a draw list rebuilt only on
//! change, migration between groups, and overlap order in pixels.

mod common;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::sync::{Arc, Mutex};

use vertex_domain::backend::{Attribute, ComponentType, GlError, RenderTarget, VertexFormat};
use vertex_domain::batch::{Batch, BatchError, GroupId, ProgramGroup, StateGroup};
use vertex_domain::domain::{DomainError, Primitive};

use common::format;

type Log = Arc<Mutex<Vec<String>>>;

/// A group that records when its state is set and unset.
fn logging(log: &Log, name: &'static str) -> StateGroup {
    let (set_log, unset_log) = (Arc::clone(log), Arc::clone(log));
    StateGroup::new(
        move |_| {
            set_log.lock().unwrap().push(format!("+{name}"));
            Ok::<(), GlError>(())
        },
        move |_| {
            unset_log.lock().unwrap().push(format!("-{name}"));
            Ok(())
        },
    )
}

#[test]
fn groups_draw_by_order_children_inside_parents_and_hidden_subtrees_are_skipped() {
    let ctx = common::context();
    let target = RenderTarget::new(ctx.gl(), 8, 8).unwrap();
    target.bind();
    // The groups set no program; WebGL draws nothing without one.
    let program = common::colour_program(ctx.gl());
    program.use_program();
    let log = Log::default();
    let mut batch = Batch::new(ctx.gl(), ctx.multi_draw());
    let a = batch.add_group(logging(&log, "a"), 1, None).unwrap();
    let b = batch.add_group(logging(&log, "b"), 0, None).unwrap();
    let c = batch.add_group(logging(&log, "c"), 5, Some(a)).unwrap();
    let d = batch.add_group(logging(&log, "d"), -1, Some(a)).unwrap();
    for group in [a, b, c, d] {
        batch.add(group, &format(), Primitive::Points, 1).unwrap();
    }
    let stats = batch.draw().unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        ["+b", "-b", "+a", "+d", "-d", "+c", "-c", "-a"]
    );
    assert_eq!((stats.groups, stats.domains, stats.draw_calls), (4, 4, 4));

    log.lock().unwrap().clear();
    batch.set_visible(a, false).unwrap();
    let stats = batch.draw().unwrap();
    assert_eq!(*log.lock().unwrap(), ["+b", "-b"]);
    assert_eq!(stats.domains, 1);

    log.lock().unwrap().clear();
    batch.set_visible(a, true).unwrap();
    batch.set_order(b, 2).unwrap();
    batch.draw().unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        ["+a", "+d", "-d", "+c", "-c", "-a", "+b", "-b"]
    );
}

#[test]
fn lists_share_a_domain_only_with_the_same_group_format_primitive_and_indexing() {
    let ctx = common::context();
    let log = Log::default();
    let mut batch = Batch::new(ctx.gl(), ctx.multi_draw());
    let g = batch.add_group(logging(&log, "g"), 0, None).unwrap();
    let h = batch.add_group(logging(&log, "h"), 0, None).unwrap();
    for _ in 0..10 {
        batch.add(g, &format(), Primitive::Triangles, 3).unwrap();
    }
    assert_eq!(batch.domain_count(), 1);
    batch.add(g, &format(), Primitive::Lines, 2).unwrap();
    assert_eq!(batch.domain_count(), 2);
    batch
        .add_indexed(g, &format(), Primitive::Triangles, 3, &[0, 1, 2])
        .unwrap();
    assert_eq!(batch.domain_count(), 3);
    batch.add(h, &format(), Primitive::Triangles, 3).unwrap();
    assert_eq!(batch.domain_count(), 4);
    let other = VertexFormat::new(vec![Attribute::new("position", 0, 3, ComponentType::F32)]);
    batch
        .add(g, &other.unwrap(), Primitive::Triangles, 3)
        .unwrap();
    assert_eq!(batch.domain_count(), 5);
}

#[test]
fn empty_domains_are_pruned_and_the_draw_list_is_rebuilt_only_after_a_change() {
    let ctx = common::context();
    let target = RenderTarget::new(ctx.gl(), 8, 8).unwrap();
    target.bind();
    // The groups set no program; WebGL draws nothing without one.
    let program = common::colour_program(ctx.gl());
    program.use_program();
    let log = Log::default();
    let mut batch = Batch::new(ctx.gl(), ctx.multi_draw());
    let g = batch.add_group(logging(&log, "g"), 0, None).unwrap();
    let keep = batch.add(g, &format(), Primitive::Points, 4).unwrap();
    let lines = batch.add(g, &format(), Primitive::Lines, 2).unwrap();
    batch.draw().unwrap();
    batch.draw().unwrap();
    batch.write(keep, 0, &[[0.5f32, 0.5]; 4]).unwrap();
    batch.draw().unwrap();
    assert_eq!(
        batch.draw_list_rebuilds(),
        1,
        "nothing changed between draws"
    );

    batch.delete(lines).unwrap();
    let stats = batch.draw().unwrap();
    assert_eq!(batch.domain_count(), 1, "the empty line domain is dropped");
    assert_eq!(stats.domains, 1);
    assert_eq!(batch.draw_list_rebuilds(), 2);
    batch.draw().unwrap();
    assert_eq!(batch.draw_list_rebuilds(), 2);
    assert_eq!(
        batch.delete(lines),
        Err(BatchError::Domain(DomainError::StaleList))
    );
    assert_eq!(batch.read::<[f32; 2]>(keep, 0).unwrap(), [[0.5, 0.5]; 4]);
}

#[test]
fn an_unknown_group_is_refused() {
    let ctx = common::context();
    let mut batch = Batch::new(ctx.gl(), ctx.multi_draw());
    let mut other = Batch::new(ctx.gl(), ctx.multi_draw());
    let log = Log::default();
    let g = other.add_group(logging(&log, "g"), 0, None).unwrap();
    assert_eq!(
        batch.add(g, &format(), Primitive::Points, 1),
        Err(BatchError::UnknownGroup(g))
    );
    assert!(batch.add_group(logging(&log, "x"), 0, Some(g)).is_err());
    assert_eq!(batch.domain_count(), 0);
}

#[test]
fn a_list_migrates_to_another_group_with_its_data() {
    let ctx = common::context();
    let log = Log::default();
    let mut batch = Batch::new(ctx.gl(), ctx.multi_draw());
    let g = batch.add_group(logging(&log, "g"), 0, None).unwrap();
    let h = batch.add_group(logging(&log, "h"), 0, None).unwrap();
    let list = batch
        .add_indexed(g, &format(), Primitive::Triangles, 3, &[2, 1, 0])
        .unwrap();
    batch.write(list, "position", &[[1.0f32, 2.0]; 3]).unwrap();
    let moved = batch.migrate(list, h).unwrap();
    assert_eq!(batch.read::<[f32; 2]>(moved, 0).unwrap(), [[1.0, 2.0]; 3]);
    assert!(batch.read::<[f32; 2]>(list, 0).is_err());
}

/// Two overlapping squares in two groups: the group drawn later covers the other.
#[test]
fn the_later_group_draws_on_top() {
    let ctx = common::context();
    let target = RenderTarget::new(ctx.gl(), 16, 16).unwrap();
    target.bind();
    let mut batch = Batch::new(ctx.gl(), ctx.multi_draw());
    let program = Arc::new(common::colour_program(ctx.gl()));
    let root = batch
        .add_group(ProgramGroup::new(program), 0, None)
        .unwrap();
    let log = Log::default();
    let layer = |batch: &mut Batch, order| -> GroupId {
        batch
            .add_group(logging(&log, "layer"), order, Some(root))
            .unwrap()
    };
    let (red, green) = (layer(&mut batch, 0), layer(&mut batch, 1));
    for (group, colour) in [(red, [255u8, 0, 0, 255]), (green, [0, 255, 0, 255])] {
        let list = batch
            .add_indexed(
                group,
                &format(),
                Primitive::Triangles,
                4,
                &[0, 1, 2, 0, 2, 3],
            )
            .unwrap();
        let square = [[-1.0f32, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]];
        batch.write(list, 0, &square).unwrap();
        batch.write(list, 1, &[colour; 4]).unwrap();
    }
    target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
    batch.draw().unwrap();
    let pixels = target.read_pixels().unwrap();
    assert_eq!(common::pixel(&pixels, 16, 8, 8), [0, 255, 0, 255]);

    batch.set_order(red, 2).unwrap();
    target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
    batch.draw().unwrap();
    let pixels = target.read_pixels().unwrap();
    assert_eq!(common::pixel(&pixels, 16, 8, 8), [255, 0, 0, 255]);
}

/// A program for instanced squares: the mesh's `corner` (location 0) moved by the instance's
/// `offset` (location 2), in the instance's `tint` (location 3).
fn instance_program(gl: &Arc<glow::Context>) -> vertex_domain::backend::Program {
    let version = vertex_domain::backend::ShaderVersion::for_context(gl);
    let vertex = version.source(
        "in vec2 corner;\nin vec2 offset;\nin vec4 tint;\nout vec4 v_colour;\n\
         void main() { v_colour = tint; gl_Position = vec4(corner + offset, 0.0, 1.0); }",
    );
    let fragment = version
        .source("in vec4 v_colour;\nout vec4 out_colour;\nvoid main() { out_colour = v_colour; }");
    vertex_domain::backend::Program::builder(gl, &vertex, &fragment)
        .bind_attribute("corner", 0)
        .bind_attribute("offset", 2)
        .bind_attribute("tint", 3)
        .build()
        .unwrap()
}

#[test]
fn instanced_meshes_draw_in_their_groups_place_and_instances_move_between_groups() {
    let ctx = common::context();
    let gl = ctx.gl();
    let target = RenderTarget::new(gl, 16, 16).unwrap();
    target.bind();
    let mut batch = Batch::new(gl, ctx.multi_draw());
    let colours = batch
        .add_group(
            ProgramGroup::new(Arc::new(common::colour_program(gl))),
            0,
            None,
        )
        .unwrap();
    let instanced = batch
        .add_group(ProgramGroup::new(Arc::new(instance_program(gl))), 1, None)
        .unwrap();
    let other = batch
        .add_group(ProgramGroup::new(Arc::new(instance_program(gl))), 2, None)
        .unwrap();
    // A red full-screen list in the first group.
    let red = batch
        .add(colours, &format(), Primitive::Triangles, 6)
        .unwrap();
    batch.write(red, "position", &common::FULL_SCREEN).unwrap();
    batch
        .write(red, "colour", &[[255u8, 0, 0, 255]; 6])
        .unwrap();
    // The left half's square, instanced in the second group.
    let mesh_format =
        VertexFormat::new(vec![Attribute::new("corner", 0, 2, ComponentType::F32)]).unwrap();
    let instance_format = VertexFormat::new(vec![
        Attribute::new("offset", 2, 2, ComponentType::F32),
        Attribute::new("tint", 3, 4, ComponentType::U8).normalized(),
    ])
    .unwrap();
    let quad = [[0.0f32, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
    let mut mesh = |group| {
        let mesh = batch
            .add_mesh(
                group,
                &mesh_format,
                &instance_format,
                Primitive::Triangles,
                4,
                Some(&common::QUAD_INDICES),
            )
            .unwrap();
        batch.write(mesh, "corner", &quad).unwrap();
        mesh
    };
    let (here, there) = (mesh(instanced), mesh(other));
    let green = batch.add_instance(here).unwrap();
    batch
        .write_instance(green, "offset", [-1.0f32, -1.0])
        .unwrap();
    batch.write_instance(green, 1, [0u8, 255, 0, 255]).unwrap();
    let blue = batch.add_instance(here).unwrap();
    batch.write_instance(blue, "offset", [0.0f32, 0.0]).unwrap();
    batch
        .write_instance(blue, "tint", [0u8, 0, 255, 255])
        .unwrap();

    let render = |batch: &mut Batch| {
        target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        let stats = batch.draw().unwrap();
        (stats, target.read_pixels().unwrap())
    };
    let at = |pixels: &[u8], x, y| common::pixel(pixels, 16, x, y);
    let (stats, pixels) = render(&mut batch);
    // The red list, then one instanced call for the mesh with instances; the empty mesh
    // draws nothing.
    assert_eq!((stats.domains, stats.draw_calls), (3, 2));
    assert_eq!(
        at(&pixels, 4, 4),
        [0, 255, 0, 255],
        "instances draw after group 0"
    );
    assert_eq!(at(&pixels, 12, 12), [0, 0, 255, 255]);
    assert_eq!(at(&pixels, 12, 4), [255, 0, 0, 255]);

    batch.set_order(colours, 5).unwrap();
    let (_, pixels) = render(&mut batch);
    assert_eq!(
        at(&pixels, 4, 4),
        [255, 0, 0, 255],
        "and before it when ordered after"
    );
    batch.set_order(colours, 0).unwrap();

    // Moved to the other group's mesh, record and all; the old handle is stale.
    let moved = batch.migrate_instance(green, there).unwrap();
    assert_eq!(
        batch.write_instance(green, "offset", [0.0f32, 0.0]),
        Err(BatchError::Domain(DomainError::StaleList))
    );
    assert_eq!(batch.mesh_of(moved), Ok(there));
    assert_eq!(
        batch.read_instance::<[f32; 2]>(moved, "offset"),
        Ok(vec![[-1.0, -1.0]])
    );
    batch.set_visible(other, false).unwrap();
    let (_, pixels) = render(&mut batch);
    assert_eq!(at(&pixels, 4, 4), [255, 0, 0, 255], "its group is hidden");
    assert_eq!(at(&pixels, 12, 12), [0, 0, 255, 255]);

    // Deleting a mesh retires its instances.
    batch.delete(here).unwrap();
    assert_eq!(
        batch.delete_instance(blue),
        Err(BatchError::Domain(DomainError::StaleList))
    );
    batch.set_visible(other, true).unwrap();
    let (_, pixels) = render(&mut batch);
    assert_eq!(at(&pixels, 4, 4), [0, 255, 0, 255]);
    assert_eq!(at(&pixels, 12, 12), [255, 0, 0, 255]);
}

#[test]
fn a_batch_list_resizes_in_place_keeping_its_data_handle_and_neighbours() {
    let ctx = common::context();
    let target = RenderTarget::new(ctx.gl(), 8, 8).unwrap();
    target.bind();
    // The groups set no program; WebGL draws nothing without one.
    let program = common::colour_program(ctx.gl());
    program.use_program();
    let mut batch = Batch::new(ctx.gl(), ctx.multi_draw());
    let group = batch
        .add_group(logging(&Log::default(), "g"), 0, None)
        .unwrap();
    let positions = |n: usize, k: f32| -> Vec<[f32; 2]> { (0..n).map(|i| [k, i as f32]).collect() };
    let trail = batch
        .add(group, &format(), Primitive::Triangles, 3)
        .unwrap();
    let next = batch
        .add(group, &format(), Primitive::Triangles, 3)
        .unwrap();
    batch.write(trail, "position", &positions(3, 1.0)).unwrap();
    batch.write(next, "position", &positions(3, 2.0)).unwrap();
    let before = batch.placement(trail).unwrap();

    // Growing past its neighbour moves it (a GPU copy of the kept vertices).
    batch.resize(trail, 3000, 0).unwrap();
    assert_eq!(batch.vertex_count(trail), Ok(3000));
    assert_ne!(batch.placement(trail).unwrap().vertices, before.vertices);
    assert_eq!(
        batch.read::<[f32; 2]>(trail, "position").unwrap()[..3],
        positions(3, 1.0)
    );
    assert_eq!(
        batch.read::<[f32; 2]>(next, "position").unwrap(),
        positions(3, 2.0)
    );
    batch
        .write(trail, "position", &positions(3000, 3.0))
        .unwrap();
    batch.resize(trail, 6, 0).unwrap();
    assert_eq!(
        batch.read::<[f32; 2]>(trail, "position").unwrap(),
        positions(6, 3.0)
    );

    // Not whole triangles, or indices on a list without any: refused, nothing changes.
    assert!(matches!(
        batch.resize(trail, 7, 0),
        Err(BatchError::Domain(DomainError::PartialPrimitive { .. }))
    ));
    assert_eq!(
        batch.resize(trail, 6, 3),
        Err(BatchError::Domain(DomainError::NotIndexed))
    );
    assert_eq!(batch.vertex_count(trail), Ok(6));
    batch.draw().unwrap();
}

#[test]
fn an_indexed_batch_list_resizes_and_takes_new_indices() {
    let ctx = common::context();
    let mut batch = Batch::new(ctx.gl(), ctx.multi_draw());
    let group = batch
        .add_group(logging(&Log::default(), "g"), 0, None)
        .unwrap();
    let bar = batch
        .add_indexed(
            group,
            &format(),
            Primitive::Triangles,
            4,
            &[0, 1, 2, 2, 3, 0],
        )
        .unwrap();
    assert_eq!(
        (batch.vertex_count(bar), batch.index_count(bar)),
        (Ok(4), Ok(6))
    );
    // Kept indices naming a vertex past the new count fall back to the first vertex.
    batch.resize(bar, 3, 9).unwrap();
    assert_eq!(
        batch.read_indices(bar).unwrap(),
        [0, 1, 2, 2, 0, 0, 0, 0, 0]
    );
    batch
        .write_indices(bar, &[2, 1, 0, 0, 1, 2, 1, 2, 0])
        .unwrap();
    assert_eq!(
        batch.read_indices(bar).unwrap(),
        [2, 1, 0, 0, 1, 2, 1, 2, 0]
    );
    assert!(
        batch
            .write_indices(bar, &[0, 1, 3, 0, 1, 2, 0, 1, 2])
            .is_err(),
        "3 is no vertex"
    );
    assert!(
        batch.write_indices(bar, &[0, 1, 2]).is_err(),
        "the list has 9 indices"
    );
    assert!(matches!(
        batch.resize(bar, 3, 4),
        Err(BatchError::Domain(DomainError::PartialPrimitive { .. }))
    ));
    batch.delete(bar).unwrap();
    assert_eq!(
        batch.resize(bar, 3, 3),
        Err(BatchError::Domain(DomainError::StaleList))
    );
}
