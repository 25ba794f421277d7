//! [`FromJson`] for commands (their `Serialize` is in `command.rs`), as
//! SCENARIO.md spells script steps (`{"do": "crash", "node": 2}`): for
//! scenario files and for the page's commands alike. Every field is checked
//! for its type and range, in a fixed order, and an error names its path;
//! extra fields are ignored. Also the value readers scenario files share
//! with commands (ticks, ranges, probabilities, node lists).

use crate::core::{CpEntry, MemberKind, MessageKind, NodeId, VotingState};
use crate::json::from_json::{by_name, name_of};
use crate::json::path::{array, expected, flag, int, item_path, quote, text, Fields, Int};
use crate::json::{FromJson, Json};

use super::command::{MessageAction, ScriptStep};
use super::{Command, FailoverMode, Target, MAX_NODES};

pub use crate::json::core_types::{node_id, U64};

/// The largest tick count anywhere in a scenario or command.
pub const MAX_TICKS: u64 = 1_000_000;
/// Largest network delay (the simulator's own limit).
const MAX_DELAY_TICKS: u64 = 10_000;

/// A tick, such as `at`.
pub const TICK: Int = Int { what: "a tick (a non-negative integer)", min: 0, max: MAX_TICKS, unit: " ticks" };
/// A network delay.
pub const DELAY: Int =
    Int { what: "a number of ticks (a non-negative integer)", min: 0, max: MAX_DELAY_TICKS, unit: " ticks" };

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

/// A count of messages.
const COUNT: Int =
    Int { what: "a count of messages (a non-negative integer)", min: 0, max: MAX_TICKS, unit: "" };

/// Which one of the matching messages (`nth`).
const NTH: Int =
    Int { what: "a position among the matching messages (from 0)", min: 0, max: MAX_TICKS, unit: "" };

const COMMAND_NAME: &str = "a command name such as \"write\"";
const TARGET: &str = "a node id or \"leader\"";

impl FromJson for FailoverMode {
    fn from_json(v: &Json, path: &str) -> Result<FailoverMode, String> {
        by_name(&[FailoverMode::Coordinated, FailoverMode::Force], "mode", v, path)
    }
}

impl FromJson for MessageAction {
    fn from_json(v: &Json, path: &str) -> Result<MessageAction, String> {
        by_name(&MessageAction::ALL, "action", v, path)
    }
}

/// A script step: `at` and the command's fields, in one object.
impl FromJson for ScriptStep {
    fn from_json(v: &Json, path: &str) -> Result<ScriptStep, String> {
        let f = Fields::of(v, path)?;
        let at = f.required("at", TICK.what, |v, path| int(v, path, &TICK))?;
        Ok(ScriptStep { at, command: Command::from_json(v, path)? })
    }
}

/// The command the object at `path` describes (its `do` and fields).
impl FromJson for Command {
    fn from_json(v: &Json, path: &str) -> Result<Command, String> {
        read_command(v, path)
    }
}

fn read_command(v: &Json, path: &str) -> Result<Command, String> {
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
            mode: f.required("mode", &needs("\"coordinated\" or \"force\""), FailoverMode::from_json)?,
            deadline_ticks: f.optional("deadline_ticks", |v, path| int(v, path, &TICK))?,
        },
        "add_server" => Command::AddServer {
            node: f.required("node", &needs("a node id"), node_id)?,
            kind: f.optional("kind", MemberKind::from_json)?,
            state: f.optional("state", VotingState::from_json)?,
        },
        "remove_server" => Command::RemoveServer { node: f.required("node", &needs(TARGET), target)? },
        "change_voters" => Command::ChangeVoters {
            voters: f
                .required("voters", &needs("a list of node ids"), |v, path| node_ids(v, path, "voter"))?,
        },
        "cp_append" => Command::CpAppend {
            entry: f.required("entry", &needs("a control-plane entry"), CpEntry::from_json)?,
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
            action: f.required("action", &needs(&action_names()), MessageAction::from_json)?,
            from: f.optional("from", target)?,
            to: f.optional("to", target)?,
            msg: f.optional("msg", MessageKind::from_json)?,
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

/// A node id, or `"leader"` (as `Target`'s `Serialize` writes them).
impl FromJson for Target {
    fn from_json(v: &Json, path: &str) -> Result<Target, String> {
        match v {
            Json::String(s) if s == "leader" => Ok(Target::Leader),
            Json::Number(_) => node_id(v, path).map(Target::Node),
            other => Err(expected(path, "a node id (a positive integer) or \"leader\"", other)),
        }
    }
}

fn target(v: &Json, path: &str) -> Result<Target, String> {
    Target::from_json(v, path)
}

/// `"drop", "duplicate", ... or "deliver"`.
fn action_names() -> String {
    let names = MessageAction::ALL.map(|a| name_of(&a));
    crate::json::path::alternatives(&names.each_ref().map(String::as_str))
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
