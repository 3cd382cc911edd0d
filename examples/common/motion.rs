//! Sprites in motion, as the demos move them: a velocity and a spin, bouncing off the
//! viewport's edges.

use vertex_domain::scene::{Props, SpriteId};

/// One sprite in motion.
pub struct Mover {
    pub id: SpriteId,
    /// Pixels a second.
    pub velocity: [f32; 2],
    /// Degrees a second, clockwise.
    pub spin: f32,
}

impl Mover {
    /// Where a sprite with `props` goes in `dt` seconds inside a viewport of `size`: its
    /// position (turned back at an edge, where the velocity flips) and its rotation.
    pub fn step(&mut self, props: &Props, dt: f32, size: [f32; 2]) -> ((f32, f32), f32) {
        let mut position = [props.x, props.y];
        for axis in 0..2 {
            position[axis] += self.velocity[axis] * dt;
            if !(0.0..=size[axis]).contains(&position[axis]) {
                self.velocity[axis] = -self.velocity[axis];
                position[axis] = position[axis].clamp(0.0, size[axis]);
            }
        }
        ((position[0], position[1]), props.rotation + self.spin * dt)
    }
}
