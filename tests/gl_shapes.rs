//! Shapes of a [`Scene`] on a real headless GL context, on GL core and GLES 3: every
//! kind's pixels against its analytic outline (every pixel more than a pixel inside is
//! filled, every pixel more than a pixel outside is not), turned and anchored; geometry
//! changes that resize a shape's list in place or move it; order by z; the scene's camera;
//! and a failed resize, layer move or z that leaves the shape as it was.

mod common;

use vertex_domain::backend::fault::{self, Site};
use vertex_domain::backend::RenderTarget;
use vertex_domain::batch::BatchError;
use vertex_domain::domain::DomainError;
use vertex_domain::headless::HeadlessContext;
use vertex_domain::scene::{Camera, Item, Layer, Scene, SceneError, Shape, ShapeId, ShapeKind};

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

/// A target, a scene over it and one layer.
struct Frame {
    target: RenderTarget,
    scene: Scene,
    layer: Layer,
}

impl Frame {
    fn new(ctx: &HeadlessContext) -> Frame {
        let target = RenderTarget::new(ctx.gl(), SIZE, SIZE).unwrap();
        target.bind();
        let mut scene = Scene::new(ctx.gl(), ctx.multi_draw(), SIZE, SIZE).unwrap();
        let layer = scene.add_layer(0).unwrap();
        Frame {
            target,
            scene,
            layer,
        }
    }

    fn add(&mut self, shape: Shape) -> ShapeId {
        self.scene.add(shape).unwrap()
    }

    fn render(&mut self) -> Vec<u8> {
        self.target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        self.scene.draw().unwrap();
        self.target.read_pixels().unwrap()
    }

    fn shape(&self, id: ShapeId) -> Shape {
        self.scene.get(id).unwrap().clone()
    }
}

/// The local point of `shape` that the pixel centre `(px, py)` shows: the inverse of its
/// anchor, clockwise rotation and position.
fn local(shape: &Shape, px: u32, py: u32) -> [f32; 2] {
    let p = &shape.props;
    let (dx, dy) = (px as f32 + 0.5 - p.x, py as f32 + 0.5 - p.y);
    let (sin, cos) = p.rotation.to_radians().sin_cos();
    [
        dx * cos - dy * sin + p.anchor[0],
        dx * sin + dy * cos + p.anchor[1],
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
        let mut f = Frame::new(ctx);
        let shape = Shape::new(f.layer, kind.clone(), 48.0, 48.0)
            .rotated(17.0 + 29.0 * turn as f32)
            .anchored(centre[0], centre[1])
            .with_border_colour([255, 0, 0]);
        f.add(shape.clone());
        let pixels = f.render();
        let (inside, outside) = check_coverage(name, &[shape], &pixels);
        assert!(inside > 200, "{name}: only {inside} pixels deep inside");
        assert!(outside > 1000, "{name}: only {outside} pixels far outside");
    }
}

fn changing_geometry_resizes_the_list_in_place_or_moves_it(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let circle = |segments| ShapeKind::Circle {
        radius: 20.0,
        segments,
    };
    let first = f.add(Shape::new(f.layer, circle(8), 26.0, 48.0));
    let last = f.add(Shape::new(f.layer, circle(8), 70.0, 48.0));
    let placement = |f: &mut Frame, id| {
        let list = f.scene.list(id).unwrap();
        f.scene.batch_mut().placement(list).unwrap()
    };
    let before = placement(&mut f, last);
    let copies = f.scene.batch().buffer_stats().copied_bytes;
    let stats = f.scene.stats::<Shape>();
    // The last list grows in place; the first cannot (the last follows it) and moves.
    f.scene.set_geometry(last, circle(64)).unwrap();
    f.scene.set_geometry(first, circle(64)).unwrap();
    let after = placement(&mut f, last);
    assert_eq!(
        after.vertices.start, before.vertices.start,
        "grown in place"
    );
    assert_eq!(after.vertices.len(), 65);
    assert_eq!(after.indices.len(), 64 * 3);
    let moved = placement(&mut f, first);
    assert_ne!(
        moved.vertices.start, 0,
        "the first circle moved past the last"
    );
    assert!(
        f.scene.batch().buffer_stats().copied_bytes > copies,
        "the moved list was copied on the GPU"
    );
    let now = f.scene.stats::<Shape>();
    assert_eq!(
        (
            now.rebuilds - stats.rebuilds,
            now.resized_in_place - stats.resized_in_place,
            now.resized_moved - stats.resized_moved
        ),
        (2, 1, 1),
        "two rebuilds: one resized in place, one moved"
    );
    let shapes = |f: &Frame| [first, last].map(|id| f.shape(id));
    let pixels = f.render();
    let (inside, _) = check_coverage("grown circles", &shapes(&f), &pixels);
    assert!(inside > 2 * 900, "{inside}");
    // And back down: a hexagon leaves the old rim uncovered.
    f.scene.set_geometry(first, circle(6)).unwrap();
    let pixels = f.render();
    check_coverage("a shrunk circle", &shapes(&f), &pixels);
    assert_eq!(f.scene.count::<Shape>(), 2);
}

fn shapes_draw_by_z_and_look_through_the_camera(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let square = |x, y| ShapeKind::Rectangle {
        width: x,
        height: y,
    };
    let red = Shape::new(f.layer, square(30.0, 30.0), 30.0, 30.0)
        .with_colour([255, 0, 0])
        .at_z(1.0);
    let red = f.add(red);
    let blue = Shape::new(f.layer, square(30.0, 30.0), 40.0, 40.0).with_colour([0, 0, 255]);
    let blue = f.add(blue);
    let pixels = f.render();
    assert_eq!(
        common::pixel(&pixels, SIZE, 50, 50),
        [255, 0, 0, 255],
        "higher z on top"
    );
    f.scene.set_z(blue, 2.0).unwrap();
    let pixels = f.render();
    assert_eq!(common::pixel(&pixels, SIZE, 50, 50), [0, 0, 255, 255]);
    assert_eq!(f.scene.get(red).unwrap().props.z, 1.0);

    // Panned 20 right: everything shows 20 to the left; no vertex is uploaded.
    let uploaded = f.scene.batch().buffer_stats().uploaded_bytes;
    (f.scene)
        .set_camera(Camera {
            pan: [20.0, 0.0],
            ..Camera::default()
        })
        .unwrap();
    let pixels = f.render();
    assert_eq!(common::pixel(&pixels, SIZE, 30, 50), [0, 0, 255, 255]);
    assert_eq!(common::pixel(&pixels, SIZE, 55, 50), CLEAR);
    let after = f.scene.batch().buffer_stats().uploaded_bytes;
    assert_eq!(after, uploaded, "the camera uploads no vertex");
}

fn a_failed_resize_leaves_the_shape_as_it_was(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let kind = ShapeKind::Circle {
        radius: 20.0,
        segments: 8,
    };
    let first = Shape::new(f.layer, kind.clone(), 30.0, 48.0).with_colour([0, 255, 0]);
    let first = f.add(first);
    let next = Shape::new(f.layer, kind.clone(), 70.0, 48.0);
    f.add(next);
    let before = f.render();
    let (shape, list) = (f.shape(first), f.scene.list(first).unwrap());
    // Growing past the buffers' room needs a growth; make its copy fail.
    fault::fail_at(Site::GrowCopy, 0);
    let error = f
        .scene
        .update(first, |s| {
            s.kind = ShapeKind::Circle {
                radius: 20.0,
                segments: 5000,
            };
            s.props.colour = [255, 0, 255];
        })
        .unwrap_err();
    assert!(!fault::disarm(), "the growth never copied");
    assert!(matches!(error, SceneError::Gl(_)), "{error}");
    assert_eq!(f.shape(first), shape, "the shape as it was");
    assert_eq!(f.scene.list(first).unwrap(), list);
    assert_eq!(f.render(), before, "every pixel as it was");
    // Invalid geometry is refused before anything changes.
    let error = f
        .scene
        .set_geometry(
            first,
            ShapeKind::Circle {
                radius: f32::NAN,
                segments: 8,
            },
        )
        .unwrap_err();
    assert!(matches!(error, SceneError::Geometry(_)), "{error}");
    assert_eq!(f.shape(first), shape);
    assert_eq!(f.render(), before);
}

fn a_failed_move_to_another_layer_leaves_the_shape_as_it_was(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let above = f.scene.add_layer(1).unwrap();
    let kind = ShapeKind::Rectangle {
        width: 20.0,
        height: 20.0,
    };
    let id = f.add(Shape::new(f.layer, kind.clone(), 10.0, 10.0));
    // A shape in the other layer, so its domain exists and the move is a GPU copy.
    f.add(Shape::new(above, kind, 60.0, 60.0));
    let before = f.render();
    let (shape, list) = (f.shape(id), f.scene.list(id).unwrap());
    fault::fail_at(Site::Copy, 0);
    let error = f
        .scene
        .update(id, |s| {
            s.props.layer = above;
            s.props.x = 40.0;
            s.props.colour = [0, 0, 255];
        })
        .unwrap_err();
    assert!(!fault::disarm(), "the migration never copied");
    assert!(matches!(error, SceneError::Gl(_)), "{error}");
    assert_eq!(f.shape(id), shape);
    assert_eq!(f.scene.list(id).unwrap(), list);
    assert_eq!(f.render(), before, "every pixel as it was");
    // Once nothing fails, the same update moves it.
    f.scene.update(id, |s| s.props.layer = above).unwrap();
    assert_eq!(f.scene.get(id).unwrap().props.layer, above);
    assert_ne!(
        f.scene.list(id).unwrap(),
        list,
        "moved to the other layer's domain"
    );
}

fn a_refused_z_leaves_the_shape_as_it_was(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let kind = ShapeKind::Circle {
        radius: 10.0,
        segments: 8,
    };
    let id = f.add(Shape::new(f.layer, kind.clone(), 30.0, 30.0));
    let before = f.render();
    // A layer without a draw order refuses a z; the new geometry in the same call must
    // not happen either.
    let group = f.layer.group();
    f.scene.batch_mut().set_ordered(group, false).unwrap();
    let error = f
        .scene
        .update(id, |s| {
            s.kind = ShapeKind::Circle {
                radius: 20.0,
                segments: 40,
            };
            s.props.z = 5.0;
        })
        .unwrap_err();
    assert_eq!(
        error,
        SceneError::Storage(BatchError::Domain(DomainError::NotOrdered))
    );
    let shape = f.shape(id);
    assert_eq!((&shape.kind, shape.props.z), (&kind, 0.0));
    assert_eq!(
        f.scene.stats::<Shape>().rebuilds,
        0,
        "no rebuild was counted"
    );
    assert_eq!(f.render(), before);
}

common::on_gl_core_and_gles3!(
    every_kind_covers_its_analytic_outline,
    changing_geometry_resizes_the_list_in_place_or_moves_it,
    shapes_draw_by_z_and_look_through_the_camera,
    a_failed_resize_leaves_the_shape_as_it_was,
    a_failed_move_to_another_layer_leaves_the_shape_as_it_was,
    a_refused_z_leaves_the_shape_as_it_was,
);
