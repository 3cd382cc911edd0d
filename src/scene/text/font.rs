//! [`Font`]: a TrueType or OpenType font, parsed once by [`fontdue`] and shared by every
//! label that uses it, and the built-in [`Font::default_font`] (DejaVu Sans).

use std::sync::Arc;

use super::layout::LineMetrics;
use super::TextError;

/// The built-in face: DejaVu Sans (Bitstream Vera licence: `assets/fonts`).
#[cfg(feature = "default-font")]
const DEFAULT_FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// A font: its outlines, metrics and kerning, shared (cloning is cheap). Labels name their
/// font and size; a scene rasterises each character of each (font, size) once, into its
/// atlas.
#[derive(Clone)]
pub struct Font {
    inner: Arc<Inner>,
}

struct Inner {
    /// Unique in the process, so that atlases key faces by font without holding them.
    id: u32,
    font: fontdue::Font,
}

impl Font {
    /// Parses a TrueType (`.ttf`) or OpenType (`.otf`) font, the first face of a
    /// collection. [`TextError::Font`] says why a file is not one.
    pub fn from_bytes(bytes: &[u8]) -> Result<Font, TextError> {
        let settings = fontdue::FontSettings::default();
        let font = fontdue::Font::from_bytes(bytes, settings)
            .map_err(|reason| TextError::Font(reason.to_owned()))?;
        Ok(Font {
            inner: Arc::new(Inner {
                id: crate::domain::process_unique(),
                font,
            }),
        })
    }

    /// DejaVu Sans, built into the library (the `default-font` feature, on by default):
    /// labels draw with no font file on the user's side. Parsed once per thread.
    #[cfg(feature = "default-font")]
    pub fn default_font() -> Font {
        thread_local! {
            static DEFAULT: Font = match Font::from_bytes(DEFAULT_FONT) {
                Ok(font) => font,
                // The bundled file is a valid font; a failure here is a broken build.
                Err(error) => unreachable!("the built-in font does not parse: {error}"),
            };
        }
        DEFAULT.with(Font::clone)
    }

    /// The font's name, when it has one.
    pub fn name(&self) -> Option<&str> {
        self.inner.font.name()
    }

    /// Its vertical metrics at `size` pixels per em.
    pub fn line_metrics(&self, size: f32) -> LineMetrics {
        match self.inner.font.horizontal_line_metrics(size) {
            Some(m) => LineMetrics {
                ascent: m.ascent,
                descent: m.descent,
                line_gap: m.line_gap,
            },
            // A font without horizontal metrics: the em box.
            None => LineMetrics {
                ascent: size,
                descent: 0.0,
                line_gap: 0.0,
            },
        }
    }

    /// The process-unique id of this font.
    pub(crate) fn id(&self) -> u32 {
        self.inner.id
    }

    /// The parsed font.
    pub(crate) fn raw(&self) -> &fontdue::Font {
        &self.inner.font
    }
}

impl PartialEq for Font {
    /// The same parsed font (clones of one [`Font`]).
    fn eq(&self, other: &Font) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl std::fmt::Debug for Font {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Font")
            .field("name", &self.name())
            .field("id", &self.inner.id)
            .finish()
    }
}
