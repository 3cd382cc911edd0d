#!/usr/bin/env bash
# Builds the browser demos into web/pkg: `bash web/build.sh` (sprite_batch and text), then
# serve the folder (`python3 -m http.server -d web 8000`) and open
# http://localhost:8000/?demo=sprite_batch or ?demo=text.
#
# Installs what it needs, as CI does (.ci/web-env.sh): where rustup cannot add the wasm32
# target, Debian's rustc-web route; and the wasm-bindgen CLI matching Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/web-env.sh
demos=("${@:-sprite_batch}")
[ $# -eq 0 ] && demos=(sprite_batch text)
for demo in "${demos[@]}"; do
    echo "-- $demo"
    "${WEB_CARGO[@]}" build "${WEB_BUILD_STD[@]}" --release --target wasm32-unknown-unknown \
        --example "$demo"
    wasm-bindgen --target web --no-typescript --out-dir web/pkg \
        "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/examples/$demo.wasm"
done
echo "built web/pkg: serve with  python3 -m http.server -d web 8000"
