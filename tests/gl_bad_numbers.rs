//! Bad numbers are refused before anything changes, beyond what `gl_scene.rs` checks of
//! the setters of sprites, shapes and labels: every setter, `set_transform`, `update` and
//! `add` of a particle; `set_transform` and `update` of every other kind, a bad scale or
//! anchor in an added sprite; a shape's geometry and a label's size; a negative zoom. Each
//! is an error, and the scene's pixels, vertices, instance records, properties, camera and
//! viewport stay as they were. GL core and GLES 3 natively, WebGL2 in the browser.

mod common;

use vertex_domain::backend::RenderTarget;
use vertex_domain::headless::HeadlessContext;
use vertex_domain::scene::TextError;
use vertex_domain::scene::{
    Camera, Font, Item, Label, LabelId, Particle, ParticleId, Pictured, Scene, SceneError, Shape,
    ShapeId, ShapeKind, Sprite, SpriteId,
};

const W: u32 = 48;
const H: u32 = 32;
const BAD: [f32; 3] = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY];

/// A sprite, a shape and a label in a mixed layer, and a particle in a particle layer.
struct Frame {
    scene: Scene,
    sprite: SpriteId,
    shape: ShapeId,
    label: LabelId,
    particle: ParticleId,
    target: RenderTarget,
}

impl Frame {
    fn new(ctx: &HeadlessContext) -> Frame {
        let target = RenderTarget::new(ctx.gl(), W, H).unwrap();
        let mut scene = Scene::new(ctx.gl(), ctx.multi_draw(), W, H).unwrap();
        let red = scene
            .add_image(4, 4, &[220, 40, 40, 255].repeat(16))
            .unwrap();
        let layer = scene.add_layer(0).unwrap();
        let sparks = scene.add_particle_layer(1).unwrap();
        let sprite = scene.add(Sprite::new(layer, red, 4.0, 4.0)).unwrap();
        let square = ShapeKind::Rectangle {
            width: 8.0,
            height: 6.0,
        };
        let shape = scene.add(Shape::new(layer, square, 20.0, 4.0)).unwrap();
        let label = Label::new(layer, "ok", &Font::default_font(), 12.0, 4.0, 20.0);
        let label = scene.add(label).unwrap();
        let particle = Particle::new(sparks, red, 36.0, 20.0).scaled(2.0, 2.0);
        let particle = scene.add(particle).unwrap();
        Frame {
            scene,
            sprite,
            shape,
            label,
            particle,
            target,
        }
    }

    fn pixels(&mut self) -> Vec<u8> {
        self.target.bind();
        self.target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        self.scene.draw().unwrap();
        self.target.read_pixels().unwrap()
    }

    /// Every attribute of the three lists and of the particle's record, read back.
    fn data(&mut self) -> Vec<Vec<u8>> {
        let lists = [
            self.scene.list(self.sprite).unwrap(),
            self.scene.list(self.shape).unwrap(),
            self.scene.list(self.label).unwrap(),
        ];
        let instance = self.scene.instance(self.particle).unwrap();
        let batch = self.scene.batch_mut();
        let mut data: Vec<Vec<u8>> = Vec::new();
        for list in lists {
            for attribute in ["position", "translation"] {
                let floats = batch.read::<[f32; 2]>(list, attribute).unwrap();
                data.push(bytemuck::cast_slice(&floats).to_vec());
            }
            let texels = batch.read::<[u16; 2]>(list, "tex_coords").unwrap();
            data.push(bytemuck::cast_slice(&texels).to_vec());
            let colours = batch.read::<[u8; 4]>(list, "colour").unwrap();
            data.push(colours.concat());
        }
        for attribute in ["translation", "offset"] {
            let floats = batch
                .read_instance::<[f32; 2]>(instance, attribute)
                .unwrap();
            data.push(bytemuck::cast_slice(&floats).to_vec());
        }
        let axes = batch.read_instance::<[f32; 4]>(instance, "axes").unwrap();
        data.push(bytemuck::cast_slice(&axes).to_vec());
        let texels = batch.read_instance::<[u16; 4]>(instance, "texels").unwrap();
        data.push(bytemuck::cast_slice(&texels).to_vec());
        let colour = batch.read_instance::<[u8; 4]>(instance, "colour").unwrap();
        data.push(colour.concat());
        data
    }
}

fn refused(result: Result<(), SceneError>, what: &str) {
    assert!(
        matches!(
            result,
            Err(SceneError::NotFinite(_)) | Err(SceneError::EmptyView(_))
        ),
        "{what}: {result:?}"
    );
}

fn every_bad_number_is_refused_and_leaves_the_scene_as_it_was(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let before = f.pixels();
    let data = f.data();
    let (sprite, shape, label, particle) = (
        *f.scene.get(f.sprite).unwrap(),
        f.scene.get(f.shape).unwrap().clone(),
        f.scene.get(f.label).unwrap().clone(),
        *f.scene.get(f.particle).unwrap(),
    );
    let s = &mut f.scene;
    for bad in BAD {
        // Particles: every setter, the transform, an update and an add.
        let p = f.particle;
        refused(s.set_position(p, bad, 1.0), "particle position");
        refused(s.set_position(p, 1.0, bad), "particle position");
        refused(s.set_rotation(p, bad), "particle rotation");
        refused(s.set_scale(p, 1.0, bad), "particle scale");
        refused(s.set_anchor(p, bad, 0.0), "particle anchor");
        refused(s.set_z(p, bad), "particle z");
        refused(s.set_transform(p, (bad, 1.0), 0.0), "particle transform");
        refused(s.set_transform(p, (1.0, 1.0), bad), "particle transform");
        refused(s.update(p, |q| q.props.y = bad), "particle update");
        refused(s.update(p, |q| q.scale[0] = bad), "particle update");
        refused(
            s.update(p, |q| (q.props.x, q.props.rotation) = (5.0, bad)),
            "particle update",
        );
        refused(
            s.add(particle.anchored(0.0, bad)).map(|_| ()),
            "adding a particle",
        );
        refused(
            s.add(particle.scaled(bad, 1.0)).map(|_| ()),
            "adding a particle",
        );
        refused(s.add(particle.at_z(bad)).map(|_| ()), "adding a particle");
        // The transform and updates of every other kind, and what an add may carry.
        refused(
            s.set_transform(f.sprite, (bad, 1.0), 0.0),
            "sprite transform",
        );
        refused(s.set_transform(f.shape, (1.0, bad), 0.0), "shape transform");
        refused(s.set_transform(f.label, (1.0, 1.0), bad), "label transform");
        refused(s.update(f.sprite, |t| t.props.y = bad), "sprite update");
        refused(s.update(f.sprite, |t| t.scale[1] = bad), "sprite update");
        refused(
            s.update(f.shape, |t| t.props.anchor[1] = bad),
            "shape update",
        );
        refused(
            s.update(f.label, |t| t.props.rotation = bad),
            "label update",
        );
        refused(
            s.update(f.label, |t| (t.props.x, t.props.z) = (9.0, bad)),
            "label update",
        );
        refused(s.set_anchor(f.shape, bad, 0.0), "shape anchor");
        refused(
            s.add(sprite.scaled(1.0, bad)).map(|_| ()),
            "adding a sprite",
        );
        refused(
            s.add(sprite.anchored(bad, 0.0)).map(|_| ()),
            "adding a sprite",
        );
        // Geometry and text sizes are checked by their own kinds.
        let circle = ShapeKind::Circle {
            radius: bad,
            segments: 16,
        };
        let geometry = s.set_geometry(f.shape, circle);
        assert!(
            matches!(geometry, Err(SceneError::Geometry(_))),
            "{geometry:?}"
        );
        let size = s.update(f.label, |t| t.size = bad);
        assert!(
            matches!(size, Err(SceneError::Text(TextError::Size(_)))),
            "{size:?}"
        );
        let added = s.add(Label {
            size: bad,
            ..label.clone()
        });
        assert!(
            matches!(added, Err(SceneError::Text(TextError::Size(_)))),
            "{added:?}"
        );
    }
    refused(
        s.set_camera(Camera {
            zoom: -2.0,
            ..Camera::default()
        }),
        "negative zoom",
    );
    // Nothing changed: properties, counts, camera, viewport, data and pixels.
    assert_eq!(s.get(f.sprite).unwrap(), &sprite);
    assert_eq!(s.get(f.shape).unwrap(), &shape);
    assert_eq!(s.get(f.label).unwrap(), &label);
    assert_eq!(s.get(f.particle).unwrap(), &particle);
    let counts = (
        s.count::<Sprite>(),
        s.count::<Shape>(),
        s.count::<Label>(),
        s.count::<Particle>(),
    );
    assert_eq!(counts, (1, 1, 1, 1));
    assert_eq!(s.camera(), Camera::default());
    assert_eq!(s.viewport(), [W as f32, H as f32]);
    assert!(f.data() == data, "vertices or the instance record changed");
    let after = f.pixels();
    let lit = before.chunks(4).filter(|p| p[..3] != [0, 0, 0]).count();
    assert!(lit > 60, "the scene drew only {lit} pixels");
    assert!(after == before, "the picture changed");
}

common::on_gl_core_and_gles3!(every_bad_number_is_refused_and_leaves_the_scene_as_it_was,);
