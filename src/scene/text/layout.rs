//! Text layout: where each character of a label goes, as pure arithmetic on glyph
//! advances and kerning (no GL, no font file: the metrics of a face answer those).
//!
//! A label is laid out in its local frame, y up, with the first line's baseline at y = 0
//! and lines going down by the face's line height:
//!
//! - lines break at `'\n'`, and with a wrap width also before a word that would cross it
//!   (at spaces; a word wider than the width alone breaks between characters). Spaces at a
//!   break belong to neither line;
//! - each line's width is its last advance (kerning included, trailing spaces left out);
//!   the block's width is the wrap width when there is one, else the widest line;
//! - [`Align`] places each line within the block's width; [`AnchorX`] and [`AnchorY`]
//!   name the point of the block that the label's position places, and which it turns
//!   about.
//!
//! Invariant kept by the layout: `glyphs` lists every character that is not a line break
//! or a space at a break, in text order, each with its pen position; `lines` partitions
//! `glyphs` in order.

/// How the lines of a label line up within its width.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Align {
    /// Every line starts at the block's left edge.
    #[default]
    Left,
    /// Every line is centred in the block's width.
    Centre,
    /// Every line ends at the block's right edge.
    Right,
}

/// Which point across the block a label's position places.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum AnchorX {
    /// The block's left edge.
    #[default]
    Left,
    /// The middle of its width.
    Centre,
    /// Its right edge.
    Right,
}

/// Which height of the block a label's position places.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum AnchorY {
    /// The first line's baseline.
    #[default]
    Baseline,
    /// The first line's ascent: the top of the block.
    Top,
    /// Halfway between the top and the bottom.
    Centre,
    /// The last line's descent: the bottom of the block.
    Bottom,
}

/// What layout needs to know of a face at one size, in pixels.
pub(crate) trait Metrics {
    /// How far the pen moves after `c`.
    fn advance(&self, c: char) -> f32;
    /// The extra move between `left` and `right` (usually negative or zero).
    fn kern(&self, left: char, right: char) -> f32;
    /// The face's vertical metrics.
    fn lines(&self) -> LineMetrics;
}

/// A face's vertical metrics at one size, in pixels, y up from the baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineMetrics {
    /// Height of the tallest ascender above the baseline.
    pub ascent: f32,
    /// Depth of the lowest descender: negative, below the baseline.
    pub descent: f32,
    /// Extra space between one line's descent and the next one's ascent.
    pub line_gap: f32,
}

impl LineMetrics {
    /// From one baseline to the next.
    pub fn line_height(&self) -> f32 {
        self.ascent - self.descent + self.line_gap
    }
}

/// How to lay a text out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Params {
    pub wrap_width: Option<f32>,
    pub align: Align,
    pub anchor_x: AnchorX,
    pub anchor_y: AnchorY,
}

/// A character placed by layout, its pen position relative to the anchor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Placed {
    pub c: char,
    /// Its byte offset in the text.
    pub at: usize,
    /// Pen x on its baseline, relative to the anchor.
    pub x: f32,
    /// Its baseline, relative to the anchor.
    pub y: f32,
}

/// One laid-out line of a label, in the label's frame with the anchor at the origin.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The byte range of the text it shows (spaces at its break and the `'\n'` left out).
    pub text: std::ops::Range<usize>,
    /// Its left edge, after alignment.
    pub x: f32,
    /// Its baseline.
    pub baseline: f32,
    /// Its width: the pen position after its last character (kerning included).
    pub width: f32,
    /// Its characters' indices in the layout's glyphs.
    pub(crate) glyphs: std::ops::Range<usize>,
}

/// A laid-out label: its characters, its lines, and its block.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Layout {
    pub glyphs: Vec<Placed>,
    pub lines: Vec<Line>,
    /// The block `[left, bottom, right, top]`, relative to the anchor: its width by the
    /// wrap width or widest line, its height from the first line's ascent to the last
    /// one's descent.
    pub block: [f32; 4],
}

/// Lays `text` out by `params` with `metrics` into `out` (its vectors reused).
pub(crate) fn lay_out(text: &str, metrics: &impl Metrics, params: &Params, out: &mut Layout) {
    out.glyphs.clear();
    out.lines.clear();
    let wrap = params.wrap_width.filter(|w| w.is_finite() && *w > 0.0);
    let mut breaker = Breaker {
        metrics,
        wrap,
        out,
        pen: 0.0,
        line_start: 0,
        glyph_start: 0,
        last: None,
    };
    for (start, paragraph) in split_paragraphs(text) {
        breaker.paragraph(start, paragraph);
    }
    let v = metrics.lines();
    let line_height = v.line_height();
    let width = wrap.unwrap_or_else(|| out.lines.iter().map(|l| l.width).fold(0.0, f32::max));
    let count = out.lines.len().max(1) as f32;
    let (top, bottom) = (v.ascent, v.descent - (count - 1.0) * line_height);
    let anchor_x = match params.anchor_x {
        AnchorX::Left => 0.0,
        AnchorX::Centre => width / 2.0,
        AnchorX::Right => width,
    };
    let anchor_y = match params.anchor_y {
        AnchorY::Baseline => 0.0,
        AnchorY::Top => top,
        AnchorY::Centre => (top + bottom) / 2.0,
        AnchorY::Bottom => bottom,
    };
    for (index, line) in out.lines.iter_mut().enumerate() {
        let slack = width - line.width;
        let shift = match params.align {
            Align::Left => 0.0,
            Align::Centre => slack / 2.0,
            Align::Right => slack,
        } - anchor_x;
        let baseline = -(index as f32) * line_height - anchor_y;
        for glyph in &mut out.glyphs[line.glyphs.clone()] {
            glyph.x += shift;
            glyph.y = baseline;
        }
        line.x = shift;
        line.baseline = baseline;
    }
    out.block = [
        -anchor_x,
        bottom - anchor_y,
        width - anchor_x,
        top - anchor_y,
    ];
}

/// The text's paragraphs (split at `'\n'`), each with its byte offset.
fn split_paragraphs(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split('\n').scan(0, |start, paragraph| {
        let here = *start;
        *start += paragraph.len() + 1;
        Some((here, paragraph))
    })
}

/// Greedy line breaking, one paragraph at a time, into a layout's glyphs and lines.
struct Breaker<'a, M: Metrics> {
    metrics: &'a M,
    wrap: Option<f32>,
    out: &'a mut Layout,
    /// Pen x on the current line.
    pen: f32,
    /// Byte offset where the current line starts.
    line_start: usize,
    /// Index in `out.glyphs` of the current line's first glyph.
    glyph_start: usize,
    /// The last character placed on the current line, for kerning.
    last: Option<char>,
}

impl<M: Metrics> Breaker<'_, M> {
    /// Lays out one paragraph starting at byte `start` of the text, and ends its last line.
    fn paragraph(&mut self, start: usize, paragraph: &str) {
        self.line_start = start;
        let mut words = paragraph.split(' ').scan(start, |offset, word| {
            let here = *offset;
            *offset += word.len() + 1;
            Some((here, word))
        });
        if let Some((at, word)) = words.next() {
            self.word(at, word);
        }

        for (at, word) in words {
            // The space before this word (at byte `at - 1`): placed when it fits with the
            // word; else the line breaks there, unless there is nothing to break before
            // (another space) or after (an empty line), and the space is dropped.
            let space = self.width_of(' ', self.last) + self.pen;
            let fits = self
                .wrap
                .map_or(true, |w| space + self.word_width(word, Some(' ')) <= w);
            let empty_line = self.glyph_start == self.out.glyphs.len();
            if fits {
                self.place(' ', at - 1);
            } else if !word.is_empty() && !empty_line {
                self.end_line();
                self.line_start = at;
            }
            self.word(at, word);
        }
        self.end_line();
    }

    /// Places a word starting at byte `at`, breaking inside it only where it alone is wider
    /// than the wrap width.
    fn word(&mut self, at: usize, word: &str) {
        for (offset, c) in word.char_indices() {
            if let Some(w) = self.wrap {
                let crosses = self.pen + self.width_of(c, self.last) > w;
                if crosses && self.out.glyphs.len() > self.glyph_start {
                    self.end_line();
                    self.line_start = at + offset;
                }
            }
            self.place(c, at + offset);
        }
    }

    /// The width `word` adds after `before`.
    fn word_width(&self, word: &str, mut before: Option<char>) -> f32 {
        let mut width = 0.0;
        for c in word.chars() {
            width += self.width_of(c, before);
            before = Some(c);
        }
        width
    }

    /// What placing `c` after `before` adds to the pen.
    fn width_of(&self, c: char, before: Option<char>) -> f32 {
        before.map_or(0.0, |b| self.metrics.kern(b, c)) + self.metrics.advance(c)
    }

    /// Places `c`, byte `at` of the text, at the pen, after kerning against the last
    /// character.
    fn place(&mut self, c: char, at: usize) {
        if let Some(before) = self.last {
            self.pen += self.metrics.kern(before, c);
        }
        self.out.glyphs.push(Placed {
            c,
            at,
            x: self.pen,
            y: 0.0,
        });
        self.pen += self.metrics.advance(c);
        self.last = Some(c);
    }

    /// Ends the current line: trailing spaces leave it, its text ends after its last
    /// character, and its width is the pen after that character.
    fn end_line(&mut self) {
        while self.out.glyphs.len() > self.glyph_start
            && self.out.glyphs.last().is_some_and(|g| g.c == ' ')
        {
            self.out.glyphs.pop();
        }
        let (end, width) = match self.out.glyphs[self.glyph_start..].last() {
            Some(g) => (g.at + g.c.len_utf8(), g.x + self.metrics.advance(g.c)),
            None => (self.line_start, 0.0),
        };
        self.out.lines.push(Line {
            text: self.line_start..end,
            x: 0.0,
            baseline: 0.0,
            width,
            glyphs: self.glyph_start..self.out.glyphs.len(),
        });
        self.glyph_start = self.out.glyphs.len();
        self.pen = 0.0;
        self.last = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character 10 px wide, "AV" kerned by -2, lines 20 px apart (ascent 15,
    /// descent -5).
    struct Mono;

    impl Metrics for Mono {
        fn advance(&self, _: char) -> f32 {
            10.0
        }
        fn kern(&self, left: char, right: char) -> f32 {
            if (left, right) == ('A', 'V') {
                -2.0
            } else {
                0.0
            }
        }
        fn lines(&self) -> LineMetrics {
            LineMetrics {
                ascent: 15.0,
                descent: -5.0,
                line_gap: 0.0,
            }
        }
    }

    fn lay(text: &str, wrap: Option<f32>, align: Align, ax: AnchorX, ay: AnchorY) -> Layout {
        let mut out = Layout::default();
        let params = Params {
            wrap_width: wrap,
            align,
            anchor_x: ax,
            anchor_y: ay,
        };
        lay_out(text, &Mono, &params, &mut out);
        out
    }

    fn left(text: &str, wrap: Option<f32>) -> Layout {
        lay(text, wrap, Align::Left, AnchorX::Left, AnchorY::Baseline)
    }

    fn line_texts<'a>(layout: &Layout, text: &'a str) -> Vec<&'a str> {
        layout.lines.iter().map(|l| &text[l.text.clone()]).collect()
    }

    #[test]
    fn a_single_line_advances_with_kerning_from_the_origin() {
        let layout = left("AVA", None);
        let xs: Vec<f32> = layout.glyphs.iter().map(|g| g.x).collect();
        assert_eq!(xs, [0.0, 8.0, 18.0]);
        assert_eq!(layout.lines[0].width, 28.0);
        assert_eq!(layout.block, [0.0, -5.0, 28.0, 15.0]);
    }

    #[test]
    fn newlines_break_lines_and_each_goes_one_line_height_down() {
        let text = "ab\ncde\n\nf";
        let layout = left(text, None);
        assert_eq!(line_texts(&layout, text), ["ab", "cde", "", "f"]);
        let baselines: Vec<f32> = layout.lines.iter().map(|l| l.baseline).collect();
        assert_eq!(baselines, [0.0, -20.0, -40.0, -60.0]);
        assert_eq!(layout.glyphs.len(), 6);
        assert_eq!(layout.glyphs[5].y, -60.0);
        assert_eq!(layout.block, [0.0, -65.0, 30.0, 15.0]);
    }

    #[test]
    fn wrapping_breaks_before_the_word_that_would_cross_the_width() {
        let text = "one two three four";
        let layout = left(text, Some(75.0));
        assert_eq!(line_texts(&layout, text), ["one two", "three", "four"]);
        let widths: Vec<f32> = layout.lines.iter().map(|l| l.width).collect();
        assert_eq!(widths, [70.0, 50.0, 40.0]);
        // Spaces at a break are dropped: 7 + 5 + 4 glyphs.
        assert_eq!(layout.glyphs.len(), 16);
        assert_eq!(
            layout.block[2], 75.0,
            "a wrapped block is as wide as the wrap width"
        );
    }

    #[test]
    fn a_word_wider_than_the_wrap_width_breaks_between_characters() {
        let text = "abcdefgh ij";
        let layout = left(text, Some(35.0));
        assert_eq!(line_texts(&layout, text), ["abc", "def", "gh", "ij"]);
    }

    #[test]
    fn alignment_places_each_line_within_the_block() {
        let text = "abcd\nab";
        let centre = lay(text, None, Align::Centre, AnchorX::Left, AnchorY::Baseline);
        assert_eq!(centre.lines[1].x, 10.0);
        assert_eq!(centre.glyphs[4].x, 10.0);
        let right = lay(text, None, Align::Right, AnchorX::Left, AnchorY::Baseline);
        assert_eq!(right.glyphs[4].x, 20.0);
        assert_eq!(right.lines[0].x, 0.0);
    }

    #[test]
    fn anchors_put_the_named_point_of_the_block_at_the_origin() {
        let text = "ab\ncd";
        let cases = [
            (AnchorX::Left, AnchorY::Baseline, [0.0, -25.0, 20.0, 15.0]),
            (AnchorX::Right, AnchorY::Top, [-20.0, -40.0, 0.0, 0.0]),
            (AnchorX::Centre, AnchorY::Bottom, [-10.0, 0.0, 10.0, 40.0]),
            (AnchorX::Centre, AnchorY::Centre, [-10.0, -20.0, 10.0, 20.0]),
        ];
        for (ax, ay, block) in cases {
            let layout = lay(text, None, Align::Left, ax, ay);
            assert_eq!(layout.block, block, "{ax:?} {ay:?}");
            // The first glyph sits at the block's left edge, on the first baseline.
            assert_eq!(layout.glyphs[0].x, block[0]);
            assert_eq!(layout.glyphs[0].y, block[3] - 15.0);
        }
    }

    #[test]
    fn spaces_at_a_break_belong_to_neither_line() {
        for text in ["ab   cd", "ab    cd", "ab cd"] {
            let layout = left(text, Some(35.0));
            assert_eq!(line_texts(&layout, text), ["ab", "cd"], "{text:?}");
            assert_eq!(layout.glyphs.len(), 4, "{text:?}");
        }
        let trailing = "ab    ";
        let layout = left(trailing, Some(35.0));
        assert_eq!(line_texts(&layout, trailing), ["ab"]);
        // Without a break, spaces are glyphs like any other.
        let indented = "  x";
        let layout = left(indented, None);
        assert_eq!(line_texts(&layout, indented), ["  x"]);
        assert_eq!(layout.glyphs[2].x, 20.0);
    }

    #[test]
    fn empty_text_is_one_empty_line() {
        let layout = left("", None);
        assert!(layout.glyphs.is_empty());
        assert_eq!(layout.lines.len(), 1);
        assert_eq!(layout.block, [0.0, -5.0, 0.0, 15.0]);
    }

    #[test]
    fn multibyte_characters_keep_their_byte_ranges() {
        let text = "héllo wörld";
        let layout = left(text, Some(55.0));
        assert_eq!(line_texts(&layout, text), ["héllo", "wörld"]);
        assert_eq!(layout.glyphs.len(), 10);
    }
}
