//! [`Batch`]: one domain per (group, format, primitive, indexed), drawn group by group.

use std::collections::HashMap;
use std::rc::Rc;

use bytemuck::Pod;

use super::group::{Group, GroupId};
use super::BatchError;
use crate::backend::{BufferStats, MultiDraw, VertexFormat};
use crate::domain::{
    AttributeKey, DomainError, IndexedVertexDomain, IndexedVertexList, Primitive, VertexDomain,
    VertexList,
};

/// Vertex slots a new domain starts with; it grows by doubling.
const INITIAL_VERTICES: usize = 1024;
/// Index slots a new indexed domain starts with.
const INITIAL_INDICES: usize = 1536;

/// A vertex format interned by a [`Batch`] ([`Batch::format_id`]): adding lists by id skips
/// comparing formats. Only meaningful in the batch that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FormatId(u32);

/// Names a list's vertex format for [`Batch::add`]: a `&VertexFormat`, or the [`FormatId`]
/// the batch interned it as.
pub trait FormatKey {
    /// The batch's id for this format, interning it on first use.
    fn id_in(self, batch: &mut Batch) -> Result<FormatId, BatchError>;
}

impl FormatKey for &VertexFormat {
    fn id_in(self, batch: &mut Batch) -> Result<FormatId, BatchError> {
        Ok(batch.format_id(self))
    }
}

impl FormatKey for FormatId {
    fn id_in(self, batch: &mut Batch) -> Result<FormatId, BatchError> {
        match batch.formats.get(self.0 as usize) {
            Some(_) => Ok(self),
            None => Err(BatchError::UnknownFormat),
        }
    }
}

/// What selects a list's domain. The format is interned, so a key is cheap to build and hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct DomainKey {
    group: GroupId,
    format: FormatId,
    mode: Primitive,
    indexed: bool,
}

/// A domain of either kind. Entries live in a `Vec` that is rarely resized, so the size
/// difference between the kinds costs nothing worth a box.
#[allow(clippy::large_enum_variant)]
enum AnyDomain {
    Arrays(VertexDomain),
    Indexed(IndexedVertexDomain),
}

impl AnyDomain {
    fn is_empty(&self) -> bool {
        match self {
            AnyDomain::Arrays(d) => d.is_empty(),
            AnyDomain::Indexed(d) => d.is_empty(),
        }
    }

    fn draw(&mut self, mode: Primitive) -> Result<usize, DomainError> {
        match self {
            AnyDomain::Arrays(d) => d.draw(mode),
            AnyDomain::Indexed(d) => d.draw(mode),
        }
    }

    fn stats(&self) -> BufferStats {
        match self {
            AnyDomain::Arrays(d) => d.stats(),
            AnyDomain::Indexed(d) => d.stats(),
        }
    }

    fn flush(&mut self) -> Result<(), DomainError> {
        match self {
            AnyDomain::Arrays(d) => d.flush(),
            AnyDomain::Indexed(d) => d.flush(),
        }
    }
}

struct DomainEntry {
    key: DomainKey,
    domain: AnyDomain,
}

/// A list's domain-level handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum AnyList {
    Arrays(VertexList),
    Indexed(IndexedVertexList),
}

/// A vertex list in a [`Batch`]: which domain it lives in, and its handle there. `Copy`; a
/// deleted list's handle resolves to [`DomainError::StaleList`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BatchList {
    domain: u32,
    list: AnyList,
}

/// A group's place in the tree.
struct GroupNode {
    state: Box<dyn Group>,
    order: i32,
    parent: Option<GroupId>,
    visible: bool,
}

/// One step of the cached draw list.
#[derive(Debug, Clone, Copy)]
enum Step {
    Set(GroupId),
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
/// Owns GL objects: use and drop it while its context is current.
pub struct Batch {
    gl: Rc<glow::Context>,
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
}

impl Batch {
    /// An empty batch drawing through `gl`, with `multi_draw`'s entry points.
    pub fn new(gl: &Rc<glow::Context>, multi_draw: MultiDraw) -> Self {
        Batch {
            gl: Rc::clone(gl),
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
        }
    }

    /// The GL context.
    pub fn gl(&self) -> &Rc<glow::Context> {
        &self.gl
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
        let id = GroupId(u32::try_from(self.groups.len()).map_err(|_| BatchError::TooManyGroups)?);
        self.groups.push(GroupNode {
            state: Box::new(state),
            order,
            parent,
            visible: true,
        });
        self.dirty = true;
        Ok(id)
    }

    fn node(&self, group: GroupId) -> Result<&GroupNode, BatchError> {
        self.groups
            .get(group.0 as usize)
            .ok_or(BatchError::UnknownGroup(group))
    }

    /// Shows or hides a group and its whole subtree.
    pub fn set_visible(&mut self, group: GroupId, visible: bool) -> Result<(), BatchError> {
        self.node(group)?;
        let node = &mut self.groups[group.0 as usize];
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

    /// Changes a group's order among its siblings.
    pub fn set_order(&mut self, group: GroupId, order: i32) -> Result<(), BatchError> {
        self.node(group)?;
        self.groups[group.0 as usize].order = order;
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
        FormatId(index as u32)
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
        let domain = if key.indexed {
            AnyDomain::Indexed(IndexedVertexDomain::new(
                &self.gl,
                self.multi_draw,
                self.formats[key.format.0 as usize].clone(),
                INITIAL_VERTICES,
                INITIAL_INDICES,
            )?)
        } else {
            AnyDomain::Arrays(VertexDomain::new(
                &self.gl,
                self.multi_draw,
                self.formats[key.format.0 as usize].clone(),
                INITIAL_VERTICES,
            )?)
        };
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
    pub fn add(
        &mut self,
        group: GroupId,
        format: impl FormatKey,
        mode: Primitive,
        vertex_count: usize,
    ) -> Result<BatchList, BatchError> {
        let key = DomainKey {
            group,
            format: format.id_in(self)?,
            mode,
            indexed: false,
        };
        let index = self.domain_for(key)?;
        let AnyDomain::Arrays(domain) = &mut self.entry_mut(index)?.domain else {
            unreachable!("the key says not indexed")
        };
        let list = domain.create(vertex_count);
        self.created(index, list.map(AnyList::Arrays))
    }

    /// Adds an indexed list of `vertex_count` vertices with `indices` (relative to the list)
    /// to the domain of (`group`, `format`, `mode`).
    pub fn add_indexed(
        &mut self,
        group: GroupId,
        format: impl FormatKey,
        mode: Primitive,
        vertex_count: usize,
        indices: &[u32],
    ) -> Result<BatchList, BatchError> {
        let key = DomainKey {
            group,
            format: format.id_in(self)?,
            mode,
            indexed: true,
        };
        let index = self.domain_for(key)?;
        let AnyDomain::Indexed(domain) = &mut self.entry_mut(index)?.domain else {
            unreachable!("the key says indexed")
        };
        let list = domain.create(vertex_count, indices.len()).and_then(|list| {
            match domain.write_indices(list, indices) {
                Ok(()) => Ok(list),
                Err(error) => {
                    domain.delete(list)?;
                    Err(error)
                }
            }
        });
        self.created(index, list.map(AnyList::Indexed))
    }

    /// Wraps a new list's handle, or notes that a failed creation may have left its new
    /// domain empty.
    fn created(
        &mut self,
        index: usize,
        list: Result<AnyList, DomainError>,
    ) -> Result<BatchList, BatchError> {
        match list {
            Ok(list) => Ok(BatchList {
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
            // Built only here: an error built eagerly (`ok_or`) is dropped through a call on
            // every successful write, about a sixth of the cost of moving a sprite.
            _ => Err(BatchError::Domain(DomainError::StaleList)),
        }
    }

    /// Stages `data` as the list's `attribute`; see [`VertexDomain::write`].
    #[inline]
    pub fn write<T: Pod>(
        &mut self,
        list: BatchList,
        attribute: impl AttributeKey,
        data: &[T],
    ) -> Result<(), BatchError> {
        let entry = self.entry_mut(list.domain as usize)?;
        match (&mut entry.domain, list.list) {
            (AnyDomain::Arrays(d), AnyList::Arrays(l)) => d.write(l, attribute, data)?,
            (AnyDomain::Indexed(d), AnyList::Indexed(l)) => d.write(l, attribute, data)?,
            _ => return Err(DomainError::StaleList.into()),
        }
        Ok(())
    }

    /// Reads the list's `attribute` back from GL.
    pub fn read<T: Pod>(
        &mut self,
        list: BatchList,
        attribute: impl AttributeKey,
    ) -> Result<Vec<T>, BatchError> {
        let entry = self.entry_mut(list.domain as usize)?;
        Ok(match (&mut entry.domain, list.list) {
            (AnyDomain::Arrays(d), AnyList::Arrays(l)) => d.read(l, attribute)?,
            (AnyDomain::Indexed(d), AnyList::Indexed(l)) => d.read(l, attribute)?,
            _ => return Err(DomainError::StaleList.into()),
        })
    }

    /// Deletes a list. A domain it leaves empty is dropped at the next draw.
    pub fn delete(&mut self, list: BatchList) -> Result<(), BatchError> {
        let entry = self.entry_mut(list.domain as usize)?;
        match (&mut entry.domain, list.list) {
            (AnyDomain::Arrays(d), AnyList::Arrays(l)) => d.delete(l)?,
            (AnyDomain::Indexed(d), AnyList::Indexed(l)) => d.delete(l)?,
            _ => return Err(DomainError::StaleList.into()),
        }
        if entry.domain.is_empty() {
            self.maybe_empty = true;
        }
        Ok(())
    }

    /// Moves a list to the domain of `group` (same format and primitive), by GPU copies.
    /// Returns its new handle; the old one becomes stale.
    pub fn migrate(&mut self, list: BatchList, group: GroupId) -> Result<BatchList, BatchError> {
        let mut key = self.entry_mut(list.domain as usize)?.key;
        if key.group == group {
            return Ok(list);
        }
        key.group = group;
        let to = self.domain_for(key)?;
        let from = list.domain as usize;
        let (source, target) = two_entries(&mut self.domains, from, to)?;
        let moved = match (&mut source.domain, &mut target.domain, list.list) {
            (AnyDomain::Arrays(a), AnyDomain::Arrays(b), AnyList::Arrays(l)) => {
                a.migrate(l, b).map(AnyList::Arrays)
            }
            (AnyDomain::Indexed(a), AnyDomain::Indexed(b), AnyList::Indexed(l)) => {
                a.migrate(l, b).map(AnyList::Indexed)
            }
            _ => Err(DomainError::StaleList),
        };
        self.maybe_empty = true;
        self.created(to, moved)
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
                let empty = matches!(&self.domains[index], Some(e) if e.domain.is_empty());
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
            let id = GroupId(i as u32);
            match node.parent {
                Some(parent) => children[parent.0 as usize].push(id),
                None => roots.push(id),
            }
        }
        let order = |id: &GroupId| (self.groups[id.0 as usize].order, id.0);
        roots.sort_by_key(order);
        for list in &mut children {
            list.sort_by_key(order);
        }
        let mut domains_of: Vec<Vec<(usize, Primitive)>> = vec![Vec::new(); self.groups.len()];
        for (index, entry) in self.domains.iter().enumerate() {
            if let Some(entry) = entry {
                domains_of[entry.key.group.0 as usize].push((index, entry.key.mode));
            }
        }
        let mut steps = Vec::new();
        let mut stack: Vec<(GroupId, bool)> = roots.iter().rev().map(|&g| (g, false)).collect();
        while let Some((group, done)) = stack.pop() {
            if done {
                steps.push(Step::Unset(group));
                continue;
            }
            if !self.groups[group.0 as usize].visible {
                continue;
            }
            steps.push(Step::Set(group));
            steps.extend(
                domains_of[group.0 as usize]
                    .iter()
                    .map(|&(d, mode)| Step::Draw(d, mode)),
            );
            stack.push((group, true));
            stack.extend(children[group.0 as usize].iter().rev().map(|&g| (g, false)));
        }
        self.steps = steps;
    }

    /// Draws every visible group's lists: each group's state is set, its domains drawn (one
    /// multi-draw each), its children drawn, and its state unset.
    ///
    /// GL state touched: whatever the groups set; each domain binds and unbinds its VAO.
    pub fn draw(&mut self) -> Result<DrawStats, BatchError> {
        self.refresh();
        let mut stats = DrawStats::default();
        for &step in &self.steps {
            match step {
                Step::Set(group) => {
                    self.groups[group.0 as usize].state.set_state(&self.gl)?;
                    stats.groups += 1;
                }
                Step::Unset(group) => {
                    self.groups[group.0 as usize].state.unset_state(&self.gl)?;
                }
                Step::Draw(index, mode) => {
                    if let Some(entry) = self.domains[index].as_mut() {
                        stats.draw_calls += entry.domain.draw(mode)?;
                        stats.domains += 1;
                    }
                }
            }
        }
        Ok(stats)
    }
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
