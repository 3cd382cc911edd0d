//! [`Batch`]: one domain per (group, format, instance format, primitive, indexed), drawn
//! group by group.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use super::group::{BatchId, Group, GroupId};
use super::BatchError;
use crate::backend::{validate_clean, AttributeData, BufferStats, MultiDraw, VertexFormat};
use crate::backend::{StreamConfig, StreamPath, StreamStats};
use crate::domain::{
    check_indices, AttributeKey, DomainCore, DomainError, DomainId, InstanceId, ListId, Primitive,
    Resized,
};

/// Vertex slots a new domain starts with; it grows by doubling.
const INITIAL_VERTICES: usize = 1024;
/// Index slots a new indexed domain starts with.
const INITIAL_INDICES: usize = 1536;
/// Instance slots a new instanced domain starts with.
const INITIAL_INSTANCES: usize = 1024;

/// A vertex format interned by a [`Batch`] ([`Batch::format_id`]): adding lists by id skips
/// comparing formats. It carries its batch's id, so another batch refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FormatId {
    batch: BatchId,
    index: u32,
}

/// Names a list's vertex format for [`Batch::add`]: a `&VertexFormat`, or the [`FormatId`]
/// the batch interned it as. Sealed: the batch trusts the id it returns.
pub trait FormatKey: sealed::Sealed {
    /// The batch's id for this format, interning it on first use.
    fn id_in(self, batch: &mut Batch) -> Result<FormatId, BatchError>;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for &crate::backend::VertexFormat {}
    impl Sealed for super::FormatId {}
}

impl FormatKey for &VertexFormat {
    fn id_in(self, batch: &mut Batch) -> Result<FormatId, BatchError> {
        Ok(batch.format_id(self))
    }
}

impl FormatKey for FormatId {
    fn id_in(self, batch: &mut Batch) -> Result<FormatId, BatchError> {
        if self.batch == batch.id && (self.index as usize) < batch.formats.len() {
            Ok(self)
        } else {
            Err(BatchError::UnknownFormat)
        }
    }
}

/// What selects a list's domain. The format is interned, so a key is cheap to build and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct DomainKey {
    group: GroupId,
    format: FormatId,
    /// The instance format of an instanced domain's meshes.
    instances: Option<FormatId>,
    mode: Primitive,
    indexed: bool,
}

struct DomainEntry {
    key: DomainKey,
    domain: DomainCore,
}

/// Marker for the domain-level handles of [`BatchList`]s.
#[derive(Debug)]
pub(crate) enum Batched {}

/// A vertex list in a [`Batch`]: which batch and domain it lives in, and its handle there.
/// `Copy`; a deleted list's handle resolves to [`DomainError::StaleList`], and a handle used
/// on another batch to [`BatchError::WrongBatch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BatchList {
    batch: BatchId,
    domain: u32,
    list: ListId<Batched>,
}

/// An instance of a mesh in a [`Batch`] ([`Batch::add_instance`]): which batch and domain it
/// lives in, and its id there. `Copy`; a deleted instance's handle resolves to
/// [`DomainError::StaleList`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BatchInstance {
    batch: BatchId,
    domain: u32,
    instance: InstanceId,
}

/// Where a [`BatchList`] lives ([`Batch::placement`]): for inspection and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The domain holding the list (one per group, format, primitive and indexedness).
    pub domain: DomainId,
    /// The list's vertex slots in the domain's attribute buffers.
    pub vertices: Range<usize>,
    /// The list's index slots in the domain's index buffer (empty when not indexed).
    pub indices: Range<usize>,
}

/// A group's place in the tree.
struct GroupNode {
    state: Box<dyn Group>,
    order: i32,
    parent: Option<GroupId>,
    visible: bool,
    /// Whether its indexed and instanced domains keep a draw order ([`Batch::set_ordered`]).
    ordered: bool,
}

/// One step of the cached draw list.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// Set a group's state; `unset` is the index of its matching [`Step::Unset`], where a
    /// draw resumes when the state cannot be set.
    Set {
        group: GroupId,
        unset: usize,
    },
    Draw(usize, Primitive),
    Unset(GroupId),
}

/// What one [`Batch::draw`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrawStats {
    /// GL draw calls issued (one per non-empty domain with native multi-draw).
    pub draw_calls: usize,
    /// Domains drawn.
    pub domains: usize,
    /// Groups whose state was set.
    pub groups: usize,
}

/// Draws many vertex lists in few calls: lists of one group, format, primitive and
/// indexedness share a domain, and each domain draws with one multi-draw.
///
/// Groups form a tree ([`add_group`](Batch::add_group)); [`draw`](Batch::draw) walks it in
/// order, setting each visible group's state, drawing its domains, then its children, then
/// unsetting it. The walk is cached and rebuilt only when groups or domains change; domains
/// left empty are dropped at the next draw.
///
/// A group whose state fails to set is skipped with its whole subtree, and the rest still
/// draws; [`draw`](Batch::draw) then reports the first failure.
///
/// Owns GL objects: use and drop it while its context is current.
pub struct Batch {
    id: BatchId,
    gl: Arc<glow::Context>,
    multi_draw: MultiDraw,
    groups: Vec<GroupNode>,
    /// Every format seen, in first-seen order; a key's `format` indexes it.
    formats: Vec<VertexFormat>,
    domains: Vec<Option<DomainEntry>>,
    free_domains: Vec<usize>,
    lookup: HashMap<DomainKey, usize>,
    /// The last key looked up and its domain: adds come in runs of one key.
    last_lookup: Option<(DomainKey, usize)>,
    steps: Vec<Step>,
    /// The steps no longer match the groups or domains.
    dirty: bool,
    /// A domain may have been left empty since the last draw.
    maybe_empty: bool,
    /// How many times the draw steps were rebuilt.
    rebuilds: u64,
    /// How every domain's staged writes reach GL.
    stream_config: StreamConfig,
}

impl Batch {
    /// An empty batch drawing through `gl`, with `multi_draw`'s entry points.
    pub fn new(gl: &Arc<glow::Context>, multi_draw: MultiDraw) -> Self {
        Batch {
            id: BatchId::next(),
            gl: Arc::clone(gl),
            multi_draw,
            groups: Vec::new(),
            formats: Vec::new(),
            domains: Vec::new(),
            free_domains: Vec::new(),
            lookup: HashMap::new(),
            last_lookup: None,
            steps: Vec::new(),
            dirty: true,
            maybe_empty: false,
            rebuilds: 0,
            stream_config: StreamConfig::default(),
        }
    }

    /// The GL context.
    pub fn gl(&self) -> &Arc<glow::Context> {
        &self.gl
    }

    /// This batch's id, which its group ids, format ids and lists carry.
    pub fn id(&self) -> BatchId {
        self.id
    }

    /// Adds a group under `parent` (or at the top), drawn among its siblings by ascending
    /// `order`. Fails if `parent` is not a group of this batch.
    pub fn add_group(
        &mut self,
        state: impl Group + 'static,
        order: i32,
        parent: Option<GroupId>,
    ) -> Result<GroupId, BatchError> {
        if let Some(parent) = parent {
            self.node(parent)?;
        }
        let index = u32::try_from(self.groups.len()).map_err(|_| BatchError::TooManyGroups)?;
        let id = GroupId {
            batch: self.id,
            index,
        };
        self.groups.push(GroupNode {
            state: Box::new(state),
            order,
            parent,
            visible: true,
            ordered: false,
        });
        self.dirty = true;
        Ok(id)
    }

    fn node(&self, group: GroupId) -> Result<&GroupNode, BatchError> {
        match self.groups.get(group.index as usize) {
            Some(node) if group.batch == self.id => Ok(node),
            _ => Err(BatchError::UnknownGroup(group)),
        }
    }

    /// Whether `group` is one of this batch's groups.
    pub fn has_group(&self, group: GroupId) -> bool {
        self.node(group).is_ok()
    }

    /// Shows or hides a group and its whole subtree.
    pub fn set_visible(&mut self, group: GroupId, visible: bool) -> Result<(), BatchError> {
        self.node(group)?;
        let node = &mut self.groups[group.index as usize];
        if node.visible != visible {
            node.visible = visible;
            self.dirty = true;
        }
        Ok(())
    }

    /// Whether a group is visible (its ancestors may still hide it).
    pub fn is_visible(&self, group: GroupId) -> Result<bool, BatchError> {
        Ok(self.node(group)?.visible)
    }

    /// Makes the lists of a group draw by ascending z, and in the order they were added
    /// where z is equal ([`set_z`](Self::set_z), [`set_instance_z`](Self::set_instance_z)),
    /// or (`false`, the default) in allocator order. Applies to the group's indexed and
    /// instanced domains, now and as they are made; lists without indices draw in
    /// allocator order. See [`Domain::set_ordered`](crate::domain::Domain::set_ordered)
    /// for how and at what cost.
    pub fn set_ordered(&mut self, group: GroupId, ordered: bool) -> Result<(), BatchError> {
        self.node(group)?;
        self.groups[group.index as usize].ordered = ordered;
        for entry in self.domains.iter_mut().flatten() {
            if entry.key.group == group && orderable(&entry.key) {
                entry.domain.set_ordered(ordered)?;
            }
        }
        Ok(())
    }

    /// Sets a list's z in an ordered group ([`set_ordered`](Self::set_ordered)); refused
    /// with [`DomainError::NotOrdered`] elsewhere, and for meshes, whose instances carry
    /// the z.
    pub fn set_z(&mut self, list: BatchList, z: f32) -> Result<(), BatchError> {
        Ok(self.resolve(list)?.domain.set_z(list.list, z)?)
    }

    /// A list's z in an ordered group.
    pub fn z(&mut self, list: BatchList) -> Result<f32, BatchError> {
        Ok(self.resolve(list)?.domain.z(list.list)?)
    }

    /// Sets an instance's z in an ordered group: its mesh's instances draw by ascending z.
    pub fn set_instance_z(&mut self, instance: BatchInstance, z: f32) -> Result<(), BatchError> {
        let entry = self.resolve_instance(instance)?;
        Ok(entry.domain.set_instance_z(instance.instance, z)?)
    }

    /// How many times draws have laid a domain's data out again in key order, summed over
    /// the live domains: the cost of ordered groups under churn.
    pub fn relayouts(&self) -> u64 {
        self.domains
            .iter()
            .flatten()
            .map(|e| e.domain.relayouts())
            .sum()
    }

    /// Changes a group's order among its siblings.
    pub fn set_order(&mut self, group: GroupId, order: i32) -> Result<(), BatchError> {
        self.node(group)?;
        self.groups[group.index as usize].order = order;
        self.dirty = true;
        Ok(())
    }

    /// The id of `format` in this batch, interned on first use. A batch sees a handful of
    /// formats, so this is a short scan; adding by id skips even that.
    pub fn format_id(&mut self, format: &VertexFormat) -> FormatId {
        let found = self.formats.iter().position(|f| f == format);
        let index = found.unwrap_or_else(|| {
            self.formats.push(format.clone());
            self.formats.len() - 1
        });
        FormatId {
            batch: self.id,
            index: index as u32,
        }
    }

    /// The domain for `key`, created on first use.
    fn domain_for(&mut self, key: DomainKey) -> Result<usize, BatchError> {
        if let Some((last, index)) = self.last_lookup {
            if last == key {
                return Ok(index);
            }
        }
        if let Some(&index) = self.lookup.get(&key) {
            self.last_lookup = Some((key, index));
            return Ok(index);
        }
        self.node(key.group)?;
        let format = self.formats[key.format.index as usize].clone();
        let index_capacity = key.indexed.then_some(INITIAL_INDICES);
        let instances = key
            .instances
            .map(|id| (self.formats[id.index as usize].clone(), INITIAL_INSTANCES));
        let mut domain = DomainCore::new(
            &self.gl,
            self.multi_draw.clone(),
            format,
            INITIAL_VERTICES,
            index_capacity,
            instances,
        )?;
        if self.stream_config != StreamConfig::default() {
            domain.set_stream_config(self.stream_config)?;
        }
        if self.groups[key.group.index as usize].ordered && orderable(&key) {
            domain.set_ordered(true)?;
        }
        let entry = Some(DomainEntry { key, domain });
        let index = match self.free_domains.pop() {
            Some(index) => {
                self.domains[index] = entry;
                index
            }
            None => {
                self.domains.push(entry);
                self.domains.len() - 1
            }
        };
        self.lookup.insert(key, index);
        self.dirty = true;
        Ok(index)
    }

    /// Adds a list of `vertex_count` vertices to the domain of (`group`, `format`, `mode`).
    ///
    /// Points, lines and triangles of one domain are drawn as one range, so `vertex_count`
    /// must be whole primitives of `mode` ([`DomainError::PartialPrimitive`] otherwise).
    pub fn add(
        &mut self,
        group: GroupId,
        format: impl FormatKey,
        mode: Primitive,
        vertex_count: usize,
    ) -> Result<BatchList, BatchError> {
        mode.check_whole(vertex_count)?;
        self.add_list(group, (format, None), mode, (vertex_count, None, 0.0))
    }

    /// Adds an indexed list of `vertex_count` vertices with `indices` (relative to the list)
    /// to the domain of (`group`, `format`, `mode`). The indices must be whole primitives of
    /// `mode` and each below `vertex_count`.
    pub fn add_indexed(
        &mut self,
        group: GroupId,
        format: impl FormatKey,
        mode: Primitive,
        vertex_count: usize,
        indices: &[u32],
    ) -> Result<BatchList, BatchError> {
        self.add_indexed_at(group, format, mode, vertex_count, indices, 0.0)
    }

    /// [`add_indexed`](Self::add_indexed) at `z` in an ordered group: on top of its z when
    /// added, with no relayout.
    pub fn add_indexed_at(
        &mut self,
        group: GroupId,
        format: impl FormatKey,
        mode: Primitive,
        vertex_count: usize,
        indices: &[u32],
        z: f32,
    ) -> Result<BatchList, BatchError> {
        mode.check_whole(indices.len())?;
        check_indices(indices, indices.len(), vertex_count)?;
        let (format, placed) = ((format, None), (vertex_count, Some(indices), z));
        self.add_list(group, format, mode, placed)
    }

    /// Adds a mesh of `vertex_count` vertices (and `indices`, relative to the mesh, when
    /// given) to the instanced domain of (`group`, `format`, `instance_format`, `mode`). It
    /// is a [`BatchList`] like any other (written, read, deleted the same way) that draws
    /// once per instance ([`add_instance`](Self::add_instance)), in one instanced call per
    /// mesh, in its group's place in the draw order.
    pub fn add_mesh(
        &mut self,
        group: GroupId,
        format: impl FormatKey,
        instance_format: impl FormatKey,
        mode: Primitive,
        vertex_count: usize,
        indices: Option<&[u32]>,
    ) -> Result<BatchList, BatchError> {
        if let Some(indices) = indices {
            check_indices(indices, indices.len(), vertex_count)?;
        }
        let instances = instance_format.id_in(self)?;
        let formats = (format, Some(instances));
        self.add_list(group, formats, mode, (vertex_count, indices, 0.0))
    }

    /// Creates a list in the domain of its key, with its indices when given (checked), at
    /// `z` when the domain is ordered.
    fn add_list(
        &mut self,
        group: GroupId,
        (format, instances): (impl FormatKey, Option<FormatId>),
        mode: Primitive,
        (vertex_count, indices, z): (usize, Option<&[u32]>, f32),
    ) -> Result<BatchList, BatchError> {
        let key = DomainKey {
            group,
            format: format.id_in(self)?,
            instances,
            mode,
            indexed: indices.is_some(),
        };
        let index = self.domain_for(key)?;
        let domain = &mut self.entry_mut(index)?.domain;
        let index_count = indices.map_or(0, <[u32]>::len);
        let created = domain
            .create(vertex_count, index_count, z)
            .and_then(|list| {
                if let Some(indices) = indices {
                    // Checked by the caller: staging them cannot fail.
                    domain.write_indices(list, indices)?;
                }
                Ok(list)
            });
        self.created(index, created)
    }

    /// Wraps a new list's handle, or notes that a failed creation may have left its new
    /// domain empty.
    fn created(
        &mut self,
        index: usize,
        list: Result<ListId<Batched>, DomainError>,
    ) -> Result<BatchList, BatchError> {
        match list {
            Ok(list) => Ok(BatchList {
                batch: self.id,
                domain: index as u32,
                list,
            }),
            Err(error) => {
                self.maybe_empty = true;
                Err(error.into())
            }
        }
    }

    #[inline]
    fn entry_mut(&mut self, index: usize) -> Result<&mut DomainEntry, BatchError> {
        match self.domains.get_mut(index) {
            Some(Some(entry)) => Ok(entry),
            _ => Err(BatchError::Domain(DomainError::StaleList)),
        }
    }

    /// The entry of a list's domain. A list of another batch is [`BatchError::WrongBatch`];
    /// a list whose domain was dropped (and its slot perhaps reused by another domain) is
    /// stale.
    #[inline]
    fn resolve(&mut self, list: BatchList) -> Result<&mut DomainEntry, BatchError> {
        if list.batch != self.id {
            return Err(BatchError::WrongBatch);
        }
        match self.domains.get_mut(list.domain as usize) {
            Some(Some(entry)) if entry.domain.id() == list.list.domain() => Ok(entry),
            // Built only here: an error built eagerly (`ok_or`) is dropped through a call on
            // every successful write, about a sixth of the cost of moving a sprite.
            _ => Err(BatchError::Domain(DomainError::StaleList)),
        }
    }

    /// Stages typed values of the list's `attribute`; see
    /// [`Domain::write`](crate::domain::Domain::write).
    #[inline]
    pub fn write<T: AttributeData>(
        &mut self,
        list: BatchList,
        attribute: impl AttributeKey,
        data: &[T],
    ) -> Result<(), BatchError> {
        Ok(self
            .resolve(list)?
            .domain
            .write(list.list, attribute, data)?)
    }

    /// Stages typed values of the list's `attribute` for its vertices from `first` on; see
    /// [`Domain::write_from`](crate::domain::Domain::write_from).
    pub fn write_from<T: AttributeData>(
        &mut self,
        list: BatchList,
        attribute: impl AttributeKey,
        first: usize,
        data: &[T],
    ) -> Result<(), BatchError> {
        Ok(self
            .resolve(list)?
            .domain
            .write_from(list.list, attribute, first, data)?)
    }

    /// Stages `value` as the list's `attribute` at each of its `count` vertices from `first`
    /// on (its last vertex being `first + count - 1`), filled into `scratch`, which the
    /// caller keeps so that filling allocates nothing once warm. As
    /// [`write_from`](Self::write_from).
    pub(crate) fn write_filled<T: AttributeData + Copy>(
        &mut self,
        list: BatchList,
        attribute: impl AttributeKey,
        (first, count): (usize, usize),
        value: T,
        scratch: &mut Vec<T>,
    ) -> Result<(), BatchError> {
        scratch.clear();
        scratch.resize(count, value);
        self.write_from(list, attribute, first, scratch)
    }

    /// Stages raw bytes of the list's `attribute`, checked by length only.
    pub fn write_bytes(
        &mut self,
        list: BatchList,
        attribute: impl AttributeKey,
        bytes: &[u8],
    ) -> Result<(), BatchError> {
        Ok(self
            .resolve(list)?
            .domain
            .write_bytes(list.list, attribute, bytes)?)
    }

    /// Resizes the list to `vertex_count` vertices and, for an indexed list, `index_count`
    /// indices (0 for a list without indices), keeping the first `min(old, new)` of each.
    /// When its region moves, the kept data is copied on the GPU (and an indexed list's
    /// indices are rewritten for their new first vertex); kept indices that name a vertex
    /// past the new count, and new indices, name the list's first vertex. The list keeps
    /// its handle.
    ///
    /// As with [`add`](Self::add), the drawn count (the indices of an indexed list, else the
    /// vertices) must be whole primitives of the list's mode. On error the list keeps its
    /// slots, data and indices.
    pub fn resize(
        &mut self,
        list: BatchList,
        vertex_count: usize,
        index_count: usize,
    ) -> Result<Resized, BatchError> {
        let entry = self.resolve(list)?;
        let drawn = if entry.key.indexed {
            index_count
        } else {
            vertex_count
        };
        entry.key.mode.check_whole(drawn)?;
        Ok(entry.domain.resize(list.list, vertex_count, index_count)?)
    }

    /// Replaces an indexed list's indices (relative to its first vertex): as many as it
    /// has ([`index_count`](Self::index_count); [`resize`](Self::resize) changes that), each
    /// below its vertex count. CPU work only.
    pub fn write_indices(&mut self, list: BatchList, indices: &[u32]) -> Result<(), BatchError> {
        Ok(self
            .resolve(list)?
            .domain
            .write_indices(list.list, indices)?)
    }

    /// The list's vertex count.
    pub fn vertex_count(&mut self, list: BatchList) -> Result<usize, BatchError> {
        let entry = self.resolve(list)?;
        Ok(entry.domain.entry(list.list)?.vertices.count)
    }

    /// The list's index count (0 for a list without indices).
    pub fn index_count(&mut self, list: BatchList) -> Result<usize, BatchError> {
        let entry = self.resolve(list)?;
        Ok(entry.domain.entry(list.list)?.indices.count)
    }

    /// Reads the list's `attribute` back from GL.
    pub fn read<T: AttributeData>(
        &mut self,
        list: BatchList,
        attribute: impl AttributeKey,
    ) -> Result<Vec<T>, BatchError> {
        Ok(self.resolve(list)?.domain.read(list.list, attribute)?)
    }

    /// Reads an indexed list's indices back from GL, relative to its first vertex.
    pub fn read_indices(&mut self, list: BatchList) -> Result<Vec<u32>, BatchError> {
        Ok(self.resolve(list)?.domain.read_indices(list.list)?)
    }

    /// Where the list lives: its domain and its vertex and index slots there.
    pub fn placement(&mut self, list: BatchList) -> Result<Placement, BatchError> {
        let entry = self.resolve(list)?;
        let regions = entry.domain.entry(list.list)?;
        Ok(Placement {
            domain: entry.domain.id(),
            vertices: regions.vertices.start..regions.vertices.end(),
            indices: regions.indices.start..regions.indices.end(),
        })
    }

    /// Deletes a list. A domain it leaves empty is dropped at the next draw.
    pub fn delete(&mut self, list: BatchList) -> Result<(), BatchError> {
        let entry = self.resolve(list)?;
        entry.domain.delete(list.list)?;
        if entry.domain.len() == 0 {
            self.maybe_empty = true;
        }
        Ok(())
    }

    /// Moves a list to the domain of `group` (same format and primitive), by GPU copies.
    /// Returns its new handle; the old one becomes stale. A list already in `group` keeps
    /// its handle. On error the list keeps its handle and data.
    pub fn migrate(&mut self, list: BatchList, group: GroupId) -> Result<BatchList, BatchError> {
        let entry = self.resolve(list)?;
        entry.domain.entry(list.list)?;
        let mut key = entry.key;
        if key.group == group {
            return Ok(list);
        }
        key.group = group;
        let to = self.domain_for(key)?;
        let from = list.domain as usize;
        let (source, target) = two_entries(&mut self.domains, from, to)?;
        let moved = source.domain.migrate(list.list, &mut target.domain);
        self.maybe_empty = true;
        self.created(to, moved)
    }

    /// The entry of an instance's domain, as [`resolve`](Self::resolve) for lists.
    #[inline]
    fn resolve_instance(
        &mut self,
        instance: BatchInstance,
    ) -> Result<&mut DomainEntry, BatchError> {
        self.resolve(BatchList {
            batch: instance.batch,
            domain: instance.domain,
            list: instance.instance.cast(),
        })
    }

    /// Adds an instance of `mesh` (a list made by [`add_mesh`](Self::add_mesh)); its record
    /// is undefined until written. See
    /// [`Domain::add_instance`](crate::domain::Domain::add_instance).
    pub fn add_instance(&mut self, mesh: BatchList) -> Result<BatchInstance, BatchError> {
        self.add_instance_at(mesh, 0.0)
    }

    /// [`add_instance`](Self::add_instance) at `z` in an ordered group: on top of its z
    /// when added, with no relayout.
    pub fn add_instance_at(
        &mut self,
        mesh: BatchList,
        z: f32,
    ) -> Result<BatchInstance, BatchError> {
        let instance = self.resolve(mesh)?.domain.add_instance(mesh.list, z)?;
        Ok(BatchInstance {
            batch: self.id,
            domain: mesh.domain,
            instance,
        })
    }

    /// Stages `value` as an instance's `attribute`: one whole value of it; see
    /// [`Domain::write_instance`](crate::domain::Domain::write_instance).
    #[inline]
    pub fn write_instance<T: AttributeData>(
        &mut self,
        instance: BatchInstance,
        attribute: impl AttributeKey,
        value: T,
    ) -> Result<(), BatchError> {
        let entry = self.resolve_instance(instance)?;
        Ok(entry
            .domain
            .write_instance(instance.instance, attribute, &value)?)
    }

    /// Reads an instance's `attribute` back from GL.
    pub fn read_instance<T: AttributeData>(
        &mut self,
        instance: BatchInstance,
        attribute: impl AttributeKey,
    ) -> Result<Vec<T>, BatchError> {
        Ok(self
            .resolve_instance(instance)?
            .domain
            .read_instance(instance.instance, attribute)?)
    }

    /// Deletes an instance; its mesh's last instance takes its slot and keeps its handle.
    pub fn delete_instance(&mut self, instance: BatchInstance) -> Result<(), BatchError> {
        Ok(self
            .resolve_instance(instance)?
            .domain
            .delete_instance(instance.instance)?)
    }

    /// The mesh an instance belongs to.
    pub fn mesh_of(&mut self, instance: BatchInstance) -> Result<BatchList, BatchError> {
        let list = self
            .resolve_instance(instance)?
            .domain
            .instance_mesh(instance.instance)?;
        Ok(BatchList {
            batch: self.id,
            domain: instance.domain,
            list,
        })
    }

    /// Moves an instance to `mesh` (of this batch, same instance format), record and all,
    /// and returns its new handle; the old one goes stale. An instance already of `mesh`
    /// keeps its handle. On error it keeps its handle and record.
    pub fn migrate_instance(
        &mut self,
        instance: BatchInstance,
        mesh: BatchList,
    ) -> Result<BatchInstance, BatchError> {
        let current = self.mesh_of(instance)?;
        self.resolve(mesh)?;
        if current == mesh {
            return Ok(instance);
        }
        let (from, to) = (instance.domain as usize, mesh.domain as usize);
        let moved = if from == to {
            let entry = self.entry_mut(from)?;
            entry.domain.move_instance(instance.instance, mesh.list)?
        } else {
            let (source, target) = two_entries(&mut self.domains, from, to)?;
            source
                .domain
                .migrate_instance(instance.instance, &mut target.domain, mesh.list)?
        };
        Ok(BatchInstance {
            batch: self.id,
            domain: mesh.domain,
            instance: moved,
        })
    }

    /// Number of live domains.
    pub fn domain_count(&self) -> usize {
        self.lookup.len()
    }

    /// How many times [`draw`](Batch::draw) has rebuilt its cached walk of the groups; it
    /// does so only after groups or domains changed.
    pub fn draw_list_rebuilds(&self) -> u64 {
        self.rebuilds
    }

    /// What every domain's buffers have sent to GL, summed (domains already dropped are
    /// not counted).
    pub fn buffer_stats(&self) -> BufferStats {
        self.domains
            .iter()
            .flatten()
            .map(|e| e.domain.stats())
            .fold(BufferStats::default(), |a, b| a + b)
    }

    /// What every domain's stream has done, summed (domains already dropped are not
    /// counted): bytes through the staging ring, wraps, fence waits, writes into buffers
    /// in use.
    pub fn stream_stats(&self) -> StreamStats {
        self.domains
            .iter()
            .flatten()
            .map(|e| e.domain.stream().stats())
            .fold(StreamStats::default(), |a, b| a + b)
    }

    /// The path staged writes take to GL ([`StreamConfig::path`] resolved for the context).
    pub fn stream_path(&self) -> StreamPath {
        // Checked when the configuration was set.
        self.stream_config.path_on(&self.gl)
    }

    /// Switches every domain, and the domains made later, to `config` (see
    /// [`Stream`](crate::backend::Stream)), after sending what each has staged. Fails with
    /// [`GlError::Unsupported`](crate::backend::GlError::Unsupported) for a path the context
    /// lacks, changing nothing; a failure part-way leaves the domains not yet switched on
    /// their old configuration, each complete.
    pub fn set_stream_config(&mut self, config: StreamConfig) -> Result<(), BatchError> {
        config.resolve(&self.gl)?;
        for entry in self.domains.iter_mut().flatten() {
            entry.domain.set_stream_config(config)?;
        }
        self.stream_config = config;
        Ok(())
    }

    /// Sends every staged write to GL ([`draw`](Batch::draw) does this for what it draws).
    pub fn flush(&mut self) -> Result<(), BatchError> {
        for entry in self.domains.iter_mut().flatten() {
            entry.domain.flush()?;
        }
        Ok(())
    }

    /// Drops empty domains and rebuilds the draw steps if anything changed.
    fn refresh(&mut self) {
        if self.maybe_empty {
            for index in 0..self.domains.len() {
                let empty = matches!(&self.domains[index], Some(e) if e.domain.len() == 0);
                if empty {
                    if let Some(entry) = self.domains[index].take() {
                        self.lookup.remove(&entry.key);
                    }
                    self.last_lookup = None;
                    self.free_domains.push(index);
                    self.dirty = true;
                }
            }
            self.maybe_empty = false;
        }
        if self.dirty {
            self.rebuild_steps();
            self.rebuilds += 1;
            self.dirty = false;
        }
    }

    fn rebuild_steps(&mut self) {
        let mut children: Vec<Vec<GroupId>> = vec![Vec::new(); self.groups.len()];
        let mut roots = Vec::new();
        for (i, node) in self.groups.iter().enumerate() {
            let id = GroupId {
                batch: self.id,
                index: i as u32,
            };
            match node.parent {
                Some(parent) => children[parent.index as usize].push(id),
                None => roots.push(id),
            }
        }
        let order = |id: &GroupId| (self.groups[id.index as usize].order, id.index);
        roots.sort_by_key(order);
        for list in &mut children {
            list.sort_by_key(order);
        }
        let mut domains_of: Vec<Vec<(usize, Primitive)>> = vec![Vec::new(); self.groups.len()];
        for (index, entry) in self.domains.iter().enumerate() {
            if let Some(entry) = entry {
                domains_of[entry.key.group.index as usize].push((index, entry.key.mode));
            }
        }
        let mut steps = Vec::new();
        // (group, index of its Set step once pushed)
        let mut stack: Vec<(GroupId, Option<usize>)> =
            roots.iter().rev().map(|&g| (g, None)).collect();
        while let Some((group, set_at)) = stack.pop() {
            if let Some(set_at) = set_at {
                steps[set_at] = Step::Set {
                    group,
                    unset: steps.len(),
                };
                steps.push(Step::Unset(group));
                continue;
            }
            let index = group.index as usize;
            if !self.groups[index].visible {
                continue;
            }
            stack.push((group, Some(steps.len())));
            steps.push(Step::Set { group, unset: 0 });
            steps.extend(
                domains_of[index]
                    .iter()
                    .map(|&(d, mode)| Step::Draw(d, mode)),
            );
            stack.extend(children[index].iter().rev().map(|&g| (g, None)));
        }
        self.steps = steps;
    }

    /// Draws every visible group's lists: each group's state is set, its domains drawn (one
    /// multi-draw each), its children drawn, and its state unset.
    ///
    /// A failure does not stop the walk: a group whose state fails to set has its
    /// [`unset_state`](Group::unset_state) called (to undo what it may have set) and is
    /// skipped with its whole subtree; a domain that fails to draw is skipped. Everything
    /// else draws, every group that was set is unset, and the first failure is returned
    /// ([`BatchError::GroupState`] for a group).
    ///
    /// GL state touched: whatever the groups set; each domain binds and unbinds its VAO.
    pub fn draw(&mut self) -> Result<DrawStats, BatchError> {
        validate_clean(&self.gl, "Batch::draw")?;
        self.refresh();
        let mut stats = DrawStats::default();
        let mut first_error = None;
        let mut step = 0;
        while step < self.steps.len() {
            match self.steps[step] {
                Step::Set { group, unset } => {
                    let state = &self.groups[group.index as usize].state;
                    if let Err(error) = state.set_state(&self.gl) {
                        // Whatever unsetting reports, the set failure is the one to tell.
                        let _ = state.unset_state(&self.gl);
                        first_error.get_or_insert(BatchError::GroupState { group, error });
                        step = unset + 1;
                        continue;
                    }
                    stats.groups += 1;
                }
                Step::Unset(group) => {
                    let state = &self.groups[group.index as usize].state;
                    if let Err(error) = state.unset_state(&self.gl) {
                        first_error.get_or_insert(BatchError::GroupState { group, error });
                    }
                }
                Step::Draw(index, mode) => {
                    if let Some(entry) = self.domains[index].as_mut() {
                        match entry.domain.draw(mode) {
                            Ok(calls) => {
                                stats.draw_calls += calls;
                                stats.domains += 1;
                            }
                            Err(error) => {
                                first_error.get_or_insert(error.into());
                            }
                        }
                    }
                }
            }
            step += 1;
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok(stats),
        }
    }
}

/// Whether a domain of `key` can keep a draw order: indexed or instanced.
fn orderable(key: &DomainKey) -> bool {
    key.indexed || key.instances.is_some()
}

/// Two distinct live entries, mutably.
fn two_entries(
    domains: &mut [Option<DomainEntry>],
    a: usize,
    b: usize,
) -> Result<(&mut DomainEntry, &mut DomainEntry), BatchError> {
    let stale = || BatchError::Domain(DomainError::StaleList);
    if a == b || a >= domains.len() || b >= domains.len() {
        return Err(stale());
    }
    let (first, second) = if a < b {
        let (left, right) = domains.split_at_mut(b);
        (&mut left[a], &mut right[0])
    } else {
        let (left, right) = domains.split_at_mut(a);
        (&mut right[0], &mut left[b])
    };
    Ok((
        first.as_mut().ok_or_else(stale)?,
        second.as_mut().ok_or_else(stale)?,
    ))
}

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch")
            .field("groups", &self.groups.len())
            .field("domains", &self.lookup.len())
            .finish()
    }
}
