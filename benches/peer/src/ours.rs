//! quorumscope's core as a [`Cluster`]: `Node::step`, actions performed in
//! order (a `Persist` is written before the `Send` after it is queued).

use std::collections::VecDeque;

use quorumscope::core::{
    Action, Bytes, Config, DurableMark, Entry, Event, HandoverMode, HardState, Member, Message, Node,
    Payload, Persist, Role,
};

use crate::harness::{Cluster, Counters, Id};

/// A node's disk: the hard state and the log, in memory.
#[derive(Default)]
struct Disk {
    hard_state: HardState,
    entries: Vec<Entry>,
}

impl Disk {
    /// Performs one write. No snapshots are taken in these runs, so an
    /// entry's index is its position plus one.
    fn write(&mut self, write: Persist) {
        match write {
            Persist::HardState(hs) => self.hard_state = hs,
            Persist::Entries(entries) => {
                if let Some(first) = entries.first() {
                    self.entries.truncate(first.index as usize - 1);
                    self.entries.extend(entries);
                }
            }
            Persist::Snapshot(_) => unreachable!("snapshots are off"),
        }
    }

    /// What this disk holds, as the node hears it once a write is done.
    fn mark(&self) -> DurableMark {
        let last = self.entries.last();
        DurableMark {
            term: self.hard_state.term,
            voted_for: self.hard_state.voted_for,
            last_index: last.map_or(0, |e| e.index),
            last_term: last.map_or(0, |e| e.term),
        }
    }
}

/// One node with its disk and its applied-write count.
struct Host {
    node: Node,
    disk: Disk,
    applied_writes: u64,
    alive: bool,
}

/// A quorumscope cluster.
pub struct Ours {
    hosts: Vec<Host>,
    queue: VecDeque<Message>,
    counters: Counters,
}

/// The configuration of node `id` of `voters`: the documented defaults.
fn config(id: Id, voters: u64, seed: u64) -> Config {
    let members = (1..=voters).map(Member::data).collect();
    Config { seed, ..Config::new(id, members) }
}

impl Ours {
    fn host(&mut self, id: Id) -> &mut Host {
        &mut self.hosts[id as usize - 1]
    }

    /// Steps node `id` and performs its actions in order. Writes are done
    /// at once, so the node hears they are durable before anything else
    /// happens to it (it counts its own vote and its own copy of an entry
    /// only then).
    fn step(&mut self, id: Id, event: Event) {
        self.counters.steps += 1;
        let actions = self.host(id).node.step(event).expect("step failed");
        let wrote = actions.iter().any(|a| matches!(a, Action::Persist(_)));
        for action in actions {
            self.perform(id, action);
        }
        debug_assert!(self.durable_matches(id), "node {id} is ahead of its disk");
        if wrote {
            let mark = self.host(id).disk.mark();
            self.step(id, Event::Durable(mark));
        }
    }

    /// After a step, the disk holds the node's term and its whole log.
    fn durable_matches(&self, id: Id) -> bool {
        let host = &self.hosts[id as usize - 1];
        host.disk.hard_state.term == host.node.term()
            && host.disk.entries.len() as u64 == host.node.log().last_index()
    }

    fn perform(&mut self, id: Id, action: Action) {
        match action {
            Action::Send(m) => {
                self.counters.messages += 1;
                self.queue.push_back(m);
            }
            Action::Persist(write) => self.host(id).disk.write(write),
            Action::Apply(entry) => {
                if matches!(entry.payload, Payload::Write(_)) {
                    self.host(id).applied_writes += 1;
                }
            }
            _ => {}
        }
    }
}

impl Cluster for Ours {
    type Batch = Vec<Bytes>;

    fn new(voters: u64, seed: u64) -> Ours {
        let host = |id| Host {
            node: Node::new(config(id, voters, seed)).expect("valid configuration"),
            disk: Disk::default(),
            applied_writes: 0,
            alive: true,
        };
        Ours {
            hosts: (1..=voters).map(host).collect(),
            queue: VecDeque::new(),
            counters: Counters::default(),
        }
    }

    fn batches(total: usize, per_batch: usize, size: usize) -> Vec<Vec<Bytes>> {
        let payloads: Vec<Bytes> = (0..total).map(|i| crate::payload(i, size).into()).collect();
        payloads.chunks(per_batch).map(<[Bytes]>::to_vec).collect()
    }

    fn tick_all(&mut self) {
        for id in 1..=self.size() {
            if self.host(id).alive {
                self.step(id, Event::Tick);
            }
        }
    }

    fn deliver_one(&mut self) -> bool {
        let Some(m) = self.queue.pop_front() else { return false };
        if self.host(m.to).alive {
            self.step(m.to, Event::Message(m));
        }
        true
    }

    fn leads(&self, id: Id) -> bool {
        let host = &self.hosts[id as usize - 1];
        host.alive && host.node.role() == Role::Leader
    }

    fn term(&self, id: Id) -> u64 {
        self.hosts[id as usize - 1].node.term()
    }

    fn propose(&mut self, id: Id, batch: Vec<Bytes>) {
        self.step(id, Event::ProposeBatch(batch));
    }

    fn transfer(&mut self, from: Id, to: Id) {
        self.step(from, Event::Handover { to, mode: HandoverMode::Coordinated { deadline_ticks: 50 } });
    }

    fn crash(&mut self, id: Id) {
        self.host(id).alive = false;
    }

    fn applied_writes(&self, id: Id) -> u64 {
        self.hosts[id as usize - 1].applied_writes
    }

    fn size(&self) -> u64 {
        self.hosts.len() as u64
    }

    fn counters(&self) -> Counters {
        self.counters
    }
}
