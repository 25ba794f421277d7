//! Parsing scenario files (SCENARIO.md): every error names a field path and
//! the reason, nothing panics, and nothing partial runs.
//!
//! Three passes, each on a whole file before the next begins:
//!
//! 1. JSON syntax. serde_json reports the line and column, and its recursion
//!    limit turns absurd nesting into an error instead of a stack overflow.
//! 2. Shape (this file). Every known field is checked for its type and its
//!    range, in file order, with its path. Extra fields are ignored (the
//!    contract allows them everywhere) except inside `switches`: a misspelt
//!    switch would silently leave a safety mechanism on. `null` reads as
//!    "absent" for an optional field; a required field or a switch cannot be
//!    `null`.
//! 3. Rules that span fields (`validate.rs`), on the typed scenario that serde
//!    now builds without fail: timing, membership, and every node a script
//!    step names, in the order the simulator runs the steps.
//!
//! Paths: object fields by name joined with `.`, array items as `[i]` counted
//! from 0 in file order (`script[3].node`, `cluster.members[2].kind`,
//! `script[1].entry.ownership.epoch`). A problem with the file as a whole
//! (empty, not JSON, not an object) is reported as `scenario: ...`.
//!
//! Limits, so that a shared file cannot make the simulator slow or overflow:
//! node ids 1 to 1000, 1 to 15 nodes including those a script adds, at most
//! 10,000 script steps and 1,000 pauses, every tick count (`run_until`, `at`,
//! timers, deadlines, `snapshot_threshold`) at most 1,000,000, network delays
//! at most 10,000 ticks, `max_batch` at most 100,000, and the file itself at
//! most 4 MiB. A step whose `at` lies beyond `run_until` is accepted: it
//! simply does not run unless the run is extended (`--until`).

use serde_json::{Map, Value};

use super::validate;
use super::Scenario;
use crate::core::Switches;
use crate::sim::MAX_NODES;

/// The largest file accepted, in bytes.
const MAX_TEXT_BYTES: usize = 4 << 20;
/// The largest tick count anywhere in a scenario.
const MAX_TICKS: u64 = 1_000_000;
/// Most script steps.
const MAX_SCRIPT_STEPS: usize = 10_000;
/// Most pauses.
const MAX_PAUSES: usize = 1_000;
/// Node ids are small positive integers (the simulator's own limit).
const MAX_NODE_ID: u64 = 1000;
/// Largest network delay (the simulator's own limit).
const MAX_DELAY_TICKS: u64 = 10_000;
/// Largest `max_batch`.
const MAX_BATCH: u64 = 100_000;
/// Longest string quoted back in an error message, in characters.
const QUOTE_CHARS: usize = 40;

/// Parses and validates a scenario file. The error names the field path
/// and the reason, such as `script[3].node: node 9 is not a member`.
pub fn parse(text: &str) -> Result<Scenario, String> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(format!("scenario: the file is {} bytes; the limit is {MAX_TEXT_BYTES}", text.len()));
    }
    if text.trim().is_empty() {
        return Err("scenario: the file is empty; expected a JSON object".into());
    }
    let mut root: Value = serde_json::from_str(text).map_err(|e| format!("scenario: invalid JSON: {e}"))?;
    check_root(&mut root)?;
    // The shape pass has checked every field serde reads, so this cannot
    // fail; should the types grow a field it does not know, the message
    // still says what went wrong.
    let scenario: Scenario = serde_json::from_value(root).map_err(|e| format!("scenario: {e}"))?;
    validate::check(&scenario)?;
    Ok(scenario)
}

// ---- Paths and messages ---------------------------------------------------

fn field_path(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key.len() <= QUOTE_CHARS
        && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    let key = if plain { key.to_string() } else { format!("[{}]", quote(key)) };
    match (path.is_empty(), plain) {
        (true, _) => key,
        (false, true) => format!("{path}.{key}"),
        (false, false) => format!("{path}{key}"),
    }
}

fn item_path(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// A string as an error message quotes it: escaped, and cut short.
fn quote(s: &str) -> String {
    let mut cut: String = s.chars().take(QUOTE_CHARS).collect();
    if cut.len() < s.len() {
        cut.push('…');
    }
    format!("{cut:?}")
}

/// What a value is, for "expected X, got Y".
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote(s),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn expected(path: &str, what: &str, got: &Value) -> String {
    format!("{path}: expected {what}, got {}", describe(got))
}

/// `"a", "b" or "c"`.
fn alternatives(options: &[&str]) -> String {
    let quoted: Vec<String> = options.iter().map(|o| format!("{o:?}")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

// ---- Field access -----------------------------------------------------------

fn object<'v>(v: &'v mut Value, path: &str) -> Result<&'v mut Map<String, Value>, String> {
    match v {
        Value::Object(map) => Ok(map),
        other => Err(expected(path, "an object", other)),
    }
}

fn array<'v>(v: &'v mut Value, path: &str, max_len: usize) -> Result<&'v mut Vec<Value>, String> {
    match v {
        Value::Array(items) if items.len() > max_len => {
            Err(format!("{path}: {} items; the limit is {max_len}", items.len()))
        }
        Value::Array(items) => Ok(items),
        other => Err(expected(path, "an array", other)),
    }
}

/// An optional field: absent and `null` are both `None` (and the `null` is
/// dropped, so that serde sees the field as absent and applies its default).
fn optional<'m>(map: &'m mut Map<String, Value>, key: &str) -> Option<&'m mut Value> {
    if map.get(key).is_some_and(Value::is_null) {
        map.remove(key);
    }
    map.get_mut(key)
}

fn required<'m>(
    map: &'m mut Map<String, Value>,
    path: &str,
    key: &str,
    what: &str,
) -> Result<&'m mut Value, String> {
    map.get_mut(key).ok_or_else(|| format!("{}: missing; expected {what}", field_path(path, key)))
}

// ---- Values -----------------------------------------------------------------

/// An integer field's meaning and range.
struct Int {
    what: &'static str,
    min: u64,
    max: u64,
    unit: &'static str,
}

const TICK: Int = Int { what: "a tick (a non-negative integer)", min: 0, max: MAX_TICKS, unit: " ticks" };
const TIMER: Int =
    Int { what: "a number of ticks (a positive integer)", min: 1, max: MAX_TICKS, unit: " ticks" };
const DELAY: Int =
    Int { what: "a number of ticks (a non-negative integer)", min: 0, max: MAX_DELAY_TICKS, unit: " ticks" };
const COUNT: Int = Int { what: "a non-negative integer", min: 0, max: MAX_TICKS, unit: "" };
const BATCH: Int = Int { what: "a positive integer", min: 1, max: MAX_BATCH, unit: " entries" };
const U64: Int = Int { what: "a non-negative integer (at most 64 bits)", min: 0, max: u64::MAX, unit: "" };

fn int(v: &Value, path: &str, spec: &Int) -> Result<u64, String> {
    let n = v.as_u64().ok_or_else(|| expected(path, spec.what, v))?;
    if n < spec.min {
        return Err(format!("{path}: {n} is below the minimum of {}{}", spec.min, spec.unit));
    }
    if n > spec.max {
        return Err(format!("{path}: {n} is above the limit of {}{}", spec.max, spec.unit));
    }
    Ok(n)
}

fn node_id(v: &Value, path: &str) -> Result<u64, String> {
    match v.as_u64() {
        Some(0) => Err(format!("{path}: node ids start at 1")),
        Some(id) if id > MAX_NODE_ID => {
            Err(format!("{path}: node id {id} is not a small integer (at most {MAX_NODE_ID})"))
        }
        Some(id) => Ok(id),
        None => Err(expected(path, "a node id (a positive integer)", v)),
    }
}

/// A node id, or `"leader"`.
fn target(v: &Value, path: &str) -> Result<(), String> {
    match v {
        Value::String(s) if s == "leader" => Ok(()),
        Value::Number(_) => node_id(v, path).map(drop),
        other => Err(expected(path, "a node id (a positive integer) or \"leader\"", other)),
    }
}

fn text(v: &Value, path: &str) -> Result<(), String> {
    if v.is_string() {
        Ok(())
    } else {
        Err(expected(path, "a string", v))
    }
}

fn flag(v: &Value, path: &str) -> Result<(), String> {
    if v.is_boolean() {
        Ok(())
    } else {
        Err(expected(path, "true or false", v))
    }
}

fn one_of(v: &Value, path: &str, noun: &str, options: &[&str]) -> Result<(), String> {
    match v {
        Value::String(s) if options.contains(&s.as_str()) => Ok(()),
        Value::String(s) => {
            Err(format!("{path}: unknown {noun} {}, expected {}", quote(s), alternatives(options)))
        }
        other => Err(expected(path, &alternatives(options), other)),
    }
}

/// A probability; `below_one` when 1 itself makes no sense.
fn probability(v: &Value, path: &str, below_one: bool) -> Result<(), String> {
    match v.as_f64() {
        None => Err(expected(path, "a probability (a number from 0 to 1)", v)),
        Some(p) if !(0.0..=1.0).contains(&p) => {
            Err(format!("{path}: {p} is not a probability between 0 and 1"))
        }
        Some(p) if below_one && p >= 1.0 => {
            Err(format!("{path}: 1.0 would lose every message; use a partition instead"))
        }
        Some(_) => Ok(()),
    }
}

/// `[minimum, maximum]`, each of `spec`, minimum first.
fn tick_range(v: &mut Value, path: &str, spec: &Int) -> Result<(), String> {
    let what = format!("[minimum, maximum], two of {}", spec.what);
    let items = match v {
        Value::Array(items) if items.len() == 2 => items,
        other => return Err(expected(path, &what, other)),
    };
    let low = int(&items[0], &item_path(path, 0), spec)?;
    let high = int(&items[1], &item_path(path, 1), spec)?;
    if low > high {
        return Err(format!("{path}: minimum {low} exceeds maximum {high}"));
    }
    Ok(())
}

/// A list of node ids, 1 to `MAX_NODES` of them.
fn node_ids(v: &mut Value, path: &str, noun: &str) -> Result<(), String> {
    let items = array(v, path, MAX_NODES)?;
    if items.is_empty() {
        return Err(format!("{path}: expected at least one {noun}"));
    }
    for (i, item) in items.iter().enumerate() {
        node_id(item, &item_path(path, i))?;
    }
    Ok(())
}

fn groups(v: &mut Value, path: &str) -> Result<(), String> {
    for (g, group) in array(v, path, MAX_NODES)?.iter_mut().enumerate() {
        let group_path = item_path(path, g);
        for (i, item) in array(group, &group_path, MAX_NODES)?.iter().enumerate() {
            node_id(item, &item_path(&group_path, i))?;
        }
    }
    Ok(())
}

// ---- Sections ---------------------------------------------------------------

fn check_root(root: &mut Value) -> Result<(), String> {
    let map = object(root, "scenario")?;
    for key in ["title", "explain"] {
        if let Some(v) = optional(map, key) {
            text(v, key)?;
        }
    }
    if let Some(v) = optional(map, "seed") {
        int(v, "seed", &U64)?;
    }
    check_cluster(required(map, "", "cluster", "an object with members")?)?;
    if let Some(v) = optional(map, "switches") {
        check_switches(v)?;
    }
    if let Some(v) = optional(map, "script") {
        for (i, step) in array(v, "script", MAX_SCRIPT_STEPS)?.iter_mut().enumerate() {
            check_step(step, &item_path("script", i))?;
        }
    }
    if let Some(v) = optional(map, "run_until") {
        int(v, "run_until", &TICK)?;
    }
    if let Some(v) = optional(map, "pauses") {
        for (i, pause) in array(v, "pauses", MAX_PAUSES)?.iter_mut().enumerate() {
            check_pause(pause, &item_path("pauses", i))?;
        }
    }
    Ok(())
}

fn check_cluster(v: &mut Value) -> Result<(), String> {
    let path = "cluster";
    let map = object(v, path)?;
    let members = required(map, path, "members", "an array of members such as {\"id\": 1}")?;
    let items = array(members, "cluster.members", usize::MAX)?;
    if items.is_empty() || items.len() > MAX_NODES {
        let n = items.len();
        return Err(format!("cluster.members: {n} members; the simulator runs 1 to {MAX_NODES}"));
    }
    for (i, member) in items.iter_mut().enumerate() {
        check_member(member, &item_path("cluster.members", i))?;
    }
    if let Some(v) = optional(map, "election_ticks") {
        tick_range(v, "cluster.election_ticks", &TIMER)?;
    }
    if let Some(v) = optional(map, "heartbeat_ticks") {
        int(v, "cluster.heartbeat_ticks", &TIMER)?;
    }
    if let Some(v) = optional(map, "max_batch") {
        int(v, "cluster.max_batch", &BATCH)?;
    }
    if let Some(v) = optional(map, "snapshot_threshold") {
        int(v, "cluster.snapshot_threshold", &COUNT)?;
    }
    if let Some(v) = optional(map, "network") {
        check_network(object(v, "cluster.network")?, "cluster.network")?;
    }
    Ok(())
}

fn check_member(v: &mut Value, path: &str) -> Result<(), String> {
    let map = object(v, path)?;
    node_id(required(map, path, "id", "a node id (a positive integer)")?, &field_path(path, "id"))?;
    if let Some(v) = optional(map, "kind") {
        one_of(v, &field_path(path, "kind"), "kind", &["data", "witness"])?;
    }
    if let Some(v) = optional(map, "state") {
        one_of(v, &field_path(path, "state"), "state", &["voting", "catching_up"])?;
    }
    Ok(())
}

/// `cluster.network`, and the fields of `set_network`.
fn check_network(map: &mut Map<String, Value>, path: &str) -> Result<(), String> {
    if let Some(v) = optional(map, "delay_ticks") {
        tick_range(v, &field_path(path, "delay_ticks"), &DELAY)?;
    }
    if let Some(v) = optional(map, "drop") {
        probability(v, &field_path(path, "drop"), true)?;
    }
    if let Some(v) = optional(map, "duplicate") {
        probability(v, &field_path(path, "duplicate"), false)?;
    }
    Ok(())
}

fn check_switches(v: &mut Value) -> Result<(), String> {
    let map = object(v, "switches")?;
    for (name, value) in map.iter() {
        let path = field_path("switches", name);
        if !Switches::NAMES.contains(&name.as_str()) {
            return Err(format!("{path}: unknown switch (known: {})", Switches::NAMES.join(", ")));
        }
        flag(value, &path)?;
    }
    Ok(())
}

fn check_pause(v: &mut Value, path: &str) -> Result<(), String> {
    let map = object(v, path)?;
    text(required(map, path, "caption", "a string")?, &field_path(path, "caption"))?;
    if let Some(v) = optional(map, "at") {
        int(v, &field_path(path, "at"), &TICK)?;
    }
    if let Some(v) = optional(map, "on") {
        text(v, &field_path(path, "on"))?;
    }
    if let Some(v) = optional(map, "node") {
        node_id(v, &field_path(path, "node"))?;
    }
    Ok(())
}

// ---- Script steps -------------------------------------------------------------

/// How a command's field is checked.
#[derive(Clone, Copy)]
enum Shape {
    Target,
    NodeId,
    Text,
    Flag,
    Ticks,
    Voters,
    Groups,
    Entry,
    Mode,
    Kind,
    State,
    Delay,
    Drop,
    Probability,
}

/// A command's fields: name, shape, required.
type Fields = &'static [(&'static str, Shape, bool)];

/// Every command of SCENARIO.md and its fields. (`set_network` checks its
/// fields as `cluster.network` does.)
const COMMANDS: &[(&str, Fields)] = &[
    ("write", &[("value", Shape::Text, true), ("node", Shape::Target, false)]),
    ("crash", &[("node", Shape::Target, true), ("after_persist", Shape::Flag, false)]),
    ("restart", &[("node", Shape::Target, true)]),
    ("partition", &[("groups", Shape::Groups, true)]),
    ("cut", &[("from", Shape::Target, true), ("to", Shape::Target, true), ("one_way", Shape::Flag, false)]),
    ("heal", &[]),
    ("timeout_now", &[("node", Shape::Target, true)]),
    ("transfer", &[("to", Shape::Target, true)]),
    (
        "failover",
        &[("to", Shape::Target, true), ("mode", Shape::Mode, true), ("deadline_ticks", Shape::Ticks, false)],
    ),
    (
        "add_server",
        &[("node", Shape::NodeId, true), ("kind", Shape::Kind, false), ("state", Shape::State, false)],
    ),
    ("remove_server", &[("node", Shape::Target, true)]),
    ("change_voters", &[("voters", Shape::Voters, true)]),
    ("cp_append", &[("entry", Shape::Entry, true), ("node", Shape::Target, false)]),
    ("snapshot", &[("node", Shape::Target, true)]),
    (
        "set_network",
        &[
            ("from", Shape::Target, false),
            ("to", Shape::Target, false),
            ("one_way", Shape::Flag, false),
            ("delay_ticks", Shape::Delay, false),
            ("drop", Shape::Drop, false),
            ("duplicate", Shape::Probability, false),
        ],
    ),
];

fn command_names() -> String {
    let names: Vec<&str> = COMMANDS.iter().map(|(name, _)| *name).collect();
    names.join(", ")
}

fn check_step(v: &mut Value, path: &str) -> Result<(), String> {
    let map = object(v, path)?;
    int(required(map, path, "at", TICK.what)?, &field_path(path, "at"), &TICK)?;
    let do_path = field_path(path, "do");
    let name = match required(map, path, "do", "a command name such as \"write\"")? {
        Value::String(name) => name.clone(),
        other => return Err(expected(&do_path, "a command name such as \"write\"", other)),
    };
    let Some((_, fields)) = COMMANDS.iter().find(|(n, _)| *n == name) else {
        return Err(format!("{do_path}: unknown command {} (known: {})", quote(&name), command_names()));
    };
    for &(key, shape, is_required) in fields.iter() {
        let field = field_path(path, key);
        let value = if is_required {
            let what = format!("{} for {name}", shape_noun(shape));
            Some(required(map, path, key, &what)?)
        } else {
            optional(map, key)
        };
        if let Some(value) = value {
            check_shape(value, &field, shape)?;
        }
    }
    Ok(())
}

fn shape_noun(shape: Shape) -> &'static str {
    match shape {
        Shape::Target => "a node id or \"leader\"",
        Shape::NodeId => "a node id",
        Shape::Text => "a string",
        Shape::Voters => "a list of node ids",
        Shape::Groups => "a list of groups of node ids",
        Shape::Entry => "a control-plane entry",
        Shape::Mode => "\"coordinated\" or \"force\"",
        _ => "a value",
    }
}

fn check_shape(v: &mut Value, path: &str, shape: Shape) -> Result<(), String> {
    match shape {
        Shape::Target => target(v, path),
        Shape::NodeId => node_id(v, path).map(drop),
        Shape::Text => text(v, path),
        Shape::Flag => flag(v, path),
        Shape::Ticks => int(v, path, &TICK).map(drop),
        Shape::Voters => node_ids(v, path, "voter"),
        Shape::Groups => groups(v, path),
        Shape::Entry => check_entry(v, path),
        Shape::Mode => one_of(v, path, "mode", &["coordinated", "force"]),
        Shape::Kind => one_of(v, path, "kind", &["data", "witness"]),
        Shape::State => one_of(v, path, "state", &["voting", "catching_up"]),
        Shape::Delay => tick_range(v, path, &DELAY),
        Shape::Drop => probability(v, path, true),
        Shape::Probability => probability(v, path, false),
    }
}

const ENTRY_FORMS: &str =
    "{\"admit\": id}, {\"remove\": id}, {\"ownership\": {\"range\", \"owner\", \"epoch\"}} \
     or {\"leader_config\": {\"term\", \"leader\"}}";

/// A control-plane entry: exactly one of the four forms. (Its single key is
/// the entry's kind, not room for extra fields; inside `ownership` and
/// `leader_config` extra fields are ignored as anywhere else.)
fn check_entry(v: &mut Value, path: &str) -> Result<(), String> {
    let map = match v {
        Value::Object(map) if map.len() == 1 => map,
        Value::Object(map) => {
            let keys: Vec<String> = map.keys().take(4).map(|k| quote(k)).collect();
            let keys = keys.join(", ");
            return Err(format!(
                "{path}: has {} keys ({keys}); expected exactly one of {ENTRY_FORMS}",
                map.len()
            ));
        }
        other => return Err(expected(path, &format!("one of {ENTRY_FORMS}"), other)),
    };
    let Some((kind, body)) = map.iter_mut().next() else {
        return Err(format!("{path}: expected one of {ENTRY_FORMS}"));
    };
    let body_path = field_path(path, kind);
    match kind.as_str() {
        "admit" | "remove" => node_id(body, &body_path).map(drop),
        "ownership" => {
            let fields = object(body, &body_path)?;
            text(required(fields, &body_path, "range", "a string")?, &field_path(&body_path, "range"))?;
            let owner = required(fields, &body_path, "owner", "a node id")?;
            node_id(owner, &field_path(&body_path, "owner"))?;
            int(required(fields, &body_path, "epoch", U64.what)?, &field_path(&body_path, "epoch"), &U64)
                .map(drop)
        }
        "leader_config" => {
            let fields = object(body, &body_path)?;
            int(required(fields, &body_path, "term", U64.what)?, &field_path(&body_path, "term"), &U64)?;
            let leader = required(fields, &body_path, "leader", "a node id")?;
            node_id(leader, &field_path(&body_path, "leader")).map(drop)
        }
        other => Err(format!("{path}: unknown entry {}, expected one of {ENTRY_FORMS}", quote(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_and_odd_strings_are_quoted_short_and_escaped() {
        let long = "é".repeat(100);
        let q = quote(&long);
        assert!(q.chars().count() < 50, "{q}");
        assert_eq!(quote("a\"b\n"), "\"a\\\"b\\n\"");
    }

    #[test]
    fn odd_keys_are_bracketed_in_paths() {
        assert_eq!(field_path("switches", "pre_vote"), "switches.pre_vote");
        assert_eq!(field_path("switches", "pre vote"), "switches[\"pre vote\"]");
        assert_eq!(field_path("", "cluster"), "cluster");
    }

    #[test]
    fn alternatives_read_as_english() {
        assert_eq!(alternatives(&["a"]), "\"a\"");
        assert_eq!(alternatives(&["a", "b", "c"]), "\"a\", \"b\" or \"c\"");
    }
}
