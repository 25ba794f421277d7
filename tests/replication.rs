//! Replication, commit and snapshots (PROTOCOL.md §4, §5, §10): build a
//! state, feed one event, check the new state and the exact actions.

mod common;

use std::collections::{BTreeMap, VecDeque};

use common::*;
use quorumscope::core::{
    Action, Body, Config, DurableState, Entry, Event, HardState, Index, Member, MemberKind, Membership,
    Message, Node, NodeId, Payload, Persist, ProgressState, Role, Snapshot, Term,
};

// ---- Helpers ------------------------------------------------------------------

/// Delivers everything except what `hold` selects (judged when the message
/// reaches the front); held messages stay queued, in order.
fn deliver_except(c: &mut Cluster, hold: impl Fn(&Cluster, &Message) -> bool) {
    let mut held = VecDeque::new();
    for _ in 0..100_000 {
        let Some(m) = c.queue.pop_front() else { break };
        if hold(c, &m) {
            held.push_back(m);
            continue;
        }
        let dropped = c.cut.contains(&(m.from, m.to)) || c.crashed.contains(&m.to);
        if !dropped && c.nodes.contains_key(&m.to) {
            c.step(m.to, Event::Message(m)).unwrap();
        }
    }
    assert!(c.queue.is_empty(), "message storm");
    c.queue = held;
}

/// Ticks every live node `ticks` times, dropping every message: leaders are
/// forgotten (stickiness lapses) without anyone winning an election.
fn idle_silently(c: &mut Cluster, ticks: u64) {
    let ids: Vec<NodeId> = c.nodes.keys().copied().collect();
    for _ in 0..ticks {
        for id in &ids {
            c.step(*id, Event::Tick).unwrap();
        }
        c.queue.clear();
    }
}

fn write(index: Index, term: Term, value: &str) -> Entry {
    Entry { index, term, payload: Payload::Write(bytes(value)) }
}

fn run(from: Index, to: Index, term: Term) -> Vec<Entry> {
    (from..=to).map(|i| write(i, term, &format!("v{i}@t{term}"))).collect()
}

fn disk(term: Term, voted_for: NodeId, commit: Index, entries: Vec<Entry>) -> DurableState {
    DurableState {
        hard_state: HardState { term, voted_for: Some(voted_for), commit },
        snapshot: None,
        entries,
    }
}

/// History lines of node `id` from position `from` on, without the prefix.
fn lines_of(c: &Cluster, id: NodeId, from: usize) -> Vec<String> {
    let prefix = format!("{id}: ");
    c.history[from..].iter().filter_map(|l| l.strip_prefix(&prefix).map(str::to_string)).collect()
}

/// The index an "apply I@tT ..." description applies.
fn applied_index(line: &str) -> Option<Index> {
    let rest = line.strip_prefix("apply ")?;
    rest.split('@').next()?.parse().ok()
}

/// The index of a "restore state machine from snapshot I@tT" description.
fn restored_index(line: &str) -> Option<Index> {
    let rest = line.strip_prefix("restore state machine from snapshot ")?;
    rest.split('@').next()?.parse().ok()
}

// ---- §4 Batching, probe and pipelining ------------------------------------------

/// §4: a lagging follower is probed to its match point, then streamed batches of max_batch.
#[test]
fn lagging_follower_is_probed_then_streamed_in_batches() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |cfg| {
        cfg.max_batch = 4;
        cfg.max_inflight = 2;
    });
    elect_node(&mut c, 1);
    c.crash(3);
    for i in 0..10 {
        c.write(&format!("w{i}"));
    }
    assert_eq!((c.node(1).log().last_index(), c.node(1).commit_index()), (11, 11));
    c.restart(3);
    let mark = c.history.len();
    // The next heartbeat finds node 3 behind the in-flight window it missed.
    for _ in 0..c.configs[&1].heartbeat_ticks {
        c.step(1, Event::Tick).unwrap();
    }
    let reject = deliver_first(&mut c, |m| is_to(m, 1, 3));
    assert_eq!(reject, ["send 3→1 append rejected at 3: my log ends at 1 (term 1)"]);
    let probe = deliver_first(&mut c, |m| is_to(m, 3, 1));
    assert_eq!(
        probe,
        [
            "progress of 3: probe (match 1, next 2)",
            "send 1→3 append 4 entries 2..5 after 1@t1, commit 11 (term 1)"
        ]
    );
    let p = c.node(1).progress(3).unwrap();
    assert_eq!((p.state, p.probe_sent, p.next_index), (ProgressState::Probe, true, 2));

    let accepted = deliver_first(&mut c, |m| is_to(m, 1, 3));
    assert_eq!(accepted.last().unwrap(), "send 3→1 append accepted: my log matches yours up to 5 (term 1)");
    // Match point found: stream the rest at once, as many appends as the
    // in-flight window allows, each at most max_batch entries.
    let stream = deliver_first(&mut c, |m| is_to(m, 3, 1));
    assert_eq!(
        stream,
        [
            "progress of 3: replicate (match 5, next 6)",
            "send 1→3 append 4 entries 6..9 after 5@t1, commit 11 (term 1)",
            "send 1→3 append 2 entries 10..11 after 9@t1, commit 11 (term 1)",
        ]
    );
    let p = c.node(1).progress(3).unwrap();
    assert_eq!((p.state, p.match_index, p.next_index), (ProgressState::Replicate, 5, 12));
    assert_eq!(p.inflight, [9, 11]);
    // The window is full: a new write goes to node 2 only.
    let more = describe(&c.step(1, Event::Propose(bytes("w10"))).unwrap());
    assert!(more.iter().all(|d| !d.contains("1→3")), "{more:?}");

    c.deliver_all();
    c.run(6);
    assert_eq!(c.node(3).log(), c.node(1).log());
    for line in lines_of(&c, 1, mark).iter().filter(|l| l.starts_with("send 1→3 append ")) {
        let n: usize = line["send 1→3 append ".len()..].split(' ').next().unwrap().parse().unwrap();
        assert!(n <= 4, "an append carries at most max_batch entries: {line}");
    }
}

/// §4: new writes are pipelined to a streaming follower, at most max_inflight unanswered.
#[test]
fn pipelining_is_bounded_by_max_inflight() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |cfg| {
        cfg.max_batch = 4;
        cfg.max_inflight = 2;
    });
    elect_node(&mut c, 1);
    assert_eq!(c.node(1).progress(2).unwrap().state, ProgressState::Replicate);
    let first = describe(&c.step(1, Event::Propose(bytes("a"))).unwrap());
    assert_eq!(
        first,
        [
            "persist entry 2@t1 write \"a\"",
            "send 1→2 append 1 entry 2..2 after 1@t1, commit 1 (term 1)",
            "send 1→3 append 1 entry 2..2 after 1@t1, commit 1 (term 1)",
        ]
    );
    let second = describe(&c.step(1, Event::Propose(bytes("b"))).unwrap());
    assert_eq!(second.len(), 3, "a second append goes out before the first is answered: {second:?}");
    assert_eq!(c.node(1).progress(2).unwrap().inflight, [2, 3]);
    for v in ["c", "d", "e"] {
        let paused = describe(&c.step(1, Event::Propose(bytes(v))).unwrap());
        assert_eq!(paused.len(), 1, "the window is full, nothing is sent: {paused:?}");
        assert!(paused[0].starts_with("persist entry"));
    }
    // One answer frees one slot: the waiting entries go out in one batch.
    deliver_first(&mut c, |m| is_to(m, 1, 2));
    let freed = deliver_first(&mut c, |m| is_to(m, 2, 1));
    assert_eq!(
        freed,
        [
            "commit to 2 (a quorum in the leader's term)",
            "apply 2@t1 write \"a\"",
            "persist term 1, vote 1, commit 2",
            "send 1→2 append 3 entries 4..6 after 3@t1, commit 2 (term 1)",
            "send 1→3 heartbeat after 3@t1, commit 2 (term 1)",
        ]
    );
    assert_eq!(c.node(1).progress(2).unwrap().inflight, [3, 6]);
    c.deliver_all();
    assert_eq!(c.node(2).log(), c.node(1).log());
    assert_eq!(c.node(1).commit_index(), 6);
}

// ---- §4 Conflict hints and truncation --------------------------------------------

/// §4: a rejection's conflict hint lets the leader skip a follower's whole divergent term at once.
#[test]
fn conflict_hint_skips_a_whole_term() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |_| {});
    let common = run(1, 3, 1);
    let leader_log = [common.clone(), run(4, 30, 3)].concat();
    // Node 3 led term 2 and wrote 20 entries nobody else has.
    let divergent = [common, run(4, 23, 2)].concat();
    c.disks.insert(1, disk(3, 1, 3, leader_log.clone()));
    c.disks.insert(2, disk(3, 1, 3, leader_log));
    c.disks.insert(3, disk(2, 3, 3, divergent));
    for id in 1..=3 {
        c.restart(id);
    }
    let mark = c.history.len();
    elect_node(&mut c, 1);
    assert_eq!(c.node(1).term(), 4);
    let rejections: Vec<String> =
        lines_of(&c, 3, mark).into_iter().filter(|l| l.starts_with("send 3→1 append rejected")).collect();
    assert_eq!(
        rejections,
        [
            "send 3→1 append rejected at 30: my log ends at 23 (term 4)",
            "send 3→1 append rejected at 23: my entry there is from term 2, which starts at 4 (term 4)",
        ],
        "one round trip for the missing tail, one for the whole of term 2"
    );
    assert_eq!(c.node(3).log(), c.node(1).log());
    assert_eq!(c.node(3).log().term_at(23), Some(3));
    assert_eq!(c.node(3).commit_index(), 31);
}

fn follower_with(entries: Vec<Entry>, term: Term, commit: Index) -> Node {
    let cfg = Config::new(3, data(&[1, 2, 3]));
    let (node, _) = Node::restart(cfg, disk(term, 1, commit, entries)).unwrap();
    node
}

fn append_from(from: NodeId, term: Term, prev: (Index, Term), entries: Vec<Entry>, commit: Index) -> Event {
    let body = Body::Append { prev_index: prev.0, prev_term: prev.1, entries, commit };
    Event::Message(Message { from, to: 3, term, body })
}

/// §4: a follower truncates its divergent uncommitted tail and persists the replacement.
#[test]
fn follower_truncates_divergent_tail() {
    let mut f = follower_with(run(1, 6, 1), 1, 4);
    let actions = f.step(append_from(2, 2, (4, 1), vec![write(5, 2, "new")], 4)).unwrap();
    assert_eq!(
        describe(&actions),
        [
            "persist entry 5@t2 write \"new\"",
            "persist term 2, vote none, commit 4",
            "send 3→2 append accepted: my log matches yours up to 5 (term 2)",
        ]
    );
    assert_eq!((f.term(), f.leader(), f.role()), (2, Some(2), Role::Follower));
    assert_eq!((f.log().last_index(), f.log().term_at(5), f.log().entry(6)), (5, Some(2), None));
    assert_eq!(f.log().entries()[..4], run(1, 4, 1)[..]);
}

/// §4: an append never truncates entries at or below the commit watermark, nor matching entries.
#[test]
fn follower_never_truncates_committed_entries() {
    // A stale, reordered append from the current leader: nothing changes.
    let mut f = follower_with(run(1, 6, 2), 2, 4);
    let actions = f.step(append_from(2, 2, (2, 2), run(3, 4, 2), 4)).unwrap();
    assert_eq!(describe(&actions), ["send 3→2 append accepted: my log matches yours up to 4 (term 2)"]);
    assert_eq!(f.log().entries(), &run(1, 6, 2)[..], "matching entries are kept");

    // An append that disagrees below the watermark (only a leader that broke
    // Figure 8 could send it): the committed prefix stays, the tail is fixed.
    let mut f = follower_with(run(1, 6, 1), 1, 4);
    let bad = vec![write(3, 2, "x3"), write(4, 2, "x4"), write(5, 2, "x5")];
    let actions = f.step(append_from(2, 2, (2, 1), bad, 4)).unwrap();
    assert_eq!(
        describe(&actions),
        [
            "persist entry 5@t2 write \"x5\"",
            "persist term 2, vote none, commit 4",
            "send 3→2 append accepted: my log matches yours up to 5 (term 2)",
        ]
    );
    assert_eq!(f.log().entries()[..4], run(1, 4, 1)[..], "committed entries 1..4 untouched");
    assert_eq!(f.commit_index(), 4);
}

// ---- §4 / §10 The Figure 8 rule ------------------------------------------------

/// Builds Raft's Figure 8 in a 5-node cluster: entry 2 of term 1 reaches a
/// quorum under the term-2 leader while that leader's own no-op (index 3) is
/// held back. Returns the cluster with the no-op appends still queued.
fn figure8(current_term_commit: bool) -> Cluster {
    let mut c = Cluster::new(&data(&[1, 2, 3, 4, 5]), |cfg| {
        cfg.max_batch = 1;
        cfg.switches.current_term_commit = current_term_commit;
    });
    elect_node(&mut c, 1);
    c.step(1, Event::Propose(bytes("old"))).unwrap();
    // Entry 2@t1 reaches node 2 only, then node 1 crashes.
    deliver_first(&mut c, |m| is_to(m, 1, 2));
    c.queue.clear();
    c.crash(1);
    idle_silently(&mut c, 20);
    c.step(2, Event::TimeoutNow).unwrap();
    // Hold node 2's no-op to any follower that already has entry 2.
    deliver_except(&mut c, |c, m| {
        let noop = matches!(&m.body, Body::Append { entries, .. } if entries.iter().any(|e| e.index == 3));
        m.from == 2 && noop && c.node(m.to).log().last_index() >= 2
    });
    assert_eq!((c.leader(), c.node(2).term()), (Some(2), 2));
    for id in 3..=5 {
        assert_eq!(c.node(id).log().term_at(2), Some(1), "node {id} holds the old entry");
        assert_eq!(c.node(id).log().last_index(), 2, "node {id} lacks the no-op");
    }
    c
}

/// §4 Figure 8 rule: an older-term entry on a quorum commits only with an entry of the current term.
#[test]
fn old_term_entry_on_quorum_waits_for_current_term_entry() {
    let mut c = figure8(true);
    assert_eq!(c.node(2).commit_index(), 1, "2@t1 is on 4 of 5 nodes but is not of term 2");
    assert!(!c.history.iter().any(|l| l.starts_with("2: apply 2@t1")));
    // Once the no-op of term 2 reaches a quorum, entry 2 commits with it.
    c.deliver_all();
    assert_eq!(c.node(2).commit_index(), 3);
    assert_eq!(c.applied_writes(2), ["old"]);
}

/// §10 current_term_commit off: the leader commits an older-term entry by counting replicas.
#[test]
fn figure8_switch_off_commits_old_term_entry_by_counting() {
    let c = figure8(false);
    assert_eq!(c.node(2).commit_index(), 2, "counted as committed without an entry of term 2");
    assert!(c.history.iter().any(|l| l == "2: apply 2@t1 write \"old\""));
}

// ---- §4 Apply order ----------------------------------------------------------------

/// Answers every snapshot hint not yet answered with a snapshot at the applied index.
fn answer_hints(c: &mut Cluster, seen: &mut usize) {
    let hints: Vec<(NodeId, Index)> = c.reports[*seen..]
        .iter()
        .filter_map(|(id, a)| match a {
            Action::SnapshotHint { applied } => Some((*id, *applied)),
            _ => None,
        })
        .collect();
    *seen = c.reports.len();
    for (id, index) in hints {
        let n = c.node(id);
        if !c.crashed.contains(&id) && index > n.log().snapshot_index() && index <= n.applied_index() {
            c.step(id, Event::Snapshot { index, data: bytes(&format!("state@{index}")) }).unwrap();
        }
    }
}

/// §4: committed entries apply in order, once per incarnation, starting after the snapshot.
#[test]
fn committed_entries_apply_in_order_exactly_once() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |cfg| cfg.snapshot_threshold = 5);
    elect_node(&mut c, 1);
    let mut restarts: Vec<(NodeId, usize)> = Vec::new();
    let mut seen = 0;
    for round in 0..6u64 {
        let victim = 2 + round % 2;
        c.crash(victim);
        for i in 0..4 {
            c.write(&format!("r{round}-{i}"));
            answer_hints(&mut c, &mut seen);
        }
        restarts.push((victim, c.history.len()));
        c.restart(victim);
        c.run_until(100, "the restarted follower to catch up", |c| {
            c.node(victim).applied_index() == c.node(1).commit_index()
        });
        answer_hints(&mut c, &mut seen);
    }
    c.run(5);
    let mut contents: BTreeMap<Index, String> = BTreeMap::new();
    for id in 1..=3 {
        let mut expected = 1;
        let mut restored_any = false;
        let mut applies = 0;
        for (pos, line) in c.history.iter().enumerate() {
            if restarts.contains(&(id, pos)) {
                // A new incarnation replays from its snapshot (or from 1).
                expected = 1;
            }
            let Some(line) = line.strip_prefix(&format!("{id}: ")) else { continue };
            if let Some(s) = restored_index(line) {
                assert!(s + 1 >= expected, "node {id}: a snapshot never rewinds within an incarnation");
                expected = s + 1;
                restored_any = true;
            }
            if let Some(i) = applied_index(line) {
                assert_eq!(i, expected, "node {id}: applies in order, no gap, no repeat ({line})");
                expected += 1;
                applies += 1;
                let body = line.to_string();
                assert_eq!(contents.entry(i).or_insert_with(|| body.clone()), &body, "same entry everywhere");
            }
        }
        assert_eq!(expected - 1, c.node(1).commit_index(), "node {id} applied everything committed");
        assert!(applies > 0);
        if id != 1 {
            assert!(restored_any, "node {id} restarted from a snapshot");
        }
    }
    assert!(c.node(1).log().snapshot_index() > 0, "the leader compacted");
}

// ---- §5 Snapshots ----------------------------------------------------------------

/// §5: hint at the threshold; a snapshot compacts the log and records the membership at its index.
#[test]
fn snapshot_hint_then_compaction_records_membership_at_index() {
    let members = data(&[1, 2, 3]);
    let mut c = Cluster::new(&members, |cfg| cfg.snapshot_threshold = 5);
    elect_node(&mut c, 1);
    for v in ["a", "b", "c"] {
        c.write(v);
    }
    assert_eq!(c.node(1).applied_index(), 4);
    assert!(!c.reports.iter().any(|(id, a)| *id == 1 && matches!(a, Action::SnapshotHint { .. })));
    c.step(1, Event::Propose(bytes("d"))).unwrap();
    deliver_first(&mut c, |m| is_to(m, 1, 2));
    let commit = deliver_first(&mut c, |m| is_to(m, 2, 1));
    assert_eq!(
        commit,
        [
            "commit to 5 (a quorum in the leader's term)",
            "apply 5@t1 write \"d\"",
            "snapshot hint: applied log reached 5",
            "persist term 1, vote 1, commit 5",
            "send 1→2 heartbeat after 5@t1, commit 5 (term 1)",
            "send 1→3 heartbeat after 5@t1, commit 5 (term 1)",
        ]
    );
    c.deliver_all();
    // A membership change after index 5: the snapshot must not include it.
    c.step(1, Event::AddServer(Member::learner(4))).unwrap();
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 6);
    let data = bytes("a,b,c,d");
    let actions = c.step(1, Event::Snapshot { index: 5, data: data.clone() }).unwrap();
    let expected = Snapshot {
        index: 5,
        term: 1,
        membership: Membership::from_members(&members).unwrap(),
        epochs: BTreeMap::new(),
        data,
    };
    assert_eq!(actions, [Action::Persist(Persist::Snapshot(Box::new(expected.clone())))]);
    let leader = c.node(1);
    assert_eq!((leader.log().snapshot_index(), leader.log().snapshot_term()), (5, 1));
    assert_eq!(leader.log().entries().len(), 1, "only the config entry 6 is left");
    assert_eq!(leader.snapshot(), &expected);
    assert!(leader.membership().is_learner(4), "the latest membership is unchanged");
    assert_eq!(c.disks[&1].snapshot.as_ref(), Some(&expected));
}

/// §5: snapshot arguments are checked; a refused snapshot leaves the node unchanged.
#[test]
fn bad_snapshot_arguments_leave_the_node_unchanged() {
    let members = vec![Member::data(1), Member::data(2), Member::witness(3)];
    let mut c = Cluster::new(&members, |_| {});
    elect_node(&mut c, 1);
    c.write("a");
    c.run(4);
    c.step(1, Event::Snapshot { index: 2, data: bytes("a") }).unwrap();
    c.write("b");
    for (id, index) in [(1, 4), (1, 2), (1, 1), (1, 0), (3, 2)] {
        let node = c.nodes.get_mut(&id).unwrap();
        let before = format!("{node:?}");
        let err = node.step(Event::Snapshot { index, data: bytes("x") });
        assert!(err.is_err(), "node {id}, snapshot at {index}: {err:?}");
        assert_eq!(format!("{node:?}"), before, "node {id}, snapshot at {index}");
    }
}

/// §5: a follower that missed compacted entries gets InstallSnapshot, restores it, then appends.
#[test]
fn crashed_follower_catches_up_by_install_snapshot() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |cfg| cfg.snapshot_threshold = 5);
    elect_node(&mut c, 1);
    c.run(4);
    c.crash(3);
    for i in 2..=8 {
        c.write(&format!("w{i}"));
    }
    c.step(1, Event::Snapshot { index: 8, data: bytes("state@8") }).unwrap();
    assert_eq!(c.node(1).log().snapshot_index(), 8);
    c.restart(3);
    assert_eq!(c.applied[&3].len(), 1, "node 3 replays only the no-op it had committed");
    while !c.queue.iter().any(|m| m.to == 3) {
        c.step(1, Event::Tick).unwrap();
    }
    let reject = deliver_first(&mut c, |m| is_to(m, 1, 3));
    assert_eq!(reject, ["send 3→1 append rejected at 8: my log ends at 1 (term 1)"]);
    let send = deliver_first(&mut c, |m| is_to(m, 3, 1));
    assert_eq!(
        send,
        [
            "progress of 3: probe (match 1, next 2)",
            "send 1→3 snapshot up to 8@t1 (term 1)",
            "progress of 3: snapshot (match 1, next 2)"
        ]
    );
    assert_eq!(c.node(1).progress(3).unwrap().state, ProgressState::Snapshot { index: 8, ticks: 0 });
    let install = deliver_first(&mut c, |m| is_to(m, 1, 3));
    assert_eq!(
        install,
        [
            "persist snapshot up to 8@t1",
            "commit to 8 (as the leader reports)",
            "restore state machine from snapshot 8@t1",
            "persist term 1, vote 1, commit 8",
            "send 3→1 snapshot installed: I hold up to 8 (term 1)",
        ]
    );
    let f = c.node(3);
    assert_eq!((f.log().snapshot_index(), f.commit_index(), f.applied_index()), (8, 8, 8));
    assert_eq!(f.snapshot().data, bytes("state@8"));
    deliver_first(&mut c, |m| is_to(m, 3, 1));
    let p = c.node(1).progress(3).unwrap();
    assert_eq!((p.state, p.match_index, p.next_index), (ProgressState::Probe, 8, 9));
    // Appends follow on from the snapshot.
    c.write("after");
    c.run(4);
    assert_eq!(c.node(3).log(), c.node(1).log());
    assert_eq!(c.applied_writes(3), ["after"]);
}

/// §5: a witness compacts its metadata by itself and is caught up by a metadata-only snapshot.
#[test]
fn witness_gets_metadata_only_snapshots() {
    let members = vec![Member::data(1), Member::data(2), Member::witness(3)];
    let mut c = Cluster::new(&members, |cfg| cfg.snapshot_threshold = 5);
    elect_node(&mut c, 1);
    for v in ["a", "b", "c", "d"] {
        c.write(v);
    }
    c.run(4);
    let w = c.node(3);
    assert_eq!((w.applied_index(), w.log().snapshot_index()), (5, 5), "the witness compacted itself");
    assert!(w.snapshot().data.is_empty());
    assert!(w.log().entries().iter().all(|e| e.payload == Payload::Elided));
    let witness_lines = lines_of(&c, 3, 0);
    assert!(witness_lines.iter().any(|l| l == "persist snapshot up to 5@t1"));
    assert!(!witness_lines.iter().any(|l| l.starts_with("apply") || l.starts_with("snapshot hint")));

    c.crash(3);
    for v in ["e", "f", "g", "h", "i"] {
        c.write(v);
    }
    c.step(1, Event::Snapshot { index: 10, data: bytes("state@10") }).unwrap();
    c.restart(3);
    let mark = c.history.len();
    c.run_until(50, "the witness to install the snapshot", |c| c.node(3).log().snapshot_index() == 10);
    assert!(c.history[mark..].iter().any(|l| l == "1: send 1→3 snapshot up to 10@t1, metadata (term 1)"));
    let installed = lines_of(&c, 3, mark);
    let at = installed.iter().position(|l| l == "persist snapshot up to 10@t1").expect("installed");
    assert_eq!(
        installed[at..at + 4],
        [
            "persist snapshot up to 10@t1",
            "commit to 10 (as the leader reports)",
            "persist term 1, vote 1, commit 10",
            "send 3→1 snapshot installed: I hold up to 10 (term 1)"
        ]
    );
    assert!(!installed.iter().any(|l| l.starts_with("restore")), "a witness has no state machine");
    assert!(c.node(3).snapshot().data.is_empty());
}

/// §5: a witness added after compaction gets metadata only and restores nothing.
#[test]
fn witness_added_after_compaction_gets_metadata_only() {
    let members = data(&[1, 2, 3]);
    let mut c = Cluster::new(&members, |_| {});
    elect_node(&mut c, 1);
    c.run(4);
    // Node 4 is not running yet: 3 of the 4 voters commit without it.
    c.step(1, Event::AddServer(Member::witness(4))).unwrap();
    c.deliver_all();
    assert_eq!(c.node(1).commit_index(), 2);
    c.write("a");
    c.step(1, Event::Snapshot { index: 3, data: bytes("state@3") }).unwrap();
    assert!(c.node(1).snapshot().membership.is_witness(4));
    // Its kind is fixed when it is created, not learned from the snapshot.
    c.add_node(4, &members, |cfg| cfg.kind = MemberKind::Witness);
    let mark = c.history.len();
    c.run_until(20, "the witness to install the snapshot", |c| c.node(4).log().snapshot_index() == 3);
    assert!(c.history[mark..].iter().any(|l| l == "1: send 1→4 snapshot up to 3@t1, metadata (term 1)"));
    let lines = lines_of(&c, 4, mark);
    assert!(!lines.iter().any(|l| l.starts_with("restore") || l.starts_with("apply")), "{lines:#?}");
    let w = c.node(4);
    assert!(w.membership().is_witness(4) && w.snapshot().data.is_empty());
    assert_eq!(c.applied[&4], []);
}

/// §4: a witness's metadata acks count toward the commit quorum.
#[test]
fn witness_acks_count_toward_commit() {
    let members = vec![Member::data(1), Member::data(2), Member::witness(3)];
    let mut c = Cluster::new(&members, |_| {});
    elect_node(&mut c, 1);
    c.crash(2);
    c.step(1, Event::Propose(bytes("a"))).unwrap();
    deliver_first(&mut c, |m| is_to(m, 1, 3));
    let commit = deliver_first(&mut c, |m| is_to(m, 3, 1));
    assert_eq!(
        commit[0], "commit to 2 (a quorum in the leader's term)",
        "leader + witness are a quorum of 3"
    );
    assert_eq!(commit[1], "apply 2@t1 write \"a\"");
    assert_eq!(c.node(1).commit_index(), 2);
    assert_eq!(c.node(3).log().entry(2).unwrap().payload, Payload::Elided);
}
