//! Membership changes driven by the leader (PROTOCOL.md §6): single-server
//! add and remove, joint consensus, automatic promotion of caught-up
//! learners, and a removed leader stepping down.

use super::action::Action;
use super::entry::{NodeId, Payload};
use super::error::Error;
use super::membership::{Member, Membership};
use super::node::{Node, RoleState};
use super::node_set::NodeSet;
use super::progress::Progress;
use super::role_cause::RoleCause;

impl Node {
    /// One change at a time, and only once this leader has committed an
    /// entry of its own term (the known unsafe case otherwise).
    fn check_can_reconfigure(&self) -> Result<(), Error> {
        self.check_can_write()?;
        let RoleState::Leader(l) = &self.role else {
            return Err(Error::NotLeader { leader: self.leader });
        };
        if self.commit < l.term_start_index {
            return Err(Error::TermNotCommitted);
        }
        if self.membership_index > self.commit {
            return Err(Error::ChangeInProgress { index: self.membership_index });
        }
        Ok(())
    }

    pub(crate) fn add_server(&mut self, member: Member, out: &mut Vec<Action>) -> Result<(), Error> {
        self.check_can_reconfigure()?;
        let next = self.membership.with_member(member)?;
        self.propose_membership(next, out);
        Ok(())
    }

    pub(crate) fn remove_server(&mut self, id: NodeId, out: &mut Vec<Action>) -> Result<(), Error> {
        self.check_can_reconfigure()?;
        let next = self.membership.without(id)?;
        self.propose_membership(next, out);
        Ok(())
    }

    pub(crate) fn change_voters(&mut self, voters: &NodeSet, out: &mut Vec<Action>) -> Result<(), Error> {
        self.check_can_reconfigure()?;
        if self.membership.is_joint() {
            return Err(Error::InvalidArgument("the configuration is already joint".into()));
        }
        let next = self.membership.enter_joint(voters)?;
        self.propose_membership(next, out);
        Ok(())
    }

    /// Appends a configuration entry; it is in effect at once (thesis §4.1).
    fn propose_membership(&mut self, next: Membership, out: &mut Vec<Action>) {
        let me = self.id();
        let last = self.log.last_index();
        if let Some(l) = self.leader_state() {
            for id in next.members() {
                if id != me {
                    l.progress.get_or_insert_with(id, || Progress::new(last));
                }
            }
        }
        let before = std::mem::replace(&mut self.membership, next.clone());
        self.note_standing(&before);
        self.membership_index = last + 1;
        out.push(Action::MembershipChanged(Box::new(next.clone())));
        self.append_entries(vec![Payload::Config(Box::new(next))], out);
    }

    /// A follower's match index advanced: promote a caught-up learner.
    pub(crate) fn maybe_promote(&mut self, id: NodeId, out: &mut Vec<Action>) {
        if !self.membership.is_learner(id) || self.check_can_reconfigure().is_err() {
            return;
        }
        let caught_up = self.progress(id).is_some_and(|p| p.match_index >= self.commit);
        if caught_up {
            let next = self.membership.promoted(id);
            self.propose_membership(next, out);
        }
    }

    /// After the commit watermark moved on the leader: leave a committed
    /// joint configuration, forget removed members, promote caught-up
    /// learners, and step down if this leader was removed.
    pub(crate) fn after_commit_reconfigure(&mut self, out: &mut Vec<Action>) {
        if self.membership_index > self.commit {
            return;
        }
        let (index, no_learners) = (self.membership_index, self.membership.learners.is_empty());
        match self.leader_state() {
            Some(l) if l.settled_membership == index && no_learners => return,
            Some(l) => l.settled_membership = index,
            None => return,
        }
        let members = self.membership.members();
        if let Some(l) = self.leader_state() {
            l.progress.retain(|id, _| members.contains(id));
        }
        if self.membership.is_joint() {
            let next = self.membership.leave_joint();
            return self.propose_membership(next, out);
        }
        if !self.membership.is_voter(self.id()) {
            let term = self.term;
            return self.become_follower(term, None, RoleCause::Removed);
        }
        self.promote_caught_up_learners(out);
    }

    /// Promotes each caught-up learner that may be promoted now. Run after
    /// a commit and at every heartbeat: a promotion refused once (during a
    /// handover's freeze, or while another change was pending) must be
    /// retried even in an idle cluster, where no match index advances and
    /// nothing commits.
    pub(crate) fn promote_caught_up_learners(&mut self, out: &mut Vec<Action>) {
        if self.membership.learners.is_empty() {
            return;
        }
        let learners: Vec<NodeId> = self.membership.learners.iter().copied().collect();
        for id in learners {
            self.maybe_promote(id, out);
        }
    }
}
