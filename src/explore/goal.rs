//! Reachability goals for teaching: the explorer looks for the shortest run
//! to a situation instead of a violation.

use crate::core::{HandoverResult, Refusal, Role};
use crate::sim::{TraceBody, TraceEvent};

use super::model::State;

/// A situation to reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// A voter refuses a probe or a vote because the candidate's log does
    /// not cover its commit watermark.
    WatermarkRefusal,
    /// Two nodes are candidates in the same term at once.
    SplitVote,
    /// A leader is elected while another voter of its term voted for a
    /// rival: a majority, not everyone.
    LeaderWithoutVote,
    /// A forced handover completes and skips uncommitted entries.
    ForcedSkip,
    /// A coordinated handover is called off at its deadline.
    HandoverAborted,
    /// A joint configuration commits and the cluster leaves it.
    JointCommits,
}

impl Goal {
    /// Every goal's name.
    pub const NAMES: [&'static str; 6] = [
        "watermark_refusal",
        "split_vote",
        "leader_without_vote",
        "forced_skip",
        "handover_aborted",
        "joint_commits",
    ];
    const ALL: [Goal; 6] = [
        Goal::WatermarkRefusal,
        Goal::SplitVote,
        Goal::LeaderWithoutVote,
        Goal::ForcedSkip,
        Goal::HandoverAborted,
        Goal::JointCommits,
    ];

    /// The goal called `name`.
    pub fn parse(name: &str) -> Result<Goal, String> {
        Goal::NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| Goal::ALL[i])
            .ok_or_else(|| format!("unknown goal {name:?}; goals: {}", Goal::NAMES.join(", ")))
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        Goal::NAMES[Goal::ALL.iter().position(|g| *g == self).expect("every goal is listed")]
    }

    /// One sentence saying what it is.
    pub fn describe(self) -> &'static str {
        match self {
            Goal::WatermarkRefusal => {
                "a vote refused because the candidate does not cover the commit watermark"
            }
            Goal::SplitVote => "two candidates in one term",
            Goal::LeaderWithoutVote => "a leader elected while a voter of its term voted for a rival",
            Goal::ForcedSkip => "a forced handover that skips uncommitted entries",
            Goal::HandoverAborted => "a coordinated handover aborted at its deadline",
            Goal::JointCommits => "a joint configuration committed and left",
        }
    }

    /// True when the move that produced `events` and led to `state`
    /// reached the goal.
    pub fn reached(self, state: &State, events: &[TraceEvent]) -> bool {
        match self {
            Goal::WatermarkRefusal => events.iter().any(|e| {
                matches!(
                    &e.body,
                    TraceBody::VoteRefused { reason: Refusal::WatermarkNotCovered { .. }, .. }
                        | TraceBody::ProbeRefused { reason: Refusal::WatermarkNotCovered { .. }, .. }
                )
            }),
            Goal::SplitVote => {
                let mut terms: Vec<u64> = live(state).filter(|n| n.role() == Role::Candidate).map(|n| n.term()).collect();
                terms.sort_unstable();
                terms.windows(2).any(|w| w[0] == w[1])
            }
            Goal::LeaderWithoutVote => events.iter().any(|e| match e.body {
                // A rival candidate's vote for itself counts: it is a vote
                // the leader did not get.
                TraceBody::LeaderElected { node, term, .. } => {
                    live(state).any(|n| n.term() == term && n.voted_for().is_some_and(|v| v != node))
                }
                _ => false,
            }),
            Goal::ForcedSkip => events.iter().any(|e| {
                matches!(e.body, TraceBody::HandoverOutcome { result: HandoverResult::Completed, forced: true, skipped, .. } if skipped > 0)
            }),
            Goal::HandoverAborted => events.iter().any(|e| {
                matches!(e.body, TraceBody::HandoverOutcome { result: HandoverResult::Aborted, forced: false, .. })
            }),
            Goal::JointCommits => events.iter().any(|e| {
                matches!(&e.body, TraceBody::MembershipChanged { voters, joint: None, .. } if voters == &[2, 3, 4])
            }),
        }
    }
}

fn live(state: &State) -> impl Iterator<Item = &crate::core::Node> {
    state.sim.nodes().values().filter_map(|n| n.node.as_ref())
}
