//! The simulated network: every message in flight is visible with its send
//! and delivery tick; delays, drops, duplication and reordering derive from
//! the simulator's seed; links can be cut one way or both.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::core::rng::Rng;
use crate::core::{Message, NodeId, NodeMap, NodeSet, SortedMap, StateKey};

/// Network behaviour, as a scenario's `cluster.network` states it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NetworkConfig {
    /// One-way delay range in ticks, inclusive.
    pub delay_ticks: [u64; 2],
    /// Probability that a message is lost.
    pub drop: f64,
    /// Probability that a message is delivered twice.
    pub duplicate: f64,
}

impl Default for NetworkConfig {
    fn default() -> NetworkConfig {
        NetworkConfig { delay_ticks: [1, 3], drop: 0.0, duplicate: 0.0 }
    }
}

impl NetworkConfig {
    /// Checks the ranges; `path` prefixes the field names in errors.
    pub fn validate(&self, path: &str) -> Result<(), String> {
        let [low, high] = self.delay_ticks;
        if low > high {
            return Err(format!("{path}.delay_ticks: minimum {low} exceeds maximum {high}"));
        }
        if high > 10_000 {
            return Err(format!("{path}.delay_ticks: maximum {high} is above the limit of 10000 ticks"));
        }
        for (name, p) in [("drop", self.drop), ("duplicate", self.duplicate)] {
            if !(0.0..=1.0).contains(&p) || p.is_nan() {
                // Without the figure: formatting a float would cost the
                // wasm module several kilobytes for a message the scenario
                // parser already gives (quoting the number as written).
                return Err(format!("{path}.{name}: not a probability between 0 and 1"));
            }
        }
        if self.drop >= 1.0 {
            return Err(format!("{path}.drop: 1.0 would lose every message; use a partition instead"));
        }
        Ok(())
    }
}

/// A message on its way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlight {
    /// Sequence number: unique, in send order.
    pub seq: u64,
    /// The message.
    pub msg: Message,
    /// Tick it was sent.
    pub sent_tick: u64,
    /// Tick it arrives.
    pub deliver_tick: u64,
    /// Decided lost at send time; it dies on arrival (so the page can show
    /// it travelling and dying).
    pub doomed: bool,
    /// A duplicate made by the network.
    pub duplicate: bool,
}

/// What happened to a message handed to the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendOutcome {
    /// Sequence number of the message.
    pub seq: u64,
    /// Tick it arrives.
    pub deliver_tick: u64,
    /// It will be lost on the way.
    pub doomed: bool,
    /// A second copy was put on the wire.
    pub duplicated: bool,
}

/// Messages a new delivery tick's bucket has room for when made.
const BUCKET_ROOM: usize = 4;

/// Buckets looked at from the back before searching (`bucket_position`).
const SCAN_BUCKETS: usize = 4;

/// Most emptied buckets kept for reuse: as many as the ticks a message is
/// usually in flight, beyond which they would only hold memory.
const SPARE_BUCKETS: usize = 8;

/// The network.
#[derive(Clone, Debug)]
pub struct Network {
    config: NetworkConfig,
    /// Messages in flight in buckets by delivery tick, sorted by tick, each
    /// tick's in send order; no bucket is empty. Why buckets: sequence
    /// numbers only grow, so a message joins the back of its tick and
    /// leaves from the front of the first, and a new tick moves small
    /// buckets rather than whole messages. Why a deque rather than an
    /// ordered map: pending ticks lie between now and now plus the largest
    /// delay, a handful of buckets in practice; the first leaves in
    /// constant time, a new one is placed by `bucket_position`, and a deque is
    /// far less code in the wasm module than a B-tree.
    in_flight: VecDeque<(u64, VecDeque<InFlight>)>,
    /// How many messages are in flight.
    in_flight_count: usize,
    /// Emptied buckets, kept with their room for the next new tick: a
    /// tick's bucket is made and emptied about once per tick, and
    /// allocating and freeing it each time was a large part of sending.
    /// At most `SPARE_BUCKETS`.
    spare: Vec<VecDeque<InFlight>>,
    /// The cut links: for each sender, the receivers it cannot reach.
    cut: NodeMap<NodeSet>,
    /// Per-link behaviour from `set_link_config`; other links follow `config`.
    links: SortedMap<(NodeId, NodeId), NetworkConfig>,
    next_seq: u64,
    rng: Rng,
}

/// Most messages in flight at once; beyond this the network drops new
/// sends, which bounds memory whatever a scenario does.
pub const MAX_IN_FLIGHT: usize = 100_000;

impl Network {
    /// A network with `config`, its randomness seeded by `seed`.
    pub fn new(config: NetworkConfig, seed: u64) -> Network {
        Network {
            config,
            in_flight: VecDeque::new(),
            in_flight_count: 0,
            spare: Vec::new(),
            cut: NodeMap::default(),
            links: SortedMap::default(),
            next_seq: 0,
            rng: Rng::new(seed),
        }
    }

    /// The default behaviour of every link.
    pub fn config(&self) -> NetworkConfig {
        self.config
    }

    /// The behaviour of the link `from → to`.
    pub fn link_config(&self, from: NodeId, to: NodeId) -> NetworkConfig {
        self.links.get(&(from, to)).copied().unwrap_or(self.config)
    }

    /// Changes every link's behaviour for messages sent from now on
    /// (per-link settings are replaced too).
    pub fn set_config(&mut self, config: NetworkConfig) {
        self.config = config;
        self.links.clear();
    }

    /// Changes one link's behaviour for messages sent from now on.
    pub fn set_link_config(&mut self, from: NodeId, to: NodeId, config: NetworkConfig) {
        self.links.insert((from, to), config);
    }

    /// Puts a message on the wire at tick `now`.
    pub fn send(&mut self, msg: Message, now: u64) -> SendOutcome {
        let link = self.link_config(msg.from, msg.to);
        // The draws in this order: the copy's delay and loss, whether to
        // duplicate, the duplicate's delay and loss. The message is only
        // copied when there is a duplicate.
        let (deliver_tick, doomed) = self.draw(&link, now);
        let duplicated = link.duplicate > 0.0 && self.rng.unit() < link.duplicate;
        let twin = duplicated.then(|| msg.clone());
        let seq = self.enqueue(msg, now, deliver_tick, doomed, false);
        if let Some(twin) = twin {
            let (tick, doomed) = self.draw(&link, now);
            self.enqueue(twin, now, tick, doomed, true);
        }
        SendOutcome { seq, deliver_tick, doomed, duplicated }
    }

    /// Draws a copy's delivery tick and whether it will be lost (always,
    /// past `MAX_IN_FLIGHT`).
    fn draw(&mut self, link: &NetworkConfig, now: u64) -> (u64, bool) {
        let [low, high] = link.delay_ticks;
        let delay = self.rng.range_inclusive(low, high);
        let doomed =
            (link.drop > 0.0 && self.rng.unit() < link.drop) || self.in_flight_count >= MAX_IN_FLIGHT;
        (now + delay, doomed)
    }

    /// Puts a copy in flight; returns its sequence number.
    fn enqueue(&mut self, msg: Message, now: u64, deliver_tick: u64, doomed: bool, duplicate: bool) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let flight = InFlight { seq, msg, sent_tick: now, deliver_tick, doomed, duplicate };
        let i = self.bucket_position(deliver_tick);
        match self.in_flight.get_mut(i) {
            Some((tick, bucket)) if *tick == deliver_tick => bucket.push_back(flight),
            _ => {
                // A tick's bucket mostly fills with a leader's messages to
                // each peer: room for a few from the start, not from one.
                let mut bucket = self.spare.pop().unwrap_or_else(|| VecDeque::with_capacity(BUCKET_ROOM));
                bucket.push_back(flight);
                self.in_flight.insert(i, (deliver_tick, bucket));
            }
        }
        self.in_flight_count += 1;
        seq
    }

    /// Where the bucket of `deliver_tick` is, or goes: the first whose tick
    /// is not earlier. Looked for from the back first: a new message is due
    /// within the largest delay, so with the usual delays of a few ticks
    /// its bucket is one of the last few, found in fewer steps than a
    /// binary search over the deque's two halves takes; long delays fall
    /// back to that search.
    fn bucket_position(&self, deliver_tick: u64) -> usize {
        let n = self.in_flight.len();
        for back in 0..n.min(SCAN_BUCKETS) {
            if self.in_flight[n - 1 - back].0 < deliver_tick {
                return n - back;
            }
        }
        self.in_flight.partition_point(|(tick, _)| *tick < deliver_tick)
    }

    /// Takes the next message due at or before `now`, in delivery order.
    pub fn pop_due(&mut self, now: u64) -> Option<InFlight> {
        let (tick, bucket) = self.in_flight.front_mut()?;
        if *tick > now {
            return None;
        }
        let flight = bucket.pop_front();
        if bucket.is_empty() {
            if let Some((_, empty)) = self.in_flight.pop_front() {
                if self.spare.len() < SPARE_BUCKETS {
                    self.spare.push(empty);
                }
            }
        }
        self.in_flight_count -= usize::from(flight.is_some());
        flight
    }

    /// True when the link `from → to` is cut.
    pub fn is_cut(&self, from: NodeId, to: NodeId) -> bool {
        // By sender first: a node map finds a node at once, where a map
        // keyed by pairs would search on every delivery.
        self.cut.get(&from).is_some_and(|to_set| to_set.contains(&to))
    }

    /// Cuts `from → to`, and `to → from` unless `one_way`.
    pub fn cut(&mut self, from: NodeId, to: NodeId, one_way: bool) {
        self.cut.get_or_insert_with(from, NodeSet::default).insert(to);
        if !one_way {
            self.cut.get_or_insert_with(to, NodeSet::default).insert(from);
        }
    }

    /// Replaces all cuts with a partition into `groups`: every link between
    /// different groups is cut.
    pub fn partition(&mut self, groups: &[Vec<NodeId>], all: &[NodeId]) {
        self.cut.clear();
        let group_of = |id: NodeId| groups.iter().position(|g| g.contains(&id));
        for a in all {
            for b in all {
                if a != b && (group_of(*a) != group_of(*b) || group_of(*a).is_none()) {
                    self.cut.get_or_insert_with(*a, NodeSet::default).insert(*b);
                }
            }
        }
    }

    /// Restores every link.
    pub fn heal(&mut self) {
        self.cut.clear();
    }

    /// The cut links.
    pub fn cuts(&self) -> impl Iterator<Item = (NodeId, NodeId)> + '_ {
        self.cut.iter().flat_map(|(from, to_set)| to_set.iter().map(move |to| (*from, *to)))
    }

    /// Every message in flight, in delivery order.
    pub fn in_flight(&self) -> impl Iterator<Item = &InFlight> {
        self.in_flight.iter().flat_map(|(_, bucket)| bucket)
    }

    /// The tick of the next delivery, if any message is in flight.
    pub fn next_delivery_tick(&self) -> Option<u64> {
        self.in_flight.front().map(|(tick, _)| *tick)
    }

    /// Takes out of flight the messages `select` picks, given each
    /// message in delivery order; returns them in that order.
    pub(crate) fn take(&mut self, mut select: impl FnMut(&InFlight) -> bool) -> Vec<InFlight> {
        let mut taken = Vec::new();
        for (_, bucket) in &mut self.in_flight {
            let mut kept = VecDeque::with_capacity(bucket.len());
            for flight in bucket.drain(..) {
                if select(&flight) {
                    taken.push(flight);
                } else {
                    kept.push_back(flight);
                }
            }
            *bucket = kept;
        }
        self.in_flight.retain(|(_, bucket)| !bucket.is_empty());
        self.in_flight_count -= taken.len();
        taken
    }

    /// Puts a second copy of `flight` in flight, due when it is; returns
    /// the copy's sequence number.
    pub(crate) fn copy(&mut self, flight: &InFlight) -> u64 {
        self.enqueue(flight.msg.clone(), flight.sent_tick, flight.deliver_tick, flight.doomed, true)
    }

    /// Writes the network's state: the messages in flight as a multiset
    /// (with how long each has to go, unless `timing` is false: a checker
    /// that delivers every message by command leaves delivery times out),
    /// the cut links, and the generator when the configuration draws
    /// anything. Sequence numbers and send ticks only name messages.
    pub fn write_key(&self, k: &mut StateKey, now: u64, timing: bool) {
        k.multiset(self.in_flight(), |f, k| {
            f.msg.write_key(k);
            k.flag(f.doomed);
            k.flag(f.duplicate);
            if timing {
                k.word(f.deliver_tick.saturating_sub(now));
            }
        });
        k.multiset(self.cuts(), |(from, to), k| {
            k.id(*from);
            k.id(*to);
        });
        let draws =
            |c: &NetworkConfig| c.delay_ticks[0] != c.delay_ticks[1] || c.drop > 0.0 || c.duplicate > 0.0;
        if draws(&self.config) || self.links.iter().any(|(_, c)| draws(c)) {
            k.word(self.rng.position());
        }
        k.multiset(self.links.iter(), |((from, to), c), k| {
            k.id(*from);
            k.id(*to);
            k.word(c.delay_ticks[0]);
            k.word(c.delay_ticks[1]);
            k.word(c.drop.to_bits());
            k.word(c.duplicate.to_bits());
        });
    }
}
