//! The trace: one structured event per thing that happened, each with the
//! sentence that narrates it (SCENARIO.md, "Trace"). Exported as JSON lines
//! here, imported back by `trace_import.rs`.

use std::borrow::Cow;

use serde::Serialize;

use super::narrate::Narration;
use crate::check::Property;
use crate::core::{
    CommitRule, ConfigTally, CpEntry, HandoverFailure, HandoverResult, Index, MessageContents, MessageKind,
    NodeId, Payload, Phase, ProgressMode, Refusal, RoleCause, Term,
};

/// One line of the trace.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TraceEvent {
    /// 0-based step: one tick or one message delivery.
    pub step: u64,
    /// Logical time.
    pub tick: u64,
    /// The kind and its fields.
    #[serde(flatten)]
    pub body: TraceBody,
    /// One sentence naming the rule at work.
    pub text: Narration,
}

/// The role a trace reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TraceRole {
    /// A follower (possibly probing).
    Follower,
    /// A candidate.
    Candidate,
    /// The leader.
    Leader,
    /// A catching-up member, or a node outside the configuration.
    Learner,
    /// A witness.
    Witness,
    /// Down.
    Crashed,
}

/// Why a client write was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum WriteRefusal {
    /// Sent to a node that does not lead; `leader` is its hint.
    NotLeader {
        /// The leader the node knows of.
        leader: Option<NodeId>,
    },
    /// The leader is frozen for a handover.
    HandoverInProgress {
        /// The handover's target.
        to: NodeId,
    },
    /// The node is down.
    Crashed,
}

/// The kinds of trace event and their fields.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
// A plain one-byte tag rather than one folded into a string's spare bits:
// every event is dropped, and telling the kind from a byte is several
// instructions cheaper per event than decoding it, for 8 more bytes.
#[repr(u8)]
pub enum TraceBody {
    /// A node handed a message to the network.
    MessageSent {
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// Kind of message.
        msg: MessageKind,
        /// Term it carries.
        term: Term,
        /// Network sequence number (ties the send to its delivery).
        seq: u64,
        /// Tick it will arrive.
        deliver_tick: u64,
        /// What it says (absent from traces written before version 2).
        #[serde(flatten)]
        contents: MessageContents,
    },
    /// A message arrived and was stepped.
    MessageDelivered {
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// Kind.
        msg: MessageKind,
        /// Term.
        term: Term,
        /// Network sequence number.
        seq: u64,
        /// What it says (absent from traces written before version 2).
        #[serde(flatten)]
        contents: MessageContents,
    },
    /// A message was lost: by the network, a cut link, or a crashed receiver.
    MessageDropped {
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// Kind.
        msg: MessageKind,
        /// Term.
        term: Term,
        /// Network sequence number.
        seq: u64,
        /// `network`, `cut` or `crashed`. Borrowed when the simulator
        /// writes it, so that the ~100,000 drops of a long run allocate
        /// nothing; owned when a trace is imported.
        cause: Cow<'static, str>,
    },
    /// The network delivered a second copy.
    MessageDuplicated {
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// Kind.
        msg: MessageKind,
        /// Term.
        term: Term,
        /// Network sequence number of the original.
        seq: u64,
    },
    /// A scenario's `messages` command held a message back (version 2).
    MessageHeld {
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// Kind.
        msg: MessageKind,
        /// Term.
        term: Term,
        /// Network sequence number.
        seq: u64,
    },
    /// A held message was let go (version 2).
    MessageReleased {
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// Kind.
        msg: MessageKind,
        /// Term.
        term: Term,
        /// Network sequence number.
        seq: u64,
    },
    /// A probe was answered yes.
    ProbeGranted {
        /// Who answered.
        voter: NodeId,
        /// Who asked.
        candidate: NodeId,
        /// The proposed term.
        term: Term,
        /// The term the candidate stands for (version 2).
        #[serde(skip_serializing_if = "Option::is_none")]
        asked_term: Option<Term>,
        /// The candidate's last index and its term (version 2).
        #[serde(flatten)]
        log: Option<LastEntry>,
    },
    /// A probe was answered no.
    ProbeRefused {
        /// Who answered.
        voter: NodeId,
        /// Who asked.
        candidate: NodeId,
        /// The proposed term.
        term: Term,
        /// The term the candidate stands for (version 2).
        #[serde(skip_serializing_if = "Option::is_none")]
        asked_term: Option<Term>,
        /// The candidate's last index and its term (version 2).
        #[serde(flatten)]
        log: Option<LastEntry>,
        /// The first rule that applied.
        reason: Refusal,
    },
    /// A vote was granted.
    VoteGranted {
        /// Who voted.
        voter: NodeId,
        /// For whom.
        candidate: NodeId,
        /// The voter's term.
        term: Term,
        /// The term the candidate stands for (version 2).
        #[serde(skip_serializing_if = "Option::is_none")]
        asked_term: Option<Term>,
        /// The candidate's last index and its term (version 2).
        #[serde(flatten)]
        log: Option<LastEntry>,
    },
    /// A vote was refused.
    VoteRefused {
        /// Who refused.
        voter: NodeId,
        /// Whom.
        candidate: NodeId,
        /// The voter's term.
        term: Term,
        /// The term the candidate stands for (version 2).
        #[serde(skip_serializing_if = "Option::is_none")]
        asked_term: Option<Term>,
        /// The candidate's last index and its term (version 2).
        #[serde(flatten)]
        log: Option<LastEntry>,
        /// The first rule that applied.
        reason: Refusal,
    },
    /// A node's term changed.
    TermChanged {
        /// The node.
        node: NodeId,
        /// Its new term.
        term: Term,
    },
    /// A node's role changed.
    RoleChanged {
        /// The node.
        node: NodeId,
        /// Its new role.
        role: TraceRole,
        /// Its term.
        term: Term,
        /// Why, as the core states it (absent in traces from before
        /// Version 2).
        #[serde(skip_serializing_if = "Option::is_none")]
        cause: Option<RoleCause>,
    },
    /// A node won an election.
    LeaderElected {
        /// The leader.
        node: NodeId,
        /// Its term.
        term: Term,
        /// The count that won, one per configuration in effect (two while
        /// joint); empty when read from a trace written before it existed.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        quorum: Vec<ConfigTally>,
    },
    /// A leader lost office to a higher term.
    LeaderDeposed {
        /// The old leader.
        node: NodeId,
        /// The node whose term deposed it.
        by: NodeId,
        /// The new term.
        term: Term,
    },
    /// A node appended an entry.
    EntryAppended {
        /// The node.
        node: NodeId,
        /// The index.
        index: Index,
        /// The term.
        term: Term,
        /// What it carries (version 2).
        #[serde(skip_serializing_if = "Option::is_none")]
        entry: Option<EntryFacts>,
    },
    /// A node's commit watermark advanced.
    CommitAdvanced {
        /// The node.
        node: NodeId,
        /// Its new commit watermark.
        index: Index,
        /// The rule that allowed it, as the core states it (version 2).
        #[serde(flatten)]
        rule: Option<CommitRule>,
    },
    /// A leader's view of a follower changed mode (version 2).
    ProgressChanged {
        /// The leader.
        leader: NodeId,
        /// The follower.
        follower: NodeId,
        /// `probe`, `replicate` or `snapshot`.
        state: ProgressMode,
        /// Highest index known to match.
        #[serde(rename = "match")]
        match_index: Index,
        /// Next index to send.
        #[serde(rename = "next")]
        next_index: Index,
    },
    /// A node applied an entry.
    Applied {
        /// The node.
        node: NodeId,
        /// The index.
        index: Index,
    },
    /// A client write committed and was acknowledged.
    WriteAcked {
        /// Its index.
        index: Index,
        /// The value.
        value: String,
        /// The node that accepted it.
        node: NodeId,
    },
    /// A reply waits for its sender's write to be durable (version 2,
    /// `disk_ticks`).
    MessageWaiting {
        /// Sender.
        from: NodeId,
        /// Receiver.
        to: NodeId,
        /// Kind.
        msg: MessageKind,
        /// Term.
        term: Term,
    },
    /// A node's disk starts a durable write (version 2, `disk_ticks`).
    WriteStarted {
        /// The node.
        node: NodeId,
        /// The term on disk once it is done.
        term: Term,
        /// The last log index on disk once it is done.
        last_index: Index,
        /// The tick it completes at.
        done_tick: u64,
    },
    /// A node's write became durable; the replies waiting for it leave.
    WriteDurable {
        /// The node.
        node: NodeId,
        /// The term on disk.
        term: Term,
        /// The last log index on disk.
        last_index: Index,
        /// How many waiting replies leave now.
        released: u64,
    },
    /// A client write was not accepted.
    WriteRejected {
        /// Why.
        reason: WriteRefusal,
        /// The value.
        value: String,
        /// The node it was sent to.
        node: NodeId,
    },
    /// A node crashed.
    Crash {
        /// The node.
        node: NodeId,
    },
    /// A node restarted from its disk.
    Restart {
        /// The node.
        node: NodeId,
    },
    /// The network was partitioned (or a link cut).
    Partition {
        /// The groups that can talk among themselves.
        groups: Vec<Vec<NodeId>>,
    },
    /// Every link restored.
    Heal {
        /// One group: everybody.
        groups: Vec<Vec<NodeId>>,
    },
    /// A handover entered a phase.
    HandoverPhase {
        /// The phase.
        phase: Phase,
        /// Old leader.
        from: NodeId,
        /// Target.
        to: NodeId,
        /// Frontier.
        frontier: Index,
        /// Reached.
        reached: Index,
    },
    /// A handover ended.
    HandoverOutcome {
        /// Completed, aborted or refused.
        result: HandoverResult,
        /// Why, when not completed.
        failure: Option<HandoverFailure>,
        /// Old leader.
        from: NodeId,
        /// Target.
        to: NodeId,
        /// The new leader's term, if one was elected.
        new_term: Option<Term>,
        /// The new leader, if any.
        new_leader: Option<NodeId>,
        /// Frontier.
        frontier: Index,
        /// Reached.
        reached: Index,
        /// Skipped entries (forced only).
        skipped: Index,
        /// Ticks waited.
        waited: u64,
        /// Forced mode.
        forced: bool,
    },
    /// The membership in effect on a node changed.
    MembershipChanged {
        /// The node.
        node: NodeId,
        /// Voters (incoming side).
        voters: Vec<NodeId>,
        /// Catching-up learners.
        learners: Vec<NodeId>,
        /// Witnesses.
        witnesses: Vec<NodeId>,
        /// The old voters while joint, else null.
        joint: Option<Vec<NodeId>>,
    },
    /// A node compacted its log behind a snapshot.
    SnapshotTaken {
        /// The node.
        node: NodeId,
        /// Last index covered.
        index: Index,
        /// Its term.
        term: Term,
    },
    /// A node installed a leader's snapshot.
    SnapshotInstalled {
        /// The node.
        node: NodeId,
        /// Last index covered.
        index: Index,
        /// Its term.
        term: Term,
    },
    /// A control-plane entry was appended by the leader.
    CpAppended {
        /// The leader.
        node: NodeId,
        /// The entry's index.
        index: Index,
        /// The entry.
        entry: CpEntry,
    },
    /// A control-plane append was refused.
    CpRefused {
        /// The node asked.
        node: NodeId,
        /// The leader hint, for `NotLeader`.
        leader: Option<NodeId>,
        /// The entry.
        entry: CpEntry,
        /// Why.
        reason: String,
    },
    /// A safety property broke.
    Violation {
        /// Which.
        property: Property,
        /// The nodes involved.
        nodes: Vec<NodeId>,
        /// The figures.
        detail: String,
    },
    /// A scripted command could not run (for example `"leader"` with no
    /// leader) and was skipped.
    CommandSkipped {
        /// The command's name.
        command: String,
        /// Why.
        reason: String,
    },
}

/// A candidate's last log entry, as a vote or probe request states it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct LastEntry {
    /// The candidate's last index.
    pub last_index: Index,
    /// Its term.
    pub last_term: Term,
}

/// What an appended entry carries, as the trace writes it:
/// `{"kind": "noop"}`, `{"kind": "write", "value": ..}` (`"elided": true`
/// instead of the value on a witness), `{"kind": "config", ..}` or
/// `{"kind": "cp", "entry": ..}`.
#[derive(Clone, Debug, PartialEq)]
pub struct EntryFacts(pub Payload);

impl Serialize for EntryFacts {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        match &self.0 {
            Payload::Noop => map.serialize_entry("kind", "noop")?,
            Payload::Write(data) => {
                map.serialize_entry("kind", "write")?;
                map.serialize_entry("value", &String::from_utf8_lossy(data))?;
            }
            Payload::Elided => {
                map.serialize_entry("kind", "write")?;
                map.serialize_entry("elided", &true)?;
            }
            Payload::Config(m) => {
                map.serialize_entry("kind", "config")?;
                map.serialize_entry("voters", &m.voters)?;
                map.serialize_entry("joint", &m.outgoing)?;
                map.serialize_entry("learners", &m.learners)?;
                map.serialize_entry("witnesses", &m.witnesses)?;
            }
            Payload::ControlPlane(e) => {
                map.serialize_entry("kind", "cp")?;
                map.serialize_entry("entry", e)?;
            }
        }
        map.end()
    }
}

impl TraceBody {
    /// The kind, as the JSON `kind` field spells it.
    pub fn kind(&self) -> &'static str {
        match self {
            TraceBody::MessageSent { .. } => "message_sent",
            TraceBody::MessageDelivered { .. } => "message_delivered",
            TraceBody::MessageDropped { .. } => "message_dropped",
            TraceBody::MessageDuplicated { .. } => "message_duplicated",
            TraceBody::MessageHeld { .. } => "message_held",
            TraceBody::MessageReleased { .. } => "message_released",
            TraceBody::MessageWaiting { .. } => "message_waiting",
            TraceBody::WriteStarted { .. } => "write_started",
            TraceBody::WriteDurable { .. } => "write_durable",
            TraceBody::ProbeGranted { .. } => "probe_granted",
            TraceBody::ProbeRefused { .. } => "probe_refused",
            TraceBody::VoteGranted { .. } => "vote_granted",
            TraceBody::VoteRefused { .. } => "vote_refused",
            TraceBody::TermChanged { .. } => "term_changed",
            TraceBody::RoleChanged { .. } => "role_changed",
            TraceBody::LeaderElected { .. } => "leader_elected",
            TraceBody::LeaderDeposed { .. } => "leader_deposed",
            TraceBody::EntryAppended { .. } => "entry_appended",
            TraceBody::CommitAdvanced { .. } => "commit_advanced",
            TraceBody::ProgressChanged { .. } => "progress_changed",
            TraceBody::Applied { .. } => "applied",
            TraceBody::WriteAcked { .. } => "write_acked",
            TraceBody::WriteRejected { .. } => "write_rejected",
            TraceBody::Crash { .. } => "crash",
            TraceBody::Restart { .. } => "restart",
            TraceBody::Partition { .. } => "partition",
            TraceBody::Heal { .. } => "heal",
            TraceBody::HandoverPhase { .. } => "handover_phase",
            TraceBody::HandoverOutcome { .. } => "handover_outcome",
            TraceBody::MembershipChanged { .. } => "membership_changed",
            TraceBody::SnapshotTaken { .. } => "snapshot_taken",
            TraceBody::SnapshotInstalled { .. } => "snapshot_installed",
            TraceBody::CpAppended { .. } => "cp_appended",
            TraceBody::CpRefused { .. } => "cp_refused",
            TraceBody::Violation { .. } => "violation",
            TraceBody::CommandSkipped { .. } => "command_skipped",
        }
    }
}

impl TraceEvent {
    /// The event as one JSON line.
    pub fn to_json_line(&self) -> String {
        crate::json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// Writes a trace as JSON lines.
pub fn export_json_lines(events: &[TraceEvent]) -> String {
    let mut out = String::new();
    for e in events {
        out.push_str(&e.to_json_line());
        out.push('\n');
    }
    out
}
