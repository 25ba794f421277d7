//! Breadth-first search, depth by depth. Each depth's states are expanded
//! in parallel (chunks handed to worker threads), each successor checked
//! against the states of earlier depths; then the successors are merged in
//! the frontier's order, so the result does not depend on the thread
//! count or timing.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::sim::Sim;

use super::counterexample::Counterexample;
use super::key::Keyer;
use super::model::{apply, moves, violation, Bounds, Move, Spent, State};
use super::{Options, Progress, Report};

/// States per chunk of work handed to a thread.
const CHUNK: usize = 64;

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
pub fn breadth_first(
    options: &Options,
    mut progress: impl FnMut(&Progress) -> bool,
) -> Result<Report, String> {
    let config = options.sim_config()?;
    let keyer = Keyer::new(options.shape, options.symmetry);
    let root = State { sim: Sim::new(config.clone()).map_err(|e| e.0)?, spent: Spent::default() };
    let mut visited = Visited::default();
    visited.insert(keyer.key(&root));
    let mut links: Vec<Link> = Vec::new();
    let mut report = Report { states: 1, per_depth: vec![1], ..Report::default() };
    let mut frontier: Vec<(Box<State>, Option<u32>)> = vec![(Box::new(root), None)];
    for depth in 1..=options.bounds.depth {
        let found = expand(options, &keyer, &frontier, &visited);
        let mut kept: Vec<(usize, Move, Option<u32>)> = Vec::new();
        let mut new = 0;
        for f in found {
            report.transitions += 1;
            if !visited.insert(f.key) {
                continue;
            }
            new += 1;
            report.states += 1;
            let (parent_state, parent_link) = &frontier[f.parent];
            links.push(Link { parent: *parent_link, tick: parent_state.sim.now(), mv: f.mv.clone() });
            let at = Some((links.len() - 1) as u32);
            if let Some(hit) = f.hit {
                report.goal_reached = options.goal.is_some_and(|g| g.name() == hit);
                report.violations += u64::from(!report.goal_reached);
                let moves = path(&links, at);
                let (end, _) = apply(parent_state, &f.mv).expect("the move ran before");
                report.shortest_within = Some(Bounds { depth: moves.len() as u64, ..options.bounds });
                report.counterexample =
                    Some(Counterexample::new(options, &config, hit, moves, end.sim.now()));
                break;
            }
            if report.states >= options.max_states {
                report.truncated = true;
                break;
            }
            kept.push((f.parent, f.mv, at));
        }
        let next: Vec<(Box<State>, Option<u32>)> = if report.counterexample.is_some() || report.truncated {
            Vec::new()
        } else {
            in_parallel(options.threads, &kept, |(parent, mv, at)| {
                let (state, _) = apply(&frontier[*parent].0, mv).expect("the move ran before");
                vec![(Box::new(state), *at)]
            })
        };
        report.depth = depth;
        report.per_depth.push(new);
        let keep_going = progress(&Progress {
            depth,
            states: report.states,
            transitions: report.transitions,
            frontier: next.len(),
            walks: 0,
        });
        if report.counterexample.is_some() || report.truncated || next.is_empty() || !keep_going {
            report.truncated |= !keep_going;
            break;
        }
        frontier = next;
    }
    Ok(report)
}

/// Every successor of every frontier state not seen at an earlier depth,
/// in frontier order, then move order.
fn expand(
    options: &Options,
    keyer: &Keyer,
    frontier: &[(Box<State>, Option<u32>)],
    visited: &Visited,
) -> Vec<Found> {
    let indexed: Vec<usize> = (0..frontier.len()).collect();
    in_parallel(options.threads, &indexed, |i| {
        let mut out = Vec::new();
        successors(options, keyer, *i, &frontier[*i].0, visited, &mut out);
        out
    })
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

fn successors(
    options: &Options,
    keyer: &Keyer,
    parent: usize,
    state: &State,
    visited: &Visited,
    out: &mut Vec<Found>,
) {
    for mv in moves(state, &options.bounds, options.shape) {
        let Some((child, events)) = apply(state, &mv) else { continue };
        let key = keyer.key(&child);
        if visited.contains(&key) {
            continue;
        }
        let hit = violation(&events)
            .or_else(|| options.goal.filter(|g| g.reached(&child, &events)).map(|g| g.name().to_string()));
        out.push(Found { parent, mv, key, hit });
    }
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
