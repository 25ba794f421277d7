//! The model checker behind `quorumscope explore`: a breadth-first search
//! over every interleaving of operator moves on a small cluster, run on the
//! real simulator (and so on the real core and the live checker of §9).
//!
//! # The model
//!
//! The network delay is fixed at one tick and every election timeout is the
//! same, so the simulator itself makes no choice that matters: every
//! interleaving comes from the moves the explorer picks. From each state the
//! moves are, in this order:
//!
//! 1. **tick**: deliver every message due now, then let one tick pass (one
//!    [`Sim::step`] per delivery, one for the tick);
//! 2. `timeout_now` on each live node that may stand and does not lead;
//! 3. a client `write` to the leader (at most [`MAX_WRITES`] per path);
//! 4. `crash` of a live node, or a reboot (crash and restart at once), at
//!    most [`MAX_CRASHES`] per path; `restart` of a crashed node;
//! 5. a partition isolating one node, and `heal` while any link is cut.
//!
//! Commands run only right after a tick, before that tick's deliveries. The
//! steps between two ticks have a single successor, so folding them into one
//! move loses no reachable state at a point where a command may run, and it
//! makes the counterexample exact: a command applied at tick `T` is a script
//! step `{"at": T}`, which the simulator runs at the start of the step after
//! the clock reached `T`, before any delivery. Message loss is modelled by
//! the partitions (a cut link drops what crosses it); reordering within a
//! tick is not explored.
//!
//! # The search
//!
//! Breadth-first by depth (one move is one unit of depth), with a visited set
//! keyed by a 64-bit hash of the canonical state: every node (its core with
//! the timer generator left out, since equal timeouts make it irrelevant;
//! its disk; its application), the messages in flight with their delivery
//! time relative to now, the cut links, the pending and acknowledged writes,
//! the checker's memory, and the move budgets left. Step numbers, the clock
//! and message sequence numbers are left out. A state where the checker
//! reports a violation ends the search: every shallower depth was explored
//! completely, so the path that reached it is a shortest counterexample, and
//! it is written as a scenario.

use std::collections::hash_map::DefaultHasher;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::hash::Hasher;

use crate::core::{Member, NodeId, Switches};
use crate::scenario::Scenario;
use crate::sim::{Command, NetworkConfig, ScriptStep, Sim, SimConfig, Target, TraceBody};

/// Election timeout of every node, in ticks (fixed: no random draw).
pub const ELECTION_TICKS: u64 = 3;
/// Heartbeat interval, in ticks.
pub const HEARTBEAT_TICKS: u64 = 1;
/// Client writes per path.
pub const MAX_WRITES: u8 = 2;
/// Crashes per path.
pub const MAX_CRASHES: u8 = 1;
/// Depth explored when `--depth` is absent.
pub const DEFAULT_DEPTH: u64 = 10;
/// Largest `--depth` accepted.
pub const MAX_DEPTH: u64 = 100;
/// States after which the search stops expanding.
pub const DEFAULT_MAX_STATES: u64 = 200_000;

/// A cluster shape the explorer knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Three voters.
    Three,
    /// Two data voters and a witness.
    Witness,
    /// Three voters and a catching-up learner.
    Learner,
}

impl Shape {
    /// Every shape's name.
    pub const NAMES: [&'static str; 3] = ["three", "witness", "learner"];

    /// The shape called `name`.
    pub fn parse(name: &str) -> Result<Shape, String> {
        match name {
            "three" => Ok(Shape::Three),
            "witness" => Ok(Shape::Witness),
            "learner" => Ok(Shape::Learner),
            other => Err(format!("unknown shape {other:?}; shapes: {}", Shape::NAMES.join(", "))),
        }
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        match self {
            Shape::Three => "three",
            Shape::Witness => "witness",
            Shape::Learner => "learner",
        }
    }

    /// Its members.
    pub fn members(self) -> Vec<Member> {
        match self {
            Shape::Three => (1..=3).map(Member::data).collect(),
            Shape::Witness => vec![Member::data(1), Member::data(2), Member::witness(3)],
            Shape::Learner => vec![Member::data(1), Member::data(2), Member::data(3), Member::learner(4)],
        }
    }
}

/// What to explore.
#[derive(Clone, Debug)]
pub struct Options {
    /// The cluster.
    pub shape: Shape,
    /// Most moves per path.
    pub depth: u64,
    /// Switches turned off.
    pub off: Vec<String>,
    /// States after which the search stops expanding.
    pub max_states: u64,
}

impl Options {
    /// Defaults for `shape`: every switch on, [`DEFAULT_DEPTH`].
    pub fn new(shape: Shape) -> Options {
        Options { shape, depth: DEFAULT_DEPTH, off: Vec::new(), max_states: DEFAULT_MAX_STATES }
    }

    /// Checks depth and switch names.
    pub fn validate(&self) -> Result<(), String> {
        if self.depth == 0 || self.depth > MAX_DEPTH {
            return Err(format!("--depth {}: must be between 1 and {MAX_DEPTH}", self.depth));
        }
        self.switches().map(|_| ())
    }

    fn switches(&self) -> Result<Switches, String> {
        let mut switches = Switches::default();
        for name in &self.off {
            *switches.by_name_mut(name).ok_or_else(|| {
                format!("unknown switch {name:?}; switches: {}", Switches::NAMES.join(", "))
            })? = false;
        }
        Ok(switches)
    }

    /// The simulated cluster: fixed one-tick delay, equal timeouts.
    pub fn sim_config(&self) -> Result<SimConfig, String> {
        Ok(SimConfig {
            seed: 0,
            members: self.shape.members(),
            election_ticks: [ELECTION_TICKS, ELECTION_TICKS],
            member_election_ticks: Vec::new(),
            heartbeat_ticks: HEARTBEAT_TICKS,
            max_batch: 64,
            snapshot_threshold: 0,
            network: NetworkConfig { delay_ticks: [1, 1], drop: 0.0, duplicate: 0.0 },
            switches: self.switches()?,
        })
    }
}

/// One move of a path.
#[derive(Clone, Debug, PartialEq)]
pub enum Move {
    /// Deliver what is due, then let one tick pass.
    Tick,
    /// An operator command, run at the current tick.
    Do(Command),
    /// A crash and an immediate restart from disk (one move, so that losing
    /// what was only in memory costs one unit of depth).
    Reboot(NodeId),
}

impl Move {
    /// The commands this move runs (none for a tick).
    pub fn commands(&self) -> Vec<Command> {
        match self {
            Move::Tick => Vec::new(),
            Move::Do(command) => vec![command.clone()],
            Move::Reboot(id) => vec![
                Command::Crash { node: Target::Node(*id), after_persist: false },
                Command::Restart { node: Target::Node(*id) },
            ],
        }
    }
}

/// The shortest path found to a violation.
#[derive(Clone, Debug)]
pub struct Counterexample {
    /// The property broken first.
    pub property: String,
    /// The moves, each with the tick it ran at.
    pub moves: Vec<(u64, Move)>,
    /// The path as a scenario file that replays it.
    pub scenario: Scenario,
}

/// What a search found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Distinct states visited (the initial one included).
    pub states: u64,
    /// Deepest level explored.
    pub depth: u64,
    /// New states found at each depth (index 0 is the initial state).
    pub per_depth: Vec<u64>,
    /// Violations found: 0, or 1 (the search stops at the first).
    pub violations: u64,
    /// The search stopped at the state limit before its depth.
    pub truncated: bool,
    /// The first violation found (on a shortest path).
    pub counterexample: Option<Counterexample>,
}

/// A state on the frontier: the cluster, the path that reached it, budgets.
struct Frontier {
    sim: Sim,
    path: Option<usize>,
    writes: u8,
    crashes: u8,
}

/// Paths as a tree of moves: (parent, tick, move).
type Arena = Vec<(Option<usize>, u64, Move)>;

/// Explores every interleaving of `options` breadth-first; `progress` is
/// called after each depth with (depth, states so far, frontier size).
pub fn explore(options: &Options, mut progress: impl FnMut(u64, u64, usize)) -> Result<Report, String> {
    options.validate()?;
    let config = options.sim_config()?;
    let sim = Sim::new(config.clone()).map_err(|e| e.0)?;
    let mut arena: Arena = Vec::new();
    let mut visited: HashSet<u64> = HashSet::new();
    let root = Frontier { sim, path: None, writes: 0, crashes: 0 };
    visited.insert(key(&root));
    let mut report = Report { states: 1, per_depth: vec![1], ..Report::default() };
    let mut frontier = vec![root];
    for depth in 1..=options.depth {
        let mut next = Vec::new();
        let mut found = 0;
        'expand: for state in &frontier {
            for mv in moves(state) {
                let Some((child, property)) = apply(state, &mv) else { continue };
                if !visited.insert(key(&child)) {
                    continue;
                }
                found += 1;
                report.states += 1;
                arena.push((state.path, state.sim.now(), mv));
                let child = Frontier { path: Some(arena.len() - 1), ..child };
                match property {
                    Some(property) => {
                        report.violations += 1;
                        if report.counterexample.is_none() {
                            report.counterexample =
                                Some(counterexample(options, &config, &arena, &child, property));
                        }
                    }
                    None => next.push(child),
                }
                if report.violations > 0 {
                    break 'expand;
                }
                if report.states >= options.max_states {
                    report.truncated = true;
                    break 'expand;
                }
            }
        }
        report.depth = depth;
        report.per_depth.push(found);
        progress(depth, report.states, next.len());
        if report.violations > 0 || report.truncated || next.is_empty() {
            break;
        }
        frontier = next;
    }
    Ok(report)
}

/// The moves tried from `state`, in a fixed order.
fn moves(state: &Frontier) -> Vec<Move> {
    let sim = &state.sim;
    let ids: Vec<NodeId> = sim.nodes().keys().copied().collect();
    let live = |id: &NodeId| sim.node(*id).is_some();
    let mut out = vec![Move::Tick];
    let leader = sim.leader();
    for id in ids.iter().filter(|id| live(id) && Some(**id) != leader) {
        out.push(Move::Do(Command::TimeoutNow { node: Target::Node(*id) }));
    }
    if leader.is_some() && state.writes < MAX_WRITES {
        let value = format!("x={}", state.writes + 1);
        out.push(Move::Do(Command::Write { value, node: None }));
    }
    if state.crashes < MAX_CRASHES {
        for id in ids.iter().filter(|id| live(id)) {
            out.push(Move::Do(Command::Crash { node: Target::Node(*id), after_persist: false }));
            out.push(Move::Reboot(*id));
        }
    }
    for id in ids.iter().filter(|id| !live(id)) {
        out.push(Move::Do(Command::Restart { node: Target::Node(*id) }));
    }
    for id in &ids {
        let rest: Vec<NodeId> = ids.iter().copied().filter(|o| o != id).collect();
        out.push(Move::Do(Command::Partition { groups: vec![vec![*id], rest] }));
    }
    if sim.network().cuts().next().is_some() {
        out.push(Move::Do(Command::Heal {}));
    }
    out
}

/// Applies `mv`; `None` when the command cannot run. With the new state,
/// the property the checker reported, if any.
fn apply(state: &Frontier, mv: &Move) -> Option<(Frontier, Option<String>)> {
    let mut sim = state.sim.clone();
    let (mut writes, mut crashes) = (state.writes, state.crashes);
    let mut property = None;
    match mv {
        Move::Tick => {
            let before = sim.violations();
            loop {
                let due = sim.network().next_delivery_tick().is_some_and(|t| t <= sim.now());
                for e in sim.step() {
                    if let TraceBody::Violation { property: p, .. } = e.body {
                        property.get_or_insert_with(|| p.name().to_string());
                    }
                }
                if !due {
                    break;
                }
            }
            if sim.violations() > before && property.is_none() {
                property = Some("unknown".to_string());
            }
        }
        _ => {
            for command in mv.commands() {
                sim.command(&command).ok()?;
                match command {
                    Command::Write { .. } => writes += 1,
                    Command::Crash { .. } => crashes += 1,
                    _ => {}
                }
            }
        }
    }
    Some((Frontier { sim, path: None, writes, crashes }, property))
}

/// The canonical state's hash (see the module documentation). Everything
/// is formatted straight into the hashers, with no string in between.
fn key(state: &Frontier) -> u64 {
    let sim = &state.sim;
    let now = sim.now();
    let mut h = KeyHasher::default();
    let _ = write!(h, "budget {} {};", state.writes, state.crashes);
    for (id, n) in sim.nodes() {
        h.mode = Mode::SkipRng;
        let _ = write!(h, "node {id} {:?};", n.node);
        h.mode = Mode::All;
        let _ = write!(h, "disk {:?} kv {:?} {};", n.disk, n.kv, n.crash_after_persist);
    }
    for f in sim.network().in_flight() {
        let due = f.deliver_tick.saturating_sub(now);
        let _ = write!(h, "msg +{due} {:?} {} {};", f.msg, f.doomed, f.duplicate);
    }
    let cuts: Vec<_> = sim.network().cuts().collect();
    let _ = write!(h, "cuts {cuts:?} pending {:?} acked {:?};", sim.pending_writes(), sim.acked());
    let _ = write!(h, "violations {};", sim.violations());
    // The checker's memory, which the simulator keeps private, cut from its
    // `Debug`; it holds no step numbers. Formatting stops after it.
    h.mode = Mode::CheckerOnly { inside: false };
    let _ = write!(h, "{sim:?}");
    h.sip.finish()
}

/// Which parts of what is formatted are hashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    /// Everything.
    All,
    /// All of a node but its configuration (the same in every state) and
    /// its timer generator (`rng: Rng { .. }`: with equal timeouts every
    /// draw is the same, so it changes no behaviour).
    SkipRng,
    /// Inside the configuration or the generator, until the next field.
    InRng,
    /// Only the simulator's `checker` field; stop after it.
    CheckerOnly {
        /// Within the field.
        inside: bool,
    },
}

/// A 64-bit SipHash (fixed keys, so runs repeat exactly) fed by `Debug`
/// output, chunk by chunk as the formatter writes it. Two of the at most
/// [`DEFAULT_MAX_STATES`] states collide with odds below one in 10^8.
struct KeyHasher {
    sip: DefaultHasher,
    mode: Mode,
}

impl Default for KeyHasher {
    fn default() -> KeyHasher {
        KeyHasher { sip: DefaultHasher::new(), mode: Mode::All }
    }
}

impl std::fmt::Write for KeyHasher {
    fn write_str(&mut self, chunk: &str) -> std::fmt::Result {
        // Derived `Debug` writes each field name as its own chunk.
        match self.mode {
            Mode::SkipRng if chunk == "cfg" || chunk == "rng" => self.mode = Mode::InRng,
            Mode::InRng if chunk == "term" || chunk == "snapshot_requested" => self.mode = Mode::SkipRng,
            Mode::CheckerOnly { inside: false } if chunk == "checker" => {
                self.mode = Mode::CheckerOnly { inside: true };
            }
            Mode::CheckerOnly { inside: true } if chunk == "checking" => return Err(std::fmt::Error),
            _ => {}
        }
        if matches!(self.mode, Mode::InRng | Mode::CheckerOnly { inside: false }) {
            return Ok(());
        }
        self.sip.write(chunk.as_bytes());
        Ok(())
    }
}

/// The path to `state` as moves and as a scenario.
fn counterexample(
    options: &Options,
    config: &SimConfig,
    arena: &Arena,
    state: &Frontier,
    property: String,
) -> Counterexample {
    let mut moves = Vec::new();
    let mut at = state.path;
    while let Some(i) = at {
        let (parent, tick, mv) = &arena[i];
        moves.push((*tick, mv.clone()));
        at = *parent;
    }
    moves.reverse();
    let script = moves
        .iter()
        .flat_map(|(tick, mv)| mv.commands().into_iter().map(|command| ScriptStep { at: *tick, command }))
        .collect();
    let off =
        if options.off.is_empty() { "every switch on".to_string() } else { options.off.join(", ") + " off" };
    let title = format!("Model checker counterexample: {property} ({} cluster, {off})", options.shape.name());
    let explain = format!(
        "The shortest interleaving `quorumscope explore {}` found ({} moves) that breaks {property}.",
        options.shape.name(),
        moves.len()
    );
    let scenario = Scenario::from_run(title, explain, config, script, state.sim.now());
    Counterexample { property, moves, scenario }
}

/// One line per move, for the summary.
pub fn describe_move(tick: u64, mv: &Move) -> String {
    match mv {
        Move::Tick => format!("tick {tick}: deliver what is due, then tick"),
        Move::Do(command) => {
            let json = serde_json::to_string(command).unwrap_or_else(|_| command.name().to_string());
            format!("tick {tick}: {json}")
        }
        Move::Reboot(id) => format!("tick {tick}: crash node {id} and restart it at once"),
    }
}
