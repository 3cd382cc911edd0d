//! Shapes on a real headless GL context, on GL core and GLES 3: every kind's pixels against
//! its analytic outline (every pixel more than a pixel inside is filled, every pixel more
//! than a pixel outside is not), turned and anchored; geometry changes that resize a
//! shape's list in place or move it; order by z; the shared camera; and a failed resize
//! that leaves the shape as it was.

mod common;

use vertex_domain::backend::fault::{self, Site};
use vertex_domain::backend::RenderTarget;
use vertex_domain::batch::{BatchError, Camera, Shape, ShapeKind, SpriteBatch};
use vertex_domain::domain::DomainError;
use vertex_domain::headless::HeadlessContext;

const SIZE: u32 = 96;
const FILL: [u8; 4] = [255, 255, 255, 255];
const BORDER: [u8; 4] = [255, 0, 0, 255];
const CLEAR: [u8; 4] = [0, 0, 0, 255];

/// One of each kind, sized to fill most of the target, with the local point to centre.
fn kinds() -> Vec<(&'static str, ShapeKind, [f32; 2])> {
    vec![
        (
            "rectangle",
            ShapeKind::Rectangle {
                width: 60.0,
                height: 36.0,
            },
            [30.0, 18.0],
        ),
        (
            "bordered rectangle",
            ShapeKind::BorderedRectangle {
                width: 60.0,
                height: 40.0,
                border: 7.0,
            },
            [30.0, 20.0],
        ),
        (
            "circle",
            ShapeKind::Circle {
                radius: 34.0,
                segments: 96,
            },
            [0.0, 0.0],
        ),
        (
            "ellipse",
            ShapeKind::Ellipse {
                a: 40.0,
                b: 22.0,
                segments: 96,
            },
            [0.0, 0.0],
        ),
        (
            "sector",
            ShapeKind::Sector {
                radius: 34.0,
                angle: 250.0,
                start_angle: 30.0,
                segments: 96,
            },
            [0.0, 0.0],
        ),
        (
            "arc",
            ShapeKind::Arc {
                radius: 30.0,
                thickness: 9.0,
                angle: 280.0,
                start_angle: 10.0,
                segments: 96,
                closed: false,
            },
            [0.0, 0.0],
        ),
        (
            "line",
            ShapeKind::Line {
                dx: 60.0,
                dy: 30.0,
                width: 9.0,
            },
            [30.0, 15.0],
        ),
        (
            "triangle",
            ShapeKind::Triangle {
                points: [[0.0, 0.0], [64.0, 8.0], [20.0, 56.0]],
            },
            [28.0, 22.0],
        ),
        (
            "concave polygon",
            ShapeKind::Polygon {
                points: vec![
                    [0.0, 0.0],
                    [60.0, 0.0],
                    [60.0, 50.0],
                    [30.0, 20.0],
                    [0.0, 50.0],
                ],
            },
            [30.0, 25.0],
        ),
        (
            "star",
            ShapeKind::Star {
                outer_radius: 40.0,
                inner_radius: 16.0,
                spikes: 6,
            },
            [0.0, 0.0],
        ),
    ]
}

/// A target, a sprite batch over it and one shape layer.
struct Scene {
    target: RenderTarget,
    batch: SpriteBatch,
    layer: vertex_domain::batch::GroupId,
}

impl Scene {
    fn new(ctx: &HeadlessContext) -> Scene {
        let target = RenderTarget::new(ctx.gl(), SIZE, SIZE).unwrap();
        target.bind();
        let mut batch = SpriteBatch::new(ctx.gl(), ctx.multi_draw(), SIZE, SIZE).unwrap();
        let layer = batch.add_shape_layer(0).unwrap();
        Scene {
            target,
            batch,
            layer,
        }
    }

    fn render(&mut self) -> Vec<u8> {
        self.target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        self.batch.draw().unwrap();
        self.target.read_pixels().unwrap()
    }
}

/// The local point of `shape` that the pixel centre `(px, py)` shows: the inverse of its
/// anchor, clockwise rotation and position.
fn local(shape: &Shape, px: u32, py: u32) -> [f32; 2] {
    let (dx, dy) = (px as f32 + 0.5 - shape.x, py as f32 + 0.5 - shape.y);
    let (sin, cos) = shape.rotation.to_radians().sin_cos();
    [
        dx * cos - dy * sin + shape.anchor[0],
        dx * sin + dy * cos + shape.anchor[1],
    ]
}

/// What a pixel whose centre is the local point `p` of `shape` must show: its fill (or
/// its border colour in a bordered rectangle's border) more than a pixel inside, clear
/// more than a pixel outside, and either within a pixel of an edge (`None`). Also says
/// whether the point is deep inside.
fn expected(shape: &Shape, p: [f32; 2]) -> (Option<[u8; 4]>, bool) {
    let margin = 1.0 + shape.kind.approximation_error();
    let d = shape.kind.signed_distance(p);
    if d > margin {
        return (Some(CLEAR), false);
    }
    if d >= -margin {
        return (None, false);
    }
    let want = match shape.kind {
        ShapeKind::BorderedRectangle {
            width,
            height,
            border,
        } => {
            let fill = ShapeKind::Rectangle {
                width: width - 2.0 * border,
                height: height - 2.0 * border,
            };
            match fill.signed_distance([p[0] - border, p[1] - border]) {
                fd if fd < -1.0 => Some(FILL),
                fd if fd > 1.0 => Some(BORDER),
                _ => None,
            }
        }
        _ => Some(FILL),
    };
    (want, true)
}

/// Checks every pixel of `pixels` against the outlines of `shapes` (white, opaque,
/// disjoint): a pixel deep inside one shows it, a pixel far outside all is clear. Returns
/// (pixels checked deep inside, far outside).
fn check_coverage(name: &str, shapes: &[Shape], pixels: &[u8]) -> (usize, usize) {
    let (mut inside, mut outside) = (0, 0);
    let mut wrong = Vec::new();
    for py in 0..SIZE {
        for px in 0..SIZE {
            let each: Vec<_> = shapes
                .iter()
                .map(|shape| expected(shape, local(shape, px, py)))
                .collect();
            let want = match each.iter().find(|(_, deep)| *deep) {
                Some(&(want, _)) => {
                    inside += 1;
                    want
                }
                None if each.iter().all(|&(want, _)| want == Some(CLEAR)) => {
                    outside += 1;
                    Some(CLEAR)
                }
                None => None,
            };
            let got = common::pixel(pixels, SIZE, px, py);
            if want.is_some_and(|want| got != want) {
                wrong.push((px, py, got, want));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{name}: {} pixels wrong, first {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(5)]
    );
    (inside, outside)
}

fn every_kind_covers_its_analytic_outline(ctx: &HeadlessContext) {
    for (turn, (name, kind, centre)) in kinds().into_iter().enumerate() {
        let mut scene = Scene::new(ctx);
        let mut shape =
            Shape::new(scene.layer, kind.clone(), 48.0, 48.0).rotated(17.0 + 29.0 * turn as f32);
        shape.anchor = centre;
        shape.border_colour = [255, 0, 0];
        scene.batch.add_shape(shape.clone()).unwrap();
        let pixels = scene.render();
        let (inside, outside) = check_coverage(name, &[shape], &pixels);
        assert!(inside > 200, "{name}: only {inside} pixels deep inside");
        assert!(outside > 1000, "{name}: only {outside} pixels far outside");
    }
}

fn changing_geometry_resizes_the_list_in_place_or_moves_it(ctx: &HeadlessContext) {
    let mut scene = Scene::new(ctx);
    let circle = |segments| ShapeKind::Circle {
        radius: 20.0,
        segments,
    };
    let first = scene
        .batch
        .add_shape(Shape::new(scene.layer, circle(8), 26.0, 48.0))
        .unwrap();
    let last = scene
        .batch
        .add_shape(Shape::new(scene.layer, circle(8), 70.0, 48.0))
        .unwrap();
    let placement = |scene: &mut Scene, id| {
        let list = scene.batch.shape_list(id).unwrap();
        scene.batch.batch_mut().placement(list).unwrap()
    };
    let before = placement(&mut scene, last);
    let copies = scene.batch.batch().buffer_stats().copied_bytes;
    // The last list grows in place; the first cannot (the last follows it) and moves.
    scene.batch.set_shape_kind(last, circle(64)).unwrap();
    scene.batch.set_shape_kind(first, circle(64)).unwrap();
    let after = placement(&mut scene, last);
    assert_eq!(
        after.vertices.start, before.vertices.start,
        "grown in place"
    );
    assert_eq!(after.vertices.len(), 65);
    assert_eq!(after.indices.len(), 64 * 3);
    let moved = placement(&mut scene, first);
    assert_ne!(
        moved.vertices.start, 0,
        "the first circle moved past the last"
    );
    assert!(
        scene.batch.batch().buffer_stats().copied_bytes > copies,
        "the moved list was copied on the GPU"
    );
    let shapes = |scene: &SpriteBatch| [first, last].map(|id| scene.shape(id).unwrap().clone());
    let pixels = scene.render();
    let (inside, _) = check_coverage("grown circles", &shapes(&scene.batch), &pixels);
    assert!(inside > 2 * 900, "{inside}");
    // And back down: a hexagon leaves the old rim uncovered.
    scene.batch.set_shape_kind(first, circle(6)).unwrap();
    let pixels = scene.render();
    check_coverage("a shrunk circle", &shapes(&scene.batch), &pixels);
    assert_eq!(scene.batch.shape_count(), 2);
}

fn shapes_draw_by_z_and_look_through_the_camera(ctx: &HeadlessContext) {
    let mut scene = Scene::new(ctx);
    let square = |x, y| ShapeKind::Rectangle {
        width: x,
        height: y,
    };
    let red = Shape::new(scene.layer, square(30.0, 30.0), 30.0, 30.0)
        .with_colour([255, 0, 0])
        .at_z(1.0);
    let red = scene.batch.add_shape(red).unwrap();
    let blue = Shape::new(scene.layer, square(30.0, 30.0), 40.0, 40.0).with_colour([0, 0, 255]);
    let blue = scene.batch.add_shape(blue).unwrap();
    let pixels = scene.render();
    assert_eq!(
        common::pixel(&pixels, SIZE, 50, 50),
        [255, 0, 0, 255],
        "higher z on top"
    );
    scene.batch.set_shape_z(blue, 2.0).unwrap();
    let pixels = scene.render();
    assert_eq!(common::pixel(&pixels, SIZE, 50, 50), [0, 0, 255, 255]);
    assert_eq!(scene.batch.shape(red).unwrap().z, 1.0);

    // Panned 20 right: everything shows 20 to the left; no vertex is uploaded.
    let uploaded = scene.batch.batch().buffer_stats().uploaded_bytes;
    (scene.batch)
        .set_camera(Camera {
            pan: [20.0, 0.0],
            ..Camera::default()
        })
        .unwrap();
    let pixels = scene.render();
    assert_eq!(common::pixel(&pixels, SIZE, 30, 50), [0, 0, 255, 255]);
    assert_eq!(common::pixel(&pixels, SIZE, 55, 50), CLEAR);
    let after = scene.batch.batch().buffer_stats().uploaded_bytes;
    assert_eq!(after, uploaded, "the camera uploads no vertex");
}

fn a_failed_resize_leaves_the_shape_as_it_was(ctx: &HeadlessContext) {
    let mut scene = Scene::new(ctx);
    let kind = ShapeKind::Circle {
        radius: 20.0,
        segments: 8,
    };
    let first = Shape::new(scene.layer, kind.clone(), 30.0, 48.0).with_colour([0, 255, 0]);
    let first = scene.batch.add_shape(first).unwrap();
    let next = Shape::new(scene.layer, kind.clone(), 70.0, 48.0);
    scene.batch.add_shape(next).unwrap();
    let before = scene.render();
    let list = scene.batch.shape_list(first).unwrap();
    // Growing past the buffers' room needs a growth; make its copy fail.
    fault::fail_at(Site::GrowCopy, 0);
    let error = scene
        .batch
        .update_shape(first, |s| {
            s.kind = ShapeKind::Circle {
                radius: 20.0,
                segments: 5000,
            };
            s.colour = [255, 0, 255];
        })
        .unwrap_err();
    assert!(!fault::disarm(), "the growth never copied");
    assert!(
        matches!(error, BatchError::Domain(DomainError::Gl(_))),
        "{error}"
    );
    assert_eq!(scene.batch.shape(first).unwrap().kind, kind);
    assert_eq!(scene.batch.shape_list(first).unwrap(), list);
    assert_eq!(scene.render(), before, "every pixel as it was");
    // Invalid geometry is refused before anything changes.
    let error = scene
        .batch
        .set_shape_kind(
            first,
            ShapeKind::Circle {
                radius: f32::NAN,
                segments: 8,
            },
        )
        .unwrap_err();
    assert!(matches!(error, BatchError::Geometry(_)), "{error}");
    assert_eq!(scene.render(), before);
}

fn a_failed_move_to_another_layer_leaves_the_shape_as_it_was(ctx: &HeadlessContext) {
    let mut scene = Scene::new(ctx);
    let above = scene.batch.add_shape_layer(1).unwrap();
    let kind = ShapeKind::Rectangle {
        width: 20.0,
        height: 20.0,
    };
    let id = scene
        .batch
        .add_shape(Shape::new(scene.layer, kind.clone(), 10.0, 10.0))
        .unwrap();
    // A shape in the other layer, so its domain exists and the move is a GPU copy.
    (scene.batch)
        .add_shape(Shape::new(above, kind, 60.0, 60.0))
        .unwrap();
    let before = scene.render();
    let (shape, list) = (
        scene.batch.shape(id).unwrap().clone(),
        scene.batch.shape_list(id).unwrap(),
    );
    fault::fail_at(Site::Copy, 0);
    let error = scene
        .batch
        .update_shape(id, |s| {
            s.layer = above;
            s.x = 40.0;
            s.colour = [0, 0, 255];
        })
        .unwrap_err();
    assert!(!fault::disarm(), "the migration never copied");
    assert!(
        matches!(error, BatchError::Domain(DomainError::Gl(_))),
        "{error}"
    );
    assert_eq!(scene.batch.shape(id).unwrap(), &shape);
    assert_eq!(scene.batch.shape_list(id).unwrap(), list);
    assert_eq!(scene.render(), before, "every pixel as it was");
    // Once nothing fails, the same update moves it.
    scene.batch.update_shape(id, |s| s.layer = above).unwrap();
    assert_eq!(scene.batch.shape(id).unwrap().layer, above);
}

fn a_refused_z_leaves_the_shape_as_it_was(ctx: &HeadlessContext) {
    let mut scene = Scene::new(ctx);
    let kind = ShapeKind::Circle {
        radius: 10.0,
        segments: 8,
    };
    let id = scene
        .batch
        .add_shape(Shape::new(scene.layer, kind.clone(), 30.0, 30.0))
        .unwrap();
    let before = scene.render();
    // A layer without a draw order refuses a z; the new geometry in the same call must
    // not happen either.
    let layer = scene.layer;
    scene.batch.batch_mut().set_ordered(layer, false).unwrap();
    let error = scene
        .batch
        .update_shape(id, |s| {
            s.kind = ShapeKind::Circle {
                radius: 20.0,
                segments: 40,
            };
            s.z = 5.0;
        })
        .unwrap_err();
    assert!(matches!(error, BatchError::Domain(_)), "{error}");
    let shape = scene.batch.shape(id).unwrap();
    assert_eq!((&shape.kind, shape.z), (&kind, 0.0));
    assert_eq!(scene.render(), before);
}

common::on_gl_core_and_gles3!(
    every_kind_covers_its_analytic_outline,
    changing_geometry_resizes_the_list_in_place_or_moves_it,
    shapes_draw_by_z_and_look_through_the_camera,
    a_failed_resize_leaves_the_shape_as_it_was,
    a_failed_move_to_another_layer_leaves_the_shape_as_it_was,
    a_refused_z_leaves_the_shape_as_it_was,
);
