//! Parsing scenario files (SCENARIO.md): every error names a field path and
//! the reason, nothing panics, and nothing partial runs.
//!
//! Three passes, each on a whole file before the next begins:
//!
//! 1. JSON syntax ([`crate::json`]), which reports the line and column, and
//!    whose nesting limit turns absurd nesting into an error instead of a
//!    stack overflow.
//! 2. Shape (this file's `impl FromJson`s, beside the `Serialize`s of
//!    `mod.rs`; `sim/command_read.rs` for script steps, `initial.rs`).
//!    Every known field is checked for its type and its range, in file
//!    order, with its path, as the typed scenario is built. Extra fields are
//!    ignored (the contract allows them everywhere) except inside
//!    `switches`: a misspelt switch would silently leave a safety mechanism
//!    on. `null` reads as "absent" for an optional field; a required field
//!    or a switch cannot be `null`.
//! 3. Rules that span fields (`validate.rs`), on the typed scenario:
//!    timing, membership, and every node a script step names, in the order
//!    the simulator runs the steps.
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

use super::{validate, ClusterSpec, Pause, Scenario};
use crate::core::{Member, MemberKind, Switches, VotingState};
use crate::json::path::{array, flag, int, item_path, object, text, Fields, Int};
use crate::json::{self, FromJson, Json};
use crate::sim::command_read::{network, node_id, tick_range, MAX_TICKS, TICK, U64};
use crate::sim::{InitialState, NetworkConfig, ScriptStep, MAX_NODES};

/// The largest file accepted, in bytes.
const MAX_TEXT_BYTES: usize = 4 << 20;
/// Most script steps.
const MAX_SCRIPT_STEPS: usize = 10_000;
/// Most pauses.
const MAX_PAUSES: usize = 1_000;
/// Largest `max_batch`.
const MAX_BATCH: u64 = 100_000;

const TIMER: Int =
    Int { what: "a number of ticks (a positive integer)", min: 1, max: MAX_TICKS, unit: " ticks" };
const COUNT: Int = Int { what: "a non-negative integer", min: 0, max: MAX_TICKS, unit: "" };
const BATCH: Int = Int { what: "a positive integer", min: 1, max: MAX_BATCH, unit: " entries" };

/// Parses and validates a scenario file. The error names the field path
/// and the reason, such as `script[3].node: node 9 is not a member`.
pub fn parse(text: &str) -> Result<Scenario, String> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(format!("scenario: the file is {} bytes; the limit is {MAX_TEXT_BYTES}", text.len()));
    }
    if text.trim().is_empty() {
        return Err("scenario: the file is empty; expected a JSON object".into());
    }
    let root = json::parse(text).map_err(|e| format!("scenario: invalid JSON: {e}"))?;
    let scenario = Scenario::from_json(&root, "scenario")?;
    validate::check(&scenario)?;
    Ok(scenario)
}

// ---- Sections ---------------------------------------------------------------

/// A whole file; `path` names the file in errors about its shape
/// (`scenario: expected an object`), and the root's fields have no prefix
/// (`cluster.members[0].id`).
impl FromJson for Scenario {
    fn from_json(root: &Json, path: &str) -> Result<Scenario, String> {
        object(root, path)?;
        let f = Fields::of(root, "")?;
        let title = f.optional("title", text)?.unwrap_or_default();
        let explain = f.optional("explain", text)?.unwrap_or_default();
        let seed = f.optional("seed", |v, path| int(v, path, &U64))?.unwrap_or_default();
        let cluster = f.required("cluster", "an object with members", ClusterSpec::from_json)?;
        let switches = f.optional("switches", Switches::from_json)?.unwrap_or_default();
        let script =
            f.optional("script", |v, path| list(v, path, MAX_SCRIPT_STEPS, ScriptStep::from_json))?;
        let run_until =
            f.optional("run_until", |v, path| int(v, path, &TICK))?.unwrap_or(super::RUN_UNTIL_DEFAULT);
        let pauses = f.optional("pauses", |v, path| list(v, path, MAX_PAUSES, Pause::from_json))?;
        let initial = f.optional("initial", |v, path| list(v, path, MAX_NODES, InitialState::from_json))?;
        Ok(Scenario {
            title,
            explain,
            seed,
            cluster,
            switches,
            script: script.unwrap_or_default(),
            run_until,
            pauses: pauses.unwrap_or_default(),
            initial: initial.unwrap_or_default(),
        })
    }
}

/// An array of at most `max_len` items, each read by `read`.
pub(super) fn list<T>(
    v: &Json,
    path: &str,
    max_len: usize,
    read: fn(&Json, &str) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let items = array(v, path, max_len)?;
    items.iter().enumerate().map(|(i, item)| read(item, &item_path(path, i))).collect()
}

impl FromJson for ClusterSpec {
    fn from_json(v: &Json, path: &str) -> Result<ClusterSpec, String> {
        read_cluster(v, path)
    }
}

fn read_cluster(v: &Json, path: &str) -> Result<ClusterSpec, String> {
    let f = Fields::of(v, path)?;
    let members = f.required("members", "an array of members such as {\"id\": 1}", |v, path| {
        let items = array(v, path, usize::MAX)?;
        if items.is_empty() || items.len() > MAX_NODES {
            let n = items.len();
            return Err(format!("{path}: {n} members; the simulator runs 1 to {MAX_NODES}"));
        }
        list(v, path, MAX_NODES, read_member)
    })?;
    let (mut member_election_ticks, mut plain) = (Vec::new(), Vec::with_capacity(members.len()));
    for (m, own) in members {
        if let Some(range) = own {
            member_election_ticks.push((m.id, range));
        }
        plain.push(m);
    }
    let members = plain;
    let defaults = ClusterSpec::with_members(Vec::new());
    let election_ticks = f.optional("election_ticks", |v, path| tick_range(v, path, &TIMER))?;
    let heartbeat_ticks = f.optional("heartbeat_ticks", |v, path| int(v, path, &TIMER))?;
    let max_batch = f.optional("max_batch", |v, path| int(v, path, &BATCH))?;
    let snapshot_threshold = f.optional("snapshot_threshold", |v, path| int(v, path, &COUNT))?;
    // 0 is allowed (instant, the default); `SimConfig::validate` refuses a
    // write that takes no time within a range that does.
    let disk_ticks = f.optional("disk_ticks", |v, path| tick_range(v, path, &COUNT))?;
    let network = f.optional("network", NetworkConfig::from_json)?;
    Ok(ClusterSpec {
        members,
        election_ticks: election_ticks.unwrap_or(defaults.election_ticks),
        member_election_ticks,
        heartbeat_ticks: heartbeat_ticks.unwrap_or(defaults.heartbeat_ticks),
        // At most `MAX_BATCH`, so it fits.
        max_batch: max_batch.map_or(defaults.max_batch, |n| n as usize),
        snapshot_threshold: snapshot_threshold.unwrap_or(defaults.snapshot_threshold),
        network: network.unwrap_or_default(),
        disk_ticks: disk_ticks.unwrap_or(defaults.disk_ticks),
    })
}

/// `cluster.network` (every field optional, defaults as the simulator's).
impl FromJson for NetworkConfig {
    fn from_json(v: &Json, path: &str) -> Result<NetworkConfig, String> {
        let (delay_ticks, drop, duplicate) = network(&Fields::of(v, path)?)?;
        let defaults = NetworkConfig::default();
        Ok(NetworkConfig {
            delay_ticks: delay_ticks.unwrap_or(defaults.delay_ticks),
            drop: drop.unwrap_or(defaults.drop),
            duplicate: duplicate.unwrap_or(defaults.duplicate),
        })
    }
}

/// A member (`kind` and `state` default to a voting data member).
impl FromJson for Member {
    fn from_json(v: &Json, path: &str) -> Result<Member, String> {
        let f = Fields::of(v, path)?;
        Ok(Member {
            id: f.required("id", "a node id (a positive integer)", node_id)?,
            kind: f.optional("kind", MemberKind::from_json)?.unwrap_or_default(),
            state: f.optional("state", VotingState::from_json)?.unwrap_or_default(),
        })
    }
}

/// A member, and its own election timeout range if it has one (a field of
/// the scenario's member beside the core's [`Member`]).
fn read_member(v: &Json, path: &str) -> Result<(Member, Option<[u64; 2]>), String> {
    let member = Member::from_json(v, path)?;
    let f = Fields::of(v, path)?;
    Ok((member, f.optional("election_ticks", |v, path| tick_range(v, path, &TIMER))?))
}

/// `switches`: by the names serde writes; an unknown one is an error, as a
/// misspelt switch would silently leave a safety mechanism on.
impl FromJson for Switches {
    fn from_json(v: &Json, path: &str) -> Result<Switches, String> {
        let f = Fields::of(v, path)?;
        let mut switches = Switches::default();
        for (name, value) in f.map().iter() {
            let path = f.path(name);
            let Some(switch) = switches.by_name_mut(name) else {
                return Err(format!("{path}: unknown switch (known: {})", Switches::NAMES.join(", ")));
            };
            *switch = flag(value, &path)?;
        }
        Ok(switches)
    }
}
