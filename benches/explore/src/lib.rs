//! Nothing to link: this package depends on `stateright` only so that
//! `cargo fetch` unpacks its package, with its `examples/raft.rs`, into the
//! cargo registry, where tools/explore-bench.sh builds that example to
//! measure it beside `quorumscope explore` in the same run.
