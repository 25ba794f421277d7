//! The follower's side of replication: AppendEntries (Raft §5.3).

use super::action::Action;
use super::durable::Persist;
use super::entry::{Entry, Index, NodeId, Term};
use super::message::{AppendOutcome, Body};
use super::node::{Node, RoleState};
use super::report::{CommitReport, CommitRule};
use super::role_cause::RoleCause;

impl Node {
    /// Follows `leader` in the current term: a candidate or prober of the
    /// same term gives up, and the leader's contact is recorded.
    pub(crate) fn follow(&mut self, leader: NodeId) {
        let already = matches!(self.role, RoleState::Follower { probe: None }) && self.leader == Some(leader);
        if !already {
            let term = self.term;
            self.become_follower(term, Some(leader), RoleCause::LeaderSeen);
        }
        self.leader_contact_elapsed = Some(0);
        self.election_elapsed = 0;
    }

    /// Records why this node's standing (voter, learner, outside) changed
    /// when a configuration took effect here.
    pub(crate) fn note_standing(&mut self, before: &super::membership::Membership) {
        let me = self.id();
        let standing = |m: &super::membership::Membership| (m.is_voter(me), m.is_learner(me));
        let (was, is) = (standing(before), standing(&self.membership));
        self.role_cause = match (was, is) {
            _ if was == is => return,
            (_, (true, _)) => RoleCause::Promoted,
            (_, (false, true)) => RoleCause::Joined,
            _ => RoleCause::Removed,
        };
    }

    pub(crate) fn on_append(
        &mut self,
        from: NodeId,
        prev_index: Index,
        prev_term: Term,
        entries: Vec<Entry>,
        leader_commit: Index,
        out: &mut Vec<Action>,
    ) {
        self.follow(from);
        // Everything up to our commit watermark is known to match the
        // leader's log (leader completeness), so start from there. With a
        // teaching switch off, leader completeness may not hold: trust only
        // the snapshot, so that an overwritten committed entry shows
        // (PROTOCOL.md §10) instead of being papered over.
        let trusted =
            if self.switches().keep_committed_safe() { self.commit } else { self.log.snapshot_index() };
        let (prev_index, prev_term, entries) = if prev_index < trusted {
            let skip = (trusted - prev_index) as usize;
            let term = self.log.term_at(trusted).unwrap_or(prev_term);
            (trusted, term, entries.get(skip..).unwrap_or(&[]).to_vec())
        } else {
            (prev_index, prev_term, entries)
        };
        let term = self.term;
        if self.log.term_at(prev_index) != Some(prev_term) {
            let outcome = self.conflict_hint(prev_index);
            return self.send(from, term, Body::AppendReply { outcome }, out);
        }
        let last_new = prev_index + entries.len() as Index;
        self.store_entries(entries, out);
        let new_commit = leader_commit.min(last_new);
        if new_commit > self.commit {
            self.commit = new_commit;
            self.hard_state_dirty = true;
            out.push(Action::Committed(CommitReport { index: new_commit, rule: CommitRule::Leader }));
            self.apply_committed(out);
        }
        let outcome = AppendOutcome::Accepted { match_index: last_new };
        self.send(from, term, Body::AppendReply { outcome }, out);
    }

    /// Merges entries into the log (metadata only on a witness) and
    /// persists what changed.
    fn store_entries(&mut self, entries: Vec<Entry>, out: &mut Vec<Action>) {
        let entries: Vec<Entry> =
            if !self.is_data_member() { entries.iter().map(Entry::for_witness).collect() } else { entries };
        let old_last = self.log.last_index();
        let written_from = self.log.merge(&entries);
        let mut entries = entries;
        let written = if written_from == 0 { entries } else { entries.split_off(written_from) };
        let Some(first) = written.first() else {
            return;
        };
        if self.switches().keep_committed_safe() {
            // Only reachable with a teaching switch off (Figure 8, log guards).
            debug_assert!(first.index > self.commit, "truncating committed entry {}", first.index);
        }
        let truncated = first.index <= old_last;
        let has_config = written.iter().any(|e| matches!(e.payload, super::entry::Payload::Config(_)));
        let first_index = first.index;
        if truncated {
            self.log_cut_to(first_index - 1);
        }
        out.push(Action::Persist(Persist::Entries(written)));
        if truncated && first_index <= self.membership_index || has_config {
            let before = self.membership.clone();
            self.reload_membership();
            if self.membership != before {
                self.note_standing(&before);
                out.push(Action::MembershipChanged(Box::new(self.membership.clone())));
            }
        }
    }

    /// The conflict hint for a refused append at `prev_index`: where our log
    /// ends, or the first index of the conflicting term's run.
    fn conflict_hint(&self, prev_index: Index) -> AppendOutcome {
        if prev_index > self.log.last_index() {
            return AppendOutcome::Rejected {
                rejected: prev_index,
                hint_index: self.log.last_index() + 1,
                hint_term: None,
            };
        }
        AppendOutcome::Rejected {
            rejected: prev_index,
            hint_index: self.log.first_index_of_term_run(prev_index),
            hint_term: self.log.term_at(prev_index),
        }
    }
}
