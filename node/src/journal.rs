//! Each node's own trace: the events of SCENARIO.md's trace format as JSON
//! lines in `DIR/trace.jsonl`, each with two extra fields, `hlc` (the
//! node's hybrid logical clock) and `origin` (the node that wrote it).
//! `quorumscope merge` orders the files' lines by `hlc` into one trace.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use quorumscope::core::{Action, Body, Decision, Entry, Message, Node, NodeId, Persist, Role};
use quorumscope::sim::{trace_role, Narration, TraceBody, TraceEvent, TraceRole};

use crate::hlc::{Hlc, Stamp};

/// The trace file's name in a node's data directory.
pub const TRACE_FILE: &str = "trace.jsonl";

/// What the journal compares before and after a step.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Glance {
    term: u64,
    role: TraceRole,
    commit: u64,
}

impl Glance {
    /// The node's state as the trace reports it.
    pub fn of(node: &Node) -> Glance {
        Glance { term: node.term(), role: trace_role(node), commit: node.commit_index() }
    }

    /// The commit index.
    pub fn commit(&self) -> u64 {
        self.commit
    }
}

/// A node's trace writer and clock. Trace lines are not fsynced: they
/// are a record for people, and the protocol never reads them back.
pub struct Journal {
    id: NodeId,
    out: BufWriter<File>,
    /// The clock, also read by the transport for each send's stamp.
    pub hlc: Hlc,
    step: u64,
}

impl Journal {
    /// Appends to `dir/trace.jsonl`, first cutting a last line a kill left
    /// half written (as the log's torn tail is cut).
    pub fn open(dir: &Path, id: NodeId) -> io::Result<Journal> {
        let path = dir.join(TRACE_FILE);
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        let bytes = std::fs::read(&path)?;
        let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if whole < bytes.len() {
            file.set_len(whole as u64)?;
        }
        Ok(Journal { id, out: BufWriter::new(file), hlc: Hlc::default(), step: 0 })
    }

    /// Writes one event stamped `stamp`.
    pub fn write_at(&mut self, stamp: Stamp, body: TraceBody, text: String) {
        let event = TraceEvent { step: self.step, tick: 0, body, text: Narration::from(text) };
        let mut value = serde_json::to_value(&event).unwrap_or_default();
        if let Some(fields) = value.as_object_mut() {
            fields.insert("hlc".into(), serde_json::json!(stamp));
            fields.insert("origin".into(), self.id.into());
        }
        // A trace line lost to a full disk must not stop the node.
        let _ = writeln!(self.out, "{value}");
    }

    /// Writes one event stamped now.
    pub fn write(&mut self, body: TraceBody, text: String) {
        let stamp = self.hlc.now();
        self.write_at(stamp, body, text);
    }

    /// Ends a step: later events get the next step number; lines so far
    /// reach the file (a `kill -9` loses at most the step in progress).
    pub fn end_step(&mut self) {
        self.step += 1;
        let _ = self.out.flush();
    }

    /// What changed in the node's term and role over a step (the commit
    /// index is reported by `commit_since`, after the appends it covers);
    /// `cause` is the sender of the message that caused it, if any.
    pub fn changes(&mut self, before: Glance, node: &Node, cause: Option<NodeId>) {
        let (after, id) = (Glance::of(node), self.id);
        if after.term != before.term {
            self.write(
                TraceBody::TermChanged { node: id, term: after.term },
                format!("node {id} moves to term {}", after.term),
            );
        }
        if after.role != before.role {
            let role = after.role;
            self.write(
                TraceBody::RoleChanged { node: id, role, term: after.term },
                format!("node {id} becomes {role:?} in term {}", after.term).to_lowercase(),
            );
            if role == TraceRole::Leader {
                self.write(
                    TraceBody::LeaderElected { node: id, term: after.term },
                    format!("node {id} wins a quorum of votes and leads term {}", after.term),
                );
            }
            if before.role == TraceRole::Leader && after.term > before.term {
                let by = cause.or(node.leader()).unwrap_or(id);
                self.write(
                    TraceBody::LeaderDeposed { node: id, by, term: after.term },
                    format!("node {id} steps down: node {by} is at the higher term {}", after.term),
                );
            }
        }
    }

    /// `commit_advanced`, when the node's commit index passed `before`.
    pub fn commit_since(&mut self, node: &Node, before: u64) {
        let (id, index) = (self.id, node.commit_index());
        if index <= before {
            return;
        }
        let how = if node.role() == Role::Leader { "a quorum stores it" } else { "the leader says so" };
        self.write(
            TraceBody::CommitAdvanced { node: id, index },
            format!("node {id} commits up to index {index}: {how}"),
        );
    }

    /// A message arrived and is about to be stepped.
    pub fn delivered(&mut self, stamp: Stamp, seq: u64, m: &Message) {
        let body = TraceBody::MessageDelivered { from: m.from, to: m.to, msg: m.kind(), term: m.term, seq };
        self.write_at(stamp, body, format!("delivered: {}", m.headline()));
    }

    /// The trace lines of one action, before it is performed.
    pub fn action(&mut self, action: &Action, seq: u64) {
        let id = self.id;
        match action {
            Action::Send(m) => {
                self.decision(m);
                let body = TraceBody::MessageSent {
                    from: m.from,
                    to: m.to,
                    msg: m.kind(),
                    term: m.term,
                    seq,
                    deliver_tick: 0,
                };
                self.write(body, format!("sent: {}", m.headline()));
            }
            Action::Persist(Persist::Entries(entries)) => entries.iter().for_each(|e| self.appended(e)),
            Action::Persist(Persist::Snapshot(s)) => {
                let body = TraceBody::SnapshotTaken { node: id, index: s.index, term: s.term };
                self.write(
                    body,
                    format!("node {id} stores a snapshot up to index {} and compacts its log", s.index),
                );
            }
            Action::Apply(e) => {
                self.write(
                    TraceBody::Applied { node: id, index: e.index },
                    format!("node {id} applies entry {}", e.index),
                );
            }
            Action::MembershipChanged(m) => {
                let voters = m.voters.iter().copied().collect::<Vec<_>>();
                let body = TraceBody::MembershipChanged {
                    node: id,
                    voters: voters.clone(),
                    learners: m.learners.iter().copied().collect(),
                    witnesses: m.witnesses.iter().copied().collect(),
                    joint: m.outgoing.as_ref().map(|o| o.iter().copied().collect()),
                };
                self.write(body, format!("node {id} now counts voters {voters:?}"));
            }
            _ => {}
        }
    }

    fn appended(&mut self, e: &Entry) {
        let id = self.id;
        let body = TraceBody::EntryAppended { node: id, index: e.index, term: e.term };
        self.write(
            body,
            format!("node {id} appends entry {} of term {} and makes it durable", e.index, e.term),
        );
    }

    /// A vote or probe reply also states the decision as its own event.
    fn decision(&mut self, m: &Message) {
        let (decision, probe) = match &m.body {
            Body::ProbeReply { decision } => (decision, true),
            Body::VoteReply { decision } => (decision, false),
            _ => return,
        };
        let (voter, candidate, term) = (m.from, m.to, m.term);
        let body = match (decision, probe) {
            (Decision::Granted, true) => TraceBody::ProbeGranted { voter, candidate, term },
            (Decision::Granted, false) => TraceBody::VoteGranted { voter, candidate, term },
            (Decision::Refused(reason), true) => {
                TraceBody::ProbeRefused { voter, candidate, term, reason: reason.clone() }
            }
            (Decision::Refused(reason), false) => {
                TraceBody::VoteRefused { voter, candidate, term, reason: reason.clone() }
            }
        };
        self.write(body, m.headline().to_string());
    }
}
