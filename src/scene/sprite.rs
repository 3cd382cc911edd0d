//! [`Sprite`]: an image of the scene's atlas on a quad, scaled, turned, tinted.
//!
//! Its geometry is 4 vertices and 6 indices, computed from its image and scale: nothing is
//! kept beside it, and showing another image (an animation frame) rewrites its 4 positions
//! and 4 texels, 48 bytes.

use super::atlas::{Image, SceneAtlas};
use super::error::finite;
use super::error::SceneError;
use super::item::sealed::{Common, Context, Kind};
use super::item::Props;
use super::layer::{Layer, Mixed};
use super::vertex::{Corners, QUAD_INDICES};

/// An image on a quad: its bottom left corner at its anchor's offset from its position,
/// scaled and turned about its anchor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sprite {
    /// Layer, position, rotation, anchor, tint, opacity, visibility, z.
    pub props: Props,
    /// What it shows.
    pub image: Image,
    /// Horizontal and vertical scale.
    pub scale: [f32; 2],
}

impl Sprite {
    /// `image` with its bottom left corner at `(x, y)` in `layer`, unscaled, untinted,
    /// opaque.
    pub fn new(layer: Layer, image: Image, x: f32, y: f32) -> Sprite {
        Sprite {
            props: Props::new(layer, x, y),
            image,
            scale: [1.0, 1.0],
        }
    }
}

super::item::pictured!(Sprite);

impl Common for Sprite {
    type Holds = Mixed;
    const NAME: &'static str = "sprite";

    fn props(&self) -> &Props {
        &self.props
    }

    fn props_mut(&mut self) -> &mut Props {
        &mut self.props
    }
}

impl Kind for Sprite {
    type State = ();

    fn rebuilds(&self, old: &Self) -> bool {
        self.image != old.image || self.scale != old.scale
    }

    fn build(
        &self,
        _: Option<&()>,
        _: &mut (),
        context: &mut Context<'_>,
    ) -> Result<usize, SceneError> {
        finite("a sprite's scale", &self.scale)?;
        context.atlas.check(&self.image)?;
        Ok(0)
    }

    fn counts(_: &()) -> (usize, usize) {
        (4, 6)
    }

    /// Corners counter-clockwise from the bottom left; the image's first row (top-down
    /// data, as PNG files hold) at the top. The scale applies about the anchor.
    fn corners(&self, _: &(), _: &SceneAtlas, from: usize, out: &mut Corners) {
        let (w, h) = self.image.size();
        let [tx, ty] = self.image.texel;
        let [iw, ih] = self.image.size;
        let [ax, ay] = self.props.anchor;
        let [sx, sy] = self.scale;
        let at = |x: f32, y: f32| [ax + (x - ax) * sx, ay + (y - ay) * sy];
        let (w, h) = (w as f32, h as f32);
        let corners = [
            (at(0.0, 0.0), [tx, ty + ih]),
            (at(w, 0.0), [tx + iw, ty + ih]),
            (at(w, h), [tx + iw, ty]),
            (at(0.0, h), [tx, ty]),
        ];
        for (position, texel) in &corners[from.min(4)..] {
            out.push(*position, *texel);
        }
    }

    fn indices(&self, _: &(), out: &mut Vec<u32>) {
        out.extend(QUAD_INDICES);
    }
}
