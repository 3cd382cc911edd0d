#!/usr/bin/env bash
# The sprite demo's frame time at 1k, 10k and 50k sprites, multi-draw against single draws
# and sub-data against re-specified staging, in headless Chromium's WebGL2 (SwiftShader) and
# natively on a headless GLES 3 context (llvmpipe), in one run. Both are CPU rasterisers:
# each figure is the whole frame on the CPU (update, flush, draw calls and the rasteriser's
# work, waited for by a one-pixel read-back), not what a GPU would show.
#
# usage: bash benches/web_frames.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
cargo build -q --release --example sprite_batch
./target/release/examples/sprite_batch --headless --gles --bench | grep '^{' > "$out/native.jsonl"
bash web/build.sh sprite_batch > /dev/null
source .ci/web-env.sh
serve_web
WEB_PAGE_SECONDS=900 python3 .ci/web-page.py \
    "http://127.0.0.1:$port/index.html?demo=sprite_batch&bench" "$out/bench.png" '{' 800x743 \
    | sed 's/^status: //' | grep '^{' > "$out/web.jsonl"
python3 - "$out/native.jsonl" "$out/web.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for f in sys.argv[1:] for l in open(f) if l.strip().startswith("{")]
key = lambda r: (r["platform"], r["sprites"], r["multi_draw"], r["path"])
table = {key(r): r["median_ms"] for r in rows}
print("| sprites | path | browser, WEBGL_multi_draw | browser, single draws | native GLES 3, multi-draw | native GLES 3, single draws |")
print("|---:|---|---:|---:|---:|---:|")
for n in sorted({r["sprites"] for r in rows}):
    for path in ["subdata", "respecify"]:
        cells = [table.get((p, n, m, path)) for p in ["browser WebGL2", "native GLES 3"] for m in [True, False]]
        print(f"| {n:,} | {path} | " + " | ".join("-" if c is None else f"{c:.1f} ms" for c in cells) + " |")
PY
