//! [`FromJson`] for trace lines (SCENARIO.md, "Trace"; their `Serialize`
//! is in `trace.rs`): each line's fields are checked by name, extra fields
//! ignored, and an error names the line and the field (`line 3: term:
//! missing; expected ...`).

use crate::check::Property;
use crate::core::{
    ConfigTally, CpEntry, HandoverFailure, HandoverResult, Membership, MessageKind, Payload, Phase,
    ProgressMode, Refusal, RoleCause,
};
use crate::json::core_types::{commit_rule, message_contents, number, numbers, UINT};
use crate::json::from_json::by_name;
use crate::json::path::{array, item_path, quote, text, Fields};
use crate::json::{self, FromJson, Json};

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
        let event = json::parse(line)
            .and_then(|v| TraceEvent::from_json(&v, "event"))
            .map_err(|e| format!("line {}: {e}", i + 1))?;
        events.push(event);
    }
    Ok(events)
}

const STRING: &str = "a string";

fn groups(v: &Json, path: &str) -> Result<Vec<Vec<u64>>, String> {
    let items = array(v, path, usize::MAX)?;
    items.iter().enumerate().map(|(i, item)| numbers(item, &item_path(path, i))).collect()
}

impl FromJson for TraceRole {
    fn from_json(v: &Json, path: &str) -> Result<TraceRole, String> {
        const ALL: [TraceRole; 6] = [
            TraceRole::Follower,
            TraceRole::Candidate,
            TraceRole::Leader,
            TraceRole::Learner,
            TraceRole::Witness,
            TraceRole::Crashed,
        ];
        by_name(&ALL, "role", v, path)
    }
}

impl FromJson for Property {
    fn from_json(v: &Json, path: &str) -> Result<Property, String> {
        by_name(&Property::ALL, "property", v, path)
    }
}

/// One line: `step`, `tick`, the body's fields (flattened) and `text`.
impl FromJson for TraceEvent {
    fn from_json(v: &Json, path: &str) -> Result<TraceEvent, String> {
        let f = Fields::of(v, path)?;
        Ok(TraceEvent {
            step: f.required("step", UINT, number)?,
            tick: f.required("tick", UINT, number)?,
            body: read_body(&f)?,
            text: f.required("text", STRING, text)?.into(),
        })
    }
}

/// The body of the line `f` (flattened into it), by its `kind`.
fn read_body(f: &Fields) -> Result<TraceBody, String> {
    use TraceBody as B;
    let kind = f.required("kind", "a kind of event", text)?;
    let n = |key| f.required(key, UINT, number);
    let maybe = |key| f.optional(key, number);
    let s = |key| f.required(key, STRING, text);
    let msg = || f.required("msg", "a kind of message", MessageKind::from_json);
    let reason = || f.required("reason", "a refusal", Refusal::from_json);
    let entry = || f.required("entry", "a control-plane entry", CpEntry::from_json);
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
            contents: message_contents(f, msg()?)?,
        },
        "message_delivered" => B::MessageDelivered {
            from: n("from")?,
            to: n("to")?,
            msg: msg()?,
            term: n("term")?,
            seq: n("seq")?,
            contents: message_contents(f, msg()?)?,
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
            role: f.required("role", "a role", TraceRole::from_json)?,
            term: n("term")?,
            cause: f.optional("cause", RoleCause::from_json)?,
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
            entry: f.optional("entry", EntryFacts::from_json)?,
        },
        "commit_advanced" => {
            B::CommitAdvanced { node: n("node")?, index: n("index")?, rule: commit_rule(f)? }
        }
        "progress_changed" => B::ProgressChanged {
            leader: n("leader")?,
            follower: n("follower")?,
            state: f.required("state", "a replication state", ProgressMode::from_json)?,
            match_index: n("match")?,
            next_index: n("next")?,
        },
        "applied" => B::Applied { node: n("node")?, index: n("index")? },
        "write_acked" => B::WriteAcked { index: n("index")?, value: s("value")?, node: n("node")? },
        "write_rejected" => B::WriteRejected {
            reason: f.required("reason", "a refusal", WriteRefusal::from_json)?,
            value: s("value")?,
            node: n("node")?,
        },
        "crash" => B::Crash { node: n("node")? },
        "restart" => B::Restart { node: n("node")? },
        "partition" => B::Partition { groups: groups()? },
        "heal" => B::Heal { groups: groups()? },
        "handover_phase" => B::HandoverPhase {
            phase: f.required("phase", "a phase", Phase::from_json)?,
            from: n("from")?,
            to: n("to")?,
            frontier: n("frontier")?,
            reached: n("reached")?,
        },
        "handover_outcome" => B::HandoverOutcome {
            result: f.required("result", "a result", HandoverResult::from_json)?,
            failure: f.optional("failure", HandoverFailure::from_json)?,
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
            property: f.required("property", "a property", Property::from_json)?,
            nodes: ids("nodes")?,
            detail: s("detail")?,
        },
        "command_skipped" => B::CommandSkipped { command: s("command")?, reason: s("reason")? },
        other => return Err(format!("{}: unknown kind {}", f.path("kind"), quote(other))),
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

/// An appended entry's payload: `{"kind": ..., figures}`.
impl FromJson for EntryFacts {
    fn from_json(v: &Json, path: &str) -> Result<EntryFacts, String> {
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
            "cp" => Payload::ControlPlane(Box::new(f.required(
                "entry",
                "a control-plane entry",
                CpEntry::from_json,
            )?)),
            other => return Err(format!("{}: unknown kind {}", f.path("kind"), quote(other))),
        };
        Ok(EntryFacts(payload))
    }
}

/// `leader_elected`'s `quorum`: one [`ConfigTally`] per configuration.
fn config_tallies(v: &Json, path: &str) -> Result<Vec<ConfigTally>, String> {
    let items = array(v, path, usize::MAX)?;
    items.iter().enumerate().map(|(i, item)| ConfigTally::from_json(item, &item_path(path, i))).collect()
}

/// Why a write was rejected: `{"code": ..., figures}`.
impl FromJson for WriteRefusal {
    fn from_json(v: &Json, path: &str) -> Result<WriteRefusal, String> {
        let f = Fields::of(v, path)?;
        Ok(match f.required("code", "a refusal code", text)?.as_str() {
            "not_leader" => WriteRefusal::NotLeader { leader: f.optional("leader", number)? },
            "handover_in_progress" => {
                WriteRefusal::HandoverInProgress { to: f.required("to", UINT, number)? }
            }
            "crashed" => WriteRefusal::Crashed,
            other => return Err(format!("{}: unknown code {}", f.path("code"), quote(other))),
        })
    }
}
