//! What a node persists, and the write operations it asks its host to do.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::entry::{Bytes, Entry, Index, NodeId, Term};
use super::membership::Membership;

/// The small durable record: term, vote and commit watermark (etcd's
/// HardState). Persisting the watermark keeps it monotonic across restarts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HardState {
    /// Current term.
    pub term: Term,
    /// Vote granted in that term.
    pub voted_for: Option<NodeId>,
    /// The commit watermark as this node knows it.
    pub commit: Index,
}

/// A snapshot: the state machine up to `index`, with the membership in
/// effect there and the ownership epochs of the control plane.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Last index covered.
    pub index: Index,
    /// Its term.
    pub term: Term,
    /// The membership in effect at `index`.
    pub membership: Membership,
    /// The latest ownership epoch of each range at `index`.
    pub epochs: BTreeMap<String, u64>,
    /// The application's state; empty for witnesses.
    pub data: Bytes,
}

/// One durable write the host must complete before acting on what follows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Persist {
    /// Overwrite the hard state.
    HardState(HardState),
    /// Truncate the log from the first entry's index, then append these.
    Entries(Vec<Entry>),
    /// Store the snapshot and drop the log entries it covers.
    Snapshot(Box<Snapshot>),
}

/// What a host reports durable once a write completes (`Event::Durable`):
/// the term and vote on its disk and where the log on its disk ends. Why
/// the end of the log with its term rather than a count of writes: the core
/// recognises a report about entries it has since truncated (the term at
/// that index differs) and ignores it, as etcd checks a storage reply's
/// index and term.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DurableMark {
    /// The term on disk.
    pub term: Term,
    /// The vote on disk.
    pub voted_for: Option<NodeId>,
    /// The last index on disk (the snapshot's when the log after it is empty).
    pub last_index: Index,
    /// Its term.
    pub last_term: Term,
}

impl DurableMark {
    /// The mark once `write` is done too.
    pub fn after(self, write: &Persist) -> DurableMark {
        let mut mark = self;
        match write {
            Persist::HardState(hs) => (mark.term, mark.voted_for) = (hs.term, hs.voted_for),
            Persist::Entries(entries) => {
                if let Some(last) = entries.last() {
                    (mark.last_index, mark.last_term) = (last.index, last.term);
                }
            }
            // A snapshot keeps the log after it, if any.
            Persist::Snapshot(s) if s.index >= mark.last_index => {
                (mark.last_index, mark.last_term) = (s.index, s.term);
            }
            Persist::Snapshot(_) => {}
        }
        mark
    }
}

/// Everything persisted: what a node restarts from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DurableState {
    /// Term, vote and commit.
    pub hard_state: HardState,
    /// The latest snapshot, if any.
    pub snapshot: Option<Snapshot>,
    /// Log entries after the snapshot.
    pub entries: Vec<Entry>,
}

impl DurableState {
    /// A copy for a node that restarts from this disk, its log with room to
    /// grow. Why: a copy of exactly the log's length would be copied whole
    /// again by the restarted node's first append.
    ///
    /// `spare` is a log the host has at hand, typically the one the node
    /// held in memory when it crashed: when it holds exactly the disk's
    /// entries it becomes the copy. Why: copying a log shares every write's
    /// buffer once more (an atomic count per entry, up now and down when
    /// the crash dropped the old log), and a crash-restart cycle of a long
    /// log is most of a fault campaign's work; comparing is cheaper.
    pub fn copy_for_restart(&self, spare: Vec<Entry>) -> DurableState {
        let entries = if spare == self.entries {
            spare
        } else {
            let mut entries = Vec::with_capacity(self.entries.len() + self.entries.len() / 2 + 16);
            entries.extend_from_slice(&self.entries);
            entries
        };
        DurableState { hard_state: self.hard_state, snapshot: self.snapshot.clone(), entries }
    }

    /// What this disk holds, as a host reports it once a write completes.
    pub fn mark(&self) -> DurableMark {
        let (last_index, last_term) = match (self.entries.last(), &self.snapshot) {
            (Some(e), _) => (e.index, e.term),
            (None, Some(s)) => (s.index, s.term),
            (None, None) => (0, 0),
        };
        DurableMark {
            term: self.hard_state.term,
            voted_for: self.hard_state.voted_for,
            last_index,
            last_term,
        }
    }

    /// Performs one write, as a disk would.
    pub fn apply(&mut self, write: &Persist) {
        match write {
            Persist::HardState(hs) => self.hard_state = *hs,
            Persist::Entries(entries) => {
                if let Some(first) = entries.first() {
                    // Entries are stored in index order: cut at the first
                    // new index by binary search, not by scanning the log.
                    let keep = self.entries.partition_point(|e| e.index < first.index);
                    self.entries.truncate(keep);
                    self.entries.extend(entries.iter().cloned());
                }
            }
            Persist::Snapshot(snap) => {
                let keeps_tail = self.entries.iter().any(|e| e.index == snap.index && e.term == snap.term);
                if keeps_tail {
                    self.entries.retain(|e| e.index > snap.index);
                } else {
                    self.entries.clear();
                }
                self.snapshot = Some((**snap).clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Payload;

    #[test]
    fn a_restart_copy_is_the_disk_with_room_to_grow() {
        let mut disk = DurableState::default();
        let entries =
            (1..=40).map(|index| Entry { index, term: 1 + index / 10, payload: Payload::Noop }).collect();
        disk.apply(&Persist::Entries(entries));
        disk.apply(&Persist::HardState(HardState { term: 5, voted_for: Some(2), commit: 30 }));
        let copy = disk.copy_for_restart(Vec::new());
        assert_eq!(copy, disk);
        assert!(copy.entries.capacity() > copy.entries.len(), "the next append must not copy the log");
        // A spare that holds the same entries is reused; any other is not.
        let spare = disk.entries.clone();
        let pointer = spare.as_ptr();
        assert_eq!(disk.copy_for_restart(spare).entries.as_ptr(), pointer);
        let mut stale = disk.entries.clone();
        stale.pop();
        assert_eq!(disk.copy_for_restart(stale), disk);
        let mut rewritten = disk.entries.clone();
        rewritten[10].term += 1;
        assert_eq!(disk.copy_for_restart(rewritten), disk);
    }
}
