//! Facts a step states for its host, beside the work it asks for: why the
//! commit watermark moved, what a vote request asked and whether the log
//! guards judged it, and how a leader's view of a follower changed. The
//! simulator's trace and the page show these; none of them re-derives one.

use serde::Serialize;

use super::entry::{Index, NodeId, Term};
use super::progress::ProgressState;

/// Why a node's commit watermark advanced (Raft §5.4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum CommitRule {
    /// The leader counted a quorum for an entry of its own term;
    /// `carried` earlier-term entries committed with it.
    CurrentTerm {
        /// Entries of earlier terms committed by this advance.
        carried: u64,
    },
    /// The leader counted a quorum for an entry of an earlier term, which
    /// only happens with the teaching switch `current_term_commit` off
    /// (Raft Figure 8).
    EarlierTerm,
    /// A follower learnt the watermark from its leader (an append or a
    /// snapshot).
    Leader,
}

/// The commit watermark advanced to `index` by `rule`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CommitReport {
    /// The new watermark.
    pub index: Index,
    /// The rule that allowed it.
    pub rule: CommitRule,
}

/// A vote or probe request as the voter judged it; the decision travels in
/// the reply that follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct VoteReport {
    /// Who asked.
    pub candidate: NodeId,
    /// A probe (pre-vote) rather than a real vote.
    pub probe: bool,
    /// The term the candidate stands for.
    pub asked_term: Term,
    /// The candidate's last index.
    pub last_index: Index,
    /// The term of the candidate's last entry.
    pub last_term: Term,
    /// Whether the log guards (the watermark rule and the up-to-date
    /// check) were applied: false only with a teaching switch off.
    pub guarded: bool,
    /// Whether the guards were skipped only because the request was a
    /// forced hand-over's (`force_respects_vote_rule` off, `log_guards`
    /// on): the narration names that switch, not the log guards.
    pub forced_past_guards: bool,
}

/// The replication states a leader keeps per follower, without their
/// bookkeeping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressMode {
    /// One append at a time until the match point is found.
    Probe,
    /// Streaming appends up to the in-flight window.
    Replicate,
    /// A snapshot is in flight.
    Snapshot,
}

impl ProgressMode {
    /// The mode of a progress state.
    pub fn of(state: &ProgressState) -> ProgressMode {
        match state {
            ProgressState::Probe => ProgressMode::Probe,
            ProgressState::Replicate => ProgressMode::Replicate,
            ProgressState::Snapshot { .. } => ProgressMode::Snapshot,
        }
    }
}

/// A leader's view of `follower` entered a new mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ProgressReport {
    /// The follower.
    pub follower: NodeId,
    /// Its new mode.
    pub mode: ProgressMode,
    /// Highest index known to match.
    pub match_index: Index,
    /// Next index to send.
    pub next_index: Index,
}
