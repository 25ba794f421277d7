//! Each node's own trace: the events of SCENARIO.md's trace format as JSON
//! lines in `DIR/trace.jsonl`, each with two extra fields, `hlc` (the
//! node's hybrid logical clock) and `origin` (the node that wrote it).
//! `quorumscope merge` orders the files' lines by `hlc` into one trace.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::Path;

use quorumscope::core::{Action, Message, Node, NodeId, Persist, RoleCause, VoteReport};
use quorumscope::sim::step_events::{commit_advanced, entry_appended, progress_changed, vote_decision};
use quorumscope::sim::{trace_role, Narration, TraceBody, TraceEvent, TraceRole};

use crate::hlc::{Hlc, Stamp};

/// The trace file's name in a node's data directory.
pub const TRACE_FILE: &str = "trace.jsonl";

/// What the journal compares before and after a step (the core reports
/// everything else as actions).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Glance {
    term: u64,
    role: TraceRole,
}

impl Glance {
    /// The node's state as the trace reports it.
    pub fn of(node: &Node) -> Glance {
        Glance { term: node.term(), role: trace_role(node) }
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
    /// The vote request the core just judged (`Action::Voted`), until the
    /// reply that carries the decision is sent.
    judged: Option<VoteReport>,
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
        Ok(Journal { id, out: BufWriter::new(file), hlc: Hlc::default(), step: 0, judged: None })
    }

    /// Writes one event stamped `stamp`.
    pub fn write_at(&mut self, stamp: Stamp, body: TraceBody, text: impl Into<Narration>) {
        let event = TraceEvent { step: self.step, tick: 0, body, text: text.into() };
        let mut value = serde_json::to_value(&event).unwrap_or_default();
        if let Some(fields) = value.as_object_mut() {
            fields.insert("hlc".into(), serde_json::json!(stamp));
            fields.insert("origin".into(), self.id.into());
        }
        // A trace line lost to a full disk must not stop the node.
        let _ = writeln!(self.out, "{value}");
    }

    /// Writes one event stamped now.
    pub fn write(&mut self, body: TraceBody, text: impl Into<Narration>) {
        let stamp = self.hlc.now();
        self.write_at(stamp, body, text);
    }

    /// Ends a step: later events get the next step number; lines so far
    /// reach the file (a `kill -9` loses at most the step in progress).
    pub fn end_step(&mut self) {
        self.step += 1;
        // A judgement is answered within its step; none carries over.
        self.judged = None;
        let _ = self.out.flush();
    }

    /// What changed in the node's term and role over a step, with the
    /// core's cause and, for a new leader, its tally; `cause` is the sender
    /// of the message that caused it, if any.
    pub fn changes(&mut self, before: Glance, node: &Node, cause: Option<NodeId>) {
        let (after, id) = (Glance::of(node), self.id);
        if after.term != before.term {
            self.write(
                TraceBody::TermChanged { node: id, term: after.term },
                format!("node {id} moves to term {}", after.term),
            );
        }
        if after.role != before.role {
            let (role, why) = (after.role, node.role_cause());
            self.write(
                TraceBody::RoleChanged { node: id, role, term: after.term, cause: Some(why) },
                format!("node {id} becomes {role:?} in term {}", after.term).to_lowercase(),
            );
            if role == TraceRole::Leader {
                let quorum = node.elected_by().map(<[_]>::to_vec).unwrap_or_default();
                self.write(
                    TraceBody::LeaderElected { node: id, term: after.term, quorum },
                    format!("node {id} wins a quorum of votes and leads term {}", after.term),
                );
            }
            if before.role == TraceRole::Leader && why == RoleCause::HigherTerm {
                let by = cause.or(node.leader()).unwrap_or(id);
                self.write(
                    TraceBody::LeaderDeposed { node: id, by, term: after.term },
                    format!("node {id} steps down: node {by} is at the higher term {}", after.term),
                );
            }
        }
    }

    /// A message arrived and is about to be stepped.
    pub fn delivered(&mut self, stamp: Stamp, seq: u64, m: &Message) {
        let (from, to, msg, term, contents) = (m.from, m.to, m.kind(), m.term, m.contents());
        let body = TraceBody::MessageDelivered { from, to, msg, term, seq, contents };
        self.write_at(stamp, body, Narration::arrives(m));
    }

    /// The trace lines of one action, before it is performed: every fact
    /// comes from the core's action, through the simulator's own builders.
    pub fn action(&mut self, action: &Action, seq: u64) {
        let id = self.id;
        match action {
            Action::Send(m) => {
                if let Some((body, text)) = vote_decision(m, &mut self.judged) {
                    self.write(body, text);
                }
                self.sent(m, seq);
            }
            Action::Persist(Persist::Entries(entries)) => {
                for e in entries {
                    entry_appended(id, e.clone(), |body, text| self.write(body, text));
                }
            }
            Action::Committed(c) => {
                commit_advanced(id, *c, |body, text| self.write(body, text));
            }
            Action::Voted(v) => self.judged = Some(*v),
            Action::ProgressChanged(p) => {
                progress_changed(id, *p, |body, text| self.write(body, text));
            }
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

    fn sent(&mut self, m: &Message, seq: u64) {
        let (from, to, msg, term, contents) = (m.from, m.to, m.kind(), m.term, m.contents());
        // A real network has no delivery tick: the merged trace orders by `hlc`.
        let body = TraceBody::MessageSent { from, to, msg, term, seq, deliver_tick: 0, contents };
        self.write(body, Narration::sent(m));
    }
}
