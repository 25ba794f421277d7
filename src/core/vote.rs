//! The vote rule (PROTOCOL.md §3.4): five checks in a fixed order, the first
//! that applies being the reason reported. Probes and real votes share it.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::config::Switches;
use super::entry::{Index, NodeId, Term};

/// Why a vote or probe was refused, with the figures that prove it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Refusal {
    /// The candidate's log ends below the voter's commit watermark: electing
    /// it could lose an acknowledged write. Never relaxed, not even by force.
    WatermarkNotCovered {
        /// The candidate's last index (its LSN).
        candidate_lsn: Index,
        /// The voter's view of the commit watermark.
        watermark: Index,
    },
    /// The candidate's term is older than the voter's (Raft §5.1).
    StaleTerm {
        /// The term the candidate asked for.
        candidate_term: Term,
        /// The voter's current term.
        voter_term: Term,
    },
    /// The voter's log is more up to date (Raft §5.4.1).
    LogBehind {
        /// Term of the candidate's last entry.
        candidate_last_term: Term,
        /// The candidate's last index.
        candidate_last_index: Index,
        /// Term of the voter's last entry.
        voter_last_term: Term,
        /// The voter's last index.
        voter_last_index: Index,
    },
    /// One vote per term (Raft §5.2).
    AlreadyVoted {
        /// The term of the vote.
        term: Term,
        /// Who got it.
        voted_for: NodeId,
    },
    /// The voter heard from a live leader within the minimum election
    /// timeout (leader stickiness, Raft thesis §4.2.3).
    LeaderActive {
        /// That leader.
        leader: NodeId,
    },
    /// The voter does not vote: it is a learner or not a member.
    NotVoter,
}

/// A voter's answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The vote (or the would-be vote) is granted.
    Granted,
    /// Refused, with the first rule that applied.
    Refused(Refusal),
}

impl Decision {
    /// True when granted.
    pub fn is_granted(&self) -> bool {
        matches!(self, Decision::Granted)
    }
}

/// What a candidate asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoteRequest {
    /// The term asked for (the proposed term, for a probe).
    pub term: Term,
    /// The candidate.
    pub candidate: NodeId,
    /// The candidate's last index.
    pub last_index: Index,
    /// Term of the candidate's last entry.
    pub last_term: Term,
    /// True for a probe (pre-vote): the same rules, nothing recorded.
    pub probe: bool,
    /// True when a handover told the candidate to campaign: it bypasses
    /// stickiness, never the other rules.
    pub transfer: bool,
    /// True when that handover was forced.
    pub force: bool,
}

/// What the voter knows, as the rule needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoterView {
    /// Whether the voter is a voting member.
    pub is_voter: bool,
    /// The voter's current term.
    pub term: Term,
    /// Whom it voted for in that term.
    pub voted_for: Option<NodeId>,
    /// Its last index.
    pub last_index: Index,
    /// Term of its last entry.
    pub last_term: Term,
    /// Its view of the commit watermark.
    pub watermark: Index,
    /// A leader it heard from within the minimum election timeout.
    pub live_leader: Option<NodeId>,
}

/// Applies the vote rule in PROTOCOL.md's order and returns the decision.
pub fn decide(voter: &VoterView, req: &VoteRequest, switches: &Switches) -> Decision {
    match first_refusal(voter, req, switches) {
        Some(r) => Decision::Refused(r),
        None => Decision::Granted,
    }
}

/// Whether the log guards (the watermark rule and the up-to-date check)
/// judge `req`: always, unless a teaching switch is off. A forced handover
/// keeps every guard unless `force_respects_vote_rule` is off.
pub fn log_guards_apply(req: &VoteRequest, switches: &Switches) -> bool {
    switches.log_guards && (switches.force_respects_vote_rule || !req.force)
}

fn first_refusal(voter: &VoterView, req: &VoteRequest, switches: &Switches) -> Option<Refusal> {
    if !voter.is_voter {
        return Some(Refusal::NotVoter);
    }
    let guards = log_guards_apply(req, switches);
    if guards && switches.watermark_rule && req.last_index < voter.watermark {
        return Some(Refusal::WatermarkNotCovered {
            candidate_lsn: req.last_index,
            watermark: voter.watermark,
        });
    }
    if req.term < voter.term {
        return Some(Refusal::StaleTerm { candidate_term: req.term, voter_term: voter.term });
    }
    if guards && (req.last_term, req.last_index) < (voter.last_term, voter.last_index) {
        return Some(Refusal::LogBehind {
            candidate_last_term: req.last_term,
            candidate_last_index: req.last_index,
            voter_last_term: voter.last_term,
            voter_last_index: voter.last_index,
        });
    }
    if req.term == voter.term {
        if let Some(v) = voter.voted_for.filter(|v| *v != req.candidate) {
            return Some(Refusal::AlreadyVoted { term: voter.term, voted_for: v });
        }
    }
    if switches.stickiness && !req.transfer {
        if let Some(leader) = voter.live_leader.filter(|l| *l != req.candidate) {
            return Some(Refusal::LeaderActive { leader });
        }
    }
    None
}

impl Refusal {
    /// The reason's code, as traces spell it.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::WatermarkNotCovered { .. } => "watermark_not_covered",
            Refusal::StaleTerm { .. } => "stale_term",
            Refusal::LogBehind { .. } => "log_behind",
            Refusal::AlreadyVoted { .. } => "already_voted",
            Refusal::LeaderActive { .. } => "leader_active",
            Refusal::NotVoter => "not_voter",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::WatermarkNotCovered { candidate_lsn, watermark } => {
                write!(f, "your last index {candidate_lsn} is below my commit watermark {watermark}")
            }
            Refusal::StaleTerm { candidate_term, voter_term } => {
                write!(f, "your term {candidate_term} is older than my term {voter_term}")
            }
            Refusal::LogBehind {
                candidate_last_term,
                candidate_last_index,
                voter_last_term,
                voter_last_index,
            } => write!(
                f,
                "my log is more up to date: my last entry is {voter_last_index}@t{voter_last_term}, \
                 yours {candidate_last_index}@t{candidate_last_term}"
            ),
            Refusal::AlreadyVoted { term, voted_for } => {
                write!(f, "I already voted for node {voted_for} in term {term}")
            }
            Refusal::LeaderActive { leader } => {
                write!(f, "I heard from live leader {leader} within the minimum election timeout")
            }
            Refusal::NotVoter => write!(f, "I am not a voting member"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn voter() -> VoterView {
        VoterView {
            is_voter: true,
            term: 5,
            voted_for: None,
            last_index: 45,
            last_term: 5,
            watermark: 45,
            live_leader: None,
        }
    }

    fn request() -> VoteRequest {
        VoteRequest {
            term: 6,
            candidate: 2,
            last_index: 45,
            last_term: 5,
            probe: false,
            transfer: false,
            force: false,
        }
    }

    fn refusal(v: VoterView, r: VoteRequest, s: Switches) -> Option<&'static str> {
        match decide(&v, &r, &s) {
            Decision::Granted => None,
            Decision::Refused(r) => Some(r.code()),
        }
    }

    #[test]
    fn precedence_table() {
        let on = Switches::default();
        // Each row makes every rule up to and including the named one apply.
        let below_and_stale = VoteRequest { term: 3, last_index: 41, ..request() };
        assert_eq!(refusal(voter(), below_and_stale, on), Some("watermark_not_covered"));
        let stale_and_behind = VoteRequest { term: 3, last_term: 4, ..request() };
        assert_eq!(refusal(voter(), stale_and_behind, on), Some("stale_term"));
        let behind = VoteRequest { last_term: 4, ..request() };
        let voted = VoterView { term: 6, voted_for: Some(3), live_leader: Some(1), ..voter() };
        assert_eq!(refusal(voted, behind, on), Some("log_behind"));
        assert_eq!(refusal(voted, request(), on), Some("already_voted"));
        let sticky = VoterView { live_leader: Some(1), ..voter() };
        assert_eq!(refusal(sticky, request(), on), Some("leader_active"));
        assert_eq!(refusal(voter(), request(), on), None);
        let learner = VoterView { is_voter: false, ..voter() };
        assert_eq!(refusal(learner, request(), on), Some("not_voter"));
    }

    #[test]
    fn same_candidate_is_granted_again() {
        let voted = VoterView { term: 6, voted_for: Some(2), ..voter() };
        assert_eq!(refusal(voted, request(), Switches::default()), None);
    }

    #[test]
    fn switches_change_exactly_their_rule() {
        let below = VoteRequest { last_index: 41, ..request() };
        let no_watermark = Switches { watermark_rule: false, ..Switches::default() };
        assert_eq!(refusal(voter(), below, no_watermark), Some("log_behind"));
        let no_guards = Switches { log_guards: false, ..Switches::default() };
        assert_eq!(refusal(voter(), below, no_guards), None);
        let sticky = VoterView { live_leader: Some(1), ..voter() };
        let no_sticky = Switches { stickiness: false, ..Switches::default() };
        assert_eq!(refusal(sticky, request(), no_sticky), None);
    }

    #[test]
    fn transfer_bypasses_stickiness_but_not_the_watermark() {
        let sticky = VoterView { live_leader: Some(1), ..voter() };
        let transfer = VoteRequest { transfer: true, force: true, ..request() };
        assert_eq!(refusal(sticky, transfer, Switches::default()), None);
        let below = VoteRequest { last_index: 41, ..transfer };
        assert_eq!(refusal(sticky, below, Switches::default()), Some("watermark_not_covered"));
        let lax = Switches { force_respects_vote_rule: false, ..Switches::default() };
        assert_eq!(refusal(sticky, below, lax), None);
    }
}
