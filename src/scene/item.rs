//! What every kind of item shares: its [`Props`] (layer, position, rotation, anchor,
//! colour, opacity, visibility, z), the [`Item`] trait through which the scene runs one
//! lifecycle for all kinds, and the builders every kind has.
//!
//! A kind supplies only its geometry ([`sealed::Kind`]): what it builds from its own
//! properties (a sprite's image, a shape's outline, a label's layout), its vertices
//! in its own frame, their indices and their colours. The scene places and turns the
//! vertices, moves, colours, orders and migrates items, and puts them back on failure, the
//! same way for every kind (`items.rs`).

use super::atlas::Image;
use super::error::finite;
use super::error::SceneError;
use super::layer::{Layer, Mixed};
use crate::domain::ListId;

/// An item of a scene: a [`Sprite`](super::Sprite), [`Shape`](super::Shape),
/// [`Label`](super::Label) or [`Particle`](super::Particle), named by kind. A removed item's
/// id, or another scene's, resolves to [`SceneError::UnknownItem`].
pub type ItemId<K> = ListId<K>;

/// What every item has, whatever its kind; `L` is the kind of layer it draws in
/// ([`Mixed`] for sprites, shapes and labels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Props<L = Mixed> {
    /// The layer it draws in.
    pub layer: Layer<L>,
    /// Where its anchor goes, in the layer's coordinates (world or screen pixels).
    pub x: f32,
    /// Where its anchor goes.
    pub y: f32,
    /// Clockwise turn about its anchor, in degrees.
    pub rotation: f32,
    /// The point of its own frame placed at `(x, y)` and turned about, in unscaled pixels
    /// (a sprite's from its image's bottom left corner, a shape's from its kind's origin,
    /// a label's from the point its text anchors name).
    pub anchor: [f32; 2],
    /// RGB colour: a sprite's tint, a shape's fill, a label's ink.
    pub colour: [u8; 3],
    /// Opacity, 255 opaque.
    pub opacity: u8,
    /// Whether it draws.
    pub visible: bool,
    /// Where it draws within its layer: above the items of lower z, and above those of its
    /// z added before it, whatever their kind.
    pub z: f32,
}

impl<L> Props<L> {
    /// White, opaque, unturned and visible at `(x, y)` in `layer`, anchored at its frame's
    /// origin, at z 0.
    pub fn new(layer: Layer<L>, x: f32, y: f32) -> Props<L> {
        Props {
            layer,
            x,
            y,
            rotation: 0.0,
            anchor: [0.0, 0.0],
            colour: [255, 255, 255],
            opacity: 255,
            visible: true,
            z: 0.0,
        }
    }

    /// [`SceneError::NotFinite`] unless its position, rotation, anchor and z are finite.
    pub(crate) fn check(&self) -> Result<(), SceneError> {
        finite("an item's position", &[self.x, self.y])?;
        finite("an item's rotation", &[self.rotation])?;
        finite("an item's anchor", &self.anchor)?;
        finite("an item's z", &[self.z])
    }

    /// Its colour and opacity as one vertex colour.
    pub(crate) fn rgba(&self) -> [u8; 4] {
        let [r, g, b] = self.colour;
        [r, g, b, self.opacity]
    }

    /// Takes a vertex of its frame to its place relative to `(x, y)`: less the anchor,
    /// turned clockwise by the rotation; every vertex at `(x, y)` when hidden, a triangle
    /// of no area that rasterises nothing.
    #[inline]
    pub(crate) fn placer(&self) -> impl Fn([f32; 2]) -> [f32; 2] {
        let (sin, cos) = (-self.rotation).to_radians().sin_cos();
        let [ax, ay] = self.anchor;
        let shown = if self.visible { 1.0 } else { 0.0 };
        move |[x, y]| {
            let (x, y) = (x - ax, y - ay);
            [(x * cos - y * sin) * shown, (x * sin + y * cos) * shown]
        }
    }
}

/// The box `[left, bottom, right, top]` that holds `points`; `None` without any.
pub(crate) fn bounds_of(points: impl IntoIterator<Item = [f32; 2]>) -> Option<[f32; 4]> {
    points.into_iter().fold(None, |bounds, [x, y]| {
        let [l, b, r, t] = bounds.unwrap_or([x, y, x, y]);
        Some([l.min(x), b.min(y), r.max(x), t.max(y)])
    })
}

pub(crate) mod sealed {
    use super::super::atlas::SceneAtlas;
    use super::super::error::SceneError;
    use super::super::layer::Mixed;
    use super::super::vertex::Corners;
    use super::Props;
    use crate::backend::MaybeSend;

    /// What every kind has: its common properties, in layers of the kind it draws in.
    pub trait Common: Clone + MaybeSend + 'static {
        /// The kind of layer it draws in.
        type Holds: Copy + PartialEq + std::fmt::Debug + 'static;
        /// The kind's name, for errors.
        const NAME: &'static str;
        /// Its common properties.
        fn props(&self) -> &Props<Self::Holds>;
        /// Its common properties, to change.
        fn props_mut(&mut self) -> &mut Props<Self::Holds>;
    }

    /// What the scene needs of a kind to build its geometry.
    pub struct Context<'a> {
        /// The atlas: images to check, glyphs to rasterise.
        pub atlas: &'a mut SceneAtlas,
        /// Device pixels per logical pixel, for text.
        pub scale: f32,
    }

    /// What one kind supplies: its geometry, from its own properties. Everything else
    /// (placing, moving, colouring, ordering, migrating, restoring) is the scene's, once.
    pub trait Kind: Common<Holds = Mixed> {
        /// What the scene keeps beside a live item to rewrite it without building it again
        /// (a label's layout, a shape's vertex and index counts; nothing for a sprite).
        type State: Default + MaybeSend;
        /// Whether going from `old` to `self` changes what [`build`](Kind::build) makes.
        fn rebuilds(&self, old: &Self) -> bool;
        /// Whether going from `old` to `self` changes colours beyond the common colour and
        /// opacity (a bordered rectangle's border colour, or a shape's geometry, which decides
        /// the vertices that take it).
        fn repaints(&self, _old: &Self) -> bool {
            false
        }
        /// Checks what only the kind knows and builds its geometry into `state`: CPU work
        /// and atlas uploads (new glyphs), no vertex written. Returns the first vertex
        /// that differs from `old`'s (0 when there is none to compare with).
        fn build(
            &self,
            old: Option<&Self::State>,
            state: &mut Self::State,
            context: &mut Context<'_>,
        ) -> Result<usize, SceneError>;
        /// Vertices and indices of a built item.
        fn counts(state: &Self::State) -> (usize, usize);
        /// The vertices from `from` on, in the item's frame: appended to `out`.
        fn corners(&self, state: &Self::State, atlas: &SceneAtlas, from: usize, out: &mut Corners);
        /// Its indices, appended to `out`.
        fn indices(&self, state: &Self::State, out: &mut Vec<u32>);
        /// A box of its frame `[left, bottom, right, top]` that its bounds hold beside its
        /// vertices (a label's layout block): none by default.
        fn block(&self, _state: &Self::State) -> Option<[f32; 4]> {
            None
        }
        /// Every vertex's colour, appended to `out`: [`Props::rgba`] at each by default.
        fn paint(&self, state: &Self::State, out: &mut Vec<[u8; 4]>) {
            let (count, _) = Self::counts(state);
            out.extend(std::iter::repeat(self.props().rgba()).take(count));
        }
    }
}

/// A kind of item a scene draws; every kind has these builders. Sealed: the kinds are the
/// crate's.
pub trait Item: sealed::Common {
    /// The same item at `z` within its layer.
    fn at_z(mut self, z: f32) -> Self {
        self.props_mut().z = z;
        self
    }

    /// The same item in `rgb`.
    fn with_colour(mut self, rgb: [u8; 3]) -> Self {
        self.props_mut().colour = rgb;
        self
    }

    /// The same item at `opacity` (255 opaque).
    fn with_opacity(mut self, opacity: u8) -> Self {
        self.props_mut().opacity = opacity;
        self
    }

    /// The same item turned clockwise by `degrees` about its anchor.
    fn rotated(mut self, degrees: f32) -> Self {
        self.props_mut().rotation = degrees;
        self
    }

    /// The same item anchored at `(x, y)` of its frame.
    fn anchored(mut self, x: f32, y: f32) -> Self {
        self.props_mut().anchor = [x, y];
        self
    }

    /// The same item, hidden.
    fn hidden(mut self) -> Self {
        self.props_mut().visible = false;
        self
    }

    /// Its common properties.
    fn common(&self) -> &Props<Self::Holds> {
        self.props()
    }
}

impl<K: sealed::Common> Item for K {}

/// A kind that shows an image of the scene's atlas, scaled about its anchor: a
/// [`Sprite`](super::Sprite) or a [`Particle`](super::Particle). Sealed.
pub trait Pictured: Item + Copy {
    /// Its image.
    #[doc(hidden)]
    fn image(&self) -> Image;
    /// Its image, to change.
    #[doc(hidden)]
    fn image_mut(&mut self) -> &mut Image;
    /// Its scale, to change.
    #[doc(hidden)]
    fn scale_mut(&mut self) -> &mut [f32; 2];

    /// The same item anchored at its image's centre, so that its position is its centre
    /// and it turns and scales about it.
    fn centred(mut self) -> Self {
        let (w, h) = self.image().size();
        self.props_mut().anchor = [w as f32 / 2.0, h as f32 / 2.0];
        self
    }

    /// The same item showing `image`.
    fn with_image(mut self, image: Image) -> Self {
        *self.image_mut() = image;
        self
    }

    /// The same item scaled by `(x, y)` about its anchor.
    fn scaled(mut self, x: f32, y: f32) -> Self {
        *self.scale_mut() = [x, y];
        self
    }
}

/// A kind with an `image` and a `scale` field.
macro_rules! pictured {
    ($kind:ty) => {
        impl $crate::scene::item::Pictured for $kind {
            fn image(&self) -> $crate::scene::Image {
                self.image
            }
            fn image_mut(&mut self) -> &mut $crate::scene::Image {
                &mut self.image
            }
            fn scale_mut(&mut self) -> &mut [f32; 2] {
                &mut self.scale
            }
        }
    };
}
pub(crate) use pictured;
