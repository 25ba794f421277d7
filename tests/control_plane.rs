//! The control-plane log (PROTOCOL.md §8): typed entries only, leader-only
//! append with a forwarding hint, ownership epochs that strictly increase.

mod common;
use common::*;

use std::collections::{BTreeMap, VecDeque};

use quorumscope::core::{
    Action, Config, ControlPlaneLog, CpEntry, CpEvent, Error, Event, Member, Message, NodeId, Payload, Role,
};

fn ownership(range: &str, owner: NodeId, epoch: u64) -> CpEntry {
    CpEntry::Ownership { range: range.into(), owner, epoch }
}

/// The control-plane entries node `id` applied, in order.
fn applied_cp(c: &Cluster, id: NodeId) -> Vec<CpEntry> {
    c.applied[&id]
        .iter()
        .filter_map(|e| match &e.payload {
            Payload::ControlPlane(cp) => Some((**cp).clone()),
            _ => None,
        })
        .collect()
}

/// Three `ControlPlaneLog`s wired by a FIFO network: the wrapper is the only
/// way in, so these tests see exactly what a control-plane user sees.
struct CpCluster {
    logs: BTreeMap<NodeId, ControlPlaneLog>,
    queue: VecDeque<Message>,
}

impl CpCluster {
    fn new(ids: &[NodeId]) -> CpCluster {
        let members: Vec<Member> = ids.iter().map(|i| Member::data(*i)).collect();
        let logs = ids
            .iter()
            .map(|id| {
                let mut cfg = Config::new(*id, members.clone());
                cfg.seed = 1;
                (*id, ControlPlaneLog::new(cfg).expect("valid config"))
            })
            .collect();
        CpCluster { logs, queue: VecDeque::new() }
    }

    /// Queues the messages of `id`'s step; its writes are instant, and it
    /// hears that they are durable before anything else happens to it.
    fn enqueue(&mut self, id: NodeId, mut actions: Vec<Action>) {
        let log = self.logs.get_mut(&id).unwrap();
        for _ in 0..8 {
            if !actions.iter().any(|a| matches!(a, Action::Persist(_))) {
                break;
            }
            self.queue.extend(actions.drain(..).filter_map(|a| match a {
                Action::Send(m) => Some(m),
                _ => None,
            }));
            let mark = log.node().synced_mark();
            actions = log.step(CpEvent::Durable(mark)).expect("durable reports never error");
        }
        self.queue.extend(actions.into_iter().filter_map(|a| match a {
            Action::Send(m) => Some(m),
            _ => None,
        }));
    }

    fn tick(&mut self) {
        let ids: Vec<NodeId> = self.logs.keys().copied().collect();
        for id in ids {
            let actions = self.logs.get_mut(&id).unwrap().step(CpEvent::Tick).expect("ticks never error");
            self.enqueue(id, actions);
        }
        for _ in 0..100_000 {
            let Some(m) = self.queue.pop_front() else { return };
            let to = m.to;
            let actions =
                self.logs.get_mut(&to).unwrap().step(CpEvent::Message(m)).expect("messages never error");
            self.enqueue(to, actions);
        }
        panic!("message storm: the queue never drained");
    }

    fn leader(&self) -> Option<NodeId> {
        self.logs.iter().find(|(_, l)| l.node().role() == Role::Leader).map(|(id, _)| *id)
    }
}

/// Leader-only append: a follower answers NotLeader{leader: Some(hint)} (PROTOCOL.md §8).
#[test]
fn append_on_a_follower_is_refused_with_the_leader_hint() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |_| {});
    let leader = c.elect();
    c.run(4);
    for follower in (1..=3).filter(|i| *i != leader) {
        let before = format!("{:?}", c.node(follower));
        let refused = c.step(follower, Event::ControlPlane(CpEntry::Admit(7)));
        assert_eq!(refused, Err(Error::NotLeader { leader: Some(leader) }), "node {follower}");
        assert_eq!(format!("{:?}", c.node(follower)), before, "a refusal changes nothing");
    }
    assert!(c.queue.is_empty());
}

/// An ownership entry appended on the leader commits and is applied everywhere (PROTOCOL.md §8, §4).
#[test]
fn ownership_entry_commits_and_is_applied_everywhere() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |_| {});
    let leader = c.elect();
    let entry = ownership("users:[0,1000)", 2, 5);
    c.step(leader, Event::ControlPlane(entry.clone())).expect("the leader appends");
    let index = c.node(leader).log().last_index();
    assert_eq!(
        c.node(leader).log().entry(index).unwrap().payload,
        Payload::ControlPlane(Box::new(entry.clone()))
    );
    c.run_until(50, "the entry to commit", |c| c.node(leader).commit_index() >= index);
    c.step(leader, Event::ControlPlane(CpEntry::Admit(4))).unwrap();
    c.run(6);
    for id in 1..=3 {
        assert_eq!(applied_cp(&c, id), vec![entry.clone(), CpEntry::Admit(4)], "node {id}");
    }
}

/// Ownership epochs strictly increase per range, even before commit (PROTOCOL.md §8, §9).
#[test]
fn stale_epochs_are_refused_even_while_uncommitted() {
    let mut c = Cluster::new(&data(&[1, 2, 3]), |_| {});
    let leader = c.elect();
    c.run(4);
    let users = "users:[0,1000)";
    c.step(leader, Event::ControlPlane(ownership(users, 2, 5))).unwrap();
    // Not delivered yet: epoch 5 is the range's latest but not committed.
    let node = c.node(leader);
    assert!(node.commit_index() < node.log().last_index(), "still uncommitted");

    let before = format!("{:?}", c.node(leader));
    for epoch in [5, 4, 0] {
        let refused = c.step(leader, Event::ControlPlane(ownership(users, 3, epoch)));
        let stale = Error::StaleEpoch { range: users.into(), epoch, current: 5 };
        assert_eq!(refused, Err(stale.clone()), "epoch {epoch}");
        let text = stale.to_string();
        assert!(text.contains(users) && text.contains(&format!("epoch {epoch}")), "{text}");
    }
    assert_eq!(format!("{:?}", c.node(leader)), before, "a refusal changes nothing");

    // Another range starts from its own epoch 0.
    c.step(leader, Event::ControlPlane(ownership("orders:[0,50)", 1, 1))).expect("own epochs");
    c.step(leader, Event::ControlPlane(ownership(users, 3, 6))).expect("a higher epoch");
    c.run(6);
    let refused = c.step(leader, Event::ControlPlane(ownership(users, 1, 6)));
    assert_eq!(refused, Err(Error::StaleEpoch { range: users.into(), epoch: 6, current: 6 }));
    for id in 1..=3 {
        let expected = vec![ownership(users, 2, 5), ownership("orders:[0,50)", 1, 1), ownership(users, 3, 6)];
        assert_eq!(applied_cp(&c, id), expected, "node {id}");
    }
}

/// The ControlPlaneLog wrapper refuses with NotLeader (None, then the hint) (PROTOCOL.md §8).
#[test]
fn the_wrapper_refuses_until_a_leader_exists_then_forwards() {
    let mut cp = CpCluster::new(&[1, 2, 3]);
    for log in cp.logs.values_mut() {
        assert_eq!(log.append(CpEntry::Admit(9)), Err(Error::NotLeader { leader: None }));
    }
    for _ in 0..200 {
        if cp.leader().is_some() {
            break;
        }
        cp.tick();
    }
    let leader = cp.leader().expect("a leader");
    cp.tick();
    for (id, log) in cp.logs.iter_mut().filter(|(id, _)| **id != leader) {
        assert_eq!(
            log.append(CpEntry::Remove(2)),
            Err(Error::NotLeader { leader: Some(leader) }),
            "node {id}"
        );
    }
    let entry = CpEntry::LeaderConfig { term: cp.logs[&leader].node().term(), leader };
    let actions = cp.logs.get_mut(&leader).unwrap().append(entry).expect("the leader appends");
    let index = cp.logs[&leader].node().log().last_index();
    cp.enqueue(leader, actions);
    for _ in 0..6 {
        cp.tick();
    }
    for (id, log) in &cp.logs {
        assert!(log.node().commit_index() >= index, "node {id} committed the entry");
    }
}

/// No CpEntry variant carries user data: a write does not read as one
/// (PROTOCOL.md §8), through the reader scenario files and traces use.
#[test]
fn only_the_typed_variants_read_as_entries() {
    use quorumscope::json::{self, FromJson};
    let read = |text: &str| CpEntry::from_json(&json::parse(text).expect(text), "entry");
    for text in [r#"{"write": "x"}"#, r#"{"write": [120]}"#, r#""noop""#, r#"{"propose": "x"}"#] {
        assert!(read(text).is_err(), "{text} must not read as a CpEntry");
    }
    let parse = |text: &str| read(text).expect(text);
    assert_eq!(parse(r#"{"admit": 3}"#), CpEntry::Admit(3));
    assert_eq!(parse(r#"{"remove": 3}"#), CpEntry::Remove(3));
    assert_eq!(
        parse(r#"{"ownership": {"range": "users:[0,1000)", "owner": 2, "epoch": 5}}"#),
        ownership("users:[0,1000)", 2, 5)
    );
    assert_eq!(
        parse(r#"{"leader_config": {"term": 4, "leader": 1}}"#),
        CpEntry::LeaderConfig { term: 4, leader: 1 }
    );
    // And back: what serde writes reads back the same.
    let entry = ownership("users:[0,1000)", 2, 5);
    assert_eq!(parse(&json::to_string(&entry).unwrap()), entry);
}
