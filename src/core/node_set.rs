//! A set of node ids: a membership's voters, learners and witnesses, and
//! the voter set a reconfiguration asks for.
//!
//! Why not a `BTreeSet`: a configuration names a few nodes and is read on
//! every quorum count and cloned with every configuration entry, so a
//! vector sorted by id is faster to search, to walk and to clone; it walks
//! in the same ascending id order, so runs replay exactly; it serializes as
//! the same JSON array; and it is one small type instead of another set
//! instantiation in the wasm module. The methods are named and typed as
//! `BTreeSet`'s.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::entry::NodeId;

/// Node ids, kept sorted ascending and without repeats.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct NodeSet {
    ids: Vec<NodeId>,
}

impl NodeSet {
    /// Adds `id`; returns true if it was not there yet.
    pub fn insert(&mut self, id: NodeId) -> bool {
        match self.ids.binary_search(&id) {
            Ok(_) => false,
            Err(i) => {
                self.ids.insert(i, id);
                true
            }
        }
    }

    /// Takes `id` out; returns true if it was there.
    pub fn remove(&mut self, id: &NodeId) -> bool {
        match self.ids.binary_search(id) {
            Ok(i) => {
                self.ids.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// True if `id` is in the set.
    pub fn contains(&self, id: &NodeId) -> bool {
        self.ids.binary_search(id).is_ok()
    }

    /// Keeps only the ids for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(&NodeId) -> bool) {
        self.ids.retain(|id| keep(id));
    }

    /// The ids in `self` but not in `other`, in order.
    pub fn difference<'a>(&'a self, other: &'a NodeSet) -> impl Iterator<Item = &'a NodeId> {
        self.ids.iter().filter(move |id| !other.contains(id))
    }

    /// How many ids the set holds.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when the set holds no id.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The ids in ascending order.
    pub fn iter(&self) -> std::slice::Iter<'_, NodeId> {
        self.ids.iter()
    }
}

/// Adds ids in any order; repeats and ids already present are kept once.
impl Extend<NodeId> for NodeSet {
    fn extend<I: IntoIterator<Item = NodeId>>(&mut self, ids: I) {
        self.ids.extend(ids);
        self.ids.sort_unstable();
        self.ids.dedup();
    }
}

/// Collects ids in any order; repeats are kept once, as `BTreeSet` does.
impl FromIterator<NodeId> for NodeSet {
    fn from_iter<I: IntoIterator<Item = NodeId>>(ids: I) -> NodeSet {
        let mut set = NodeSet::default();
        set.extend(ids);
        set
    }
}

impl<'a> IntoIterator for &'a NodeSet {
    type Item = &'a NodeId;
    type IntoIter = std::slice::Iter<'a, NodeId>;

    fn into_iter(self) -> Self::IntoIter {
        self.ids.iter()
    }
}

impl IntoIterator for NodeSet {
    type Item = NodeId;
    type IntoIter = std::vec::IntoIter<NodeId>;

    fn into_iter(self) -> Self::IntoIter {
        self.ids.into_iter()
    }
}

/// A JSON array of the ids in order, exactly as a `BTreeSet` writes it.
impl Serialize for NodeSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(&self.ids)
    }
}

/// Any array of ids; like a `BTreeSet`, repeats are kept once.
impl<'de> Deserialize<'de> for NodeSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<NodeSet, D::Error> {
        Vec::<NodeId>::deserialize(deserializer).map(NodeSet::from_iter)
    }
}

#[cfg(test)]
mod tests {
    use super::{NodeId, NodeSet};

    fn ids(set: &NodeSet) -> Vec<NodeId> {
        set.iter().copied().collect()
    }

    #[test]
    fn keeps_ids_sorted_and_once_whatever_the_insertion_order() {
        let mut set: NodeSet = [5, 1, 3, 1, 5].into_iter().collect();
        assert_eq!(ids(&set), [1, 3, 5]);
        assert!(set.insert(2) && set.insert(6));
        assert!(!set.insert(3), "3 was already there");
        set.extend([4, 6, 0, 2]);
        assert_eq!(ids(&set), [0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(set.len(), 7);
        assert_eq!(set.clone().into_iter().collect::<Vec<_>>(), [0, 1, 2, 3, 4, 5, 6]);
        let mut walked = Vec::new();
        for id in &set {
            walked.push(*id);
        }
        assert_eq!(walked, ids(&set));
    }

    #[test]
    fn remove_contains_retain() {
        let mut set: NodeSet = (1..=5).collect();
        assert!(set.remove(&3));
        assert!(!set.remove(&3) && !set.remove(&9));
        assert!(set.contains(&1) && set.contains(&5) && !set.contains(&3) && !set.contains(&0));
        set.retain(|id| id % 2 == 1);
        assert_eq!(ids(&set), [1, 5]);
        set.retain(|_| false);
        assert!(set.is_empty() && !set.contains(&1));
        assert_eq!(set.len(), 0);
    }

    #[test]
    fn difference_and_equality() {
        let a: NodeSet = [4, 1, 2, 3].into_iter().collect();
        let b: NodeSet = [3, 5, 1].into_iter().collect();
        assert_eq!(a.difference(&b).copied().collect::<Vec<_>>(), [2, 4]);
        assert_eq!(b.difference(&a).copied().collect::<Vec<_>>(), [5]);
        assert_eq!(a, [1, 2, 3, 4, 4].into_iter().collect::<NodeSet>());
        assert_ne!(a, b);
    }

    #[test]
    fn json_is_a_btreeset_array() {
        let set: NodeSet = [3, 1, 2].into_iter().collect();
        let std_set: std::collections::BTreeSet<NodeId> = [3, 1, 2].into_iter().collect();
        let json = serde_json::to_string(&set).unwrap();
        assert_eq!(json, serde_json::to_string(&std_set).unwrap());
        assert_eq!(json, "[1,2,3]");
        assert_eq!(serde_json::to_string(&NodeSet::default()).unwrap(), "[]");
        let back: NodeSet = serde_json::from_str("[2,1,2,3]").unwrap();
        assert_eq!(back, set);
    }
}
