//! The deterministic cluster simulator: nodes of the real core, a network
//! with faults, crashes that keep exactly what was persisted, client writes,
//! operator commands, a structured narrated trace and the live checker.
//!
//! One step is one tick (every live node ticks) or one message delivery.
//! Every choice (delays, drops, duplicates, timer draws) derives from the
//! seed, so a seed and a list of commands reproduce a run exactly.

mod command;
pub(crate) mod command_read;
mod commands;
mod disk;
mod history;
mod initial;
mod messages;
mod narrate;
mod network;
mod perform;
mod replay;
mod state_key;
mod state_machine;
pub mod step_events;
mod trace;
mod trace_import;
mod view;

use std::sync::Arc;

use serde::Serialize;

pub use command::{run_order, Command, FailoverMode, MessageAction, ScriptStep, Target};
pub use command_read::COMMAND_NAMES;
pub use disk::DiskQueue;
pub use history::{Timeline, CHECKPOINT_EVERY, MAX_CHECKPOINTS};
pub use initial::{InitialEntry, InitialState};
pub use narrate::{trace_role, Narration};
pub use network::{InFlight, MessageFilter, Network, NetworkConfig};
pub use replay::Replay;
pub use state_machine::KvStore;
pub use trace::{export_json_lines, EntryFacts, LastEntry, TraceBody, TraceEvent, TraceRole, WriteRefusal};
pub use trace_import::import_json_lines;
pub use view::{view, ClusterView, EntryView, MessageView, NodeView, ProgressView, Standing};

use crate::check::{AckedWrite, Checker, NodeState, Observation};
use crate::core::rng::derive_seed;
use crate::core::{
    Action, Config, DurableState, Entry, Index, Member, Node, NodeId, NodeMap, Role, Switches, Term,
};

/// Largest cluster the simulator builds.
pub const MAX_NODES: usize = 15;

/// A cluster's shape and timing (a scenario's `cluster`, plus seed and
/// switches).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimConfig {
    /// The seed every random choice derives from.
    pub seed: u64,
    /// The initial members.
    pub members: Vec<Member>,
    /// Election timeout range in ticks.
    pub election_ticks: [u64; 2],
    /// Nodes with a timeout range of their own (`members[].election_ticks`),
    /// overriding `election_ticks`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub member_election_ticks: Vec<(NodeId, [u64; 2])>,
    /// Heartbeat interval in ticks.
    pub heartbeat_ticks: u64,
    /// Most entries per append.
    pub max_batch: usize,
    /// Applied entries before a snapshot; 0 is off.
    pub snapshot_threshold: u64,
    /// Network behaviour.
    pub network: NetworkConfig,
    /// How long a durable write takes, `[min, max]` ticks; `[0, 0]` is
    /// instant (`disk.rs`).
    #[serde(default, skip_serializing_if = "is_instant")]
    pub disk_ticks: [u64; 2],
    /// The Raft paper's election timer rule (`Config::paper_timer`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub paper_timer: bool,
    /// Teaching switches.
    pub switches: Switches,
}

fn is_instant(range: &[u64; 2]) -> bool {
    *range == [0, 0]
}

impl SimConfig {
    /// A cluster of `n` voting data members with every default.
    pub fn with_nodes(n: u64, seed: u64) -> SimConfig {
        SimConfig {
            seed,
            members: (1..=n).map(Member::data).collect(),
            election_ticks: [10, 20],
            member_election_ticks: Vec::new(),
            heartbeat_ticks: 3,
            max_batch: 64,
            snapshot_threshold: 0,
            network: NetworkConfig::default(),
            disk_ticks: [0, 0],
            paper_timer: false,
            switches: Switches::default(),
        }
    }

    /// The core configuration of node `id`.
    pub fn node_config(&self, id: NodeId) -> Config {
        let mut cfg = Config::new(id, self.members.clone());
        let own = self.member_election_ticks.iter().find(|(n, _)| *n == id);
        let [min, max] = own.map_or(self.election_ticks, |(_, range)| *range);
        cfg.election_ticks_min = min;
        cfg.election_ticks_max = max;
        cfg.heartbeat_ticks = self.heartbeat_ticks;
        cfg.max_batch = self.max_batch;
        cfg.snapshot_threshold = self.snapshot_threshold;
        cfg.switches = self.switches;
        cfg.paper_timer = self.paper_timer;
        cfg.seed = derive_seed(self.seed, id);
        cfg
    }

    /// Checks the whole configuration; the error names the field.
    pub fn validate(&self) -> Result<(), String> {
        if self.members.is_empty() || self.members.len() > MAX_NODES {
            return Err(format!(
                "cluster.members: {} members; the simulator runs 1 to {MAX_NODES}",
                self.members.len()
            ));
        }
        if let Some(m) = self.members.iter().find(|m| m.id > 1000) {
            return Err(format!("cluster.members: node id {} is not a small integer (at most 1000)", m.id));
        }
        self.node_config(self.members[0].id).validate().map_err(|e| match e {
            crate::core::Error::Config { field, reason } => {
                let field = match field.as_str() {
                    "election_ticks_min" | "election_ticks_max" => "election_ticks".to_string(),
                    f => f.to_string(),
                };
                format!("cluster.{field}: {reason}")
            }
            other => other.to_string(),
        })?;
        for (id, _) in &self.member_election_ticks {
            let Some(i) = self.members.iter().position(|m| m.id == *id) else {
                return Err(format!("cluster.members: node {id} has a timeout range but is not a member"));
            };
            self.node_config(*id)
                .validate()
                .map_err(|e| format!("cluster.members[{i}].election_ticks: {}", config_reason(e)))?;
        }
        let [min, max] = self.disk_ticks;
        if max > 0 && min == 0 {
            return Err(format!(
                "cluster.disk_ticks: [{min}, {max}]: a write that takes time takes at least 1 tick ([0, 0] is instant)"
            ));
        }
        self.network.validate("cluster.network")
    }
}

/// A configuration error's reason, without its field.
fn config_reason(e: crate::core::Error) -> String {
    match e {
        crate::core::Error::Config { reason, .. } => reason,
        other => other.to_string(),
    }
}

/// One simulated node: the live core (none while crashed), its disk, and
/// its application.
#[derive(Clone, Debug)]
pub struct SimNode {
    /// Its configuration, shared with its live core (`Node::config`).
    pub config: Arc<Config>,
    /// The live node, `None` while crashed.
    pub node: Option<Node>,
    /// What it has persisted.
    pub disk: DurableState,
    /// Its application.
    pub kv: KvStore,
    /// Crash at the next persist, before the sends that follow it.
    pub crash_after_persist: bool,
    /// While crashed, the log the node held in memory, kept only so that
    /// the restart's copy of the disk can reuse it when it is the same
    /// (`DurableState::copy_for_restart`).
    pub(crate) spare_log: Transient<Vec<Entry>>,
    /// Its writes under way, when writes take time.
    pub writes: DiskQueue,
    /// Its part of the state key, kept while it does not change.
    pub(crate) digests: Transient<state_key::NodeDigests>,
}

/// Node `id` of `nodes`, to change: copied first if a clone of the
/// simulator still shares it (copy on write), its key digests forgotten.
pub(crate) fn node_mut(nodes: &mut NodeMap<Arc<SimNode>>, id: NodeId) -> Option<&mut SimNode> {
    nodes.get_mut(&id).map(|n| {
        let n = Arc::make_mut(n);
        n.digests = Transient::default();
        n
    })
}

/// Something kept beside a node's state but not part of it (a spare log,
/// key digests): a clone starts with the default and debug output does
/// not show it, so checkpoints and state keys are as if it were not kept.
#[derive(Default)]
pub(crate) struct Transient<T>(pub(crate) T);

impl<T: Default> Clone for Transient<T> {
    fn clone(&self) -> Transient<T> {
        Transient::default()
    }
}

impl<T> std::fmt::Debug for Transient<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Transient")
    }
}

/// A write accepted by a leader and not yet committed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PendingWrite {
    /// The leader that accepted it.
    pub node: NodeId,
    /// Its index.
    pub index: Index,
    /// Its term.
    pub term: Term,
    /// The value.
    pub value: String,
}

/// Why an operator command could not even be tried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimError(pub String);

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SimError {}

/// The simulated cluster.
#[derive(Debug)]
pub struct Sim {
    /// Shared: it never changes once the cluster is built, and every
    /// clone (each checkpoint, each state the explorer makes) would
    /// otherwise copy its member list.
    config: Arc<SimConfig>,
    /// Each node behind its own `Arc`: cloning the simulator (a
    /// `Timeline`'s checkpoints, every state the explorer makes) copies
    /// pointers, and a node is copied only when a step changes it
    /// ([`node_mut`]). A move changes one or two nodes of a cluster.
    nodes: NodeMap<Arc<SimNode>>,
    network: Network,
    now: u64,
    step: u64,
    /// The script, shared: it never changes once set, and a `Timeline`
    /// clones the simulator at every checkpoint.
    schedule: Arc<[ScriptStep]>,
    next_scheduled: usize,
    pending: Vec<PendingWrite>,
    acked: Vec<AckedWrite>,
    /// Held whole: a clone shares each check's memory (copied only when a
    /// step changes it, `check::Shared`), so copying the checker costs a
    /// pointer per check.
    checker: Checker,
    checking: bool,
    violations: u64,
    // Scratch for the step under way.
    events: Vec<TraceEvent>,
    applied_now: Vec<(NodeId, Entry)>,
    restarted_now: Vec<NodeId>,
    /// The nodes stepped or crashed since the checker last ran; `None` when
    /// it must look at every node (it was off meanwhile).
    touched_now: Option<Vec<NodeId>>,
    /// The request the stepping node's core just judged, until the reply
    /// that carries its decision is sent.
    judged: Option<crate::core::VoteReport>,
    /// Draws write durations (`disk_ticks`).
    disk_rng: crate::core::rng::Rng,
    /// The buffer a node's actions are collected in, kept between steps so
    /// that stepping a node allocates nothing.
    actions: Vec<Action>,
    /// The allocation the checker's view of the nodes is built in, empty
    /// between steps, so that checking a step allocates nothing for it.
    node_states: Vec<NodeState<'static>>,
}

/// Field by field, so that `clone_from` can keep the allocations of the
/// simulator it overwrites: the explorer makes each successor of a state
/// in one simulator, overwritten move after move, instead of a fresh
/// clone (its scratch vectors regrown, its network's buckets allocated)
/// dropped after each. Every field is named in both, so a new one does
/// not compile until it is copied.
impl Clone for Sim {
    fn clone(&self) -> Sim {
        let Sim {
            config,
            nodes,
            network,
            now,
            step,
            schedule,
            next_scheduled,
            pending,
            acked,
            checker,
            checking,
            violations,
            events,
            applied_now,
            restarted_now,
            touched_now,
            judged,
            disk_rng,
            actions,
            node_states,
        } = self;
        Sim {
            config: config.clone(),
            nodes: nodes.clone(),
            network: network.clone(),
            now: *now,
            step: *step,
            schedule: schedule.clone(),
            next_scheduled: *next_scheduled,
            pending: pending.clone(),
            acked: acked.clone(),
            checker: checker.clone(),
            checking: *checking,
            violations: *violations,
            events: events.clone(),
            applied_now: applied_now.clone(),
            restarted_now: restarted_now.clone(),
            touched_now: touched_now.clone(),
            judged: *judged,
            disk_rng: disk_rng.clone(),
            actions: actions.clone(),
            node_states: node_states.clone(),
        }
    }

    fn clone_from(&mut self, source: &Sim) {
        let Sim {
            config,
            nodes,
            network,
            now,
            step,
            schedule,
            next_scheduled,
            pending,
            acked,
            checker,
            checking,
            violations,
            events,
            applied_now,
            restarted_now,
            touched_now,
            judged,
            disk_rng,
            actions,
            node_states,
        } = source;
        self.config.clone_from(config);
        // The same nodes (always, in the explorer's shapes): pointers
        // copied into the map's own vectors, not new vectors.
        if self.nodes.keys().eq(nodes.keys()) {
            self.nodes.values_mut().zip(nodes.values()).for_each(|(mine, theirs)| mine.clone_from(theirs));
        } else {
            self.nodes = nodes.clone();
        }
        self.network.clone_from(network);
        self.now = *now;
        self.step = *step;
        self.schedule.clone_from(schedule);
        self.next_scheduled = *next_scheduled;
        self.pending.clone_from(pending);
        self.acked.clone_from(acked);
        self.checker.clone_from(checker);
        self.checking = *checking;
        self.violations = *violations;
        self.events.clone_from(events);
        self.applied_now.clone_from(applied_now);
        self.restarted_now.clone_from(restarted_now);
        self.touched_now.clone_from(touched_now);
        self.judged = *judged;
        self.disk_rng.clone_from(disk_rng);
        self.actions.clone_from(actions);
        self.node_states.clone_from(node_states);
    }
}

impl Sim {
    /// A cluster built from a validated configuration.
    pub fn new(config: SimConfig) -> Result<Sim, SimError> {
        config.validate().map_err(SimError)?;
        let mut nodes = NodeMap::default();
        for m in &config.members {
            let cfg = Arc::new(config.node_config(m.id));
            let node = Node::new(cfg.clone()).map_err(|e| SimError(e.to_string()))?;
            nodes.insert(
                m.id,
                Arc::new(SimNode {
                    config: cfg,
                    node: Some(node),
                    disk: DurableState::default(),
                    kv: KvStore::default(),
                    crash_after_persist: false,
                    spare_log: Transient::default(),
                    writes: DiskQueue::default(),
                    digests: Default::default(),
                }),
            );
        }
        let network = Network::new(config.network, derive_seed(config.seed, 0x006E_6574_776F_726B));
        let disk_rng = crate::core::rng::Rng::new(derive_seed(config.seed, 0x6469_736B));
        Ok(Sim {
            config: Arc::new(config),
            nodes,
            network,
            now: 0,
            step: 0,
            schedule: Arc::new([]),
            next_scheduled: 0,
            pending: Vec::new(),
            acked: Vec::new(),
            checker: Checker::default(),
            checking: true,
            violations: 0,
            events: Vec::new(),
            applied_now: Vec::new(),
            restarted_now: Vec::new(),
            touched_now: None,
            judged: None,
            disk_rng,
            actions: Vec::new(),
            node_states: Vec::new(),
        })
    }

    /// Schedules script commands (sorted by tick, stable).
    pub fn set_schedule(&mut self, script: Vec<ScriptStep>) {
        let order = command::run_order(&script);
        let mut steps: Vec<Option<ScriptStep>> = script.into_iter().map(Some).collect();
        self.schedule = order.into_iter().filter_map(|i| steps[i].take()).collect();
        self.next_scheduled = 0;
    }

    // ---- Views --------------------------------------------------------------

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Logical time.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Steps taken so far (the next step's number).
    pub fn step_count(&self) -> u64 {
        self.step
    }

    /// Every node, in id order.
    pub fn nodes(&self) -> &NodeMap<Arc<SimNode>> {
        &self.nodes
    }

    /// The live node `id`, if it exists and is up.
    pub fn node(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(&id).and_then(|n| n.node.as_ref())
    }

    /// The network.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// Roughly how much cloning the simulator copies, counted in log
    /// entries (live and on disk), state machine keys and acknowledged
    /// writes: the parts that grow with the run. A `Timeline` spaces and
    /// bounds its checkpoints by it.
    pub fn footprint(&self) -> u64 {
        let logs: usize = self
            .nodes
            .values()
            .map(|n| {
                n.disk.entries.len()
                    + n.node.as_ref().map_or(0, |node| node.log().entries().len())
                    + n.kv.len()
            })
            .sum();
        (logs + self.acked.len()) as u64
    }

    /// Frees the room the scratch vectors (a step's events, actions,
    /// applied entries, the checker's view) and the network's spare
    /// buckets kept from the last step, which only a step that follows
    /// would reuse: for a simulator kept but not stepped for a while, such
    /// as each of the tens of thousands of states a breadth-first search
    /// holds for its next depth. Changes nothing else.
    pub fn release_scratch(&mut self) {
        self.applied_now = Vec::new();
        self.events = Vec::new();
        self.restarted_now = Vec::new();
        if let Some(touched) = &mut self.touched_now {
            *touched = Vec::new();
        }
        self.actions = Vec::new();
        self.node_states = Vec::new();
        self.network.release_spare();
    }

    /// Writes acknowledged so far.
    pub fn acked(&self) -> &[AckedWrite] {
        &self.acked
    }

    /// Writes accepted and not yet acknowledged.
    pub fn pending_writes(&self) -> &[PendingWrite] {
        &self.pending
    }

    /// Violations found so far.
    pub fn violations(&self) -> u64 {
        self.violations
    }

    /// The live leader of the highest term, if any.
    pub fn leader(&self) -> Option<NodeId> {
        self.nodes
            .iter()
            .filter_map(|(id, n)| n.node.as_ref().map(|node| (*id, node)))
            .filter(|(_, node)| node.role() == Role::Leader)
            .max_by_key(|(_, node)| node.term())
            .map(|(id, _)| id)
    }

    /// The role the trace reports for `id`.
    pub fn trace_role(&self, id: NodeId) -> TraceRole {
        match self.node(id) {
            None => TraceRole::Crashed,
            Some(node) => narrate::trace_role(node),
        }
    }

    // ---- Stepping -------------------------------------------------------------

    /// Takes one step: runs due script commands up to and including the
    /// first that delivers a message; if one did, that delivery is the
    /// step (the commands still due wait for the next step, the clock
    /// stands); else delivers the next due message, or advances the clock
    /// one tick and ticks every live node. Returns the step's trace events.
    pub fn step(&mut self) -> Vec<TraceEvent> {
        let mut events = Vec::new();
        self.step_into(&mut events);
        events
    }

    /// `step`, appending the step's events to `trace`: a host that keeps
    /// the whole trace (a `Timeline`) has them written in place, not
    /// collected and then moved.
    pub fn step_into(&mut self, trace: &mut Vec<TraceEvent>) {
        // `emit` pushes onto `self.events`: lend it the caller's vector.
        trace.append(&mut self.events);
        std::mem::swap(&mut self.events, trace);
        let scripted = self.run_due_commands();
        let due = if scripted { None } else { self.network.pop_due(self.now) };
        match due {
            Some(flight) => self.deliver(flight),
            // A scripted delivery was this step's.
            None if scripted => {}
            None => {
                self.now += 1;
                if self.disk_timed() {
                    self.complete_writes();
                }
                // Node by node in id order, without collecting the ids:
                // stepping a node needs `&mut self`.
                let mut next = self.nodes.keys().next().copied();
                while let Some(id) = next {
                    // A tick never makes a node return an error.
                    let _ = self.step_node(id, crate::core::Event::Tick, None);
                    next = self.nodes.next_key_after(id);
                }
            }
        }
        self.run_checker();
        self.step += 1;
        self.applied_now.clear();
        self.restarted_now.clear();
        if let Some(touched) = &mut self.touched_now {
            touched.clear();
        } else if self.checking {
            self.touched_now = Some(Vec::new());
        }
        std::mem::swap(&mut self.events, trace);
    }

    /// Steps until the clock passes `tick` (deliveries due at `tick` done),
    /// at most `max_steps` steps. Returns the events.
    pub fn run_until_tick(&mut self, tick: u64, max_steps: u64) -> Vec<TraceEvent> {
        let mut events = Vec::new();
        for _ in 0..max_steps {
            let due_now = self.network.next_delivery_tick().is_some_and(|t| t <= self.now);
            if self.now >= tick && !due_now {
                break;
            }
            self.step_into(&mut events);
        }
        events
    }

    /// Runs the script commands due now, in order, stopping after the first
    /// that delivers a message (SCENARIO.md: one step is one tick or one
    /// message delivery, and a scripted delivery is one, so that a run of
    /// them plays, and pauses, delivery by delivery). Returns whether one
    /// did; commands that deliver nothing (a crash, a write) run at the
    /// start of the step they fall in.
    fn run_due_commands(&mut self) -> bool {
        while let Some(s) = self.schedule.get(self.next_scheduled) {
            if s.at > self.now {
                break;
            }
            let command = s.command.clone();
            self.next_scheduled += 1;
            let before = self.events.len();
            // A scripted command that cannot run leaves a trace line; it
            // never stops the run.
            if let Err(e) = self.run_command(&command) {
                self.emit(
                    TraceBody::CommandSkipped { command: command.name().into(), reason: e.0.clone() },
                    e.0,
                );
            }
            // Every state a command leaves is checked, not only the one at
            // the end of the step: a vote granted by one command and lost
            // to a crash by the next is a vote all the same.
            self.check_between_steps();
            if delivers(&command, &self.events[before..]) {
                return true;
            }
        }
        false
    }

    /// Runs an operator command now (between steps); its events are part of
    /// the next step. Errors leave the cluster as it was.
    pub fn command(&mut self, command: &Command) -> Result<Vec<TraceEvent>, SimError> {
        self.run_command(command)?;
        Ok(std::mem::take(&mut self.events))
    }

    /// [`Sim::command`], appending the events it leaves to `trace` (error
    /// or not): a caller that runs many commands (the model checker, a
    /// move after another) keeps one vector for them instead of a new one
    /// each time.
    pub fn command_into(&mut self, command: &Command, trace: &mut Vec<TraceEvent>) -> Result<(), SimError> {
        // `emit` pushes onto `self.events`: lend it the caller's vector.
        trace.append(&mut self.events);
        std::mem::swap(&mut self.events, trace);
        let result = self.run_command(command);
        std::mem::swap(&mut self.events, trace);
        result
    }

    /// Runs the checker now, between steps, on what the commands run since
    /// the last step changed, and returns the violations it reports. Like
    /// [`Sim::command`], it takes the events gathered since the last step.
    /// A model checker that moves by commands checks every state this way.
    pub fn check_now(&mut self) -> Vec<TraceEvent> {
        self.check_between_steps();
        let mut events = std::mem::take(&mut self.events);
        events.retain(|e| matches!(e.body, TraceBody::Violation { .. }));
        events
    }

    /// Runs the checker on what changed since it last ran, within a step.
    fn check_between_steps(&mut self) {
        self.run_checker();
        self.applied_now.clear();
        self.restarted_now.clear();
        if let Some(touched) = &mut self.touched_now {
            touched.clear();
        }
    }

    /// Turns the checker off (or back on) for measurements that only time
    /// the protocol, such as the election-time experiment.
    pub fn set_checking(&mut self, on: bool) {
        self.checking = on;
        // What changed while it was off is unknown to the checker.
        self.touched_now = None;
    }

    /// Notes that this step may change node `id`, for the checker.
    pub(crate) fn touch(&mut self, id: NodeId) {
        if let Some(touched) = &mut self.touched_now {
            touched.push(id);
        }
    }

    // Not inlined: it is called after every step and after every scripted
    // command, and two inlined copies would grow the wasm module.
    #[inline(never)]
    pub(crate) fn run_checker(&mut self) {
        let (touched, acked) = (self.touched_now.as_deref(), self.acked.len());
        if !self.checking
            || !self.checker.has_news(touched, &self.restarted_now, self.applied_now.len(), acked)
        {
            return;
        }
        let mut states = crate::check::recycle(std::mem::take(&mut self.node_states));
        states.extend(self.nodes.iter().map(|(id, n)| NodeState {
            id: *id,
            node: n.node.as_ref(),
            disk: &n.disk,
        }));
        let obs = Observation {
            step: self.step,
            nodes: &states,
            applied: &self.applied_now,
            acked: &self.acked,
            restarted: &self.restarted_now,
            touched: self.touched_now.as_deref(),
        };
        let found = self.checker.observe(&obs);
        self.node_states = crate::check::recycle(states);
        for v in found {
            self.violations += 1;
            let text = narrate::violation(&v);
            self.emit(TraceBody::Violation { property: v.property, nodes: v.nodes, detail: v.detail }, text);
        }
    }

    pub(crate) fn emit(&mut self, body: TraceBody, text: impl Into<Narration>) {
        self.events.push(TraceEvent { step: self.step, tick: self.now, body, text: text.into() });
    }
}

/// Whether `command`, which left `events`, delivered a message: a scripted
/// `deliver` that reached at least one (lost on the way to a crashed node
/// or over a cut link counts, as the network's own delivery of it would).
fn delivers(command: &Command, events: &[TraceEvent]) -> bool {
    matches!(command, Command::Messages { action: MessageAction::Deliver, .. })
        && events
            .iter()
            .any(|e| matches!(e.body, TraceBody::MessageDelivered { .. } | TraceBody::MessageDropped { .. }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::StateKey;

    fn key(sim: &Sim) -> u128 {
        let mut k = StateKey::new();
        sim.write_key(&mut k, true);
        k.finish()
    }

    /// A simulator that ran elsewhere (another seed, a crash, a cut, a
    /// hold, messages in flight; three nodes like the source, or four),
    /// overwritten by `clone_from`, is a clone: the same key, clock and
    /// trace as a fresh clone, step after step. Fails if `clone_from`
    /// leaves any part of the state as it was.
    #[test]
    fn clone_from_gives_a_clone() {
        // Writes that take time: the disk's generator is part of the state.
        let config = |nodes, seed| SimConfig { disk_ticks: [1, 3], ..SimConfig::with_nodes(nodes, seed) };
        let write = |sim: &mut Sim, value: &str| {
            sim.command(&Command::Write { value: value.into(), node: None }).unwrap();
        };
        let mut source = Sim::new(config(3, 11)).unwrap();
        source.command(&Command::TimeoutNow { node: Target::Node(1) }).unwrap();
        source.run_until_tick(20, 500);
        write(&mut source, "x=1");
        source.run_until_tick(40, 500);
        write(&mut source, "y=2");
        assert!(!source.acked().is_empty() && source.pending_writes().len() == 1);
        for nodes in [3, 4] {
            let mut other = Sim::new(config(nodes, 12)).unwrap();
            other.run_until_tick(30, 500);
            write(&mut other, "z=3");
            other.command(&Command::Crash { node: Target::Node(2), after_persist: false }).unwrap();
            let cut = Command::Cut { from: Target::Node(1), to: Target::Node(3), one_way: true };
            other.command(&cut).unwrap();
            let hold = Command::Messages {
                action: MessageAction::Hold,
                from: Some(Target::Node(3)),
                to: None,
                msg: None,
                count: None,
                nth: None,
            };
            other.command(&hold).unwrap();
            other.run_until_tick(40, 500);
            assert_ne!(key(&other), key(&source));
            other.clone_from(&source);
            let mut fresh = source.clone();
            for step in 0..60 {
                assert_eq!(key(&other), key(&fresh), "{nodes} nodes, step {step}");
                assert_eq!((other.now(), other.step_count()), (fresh.now(), fresh.step_count()));
                assert_eq!(format!("{:?}", other.step()), format!("{:?}", fresh.step()), "step {step}");
            }
        }
    }
}
