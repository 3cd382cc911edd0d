//! The browser's harness: a demo in a canvas that fills the page, redrawn at every
//! `requestAnimationFrame`, on WebGL2 with `WEBGL_multi_draw` where the browser has it.
//!
//! The page's query string holds the options, as flags without their dashes:
//! `index.html?demo=sprite_batch&sprites=2000&frames=60&check`. With `check`, the frame after
//! `frames` is read back and checked as the native `--check` does; the verdict goes into the
//! page's `#status` element (`check: ok ...` or `check failed: ...`) and the title, which is
//! what CI reads.
//!
//! The canvas has the window's size in CSS pixels times `devicePixelRatio` in device pixels,
//! and follows the window when it is resized.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use glow::HasContext;
use vertex_domain::backend::MultiDraw;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_time::Instant;

use super::demo::{check_frame, clear, read_pixels, Bench, Demo, Options, Result, Stats};
use vertex_domain::backend::StreamPath;

/// Runs demo `D` in the page; reports an error in the page and the console.
pub fn main<D: Demo + 'static>(count_flag: &str, default_count: usize) {
    std::panic::set_hook(Box::new(|info| report(&format!("panic: {info}"))));
    // Frame times as a release build of a game has them: no per-frame glGetError.
    vertex_domain::backend::set_validation(false);
    let result = query_args()
        .and_then(|args| Ok(Options::from_args(count_flag, default_count, args)?))
        .and_then(run::<D>);
    if let Err(error) = result {
        report(&format!("{}: {error}", D::NAME));
    }
}

/// Shows `message` in `#status` and the console.
fn report(message: &str) {
    web_sys::console::error_1(&message.into());
    set_status(message);
}

fn set_status(message: &str) {
    if let Some(status) = document().and_then(|d| d.get_element_by_id("status")) {
        status.set_text_content(Some(message));
    }
}

fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

fn document() -> Option<web_sys::Document> {
    window()?.document()
}

/// The page's query as command-line flags: `a=1&b` gives `--a 1 --b` (`demo` is the page's).
fn query_args() -> Result<Vec<String>> {
    let search = window()
        .ok_or("no window")?
        .location()
        .search()
        .map_err(|_| "no location")?;
    let mut args = Vec::new();
    for pair in search
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        if key == "demo" {
            continue;
        }
        args.push(format!("--{key}"));
        if !value.is_empty() {
            args.push(value.to_owned());
        }
    }
    Ok(args)
}

/// The canvas `#demo`, sized to the window in device pixels; returns it with its size.
fn fit_canvas(canvas: &web_sys::HtmlCanvasElement) -> (u32, u32) {
    let Some(window) = window() else {
        return (canvas.width(), canvas.height());
    };
    let ratio = window.device_pixel_ratio();
    let css = |v: core::result::Result<JsValue, JsValue>| v.ok().and_then(|v| v.as_f64());
    let (w, h) = (
        css(window.inner_width()).unwrap_or(800.0),
        css(window.inner_height()).unwrap_or(600.0),
    );
    let size = (((w * ratio) as u32).max(1), ((h * ratio) as u32).max(1));
    if (canvas.width(), canvas.height()) != size {
        canvas.set_width(size.0);
        canvas.set_height(size.1);
    }
    size
}

/// The page's `devicePixelRatio`, and a canvas of `size` device pixels in CSS (logical)
/// pixels at it.
fn logical(size: (u32, u32)) -> (f32, (u32, u32)) {
    let scale = window().map_or(1.0, |w| w.device_pixel_ratio()) as f32;
    let side = |v: u32| ((v as f32 / scale).round() as u32).max(1);
    (scale, (side(size.0), side(size.1)))
}

/// What the frame loop keeps.
struct Running<D> {
    gl: Arc<glow::Context>,
    canvas: web_sys::HtmlCanvasElement,
    scene: D,
    options: Options,
    size: (u32, u32),
    stats: Stats,
    last: Instant,
}

impl<D: Demo> Running<D> {
    /// One frame; `Ok(false)` once the options' frames are done.
    fn frame(&mut self) -> Result<bool> {
        let size = fit_canvas(&self.canvas);
        if size != self.size {
            self.size = size;
            let (scale, logical) = logical(size);
            self.scene.set_scale_factor(scale)?;
            self.scene.resize(logical.0, logical.1)?;
        }
        let now = Instant::now();
        let dt = (now - self.last).as_secs_f32().min(0.1);
        self.last = now;
        self.scene.step(dt)?;
        // SAFETY: the default framebuffer of this context, and its whole size.
        unsafe {
            self.gl.bind_framebuffer(glow::FRAMEBUFFER, None);
            self.gl.viewport(0, 0, size.0 as i32, size.1 as i32);
        }
        clear(&self.gl);
        let calls = self.scene.draw(&self.gl)?;
        let took = now.elapsed();
        let what = self.scene.describe();
        if let Some(line) = self.stats.frame(D::NAME, took, calls, &what) {
            self.scene.show_stats(&line)?;
            if let Some(document) = document() {
                document.set_title(&line);
            }
        }
        if self.options.frames.is_some_and(|n| self.stats.frames >= n) {
            if self.options.check {
                let pixels = read_pixels(&self.gl, size.0, size.1);
                let verdict = match check_frame(&pixels) {
                    Ok(line) => format!("check: ok, {line}"),
                    Err(error) => format!("check failed: {error}"),
                };
                set_status(&verdict);
                if let Some(document) = document() {
                    document.set_title(&verdict);
                }
            }
            return Ok(false);
        }
        Ok(true)
    }
}

fn run<D: Demo + 'static>(options: Options) -> Result<()> {
    let document = document().ok_or("no document")?;
    let canvas: web_sys::HtmlCanvasElement = document
        .get_element_by_id("demo")
        .ok_or("the page has no canvas #demo")?
        .dyn_into()
        .map_err(|_| "#demo is not a canvas")?;
    let size = fit_canvas(&canvas);
    // preserveDrawingBuffer keeps the last frame for screenshots and the check.
    let attributes = web_sys::WebGlContextAttributes::new();
    attributes.set_antialias(false);
    attributes.set_preserve_drawing_buffer(true);
    let webgl: web_sys::WebGl2RenderingContext = canvas
        .get_context_with_context_options("webgl2", &attributes)
        .ok()
        .flatten()
        .ok_or("this browser offers no WebGL2")?
        .dyn_into()
        .map_err(|_| "not a WebGL2 context")?;
    let multi_draw = MultiDraw::from_webgl2(&webgl);
    let gl = Arc::new(glow::Context::from_webgl2_context(webgl));
    let capabilities = vertex_domain::backend::Capabilities::of(&gl, &multi_draw);
    web_sys::console::info_1(&format!("{}: {capabilities}", D::NAME).into());
    if options.bench {
        return run_bench::<D>(gl, multi_draw, options, size);
    }
    let (scale, logical_size) = logical(size);
    let mut scene = D::new(
        &gl,
        multi_draw,
        &Options {
            size: logical_size,
            ..options.clone()
        },
    )?;
    scene.set_scale_factor(scale)?;
    scene.resize(logical_size.0, logical_size.1)?;
    let running = Rc::new(RefCell::new(Running {
        gl,
        canvas,
        scene,
        options,
        size,
        stats: Stats::new(),
        last: Instant::now(),
    }));
    // The usual requestAnimationFrame loop: the closure schedules itself again.
    let tick: Rc<RefCell<Option<Closure<dyn FnMut()>>>> = Rc::new(RefCell::new(None));
    let again = Rc::clone(&tick);
    *tick.borrow_mut() = Some(Closure::new(move || {
        let go_on = running.borrow_mut().frame();
        match go_on {
            Ok(true) => request_frame(&again),
            Ok(false) => {}
            Err(error) => report(&format!("{}: {error}", D::NAME)),
        }
    }));
    request_frame(&tick);
    Ok(())
}

/// The frame benchmark, one frame per animation frame; the JSON lines of the results go
/// into `#status` when it is done.
fn run_bench<D: Demo + 'static>(
    gl: Arc<glow::Context>,
    multi_draw: MultiDraw,
    options: Options,
    size: (u32, u32),
) -> Result<()> {
    let mut bench = Bench::<D>::new(&[StreamPath::SubData, StreamPath::Respecify]);
    let tick: Rc<RefCell<Option<Closure<dyn FnMut()>>>> = Rc::new(RefCell::new(None));
    let again = Rc::clone(&tick);
    *tick.borrow_mut() = Some(Closure::new(move || {
        match bench.tick(&gl, &multi_draw, &options, size) {
            Ok(false) => request_frame(&again),
            Ok(true) => set_status(&bench.report("browser WebGL2")),
            Err(error) => report(&format!("{}: {error}", D::NAME)),
        }
    }));
    request_frame(&tick);
    Ok(())
}

fn request_frame(tick: &Rc<RefCell<Option<Closure<dyn FnMut()>>>>) {
    if let (Some(window), Some(closure)) = (window(), tick.borrow().as_ref()) {
        let _ = window.request_animation_frame(closure.as_ref().unchecked_ref());
    }
}
