#!/usr/bin/env bash
# Runs the main demo headless (EGL device, no display) and in a real window under Xvfb, and
# the instancing, shapes and text demos headless, and checks that each last frame shows shapes (--check).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --example sprite_batch
demo=target/release/examples/sprite_batch

echo "-- headless"
timeout 300 "$demo" --headless --sprites 2000 --frames 30 \
    --screenshot target/ci-headless.png --check

echo "-- instancing, headless"
cargo build --release --example instancing
timeout 300 target/release/examples/instancing --headless --frames 20 \
    --screenshot target/ci-instancing.png --check

echo "-- shapes, headless"
cargo build --release --example shapes
timeout 300 target/release/examples/shapes --headless --frames 20 \
    --screenshot target/ci-shapes.png --check

echo "-- text, headless"
cargo build --release --example text
timeout 300 target/release/examples/text --headless --frames 20 \
    --screenshot target/ci-text.png --check

echo "-- window under Xvfb"
# Xvfb, and the X11 client libraries winit loads at run time (a missing libxkbcommon-x11
# is a panic at start-up).
missing=()
command -v xvfb-run >/dev/null || missing+=(xvfb xauth)
for pair in libX11-xcb.so.1:libx11-xcb1 libXcursor.so.1:libxcursor1 libXi.so.6:libxi6 \
    libXrandr.so.2:libxrandr2 libxkbcommon-x11.so.0:libxkbcommon-x11-0; do
    ldconfig -p | grep -q "${pair%%:*}" || missing+=("${pair##*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
        echo "missing for the window run: ${missing[*]}; as root: apt-get install ${missing[*]}" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
timeout 300 xvfb-run -a -s "-screen 0 1024x768x24" \
    "$demo" --sprites 2000 --frames 20 --size 640x480 \
    --screenshot target/ci-window.png --check
