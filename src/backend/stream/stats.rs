//! [`StreamStats`]: what a stream has done.

/// What a stream has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamStats {
    /// Bytes that went through the staging ring or the orphaned staging buffer.
    pub staged_bytes: u64,
    /// `glCopyBufferSubData` calls from staging into destinations.
    pub staged_copies: u64,
    /// Bytes written straight into destination ranges no queued command touches.
    pub direct_bytes: u64,
    /// Bytes written by [`StreamPath::SubData`](super::StreamPath::SubData) or [`StreamPath::Map`](super::StreamPath::Map).
    pub in_place_bytes: u64,
    /// Maps and `glBufferSubData` calls into ranges that queued draws or copies may still
    /// read or write: what makes a driver wait. 0 on the staging paths.
    pub in_use_writes: u64,
    /// Times the ring went back to its start.
    pub ring_wraps: u64,
    /// Times the ring was replaced by a larger one.
    pub ring_grows: u64,
    /// The ring's capacity in bytes now (0 before the first use).
    pub ring_capacity: u64,
    /// Fences asked with a zero timeout.
    pub fence_polls: u64,
    /// Times the CPU blocked on a fence that had not signalled.
    pub fence_waits: u64,
    /// Time spent in those waits, in nanoseconds.
    pub fence_wait_ns: u64,
    /// Of those waits, the ones for a frame at most [`StreamConfig::frames_ahead`](super::StreamConfig::frames_ahead) frames
    /// old: only a ring that may not grow (at [`MAX_RING_BYTES`](super::MAX_RING_BYTES), or
    /// [`StreamConfig::ring_grows`](super::StreamConfig::ring_grows) off) ever makes them.
    pub early_waits: u64,
    /// Frames ended ([`Stream::end_frame`](super::Stream::end_frame)).
    pub frames: u64,
}

impl StreamStats {
    /// What happened since `earlier` (a snapshot of the same stream or sum): every counter
    /// less its earlier value; [`ring_capacity`](Self::ring_capacity) as it is now.
    pub fn since(self, earlier: StreamStats) -> StreamStats {
        StreamStats {
            ring_capacity: self.ring_capacity,
            ..self.zip(earlier, u64::saturating_sub)
        }
    }

    /// Every field of `self` and `other` combined by `f`.
    pub(super) fn zip(self, other: StreamStats, f: impl Fn(u64, u64) -> u64) -> StreamStats {
        StreamStats {
            staged_bytes: f(self.staged_bytes, other.staged_bytes),
            staged_copies: f(self.staged_copies, other.staged_copies),
            direct_bytes: f(self.direct_bytes, other.direct_bytes),
            in_place_bytes: f(self.in_place_bytes, other.in_place_bytes),
            in_use_writes: f(self.in_use_writes, other.in_use_writes),
            ring_wraps: f(self.ring_wraps, other.ring_wraps),
            ring_grows: f(self.ring_grows, other.ring_grows),
            ring_capacity: f(self.ring_capacity, other.ring_capacity),
            fence_polls: f(self.fence_polls, other.fence_polls),
            fence_waits: f(self.fence_waits, other.fence_waits),
            fence_wait_ns: f(self.fence_wait_ns, other.fence_wait_ns),
            early_waits: f(self.early_waits, other.early_waits),
            frames: f(self.frames, other.frames),
        }
    }
}

impl std::ops::Add for StreamStats {
    type Output = StreamStats;

    /// The sum of two streams' statistics (ring capacities add up too).
    fn add(self, other: StreamStats) -> StreamStats {
        self.zip(other, |a, b| a + b)
    }
}
