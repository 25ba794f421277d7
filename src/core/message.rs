//! Messages between nodes.

use serde::{Deserialize, Serialize};

use super::durable::Snapshot;
use super::entry::{Entry, Index, NodeId, Term};
use super::vote::Decision;

/// One message: sender, receiver, the sender's term and the body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// The sender's term; for probes and probe replies, the proposed term.
    pub term: Term,
    /// What the message says.
    pub body: Body,
}

/// The message bodies.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    /// Pre-vote: "would you vote for me at `term`?" Changes nothing anywhere.
    Probe {
        /// The candidate's last index.
        last_index: Index,
        /// Term of the candidate's last entry.
        last_term: Term,
    },
    /// The answer to a probe.
    ProbeReply {
        /// Granted or refused with the reason.
        decision: Decision,
    },
    /// RequestVote (Raft §5.2).
    Vote {
        /// The candidate's last index.
        last_index: Index,
        /// Term of the candidate's last entry.
        last_term: Term,
        /// Sent because a handover said so: bypasses stickiness.
        transfer: bool,
        /// That handover was forced.
        force: bool,
    },
    /// The answer to a vote request.
    VoteReply {
        /// Granted or refused with the reason.
        decision: Decision,
    },
    /// AppendEntries (Raft §5.3); a heartbeat when `entries` is empty.
    Append {
        /// Index of the entry before `entries`.
        prev_index: Index,
        /// Its term.
        prev_term: Term,
        /// At most `max_batch` entries.
        entries: Vec<Entry>,
        /// The leader's commit watermark.
        commit: Index,
    },
    /// The answer to an append.
    AppendReply {
        /// Accepted or rejected with a conflict hint.
        outcome: AppendOutcome,
    },
    /// InstallSnapshot (Raft §7); witnesses receive metadata only.
    Snapshot {
        /// The snapshot.
        snapshot: Box<Snapshot>,
    },
    /// The answer to a snapshot.
    SnapshotReply {
        /// The index the follower now holds up to.
        index: Index,
    },
    /// Hand-over signal: "campaign now".
    TimeoutNow {
        /// The handover was forced.
        force: bool,
    },
}

/// How a follower answered an append.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppendOutcome {
    /// The log matches up to `match_index`.
    Accepted {
        /// Highest index known to match the leader's log.
        match_index: Index,
    },
    /// The log does not match at `rejected`; the hint lets the leader skip
    /// back a whole term at a time (Raft thesis §5.3).
    Rejected {
        /// The `prev_index` that did not match.
        rejected: Index,
        /// First index of the conflicting term's run, or last index + 1.
        hint_index: Index,
        /// The conflicting term, when the follower has an entry there.
        hint_term: Option<Term>,
    },
}

/// The kinds of message, named as traces name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// A probe.
    Probe,
    /// A probe reply.
    ProbeReply,
    /// A vote request.
    Vote,
    /// A vote reply.
    VoteReply,
    /// An append.
    Append,
    /// An append reply.
    AppendReply,
    /// A snapshot.
    Snapshot,
    /// A snapshot reply.
    SnapshotReply,
    /// A hand-over signal.
    TimeoutNow,
}

impl MessageKind {
    /// Every kind.
    pub const ALL: [MessageKind; 9] = [
        MessageKind::Probe,
        MessageKind::ProbeReply,
        MessageKind::Vote,
        MessageKind::VoteReply,
        MessageKind::Append,
        MessageKind::AppendReply,
        MessageKind::Snapshot,
        MessageKind::SnapshotReply,
        MessageKind::TimeoutNow,
    ];

    /// The trace name.
    pub fn name(self) -> &'static str {
        match self {
            MessageKind::Probe => "probe",
            MessageKind::ProbeReply => "probe_reply",
            MessageKind::Vote => "vote",
            MessageKind::VoteReply => "vote_reply",
            MessageKind::Append => "append",
            MessageKind::AppendReply => "append_reply",
            MessageKind::Snapshot => "snapshot",
            MessageKind::SnapshotReply => "snapshot_reply",
            MessageKind::TimeoutNow => "timeout_now",
        }
    }
}

impl Message {
    /// The message's kind.
    pub fn kind(&self) -> MessageKind {
        match self.body {
            Body::Probe { .. } => MessageKind::Probe,
            Body::ProbeReply { .. } => MessageKind::ProbeReply,
            Body::Vote { .. } => MessageKind::Vote,
            Body::VoteReply { .. } => MessageKind::VoteReply,
            Body::Append { .. } => MessageKind::Append,
            Body::AppendReply { .. } => MessageKind::AppendReply,
            Body::Snapshot { .. } => MessageKind::Snapshot,
            Body::SnapshotReply { .. } => MessageKind::SnapshotReply,
            Body::TimeoutNow { .. } => MessageKind::TimeoutNow,
        }
    }
}

/// What a message says, as the trace shows it beside its kind: plain
/// figures copied from the body (an append's entries counted, a snapshot
/// reduced to its index and term), so that keeping them costs no
/// allocation. Serialized flat into the trace line; replies to probes and
/// votes, snapshot replies and hand-over signals carry nothing here (their
/// decisions have events of their own).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum MessageContents {
    /// An append: where it attaches, how many entries, the commit it tells.
    Append {
        /// Index of the entry before the ones carried.
        prev_index: Index,
        /// Its term.
        prev_term: Term,
        /// How many entries it carries (0: a heartbeat).
        entries: u64,
        /// The leader's commit watermark.
        commit: Index,
    },
    /// An accepted append.
    AppendAccepted {
        /// Always true.
        success: bool,
        /// Highest index known to match the leader's log.
        match_index: Index,
    },
    /// A rejected append, with the conflict hint.
    AppendRejected {
        /// Always false.
        success: bool,
        /// The `prev_index` that did not match.
        rejected: Index,
        /// Where the follower suggests resuming.
        hint_index: Index,
        /// The conflicting term, when the follower has an entry there.
        hint_term: Option<Term>,
    },
    /// A probe or vote request: the candidate's log.
    Ask {
        /// The candidate's last index.
        last_index: Index,
        /// Its term.
        last_term: Term,
    },
    /// A snapshot: what it covers. (`index_term`, not `term`: the line
    /// already has the message's term.)
    Snapshot {
        /// Last index covered.
        index: Index,
        /// Its term.
        index_term: Term,
    },
    /// Nothing beyond the kind and term.
    Plain,
}

impl Message {
    /// The message's contents, as the trace shows them.
    pub fn contents(&self) -> MessageContents {
        match &self.body {
            Body::Probe { last_index, last_term } | Body::Vote { last_index, last_term, .. } => {
                MessageContents::Ask { last_index: *last_index, last_term: *last_term }
            }
            Body::Append { prev_index, prev_term, entries, commit } => MessageContents::Append {
                prev_index: *prev_index,
                prev_term: *prev_term,
                entries: entries.len() as u64,
                commit: *commit,
            },
            Body::AppendReply { outcome: AppendOutcome::Accepted { match_index } } => {
                MessageContents::AppendAccepted { success: true, match_index: *match_index }
            }
            Body::AppendReply { outcome: AppendOutcome::Rejected { rejected, hint_index, hint_term } } => {
                MessageContents::AppendRejected {
                    success: false,
                    rejected: *rejected,
                    hint_index: *hint_index,
                    hint_term: *hint_term,
                }
            }
            Body::Snapshot { snapshot } => {
                MessageContents::Snapshot { index: snapshot.index, index_term: snapshot.term }
            }
            Body::ProbeReply { .. }
            | Body::VoteReply { .. }
            | Body::SnapshotReply { .. }
            | Body::TimeoutNow { .. } => MessageContents::Plain,
        }
    }
}
