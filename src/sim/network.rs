//! The simulated network: every message in flight is visible with its send
//! and delivery tick; delays, drops, duplication and reordering derive from
//! the simulator's seed; links can be cut one way or both.

use std::collections::VecDeque;

use serde::Serialize;

use crate::core::rng::Rng;
use crate::core::{Message, MessageKind, NodeId, NodeMap, NodeSet, SortedMap, StateKey};

/// Network behaviour, as a scenario's `cluster.network` states it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
    /// Doomed by a scenario's `messages` drop, not by chance.
    pub scripted: bool,
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
    /// Held back by a standing `hold` of the `messages` command.
    pub held: bool,
}

/// Messages a new delivery tick's bucket has room for when made.
const BUCKET_ROOM: usize = 4;

/// Buckets looked at from the back before searching (`bucket_position`).
const SCAN_BUCKETS: usize = 4;

/// Most emptied buckets kept for reuse: as many as the ticks a message is
/// usually in flight, beyond which they would only hold memory.
const SPARE_BUCKETS: usize = 8;

/// The network.
#[derive(Debug)]
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
    /// Standing orders of the `messages` command for messages sent from
    /// now on, in the order given (`hold`, and `drop` with a count).
    rules: Vec<MessageRule>,
    /// Messages kept from delivery by a hold, in send order.
    held: Vec<InFlight>,
}

/// Which messages a `messages` command acts on: every field that is set
/// must match.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MessageFilter {
    /// The sender.
    pub from: Option<NodeId>,
    /// The receiver.
    pub to: Option<NodeId>,
    /// The kind.
    pub msg: Option<MessageKind>,
    /// Only the message with this sequence number: how `nth` names one.
    pub seq: Option<u64>,
}

impl MessageFilter {
    /// True when `f` matches.
    pub fn matches(&self, f: &InFlight) -> bool {
        let m = &f.msg;
        self.from.is_none_or(|id| id == m.from)
            && self.to.is_none_or(|id| id == m.to)
            && self.msg.is_none_or(|k| k == m.kind())
            && self.seq.is_none_or(|seq| seq == f.seq)
    }

    /// True when every message `other` matches, this matches too.
    fn covers(&self, other: &MessageFilter) -> bool {
        (self.from.is_none() || self.from == other.from)
            && (self.to.is_none() || self.to == other.to)
            && (self.msg.is_none() || self.msg == other.msg)
            && (self.seq.is_none() || self.seq == other.seq)
    }
}

/// Inserts `f` into `list`, kept in send order. (Not a sort: each sort is
/// a sizeable generic function in the wasm module, and these lists are
/// short.)
pub(crate) fn insert_by_seq(list: &mut Vec<InFlight>, f: InFlight) {
    let at = list.partition_point(|g| g.seq < f.seq);
    list.insert(at, f);
}

/// A standing order for messages sent later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MessageRule {
    /// Lose the next `remaining` matching messages.
    Drop { filter: MessageFilter, remaining: u64 },
    /// Keep matching messages until released.
    Hold { filter: MessageFilter },
}

/// Most messages in flight at once; beyond this the network drops new
/// sends, which bounds memory whatever a scenario does.
pub const MAX_IN_FLIGHT: usize = 100_000;

/// Field by field, so that `clone_from` keeps the buckets of the network
/// it overwrites (see `Sim`'s `clone_from`), and a clone holds no room it
/// does not use: each bucket just large enough, no spare (a clone is
/// often kept unstepped, as each state a breadth-first search holds for
/// its next depth, where room for a few messages more per bucket was a
/// quarter of the memory).
impl Clone for Network {
    fn clone(&self) -> Network {
        let Network { config, in_flight, in_flight_count, spare: _, cut, links, next_seq, rng, rules, held } =
            self;
        Network {
            config: *config,
            in_flight: in_flight
                .iter()
                .map(|(tick, bucket)| (*tick, bucket.iter().cloned().collect()))
                .collect(),
            in_flight_count: *in_flight_count,
            spare: Vec::new(),
            cut: cut.clone(),
            links: links.clone(),
            next_seq: *next_seq,
            rng: rng.clone(),
            rules: rules.clone(),
            held: held.clone(),
        }
    }

    fn clone_from(&mut self, source: &Network) {
        let Network { config, in_flight, in_flight_count, spare: _, cut, links, next_seq, rng, rules, held } =
            source;
        // Each bucket emptied into the spares (kept with their room), then
        // refilled from the source's: no bucket allocated while the spares
        // last. The spares themselves are not copied: only room.
        for (_, mut bucket) in self.in_flight.drain(..) {
            if self.spare.len() < SPARE_BUCKETS {
                bucket.clear();
                self.spare.push(bucket);
            }
        }
        for (tick, bucket) in in_flight {
            let mut copy = self.spare.pop().unwrap_or_else(|| VecDeque::with_capacity(BUCKET_ROOM));
            copy.extend(bucket.iter().cloned());
            self.in_flight.push_back((*tick, copy));
        }
        self.config = *config;
        self.in_flight_count = *in_flight_count;
        self.cut.clone_from(cut);
        self.links.clone_from(links);
        self.next_seq = *next_seq;
        self.rng.clone_from(rng);
        self.rules.clone_from(rules);
        self.held.clone_from(held);
    }
}

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
            rules: Vec::new(),
            held: Vec::new(),
        }
    }

    /// Frees the emptied buckets kept for reuse (see `Sim::release_scratch`).
    pub(crate) fn release_spare(&mut self) {
        self.spare = Vec::new();
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
        let held = !self.rules.is_empty() && self.held.last().is_some_and(|f| f.seq == seq);
        if let Some(twin) = twin {
            let (tick, doomed) = self.draw(&link, now);
            self.enqueue(twin, now, tick, doomed, true);
        }
        SendOutcome { seq, deliver_tick, doomed, duplicated, held }
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
        let mut flight =
            InFlight { seq, msg, sent_tick: now, deliver_tick, doomed, duplicate, scripted: false };
        if !self.rules.is_empty() && self.apply_rules(&mut flight) {
            self.held.push(flight);
            return seq;
        }
        self.put_in_flight(flight);
        seq
    }

    /// Applies the standing orders to a message being sent; true when it
    /// is to be held.
    fn apply_rules(&mut self, flight: &mut InFlight) -> bool {
        for rule in &mut self.rules {
            match rule {
                MessageRule::Hold { filter } if filter.matches(flight) => return true,
                MessageRule::Drop { filter, remaining } if *remaining > 0 && filter.matches(flight) => {
                    *remaining -= 1;
                    flight.doomed = true;
                    flight.scripted = true;
                }
                _ => {}
            }
        }
        self.rules.retain(|r| !matches!(r, MessageRule::Drop { remaining: 0, .. }));
        false
    }

    /// Puts a copy into its delivery tick's bucket.
    fn put_in_flight(&mut self, flight: InFlight) {
        let deliver_tick = flight.deliver_tick;
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
    }

    // ---- The `messages` command ----------------------------------------------

    /// Takes the messages in flight that match, in send order. Only the
    /// buckets holding a match are touched: the explorer takes one message
    /// (by sequence number) at nearly every move.
    pub fn take_in_flight(&mut self, filter: &MessageFilter) -> Vec<InFlight> {
        let mut taken = Vec::new();
        let mut i = 0;
        while let Some((_, bucket)) = self.in_flight.get_mut(i) {
            match bucket.iter().position(|f| filter.matches(f)) {
                None => {}
                // One message by its sequence number: nothing else matches.
                Some(at) if filter.seq.is_some() => taken.extend(bucket.remove(at)),
                Some(_) => {
                    for f in std::mem::take(bucket) {
                        if filter.matches(&f) {
                            insert_by_seq(&mut taken, f);
                        } else {
                            bucket.push_back(f);
                        }
                    }
                }
            }
            if bucket.is_empty() {
                if let Some((_, empty)) = self.in_flight.remove(i) {
                    if self.spare.len() < SPARE_BUCKETS && empty.capacity() > 0 {
                        self.spare.push(empty);
                    }
                }
            } else {
                i += 1;
            }
        }
        self.in_flight_count -= taken.len();
        taken
    }

    /// The sequence number of the `nth` (from 0) message that matches, in
    /// send order, among those in flight and, when `with_held`, those held.
    pub fn nth_match(&self, filter: &MessageFilter, nth: u64, with_held: bool) -> Option<u64> {
        let held = self.held.iter().filter(|_| with_held);
        let matches = || self.in_flight().chain(held.clone()).filter(|f| filter.matches(f));
        // Met in send order (always, when every message takes as long):
        // the nth met, without sorting.
        let mut last = None;
        if matches().all(|f| last.replace(f.seq).is_none_or(|before| before < f.seq)) {
            return matches().nth(usize::try_from(nth).ok()?).map(|f| f.seq);
        }
        let mut seqs = Vec::new();
        for f in matches() {
            let at = seqs.partition_point(|s| *s < f.seq);
            seqs.insert(at, f.seq);
        }
        seqs.get(usize::try_from(nth).ok()?).copied()
    }

    /// Takes the held messages that match, in send order.
    pub fn take_held(&mut self, filter: &MessageFilter) -> Vec<InFlight> {
        let mut taken = Vec::new();
        let mut i = 0;
        while i < self.held.len() {
            if filter.matches(&self.held[i]) {
                taken.push(self.held.remove(i));
            } else {
                i += 1;
            }
        }
        taken
    }

    /// Puts a second copy of each matching message in flight, due with its
    /// original; returns the originals' sequence numbers and messages.
    pub fn duplicate_in_flight(&mut self, filter: &MessageFilter) -> Vec<(u64, Message)> {
        let originals: Vec<InFlight> = self.in_flight().filter(|f| filter.matches(f)).cloned().collect();
        for f in &originals {
            self.enqueue(f.msg.clone(), f.sent_tick, f.deliver_tick, f.doomed, true);
        }
        originals.into_iter().map(|f| (f.seq, f.msg)).collect()
    }

    /// Holds matching messages: those in flight now, and those sent later
    /// until released. Returns the ones taken out of flight.
    pub fn hold(&mut self, filter: MessageFilter) -> Vec<InFlight> {
        let taken = self.take_in_flight(&filter);
        for f in &taken {
            insert_by_seq(&mut self.held, f.clone());
        }
        self.rules.push(MessageRule::Hold { filter });
        taken
    }

    /// Loses the next `count` matching messages sent.
    pub fn drop_next(&mut self, filter: MessageFilter, count: u64) {
        if count > 0 {
            self.rules.push(MessageRule::Drop { filter, remaining: count });
        }
    }

    /// Ends the holds `filter` covers and lets the matching held messages
    /// go on their way, due no earlier than `now`. Returns them.
    pub fn release(&mut self, filter: &MessageFilter, now: u64) -> Vec<InFlight> {
        self.rules.retain(|r| !matches!(r, MessageRule::Hold { filter: held } if filter.covers(held)));
        let released = self.take_held(filter);
        for f in &released {
            let mut f = f.clone();
            f.deliver_tick = f.deliver_tick.max(now);
            self.put_in_flight(f);
        }
        released
    }

    /// The messages kept from delivery by a hold, in send order.
    pub fn held(&self) -> &[InFlight] {
        &self.held
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

    /// Writes the network's state: the messages in flight and those held,
    /// each as a multiset (with how long each has to go, unless `timing` is
    /// false: a checker that delivers every message by command leaves
    /// delivery times out), the standing orders of the `messages` command,
    /// the cut links, and the generator when the configuration draws
    /// anything. Sequence numbers and send ticks only name messages.
    pub fn write_key(&self, k: &mut StateKey, now: u64, timing: bool) {
        let message = |f: &&InFlight, k: &mut StateKey| {
            f.msg.write_key(k);
            k.flag(f.doomed);
            k.flag(f.duplicate);
            k.flag(f.scripted);
            if timing {
                k.word(f.deliver_tick.saturating_sub(now));
            }
        };
        k.multiset(self.in_flight(), message);
        k.multiset(self.held.iter(), message);
        // The standing orders in order: the first hold that matches wins.
        k.word(self.rules.len() as u64);
        for rule in &self.rules {
            let (filter, remaining) = match rule {
                MessageRule::Drop { filter, remaining } => (filter, Some(*remaining)),
                MessageRule::Hold { filter } => (filter, None),
            };
            k.opt(remaining);
            k.opt_id(filter.from);
            k.opt_id(filter.to);
            k.opt(filter.msg.map(|kind| kind as u64));
        }
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
