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

/// What a candidate does with a later move that no longer runs once the
/// moves taken out are gone.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stranded {
    /// The candidate fails.
    Fails,
    /// The move goes too (the deliveries of what a move taken out sent,
    /// and of what those sent).
    Goes,
}

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
        let (path, before) = runner.run(0, path.iter(), Stranded::Fails)?;
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
    /// messages repaired; a move that no longer runs fails the run or goes,
    /// as `stranded` says), cut after the first hit, with the state after
    /// each move but the last, if that hit is the target.
    fn run<'m>(
        &self,
        from: usize,
        rest: impl Iterator<Item = &'m Move>,
        stranded: Stranded,
    ) -> Option<(Vec<Move>, Vec<State>)> {
        let (mut moves, mut states) = (Vec::new(), Vec::new());
        for mv in rest {
            let state = states.last().unwrap_or(&self.before[from]);
            let Some((mv, next, events)) = apply_or_repair(state, mv) else {
                match stranded {
                    Stranded::Fails => return None,
                    Stranded::Goes => continue,
                }
            };
            moves.push(mv);
            if let Some(h) = hit(self.options, &next, &events) {
                return (h == self.target).then_some((moves, states));
            }
            states.push(next);
        }
        None
    }

    /// Takes out the moves at `gone` (and, as `stranded` says, the later
    /// moves that then no longer run) if the path still hits without them;
    /// true if it does.
    fn take_out(&mut self, gone: impl Fn(usize, &Move) -> bool, stranded: Stranded) -> bool {
        let Some(first) = self.path.iter().enumerate().position(|(i, mv)| gone(i, mv)) else { return false };
        let rest = self.path.iter().enumerate().skip(first).filter(|(i, mv)| !gone(*i, mv)).map(|(_, mv)| mv);
        match self.run(first, rest, stranded) {
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
            pairs(&mut runner, PAIR_GAP, Stranded::Fails);
            if runner.path.len() == before {
                break;
            }
        }
        // Every pair, quadratic in the run's moves: tried once the cheaper
        // passes have nothing left to take, on a run they made short.
        let gaps = runner.path.len();
        if !pairs(&mut runner, gaps, Stranded::Goes) {
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
            runner.take_out(|i, _| (start..end).contains(&i), Stranded::Fails);
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
            runner.take_out(|i, _| i == at, Stranded::Goes);
        }
    }
}

/// Takes out every move concerning one node, node by node.
fn nodes(runner: &mut Runner, options: &Options) {
    for id in options.shape.members().iter().map(|m| m.id) {
        runner.take_out(|_, mv| concerns(mv, id), Stranded::Fails);
    }
}

/// Takes out two moves at most `gaps` apart, from the end back (and, as
/// `stranded` says, what then no longer runs: two elections that each
/// stand in for the other go together); true if any went.
fn pairs(runner: &mut Runner, gaps: usize, stranded: Stranded) -> bool {
    let before = runner.path.len();
    for gap in 1..=gaps {
        let mut first = runner.path.len().saturating_sub(gap + 1);
        loop {
            if first + gap < runner.path.len() {
                runner.take_out(|i, _| i == first || i == first + gap, stranded);
            }
            if first == 0 {
                break;
            }
            first -= 1;
        }
    }
    runner.path.len() < before
}
