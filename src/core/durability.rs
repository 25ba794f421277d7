//! What the host reports durable, and what the core counts only then
//! (PROTOCOL.md §2; Raft thesis §10.2.1): a candidate's own vote and a
//! leader's own copy of an entry. Requests may leave while the write they
//! follow is in flight; a node's own durable state must not be assumed.

use super::action::Action;
use super::durable::DurableMark;
use super::entry::Index;
use super::error::Error;
use super::event::Event;
use super::node::{Node, RoleState};
use super::quorum::VoteResult;

impl Node {
    /// The host finished a write and reports what its disk holds.
    pub(crate) fn on_durable(&mut self, mark: DurableMark, out: &mut Vec<Action>) {
        self.durable_term_vote = (mark.term, mark.voted_for);
        // A report about entries since truncated (another term at that
        // index now) says nothing about the log this node holds: the write
        // that replaced them is reported in its turn.
        if self.log.term_at(mark.last_index) == Some(mark.last_term) {
            self.durable_index = mark.last_index;
        }
        match self.role {
            RoleState::Candidate { .. } => self.count_own_vote(out),
            RoleState::Leader(_) => self.maybe_commit(out),
            RoleState::Follower { .. } => {}
        }
    }

    /// True when the term and vote this node holds are the ones on disk
    /// (with `durable_vote` off, the vote that would be written: none).
    pub(crate) fn term_and_vote_durable(&self) -> bool {
        let hs = self.hard_state();
        self.durable_term_vote == (hs.term, hs.voted_for)
    }

    /// A candidate's vote for itself counts once its host reports it
    /// durable: a candidate that crashed before then could vote again in
    /// the same term after restarting.
    pub(crate) fn count_own_vote(&mut self, out: &mut Vec<Action>) {
        let me = self.id();
        let durable = self.term_and_vote_durable();
        let RoleState::Candidate { tally } = &mut self.role else { return };
        if !durable || tally.votes.contains_key(&me) {
            return;
        }
        tally.votes.insert(me, true);
        if self.tally_result() == VoteResult::Won {
            self.become_leader(out);
        }
    }

    /// The leader's own match index: its log as far as it is durable.
    pub(crate) fn own_match(&self) -> Index {
        self.durable_index.min(self.log.last_index())
    }

    /// The log was cut back to `last` in memory: entries past it that the
    /// disk holds are no longer this node's.
    pub(crate) fn log_cut_to(&mut self, last: Index) {
        self.durable_index = self.durable_index.min(last);
    }

    /// What a disk holds once every write this node asked for is done.
    pub fn synced_mark(&self) -> DurableMark {
        let hs = self.hard_state();
        DurableMark {
            term: hs.term,
            voted_for: hs.voted_for,
            last_index: self.log.last_index(),
            last_term: self.log.last_term(),
        }
    }

    /// `step` for a host whose writes are done before it returns (a test,
    /// a benchmark): what the step asks to persist is reported durable at
    /// once, and so is what that report leads to (a won election's no-op,
    /// then its commit). The host must still perform every `Persist` in
    /// the returned actions.
    pub fn step_synced(&mut self, event: Event) -> Result<Vec<Action>, Error> {
        let mut out = self.step(event)?;
        let mut from = 0;
        // Each report asks for at most one more round of writes, and the
        // rounds end once the leader's commit is written: a few suffice.
        for _ in 0..8 {
            if !out[from..].iter().any(|a| matches!(a, Action::Persist(_))) {
                break;
            }
            from = out.len();
            let mark = self.synced_mark();
            self.step_into(Event::Durable(mark), &mut out)?;
        }
        Ok(out)
    }
}
