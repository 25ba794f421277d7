//! A snapshot at index I holds exactly the state after applying 1..I
//! (PROTOCOL.md §5), even when the node applies more in the same step.

use quorumscope::scenario;
use quorumscope::sim::{KvStore, TraceBody};

#[test]
fn a_snapshot_holds_nothing_applied_after_its_index() {
    // Node 1 leaves voters {1,2} for {1}: node 2's ack commits the joint
    // configuration (index 2, the snapshot hint fires there), and the
    // configuration that leaves joint then commits at once on node 1
    // alone, applying the write at index 3 in the same step.
    let json = r#"{"seed":1,"cluster":{"members":[{"id":1},{"id":2}],"snapshot_threshold":2,"network":{"delay_ticks":[1,1]}},
        "script":[{"at":2,"do":"timeout_now","node":1},{"at":30,"do":"change_voters","voters":[1]},{"at":30,"do":"write","value":"x=1"}],
        "run_until":60}"#;
    let s = scenario::parse(json).unwrap();
    let mut sim = s.build().unwrap();
    let events = sim.run_until_tick(s.run_until, 100_000);
    // The checker's snapshot_contents property watches this too.
    let found: Vec<String> = events
        .iter()
        .filter(|e| matches!(e.body, TraceBody::Violation { .. }))
        .map(|e| e.text.to_string())
        .collect();
    assert!(found.is_empty(), "{found:#?}");
    let taken: Vec<_> = events
        .iter()
        .filter_map(|e| match e.body {
            TraceBody::SnapshotTaken { node: 1, index, .. } => Some((e.step, index)),
            _ => None,
        })
        .collect();
    assert!(taken.iter().any(|(_, i)| *i == 2), "node 1 snapshots at 2: {taken:?}");
    let applied_3 =
        events.iter().find(|e| matches!(e.body, TraceBody::Applied { node: 1, index: 3 })).unwrap();
    let at_2 = taken.iter().find(|(_, i)| *i == 2).unwrap();
    assert_eq!(applied_3.step, at_2.0, "the write applies in the same step as the snapshot at 2");
    let snapshot = sim.node(1).unwrap().snapshot().clone();
    assert_eq!(snapshot.index, 2, "no later snapshot replaced it");
    let state = KvStore::decode(&snapshot.data);
    assert_eq!(state.get("x"), None, "the snapshot at 2 holds the write at 3");
    assert!(state.applied <= snapshot.index, "applied {} in a snapshot at {}", state.applied, snapshot.index);
}
