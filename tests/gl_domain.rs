//! Vertex domains on a real headless GL context: handles, growth by GPU copy, growth
//! failure, indexed lists whose vertices move, migration and formats. Every test runs on a GL
//! core context and on a GLES 3 context.

mod common;

use vertex_domain::backend::{
    Attribute, ComponentType, FormatError, GlError, RenderTarget, VertexFormat,
};
use vertex_domain::domain::{DomainError, IndexedVertexDomain, Primitive, VertexDomain};
use vertex_domain::headless::HeadlessContext;

use common::format;

fn domain(ctx: &HeadlessContext, capacity: usize) -> VertexDomain {
    VertexDomain::new(ctx.gl(), ctx.multi_draw(), format(), capacity).unwrap()
}

fn indexed(ctx: &HeadlessContext, capacity: usize) -> IndexedVertexDomain {
    IndexedVertexDomain::new(ctx.gl(), ctx.multi_draw(), format(), capacity, capacity).unwrap()
}

fn positions(n: usize, seed: f32) -> Vec<[f32; 2]> {
    (0..n)
        .map(|i| [seed + i as f32, -seed * i as f32])
        .collect()
}

fn colours(n: usize, seed: u8) -> Vec<[u8; 4]> {
    (0..n)
        .map(|i| [seed, i as u8, seed.wrapping_mul(3), 255])
        .collect()
}

fn written_data_reads_back_by_index_and_by_name(ctx: &HeadlessContext) {
    let mut d = domain(ctx, 16);
    let list = d.create(5).unwrap();
    d.write(list, "position", &positions(5, 1.5)).unwrap();
    d.write(list, 1, &colours(5, 7)).unwrap();
    assert_eq!(d.read::<[f32; 2]>(list, 0).unwrap(), positions(5, 1.5));
    assert_eq!(d.read::<[u8; 4]>(list, "colour").unwrap(), colours(5, 7));
    assert_eq!(d.read::<f32>(list, "position").unwrap().len(), 10);
}

fn data_of_the_wrong_length_or_an_unknown_attribute_is_refused(ctx: &HeadlessContext) {
    let mut d = domain(ctx, 16);
    let list = d.create(4).unwrap();
    d.write(list, "position", &positions(4, 2.0)).unwrap();
    assert_eq!(
        d.write(list, "position", &positions(3, 9.0)),
        Err(DomainError::VertexCount {
            attribute: "position".into(),
            expected: 4,
            per_vertex: 2,
            components: 6
        })
    );
    assert_eq!(
        d.write_bytes(list, "position", &[0u8; 24]),
        Err(DomainError::DataLength {
            attribute: "position".into(),
            expected: 32,
            got: 24
        })
    );
    assert_eq!(
        d.write(list, "normal", &positions(4, 9.0)),
        Err(DomainError::UnknownAttribute("normal".into()))
    );
    assert!(matches!(
        d.write(list, 2, &positions(4, 9.0)),
        Err(DomainError::UnknownAttribute(_))
    ));
    // Nothing was lost to the refused writes.
    assert_eq!(d.read::<[f32; 2]>(list, 0).unwrap(), positions(4, 2.0));
}

fn a_deleted_handle_is_stale_and_never_reaches_the_list_that_reuses_its_slot(
    ctx: &HeadlessContext,
) {
    let mut d = domain(ctx, 16);
    let old = d.create(4).unwrap();
    d.delete(old).unwrap();
    let new = d.create(4).unwrap();
    d.write(new, 0, &positions(4, 3.0)).unwrap();
    assert_eq!(
        d.write(old, 0, &positions(4, 0.0)),
        Err(DomainError::StaleList)
    );
    assert_eq!(d.read::<[f32; 2]>(old, 0), Err(DomainError::StaleList));
    assert_eq!(d.resize(old, 8), Err(DomainError::StaleList));
    assert_eq!(d.delete(old), Err(DomainError::StaleList));
    assert_eq!(d.read::<[f32; 2]>(new, 0).unwrap(), positions(4, 3.0));
    assert_eq!(d.len(), 1);
}

fn a_handle_used_on_another_domain_is_refused(ctx: &HeadlessContext) {
    let mut a = domain(ctx, 16);
    let mut b = domain(ctx, 16);
    let list = a.create(4).unwrap();
    let _ = b.create(4).unwrap();
    assert_eq!(b.delete(list), Err(DomainError::WrongDomain));
    assert_eq!(a.vertex_count(list), Ok(4));
}

fn growth_doubles_every_buffer_by_gpu_copy_and_uploads_nothing(ctx: &HeadlessContext) {
    let mut d = domain(ctx, 16);
    let first = d.create(16).unwrap();
    d.write(first, 0, &positions(16, 4.0)).unwrap();
    d.write(first, 1, &colours(16, 9)).unwrap();
    d.flush().unwrap();
    let before = d.stats();
    let names = d.buffer_names();
    assert_eq!(before.uploaded_bytes, 16 * 8 + 16 * 4);

    // 16 + 17 vertices need 33 slots: every buffer goes to the next power of two, 64.
    let second = d.create(17).unwrap();
    d.flush().unwrap();
    let after = d.stats();
    assert_eq!(d.vertex_capacity(), 64);
    assert_eq!(
        after.uploaded_bytes, before.uploaded_bytes,
        "growth uploaded bytes"
    );
    assert_eq!(after.grows, before.grows + 2, "both attribute buffers grew");
    assert_eq!(after.copied_bytes, before.copied_bytes + 16 * 8 + 16 * 4);
    assert!(d.buffer_names().iter().all(|n| !names.contains(n)));
    assert_eq!(d.read::<[f32; 2]>(first, 0).unwrap(), positions(16, 4.0));
    assert_eq!(d.read::<[u8; 4]>(first, 1).unwrap(), colours(16, 9));
    assert_eq!(d.start(second), Ok(16));
}

fn a_growth_that_gl_cannot_make_fails_and_leaves_the_domain_as_it_was(ctx: &HeadlessContext) {
    let mut d = domain(ctx, 16);
    let list = d.create(10).unwrap();
    d.write(list, 0, &positions(10, 5.0)).unwrap();
    d.write(list, 1, &colours(10, 5)).unwrap();
    d.flush().unwrap();
    // Buffers may hold at most 32 * 8 bytes: 64 positions would need 512.
    d.set_max_buffer_bytes(32 * 8);
    let names = d.buffer_names();
    let regions = d.vertex_allocator().allocated_regions();
    let error = d.create(40).unwrap_err();
    assert_eq!(
        error,
        DomainError::Gl(GlError::TooLarge {
            requested: 64 * 8,
            limit: 32 * 8
        })
    );
    assert_eq!(d.buffer_names(), names);
    assert_eq!(d.vertex_capacity(), 16);
    assert_eq!(d.vertex_allocator().allocated_regions(), regions);
    assert_eq!(d.len(), 1);
    assert_eq!(d.read::<[f32; 2]>(list, 0).unwrap(), positions(10, 5.0));
    assert_eq!(d.read::<[u8; 4]>(list, 1).unwrap(), colours(10, 5));
    // A resize that needs the same growth fails the same way and keeps the list.
    assert!(d.resize(list, 50).is_err());
    assert_eq!(d.vertex_count(list), Ok(10));
    assert_eq!(d.read::<[f32; 2]>(list, 0).unwrap(), positions(10, 5.0));
    // Within the cap, growth works again.
    let small = d.create(20).unwrap();
    assert_eq!(d.vertex_capacity(), 32);
    assert_eq!(d.vertex_count(small), Ok(20));
}

fn a_buffer_past_the_gl_size_limit_is_refused_without_touching_the_domain(ctx: &HeadlessContext) {
    let mut d = domain(ctx, 16);
    let list = d.create(3).unwrap();
    d.write(list, 0, &positions(3, 1.0)).unwrap();
    // 2^28 vertices * 8 bytes = 2 GiB: over GL's signed 32-bit size.
    assert!(matches!(
        d.create(1 << 28),
        Err(DomainError::Gl(GlError::TooLarge { .. }))
    ));
    assert_eq!(d.vertex_capacity(), 16);
    assert_eq!(d.read::<[f32; 2]>(list, 0).unwrap(), positions(3, 1.0));
}

fn a_resized_list_keeps_its_data_when_it_moves(ctx: &HeadlessContext) {
    let mut d = domain(ctx, 16);
    let a = d.create(4).unwrap();
    let b = d.create(4).unwrap();
    d.write(a, 0, &positions(4, 1.0)).unwrap();
    d.write(b, 0, &positions(4, 2.0)).unwrap();
    // `a` cannot grow in place (b follows it), so it moves.
    d.resize(a, 12).unwrap();
    assert_ne!(d.start(a), Ok(0));
    assert_eq!(
        &d.read::<[f32; 2]>(a, 0).unwrap()[..4],
        &positions(4, 1.0)[..]
    );
    d.resize(a, 2).unwrap();
    assert_eq!(d.read::<[f32; 2]>(a, 0).unwrap(), positions(2, 1.0));
    assert_eq!(d.read::<[f32; 2]>(b, 0).unwrap(), positions(4, 2.0));
}

fn indices_are_rewritten_when_a_resize_moves_the_vertices(ctx: &HeadlessContext) {
    // pyglet's IndexedVertexList.resize leaves stale absolute indices behind.
    let mut d = indexed(ctx, 16);
    let a = d.create(4, 6).unwrap();
    let b = d.create(4, 6).unwrap();
    d.write_indices(a, &[0, 1, 2, 0, 2, 3]).unwrap();
    d.write_indices(b, &[3, 2, 1, 3, 1, 0]).unwrap();
    let start = d.start(a).unwrap();
    d.resize(a, 8, 9).unwrap();
    assert_ne!(d.start(a).unwrap(), start, "the vertices must have moved");
    assert_eq!(d.read_indices(a).unwrap(), vec![0, 1, 2, 0, 2, 3, 0, 0, 0]);
    assert_eq!(d.read_indices(b).unwrap(), vec![3, 2, 1, 3, 1, 0]);
    // Shrinking the vertices re-points indices that would name a dropped vertex.
    d.resize(a, 2, 6).unwrap();
    assert_eq!(d.read_indices(a).unwrap(), vec![0, 1, 0, 0, 0, 0]);
}

fn out_of_range_or_miscounted_indices_are_refused(ctx: &HeadlessContext) {
    let mut d = indexed(ctx, 16);
    let list = d.create(3, 3).unwrap();
    d.write_indices(list, &[0, 1, 2]).unwrap();
    assert_eq!(
        d.write_indices(list, &[0, 1, 3]),
        Err(DomainError::IndexOutOfRange {
            index: 3,
            vertex_count: 3
        })
    );
    assert_eq!(
        d.write_indices(list, &[0, 1]),
        Err(DomainError::IndexCount {
            expected: 3,
            got: 2
        })
    );
    assert!(d.create(0, 3).is_err());
    assert_eq!(d.read_indices(list).unwrap(), vec![0, 1, 2]);
}

fn an_indexed_domain_grows_its_index_buffer_and_keeps_drawing_from_it(ctx: &HeadlessContext) {
    // 20 quads in a 5 × 4 grid of 4-pixel cells, each its own colour, added one by one to a
    // domain of 4 slots, so both buffers grow several times while lists are live.
    let (columns, cell) = (5u32, 4u32);
    let (width, height) = (columns * cell, 4 * cell);
    let target = RenderTarget::new(ctx.gl(), width, height).unwrap();
    target.bind();
    let program = common::colour_program(ctx.gl());
    let mut d = indexed(ctx, 4);
    let colour_of = |i: u32| [40 + 10 * i as u8, 255 - 10 * i as u8, 7 * i as u8, 255];
    let lists: Vec<_> = (0..20u32)
        .map(|i| {
            let list = d.create(4, 6).unwrap();
            let (x, y) = ((i % columns * cell) as f32, (i / columns * cell) as f32);
            let ndc = |px: f32, size: u32| px / size as f32 * 2.0 - 1.0;
            let (x0, x1) = (ndc(x, width), ndc(x + cell as f32, width));
            let (y0, y1) = (ndc(y, height), ndc(y + cell as f32, height));
            d.write(list, 0, &[[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
                .unwrap();
            d.write(list, 1, &[colour_of(i); 4]).unwrap();
            d.write_indices(list, &[0, 1, 2, 0, 2, 3]).unwrap();
            list
        })
        .collect();
    assert!(d.index_capacity() >= 120);
    assert!(d.vertex_capacity() >= 80);
    assert_eq!(
        d.stats().grows,
        2 * 5 + 5,
        "4..128 vertices in 2 buffers, 4..128 indices"
    );
    for &list in &lists {
        assert_eq!(d.read_indices(list).unwrap(), vec![0, 1, 2, 0, 2, 3]);
    }
    target.clear([0.0, 0.0, 0.0, 0.0]).unwrap();
    program.use_program();
    assert_eq!(d.draw(Primitive::Triangles).unwrap(), 1);
    let pixels = target.read_pixels().unwrap();
    for i in 0..20u32 {
        let (x, y) = (i % columns * cell + cell / 2, i / columns * cell + cell / 2);
        assert_eq!(
            common::pixel(&pixels, width, x, y),
            colour_of(i),
            "quad {i}"
        );
    }
}

fn migration_moves_the_data_and_retires_the_old_handle(ctx: &HeadlessContext) {
    let mut a = indexed(ctx, 16);
    let mut b = indexed(ctx, 16);
    let filler = b.create(5, 3).unwrap();
    let list = a.create(4, 6).unwrap();
    a.write(list, 0, &positions(4, 6.0)).unwrap();
    a.write(list, 1, &colours(4, 6)).unwrap();
    a.write_indices(list, &[0, 1, 2, 2, 3, 0]).unwrap();
    let moved = a.migrate(list, &mut b).unwrap();
    assert_eq!(a.len(), 0);
    assert_eq!(a.read_indices(list), Err(DomainError::StaleList));
    assert_eq!(b.start(moved), Ok(5));
    assert_eq!(b.read::<[f32; 2]>(moved, 0).unwrap(), positions(4, 6.0));
    assert_eq!(b.read::<[u8; 4]>(moved, 1).unwrap(), colours(4, 6));
    assert_eq!(b.read_indices(moved).unwrap(), vec![0, 1, 2, 2, 3, 0]);
    assert_eq!(b.vertex_count(filler), Ok(5));

    let mut plain = domain(ctx, 16);
    let mut other = domain(ctx, 16);
    let list = plain.create(3).unwrap();
    plain.write(list, 0, &positions(3, 8.0)).unwrap();
    let moved = plain.migrate(list, &mut other).unwrap();
    assert_eq!(other.read::<[f32; 2]>(moved, 0).unwrap(), positions(3, 8.0));
}

fn migration_between_formats_is_refused_and_keeps_the_list(ctx: &HeadlessContext) {
    let mut a = domain(ctx, 16);
    let other_format =
        VertexFormat::new(vec![Attribute::new("position", 0, 3, ComponentType::F32)]).unwrap();
    let mut b = VertexDomain::new(ctx.gl(), ctx.multi_draw(), other_format, 16).unwrap();
    let list = a.create(3).unwrap();
    a.write(list, 0, &positions(3, 1.0)).unwrap();
    assert!(matches!(
        a.migrate(list, &mut b),
        Err(DomainError::FormatMismatch { .. })
    ));
    assert_eq!(a.read::<[f32; 2]>(list, 0).unwrap(), positions(3, 1.0));
    assert!(b.is_empty());
}

fn a_location_the_context_lacks_is_refused(ctx: &HeadlessContext) {
    let format = VertexFormat::new(vec![Attribute::new("p", 4096, 2, ComponentType::F32)]).unwrap();
    let error = VertexDomain::new(ctx.gl(), ctx.multi_draw(), format, 16).unwrap_err();
    assert!(matches!(
        error,
        DomainError::Format(FormatError::LocationOutOfRange { location: 4096, .. })
    ));
}

fn a_whole_domain_draws_in_one_call_and_strips_draw_one_range_per_list(ctx: &HeadlessContext) {
    let target = RenderTarget::new(ctx.gl(), 32, 32).unwrap();
    target.bind();
    let program = common::colour_program(ctx.gl());
    program.use_program();
    let mut d = domain(ctx, 64);
    let lists: Vec<_> = (0..5).map(|_| d.create(3).unwrap()).collect();
    for &list in &lists {
        d.write(list, 0, &positions(3, 0.0)).unwrap();
        d.write(list, 1, &colours(3, 0)).unwrap();
    }
    d.delete(lists[2]).unwrap();
    assert_eq!(d.draw(Primitive::Triangles), Ok(1));
    assert_eq!(d.draw(Primitive::TriangleStrip), Ok(1));
    assert_eq!(d.draw_list(lists[0], Primitive::Triangles), Ok(1));

    let mut single = VertexDomain::new(
        ctx.gl(),
        vertex_domain::backend::MultiDraw::single_draws(),
        format(),
        64,
    )
    .unwrap();
    let lists: Vec<_> = (0..5).map(|_| single.create(3).unwrap()).collect();
    single.delete(lists[2]).unwrap();
    // Two aggregate regions remain; strips need one range per list.
    assert_eq!(single.draw(Primitive::Triangles), Ok(2));
    assert_eq!(single.draw(Primitive::TriangleStrip), Ok(4));
    let empty = domain(ctx, 16).draw(Primitive::Triangles);
    assert_eq!(empty, Ok(0));
}

fn indices_written_right_after_create_are_uploaded_once(ctx: &HeadlessContext) {
    let mut d = indexed(ctx, 16);
    let list = d.create(4, 6).unwrap();
    d.write_indices(list, &[0, 1, 2, 0, 2, 3]).unwrap();
    d.flush().unwrap();
    assert_eq!(d.stats().uploaded_bytes, 6 * 4);
    assert_eq!(d.read_indices(list).unwrap(), vec![0, 1, 2, 0, 2, 3]);
}

common::on_gl_core_and_gles3!(
    written_data_reads_back_by_index_and_by_name,
    data_of_the_wrong_length_or_an_unknown_attribute_is_refused,
    a_deleted_handle_is_stale_and_never_reaches_the_list_that_reuses_its_slot,
    a_handle_used_on_another_domain_is_refused,
    growth_doubles_every_buffer_by_gpu_copy_and_uploads_nothing,
    a_growth_that_gl_cannot_make_fails_and_leaves_the_domain_as_it_was,
    a_buffer_past_the_gl_size_limit_is_refused_without_touching_the_domain,
    a_resized_list_keeps_its_data_when_it_moves,
    indices_are_rewritten_when_a_resize_moves_the_vertices,
    out_of_range_or_miscounted_indices_are_refused,
    an_indexed_domain_grows_its_index_buffer_and_keeps_drawing_from_it,
    migration_moves_the_data_and_retires_the_old_handle,
    migration_between_formats_is_refused_and_keeps_the_list,
    a_location_the_context_lacks_is_refused,
    a_whole_domain_draws_in_one_call_and_strips_draw_one_range_per_list,
    indices_written_right_after_create_are_uploaded_once,
);
