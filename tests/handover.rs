//! Leadership handover (PROTOCOL.md §7): one scripted situation per mode and
//! per outcome, with every field of the outcome asserted.

mod common;
use common::*;

use quorumscope::core::{
    Action, Body, Decision, Event, HandoverFailure, HandoverMode, HandoverOutcome, HandoverResult, Member,
    Message, Node, NodeId, Payload, Phase, PhaseReport, Refusal, Role,
};

const COORDINATED: HandoverMode = HandoverMode::Coordinated { deadline_ticks: 30 };

/// The two members other than `id` in a three-node cluster of 1, 2, 3.
fn others(id: NodeId) -> (NodeId, NodeId) {
    let v: Vec<NodeId> = (1..=3).filter(|i| *i != id).collect();
    (v[0], v[1])
}

fn phases(actions: &[Action]) -> Vec<PhaseReport> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::HandoverPhase(p) => Some(*p),
            _ => None,
        })
        .collect()
}

/// Phase reports node `id` emitted since `from` in the cluster's reports.
fn phases_since(c: &Cluster, id: NodeId, from: usize) -> Vec<PhaseReport> {
    let mine: Vec<Action> =
        c.reports[from..].iter().filter(|(n, _)| *n == id).map(|(_, a)| a.clone()).collect();
    phases(&mine)
}

/// Every handover outcome node `id` reported, in order.
fn outcomes(c: &Cluster, id: NodeId) -> Vec<HandoverOutcome> {
    c.reports
        .iter()
        .filter_map(|(n, a)| match a {
            Action::HandoverOutcome(o) if *n == id => Some(**o),
            _ => None,
        })
        .collect()
}

fn report(phase: Phase, from: NodeId, to: NodeId, frontier: u64, reached: u64) -> PhaseReport {
    PhaseReport { phase, from, to, frontier, reached }
}

/// Like `deliver_all`, but returns every message that was delivered.
fn deliver_recording(c: &mut Cluster) -> Vec<Message> {
    let mut delivered = Vec::new();
    for _ in 0..100_000 {
        let Some(m) = c.queue.pop_front() else { return delivered };
        if c.cut.contains(&(m.from, m.to)) || c.crashed.contains(&m.to) {
            continue;
        }
        delivered.push(m.clone());
        c.step(m.to, Event::Message(m)).expect("messages never error");
    }
    panic!("message storm: the queue never drained");
}

/// The vote decisions `to` received, by voter.
fn vote_replies(msgs: &[Message], to: NodeId) -> Vec<(NodeId, Decision)> {
    msgs.iter()
        .filter_map(|m| match &m.body {
            Body::VoteReply { decision } if m.to == to => Some((m.from, decision.clone())),
            _ => None,
        })
        .collect()
}

/// One tick in which the old leader's appends are held back: only its other
/// messages (the hand-over signal) leave, then the links are healed. This is
/// how a test keeps the target from catching up at the very moment it is told
/// to campaign.
fn tick_holding_appends(c: &mut Cluster, old: NodeId) {
    for id in 1..=3 {
        c.step(id, Event::Tick).expect("ticks never error");
    }
    c.queue.retain(|m| !(m.from == old && matches!(m.body, Body::Append { .. })));
    c.heal();
}

/// The client writes in `node`'s log, in order.
fn log_writes(node: &Node) -> Vec<String> {
    node.log()
        .entries()
        .iter()
        .filter_map(|e| match &e.payload {
            Payload::Write(d) => Some(String::from_utf8_lossy(d).into_owned()),
            _ => None,
        })
        .collect()
}

fn frozen(c: &Cluster, id: NodeId) -> bool {
    c.node(id).handover().is_some()
}

/// Fast path: a target at the frontier is handed over at once, waited 0, old leader demotes (PROTOCOL.md §7).
#[test]
fn fast_path_hands_over_at_once_and_demotes() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |_| {});
    let old = c.elect();
    let (target, _) = others(old);
    c.write("a");
    c.write("b");
    c.run(4);
    let term = c.node(old).term();
    let frontier = c.node(old).log().last_index();
    assert_eq!(c.node(old).progress(target).unwrap().match_index, frontier, "target at the frontier");

    let actions = c.step(old, Event::Handover { to: target, mode: COORDINATED }).unwrap();
    assert_eq!(
        phases(&actions),
        vec![
            report(Phase::Freeze, old, target, frontier, frontier),
            report(Phase::HandOver, old, target, frontier, frontier)
        ]
    );
    let signal = Body::TimeoutNow { force: false };
    assert!(actions.iter().any(|a| matches!(a, Action::Send(m) if m.to == target && m.body == signal)));

    let mark = c.reports.len();
    c.deliver_all();
    assert_eq!(phases_since(&c, old, mark), vec![report(Phase::Demote, old, target, frontier, frontier)]);
    let expected = HandoverOutcome {
        result: HandoverResult::Completed,
        failure: None,
        from: old,
        to: target,
        forced: false,
        new_term: Some(term + 1),
        new_leader: Some(target),
        frontier,
        reached: frontier,
        skipped: 0,
        waited: 0,
    };
    assert_eq!(outcomes(&c, old), vec![expected]);
    assert_eq!((c.node(target).role(), c.node(target).term()), (Role::Leader, term + 1));
    let demoted = c.node(old);
    assert_eq!((demoted.role(), demoted.term(), demoted.leader()), (Role::Follower, term + 1, Some(target)));
    assert!(demoted.handover().is_none());

    c.write("c");
    c.run(4);
    for id in 1..=3 {
        assert_eq!(c.applied_writes(id), ["a", "b", "c"], "node {id}");
    }
}

/// Coordinated catch-up: CatchUp reports with increasing `reached`, then hand over (PROTOCOL.md §7).
#[test]
fn coordinated_catch_up_then_hand_over() {
    // Small batches make the catch-up take several visible steps.
    let mut c = Cluster::new(&data(&[1, 2, 3]), |cfg| cfg.max_batch = 2);
    let old = c.elect();
    let (target, _) = others(old);
    c.write("a");
    c.run(4);
    let before_cut = c.node(old).progress(target).unwrap().match_index;
    c.cut_link(old, target);
    for v in ["b", "c", "d", "e", "f", "g"] {
        c.write(v);
    }
    let term = c.node(old).term();
    let frontier = c.node(old).log().last_index();
    assert_eq!(frontier, before_cut + 6);

    let mark = c.reports.len();
    c.step(old, Event::Handover { to: target, mode: COORDINATED }).unwrap();
    // The link heals two ticks into the freeze, so the catch-up takes time.
    c.run(2);
    c.heal();
    let mut ticks = 2;
    while !phases_since(&c, old, mark).iter().any(|p| p.phase == Phase::HandOver) {
        assert!(ticks < 30, "the target never caught up");
        c.tick();
        ticks += 1;
    }
    c.run_until(40, "the target to lead", |c| c.leader() == Some(target));

    let seen = phases_since(&c, old, mark);
    let kinds: Vec<Phase> = seen.iter().map(|p| p.phase).collect();
    assert_eq!(kinds[0], Phase::Freeze);
    assert_eq!(kinds[kinds.len() - 2..], [Phase::HandOver, Phase::Demote]);
    let catch_up: Vec<u64> = seen.iter().filter(|p| p.phase == Phase::CatchUp).map(|p| p.reached).collect();
    assert!(catch_up.len() >= 3, "several catch-up steps, got {catch_up:?}");
    assert_eq!(catch_up[0], before_cut, "the first report is where the target stood at the freeze");
    assert!(catch_up.windows(2).all(|w| w[0] < w[1]), "reached increases: {catch_up:?}");
    assert_eq!(*catch_up.last().unwrap(), frontier);
    assert!(seen.iter().all(|p| p.from == old && p.to == target && p.frontier == frontier));

    let expected = HandoverOutcome {
        result: HandoverResult::Completed,
        failure: None,
        from: old,
        to: target,
        forced: false,
        new_term: Some(term + 1),
        new_leader: Some(target),
        frontier,
        reached: frontier,
        skipped: 0,
        waited: ticks,
    };
    assert!(ticks > 0);
    assert_eq!(outcomes(&c, old), vec![expected]);
    assert_eq!((c.node(old).role(), c.node(old).leader()), (Role::Follower, Some(target)));
}

/// Coordinated abort: CatchUpTimedOut at the deadline, no term change, writes resume (PROTOCOL.md §7).
#[test]
fn coordinated_abort_resumes_writes_without_term_change() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |_| {});
    let old = c.elect();
    let (target, _) = others(old);
    c.write("a");
    c.run(4);
    let reached = c.node(old).progress(target).unwrap().match_index;
    c.isolate(target);
    c.write("b");
    c.write("c");
    let term = c.node(old).term();
    let frontier = c.node(old).log().last_index();
    assert_eq!(frontier, reached + 2);

    let deadline = 8;
    let mode = HandoverMode::Coordinated { deadline_ticks: deadline };
    let actions = c.step(old, Event::Handover { to: target, mode }).unwrap();
    assert_eq!(
        phases(&actions),
        vec![
            report(Phase::Freeze, old, target, frontier, reached),
            report(Phase::CatchUp, old, target, frontier, reached)
        ]
    );
    c.run(deadline - 1);
    assert!(frozen(&c, old) && outcomes(&c, old).is_empty(), "still waiting before the deadline");
    c.tick();
    let expected = HandoverOutcome {
        result: HandoverResult::Aborted,
        failure: Some(HandoverFailure::CatchUpTimedOut),
        from: old,
        to: target,
        forced: false,
        new_term: None,
        new_leader: None,
        frontier,
        reached,
        skipped: 0,
        waited: deadline,
    };
    assert_eq!(outcomes(&c, old), vec![expected]);
    assert!(!frozen(&c, old));
    for id in 1..=3 {
        assert_eq!(c.node(id).term(), term, "no term change on node {id}");
    }
    assert_eq!(c.node(old).role(), Role::Leader);

    c.write("d");
    c.heal();
    c.run(6);
    assert_eq!(c.leader(), Some(old));
    for id in 1..=3 {
        assert_eq!(c.applied_writes(id), ["a", "b", "c", "d"], "node {id}");
    }
}

/// Freeze: writes are refused with HandoverInProgress{to} and change nothing (PROTOCOL.md §7, §2).
#[test]
fn writes_during_the_freeze_are_refused() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |_| {});
    let old = c.elect();
    let (target, _) = others(old);
    c.write("a");
    c.isolate(target);
    c.step(old, Event::Handover { to: target, mode: COORDINATED }).unwrap();
    c.deliver_all();
    assert!(frozen(&c, old));

    let before = format!("{:?}", c.node(old));
    let refused = Err(quorumscope::core::Error::HandoverInProgress { to: target });
    assert_eq!(c.step(old, Event::Propose(bytes("x"))), refused);
    assert_eq!(c.step(old, Event::ProposeBatch(vec![bytes("y"), bytes("z")])), refused);
    let cp = quorumscope::core::CpEntry::Admit(9);
    assert_eq!(c.step(old, Event::ControlPlane(cp)), refused);
    assert_eq!(format!("{:?}", c.node(old)), before, "a refused write changes nothing");
    assert!(c.queue.is_empty());
}

/// Force: hand over at the timeout, skipped = frontier − reached, no acked write lost (PROTOCOL.md §7).
#[test]
fn forced_handover_skips_only_the_uncommitted_tail() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |_| {});
    let old = c.elect();
    let (target, third) = others(old);
    c.write("a");
    c.write("b");
    c.run(4);
    let committed = c.node(old).commit_index();
    assert_eq!(c.node(old).progress(target).unwrap().match_index, committed);
    // The tail reaches nobody: the old leader's outbound links are cut.
    c.cut.insert((old, target));
    c.cut.insert((old, third));
    for v in ["tail-1", "tail-2"] {
        c.step(old, Event::Propose(bytes(v))).unwrap();
    }
    c.deliver_all();
    let term = c.node(old).term();
    let frontier = c.node(old).log().last_index();
    assert_eq!((frontier, c.node(old).commit_index()), (committed + 2, committed), "the tail is uncommitted");

    let timeout = 3;
    let mode = HandoverMode::Force { timeout_ticks: timeout };
    let actions = c.step(old, Event::Handover { to: target, mode }).unwrap();
    let kinds: Vec<Phase> = phases(&actions).iter().map(|p| p.phase).collect();
    assert_eq!(kinds, [Phase::Freeze, Phase::CatchUp]);
    c.run(timeout - 1);
    assert!(frozen(&c, old) && !c.node(old).handover().unwrap().handed_over());
    let mark = c.reports.len();
    tick_holding_appends(&mut c, old);
    assert_eq!(
        phases_since(&c, old, mark),
        vec![report(Phase::HandOver, old, target, frontier, committed)],
        "handed over at the timeout"
    );
    let msgs = deliver_recording(&mut c);

    // The old leader holds the tail, so its log is ahead of the target's; the
    // third voter never saw the tail and elects the target.
    let replies = vote_replies(&msgs, target);
    assert!(replies.contains(&(third, Decision::Granted)), "{replies:?}");
    assert!(replies
        .iter()
        .any(|(v, d)| *v == old && matches!(d, Decision::Refused(Refusal::LogBehind { .. }))));

    let expected = HandoverOutcome {
        result: HandoverResult::Completed,
        failure: None,
        from: old,
        to: target,
        forced: true,
        new_term: Some(term + 1),
        new_leader: Some(target),
        frontier,
        reached: committed,
        skipped: frontier - committed,
        waited: timeout,
    };
    assert_eq!(outcomes(&c, old), vec![expected]);
    assert_eq!(expected.skipped, 2);
    assert_eq!((c.node(target).role(), c.node(target).term()), (Role::Leader, term + 1));

    c.write("c");
    c.run(6);
    for id in 1..=3 {
        assert_eq!(c.applied_writes(id), ["a", "b", "c"], "node {id}: acked writes kept, tail dropped");
    }
}

/// Sets up a forced handover to a target that lacks committed entries and
/// hands over at the timeout. Returns (cluster, old, target, term, frontier,
/// reached, delivered messages).
fn forced_to_lagging_target(
    force_respects_vote_rule: bool,
) -> (Cluster, NodeId, NodeId, u64, u64, u64, Vec<Message>) {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |cfg| {
        cfg.switches.force_respects_vote_rule = force_respects_vote_rule
    });
    let old = c.elect();
    let (target, _) = others(old);
    c.write("a");
    c.run(4);
    let reached = c.node(old).progress(target).unwrap().match_index;
    c.cut_link(old, target);
    c.write("b");
    c.write("c");
    c.run(4);
    let term = c.node(old).term();
    let frontier = c.node(old).log().last_index();
    assert_eq!(c.node(old).commit_index(), frontier, "b and c are acknowledged");

    let timeout = 4;
    let mode = HandoverMode::Force { timeout_ticks: timeout };
    c.step(old, Event::Handover { to: target, mode }).unwrap();
    c.run(timeout - 1);
    tick_holding_appends(&mut c, old);
    let msgs = deliver_recording(&mut c);
    (c, old, target, term, frontier, reached, msgs)
}

/// Force keeps the watermark rule: a lagging target is refused, another is elected (PROTOCOL.md §7, §3.4).
#[test]
fn forced_handover_to_a_lagging_target_is_refused() {
    let (mut c, old, target, term, frontier, reached, msgs) = forced_to_lagging_target(true);
    let replies = vote_replies(&msgs, target);
    assert_eq!(replies.len(), 2, "{replies:?}");
    for (voter, decision) in &replies {
        match decision {
            Decision::Refused(Refusal::WatermarkNotCovered { candidate_lsn, watermark }) => {
                assert_eq!(*candidate_lsn, reached);
                assert!(*watermark > reached && *watermark <= frontier);
            }
            Decision::Refused(Refusal::LogBehind { .. }) => assert_ne!(*voter, old, "the old leader knows"),
            other => panic!("node {voter} answered {other:?}"),
        }
    }
    assert!(replies.iter().any(|(v, d)| *v == old
        && *d
            == Decision::Refused(Refusal::WatermarkNotCovered {
                candidate_lsn: reached,
                watermark: frontier
            })));

    c.run_until(100, "a normal election", |c| c.leader().is_some_and(|l| c.node(l).term() > term + 1));
    c.run(2);
    let winner = c.leader().unwrap();
    assert_ne!(winner, target);
    let new_term = c.node(winner).term();
    let expected = HandoverOutcome {
        result: HandoverResult::Refused,
        failure: Some(HandoverFailure::OtherLeaderElected),
        from: old,
        to: target,
        forced: true,
        new_term: Some(new_term),
        new_leader: Some(winner),
        frontier,
        reached,
        // Refused: the target never led, so nothing was skipped.
        skipped: 0,
        waited: 4,
    };
    assert_eq!(outcomes(&c, old), vec![expected]);
    assert!(c.node(old).handover().is_none());

    c.write("d");
    c.run(6);
    for id in 1..=3 {
        assert_eq!(c.applied_writes(id), ["a", "b", "c", "d"], "node {id}");
    }
}

/// Switch `force_respects_vote_rule` off installs the lagging target; acked writes lost (PROTOCOL.md §10).
#[test]
fn forced_handover_without_the_vote_rule_installs_the_lagging_target() {
    let (c, old, target, term, frontier, reached, msgs) = forced_to_lagging_target(false);
    let replies = vote_replies(&msgs, target);
    assert!(replies.iter().all(|(_, d)| *d == Decision::Granted), "{replies:?}");
    let expected = HandoverOutcome {
        result: HandoverResult::Completed,
        failure: None,
        from: old,
        to: target,
        forced: true,
        new_term: Some(term + 1),
        new_leader: Some(target),
        frontier,
        reached,
        skipped: frontier - reached,
        waited: 4,
    };
    assert_eq!(outcomes(&c, old), vec![expected]);
    let leader = c.node(target);
    assert_eq!((leader.role(), leader.term()), (Role::Leader, term + 1));
    // The new leader's log never held the acknowledged writes b and c.
    let writes = log_writes(leader);
    assert_eq!(writes, ["a"], "acknowledged writes b and c are missing on the new leader");

    // Its no-op overwrites them everywhere: the loss the checker reports as
    // `acked_write_lost`.
    let mut c = c;
    c.run(6);
    for id in 1..=3 {
        assert_eq!(log_writes(c.node(id)), ["a"], "node {id}: acknowledged writes b and c were overwritten");
    }
}

/// Bad handover arguments each fail with an error naming the problem, node unchanged (PROTOCOL.md §7, §2).
#[test]
fn bad_handover_arguments_are_refused_and_change_nothing() {
    use quorumscope::core::Error;
    let members = [Member::data(1), Member::data(2), Member::data(3), Member::witness(4), Member::learner(5)];
    let mut c = Cluster::new(&members, |_| {});
    // Cut off, the learner never catches up and so is never promoted.
    c.isolate(5);
    let leader = c.elect();
    c.write("a");
    let follower = (1..=3).find(|i| *i != leader).unwrap();
    let mode = COORDINATED;

    let refuse = |c: &mut Cluster, on: NodeId, to: NodeId, check: &dyn Fn(&Error) -> bool| {
        let before = format!("{:?}", c.node(on));
        let err = c.step(on, Event::Handover { to, mode }).expect_err("must be refused");
        assert!(check(&err), "handover on {on} to {to}: unexpected {err:?}");
        assert_eq!(format!("{:?}", c.node(on)), before, "handover on {on} to {to} changed the node");
        err
    };
    let invalid =
        |needle: &'static str| move |e: &Error| matches!(e, Error::InvalidArgument(m) if m.contains(needle));
    let e = refuse(&mut c, leader, leader, &invalid("already leads"));
    assert!(e.to_string().contains(&format!("node {leader}")));
    let e = refuse(&mut c, leader, 4, &invalid("cannot lead"));
    assert!(e.to_string().contains("node 4"));
    refuse(&mut c, leader, 5, &invalid("cannot lead"));
    refuse(&mut c, leader, 99, &invalid("node 99"));
    refuse(&mut c, follower, 3, &|e| *e == Error::NotLeader { leader: Some(leader) });

    let target = (1..=3).find(|i| *i != leader && *i != follower).unwrap();
    c.isolate(target);
    c.step(leader, Event::Handover { to: target, mode }).unwrap();
    // A bad target for a second handover leaves the first one going on.
    refuse(&mut c, leader, 4, &invalid("cannot lead"));
    assert_eq!(c.node(leader).handover().unwrap().to, target, "the first handover goes on");
    // A good one replaces it, as in etcd (issue 11).
    c.step(leader, Event::Handover { to: follower, mode }).unwrap();
    assert_eq!(c.node(leader).handover().unwrap().to, follower, "the second handover replaced the first");
}
