//! Stepping one node and carrying out its actions: persist to its disk,
//! put messages on the network, apply to its store; then the trace events
//! that describe what changed.

use crate::core::{Action, Body, Event, HandoverOutcome, Membership, Message, Node, NodeId, Persist, Role};

use super::narrate::{self, Narration};
use super::network::InFlight;
use super::step_events;
use super::trace::{TraceBody, TraceRole};
use super::{PendingWrite, Sim};
use crate::check::AckedWrite;
use crate::core::{Index, RoleCause, Term};

/// What the trace compares before and after a node steps.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Observed {
    role: TraceRole,
    is_leader: bool,
    handing_over: bool,
    term: Term,
    commit: Index,
}

impl Observed {
    fn of(node: &Node) -> Observed {
        Observed {
            role: narrate::trace_role(node),
            is_leader: node.role() == Role::Leader,
            handing_over: node.handover().is_some_and(|h| h.handed_over()),
            term: node.term(),
            commit: node.commit_index(),
        }
    }
}

impl Sim {
    /// Delivers a message that has arrived, unless it dies on the way.
    pub(crate) fn deliver(&mut self, f: InFlight) {
        let m = f.msg;
        let (from, to, msg, term, seq) = (m.from, m.to, m.kind(), m.term, f.seq);
        let cause = if f.scripted {
            Some("script")
        } else if f.doomed {
            Some("network")
        } else if self.network.is_cut(from, to) {
            Some("cut")
        } else if self.node(to).is_none() {
            Some("crashed")
        } else {
            None
        };
        if let Some(cause) = cause {
            let why = match cause {
                "network" => "the network lost it",
                "script" => "the scenario drops it",
                "cut" => "the link is cut",
                _ => "the receiver is down",
            };
            let text = Narration::lost(from, to, msg, why);
            self.emit(TraceBody::MessageDropped { from, to, msg, term, seq, cause: cause.into() }, text);
            return;
        }
        let contents = m.contents();
        let body = TraceBody::MessageDelivered { from, to, msg, term, seq, contents };
        self.emit(body, Narration::arrives(&m));
        // Messages never make a node return an error.
        let _ = self.step_node(to, Event::Message(m), Some(from));
    }

    /// Steps node `id` with `event`; `from` is the sender when the event is
    /// a delivery. Errors come back untouched, with the node unchanged.
    pub(crate) fn step_node(
        &mut self,
        id: NodeId,
        event: Event,
        from: Option<NodeId>,
    ) -> Result<(), crate::core::Error> {
        let installing = matches!(&event, Event::Message(Message { body: Body::Snapshot { .. }, .. }));
        // Taken, not borrowed: performing may step this node again (a
        // snapshot hint), which then uses a buffer of its own.
        let mut actions = std::mem::take(&mut self.actions);
        // A crashed node is not copied: it has no core to step.
        let live = self.nodes.get(&id).is_some_and(|n| n.node.is_some());
        let Some(node) =
            live.then(|| super::node_mut(&mut self.nodes, id)).flatten().and_then(|n| n.node.as_mut())
        else {
            self.actions = actions;
            return Ok(());
        };
        let before = Observed::of(node);
        let stepped = node.step_into(event, &mut actions);
        let after = Observed::of(node);
        // A step that changed none of these figures and asked for nothing
        // (no message, nothing to persist or apply: a follower's tick, most
        // of the time) left everything the checker reads as it was; the
        // checker asserts as much in debug builds.
        if after != before || !actions.is_empty() {
            self.touch(id);
        }
        if stepped.is_ok() {
            if after != before {
                self.describe_change(id, before, after, from);
            }
            self.perform(id, actions.drain(..), installing);
            self.settle_writes(id);
        }
        self.actions = actions;
        stepped
    }

    fn describe_change(&mut self, id: NodeId, before: Observed, after: Observed, from: Option<NodeId>) {
        if after.term != before.term {
            let campaigning = after.role == TraceRole::Candidate || (after.is_leader && !before.is_leader);
            let text = match from.filter(|_| !campaigning) {
                Some(f) => format!(
                    "node {id} adopts term {} from node {f}'s message: a higher term always wins (Raft §5.1)",
                    after.term
                ),
                None => format!("node {id} starts an election for term {} and votes for itself", after.term),
            };
            self.emit(TraceBody::TermChanged { node: id, term: after.term }, text);
        }
        // A leader that handed over steps down by design (the demote phase
        // narrates it): that is no deposition.
        if before.is_leader && !after.is_leader && after.term > before.term && !before.handing_over {
            let by = from.unwrap_or(id);
            let text = format!(
                "leader {id} of term {} is deposed by node {by}'s term {}: a higher term always wins (Raft §5.1)",
                before.term, after.term
            );
            self.emit(TraceBody::LeaderDeposed { node: id, by, term: after.term }, text);
        }
        if after.role != before.role {
            let durable_vote = self.config.switches.durable_vote;
            let node = self.node(id);
            let cause = node.map_or(RoleCause::Crash, |n| n.role_cause());
            let outside = node.is_some_and(|n| !n.membership().contains(id));
            let text = role_sentence(id, before, after, cause, outside, durable_vote);
            let body =
                TraceBody::RoleChanged { node: id, role: after.role, term: after.term, cause: Some(cause) };
            self.emit(body, text);
        }
        if after.is_leader && !before.is_leader {
            let quorum = self.node(id).and_then(|n| n.elected_by()).map(<[_]>::to_vec).unwrap_or_default();
            let text = format!(
                "node {id} wins term {} with a quorum of votes{} and appends a no-op of its term (Raft §8)",
                after.term,
                narrate::joint_count(&quorum)
            );
            self.emit(TraceBody::LeaderElected { node: id, term: after.term, quorum }, text);
        }
    }

    pub(crate) fn perform(
        &mut self,
        id: NodeId,
        actions: impl IntoIterator<Item = Action>,
        installing: bool,
    ) {
        let (mut hint, mut persisted) = (None, false);
        // A judgement is answered within the same actions; none is left
        // over from a node that crashed between judging and replying.
        self.judged = None;
        for action in actions {
            match action {
                Action::Send(m) => self.send(m),
                Action::Persist(p) => {
                    persisted = true;
                    self.persist(id, p, installing);
                    if !self.disk_timed() && self.nodes[&id].crash_after_persist {
                        // The crash the durability rule is about: after the
                        // write, before the sends that depend on it.
                        self.crash(id, "after persisting, before sending");
                        return;
                    }
                }
                Action::Apply(e) => {
                    let n = super::node_mut(&mut self.nodes, id).expect("node exists");
                    if let crate::core::Payload::Write(data) = &e.payload {
                        n.kv.apply(e.index, data);
                    }
                    self.emit(TraceBody::Applied { node: id, index: e.index }, Narration::applies(id, &e));
                    self.applied_now.push((id, e));
                }
                // The state at the hint's index is the store now: later
                // actions of this step may apply more, which a snapshot
                // at `applied` must not hold (PROTOCOL.md §5).
                Action::SnapshotHint { applied } => hint = Some((applied, self.nodes[&id].kv.encode())),
                Action::RestoreSnapshot(s) => {
                    super::node_mut(&mut self.nodes, id).expect("node exists").kv =
                        super::KvStore::decode(&s.data);
                }
                Action::MembershipChanged(m) => self.membership_event(id, &m),
                Action::HandoverPhase(p) => {
                    let body = TraceBody::HandoverPhase {
                        phase: p.phase,
                        from: p.from,
                        to: p.to,
                        frontier: p.frontier,
                        reached: p.reached,
                    };
                    self.emit(body, p.to_string());
                }
                Action::HandoverOutcome(o) => self.outcome_event(&o),
                Action::Committed(c) => {
                    step_events::commit_advanced(id, c, |body, text| self.emit(body, text));
                }
                // The reply that carries the decision follows at once.
                Action::Voted(v) => self.judged = Some(v),
                Action::ProgressChanged(p) => {
                    step_events::progress_changed(id, p, |body, text| self.emit(body, text));
                }
            }
        }
        if persisted && self.disk_timed() {
            self.start_write(id);
        } else if persisted {
            // An instant disk: the writes are done, and the core hears so
            // before anything else happens to it.
            let mark = self.nodes[&id].disk.mark();
            let _ = self.step_node(id, Event::Durable(mark), None);
        }
        if let Some((index, data)) = hint {
            // The application answers the hint once the step's actions are
            // done, with its state as it was at the hint.
            let _ = self.step_node(id, Event::Snapshot { index, data }, None);
        }
    }

    fn send(&mut self, m: Message) {
        // The core judged the request just before it replied.
        if let Some((body, text)) = step_events::vote_decision(&m, &mut self.judged) {
            self.emit(body, text);
        }
        if self.disk_timed() {
            if let Some(m) = self.hold_reply(m) {
                self.transmit(m);
            }
        } else {
            self.transmit(m);
        }
    }

    /// Puts a message on the network.
    pub(crate) fn transmit(&mut self, m: Message) {
        let (from, to, msg, term) = (m.from, m.to, m.kind(), m.term);
        let text = Narration::sent(&m);
        let contents = m.contents();
        let out = self.network.send(m, self.now);
        let (seq, deliver_tick) = (out.seq, out.deliver_tick);
        self.emit(TraceBody::MessageSent { from, to, msg, term, seq, deliver_tick, contents }, text);
        if out.duplicated {
            let text = Narration::duplicated(from, to, msg);
            self.emit(TraceBody::MessageDuplicated { from, to, msg, term, seq: out.seq }, text);
        }
        if out.held {
            self.emit_held(from, to, msg, term, seq);
        }
    }

    /// Writes to node `id`'s disk (or queues the write when writes take
    /// time) and reports what its log now holds: `entry_appended` when the
    /// node stores an entry, whether or not the write is durable yet
    /// (`write_durable` says when it is).
    fn persist(&mut self, id: NodeId, p: Persist, installing: bool) {
        match &p {
            Persist::Entries(entries) => {
                for e in entries {
                    step_events::entry_appended(id, e.clone(), |body, text| self.emit(body, text));
                }
            }
            Persist::Snapshot(s) if installing => {
                let text = format!(
                    "node {id} installs the leader's snapshot up to {}@t{}: the entries it needs were compacted (Raft §7)",
                    s.index, s.term
                );
                self.emit(TraceBody::SnapshotInstalled { node: id, index: s.index, term: s.term }, text);
            }
            Persist::Snapshot(s) => {
                let text = format!(
                    "node {id} compacts its log behind a snapshot at {}@t{} (Raft §7)",
                    s.index, s.term
                );
                self.emit(TraceBody::SnapshotTaken { node: id, index: s.index, term: s.term }, text);
            }
            Persist::HardState(_) => {}
        }
        if self.disk_timed() {
            self.queue_write(id, p);
        } else {
            super::node_mut(&mut self.nodes, id).expect("node exists").disk.apply(&p);
        }
    }

    fn membership_event(&mut self, id: NodeId, m: &Membership) {
        let body = TraceBody::MembershipChanged {
            node: id,
            voters: m.voters.iter().copied().collect(),
            learners: m.learners.iter().copied().collect(),
            witnesses: m.witnesses.iter().copied().collect(),
            joint: m.outgoing.as_ref().map(|o| o.iter().copied().collect()),
        };
        let text =
            format!("node {id} now uses {m}: a configuration is in effect once appended (thesis §4.1)");
        self.emit(body, text);
    }

    fn outcome_event(&mut self, o: &HandoverOutcome) {
        let body = TraceBody::HandoverOutcome {
            result: o.result,
            failure: o.failure,
            from: o.from,
            to: o.to,
            new_term: o.new_term,
            new_leader: o.new_leader,
            frontier: o.frontier,
            reached: o.reached,
            skipped: o.skipped,
            waited: o.waited,
            forced: o.forced,
        };
        self.emit(body, o.to_string());
    }

    /// Acknowledges writes the accepting leader has committed, and forgets
    /// writes whose entry was overwritten before committing.
    fn settle_writes(&mut self, id: NodeId) {
        if !self.pending.iter().any(|w| w.node == id) {
            return;
        }
        let Some(node) = self.nodes.get(&id).and_then(|n| n.node.as_ref()) else { return };
        let (commit, log) = (node.commit_index(), node.log());
        let mut kept = Vec::with_capacity(self.pending.len());
        let mut acked: Vec<PendingWrite> = Vec::new();
        for w in std::mem::take(&mut self.pending) {
            if w.node != id {
                kept.push(w);
                continue;
            }
            match log.term_at(w.index) {
                Some(t) if t == w.term && commit >= w.index => acked.push(w),
                Some(t) if t != w.term => {}
                None if w.index <= log.snapshot_index() => {}
                _ => kept.push(w),
            }
        }
        self.pending = kept;
        for w in acked {
            let text = format!(
                "write {:?} is acknowledged: entry {}@t{} committed on a quorum",
                w.value, w.index, w.term
            );
            self.acked.push(AckedWrite { index: w.index, term: w.term, value: w.value.clone() });
            self.emit(TraceBody::WriteAcked { index: w.index, value: w.value, node: w.node }, text);
        }
    }
}

/// The sentence for a role change; `cause` is the core's, `outside` says
/// the node's configuration does not list it.
fn role_sentence(
    id: NodeId,
    before: Observed,
    after: Observed,
    cause: RoleCause,
    outside: bool,
    durable_vote: bool,
) -> String {
    let term = after.term;
    match after.role {
        TraceRole::Candidate => format!(
            "node {id} becomes a candidate in term {term}: it votes for itself, persists that{}, and asks for votes",
            if durable_vote { "" } else { " (the vote only in memory: durable_vote is off)" }
        ),
        TraceRole::Leader => format!("node {id} becomes leader of term {term}"),
        TraceRole::Follower if before.is_leader && cause == RoleCause::Removed => {
            format!("node {id} steps down: the configuration that removes it has committed (thesis §4.2.2)")
        }
        TraceRole::Follower if before.is_leader && cause == RoleCause::CheckQuorum => format!(
            "node {id} steps down in term {term}: it has not heard from a quorum within an election timeout (check quorum, thesis §6.2)"
        ),
        TraceRole::Follower if outside => {
            format!("node {id} is outside the configuration: it neither votes nor stands")
        }
        TraceRole::Follower => format!("node {id} is a follower in term {term}"),
        TraceRole::Learner => format!("node {id} is a catching-up learner: it neither votes nor counts"),
        TraceRole::Witness => format!("node {id} is a witness in term {term}: it votes but never stands"),
        TraceRole::Crashed => format!("node {id} is down"),
    }
}
