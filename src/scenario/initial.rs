//! A scenario's `initial` (SCENARIO.md, Version 2): the durable state each
//! node starts from. Read here with the checks one node's state must pass
//! on its own (a consistent disk); whether the states fit together is the
//! checker's to say at step 0 (`Sim::load_initial`).
//!
//! `[{"node": 2, "term": 3, "voted_for": 1, "commit": 2, "log": [{"term": 1,
//! "kind": "write", "value": "a=1"}, {"term": 3, "kind": "noop"}]}]`

use crate::core::{Member, NodeSet};
use crate::json::path::{int, item_path, one_of, text, Fields};
use crate::json::{FromJson, Json};
use crate::sim::command_read::{node_id, U64};
use crate::sim::{InitialEntry, InitialState};

/// Most entries in one initial log.
const MAX_LOG: usize = 10_000;

/// One node's state (`Serialize` in `sim/initial.rs`), consistent on its own.
impl FromJson for InitialState {
    fn from_json(v: &Json, path: &str) -> Result<InitialState, String> {
        read_state(v, path)
    }
}

fn read_state(v: &Json, path: &str) -> Result<InitialState, String> {
    let f = Fields::of(v, path)?;
    let term_of = |v: &Json, path: &str| int(v, path, &U64);
    let node = f.required("node", "a node id (a positive integer)", node_id)?;
    let term = f.optional("term", term_of)?.unwrap_or(0);
    let voted_for = f.optional("voted_for", node_id)?;
    let commit = f.optional("commit", term_of)?.unwrap_or(0);
    let log = f
        .optional("log", |v, path| super::parse::list(v, path, MAX_LOG, InitialEntry::from_json))?
        .unwrap_or_default();
    // Terms never decrease along a log (each leader appends after what it
    // holds), and a node's term is at least its last entry's.
    for (i, pair) in log.windows(2).enumerate() {
        if pair[1].term < pair[0].term {
            let at = item_path(&f.path("log"), i + 1);
            return Err(format!("{at}.term: {} is below the term {} before it", pair[1].term, pair[0].term));
        }
    }
    let last_term = log.last().map_or(0, |e| e.term);
    if term < last_term {
        return Err(format!("{}: {term} is below the last log entry's term {last_term}", f.path("term")));
    }
    if commit > log.len() as u64 {
        return Err(format!("{}: {commit} is beyond the log's {} entries", f.path("commit"), log.len()));
    }
    if voted_for.is_some() && term == 0 {
        return Err(format!("{}: no vote is cast in term 0", f.path("voted_for")));
    }
    Ok(InitialState { node, term, voted_for, commit, log })
}

/// One entry of an initial log: `{"term", "kind": "write" or "noop",
/// "value"}`.
impl FromJson for InitialEntry {
    fn from_json(v: &Json, path: &str) -> Result<InitialEntry, String> {
        let f = Fields::of(v, path)?;
        let term = f.required("term", "a term (a positive integer)", |v, path| int(v, path, &U64))?;
        if term == 0 {
            return Err(format!("{}: entries have terms from 1", f.path("term")));
        }
        const KINDS: [&str; 2] = ["write", "noop"];
        let kind = f.required("kind", "\"write\" or \"noop\"", |v, path| one_of(v, path, "kind", &KINDS))?;
        let value = match KINDS[kind] {
            "write" => Some(f.required("value", "a string", text)?),
            _ => None,
        };
        Ok(InitialEntry { term, kind: KINDS[kind], value })
    }
}

/// The rules that need the members: each state names a member, once, and
/// a vote goes to a member.
pub(super) fn check_nodes(initial: &[InitialState], members: &[Member]) -> Result<(), String> {
    let is_member = |id| members.iter().any(|m| m.id == id);
    let mut seen = NodeSet::default();
    for (i, s) in initial.iter().enumerate() {
        if !is_member(s.node) {
            return Err(format!("initial[{i}].node: node {} is not a member", s.node));
        }
        if !seen.insert(s.node) {
            return Err(format!("initial[{i}].node: node {} appears twice", s.node));
        }
        if let Some(v) = s.voted_for.filter(|v| !is_member(*v)) {
            return Err(format!("initial[{i}].voted_for: node {v} is not a member"));
        }
    }
    Ok(())
}
