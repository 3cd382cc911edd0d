//! The fault-injected model test over every kind of thing that owns vertices, on a real GL
//! context: shared by `tests/gl_model.rs` (seeded runs) and the fuzz target
//! `fuzz/fuzz_targets/gl_model.rs` (operations decoded from the fuzzer's bytes).
//!
//! A [`World`] holds two [`VertexDomain`]s, two [`IndexedVertexDomain`]s (lists migrate
//! between the two of a kind), two [`InstancedVertexDomain`]s and two
//! [`InstancedIndexedVertexDomain`]s (instances migrate between the two of a kind), a
//! [`Batch`] of two groups, and a [`Scene`] of sprites in two layers, plus a CPU model of every
//! list, mesh and instance in them (a deleted instance's slot takes the mesh's last, as
//! `Vec::swap_remove` does). Each [`World::step`] runs one operation:
//! create, write, write indices, resize both ways, migrate, delete, draw, and misuse (stale
//! and foreign handles, wrong types and sizes, partial primitives, another scene's layers
//! and images). Before one operation in five, something is made to fail on the real
//! context: a fault armed at one of the crate's GL steps ([`fault`]), a GL error queued
//! first by the test itself, a buffer cap that forbids growth, or a group whose state fails
//! to set.
//!
//! After every operation, failed or not, [`World::check`] asserts that every live list's
//! vertices and indices read back from GL equal the model's, that every mesh's instances
//! are the model's, in its order, contiguous, with the model's records, that each list's slots are
//! where the model last saw them, that no two live lists overlap, and that the allocators
//! hold exactly the model's lists. A call that returned `Ok` must have done all it says,
//! one that returned `Err` nothing at all, and a call during which a fault fired must have
//! returned `Err`. Every [`PIXEL_EVERY`] operations, [`World::check_pixels`] draws each
//! target and compares the picture with a reference draw of the model's data from fresh
//! buffers (additive blending makes the picture independent of draw order).
#![allow(dead_code)]

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use glow::HasContext;
use vertex_domain::backend::fault::{self, Site};
use vertex_domain::backend::{
    clear_gl_errors, Attribute, BufferStats, ComponentType, GlError, InstanceDraw, MultiDraw,
    Program, RenderTarget, ShaderVersion, VertexFormat,
};
use vertex_domain::backend::{StreamConfig, StreamStats};
use vertex_domain::batch::{
    Batch, BatchError, BatchList, GroupId, Placement, ProgramGroup, StateGroup,
};
use vertex_domain::domain::{
    Arrays, Domain, DomainError, DomainKind, Indexed, IndexedInstanced, InstanceId, Instanced,
    InstancedIndexedVertexDomain, InstancedKind, InstancedVertexDomain, ListId, Primitive, Resized,
};
use vertex_domain::scene::{Image, Layer, Props, Scene, SceneError, Sprite, SpriteId};

/// Pixels of the render target's side.
const SIZE: u32 = 64;
/// Operations between two pixel checks.
pub const PIXEL_EVERY: usize = 40;
/// Domains start this small, so they grow again and again.
const INITIAL_CAPACITY: usize = 16;
/// At most this many live lists per domain (readback after every op costs per list).
const MAX_LISTS: usize = 6;
/// At most this many live lists in the batch, and sprites in the scene.
const MAX_BATCH_LISTS: usize = 8;
/// Sprites sit in cells of this many pixels, one sprite a cell, so none overlap.
const CELL: u32 = 8;
const CELLS: usize = ((SIZE / CELL) * (SIZE / CELL)) as usize;

/// Where the operations' random choices come from: a seeded generator, or fuzzer bytes.
/// `None` ends the run.
pub trait Source {
    /// The next 64 random bits.
    fn next(&mut self) -> Option<u64>;

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> Option<u64> {
        Some(self.next()? % n.max(1))
    }

    /// True `percent` % of the time.
    fn chance(&mut self, percent: u64) -> Option<bool> {
        Some(self.below(100)? < percent)
    }

    /// A float in `lo..hi`.
    fn float(&mut self, lo: f32, hi: f32) -> Option<f32> {
        Some(lo + (self.next()? >> 40) as f32 / (1u64 << 24) as f32 * (hi - lo))
    }
}

/// What a run did, for the closing report.
#[derive(Debug, Default, Clone, Copy)]
pub struct Counts {
    /// Operations run.
    pub ops: usize,
    /// Operations that returned an error.
    pub failed: usize,
    /// Operations run with something made to fail on the context (a fault armed, an error
    /// queued, a buffer cap, a failing group).
    pub provoked: usize,
    /// Faults that fired inside the crate's GL steps.
    pub faults_fired: u64,
    /// GL errors the test queued before an operation.
    pub queued_errors: usize,
    /// Growths refused by a buffer cap.
    pub capped: usize,
    /// Misuse operations (stale or foreign handles, wrong types or sizes, partial
    /// primitives), each of which must fail.
    pub misuse: usize,
    /// Pixel comparisons against a reference draw.
    pub pixel_checks: usize,
}

// ---------------------------------------------------------------------------------------
// Domains

/// The attributes every domain list has: a position, a colour, and an integer id read by
/// shaders as an `int`.
fn format() -> VertexFormat {
    VertexFormat::new(vec![
        Attribute::new("position", 0, 2, ComponentType::F32),
        Attribute::new("colour", 1, 4, ComponentType::U8).normalized(),
        Attribute::new("id", 2, 1, ComponentType::I32).integer(),
    ])
    .unwrap()
}

/// What the model knows of one list. Vertices a resize added are unknown (`None`) until
/// written.
#[derive(Debug, Clone)]
struct ListModel<K> {
    handle: ListId<K>,
    positions: Vec<Option<[f32; 2]>>,
    colours: Vec<Option<[u8; 4]>>,
    ids: Vec<Option<i32>>,
    indices: Vec<u32>,
    start: usize,
    index_start: usize,
}

impl<K> ListModel<K> {
    fn vertex_count(&self) -> usize {
        self.positions.len()
    }

    fn is_known(&self) -> bool {
        self.positions.iter().all(Option::is_some)
            && self.colours.iter().all(Option::is_some)
            && self.ids.iter().all(Option::is_some)
    }
}

/// The part of the domain API that differs between kinds, for one model over both.
trait ModelKind: DomainKind + Sized + 'static {
    const NAME: &'static str;
    fn new_domain(gl: &Arc<glow::Context>, md: MultiDraw) -> Domain<Self>;
    fn create(d: &mut Domain<Self>, v: usize, i: usize) -> Result<ListId<Self>, DomainError>;
    fn resize(
        d: &mut Domain<Self>,
        l: ListId<Self>,
        v: usize,
        i: usize,
    ) -> Result<Resized, DomainError>;
    fn write_indices(d: &mut Domain<Self>, l: ListId<Self>, i: &[u32]) -> Result<(), DomainError>;
    fn read_indices(d: &mut Domain<Self>, l: ListId<Self>) -> Vec<u32>;
    fn index_start(d: &Domain<Self>, l: ListId<Self>) -> usize;
    fn index_regions(d: &Domain<Self>) -> (Vec<usize>, Vec<usize>);
}

impl ModelKind for Arrays {
    const NAME: &'static str = "plain";
    fn new_domain(gl: &Arc<glow::Context>, md: MultiDraw) -> Domain<Self> {
        streamed(Domain::<Arrays>::new(gl, md, format(), INITIAL_CAPACITY).unwrap())
    }
    fn create(d: &mut Domain<Self>, v: usize, _: usize) -> Result<ListId<Self>, DomainError> {
        d.create(v)
    }
    fn resize(
        d: &mut Domain<Self>,
        l: ListId<Self>,
        v: usize,
        _: usize,
    ) -> Result<Resized, DomainError> {
        d.resize(l, v)
    }
    fn write_indices(_: &mut Domain<Self>, _: ListId<Self>, _: &[u32]) -> Result<(), DomainError> {
        Ok(())
    }
    fn read_indices(_: &mut Domain<Self>, _: ListId<Self>) -> Vec<u32> {
        Vec::new()
    }
    fn index_start(_: &Domain<Self>, _: ListId<Self>) -> usize {
        0
    }
    fn index_regions(_: &Domain<Self>) -> (Vec<usize>, Vec<usize>) {
        (Vec::new(), Vec::new())
    }
}

impl ModelKind for Indexed {
    const NAME: &'static str = "indexed";
    fn new_domain(gl: &Arc<glow::Context>, md: MultiDraw) -> Domain<Self> {
        streamed(
            Domain::<Indexed>::new(gl, md, format(), INITIAL_CAPACITY, INITIAL_CAPACITY).unwrap(),
        )
    }
    fn create(d: &mut Domain<Self>, v: usize, i: usize) -> Result<ListId<Self>, DomainError> {
        d.create(v, i)
    }
    fn resize(
        d: &mut Domain<Self>,
        l: ListId<Self>,
        v: usize,
        i: usize,
    ) -> Result<Resized, DomainError> {
        d.resize(l, v, i)
    }
    fn write_indices(d: &mut Domain<Self>, l: ListId<Self>, i: &[u32]) -> Result<(), DomainError> {
        d.write_indices(l, i)
    }
    fn read_indices(d: &mut Domain<Self>, l: ListId<Self>) -> Vec<u32> {
        d.read_indices(l).unwrap()
    }
    fn index_start(d: &Domain<Self>, l: ListId<Self>) -> usize {
        d.index_start(l).unwrap()
    }
    fn index_regions(d: &Domain<Self>) -> (Vec<usize>, Vec<usize>) {
        d.index_allocator().allocated_regions()
    }
}

/// Merges `(start, count)` runs into aggregate regions, as an allocator reports them;
/// panics if two overlap.
fn aggregate(mut runs: Vec<(usize, usize)>, what: &str) -> (Vec<usize>, Vec<usize>) {
    runs.retain(|&(_, n)| n > 0);
    runs.sort_unstable();
    let (mut starts, mut sizes): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
    for (start, n) in runs {
        match (starts.last(), sizes.last_mut()) {
            (Some(&s), Some(size)) if s + *size > start => {
                panic!("{what}: two live lists overlap at slot {start}")
            }
            (Some(&s), Some(size)) if s + *size == start => *size += n,
            _ => {
                starts.push(start);
                sizes.push(n);
            }
        }
    }
    (starts, sizes)
}

thread_local! {
    /// How every domain, batch and scene a world makes on this thread streams.
    static STREAM: Cell<StreamConfig> = Cell::new(StreamConfig::default());
    /// The stream statistics of domains the world has dropped.
    static DROPPED: Cell<StreamStats> = Cell::new(StreamStats::default());
}

/// Makes the worlds created next on this thread stream their writes by `config`.
pub fn use_stream(config: StreamConfig) {
    STREAM.with(|s| s.set(config));
    // A new run: in the browser every test runs on the one thread, so the statistics of
    // an earlier run's dropped domains must not count here.
    DROPPED.with(|s| s.set(StreamStats::default()));
}

fn stream_config() -> StreamConfig {
    STREAM.with(Cell::get)
}

/// `domain`, switched to this thread's stream configuration.
fn streamed<K: DomainKind>(mut domain: Domain<K>) -> Domain<K> {
    domain.set_stream_config(stream_config()).unwrap();
    domain
}

/// The sum of `domains`' stream statistics.
fn streams<K: DomainKind>(domains: &[Domain<K>]) -> StreamStats {
    domains
        .iter()
        .map(|d| d.stream().stats())
        .fold(StreamStats::default(), |a, b| a + b)
}

/// Two domains of one kind and the model of their lists.
struct Domains<K: ModelKind> {
    gl: Arc<glow::Context>,
    multi_draw: MultiDraw,
    domains: [Domain<K>; 2],
    lists: [Vec<ListModel<K>>; 2],
    /// Handles of deleted or migrated lists, for misuse.
    stale: Vec<ListId<K>>,
}

/// Fresh data for `n` vertices: small triangles' corners, dim colours (additive blending
/// stays well below saturation), ids of both signs.
fn fresh<S: Source>(src: &mut S, n: usize) -> Option<Vertices> {
    let mut positions = Vec::with_capacity(n);
    let mut centre = [0.0; 2];
    for v in 0..n {
        if v % 3 == 0 {
            centre = [src.float(-0.8, 0.8)?, src.float(-0.8, 0.8)?];
        }
        positions.push([
            centre[0] + src.float(-0.15, 0.15)?,
            centre[1] + src.float(-0.15, 0.15)?,
        ]);
    }
    let mut colours = Vec::with_capacity(n);
    for _ in 0..n {
        let bits = src.next()?.to_le_bytes();
        colours.push([bits[0] % 48, bits[1] % 48, bits[2] % 48, 8 + bits[3] % 24]);
    }
    let mut ids = Vec::with_capacity(n);
    for _ in 0..n {
        ids.push(src.next()? as i32);
    }
    Some(Vertices {
        positions,
        colours,
        ids,
    })
}

/// A vertex count: mostly whole triangles, sometimes not, sometimes none.
fn vertex_count<S: Source>(src: &mut S) -> Option<usize> {
    Some(match src.below(10)? {
        0 => 0,
        1 | 2 => 1 + src.below(10)? as usize,
        _ => 3 * (1 + src.below(4)? as usize),
    })
}

impl<K: ModelKind> Domains<K> {
    fn new(gl: &Arc<glow::Context>, md: MultiDraw) -> Self {
        Domains {
            gl: gl.clone(),
            multi_draw: md.clone(),
            domains: [K::new_domain(gl, md.clone()), K::new_domain(gl, md)],
            lists: [Vec::new(), Vec::new()],
            stale: Vec::new(),
        }
    }

    /// Writes fresh data to every attribute of list `i` of domain `d`, in the domain and
    /// the model. Writes are staged on the CPU and cannot be made to fail.
    fn write_all<S: Source>(&mut self, src: &mut S, d: usize, i: usize) -> Option<()> {
        let list = &mut self.lists[d][i];
        let Vertices {
            positions,
            colours,
            ids,
        } = fresh(src, list.vertex_count())?;
        let domain = &mut self.domains[d];
        domain.write(list.handle, "position", &positions).unwrap();
        domain.write(list.handle, 1, &colours).unwrap();
        domain.write(list.handle, "id", &ids).unwrap();
        list.positions = positions.into_iter().map(Some).collect();
        list.colours = colours.into_iter().map(Some).collect();
        list.ids = ids.into_iter().map(Some).collect();
        Some(())
    }

    /// Random relative indices for `vertices` vertices.
    fn indices<S: Source>(src: &mut S, count: usize, vertices: usize) -> Option<Vec<u32>> {
        (0..count)
            .map(|_| Some(src.below(vertices as u64)? as u32))
            .collect()
    }

    /// Where the domain now says the list is.
    fn placed(&self, d: usize, handle: ListId<K>) -> (usize, usize) {
        let domain = &self.domains[d];
        (
            domain.start(handle).unwrap(),
            K::index_start(domain, handle),
        )
    }

    /// One operation on this pair of domains. Returns whether it failed, and whether it
    /// was misuse (which must fail).
    fn step<S: Source>(&mut self, src: &mut S, roll: u64) -> Option<Outcome> {
        let d = src.below(2)? as usize;
        let n = self.lists[d].len();
        let pick = |src: &mut S| -> Option<Option<usize>> {
            Some((n > 0).then_some(src.below(n as u64)? as usize))
        };
        Some(match roll {
            0..=24 if n < MAX_LISTS => {
                let v = vertex_count(src)?;
                let i = if K::INDEXED && v > 0 {
                    3 * src.below(6)? as usize
                } else {
                    0
                };
                let before = self.domains[d].stats();
                let created = K::create(&mut self.domains[d], v, i);
                self.assert_growth_uploads_nothing(d, before);
                match created {
                    Ok(handle) => {
                        let (start, index_start) = self.placed(d, handle);
                        self.lists[d].push(ListModel {
                            handle,
                            positions: vec![None; v],
                            colours: vec![None; v],
                            ids: vec![None; v],
                            indices: vec![0; i],
                            start,
                            index_start,
                        });
                        let new = self.lists[d].len() - 1;
                        self.write_all(src, d, new)?;
                        if i > 0 {
                            let indices = Self::indices(src, i, v)?;
                            K::write_indices(&mut self.domains[d], handle, &indices).unwrap();
                            self.lists[d][new].indices = indices;
                        }
                        Outcome::Ok
                    }
                    Err(error) => Outcome::failed(error),
                }
            }
            0..=34 => {
                let Some(i) = pick(src)? else {
                    return Some(Outcome::Ok);
                };
                self.write_all(src, d, i)?;
                if K::INDEXED && src.chance(50)? {
                    let list = &self.lists[d][i];
                    let indices = Self::indices(src, list.indices.len(), list.vertex_count())?;
                    K::write_indices(&mut self.domains[d], list.handle, &indices).unwrap();
                    self.lists[d][i].indices = indices;
                }
                Outcome::Ok
            }
            35..=54 => {
                let Some(i) = pick(src)? else {
                    return Some(Outcome::Ok);
                };
                let v = vertex_count(src)?;
                let ic = if K::INDEXED && v > 0 {
                    3 * src.below(7)? as usize
                } else {
                    0
                };
                let handle = self.lists[d][i].handle;
                let before = self.domains[d].stats();
                let resized = K::resize(&mut self.domains[d], handle, v, ic);
                self.assert_growth_uploads_nothing(d, before);
                match resized {
                    Ok(how) => {
                        let (start, index_start) = self.placed(d, handle);
                        let list = &mut self.lists[d][i];
                        let stayed = (start, index_start) == (list.start, list.index_start);
                        let said = how == Resized::InPlace;
                        assert_eq!(said, stayed, "resize said {how:?}");
                        list.positions.resize(v, None);
                        list.colours.resize(v, None);
                        list.ids.resize(v, None);
                        for index in &mut list.indices {
                            if *index as usize >= v {
                                *index = 0;
                            }
                        }
                        list.indices.resize(ic, 0);
                        (list.start, list.index_start) = (start, index_start);
                        if src.chance(50)? {
                            self.write_all(src, d, i)?;
                        }
                        Outcome::Ok
                    }
                    Err(error) => Outcome::failed(error),
                }
            }
            55..=66 => {
                let Some(i) = pick(src)? else {
                    return Some(Outcome::Ok);
                };
                let handle = self.lists[d][i].handle;
                match self.domains[d].delete(handle) {
                    Ok(()) => {
                        self.lists[d].swap_remove(i);
                        self.stale.push(handle);
                        Outcome::Ok
                    }
                    Err(error) => Outcome::failed(error),
                }
            }
            67..=78 if self.lists[1 - d].len() < MAX_LISTS => {
                let Some(i) = pick(src)? else {
                    return Some(Outcome::Ok);
                };
                let handle = self.lists[d][i].handle;
                let [a, b] = &mut self.domains;
                let (from, to) = if d == 0 { (a, b) } else { (b, a) };
                match from.migrate(handle, to) {
                    Ok(moved) => {
                        let mut list = self.lists[d].swap_remove(i);
                        list.handle = moved;
                        (list.start, list.index_start) = self.placed(1 - d, moved);
                        self.lists[1 - d].push(list);
                        self.stale.push(handle);
                        Outcome::Ok
                    }
                    Err(error) => Outcome::failed(error),
                }
            }
            79..=88 => {
                let mode = [Primitive::Triangles, Primitive::Points, Primitive::Lines]
                    [src.below(3)? as usize];
                let partial = self.partial_lists(d, mode);
                match self.domains[d].draw(mode) {
                    Ok(_) => {
                        assert_eq!(partial, 0, "{} draw of partial {mode:?}", K::NAME);
                        Outcome::Ok
                    }
                    Err(DomainError::PartialPrimitives { lists, .. }) => {
                        assert_eq!(lists, partial, "{} partial lists", K::NAME);
                        Outcome::Misuse
                    }
                    Err(error) => Outcome::failed(error),
                }
            }
            _ => self.misuse(src, d)?,
        })
    }

    /// Asserts that a create or resize, which found nothing staged (the last check flushed
    /// everything), uploaded nothing from the CPU, and that a growth copied on the GPU.
    fn assert_growth_uploads_nothing(&self, d: usize, before: BufferStats) {
        let after = self.domains[d].stats();
        assert_eq!(
            after.uploaded_bytes,
            before.uploaded_bytes,
            "{} domain {d}: a create or resize uploaded from the CPU",
            K::NAME
        );
        // A buffer GL holds nothing of yet (never flushed) grows without a copy.
        let copying = |s: BufferStats| s.grows - s.empty_grows;
        if copying(after) > copying(before) {
            assert!(
                after.copied_bytes > before.copied_bytes,
                "growth copied nothing"
            );
        }
    }

    /// Replaces an empty domain by a fresh, small one now and then, so growth keeps
    /// happening. Run between operations, with nothing armed.
    fn recycle<S: Source>(&mut self, src: &mut S) -> Option<()> {
        for d in 0..2 {
            if self.lists[d].is_empty() && src.chance(30)? {
                let old = std::mem::replace(
                    &mut self.domains[d],
                    K::new_domain(&self.gl, self.multi_draw.clone()),
                );
                DROPPED.with(|s| s.set(s.get() + old.stream().stats()));
            }
        }
        Some(())
    }

    /// Lists of domain `d` that are not whole primitives of `mode`, by the model.
    fn partial_lists(&self, d: usize, mode: Primitive) -> usize {
        let per = mode.per_primitive().unwrap_or(1);
        self.lists[d]
            .iter()
            .filter(|l| {
                let count = if K::INDEXED {
                    l.indices.len()
                } else {
                    l.vertex_count()
                };
                count % per != 0
            })
            .count()
    }

    /// A call the domain must refuse, with the error it must give.
    fn misuse<S: Source>(&mut self, src: &mut S, d: usize) -> Option<Outcome> {
        let domain = &mut self.domains[d];
        let live = self.lists[d].first().map(|l| (l.handle, l.vertex_count()));
        let result = match (src.below(5)?, live) {
            (0, _) if !self.stale.is_empty() => {
                let handle = self.stale[src.below(self.stale.len() as u64)? as usize];
                let error = domain.write(handle, 0, &[[0.0f32; 2]; 1]).unwrap_err();
                assert!(
                    matches!(error, DomainError::StaleList | DomainError::WrongDomain),
                    "{error}"
                );
                // A handle of this very domain is stale, one of the other domain foreign.
                if handle.domain() == domain.id() {
                    assert_eq!(error, DomainError::StaleList);
                } else {
                    assert_eq!(error, DomainError::WrongDomain);
                }
                Err(error)
            }
            (1, _) if !self.lists[1 - d].is_empty() => {
                let foreign = self.lists[1 - d][0].handle;
                let error = domain.delete(foreign).unwrap_err();
                assert_eq!(error, DomainError::WrongDomain);
                Err(error)
            }
            (2, Some((handle, v))) => {
                // f32 colours into a 4 × u8 attribute, the byte count matching for v / 4.
                let error = domain
                    .write(handle, "colour", &vec![[0.5f32; 4]; v])
                    .unwrap_err();
                assert!(
                    matches!(error, DomainError::AttributeType { .. }),
                    "{error}"
                );
                Err(error)
            }
            (3, Some((handle, v))) => {
                let error = domain
                    .write(handle, "position", &vec![[0.0f32; 2]; v + 1])
                    .unwrap_err();
                assert!(matches!(error, DomainError::VertexCount { .. }), "{error}");
                Err(error)
            }
            (4, Some((handle, v))) if K::INDEXED && v > 0 => {
                let count = self.lists[d][0].indices.len();
                let mut indices = vec![0; count];
                let error = match indices.first_mut() {
                    Some(first) => {
                        *first = v as u32;
                        let error = K::write_indices(domain, handle, &indices).unwrap_err();
                        assert!(matches!(error, DomainError::IndexOutOfRange { .. }));
                        error
                    }
                    None => {
                        let error = K::write_indices(domain, handle, &[0]).unwrap_err();
                        assert!(matches!(error, DomainError::IndexCount { .. }));
                        error
                    }
                };
                Err(error)
            }
            _ => Ok(()),
        };
        Some(match result {
            Ok(()) => Outcome::Ok,
            Err(_) => Outcome::Misuse,
        })
    }

    /// Asserts that both domains hold exactly the model's lists and data.
    fn check(&mut self) {
        for d in 0..2 {
            let domain = &mut self.domains[d];
            let mut vertex_runs = Vec::new();
            let mut index_runs = Vec::new();
            for list in &self.lists[d] {
                let h = list.handle;
                let what = format!("{} domain {d}, list {h:?}", K::NAME);
                assert_eq!(
                    domain.vertex_count(h).unwrap(),
                    list.vertex_count(),
                    "{what}"
                );
                assert_eq!(domain.start(h).unwrap(), list.start, "{what}: start");
                assert_eq!(
                    K::index_start(domain, h),
                    list.index_start,
                    "{what}: index start"
                );
                let positions = domain.read::<[f32; 2]>(h, "position").unwrap();
                let colours = domain.read::<[u8; 4]>(h, "colour").unwrap();
                let ids = domain.read::<i32>(h, "id").unwrap();
                for v in 0..list.vertex_count() {
                    for (known, got, name) in [
                        (
                            list.positions[v].map(bytes_of),
                            bytes_of(positions[v]),
                            "position",
                        ),
                        (
                            list.colours[v].map(bytes_of),
                            bytes_of(colours[v]),
                            "colour",
                        ),
                        (list.ids[v].map(bytes_of), bytes_of(ids[v]), "id"),
                    ] {
                        if let Some(known) = known {
                            assert_eq!(got, known, "{what}: {name} of vertex {v}");
                        }
                    }
                }
                assert_eq!(K::read_indices(domain, h), list.indices, "{what}: indices");
                vertex_runs.push((list.start, list.vertex_count()));
                index_runs.push((list.index_start, list.indices.len()));
            }
            let what = format!("{} domain {d}", K::NAME);
            assert_eq!(
                domain.vertex_allocator().allocated_regions(),
                aggregate(vertex_runs, &what),
                "{what}: vertex regions"
            );
            if K::INDEXED {
                assert_eq!(
                    K::index_regions(domain),
                    aggregate(index_runs, &what),
                    "{what}: index regions"
                );
            }
        }
    }

    /// Writes fresh data to every list with unknown vertices, so that a draw is predictable.
    fn make_known<S: Source>(&mut self, src: &mut S) -> Option<()> {
        for d in 0..2 {
            for i in 0..self.lists[d].len() {
                if !self.lists[d][i].is_known() {
                    self.write_all(src, d, i)?;
                }
            }
        }
        Some(())
    }
}

/// Asserts that no two of the lists at `placements` share a vertex or an index slot of one
/// domain.
fn assert_disjoint(placements: &[Placement], what: &str) {
    let mut runs: Vec<_> = placements
        .iter()
        .flat_map(|p| [(p.domain, false, &p.vertices), (p.domain, true, &p.indices)])
        .filter(|(_, _, slots)| !slots.is_empty())
        .collect();
    runs.sort_unstable_by_key(|&(domain, indices, slots)| (domain, indices, slots.start));
    for pair in runs.windows(2) {
        let ((d0, i0, a), (d1, i1, b)) = (pair[0], pair[1]);
        if (d0, i0) == (d1, i1) {
            assert!(a.end <= b.start, "{what}: two live lists overlap in {d0:?}");
        }
    }
}

fn bytes_of<T: bytemuck::Pod>(value: T) -> Vec<u8> {
    bytemuck::bytes_of(&value).to_vec()
}

// ---------------------------------------------------------------------------------------
// Reference drawing

/// The pixel program: `position`, `colour`, and the integer `id`, whose lowest bit tints
/// blue (so an integer attribute that reaches the shader as anything but its value changes
/// the picture). Additive blending is set by the caller.
fn colour_program(gl: &Arc<glow::Context>) -> Program {
    let version = ShaderVersion::for_context(gl);
    let vertex = version.source(
        "in vec2 position;\nin vec4 colour;\nin int id;\nout vec4 v_colour;\n\
         void main() { v_colour = colour + vec4(0.0, 0.0, float(id & 1) * 0.02, 0.0);\n\
         gl_PointSize = 1.0; gl_Position = vec4(position, 0.0, 1.0); }",
    );
    let fragment = version
        .source("in vec4 v_colour;\nout vec4 out_colour;\nvoid main() { out_colour = v_colour; }");
    Program::builder(gl, &vertex, &fragment)
        .bind_attribute("position", 0)
        .bind_attribute("colour", 1)
        .bind_attribute("id", 2)
        .build()
        .unwrap()
}

/// The vertices of a reference draw.
#[derive(Default)]
struct Vertices {
    positions: Vec<[f32; 2]>,
    colours: Vec<[u8; 4]>,
    ids: Vec<i32>,
}

/// Draws `vertices` with optional `indices` in one plain GL draw from fresh buffers: the
/// reference picture.
fn reference_draw(
    gl: &glow::Context,
    mode: Primitive,
    vertices: &Vertices,
    indices: Option<&[u32]>,
) {
    if vertices.positions.is_empty() {
        return;
    }
    // SAFETY: test scaffolding on the current context: fresh objects, each deleted below;
    // the draw reads the vertices given, and every index names one of them.
    unsafe {
        let vao = gl.create_vertex_array().unwrap();
        gl.bind_vertex_array(Some(vao));
        let mut buffers = Vec::new();
        for (location, bytes) in [
            (0, bytemuck::cast_slice::<_, u8>(&vertices.positions)),
            (1, bytemuck::cast_slice::<_, u8>(&vertices.colours)),
            (2, bytemuck::cast_slice::<_, u8>(&vertices.ids)),
        ] {
            let buffer = gl.create_buffer().unwrap();
            gl.bind_buffer(glow::ARRAY_BUFFER, Some(buffer));
            gl.buffer_data_u8_slice(glow::ARRAY_BUFFER, bytes, glow::STATIC_DRAW);
            gl.enable_vertex_attrib_array(location);
            match location {
                0 => gl.vertex_attrib_pointer_f32(0, 2, glow::FLOAT, false, 0, 0),
                1 => gl.vertex_attrib_pointer_f32(1, 4, glow::UNSIGNED_BYTE, true, 0, 0),
                _ => gl.vertex_attrib_pointer_i32(2, 1, glow::INT, 0, 0),
            }
            buffers.push(buffer);
        }
        match indices {
            Some(indices) if !indices.is_empty() => {
                let buffer = gl.create_buffer().unwrap();
                gl.bind_buffer(glow::ELEMENT_ARRAY_BUFFER, Some(buffer));
                let bytes = bytemuck::cast_slice(indices);
                gl.buffer_data_u8_slice(glow::ELEMENT_ARRAY_BUFFER, bytes, glow::STATIC_DRAW);
                gl.draw_elements(mode.gl_enum(), indices.len() as i32, glow::UNSIGNED_INT, 0);
                buffers.push(buffer);
            }
            Some(_) => {}
            None => gl.draw_arrays(mode.gl_enum(), 0, vertices.positions.len() as i32),
        }
        gl.bind_vertex_array(None);
        gl.delete_vertex_array(vao);
        for buffer in buffers {
            gl.delete_buffer(buffer);
        }
    }
}

/// The model lists' vertices concatenated, with their indices offset to match.
fn concatenated<K>(lists: &[&ListModel<K>]) -> (Vertices, Vec<u32>) {
    let (mut vertices, mut indices) = (Vertices::default(), Vec::new());
    for list in lists {
        let base = vertices.positions.len() as u32;
        vertices
            .positions
            .extend(list.positions.iter().map(|p| p.unwrap()));
        vertices
            .colours
            .extend(list.colours.iter().map(|c| c.unwrap()));
        vertices.ids.extend(list.ids.iter().map(|i| i.unwrap()));
        indices.extend(list.indices.iter().map(|i| i + base));
    }
    (vertices, indices)
}

/// Additive blending, so the picture does not depend on the order lists are drawn in.
fn additive(gl: &glow::Context) -> Result<(), GlError> {
    // SAFETY: plain state changes on the current context.
    unsafe {
        gl.enable(glow::BLEND);
        gl.blend_func(glow::ONE, glow::ONE);
    }
    Ok(())
}

fn no_blend(gl: &glow::Context) -> Result<(), GlError> {
    // SAFETY: a plain state change on the current context.
    unsafe { gl.disable(glow::BLEND) };
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The batch

/// A batch list in the model: which group, whether indexed, and its data.
struct BatchModel {
    handle: BatchList,
    group: usize,
    positions: Vec<[f32; 2]>,
    colours: Vec<[u8; 4]>,
    ids: Vec<i32>,
    indices: Option<Vec<u32>>,
}

struct BatchWorld {
    batch: Batch,
    groups: [GroupId; 2],
    /// Set to make group 1's state fail (a real GL error raised and checked in it).
    fail_group: Arc<AtomicBool>,
    lists: Vec<BatchModel>,
    stale: Vec<BatchList>,
    /// Another batch, for foreign ids and lists.
    foreign: Batch,
    foreign_group: GroupId,
    foreign_list: BatchList,
    /// Whether the operation now running has nothing made to fail before it.
    unprovoked: bool,
}

impl BatchWorld {
    fn new(gl: &Arc<glow::Context>, md: MultiDraw, program: Arc<Program>) -> Self {
        let mut batch = Batch::new(gl, md.clone());
        batch.set_stream_config(stream_config()).unwrap();
        let root = batch
            .add_group(ProgramGroup::new(Arc::clone(&program)), 0, None)
            .unwrap();
        let blend = || StateGroup::new(additive, no_blend);
        let first = batch.add_group(blend(), 0, Some(root)).unwrap();
        let fail_group = Arc::new(AtomicBool::new(false));
        let fail = Arc::clone(&fail_group);
        let second = batch
            .add_group(
                StateGroup::new(
                    move |gl| {
                        additive(gl)?;
                        if fail.load(Ordering::Relaxed) {
                            // SAFETY: an invalid capability only raises GL_INVALID_ENUM.
                            unsafe { gl.enable(0) };
                        }
                        vertex_domain::backend::check_gl(gl, "test group")
                    },
                    no_blend,
                ),
                1,
                Some(root),
            )
            .unwrap();
        let mut foreign = Batch::new(gl, md.clone());
        let foreign_group = foreign
            .add_group(ProgramGroup::new(program), 0, None)
            .unwrap();
        let foreign_list = foreign
            .add(foreign_group, &format(), Primitive::Triangles, 3)
            .unwrap();
        BatchWorld {
            batch,
            groups: [first, second],
            fail_group,
            lists: Vec::new(),
            stale: Vec::new(),
            foreign,
            foreign_group,
            foreign_list,
            unprovoked: true,
        }
    }

    fn write_all<S: Source>(&mut self, src: &mut S, i: usize) -> Option<()> {
        let list = &mut self.lists[i];
        let Vertices {
            positions,
            colours,
            ids,
        } = fresh(src, list.positions.len())?;
        self.batch
            .write(list.handle, "position", &positions)
            .unwrap();
        self.batch.write(list.handle, "colour", &colours).unwrap();
        self.batch.write(list.handle, "id", &ids).unwrap();
        (list.positions, list.colours, list.ids) = (positions, colours, ids);
        Some(())
    }

    fn step<S: Source>(&mut self, src: &mut S, roll: u64) -> Option<Outcome> {
        let n = self.lists.len();
        let pick = |src: &mut S| -> Option<Option<usize>> {
            Some((n > 0).then_some(src.below(n as u64)? as usize))
        };
        let format = format();
        Some(match roll {
            0..=29 if n < MAX_BATCH_LISTS => {
                let group = src.below(2)? as usize;
                let v = 3 * (1 + src.below(3)? as usize);
                let indexed = src.chance(50)?;
                let result = if indexed {
                    let count = 3 * (1 + src.below(3)? as usize);
                    let indices = Domains::<Indexed>::indices(src, count, v)?;
                    self.batch
                        .add_indexed(
                            self.groups[group],
                            &format,
                            Primitive::Triangles,
                            v,
                            &indices,
                        )
                        .map(|handle| (handle, Some(indices)))
                } else {
                    self.batch
                        .add(self.groups[group], &format, Primitive::Triangles, v)
                        .map(|handle| (handle, None))
                };
                match result {
                    Ok((handle, indices)) => {
                        self.lists.push(BatchModel {
                            handle,
                            group,
                            positions: vec![[0.0; 2]; v],
                            colours: vec![[0; 4]; v],
                            ids: vec![0; v],
                            indices,
                        });
                        self.write_all(src, n)?;
                        Outcome::Ok
                    }
                    Err(error) => Outcome::failed(error),
                }
            }
            0..=44 => {
                let Some(i) = pick(src)? else {
                    return Some(Outcome::Ok);
                };
                self.write_all(src, i)?;
                Outcome::Ok
            }
            45..=59 => {
                let Some(i) = pick(src)? else {
                    return Some(Outcome::Ok);
                };
                match self.batch.delete(self.lists[i].handle) {
                    Ok(()) => {
                        self.stale.push(self.lists.swap_remove(i).handle);
                        Outcome::Ok
                    }
                    Err(error) => Outcome::failed(error),
                }
            }
            60..=74 => {
                let Some(i) = pick(src)? else {
                    return Some(Outcome::Ok);
                };
                let to = 1 - self.lists[i].group;
                match self.batch.migrate(self.lists[i].handle, self.groups[to]) {
                    Ok(moved) => {
                        self.stale.push(self.lists[i].handle);
                        self.lists[i].handle = moved;
                        self.lists[i].group = to;
                        Outcome::Ok
                    }
                    Err(error) => Outcome::failed(error),
                }
            }
            75..=79 => match self.batch.draw() {
                Ok(_) => Outcome::Ok,
                Err(error) => Outcome::failed(error),
            },
            80..=86 => {
                let Some(i) = pick(src)? else {
                    return Some(Outcome::Ok);
                };
                self.resize(src, i)?
            }
            _ => self.misuse(src, &format)?,
        })
    }

    /// Resizes list `i` to whole triangles (and its indices, when it has them); checks that
    /// the kept vertices and indices survived, then writes fresh data to the whole list.
    fn resize<S: Source>(&mut self, src: &mut S, i: usize) -> Option<Outcome> {
        let handle = self.lists[i].handle;
        let v = 3 * (1 + src.below(5)? as usize);
        let indexed = self.lists[i].indices.is_some();
        let ic = if indexed {
            3 * (1 + src.below(5)? as usize)
        } else {
            0
        };
        if let Err(error) = self.batch.resize(handle, v, ic) {
            return Some(Outcome::failed(error));
        }
        assert_eq!(self.batch.vertex_count(handle), Ok(v));
        assert_eq!(self.batch.index_count(handle), Ok(ic));
        // Reading back flushes and maps: with a fault still armed it would fire there, and
        // a GL error queued first would fail it, so the kept data is checked by the resizes
        // that run with nothing provoked.
        let check = self.unprovoked;
        let list = &mut self.lists[i];
        let kept = list.positions.len().min(v);
        if check {
            let read: Vec<[f32; 2]> = self.batch.read(handle, "position").unwrap();
            assert_eq!(
                read[..kept],
                list.positions[..kept],
                "kept vertices of a resized list"
            );
        }
        if let Some(indices) = &mut list.indices {
            for index in indices.iter_mut() {
                if *index as usize >= v {
                    *index = 0;
                }
            }
            indices.resize(ic, 0);
            if check {
                assert_eq!(
                    &self.batch.read_indices(handle).unwrap(),
                    indices,
                    "kept indices"
                );
            }
            let fresh = Domains::<Indexed>::indices(src, ic, v)?;
            self.batch.write_indices(handle, &fresh).unwrap();
            *indices = fresh;
        }
        list.positions.resize(v, [0.0; 2]);
        list.colours.resize(v, [0; 4]);
        list.ids.resize(v, 0);
        self.write_all(src, i)?;
        Some(Outcome::Ok)
    }

    fn misuse<S: Source>(&mut self, src: &mut S, format: &VertexFormat) -> Option<Outcome> {
        let group = self.groups[0];
        let partial = |error: BatchError| {
            let partial = matches!(
                error,
                BatchError::Domain(DomainError::PartialPrimitive { .. })
            );
            assert!(partial, "{error}");
            error
        };
        let error = match src.below(6)? {
            0 => partial(
                self.batch
                    .add(group, format, Primitive::Triangles, 4)
                    .unwrap_err(),
            ),
            1 => partial(
                self.batch
                    .add_indexed(group, format, Primitive::Lines, 3, &[0, 1, 2])
                    .unwrap_err(),
            ),
            2 => {
                let error = self
                    .batch
                    .write(self.foreign_list, 0, &[[0.0f32; 2]; 3])
                    .unwrap_err();
                assert_eq!(error, BatchError::WrongBatch);
                error
            }
            3 => {
                let error = self
                    .batch
                    .add(self.foreign_group, format, Primitive::Triangles, 3)
                    .unwrap_err();
                assert_eq!(error, BatchError::UnknownGroup(self.foreign_group));
                error
            }
            4 => {
                let id = self.foreign.format_id(format);
                let error = self
                    .batch
                    .add(group, id, Primitive::Triangles, 3)
                    .unwrap_err();
                assert_eq!(error, BatchError::UnknownFormat);
                error
            }
            _ => match self.stale.last() {
                Some(&stale) => {
                    // Into the group it already claims: still refused, since it is deleted.
                    let error = self.batch.migrate(stale, group).unwrap_err();
                    assert_eq!(error, BatchError::Domain(DomainError::StaleList), "{error}");
                    let error = self.batch.write(stale, 0, &[[0.0f32; 2]; 3]).unwrap_err();
                    assert_eq!(error, BatchError::Domain(DomainError::StaleList), "{error}");
                    error
                }
                None => return Some(Outcome::Ok),
            },
        };
        let _ = error;
        Some(Outcome::Misuse)
    }

    fn check(&mut self) {
        let mut placements = Vec::new();
        for list in &self.lists {
            let h = list.handle;
            let placement = self.batch.placement(h).unwrap();
            assert_eq!(
                placement.vertices.len(),
                list.positions.len(),
                "batch {h:?}"
            );
            let positions = self.batch.read::<[f32; 2]>(h, 0).unwrap();
            assert_eq!(positions, list.positions, "batch {h:?} positions");
            assert_eq!(
                self.batch.read::<[u8; 4]>(h, 1).unwrap(),
                list.colours,
                "batch {h:?}"
            );
            assert_eq!(
                self.batch.read::<i32>(h, 2).unwrap(),
                list.ids,
                "batch {h:?} ids"
            );
            if let Some(indices) = &list.indices {
                assert_eq!(&self.batch.read_indices(h).unwrap(), indices, "batch {h:?}");
            }
            placements.push(placement);
        }
        assert_disjoint(&placements, "batch");
    }

    /// Draws the batch and compares with a reference draw of the model's lists of the groups
    /// that draw.
    fn check_pixels(&mut self, target: &RenderTarget, program: &Program, failing: bool) {
        let gl = target.gl();
        target.clear([0.0, 0.0, 0.0, 0.0]).unwrap();
        self.fail_group.store(failing, Ordering::Relaxed);
        match self.batch.draw() {
            Ok(_) => assert!(!failing),
            Err(BatchError::GroupState { group, .. }) => {
                assert!(failing);
                assert_eq!(group, self.groups[1]);
            }
            Err(error) => panic!("batch draw: {error}"),
        }
        self.fail_group.store(false, Ordering::Relaxed);
        let drawn = target.read_pixels().unwrap();
        target.clear([0.0, 0.0, 0.0, 0.0]).unwrap();
        program.use_program();
        additive(gl).unwrap();
        for list in self.lists.iter().filter(|l| !(failing && l.group == 1)) {
            let vertices = Vertices {
                positions: list.positions.clone(),
                colours: list.colours.clone(),
                ids: list.ids.clone(),
            };
            reference_draw(gl, Primitive::Triangles, &vertices, list.indices.as_deref());
        }
        no_blend(gl).unwrap();
        let reference = target.read_pixels().unwrap();
        assert!(
            drawn == reference,
            "batch pixels differ from the reference draw"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Sprites

struct SpriteModel {
    id: SpriteId,
    /// The same sprite in the shadow scene, which only ever sees successful operations.
    shadow: SpriteId,
    sprite: Sprite,
    cell: usize,
}

/// A scene of sprites in two layers, all showing one white image.
struct SpriteWorld {
    scene: Scene,
    image: Image,
    layers: [Layer; 2],
    /// A scene driven with the successful operations only: what each sprite's vertex bytes
    /// must be.
    shadow: Scene,
    shadow_image: Image,
    shadow_layers: [Layer; 2],
    live: Vec<SpriteModel>,
    stale: Vec<SpriteId>,
    /// The next sprite's z: every sprite's z differs, so that the scene and a fresh one
    /// draw them in the same order whatever the order of adding.
    z: f32,
}

/// A scene streaming by the world's configuration, with its white 4 × 4 image and its two
/// layers.
fn layered(gl: &Arc<glow::Context>, md: MultiDraw) -> (Scene, Image, [Layer; 2]) {
    let mut scene = Scene::new(gl, md, SIZE, SIZE).unwrap();
    scene
        .batch_mut()
        .set_stream_config(stream_config())
        .unwrap();
    let image = scene.add_image(4, 4, &[255u8; 4 * 4 * 4]).unwrap();
    let a = scene.add_layer(0).unwrap();
    let b = scene.add_layer(1).unwrap();
    (scene, image, [a, b])
}

fn cell_centre(cell: usize) -> (f32, f32) {
    let per_row = (SIZE / CELL) as usize;
    let (cx, cy) = (cell % per_row, cell / per_row);
    (
        (cx as u32 * CELL + CELL / 2) as f32,
        (cy as u32 * CELL + CELL / 2) as f32,
    )
}

/// `sprite` in `layers` (one of two) and showing `image`, for another scene whose layers
/// stand where `from` stand.
fn moved_to(sprite: Sprite, from: &[Layer; 2], layers: &[Layer; 2], image: Image) -> Sprite {
    let layer = layers[usize::from(sprite.props.layer == from[1])];
    Sprite {
        props: Props {
            layer,
            ..sprite.props
        },
        image,
        ..sprite
    }
}

impl SpriteWorld {
    fn new(gl: &Arc<glow::Context>, md: MultiDraw) -> Self {
        let (scene, image, layers) = layered(gl, md.clone());
        let (shadow, shadow_image, shadow_layers) = layered(gl, md);
        SpriteWorld {
            scene,
            image,
            layers,
            shadow,
            shadow_image,
            shadow_layers,
            live: Vec::new(),
            stale: Vec::new(),
            z: 0.0,
        }
    }

    fn next_z(&mut self) -> f32 {
        self.z += 1.0;
        self.z
    }

    fn free_cell<S: Source>(&self, src: &mut S) -> Option<usize> {
        let start = src.below(CELLS as u64)? as usize;
        Some(
            (0..CELLS)
                .map(|k| (start + k) % CELLS)
                .find(|c| self.live.iter().all(|s| s.cell != *c))
                .unwrap_or(start),
        )
    }

    /// The same sprite in the shadow scene.
    fn in_shadow(&self, sprite: Sprite) -> Sprite {
        moved_to(sprite, &self.layers, &self.shadow_layers, self.shadow_image)
    }

    /// A random change of a sprite's properties (every one of them keeps it in its cell).
    fn changed<S: Source>(
        &mut self,
        src: &mut S,
        mut sprite: Sprite,
        cell: usize,
    ) -> Option<Sprite> {
        let p = &mut sprite.props;
        (p.x, p.y) = cell_centre(cell);
        match src.below(7)? {
            0 => p.rotation = src.float(0.0, 360.0)?,
            1 => sprite.scale = [src.float(0.5, 1.5)?, src.float(0.5, 1.5)?],
            2 => {
                let bits = src.next()?.to_le_bytes();
                p.colour = [bits[0], bits[1], bits[2]];
            }
            3 => p.opacity = src.next()? as u8,
            4 => p.visible = !p.visible,
            5 => p.z = self.next_z(),
            _ => p.layer = self.layers[src.below(2)? as usize],
        }
        Some(sprite)
    }

    fn step<S: Source>(&mut self, src: &mut S, roll: u64) -> Option<Outcome> {
        let n = self.live.len();
        let pick = |src: &mut S| -> Option<Option<usize>> {
            Some((n > 0).then_some(src.below(n as u64)? as usize))
        };
        Some(match roll {
            0..=24 if n < MAX_BATCH_LISTS => {
                let cell = self.free_cell(src)?;
                let (x, y) = cell_centre(cell);
                let layer = self.layers[src.below(2)? as usize];
                let z = self.next_z();
                let sprite = Sprite::new(layer, self.image, x, y);
                let sprite = Sprite {
                    props: Props {
                        anchor: [2.0, 2.0],
                        z,
                        ..sprite.props
                    },
                    ..sprite
                };
                match self.scene.add(sprite) {
                    Ok(id) => {
                        let shadow = self.shadow.add(self.in_shadow(sprite)).unwrap();
                        self.live.push(SpriteModel {
                            id,
                            shadow,
                            sprite,
                            cell,
                        });
                        Outcome::Ok
                    }
                    Err(error) => Outcome::failed(error),
                }
            }
            0..=59 => {
                let Some(i) = pick(src)? else {
                    return Some(Outcome::Ok);
                };
                let (id, old) = (self.live[i].id, self.live[i].sprite);
                let moves = src.chance(30)?;
                let cell = if moves {
                    self.free_cell(src)?
                } else {
                    self.live[i].cell
                };
                // A move alone goes through `set_position`; a change of one property through
                // its setter, or `update` (always for a layer change).
                let new = if moves && src.chance(50)? {
                    let (x, y) = cell_centre(cell);
                    Sprite {
                        props: Props { x, y, ..old.props },
                        ..old
                    }
                } else {
                    self.changed(src, old, cell)?
                };
                let (p, o) = (&new.props, &old.props);
                let moved = (p.x, p.y) != (o.x, o.y);
                let only_moved = Sprite {
                    props: Props {
                        x: p.x,
                        y: p.y,
                        ..old.props
                    },
                    ..old
                };
                let result = if p.layer != o.layer || src.chance(25)? {
                    self.scene.update(id, |s| *s = new)
                } else if moved && new == only_moved {
                    self.scene.set_position(id, p.x, p.y)
                } else if moved {
                    self.scene.update(id, |s| *s = new)
                } else if p.rotation != o.rotation {
                    self.scene.set_rotation(id, p.rotation)
                } else if new.scale != old.scale {
                    self.scene.set_scale(id, new.scale[0], new.scale[1])
                } else if p.colour != o.colour {
                    self.scene.set_colour(id, p.colour)
                } else if p.opacity != o.opacity {
                    self.scene.set_opacity(id, p.opacity)
                } else if p.z != o.z {
                    self.scene.set_z(id, p.z)
                } else {
                    self.scene.set_visible(id, p.visible)
                };
                match result {
                    Ok(()) => {
                        let (shadow, shadowed) = (self.live[i].shadow, self.in_shadow(new));
                        self.shadow.update(shadow, |s| *s = shadowed).unwrap();
                        (self.live[i].sprite, self.live[i].cell) = (new, cell);
                        Outcome::Ok
                    }
                    Err(error) => Outcome::failed(error),
                }
            }
            60..=74 => {
                let Some(i) = pick(src)? else {
                    return Some(Outcome::Ok);
                };
                match self.scene.remove(self.live[i].id) {
                    Ok(_) => {
                        let gone = self.live.swap_remove(i);
                        self.shadow.remove(gone.shadow).unwrap();
                        self.stale.push(gone.id);
                        Outcome::Ok
                    }
                    Err(error) => Outcome::failed(error),
                }
            }
            75..=84 => match self.scene.draw() {
                Ok(_) => Outcome::Ok,
                Err(error) => Outcome::failed(error),
            },
            _ => {
                // Stale ids, and another scene's layers and images (a group that is no
                // layer cannot even be named: `Sprite::new` takes a `Layer`).
                let (foreign_layer, foreign_image) = (self.shadow_layers[1], self.shadow_image);
                let error = match (src.below(4)?, self.stale.last()) {
                    (0, Some(&stale)) => self.scene.set_position(stale, 1.0, 1.0).unwrap_err(),
                    (1, _) => (self.scene)
                        .add(Sprite::new(foreign_layer, self.image, 4.0, 4.0))
                        .unwrap_err(),
                    (2, _) => (self.scene)
                        .add(Sprite::new(self.layers[0], foreign_image, 4.0, 4.0))
                        .unwrap_err(),
                    _ => match self.live.first() {
                        Some(s) => {
                            let id = s.id;
                            match src.below(2)? {
                                0 => (self.scene)
                                    .update(id, |s| s.props.layer = foreign_layer)
                                    .unwrap_err(),
                                _ => self.scene.set_image(id, foreign_image).unwrap_err(),
                            }
                        }
                        None => return Some(Outcome::Ok),
                    },
                };
                assert!(
                    matches!(
                        error,
                        SceneError::UnknownItem("sprite")
                            | SceneError::UnknownLayer
                            | SceneError::UnknownImage
                    ),
                    "{error}"
                );
                Outcome::Misuse
            }
        })
    }

    fn check(&mut self) {
        let mut placements = Vec::new();
        for s in &self.live {
            assert_eq!(
                *self.scene.get(s.id).unwrap(),
                s.sprite,
                "sprite {:?}",
                s.id
            );
            let (list, shadow) = (
                self.scene.list(s.id).unwrap(),
                self.shadow.list(s.shadow).unwrap(),
            );
            let (batch, shadow_batch) = (self.scene.batch_mut(), self.shadow.batch_mut());
            for attribute in ["position", "translation"] {
                let got = batch.read::<[f32; 2]>(list, attribute).unwrap();
                let want = shadow_batch.read::<[f32; 2]>(shadow, attribute).unwrap();
                assert_eq!(got, want, "sprite {:?} attribute {attribute}", s.id);
            }
            let got = batch.read::<[u16; 2]>(list, "tex_coords").unwrap();
            let want = shadow_batch.read::<[u16; 2]>(shadow, "tex_coords").unwrap();
            assert_eq!(got, want, "sprite {:?} texels", s.id);
            let got = batch.read::<[u8; 4]>(list, "colour").unwrap();
            let want = shadow_batch.read::<[u8; 4]>(shadow, "colour").unwrap();
            assert_eq!(got, want, "sprite {:?} colour", s.id);
            assert_eq!(
                batch.read_indices(list).unwrap(),
                shadow_batch.read_indices(shadow).unwrap(),
                "sprite {:?} indices",
                s.id
            );
            placements.push(batch.placement(list).unwrap());
        }
        assert_disjoint(&placements, "sprites");
    }

    /// Draws the sprites and compares with a fresh scene of the model's sprites.
    fn check_pixels(&mut self, target: &RenderTarget, md: MultiDraw) {
        let gl = target.gl();
        target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        self.scene.draw().unwrap();
        let drawn = target.read_pixels().unwrap();
        let (mut fresh, image, layers) = layered(gl, md);
        for s in &self.live {
            fresh
                .add(moved_to(s.sprite, &self.layers, &layers, image))
                .unwrap();
        }
        target.clear([0.0, 0.0, 0.0, 1.0]).unwrap();
        fresh.draw().unwrap();
        let reference = target.read_pixels().unwrap();
        assert!(
            drawn == reference,
            "sprite pixels differ from a fresh scene"
        );
    }
}

// ---------------------------------------------------------------------------------------
// The world

// ---------------------------------------------------------------------------------------
// Instanced domains

/// Mesh vertices of the instanced domains: a position at location 0.
fn mesh_format() -> VertexFormat {
    VertexFormat::new(vec![Attribute::new("position", 0, 2, ComponentType::F32)]).unwrap()
}

/// Instance records: an offset added to the mesh's positions, a colour, and an integer id.
fn instance_format() -> VertexFormat {
    VertexFormat::new(vec![
        Attribute::new("offset", 1, 2, ComponentType::F32),
        Attribute::new("colour", 2, 4, ComponentType::U8).normalized(),
        Attribute::new("id", 3, 1, ComponentType::I32).integer(),
    ])
    .unwrap()
}

/// The instanced pixel program: what [`colour_program`] draws for a vertex at
/// `position + offset` with the instance's colour and id.
fn instance_program(gl: &Arc<glow::Context>) -> Program {
    let version = ShaderVersion::for_context(gl);
    let vertex = version.source(
        "in vec2 position;\nin vec2 offset;\nin vec4 colour;\nin int id;\nout vec4 v_colour;\n\
         void main() { v_colour = colour + vec4(0.0, 0.0, float(id & 1) * 0.02, 0.0);\n\
         gl_PointSize = 1.0; gl_Position = vec4(position + offset, 0.0, 1.0); }",
    );
    let fragment = version
        .source("in vec4 v_colour;\nout vec4 out_colour;\nvoid main() { out_colour = v_colour; }");
    Program::builder(gl, &vertex, &fragment)
        .bind_attribute("position", 0)
        .bind_attribute("offset", 1)
        .bind_attribute("colour", 2)
        .bind_attribute("id", 3)
        .build()
        .unwrap()
}

/// One instance in the model.
#[derive(Debug, Clone, Copy, PartialEq)]
struct InstanceModel {
    id: InstanceId,
    offset: [f32; 2],
    colour: [u8; 4],
    tag: i32,
}

/// One mesh in the model: its vertices, its indices (indexed kinds), and its instances in
/// slot order, which a deletion changes as `Vec::swap_remove` does.
#[derive(Debug, Clone)]
struct MeshModel<K> {
    handle: ListId<K>,
    positions: Vec<[f32; 2]>,
    indices: Vec<u32>,
    instances: Vec<InstanceModel>,
}

/// At most this many meshes per instanced domain, and instances per mesh.
const MAX_MESHES: usize = 4;
const MAX_INSTANCES: usize = 12;

/// The part of the instanced API that differs between the two instanced kinds.
trait InstanceKind: InstancedKind + Sized + 'static {
    const NAME: &'static str;
    fn new_domain(gl: &Arc<glow::Context>, md: MultiDraw) -> Domain<Self>;
    /// Creates a mesh of `positions` (a triangle list), with `0..n` as indices if indexed.
    fn create(d: &mut Domain<Self>, positions: &[[f32; 2]]) -> Result<ListId<Self>, DomainError>;
}

impl InstanceKind for Instanced {
    const NAME: &'static str = "instanced";
    fn new_domain(gl: &Arc<glow::Context>, md: MultiDraw) -> Domain<Self> {
        let (mesh, each) = (mesh_format(), instance_format());
        streamed(InstancedVertexDomain::new(gl, md, mesh, each, INITIAL_CAPACITY, 4).unwrap())
    }
    fn create(d: &mut Domain<Self>, positions: &[[f32; 2]]) -> Result<ListId<Self>, DomainError> {
        let mesh = d.create(positions.len())?;
        d.write(mesh, "position", positions)?;
        Ok(mesh)
    }
}

impl InstanceKind for IndexedInstanced {
    const NAME: &'static str = "indexed instanced";
    fn new_domain(gl: &Arc<glow::Context>, md: MultiDraw) -> Domain<Self> {
        let (mesh, each) = (mesh_format(), instance_format());
        let capacity = INITIAL_CAPACITY;
        streamed(
            InstancedIndexedVertexDomain::new(gl, md, mesh, each, capacity, capacity, 4).unwrap(),
        )
    }
    fn create(d: &mut Domain<Self>, positions: &[[f32; 2]]) -> Result<ListId<Self>, DomainError> {
        let mesh = d.create(positions.len(), positions.len())?;
        d.write(mesh, "position", positions)?;
        let indices: Vec<u32> = (0..positions.len() as u32).collect();
        d.write_indices(mesh, &indices)?;
        Ok(mesh)
    }
}

/// Two instanced domains of one kind (instances migrate between them) and their model.
struct InstanceWorld<K: InstanceKind> {
    gl: Arc<glow::Context>,
    multi_draw: MultiDraw,
    domains: [Domain<K>; 2],
    meshes: [Vec<MeshModel<K>>; 2],
    /// Ids of deleted instances and meshes, for misuse.
    stale: Vec<InstanceId>,
    stale_meshes: Vec<ListId<K>>,
}

impl<K: InstanceKind> InstanceWorld<K> {
    fn new(gl: &Arc<glow::Context>, multi_draw: MultiDraw) -> Self {
        InstanceWorld {
            gl: gl.clone(),
            multi_draw: multi_draw.clone(),
            domains: [
                K::new_domain(gl, multi_draw.clone()),
                K::new_domain(gl, multi_draw),
            ],
            meshes: [Vec::new(), Vec::new()],
            stale: Vec::new(),
            stale_meshes: Vec::new(),
        }
    }

    /// Caps every buffer at what it holds now (`limit`), or lifts the cap.
    fn cap(&mut self, on: bool) {
        for d in &mut self.domains {
            let limit = if on {
                (d.vertex_capacity() * 8).min(d.instance_allocator().capacity() * 4)
            } else {
                usize::MAX
            };
            d.set_max_buffer_bytes(limit);
        }
    }

    fn fresh_instance<S: Source>(src: &mut S, id: InstanceId) -> Option<InstanceModel> {
        Some(InstanceModel {
            id,
            offset: [src.float(-0.8, 0.8)?, src.float(-0.8, 0.8)?],
            colour: [
                src.below(40)? as u8,
                src.below(40)? as u8,
                src.below(40)? as u8,
                255,
            ],
            tag: src.below(1000)? as i32 - 500,
        })
    }

    fn write_instance(domain: &mut Domain<K>, i: &InstanceModel) -> Result<(), DomainError> {
        domain.write_instance(i.id, "offset", i.offset)?;
        domain.write_instance(i.id, "colour", i.colour)?;
        domain.write_instance(i.id, "id", i.tag)
    }

    fn pick<S: Source>(src: &mut S, n: usize) -> Option<usize> {
        Some(src.below(n as u64)? as usize)
    }

    fn step<S: Source>(&mut self, src: &mut S, roll: u64) -> Option<Outcome> {
        let d = Self::pick(src, 2)?;
        let meshes = self.meshes[d].len();
        let outcome = match roll {
            // Add an instance; growth and run moves happen here.
            0..=29 if meshes > 0 => {
                let m = Self::pick(src, meshes)?;
                if self.meshes[d][m].instances.len() >= MAX_INSTANCES {
                    return Some(Outcome::Ok);
                }
                let mesh = self.meshes[d][m].handle;
                match self.domains[d].add_instance(mesh) {
                    Ok(id) => {
                        let instance = Self::fresh_instance(src, id)?;
                        Self::write_instance(&mut self.domains[d], &instance).unwrap();
                        self.meshes[d][m].instances.push(instance);
                        Outcome::Ok
                    }
                    Err(error) => Outcome::failed(error),
                }
            }
            0..=39 => {
                if meshes >= MAX_MESHES {
                    return Some(Outcome::Ok);
                }
                let (x, y, w) = (src.float(-0.2, 0.1)?, src.float(-0.2, 0.1)?, 0.1);
                let mut positions = vec![[x, y], [x + w, y], [x, y + w]];
                if src.chance(50)? {
                    positions.extend([[x + w, y], [x + w, y + w], [x, y + w]]);
                }
                match K::create(&mut self.domains[d], &positions) {
                    Ok(handle) => {
                        let indices = if K::INDEXED {
                            (0..positions.len() as u32).collect()
                        } else {
                            Vec::new()
                        };
                        self.meshes[d].push(MeshModel {
                            handle,
                            positions,
                            indices,
                            instances: Vec::new(),
                        });
                        Outcome::Ok
                    }
                    Err(error) => Outcome::failed(error),
                }
            }
            40..=52 => match self.random_instance(src, d)? {
                Some((m, k)) => {
                    let mut instance =
                        Self::fresh_instance(src, self.meshes[d][m].instances[k].id)?;
                    if src.chance(50)? {
                        // Only the offset: a move writes one attribute.
                        instance.colour = self.meshes[d][m].instances[k].colour;
                        instance.tag = self.meshes[d][m].instances[k].tag;
                        self.domains[d]
                            .write_instance(instance.id, "offset", instance.offset)
                            .unwrap();
                    } else {
                        Self::write_instance(&mut self.domains[d], &instance).unwrap();
                    }
                    self.meshes[d][m].instances[k] = instance;
                    Outcome::Ok
                }
                None => Outcome::Ok,
            },
            53..=67 => match self.random_instance(src, d)? {
                Some((m, k)) => {
                    let id = self.meshes[d][m].instances[k].id;
                    match self.domains[d].delete_instance(id) {
                        Ok(()) => {
                            self.meshes[d][m].instances.swap_remove(k);
                            self.stale.push(id);
                            Outcome::Ok
                        }
                        Err(error) => Outcome::failed(error),
                    }
                }
                None => Outcome::Ok,
            },
            68..=70 => {
                let Some((m, k)) = self.random_instance(src, d)? else {
                    return Some(Outcome::Ok);
                };
                let to = Self::pick(src, meshes)?;
                if self.meshes[d][to].instances.len() >= MAX_INSTANCES {
                    return Some(Outcome::Ok);
                }
                let (id, mesh) = (self.meshes[d][m].instances[k].id, self.meshes[d][to].handle);
                match self.domains[d].move_instance(id, mesh) {
                    Ok(new) => {
                        // Added to the target, then the hole filled by the source's last.
                        let mut moved = self.meshes[d][m].instances[k];
                        moved.id = new;
                        self.meshes[d][to].instances.push(moved);
                        let k = self.meshes[d][m]
                            .instances
                            .iter()
                            .position(|i| i.id == id)
                            .unwrap();
                        self.meshes[d][m].instances.swap_remove(k);
                        self.stale.push(id);
                        Outcome::Ok
                    }
                    Err(error) => Outcome::failed(error),
                }
            }
            71..=74 => {
                let (Some((m, k)), false) =
                    (self.random_instance(src, d)?, self.meshes[1 - d].is_empty())
                else {
                    return Some(Outcome::Ok);
                };
                let to = Self::pick(src, self.meshes[1 - d].len())?;
                if self.meshes[1 - d][to].instances.len() >= MAX_INSTANCES {
                    return Some(Outcome::Ok);
                }
                let mesh = self.meshes[1 - d][to].handle;
                let id = self.meshes[d][m].instances[k].id;
                let [first, second] = &mut self.domains;
                let (from, into) = if d == 0 {
                    (first, second)
                } else {
                    (second, first)
                };
                match from.migrate_instance(id, into, mesh) {
                    Ok(new) => {
                        let mut moved = self.meshes[d][m].instances.swap_remove(k);
                        moved.id = new;
                        self.meshes[1 - d][to].instances.push(moved);
                        self.stale.push(id);
                        Outcome::Ok
                    }
                    Err(error) => Outcome::failed(error),
                }
            }
            75..=79 if meshes > 0 => {
                let m = Self::pick(src, meshes)?;
                let handle = self.meshes[d][m].handle;
                match self.domains[d].delete(handle) {
                    Ok(()) => {
                        let gone = self.meshes[d].remove(m);
                        self.stale.extend(gone.instances.iter().map(|i| i.id));
                        self.stale_meshes.push(handle);
                        Outcome::Ok
                    }
                    Err(error) => Outcome::failed(error),
                }
            }
            75..=89 => {
                let paths = [
                    InstanceDraw::BaseInstance,
                    InstanceDraw::MultiDrawIndirect,
                    InstanceDraw::Repoint,
                ];
                let path = paths[Self::pick(src, 3)?];
                if self.multi_draw.supports(path) {
                    self.domains[d].set_instance_draw(path).unwrap();
                }
                match self.domains[d].draw(Primitive::Triangles) {
                    Ok(_) => Outcome::Ok,
                    Err(error) => Outcome::failed(error),
                }
            }
            _ => self.misuse(src, d)?,
        };
        if self.stale.len() > 64 {
            self.stale.drain(..32);
        }
        Some(outcome)
    }

    /// A live instance of domain `d`: (mesh index, position in its instances).
    fn random_instance<S: Source>(&self, src: &mut S, d: usize) -> Option<Option<(usize, usize)>> {
        let with: Vec<usize> = (0..self.meshes[d].len())
            .filter(|&m| !self.meshes[d][m].instances.is_empty())
            .collect();
        if with.is_empty() {
            return Some(None);
        }
        let m = with[Self::pick(src, with.len())?];
        let k = Self::pick(src, self.meshes[d][m].instances.len())?;
        Some(Some((m, k)))
    }

    fn misuse<S: Source>(&mut self, src: &mut S, d: usize) -> Option<Outcome> {
        let domain = &mut self.domains[d];
        let some_instance = self.meshes[d]
            .iter()
            .flat_map(|m| &m.instances)
            .next()
            .map(|i| i.id);
        let result = match src.below(4)? {
            0 if !self.stale.is_empty() => {
                let id = self.stale[Self::pick(src, self.stale.len())?];
                let error = domain
                    .write_instance(id, "offset", [0.0f32; 2])
                    .unwrap_err();
                assert!(
                    matches!(error, DomainError::StaleList | DomainError::WrongDomain),
                    "{error}"
                );
                Err(error)
            }
            1 => match some_instance {
                Some(id) => {
                    let error = domain
                        .write_instance(id, "colour", [0.5f32; 4])
                        .unwrap_err();
                    assert!(
                        matches!(error, DomainError::AttributeType { .. }),
                        "{error}"
                    );
                    Err(error)
                }
                None => Ok(()),
            },
            2 => match self.meshes[d].iter().find(|m| !m.instances.is_empty()) {
                Some(mesh) => {
                    let [first, second] = &mut self.domains;
                    let (from, into) = if d == 0 {
                        (first, second)
                    } else {
                        (second, first)
                    };
                    let error = from.migrate(mesh.handle, into).unwrap_err();
                    assert_eq!(
                        error,
                        DomainError::MeshHasInstances {
                            instances: mesh.instances.len()
                        }
                    );
                    Err(error)
                }
                None => Ok(()),
            },
            _ if !self.stale_meshes.is_empty() => {
                let mesh = self.stale_meshes[Self::pick(src, self.stale_meshes.len())?];
                let error = domain.add_instance(mesh).unwrap_err();
                assert!(
                    matches!(error, DomainError::StaleList | DomainError::WrongDomain),
                    "{error}"
                );
                Err(error)
            }
            _ => Ok(()),
        };
        Some(match result {
            Ok(()) => Outcome::Ok,
            Err(_) => Outcome::Misuse,
        })
    }

    /// Asserts that both domains hold exactly the model's meshes, instances and records,
    /// each mesh's instances contiguous and no two meshes' runs overlapping.
    fn check(&mut self) {
        for d in 0..2 {
            let what = format!("{} domain {d}", K::NAME);
            let domain = &mut self.domains[d];
            let mut runs = Vec::new();
            let total: usize = self.meshes[d].iter().map(|m| m.instances.len()).sum();
            assert_eq!(domain.instance_total(), total, "{what}: instances");
            assert_eq!(domain.len(), self.meshes[d].len(), "{what}: meshes");
            for mesh in &self.meshes[d] {
                let h = mesh.handle;
                let ids: Vec<_> = mesh.instances.iter().map(|i| i.id).collect();
                assert_eq!(
                    domain.instances(h).unwrap(),
                    ids,
                    "{what}: instances of {h:?}"
                );
                assert_eq!(
                    domain.read::<[f32; 2]>(h, "position").unwrap(),
                    mesh.positions
                );
                if let Some(&first) = ids.first() {
                    let base = domain.instance_slot(first).unwrap();
                    for (k, &id) in ids.iter().enumerate() {
                        assert_eq!(
                            domain.instance_slot(id).unwrap(),
                            base + k,
                            "{what}: a hole"
                        );
                        assert_eq!(domain.mesh_of(id).unwrap(), h);
                    }
                    runs.push((base, ids.len()));
                    let offsets: Vec<[f32; 2]> = domain.read_instances(h, "offset").unwrap();
                    let colours: Vec<[u8; 4]> = domain.read_instances(h, "colour").unwrap();
                    let tags: Vec<i32> = domain.read_instances(h, "id").unwrap();
                    let model: Vec<_> = mesh
                        .instances
                        .iter()
                        .map(|i| (i.offset, i.colour, i.tag))
                        .collect();
                    let read: Vec<_> = offsets
                        .into_iter()
                        .zip(colours)
                        .zip(tags)
                        .map(|((o, c), t)| (o, c, t))
                        .collect();
                    assert_eq!(read, model, "{what}: records of {h:?}");
                }
            }
            aggregate(runs, &what);
        }
    }

    /// Draws each domain and compares with the model's instances expanded into plain
    /// vertices, drawn by `reference`'s program.
    fn check_pixels(&mut self, target: &RenderTarget, instanced: &Program, reference: &Program) {
        for d in 0..2 {
            target.clear([0.0, 0.0, 0.0, 0.0]).unwrap();
            instanced.use_program();
            additive(&self.gl).unwrap();
            self.domains[d].draw(Primitive::Triangles).unwrap();
            let drawn = target.read_pixels().unwrap();
            target.clear([0.0, 0.0, 0.0, 0.0]).unwrap();
            reference.use_program();
            let mut vertices = Vertices::default();
            for mesh in &self.meshes[d] {
                for i in &mesh.instances {
                    for p in &mesh.positions {
                        vertices
                            .positions
                            .push([p[0] + i.offset[0], p[1] + i.offset[1]]);
                        vertices.colours.push(i.colour);
                        vertices.ids.push(i.tag);
                    }
                }
            }
            reference_draw(&self.gl, Primitive::Triangles, &vertices, None);
            no_blend(&self.gl).unwrap();
            let expected = target.read_pixels().unwrap();
            assert!(
                drawn == expected,
                "{} domain {d} ({:?}): pixels differ",
                K::NAME,
                self.domains[d].instance_draw()
            );
        }
    }
}

/// How one operation ended.
#[derive(Debug)]
enum Outcome {
    Ok,
    /// It failed with an error other than misuse.
    Failed(String),
    /// It was misuse and failed as it must.
    Misuse,
}

impl Outcome {
    fn failed(error: impl std::fmt::Display) -> Outcome {
        Outcome::Failed(error.to_string())
    }
}

/// What was made to fail before an operation.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Provoked {
    Nothing,
    Fault,
    QueuedError,
    Cap,
    FailingGroup,
}

/// Every target and its model; see the module docs.
pub struct World {
    gl: Arc<glow::Context>,
    multi_draw: MultiDraw,
    target: RenderTarget,
    program: Arc<Program>,
    plain: Domains<Arrays>,
    indexed: Domains<Indexed>,
    batch: BatchWorld,
    sprites: SpriteWorld,
    instanced: InstanceWorld<Instanced>,
    indexed_instanced: InstanceWorld<IndexedInstanced>,
    instance_program: Program,
    /// Faults fired on this thread before this world was made.
    injected_before: u64,
    /// What the run did so far.
    pub counts: Counts,
}

impl World {
    /// What the streams of every domain, batch and scene of the world (and of
    /// domains it dropped on this thread) have done.
    pub fn stream_stats(&self) -> StreamStats {
        DROPPED.with(Cell::get)
            + streams(&self.plain.domains)
            + streams(&self.indexed.domains)
            + streams(&self.instanced.domains)
            + streams(&self.indexed_instanced.domains)
            + self.batch.batch.stream_stats()
            + self.sprites.scene.batch().stream_stats()
    }

    /// A world on the current context `gl`, drawing with `multi_draw` (the context's, or
    /// [`MultiDraw::single_draws`]).
    pub fn new(gl: &Arc<glow::Context>, multi_draw: MultiDraw) -> World {
        let target = RenderTarget::new(gl, SIZE, SIZE).unwrap();
        target.bind();
        let program = Arc::new(colour_program(gl));
        World {
            gl: gl.clone(),
            multi_draw: multi_draw.clone(),
            target,
            plain: Domains::new(gl, multi_draw.clone()),
            indexed: Domains::new(gl, multi_draw.clone()),
            batch: BatchWorld::new(gl, multi_draw.clone(), Arc::clone(&program)),
            sprites: SpriteWorld::new(gl, multi_draw.clone()),
            instanced: InstanceWorld::new(gl, multi_draw.clone()),
            indexed_instanced: InstanceWorld::new(gl, multi_draw),
            instance_program: instance_program(gl),
            program,
            injected_before: fault::injected(),
            counts: Counts::default(),
        }
    }

    /// Makes something fail on the context before the next operation, one time in five.
    fn provoke<S: Source>(&mut self, src: &mut S) -> Option<Provoked> {
        if !src.chance(20)? {
            return Some(Provoked::Nothing);
        }
        Some(match src.below(10)? {
            // Armed in `step`, with an operation that reaches the site.
            0..=5 => Provoked::Fault,
            6 | 7 => {
                // SAFETY: an invalid capability only raises GL_INVALID_ENUM.
                unsafe { self.gl.enable(0) };
                Provoked::QueuedError
            }
            8 => {
                for d in &mut self.plain.domains {
                    d.set_max_buffer_bytes(d.vertex_capacity() * 8);
                }
                for d in &mut self.indexed.domains {
                    d.set_max_buffer_bytes(d.vertex_capacity().min(d.index_capacity()) * 4);
                }
                self.instanced.cap(true);
                self.indexed_instanced.cap(true);
                Provoked::Cap
            }
            _ => {
                self.batch.fail_group.store(true, Ordering::Relaxed);
                Provoked::FailingGroup
            }
        })
    }

    /// Undoes what [`provoke`](Self::provoke) set up, and asserts that a call during which
    /// a fault fired failed, and that a GL error queued first was either reported or left
    /// queued, never swallowed.
    fn settle(&mut self, provoked: Provoked, outcome: &Outcome) {
        let fired_before = self.counts.faults_fired;
        self.counts.faults_fired = fault::injected() - self.injected_before;
        let fired = self.counts.faults_fired > fired_before;
        fault::disarm();
        if fired {
            assert!(
                !matches!(outcome, Outcome::Ok),
                "a fault fired and the call said Ok"
            );
        }
        match provoked {
            Provoked::QueuedError => {
                self.counts.queued_errors += 1;
                let still_queued = clear_gl_errors(&self.gl);
                match outcome {
                    // A call that reached GL reported the error and drained it; one that did
                    // not must have left it queued, unread.
                    Outcome::Failed(message) if message.contains("already queued") => {
                        assert_eq!(still_queued, 0, "a reported error was left queued")
                    }
                    _ => assert!(still_queued > 0, "the caller's GL error was swallowed"),
                }
            }
            Provoked::Cap => {
                self.counts.capped += 1;
                for d in &mut self.plain.domains {
                    d.set_max_buffer_bytes(usize::MAX);
                }
                for d in &mut self.indexed.domains {
                    d.set_max_buffer_bytes(usize::MAX);
                }
                self.instanced.cap(false);
                self.indexed_instanced.cap(false);
            }
            Provoked::FailingGroup => self.batch.fail_group.store(false, Ordering::Relaxed),
            Provoked::Fault | Provoked::Nothing => {}
        }
        assert_eq!(
            clear_gl_errors(&self.gl),
            0,
            "GL errors left queued after {outcome:?}"
        );
    }

    /// Runs one random operation, with something made to fail before it now and then, then
    /// checks everything. Returns `None` when the source runs dry.
    pub fn step<S: Source>(&mut self, src: &mut S) -> Option<()> {
        let stepped = self.try_step(src);
        if stepped.is_none() {
            // The source ran dry part-way (a fuzz input ended): whatever was provoked is
            // undone, and the half-updated model is not checked.
            fault::disarm();
            clear_gl_errors(&self.gl);
            self.batch.fail_group.store(false, Ordering::Relaxed);
        }
        stepped
    }

    fn try_step<S: Source>(&mut self, src: &mut S) -> Option<()> {
        self.plain.recycle(src)?;
        self.indexed.recycle(src)?;
        let provoked = self.provoke(src)?;
        let target = src.below(10)?;
        // With a fault to arm, an operation that reaches GL and a step it takes: growth on
        // creation and resizing, copies on resizing and migration, flushes and draws (for
        // the batch: 75..=79 draws, 80..=86 resizes a list).
        let roll = match provoked {
            Provoked::Fault => {
                use Site::*;
                let scenarios: &[(Site, u64)] = match target {
                    0..=3 => &[
                        (BufferCreate, 0),
                        (GrowCopy, 0),
                        (PointVao, 0),
                        (BufferCreate, 40),
                        (GrowCopy, 45),
                        (PointVao, 50),
                        (Copy, 40),
                        (Copy, 50),
                        (Copy, 70),
                        (Flush, 80),
                        (Draw, 80),
                        (Draw, 85),
                    ],
                    4 | 5 => &[
                        (Copy, 62),
                        (Copy, 70),
                        (Flush, 78),
                        (Draw, 76),
                        (Draw, 79),
                        (Copy, 83),
                        (BufferCreate, 84),
                        (GrowCopy, 85),
                    ],
                    8 | 9 => &[
                        (BufferCreate, 0),
                        (GrowCopy, 0),
                        (PointVao, 0),
                        (Copy, 0),
                        (BufferCreate, 30),
                        (GrowCopy, 30),
                        (Flush, 80),
                        (Draw, 82),
                    ],
                    _ => &[(Copy, 30), (Flush, 78), (Draw, 80), (Draw, 82)],
                };
                let (site, roll) = scenarios[src.below(scenarios.len() as u64)? as usize];
                let skip = if site == Flush {
                    src.below(2)? as u32
                } else {
                    0
                };
                // Twice in a row at the VAO: the growth's rollback fails too, and the next
                // draw must re-point the vertex array before reading through it.
                let times = if site == PointVao {
                    1 + src.below(2)? as u32
                } else {
                    1
                };
                fault::fail_repeatedly(site, skip, times);
                roll
            }
            _ => src.below(100)?,
        };
        self.batch.unprovoked = provoked == Provoked::Nothing;
        // Every draw has a program, as in a game (WebGL refuses to draw without one): the
        // instance program for instanced domains, else the colour program, which reads
        // locations 0 and 1 as floats, as every other format here stores them.
        if target >= 8 {
            self.instance_program.use_program();
        } else {
            self.program.use_program();
        }
        let outcome = match target {
            0 | 1 => self.plain.step(src, roll),
            2 | 3 => self.indexed.step(src, roll),
            4 | 5 => self.batch.step(src, roll),
            6 | 7 => self.sprites.step(src, roll),
            8 => self.instanced.step(src, roll),
            _ => self.indexed_instanced.step(src, roll),
        };
        let outcome = outcome?;
        self.settle(provoked, &outcome);
        if let (Provoked::Nothing, Outcome::Failed(message)) = (provoked, &outcome) {
            panic!("a call failed with nothing made to fail: {message}");
        }
        self.counts.ops += 1;
        if provoked != Provoked::Nothing {
            self.counts.provoked += 1;
        }
        match outcome {
            Outcome::Ok => {}
            Outcome::Failed(_) => self.counts.failed += 1,
            Outcome::Misuse => {
                self.counts.failed += 1;
                self.counts.misuse += 1;
            }
        }
        self.check();
        if self.counts.ops % PIXEL_EVERY == 0 {
            self.check_pixels(src)?;
        }
        Some(())
    }

    /// Asserts that every target holds exactly its model.
    pub fn check(&mut self) {
        self.plain.check();
        self.indexed.check();
        self.batch.check();
        self.sprites.check();
        self.instanced.check();
        self.indexed_instanced.check();
    }

    /// Draws each target and compares with a reference draw of the model's data from fresh
    /// buffers.
    pub fn check_pixels<S: Source>(&mut self, src: &mut S) -> Option<()> {
        self.plain.make_known(src)?;
        self.indexed.make_known(src)?;
        self.check();
        let (gl, target, program) = (&self.gl, &self.target, &self.program);
        fn compare<K: ModelKind>(
            what: &str,
            domains: &mut Domains<K>,
            gl: &glow::Context,
            target: &RenderTarget,
            program: &Program,
        ) {
            for d in 0..2 {
                let partial = domains.partial_lists(d, Primitive::Triangles);
                let mode = if partial == 0 {
                    Primitive::Triangles
                } else {
                    Primitive::Points
                };
                target.clear([0.0, 0.0, 0.0, 0.0]).unwrap();
                program.use_program();
                additive(gl).unwrap();
                domains.domains[d].draw(mode).unwrap();
                let drawn = target.read_pixels().unwrap();
                target.clear([0.0, 0.0, 0.0, 0.0]).unwrap();
                let lists: Vec<_> = domains.lists[d].iter().collect();
                let (vertices, indices) = concatenated(&lists);
                let indices = K::INDEXED.then_some(&indices[..]);
                reference_draw(gl, mode, &vertices, indices);
                no_blend(gl).unwrap();
                let reference = target.read_pixels().unwrap();
                assert!(
                    drawn == reference,
                    "{what} domain {d}: pixels differ ({mode:?})"
                );
            }
        }
        compare("plain", &mut self.plain, gl, target, program);
        compare("indexed", &mut self.indexed, gl, target, program);
        let failing = src.chance(25)?;
        self.batch.check_pixels(target, program, failing);
        self.sprites.check_pixels(target, self.multi_draw.clone());
        let instanced = &self.instance_program;
        self.instanced.check_pixels(target, instanced, program);
        self.indexed_instanced
            .check_pixels(target, instanced, program);
        // SAFETY: unbinding the program is always valid.
        unsafe { self.gl.use_program(None) };
        self.counts.pixel_checks += 1;
        assert_eq!(
            clear_gl_errors(&self.gl),
            0,
            "GL errors after the pixel check"
        );
        Some(())
    }
}
