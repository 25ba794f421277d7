//! One canonical one-line description of every message, action, event and
//! entry (in the manner of etcd raft's describers). The simulator's trace,
//! the CLI and the page's narration all use these sentences.

use std::fmt;

use super::action::Action;
use super::durable::Persist;
use super::entry::{Entry, Payload};
use super::entry::{Index, NodeId, Term};
use super::event::Event;
use super::handover::{HandoverFailure, HandoverMode, HandoverOutcome, HandoverResult, Phase, PhaseReport};
use super::membership::Membership;
use super::message::{AppendOutcome, Body, Message, MessageKind};
use super::node_set::NodeSet;
use super::report::{CommitRule, ProgressMode, VoteReport};
use super::vote::Decision;

fn ids(set: &NodeSet) -> String {
    let v: Vec<String> = set.iter().map(|i| i.to_string()).collect();
    format!("{{{}}}", v.join(","))
}

impl fmt::Display for Membership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "voters {}", ids(&self.voters))?;
        if let Some(out) = &self.outgoing {
            write!(f, " joint with old voters {}", ids(out))?;
        }
        if !self.learners.is_empty() {
            write!(f, ", catching up {}", ids(&self.learners))?;
        }
        if !self.witnesses.is_empty() {
            write!(f, ", witnesses {}", ids(&self.witnesses))?;
        }
        Ok(())
    }
}

impl fmt::Display for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payload::Noop => write!(f, "no-op"),
            Payload::Write(data) => write!(f, "write {:?}", String::from_utf8_lossy(data)),
            Payload::Config(m) => write!(f, "config {m}"),
            Payload::ControlPlane(e) => write!(f, "control-plane {e}"),
            Payload::Elided => write!(f, "metadata only"),
        }
    }
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@t{} {}", self.index, self.term, self.payload)
    }
}

fn decision(f: &mut fmt::Formatter<'_>, what: &str, term: u64, d: &Decision) -> fmt::Result {
    match d {
        Decision::Granted => write!(f, "{what} granted for term {term}"),
        Decision::Refused(r) => write!(f, "{what} refused for term {term}: {r}"),
    }
}

/// A message's one-line description, kept apart from the message: the
/// figures its sentence names, copied without allocating (no entries, no
/// snapshot data), so that a trace can keep it and print the sentence
/// only when someone reads it. Nothing in it owns memory, so a trace
/// drops it for free.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Headline {
    from: NodeId,
    to: NodeId,
    term: Term,
    summary: Summary,
}

/// A body as its description needs it: the body's own figures, with an
/// append's entries reduced to their range and a snapshot to its last
/// index and term.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Summary {
    Probe {
        last_index: Index,
        last_term: Term,
    },
    ProbeReply(Decision),
    Vote {
        last_index: Index,
        last_term: Term,
        transfer: bool,
        force: bool,
    },
    VoteReply(Decision),
    /// `count` entries from `first` to `last`; a heartbeat when `count`
    /// is 0 (plain figures: cheaper to build than an optional tuple).
    Append {
        prev_index: Index,
        prev_term: Term,
        commit: Index,
        count: usize,
        first: Index,
        last: Index,
    },
    AppendReply(AppendOutcome),
    /// `metadata` when it carries no application data (a witness's).
    Snapshot {
        index: Index,
        term: Term,
        metadata: bool,
    },
    SnapshotReply {
        index: Index,
    },
    TimeoutNow {
        force: bool,
    },
}

impl Headline {
    /// The message's kind.
    pub fn kind(&self) -> MessageKind {
        match self.summary {
            Summary::Probe { .. } => MessageKind::Probe,
            Summary::ProbeReply(_) => MessageKind::ProbeReply,
            Summary::Vote { .. } => MessageKind::Vote,
            Summary::VoteReply(_) => MessageKind::VoteReply,
            Summary::Append { .. } => MessageKind::Append,
            Summary::AppendReply(_) => MessageKind::AppendReply,
            Summary::Snapshot { .. } => MessageKind::Snapshot,
            Summary::SnapshotReply { .. } => MessageKind::SnapshotReply,
            Summary::TimeoutNow { .. } => MessageKind::TimeoutNow,
        }
    }

    /// The sender.
    pub fn from(&self) -> NodeId {
        self.from
    }

    /// The receiver.
    pub fn to(&self) -> NodeId {
        self.to
    }

    /// For a rejected append reply: the index the leader should resend from.
    pub fn resend_from(&self) -> Option<Index> {
        match &self.summary {
            Summary::AppendReply(AppendOutcome::Rejected { hint_index, .. }) => Some(*hint_index),
            _ => None,
        }
    }

    /// The decision a vote or probe reply carries.
    pub fn decision(&self) -> Option<&Decision> {
        match &self.summary {
            Summary::VoteReply(decision) | Summary::ProbeReply(decision) => Some(decision),
            _ => None,
        }
    }
}

impl Message {
    /// The message's description, to print later.
    pub fn headline(&self) -> Headline {
        let summary = match &self.body {
            Body::Probe { last_index, last_term } => {
                Summary::Probe { last_index: *last_index, last_term: *last_term }
            }
            Body::ProbeReply { decision } => Summary::ProbeReply(decision.clone()),
            Body::Vote { last_index, last_term, transfer, force } => Summary::Vote {
                last_index: *last_index,
                last_term: *last_term,
                transfer: *transfer,
                force: *force,
            },
            Body::VoteReply { decision } => Summary::VoteReply(decision.clone()),
            Body::Append { prev_index, prev_term, entries, commit } => Summary::Append {
                prev_index: *prev_index,
                prev_term: *prev_term,
                commit: *commit,
                count: entries.len(),
                first: entries.first().map_or(0, |e| e.index),
                last: entries.last().map_or(0, |e| e.index),
            },
            Body::AppendReply { outcome } => Summary::AppendReply(outcome.clone()),
            Body::Snapshot { snapshot } => Summary::Snapshot {
                index: snapshot.index,
                term: snapshot.term,
                metadata: snapshot.data.is_empty(),
            },
            Body::SnapshotReply { index } => Summary::SnapshotReply { index: *index },
            Body::TimeoutNow { force } => Summary::TimeoutNow { force: *force },
        };
        Headline { from: self.from, to: self.to, term: self.term, summary }
    }
}

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.headline().fmt(f)
    }
}

impl fmt::Display for Headline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}→{} ", self.from, self.to)?;
        let term = self.term;
        match &self.summary {
            Summary::Append { prev_index, prev_term, commit, count: 0, .. } => {
                write!(f, "heartbeat after {prev_index}@t{prev_term}, commit {commit} (term {term})")
            }
            Summary::Append { prev_index, prev_term, commit, count, first, last } => write!(
                f,
                "append {count} entr{} {first}..{last} after {prev_index}@t{prev_term}, commit {commit} (term {term})",
                if *count == 1 { "y" } else { "ies" },
            ),
            Summary::Snapshot { index, term: at, metadata } => {
                let metadata = if *metadata { ", metadata" } else { "" };
                write!(f, "snapshot up to {index}@t{at}{metadata} (term {term})")
            }
            Summary::Probe { last_index, last_term } => write!(
                f,
                "probe: would you vote for me in term {term}? my last entry is {last_index}@t{last_term}"
            ),
            Summary::ProbeReply(d) => decision(f, "probe", term, d),
            Summary::Vote {
                last_index,
                last_term,
                transfer,
                force,
            } => {
                write!(f, "vote request for term {term}, my last entry is {last_index}@t{last_term}")?;
                match (transfer, force) {
                    // Whether the vote rule still applies is the voter's switch
                    // (`force_respects_vote_rule`): its reply says.
                    (true, true) => write!(f, " (forced hand-over: bypasses stickiness)"),
                    (true, false) => write!(f, " (hand-over: bypasses stickiness, not the vote rule)"),
                    _ => Ok(()),
                }
            }
            Summary::VoteReply(d) => decision(f, "vote", term, d),
            Summary::AppendReply(outcome) => match outcome {
                AppendOutcome::Accepted { match_index } => {
                    write!(f, "append accepted: my log matches yours up to {match_index} (term {term})")
                }
                AppendOutcome::Rejected {
                    rejected,
                    hint_index,
                    hint_term: Some(t),
                } => write!(
                    f,
                    "append rejected at {rejected}: my entry there is from term {t}, which starts at {hint_index} (term {term})"
                ),
                AppendOutcome::Rejected { rejected, hint_index, .. } => write!(
                    f,
                    "append rejected at {rejected}: my log ends at {} (term {term})",
                    hint_index.saturating_sub(1)
                ),
            },
            Summary::SnapshotReply { index } => write!(f, "snapshot installed: I hold up to {index} (term {term})"),
            Summary::TimeoutNow { force } => write!(
                f,
                "timeout now: campaign at once{} (term {term})",
                if *force { ", forced hand-over" } else { ", hand-over" }
            ),
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Freeze => "freeze",
            Phase::CatchUp => "catch-up",
            Phase::HandOver => "hand over",
            Phase::Demote => "demote",
        })
    }
}

impl fmt::Display for PhaseReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (from, to, frontier, reached) = (self.from, self.to, self.frontier, self.reached);
        match self.phase {
            Phase::Freeze => write!(
                f,
                "handover {from}→{to}: freeze, node {from} stops accepting writes at frontier {frontier}"
            ),
            Phase::CatchUp => write!(
                f,
                "handover {from}→{to}: catch-up, node {to} has reached {reached} of frontier {frontier}"
            ),
            Phase::HandOver => write!(
                f,
                "handover {from}→{to}: hand over at {reached} of {frontier}, node {to} told to campaign now"
            ),
            Phase::Demote => write!(f, "handover {from}→{to}: demote, node {from} now follows node {to}"),
        }
    }
}

impl fmt::Display for HandoverOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (from, to) = (self.from, self.to);
        let figures = format!(
            "frontier {}, reached {}, skipped {}, waited {} ticks",
            self.frontier, self.reached, self.skipped, self.waited
        );
        match (self.result, self.failure) {
            (HandoverResult::Completed, _) => write!(
                f,
                "handover {from}→{to} completed: node {to} leads term {}, node {from} follows it ({figures})",
                self.new_term.unwrap_or_default()
            ),
            (HandoverResult::Aborted, Some(HandoverFailure::LeadershipLost)) => write!(
                f,
                "handover {from}→{to} aborted: node {from} lost leadership before handing over ({figures})"
            ),
            (HandoverResult::Aborted, Some(HandoverFailure::TargetDidNotCampaign)) => write!(
                f,
                "handover {from}→{to} aborted: node {to} never stood for election (the hand-over signal was lost); node {from} still leads and writes resume, no term change ({figures})"
            ),
            (HandoverResult::Aborted, Some(HandoverFailure::Superseded)) => write!(
                f,
                "handover {from}→{to} replaced by a transfer to another node ({figures})"
            ),
            (HandoverResult::Aborted, Some(HandoverFailure::Cancelled)) => write!(
                f,
                "handover {from}→{to} cancelled by a transfer to node {from} itself: writes resume, no term change ({figures})"
            ),
            (HandoverResult::Aborted, _) => write!(
                f,
                "handover {from}→{to} aborted: catch-up timed out; writes resume on node {from}, no term change ({figures})"
            ),
            (HandoverResult::Refused, Some(HandoverFailure::OtherLeaderElected)) => write!(
                f,
                "handover {from}→{to} refused: the vote rule turned node {to} down and node {} was elected in term {} ({figures})",
                self.new_leader.unwrap_or_default(),
                self.new_term.unwrap_or_default()
            ),
            (HandoverResult::Refused, _) => write!(
                f,
                "handover {from}→{to} refused: node {to} did not win; a normal election follows ({figures})"
            ),
        }
    }
}

impl fmt::Display for HandoverMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandoverMode::Coordinated { deadline_ticks } => {
                write!(f, "coordinated, deadline {deadline_ticks} ticks")
            }
            HandoverMode::Force { timeout_ticks } => write!(f, "forced after {timeout_ticks} ticks"),
            HandoverMode::Transfer { timeout_ticks } => write!(f, "transfer within {timeout_ticks} ticks"),
        }
    }
}

impl fmt::Display for Persist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Persist::HardState(hs) => {
                write!(f, "persist term {}, vote ", hs.term)?;
                match hs.voted_for {
                    Some(v) => write!(f, "{v}")?,
                    None => write!(f, "none")?,
                }
                write!(f, ", commit {}", hs.commit)
            }
            Persist::Entries(entries) => match (entries.first(), entries.last()) {
                (Some(a), Some(b)) if a.index == b.index => write!(f, "persist entry {a}"),
                (Some(a), Some(b)) if a.term == b.term => {
                    write!(f, "persist entries {}..{} (term {})", a.index, b.index, b.term)
                }
                (Some(a), Some(b)) => {
                    write!(f, "persist entries {}..{} (terms {}..{})", a.index, b.index, a.term, b.term)
                }
                _ => write!(f, "persist no entries"),
            },
            Persist::Snapshot(s) => write!(f, "persist snapshot up to {}@t{}", s.index, s.term),
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Send(m) => write!(f, "send {m}"),
            Action::Persist(p) => write!(f, "{p}"),
            Action::Apply(e) => write!(f, "apply {e}"),
            Action::SnapshotHint { applied } => write!(f, "snapshot hint: applied log reached {applied}"),
            Action::RestoreSnapshot(s) => {
                write!(f, "restore state machine from snapshot {}@t{}", s.index, s.term)
            }
            Action::MembershipChanged(m) => write!(f, "membership now {m}"),
            Action::HandoverPhase(p) => write!(f, "{p}"),
            Action::HandoverOutcome(o) => write!(f, "{o}"),
            Action::Committed(c) => write!(f, "commit to {} ({})", c.index, c.rule),
            Action::Voted(v) => write!(f, "{v}"),
            Action::ProgressChanged(p) => write!(
                f,
                "progress of {}: {} (match {}, next {})",
                p.follower,
                p.mode.name(),
                p.match_index,
                p.next_index
            ),
        }
    }
}

impl fmt::Display for CommitRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommitRule::CurrentTerm { carried: 0 } => write!(f, "a quorum in the leader's term"),
            CommitRule::CurrentTerm { carried } => {
                write!(f, "a quorum in the leader's term, carrying {carried} earlier-term entries")
            }
            CommitRule::EarlierTerm => write!(f, "a quorum for an earlier term's entry"),
            CommitRule::Leader => write!(f, "as the leader reports"),
        }
    }
}

impl fmt::Display for VoteReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.probe { "probe" } else { "vote request" };
        write!(
            f,
            "judge {what} of {} for term {} (last {}@t{}){}",
            self.candidate,
            self.asked_term,
            self.last_index,
            self.last_term,
            if self.guarded { "" } else { " without the log guards" }
        )
    }
}

impl ProgressMode {
    /// The mode as the trace names it.
    pub fn name(self) -> &'static str {
        match self {
            ProgressMode::Probe => "probe",
            ProgressMode::Replicate => "replicate",
            ProgressMode::Snapshot => "snapshot",
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Tick => write!(f, "tick"),
            Event::Message(m) => write!(f, "receive {m}"),
            Event::Propose(data) => write!(f, "propose write {:?}", String::from_utf8_lossy(data)),
            Event::ProposeBatch(b) => write!(f, "propose {} writes", b.len()),
            Event::ControlPlane(e) => write!(f, "control-plane append: {e}"),
            Event::AddServer(m) => write!(f, "add server {} ({:?}, {:?})", m.id, m.kind, m.state),
            Event::RemoveServer(id) => write!(f, "remove server {id}"),
            Event::ChangeVoters(v) => write!(f, "change voters to {}", ids(v)),
            Event::Handover { to, mode } => write!(f, "hand over to node {to}, {mode}"),
            Event::Durable(m) => write!(
                f,
                "durable: term {} vote {:?}, log to {}@t{}",
                m.term, m.voted_for, m.last_index, m.last_term
            ),
            Event::TimeoutNow => write!(f, "time out now"),
            Event::Snapshot { index, .. } => write!(f, "application snapshot at {index}"),
        }
    }
}
