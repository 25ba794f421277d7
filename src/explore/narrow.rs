//! The shortest run within narrower bounds (by iterative deepening, in
//! little memory), after the default bounds ran out of states and before
//! random walks.
//!
//! Within the default bounds breadth-first search completes about 8 moves
//! before its state limit: every write, crash, drop and duplicate it may
//! make multiplies the states. Many bugs need none of them: two leader
//! changes in a row, the second through a handover, are enough for a
//! leader that misses a committed entry. Within bounds that allow only
//! that (no write, crash, drop or duplicate; one handover; one election
//! by timeout; five messages in flight) the same limit reaches 12 moves,
//! and a run found there is the shortest within those bounds. The caller's
//! bounds cap the narrow ones (no more writes, handovers, terms... than
//! they allow), the depth and the messages in flight apart: the narrow
//! search goes as deep as its state limit lets it, and a handover started
//! while an election's messages are still in flight needs five.

use super::deepening::iterative_deepening;
use super::model::Bounds;
use super::{Options, Progress, Report, Search, Stage};

/// The narrow bounds within `caller`'s: no write, crash, drop, duplicate
/// or snapshot; one handover; timeouts toward term 1 only; five messages
/// in flight; the caller's depth.
fn narrow_bounds(caller: &Bounds) -> Bounds {
    Bounds {
        depth: caller.depth,
        writes: 0,
        crashes: 0,
        drops: 0,
        duplicates: 0,
        handovers: caller.handovers.min(1),
        snapshots: 0,
        in_flight: 5,
        term: caller.term.min(1),
    }
}

/// How many times the caller's state limit the narrow search may visit:
/// with twice the default limit it completes depth 11 and finds the
/// 12-move runs of `log_guards` (at 261,278 states) and
/// `force_respects_vote_rule` (359,043). Iterative deepening keeps a key
/// per state, not a simulator, so the limit costs time, not memory
/// (breadth-first search held 1.6 GB for the second).
const STATE_FACTOR: u64 = 2;

/// After `report` (breadth-first within the caller's bounds, with no hit):
/// the shortest run within the narrow bounds, if the caller's search stopped
/// at its state limit (a search that completed its depth was what the
/// caller asked for). Returns the report with the run found
/// (proven shortest within the narrow bounds), if any; its states count
/// into `confirm_states`.
pub fn narrow(
    options: &Options,
    mut report: Report,
    mut progress: impl FnMut(&Progress) -> bool,
) -> Result<Report, String> {
    if !report.truncated {
        return Ok(report);
    }
    let search = Options {
        bounds: narrow_bounds(&options.bounds),
        search: Search::Breadth,
        max_states: options.keyed_states.saturating_mul(STATE_FACTOR),
        ..options.clone()
    };
    report.absorb(iterative_deepening(&search, |p| progress(&Progress { stage: Stage::Narrow, ..*p }))?);
    Ok(report)
}
