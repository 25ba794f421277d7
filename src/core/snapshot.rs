//! Snapshots (PROTOCOL.md §5): the threshold hint, compaction when the
//! application hands a snapshot back, and InstallSnapshot for a follower
//! that needs compacted entries (witnesses get metadata only).

use std::collections::BTreeMap;

use super::action::Action;
use super::control_plane::CpEntry;
use super::durable::{Persist, Snapshot};
use super::entry::{Bytes, Index, NodeId, Payload};
use super::error::Error;
use super::message::Body;
use super::node::Node;
use super::report::{CommitReport, CommitRule, ProgressMode};

impl Node {
    /// After applying: ask the application for a snapshot once the applied
    /// log has grown past the threshold. A witness has no application and
    /// compacts its metadata by itself.
    pub(crate) fn maybe_snapshot_hint(&mut self, out: &mut Vec<Action>) {
        let threshold = self.cfg.snapshot_threshold;
        if threshold == 0 || self.applied - self.log.snapshot_index() < threshold {
            return;
        }
        if !self.is_data_member() {
            let index = self.applied;
            self.compact_to(index, Bytes::from(Vec::new()), out);
        } else if !self.snapshot_requested {
            self.snapshot_requested = true;
            out.push(Action::SnapshotHint { applied: self.applied });
        }
    }

    /// The application's snapshot at `index`.
    pub(crate) fn take_snapshot(
        &mut self,
        index: Index,
        data: Bytes,
        out: &mut Vec<Action>,
    ) -> Result<(), Error> {
        if !self.is_data_member() {
            return Err(Error::InvalidArgument(format!(
                "node {} is a witness: it has no state machine to snapshot",
                self.id()
            )));
        }
        if index > self.applied || index <= self.log.snapshot_index() {
            return Err(Error::InvalidArgument(format!(
                "snapshot index {index} must be above the last snapshot {} and at most the applied index {}",
                self.log.snapshot_index(),
                self.applied
            )));
        }
        self.compact_to(index, data, out);
        Ok(())
    }

    fn compact_to(&mut self, index: Index, data: Bytes, out: &mut Vec<Action>) {
        let snapshot = Snapshot {
            index,
            term: self.log.term_at(index).unwrap_or(self.log.snapshot_term()),
            membership: self.membership_at(index),
            epochs: self.epochs_at(index),
            data,
        };
        self.log.compact(index);
        self.snapshot = snapshot.clone();
        self.snapshot_requested = false;
        out.push(Action::Persist(Persist::Snapshot(Box::new(snapshot))));
    }

    /// The latest ownership epoch of each range as of `index`.
    pub(crate) fn epochs_at(&self, index: Index) -> BTreeMap<String, u64> {
        let mut epochs = self.snapshot.epochs.clone();
        for e in self.log.range(self.log.snapshot_index() + 1, index) {
            if let Payload::ControlPlane(cp) = &e.payload {
                let CpEntry::Ownership { range, epoch, .. } = &**cp else { continue };
                epochs.insert(range.clone(), *epoch);
            }
        }
        epochs
    }

    /// Sends the snapshot to a follower whose next entry is compacted.
    pub(crate) fn send_snapshot(&mut self, to: NodeId, out: &mut Vec<Action>) {
        let mut snapshot = self.snapshot.clone();
        if self.membership.is_witness(to) {
            snapshot.data = Bytes::from(Vec::new());
        }
        let index = snapshot.index;
        let term = self.term;
        self.send(to, term, Body::Snapshot { snapshot: Box::new(snapshot) }, out);
        if let Some(l) = self.leader_state() {
            if let Some(p) = l.progress.get_mut(&to) {
                let before = ProgressMode::of(&p.state);
                p.become_snapshot(index);
                p.report_change(to, before, out);
            }
        }
    }

    /// A follower installs the leader's snapshot unless it already has
    /// everything it covers committed.
    pub(crate) fn on_install_snapshot(
        &mut self,
        from: NodeId,
        mut snapshot: Snapshot,
        out: &mut Vec<Action>,
    ) {
        self.follow(from);
        // A witness keeps no data, whatever a leader (one whose
        // configuration does not list it as a witness) sends it.
        if !self.is_data_member() {
            snapshot.data = Bytes::from(Vec::new());
        }
        let term = self.term;
        if snapshot.index <= self.commit {
            let index = self.commit;
            return self.send(from, term, Body::SnapshotReply { index }, out);
        }
        let index = snapshot.index;
        self.log.restore(index, snapshot.term);
        self.log_cut_to(index);
        self.snapshot = snapshot.clone();
        self.commit = index;
        self.applied = index;
        self.hard_state_dirty = true;
        out.push(Action::Persist(Persist::Snapshot(Box::new(snapshot.clone()))));
        out.push(Action::Committed(CommitReport { index, rule: CommitRule::Leader }));
        let before = self.membership.clone();
        self.reload_membership();
        // Decided by the membership the snapshot brings: a witness that
        // learns its role from it has no state machine to restore (§5).
        if self.is_data_member() {
            out.push(Action::RestoreSnapshot(Box::new(snapshot)));
        }
        if self.membership != before {
            self.note_standing(&before);
            out.push(Action::MembershipChanged(Box::new(self.membership.clone())));
        }
        self.send(from, term, Body::SnapshotReply { index }, out);
    }

    pub(crate) fn on_snapshot_reply(&mut self, from: NodeId, index: Index, out: &mut Vec<Action>) {
        let Some(l) = self.leader_state() else { return };
        let Some(p) = l.progress.get_mut(&from) else { return };
        p.silent_ticks = 0;
        let news = index > p.match_index;
        p.match_index = p.match_index.max(index);
        let before = ProgressMode::of(&p.state);
        p.become_probe();
        p.report_change(from, before, out);
        if news {
            self.maybe_commit(out);
            self.on_follower_progress(from, out);
        }
        self.send_pending(from, out);
    }
}
