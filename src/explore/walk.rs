//! Random walks: from the initial state, one random move after another up
//! to the depth bound, walk after walk, every choice drawn from one seed.
//! They reach states deeper than breadth-first search can afford. The run
//! a walk finds is then shrunk ([`super::shrink`]): moves are taken out
//! while the run still breaks the same property, so what is written is
//! short, though only breadth-first search proves a run the shortest.
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
use crate::sim::{Command, MessageAction};

use std::collections::BTreeSet;
use std::rc::Rc;

use super::bfs::Visited;
use super::coverage::outline;
use super::key::Keyer;
use super::model::{apply, hit, moves, Bounds, Move, State};
use super::retrace::retrace;
use super::shrink::shrink;
use super::{Options, Progress, Report, Stage, Walks};

/// Random walks (see the module documentation), counted into `report`
/// (which may hold a breadth-first search's figures already: its states
/// and transitions go on growing, its depth stays).
///
/// A walk's run, even shrunk, is seldom the shortest: the first hit is
/// where the walks happened to go. So the walks go on after it, half as
/// many again as it took (at least [`MORE_WALKS`], within `walks.count`),
/// or until [`MOST_HITS`] runs hit; the [`MOST_SHRUNK`] shortest runs are
/// shrunk and the shortest of those is the counterexample (the first of
/// equals). Every distinct shrunk run
/// comes back too, shortest first: each is a different way to the bug,
/// and [`super::confirm`] searches within the bounds of several.
pub fn random_walks(
    options: &Options,
    walks: Walks,
    mut report: Report,
    mut progress: impl FnMut(&Progress) -> bool,
) -> Result<(Report, Vec<Vec<Move>>), String> {
    let config = options.sim_config()?;
    let keyer = Keyer::new(options.shape, options.symmetry);
    let root = State::initial(&config)?;
    let mut rng = Rng::new(walks.seed);
    let bounds = Bounds { in_flight: walks.in_flight, ..options.bounds };
    // Walks count the distinct states they reach on their own, apart
    // from a breadth-first search's.
    let mut visited = Visited::default();
    visited.insert(keyer.key(&root));
    // Where walks start: the initial state, then each state that reached
    // an outline no walk had reached, with the path to it.
    let mut outlines = BTreeSet::from([outline(&root)]);
    let mut starts = vec![Start { state: Box::new(root.clone()), way: Way::initial() }];
    // The runs that hit, as walked, and what each hits; the walk after
    // which walking stops.
    let mut hit_runs: Vec<(Vec<Move>, String)> = Vec::new();
    let (mut last, mut hits) = (walks.count, 0);
    let mut walk = 0;
    while walk < last {
        report.walks = walk + 1;
        let from = rng.range_inclusive(0, starts.len() as u64 - 1) as usize;
        let mut state = (*starts[from].state).clone();
        // The moves from `from`'s state on.
        let mut path = Vec::new();
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
                if hits == 0 {
                    last = last.min(walk + 1 + walk.div_ceil(2).max(MORE_WALKS));
                }
                hits += 1;
                let mut run = starts[from].way.moves();
                run.append(&mut path);
                hit_runs.push((run, hit));
                if hits == MOST_HITS {
                    last = walk + 1;
                }
                break;
            }
            if outlines.insert(outline(&state)) {
                let start = Start { state: Box::new(state.clone()), way: starts[from].way.then(&path) };
                keep(&mut starts, start, MAX_STARTS, &mut rng);
            }
        }
        walk += 1;
        if walk % 100 != 0 {
            continue;
        }
        let go_on = progress(&Progress {
            stage: Stage::Walks,
            depth: report.depth,
            states: report.states + report.walk_states,
            transitions: report.transitions,
            frontier: starts.len(),
            walks: walk,
            expanded: 0,
        });
        if !go_on {
            report.truncated = true;
            break;
        }
    }
    // The shortest runs as walked are shrunk (shrinking a long run costs
    // more than the walks); shortest first, the first of equals first.
    // Told, not asked whether to go on: shrinking takes seconds.
    hit_runs.sort_by_key(|(r, _)| r.len());
    if !hit_runs.is_empty() {
        progress(&Progress {
            stage: Stage::Shrink,
            depth: report.depth,
            states: report.states + report.walk_states,
            transitions: report.transitions,
            walks: report.walks,
            ..Progress::default()
        });
    }
    let mut runs: Vec<(Vec<Move>, String)> = Vec::new();
    for (path, hit) in hit_runs.into_iter().take(MOST_SHRUNK) {
        let shrunk = shrink(options, &root, path, &hit);
        if !runs.iter().any(|(r, _)| *r == shrunk) {
            runs.push((shrunk, hit));
        }
    }
    runs.sort_by_key(|(r, _)| r.len());
    // Each retraced along its waypoints (see `retrace`) and shrunk, again
    // while that shortens it: a shorter run has waypoints of its own.
    for (run, hit) in runs.clone() {
        let mut best = run;
        while let Some(shorter) = retrace(options, &root, &best, &hit) {
            best = shrink(options, &root, shorter, &hit);
        }
        if !runs.iter().any(|(r, _)| *r == best) {
            runs.push((best, hit));
        }
    }
    runs.sort_by_key(|(r, _)| r.len());
    if let Some((path, hit)) = runs.first() {
        let (timed, end) = replay(&root, path).expect("a shrunk path runs");
        report.take_run(options, &config, (hit.clone(), timed, end), true);
    }
    Ok((report, runs.into_iter().map(|(r, _)| r).collect()))
}

/// Walks taken after the first hit, at least, looking for a shorter run.
pub const MORE_WALKS: u64 = 200;
/// Hits after which walking stops.
pub const MOST_HITS: u64 = 40;
/// Runs shrunk at most, the shortest as walked.
pub const MOST_SHRUNK: usize = 8;

/// Most states kept for walks to start from (each a whole simulator,
/// about 20 KB). A quarter of the pool that froze once full, as one that
/// goes on taking new starts ([`keep`]) finds as much in less memory
/// (docs/explore.md, 9th round).
const MAX_STARTS: usize = 12_500;

/// A state kept for walks to start from, and the way to it.
struct Start {
    state: Box<State>,
    way: Rc<Way>,
}

/// The moves from the initial state to a start: those of the start it was
/// walked from, then its own walk's. Shared, not copied: Figure 8's starts
/// lie a hundred moves and more deep, and whole paths for every start were
/// a large part of the walks' memory. A start replaced in the pool lives
/// on in the ways of the starts walked from it.
struct Way {
    before: Option<Rc<Way>>,
    moves: Vec<Move>,
    /// Moves from the initial state.
    depth: usize,
}

impl Way {
    /// The way to the initial state: no move.
    fn initial() -> Rc<Way> {
        Rc::new(Way { before: None, moves: Vec::new(), depth: 0 })
    }

    /// The way to the state reached by `moves` from this way's end.
    fn then(self: &Rc<Way>, moves: &[Move]) -> Rc<Way> {
        Rc::new(Way { before: Some(Rc::clone(self)), moves: moves.to_vec(), depth: self.depth + moves.len() })
    }

    /// Every move of the way, from the initial state on.
    fn moves(&self) -> Vec<Move> {
        let mut chain = vec![self];
        while let Some(before) = chain.last().and_then(|w| w.before.as_deref()) {
            chain.push(before);
        }
        chain.iter().rev().flat_map(|w| w.moves.iter().cloned()).collect()
    }
}

/// Keeps `start` in the pool, which holds `capacity` starts at most. Once
/// it is full, `start` takes the place of a start drawn at random (never
/// the initial state), if that one lies at least as deep. So the walks go
/// on reaching new outlines after the pool fills (a pool that froze then
/// left a seed that had not found Figure 8 by then without it), and the
/// pool does not drift ever deeper: runs from deep starts shrink badly
/// (replacing whatever was drawn gave runs of 73 to 105 moves).
fn keep(starts: &mut Vec<Start>, start: Start, capacity: usize, rng: &mut Rng) {
    if starts.len() < capacity {
        starts.push(start);
        return;
    }
    let at = rng.range_inclusive(1, starts.len() as u64 - 1) as usize;
    if starts[at].way.depth >= start.way.depth {
        starts[at] = start;
    }
}

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

/// Runs `path` from `root`: each move with the tick it ran at, and the
/// tick at the end, if every move runs; `None` otherwise.
fn replay(root: &State, path: &[Move]) -> Option<(Vec<(u64, Move)>, u64)> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::Options;

    fn start(root: &State, way: Rc<Way>) -> Start {
        Start { state: Box::new(root.clone()), way }
    }

    fn ticks(n: usize) -> Vec<Move> {
        vec![Move::Tick; n]
    }

    #[test]
    fn a_full_pool_takes_a_new_start_only_in_place_of_one_as_deep_or_deeper() {
        let config = Options::new(crate::explore::Shape::Three)
            .sim_config()
            .expect("the default options make a cluster");
        let root = State::initial(&config).expect("the default cluster starts");
        let initial = Way::initial();
        let mut starts = vec![
            start(&root, initial.clone()),
            start(&root, initial.then(&ticks(5))),
            start(&root, initial.then(&ticks(2))),
        ];
        let mut rng = Rng::new(7);
        for _ in 0..50 {
            keep(&mut starts, start(&root, initial.then(&ticks(9))), 3, &mut rng);
        }
        let depths = |starts: &[Start]| starts.iter().map(|s| s.way.depth).collect::<Vec<_>>();
        assert_eq!(depths(&starts), [0, 5, 2], "a start deeper than every kept one is not kept");
        for _ in 0..50 {
            keep(&mut starts, start(&root, initial.then(&ticks(3))), 3, &mut rng);
        }
        assert_eq!(
            depths(&starts),
            [0, 3, 2],
            "only the deeper start was replaced, and the initial state stays"
        );
    }

    #[test]
    fn a_replaced_start_still_gives_the_way_to_the_starts_walked_from_it() {
        let walked = Way::initial().then(&ticks(2));
        let from_it = walked.then(&[Move::Reboot(1)]);
        drop(walked);
        assert_eq!(from_it.moves(), [Move::Tick, Move::Tick, Move::Reboot(1)]);
        assert_eq!(from_it.depth, 3);
    }
}
