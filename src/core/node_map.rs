//! A map kept as a vector sorted by key: [`NodeMap`], from node id to a
//! value (the simulator's nodes, what each check remembers about each
//! node), and the checker's and the network's other small maps and sets.
//!
//! Why not a `BTreeMap`: a cluster has at most a few dozen nodes and these
//! maps are searched several times per simulated step, so a sorted vector
//! is faster to search, to walk and to clone (a `Timeline` clones the
//! simulator at every checkpoint); the checker's maps keyed by log index
//! grow at their end, where a vector appends cheaply; it walks in the same
//! key order, so runs replay exactly; and it is far less code per key and
//! value type in the wasm module than a B-tree. The methods are named and
//! typed as `BTreeMap`'s; a set is a map to `()`.

use std::fmt;
use std::ops::Index;

use super::entry::NodeId;

/// A key of a [`SortedMap`], which may guess where it sits. Node ids and
/// log indexes run densely from 1, so key `k` is usually at `k - 1`: one
/// comparison finds it, where a search would chain a few dependent probes
/// on every lookup of a node by id.
pub trait MapKey: Ord {
    /// Where the key probably is, if there is a guess.
    fn slot_hint(&self) -> Option<usize> {
        None
    }
}

impl MapKey for u64 {
    fn slot_hint(&self) -> Option<usize> {
        usize::try_from(self.wrapping_sub(1)).ok()
    }
}

impl<A: Ord, B: Ord> MapKey for (A, B) {}

impl<A: Ord, B: Ord, C: Ord> MapKey for (A, B, C) {}

/// Values by key, kept sorted by key. The keys are kept apart from the
/// values: a search reads only keys, packed together, however large the
/// values (a simulated node is nearly a kilobyte).
#[derive(Clone, PartialEq, Eq)]
pub struct SortedMap<K, V> {
    keys: Vec<K>,
    values: Vec<V>,
}

/// Values by node id, kept sorted by id.
pub type NodeMap<V> = SortedMap<NodeId, V>;

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> SortedMap<K, V> {
        SortedMap { keys: Vec::new(), values: Vec::new() }
    }
}

impl<K: MapKey, V> SortedMap<K, V> {
    fn find(&self, id: &K) -> Result<usize, usize> {
        if let Some(i) = id.slot_hint() {
            if self.keys.get(i) == Some(id) {
                return Ok(i);
            }
        }
        self.keys.binary_search(id)
    }

    /// The value for `id`, if any.
    pub fn get(&self, id: &K) -> Option<&V> {
        self.find(id).ok().map(|i| &self.values[i])
    }

    /// The value for `id`, if any, to change.
    pub fn get_mut(&mut self, id: &K) -> Option<&mut V> {
        self.find(id).ok().map(|i| &mut self.values[i])
    }

    /// True if `id` has a value.
    pub fn contains_key(&self, id: &K) -> bool {
        self.find(id).is_ok()
    }

    /// The value for `id`, made with `make` if there was none.
    pub fn get_or_insert_with(&mut self, id: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&id) {
            Ok(i) => i,
            Err(i) => {
                self.keys.insert(i, id);
                self.values.insert(i, make());
                i
            }
        };
        &mut self.values[i]
    }

    /// Sets the value for `id`; returns the value it replaced.
    pub fn insert(&mut self, id: K, value: V) -> Option<V> {
        match self.find(&id) {
            Ok(i) => Some(std::mem::replace(&mut self.values[i], value)),
            Err(i) => {
                self.keys.insert(i, id);
                self.values.insert(i, value);
                None
            }
        }
    }

    /// Forgets `id`; returns its value.
    pub fn remove(&mut self, id: &K) -> Option<V> {
        let i = self.find(id).ok()?;
        self.keys.remove(i);
        Some(self.values.remove(i))
    }

    /// Keeps only the entries for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        // Kept entries move down over the dropped ones, in order.
        let mut kept = 0;
        for i in 0..self.keys.len() {
            if keep(&self.keys[i], &mut self.values[i]) {
                self.keys.swap(kept, i);
                self.values.swap(kept, i);
                kept += 1;
            }
        }
        self.keys.truncate(kept);
        self.values.truncate(kept);
    }

    /// The first key above `id`: walks the keys while the map may change.
    pub fn next_key_after(&self, id: K) -> Option<K>
    where
        K: Copy,
    {
        let i = match self.find(&id) {
            Ok(i) => i + 1,
            Err(i) => i,
        };
        self.keys.get(i).copied()
    }

    /// Forgets every entry.
    pub fn clear(&mut self) {
        self.keys.clear();
        self.values.clear();
    }

    /// The entry with the highest key, if any.
    pub fn last_key_value(&self) -> Option<(&K, &V)> {
        self.keys.last().zip(self.values.last())
    }

    /// The entries from key `from` up, in key order.
    pub fn range_from(&self, from: &K) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator {
        let start = self.keys.partition_point(|k| k < from);
        self.keys[start..].iter().zip(&self.values[start..])
    }

    /// How many keys have a value.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when no key has a value.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator {
        self.keys.iter().zip(&self.values)
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.keys.iter()
    }

    /// The values in key order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + ExactSizeIterator {
        self.values.iter()
    }

    /// The entries in key order, values to change.
    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = (&K, &mut V)> + ExactSizeIterator {
        self.keys.iter().zip(&mut self.values)
    }

    /// The values in key order, to change.
    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut V> + ExactSizeIterator {
        self.values.iter_mut()
    }
}

/// As a map, `{key: value, ..}` in key order, as `BTreeMap` prints.
impl<K: fmt::Debug, V: fmt::Debug> fmt::Debug for SortedMap<K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.keys.iter().zip(&self.values)).finish()
    }
}

/// Collects entries in any order; a repeated key keeps its last value, as
/// `BTreeMap` does.
impl<K: MapKey, V> FromIterator<(K, V)> for SortedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(entries: I) -> SortedMap<K, V> {
        let mut map = SortedMap::default();
        for (id, value) in entries {
            map.insert(id, value);
        }
        map
    }
}

impl<K: MapKey + std::fmt::Debug, V> Index<&K> for SortedMap<K, V> {
    type Output = V;

    /// The value for `id`; panics if there is none, as `BTreeMap` does.
    fn index(&self, id: &K) -> &V {
        self.get(id).unwrap_or_else(|| panic!("no key {id:?}"))
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::iter::Zip<std::slice::Iter<'a, K>, std::slice::Iter<'a, V>>;

    fn into_iter(self) -> Self::IntoIter {
        self.keys.iter().zip(&self.values)
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
        assert_eq!(map.range_from(&4).map(|(id, _)| *id).collect::<Vec<_>>(), [5, 6]);
        assert_eq!(map.last_key_value(), Some((&6, &60)));
    }

    #[test]
    fn finds_keys_where_the_dense_guess_is_right_and_where_it_is_wrong() {
        // Dense from 1 (the guess is right), then 0 and gaps (it is not).
        let map: NodeMap<u64> = [0, 1, 2, 3, 7, 9].into_iter().map(|id| (id, id * 10)).collect();
        for id in [0, 1, 2, 3, 7, 9] {
            assert_eq!(map.get(&id), Some(&(id * 10)), "key {id}");
        }
        for id in [4, 5, 6, 8, 10, u64::MAX] {
            assert_eq!(map.get(&id), None, "key {id}");
        }
    }
}
