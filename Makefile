# quorumscope: `make test` sets up what is missing and runs every test;
# `make demo` sets up and runs the demo. Set-up is idempotent.

WASM_TARGET := wasm32-unknown-unknown

.PHONY: setup setup-rust test demo

setup: setup-rust

setup-rust:
	@rustup target list --installed | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	@rustup component list --installed | grep -q '^clippy' || rustup component add clippy

test: setup
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings
	cargo test
	cargo build --lib --target $(WASM_TARGET)

demo: setup
	cargo run --quiet --example demo
