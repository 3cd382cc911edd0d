#!/usr/bin/env bash
# Runs the main demo headless (EGL device, no display) and in a real window under Xvfb,
# and checks that each last frame shows sprites (the example's --check).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --example sprite_batch
demo=target/release/examples/sprite_batch

echo "-- headless"
timeout 300 "$demo" --headless --sprites 2000 --frames 30 \
    --screenshot target/ci-headless.png --check

echo "-- window under Xvfb"
if ! command -v xvfb-run >/dev/null; then
    if [ "$(id -u)" != 0 ]; then
        echo "xvfb-run is missing and this is not root: install the xvfb package" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq xvfb >/dev/null
fi
timeout 300 xvfb-run -a -s "-screen 0 1024x768x24" \
    "$demo" --sprites 2000 --frames 20 --size 640x480 \
    --screenshot target/ci-window.png --check
