//! Term and commit never go backwards (Raft Figure 2: currentTerm is
//! persistent and only grows; the commit watermark is persisted here so it
//! stays monotonic too), on a live node, on its disk, and across restarts:
//! a node restarted from its disk must come back no earlier than it was.
//! A lost vote within a term is `double_vote`'s concern once it matters.

use super::{Invariant, Observation, Property, Shared, Violation};
use crate::core::{Index, NodeId, NodeMap, StateKey, Term};

/// The latest figures seen for a node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Seen {
    term: Term,
    commit: Index,
    disk_term: Term,
    disk_commit: Index,
}

/// Each node's latest term and commit, live and durable.
#[derive(Clone, Debug, Default)]
pub struct MonotonicState {
    seen: NodeMap<Seen>,
}

/// Reports `what` going back from `*before` to `now`, then remembers `now`.
fn advance(id: NodeId, what: &str, before: &mut u64, now: u64, out: &mut Vec<Violation>) {
    if now < *before {
        let detail = format!("node {id}'s {what} went back from {before} to {now}");
        out.push(Violation::new(Property::MonotonicState, vec![id], detail));
    }
    *before = now;
}

impl Invariant for MonotonicState {
    fn observe(memory: &mut Shared<Self>, obs: &Observation<'_>, out: &mut Vec<Violation>) {
        for state in obs.nodes {
            let before = memory.seen.get(&state.id).copied();
            let mut seen = before.unwrap_or_default();
            if let Some(node) = state.node {
                advance(state.id, "term", &mut seen.term, node.term(), out);
                advance(state.id, "commit index", &mut seen.commit, node.commit_index(), out);
            }
            let hs = state.disk.hard_state;
            advance(state.id, "durable term", &mut seen.disk_term, hs.term, out);
            advance(state.id, "durable commit index", &mut seen.disk_commit, hs.commit, out);
            if before != Some(seen) {
                memory.edit().seen.insert(state.id, seen);
            }
        }
    }

    /// Writes each node's figures seen last.
    fn write_key(&self, k: &mut StateKey) {
        k.by_id(
            self.seen.iter().map(|(id, s)| (*id, s)),
            |Seen { term, commit, disk_term, disk_commit }, k| {
                k.word(*term);
                k.word(*commit);
                k.word(*disk_term);
                k.word(*disk_commit);
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::testing::{disk, follower, World};

    #[test]
    fn a_restart_behind_where_the_node_was_fires() {
        let mut check = Shared::<MonotonicState>::default();
        let before = follower(1, 3, 2, &[1, 1, 3]);
        assert!(World::default().live(&before).check(&mut check).is_empty());
        let behind = follower(1, 2, 1, &[1, 1, 3]);
        let found = World::default().restart(1).live(&behind).check(&mut check);
        let details: Vec<&str> = found.iter().map(|v| v.detail.as_str()).collect();
        assert_eq!(
            details,
            ["node 1's term went back from 3 to 2", "node 1's commit index went back from 2 to 1"]
        );
    }

    #[test]
    fn a_disk_going_back_fires() {
        let mut check = Shared::<MonotonicState>::default();
        let (newer, older) = (disk(4, None, 3, &[]), disk(4, None, 2, &[]));
        assert!(World::default().crashed(1, &newer).check(&mut check).is_empty());
        let found = World::default().crashed(1, &older).check(&mut check);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].detail, "node 1's durable commit index went back from 3 to 2");
    }

    #[test]
    fn progress_across_a_restart_is_silent() {
        let mut check = Shared::<MonotonicState>::default();
        let durable = disk(3, None, 2, &[1, 1, 3]);
        let before = follower(1, 3, 2, &[1, 1, 3]);
        assert!(World::default().live_on(&before, &durable).check(&mut check).is_empty());
        assert!(World::default().crashed(1, &durable).check(&mut check).is_empty());
        let after = follower(1, 4, 3, &[1, 1, 3]);
        assert!(World::default().restart(1).live_on(&after, &durable).check(&mut check).is_empty());
    }
}
