//! The explorer's state key: the simulator's canonical key (messages
//! without delivery times: none arrives by itself), what the path has
//! spent, and symmetry reduction.
//!
//! Symmetry: nodes of one interchangeable group ([`Shape::symmetric_groups`])
//! are ordered by a signature that names no node, with every id written
//! as 0, which renaming cannot change: each node's own state when that
//! tells every node of every group apart, else each node's own state and
//! the messages it sent and is sent. The state is written with the
//! group's ids handed out in that order. Nodes whose signatures tie are
//! tried in every order, and the smallest key is kept. Two states that
//! differ only by a renaming within groups take the same branch, sort
//! their nodes alike and so get the same key.

use crate::core::{NodeId, Small, StateKey};
use crate::sim::SimNode;

use super::model::{Spent, State};
use super::shape::Shape;

/// Ids a keyer renames, and messages keyed on the stack: the explorer's
/// shapes have at most six nodes, and a handful of messages in flight.
const INLINE: usize = 16;

/// Computes state keys for one shape.
#[derive(Clone, Debug)]
pub struct Keyer {
    /// The interchangeable groups; empty without symmetry reduction.
    groups: Vec<Vec<NodeId>>,
    /// One past the largest id.
    width: usize,
}

impl Keyer {
    /// A keyer for `shape`, reducing by symmetry when `symmetry` is true.
    pub fn new(shape: Shape, symmetry: bool) -> Keyer {
        let width = shape.members().iter().map(|m| m.id as usize).max().unwrap_or(0) + 1;
        // A renaming covers ids below `INLINE` (`StateKey::renaming`).
        assert!(width <= INLINE, "a shape's node ids are below {INLINE}");
        Keyer { groups: if symmetry { shape.symmetric_groups() } else { Vec::new() }, width }
    }

    /// The key of `state`. Allocates nothing unless more than
    /// `INLINE` messages are in flight or signatures tie.
    pub fn key(&self, state: &State) -> u128 {
        let mut identity = [0; INLINE];
        identity.iter_mut().enumerate().for_each(|(i, name)| *name = i as NodeId);
        let identity = &identity[..self.width];
        if self.groups.is_empty() {
            return write(state, identity);
        }
        let zero = StateKey::renaming(&[0; INLINE][..self.width]);
        // First by each node's own state alone (its digest under `zero`,
        // kept with the node): when that tells every node of each group
        // apart, no message is keyed for the signatures.
        if let Some(rename) = self.renaming_by(state, |_, n| n.key_digest(&zero)) {
            return write(state, &rename[..self.width]);
        }
        // Each message keyed once, on the stack while they are few.
        let mut messages: Small<(NodeId, NodeId, u128), INLINE> = Small::default();
        for f in state.sim.network().in_flight() {
            let mut k = zero;
            f.msg.write_key(&mut k);
            messages.push((f.msg.from, f.msg.to, k.finish()));
        }
        let messages = &*messages.as_mut_slice();
        let sign = |id, n: &SimNode| signature(id, n, zero, messages);
        // Most states tell every node of a group apart: one renaming.
        match self.renaming_by(state, sign) {
            Some(rename) => write(state, &rename[..self.width]),
            None => self.least_over_ties(state, identity, sign),
        }
    }

    /// The renaming that hands out each group's names in the order of its
    /// nodes' `sign`, or `None` when two nodes of a group tie.
    fn renaming_by(
        &self,
        state: &State,
        sign: impl Fn(NodeId, &SimNode) -> u128,
    ) -> Option<[NodeId; INLINE]> {
        let mut rename = [0; INLINE];
        rename.iter_mut().enumerate().for_each(|(i, name)| *name = i as NodeId);
        for group in &self.groups {
            let mut members = sorted_members(state, group, &sign);
            let members = members.as_mut_slice();
            if members.windows(2).any(|w| w[0].0 == w[1].0) {
                return None;
            }
            for (name, (_, id)) in group.iter().zip(members.iter()) {
                rename[*id as usize] = *name;
            }
        }
        Some(rename)
    }

    /// The smallest key over every order of the nodes whose signatures
    /// tie (and the one order of the others).
    fn least_over_ties(
        &self,
        state: &State,
        identity: &[NodeId],
        sign: impl Fn(NodeId, &SimNode) -> u128,
    ) -> u128 {
        let mut renamings = vec![identity.to_vec()];
        for group in &self.groups {
            let mut members = sorted_members(state, group, &sign);
            renamings = orderings(members.as_mut_slice())
                .into_iter()
                .flat_map(|order| {
                    renamings.iter().map(move |base| {
                        let mut rename = base.clone();
                        for (name, id) in group.iter().zip(&order) {
                            rename[*id as usize] = *name;
                        }
                        rename
                    })
                })
                .collect();
        }
        renamings.iter().map(|rename| write(state, rename)).min().expect("one renaming at least")
    }
}

/// The nodes of `group` the state has, with their `sign`, sorted.
fn sorted_members(
    state: &State,
    group: &[NodeId],
    sign: impl Fn(NodeId, &SimNode) -> u128,
) -> Small<(u128, NodeId), INLINE> {
    let mut members = Small::default();
    for id in group {
        if let Some(n) = state.sim.nodes().get(id) {
            members.push((sign(*id, n), *id));
        }
    }
    members.as_mut_slice().sort_unstable();
    members
}

fn write(state: &State, rename: &[NodeId]) -> u128 {
    let mut k = StateKey::renaming(rename);
    state.sim.write_key(&mut k, false);
    let Spent { writes, crashes, drops, duplicates, handovers, snapshots, changed } = state.spent;
    for v in [writes, crashes, drops, duplicates, handovers, snapshots, u8::from(changed)] {
        k.word(u64::from(v));
    }
    k.finish()
}

/// A node's state with every node id written as 0 (which renaming cannot
/// change), and the messages it has sent and is sent, written alike.
/// Nodes it does not tell apart are tried in every order: a coarser
/// signature costs time, never a wrong key. (Measured: without the
/// messages, two followers alike tied in nearly half the states, each tie
/// a second full key; a summary of role, term and log figures alone tied
/// so often that the extra full keys cost more than it saved.)
fn signature(id: NodeId, n: &SimNode, zero: StateKey, messages: &[(NodeId, NodeId, u128)]) -> u128 {
    let mut k = zero;
    k.part(n.key_digest(&zero));
    let word = |(_, _, key): &&(NodeId, NodeId, u128), k: &mut StateKey| k.part(*key);
    k.multiset(messages.iter().filter(|(from, _, _)| *from == id), word);
    k.multiset(messages.iter().filter(|(_, to, _)| *to == id), word);
    k.finish()
}

/// Every order of the ids in `sorted` (sorted by signature) that keeps
/// signatures ascending: ties in every order, the rest as they are.
fn orderings(sorted: &[(u128, NodeId)]) -> Vec<Vec<NodeId>> {
    let mut out: Vec<Vec<NodeId>> = vec![Vec::new()];
    let mut i = 0;
    while i < sorted.len() {
        let j = i + sorted[i..].iter().take_while(|(s, _)| *s == sorted[i].0).count();
        let tie: Vec<NodeId> = sorted[i..j].iter().map(|(_, id)| *id).collect();
        let perms = permutations(&tie);
        out = out
            .into_iter()
            .flat_map(|prefix| {
                perms.iter().map(move |p| {
                    let mut v = prefix.clone();
                    v.extend(p);
                    v
                })
            })
            .collect();
        i = j;
    }
    out
}

fn permutations(ids: &[NodeId]) -> Vec<Vec<NodeId>> {
    if ids.len() <= 1 {
        return vec![ids.to_vec()];
    }
    let mut out = Vec::new();
    for (i, first) in ids.iter().enumerate() {
        let rest: Vec<NodeId> = ids.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, id)| *id).collect();
        for mut p in permutations(&rest) {
            p.insert(0, *first);
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orderings_permute_ties_only() {
        let sorted = [(1, 7), (2, 8), (2, 9), (3, 5)];
        assert_eq!(orderings(&sorted), vec![vec![7, 8, 9, 5], vec![7, 9, 8, 5]]);
        assert_eq!(permutations(&[1, 2, 3]).len(), 6);
    }
}
