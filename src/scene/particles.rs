//! [`Particle`]s: images of the scene's atlas drawn by instancing, for layers of many alike
//! (sparks, smoke, bullets, a crowd), in layers of their own (`Layer<Particles>`).
//!
//! A particle layer's domain holds one mesh, the unit quad as a triangle strip, and one
//! instance record per particle, drawn with one instanced call. The vertex shader places
//! the corners: `translation + offset + corner.x × width edge + corner.y × height edge`,
//! with the offset and edges worked out on the CPU when the rotation, scale, anchor or
//! image change, so the shader does no trigonometry. Each change writes only the record's
//! attributes that differ:
//!
//! | location | attribute     | type                 | written by                          |
//! |----------|---------------|----------------------|-------------------------------------|
//! | 0        | `corner`      | 2 × f32 (mesh)       | the layer, once                     |
//! | 1        | `translation` | 2 × f32              | moves: 8 bytes                      |
//! | 2        | `offset`      | 2 × f32              | rotation, scale, anchor, visibility, image |
//! | 3        | `axes`        | 4 × f32              | rotation, scale, anchor, visibility, image |
//! | 4        | `texels`      | 4 × u16              | image                               |
//! | 5        | `colour`      | 4 × u8, normalized   | colour, opacity                     |
//!
//! 44 bytes a particle, against 96 for a sprite's 4 vertices. The scene's setters and
//! `update` work on particles as on every kind; only the storage differs.

use std::sync::Arc;

use super::atlas::{Image, SceneAtlas};
use super::error::finite;
use super::error::SceneError;
use super::item::sealed::Common;
use super::item::{bounds_of, ItemId, Props};
use super::items::ItemStats;
use super::layer::{Layer, Particles, Uniforms};
use crate::backend::{Attribute, ComponentType, Program, VertexFormat};
use crate::batch::{Batch, BatchError, BatchInstance, BatchList, FormatId, GroupId};
use crate::domain::{DomainId, Primitive, Slots};

/// Instance attribute indices in the instance format (and their locations, one more).
const TRANSLATION: usize = 0;
const OFFSET: usize = 1;
const AXES: usize = 2;
const TEXELS: usize = 3;
const COLOUR: usize = 4;

/// The unit quad as a triangle strip: bottom left, bottom right, top left, top right.
const UNIT_STRIP: [[f32; 2]; 4] = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]];

const VERTEX_SHADER: &str = "
uniform vec2 atlas_size;
uniform int screen;
in vec2 corner;
in vec2 translation;
in vec2 offset;
in vec4 axes;
in vec4 texels;
in vec4 colour;
out vec2 v_tex_coords;
out vec4 v_colour;
void main() {
    vec2 p = translation + offset + corner.x * axes.xy + corner.y * axes.zw;
    gl_Position = screen == 1 ? screen_to_clip(p) : world_to_clip(p);
    // The image's first row (texels.y) goes at the top.
    vec2 texel = vec2(mix(texels.x, texels.z, corner.x), mix(texels.w, texels.y, corner.y));
    v_tex_coords = texel / atlas_size;
    v_colour = colour;
}";

/// An image drawn as one instance of its particle layer's quad: as a
/// [`Sprite`](super::Sprite), in a layer of particles only.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Particle {
    /// Layer, position, rotation, anchor, tint, opacity, visibility, z.
    pub props: Props<Particles>,
    /// What it shows.
    pub image: Image,
    /// Horizontal and vertical scale.
    pub scale: [f32; 2],
}

impl Particle {
    /// `image` with its bottom left corner at `(x, y)` in `layer`, unscaled, untinted,
    /// opaque.
    pub fn new(layer: Layer<Particles>, image: Image, x: f32, y: f32) -> Particle {
        Particle {
            props: Props::new(layer, x, y),
            image,
            scale: [1.0, 1.0],
        }
    }

    /// Its instance record.
    fn record(&self) -> Record {
        let p = &self.props;
        let (w, h) = self.image.size();
        let (w, h) = (w as f32, h as f32);
        let [ax, ay] = p.anchor;
        let [sx, sy] = self.scale;
        let at = |x: f32, y: f32| [ax + (x - ax) * sx, ay + (y - ay) * sy];
        let place = p.placer();
        let origin = place(at(0.0, 0.0));
        let (right, top) = (place(at(w, 0.0)), place(at(0.0, h)));
        let [tx, ty] = self.image.texel;
        let [iw, ih] = self.image.size;
        Record {
            translation: [p.x, p.y],
            offset: origin,
            axes: [
                right[0] - origin[0],
                right[1] - origin[1],
                top[0] - origin[0],
                top[1] - origin[1],
            ],
            texels: [tx, ty, tx + iw, ty + ih],
            colour: p.rgba(),
        }
    }
}

super::item::pictured!(Particle);

impl Common for Particle {
    type Holds = Particles;
    const NAME: &'static str = "particle";

    fn props(&self) -> &Props<Particles> {
        &self.props
    }

    fn props_mut(&mut self) -> &mut Props<Particles> {
        &mut self.props
    }
}

/// A particle's instance record, attribute by attribute.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Record {
    translation: [f32; 2],
    offset: [f32; 2],
    axes: [f32; 4],
    texels: [u16; 4],
    colour: [u8; 4],
}

impl Record {
    /// Writes the attributes in which it differs from `old` (all of them without one).
    fn write(
        &self,
        batch: &mut Batch,
        instance: BatchInstance,
        old: Option<&Record>,
    ) -> Result<(), BatchError> {
        let changed = |differs: &dyn Fn(&Record) -> bool| old.map_or(true, differs);
        if changed(&|o| o.translation != self.translation) {
            batch.write_instance(instance, TRANSLATION, self.translation)?;
        }
        if changed(&|o| (o.offset, o.axes) != (self.offset, self.axes)) {
            batch.write_instance(instance, OFFSET, self.offset)?;
            batch.write_instance(instance, AXES, self.axes)?;
        }
        if changed(&|o| o.texels != self.texels) {
            batch.write_instance(instance, TEXELS, self.texels)?;
        }
        if changed(&|o| o.colour != self.colour) {
            batch.write_instance(instance, COLOUR, self.colour)?;
        }
        Ok(())
    }
}

/// A live particle.
struct Entry {
    particle: Particle,
    instance: BatchInstance,
}

/// The particles of a scene: their program, formats, each layer's quad mesh, and the live
/// particles.
pub(crate) struct ParticleStore {
    program: Arc<Program>,
    uniforms: Uniforms,
    mesh_format: FormatId,
    format: FormatId,
    /// The unit quad mesh of each particle layer, by group index.
    meshes: Vec<Option<BatchList>>,
    slots: Slots<Entry>,
    stats: ItemStats,
}

impl ParticleStore {
    /// The particle program, compiled for `gl`'s dialect, and its formats in `batch`.
    pub(crate) fn new(gl: &Arc<glow::Context>, batch: &mut Batch) -> Result<Self, SceneError> {
        let location = |index: usize| index as u32 + 1;
        let attributes = [
            ("corner", 0),
            ("translation", location(TRANSLATION)),
            ("offset", location(OFFSET)),
            ("axes", location(AXES)),
            ("texels", location(TEXELS)),
            ("colour", location(COLOUR)),
        ];
        let (program, uniforms) = super::vertex::build(gl, VERTEX_SHADER, &attributes)?;
        let mesh = VertexFormat::new(vec![Attribute::new("corner", 0, 2, ComponentType::F32)])
            .map_err(BatchError::from)?;
        let format = VertexFormat::new(vec![
            Attribute::new("translation", location(TRANSLATION), 2, ComponentType::F32),
            Attribute::new("offset", location(OFFSET), 2, ComponentType::F32),
            Attribute::new("axes", location(AXES), 4, ComponentType::F32),
            Attribute::new("texels", location(TEXELS), 4, ComponentType::U16),
            Attribute::new("colour", location(COLOUR), 4, ComponentType::U8).normalized(),
        ])
        .map_err(BatchError::from)?;
        Ok(ParticleStore {
            program,
            uniforms,
            mesh_format: batch.format_id(&mesh),
            format: batch.format_id(&format),
            meshes: Vec::new(),
            slots: Slots::new(DomainId::next()),
            stats: ItemStats::default(),
        })
    }

    /// The program and uniforms of a new particle layer's group.
    pub(crate) fn program(&self) -> (&Arc<Program>, &Uniforms) {
        (&self.program, &self.uniforms)
    }

    /// Gives a new particle layer its quad mesh. On error the layer has none (and the
    /// caller hides it).
    pub(crate) fn add_layer(
        &mut self,
        batch: &mut Batch,
        layer: GroupId,
    ) -> Result<(), SceneError> {
        let mesh = batch.add_mesh(
            layer,
            self.mesh_format,
            self.format,
            Primitive::TriangleStrip,
            4,
            None,
        )?;
        if let Err(error) = batch.write(mesh, 0, &UNIT_STRIP) {
            batch.delete(mesh)?;
            return Err(error.into());
        }
        let index = layer.index as usize;
        if self.meshes.len() <= index {
            self.meshes.resize(index + 1, None);
        }
        self.meshes[index] = Some(mesh);
        Ok(())
    }

    fn mesh(&self, layer: Layer<Particles>) -> Result<BatchList, SceneError> {
        match self.meshes.get(layer.group.index as usize) {
            Some(Some(mesh)) => Ok(*mesh),
            _ => Err(SceneError::UnknownLayer),
        }
    }

    fn entry(&self, id: ItemId<Particle>) -> Result<&Entry, SceneError> {
        (self.slots.get(id)).map_err(|_| SceneError::UnknownItem(Particle::NAME))
    }

    /// A live particle.
    pub(crate) fn get(&self, id: ItemId<Particle>) -> Result<&Particle, SceneError> {
        Ok(&self.entry(id)?.particle)
    }

    /// A live particle's instance.
    pub(crate) fn instance(&self, id: ItemId<Particle>) -> Result<BatchInstance, SceneError> {
        Ok(self.entry(id)?.instance)
    }

    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    pub(crate) fn stats(&self) -> ItemStats {
        self.stats
    }

    /// Adds `particle` (its layer checked by the scene) and writes its record.
    pub(crate) fn add(
        &mut self,
        batch: &mut Batch,
        atlas: &SceneAtlas,
        particle: Particle,
    ) -> Result<ItemId<Particle>, SceneError> {
        check(&particle, atlas)?;
        let mesh = self.mesh(particle.props.layer)?;
        let instance = batch.add_instance_at(mesh, particle.props.z)?;
        if let Err(error) = particle.record().write(batch, instance, None) {
            batch.delete_instance(instance)?;
            return Err(error.into());
        }
        self.stats.added += 1;
        Ok(self.slots.insert(Entry { particle, instance }))
    }

    /// Replaces particle `id` with `particle`: writes the attributes that differ, sets its
    /// z, and moves it to its new layer's mesh. On error it is as it was.
    pub(crate) fn replace(
        &mut self,
        batch: &mut Batch,
        atlas: &SceneAtlas,
        id: ItemId<Particle>,
        particle: Particle,
    ) -> Result<(), SceneError> {
        check(&particle, atlas)?;
        let mesh = self.mesh(particle.props.layer)?;
        let entry =
            (self.slots.get_mut(id)).map_err(|_| SceneError::UnknownItem(Particle::NAME))?;
        let (old, instance) = (entry.particle, entry.instance);
        let (was, now) = (old.record(), particle.record());
        let rezoned = particle.props.z.to_bits() != old.props.z.to_bits();
        if rezoned {
            batch.set_instance_z(instance, particle.props.z)?;
        }
        let written = now
            .write(batch, instance, Some(&was))
            .map_err(SceneError::from);
        let moved = written.and_then(|()| match particle.props.layer == old.props.layer {
            true => Ok(instance),
            false => Ok(batch.migrate_instance(instance, mesh)?),
        });
        match moved {
            Ok(instance) => {
                *entry = Entry { particle, instance };
                Ok(())
            }
            Err(error) => {
                // Staged writes only: putting the old record back fails only where writing
                // the new one failed on a bug, and the first error is the one to report.
                let _ = was.write(batch, instance, None);
                if rezoned {
                    let _ = batch.set_instance_z(instance, old.props.z);
                }
                Err(error)
            }
        }
    }

    /// Moves particle `id` to `(x, y)` (finite, checked by the scene): its translation
    /// only, 8 bytes.
    #[inline]
    pub(crate) fn move_to(
        &mut self,
        batch: &mut Batch,
        id: ItemId<Particle>,
        (x, y): (f32, f32),
    ) -> Result<(), SceneError> {
        let entry =
            (self.slots.get_mut(id)).map_err(|_| SceneError::UnknownItem(Particle::NAME))?;
        batch.write_instance(entry.instance, TRANSLATION, [x, y])?;
        (entry.particle.props.x, entry.particle.props.y) = (x, y);
        Ok(())
    }

    /// Removes particle `id`.
    pub(crate) fn remove(
        &mut self,
        batch: &mut Batch,
        id: ItemId<Particle>,
    ) -> Result<Particle, SceneError> {
        batch.delete_instance(self.entry(id)?.instance)?;
        let entry = (self.slots.remove(id)).map_err(|_| SceneError::UnknownItem(Particle::NAME))?;
        Ok(entry.particle)
    }

    /// The box `[left, bottom, right, top]` that holds particle `id`.
    pub(crate) fn bounds(&self, id: ItemId<Particle>) -> Result<[f32; 4], SceneError> {
        let r = self.get(id)?.record();
        let [ox, oy] = [
            r.translation[0] + r.offset[0],
            r.translation[1] + r.offset[1],
        ];
        let [wx, wy, hx, hy] = r.axes;
        let corners = [
            [ox, oy],
            [ox + wx, oy + wy],
            [ox + hx, oy + hy],
            [ox + wx + hx, oy + wy + hy],
        ];
        Ok(bounds_of(corners).unwrap_or([ox, oy, ox, oy]))
    }
}

/// Refuses numbers that are not finite and another scene's image.
fn check(particle: &Particle, atlas: &SceneAtlas) -> Result<(), SceneError> {
    particle.props.check()?;
    finite("a particle's scale", &particle.scale)?;
    atlas.check(&particle.image)
}
