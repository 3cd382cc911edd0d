//! [`Shelves`]: a 2D packer for the atlases (sprite images and glyphs alike): rectangles on
//! shelves, rows of the height of their first rectangle, filled left to right and opened top
//! to bottom, with [`PADDING`] between neighbours. Pure bookkeeping, like the rest of
//! `allocation`; the space can grow, and nothing placed ever moves.

/// Texels left empty between neighbouring rectangles (and after the last of a shelf), so
/// that linear filtering at one rectangle's edge never reads its neighbour.
pub(crate) const PADDING: u32 = 1;

/// Rectangles packed on shelves: rows of the height of their first rectangle, filled left
/// to right, opened top to bottom. Pure bookkeeping.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Shelves {
    width: u32,
    height: u32,
    /// Each shelf's top row, height and first free column. Invariant: shelves lie one
    /// under the other from row 0, each `height + PADDING` rows apart.
    shelves: Vec<Shelf>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Shelf {
    y: u32,
    height: u32,
    x: u32,
}

impl Shelves {
    pub(crate) fn new(width: u32, height: u32) -> Shelves {
        Shelves {
            width,
            height,
            shelves: Vec::new(),
        }
    }

    /// Places a `width` × `height` rectangle: on the first shelf tall enough (and not more
    /// than a third taller) with room, else on a new shelf. `None` when it does not fit.
    pub(crate) fn place(&mut self, width: u32, height: u32) -> Option<(u32, u32)> {
        if width > self.width {
            return None;
        }
        let fits = |s: &Shelf| {
            s.height >= height && s.height <= height + height / 3 + 1 && s.x + width <= self.width
        };
        if let Some(shelf) = self.shelves.iter_mut().find(|s| fits(s)) {
            let at = (shelf.x, shelf.y);
            shelf.x += width + PADDING;
            return Some(at);
        }
        let y = self.shelves.last().map_or(0, |s| s.y + s.height + PADDING);
        if y + height > self.height {
            return None;
        }
        self.shelves.push(Shelf {
            y,
            height,
            x: width + PADDING,
        });
        Some((0, y))
    }

    /// Places a `width` × `height` rectangle, growing the space until it fits: the shorter
    /// side doubles (the height when square), up to `max` texels a side, and `grow` is told
    /// each new size first (to grow the texture behind it). `full` names the error when
    /// even `max` cannot hold it, refused before anything grows when the rectangle alone
    /// is larger than `max`.
    ///
    /// On error nothing placed moved; a growth that succeeded before a failing one stays
    /// (more room, nothing lost).
    pub(crate) fn place_or_grow<E>(
        &mut self,
        (width, height): (u32, u32),
        max: u32,
        full: impl Fn() -> E,
        mut grow: impl FnMut(u32, u32) -> Result<(), E>,
    ) -> Result<(u32, u32), E> {
        if width > max || height > max {
            return Err(full());
        }
        loop {
            // `place` changes nothing when it finds no room.
            if let Some(at) = self.place(width, height) {
                return Ok(at);
            }
            let (w, h) = self.size();
            let grown = match h <= w {
                true => (w, (h * 2).min(max)),
                false => ((w * 2).min(max), h),
            };
            if grown == (w, h) {
                return Err(full());
            }
            grow(grown.0, grown.1)?;
            self.grow(grown.0, grown.1);
        }
    }

    /// Makes room for more: the space grows to `width` × `height` (not smaller than now),
    /// and every placed rectangle stays where it is.
    pub(crate) fn grow(&mut self, width: u32, height: u32) {
        self.width = self.width.max(width);
        self.height = self.height.max(height);
    }

    /// The rows the shelves use, from row 0: where the next shelf would start, less the
    /// padding.
    pub(crate) fn used_height(&self) -> u32 {
        self.shelves.last().map_or(0, |s| s.y + s.height)
    }

    /// The size packed into.
    pub(crate) fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }
}

/// Whether two rectangles `(x, y, width, height)`, each grown by [`PADDING`], intersect:
/// what no two packed rectangles may do. For the packers' tests.
#[cfg(test)]
pub(crate) fn touch(a: (u32, u32, u32, u32), b: (u32, u32, u32, u32)) -> bool {
    a.0 < b.0 + b.2 + PADDING
        && b.0 < a.0 + a.2 + PADDING
        && a.1 < b.1 + b.3 + PADDING
        && b.1 < a.1 + a.3 + PADDING
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shelves_place_rectangles_apart_and_inside() {
        let mut shelves = Shelves::new(64, 64);
        let mut placed = Vec::new();
        for i in 0..40u32 {
            let (w, h) = (3 + i % 7, 4 + (i * 5) % 9);
            if let Some((x, y)) = shelves.place(w, h) {
                placed.push((x, y, w, h));
            }
        }
        assert!(placed.len() > 20, "only {} placed", placed.len());
        for (i, a) in placed.iter().enumerate() {
            assert!(a.0 + a.2 <= 64 && a.1 + a.3 <= 64, "{a:?} leaves the space");
            for b in &placed[i + 1..] {
                assert!(!touch(*a, *b), "{a:?} and {b:?} touch");
            }
        }
    }

    #[test]
    fn a_full_space_refuses_and_growth_keeps_what_was_placed() {
        let mut shelves = Shelves::new(16, 16);
        let first = shelves.place(10, 10).unwrap();
        assert_eq!(
            shelves.place(10, 10),
            None,
            "a second 10x10 does not fit 16x16"
        );
        shelves.grow(16, 32);
        let second = shelves.place(10, 10).unwrap();
        assert_eq!(first, (0, 0));
        assert_eq!(second, (0, 11));
        shelves.grow(32, 32);
        assert_eq!(
            shelves.place(10, 10),
            Some((11, 0)),
            "the first shelf got wider"
        );
    }

    #[test]
    fn a_rectangle_wider_than_the_space_never_fits() {
        let mut shelves = Shelves::new(8, 64);
        assert_eq!(shelves.place(9, 1), None);
        assert_eq!(shelves.place(8, 1), Some((0, 0)));
    }

    #[test]
    fn place_or_grow_doubles_the_shorter_side_until_it_fits_and_stops_at_the_maximum() {
        let mut shelves = Shelves::new(16, 16);
        let mut grown = Vec::new();
        let at = shelves.place_or_grow(
            (20, 20),
            64,
            || "full",
            |w, h| {
                grown.push((w, h));
                Ok(())
            },
        );
        assert_eq!(at, Ok((0, 0)));
        assert_eq!(grown, [(16, 32), (32, 32)]);
        assert_eq!(
            shelves.place_or_grow((65, 1), 64, || "full", |_, _| Ok(())),
            Err("full")
        );
        let failed = shelves.place_or_grow((40, 40), 64, || "full", |_, _| Err("gl"));
        assert_eq!(failed, Err("gl"));
        assert_eq!(shelves.size(), (32, 32), "a failed growth leaves the size");
    }
}
