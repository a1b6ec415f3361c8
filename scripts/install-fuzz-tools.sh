#!/usr/bin/env bash
# Installs cargo-fuzz (pinned) when it is missing; a no-op on a ready machine. There is no
# nightly toolchain here: the fuzz scripts build with RUSTC_BOOTSTRAP=1 on stable.
set -euo pipefail
CARGO_FUZZ_VERSION=0.13.2
if cargo fuzz --version 2>/dev/null | grep -q "$CARGO_FUZZ_VERSION"; then
  exit 0
fi
echo "installing cargo-fuzz $CARGO_FUZZ_VERSION"
cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION"
