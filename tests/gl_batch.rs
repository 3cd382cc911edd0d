//! Batches on a real headless GL context: group order and visibility, one domain per
//! (group, format, primitive, indexed), pruning of empty domains, a draw list rebuilt only on
//! change, migration between groups, and overlap order in pixels.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use vertex_domain::backend::{Attribute, ComponentType, GlError, RenderTarget, VertexFormat};
use vertex_domain::batch::{Batch, BatchError, GroupId, ProgramGroup, StateGroup};
use vertex_domain::domain::{DomainError, Primitive};

use common::format;

type Log = Rc<RefCell<Vec<String>>>;

/// A group that records when its state is set and unset.
fn logging(log: &Log, name: &'static str) -> StateGroup {
    let (set_log, unset_log) = (Rc::clone(log), Rc::clone(log));
    StateGroup::new(
        move |_| {
            set_log.borrow_mut().push(format!("+{name}"));
            Ok::<(), GlError>(())
        },
        move |_| {
            unset_log.borrow_mut().push(format!("-{name}"));
            Ok(())
        },
    )
}

#[test]
fn groups_draw_by_order_children_inside_parents_and_hidden_subtrees_are_skipped() {
    let ctx = common::context();
    let target = RenderTarget::new(ctx.gl().clone(), 8, 8).unwrap();
    target.bind();
    let log = Log::default();
    let mut batch = Batch::new(ctx.gl(), *ctx.multi_draw());
    let a = batch.add_group(logging(&log, "a"), 1, None).unwrap();
    let b = batch.add_group(logging(&log, "b"), 0, None).unwrap();
    let c = batch.add_group(logging(&log, "c"), 5, Some(a)).unwrap();
    let d = batch.add_group(logging(&log, "d"), -1, Some(a)).unwrap();
    for group in [a, b, c, d] {
        batch.add(group, &format(), Primitive::Points, 1).unwrap();
    }
    let stats = batch.draw().unwrap();
    assert_eq!(
        *log.borrow(),
        ["+b", "-b", "+a", "+d", "-d", "+c", "-c", "-a"]
    );
    assert_eq!((stats.groups, stats.domains, stats.draw_calls), (4, 4, 4));

    log.borrow_mut().clear();
    batch.set_visible(a, false).unwrap();
    let stats = batch.draw().unwrap();
    assert_eq!(*log.borrow(), ["+b", "-b"]);
    assert_eq!(stats.domains, 1);

    log.borrow_mut().clear();
    batch.set_visible(a, true).unwrap();
    batch.set_order(b, 2).unwrap();
    batch.draw().unwrap();
    assert_eq!(
        *log.borrow(),
        ["+a", "+d", "-d", "+c", "-c", "-a", "+b", "-b"]
    );
}

#[test]
fn lists_share_a_domain_only_with_the_same_group_format_primitive_and_indexing() {
    let ctx = common::context();
    let log = Log::default();
    let mut batch = Batch::new(ctx.gl(), *ctx.multi_draw());
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
    let target = RenderTarget::new(ctx.gl().clone(), 8, 8).unwrap();
    target.bind();
    let log = Log::default();
    let mut batch = Batch::new(ctx.gl(), *ctx.multi_draw());
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
    let mut batch = Batch::new(ctx.gl(), *ctx.multi_draw());
    let mut other = Batch::new(ctx.gl(), *ctx.multi_draw());
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
    let mut batch = Batch::new(ctx.gl(), *ctx.multi_draw());
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
    let target = RenderTarget::new(ctx.gl().clone(), 16, 16).unwrap();
    target.bind();
    let mut batch = Batch::new(ctx.gl(), *ctx.multi_draw());
    let program = Rc::new(common::colour_program(ctx.gl()));
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
