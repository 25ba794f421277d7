//! One vote per term, across restarts (Raft §5.2, PROTOCOL.md §3.5): a node
//! never votes for two candidates in one term. Why across restarts: the
//! vote must be durable, or a node that crashes after voting restarts with
//! no memory of it and votes again (the `durable_vote` switch), which is how
//! two leaders of one term come about.
//!
//! Votes are read from each live node and from every node's disk, so a vote
//! held only in memory is remembered here even after the crash loses it.

use super::{Invariant, Observation, Property, Shared, Violation};
use crate::core::{NodeId, NodeMap, SortedMap, StateKey, Term};

/// The first vote seen from each node in each term, node by node. Why node
/// by node: a node's terms only rise, so its current term's vote is its
/// last one, found without searching every vote of the run.
#[derive(Clone, Debug, Default)]
pub struct DoubleVote {
    votes: NodeMap<SortedMap<Term, NodeId>>,
}

/// Remembers `voter`'s vote for `vote` in `term` unless it voted in
/// `term` before, and reports a second vote.
fn record(
    memory: &mut Shared<DoubleVote>,
    voter: NodeId,
    term: Term,
    vote: Option<NodeId>,
    out: &mut Vec<Violation>,
) {
    let Some(vote) = vote else { return };
    let before = memory.votes.get(&voter).and_then(|votes| match votes.last_key_value() {
        Some((last, first)) if *last == term => Some(*first),
        _ => votes.get(&term).copied(),
    });
    let Some(first) = before else {
        memory.edit().votes.get_or_insert_with(voter, SortedMap::default).insert(term, vote);
        return;
    };
    if first != vote {
        let detail = format!("node {voter} voted for node {first}, then for node {vote}, in term {term}");
        out.push(Violation::new(Property::DoubleVote, vec![voter, first, vote], detail));
    }
}

impl Invariant for DoubleVote {
    fn observe(memory: &mut Shared<Self>, obs: &Observation<'_>, out: &mut Vec<Violation>) {
        for state in obs.nodes {
            if let Some(node) = state.node {
                record(memory, state.id, node.term(), node.voted_for(), out);
            }
            let hs = state.disk.hard_state;
            record(memory, state.id, hs.term, hs.voted_for, out);
        }
    }

    /// Writes every vote remembered.
    fn write_key(&self, k: &mut StateKey) {
        k.by_id(self.votes.iter().map(|(voter, votes)| (*voter, votes)), |votes, k| {
            k.word(votes.len() as u64);
            for (term, candidate) in votes.iter() {
                k.word(*term);
                k.id(*candidate);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::{disk, restarted, World};

    #[test]
    fn voting_again_after_a_crash_that_lost_the_vote_fires() {
        let mut check = Shared::<DoubleVote>::default();
        // The vote lives in memory only: the disk has the term, not the vote.
        let lost = disk(2, None, 0, &[1]);
        let voted = restarted(3, disk(2, Some(1), 0, &[1]));
        assert!(World::default().live_on(&voted, &lost).check(&mut check).is_empty());
        assert!(World::default().crashed(3, &lost).check(&mut check).is_empty());
        let again = restarted(3, disk(2, Some(2), 0, &[1]));
        let found = World::default().restart(3).live_on(&again, &lost).check(&mut check);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].nodes, vec![3, 1, 2]);
        assert_eq!(found[0].detail, "node 3 voted for node 1, then for node 2, in term 2");
    }

    /// A candidate that voted for itself, lost the vote to a crash, then
    /// voted for a rival: two nodes involved, named once each.
    #[test]
    fn a_self_vote_then_a_rival_names_each_node_once() {
        let mut check = Shared::<DoubleVote>::default();
        let lost = disk(2, None, 0, &[1]);
        let voted = restarted(1, disk(2, Some(1), 0, &[1]));
        assert!(World::default().live_on(&voted, &lost).check(&mut check).is_empty());
        assert!(World::default().crashed(1, &lost).check(&mut check).is_empty());
        let again = restarted(1, disk(2, Some(2), 0, &[1]));
        let found = World::default().restart(1).live_on(&again, &lost).check(&mut check);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].nodes, vec![1, 2]);
        assert_eq!(found[0].detail, "node 1 voted for node 1, then for node 2, in term 2");
    }

    #[test]
    fn the_same_vote_again_and_a_new_vote_in_a_new_term_are_silent() {
        let mut check = Shared::<DoubleVote>::default();
        let kept = disk(2, Some(1), 0, &[1]);
        let voted = restarted(3, kept.clone());
        assert!(World::default().live_on(&voted, &kept).check(&mut check).is_empty());
        assert!(World::default().live_on(&voted, &kept).check(&mut check).is_empty());
        let next = disk(3, Some(2), 0, &[1]);
        let revoted = restarted(3, next.clone());
        assert!(World::default().live_on(&revoted, &next).check(&mut check).is_empty());
    }
}
