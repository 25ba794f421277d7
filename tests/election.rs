//! Election, one event at a time (PROTOCOL.md §2, §3 and §10), in the manner
//! of openraft's engine tests: build a state, feed ONE event, then assert the
//! new state and the exact list of actions it produced.
//!
//! States are built by hand (`Node::new`, or `Node::restart` from a chosen
//! `DurableState`) and messages are written out in full, so every figure in
//! a reply is visible in the test. Whole-cluster behaviour (check quorum,
//! pre-vote under isolation, witnesses committing) uses `tests/common`.

mod common;

use common::{bytes, data, Cluster};
use quorumscope::core::{
    Action, Body, Config, Decision, DurableState, Entry, Event, HardState, Index, Member, Message, Node,
    NodeId, Payload, Persist, Refusal, Role, Term, VoteReport,
};

const SEED: u64 = 7;

// ---- Building states and messages -------------------------------------------

fn config(id: NodeId, members: &[Member]) -> Config {
    let mut cfg = Config::new(id, members.to_vec());
    cfg.seed = SEED;
    cfg
}

fn fresh(id: NodeId, members: &[Member]) -> Node {
    Node::new(config(id, members)).expect("valid config")
}

/// A node restarted from a disk holding `hard_state` and one entry per term
/// in `log_terms` (index 1 first).
fn restored(id: NodeId, members: &[Member], hard_state: HardState, log_terms: &[Term]) -> Node {
    let entries = log_terms
        .iter()
        .enumerate()
        .map(|(i, term)| Entry { index: i as Index + 1, term: *term, payload: Payload::Write(bytes("x")) })
        .collect();
    let disk = DurableState { hard_state, snapshot: None, entries };
    Node::restart(config(id, members), disk).expect("restart").0
}

fn hard(term: Term, voted_for: Option<NodeId>, commit: Index) -> HardState {
    HardState { term, voted_for, commit }
}

/// The voter of §3.4's examples: term 5, log 1..=40 of term 2 and 41..=46 of
/// term 5, commit watermark 45, no vote, no live leader.
fn watermark_voter() -> Node {
    let mut terms = vec![2; 40];
    terms.extend([5; 6]);
    restored(2, &data(&[1, 2, 3]), hard(5, None, 45), &terms)
}

fn message(from: NodeId, to: NodeId, term: Term, body: Body) -> Message {
    Message { from, to, term, body }
}

fn receive(from: NodeId, to: NodeId, term: Term, body: Body) -> Event {
    Event::Message(message(from, to, term, body))
}

fn send(from: NodeId, to: NodeId, term: Term, body: Body) -> Action {
    Action::Send(message(from, to, term, body))
}

fn persist(term: Term, voted_for: Option<NodeId>, commit: Index) -> Action {
    Action::Persist(Persist::HardState(hard(term, voted_for, commit)))
}

fn vote(last_index: Index, last_term: Term) -> Body {
    Body::Vote { last_index, last_term, transfer: false, force: false }
}

fn probe(last_index: Index, last_term: Term) -> Body {
    Body::Probe { last_index, last_term }
}

fn vote_reply(decision: Decision) -> Body {
    Body::VoteReply { decision }
}

fn refused(r: Refusal) -> Body {
    vote_reply(Decision::Refused(r))
}

fn probe_reply(decision: Decision) -> Body {
    Body::ProbeReply { decision }
}

/// The core's report of judging `request` from `candidate` for `asked_term`,
/// with every log guard applied.
fn judged(candidate: NodeId, asked_term: Term, request: &Body) -> Action {
    let (probe, last_index, last_term) = match request {
        Body::Probe { last_index, last_term } => (true, *last_index, *last_term),
        Body::Vote { last_index, last_term, .. } => (false, *last_index, *last_term),
        other => panic!("not a request: {other:?}"),
    };
    Action::Voted(VoteReport {
        candidate,
        probe,
        asked_term,
        last_index,
        last_term,
        guarded: true,
        forced_past_guards: false,
    })
}

fn heartbeat(prev_index: Index, prev_term: Term, commit: Index) -> Body {
    Body::Append { prev_index, prev_term, entries: Vec::new(), commit }
}

/// Ticks until the election timer fires and returns that tick's actions;
/// every earlier tick must emit nothing and the timer must fire exactly at
/// its drawn timeout.
fn fire_election_timer(node: &mut Node) -> Vec<Action> {
    let (elapsed, timeout) = node.election_timer();
    for _ in elapsed + 1..timeout {
        assert_eq!(node.step(Event::Tick).unwrap(), vec![], "nothing happens before the timeout");
    }
    node.step(Event::Tick).unwrap()
}

/// Node 1 of {1, 2, 3} after its probe won: a candidate in term 1 whose
/// vote for itself is durable.
fn candidate() -> Node {
    let mut node = fresh(1, &data(&[1, 2, 3]));
    fire_election_timer(&mut node);
    node.step_synced(receive(2, 1, 1, probe_reply(Decision::Granted))).unwrap();
    assert_eq!(node.role(), Role::Candidate);
    node
}

/// The watermark voter after a heartbeat from leader 1 in its term 5.
fn sticky_voter() -> Node {
    let mut node = watermark_voter();
    node.step(receive(1, 2, 5, heartbeat(46, 5, 45))).unwrap();
    assert_eq!(node.leader(), Some(1));
    node
}

// ---- §3.2 Probes -------------------------------------------------------------

/// §3.2: a prober sends only probes for term + 1; it bumps and persists nothing.
#[test]
fn probe_changes_nothing_on_the_prober() {
    let mut node = restored(1, &data(&[1, 2, 3]), hard(3, Some(3), 2), &[1, 3]);
    let before = node.hard_state();

    let actions = fire_election_timer(&mut node);

    assert_eq!(actions, vec![send(1, 2, 4, probe(2, 3)), send(1, 3, 4, probe(2, 3))]);
    assert!(node.is_probing());
    assert_eq!((node.term(), node.voted_for(), node.hard_state()), (3, Some(3), before));
}

/// §3.2: a voter answers a probe with no Persist, keeping its term and vote.
#[test]
fn probe_changes_nothing_on_the_voter() {
    let mut node = restored(2, &data(&[1, 2, 3]), hard(3, Some(3), 2), &[1, 3]);
    let before = node.hard_state();

    let actions = node.step(receive(1, 2, 4, probe(2, 3))).unwrap();

    // The reply echoes the proposed term; the voter stays in term 3.
    assert_eq!(actions, vec![judged(1, 4, &probe(2, 3)), send(2, 1, 4, probe_reply(Decision::Granted))]);
    assert_eq!((node.term(), node.voted_for(), node.hard_state()), (3, Some(3), before));
}

/// §3.2: a refused probe is answered with its reason, still without persisting.
#[test]
fn refused_probe_reports_its_reason_and_persists_nothing() {
    let mut node = watermark_voter();

    let actions = node.step(receive(1, 2, 6, probe(41, 5))).unwrap();

    let reason = Refusal::WatermarkNotCovered { candidate_lsn: 41, watermark: 45 };
    assert_eq!(
        actions,
        vec![judged(1, 6, &probe(41, 5)), send(2, 1, 6, probe_reply(Decision::Refused(reason)))]
    );
    assert_eq!((node.term(), node.voted_for()), (5, None));
}

/// §3.2: probe refusals from a majority start no election and bump no term.
#[test]
fn probe_minority_starts_nothing() {
    let mut node = fresh(1, &data(&[1, 2, 3]));
    fire_election_timer(&mut node);
    let no = Decision::Refused(Refusal::LeaderActive { leader: 3 });

    let first = node.step(receive(2, 1, 1, probe_reply(no.clone()))).unwrap();
    let second = node.step(receive(3, 1, 1, probe_reply(no))).unwrap();

    assert_eq!((first, second), (vec![], vec![]));
    assert_eq!((node.term(), node.voted_for(), node.role()), (0, None, Role::Follower));
}

// ---- §3.3 The real election ----------------------------------------------------

/// §3.3, §2: after a probe majority: term + 1, vote for self, persist, then send.
#[test]
fn probe_majority_starts_the_election_persisting_before_sending() {
    let mut node = fresh(1, &data(&[1, 2, 3]));
    fire_election_timer(&mut node);

    let actions = node.step(receive(2, 1, 1, probe_reply(Decision::Granted))).unwrap();

    assert_eq!(actions, vec![persist(1, Some(1), 0), send(1, 2, 1, vote(0, 0)), send(1, 3, 1, vote(0, 0))]);
    let persisted = actions.iter().position(|a| matches!(a, Action::Persist(_))).unwrap();
    let first_vote = actions.iter().position(|a| matches!(a, Action::Send(_))).unwrap();
    assert!(persisted < first_vote, "the vote is durable before any request leaves");
    assert_eq!((node.term(), node.voted_for(), node.role()), (1, Some(1), Role::Candidate));
    assert_eq!(node.hard_state(), hard(1, Some(1), 0));
}

/// §3.3, §10 pre_vote: with pre-vote off the timer starts the real election at once.
#[test]
fn without_pre_vote_the_timer_starts_the_election() {
    let mut cfg = config(1, &data(&[1, 2, 3]));
    cfg.switches.pre_vote = false;
    let mut node = Node::new(cfg).unwrap();

    let actions = fire_election_timer(&mut node);

    assert_eq!(actions, vec![persist(1, Some(1), 0), send(1, 2, 1, vote(0, 0)), send(1, 3, 1, vote(0, 0))]);
    assert_eq!((node.term(), node.role()), (1, Role::Candidate));
}

// ---- §3.4 The vote rule, each refusal through a real node ----------------------

/// §3.4.1: a candidate below the watermark is refused with both figures.
#[test]
fn refuses_a_candidate_below_the_watermark() {
    let mut node = watermark_voter();

    let actions = node.step(receive(3, 2, 6, vote(41, 5))).unwrap();

    // No live leader: the higher term is adopted (and persisted first).
    let reason = Refusal::WatermarkNotCovered { candidate_lsn: 41, watermark: 45 };
    assert_eq!(
        actions,
        vec![judged(3, 6, &vote(41, 5)), persist(6, None, 45), send(2, 3, 6, refused(reason))]
    );
    assert_eq!((node.term(), node.voted_for()), (6, None));
}

/// §3.4: the watermark rule comes first: below it AND stale gets WatermarkNotCovered.
#[test]
fn watermark_is_reported_before_a_stale_term() {
    let mut node = watermark_voter();

    let actions = node.step(receive(3, 2, 3, vote(41, 2))).unwrap();

    let reason = Refusal::WatermarkNotCovered { candidate_lsn: 41, watermark: 45 };
    assert_eq!(actions, vec![judged(3, 3, &vote(41, 2)), send(2, 3, 5, refused(reason))]);
    assert_eq!((node.term(), node.voted_for()), (5, None));
}

/// §3.4.2: a request for an older term is refused with both terms.
#[test]
fn refuses_a_stale_term() {
    let mut node = watermark_voter();

    let actions = node.step(receive(3, 2, 4, vote(46, 4))).unwrap();

    let reason = Refusal::StaleTerm { candidate_term: 4, voter_term: 5 };
    assert_eq!(actions, vec![judged(3, 4, &vote(46, 4)), send(2, 3, 5, refused(reason))]);
    assert_eq!((node.term(), node.voted_for()), (5, None));
}

/// §3.4.3: a candidate whose log is less up to date is refused with both ends.
#[test]
fn refuses_a_candidate_whose_log_is_behind() {
    let mut node = watermark_voter();

    let actions = node.step(receive(3, 2, 6, vote(45, 5))).unwrap();

    let reason = Refusal::LogBehind {
        candidate_last_term: 5,
        candidate_last_index: 45,
        voter_last_term: 5,
        voter_last_index: 46,
    };
    assert_eq!(
        actions,
        vec![judged(3, 6, &vote(45, 5)), persist(6, None, 45), send(2, 3, 6, refused(reason))]
    );
    assert_eq!((node.term(), node.voted_for()), (6, None));
}

/// §3.4.4: one vote per term; the same candidate asking again is granted again.
#[test]
fn one_vote_per_term_and_the_same_candidate_is_granted_again() {
    let mut node = restored(2, &data(&[1, 2, 3]), hard(6, Some(3), 45), &[2; 46]);

    let other = node.step(receive(1, 2, 6, vote(46, 2))).unwrap();
    assert_eq!(
        other,
        vec![
            judged(1, 6, &vote(46, 2)),
            send(2, 1, 6, refused(Refusal::AlreadyVoted { term: 6, voted_for: 3 }))
        ]
    );
    assert_eq!((node.term(), node.voted_for()), (6, Some(3)));

    let same = node.step(receive(3, 2, 6, vote(46, 2))).unwrap();
    assert_eq!(
        same,
        vec![
            judged(3, 6, &vote(46, 2)),
            persist(6, Some(3), 45),
            send(2, 3, 6, vote_reply(Decision::Granted))
        ]
    );
    assert_eq!((node.term(), node.voted_for()), (6, Some(3)));
}

/// §3.4.5: a voter that heard from a live leader refuses with LeaderActive.
#[test]
fn refuses_while_a_leader_is_live() {
    let mut node = sticky_voter();

    let actions = node.step(receive(3, 2, 6, vote(46, 5))).unwrap();

    assert_eq!(
        actions,
        vec![judged(3, 6, &vote(46, 5)), send(2, 3, 5, refused(Refusal::LeaderActive { leader: 1 }))]
    );
    assert_eq!((node.term(), node.voted_for(), node.leader()), (5, None, Some(1)));
}

/// §3.4.5: stickiness lasts exactly election_ticks_min ticks after the leader's contact.
#[test]
fn stickiness_expires_after_election_ticks_min() {
    let mut node = sticky_voter();
    for _ in 1..node.config().election_ticks_min {
        node.step(Event::Tick).unwrap();
    }
    let still_live = node.clone().step(receive(3, 2, 6, vote(46, 5))).unwrap();
    assert_eq!(
        still_live,
        vec![judged(3, 6, &vote(46, 5)), send(2, 3, 5, refused(Refusal::LeaderActive { leader: 1 }))]
    );

    node.step(Event::Tick).unwrap();
    let actions = node.step(receive(3, 2, 6, vote(46, 5))).unwrap();

    assert_eq!(
        actions,
        vec![
            judged(3, 6, &vote(46, 5)),
            persist(6, Some(3), 45),
            send(2, 3, 6, vote_reply(Decision::Granted))
        ]
    );
    assert_eq!((node.term(), node.voted_for()), (6, Some(3)));
}

/// §3.4, §7: a hand-over request bypasses stickiness (and the term is adopted).
#[test]
fn a_transfer_request_bypasses_stickiness() {
    let mut node = sticky_voter();
    let transfer = Body::Vote { last_index: 46, last_term: 5, transfer: true, force: false };

    let actions = node.step(receive(3, 2, 6, transfer.clone())).unwrap();

    assert_eq!(
        actions,
        vec![judged(3, 6, &transfer), persist(6, Some(3), 45), send(2, 3, 6, vote_reply(Decision::Granted))]
    );
    assert_eq!((node.term(), node.voted_for()), (6, Some(3)));
}

/// §1, §3.4: a catching-up learner does not vote: NotVoter.
#[test]
fn a_learner_refuses_with_not_voter() {
    let members = [Member::data(1), Member::data(2), Member::learner(3)];
    let mut node = fresh(3, &members);

    let by_probe = node.step(receive(1, 3, 1, probe(0, 0))).unwrap();
    assert_eq!(
        by_probe,
        vec![judged(1, 1, &probe(0, 0)), send(3, 1, 1, probe_reply(Decision::Refused(Refusal::NotVoter)))]
    );
    assert_eq!(node.term(), 0);

    let by_vote = node.step(receive(1, 3, 1, vote(0, 0))).unwrap();
    assert_eq!(
        by_vote,
        vec![judged(1, 1, &vote(0, 0)), persist(1, None, 0), send(3, 1, 1, refused(Refusal::NotVoter))]
    );
    assert_eq!((node.term(), node.voted_for()), (1, None));
}

// ---- §3.4 Term adoption under stickiness ---------------------------------------

/// §3.4: a voter with a live leader never adopts a refused request's term, whatever the reason.
#[test]
fn a_sticky_voter_never_adopts_the_term_of_a_refused_request() {
    let cases = [
        (vote(46, 5), Refusal::LeaderActive { leader: 1 }),
        (vote(41, 5), Refusal::WatermarkNotCovered { candidate_lsn: 41, watermark: 45 }),
        (
            vote(45, 5),
            Refusal::LogBehind {
                candidate_last_term: 5,
                candidate_last_index: 45,
                voter_last_term: 5,
                voter_last_index: 46,
            },
        ),
    ];
    for (request, reason) in cases {
        let judged_request = judged(3, 9, &request);
        let mut node = sticky_voter();
        let before = node.hard_state();

        let actions = node.step(receive(3, 2, 9, request)).unwrap();

        assert_eq!(actions, vec![judged_request, send(2, 3, 5, refused(reason.clone()))], "{reason:?}");
        assert_eq!((node.term(), node.hard_state(), node.leader()), (5, before, Some(1)), "{reason:?}");
    }
}

// ---- §3.4, §2 A granted vote ----------------------------------------------------

/// §2, §3.4: a grant is persisted (term and vote) before the reply is sent.
#[test]
fn a_granted_vote_is_persisted_before_the_reply() {
    let mut node = watermark_voter();

    let actions = node.step(receive(3, 2, 6, vote(46, 5))).unwrap();

    assert_eq!(
        actions,
        vec![
            judged(3, 6, &vote(46, 5)),
            persist(6, Some(3), 45),
            send(2, 3, 6, vote_reply(Decision::Granted))
        ]
    );
    assert_eq!((node.term(), node.voted_for(), node.hard_state()), (6, Some(3), hard(6, Some(3), 45)));
}

// ---- §3.5 Durable last vote -----------------------------------------------------

/// Node 2 of {1, 2, 3} grants node 1 in term 1, crashes and restarts from its disk.
fn voted_crashed_and_restarted(durable_vote: bool) -> Node {
    let mut cfg = config(2, &data(&[1, 2, 3]));
    cfg.switches.durable_vote = durable_vote;
    let mut node = Node::new(cfg.clone()).unwrap();
    let mut disk = DurableState::default();
    let actions = node.step(receive(1, 2, 1, vote(0, 0))).unwrap();
    assert_eq!(actions[2], send(2, 1, 1, vote_reply(Decision::Granted)));
    for action in &actions {
        if let Action::Persist(write) = action {
            disk.apply(write);
        }
    }
    let (node, replay) = Node::restart(cfg, disk).unwrap();
    assert_eq!(replay, vec![]);
    node
}

/// §3.5: restarted in the same term, a voter refuses a different candidate from its disk.
#[test]
fn a_restarted_voter_remembers_its_vote() {
    let mut node = voted_crashed_and_restarted(true);
    assert_eq!((node.term(), node.voted_for()), (1, Some(1)));

    let actions = node.step(receive(3, 2, 1, vote(0, 0))).unwrap();

    assert_eq!(
        actions,
        vec![
            judged(3, 1, &vote(0, 0)),
            send(2, 3, 1, refused(Refusal::AlreadyVoted { term: 1, voted_for: 1 }))
        ]
    );
    assert_eq!(node.voted_for(), Some(1));
}

/// §10 durable_vote: with the vote kept in memory only, the restarted voter votes again.
#[test]
fn without_durable_vote_a_restarted_voter_votes_twice() {
    let mut node = voted_crashed_and_restarted(false);
    assert_eq!((node.term(), node.voted_for()), (1, None));

    let actions = node.step(receive(3, 2, 1, vote(0, 0))).unwrap();

    assert_eq!(
        actions,
        vec![judged(3, 1, &vote(0, 0)), persist(1, None, 0), send(2, 3, 1, vote_reply(Decision::Granted))]
    );
    assert_eq!(node.voted_for(), Some(3));
}

// ---- §1, §3.6 Witnesses and learners --------------------------------------------

fn two_data_one_witness() -> Vec<Member> {
    vec![Member::data(1), Member::data(2), Member::witness(3)]
}

/// §1: a witness never stands: ticked far past its timeout it sends nothing.
#[test]
fn a_witness_never_campaigns() {
    let mut node = fresh(3, &two_data_one_witness());
    let max = node.config().election_ticks_max;

    for tick in 0..20 * max {
        assert_eq!(node.step(Event::Tick).unwrap(), vec![], "tick {tick}");
    }

    assert_eq!((node.term(), node.role(), node.is_probing()), (0, Role::Follower, false));
}

/// §1: a learner is not asked and its grants count toward no quorum.
#[test]
fn a_learner_does_not_count_toward_the_quorum() {
    let members = [Member::data(1), Member::data(2), Member::learner(3)];
    let mut node = fresh(1, &members);

    assert_eq!(fire_election_timer(&mut node), vec![send(1, 2, 1, probe(0, 0))]);
    let learner_probe = node.step(receive(3, 1, 1, probe_reply(Decision::Granted))).unwrap();
    assert_eq!((learner_probe, node.term(), node.is_probing()), (vec![], 0, true));

    let voter_probe = node.step(receive(2, 1, 1, probe_reply(Decision::Granted))).unwrap();
    assert_eq!(voter_probe, vec![persist(1, Some(1), 0), send(1, 2, 1, vote(0, 0))]);

    let learner_vote = node.step(receive(3, 1, 1, vote_reply(Decision::Granted))).unwrap();
    assert_eq!((learner_vote, node.role()), (vec![], Role::Candidate));
}

/// §1, §4: 2 data + 1 witness elects a data leader and commits, also with a data node down.
#[test]
fn two_data_and_a_witness_elect_and_commit() {
    let mut c = Cluster::new(&two_data_one_witness(), |_| {});
    let leader = c.elect();
    assert_ne!(leader, 3, "a witness never leads");
    c.write("a");
    c.write("b");
    c.run(10);
    assert_eq!(c.applied_writes(1), vec!["a", "b"]);
    assert_eq!(c.applied_writes(2), vec!["a", "b"]);

    // The other data node is left with only the witness: their two votes and
    // two acknowledgements are a quorum.
    c.crash(leader);
    let survivor = 3 - leader;
    c.run_until(200, "the survivor to lead", |c| c.leader() == Some(survivor));
    c.write("c");
    assert_eq!(c.applied_writes(survivor), vec!["a", "b", "c"]);
}

/// §1: a witness stores metadata only (configuration entries kept) and never applies.
#[test]
fn a_witness_stores_metadata_only_and_never_applies() {
    let mut c = Cluster::new(&two_data_one_witness(), |_| {});
    let leader = c.elect();
    c.write("a");
    c.step(leader, Event::AddServer(Member::witness(4))).unwrap();
    c.write("b");
    c.run(10);

    let witness = c.node(3);
    assert_eq!(witness.commit_index(), c.node(leader).commit_index());
    let mut configs = 0;
    for (kept, full) in witness.log().entries().iter().zip(c.node(leader).log().entries()) {
        assert_eq!((kept.index, kept.term), (full.index, full.term));
        match (&kept.payload, &full.payload) {
            (Payload::Config(m), Payload::Config(n)) if m == n => configs += 1,
            (Payload::Elided, Payload::Config(_)) => panic!("config entry {} elided", kept.index),
            (Payload::Elided, _) => {}
            (other, _) => panic!("witness stores a payload at {}: {other:?}", kept.index),
        }
    }
    assert_eq!(witness.log().last_index(), c.node(leader).log().last_index());
    assert_eq!(configs, 1);
    assert!(c.applied[&3].is_empty());
    assert!(!c.history.iter().any(|line| line.starts_with("3: apply")), "a witness applies nothing");
}

// ---- §3.6 The new leader's no-op --------------------------------------------------

/// §3.6 (Raft §8): the winning vote makes a leader that at once appends a no-op of its term.
#[test]
fn a_new_leader_appends_a_noop_of_its_term_at_once() {
    let mut node = candidate();

    let actions = node.step(receive(2, 1, 1, vote_reply(Decision::Granted))).unwrap();

    let noop = Entry { index: 1, term: 1, payload: Payload::Noop };
    let append = Body::Append { prev_index: 0, prev_term: 0, entries: vec![noop.clone()], commit: 0 };
    assert_eq!(
        actions,
        vec![
            Action::Persist(Persist::Entries(vec![noop.clone()])),
            send(1, 2, 1, append.clone()),
            send(1, 3, 1, append),
        ]
    );
    assert_eq!((node.role(), node.leader(), node.term()), (Role::Leader, Some(1), 1));
    assert_eq!(node.log().entries(), [noop]);
}

/// §3.6: a refusal that makes the quorum unreachable sends the candidate back to follower.
#[test]
fn a_lost_election_returns_to_follower_in_the_same_term() {
    let mut node = candidate();
    let no = refused(Refusal::AlreadyVoted { term: 1, voted_for: 3 });

    node.step(receive(2, 1, 1, no.clone())).unwrap();
    let actions = node.step(receive(3, 1, 1, no)).unwrap();

    assert_eq!(actions, vec![]);
    assert_eq!((node.role(), node.term(), node.voted_for()), (Role::Follower, 1, Some(1)));
}

// ---- §3.8 Check quorum --------------------------------------------------------------

/// Elects a leader, runs `offset` ticks, isolates the leader, and returns the
/// ticks it kept the role (at most `limit`).
fn ticks_isolated_leader_keeps_leading(
    check_quorum: bool,
    offset: u64,
    limit: u64,
) -> (Cluster, NodeId, u64) {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |cfg| cfg.switches.check_quorum = check_quorum);
    let leader = c.elect();
    c.run(offset);
    c.isolate(leader);
    for tick in 0..limit {
        if c.node(leader).role() != Role::Leader {
            return (c, leader, tick);
        }
        c.tick();
    }
    (c, leader, limit)
}

/// §3.8: a leader cut off from the majority steps down within election_ticks_min (+ 2), wherever the cut falls.
#[test]
fn check_quorum_steps_down_a_leader_cut_off_from_the_majority() {
    let election_ticks_min = Config::new(1, data(&[1])).election_ticks_min;
    let bound = election_ticks_min + 2;
    for offset in 0..=election_ticks_min {
        let (c, leader, ticks) = ticks_isolated_leader_keeps_leading(true, offset, 100);

        assert!(ticks <= bound, "cut {offset} ticks into office: stepped down after {ticks} ticks > {bound}");
        assert_eq!(c.node(leader).role(), Role::Follower);
        let write = c.nodes[&leader].clone().step(Event::Propose(bytes("lost")));
        assert!(write.is_err(), "a deposed leader rejects writes");
    }
}

/// §10 check_quorum: with it off, the cut-off leader keeps its role.
#[test]
fn without_check_quorum_a_cut_off_leader_stays_leader() {
    let (c, leader, ticks) = ticks_isolated_leader_keeps_leading(false, 0, 100);

    assert_eq!(ticks, 100);
    assert_eq!(c.node(leader).role(), Role::Leader);
}

// ---- §3.2, §10 Pre-vote under isolation -------------------------------------------

fn isolated_follower_terms(pre_vote: bool) -> (Term, Term) {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |cfg| cfg.switches.pre_vote = pre_vote);
    let leader = c.elect();
    let follower = if leader == 1 { 2 } else { 1 };
    let before = c.node(follower).term();
    c.isolate(follower);
    c.run(200);
    (before, c.node(follower).term())
}

/// §3.2: with pre-vote on, a node cut off in a minority never inflates its term.
#[test]
fn pre_vote_keeps_an_isolated_nodes_term() {
    let (before, after) = isolated_follower_terms(true);
    assert_eq!(after, before);
}

/// §10 pre_vote: with pre-vote off, the isolated node's term keeps rising.
#[test]
fn without_pre_vote_an_isolated_nodes_term_keeps_rising() {
    let (before, after) = isolated_follower_terms(false);
    // 200 ticks hold at least 200 / election_ticks_max = 10 timeouts.
    assert!(after >= before + 10, "term went from {before} to {after}");
}

// ---- §3.1 Randomized timeouts ---------------------------------------------------------

/// The timeouts a lone node (its peers never answer) draws over `resets` timer resets.
fn drawn_timeouts(cfg: Config, resets: usize) -> Vec<u64> {
    let mut node = Node::new(cfg).unwrap();
    let mut drawn = vec![node.election_timer().1];
    while drawn.len() < resets {
        let (elapsed, timeout) = node.election_timer();
        fire_election_timer(&mut node);
        assert_eq!(elapsed, 0);
        assert_eq!(node.election_timer().0, 0, "the timer resets when it fires after {timeout}");
        drawn.push(node.election_timer().1);
    }
    drawn
}

/// §3.1: each reset draws a timeout in [election_ticks_min, election_ticks_max], varying.
#[test]
fn election_timeouts_are_drawn_within_the_bounds() {
    let drawn = drawn_timeouts(config(1, &data(&[1, 2, 3])), 300);

    assert!(drawn.iter().all(|t| (10..=20).contains(t)), "{drawn:?}");
    let mut distinct = drawn.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(distinct.len() >= 8, "only {distinct:?} drawn");
}

/// §2, §3.1: equal bounds mean no randomness (Raft Figure 16).
#[test]
fn equal_bounds_always_draw_that_timeout() {
    let mut cfg = config(1, &data(&[1, 2, 3]));
    cfg.election_ticks_max = cfg.election_ticks_min;

    let drawn = drawn_timeouts(cfg, 100);

    assert_eq!(drawn, vec![10; 100]);
}

// ---- §2 Determinism -------------------------------------------------------------------

/// Drives node 1 through a probe, an election, a write and heartbeats.
fn scripted_run(mut node: Node) -> (Vec<Action>, String) {
    let mut actions = Vec::new();
    actions.extend(fire_election_timer(&mut node));
    actions.extend(node.step_synced(receive(2, 1, 1, probe_reply(Decision::Granted))).unwrap());
    actions.extend(node.step_synced(receive(3, 1, 1, vote_reply(Decision::Granted))).unwrap());
    actions.extend(node.step_synced(Event::Propose(bytes("v"))).unwrap());
    for _ in 0..50 {
        actions.extend(node.step(Event::Tick).unwrap());
    }
    (actions, format!("{node:?}"))
}

/// §2: the same configuration (seed included) and events give identical actions.
#[test]
fn same_config_and_events_give_identical_actions() {
    let cfg = config(1, &data(&[1, 2, 3]));

    let (first, first_state) = scripted_run(Node::new(cfg.clone()).unwrap());
    let (second, second_state) = scripted_run(Node::new(cfg).unwrap());

    assert!(first.len() > 10, "the script did something: {first:?}");
    assert_eq!(first, second);
    assert_eq!(first_state, second_state);
}

/// One seeded cluster run: elections, writes, a crash and a restart.
fn cluster_history(seed: u64) -> Vec<String> {
    let mut c = Cluster::new(&data(&[1, 2, 3, 4, 5]), |cfg| cfg.seed = seed);
    let leader = c.elect();
    c.write("a");
    c.crash(leader);
    c.elect();
    c.write("b");
    c.restart(leader);
    c.run(30);
    c.history
}

/// §2: a seed reproduces a cluster run exactly; another seed gives another timeline.
#[test]
fn a_seed_reproduces_a_cluster_history() {
    let first = cluster_history(11);

    assert_eq!(first, cluster_history(11));
    assert_ne!(first, cluster_history(12));
}

/// §2: different seeds draw different election timelines (first timeouts of 5 nodes).
#[test]
fn different_seeds_give_different_election_timelines() {
    let timeline = |seed: u64| -> Vec<u64> {
        (1..=5)
            .map(|id| {
                let mut cfg = config(id, &data(&[1, 2, 3, 4, 5]));
                cfg.seed = seed;
                Node::new(cfg).unwrap().election_timer().1
            })
            .collect()
    };

    assert_eq!(timeline(1), timeline(1));
    assert_ne!(timeline(1), timeline(2));
}

// ---- §1, §2 Operator TimeoutNow ----------------------------------------------------------

/// §1, §2: TimeoutNow on a witness (or a learner) is an error and changes nothing.
#[test]
fn timeout_now_on_a_non_candidate_is_an_error_and_changes_nothing() {
    let members = [Member::data(1), Member::data(2), Member::witness(3), Member::learner(4)];
    for id in [3, 4] {
        let mut node = fresh(id, &members);
        node.step(Event::Tick).unwrap();
        let before = format!("{node:?}");

        let result = node.step(Event::TimeoutNow);

        assert!(result.is_err(), "node {id}: {result:?}");
        assert_eq!(format!("{node:?}"), before, "node {id}");
    }
}

/// §2: TimeoutNow on a voting data follower starts its campaign at once (a probe).
#[test]
fn timeout_now_on_a_data_follower_probes_at_once() {
    let mut node = fresh(1, &data(&[1, 2, 3]));

    let actions = node.step(Event::TimeoutNow).unwrap();

    assert_eq!(actions, vec![send(1, 2, 1, probe(0, 0)), send(1, 3, 1, probe(0, 0))]);
    assert_eq!((node.term(), node.is_probing()), (0, true));
}
