"""pyglet 2.1.19 peer benchmark: N pyglet.text.Label in one Batch, every text changing every frame.

A 1280x720 headless window (EGL pbuffer). The font is the repo's
assets/fonts/DejaVuSans.ttf, added with pyglet.font.add_file (pyglet prefers
an added face to a system font of the same name; the script exits unless
have_font('DejaVu Sans') and the font loaded by that name is of that family).
N labels in ONE Batch; label i (0-based) is
  pyglet.text.Label(text(i, 0), font_name='DejaVu Sans', font_size=12, dpi=72,
                    x=(i % 10) * 128 + 4, y=((i // 10) % 100) * 7 + 4,
                    color=((i*37)%256, (i*91)%256, (i*53)%256, 255), batch=batch)
(12 pt at 72 dpi = 12 px; default anchors: left, baseline), with
  NAMES = ["Score", "Gold", "Ammo", "Level", "Shield", "Health", "Energy", "Distance"]
  text(i, f) = f"{NAMES[i % 8]}: {(i * 7919 + f * (1 + i % 7) * 37) % 1000000:02d}"
(8 to 16 characters). Per N:
  create        creating the N labels, in increasing i
                (then one untimed batch.draw() + glFinish)
  per frame (averaged over --frames, default 30), frame = clear + glFinish
  (untimed), then, for frame f:
    update      label.text = text(i, f) for every label, in increasing i
                (formatting the string included)
    submit      batch.draw() CPU time (includes the buffer upload of the new glyphs)
    finish      glFinish after the draw (llvmpipe rasterises here)
    gpu         GL_TIME_ELAPSED of the draw (a timer query around batch.draw())
    thread cpu  this thread's user + system CPU time over the frame (getrusage)
  The --warmup frames (untimed, default 2) use f = 1..W, the timed ones f = 1..F.
  After the last timed frame: lit pixels (non-black pixels of the framebuffer),
  the --screenshot PNG if asked, glyphs (characters of the labels' texts, as
  set by the last frame) and the draw calls of one more batch.draw().
  changed texts  assignments in the timed frames that changed a label's text,
                counted (untimed) before each update: N * F, except N * (F - 1)
                with --warmup 1, whose first timed frame repeats the warm-up's
                f = 1 (pyglet skips an unchanged text)

Run through run_pyglet.sh (sets up the venv and headless mode):
  bash benches/peer/run_pyglet.sh text [--counts 1000] [--frames F] [--screenshot PATH]
"""
from __future__ import annotations

import argparse
import gc
import os
import sys

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument('--counts', default='1000', help='comma-separated label counts (default 1000)')
parser.add_argument('--frames', type=int, default=30, help='frames averaged per N (default 30)')
parser.add_argument('--warmup', type=int, default=2, help='untimed frames before the timed ones (default 2)')
parser.add_argument('--screenshot', metavar='PATH',
                    help='write the framebuffer after the last timed frame of the last N as an RGB PNG '
                         '(run_pyglet.sh runs from the repo root: relative paths start there)')
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
if args.warmup < 0:
    parser.error('--warmup must be at least 0')

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import _peer_common as pc  # noqa: E402

import pyglet  # noqa: E402
from pyglet import gl  # noqa: E402

W, H = 1280, 720
FONT_FILE = os.path.join(HERE, '..', '..', 'assets', 'fonts', 'DejaVuSans.ttf')
FONT_NAME = 'DejaVu Sans'
NAMES = ('Score', 'Gold', 'Ammo', 'Level', 'Shield', 'Health', 'Energy', 'Distance')


def text(i: int, f: int) -> str:
    return f'{NAMES[i % 8]}: {(i * 7919 + f * (1 + i % 7) * 37) % 1000000:02d}'


def load_font() -> None:
    """Adds the repo's DejaVuSans.ttf and checks that 'DejaVu Sans' now loads as that family."""
    if not os.path.isfile(FONT_FILE):
        sys.exit(f'pyglet_text.py: font file not found: {os.path.normpath(FONT_FILE)}')
    pyglet.font.add_file(FONT_FILE)
    if not pyglet.font.have_font(FONT_NAME):
        sys.exit(f'pyglet_text.py: pyglet does not know {FONT_NAME!r} after add_file({FONT_FILE!r})')
    loaded = pyglet.font.load(FONT_NAME, 12, dpi=72).name
    if loaded != FONT_NAME:
        sys.exit(f'pyglet_text.py: pyglet.font.load({FONT_NAME!r}) gave {loaded!r}, not {FONT_NAME!r}')


def make_label(i: int, batch) -> pyglet.text.Label:
    return pyglet.text.Label(text(i, 0), font_name=FONT_NAME, font_size=12, dpi=72,
                             x=(i % 10) * 128 + 4, y=((i // 10) % 100) * 7 + 4,
                             color=((i * 37) % 256, (i * 91) % 256, (i * 53) % 256, 255), batch=batch)


def read_framebuffer() -> pyglet.image.ImageData:
    """The framebuffer's colour as RGB (the clear leaves alpha 0, so it is dropped)."""
    img = pyglet.image.get_buffer_manager().get_color_buffer().get_image_data()
    return pyglet.image.ImageData(W, H, 'RGB', img.get_data('RGB', W * 3), W * 3)


def lit_pixels(img: pyglet.image.ImageData) -> int:
    """Non-black pixels (a sanity check that the labels drew)."""
    data = img.get_data('RGB', W * 3)
    return sum(1 for i in range(0, len(data), 3) if data[i] | data[i + 1] | data[i + 2])


def set_texts(labels: list, f: int) -> None:
    for i, label in enumerate(labels):
        label.text = text(i, f)


def run_one(n: int, window, env: dict, screenshot: str | None) -> dict:
    batch = pyglet.graphics.Batch()

    gc.collect()
    t0 = pc.now()
    labels = [make_label(i, batch) for i in range(n)]
    create = pc.now() - t0
    batch.draw()
    gl.glFinish()

    changed = 0

    def count_changes(f: int) -> None:
        nonlocal changed
        changed += sum(1 for i, label in enumerate(labels) if label.text != text(i, f))

    per_frame = pc.timed_frames(window, batch, lambda f: set_texts(labels, f), args.warmup,
                                args.frames, before=count_changes)
    fr = args.frames

    img = read_framebuffer()
    lit = lit_pixels(img)
    if screenshot:
        with open(screenshot, 'wb') as fh:
            img.save(screenshot, file=fh)
    draws = pc.count_draw_calls(batch)

    # What pyglet built: vertex lists (4 vertices per character, spaces included).
    lists = [vl for label in labels for vl in label._vertex_lists]  # noqa: SLF001

    r = {'bench': 'text', 'count': n}
    r.update(env)
    r.update({
        'frames': fr,
        'create_ms': pc.ms(create),
        **per_frame,
        'draw_calls': draws['calls'],
        'draw_ranges': draws['subdraws'],
        'glyphs': sum(len(label.text) for label in labels),
        'lit_pixels': lit,
        'changed_texts': changed,
        'vertex_lists': len(lists),
        'vertices': sum(vl.count for vl in lists),
        'domains': len({id(vl.domain) for vl in lists}),
    })
    for label in labels:
        label.delete()
    return r


def main() -> int:
    window = pc.make_window(W, H)
    load_font()
    env = pc.env_description()
    env['text_shaping'] = str(pyglet.options['text_shaping'])
    results = []
    for k, n in enumerate(COUNTS):
        results.append(run_one(n, window, env, args.screenshot if k == len(COUNTS) - 1 else None))
        print(f'# N={n} done', file=sys.stderr, flush=True)

    print(f"pyglet {env['pyglet_version']} text benchmark: {W}x{H} headless window, N pyglet.text.Label "
          f"({FONT_NAME} 12 px, from assets/fonts/DejaVuSans.ttf), one Batch, every text changed every frame")
    print(f"GL: {env['gl_renderer']} ({env['gl_version']}), headless EGL device {env['headless_device']}, "
          f"debug_gl={env['debug_gl']}, text_shaping={env['text_shaping']}; "
          f"per-frame figures = mean of {args.frames} frames")
    print()
    hdr = (f"{'N':>7} {'create ms':>10} {'update ms':>10} {'submit ms':>10} {'finish ms':>10} {'frame ms':>9} "
           f"{'cpu ms':>8} {'draws':>5} {'glyphs':>7} {'lists':>6} {'lit px':>7} {'changed':>8}")
    print(hdr)
    print('-' * len(hdr))
    for r in results:
        print(f"{r['count']:>7} {r['create_ms']:>10.2f} {r['update_ms']:>10.3f} {r['submit_ms']:>10.3f} "
              f"{r['finish_ms']:>10.3f} {r['frame_ms']:>9.3f} {r['thread_cpu_ms']:>8.3f} {r['draw_calls']:>5} "
              f"{r['glyphs']:>7} {r['vertex_lists']:>6} {r['lit_pixels']:>7} {r['changed_texts']:>8}")
    print()
    print("update = label.text = ... for every label; draws = GL draw calls per batch.draw(); glyphs = characters "
          "of the last frame's texts; lists = pyglet vertex lists; changed = text changes in the timed frames")
    if args.screenshot:
        print(f'screenshot (N={COUNTS[-1]}, after the last timed frame): {args.screenshot}')
    print()
    sys.stdout.flush()
    for r in results:
        pc.print_json(r)
    window.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
