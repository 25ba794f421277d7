//! Leader completeness: an entry committed in term T is in the log of every
//! leader of a term after T (Raft §5.4, Figure 3). This is what the Figure 8
//! rule (`current_term_commit`) and the vote guards (`log_guards`) protect.
//!
//! Why "after T": with `check_quorum` off a leader cut off in a minority
//! keeps its role while the majority commits in a later term; that stale
//! leader lacks the new entries and breaks nothing. So each committed entry
//! is recorded with the term of the first node seen covering it, an upper
//! bound on the term it committed in (tight in practice: the committing
//! leader covers it first), and only leaders of later terms must hold it.
//! Each leader is verified once per committed entry, incrementally: a
//! leader only appends within its term (`leader_append_only`).

use super::leader_cursor::LeaderCursors;
use super::{describe_term, Invariant, Observation, Property, Shared, Violation};
use crate::core::{Index, NodeId, NodeMap, SortedMap, StateKey, Term};

/// An entry known to be committed.
#[derive(Clone, Copy, Debug)]
struct Committed {
    term: Term,
    commit_term: Term,
    seen_by: NodeId,
}

/// Committed entries, and how far each live leader was checked against them.
#[derive(Clone, Debug, Default)]
pub struct LeaderCompleteness {
    committed: SortedMap<Index, Committed>,
    examined: NodeMap<Index>,
    leaders: LeaderCursors,
}

/// Records the entries each live node newly covers with its watermark;
/// returns the lowest index recorded (`Index::MAX` when none).
fn record_commits(memory: &mut Shared<LeaderCompleteness>, obs: &Observation<'_>) -> Index {
    let mut lowest = Index::MAX;
    for node in obs.live() {
        let log = node.log();
        let to = node.commit_index().min(log.last_index());
        // Most steps move no watermark: nothing new is covered.
        if memory.examined.get(&node.id()).is_some_and(|examined| *examined >= to) {
            continue;
        }
        let memory = memory.edit();
        let examined = memory.examined.get_or_insert_with(node.id(), || 0);
        let from = *examined + 1;
        *examined = (*examined).max(to);
        for index in from.max(log.snapshot_index())..=to {
            // A compacted index below the snapshot boundary is unknown here.
            let Some(term) = log.term_at(index) else { continue };
            memory.committed.get_or_insert_with(index, || {
                lowest = lowest.min(index);
                Committed { term, commit_term: node.term(), seen_by: node.id() }
            });
        }
    }
    lowest
}

impl Invariant for LeaderCompleteness {
    fn observe(memory: &mut Shared<Self>, obs: &Observation<'_>, out: &mut Vec<Violation>) {
        let lowest = record_commits(memory, obs);
        let last = memory.committed.last_key_value().map_or(0, |(i, _)| *i);
        let committed = &memory.committed;
        let moves = memory.leaders.advance(obs, lowest, last, |leader, from| {
            let (id, term, log) = (leader.id(), leader.term(), leader.log());
            let mut required = committed.range_from(&from).filter(|(_, c)| c.commit_term < term);
            let Some((&index, c)) = required.find(|(i, c)| log.term_at(**i) != Some(c.term)) else {
                return false;
            };
            let detail = format!(
                "node {id} leads term {term} without entry {index}@t{}, committed by term {} \
                 (seen by node {}); it holds {} there",
                c.term,
                c.commit_term,
                c.seen_by,
                describe_term(log.term_at(index))
            );
            out.push(Violation::new(Property::LeaderCompleteness, vec![id, c.seen_by], detail));
            true
        });
        if !moves.is_empty() {
            memory.edit().leaders.apply(obs, moves);
        }
    }

    /// Writes what it remembers.
    fn write_key(&self, k: &mut StateKey) {
        let LeaderCompleteness { committed, examined, leaders } = self;
        k.word(committed.len() as u64);
        for (index, Committed { term, commit_term, seen_by }) in committed.iter() {
            k.word(*index);
            k.word(*term);
            k.word(*commit_term);
            k.id(*seen_by);
        }
        k.by_id(examined.iter().map(|(id, index)| (*id, *index)), |index, k| k.word(index));
        leaders.write_key(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::{follower, leader, World};

    #[test]
    fn a_later_leader_without_a_committed_entry_fires() {
        let mut check = Shared::<LeaderCompleteness>::default();
        let committed = follower(1, 1, 2, &[1, 1]);
        assert!(World::default().live(&committed).check(&mut check).is_empty());
        // Figure 8: node 2 wins term 2 with index 2 overwritten by its no-op.
        let usurper = leader(2, 2, &[1]);
        let found = World::default().live(&committed).live(&usurper).check(&mut check);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].nodes, vec![2, 1]);
        assert!(found[0].detail.contains("without entry 2@t1, committed by term 1"), "{}", found[0].detail);
        let again = World::default().live(&committed).live(&usurper).check(&mut check);
        assert!(again.is_empty(), "reported once per leader and term");
    }

    #[test]
    fn complete_leaders_and_stale_leaders_are_silent() {
        let mut check = Shared::<LeaderCompleteness>::default();
        let committed = follower(1, 3, 2, &[1, 3]);
        let complete = leader(2, 4, &[1, 3]);
        // With check_quorum off a leader of term 2 may linger in a minority
        // without what term 3 committed since.
        let stale = leader(3, 2, &[1]);
        let world = World::default().live(&committed).live(&complete).live(&stale);
        assert!(world.check(&mut check).is_empty());
    }
}
