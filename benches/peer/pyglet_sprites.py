"""pyglet 2.1.19 peer benchmark: N sprites in one Batch.

A 640x480 headless window (EGL pbuffer), one generated 16x16 RGBA image, N
pyglet.sprite.Sprite of it in ONE Batch (so one SpriteGroup, one indexed
domain). Per N:
  create        creating the N sprites
  per frame (averaged over --frames, default 30), frame = clear + glFinish
  (untimed), then:
    update      move every sprite: sprite.position = (x, y, 0)
    submit      batch.draw() CPU time (includes the buffer upload of the moves)
    finish      glFinish after the draw (llvmpipe rasterises here)
    gpu         GL_TIME_ELAPSED of the draw (a timer query around batch.draw())
    thread cpu  this thread's user + system CPU time over the frame (getrusage)
    faults      minor page faults over the frame: this thread's, and the process's
  delete half   delete a seeded random half (sampled + extrapolated for N > 10000)
  recreate half create that many sprites again (into the fragmented domain)

Run through run_pyglet.sh (sets up the venv and headless mode):
  bash benches/peer/run_pyglet.sh sprites [--counts 1000,10000,100000] [--delete-sample K]
"""
from __future__ import annotations

import argparse
import gc
import os
import ctypes
import random
import resource
import sys

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument('--counts', default='1000,10000,100000',
                    help='comma-separated sprite counts (default 1000,10000,100000)')
parser.add_argument('--frames', type=int, default=30, help='frames averaged per N (default 30)')
parser.add_argument('--warmup', type=int, default=2, help='untimed frames before the timed ones (default 2)')
parser.add_argument('--delete-sample', type=int, default=None,
                    help='time only K deletions of the random half and extrapolate; 0 = time all. '
                         'Default: all when N <= 10000, else 2000')
parser.add_argument('--seed', type=int, default=12345)
parser.add_argument('--debug-gl', action='store_true', help="keep pyglet's debug_gl (glGetError after every call)")
args = parser.parse_args()
if args.debug_gl:
    os.environ['PEER_PYGLET_DEBUG_GL'] = '1'
try:
    COUNTS = [int(c) for c in args.counts.split(',') if c.strip()]
except ValueError:
    parser.error(f'--counts: not a comma-separated list of integers: {args.counts!r}')

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _peer_common as pc  # noqa: E402

import pyglet  # noqa: E402
from pyglet import gl  # noqa: E402

W, H, S = 640, 480, 16


def make_image() -> pyglet.image.AbstractImage:
    """One generated 16x16 RGBA image: a coloured disc with a border."""
    data = bytearray()
    for y in range(S):
        for x in range(S):
            dx, dy = x - 7.5, y - 7.5
            inside = dx * dx + dy * dy <= 56
            data += bytes((x * 16, y * 16, 200, 255)) if inside else bytes((255, 255, 255, 96))
    return pyglet.image.ImageData(S, S, 'RGBA', bytes(data))


def positions(n: int, rng: random.Random) -> list[tuple[float, float, float]]:
    return [(rng.uniform(0, W - S), rng.uniform(0, H - S), 0.0) for _ in range(n)]


def lit_pixels() -> int:
    """Non-black pixels in the framebuffer (a sanity check that sprites drew)."""
    img = pyglet.image.get_buffer_manager().get_color_buffer().get_image_data()
    data = img.get_data('RGBA', W * 4)
    return sum(1 for i in range(0, len(data), 4) if data[i] | data[i + 1] | data[i + 2])


def run_one(n: int, window, img, env: dict) -> dict:
    rng = random.Random(args.seed + n)
    sample = pc.default_sample(n) if args.delete_sample is None else args.delete_sample
    batch = pyglet.graphics.Batch()
    start = positions(n, rng)
    moves = [positions(n, rng), positions(n, rng)]  # alternated frame to frame

    Sprite = pyglet.sprite.Sprite
    gc.collect()
    t0 = pc.now()
    sprites = [Sprite(img, x, y, z, batch=batch) for (x, y, z) in start]
    create = pc.now() - t0

    upd = sub = fin = gpu = cpu = 0.0
    faults_thread = faults_process = 0
    query = gl.GLuint()
    gl.glGenQueries(1, ctypes.byref(query))
    elapsed = gl.GLuint64()
    for f in range(args.warmup + args.frames):
        window.clear()
        gl.glFinish()
        th0 = resource.getrusage(resource.RUSAGE_THREAD)
        pr0 = resource.getrusage(resource.RUSAGE_SELF)
        t0 = pc.now()
        for s, p in zip(sprites, moves[f & 1]):
            s.position = p
        t1 = pc.now()
        gl.glBeginQuery(gl.GL_TIME_ELAPSED, query)
        batch.draw()
        gl.glEndQuery(gl.GL_TIME_ELAPSED)
        t2 = pc.now()
        gl.glFinish()
        t3 = pc.now()
        th1 = resource.getrusage(resource.RUSAGE_THREAD)
        pr1 = resource.getrusage(resource.RUSAGE_SELF)
        gl.glGetQueryObjectui64v(query, gl.GL_QUERY_RESULT, ctypes.byref(elapsed))
        if f >= args.warmup:
            upd += t1 - t0
            sub += t2 - t1
            fin += t3 - t2
            gpu += elapsed.value / 1e9
            cpu += (th1.ru_utime + th1.ru_stime) - (th0.ru_utime + th0.ru_stime)
            faults_thread += th1.ru_minflt - th0.ru_minflt
            faults_process += pr1.ru_minflt - pr0.ru_minflt
    gl.glDeleteQueries(1, ctypes.byref(query))
    fr = args.frames
    lit = lit_pixels()
    draws = pc.count_draw_calls(batch)

    victims_idx = rng.sample(range(n), n // 2)
    victims = [sprites[i] for i in victims_idx]
    dele = pc.delete_items(victims, lambda s: s._vertex_list, sample)  # noqa: SLF001
    dead = set(victims_idx)
    sprites = [s for i, s in enumerate(sprites) if i not in dead]
    del victims
    draws_after = pc.count_draw_calls(batch)

    again = positions(n // 2, rng)
    gc.collect()
    t0 = pc.now()
    sprites += [Sprite(img, x, y, z, batch=batch) for (x, y, z) in again]
    recreate = pc.now() - t0
    submit_recreated, finish_recreated = pc.timed_draw(window, batch)
    draws_recreated = pc.count_draw_calls(batch)

    r = {'bench': 'sprites', 'count': n}
    r.update(env)
    r.update({
        'frames': fr,
        'create_ms': pc.ms(create),
        'update_ms': pc.ms(upd / fr),
        'submit_ms': pc.ms(sub / fr),
        'finish_ms': pc.ms(fin / fr),
        'frame_ms': pc.ms((upd + sub + fin) / fr),
        'gpu_ms': pc.ms(gpu / fr),
        'thread_cpu_ms': pc.ms(cpu / fr),
        'thread_faults_per_frame': faults_thread / fr,
        'process_faults_per_frame': faults_process / fr,
        'draw_calls': draws['calls'],
        'draw_ranges': draws['subdraws'],
        'lit_pixels': lit,
    })
    r.update(dele)
    r.update({
        'draw_calls_after_delete': draws_after['calls'],
        'draw_ranges_after_delete': draws_after['subdraws'],
        'recreate_half_ms': pc.ms(recreate),
        'recreate_half_count': n // 2,
        'submit_after_recreate_ms': pc.ms(submit_recreated),
        'finish_after_recreate_ms': pc.ms(finish_recreated),
        'draw_ranges_after_recreate': draws_recreated['subdraws'],
    })
    for s in sprites:
        s.delete()
    return r


def main() -> int:
    window = pc.make_window(W, H)
    env = pc.env_description()
    img = make_image()
    results = []
    for n in COUNTS:
        results.append(run_one(n, window, img, env))
        print(f'# N={n} done', file=sys.stderr, flush=True)

    print(f"pyglet {env['pyglet_version']} sprite benchmark: {W}x{H} headless window, {S}x{S} sprites of one "
          f"texture, one Batch")
    print(f"GL: {env['gl_renderer']} ({env['gl_version']}), headless EGL device {env['headless_device']}, "
          f"debug_gl={env['debug_gl']}; per-frame figures = mean of {args.frames} frames")
    print()
    hdr = (f"{'N':>8} {'create ms':>11} {'update ms':>10} {'submit ms':>10} {'finish ms':>10} {'draws':>6} "
           f"{'del half ms':>12} {'del':>5} {'recreate ms':>12}")
    print(hdr)
    print('-' * len(hdr))
    for r in results:
        how = 'meas' if r['delete_half_method'] == 'measured' else 'EXTR'
        print(f"{r['count']:>8} {r['create_ms']:>11.2f} {r['update_ms']:>10.3f} {r['submit_ms']:>10.3f} "
              f"{r['finish_ms']:>10.3f} {r['draw_calls']:>6} {r['delete_half_ms']:>12.1f} {how:>5} "
              f"{r['recreate_half_ms']:>12.2f}")
    print()
    for r in results:
        for line in pc.describe_delete(r):
            print(f"N={r['count']}: {line}")
    print("del: meas = every deletion timed; EXTR = extrapolated (see above); draws = GL draw calls per batch.draw()")
    print()
    sys.stdout.flush()
    for r in results:
        pc.print_json(r)
    pc.print_json({'bench': 'sprites', 'results': results})
    window.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
