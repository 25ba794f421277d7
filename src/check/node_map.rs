//! A map from node id to what a check remembers about that node.
//!
//! Why not a `BTreeMap`: a cluster has at most a few dozen nodes and every
//! check looks its nodes up after every step, so a vector sorted by id is
//! several times faster to search and to clone (checkpoints clone the
//! checker), iterates in the same id order (runs replay exactly), and is
//! one small type instead of a map instantiation per value type in the
//! wasm module.

use crate::core::NodeId;

/// Values by node id, kept sorted by id.
#[derive(Clone, Debug)]
pub(crate) struct NodeMap<V> {
    slots: Vec<(NodeId, V)>,
}

impl<V> Default for NodeMap<V> {
    fn default() -> NodeMap<V> {
        NodeMap { slots: Vec::new() }
    }
}

impl<V> NodeMap<V> {
    fn find(&self, id: NodeId) -> Result<usize, usize> {
        self.slots.binary_search_by_key(&id, |(k, _)| *k)
    }

    /// The value for `id`, if any.
    pub(crate) fn get(&self, id: NodeId) -> Option<&V> {
        self.find(id).ok().map(|i| &self.slots[i].1)
    }

    /// The value for `id`, made with `make` if there was none.
    pub(crate) fn get_or_insert_with(&mut self, id: NodeId, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(id) {
            Ok(i) => i,
            Err(i) => {
                self.slots.insert(i, (id, make()));
                i
            }
        };
        &mut self.slots[i].1
    }

    /// Sets the value for `id`.
    pub(crate) fn insert(&mut self, id: NodeId, value: V) {
        match self.find(id) {
            Ok(i) => self.slots[i].1 = value,
            Err(i) => self.slots.insert(i, (id, value)),
        }
    }

    /// Forgets `id`.
    pub(crate) fn remove(&mut self, id: NodeId) {
        if let Ok(i) = self.find(id) {
            self.slots.remove(i);
        }
    }

    /// Keeps only the nodes for which `keep` is true.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(NodeId, &V) -> bool) {
        self.slots.retain(|(id, v)| keep(*id, v));
    }
}

#[cfg(test)]
mod tests {
    use super::{NodeId, NodeMap};

    #[test]
    fn keeps_ids_sorted_whatever_the_insertion_order() {
        let mut map = NodeMap::default();
        for id in [5, 1, 3, 2, 4] {
            map.insert(id, id * 10);
        }
        map.insert(3, 33);
        *map.get_or_insert_with(6, || 0) += 60;
        map.remove(1);
        map.retain(|id, _| id != 4);
        let ids: Vec<(NodeId, u64)> = map.slots.clone();
        assert_eq!(ids, [(2, 20), (3, 33), (5, 50), (6, 60)]);
        assert_eq!((map.get(3), map.get(4)), (Some(&33), None));
    }
}
