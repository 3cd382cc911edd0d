"""Shared helpers for the pyglet peer benchmarks (headless EGL window, timers,
draw-call counting, sampled deletion with extrapolation).

Imported by every peer script; not a benchmark itself.
"""
from __future__ import annotations

import bisect
import ctypes
import gc
import json
import os
import platform
import resource
import sys
import time

import pyglet

# Headless (EGL device platform) before anything opens a display.
pyglet.options['headless'] = True
pyglet.options['headless_device'] = int(os.environ.get('PYGLET_HEADLESS_DEVICE', '0'))
# Debug GL wraps every GL call with a glGetError check: off, as in a shipped game.
# pyglet's default is True; the peer scripts pass --debug-gl to keep it.
pyglet.options['debug_gl'] = os.environ.get('PEER_PYGLET_DEBUG_GL', '0') == '1'
# No vsync on a pbuffer anyway; make it explicit.
pyglet.options['vsync'] = False

from pyglet import gl  # noqa: E402
from pyglet.graphics import allocation, vertexdomain  # noqa: E402

now = time.perf_counter


def ms(seconds: float) -> float:
    return round(seconds * 1000.0, 4)


def make_window(width: int = 640, height: int = 480) -> pyglet.window.Window:
    """A 640x480 headless window: an EGL pbuffer surface with a GL 3.3+ core context."""
    try:
        window = pyglet.window.Window(width, height, visible=False)
    except Exception as exc:  # pragma: no cover - reported to the caller
        sys.exit(f'pyglet headless window could not be created (EGL): {exc!r}')
    window.switch_to()
    return window


def timed_draw(window, batch) -> tuple[float, float]:
    """Clears, waits for the GPU, then times batch.draw() (the CPU submit) and the
    glFinish after it. Returns (submit_seconds, finish_seconds)."""
    window.clear()
    gl.glFinish()
    t0 = now()
    batch.draw()
    t1 = now()
    gl.glFinish()
    return t1 - t0, now() - t1


def timed_frames(window, batch, update, warmup: int, frames: int, before=None) -> dict:
    """Runs `warmup` untimed frames (f = 1..warmup), then `frames` timed ones (f =
    1..frames). Each: window.clear() + glFinish untimed, `before(f)` untimed on timed
    frames when given, then update(f), batch.draw() inside a GL_TIME_ELAPSED query, and
    glFinish. Returns the means per timed frame in ms: update_ms, submit_ms, finish_ms,
    frame_ms (their sum), gpu_ms (the query) and thread_cpu_ms (getrusage(RUSAGE_THREAD)
    user + system over the frame)."""
    upd = sub = fin = gpu = cpu = 0.0
    query = gl.GLuint()
    gl.glGenQueries(1, ctypes.byref(query))
    elapsed = gl.GLuint64()
    for fi in range(warmup + frames):
        timed = fi >= warmup
        f = fi - warmup + 1 if timed else fi + 1
        window.clear()
        gl.glFinish()
        if timed and before is not None:
            before(f)
        th0 = resource.getrusage(resource.RUSAGE_THREAD)
        t0 = now()
        update(f)
        t1 = now()
        gl.glBeginQuery(gl.GL_TIME_ELAPSED, query)
        batch.draw()
        gl.glEndQuery(gl.GL_TIME_ELAPSED)
        t2 = now()
        gl.glFinish()
        t3 = now()
        th1 = resource.getrusage(resource.RUSAGE_THREAD)
        gl.glGetQueryObjectui64v(query, gl.GL_QUERY_RESULT, ctypes.byref(elapsed))
        if timed:
            upd += t1 - t0
            sub += t2 - t1
            fin += t3 - t2
            gpu += elapsed.value / 1e9
            cpu += (th1.ru_utime + th1.ru_stime) - (th0.ru_utime + th0.ru_stime)
    gl.glDeleteQueries(1, ctypes.byref(query))
    return {
        'update_ms': ms(upd / frames),
        'submit_ms': ms(sub / frames),
        'finish_ms': ms(fin / frames),
        'frame_ms': ms((upd + sub + fin) / frames),
        'gpu_ms': ms(gpu / frames),
        'thread_cpu_ms': ms(cpu / frames),
    }


def gl_description() -> dict:
    from pyglet.gl import gl_info
    return {
        'gl_renderer': gl_info.get_renderer(),
        'gl_vendor': gl_info.get_vendor(),
        'gl_version': '.'.join(str(v) for v in gl_info.get_version()),
    }


def env_description() -> dict:
    d = {
        'peer': 'pyglet',
        'pyglet_version': pyglet.version,
        'python': platform.python_version(),
        'machine': platform.machine(),
        'cpus': os.cpu_count(),
        'headless': True,
        'headless_device': pyglet.options['headless_device'],
        'debug_gl': bool(pyglet.options['debug_gl']),
    }
    d.update(gl_description())
    return d


class DrawCallCounter:
    """Counts the GL draw calls pyglet's vertex domains issue, by wrapping the
    gl functions the vertexdomain module looks up at call time.

    `calls`: GL entry points called (glDrawElements + glMultiDrawElements + ...).
    `subdraws`: ranges drawn (a glMultiDrawElements with primcount P counts P)."""

    _NAMES = ('glDrawElements', 'glMultiDrawElements', 'glDrawArrays', 'glMultiDrawArrays')

    def __init__(self) -> None:
        self.calls = 0
        self.subdraws = 0
        self.by_name: dict[str, int] = {}
        self._saved: dict[str, object] = {}

    def __enter__(self) -> 'DrawCallCounter':
        for name in self._NAMES:
            orig = getattr(vertexdomain, name)
            self._saved[name] = orig
            multi = name.startswith('glMulti')

            def wrapper(*args, _orig=orig, _name=name, _multi=multi):
                self.calls += 1
                self.by_name[_name] = self.by_name.get(_name, 0) + 1
                self.subdraws += int(args[-1]) if _multi else 1
                return _orig(*args)

            setattr(vertexdomain, name, wrapper)
        return self

    def __exit__(self, *exc) -> None:
        for name, orig in self._saved.items():
            setattr(vertexdomain, name, orig)


def count_draw_calls(batch) -> dict:
    with DrawCallCounter() as c:
        batch.draw()
    gl.glFinish()
    return {'calls': c.calls, 'subdraws': c.subdraws, 'by_name': c.by_name}


# --- deletion ---------------------------------------------------------------

def _fast_dealloc(self, start: int, size: int) -> None:
    """Same result as pyglet.graphics.allocation.Allocator.dealloc, but finds
    the block by bisection instead of a linear walk. Used ONLY for the untimed
    remainder of a sampled deletion so later phases see the true allocator state."""
    if size == 0:
        return
    i = bisect.bisect_right(self.starts, start) - 1
    alloc_start = self.starts[i]
    alloc_size = self.sizes[i]
    p = start - alloc_start
    assert p >= 0 and size <= alloc_size - p, 'Region not allocated'
    if p == 0 and size == alloc_size:
        del self.starts[i]
        del self.sizes[i]
    elif p == 0:
        self.starts[i] += size
        self.sizes[i] -= size
    elif size == alloc_size - p:
        self.sizes[i] -= size
    else:
        self.sizes[i] = p
        self.starts.insert(i + 1, start + size)
        self.sizes.insert(i + 1, alloc_size - (p + size))


def default_sample(n: int) -> int:
    """Full measurement when N <= 10000, else 2000 sampled deletions."""
    return 0 if n <= 10000 else 2000


def delete_items(items: list, get_vertex_list, sample: int) -> dict:
    """Delete every item of `items` (already in the seeded random order) with
    item.delete(). sample == 0 or >= len(items): time them all.

    Otherwise time `sample` deletions spread evenly through the whole deletion
    sequence (deletion number floor(i * total / sample)), and do the others
    untimed through an exact bisection dealloc that leaves the allocators in the
    very state pyglet's own dealloc would. The timed ones therefore run
    against the true fragmentation at every stage, and the total is
    extrapolated linearly: measured * total / sample.

    (Timing only the FIRST K deletions and scaling up underestimates badly,
    because pyglet's dealloc walks a region list that grows as the buffer
    fragments: that figure is reported too, as delete_half_first_k_extrap_ms.)
    """
    total = len(items)
    full = sample <= 0 or sample >= total
    gc.collect()
    if full:
        t0 = now()
        for it in items:
            it.delete()
        elapsed = now() - t0
        return {
            'delete_half_ms': ms(elapsed),
            'delete_half_method': 'measured',
            'delete_half_count': total,
            'delete_half_measured_count': total,
            'delete_half_measured_ms': ms(elapsed),
        }

    # pyglet's Allocator has __slots__, so switch the method on the class.
    real_dealloc = allocation.Allocator.dealloc

    def fast_on() -> None:
        allocation.Allocator.dealloc = _fast_dealloc

    def fast_off() -> None:
        allocation.Allocator.dealloc = real_dealloc

    timed = {total * i // sample for i in range(sample)}
    times = []
    first_k = []
    untimed = 0.0
    try:
        fast_on()
        for j, it in enumerate(items):
            if j in timed:
                fast_off()
                t0 = now()
                it.delete()
                dt = now() - t0
                fast_on()
                times.append(dt)
            else:
                t0 = now()
                it.delete()
                untimed += now() - t0
        # Naive variant for comparison: the first K deletions of a fresh
        # sequence are what a "time the first K" approach would see; we cannot
        # replay them, so estimate them from the timed deletions that fall in
        # the first K positions of the sequence.
        first_k = [t for j, t in zip(sorted(timed), times) if j < sample]
    finally:
        fast_off()
    measured = sum(times)
    n = len(times)
    result = {
        'delete_half_ms': ms(measured * total / n),
        'delete_half_method': 'extrapolated',
        'delete_half_count': total,
        'delete_half_measured_count': n,
        'delete_half_measured_ms': ms(measured),
        'delete_half_sampling': f'{n} of {total} deletions timed, evenly spaced through the sequence; '
                                f'the rest done untimed with an exact bisection dealloc',
        'delete_half_untimed_rest_ms': ms(untimed),
    }
    if first_k:
        result['delete_half_first_k_extrap_ms'] = ms(sum(first_k) / len(first_k) * total)
    return result


def print_json(obj: dict) -> None:
    sys.stdout.flush()
    print(json.dumps(obj, sort_keys=False), flush=True)


def describe_delete(r: dict) -> list[str]:
    if r['delete_half_method'] == 'measured':
        return [f"delete half ({r['delete_half_count']}): {r['delete_half_ms']:.1f} ms (measured, all deletions timed)"]
    lines = [
        f"delete half ({r['delete_half_count']}): {r['delete_half_ms']:.1f} ms EXTRAPOLATED (linear) from "
        f"{r['delete_half_measured_count']} timed deletions = {r['delete_half_measured_ms']:.1f} ms measured",
        f"  ({r['delete_half_sampling']})",
    ]
    if 'delete_half_first_k_extrap_ms' in r:
        lines.append(f"  for comparison, extrapolating only the early deletions would give "
                     f"{r['delete_half_first_k_extrap_ms']:.1f} ms (underestimate: the walk grows with fragmentation)")
    return lines
