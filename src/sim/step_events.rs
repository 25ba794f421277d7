//! The trace events a node's own actions state, built from the core's
//! reports alone. The simulator and the real node (`quorumscope-node`)
//! both call these, so a trace says the same thing whichever ran it.

use crate::core::{Body, CommitReport, Decision, Entry, Message, NodeId, ProgressReport, VoteReport};

use super::narrate::Narration;
use super::trace::{EntryFacts, LastEntry, TraceBody};

/// The decision a vote or probe reply carries, as its own event, or `None`
/// for any other message. `judged` holds the core's report of the request
/// the reply answers (`Action::Voted`, just before the reply); a reply uses
/// it up, and a report about another candidate is not this reply's.
#[inline(always)]
pub fn vote_decision(m: &Message, judged: &mut Option<VoteReport>) -> Option<(TraceBody, Narration)> {
    let (decision, probe) = match &m.body {
        Body::ProbeReply { decision } => (decision, true),
        Body::VoteReply { decision } => (decision, false),
        _ => return None,
    };
    let judged = judged.take().filter(|v| v.candidate == m.to);
    let text = Narration::reply(m, judged.filter(|v| !v.guarded).map(|v| v.forced_past_guards));
    let (voter, candidate, term) = (m.from, m.to, m.term);
    let asked_term = judged.map(|v| v.asked_term);
    let log = judged.map(|v| LastEntry { last_index: v.last_index, last_term: v.last_term });
    let body = match (decision, probe) {
        (Decision::Granted, true) => TraceBody::ProbeGranted { voter, candidate, term, asked_term, log },
        (Decision::Granted, false) => TraceBody::VoteGranted { voter, candidate, term, asked_term, log },
        (Decision::Refused(r), true) => {
            TraceBody::ProbeRefused { voter, candidate, term, asked_term, log, reason: r.clone() }
        }
        (Decision::Refused(r), false) => {
            TraceBody::VoteRefused { voter, candidate, term, asked_term, log, reason: r.clone() }
        }
    };
    Some((body, text))
}

// The three below hand their event to `emit` rather than return it: the
// returned (body, sentence) pair made the wasm build about 70 bytes
// (gzipped) larger.

/// `node` appended `e` and made it durable.
#[inline(always)]
pub fn entry_appended(node: NodeId, e: Entry, emit: impl FnOnce(TraceBody, Narration)) {
    let entry = Some(EntryFacts(e.payload.clone()));
    let body = TraceBody::EntryAppended { node, index: e.index, term: e.term, entry };
    emit(body, Narration::appends(node, e));
}

/// `node`'s commit watermark advanced, by the core's rule.
#[inline(always)]
pub fn commit_advanced(node: NodeId, c: CommitReport, emit: impl FnOnce(TraceBody, Narration)) {
    let body = TraceBody::CommitAdvanced { node, index: c.index, rule: Some(c.rule) };
    emit(body, Narration::commits(node, c.index, c.rule));
}

/// `leader`'s view of a follower changed mode.
#[inline(always)]
pub fn progress_changed(leader: NodeId, p: ProgressReport, emit: impl FnOnce(TraceBody, Narration)) {
    let body = TraceBody::ProgressChanged {
        leader,
        follower: p.follower,
        state: p.mode,
        match_index: p.match_index,
        next_index: p.next_index,
    };
    emit(body, Narration::progress(leader, p));
}
