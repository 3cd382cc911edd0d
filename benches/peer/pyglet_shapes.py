"""pyglet 2.1.19 peer benchmark: N pyglet.shapes of ten kinds in one Batch.

A 640x480 headless window (EGL pbuffer), N shapes in ONE Batch. Shape i
(0-based) has kind i % 10, colour c = ((i*37)%256, (i*91)%256, (i*53)%256, 255),
base position (bx, by) = ((i*37) % 640, (i*91) % 480), and after creation
rotation = (i*13) % 360 degrees:
  0 Rectangle(bx, by, 12, 8)
  1 BorderedRectangle(bx, by, 12, 8, border=2, border_color=(255-r, 255-g, 255-b, 255))
  2 Circle(bx, by, 6, segments=16)
  3 Ellipse(bx, by, 8, 5, segments=16)
  4 Sector(bx, by, 7, segments=16, angle=270, start_angle=0)
  5 Arc(bx, by, 7, segments=16, angle=270, start_angle=0, thickness=2)
  6 Line(bx, by, bx+10, by+6, thickness=2)
  7 Triangle(bx, by, bx+10, by, bx+5, by+8)
  8 Polygon((bx,by), (bx+10,by), (bx+12,by+6), (bx+5,by+10), (bx-2,by+6))
  9 Star(bx, by, 8, 4, num_spikes=5)
(all with color=c; angles in degrees). Per N:
  create        creating the N shapes, each with its rotation assignment
                (then one untimed batch.draw() + glFinish)
  per frame (averaged over --frames, default 30), frame = clear + glFinish
  (untimed), then, for frame f:
    update      move every shape: shape.position = (bx + f % 16, by + (3*f) % 16)
    submit      batch.draw() CPU time (includes the buffer upload of the moves)
    finish      glFinish after the draw (llvmpipe rasterises here)
    gpu         GL_TIME_ELAPSED of the draw (a timer query around batch.draw())
    thread cpu  this thread's user + system CPU time over the frame (getrusage)
  The --warmup frames (untimed) use f = 1..W, the timed ones f = 1..F.
  delete half   shape.delete() of every shape with i % 4 in (1, 2), in
                increasing i (all timed when N <= 10000, see --delete-sample)
  after delete  one more frame with f = F + 1 over the remaining shapes:
                update, submit, finish
  vertices      total vertices (and indices, of the indexed kinds) of the N
                shapes, and the vertices / indices of one shape of each kind

Run through run_pyglet.sh (sets up the venv and headless mode):
  bash benches/peer/run_pyglet.sh shapes [--counts 1000,10000] [--frames F] [--delete-sample K]
"""
from __future__ import annotations

import argparse
import gc
import os
import sys

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument('--counts', default='10000',
                    help='comma-separated shape counts (default 10000)')
parser.add_argument('--frames', type=int, default=30, help='frames averaged per N (default 30)')
parser.add_argument('--warmup', type=int, default=2, help='untimed frames before the timed ones (default 2)')
parser.add_argument('--delete-sample', type=int, default=None,
                    help='time only K deletions of the half and extrapolate; 0 = time all. '
                         'Default: all when N <= 10000, else 2000')
parser.add_argument('--debug-gl', action='store_true', help="keep pyglet's debug_gl (glGetError after every call)")
args = parser.parse_args()
if args.debug_gl:
    os.environ['PEER_PYGLET_DEBUG_GL'] = '1'
try:
    COUNTS = [int(c) for c in args.counts.split(',') if c.strip()]
except ValueError:
    parser.error(f'--counts: not a comma-separated list of integers: {args.counts!r}')
if args.frames < 1:
    parser.error('--frames must be at least 1')

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _peer_common as pc  # noqa: E402

import pyglet  # noqa: E402
from pyglet import gl, shapes  # noqa: E402

W, H = 640, 480
KINDS = ('Rectangle', 'BorderedRectangle', 'Circle', 'Ellipse', 'Sector', 'Arc', 'Line', 'Triangle',
         'Polygon', 'Star')


def spec(i: int) -> tuple[int, int, int, tuple[int, int, int, int], int]:
    """(kind, bx, by, colour, rotation) of shape i."""
    return (i % 10, (i * 37) % W, (i * 91) % H,
            ((i * 37) % 256, (i * 91) % 256, (i * 53) % 256, 255), (i * 13) % 360)


def makers(batch) -> tuple:
    """One constructor per kind, indexed by kind: f(bx, by, colour) -> shape."""
    return (
        lambda x, y, c: shapes.Rectangle(x, y, 12, 8, color=c, batch=batch),
        lambda x, y, c: shapes.BorderedRectangle(x, y, 12, 8, border=2, color=c,
                                                 border_color=(255 - c[0], 255 - c[1], 255 - c[2], 255),
                                                 batch=batch),
        lambda x, y, c: shapes.Circle(x, y, 6, segments=16, color=c, batch=batch),
        lambda x, y, c: shapes.Ellipse(x, y, 8, 5, segments=16, color=c, batch=batch),
        lambda x, y, c: shapes.Sector(x, y, 7, segments=16, angle=270, start_angle=0, color=c, batch=batch),
        lambda x, y, c: shapes.Arc(x, y, 7, segments=16, angle=270, start_angle=0, thickness=2, color=c,
                                   batch=batch),
        lambda x, y, c: shapes.Line(x, y, x + 10, y + 6, thickness=2, color=c, batch=batch),
        lambda x, y, c: shapes.Triangle(x, y, x + 10, y, x + 5, y + 8, color=c, batch=batch),
        lambda x, y, c: shapes.Polygon((x, y), (x + 10, y), (x + 12, y + 6), (x + 5, y + 10), (x - 2, y + 6),
                                       color=c, batch=batch),
        lambda x, y, c: shapes.Star(x, y, 8, 4, num_spikes=5, color=c, batch=batch),
    )


def lit_pixels() -> int:
    """Non-black pixels in the framebuffer (a sanity check that shapes drew)."""
    img = pyglet.image.get_buffer_manager().get_color_buffer().get_image_data()
    data = img.get_data('RGBA', W * 4)
    return sum(1 for i in range(0, len(data), 4) if data[i] | data[i + 1] | data[i + 2])


def move_all(live: list, f: int) -> None:
    dx, dy = f % 16, (3 * f) % 16
    for s, bx, by in live:
        s.position = (bx + dx, by + dy)


def run_one(n: int, window, env: dict) -> dict:
    sample = pc.default_sample(n) if args.delete_sample is None else args.delete_sample
    batch = pyglet.graphics.Batch()
    specs = [spec(i) for i in range(n)]
    make = makers(batch)

    gc.collect()
    t0 = pc.now()
    items = []
    for k, bx, by, c, rot in specs:
        s = make[k](bx, by, c)
        s.rotation = rot
        items.append(s)
    create = pc.now() - t0
    batch.draw()
    gl.glFinish()

    # Mesh sizes, as pyglet built them (vertex list .count / .index_count).
    vertices = sum(s._vertex_list.count for s in items)  # noqa: SLF001
    indices = sum(getattr(s._vertex_list, 'index_count', 0) for s in items)  # noqa: SLF001
    per_kind = {}
    for s, (k, *_rest) in zip(items[:10], specs[:10]):
        vl = s._vertex_list  # noqa: SLF001
        per_kind[f'verts_{KINDS[k]}'] = vl.count
        per_kind[f'indices_{KINDS[k]}'] = getattr(vl, 'index_count', 0)
    domains = len({id(s._vertex_list.domain) for s in items})  # noqa: SLF001

    live = [(s, bx, by) for s, (_k, bx, by, _c, _r) in zip(items, specs)]
    per_frame = pc.timed_frames(window, batch, lambda f: move_all(live, f), args.warmup, args.frames)
    fr = args.frames
    lit = lit_pixels()
    draws = pc.count_draw_calls(batch)

    victims = [s for i, s in enumerate(items) if i % 4 in (1, 2)]
    live = [entry for i, entry in enumerate(live) if i % 4 not in (1, 2)]
    del items
    dele = pc.delete_items(victims, lambda s: s._vertex_list, sample)  # noqa: SLF001
    del victims

    window.clear()
    gl.glFinish()
    t0 = pc.now()
    move_all(live, fr + 1)
    t1 = pc.now()
    batch.draw()
    t2 = pc.now()
    gl.glFinish()
    t3 = pc.now()
    draws_after = pc.count_draw_calls(batch)

    r = {'bench': 'shapes', 'count': n}
    r.update(env)
    r.update({
        'frames': fr,
        'create_ms': pc.ms(create),
        **per_frame,
        'draw_calls': draws['calls'],
        'draw_ranges': draws['subdraws'],
        'domains': domains,
        'lit_pixels': lit,
    })
    r.update(dele)
    r.update({
        'update_after_delete_ms': pc.ms(t1 - t0),
        'submit_after_delete_ms': pc.ms(t2 - t1),
        'finish_after_delete_ms': pc.ms(t3 - t2),
        'remaining_count': len(live),
        'draw_calls_after_delete': draws_after['calls'],
        'draw_ranges_after_delete': draws_after['subdraws'],
        'vertices': vertices,
        'indices': indices,
    })
    r.update(per_kind)
    for s, _bx, _by in live:
        s.delete()
    return r


def main() -> int:
    window = pc.make_window(W, H)
    env = pc.env_description()
    results = []
    for n in COUNTS:
        results.append(run_one(n, window, env))
        print(f'# N={n} done', file=sys.stderr, flush=True)

    print(f"pyglet {env['pyglet_version']} shapes benchmark: {W}x{H} headless window, 10 shape kinds "
          f"(shape i is kind i % 10), one Batch")
    print(f"GL: {env['gl_renderer']} ({env['gl_version']}), headless EGL device {env['headless_device']}, "
          f"debug_gl={env['debug_gl']}; per-frame figures = mean of {args.frames} frames")
    print()
    hdr = (f"{'N':>7} {'create ms':>10} {'update ms':>10} {'submit ms':>10} {'finish ms':>10} {'frame ms':>9} "
           f"{'cpu ms':>8} {'draws':>5} {'del half ms':>11} {'del':>4} {'upd aft ms':>10} {'sub aft ms':>10} "
           f"{'vertices':>9} {'indices':>8}")
    print(hdr)
    print('-' * len(hdr))
    for r in results:
        how = 'meas' if r['delete_half_method'] == 'measured' else 'EXTR'
        print(f"{r['count']:>7} {r['create_ms']:>10.2f} {r['update_ms']:>10.3f} {r['submit_ms']:>10.3f} "
              f"{r['finish_ms']:>10.3f} {r['frame_ms']:>9.3f} {r['thread_cpu_ms']:>8.3f} {r['draw_calls']:>5} "
              f"{r['delete_half_ms']:>11.1f} {how:>4} {r['update_after_delete_ms']:>10.3f} "
              f"{r['submit_after_delete_ms']:>10.3f} {r['vertices']:>9} {r['indices']:>8}")
    print()
    if results:
        r = results[-1]
        print('vertices (indices) per shape: ' + ', '.join(
            f"{k} {r['verts_' + k]}" + (f" ({r['indices_' + k]})" if r['indices_' + k] else '')
            for k in KINDS if 'verts_' + k in r))
    for r in results:
        for line in pc.describe_delete(r):
            print(f"N={r['count']}: {line}")
    print("del: meas = every deletion timed; EXTR = extrapolated (see above); draws = GL draw calls per "
          "batch.draw(); aft = the one frame after the delete")
    print()
    sys.stdout.flush()
    for r in results:
        pc.print_json(r)
    window.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
