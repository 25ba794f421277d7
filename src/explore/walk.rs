//! Random walks: from the initial state, one random move after another up
//! to the depth bound, walk after walk, every choice drawn from one seed.
//! They reach states deeper than breadth-first search can afford. The run
//! a walk finds is then shrunk ([`shrink`]): moves are taken out one at a
//! time while the run still breaks the same property, so what is written
//! is short, though only breadth-first search proves a run the shortest.
//!
//! Each walk is a swarm walk (Groce et al., "Swarm testing", 2012): it
//! draws which kinds of move it may take (always deliveries; each other
//! kind with even odds), and at each step picks a kind first, then one move
//! of that kind. A uniform draw over moves is dominated by whatever is
//! most numerous (three crash moves per node, three per message) and so
//! almost never strings together the several elections a deep bug needs
//! (Raft's Figure 8: three leaders in turn); a walk that may not crash or
//! drop at all, and picks timeouts as often as deliveries, does.

use crate::core::rng::Rng;
use crate::sim::{Command, MessageAction, Sim};

use std::collections::BTreeSet;

use super::bfs::Visited;
use super::counterexample::Counterexample;
use super::coverage::outline;
use super::key::Keyer;
use super::model::{apply, moves, violation, Bounds, Move, Spent, State};
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
    let bounds = Bounds { in_flight: walks.in_flight, ..options.bounds };
    // Walks count the distinct states they reach on their own, apart
    // from a breadth-first search's.
    let mut visited = Visited::default();
    visited.insert(keyer.key(&root));
    // Where walks start: the initial state, then each state that reached
    // an outline no walk had reached, with the path to it.
    let mut outlines = BTreeSet::from([outline(&root)]);
    let mut starts: Vec<(Box<State>, Vec<Move>)> = vec![(Box::new(root.clone()), Vec::new())];
    for walk in 0..walks.count {
        report.walks = walk + 1;
        let (start, prefix) = &starts[rng.range_inclusive(0, starts.len() as u64 - 1) as usize];
        let mut state = (**start).clone();
        let mut path = prefix.clone();
        let swarm = Swarm::draw(&mut rng);
        for _ in 0..walks.depth {
            let choices = moves(&state, &bounds, options.shape);
            // A move that cannot run is dropped from the draw, so a walk
            // always ends.
            let Some((mv, next, events)) = draw(&state, choices, &swarm, &mut rng) else { break };
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
            if starts.len() < MAX_STARTS && outlines.insert(outline(&state)) {
                starts.push((Box::new(state.clone()), path.clone()));
            }
        }
        if (walk + 1) % 100 != 0 {
            continue;
        }
        let go_on = progress(&Progress {
            depth: report.depth,
            states: report.states + report.walk_states,
            transitions: report.transitions,
            frontier: starts.len(),
            walks: walk + 1,
            expanded: 0,
        });
        if !go_on {
            report.truncated = true;
            break;
        }
    }
    Ok(report)
}

/// Most states kept for walks to start from (each a whole simulator).
const MAX_STARTS: usize = 50_000;

type Applied = (Move, State, Vec<crate::sim::TraceEvent>);

/// The kinds of move, as a walk tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Tick,
    Deliver,
    Drop,
    Duplicate,
    Timeout,
    Write,
    Crash,
    Reboot,
    Restart,
    Operator,
}

const KINDS: usize = 10;

fn kind(mv: &Move) -> Kind {
    match mv {
        Move::Tick => Kind::Tick,
        Move::Reboot(_) => Kind::Reboot,
        Move::Do(command) => match command {
            Command::Messages { action: MessageAction::Deliver, .. } => Kind::Deliver,
            Command::Messages { action: MessageAction::Drop, .. } => Kind::Drop,
            Command::Messages { .. } => Kind::Duplicate,
            Command::TimeoutNow { .. } => Kind::Timeout,
            Command::Write { .. } => Kind::Write,
            Command::Crash { .. } => Kind::Crash,
            Command::Restart { .. } => Kind::Restart,
            _ => Kind::Operator,
        },
    }
}

/// The kinds of move one walk may take.
struct Swarm([bool; KINDS]);

impl Swarm {
    /// Deliveries always (nothing happens without them), every other kind
    /// with even odds.
    fn draw(rng: &mut Rng) -> Swarm {
        let mut allowed = [false; KINDS];
        for (i, a) in allowed.iter_mut().enumerate() {
            *a = i == Kind::Deliver as usize || rng.next_u64() & 1 == 1;
        }
        Swarm(allowed)
    }
}

/// A move the walk allows: a kind first (uniformly among the allowed
/// kinds present), then a move of that kind; a move that cannot run is
/// taken out of the draw.
fn draw(state: &State, mut choices: Vec<Move>, swarm: &Swarm, rng: &mut Rng) -> Option<Applied> {
    choices.retain(|mv| swarm.0[kind(mv) as usize]);
    while !choices.is_empty() {
        let mut present: Vec<Kind> = choices.iter().map(kind).collect();
        present.sort_by_key(|k| *k as usize);
        present.dedup();
        let k = present[rng.range_inclusive(0, present.len() as u64 - 1) as usize];
        let of_kind: Vec<usize> = (0..choices.len()).filter(|i| kind(&choices[*i]) == k).collect();
        let at = of_kind[rng.range_inclusive(0, of_kind.len() as u64 - 1) as usize];
        let mv = choices.swap_remove(at);
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

/// Takes moves out of `path` while the run still hits `target` (cut after
/// the hit), as delta debugging does: stretches of half the path first,
/// then of a quarter, and so on down to single moves, from the end back;
/// then pairs of moves a few apart (a delivery and its reply's delivery,
/// neither of which can go alone), until nothing more can go.
pub fn shrink(options: &Options, root: &State, mut path: Vec<Move>, target: &str) -> Vec<Move> {
    let still_hits = |candidate: &[Move]| match first_hit(options, root, candidate) {
        Some((len, h)) if h == target => Some(len),
        _ => None,
    };
    loop {
        let before = path.len();
        let mut stretch = (path.len() / 2).max(1);
        loop {
            let mut end = path.len();
            while end > 0 {
                let start = end.saturating_sub(stretch);
                let mut candidate = path.clone();
                candidate.drain(start..end);
                if let Some(len) = still_hits(&candidate) {
                    candidate.truncate(len);
                    path = candidate;
                }
                end = start.min(path.len());
            }
            if stretch == 1 {
                break;
            }
            stretch /= 2;
        }
        for gap in 1..=PAIR_GAP {
            let mut first = path.len().saturating_sub(gap + 1);
            loop {
                if first + gap < path.len() {
                    let mut candidate = path.clone();
                    candidate.remove(first + gap);
                    candidate.remove(first);
                    if let Some(len) = still_hits(&candidate) {
                        candidate.truncate(len);
                        path = candidate;
                    }
                }
                if first == 0 {
                    break;
                }
                first -= 1;
            }
        }
        if path.len() == before {
            return path;
        }
    }
}

/// How far apart two moves taken out together may be.
const PAIR_GAP: usize = 6;
