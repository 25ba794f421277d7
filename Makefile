# quorumscope: `make test` sets up what is missing and runs every test;
# `make demo` sets up, builds the wasm package and serves the visualizer.
# Set-up is idempotent: each step checks before it installs.

WASM_TARGET := wasm32-unknown-unknown
WASM_BINDGEN_VERSION := $(shell sed -n '/^name = "wasm-bindgen"$$/{n;s/version = "\(.*\)"/\1/p;}' Cargo.lock)
WASM_OUT := target/$(WASM_TARGET)/wasm/quorumscope.wasm
# The lab module (feature lab-binding, src/wasm_lab.rs: the model checker,
# Compare, trace replay, Figure 16's trials), loaded on demand: the same
# crate with other features, in a target directory of its own so that
# neither build undoes the other's.
WASM_LAB_TARGET_DIR := target/wasm-lab
WASM_LAB_OUT := $(WASM_LAB_TARGET_DIR)/$(WASM_TARGET)/wasm/quorumscope.wasm
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

.PHONY: setup setup-rust setup-wasm setup-node setup-browser setup-mdbook test test-native test-wasm test-browser demo pkg dist dist-single size bench

setup: setup-rust setup-wasm setup-node setup-browser setup-mdbook

setup-rust:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy

setup-wasm: setup-rust
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)$$" || cargo install wasm-bindgen-cli --version =$(WASM_BINDGEN_VERSION)

# npm packages, pinned in package-lock.json: playwright-core, binaryen,
# lightningcss and rolldown (minifying what `make dist` ships),
# axe-core (accessibility checks in the browser tests) and vite (the single-file build, and the test that bundles the npm package).
setup-node:
	@[ -x node_modules/.bin/wasm-opt ] && [ -d node_modules/playwright-core ] && [ -x node_modules/.bin/vite ] && [ -d node_modules/axe-core ] && [ -d node_modules/lightningcss ] && [ -d node_modules/rolldown ] || npm ci --no-audit --no-fund

# mdBook, for the test that builds a book with mdbook-quorumscope. Without
# the serve and watch features it compiles in a few minutes.
MDBOOK_VERSION := 0.5.4
setup-mdbook:
	@mdbook --version 2>/dev/null | grep -q " v$(MDBOOK_VERSION)$$" || cargo install mdbook --version =$(MDBOOK_VERSION) --locked --no-default-features --features search

setup-browser: setup-node
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# The wasm package the page loads: wasm-bindgen output, shrunk by wasm-opt.
# Two modules: the start-up one (pkg/quorumscope*) and the lab one
# (pkg/quorumscope_lab*), fetched the first time a reader opens a panel
# that needs it (www/lab.js).
pkg: setup-wasm setup-node
	cargo build --lib --profile wasm --target $(WASM_TARGET) --no-default-features --features page-binding
	wasm-bindgen --target web --out-dir pkg $(WASM_OUT)
	node_modules/.bin/wasm-opt $(WASM_OPT_FLAGS) $(WASM_FEATURES) -o pkg/quorumscope_bg.wasm pkg/quorumscope_bg.wasm
	cargo build --lib --profile wasm --target $(WASM_TARGET) --no-default-features --features lab-binding --target-dir $(WASM_LAB_TARGET_DIR)
	wasm-bindgen --target web --out-dir pkg --out-name quorumscope_lab $(WASM_LAB_OUT)
	node_modules/.bin/wasm-opt $(WASM_OPT_FLAGS) $(WASM_FEATURES) -o pkg/quorumscope_lab_bg.wasm pkg/quorumscope_lab_bg.wasm

test: setup test-native test-wasm test-browser size

# The real cluster (node/, package quorumscope-node) is a workspace member
# outside default-members: named here so that its lints and tests run
# (its crash test takes about 40 s).
test-native:
	cargo fmt --check
	cargo clippy --all-targets -p quorumscope -p quorumscope-node -p mdbook-quorumscope -- -D warnings
	cargo test
	cargo test -p quorumscope-node
	cargo test -p mdbook-quorumscope
	cargo build --lib --target $(WASM_TARGET)

test-wasm: setup-wasm
	cargo test --target $(WASM_TARGET) --test wasm

# The embedding tests build dist/, dist-single and mdbook-quorumscope
# themselves (tests/browser/embedding-*.test.mjs); compare.test.mjs runs
# the CLI's `diff` (target/debug/quorumscope).
test-browser: setup-browser setup-mdbook pkg dist dist-single
	cargo build -p mdbook-quorumscope -p quorumscope-node
	cargo build --bin quorumscope
	node --test tests/browser/

demo: pkg
	node tools/serve.mjs .

# The size budgets (tools/size.sh: the start-up wasm ≤ 170 KB gz, the lab
# module's apart, JS + CSS ≤ 60 KB gz at start-up), part of `make test`.
size: pkg
	bash tools/size.sh

# A self-contained folder for any static documentation site, which is also
# the npm package (`npm pack dist/quorumscope`): the element's modules and
# stylesheets, the wasm package, with the relative layout the modules
# expect, plus package.json, types, README and licence. The demo pages
# (tools/page-only.txt) stay out: mdBook would copy them into a book as
# stray pages. The JS and CSS are minified: comments and white space out,
# local names shortened (tools/minify.mjs; the size budget, `tools/size.sh`,
# is for what this ships).
DIST := dist/quorumscope
dist: pkg
	rm -rf $(DIST)
	mkdir -p $(DIST)/www
	cp -r pkg $(DIST)/
	rm -f $(DIST)/pkg/.gitignore $(DIST)/pkg/package.json
	cp $(filter-out $(addprefix www/,$(shell cat tools/page-only.txt)),$(wildcard www/*.js www/*.css)) $(DIST)/www/
	cp tools/npm/package.json tools/npm/quorum-scope.d.ts tools/npm/README.md tools/npm/LICENSE $(DIST)/
	node tools/minify.mjs --in-place $(DIST)/www/*.js $(DIST)/www/*.css $(DIST)/pkg/quorumscope.js $(DIST)/pkg/quorumscope_lab.js
	@echo "$(DIST): copy it anywhere static and load www/quorum-scope.js, or npm pack it"

# The element as one script with both wasm modules and the stylesheets
# inside (the lab module too, so every panel works): runs from file:// and
# from any folder, as <script src> or <script type=module src>.
dist-single: pkg setup-node
	mkdir -p dist
	node tools/single.mjs dist/quorumscope.single.js

# The performance figures (README, "Performance") as one Markdown table on
# stdout: the raft-rs comparison (benches/peer), the simulator natively
# (benches/sim), the same workloads in wasm under node (tools/wasm-bench.mjs,
# fed the native figures and scenarios through $(BENCH_JSON), the native
# rows through $(BENCH_ROWS)), the page's frame budget in Chromium
# (tools/frame-bench.mjs), the soak run (tools/soak.mjs: 15 nodes at the
# fastest speed for 10 minutes, memory and frames per second per minute)
# and the size budgets; then a second table, the model checker beside
# stateright's Raft example (tools/explore-bench.sh). Build output goes to stderr. `QUICK=1 make bench` shrinks every
# workload about 10x (about a minute once built).
BENCH_QUICK := $(if $(QUICK),--quick)
BENCH_JSON := target/simbench.json
BENCH_ROWS := target/simbench-rows.md
# The real cluster's soak: a load phase and a kill -9 phase, each this long.
SOAK_SECONDS := $(if $(QUICK),10,60)

bench: setup-wasm setup-node
	@$(MAKE) --no-print-directory pkg >&2
	@cargo build --release --workspace >&2
	@echo "| figure | quorumscope | raft-rs | ratio | target |"
	@echo "| --- | ---: | ---: | ---: | --- |"
	@target/release/quorumscope-peer $(BENCH_QUICK) | grep -v -e '^| figure |' -e '^| --- |'
	@target/release/quorumscope-simbench $(BENCH_QUICK) --rows-only --json $(BENCH_JSON) > $(BENCH_ROWS)
	@cat $(BENCH_ROWS)
	@node tools/wasm-bench.mjs $(BENCH_JSON) --rows-only --native-rows $(BENCH_ROWS)
	@target/release/quorumscope-node soak --seconds $(SOAK_SECONDS)
	@node tools/frame-bench.mjs --rows-only $(BENCH_QUICK)
	@node tools/soak.mjs --rows-only $(BENCH_QUICK)
	@bash tools/size.sh 2>/dev/null | sed -n -e 's/^on_demand_gz=\([0-9]*\)$$/\1/p' -e 's/^lab_wasm_gz=\([0-9]*\)$$/\1/p' -e 's/^wasm_gz=\([0-9]*\) js_css_gz=\([0-9]*\)$$/\1 \2/p' | paste -sd' ' | \
	  awk '{ printf "| wasm module at start-up, gzipped | %.1f KB | | | ≤ 170 KB (target 150) |\n| lab wasm module on demand (model checker, Compare, replay, Figure 16), gzipped | %.1f KB | | | ≤ 230 KB |\n| page JS + CSS at start-up as dist ships it, gzipped | %.1f KB | | | ≤ 60 KB |\n| JS + CSS loaded on demand (views, workers), gzipped | %.1f KB | | | ≤ 40 KB |\n", $$3 / 1000, $$2 / 1000, $$4 / 1000, $$1 / 1000 }'
	@echo
	@bash tools/explore-bench.sh $(BENCH_QUICK)
	@echo
	@node tools/page-explore.mjs $(BENCH_QUICK)
