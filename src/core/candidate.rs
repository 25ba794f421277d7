//! Campaigning: the dry-run probe, the real election, and the hand-over
//! signal that starts one at once (PROTOCOL.md §3).

use serde::Serialize;

use super::action::Action;
use super::entry::{NodeId, Term};
use super::message::Body;
use super::node::{Node, RoleState, Tally};
use super::quorum::{ConfigTally, VoteResult};
use super::role_cause::RoleCause;

/// An election or probe under way, as its candidate counts it: what the
/// page draws above a campaigning node, stated by the core so that nothing
/// outside it re-derives a quorum.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ElectionTally {
    /// A pre-vote probe (changes no term) rather than a real election.
    pub probe: bool,
    /// The term asked for: the candidate's term, or its term + 1 when probing.
    pub term: Term,
    /// One count per configuration in effect (old then new while joint).
    pub quorums: Vec<ConfigTally>,
    /// Answers from nodes that vote in no configuration in effect: they do
    /// not count anywhere.
    pub uncounted: Vec<NodeId>,
}

impl Node {
    /// Starts a campaign: a probe first when pre-vote is on, unless a
    /// handover asked for the real election at once.
    pub(crate) fn campaign(&mut self, transfer: bool, force: bool, out: &mut Vec<Action>) {
        if self.switches().pre_vote && !transfer {
            self.start_probe(out);
        } else {
            self.start_election(transfer, force, out);
        }
    }

    fn start_probe(&mut self, out: &mut Vec<Action>) {
        let mut tally = Tally::default();
        tally.votes.insert(self.id(), true);
        self.role = RoleState::Follower { probe: Some(tally) };
        self.leader = None;
        self.reset_election_timer();
        if self.tally_result() == VoteResult::Won {
            return self.start_election(false, false, out);
        }
        let (last_index, last_term) = (self.log.last_index(), self.log.last_term());
        let proposed = self.term + 1;
        for peer in self.peers_to_ask() {
            self.send(peer, proposed, Body::Probe { last_index, last_term }, out);
        }
    }

    fn start_election(&mut self, transfer: bool, force: bool, out: &mut Vec<Action>) {
        self.term += 1;
        self.voted_for = Some(self.id());
        self.hard_state_dirty = true;
        self.leader = None;
        // Its own vote counts once the host reports it durable
        // (`count_own_vote`), not now: the requests below may leave while
        // the write of (term, vote) is in flight (thesis §10.2.1).
        self.role = RoleState::Candidate { tally: Tally::default() };
        self.role_cause = if transfer { RoleCause::Handover } else { RoleCause::Timeout };
        self.reset_election_timer();
        let (last_index, last_term) = (self.log.last_index(), self.log.last_term());
        let term = self.term;
        for peer in self.peers_to_ask() {
            let body = Body::Vote { last_index, last_term, transfer, force };
            // The first send asks for (term, vote) to be written before any
            // request.
            self.send(peer, term, body, out);
        }
    }

    fn peers_to_ask(&self) -> Vec<NodeId> {
        self.membership.all_voters().into_iter().filter(|id| *id != self.id()).collect()
    }

    /// The probe or election this node is running, counted per configuration.
    pub fn election_tally(&self) -> Option<ElectionTally> {
        let (probe, term, tally) = match &self.role {
            RoleState::Follower { probe: Some(t) } => (true, self.term + 1, t),
            RoleState::Candidate { tally: t } => (false, self.term, t),
            _ => return None,
        };
        Some(ElectionTally {
            probe,
            term,
            quorums: self.membership.tallies(|id| tally.votes.get(&id).copied()),
            uncounted: tally.votes.keys().filter(|id| !self.membership.is_voter(**id)).copied().collect(),
        })
    }

    pub(crate) fn tally_result(&self) -> VoteResult {
        let tally = match &self.role {
            RoleState::Follower { probe: Some(t) } | RoleState::Candidate { tally: t } => t,
            _ => return VoteResult::Pending,
        };
        self.membership.vote_result(|id| tally.votes.get(&id).copied())
    }

    pub(crate) fn on_probe_reply(
        &mut self,
        from: NodeId,
        proposed: Term,
        granted: bool,
        out: &mut Vec<Action>,
    ) {
        if proposed != self.term + 1 {
            return;
        }
        let RoleState::Follower { probe: Some(tally) } = &mut self.role else {
            return;
        };
        tally.votes.insert(from, granted);
        match self.tally_result() {
            VoteResult::Won => self.start_election(false, false, out),
            // Lost: stay a follower and wait for the timer to try again.
            VoteResult::Lost => self.role = RoleState::Follower { probe: None },
            VoteResult::Pending => {}
        }
    }

    pub(crate) fn on_vote_reply(&mut self, from: NodeId, granted: bool, out: &mut Vec<Action>) {
        let RoleState::Candidate { tally } = &mut self.role else {
            return;
        };
        tally.votes.insert(from, granted);
        match self.tally_result() {
            VoteResult::Won => self.become_leader(out),
            VoteResult::Lost => {
                let term = self.term;
                self.become_follower(term, None, RoleCause::Lost);
            }
            VoteResult::Pending => {}
        }
    }

    /// The hand-over signal: campaign now, bypassing stickiness (but never
    /// the rest of the vote rule) and the probe.
    pub(crate) fn on_timeout_now(&mut self, force: bool, out: &mut Vec<Action>) {
        if !self.may_stand() || matches!(self.role, RoleState::Leader(_)) {
            return;
        }
        self.campaign(true, force, out);
    }
}
