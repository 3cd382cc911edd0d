//! Text on a [`SpriteBatch`]: labels of any [`Font`] and size, in text layers that
//! interleave with sprite and shape layers by order, ordered by z within their layer and
//! seen through the same camera.
//!
//! A label's glyphs are one indexed vertex list (4 vertices and 6 indices a glyph with ink;
//! spaces take none) in its layer's domain, so a layer of labels draws in one multi-draw.
//! Its vertices hold four attributes:
//!
//! - `position`: each glyph's corner relative to the label's anchor ([`layout`]), turned
//!   by the rotation: rewritten when the layout, rotation or visibility change;
//! - `translation`: the label's position, the same at every vertex: a move rewrites only
//!   this, 8 bytes a vertex;
//! - `tex_coords`: the glyph's corner in the sprite batch's glyph atlas, in texels (the shader
//!   divides by the atlas's size, so the atlas grows without a label being rewritten);
//! - `colour`: the label's colour and opacity: a change rewrites only this.
//!
//! A change of text lays the label out again and compares the glyphs with the ones drawn:
//! the unchanged first glyphs (a counter's "Score: 12" of "Score: 123") are kept, and only
//! the rest is written. When the glyph count changes, the list is resized in place where
//! the space after it is free, or else moved by a GPU copy that carries the kept glyphs;
//! [`TextStats`] counts both.

mod atlas;
pub(crate) mod face;
mod font;
pub mod layout;

use std::sync::Arc;

use super::camera::VIEW_SHADER;
use super::layer::{Blend, Layer, LayerKind, LayerTexture, LayerUniforms, SharedBlend};
use super::sprite::{SpriteStore, QUAD_INDICES};
use super::{finite, Batch, BatchError, BatchList, FormatId, GroupId, SpriteBatch};
use crate::backend::{ComponentType, GlError, Program, ShaderVersion, VertexFormat};
use crate::domain::{DomainId, ListId, Primitive, Resized, Slots};
use atlas::GlyphAtlas;
use face::FaceId;
pub use font::Font;
use layout::{lay_out, Layout, Params, Placed};
pub use layout::{Align, AnchorX, AnchorY, Line, LineMetrics};

/// Attribute locations of the text program.
const POSITION: usize = 0;
const TRANSLATION: usize = 1;
const TEX_COORDS: usize = 2;
const COLOUR: usize = 3;

/// Vertices and indices of one glyph's quad.
const QUAD_VERTICES: usize = 4;
const QUAD_INDEX_COUNT: usize = 6;

/// `atlas_size` is the atlas's size in texels, set by the layer at every draw: a uniform
/// rather than `textureSize` in the vertex shader, which llvmpipe runs slowly per vertex.
const VERTEX_SHADER: &str = "
uniform vec2 atlas_size;
in vec2 position;
in vec2 translation;
in vec2 tex_coords;
in vec4 colour;
out vec2 v_tex_coords;
out vec4 v_colour;
void main() {
    gl_Position = clip(position + translation);
    v_tex_coords = tex_coords / atlas_size;
    v_colour = colour;
}";

/// The glyph's coverage times the colour's alpha, as premultiplied colour (straight for
/// a layer that blends straight alpha, set by its [`Layer`]).
const FRAGMENT_SHADER: &str = "
uniform sampler2D atlas;
uniform int straight;
in vec2 v_tex_coords;
in vec4 v_colour;
out vec4 out_colour;
void main() {
    float alpha = texture(atlas, v_tex_coords).r * v_colour.a;
    out_colour = straight == 1 ? vec4(v_colour.rgb, alpha) : vec4(v_colour.rgb * alpha, alpha);
}";

/// What went wrong with text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// The bytes are not a font [`Font::from_bytes`] can read.
    #[error("not a font: {0}")]
    Font(String),
    /// A size that is not a positive, finite number of pixels up to 1024.
    #[error("label size {0} must be a positive number of pixels up to 1024")]
    Size(f32),
    /// The glyph atlas is at `GL_MAX_TEXTURE_SIZE` on both sides and full.
    #[error("the glyph atlas is full at {side}x{side} texels")]
    AtlasFull {
        /// Its side.
        side: u32,
    },
    /// The atlas texture could not be written or grown.
    #[error(transparent)]
    Gl(#[from] GlError),
    /// A scale factor that is not a positive, finite number up to [`MAX_SCALE_FACTOR`].
    #[error("scale factor {0} must be a positive number up to 16")]
    ScaleFactor(f32),
}

/// The largest scale factor [`SpriteBatch::set_scale_factor`] takes: more than any display
/// reports (phones reach 4).
pub const MAX_SCALE_FACTOR: f32 = 16.0;

/// Sizes compare by their bits, so the error is `Eq` like the others of the crate.
impl Eq for TextError {}

/// Marker for label handles.
#[derive(Debug)]
pub enum Labels {}

/// A label of a [`SpriteBatch`]; a removed label's id resolves to
/// [`BatchError::UnknownLabel`].
pub type LabelId = ListId<Labels>;

/// A label's properties, as last set.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// What it says; `'\n'` breaks a line.
    pub text: String,
    /// Its font.
    pub font: Font,
    /// Its size in pixels per em.
    pub size: f32,
    /// RGB colour.
    pub colour: [u8; 3],
    /// Opacity, 255 opaque.
    pub opacity: u8,
    /// Where its anchor goes, in world pixels.
    pub x: f32,
    /// Where its anchor goes, in world pixels.
    pub y: f32,
    /// Which point across its block the position places.
    pub anchor_x: AnchorX,
    /// Which height of its block the position places.
    pub anchor_y: AnchorY,
    /// How its lines line up.
    pub align: Align,
    /// Lines break before a word that would cross this width, in pixels; `None` (or a
    /// width that is not a positive, finite number): only at `'\n'`.
    pub wrap_width: Option<f32>,
    /// Clockwise turn about the anchor, in degrees, as sprites and shapes turn.
    pub rotation: f32,
    /// Whether it draws.
    pub visible: bool,
    /// Where it draws within its layer, as sprites and shapes.
    pub z: f32,
    /// The text layer it draws in ([`SpriteBatch::add_text_layer`]).
    pub layer: GroupId,
}

impl Label {
    /// [`BatchError::NotFinite`] unless its position, rotation and z are finite (its size is
    /// checked when it is laid out; a wrap width that is not a positive finite number means
    /// no wrapping).
    fn check(&self) -> Result<(), BatchError> {
        finite("a label's position", &[self.x, self.y])?;
        finite("a label's rotation", &[self.rotation])?;
        finite("a label's z", &[self.z])
    }

    /// A white, opaque, unrotated label of `text` in `font` at `size` pixels, its first
    /// baseline's left end at `(x, y)`, at z 0.
    pub fn new(
        layer: GroupId,
        text: impl Into<String>,
        font: &Font,
        size: f32,
        x: f32,
        y: f32,
    ) -> Label {
        Label {
            text: text.into(),
            font: font.clone(),
            size,
            colour: [255, 255, 255],
            opacity: 255,
            x,
            y,
            anchor_x: AnchorX::Left,
            anchor_y: AnchorY::Baseline,
            align: Align::Left,
            wrap_width: None,
            rotation: 0.0,
            visible: true,
            z: 0.0,
            layer,
        }
    }

    /// The same label in `rgb`.
    pub fn with_colour(self, rgb: [u8; 3]) -> Label {
        Label {
            colour: rgb,
            ..self
        }
    }

    /// The same label with its position placing the point `(x, y)` of its block.
    pub fn anchored(self, x: AnchorX, y: AnchorY) -> Label {
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

    /// The same label at `z` within its layer.
    pub fn at_z(self, z: f32) -> Label {
        Label { z, ..self }
    }

    /// The same label turned clockwise by `degrees` about its anchor.
    pub fn rotated(self, degrees: f32) -> Label {
        Label {
            rotation: degrees,
            ..self
        }
    }

    /// How to lay it out; a wrap width that is not a positive, finite number means none
    /// (so that such labels compare equal and lay out alike).
    fn params(&self) -> Params {
        Params {
            wrap_width: self.wrap_width.filter(|w| w.is_finite() && *w > 0.0),
            align: self.align,
            anchor_x: self.anchor_x,
            anchor_y: self.anchor_y,
        }
    }

    fn rgba(&self) -> [u8; 4] {
        let [r, g, b] = self.colour;
        [r, g, b, self.opacity]
    }
}

/// What a sprite batch's text has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextStats {
    /// Times a label's glyphs were laid out and written again (its text, font, size,
    /// wrapping, alignment, anchor, rotation or visibility changed): `in_place + moved`.
    pub relayouts: u64,
    /// Of those, the ones whose list stayed where it was: the same glyph count, or a
    /// resize into the free space after it (or a shrink).
    pub in_place: u64,
    /// Of those, the ones whose list moved to a region that fits, by a GPU copy.
    pub moved: u64,
    /// Glyph quads written by new labels and relayouts (a relayout's unchanged first
    /// glyphs are not).
    pub glyphs_written: u64,
    /// Glyphs rasterised into the atlas.
    pub glyphs_rasterised: u64,
    /// Times the atlas texture grew.
    pub atlas_grows: u64,
    /// The atlas's size in texels.
    pub atlas_size: (u32, u32),
}

/// A live label: its properties, its list, its face, what it draws, and its layout.
struct Entry {
    label: Label,
    list: BatchList,
    face: FaceId,
    /// What it draws: its layout's glyphs with ink, pen positions rounded to whole pixels.
    quads: Vec<Placed>,
    lines: Vec<Line>,
    /// The layout block, relative to the anchor.
    block: [f32; 4],
}

/// A label laid out but not yet written: its face, layout and quads, as [`Entry`] keeps
/// them once written. Scratch space reused by every relayout.
#[derive(Default)]
struct Next {
    layout: Layout,
    quads: Vec<Placed>,
}

/// What writes labels' lists: the atlas, the statistics and scratch space that keeps
/// writes from allocating once warm.
struct Writer {
    atlas: GlyphAtlas,
    positions: Vec<[f32; 2]>,
    texels: Vec<[u16; 2]>,
    colours: Vec<[u8; 4]>,
    indices: Vec<u32>,
    stats: TextStats,
}

/// What a sprite batch keeps for its labels: their program, format and lists, what writes
/// them, and the next layout.
pub(in crate::batch) struct TextStore {
    pub(in crate::batch) program: Arc<Program>,
    uniforms: LayerUniforms,
    format_id: FormatId,
    labels: Slots<Entry>,
    writer: Writer,
    next: Next,
}

impl TextStore {
    /// The text program, compiled for `batch`'s GLSL dialect, its format, and an empty
    /// atlas.
    fn new(batch: &mut Batch) -> Result<Self, BatchError> {
        let gl = Arc::clone(batch.gl());
        let version = ShaderVersion::for_context(&gl);
        let vertex = version.source(&format!("{VIEW_SHADER}{VERTEX_SHADER}"));
        let fragment = version.source(FRAGMENT_SHADER);
        let program = Program::builder(&gl, &vertex, &fragment)
            .bind_attribute("position", POSITION as u32)
            .bind_attribute("translation", TRANSLATION as u32)
            .bind_attribute("tex_coords", TEX_COORDS as u32)
            .bind_attribute("colour", COLOUR as u32)
            .build()?;
        program.set_int(&program.uniform_location("atlas")?, 0)?;
        let format = VertexFormat::from_program(
            &program,
            &[
                ("colour", ComponentType::U8, true),
                ("tex_coords", ComponentType::U16, false),
            ],
        )?;
        Ok(TextStore {
            uniforms: LayerUniforms::of(&program, false)?.with_atlas_size(&program)?,
            program: Arc::new(program),
            format_id: batch.format_id(&format),
            labels: Slots::new(DomainId::next()),
            writer: Writer {
                atlas: GlyphAtlas::new(&gl)?,
                positions: Vec::new(),
                texels: Vec::new(),
                colours: Vec::new(),
                indices: Vec::new(),
                stats: TextStats::default(),
            },
            next: Next::default(),
        })
    }

    /// The group of a new text layer blending by `blend`.
    fn layer(&self, blend: &Arc<SharedBlend>) -> Layer {
        Layer {
            program: Arc::clone(&self.program),
            texture: Some(LayerTexture::Coverage(Arc::clone(
                self.writer.atlas.texture(),
            ))),
            blend: Arc::clone(blend),
            uniforms: self.uniforms.clone(),
        }
    }

    fn get(&self, id: LabelId) -> Result<&Entry, BatchError> {
        self.labels.get(id).map_err(|_| BatchError::UnknownLabel)
    }
}

impl Next {
    /// Lays `label` out at `scale` device pixels per logical pixel (rasterising what its
    /// face has not met into `atlas`), and returns its face. The layout is in device pixels,
    /// its pen positions rounded to whole ones, so that glyphs stay sharp at any scale.
    /// CPU work but for the atlas's uploads; no label changes.
    fn lay_out(
        &mut self,
        atlas: &mut GlyphAtlas,
        label: &Label,
        scale: f32,
    ) -> Result<FaceId, BatchError> {
        let face_id = atlas.face(&label.font, label.size * scale)?;
        atlas.prepare(face_id, &label.text)?;
        let face = atlas.get(face_id);
        let params = Params {
            wrap_width: label.params().wrap_width.map(|w| w * scale),
            ..label.params()
        };
        lay_out(&label.text, face, &params, &mut self.layout);
        self.quads.clear();
        self.quads.extend(
            (self.layout.glyphs.iter())
                .filter(|g| face.glyph(g.c).is_some_and(|glyph| glyph.size[0] > 0))
                .map(|g| Placed {
                    x: g.x.round(),
                    y: g.y.round(),
                    ..*g
                }),
        );
        Ok(face_id)
    }

    /// Makes this layout `entry`'s, and keeps `entry`'s old one as scratch.
    fn swap_into(&mut self, entry: &mut Entry) {
        std::mem::swap(&mut entry.quads, &mut self.quads);
        std::mem::swap(&mut entry.lines, &mut self.layout.lines);
        entry.block = self.layout.block;
    }
}

impl Writer {
    /// Writes the glyphs of `quads` from quad `first` on, for `label` in `face`: their
    /// positions and texels, and their translations and colours from quad `painted` on
    /// (at most `first`: earlier when the label moved or changed colour as well).
    fn write_quads(
        &mut self,
        batch: &mut Batch,
        list: BatchList,
        (label, face): (&Label, FaceId),
        quads: &[Placed],
        (first, painted): (usize, usize),
    ) -> Result<(), BatchError> {
        let tail = &quads[first..];
        let face = self.atlas.get(face);
        let (sin, cos) = (-label.rotation).to_radians().sin_cos();
        // The layout is in device pixels: vertices are logical.
        let shown = if label.visible { 1.0 } else { 0.0 } / face.scale_for(label.size);
        let turn = |(x, y): (f32, f32)| [(x * cos - y * sin) * shown, (x * sin + y * cos) * shown];
        self.positions.clear();
        self.texels.clear();
        for quad in tail {
            let Some(glyph) = face.glyph(quad.c) else {
                continue;
            };
            let [w, h] = glyph.size;
            let (x0, y0) = (quad.x + glyph.offset[0], quad.y + glyph.offset[1]);
            let (x1, y1) = (x0 + f32::from(w), y0 + f32::from(h));
            let [tx, ty] = glyph.texel;
            self.positions
                .extend([(x0, y0), (x1, y0), (x1, y1), (x0, y1)].map(turn));
            self.texels
                .extend([[tx, ty + h], [tx + w, ty + h], [tx + w, ty], [tx, ty]]);
        }
        let first_vertex = first * QUAD_VERTICES;
        batch.write_from(list, POSITION, first_vertex, &self.positions)?;
        batch.write_from(list, TEX_COORDS, first_vertex, &self.texels)?;
        let painted = painted.min(first);
        let (from, count) = (
            painted * QUAD_VERTICES,
            (quads.len() - painted) * QUAD_VERTICES,
        );
        self.write_translation(batch, list, from, count, (label.x, label.y))?;
        self.write_colours(batch, list, from, count, label.rgba())
    }

    /// Writes `(x, y)` as the translation of the `count` vertices from `first` on.
    fn write_translation(
        &mut self,
        batch: &mut Batch,
        list: BatchList,
        first: usize,
        count: usize,
        (x, y): (f32, f32),
    ) -> Result<(), BatchError> {
        let scratch = &mut self.positions;
        batch.write_filled(list, TRANSLATION, (first, count), [x, y], scratch)
    }

    /// Writes `rgba` as the colour of the `count` vertices from `first` on.
    fn write_colours(
        &mut self,
        batch: &mut Batch,
        list: BatchList,
        first: usize,
        count: usize,
        rgba: [u8; 4],
    ) -> Result<(), BatchError> {
        batch.write_filled(list, COLOUR, (first, count), rgba, &mut self.colours)
    }

    /// Sizes `list` for `quads` glyph quads and writes their indices. On error the list
    /// keeps its size and data.
    fn size_for(
        &mut self,
        batch: &mut Batch,
        list: BatchList,
        quads: usize,
    ) -> Result<Resized, BatchError> {
        let resized = batch.resize(list, quads * QUAD_VERTICES, quads * QUAD_INDEX_COUNT)?;
        let indices = self.quad_indices(quads);
        batch.write_indices(list, indices)?;
        Ok(resized)
    }

    /// The indices of `quads` glyph quads, in scratch space.
    fn quad_indices(&mut self, quads: usize) -> &[u32] {
        self.indices.clear();
        self.indices.extend(
            (0..quads as u32).flat_map(|q| QUAD_INDICES.map(|i| i + q * QUAD_VERTICES as u32)),
        );
        &self.indices
    }

    /// Gives `entry`'s list the quads of `next`, `label`'s layout in `face`: resized (in
    /// place or moved by a GPU copy that carries the kept glyphs, counted) when the count
    /// changed, and written from the first quad that differs from what it draws (from the
    /// first when `rewrite_all`; translations and colours from the first as well when the
    /// label moved or changed colour). On error the list holds `entry` as it was.
    fn relayout(
        &mut self,
        batch: &mut Batch,
        entry: &Entry,
        (label, face): (&Label, FaceId),
        next: &Next,
        rewrite_all: bool,
    ) -> Result<(), BatchError> {
        let (list, old, new) = (entry.list, &entry.quads, &next.quads);
        let resized = match old.len() == new.len() {
            true => Resized::InPlace,
            false => self.size_for(batch, list, new.len())?,
        };
        // A resize keeps the first min(old, new) glyphs: the common prefix is still there.
        let kept = match rewrite_all || face != entry.face {
            true => 0,
            false => old.iter().zip(new).take_while(|(a, b)| a == b).count(),
        };
        let was = &entry.label;
        let repaint = (label.x, label.y) != (was.x, was.y) || label.rgba() != was.rgba();
        let painted = if repaint { 0 } else { kept };
        let written = self.write_quads(batch, list, (label, face), new, (kept, painted));
        if let Err(error) = written {
            // Staged writes of a live list only fail on a bug: put the old label back.
            let _ = self.restore(batch, entry);
            return Err(error);
        }
        self.stats.glyphs_written += (new.len() - kept) as u64;
        self.stats.relayouts += 1;
        match resized {
            Resized::InPlace => self.stats.in_place += 1,
            Resized::Moved => self.stats.moved += 1,
        }
        Ok(())
    }

    /// Puts `entry` back into its list: its size, indices and every attribute.
    fn restore(&mut self, batch: &mut Batch, entry: &Entry) -> Result<(), BatchError> {
        self.size_for(batch, entry.list, entry.quads.len())?;
        let label = (&entry.label, entry.face);
        self.write_quads(batch, entry.list, label, &entry.quads, (0, 0))
    }
}

impl<S: SpriteStore> SpriteBatch<S> {
    /// Adds a layer of labels, blended over what is below ([`Blend::Alpha`]), drawn among
    /// all layers by ascending `order`. The first text layer compiles the text program and
    /// makes the glyph atlas.
    pub fn add_text_layer(&mut self, order: i32) -> Result<GroupId, BatchError> {
        self.add_blended_text_layer(order, Blend::Alpha)
    }

    /// Adds a layer of labels that blends by `blend`; otherwise as
    /// [`add_text_layer`](Self::add_text_layer).
    pub fn add_blended_text_layer(
        &mut self,
        order: i32,
        blend: Blend,
    ) -> Result<GroupId, BatchError> {
        if self.text.is_none() {
            let store = TextStore::new(&mut self.batch)?;
            super::camera::set_view(&store.program, &self.camera, self.viewport)?;
            self.text = Some(store);
        }
        let mode = SharedBlend::new(blend);
        let group = self.text_store()?.layer(&mode);
        self.add_layer_group(group, order, LayerKind::Text, mode)
    }

    /// Adds a label and writes its glyphs, rasterising those the atlas lacks. Its layer
    /// must be a text layer of this batch ([`BatchError::NotATextLayer`]) and its size
    /// valid; on error nothing was added.
    pub fn add_label(&mut self, label: Label) -> Result<LabelId, BatchError> {
        label.check()?;
        self.check_layer_kind(label.layer, LayerKind::Text)?;
        let store = (self.text.as_mut()).ok_or(BatchError::NotATextLayer(label.layer))?;
        let (writer, next, scale) = (&mut store.writer, &mut store.next, self.scale);
        let face = next.lay_out(&mut writer.atlas, &label, scale)?;
        let quads = next.quads.len();
        let list = self.batch.add_indexed_at(
            label.layer,
            store.format_id,
            Primitive::Triangles,
            quads * QUAD_VERTICES,
            writer.quad_indices(quads),
            label.z,
        )?;
        let written =
            writer.write_quads(&mut self.batch, list, (&label, face), &next.quads, (0, 0));
        if let Err(error) = written {
            self.batch.delete(list)?;
            return Err(error);
        }
        writer.stats.glyphs_written += quads as u64;
        let mut entry = Entry {
            list,
            face,
            quads: Vec::new(),
            lines: Vec::new(),
            block: [0.0; 4],
            label,
        };
        next.swap_into(&mut entry);
        Ok(store.labels.insert(entry))
    }

    fn text_store(&self) -> Result<&TextStore, BatchError> {
        self.text.as_ref().ok_or(BatchError::UnknownLabel)
    }

    fn text_entry(&self, id: LabelId) -> Result<&Entry, BatchError> {
        self.text_store()?.get(id)
    }

    /// A label's properties.
    pub fn label(&self, id: LabelId) -> Result<&Label, BatchError> {
        Ok(&self.text_entry(id)?.label)
    }

    /// A label's vertex list in [`batch`](Self::batch), for reading it back (attributes
    /// `position`, `translation`, `tex_coords`, `colour`) or its placement.
    pub fn label_list(&self, id: LabelId) -> Result<BatchList, BatchError> {
        Ok(self.text_entry(id)?.list)
    }

    /// A label's lines as laid out, in its frame (anchor at the origin, unturned).
    pub fn label_lines(&self, id: LabelId) -> Result<&[Line], BatchError> {
        Ok(&self.text_entry(id)?.lines)
    }

    /// The world-space box `[left, bottom, right, top]` that holds a label: its layout
    /// block (the lines' width by the first ascent to the last descent) and every glyph's
    /// ink, turned by its rotation and placed at its position.
    pub fn label_bounds(&self, id: LabelId) -> Result<[f32; 4], BatchError> {
        let store = self.text_store()?;
        let entry = store.get(id)?;
        let face = store.writer.atlas.get(entry.face);
        let [mut l, mut b, mut r, mut t] = entry.block;
        let scale = face.scale_for(entry.label.size);
        for quad in &entry.quads {
            if let Some(glyph) = face.glyph(quad.c) {
                let (x0, y0) = (quad.x + glyph.offset[0], quad.y + glyph.offset[1]);
                l = l.min(x0);
                b = b.min(y0);
                r = r.max(x0 + f32::from(glyph.size[0]));
                t = t.max(y0 + f32::from(glyph.size[1]));
            }
        }
        [l, b, r, t] = [l, b, r, t].map(|v| v / scale);
        let label = &entry.label;
        let (sin, cos) = (-label.rotation).to_radians().sin_cos();
        let mut bounds = [
            f32::INFINITY,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NEG_INFINITY,
        ];
        for (x, y) in [(l, b), (r, b), (r, t), (l, t)] {
            let (wx, wy) = (x * cos - y * sin + label.x, x * sin + y * cos + label.y);
            bounds = [
                bounds[0].min(wx),
                bounds[1].min(wy),
                bounds[2].max(wx),
                bounds[3].max(wy),
            ];
        }
        Ok(bounds)
    }

    /// Live labels.
    pub fn label_count(&self) -> usize {
        self.text.as_ref().map_or(0, |t| t.labels.len())
    }

    /// What the labels have cost so far, and the atlas's size.
    pub fn text_stats(&self) -> TextStats {
        let Some(store) = &self.text else {
            return TextStats::default();
        };
        let atlas = &store.writer.atlas;
        let (atlas_grows, glyphs_rasterised) = atlas.counts();
        TextStats {
            atlas_grows,
            glyphs_rasterised,
            atlas_size: atlas.texture().size(),
            ..store.writer.stats
        }
    }

    /// Changes a label's text: lays it out again and writes its glyphs from the first one
    /// whose place or shape changed (with left alignment and anchors, the first changed
    /// character), resizing its list (in place, or moved by a GPU copy that carries the
    /// glyphs kept) when the glyph count changed. The same text writes nothing.
    pub fn set_label_text(&mut self, id: LabelId, text: &str) -> Result<(), BatchError> {
        if self.text_entry(id)?.label.text == text {
            return Ok(());
        }
        self.update_label(id, |label| {
            label.text.clear();
            label.text.push_str(text);
        })
    }

    /// Moves a label: rewrites its translation only, 8 bytes a vertex. Clones nothing.
    pub fn set_label_position(&mut self, id: LabelId, x: f32, y: f32) -> Result<(), BatchError> {
        finite("a label's position", &[x, y])?;
        self.repaint_label(id, |label| (label.x, label.y) = (x, y))
    }

    /// Colours a label: rewrites its colours only. Clones nothing.
    pub fn set_label_colour(&mut self, id: LabelId, rgb: [u8; 3]) -> Result<(), BatchError> {
        self.repaint_label(id, |label| label.colour = rgb)
    }

    /// Sets a label's opacity: rewrites its colours only. Clones nothing.
    pub fn set_label_opacity(&mut self, id: LabelId, opacity: u8) -> Result<(), BatchError> {
        self.repaint_label(id, |label| label.opacity = opacity)
    }

    /// Changes what `edit` changes of a label's position and colours in place (its text is
    /// not cloned), and rewrites the translations or colours that changed. On error the
    /// label keeps its properties and data.
    fn repaint_label(
        &mut self,
        id: LabelId,
        edit: impl FnOnce(&mut Label),
    ) -> Result<(), BatchError> {
        let store = self.text.as_mut().ok_or(BatchError::UnknownLabel)?;
        let entry = (store.labels.get_mut(id)).map_err(|_| BatchError::UnknownLabel)?;
        let (list, count) = (entry.list, entry.quads.len() * QUAD_VERTICES);
        let label = &mut entry.label;
        let (position, rgba) = ((label.x, label.y), label.rgba());
        edit(label);
        let writer = &mut store.writer;
        let written = (|| {
            if (label.x, label.y) != position {
                writer.write_translation(&mut self.batch, list, 0, count, (label.x, label.y))?;
            }
            if label.rgba() != rgba {
                writer.write_colours(&mut self.batch, list, 0, count, label.rgba())?;
            }
            Ok(())
        })();
        if let Err(error) = written {
            // Staged writes of a live list only fail on a bug: put the old label back.
            (label.x, label.y) = position;
            [
                label.colour[0],
                label.colour[1],
                label.colour[2],
                label.opacity,
            ] = rgba;
            let _ = writer.restore(&mut self.batch, entry);
            return Err(error);
        }
        Ok(())
    }

    /// Sets where a label draws within its layer, as [`set_z`](SpriteBatch::set_z) does for
    /// sprites. Writes no vertex.
    pub fn set_label_z(&mut self, id: LabelId, z: f32) -> Result<(), BatchError> {
        self.update_label(id, |label| label.z = z)
    }

    /// Updates a label's properties through `f` and rewrites what changed: its layout when
    /// its text, font, size, wrapping, alignment or anchor changed (the unchanged first
    /// glyphs kept), all its glyphs when its rotation or visibility changed, its
    /// translation alone for a move, its colours alone for a colour or opacity. A change
    /// of layer migrates it, a change of z reorders it.
    ///
    /// A change of layer counts as adding it anew there: it draws above the items of its z
    /// already in that layer (and moving it back does not restore its old place). Numbers
    /// that are not finite are refused ([`BatchError::NotFinite`]) before anything changes.
    /// On error the label keeps its properties, list and data.
    pub fn update_label(
        &mut self,
        id: LabelId,
        f: impl FnOnce(&mut Label),
    ) -> Result<(), BatchError> {
        self.update_label_as(id, f, false)
    }

    /// [`update_label`](Self::update_label), laying the label out again when `relay` even
    /// if no property asks for it (a new scale factor).
    fn update_label_as(
        &mut self,
        id: LabelId,
        f: impl FnOnce(&mut Label),
        relay: bool,
    ) -> Result<(), BatchError> {
        let mut label = self.text_entry(id)?.label.clone();
        let old_layer = label.layer;
        f(&mut label);
        label.check()?;
        let layer = label.layer;
        if layer != old_layer {
            self.check_layer_kind(layer, LayerKind::Text)?;
        }
        let store = self.text.as_mut().ok_or(BatchError::UnknownLabel)?;
        let entry = (store.labels.get(id)).map_err(|_| BatchError::UnknownLabel)?;
        let old = &entry.label;
        let relaid = relay
            || label.text != old.text
            || label.font != old.font
            || label.size.to_bits() != old.size.to_bits()
            || label.params() != old.params();
        let turned =
            label.rotation.to_bits() != old.rotation.to_bits() || label.visible != old.visible;
        let (writer, next, b) = (&mut store.writer, &mut store.next, &mut self.batch);
        let scale = self.scale;
        let (list, count) = (entry.list, entry.quads.len() * QUAD_VERTICES);
        // The new z first: CPU work, refused only by a layer without a draw order, and
        // carried by a migration.
        let rezoned = label.z.to_bits() != old.z.to_bits();
        if rezoned {
            b.set_z(list, label.z)?;
        }
        let written = (|| {
            let mut face = entry.face;
            if relaid || turned {
                face = next.lay_out(&mut writer.atlas, &label, scale)?;
                writer.relayout(b, entry, (&label, face), next, turned)?;
            } else {
                let painted = (|| {
                    if (label.x, label.y) != (old.x, old.y) {
                        writer.write_translation(b, list, 0, count, (label.x, label.y))?;
                    }
                    if label.rgba() != old.rgba() {
                        writer.write_colours(b, list, 0, count, label.rgba())?;
                    }
                    Ok(())
                })();
                if let Err(error) = painted {
                    let _ = writer.restore(b, entry);
                    return Err(error);
                }
            }
            if layer == old.layer {
                return Ok((face, list));
            }
            match b.migrate(list, layer) {
                Ok(moved) => Ok((face, moved)),
                Err(error) => {
                    let _ = writer.restore(b, entry);
                    Err(error)
                }
            }
        })();
        let (face, moved) = match written {
            Ok(done) => done,
            Err(error) => {
                if rezoned {
                    let _ = b.set_z(list, old.z);
                }
                return Err(error);
            }
        };
        let entry = (store.labels.get_mut(id)).map_err(|_| BatchError::UnknownLabel)?;
        if relaid || turned {
            next.swap_into(entry);
        }
        (entry.face, entry.list, entry.label) = (face, moved, label);
        Ok(())
    }

    /// Sets how many device pixels make one logical pixel (winit's `scale_factor`, the
    /// browser's `devicePixelRatio`), for drawing into a framebuffer that many times larger
    /// than the viewport ([`set_viewport`](Self::set_viewport)) in each direction.
    ///
    /// Game coordinates stay logical: sprites, shapes and label positions need nothing
    /// (their vertices are logical, and the view maps the logical viewport onto whatever
    /// GL viewport the framebuffer has). Labels are laid out again with their glyphs
    /// rasterised at their size times `scale`, with pen positions on whole device pixels,
    /// so text stays sharp; their sizes, bounds and positions stay logical.
    /// ([`label_lines`](Self::label_lines) measures in device pixels.)
    ///
    /// Fails with [`TextError::ScaleFactor`] for a scale that is not a positive, finite
    /// number up to [`MAX_SCALE_FACTOR`], changing nothing; and with the error of a label
    /// that could not be laid out again (a full atlas, a GL error), after putting the
    /// labels already laid out back at the old scale.
    pub fn set_scale_factor(&mut self, scale: f32) -> Result<(), BatchError> {
        if !(scale.is_finite() && scale > 0.0 && scale <= MAX_SCALE_FACTOR) {
            return Err(TextError::ScaleFactor(scale).into());
        }
        let old = self.scale;
        if old.to_bits() == scale.to_bits() {
            return Ok(());
        }
        self.scale = scale;
        let ids: Vec<LabelId> = match &self.text {
            Some(store) => store.labels.ids().collect(),
            None => Vec::new(),
        };
        for (done, &id) in ids.iter().enumerate() {
            if let Err(error) = self.update_label_as(id, |_| {}, true) {
                // Back to the old scale: the labels laid out so far are laid out again at
                // it, from glyphs the atlas already holds.
                self.scale = old;
                for &id in &ids[..done] {
                    let _ = self.update_label_as(id, |_| {}, true);
                }
                return Err(error);
            }
        }
        Ok(())
    }

    /// Device pixels per logical pixel ([`set_scale_factor`](Self::set_scale_factor)).
    pub fn scale_factor(&self) -> f32 {
        self.scale
    }

    /// Removes a label and frees its list; its id becomes stale.
    pub fn remove_label(&mut self, id: LabelId) -> Result<(), BatchError> {
        let store = self.text.as_mut().ok_or(BatchError::UnknownLabel)?;
        let list = store.get(id)?.list;
        self.batch.delete(list)?;
        store
            .labels
            .remove(id)
            .map_err(|_| BatchError::UnknownLabel)?;
        Ok(())
    }

    /// Whether `group` is a text layer of this sprite batch.
    pub fn is_text_layer(&self, group: GroupId) -> bool {
        self.layer_kind(group)
            .is_some_and(|(kind, _)| *kind == LayerKind::Text)
    }
}
