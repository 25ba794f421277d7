//! Log matching: if two logs hold an entry with the same index and term,
//! they hold the same entries up to it (Raft §5.3, Figure 3). Checked on
//! terms, the identity of an entry; witnesses hold metadata only.
//!
//! Why incremental: for each pair of live nodes the check remembers an
//! index up to which every entry both hold agrees. Only pairs with a log
//! that changed this step are re-examined, and only above that index: scan
//! down from the shorter end to the highest common (index, term), then
//! verify the entries between it and the agreed index. A log whose old last
//! entry is still in place is taken to have only grown (see
//! `leader_append_only` for why); any other change re-examines its pairs
//! from the start.
//!
//! A node that crashes keeps the log it persisted, which is the log it had
//! (the simulated disk is written in the step that changes the log), so a
//! restarted log is one more log that changed: it is re-examined from the
//! start only if its old last entry is gone. Why not always: every restart
//! would compare whole logs pair by pair, most of what this check cost in a
//! long fault campaign. While a node is down the other logs go on changing
//! unseen by its pairs, so each change lowers what it agrees with the nodes
//! that are down.

use super::{Invariant, Observation, Property, Shared, Violation};
use crate::core::{Index, Log, NodeId, SortedMap, StateKey, Term};

/// What the check saw of each node (by its position among the observed
/// nodes), and how far each pair is known to agree.
#[derive(Clone, Debug, Default)]
pub struct LogMatching {
    seen: Vec<Seen>,
    agreed: SortedMap<(NodeId, NodeId), Index>,
}

/// A node's last entry when last seen live, and whether it is down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seen {
    id: NodeId,
    last: Option<(Index, Term)>,
    down: bool,
}

/// Gathers the live logs that may have changed since the last step, in
/// id order, each with the lowest index it may have changed at.
fn gather_changes(memory: &mut Shared<LogMatching>, obs: &Observation<'_>) -> Vec<(NodeId, Index)> {
    let seen = &memory.seen;
    let same_nodes = seen.len() == obs.nodes.len() && seen.iter().zip(obs.nodes).all(|(l, s)| l.id == s.id);
    if !same_nodes {
        let memory = memory.edit();
        let before = std::mem::take(&mut memory.seen);
        let known = |id| before.iter().find(|b| b.id == id).copied();
        let fresh = |id| Seen { id, last: None, down: false };
        memory.seen = obs.nodes.iter().map(|s| known(s.id).unwrap_or(fresh(s.id))).collect();
    }
    let mut changed = Vec::new();
    for (i, state) in obs.nodes.iter().enumerate() {
        let seen = memory.seen[i];
        let Some(node) = state.node else {
            if !seen.down {
                memory.edit().seen[i].down = true;
            }
            continue;
        };
        let log = node.log();
        let now = (log.last_index(), log.last_term());
        // A node back from a crash is paired again even with the log it
        // had: the others' logs may have changed meanwhile.
        let from = match seen.last {
            Some(before) if before == now && !seen.down => continue,
            Some((index, term)) if log.term_at(index) == Some(term) => index + 1,
            _ => 0,
        };
        memory.edit().seen[i] = Seen { id: seen.id, last: Some(now), down: false };
        changed.push((seen.id, from));
    }
    changed
}

impl Invariant for LogMatching {
    fn observe(memory: &mut Shared<Self>, obs: &Observation<'_>, out: &mut Vec<Violation>) {
        let changed = gather_changes(memory, obs);
        // Most steps change no log (a tick, a heartbeat): nothing to pair.
        if changed.is_empty() {
            return;
        }
        for (id, from) in &changed {
            for down in obs.nodes.iter().filter(|s| s.node.is_none()) {
                let key = (down.id.min(*id), down.id.max(*id));
                let lowered = from.saturating_sub(1);
                if memory.agreed.get(&key).is_some_and(|agreed| *agreed > lowered) {
                    memory.edit().agreed.insert(key, lowered);
                }
            }
        }
        let from_of = |id: NodeId| changed.iter().find(|(c, _)| *c == id).map(|(_, from)| *from);
        let live = || obs.nodes.iter().filter_map(|s| s.node);
        for (i, a) in live().enumerate() {
            for b in live().skip(i + 1) {
                let Some(from) = [a.id(), b.id()].into_iter().filter_map(from_of).min() else {
                    continue;
                };
                let key = (a.id().min(b.id()), a.id().max(b.id()));
                let before = memory.agreed.get(&key).copied();
                let agreed = before.unwrap_or(0).min(from.saturating_sub(1));
                let (agreed, mismatch) = check_pair(a.log(), b.log(), agreed);
                if before != Some(agreed) {
                    memory.edit().agreed.insert(key, agreed);
                }
                if let Some(index) = mismatch {
                    let (ta, tb) = (a.log().term_at(index).unwrap_or(0), b.log().term_at(index).unwrap_or(0));
                    let detail = format!(
                        "nodes {} and {} share a later entry but disagree at index {index} \
                         (term {ta} on node {}, term {tb} on node {})",
                        a.id(),
                        b.id(),
                        a.id(),
                        b.id()
                    );
                    out.push(Violation::new(Property::LogMatching, vec![a.id(), b.id()], detail));
                }
            }
        }
    }

    /// Writes what it remembers. Agreement is between two nodes, written
    /// as a pair in renamed order.
    fn write_key(&self, k: &mut StateKey) {
        let LogMatching { seen, agreed } = self;
        k.by_id(seen.iter().map(|s| (s.id, s)), |Seen { id: _, last, down }, k| {
            k.opt(last.map(|(index, _)| index));
            k.opt(last.map(|(_, term)| term));
            k.flag(*down);
        });
        k.multiset(agreed.iter(), |((a, b), index), k| {
            let (a, b) = (k.name(*a), k.name(*b));
            k.word(a.min(b));
            k.word(a.max(b));
            k.word(**index);
        });
    }
}

/// Given that every entry both logs hold up to `agreed` agrees, returns the
/// new agreed index (their highest common entry) and, if some entry below
/// it differs, the first such index found.
fn check_pair(a: &Log, b: &Log, agreed: Index) -> (Index, Option<Index>) {
    let top = a.last_index().min(b.last_index());
    // Below the higher snapshot one side no longer holds the entries.
    let floor = agreed.max(a.snapshot_index().max(b.snapshot_index()).saturating_sub(1));
    let mut high = top;
    while high > floor && a.term_at(high) != b.term_at(high) {
        high -= 1;
    }
    if high <= floor {
        return (floor, None);
    }
    // Above both snapshots the entries are compared slice against slice,
    // not index by index: a log seen for the first time, or rewritten below
    // its last entry, re-examines its pairs from the start, so this scan
    // covers whole logs.
    let held = a.snapshot_index().max(b.snapshot_index()) + 1;
    let mismatch = (floor + 1..high.min(held)).find(|&i| a.term_at(i) != b.term_at(i)).or_else(|| {
        let from = (floor + 1).max(held);
        let (xs, ys) = (a.range(from, high - 1), b.range(from, high - 1));
        xs.iter().zip(ys).find(|(x, y)| x.term != y.term).map(|(x, _)| x.index)
    });
    (high, mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::{disk, follower, restarted, World};

    #[test]
    fn a_shared_entry_over_different_histories_fires() {
        let mut check = Shared::<LogMatching>::default();
        let (a, b) = (follower(1, 3, 0, &[1, 1, 2]), follower(2, 3, 0, &[1, 2, 2]));
        let found = World::default().live(&a).live(&b).check(&mut check);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].nodes, vec![1, 2]);
        assert!(found[0].detail.contains("disagree at index 2 (term 1 on node 1, term 2 on node 2)"));
    }

    #[test]
    fn a_mismatch_found_when_a_later_append_makes_it_visible() {
        let mut check = Shared::<LogMatching>::default();
        let (a, b) = (follower(1, 3, 0, &[1, 1, 2]), follower(2, 3, 0, &[1, 1, 3]));
        assert!(World::default().live(&a).live(&b).check(&mut check).is_empty(), "no shared entry above 2");
        let a = follower(1, 3, 0, &[1, 1, 2, 3]);
        assert!(World::default().live(&a).live(&b).check(&mut check).is_empty());
        // Only b changes, by appending; the pair agreed up to 2 only.
        let b = follower(2, 3, 0, &[1, 1, 3, 3]);
        let found = World::default().live(&a).live(&b).check(&mut check);
        assert_eq!(found.len(), 1);
        assert!(found[0].detail.contains("index 3"));
    }

    #[test]
    fn a_log_rewritten_while_its_pair_was_down_is_checked_when_it_returns() {
        let mut check = Shared::<LogMatching>::default();
        let (a, b) = (follower(1, 3, 0, &[1, 1, 2]), follower(2, 3, 0, &[1, 1, 3]));
        assert!(World::default().live(&a).live(&b).check(&mut check).is_empty(), "they agree up to 2");
        // While node 2 is down node 1's log is rewritten from index 2 on.
        let b_disk = disk(3, None, 0, &[1, 1, 3]);
        let a = follower(1, 3, 0, &[1, 2, 3]);
        assert!(World::default().live(&a).crashed(2, &b_disk).check(&mut check).is_empty());
        // Node 2 returns with its log as it was: it now shares 3@t3 with
        // node 1 over a different entry 2.
        let b = restarted(2, b_disk.clone());
        let found = World::default().restart(2).live(&a).live_on(&b, &b_disk).check(&mut check);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].detail.contains("disagree at index 2"), "{}", found[0].detail);
    }

    #[test]
    fn divergent_tails_and_snapshots_are_silent() {
        let mut check = Shared::<LogMatching>::default();
        let (a, b) = (follower(1, 3, 0, &[1, 1, 2, 2]), follower(2, 3, 0, &[1, 1, 3]));
        let mut c = follower(3, 3, 3, &[1, 1, 2]);
        assert!(World::default().live(&a).live(&b).live(&c).check(&mut check).is_empty());
        c.log.compact(3);
        c.log.push(crate::check::testing::entry(4, 2));
        assert!(World::default().live(&a).live(&b).live(&c).check(&mut check).is_empty());
    }
}
