//! Who is in the cluster: voters (data and witness), catching-up learners,
//! and the outgoing voters of a joint configuration.

use serde::{Deserialize, Serialize};

use super::entry::{Index, NodeId};
use super::error::Error;
use super::node_set::NodeSet;
use super::quorum::{self, ConfigName, ConfigTally, VoteResult};

/// What a member stores.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberKind {
    /// Holds the log and the state machine; may lead.
    #[default]
    Data,
    /// Votes and stores entry metadata only; never applies, never stands.
    Witness,
}

/// Whether a member votes yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VotingState {
    /// Votes and counts in every quorum.
    #[default]
    Voting,
    /// A learner: receives replication, neither votes nor counts.
    CatchingUp,
}

/// One member as a configuration names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Member {
    /// The member's id.
    pub id: NodeId,
    /// Data or witness.
    pub kind: MemberKind,
    /// Voting or catching up.
    pub state: VotingState,
}

impl Member {
    /// A voting data member.
    pub fn data(id: NodeId) -> Member {
        Member { id, kind: MemberKind::Data, state: VotingState::Voting }
    }

    /// A voting witness.
    pub fn witness(id: NodeId) -> Member {
        Member { id, kind: MemberKind::Witness, state: VotingState::Voting }
    }

    /// A catching-up data member (a learner).
    pub fn learner(id: NodeId) -> Member {
        Member { id, kind: MemberKind::Data, state: VotingState::CatchingUp }
    }
}

/// A membership configuration, possibly joint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// Voting members of the (incoming) configuration, witnesses included.
    pub voters: NodeSet,
    /// While joint: the voters of the old configuration.
    pub outgoing: Option<NodeSet>,
    /// Catching-up data members.
    pub learners: NodeSet,
    /// Which members are witnesses.
    pub witnesses: NodeSet,
}

impl Membership {
    /// Builds a membership from a member list, rejecting duplicates, id 0 and
    /// a list without a voting data member.
    pub fn from_members(members: &[Member]) -> Result<Membership, Error> {
        let mut m = Membership::default();
        for (i, member) in members.iter().enumerate() {
            if member.id == 0 {
                return Err(Error::config(format!("members[{i}].id"), "node ids start at 1"));
            }
            if m.contains(member.id) {
                return Err(Error::config(
                    format!("members[{i}].id"),
                    format!("node {} appears twice", member.id),
                ));
            }
            if member.kind == MemberKind::Witness && member.state == VotingState::CatchingUp {
                return Err(Error::config(
                    format!("members[{i}].state"),
                    "a witness holds no data to catch up on; it joins voting",
                ));
            }
            match member.state {
                VotingState::Voting => m.voters.insert(member.id),
                VotingState::CatchingUp => m.learners.insert(member.id),
            };
            if member.kind == MemberKind::Witness {
                m.witnesses.insert(member.id);
            }
        }
        if m.data_voters().next().is_none() {
            return Err(Error::config("members", "at least one voting data member is required"));
        }
        Ok(m)
    }

    /// True when `id` belongs to the configuration in any role.
    pub fn contains(&self, id: NodeId) -> bool {
        self.is_voter(id) || self.learners.contains(&id)
    }

    /// True when `id` votes in either side of the configuration.
    pub fn is_voter(&self, id: NodeId) -> bool {
        self.voters.contains(&id) || self.outgoing.as_ref().is_some_and(|o| o.contains(&id))
    }

    /// True when `id` is a catching-up learner.
    pub fn is_learner(&self, id: NodeId) -> bool {
        self.learners.contains(&id)
    }

    /// True when `id` is a witness.
    pub fn is_witness(&self, id: NodeId) -> bool {
        self.witnesses.contains(&id)
    }

    /// True while the configuration is joint.
    pub fn is_joint(&self) -> bool {
        self.outgoing.is_some()
    }

    /// True when `id` may stand for election: a voting data member.
    pub fn can_stand(&self, id: NodeId) -> bool {
        self.is_voter(id) && !self.is_witness(id)
    }

    /// Every member, in id order.
    pub fn members(&self) -> NodeSet {
        let mut all = self.voters.clone();
        all.extend(self.learners.iter().copied());
        if let Some(out) = &self.outgoing {
            all.extend(out.iter().copied());
        }
        all
    }

    /// Every voter of either side, in id order.
    pub fn all_voters(&self) -> NodeSet {
        let mut all = self.voters.clone();
        if let Some(out) = &self.outgoing {
            all.extend(out.iter().copied());
        }
        all
    }

    fn data_voters(&self) -> impl Iterator<Item = &NodeId> {
        self.voters.iter().filter(|id| !self.witnesses.contains(id))
    }

    /// The member's kind and voting state, if it is a member.
    pub fn member(&self, id: NodeId) -> Option<Member> {
        if !self.contains(id) {
            return None;
        }
        let kind = if self.is_witness(id) { MemberKind::Witness } else { MemberKind::Data };
        let state = if self.is_learner(id) { VotingState::CatchingUp } else { VotingState::Voting };
        Some(Member { id, kind, state })
    }

    /// The highest index stored on a quorum (both sides while joint).
    pub fn committed_index(&self, matched: impl Fn(NodeId) -> Index) -> Index {
        quorum::joint_committed(&self.voters, self.outgoing.as_ref(), matched)
    }

    /// The election result given the votes received so far.
    pub fn vote_result(&self, vote: impl Fn(NodeId) -> Option<bool>) -> VoteResult {
        quorum::joint_vote(&self.voters, self.outgoing.as_ref(), vote)
    }

    /// One count per configuration in effect (old then new while joint),
    /// given the votes received so far; [`Membership::vote_result`] is won
    /// exactly when every one of these is.
    pub fn tallies(&self, vote: impl Fn(NodeId) -> Option<bool>) -> Vec<ConfigTally> {
        match &self.outgoing {
            None => vec![ConfigTally::count(ConfigName::Current, &self.voters, vote)],
            Some(old) => vec![
                ConfigTally::count(ConfigName::Old, old, &vote),
                ConfigTally::count(ConfigName::New, &self.voters, &vote),
            ],
        }
    }

    /// True when the nodes for which `active` holds form a quorum.
    pub fn has_quorum(&self, active: impl Fn(NodeId) -> bool) -> bool {
        self.vote_result(|id| Some(active(id))) == VoteResult::Won
    }

    /// The configuration with `member` added (single-server change).
    pub fn with_member(&self, member: Member) -> Result<Membership, Error> {
        if self.contains(member.id) {
            return Err(Error::InvalidArgument(format!("node {} is already a member", member.id)));
        }
        if member.kind == MemberKind::Witness && member.state == VotingState::CatchingUp {
            return Err(Error::InvalidArgument(
                "a witness joins voting: it has no data to catch up on".into(),
            ));
        }
        let mut next = self.clone();
        match member.state {
            VotingState::Voting => next.voters.insert(member.id),
            VotingState::CatchingUp => next.learners.insert(member.id),
        };
        if member.kind == MemberKind::Witness {
            next.witnesses.insert(member.id);
        }
        next.check_data_in_every_quorum()?;
        Ok(next)
    }

    /// The configuration with `id` removed (single-server change).
    pub fn without(&self, id: NodeId) -> Result<Membership, Error> {
        if !self.contains(id) {
            return Err(Error::InvalidArgument(format!("node {id} is not a member")));
        }
        let mut next = self.clone();
        next.voters.remove(&id);
        next.learners.remove(&id);
        next.witnesses.remove(&id);
        if next.data_voters().next().is_none() {
            return Err(Error::InvalidArgument(format!(
                "removing node {id} would leave no voting data member"
            )));
        }
        next.check_data_in_every_quorum()?;
        Ok(next)
    }

    /// The configuration with learner `id` promoted to voter.
    pub fn promoted(&self, id: NodeId) -> Membership {
        let mut next = self.clone();
        if next.learners.remove(&id) {
            next.voters.insert(id);
        }
        next
    }

    /// The joint configuration (old voters, `voters`). Listed learners become
    /// voters; old voters not listed leave when the joint configuration is
    /// left.
    pub fn enter_joint(&self, voters: &NodeSet) -> Result<Membership, Error> {
        if let Some(id) = voters.iter().find(|id| !self.contains(**id)) {
            return Err(Error::InvalidArgument(format!(
                "node {id} is not a member; add it before making it a voter"
            )));
        }
        if !voters.iter().any(|id| !self.is_witness(*id)) {
            return Err(Error::InvalidArgument("the new voters include no data member".into()));
        }
        if *voters == self.voters {
            return Err(Error::InvalidArgument("the new voters equal the current voters".into()));
        }
        let mut next = self.clone();
        next.outgoing = Some(self.voters.clone());
        next.voters = voters.clone();
        next.learners.retain(|id| !voters.contains(id));
        next.check_data_in_every_quorum()?;
        Ok(next)
    }

    /// A change may not make the witnesses a majority of the (incoming)
    /// voters. Why: the leader of such a configuration may be outside it
    /// (thesis §4.2.2) or leave it, and then witnesses alone can commit an
    /// entry that no data voter holds; no data voter could ever be elected
    /// past them (a witness refuses a candidate whose log is behind its
    /// own, and cannot stand), so the cluster would never elect again. With
    /// a data voter in every quorum, every committed entry is on one.
    fn check_data_in_every_quorum(&self) -> Result<(), Error> {
        let witnesses = self.voters.iter().filter(|id| self.is_witness(**id)).count();
        if witnesses > self.voters.len() / 2 {
            return Err(Error::InvalidArgument(format!(
                "witnesses would be {witnesses} of {} voters: a majority without a data member could commit",
                self.voters.len()
            )));
        }
        Ok(())
    }

    /// The configuration after leaving joint: old voters not in the new set
    /// are no longer members.
    pub fn leave_joint(&self) -> Membership {
        let mut next = self.clone();
        if let Some(out) = next.outgoing.take() {
            for id in out.difference(&self.voters) {
                next.witnesses.remove(id);
            }
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_duplicate_and_dataless_member_lists() {
        let dup = Membership::from_members(&[Member::data(1), Member::data(1)]).unwrap_err();
        assert!(dup.to_string().contains("members[1].id"), "{dup}");
        let witness_only = Membership::from_members(&[Member::witness(1), Member::learner(2)]).unwrap_err();
        assert!(witness_only.to_string().contains("voting data member"), "{witness_only}");
    }

    #[test]
    fn learners_do_not_count() {
        let m = Membership::from_members(&[Member::data(1), Member::data(2), Member::learner(3)]).unwrap();
        // Two voters: both are needed; the learner's ack adds nothing.
        assert!(!m.has_quorum(|id| id == 1 || id == 3));
        assert!(m.has_quorum(|id| id <= 2));
        assert_eq!(m.committed_index(|id| [0, 5, 2, 9][id as usize]), 2);
    }

    #[test]
    fn a_change_never_lets_witnesses_alone_form_a_quorum() {
        let m = Membership::from_members(&[
            Member::data(1),
            Member::data(2),
            Member::witness(3),
            Member::witness(4),
        ])
        .unwrap();
        let err = m.without(1).unwrap_err().to_string();
        assert!(err.contains("witnesses would be 2 of 3 voters"), "{err}");
        assert!(m.enter_joint(&[2, 3, 4].into_iter().collect()).is_err());
        assert!(m.with_member(Member::witness(5)).is_err(), "3 witnesses of 5 voters");
        assert!(
            m.with_member(Member::data(5)).is_ok() && m.enter_joint(&[1, 2, 3].into_iter().collect()).is_ok()
        );
    }

    #[test]
    fn joint_round_trip() {
        let m = Membership::from_members(&[
            Member::data(1),
            Member::data(2),
            Member::data(3),
            Member::learner(4),
        ])
        .unwrap();
        let joint = m.enter_joint(&[2, 3, 4].into_iter().collect()).unwrap();
        assert!(joint.is_joint() && joint.is_voter(1) && joint.is_voter(4));
        let left = joint.leave_joint();
        assert!(!left.contains(1) && left.is_voter(4) && !left.is_joint());
    }
}
