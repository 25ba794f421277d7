//! Iterative deepening: breadth-first search's answer (the shortest run
//! within the bounds) in the memory of a depth-first search.
//!
//! Breadth-first search ([`super::bfs`]) keeps a whole depth's frontier as
//! simulators, about 4 KB a state for three nodes: the narrow search's
//! 500,000 states held about 2 GB. Depth-first search to a depth limit
//! keeps the simulators of one path and, per state seen, its key and the
//! least depth it was reached at (a few dozen bytes). Run with the limit
//! 1, 2, 3, ... (iterative deepening, Korf 1985), the first limit at which
//! it finds a violation (or the goal) is the length of the shortest run
//! within the bounds, as breadth-first search finds, for about a third
//! more work: each iteration repeats the ones before, which hold about a
//! quarter of its states each as states grow about fourfold per depth.
//!
//! A state reached again no shallower than before is not expanded again;
//! reached shallower, it is, since its subtree may now go deeper within
//! the limit. So each iteration reaches every state within the limit at
//! its least depth and expands it there, as breadth-first search does to
//! that depth; as there, a successor seen before is not looked at again.
//! One thread: the path is one.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use crate::sim::TraceEvent;

use super::bfs::KeyBits;
use super::key::Keyer;
use super::model::{apply, hit, moves, Move, State};
use super::{Options, Progress, Report, Stage};

/// Each state seen in an iteration: its key, and the least depth it was
/// reached at (at most [`super::MAX_DEPTH`]).
type Seen = HashMap<u128, u8, BuildHasherDefault<KeyBits>>;

/// States expanded toward the deepest level between two progress reports
/// within an iteration (as breadth-first search reports after each block).
const REPORT_EVERY: usize = 2048;

/// Searches within `options`' bounds, limit after limit (see the module
/// documentation). The report reads as breadth-first search's: `states`
/// and `per_depth` are the last iteration's, `transitions` counts every
/// successor made in every iteration; a run found is the shortest within
/// the bounds (`shortest_within`). `progress` is called after each limit
/// and every few thousand states within one, and stops the search when it
/// returns false (`truncated`, as at the state limit).
pub fn iterative_deepening(
    options: &Options,
    progress: impl FnMut(&Progress) -> bool,
) -> Result<Report, String> {
    iterative_deepening_from(options, 1, progress)
}

/// [`iterative_deepening`] from limit `first` on, when every shorter run
/// is known to hit nothing (a search before it completed depth `first` -
/// 1): the limits before it would only repeat that search. A run found is
/// still the shortest within the bounds; `states` and `per_depth` are the
/// last iteration's, whose depth-first search alone covers every run of
/// up to its limit.
pub fn iterative_deepening_from(
    options: &Options,
    first: u64,
    progress: impl FnMut(&Progress) -> bool,
) -> Result<Report, String> {
    let config = options.sim_config()?;
    let root = State::initial(&config)?;
    let mark = |state: &State, events: &[TraceEvent]| hit(options, state, events).map(Mark::Hit);
    let (mut report, found) = deepen_from(options, first, &root, &mark, progress);
    if let Some((Mark::Hit(hit), path, end)) = found {
        report.take_run(options, &config, (hit, path, end.sim.now()), false);
    }
    Ok(report)
}

/// What a search looks for, as a move reaches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mark {
    /// A property broken or the goal reached (its name): the search stops.
    Hit(String),
    /// A waypoint, by its rank: the search ends with the limit, keeping
    /// the highest ranked of the shortest runs to one.
    Waypoint(usize),
}

/// What a search found, the moves there (each with its tick) and the
/// state they end in.
pub type Found = (Mark, Vec<(u64, Move)>, State);

/// The shortest runs from `root` to a move `mark` marks (see [`Mark`]),
/// within `options`' bounds and state limit: the report of the search,
/// and what it found, if anything.
pub fn deepen(
    options: &Options,
    root: &State,
    mark: &dyn Fn(&State, &[TraceEvent]) -> Option<Mark>,
    progress: impl FnMut(&Progress) -> bool,
) -> (Report, Option<Found>) {
    deepen_from(options, 1, root, mark, progress)
}

/// [`deepen`] from limit `first` on (see [`iterative_deepening_from`]).
fn deepen_from(
    options: &Options,
    first: u64,
    root: &State,
    mark: &dyn Fn(&State, &[TraceEvent]) -> Option<Mark>,
    mut progress: impl FnMut(&Progress) -> bool,
) -> (Report, Option<Found>) {
    let keyer = Keyer::new(options.shape, options.symmetry);
    let mut report = Report { states: 1, per_depth: vec![1], ..Report::default() };
    let last = options.bounds.depth.min(u64::from(u8::MAX)) as u8;
    for limit in first.clamp(1, u64::from(last.max(1))) as u8..=last {
        let frontier = report.per_depth.last().copied().unwrap_or(0) as usize;
        let mut dive = Dive {
            options,
            keyer: &keyer,
            mark,
            limit,
            seen: Seen::default(),
            path: Vec::new(),
            transitions: report.transitions,
            frontier,
            expanded: 0,
            states_before: report.states,
            found: None,
            stopped: false,
            progress: &mut progress,
        };
        dive.seen.insert(keyer.key(root), 0);
        dive.down(root, 0);
        report.transitions = dive.transitions;
        report.states = dive.seen.len() as u64;
        report.per_depth = per_depth(&dive.seen, limit);
        report.depth = u64::from(limit);
        let (found, stopped) = (dive.found.take(), dive.stopped);
        if found.is_some() {
            return (report, found);
        }
        if stopped {
            report.truncated = true;
            break;
        }
        // Breadth-first search's answer; a caller that deepens as a later
        // stage of the default search names its own stage.
        let go_on = progress(&Progress {
            stage: Stage::Breadth,
            depth: u64::from(limit),
            states: report.states,
            transitions: report.transitions,
            frontier: report.per_depth[usize::from(limit)] as usize,
            walks: 0,
            expanded: 0,
        });
        if !go_on {
            report.truncated = true;
            break;
        }
        // No state at the limit: nothing lies deeper.
        if report.per_depth[usize::from(limit)] == 0 {
            break;
        }
    }
    (report, None)
}

/// States seen at each least depth, 0 to `limit`.
fn per_depth(seen: &Seen, limit: u8) -> Vec<u64> {
    let mut counts = vec![0; usize::from(limit) + 1];
    for depth in seen.values() {
        counts[usize::from(*depth)] += 1;
    }
    counts
}

/// One iteration: depth-first to `limit` moves.
struct Dive<'a> {
    options: &'a Options,
    keyer: &'a Keyer,
    mark: &'a dyn Fn(&State, &[TraceEvent]) -> Option<Mark>,
    limit: u8,
    seen: Seen,
    /// The moves to the state being expanded, each with its tick.
    path: Vec<(u64, Move)>,
    /// Successors made, in this iteration and the ones before.
    transitions: u64,
    /// States at depth `limit - 1` (the iteration before found them) and
    /// how many of them are expanded so far: the progress within a limit.
    frontier: usize,
    expanded: usize,
    /// The states the iteration before found: progress never goes back.
    states_before: u64,
    /// What the search found: a hit, or the highest ranked waypoint so far.
    found: Option<Found>,
    /// The state limit reached, or the caller said stop.
    stopped: bool,
    progress: &'a mut dyn FnMut(&Progress) -> bool,
}

impl Dive<'_> {
    /// Expands `state`, reached at `depth` by `path`; true when the
    /// iteration must end (a run found, the limit reached, stopped).
    fn down(&mut self, state: &State, depth: u8) -> bool {
        if depth + 1 == self.limit && !self.report_progress() {
            self.stopped = true;
            return true;
        }
        for mv in moves(state, &self.options.bounds, self.options.shape) {
            let Some((child, events)) = apply(state, &mv) else { continue };
            self.transitions += 1;
            let reached = depth + 1;
            match self.seen.entry(self.keyer.key(&child)) {
                Entry::Occupied(e) if *e.get() <= reached => continue,
                Entry::Occupied(mut e) => {
                    e.insert(reached);
                }
                Entry::Vacant(e) => {
                    e.insert(reached);
                }
            }
            self.path.push((state.sim.now(), mv));
            match (self.mark)(&child, &events) {
                Some(hit @ Mark::Hit(_)) => {
                    self.found = Some((hit, self.path.clone(), child));
                    return true;
                }
                Some(Mark::Waypoint(rank)) => {
                    // Every earlier limit was searched without a mark:
                    // this waypoint lies at the limit, as the others found.
                    let better = match &self.found {
                        Some((Mark::Waypoint(best), ..)) => rank > *best,
                        _ => true,
                    };
                    if better {
                        self.found = Some((Mark::Waypoint(rank), self.path.clone(), child.clone()));
                    }
                }
                None => {}
            }
            // Checked after the violation, as breadth-first search does.
            if self.seen.len() as u64 >= self.options.max_states {
                self.stopped = true;
                return true;
            }
            if reached < self.limit && self.down(&child, reached) {
                return true;
            }
            self.path.pop();
        }
        false
    }

    /// Counts one state expanded toward the limit and, every
    /// [`REPORT_EVERY`], tells `progress`; false if it says stop.
    fn report_progress(&mut self) -> bool {
        self.expanded += 1;
        if !self.expanded.is_multiple_of(REPORT_EVERY) || self.expanded >= self.frontier {
            return true;
        }
        (self.progress)(&Progress {
            stage: Stage::Breadth,
            depth: u64::from(self.limit - 1),
            states: self.states_before.max(self.seen.len() as u64),
            transitions: self.transitions,
            frontier: self.frontier,
            walks: 0,
            expanded: self.expanded,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::bfs::breadth_first;
    use crate::explore::{Search, Shape};

    fn options(depth: u64, off: &[&str]) -> Options {
        let mut o = Options::new(Shape::Three);
        o.bounds.depth = depth;
        (o.bounds.writes, o.bounds.drops, o.bounds.duplicates, o.bounds.handovers) = (0, 0, 0, 0);
        o.off = off.iter().map(|s| s.to_string()).collect();
        o.threads = 1;
        o.search = Search::Breadth;
        o
    }

    /// Every state breadth-first search reaches, at the depth it reaches
    /// it: a depth-first search that kept the first depth it met a state
    /// at (not the least) would miss states near the limit.
    #[test]
    fn each_depth_holds_the_states_breadth_first_search_finds() {
        let o = options(6, &[]);
        let (deep, wide) = (iterative_deepening(&o, |_| true).unwrap(), breadth_first(&o, |_| true).unwrap());
        assert_eq!(deep.per_depth, wide.per_depth);
        assert_eq!((deep.states, deep.depth, deep.truncated), (wide.states, 6, false));
        assert!(deep.transitions > wide.transitions, "the iterations repeat: {}", deep.transitions);
    }

    /// The vote bug's shortest run is 8 moves: found at limit 8, the
    /// shortest within the bounds, and it replays to the violation.
    #[test]
    fn the_first_limit_with_a_run_gives_the_shortest() {
        let found = iterative_deepening(&options(10, &["durable_vote"]), |_| true).unwrap();
        let cx = found.counterexample.expect("found");
        assert_eq!((cx.property.as_str(), cx.moves.len(), found.depth), ("double_vote", 8, 8));
        assert_eq!(found.shortest_within.map(|b| b.depth), Some(8));
        let bfs = breadth_first(&options(10, &["durable_vote"]), |_| true).unwrap();
        assert_eq!(bfs.counterexample.map(|c| c.moves.len()), Some(8));
        let mut sim = cx.scenario.build().expect("builds");
        let events = sim.run_until_tick(cx.scenario.run_until, 10_000);
        assert!(events.iter().any(|e| matches!(&e.body, crate::sim::TraceBody::Violation { .. })));
        let none = iterative_deepening(&options(7, &["durable_vote"]), |_| true).unwrap();
        assert!(none.counterexample.is_none() && !none.truncated);
    }

    #[test]
    fn the_state_limit_and_the_caller_stop_it() {
        let mut o = options(8, &[]);
        o.max_states = 1000;
        let r = iterative_deepening(&o, |_| true).unwrap();
        assert!(r.truncated && r.states == 1000, "{} states", r.states);
        let mut calls = 0;
        let r = iterative_deepening(&options(8, &[]), |_| {
            calls += 1;
            calls < 3
        })
        .unwrap();
        assert!(r.truncated && r.depth == 3, "stopped after limit 3: {}", r.depth);
    }
}
