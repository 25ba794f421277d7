//! Coverage for the random walks: a coarse outline of a state (each node's
//! role, term and the terms of its log entries, with the commit index;
//! terms by rank among the terms in the state, nodes sorted, messages and
//! votes left out). A walk that reaches an outline
//! no walk reached before keeps that state as a place later walks start
//! from, as a coverage-guided fuzzer keeps an input that reached new code.
//! Deep runs are built a stretch at a time: Raft's Figure 8 needs three
//! leaders in turn with diverging logs (about 30 moves), far beyond one
//! random walk's luck, but each leader change on the way is a new outline.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use crate::core::Role;

use super::model::State;

/// The state's outline, hashed. Node ids are left out (the nodes are
/// sorted by what they hold), so renamings share one outline.
pub fn outline(state: &State) -> u64 {
    // Terms by rank: elections by timer push terms up without end, and
    // what matters is which terms are older than which.
    let mut terms: Vec<u64> = live(state)
        .flat_map(|node| std::iter::once(node.term()).chain(node.log().entries().iter().map(|e| e.term)))
        .collect();
    terms.sort_unstable();
    terms.dedup();
    let rank = |t: u64| terms.binary_search(&t).map_or(0, |r| r as u64);
    let mut nodes: Vec<Vec<u64>> = state
        .sim
        .nodes()
        .values()
        .map(|n| match &n.node {
            None => vec![u64::MAX],
            Some(node) => {
                let role = match node.role() {
                    Role::Leader => 3,
                    Role::Candidate => 2,
                    _ => 1,
                };
                let mut v = vec![role, rank(node.term()), node.commit_index()];
                v.extend(node.log().entries().iter().map(|e| rank(e.term)));
                v
            }
        })
        .collect();
    nodes.sort_unstable();
    // DefaultHasher::new() has fixed keys: the same outline on every run.
    let mut h = DefaultHasher::new();
    nodes.hash(&mut h);
    h.finish()
}

fn live(state: &State) -> impl Iterator<Item = &crate::core::Node> {
    state.sim.nodes().values().filter_map(|n| n.node.as_ref())
}
