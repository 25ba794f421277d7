//! The election timer rule (docs/figure16.md): etcd's by default (every
//! step down restarts the timer), the Raft paper's with
//! `Config::paper_timer` (Figure 2: only hearing the leader or granting a
//! vote restarts it; adopting a higher term does not).

use quorumscope::core::{Body, Config, Decision, Event, Member, Message, Node, Refusal, Role};

/// Node 2 of {1, 2, 3}, 5 ticks into its timer, then told of term 4 by a
/// vote reply (no leader, no vote granted).
fn elapsed_after_a_higher_term(paper_timer: bool) -> u64 {
    let mut cfg = Config::new(2, (1..=3).map(Member::data).collect());
    cfg.paper_timer = paper_timer;
    let mut node = Node::new(cfg).unwrap();
    for _ in 0..5 {
        node.step(Event::Tick).unwrap();
    }
    let refusal = Decision::Refused(Refusal::StaleTerm { candidate_term: 0, voter_term: 4 });
    let news = Message { from: 3, to: 2, term: 4, body: Body::VoteReply { decision: refusal } };
    node.step(Event::Message(news)).unwrap();
    assert_eq!((node.term(), node.role()), (4, Role::Follower));
    node.election_timer().0
}

#[test]
fn etcd_restarts_the_timer_on_a_higher_term() {
    assert_eq!(elapsed_after_a_higher_term(false), 0);
}

#[test]
fn the_paper_keeps_the_timer_running_on_a_higher_term() {
    assert_eq!(elapsed_after_a_higher_term(true), 5);
}

/// Under both rules, granting a vote restarts the timer.
#[test]
fn granting_a_vote_restarts_it_under_both_rules() {
    for paper_timer in [false, true] {
        let mut cfg = Config::new(2, (1..=3).map(Member::data).collect());
        cfg.paper_timer = paper_timer;
        cfg.switches.stickiness = false;
        let mut node = Node::new(cfg).unwrap();
        for _ in 0..5 {
            node.step(Event::Tick).unwrap();
        }
        let ask = Body::Vote { last_index: 0, last_term: 0, transfer: false, force: false };
        node.step(Event::Message(Message { from: 3, to: 2, term: 4, body: ask })).unwrap();
        assert_eq!((node.voted_for(), node.election_timer().0), (Some(3), 0), "paper_timer {paper_timer}");
    }
}
