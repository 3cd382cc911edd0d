#!/usr/bin/env bash
# The GL test suites in a real browser: builds the tests for wasm32-unknown-unknown and runs
# them with wasm-bindgen-test in headless Chromium, whose WebGL2 is SwiftShader (a CPU
# rasteriser). The same test files run natively under `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."
source .ci/web-env.sh

echo "-- the library builds for wasm32-unknown-unknown with the default features"
"${WEB_CARGO[@]}" build "${WEB_BUILD_STD[@]}" --target wasm32-unknown-unknown --lib

echo "-- cargo test --target wasm32-unknown-unknown (headless Chromium, WebGL2)"
mkdir -p target
log=target/web-test.log
set +e
"${WEB_CARGO[@]}" test "${WEB_BUILD_STD[@]}" --target wasm32-unknown-unknown --tests \
    --no-fail-fast 2>&1 | tee "$log" | grep -E "^test |^test result|Running"
status=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo "^test result: [a-zA-Z]+\. [0-9]+ passed" "$log" | awk '{s += $4} END {print s + 0}')
failed=$(grep -Eo "[0-9]+ failed" "$log" | awk '{s += $1} END {print s + 0}')
# A test binary the runner lost (a browser timeout) reports no counts: count it too.
crashed=$(grep -c "^error: test failed" "$log" || true)
failed=$((failed + crashed))
echo "browser: $passed passed, $failed failed"
if [ "$status" -ne 0 ]; then
    echo "the browser tests failed (exit $status); the whole log is $log"
    grep -v "^\s*at " "$log" | grep -B2 -A6 "panicked at\|Error:\|SEVERE" | head -80
    exit "$status"
fi
if [ "$passed" -lt 60 ]; then
    echo "expected at least 60 browser tests, ran $passed"
    exit 1
fi
