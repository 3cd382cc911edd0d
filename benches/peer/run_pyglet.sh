#!/usr/bin/env bash
# Runs the pyglet 2.1.19 peer benchmarks headless (EGL, Mesa llvmpipe works).
#   bash benches/peer/run_pyglet.sh sprites [--counts 1000,10000,100000] [...]
#   bash benches/peer/run_pyglet.sh domain  [--count 100000] [--delete-sample K] [...]
#   bash benches/peer/run_pyglet.sh shapes  [--counts 10000] [--frames 30] [...]
#   bash benches/peer/run_pyglet.sh text    [--counts 1000] [--frames 30] [--screenshot PATH] [...]
#   bash benches/peer/run_pyglet.sh scene   [--counts 10000] [--frames 30] [...]
#   bash benches/peer/run_pyglet.sh all          # all five, defaults
# Creates target/peer-venv (repo root) on first use and installs pyglet==2.1.19.
# Environment: PYTHON (interpreter for the venv, default python3),
#              PYGLET_HEADLESS_DEVICE (EGL device index, default 0).
set -euo pipefail

die() { echo "run_pyglet.sh: error: $*" >&2; exit 1; }

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$ROOT" || die "cannot cd to repo root $ROOT"

PYGLET_VERSION=2.1.19
VENV="$ROOT/target/peer-venv"
PY="$VENV/bin/python"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$PY" ]; then
    command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found (set PYTHON=...)"
    mkdir -p "$ROOT/target"
    "$PYTHON" -m venv "$VENV" \
        || die "could not create venv at $VENV (Debian: apt-get install python3-venv)"
fi
if ! "$PY" -c "import pyglet, sys; sys.exit(pyglet.version != '$PYGLET_VERSION')" >/dev/null 2>&1; then
    echo "run_pyglet.sh: installing pyglet==$PYGLET_VERSION into $VENV" >&2
    "$PY" -m pip install -q --disable-pip-version-check "pyglet==$PYGLET_VERSION" \
        || die "pip install pyglet==$PYGLET_VERSION failed (is PyPI reachable?)"
fi

export PYGLET_HEADLESS=1
export PYTHONUNBUFFERED=1
export PYTHONDONTWRITEBYTECODE=1

# Check that a headless EGL context can be made before benchmarking.
"$PY" - <<'PYEOF' || die "pyglet could not open a headless EGL context: need libEGL + a Mesa/GPU EGL driver (Debian: apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri)"
import os, pyglet
pyglet.options['headless'] = True
pyglet.options['headless_device'] = int(os.environ.get('PYGLET_HEADLESS_DEVICE', '0'))
w = pyglet.window.Window(64, 64, visible=False)
w.close()
PYEOF

what="${1:-}"
[ $# -gt 0 ] && shift
case "$what" in
    sprites) "$PY" "$HERE/pyglet_sprites.py" "$@" || die "pyglet_sprites.py failed (exit $?)" ;;
    domain)  "$PY" "$HERE/pyglet_domain.py" "$@" || die "pyglet_domain.py failed (exit $?)" ;;
    shapes)  "$PY" "$HERE/pyglet_shapes.py" "$@" || die "pyglet_shapes.py failed (exit $?)" ;;
    text)    "$PY" "$HERE/pyglet_text.py" "$@" || die "pyglet_text.py failed (exit $?)" ;;
    scene)   "$PY" "$HERE/pyglet_scene.py" "$@" || die "pyglet_scene.py failed (exit $?)" ;;
    all)
        [ $# -eq 0 ] || die "'all' takes no arguments (run 'domain', 'sprites', 'shapes', 'text' and 'scene' separately to pass options)"
        "$PY" "$HERE/pyglet_domain.py" || die "pyglet_domain.py failed"
        "$PY" "$HERE/pyglet_sprites.py" || die "pyglet_sprites.py failed"
        "$PY" "$HERE/pyglet_shapes.py" || die "pyglet_shapes.py failed"
        "$PY" "$HERE/pyglet_text.py" || die "pyglet_text.py failed"
        "$PY" "$HERE/pyglet_scene.py" || die "pyglet_scene.py failed"
        ;;
    *) die "usage: $0 {sprites|domain|shapes|text|scene|all} [args...]  (got '${what}')" ;;
esac
