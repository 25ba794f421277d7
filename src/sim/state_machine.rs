//! The simulated application: a key-value store fed by applied writes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::core::{Bytes, Index};

/// A key-value store; `k=v` sets `k`, a value without `=` sets itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KvStore {
    /// Current values.
    pub values: BTreeMap<String, String>,
    /// Index of the last write applied.
    pub applied: Index,
}

impl KvStore {
    /// Applies a write at `index`.
    pub fn apply(&mut self, index: Index, write: &str) {
        let (key, value) = write.split_once('=').unwrap_or((write, ""));
        // A restart replays the whole log through here: overwrite a known
        // key's value in place rather than allocate the key again.
        match self.values.get_mut(key) {
            Some(old) => value.clone_into(old),
            None => {
                self.values.insert(key.to_string(), value.to_string());
            }
        }
        self.applied = index;
    }

    /// The store as snapshot bytes.
    pub fn encode(&self) -> Bytes {
        Bytes::from(serde_json::to_vec(self).unwrap_or_default())
    }

    /// The store from snapshot bytes (empty bytes: an empty store).
    pub fn decode(data: &[u8]) -> KvStore {
        serde_json::from_slice(data).unwrap_or_default()
    }
}
