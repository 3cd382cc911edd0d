//! Instances of an instanced domain's meshes: the part of [`DomainCore`]'s lifecycle that
//! only instanced domains have, and their draws.
//!
//! A mesh is a list of the domain (vertices, and indices when indexed) with a run of
//! instance slots from the instance allocator. Its instances fill the start of that run
//! with no hole, so one instanced call draws them all:
//!
//! - **Adding** an instance takes the next slot of the run. A full run doubles through
//!   [`Allocator::plan_realloc`](crate::allocation::Allocator::plan_realloc): in place when
//!   the space after it is free, else moved by a GPU copy, growing the instance buffers first
//!   if needed. Growth is amortised: a mesh of `n` instances has moved at most `log2 n`
//!   times.
//! - **Deleting** one moves the mesh's last instance into the hole, as a staged write of its
//!   record from the instance part's CPU mirror, and points the moved instance's handle at
//!   its new slot. Other instances keep their handles; the deleted one's goes stale.
//! - **Drawing** takes the path of [`InstanceDraw`]: one base-instance call per mesh, one
//!   indirect multi-draw for the domain, or per mesh re-pointing the instance attributes at
//!   its run (GLES 3, which has no base instance).
//!
//! Every call completes or changes nothing, in the order of the [module docs](super): plan,
//! grow, copy into free space, then commit.

use std::sync::Arc;

use super::core::{drawn, DomainCore, Entry};
use super::handle::{DomainId, InstanceId, ListId, Slots};
use super::order::Order;
use super::store::{capacity_needed, AttributePart, Needs, Region, INDEX_SIZE};
use super::{AttributeKey, DomainError, Primitive};
use crate::backend::fault::{inject, Site};
use crate::backend::{
    validate_clean, validate_gl, AttributeData, GlBuffer, InstanceDraw, MultiDraw,
};

use glow::HasContext;

/// The run a mesh's first instance gets; full runs double.
const FIRST_RUN: usize = 4;

/// Marker for the mesh handles the table keeps, whatever the domain's kind.
#[derive(Debug)]
pub(crate) enum AnyMesh {}

/// Where an instance lives: its mesh, and its slot in the instance buffers (a `u32`, as
/// every buffer is at most `i32::MAX` bytes; 16 bytes an entry keeps the table that every
/// instance write reads small).
#[derive(Debug, Clone, Copy)]
pub(crate) struct InstanceEntry {
    mesh: ListId<AnyMesh>,
    slot: u32,
}

impl InstanceEntry {
    #[inline]
    fn slot(&self) -> usize {
        self.slot as usize
    }
}

/// A mesh's run of instance slots: `run` is allocated to it, and its instances fill the
/// first `count` slots, with no hole (deletion moves the last one into the hole).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct MeshRun {
    run: Region,
    count: usize,
}

/// `u32`s per `DrawArraysIndirectCommand` (count, instanceCount, first, baseInstance).
const ARRAYS_COMMAND: usize = 4;
/// `u32`s per `DrawElementsIndirectCommand` (count, instanceCount, firstIndex, baseVertex,
/// baseInstance).
const ELEMENTS_COMMAND: usize = 5;

/// The instances of one instanced domain.
///
/// Invariants: for every live instance `i`, `at[handles[i].slot] == Some(i)`, and its slot
/// lies in the first `count` slots of its mesh's [`MeshRun`]; `at` is as long as the
/// instance allocator's capacity.
pub(crate) struct InstanceTable {
    handles: Slots<InstanceEntry>,
    /// Each mesh's run, by the mesh's slot in the domain's list table (default past the end
    /// and for lists without instances).
    runs: Vec<MeshRun>,
    /// The instance at each instance slot.
    at: Vec<Option<InstanceId>>,
    /// How draws reach the instances.
    path: InstanceDraw,
    /// The draw commands of [`InstanceDraw::MultiDrawIndirect`], as last uploaded, and their
    /// buffer (made on first use).
    commands: Vec<u32>,
    indirect: Option<GlBuffer>,
    /// Scratch space of every draw, kept so that drawing allocates nothing after the first
    /// frame: the meshes to draw, and the next commands.
    drawn: Vec<(Entry, MeshRun)>,
    next_commands: Vec<u32>,
    /// The draw order of each mesh's instances when ordered, by instance handle slot.
    order: Option<Order>,
    /// Scratch space of a relayout: the instances of a run in their new order, and one
    /// attribute's records.
    relaid: Vec<InstanceId>,
    records: Vec<u8>,
}

impl InstanceTable {
    /// The table of domain `domain`, whose id its instances carry.
    pub(crate) fn new(multi_draw: &MultiDraw, domain: DomainId, capacity: usize) -> Self {
        InstanceTable {
            handles: Slots::new(domain),
            runs: Vec::new(),
            at: vec![None; capacity],
            path: multi_draw.instance_draw(),
            commands: Vec::new(),
            indirect: None,
            drawn: Vec::new(),
            next_commands: Vec::new(),
            order: None,
            relaid: Vec::new(),
            records: Vec::new(),
        }
    }

    /// Turns the instances' draw order on (the live ones at z 0, in slot order) or off.
    pub(super) fn set_ordered(&mut self, ordered: bool) {
        match (ordered, &self.order) {
            (true, None) => self.order = Some(Order::new(self.handles.indexed().map(|(i, _)| i))),
            (false, Some(_)) => self.order = None,
            _ => {}
        }
    }

    pub(super) fn is_ordered(&self) -> bool {
        self.order.is_some()
    }

    pub(super) fn relayouts(&self) -> u64 {
        self.order.as_ref().map_or(0, Order::relayouts)
    }

    /// The instance's order and handle slot, for its z.
    fn instance_order(&mut self, id: InstanceId) -> Result<(&mut Order, usize), DomainError> {
        let index = self.handles.index(id)?;
        match &mut self.order {
            Some(order) => Ok((order, index)),
            None => Err(DomainError::NotOrdered),
        }
    }

    #[inline]
    fn entry(&self, id: InstanceId) -> Result<InstanceEntry, DomainError> {
        Ok(*self.handles.get(id)?)
    }

    /// The run of the mesh at list slot `mesh`.
    fn run(&self, mesh: usize) -> MeshRun {
        self.runs.get(mesh).copied().unwrap_or_default()
    }

    fn run_mut(&mut self, mesh: usize) -> &mut MeshRun {
        if self.runs.len() <= mesh {
            self.runs.resize(mesh + 1, MeshRun::default());
        }
        &mut self.runs[mesh]
    }

    /// Points the instances in `count` slots from `from` at the slots from `to`.
    fn moved(&mut self, from: usize, to: usize, count: usize) -> Result<(), DomainError> {
        for k in 0..count {
            if let Some(id) = self.at[from + k].take() {
                self.handles.get_mut(id)?.slot = (to + k) as u32;
                self.at[to + k] = Some(id);
            }
        }
        Ok(())
    }
}

impl DomainCore {
    #[inline]
    fn table(&self) -> Result<&InstanceTable, DomainError> {
        match &self.instances {
            Some(table) => Ok(table),
            None => Err(DomainError::NotInstanced),
        }
    }

    #[inline]
    fn table_mut(&mut self) -> Result<&mut InstanceTable, DomainError> {
        match &mut self.instances {
            Some(table) => Ok(table),
            None => Err(DomainError::NotInstanced),
        }
    }

    /// How instances are drawn.
    pub(crate) fn instance_draw(&self) -> Result<InstanceDraw, DomainError> {
        Ok(self.table()?.path)
    }

    /// Chooses how instances are drawn; a path the context lacks is refused.
    pub(crate) fn set_instance_draw(&mut self, path: InstanceDraw) -> Result<(), DomainError> {
        if !self.multi_draw.supports(path) {
            return Err(DomainError::Unsupported(path));
        }
        self.table_mut()?.path = path;
        Ok(())
    }

    /// Live instances of every mesh.
    pub(crate) fn instance_total(&self) -> usize {
        self.instances.as_ref().map_or(0, |t| t.handles.len())
    }

    /// The live instances of the list at slot `index` (0 without an instance part).
    pub(super) fn instance_count_at(&self, index: usize) -> usize {
        self.instances.as_ref().map_or(0, |t| t.run(index).count)
    }

    /// The mesh's live instances.
    pub(crate) fn instance_count<K>(&self, mesh: ListId<K>) -> Result<usize, DomainError> {
        let table = self.table()?;
        Ok(table.run(self.lists.index(mesh)?).count)
    }

    /// The mesh's instances in slot order (the order they draw in).
    pub(crate) fn instances_of<K>(&self, mesh: ListId<K>) -> Result<Vec<InstanceId>, DomainError> {
        let table = self.table()?;
        let MeshRun { run, count } = table.run(self.lists.index(mesh)?);
        Ok(table.at[run.start..run.start + count]
            .iter()
            .flatten()
            .copied()
            .collect())
    }

    /// The instance's slot in the instance buffers (it changes when the instance moves).
    pub(crate) fn instance_slot(&self, id: InstanceId) -> Result<usize, DomainError> {
        Ok(self.table()?.entry(id)?.slot())
    }

    /// The mesh an instance belongs to.
    pub(crate) fn instance_mesh<K>(&self, id: InstanceId) -> Result<ListId<K>, DomainError> {
        Ok(self.table()?.entry(id)?.mesh.cast())
    }

    /// The instance allocator, for inspection.
    pub(crate) fn instance_allocator(&self) -> Option<&crate::allocation::Allocator> {
        self.store.instance.as_ref().map(|p| &p.allocator)
    }

    /// The instance format.
    pub(crate) fn instance_format(&self) -> Option<&crate::backend::VertexFormat> {
        self.store.instance.as_ref().map(|p| p.format())
    }

    /// Adds an instance to `mesh` (its record undefined until written), doubling the mesh's
    /// run when it is full. In an ordered domain it draws at `z`, above its mesh's instances
    /// of that z added before it. Completes or changes nothing but the buffers' size.
    pub(crate) fn add_instance<K>(
        &mut self,
        mesh: ListId<K>,
        z: f32,
    ) -> Result<InstanceId, DomainError> {
        let index = self.lists.index(mesh)?;
        let MeshRun { mut run, count } = self.table()?.run(index);
        if count == run.count {
            let want = run
                .count
                .checked_mul(2)
                .ok_or(crate::allocation::AllocError::Overflow)?
                .max(FIRST_RUN);
            let plan =
                |part: &AttributePart| part.allocator.plan_realloc(run.start, run.count, want);
            let need = capacity_needed(plan(self.store.instance_mut()?))?;
            self.store.reserve(Needs {
                instances: need,
                ..Needs::default()
            })?;
            let (part, stream) = self.store.instances_and_stream()?;
            let start = plan(part)?;
            if start != run.start && count > 0 {
                // Into free space: a failure here leaves every instance where it was.
                part.copy_within(run.start, start, count, stream)?;
            }
            // Commit: the plan said it fits.
            let start = part.allocator.realloc(run.start, run.count, want)?;
            let capacity = part.allocator.capacity();
            let table = self.table_mut()?;
            table.at.resize(capacity, None);
            if start != run.start {
                table.moved(run.start, start, count)?;
            }
            run = Region { start, count: want };
        }
        let slot = run.start + count;
        let table = self.table_mut()?;
        let id = table.handles.insert(InstanceEntry {
            mesh: mesh.cast(),
            slot: slot as u32,
        });
        table.at[slot] = Some(id);
        *table.run_mut(index) = MeshRun {
            run,
            count: count + 1,
        };
        if let Some(order) = &mut table.order {
            let key = order.insert(table.handles.index(id)?, z);
            let below = match slot.checked_sub(1).filter(|_| count > 0) {
                Some(below) => table.at[below].map(|b| table.handles.index(b)),
                None => None,
            };
            if let Some(below) = below {
                if !order.follows(key, order.key(below?)) {
                    order.mark_stale();
                }
            }
        }
        Ok(id)
    }

    /// The z of an instance of an ordered domain.
    pub(crate) fn instance_z(&mut self, id: InstanceId) -> Result<f32, DomainError> {
        let (order, index) = self.table_mut()?.instance_order(id)?;
        Ok(order.key(index).z)
    }

    /// Sets the z of an instance of an ordered domain: from the next draw on it draws above
    /// its mesh's instances of lower z, and among those of its z by the order of adding.
    pub(crate) fn set_instance_z(&mut self, id: InstanceId, z: f32) -> Result<(), DomainError> {
        let (order, index) = self.table_mut()?.instance_order(id)?;
        order.set_z(index, z);
        Ok(())
    }

    /// The z an instance moved elsewhere keeps: its own in an ordered domain, else 0.
    fn carried_z(&mut self, id: InstanceId) -> f32 {
        self.instance_z(id).unwrap_or(0.0)
    }

    /// Puts every mesh's instance records in key order within its run, when a change left
    /// them out of it: permutes the records in the instance part's mirrors (staged like any
    /// write) and points the handles at their new slots. CPU work only.
    fn lay_out_instances(&mut self) -> Result<(), DomainError> {
        let (Some(table), Some(part)) = (self.instances.as_mut(), self.store.instance.as_mut())
        else {
            return Ok(());
        };
        let Some(order) = table.order.as_mut().filter(|o| o.is_stale()) else {
            return Ok(());
        };
        for m in 0..table.runs.len() {
            let MeshRun { run, count } = table.runs[m];
            let live = (run.start..run.start + count).filter_map(|slot| {
                let id = table.at[slot]?;
                Some((table.handles.index(id).ok()?, slot as u32))
            });
            let sorted = order.sort(live);
            let in_place = (sorted.iter().zip(run.start..)).all(|(&(_, s), k)| s as usize == k);
            let mut relaid = Ok(());
            if !in_place {
                let sources = sorted.iter().map(|&(_, s)| s as usize);
                relaid = part.permute(run.start, sources, &mut table.records);
                table.relaid.clear();
                (table.relaid).extend(sorted.iter().filter_map(|&(_, s)| table.at[s as usize]));
            }
            order.restore(sorted);
            relaid?;
            if !in_place {
                for (slot, &id) in (run.start..).zip(&table.relaid) {
                    table.at[slot] = Some(id);
                    table.handles.get_mut(id)?.slot = slot as u32;
                }
            }
        }
        order.laid_out(None);
        Ok(())
    }

    /// Deletes an instance: the mesh's last instance moves into its slot (a staged write of
    /// its record) and keeps its handle. CPU work only.
    pub(crate) fn delete_instance(&mut self, id: InstanceId) -> Result<(), DomainError> {
        let instance = self.table()?.entry(id)?;
        let index = self.lists.index(instance.mesh)?;
        let MeshRun { run, count } = self.table()?.run(index);
        let last = run.start + count - 1;
        if instance.slot() != last {
            if let Some(order) = &mut self.table_mut()?.order {
                order.mark_stale();
            }
            let part = self.store.instance_mut()?;
            part.move_record(last, instance.slot())?;
            let table = self.table_mut()?;
            table.moved(last, instance.slot(), 1)?;
        }
        let table = self.table_mut()?;
        table.at[last] = None;
        table.handles.remove(id)?;
        table.run_mut(index).count -= 1;
        Ok(())
    }

    /// Moves an instance to `mesh` of `other` (same instance format and context): adds it
    /// there, stages its record from this domain's mirror, then deletes it here. Returns its
    /// new id; the old one goes stale. Completes or changes nothing but `other`'s buffers'
    /// size.
    pub(crate) fn migrate_instance<K>(
        &mut self,
        id: InstanceId,
        other: &mut DomainCore,
        mesh: ListId<K>,
    ) -> Result<InstanceId, DomainError> {
        let from = self.table()?.entry(id)?;
        if self.store.instance.as_ref().map(|p| p.format()) != other.instance_format() {
            return Err(DomainError::KindMismatch);
        }
        if !Arc::ptr_eq(self.store.gl(), other.store.gl()) {
            return Err(DomainError::ContextMismatch);
        }
        let z = self.carried_z(id);
        let new = other.add_instance(mesh, z)?;
        let staged = other.instance_slot(new).and_then(|slot| {
            let source = self
                .store
                .instance
                .as_ref()
                .ok_or(DomainError::NotInstanced)?;
            source.stage_record(from.slot(), other.store.instance_mut()?, slot)
        });
        if let Err(error) = staged.and_then(|()| self.delete_instance(id)) {
            // Staging from a live slot only fails on a bug; take the new instance back.
            let _ = other.delete_instance(new);
            return Err(error);
        }
        Ok(new)
    }

    /// Moves an instance to another `mesh` of this domain, record and all, and returns its
    /// new id (the old one goes stale). Completes or changes nothing but the buffers' size.
    pub(crate) fn move_instance<K>(
        &mut self,
        id: InstanceId,
        mesh: ListId<K>,
    ) -> Result<InstanceId, DomainError> {
        self.table()?.entry(id)?;
        let z = self.carried_z(id);
        let new = self.add_instance(mesh, z)?;
        // Read after adding: the new instance's run may have moved, never the old one's
        // (another mesh's), unless both are of one mesh, where the slot is read afresh.
        let (from, to) = (self.instance_slot(id)?, self.instance_slot(new)?);
        let moved = self
            .store
            .instance_mut()
            .and_then(|part| part.move_record(from, to))
            .and_then(|()| self.delete_instance(id));
        if let Err(error) = moved {
            // Staging from a live slot only fails on a bug; take the new instance back.
            let _ = self.delete_instance(new);
            return Err(error);
        }
        Ok(new)
    }

    /// Retires the instances of the mesh at list slot `index`, being deleted, and frees its
    /// run.
    pub(super) fn release_instances(&mut self, index: usize) -> Result<(), DomainError> {
        let Some(table) = self.instances.as_mut() else {
            return Ok(());
        };
        let MeshRun { run, count } = std::mem::take(table.run_mut(index));
        for slot in run.start..run.start + count {
            if let Some(id) = table.at[slot].take() {
                table.handles.remove(id)?;
            }
        }
        if run.count > 0 {
            let part = self.store.instance_mut()?;
            part.allocator.dealloc(run.start, run.count)?;
        }
        Ok(())
    }

    /// Stages `value` as an instance's `attribute`: one whole value of it. The hot path of
    /// moving instanced sprites: one handle check, then the write.
    #[inline]
    pub(crate) fn write_instance<T: AttributeData>(
        &mut self,
        id: InstanceId,
        attribute: impl AttributeKey,
        value: &T,
    ) -> Result<(), DomainError> {
        let (Some(table), Some(part)) = (&self.instances, &mut self.store.instance) else {
            return Err(DomainError::NotInstanced);
        };
        part.write_record(table.handles.get(id)?.slot(), attribute, value)
    }

    /// Stages raw bytes of an instance's `attribute`, checked by length only.
    pub(crate) fn write_instance_bytes(
        &mut self,
        id: InstanceId,
        attribute: impl AttributeKey,
        bytes: &[u8],
    ) -> Result<(), DomainError> {
        let slot = self.table()?.entry(id)?.slot();
        let region = Region {
            start: slot,
            count: 1,
        };
        self.store
            .instance_mut()?
            .write_bytes(region, attribute, bytes)
    }

    /// Reads an instance's `attribute` back from GL.
    pub(crate) fn read_instance<T: AttributeData>(
        &mut self,
        id: InstanceId,
        attribute: impl AttributeKey,
    ) -> Result<Vec<T>, DomainError> {
        let slot = self.table()?.entry(id)?.slot();
        let region = Region {
            start: slot,
            count: 1,
        };
        let (part, stream) = self.store.instances_and_stream()?;
        part.read(region, attribute, stream)
    }

    /// Reads `attribute` of every instance of `mesh` back from GL, in draw order.
    pub(crate) fn read_instances<K, T: AttributeData>(
        &mut self,
        mesh: ListId<K>,
        attribute: impl AttributeKey,
    ) -> Result<Vec<T>, DomainError> {
        let MeshRun { run, count } = self.table()?.run(self.lists.index(mesh)?);
        let region = Region {
            start: run.start,
            count,
        };
        let (part, stream) = self.store.instances_and_stream()?;
        part.read(region, attribute, stream)
    }

    /// Draws every mesh's instances (or only `only`'s) by the table's [`InstanceDraw`] path,
    /// and returns the GL draw calls issued.
    ///
    /// GL state touched: binds this domain's VAO and unbinds it after; the indirect path
    /// binds and unbinds `GL_DRAW_INDIRECT_BUFFER`; the re-point path leaves the VAO's
    /// instance attributes pointed at the last mesh drawn (the VAO remembers where they
    /// point, and the next draw re-points what it needs).
    pub(crate) fn draw_instances(
        &mut self,
        mode: Primitive,
        only: Option<ListId<AnyMesh>>,
    ) -> Result<usize, DomainError> {
        let gl = Arc::clone(self.store.gl());
        validate_clean(&gl, "Domain::draw (instances)")?;
        self.lay_out_instances()?;
        self.store.flush()?;
        let table = self.table_mut()?;
        let path = table.path;
        let mut meshes = std::mem::take(&mut table.drawn);
        meshes.clear();
        let table = self.table()?;
        match only {
            Some(mesh) => {
                let index = self.lists.index(mesh)?;
                meshes.push((*self.lists.get(mesh)?, table.run(index)));
            }
            None => meshes.extend((self.lists.indexed()).map(|(i, e)| (*e, table.run(i)))),
        }
        meshes.retain(|(e, run)| run.count > 0 && self.draw_count(e) > 0);
        let drawn = self.draw_meshes(&meshes, mode, path, &gl);
        self.table_mut()?.drawn = meshes;
        drawn
    }

    /// Draws `meshes` (each with instances) by `path`; the body of
    /// [`draw_instances`](Self::draw_instances).
    fn draw_meshes(
        &mut self,
        meshes: &[(Entry, MeshRun)],
        mode: Primitive,
        path: InstanceDraw,
        gl: &glow::Context,
    ) -> Result<usize, DomainError> {
        let indexed = self.is_indexed();
        if meshes.is_empty() {
            return Ok(0);
        }
        if path == InstanceDraw::MultiDrawIndirect {
            self.upload_commands(meshes, indexed)?;
        }
        self.store.bind()?;
        if path == InstanceDraw::MultiDrawIndirect || path == InstanceDraw::BaseInstance {
            self.store.point_instances_at(0);
        }
        let mode = mode.gl_enum();
        let mut calls = 0;
        match path {
            InstanceDraw::MultiDrawIndirect => {
                let index_type = indexed.then_some(glow::UNSIGNED_INT);
                let buffer = self.table()?.indirect.as_ref().map(GlBuffer::raw);
                // SAFETY: the indirect buffer holds one command per mesh of `meshes`, each
                // naming the mesh's own vertex, index and instance slots, which lie inside
                // the buffers the bound VAO names (kept by construction, as in `draw`).
                let drawn = unsafe {
                    gl.bind_buffer(glow::DRAW_INDIRECT_BUFFER, buffer);
                    let drawn = self
                        .multi_draw
                        .draw_indirect(mode, index_type, meshes.len());
                    gl.bind_buffer(glow::DRAW_INDIRECT_BUFFER, None);
                    drawn
                };
                if let Err(error) = drawn {
                    self.store.unbind();
                    return Err(error.into());
                }
                calls = 1;
            }
            InstanceDraw::BaseInstance | InstanceDraw::Repoint => {
                for (mesh, run) in meshes {
                    let (v, i) = (mesh.vertices, mesh.indices);
                    let (base, n) = (run.run.start, run.count as i32);
                    let base_instance = if path == InstanceDraw::Repoint {
                        self.store.point_instances_at(base);
                        0
                    } else {
                        base as u32
                    };
                    // SAFETY: the mesh's vertex and index ranges and its instances' slots
                    // (at `base`, whether through base instance or the re-pointed
                    // attributes) lie inside the buffers the bound VAO names; every stored
                    // index is a vertex of its own mesh.
                    unsafe {
                        match (indexed, path) {
                            (false, InstanceDraw::Repoint) => {
                                gl.draw_arrays_instanced(mode, v.start as i32, v.count as i32, n)
                            }
                            (false, _) => gl.draw_arrays_instanced_base_instance(
                                mode,
                                v.start as i32,
                                v.count as i32,
                                n,
                                base_instance,
                            ),
                            (true, InstanceDraw::Repoint) => gl.draw_elements_instanced(
                                mode,
                                i.count as i32,
                                glow::UNSIGNED_INT,
                                (i.start * INDEX_SIZE) as i32,
                                n,
                            ),
                            (true, _) => gl.draw_elements_instanced_base_vertex_base_instance(
                                mode,
                                i.count as i32,
                                glow::UNSIGNED_INT,
                                (i.start * INDEX_SIZE) as i32,
                                n,
                                0,
                                base_instance,
                            ),
                        }
                    }
                    calls += 1;
                }
            }
        }
        inject(gl, Site::Draw);
        let checked = validate_gl(gl, "instanced draw");
        self.store.unbind();
        checked?;
        Ok(calls)
    }

    /// Writes the indirect commands for `meshes` and uploads them when they changed.
    fn upload_commands(
        &mut self,
        meshes: &[(Entry, MeshRun)],
        indexed: bool,
    ) -> Result<(), DomainError> {
        let gl = Arc::clone(self.store.gl());
        let table = self.instances.as_mut().ok_or(DomainError::NotInstanced)?;
        let commands = &mut table.next_commands;
        commands.clear();
        for (mesh, run) in meshes {
            let (count, instances, base) = (
                drawn(indexed, mesh).count as u32,
                run.count as u32,
                run.run.start as u32,
            );
            if indexed {
                commands.extend([count, instances, mesh.indices.start as u32, 0, base]);
            } else {
                commands.extend([count, instances, mesh.vertices.start as u32, base]);
            }
        }
        debug_assert_eq!(
            commands.len()
                % if indexed {
                    ELEMENTS_COMMAND
                } else {
                    ARRAYS_COMMAND
                },
            0
        );
        let bytes = commands.len() * 4;
        let buffer = match &mut table.indirect {
            Some(buffer) if buffer.capacity() >= bytes => buffer,
            slot => {
                let capacity = bytes.next_power_of_two().max(256);
                *slot = Some(GlBuffer::new(&gl, capacity)?);
                table.commands.clear();
                slot.as_mut().ok_or(DomainError::NotInstanced)?
            }
        };
        let stream = &mut self.store.stream;
        if table.next_commands != table.commands {
            buffer.write(0, bytemuck::cast_slice(&table.next_commands))?;
            buffer.flush(stream)?;
            std::mem::swap(&mut table.commands, &mut table.next_commands);
        }
        // The draw about to be issued reads the commands.
        buffer.mark_drawn(stream);
        Ok(())
    }
}
