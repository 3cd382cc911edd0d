//! [`AtlasBuilder`] and [`TextureAtlas`]: several RGBA8 images packed into one [`Texture`]
//! by the atlases' shared shelf packer (`allocation::Shelves`, as glyphs are), with 1 px of
//! transparent padding between them, so that sprites of
//! different images can share one texture (and one draw).
//!
//! Packing is pure CPU work; the atlas is composed in memory and uploaded once. GL state
//! touched: only through [`Texture::new_rgba8`] (none left changed).

use std::sync::Arc;

use super::pixels::rgba8_len;
use super::texture::max_texture_size;
use super::{AlphaMode, GlError, Texture, TextureFilter};
#[cfg(test)]
use crate::allocation::touch;
use crate::allocation::Shelves;

/// Where one image lies in the atlas.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AtlasRegion {
    /// Left column, in pixels.
    pub x: u32,
    /// First row, in pixels (row 0 is the atlas's first uploaded row, at `v = 0`).
    pub y: u32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Texture coordinates `[u0, v0, u1, v1]` of the region's edges: `(u0, v0)` is the
    /// corner at `(x, y)` (the image's first row), `(u1, v1)` the one at
    /// `(x + width, y + height)`.
    pub uv: [f32; 4],
}

/// Collects RGBA8 images, then packs and uploads them as one [`TextureAtlas`].
#[derive(Debug, Clone, Default)]
pub struct AtlasBuilder {
    images: Vec<Image>,
    max_size: Option<u32>,
    /// Keep the images' colours as given instead of premultiplying them.
    straight: bool,
}

#[derive(Debug, Clone)]
struct Image {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl AtlasBuilder {
    /// An empty builder whose atlas may grow up to `GL_MAX_TEXTURE_SIZE`.
    pub fn new() -> AtlasBuilder {
        AtlasBuilder::default()
    }

    /// Uploads the images' colours as given ([`AlphaMode::Straight`]) instead of
    /// premultiplied by their alpha, which [`build`](Self::build) does by default so that
    /// linear filtering leaves no dark fringe at transparent edges.
    pub fn straight_alpha(mut self) -> AtlasBuilder {
        self.straight = true;
        self
    }

    /// Limits the atlas to `max_size` × `max_size` pixels (it is also never larger than
    /// `GL_MAX_TEXTURE_SIZE`).
    pub fn with_max_size(mut self, max_size: u32) -> AtlasBuilder {
        self.max_size = Some(max_size);
        self
    }

    /// Adds an image of `width * height` RGBA8 pixels, row after row (its first row lands at
    /// the region's `v0`). Returns its index in [`TextureAtlas::regions`].
    ///
    /// Fails with [`GlError::InvalidArgument`] for a zero side or a length that is not
    /// `width * height * 4`.
    pub fn add(&mut self, width: u32, height: u32, pixels: &[u8]) -> Result<usize, GlError> {
        if width == 0 || height == 0 {
            return Err(GlError::InvalidArgument {
                operation: "AtlasBuilder::add",
                message: format!("image size {width}x{height} has a zero side"),
            });
        }
        if rgba8_len(width, height) != Some(pixels.len()) {
            return Err(GlError::InvalidArgument {
                operation: "AtlasBuilder::add",
                message: format!(
                    "{} bytes given for {width}x{height} RGBA8 pixels",
                    pixels.len()
                ),
            });
        }
        self.images.push(Image {
            width,
            height,
            pixels: pixels.to_vec(),
        });
        Ok(self.images.len() - 1)
    }

    /// How many images were added.
    pub fn len(&self) -> usize {
        self.images.len()
    }

    /// Whether no image was added.
    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }

    /// Packs the images into the smallest power-of-two square (down to a power-of-two
    /// height) that holds them, composes it with transparent padding and uploads it.
    ///
    /// Fails with [`GlError::InvalidArgument`] when there are no images or they cannot fit
    /// the maximum size, and with the errors of [`Texture::new_rgba8`].
    pub fn build(
        &self,
        gl: &Arc<glow::Context>,
        filter: TextureFilter,
    ) -> Result<TextureAtlas, GlError> {
        let gl = Arc::clone(gl);
        if self.images.is_empty() {
            return Err(GlError::InvalidArgument {
                operation: "AtlasBuilder::build",
                message: "no images were added".to_owned(),
            });
        }
        let gl_max = max_texture_size(&gl);
        let max = self.max_size.map_or(gl_max, |m| m.min(gl_max));
        let sizes: Vec<(u32, u32)> = self.images.iter().map(|i| (i.width, i.height)).collect();
        let packing = pack(&sizes, max).ok_or_else(|| GlError::InvalidArgument {
            operation: "AtlasBuilder::build",
            message: format!(
                "{} images do not fit an atlas of at most {max}x{max} pixels",
                sizes.len()
            ),
        })?;

        let (width, height) = (packing.width, packing.height);
        let row_bytes = width as usize * 4;
        let mut pixels = vec![0u8; row_bytes * height as usize];
        for (image, &(x, y)) in self.images.iter().zip(&packing.positions) {
            let image_row = image.width as usize * 4;
            for (row, src) in image.pixels.chunks_exact(image_row).enumerate() {
                let start = (y as usize + row) * row_bytes + x as usize * 4;
                pixels[start..start + image_row].copy_from_slice(src);
            }
        }
        let alpha = if self.straight {
            AlphaMode::Straight
        } else {
            premultiply(&mut pixels);
            AlphaMode::Premultiplied
        };
        let texture = Texture::new_rgba8(&gl, width, height, &pixels, filter)?.with_alpha(alpha);
        let regions = self
            .images
            .iter()
            .zip(&packing.positions)
            .map(|(image, &(x, y))| AtlasRegion {
                x,
                y,
                width: image.width,
                height: image.height,
                uv: [
                    x as f32 / width as f32,
                    y as f32 / height as f32,
                    (x + image.width) as f32 / width as f32,
                    (y + image.height) as f32 / height as f32,
                ],
            })
            .collect();
        Ok(TextureAtlas {
            texture: Arc::new(texture),
            regions,
        })
    }
}

/// Multiplies each RGBA8 pixel's colour by its alpha, rounding to nearest.
fn premultiply(pixels: &mut [u8]) {
    for pixel in pixels.chunks_exact_mut(4) {
        let alpha = u16::from(pixel[3]);
        for channel in &mut pixel[..3] {
            *channel = ((u16::from(*channel) * alpha + 127) / 255) as u8;
        }
    }
}

/// One texture holding several images, and where each lies.
#[derive(Debug)]
pub struct TextureAtlas {
    texture: Arc<Texture>,
    regions: Vec<AtlasRegion>,
}

impl TextureAtlas {
    /// The atlas texture, shared, so that groups (such as a sprite layer) can hold it.
    pub fn texture(&self) -> &Arc<Texture> {
        &self.texture
    }

    /// The regions, in the order the images were added.
    pub fn regions(&self) -> &[AtlasRegion] {
        &self.regions
    }

    /// The region of image `index` (as returned by [`AtlasBuilder::add`]).
    pub fn region(&self, index: usize) -> Option<&AtlasRegion> {
        self.regions.get(index)
    }

    /// The atlas size in pixels, `(width, height)`.
    pub fn size(&self) -> (u32, u32) {
        self.texture.size()
    }
}

/// The result of [`pack`]: the atlas size and each image's top-left corner, in input order.
#[derive(Debug, PartialEq)]
struct Packing {
    width: u32,
    height: u32,
    positions: Vec<(u32, u32)>,
}

/// Shelf-packs rectangles of `sizes` (tallest first) into the smallest power-of-two square
/// of side at most `max` that holds them, then trims the height to the next power of two of
/// the shelves used. `None` when they do not fit `max`.
fn pack(sizes: &[(u32, u32)], max: u32) -> Option<Packing> {
    let widest = sizes.iter().map(|s| s.0).max()?;
    let tallest = sizes.iter().map(|s| s.1).max()?;
    if widest > max || tallest > max {
        return None;
    }
    // A lower bound on the side (padding left out): the loop below doubles until it fits.
    let area: u64 = sizes
        .iter()
        .map(|&(w, h)| u64::from(w) * u64::from(h))
        .sum();
    let min_side = (area as f64).sqrt().ceil() as u64;
    let mut side = u64::from(widest.max(tallest))
        .max(min_side)
        .next_power_of_two()
        .min(u64::from(max)) as u32;

    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(sizes[i].1), std::cmp::Reverse(sizes[i].0)));
    loop {
        if let Some((positions, used_height)) = shelves(sizes, &order, side) {
            let height = used_height.next_power_of_two().min(side);
            return Some(Packing {
                width: side,
                height,
                positions,
            });
        }
        if side >= max {
            return None;
        }
        side = side.saturating_mul(2).min(max);
    }
}

/// Places `order` on the shared shelf packer in a `side` × `side` square; returns the
/// positions (in input order) and the height used, or `None` if they overflow.
fn shelves(sizes: &[(u32, u32)], order: &[usize], side: u32) -> Option<(Vec<(u32, u32)>, u32)> {
    let mut packer = Shelves::new(side, side);
    let mut positions = vec![(0, 0); sizes.len()];
    for &i in order {
        let (w, h) = sizes[i];
        positions[i] = packer.place(w, h)?;
    }
    Some((positions, packer.used_height()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packs_without_overlap_and_inside_bounds() {
        let sizes: Vec<(u32, u32)> = (0..60)
            .map(|i| (1 + (i * 7) % 23, 1 + (i * 11) % 17))
            .collect();
        let packing = pack(&sizes, 4096).unwrap();
        assert!(packing.width.is_power_of_two() && packing.height.is_power_of_two());
        let rects: Vec<_> = sizes
            .iter()
            .zip(&packing.positions)
            .map(|(&(w, h), &(x, y))| (x, y, w, h))
            .collect();
        for (i, a) in rects.iter().enumerate() {
            assert!(a.0 + a.2 <= packing.width && a.1 + a.3 <= packing.height);
            for b in &rects[i + 1..] {
                assert!(!touch(*a, *b), "{a:?} and {b:?} overlap");
            }
        }
    }

    #[test]
    fn a_single_image_fills_its_power_of_two() {
        let packing = pack(&[(16, 16)], 1024).unwrap();
        assert_eq!((packing.width, packing.height), (16, 16));
        assert_eq!(packing.positions, vec![(0, 0)]);
    }

    #[test]
    fn refuses_what_cannot_fit() {
        assert_eq!(pack(&[(65, 1)], 64), None);
        assert_eq!(pack(&[(40, 40), (40, 40)], 64), None);
        assert!(pack(&[(31, 31), (32, 31)], 64).is_some());
        assert_eq!(pack(&[], 64), None);
    }
}
