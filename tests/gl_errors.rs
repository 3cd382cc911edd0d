//! Error paths on a real context, one test per way a call could once hurt another list or
//! accept misuse: each failure is provoked for real (a buffer cap, a fault armed at a GL
//! step, a GL error queued by the test's own GL code, a group that fails), and each test
//! checks that the call reports it and that every list is as it was.

mod common;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Arc;

use glow::HasContext;
use vertex_domain::backend::fault::{self, Site};
use vertex_domain::backend::{
    check_gl, ComponentType, FormatError, GlError, Program, RenderTarget, ShaderInput,
    ShaderVersion, VertexFormat,
};
use vertex_domain::batch::{Batch, BatchError, ProgramGroup, StateGroup};
use vertex_domain::domain::{DomainError, IndexedVertexDomain, Primitive, VertexDomain};
use vertex_domain::headless::HeadlessContext;
use vertex_domain::scene::{Scene, SceneError, Sprite};

const RED: [u8; 4] = [255, 0, 0, 255];
const GREEN: [u8; 4] = [0, 255, 0, 255];

use common::format;

/// A quad's 4 corners covering `x0..x1` × `y0..y1` in NDC.
fn corners(x0: f32, x1: f32, y0: f32, y1: f32) -> [[f32; 2]; 4] {
    [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]
}

fn a_failed_indexed_resize_keeps_the_list_and_its_slots(ctx: &HeadlessContext) {
    let mut d = IndexedVertexDomain::new(ctx.gl(), ctx.multi_draw(), format(), 8, 16).unwrap();
    let a = d.create(4, 6).unwrap();
    let b = d.create(4, 6).unwrap();
    d.write(a, "position", &corners(-1.0, 0.0, -1.0, 1.0))
        .unwrap();
    d.write(a, "colour", &[RED; 4]).unwrap();
    d.write_indices(a, &common::QUAD_INDICES).unwrap();
    d.write(b, "position", &corners(0.0, 1.0, -1.0, 1.0))
        .unwrap();
    d.write(b, "colour", &[GREEN; 4]).unwrap();
    d.write_indices(b, &common::QUAD_INDICES).unwrap();
    let regions = (
        d.vertex_allocator().allocated_regions(),
        d.index_allocator().allocated_regions(),
    );
    // The vertices could move (8 slots), but the index buffer cannot grow to 2^30 indices.
    let error = d.resize(a, 8, 1 << 30).unwrap_err();
    assert!(
        matches!(error, DomainError::Gl(GlError::TooLarge { .. })),
        "{error}"
    );
    assert_eq!(
        (
            d.vertex_allocator().allocated_regions(),
            d.index_allocator().allocated_regions()
        ),
        regions,
        "the failed resize changed an allocator"
    );
    assert_eq!((d.start(a).unwrap(), d.vertex_count(a).unwrap()), (0, 4));
    // The next list gets fresh slots, not `a`'s, and `a` keeps its data.
    let c = d.create(4, 6).unwrap();
    assert_eq!(d.start(c).unwrap(), 8);
    d.write(c, "colour", &[[0u8, 0, 255, 255]; 4]).unwrap();
    assert_eq!(d.read::<[u8; 4]>(a, "colour").unwrap(), vec![RED; 4]);
    assert_eq!(d.read_indices(a).unwrap(), common::QUAD_INDICES);

    // A creation whose index buffer cannot grow leaks none of the slots it planned.
    d.set_max_buffer_bytes(d.index_capacity() * 4);
    let before = (
        d.vertex_allocator().allocated_regions(),
        d.index_allocator().allocated_regions(),
    );
    assert!(d.create(4, d.index_capacity()).is_err());
    let after = (
        d.vertex_allocator().allocated_regions(),
        d.index_allocator().allocated_regions(),
    );
    assert_eq!(after, before);
}

/// An 8 × 8 target (bound), the colour program, and a domain of exactly 6 vertices (full,
/// so the next create grows it) holding a green quad over the whole target.
fn full_green_domain(ctx: &HeadlessContext) -> (RenderTarget, Program, VertexDomain) {
    let target = RenderTarget::new(ctx.gl(), 8, 8).unwrap();
    target.bind();
    let program = common::colour_program(ctx.gl());
    let mut d = VertexDomain::new(ctx.gl(), ctx.multi_draw(), format(), 6).unwrap();
    let quad = d.create(6).unwrap();
    d.write(quad, "position", &common::FULL_SCREEN).unwrap();
    d.write(quad, "colour", &[GREEN; 6]).unwrap();
    (target, program, d)
}

fn a_growth_whose_vertex_array_cannot_be_repointed_keeps_the_old_buffers(ctx: &HeadlessContext) {
    let (target, program, mut d) = full_green_domain(ctx);
    let names = d.buffer_names();
    fault::fail_at(Site::PointVao, 0);
    let error = d.create(3).unwrap_err();
    assert!(
        !fault::is_armed(),
        "the growth never reached the vertex array"
    );
    assert!(
        matches!(error, DomainError::Gl(GlError::Call { .. })),
        "{error}"
    );
    assert_eq!(d.buffer_names(), names, "a buffer was replaced");
    assert_eq!(d.vertex_capacity(), 6);
    // The vertex array still names live buffers holding the quad.
    target.clear([0.0; 4]).unwrap();
    program.use_program();
    d.draw(Primitive::Triangles).unwrap();
    assert_eq!(
        common::pixel(&target.read_pixels().unwrap(), 8, 4, 4),
        GREEN
    );
}

fn a_vertex_array_left_unsure_by_a_failed_growth_is_repointed_before_the_next_draw(
    ctx: &HeadlessContext,
) {
    let (target, program, mut d) = full_green_domain(ctx);
    program.use_program();
    // A draw of a domain whose VAO is sure does not re-point it.
    fault::fail_at(Site::PointVao, 0);
    d.draw(Primitive::Triangles).unwrap();
    assert!(fault::disarm(), "a sure vertex array was re-pointed");
    // Pointing the VAO at the grown buffers fails, and so does pointing it back.
    fault::fail_repeatedly(Site::PointVao, 0, 2);
    assert!(d.create(3).is_err());
    assert!(
        !fault::is_armed(),
        "the rollback never re-pointed the vertex array"
    );
    // Now the next draw re-points first (shown by a fault there failing the draw), and the
    // one after draws the quad.
    fault::fail_at(Site::PointVao, 0);
    assert!(d.draw(Primitive::Triangles).is_err());
    assert!(
        !fault::is_armed(),
        "the draw did not re-point the unsure vertex array"
    );
    target.clear([0.0; 4]).unwrap();
    d.draw(Primitive::Triangles).unwrap();
    assert_eq!(
        common::pixel(&target.read_pixels().unwrap(), 8, 4, 4),
        GREEN
    );
}

fn a_list_that_is_not_whole_primitives_cannot_garble_its_neighbours(ctx: &HeadlessContext) {
    let target = RenderTarget::new(ctx.gl(), 4, 4).unwrap();
    target.bind();
    let mut d = VertexDomain::new(ctx.gl(), ctx.multi_draw(), format(), 16).unwrap();
    let whole = d.create(6).unwrap();
    let partial = d.create(4).unwrap(); // lines, but not triangles
    d.create(3).unwrap(); // triangles, but not lines
    assert_eq!(
        d.draw(Primitive::Triangles),
        Err(DomainError::PartialPrimitives {
            mode: Primitive::Triangles,
            lists: 1
        })
    );
    assert_eq!(
        d.draw(Primitive::Lines),
        Err(DomainError::PartialPrimitives {
            mode: Primitive::Lines,
            lists: 1
        })
    );
    // Strips draw one range per list, so any count is fine there.
    let program = common::colour_program(ctx.gl());
    program.use_program();
    assert!(d.draw(Primitive::TriangleStrip).is_ok());
    assert!(matches!(
        d.draw_list(partial, Primitive::Triangles),
        Err(DomainError::PartialPrimitive { count: 4, .. })
    ));
    assert!(d.draw_list(whole, Primitive::Triangles).is_ok());
    d.resize(partial, 3).unwrap();
    assert!(d.draw(Primitive::Triangles).is_ok());

    let mut batch = Batch::new(ctx.gl(), ctx.multi_draw());
    let group = batch
        .add_group(ProgramGroup::new(Arc::new(program)), 0, None)
        .unwrap();
    for (mode, count) in [(Primitive::Triangles, 4), (Primitive::Lines, 3)] {
        assert_eq!(
            batch.add(group, &format(), mode, count),
            Err(BatchError::Domain(DomainError::PartialPrimitive {
                mode,
                per_primitive: mode.per_primitive().unwrap(),
                count
            }))
        );
    }
    assert!(batch
        .add_indexed(group, &format(), Primitive::Triangles, 4, &[0, 1, 2, 3])
        .is_err());
    assert_eq!(batch.domain_count(), 0, "a refused list made a domain");
}

fn integer_attributes_reach_the_shader_as_integers(ctx: &HeadlessContext) {
    let gl = ctx.gl();
    let version = ShaderVersion::for_context(gl);
    let vertex = version.source(
        "in vec2 position;\nin int id;\nin uvec2 pair;\nout vec4 v_colour;\n\
         void main() {\n\
           bool ok = id == -7 && pair == uvec2(4000000000u, 3u);\n\
           v_colour = ok ? vec4(0.0, 1.0, 0.0, 1.0) : vec4(1.0, 0.0, 0.0, 1.0);\n\
           gl_Position = vec4(position, 0.0, 1.0);\n\
         }",
    );
    let fragment = version
        .source("in vec4 v_colour;\nout vec4 out_colour;\nvoid main() { out_colour = v_colour; }");
    let program = Program::builder(gl, &vertex, &fragment)
        .bind_attribute("position", 0)
        .bind_attribute("id", 1)
        .bind_attribute("pair", 2)
        .build()
        .unwrap();
    let format = VertexFormat::from_program(&program, &[]).unwrap();
    let inputs: Vec<_> = format.attributes().iter().map(|a| a.input).collect();
    assert_eq!(
        inputs,
        [
            ShaderInput::Float,
            ShaderInput::Integer,
            ShaderInput::Integer
        ]
    );
    let target = RenderTarget::new(gl, 4, 4).unwrap();
    target.bind();
    let mut d = VertexDomain::new(gl, ctx.multi_draw(), format, 6).unwrap();
    let quad = d.create(6).unwrap();
    d.write(quad, "position", &common::FULL_SCREEN).unwrap();
    d.write(quad, "id", &[-7i32; 6]).unwrap();
    d.write(quad, "pair", &[[4_000_000_000u32, 3]; 6]).unwrap();
    target.clear([0.0; 4]).unwrap();
    program.use_program();
    d.draw(Primitive::Triangles).unwrap();
    assert_eq!(
        common::pixel(&target.read_pixels().unwrap(), 4, 2, 2),
        GREEN
    );
}

fn values_of_the_wrong_component_type_or_count_are_refused_in_vertices(ctx: &HeadlessContext) {
    let mut d = VertexDomain::new(ctx.gl(), ctx.multi_draw(), format(), 16).unwrap();
    let list = d.create(4).unwrap();
    d.write(list, "colour", &[RED; 4]).unwrap();
    // 4 f32 colours are 64 bytes, which 16 u8 colours would also be: refused by type.
    assert_eq!(
        d.write(list, "colour", &[[1.0f32, 0.0, 0.0, 1.0]; 4]),
        Err(DomainError::AttributeType {
            attribute: "colour".into(),
            expected: (4, ComponentType::U8),
            got: (4, ComponentType::F32)
        })
    );
    assert!(matches!(
        d.write(list, "position", &[[0.0f32; 3]; 4]),
        Err(DomainError::AttributeType { .. })
    ));
    // Flat scalars are fine when they cover the vertices.
    d.write(list, "position", &[0.5f32; 8]).unwrap();
    let error = d.write(list, "position", &[0.5f32; 7]).unwrap_err();
    assert_eq!(
        error.to_string(),
        "attribute `position` of this list takes 4 vertices of 2 components, got 7 components"
    );
    assert!(matches!(
        d.read::<[f32; 4]>(list, "colour"),
        Err(DomainError::AttributeType { .. })
    ));
    assert_eq!(d.read::<[u8; 4]>(list, "colour").unwrap(), vec![RED; 4]);
}

fn an_error_queued_by_earlier_gl_code_is_reported_as_theirs_and_changes_nothing(
    ctx: &HeadlessContext,
) {
    let gl = ctx.gl();
    let mut d = IndexedVertexDomain::new(gl, ctx.multi_draw(), format(), 4, 6).unwrap();
    let list = d.create(4, 6).unwrap();
    d.write(list, "colour", &[RED; 4]).unwrap();
    let regions = d.vertex_allocator().allocated_regions();
    // SAFETY: an invalid capability only raises GL_INVALID_ENUM.
    unsafe { gl.enable(0) };
    let error = d.create(4, 6).unwrap_err();
    assert!(
        matches!(
            error,
            DomainError::Gl(GlError::QueuedBefore {
                code: glow::INVALID_ENUM,
                ..
            })
        ),
        "{error}"
    );
    assert!(error.to_string().contains("already queued"), "{error}");
    assert_eq!(d.vertex_allocator().allocated_regions(), regions);
    assert_eq!(
        d.vertex_capacity(),
        4,
        "the domain grew for a call that failed first"
    );
    // The error was read and reported, not left for the next call to trip over.
    assert!(d.create(4, 6).is_ok());
    assert_eq!(d.read::<[u8; 4]>(list, "colour").unwrap(), vec![RED; 4]);
}

fn a_failed_sprite_move_to_another_layer_leaves_the_sprite_as_it_was(ctx: &HeadlessContext) {
    let mut scene = Scene::new(ctx.gl(), ctx.multi_draw(), 32, 32).unwrap();
    let image = scene.add_image(4, 4, &[255u8; 64]).unwrap();
    let below = scene.add_layer(0).unwrap();
    let above = scene.add_layer(1).unwrap();
    let id = scene.add(Sprite::new(below, image, 8.0, 8.0)).unwrap();
    // A sprite in the other layer, so its domain exists and the move is a GPU copy.
    scene.add(Sprite::new(above, image, 20.0, 20.0)).unwrap();
    let list = scene.list(id).unwrap();
    let read = |scene: &mut Scene| {
        let batch = scene.batch_mut();
        (
            batch.read::<[f32; 2]>(list, "position").unwrap(),
            batch.read::<[f32; 2]>(list, "translation").unwrap(),
            batch.read::<[u8; 4]>(list, "colour").unwrap(),
        )
    };
    let vertices = read(&mut scene);
    assert_eq!(vertices.2, vec![[255; 4]; 4]);
    let before = *scene.get(id).unwrap();
    fault::fail_at(Site::Copy, 0);
    let error = scene
        .update(id, |s| {
            s.props.layer = above;
            s.props.x = 16.0;
            s.props.colour = [0, 0, 255];
        })
        .unwrap_err();
    assert!(!fault::is_armed(), "the migration never copied");
    assert!(matches!(error, SceneError::Gl(_)), "{error}");
    assert_eq!(*scene.get(id).unwrap(), before);
    assert_eq!(scene.list(id).unwrap(), list, "the sprite's list changed");
    assert_eq!(read(&mut scene), vertices, "the sprite's vertices changed");
    // Once nothing fails, the same update moves it.
    scene.update(id, |s| s.props.layer = above).unwrap();
    assert_eq!(scene.get(id).unwrap().props.layer, above);
}

fn a_group_whose_state_fails_is_skipped_and_the_rest_of_the_batch_still_draws(
    ctx: &HeadlessContext,
) {
    let gl = ctx.gl();
    let target = RenderTarget::new(gl, 8, 8).unwrap();
    target.bind();
    let program = Arc::new(common::colour_program(gl));
    let mut batch = Batch::new(gl, ctx.multi_draw());
    let root = batch
        .add_group(ProgramGroup::new(program), 0, None)
        .unwrap();
    let fail = Arc::new(AtomicBool::new(true));
    let failing = Arc::clone(&fail);
    let unset = Arc::new(AtomicI32::new(0));
    let unset_count = Arc::clone(&unset);
    let broken = StateGroup::new(
        move |gl| {
            // SAFETY: plain state changes; the invalid capability only raises an error.
            unsafe {
                gl.enable(glow::BLEND);
                if failing.load(Ordering::Relaxed) {
                    gl.enable(0);
                }
            }
            check_gl(gl, "broken group")
        },
        move |gl| {
            unset_count.fetch_add(1, Ordering::Relaxed);
            // SAFETY: a plain state change on the current context.
            unsafe { gl.disable(glow::BLEND) };
            Ok(())
        },
    );
    let first = batch.add_group(broken, 0, Some(root)).unwrap();
    let second = batch
        .add_group(StateGroup::new(|_| Ok(()), |_| Ok(())), 1, Some(root))
        .unwrap();
    for (group, x0, colour) in [(first, -1.0, RED), (second, 0.0, GREEN)] {
        let quad = batch
            .add_indexed(
                group,
                &format(),
                Primitive::Triangles,
                4,
                &common::QUAD_INDICES,
            )
            .unwrap();
        batch
            .write(quad, "position", &corners(x0, x0 + 1.0, -1.0, 1.0))
            .unwrap();
        batch.write(quad, "colour", &[colour; 4]).unwrap();
    }
    for frame in 0..2 {
        target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        let error = batch.draw().unwrap_err();
        assert!(
            matches!(error, BatchError::GroupState { group, .. } if group == first),
            "{error}"
        );
        let pixels = target.read_pixels().unwrap();
        assert_eq!(
            common::pixel(&pixels, 8, 1, 4),
            [0, 0, 0, 255],
            "frame {frame}"
        );
        assert_eq!(
            common::pixel(&pixels, 8, 6, 4),
            GREEN,
            "frame {frame}: the rest drew"
        );
        // SAFETY: plain queries on the current context.
        let (blend, current) = unsafe {
            (
                gl.is_enabled(glow::BLEND),
                gl.get_parameter_i32(glow::CURRENT_PROGRAM),
            )
        };
        assert!(!blend, "the failed group's blending was left on");
        assert_eq!(current, 0, "the program group was left set");
        assert_eq!(
            unset.load(Ordering::Relaxed),
            frame + 1,
            "the failed group was not unset"
        );
    }
    fail.store(false, Ordering::Relaxed);
    target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
    batch.draw().unwrap();
    assert_eq!(common::pixel(&target.read_pixels().unwrap(), 8, 1, 4), RED);
}

common::on_gl_core_and_gles3!(
    a_failed_indexed_resize_keeps_the_list_and_its_slots,
    a_growth_whose_vertex_array_cannot_be_repointed_keeps_the_old_buffers,
    a_vertex_array_left_unsure_by_a_failed_growth_is_repointed_before_the_next_draw,
    a_list_that_is_not_whole_primitives_cannot_garble_its_neighbours,
    integer_attributes_reach_the_shader_as_integers,
    values_of_the_wrong_component_type_or_count_are_refused_in_vertices,
    an_error_queued_by_earlier_gl_code_is_reported_as_theirs_and_changes_nothing,
    a_failed_sprite_move_to_another_layer_leaves_the_sprite_as_it_was,
    a_group_whose_state_fails_is_skipped_and_the_rest_of_the_batch_still_draws,
);

/// A sprite cannot go into a particle layer nor into a bare group: that is a type error
/// (`Layer<Particles>` and `GroupId` are not `Layer`), shown by the compile_fail example of
/// the `scene` module docs; what remains to check at run time is another scene's handles.
#[test]
fn ids_and_lists_of_another_batch_and_the_layers_images_and_items_of_another_scene_are_refused() {
    let ctx = common::context();
    let gl = ctx.gl();
    let program = Arc::new(common::colour_program(gl));
    let (mut a, mut b) = (
        Batch::new(gl, ctx.multi_draw()),
        Batch::new(gl, ctx.multi_draw()),
    );
    let group_a = a
        .add_group(ProgramGroup::new(Arc::clone(&program)), 0, None)
        .unwrap();
    let group_b = b.add_group(ProgramGroup::new(program), 0, None).unwrap();
    // Both are the first group of their batch: the same index, and still not confused.
    assert_eq!(
        a.add(group_b, &format(), Primitive::Points, 1),
        Err(BatchError::UnknownGroup(group_b))
    );
    let format_b = b.format_id(&format());
    assert_eq!(
        a.add(group_a, format_b, Primitive::Points, 1),
        Err(BatchError::UnknownFormat)
    );
    let list_b = b.add(group_b, &format(), Primitive::Points, 1).unwrap();
    a.add(group_a, &format(), Primitive::Points, 1).unwrap();
    assert_eq!(
        a.write(list_b, 0, &[[0.0f32; 2]]),
        Err(BatchError::WrongBatch)
    );
    assert_eq!(a.delete(list_b), Err(BatchError::WrongBatch));

    // Two scenes with one image and one layer each, both the first of their scene.
    let scenes = [(); 2].map(|_| {
        let mut scene = Scene::new(gl, ctx.multi_draw(), 16, 16).unwrap();
        let image = scene.add_image(1, 1, &[255; 4]).unwrap();
        let layer = scene.add_layer(0).unwrap();
        (scene, image, layer)
    });
    let [(mut sprites, image, layer), (mut other, other_image, other_layer)] = scenes;
    assert_eq!(
        sprites.add(Sprite::new(other_layer, image, 1.0, 1.0)),
        Err(SceneError::UnknownLayer)
    );
    assert_eq!(
        sprites.add(Sprite::new(layer, other_image, 1.0, 1.0)),
        Err(SceneError::UnknownImage)
    );
    assert_eq!(sprites.count::<Sprite>(), 0, "a refused sprite was added");
    let id = sprites.add(Sprite::new(layer, image, 1.0, 1.0)).unwrap();
    let list = sprites.list(id).unwrap();
    let colours = sprites.batch_mut().read::<[u8; 4]>(list, "colour").unwrap();
    assert_eq!(
        sprites.update(id, |s| {
            s.props.layer = other_layer;
            s.props.colour = [0, 0, 255];
        }),
        Err(SceneError::UnknownLayer)
    );
    assert_eq!(
        sprites.set_layer(id, other_layer),
        Err(SceneError::UnknownLayer)
    );
    assert_eq!(
        sprites.set_image(id, other_image),
        Err(SceneError::UnknownImage)
    );
    let sprite = sprites.get(id).unwrap();
    assert_eq!(
        (sprite.props.layer, sprite.props.colour, sprite.image),
        (layer, [255; 3], image)
    );
    assert_eq!(sprites.list(id).unwrap(), list);
    let batch = sprites.batch_mut();
    assert_eq!(batch.read::<[u8; 4]>(list, "colour").unwrap(), colours);
    // The other scene's first sprite has the same slot, and still is not this one.
    let theirs = other
        .add(Sprite::new(other_layer, other_image, 1.0, 1.0))
        .unwrap();
    assert_eq!(other.get(id), Err(SceneError::UnknownItem("sprite")));
    assert_eq!(
        other.set_position(id, 2.0, 2.0),
        Err(SceneError::UnknownItem("sprite"))
    );
    assert_eq!(
        sprites.remove(theirs),
        Err(SceneError::UnknownItem("sprite"))
    );
    assert_eq!(other.get(theirs).unwrap().props.x, 1.0);
    assert_eq!(sprites.get(id).unwrap().props.x, 1.0);
}

#[test]
fn a_deleted_list_is_reported_deleted_even_into_its_own_group_or_after_its_domain_is_reused() {
    let ctx = common::context();
    let target = RenderTarget::new(ctx.gl(), 4, 4).unwrap();
    target.bind();
    let mut batch = Batch::new(ctx.gl(), ctx.multi_draw());
    let a = batch
        .add_group(StateGroup::new(|_| Ok(()), |_| Ok(())), 0, None)
        .unwrap();
    let b = batch
        .add_group(StateGroup::new(|_| Ok(()), |_| Ok(())), 1, None)
        .unwrap();
    let list = batch.add(a, &format(), Primitive::Points, 1).unwrap();
    batch.delete(list).unwrap();
    let stale = BatchError::Domain(DomainError::StaleList);
    assert_eq!(batch.migrate(list, a), Err(stale.clone()));
    // The draw drops the empty domain; a list of another group takes its slot.
    batch.draw().unwrap();
    assert_eq!(batch.domain_count(), 0);
    let other = batch.add(b, &format(), Primitive::Points, 1).unwrap();
    assert_eq!(batch.placement(other).unwrap().vertices, 0..1);
    assert_eq!(batch.write(list, 0, &[[0.0f32; 2]]), Err(stale.clone()));
    assert_eq!(batch.migrate(list, a), Err(stale));
}

#[test]
fn a_storage_override_or_uniform_the_program_lacks_is_an_error() {
    let ctx = common::context();
    let program = common::colour_program(ctx.gl());
    assert_eq!(
        VertexFormat::from_program(&program, &[("color", ComponentType::U8, true)]),
        Err(FormatError::UnknownOverride("color".into()))
    );
    let format =
        VertexFormat::from_program(&program, &[("colour", ComponentType::U8, true)]).unwrap();
    assert_eq!(format.attributes()[1].input, ShaderInput::Normalized);
    assert_eq!(
        program.uniform_location("viewport"),
        Err(GlError::UnknownUniform("viewport".into()))
    );
}

#[test]
fn gles_shaders_ask_for_high_precision_in_both_stages() {
    let header = ShaderVersion::Glsl300Es.header();
    assert!(header.contains("precision highp float;"), "{header}");
    assert!(header.contains("precision highp int;"), "{header}");
    assert!(!header.contains("mediump"), "{header}");
    // The context honours it: a fragment shader float has at least fp32's 23-bit mantissa.
    let ctx = common::context_gles();
    // SAFETY: a plain query on the current context.
    let (_, bits) = unsafe {
        ctx.gl()
            .get_shader_precision_format(glow::FRAGMENT_SHADER, glow::HIGH_FLOAT)
    }
    .map(|f| (f.range_min, f.precision))
    .unwrap();
    assert!(bits >= 23, "highp float has {bits} bits of precision");
}
