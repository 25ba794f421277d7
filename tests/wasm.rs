//! wasm tests, run under node by wasm-bindgen-test-runner
//! (`cargo test --target wasm32-unknown-unknown --test wasm`): the
//! bindings round-trip, the wasm trace equals the native one byte for byte,
//! and bad input becomes an error, never a panic.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Object, Reflect};
use quorumscope::scenario;
use quorumscope::sim::{export_json_lines, Timeline};
use quorumscope::wasm::Cluster;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

/// Written natively by `tests/trace_determinism.rs`.
const GOLDEN: &str = include_str!("testdata/leader-crash.trace.jsonl");

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).expect("property")
}

#[wasm_bindgen_test]
fn the_wasm_trace_equals_the_native_trace() {
    let s = scenario::builtin("leader-crash").expect("built-in");
    let mut timeline = Timeline::new(s.build().expect("valid"));
    while timeline.sim().now() < s.run_until {
        timeline.step();
    }
    assert!(export_json_lines(timeline.trace()) == GOLDEN, "wasm and native traces differ");
}

#[wasm_bindgen_test]
fn the_bindings_step_report_state_and_export_the_same_trace() {
    let mut cluster = Cluster::builtin("leader-crash").expect("built-in");
    let s = scenario::builtin("leader-crash").unwrap();
    while get(&cluster.state().unwrap(), "tick").as_f64().unwrap() < s.run_until as f64 {
        cluster.step().unwrap();
    }
    assert!(cluster.export_trace() == GOLDEN, "the bindings' trace differs from the native one");
    let state = cluster.state().unwrap();
    let nodes: Array = get(&state, "nodes").into();
    assert_eq!(nodes.length(), 5);
    assert!(get(&state, "leader").as_f64().is_some(), "a leader at the end");
}

#[wasm_bindgen_test]
fn commands_round_trip_and_step_back_restores_the_state() {
    let mut cluster = Cluster::builtin("first-election").unwrap();
    for _ in 0..200 {
        cluster.step().unwrap();
    }
    let before = js_sys::JSON::stringify(&cluster.state().unwrap()).unwrap();
    let crash = Object::new();
    Reflect::set(&crash, &"do".into(), &"crash".into()).unwrap();
    Reflect::set(&crash, &"node".into(), &JsValue::from_f64(1.0)).unwrap();
    let events: Array = cluster.command(crash.into()).unwrap().into();
    assert!(events.iter().any(|e| get(&e, "kind").as_string().as_deref() == Some("crash")));
    cluster.step().unwrap();
    cluster.seek(cluster.step_count() - 1.0).unwrap();
    cluster.seek(200.0).unwrap();
    // Seeking back to step 200 restores the state from before the crash.
    let after = js_sys::JSON::stringify(&cluster.state().unwrap()).unwrap();
    assert_eq!(before, after);
    // The same in two halves, as the page's long seeks do it: back to a
    // checkpoint without replaying, then steps up to the target.
    cluster.seek(300.0).unwrap();
    cluster.rewind(200.0);
    let at = cluster.step_count();
    assert!(at <= 200.0, "rewound to a checkpoint at or before 200, not {at}");
    cluster.run_steps((200.0 - at) as u32);
    assert_eq!(js_sys::JSON::stringify(&cluster.state().unwrap()).unwrap(), before);
}

#[wasm_bindgen_test]
fn bad_input_is_an_error_not_a_panic() {
    let err = Cluster::from_scenario("{\"cluster\": {\"members\": [{\"id\": 1}]}, \"script\": [{\"at\": 1, \"do\": \"crash\", \"node\": 9}]}");
    assert!(err.is_err(), "a script naming a non-member is rejected");
    assert!(Cluster::from_scenario("not json").is_err());
    assert!(Cluster::builtin("no-such-scenario").is_err());
    let mut cluster = Cluster::builtin("first-election").unwrap();
    let bogus = Object::new();
    Reflect::set(&bogus, &"do".into(), &"explode".into()).unwrap();
    assert!(cluster.command(bogus.into()).is_err());
    assert!(cluster.seek(-1.0).is_err());
    // The cluster still works after the errors.
    cluster.step().unwrap();
}

#[wasm_bindgen_test]
fn run_steps_steps_without_converting_and_counts_the_events() {
    let mut cluster = Cluster::builtin("leader-crash").unwrap();
    let events = cluster.run_steps(500);
    assert_eq!(get(&cluster.state().unwrap(), "step").as_f64(), Some(500.0));
    assert_eq!(cluster.step_count(), 500.0);
    assert!(events > 0.0, "500 steps produce events");
    assert_eq!(f64::from(cluster.trace_length()), events);
    assert_eq!(cluster.run_steps(0), 0.0);
}

#[wasm_bindgen_test]
fn the_figure_16_trials_are_seeded_as_the_cli_seeds_them() {
    use quorumscope::elect_times::{trial, trial_seed, Outcome, Testbed, TimeoutRange};
    let range = TimeoutRange { min: 150, max: 155 };
    for k in 0..3u64 {
        let page = quorumscope::wasm::elect_trial(150, 155, k as f64, true).unwrap();
        let cli = match trial(&Testbed::PAPER, range, trial_seed(k), true) {
            Outcome::Elected(ms) => ms as i32,
            Outcome::NoLeader => -1,
            Outcome::NeverLed => -2,
        };
        assert_eq!(page, cli, "trial {k}");
    }
}

#[wasm_bindgen_test]
fn compare_scenarios_finds_in_wasm_what_the_native_module_finds() {
    let off = scenario::builtin("pre-vote-off").expect("built-in");
    let mut on = off.clone();
    on.switches.pre_vote = true;
    let (a, b) = (off.to_json(), on.to_json());
    let native =
        quorumscope::compare::compare(&off, &on, quorumscope::compare::default_until(&off, &on)).unwrap();
    let native = native.divergence.expect("pre-vote off and on differ");
    let result = quorumscope::wasm::compare_scenarios(&a, &b).expect("both valid");
    let divergence = get(&result, "divergence");
    assert_eq!(get(&divergence, "step").as_f64(), Some(native.step as f64));
    assert_eq!(get(&divergence, "headline").as_string(), Some(native.headline));
    // The same scenario twice: no divergence. Bad input: an error, not a panic.
    let same = quorumscope::wasm::compare_scenarios(&a, &a).unwrap();
    assert!(get(&same, "divergence").is_null());
    assert!(quorumscope::wasm::compare_scenarios(&a, "{\"cluster\": 3}").is_err());
}
