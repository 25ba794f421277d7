//! The model checker behind `quorumscope explore`: every interleaving of
//! messages, timers, crashes and operator moves on a small cluster, run on
//! the real simulator (and so on the real core and the live checker of
//! PROTOCOL.md §9).
//!
//! # The model ([`model`])
//!
//! No message arrives by itself: from each state the explorer may deliver
//! any one message in flight, drop it, or duplicate it; let a tick pass;
//! fire any node's election timer; write; crash, restart or reboot a node;
//! and, where the shape asks, change the membership, hand leadership over
//! or take a snapshot. Every move is a simulator command (or one tick), so
//! a path is a scenario script that `quorumscope run` replays exactly.
//! [`Bounds`] caps writes, crashes, drops, duplicates, handovers,
//! snapshots, messages in flight and terms; the summary states them.
//!
//! # The search
//!
//! States are identified by explicit canonical keys (`core::StateKey`,
//! written by the node, the simulator and the checker), reduced by
//! symmetry over interchangeable nodes ([`key`]). Breadth-first search
//! ([`bfs`]), parallel within each depth and deterministic whatever the
//! thread count, stops at the first violation (or goal): every shallower
//! depth was explored completely, so the path is a shortest one. A random
//! walk mode ([`walk`]) reaches deeper states, with its seed printed; the
//! run a walk finds is shrunk, then a search within that run's own bounds
//! tries to prove it shortest there ([`confirm`]). The later searches for
//! a shortest run ([`narrow`], [`confirm`]) deepen depth-first limit by
//! limit ([`deepening`]): breadth-first search's answer, in a key per
//! state rather than a simulator.

pub mod bfs;
pub mod confirm;
mod counterexample;
mod coverage;
pub mod deepening;
mod goal;
pub mod key;
pub mod model;
pub mod narrow;
pub mod retrace;
mod shape;
pub mod shrink;
pub mod walk;

pub use counterexample::{describe_move, Counterexample};
pub use goal::Goal;
pub use model::{Bounds, Move, DEFAULT_DEPTH};
pub use shape::Shape;

use crate::core::Switches;
use crate::sim::{NetworkConfig, SimConfig};

/// Every election timeout, in ticks (fixed: the explorer fires timers as
/// moves, so no random draw is needed).
pub const ELECTION_TICKS: u64 = 2;
/// Heartbeat interval, in ticks.
pub const HEARTBEAT_TICKS: u64 = 1;
/// Every message's delay: the simulator's largest, so that none arrives
/// by itself within a path; the explorer delivers each one by command.
pub const HELD_DELAY_TICKS: u64 = 10_000;
/// Largest `--depth` accepted (the clock must stay below the delay).
pub const MAX_DEPTH: u64 = 200;
/// Unique states after which breadth-first search stops, unless told
/// otherwise. Each state of a depth's frontier (and of the next) holds a
/// whole simulator (about 20 KB for three nodes), so this bounds memory:
/// measured, 0.8 GB resident with `log_guards` off (two searches to this
/// limit; the states of a depth past it are never made).
pub const DEFAULT_MAX_STATES: u64 = 250_000;
/// Random walks tried after breadth-first search finds nothing, unless
/// told otherwise.
pub const DEFAULT_WALKS: u64 = 60_000;
/// The random walks' seed, unless told otherwise. Any seed is as sound as
/// another; this one finds Raft's Figure 8 (`current_term_commit` off) in
/// the fewest moves of seeds 1 to 20 (docs/explore.md, 9th round).
pub const DEFAULT_WALK_SEED: u64 = 8;
/// Moves per random walk, unless told otherwise.
pub const DEFAULT_WALK_DEPTH: u64 = 40;
/// Messages in flight for random walks, unless told otherwise.
pub const DEFAULT_WALK_IN_FLIGHT: usize = 16;

/// How to search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Search {
    /// Breadth-first only: shortest counterexamples, within the bounds.
    Breadth,
    /// Random walks only.
    Walk(Walks),
    /// Breadth-first, then, if it found nothing, random walks: the default.
    /// A violation deeper than breadth-first search can afford is still
    /// found, as a shrunk run rather than a proven shortest one.
    Both(Walks),
}

/// Random walks from the initial state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Walks {
    /// The seed every choice derives from.
    pub seed: u64,
    /// How many walks.
    pub count: u64,
    /// Moves per walk at most (a walk may start from a state an earlier
    /// walk reached, so its run can be longer).
    pub depth: u64,
    /// Messages in flight beyond which a walk starts nothing new: looser
    /// than breadth-first search's bound, as walks go deep (Raft's Figure 8
    /// leaves up to a dozen stale messages in flight on its way).
    pub in_flight: usize,
}

impl Default for Walks {
    fn default() -> Walks {
        Walks {
            seed: DEFAULT_WALK_SEED,
            count: DEFAULT_WALKS,
            depth: DEFAULT_WALK_DEPTH,
            in_flight: DEFAULT_WALK_IN_FLIGHT,
        }
    }
}

/// What to explore.
#[derive(Clone, Debug)]
pub struct Options {
    /// The cluster.
    pub shape: Shape,
    /// The bounds.
    pub bounds: Bounds,
    /// Switches turned off.
    pub off: Vec<String>,
    /// A situation to reach instead of only looking for violations.
    pub goal: Option<Goal>,
    /// Treat interchangeable nodes as one.
    pub symmetry: bool,
    /// Worker threads for breadth-first search (1: none spawned).
    pub threads: usize,
    /// Unique states after which breadth-first search stops (each state
    /// of a depth holds a simulator: this bounds memory).
    pub max_states: u64,
    /// The states the searches for a shortest run after breadth-first
    /// search scale their limits from: within the narrow bounds twice as
    /// many, within a walked run's own bounds as many. They deepen limit by
    /// limit keeping a key per state, not a simulator, so this costs time,
    /// not memory: the CLI's is its `--max-states`; the page's is more than
    /// its breadth-first limit, which a worker's memory bounds. (Ruling out
    /// shorter runs goes on from where breadth-first search stopped, and
    /// scales from `max_states`.)
    pub keyed_states: u64,
    /// Breadth-first, random walks, or both.
    pub search: Search,
}

impl Options {
    /// Defaults for `shape`: every switch on, default bounds, symmetry,
    /// breadth-first on every core.
    pub fn new(shape: Shape) -> Options {
        Options {
            shape,
            bounds: Bounds::new(shape),
            off: Vec::new(),
            goal: None,
            symmetry: true,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            max_states: DEFAULT_MAX_STATES,
            keyed_states: DEFAULT_MAX_STATES,
            search: Search::Both(Walks::default()),
        }
    }

    /// Checks the bounds and the switch names.
    pub fn validate(&self) -> Result<(), String> {
        if self.bounds.depth == 0 || self.bounds.depth > MAX_DEPTH {
            return Err(format!("--depth {}: must be between 1 and {MAX_DEPTH}", self.bounds.depth));
        }
        if self.threads == 0 {
            return Err("--threads 0: at least one thread".to_string());
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

    /// The simulated cluster: every message held back, equal timeouts.
    pub fn sim_config(&self) -> Result<SimConfig, String> {
        Ok(SimConfig {
            seed: 0,
            members: self.shape.members(),
            election_ticks: [ELECTION_TICKS, ELECTION_TICKS],
            member_election_ticks: Vec::new(),
            heartbeat_ticks: HEARTBEAT_TICKS,
            // One entry per append, as in the Raft paper's Figure 8: an
            // append may carry an old entry without the new leader's no-op.
            max_batch: 1,
            snapshot_threshold: 0,
            network: NetworkConfig { delay_ticks: [HELD_DELAY_TICKS; 2], drop: 0.0, duplicate: 0.0 },
            disk_ticks: [0, 0],
            paper_timer: false,
            switches: self.switches()?,
        })
    }

    /// "every switch on" or "durable_vote off".
    pub fn describe_switches(&self) -> String {
        if self.off.is_empty() {
            "every switch on".to_string()
        } else {
            self.off.join(", ") + " off"
        }
    }
}

/// What a search found. Serialized (the run apart) as the page's "Find a
/// run" panel reads it.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Report {
    /// Distinct states (the initial one included).
    pub states: u64,
    /// Successors generated, repeats included.
    pub transitions: u64,
    /// Deepest level explored (breadth-first) or longest walk.
    pub depth: u64,
    /// New states at each depth (index 0 is the initial state).
    pub per_depth: Vec<u64>,
    /// Violations found: 0, or 1 (the search stops at the first).
    pub violations: u64,
    /// The search stopped at the state limit before its depth.
    pub truncated: bool,
    /// The first violation found, or the goal reached. Not serialized: the
    /// page gets it as a scenario file (src/wasm_lab.rs).
    #[serde(skip)]
    pub counterexample: Option<Counterexample>,
    /// The goal was reached.
    pub goal_reached: bool,
    /// Found by a random walk (then shrunk), not by breadth-first search:
    /// short, but not proven the shortest.
    pub by_walk: bool,
    /// Random walks taken.
    pub walks: u64,
    /// Distinct states the random walks reached (breadth-first search's
    /// are in `states`).
    pub walk_states: u64,
    /// The bounds within which the counterexample is proven shortest:
    /// breadth-first search explored every shorter run within them and
    /// found nothing. `None`: short, but not proven shortest.
    pub shortest_within: Option<Bounds>,
    /// Distinct states of the later searches for a shortest run (by
    /// iterative deepening, [`deepening`]): within narrow bounds
    /// ([`narrow`]), and within a walk's run's own bounds to prove it
    /// shortest ([`confirm`]).
    pub confirm_states: u64,
    /// Every run of at most `depth` moves within these bounds was searched
    /// and none hits: no run within them is shorter than `depth` + 1
    /// moves. Set when the run found is not proven shortest otherwise.
    pub none_shorter: Option<Bounds>,
}

impl Report {
    /// How the run was found, as the CLI and the page say it.
    pub fn found_by(&self) -> &'static str {
        if self.by_walk {
            "a random walk's run, shrunk"
        } else {
            "the shortest run (breadth-first)"
        }
    }

    /// What is known of the found run's length, a sentence each, as the
    /// CLI and the page say it: proven shortest within some bounds, or
    /// not, and then how short a run is ruled out.
    pub fn length_known(&self) -> Vec<String> {
        match (&self.shortest_within, &self.none_shorter) {
            (Some(b), _) => vec![format!("proven shortest within: {}", b.describe())],
            (None, none_shorter) => {
                let mut lines = vec![
                    "not proven shortest: the search within the run's own bounds cannot reach one move less \
                     within its limit"
                        .to_string(),
                ];
                if let Some(b) = none_shorter {
                    lines.push(format!("none shorter than {} moves within: {}", b.depth + 1, b.describe()));
                }
                lines
            }
        }
    }

    /// What is known of the length of a run the search still held when it
    /// was stopped from outside (see [`explore_telling`]): proven shortest
    /// within some bounds already, or not proven, the searches for a
    /// shorter run not having ended.
    pub fn length_known_so_far(&self) -> Vec<String> {
        match self.shortest_within {
            Some(_) => self.length_known(),
            None => vec![
                "not proven shortest: the search was stopped before its searches for a shorter run ended"
                    .to_string(),
            ],
        }
    }

    /// Takes `moves` (ending at tick `end`), which reach `hit` (a property
    /// broken, or the goal), as the run found: by a walk, or by a search
    /// that tried every shorter run within `options`' bounds, and so the
    /// shortest there.
    fn take_run(
        &mut self,
        options: &Options,
        config: &SimConfig,
        (hit, moves, end): (String, Vec<(u64, model::Move)>, u64),
        by_walk: bool,
    ) {
        self.goal_reached = options.goal.is_some_and(|g| g.name() == hit);
        self.violations += u64::from(!self.goal_reached);
        self.by_walk = by_walk;
        if !by_walk {
            self.shortest_within = Some(model::Bounds { depth: moves.len() as u64, ..options.bounds });
        }
        self.counterexample =
            Some(counterexample::Counterexample::new(options, config, hit, moves, end, by_walk));
    }

    /// Counts a later search's work into this report and, if
    /// it found a run (the shortest within its bounds), takes that run as
    /// the counterexample. Returns whether it found one.
    fn absorb(&mut self, found: Report) -> bool {
        self.confirm_states += found.states;
        self.transitions += found.transitions;
        let Some(run) = found.counterexample else { return false };
        self.counterexample = Some(run);
        self.shortest_within = found.shortest_within;
        self.goal_reached = found.goal_reached;
        self.violations = found.violations;
        self.by_walk = false;
        true
    }
}

/// Which of the default search's stages a progress report comes from
/// (see [`explore`]), so that a reader can be told what runs now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Breadth-first within the caller's bounds ([`bfs`]).
    #[default]
    Breadth,
    /// Every run within the narrow bounds, limit by limit ([`narrow`]).
    Narrow,
    /// Random walks ([`walk`]).
    Walks,
    /// Shrinking and retracing the runs the walks found ([`shrink`],
    /// [`retrace`]).
    Shrink,
    /// Every run within a walked run's own bounds ([`confirm`]).
    Confirm,
    /// Every run within the caller's bounds, deeper than breadth-first
    /// search went ([`confirm::rule_out_shorter`]).
    RuleOut,
}

impl Stage {
    /// Every stage, in the order the default search runs them.
    pub const ALL: [Stage; 6] =
        [Stage::Breadth, Stage::Narrow, Stage::Walks, Stage::Shrink, Stage::Confirm, Stage::RuleOut];

    /// What the stage does, as the CLI and the page say it.
    pub fn describe(self) -> &'static str {
        match self {
            Stage::Breadth => "breadth-first, every run within the bounds",
            Stage::Narrow => "every run within narrower bounds (no fault, one handover)",
            Stage::Walks => "random walks",
            Stage::Shrink => "shrinking and retracing the runs the walks found",
            Stage::Confirm => "every run within the found run's own bounds, for a shorter one",
            Stage::RuleOut => "ruling out shorter runs within the bounds",
        }
    }
}

/// Progress, after each depth and every few thousand states within one
/// (breadth-first), or every 100 walks. Serialized as the page's "Find a
/// run" panel reads it.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Progress {
    /// The stage reporting.
    pub stage: Stage,
    /// Depth done.
    pub depth: u64,
    /// Distinct states so far.
    pub states: u64,
    /// Successors generated so far.
    pub transitions: u64,
    /// States waiting for the next depth (breadth-first), or kept for
    /// walks to start from.
    pub frontier: usize,
    /// Random walks taken (0 during breadth-first search).
    pub walks: u64,
    /// Breadth-first, within a depth: how many of the `frontier` states
    /// of depth `depth` are expanded so far (toward depth `depth + 1`); 0
    /// when a depth is done.
    pub expanded: usize,
}

/// Explores as `options` say; `progress` is called after each depth (and
/// every 100 walks) and stops the search when it returns false.
pub fn explore(options: &Options, progress: impl FnMut(&Progress) -> bool) -> Result<Report, String> {
    explore_telling(options, progress, |_| {})
}

/// [`explore`], telling `found` of each run the default search holds
/// before it ends: the walks' shrunk run, then the run after the searches
/// within its own bounds (the same, or a shorter one). A caller that can
/// end a search only from outside keeps the last as the run found so far:
/// the page's Cancel ends its worker, and the reader keeps the walks' run
/// rather than losing it to the slower searches for a shorter one.
pub fn explore_telling(
    options: &Options,
    mut progress: impl FnMut(&Progress) -> bool,
    mut found: impl FnMut(&Report),
) -> Result<Report, String> {
    options.validate()?;
    match options.search {
        Search::Breadth => bfs::breadth_first(options, progress),
        Search::Walk(walks) => {
            let (mut report, _) = walk::random_walks(options, walks, Report::default(), progress)?;
            report.states = report.walk_states + 1;
            report.depth = walks.depth;
            Ok(report)
        }
        Search::Both(walks) => {
            let report = bfs::breadth_first(options, &mut progress)?;
            if report.counterexample.is_some() {
                return Ok(report);
            }
            // Every run of up to this many moves hits nothing.
            let complete = if report.truncated { report.depth.saturating_sub(1) } else { report.depth };
            let report = narrow::narrow(options, report, &mut progress)?;
            if report.counterexample.is_some() {
                return Ok(report);
            }
            let (report, runs) = walk::random_walks(options, walks, report, &mut progress)?;
            let mut tell = |report: &Report| {
                if report.counterexample.is_some() {
                    found(report);
                }
            };
            tell(&report);
            let report = confirm::confirm(options, report, &runs, &mut progress)?;
            tell(&report);
            confirm::rule_out_shorter(options, report, complete, progress)
        }
    }
}
