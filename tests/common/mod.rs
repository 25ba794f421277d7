//! A minimal in-memory cluster for the core's integration tests: FIFO
//! delivery, cut links, crashes that keep exactly what was persisted.
//! (The full simulator with delays, drops and a checker lives in `sim`.)
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use quorumscope::core::{
    Action, Bytes, Config, DurableState, Entry, Error, Event, Member, Message, Node, NodeId, Role,
};

/// A cluster of nodes wired by a perfect FIFO network with cut links.
pub struct Cluster {
    pub configs: BTreeMap<NodeId, Config>,
    pub nodes: BTreeMap<NodeId, Node>,
    pub disks: BTreeMap<NodeId, DurableState>,
    pub queue: VecDeque<Message>,
    pub cut: BTreeSet<(NodeId, NodeId)>,
    pub crashed: BTreeSet<NodeId>,
    /// Entries applied by each node, in order (cleared on restart).
    pub applied: BTreeMap<NodeId, Vec<Entry>>,
    /// Every action each node emitted, described, in order.
    pub history: Vec<String>,
    /// Actions other than sends/persists/applies, per node, in order.
    pub reports: Vec<(NodeId, Action)>,
}

impl Cluster {
    /// A cluster of `members`; `tweak` adjusts each node's configuration.
    pub fn new(members: &[Member], tweak: impl Fn(&mut Config)) -> Cluster {
        let mut c = Cluster {
            configs: BTreeMap::new(),
            nodes: BTreeMap::new(),
            disks: BTreeMap::new(),
            queue: VecDeque::new(),
            cut: BTreeSet::new(),
            crashed: BTreeSet::new(),
            applied: BTreeMap::new(),
            history: Vec::new(),
            reports: Vec::new(),
        };
        for m in members {
            c.add_node(m.id, members, &tweak);
        }
        c
    }

    /// Creates node `id` with the initial membership `members`.
    pub fn add_node(&mut self, id: NodeId, members: &[Member], tweak: impl Fn(&mut Config)) {
        let mut cfg = Config::new(id, members.to_vec());
        cfg.seed = 1;
        tweak(&mut cfg);
        self.nodes.insert(id, Node::new(cfg.clone()).expect("valid config"));
        self.configs.insert(id, cfg);
        self.disks.insert(id, DurableState::default());
        self.applied.insert(id, Vec::new());
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[&id]
    }

    /// Feeds one event to node `id` and performs its actions.
    pub fn step(&mut self, id: NodeId, event: Event) -> Result<Vec<Action>, Error> {
        if self.crashed.contains(&id) {
            return Ok(Vec::new());
        }
        // Writes here are done at once: the node hears so in the same call.
        let actions = self.nodes.get_mut(&id).unwrap().step_synced(event)?;
        self.perform(id, &actions);
        Ok(actions)
    }

    fn perform(&mut self, id: NodeId, actions: &[Action]) {
        for a in actions {
            self.history.push(format!("{id}: {a}"));
            match a {
                Action::Send(m) => self.queue.push_back(m.clone()),
                Action::Persist(p) => self.disks.get_mut(&id).unwrap().apply(p),
                Action::Apply(e) => self.applied.get_mut(&id).unwrap().push(e.clone()),
                Action::RestoreSnapshot(_) => self.applied.get_mut(&id).unwrap().clear(),
                other => self.reports.push((id, other.clone())),
            }
        }
    }

    /// Delivers queued messages (and what they cause) until none is left.
    pub fn deliver_all(&mut self) {
        for _ in 0..100_000 {
            let Some(m) = self.queue.pop_front() else { return };
            if self.cut.contains(&(m.from, m.to)) || self.crashed.contains(&m.to) {
                continue;
            }
            let to = m.to;
            if self.nodes.contains_key(&to) {
                self.step(to, Event::Message(m)).expect("messages never error");
            }
        }
        panic!("message storm: the queue never drained");
    }

    /// One tick on every live node, then deliver everything.
    pub fn tick(&mut self) {
        let ids: Vec<NodeId> = self.nodes.keys().copied().collect();
        for id in ids {
            self.step(id, Event::Tick).expect("ticks never error");
        }
        self.deliver_all();
    }

    pub fn run(&mut self, ticks: u64) {
        for _ in 0..ticks {
            self.tick();
        }
    }

    /// Ticks until `cond` holds, at most `limit` ticks; panics otherwise.
    pub fn run_until(&mut self, limit: u64, what: &str, cond: impl Fn(&Cluster) -> bool) {
        for _ in 0..limit {
            if cond(self) {
                return;
            }
            self.tick();
        }
        assert!(cond(self), "{what} did not happen within {limit} ticks");
    }

    /// The live leader with the highest term, if any.
    pub fn leader(&self) -> Option<NodeId> {
        self.nodes
            .iter()
            .filter(|(id, n)| !self.crashed.contains(id) && n.role() == Role::Leader)
            .max_by_key(|(_, n)| n.term())
            .map(|(id, _)| *id)
    }

    pub fn elect(&mut self) -> NodeId {
        self.run_until(500, "an election", |c| c.leader().is_some());
        self.leader().unwrap()
    }

    /// Proposes a write on the leader and runs until it has committed there.
    pub fn write(&mut self, value: &str) -> u64 {
        let leader = self.leader().expect("a leader");
        self.step(leader, Event::Propose(Bytes::from(value.as_bytes()))).expect("leader accepts");
        let index = self.node(leader).log().last_index();
        self.run_until(200, "the write to commit", |c| c.node(leader).commit_index() >= index);
        index
    }

    /// Cuts every link to and from `id`.
    pub fn isolate(&mut self, id: NodeId) {
        for other in self.nodes.keys().copied().collect::<Vec<_>>() {
            if other != id {
                self.cut.insert((id, other));
                self.cut.insert((other, id));
            }
        }
    }

    pub fn cut_link(&mut self, a: NodeId, b: NodeId) {
        self.cut.insert((a, b));
        self.cut.insert((b, a));
    }

    pub fn heal(&mut self) {
        self.cut.clear();
    }

    pub fn crash(&mut self, id: NodeId) {
        self.crashed.insert(id);
    }

    /// Rebuilds node `id` from its disk alone.
    pub fn restart(&mut self, id: NodeId) {
        self.crashed.remove(&id);
        let cfg = self.configs[&id].clone();
        let (node, actions) = Node::restart(cfg, self.disks[&id].clone()).expect("restart");
        self.nodes.insert(id, node);
        self.applied.insert(id, Vec::new());
        self.perform(id, &actions);
    }

    /// The values applied by `id`, as strings.
    pub fn applied_writes(&self, id: NodeId) -> Vec<String> {
        self.applied[&id]
            .iter()
            .filter_map(|e| match &e.payload {
                quorumscope::core::Payload::Write(d) => Some(String::from_utf8_lossy(d).into_owned()),
                _ => None,
            })
            .collect()
    }
}

pub fn data(ids: &[NodeId]) -> Vec<Member> {
    ids.iter().map(|i| Member::data(*i)).collect()
}

pub fn bytes(s: &str) -> Bytes {
    Bytes::from(s.as_bytes())
}

/// The descriptions of `actions`, one line each.
pub fn describe(actions: &[Action]) -> Vec<String> {
    actions.iter().map(|a| a.to_string()).collect()
}

/// Elects `id` deterministically: it times out at once and every message is
/// delivered, so its no-op commits everywhere.
pub fn elect_node(c: &mut Cluster, id: NodeId) {
    c.step(id, Event::TimeoutNow).unwrap();
    c.deliver_all();
    assert_eq!(c.leader(), Some(id));
}

/// Delivers, alone, the first queued message that `pred` selects; returns
/// the descriptions of the actions that step produced.
pub fn deliver_first(c: &mut Cluster, pred: impl Fn(&Message) -> bool) -> Vec<String> {
    let pos = c.queue.iter().position(pred).expect("a matching message is queued");
    let m = c.queue.remove(pos).unwrap();
    describe(&c.step(m.to, Event::Message(m)).unwrap())
}

/// True for a message `from → to`.
pub fn is_to(m: &Message, from: NodeId, to: NodeId) -> bool {
    m.from == from && m.to == to
}
