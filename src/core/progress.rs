//! The leader's view of one follower: probing for the match point,
//! streaming once found, or waiting for a snapshot (etcd raft's Progress).

use std::collections::VecDeque;

use serde::Serialize;

use super::action::Action;
use super::entry::{Index, NodeId};
use super::report::{ProgressMode, ProgressReport};

/// Replication state toward one follower.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressState {
    /// One append at a time until the match point is found.
    Probe,
    /// Optimistic streaming, up to `max_inflight` appends in flight.
    Replicate,
    /// A snapshot is in flight.
    Snapshot {
        /// Its index.
        index: Index,
        /// Ticks since it was sent.
        ticks: u64,
    },
}

/// Per-follower progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Highest index known to match the leader's log.
    pub match_index: Index,
    /// Next index to send.
    pub next_index: Index,
    /// Probe, replicate or snapshot.
    pub state: ProgressState,
    /// While probing: an append is out and unanswered.
    pub probe_sent: bool,
    /// Last index of each append in flight while streaming (bounded).
    pub inflight: VecDeque<Index>,
    /// Ticks since the follower last answered (check quorum, thesis §6.2).
    pub silent_ticks: u64,
}

impl Progress {
    /// Progress for a follower of a leader whose log ends at `last_index`.
    pub fn new(last_index: Index) -> Progress {
        Progress {
            match_index: 0,
            next_index: last_index + 1,
            state: ProgressState::Probe,
            probe_sent: false,
            inflight: VecDeque::new(),
            silent_ticks: 0,
        }
    }

    /// True when no append may be sent now.
    pub fn is_paused(&self, max_inflight: usize) -> bool {
        match self.state {
            ProgressState::Probe => self.probe_sent,
            ProgressState::Replicate => self.inflight.len() >= max_inflight,
            ProgressState::Snapshot { .. } => true,
        }
    }

    /// Records an append whose last entry is `last` as sent.
    pub fn sent(&mut self, last: Index, carried_entries: bool) {
        match self.state {
            ProgressState::Replicate if carried_entries => {
                self.next_index = last + 1;
                self.inflight.push_back(last);
            }
            ProgressState::Probe => self.probe_sent = true,
            _ => {}
        }
    }

    /// An accepted append matched up to `index`. Returns true when that was
    /// news.
    pub fn on_accepted(&mut self, index: Index) -> bool {
        let news = index > self.match_index;
        if news {
            self.match_index = index;
        }
        self.next_index = self.next_index.max(index + 1);
        while self.inflight.front().is_some_and(|i| *i <= index) {
            self.inflight.pop_front();
        }
        if self.state == ProgressState::Probe {
            self.become_replicate();
        }
        news
    }

    /// An append at `rejected` was refused; `next` is where the hint says to
    /// resume. Returns false for a stale rejection.
    pub fn on_rejected(&mut self, rejected: Index, next: Index) -> bool {
        if rejected <= self.match_index {
            return false;
        }
        if self.state == ProgressState::Probe && rejected + 1 != self.next_index {
            return false;
        }
        self.state = ProgressState::Probe;
        self.inflight.clear();
        self.next_index = next.min(rejected).max(self.match_index + 1);
        self.probe_sent = false;
        true
    }

    /// Switches to streaming after the match point.
    pub fn become_replicate(&mut self) {
        self.state = ProgressState::Replicate;
        self.next_index = self.match_index + 1;
        self.inflight.clear();
        self.probe_sent = false;
    }

    /// Switches to probing from the match point.
    pub fn become_probe(&mut self) {
        self.state = ProgressState::Probe;
        self.next_index = self.match_index + 1;
        self.inflight.clear();
        self.probe_sent = false;
    }

    /// Reports the mode toward `follower` if it is no longer `before`.
    pub(crate) fn report_change(&self, follower: NodeId, before: ProgressMode, out: &mut Vec<Action>) {
        let mode = ProgressMode::of(&self.state);
        if mode != before {
            let (match_index, next_index) = (self.match_index, self.next_index);
            out.push(Action::ProgressChanged(ProgressReport { follower, mode, match_index, next_index }));
        }
    }

    /// Records a snapshot at `index` as sent.
    pub fn become_snapshot(&mut self, index: Index) {
        self.state = ProgressState::Snapshot { index, ticks: 0 };
        self.inflight.clear();
        self.probe_sent = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_then_stream() {
        let mut p = Progress::new(10);
        assert!(!p.is_paused(2));
        p.sent(10, false);
        assert!(p.is_paused(2), "a probe waits for its answer");
        assert!(p.on_rejected(10, 4));
        assert_eq!(p.next_index, 4);
        assert!(!p.on_rejected(10, 2), "a stale rejection is ignored");
        assert!(p.on_accepted(3));
        assert_eq!(p.state, ProgressState::Replicate);
        p.sent(6, true);
        p.sent(9, true);
        assert!(p.is_paused(2), "the in-flight window is full");
        assert!(!p.on_accepted(3));
        p.on_accepted(6);
        assert_eq!((p.match_index, p.next_index, p.inflight.len()), (6, 10, 1));
    }
}
