//! Reading a trace back from JSON lines (SCENARIO.md, "Trace"): each line's
//! fields are checked by name, extra fields ignored, and an error names the
//! line and the field (`line 3: term: missing; expected ...`).

use serde::Serialize;

use crate::check::Property;
use crate::core::quorum::VoteResult;
use crate::core::{
    CommitRule, ConfigName, ConfigTally, HandoverFailure, HandoverResult, Membership, MessageContents,
    MessageKind, Payload, Phase, ProgressMode, Refusal, RoleCause,
};
use crate::json::path::{array, item_path, quote, text, uint, Fields};
use crate::json::{self, Json};

use super::command_read::cp_entry;
use super::{EntryFacts, LastEntry, TraceBody, TraceEvent, TraceRole, WriteRefusal};

/// Most events a trace may hold.
const MAX_EVENTS: usize = 10_000_000;

/// Reads a trace from JSON lines; the error names the line and the field.
pub fn import_json_lines(text: &str) -> Result<Vec<TraceEvent>, String> {
    let mut events = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if events.len() >= MAX_EVENTS {
            return Err("trace is longer than 10,000,000 events".into());
        }
        let event =
            json::parse(line).and_then(|v| read_event(&v)).map_err(|e| format!("line {}: {e}", i + 1))?;
        events.push(event);
    }
    Ok(events)
}

const UINT: &str = "a non-negative integer";
const STRING: &str = "a string";

fn number(v: &Json, path: &str) -> Result<u64, String> {
    uint(v, path, UINT)
}

fn numbers(v: &Json, path: &str) -> Result<Vec<u64>, String> {
    let items = array(v, path, usize::MAX)?;
    items.iter().enumerate().map(|(i, item)| number(item, &item_path(path, i))).collect()
}

fn groups(v: &Json, path: &str) -> Result<Vec<Vec<u64>>, String> {
    let items = array(v, path, usize::MAX)?;
    items.iter().enumerate().map(|(i, item)| numbers(item, &item_path(path, i))).collect()
}

/// The one of `all` whose serde name is the string at `path`: names are
/// read as serde writes them, so the two directions cannot disagree.
fn named<T: Serialize + Copy>(all: &[T], v: &Json, path: &str) -> Result<T, String> {
    let Json::String(name) = v else { return Err(json::path::expected(path, STRING, v)) };
    let written = format!("\"{name}\"");
    all.iter()
        .find(|x| json::to_string(x).is_ok_and(|s| s == written))
        .copied()
        .ok_or_else(|| format!("{path}: unknown value {}", quote(name)))
}

const ROLES: [TraceRole; 6] = [
    TraceRole::Follower,
    TraceRole::Candidate,
    TraceRole::Leader,
    TraceRole::Learner,
    TraceRole::Witness,
    TraceRole::Crashed,
];
const PROGRESS_MODES: [ProgressMode; 3] =
    [ProgressMode::Probe, ProgressMode::Replicate, ProgressMode::Snapshot];
const PHASES: [Phase; 4] = [Phase::Freeze, Phase::CatchUp, Phase::HandOver, Phase::Demote];
const RESULTS: [HandoverResult; 3] =
    [HandoverResult::Completed, HandoverResult::Aborted, HandoverResult::Refused];
const FAILURES: [HandoverFailure; 7] = [
    HandoverFailure::CatchUpTimedOut,
    HandoverFailure::LeadershipLost,
    HandoverFailure::OtherLeaderElected,
    HandoverFailure::NoLeaderElected,
    HandoverFailure::TargetDidNotCampaign,
    HandoverFailure::Superseded,
    HandoverFailure::Cancelled,
];

fn read_event(v: &Json) -> Result<TraceEvent, String> {
    let f = Fields::of(v, "event")?;
    Ok(TraceEvent {
        step: f.required("step", UINT, number)?,
        tick: f.required("tick", UINT, number)?,
        body: read_body(&f)?,
        text: f.required("text", STRING, text)?.into(),
    })
}

fn read_body(f: &Fields) -> Result<TraceBody, String> {
    use TraceBody as B;
    let kind = f.required("kind", "a kind of event", text)?;
    let n = |key| f.required(key, UINT, number);
    let maybe = |key| f.optional(key, number);
    let s = |key| f.required(key, STRING, text);
    let msg = || f.required("msg", "a kind of message", |v, p| named(&MessageKind::ALL, v, p));
    let reason = || f.required("reason", "a refusal", read_refusal);
    let entry = || f.required("entry", "a control-plane entry", cp_entry);
    let groups = || f.required("groups", "a list of groups", groups);
    let ids = |key| f.required(key, "a list of node ids", numbers);
    Ok(match kind.as_str() {
        "message_sent" => B::MessageSent {
            from: n("from")?,
            to: n("to")?,
            msg: msg()?,
            term: n("term")?,
            seq: n("seq")?,
            deliver_tick: n("deliver_tick")?,
            contents: read_contents(f, msg()?)?,
        },
        "message_delivered" => B::MessageDelivered {
            from: n("from")?,
            to: n("to")?,
            msg: msg()?,
            term: n("term")?,
            seq: n("seq")?,
            contents: read_contents(f, msg()?)?,
        },
        "message_dropped" => B::MessageDropped {
            from: n("from")?,
            to: n("to")?,
            msg: msg()?,
            term: n("term")?,
            seq: n("seq")?,
            cause: s("cause")?.into(),
        },
        "message_duplicated" => B::MessageDuplicated {
            from: n("from")?,
            to: n("to")?,
            msg: msg()?,
            term: n("term")?,
            seq: n("seq")?,
        },
        "message_held" => {
            B::MessageHeld { from: n("from")?, to: n("to")?, msg: msg()?, term: n("term")?, seq: n("seq")? }
        }
        "message_released" => B::MessageReleased {
            from: n("from")?,
            to: n("to")?,
            msg: msg()?,
            term: n("term")?,
            seq: n("seq")?,
        },
        "message_waiting" => {
            B::MessageWaiting { from: n("from")?, to: n("to")?, msg: msg()?, term: n("term")? }
        }
        "write_started" => B::WriteStarted {
            node: n("node")?,
            term: n("term")?,
            last_index: n("last_index")?,
            done_tick: n("done_tick")?,
        },
        "write_durable" => B::WriteDurable {
            node: n("node")?,
            term: n("term")?,
            last_index: n("last_index")?,
            released: n("released")?,
        },
        "probe_granted" => B::ProbeGranted {
            voter: n("voter")?,
            candidate: n("candidate")?,
            term: n("term")?,
            asked_term: maybe("asked_term")?,
            log: last_entry(f)?,
        },
        "probe_refused" => B::ProbeRefused {
            voter: n("voter")?,
            candidate: n("candidate")?,
            term: n("term")?,
            asked_term: maybe("asked_term")?,
            log: last_entry(f)?,
            reason: reason()?,
        },
        "vote_granted" => B::VoteGranted {
            voter: n("voter")?,
            candidate: n("candidate")?,
            term: n("term")?,
            asked_term: maybe("asked_term")?,
            log: last_entry(f)?,
        },
        "vote_refused" => B::VoteRefused {
            voter: n("voter")?,
            candidate: n("candidate")?,
            term: n("term")?,
            asked_term: maybe("asked_term")?,
            log: last_entry(f)?,
            reason: reason()?,
        },
        "term_changed" => B::TermChanged { node: n("node")?, term: n("term")? },
        "role_changed" => B::RoleChanged {
            node: n("node")?,
            role: f.required("role", "a role", |v, p| named(&ROLES, v, p))?,
            term: n("term")?,
            cause: f.optional("cause", |v, p| named(&RoleCause::ALL, v, p))?,
        },
        "leader_elected" => B::LeaderElected {
            node: n("node")?,
            term: n("term")?,
            quorum: f.optional("quorum", config_tallies)?.unwrap_or_default(),
        },
        "leader_deposed" => B::LeaderDeposed { node: n("node")?, by: n("by")?, term: n("term")? },
        "entry_appended" => B::EntryAppended {
            node: n("node")?,
            index: n("index")?,
            term: n("term")?,
            entry: f.optional("entry", read_entry)?,
        },
        "commit_advanced" => {
            B::CommitAdvanced { node: n("node")?, index: n("index")?, rule: read_commit_rule(f)? }
        }
        "progress_changed" => B::ProgressChanged {
            leader: n("leader")?,
            follower: n("follower")?,
            state: f.required("state", "a replication state", |v, p| {
                let names = PROGRESS_MODES.map(ProgressMode::name);
                Ok(PROGRESS_MODES[json::path::one_of(v, p, "replication state", &names)?])
            })?,
            match_index: n("match")?,
            next_index: n("next")?,
        },
        "applied" => B::Applied { node: n("node")?, index: n("index")? },
        "write_acked" => B::WriteAcked { index: n("index")?, value: s("value")?, node: n("node")? },
        "write_rejected" => B::WriteRejected {
            reason: f.required("reason", "a refusal", read_write_refusal)?,
            value: s("value")?,
            node: n("node")?,
        },
        "crash" => B::Crash { node: n("node")? },
        "restart" => B::Restart { node: n("node")? },
        "partition" => B::Partition { groups: groups()? },
        "heal" => B::Heal { groups: groups()? },
        "handover_phase" => B::HandoverPhase {
            phase: f.required("phase", "a phase", |v, p| named(&PHASES, v, p))?,
            from: n("from")?,
            to: n("to")?,
            frontier: n("frontier")?,
            reached: n("reached")?,
        },
        "handover_outcome" => B::HandoverOutcome {
            result: f.required("result", "a result", |v, p| named(&RESULTS, v, p))?,
            failure: f.optional("failure", |v, p| named(&FAILURES, v, p))?,
            from: n("from")?,
            to: n("to")?,
            new_term: maybe("new_term")?,
            new_leader: maybe("new_leader")?,
            frontier: n("frontier")?,
            reached: n("reached")?,
            skipped: n("skipped")?,
            waited: n("waited")?,
            forced: f.required("forced", "true or false", json::path::flag)?,
        },
        "membership_changed" => B::MembershipChanged {
            node: n("node")?,
            voters: ids("voters")?,
            learners: ids("learners")?,
            witnesses: ids("witnesses")?,
            joint: f.optional("joint", numbers)?,
        },
        "snapshot_taken" => B::SnapshotTaken { node: n("node")?, index: n("index")?, term: n("term")? },
        "snapshot_installed" => {
            B::SnapshotInstalled { node: n("node")?, index: n("index")?, term: n("term")? }
        }
        "cp_appended" => B::CpAppended { node: n("node")?, index: n("index")?, entry: entry()? },
        "cp_refused" => {
            B::CpRefused { node: n("node")?, leader: maybe("leader")?, entry: entry()?, reason: s("reason")? }
        }
        "violation" => B::Violation {
            property: f.required("property", "a property", |v, p| named(&Property::ALL, v, p))?,
            nodes: ids("nodes")?,
            detail: s("detail")?,
        },
        "command_skipped" => B::CommandSkipped { command: s("command")?, reason: s("reason")? },
        other => return Err(format!("{}: unknown kind {}", f.path("kind"), quote(other))),
    })
}

/// A message's contents, by its kind; traces written before version 2
/// have none.
fn read_contents(f: &Fields, msg: MessageKind) -> Result<MessageContents, String> {
    use MessageContents as C;
    let n = |key| f.required(key, UINT, number);
    let has = |key| f.present(key).is_some();
    Ok(match msg {
        MessageKind::Append if has("prev_index") => C::Append {
            prev_index: n("prev_index")?,
            prev_term: n("prev_term")?,
            entries: n("entries")?,
            commit: n("commit")?,
        },
        MessageKind::AppendReply => match f.optional("success", json::path::flag)? {
            Some(true) => C::AppendAccepted { success: true, match_index: n("match_index")? },
            Some(false) => C::AppendRejected {
                success: false,
                rejected: n("rejected")?,
                hint_index: n("hint_index")?,
                hint_term: f.optional("hint_term", number)?,
            },
            None => C::Plain,
        },
        MessageKind::Probe | MessageKind::Vote if has("last_index") => {
            C::Ask { last_index: n("last_index")?, last_term: n("last_term")? }
        }
        MessageKind::Snapshot if has("index") => {
            C::Snapshot { index: n("index")?, index_term: n("index_term")? }
        }
        _ => C::Plain,
    })
}

/// A vote or probe request's candidate log, when the trace states it.
fn last_entry(f: &Fields) -> Result<Option<LastEntry>, String> {
    if f.present("last_index").is_none() {
        return Ok(None);
    }
    let n = |key| f.required(key, UINT, number);
    Ok(Some(LastEntry { last_index: n("last_index")?, last_term: n("last_term")? }))
}

/// A commit's rule, when the trace states it: `rule` and, for
/// `current_term`, `carried`.
fn read_commit_rule(f: &Fields) -> Result<Option<CommitRule>, String> {
    let Some(rule) = f.optional("rule", text)? else { return Ok(None) };
    Ok(Some(match rule.as_str() {
        "current_term" => CommitRule::CurrentTerm { carried: f.required("carried", UINT, number)? },
        "earlier_term" => CommitRule::EarlierTerm,
        "leader" => CommitRule::Leader,
        other => return Err(format!("{}: unknown rule {}", f.path("rule"), quote(other))),
    }))
}

/// An appended entry's payload: `{"kind": ..., figures}`.
fn read_entry(v: &Json, path: &str) -> Result<EntryFacts, String> {
    let f = Fields::of(v, path)?;
    let ids = |key| f.required(key, "a list of node ids", numbers);
    let payload = match f.required("kind", "an entry kind", text)?.as_str() {
        "noop" => Payload::Noop,
        "write" if f.optional("elided", json::path::flag)? == Some(true) => Payload::Elided,
        "write" => Payload::Write(f.required("value", STRING, text)?.into_bytes().into()),
        "config" => Payload::Config(Box::new(Membership {
            voters: ids("voters")?.into_iter().collect(),
            outgoing: f.optional("joint", numbers)?.map(|o| o.into_iter().collect()),
            learners: ids("learners")?.into_iter().collect(),
            witnesses: ids("witnesses")?.into_iter().collect(),
        })),
        "cp" => Payload::ControlPlane(Box::new(f.required("entry", "a control-plane entry", cp_entry)?)),
        other => return Err(format!("{}: unknown kind {}", f.path("kind"), quote(other))),
    };
    Ok(EntryFacts(payload))
}

/// `leader_elected`'s `quorum`: `[{"config", "members", "granted",
/// "refused", "needed", "result"}]`, one per configuration.
fn config_tallies(v: &Json, path: &str) -> Result<Vec<ConfigTally>, String> {
    const CONFIGS: [ConfigName; 3] = [ConfigName::Current, ConfigName::Old, ConfigName::New];
    const RESULTS: [VoteResult; 3] = [VoteResult::Won, VoteResult::Lost, VoteResult::Pending];
    array(v, path, usize::MAX)?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let at = item_path(path, i);
            let f = Fields::of(item, &at)?;
            let ids = |key| f.required(key, "a list of node ids", numbers);
            Ok(ConfigTally {
                config: f.required("config", "a configuration", |v, p| named(&CONFIGS, v, p))?,
                members: ids("members")?,
                granted: ids("granted")?,
                refused: f.optional("refused", numbers)?.unwrap_or_default(),
                needed: f.required("needed", UINT, number)? as usize,
                result: f.required("result", "a vote result", |v, p| named(&RESULTS, v, p))?,
            })
        })
        .collect()
}

/// A vote or probe refusal: `{"code": ..., figures}`.
fn read_refusal(v: &Json, path: &str) -> Result<Refusal, String> {
    let f = Fields::of(v, path)?;
    let n = |key| f.required(key, UINT, number);
    Ok(match f.required("code", "a refusal code", text)?.as_str() {
        "watermark_not_covered" => {
            Refusal::WatermarkNotCovered { candidate_lsn: n("candidate_lsn")?, watermark: n("watermark")? }
        }
        "stale_term" => {
            Refusal::StaleTerm { candidate_term: n("candidate_term")?, voter_term: n("voter_term")? }
        }
        "log_behind" => Refusal::LogBehind {
            candidate_last_term: n("candidate_last_term")?,
            candidate_last_index: n("candidate_last_index")?,
            voter_last_term: n("voter_last_term")?,
            voter_last_index: n("voter_last_index")?,
        },
        "already_voted" => Refusal::AlreadyVoted { term: n("term")?, voted_for: n("voted_for")? },
        "leader_active" => Refusal::LeaderActive { leader: n("leader")? },
        "not_voter" => Refusal::NotVoter,
        other => return Err(format!("{}: unknown code {}", f.path("code"), quote(other))),
    })
}

/// Why a write was rejected: `{"code": ..., figures}`.
fn read_write_refusal(v: &Json, path: &str) -> Result<WriteRefusal, String> {
    let f = Fields::of(v, path)?;
    Ok(match f.required("code", "a refusal code", text)?.as_str() {
        "not_leader" => WriteRefusal::NotLeader { leader: f.optional("leader", number)? },
        "handover_in_progress" => WriteRefusal::HandoverInProgress { to: f.required("to", UINT, number)? },
        "crashed" => WriteRefusal::Crashed,
        other => return Err(format!("{}: unknown code {}", f.path("code"), quote(other))),
    })
}
