#!/usr/bin/env bash
# The browser demos: builds them (web/build.sh), serves web/ on a loopback port, loads each
# page in headless Chromium (SwiftShader's WebGL2), and checks its last frame both in the
# page (read back, as the native --check) and in a screenshot (.ci/web-page.py).
set -euo pipefail
cd "$(dirname "$0")/.."
bash web/build.sh sprite_batch text
source .ci/web-env.sh
serve_web
mkdir -p target
# 800x743 outside gives an 800x600 page in headless Chromium.
timeout 300 python3 .ci/web-page.py \
    "http://127.0.0.1:$port/index.html?demo=sprite_batch&sprites=2000&frames=30&check" \
    target/ci-web-sprite_batch.png "check: ok" 800x743
timeout 300 python3 .ci/web-page.py \
    "http://127.0.0.1:$port/index.html?demo=text&frames=30&check" \
    target/ci-web-text.png "check: ok" 800x743
