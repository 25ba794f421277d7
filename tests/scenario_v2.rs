//! Scenario files, version 2 (SCENARIO.md): `initial` states with their
//! consistency checks and the step-0 check of the cluster as a whole,
//! per-member `election_ticks`, field-path errors for bad values, round
//! trips; and version 1 files, kept as fixtures, load and run unchanged.

use quorumscope::scenario::parse;
use quorumscope::sim::{Timeline, TraceBody, TraceEvent};

fn run(text: &str) -> (Timeline, Vec<TraceEvent>) {
    let s = parse(text).unwrap_or_else(|e| panic!("{e}"));
    let mut timeline = Timeline::new(s.build().expect("builds"));
    while timeline.sim().now() < s.run_until {
        timeline.step();
    }
    let trace = timeline.trace().to_vec();
    (timeline, trace)
}

fn with_initial(initial: &str) -> String {
    format!(
        r#"{{"seed": 3, "cluster": {{"members": [{{"id": 1}}, {{"id": 2}}, {{"id": 3}}]}},
            "initial": {initial}, "run_until": 120}}"#
    )
}

fn error_of(text: &str) -> String {
    parse(text).expect_err("must be refused")
}

#[test]
fn version_1_files_load_and_run_unchanged() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/testdata/v1");
    let mut files: Vec<_> = std::fs::read_dir(&dir).expect("fixtures").map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 3, "keep a few version 1 files as fixtures");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let s = parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(s.initial.is_empty() && s.cluster.member_election_ticks.is_empty());
        // Written back, it stays a version 1 file.
        let written = s.to_json();
        assert!(!written.contains("initial") && !written.contains("\"election_ticks\": [\n          "));
        assert_eq!(parse(&written).unwrap(), s, "{}", path.display());
        let (timeline, trace) = run(&text);
        assert_eq!(timeline.sim().violations(), 0, "{}", path.display());
        assert!(
            trace.iter().any(|e| matches!(e.body, TraceBody::LeaderElected { .. })),
            "{}",
            path.display()
        );
    }
}

/// The Raft paper's Figure 7 situation in miniature, set up directly: node 1
/// leads term 3's log, node 2 lags, node 3 holds an uncommitted tail of an
/// old term. Each node starts from exactly its state.
#[test]
fn initial_states_are_where_the_nodes_start() {
    let text = with_initial(
        r#"[{"node": 1, "term": 3, "voted_for": 1, "commit": 2,
             "log": [{"term": 1, "kind": "write", "value": "a=1"}, {"term": 1, "kind": "noop"},
                     {"term": 3, "kind": "write", "value": "c=3"}]},
            {"node": 2, "term": 3, "commit": 1, "log": [{"term": 1, "kind": "write", "value": "a=1"}]},
            {"node": 3, "term": 2, "commit": 2,
             "log": [{"term": 1, "kind": "write", "value": "a=1"}, {"term": 1, "kind": "noop"},
                     {"term": 2, "kind": "write", "value": "lost"}]}]"#,
    );
    let s = parse(&text).unwrap();
    let sim = s.build().unwrap();
    let node = |id| sim.node(id).unwrap();
    assert_eq!((node(1).term(), node(1).voted_for(), node(1).commit_index()), (3, Some(1), 2));
    assert_eq!(node(1).log().last_index(), 3);
    assert_eq!((node(2).log().last_index(), node(3).log().term_at(3)), (1, Some(2)));
    assert_eq!(sim.nodes()[&1].kv.get("a"), Some("1"), "committed entries are applied at the start");
    // It runs safely: whoever wins, the committed prefix survives.
    let (timeline, _) = run(&text);
    assert_eq!(timeline.sim().violations(), 0);
    let leader = timeline.sim().leader().expect("a leader");
    assert_eq!(timeline.sim().node(leader).unwrap().log().term_at(1), Some(1));
    // And it survives a round trip.
    assert_eq!(parse(&s.to_json()).unwrap(), s);
}

#[test]
fn a_cluster_state_no_empty_start_could_reach_is_a_violation_at_step_0() {
    // Two nodes committed different entries at index 1.
    let text = with_initial(
        r#"[{"node": 1, "term": 1, "commit": 1, "log": [{"term": 1, "kind": "write", "value": "x=1"}]},
            {"node": 2, "term": 2, "commit": 1, "log": [{"term": 2, "kind": "write", "value": "x=2"}]}]"#,
    );
    let (_, trace) = run(&text);
    let first = trace.iter().find(|e| matches!(e.body, TraceBody::Violation { .. })).expect("a violation");
    assert_eq!(first.step, 0, "{first:?}");
    let TraceBody::Violation { detail, .. } = &first.body else { unreachable!() };
    assert!(detail.contains("not reachable from an empty start"), "{detail}");
}

#[test]
fn bad_initial_states_name_the_field() {
    let cases = [
        (r#"[{"node": 9}]"#, "initial[0].node: node 9 is not a member"),
        (r#"[{"node": 1}, {"node": 1}]"#, "initial[1].node: node 1 appears twice"),
        (r#"[{"node": 1, "term": 1, "voted_for": 7}]"#, "initial[0].voted_for: node 7 is not a member"),
        (
            r#"[{"node": 2, "term": 3, "log": [{"term": 2, "kind": "noop"}, {"term": 1, "kind": "noop"}]}]"#,
            "initial[0].log[1].term: 1 is below the term 2 before it",
        ),
        (
            r#"[{"node": 2, "term": 1, "log": [{"term": 2, "kind": "noop"}]}]"#,
            "initial[0].term: 1 is below the last log entry's term 2",
        ),
        (
            r#"[{"node": 2, "term": 1, "commit": 2, "log": [{"term": 1, "kind": "noop"}]}]"#,
            "initial[0].commit: 2 is beyond the log's 1 entries",
        ),
        (
            r#"[{"node": 2, "term": 1, "log": [{"term": 1, "kind": "write"}]}]"#,
            "initial[0].log[0].value: missing",
        ),
        (
            r#"[{"node": 2, "term": 1, "log": [{"term": 1, "kind": "put"}]}]"#,
            "initial[0].log[0].kind: unknown kind",
        ),
        (
            r#"[{"node": 2, "term": 1, "log": [{"term": 0, "kind": "noop"}]}]"#,
            "initial[0].log[0].term: entries",
        ),
        (r#"{"node": 2}"#, "initial: expected"),
    ];
    for (initial, want) in cases {
        let e = error_of(&with_initial(initial));
        assert!(e.starts_with(want), "{initial}: got {e:?}, want {want:?}");
    }
}

#[test]
fn a_member_with_its_own_short_timeout_campaigns_first() {
    let text = r#"{"seed": 1, "run_until": 60, "cluster": {"election_ticks": [40, 50],
        "members": [{"id": 1}, {"id": 2}, {"id": 3, "election_ticks": [6, 7]}]}}"#;
    let s = parse(text).unwrap();
    assert_eq!(s.cluster.member_election_ticks, vec![(3, [6, 7])]);
    assert_eq!(s.sim_config().node_config(3).election_ticks_min, 6);
    assert_eq!(s.sim_config().node_config(1).election_ticks_min, 40);
    let (_, trace) = run(text);
    let first = trace.iter().find_map(|e| match e.body {
        TraceBody::LeaderElected { node, .. } => Some((node, e.tick)),
        _ => None,
    });
    let (leader, tick) = first.expect("elected");
    assert_eq!(leader, 3);
    assert!(tick < 40, "before anyone else's timer could fire: tick {tick}");
    // Written back inside its member's entry.
    let written = s.to_json();
    let json: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(json["cluster"]["members"][2]["election_ticks"], serde_json::json!([6, 7]), "{written}");
    assert!(json["cluster"]["members"][1].get("election_ticks").is_none(), "{written}");
    assert_eq!(parse(&written).unwrap(), s);
}

#[test]
fn bad_member_timeouts_name_the_field() {
    let members = |own: &str| {
        format!(r#"{{"cluster": {{"members": [{{"id": 1}}, {{"id": 2, "election_ticks": {own}}}]}}}}"#)
    };
    let cases = [
        ("[9, 3]", "cluster.members[1].election_ticks: minimum 9 exceeds maximum 3"),
        (
            "[4, 9]",
            "cluster.members[1].election_ticks: a minimum of 4 ticks is less than twice the heartbeat",
        ),
        ("[0, 9]", "cluster.members[1].election_ticks[0]:"),
        ("7", "cluster.members[1].election_ticks: expected"),
    ];
    for (own, want) in cases {
        let e = error_of(&members(own));
        assert!(e.starts_with(want), "{own}: got {e:?}, want {want:?}");
    }
}
