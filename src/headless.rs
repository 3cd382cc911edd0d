//! Headless GL context (see issue 3).
