//! Integrity on real GL: a seeded random sequence of thousands of operations (create, write,
//! resize up and down, delete, migrate, draw) over several domains, indexed and not, each
//! starting at 16 vertices so that they grow many times. After every growth, and at the end,
//! every live list's every attribute and index is read back from GL and compared with a CPU
//! model: zero bytes lost.

mod common;
#[path = "../examples/common/rng.rs"]
mod rng;
use rng::Rng;

use vertex_domain::backend::{Attribute, ComponentType, MultiDraw, RenderTarget, VertexFormat};
use vertex_domain::domain::{
    DomainError, IndexedVertexDomain, IndexedVertexList, Primitive, VertexDomain, VertexList,
};
use vertex_domain::headless::HeadlessContext;

/// Operations per run: the issue asks for at least 5,000.
const OPERATIONS: usize = 6_000;
/// Every domain starts this small, so growth happens again and again.
const INITIAL_CAPACITY: usize = 16;
/// Domains of each kind; lists migrate between domains of one kind.
const DOMAINS_PER_KIND: usize = 2;
const MAX_VERTICES: u64 = 48;

fn format() -> VertexFormat {
    VertexFormat::new(vec![
        Attribute::new("position", 0, 2, ComponentType::F32),
        Attribute::new("colour", 1, 4, ComponentType::U8).normalized(),
        Attribute::new("layer", 2, 1, ComponentType::U16),
    ])
    .unwrap()
}

/// One list's attributes as read back: positions, colours, layers.
type ReadBack = (
    Result<Vec<[f32; 2]>, DomainError>,
    Result<Vec<[u8; 4]>, DomainError>,
    Result<Vec<u16>, DomainError>,
);

/// What one list should hold.
#[derive(Clone, Debug, Default)]
struct Data {
    positions: Vec<[f32; 2]>,
    colours: Vec<[u8; 4]>,
    layers: Vec<u16>,
    indices: Vec<u32>,
}

impl Data {
    fn random(rng: &mut Rng, vertices: usize, indices: usize) -> Data {
        Data {
            positions: (0..vertices)
                .map(|_| [rng.next() as f32, rng.below(1000) as f32])
                .collect(),
            colours: (0..vertices)
                .map(|_| rng.next().to_le_bytes()[..4].try_into().unwrap())
                .collect(),
            layers: (0..vertices).map(|_| rng.next() as u16).collect(),
            indices: (0..indices)
                .map(|_| rng.below(vertices.max(1) as u64) as u32)
                .collect(),
        }
    }

    fn vertex_count(&self) -> usize {
        self.positions.len()
    }

    /// Asserts that the (position, colour, layer) values read back from GL are this data.
    fn assert_attributes(&self, read: ReadBack, step: usize) {
        let (positions, colours, layers) = read;
        assert_eq!(positions.unwrap(), self.positions, "step {step}");
        assert_eq!(colours.unwrap(), self.colours, "step {step}");
        assert_eq!(layers.unwrap(), self.layers, "step {step}");
    }
}

/// The domains under test and the model of their lists.
struct World {
    plain: Vec<VertexDomain>,
    indexed: Vec<IndexedVertexDomain>,
    /// (domain index, handle, expected data)
    plain_lists: Vec<(usize, VertexList, Data)>,
    indexed_lists: Vec<(usize, IndexedVertexList, Data)>,
    checks: usize,
}

impl World {
    fn new(ctx: &HeadlessContext, multi_draw: MultiDraw) -> World {
        World {
            plain: (0..DOMAINS_PER_KIND)
                .map(|_| {
                    VertexDomain::new(ctx.gl(), multi_draw, format(), INITIAL_CAPACITY).unwrap()
                })
                .collect(),
            indexed: (0..DOMAINS_PER_KIND)
                .map(|_| {
                    IndexedVertexDomain::new(
                        ctx.gl(),
                        multi_draw,
                        format(),
                        INITIAL_CAPACITY,
                        INITIAL_CAPACITY,
                    )
                    .unwrap()
                })
                .collect(),
            plain_lists: Vec::new(),
            indexed_lists: Vec::new(),
            checks: 0,
        }
    }

    fn grows(&self) -> u64 {
        let plain: u64 = self.plain.iter().map(|d| d.stats().grows).sum();
        plain + self.indexed.iter().map(|d| d.stats().grows).sum::<u64>()
    }

    /// Reads back every live list and compares it with the model.
    fn check_everything(&mut self, step: usize) {
        self.checks += 1;
        for (d, list, data) in &self.plain_lists {
            let domain = &mut self.plain[*d];
            let read = (
                domain.read(*list, 0),
                domain.read(*list, 1),
                domain.read(*list, 2),
            );
            data.assert_attributes(read, step);
        }
        for (d, list, data) in &self.indexed_lists {
            let domain = &mut self.indexed[*d];
            let read = (
                domain.read(*list, 0),
                domain.read(*list, 1),
                domain.read(*list, 2),
            );
            data.assert_attributes(read, step);
            assert_eq!(
                domain.read_indices(*list).unwrap(),
                data.indices,
                "step {step}"
            );
        }
        let plain: usize = self.plain.iter().map(VertexDomain::len).sum();
        let indexed: usize = self.indexed.iter().map(IndexedVertexDomain::len).sum();
        assert_eq!(plain, self.plain_lists.len());
        assert_eq!(indexed, self.indexed_lists.len());
    }

    fn write_plain(&mut self, i: usize) {
        let (d, list, data) = &self.plain_lists[i];
        let domain = &mut self.plain[*d];
        domain.write(*list, "position", &data.positions).unwrap();
        domain.write(*list, "colour", &data.colours).unwrap();
        domain.write(*list, "layer", &data.layers).unwrap();
    }

    fn write_indexed(&mut self, i: usize) {
        let (d, list, data) = &self.indexed_lists[i];
        let domain = &mut self.indexed[*d];
        domain.write(*list, 0, &data.positions).unwrap();
        domain.write(*list, 1, &data.colours).unwrap();
        domain.write(*list, 2, &data.layers).unwrap();
        domain.write_indices(*list, &data.indices).unwrap();
    }

    fn step(&mut self, rng: &mut Rng) {
        let indexed = rng.below(2) == 0;
        let count = if indexed {
            self.indexed_lists.len()
        } else {
            self.plain_lists.len()
        };
        let roll = rng.below(100);
        if count == 0 || roll < 30 {
            self.create(rng, indexed);
        } else {
            let i = rng.below(count as u64) as usize;
            match roll {
                30..=44 => self.rewrite(rng, indexed, i),
                45..=69 => self.resize(rng, indexed, i),
                70..=84 => self.delete(indexed, i),
                85..=94 => self.migrate(rng, indexed, i),
                _ => self.draw(rng),
            }
        }
    }

    fn create(&mut self, rng: &mut Rng, indexed: bool) {
        let vertices = 1 + rng.below(MAX_VERTICES) as usize;
        let d = rng.below(DOMAINS_PER_KIND as u64) as usize;
        if indexed {
            let indices = rng.below(3 * MAX_VERTICES / 2) as usize;
            let list = self.indexed[d].create(vertices, indices).unwrap();
            let data = Data::random(rng, vertices, indices);
            self.indexed_lists.push((d, list, data));
            self.write_indexed(self.indexed_lists.len() - 1);
        } else {
            let list = self.plain[d].create(vertices).unwrap();
            self.plain_lists
                .push((d, list, Data::random(rng, vertices, 0)));
            self.write_plain(self.plain_lists.len() - 1);
        }
    }

    fn rewrite(&mut self, rng: &mut Rng, indexed: bool, i: usize) {
        if indexed {
            let data = &mut self.indexed_lists[i].2;
            *data = Data::random(rng, data.vertex_count(), data.indices.len());
            self.write_indexed(i);
        } else {
            let data = &mut self.plain_lists[i].2;
            *data = Data::random(rng, data.vertex_count(), 0);
            self.write_plain(i);
        }
    }

    /// Resizes, checks that the kept prefix survived (before anything is rewritten), then
    /// writes the whole list.
    fn resize(&mut self, rng: &mut Rng, indexed: bool, i: usize) {
        let vertices = 1 + rng.below(MAX_VERTICES) as usize;
        let index_count = rng.below(3 * MAX_VERTICES / 2) as usize;
        let fresh = Data::random(rng, vertices, index_count);
        if indexed {
            let (d, list, data) = &mut self.indexed_lists[i];
            let domain = &mut self.indexed[*d];
            domain.resize(*list, vertices, fresh.indices.len()).unwrap();
            let kept = data.vertex_count().min(vertices);
            let positions = domain.read::<[f32; 2]>(*list, 0).unwrap();
            assert_eq!(positions[..kept], data.positions[..kept]);
            let kept_indices = data.indices.len().min(fresh.indices.len());
            let expected: Vec<u32> = data.indices[..kept_indices]
                .iter()
                .map(|&x| if (x as usize) < vertices { x } else { 0 })
                .chain(std::iter::repeat(0))
                .take(fresh.indices.len())
                .collect();
            assert_eq!(domain.read_indices(*list).unwrap(), expected);
            *data = fresh;
            self.write_indexed(i);
        } else {
            let (d, list, data) = &mut self.plain_lists[i];
            let domain = &mut self.plain[*d];
            domain.resize(*list, vertices).unwrap();
            let kept = data.vertex_count().min(vertices);
            let layers = domain.read::<u16>(*list, 2).unwrap();
            assert_eq!(layers[..kept], data.layers[..kept]);
            data.positions = fresh.positions;
            data.colours = fresh.colours;
            data.layers = fresh.layers;
            self.write_plain(i);
        }
    }

    fn delete(&mut self, indexed: bool, i: usize) {
        if indexed {
            let (d, list, _) = self.indexed_lists.swap_remove(i);
            self.indexed[d].delete(list).unwrap();
            assert!(self.indexed[d].read_indices(list).is_err());
        } else {
            let (d, list, _) = self.plain_lists.swap_remove(i);
            self.plain[d].delete(list).unwrap();
            assert!(self.plain[d].read::<u16>(list, 2).is_err());
        }
    }

    fn migrate(&mut self, rng: &mut Rng, indexed: bool, i: usize) {
        let to = rng.below(DOMAINS_PER_KIND as u64) as usize;
        if indexed {
            let (from, list, _) = self.indexed_lists[i];
            if from == to {
                return;
            }
            let (a, b) = pair(&mut self.indexed, from, to);
            self.indexed_lists[i].1 = a.migrate(list, b).unwrap();
            self.indexed_lists[i].0 = to;
        } else {
            let (from, list, _) = self.plain_lists[i];
            if from == to {
                return;
            }
            let (a, b) = pair(&mut self.plain, from, to);
            self.plain_lists[i].1 = a.migrate(list, b).unwrap();
            self.plain_lists[i].0 = to;
        }
    }

    fn draw(&mut self, rng: &mut Rng) {
        let mode = [
            Primitive::Triangles,
            Primitive::LineStrip,
            Primitive::Points,
        ][rng.below(3) as usize];
        for domain in &mut self.plain {
            domain.draw(mode).unwrap();
        }
        for domain in &mut self.indexed {
            domain.draw(mode).unwrap();
        }
    }
}

/// Two distinct elements of a slice, mutably.
fn pair<T>(items: &mut [T], a: usize, b: usize) -> (&mut T, &mut T) {
    assert_ne!(a, b);
    if a < b {
        let (left, right) = items.split_at_mut(b);
        (&mut left[a], &mut right[0])
    } else {
        let (left, right) = items.split_at_mut(a);
        (&mut right[0], &mut left[b])
    }
}

fn run(ctx: &HeadlessContext, multi_draw: MultiDraw, seed: u64) {
    let target = RenderTarget::new(ctx.gl().clone(), 64, 64).unwrap();
    target.bind();
    let program = common::colour_program(ctx.gl());
    program.use_program();
    let mut world = World::new(ctx, multi_draw);
    let mut rng = Rng(seed);
    let mut grows = 0;
    for step in 0..OPERATIONS {
        world.step(&mut rng);
        let now = world.grows();
        if now != grows {
            grows = now;
            world.check_everything(step);
        }
    }
    world.check_everything(OPERATIONS);
    assert!(
        world.checks > 20,
        "the domains grew too rarely ({} checks) to prove growth",
        world.checks
    );
    let upload_free_growth = world.plain.iter().all(|d| d.stats().grows > 4);
    assert!(
        upload_free_growth,
        "every plain domain should grow many times"
    );
}

#[test]
fn thousands_of_random_operations_lose_no_byte_on_gl_core() {
    let ctx = common::context();
    run(&ctx, *ctx.multi_draw(), 0x5EED_0001);
}

#[test]
fn thousands_of_random_operations_lose_no_byte_on_gles3() {
    let ctx = common::context_gles();
    run(&ctx, *ctx.multi_draw(), 0x5EED_0002);
}

#[test]
fn thousands_of_random_operations_lose_no_byte_with_single_draw_fallback() {
    let ctx = common::context();
    run(&ctx, MultiDraw::single_draws(), 0x5EED_0003);
}
