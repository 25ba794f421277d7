//! The sentences of the trace: each names the rule at work. Message
//! sentences come from the core's describers; this adds the rule.

use crate::check::{Property, Violation};
use crate::core::{Decision, Message, Node, Refusal, Role};

use super::trace::TraceRole;

/// The role the trace reports for a live node.
pub fn trace_role(node: &Node) -> TraceRole {
    let m = node.membership();
    match node.role() {
        Role::Leader => TraceRole::Leader,
        Role::Candidate => TraceRole::Candidate,
        Role::Follower if m.is_witness(node.id()) => TraceRole::Witness,
        Role::Follower if m.is_learner(node.id()) => TraceRole::Learner,
        Role::Follower => TraceRole::Follower,
    }
}

/// The rule behind a refusal, with its section.
pub fn refusal_rule(r: &Refusal) -> &'static str {
    match r {
        Refusal::WatermarkNotCovered { .. } => {
            "the watermark rule: never elect a node missing committed entries"
        }
        Refusal::StaleTerm { .. } => "the stale-term rule (Raft §5.1)",
        Refusal::LogBehind { .. } => "the up-to-date check (Raft §5.4.1)",
        Refusal::AlreadyVoted { .. } => "one vote per term (Raft §5.2)",
        Refusal::LeaderActive { .. } => "leader stickiness (Raft thesis §4.2.3)",
        Refusal::NotVoter => "only voting members vote",
    }
}

/// A vote or probe reply, with the rule that decided it.
/// `unguarded` is true when the log checks were skipped for this request
/// (a teaching switch is off), which a grant must not hide.
pub fn reply(m: &Message, decision: &Decision, unguarded: bool) -> String {
    match decision {
        Decision::Granted if unguarded => format!(
            "{m}: granted on term and vote alone — the watermark and up-to-date checks are switched off"
        ),
        Decision::Granted => format!("{m}: the candidate passes every rule of the vote"),
        Decision::Refused(r) => format!("{m} — {}", refusal_rule(r)),
    }
}

/// A violation, naming the property.
pub fn violation(v: &Violation) -> String {
    let why = match v.property {
        Property::ElectionSafety => "two leaders in one term",
        Property::LeaderAppendOnly => "a leader overwrote its own log",
        Property::LogMatching => "two logs agree on an entry but not on what precedes it",
        Property::LeaderCompleteness => "a leader lacks a committed entry",
        Property::StateMachineSafety => "two nodes applied different entries at one index",
        Property::AckedWriteLost => "an acknowledged write disappeared",
        Property::DoubleVote => "a node voted twice in one term",
        Property::MonotonicState => "term, vote or commit went backwards",
        Property::IndexOrder => "snapshot ≤ applied ≤ committed ≤ last index broke",
        Property::EpochOrder => "an ownership epoch did not increase",
    };
    format!("VIOLATION {}: {why} — {}", v.property, v.detail)
}

/// The role's name in a sentence.
pub fn role_name(role: TraceRole) -> &'static str {
    match role {
        TraceRole::Follower => "follower",
        TraceRole::Candidate => "candidate",
        TraceRole::Leader => "leader",
        TraceRole::Learner => "catching-up learner",
        TraceRole::Witness => "witness",
        TraceRole::Crashed => "crashed node",
    }
}
