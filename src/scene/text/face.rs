//! Faces: one font at one size each, with the glyphs rasterised for it so far and its
//! metrics. Rasterising is here; where a glyph's bitmap goes is the scene atlas's, told
//! through [`Faces::prepare`]'s `place`.
//!
//! Each (font, size) is a [`Face`], which answers layout's [`Metrics`] from its glyphs,
//! with ASCII looked up by table and kerning of ASCII pairs cached.

use std::cell::{Cell, OnceCell};
use std::collections::HashMap;

use super::font::Font;
use super::layout::{LineMetrics, Metrics};
use super::TextError;

/// Characters below this code point are found by table, the rest by hash.
const TABLE_CHARS: usize = 128;

/// Marks a table entry (of glyphs or kerning) not filled yet.
const UNSET: u32 = u32::MAX;

/// Where a face's glyph lies and how it is placed, in pixels (y up) and atlas texels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Glyph {
    /// How far the pen moves after it.
    pub advance: f32,
    /// Its bitmap's bottom left corner relative to the pen on the baseline.
    pub offset: [f32; 2],
    /// Its bitmap's size; zero for a glyph with no ink (a space).
    pub size: [u16; 2],
    /// Its bitmap's top left texel in the atlas (row 0 of the bitmap is its top).
    pub texel: [u16; 2],
}

/// One font at one size: its glyphs so far and its metrics.
pub(crate) struct Face {
    font: Font,
    size: f32,
    lines: LineMetrics,
    /// Index in `glyphs` of each character below [`TABLE_CHARS`], or [`UNSET`].
    table: [u32; TABLE_CHARS],
    /// Index in `glyphs` of the other characters met.
    others: HashMap<char, u32>,
    glyphs: Vec<Glyph>,
    /// Kerning of pairs of table characters, as `f32` bits, [`UNSET`] until asked; the
    /// table itself (64 KiB) is made by the first pair asked.
    kerning: OnceCell<Box<[Cell<u32>]>>,
}

impl Face {
    fn new(font: Font, size: f32) -> Face {
        Face {
            lines: font.line_metrics(size),
            font,
            size,
            table: [UNSET; TABLE_CHARS],
            others: HashMap::new(),
            glyphs: Vec::new(),
            kerning: OnceCell::new(),
        }
    }

    /// Device pixels per logical pixel for a label of logical `size` drawn in this face.
    #[inline]
    pub(crate) fn scale_for(&self, size: f32) -> f32 {
        self.size / size
    }

    /// The glyph of `c`, if it was rasterised.
    #[inline]
    pub(crate) fn glyph(&self, c: char) -> Option<&Glyph> {
        let index = match self.table.get(c as usize) {
            Some(&index) => index,
            None => *self.others.get(&c)?,
        };
        self.glyphs.get(index as usize)
    }

    fn insert(&mut self, c: char, glyph: Glyph) {
        let index = self.glyphs.len() as u32;
        self.glyphs.push(glyph);
        match self.table.get_mut(c as usize) {
            Some(slot) => *slot = index,
            None => {
                self.others.insert(c, index);
            }
        }
    }
}

impl Metrics for Face {
    #[inline]
    fn advance(&self, c: char) -> f32 {
        self.glyph(c).map_or(0.0, |g| g.advance)
    }

    #[inline]
    fn kern(&self, left: char, right: char) -> f32 {
        let (l, r) = (left as usize, right as usize);
        if l >= TABLE_CHARS || r >= TABLE_CHARS {
            return self
                .font
                .raw()
                .horizontal_kern(left, right, self.size)
                .unwrap_or(0.0);
        }
        let table = self.kerning.get_or_init(|| {
            (0..TABLE_CHARS * TABLE_CHARS)
                .map(|_| Cell::new(UNSET))
                .collect()
        });
        let cell = &table[l * TABLE_CHARS + r];
        if cell.get() == UNSET {
            let kern = self.font.raw().horizontal_kern(left, right, self.size);
            cell.set(kern.unwrap_or(0.0).to_bits());
        }
        f32::from_bits(cell.get())
    }

    fn lines(&self) -> LineMetrics {
        self.lines
    }
}

/// Identifies a face of an atlas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FaceId(u32);

/// Every face an atlas has met, by (font, size).
#[derive(Default)]
pub(crate) struct Faces {
    faces: Vec<Face>,
    by_key: HashMap<(u32, u32), FaceId>,
    /// Glyphs rasterised so far.
    rasterised: u64,
}

impl Faces {
    /// Glyphs rasterised so far.
    pub(crate) fn rasterised(&self) -> u64 {
        self.rasterised
    }

    /// The face of `font` at `size` pixels, made on first use. [`TextError::Size`] for a
    /// size that is not a positive, finite number of pixels up to [`MAX_SIZE`].
    pub(crate) fn face(&mut self, font: &Font, size: f32) -> Result<FaceId, TextError> {
        if !(size.is_finite() && size > 0.0 && size <= MAX_SIZE) {
            return Err(TextError::Size(size));
        }
        let key = (font.id(), size.to_bits());
        if let Some(&id) = self.by_key.get(&key) {
            return Ok(id);
        }
        let id = FaceId(self.faces.len() as u32);
        self.faces.push(Face::new(font.clone(), size));
        self.by_key.insert(key, id);
        Ok(id)
    }

    /// A face made by [`face`](Self::face).
    pub(crate) fn get(&self, id: FaceId) -> &Face {
        &self.faces[id.0 as usize]
    }

    /// Rasterises every character of `text` the face has not met yet, and has `place`
    /// store each bitmap with ink (`width`, `height`, one byte of coverage a pixel, row 0
    /// at the top) and answer its top left texel, or the atlas's error, which is passed on.
    /// On error, the glyphs added before it stay (each is whole); no label changed.
    pub(crate) fn prepare<E>(
        &mut self,
        id: FaceId,
        text: &str,
        mut place: impl FnMut(u32, u32, &[u8]) -> Result<(u32, u32), E>,
    ) -> Result<(), E> {
        for c in text.chars() {
            let face = &self.faces[id.0 as usize];
            if c == '\n' || face.glyph(c).is_some() {
                continue;
            }
            let (metrics, coverage) = face.font.raw().rasterize(c, face.size);
            let (w, h) = (metrics.width as u32, metrics.height as u32);
            let mut glyph = Glyph {
                advance: metrics.advance_width,
                offset: [metrics.xmin as f32, metrics.ymin as f32],
                size: [0, 0],
                texel: [0, 0],
            };
            if w > 0 && h > 0 {
                let (x, y) = place(w, h, &coverage)?;
                glyph.size = [w as u16, h as u16];
                glyph.texel = [x as u16, y as u16];
            }
            self.faces[id.0 as usize].insert(c, glyph);
            self.rasterised += 1;
        }
        Ok(())
    }
}

/// The largest size a label may have, in pixels per em (glyphs whose bitmaps do not fit
/// the largest texture are refused with the scene's `SceneError::AtlasFull`).
pub(crate) const MAX_SIZE: f32 = 1024.0;
