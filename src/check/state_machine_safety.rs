//! State machine safety: once a node has applied an entry at an index, no
//! node applies a different entry at that index (Raft §5.4.3, Figure 3).
//! Entries are told apart by term, as the log matching property allows.
//!
//! Why it watches applies rather than logs: this is the property clients
//! see. A restarted node re-applies its committed entries from its
//! snapshot; the same term again is no violation. Witnesses never apply.

use super::{Invariant, Observation, Property, Shared, Violation};
use crate::core::{NodeId, StateKey, Term};

/// The first entry (term, node) applied at each index, at that index in a
/// vector: nodes apply in index order from the start or a snapshot, so the
/// indexes are dense, and a restart's replay of a whole log finds each
/// entry in one step instead of a search that deepens as the log grows.
#[derive(Clone, Debug, Default)]
pub struct StateMachineSafety {
    applied: Vec<Option<(Term, NodeId)>>,
}

impl Invariant for StateMachineSafety {
    fn observe(memory: &mut Shared<Self>, obs: &Observation<'_>, out: &mut Vec<Violation>) {
        for (id, entry) in obs.applied {
            let slot = entry.index as usize;
            let Some(&Some((term, first))) = memory.applied.get(slot) else {
                let applied = &mut memory.edit().applied;
                if slot >= applied.len() {
                    applied.resize(slot + 1, None);
                }
                applied[slot] = Some((entry.term, *id));
                continue;
            };
            if term != entry.term {
                let detail = format!(
                    "node {first} applied {}@t{term}, node {id} applied {}@t{}",
                    entry.index, entry.index, entry.term
                );
                out.push(Violation::new(Property::StateMachineSafety, vec![first, *id], detail));
            }
        }
    }

    /// Writes the entry applied first at each index and by whom.
    fn write_key(&self, k: &mut StateKey) {
        k.word(self.applied.len() as u64);
        for at in &self.applied {
            k.opt(at.map(|(term, _)| term));
            k.opt_id(at.map(|(_, id)| id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::{entry, World};

    #[test]
    fn two_entries_applied_at_one_index_fire() {
        let mut check = Shared::<StateMachineSafety>::default();
        assert!(World::default().applied(1, entry(3, 2)).check(&mut check).is_empty());
        let found = World::default().applied(2, entry(3, 3)).check(&mut check);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].nodes, vec![1, 2]);
        assert_eq!(found[0].detail, "node 1 applied 3@t2, node 2 applied 3@t3");
    }

    #[test]
    fn the_same_entry_everywhere_and_replays_are_silent() {
        let mut check = Shared::<StateMachineSafety>::default();
        let world = World::default().applied(1, entry(1, 1)).applied(2, entry(1, 1)).applied(1, entry(2, 2));
        assert!(world.check(&mut check).is_empty());
        let replay = World::default().restart(1).applied(1, entry(1, 1)).applied(1, entry(2, 2));
        assert!(replay.check(&mut check).is_empty());
    }
}
