//! Commands from JSON, as SCENARIO.md spells script steps (`{"do": "crash",
//! "node": 2}`): for scenario files and for the page's commands alike. Every
//! field is checked for its type and range, in a fixed order, and an error
//! names its path; extra fields are ignored.

use crate::core::{CpEntry, MemberKind, MessageKind, NodeId, VotingState};
use crate::json::path::{
    alternatives, array, expected, field_path, flag, int, item_path, one_of, quote, text, uint, Fields, Int,
};
use crate::json::Json;

use super::command::{MessageAction, MESSAGE_ACTIONS};
use super::{Command, FailoverMode, Target, MAX_NODES};

/// The largest tick count anywhere in a scenario or command.
pub const MAX_TICKS: u64 = 1_000_000;
/// Node ids are small positive integers (the simulator's own limit).
pub const MAX_NODE_ID: u64 = 1000;
/// Largest network delay (the simulator's own limit).
const MAX_DELAY_TICKS: u64 = 10_000;

/// A tick, such as `at`.
pub const TICK: Int = Int { what: "a tick (a non-negative integer)", min: 0, max: MAX_TICKS, unit: " ticks" };
/// A network delay.
pub const DELAY: Int =
    Int { what: "a number of ticks (a non-negative integer)", min: 0, max: MAX_DELAY_TICKS, unit: " ticks" };
/// Any 64-bit count (seeds, epochs, terms).
pub const U64: Int =
    Int { what: "a non-negative integer (at most 64 bits)", min: 0, max: u64::MAX, unit: "" };

/// The command names, as a script step's `do` spells them.
pub const COMMAND_NAMES: [&str; 16] = [
    "write",
    "crash",
    "restart",
    "partition",
    "cut",
    "heal",
    "timeout_now",
    "transfer",
    "failover",
    "add_server",
    "remove_server",
    "change_voters",
    "cp_append",
    "snapshot",
    "set_network",
    "messages",
];

/// A kind of message, by its trace name (`append_reply`).
fn message_kind(v: &Json, path: &str) -> Result<MessageKind, String> {
    let names = MessageKind::ALL.map(MessageKind::name);
    Ok(MessageKind::ALL[one_of(v, path, "kind of message", &names)?])
}

/// A count of messages.
const COUNT: Int =
    Int { what: "a count of messages (a non-negative integer)", min: 0, max: MAX_TICKS, unit: "" };

/// Which one of the matching messages (`nth`).
const NTH: Int =
    Int { what: "a position among the matching messages (from 0)", min: 0, max: MAX_TICKS, unit: "" };

const COMMAND_NAME: &str = "a command name such as \"write\"";
const TARGET: &str = "a node id or \"leader\"";
const MODES: [&str; 2] = ["coordinated", "force"];
const KINDS: [&str; 2] = ["data", "witness"];
const STATES: [&str; 2] = ["voting", "catching_up"];

/// The command the object at `path` describes (its `do` and fields).
pub fn read_command(v: &Json, path: &str) -> Result<Command, String> {
    let f = Fields::of(v, path)?;
    let name = f.required("do", COMMAND_NAME, |v, path| match v {
        Json::String(name) => Ok(name.as_str()),
        other => Err(expected(path, COMMAND_NAME, other)),
    })?;
    // "a node id for crash": what a missing field should have held.
    let needs = |what: &str| format!("{what} for {name}");
    let bool_field = |key| f.optional(key, flag).map(Option::unwrap_or_default);
    Ok(match name {
        "write" => Command::Write {
            value: f.required("value", &needs("a string"), text)?,
            node: f.optional("node", target)?,
        },
        "crash" => Command::Crash {
            node: f.required("node", &needs(TARGET), target)?,
            after_persist: bool_field("after_persist")?,
        },
        "restart" => Command::Restart { node: f.required("node", &needs(TARGET), target)? },
        "partition" => Command::Partition {
            groups: f.required("groups", &needs("a list of groups of node ids"), groups)?,
        },
        "cut" => Command::Cut {
            from: f.required("from", &needs(TARGET), target)?,
            to: f.required("to", &needs(TARGET), target)?,
            one_way: bool_field("one_way")?,
        },
        "heal" => Command::Heal {},
        "timeout_now" => Command::TimeoutNow { node: f.required("node", &needs(TARGET), target)? },
        "transfer" => Command::Transfer { to: f.required("to", &needs(TARGET), target)? },
        "failover" => Command::Failover {
            to: f.required("to", &needs(TARGET), target)?,
            mode: f.required("mode", &needs("\"coordinated\" or \"force\""), |v, path| {
                Ok([FailoverMode::Coordinated, FailoverMode::Force][one_of(v, path, "mode", &MODES)?])
            })?,
            deadline_ticks: f.optional("deadline_ticks", |v, path| int(v, path, &TICK))?,
        },
        "add_server" => Command::AddServer {
            node: f.required("node", &needs("a node id"), node_id)?,
            kind: f.optional("kind", member_kind)?,
            state: f.optional("state", voting_state)?,
        },
        "remove_server" => Command::RemoveServer { node: f.required("node", &needs(TARGET), target)? },
        "change_voters" => Command::ChangeVoters {
            voters: f
                .required("voters", &needs("a list of node ids"), |v, path| node_ids(v, path, "voter"))?,
        },
        "cp_append" => Command::CpAppend {
            entry: f.required("entry", &needs("a control-plane entry"), cp_entry)?,
            node: f.optional("node", target)?,
        },
        "snapshot" => Command::Snapshot { node: f.required("node", &needs(TARGET), target)? },
        "set_network" => {
            let from = f.optional("from", target)?;
            let to = f.optional("to", target)?;
            let one_way = bool_field("one_way")?;
            let (delay_ticks, drop, duplicate) = network(&f)?;
            Command::SetNetwork { from, to, one_way, delay_ticks, drop, duplicate }
        }
        "messages" => Command::Messages {
            action: f.required("action", &needs(&alternatives(&MESSAGE_ACTIONS)), |v, path| {
                Ok(MessageAction::ALL[one_of(v, path, "action", &MESSAGE_ACTIONS)?])
            })?,
            from: f.optional("from", target)?,
            to: f.optional("to", target)?,
            msg: f.optional("msg", message_kind)?,
            count: f.optional("count", |v, path| int(v, path, &COUNT))?,
            nth: f.optional("nth", |v, path| int(v, path, &NTH))?,
        },
        other => {
            let path = f.path("do");
            return Err(format!(
                "{path}: unknown command {} (known: {})",
                quote(other),
                COMMAND_NAMES.join(", ")
            ));
        }
    })
}

/// The network fields of `cluster.network` and of `set_network`, each
/// optional: `delay_ticks`, `drop`, `duplicate`.
#[allow(clippy::type_complexity)]
pub fn network(f: &Fields) -> Result<(Option<[u64; 2]>, Option<f64>, Option<f64>), String> {
    Ok((
        f.optional("delay_ticks", |v, path| tick_range(v, path, &DELAY))?,
        f.optional("drop", |v, path| probability(v, path, true))?,
        f.optional("duplicate", |v, path| probability(v, path, false))?,
    ))
}

/// A node id: 1 to `MAX_NODE_ID`.
pub fn node_id(v: &Json, path: &str) -> Result<NodeId, String> {
    let id = uint(v, path, "a node id (a positive integer)")?;
    match id {
        0 => Err(format!("{path}: node ids start at 1")),
        id if id > MAX_NODE_ID => {
            Err(format!("{path}: node id {id} is not a small integer (at most {MAX_NODE_ID})"))
        }
        id => Ok(id),
    }
}

/// A node id, or `"leader"`.
fn target(v: &Json, path: &str) -> Result<Target, String> {
    match v {
        Json::String(s) if s == "leader" => Ok(Target::Leader),
        Json::Number(_) => node_id(v, path).map(Target::Node),
        other => Err(expected(path, "a node id (a positive integer) or \"leader\"", other)),
    }
}

/// `data` or `witness`.
pub fn member_kind(v: &Json, path: &str) -> Result<MemberKind, String> {
    Ok([MemberKind::Data, MemberKind::Witness][one_of(v, path, "kind", &KINDS)?])
}

/// `voting` or `catching_up`.
pub fn voting_state(v: &Json, path: &str) -> Result<VotingState, String> {
    Ok([VotingState::Voting, VotingState::CatchingUp][one_of(v, path, "state", &STATES)?])
}

/// A probability; `below_one` when 1 itself makes no sense. The error
/// quotes the number as written.
fn probability(v: &Json, path: &str, below_one: bool) -> Result<f64, String> {
    let (p, written) = match v {
        Json::Number(n) => (n.as_f64(), n.as_str()),
        _ => (None, ""),
    };
    match p {
        None => Err(expected(path, "a probability (a number from 0 to 1)", v)),
        Some(p) if !(0.0..=1.0).contains(&p) => {
            Err(format!("{path}: {written} is not a probability between 0 and 1"))
        }
        Some(p) if below_one && p >= 1.0 => {
            Err(format!("{path}: 1.0 would lose every message; use a partition instead"))
        }
        Some(p) => Ok(p),
    }
}

/// `[minimum, maximum]`, each of `spec`, minimum first.
pub fn tick_range(v: &Json, path: &str, spec: &Int) -> Result<[u64; 2], String> {
    let items = match v {
        Json::Array(items) if items.len() == 2 => items,
        other => {
            let what = format!("[minimum, maximum], two of {}", spec.what);
            return Err(expected(path, &what, other));
        }
    };
    let low = int(&items[0], &item_path(path, 0), spec)?;
    let high = int(&items[1], &item_path(path, 1), spec)?;
    if low > high {
        return Err(format!("{path}: minimum {low} exceeds maximum {high}"));
    }
    Ok([low, high])
}

/// A list of node ids, 1 to `MAX_NODES` of them.
fn node_ids(v: &Json, path: &str, noun: &str) -> Result<Vec<NodeId>, String> {
    let items = array(v, path, MAX_NODES)?;
    if items.is_empty() {
        return Err(format!("{path}: expected at least one {noun}"));
    }
    items.iter().enumerate().map(|(i, item)| node_id(item, &item_path(path, i))).collect()
}

fn groups(v: &Json, path: &str) -> Result<Vec<Vec<NodeId>>, String> {
    let groups = array(v, path, MAX_NODES)?;
    let group = |(g, group): (usize, &Json)| {
        let group_path = item_path(path, g);
        let items = array(group, &group_path, MAX_NODES)?;
        items.iter().enumerate().map(|(i, item)| node_id(item, &item_path(&group_path, i))).collect()
    };
    groups.iter().enumerate().map(group).collect()
}

const ENTRY_FORMS: &str =
    "{\"admit\": id}, {\"remove\": id}, {\"ownership\": {\"range\", \"owner\", \"epoch\"}} \
     or {\"leader_config\": {\"term\", \"leader\"}}";

/// A control-plane entry: exactly one of the four forms. (Its single key is
/// the entry's kind, not room for extra fields; inside `ownership` and
/// `leader_config` extra fields are ignored as anywhere else.)
pub fn cp_entry(v: &Json, path: &str) -> Result<CpEntry, String> {
    let map = match v {
        Json::Object(map) if map.len() == 1 => map,
        Json::Object(map) => {
            let keys: Vec<String> = map.iter().take(4).map(|(k, _)| quote(k)).collect();
            let keys = keys.join(", ");
            return Err(format!(
                "{path}: has {} keys ({keys}); expected exactly one of {ENTRY_FORMS}",
                map.len()
            ));
        }
        other => return Err(expected(path, &format!("one of {ENTRY_FORMS}"), other)),
    };
    let Some((kind, body)) = map.iter().next() else {
        return Err(format!("{path}: expected one of {ENTRY_FORMS}"));
    };
    let body_path = field_path(path, kind);
    let u64_field = |v: &Json, path: &str| int(v, path, &U64);
    match kind {
        "admit" => node_id(body, &body_path).map(CpEntry::Admit),
        "remove" => node_id(body, &body_path).map(CpEntry::Remove),
        "ownership" => {
            let f = Fields::of(body, &body_path)?;
            Ok(CpEntry::Ownership {
                range: f.required("range", "a string", text)?,
                owner: f.required("owner", "a node id", node_id)?,
                epoch: f.required("epoch", U64.what, u64_field)?,
            })
        }
        "leader_config" => {
            let f = Fields::of(body, &body_path)?;
            Ok(CpEntry::LeaderConfig {
                term: f.required("term", U64.what, u64_field)?,
                leader: f.required("leader", "a node id", node_id)?,
            })
        }
        other => Err(format!("{path}: unknown entry {}, expected one of {ENTRY_FORMS}", quote(other))),
    }
}
