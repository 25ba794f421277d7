//! Election safety: at most one leader per term (Raft §5.2, Figure 3).
//!
//! Why the whole history rather than the present: two leaders of one term
//! need never coexist (the first may crash before the second wins, as with
//! the `durable_vote` switch off), yet each may append entries of that term
//! that the other overwrites. So every (term, leader) ever seen is kept.

use super::{Invariant, Observation, Property, Shared, Violation};
use crate::core::{NodeId, Role, SortedMap, StateKey, Term};

/// The first leader seen in each term.
#[derive(Clone, Debug, Default)]
pub struct ElectionSafety {
    leaders: SortedMap<Term, NodeId>,
}

impl Invariant for ElectionSafety {
    fn observe(memory: &mut Shared<Self>, obs: &Observation<'_>, out: &mut Vec<Violation>) {
        for node in obs.live().filter(|n| n.role() == Role::Leader) {
            let (id, term) = (node.id(), node.term());
            match memory.leaders.get(&term) {
                None => {
                    memory.edit().leaders.insert(term, id);
                }
                Some(&first) if first != id => {
                    let detail = format!("nodes {first} and {id} both led term {term}");
                    out.push(Violation::new(Property::ElectionSafety, vec![first, id], detail));
                }
                Some(_) => {}
            }
        }
    }

    /// Writes the leader of each term.
    fn write_key(&self, k: &mut StateKey) {
        k.word(self.leaders.len() as u64);
        for (term, leader) in self.leaders.iter() {
            k.word(*term);
            k.id(*leader);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::{disk, leader, World};

    #[test]
    fn two_leaders_of_one_term_fire_even_if_never_together() {
        let mut check = Shared::<ElectionSafety>::default();
        let (first, second) = (leader(1, 2, &[1]), leader(2, 2, &[1]));
        assert!(World::default().live(&first).check(&mut check).is_empty());
        let gone = disk(2, Some(1), 2, &[1, 2]);
        let found = World::default().crashed(1, &gone).live(&second).check(&mut check);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].property, found[0].nodes.clone()), (Property::ElectionSafety, vec![1, 2]));
        assert_eq!(found[0].detail, "nodes 1 and 2 both led term 2");
    }

    #[test]
    fn one_leader_per_term_is_silent() {
        let mut check = Shared::<ElectionSafety>::default();
        let (first, later) = (leader(1, 2, &[1]), leader(2, 3, &[1, 2]));
        assert!(World::default().live(&first).check(&mut check).is_empty());
        assert!(World::default().live(&first).live(&later).check(&mut check).is_empty());
        assert!(World::default().live(&first).check(&mut check).is_empty(), "the same leader again");
    }
}
