//! snapshot index ≤ applied index ≤ commit index ≤ last index, on every live
//! node (PROTOCOL.md §9; TigerBeetle-style bounds). Why: a snapshot covers
//! only applied entries, only committed entries are applied, and a node can
//! only know entries it holds to be committed. A commit index beyond the
//! log means committed entries were truncated away.
//!
//! Each broken bound is reported once when it breaks, not at every step it
//! stays broken.

use super::{Invariant, Observation, Property, Shared, Violation};
use crate::core::{NodeId, SortedMap, StateKey};

/// The (node, bound) pairs currently broken.
#[derive(Clone, Debug, Default)]
pub struct IndexOrder {
    broken: SortedMap<(NodeId, &'static str), ()>,
}

impl Invariant for IndexOrder {
    fn observe(memory: &mut Shared<Self>, obs: &Observation<'_>, out: &mut Vec<Violation>) {
        for node in obs.live() {
            let id = node.id();
            let log = node.log();
            let bounds = [
                ("snapshot", log.snapshot_index(), "applied", node.applied_index()),
                ("applied", node.applied_index(), "commit", node.commit_index()),
                ("commit", node.commit_index(), "last", log.last_index()),
            ];
            for (low_name, low, high_name, high) in bounds {
                let broken = memory.broken.contains_key(&(id, low_name));
                if low <= high {
                    if broken {
                        memory.edit().broken.remove(&(id, low_name));
                    }
                } else if !broken {
                    memory.edit().broken.insert((id, low_name), ());
                    let detail =
                        format!("node {id}'s {low_name} index {low} exceeds its {high_name} index {high}");
                    out.push(Violation::new(Property::IndexOrder, vec![id], detail));
                }
            }
        }
    }

    /// Writes the orders found broken.
    fn write_key(&self, k: &mut StateKey) {
        k.multiset(self.broken.iter(), |((id, which), ()), k| {
            k.id(*id);
            k.bytes(which.as_bytes());
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::{follower, World};

    #[test]
    fn a_commit_index_beyond_the_log_fires_once() {
        let mut check = Shared::<IndexOrder>::default();
        let mut node = follower(1, 2, 2, &[1, 1, 2]);
        node.log.truncate_from(2);
        let found = World::default().live(&node).check(&mut check);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].detail, "node 1's commit index 2 exceeds its last index 1");
        assert!(World::default().live(&node).check(&mut check).is_empty(), "still broken, not news");
    }

    #[test]
    fn applied_beyond_commit_fires() {
        let mut check = Shared::<IndexOrder>::default();
        let mut node = follower(1, 2, 2, &[1, 1, 2]);
        node.applied = 3;
        let found = World::default().live(&node).check(&mut check);
        assert_eq!(found[0].detail, "node 1's applied index 3 exceeds its commit index 2");
    }

    #[test]
    fn ordered_indexes_are_silent() {
        let mut check = Shared::<IndexOrder>::default();
        let mut node = follower(1, 2, 2, &[1, 1, 2]);
        node.log.compact(1);
        assert!(World::default().live(&node).check(&mut check).is_empty());
    }
}
