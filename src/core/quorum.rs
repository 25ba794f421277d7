//! Quorum arithmetic: strict majorities, and joint configurations that need
//! a majority of each side (Raft thesis §4.3).
//!
//! Witnesses are ordinary voters here: their acknowledgements of metadata
//! count toward the commit quorum exactly as a data voter's do. That is the
//! durability trade-off a witness makes (PROTOCOL.md §4), and it is why the
//! quorum code needs no special case for them.

use serde::Serialize;

use super::entry::{Index, NodeId};
use super::node_set::NodeSet;

/// The state of an election from the candidate's side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VoteResult {
    /// A quorum granted.
    Won,
    /// A quorum can no longer be reached.
    Lost,
    /// Still undecided.
    Pending,
}

/// The highest index stored on a strict majority of `voters`.
///
/// An empty set has no opinion and returns `Index::MAX`, so that in a joint
/// configuration the other side decides alone.
pub fn majority_committed(voters: &NodeSet, matched: impl Fn(NodeId) -> Index) -> Index {
    if voters.is_empty() {
        return Index::MAX;
    }
    // Sorted, the element ⌊n/2⌋ from the top is held by ⌊n/2⌋+1 voters:
    // the smallest strict majority. Ascending with `sort_unstable`, as
    // `NodeSet` sorts its ids (also u64): the wasm module then holds one
    // copy of that sort, not two (each is kilobytes).
    let mut small = [0 as Index; 16];
    let mut large;
    let indexes: &mut [Index] = if voters.len() <= small.len() {
        let s = &mut small[..voters.len()];
        for (slot, id) in s.iter_mut().zip(voters) {
            *slot = matched(*id);
        }
        s
    } else {
        large = voters.iter().map(|id| matched(*id)).collect::<Vec<Index>>();
        &mut large
    };
    indexes.sort_unstable();
    indexes[voters.len() - 1 - voters.len() / 2]
}

/// The smallest strict majority of `voters` voters: how many must agree.
pub fn majority_needed(voters: usize) -> usize {
    voters / 2 + 1
}

/// Which configuration a tally counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigName {
    /// The one configuration in effect (not joint).
    Current,
    /// While joint: the configuration being left.
    Old,
    /// While joint: the configuration being entered.
    New,
}

/// One configuration's count in an election: who votes in it, who granted,
/// who refused, and how many grants it needs. A joint election is won only
/// when every configuration's count is (Raft thesis §4.3), so the page and
/// the trace show one of these per configuration instead of one number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfigTally {
    /// Which configuration.
    pub config: ConfigName,
    /// Its voters, in id order.
    pub members: Vec<NodeId>,
    /// Voters that granted (they count toward `needed`).
    pub granted: Vec<NodeId>,
    /// Voters that refused.
    pub refused: Vec<NodeId>,
    /// Grants needed: a strict majority of `members`.
    pub needed: usize,
    /// Won, lost, or still open in this configuration.
    pub result: VoteResult,
}

impl ConfigTally {
    /// Counts `vote` (as in [`majority_vote`]) among `voters`.
    pub fn count(config: ConfigName, voters: &NodeSet, vote: impl Fn(NodeId) -> Option<bool>) -> ConfigTally {
        let members: Vec<NodeId> = voters.iter().copied().collect();
        let granted = members.iter().copied().filter(|id| vote(*id) == Some(true)).collect();
        let refused = members.iter().copied().filter(|id| vote(*id) == Some(false)).collect();
        ConfigTally {
            config,
            needed: if members.is_empty() { 0 } else { majority_needed(members.len()) },
            result: majority_vote(voters, &vote),
            members,
            granted,
            refused,
        }
    }
}

/// Tallies an election among `voters`; `vote` answers `Some(granted)` for a
/// voter that has replied and `None` for one that has not.
pub fn majority_vote(voters: &NodeSet, vote: impl Fn(NodeId) -> Option<bool>) -> VoteResult {
    if voters.is_empty() {
        return VoteResult::Won;
    }
    let (mut granted, mut missing) = (0, 0);
    for id in voters {
        match vote(*id) {
            Some(true) => granted += 1,
            Some(false) => {}
            None => missing += 1,
        }
    }
    let needed = majority_needed(voters.len());
    if granted >= needed {
        VoteResult::Won
    } else if granted + missing >= needed {
        VoteResult::Pending
    } else {
        VoteResult::Lost
    }
}

/// The committed index of a possibly joint configuration: the smaller of the
/// two sides' majority indexes.
pub fn joint_committed(
    incoming: &NodeSet,
    outgoing: Option<&NodeSet>,
    matched: impl Fn(NodeId) -> Index,
) -> Index {
    let inc = majority_committed(incoming, &matched);
    match outgoing {
        Some(out) => inc.min(majority_committed(out, &matched)),
        None => inc,
    }
}

/// Tallies an election in a possibly joint configuration: won only when both
/// sides are won, lost when either side is lost.
pub fn joint_vote(
    incoming: &NodeSet,
    outgoing: Option<&NodeSet>,
    vote: impl Fn(NodeId) -> Option<bool>,
) -> VoteResult {
    let inc = majority_vote(incoming, &vote);
    let out = outgoing.map_or(VoteResult::Won, |o| majority_vote(o, &vote));
    match (inc, out) {
        (VoteResult::Won, VoteResult::Won) => VoteResult::Won,
        (VoteResult::Lost, _) | (_, VoteResult::Lost) => VoteResult::Lost,
        _ => VoteResult::Pending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::rng::Rng;

    fn set(ids: &[NodeId]) -> NodeSet {
        ids.iter().copied().collect()
    }

    #[test]
    fn committed_index_table() {
        // (voters, match indexes in voter order, expected)
        let cases: &[(&[NodeId], &[Index], Index)] = &[
            (&[1], &[5], 5),
            (&[1, 2], &[5, 3], 3),
            (&[1, 2, 3], &[5, 3, 1], 3),
            (&[1, 2, 3], &[5, 5, 1], 5),
            (&[1, 2, 3, 4], &[9, 7, 5, 3], 5),
            (&[1, 2, 3, 4, 5], &[1, 2, 3, 4, 5], 3),
            (&[1, 2, 3, 4, 5], &[0, 0, 0, 9, 9], 0),
        ];
        for (voters, matches, want) in cases {
            let voters = set(voters);
            let ids: Vec<_> = voters.iter().copied().collect();
            let got = majority_committed(&voters, |id| matches[ids.iter().position(|x| *x == id).unwrap()]);
            assert_eq!(got, *want, "voters {voters:?} matches {matches:?}");
        }
        assert_eq!(majority_committed(&set(&[]), |_| 0), Index::MAX);
    }

    #[test]
    fn joint_takes_the_smaller_side() {
        let inc = set(&[1, 2, 3]);
        let out = set(&[3, 4, 5]);
        let m = |id: NodeId| [0, 9, 9, 9, 2, 2][id as usize];
        assert_eq!(joint_committed(&inc, None, m), 9);
        assert_eq!(joint_committed(&inc, Some(&out), m), 2);
    }

    #[test]
    fn vote_table() {
        let v = set(&[1, 2, 3]);
        assert_eq!(majority_vote(&v, |id| (id == 1).then_some(true)), VoteResult::Pending);
        assert_eq!(majority_vote(&v, |id| (id <= 2).then_some(true)), VoteResult::Won);
        assert_eq!(majority_vote(&v, |id| (id <= 2).then_some(id == 1)), VoteResult::Pending);
        assert_eq!(majority_vote(&v, |id| Some(id == 1)), VoteResult::Lost);
        // 2 data + 1 witness: the witness's grant makes the majority.
        let w = set(&[1, 2, 3]);
        assert_eq!(majority_vote(&w, |id| Some(id != 2)), VoteResult::Won);
        // Joint: winning the new side alone is not enough.
        let out = set(&[4, 5, 6]);
        assert_eq!(joint_vote(&v, Some(&out), |id| Some(id <= 3)), VoteResult::Lost);
        assert_eq!(joint_vote(&v, Some(&out), |id| (id <= 3).then_some(true)), VoteResult::Pending);
        assert_eq!(joint_vote(&v, Some(&out), |id| Some(id % 3 != 0)), VoteResult::Won);
    }

    #[test]
    fn config_tally_lists_who_counts() {
        let v = set(&[1, 2, 3]);
        let t = ConfigTally::count(ConfigName::Current, &v, |id| match id {
            1 => Some(true),
            3 => Some(false),
            _ => None,
        });
        assert_eq!((t.members, t.granted, t.refused, t.needed), (vec![1, 2, 3], vec![1], vec![3], 2));
        assert_eq!(t.result, VoteResult::Pending);
        assert_eq!(majority_needed(4), 3);
        assert_eq!(majority_needed(5), 3);
    }

    /// The deliberately naive versions: try every candidate answer.
    fn naive_committed(voters: &[NodeId], matched: &dyn Fn(NodeId) -> Index) -> Index {
        if voters.is_empty() {
            return Index::MAX;
        }
        let candidates: Vec<Index> = voters.iter().map(|v| matched(*v)).collect();
        let mut best = 0;
        for c in candidates {
            let holders = voters.iter().filter(|v| matched(**v) >= c).count();
            if holders * 2 > voters.len() && c > best {
                best = c;
            }
        }
        best
    }

    fn naive_vote(voters: &[NodeId], vote: &dyn Fn(NodeId) -> Option<bool>) -> VoteResult {
        let yes = voters.iter().filter(|v| vote(**v) == Some(true)).count();
        let maybe = voters.iter().filter(|v| vote(**v) != Some(false)).count();
        if yes * 2 > voters.len() || voters.is_empty() {
            VoteResult::Won
        } else if maybe * 2 > voters.len() {
            VoteResult::Pending
        } else {
            VoteResult::Lost
        }
    }

    fn random_set(rng: &mut Rng) -> Vec<NodeId> {
        (1..=9).filter(|_| rng.range_inclusive(0, 1) == 1).collect()
    }

    #[test]
    fn randomized_against_naive() {
        let seed = 0x5EED_0001;
        let mut rng = Rng::new(seed);
        for case in 0..20_000 {
            let inc = random_set(&mut rng);
            let out = if rng.range_inclusive(0, 1) == 1 { Some(random_set(&mut rng)) } else { None };
            let matches: Vec<Index> = (0..10).map(|_| rng.range_inclusive(0, 6)).collect();
            let votes: Vec<Option<bool>> = (0..10)
                .map(|_| match rng.range_inclusive(0, 2) {
                    0 => None,
                    1 => Some(true),
                    _ => Some(false),
                })
                .collect();
            let m = |id: NodeId| matches[id as usize];
            let v = |id: NodeId| votes[id as usize];
            let inc_set: NodeSet = inc.iter().copied().collect();
            let out_set: Option<NodeSet> = out.as_ref().map(|o| o.iter().copied().collect());
            let want_c =
                naive_committed(&inc, &m).min(out.as_ref().map_or(Index::MAX, |o| naive_committed(o, &m)));
            let got_c = joint_committed(&inc_set, out_set.as_ref(), m);
            assert_eq!(got_c, want_c, "seed {seed:#x} case {case}: committed for {inc:?}/{out:?}");
            let want_v =
                match (naive_vote(&inc, &v), out.as_ref().map_or(VoteResult::Won, |o| naive_vote(o, &v))) {
                    (VoteResult::Won, VoteResult::Won) => VoteResult::Won,
                    (VoteResult::Lost, _) | (_, VoteResult::Lost) => VoteResult::Lost,
                    _ => VoteResult::Pending,
                };
            let got_v = joint_vote(&inc_set, out_set.as_ref(), v);
            assert_eq!(got_v, want_v, "seed {seed:#x} case {case}: vote for {inc:?}/{out:?}");
        }
    }
}
