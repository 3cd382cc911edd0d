#!/usr/bin/env bash
# Sourced by the browser scripts: installs what building for wasm32 and testing in headless
# Chromium need, and exports WEB_CARGO (the cargo command for wasm32-unknown-unknown) and the
# test runner's environment.
#
# Route: where rustup can add the wasm32-unknown-unknown target, the ordinary toolchain
# builds. Otherwise (rustup cannot fetch a wasm32 std on every machine), Debian's rustc-web,
# cargo-web and rust-web-src build std from source with -Zbuild-std, linked by lld.
# wasm-bindgen-cli must be exactly the wasm-bindgen of Cargo.lock; it is cached outside the
# clone (~/.cache/vertex-domain), since building it takes minutes.

apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "-- apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
    }
}

apt_install chromium chromium-driver

# WEB_ROUTE=debian takes Debian's route even where rustup could add the target (to test it).
if [ "${WEB_ROUTE:-}" != debian ] && {
    rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown \
        || rustup target add wasm32-unknown-unknown >/dev/null 2>&1
}; then
    WEB_CARGO=(cargo)
    WEB_BUILD_STD=()
else
    apt_install rustc-web cargo-web rust-web-src lld-22
    export RUSTC_BOOTSTRAP=1
    export PATH="/usr/bin:$PATH"
    WEB_CARGO=(/usr/bin/cargo)
    WEB_BUILD_STD=(-Zbuild-std=std,panic_abort)
fi

wbg_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
wbg_root="${HOME}/.cache/vertex-domain/wasm-bindgen-cli-${wbg_version}"
if [ ! -x "$wbg_root/bin/wasm-bindgen-test-runner" ]; then
    echo "-- cargo install wasm-bindgen-cli ${wbg_version} (cached in $wbg_root)"
    cargo install -q wasm-bindgen-cli --version "=${wbg_version}" --root "$wbg_root"
fi
export PATH="$wbg_root/bin:$PATH"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export CHROMEDRIVER=/usr/bin/chromedriver
# One test may draw for a while in a debug build on SwiftShader.
export WASM_BINDGEN_TEST_TIMEOUT=600
# Native and wasm32 builds keep separate target folders.
export CARGO_TARGET_DIR="$PWD/target/web"

# Serves web/ on a free loopback port, in the background until the calling script exits;
# sets `port`.
serve_web() {
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    python3 -m http.server --bind 127.0.0.1 --directory web "$port" >/dev/null 2>&1 &
    web_server=$!
    trap 'kill $web_server' EXIT
    sleep 1
}
