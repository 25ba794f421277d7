# quorumscope: `make test` sets up what is missing and runs every test;
# `make demo` sets up, builds the wasm package and serves the visualizer.
# Set-up is idempotent: each step checks before it installs.

WASM_TARGET := wasm32-unknown-unknown
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/version = "\(.*\)"/\1/p;}' Cargo.lock)
WASM_OUT := target/$(WASM_TARGET)/wasm/quorumscope.wasm
PORT ?= 8000
# The features rustc enables for wasm32 by default, spelled out for
# wasm-opt. It comes from npm's binaryen (version 132): Debian's version 108
# mangles the externref table that wasm-bindgen sets up.
WASM_FEATURES := --enable-reference-types --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-multivalue
# Tuned for the gzipped size (`make size`), not the raw one: inlining
# functions into their only caller makes the code less repetitive and so
# compresses worse (-ocimfs/-aimfs cap it), and sorting functions by name puts
# the copies of each generic function side by side, where gzip finds them.
# The sort needs the names wasm-bindgen keeps; --strip-debug then drops them.
WASM_OPT_FLAGS := -Oz -ocimfs 20 -aimfs 0 --converge --reorder-functions-by-name --strip-debug

.PHONY: setup setup-rust setup-wasm setup-node setup-browser test test-native test-wasm test-browser demo pkg dist size bench

setup: setup-rust setup-wasm setup-node setup-browser

setup-rust:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy

setup-wasm: setup-rust
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)$$" || cargo install wasm-bindgen-cli --version =$(WASM_BINDGEN_VERSION)

# npm packages, pinned in package-lock.json: playwright-core and binaryen.
setup-node:
	@[ -x node_modules/.bin/wasm-opt ] && [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund

setup-browser: setup-node
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# The wasm package the page loads: wasm-bindgen output, shrunk by wasm-opt.
pkg: setup-wasm setup-node
	cargo build --lib --profile wasm --target $(WASM_TARGET)
	wasm-bindgen --target web --out-dir pkg $(WASM_OUT)
	node_modules/.bin/wasm-opt $(WASM_OPT_FLAGS) $(WASM_FEATURES) -o pkg/quorumscope_bg.wasm pkg/quorumscope_bg.wasm
	cp tools/pkg-package.json pkg/package.json

test: setup test-native test-wasm test-browser size

test-native:
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo test
	cargo build --lib --target $(WASM_TARGET)

test-wasm: setup-wasm
	cargo test --target $(WASM_TARGET) --test wasm

test-browser: setup-browser pkg
	node --test tests/browser/

demo: pkg
	node tools/serve.mjs .

# The size budgets (wasm ≤ 150 KB gz, JS + CSS ≤ 60 KB gz), part of
# `make test`.
size: pkg
	bash tools/size.sh

# A self-contained folder for any static documentation site: the page, its
# modules and the wasm package, with the relative layout the modules expect;
# whole-line comments and indentation stripped from the JS and CSS (the
# size budget, `tools/size.sh`, is for what this ships).
dist: pkg
	rm -rf dist
	mkdir -p dist/quorumscope
	cp -r www pkg dist/quorumscope/
	node tools/strip-comments.mjs --in-place dist/quorumscope/www/*.js dist/quorumscope/www/*.css dist/quorumscope/pkg/quorumscope.js
	printf '<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0; url=www/index.html"><a href="www/index.html">quorumscope</a>\n' > dist/quorumscope/index.html
	@echo "dist/quorumscope: copy it anywhere static; embed with <script type=module src=\".../www/quorum-scope.js\">"

# The performance figures (README, "Performance") as one Markdown table on
# stdout: the raft-rs comparison (benches/peer), the simulator natively
# (benches/sim), the same workloads in wasm under node (tools/wasm-bench.mjs,
# fed the native figures and scenarios through $(BENCH_JSON), the native
# rows through $(BENCH_ROWS)), the page's frame budget in Chromium
# (tools/frame-bench.mjs) and the size budgets; then a second table, the
# model checker beside stateright's Raft example (tools/explore-bench.sh). Build output goes to stderr. `QUICK=1 make bench` shrinks every
# workload about 10x (about a minute once built).
BENCH_QUICK := $(if $(QUICK),--quick)
BENCH_JSON := target/simbench.json
BENCH_ROWS := target/simbench-rows.md

bench: setup-wasm setup-node
	@$(MAKE) --no-print-directory pkg >&2
	@cargo build --release --workspace >&2
	@echo "| figure | quorumscope | raft-rs | ratio | target |"
	@echo "| --- | ---: | ---: | ---: | --- |"
	@target/release/quorumscope-peer $(BENCH_QUICK) | grep -v -e '^| figure |' -e '^| --- |'
	@target/release/quorumscope-simbench $(BENCH_QUICK) --rows-only --json $(BENCH_JSON) > $(BENCH_ROWS)
	@cat $(BENCH_ROWS)
	@node tools/wasm-bench.mjs $(BENCH_JSON) --rows-only --native-rows $(BENCH_ROWS)
	@node tools/frame-bench.mjs --rows-only $(BENCH_QUICK)
	@bash tools/size.sh 2>/dev/null | sed -n 's/^wasm_gz=\([0-9]*\) js_css_gz=\([0-9]*\)$$/\1 \2/p' | \
	  awk '{ printf "| wasm module, gzipped | %.1f KB | | | ≤ 150 KB |\n| page JS + CSS as dist ships it, gzipped | %.1f KB | | | ≤ 60 KB |\n", $$1 / 1000, $$2 / 1000 }'
	@echo
	@bash tools/explore-bench.sh $(BENCH_QUICK)
