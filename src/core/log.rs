//! The log with its snapshot boundary.

use serde::Serialize;

use super::entry::{Entry, Index, Term};

/// The entries after the snapshot, and the snapshot's index and term.
///
/// Invariant: `entries[i].index == snapshot_index + 1 + i`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Log {
    snapshot_index: Index,
    snapshot_term: Term,
    entries: Vec<Entry>,
}

impl Log {
    /// A log that starts after a snapshot at `(index, term)` with `entries`.
    pub fn from_parts(snapshot_index: Index, snapshot_term: Term, mut entries: Vec<Entry>) -> Log {
        // Entries that do not follow on are dropped rather than trusted. In
        // place: a restart hands over its whole persisted log, which almost
        // always follows on, so it is kept without a copy.
        let mut next = snapshot_index + 1;
        entries.retain(|e| {
            let follows = e.index == next;
            next += Index::from(follows);
            follows
        });
        Log { snapshot_index, snapshot_term, entries }
    }

    /// Index of the last entry covered by the snapshot (0 when none).
    pub fn snapshot_index(&self) -> Index {
        self.snapshot_index
    }

    /// Term of the last entry covered by the snapshot.
    pub fn snapshot_term(&self) -> Term {
        self.snapshot_term
    }

    /// Index of the last entry.
    pub fn last_index(&self) -> Index {
        self.snapshot_index + self.entries.len() as Index
    }

    /// Term of the last entry.
    pub fn last_term(&self) -> Term {
        self.entries.last().map_or(self.snapshot_term, |e| e.term)
    }

    /// Term of the entry at `index`, if the log still knows it.
    pub fn term_at(&self, index: Index) -> Option<Term> {
        if index == self.snapshot_index {
            return Some(self.snapshot_term);
        }
        self.entry(index).map(|e| e.term)
    }

    /// The entry at `index`, if it is in the log (not compacted).
    pub fn entry(&self, index: Index) -> Option<&Entry> {
        if index <= self.snapshot_index {
            return None;
        }
        self.entries.get((index - self.snapshot_index - 1) as usize)
    }

    /// Entries from `from` (inclusive), at most `max` of them.
    pub fn entries_from(&self, from: Index, max: usize) -> &[Entry] {
        if from <= self.snapshot_index || from > self.last_index() {
            return &[];
        }
        let start = (from - self.snapshot_index - 1) as usize;
        let end = (start + max).min(self.entries.len());
        &self.entries[start..end]
    }

    /// Entries in the inclusive range `[from, to]` that the log holds.
    pub fn range(&self, from: Index, to: Index) -> &[Entry] {
        if to < from {
            return &[];
        }
        self.entries_from(from.max(self.snapshot_index + 1), (to - from + 1) as usize)
    }

    /// Appends an entry that must follow on from the last one.
    pub fn push(&mut self, entry: Entry) {
        debug_assert_eq!(entry.index, self.last_index() + 1);
        self.entries.push(entry);
    }

    /// Drops every entry from `index` on.
    pub fn truncate_from(&mut self, index: Index) {
        if index <= self.snapshot_index {
            self.entries.clear();
        } else {
            self.entries.truncate((index - self.snapshot_index - 1) as usize);
        }
    }

    /// Merges entries received from a leader: entries already held are
    /// skipped, the first conflicting one truncates the tail, and the rest
    /// are appended. Returns the position in `incoming` from which entries
    /// were written (`incoming.len()` when nothing changed).
    pub fn merge(&mut self, incoming: &[Entry]) -> usize {
        for (i, e) in incoming.iter().enumerate() {
            if e.index <= self.snapshot_index {
                continue;
            }
            match self.term_at(e.index) {
                Some(t) if t == e.term => continue,
                Some(_) => self.truncate_from(e.index),
                None => {}
            }
            // One copy of the whole tail: a follower catching up takes a
            // long batch, which pushing entry by entry would regrow for.
            self.entries.extend_from_slice(&incoming[i..]);
            return i;
        }
        incoming.len()
    }

    /// Compacts the log behind a snapshot at `index` (which it holds).
    pub fn compact(&mut self, index: Index) {
        if index <= self.snapshot_index || index > self.last_index() {
            return;
        }
        let term = self.term_at(index).unwrap_or(self.snapshot_term);
        let keep_from = (index - self.snapshot_index) as usize;
        self.entries.drain(..keep_from);
        self.snapshot_index = index;
        self.snapshot_term = term;
    }

    /// Installs a snapshot at `(index, term)`: keeps the tail after it when
    /// the log holds the same entry, otherwise starts empty after it.
    pub fn restore(&mut self, index: Index, term: Term) {
        if self.term_at(index) == Some(term) && index >= self.snapshot_index {
            self.compact(index);
            return;
        }
        self.entries.clear();
        self.snapshot_index = index;
        self.snapshot_term = term;
    }

    /// The first index of the run of entries of term `term` that contains
    /// (or ends before) `index`: the conflict hint that lets a leader skip
    /// back a whole term at a time.
    pub fn first_index_of_term_run(&self, index: Index) -> Index {
        let Some(term) = self.term_at(index) else {
            return index;
        };
        let mut first = index;
        while first > self.snapshot_index + 1 && self.term_at(first - 1) == Some(term) {
            first -= 1;
        }
        first
    }

    /// The last index holding an entry of `term`, if any.
    pub fn last_index_of_term(&self, term: Term) -> Option<Index> {
        self.entries.iter().rev().find(|e| e.term == term).map(|e| e.index)
    }

    /// Every entry after the snapshot.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entries after the snapshot, taken out of the log.
    pub fn into_entries(self) -> Vec<Entry> {
        self.entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::entry::Payload;

    fn e(index: Index, term: Term) -> Entry {
        Entry { index, term, payload: Payload::Noop }
    }

    fn log_of(terms: &[Term]) -> Log {
        Log::from_parts(0, 0, terms.iter().enumerate().map(|(i, t)| e(i as Index + 1, *t)).collect())
    }

    #[test]
    fn merge_skips_held_truncates_conflicts() {
        let mut log = log_of(&[1, 1, 2, 2]);
        assert_eq!(log.merge(&[e(2, 1), e(3, 2)]), 2, "nothing new");
        assert_eq!(log.last_index(), 4, "a stale append never truncates");
        assert_eq!(log.merge(&[e(3, 3), e(4, 3)]), 0);
        assert_eq!((log.last_index(), log.last_term()), (4, 3));
        assert_eq!(log.term_at(3), Some(3));
    }

    #[test]
    fn compaction_keeps_boundary() {
        let mut log = log_of(&[1, 1, 2, 2, 3]);
        log.compact(3);
        assert_eq!((log.snapshot_index(), log.snapshot_term()), (3, 2));
        assert_eq!(log.term_at(3), Some(2));
        assert_eq!(log.term_at(2), None);
        assert_eq!(log.entries_from(4, 10).len(), 2);
        assert!(log.entries_from(3, 10).is_empty());
        log.restore(9, 4);
        assert_eq!((log.last_index(), log.last_term()), (9, 4));
    }

    #[test]
    fn term_run_hint() {
        let log = log_of(&[1, 1, 2, 2, 2, 3]);
        assert_eq!(log.first_index_of_term_run(5), 3);
        assert_eq!(log.first_index_of_term_run(2), 1);
        assert_eq!(log.last_index_of_term(2), Some(5));
        assert_eq!(log.last_index_of_term(7), None);
    }
}
