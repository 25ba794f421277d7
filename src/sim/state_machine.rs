//! The simulated application: a key-value store fed by applied writes.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::fmt;

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::core::{Bytes, Index};
use crate::json::path::{object, text, uint, Fields};
use crate::json::{self, Json};

/// A key-value store; `k=v` sets `k` to `v`, a write without `=` sets
/// itself to the empty value.
///
/// It keeps the applied writes themselves (shared with the log), not
/// copies: a restart replays the whole committed log through `apply`, and
/// sharing makes each replayed write cost a lookup and no allocation.
#[derive(Clone, Default)]
pub struct KvStore {
    /// Each key as the latest write that set it holds it; the value
    /// follows the key and its `=` in that write. A set of writes, not a
    /// map from key to write: one shared pointer per key, so an overwrite
    /// counts one reference up and one down, not two of each.
    values: BTreeSet<Key>,
    /// Index of the last write applied.
    pub applied: Index,
}

/// A key: the first `len` bytes of `write`, which is UTF-8.
#[derive(Clone)]
struct Key {
    /// The key's first eight bytes, big-endian and zero-padded: they order
    /// keys as their bytes do, so comparing them settles almost every
    /// comparison of a search without comparing memory.
    prefix: u64,
    write: Bytes,
    len: usize,
}

impl Key {
    fn new(write: Bytes, len: usize) -> Key {
        // Zero-padded on the right: a key sorts after its proper prefixes.
        let bytes = &write[..len];
        let prefix = (0..8).fold(0u64, |p, i| p << 8 | u64::from(bytes.get(i).copied().unwrap_or(0)));
        Key { prefix, write, len }
    }

    /// The key of `write`, the bytes before its first `=` (all of them
    /// without one), with its prefix gathered in the same pass.
    fn of(write: Bytes) -> Key {
        let (mut prefix, mut len) = (0u64, write.len());
        for (i, &b) in write.iter().enumerate() {
            if b == b'=' {
                len = i;
                break;
            }
            if i < 8 {
                prefix |= u64::from(b) << (56 - 8 * i);
            }
        }
        Key { prefix, write, len }
    }

    fn bytes(&self) -> &[u8] {
        &self.write[..self.len]
    }

    /// The value the write sets: what follows the key and its `=`.
    fn value(&self) -> &str {
        utf8(self.write.get(self.len + 1..).unwrap_or_default())
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Key) -> Ordering {
        self.prefix.cmp(&other.prefix).then_with(|| {
            // Equal prefixes and a key of at most eight bytes: it is the
            // other key or a proper prefix of it, so length decides. That
            // spares the usual case, a search ending on an equal key, a
            // call to compare memory.
            if self.len.min(other.len) <= 8 {
                self.len.cmp(&other.len)
            } else {
                self.bytes()[8..].cmp(&other.bytes()[8..])
            }
        })
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.prefix == other.prefix && self.bytes() == other.bytes()
    }
}

impl Eq for Key {}

/// Text the store checked to be UTF-8 when it took it in (so never the
/// empty fallback, which spares the wasm a panic message).
fn utf8(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap_or_default()
}

impl KvStore {
    /// Applies a write at `index`. A write that is not UTF-8 is read as
    /// `String::from_utf8_lossy` reads it.
    pub fn apply(&mut self, index: Index, write: &Bytes) {
        // Writes are short and ASCII in practice: that check is cheaper
        // than a call to validate UTF-8, and both are cheaper than
        // `from_utf8_lossy`'s chunked walk, which is kept for the rest.
        let write = if write.is_ascii() || std::str::from_utf8(write).is_ok() {
            write.clone()
        } else {
            Bytes::from(String::from_utf8_lossy(write).into_owned().into_bytes())
        };
        self.values.replace(Key::of(write));
        self.applied = index;
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        let key = self.values.get(&Key::new(Bytes::from(key.as_bytes()), key.len()))?;
        Some(key.value())
    }

    /// How many keys are set.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no key is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Every key and its value, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|key| (utf8(key.bytes()), key.value()))
    }

    /// The store as snapshot bytes.
    pub fn encode(&self) -> Bytes {
        Bytes::from(json::to_string(self).unwrap_or_default().into_bytes())
    }

    /// The store from snapshot bytes (empty bytes: an empty store).
    pub fn decode(data: &[u8]) -> KvStore {
        // Not parsed: the parser's error for empty text is formatted, and
        // a snapshot of an empty store (every restart's) would pay for it.
        if data.is_empty() {
            return KvStore::default();
        }
        let json = std::str::from_utf8(data).map_err(|e| e.to_string()).and_then(json::parse);
        json.and_then(|v| KvStore::read(&v)).unwrap_or_default()
    }

    /// The store from the JSON `encode` writes.
    fn read(v: &Json) -> Result<KvStore, String> {
        let f = Fields::of(v, "store")?;
        let values = f.required("values", "an object", |v, path| {
            // Inserted one by one, the last of a repeated key winning (as
            // collecting would): collecting into a set sorts first, and
            // that sort is kilobytes of wasm.
            let mut values = BTreeSet::new();
            for (key, value) in object(v, path)?.iter() {
                // Stored as the write `key=value` would be; the key's
                // length marks where its value starts.
                let write = Bytes::from(format!("{key}={}", text(value, path)?).into_bytes());
                values.replace(Key::new(write, key.len()));
            }
            Ok(values)
        })?;
        let applied = f.required("applied", "an index", |v, path| uint(v, path, "an index"))?;
        Ok(KvStore { values, applied })
    }
}

/// The map of values, as `KvStore` serializes and debug-prints it.
struct Values<'a>(&'a KvStore);

impl Serialize for Values<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter())
    }
}

impl fmt::Debug for Values<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.iter()).finish()
    }
}

/// As a struct of a `values` map and `applied`, the snapshot format.
impl Serialize for KvStore {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("KvStore", 2)?;
        s.serialize_field("values", &Values(self))?;
        s.serialize_field("applied", &self.applied)?;
        s.end()
    }
}

/// As the store would derive it with a `values` map, which the explorer
/// hashes to tell states apart.
impl fmt::Debug for KvStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KvStore").field("values", &Values(self)).field("applied", &self.applied).finish()
    }
}

/// Stores are equal when they hold the same values at the same index,
/// whichever writes set them.
impl PartialEq for KvStore {
    fn eq(&self, other: &KvStore) -> bool {
        self.applied == other.applied && self.iter().eq(other.iter())
    }
}

impl Eq for KvStore {}

impl KvStore {
    /// Writes the store's state: each key's latest write, and the index
    /// applied.
    pub fn write_key(&self, k: &mut crate::core::StateKey) {
        let KvStore { values, applied } = self;
        k.word(values.len() as u64);
        for key in values {
            k.bytes(&key.write);
        }
        k.word(*applied);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The store as it was before it shared writes, with the derived
    /// `Debug` and `Serialize` the snapshot bytes and the explorer rely on.
    mod owned {
        use std::collections::BTreeMap;

        #[derive(Debug, serde::Serialize)]
        pub struct KvStore {
            pub values: BTreeMap<String, String>,
            pub applied: u64,
        }
    }

    /// What the owned store held after `writes`: split at the first `=`,
    /// lossy for writes that are not UTF-8.
    fn owned(writes: &[&[u8]]) -> owned::KvStore {
        let mut values = std::collections::BTreeMap::new();
        for w in writes {
            let text = String::from_utf8_lossy(w);
            let (key, value) = text.split_once('=').unwrap_or((&text, ""));
            values.insert(key.to_string(), value.to_string());
        }
        owned::KvStore { values, applied: writes.len() as Index }
    }

    #[test]
    fn reads_as_the_owned_store_did() {
        // Keys around the eight bytes compared first, empty, with NULs,
        // and not UTF-8 (two of them read as the same key).
        let writes: &[&[u8]] = &[
            b"k0=1",
            b"k0",
            b"abcdefgh=8",
            b"abcdefghi=9",
            b"abcdefgh\0=nul",
            b"abc=3",
            b"ab\0=x",
            b"=empty key",
            b"b=1=2",
            b"k0=2",
            b"abcdefghi=",
            b"\xff\xfe=not utf-8",
            b"\xfe=replaced too",
            b"w1",
            b"w10",
            b"w2=\xc3",
        ];
        let mut kv = KvStore::default();
        for (i, w) in writes.iter().enumerate() {
            kv.apply(i as Index + 1, &Bytes::from(*w));
        }
        let want = owned(writes);
        let pairs: Vec<(&str, &str)> = want.values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(kv.iter().collect::<Vec<_>>(), pairs);
        assert_eq!(kv.get("k0"), Some("2"));
        assert_eq!(kv.get("abcdefghi"), Some(""));
        assert_eq!(kv.get("\u{fffd}"), Some("replaced too"));
        assert_eq!(kv.get("abcdefg"), None);
        assert_eq!(format!("{kv:?}"), format!("{want:?}"));
        assert_eq!(kv.encode().as_ref(), json::to_string(&want).unwrap().as_bytes());
        assert_eq!(KvStore::decode(&kv.encode()), kv);
    }
}
