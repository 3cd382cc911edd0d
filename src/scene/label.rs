//! [`Label`]: text in any [`Font`] and size, its glyphs rasterised into the scene's atlas
//! on first use.
//!
//! A label's geometry is 4 vertices and 6 indices per glyph with ink (spaces take none),
//! laid out in device pixels (pen positions on whole ones, so text stays sharp at any scale
//! factor) and drawn in logical ones. Its layout is kept beside it: a turn or a colour
//! rewrites from it, and a change of text lays the label out again and rewrites only the
//! glyphs from the first one that differs (a counter's "Score: 12" of "Score: 123").

use super::atlas::SceneAtlas;
use super::error::SceneError;
use super::item::sealed::{Common, Context, Kind};
use super::item::Props;
use super::layer::{Layer, Mixed};
use super::text::layout::{lay_out, Layout, Params, Placed};
use super::text::{Align, AnchorX, AnchorY, FaceId, Font, Line};
use super::vertex::{Corners, QUAD_INDICES};

/// Vertices and indices of one glyph's quad.
const QUAD_VERTICES: usize = 4;
const QUAD_INDEX_COUNT: usize = 6;

/// A block of text: its lines, aligned, with the point its anchors name placed at its
/// position (and its anchor offset from there, as for every item).
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// Layer, position, rotation, anchor offset, colour, opacity, visibility, z.
    pub props: Props,
    /// What it says; `'\n'` breaks a line.
    pub text: String,
    /// Its font.
    pub font: Font,
    /// Its size in logical pixels per em.
    pub size: f32,
    /// Which point across its block the position places.
    pub anchor_x: AnchorX,
    /// Which height of its block the position places.
    pub anchor_y: AnchorY,
    /// How its lines line up.
    pub align: Align,
    /// Lines break before a word that would cross this width, in pixels; `None` (or a
    /// width that is not a positive, finite number): only at `'\n'`.
    pub wrap_width: Option<f32>,
}

impl Label {
    /// White, opaque `text` in `font` at `size` pixels, its first baseline's left end at
    /// `(x, y)` in `layer`.
    pub fn new(
        layer: Layer,
        text: impl Into<String>,
        font: &Font,
        size: f32,
        x: f32,
        y: f32,
    ) -> Label {
        Label {
            props: Props::new(layer, x, y),
            text: text.into(),
            font: font.clone(),
            size,
            anchor_x: AnchorX::Left,
            anchor_y: AnchorY::Baseline,
            align: Align::Left,
            wrap_width: None,
        }
    }

    /// The same label with its position placing the point `(x, y)` of its block.
    pub fn anchored_at(self, x: AnchorX, y: AnchorY) -> Label {
        Label {
            anchor_x: x,
            anchor_y: y,
            ..self
        }
    }

    /// The same label with its lines aligned by `align`.
    pub fn aligned(self, align: Align) -> Label {
        Label { align, ..self }
    }

    /// The same label wrapped at `width` pixels.
    pub fn wrapped(self, width: f32) -> Label {
        Label {
            wrap_width: Some(width),
            ..self
        }
    }

    /// The same properties saying `text`: the old text is not cloned.
    pub(crate) fn with_text(&self, text: &str) -> Label {
        Label {
            props: self.props,
            text: text.to_owned(),
            font: self.font.clone(),
            size: self.size,
            anchor_x: self.anchor_x,
            anchor_y: self.anchor_y,
            align: self.align,
            wrap_width: self.wrap_width,
        }
    }

    /// How to lay it out at `scale` device pixels per logical pixel; a wrap width that is
    /// not a positive, finite number means none.
    fn params(&self, scale: f32) -> Params {
        Params {
            wrap_width: (self.wrap_width)
                .filter(|w| w.is_finite() && *w > 0.0)
                .map(|w| w * scale),
            align: self.align,
            anchor_x: self.anchor_x,
            anchor_y: self.anchor_y,
        }
    }
}

/// What the scene keeps of a live label: its face and layout, and the glyphs it draws.
#[derive(Debug, Default)]
pub struct LabelState {
    face: Option<FaceId>,
    /// Device pixels per logical pixel of its face (0 until built).
    scale: f32,
    layout: Layout,
    /// The layout's glyphs with ink, pen positions rounded to whole device pixels.
    quads: Vec<Placed>,
}

impl LabelState {
    /// Its lines as laid out, in device pixels, in its frame.
    pub(crate) fn lines(&self) -> &[Line] {
        &self.layout.lines
    }
}

impl Common for Label {
    type Holds = Mixed;
    const NAME: &'static str = "label";

    fn props(&self) -> &Props {
        &self.props
    }

    fn props_mut(&mut self) -> &mut Props {
        &mut self.props
    }
}

impl Kind for Label {
    type State = LabelState;

    fn rebuilds(&self, old: &Self) -> bool {
        self.text != old.text
            || self.font != old.font
            || self.size.to_bits() != old.size.to_bits()
            || self.params(1.0) != old.params(1.0)
    }

    fn build(
        &self,
        old: Option<&LabelState>,
        state: &mut LabelState,
        context: &mut Context<'_>,
    ) -> Result<usize, SceneError> {
        let atlas = &mut *context.atlas;
        let face_id = atlas.face(&self.font, self.size * context.scale)?;
        atlas.prepare(face_id, &self.text)?;
        let face = atlas.get(face_id);
        lay_out(
            &self.text,
            face,
            &self.params(context.scale),
            &mut state.layout,
        );
        state.quads.clear();
        state.quads.extend(
            (state.layout.glyphs.iter())
                .filter(|g| face.glyph(g.c).is_some_and(|glyph| glyph.size[0] > 0))
                .map(|g| Placed {
                    x: g.x.round(),
                    y: g.y.round(),
                    ..*g
                }),
        );
        state.face = Some(face_id);
        state.scale = face.scale_for(self.size);
        let kept = match old {
            Some(old) if old.face == state.face => {
                let pairs = old.quads.iter().zip(&state.quads);
                pairs.take_while(|(a, b)| a == b).count()
            }
            _ => 0,
        };
        Ok(kept * QUAD_VERTICES)
    }

    fn counts(state: &LabelState) -> (usize, usize) {
        let quads = state.quads.len();
        (quads * QUAD_VERTICES, quads * QUAD_INDEX_COUNT)
    }

    /// Each glyph's corners counter-clockwise from the bottom left, in logical pixels.
    fn corners(&self, state: &LabelState, atlas: &SceneAtlas, from: usize, out: &mut Corners) {
        let Some(face) = state.face.map(|id| atlas.get(id)) else {
            return;
        };
        let logical = 1.0 / face.scale_for(self.size);
        for quad in &state.quads[from / QUAD_VERTICES..] {
            let Some(glyph) = face.glyph(quad.c) else {
                continue;
            };
            let [w, h] = glyph.size;
            let (x0, y0) = (quad.x + glyph.offset[0], quad.y + glyph.offset[1]);
            let (x1, y1) = (x0 + f32::from(w), y0 + f32::from(h));
            let [tx, ty] = glyph.texel;
            let at = |x: f32, y: f32| [x * logical, y * logical];
            out.push(at(x0, y0), [tx, ty + h]);
            out.push(at(x1, y0), [tx + w, ty + h]);
            out.push(at(x1, y1), [tx + w, ty]);
            out.push(at(x0, y1), [tx, ty]);
        }
    }

    /// The layout block (the lines' width by the first ascent to the last descent), in
    /// logical pixels.
    fn block(&self, state: &LabelState) -> Option<[f32; 4]> {
        let scale = state.scale;
        (scale > 0.0).then(|| state.layout.block.map(|v| v / scale))
    }

    fn indices(&self, state: &LabelState, out: &mut Vec<u32>) {
        let quads = state.quads.len() as u32;
        out.extend((0..quads).flat_map(|q| QUAD_INDICES.map(|i| i + q * QUAD_VERTICES as u32)));
    }
}
