//! The host loop: one thread owns the core `Node`, its files and its
//! store, and turns inputs (ticks of a real clock, frames from peers,
//! client requests) into `Node::step` calls, performing the actions in
//! order.
//!
//! The durability rule (PROTOCOL.md §2): appends are written as they come
//! and fsynced before anything leaves the process, that is before any
//! `Send` and any `Apply` (which may answer a client). The core emits no
//! "write durable" event yet, so every write here completes before the
//! step's next action; with such an event a leader could send its appends
//! while its own fsync runs (Raft thesis §10.2.1).

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use quorumscope::core::{
    Action, Config, Error, Event, HandoverMode, Index, Member, Node, NodeId, Payload, Term,
};
use quorumscope::sim::{trace_role, TraceBody};

use crate::journal::{Glance, Journal};
use crate::kv::{Command, Store};
use crate::options::Options;
use crate::storage::Storage;
use crate::transport::{Cuts, Transport};
use crate::wire::Frame;

/// Most inputs taken from the queue at once (the group-commit batch).
const BATCH_INPUTS_MAX: usize = 64;
/// How often a commit watermark the storage deferred is written
/// (`Storage::persist`): one atomic rewrite per interval instead of one per
/// commit.
const STATE_FLUSH_EVERY: Duration = Duration::from_millis(200);

/// How long a client write or read may wait for its entry to commit.
pub const COMMIT_WAIT: Duration = Duration::from_secs(2);

/// What the host loop receives.
pub enum Input {
    /// A frame from a peer.
    Frame(Frame),
    /// A client or operator request and where to answer it.
    Client(Request, Sender<Reply>),
}

/// A request on the client API (SCENARIO.md, "The real cluster's client
/// API"), already parsed and checked against the limits.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(missing_docs)] // each field is the URL parameter of the same name
pub enum Request {
    /// `PUT /kv/KEY`.
    Put { key: String, value: String },
    /// `GET /kv/KEY`.
    Get { key: String },
    /// `GET /status`.
    Status,
    /// `POST /admin/transfer` or `/admin/failover`.
    Handover { to: NodeId, mode: HandoverMode },
    /// `POST /admin/add`.
    Add { id: NodeId, witness: bool },
    /// `POST /admin/remove`.
    Remove { id: NodeId },
    /// `POST /admin/cut`: drop all traffic to and from these peers.
    Cut { peers: Vec<NodeId> },
    /// `POST /admin/heal`.
    Heal,
}

/// An HTTP status and a JSON body.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// The body.
    pub body: Value,
}

impl Reply {
    fn new(status: u16, body: Value) -> Reply {
        Reply { status, body }
    }

    fn error(status: u16, text: impl Into<String>) -> Reply {
        Reply::new(status, json!({ "error": text.into() }))
    }
}

/// A client waiting for its entry to apply.
struct Waiter {
    term: Term,
    deadline: Instant,
    reply: Sender<Reply>,
    /// For a read, the key to answer with once the entry applies.
    read: Option<String>,
}

/// The host's state.
pub struct Host {
    opts: Options,
    node: Node,
    storage: Storage,
    store: Store,
    applied: Index,
    journal: Journal,
    transport: Transport,
    cuts: Cuts,
    waiting: BTreeMap<Index, Waiter>,
    seq: u64,
}

/// Why the host loop stopped: a write failed, so the node must not go on.
pub type Fatal = std::io::Error;

impl Host {
    /// Recovers from `opts.data` and sets up the node.
    pub fn start(opts: Options, transport: Transport, cuts: Cuts) -> Result<Host, Fatal> {
        let (storage, durable, recovery) = Storage::open(&opts.data, opts.fault)?;
        eprintln!("node {}: recovery: {recovery}", opts.id);
        let config = node_config(&opts);
        let fresh = durable == Default::default();
        let (node, actions) = Node::restart(config, durable).map_err(std::io::Error::other)?;
        let mut journal = Journal::open(&opts.data, opts.id)?;
        let seq = journal.hlc.now().wall_ms * 1000;
        if !fresh {
            journal.write(
                TraceBody::Restart { node: opts.id },
                format!("node {} restarts from its disk: {recovery}", opts.id),
            );
        }
        let mut host = Host {
            opts,
            node,
            storage,
            store: Store::default(),
            applied: 0,
            journal,
            transport,
            cuts,
            waiting: BTreeMap::new(),
            seq,
        };
        host.perform(actions)?;
        host.journal.end_step();
        Ok(host)
    }

    /// Runs until the input channel closes or a write fails.
    pub fn run(mut self, inputs: Receiver<Input>) -> Result<(), Fatal> {
        let tick = self.opts.tick;
        let mut next_tick = Instant::now() + tick;
        let mut flushed = Instant::now();
        loop {
            let wait = next_tick.saturating_duration_since(Instant::now());
            match inputs.recv_timeout(wait) {
                Ok(first) => {
                    // Group commit: the client commands waiting now go into
                    // one append, made durable by one fsync.
                    let mut batch = Vec::new();
                    let more = std::iter::from_fn(|| inputs.try_recv().ok()).take(BATCH_INPUTS_MAX);
                    for input in std::iter::once(first).chain(more) {
                        match input {
                            Input::Frame(frame) => self.on_frame(frame)?,
                            Input::Client(Request::Put { key, value }, reply) => {
                                batch.push((Command::Put { key, value }, None, reply))
                            }
                            Input::Client(Request::Get { key }, reply) => {
                                batch.push((Command::Read, Some(key), reply))
                            }
                            Input::Client(request, reply) => self.on_request(request, reply)?,
                        }
                    }
                    self.propose(batch)?;
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return self.storage.flush_state(),
            }
            // A bounded catch-up after a stall: at most a few ticks at once.
            let mut due = 0;
            while Instant::now() >= next_tick && due < 5 {
                if let Err(e) = self.step(Event::Tick, None)? {
                    eprintln!("node {}: tick refused: {e}", self.opts.id);
                }
                next_tick += tick;
                due += 1;
            }
            if Instant::now() >= next_tick {
                next_tick = Instant::now() + tick;
            }
            if flushed.elapsed() >= STATE_FLUSH_EVERY {
                self.storage.flush_state()?;
                flushed = Instant::now();
            }
            self.expire_waiters();
        }
    }

    fn on_frame(&mut self, frame: Frame) -> Result<(), Fatal> {
        let stamp = self.journal.hlc.receive(frame.hlc);
        self.journal.delivered(stamp, frame.seq, &frame.msg);
        let from = frame.msg.from;
        if let Err(e) = self.step(Event::Message(frame.msg), Some(from))? {
            eprintln!("node {}: message from node {from} refused: {e}", self.opts.id);
        }
        Ok(())
    }

    /// One `Node::step` with its trace lines and actions. A core error
    /// (say, a write to a follower) is returned for the caller to answer.
    fn step(&mut self, event: Event, cause: Option<NodeId>) -> Result<Result<(), Error>, Fatal> {
        let before = Glance::of(&self.node);
        let actions = match self.node.step(event) {
            Ok(actions) => actions,
            Err(e) => return Ok(Err(e)),
        };
        self.journal.changes(before, &self.node, cause);
        self.perform(actions)?;
        self.journal.end_step();
        Ok(Ok(()))
    }

    /// Performs actions in order, each traced first (the core orders a
    /// commit after the appends it covers and before the applies).
    fn perform(&mut self, actions: Vec<Action>) -> Result<(), Fatal> {
        let mut snapshot = None;
        let wrote = actions.iter().any(|a| matches!(a, Action::Persist(_)));
        for action in actions {
            if !matches!(action, Action::Persist(_)) {
                self.storage.sync()?;
            }
            self.journal.action(&action, self.seq + 1);
            match action {
                Action::Persist(write) => self.storage.persist(&write)?,
                Action::Send(msg) => {
                    self.seq += 1;
                    let frame = Frame { hlc: self.journal.hlc.now(), seq: self.seq, msg };
                    self.transport.send(frame.msg.to, &frame);
                }
                Action::Apply(entry) => self.apply(entry.index, entry.term, &entry.payload),
                Action::SnapshotHint { applied } if applied == self.applied => {
                    snapshot = Some(Event::Snapshot { index: applied, data: self.store.encode() });
                }
                Action::RestoreSnapshot(snap) => {
                    self.store = Store::decode(&snap.data).map_err(std::io::Error::other)?;
                    self.applied = snap.index;
                }
                _ => {}
            }
        }
        self.storage.sync()?;
        if wrote {
            // Synced: every write asked so far is on disk. The core counts
            // its own vote and its own copy of an entry only once told
            // (PROTOCOL.md §2).
            let mark = self.node.synced_mark();
            if let Err(e) = self.step(Event::Durable(mark), None)? {
                eprintln!("node {}: durable report refused: {e}", self.opts.id);
            }
        }
        if let Some(event) = snapshot {
            // The application's answer to the hint, at the applied index.
            if let Err(e) = self.step(event, None)? {
                eprintln!("node {}: snapshot refused: {e}", self.opts.id);
            }
        }
        Ok(())
    }

    fn apply(&mut self, index: Index, term: Term, payload: &Payload) {
        if let Payload::Write(bytes) = payload {
            self.store.apply(bytes);
        }
        self.applied = index;
        let Some(w) = self.waiting.remove(&index) else { return };
        let reply = if w.term != term {
            // Another leader's entry took the index: ours was never committed.
            Reply::error(503, "the write was overwritten by a new leader; retry")
        } else if let Some(key) = w.read {
            match self.store.get(&key) {
                Some(value) => Reply::new(200, json!({ "value": value })),
                None => Reply::error(404, "absent"),
            }
        } else {
            let value = match payload {
                Payload::Write(bytes) => match Command::decode(bytes) {
                    Some(Command::Put { key, value }) => format!("{key}={value}"),
                    _ => String::new(),
                },
                _ => String::new(),
            };
            let id = self.opts.id;
            let text = format!("node {id} acknowledges the write {value:?}: entry {index} committed");
            self.journal.write(TraceBody::WriteAcked { index, value, node: id }, text);
            Reply::new(200, json!({ "index": index, "term": term }))
        };
        let _ = w.reply.send(reply);
    }

    fn expire_waiters(&mut self) {
        let now = Instant::now();
        let late: Vec<Index> =
            self.waiting.iter().filter(|(_, w)| w.deadline <= now).map(|(&i, _)| i).collect();
        for index in late {
            if let Some(w) = self.waiting.remove(&index) {
                let text = format!(
                    "entry {index} did not commit within {:?}; it may or may not take effect",
                    COMMIT_WAIT
                );
                let _ = w.reply.send(Reply::error(503, text));
            }
        }
    }

    fn on_request(&mut self, request: Request, reply: Sender<Reply>) -> Result<(), Fatal> {
        let answer = match request {
            Request::Put { key, value } => {
                return self.propose(vec![(Command::Put { key, value }, None, reply)])
            }
            Request::Get { key } => return self.propose(vec![(Command::Read, Some(key), reply)]),
            Request::Status => Some(Reply::new(200, self.status())),
            Request::Handover { to, mode } => Some(self.operator(Event::Handover { to, mode })?),
            Request::Add { id, witness } => {
                let member = if witness { Member::witness(id) } else { Member::learner(id) };
                Some(self.operator(Event::AddServer(member))?)
            }
            Request::Remove { id } => Some(self.operator(Event::RemoveServer(id))?),
            Request::Cut { peers } => Some(self.cut(&peers, true)),
            Request::Heal => {
                let all: Vec<NodeId> = self.cuts.keys().copied().collect();
                Some(self.cut(&all, false))
            }
        };
        if let Some(answer) = answer {
            let _ = reply.send(answer);
        }
        Ok(())
    }

    /// Appends client commands in one batch; each is answered when its
    /// entry applies. The waiters are registered first, at the indexes a
    /// leader appends at next, because a single-voter cluster commits and
    /// applies within the step.
    fn propose(&mut self, batch: Vec<(Command, Option<String>, Sender<Reply>)>) -> Result<(), Fatal> {
        if batch.is_empty() {
            return Ok(());
        }
        let (first, term) = (self.node.log().last_index() + 1, self.node.term());
        let deadline = Instant::now() + COMMIT_WAIT;
        let mut payloads = Vec::with_capacity(batch.len());
        for (i, (cmd, read, reply)) in batch.into_iter().enumerate() {
            payloads.push(cmd.encode());
            self.waiting.insert(first + i as u64, Waiter { term, deadline, reply, read });
        }
        let count = payloads.len() as u64;
        if let Err(e) = self.step(Event::ProposeBatch(payloads), None)? {
            let refusal = self.refusal(e);
            for index in first..first + count {
                if let Some(w) = self.waiting.remove(&index) {
                    let _ = w.reply.send(refusal.clone());
                }
            }
        } else if self.opts.ack_early {
            self.ack_early(first..first + count, term);
        }
        Ok(())
    }

    /// The `--fault ack-early` bug: writes answered as soon as this leader
    /// has appended them, before a quorum stores them.
    fn ack_early(&mut self, indexes: std::ops::Range<Index>, term: Term) {
        for index in indexes {
            if self.waiting.get(&index).is_some_and(|w| w.read.is_none()) {
                if let Some(w) = self.waiting.remove(&index) {
                    let _ = w.reply.send(Reply::new(200, json!({ "index": index, "term": term })));
                }
            }
        }
    }

    fn operator(&mut self, event: Event) -> Result<Reply, Fatal> {
        Ok(match self.step(event, None)? {
            Ok(()) => Reply::new(202, json!({ "accepted": true, "status": self.status() })),
            Err(e) => self.refusal(e),
        })
    }

    /// The HTTP answer to a core refusal.
    fn refusal(&self, e: Error) -> Reply {
        match e {
            Error::NotLeader { leader } => {
                let url = leader.and_then(|id| self.opts.clients.get(&id).cloned());
                Reply::new(421, json!({ "error": "not_leader", "leader": url }))
            }
            Error::HandoverInProgress { to } => {
                Reply::error(503, format!("a handover to node {to} is in progress; retry"))
            }
            other => Reply::error(409, other.to_string()),
        }
    }

    fn cut(&mut self, peers: &[NodeId], on: bool) -> Reply {
        for p in peers {
            if let Some(flag) = self.cuts.get(p) {
                flag.store(on, std::sync::atomic::Ordering::Relaxed);
            }
        }
        let cut: Vec<NodeId> = self
            .cuts
            .iter()
            .filter(|(_, f)| f.load(std::sync::atomic::Ordering::Relaxed))
            .map(|(&id, _)| id)
            .collect();
        Reply::new(200, json!({ "cut": cut }))
    }

    /// `GET /status`.
    fn status(&self) -> Value {
        let n = &self.node;
        json!({
            "id": n.id(),
            "role": trace_role(n),
            "term": n.term(),
            "leader": n.leader(),
            "commit": n.commit_index(),
            "last_index": n.log().last_index(),
            "applied": self.applied,
            "voted_for": n.voted_for(),
        })
    }
}

/// The core's configuration for this node: a tick is `opts.tick` of real
/// time, and the timeouts keep the core's defaults in ticks.
fn node_config(opts: &Options) -> Config {
    let members = opts
        .members
        .iter()
        .map(|&id| if opts.witnesses.contains(&id) { Member::witness(id) } else { Member::data(id) })
        .collect();
    let mut cfg = Config::new(opts.id, members);
    cfg.snapshot_threshold = opts.snapshot_threshold;
    cfg.switches = opts.switches;
    cfg.seed = opts.id ^ std::process::id() as u64;
    cfg
}
