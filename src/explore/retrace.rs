//! A shorter run along the way a run in hand went ("retracing").
//!
//! Taking moves out (the shrinker) cannot shorten a run that went the long
//! way round: a walk that reached Raft's Figure 8 through six elections
//! keeps all six, as each later move depends on what the earlier ones left
//! behind. Retracing keeps only where the run went: the outline of each
//! state it passed (as for the walks' coverage: roles, terms by rank, the terms of
//! the log entries, commit indexes; no messages), in order, as waypoints.
//! From the initial state it looks for the shortest runs to any later
//! waypoint and follows the one that gets furthest along, then looks again
//! from there, until a run hits what the run in hand hits. Each stretch is
//! iterative deepening ([`super::deepening`]) within the run's own bounds
//! (and the caller's crashes and handovers), a few moves and states at a
//! time. The result is a real run, its moves
//! applied one by one; it skips what the walk did on the way that its
//! outlines do not need, whole elections included. Short, not proven
//! shortest: each stretch is the shortest to its waypoint, not the whole.

use std::collections::BTreeMap;

use crate::sim::TraceEvent;

use super::confirm::bounds_of;
use super::coverage::outline;
use super::deepening::{deepen, Mark};
use super::model::{apply, hit, Bounds, Move, State};
use super::{Options, Search};

/// Moves per stretch at most: an election with its probes and votes is 5,
/// skipping one for another takes a few more.
pub const STRETCH_MOVES: u64 = 10;
/// States per stretch at most.
pub const STRETCH_STATES: u64 = 30_000;

/// A run from `root` that hits `target` as `run` does, found along `run`'s
/// waypoints, if one is found and is shorter than `run`.
pub fn retrace(options: &Options, root: &State, run: &[Move], target: &str) -> Option<Vec<Move>> {
    let bounds = bounds_of(options, run).ok()??;
    let rank = waypoints(root, run)?;
    // Each stretch may also spend the crash and the handover the caller
    // allows where the run did not: a forced handover skips a pre-vote and
    // the stickiness a timeout must wait out, a reboot a step-down (seed
    // 3's Figure 8: 31 moves within its own resources, 30 so).
    let stretch = Options {
        bounds: Bounds {
            depth: STRETCH_MOVES,
            handovers: options.bounds.handovers.max(bounds.handovers),
            crashes: options.bounds.crashes.max(bounds.crashes),
            ..bounds
        },
        max_states: STRETCH_STATES,
        search: Search::Breadth,
        ..options.clone()
    };
    let (mut state, mut path, mut at) = (root.clone(), Vec::new(), None);
    while path.len() < run.len() {
        let mark = |s: &State, events: &[TraceEvent]| match hit(options, s, events) {
            Some(h) if h == target => Some(Mark::Hit(h)),
            _ => rank.get(&outline(s)).filter(|r| at.is_none_or(|a| **r > a)).map(|r| Mark::Waypoint(*r)),
        };
        let (_, found) = deepen(&stretch, &state, &mark, |_| true);
        let (mark, moves, end) = found?;
        path.extend(moves.into_iter().map(|(_, mv)| mv));
        state = end;
        match mark {
            Mark::Hit(_) => return (path.len() < run.len()).then_some(path),
            Mark::Waypoint(r) => at = Some(r),
        }
    }
    None
}

/// Each outline `run` passes from `root` on (the initial one apart), by
/// the place it was last seen at; `None` if a move does not run.
fn waypoints(root: &State, run: &[Move]) -> Option<BTreeMap<u64, usize>> {
    let start = outline(root);
    let mut state = root.clone();
    let mut rank = BTreeMap::new();
    for (i, mv) in run.iter().enumerate() {
        state = apply(&state, mv)?.0;
        let o = outline(&state);
        if o != start {
            rank.insert(o, i + 1);
        }
    }
    Some(rank)
}
