//! Bad numbers are refused before anything changes: NaN or infinite positions, rotations,
//! scales, anchors and z of sprites (both stores), shapes and labels, a camera's pan,
//! rotation and zoom, and a zero-sized viewport. Each is an error, and the scene's pixels
//! and properties stay as they were. GL core and GLES 3 natively, WebGL2 in the browser.

mod common;

use vertex_domain::backend::{AtlasBuilder, RenderTarget, TextureAtlas, TextureFilter};
use vertex_domain::batch::{
    BatchError, Camera, Font, Instances, Label, LabelId, Quads, Shape, ShapeId, ShapeKind, Sprite,
    SpriteBatch, SpriteId, SpriteStore,
};
use vertex_domain::headless::HeadlessContext;

const W: u32 = 48;
const H: u32 = 32;
const BAD: [f32; 3] = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY];

struct Scene<S: SpriteStore> {
    batch: SpriteBatch<S>,
    sprite: SpriteId,
    shape: ShapeId,
    label: LabelId,
    target: RenderTarget,
    _atlas: TextureAtlas,
}

impl<S: SpriteStore> Scene<S> {
    fn pixels(&mut self) -> Vec<u8> {
        self.target.bind();
        self.target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        self.batch.draw().unwrap();
        self.target.read_pixels().unwrap()
    }
}

fn scene<S: SpriteStore>(
    ctx: &HeadlessContext,
    make: fn(&HeadlessContext) -> SpriteBatch<S>,
) -> Scene<S> {
    let target = RenderTarget::new(ctx.gl(), W, H).unwrap();
    let mut builder = AtlasBuilder::new();
    builder.add(4, 4, &[220u8, 40, 40, 255].repeat(16)).unwrap();
    let atlas = builder.build(ctx.gl(), TextureFilter::Nearest).unwrap();
    let mut batch = make(ctx);
    let sprites = batch.add_layer(atlas.texture().clone(), 0).unwrap();
    let shapes = batch.add_shape_layer(1).unwrap();
    let text = batch.add_text_layer(2).unwrap();
    let sprite = batch
        .add(Sprite::new(sprites, atlas.regions()[0], 4.0, 4.0))
        .unwrap();
    let square = ShapeKind::Rectangle {
        width: 8.0,
        height: 6.0,
    };
    let shape = batch
        .add_shape(Shape::new(shapes, square, 20.0, 4.0))
        .unwrap();
    let label = Label::new(text, "ok", &Font::default_font(), 12.0, 4.0, 20.0);
    let label = batch.add_label(label).unwrap();
    Scene {
        batch,
        sprite,
        shape,
        label,
        target,
        _atlas: atlas,
    }
}

fn refused(result: Result<(), BatchError>, what: &str) {
    assert!(
        matches!(
            result,
            Err(BatchError::NotFinite(_)) | Err(BatchError::EmptyView(_))
        ),
        "{what}: {result:?}"
    );
}

fn every_bad_number_is_refused_and_leaves_the_scene_as_it_was<S: SpriteStore>(
    ctx: &HeadlessContext,
    make: fn(&HeadlessContext) -> SpriteBatch<S>,
) {
    let mut s = scene(ctx, make);
    let before = s.pixels();
    let (sprite, shape, label) = (
        s.batch.get(s.sprite).unwrap(),
        s.batch.shape(s.shape).unwrap().clone(),
        s.batch.label(s.label).unwrap().clone(),
    );
    let layer = sprite.layer;
    for bad in BAD {
        let b = &mut s.batch;
        // Sprites: every setter and both whole-sprite paths.
        refused(b.set_position(s.sprite, bad, 1.0), "sprite position");
        refused(b.set_rotation(s.sprite, bad), "sprite rotation");
        refused(b.set_scale(s.sprite, 1.0, bad), "sprite scale");
        refused(b.set_anchor(s.sprite, bad, 0.0), "sprite anchor");
        refused(b.set_z(s.sprite, bad), "sprite z");
        refused(
            b.set_transform(s.sprite, (1.0, 1.0), bad, (1.0, 1.0)),
            "sprite transform",
        );
        refused(b.update(s.sprite, |p| p.y = bad), "sprite update");
        let mut nan_sprite = sprite;
        nan_sprite.x = bad;
        refused(b.add(nan_sprite).map(|_| ()), "adding a sprite");
        // Shapes.
        refused(b.set_shape_position(s.shape, 1.0, bad), "shape position");
        refused(b.set_shape_rotation(s.shape, bad), "shape rotation");
        refused(b.set_shape_z(s.shape, bad), "shape z");
        refused(
            b.update_shape(s.shape, |p| p.anchor[1] = bad),
            "shape anchor",
        );
        refused(
            b.add_shape(Shape {
                x: bad,
                ..shape.clone()
            })
            .map(|_| ()),
            "adding a shape",
        );
        // Labels.
        refused(b.set_label_position(s.label, bad, 0.0), "label position");
        refused(b.set_label_z(s.label, bad), "label z");
        refused(
            b.update_label(s.label, |l| l.rotation = bad),
            "label rotation",
        );
        refused(
            b.add_label(Label {
                y: bad,
                ..label.clone()
            })
            .map(|_| ()),
            "adding a label",
        );
        // The camera.
        let camera = Camera::default();
        refused(
            b.set_camera(Camera {
                pan: [bad, 0.0],
                ..camera
            }),
            "pan",
        );
        refused(
            b.set_camera(Camera {
                rotation: bad,
                ..camera
            }),
            "camera rotation",
        );
        refused(
            b.set_camera(Camera {
                zoom: bad,
                ..camera
            }),
            "zoom",
        );
    }
    let b = &mut s.batch;
    refused(
        b.set_camera(Camera {
            zoom: 0.0,
            ..Camera::default()
        }),
        "zero zoom",
    );
    refused(
        b.set_camera(Camera {
            zoom: -2.0,
            ..Camera::default()
        }),
        "negative zoom",
    );
    refused(b.set_viewport(0, H), "zero width");
    refused(b.set_viewport(W, 0), "zero height");
    // Nothing changed: properties, counts and pixels.
    assert_eq!(b.get(s.sprite).unwrap(), sprite);
    assert_eq!(b.get(s.sprite).unwrap().layer, layer);
    assert_eq!(b.shape(s.shape).unwrap(), &shape);
    assert_eq!(b.label(s.label).unwrap(), &label);
    assert_eq!((b.len(), b.shape_count(), b.label_count()), (1, 1, 1));
    assert_eq!(b.camera(), Camera::default());
    assert_eq!(s.pixels(), before);
}

fn quads(ctx: &HeadlessContext) -> SpriteBatch<Quads> {
    SpriteBatch::new(ctx.gl(), ctx.multi_draw(), W, H).unwrap()
}

fn instances(ctx: &HeadlessContext) -> SpriteBatch<Instances> {
    SpriteBatch::instanced(ctx.gl(), ctx.multi_draw(), W, H).unwrap()
}

fn bad_numbers_are_refused_by_the_quad_store(ctx: &HeadlessContext) {
    every_bad_number_is_refused_and_leaves_the_scene_as_it_was(ctx, quads);
}

fn bad_numbers_are_refused_by_the_instanced_store(ctx: &HeadlessContext) {
    every_bad_number_is_refused_and_leaves_the_scene_as_it_was(ctx, instances);
}

common::on_gl_core_and_gles3!(
    bad_numbers_are_refused_by_the_quad_store,
    bad_numbers_are_refused_by_the_instanced_store,
);
