//! Each entry applies exactly once and in order (PROTOCOL.md §4): a node
//! applies index i + 1 after index i, with no gap and no repeat, except
//! where a snapshot replaces its state (restored at a restart, or
//! installed from the leader), after which it goes on from the snapshot.
//!
//! Why it can only fire in unit tests with the core as it is: the core
//! applies one contiguous slice of its log per call and tracks `applied`
//! itself; the check guards against a change that breaks that.

use super::{Invariant, Observation, Property, Shared, Violation};
use crate::core::{Index, NodeId, NodeMap};

/// The last index each node applied (this incarnation), or the snapshot it
/// continues from.
#[derive(Clone, Debug, Default)]
pub struct ApplyOrder {
    last: NodeMap<Index>,
}

impl Invariant for ApplyOrder {
    fn observe(memory: &mut Shared<Self>, obs: &Observation<'_>, out: &mut Vec<Violation>) {
        // A restarted node replays from its snapshot; one that installed a
        // snapshot (its snapshot is past what it applied) goes on from it.
        for state in obs.nodes {
            let Some(node) = state.node else { continue };
            let snapshot = node.log().snapshot_index();
            let before = memory.last.get(&state.id).copied();
            // A node first seen has applied what it holds, this step's
            // entries aside.
            let mut last = before
                .unwrap_or_else(|| first_applied(obs, state.id).map_or(node.applied_index(), |i| i - 1));
            if obs.was_restarted(state.id) {
                last = node.snapshot().index.min(first_applied(obs, state.id).map_or(snapshot, |i| i - 1));
            } else if snapshot > last && first_applied(obs, state.id).is_none_or(|i| i > snapshot) {
                last = snapshot;
            }
            if before != Some(last) {
                memory.edit().last.insert(state.id, last);
            }
        }
        for (id, entry) in obs.applied {
            let last = memory.edit().last.get_or_insert_with(*id, || 0);
            if entry.index != *last + 1 {
                let what = if entry.index <= *last { "again" } else { "out of order" };
                let detail = format!(
                    "node {id} applied {}@t{} {what}: the last index it applied is {last}",
                    entry.index, entry.term
                );
                out.push(Violation::new(Property::ApplyOrder, vec![*id], detail));
            }
            *last = (*last).max(entry.index);
        }
    }

    /// Writes the last index each node applied.
    fn write_key(&self, k: &mut crate::core::StateKey) {
        k.by_id(self.last.iter().map(|(id, index)| (*id, *index)), |index, k| k.word(index));
    }
}

/// The first index `id` applied in this step.
fn first_applied(obs: &Observation<'_>, id: NodeId) -> Option<Index> {
    obs.applied.iter().find(|(n, _)| *n == id).map(|(_, e)| e.index)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::{entry, World};

    #[test]
    fn a_repeat_and_a_gap_fire() {
        let mut check = Shared::<ApplyOrder>::default();
        let world = World::default().applied(1, entry(1, 1)).applied(1, entry(2, 1));
        assert!(world.check(&mut check).is_empty());
        let again = World::default().applied(1, entry(2, 1)).check(&mut check);
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].detail, "node 1 applied 2@t1 again: the last index it applied is 2");
        let gap = World::default().applied(1, entry(4, 1)).check(&mut check);
        assert_eq!(gap[0].detail, "node 1 applied 4@t1 out of order: the last index it applied is 2");
    }

    #[test]
    fn a_restart_replays_from_its_snapshot_silently() {
        let mut check = Shared::<ApplyOrder>::default();
        let world = World::default().applied(1, entry(1, 1)).applied(1, entry(2, 1));
        assert!(world.check(&mut check).is_empty());
        let node = crate::check::testing::follower(1, 1, 2, &[1, 1]);
        let replay = World::default().restart(1).live(&node).applied(1, entry(1, 1)).applied(1, entry(2, 1));
        assert!(replay.check(&mut check).is_empty());
    }
}
