//! The one item lifecycle: add, change, reorder, move between layers and remove, with
//! every change either complete or undone, written once for every kind ([`Kind`]).
//!
//! A live item is an indexed vertex list of triangles in its layer's domain, and its
//! kind's state. Each change rewrites only what it changes:
//!
//! | change                         | writes                                     |
//! |--------------------------------|--------------------------------------------|
//! | position                       | `translation`, 8 bytes a vertex            |
//! | colour, opacity                | `colour`, 4 bytes a vertex                 |
//! | rotation, anchor, visibility   | `position`, from what the kind keeps or rebuilds |
//! | z                              | nothing: the layer's order is laid out at the next draw |
//! | layer                          | nothing: a GPU copy to the layer's domain  |
//! | geometry (image, text, kind)   | positions and texels from the first vertex that differs; the list resized in place or moved by a GPU copy when its counts change |
//!
//! Order of undo: the new z is set first (CPU work), geometry and attributes written next
//! (staged, CPU work), the migration last (the only step that runs GL); a failure puts the
//! item's old data and z back, and its id, properties and list stay as they were.

use super::atlas::SceneAtlas;
use super::error::SceneError;
use super::item::sealed::{Context, Kind};
use super::item::{bounds_of, ItemId, Props};
use super::vertex::{Corners, Scratch, COLOUR, POSITION, TEX_COORDS, TRANSLATION};
use crate::batch::{Batch, BatchList, FormatId};
use crate::domain::{DomainId, Primitive, Resized, Slots};

/// What the items of one kind have cost so far ([`Scene::stats`](super::Scene::stats)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ItemStats {
    /// Items added.
    pub added: u64,
    /// Times an item's geometry was built again (a new image, scale, text or shape).
    pub rebuilds: u64,
    /// Of those, the ones whose vertex or index count changed and whose list grew or shrank
    /// where it was.
    pub resized_in_place: u64,
    /// Of those, the ones whose list moved to a region that fits, by a GPU copy.
    pub resized_moved: u64,
    /// Vertices whose positions and texels were written by adds and rebuilds (the
    /// unchanged first vertices of a rebuild, such as a label's kept glyphs, are not).
    pub vertices_written: u64,
}

/// A live item: its properties, its list and its kind's state.
pub(crate) struct Entry<K: Kind> {
    pub item: K,
    pub list: BatchList,
    pub state: K::State,
}

/// How many removed items' states a kind keeps for adds to reuse.
const SPARE_STATES: usize = 4096;

/// The live items of one kind, and scratch state for the next build.
pub(crate) struct Items<K: Kind> {
    slots: Slots<Entry<K>>,
    next: K::State,
    /// States of removed items (a label's layout), at most
    /// [`SPARE_STATES`], which adds reuse: their vectors keep their capacity, so a scene
    /// that removes and adds items allocates nothing for their states once warm, and a
    /// removal frees nothing but the item.
    spare: Vec<K::State>,
    stats: ItemStats,
}

/// What a change reaches: the scene's batch, atlas, scratch space, format and scale.
pub(crate) struct Target<'a> {
    pub batch: &'a mut Batch,
    pub atlas: &'a mut SceneAtlas,
    pub scratch: &'a mut Scratch,
    pub format: FormatId,
    pub scale: f32,
}

impl Target<'_> {
    fn context(&mut self) -> Context<'_> {
        Context {
            atlas: self.atlas,
            scale: self.scale,
        }
    }

    /// Writes `item`'s positions (and its texels, when `texels`) from vertex `from` on.
    fn write_corners<K: Kind>(
        &mut self,
        list: BatchList,
        (item, state): (&K, &K::State),
        from: usize,
        texels: bool,
    ) -> Result<(), SceneError> {
        let s = &mut *self.scratch;
        s.corners.positions.clear();
        s.corners.texels.clear();
        item.corners(state, self.atlas, from, &mut s.corners);
        let place = item.props().placer();
        s.positions.clear();
        s.positions
            .extend(s.corners.positions.iter().map(|&p| place(p)));
        self.batch.write_from(list, POSITION, from, &s.positions)?;
        if texels {
            self.batch
                .write_from(list, TEX_COORDS, from, &s.corners.texels)?;
        }
        Ok(())
    }

    /// Writes `props`' position as the translation of the vertices from `from` on.
    fn write_translation(
        &mut self,
        list: BatchList,
        (from, count): (usize, usize),
        props: &Props,
    ) -> Result<(), SceneError> {
        let scratch = &mut self.scratch.positions;
        let at = [props.x, props.y];
        Ok(self
            .batch
            .write_filled(list, TRANSLATION, (from, count - from), at, scratch)?)
    }

    /// Writes `item`'s colours from vertex `from` on.
    fn write_colours<K: Kind>(
        &mut self,
        list: BatchList,
        (item, state): (&K, &K::State),
        from: usize,
    ) -> Result<(), SceneError> {
        let colours = &mut self.scratch.colours;
        colours.clear();
        item.paint(state, colours);
        Ok(self
            .batch
            .write_from(list, COLOUR, from, &colours[from..])?)
    }

    /// Writes the positions and texels of `item` from vertex `from` on, and its
    /// translations and colours from vertex `painted` on (none when that is its count).
    fn write_all<K: Kind>(
        &mut self,
        list: BatchList,
        (item, state): (&K, &K::State),
        (from, painted): (usize, usize),
    ) -> Result<(), SceneError> {
        let (count, _) = K::counts(state);
        self.write_corners(list, (item, state), from, true)?;
        if painted < count {
            self.write_translation(list, (painted, count), item.props())?;
            self.write_colours(list, (item, state), painted)?;
        }
        Ok(())
    }

    /// Sizes `list` for `state`'s counts when they differ from its own and writes its
    /// indices; returns its vertex count before, and how it was resized. A resize keeps
    /// the data of the vertices both sizes have. On error the list keeps its size and data.
    fn size_for<K: Kind>(
        &mut self,
        list: BatchList,
        (item, state): (&K, &K::State),
    ) -> Result<(usize, Option<Resized>), SceneError> {
        let (vertices, indices) = K::counts(state);
        let b = &mut *self.batch;
        let was = b.vertex_count(list)?;
        if (vertices, indices) == (was, b.index_count(list)?) {
            return Ok((was, None));
        }
        let resized = b.resize(list, vertices, indices)?;
        self.scratch.indices.clear();
        item.indices(state, &mut self.scratch.indices);
        self.batch.write_indices(list, &self.scratch.indices)?;
        Ok((was, Some(resized)))
    }

    /// Puts a live item back into its list as it was: its counts, indices and every
    /// attribute. Staged writes only: it fails only where the change it undoes failed on a
    /// bug, and then the first error is the one reported.
    fn restore<K: Kind>(&mut self, entry: &Entry<K>) {
        let _ = self.size_for(entry.list, (&entry.item, &entry.state));
        let _ = self.write_all(entry.list, (&entry.item, &entry.state), (0, 0));
    }
}

impl<K: Kind> Items<K> {
    pub(crate) fn new() -> Self {
        Items {
            slots: Slots::new(DomainId::next()),
            next: K::State::default(),
            spare: Vec::new(),
            stats: ItemStats::default(),
        }
    }

    /// What they cost so far.
    pub(crate) fn stats(&self) -> ItemStats {
        self.stats
    }

    /// Live items.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// The live item `id`.
    pub(crate) fn entry(&self, id: ItemId<K>) -> Result<&Entry<K>, SceneError> {
        (self.slots.get(id)).map_err(|_| SceneError::UnknownItem(K::NAME))
    }

    /// Every live item's id.
    pub(crate) fn ids(&self) -> Vec<ItemId<K>> {
        self.slots.ids().collect()
    }

    /// Adds `item` (its layer checked by the scene) and writes it.
    pub(crate) fn add(&mut self, t: &mut Target<'_>, item: K) -> Result<ItemId<K>, SceneError> {
        let props = *item.props();
        props.check()?;
        let mut state = self.spare.pop().unwrap_or_default();
        if let Err(error) = item.build(None, &mut state, &mut t.context()) {
            self.spare.push(state);
            return Err(error);
        }
        let (vertices, _) = K::counts(&state);
        t.scratch.indices.clear();
        item.indices(&state, &mut t.scratch.indices);
        let added = t.batch.add_indexed_at(
            props.layer.group,
            t.format,
            Primitive::Triangles,
            vertices,
            &t.scratch.indices,
            props.z,
        );
        let list = match added {
            Ok(list) => list,
            Err(error) => {
                self.spare.push(state);
                return Err(error.into());
            }
        };
        if let Err(error) = t.write_all(list, (&item, &state), (0, 0)) {
            self.spare.push(state);
            t.batch.delete(list)?;
            return Err(error);
        }
        self.stats.added += 1;
        self.stats.vertices_written += vertices as u64;
        Ok(self.slots.insert(Entry { item, list, state }))
    }

    /// Moves item `id` to `(x, y)` (finite, checked by the scene): its translation only,
    /// the frame's hot path. The position is recorded once the write is staged.
    #[inline]
    pub(crate) fn move_to(
        &mut self,
        t: &mut Target<'_>,
        id: ItemId<K>,
        (x, y): (f32, f32),
    ) -> Result<(), SceneError> {
        let entry = (self.slots.get_mut(id)).map_err(|_| SceneError::UnknownItem(K::NAME))?;
        let (count, _) = K::counts(&entry.state);
        let scratch = &mut t.scratch.positions;
        t.batch
            .write_filled(entry.list, TRANSLATION, (0, count), [x, y], scratch)?;
        let props = entry.item.props_mut();
        (props.x, props.y) = (x, y);
        Ok(())
    }

    /// Changes the common properties of item `id` through `edit` in place (nothing of the
    /// item is cloned) and rewrites what changed; a new layer (checked by the scene)
    /// migrates it. On error the item is as it was.
    pub(crate) fn edit(
        &mut self,
        t: &mut Target<'_>,
        id: ItemId<K>,
        edit: impl FnOnce(&mut Props),
    ) -> Result<(), SceneError> {
        let entry = (self.slots.get_mut(id)).map_err(|_| SceneError::UnknownItem(K::NAME))?;
        let old = *entry.item.props();
        let mut new = old;
        edit(&mut new);
        new.check()?;
        *entry.item.props_mut() = new;
        match change(t, entry, &old, None) {
            Ok((list, _)) => {
                entry.list = list;
                Ok(())
            }
            Err(error) => {
                *entry.item.props_mut() = old;
                t.restore(entry);
                Err(error)
            }
        }
    }

    /// Replaces item `id` with `item`: rebuilds it when its geometry changed (keeping the
    /// vertices that did not), rewrites what changed, reorders and migrates it. On error
    /// the item is as it was.
    pub(crate) fn replace(
        &mut self,
        t: &mut Target<'_>,
        id: ItemId<K>,
        item: K,
        rebuild: bool,
    ) -> Result<(), SceneError> {
        item.props().check()?;
        let entry = (self.slots.get_mut(id)).map_err(|_| SceneError::UnknownItem(K::NAME))?;
        let rebuild = rebuild || item.rebuilds(&entry.item);
        let first = match rebuild {
            true => Some(item.build(Some(&entry.state), &mut self.next, &mut t.context())?),
            false => None,
        };
        let old = std::mem::replace(&mut entry.item, item);
        if first.is_some() {
            std::mem::swap(&mut entry.state, &mut self.next);
        }
        let changed = change(t, entry, old.props(), Some((&old, first)));
        match changed {
            Ok((list, rebuilt)) => {
                entry.list = list;
                if let Some((written, resized)) = rebuilt {
                    let stats = &mut self.stats;
                    stats.rebuilds += 1;
                    stats.vertices_written += written as u64;
                    match resized {
                        Some(Resized::InPlace) => stats.resized_in_place += 1,
                        Some(Resized::Moved) => stats.resized_moved += 1,
                        None => {}
                    }
                }
                Ok(())
            }
            Err(error) => {
                entry.item = old;
                if first.is_some() {
                    std::mem::swap(&mut entry.state, &mut self.next);
                }
                t.restore(entry);
                Err(error)
            }
        }
    }

    /// The box `[left, bottom, right, top]` that holds item `id`'s vertices (and what its
    /// kind adds, a label's layout block), placed and turned, in its layer's coordinates.
    pub(crate) fn bounds(&self, atlas: &SceneAtlas, id: ItemId<K>) -> Result<[f32; 4], SceneError> {
        let entry = self.entry(id)?;
        let (item, props) = (&entry.item, entry.item.props());
        let mut corners = Corners::default();
        item.corners(&entry.state, atlas, 0, &mut corners);
        if let Some([l, b, r, t]) = item.block(&entry.state) {
            corners.positions.extend([[l, b], [r, b], [r, t], [l, t]]);
        }
        let place = props.placer();
        let placed = corners.positions.iter().map(|&corner| {
            let [x, y] = place(corner);
            [x + props.x, y + props.y]
        });
        Ok(bounds_of(placed).unwrap_or([props.x, props.y, props.x, props.y]))
    }

    /// Removes item `id` and frees its list.
    pub(crate) fn remove(&mut self, batch: &mut Batch, id: ItemId<K>) -> Result<K, SceneError> {
        let list = self.entry(id)?.list;
        batch.delete(list)?;
        let entry = (self.slots.remove(id)).map_err(|_| SceneError::UnknownItem(K::NAME))?;
        if self.spare.len() < SPARE_STATES {
            self.spare.push(entry.state);
        }
        Ok(entry.item)
    }
}

/// What writing a rebuilt item did: the vertices written, and how its list was resized
/// when its counts changed.
type Rebuilt = (usize, Option<Resized>);

/// Writes what changed in `entry` (its item and state already the new ones) from `old`'s
/// properties, and, for a replaced item, from the old item and (when it was rebuilt) the
/// first vertex that differs from the old one's. Returns its list, moved when its layer
/// changed, and for a rebuilt item the vertices written and how its list was resized. On
/// error the caller puts the old item and state back and restores the list; this puts
/// the old z back.
fn change<K: Kind>(
    t: &mut Target<'_>,
    entry: &Entry<K>,
    old: &Props,
    replaced: Option<(&K, Option<usize>)>,
) -> Result<(BatchList, Option<Rebuilt>), SceneError> {
    let (item, state, list) = (&entry.item, &entry.state, entry.list);
    let new = *item.props();
    let rezoned = new.z.to_bits() != old.z.to_bits();
    if rezoned {
        t.batch.set_z(list, new.z)?;
    }
    let written = (|| {
        let (count, _) = K::counts(state);
        let moved = (new.x, new.y) != (old.x, old.y);
        let repaint = new.rgba() != old.rgba() || replaced.is_some_and(|(o, _)| item.repaints(o));
        let turned = new.rotation.to_bits() != old.rotation.to_bits()
            || new.anchor != old.anchor
            || new.visible != old.visible;
        if let Some((_, Some(first))) = replaced {
            let (was, resized) = t.size_for(list, (item, state))?;
            // Kept vertices were placed by the old rotation, anchor and visibility.
            let first = if turned { 0 } else { first };
            // Every vertex the list had keeps its translation and colour, unless those
            // changed: only new vertices need theirs.
            let painted = if moved || repaint { 0 } else { was.min(count) };
            t.write_all(list, (item, state), (first, painted))?;
            return Ok(Some((count - first.min(count), resized)));
        }
        if turned {
            t.write_corners(list, (item, state), 0, false)?;
        }
        if moved {
            t.write_translation(list, (0, count), &new)?;
        }
        if repaint {
            t.write_colours(list, (item, state), 0)?;
        }
        Ok(None)
    })();
    let migrated = written.and_then(|rebuilt| match new.layer == old.layer {
        true => Ok((list, rebuilt)),
        false => Ok((t.batch.migrate(list, new.layer.group)?, rebuilt)),
    });
    if migrated.is_err() && rezoned {
        let _ = t.batch.set_z(list, old.z);
    }
    migrated
}
