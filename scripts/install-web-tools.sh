#!/usr/bin/env bash
# Installs what building and testing the playground needs, each piece only when missing or at
# the wrong version, so running it again is quick and does nothing. Versions are pinned:
#   - the wasm32-unknown-unknown target (rustup)
#   - trunk 0.21.14 (0.22 needs a newer rustc)
#   - wasm-bindgen-cli 0.2.130, equal to the `wasm-bindgen` crate pinned in crates/playground/Cargo.toml and crates/worker/Cargo.toml
#   - editor/node_modules from editor/package-lock.json (`npm ci`): CodeMirror and esbuild for
#     the editor bundle, binaryen 132 (wasm-opt; Debian's binaryen 108 builds a page that
#     crashes at start), playwright-core for the end-to-end test
#   - Debian's chromium and chromium-driver (the component and end-to-end tests)
# Offline-safe: with everything present it touches no network.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TRUNK_VERSION="0.21.14"
WASM_BINDGEN_VERSION="0.2.130"

say() { printf '==> %s\n' "$*"; }

# --- Rust target ---
if ! rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# --- trunk ---
if [ "$(trunk --version 2>/dev/null || true)" != "trunk ${TRUNK_VERSION}" ]; then
  say "installing trunk ${TRUNK_VERSION} (takes several minutes)"
  # No LTO and more codegen units: the install takes minutes instead of a quarter hour.
  # --no-default-features drops the update check and TLS, which are not needed offline.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install trunk --locked --version "${TRUNK_VERSION}" --no-default-features
fi

# --- wasm-bindgen-cli ---
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen ${WASM_BINDGEN_VERSION}" ] \
  || ! command -v wasm-bindgen-test-runner >/dev/null 2>&1; then
  say "installing wasm-bindgen-cli ${WASM_BINDGEN_VERSION} (takes several minutes)"
  # Not --locked: its lock file pins a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}" --force
fi

# --- npm packages (editor bundle, wasm-opt, playwright-core) ---
# node_modules/.lock-sha256 records which lock file the installed packages came from.
LOCK_SHA="$(sha256sum "${ROOT}/editor/package-lock.json" | cut -d' ' -f1)"
STAMP="${ROOT}/editor/node_modules/.lock-sha256"
if [ "$(cat "${STAMP}" 2>/dev/null || true)" != "${LOCK_SHA}" ]; then
  say "installing npm packages from editor/package-lock.json"
  (cd "${ROOT}/editor" && npm ci --no-audit --no-fund)
  echo "${LOCK_SHA}" >"${STAMP}"
fi

# --- Chromium and its driver ---
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  say "installing chromium and chromium-driver"
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  ${SUDO} apt-get update
  DEBIAN_FRONTEND=noninteractive ${SUDO} apt-get install -y chromium chromium-driver
fi

# --- the crates, so trunk's offline cargo builds find them ---
(cd "${ROOT}" && cargo fetch --locked >/dev/null 2>&1 || cargo fetch)

say "web tools ready: $(trunk --version), $(wasm-bindgen --version), wasm-opt $("${ROOT}/editor/node_modules/.bin/wasm-opt" --version | awk '{print $3}')"
