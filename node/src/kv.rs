//! The replicated key-value store the client API reads and writes, and the
//! commands its log entries carry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use quorumscope::core::Bytes;

/// The longest key accepted, in bytes (SCENARIO.md, the client API).
pub const MAX_KEY_BYTES: usize = 256;
/// The longest value accepted, in bytes.
pub const MAX_VALUE_BYTES: usize = 64 << 10;

/// What a write entry asks of the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// Set `key` to `value`.
    Put {
        /// The key.
        key: String,
        /// The value.
        value: String,
    },
    /// Changes nothing: a linearizable read goes through the log, and is
    /// answered when this entry applies (see `host.rs` for why).
    Read,
}

impl Command {
    /// The entry payload.
    pub fn encode(&self) -> Bytes {
        serde_json::to_vec(self).unwrap_or_default().into()
    }

    /// The command in a payload; `None` for bytes that are not one, which
    /// the store ignores rather than trusting.
    pub fn decode(bytes: &[u8]) -> Option<Command> {
        serde_json::from_slice(bytes).ok()
    }
}

/// The store.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Store {
    values: BTreeMap<String, String>,
}

impl Store {
    /// Applies one committed write entry's payload.
    pub fn apply(&mut self, payload: &[u8]) {
        if let Some(Command::Put { key, value }) = Command::decode(payload) {
            self.values.insert(key, value);
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(String::as_str)
    }

    /// The store as snapshot bytes.
    pub fn encode(&self) -> Bytes {
        serde_json::to_vec(self).unwrap_or_default().into()
    }

    /// The store in snapshot bytes; empty bytes are an empty store.
    pub fn decode(bytes: &[u8]) -> Result<Store, String> {
        if bytes.is_empty() {
            return Ok(Store::default());
        }
        serde_json::from_slice(bytes).map_err(|e| format!("snapshot data: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn puts_apply_reads_and_junk_do_not_and_snapshots_round_trip() {
        let mut store = Store::default();
        store.apply(&Command::Put { key: "a".into(), value: "1".into() }.encode());
        store.apply(&Command::Read.encode());
        store.apply(b"not a command");
        store.apply(&Command::Put { key: "a=b".into(), value: "2".into() }.encode());
        assert_eq!(store.get("a"), Some("1"));
        assert_eq!(store.get("a=b"), Some("2"));
        assert_eq!(Store::decode(&store.encode()).unwrap(), store);
        assert!(Store::decode(b"{").is_err());
    }
}
