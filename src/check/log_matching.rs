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

use super::{Invariant, Observation, Property, Violation};
use crate::core::{Index, Log, NodeId, SortedMap, Term};

/// Each node's last entry when last seen live (by its position among the
/// observed nodes, with its id), how far each pair is known to agree, and
/// the logs that changed this step (empty between steps).
#[derive(Clone, Debug, Default)]
pub struct LogMatching {
    last: Vec<(NodeId, Option<(Index, Term)>)>,
    agreed: SortedMap<(NodeId, NodeId), Index>,
    changed: Vec<(NodeId, Index)>,
}

impl LogMatching {
    /// Gathers the live logs that may have changed since the last step, in
    /// id order, each with the lowest index it may have changed at.
    fn gather_changes(&mut self, obs: &Observation<'_>) {
        let same_nodes =
            self.last.len() == obs.nodes.len() && self.last.iter().zip(obs.nodes).all(|(l, s)| l.0 == s.id);
        if !same_nodes {
            let before = std::mem::take(&mut self.last);
            let known = |id| before.iter().find(|(b, _)| *b == id).and_then(|(_, last)| *last);
            self.last = obs.nodes.iter().map(|s| (s.id, known(s.id))).collect();
        }
        for ((id, last), state) in self.last.iter_mut().zip(obs.nodes) {
            let Some(node) = state.node else { continue };
            let log = node.log();
            let now = (log.last_index(), log.last_term());
            let from = match *last {
                Some(before) if before == now => continue,
                Some((index, term)) if log.term_at(index) == Some(term) => index + 1,
                _ => 0,
            };
            *last = Some(now);
            self.changed.push((*id, from));
        }
    }
}

impl Invariant for LogMatching {
    fn observe(&mut self, obs: &Observation<'_>, out: &mut Vec<Violation>) {
        self.gather_changes(obs);
        // Most steps change no log (a tick, a heartbeat): nothing to pair.
        if self.changed.is_empty() {
            return;
        }
        let changed = std::mem::take(&mut self.changed);
        for (id, from) in &changed {
            for down in obs.nodes.iter().filter(|s| s.node.is_none()) {
                let key = (down.id.min(*id), down.id.max(*id));
                if let Some(agreed) = self.agreed.get_mut(&key) {
                    *agreed = (*agreed).min(from.saturating_sub(1));
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
                let agreed = self.agreed.get(&key).copied().unwrap_or(0).min(from.saturating_sub(1));
                let (agreed, mismatch) = check_pair(a.log(), b.log(), agreed);
                self.agreed.insert(key, agreed);
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
        self.changed = changed;
        self.changed.clear();
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
    // not index by index: a restart re-examines a pair from the start, so
    // this scan covers whole logs.
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
    use crate::check::testing::{follower, World};

    #[test]
    fn a_shared_entry_over_different_histories_fires() {
        let mut check = LogMatching::default();
        let (a, b) = (follower(1, 3, 0, &[1, 1, 2]), follower(2, 3, 0, &[1, 2, 2]));
        let found = World::default().live(&a).live(&b).check(&mut check);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].nodes, vec![1, 2]);
        assert!(found[0].detail.contains("disagree at index 2 (term 1 on node 1, term 2 on node 2)"));
    }

    #[test]
    fn a_mismatch_found_when_a_later_append_makes_it_visible() {
        let mut check = LogMatching::default();
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
    fn divergent_tails_and_snapshots_are_silent() {
        let mut check = LogMatching::default();
        let (a, b) = (follower(1, 3, 0, &[1, 1, 2, 2]), follower(2, 3, 0, &[1, 1, 3]));
        let mut c = follower(3, 3, 3, &[1, 1, 2]);
        assert!(World::default().live(&a).live(&b).live(&c).check(&mut check).is_empty());
        c.log.compact(3);
        c.log.push(crate::check::testing::entry(4, 2));
        assert!(World::default().live(&a).live(&b).live(&c).check(&mut check).is_empty());
    }
}
