//! Leader append-only: a leader never overwrites or deletes entries in its
//! log; it only appends (Raft §5.3, Figure 3). Compaction behind a snapshot
//! is not a deletion.
//!
//! Why the last entry suffices: a log changes only by appending, by
//! truncating a suffix (then appending the sender's entries), by compacting
//! a prefix, or by being replaced by a snapshot. Any overwrite or deletion
//! of an entry the leader held therefore removes or replaces the entry that
//! was last, unless another leader of the same term supplied an identical
//! one, which `election_safety` reports. Comparing one entry per step keeps
//! the check O(1) instead of O(log).

use super::{describe_term, Invariant, Observation, Property, Shared, Violation};
use crate::core::{Index, NodeMap, Role, StateKey, Term};

/// What a leader held at the previous step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Held {
    term: Term,
    last_index: Index,
    last_term: Term,
}

/// The last entry of every live leader at the previous step.
#[derive(Clone, Debug, Default)]
pub struct LeaderAppendOnly {
    held: NodeMap<Held>,
}

impl Invariant for LeaderAppendOnly {
    fn observe(memory: &mut Shared<Self>, obs: &Observation<'_>, out: &mut Vec<Violation>) {
        for state in obs.nodes {
            let Some(node) = state.node.filter(|n| n.role() == Role::Leader) else {
                if memory.held.contains_key(&state.id) {
                    memory.edit().held.remove(&state.id);
                }
                continue;
            };
            let (id, term, log) = (node.id(), node.term(), node.log());
            if let Some(before) = memory.held.get(&id).filter(|h| h.term == term) {
                let compacted = before.last_index < log.snapshot_index();
                let now = log.term_at(before.last_index);
                if !compacted && now != Some(before.last_term) {
                    let detail = format!(
                        "node {id}, leader of term {term}, held entry {}@t{} and now holds {} there",
                        before.last_index,
                        before.last_term,
                        describe_term(now)
                    );
                    out.push(Violation::new(Property::LeaderAppendOnly, vec![id], detail));
                }
            }
            let held = Held { term, last_index: log.last_index(), last_term: log.last_term() };
            if memory.held.get(&id) != Some(&held) {
                memory.edit().held.insert(id, held);
            }
        }
    }

    /// Writes each leader's log ends.
    fn write_key(&self, k: &mut StateKey) {
        k.by_id(self.held.iter().map(|(id, held)| (*id, held)), |Held { term, last_index, last_term }, k| {
            k.word(*term);
            k.word(*last_index);
            k.word(*last_term);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::{leader, World};
    use crate::core::Event;

    #[test]
    fn a_leader_losing_an_entry_fires() {
        let mut check = Shared::<LeaderAppendOnly>::default();
        let mut node = leader(1, 2, &[1, 1]);
        assert!(World::default().live(&node).check(&mut check).is_empty());
        node.log.truncate_from(3);
        let found = World::default().live(&node).check(&mut check);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].property, Property::LeaderAppendOnly);
        assert_eq!(found[0].detail, "node 1, leader of term 2, held entry 3@t2 and now holds nothing there");
    }

    #[test]
    fn appending_compacting_and_a_new_term_are_silent() {
        let mut check = Shared::<LeaderAppendOnly>::default();
        let mut node = leader(1, 2, &[1, 1]);
        assert!(World::default().live(&node).check(&mut check).is_empty());
        node.step_synced(Event::Propose(b"x".to_vec().into())).unwrap();
        node.step_synced(Event::Snapshot { index: 4, data: Vec::new().into() }).unwrap();
        assert_eq!(node.log().snapshot_index(), 4);
        assert!(World::default().live(&node).check(&mut check).is_empty());
        let other = leader(1, 3, &[1]);
        assert!(World::default().live(&other).check(&mut check).is_empty(), "another term starts afresh");
    }
}
