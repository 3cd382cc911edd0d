//! Region allocator (see issue 2).
