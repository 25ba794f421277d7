//! The simulated application: a key-value store fed by applied writes.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::core::{Bytes, Index};
use crate::json::path::{object, text, uint, Fields};
use crate::json::{self, Json};

/// A key-value store; `k=v` sets `k`, a value without `=` sets itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
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
        Bytes::from(json::to_string(self).unwrap_or_default().into_bytes())
    }

    /// The store from snapshot bytes (empty bytes: an empty store).
    pub fn decode(data: &[u8]) -> KvStore {
        let json = std::str::from_utf8(data).map_err(|e| e.to_string()).and_then(json::parse);
        json.and_then(|v| KvStore::read(&v)).unwrap_or_default()
    }

    /// The store from the JSON `encode` writes.
    fn read(v: &Json) -> Result<KvStore, String> {
        let f = Fields::of(v, "store")?;
        let values = f.required("values", "an object", |v, path| {
            object(v, path)?.iter().map(|(key, value)| Ok((key.to_string(), text(value, path)?))).collect()
        })?;
        let applied = f.required("applied", "an index", |v, path| uint(v, path, "an index"))?;
        Ok(KvStore { values, applied })
    }
}
