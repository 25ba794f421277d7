//! The conditions both implementations run under, and the experiments.
//!
//! A [`Cluster`] is every node of one implementation in one thread, with an
//! in-memory log per node and an in-process FIFO queue of messages. Whatever
//! a step asks to persist is written before any message it produced is
//! queued, so nothing is delivered before what it depends on is durable.
//! Time is logical: [`Cluster::tick_all`] ticks every live node once.

use std::time::{Duration, Instant};

use crate::alloc::AllocCount;

/// Node ids run from 1 to the number of voters.
pub type Id = u64;

/// Election timeout bounds and heartbeat interval, in ticks, for both.
pub const ELECTION_TICKS: u64 = 10;
/// Heartbeat interval in ticks.
pub const HEARTBEAT_TICKS: u64 = 3;
/// Most entries in one append message (quorumscope's default).
pub const MAX_BATCH: usize = 64;
/// Most appends in flight to one follower (quorumscope's default).
pub const MAX_INFLIGHT: usize = 64;
/// Proposal size in bytes.
pub const PAYLOAD_BYTES: usize = 128;
/// Ticks a wait may take before the harness gives up.
const TICK_CAP: u64 = 10_000;

/// Work a cluster did: calls into the implementation and messages sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Calls that feed the state machine an input (quorumscope: `step`;
    /// raft-rs: `step`, `propose`, `tick`, `transfer_leader`).
    pub steps: u64,
    /// Messages queued for delivery.
    pub messages: u64,
}

impl Counters {
    fn since(self, earlier: Counters) -> Counters {
        Counters { steps: self.steps - earlier.steps, messages: self.messages - earlier.messages }
    }
}

/// One implementation's whole cluster, driven from outside.
pub trait Cluster: Sized {
    /// One batch of proposals, built before any timing starts.
    type Batch;

    /// A cluster of `voters` fresh voters; `seed` seeds what can be seeded.
    fn new(voters: u64, seed: u64) -> Self;
    /// `total` proposals of `size` bytes in batches of `per_batch`.
    fn batches(total: usize, per_batch: usize, size: usize) -> Vec<Self::Batch>;
    /// Ticks every live node once.
    fn tick_all(&mut self);
    /// Delivers the oldest queued message; false when the queue is empty.
    fn deliver_one(&mut self) -> bool;
    /// True when `id` is alive and in the leader role.
    fn leads(&self, id: Id) -> bool;
    /// The current term of `id`.
    fn term(&self, id: Id) -> u64;
    /// Hands a batch to the leader `id`.
    fn propose(&mut self, id: Id, batch: Self::Batch);
    /// Asks the leader `from` to hand leadership to `to`.
    fn transfer(&mut self, from: Id, to: Id);
    /// Stops `id`: it is no longer ticked and messages to it are dropped.
    fn crash(&mut self, id: Id);
    /// Client writes `id` has applied.
    fn applied_writes(&self, id: Id) -> u64;
    /// The number of nodes.
    fn size(&self) -> u64;
    /// Work done so far.
    fn counters(&self) -> Counters;
}

/// Delivers messages until none is queued.
pub fn settle<C: Cluster>(c: &mut C) {
    while c.deliver_one() {}
}

/// The live leader of the highest term, if any.
pub fn leader<C: Cluster>(c: &C) -> Option<Id> {
    (1..=c.size()).filter(|id| c.leads(*id)).max_by_key(|id| c.term(*id))
}

/// One tick of every live node, then delivery until quiet.
pub fn tick_and_settle<C: Cluster>(c: &mut C) {
    c.tick_all();
    settle(c);
}

/// Ticks until `done` holds; returns the ticks taken.
pub fn ticks_until<C: Cluster>(c: &mut C, done: impl Fn(&C) -> bool) -> Option<u64> {
    for t in 0..=TICK_CAP {
        if done(c) {
            return Some(t);
        }
        tick_and_settle(c);
    }
    None
}

/// Ticks a fresh cluster until it has a leader.
pub fn elect<C: Cluster>(c: &mut C) -> Id {
    ticks_until(c, |c| leader(c).is_some()).expect("no leader elected");
    leader(c).expect("a leader")
}

/// What a measured run cost.
#[derive(Clone, Copy, Debug)]
pub struct Cost {
    /// Wall time.
    pub elapsed: Duration,
    /// Calls and messages.
    pub counters: Counters,
    /// Allocations and bytes.
    pub allocs: AllocCount,
}

/// Measures `work` on `c`: wall time, counters and allocations.
fn measure<C: Cluster>(c: &mut C, work: impl FnOnce(&mut C)) -> Cost {
    let (counters, allocs, start) = (c.counters(), AllocCount::now(), Instant::now());
    work(c);
    let elapsed = start.elapsed();
    Cost { elapsed, counters: c.counters().since(counters), allocs: AllocCount::since(allocs) }
}

/// Commits `total` proposals of [`PAYLOAD_BYTES`] in batches of
/// `per_batch` on `voters` voters, each batch proposed then delivered until
/// quiet, and checks that every node applied every write.
pub fn throughput<C: Cluster>(voters: u64, per_batch: usize, total: usize, seed: u64) -> Cost {
    let mut c = C::new(voters, seed);
    let leader = elect(&mut c);
    let batches = C::batches(total, per_batch, PAYLOAD_BYTES);
    let cost = measure(&mut c, |c| drive(c, leader, batches));
    for id in 1..=voters {
        assert_eq!(c.applied_writes(id), total as u64, "node {id} did not apply every write");
    }
    cost
}

/// The measured loop of [`throughput`]: each batch proposed, then
/// delivered until quiet. Kept out of line so that a profiler can count
/// it alone (`valgrind --tool=callgrind --toggle-collect='*harness::drive*'`).
#[inline(never)]
pub fn drive<C: Cluster>(c: &mut C, leader: Id, batches: Vec<C::Batch>) {
    for batch in batches {
        c.propose(leader, batch);
        settle(c);
    }
}

/// Hands leadership around a ring of three `count` times, each time waiting
/// (delivering, then ticking if need be) until the target leads.
pub fn transfers<C: Cluster>(count: usize, seed: u64) -> Cost {
    let mut c = C::new(3, seed);
    let mut from = elect(&mut c);
    measure(&mut c, |c| {
        for _ in 0..count {
            let to = from % 3 + 1;
            c.transfer(from, to);
            settle(c);
            ticks_until(c, |c| c.leads(to)).expect("transfer never completed");
            from = to;
        }
    })
}

/// Ticks from a leader crash to a new leader on `voters` voters. The crash
/// comes two maximum election timeouts after the first election, plus a
/// seeded phase within the heartbeat interval.
pub fn ticks_to_elect_after_crash<C: Cluster>(voters: u64, seed: u64) -> Option<u64> {
    let mut c = C::new(voters, seed);
    elect(&mut c);
    for _ in 0..4 * ELECTION_TICKS + seed % HEARTBEAT_TICKS {
        tick_and_settle(&mut c);
    }
    let old = leader(&c).expect("a leader before the crash");
    c.crash(old);
    ticks_until(&mut c, |c| leader(c).is_some_and(|l| l != old))
}
