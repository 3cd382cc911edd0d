//! [`Program`]: GLSL shader programs compiled and linked through glow, with attribute
//! locations bound or queried by name (so a vertex format can come from a program), uniform
//! setters, and [`ShaderVersion`], the `#version` header that fits the context.
//!
//! GL state touched: see each method. Compiling and linking change no bindings;
//! [`Program::use_program`] and the uniform setters make the program current.

use std::sync::Arc;

use glow::HasContext;

use super::{check_clean, check_gl, validate_clean, validate_gl, GlError};

/// The GLSL dialect of a context, for the `#version` line of shader sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShaderVersion {
    /// Desktop GL 3.3 core: `#version 330 core`.
    Glsl330Core,
    /// OpenGL ES 3.0: `#version 300 es` with `highp` default precision for floats and
    /// integers in both stages. GLES 3.0 guarantees `highp` in fragment shaders too, and
    /// `mediump` (fp16 on GPUs that honour it) would jitter positions by about a pixel at
    /// 1080p and could not address single texels of a 2048-texel atlas.
    Glsl300Es,
}

impl ShaderVersion {
    /// The dialect for `gl`: ES for an OpenGL ES context, 330 core otherwise.
    ///
    /// GL state touched: none (reads the version glow parsed at load).
    pub fn for_context(gl: &glow::Context) -> ShaderVersion {
        if gl.version().is_embedded {
            ShaderVersion::Glsl300Es
        } else {
            ShaderVersion::Glsl330Core
        }
    }

    /// The header lines: `"#version 330 core"` or `"#version 300 es\nprecision highp
    /// float;\nprecision highp int;"`, with no trailing newline.
    pub fn header(self) -> &'static str {
        match self {
            ShaderVersion::Glsl330Core => "#version 330 core",
            ShaderVersion::Glsl300Es => {
                "#version 300 es\nprecision highp float;\nprecision highp int;"
            }
        }
    }

    /// `body` with the header and a newline in front.
    pub fn source(self, body: &str) -> String {
        format!("{}\n{body}", self.header())
    }
}

/// An active vertex attribute of a linked program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveAttribute {
    /// Its name in the shader.
    pub name: String,
    /// Its location (the first one, for matrices and arrays).
    pub location: u32,
    /// Its GL type, such as `glow::FLOAT_VEC2`.
    pub gl_type: u32,
    /// The array size (1 for a non-array).
    pub size: i32,
}

/// A linked GLSL program of a vertex and a fragment shader.
///
/// It owns the GL program and deletes it when dropped. The context it was made with must be
/// current on this thread whenever it is used or dropped (see [`crate::backend`]). Like glow's
/// context it is `Send` natively: it may move to another thread, and be used there while
/// the context is current there.
#[derive(Debug)]
pub struct Program {
    gl: Arc<glow::Context>,
    raw: glow::Program,
}

/// Builds a [`Program`], binding attribute locations by name before linking.
#[derive(Debug)]
#[must_use = "call build() to compile and link"]
pub struct ProgramBuilder<'a> {
    gl: Arc<glow::Context>,
    vertex: &'a str,
    fragment: &'a str,
    bindings: Vec<(String, u32)>,
}

impl<'a> ProgramBuilder<'a> {
    /// Binds attribute `name` to `location` (`glBindAttribLocation`) before linking. A
    /// layout qualifier in the shader takes precedence. Names the shader does not use are
    /// ignored by GL.
    pub fn bind_attribute(mut self, name: &str, location: u32) -> Self {
        self.bindings.push((name.to_owned(), location));
        self
    }

    /// Compiles both stages and links them.
    ///
    /// Fails with [`GlError::Compile`] (stage and driver log) when a stage does not compile,
    /// [`GlError::Link`] (driver log) when linking fails, [`GlError::InvalidArgument`] for a
    /// bound location at or over `GL_MAX_VERTEX_ATTRIBS`, and [`GlError::Call`] for another
    /// GL error (such as binding a `gl_` name). Nothing is leaked on failure.
    ///
    /// GL state touched: none left changed.
    pub fn build(self) -> Result<Program, GlError> {
        let gl = self.gl;
        check_clean(&gl, "ProgramBuilder::build")?;
        // SAFETY: a plain query on the current context.
        let max_attribs = unsafe { gl.get_parameter_i32(glow::MAX_VERTEX_ATTRIBS) }.max(0) as u32;
        if let Some((name, location)) = self.bindings.iter().find(|(_, l)| *l >= max_attribs) {
            return Err(GlError::InvalidArgument {
                operation: "ProgramBuilder::bind_attribute",
                message: format!(
                    "location {location} for `{name}` is not below GL_MAX_VERTEX_ATTRIBS ({max_attribs})"
                ),
            });
        }
        let vertex = compile(&gl, glow::VERTEX_SHADER, "vertex", self.vertex)?;
        let fragment = match compile(&gl, glow::FRAGMENT_SHADER, "fragment", self.fragment) {
            Ok(shader) => shader,
            Err(err) => {
                // SAFETY: `vertex` was created on this context and is not attached.
                unsafe { gl.delete_shader(vertex) };
                return Err(err);
            }
        };
        // SAFETY: creating, linking and deleting objects of the current context; the shaders
        // are deleted on every path and the program is either returned (owned by `Program`)
        // or deleted.
        unsafe {
            let raw = match gl.create_program() {
                Ok(raw) => raw,
                Err(message) => {
                    gl.delete_shader(vertex);
                    gl.delete_shader(fragment);
                    return Err(GlError::Create {
                        object: "program",
                        message,
                    });
                }
            };
            // From here on, dropping `program` deletes the GL program.
            let program = Program {
                gl: gl.clone(),
                raw,
            };
            gl.attach_shader(raw, vertex);
            gl.attach_shader(raw, fragment);
            for (name, location) in &self.bindings {
                gl.bind_attrib_location(raw, *location, name);
            }
            let bound = check_gl(&gl, "glBindAttribLocation");
            if bound.is_ok() {
                gl.link_program(raw);
            }
            gl.detach_shader(raw, vertex);
            gl.detach_shader(raw, fragment);
            gl.delete_shader(vertex);
            gl.delete_shader(fragment);
            bound?;
            if !gl.get_program_link_status(raw) {
                return Err(GlError::Link {
                    log: gl.get_program_info_log(raw),
                });
            }
            check_gl(&gl, "Program link")?;
            Ok(program)
        }
    }
}

/// Compiles one stage; on failure deletes the shader and returns its log.
fn compile(
    gl: &glow::Context,
    kind: u32,
    stage: &'static str,
    source: &str,
) -> Result<glow::Shader, GlError> {
    // SAFETY: creating and compiling a shader on the current context; it is deleted on
    // failure and otherwise handed to the caller, who deletes it.
    unsafe {
        let shader = gl.create_shader(kind).map_err(|message| GlError::Create {
            object: "shader",
            message,
        })?;
        gl.shader_source(shader, source);
        gl.compile_shader(shader);
        if !gl.get_shader_compile_status(shader) {
            let log = gl.get_shader_info_log(shader);
            gl.delete_shader(shader);
            return Err(GlError::Compile { stage, log });
        }
        Ok(shader)
    }
}

impl Program {
    /// Compiles and links a program from a vertex and a fragment shader source, with the
    /// attribute locations the linker (or layout qualifiers) choose. See
    /// [`ProgramBuilder::build`] for the errors.
    pub fn new(
        gl: &Arc<glow::Context>,
        vertex_src: &str,
        fragment_src: &str,
    ) -> Result<Program, GlError> {
        Program::builder(gl, vertex_src, fragment_src).build()
    }

    /// Starts a program whose attribute locations can be bound by name before linking.
    pub fn builder<'a>(
        gl: &Arc<glow::Context>,
        vertex_src: &'a str,
        fragment_src: &'a str,
    ) -> ProgramBuilder<'a> {
        ProgramBuilder {
            gl: Arc::clone(gl),
            vertex: vertex_src,
            fragment: fragment_src,
            bindings: Vec::new(),
        }
    }

    /// Makes this the current program (`glUseProgram`).
    ///
    /// GL state touched: the current program, left changed.
    pub fn use_program(&self) {
        // SAFETY: a linked program of this context, which the caller keeps current.
        unsafe { self.gl.use_program(Some(self.raw)) };
    }

    /// The location of the active attribute `name`, or `None` if the program has no such
    /// active attribute.
    pub fn attribute_location(&self, name: &str) -> Option<u32> {
        // SAFETY: a query on a linked program of the current context.
        unsafe { self.gl.get_attrib_location(self.raw, name) }
    }

    /// The program's active vertex attributes with their locations, sorted by location.
    /// Built-ins without a location (such as `gl_VertexID`) are left out.
    pub fn attributes(&self) -> Vec<ActiveAttribute> {
        let gl = &self.gl;
        // SAFETY: queries on a linked program of the current context, with indices below
        // the active attribute count.
        let mut attributes: Vec<ActiveAttribute> = unsafe {
            (0..gl.get_active_attributes(self.raw))
                .filter_map(|index| gl.get_active_attribute(self.raw, index))
                .filter_map(|active| {
                    let location = gl.get_attrib_location(self.raw, &active.name)?;
                    Some(ActiveAttribute {
                        name: active.name,
                        location,
                        gl_type: active.atype,
                        size: active.size,
                    })
                })
                .collect()
        };
        attributes.sort_by_key(|a| a.location);
        attributes
    }

    /// The location of the active uniform `name`.
    ///
    /// Fails with [`GlError::UnknownUniform`] when the program has none: a misspelt name, or
    /// a uniform the linker dropped because the shader never reads it. (GL itself answers
    /// -1, and setting through -1 silently does nothing.)
    pub fn uniform_location(&self, name: &str) -> Result<glow::UniformLocation, GlError> {
        // SAFETY: a query on a linked program of the current context.
        unsafe { self.gl.get_uniform_location(self.raw, name) }
            .ok_or_else(|| GlError::UnknownUniform(name.to_owned()))
    }

    /// Reads its uniform block `name` from uniform buffer binding point `binding`
    /// (`glUniformBlockBinding`), where a [`UniformBuffer`](super::UniformBuffer) is bound.
    ///
    /// Fails with [`GlError::UnknownUniform`] when the program has no active block of that
    /// name. GL state touched: none but the program's own block binding.
    pub fn bind_uniform_block(&self, name: &str, binding: u32) -> Result<(), GlError> {
        // SAFETY: a query and a block binding of a linked program of the current context.
        unsafe {
            let index = (self.gl.get_uniform_block_index(self.raw, name))
                .ok_or_else(|| GlError::UnknownUniform(name.to_owned()))?;
            self.gl.uniform_block_binding(self.raw, index, binding);
        }
        check_gl(&self.gl, "Program::bind_uniform_block")
    }

    /// Makes this program current after checking (while [`validation`](super::validation)
    /// is on: uniforms are set every frame) that no error is queued.
    fn begin_uniform(&self, operation: &'static str) -> Result<(), GlError> {
        validate_clean(&self.gl, operation)?;
        self.use_program();
        Ok(())
    }

    /// Sets a `mat4` uniform from 16 floats in column-major order.
    ///
    /// GL state touched: makes this program current (left so) and sets the uniform.
    pub fn set_mat4(
        &self,
        location: &glow::UniformLocation,
        columns: &[f32; 16],
    ) -> Result<(), GlError> {
        self.begin_uniform("Program::set_mat4")?;
        // SAFETY: the program is current; the slice holds exactly one mat4.
        unsafe {
            self.gl
                .uniform_matrix_4_f32_slice(Some(location), false, columns)
        };
        validate_gl(&self.gl, "Program::set_mat4")
    }

    /// Sets a `mat2` uniform from 4 floats in column-major order.
    ///
    /// GL state touched: makes this program current (left so) and sets the uniform.
    pub fn set_mat2(
        &self,
        location: &glow::UniformLocation,
        columns: &[f32; 4],
    ) -> Result<(), GlError> {
        self.begin_uniform("Program::set_mat2")?;
        // SAFETY: the program is current; the slice holds exactly one mat2.
        unsafe {
            self.gl
                .uniform_matrix_2_f32_slice(Some(location), false, columns)
        };
        validate_gl(&self.gl, "Program::set_mat2")
    }

    /// Sets a `vec4` uniform.
    ///
    /// GL state touched: makes this program current (left so) and sets the uniform.
    pub fn set_vec4(
        &self,
        location: &glow::UniformLocation,
        value: [f32; 4],
    ) -> Result<(), GlError> {
        self.begin_uniform("Program::set_vec4")?;
        // SAFETY: the program is current.
        unsafe {
            self.gl
                .uniform_4_f32(Some(location), value[0], value[1], value[2], value[3])
        };
        validate_gl(&self.gl, "Program::set_vec4")
    }

    /// Sets a `vec2` uniform.
    ///
    /// GL state touched: makes this program current (left so) and sets the uniform.
    pub fn set_vec2(
        &self,
        location: &glow::UniformLocation,
        value: [f32; 2],
    ) -> Result<(), GlError> {
        self.begin_uniform("Program::set_vec2")?;
        // SAFETY: the program is current.
        unsafe { self.gl.uniform_2_f32(Some(location), value[0], value[1]) };
        validate_gl(&self.gl, "Program::set_vec2")
    }

    /// Sets an `int` (or sampler) uniform.
    ///
    /// GL state touched: makes this program current (left so) and sets the uniform.
    pub fn set_int(&self, location: &glow::UniformLocation, value: i32) -> Result<(), GlError> {
        self.begin_uniform("Program::set_int")?;
        // SAFETY: the program is current.
        unsafe { self.gl.uniform_1_i32(Some(location), value) };
        validate_gl(&self.gl, "Program::set_int")
    }

    /// Sets a `float` uniform.
    ///
    /// GL state touched: makes this program current (left so) and sets the uniform.
    pub fn set_float(&self, location: &glow::UniformLocation, value: f32) -> Result<(), GlError> {
        self.begin_uniform("Program::set_float")?;
        // SAFETY: the program is current.
        unsafe { self.gl.uniform_1_f32(Some(location), value) };
        validate_gl(&self.gl, "Program::set_float")
    }

    /// The GL program name.
    pub fn raw(&self) -> glow::Program {
        self.raw
    }

    /// The context this program belongs to.
    pub fn gl(&self) -> &Arc<glow::Context> {
        &self.gl
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        // SAFETY: the program belongs to this context, which must be current (type docs).
        // GL defers deletion of a program that is still current until it is replaced.
        unsafe { self.gl.delete_program(self.raw) };
    }
}
