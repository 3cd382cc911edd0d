//! The scene's view, in one uniform block that every program of the scene reads, and any
//! program of a game's own can read too ([`VIEW_GLSL`],
//! [`Scene::share_view`](super::Scene::share_view)): a camera change writes the block once,
//! and no program's uniforms are pushed by hand.
//!
//! The block holds two maps to clip space, as pairs of `vec4` (std140 lays those out with no
//! padding): the world's, through the camera, and the screen's, viewport pixels with the
//! origin at the bottom left.

use super::camera::Camera;
use super::error::SceneError;
use crate::backend::UniformBuffer;

/// The uniform buffer binding point of the view block: the last of the 24 that every
/// GL 3.1, GLES 3 and WebGL2 context has, out of the way of a game's own blocks, which
/// count from 0.
pub const VIEW_BINDING: u32 = 23;

/// The name of the view block in [`VIEW_GLSL`].
pub const VIEW_BLOCK: &str = "SceneView";

/// GLSL (after the `#version` line) that declares the view block and two functions: a
/// vertex shader of a game's own group includes it, calls `world_to_clip(p)` for a point
/// that follows the camera or `screen_to_clip(p)` for one in viewport pixels, and the
/// program is bound to the scene's block once with
/// [`Scene::share_view`](super::Scene::share_view).
pub const VIEW_GLSL: &str = "
layout(std140) uniform SceneView {
    vec4 world_linear;
    vec4 world_offset;
    vec4 screen_linear;
    vec4 screen_offset;
};
vec4 scene_clip(vec2 p, vec4 linear, vec4 offset) {
    vec2 pixel = mat2(linear.xy, linear.zw) * p + offset.xy;
    return vec4(pixel * offset.zw - 1.0, 0.0, 1.0);
}
vec4 world_to_clip(vec2 world) {
    return scene_clip(world, world_linear, world_offset);
}
vec4 screen_to_clip(vec2 screen) {
    return scene_clip(screen, screen_linear, screen_offset);
}
";

/// What the block holds for `camera` over a `viewport` (width, height) in pixels: each
/// map's 2 × 2 matrix (column-major), then its offset in pixels and `2 / viewport`.
pub(crate) fn block(camera: &Camera, viewport: [f32; 2]) -> [f32; 16] {
    let view = camera.view(viewport);
    let [l0, l1, l2, l3] = view.linear;
    let [ox, oy] = view.offset;
    let [sx, sy] = [2.0 / viewport[0], 2.0 / viewport[1]];
    [
        l0, l1, l2, l3, ox, oy, sx, sy, // the world, through the camera
        1.0, 0.0, 0.0, 1.0, 0.0, 0.0, sx, sy, // the screen
    ]
}

/// Writes the block for `camera` and `viewport` into `buffer`.
pub(crate) fn write(
    buffer: &UniformBuffer,
    camera: &Camera,
    viewport: [f32; 2],
) -> Result<(), SceneError> {
    Ok(buffer.write(bytemuck::cast_slice(&block(camera, viewport)))?)
}
