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
    /// A GL error was already queued when the call began: earlier GL code (the caller's own,
    /// or another library's) raised it. The call changed nothing; the error has been read
    /// and cleared, and is reported here so that it is not lost.
    #[error(
        "GL error {name} (0x{code:04X}) was already queued before {operation}: earlier GL \
         code raised it; {operation} changed nothing"
    )]
    QueuedBefore {
        /// The operation that found the error queued and did not start.
        operation: &'static str,
        /// The raw `glGetError` code.
        code: u32,
        /// The code's GL name, such as `GL_INVALID_ENUM`.
        name: &'static str,
    },
    /// A program has no active uniform of that name: misspelt, or dropped by the linker
    /// because the shader never reads it.
    #[error("the program has no active uniform `{0}` (misspelt, or unused and optimised away)")]
    UnknownUniform(String),
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
    /// Waiting on a fence failed (`GL_WAIT_FAILED`), or the GPU did not reach it within
    /// the time a frame may wait: the context is probably lost.
    #[error("waiting on a GL fence failed after {waited_ms} ms (GL_WAIT_FAILED or no progress)")]
    FenceWait {
        /// How long the wait had lasted.
        waited_ms: u64,
    },
    /// The context lacks what a chosen path needs (see the message for what is missing).
    #[error("{0}")]
    Unsupported(String),
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

/// The first queued error's code and name, with every further queued error drained.
fn take_error(gl: &glow::Context) -> Option<(u32, &'static str)> {
    // SAFETY: glGetError has no preconditions beyond a current context.
    let code = unsafe { gl.get_error() };
    if code == glow::NO_ERROR {
        return None;
    }
    clear_gl_errors(gl);
    Some((code, error_name(code)))
}

/// Reads `glGetError` once and returns [`GlError::Call`] naming `operation` if it reported
/// an error. Any further queued errors are drained so that the next check starts clean.
///
/// GL state touched: the error flags only.
pub fn check_gl(gl: &glow::Context, operation: &'static str) -> Result<(), GlError> {
    match take_error(gl) {
        None => Ok(()),
        Some((code, name)) => Err(GlError::Call {
            operation,
            code,
            name,
        }),
    }
}

/// Checks that no GL error is queued before `operation` starts, so that errors raised by
/// earlier GL code are reported as [`GlError::QueuedBefore`] instead of being blamed on this
/// crate's call. Call it before the first GL call of an operation that ends in
/// [`check_gl`]; an `Err` means the operation must not start. Drains what it finds.
///
/// GL state touched: the error flags only.
pub fn check_clean(gl: &glow::Context, operation: &'static str) -> Result<(), GlError> {
    match take_error(gl) {
        None => Ok(()),
        Some((code, name)) => Err(GlError::QueuedBefore {
            operation,
            code,
            name,
        }),
    }
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

/// Whether validation starts on: in debug builds, and wherever the `fault-injection`
/// feature is on (tests, whose injected faults the checks must see); off in release builds.
const VALIDATION_DEFAULT: bool = cfg!(debug_assertions) || cfg!(feature = "fault-injection");

thread_local! {
    /// Whether the per-frame steps check GL errors on this thread (see [`set_validation`]).
    static VALIDATION: std::cell::Cell<bool> = const { std::cell::Cell::new(VALIDATION_DEFAULT) };
}

/// Turns the GL error checks of the per-frame steps on or off for this thread (GL contexts
/// are current per thread): flushes of staged writes, draws and group state. On in debug
/// builds and with the `fault-injection` feature (tests), off in release builds.
///
/// Each check is a `glGetError`, which a threaded driver answers with a round trip to its
/// own thread, so a frame of many domains pays for them. Steps where failure is expected
/// and must be reported, creation and growth (`GL_OUT_OF_MEMORY`), always check; so does a
/// mapping that returns no pointer. With validation off, a GL error raised in a draw or a
/// flush is left queued, and the next checked step reports it as
/// [`GlError::QueuedBefore`].
pub fn set_validation(on: bool) {
    VALIDATION.with(|v| v.set(on));
}

/// Whether the per-frame GL error checks are on for this thread ([`set_validation`]).
pub fn validation() -> bool {
    VALIDATION.with(|v| v.get())
}

/// [`check_clean`] when [`validation`] is on.
#[inline]
pub(crate) fn validate_clean(gl: &glow::Context, operation: &'static str) -> Result<(), GlError> {
    if validation() {
        check_clean(gl, operation)
    } else {
        Ok(())
    }
}

/// [`check_gl`] when [`validation`] is on.
#[inline]
pub(crate) fn validate_gl(gl: &glow::Context, operation: &'static str) -> Result<(), GlError> {
    if validation() {
        check_gl(gl, operation)
    } else {
        Ok(())
    }
}
