//! Generational handles for vertex lists, and the slot table that resolves them.
//!
//! A handle names its domain, a slot and the slot's generation. Deleting a list bumps the
//! slot's generation, so a stale handle no longer resolves: it gets
//! [`DomainError::StaleList`](super::DomainError::StaleList), never the data of whichever
//! list reuses the slot (pyglet users meet "Region not allocated" from stale `(start, size)`
//! pairs instead). A handle used on another domain gets
//! [`DomainError::WrongDomain`](super::DomainError::WrongDomain).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU32, Ordering};

/// Identifies one domain among all domains of the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainId(u32);

impl DomainId {
    /// A fresh id, never handed out before in this process (until `u32` wraps).
    pub(crate) fn next() -> Self {
        DomainId(process_unique())
    }
}

/// A number never handed out before in this process (until `u32` wraps): the one source of
/// the ids that let domains and batches tell their own handles from others'.
pub(crate) fn process_unique() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Marker for lists of a [`VertexDomain`](super::VertexDomain).
#[derive(Debug)]
pub enum Arrays {}

/// Marker for lists of an [`IndexedVertexDomain`](super::IndexedVertexDomain).
#[derive(Debug)]
pub enum Indexed {}

/// Marker for meshes of an [`InstancedVertexDomain`](super::InstancedVertexDomain).
#[derive(Debug)]
pub enum Instanced {}

/// Marker for meshes of an [`InstancedIndexedVertexDomain`](super::InstancedIndexedVertexDomain).
#[derive(Debug)]
pub enum IndexedInstanced {}

/// Marker for instances of an instanced domain's meshes.
#[derive(Debug)]
pub enum Instance {}

/// A mesh of an [`InstancedVertexDomain`](super::InstancedVertexDomain): vertices drawn
/// once per instance.
pub type InstancedMesh = ListId<Instanced>;

/// A mesh of an [`InstancedIndexedVertexDomain`](super::InstancedIndexedVertexDomain).
pub type IndexedMesh = ListId<IndexedInstanced>;

/// One instance of a mesh: one record of every instance attribute. A deleted instance's id
/// resolves to an error; the other instances keep their ids when their records move.
pub type InstanceId = ListId<Instance>;

/// A handle to a vertex list in a domain. `Copy`, cheap, and safe to keep after deletion:
/// a stale handle resolves to an error.
pub struct ListId<K> {
    domain: DomainId,
    slot: u32,
    generation: u32,
    kind: PhantomData<fn() -> K>,
}

/// A list of a [`VertexDomain`](super::VertexDomain).
pub type VertexList = ListId<Arrays>;

/// A list of an [`IndexedVertexDomain`](super::IndexedVertexDomain).
pub type IndexedVertexList = ListId<Indexed>;

impl<K> ListId<K> {
    /// The domain this list was created in.
    pub fn domain(&self) -> DomainId {
        self.domain
    }

    /// The same handle under another kind marker, for tables that hold handles of every
    /// kind.
    pub(crate) fn cast<L>(self) -> ListId<L> {
        ListId {
            domain: self.domain,
            slot: self.slot,
            generation: self.generation,
            kind: PhantomData,
        }
    }
}

impl<K> Clone for ListId<K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K> Copy for ListId<K> {}
impl<K> PartialEq for ListId<K> {
    fn eq(&self, other: &Self) -> bool {
        (self.domain, self.slot, self.generation) == (other.domain, other.slot, other.generation)
    }
}
impl<K> Eq for ListId<K> {}
impl<K> Hash for ListId<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.domain, self.slot, self.generation).hash(state);
    }
}
impl<K> fmt::Debug for ListId<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "List({:?}, {}v{})",
            self.domain, self.slot, self.generation
        )
    }
}

/// Why a handle did not resolve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unresolved {
    WrongDomain,
    Stale,
}

/// One slot: a value while occupied, and the generation that handles must carry.
#[derive(Debug, Clone)]
struct Slot<T> {
    generation: u32,
    value: Option<T>,
}

/// A table of values addressed by [`ListId`]s of one domain.
///
/// Invariants: `free` lists exactly the empty slots whose generation can still be bumped;
/// `len` counts the occupied slots.
#[derive(Debug, Clone)]
pub(crate) struct Slots<T> {
    domain: DomainId,
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    len: usize,
}

impl<T> Slots<T> {
    pub(crate) fn new(domain: DomainId) -> Self {
        Slots {
            domain,
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
        }
    }

    pub(crate) fn domain(&self) -> DomainId {
        self.domain
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Stores `value` and returns its handle. Allocates only when no slot is free.
    pub(crate) fn insert<K>(&mut self, value: T) -> ListId<K> {
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize].value = Some(value);
                slot
            }
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    value: Some(value),
                });
                (self.slots.len() - 1) as u32
            }
        };
        self.len += 1;
        ListId {
            domain: self.domain,
            slot,
            generation: self.slots[slot as usize].generation,
            kind: PhantomData,
        }
    }

    fn check<K>(&self, id: ListId<K>) -> Result<usize, Unresolved> {
        if id.domain != self.domain {
            return Err(Unresolved::WrongDomain);
        }
        match self.slots.get(id.slot as usize) {
            Some(slot) if slot.generation == id.generation && slot.value.is_some() => {
                Ok(id.slot as usize)
            }
            _ => Err(Unresolved::Stale),
        }
    }

    /// The slot index of a live handle: a key for tables kept beside this one.
    #[inline]
    pub(crate) fn index<K>(&self, id: ListId<K>) -> Result<usize, Unresolved> {
        self.check(id)
    }

    #[inline]
    pub(crate) fn get<K>(&self, id: ListId<K>) -> Result<&T, Unresolved> {
        let i = self.check(id)?;
        self.slots[i].value.as_ref().ok_or(Unresolved::Stale)
    }

    #[inline]
    pub(crate) fn get_mut<K>(&mut self, id: ListId<K>) -> Result<&mut T, Unresolved> {
        let i = self.check(id)?;
        self.slots[i].value.as_mut().ok_or(Unresolved::Stale)
    }

    /// Takes the value out and retires the handle: the slot's generation moves on.
    pub(crate) fn remove<K>(&mut self, id: ListId<K>) -> Result<T, Unresolved> {
        let i = self.check(id)?;
        let slot = &mut self.slots[i];
        let value = slot.value.take().ok_or(Unresolved::Stale)?;
        self.len -= 1;
        // A slot whose generation is spent is never reused, so no handle can come back.
        if let Some(next) = slot.generation.checked_add(1) {
            slot.generation = next;
            self.free.push(i as u32);
        }
        Ok(value)
    }

    /// The handles of the live values, in slot order.
    pub(crate) fn ids<K>(&self) -> impl Iterator<Item = ListId<K>> + '_ {
        (self.slots.iter().enumerate()).filter_map(|(i, s)| {
            s.value.as_ref().map(|_| ListId {
                domain: self.domain,
                slot: i as u32,
                generation: s.generation,
                kind: PhantomData,
            })
        })
    }

    /// The live values, in slot order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().filter_map(|s| s.value.as_ref())
    }

    /// The live value at slot `index`, if any.
    pub(crate) fn at_mut(&mut self, index: usize) -> Option<&mut T> {
        self.slots.get_mut(index)?.value.as_mut()
    }

    /// The live values with their slot indices, in slot order.
    pub(crate) fn indexed(&self) -> impl Iterator<Item = (usize, &T)> {
        (self.slots.iter().enumerate()).filter_map(|(i, s)| s.value.as_ref().map(|v| (i, v)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_removed_handle_is_stale_even_after_its_slot_is_reused() {
        let mut slots = Slots::new(DomainId::next());
        let a: VertexList = slots.insert("a");
        assert_eq!(slots.remove(a), Ok("a"));
        let b: VertexList = slots.insert("b");
        assert_eq!(slots.get(b), Ok(&"b"));
        assert_eq!(slots.get(a), Err(Unresolved::Stale));
        assert_eq!(slots.remove(a), Err(Unresolved::Stale));
        assert_eq!(slots.len(), 1);
    }

    #[test]
    fn a_handle_from_another_domain_is_refused() {
        let mut first = Slots::new(DomainId::next());
        let mut second = Slots::<u8>::new(DomainId::next());
        let id: VertexList = first.insert(1u8);
        let _: VertexList = second.insert(2u8);
        assert_eq!(second.get(id), Err(Unresolved::WrongDomain));
    }
}
