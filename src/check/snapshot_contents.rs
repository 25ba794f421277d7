//! A snapshot's contents equal the node's state after its index
//! (PROTOCOL.md §5): the checker follows each data node's state machine
//! through the entries it applies (the simulator's key-value store), and
//! when the node's snapshot moves to index I, compares the snapshot's data
//! with that state as it was right after I — even when the node applied
//! more in the same step.
//!
//! A snapshot the node restored at a restart or installed from the leader
//! is taken on trust (its taker's was checked when taken), and the state
//! is followed on from it.
//!
//! Why it can only fire in unit tests with the core as it is: the
//! simulator answers a snapshot hint with its store as it was at the hint;
//! before issue 11 it answered with the store at the end of the step, a
//! snapshot "at 2" holding the write at 3.

use super::{Invariant, Observation, Property, Shared, Violation};
use crate::core::{Bytes, Index, MemberKind, Node, NodeId, NodeMap, Payload};
use crate::sim::KvStore;

/// Each data node's state as the checker followed it.
#[derive(Clone, Debug, Default)]
pub struct SnapshotContents {
    shadows: NodeMap<Shadow>,
}

/// One node's state machine, the index it has applied up to, and the
/// snapshot index last checked or trusted.
#[derive(Clone, Debug, Default)]
struct Shadow {
    store: KvStore,
    index: Index,
    checked: Index,
}

impl Shadow {
    /// Starts over from `node`'s snapshot, trusted.
    fn from_snapshot(node: &Node) -> Shadow {
        let s = node.snapshot();
        Shadow { store: KvStore::decode(&s.data), index: s.index, checked: s.index }
    }

    /// Whether `node`'s snapshot is new and at the index this state is at:
    /// then [`Shadow::check`] compares them.
    fn due(&self, node: &Node) -> bool {
        let s = node.snapshot();
        s.index > self.checked && s.index == self.index
    }

    /// Compares `node`'s snapshot with this state, if it is due.
    fn check(&mut self, id: NodeId, node: &Node, out: &mut Vec<Violation>) {
        if !self.due(node) {
            return;
        }
        let s = node.snapshot();
        self.checked = s.index;
        let expected: Bytes = self.store.encode();
        if s.data != expected {
            let held = KvStore::decode(&s.data);
            let detail = format!(
                "node {id}'s snapshot at {} holds writes up to {}, but its state after {} holds writes up to {}",
                s.index, held.applied, s.index, self.store.applied
            );
            out.push(Violation::new(Property::SnapshotContents, vec![id], detail));
        }
    }
}

impl Invariant for SnapshotContents {
    fn observe(memory: &mut Shared<Self>, obs: &Observation<'_>, out: &mut Vec<Violation>) {
        for state in obs.nodes {
            let Some(node) = state.node.filter(|n| n.config().kind == MemberKind::Data) else { continue };
            if obs.was_restarted(state.id) || !memory.shadows.contains_key(&state.id) {
                // The restart's replay below is all at or below this.
                memory.edit().shadows.insert(state.id, Shadow::from_snapshot(node));
            }
        }
        for (id, entry) in obs.applied {
            let Some(node) = obs.nodes.iter().find(|s| s.id == *id).and_then(|s| s.node) else { continue };
            if memory.shadows.get(id).is_none_or(|shadow| entry.index != shadow.index + 1) {
                continue;
            }
            let Some(shadow) = memory.edit().shadows.get_mut(id) else { continue };
            // The snapshot may be at the state before this entry.
            shadow.check(*id, node, out);
            if let Payload::Write(data) = &entry.payload {
                shadow.store.apply(entry.index, data);
            }
            shadow.index = entry.index;
        }
        for state in obs.nodes {
            let Some(node) = state.node else { continue };
            let Some(shadow) = memory.shadows.get(&state.id) else { continue };
            if !shadow.due(node) && node.snapshot().index <= shadow.index {
                continue;
            }
            let Some(shadow) = memory.edit().shadows.get_mut(&state.id) else { continue };
            shadow.check(state.id, node, out);
            if node.snapshot().index > shadow.index {
                // Installed from the leader: followed on from there.
                *shadow = Shadow::from_snapshot(node);
            }
        }
    }

    /// Writes each data node's state as followed.
    fn write_key(&self, k: &mut crate::core::StateKey) {
        k.by_id(self.shadows.iter().map(|(id, s)| (*id, s)), |Shadow { store, index, checked }, k| {
            store.write_key(k);
            k.word(*index);
            k.word(*checked);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::World;
    use crate::core::{Config, Entry, Event, Member};

    fn write(index: Index, value: &str) -> Entry {
        Entry { index, term: 1, payload: Payload::Write(Bytes::from(value.as_bytes())) }
    }

    /// A single voter that applied writes 2 and 3 (after its no-op), with a
    /// snapshot at `at` holding `store`.
    fn node_with_snapshot(at: Index, store: &KvStore) -> Node {
        let mut node = Node::new(Config::new(1, vec![Member::data(1)])).unwrap();
        node.step_synced(Event::TimeoutNow).unwrap();
        node.step_synced(Event::Propose(Bytes::from(&b"x=1"[..]))).unwrap();
        node.step_synced(Event::Propose(Bytes::from(&b"x=2"[..]))).unwrap();
        node.step_synced(Event::Snapshot { index: at, data: store.encode() }).unwrap();
        node
    }

    /// Node 1 applies 1..3 in one step (a no-op, `x=1` at 2, `x=2` at 3)
    /// and holds a snapshot at 2 whose contents are `store`: what the check
    /// reports for that step.
    fn check_snapshot_at_2(store: &KvStore) -> Vec<Violation> {
        let fresh = Node::new(Config::new(1, vec![Member::data(1)])).unwrap();
        let mut check = Shared::<SnapshotContents>::default();
        assert!(World::default().live(&fresh).check(&mut check).is_empty());
        let node = node_with_snapshot(2, store);
        let noop = Entry { index: 1, term: 1, payload: Payload::Noop };
        let world = World::default()
            .live(&node)
            .applied(1, noop)
            .applied(1, write(2, "x=1"))
            .applied(1, write(3, "x=2"));
        world.check(&mut check)
    }

    #[test]
    fn a_snapshot_holding_a_later_write_fires() {
        let mut after_3 = KvStore::default();
        after_3.apply(2, &Bytes::from(&b"x=1"[..]));
        after_3.apply(3, &Bytes::from(&b"x=2"[..]));
        let found = check_snapshot_at_2(&after_3);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].detail,
            "node 1's snapshot at 2 holds writes up to 3, but its state after 2 holds writes up to 2"
        );
    }

    #[test]
    fn a_snapshot_of_the_state_at_its_index_is_silent() {
        let mut after_2 = KvStore::default();
        after_2.apply(2, &Bytes::from(&b"x=1"[..]));
        assert!(check_snapshot_at_2(&after_2).is_empty());
    }
}
