//! A plain, serializable picture of the whole cluster at one step: what the
//! page draws and what tests of the page compare. Built here, natively
//! testable, so the wasm bindings stay thin.

use serde::Serialize;

use crate::check::AckedWrite;
use crate::core::{ElectionTally, Handover, Index, Membership, NodeId, Payload, ProgressState, Role, Term};

use super::{narrate, PendingWrite, Sim, TraceRole};

/// The cluster at one step.
#[derive(Clone, Debug, Serialize)]
pub struct ClusterView {
    /// Steps taken.
    pub step: u64,
    /// Logical time.
    pub tick: u64,
    /// The leader of the highest term, if any.
    pub leader: Option<NodeId>,
    /// Every node.
    pub nodes: Vec<NodeView>,
    /// Messages in flight.
    pub messages: Vec<MessageView>,
    /// Messages a `messages` hold keeps from delivery, in send order (the
    /// page draws them waiting at their sender).
    pub held: Vec<MessageView>,
    /// Cut links (from, to).
    pub cuts: Vec<(NodeId, NodeId)>,
    /// Acknowledged writes whose entries some node's log tail still shows
    /// (the page marks those cells). Older ones are left out: the page reads
    /// the view on every frame, and the whole list grows with the run (the
    /// soak's script time per second rose by half over ten minutes with it).
    pub acked: Vec<AckedWrite>,
    /// Writes accepted, not yet acknowledged.
    pub pending: Vec<PendingWrite>,
    /// Violations so far.
    pub violations: u64,
    /// Election timeout bounds.
    pub election_ticks: [u64; 2],
}

/// Where a node stands in the configuration the picture shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Votes in the one configuration in effect.
    Voter,
    /// While joint: votes in both the old and the new configuration.
    OldAndNew,
    /// While joint: votes in the old configuration only (being removed).
    OldOnly,
    /// While joint: votes in the new configuration only (being added).
    NewOnly,
    /// A catching-up member: replicated to, not voting.
    Learner,
    /// Not a member: removed, or never added.
    Removed,
}

/// One node.
#[derive(Clone, Debug, Serialize)]
pub struct NodeView {
    /// Id.
    pub id: NodeId,
    /// Role as the trace names it (crashed included).
    pub role: TraceRole,
    /// `data` or `witness`.
    pub kind: &'static str,
    /// Voting member (of either side of a joint configuration).
    pub voter: bool,
    /// Term (from disk while crashed).
    pub term: Term,
    /// Vote in that term.
    pub voted_for: Option<NodeId>,
    /// Leader it knows of.
    pub leader: Option<NodeId>,
    /// Probing (pre-vote) for the next term.
    pub probing: bool,
    /// Commit watermark.
    pub commit: Index,
    /// Applied index.
    pub applied: Index,
    /// Snapshot boundary.
    pub snapshot_index: Index,
    /// Last index.
    pub last_index: Index,
    /// Election timer: ticks elapsed and timeout.
    pub timer: (u64, u64),
    /// Log entries after the snapshot (most recent `LOG_TAIL` of them).
    pub log: Vec<EntryView>,
    /// The leader's view of each follower: (id, match, next, state).
    pub progress: Vec<ProgressView>,
    /// A handover under way on this node.
    pub handover: Option<Handover>,
    /// Membership in effect: voters, learners, witnesses, joint.
    pub membership: crate::core::Membership,
    /// Its place in the cluster's configuration: the leader's, or the most
    /// up-to-date live node's while leaderless.
    pub standing: Standing,
    /// The probe or election it is running, counted per configuration.
    pub tally: Option<ElectionTally>,
    /// When writes take time (`disk_ticks`): the tick its durable write
    /// under way is done at.
    pub write_done: Option<u64>,
    /// Its replies waiting for a write to be durable: (to, kind), in the
    /// order they leave.
    pub waiting: Vec<(NodeId, &'static str)>,
}

/// One log entry.
#[derive(Clone, Debug, Serialize)]
pub struct EntryView {
    /// Index.
    pub index: Index,
    /// Term.
    pub term: Term,
    /// `noop`, `write`, `config`, `cp` or `meta`.
    pub kind: &'static str,
    /// A short label.
    pub label: String,
}

/// A leader's view of one follower.
#[derive(Clone, Debug, Serialize)]
pub struct ProgressView {
    /// Follower.
    pub id: NodeId,
    /// Match index.
    pub match_index: Index,
    /// Next index.
    pub next_index: Index,
    /// `probe`, `replicate` or `snapshot`.
    pub state: &'static str,
}

/// A message in flight.
#[derive(Clone, Debug, Serialize)]
pub struct MessageView {
    /// Network sequence number.
    pub seq: u64,
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// Kind, as traces name it.
    pub kind: &'static str,
    /// Term.
    pub term: Term,
    /// Sent at.
    pub sent_tick: u64,
    /// Arrives at.
    pub deliver_tick: u64,
    /// Will be lost.
    pub doomed: bool,
    /// Short label for the picture.
    pub label: String,
    /// The full sentence.
    pub text: String,
}

/// Most log entries shown per node: the page's log view draws the newest
/// 60 indexes (www/log-view.js, `WINDOW`), and the page reads the view on
/// every frame, so a longer tail only costs time. With 200, a 15-node run
/// spent its first minutes getting slower as the logs filled the tail (the
/// soak's frame rate fell from 42 to 24 frames/s and then stayed there).
pub const LOG_TAIL: usize = 64;

/// The picture of `sim`.
pub fn view(sim: &Sim) -> ClusterView {
    let membership = reference_membership(sim);
    let nodes: Vec<NodeView> =
        sim.nodes().keys().map(|id| node_view(sim, *id, membership.as_ref())).collect();
    let acked = acked_in_tails(sim.acked(), &nodes);
    ClusterView {
        step: sim.step_count(),
        tick: sim.now(),
        leader: sim.leader(),
        nodes,
        messages: sim.network().in_flight().map(message_view).collect(),
        held: sim.network().held().iter().map(message_view).collect(),
        cuts: sim.network().cuts().collect(),
        acked,
        pending: sim.pending_writes().to_vec(),
        violations: sim.violations(),
        election_ticks: sim.config().election_ticks,
    }
}

/// The acknowledged writes at or after the oldest index any node's log tail
/// shows: the ones the picture can mark.
pub(super) fn acked_in_tails(acked: &[AckedWrite], nodes: &[NodeView]) -> Vec<AckedWrite> {
    let Some(oldest) = nodes.iter().filter_map(|n| n.log.first()).map(|e| e.index).min() else {
        return Vec::new();
    };
    acked.iter().filter(|a| a.index >= oldest).cloned().collect()
}

/// The configuration the picture shows membership against: the leader's,
/// or (leaderless) that of the live node with the highest term and then the
/// longest log, as the node most likely to lead next.
fn reference_membership(sim: &Sim) -> Option<Membership> {
    let live = sim.nodes().values().filter_map(|n| n.node.as_ref());
    let leader = sim.leader().and_then(|id| sim.node(id));
    leader.or_else(|| live.max_by_key(|n| (n.term(), n.log().last_index()))).map(|n| n.membership().clone())
}

pub(super) fn standing(m: Option<&Membership>, id: NodeId) -> Standing {
    let Some(m) = m else { return Standing::Voter };
    if m.is_learner(id) {
        return Standing::Learner;
    }
    match (m.outgoing.as_ref().map(|o| o.contains(&id)), m.voters.contains(&id)) {
        (None, true) => Standing::Voter,
        (Some(true), true) => Standing::OldAndNew,
        (Some(true), false) => Standing::OldOnly,
        (Some(false), true) => Standing::NewOnly,
        _ => Standing::Removed,
    }
}

fn node_view(sim: &Sim, id: NodeId, reference: Option<&Membership>) -> NodeView {
    let n = &sim.nodes()[&id];
    let hs = n.disk.hard_state;
    let Some(node) = n.node.as_ref() else {
        let witness =
            n.config.members.iter().any(|m| m.id == id && m.kind == crate::core::MemberKind::Witness);
        return NodeView {
            id,
            role: TraceRole::Crashed,
            kind: if witness { "witness" } else { "data" },
            voter: false,
            term: hs.term,
            voted_for: hs.voted_for,
            leader: None,
            probing: false,
            commit: hs.commit,
            applied: 0,
            snapshot_index: n.disk.snapshot.as_ref().map_or(0, |s| s.index),
            last_index: n.disk.entries.last().map_or(0, |e| e.index),
            timer: (0, 0),
            log: n.disk.entries.iter().rev().take(LOG_TAIL).rev().map(entry_view).collect(),
            progress: Vec::new(),
            handover: None,
            membership: Default::default(),
            standing: standing(reference, id),
            tally: None,
            write_done: None,
            waiting: Vec::new(),
        };
    };
    let m = node.membership();
    let entries = node.log().entries();
    let tail = &entries[entries.len().saturating_sub(LOG_TAIL)..];
    let progress = if node.role() == Role::Leader {
        m.members()
            .into_iter()
            .filter_map(|f| node.progress(f).map(|p| (f, p)))
            .map(|(f, p)| ProgressView {
                id: f,
                match_index: p.match_index,
                next_index: p.next_index,
                state: match p.state {
                    ProgressState::Probe => "probe",
                    ProgressState::Replicate => "replicate",
                    ProgressState::Snapshot { .. } => "snapshot",
                },
            })
            .collect()
    } else {
        Vec::new()
    };
    NodeView {
        id,
        role: narrate::trace_role(node),
        kind: if m.is_witness(id) { "witness" } else { "data" },
        voter: m.is_voter(id),
        term: node.term(),
        voted_for: node.voted_for(),
        leader: node.leader(),
        probing: node.is_probing(),
        commit: node.commit_index(),
        applied: node.applied_index(),
        snapshot_index: node.log().snapshot_index(),
        last_index: node.log().last_index(),
        timer: node.election_timer(),
        log: tail.iter().map(entry_view).collect(),
        progress,
        handover: node.handover().copied(),
        membership: m.clone(),
        standing: standing(reference, id),
        tally: node.election_tally(),
        write_done: n.writes.done_tick(),
        waiting: n.writes.waiting().map(|m| (m.to, m.kind().name())).collect(),
    }
}

pub(super) fn entry_view(e: &crate::core::Entry) -> EntryView {
    let (kind, label) = match &e.payload {
        Payload::Noop => ("noop", "no-op".to_string()),
        Payload::Write(d) => ("write", String::from_utf8_lossy(d).into_owned()),
        Payload::Config(m) => ("config", m.to_string()),
        Payload::ControlPlane(c) => ("cp", c.to_string()),
        Payload::Elided => ("meta", "metadata".to_string()),
    };
    EntryView { index: e.index, term: e.term, kind, label }
}

fn message_view(f: &super::InFlight) -> MessageView {
    use crate::core::{AppendOutcome, Body, Decision};
    let m = &f.msg;
    let label = match &m.body {
        Body::Probe { .. } => format!("probe t{}", m.term),
        Body::ProbeReply { decision: Decision::Granted } => "probe ✓".into(),
        Body::ProbeReply { decision: Decision::Refused(r) } => format!("probe ✗ {}", r.code()),
        Body::Vote { .. } => format!("vote? t{}", m.term),
        Body::VoteReply { decision: Decision::Granted } => "vote ✓".into(),
        Body::VoteReply { decision: Decision::Refused(r) } => format!("vote ✗ {}", r.code()),
        Body::Append { entries, .. } if entries.is_empty() => "heartbeat".into(),
        Body::Append { entries, .. } => format!("append {}", entries.len()),
        Body::AppendReply { outcome: AppendOutcome::Accepted { match_index } } => format!("ok {match_index}"),
        // Usually harmless: a pipelined append overtaken by a later one, or a
        // probe for where the logs agree; the hint says where to resume.
        Body::AppendReply { outcome: AppendOutcome::Rejected { hint_index, .. } } => {
            format!("resend from {hint_index}")
        }
        Body::Snapshot { snapshot } => format!("snapshot {}", snapshot.index),
        Body::SnapshotReply { index } => format!("installed {index}"),
        Body::TimeoutNow { .. } => "timeout now".into(),
    };
    MessageView {
        seq: f.seq,
        from: m.from,
        to: m.to,
        kind: m.kind().name(),
        term: m.term,
        sent_tick: f.sent_tick,
        deliver_tick: f.deliver_tick,
        doomed: f.doomed,
        label,
        text: m.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;

    /// Five nodes taking a write with a key of its own every 20 ticks: what
    /// a page left playing a scripted run sees.
    fn writing_run() -> Sim {
        let script: Vec<String> =
            (1..=400).map(|i| format!(r#"{{"at": {}, "do": "write", "value": "k{i}=1"}}"#, 20 * i)).collect();
        let text = format!(
            r#"{{"title": "writes", "seed": 3, "cluster": {{"members": [{{"id": 1}}, {{"id": 2}}, {{"id": 3}}, {{"id": 4}}, {{"id": 5}}]}}, "script": [{}]}}"#,
            script.join(",")
        );
        scenario::parse(&text).expect("parses").build().expect("builds")
    }

    /// The page parses the view on every frame, so it must not grow with the
    /// run: a view after 400 writes is about as large as one after 100.
    #[test]
    fn the_view_does_not_grow_with_the_run() {
        let mut sim = writing_run();
        sim.run_until_tick(100 * 20 + 10, u64::MAX);
        let early = serde_json::to_string(&view(&sim)).expect("serializes").len();
        sim.run_until_tick(400 * 20 + 10, u64::MAX);
        let late = view(&sim);
        assert!(sim.acked().len() > 350, "the run acknowledged its writes ({})", sim.acked().len());
        let late_len = serde_json::to_string(&late).expect("serializes").len();
        assert!(late_len < early * 11 / 10, "the view grew from {early} to {late_len} bytes");
        // It still carries every acknowledged write the log tails show.
        let oldest = late.nodes.iter().filter_map(|n| n.log.first()).map(|e| e.index).min().expect("logs");
        let shown: Vec<Index> = late.acked.iter().map(|a| a.index).collect();
        let want: Vec<Index> = sim.acked().iter().map(|a| a.index).filter(|i| *i >= oldest).collect();
        assert_eq!(shown, want);
        assert!(!shown.is_empty() && shown.len() <= LOG_TAIL);
    }
}
