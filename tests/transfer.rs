//! Leadership transfer as etcd-io/raft does it (its
//! `TestLeaderTransferSecondTransferToAnotherNode`,
//! `TestLeaderTransferSecondTransferToSameNode`, `TestLeaderTransferBack`
//! and `TestLeaderTransferTimeout`): a new transfer replaces a pending one,
//! a transfer to the leader itself cancels it, and writes are frozen for at
//! most one election timeout. And a hand-over whose signal is lost says
//! so instead of promising an election.

use quorumscope::core::{HandoverFailure, HandoverResult, NodeId};
use quorumscope::scenario;
use quorumscope::sim::{Sim, TraceBody, TraceEvent, WriteRefusal};

/// Three nodes; node 1 leads from tick 4; node 3 is isolated at tick 20
/// and misses the write at 21, so a transfer to it cannot complete; then
/// `script` (JSON commands, comma-separated).
fn run(script: &str, until: u64) -> (Sim, Vec<TraceEvent>) {
    let json = format!(
        r#"{{"seed":5,"cluster":{{"members":[{{"id":1}},{{"id":2}},{{"id":3}}],"network":{{"delay_ticks":[1,1]}}}},
        "script":[{{"at":2,"do":"timeout_now","node":1}},{{"at":20,"do":"partition","groups":[[1,2],[3]]}},
        {{"at":21,"do":"write","value":"a=1"}},{script}],"run_until":{until}}}"#
    );
    let s = scenario::parse(&json).expect("valid scenario");
    let mut sim = s.build().expect("valid scenario");
    let events = sim.run_until_tick(s.run_until, 1_000_000);
    assert_eq!(sim.violations(), 0);
    (sim, events)
}

/// (tick, result, failure, to) of every handover outcome.
fn outcomes(events: &[TraceEvent]) -> Vec<(u64, HandoverResult, Option<HandoverFailure>, NodeId, String)> {
    events
        .iter()
        .filter_map(|e| match e.body {
            TraceBody::HandoverOutcome { result, failure, to, .. } => {
                Some((e.tick, result, failure, to, e.text.to_string()))
            }
            _ => None,
        })
        .collect()
}

fn frozen_writes(events: &[TraceEvent]) -> Vec<u64> {
    events
        .iter()
        .filter(|e| {
            matches!(e.body, TraceBody::WriteRejected { reason: WriteRefusal::HandoverInProgress { .. }, .. })
        })
        .map(|e| e.tick)
        .collect()
}

#[test]
fn a_second_transfer_to_another_node_replaces_the_first() {
    let (sim, events) = run(r#"{"at":30,"do":"transfer","to":3},{"at":32,"do":"transfer","to":2}"#, 120);
    let o = outcomes(&events);
    assert_eq!(
        (o[0].0, o[0].1, o[0].2, o[0].3),
        (32, HandoverResult::Aborted, Some(HandoverFailure::Superseded), 3),
        "{o:#?}"
    );
    assert_eq!((o[1].1, o[1].3), (HandoverResult::Completed, 2), "{o:#?}");
    assert_eq!(sim.leader(), Some(2));
}

#[test]
fn a_second_transfer_to_the_same_node_does_not_extend_the_freeze() {
    let (sim, events) = run(
        r#"{"at":30,"do":"transfer","to":3},{"at":40,"do":"transfer","to":3},{"at":45,"do":"write","value":"b=1"},{"at":55,"do":"write","value":"c=1"}"#,
        120,
    );
    let o = outcomes(&events);
    assert_eq!(o.len(), 1, "{o:#?}");
    // Election timeouts are [10, 20]: the freeze ends 20 ticks after the
    // first transfer, whatever the second asked.
    assert_eq!(
        (o[0].0, o[0].1, o[0].2),
        (50, HandoverResult::Aborted, Some(HandoverFailure::CatchUpTimedOut))
    );
    assert_eq!(frozen_writes(&events), [45], "the write at 55 is accepted again");
    assert_eq!(sim.leader(), Some(1));
}

#[test]
fn a_transfer_back_to_the_leader_cancels_the_pending_one() {
    let (sim, events) = run(
        r#"{"at":30,"do":"transfer","to":3},{"at":32,"do":"transfer","to":1},{"at":33,"do":"write","value":"b=1"}"#,
        120,
    );
    let o = outcomes(&events);
    assert_eq!(o.len(), 1, "{o:#?}");
    assert_eq!(
        (o[0].0, o[0].1, o[0].2, o[0].3),
        (32, HandoverResult::Aborted, Some(HandoverFailure::Cancelled), 3)
    );
    assert!(frozen_writes(&events).is_empty(), "writes resume at once");
    assert_eq!(sim.leader(), Some(1));
    let term = sim.node(1).unwrap().term();
    assert_eq!(term, 1, "no term changed");
}

#[test]
fn a_hand_over_signal_lost_says_the_old_leader_leads_on() {
    // Node 2 is caught up (fast path: hand over at once), but the link
    // 1→2 is cut, so its TimeoutNow is lost and node 1 keeps leading.
    let (sim, events) = run(
        r#"{"at":29,"do":"heal"},{"at":40,"do":"cut","from":1,"to":2,"one_way":true},{"at":41,"do":"failover","to":2,"mode":"coordinated","deadline_ticks":10}"#,
        200,
    );
    let o = outcomes(&events);
    assert_eq!(o.len(), 1, "{o:#?}");
    assert_eq!(
        (o[0].1, o[0].2),
        (HandoverResult::Aborted, Some(HandoverFailure::TargetDidNotCampaign)),
        "{o:#?}"
    );
    assert!(!o[0].4.contains("election follows") && o[0].4.contains("still leads"), "{}", o[0].4);
    assert_eq!(sim.leader(), Some(1));
}
