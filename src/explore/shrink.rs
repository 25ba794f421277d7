//! Shrinking a run that breaks a property (or reaches a goal) to a short
//! one that still does, as delta debugging does (Zeller and Hildebrandt,
//! "Simplifying and isolating failure-inducing input", 2002), repeated
//! until nothing more can go:
//!
//! - stretches of half the run, a quarter, ... single moves, from the end
//!   back;
//! - each move with the later moves that then no longer run (the
//!   deliveries of what it sent, and of what those sent), from the end
//!   back: a walk's extra election goes whole, timeout, probes, votes and
//!   all, where each of its moves alone leaves later ones naming messages
//!   never sent (seed 1's forced-handover run: 54 moves without this, 18
//!   with it; Figure 8: 52 and 37);
//! - the same for every pair of moves, once the passes above take nothing
//!   more (quadratic, so on a run they already made short): two stretches
//!   that each stand in for the other go together (seed 1's Figure 8: 37
//!   moves, then 29);
//! - every move that concerns one node (its timeouts, crashes, restarts,
//!   the messages it sends or is sent, a handover to it): a node the run
//!   does not need goes at once, where one move at a time cannot (each of
//!   its moves alone leaves a reply or a vote behind that changes the rest);
//! - pairs of moves a few apart (a delivery and its reply's delivery,
//!   neither of which can go alone).
//!
//! A `messages` move names its message by sender, receiver, kind and its
//! place among those alike (`nth`). Taking out an earlier move that sent
//! one of those alike shifts the place: a move that then names no message
//! is run with each lower place in turn, so that it delivers the message
//! it meant ([`Runner::run`]). Without that, most deletions in a long run
//! fail on a later delivery rather than on what the run needs.

use crate::core::NodeId;
use crate::sim::{Command, Target, TraceEvent};

use super::model::{apply, hit, Move, State};
use super::Options;

/// A path being shrunk: the path, and the state before each of its moves
/// (a candidate runs from the state before its first change, not from the
/// start: half the moves of a deletion near the end of a long run).
struct Runner<'a> {
    options: &'a Options,
    target: &'a str,
    path: Vec<Move>,
    before: Vec<State>,
}

impl<'a> Runner<'a> {
    /// `path` from `root`, if it hits `target`.
    fn new(options: &'a Options, root: &State, path: &[Move], target: &'a str) -> Option<Runner<'a>> {
        let mut runner = Runner { options, target, path: Vec::new(), before: vec![root.clone()] };
        let (path, before) = runner.run(0, path.iter())?;
        runner.splice(0, path, before);
        Some(runner)
    }

    /// Replaces the moves from `from` on (and the states after them).
    fn splice(&mut self, from: usize, moves: Vec<Move>, states: Vec<State>) {
        self.path.truncate(from);
        self.path.extend(moves);
        self.before.truncate(from + 1);
        self.before.extend(states);
    }

    /// The moves `rest`, run from the state before move `from` (places of
    /// messages repaired), cut after the first hit, with the state after
    /// each move but the last, if that hit is the target.
    fn run<'m>(&self, from: usize, rest: impl Iterator<Item = &'m Move>) -> Option<(Vec<Move>, Vec<State>)> {
        let (mut moves, mut states) = (Vec::new(), Vec::new());
        for mv in rest {
            let state = states.last().unwrap_or(&self.before[from]);
            let (mv, next, events) = apply_or_repair(state, mv)?;
            moves.push(mv);
            if let Some(h) = hit(self.options, &next, &events) {
                return (h == self.target).then_some((moves, states));
            }
            states.push(next);
        }
        None
    }

    /// Takes out move `at` (and move `also`, if given, a later one) and
    /// each later move that then no longer runs (the deliveries of what it
    /// sent, and of what those sent), if the path still hits without them;
    /// true if it does.
    fn cascade(&mut self, at: usize, also: Option<usize>) -> bool {
        let (mut moves, mut states) = (Vec::new(), Vec::new());
        for (_, mv) in self.path.iter().enumerate().skip(at + 1).filter(|(i, _)| Some(*i) != also) {
            let state = states.last().unwrap_or(&self.before[at]);
            let Some((mv, next, events)) = apply_or_repair(state, mv) else { continue };
            moves.push(mv);
            if let Some(h) = hit(self.options, &next, &events) {
                if h != self.target || at + moves.len() >= self.path.len() {
                    return false;
                }
                self.splice(at, moves, states);
                return true;
            }
            states.push(next);
        }
        false
    }

    /// Takes out the moves at `gone` if the path still hits without them;
    /// true if it does.
    fn take_out(&mut self, gone: impl Fn(usize, &Move) -> bool) -> bool {
        let Some(first) = self.path.iter().enumerate().position(|(i, mv)| gone(i, mv)) else { return false };
        let rest = self.path.iter().enumerate().skip(first).filter(|(i, mv)| !gone(*i, mv)).map(|(_, mv)| mv);
        match self.run(first, rest) {
            Some((moves, states)) if first + moves.len() < self.path.len() => {
                self.splice(first, moves, states);
                true
            }
            _ => false,
        }
    }
}

/// `mv` applied to `state`; a `messages` move that names no message there
/// is tried with each lower place among the messages alike.
fn apply_or_repair(state: &State, mv: &Move) -> Option<(Move, State, Vec<TraceEvent>)> {
    if let Some((next, events)) = apply(state, mv) {
        return Some((mv.clone(), next, events));
    }
    let Move::Do(Command::Messages { action, from, to, msg, count, nth: Some(n) }) = mv else { return None };
    (0..*n).rev().find_map(|lower| {
        let repaired = Move::Do(Command::Messages {
            action: *action,
            from: *from,
            to: *to,
            msg: *msg,
            count: *count,
            nth: Some(lower),
        });
        apply(state, &repaired).map(|(next, events)| (repaired, next, events))
    })
}

/// The nodes a move concerns.
fn concerns(mv: &Move, id: NodeId) -> bool {
    let is = |t: &Option<Target>| *t == Some(Target::Node(id));
    match mv {
        Move::Tick => false,
        Move::Reboot(node) => *node == id,
        Move::Do(command) => match command {
            Command::Messages { from, to, .. } => is(from) || is(to),
            Command::TimeoutNow { node } | Command::Crash { node, .. } | Command::Restart { node } => {
                *node == Target::Node(id)
            }
            Command::Failover { to, .. } => *to == Target::Node(id),
            _ => false,
        },
    }
}

/// How far apart two moves taken out together may be.
const PAIR_GAP: usize = 8;

/// `path` (which hits `target` from `root`) shrunk as the module
/// documentation says: a path that hits `target`, no longer than `path`.
pub fn shrink(options: &Options, root: &State, path: Vec<Move>, target: &str) -> Vec<Move> {
    let mut runner = Runner::new(options, root, &path, target).expect("the path to shrink hits its target");
    loop {
        loop {
            let before = runner.path.len();
            stretches(&mut runner);
            cascades(&mut runner);
            nodes(&mut runner, options);
            pairs(&mut runner);
            if runner.path.len() == before {
                break;
            }
        }
        // Quadratic in the run's moves: tried once the cheaper passes have
        // nothing left to take, on a run they have already made short.
        if !cascading_pairs(&mut runner) {
            return runner.path;
        }
    }
}

/// Takes out stretches of half the path, a quarter, ... one move.
fn stretches(runner: &mut Runner) {
    let mut stretch = (runner.path.len() / 2).max(1);
    loop {
        let mut end = runner.path.len();
        while end > 0 {
            let start = end.saturating_sub(stretch);
            runner.take_out(|i, _| (start..end).contains(&i));
            end = start.min(runner.path.len());
        }
        if stretch == 1 {
            return;
        }
        stretch /= 2;
    }
}

/// Takes out each move with what then no longer runs, from the end back.
fn cascades(runner: &mut Runner) {
    let mut at = runner.path.len();
    while at > 0 {
        at -= 1;
        if at < runner.path.len() {
            runner.cascade(at, None);
        }
    }
}

/// Takes out two moves at once with what then no longer runs, every pair
/// from the end back: two elections that each stand in for the other
/// (neither can go alone) go together. True if any went.
fn cascading_pairs(runner: &mut Runner) -> bool {
    let before = runner.path.len();
    let mut at = runner.path.len();
    while at > 0 {
        at -= 1;
        let mut also = runner.path.len();
        while also > at + 1 {
            also -= 1;
            if also < runner.path.len() {
                runner.cascade(at, Some(also));
            }
        }
    }
    runner.path.len() < before
}

/// Takes out every move concerning one node, node by node.
fn nodes(runner: &mut Runner, options: &Options) {
    for id in options.shape.members().iter().map(|m| m.id) {
        runner.take_out(|_, mv| concerns(mv, id));
    }
}

/// Takes out two moves at most [`PAIR_GAP`] apart, from the end back.
fn pairs(runner: &mut Runner) {
    for gap in 1..=PAIR_GAP {
        let mut first = runner.path.len().saturating_sub(gap + 1);
        loop {
            if first + gap < runner.path.len() {
                runner.take_out(|i, _| i == first || i == first + gap);
            }
            if first == 0 {
                break;
            }
            first -= 1;
        }
    }
}
