//! The election count per configuration, stated by the core and carried to
//! the page by the simulator's view and to readers by the trace: in a joint
//! configuration a candidate needs a majority of the old voters *and* of the
//! new, and the picture must show both counts instead of one number.

use quorumscope::core::quorum::VoteResult;
use quorumscope::core::ConfigName;
use quorumscope::scenario;
use quorumscope::sim::{view, Standing, Timeline, TraceBody};

/// Five voters shrink to {3,4,5}; two of the new set crash while joint,
/// then the leader: the old side can still grant a majority, the new cannot.
const STUCK_JOINT: &str = r#"{
  "title": "Joint, new side down",
  "seed": 1,
  "cluster": { "members": [{"id": 1}, {"id": 2}, {"id": 3}, {"id": 4}, {"id": 5}] },
  "script": [
    { "at": 40, "do": "change_voters", "voters": [3, 4, 5] },
    { "at": 43, "do": "crash", "node": 4 },
    { "at": 43, "do": "crash", "node": 5 },
    { "at": 44, "do": "crash", "node": "leader" }
  ],
  "run_until": 400
}"#;

#[test]
fn a_joint_election_is_counted_per_configuration() {
    let s = scenario::parse(STUCK_JOINT).expect("valid scenario");
    let mut timeline = Timeline::new(s.build().expect("builds"));
    let mut seen_joint_tally = false;
    while timeline.sim().now() < 400 {
        timeline.step();
        let v = view(timeline.sim());
        for n in &v.nodes {
            let Some(t) = &n.tally else { continue };
            if t.quorums.len() != 2 {
                continue;
            }
            seen_joint_tally = true;
            let (old, new) = (&t.quorums[0], &t.quorums[1]);
            assert_eq!((old.config, new.config), (ConfigName::Old, ConfigName::New));
            assert_eq!(old.members, [1, 2, 3, 4, 5]);
            assert_eq!(new.members, [3, 4, 5]);
            assert_eq!((old.needed, new.needed), (3, 2), "each side needs its own majority");
            for q in &t.quorums {
                assert!(q.granted.iter().all(|id| q.members.contains(id)), "only members count: {q:?}");
            }
            // Nodes 4 and 5 are down: the new side never reaches 2 grants.
            assert!(new.granted.len() < 2, "step {}: new side granted {:?}", v.step, new.granted);
            assert_ne!(new.result, VoteResult::Won);
        }
        // Removed-to-be nodes are drawn as old-only while joint.
        if v.nodes.iter().any(|n| n.standing == Standing::NewOnly || n.standing == Standing::OldAndNew) {
            assert_eq!(v.nodes[0].standing, Standing::OldOnly);
            assert_eq!(v.nodes[2].standing, Standing::OldAndNew);
        }
    }
    assert!(seen_joint_tally, "a node campaigned in the joint configuration");
    let elected_after_crash =
        timeline.trace().iter().any(|e| e.tick > 44 && matches!(e.body, TraceBody::LeaderElected { .. }));
    assert!(!elected_after_crash, "no leader without a majority of the new voters");
}

#[test]
fn leader_elected_carries_the_winning_count() {
    let s = scenario::builtin("joint-consensus").expect("built-in");
    let mut timeline = Timeline::new(s.build().expect("builds"));
    while timeline.sim().now() < 60 {
        timeline.step();
    }
    let line = timeline
        .trace()
        .iter()
        .find(|e| matches!(e.body, TraceBody::LeaderElected { .. }))
        .map(|e| e.to_json_line())
        .expect("a leader is elected");
    // Five voters, not joint yet: one configuration, three grants needed.
    assert!(line.contains(r#""quorum":[{"config":"current","members":[1,2,3,4,5],"granted":["#), "{line}");
    assert!(line.contains(r#""needed":3,"result":"won""#), "{line}");
    let back = quorumscope::sim::import_json_lines(&format!("{line}\n")).expect("reads back");
    assert_eq!(back[0].to_json_line(), line, "the quorum survives a round trip");
}
