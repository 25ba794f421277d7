//! A helper shared by `leader_completeness` and `acked_write_lost`: how far
//! each live leader has been checked, in its term, against a record that
//! grows by index (committed entries, acknowledged writes). Within its term
//! a leader only appends (`leader_append_only`), so an entry checked once
//! need not be checked again: each leader costs O(new records) per step.

use super::Observation;
use crate::core::{Index, Node, NodeId, NodeMap, Role, StateKey, Term};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cursor {
    term: Term,
    up_to: Index,
    reported: bool,
}

/// One cursor per live leader.
#[derive(Clone, Debug, Default)]
pub(crate) struct LeaderCursors {
    cursors: NodeMap<Cursor>,
}

/// How the cursors move in one step ([`LeaderCursors::advance`]), to be
/// applied with [`LeaderCursors::apply`]: apart, so that a check whose
/// cursors stay put changes nothing (see `Shared::edit`).
#[derive(Default)]
pub(crate) struct Moves {
    /// Some cursor belongs to a node that no longer leads.
    stale: bool,
    /// The cursors that moved or are new.
    moved: Vec<(NodeId, Cursor)>,
}

impl Moves {
    /// True when no cursor moves.
    pub(crate) fn is_empty(&self) -> bool {
        !self.stale && self.moved.is_empty()
    }
}

/// Whether node `id` is a live leader in `obs`.
fn leads(obs: &Observation<'_>, id: NodeId) -> bool {
    let state = obs.nodes.binary_search_by_key(&id, |s| s.id).ok().map(|i| &obs.nodes[i]);
    state.and_then(|s| s.node).is_some_and(|n| n.role() == Role::Leader)
}

impl LeaderCursors {
    /// Calls `check(leader, from)` for every live leader that has reported
    /// nothing yet in its term, where `from` is the first record index not
    /// yet checked (entries below the leader's snapshot are committed and
    /// assumed held). `check` returns true when it reported. `lowest_new` is
    /// the lowest index recorded this step, `last` the highest recorded.
    /// Returns how the cursors move: the cursors of nodes that no longer
    /// lead go, each live leader's goes past what was checked.
    pub(crate) fn advance(
        &self,
        obs: &Observation<'_>,
        lowest_new: Index,
        last: Index,
        mut check: impl FnMut(&Node, Index) -> bool,
    ) -> Moves {
        let mut moves = Moves { stale: self.cursors.keys().any(|id| !leads(obs, *id)), moved: Vec::new() };
        for leader in obs.live().filter(|n| n.role() == Role::Leader) {
            let (id, term) = (leader.id(), leader.term());
            let fresh = Cursor { term, up_to: 0, reported: false };
            let mut c = self.cursors.get(&id).copied().filter(|c| c.term == term).unwrap_or(fresh);
            // A record made late, below the cursor, must be checked too.
            c.up_to = c.up_to.min(lowest_new.saturating_sub(1));
            let from = (c.up_to + 1).max(leader.log().snapshot_index());
            // Past the last record there is nothing to check: most steps.
            if !c.reported && from <= last {
                c.reported = check(leader, from);
            }
            c.up_to = c.up_to.max(last);
            if self.cursors.get(&id) != Some(&c) {
                moves.moved.push((id, c));
            }
        }
        moves
    }

    /// Moves the cursors as [`LeaderCursors::advance`] said, for the same
    /// observation.
    pub(crate) fn apply(&mut self, obs: &Observation<'_>, moves: Moves) {
        if moves.stale {
            self.cursors.retain(|id, _| leads(obs, *id));
        }
        for (id, c) in moves.moved {
            self.cursors.insert(id, c);
        }
    }
}

impl LeaderCursors {
    /// Writes each leader's cursor (state keys: `crate::core::StateKey`).
    pub(crate) fn write_key(&self, k: &mut StateKey) {
        k.by_id(self.cursors.iter().map(|(id, c)| (*id, c)), |Cursor { term, up_to, reported }, k| {
            k.word(*term);
            k.word(*up_to);
            k.flag(*reported);
        });
    }
}
