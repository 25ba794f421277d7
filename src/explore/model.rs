//! The model: a state, the moves from it, and what a move does.
//!
//! Every message is sent with the largest delay the simulator allows, so
//! none arrives by itself: each one moves only when the explorer says so,
//! by a `messages` command (deliver, drop or duplicate that one message).
//! Time moves only by the tick move, and any election timer may fire
//! early (`timeout_now`, the same path as the timer). Each move is one
//! command (or one tick) of the simulator, so a path is a script the
//! simulator replays exactly.

use std::borrow::Cow;

use crate::core::{NodeId, Role};
use crate::sim::{Command, FailoverMode, MessageAction, Sim, SimConfig, Target, TraceBody, TraceEvent};

use super::shape::Shape;
use super::Options;

/// How far the explorer goes. Every bound is printed with the summary, and
/// serialized as the page's "Find a run" panel reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Bounds {
    /// Most moves per path.
    pub depth: u64,
    /// Client writes per path.
    pub writes: u8,
    /// Crashes per path (a reboot counts as one).
    pub crashes: u8,
    /// Messages dropped per path.
    pub drops: u8,
    /// Messages duplicated per path.
    pub duplicates: u8,
    /// Transfers and failovers per path.
    pub handovers: u8,
    /// Snapshots per path.
    pub snapshots: u8,
    /// Messages in flight beyond which nothing new is started (no tick,
    /// timeout, write, duplicate or handover).
    pub in_flight: usize,
    /// Highest term a timeout may start an election toward.
    pub term: u64,
}

/// A bound's value when a caller does not give one.
pub const DEFAULT_DEPTH: u64 = 14;

impl Bounds {
    /// The defaults for a shape.
    pub fn new(shape: Shape) -> Bounds {
        Bounds {
            depth: DEFAULT_DEPTH,
            writes: 1,
            crashes: 1,
            drops: 1,
            duplicates: 1,
            handovers: 1,
            snapshots: u8::from(shape.snapshots_by_default()),
            in_flight: 4,
            term: 4,
        }
    }

    /// One line stating every bound.
    pub fn describe(&self) -> String {
        format!(
            "depth {}, writes {}, crashes {}, drops {}, duplicates {}, handovers {}, snapshots {}, \
             in flight {}, term {}",
            self.depth,
            self.writes,
            self.crashes,
            self.drops,
            self.duplicates,
            self.handovers,
            self.snapshots,
            self.in_flight,
            self.term
        )
    }
}

/// What a path has used of its bounds (part of the state: two states that
/// may still do different things are different).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Spent {
    /// Writes made.
    pub writes: u8,
    /// Crashes made.
    pub crashes: u8,
    /// Drops made.
    pub drops: u8,
    /// Duplicates made.
    pub duplicates: u8,
    /// Handovers started.
    pub handovers: u8,
    /// Snapshots taken.
    pub snapshots: u8,
    /// The shape's membership change made.
    pub changed: bool,
}

/// A state of the model.
#[derive(Clone, Debug)]
pub struct State {
    /// The cluster.
    pub sim: Sim,
    /// What the path to it used.
    pub spent: Spent,
}

impl State {
    /// The cluster as `config` starts it, nothing spent: where every
    /// search starts.
    pub fn initial(config: &SimConfig) -> Result<State, String> {
        Ok(State { sim: Sim::new(config.clone()).map_err(|e| e.0)?, spent: Spent::default() })
    }
}

/// One move.
#[derive(Clone, Debug, PartialEq)]
pub enum Move {
    /// Let one tick pass (every live node ticks).
    Tick,
    /// A command, run now.
    Do(Command),
    /// A crash and at once a restart from disk: losing what was only in
    /// memory costs one move.
    Reboot(NodeId),
}

impl Move {
    /// The commands it runs, in order (none for a tick): borrowed, but for
    /// a reboot's two.
    pub fn commands(&self) -> Cow<'_, [Command]> {
        match self {
            Move::Tick => Cow::Borrowed(&[]),
            Move::Do(command) => Cow::Borrowed(std::slice::from_ref(command)),
            Move::Reboot(id) => Cow::Owned(vec![
                Command::Crash { node: Target::Node(*id), after_persist: false },
                Command::Restart { node: Target::Node(*id) },
            ]),
        }
    }
}

/// The moves from `state`, in a fixed order: tick; each distinct message
/// in flight delivered, dropped, duplicated; timeouts; a write; crashes,
/// reboots and restarts; the shape's change; handovers; snapshots.
pub fn moves(state: &State, bounds: &Bounds, shape: Shape) -> Vec<Move> {
    let (sim, spent) = (&state.sim, &state.spent);
    let in_flight = sim.network().in_flight().count();
    let room = in_flight < bounds.in_flight;
    // Room for every move a small cluster has, at once rather than by
    // doubling: a delivery, drop and copy per message, then a handful per
    // node.
    let mut out = Vec::with_capacity(1 + 3 * in_flight + 8 * sim.nodes().len());
    if room {
        out.push(Move::Tick);
    }
    message_moves(sim, bounds, spent, room, &mut out);
    let ids = || sim.nodes().keys();
    let leader = sim.leader();
    if room {
        for id in ids() {
            let Some(node) = sim.node(*id) else { continue };
            if node.role() != Role::Leader && node.membership().can_stand(*id) && node.term() < bounds.term {
                out.push(Move::Do(Command::TimeoutNow { node: Target::Node(*id) }));
            }
        }
        if leader.is_some() && spent.writes < bounds.writes {
            let value = format!("x={}", spent.writes + 1);
            out.push(Move::Do(Command::Write { value, node: None }));
        }
    }
    for id in ids() {
        let live = sim.node(*id).is_some();
        if live && spent.crashes < bounds.crashes {
            out.push(Move::Do(Command::Crash { node: Target::Node(*id), after_persist: false }));
            out.push(Move::Reboot(*id));
        } else if !live {
            out.push(Move::Do(Command::Restart { node: Target::Node(*id) }));
        }
    }
    if let (Some(change), Some(_)) = (shape.change(), leader) {
        if !spent.changed && room {
            out.push(Move::Do(change));
        }
    }
    if let Some(leader) = leader.filter(|_| room && spent.handovers < bounds.handovers) {
        for id in ids().filter(|id| **id != leader) {
            for mode in [FailoverMode::Coordinated, FailoverMode::Force] {
                let to = Target::Node(*id);
                out.push(Move::Do(Command::Failover { to, mode, deadline_ticks: Some(1) }));
            }
        }
    }
    if spent.snapshots < bounds.snapshots {
        for id in
            ids().filter(|id| sim.node(**id).is_some_and(|n| n.applied_index() > n.log().snapshot_index()))
        {
            out.push(Move::Do(Command::Snapshot { node: Target::Node(*id) }));
        }
    }
    out
}

/// Deliver, drop and duplicate for each message in flight, once per
/// distinct message (copies of one message lead to one state). A message is
/// named by sender, receiver, kind and its place among those alike in send
/// order, as the `messages` command counts `nth`.
fn message_moves(sim: &Sim, bounds: &Bounds, spent: &Spent, room: bool, out: &mut Vec<Move>) {
    let mut flights: Vec<_> = sim.network().in_flight().collect();
    flights.sort_by_key(|f| f.seq);
    for (i, f) in flights.iter().enumerate() {
        if flights[..i].iter().any(|g| g.msg == f.msg) {
            continue;
        }
        let (from, to, kind) = (f.msg.from, f.msg.to, f.msg.kind());
        let nth = flights[..i]
            .iter()
            .filter(|g| g.msg.from == from && g.msg.to == to && g.msg.kind() == kind)
            .count();
        let command = |action| Command::Messages {
            action,
            from: Some(Target::Node(from)),
            to: Some(Target::Node(to)),
            msg: Some(kind),
            count: None,
            nth: Some(nth as u64),
        };
        out.push(Move::Do(command(MessageAction::Deliver)));
        if spent.drops < bounds.drops {
            out.push(Move::Do(command(MessageAction::Drop)));
        }
        if room && spent.duplicates < bounds.duplicates {
            out.push(Move::Do(command(MessageAction::Duplicate)));
        }
    }
}

/// The state after `mv` and the move's trace events (violations
/// included), or `None` when the move cannot run there.
pub fn apply(state: &State, mv: &Move) -> Option<(State, Vec<TraceEvent>)> {
    let mut next = state.clone();
    let mut events = Vec::new();
    run(&mut next, mv, &mut events)?;
    Some((next, events))
}

/// `apply`, making the state after `mv` in `into`, whatever it held, and
/// its events in `events` (emptied first): their allocations are reused.
/// A search that keys every successor of a state and keeps none (it keeps
/// moves, and makes again the few new states) makes them all in one
/// simulator. When the move cannot run (`None`), `into` holds a state
/// that is no state of the model.
pub fn apply_into(state: &State, mv: &Move, into: &mut State, events: &mut Vec<TraceEvent>) -> Option<()> {
    into.sim.clone_from(&state.sim);
    into.spent = state.spent;
    events.clear();
    run(into, mv, events)
}

/// Runs `mv` on `state` in place, its events appended to `events`.
fn run(state: &mut State, mv: &Move, events: &mut Vec<TraceEvent>) -> Option<()> {
    let (sim, spent) = (&mut state.sim, &mut state.spent);
    if matches!(mv, Move::Tick) {
        sim.step_into(events);
        return Some(());
    }
    for command in mv.commands().iter() {
        sim.command_into(command, events).ok()?;
        count(command, spent);
    }
    events.extend(sim.check_now());
    Some(())
}

fn count(command: &Command, spent: &mut Spent) {
    match command {
        Command::Write { .. } => spent.writes += 1,
        Command::Crash { .. } => spent.crashes += 1,
        Command::Messages { action: MessageAction::Drop, .. } => spent.drops += 1,
        Command::Messages { action: MessageAction::Duplicate, .. } => spent.duplicates += 1,
        Command::Failover { .. } | Command::Transfer { .. } => spent.handovers += 1,
        Command::Snapshot { .. } => spent.snapshots += 1,
        Command::ChangeVoters { .. } | Command::AddServer { .. } | Command::RemoveServer { .. } => {
            spent.changed = true
        }
        _ => {}
    }
}

/// The first property a move's events report broken.
pub fn violation(events: &[TraceEvent]) -> Option<String> {
    events.iter().find_map(|e| match &e.body {
        TraceBody::Violation { property, .. } => Some(property.name().to_string()),
        _ => None,
    })
}

/// The property a move broke, or else the goal it reached: what every
/// search looks for.
pub fn hit(options: &Options, state: &State, events: &[TraceEvent]) -> Option<String> {
    violation(events)
        .or_else(|| options.goal.filter(|g| g.reached(state, events)).map(|g| g.name().to_string()))
}
