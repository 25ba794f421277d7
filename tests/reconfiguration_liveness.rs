//! Membership changes never deadlock a cluster (Raft thesis §4.2.2): a node
//! left out of its latest, uncommitted configuration may still campaign
//! and lead until that configuration commits, and the trace says why each
//! role changed as the core states it.

use quorumscope::core::{NodeId, RoleCause};
use quorumscope::scenario;
use quorumscope::sim::{Sim, TraceBody, TraceEvent, TraceRole};

/// Runs a scenario file of `tests/testdata/scenarios/` to its end.
fn run_file(name: &str) -> (Sim, Vec<TraceEvent>) {
    let path = format!("{}/tests/testdata/scenarios/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let s = scenario::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut sim = s.build().expect("valid scenario");
    let events = sim.run_until_tick(s.run_until, 1_000_000);
    (sim, events)
}

/// The leaders elected after `tick`.
fn elected_after(events: &[TraceEvent], tick: u64) -> Vec<NodeId> {
    events
        .iter()
        .filter(|e| e.tick > tick)
        .filter_map(|e| match e.body {
            TraceBody::LeaderElected { node, .. } => Some(node),
            _ => None,
        })
        .collect()
}

fn role_changes(events: &[TraceEvent], id: NodeId) -> Vec<(u64, TraceRole, Option<RoleCause>, String)> {
    events
        .iter()
        .filter_map(|e| match e.body {
            TraceBody::RoleChanged { node, role, cause, .. } if node == id => {
                Some((e.tick, role, cause, e.text.to_string()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_leader_that_removed_itself_and_was_cut_off_still_lets_a_leader_emerge() {
    let (sim, events) = run_file("removed-leader-cut-off.json");
    assert_eq!(sim.violations(), 0);
    let after_heal = elected_after(&events, 60);
    assert!(!after_heal.is_empty(), "no leader after the heal at tick 60");
    // Node 1 leads long enough to commit the configuration without itself,
    // then steps down because of it; node 2 then leads alone.
    assert_eq!(sim.leader(), Some(2), "node 2, the only voter left, leads at the end");
    let n2 = sim.node(2).unwrap();
    assert!(!n2.membership().contains(1) && n2.commit_index() >= 3, "the removal committed on node 2");
    let changes = role_changes(&events, 1);
    // Cut off at tick 31, node 1 steps down for check quorum: the
    // configuration that removes it has not committed then.
    let first_down = changes.iter().find(|c| c.1 == TraceRole::Follower).expect("node 1 steps down");
    assert_eq!(first_down.2, Some(RoleCause::CheckQuorum), "{changes:#?}");
    assert!(first_down.3.contains("check quorum"), "{}", first_down.3);
    assert!(!first_down.3.contains("has committed"), "{}", first_down.3);
    let removed = changes.iter().find(|c| c.2 == Some(RoleCause::Removed)).expect("a step-down for removal");
    assert!(removed.0 > 60 && removed.3.contains("has committed"), "{removed:?}");
}

#[test]
fn leaving_a_joint_configuration_cut_off_still_lets_a_leader_emerge() {
    let (sim, events) = run_file("joint-leave-cut-off.json");
    assert_eq!(sim.violations(), 0);
    assert!(!elected_after(&events, 33).is_empty(), "no leader after the cut at tick 33");
    assert_eq!(sim.leader(), Some(3), "node 3, the only voter of the new configuration, leads at the end");
    let n3 = sim.node(3).unwrap();
    assert!(!n3.membership().is_joint() && !n3.membership().contains(1), "{}", n3.membership());
}

/// Every role change in both runs carries the core's cause, and the
/// causes that the runs must show appear.
#[test]
fn every_role_change_names_its_cause() {
    let mut seen = Vec::new();
    for name in ["removed-leader-cut-off.json", "joint-leave-cut-off.json"] {
        let (_, events) = run_file(name);
        for e in &events {
            if let TraceBody::RoleChanged { cause, .. } = e.body {
                seen.push(cause.unwrap_or_else(|| panic!("{name}: no cause at step {}", e.step)));
            }
        }
    }
    for cause in [RoleCause::Timeout, RoleCause::Won, RoleCause::CheckQuorum, RoleCause::Removed] {
        assert!(seen.contains(&cause), "{cause:?} never seen in {seen:?}");
    }
}

#[test]
fn a_learner_refused_promotion_during_a_freeze_is_promoted_in_an_idle_cluster() {
    let (sim, events) = run_file("learner-refused-during-freeze.json");
    assert_eq!(sim.violations(), 0);
    let aborted = events
        .iter()
        .find(|e| matches!(e.body, TraceBody::HandoverOutcome { .. }))
        .map(|e| (e.tick, e.text.to_string()))
        .expect("the handover ends");
    assert!(aborted.1.contains("aborted"), "{aborted:?}");
    let caught_up = sim.node(4).unwrap().log().last_index() >= sim.node(1).unwrap().commit_index();
    assert!(caught_up, "node 4 caught up");
    let leader = sim.node(1).unwrap();
    assert!(leader.membership().is_voter(4), "learner 4 never promoted: {}", leader.membership());
    let promoted = events
        .iter()
        .find(|e| matches!(e.body, TraceBody::RoleChanged { node: 4, cause: Some(RoleCause::Promoted), .. }))
        .expect("node 4's role change says promoted");
    assert!(promoted.tick > aborted.0, "promoted after the abort, at tick {}", promoted.tick);
}

/// A leader that removed itself leads only to commit that change: a write
/// it appended meanwhile could end up on the witness alone, which node 2
/// could then never be elected past (campaign seed 430 before the fix).
#[test]
fn a_leader_outside_its_configuration_takes_no_writes() {
    let json = r#"{"seed":1,"cluster":{"members":[{"id":1},{"id":2},{"id":3,"kind":"witness"}],"network":{"delay_ticks":[1,1]}},
        "script":[{"at":2,"do":"timeout_now","node":1},{"at":30,"do":"cut","from":1,"to":2},{"at":30,"do":"remove_server","node":1},
        {"at":31,"do":"write","value":"x=1","node":1}],"run_until":40}"#;
    let s = scenario::parse(json).unwrap();
    let mut sim = s.build().unwrap();
    let events = sim.run_until_tick(s.run_until, 100_000);
    let rejected = events.iter().find_map(|e| match &e.body {
        TraceBody::WriteRejected { node: 1, reason, .. } => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(rejected, Some(quorumscope::sim::WriteRefusal::NotLeader { leader: None }));
    let log = sim.node(1).unwrap().log().entries().to_vec();
    assert!(!log.iter().any(|e| matches!(e.payload, quorumscope::core::Payload::Write(_))), "{log:?}");
}
