//! The browser's WebGL2 context: what it reports and what the crate finds in it. (The
//! native EGL context: `gl_context.rs`.)
#![cfg(target_arch = "wasm32")]

mod common;

use glow::HasContext;
use vertex_domain::backend::{StreamConfig, StreamPath, WEB_DEFAULT};
use vertex_domain::headless::{HeadlessApi, HeadlessContext};
use wasm_bindgen_test::wasm_bindgen_test as test;

#[test]
fn a_webgl2_context_reports_webgl_2_and_glsl_es() {
    let ctx = common::context();
    assert_eq!(ctx.api(), HeadlessApi::WebGl2);
    assert!(ctx.version().starts_with("WebGL 2.0"), "{}", ctx.version());
    let version = ctx.gl().version();
    assert!(version.is_embedded, "{version:?}");
    assert_eq!((version.major, version.minor), (3, 0), "{version:?}");
}

#[test]
fn desktop_apis_are_refused_in_the_browser() {
    for api in [HeadlessApi::GlCore, HeadlessApi::Gles3] {
        let error = HeadlessContext::new(api).unwrap_err();
        assert!(error.to_string().contains("WebGl2"), "{error}");
    }
}

#[test]
fn webgl_multi_draw_is_found_where_the_browser_offers_it() {
    let ctx = common::context();
    let offered = ctx
        .webgl()
        .get_supported_extensions()
        .map(|list| list.iter().any(|name| name == "WEBGL_multi_draw"))
        .unwrap_or(false);
    let md = ctx.multi_draw();
    assert_eq!(md.has_web(), offered);
    assert_eq!(md.is_native_arrays(), offered);
    assert_eq!(md.is_native_elements(), offered);
    assert!(!md.supports(vertex_domain::backend::InstanceDraw::BaseInstance));
}

#[test]
fn only_the_paths_that_never_map_are_offered_and_the_default_is_one() {
    let ctx = common::context();
    let gl = ctx.gl();
    for path in StreamPath::ALL {
        let never_maps = matches!(path, StreamPath::SubData | StreamPath::Respecify);
        assert_eq!(path.is_supported(gl), never_maps, "{path:?}");
        let refused = StreamConfig::on(path).resolve(gl).is_err();
        assert_eq!(refused, !never_maps, "{path:?}");
    }
    assert_eq!(StreamPath::best(gl), WEB_DEFAULT);
}

#[test]
fn a_webgl2_context_says_at_creation_that_it_cannot_map_buffers() {
    let ctx = common::context();
    let capabilities = ctx.capabilities();
    let lacks = capabilities.lacks();
    assert!(
        lacks.iter().any(|l| l.contains("no buffer mapping")),
        "{lacks:?}"
    );
    assert!(
        lacks.iter().any(|l| l.contains("no base instance")),
        "{lacks:?}"
    );
    assert_eq!(capabilities.stream_path, StreamPath::Respecify);
    assert!(
        capabilities.to_string().contains("WebGL2"),
        "{capabilities}"
    );
}
