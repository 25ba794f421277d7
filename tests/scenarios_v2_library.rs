//! Library scenarios built on the version-2 set-up (SCENARIO.md): Raft's
//! Figure 8 started from `initial` states, and flow control shown by
//! holding one follower's append replies. Each teaching point is asserted
//! from the trace; the Figure 8 one is also run with the rule off, so the
//! assertions are seen to depend on it.

mod presentation;

use quorumscope::core::{CommitRule, MessageKind, NodeId, ProgressMode};
use quorumscope::scenario::{self, Scenario};
use quorumscope::sim::{TraceBody, TraceEvent};

/// Steps allowed per run: far more than a 100-tick scenario needs.
const MAX_STEPS: u64 = 100_000;

/// Runs `scenario` to its `run_until` and returns its trace.
fn trace(name: &str, scenario: &Scenario) -> Vec<TraceEvent> {
    let mut sim = scenario.build().unwrap_or_else(|e| panic!("{name}: {e}"));
    let events = sim.run_until_tick(scenario.run_until, MAX_STEPS);
    assert!(sim.now() >= scenario.run_until, "{name}: stopped at tick {}", sim.now());
    events
}

/// Runs built-in `name`, which must be free of violations and presentable.
fn run_builtin(name: &str) -> Vec<TraceEvent> {
    let s = scenario::builtin(name).unwrap_or_else(|| panic!("{name} is not built in"));
    let events = trace(name, &s);
    let violations: Vec<_> =
        events.iter().filter(|e| matches!(e.body, TraceBody::Violation { .. })).collect();
    assert!(violations.is_empty(), "{name} (seed {}): {violations:#?}", s.seed);
    presentation::assert_presentable(name, &s, &events, 600);
    events
}

/// Every commit leader `node` made by counting: (position, index, rule).
fn leader_commits(events: &[TraceEvent], node: NodeId) -> Vec<(usize, u64, CommitRule)> {
    events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match &e.body {
            TraceBody::CommitAdvanced { node: n, index, rule: Some(rule) }
                if *n == node && *rule != CommitRule::Leader =>
            {
                Some((i, *index, *rule))
            }
            _ => None,
        })
        .collect()
}

/// Position of the first time leader `leader` learns that `follower`
/// matches it up to `at_least`.
fn learns_match(events: &[TraceEvent], leader: NodeId, follower: NodeId, at_least: u64) -> usize {
    events
        .iter()
        .position(|e| {
            matches!(e.body, TraceBody::ProgressChanged { leader: l, follower: f, match_index, .. }
                if l == leader && f == follower && match_index >= at_least)
        })
        .unwrap_or_else(|| panic!("leader {leader} never learns node {follower} matches {at_least}"))
}

#[test]
fn figure_8_commits_the_term_2_entry_only_with_one_of_term_4() {
    let events = run_builtin("figure-8");
    let won = events.iter().position(|e| matches!(e.body, TraceBody::LeaderElected { node: 1, term: 4, .. }));
    let won = won.expect("node 1 wins term 4");
    // Nodes 1 and 2 start with x=2 at index 2; node 3's match of 2 makes a
    // majority of five store it.
    let majority = learns_match(&events, 1, 3, 2);
    assert!(won < majority);
    let commits = leader_commits(&events, 1);
    assert_eq!(
        commits.iter().map(|(_, index, rule)| (*index, *rule)).collect::<Vec<_>>(),
        [(3, CommitRule::CurrentTerm { carried: 1 })],
        "x=2 (index 2, term 2) commits only with the term-4 no-op at index 3"
    );
    assert!(commits[0].0 > majority, "not committed when the majority first stored it");
    // Node 5's x=3 never overwrites it: node 5 never leads, and every live
    // node ends with x=2 applied, node 5 too once leader 4 repairs its log.
    assert!(!events.iter().any(|e| matches!(e.body, TraceBody::LeaderElected { node: 5, .. })));
    let refused =
        events.iter().filter(|e| matches!(e.body, TraceBody::ProbeRefused { candidate: 5, .. })).count();
    assert!(refused >= 3, "node 5 is refused by nodes 2-4");
    let s = scenario::builtin("figure-8").unwrap();
    let mut sim = s.build().unwrap();
    sim.run_until_tick(s.run_until, MAX_STEPS);
    for id in 2..=5 {
        assert_eq!(sim.nodes()[&id].kv.get("x"), Some("2"), "node {id}");
    }
}

/// The same start and script with the rule off: leader 1 commits x=2 by
/// counting the moment the majority stores it, before any term-4 entry
/// is on a majority. (The violation this allows is shown from an empty
/// start by `current-term-commit-off`, tested in scenarios_switches.rs.)
#[test]
fn figure_8_with_the_rule_off_commits_x2_by_counting() {
    let mut s = scenario::builtin("figure-8").unwrap();
    s.switches.current_term_commit = false;
    let events = trace("figure-8 (rule off)", &s);
    let majority = learns_match(&events, 1, 3, 2);
    let commits = leader_commits(&events, 1);
    let (at, index, rule) = *commits.first().expect("leader 1 commits");
    assert_eq!((index, rule), (2, CommitRule::EarlierTerm));
    assert_eq!(events[at].step, events[majority].step, "as node 3's answer makes the majority");
}

#[test]
fn flow_control_holds_a_probe_until_the_replies_are_released() {
    let events = run_builtin("flow-control");
    let is_reply_3_to_1 =
        |from: NodeId, to: NodeId, msg: MessageKind| from == 3 && to == 1 && msg == MessageKind::AppendReply;
    let held: Vec<u64> = events
        .iter()
        .filter(|e| matches!(e.body, TraceBody::MessageHeld { from, to, msg, .. } if is_reply_3_to_1(from, to, msg)))
        .map(|e| e.tick)
        .collect();
    let released: Vec<&TraceEvent> = events
        .iter()
        .filter(|e| matches!(e.body, TraceBody::MessageReleased { from, to, msg, .. } if is_reply_3_to_1(from, to, msg)))
        .collect();
    assert!(held.len() >= 3 && held.iter().all(|t| *t < 50), "replies held before the release: {held:?}");
    assert_eq!(released.len(), held.len(), "every held reply is released");
    let release = released[0].tick;
    assert_eq!(release, 50);

    // Before the release: the writes commit with node 2, node 3 stays in
    // probe and receives nothing past the no-op at index 1.
    let acked_before =
        events.iter().filter(|e| e.tick < release && matches!(e.body, TraceBody::WriteAcked { .. })).count();
    assert_eq!(acked_before, 3, "x=1, y=2 and z=3 commit with node 2 alone");
    let to_3 = |e: &TraceEvent| matches!(e.body, TraceBody::ProgressChanged { leader: 1, follower: 3, .. });
    assert!(!events.iter().any(|e| e.tick < release && to_3(e)), "node 3 stays in probe");
    let stored_by_3 =
        |e: &TraceEvent| matches!(e.body, TraceBody::EntryAppended { node: 3, index, .. } if index > 1);
    assert!(!events.iter().any(|e| e.tick < release && stored_by_3(e)), "no write reaches node 3 while held");

    // The release: probe -> replicate at match 1, and the three writes go
    // out pipelined in that same step.
    let switched = events.iter().find(|e| to_3(e)).expect("node 3's progress changes");
    assert!(matches!(
        switched.body,
        TraceBody::ProgressChanged { state: ProgressMode::Replicate, match_index: 1, next_index: 2, .. }
    ));
    assert_eq!(switched.tick, release);
    let streamed = events
        .iter()
        .filter(|e| e.step == switched.step)
        .filter(|e| matches!(e.body, TraceBody::MessageSent { from: 1, to: 3, msg: MessageKind::Append, .. }))
        .count();
    assert_eq!(streamed, 3, "entries 2, 3 and 4 in flight at once");
    let last_3 = events.iter().filter(|e| stored_by_3(e)).map(|e| e.tick).max();
    assert!(last_3.is_some_and(|t| t <= release + 4), "node 3 catches up within two trips: {last_3:?}");
}
