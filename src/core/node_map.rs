//! A map from node id to a value: the simulator's nodes, and what each
//! check of the checker remembers about each node.
//!
//! Why not a `BTreeMap`: a cluster has at most a few dozen nodes and these
//! maps are searched several times per simulated step, so a vector sorted
//! by id is faster to search, to walk and to clone (a `Timeline` clones the
//! simulator at every checkpoint); it walks in the same id order, so runs
//! replay exactly; and it is one small type instead of a map instantiation
//! per value type in the wasm module. The methods are named and typed as
//! `BTreeMap`'s.

use std::ops::Index;

use super::entry::NodeId;

/// Values by node id, kept sorted by id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeMap<V> {
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
    pub fn get(&self, id: &NodeId) -> Option<&V> {
        self.find(*id).ok().map(|i| &self.slots[i].1)
    }

    /// The value for `id`, if any, to change.
    pub fn get_mut(&mut self, id: &NodeId) -> Option<&mut V> {
        self.find(*id).ok().map(|i| &mut self.slots[i].1)
    }

    /// True if `id` has a value.
    pub fn contains_key(&self, id: &NodeId) -> bool {
        self.find(*id).is_ok()
    }

    /// The value for `id`, made with `make` if there was none.
    pub fn get_or_insert_with(&mut self, id: NodeId, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(id) {
            Ok(i) => i,
            Err(i) => {
                self.slots.insert(i, (id, make()));
                i
            }
        };
        &mut self.slots[i].1
    }

    /// Sets the value for `id`; returns the value it replaced.
    pub fn insert(&mut self, id: NodeId, value: V) -> Option<V> {
        match self.find(id) {
            Ok(i) => Some(std::mem::replace(&mut self.slots[i].1, value)),
            Err(i) => {
                self.slots.insert(i, (id, value));
                None
            }
        }
    }

    /// Forgets `id`; returns its value.
    pub fn remove(&mut self, id: &NodeId) -> Option<V> {
        self.find(*id).ok().map(|i| self.slots.remove(i).1)
    }

    /// Keeps only the entries for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&NodeId, &mut V) -> bool) {
        self.slots.retain_mut(|(id, v)| keep(id, v));
    }

    /// The first id above `id`: walks the ids while the map may change.
    pub fn next_key_after(&self, id: NodeId) -> Option<NodeId> {
        let i = self.slots.partition_point(|(k, _)| *k <= id);
        self.slots.get(i).map(|(k, _)| *k)
    }

    /// How many ids have a value.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when no id has a value.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The entries in id order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&NodeId, &V)> + ExactSizeIterator {
        self.slots.iter().map(|(id, v)| (id, v))
    }

    /// The ids in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &NodeId> + ExactSizeIterator {
        self.slots.iter().map(|(id, _)| id)
    }

    /// The values in id order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.slots.iter().map(|(_, v)| v)
    }

    /// The entries in id order, values to change.
    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = (&NodeId, &mut V)> + ExactSizeIterator {
        self.slots.iter_mut().map(|(id, v)| (&*id, v))
    }

    /// The values in id order, to change.
    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.slots.iter_mut().map(|(_, v)| v)
    }
}

/// Collects entries in any order; a repeated id keeps its last value, as
/// `BTreeMap` does.
impl<V> FromIterator<(NodeId, V)> for NodeMap<V> {
    fn from_iter<I: IntoIterator<Item = (NodeId, V)>>(entries: I) -> NodeMap<V> {
        let mut map = NodeMap::default();
        for (id, value) in entries {
            map.insert(id, value);
        }
        map
    }
}

impl<V> Index<&NodeId> for NodeMap<V> {
    type Output = V;

    /// The value for `id`; panics if there is none, as `BTreeMap` does.
    fn index(&self, id: &NodeId) -> &V {
        self.get(id).unwrap_or_else(|| panic!("no node {id}"))
    }
}

impl<'a, V> IntoIterator for &'a NodeMap<V> {
    type Item = (&'a NodeId, &'a V);
    type IntoIter =
        std::iter::Map<std::slice::Iter<'a, (NodeId, V)>, fn(&'a (NodeId, V)) -> (&'a NodeId, &'a V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.slots.iter().map(|(id, v)| (id, v))
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
        assert_eq!(map.insert(3, 33), Some(30));
        *map.get_or_insert_with(6, || 0) += 60;
        assert_eq!(map.remove(&1), Some(10));
        map.retain(|id, _| *id != 4);
        let all: Vec<(NodeId, u64)> = map.iter().map(|(id, v)| (*id, *v)).collect();
        assert_eq!(all, [(2, 20), (3, 33), (5, 50), (6, 60)]);
        assert_eq!((map.get(&3), map.get(&4), map[&5]), (Some(&33), None, 50));
        assert_eq!((map.next_key_after(3), map.next_key_after(6)), (Some(5), None));
    }
}
