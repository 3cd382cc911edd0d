//! [`Camera`]: the view of a 2D scene, pan, zoom and rotation about the viewport's centre.
//! The math is pure; a scene writes it into its view block ([`Camera::view`], and
//! `view.rs`), so that moving the camera rewrites no vertex.

/// How world coordinates (the pixels a world layer's items are placed in) map to the viewport.
///
/// The default camera maps world coordinates to viewport pixels one to one, origin at the
/// bottom left, whatever the viewport's size: resizing a window keeps pixel coordinates.
/// From there, [`pan`](Self::pan) shifts the view (a positive x pan shows what lies to the
/// right), [`zoom`](Self::zoom) scales it about the viewport's centre (2 shows everything
/// twice as large), and [`rotation`](Self::rotation) turns the picture clockwise about the
/// centre, in degrees, as sprites turn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Camera {
    /// How far the view is moved, in world units.
    pub pan: [f32; 2],
    /// Magnification about the viewport's centre; 1 is one world unit per pixel.
    pub zoom: f32,
    /// Clockwise turn of the picture about the viewport's centre, in degrees.
    pub rotation: f32,
}

impl Default for Camera {
    fn default() -> Self {
        Camera {
            pan: [0.0, 0.0],
            zoom: 1.0,
            rotation: 0.0,
        }
    }
}

/// A camera's world-to-viewport map for one viewport size: `screen = linear * world +
/// offset`, with `linear` a 2 × 2 matrix in column-major order: what the scene's view block
/// holds for the world.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    /// The 2 × 2 matrix, column-major: zoom times a clockwise rotation.
    pub linear: [f32; 4],
    /// The translation, in viewport pixels.
    pub offset: [f32; 2],
}

impl Camera {
    /// The map from world coordinates to the pixels of a `viewport` (width, height).
    pub fn view(&self, viewport: [f32; 2]) -> View {
        let (sin, cos) = self.rotation.to_radians().sin_cos();
        let z = self.zoom;
        // Clockwise: (x, y) -> (x cos + y sin, -x sin + y cos).
        let linear = [z * cos, -z * sin, z * sin, z * cos];
        let centre = [viewport[0] / 2.0, viewport[1] / 2.0];
        let from = [centre[0] + self.pan[0], centre[1] + self.pan[1]];
        let turned = apply(linear, from);
        View {
            linear,
            offset: [centre[0] - turned[0], centre[1] - turned[1]],
        }
    }

    /// Where the world point `world` appears in a `viewport`, in pixels.
    pub fn world_to_screen(&self, world: [f32; 2], viewport: [f32; 2]) -> [f32; 2] {
        let view = self.view(viewport);
        let turned = apply(view.linear, world);
        [turned[0] + view.offset[0], turned[1] + view.offset[1]]
    }

    /// The world point shown at pixel `screen` of a `viewport`: the inverse of
    /// [`world_to_screen`](Self::world_to_screen) (a zoom of 0 maps every pixel to the
    /// centre's world point).
    pub fn screen_to_world(&self, screen: [f32; 2], viewport: [f32; 2]) -> [f32; 2] {
        let (sin, cos) = self.rotation.to_radians().sin_cos();
        let centre = [viewport[0] / 2.0, viewport[1] / 2.0];
        let inverse_zoom = if self.zoom == 0.0 {
            0.0
        } else {
            1.0 / self.zoom
        };
        // The counter-clockwise turn undoes the view's clockwise one.
        let d = [
            (screen[0] - centre[0]) * inverse_zoom,
            (screen[1] - centre[1]) * inverse_zoom,
        ];
        [
            centre[0] + self.pan[0] + d[0] * cos - d[1] * sin,
            centre[1] + self.pan[1] + d[0] * sin + d[1] * cos,
        ]
    }
}

/// `m * p` for a column-major 2 × 2 matrix.
fn apply(m: [f32; 4], p: [f32; 2]) -> [f32; 2] {
    [m[0] * p[0] + m[2] * p[1], m[1] * p[0] + m[3] * p[1]]
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIEWPORT: [f32; 2] = [640.0, 480.0];

    fn near(a: [f32; 2], b: [f32; 2]) -> bool {
        (a[0] - b[0]).abs() < 1e-3 && (a[1] - b[1]).abs() < 1e-3
    }

    #[test]
    fn the_default_camera_maps_world_to_pixels_at_any_viewport_size() {
        let camera = Camera::default();
        for viewport in [VIEWPORT, [100.0, 37.0]] {
            assert_eq!(
                camera.world_to_screen([12.5, 300.0], viewport),
                [12.5, 300.0]
            );
            let view = camera.view(viewport);
            assert_eq!(
                (view.linear, view.offset),
                ([1.0, 0.0, 0.0, 1.0], [0.0, 0.0])
            );
        }
    }

    #[test]
    fn panning_right_moves_the_picture_left_and_zoom_scales_about_the_centre() {
        let pan = Camera {
            pan: [10.0, -5.0],
            ..Camera::default()
        };
        assert!(near(
            pan.world_to_screen([100.0, 100.0], VIEWPORT),
            [90.0, 105.0]
        ));
        let zoom = Camera {
            zoom: 2.0,
            ..Camera::default()
        };
        assert!(near(
            zoom.world_to_screen([320.0, 240.0], VIEWPORT),
            [320.0, 240.0]
        ));
        assert!(near(
            zoom.world_to_screen([330.0, 240.0], VIEWPORT),
            [340.0, 240.0]
        ));
    }

    #[test]
    fn rotation_turns_the_picture_clockwise_about_the_centre() {
        let camera = Camera {
            rotation: 90.0,
            ..Camera::default()
        };
        // A point above the centre turns to its right.
        assert!(near(
            camera.world_to_screen([320.0, 250.0], VIEWPORT),
            [330.0, 240.0]
        ));
    }

    #[test]
    fn screen_to_world_undoes_world_to_screen() {
        let camera = Camera {
            pan: [-40.0, 12.0],
            zoom: 0.75,
            rotation: 33.0,
        };
        for p in [[0.0, 0.0], [17.0, 400.0], [639.0, 479.0]] {
            let back = camera.screen_to_world(camera.world_to_screen(p, VIEWPORT), VIEWPORT);
            assert!(near(back, p), "{p:?} came back as {back:?}");
        }
    }
}
