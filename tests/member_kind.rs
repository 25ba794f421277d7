//! A member's kind is fixed when it is created (PROTOCOL.md §1): a witness
//! never applies, never snapshots data and never installs a data snapshot,
//! in any configuration — one that has not reached it yet, or one that
//! removed it.

use quorumscope::scenario;
use quorumscope::sim::{Sim, TraceBody, TraceEvent};

fn run(json: &str) -> (Sim, Vec<TraceEvent>) {
    let s = scenario::parse(json).expect("valid scenario");
    let mut sim = s.build().expect("valid scenario");
    let events = sim.run_until_tick(s.run_until, 1_000_000);
    (sim, events)
}

/// Writes every other tick from `from` to `to`.
fn writes(from: u64, to: u64) -> String {
    (from..to)
        .step_by(2)
        .map(|t| format!(r#"{{"at":{t},"do":"write","value":"k{t}=v{t}"}}"#))
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn a_witness_added_by_the_leader_never_applies_or_snapshots_data() {
    // Batches of one entry: the new witness stores and learns the commit of
    // earlier entries before the configuration that names it arrives.
    let json = format!(
        r#"{{"seed":3,"cluster":{{"members":[{{"id":1}},{{"id":2}},{{"id":3}}],"max_batch":1,"snapshot_threshold":4,"network":{{"delay_ticks":[1,1]}}}},
        "script":[{{"at":2,"do":"timeout_now","node":1}},{},{{"at":40,"do":"add_server","node":4,"kind":"witness"}},{},
        {{"at":90,"do":"remove_server","node":4}},{}],"run_until":200}}"#,
        writes(20, 40),
        writes(41, 90),
        writes(95, 150)
    );
    let (sim, events) = run(&json);
    assert_eq!(sim.violations(), 0);
    let applied_by_4: Vec<_> = events
        .iter()
        .filter(|e| matches!(e.body, TraceBody::Applied { node: 4, .. }))
        .map(|e| e.text.to_string())
        .collect();
    assert!(applied_by_4.is_empty(), "the witness applied: {applied_by_4:#?}");
    assert!(
        events.iter().any(|e| matches!(e.body, TraceBody::EntryAppended { node: 4, .. })),
        "the witness stored entries (metadata)"
    );
    let n4 = &sim.nodes()[&4];
    if let Some(s) = &n4.disk.snapshot {
        assert!(s.data.is_empty(), "the witness snapshot holds data: {} bytes at {}", s.data.len(), s.index);
    }
    assert_eq!(n4.kv.applied, 0, "the witness's store stayed empty");
    assert!(!sim.node(1).unwrap().membership().contains(4), "node 4 was removed");
}

/// A leader whose configuration does not list a node as a witness (one
/// elected with a stale log while a teaching switch is off) may send it a
/// snapshot with data: the witness keeps none of it.
#[test]
fn a_witness_keeps_no_data_from_an_installed_snapshot() {
    use quorumscope::core::{Body, Bytes, Config, Event, Member, Message, Node, Snapshot};
    let members = vec![Member::data(1), Member::data(2), Member::witness(3)];
    let mut witness = Node::new(Config::new(3, members.clone())).unwrap();
    let membership = quorumscope::core::Membership::from_members(&members).unwrap();
    let snapshot =
        Snapshot { index: 5, term: 1, membership, data: Bytes::from(&b"x=1"[..]), ..Snapshot::default() };
    let m = Message { from: 1, to: 3, term: 1, body: Body::Snapshot { snapshot: Box::new(snapshot) } };
    let actions = witness.step(Event::Message(m)).unwrap();
    assert_eq!(witness.snapshot().index, 5, "{actions:?}");
    assert!(witness.snapshot().data.is_empty(), "the witness kept the snapshot's data");
}
