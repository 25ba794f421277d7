//! Random walks: from the initial state, one random move after another up
//! to the depth bound, walk after walk, every choice drawn from one seed.
//! They reach states deeper than breadth-first search can afford; the
//! run they find is a run, not the shortest.

use crate::core::rng::Rng;
use crate::sim::Sim;

use super::counterexample::Counterexample;
use super::key::Keyer;
use super::model::{apply, moves, violation, Move, Spent, State};
use super::{Options, Progress, Report};
use super::bfs::Visited;

/// `walks` random walks from `seed` (see the module documentation).
pub fn random_walks(
    options: &Options,
    seed: u64,
    walks: u64,
    mut progress: impl FnMut(&Progress) -> bool,
) -> Result<Report, String> {
    let config = options.sim_config()?;
    let keyer = Keyer::new(options.shape, options.symmetry);
    let root = State { sim: Sim::new(config.clone()).map_err(|e| e.0)?, spent: Spent::default() };
    let mut rng = Rng::new(seed);
    let mut visited = Visited::default();
    visited.insert(keyer.key(&root));
    let mut report = Report { states: 1, ..Report::default() };
    for walk in 0..walks {
        let mut state = root.clone();
        let mut path: Vec<(u64, Move)> = Vec::new();
        while (path.len() as u64) < options.bounds.depth {
            let choices = moves(&state, &options.bounds, options.shape);
            if choices.is_empty() {
                break;
            }
            let mv = choices[rng.range_inclusive(0, choices.len() as u64 - 1) as usize].clone();
            let Some((next, events)) = apply(&state, &mv) else { continue };
            report.transitions += 1;
            report.states += u64::from(visited.insert(keyer.key(&next)));
            path.push((state.sim.now(), mv));
            let hit = violation(&events)
                .or_else(|| options.goal.filter(|g| g.reached(&next, &events)).map(|g| g.name().to_string()));
            state = next;
            if let Some(hit) = hit {
                report.goal_reached = options.goal.is_some_and(|g| g.name() == hit);
                report.violations += u64::from(!report.goal_reached);
                report.depth = report.depth.max(path.len() as u64);
                let end = state.sim.now();
                report.counterexample = Some(Counterexample::new(options, &config, hit, path, end));
                return Ok(report);
            }
        }
        report.depth = report.depth.max(path.len() as u64);
        let go_on = progress(&Progress { depth: walk + 1, states: report.states, transitions: report.transitions, frontier: 0 });
        if !go_on {
            report.truncated = true;
            break;
        }
    }
    Ok(report)
}
