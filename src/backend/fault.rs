//! Fault injection: makes one of the crate's GL steps fail on demand, on the real context,
//! so that tests (this crate's and a game's own) can prove that every error path leaves
//! every list intact.
//!
//! Each GL step that can fail ([`Site`]) ends in a [`check_gl`](super::check_gl). When a
//! fault is armed for that site, the step first does its real GL work and then issues one
//! invalid GL call (`glEnable(0)`), so the context itself raises `GL_INVALID_ENUM` and the
//! step's own error check reports it: nothing is mocked, and the code under test cleans up
//! exactly as it would after a real driver error.
//!
//! Faults are armed per thread, as GL contexts are current per thread. With the
//! `fault-injection` feature off, the injection points compile to nothing and the arming
//! functions do not exist.

/// A GL step that a fault can be injected into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Site {
    /// Creating a buffer's storage (`glBufferData`), at domain creation or growth.
    BufferCreate,
    /// The GPU copy of a buffer's old contents into its grown replacement.
    GrowCopy,
    /// Flushing staged writes into a buffer (`glMapBufferRange` or `glBufferSubData`).
    Flush,
    /// A GPU copy between ranges or buffers (`glCopyBufferSubData`) when a list moves.
    Copy,
    /// Pointing a vertex array at its buffers (`glVertexAttrib*Pointer`).
    PointVao,
    /// A draw call (`glMultiDraw*` or its single-draw fallback).
    Draw,
    /// Reading a buffer range back (`glMapBufferRange` for reading).
    Read,
    /// Creating a stream's staging ring (`glBufferStorage` and its persistent mapping).
    Staging,
    /// Creating, filling or growing a texture's storage (`glTexImage2D`,
    /// `glTexSubImage2D`, `glCopyTexSubImage2D`): the scene atlas's growth and its uploads
    /// of images and new glyphs.
    Texture,
}

impl Site {
    /// Every site, for tests that pick one at random.
    pub const ALL: [Site; 9] = [
        Site::BufferCreate,
        Site::GrowCopy,
        Site::Flush,
        Site::Copy,
        Site::PointVao,
        Site::Draw,
        Site::Read,
        Site::Staging,
        Site::Texture,
    ];
}

#[cfg(feature = "fault-injection")]
mod armed {
    use std::cell::Cell;

    use super::Site;

    thread_local! {
        /// The armed site, how many of its steps still pass before one fails, and how many
        /// in a row then fail.
        static ARMED: Cell<Option<(Site, u32, u32)>> = const { Cell::new(None) };
        /// Faults injected on this thread so far.
        static INJECTED: Cell<u64> = const { Cell::new(0) };
        /// Whether fence polls answer "not signalled" (see [`hold_fences`]).
        static HELD: Cell<bool> = const { Cell::new(false) };
    }

    /// While `held`, every zero-timeout fence poll of a stream on this thread answers
    /// "not signalled yet", as it would on a GPU that runs frames behind the CPU (llvmpipe
    /// finishes each draw before the call returns, so its fences are never behind). A
    /// stream's blocking wait still asks the real fence, which then signals.
    pub fn hold_fences(held: bool) {
        HELD.with(|h| h.set(held));
    }

    /// Whether fence polls are held ([`hold_fences`]).
    pub fn fences_held() -> bool {
        HELD.with(|h| h.get())
    }

    /// Arms a fault: on this thread, `site`'s steps pass `skip` more times, and the next one
    /// fails with a real `GL_INVALID_ENUM`. Replaces any fault still armed.
    pub fn fail_at(site: Site, skip: u32) {
        fail_repeatedly(site, skip, 1);
    }

    /// Like [`fail_at`], but the `times` steps at `site` after the skipped ones all fail:
    /// for paths whose recovery goes through the same step again.
    pub fn fail_repeatedly(site: Site, skip: u32, times: u32) {
        ARMED.with(|a| a.set((times > 0).then_some((site, skip, times))));
    }

    /// Disarms the fault, if one is still armed. Returns whether one was.
    pub fn disarm() -> bool {
        ARMED.with(|a| a.take()).is_some()
    }

    /// Whether a fault is armed and has not fired yet.
    pub fn is_armed() -> bool {
        ARMED.with(|a| a.get()).is_some()
    }

    /// How many faults have fired on this thread.
    pub fn injected() -> u64 {
        INJECTED.with(|c| c.get())
    }

    /// Whether the step now at `site` must fail; counts the firing and disarms.
    pub(super) fn fires(site: Site) -> bool {
        ARMED.with(|a| match a.get() {
            Some((armed, 0, times)) if armed == site => {
                a.set((times > 1).then_some((armed, 0, times - 1)));
                INJECTED.with(|c| c.set(c.get() + 1));
                true
            }
            Some((armed, skip, times)) if armed == site => {
                a.set(Some((armed, skip - 1, times)));
                false
            }
            _ => false,
        })
    }
}

#[cfg(feature = "fault-injection")]
pub use armed::{disarm, fail_at, fail_repeatedly, fences_held, hold_fences, injected, is_armed};

/// Whether fence polls are held; always `false` without the `fault-injection` feature.
#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub(crate) fn fences_held() -> bool {
    false
}

/// Called by each step at `site` right before its error check: raises a real GL error when
/// a fault is armed for it.
///
/// GL state touched: the error flags, and only when a fault fires.
#[inline(always)]
pub(crate) fn inject(gl: &glow::Context, site: Site) {
    #[cfg(feature = "fault-injection")]
    if armed::fires(site) {
        use glow::HasContext;
        // SAFETY: glEnable with a capability GL does not have only raises GL_INVALID_ENUM.
        unsafe { gl.enable(0) };
    }
    #[cfg(not(feature = "fault-injection"))]
    let _ = (gl, site);
}
