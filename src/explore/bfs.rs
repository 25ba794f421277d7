//! Breadth-first search, depth by depth. Each depth's states are expanded
//! in parallel (chunks handed to worker threads), each successor checked
//! against the states of earlier depths; then the successors are merged in
//! the frontier's order, so the result does not depend on the thread
//! count or timing.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use super::key::Keyer;
use super::model::{apply, apply_into, hit, moves, Move, State};
use super::{Options, Progress, Report, Stage};

/// States per chunk of work handed to a thread.
const CHUNK: usize = 64;

/// Frontier states expanded between two merges (and progress reports).
/// Merging block by block keeps a depth's pending successors to one
/// block's, so the state limit bounds memory. The result does not depend
/// on the block size: a state is new when no state before it (in frontier
/// order, then move order) had its key, whichever block saw that one.
const BLOCK: usize = 2048;

/// A set of state keys. Keys are already well mixed, so their low bits
/// index the table directly. Only membership is asked, never order.
pub type Visited = HashSet<u128, BuildHasherDefault<KeyBits>>;

/// Hashes a state key by its low 64 bits.
#[derive(Default)]
pub struct KeyBits(u64);

impl Hasher for KeyBits {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 = v as u64;
    }
}

/// One step of a path: the step before it, the tick the move ran at, the
/// move.
struct Link {
    parent: Option<u32>,
    tick: u64,
    mv: Move,
}

/// A successor not yet merged: how to make it again, not the state itself.
/// Keeping every successor's simulator until the merge held each depth's
/// repeats and the states past the limit too (5.9 GB at 100,000 states);
/// the few that are new are made again after the merge, in parallel.
struct Found {
    parent: usize,
    mv: Move,
    key: u128,
    /// A property broken, or the goal reached.
    hit: Option<String>,
}

/// Breadth-first search (see the module documentation).
pub fn breadth_first(options: &Options, progress: impl FnMut(&Progress) -> bool) -> Result<Report, String> {
    in_blocks(options, BLOCK, progress)
}

/// Breadth-first search merging every `block` frontier states.
fn in_blocks(
    options: &Options,
    block: usize,
    mut progress: impl FnMut(&Progress) -> bool,
) -> Result<Report, String> {
    let config = options.sim_config()?;
    let keyer = Keyer::new(options.shape, options.symmetry);
    let root = State::initial(&config)?;
    let mut visited = Visited::default();
    visited.insert(keyer.key(&root));
    let report = Report { states: 1, per_depth: vec![1], ..Report::default() };
    let mut search = BreadthFirst { options, keyer, config, visited, links: Vec::new(), report };
    let mut frontier: Vec<Option<Frontier>> = vec![Some((Box::new(root), None))];
    for depth in 1..=options.bounds.depth {
        let mut next: Vec<Option<Frontier>> = Vec::new();
        let states_before = search.report.states;
        let (mut stop, mut cancelled) = (false, false);
        let mut expanded = 0;
        while expanded < frontier.len() && !stop && !cancelled {
            let end = (expanded + block).min(frontier.len());
            let states = &mut frontier[expanded..end];
            stop = search.block(states, &mut next, depth == options.bounds.depth);
            // A block's states are not needed again: their successors are
            // made, and paths are kept as links.
            states.iter_mut().for_each(|s| *s = None);
            expanded = end;
            if !stop && expanded < frontier.len() {
                // Progress within the depth: a deep one takes seconds to
                // minutes, and the page's bar must not look frozen.
                let report = &search.report;
                cancelled = !progress(&Progress {
                    stage: Stage::Breadth,
                    depth: depth - 1,
                    states: report.states,
                    transitions: report.transitions,
                    frontier: frontier.len(),
                    walks: 0,
                    expanded,
                });
            }
        }
        let report = &mut search.report;
        report.depth = depth;
        report.per_depth.push(report.states - states_before);
        if stop {
            next.clear();
        }
        let keep_going = !cancelled
            && progress(&Progress {
                stage: Stage::Breadth,
                depth,
                states: report.states,
                transitions: report.transitions,
                frontier: next.len(),
                walks: 0,
                expanded: 0,
            });
        if stop || next.is_empty() || !keep_going {
            report.truncated |= !keep_going;
            break;
        }
        frontier = next;
    }
    Ok(search.report)
}

/// A state waiting to be expanded, and the link that reached it (`None`
/// once expanded).
type Frontier = (Box<State>, Option<u32>);

/// A breadth-first search under way.
struct BreadthFirst<'a> {
    options: &'a Options,
    keyer: Keyer,
    config: crate::sim::SimConfig,
    visited: Visited,
    links: Vec<Link>,
    report: Report,
}

impl BreadthFirst<'_> {
    /// Expands `block` (in parallel), merges its successors in order and
    /// appends the new ones to `next`: made again when they will be
    /// expanded, only counted (`None`) at the last depth, whose states
    /// nothing expands (most of a search's states: made again, they were
    /// most of its memory). True when the search must stop: a violation
    /// (or the goal) found, or the state limit reached.
    fn block(&mut self, block: &[Option<Frontier>], next: &mut Vec<Option<Frontier>>, last: bool) -> bool {
        let options = self.options;
        let indexed: Vec<usize> = (0..block.len()).collect();
        let expanded = in_parallel(options.threads, &indexed, |i| {
            let (state, _) = block[*i].as_ref().expect("a block is expanded once");
            vec![successors(options, &self.keyer, *i, state, &self.visited)]
        });
        let mut kept: Vec<(usize, Move, Option<u32>)> = Vec::new();
        // Parent by parent, so that the successors counted when the
        // search stops do not depend on the block size.
        for (made, found) in expanded {
            self.report.transitions += made;
            for f in found {
                if !self.visited.insert(f.key) {
                    continue;
                }
                self.report.states += 1;
                let (parent, parent_link) = block[f.parent].as_ref().expect("in the block");
                self.links.push(Link { parent: *parent_link, tick: parent.sim.now(), mv: f.mv.clone() });
                let at = Some((self.links.len() - 1) as u32);
                if let Some(hit) = f.hit {
                    let (end, _) = apply(parent, &f.mv).expect("the move ran before");
                    let run = (hit, path(&self.links, at), end.sim.now());
                    self.report.take_run(options, &self.config, run, false);
                    return true;
                }
                // Checked before the state is kept: the limit bounds the
                // simulators held, and so memory.
                if self.report.states >= options.max_states {
                    self.report.truncated = true;
                    return true;
                }
                kept.push((f.parent, f.mv, at));
            }
        }
        if last {
            next.extend(kept.iter().map(|_| None));
            return false;
        }
        next.extend(in_parallel(options.threads, &kept, |(parent, mv, at)| {
            let (parent, _) = block[*parent].as_ref().expect("in the block");
            let (mut state, _) = apply(parent, mv).expect("the move ran before");
            // Held until the next depth expands it: without the room its
            // move's step left.
            state.sim.release_scratch();
            vec![Some((Box::new(state), *at))]
        }));
        false
    }
}

/// `work` on every item, on up to `threads` threads, chunk by chunk; the
/// results concatenated in item order, whatever the thread count.
fn in_parallel<T: Sync, R: Send>(threads: usize, items: &[T], work: impl Fn(&T) -> Vec<R> + Sync) -> Vec<R> {
    let chunks = items.len().div_ceil(CHUNK);
    let threads = threads.min(chunks).max(1);
    let results: Vec<Mutex<Vec<R>>> = (0..chunks).map(|_| Mutex::new(Vec::new())).collect();
    let next_chunk = AtomicUsize::new(0);
    let run = || loop {
        let c = next_chunk.fetch_add(1, Ordering::Relaxed);
        if c >= chunks {
            break;
        }
        let out: Vec<R> = items.iter().skip(c * CHUNK).take(CHUNK).flat_map(&work).collect();
        *results[c].lock().expect("no worker panics") = out;
    };
    if threads == 1 {
        run();
    } else {
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(run);
            }
        });
    }
    results.into_iter().flat_map(|m| m.into_inner().expect("no worker panics")).collect()
}

/// How many successors `state` has (seen or not), and those not seen
/// before, in move order.
fn successors(
    options: &Options,
    keyer: &Keyer,
    parent: usize,
    state: &State,
    visited: &Visited,
) -> (u64, Vec<Found>) {
    let mut out = Vec::new();
    let mut made = 0;
    // Every successor is made in this one simulator (none is kept), its
    // events in this one vector.
    let mut child = state.clone();
    let mut events = Vec::new();
    for mv in moves(state, &options.bounds, options.shape) {
        if apply_into(state, &mv, &mut child, &mut events).is_none() {
            continue;
        }
        made += 1;
        let key = keyer.key(&child);
        if visited.contains(&key) {
            continue;
        }
        out.push(Found { parent, mv, key, hit: hit(options, &child, &events) });
    }
    (made, out)
}

/// The moves from the initial state to link `at`.
fn path(links: &[Link], mut at: Option<u32>) -> Vec<(u64, Move)> {
    let mut moves = Vec::new();
    while let Some(i) = at {
        let link = &links[i as usize];
        moves.push((link.tick, link.mv.clone()));
        at = link.parent;
    }
    moves.reverse();
    moves
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::{Search, Shape};

    fn options(depth: u64, off: &[&str], threads: usize) -> Options {
        let mut o = Options::new(Shape::Three);
        o.bounds.depth = depth;
        o.off = off.iter().map(|s| s.to_string()).collect();
        o.threads = threads;
        o.search = Search::Breadth;
        o
    }

    /// What a search decides: its states, depth by depth, its successors,
    /// and the run it found.
    fn outcome(r: &Report) -> (Vec<u64>, u64, u64, bool, Option<Vec<String>>) {
        let run = r.counterexample.as_ref().map(|c| c.moves.iter().map(|m| format!("{m:?}")).collect());
        (r.per_depth.clone(), r.states, r.transitions, r.truncated, run)
    }

    #[test]
    fn blocks_and_threads_do_not_change_the_result() {
        let clean = options(5, &[], 1);
        // The vote bug within small bounds: found at depth 8, 6,713 states.
        let mut bug = options(8, &["durable_vote"], 1);
        (bug.bounds.writes, bug.bounds.drops, bug.bounds.duplicates, bug.bounds.handovers) = (0, 0, 0, 0);
        for (o, tries) in [(clean, &[(1, 1), (7, 2), (BLOCK, 3)][..]), (bug, &[(50, 2)][..])] {
            let whole = in_blocks(&o, usize::MAX, |_| true).unwrap();
            assert_eq!(whole.counterexample.is_some(), !o.off.is_empty());
            for &(block, threads) in tries {
                let r = in_blocks(&Options { threads, ..o.clone() }, block, |_| true).unwrap();
                assert_eq!(outcome(&r), outcome(&whole), "{:?}: blocks of {block}, {threads} threads", o.off);
            }
        }
    }

    #[test]
    fn progress_is_reported_within_a_depth() {
        let mut seen: Vec<Progress> = Vec::new();
        let r = in_blocks(&options(5, &[], 2), 100, |p| {
            seen.push(*p);
            true
        })
        .unwrap();
        // Depth 4 done, with 351 states to expand toward depth 5: three
        // reports within (after 100, 200 and 300 of them).
        let within: Vec<usize> = seen.iter().filter(|p| p.depth == 4).map(|p| p.expanded).collect();
        assert_eq!(within, [0, 100, 200, 300]);
        assert!(seen.windows(2).all(|w| w[0].states <= w[1].states), "states never shrink: {seen:?}");
        let last = seen.last().unwrap();
        assert_eq!((last.depth, last.states, last.expanded), (5, r.states, 0));
        // Cancelled within a depth: the search stops there, truncated.
        let mut calls = 0;
        let cut = in_blocks(&options(5, &[], 1), 100, |p| {
            calls += 1;
            p.expanded != 200
        })
        .unwrap();
        assert!(cut.truncated && cut.states < r.states, "{} of {}", cut.states, r.states);
        assert_eq!(calls, seen.iter().position(|p| p.depth == 4 && p.expanded == 200).unwrap() + 1);
    }

    #[test]
    fn the_state_limit_is_never_passed() {
        for limit in [1000, 1931, 2000] {
            let mut o = options(6, &[], 2);
            o.max_states = limit;
            let mut largest = 0;
            let r = in_blocks(&o, 64, |p| {
                largest = largest.max(p.frontier);
                true
            })
            .unwrap();
            assert_eq!(r.states, limit, "limit {limit}");
            assert!(r.truncated);
            assert!(largest as u64 <= limit, "frontier {largest} within the limit {limit}");
        }
    }
}
