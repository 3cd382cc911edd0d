//! Labels of a [`Scene`] on a real headless GL context, on GL core and GLES 3: ink inside
//! the measured bounds, anchors and alignment where the layout maths puts them, wrapping
//! where the layout says, text changing for thousands of frames without touching another
//! label's pixels, growth of the scene's atlas under live labels, writes of one attribute
//! only, and a failed atlas growth, list growth or z leaving the label as it was.

mod common;

use vertex_domain::backend::fault::{self, Site};
use vertex_domain::backend::RenderTarget;
use vertex_domain::batch::BatchError;
use vertex_domain::domain::DomainError;
use vertex_domain::headless::HeadlessContext;
use vertex_domain::scene::{
    Align, AnchorX, AnchorY, Camera, Font, Item, Label, LabelId, Layer, Scene, SceneError,
};

const WIDTH: u32 = 256;
const HEIGHT: u32 = 128;

/// A target, a scene over it and one layer.
struct Frame {
    target: RenderTarget,
    scene: Scene,
    layer: Layer,
    font: Font,
}

impl Frame {
    fn new(ctx: &HeadlessContext) -> Frame {
        let target = RenderTarget::new(ctx.gl(), WIDTH, HEIGHT).unwrap();
        target.bind();
        let mut scene = Scene::new(ctx.gl(), ctx.multi_draw(), WIDTH, HEIGHT).unwrap();
        let layer = scene.add_layer(0).unwrap();
        Frame {
            target,
            scene,
            layer,
            font: Font::default_font(),
        }
    }

    fn label(&self, text: &str, size: f32, x: f32, y: f32) -> Label {
        Label::new(self.layer, text, &self.font, size, x, y)
    }

    fn add(&mut self, label: Label) -> LabelId {
        self.scene.add(label).unwrap()
    }

    fn get(&self, id: LabelId) -> &Label {
        self.scene.get(id).unwrap()
    }

    fn render(&mut self) -> Vec<u8> {
        self.target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        self.scene.draw().unwrap();
        self.target.read_pixels().unwrap()
    }
}

/// The pixels with ink (any red) as `[left, bottom, right, top]` pixel edges, y up, and
/// their count; `None` without ink.
fn ink(pixels: &[u8]) -> Option<([f32; 4], usize)> {
    let mut bounds = [
        f32::INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NEG_INFINITY,
    ];
    let mut count = 0;
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            if common::pixel(pixels, WIDTH, x, y)[0] > 0 {
                count += 1;
                let (x, y) = (x as f32, y as f32);
                bounds = [
                    bounds[0].min(x),
                    bounds[1].min(y),
                    bounds[2].max(x + 1.0),
                    bounds[3].max(y + 1.0),
                ];
            }
        }
    }
    (count > 0).then_some((bounds, count))
}

/// The ink of `label` drawn alone.
fn ink_of(ctx: &HeadlessContext, label: impl FnOnce(&Frame) -> Label) -> ([f32; 4], [f32; 4]) {
    let mut f = Frame::new(ctx);
    let id = f.add(label(&f));
    let bounds = f.scene.bounds(id).unwrap();
    let (ink, _) = ink(&f.render()).expect("the label drew ink");
    (ink, bounds)
}

fn assert_inside(ink: [f32; 4], bounds: [f32; 4], what: &str) {
    // A pixel of slack: linear filtering of a glyph's edge texel can light the pixel that
    // the bound crosses.
    let inside = ink[0] >= bounds[0].floor() - 1.0
        && ink[1] >= bounds[1].floor() - 1.0
        && ink[2] <= bounds[2].ceil() + 1.0
        && ink[3] <= bounds[3].ceil() + 1.0;
    assert!(inside, "{what}: ink {ink:?} leaves the bounds {bounds:?}");
}

fn ink_lies_inside_the_measured_bounds(ctx: &HeadlessContext) {
    let cases: [(&str, f32, f32, AnchorX, AnchorY); 5] = [
        ("Hello, World!", 0.0, 20.0, AnchorX::Left, AnchorY::Baseline),
        ("jumpy Qg|", 0.0, 24.0, AnchorX::Centre, AnchorY::Centre),
        ("two\nlines", 0.0, 18.0, AnchorX::Right, AnchorY::Top),
        ("Turned", 30.0, 22.0, AnchorX::Centre, AnchorY::Centre),
        ("AVATAR WAVE", -15.0, 16.0, AnchorX::Left, AnchorY::Bottom),
    ];
    for (text, rotation, size, ax, ay) in cases {
        let (ink, bounds) = ink_of(ctx, |s| {
            s.label(text, size, 128.0, 64.0)
                .rotated(rotation)
                .anchored_at(ax, ay)
        });
        assert_inside(ink, bounds, text);
        if rotation == 0.0 {
            // And the bounds are tight: the ink spans most of them.
            let (iw, bw) = (ink[2] - ink[0], bounds[2] - bounds[0]);
            let (ih, bh) = (ink[3] - ink[1], bounds[3] - bounds[1]);
            assert!(
                iw > 0.85 * bw && ih > 0.6 * bh,
                "{text}: ink {ink:?} in {bounds:?}"
            );
        }
    }
}

fn anchors_and_alignment_place_the_block_where_the_maths_says(ctx: &HeadlessContext) {
    let (size, x, y) = (20.0, 128.0, 64.0);
    let font = Font::default_font();
    let v = font.line_metrics(size);
    let text = "Wide line\nnarrow";
    for ax in [AnchorX::Left, AnchorX::Centre, AnchorX::Right] {
        for ay in [
            AnchorY::Baseline,
            AnchorY::Top,
            AnchorY::Centre,
            AnchorY::Bottom,
        ] {
            let mut f = Frame::new(ctx);
            let id = f.add(f.label(text, size, x, y).anchored_at(ax, ay));
            let lines = f.scene.label_lines(id).unwrap().to_vec();
            let width = lines.iter().map(|l| l.width).fold(0.0, f32::max);
            // The block from the font's metrics alone.
            let (top, bottom) = (v.ascent, v.descent - v.line_height());
            let left = x - match ax {
                AnchorX::Left => 0.0,
                AnchorX::Centre => width / 2.0,
                AnchorX::Right => width,
            };
            let baseline = y - match ay {
                AnchorY::Baseline => 0.0,
                AnchorY::Top => top,
                AnchorY::Centre => (top + bottom) / 2.0,
                AnchorY::Bottom => bottom,
            };
            let (ink, _) = ink(&f.render()).unwrap();
            let what =
                format!("{ax:?} {ay:?}: ink {ink:?}, block left {left}, baseline {baseline}");
            // 'W' starts a pixel or so right of the pen; 'e' ends about one short of the
            // advance.
            assert!((ink[0] - left).abs() <= 2.0, "{what}");
            assert!((ink[2] - (left + width)).abs() <= 3.0, "{what}");
            // Cap height of 'W' and 'l' below the ascent; 'rrow' has no descender, so the
            // ink ends at the second baseline.
            assert!(
                ink[3] <= baseline + top + 1.0 && ink[3] >= baseline + top - 6.0,
                "{what}"
            );
            let second = baseline - v.line_height();
            assert!((ink[1] - second).abs() <= 1.5, "{what}");
        }
    }
    // Alignment: each line's ink lines up by the left, the centre or the right.
    for align in [Align::Left, Align::Centre, Align::Right] {
        let line_ink =
            |text: &str| ink_of(ctx, |s| s.label(text, size, 40.0, 70.0).aligned(align)).0;
        let both = line_ink("MMMMMMMM\nMM");
        let wide = line_ink("MMMMMMMM");
        let (bw, ww) = (both[2] - both[0], wide[2] - wide[0]);
        assert!(
            (bw - ww).abs() <= 1.0,
            "{align:?}: the wide line sets the width"
        );
        let mut f = Frame::new(ctx);
        let id = f.add(f.label("MMMMMMMM\nMM", size, 40.0, 70.0).aligned(align));
        let lines = f.scene.label_lines(id).unwrap().to_vec();
        let slack = lines[0].width - lines[1].width;
        let want = match align {
            Align::Left => 0.0,
            Align::Centre => slack / 2.0,
            Align::Right => slack,
        };
        assert!((lines[1].x - want).abs() < 1e-3, "{align:?}: {lines:?}");
        // The second line's ink, in the rows below the first line's descent.
        let pixels = f.render();
        let split = (70.0 + v.descent).floor() as u32 - 1;
        let mut left = f32::INFINITY;
        for yy in 0..split {
            for xx in 0..WIDTH {
                if common::pixel(&pixels, WIDTH, xx, yy)[0] > 0 {
                    left = left.min(xx as f32);
                }
            }
        }
        assert!(
            (left - (40.0 + want)).abs() <= 2.0,
            "{align:?}: second line starts at {left}, the maths says {}",
            40.0 + want
        );
    }
}

fn a_wrapped_paragraph_breaks_where_the_layout_says(ctx: &HeadlessContext) {
    let text = "the quick brown fox jumps over the lazy dog again and again";
    let (size, wrap) = (14.0, 120.0);
    let mut f = Frame::new(ctx);
    let id = f.add(
        f.label(text, size, 8.0, 120.0)
            .wrapped(wrap)
            .anchored_at(AnchorX::Left, AnchorY::Top),
    );
    let lines = f.scene.label_lines(id).unwrap().to_vec();
    assert!(lines.len() >= 4, "{lines:?}");
    let shown: Vec<&str> = lines.iter().map(|l| &text[l.text.clone()]).collect();
    assert_eq!(
        shown.join(" "),
        text,
        "lines break at spaces and lose nothing"
    );
    // Each line fits, and would not have fitted with the next line's first word.
    let measure = |s: &str| {
        let mut probe = Frame::new(ctx);
        let id = probe.add(probe.label(s, size, 0.0, 50.0));
        probe.scene.label_lines(id).unwrap()[0].width
    };
    for (i, line) in lines.iter().enumerate() {
        assert!(line.width <= wrap, "{:?} is {} wide", shown[i], line.width);
        assert!((measure(shown[i]) - line.width).abs() < 1e-3);
        if let Some(next) = shown.get(i + 1) {
            let word = next.split(' ').next().unwrap();
            let longer = format!("{} {word}", shown[i]);
            assert!(measure(&longer) > wrap, "{longer:?} would have fitted");
        }
    }
    // And the pixels break there: each line's ink sits in its own band, as wide as it.
    let pixels = f.render();
    let v = Font::default_font().line_metrics(size);
    for (i, line) in lines.iter().enumerate() {
        let baseline = 120.0 + line.baseline;
        let band =
            ((baseline + v.descent).floor().max(0.0) as u32)..((baseline + v.ascent).ceil() as u32);
        let mut right = f32::NEG_INFINITY;
        for yy in band.clone() {
            for xx in 0..WIDTH {
                if common::pixel(&pixels, WIDTH, xx, yy)[0] > 0 {
                    right = right.max(xx as f32 + 1.0);
                }
            }
        }
        assert!(
            (right - (8.0 + line.width)).abs() <= 3.0,
            "line {i} {:?}: ink ends at {right}, the layout at {}",
            shown[i],
            8.0 + line.width
        );
    }
}

/// The pixels of `pixels` inside `bounds` (grown by 2 pixels), as a flat list.
fn region(pixels: &[u8], bounds: [f32; 4]) -> Vec<[u8; 4]> {
    let clamp = |v: f32, max: u32| (v.max(0.0) as u32).min(max);
    let (x0, y0) = (
        clamp(bounds[0] - 2.0, WIDTH),
        clamp(bounds[1] - 2.0, HEIGHT),
    );
    let (x1, y1) = (
        clamp(bounds[2] + 2.0, WIDTH),
        clamp(bounds[3] + 2.0, HEIGHT),
    );
    let mut out = Vec::new();
    for y in y0..y1 {
        for x in x0..x1 {
            out.push(common::pixel(pixels, WIDTH, x, y));
        }
    }
    out
}

fn text_changing_every_frame_keeps_other_labels_pixels(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    // The counter first, so that labels lie after its list and growth must move it.
    let counter = f.add(f.label("0", 14.0, 8.0, 10.0));
    let others: Vec<LabelId> = (0..4)
        .map(|i| {
            let text = ["Score", "Lives: 3", "LEVEL 12", "Paused?"][i];
            let label = f.label(text, 12.0 + 2.0 * i as f32, 8.0 + 60.0 * i as f32, 100.0);
            f.add(label.with_colour([255, 200, 100]))
        })
        .collect();
    let first = f.render();
    let bounds: Vec<[f32; 4]> = others
        .iter()
        .map(|&id| f.scene.bounds(id).unwrap())
        .collect();
    let before: Vec<_> = bounds.iter().map(|&b| region(&first, b)).collect();
    let start = f.scene.stats::<Label>();
    let counter_list = |f: &mut Frame| f.scene.list(counter).unwrap();
    let vertex_count = |f: &mut Frame, list| f.scene.batch_mut().vertex_count(list).unwrap();
    // The same text drawn fresh, to compare the counter with.
    let mut reference = Frame::new(ctx);
    let mut shown = reference.add(reference.label("0", 14.0, 8.0, 10.0));
    let frames = 3000u64;
    let (mut changes, mut resizes) = (0, 0);
    for frame in 1..=frames {
        // A counter: runs of one length (the unchanged first glyphs kept), then longer or
        // shorter (the list grows, moving past its neighbour, or shrinks).
        let digits = 1 + ((frame / 97) % 9) as u32;
        let text = format!("Score: {}", (frame * 7919) % 10u64.pow(digits));
        let list = counter_list(&mut f);
        let vertices = vertex_count(&mut f, list);
        if f.get(counter).text != text {
            changes += 1;
        }
        f.scene.set_text(counter, &text).unwrap();
        let list = counter_list(&mut f);
        if vertex_count(&mut f, list) != vertices {
            resizes += 1;
        }
        if frame % 100 == 0 {
            let pixels = f.render();
            for (i, b) in bounds.iter().enumerate() {
                assert_eq!(
                    region(&pixels, *b),
                    before[i],
                    "label {i} changed at frame {frame}"
                );
            }
            reference.scene.remove(shown).unwrap();
            shown = reference.add(reference.label(&text, 14.0, 8.0, 10.0));
            let b = f.scene.bounds(counter).unwrap();
            let want = region(&reference.render(), b);
            assert_eq!(
                region(&pixels, b),
                want,
                "the counter shows {text:?} at frame {frame}"
            );
        } else {
            f.scene.draw().unwrap();
        }
    }
    let stats = f.scene.stats::<Label>();
    let (rebuilds, in_place, moved) = (
        stats.rebuilds - start.rebuilds,
        stats.resized_in_place - start.resized_in_place,
        stats.resized_moved - start.resized_moved,
    );
    assert_eq!(rebuilds, changes, "one layout per change of text");
    assert_eq!(
        in_place + moved,
        resizes,
        "every change of glyph count resized the list, in place or moved"
    );
    assert!(in_place > 0 && moved > 0, "{stats:?}");
    // 4 vertices a glyph.
    let glyphs_written = (stats.vertices_written - start.vertices_written) / 4;
    assert!(
        glyphs_written < changes * 8,
        "the unchanged first glyphs are kept: {stats:?}"
    );
}

fn atlas_growth_keeps_live_labels_pixels(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    f.add(f.label("Keep me as I am", 18.0, 10.0, 80.0));
    f.add(f.label("and me: 0123456789", 12.0, 10.0, 40.0));
    let before = f.render();
    let start = f.scene.atlas_stats();
    // Many glyphs at large sizes, far off screen: the atlas must grow.
    let alphabet: String = ('!'..='~').collect();
    for size in [40.0, 48.0, 56.0, 64.0] {
        f.add(f.label(&alphabet, size, 5000.0, 5000.0));
    }
    let grown = f.scene.atlas_stats();
    assert!(grown.grows > start.grows, "{grown:?}");
    assert!(grown.glyphs > start.glyphs, "{grown:?}");
    assert!(grown.size.0 * grown.size.1 > start.size.0 * start.size.1);
    assert_eq!(f.render(), before, "every live label draws as it did");
    // A label made after the growth draws with the glyphs placed before it.
    let late = f.add(f.label("Keep", 18.0, 10.0, 10.0));
    let pixels = f.render();
    let b = f.scene.bounds(late).unwrap();
    let mut fresh = Frame::new(ctx);
    fresh.add(fresh.label("Keep", 18.0, 10.0, 10.0));
    assert_eq!(region(&pixels, b), region(&fresh.render(), b));
}

fn moving_or_recolouring_a_label_writes_only_that_attribute(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let id = f.add(f.label("Moving text", 16.0, 10.0, 60.0));
    f.add(f.label("Still", 16.0, 10.0, 20.0));
    f.scene.batch_mut().flush().unwrap();
    let list = f.scene.list(id).unwrap();
    let vertices = f.scene.batch_mut().vertex_count(list).unwrap() as u64;
    assert_eq!(
        vertices,
        4 * 10,
        "4 vertices a glyph with ink; the space has none"
    );
    let uploaded = |f: &Frame| f.scene.batch().buffer_stats().uploaded_bytes;
    let before = uploaded(&f);
    f.scene.set_position(id, 30.0, 70.0).unwrap();
    f.scene.batch_mut().flush().unwrap();
    let moved = uploaded(&f);
    assert_eq!(moved - before, 8 * vertices, "the translation only");
    f.scene.set_colour(id, [10, 20, 30]).unwrap();
    f.scene.batch_mut().flush().unwrap();
    assert_eq!(uploaded(&f) - moved, 4 * vertices, "the colour only");
    // A counter's last digit: only its glyph is written again.
    let counter = f.add(f.label("Score: 120", 16.0, 10.0, 100.0));
    let written = f.scene.stats::<Label>().vertices_written;
    f.scene.set_text(counter, "Score: 121").unwrap();
    assert_eq!(
        f.scene.stats::<Label>().vertices_written - written,
        4,
        "one glyph's 4 vertices"
    );
    let label = &f.get(id).props;
    assert_eq!((label.x, label.y, label.colour), (30.0, 70.0, [10, 20, 30]));
}

fn a_failed_atlas_growth_leaves_the_label_as_it_was(ctx: &HeadlessContext) {
    // A texture step of the first growth fails, or of the second after the first
    // succeeded: either way the label is as it was, and the atlas is not stuck.
    for skip in [0, 2] {
        let mut f = Frame::new(ctx);
        let id = f.add(f.label("before", 20.0, 10.0, 60.0));
        let before = f.render();
        let list = f.scene.list(id).unwrap();
        // A glyph wider than the atlas: the atlas must grow (twice or more) before the
        // glyph's upload, and a growth's new texture or its copy fails.
        let change = |l: &mut Label| {
            l.text = "W".to_owned();
            l.size = 700.0;
        };
        fault::fail_at(Site::Texture, skip);
        let error = f.scene.update(id, change).unwrap_err();
        assert!(!fault::disarm(), "skip {skip}: no texture step failed");
        assert!(matches!(error, SceneError::Gl(_)), "{error}");
        let label = f.get(id);
        assert_eq!((label.text.as_str(), label.size), ("before", 20.0));
        assert_eq!(f.scene.list(id).unwrap(), list);
        assert_eq!(f.render(), before, "skip {skip}: every pixel as it was");
        // Once nothing fails, the same change goes through.
        f.scene.update(id, change).unwrap();
        let stats = f.scene.atlas_stats();
        assert!(stats.size.0 > 700, "{stats:?}");
        assert!(ink(&f.render()).is_some());
    }
}

fn a_refused_z_leaves_the_label_as_it_was(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let id = f.add(f.label("Score: 1", 16.0, 10.0, 60.0));
    let before = f.render();
    // A layer without a draw order refuses a z; the text change in the same call must
    // not happen either.
    let group = f.layer.group();
    f.scene.batch_mut().set_ordered(group, false).unwrap();
    let error = f
        .scene
        .update(id, |l| {
            l.text = "Score: 22".to_owned();
            l.props.z = 3.0;
        })
        .unwrap_err();
    assert_eq!(
        error,
        SceneError::Storage(BatchError::Domain(DomainError::NotOrdered))
    );
    let label = f.get(id);
    assert_eq!((label.text.as_str(), label.props.z), ("Score: 1", 0.0));
    assert_eq!(f.render(), before);
    f.scene.set_text(id, "Score: 22").unwrap();
}

fn a_text_change_and_a_move_in_one_call_move_every_glyph(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let id = f.add(f.label("Score: 12", 16.0, 10.0, 60.0));
    f.scene
        .update(id, |l| {
            l.text = "Score: 13".to_owned();
            (l.props.x, l.props.colour) = (50.0, [200, 100, 50]);
        })
        .unwrap();
    let mut fresh = Frame::new(ctx);
    let label = fresh.label("Score: 13", 16.0, 50.0, 60.0);
    fresh.add(label.with_colour([200, 100, 50]));
    assert_eq!(
        f.render(),
        fresh.render(),
        "kept glyphs moved and recoloured too"
    );
    // A wrap width that is no width lays out as none, and moves still move.
    let mut wrapped = Frame::new(ctx);
    let id = wrapped.add(
        wrapped
            .label("Score: 13", 16.0, 10.0, 60.0)
            .wrapped(f32::NAN),
    );
    wrapped.scene.set_position(id, 50.0, 60.0).unwrap();
    wrapped.scene.set_colour(id, [200, 100, 50]).unwrap();
    assert_eq!(wrapped.render(), fresh.render());
}

fn a_failed_list_growth_leaves_the_label_as_it_was(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    let id = f.add(f.label("short", 14.0, 10.0, 60.0));
    f.add(f.label("neighbour", 14.0, 10.0, 30.0));
    let before = f.render();
    let list = f.scene.list(id).unwrap();
    let long = "x".repeat(4000);
    fault::fail_at(Site::GrowCopy, 0);
    let error = f.scene.set_text(id, &long).unwrap_err();
    assert!(!fault::disarm(), "the growth never copied");
    assert!(matches!(error, SceneError::Gl(_)), "{error}");
    assert_eq!(f.get(id).text, "short");
    assert_eq!(f.scene.list(id).unwrap(), list);
    assert_eq!(f.render(), before, "every pixel as it was");
    // Bad sizes are refused before anything changes.
    let error = f.scene.update(id, |l| l.size = f32::NAN).unwrap_err();
    assert!(matches!(error, SceneError::Text(_)), "{error}");
    assert_eq!(f.get(id).size, 14.0);
    assert_eq!(f.render(), before);
}

fn labels_draw_by_z_and_look_through_the_camera(ctx: &HeadlessContext) {
    let mut f = Frame::new(ctx);
    // Two blocks of ink over each other: the red one added first but at a higher z.
    let block = "\u{2588}\u{2588}\u{2588}";
    let red = f.label(block, 30.0, 60.0, 50.0).with_colour([255, 0, 0]);
    let red = f.add(red.at_z(1.0));
    let green = f.label(block, 30.0, 70.0, 55.0).with_colour([0, 255, 0]);
    f.add(green);
    let pixels = f.render();
    let [l, b, r, t] = f.scene.bounds(red).unwrap();
    let (cx, cy) = (((l + r) / 2.0) as u32, ((b + t) / 2.0) as u32);
    assert_eq!(
        common::pixel(&pixels, WIDTH, cx, cy),
        [255, 0, 0, 255],
        "the higher z on top"
    );
    f.scene.set_z(red, -1.0).unwrap();
    let pixels = f.render();
    assert_eq!(
        common::pixel(&pixels, WIDTH, cx, cy),
        [0, 255, 0, 255],
        "now below"
    );
    // The camera pans every layer's labels without rewriting a vertex.
    let (before, uploaded) = (
        ink(&f.render()).unwrap().0,
        f.scene.batch().buffer_stats().uploaded_bytes,
    );
    let camera = Camera {
        pan: [20.0, -10.0],
        ..Camera::default()
    };
    f.scene.set_camera(camera).unwrap();
    let after = ink(&f.render()).unwrap().0;
    assert_eq!(
        [after[0] - before[0], after[1] - before[1]],
        [-20.0, 10.0],
        "the view moved by the pan"
    );
    assert_eq!(f.scene.batch().buffer_stats().uploaded_bytes, uploaded);
}

common::on_gl_core_and_gles3!(
    ink_lies_inside_the_measured_bounds,
    anchors_and_alignment_place_the_block_where_the_maths_says,
    a_wrapped_paragraph_breaks_where_the_layout_says,
    text_changing_every_frame_keeps_other_labels_pixels,
    atlas_growth_keeps_live_labels_pixels,
    moving_or_recolouring_a_label_writes_only_that_attribute,
    a_failed_atlas_growth_leaves_the_label_as_it_was,
    a_failed_list_growth_leaves_the_label_as_it_was,
    a_refused_z_leaves_the_label_as_it_was,
    a_text_change_and_a_move_in_one_call_move_every_glyph,
    labels_draw_by_z_and_look_through_the_camera,
);
