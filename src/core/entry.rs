//! Log entries: the unit of replication.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::control_plane::CpEntry;
use super::membership::Membership;

/// A node's identifier: a small positive integer.
pub type NodeId = u64;
/// A Raft term.
pub type Term = u64;
/// A log index; the log index is the LSN.
pub type Index = u64;
/// An immutable, cheaply cloned byte payload (clones share the buffer).
pub type Bytes = Arc<[u8]>;

/// What an entry carries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Payload {
    /// The empty entry a new leader appends in its term (Raft §8).
    Noop,
    /// A client write.
    Write(Bytes),
    /// A new membership configuration, in effect as soon as it is appended
    /// (Raft thesis §4.1).
    Config(Box<Membership>),
    /// A typed control-plane entry (PROTOCOL.md §8).
    ControlPlane(Box<CpEntry>),
    /// What a witness stores in place of a payload: index and term only.
    Elided,
}

/// One log entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Position in the log (the LSN), starting at 1.
    pub index: Index,
    /// Term of the leader that created the entry.
    pub term: Term,
    /// What the entry carries.
    pub payload: Payload,
}

impl Entry {
    /// The entry as a witness stores it: metadata only. Configuration
    /// entries are kept because a witness must know whom it counts with.
    pub fn for_witness(&self) -> Entry {
        let payload = match &self.payload {
            Payload::Config(m) => Payload::Config(m.clone()),
            _ => Payload::Elided,
        };
        Entry { index: self.index, term: self.term, payload }
    }
}
