//! [`GlError`], the error of every GL operation, and the `glGetError` check used at the
//! boundaries of each public call.

use glow::HasContext;

/// What went wrong in a GL operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GlError {
    /// `glGetError` reported an error after `operation`.
    #[error("GL error {name} (0x{code:04X}) during {operation}")]
    Call {
        /// The operation that was being performed.
        operation: &'static str,
        /// The raw `glGetError` code.
        code: u32,
        /// The code's GL name, such as `GL_OUT_OF_MEMORY`.
        name: &'static str,
    },
    /// GL could not create an object (a buffer, vertex array, shader, ...).
    #[error("could not create a GL {object}: {message}")]
    Create {
        /// What kind of object.
        object: &'static str,
        /// The driver's message.
        message: String,
    },
    /// A requested buffer size does not fit GL's size type or this crate's limit.
    #[error("a buffer of {requested} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The byte size that was asked for.
        requested: u64,
        /// The largest size that is accepted.
        limit: u64,
    },
    /// A byte range does not lie inside a buffer.
    #[error("bytes {offset}..+{len} lie outside a buffer of {capacity} bytes")]
    OutOfBounds {
        /// Byte offset of the range.
        offset: usize,
        /// Byte length of the range.
        len: usize,
        /// The buffer's capacity in bytes.
        capacity: usize,
    },
    /// A copy inside one buffer whose source and destination overlap (GL forbids it).
    #[error("copy of {len} bytes from {src} to {dst} overlaps itself")]
    OverlappingCopy {
        /// Source byte offset.
        src: usize,
        /// Destination byte offset.
        dst: usize,
        /// Byte length.
        len: usize,
    },
    /// Mapping a buffer range returned a null pointer.
    #[error("glMapBufferRange returned null for {len} bytes at offset {offset}")]
    MapFailed {
        /// Byte offset of the range.
        offset: usize,
        /// Byte length of the range.
        len: usize,
    },
    /// A shader stage failed to compile; `log` is the driver's info log.
    #[error("{stage} shader failed to compile:\n{log}")]
    Compile {
        /// The stage: `vertex`, `fragment`, ...
        stage: &'static str,
        /// The driver's info log.
        log: String,
    },
    /// A program failed to link; `log` is the driver's info log.
    #[error("program failed to link:\n{log}")]
    Link {
        /// The driver's info log.
        log: String,
    },
    /// A caller passed arguments that cannot be sent to GL (mismatched slice lengths, a data
    /// length that does not match the given size, a value beyond GL's integer types, ...).
    /// Nothing was sent to GL.
    #[error("invalid argument to {operation}: {message}")]
    InvalidArgument {
        /// The operation that was called.
        operation: &'static str,
        /// What is wrong with the arguments.
        message: String,
    },
    /// A GL context or display could not be created (see the message for what to install).
    #[error("{0}")]
    Context(String),
}

/// The GL name of an error code from `glGetError`.
fn error_name(code: u32) -> &'static str {
    match code {
        glow::INVALID_ENUM => "GL_INVALID_ENUM",
        glow::INVALID_VALUE => "GL_INVALID_VALUE",
        glow::INVALID_OPERATION => "GL_INVALID_OPERATION",
        glow::INVALID_FRAMEBUFFER_OPERATION => "GL_INVALID_FRAMEBUFFER_OPERATION",
        glow::OUT_OF_MEMORY => "GL_OUT_OF_MEMORY",
        glow::STACK_UNDERFLOW => "GL_STACK_UNDERFLOW",
        glow::STACK_OVERFLOW => "GL_STACK_OVERFLOW",
        _ => "unknown GL error",
    }
}

/// Reads `glGetError` once and returns [`GlError::Call`] naming `operation` if it reported
/// an error. Any further queued errors are drained so that the next check starts clean.
///
/// GL state touched: the error flags only.
pub fn check_gl(gl: &glow::Context, operation: &'static str) -> Result<(), GlError> {
    // SAFETY: glGetError has no preconditions beyond a current context.
    let code = unsafe { gl.get_error() };
    if code == glow::NO_ERROR {
        return Ok(());
    }
    clear_gl_errors(gl);
    Err(GlError::Call {
        operation,
        code,
        name: error_name(code),
    })
}

/// Drains every queued `glGetError` flag, so that a following [`check_gl`] reports only
/// errors raised after this call. Returns how many were drained.
///
/// GL state touched: the error flags only.
pub fn clear_gl_errors(gl: &glow::Context) -> usize {
    // A context can queue one flag per error kind; bound the loop in case a lost context
    // keeps answering GL_CONTEXT_LOST.
    const MAX_QUEUED_ERRORS: usize = 16;
    let mut drained = 0;
    // SAFETY: glGetError has no preconditions beyond a current context.
    while drained < MAX_QUEUED_ERRORS && unsafe { gl.get_error() } != glow::NO_ERROR {
        drained += 1;
    }
    drained
}
