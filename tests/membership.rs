//! Membership changes (PROTOCOL.md §1, §6): build a state, feed one event,
//! check the new state and the exact actions.

mod common;

use common::*;
use quorumscope::core::{Action, Error, Event, Member, NodeId, NodeSet, Payload, Role};

// ---- Helpers ------------------------------------------------------------------

fn set(ids: &[NodeId]) -> NodeSet {
    ids.iter().copied().collect()
}

/// Membership changes node `id` reported, described, in order.
fn membership_reports(c: &Cluster, id: NodeId) -> Vec<String> {
    c.reports
        .iter()
        .filter(|(n, a)| *n == id && matches!(a, Action::MembershipChanged(_)))
        .map(|(_, a)| a.to_string())
        .collect()
}

/// Feeds `event` to node `id` straight, expecting `err`, and checks that the
/// node did not change at all.
fn refused(c: &mut Cluster, id: NodeId, event: Event, err: Error) {
    let node = c.nodes.get_mut(&id).unwrap();
    let before = format!("{node:?}");
    let what = event.to_string();
    assert_eq!(node.step(event), Err(err), "node {id}: {what}");
    assert_eq!(format!("{node:?}"), before, "node {id} changed after refusing {what}");
}

// ---- §6 Learners ----------------------------------------------------------------

/// §1/§6: a data member joins as a learner, gets entries, does not count, is promoted when caught up.
#[test]
fn learner_joins_catches_up_and_is_promoted() {
    let members = data(&[1, 2, 3]);
    let mut c = Cluster::new(&members, |_| {});
    elect_node(&mut c, 1);
    c.write("a");
    c.add_node(4, &members, |_| {});
    // Only the learner can hear the leader: its acks alone must not commit.
    c.cut_link(1, 2);
    c.cut_link(1, 3);
    let actions = c.step(1, Event::AddServer(Member::learner(4))).unwrap();
    assert_eq!(
        describe(&actions),
        [
            "membership now voters {1,2,3}, catching up {4}",
            "persist entry 3@t1 config voters {1,2,3}, catching up {4}",
            "send 1→2 append 1 entry 3..3 after 2@t1, commit 2 (term 1)",
            "send 1→3 append 1 entry 3..3 after 2@t1, commit 2 (term 1)",
            "send 1→4 append 1 entry 3..3 after 2@t1, commit 2 (term 1)",
        ]
    );
    assert!(c.node(1).membership().is_learner(4));
    c.deliver_all();
    assert_eq!(c.node(4).log(), c.node(1).log(), "the learner receives every entry");
    assert_eq!(c.node(1).progress(4).unwrap().match_index, 3);
    assert_eq!(c.node(1).commit_index(), 2, "a learner's ack does not count toward the commit quorum");
    assert_eq!(membership_reports(&c, 4), ["membership now voters {1,2,3}, catching up {4}"]);
    assert_eq!(c.node(4).role(), Role::Follower);

    c.heal();
    c.run_until(50, "the promotion to commit", |c| c.node(1).commit_index() >= 4);
    let leader = c.node(1);
    assert!(matches!(&leader.log().entry(4).unwrap().payload, Payload::Config(m) if m.is_voter(4)));
    assert_eq!(leader.membership().voters, set(&[1, 2, 3, 4]));
    assert!(leader.membership().learners.is_empty());
    assert_eq!(
        membership_reports(&c, 1),
        ["membership now voters {1,2,3}, catching up {4}", "membership now voters {1,2,3,4}"]
    );
    c.run(6);
    assert!(c.node(4).membership().is_voter(4));
    c.write("b");
    c.run(4);
    assert_eq!(c.applied_writes(4), ["a", "b"]);
}

/// §1: a learner is not in the quorum denominator: two of three voters commit without it.
#[test]
fn learner_is_not_in_the_quorum_denominator() {
    let members = data(&[1, 2, 3]);
    let mut c = Cluster::new(&members, |_| {});
    elect_node(&mut c, 1);
    c.run(4);
    c.crash(3);
    // Node 4 is not running: it never acks.
    c.step(1, Event::AddServer(Member::learner(4))).unwrap();
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 2, "{{1,2}} is a majority of the voters {{1,2,3}}");
    let index = c.write("a");
    assert_eq!((index, c.node(1).commit_index()), (3, 3));
    assert!(c.node(1).membership().is_learner(4), "a learner that never acked is not promoted");
}

// ---- §6 One change at a time ------------------------------------------------------

/// §6: a change before the previous one commits gets ChangeInProgress; the leader is unchanged.
#[test]
fn one_change_at_a_time() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |_| {});
    elect_node(&mut c, 1);
    c.run(4);
    c.step(1, Event::AddServer(Member::learner(4))).unwrap();
    let pending = Error::ChangeInProgress { index: 2 };
    refused(&mut c, 1, Event::AddServer(Member::learner(5)), pending.clone());
    refused(&mut c, 1, Event::RemoveServer(3), pending.clone());
    refused(&mut c, 1, Event::ChangeVoters(set(&[1, 2])), pending);
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 2);
    // Committed: the next change is accepted.
    assert!(c.step(1, Event::RemoveServer(4)).is_ok());
}

/// §6: a new leader must commit an entry of its own term before any membership change.
#[test]
fn new_leader_waits_for_its_noop_before_changing_membership() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |_| {});
    c.step(1, Event::TimeoutNow).unwrap();
    for _ in 0..100 {
        if c.node(1).role() == Role::Leader {
            break;
        }
        let m = c.queue.pop_front().expect("the election is under way");
        c.step(m.to, Event::Message(m)).unwrap();
    }
    assert_eq!((c.node(1).role(), c.node(1).commit_index()), (Role::Leader, 0));
    refused(&mut c, 1, Event::AddServer(Member::learner(4)), Error::TermNotCommitted);
    refused(&mut c, 1, Event::RemoveServer(3), Error::TermNotCommitted);
    refused(&mut c, 1, Event::ChangeVoters(set(&[1, 2])), Error::TermNotCommitted);
    // Writes are fine meanwhile; once the no-op commits, so is a change.
    assert!(c.step(1, Event::Propose(bytes("a"))).is_ok());
    c.deliver_all();
    assert!(c.step(1, Event::AddServer(Member::learner(4))).is_ok());
}

/// §6: a follower refuses membership commands with NotLeader naming the leader; unchanged.
#[test]
fn follower_refuses_membership_commands() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |_| {});
    elect_node(&mut c, 1);
    let not_leader = Error::NotLeader { leader: Some(1) };
    refused(&mut c, 2, Event::AddServer(Member::learner(4)), not_leader.clone());
    refused(&mut c, 2, Event::RemoveServer(3), not_leader.clone());
    refused(&mut c, 2, Event::ChangeVoters(set(&[1, 2])), not_leader);
    let mut fresh = Cluster::new(&data(&[1, 2, 3]), |_| {});
    refused(&mut fresh, 3, Event::RemoveServer(1), Error::NotLeader { leader: None });
}

// ---- §6 Removal ---------------------------------------------------------------------

/// §6: a removed follower stops counting and never disrupts the remaining voters.
#[test]
fn remove_a_follower() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |_| {});
    elect_node(&mut c, 1);
    c.run(4);
    let actions = c.step(1, Event::RemoveServer(3)).unwrap();
    assert_eq!(
        describe(&actions),
        [
            "membership now voters {1,2}",
            "persist entry 2@t1 config voters {1,2}",
            "send 1→2 append 1 entry 2..2 after 1@t1, commit 1 (term 1)",
            "send 1→3 append 1 entry 2..2 after 1@t1, commit 1 (term 1)",
        ]
    );
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 2);
    assert!(c.node(1).progress(3).is_none(), "the leader forgets a removed member once the change commits");
    assert!(!c.node(3).membership().contains(3), "the removed node knows it is out");
    let term = c.node(3).term();
    // Node 3's acks no longer matter; it does not campaign either.
    c.crash(2);
    c.step(1, Event::Propose(bytes("x"))).unwrap();
    c.run(3);
    assert_eq!(c.node(1).commit_index(), 2, "with voters {{1,2}}, node 2 is needed");
    c.restart(2);
    c.run(40);
    assert_eq!((c.leader(), c.node(3).term(), c.node(1).term()), (Some(1), term, term));
    assert_eq!(c.applied_writes(2), ["x"]);
}

/// §6: a leader removing itself leads until the change commits, then steps down; others elect.
/// It takes no writes meanwhile (issue 11): a write it appended could end up
/// on a witness alone, past which no remaining data voter could be elected.
#[test]
fn leader_removing_itself_steps_down_once_committed() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |_| {});
    elect_node(&mut c, 1);
    c.run(4);
    let actions = c.step(1, Event::RemoveServer(1)).unwrap();
    assert_eq!(
        describe(&actions)[..2],
        ["membership now voters {2,3}", "persist entry 2@t1 config voters {2,3}"]
    );
    assert_eq!(c.node(1).role(), Role::Leader, "it keeps leading until the change commits");
    assert_eq!(c.step(1, Event::Propose(bytes("during"))), Err(Error::NotLeader { leader: None }));
    for to in [2, 3] {
        deliver_first(&mut c, |m| is_to(m, 1, to));
    }
    // Node 1 does not count in the new configuration: 2 alone is not enough.
    deliver_first(&mut c, |m| is_to(m, 2, 1));
    assert_eq!((c.node(1).role(), c.node(1).commit_index()), (Role::Leader, 1));
    let committed = deliver_first(&mut c, |m| is_to(m, 3, 1));
    assert_eq!(
        committed,
        [
            "commit to 2 (a quorum in the leader's term)",
            "apply 2@t1 config voters {2,3}",
            "persist term 1, vote 1, commit 2"
        ]
    );
    assert_eq!((c.node(1).role(), c.node(1).leader(), c.node(1).term()), (Role::Follower, None, 1));
    c.deliver_all();
    let new = {
        c.run_until(100, "a new leader", |c| c.leader().is_some_and(|l| l != 1));
        c.leader().unwrap()
    };
    assert!([2, 3].contains(&new) && c.node(new).term() == 2);
    c.write("after");
    c.run_until(20, "a write to the new leader to apply", |c| c.applied_writes(new) == ["after"]);
    assert_eq!(c.node(1).role(), Role::Follower, "the removed node never campaigns");
}

// ---- §6 Joint consensus --------------------------------------------------------------

/// §6 joint consensus: enter, commit with both majorities, leave automatically; old-only voters go.
#[test]
fn joint_consensus_round_trip() {
    let members = data(&[1, 2, 3]);
    let mut c = Cluster::new(&members, |_| {});
    elect_node(&mut c, 1);
    c.run(4);
    // Node 4 is added first but is not running yet, so it stays a learner.
    c.step(1, Event::AddServer(Member::learner(4))).unwrap();
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 2);
    assert!(c.node(1).membership().is_learner(4));

    let actions = c.step(1, Event::ChangeVoters(set(&[2, 3, 4]))).unwrap();
    assert_eq!(
        describe(&actions),
        [
            "membership now voters {2,3,4} joint with old voters {1,2,3}",
            "persist entry 3@t1 config voters {2,3,4} joint with old voters {1,2,3}",
            "send 1→2 append 1 entry 3..3 after 2@t1, commit 2 (term 1)",
            "send 1→3 append 1 entry 3..3 after 2@t1, commit 2 (term 1)",
        ]
    );
    let joint = c.node(1).membership().clone();
    assert_eq!((joint.voters.clone(), joint.outgoing.clone()), (set(&[2, 3, 4]), Some(set(&[1, 2, 3]))));
    assert!(joint.learners.is_empty());

    // Old side {1,3} has a majority, new side {3} of {2,3,4} does not.
    c.cut_link(1, 2);
    c.add_node(4, &members, |_| {});
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 2, "the joint entry needs a majority of the new voters too");

    // Node 4 catches up: {3,4} is a majority of the new side.
    c.run_until(12, "the joint configuration to be left", |c| c.node(1).commit_index() >= 4);
    let log = c.node(1).log();
    assert!(
        matches!(&log.entry(4).unwrap().payload, Payload::Config(m) if !m.is_joint() && m.voters == set(&[2, 3, 4]))
    );
    assert_eq!(
        membership_reports(&c, 1),
        [
            "membership now voters {1,2,3}, catching up {4}",
            "membership now voters {2,3,4} joint with old voters {1,2,3}",
            "membership now voters {2,3,4}",
        ]
    );
    let node1 = c.node(1);
    assert_eq!((node1.role(), node1.membership().outgoing.clone()), (Role::Follower, None));
    assert!(!node1.membership().contains(1), "node 1 is no longer a member");

    c.heal();
    c.run_until(100, "a leader of the new voters", |c| c.leader().is_some_and(|l| l != 1));
    let new = c.leader().unwrap();
    assert!([2, 3, 4].contains(&new));
    assert!(!c.node(new).membership().contains(1));
    assert!(c.node(new).progress(1).is_none());
    c.write("after");
    c.run(4);
    for id in [2, 3, 4] {
        assert_eq!(c.applied_writes(id), ["after"], "node {id}");
    }
    assert!(c.applied_writes(1).is_empty(), "the removed node receives nothing more");
}
