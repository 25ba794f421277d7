//! Acknowledged writes are never lost (PROTOCOL.md §1, in every mode): each
//! acked write stays at its (index, term) in the log of every leader that
//! came after it, and no node applies anything else at its index.
//!
//! Why only later leaders: with `check_quorum` off a leader cut off in a
//! minority keeps its role without the writes the majority acknowledges
//! meanwhile, and that loses nothing. A write is bound to the lowest term
//! among the live nodes whose watermark covers it when it is acked (the
//! acking leader's own term, in practice); leaders of later terms must hold
//! it, or have compacted past it. Each leader is verified once per write.

use super::leader_cursor::LeaderCursors;
use super::{describe_term, AckedWrite, Invariant, Observation, Property, Shared, Violation};
use crate::core::{Index, Log, SortedMap, StateKey, Term};

/// An acknowledged write, as the check keeps it.
#[derive(Clone, Debug)]
struct Acked {
    term: Term,
    value: String,
    commit_term: Term,
}

/// The acknowledged writes by index, and how far each leader was checked.
#[derive(Clone, Debug, Default)]
pub struct AckedWriteLost {
    seen: usize,
    acked: SortedMap<Index, Acked>,
    leaders: LeaderCursors,
}

/// Whether `log` still has `(index, term)`, or has compacted past it.
fn holds(log: &Log, index: Index, term: Term) -> bool {
    index < log.snapshot_index() || log.term_at(index) == Some(term)
}

/// An upper bound on the term in which `w` committed.
fn commit_term(obs: &Observation<'_>, w: &AckedWrite) -> Term {
    let covering = obs.live().filter(|n| n.commit_index() >= w.index && holds(n.log(), w.index, w.term));
    covering.map(|n| n.term()).min().unwrap_or_else(|| {
        let terms = obs.nodes.iter().map(|s| s.node.map_or(0, |n| n.term()).max(s.disk.hard_state.term));
        terms.max().unwrap_or(0)
    })
}

/// Takes in the writes acked since the last step; returns the lowest new
/// index (`Index::MAX` when none).
fn absorb(memory: &mut Shared<AckedWriteLost>, obs: &Observation<'_>, out: &mut Vec<Violation>) -> Index {
    // Most steps ack nothing.
    if obs.acked.len() == memory.seen {
        return Index::MAX;
    }
    let memory = memory.edit();
    if obs.acked.len() < memory.seen {
        memory.seen = 0;
    }
    let mut lowest = Index::MAX;
    for w in &obs.acked[memory.seen..] {
        match memory.acked.get(&w.index) {
            Some(a) if a.term != w.term => {
                let detail = format!(
                    "write {:?} acked at {}@t{} was replaced by write {:?} acked at {}@t{}",
                    a.value, w.index, a.term, w.value, w.index, w.term
                );
                out.push(Violation::new(Property::AckedWriteLost, Vec::new(), detail));
            }
            Some(_) => {}
            None => {
                let acked = Acked { term: w.term, value: w.value.clone(), commit_term: commit_term(obs, w) };
                memory.acked.insert(w.index, acked);
                lowest = lowest.min(w.index);
            }
        }
    }
    memory.seen = obs.acked.len();
    lowest
}

/// Reports every entry applied this step over a write acked at its index.
fn applied_over_acked(acked: &SortedMap<Index, Acked>, obs: &Observation<'_>, out: &mut Vec<Violation>) {
    // A restart replays a whole log here: along a run of consecutive
    // indexes the acked writes are walked in step, not searched for each
    // entry; any other index is searched for afresh.
    let mut ahead = acked.range_from(&Index::MAX).peekable();
    let mut previous = None;
    for (id, entry) in obs.applied {
        if previous.is_none_or(|p: Index| p + 1 != entry.index) {
            ahead = acked.range_from(&entry.index).peekable();
        }
        previous = Some(entry.index);
        while ahead.next_if(|(i, _)| **i < entry.index).is_some() {}
        let over = ahead.peek().filter(|(i, a)| **i == entry.index && a.term != entry.term);
        let Some((_, a)) = over else { continue };
        let detail = format!(
            "node {id} applied {}@t{} over write {:?} acked at {}@t{}",
            entry.index, entry.term, a.value, entry.index, a.term
        );
        out.push(Violation::new(Property::AckedWriteLost, vec![*id], detail));
    }
}

impl Invariant for AckedWriteLost {
    fn observe(memory: &mut Shared<Self>, obs: &Observation<'_>, out: &mut Vec<Violation>) {
        let lowest = absorb(memory, obs, out);
        applied_over_acked(&memory.acked, obs, out);
        let last = memory.acked.last_key_value().map_or(0, |(i, _)| *i);
        let acked = &memory.acked;
        let moves = memory.leaders.advance(obs, lowest, last, |leader, from| {
            let (id, term, log) = (leader.id(), leader.term(), leader.log());
            let mut required = acked.range_from(&from).filter(|(_, a)| a.commit_term < term);
            let Some((&index, a)) = required.find(|(i, a)| !holds(log, **i, a.term)) else {
                return false;
            };
            let detail = format!(
                "write {:?} acked at {index}@t{} is missing from node {id}, leader of term {term}, \
                 which holds {} there",
                a.value,
                a.term,
                describe_term(log.term_at(index))
            );
            out.push(Violation::new(Property::AckedWriteLost, vec![id], detail));
            true
        });
        if !moves.is_empty() {
            memory.edit().leaders.apply(obs, moves);
        }
    }

    /// Writes what it remembers.
    fn write_key(&self, k: &mut StateKey) {
        let AckedWriteLost { seen, acked, leaders } = self;
        k.word(*seen as u64);
        k.word(acked.len() as u64);
        for (index, Acked { term, value, commit_term }) in acked.iter() {
            k.word(*index);
            k.word(*term);
            k.bytes(value.as_bytes());
            k.word(*commit_term);
        }
        leaders.write_key(k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::{entry, follower, leader, World};

    #[test]
    fn a_later_leader_without_an_acked_write_fires() {
        let mut check = Shared::<AckedWriteLost>::default();
        let acking = follower(1, 1, 2, &[1, 1]);
        assert!(World::default().live(&acking).acked(2, 1, "x").check(&mut check).is_empty());
        // A lagging node is elected (log guards off) and overwrites index 2.
        let lagging = leader(2, 2, &[1]);
        let found = World::default().live(&acking).live(&lagging).acked(2, 1, "x").check(&mut check);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].nodes, vec![2]);
        assert_eq!(
            found[0].detail,
            "write \"x\" acked at 2@t1 is missing from node 2, leader of term 2, which holds term 2 there"
        );
    }

    #[test]
    fn applying_over_an_acked_write_fires() {
        let mut check = Shared::<AckedWriteLost>::default();
        let acking = follower(1, 1, 2, &[1, 1]);
        let world = World::default().live(&acking).acked(2, 1, "x").applied(3, entry(2, 2));
        let found = world.check(&mut check);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].detail, "node 3 applied 2@t2 over write \"x\" acked at 2@t1");
    }

    #[test]
    fn complete_and_stale_leaders_are_silent() {
        let mut check = Shared::<AckedWriteLost>::default();
        let acking = follower(1, 3, 2, &[1, 3]);
        let complete = leader(2, 4, &[1, 3]);
        // A leader of term 2 cut off in a minority (check_quorum off).
        let stale = leader(3, 2, &[1]);
        let world = World::default().live(&acking).live(&complete).live(&stale).acked(2, 3, "x");
        assert!(world.check(&mut check).is_empty());
        let replay = World::default().live(&complete).acked(2, 3, "x").applied(2, entry(2, 3));
        assert!(replay.check(&mut check).is_empty());
    }
}
