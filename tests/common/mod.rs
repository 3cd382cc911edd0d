//! Shared helpers of the GL integration tests: a real headless context (never a mock), and a
//! panic naming what to install when there is none, so that GL tests fail instead of skipping.
#![allow(dead_code)]

use vertex_domain::headless::{HeadlessApi, HeadlessContext};

/// A desktop GL core context current on this thread; panics with the install hint if EGL is
/// unusable.
pub fn context() -> HeadlessContext {
    make(HeadlessApi::GlCore)
}

/// A GLES 3 context current on this thread; panics with the install hint if EGL is unusable.
pub fn context_gles() -> HeadlessContext {
    make(HeadlessApi::Gles3)
}

fn make(api: HeadlessApi) -> HeadlessContext {
    match HeadlessContext::new(api) {
        Ok(context) => context,
        Err(err) => {
            panic!("GL tests need a headless {api:?} context and could not create one: {err}")
        }
    }
}
