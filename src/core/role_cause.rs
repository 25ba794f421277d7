//! Why a node's role last changed: the core states it, so the trace and
//! the narration report the real cause instead of guessing it from what
//! they see afterwards (a leader that steps down in its own term may have
//! lost contact with a quorum, or committed the configuration that
//! removes it).

use serde::Serialize;

/// The cause of a node's latest role change (SCENARIO.md, Version 2,
/// `role_changed.cause`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleCause {
    /// Its election timer fired (or an operator fired it): it campaigns.
    Timeout,
    /// It gathered a quorum of votes and leads.
    Won,
    /// A message carried a higher term (Raft §5.1).
    HigherTerm,
    /// A leader that has not heard from a quorum within an election
    /// timeout steps down (thesis §6.2).
    CheckQuorum,
    /// The configuration that leaves it out took effect (a leader steps
    /// down once it commits, thesis §4.2.2; a follower stops voting).
    Removed,
    /// Part of a leadership handover: the target campaigning on the
    /// hand-over signal, or the old leader following the new one.
    Handover,
    /// A candidate or prober heard from the leader of its term.
    LeaderSeen,
    /// It came back from its disk after a crash.
    #[default]
    Restart,
    /// A configuration made it a voter (a caught-up learner promoted).
    Promoted,
    /// A configuration made it a member without a vote: a new learner.
    Joined,
    /// A candidate that can no longer gather a quorum gives up its term.
    Lost,
    /// The host took the node down (never set by the core: a crashed node
    /// has no core).
    Crash,
}

impl RoleCause {
    /// Every cause, for readers that parse the names back.
    pub const ALL: [RoleCause; 12] = [
        RoleCause::Timeout,
        RoleCause::Won,
        RoleCause::HigherTerm,
        RoleCause::CheckQuorum,
        RoleCause::Removed,
        RoleCause::Handover,
        RoleCause::LeaderSeen,
        RoleCause::Restart,
        RoleCause::Promoted,
        RoleCause::Joined,
        RoleCause::Lost,
        RoleCause::Crash,
    ];
}
