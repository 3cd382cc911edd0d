//! Program on a real context: compile and link errors carry the stage and driver log,
//! attribute locations bind and query by name, uniforms reach the pixels.

mod common;
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use vertex_domain::backend::{GlError, Program, RenderTarget, ShaderVersion};

const VERTEX_BODY: &str = "in vec2 position;\nin vec4 colour;\nout vec4 v_colour;\n\
    void main() { v_colour = colour; gl_Position = vec4(position, 0.0, 1.0); }";
const FRAGMENT_BODY: &str =
    "in vec4 v_colour;\nout vec4 out_colour;\nvoid main() { out_colour = v_colour; }";

#[test]
fn shader_version_follows_the_context() {
    let gl_ctx = common::context();
    let expected = if common::WEB {
        ShaderVersion::Glsl300Es // WebGL2 speaks GLSL ES 3.00
    } else {
        ShaderVersion::Glsl330Core
    };
    assert_eq!(ShaderVersion::for_context(gl_ctx.gl()), expected);
    assert_eq!(ShaderVersion::Glsl330Core.header(), "#version 330 core");
    drop(gl_ctx);
    let es = common::context_gles();
    assert_eq!(
        ShaderVersion::for_context(es.gl()),
        ShaderVersion::Glsl300Es
    );
    assert_eq!(
        ShaderVersion::Glsl300Es.source("void main() {}"),
        "#version 300 es\nprecision highp float;\nprecision highp int;\nvoid main() {}"
    );
}

#[test]
fn a_vertex_compile_error_carries_the_stage_and_log() {
    let ctx = common::context();
    let version = ShaderVersion::for_context(ctx.gl());
    let err = Program::new(
        ctx.gl(),
        &version.source("void main() { gl_Position = undeclared_thing; }"),
        &version.source(FRAGMENT_BODY),
    )
    .unwrap_err();
    match &err {
        GlError::Compile { stage, log } => {
            assert_eq!(*stage, "vertex");
            assert!(log.contains("undeclared_thing"), "log: {log}");
        }
        other => panic!("expected a compile error, got {other:?}"),
    }
    assert!(err
        .to_string()
        .starts_with("vertex shader failed to compile"));
}

#[test]
fn a_fragment_compile_error_carries_the_stage_and_log() {
    for ctx in [common::context(), common::context_gles()] {
        ctx.make_current().unwrap();
        let version = ShaderVersion::for_context(ctx.gl());
        let err = Program::new(
            ctx.gl(),
            &version.source(VERTEX_BODY),
            &version.source("out vec4 c;\nvoid main() { c = vec4(1.0) syntax error }"),
        )
        .unwrap_err();
        match err {
            GlError::Compile { stage, log } => {
                assert_eq!(stage, "fragment");
                assert!(!log.trim().is_empty());
            }
            other => panic!("expected a compile error, got {other:?}"),
        }
    }
}

#[test]
fn a_link_error_carries_the_log() {
    let ctx = common::context();
    let version = ShaderVersion::for_context(ctx.gl());
    // Both stages use a uniform `clash`, declared with different types.
    let err = Program::new(
        ctx.gl(),
        &version.source("uniform float clash;\nvoid main() { gl_Position = vec4(clash); }"),
        &version.source("uniform vec4 clash;\nout vec4 c;\nvoid main() { c = clash; }"),
    )
    .unwrap_err();
    match err {
        GlError::Link { log } => assert!(log.contains("clash"), "log: {log}"),
        other => panic!("expected a link error, got {other:?}"),
    }
}

#[test]
fn bound_attribute_locations_are_used_and_listed() {
    let ctx = common::context();
    let version = ShaderVersion::for_context(ctx.gl());
    let program = Program::builder(
        ctx.gl(),
        &version.source(VERTEX_BODY),
        &version.source(FRAGMENT_BODY),
    )
    .bind_attribute("position", 3)
    .bind_attribute("colour", 5)
    .bind_attribute("not_in_the_shader", 7)
    .build()
    .unwrap();
    assert_eq!(program.attribute_location("position"), Some(3));
    assert_eq!(program.attribute_location("colour"), Some(5));
    assert_eq!(program.attribute_location("not_in_the_shader"), None);
    let attributes = program.attributes();
    let summary: Vec<(&str, u32, u32, i32)> = attributes
        .iter()
        .map(|a| (a.name.as_str(), a.location, a.gl_type, a.size))
        .collect();
    assert_eq!(
        summary,
        [
            ("position", 3, glow::FLOAT_VEC2, 1),
            ("colour", 5, glow::FLOAT_VEC4, 1)
        ]
    );
}

#[test]
fn unbound_attributes_get_linker_locations() {
    let ctx = common::context_gles();
    let version = ShaderVersion::for_context(ctx.gl());
    let program = Program::new(
        ctx.gl(),
        &version.source(VERTEX_BODY),
        &version.source(FRAGMENT_BODY),
    )
    .unwrap();
    let attributes = program.attributes();
    assert_eq!(attributes.len(), 2);
    for a in &attributes {
        assert_eq!(program.attribute_location(&a.name), Some(a.location));
    }
    assert_ne!(attributes[0].location, attributes[1].location);
}

#[test]
fn a_location_beyond_the_limit_is_an_error() {
    let ctx = common::context();
    let version = ShaderVersion::for_context(ctx.gl());
    let err = Program::builder(
        ctx.gl(),
        &version.source(VERTEX_BODY),
        &version.source(FRAGMENT_BODY),
    )
    .bind_attribute("position", 100_000)
    .build()
    .unwrap_err();
    assert!(matches!(err, GlError::InvalidArgument { .. }), "{err}");
}

#[test]
fn uniforms_reach_the_pixels() {
    let ctx = common::context();
    let gl = ctx.gl();
    let version = ShaderVersion::for_context(gl);
    let program = Program::builder(
        gl,
        &version.source(
            "uniform mat4 transform;\nin vec2 position;\n\
             void main() { gl_Position = transform * vec4(position, 0.0, 1.0); }",
        ),
        &version.source(
            "uniform vec4 tint;\nuniform float scale;\nuniform int channel;\nout vec4 c;\n\
             void main() { c = tint * scale; if (channel == 2) { c.b = 1.0; } }",
        ),
    )
    .bind_attribute("position", 0)
    .build()
    .unwrap();
    // A misspelt uniform is an error naming it, not a silent no-op as in GL.
    assert_eq!(
        program.uniform_location("tnit"),
        Err(GlError::UnknownUniform("tnit".into()))
    );
    // Scale x by 0.5: a full-screen quad covers only the middle half.
    #[rustfmt::skip]
    let transform = [
        0.5, 0.0, 0.0, 0.0,
        0.0, 1.0, 0.0, 0.0,
        0.0, 0.0, 1.0, 0.0,
        0.0, 0.0, 0.0, 1.0,
    ];
    program
        .set_mat4(&program.uniform_location("transform").unwrap(), &transform)
        .unwrap();
    program
        .set_vec4(
            &program.uniform_location("tint").unwrap(),
            [1.0, 0.5, 0.0, 0.5],
        )
        .unwrap();
    program
        .set_float(&program.uniform_location("scale").unwrap(), 2.0)
        .unwrap();
    program
        .set_int(&program.uniform_location("channel").unwrap(), 2)
        .unwrap();

    let target = RenderTarget::new(gl, 16, 4).unwrap();
    target.clear([0.0, 0.0, 0.0, 0.0]).unwrap();
    // Only position (2 floats) at location 0; the geometry helper's layout is [2, 4], so
    // give it zero colours it ignores.
    let vertices = common::quad_triangles(-1.0, 1.0, -1.0, 1.0, [0.0; 4]);
    let geometry = common::Geometry::new(gl, &vertices, &[2, 4], None);
    program.use_program();
    // SAFETY: the vertex array belongs to the current context.
    unsafe {
        use glow::HasContext;
        gl.bind_vertex_array(Some(geometry.vao));
        gl.draw_arrays(glow::TRIANGLES, 0, 6);
    }
    let pixels = target.read_pixels().unwrap();
    assert_eq!(common::pixel(&pixels, 16, 0, 1), [0, 0, 0, 0]);
    assert_eq!(common::pixel(&pixels, 16, 8, 1), [255, 255, 255, 255]);
    assert_eq!(common::pixel(&pixels, 16, 15, 1), [0, 0, 0, 0]);
}
