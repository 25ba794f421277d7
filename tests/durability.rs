//! The core counts its own vote and its own copy of an entry only once its
//! host reports the write durable (`Event::Durable`, PROTOCOL.md §2, Raft
//! thesis §10.2.1); the simulator's disk that takes time (`disk_ticks`)
//! holds replies until their write is durable and lets requests go.

use quorumscope::core::{
    AppendOutcome, Body, Config, Decision, DurableMark, Event, Member, Message, Node, NodeId, Role, Term,
};
use quorumscope::scenario::parse;
use quorumscope::sim::{export_json_lines, import_json_lines, Timeline, TraceBody, TraceEvent};

fn receive(from: NodeId, to: NodeId, term: Term, body: Body) -> Event {
    Event::Message(Message { from, to, term, body })
}

/// Node 1 of {1, 2, 3}, pre-vote off, right after its timer fired: a
/// candidate of term 1 whose (term, vote) write is asked for, not done.
fn candidate() -> Node {
    let mut cfg = Config::new(1, (1..=3).map(Member::data).collect());
    cfg.switches.pre_vote = false;
    let mut node = Node::new(cfg).unwrap();
    while node.role() != Role::Candidate {
        node.step(Event::Tick).unwrap();
    }
    node
}

#[test]
fn a_candidate_counts_its_own_vote_only_once_durable() {
    let mut node = candidate();
    let granted = receive(2, 1, 1, Body::VoteReply { decision: Decision::Granted });
    node.step(granted).unwrap();
    assert_eq!(node.role(), Role::Candidate, "one grant of two needed: its own vote is not on disk yet");
    // A report of the disk as it was (term 0) changes nothing.
    node.step(Event::Durable(DurableMark::default())).unwrap();
    assert_eq!(node.role(), Role::Candidate);
    node.step(Event::Durable(node.synced_mark())).unwrap();
    assert_eq!((node.role(), node.term()), (Role::Leader, 1), "its vote is durable: two of three");
}

/// Node 1 leading {1, 2, 3} in term 1, its no-op (index 1) not yet durable.
fn leader_with_noop_in_flight() -> Node {
    let mut node = candidate();
    node.step(Event::Durable(node.synced_mark())).unwrap();
    node.step(receive(2, 1, 1, Body::VoteReply { decision: Decision::Granted })).unwrap();
    assert_eq!((node.role(), node.log().last_index()), (Role::Leader, 1));
    node
}

#[test]
fn a_leader_counts_its_own_copy_only_once_durable() {
    let mut node = leader_with_noop_in_flight();
    let ack = receive(2, 1, 1, Body::AppendReply { outcome: AppendOutcome::Accepted { match_index: 1 } });
    node.step(ack).unwrap();
    assert_eq!(
        node.commit_index(),
        0,
        "one follower and a leader whose copy is in flight are not two copies"
    );
    node.step(Event::Durable(node.synced_mark())).unwrap();
    assert_eq!(node.commit_index(), 1, "its copy is durable: two of three");
}

#[test]
fn a_report_about_other_entries_is_ignored() {
    let mut node = leader_with_noop_in_flight();
    let ack = receive(2, 1, 1, Body::AppendReply { outcome: AppendOutcome::Accepted { match_index: 1 } });
    node.step(ack).unwrap();
    // Index 1 of term 7 is not the entry this leader holds at 1.
    let stale = DurableMark { last_index: 1, last_term: 7, ..node.synced_mark() };
    node.step(Event::Durable(stale)).unwrap();
    assert_eq!(node.commit_index(), 0);
}

fn disk_scenario(disk_ticks: &str, script: &str) -> String {
    format!(
        r#"{{"seed": 5, "cluster": {{"members": [{{"id": 1}}, {{"id": 2}}, {{"id": 3}}],
             "election_ticks": [20, 40], "heartbeat_ticks": 5, "network": {{"delay_ticks": [1, 2]}},
             "disk_ticks": {disk_ticks}}},
            "script": {script}, "run_until": 400}}"#
    )
}

fn run(text: &str) -> (u64, Vec<TraceEvent>) {
    let s = parse(text).unwrap_or_else(|e| panic!("{e}"));
    let mut timeline = Timeline::new(s.build().expect("builds"));
    while timeline.sim().now() < s.run_until {
        timeline.step();
    }
    (timeline.sim().violations(), timeline.trace().to_vec())
}

const WRITES: &str = r#"[{"at": 150, "do": "write", "value": "a=1"}, {"at": 160, "do": "write", "value": "b=2"},
    {"at": 200, "do": "crash", "node": "leader"}, {"at": 260, "do": "restart", "node": 1},
    {"at": 260, "do": "restart", "node": 2}, {"at": 260, "do": "restart", "node": 3},
    {"at": 300, "do": "write", "value": "c=3"}]"#;

/// Replies wait for their sender's write, requests do not, and each write
/// takes its time, one at a time per node.
#[test]
fn replies_wait_for_the_write_and_requests_do_not() {
    let (violations, trace) = run(&disk_scenario("[6, 6]", WRITES));
    assert_eq!(violations, 0);
    let acked = trace.iter().filter(|e| matches!(e.body, TraceBody::WriteAcked { .. })).count();
    assert!(acked >= 3, "all three writes are acknowledged, got {acked}");
    let mut busy_until = std::collections::BTreeMap::new();
    let mut waiting = std::collections::BTreeMap::<NodeId, u64>::new();
    let (mut started, mut held, mut requests_during_write) = (0, 0, 0);
    for e in &trace {
        match &e.body {
            TraceBody::WriteStarted { node, done_tick, .. } => {
                assert_eq!(*done_tick, e.tick + 6, "a write takes disk_ticks");
                let previous = busy_until.insert(*node, *done_tick).unwrap_or(0);
                assert!(previous <= e.tick, "node {node}: one write at a time");
                started += 1;
            }
            TraceBody::WriteDurable { node, released, .. } => {
                assert_eq!(busy_until.get(node), Some(&e.tick), "node {node}: durable when it was due");
                let w = waiting.entry(*node).or_default();
                assert!(*released <= *w);
                *w -= released;
            }
            TraceBody::MessageWaiting { from, msg, .. } => {
                assert!(msg.name().ends_with("reply"), "only replies wait: {}", msg.name());
                *waiting.entry(*from).or_default() += 1;
                held += 1;
            }
            TraceBody::MessageSent { from, msg, .. } => {
                let writing = busy_until.get(from).is_some_and(|t| *t > e.tick);
                if writing && !msg.name().ends_with("reply") {
                    requests_during_write += 1;
                }
            }
            TraceBody::Crash { node } => {
                busy_until.remove(node);
                waiting.remove(node);
            }
            _ => {}
        }
    }
    assert!(started > 10 && held > 5, "writes {started}, held replies {held}");
    assert!(requests_during_write > 0, "a request leaves while its sender's write is in flight");
}

/// The same run with an instant disk has none of the new events, and an
/// election with a slow disk takes longer: the cost of durability in time.
#[test]
fn a_slow_disk_costs_time() {
    let first_leader = |trace: &[TraceEvent]| {
        trace.iter().find(|e| matches!(e.body, TraceBody::LeaderElected { .. })).map(|e| e.tick).unwrap()
    };
    let (_, instant) = run(&disk_scenario("[0, 0]", "[]"));
    let (_, slow) = run(&disk_scenario("[10, 10]", "[]"));
    assert!(!instant.iter().any(|e| matches!(e.body, TraceBody::WriteStarted { .. })));
    // Vote, then the voters' grants: two writes of 10 ticks, in parallel
    // with the requests, before the candidate wins.
    assert!(
        first_leader(&slow) >= first_leader(&instant) + 10,
        "{} vs {}",
        first_leader(&slow),
        first_leader(&instant)
    );
}

#[test]
fn the_new_events_read_back() {
    let (_, trace) = run(&disk_scenario("[3, 5]", WRITES));
    let text = export_json_lines(&trace);
    assert!(text.contains("\"kind\":\"write_started\"") && text.contains("\"kind\":\"message_waiting\""));
    let back = import_json_lines(&text).expect("reads back");
    assert_eq!(export_json_lines(&back), text);
}

#[test]
fn bad_disk_ticks_name_the_field() {
    let error = |d: &str| parse(&disk_scenario(d, "[]")).expect_err(d);
    assert!(error("[0, 5]").starts_with("cluster.disk_ticks: "), "{}", error("[0, 5]"));
    assert!(error("[5, 2]").starts_with("cluster.disk_ticks: "), "{}", error("[5, 2]"));
    assert!(error("\"slow\"").starts_with("cluster.disk_ticks: "), "{}", error("\"slow\""));
    assert!(error("[1, -1]").starts_with("cluster.disk_ticks[1]: "), "{}", error("[1, -1]"));
    // Written back, the range survives; an instant disk is not written.
    let s = parse(&disk_scenario("[2, 4]", "[]")).unwrap();
    assert_eq!(parse(&s.to_json()).unwrap(), s);
    assert!(!parse(&disk_scenario("[0, 0]", "[]")).unwrap().to_json().contains("disk_ticks"));
}

/// The Raft paper's Figure 7, set up with `initial`: the leader wins term 8
/// with the votes of a, b, e and f, and repairs every follower's log to its
/// own (Log Matching, Raft §5.3), with no violation.
#[test]
fn figure_7_ends_with_every_log_the_leaders() {
    let s = quorumscope::scenario::builtin("figure-7").expect("built in");
    let mut timeline = Timeline::new(s.build().expect("builds"));
    while timeline.sim().now() < s.run_until {
        timeline.step();
    }
    let sim = timeline.sim();
    assert_eq!(sim.violations(), 0);
    assert_eq!(sim.leader(), Some(1));
    let leader_log: Vec<_> = sim.node(1).unwrap().log().entries().iter().map(|e| (e.index, e.term)).collect();
    assert_eq!(leader_log.len(), 11, "the paper's ten entries and the term-8 no-op");
    for id in 2..=7 {
        let log: Vec<_> = sim.node(id).unwrap().log().entries().iter().map(|e| (e.index, e.term)).collect();
        assert_eq!(log, leader_log, "follower {id}");
    }
}
