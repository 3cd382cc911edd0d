//! The scene's atlas: every image a game adds, every glyph its labels show, and a white
//! block for shapes, in one [`GrowingTexture`] that all of the scene's layers bind.
//!
//! - Rectangles are packed on shelves (`allocation::Shelves`), with its padding between
//!   them, so that linear filtering never reads a neighbour.
//! - When one does not fit, the texture doubles its shorter side up to
//!   `GL_MAX_TEXTURE_SIZE` (and 65,535, what a `u16` texel coordinate reaches), copied on
//!   the GPU; every texel keeps its coordinates, vertices address texels, and no vertex is
//!   rewritten.
//! - Texels are premultiplied: images are premultiplied as they are added, glyphs are kept
//!   as premultiplied white of their coverage, and the white block is opaque white.
//! - Each image is stored with a border of [`EXTRUDE`] texel copying its edge, so that
//!   linear filtering at its edge (a sprite scaled, turned or tiled beside another) reads its
//!   own edge colour, as a texture clamped to its edges would, and never the atlas's padding
//!   or a neighbour.

use std::sync::Arc;

use super::error::SceneError;
use super::text::{Face, FaceId, Faces, Font};
use crate::allocation::Shelves;
use crate::backend::GrowingTexture;
use crate::domain::process_unique;

/// The atlas's side when a scene is made.
const INITIAL_SIDE: u32 = 512;

/// The side of the white block shapes read: its centre is 2 texels from every edge, so
/// linear filtering there reads white only.
const WHITE_SIDE: u32 = 4;

/// Texels of edge copied around each image.
const EXTRUDE: u32 = 1;

/// An image in a scene's atlas, as [`Scene::add_image`](super::Scene::add_image) returns
/// it: what a sprite shows. It knows its scene, so another scene refuses it
/// ([`SceneError::UnknownImage`]); copying it is free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Image {
    atlas: u32,
    /// Its top left texel.
    pub(crate) texel: [u16; 2],
    /// Its size in texels.
    pub(crate) size: [u16; 2],
}

impl Image {
    /// Its size in texels (and unscaled pixels), `(width, height)`.
    pub fn size(&self) -> (u32, u32) {
        (u32::from(self.size[0]), u32::from(self.size[1]))
    }
}

/// What the atlas has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AtlasStats {
    /// Images added.
    pub images: u64,
    /// Glyphs rasterised.
    pub glyphs: u64,
    /// Times the texture grew.
    pub grows: u64,
    /// The texture's size in texels.
    pub size: (u32, u32),
}

/// The images, glyphs and white block of one scene.
pub struct SceneAtlas {
    /// Process-unique: what images carry.
    id: u32,
    texture: Arc<GrowingTexture>,
    shelves: Shelves,
    faces: Faces,
    /// The centre of the white block.
    white: [u16; 2],
    images: u64,
    grows: u64,
    /// Scratch space for premultiplied texels.
    rgba: Vec<u8>,
}

impl SceneAtlas {
    /// An atlas of [`INITIAL_SIDE`] texels square holding the white block.
    pub(crate) fn new(gl: &Arc<glow::Context>) -> Result<SceneAtlas, SceneError> {
        let side = INITIAL_SIDE;
        let mut atlas = SceneAtlas {
            id: process_unique(),
            texture: Arc::new(GrowingTexture::new(gl, side, side)?),
            shelves: Shelves::new(side, side),
            faces: Faces::default(),
            white: [0, 0],
            images: 0,
            grows: 0,
            rgba: Vec::new(),
        };
        let white = vec![255; (WHITE_SIDE * WHITE_SIDE * 4) as usize];
        let [x, y] = atlas.place(WHITE_SIDE, WHITE_SIDE, &white)?;
        let half = (WHITE_SIDE / 2) as u16;
        atlas.white = [x + half, y + half];
        Ok(atlas)
    }

    /// The texture, shared with the layers that bind it.
    pub(crate) fn texture(&self) -> &Arc<GrowingTexture> {
        &self.texture
    }

    /// The texel shapes read: the white block's centre.
    pub(crate) fn white(&self) -> [u16; 2] {
        self.white
    }

    pub(crate) fn stats(&self) -> AtlasStats {
        AtlasStats {
            images: self.images,
            glyphs: self.faces.rasterised(),
            grows: self.grows,
            size: self.texture.size(),
        }
    }

    /// Adds an image of `width` × `height` straight-alpha RGBA texels (as PNG files
    /// decode), row 0 at the top, premultiplied on the way in.
    pub(crate) fn add_image(
        &mut self,
        width: u32,
        height: u32,
        rgba: &[u8],
    ) -> Result<Image, SceneError> {
        let expected = (width as usize * height as usize).checked_mul(4);
        if width == 0 || height == 0 || expected != Some(rgba.len()) {
            return Err(SceneError::ImageData {
                width,
                height,
                bytes: rgba.len(),
            });
        }
        if width > u32::from(u16::MAX) - 2 * EXTRUDE || height > u32::from(u16::MAX) - 2 * EXTRUDE {
            return Err(SceneError::AtlasFull {
                side: self.texture.max_side().min(u32::from(u16::MAX)),
            });
        }
        // The image premultiplied, inside a border that repeats its edge texels.
        let (outer_w, outer_h) = (width + 2 * EXTRUDE, height + 2 * EXTRUDE);
        let mut extruded = std::mem::take(&mut self.rgba);
        extruded.clear();
        for row in 0..outer_h {
            let y = row.saturating_sub(EXTRUDE).min(height - 1) as usize;
            for column in 0..outer_w {
                let x = column.saturating_sub(EXTRUDE).min(width - 1) as usize;
                let texel = &rgba[(y * width as usize + x) * 4..][..4];
                let a = u16::from(texel[3]);
                let times = |c: u8| ((u16::from(c) * a + 127) / 255) as u8;
                extruded.extend([times(texel[0]), times(texel[1]), times(texel[2]), texel[3]]);
            }
        }
        let placed = self.place(outer_w, outer_h, &extruded);
        self.rgba = extruded;
        let [x, y] = placed?;
        self.images += 1;
        Ok(Image {
            atlas: self.id,
            texel: [x + EXTRUDE as u16, y + EXTRUDE as u16],
            size: [width as u16, height as u16],
        })
    }

    /// [`SceneError::UnknownImage`] unless `image` is one of this atlas's.
    pub(crate) fn check(&self, image: &Image) -> Result<(), SceneError> {
        match image.atlas == self.id {
            true => Ok(()),
            false => Err(SceneError::UnknownImage),
        }
    }

    /// Room for `rgba` (premultiplied, `width * height` texels), growing the texture until
    /// it fits, and the texels written there. On error nothing placed moved.
    fn place(&mut self, width: u32, height: u32, rgba: &[u8]) -> Result<[u16; 2], SceneError> {
        let (texture, grows) = (&self.texture, &mut self.grows);
        let at = place(&mut self.shelves, texture, grows, (width, height))?;
        texture.write(at, (width, height), rgba)?;
        Ok([at.0 as u16, at.1 as u16])
    }

    /// The face of `font` at `size` device pixels.
    pub(crate) fn face(&mut self, font: &Font, size: f32) -> Result<FaceId, SceneError> {
        Ok(self.faces.face(font, size)?)
    }

    /// A face made by [`face`](Self::face).
    pub(crate) fn get(&self, id: FaceId) -> &Face {
        self.faces.get(id)
    }

    /// Rasterises the characters of `text` the face has not met, as premultiplied white,
    /// into the atlas (growing it as needed).
    pub(crate) fn prepare(&mut self, id: FaceId, text: &str) -> Result<(), SceneError> {
        let (shelves, texture, grows) = (&mut self.shelves, &self.texture, &mut self.grows);
        let rgba = &mut self.rgba;
        self.faces.prepare(id, text, |w, h, coverage| {
            let at = place(shelves, texture, grows, (w, h))?;
            rgba.clear();
            rgba.extend(coverage.iter().flat_map(|&c| [c; 4]));
            texture.write(at, (w, h), rgba)?;
            Ok(at)
        })
    }
}

/// Room for a `size` rectangle on `shelves`, growing `texture` (counted in `grows`) until
/// it fits.
fn place(
    shelves: &mut Shelves,
    texture: &GrowingTexture,
    grows: &mut u64,
    size: (u32, u32),
) -> Result<(u32, u32), SceneError> {
    let max = texture.max_side().min(u32::from(u16::MAX));
    let full = || SceneError::AtlasFull { side: max };
    shelves.place_or_grow(size, max, full, |width, height| {
        texture.grow(width, height)?;
        *grows += 1;
        Ok(())
    })
}
