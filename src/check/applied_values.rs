//! Applied values agree: every node applies the same payload at an index,
//! not only an entry of the same term (`state_machine_safety` compares
//! terms). Together with `apply_order` and `snapshot_contents` this says
//! the state machines hold the same contents at every applied index.
//!
//! Why it can only fire in unit tests with the core as it is: log matching
//! makes entries of one index and term identical, so it takes a node that
//! applies something other than its log entry (a witness applying a
//! metadata-only entry did, before issue 11) to break it.

use super::{Invariant, Observation, Property, Shared, Violation};
use crate::core::{Entry, NodeId, Payload};

/// The first payload fingerprint applied at each index, with its node,
/// at that index in a vector (indexes are dense, as in
/// `state_machine_safety`).
#[derive(Clone, Debug, Default)]
pub struct AppliedValues {
    applied: Vec<Option<(u64, NodeId)>>,
}

/// A fingerprint of an entry's term and payload (FNV-1a): equal entries
/// give equal fingerprints, and different values practically never do.
fn fingerprint(entry: &Entry) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64 ^ entry.term;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            hash = (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    match &entry.payload {
        Payload::Noop => eat(b"noop"),
        Payload::Elided => eat(b"elided"),
        Payload::Write(data) => {
            eat(b"write");
            eat(data);
        }
        // Rare: their one canonical description (describe.rs) tells
        // them apart.
        _ => eat(entry.to_string().as_bytes()),
    }
    hash
}

fn describe(entry: &Entry) -> String {
    match &entry.payload {
        Payload::Write(data) => format!("write {:?}", String::from_utf8_lossy(data)),
        Payload::Noop => "a no-op".into(),
        Payload::Elided => "a metadata-only entry".into(),
        _ => entry.to_string(),
    }
}

impl Invariant for AppliedValues {
    fn observe(memory: &mut Shared<Self>, obs: &Observation<'_>, out: &mut Vec<Violation>) {
        for (id, entry) in obs.applied {
            let slot = entry.index as usize;
            let print = fingerprint(entry);
            let Some(&Some((first_print, first))) = memory.applied.get(slot) else {
                let applied = &mut memory.edit().applied;
                if slot >= applied.len() {
                    applied.resize(slot + 1, None);
                }
                applied[slot] = Some((print, *id));
                continue;
            };
            if first_print != print {
                let detail = format!(
                    "node {id} applied {} at {}@t{}, which node {first} applied with another value",
                    describe(entry),
                    entry.index,
                    entry.term
                );
                out.push(Violation::new(Property::AppliedValues, vec![first, *id], detail));
            }
        }
    }

    /// Writes the payload fingerprint applied first at each index and by
    /// whom.
    fn write_key(&self, k: &mut crate::core::StateKey) {
        k.word(self.applied.len() as u64);
        for at in &self.applied {
            k.opt(at.map(|(fingerprint, _)| fingerprint));
            k.opt_id(at.map(|(_, id)| id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::World;
    use crate::core::Bytes;

    fn write(index: u64, value: &str) -> Entry {
        Entry { index, term: 1, payload: Payload::Write(Bytes::from(value.as_bytes())) }
    }

    #[test]
    fn two_values_applied_at_one_index_and_term_fire() {
        let mut check = Shared::<AppliedValues>::default();
        assert!(World::default()
            .applied(1, write(1, "x=1"))
            .applied(2, write(1, "x=1"))
            .check(&mut check)
            .is_empty());
        let found = World::default().applied(3, write(1, "x=2")).check(&mut check);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].nodes, vec![1, 3]);
        assert_eq!(
            found[0].detail,
            "node 3 applied write \"x=2\" at 1@t1, which node 1 applied with another value"
        );
    }

    #[test]
    fn a_metadata_only_entry_applied_fires() {
        let mut check = Shared::<AppliedValues>::default();
        let elided = Entry { index: 1, term: 1, payload: Payload::Elided };
        let found = World::default().applied(1, write(1, "x=1")).applied(4, elided).check(&mut check);
        assert_eq!(found.len(), 1, "{found:?}");
    }
}
