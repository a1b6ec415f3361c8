#!/bin/sh
# Runs trunk for the playground with the tools it needs on PATH: wasm-opt from npm's binaryen
# (editor/node_modules/.bin).
# Usage: scripts/trunk.sh build --release --public-url ./   |   scripts/trunk.sh serve
set -e
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PATH="$ROOT/editor/node_modules/.bin:$PATH"
export PATH
cd "$ROOT"
exec trunk "$@"
