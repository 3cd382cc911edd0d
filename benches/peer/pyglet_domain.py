"""pyglet 2.1.19 peer benchmark: one indexed vertex domain in one Batch.

N quads (4 vertices, 6 indices each; attributes position 2f, tex_coords 2f,
colours 4Bn) are created with program.vertex_list_indexed(...) into ONE
pyglet.graphics.Batch, so they share one IndexedVertexDomain.

Phases (see README.md for the JSON keys):
  create      create + write all N quads
  rewrite     assign new positions to every vertex list (Python side only)
  submit      batch.draw() CPU time right after the rewrite (uploads the dirty
              range with glBufferSubData, then draws), then glFinish separately
  draw calls  GL draw calls issued by batch.draw()
  delete half delete a seeded random half (sampled + extrapolated for N > 10000)

Run through run_pyglet.sh (sets up the venv and headless mode):
  bash benches/peer/run_pyglet.sh domain [--count N] [--delete-sample K]
"""
from __future__ import annotations

import argparse
import gc
import os
import random
import sys

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument('--count', type=int, default=100000, help='number of quads (default 100000)')
parser.add_argument('--delete-sample', type=int, default=None,
                    help='time only K deletions of the random half and extrapolate; 0 = time all. '
                         'Default: all when N <= 10000, else 2000')
parser.add_argument('--frames', type=int, default=30, help='frames averaged for the idle submit (default 30)')
parser.add_argument('--seed', type=int, default=12345)
parser.add_argument('--debug-gl', action='store_true', help="keep pyglet's debug_gl (glGetError after every call)")
args = parser.parse_args()
if args.debug_gl:
    os.environ['PEER_PYGLET_DEBUG_GL'] = '1'

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _peer_common as pc  # noqa: E402

import pyglet  # noqa: E402
from pyglet import gl  # noqa: E402
from pyglet.graphics.shader import Shader, ShaderProgram  # noqa: E402

VERTEX_SRC = """#version 330 core
in vec2 position;
in vec2 tex_coords;
in vec4 colours;
out vec4 v_colour;
out vec2 v_tex;
void main() {
    // pixel coordinates in a 640x480 target -> clip space
    gl_Position = vec4(position / vec2(320.0, 240.0) - 1.0, 0.0, 1.0);
    v_colour = colours;
    v_tex = tex_coords;
}
"""
FRAGMENT_SRC = """#version 330 core
in vec4 v_colour;
in vec2 v_tex;
out vec4 frag;
void main() {
    frag = v_colour * vec4(v_tex, 1.0, 1.0);
}
"""
INDICES = [0, 1, 2, 0, 2, 3]
TEX = (0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0)


def quad(x: float, y: float, s: float = 2.0) -> tuple:
    return (x, y, x + s, y, x + s, y + s, x, y + s)


def main() -> int:
    n = args.count
    sample = pc.default_sample(n) if args.delete_sample is None else args.delete_sample
    rng = random.Random(args.seed)

    window = pc.make_window(640, 480)
    env = pc.env_description()
    program = ShaderProgram(Shader(VERTEX_SRC, 'vertex'), Shader(FRAGMENT_SRC, 'fragment'))
    batch = pyglet.graphics.Batch()

    # Input data prepared outside the timed regions.
    pos_a = [quad((i * 3) % 638, (i // 213 * 3) % 478) for i in range(n)]
    pos_b = [quad((i * 3 + 1) % 638, (i // 213 * 3 + 1) % 478) for i in range(n)]
    cols = [((i * 37) & 255, (i * 91) & 255, (i * 13) & 255, 255) * 4 for i in range(n)]

    vlil = program.vertex_list_indexed
    tris = gl.GL_TRIANGLES
    gc.collect()
    t0 = pc.now()
    lists = [vlil(4, tris, INDICES, batch=batch,
                  position=('f', pos_a[i]), tex_coords=('f', TEX), colours=('Bn', cols[i]))
             for i in range(n)]
    create = pc.now() - t0

    # First draw uploads everything (glBufferData of the whole store).
    window.clear()
    t0 = pc.now()
    batch.draw()
    first_draw = pc.now() - t0
    t0 = pc.now()
    gl.glFinish()
    first_finish = pc.now() - t0

    draws = pc.count_draw_calls(batch)

    # Rewrite every position (Python side: writes into pyglet's backing arrays).
    gc.collect()
    t0 = pc.now()
    for vl, p in zip(lists, pos_b):
        vl.position = p
    rewrite = pc.now() - t0

    # The draw commits the dirty range (glBufferSubData) and draws.
    submit, finish = pc.timed_draw(window, batch)

    # Idle frames: nothing changed, batch.draw() only binds and draws.
    idle_submit = idle_finish = 0.0
    for _ in range(args.frames):
        frame_submit, frame_finish = pc.timed_draw(window, batch)
        idle_submit += frame_submit
        idle_finish += frame_finish
    idle_submit /= args.frames
    idle_finish /= args.frames

    # Delete a seeded random half, in random order.
    victims = rng.sample(lists, n // 2)
    dele = pc.delete_items(victims, lambda vl: vl, sample)
    draws_after = pc.count_draw_calls(batch)
    submit_after, finish_after = pc.timed_draw(window, batch)

    result = {'bench': 'domain', 'count': n}
    result.update(env)
    result.update({
        'create_ms': pc.ms(create),
        'first_draw_ms': pc.ms(first_draw),
        'first_finish_ms': pc.ms(first_finish),
        'rewrite_ms': pc.ms(rewrite),
        'submit_ms': pc.ms(submit),
        'finish_ms': pc.ms(finish),
        'submit_total_ms': pc.ms(submit + finish),
        'idle_submit_ms': pc.ms(idle_submit),
        'idle_finish_ms': pc.ms(idle_finish),
        'draw_calls': draws['calls'],
        'draw_ranges': draws['subdraws'],
        'draw_calls_by_name': draws['by_name'],
    })
    result.update(dele)
    result.update({
        'draw_calls_after_delete': draws_after['calls'],
        'draw_ranges_after_delete': draws_after['subdraws'],
        'submit_after_delete_ms': pc.ms(submit_after),
        'finish_after_delete_ms': pc.ms(finish_after),
    })

    lines = [
        f"pyglet {env['pyglet_version']} domain benchmark, {n} quads in one Batch / one indexed domain",
        f"GL: {env['gl_renderer']} ({env['gl_version']}), headless EGL device {env['headless_device']}, "
        f"debug_gl={env['debug_gl']}",
        '',
        f"{'phase':<44}{'ms':>12}",
        f"{'-' * 56}",
        f"{'create + write all quads':<44}{create * 1e3:>12.2f}",
        f"{'first batch.draw() (full upload)':<44}{first_draw * 1e3:>12.2f}",
        f"{'  glFinish after it':<44}{first_finish * 1e3:>12.2f}",
        f"{'rewrite all positions (Python side)':<44}{rewrite * 1e3:>12.2f}",
        f"{'submit: batch.draw() after rewrite (CPU)':<44}{submit * 1e3:>12.2f}",
        f"{'  glFinish after it':<44}{finish * 1e3:>12.2f}",
        f"{'idle batch.draw() (avg of %d)' % args.frames:<44}{idle_submit * 1e3:>12.3f}",
        f"{'  glFinish after it':<44}{idle_finish * 1e3:>12.2f}",
        f"{'draw calls (GL calls / ranges)':<44}{'%d / %d' % (draws['calls'], draws['subdraws']):>12}",
        f"{'delete half (%s)' % ('measured' if dele['delete_half_method'] == 'measured' else 'EXTRAPOLATED'):<44}"
        f"{dele['delete_half_ms']:>12.1f}",
        f"{'draw calls after delete (GL calls / ranges)':<44}"
        f"{'%d / %d' % (draws_after['calls'], draws_after['subdraws']):>12}",
        f"{'batch.draw() after delete (CPU)':<44}{submit_after * 1e3:>12.2f}",
        f"{'  glFinish after it':<44}{finish_after * 1e3:>12.2f}",
        '',
    ] + pc.describe_delete(dele)
    print('\n'.join(lines), flush=True)
    pc.print_json(result)
    window.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
