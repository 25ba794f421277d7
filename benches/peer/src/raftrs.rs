//! raft-rs (`RawNode` over `MemStorage`) as a [`Cluster`], driven by the
//! Ready protocol: persist entries and hard state to the `MemStorage`, then
//! queue the messages, apply, and advance.

use std::collections::VecDeque;

use raft::prelude::{ConfState, Entry, EntryType, Message};
use raft::storage::MemStorage;
use raft::{RawNode, StateRole};

use crate::harness::{Cluster, Counters, Id, ELECTION_TICKS, HEARTBEAT_TICKS, MAX_BATCH, MAX_INFLIGHT};

/// raft-rs limits an append by bytes, quorumscope by entries: this is
/// [`MAX_BATCH`] entries of a 128-byte payload as protobuf sizes them
/// (137 bytes once the index needs three bytes).
const MAX_MSG_BYTES: u64 = MAX_BATCH as u64 * 137;

/// One node and its applied-write count.
struct Host {
    raw: RawNode<MemStorage>,
    applied_writes: u64,
    alive: bool,
}

/// A raft-rs cluster.
pub struct RaftRs {
    hosts: Vec<Host>,
    queue: VecDeque<Message>,
    counters: Counters,
}

/// The configuration of node `id`: the same ticks, window and append size
/// as quorumscope, pre-vote and check quorum on, and `batch_append` on, its
/// best setting here: without it every `propose` call sends its own append
/// (about 2.5× slower at batch 16). `batch_append` merges appends past
/// `max_size_per_msg`, where quorumscope caps an append at 64 entries. The
/// rest are raft-rs defaults; the randomized timeout is drawn from
/// `[10, 20)` by raft-rs itself, from the thread RNG, so raft-rs runs
/// cannot be seeded.
fn config(id: Id) -> raft::Config {
    raft::Config {
        id,
        election_tick: ELECTION_TICKS as usize,
        heartbeat_tick: HEARTBEAT_TICKS as usize,
        pre_vote: true,
        check_quorum: true,
        max_inflight_msgs: MAX_INFLIGHT,
        max_size_per_msg: MAX_MSG_BYTES,
        batch_append: true,
        ..raft::Config::default()
    }
}

/// A fresh node of a cluster of `voters`, with logging discarded.
fn raw_node(id: Id, voters: u64) -> RawNode<MemStorage> {
    let storage =
        MemStorage::new_with_conf_state(ConfState::from(((1..=voters).collect::<Vec<_>>(), vec![])));
    let logger = slog::Logger::root(slog::Discard, slog::o!());
    RawNode::new(&config(id), storage, &logger).expect("valid configuration")
}

/// Client writes among `entries`: normal entries with data (a new leader's
/// own entry is empty).
fn writes(entries: &[Entry]) -> u64 {
    entries.iter().filter(|e| e.get_entry_type() == EntryType::EntryNormal && !e.data.is_empty()).count()
        as u64
}

impl RaftRs {
    fn host(&mut self, id: Id) -> &mut Host {
        &mut self.hosts[id as usize - 1]
    }

    fn send(&mut self, messages: Vec<Message>) {
        self.counters.messages += messages.len() as u64;
        self.queue.extend(messages);
    }

    /// Handles node `id`'s Ready until it has none.
    fn handle_ready(&mut self, id: Id) {
        while self.host(id).raw.has_ready() {
            self.handle_one_ready(id);
        }
    }

    /// Handles one Ready: persist, then send, apply, and advance.
    fn handle_one_ready(&mut self, id: Id) {
        let host = self.host(id);
        let mut rd = host.raw.ready();
        let store = host.raw.mut_store();
        if !rd.snapshot().is_empty() {
            store.wl().apply_snapshot(rd.snapshot().clone()).expect("snapshot");
        }
        if !rd.entries().is_empty() {
            store.wl().append(rd.entries()).expect("append");
        }
        if let Some(hs) = rd.hs() {
            store.wl().set_hardstate(hs.clone());
        }
        host.applied_writes += writes(rd.committed_entries());
        let mut sent = rd.take_messages();
        sent.append(&mut rd.take_persisted_messages());
        self.send(sent);
        self.advance(id, rd);
    }

    /// Advances past a handled Ready and handles the light Ready after it.
    fn advance(&mut self, id: Id, rd: raft::Ready) {
        let host = self.host(id);
        let mut light = host.raw.advance(rd);
        if let Some(commit) = light.commit_index() {
            host.raw.mut_store().wl().mut_hard_state().set_commit(commit);
        }
        host.applied_writes += writes(light.committed_entries());
        host.raw.advance_apply();
        let sent = light.take_messages();
        self.send(sent);
    }
}

impl Cluster for RaftRs {
    type Batch = Vec<Vec<u8>>;

    fn new(voters: u64, _seed: u64) -> RaftRs {
        let host = |id| Host { raw: raw_node(id, voters), applied_writes: 0, alive: true };
        RaftRs {
            hosts: (1..=voters).map(host).collect(),
            queue: VecDeque::new(),
            counters: Counters::default(),
        }
    }

    fn batches(total: usize, per_batch: usize, size: usize) -> Vec<Vec<Vec<u8>>> {
        let payloads: Vec<Vec<u8>> = (0..total).map(|i| crate::payload(i, size)).collect();
        payloads.chunks(per_batch).map(<[Vec<u8>]>::to_vec).collect()
    }

    fn tick_all(&mut self) {
        for id in 1..=self.size() {
            if self.host(id).alive {
                self.counters.steps += 1;
                self.host(id).raw.tick();
                self.handle_ready(id);
            }
        }
    }

    fn deliver_one(&mut self) -> bool {
        let Some(m) = self.queue.pop_front() else { return false };
        let to = m.to;
        if self.host(to).alive {
            self.counters.steps += 1;
            self.host(to).raw.step(m).expect("step failed");
            self.handle_ready(to);
        }
        true
    }

    fn leads(&self, id: Id) -> bool {
        let host = &self.hosts[id as usize - 1];
        host.alive && host.raw.raft.state == StateRole::Leader
    }

    fn term(&self, id: Id) -> u64 {
        self.hosts[id as usize - 1].raw.raft.term
    }

    fn propose(&mut self, id: Id, batch: Vec<Vec<u8>>) {
        self.counters.steps += batch.len() as u64;
        let raw = &mut self.host(id).raw;
        for data in batch {
            raw.propose(Vec::new(), data).expect("proposal refused");
        }
        self.handle_ready(id);
    }

    fn transfer(&mut self, from: Id, to: Id) {
        self.counters.steps += 1;
        self.host(from).raw.transfer_leader(to);
        self.handle_ready(from);
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
