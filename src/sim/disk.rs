//! A disk that takes time (a scenario's `cluster.disk_ticks`, SCENARIO.md
//! version 2): each node's disk does one write at a time, each taking a
//! duration drawn from the range. What a step asks to persist is one write
//! (one fsync, as a real host syncs once per batch of actions); what is
//! asked while a write runs is written together next. A reply waits for
//! every write asked before it; a request (vote request, append) leaves at
//! once, its sender counting itself only once the core hears
//! `Event::Durable` (PROTOCOL.md §2, Raft thesis §10.2.1). With the
//! default `[0, 0]` writes are instant and none of this runs.

use crate::core::{Event, Message, MessageKind, NodeId, Persist};

use super::trace::TraceBody;
use super::Sim;

/// One node's writes under way: the one the disk is doing (started), then
/// the one gathering what was asked meanwhile. At most two.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DiskQueue {
    batches: Vec<DiskWrite>,
}

/// One write: what it stores and the replies waiting for it.
#[derive(Clone, Debug, PartialEq)]
struct DiskWrite {
    writes: Vec<Persist>,
    replies: Vec<Message>,
    /// The tick it completes at, once started.
    done_tick: Option<u64>,
}

impl DiskQueue {
    /// True while a write is under way or waiting.
    pub fn busy(&self) -> bool {
        !self.batches.is_empty()
    }

    /// The tick the write under way completes at.
    pub fn done_tick(&self) -> Option<u64> {
        self.batches.first().and_then(|b| b.done_tick)
    }

    /// Replies waiting for a write, in the order they leave.
    pub fn waiting(&self) -> impl Iterator<Item = &Message> {
        self.batches.iter().flat_map(|b| &b.replies)
    }

    /// Writes the writes under way for a state key: what each stores and
    /// releases, and how long the one started has to go, field by field
    /// like the rest of the key (so node names are renamed with it).
    pub(crate) fn write_key(&self, k: &mut crate::core::StateKey, now: u64) {
        k.word(self.batches.len() as u64);
        for b in &self.batches {
            k.opt(b.done_tick.map(|t| t.saturating_sub(now)));
            k.word(b.writes.len() as u64);
            for w in &b.writes {
                w.write_key(k);
            }
            k.word(b.replies.len() as u64);
            for m in &b.replies {
                m.write_key(k);
            }
        }
    }

    /// The write still gathering this step's requests: the last one unless
    /// it has started.
    fn open(&mut self) -> &mut DiskWrite {
        if self.batches.last().is_none_or(|b| b.done_tick.is_some()) {
            self.batches.push(DiskWrite { writes: Vec::new(), replies: Vec::new(), done_tick: None });
        }
        self.batches.last_mut().expect("just ensured")
    }
}

/// A reply: what must wait for the writes asked before it.
fn is_reply(m: &Message) -> bool {
    matches!(
        m.kind(),
        MessageKind::VoteReply
            | MessageKind::ProbeReply
            | MessageKind::AppendReply
            | MessageKind::SnapshotReply
    )
}

impl Sim {
    /// True when writes take time (`disk_ticks` above zero).
    pub(crate) fn disk_timed(&self) -> bool {
        self.config.disk_ticks[1] > 0
    }

    /// Queues a write of node `id` for its disk.
    pub(crate) fn queue_write(&mut self, id: NodeId, write: Persist) {
        let n = super::node_mut(&mut self.nodes, id).expect("node exists");
        n.writes.open().writes.push(write);
    }

    /// Holds a reply of `m.from` behind its pending writes, or gives it
    /// back to be sent now.
    pub(crate) fn hold_reply(&mut self, m: Message) -> Option<Message> {
        if !is_reply(&m) {
            return Some(m);
        }
        let (from, to, msg, term) = (m.from, m.to, m.kind(), m.term);
        let n = super::node_mut(&mut self.nodes, from).expect("node exists");
        let Some(last) = n.writes.batches.last_mut() else { return Some(m) };
        last.replies.push(m);
        let text = format!(
            "node {from}'s {} to node {to} waits for its write to be durable: a reply never leaves before what it promises is on disk (PROTOCOL.md §2)",
            msg.name()
        );
        self.emit(TraceBody::MessageWaiting { from, to, msg, term }, text);
        None
    }

    /// Starts node `id`'s next write if its disk is idle.
    pub(crate) fn start_write(&mut self, id: NodeId) {
        let [min, max] = self.config.disk_ticks;
        let now = self.now;
        let n = super::node_mut(&mut self.nodes, id).expect("node exists");
        let Some(next) = n.writes.batches.first_mut() else { return };
        if next.done_tick.is_some() {
            return;
        }
        let done_tick = now + self.disk_rng.range_inclusive(min, max);
        next.done_tick = Some(done_tick);
        let mark = next.writes.iter().fold(n.disk.mark(), |mark, w| mark.after(w));
        let text = format!(
            "node {id} starts a durable write (term {}, log to {}@t{}), done at tick {done_tick}: requests may leave meanwhile, replies wait",
            mark.term, mark.last_index, mark.last_term
        );
        let body =
            TraceBody::WriteStarted { node: id, term: mark.term, last_index: mark.last_index, done_tick };
        self.emit(body, text);
    }

    /// Completes the writes due by now, node by node in id order: each is
    /// applied to the disk, its waiting replies leave, the disk starts the
    /// next write, and the core hears what is durable.
    pub(crate) fn complete_writes(&mut self) {
        let now = self.now;
        let mut next = self.nodes.keys().next().copied();
        while let Some(id) = next {
            next = self.nodes.next_key_after(id);
            let n = super::node_mut(&mut self.nodes, id).expect("node exists");
            if n.writes.done_tick().is_none_or(|t| t > now) {
                continue;
            }
            let done = n.writes.batches.remove(0);
            for w in &done.writes {
                n.disk.apply(w);
            }
            let mark = n.disk.mark();
            let crash = n.crash_after_persist;
            let released = done.replies.len() as u64;
            self.touch(id);
            let text = format!(
                "node {id}'s write is durable (term {}, log to {}@t{}){}",
                mark.term,
                mark.last_index,
                mark.last_term,
                if released > 0 { format!(": {released} waiting replies leave") } else { String::new() }
            );
            self.emit(
                TraceBody::WriteDurable { node: id, term: mark.term, last_index: mark.last_index, released },
                text,
            );
            if crash {
                // The crash the durability rule is about: after the write,
                // before the replies that depend on it.
                self.crash(id, "after persisting, before sending");
                continue;
            }
            for m in done.replies {
                self.transmit(m);
            }
            self.start_write(id);
            let _ = self.step_node(id, Event::Durable(mark), None);
        }
    }
}
