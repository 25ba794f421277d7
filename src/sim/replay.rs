//! A recorded trace played back as pictures: the cluster's view folded
//! from the trace's own facts, for traces that cannot be re-simulated (a
//! real cluster's, merged by `quorumscope merge`). It builds the same
//! [`ClusterView`] the page draws from the simulator, so the page needs no
//! second renderer.
//!
//! Everything shown comes from a line of the trace: roles and terms from
//! `term_changed` / `role_changed`, logs from `entry_appended` (version 2's
//! `entry` gives each entry's kind), commits, progress, membership,
//! snapshots, crashes, partitions and the messages between their send and
//! their delivery. A follower's leader is the sender of the last append it
//! received in its own term (the trace has no line for it). What a trace
//! does not state (election timers, handovers, tallies) is left out.

use crate::check::AckedWrite;
use crate::core::{Entry, Index, Membership, MessageContents, MessageKind, NodeId, NodeSet, Payload, Term};

use super::view::{acked_in_tails, entry_view, standing, LOG_TAIL};
use super::{ClusterView, MessageView, NodeView, ProgressView, TraceBody, TraceEvent, TraceRole};

// Plain vectors throughout, no ordered maps: a trace names a handful of
// nodes and a few dozen messages in flight, and each new map type would
// add its own copy of the B-tree code to the page's wasm (about 15 KB
// gzipped for the four this module would use).

/// Log entries kept per node: the picture shows `LOG_TAIL`; the rest is room
/// for a divergent tail to be cut without the picture running short.
const LOG_KEPT: usize = 2 * LOG_TAIL;

/// What the trace has said of one node so far.
struct Facts {
    id: NodeId,
    role: TraceRole,
    term: Term,
    voted_for: Option<NodeId>,
    leader: Option<NodeId>,
    probing: bool,
    commit: Index,
    applied: Index,
    snapshot_index: Index,
    last_index: Index,
    /// The newest entries (at most about `2 * LOG_KEPT`), in order.
    log: Vec<Entry>,
    /// A leader's view of its followers, by follower id.
    progress: Vec<ProgressView>,
    /// From its last `membership_changed`; `None` before the first.
    membership: Option<Membership>,
    /// The tick its write under way is done at, from the disk lines.
    write_done: Option<u64>,
    /// Its replies waiting for a write: (to, kind).
    waiting: Vec<(NodeId, &'static str)>,
}

impl Facts {
    fn new(id: NodeId, witness: bool) -> Facts {
        Facts {
            id,
            role: if witness { TraceRole::Witness } else { TraceRole::Follower },
            term: 0,
            voted_for: None,
            leader: None,
            probing: false,
            commit: 0,
            applied: 0,
            snapshot_index: 0,
            last_index: 0,
            log: Vec::new(),
            progress: Vec::new(),
            membership: None,
            write_done: None,
            waiting: Vec::new(),
        }
    }

    fn append(&mut self, entry: Entry) {
        let keep = self.log.iter().take_while(|e| e.index < entry.index).count();
        self.log.truncate(keep);
        self.last_index = entry.index;
        self.log.push(entry);
        if self.log.len() > 2 * LOG_KEPT {
            self.log.drain(..LOG_KEPT);
        }
    }

    fn entry(&self, index: Index) -> Option<&Entry> {
        self.log.iter().rev().find(|e| e.index == index)
    }
}

/// The cluster after the first `pos` events.
#[derive(Default)]
struct Fold {
    pos: usize,
    step: u64,
    tick: u64,
    /// By node id.
    nodes: Vec<Facts>,
    /// Messages between their send and their delivery (or loss): the
    /// position of each one's `message_sent` line, its sequence number and
    /// delivery tick. The picture's label is made only for those drawn.
    flights: Vec<(usize, u64, u64)>,
    cuts: Vec<(NodeId, NodeId)>,
    acked: Vec<AckedWrite>,
    violations: u64,
}

/// A trace and the view at a position in it.
pub struct Replay {
    events: Vec<TraceEvent>,
    /// Every node the trace names, and which of them are witnesses.
    ids: NodeSet,
    witnesses: NodeSet,
    at: Fold,
}

impl Replay {
    /// A replay at position 0 (before the first event).
    pub fn new(events: Vec<TraceEvent>) -> Replay {
        // A first pass names the nodes, so that every node is drawn from
        // the start, and the witnesses among them.
        let mut scan = Fold::default();
        for e in &events {
            scan.apply(e);
        }
        let ids: NodeSet = scan.nodes.iter().map(|n| n.id).collect();
        let witnesses: NodeSet =
            scan.nodes.iter().filter(|n| n.role == TraceRole::Witness).map(|n| n.id).collect();
        let mut replay = Replay { events, ids, witnesses, at: Fold::default() };
        replay.restart();
        replay
    }

    /// Back to position 0: every node the trace names, as it starts.
    fn restart(&mut self) {
        let nodes = self.ids.iter().map(|&id| Facts::new(id, self.witnesses.contains(&id)));
        self.at = Fold { nodes: nodes.collect(), ..Fold::default() };
    }

    /// The trace.
    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    /// Moves to the view after the first `pos` events (clamped to the trace).
    /// Going back folds again from the start: no checkpoints, because a
    /// fold is cheap (a 100,000-event trace, the largest the page takes,
    /// folds in 20 ms natively) and copies of the state would cost the
    /// page's wasm more than they save.
    pub fn seek(&mut self, pos: usize) {
        let pos = pos.min(self.events.len());
        if pos < self.at.pos {
            self.restart();
        }
        while self.at.pos < pos {
            self.at.apply(&self.events[self.at.pos]);
        }
    }

    /// The picture at the current position.
    pub fn view(&self) -> ClusterView {
        let f = &self.at;
        let leader = f.nodes.iter().filter(|n| n.role == TraceRole::Leader).max_by_key(|n| n.term);
        let default = Membership {
            voters: self.ids.clone(),
            witnesses: self.witnesses.clone(),
            ..Membership::default()
        };
        let membership_of = |n: &Facts| n.membership.clone().unwrap_or_else(|| default.clone());
        let live = f.nodes.iter().filter(|n| n.role != TraceRole::Crashed);
        let reference = leader.or_else(|| live.max_by_key(|n| (n.term, n.last_index))).map(membership_of);
        let nodes: Vec<NodeView> = f
            .nodes
            .iter()
            .map(|n| {
                let (id, membership) = (n.id, membership_of(n));
                NodeView {
                    id,
                    role: n.role,
                    kind: if membership.is_witness(id) { "witness" } else { "data" },
                    voter: n.role != TraceRole::Crashed && membership.is_voter(id),
                    term: n.term,
                    voted_for: n.voted_for,
                    leader: n.leader,
                    probing: n.probing,
                    commit: n.commit,
                    applied: n.applied,
                    snapshot_index: n.snapshot_index,
                    last_index: n.last_index,
                    timer: (0, 0),
                    log: n.log[n.log.len().saturating_sub(LOG_TAIL)..].iter().map(entry_view).collect(),
                    progress: n.progress.clone(),
                    handover: None,
                    standing: standing(reference.as_ref(), id),
                    membership,
                    tally: None,
                    write_done: n.write_done,
                    waiting: n.waiting.clone(),
                }
            })
            .collect();
        let acked = acked_in_tails(&f.acked, &nodes);
        ClusterView {
            step: f.step,
            tick: f.tick,
            leader: leader.map(|n| n.id),
            nodes,
            messages: f.flights.iter().filter_map(|f| message_view(&self.events[f.0])).collect(),
            // A replay does not show holds (see `Fold::apply`).
            held: Vec::new(),
            cuts: f.cuts.clone(),
            acked,
            pending: Vec::new(),
            violations: f.violations,
            election_ticks: [0, 0],
        }
    }
}

impl Fold {
    fn node(&mut self, id: NodeId) -> &mut Facts {
        let i = match self.nodes.iter().position(|n| n.id == id) {
            Some(i) => i,
            None => {
                self.nodes.push(Facts::new(id, false));
                self.nodes.len() - 1
            }
        };
        &mut self.nodes[i]
    }

    fn flight(&mut self, seq: u64) -> Option<usize> {
        self.flights.iter().position(|f| f.1 == seq)
    }

    /// One event's facts.
    fn apply(&mut self, e: &TraceEvent) {
        use TraceBody as B;
        self.pos += 1;
        self.step = e.step + 1;
        if e.tick > self.tick {
            self.tick = e.tick;
            // A message still in flight after its delivery tick was lost
            // without a line (a real network loses messages silently). A
            // simulated run's held messages go too: the picture of a replay
            // does not show holds.
            self.flights.retain(|f| f.2 >= e.tick);
        }
        match &e.body {
            B::MessageSent { from, msg, seq, deliver_tick, .. } => {
                self.flights.push((self.pos - 1, *seq, *deliver_tick));
                if *msg == MessageKind::Probe {
                    self.node(*from).probing = true;
                }
            }
            B::MessageDelivered { from, to, msg, term, seq, .. } => {
                if let Some(i) = self.flight(*seq) {
                    self.flights.remove(i);
                }
                let n = self.node(*to);
                if *msg == MessageKind::Append && n.term == *term {
                    (n.leader, n.probing) = (Some(*from), false);
                }
            }
            B::MessageDropped { seq, .. } => {
                if let Some(i) = self.flight(*seq) {
                    self.flights.remove(i);
                }
            }
            B::VoteGranted { voter, candidate, .. } => self.node(*voter).voted_for = Some(*candidate),
            B::TermChanged { node, term } => {
                let n = self.node(*node);
                (n.term, n.voted_for, n.leader, n.probing) = (*term, None, None, false);
            }
            B::RoleChanged { node, role, term, .. } => {
                let (id, n) = (*node, self.node(*node));
                (n.role, n.term, n.probing) = (*role, *term, false);
                match role {
                    TraceRole::Candidate => n.voted_for = Some(id),
                    TraceRole::Leader => n.leader = Some(id),
                    _ => n.progress.clear(),
                }
            }
            B::EntryAppended { node, index, term, entry } => {
                // A version 1 line does not say what the entry holds.
                let payload = entry.as_ref().map_or(Payload::Elided, |f| f.0.clone());
                self.node(*node).append(Entry { index: *index, term: *term, payload });
            }
            B::CommitAdvanced { node, index, .. } => self.node(*node).commit = *index,
            B::ProgressChanged { leader, follower, state, match_index, next_index } => {
                let view = ProgressView {
                    id: *follower,
                    match_index: *match_index,
                    next_index: *next_index,
                    state: state.name(),
                };
                let progress = &mut self.node(*leader).progress;
                match progress.iter().position(|p| p.id >= *follower) {
                    Some(i) if progress[i].id == *follower => progress[i] = view,
                    Some(i) => progress.insert(i, view),
                    None => progress.push(view),
                }
            }
            B::Applied { node, index } => {
                self.node(*node).applied = *index;
            }
            B::WriteAcked { index, value, node } => {
                let term = self.node(*node).entry(*index).map_or(0, |e| e.term);
                self.acked.push(AckedWrite { index: *index, term, value: value.clone() });
            }
            B::MessageWaiting { from, to, msg, .. } => self.node(*from).waiting.push((*to, msg.name())),
            B::WriteStarted { node, done_tick, .. } => self.node(*node).write_done = Some(*done_tick),
            B::WriteDurable { node, released, .. } => {
                // The replies of this write leave; those of the next one wait on.
                let n = self.node(*node);
                n.waiting.drain(..(*released as usize).min(n.waiting.len()));
                n.write_done = None;
            }
            B::Crash { node } => {
                let n = self.node(*node);
                (n.write_done, n.waiting) = (None, Vec::new());
                (n.role, n.leader, n.probing, n.applied) = (TraceRole::Crashed, None, false, 0);
                n.progress = Vec::new();
            }
            B::Restart { node } => {
                let n = self.node(*node);
                (n.role, n.applied) = (TraceRole::Follower, n.snapshot_index);
            }
            B::Partition { groups } => {
                let group_of = |id: NodeId| groups.iter().position(|g| g.contains(&id));
                self.cuts.clear();
                for a in self.nodes.iter().map(|n| n.id) {
                    for b in self.nodes.iter().map(|n| n.id) {
                        if a != b && (group_of(a) != group_of(b) || group_of(a).is_none()) {
                            self.cuts.push((a, b));
                        }
                    }
                }
            }
            B::Heal { .. } => self.cuts.clear(),
            B::MembershipChanged { node, voters, learners, witnesses, joint } => {
                self.node(*node).membership = Some(Membership {
                    voters: voters.iter().copied().collect(),
                    outgoing: joint.as_ref().map(|o| o.iter().copied().collect()),
                    learners: learners.iter().copied().collect(),
                    witnesses: witnesses.iter().copied().collect(),
                });
            }
            B::SnapshotTaken { node, index, .. } | B::SnapshotInstalled { node, index, .. } => {
                let installed = matches!(e.body, B::SnapshotInstalled { .. });
                let n = self.node(*node);
                n.snapshot_index = *index;
                n.log.retain(|e| e.index > *index);
                if installed {
                    n.last_index = n.last_index.max(*index);
                    n.applied = *index;
                }
            }
            B::Violation { .. } => self.violations += 1,
            _ => {}
        }
    }
}

/// A message in flight as the picture draws it, from its `message_sent` line.
fn message_view(e: &TraceEvent) -> Option<MessageView> {
    let TraceBody::MessageSent { from, to, msg, term, seq, deliver_tick, contents } = &e.body else {
        return None;
    };
    Some(MessageView {
        seq: *seq,
        from: *from,
        to: *to,
        kind: msg.name(),
        term: *term,
        sent_tick: e.tick,
        deliver_tick: *deliver_tick,
        doomed: false,
        label: label(*msg, *term, contents),
        text: e.text.to_string(),
    })
}

/// A message's short label for the picture, from what its trace line states.
fn label(msg: MessageKind, term: Term, contents: &MessageContents) -> String {
    use MessageContents as C;
    match (msg, contents) {
        (MessageKind::Probe, _) => format!("probe t{term}"),
        (MessageKind::Vote, _) => format!("vote? t{term}"),
        (_, C::Append { entries: 0, .. }) => "heartbeat".into(),
        (_, C::Append { entries, .. }) => format!("append {entries}"),
        (_, C::AppendAccepted { match_index, .. }) => format!("ok {match_index}"),
        (_, C::AppendRejected { hint_index, .. }) => format!("resend from {hint_index}"),
        (_, C::Snapshot { index, .. }) => format!("snapshot {index}"),
        _ => msg.name().replace('_', " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;
    use crate::sim::Timeline;

    /// The replay of a simulated run's trace agrees with the simulator's
    /// own view on every fact the trace states, at every step.
    #[test]
    fn replaying_a_simulated_trace_draws_what_the_simulator_drew() {
        for name in ["first-election", "leader-crash"] {
            let sim = scenario::builtin(name).expect("built-in").build().expect("builds");
            let mut timeline = Timeline::new(sim);
            let mut views = vec![super::super::view(timeline.sim())];
            for _ in 0..400 {
                timeline.step();
                views.push(super::super::view(timeline.sim()));
            }
            let events = timeline.trace().to_vec();
            let mut replay = Replay::new(events.clone());
            for (count, expected) in views.iter().enumerate() {
                let pos = events.iter().take_while(|e| (e.step as usize) < count).count();
                replay.seek(pos);
                let got = replay.view();
                assert_eq!(got.leader, expected.leader, "{name}: leader after {count} steps");
                for (g, x) in got.nodes.iter().zip(&expected.nodes) {
                    let at = format!("{name}: node {} after {count} steps", x.id);
                    assert_eq!((g.id, g.role, g.term), (x.id, x.role, x.term), "{at}: role and term");
                    assert_eq!(
                        (g.commit, g.last_index),
                        (x.commit, x.last_index),
                        "{at}: commit, last index"
                    );
                    if x.role != TraceRole::Crashed {
                        assert_eq!(g.applied, x.applied, "{at}: applied");
                    }
                }
            }
        }
    }

    /// With a disk that takes time, the simulator's view shows each node's
    /// write under way and the replies waiting on it, and the replay of its
    /// trace shows the same at every step (crashes and restarts included).
    #[test]
    fn a_replay_shows_the_writes_under_way_and_the_waiting_replies_as_simulated() {
        let text = r#"{"seed": 5, "cluster": {"members": [{"id": 1}, {"id": 2}, {"id": 3}],
            "election_ticks": [20, 40], "heartbeat_ticks": 5, "disk_ticks": [6, 6]},
            "script": [{"at": 150, "do": "write", "value": "a=1"}, {"at": 200, "do": "crash", "node": "leader"},
                       {"at": 260, "do": "restart", "node": 1},
                       {"at": 260, "do": "restart", "node": 2}, {"at": 260, "do": "restart", "node": 3}], "run_until": 400}"#;
        let s = crate::scenario::parse(text).unwrap_or_else(|e| panic!("{e}"));
        let mut timeline = Timeline::new(s.build().expect("builds"));
        let mut views = vec![super::super::view(timeline.sim())];
        while timeline.sim().now() < s.run_until {
            timeline.step();
            views.push(super::super::view(timeline.sim()));
        }
        let waited = views.iter().flat_map(|v| &v.nodes).map(|n| n.waiting.len());
        assert!(waited.max().unwrap_or(0) > 0, "some reply waited for a write");
        let events = timeline.trace().to_vec();
        let mut replay = Replay::new(events.clone());
        for (count, expected) in views.iter().enumerate() {
            replay.seek(events.iter().take_while(|e| (e.step as usize) < count).count());
            for (g, x) in replay.view().nodes.iter().zip(&expected.nodes) {
                let at = format!("node {} after {count} steps", x.id);
                assert_eq!((g.write_done, &g.waiting), (x.write_done, &x.waiting), "{at}");
            }
        }
    }

    #[test]
    fn seeking_back_and_forth_gives_the_same_view_as_folding_straight_on() {
        let sim = scenario::builtin("leader-crash").expect("built-in").build().expect("builds");
        let mut timeline = Timeline::new(sim);
        for _ in 0..600 {
            timeline.step();
        }
        let events = timeline.trace().to_vec();
        let n = events.len();
        let mut straight = Replay::new(events.clone());
        let mut jumpy = Replay::new(events);
        for pos in [n, 3, n / 2, n / 2 + 1, 0, n - 1, 700, 699] {
            straight = Replay::new(straight.events.clone());
            straight.seek(pos);
            jumpy.seek(pos);
            let (a, b) = (crate::json::to_string(&straight.view()), crate::json::to_string(&jumpy.view()));
            assert_eq!(a, b, "view after {pos} events");
        }
    }
}
