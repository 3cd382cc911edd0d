//! [`Capabilities`]: what a context offers the crate, and for each thing it lacks, what the
//! crate does instead. Print it when a context is made, as the demos and `headless_info`
//! do, so that a context that lacks something says so at creation.

use std::fmt;

use super::{InstanceDraw, MultiDraw, StreamPath};

/// What a context offers the crate's draws and flushes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// Every domain draws in one call: `glMultiDraw*` natively, `WEBGL_multi_draw` in the
    /// browser. Without it, one draw call per list.
    pub multi_draw: bool,
    /// How instanced domains draw by default.
    pub instance_draw: InstanceDraw,
    /// The stream paths the context can take.
    pub stream_paths: Vec<StreamPath>,
    /// The path streams take by default.
    pub stream_path: StreamPath,
}

impl Capabilities {
    /// What `gl`, with `multi_draw` loaded for it, offers.
    pub fn of(gl: &glow::Context, multi_draw: &MultiDraw) -> Capabilities {
        Capabilities {
            multi_draw: multi_draw.is_native_arrays() && multi_draw.is_native_elements(),
            instance_draw: multi_draw.instance_draw(),
            stream_paths: StreamPath::ALL
                .into_iter()
                .filter(|p| p.is_supported(gl))
                .collect(),
            stream_path: StreamPath::best(gl),
        }
    }

    /// What the context lacks, each with what the crate does instead; empty when it lacks
    /// nothing the crate can use.
    pub fn lacks(&self) -> Vec<&'static str> {
        let mut lacks = Vec::new();
        if !self.multi_draw {
            lacks.push("no multi-draw (glMultiDraw*, WEBGL_multi_draw): one draw call per list");
        }
        if self.instance_draw == InstanceDraw::Repoint {
            lacks.push(
                "no base instance: instanced meshes re-point their instance attributes, one \
                 glVertexAttribPointer per attribute per mesh",
            );
        }
        if !self.stream_paths.contains(&StreamPath::Map) {
            lacks.push(
                "no buffer mapping (WebGL2): flushes re-specify a staging buffer and copy it on \
                 the GPU, reads use getBufferSubData",
            );
        } else if !self.stream_paths.contains(&StreamPath::Ring) {
            lacks.push(
                "no glBufferStorage: no persistently mapped ring; flushes orphan a staging \
                 buffer and copy it on the GPU",
            );
        }
        lacks
    }
}

impl fmt::Display for Capabilities {
    /// One line: the paths taken, then what the context lacks.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "multi-draw {}, instances by {:?}, stream path {}",
            if self.multi_draw { "yes" } else { "no" },
            self.instance_draw,
            self.stream_path.name()
        )?;
        for lack in self.lacks() {
            write!(f, "; {lack}")?;
        }
        Ok(())
    }
}
