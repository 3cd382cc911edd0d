//! Frames and their fences: ending a frame fences it, a zero-timeout poll retires what
//! has signalled, and [`Busy`] records how far a buffer's queued commands reach.

use std::time::Duration;

use glow::HasContext;
use web_time::Instant;

use super::{Stream, StreamPath};
use crate::backend::fault::fences_held;
use crate::backend::GlError;

/// The most fences a stream keeps: one per frame that staged bytes and is not known
/// complete. Reaching it (a GPU this many frames behind) makes the stream wait on the
/// oldest, so the queue never reallocates.
pub(super) const MAX_FENCES: usize = 16;
/// How long a blocking fence wait may take before the stream reports
/// [`GlError::FenceWait`]: far beyond any frame, so only a lost context gets there.
pub(super) const FENCE_PATIENCE: Duration = Duration::from_secs(10);
/// One blocking `glClientWaitSync`, in nanoseconds (its timeout is a 64-bit value, but glow
/// passes it through an `i32`).
pub(super) const FENCE_WAIT_STEP_NS: i32 = 1_000_000_000;

/// How far a buffer's queued GPU work reaches: bytes `0..end` may be read or written by
/// commands issued up to frame `frame` of its stream; bytes from `end` on by none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Busy {
    end: usize,
    frame: u64,
}

impl Busy {
    /// A buffer whose first `end` bytes a command of `stream`'s current frame touches.
    pub(crate) fn up_to(end: usize, stream: &Stream) -> Busy {
        Busy {
            end,
            frame: stream.frame,
        }
    }

    /// Adds `0..end`, touched by a command of `stream`'s current frame.
    pub(crate) fn touch(&mut self, end: usize, stream: &Stream) {
        let end = if self.frame <= stream.retired {
            end
        } else {
            end.max(self.end)
        };
        *self = Busy::up_to(end, stream);
    }
}

impl Stream {
    /// Ends the frame: fences the GPU work issued so far when this frame staged bytes
    /// (ring space is reused only once such a fence has signalled), and starts the next
    /// frame. A domain calls it at the end of each [`draw`](crate::domain::Domain::draw).
    ///
    /// Fails only when `glFenceSync` does; the frame has ended either way.
    pub fn end_frame(&mut self) -> Result<(), GlError> {
        let staged = std::mem::take(&mut self.staged_this_frame);
        let frame = self.frame;
        self.frame += 1;
        self.stats.frames += 1;
        if staged {
            self.fence(frame)?;
        }
        // Keep the fence queue short: a frame more than `frames_ahead + 1` old has usually
        // signalled, and asking costs one call a frame at most.
        if self.fences.len() > self.config.frames_ahead as usize + 1 && self.poll(0)? {
            self.retire_through(0);
        }
        Ok(())
    }

    /// Whether every command issued up to the end of `frame` is known complete, asking the
    /// GPU (a zero-timeout fence query) when that is not known yet. Never waits.
    pub fn frame_done(&mut self, frame: u64) -> Result<bool, GlError> {
        if frame <= self.retired {
            return Ok(true);
        }
        match self.fences.iter().position(|&(f, _)| f >= frame) {
            Some(i) if self.poll(i)? => {
                self.retire_through(i);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The first byte of a buffer with `busy` from which no queued command can touch it.
    pub(crate) fn idle_from(&self, busy: Busy) -> usize {
        if busy.frame <= self.retired {
            0
        } else {
            busy.end
        }
    }

    /// Fences the GPU work issued so far as `frame`'s, first waiting on the oldest fence
    /// when [`MAX_FENCES`] are outstanding.
    pub(super) fn fence(&mut self, frame: u64) -> Result<(), GlError> {
        if self.fences.len() >= MAX_FENCES {
            if self.path == StreamPath::Ring || !cfg!(target_arch = "wasm32") {
                self.wait(0)?;
            } else {
                // WebGL cannot block on a fence (its client wait timeout is 0), and a fence
                // signals only once the page yields to the browser. Only the ring needs its
                // fences to reuse space; on the other paths the oldest is forgotten, not
                // retired: its buffers stay counted as busy, so nothing is written where a
                // queued draw may read.
                self.forget_oldest();
            }
        }
        // SAFETY: a plain sync object creation on the current context.
        let fence = unsafe { self.gl.fence_sync(glow::SYNC_GPU_COMMANDS_COMPLETE, 0) }.map_err(
            |message| GlError::Create {
                object: "fence",
                message,
            },
        )?;
        self.fences.push_back((frame, fence));
        Ok(())
    }

    /// Asks fence `i` with a zero timeout whether it has signalled.
    pub(super) fn poll(&mut self, i: usize) -> Result<bool, GlError> {
        let Some(&(_, fence)) = self.fences.get(i) else {
            return Ok(true);
        };
        self.stats.fence_polls += 1;
        if fences_held() {
            return Ok(false);
        }
        // SAFETY: `fence` is a live sync object of this context. Flushing makes sure a
        // fence not yet submitted (nothing has flushed since it was made) can signal;
        // it queues the commands to the GPU and does not wait for them.
        let status = unsafe {
            self.gl
                .client_wait_sync(fence, glow::SYNC_FLUSH_COMMANDS_BIT, 0)
        };
        match status {
            glow::ALREADY_SIGNALED | glow::CONDITION_SATISFIED => Ok(true),
            glow::TIMEOUT_EXPIRED => Ok(false),
            _ => Err(GlError::FenceWait { waited_ms: 0 }),
        }
    }

    /// Blocks until fence `i` signals, then retires it and the frames before it.
    pub(super) fn wait(&mut self, i: usize) -> Result<(), GlError> {
        let Some(&(_, fence)) = self.fences.get(i) else {
            return Ok(());
        };
        let started = Instant::now();
        self.stats.fence_waits += 1;
        let result = loop {
            // SAFETY: `fence` is a live sync object; flushing makes sure it can signal.
            let status = unsafe {
                self.gl
                    .client_wait_sync(fence, glow::SYNC_FLUSH_COMMANDS_BIT, FENCE_WAIT_STEP_NS)
            };
            let waited = started.elapsed();
            match status {
                glow::ALREADY_SIGNALED | glow::CONDITION_SATISFIED => break Ok(()),
                glow::TIMEOUT_EXPIRED if waited < FENCE_PATIENCE => continue,
                _ => {
                    break Err(GlError::FenceWait {
                        waited_ms: waited.as_millis() as u64,
                    })
                }
            }
        };
        self.stats.fence_wait_ns += started.elapsed().as_nanos() as u64;
        result?;
        self.retire_through(i);
        Ok(())
    }

    /// Deletes the oldest fence without retiring its frame.
    pub(super) fn forget_oldest(&mut self) {
        if let Some((_, fence)) = self.fences.pop_front() {
            // SAFETY: the fence is ours and no longer used.
            unsafe { self.gl.delete_sync(fence) };
        }
    }

    /// Deletes fences `0..=i`, whose frames are complete, and frees their ring space.
    pub(super) fn retire_through(&mut self, i: usize) {
        if self.fences.is_empty() {
            return;
        }
        for (frame, fence) in self.fences.drain(..=i.min(self.fences.len() - 1)) {
            // SAFETY: the fence is ours and no longer used.
            unsafe { self.gl.delete_sync(fence) };
            self.retired = self.retired.max(frame);
        }
        self.retire_spans();
    }
}
