//! Ownership epochs strictly increase (PROTOCOL.md §8): the epoch fences the
//! old owner of a range, which only works if every state machine sees each
//! range's epochs grow. Checked per node on what it applies, in index
//! order; a restarted node replaying entries it applied before is no news.
//! Whether nodes apply the same entries is `state_machine_safety`'s concern.

use super::{Invariant, Observation, Property, Shared, Violation};
use crate::core::{CpEntry, Index, NodeId, Payload, SortedMap, StateKey};

/// For each node and range, the last ownership applied: (index, epoch).
#[derive(Clone, Debug, Default)]
pub struct EpochOrder {
    last: SortedMap<(NodeId, String), (Index, u64)>,
}

impl Invariant for EpochOrder {
    fn observe(memory: &mut Shared<Self>, obs: &Observation<'_>, out: &mut Vec<Violation>) {
        for (id, entry) in obs.applied {
            let Payload::ControlPlane(cp) = &entry.payload else { continue };
            let CpEntry::Ownership { range, epoch, .. } = &**cp else {
                continue;
            };
            let key = (*id, range.clone());
            match memory.last.get(&key) {
                Some(&(index, _)) if entry.index <= index => continue,
                Some(&(index, before)) if *epoch <= before => {
                    let detail = format!(
                        "node {id} applied epoch {epoch} for {range} at index {}, after epoch {before} at index {index}",
                        entry.index
                    );
                    out.push(Violation::new(Property::EpochOrder, vec![*id], detail));
                }
                _ => {}
            }
            memory.edit().last.insert(key, (entry.index, *epoch));
        }
    }

    /// Writes the last epoch per node and range.
    fn write_key(&self, k: &mut StateKey) {
        k.multiset(self.last.iter(), |((id, range), (index, epoch)), k| {
            k.id(*id);
            k.bytes(range.as_bytes());
            k.word(*index);
            k.word(*epoch);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::{ownership, World};

    #[test]
    fn an_epoch_that_does_not_grow_fires() {
        let mut check = Shared::<EpochOrder>::default();
        assert!(World::default().applied(1, ownership(5, "users", 2)).check(&mut check).is_empty());
        let found = World::default().applied(1, ownership(7, "users", 2)).check(&mut check);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].detail, "node 1 applied epoch 2 for users at index 7, after epoch 2 at index 5");
    }

    #[test]
    fn growing_epochs_other_ranges_and_replays_are_silent() {
        let mut check = Shared::<EpochOrder>::default();
        let world = World::default()
            .applied(1, ownership(5, "users", 2))
            .applied(1, ownership(6, "orders", 1))
            .applied(1, ownership(7, "users", 3));
        assert!(world.check(&mut check).is_empty());
        let replay = World::default().restart(1).applied(1, ownership(5, "users", 2));
        assert!(replay.check(&mut check).is_empty());
        assert!(World::default().applied(1, ownership(9, "users", 4)).check(&mut check).is_empty());
    }
}
