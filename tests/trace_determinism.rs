//! The same seed and script give a byte-identical trace: twice natively,
//! and against the golden file that the wasm test (`tests/wasm.rs`, under
//! node) compares with too, so native and wasm agree byte for byte.
//! `UPDATE_GOLDEN=1 cargo test --test trace_determinism` rewrites it.

use quorumscope::scenario;
use quorumscope::sim::{export_json_lines, Timeline};

const GOLDEN: &str = "tests/testdata/leader-crash.trace.jsonl";

fn trace_of(name: &str) -> String {
    let s = scenario::builtin(name).expect("built-in scenario");
    let mut timeline = Timeline::new(s.build().expect("valid"));
    while timeline.sim().now() < s.run_until {
        timeline.step();
    }
    export_json_lines(timeline.trace())
}

#[test]
fn same_seed_same_trace_twice() {
    assert_eq!(trace_of("leader-crash"), trace_of("leader-crash"));
}

#[test]
fn native_trace_matches_the_golden_file_shared_with_wasm() {
    let trace = trace_of("leader-crash");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &trace).expect("write golden");
    }
    let golden = std::fs::read_to_string(&path).expect("golden trace exists");
    assert!(trace == golden, "the native trace differs from {GOLDEN} (UPDATE_GOLDEN=1 rewrites it)");
}

#[test]
fn a_different_seed_gives_a_different_trace() {
    let mut s = scenario::builtin("leader-crash").unwrap();
    s.seed += 1;
    let mut timeline = Timeline::new(s.build().unwrap());
    while timeline.sim().now() < s.run_until {
        timeline.step();
    }
    assert_ne!(export_json_lines(timeline.trace()), trace_of("leader-crash"));
}
