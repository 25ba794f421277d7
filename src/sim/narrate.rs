//! The sentences of the trace: each names the rule at work. Message
//! sentences come from the core's describers; this adds the rule.
//!
//! Why sentences are kept as [`Narration`] recipes: a run takes millions of
//! steps and almost nobody reads a sentence (a campaign tallies kinds, the
//! page shows the last few events, a seek replays past hundreds), yet
//! formatting them all took about a third of every step. The frequent
//! sentences are stored as the figures they name and printed when read,
//! exported or serialized; the same text either way.

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::check::{Property, Violation};
use crate::core::{
    Bytes, CommitRule, ConfigName, ConfigTally, Decision, Entry, Headline, Index, MemberKind, Message,
    MessageKind, Node, NodeId, Payload, ProgressMode, ProgressReport, Refusal, Role, Term,
};

use super::trace::TraceRole;

/// The sentence of one trace event; `Display` prints it, and it serializes
/// as that string.
#[derive(Clone)]
pub struct Narration(Recipe);

/// What a sentence says, before it is printed.
#[derive(Clone)]
enum Recipe {
    /// Printed already (rare events, and imported traces).
    Text(String),
    /// A message put on the wire: its description.
    Sent(Headline),
    /// A message delivered.
    Arrives(Headline),
    /// A message lost on the way, and why.
    Lost { from: NodeId, to: NodeId, kind: MessageKind, why: &'static str },
    /// A second copy, made by `by` (the network, or the scenario's
    /// `messages` command).
    Duplicated { from: NodeId, to: NodeId, kind: MessageKind, by: &'static str },
    /// A node crashed, and why.
    Crashes { node: NodeId, why: &'static str },
    /// A node is down (its role's sentence after a crash).
    Down { node: NodeId },
    /// A node restarted from its disk: its term and what became of its vote.
    Restarts { node: NodeId, term: Term, vote: RestartVote },
    /// A restarted node is back in `role`.
    Back { node: NodeId, role: TraceRole },
    /// A vote or probe reply (the decision is in the description); see
    /// [`reply`] for `unguarded`.
    Reply { headline: Headline, unguarded: Option<bool> },
    /// An entry appended and persisted.
    Appends { node: NodeId, entry: Entry },
    /// A committed entry applied.
    Applies { node: NodeId, entry: Entry },
    /// A committed write (`data`) or no-op (`None`) applied: `Applies`
    /// for the entries nearly every applied one is, holding only the
    /// write's data, so that keeping and dropping it is at most one
    /// reference count, not the derived clone and drop of any payload.
    AppliesPlain { node: NodeId, index: Index, term: Term, data: Option<Bytes> },
    /// A commit watermark advanced, and by which rule.
    Commits { node: NodeId, index: Index, rule: CommitRule },
    /// A leader's view of a follower changed mode.
    Progress { leader: NodeId, report: ProgressReport },
}

impl Narration {
    /// A message put on the wire.
    pub fn sent(m: &Message) -> Narration {
        Narration(Recipe::Sent(m.headline()))
    }

    /// A message delivered.
    pub fn arrives(m: &Message) -> Narration {
        Narration(Recipe::Arrives(m.headline()))
    }

    /// A message from `from` to `to` lost on the way: `why` finishes the
    /// sentence.
    pub(crate) fn lost(from: NodeId, to: NodeId, kind: MessageKind, why: &'static str) -> Narration {
        Narration(Recipe::Lost { from, to, kind, why })
    }

    /// The network made a second copy.
    pub(crate) fn duplicated(from: NodeId, to: NodeId, kind: MessageKind) -> Narration {
        Narration(Recipe::Duplicated { from, to, kind, by: "network" })
    }

    /// A vote or probe reply, with the rule that decided it; `unguarded`
    /// is true when the log checks were skipped for this request (a
    /// teaching switch is off), which a grant must not hide.
    pub(crate) fn reply(m: &Message, unguarded: Option<bool>) -> Narration {
        Narration(Recipe::Reply { headline: m.headline(), unguarded })
    }

    /// `node` appended `entry` and persisted it.
    pub(crate) fn appends(node: NodeId, entry: Entry) -> Narration {
        Narration(Recipe::Appends { node, entry })
    }

    /// `node` applied the committed `entry`.
    pub(crate) fn applies(node: NodeId, entry: &Entry) -> Narration {
        let (index, term) = (entry.index, entry.term);
        Narration(match &entry.payload {
            Payload::Write(data) => Recipe::AppliesPlain { node, index, term, data: Some(Arc::clone(data)) },
            Payload::Noop => Recipe::AppliesPlain { node, index, term, data: None },
            _ => Recipe::Applies { node, entry: entry.clone() },
        })
    }

    /// `node`'s commit watermark advanced to `index` by `rule`.
    pub(crate) fn commits(node: NodeId, index: Index, rule: CommitRule) -> Narration {
        Narration(Recipe::Commits { node, index, rule })
    }

    /// `leader`'s view of a follower changed mode.
    pub(crate) fn progress(leader: NodeId, report: ProgressReport) -> Narration {
        Narration(Recipe::Progress { leader, report })
    }
}

/// What a restarted node's disk says of its vote.
#[derive(Clone, Copy)]
pub(crate) enum RestartVote {
    /// The vote it persisted.
    For(NodeId),
    /// None persisted because `durable_vote` is off.
    NotKept,
    /// It had not voted in its term.
    None,
}

impl Narration {
    /// The scenario made a second copy.
    pub(crate) fn script_duplicated(from: NodeId, to: NodeId, kind: MessageKind) -> Narration {
        Narration(Recipe::Duplicated { from, to, kind, by: "scenario" })
    }

    /// `node` crashed; `why` is said in brackets.
    pub(crate) fn crashes(node: NodeId, why: &'static str) -> Narration {
        Narration(Recipe::Crashes { node, why })
    }

    /// `node` is down.
    pub(crate) fn down(node: NodeId) -> Narration {
        Narration(Recipe::Down { node })
    }

    /// `node` restarted from its disk in `term`.
    pub(crate) fn restarts(node: NodeId, term: Term, vote: RestartVote) -> Narration {
        Narration(Recipe::Restarts { node, term, vote })
    }

    /// `node` is back in `role` after a restart.
    pub(crate) fn back(node: NodeId, role: TraceRole) -> Narration {
        Narration(Recipe::Back { node, role })
    }
}

impl From<String> for Narration {
    fn from(text: String) -> Narration {
        Narration(Recipe::Text(text))
    }
}

impl fmt::Display for Narration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Recipe::Text(text) => f.write_str(text),
            Recipe::Sent(h) => write!(f, "{h}"),
            // The headline names sender and receiver already: say it once.
            Recipe::Arrives(h) => match h.resend_from() {
                Some(from) => write!(
                    f,
                    "node {} receives {h}: harmless, the leader resends from {from} (a reordered or probing append)",
                    h.to()
                ),
                None => write!(f, "node {} receives {h}", h.to()),
            },
            Recipe::Lost { from, to, kind, why } => write!(f, "{from}→{to} {} lost: {why}", kind.name()),
            Recipe::Duplicated { from, to, kind, by } => {
                write!(f, "{from}→{to} {}: the {by} duplicates it", kind.name())
            }
            Recipe::Crashes { node, why } => {
                write!(f, "node {node} crashes ({why}): it keeps only what it persisted")
            }
            Recipe::Down { node } => write!(f, "node {node} is down"),
            Recipe::Restarts { node, term, vote } => {
                write!(f, "node {node} restarts from its disk alone: term {term}, ")?;
                match vote {
                    RestartVote::For(v) => write!(f, "its vote for node {v}")?,
                    RestartVote::NotKept => {
                        f.write_str("no vote (durable_vote is off: votes were kept in memory only)")?
                    }
                    RestartVote::None => f.write_str("no vote in this term")?,
                }
                f.write_str(", and its log survive")
            }
            Recipe::Back { node, role } => write!(f, "node {node} is back as a {}", role_name(*role)),
            Recipe::Reply { headline, unguarded } => write_reply(f, headline, *unguarded),
            Recipe::Appends { node, entry } => {
                write!(f, "node {node} appends {entry} and persists it before answering")
            }
            Recipe::Applies { node, entry } => write_applies(f, *node, entry),
            Recipe::AppliesPlain { node, index, term, data } => {
                let payload = data.as_ref().map_or(Payload::Noop, |d| Payload::Write(Arc::clone(d)));
                write_applies(f, *node, &Entry { index: *index, term: *term, payload })
            }
            Recipe::Commits { node, index, rule: CommitRule::EarlierTerm } => write!(
                f,
                "node {node}'s commit watermark advances to {index}: stored on a quorum but from an earlier term, counted only because current_term_commit is off (Raft Figure 8)"
            ),
            Recipe::Commits { node, index, rule: CommitRule::CurrentTerm { carried } } => {
                write!(
                    f,
                    "node {node}'s commit watermark advances to {index}: stored on a quorum, in its own term (Raft §5.4.2)"
                )?;
                match carried {
                    0 => Ok(()),
                    1 => write!(f, "; 1 entry of an earlier term commits with it"),
                    n => write!(f, "; {n} entries of earlier terms commit with it"),
                }
            }
            Recipe::Commits { node, index, rule: CommitRule::Leader } => {
                write!(f, "node {node}'s commit watermark advances to {index}, as the leader reports")
            }
            Recipe::Progress { leader, report } => write_progress(f, *leader, report),
        }
    }
}

/// Printed, so that a test's failure message shows the sentence.
impl fmt::Debug for Narration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.to_string(), f)
    }
}

/// Two narrations are equal when they print the same sentence, whether
/// kept as figures or as text (an imported trace holds text).
impl PartialEq for Narration {
    fn eq(&self, other: &Narration) -> bool {
        match (&self.0, &other.0) {
            (Recipe::Text(a), Recipe::Text(b)) => a == b,
            _ => self.to_string() == other.to_string(),
        }
    }
}

impl Serialize for Narration {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// While joint, how each configuration voted: " (old 2/3 ✓, new 2/3 ✓)",
/// so the sentence says that both majorities were needed; empty otherwise.
pub fn joint_count(quorum: &[ConfigTally]) -> String {
    if quorum.len() < 2 {
        return String::new();
    }
    let sides: Vec<String> = quorum
        .iter()
        .map(|q| {
            let name = match q.config {
                ConfigName::Old => "old",
                ConfigName::New => "new",
                ConfigName::Current => "current",
            };
            let mark = if q.granted.len() >= q.needed { '✓' } else { '✗' };
            format!("{name} {}/{} {mark}", q.granted.len(), q.members.len())
        })
        .collect();
    format!(" in each configuration ({})", sides.join(", "))
}

/// The role the trace reports for a live node.
pub fn trace_role(node: &Node) -> TraceRole {
    let m = node.membership();
    match node.role() {
        Role::Leader => TraceRole::Leader,
        Role::Candidate => TraceRole::Candidate,
        // Its kind, fixed at creation, not the configuration it holds.
        Role::Follower if node.config().kind == MemberKind::Witness => TraceRole::Witness,
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

fn write_progress(f: &mut fmt::Formatter<'_>, leader: NodeId, p: &ProgressReport) -> fmt::Result {
    let why = match p.mode {
        ProgressMode::Probe => "one append at a time until the logs' match point is found",
        ProgressMode::Replicate => "the match point is found, so appends stream without waiting",
        ProgressMode::Snapshot => "the entries it needs are compacted, so a snapshot is on its way",
    };
    write!(
        f,
        "leader {leader} replicates to node {} in {} mode (match {}, next {}): {why}",
        p.follower,
        p.mode.name(),
        p.match_index,
        p.next_index
    )
}

fn write_applies(f: &mut fmt::Formatter<'_>, node: NodeId, entry: &Entry) -> fmt::Result {
    write!(f, "node {node} applies {entry}: committed entries apply in order, once")
}

/// `unguarded`: `None` when the log guards were applied, else whether a
/// forced hand-over alone skipped them (`VoteReport::forced_past_guards`).
fn write_reply(f: &mut fmt::Formatter<'_>, m: &Headline, unguarded: Option<bool>) -> fmt::Result {
    match (m.decision(), unguarded) {
        (Some(Decision::Granted), Some(false)) => write!(
            f,
            "{m}: granted on term and vote alone — the watermark and up-to-date checks are switched off"
        ),
        (Some(Decision::Granted), Some(true)) => write!(
            f,
            "{m}: granted on term and vote alone — a forced hand-over skips the watermark and up-to-date checks (force_respects_vote_rule is off)"
        ),
        (Some(Decision::Refused(r)), _) => write!(f, "{m} — {}", refusal_rule(r)),
        _ => write!(f, "{m}: the candidate passes every rule of the vote"),
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
        Property::AppliedValues => "two nodes applied different values at one index",
        Property::ApplyOrder => "an entry applied twice or out of order",
        Property::WitnessData => "a witness applied an entry or kept data",
        Property::SnapshotContents => "a snapshot differs from the state at its index",
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
