//! Random walks: from the initial state, one random move after another up
//! to the depth bound, walk after walk, every choice drawn from one seed.
//! They reach states deeper than breadth-first search can afford. The run
//! a walk finds is then shrunk ([`shrink`]): moves are taken out one at a
//! time while the run still breaks the same property, so what is written
//! is short, though only breadth-first search proves a run the shortest.

use crate::core::rng::Rng;
use crate::sim::Sim;

use super::bfs::Visited;
use super::counterexample::Counterexample;
use super::key::Keyer;
use super::model::{apply, moves, violation, Move, Spent, State};
use super::{Options, Progress, Report, Walks};

/// Random walks (see the module documentation), counted into `report`
/// (which may hold a breadth-first search's figures already: its states
/// and transitions go on growing, its depth stays).
pub fn random_walks(
    options: &Options,
    walks: Walks,
    mut report: Report,
    mut progress: impl FnMut(&Progress) -> bool,
) -> Result<Report, String> {
    let config = options.sim_config()?;
    let keyer = Keyer::new(options.shape, options.symmetry);
    let root = State { sim: Sim::new(config.clone()).map_err(|e| e.0)?, spent: Spent::default() };
    let mut rng = Rng::new(walks.seed);
    // Walks count the distinct states they reach on their own, apart
    // from a breadth-first search's.
    let mut visited = Visited::default();
    visited.insert(keyer.key(&root));
    for walk in 0..walks.count {
        report.walks = walk + 1;
        let mut state = root.clone();
        let mut path: Vec<Move> = Vec::new();
        while (path.len() as u64) < walks.depth {
            let choices = moves(&state, &options.bounds, options.shape);
            // A move that cannot run is dropped from the draw, so a walk
            // always ends.
            let Some((mv, next, events)) = draw(&state, choices, &mut rng) else { break };
            report.transitions += 1;
            report.walk_states += u64::from(visited.insert(keyer.key(&next)));
            path.push(mv);
            let hit = hit(options, &next, &events);
            state = next;
            if let Some(hit) = hit {
                report.goal_reached = options.goal.is_some_and(|g| g.name() == hit);
                report.violations += u64::from(!report.goal_reached);
                report.by_walk = true;
                let path = shrink(options, &root, path, &hit);
                let (timed, end) = replay(options, &root, &path).expect("a shrunk path runs");
                report.counterexample = Some(Counterexample::new(options, &config, hit, timed, end));
                return Ok(report);
            }
        }
        if (walk + 1) % 100 != 0 {
            continue;
        }
        let go_on = progress(&Progress {
            depth: report.depth,
            states: report.states + report.walk_states,
            transitions: report.transitions,
            frontier: 0,
            walks: walk + 1,
        });
        if !go_on {
            report.truncated = true;
            break;
        }
    }
    Ok(report)
}

type Applied = (Move, State, Vec<crate::sim::TraceEvent>);

fn draw(state: &State, mut choices: Vec<Move>, rng: &mut Rng) -> Option<Applied> {
    while !choices.is_empty() {
        let mv = choices.swap_remove(rng.range_inclusive(0, choices.len() as u64 - 1) as usize);
        if let Some((next, events)) = apply(state, &mv) {
            return Some((mv, next, events));
        }
    }
    None
}

/// The property broken, or the goal reached, by a move.
fn hit(options: &Options, state: &State, events: &[crate::sim::TraceEvent]) -> Option<String> {
    violation(events)
        .or_else(|| options.goal.filter(|g| g.reached(state, events)).map(|g| g.name().to_string()))
}

/// Runs `path` from `root`: each move with the tick it ran at, and the
/// tick at the end, if every move runs; `None` otherwise.
fn replay(options: &Options, root: &State, path: &[Move]) -> Option<(Vec<(u64, Move)>, u64)> {
    let _ = options;
    let mut state = root.clone();
    let mut timed = Vec::with_capacity(path.len());
    for mv in path {
        let (next, _) = apply(&state, mv)?;
        timed.push((state.sim.now(), mv.clone()));
        state = next;
    }
    let end = state.sim.now();
    Some((timed, end))
}

/// The first thing `path` hits, and after how many moves.
fn first_hit(options: &Options, root: &State, path: &[Move]) -> Option<(usize, String)> {
    let mut state = root.clone();
    for (i, mv) in path.iter().enumerate() {
        let (next, events) = apply(&state, mv)?;
        if let Some(h) = hit(options, &next, &events) {
            return Some((i + 1, h));
        }
        state = next;
    }
    None
}

/// Takes moves out of `path` one at a time, from the end back, keeping
/// each removal after which the run still hits `target` (cut after the
/// hit), until no single removal does.
pub fn shrink(options: &Options, root: &State, mut path: Vec<Move>, target: &str) -> Vec<Move> {
    loop {
        let mut shorter = false;
        let mut i = path.len();
        while i > 0 {
            i -= 1;
            let mut candidate = path.clone();
            candidate.remove(i);
            if let Some((len, h)) = first_hit(options, root, &candidate) {
                if h == target {
                    candidate.truncate(len);
                    i = i.min(candidate.len());
                    path = candidate;
                    shorter = true;
                }
            }
        }
        if !shorter {
            return path;
        }
    }
}
