//! A witness never holds data (PROTOCOL.md §1): it never applies an entry
//! and never keeps a snapshot with data, in any configuration. Its kind is
//! the one it was created with (`Config::kind`), whatever configuration it
//! holds.
//!
//! Why it can only fire in unit tests with the core as it is: the core
//! decides by that fixed kind; before issue 11 it decided by the
//! configuration, and a witness added by the leader applied entries before
//! its configuration reached it.

use super::{Invariant, Observation, Property, Shared, Violation};
use crate::core::MemberKind;

/// Stateless: every step is checked on its own.
#[derive(Clone, Debug, Default)]
pub struct WitnessData;

impl Invariant for WitnessData {
    fn observe(_: &mut Shared<Self>, obs: &Observation<'_>, out: &mut Vec<Violation>) {
        let is_witness = |id| {
            obs.nodes
                .iter()
                .any(|s| s.id == id && s.node.is_some_and(|n| n.config().kind == MemberKind::Witness))
        };
        for (id, entry) in obs.applied {
            if is_witness(*id) {
                let detail = format!("witness {id} applied {}@t{}", entry.index, entry.term);
                out.push(Violation::new(Property::WitnessData, vec![*id], detail));
            }
        }
        for state in obs.nodes {
            let Some(node) = state.node.filter(|n| n.config().kind == MemberKind::Witness) else { continue };
            let snapshot = node.snapshot();
            if !snapshot.data.is_empty() {
                let detail = format!(
                    "witness {} keeps a snapshot at {} with {} bytes of data",
                    state.id,
                    snapshot.index,
                    snapshot.data.len()
                );
                out.push(Violation::new(Property::WitnessData, vec![state.id], detail));
            }
        }
    }

    /// Writes nothing: it remembers nothing.
    fn write_key(&self, _: &mut crate::core::StateKey) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::{entry, World};
    use crate::core::{Config, Member, Node};

    #[test]
    fn a_witness_that_applies_fires_and_a_data_member_does_not() {
        let mut check = Shared::<WitnessData>::default();
        let members = vec![Member::data(1), Member::data(2), Member::witness(3)];
        let data = Node::new(Config::new(1, members.clone())).unwrap();
        let witness = Node::new(Config::new(3, members)).unwrap();
        let world = World::default().live(&data).live(&witness).applied(1, entry(1, 1));
        assert!(world.check(&mut check).is_empty());
        let found = World::default().live(&data).live(&witness).applied(3, entry(1, 1)).check(&mut check);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].detail, "witness 3 applied 1@t1");
    }
}
