//! Proving a random walk's run shortest, within bounds of its own.
//!
//! A walk's shrunk run is short but not proven shortest. The run uses few
//! resources (so many writes, crashes, drops, duplicates, handovers and
//! snapshots, messages in flight, terms), so a search for the shortest
//! run (iterative deepening, [`super::deepening`]) within exactly those
//! bounds, to one move less than the run, is far smaller than a search
//! within the default bounds to that depth. If it finds
//! nothing and stops at no limit, no shorter run exists within those
//! bounds, and the run is the shortest there; if it finds something, that
//! is a shorter run, and the shortest within those bounds.

use super::deepening::{iterative_deepening, iterative_deepening_from};
use super::model::{apply, Bounds, Move, Spent, State};
use super::{Options, Progress, Report, Search, Stage};
use crate::core::Role;
use crate::sim::{Command, MessageAction};

/// The tightest bounds that allow `path` (depth: its length): what it
/// spends of each resource, the most messages in flight when it starts
/// something new, the highest term a timeout of it starts; `None` if a
/// move does not run.
pub fn bounds_of(options: &Options, path: &[Move]) -> Result<Option<Bounds>, String> {
    let mut state = State::initial(&options.sim_config()?)?;
    // A move of the path need not be one the generator offers word for
    // word: a shrunk run may deliver the second of two identical copies,
    // where the generator offers the first only (the same state). What
    // counts is what the run spends, measured here.
    let (mut in_flight, mut term) = (1, 1);
    for mv in path {
        if needs_room(mv) {
            in_flight = in_flight.max(state.sim.network().in_flight().count() + 1);
        }
        if let Move::Do(Command::TimeoutNow { node: crate::sim::Target::Node(id) }) = mv {
            let node = state.sim.node(*id).filter(|n| n.role() != Role::Leader);
            term = term.max(node.map_or(0, |n| n.term()) + 1);
        }
        let Some((next, _)) = apply(&state, mv) else { return Ok(None) };
        state = next;
    }
    let Spent { writes, crashes, drops, duplicates, handovers, snapshots, changed: _ } = state.spent;
    Ok(Some(Bounds {
        depth: path.len() as u64,
        writes,
        crashes,
        drops,
        duplicates,
        handovers,
        snapshots,
        in_flight,
        term,
    }))
}

/// True when every run within `inner` is within `outer` too (depth
/// apart).
pub fn covers(outer: &Bounds, inner: &Bounds) -> bool {
    inner.writes <= outer.writes
        && inner.crashes <= outer.crashes
        && inner.drops <= outer.drops
        && inner.duplicates <= outer.duplicates
        && inner.handovers <= outer.handovers
        && inner.snapshots <= outer.snapshots
        && inner.in_flight <= outer.in_flight
        && inner.term <= outer.term
}

/// Moves the generator offers only while fewer messages than the bound are
/// in flight (see `Bounds::in_flight`).
fn needs_room(mv: &Move) -> bool {
    match mv {
        Move::Tick => true,
        Move::Reboot(_) => false,
        Move::Do(command) => match command {
            Command::Messages { action, .. } => *action == MessageAction::Duplicate,
            Command::Crash { .. } | Command::Restart { .. } | Command::Snapshot { .. } => false,
            _ => true,
        },
    }
}

/// Whether a search can still reach its target depth within its state
/// limit. A search that cannot can prove nothing (it would stop at the
/// limit short of one move less than the run): it is stopped as soon as
/// the growth of its states shows it, and the time goes to the next. (It
/// might still have found a shorter run on the way; a Figure 8 run of 110
/// moves searched within its own bounds reaches 10 or so moves, far
/// short of any Figure 8, and took minutes.)
struct Reach {
    target: u64,
    limit: u64,
    /// The states at the deepest level of the last depth completed.
    last: Option<usize>,
}

impl Reach {
    /// After each depth completed (`p.expanded` 0): true if, growing from
    /// now on as it grew from the depth before, the search would pass its
    /// state limit before its target depth.
    fn out_of_reach(&mut self, p: &Progress) -> bool {
        if p.walks != 0 || p.expanded != 0 || p.depth >= self.target {
            return false;
        }
        let last = self.last.replace(p.frontier);
        let Some(before) = last.filter(|b| *b > 0) else { return false };
        // The first depths grow faster than later ones (the bounds are not
        // yet felt): judge from a hundredth of the limit on.
        if p.states < self.limit / 100 {
            return false;
        }
        let growth = p.frontier as f64 / before as f64;
        let (mut level, mut total) = (p.frontier as f64, p.states as f64);
        for _ in p.depth..self.target {
            level *= growth;
            total += level;
        }
        growth > 1.0 && total > self.limit as f64
    }
}

/// Bound sets searched at most after random walks (each search stops at
/// the state limit: this caps the time).
pub const MOST_SEARCHES: usize = 3;

/// After random walks found `report`'s run (the shortest of `runs`, their
/// distinct shrunk runs, shortest first): breadth-first search within one
/// run's own bounds after another (skipping bounds a search already
/// covered, at most [`MOST_SEARCHES`]), each to one move less than the
/// shortest run so far. A search that finds a run found a shorter one,
/// the shortest within its bounds: it becomes the counterexample. A search
/// that finds nothing and stops at no limit proves the counterexample
/// shortest within its bounds, if the counterexample is within them. Sets
/// `report.shortest_within` accordingly; counts states and transitions
/// into `report`.
pub fn confirm(
    options: &Options,
    mut report: Report,
    runs: &[Vec<Move>],
    mut progress: impl FnMut(&Progress) -> bool,
) -> Result<Report, String> {
    if !report.by_walk || report.counterexample.is_none() {
        return Ok(report);
    }
    let mut searched: Vec<Bounds> = Vec::new();
    for run in runs {
        let Some(bounds) = bounds_of(options, run)? else { continue };
        if searched.len() == MOST_SEARCHES {
            break;
        }
        if searched.iter().any(|s| covers(s, &bounds)) {
            continue;
        }
        searched.push(bounds);
        let Some(cx) = &report.counterexample else { break };
        let best = cx.moves.len() as u64;
        let own = bounds_of(options, &cx.moves.iter().map(|(_, mv)| mv.clone()).collect::<Vec<_>>())?;
        let within = own.is_some_and(|own| covers(&bounds, &own));
        if best <= 1 {
            report.shortest_within = report.shortest_within.or(Some(Bounds { depth: best, ..bounds }));
            break;
        }
        let search = Options {
            bounds: Bounds { depth: best - 1, ..bounds },
            search: Search::Breadth,
            max_states: options.keyed_states,
            ..options.clone()
        };
        let mut reach = Reach { target: best - 1, limit: options.keyed_states, last: None };
        let found = iterative_deepening(&search, |p| {
            !reach.out_of_reach(p) && progress(&Progress { stage: Stage::Confirm, ..*p })
        })?;
        let complete = !found.truncated;
        // No shorter run, and every one searched: the run is proven shortest within these bounds.
        if !report.absorb(found) && complete && within && report.shortest_within.is_none() {
            report.shortest_within = Some(Bounds { depth: best, ..bounds });
        }
    }
    Ok(report)
}

/// How many times the caller's state limit the search that rules out
/// shorter runs may visit. It keeps a key per state, not a simulator (a
/// few dozen bytes: 4,000,000 states are about 200 MB), so the limit costs
/// time, not memory.
pub const RULE_OUT_FACTOR: u64 = 16;

/// After the searches before it left `report`'s run unproven: every run
/// within the caller's own bounds (the default ones), limit after limit
/// from `complete` + 1 on (breadth-first search within those bounds
/// completed depth `complete` with no hit), to one move less than the run,
/// while the next limit's states, growing as the last limit's grew, fit
/// the state limit. Records in `report.none_shorter` the longest limit
/// searched completely: no run within those bounds is shorter than one
/// move more. A run found there is the shortest within those bounds and
/// replaces the walk's; a search complete to one move less than the run
/// proves the run shortest there, if the run is within those bounds.
pub fn rule_out_shorter(
    options: &Options,
    mut report: Report,
    complete: u64,
    mut progress: impl FnMut(&Progress) -> bool,
) -> Result<Report, String> {
    let Some(cx) = &report.counterexample else { return Ok(report) };
    if report.shortest_within.is_some() {
        return Ok(report);
    }
    let best = cx.moves.len() as u64;
    let run = cx.moves.iter().map(|(_, mv)| mv.clone()).collect::<Vec<_>>();
    let within = bounds_of(options, &run)?.is_some_and(|own| covers(&options.bounds, &own));
    let bounds = Bounds { depth: best.saturating_sub(1), ..options.bounds };
    let mut searched = complete.min(bounds.depth);
    if searched < bounds.depth {
        let limit = options.max_states.saturating_mul(RULE_OUT_FACTOR);
        let search = Options { bounds, search: Search::Breadth, max_states: limit, ..options.clone() };
        let found = iterative_deepening_from(&search, searched + 1, |p| {
            let p = &Progress { stage: Stage::RuleOut, ..*p };
            if p.walks != 0 || p.expanded != 0 {
                return progress(p);
            }
            // A limit done: every run of up to `p.depth` moves searched.
            searched = p.depth;
            // States grow about geometrically a depth: by g, the states
            // before the deepest level are about frontier / (g - 1).
            let (states, level) = (p.states as f64, p.frontier as f64);
            let growth = 1.0 + level / (states - level).max(1.0);
            let next = states + level * growth;
            progress(p) && next <= limit as f64
        })?;
        if report.absorb(found) {
            return Ok(report);
        }
    }
    report.none_shorter = Some(Bounds { depth: searched, ..bounds });
    if searched + 1 == best && within {
        report.shortest_within = Some(Bounds { depth: best, ..bounds });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::Shape;

    /// A depth done: `states` in all, `level` of them at that depth.
    fn done(depth: u64, states: u64, level: usize) -> Progress {
        Progress { depth, states, frontier: level, ..Progress::default() }
    }

    #[test]
    fn a_search_stops_once_its_growth_cannot_reach_the_target_within_the_limit() {
        // States grow fourfold a depth: 1,365 states by depth 5.
        let growing = [(1, 5, 4), (2, 21, 16), (3, 85, 64), (4, 341, 256), (5, 1365, 1024)];
        let stops_at = |target: u64, limit: u64| {
            let mut reach = Reach { target, limit, last: None };
            growing.iter().find(|(d, s, l)| reach.out_of_reach(&done(*d, *s, *l))).map(|(d, _, _)| *d)
        };
        // Depth 8 would bring the states to about 87,000: beyond 25,000,
        // judged from a hundredth of the limit (depth 4, 341 states) on.
        assert_eq!(stops_at(8, 25_000), Some(4));
        assert_eq!(stops_at(30, 25_000), Some(4));
        // Depth 7 (about 22,000) is within reach: the search goes on.
        assert_eq!(stops_at(7, 25_000), None);
        // Not judged before a hundredth of the limit.
        assert_eq!(stops_at(30, 10_000_000), None);
        // Reports within a depth, and states that stop growing, never stop it.
        let mut reach = Reach { target: 30, limit: 1000, last: None };
        assert!(!reach.out_of_reach(&Progress { expanded: 5, ..done(3, 900, 500) }));
        assert!(!reach.out_of_reach(&done(3, 900, 500)));
        assert!(!reach.out_of_reach(&done(4, 1000, 100)));
    }

    /// The vote bug within bounds of no write, drop, duplicate or handover.
    fn options(max_states: u64) -> Options {
        let mut o = Options::new(Shape::Three);
        (o.bounds.depth, o.bounds.writes, o.bounds.drops, o.bounds.duplicates, o.bounds.handovers) =
            (10, 0, 0, 0, 0);
        o.off = vec!["durable_vote".to_string()];
        (o.threads, o.max_states, o.search) = (1, max_states, Search::Breadth);
        o
    }

    /// The vote bug's shortest run (8 moves), as if a walk had found it.
    fn walked(o: &Options) -> Report {
        let mut report = iterative_deepening(o, |_| true).unwrap();
        assert_eq!(report.counterexample.as_ref().map(|c| c.moves.len()), Some(8));
        (report.by_walk, report.shortest_within) = (true, None);
        report
    }

    /// Searched to one move less than the run, nothing: the run is proven
    /// shortest, and every shorter run ruled out. With a state limit too
    /// small for that, only the limits that fit are claimed: every run of
    /// that many moves, and no more, fits the limit.
    #[test]
    fn shorter_runs_are_ruled_out_only_as_far_as_searched() {
        let o = options(100_000);
        let r = rule_out_shorter(&o, walked(&o), 2, |_| true).unwrap();
        assert_eq!(r.none_shorter.map(|b| b.depth), Some(7));
        assert_eq!(r.shortest_within.map(|b| b.depth), Some(8));
        let small = options(1_000 / RULE_OUT_FACTOR);
        let r = rule_out_shorter(&small, walked(&o), 2, |_| true).unwrap();
        let searched = r.none_shorter.expect("some limits searched").depth;
        assert!(r.shortest_within.is_none() && (3..7).contains(&searched), "searched to {searched}");
        let states_to = |depth| {
            let exhaustive = Options { bounds: Bounds { depth, ..o.bounds }, ..o.clone() };
            iterative_deepening(&exhaustive, |_| true).unwrap().states
        };
        assert!(states_to(searched) <= 1_000 && states_to(searched + 1) > 1_000 / 2, "{searched}");
    }

    /// A run longer than the shortest: the search finds the shortest and
    /// it replaces the run, proven shortest within the caller's bounds.
    #[test]
    fn a_shorter_run_found_replaces_the_walks() {
        let o = options(100_000);
        let mut report = walked(&o);
        let cx = report.counterexample.as_mut().expect("found");
        // Ten moves claimed: the search to nine finds the eight-move run.
        let (tick, mv) = cx.moves[0].clone();
        cx.moves.splice(0..0, [(tick, mv.clone()), (tick, mv)]);
        let r = rule_out_shorter(&o, report, 0, |_| true).unwrap();
        assert_eq!(r.counterexample.map(|c| c.moves.len()), Some(8));
        assert_eq!((r.by_walk, r.shortest_within.map(|b| b.depth)), (false, Some(8)));
    }
}
