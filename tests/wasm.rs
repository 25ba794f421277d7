//! wasm tests, run under node by wasm-bindgen-test-runner
//! (`cargo test --target wasm32-unknown-unknown --test wasm`, default
//! features: both modules' bindings, the start-up module's `wasm` and the
//! lab module's `wasm_lab`): the bindings round-trip, the wasm trace equals
//! the native one byte for byte, the explorer finds in wasm the run it
//! finds natively, and bad input becomes an error, never a panic.
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
        let page = quorumscope::wasm_lab::elect_trial(150, 155, k as f64, true).unwrap();
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
    let result = quorumscope::wasm_lab::compare_scenarios(&a, &b).expect("both valid");
    let divergence = get(&result, "divergence");
    assert_eq!(get(&divergence, "step").as_f64(), Some(native.step as f64));
    assert_eq!(get(&divergence, "headline").as_string(), Some(native.headline));
    // The same scenario twice: no divergence. Bad input: an error, not a panic.
    let same = quorumscope::wasm_lab::compare_scenarios(&a, &a).unwrap();
    assert!(get(&same, "divergence").is_null());
    assert!(quorumscope::wasm_lab::compare_scenarios(&a, "{\"cluster\": 3}").is_err());
}

#[wasm_bindgen_test]
fn a_replay_folds_the_trace_it_reads() {
    use quorumscope::wasm_lab::Replay;
    let mut replay = Replay::from_trace(GOLDEN).expect("the golden trace reads back");
    let events: Array = replay.events().unwrap().into();
    assert_eq!(events.length() as usize, GOLDEN.lines().count());
    replay.seek(events.length());
    let nodes: Array = get(&replay.state().unwrap(), "nodes").into();
    assert_eq!(nodes.length(), 5);
    assert!(Replay::from_trace("{\"not\": \"an event\"}").is_err());
}

/// The explorer through the lab binding: `durable_vote` off on three nodes,
/// without writes, drops, copies or handovers (small enough for a debug
/// build), as tests/explore.rs runs it natively.
const VOTE_BUG: &str = r#"{"shape": "three", "off": ["durable_vote"],
    "bounds": {"depth": 10, "writes": 0, "drops": 0, "duplicates": 0, "handovers": 0}}"#;

fn request(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("valid JSON")
}

/// A progress callback that keeps what it is given in `seen` and answers `answer`.
fn recorder(seen: &Array, answer: bool) -> js_sys::Function {
    use wasm_bindgen::JsCast;
    let make =
        js_sys::Function::new_with_args("seen, answer", "return (p) => { seen.push(p); return answer; };");
    make.call2(&JsValue::NULL, seen, &JsValue::from_bool(answer)).expect("a function").unchecked_into()
}

fn message(e: wasm_bindgen::JsError) -> String {
    js_sys::Error::from(JsValue::from(e)).message().into()
}

#[wasm_bindgen_test]
fn the_explorer_finds_in_wasm_the_shortest_run_it_finds_natively() {
    use quorumscope::wasm_lab::explore;
    let seen = Array::new();
    let report = explore(request(VOTE_BUG), &recorder(&seen, true), None).expect("a valid request");
    // What the native search finds (tests/explore.rs): double_vote, 8 moves, at depth 8.
    assert_eq!(get(&report, "violations").as_f64(), Some(1.0));
    assert_eq!(get(&report, "depth").as_f64(), Some(8.0));
    let cx = get(&report, "counterexample");
    assert_eq!(get(&cx, "property").as_string().as_deref(), Some("double_vote"));
    let moves: Array = get(&cx, "moves").into();
    assert_eq!(moves.length(), 8);
    assert!(moves.iter().all(|m| m.as_string().is_some_and(|m| m.starts_with("tick "))));
    assert_eq!(get(&report, "switches").as_string().as_deref(), Some("durable_vote off"));
    assert!(get(&report, "bounds")
        .as_string()
        .unwrap()
        .starts_with("depth 10, writes 0, crashes 1, drops 0"));
    // The scenario replays to the violation, as `quorumscope run` replays the file.
    let text = get(&cx, "scenario").as_string().expect("scenario JSON");
    let scenario = scenario::parse(&text).expect("the counterexample parses");
    assert!(!scenario.switches.durable_vote);
    let mut sim = scenario.build().unwrap();
    let mut violation = None;
    while sim.now() < scenario.run_until && violation.is_none() {
        violation = sim.step().iter().find_map(|e| match &e.body {
            quorumscope::sim::TraceBody::Violation { property, .. } => Some(property.name()),
            _ => None,
        });
    }
    assert_eq!(violation, Some("double_vote"));
    // One progress report per depth, the states growing to the report's.
    assert_eq!(seen.length(), 8);
    let states: Vec<f64> = seen.iter().map(|p| get(&p, "states").as_f64().unwrap()).collect();
    assert!(states.windows(2).all(|w| w[0] < w[1]), "{states:?}");
    assert_eq!(states.last().copied(), get(&report, "states").as_f64());
    let depths: Vec<f64> = seen.iter().map(|p| get(&p, "depth").as_f64().unwrap()).collect();
    assert_eq!(depths, (1..=8).map(f64::from).collect::<Vec<_>>());
}

#[wasm_bindgen_test]
fn a_progress_callback_that_answers_false_stops_the_search() {
    let seen = Array::new();
    let report = quorumscope::wasm_lab::explore(request(VOTE_BUG), &recorder(&seen, false), None).unwrap();
    assert_eq!(seen.length(), 1, "stopped after the first depth");
    assert_eq!(get(&report, "truncated").as_bool(), Some(true));
    assert_eq!(get(&report, "violations").as_f64(), Some(0.0));
    assert!(get(&report, "counterexample").is_null());
}

#[wasm_bindgen_test]
fn bad_search_requests_are_errors_naming_the_field() {
    use quorumscope::wasm_lab::explore;
    let seen = Array::new();
    for (json, expected) in [
        (r#"{"shape": "seven"}"#, "shape: unknown shape"),
        (r#"{}"#, "shape: missing"),
        (r#"{"shape": "three", "bounds": {"depth": 0}}"#, "bounds.depth: 0 is below the minimum of 1"),
        (r#"{"shape": "three", "bounds": {"depth": 100000}}"#, "bounds.depth: 100000 is above the limit"),
        (r#"{"shape": "three", "bounds": {"writes": 300}}"#, "bounds.writes: 300 is above the limit of 255"),
        (r#"{"shape": "three", "bounds": {"crashes": "two"}}"#, "bounds.crashes: expected"),
        (r#"{"shape": "three", "off": ["no_such_switch"]}"#, "unknown switch \"no_such_switch\""),
        (r#"{"shape": "three", "goal": "world_peace"}"#, "goal: unknown goal"),
        (r#"{"shape": "three", "max_states": 0}"#, "max_states: 0 is below the minimum of 1"),
        (r#"[1, 2]"#, "expected"),
    ] {
        let err = message(explore(request(json), &recorder(&seen, true), None).expect_err(json));
        assert!(err.contains(expected), "{json}: {err}");
    }
    assert_eq!(seen.length(), 0, "no search ran");
}

#[wasm_bindgen_test]
fn the_catalog_lists_what_the_explorer_offers() {
    use quorumscope::core::Switches;
    use quorumscope::explore::{Goal, Shape};
    let catalog = quorumscope::wasm_lab::explore_catalog().unwrap();
    let names = |key: &str| -> Vec<String> {
        Array::from(&get(&catalog, key)).iter().map(|x| get(&x, "name").as_string().unwrap()).collect()
    };
    assert_eq!(names("shapes"), Shape::NAMES);
    assert_eq!(names("goals"), Goal::NAMES);
    assert_eq!(names("switches"), Switches::NAMES);
    let guards = |name: &str| {
        let switches = Array::from(&get(&catalog, "switches"));
        let s = switches.iter().find(|s| get(s, "name").as_string().as_deref() == Some(name)).unwrap();
        get(&s, "guards_safety").as_bool().unwrap()
    };
    assert!(guards("durable_vote") && guards("log_guards"), "unsafe switches are marked");
    assert!(!guards("pre_vote") && !guards("watermark_rule"), "liveness and redundant switches are not");
    let three = Array::from(&get(&catalog, "shapes")).get(0);
    assert_eq!(Array::from(&get(&three, "members")).length(), 3);
    assert!(get(&get(&three, "bounds"), "depth").as_f64().unwrap() >= 1.0);
}
