//! Images on a real headless GL context, for both kinds that show one: sprites in a mixed
//! layer of a [`Scene`] (4 vertices each) and particles in a particle layer (one instance
//! each): where they draw, what each setter changes on screen, that a setter rewrites only
//! its own item's bytes, and removal; and that the two kinds draw the same pictures. GL
//! core and GLES 3 natively, WebGL2 in the browser.

mod common;
#[path = "../examples/common/rng.rs"]
mod rng;

use vertex_domain::backend::RenderTarget;
use vertex_domain::headless::HeadlessContext;
use vertex_domain::scene::{
    Camera, Image, Item, ItemId, Layer, Particle, Particles, Pictured, Props, Scene, SceneError,
    SceneItem, Sprite,
};

/// A kind of item that shows an image of the atlas, under test: how to make its layer and
/// its items, and what a move, a tint, another image of the same size and a transform
/// upload.
trait Kind: Pictured + SceneItem + PartialEq + std::fmt::Debug {
    /// The kind's name in [`SceneError::UnknownItem`].
    const KIND: &'static str;
    /// What a move writes.
    const MOVE_BYTES: u64;
    /// What a tint or an opacity writes.
    const TINT_BYTES: u64;
    /// What showing another image of the same size writes.
    const IMAGE_BYTES: u64;
    /// What a move and a turn together write.
    const TRANSFORM_BYTES: u64;
    fn add_layer(scene: &mut Scene, order: i32) -> Layer<Self::Holds>;
    fn new(layer: Layer<Self::Holds>, image: Image, x: f32, y: f32) -> Self;
    /// Its common properties, to change in an update.
    fn common_mut(&mut self) -> &mut Props<Self::Holds>;
}

impl Kind for Sprite {
    const KIND: &'static str = "sprite";
    /// The translation of 4 vertices, 2 floats each.
    const MOVE_BYTES: u64 = 4 * 2 * 4;
    /// The colour of 4 vertices, 4 bytes each.
    const TINT_BYTES: u64 = 4 * 4;
    /// The 4 positions (2 floats each) and the 4 texels (2 × u16 each).
    const IMAGE_BYTES: u64 = 4 * (2 * 4 + 2 * 2);
    /// The 4 translations and the 4 positions, each once.
    const TRANSFORM_BYTES: u64 = 2 * 4 * 2 * 4;
    fn add_layer(scene: &mut Scene, order: i32) -> Layer {
        scene.add_layer(order).unwrap()
    }
    fn new(layer: Layer, image: Image, x: f32, y: f32) -> Sprite {
        Sprite::new(layer, image, x, y)
    }
    fn common_mut(&mut self) -> &mut Props {
        &mut self.props
    }
}

impl Kind for Particle {
    const KIND: &'static str = "particle";
    /// One translation of 2 floats.
    const MOVE_BYTES: u64 = 2 * 4;
    /// One colour of 4 bytes.
    const TINT_BYTES: u64 = 4;
    /// The texel rectangle (4 × u16): the offset and edges are those of the old image.
    const IMAGE_BYTES: u64 = 4 * 2;
    /// The translation (2 floats), the offset (2 floats) and the edges (4 floats).
    const TRANSFORM_BYTES: u64 = (2 + 2 + 4) * 4;
    fn add_layer(scene: &mut Scene, order: i32) -> Layer<Particles> {
        scene.add_particle_layer(order).unwrap()
    }
    fn new(layer: Layer<Particles>, image: Image, x: f32, y: f32) -> Particle {
        Particle::new(layer, image, x, y)
    }
    fn common_mut(&mut self) -> &mut Props<Particles> {
        &mut self.props
    }
}

/// Runs each named test body, a generic `fn<K: Kind>(&HeadlessContext)`, once per kind
/// (modules `sprites` and `particles`), each on GL core and GLES 3 (WebGL2 in the browser).
macro_rules! for_sprites_and_particles {
    ($($name:ident),* $(,)?) => {
        mod sprites {
            use super::common;
            $(fn $name(ctx: &vertex_domain::headless::HeadlessContext) {
                super::$name::<vertex_domain::scene::Sprite>(ctx)
            })*
            common::on_gl_core_and_gles3!($($name),*);
        }
        mod particles {
            use super::common;
            $(fn $name(ctx: &vertex_domain::headless::HeadlessContext) {
                super::$name::<vertex_domain::scene::Particle>(ctx)
            })*
            common::on_gl_core_and_gles3!($($name),*);
        }
    };
}

const SIZE: u32 = 64;
const CLEAR: [u8; 4] = [0, 0, 0, 255];
const WHITE: [u8; 4] = [255, 255, 255, 255];
const RED: [u8; 4] = [255, 0, 0, 255];
const BLUE: [u8; 4] = [0, 0, 255, 255];
const GREEN: [u8; 4] = [0, 255, 0, 255];

/// An 8x8 image whose top half is red, bottom half blue (top = first rows, as image files
/// store them).
fn halves() -> Vec<u8> {
    (0..8 * 8)
        .flat_map(|i| if i < 32 { RED } else { BLUE })
        .collect()
}

/// A scene of one layer of `K` over a `SIZE` square target, with a white 8x8 image and
/// the halves in its atlas. Items are placed at whole pixels unscaled, or sampled away
/// from their images' edges, where the atlas's linear filtering reads texels exactly.
struct Frame<K: Kind> {
    target: RenderTarget,
    scene: Scene,
    layer: Layer<K::Holds>,
    white: Image,
    halves: Image,
}

impl<K: Kind> Frame<K> {
    fn new(ctx: &HeadlessContext) -> Frame<K> {
        let target = RenderTarget::new(ctx.gl(), SIZE, SIZE).unwrap();
        let mut scene = Scene::new(ctx.gl(), ctx.multi_draw(), SIZE, SIZE).unwrap();
        let white = scene.add_image(8, 8, &[255; 8 * 8 * 4]).unwrap();
        let halves = scene.add_image(8, 8, &halves()).unwrap();
        let layer = K::add_layer(&mut scene, 0);
        Frame {
            target,
            scene,
            layer,
            white,
            halves,
        }
    }

    /// Draws on black; the pixels, rows from the bottom.
    fn render(&mut self) -> Vec<u8> {
        self.target.bind();
        self.target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        self.scene.draw().unwrap();
        self.target.read_pixels().unwrap()
    }

    /// The white square with its bottom left corner at `(x, y)`.
    fn white(&self, x: f32, y: f32) -> K {
        K::new(self.layer, self.white, x, y)
    }

    fn add(&mut self, item: K) -> ItemId<K> {
        self.scene.add(item).unwrap()
    }

    /// Bytes sent to GL by `change`, everything staged before it sent first.
    fn uploads(&mut self, change: impl FnOnce(&mut Scene)) -> u64 {
        self.scene.batch_mut().flush().unwrap();
        let before = self.scene.batch().buffer_stats().uploaded_bytes;
        change(&mut self.scene);
        self.scene.batch_mut().flush().unwrap();
        self.scene.batch().buffer_stats().uploaded_bytes - before
    }
}

fn at(pixels: &[u8], x: u32, y: u32) -> [u8; 4] {
    common::pixel(pixels, SIZE, x, y)
}

fn an_item_draws_its_image_upright_where_it_is<K: Kind>(ctx: &HeadlessContext) {
    let mut f = Frame::<K>::new(ctx);
    f.add(f.white(8.0, 8.0));
    f.add(K::new(f.layer, f.halves, 40.0, 40.0));
    let pixels = f.render();
    assert_eq!(at(&pixels, 12, 12), WHITE);
    assert_eq!(at(&pixels, 8, 8), WHITE, "its bottom left pixel");
    assert_eq!(at(&pixels, 15, 15), WHITE, "its top right pixel");
    assert_eq!(at(&pixels, 7, 12), CLEAR);
    assert_eq!(at(&pixels, 16, 12), CLEAR);
    assert_eq!(at(&pixels, 12, 16), CLEAR);
    assert_eq!(at(&pixels, 44, 46), RED, "top half is the first rows");
    assert_eq!(at(&pixels, 44, 41), BLUE);
    assert_eq!(at(&pixels, 30, 30), CLEAR);
}

fn setters_move_tint_fade_scale_turn_hide_and_change_the_image<K: Kind>(ctx: &HeadlessContext) {
    let mut f = Frame::<K>::new(ctx);
    let id = f.add(f.white(8.0, 8.0));

    f.scene.set_position(id, 30.0, 20.0).unwrap();
    let pixels = f.render();
    assert_eq!(at(&pixels, 12, 12), CLEAR);
    assert_eq!(at(&pixels, 34, 24), WHITE);

    f.scene.set_colour(id, [0, 255, 0]).unwrap();
    assert_eq!(at(&f.render(), 34, 24), GREEN);

    f.scene.set_opacity(id, 0).unwrap();
    assert_eq!(
        at(&f.render(), 34, 24),
        CLEAR,
        "opacity 0 blends to nothing"
    );
    f.scene.set_opacity(id, 255).unwrap();

    f.scene.set_scale(id, 3.0, 1.0).unwrap();
    let pixels = f.render();
    assert_eq!(at(&pixels, 50, 24), GREEN);
    assert_eq!(at(&pixels, 34, 30), CLEAR);

    // 90 degrees clockwise about the anchor (bottom left): the 24x8 bar now hangs below.
    f.scene.set_rotation(id, 90.0).unwrap();
    let pixels = f.render();
    assert_eq!(at(&pixels, 50, 24), CLEAR);
    assert_eq!(at(&pixels, 33, 10), GREEN);

    f.scene.set_visible(id, false).unwrap();
    assert!(
        f.render().chunks(4).all(|p| p == CLEAR),
        "a hidden item drew"
    );
    f.scene.set_visible(id, true).unwrap();
    assert_eq!(at(&f.render(), 33, 10), GREEN);

    f.scene.set_image(id, f.halves).unwrap();
    f.scene
        .update(id, |item| item.common_mut().rotation = 0.0)
        .unwrap();
    f.scene.set_scale(id, 1.0, 1.0).unwrap();
    f.scene.set_colour(id, [255, 255, 255]).unwrap();
    let pixels = f.render();
    assert_eq!(at(&pixels, 34, 26), RED);
    assert_eq!(at(&pixels, 34, 21), BLUE);
    let props = *f.scene.get(id).unwrap().common();
    assert_eq!((props.x, props.y, props.rotation), (30.0, 20.0, 0.0));
}

fn changing_one_item_rewrites_only_its_own_data<K: Kind>(ctx: &HeadlessContext) {
    let mut f = Frame::<K>::new(ctx);
    let ids: Vec<_> = (0..100).map(|i| f.add(f.white(i as f32, 0.0))).collect();
    let moved = f.uploads(|s| s.set_position(ids[42], 5.0, 5.0).unwrap());
    assert_eq!(moved, K::MOVE_BYTES, "the position only");
    let tinted = f.uploads(|s| s.set_colour(ids[7], [1, 2, 3]).unwrap());
    assert_eq!(tinted, K::TINT_BYTES, "the colour only");
    let faded = f.uploads(|s| s.set_opacity(ids[8], 10).unwrap());
    assert_eq!(faded, K::TINT_BYTES, "the colour only");
    let halves = f.halves;
    let shown = f.uploads(|s| s.set_image(ids[9], halves).unwrap());
    assert_eq!(shown, K::IMAGE_BYTES, "the corners and texels only");
    let same = f.uploads(|s| s.set_position(ids[42], 5.0, 5.0).unwrap());
    assert_eq!(same, K::MOVE_BYTES, "a move is written even to where it is");
    let none = f.uploads(|s| s.set_colour(ids[7], [1, 2, 3]).unwrap());
    assert_eq!(none, 0, "the same colour writes nothing");
}

fn a_removed_item_is_gone_and_its_id_is_refused<K: Kind>(ctx: &HeadlessContext) {
    let mut f = Frame::<K>::new(ctx);
    let a = f.add(f.white(8.0, 8.0));
    let b = f.add(f.white(40.0, 40.0));
    let removed = f.scene.remove(a).unwrap();
    assert_eq!(removed.common().x, 8.0, "remove returns its properties");
    let pixels = f.render();
    assert_eq!(at(&pixels, 12, 12), CLEAR);
    assert_eq!(at(&pixels, 44, 44), WHITE);
    assert_eq!(f.scene.count::<K>(), 1);
    let unknown = Err(SceneError::UnknownItem(K::KIND));
    assert_eq!(f.scene.set_position(a, 0.0, 0.0), unknown);
    assert_eq!(f.scene.set_image(a, f.halves), unknown);
    assert_eq!(f.scene.get(a).map(|_| ()), unknown);
    assert_eq!(f.scene.remove(a).map(|_| ()), unknown);
    f.scene.remove(b).unwrap();
    assert_eq!(f.scene.count::<K>(), 0);
    assert!(f.render().chunks(4).all(|p| p == CLEAR));
}

fn a_hidden_layer_hides_its_items_and_layers_draw_by_order<K: Kind>(ctx: &HeadlessContext) {
    let mut f = Frame::<K>::new(ctx);
    let top = K::add_layer(&mut f.scene, 1);
    f.add(f.white(8.0, 8.0));
    f.add(K::new(top, f.halves, 8.0, 8.0));
    assert_eq!(at(&f.render(), 12, 14), RED);
    f.scene.set_layer_visible(top, false).unwrap();
    assert_eq!(at(&f.render(), 12, 14), WHITE);
    f.scene.set_layer_visible(top, true).unwrap();
    assert_eq!(at(&f.render(), 12, 14), RED);
}

fn an_item_scales_and_turns_about_its_anchor<K: Kind>(ctx: &HeadlessContext) {
    let mut f = Frame::<K>::new(ctx);
    let id = f.add(f.white(32.0, 32.0).anchored(4.0, 4.0));
    // Anchored at its centre: the 8x8 square covers 28..36 on both axes.
    let pixels = f.render();
    assert_eq!(at(&pixels, 29, 34), WHITE);
    assert_eq!(at(&pixels, 27, 32), CLEAR);

    // Scaled 2x about the centre: 24..40.
    f.scene.set_scale(id, 2.0, 2.0).unwrap();
    let pixels = f.render();
    assert_eq!(at(&pixels, 25, 38), WHITE);
    assert_eq!(at(&pixels, 32, 41), CLEAR);

    // Turned 45 degrees about the centre: a diamond reaching 11.3 px along each axis, so
    // the square's corner region is empty and the axes reach past the square's edges.
    f.scene.set_rotation(id, 45.0).unwrap();
    let pixels = f.render();
    assert_eq!(
        at(&pixels, 38, 38),
        CLEAR,
        "a corner of the unturned square"
    );
    assert_eq!(
        at(&pixels, 25, 26),
        CLEAR,
        "a corner of the unturned square"
    );
    // Sampled a texel and more in from the image's edges.
    assert_eq!(at(&pixels, 32, 40), WHITE, "above the unturned square");
    assert_eq!(at(&pixels, 23, 32), WHITE, "left of the unturned square");

    // A move keeps the shape.
    f.scene.set_position(id, 20.0, 20.0).unwrap();
    let pixels = f.render();
    assert_eq!(at(&pixels, 20, 28), WHITE);
    assert_eq!(at(&pixels, 26, 26), CLEAR);
    assert_eq!(at(&pixels, 32, 42), CLEAR);
}

fn set_transform_places_and_turns_in_one_write_of_each<K: Kind>(ctx: &HeadlessContext) {
    let mut f = Frame::<K>::new(ctx);
    let by_setters = f.add(f.white(0.0, 0.0).centred().scaled(2.0, 0.5));
    let at_once = f.add(f.white(0.0, 0.0).centred().scaled(2.0, 0.5));
    let apart = f.uploads(|s| {
        s.set_position(by_setters, 20.0, 30.0).unwrap();
        s.set_rotation(by_setters, 30.0).unwrap();
    });
    let together = f.uploads(|s| s.set_transform(at_once, (20.0, 30.0), 30.0).unwrap());
    assert_eq!(together, K::TRANSFORM_BYTES, "each attribute written once");
    assert_eq!(together, apart, "what the two setters write");
    assert_eq!(
        f.scene.get(at_once).unwrap(),
        f.scene.get(by_setters).unwrap()
    );
    // Both draw the same quad: each alone draws the same picture.
    f.scene.set_visible(at_once, false).unwrap();
    let apart = f.render();
    assert!(apart.chunks(4).any(|p| p == WHITE), "nothing drawn");
    f.scene.set_visible(at_once, true).unwrap();
    f.scene.set_visible(by_setters, false).unwrap();
    assert!(f.render() == apart, "set_transform drew another picture");
}

fn a_centred_item_is_placed_and_anchored_at_its_middle<K: Kind>(ctx: &HeadlessContext) {
    let mut f = Frame::<K>::new(ctx);
    let item = f.white(32.0, 32.0).centred();
    assert_eq!(item.common().anchor, [4.0, 4.0]);
    let id = f.add(item);
    let pixels = f.render();
    assert_eq!(at(&pixels, 28, 35), WHITE);
    assert_eq!(at(&pixels, 36, 32), CLEAR);
    // Moving the anchor keeps the position: the square now hangs from its top left.
    f.scene.set_anchor(id, 0.0, 8.0).unwrap();
    let pixels = f.render();
    assert_eq!(at(&pixels, 33, 30), WHITE);
    assert_eq!(at(&pixels, 31, 30), CLEAR);
    assert_eq!(at(&pixels, 33, 33), CLEAR);
    assert_eq!(f.scene.get(id).unwrap().common().x, 32.0);
}

fn the_camera_pans_and_zooms_without_rewriting_a_vertex<K: Kind>(ctx: &HeadlessContext) {
    let mut f = Frame::<K>::new(ctx);
    // An 8x8 square centred on (20, 20).
    let id = f.add(f.white(20.0, 20.0).centred());
    let pixels = f.render();
    assert_eq!(at(&pixels, 20, 20), WHITE);
    let before = f.scene.batch().buffer_stats().uploaded_bytes;

    // Panned 10 right and 4 up: the square shows centred on (10, 16).
    let pan = Camera {
        pan: [10.0, 4.0],
        ..Camera::default()
    };
    f.scene.set_camera(pan).unwrap();
    assert_eq!(f.scene.camera(), pan);
    let pixels = f.render();
    assert_eq!(at(&pixels, 8, 14), WHITE);
    assert_eq!(at(&pixels, 15, 16), CLEAR);
    assert_eq!(f.scene.world_to_screen([20.0, 20.0]), [10.0, 16.0]);
    assert_eq!(f.scene.screen_to_world([10.0, 16.0]), [20.0, 20.0]);

    // Zoomed 2x about the viewport's centre (32, 32): (20, 20) shows at (8, 8), 16 wide,
    // over pixels 0..16 (sampled a texel in from the edges, which filter with the padding).
    f.scene
        .set_camera(Camera {
            zoom: 2.0,
            ..Camera::default()
        })
        .unwrap();
    let pixels = f.render();
    assert_eq!(at(&pixels, 1, 1), WHITE);
    assert_eq!(at(&pixels, 14, 14), WHITE);
    assert_eq!(at(&pixels, 17, 8), CLEAR);
    let after = f.scene.batch().buffer_stats().uploaded_bytes;
    assert_eq!(after, before, "the camera uploads no vertex");
    assert_eq!(f.scene.get(id).unwrap().common().x, 20.0);
}

fn resizing_the_viewport_keeps_pixel_coordinates<K: Kind>(ctx: &HeadlessContext) {
    let mut f = Frame::<K>::new(ctx);
    f.add(f.white(40.0, 12.0).centred());
    let big = RenderTarget::new(ctx.gl(), 2 * SIZE, SIZE).unwrap();
    big.bind();
    f.scene.set_viewport(2 * SIZE, SIZE).unwrap();
    assert_eq!(f.scene.viewport(), [(2 * SIZE) as f32, SIZE as f32]);
    big.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
    f.scene.draw().unwrap();
    let pixels = big.read_pixels().unwrap();
    let at_wide = |x, y| common::pixel(&pixels, 2 * SIZE, x, y);
    assert_eq!(at_wide(40, 12), WHITE);
    assert_eq!(at_wide(36, 8), WHITE, "its bottom left pixel");
    assert_eq!(at_wide(35, 12), CLEAR);
    assert_eq!(at_wide(44, 12), CLEAR);
    assert_eq!(at_wide(80, 12), CLEAR);
}

fn a_refused_z_leaves_the_item_as_it_was<K: Kind>(ctx: &HeadlessContext) {
    let mut f = Frame::<K>::new(ctx);
    let id = f.add(f.white(10.0, 10.0));
    let before = f.render();
    // A layer without a draw order refuses a z; the move in the same call must not happen
    // either.
    let group = f.layer.group();
    f.scene.batch_mut().set_ordered(group, false).unwrap();
    let error = f
        .scene
        .update(id, |item| {
            let props = item.common_mut();
            (props.x, props.z) = (30.0, 2.0);
        })
        .unwrap_err();
    assert!(matches!(error, SceneError::Storage(_)), "{error}");
    let props = f.scene.get(id).unwrap().common();
    assert_eq!((props.x, props.z), (10.0, 0.0));
    assert!(f.render() == before, "the picture changed");
}

/// What a twin sprite and particle both are: one random look.
#[derive(Debug, Clone, Copy)]
struct Look {
    image: usize,
    x: f32,
    y: f32,
    scale: [f32; 2],
    rotation: f32,
    anchor: [f32; 2],
    colour: [u8; 3],
    opacity: u8,
    visible: bool,
}

/// A scene of the same random items twice, as sprites in two mixed layers and as
/// particles in two particle layers, each drawn alone (the other kind's layers hidden).
/// Each item has a cell of its own, so the pictures do not depend on the order items draw
/// in within a layer. `any_angle` turns items by any angle, else by quarter turns only.
struct Twins {
    target: RenderTarget,
    scene: Scene,
    /// The same item of each kind, and its cell.
    ids: Vec<(ItemId<Sprite>, ItemId<Particle>, usize)>,
    sprite_layers: [Layer; 2],
    particle_layers: [Layer<Particles>; 2],
    images: Vec<Image>,
    rng: rng::Rng,
    any_angle: bool,
}

/// Side of the twins' target.
const TWIN_SIZE: u32 = 256;
/// Side of a twin's cell: a 16 × 12 image scaled 1.5 and turned about its centre stays
/// inside.
const TWIN_CELL: u32 = 32;
const TWIN_CELLS: usize = ((TWIN_SIZE / TWIN_CELL) * (TWIN_SIZE / TWIN_CELL)) as usize;

impl Twins {
    fn new(ctx: &HeadlessContext, any_angle: bool) -> Twins {
        let target = RenderTarget::new(ctx.gl(), TWIN_SIZE, TWIN_SIZE).unwrap();
        let mut scene = Scene::new(ctx.gl(), ctx.multi_draw(), TWIN_SIZE, TWIN_SIZE).unwrap();
        // A gradient of partly transparent texels, premultiplied as it is added.
        let gradient: Vec<u8> = (0..16 * 12)
            .flat_map(|i| {
                [
                    (i % 16 * 16) as u8,
                    (i / 16 * 20) as u8,
                    200,
                    128 + (i % 7) as u8 * 16,
                ]
            })
            .collect();
        let images = vec![
            scene.add_image(8, 8, &[255; 8 * 8 * 4]).unwrap(),
            scene.add_image(8, 8, &halves()).unwrap(),
            scene.add_image(16, 12, &gradient).unwrap(),
        ];
        let sprite_layers = [scene.add_layer(0).unwrap(), scene.add_layer(1).unwrap()];
        let particle_layers = [
            scene.add_particle_layer(2).unwrap(),
            scene.add_particle_layer(3).unwrap(),
        ];
        Twins {
            target,
            scene,
            ids: Vec::new(),
            sprite_layers,
            particle_layers,
            images,
            rng: rng::Rng(if any_angle { 7 } else { 3 }),
            any_angle,
        }
    }

    /// The centre of a cell, a quarter pixel off the grid, so that no unturned edge
    /// crosses a pixel centre.
    fn centre(cell: usize) -> (f32, f32) {
        let per_row = (TWIN_SIZE / TWIN_CELL) as usize;
        let at = |i: usize| (i as u32 * TWIN_CELL + TWIN_CELL / 2) as f32 + 0.25;
        (at(cell % per_row), at(cell / per_row))
    }

    /// A cell no item has.
    fn free_cell(&mut self) -> usize {
        loop {
            let cell = self.rng.below(TWIN_CELLS as u64) as usize;
            if self.ids.iter().all(|&(_, _, c)| c != cell) {
                return cell;
            }
        }
    }

    /// A random look in `cell`, anchored about its centre.
    fn look(&mut self, cell: usize) -> Look {
        let r = &mut self.rng;
        let image = r.below(3) as usize;
        let (x, y) = Self::centre(cell);
        let scale = [
            [1.0, 1.5, 0.5][r.below(3) as usize],
            [1.0, 1.5, 0.5][r.below(3) as usize],
        ];
        let rotation = if self.any_angle {
            r.range(0.0, 360.0)
        } else {
            90.0 * r.below(4) as f32
        };
        let (w, h) = self.images[image].size();
        let anchor = [
            w as f32 / 2.0 + r.range(-1.0, 1.0),
            h as f32 / 2.0 + r.range(-1.0, 1.0),
        ];
        let colour = [r.below(256) as u8, r.below(256) as u8, r.below(256) as u8];
        let opacity = [255, 200, 90][r.below(3) as usize];
        let visible = r.below(10) != 0;
        Look {
            image,
            x,
            y,
            scale,
            rotation,
            anchor,
            colour,
            opacity,
            visible,
        }
    }

    /// The gradient in the second layer of its kind, the others in the first.
    fn layer_of(image: usize) -> usize {
        usize::from(image == 2)
    }

    /// Adds the same random item as a sprite and as a particle.
    fn add(&mut self) {
        let cell = self.free_cell();
        let l = self.look(cell);
        let (image, layer) = (self.images[l.image], Self::layer_of(l.image));
        let mut sprite = Sprite::new(self.sprite_layers[layer], image, l.x, l.y)
            .scaled(l.scale[0], l.scale[1])
            .rotated(l.rotation)
            .anchored(l.anchor[0], l.anchor[1])
            .with_colour(l.colour)
            .with_opacity(l.opacity);
        let mut particle = Particle::new(self.particle_layers[layer], image, l.x, l.y)
            .scaled(l.scale[0], l.scale[1])
            .rotated(l.rotation)
            .anchored(l.anchor[0], l.anchor[1])
            .with_colour(l.colour)
            .with_opacity(l.opacity);
        if !l.visible {
            (sprite, particle) = (sprite.hidden(), particle.hidden());
        }
        let ids = (
            self.scene.add(sprite).unwrap(),
            self.scene.add(particle).unwrap(),
        );
        self.ids.push((ids.0, ids.1, cell));
    }

    /// The picture of one kind's layers alone.
    fn render(&mut self, sprites: bool) -> Vec<u8> {
        for layer in self.sprite_layers {
            self.scene.set_layer_visible(layer, sprites).unwrap();
        }
        for layer in self.particle_layers {
            self.scene.set_layer_visible(layer, !sprites).unwrap();
        }
        self.target.bind();
        self.target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        self.scene.draw().unwrap();
        self.target.read_pixels().unwrap()
    }

    /// Asserts the two pictures agree: byte for byte when `exact`, else within one level
    /// of one channel at a few pixels (at any angle the particle shader's sum,
    /// `translation + offset + corner × edges`, rounds otherwise than a sprite's
    /// `position + translation`, and an interpolated texel coordinate may land a hair
    /// away), even where turned edges and linearly filtered texels meet.
    fn assert_same(&mut self, what: &str, exact: bool) {
        let (sprites, particles) = (self.render(true), self.render(false));
        let lit = sprites.chunks(4).filter(|p| p[..3] != [0, 0, 0]).count();
        assert!(lit > 3000, "{what}: only {lit} pixels drawn");
        let pairs = || sprites.chunks(4).zip(particles.chunks(4));
        let differ = pairs().filter(|(a, b)| a != b).count();
        let furthest = pairs()
            .flat_map(|(a, b)| a.iter().zip(b).map(|(x, y)| x.abs_diff(*y)))
            .max()
            .unwrap_or(0);
        let (most, furthest_allowed) = if exact { (0, 0) } else { (lit / 100, 1) };
        if differ > most || furthest > furthest_allowed {
            let dir = std::env::temp_dir();
            let png = |name: &str, pixels: &[u8]| {
                common::write_png(&dir.join(name), TWIN_SIZE, TWIN_SIZE, pixels)
            };
            png("twins-sprites.png", &sprites);
            png("twins-particles.png", &particles);
            panic!(
                "{what}: {differ} pixels of {lit} drawn differ between sprites and particles, \
                 by up to {furthest} (pictures in {})",
                dir.display()
            );
        }
    }

    /// Changes every item the same way as a sprite and as a particle: moves, setters,
    /// changes of image and layer, removals and re-adds.
    fn churn(&mut self) {
        for k in (0..self.ids.len()).rev() {
            let (sprite, particle, _) = self.ids[k];
            let s = &mut self.scene;
            match self.rng.below(6) {
                0 => {
                    let cell = self.free_cell();
                    let (x, y) = Self::centre(cell);
                    let s = &mut self.scene;
                    s.set_position(sprite, x, y).unwrap();
                    s.set_position(particle, x, y).unwrap();
                    self.ids[k].2 = cell;
                }
                1 => {
                    let angle = if self.any_angle {
                        self.rng.range(0.0, 360.0)
                    } else {
                        270.0
                    };
                    let s = &mut self.scene;
                    s.set_rotation(sprite, angle).unwrap();
                    s.set_rotation(particle, angle).unwrap();
                    s.set_scale(sprite, 1.5, 0.5).unwrap();
                    s.set_scale(particle, 1.5, 0.5).unwrap();
                }
                2 => {
                    s.set_colour(sprite, [10, 200, 30]).unwrap();
                    s.set_colour(particle, [10, 200, 30]).unwrap();
                    s.set_opacity(sprite, 128).unwrap();
                    s.set_opacity(particle, 128).unwrap();
                }
                3 => {
                    let image = self.images[1];
                    let (to_s, to_p) = (self.sprite_layers[0], self.particle_layers[0]);
                    s.update(sprite, |t| (t.image, t.props.layer) = (image, to_s))
                        .unwrap();
                    s.update(particle, |t| (t.image, t.props.layer) = (image, to_p))
                        .unwrap();
                }
                4 => {
                    s.remove(sprite).unwrap();
                    s.remove(particle).unwrap();
                    self.ids.swap_remove(k);
                }
                _ => {
                    let visible = self.rng.below(2) == 0;
                    let s = &mut self.scene;
                    s.set_visible(sprite, visible).unwrap();
                    s.set_visible(particle, visible).unwrap();
                }
            }
        }
        while self.ids.len() < 56 {
            self.add();
        }
    }
}

fn particles_draw_the_pictures_of_sprites(ctx: &HeadlessContext) {
    let mut twins = Twins::new(ctx, false);
    for _ in 0..48 {
        twins.add();
    }
    twins.assert_same("quarter turns", true);
    twins.churn();
    twins.assert_same("quarter turns, after churn", true);
}

fn particles_draw_the_pictures_of_sprites_at_any_angle(ctx: &HeadlessContext) {
    let mut twins = Twins::new(ctx, true);
    for _ in 0..48 {
        twins.add();
    }
    twins.assert_same("any angle", false);
    twins.churn();
    twins.assert_same("any angle, after churn", false);
}

common::on_gl_core_and_gles3!(
    particles_draw_the_pictures_of_sprites,
    particles_draw_the_pictures_of_sprites_at_any_angle,
);

for_sprites_and_particles!(
    an_item_draws_its_image_upright_where_it_is,
    setters_move_tint_fade_scale_turn_hide_and_change_the_image,
    changing_one_item_rewrites_only_its_own_data,
    a_removed_item_is_gone_and_its_id_is_refused,
    a_hidden_layer_hides_its_items_and_layers_draw_by_order,
    an_item_scales_and_turns_about_its_anchor,
    set_transform_places_and_turns_in_one_write_of_each,
    a_centred_item_is_placed_and_anchored_at_its_middle,
    the_camera_pans_and_zooms_without_rewriting_a_vertex,
    resizing_the_viewport_keeps_pixel_coordinates,
    a_refused_z_leaves_the_item_as_it_was,
);
