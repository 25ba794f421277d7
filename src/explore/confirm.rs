//! Proving a random walk's run shortest, within bounds of its own.
//!
//! A walk's shrunk run is short but not proven shortest. The run uses few
//! resources (so many writes, crashes, drops, duplicates, handovers and
//! snapshots, messages in flight, terms), so breadth-first search within
//! exactly those bounds, to one move less than the run, is far smaller
//! than a search within the default bounds to that depth. If it finds
//! nothing and stops at no limit, no shorter run exists within those
//! bounds, and the run is the shortest there; if it finds something, that
//! is a shorter run, and the shortest within those bounds.

use super::bfs::breadth_first;
use super::model::{apply, Bounds, Move, Spent, State};
use super::{Options, Progress, Report, Search};
use crate::core::Role;
use crate::sim::{Command, MessageAction, Sim};

/// The tightest bounds that allow `path` (depth: its length): what it
/// spends of each resource, the most messages in flight when it starts
/// something new, the highest term a timeout of it starts; `None` if a
/// move does not run.
pub fn bounds_of(options: &Options, path: &[(u64, Move)]) -> Result<Option<Bounds>, String> {
    let sim = Sim::new(options.sim_config()?).map_err(|e| e.0)?;
    let mut state = State { sim, spent: Spent::default() };
    // A move of the path need not be one the generator offers word for
    // word: a shrunk run may deliver the second of two identical copies,
    // where the generator offers the first only (the same state). What
    // counts is what the run spends, measured here.
    let (mut in_flight, mut term) = (1, 1);
    for (_, mv) in path {
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

/// After random walks found `report`'s run: breadth-first search within
/// the run's own bounds, to one move less. Sets `report.shortest_within`
/// when the search proves the run (or a shorter one it finds) shortest
/// within those bounds; counts its states and transitions into `report`.
pub fn confirm(
    options: &Options,
    mut report: Report,
    progress: impl FnMut(&Progress) -> bool,
) -> Result<Report, String> {
    let Some(cx) = report.counterexample.as_ref().filter(|_| report.by_walk) else { return Ok(report) };
    let Some(bounds) = bounds_of(options, &cx.moves)? else { return Ok(report) };
    let search = Options {
        bounds: Bounds { depth: bounds.depth - 1, ..bounds },
        search: Search::Breadth,
        ..options.clone()
    };
    if search.bounds.depth == 0 {
        report.shortest_within = Some(bounds);
        return Ok(report);
    }
    let found = breadth_first(&search, progress)?;
    report.confirm_states = found.states;
    report.transitions += found.transitions;
    match found.counterexample {
        Some(shorter) => {
            let depth = shorter.moves.len() as u64;
            report.goal_reached = found.goal_reached;
            report.violations = found.violations;
            report.counterexample = Some(shorter);
            report.by_walk = false;
            report.shortest_within = Some(Bounds { depth, ..bounds });
        }
        None if !found.truncated => report.shortest_within = Some(bounds),
        None => {}
    }
    Ok(report)
}
