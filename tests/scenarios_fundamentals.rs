//! The fundamentals library (src/scenario/library/fundamentals.rs): each
//! built-in scenario is run exactly as the CLI runs it, and its teaching point
//! is asserted from the trace: the refusal code and its figures, the handover
//! outcome, who leads at the end. Every run must also be free of violations,
//! reach its `run_until`, and have every pause land on an event.

mod presentation;

use std::collections::{BTreeMap, BTreeSet};

use quorumscope::core::{
    CpEntry, HandoverFailure, HandoverResult, MessageKind, NodeId, Phase, Refusal, Term,
};
use quorumscope::scenario::{self, Scenario};
use quorumscope::sim::{Sim, TraceBody, TraceEvent, TraceRole, WriteRefusal};

/// Steps allowed per run: far more than any scenario of ≤ 600 ticks needs.
const MAX_STEPS: u64 = 1_000_000;

/// A finished run of a built-in scenario.
struct Run {
    scenario: Scenario,
    sim: Sim,
    events: Vec<TraceEvent>,
}

/// Runs built-in `name` to its `run_until` and checks what every
/// fundamentals scenario must satisfy.
fn run(name: &str) -> Run {
    let scenario = scenario::builtin(name).unwrap_or_else(|| panic!("{name} is not a built-in scenario"));
    let mut sim = scenario.build().unwrap_or_else(|e| panic!("{name}: {e}"));
    let events = sim.run_until_tick(scenario.run_until, MAX_STEPS);
    assert!(
        sim.now() >= scenario.run_until,
        "{name}: stopped at tick {} of {}",
        sim.now(),
        scenario.run_until
    );
    let violations: Vec<&TraceEvent> =
        events.iter().filter(|e| matches!(e.body, TraceBody::Violation { .. })).collect();
    assert!(violations.is_empty(), "{name} (seed {}): {violations:#?}", scenario.seed);
    assert_eq!(sim.violations(), 0, "{name}");
    let run = Run { scenario, sim, events };
    presentation::assert_presentable(name, &run.scenario, &run.events, 600);
    run
}

impl Run {
    /// Events matching `pred`, with their positions.
    fn find<'a>(
        &'a self,
        pred: impl Fn(&TraceBody) -> bool + 'a,
    ) -> impl Iterator<Item = (usize, &'a TraceEvent)> + 'a {
        self.events.iter().enumerate().filter(move |(_, e)| pred(&e.body))
    }

    /// Position and event of the first match; panics with `what` otherwise.
    fn first(&self, what: &str, pred: impl Fn(&TraceBody) -> bool) -> (usize, &TraceEvent) {
        self.events
            .iter()
            .enumerate()
            .find(|(_, e)| pred(&e.body))
            .unwrap_or_else(|| panic!("{what}: no such event"))
    }

    /// Every `leader_elected`: (position, node, term).
    fn elections(&self) -> Vec<(usize, NodeId, Term)> {
        self.find(|b| matches!(b, TraceBody::LeaderElected { .. }))
            .map(|(i, e)| match e.body {
                TraceBody::LeaderElected { node, term, .. } => (i, node, term),
                _ => unreachable!(),
            })
            .collect()
    }

    /// Position of the acknowledgement of `value`, and the node that acked it.
    fn acked(&self, value: &str) -> Option<(usize, NodeId)> {
        self.find(|b| matches!(b, TraceBody::WriteAcked { value: v, .. } if v == value)).next().map(
            |(i, e)| match e.body {
                TraceBody::WriteAcked { node, .. } => (i, node),
                _ => unreachable!(),
            },
        )
    }

    /// The value of `key` in node `id`'s store.
    fn kv(&self, id: NodeId, key: &str) -> Option<String> {
        self.sim.nodes()[&id].kv.get(key).map(str::to_string)
    }

    /// The live leader at the end.
    fn final_leader(&self) -> NodeId {
        self.sim.leader().unwrap_or_else(|| panic!("{}: no leader at the end", self.scenario.title))
    }

    /// Every handover outcome, as the trace reports it.
    fn outcomes(&self) -> Vec<&TraceBody> {
        self.find(|b| matches!(b, TraceBody::HandoverOutcome { .. })).map(|(_, e)| &e.body).collect()
    }

    /// The handover phases in order, repeated catch-up reports folded into one.
    fn phases(&self) -> Vec<(Phase, u64, u64)> {
        let mut out: Vec<(Phase, u64, u64)> = Vec::new();
        for (_, e) in self.find(|b| matches!(b, TraceBody::HandoverPhase { .. })) {
            if let TraceBody::HandoverPhase { phase, frontier, reached, .. } = e.body {
                if out.last().is_none_or(|(p, _, _)| *p != phase) {
                    out.push((phase, frontier, reached));
                }
            }
        }
        out
    }

    /// Position of the first `crash` / `restart` of `id`.
    fn crash_of(&self, id: NodeId) -> usize {
        self.first("crash", |b| matches!(b, TraceBody::Crash { node } if *node == id)).0
    }
    fn restart_of(&self, id: NodeId) -> usize {
        self.first("restart", |b| matches!(b, TraceBody::Restart { node } if *node == id)).0
    }
}

fn refusal(body: &TraceBody) -> Option<(NodeId, NodeId, Term, &Refusal)> {
    match body {
        TraceBody::VoteRefused { voter, candidate, term, reason, .. }
        | TraceBody::ProbeRefused { voter, candidate, term, reason, .. } => {
            Some((*voter, *candidate, *term, reason))
        }
        _ => None,
    }
}

// ---- Elections --------------------------------------------------------------

#[test]
fn first_election_probes_then_elects_one_leader_with_a_noop() {
    let r = run("first-election");
    let (probe, _) = r.first("a granted probe", |b| matches!(b, TraceBody::ProbeGranted { .. }));
    let (bump, _) = r.first("a term change", |b| matches!(b, TraceBody::TermChanged { .. }));
    assert!(probe < bump, "a probe majority comes before any term is raised");
    let elections = r.elections();
    assert_eq!(elections.len(), 1, "{elections:?}");
    let (at, leader, term) = elections[0];
    assert_eq!(term, 1);
    // The no-op of its term is the leader's first entry (Raft §8).
    let (_, noop) = r.first(
        "the leader's no-op",
        |b| matches!(b, TraceBody::EntryAppended { node, .. } if *node == leader),
    );
    assert!(matches!(noop.body, TraceBody::EntryAppended { index: 1, term: 1, .. }));
    assert!(r.events[..at].iter().all(|e| !matches!(e.body, TraceBody::EntryAppended { .. })));
    assert!(r.acked("x=1").is_some());
    assert_eq!(r.final_leader(), leader);
}

#[test]
fn split_vote_equal_timers_collide_until_delays_break_the_tie() {
    let r = run("split-vote");
    let [low, high] = r.scenario.cluster.election_ticks;
    assert_eq!(low, high, "Figure 16: no randomness in the timeout");
    let candidates = |term: Term| -> BTreeSet<NodeId> {
        r.find(
            |b| matches!(b, TraceBody::RoleChanged { role: TraceRole::Candidate, term: t, .. } if *t == term),
        )
        .map(|(_, e)| match e.body {
            TraceBody::RoleChanged { node, .. } => node,
            _ => unreachable!(),
        })
        .collect()
    };
    for term in [1, 2] {
        assert!(candidates(term).len() >= 2, "term {term}: {:?} stood", candidates(term));
        let already_voted: Vec<_> = r
            .find(|b| {
                matches!(refusal(b), Some((_, c, t, Refusal::AlreadyVoted { term: vt, voted_for }))
                    if t == term && *vt == term && *voted_for != c)
            })
            .collect();
        assert!(already_voted.len() >= 2, "term {term}: one vote per term refuses the other candidates");
    }
    let elections = r.elections();
    assert!(elections.iter().all(|(_, _, term)| *term >= 3), "terms 1 and 2 are split: {elections:?}");
    assert_eq!(elections.len(), 1, "{elections:?}");
    assert_eq!(elections[0].2, 3, "the explanation says term 3");
    assert_eq!(r.final_leader(), elections[0].1);
    assert!(r.acked("x=1").is_some());
}

#[test]
fn leader_crash_reelects_in_a_higher_term_and_keeps_the_acked_write() {
    let r = run("leader-crash");
    let elections = r.elections();
    let (_, old, old_term) = elections[0];
    assert_eq!(old, 4, "the script restarts node 4, the crashed leader");
    let crash = r.crash_of(old);
    let (acked_at, _) = r.acked("x=1").expect("x=1 acknowledged");
    assert!(acked_at < crash, "x=1 is acknowledged before the crash");
    let (_, new, new_term) =
        *elections.iter().find(|(i, _, _)| *i > crash).expect("a leader is elected after the crash");
    assert_ne!(new, old);
    assert!(new_term > old_term);
    assert_eq!(r.final_leader(), new);
    assert!(r.acked("y=2").is_some_and(|(_, by)| by == new));
    assert!(r.restart_of(old) > crash);
    let back = r.sim.node(old).expect("old leader restarted");
    assert_eq!((back.term(), back.leader()), (new_term, Some(new)), "the old leader follows the new one");
    for id in 1..=5 {
        assert_eq!(r.kv(id, "x").as_deref(), Some("1"), "node {id} lost x=1");
        assert_eq!(r.kv(id, "y").as_deref(), Some("2"), "node {id} lacks y=2");
    }
}

#[test]
fn minority_partition_keeps_its_term_and_never_deposes_the_leader() {
    let r = run("minority-partition");
    assert!(r.scenario.switches.pre_vote);
    let elections = r.elections();
    assert_eq!(elections.len(), 1, "one leader for the whole run: {elections:?}");
    let (_, leader, term) = elections[0];
    assert_ne!(leader, 5);
    assert_eq!(r.find(|b| matches!(b, TraceBody::LeaderDeposed { .. })).count(), 0);
    let (cut, _) = r.first("the partition", |b| matches!(b, TraceBody::Partition { .. }));
    // Node 5 keeps probing while cut off; the probes die on the cut.
    let lost_probes = r
        .find(|b| matches!(b, TraceBody::MessageDropped { from: 5, msg: MessageKind::Probe, cause, .. } if cause == "cut"))
        .count();
    assert!(lost_probes >= 3, "node 5 probed {lost_probes} times across the cut");
    // ...yet its term never moves, and it never stands.
    assert!(r.events[cut..].iter().all(|e| !matches!(
        e.body,
        TraceBody::TermChanged { node: 5, .. }
            | TraceBody::RoleChanged { node: 5, role: TraceRole::Candidate, .. }
    )));
    assert_eq!(r.sim.node(5).unwrap().term(), term);
    // After the heal the voters refuse its probe: they hear from a live leader.
    let (heal, _) = r.first("the heal", |b| matches!(b, TraceBody::Heal { .. }));
    let sticky = r
        .find(|b| matches!(refusal(b), Some((_, 5, _, Refusal::LeaderActive { leader: l })) if *l == leader))
        .filter(|(i, _)| *i > heal)
        .count();
    assert!(sticky >= 3, "the voters refuse node 5 with leader_active ({sticky})");
    assert!(r.events[cut..].iter().all(|e| !matches!(e.body, TraceBody::ProbeGranted { candidate: 5, .. })));
    assert_eq!(r.final_leader(), leader);
    assert!(r.acked("y=2").is_some_and(|(_, by)| by == leader));
}

#[test]
fn check_quorum_steps_a_cut_off_leader_down_and_the_majority_moves_on() {
    let r = run("check-quorum");
    let (_, old, old_term) = r.elections()[0];
    assert_eq!((old, old_term), (4, 1), "the partition isolates the leader with node 5");
    let (cut, cut_event) = r.first("the partition", |b| matches!(b, TraceBody::Partition { .. }));
    let (down, down_event) = r.first("the step-down", |b| {
        matches!(b, TraceBody::RoleChanged { node: 4, role: TraceRole::Follower, term: 1, .. })
    });
    assert!(down > cut);
    let timeout_max = r.scenario.cluster.election_ticks[1];
    assert!(down_event.tick - cut_event.tick <= timeout_max, "stepped down at tick {}", down_event.tick);
    assert_eq!(r.find(|b| matches!(b, TraceBody::LeaderDeposed { .. })).count(), 0, "it stepped down itself");
    // Writes to it are turned away once it no longer leads.
    let (rejected, _) = r.first("z=3 rejected", |b| {
        matches!(b, TraceBody::WriteRejected { node: 4, value, reason: WriteRefusal::NotLeader { .. } } if value == "z=3")
    });
    assert!(rejected > down);
    // The write accepted in the window before stepping down never commits.
    assert!(r.acked("y=2").is_none());
    let (heal, _) = r.first("the heal", |b| matches!(b, TraceBody::Heal { .. }));
    let (_, new, new_term) = *r
        .elections()
        .iter()
        .find(|(i, _, _)| *i > cut && *i < heal)
        .expect("the majority elects a leader during the partition");
    assert_eq!((new, new_term), (3, 2), "as the explanation says");
    assert_eq!(r.final_leader(), new);
    assert!(r.acked("w=4").is_some_and(|(_, by)| by == new));
    for id in 1..=5 {
        assert_eq!(r.kv(id, "x").as_deref(), Some("1"), "node {id}");
        assert_eq!(r.kv(id, "y"), None, "node {id} applied the never-acknowledged y=2");
    }
}

#[test]
fn watermark_refusal_turns_down_a_lagging_replica() {
    let r = run("watermark-refusal");
    let (crash, _) = r.first("the leader's crash", |b| matches!(b, TraceBody::Crash { .. }));
    let refusals: Vec<(NodeId, u64, u64)> = r
        .find(|b| matches!(refusal(b), Some((_, 5, _, _))))
        .filter(|(i, _)| *i > crash)
        .map(|(_, e)| match refusal(&e.body) {
            Some((voter, _, _, Refusal::WatermarkNotCovered { candidate_lsn, watermark })) => {
                (voter, *candidate_lsn, *watermark)
            }
            other => panic!("node 5 refused for another reason: {other:?}"),
        })
        .collect();
    let voters: BTreeSet<NodeId> = refusals.iter().map(|(v, _, _)| *v).collect();
    assert!(voters.len() >= 3, "a majority refuses: {refusals:?}");
    for (voter, lsn, watermark) in &refusals {
        assert!(lsn < watermark, "voter {voter}: {lsn} < {watermark}");
        assert_eq!((*lsn, *watermark), (1, 4), "node 5 ends at 1; three writes took the watermark to 4");
    }
    let stood = r.events[crash..]
        .iter()
        .any(|e| matches!(e.body, TraceBody::RoleChanged { node: 5, role: TraceRole::Candidate, .. }));
    assert!(!stood, "node 5 never gets past its probe");
    let (_, new, _) = *r.elections().iter().find(|(i, _, _)| *i > crash).expect("a new leader");
    assert_ne!(new, 5);
    for key in ["a", "b", "c"] {
        assert!(r.kv(5, key).is_some(), "node 5 catches up with {key}");
    }
}

#[test]
fn vote_from_disk_refuses_a_second_candidate_after_a_restart() {
    let r = run("vote-from-disk");
    let crash = r.crash_of(3);
    let restart = r.restart_of(3);
    let (_, grant) = r.first("node 3's grant", |b| matches!(b, TraceBody::VoteGranted { voter: 3, .. }));
    let TraceBody::VoteGranted { candidate: first, term, .. } = grant.body else { unreachable!() };
    assert_eq!((first, term), (1, 1), "as the explanation says");
    assert!(r.find(|b| matches!(b, TraceBody::VoteGranted { voter: 3, .. })).all(|(i, _)| i < crash));
    let (refused_at, refused) = r.first(
        "node 3's refusal after restart",
        |b| matches!(b, TraceBody::VoteRefused { voter: 3, candidate, .. } if *candidate != first),
    );
    assert!(refused_at > restart && restart > crash);
    let TraceBody::VoteRefused { term: asked, reason, .. } = &refused.body else { unreachable!() };
    assert_eq!(*asked, term);
    assert_eq!(*reason, Refusal::AlreadyVoted { term, voted_for: first }, "refused from the durable record");
    assert_eq!(r.sim.nodes()[&3].disk.hard_state.voted_for, Some(first));
    let elections = r.elections();
    assert_eq!(elections.iter().map(|(_, n, t)| (*n, *t)).collect::<Vec<_>>(), vec![(first, term)]);
    assert!(r.acked("x=1").is_some());
}

// ---- Handovers --------------------------------------------------------------

#[test]
fn coordinated_failover_runs_all_four_phases_and_completes() {
    let r = run("coordinated-failover");
    let (_, old, old_term) = r.elections()[0];
    assert_eq!(old, 2, "the failover moves leadership from node 2");
    let phases = r.phases();
    let names: Vec<Phase> = phases.iter().map(|(p, _, _)| *p).collect();
    assert_eq!(names, vec![Phase::Freeze, Phase::CatchUp, Phase::HandOver, Phase::Demote]);
    let (_, frontier, reached) = phases[1];
    assert!(reached < frontier, "not the fast path: node 3 starts behind ({reached} < {frontier})");
    let outcomes = r.outcomes();
    assert_eq!(outcomes.len(), 1);
    let TraceBody::HandoverOutcome {
        result,
        failure,
        from,
        to,
        new_term,
        new_leader,
        frontier: f,
        reached,
        skipped,
        forced,
        ..
    } = outcomes[0].clone()
    else {
        unreachable!()
    };
    assert_eq!((result, failure, from, to, forced), (HandoverResult::Completed, None, 2, 3, false));
    assert_eq!((new_term, new_leader), (Some(old_term + 1), Some(3)));
    assert_eq!((f, reached, skipped), (frontier, frontier, 0));
    let (_, rejected) = r.first("write during the freeze", |b| matches!(b, TraceBody::WriteRejected { .. }));
    assert!(matches!(
        rejected.body,
        TraceBody::WriteRejected { reason: WriteRefusal::HandoverInProgress { to: 3 }, .. }
    ));
    assert_eq!(r.final_leader(), 3);
    assert!(r.acked("v=5").is_some_and(|(_, by)| by == 3));
    let old_node = r.sim.node(2).unwrap();
    assert_eq!((old_node.term(), old_node.leader()), (old_term + 1, Some(3)));
    for key in ["x", "y", "z", "v"] {
        assert!(r.kv(3, key).is_some(), "the new leader holds {key}");
    }
}

#[test]
fn failover_aborted_changes_no_term_and_writes_resume() {
    let r = run("failover-aborted");
    let elections = r.elections();
    assert_eq!(elections.len(), 1);
    let (_, leader, term) = elections[0];
    assert_eq!(leader, 2, "the script hands over from node 2");
    let outcomes = r.outcomes();
    assert_eq!(outcomes.len(), 1);
    let TraceBody::HandoverOutcome {
        result,
        failure,
        to,
        new_term,
        new_leader,
        frontier,
        reached,
        skipped,
        waited,
        ..
    } = outcomes[0].clone()
    else {
        unreachable!()
    };
    assert_eq!((result, failure), (HandoverResult::Aborted, Some(HandoverFailure::CatchUpTimedOut)));
    assert_eq!((to, new_term, new_leader, skipped), (3, None, None, 0));
    assert!(reached < frontier, "the target never reached the frontier");
    assert_eq!(
        Some(waited),
        r.scenario.script.iter().find_map(|s| match &s.command {
            quorumscope::sim::Command::Failover { deadline_ticks, .. } => *deadline_ticks,
            _ => None,
        })
    );
    let (outcome_at, _) = r.first("the outcome", |b| matches!(b, TraceBody::HandoverOutcome { .. }));
    let (freeze_at, _) = r.first("the freeze", |b| matches!(b, TraceBody::HandoverPhase { .. }));
    assert!(
        r.events[freeze_at..]
            .iter()
            .all(|e| !matches!(e.body, TraceBody::TermChanged { .. } | TraceBody::LeaderDeposed { .. })),
        "no term changes"
    );
    assert!(
        r.find(|b| matches!(
            b,
            TraceBody::WriteRejected { reason: WriteRefusal::HandoverInProgress { .. }, .. }
        ))
        .count()
            == 1
    );
    let (acked_at, by) = r.acked("w=4").expect("w=4 acknowledged");
    assert!(acked_at > outcome_at && by == leader, "the old leader takes writes again");
    assert_eq!(r.final_leader(), leader);
    for id in 1..=3 {
        assert_eq!(r.sim.node(id).unwrap().term(), term, "node {id}");
    }
}

#[test]
fn forced_failover_skips_only_the_uncommitted_tail() {
    let r = run("forced-failover-skip");
    let (_, old, old_term) = r.elections()[0];
    assert_eq!(old, 2);
    let outcomes = r.outcomes();
    assert_eq!(outcomes.len(), 1);
    let TraceBody::HandoverOutcome {
        result,
        to,
        new_term,
        new_leader,
        frontier,
        reached,
        skipped,
        forced,
        ..
    } = outcomes[0].clone()
    else {
        unreachable!()
    };
    assert_eq!((result, forced, to), (HandoverResult::Completed, true, 3));
    assert_eq!((new_term, new_leader), (Some(old_term + 1), Some(3)));
    assert!(skipped > 0 && skipped == frontier - reached, "skipped {skipped} = {frontier} − {reached}");
    // The old leader, holding the tail, refuses; the others elect node 3 anyway.
    assert!(r.find(|b| matches!(refusal(b), Some((2, 3, _, Refusal::LogBehind { .. })))).count() >= 1);
    for value in ["tail=1", "tail=2"] {
        assert!(r.acked(value).is_none(), "{value} was never acknowledged");
    }
    assert!(r.acked("y=2").is_some_and(|(_, by)| by == 3));
    assert_eq!(r.final_leader(), 3);
    for id in 1..=3 {
        assert_eq!(r.kv(id, "x").as_deref(), Some("1"), "node {id} keeps the acknowledged x=1");
        assert_eq!(r.kv(id, "tail"), None, "node {id} applied a skipped entry");
    }
}

#[test]
fn forced_failover_refused_by_the_watermark_then_a_normal_election() {
    let r = run("forced-failover-refused");
    let (handed_over, _) =
        r.first("the hand-over", |b| matches!(b, TraceBody::HandoverPhase { phase: Phase::HandOver, .. }));
    let refusals: Vec<&Refusal> = r
        .find(|b| matches!(refusal(b), Some((_, 3, _, _))))
        .filter(|(i, _)| *i > handed_over)
        .map(|(_, e)| refusal(&e.body).unwrap().3)
        .collect();
    assert!(!refusals.is_empty());
    assert!(refusals
        .iter()
        .all(|x| matches!(x, Refusal::WatermarkNotCovered { .. } | Refusal::LogBehind { .. })));
    assert!(refusals.iter().any(|x| matches!(x, Refusal::WatermarkNotCovered { candidate_lsn, watermark } if candidate_lsn < watermark)));
    let outcomes = r.outcomes();
    assert_eq!(outcomes.len(), 1);
    let TraceBody::HandoverOutcome { result, failure, to, new_leader, new_term, forced, .. } =
        outcomes[0].clone()
    else {
        unreachable!()
    };
    assert_eq!(
        (result, failure, to, forced),
        (HandoverResult::Refused, Some(HandoverFailure::OtherLeaderElected), 3, true)
    );
    let elected = new_leader.expect("a normal election elected someone");
    assert_eq!(elected, 1, "as the explanation says");
    assert!(r.elections().iter().all(|(_, n, _)| *n != 3), "node 3 never leads");
    assert!(r.elections().iter().any(|(_, n, t)| *n == elected && Some(*t) == new_term));
    assert_eq!(r.final_leader(), elected);
    for id in 1..=3 {
        assert_eq!(r.kv(id, "y").as_deref(), Some("2"), "node {id}: the acknowledged y=2 survives");
    }
    assert!(r.acked("z=3").is_some());
}

// ---- Witness, learners, membership ----------------------------------------------

#[test]
fn witness_breaks_the_tie_and_the_trade_off_is_stated() {
    let r = run("witness-tiebreaker");
    assert!(
        r.scenario.explain.to_lowercase().contains("one data copy"),
        "the durability trade-off is stated"
    );
    let (_, old, _) = r.elections()[0];
    assert_eq!(old, 2, "the explanation has data node 2 lead, then crash");
    let crash = r.crash_of(old);
    let restart = r.restart_of(old);
    let (_, new, term) = *r.elections().iter().find(|(i, _, _)| *i > crash).expect("re-election");
    assert_eq!(new, if old == 1 { 2 } else { 1 }, "the other data node");
    assert!(r.find(|b| matches!(b, TraceBody::VoteGranted { voter: 3, candidate, term: t, .. } if *candidate == new && *t == term)).count() == 1);
    let (acked_at, by) = r.acked("y=2").expect("y=2 acknowledged");
    assert!(
        by == new && crash < acked_at && acked_at < restart,
        "committed while the other data node is down"
    );
    // The witness held metadata only: it never applies a value.
    assert_eq!(r.find(|b| matches!(b, TraceBody::Applied { node: 3, .. })).count(), 0);
    assert!(r.sim.nodes()[&3].kv.is_empty());
    assert_eq!(
        r.find(|b| matches!(b, TraceBody::RoleChanged { node: 3, role: TraceRole::Candidate, .. })).count(),
        0
    );
    assert_eq!(r.kv(old, "y").as_deref(), Some("2"), "the restarted node copies y=2");
}

#[test]
fn learner_replicates_without_voting_and_is_promoted() {
    let r = run("learner-promoted");
    let (promoted_at, _) = r.first("node 4's promotion", |b| {
        matches!(b, TraceBody::MembershipChanged { voters, learners, .. } if voters.contains(&4) && !learners.contains(&4))
    });
    let before = &r.events[..promoted_at];
    for e in before {
        match &e.body {
            TraceBody::ProbeGranted { voter: 4, .. } | TraceBody::VoteGranted { voter: 4, .. } => {
                panic!("the learner voted: {e:?}")
            }
            b => {
                if let Some((4, _, _, reason)) = refusal(b) {
                    assert_eq!(*reason, Refusal::NotVoter);
                }
            }
        }
        let stands = matches!(
            &e.body,
            TraceBody::MessageSent { from: 4, msg: MessageKind::Probe | MessageKind::Vote, .. }
        );
        assert!(!stands, "the learner never stands: {e:?}");
    }
    let skipped = r.first(
        "timeout_now on the learner",
        |b| matches!(b, TraceBody::CommandSkipped { command, .. } if command == "timeout_now"),
    );
    assert!(skipped.0 < promoted_at);
    // With node 2 down, two of the three voters elect; node 4 is not counted.
    assert_eq!(r.elections()[0].1, 2, "leader 2 is the one that crashes");
    let crash = r.crash_of(2);
    let (elected_at, new, _) = *r.elections().iter().find(|(i, _, _)| *i > crash).expect("re-election");
    assert!(elected_at < promoted_at && new != 4);
    // It receives replication before it is promoted.
    assert!(before.iter().any(|e| matches!(e.body, TraceBody::EntryAppended { node: 4, .. })));
    assert!(
        r.find(|b| matches!(b, TraceBody::MembershipChanged { node: 4, voters, .. } if voters.contains(&4)))
            .count()
            >= 1
    );
    let leader = r.final_leader();
    assert!(r.sim.node(leader).unwrap().membership().is_voter(4));
    assert!(r.acked("y=2").is_some());
}

/// A membership as the trace reports it: (voters, learners, joint).
type Shape = (Vec<NodeId>, Vec<NodeId>, Option<Vec<NodeId>>);

/// Every membership the leader `id` adopted.
fn leader_memberships(r: &Run, id: NodeId) -> Vec<Shape> {
    r.find(|b| matches!(b, TraceBody::MembershipChanged { node, .. } if *node == id))
        .map(|(_, e)| match &e.body {
            TraceBody::MembershipChanged { voters, learners, joint, .. } => {
                (voters.clone(), learners.clone(), joint.clone())
            }
            _ => unreachable!(),
        })
        .collect()
}

#[test]
fn add_then_remove_a_server_one_change_at_a_time() {
    let r = run("add-remove-server");
    let elections = r.elections();
    assert_eq!(elections.len(), 1, "membership changes need no election");
    let leader = elections[0].1;
    assert_ne!(leader, 1, "the scenario removes a follower");
    let changes = leader_memberships(&r, leader);
    assert_eq!(
        changes,
        vec![(vec![1, 2, 3], vec![4], None), (vec![1, 2, 3, 4], vec![], None), (vec![2, 3, 4], vec![], None),]
    );
    let (_, skipped) = r.first(
        "the second change",
        |b| matches!(b, TraceBody::CommandSkipped { command, .. } if command == "add_server"),
    );
    assert_eq!(skipped.tick, 41, "refused while node 4's entry is uncommitted");
    assert!(!r.sim.nodes().contains_key(&5));
    assert!(r.acked("y=2").is_some());
    let m = r.sim.node(leader).unwrap().membership();
    assert!(!m.contains(1) && m.is_voter(4));
}

#[test]
fn joint_consensus_enters_and_leaves_joint_automatically() {
    let r = run("joint-consensus");
    let leader = r.elections()[0].1;
    assert_eq!(leader, 4, "the pauses follow leader 4, which stays in the new configuration");
    let changes = leader_memberships(&r, leader);
    assert_eq!(
        changes,
        vec![(vec![2, 3, 4], vec![], Some(vec![1, 2, 3, 4, 5])), (vec![2, 3, 4], vec![], None)],
        "joint first, then the new configuration alone"
    );
    assert_eq!(
        r.scenario.script.iter().filter(|s| s.command.name() == "change_voters").count(),
        1,
        "leaving joint is automatic"
    );
    // Every member saw the joint configuration, and the survivors left it.
    for id in 1..=5 {
        assert!(
            r.find(|b| matches!(b, TraceBody::MembershipChanged { node, joint: Some(_), .. } if *node == id))
                .count()
                == 1
        );
    }
    for id in [2, 3, 4] {
        assert!(!r.sim.node(id).unwrap().membership().is_joint(), "node {id}");
    }
    assert_eq!(r.elections().len(), 1);
    assert!(r.acked("y=2").is_some() && r.acked("z=3").is_some());
}

// ---- Snapshots and the control plane --------------------------------------------

#[test]
fn snapshot_catch_up_installs_the_leaders_snapshot() {
    let r = run("snapshot-catch-up");
    assert!(r.scenario.cluster.snapshot_threshold > 0);
    let leader = r.elections()[0].1;
    assert_ne!(leader, 1);
    let crash = r.crash_of(1);
    let restart = r.restart_of(1);
    let last_before_crash = r.events[..crash]
        .iter()
        .filter_map(|e| match e.body {
            TraceBody::EntryAppended { node: 1, index, .. } => Some(index),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let (taken_at, taken) = r.first(
        "the leader's snapshot",
        |b| matches!(b, TraceBody::SnapshotTaken { node, .. } if *node == leader),
    );
    let TraceBody::SnapshotTaken { index: compacted, .. } = taken.body else { unreachable!() };
    assert!(
        crash < taken_at && taken_at < restart && compacted > last_before_crash + 1,
        "compacted what node 1 needs"
    );
    assert_eq!(compacted, 4, "as the explanation says");
    let (installed_at, installed) =
        r.first("node 1 installs", |b| matches!(b, TraceBody::SnapshotInstalled { node: 1, .. }));
    assert!(installed_at > restart);
    let TraceBody::SnapshotInstalled { index, .. } = installed.body else { unreachable!() };
    assert!(index >= compacted);
    // The compacted entries reached node 1 only through the snapshot.
    assert!(r.events[restart..]
        .iter()
        .all(|e| !matches!(e.body, TraceBody::EntryAppended { node: 1, index: i, .. } if i <= index)));
    for key in ["a", "b", "c", "d", "e", "f", "g"] {
        assert!(r.kv(1, key).is_some(), "node 1 lacks {key}");
    }
}

#[test]
fn control_plane_epochs_increase_stale_ones_and_followers_refuse() {
    let r = run("control-plane");
    let mut epochs: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (_, e) in r.find(|b| matches!(b, TraceBody::CpAppended { .. })) {
        if let TraceBody::CpAppended { entry: CpEntry::Ownership { range, epoch, .. }, .. } = &e.body {
            epochs.entry(range.clone()).or_default().push(*epoch);
        }
    }
    assert_eq!(epochs.len(), 2, "two ranges: {epochs:?}");
    assert_eq!(epochs["users:[0,1000)"], vec![1, 2, 3]);
    for (range, list) in &epochs {
        assert!(list.windows(2).all(|w| w[0] < w[1]), "{range}: {list:?}");
    }
    let refusals: Vec<(u64, NodeId, Option<NodeId>, &CpEntry)> = r
        .find(|b| matches!(b, TraceBody::CpRefused { .. }))
        .map(|(_, e)| match &e.body {
            TraceBody::CpRefused { node, leader, entry, .. } => (e.tick, *node, *leader, entry),
            _ => unreachable!(),
        })
        .collect();
    let stale: Vec<_> =
        refusals.iter().filter(|(_, _, _, e)| matches!(e, CpEntry::Ownership { epoch: 2, .. })).collect();
    assert_eq!(stale.len(), 2, "epoch 2 refused twice, before and after the leader change: {refusals:?}");
    let leaders: BTreeSet<NodeId> = stale.iter().map(|(_, node, _, _)| *node).collect();
    assert_eq!(leaders.len(), 2, "two different leaders refuse it");
    let first_leader = r.elections()[0].1;
    let (_, follower, hint, _) = *refusals
        .iter()
        .find(|(_, node, _, _)| !leaders.contains(node))
        .expect("a follower refuses with a hint");
    assert_ne!(follower, first_leader);
    assert_eq!(hint, Some(first_leader), "the hint names the leader");
    assert!(r.find(|b| matches!(b, TraceBody::CpAppended { entry: CpEntry::Admit(4), .. })).count() == 1);
}
