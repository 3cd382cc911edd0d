//! Tessellation of 2D shapes into indexed triangles.
//!
//! A [`ShapeKind`] describes a shape's geometry in its *local frame*: pixels,
//! y up, with the shape's position at the origin. [`ShapeKind::tessellate`]
//! turns it into a [`Mesh`] of triangles in that frame. The position (and any
//! rotation) is applied per vertex when drawing, so moving a shape never
//! tessellates it again.
//!
//! The conventions are pyglet's (`pyglet.shapes`):
//!
//! * The local origin is the bottom-left corner of a rectangle, the centre of
//!   a circle, ellipse, sector, arc or star, and the first end of a line.
//!   Triangles and polygons give their points in the local frame directly.
//! * Angles are in degrees, counter-clockwise from +x. A negative sweep goes
//!   clockwise. A sweep beyond a full turn is drawn as a full turn.
//! * A circle's or ellipse's first rim vertex lies on +x, a sector's and
//!   an arc's at `start_angle`, and a star's first spike points along +x.
//! * A bordered rectangle's border lies inside its width and height.
//! * A line's width is centred on its segment, an arc's thickness on its
//!   radius (its inner radius stops at zero). A closed arc also draws a
//!   band of the same thickness along the chord joining its two ends.
//! * Round outlines are inscribed polygons: every vertex lies on the ideal
//!   outline and each chord cuts inside it by at most
//!   [`ShapeKind::approximation_error`].
//!
//! Every mesh of a kind that passes [`ShapeKind::check`] keeps these
//! invariants: its lengths are [`ShapeKind::counts`]; every index is below
//! `positions.len()`; every triangle winds counter-clockwise (positive signed
//! area, or zero for degenerate input such as a zero size or collinear
//! points); `border` has one flag per vertex. A kind that fails the check
//! tessellates to an empty mesh.
//!
//! Tessellating into a [`Mesh`] whose vectors already have the capacity
//! allocates nothing, polygons included: the ear clipper keeps its working
//! ring of vertices in the not-yet-written tail of the index buffer.

use std::f32::consts::{PI, TAU};
use std::fmt;

/// The fewest segments pyglet's default rule gives a round shape.
const MIN_DEFAULT_SEGMENTS: u32 = 14;
/// Pixels of radius per segment in pyglet's default rule.
const PIXELS_PER_DEFAULT_SEGMENT: f32 = 1.25;
/// The fewest rim segments of a closed round outline (circle, ellipse).
const MIN_RING_SEGMENTS: u32 = 3;
/// The fewest segments of a sector or arc.
const MIN_SWEEP_SEGMENTS: u32 = 1;
/// The largest turn one sector or arc segment may make, in degrees: a larger
/// one would fold its triangles over and wind them clockwise.
const MAX_SEGMENT_TURN_DEGREES: f32 = 180.0;
/// One full turn, in degrees.
const FULL_TURN_DEGREES: f32 = 360.0;
/// The fewest points of a polygon.
const MIN_POLYGON_POINTS: u32 = 3;
/// The fewest spikes of a star.
const MIN_STAR_SPIKES: u32 = 2;
/// The largest vertex or index count: indices are `u32`.
const MAX_COUNT: u64 = u32::MAX as u64;
/// Vertices of a quad (rectangle, line, chord band).
const QUAD_VERTICES: u64 = 4;
/// Indices of a quad: two triangles.
const QUAD_INDICES: u64 = 6;
/// Vertices of a bordered rectangle: the fill quad, then the border ring's
/// inner and outer corners.
const BORDERED_VERTICES: u64 = 3 * QUAD_VERTICES;
/// Indices of a bordered rectangle: the fill quad and four ring quads.
const BORDERED_INDICES: u64 = 5 * QUAD_INDICES;
/// First vertex of a bordered rectangle's inner border corners.
const BORDER_INNER_BASE: u32 = 4;
/// First vertex of a bordered rectangle's outer border corners.
const BORDER_OUTER_BASE: u32 = 8;
/// The local origin.
const ORIGIN: [f32; 2] = [0.0, 0.0];

/// The geometry of a shape, in pixels and degrees, in the shape's local frame
/// (the position of the shape is the local origin; see each variant).
#[derive(Debug, Clone, PartialEq)]
pub enum ShapeKind {
    /// An axis-aligned rectangle; the origin is its bottom-left corner.
    Rectangle {
        /// Extent along x.
        width: f32,
        /// Extent along y.
        height: f32,
    },
    /// A rectangle with a border of the second colour; the origin is its
    /// bottom-left corner. The border is `border` pixels wide and lies inside
    /// the rectangle.
    BorderedRectangle {
        /// Extent along x, border included.
        width: f32,
        /// Extent along y, border included.
        height: f32,
        /// Width of the border, measured inwards from each edge.
        border: f32,
    },
    /// A disc; the origin is its centre.
    Circle {
        /// Radius.
        radius: f32,
        /// Rim segments, at least 3.
        segments: u32,
    },
    /// A filled ellipse; the origin is its centre.
    Ellipse {
        /// Semi-axis along x.
        a: f32,
        /// Semi-axis along y.
        b: f32,
        /// Rim segments, at least 3.
        segments: u32,
    },
    /// A pie slice; the origin is the centre of its circle. It starts at
    /// `start_angle` and sweeps `angle` degrees, counter-clockwise when
    /// positive.
    Sector {
        /// Radius.
        radius: f32,
        /// Sweep in degrees; negative sweeps clockwise.
        angle: f32,
        /// Direction of the first edge, degrees counter-clockwise from +x.
        start_angle: f32,
        /// Rim segments; each may turn at most 180 degrees.
        segments: u32,
    },
    /// A band `thickness` wide centred on a circle of `radius`, from
    /// `start_angle` through `angle` degrees; the origin is the circle's
    /// centre. `closed` adds a band of the same thickness centred on the
    /// chord from the arc's end back to its start.
    Arc {
        /// Radius of the band's centre line.
        radius: f32,
        /// Width of the band, half on each side of `radius`.
        thickness: f32,
        /// Sweep in degrees; negative sweeps clockwise.
        angle: f32,
        /// Direction of the band's first end, degrees counter-clockwise
        /// from +x.
        start_angle: f32,
        /// Band segments; each may turn at most 180 degrees.
        segments: u32,
        /// Whether a chord band joins the two ends.
        closed: bool,
    },
    /// A thick segment; the origin is its first end and the second end is at
    /// `(dx, dy)`. The width is centred on the segment; the ends are square.
    Line {
        /// Offset of the second end along x.
        dx: f32,
        /// Offset of the second end along y.
        dy: f32,
        /// Width across the segment.
        width: f32,
    },
    /// A triangle with its three corners in the local frame, either winding.
    Triangle {
        /// The corners.
        points: [[f32; 2]; 3],
    },
    /// A simple polygon (convex or concave, either winding, not
    /// self-intersecting) with its points in the local frame.
    Polygon {
        /// The outline, in order; the last point joins the first.
        points: Vec<[f32; 2]>,
    },
    /// A star; the origin is its centre and the first spike points along +x.
    Star {
        /// Distance from the centre to each spike's tip.
        outer_radius: f32,
        /// Distance from the centre to each notch between two spikes.
        inner_radius: f32,
        /// Number of spikes, at least 2.
        spikes: u32,
    },
}

/// Why a shape's geometry cannot be tessellated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryError {
    /// A size, angle or coordinate is NaN or infinite.
    NotFinite,
    /// A size (width, height, border, radius, thickness) is negative.
    NegativeSize,
    /// A round shape has too few segments.
    TooFewSegments {
        /// The fewest segments this shape accepts.
        min: u32,
    },
    /// A polygon has too few points.
    TooFewPoints {
        /// The fewest points a polygon accepts.
        min: u32,
    },
    /// A star has too few spikes.
    TooFewSpikes {
        /// The fewest spikes a star accepts.
        min: u32,
    },
    /// The vertex or index count does not fit the `u32` index type.
    TooManyVertices,
}

impl fmt::Display for GeometryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFinite => write!(f, "shape geometry contains a NaN or infinite number"),
            Self::NegativeSize => write!(f, "shape size is negative"),
            Self::TooFewSegments { min } => {
                write!(f, "shape needs at least {min} segments")
            }
            Self::TooFewPoints { min } => write!(f, "polygon needs at least {min} points"),
            Self::TooFewSpikes { min } => write!(f, "star needs at least {min} spikes"),
            Self::TooManyVertices => {
                write!(
                    f,
                    "shape needs more vertices or indices than a u32 can count"
                )
            }
        }
    }
}

impl std::error::Error for GeometryError {}

/// A shape's triangles.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mesh {
    /// Vertex positions, local frame.
    pub positions: Vec<[f32; 2]>,
    /// Triangles, three indices each, into `positions`.
    pub indices: Vec<u32>,
    /// Per vertex: true where it takes the shape's second colour (the border
    /// of a BorderedRectangle; false for every other kind).
    pub border: Vec<bool>,
}

impl Mesh {
    /// Empties the mesh, keeping its capacity.
    fn clear(&mut self) {
        self.positions.clear();
        self.indices.clear();
        self.border.clear();
    }

    /// Appends a vertex that takes the shape's main colour.
    fn push(&mut self, position: [f32; 2]) {
        self.positions.push(position);
        self.border.push(false);
    }

    /// Appends the triangle `a`, `b`, `c`.
    fn triangle(&mut self, a: u32, b: u32, c: u32) {
        self.indices.extend_from_slice(&[a, b, c]);
    }

    /// Appends the quad `base..base + 4`, whose corners run counter-clockwise.
    fn quad(&mut self, base: u32) {
        self.triangle(base, base + 1, base + 2);
        self.triangle(base, base + 2, base + 3);
    }

    /// Appends a fan from vertex 0 round the closed rim `1..=rim`.
    fn closed_fan(&mut self, rim: u32) {
        for k in 0..rim {
            self.triangle(0, 1 + k, 1 + (k + 1) % rim);
        }
    }
}

/// A sweep of directions in radians: from `start` through `turn`, clockwise
/// when `turn` is negative, at most one full turn either way.
#[derive(Debug, Clone, Copy)]
struct Sweep {
    /// First direction.
    start: f32,
    /// Signed turn from the first direction to the last.
    turn: f32,
    /// Whether the sweep covers every direction.
    full: bool,
}

impl Sweep {
    /// The sweep from `start_degrees` through `angle_degrees`, clamped to a
    /// full turn.
    fn new(start_degrees: f32, angle_degrees: f32) -> Self {
        let angle = clamp_sweep(angle_degrees);
        Self {
            start: start_degrees.to_radians(),
            turn: angle.to_radians(),
            full: angle.abs() >= FULL_TURN_DEGREES,
        }
    }

    /// The last direction.
    fn end(self) -> f32 {
        self.start + self.turn
    }

    /// Direction of vertex `k` of `segments` equal steps.
    fn at(self, k: u32, segments: u32) -> f32 {
        self.start + self.turn * k as f32 / segments as f32
    }

    /// Whether the direction of `p` from the origin lies in the sweep.
    fn contains(self, p: [f32; 2]) -> bool {
        let low = self.start.min(self.end());
        self.full || (p[1].atan2(p[0]) - low).rem_euclid(TAU) <= self.turn.abs()
    }
}

impl ShapeKind {
    /// Default segment count for a round shape of this radius, pyglet's rule
    /// max(14, int(r / 1.25)).
    pub fn segments_for(radius: f32) -> u32 {
        // `as` truncates towards zero like Python's int() and maps NaN and
        // negative values to 0.
        ((radius / PIXELS_PER_DEFAULT_SEGMENT) as u32).max(MIN_DEFAULT_SEGMENTS)
    }

    /// Checks the geometry: finite numbers, non-negative sizes, enough
    /// segments, points and spikes, and vertex and index counts that fit
    /// `u32`. Zero sizes are allowed; they tessellate to triangles of no area.
    /// Sector and arc segments may each turn at most 180 degrees.
    pub fn check(&self) -> Result<(), GeometryError> {
        match self {
            Self::Rectangle { width, height } => sizes(&[*width, *height])?,
            Self::BorderedRectangle {
                width,
                height,
                border,
            } => sizes(&[*width, *height, *border])?,
            Self::Circle { radius, segments } => {
                sizes(&[*radius])?;
                enough_segments(*segments, MIN_RING_SEGMENTS)?;
            }
            Self::Ellipse { a, b, segments } => {
                sizes(&[*a, *b])?;
                enough_segments(*segments, MIN_RING_SEGMENTS)?;
            }
            Self::Sector {
                radius,
                angle,
                start_angle,
                segments,
            } => {
                finite(&[*angle, *start_angle])?;
                sizes(&[*radius])?;
                enough_segments(*segments, min_sweep_segments(*angle))?;
            }
            Self::Arc {
                radius,
                thickness,
                angle,
                start_angle,
                segments,
                ..
            } => {
                finite(&[*angle, *start_angle])?;
                sizes(&[*radius, *thickness])?;
                enough_segments(*segments, min_sweep_segments(*angle))?;
            }
            Self::Line { dx, dy, width } => {
                finite(&[*dx, *dy])?;
                sizes(&[*width])?;
            }
            Self::Triangle { points } => finite(points.as_flattened())?,
            Self::Polygon { points } => {
                if points.len() < MIN_POLYGON_POINTS as usize {
                    return Err(GeometryError::TooFewPoints {
                        min: MIN_POLYGON_POINTS,
                    });
                }
                finite(points.as_flattened())?;
            }
            Self::Star {
                outer_radius,
                inner_radius,
                spikes,
            } => {
                sizes(&[*outer_radius, *inner_radius])?;
                if *spikes < MIN_STAR_SPIKES {
                    return Err(GeometryError::TooFewSpikes {
                        min: MIN_STAR_SPIKES,
                    });
                }
            }
        }
        let (vertices, indices) = self.raw_counts();
        if vertices > MAX_COUNT || indices > MAX_COUNT {
            return Err(GeometryError::TooManyVertices);
        }
        Ok(())
    }

    /// The first vertex of its tessellation that takes the second colour (a bordered
    /// rectangle's border: every vertex from there on does, none before), without
    /// tessellating; `None` for kinds of one colour.
    pub fn first_border_vertex(&self) -> Option<usize> {
        match self {
            Self::BorderedRectangle { .. } => Some(BORDER_INNER_BASE as usize),
            _ => None,
        }
    }

    /// (vertices, indices) that [`tessellate`](Self::tessellate) produces,
    /// without producing them; (0, 0) for a kind that fails
    /// [`check`](Self::check), matching the empty mesh it tessellates to.
    /// A polygon always counts n vertices and n - 2 triangles, some of zero
    /// area where points are collinear.
    pub fn counts(&self) -> (usize, usize) {
        self.checked_counts().unwrap_or((0, 0))
    }

    /// Clears `out` and fills it with this shape's triangles. A kind that
    /// fails [`check`](Self::check) leaves `out` empty. Allocates nothing
    /// when `out`'s vectors already hold [`counts`](Self::counts).
    pub fn tessellate(&self, out: &mut Mesh) {
        out.clear();
        let Some((vertices, indices)) = self.checked_counts() else {
            return;
        };
        out.positions.reserve(vertices);
        out.border.reserve(vertices);
        out.indices.reserve(indices);
        match self {
            Self::Rectangle { width, height } => {
                for corner in rectangle_corners(*width, *height) {
                    out.push(corner);
                }
                out.quad(0);
            }
            Self::BorderedRectangle {
                width,
                height,
                border,
            } => tessellate_bordered_rectangle(out, *width, *height, *border),
            Self::Circle { radius, segments } => {
                out.push(ORIGIN);
                for k in 0..*segments {
                    out.push(polar(*radius, TAU * k as f32 / *segments as f32));
                }
                out.closed_fan(*segments);
            }
            Self::Ellipse { a, b, segments } => {
                out.push(ORIGIN);
                for k in 0..*segments {
                    let [x, y] = polar(1.0, TAU * k as f32 / *segments as f32);
                    out.push([a * x, b * y]);
                }
                out.closed_fan(*segments);
            }
            Self::Sector {
                radius,
                angle,
                start_angle,
                segments,
            } => {
                let sweep = Sweep::new(*start_angle, *angle);
                out.push(ORIGIN);
                for k in 0..=*segments {
                    out.push(polar(*radius, sweep.at(k, *segments)));
                }
                for k in 1..=*segments {
                    if sweep.turn >= 0.0 {
                        out.triangle(0, k, k + 1);
                    } else {
                        out.triangle(0, k + 1, k);
                    }
                }
            }
            Self::Arc {
                radius,
                thickness,
                angle,
                start_angle,
                segments,
                closed,
            } => tessellate_arc(
                out,
                *radius,
                *thickness,
                Sweep::new(*start_angle, *angle),
                *segments,
                *closed,
            ),
            Self::Line { dx, dy, width } => {
                for corner in line_corners(ORIGIN, [*dx, *dy], *width) {
                    out.push(corner);
                }
                out.quad(0);
            }
            Self::Triangle { points } => {
                for point in points {
                    out.push(*point);
                }
                if cross(points[0], points[1], points[2]) >= 0.0 {
                    out.triangle(0, 1, 2);
                } else {
                    out.triangle(0, 2, 1);
                }
            }
            Self::Polygon { points } => {
                for point in points {
                    out.push(*point);
                }
                ear_clip(&out.positions, &mut out.indices);
            }
            Self::Star {
                outer_radius,
                inner_radius,
                spikes,
            } => {
                out.push(ORIGIN);
                for k in 0..2 * spikes {
                    out.push(star_vertex(*outer_radius, *inner_radius, *spikes, k));
                }
                out.closed_fan(2 * spikes);
            }
        }
        debug_assert_eq!(
            (out.positions.len(), out.indices.len()),
            (vertices, indices)
        );
        debug_assert_eq!(out.border.len(), out.positions.len());
    }

    /// Signed distance in pixels from local point `p` to the ideal shape's
    /// outline: negative inside, positive outside. Round kinds measure the
    /// true circle, sector or arc, not its polygon. A bordered rectangle
    /// measures its outer edge. The ellipse is approximated by
    /// `min(a, b) * (|(x / a, y / b)| - 1)`, which has the sign of the true
    /// distance and a magnitude between `min(a, b) / max(a, b)` times it and
    /// exactly it, so it never overstates how deep inside or far outside a
    /// point is. A closed arc takes the least of its band's and its chord
    /// band's distances: exact outside, never overstated inside.
    pub fn signed_distance(&self, p: [f32; 2]) -> f32 {
        match self {
            Self::Rectangle { width, height } | Self::BorderedRectangle { width, height, .. } => {
                let half = [width / 2.0, height / 2.0];
                box_distance(sub(p, half), half)
            }
            Self::Circle { radius, .. } => length(p) - radius,
            Self::Ellipse { a, b, .. } => ellipse_distance(p, *a, *b),
            Self::Sector {
                radius,
                angle,
                start_angle,
                ..
            } => band_distance(p, 0.0, *radius, Sweep::new(*start_angle, *angle)),
            Self::Arc {
                radius,
                thickness,
                angle,
                start_angle,
                closed,
                ..
            } => {
                let sweep = Sweep::new(*start_angle, *angle);
                let (inner, outer) = band_radii(*radius, *thickness);
                let band = band_distance(p, inner, outer, sweep);
                if *closed {
                    let (first, last) = (polar(*radius, sweep.start), polar(*radius, sweep.end()));
                    band.min(line_distance(p, last, sub(first, last), *thickness))
                } else {
                    band
                }
            }
            Self::Line { dx, dy, width } => line_distance(p, ORIGIN, [*dx, *dy], *width),
            Self::Triangle { points } => polygon_distance(p, points.len(), |k| points[k]),
            Self::Polygon { points } => polygon_distance(p, points.len(), |k| points[k]),
            Self::Star {
                outer_radius,
                inner_radius,
                spikes,
            } => polygon_distance(p, 2 * *spikes as usize, |k| {
                star_vertex(*outer_radius, *inner_radius, *spikes, k as u32)
            }),
        }
    }

    /// The largest distance between the ideal outline and the tessellated
    /// one: 0 for polygonal kinds, and for round ones the sag of one segment's
    /// chord, `r * (1 - cos(turn / 2))`, with `r` the largest radius (the
    /// outer one of an arc, the longer semi-axis of an ellipse).
    pub fn approximation_error(&self) -> f32 {
        match self {
            Self::Circle { radius, segments } => chord_sag(*radius, TAU, *segments),
            Self::Ellipse { a, b, segments } => chord_sag(a.max(*b), TAU, *segments),
            Self::Sector {
                radius,
                angle,
                segments,
                ..
            } => chord_sag(*radius, clamp_sweep(*angle).to_radians(), *segments),
            Self::Arc {
                radius,
                thickness,
                angle,
                segments,
                ..
            } => {
                let (_, outer) = band_radii(*radius, *thickness);
                chord_sag(outer, clamp_sweep(*angle).to_radians(), *segments)
            }
            _ => 0.0,
        }
    }

    /// The counts as `usize`, or `None` when the geometry fails the check.
    fn checked_counts(&self) -> Option<(usize, usize)> {
        self.check().ok()?;
        let (vertices, indices) = self.raw_counts();
        Some((
            usize::try_from(vertices).ok()?,
            usize::try_from(indices).ok()?,
        ))
    }

    /// Vertex and index counts in `u64`, which no valid or invalid input
    /// overflows.
    fn raw_counts(&self) -> (u64, u64) {
        match self {
            Self::Rectangle { .. } | Self::Line { .. } => (QUAD_VERTICES, QUAD_INDICES),
            Self::BorderedRectangle { .. } => (BORDERED_VERTICES, BORDERED_INDICES),
            Self::Circle { segments, .. } | Self::Ellipse { segments, .. } => {
                (1 + u64::from(*segments), 3 * u64::from(*segments))
            }
            Self::Sector { segments, .. } => (2 + u64::from(*segments), 3 * u64::from(*segments)),
            Self::Arc {
                segments, closed, ..
            } => {
                let chord = u64::from(*closed);
                (
                    2 * (u64::from(*segments) + 1) + chord * QUAD_VERTICES,
                    6 * u64::from(*segments) + chord * QUAD_INDICES,
                )
            }
            Self::Triangle { .. } => (3, 3),
            Self::Polygon { points } => {
                let n = points.len() as u64;
                (n, 3 * n.saturating_sub(2))
            }
            Self::Star { spikes, .. } => (1 + 2 * u64::from(*spikes), 6 * u64::from(*spikes)),
        }
    }
}

/// Fails unless every value is finite.
fn finite(values: &[f32]) -> Result<(), GeometryError> {
    if values.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(GeometryError::NotFinite)
    }
}

/// Fails unless every size is finite and non-negative.
fn sizes(values: &[f32]) -> Result<(), GeometryError> {
    finite(values)?;
    if values.iter().all(|v| *v >= 0.0) {
        Ok(())
    } else {
        Err(GeometryError::NegativeSize)
    }
}

/// Fails when `segments` is below `min`.
fn enough_segments(segments: u32, min: u32) -> Result<(), GeometryError> {
    if segments >= min {
        Ok(())
    } else {
        Err(GeometryError::TooFewSegments { min })
    }
}

/// A sweep in degrees, clamped to one full turn either way.
fn clamp_sweep(angle_degrees: f32) -> f32 {
    angle_degrees.clamp(-FULL_TURN_DEGREES, FULL_TURN_DEGREES)
}

/// The fewest segments that sweep `angle_degrees` with no segment turning
/// more than [`MAX_SEGMENT_TURN_DEGREES`].
fn min_sweep_segments(angle_degrees: f32) -> u32 {
    let turns = (clamp_sweep(angle_degrees).abs() / MAX_SEGMENT_TURN_DEGREES).ceil();
    (turns as u32).max(MIN_SWEEP_SEGMENTS)
}

/// How far inside a circle of `radius` the chords of `sweep` radians split
/// into `segments` lie at their middle: `radius * (1 - cos(step / 2))`.
fn chord_sag(radius: f32, sweep: f32, segments: u32) -> f32 {
    let step = sweep.abs() / segments.max(1) as f32;
    radius * (1.0 - (step / 2.0).cos())
}

/// Inner and outer radius of a band `thickness` wide centred on `radius`;
/// the inner radius stops at zero.
fn band_radii(radius: f32, thickness: f32) -> (f32, f32) {
    let half = thickness / 2.0;
    ((radius - half).max(0.0), radius + half)
}

/// Corners of the rectangle `[0, width] x [0, height]`, counter-clockwise
/// from the origin.
fn rectangle_corners(width: f32, height: f32) -> [[f32; 2]; 4] {
    [[0.0, 0.0], [width, 0.0], [width, height], [0.0, height]]
}

/// Fills `out` with a bordered rectangle: vertices 0..4 are the fill's
/// corners, 4..8 the border's inner corners (the same points) and 8..12 its
/// outer corners, so no triangle mixes the two colours. Each border width is
/// clamped to half the side it narrows, so the fill shrinks to no area
/// rather than turning inside out.
fn tessellate_bordered_rectangle(out: &mut Mesh, width: f32, height: f32, border: f32) {
    let (bx, by) = (border.min(width / 2.0), border.min(height / 2.0));
    let inner = [
        [bx, by],
        [width - bx, by],
        [width - bx, height - by],
        [bx, height - by],
    ];
    for (corners, is_border) in [(inner, false), (inner, true)] {
        for corner in corners {
            out.positions.push(corner);
            out.border.push(is_border);
        }
    }
    for corner in rectangle_corners(width, height) {
        out.positions.push(corner);
        out.border.push(true);
    }
    out.quad(0);
    for side in 0..4 {
        let next = (side + 1) % 4;
        let (outer0, outer1) = (BORDER_OUTER_BASE + side, BORDER_OUTER_BASE + next);
        let (inner0, inner1) = (BORDER_INNER_BASE + side, BORDER_INNER_BASE + next);
        out.triangle(outer0, outer1, inner1);
        out.triangle(outer0, inner1, inner0);
    }
}

/// Fills `out` with an arc: `segments + 1` inner/outer vertex pairs (inner at
/// even indices) bounding `2 * segments` triangles, then, when `closed`, the
/// four corners of the chord band from the arc's end back to its start.
fn tessellate_arc(
    out: &mut Mesh,
    radius: f32,
    thickness: f32,
    sweep: Sweep,
    segments: u32,
    closed: bool,
) {
    let (inner, outer) = band_radii(radius, thickness);
    for k in 0..=segments {
        let direction = sweep.at(k, segments);
        out.push(polar(inner, direction));
        out.push(polar(outer, direction));
    }
    for k in 0..segments {
        let (inner0, outer0, inner1, outer1) = (2 * k, 2 * k + 1, 2 * k + 2, 2 * k + 3);
        if sweep.turn >= 0.0 {
            out.triangle(inner0, outer0, outer1);
            out.triangle(inner0, outer1, inner1);
        } else {
            out.triangle(inner0, outer1, outer0);
            out.triangle(inner0, inner1, outer1);
        }
    }
    if closed {
        let base = out.positions.len() as u32;
        let (first, last) = (polar(radius, sweep.start), polar(radius, sweep.end()));
        for corner in line_corners(last, sub(first, last), thickness) {
            out.push(corner);
        }
        out.quad(base);
    }
}

/// Vertex `k` of a star's outline: even ones are spike tips, odd ones the
/// notches between, `k * 180 / spikes` degrees from +x.
fn star_vertex(outer_radius: f32, inner_radius: f32, spikes: u32, k: u32) -> [f32; 2] {
    let radius = if k % 2 == 0 {
        outer_radius
    } else {
        inner_radius
    };
    polar(radius, k as f32 * PI / spikes.max(1) as f32)
}

/// Corners, counter-clockwise, of the band `width` wide centred on the
/// segment from `start` to `start + delta`, with square ends.
fn line_corners(start: [f32; 2], delta: [f32; 2], width: f32) -> [[f32; 2]; 4] {
    let along = direction(delta);
    let half = width / 2.0;
    let across = [-along[1] * half, along[0] * half];
    let end = add(start, delta);
    [
        sub(start, across),
        sub(end, across),
        add(end, across),
        add(start, across),
    ]
}

/// Triangulates the simple polygon `positions` into `indices` by ear
/// clipping: exactly n - 2 counter-clockwise triangles, zero-area ones where
/// points are collinear.
///
/// The ring of vertices still to clip, counter-clockwise, lives in the tail
/// of `indices`: after `k` ears the front holds their `3k` indices and the
/// ring its `n - k` vertices from slot `2n - 6 + k`. Once the next ear's
/// middle vertex leaves the ring, its three indices fit in front of it, as
/// `3k + 3 <= 2n - 5 + k` while `n - k >= 4`. When three vertices remain
/// they start at slot `3(n - 3)` and are the last triangle, in place. Each
/// ear costs a linear scan, so the whole is quadratic for ordinary outlines
/// and cubic at worst. Should no strict ear be found (repeated or touching
/// points), the first convex corner is clipped.
fn ear_clip(positions: &[[f32; 2]], indices: &mut Vec<u32>) {
    let n = positions.len();
    if n < MIN_POLYGON_POINTS as usize {
        return;
    }
    let total = 3 * (n - 2);
    indices.resize(total, 0);
    let counter_clockwise = twice_signed_area(positions) >= 0.0;
    let mut ring_start = total - n;
    for (slot, entry) in indices[ring_start..].iter_mut().enumerate() {
        let vertex = if counter_clockwise {
            slot
        } else {
            n - 1 - slot
        };
        *entry = vertex as u32;
    }
    let mut written = 0;
    let mut cursor = 0;
    while total - ring_start > 3 {
        let ring = &indices[ring_start..];
        let m = ring.len();
        let mut slots = (0..m).map(|step| (cursor + step) % m);
        let ear = slots
            .clone()
            .find(|&slot| is_ear(positions, ring, slot))
            .or_else(|| slots.find(|&slot| corner_cross(positions, ring, slot) >= 0.0))
            .unwrap_or(cursor);
        let triangle = [ring[(ear + m - 1) % m], ring[ear], ring[(ear + 1) % m]];
        indices.copy_within(ring_start..ring_start + ear, ring_start + 1);
        ring_start += 1;
        indices[written..written + 3].copy_from_slice(&triangle);
        written += 3;
        cursor = if ear == 0 { m - 2 } else { ear - 1 };
    }
    debug_assert_eq!(written, ring_start);
}

/// Cross product at ring slot `slot` of its previous, own and next vertex:
/// positive where the ring turns left (convex, for a counter-clockwise ring).
fn corner_cross(positions: &[[f32; 2]], ring: &[u32], slot: usize) -> f64 {
    let m = ring.len();
    let vertex = |s: usize| positions[ring[s % m] as usize];
    cross(vertex(slot + m - 1), vertex(slot), vertex(slot + 1))
}

/// Whether ring slot `slot` is an ear: a convex (or straight) corner whose
/// triangle holds no other ring vertex, edges included.
fn is_ear(positions: &[[f32; 2]], ring: &[u32], slot: usize) -> bool {
    if corner_cross(positions, ring, slot) < 0.0 {
        return false;
    }
    let m = ring.len();
    let (prev, next) = ((slot + m - 1) % m, (slot + 1) % m);
    let [a, b, c] = [prev, slot, next].map(|s| positions[ring[s] as usize]);
    ring.iter().enumerate().all(|(s, &vertex)| {
        s == prev
            || s == slot
            || s == next
            || !touches_triangle(positions[vertex as usize], a, b, c)
    })
}

/// Whether `p` lies in or on the counter-clockwise (or flat) triangle `a`,
/// `b`, `c`. The bounding-box test keeps a flat triangle to its own segment.
fn touches_triangle(p: [f32; 2], a: [f32; 2], b: [f32; 2], c: [f32; 2]) -> bool {
    let within = |axis: usize| {
        let (lo, hi) = (
            a[axis].min(b[axis]).min(c[axis]),
            a[axis].max(b[axis]).max(c[axis]),
        );
        (lo..=hi).contains(&p[axis])
    };
    within(0)
        && within(1)
        && cross(a, b, p) >= 0.0
        && cross(b, c, p) >= 0.0
        && cross(c, a, p) >= 0.0
}

/// Twice the signed area of the outline `points`: positive when it winds
/// counter-clockwise.
fn twice_signed_area(points: &[[f32; 2]]) -> f64 {
    points
        .windows(2)
        .skip(1)
        .map(|pair| cross(points[0], pair[0], pair[1]))
        .sum()
}

/// Cross product of `a - o` and `b - o`, in `f64` so that the ear tests
/// decide consistently.
fn cross(o: [f32; 2], a: [f32; 2], b: [f32; 2]) -> f64 {
    let [ox, oy] = o.map(f64::from);
    let [ax, ay] = a.map(f64::from);
    let [bx, by] = b.map(f64::from);
    (ax - ox) * (by - oy) - (ay - oy) * (bx - ox)
}

/// Signed distance to the box of half extents `half` centred on the origin.
fn box_distance(q: [f32; 2], half: [f32; 2]) -> f32 {
    let dx = q[0].abs() - half[0];
    let dy = q[1].abs() - half[1];
    dx.max(0.0).hypot(dy.max(0.0)) + dx.max(dy).min(0.0)
}

/// Signed distance to the band `width` wide centred on the segment from
/// `start` to `start + delta`, with square ends.
fn line_distance(p: [f32; 2], start: [f32; 2], delta: [f32; 2], width: f32) -> f32 {
    let along = direction(delta);
    let half_length = length(delta) / 2.0;
    let q = sub(p, start);
    let local = [dot(q, along) - half_length, dot(q, [-along[1], along[0]])];
    box_distance(local, [half_length, width / 2.0])
}

/// The ellipse distance documented on [`ShapeKind::signed_distance`]; a flat
/// ellipse is the segment it collapses to.
fn ellipse_distance(p: [f32; 2], a: f32, b: f32) -> f32 {
    if a <= 0.0 || b <= 0.0 {
        return segment_distance(p, [-a, -b], [a, b]);
    }
    a.min(b) * ((p[0] / a).hypot(p[1] / b) - 1.0)
}

/// Exact signed distance to the part of the annulus `inner..=outer` within
/// `sweep`; a sector is the band with no inner radius.
fn band_distance(p: [f32; 2], inner: f32, outer: f32, sweep: Sweep) -> f32 {
    let radius = length(p);
    if sweep.full {
        return if inner > 0.0 {
            (radius - outer).max(inner - radius)
        } else {
            radius - outer
        };
    }
    let end_edge =
        |direction: f32| segment_distance(p, polar(inner, direction), polar(outer, direction));
    let edge = arc_distance(p, outer, sweep)
        .min(arc_distance(p, inner, sweep))
        .min(end_edge(sweep.start))
        .min(end_edge(sweep.end()));
    if (inner..=outer).contains(&radius) && sweep.contains(p) {
        -edge
    } else {
        edge
    }
}

/// Distance to the arc of `radius` spanning `sweep`.
fn arc_distance(p: [f32; 2], radius: f32, sweep: Sweep) -> f32 {
    if sweep.contains(p) {
        (length(p) - radius).abs()
    } else {
        let first = length(sub(p, polar(radius, sweep.start)));
        first.min(length(sub(p, polar(radius, sweep.end()))))
    }
}

/// Exact signed distance to the simple polygon of `count` vertices, inside
/// by the even-odd rule.
fn polygon_distance(p: [f32; 2], count: usize, vertex: impl Fn(usize) -> [f32; 2]) -> f32 {
    let mut distance = f32::INFINITY;
    let mut inside = false;
    for k in 0..count {
        let (a, b) = (vertex(k), vertex((k + 1) % count));
        distance = distance.min(segment_distance(p, a, b));
        if (a[1] > p[1]) != (b[1] > p[1]) {
            let crossing = a[0] + (p[1] - a[1]) * (b[0] - a[0]) / (b[1] - a[1]);
            inside ^= p[0] < crossing;
        }
    }
    if inside {
        -distance
    } else {
        distance
    }
}

/// Distance from `p` to the segment `a`..`b`.
fn segment_distance(p: [f32; 2], a: [f32; 2], b: [f32; 2]) -> f32 {
    let (ab, ap) = (sub(b, a), sub(p, a));
    let squared = dot(ab, ab);
    let t = if squared > 0.0 {
        (dot(ap, ab) / squared).clamp(0.0, 1.0)
    } else {
        0.0
    };
    length(sub(ap, [ab[0] * t, ab[1] * t]))
}

/// The unit vector along `v`, or +x for a zero vector (as pyglet's
/// `atan2(0, 0) = 0` orients a zero-length line).
fn direction(v: [f32; 2]) -> [f32; 2] {
    let len = length(v);
    if len > 0.0 {
        [v[0] / len, v[1] / len]
    } else {
        [1.0, 0.0]
    }
}

/// The point `radius` from the origin in direction `angle` radians.
fn polar(radius: f32, angle: f32) -> [f32; 2] {
    let (sin, cos) = angle.sin_cos();
    [radius * cos, radius * sin]
}

/// `a + b`.
fn add(a: [f32; 2], b: [f32; 2]) -> [f32; 2] {
    [a[0] + b[0], a[1] + b[1]]
}

/// `a - b`.
fn sub(a: [f32; 2], b: [f32; 2]) -> [f32; 2] {
    [a[0] - b[0], a[1] - b[1]]
}

/// Dot product.
fn dot(a: [f32; 2], b: [f32; 2]) -> f32 {
    a[0] * b[0] + a[1] * b[1]
}

/// Euclidean length.
fn length(v: [f32; 2]) -> f32 {
    v[0].hypot(v[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slack for `f32` rounding: pixels, or a fraction of an area.
    const EPS: f32 = 1e-3;

    /// A rectangle.
    fn rect(width: f32, height: f32) -> ShapeKind {
        ShapeKind::Rectangle { width, height }
    }

    /// A bordered rectangle.
    fn bordered(width: f32, height: f32, border: f32) -> ShapeKind {
        ShapeKind::BorderedRectangle {
            width,
            height,
            border,
        }
    }

    /// A circle.
    fn circle(radius: f32, segments: u32) -> ShapeKind {
        ShapeKind::Circle { radius, segments }
    }

    /// An ellipse.
    fn ellipse(a: f32, b: f32, segments: u32) -> ShapeKind {
        ShapeKind::Ellipse { a, b, segments }
    }

    /// A sector.
    fn sector(radius: f32, angle: f32, start_angle: f32, segments: u32) -> ShapeKind {
        ShapeKind::Sector {
            radius,
            angle,
            start_angle,
            segments,
        }
    }

    /// An arc.
    fn arc(radius: f32, thickness: f32, angle: f32, start: f32, n: u32, closed: bool) -> ShapeKind {
        let start_angle = start;
        ShapeKind::Arc {
            radius,
            thickness,
            angle,
            start_angle,
            segments: n,
            closed,
        }
    }

    /// A line.
    fn line(dx: f32, dy: f32, width: f32) -> ShapeKind {
        ShapeKind::Line { dx, dy, width }
    }

    /// A star.
    fn star(outer_radius: f32, inner_radius: f32, spikes: u32) -> ShapeKind {
        ShapeKind::Star {
            outer_radius,
            inner_radius,
            spikes,
        }
    }

    /// A polygon.
    fn polygon(points: Vec<[f32; 2]>) -> ShapeKind {
        ShapeKind::Polygon { points }
    }

    /// Points from a flat list of coordinates.
    fn points(xy: &[i16]) -> Vec<[f32; 2]> {
        xy.chunks(2).map(|p| [p[0].into(), p[1].into()]).collect()
    }

    /// A concave L, counter-clockwise.
    fn l_shape() -> Vec<[f32; 2]> {
        points(&[0, 0, 20, 0, 20, 10, 10, 10, 10, 20, 0, 20])
    }

    /// A five-pointed star outline as a plain polygon, with uneven spikes.
    fn star_ten_gon() -> Vec<[f32; 2]> {
        let radius = |k: u32| if k % 2 == 0 { 30.0 + k as f32 } else { 9.0 };
        (0..10)
            .map(|k| polar(radius(k), k as f32 * PI / 5.0))
            .collect()
    }

    /// `points` in the opposite winding.
    fn reversed(mut points: Vec<[f32; 2]>) -> Vec<[f32; 2]> {
        points.reverse();
        points
    }

    /// Valid shapes of every kind, with ordinary and edge-case parameters.
    fn samples() -> Vec<ShapeKind> {
        vec![
            rect(100.0, 50.0),
            rect(0.0, 5.0),
            bordered(100.0, 50.0, 5.0),
            bordered(30.0, 20.0, 15.0),
            circle(40.0, ShapeKind::segments_for(40.0)),
            circle(3.0, 3),
            circle(250.0, 200),
            ellipse(60.0, 20.0, 48),
            ellipse(10.0, 35.0, 7),
            sector(50.0, 90.0, 30.0, 12),
            sector(50.0, -250.0, 10.0, 20),
            sector(20.0, 360.0, 0.0, 14),
            sector(20.0, 270.0, -45.0, 2),
            sector(15.0, 400.0, 0.0, 16),
            arc(60.0, 8.0, 270.0, 45.0, 30, false),
            arc(60.0, 8.0, -120.0, 0.0, 10, true),
            arc(30.0, 4.0, 360.0, 0.0, 24, false),
            arc(5.0, 14.0, 200.0, 0.0, 16, true),
            arc(20.0, 3.0, -720.0, 30.0, 20, true),
            line(80.0, 30.0, 6.0),
            line(-10.0, 0.0, 1.0),
            line(0.0, 0.0, 4.0),
            ShapeKind::Triangle {
                points: [[0.0, 0.0], [40.0, 0.0], [10.0, 30.0]],
            },
            ShapeKind::Triangle {
                points: [[0.0, 0.0], [10.0, 30.0], [40.0, 0.0]],
            },
            polygon(l_shape()),
            polygon(reversed(l_shape())),
            polygon(star_ten_gon()),
            polygon(reversed(star_ten_gon())),
            star(50.0, 20.0, 5),
            star(10.0, 30.0, 2),
        ]
    }

    /// `kind` tessellated into a fresh mesh.
    fn mesh(kind: &ShapeKind) -> Mesh {
        let mut out = Mesh::default();
        kind.tessellate(&mut out);
        out
    }

    /// Corners of triangle `t`.
    fn corners(mesh: &Mesh, t: usize) -> [[f32; 2]; 3] {
        [0, 1, 2].map(|k| mesh.positions[mesh.indices[3 * t + k] as usize])
    }

    /// Every triangle's corners.
    fn triangles(mesh: &Mesh) -> impl Iterator<Item = [[f32; 2]; 3]> + '_ {
        (0..mesh.indices.len() / 3).map(|t| corners(mesh, t))
    }

    /// Signed area of a triangle, positive when counter-clockwise.
    fn area(t: [[f32; 2]; 3]) -> f32 {
        cross(t[0], t[1], t[2]) as f32 / 2.0
    }

    /// Sum of the triangles' signed areas.
    fn total_area(mesh: &Mesh) -> f32 {
        triangles(mesh).map(area).sum()
    }

    /// Area enclosed by an outline, by the shoelace formula.
    fn shoelace(points: &[[f32; 2]]) -> f32 {
        (twice_signed_area(points) / 2.0).abs() as f32
    }

    /// Points inside a triangle: its centroid and one near each corner.
    fn interior_samples(t: [[f32; 2]; 3]) -> [[f32; 2]; 4] {
        let mix = |w: [f32; 3]| [0, 1].map(|i| w[0] * t[0][i] + w[1] * t[1][i] + w[2] * t[2][i]);
        let third = 1.0 / 3.0;
        [
            [third; 3],
            [0.8, 0.1, 0.1],
            [0.1, 0.8, 0.1],
            [0.1, 0.1, 0.8],
        ]
        .map(mix)
    }

    #[test]
    fn counts_match_the_tessellated_lengths_for_every_kind() {
        for kind in samples() {
            let out = mesh(&kind);
            assert!(!out.indices.is_empty(), "{kind:?}");
            assert_eq!(
                kind.counts(),
                (out.positions.len(), out.indices.len()),
                "{kind:?}"
            );
            assert_eq!(out.border.len(), out.positions.len(), "{kind:?}");
        }
    }

    #[test]
    fn every_index_is_in_range_and_every_triangle_is_counter_clockwise() {
        for kind in samples() {
            let out = mesh(&kind);
            assert_eq!(out.indices.len() % 3, 0);
            let vertices = out.positions.len();
            assert!(
                out.indices.iter().all(|&i| (i as usize) < vertices),
                "{kind:?}"
            );
            assert!(triangles(&out).all(|t| area(t) >= -EPS), "{kind:?}");
        }
    }

    #[test]
    fn every_vertex_lies_on_or_inside_the_ideal_outline() {
        for kind in samples() {
            let limit = kind.approximation_error() + EPS;
            for &p in &mesh(&kind).positions {
                assert!(kind.signed_distance(p) <= limit, "{kind:?} at {p:?}");
            }
        }
    }

    #[test]
    fn every_triangle_lies_inside_the_ideal_shape() {
        for kind in samples() {
            let limit = kind.approximation_error() + EPS;
            for p in triangles(&mesh(&kind)).flat_map(interior_samples) {
                assert!(kind.signed_distance(p) < limit, "{kind:?} at {p:?}");
            }
        }
    }

    #[test]
    fn the_triangles_cover_the_ideal_shape_up_to_the_approximation_error() {
        const GRID: u16 = 40;
        for kind in samples() {
            let out = mesh(&kind);
            let (mut lo, mut hi) = ([f32::MAX; 2], [f32::MIN; 2]);
            for p in &out.positions {
                lo = [lo[0].min(p[0]), lo[1].min(p[1])];
                hi = [hi[0].max(p[0]), hi[1].max(p[1])];
            }
            let depth = -(kind.approximation_error() + 0.05);
            let at = |i: usize, k: u16| lo[i] + (hi[i] - lo[i]) * f32::from(k) / f32::from(GRID);
            for p in (0..=GRID).flat_map(|i| (0..=GRID).map(move |j| [at(0, i), at(1, j)])) {
                if kind.signed_distance(p) < depth {
                    let covered = triangles(&out).any(|[a, b, c]| {
                        [(a, b), (b, c), (c, a)]
                            .iter()
                            .all(|e| cross(e.0, e.1, p) >= -EPS as f64)
                    });
                    assert!(covered, "{kind:?}: {p:?} is inside but not covered");
                }
            }
        }
    }

    #[test]
    fn polygonal_kinds_have_exactly_their_outline_area() {
        use ShapeKind::*;
        for kind in samples() {
            let expected = match &kind {
                Rectangle { width, height } | BorderedRectangle { width, height, .. } => {
                    width * height
                }
                Line { dx, dy, width } => dx.hypot(*dy) * width,
                Triangle { points } => shoelace(points),
                Polygon { points } => shoelace(points),
                Star {
                    outer_radius,
                    inner_radius,
                    spikes,
                } => {
                    let s = *spikes as f32;
                    s * outer_radius * inner_radius * (PI / s).sin()
                }
                _ => continue,
            };
            let got = total_area(&mesh(&kind));
            assert!(
                (got - expected).abs() <= EPS * expected.max(1.0),
                "{kind:?}: {got}"
            );
        }
    }

    #[test]
    fn round_kinds_match_their_inscribed_and_ideal_areas() {
        use ShapeKind::*;
        for kind in samples() {
            // (area of the inscribed polygon, ideal area, a bound on the ideal perimeter)
            let (inscribed, ideal, perimeter) = match &kind {
                Circle {
                    radius: r,
                    segments,
                } => {
                    let n = *segments as f32;
                    (n / 2.0 * r * r * (TAU / n).sin(), PI * r * r, TAU * r)
                }
                Ellipse { a, b, segments } => {
                    let n = *segments as f32;
                    (
                        n / 2.0 * a * b * (TAU / n).sin(),
                        PI * a * b,
                        TAU * a.max(*b),
                    )
                }
                Sector {
                    radius: r,
                    angle,
                    segments,
                    ..
                } => {
                    let (w, n) = (angle.abs().min(360.0).to_radians(), *segments as f32);
                    (
                        n / 2.0 * r * r * (w / n).sin(),
                        w / 2.0 * r * r,
                        (w + 2.0) * r,
                    )
                }
                Arc {
                    radius,
                    thickness: t,
                    angle,
                    segments,
                    closed,
                    ..
                } => {
                    let (w, n) = (angle.abs().min(360.0).to_radians(), *segments as f32);
                    let (inner, outer) = band_radii(*radius, *t);
                    let ring = outer * outer - inner * inner;
                    let chord = if *closed {
                        2.0 * radius * (w / 2.0).sin().abs() * t
                    } else {
                        0.0
                    };
                    let perimeter = (outer + inner) * w + 2.0 * t;
                    (
                        n / 2.0 * ring * (w / n).sin() + chord,
                        w / 2.0 * ring + chord,
                        perimeter,
                    )
                }
                _ => continue,
            };
            let got = total_area(&mesh(&kind));
            assert!(
                (got - inscribed).abs() <= EPS * ideal,
                "{kind:?}: {got} vs {inscribed}"
            );
            let slack = perimeter * kind.approximation_error() + EPS * ideal;
            assert!(
                got <= ideal * (1.0 + EPS) && ideal - got <= slack,
                "{kind:?}: {got}"
            );
        }
    }

    #[test]
    fn a_circle_has_a_centre_and_one_rim_vertex_per_segment() {
        let out = mesh(&circle(10.0, 16));
        assert_eq!((out.positions.len(), out.indices.len()), (17, 48));
        assert_eq!(out.positions[..2], [ORIGIN, [10.0, 0.0]]);
        assert!(out.positions[1..]
            .iter()
            .all(|p| (length(*p) - 10.0).abs() < EPS));
        assert!(out.border.iter().all(|b| !b));
    }

    #[test]
    fn a_star_points_its_first_spike_along_positive_x() {
        let out = mesh(&star(10.0, 4.0, 5));
        assert_eq!((out.positions.len(), out.indices.len()), (11, 30));
        assert_eq!(out.positions[1], [10.0, 0.0]);
        assert!(length(sub(out.positions[2], polar(4.0, PI / 5.0))) < EPS);
    }

    #[test]
    fn a_sector_sweeps_counter_clockwise_from_its_start_angle_and_back_when_negative() {
        let out = mesh(&sector(10.0, 90.0, 90.0, 4));
        assert!(length(sub(out.positions[1], [0.0, 10.0])) < EPS);
        assert!(length(sub(out.positions[5], [-10.0, 0.0])) < EPS);
        let out = mesh(&sector(10.0, -90.0, 90.0, 4));
        assert!(length(sub(out.positions[5], [10.0, 0.0])) < EPS);
        assert!(triangles(&out).all(|t| area(t) > 0.0));
    }

    #[test]
    fn an_arc_band_is_centred_on_its_radius() {
        let out = mesh(&arc(20.0, 4.0, 180.0, 0.0, 8, false));
        assert_eq!((out.positions.len(), out.indices.len()), (18, 48));
        assert_eq!(out.positions[..2], [[18.0, 0.0], [22.0, 0.0]]);
        for (k, p) in out.positions.iter().enumerate() {
            let radius = if k % 2 == 0 { 18.0 } else { 22.0 };
            assert!((length(*p) - radius).abs() < EPS, "vertex {k} at {p:?}");
        }
    }

    #[test]
    fn a_closed_arc_adds_a_chord_band_joining_its_ends() {
        let open = mesh(&arc(20.0, 4.0, 90.0, 0.0, 8, false));
        let kind = arc(20.0, 4.0, 90.0, 0.0, 8, true);
        let closed = mesh(&kind);
        assert_eq!(closed.positions.len(), open.positions.len() + 4);
        assert_eq!(closed.indices.len(), open.indices.len() + 6);
        let (first, last, across) = ([20.0, 0.0], [0.0, 20.0], [2f32.sqrt(); 2]);
        let expected = [
            sub(last, across),
            sub(first, across),
            add(first, across),
            add(last, across),
        ];
        for (got, want) in closed.positions[open.positions.len()..]
            .iter()
            .zip(expected)
        {
            assert!(length(sub(*got, want)) < EPS, "{got:?} vs {want:?}");
        }
        assert!((kind.signed_distance([10.0, 10.0]) + 2.0).abs() < EPS);
    }

    #[test]
    fn a_line_is_centred_on_its_segment() {
        let out = mesh(&line(0.0, 10.0, 4.0));
        assert_eq!(out.positions, points(&[2, 0, 2, 10, -2, 10, -2, 0]));
        assert_eq!(out.indices, [0, 1, 2, 0, 2, 3]);
    }

    /// Asserts that `points` triangulates into n - 2 counter-clockwise
    /// triangles inside the outline whose areas add up to its own.
    fn assert_triangulates(points: Vec<[f32; 2]>) {
        let kind = polygon(points.clone());
        let out = mesh(&kind);
        assert_eq!(out.positions, points);
        assert_eq!(out.indices.len(), 3 * (points.len() - 2));
        let expected = shoelace(&points);
        assert!(
            (total_area(&out) - expected).abs() < EPS * expected,
            "{points:?}"
        );
        for t in triangles(&out) {
            assert!(area(t) > 0.0, "{points:?}: {t:?}");
            for p in interior_samples(t) {
                assert!(
                    kind.signed_distance(p) < 0.0,
                    "{points:?}: {t:?} leaves at {p:?}"
                );
            }
        }
    }

    #[test]
    fn a_concave_l_shape_triangulates_in_either_winding() {
        assert_triangulates(l_shape());
        assert_triangulates(reversed(l_shape()));
    }

    #[test]
    fn a_star_shaped_ten_gon_triangulates_in_either_winding() {
        assert_triangulates(star_ten_gon());
        assert_triangulates(reversed(star_ten_gon()));
    }

    #[test]
    fn collinear_repeated_or_touching_polygon_points_still_give_n_minus_two_triangles() {
        let square = points(&[0, 0, 5, 0, 10, 0, 10, 10, 5, 10, 0, 10]);
        let flat = points(&[0, 0, 1, 0, 2, 0, 3, 0]);
        let repeated = points(&[0, 0, 4, 0, 4, 0, 4, 4, 0, 4]);
        // Two triangles touching at the origin: no corner is a strict ear.
        let touching = points(&[0, 0, 2, -1, 2, 1, 0, 0, -2, 1, -2, -1]);
        for points in [square, flat, repeated, touching] {
            let kind = polygon(points.clone());
            let out = mesh(&kind);
            let n = points.len();
            assert_eq!(kind.counts(), (n, 3 * (n - 2)));
            assert_eq!(out.indices.len(), 3 * (n - 2));
            assert!(
                (total_area(&out) - shoelace(&points)).abs() < EPS,
                "{points:?}"
            );
            assert!(triangles(&out).all(|t| area(t) >= 0.0), "{points:?}");
        }
    }

    #[test]
    fn random_staircases_full_of_collinear_points_triangulate_exactly() {
        let mut state = 0x2545_f491_u32;
        let mut random = |below: u32| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state % below
        };
        for _ in 0..2_000 {
            // Columns of random heights on a bottom edge with random extra points.
            let heights: Vec<u32> = (0..1 + random(10)).map(|_| 1 + random(4)).collect();
            let width = heights.len();
            let bottom = (0..=width).filter(|&x| x == 0 || x == width || random(2) == 0);
            let mut outline: Vec<[f32; 2]> = bottom.map(|x| [x as f32, 0.0]).collect();
            for (x, &h) in heights.iter().enumerate().rev() {
                outline.extend([[x as f32 + 1.0, h as f32], [x as f32, h as f32]]);
            }
            if random(2) == 0 {
                outline.reverse();
            }
            let kind = polygon(outline.clone());
            let out = mesh(&kind);
            assert_eq!(out.indices.len(), 3 * (outline.len() - 2));
            let expected: u32 = heights.iter().sum();
            assert!(
                (total_area(&out) - expected as f32).abs() < EPS,
                "{outline:?}"
            );
            for t in triangles(&out) {
                assert!(area(t) >= 0.0, "{outline:?}: {t:?}");
                assert!(
                    kind.signed_distance(interior_samples(t)[0]) < EPS,
                    "{outline:?}: {t:?}"
                );
            }
        }
    }

    #[test]
    fn the_first_border_vertex_splits_the_border_flags_of_every_kind() {
        for kind in samples() {
            let out = mesh(&kind);
            let first = kind.first_border_vertex().unwrap_or(out.positions.len());
            let flags: Vec<bool> = (0..out.positions.len()).map(|v| v >= first).collect();
            assert_eq!(out.border, flags, "{kind:?}");
        }
    }

    #[test]
    fn a_bordered_rectangle_keeps_fill_and_border_vertices_apart() {
        let out = mesh(&bordered(100.0, 50.0, 5.0));
        assert_eq!((out.positions.len(), out.indices.len()), (12, 30));
        let inner = points(&[5, 5, 95, 5, 95, 45, 5, 45]);
        let outer = points(&[0, 0, 100, 0, 100, 50, 0, 50]);
        let flagged = |flag: bool| -> Vec<[f32; 2]> {
            let vertices = (0..12).filter(|&v| out.border[v] == flag);
            vertices.map(|v| out.positions[v]).collect()
        };
        assert_eq!(flagged(false), inner);
        assert_eq!(flagged(true), [inner, outer].concat());
        let (mut fill, mut border) = (0.0, 0.0);
        for t in 0..10 {
            let flags = [0, 1, 2].map(|k| out.border[out.indices[3 * t + k] as usize]);
            assert!(
                flags.iter().all(|&f| f == flags[0]),
                "triangle {t} mixes colours"
            );
            *(if flags[0] { &mut border } else { &mut fill }) += area(corners(&out, t));
        }
        assert!((fill - 90.0 * 40.0).abs() < EPS, "{fill}");
        assert!(
            (border - (100.0 * 50.0 - 90.0 * 40.0)).abs() < EPS,
            "{border}"
        );
    }

    #[test]
    fn a_border_wider_than_half_the_rectangle_collapses_the_fill_without_inverting_it() {
        let out = mesh(&bordered(40.0, 20.0, 15.0));
        assert_eq!(
            out.positions[..4],
            points(&[15, 10, 25, 10, 25, 10, 15, 10])
        );
        assert!(triangles(&out).all(|t| area(t) >= 0.0));
        assert!(triangles(&out).take(2).all(|t| area(t) == 0.0));
        assert!((total_area(&out) - 800.0).abs() < EPS);
    }

    /// Invalid shapes, each with the error `check` must report.
    fn invalid_kinds() -> Vec<(ShapeKind, GeometryError)> {
        use GeometryError::*;
        let nan = f32::NAN;
        vec![
            (circle(nan, 20), NotFinite),
            (line(f32::INFINITY, 0.0, 1.0), NotFinite),
            (
                ShapeKind::Triangle {
                    points: [[0.0, 0.0], [1.0, nan], [0.0, 1.0]],
                },
                NotFinite,
            ),
            (polygon(vec![[0.0, 0.0], [1.0, 0.0], [nan, 1.0]]), NotFinite),
            (sector(10.0, nan, 0.0, 10), NotFinite),
            (
                arc(10.0, 1.0, 90.0, f32::NEG_INFINITY, 10, false),
                NotFinite,
            ),
            (rect(-1.0, 5.0), NegativeSize),
            (bordered(10.0, 5.0, -1.0), NegativeSize),
            (ellipse(3.0, -2.0, 10), NegativeSize),
            (arc(10.0, -1.0, 90.0, 0.0, 10, false), NegativeSize),
            (star(-1.0, 1.0, 5), NegativeSize),
            (circle(10.0, 2), TooFewSegments { min: 3 }),
            (ellipse(3.0, 2.0, 0), TooFewSegments { min: 3 }),
            (sector(10.0, 270.0, 0.0, 1), TooFewSegments { min: 2 }),
            (
                arc(10.0, 1.0, -90.0, 0.0, 0, true),
                TooFewSegments { min: 1 },
            ),
            (polygon(points(&[0, 0, 1, 0])), TooFewPoints { min: 3 }),
            (star(5.0, 2.0, 1), TooFewSpikes { min: 2 }),
            (circle(10.0, u32::MAX), TooManyVertices),
            (
                arc(10.0, 1.0, 90.0, 0.0, u32::MAX / 2, false),
                TooManyVertices,
            ),
        ]
    }

    #[test]
    fn check_refuses_invalid_geometry_and_accepts_zero_sizes() {
        for (kind, error) in invalid_kinds() {
            assert_eq!(kind.check(), Err(error), "{kind:?}");
        }
        assert_eq!(rect(0.0, 0.0).check(), Ok(()));
        assert_eq!(circle(0.0, 3).check(), Ok(()));
        assert!(samples().iter().all(|kind| kind.check().is_ok()));
    }

    #[test]
    fn tessellating_invalid_geometry_yields_an_empty_mesh_without_panicking() {
        let mut out = mesh(&circle(5.0, 8));
        for (kind, _) in invalid_kinds() {
            kind.tessellate(&mut out);
            assert_eq!(out, Mesh::default(), "{kind:?}");
            assert_eq!(kind.counts(), (0, 0));
            let _ = (kind.signed_distance([1.0, 1.0]), kind.approximation_error());
        }
    }

    #[test]
    fn error_messages_name_the_problem() {
        let message = GeometryError::TooFewSegments { min: 3 }.to_string();
        assert_eq!(message, "shape needs at least 3 segments");
        assert!(GeometryError::NotFinite.to_string().contains("NaN"));
        let _: &dyn std::error::Error = &GeometryError::TooManyVertices;
    }

    /// Asserts `kind`'s signed distance at `p`.
    fn assert_distance(kind: &ShapeKind, p: [f32; 2], expected: f32) {
        let got = kind.signed_distance(p);
        assert!(
            (got - expected).abs() < EPS,
            "{kind:?} at {p:?}: {got}, not {expected}"
        );
    }

    #[test]
    fn signed_distance_measures_known_points_for_every_kind() {
        for kind in [rect(100.0, 50.0), bordered(100.0, 50.0, 10.0)] {
            assert_distance(&kind, [50.0, 25.0], -25.0);
            assert_distance(&kind, [150.0, 25.0], 50.0);
            assert_distance(&kind, [-3.0, -4.0], 5.0);
        }
        let kind = circle(10.0, 3);
        assert_distance(&kind, [0.0, 0.0], -10.0);
        assert_distance(&kind, [0.0, -12.0], 2.0);
        let kind = ellipse(20.0, 10.0, 20);
        assert_distance(&kind, [0.0, 0.0], -10.0);
        assert_distance(&kind, [0.0, 15.0], 5.0);
        assert_distance(&kind, [0.0, 9.0], -1.0);
        let kind = sector(10.0, 90.0, 0.0, 4);
        assert_distance(&kind, [3.0, 3.0], -3.0);
        assert_distance(&kind, [-1.0, 5.0], 1.0);
        assert_distance(&kind, [5.0, -2.0], 2.0);
        assert_distance(&kind, [20.0, 0.0], 10.0);
        let kind = sector(10.0, -90.0, 0.0, 4);
        assert_distance(&kind, [3.0, -3.0], -3.0);
        assert_distance(&kind, [3.0, 3.0], 3.0);
        let kind = arc(10.0, 2.0, 180.0, 0.0, 16, false);
        assert_distance(&kind, [0.0, 10.0], -1.0);
        assert_distance(&kind, [0.0, 0.0], 9.0);
        assert_distance(&kind, [0.0, 12.0], 1.0);
        assert_distance(&kind, [-10.0, -1.0], 1.0);
        let kind = arc(10.0, 2.0, 180.0, 0.0, 16, true);
        assert_distance(&kind, [0.0, 0.0], -1.0);
        assert_distance(&kind, [0.0, -3.0], 2.0);
        let kind = arc(10.0, 2.0, 360.0, 0.0, 16, false);
        assert_distance(&kind, [0.0, 0.0], 9.0);
        assert_distance(&kind, [-12.0, 0.0], 1.0);
        let kind = line(10.0, 0.0, 4.0);
        assert_distance(&kind, [5.0, 0.0], -2.0);
        assert_distance(&kind, [5.0, 3.0], 1.0);
        assert_distance(&kind, [-1.0, 0.0], 1.0);
        assert_distance(&line(3.0, 4.0, 2.0), [1.5, 2.0], -1.0);
        assert_distance(&line(3.0, 4.0, 2.0), [-4.0, 3.0], 4.0);
        let corners = [
            [[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]],
            [[0.0, 0.0], [0.0, 10.0], [10.0, 0.0]],
        ];
        for points in corners {
            let kind = ShapeKind::Triangle { points };
            assert_distance(&kind, [1.0, 1.0], -1.0);
            assert_distance(&kind, [-1.0, 5.0], 1.0);
        }
        for kind in [polygon(l_shape()), polygon(reversed(l_shape()))] {
            assert_distance(&kind, [5.0, 5.0], -5.0);
            assert_distance(&kind, [15.0, 5.0], -5.0);
            assert_distance(&kind, [15.0, 15.0], 5.0);
            assert_distance(&kind, [25.0, 15.0], 50f32.sqrt());
        }
        let kind = star(10.0, 5.0, 5);
        assert_distance(&kind, [-5.0, 0.0], 0.0);
        // Beyond the notch at 180 degrees, 4 px from it along x.
        let spike_edge = sub(polar(10.0, 0.8 * PI), [-5.0, 0.0]);
        assert_distance(&kind, [-9.0, 0.0], 4.0 * spike_edge[1] / length(spike_edge));
        assert!(kind.signed_distance([9.0, 0.0]) < 0.0 && kind.signed_distance([0.0, 0.0]) < -3.0);
    }

    #[test]
    fn the_ellipse_distance_has_the_true_sign_and_never_overstates() {
        let (a, b) = (30.0f32, 10.0f32);
        let kind = ellipse(a, b, 32);
        let outline: Vec<[f32; 2]> = (0..20_000)
            .map(|k| polar(1.0, TAU * k as f32 / 20_000.0))
            .map(|[x, y]| [a * x, b * y])
            .collect();
        for p in points(&[0, 0, 29, 0, 31, 0, 40, 20, 10, 9, -5, -12, 0, 50]) {
            let truth = outline
                .iter()
                .map(|q| length(sub(p, *q)))
                .fold(f32::MAX, f32::min);
            let got = kind.signed_distance(p);
            assert_eq!(got < 0.0, (p[0] / a).hypot(p[1] / b) < 1.0, "{p:?}");
            assert!(got.abs() <= truth + 0.01, "{p:?}: {got} overstates {truth}");
            assert!(got.abs() >= truth * b / a - 0.01, "{p:?}: {got} vs {truth}");
        }
    }

    #[test]
    fn tessellating_again_reuses_the_mesh_buffers() {
        let buffers = |m: &Mesh| {
            let positions = (m.positions.as_ptr(), m.positions.capacity());
            let indices = (m.indices.as_ptr(), m.indices.capacity());
            (positions, indices, (m.border.as_ptr(), m.border.capacity()))
        };
        for kind in samples() {
            let mut out = mesh(&kind);
            let before = buffers(&out);
            kind.tessellate(&mut out);
            assert_eq!(buffers(&out), before, "{kind:?}");
        }
        let mut out = mesh(&circle(100.0, 100));
        let before = buffers(&out);
        for kind in samples()
            .iter()
            .filter(|k| k.counts().0 <= 101 && k.counts().1 <= 300)
        {
            kind.tessellate(&mut out);
            assert_eq!(buffers(&out), before, "{kind:?}");
        }
    }

    #[test]
    fn default_segment_counts_follow_pyglets_rule() {
        assert_eq!(ShapeKind::segments_for(10.0), 14);
        assert_eq!(ShapeKind::segments_for(100.0), 80);
        assert_eq!(ShapeKind::segments_for(101.2), 80);
        assert_eq!(ShapeKind::segments_for(f32::NAN), 14);
        assert_eq!(ShapeKind::segments_for(-5.0), 14);
    }

    #[test]
    fn approximation_error_is_the_chord_sag_of_one_segment() {
        let sag = 10.0 * (1.0 - (PI / 4.0).cos());
        assert!((circle(10.0, 4).approximation_error() - sag).abs() < EPS);
        assert!((sector(10.0, -90.0, 0.0, 1).approximation_error() - sag).abs() < EPS);
        assert!((arc(9.0, 2.0, 90.0, 0.0, 1, true).approximation_error() - sag).abs() < EPS);
        assert_eq!(polygon(l_shape()).approximation_error(), 0.0);
    }
}
