"""pyglet 2.1.19 peer benchmark: N game units, each a sprite, a health bar and a name label,
in one Batch, all moving every frame and 300 of them changing their text and z every frame.

The trace (examples/bench_scene.rs runs the same one on a vertex_domain Scene):
  window      1280x720 headless (EGL pbuffer)
  images      16 generated 16x16 RGBA discs (image k: colour (k*15, 255 - k*15, 128)),
              added to one pyglet.image.atlas.TextureBin, as pyglet.resource would
              (so every sprite shares one texture); not timed
  font        the repo's assets/fonts/DejaVuSans.ttf (pyglet.font.add_file), 8 px
  unit i      base (x0, y0) = ((i * 7919) % (W - 32) + 8, (i * 104729) % (H - 40) + 8)
              sprite  pyglet.sprite.Sprite(image[i % 16], x0, y0, batch=batch)
              bar     pyglet.shapes.Rectangle(x0, y0 + 18, 16, 3, color=(40, 200, 60, 255))
              name    pyglet.text.Label(f"u{i}", font_name='DejaVu Sans', font_size=8, dpi=72,
                                        x=x0, y=y0 + 22, batch=batch)
  create      creating the N units, in increasing i
  frame f     (f = 1..warmup untimed, then 1..frames timed; clear + glFinish untimed)
    update    every unit moves to (x0 + ((i + f) % 7) - 3, y0 + ((i + f) % 5) - 2):
              sprite, bar and name; then 300 units, i = (f * 300 + j) % N for j < 300,
              change their name to f"u{i} {f % 100}" and their z (sprite and name: their
              z coordinate, which pyglet does not sort by: without a depth test its
              batch draws sprites, shapes and text by group, each kind over the other
              whatever the z)
    submit    batch.draw() CPU time (includes the buffer uploads)
    finish    glFinish after the draw (llvmpipe rasterises here)
    thread cpu this thread's user + system CPU time over the frame (getrusage)
  draw calls  GL draw calls of one batch.draw()

Run through run_pyglet.sh (sets up the venv and headless mode):
  bash benches/peer/run_pyglet.sh scene [--counts 10000] [--frames F]
"""
from __future__ import annotations

import argparse
import gc
import os
import sys

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument('--counts', default='10000', help='comma-separated unit counts (default 10000)')
parser.add_argument('--frames', type=int, default=30, help='frames averaged per N (default 30)')
parser.add_argument('--warmup', type=int, default=2, help='untimed frames before the timed ones (default 2)')
parser.add_argument('--debug-gl', action='store_true', help="keep pyglet's debug_gl (glGetError after every call)")
args = parser.parse_args()
if args.debug_gl:
    os.environ['PEER_PYGLET_DEBUG_GL'] = '1'
try:
    COUNTS = [int(c) for c in args.counts.split(',') if c.strip()]
except ValueError:
    parser.error(f'--counts: not a comma-separated list of integers: {args.counts!r}')

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _peer_common as pc  # noqa: E402

import pyglet  # noqa: E402
from pyglet import gl  # noqa: E402

W, H, S = 1280, 720, 16
IMAGES = 16
CHANGES = 300
FONT_FILE = os.path.join(HERE, '..', '..', 'assets', 'fonts', 'DejaVuSans.ttf')
FONT_NAME = 'DejaVu Sans'


def make_images() -> list:
    """The 16 discs, in one TextureBin atlas."""
    atlas = pyglet.image.atlas.TextureBin()
    images = []
    for k in range(IMAGES):
        colour = bytes((k * 15, 255 - k * 15, 128, 255))
        data = bytearray()
        for y in range(S):
            for x in range(S):
                dx, dy = x - 7.5, y - 7.5
                data += colour if dx * dx + dy * dy <= 56 else bytes(4)
        images.append(atlas.add(pyglet.image.ImageData(S, S, 'RGBA', bytes(data))))
    return images


def base(i: int) -> tuple[int, int]:
    return (i * 7919) % (W - 32) + 8, (i * 104729) % (H - 40) + 8


def lit_pixels() -> int:
    img = pyglet.image.get_buffer_manager().get_color_buffer().get_image_data()
    data = img.get_data('RGB', W * 3)
    return sum(1 for i in range(0, len(data), 3) if data[i] | data[i + 1] | data[i + 2])


def run_one(n: int, window, images: list, env: dict) -> dict:
    batch = pyglet.graphics.Batch()
    bases = [base(i) for i in range(n)]
    gc.collect()
    t0 = pc.now()
    units = []
    for i, (x, y) in enumerate(bases):
        sprite = pyglet.sprite.Sprite(images[i % IMAGES], x, y, batch=batch)
        bar = pyglet.shapes.Rectangle(x, y + 18, 16, 3, color=(40, 200, 60, 255), batch=batch)
        name = pyglet.text.Label(f'u{i}', font_name=FONT_NAME, font_size=8, dpi=72,
                                 x=x, y=y + 22, batch=batch)
        units.append((sprite, bar, name))
    create = pc.now() - t0
    batch.draw()
    gl.glFinish()

    def update(f: int) -> None:
        for i, ((x0, y0), (sprite, bar, name)) in enumerate(zip(bases, units)):
            x, y = x0 + (i + f) % 7 - 3, y0 + (i + f) % 5 - 2
            sprite.position = (x, y, sprite.z)
            bar.position = (x, y + 18)
            name.position = (x, y + 22, name.z)
        for j in range(CHANGES):
            i = (f * CHANGES + j) % n
            sprite, _, name = units[i]
            name.text = f'u{i} {f % 100}'
            z = n + f * CHANGES + j
            sprite.z = z
            name.z = z

    per_frame = pc.timed_frames(window, batch, update, args.warmup, args.frames)
    lit = lit_pixels()
    draws = pc.count_draw_calls(batch)
    r = {'bench': 'scene', 'count': n}
    r.update(env)
    r.update({
        'frames': args.frames,
        'create_ms': pc.ms(create),
        **per_frame,
        'draw_calls': draws['calls'],
        'lit_pixels': lit,
    })
    for sprite, bar, name in units:
        sprite.delete()
        bar.delete()
        name.delete()
    return r


def main() -> int:
    window = pc.make_window(W, H)
    pyglet.font.add_file(FONT_FILE)
    if not pyglet.font.have_font(FONT_NAME):
        sys.exit(f'pyglet_scene.py: pyglet does not know {FONT_NAME!r} after add_file')
    env = pc.env_description()
    images = make_images()
    results = []
    for n in COUNTS:
        results.append(run_one(n, window, images, env))
        print(f'# N={n} done', file=sys.stderr, flush=True)
    print(f"pyglet {env['pyglet_version']} scene benchmark: {W}x{H}, N units (sprite, bar, name) in one Batch")
    hdr = f"{'N':>7} {'create ms':>10} {'update ms':>10} {'submit ms':>10} {'finish ms':>10} {'cpu ms':>8} {'draws':>5}"
    print(hdr)
    print('-' * len(hdr))
    for r in results:
        print(f"{r['count']:>7} {r['create_ms']:>10.2f} {r['update_ms']:>10.3f} {r['submit_ms']:>10.3f} "
              f"{r['finish_ms']:>10.3f} {r['thread_cpu_ms']:>8.3f} {r['draw_calls']:>5}")
    print()
    sys.stdout.flush()
    for r in results:
        pc.print_json(r)
    window.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
