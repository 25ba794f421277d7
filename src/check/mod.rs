//! The safety checker: every property of PROTOCOL.md §9, checked after every
//! simulator step, one file per property (in the manner of openraft's
//! simulation invariants).
//!
//! | property | paper | module |
//! | --- | --- | --- |
//! | `election_safety` | Raft §5.2, Figure 3 | `election_safety.rs` |
//! | `leader_append_only` | Raft §5.3, Figure 3 | `leader_append_only.rs` |
//! | `log_matching` | Raft §5.3, Figure 3 | `log_matching.rs` |
//! | `leader_completeness` | Raft §5.4, Figure 3 | `leader_completeness.rs` |
//! | `state_machine_safety` | Raft §5.4.3, Figure 3 | `state_machine_safety.rs` |
//! | `acked_write_lost` | PROTOCOL.md §1 | `acked_write_lost.rs` |
//! | `double_vote` | Raft §5.2, PROTOCOL.md §3.5 | `double_vote.rs` |
//! | `monotonic_state` | Raft Figure 2 (persistent state) | `monotonic_state.rs` |
//! | `index_order` | PROTOCOL.md §9 | `index_order.rs` |
//! | `epoch_order` | PROTOCOL.md §8 | `epoch_order.rs` |
//! | `applied_values` | Raft §5.4.3 (values, not only terms) | `applied_values.rs` |
//! | `apply_order` | PROTOCOL.md §4 (each entry once, in order) | `apply_order.rs` |
//! | `witness_data` | PROTOCOL.md §1 (a witness holds no data) | `witness_data.rs` |
//! | `snapshot_contents` | PROTOCOL.md §5 (a snapshot is the state at its index) | `snapshot_contents.rs` |
//!
//! The last four are native only (not in the wasm build, whose size is
//! budgeted): with the core as it is they fire only in their unit tests
//! and with a teaching switch off, never in a run the page shows.
//!
//! [`Checker`] runs all fourteen after every step and reports each violation once.
//! Every check is incremental: it keeps what it needs from earlier steps
//! (ordered maps only, so runs replay exactly) and looks at what changed,
//! rather than rescanning whole logs at every step. The checks that look
//! at one node at a time are shown only the nodes whose figures changed
//! this step (most steps change one node, or none), and a step that changed
//! no figure, applied nothing and acknowledged nothing is not shown to any
//! check: see [`Glance`].

use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use crate::core::{DurableState, Entry, HardState, Index, Node, NodeId, Role, SortedMap, Term};

mod acked_write_lost;
#[cfg(not(target_arch = "wasm32"))]
mod applied_values;
#[cfg(not(target_arch = "wasm32"))]
mod apply_order;
mod double_vote;
mod election_safety;
mod epoch_order;
mod index_order;
mod leader_append_only;
mod leader_completeness;
mod leader_cursor;
mod log_matching;
mod monotonic_state;
mod shared;
#[cfg(not(target_arch = "wasm32"))]
mod snapshot_contents;
mod state_machine_safety;
#[cfg(test)]
mod testing;
#[cfg(not(target_arch = "wasm32"))]
mod witness_data;

pub use acked_write_lost::AckedWriteLost;
#[cfg(not(target_arch = "wasm32"))]
pub use applied_values::AppliedValues;
#[cfg(not(target_arch = "wasm32"))]
pub use apply_order::ApplyOrder;
pub use double_vote::DoubleVote;
pub use election_safety::ElectionSafety;
pub use epoch_order::EpochOrder;
pub use index_order::IndexOrder;
pub use leader_append_only::LeaderAppendOnly;
pub use leader_completeness::LeaderCompleteness;
pub use log_matching::LogMatching;
pub use monotonic_state::MonotonicState;
pub use shared::Shared;
#[cfg(not(target_arch = "wasm32"))]
pub use snapshot_contents::SnapshotContents;
pub use state_machine_safety::StateMachineSafety;
#[cfg(not(target_arch = "wasm32"))]
pub use witness_data::WitnessData;

/// One node as the checker sees it after a step.
#[derive(Clone, Copy, Debug)]
pub struct NodeState<'a> {
    /// The node's id.
    pub id: NodeId,
    /// The live node, or `None` while it is crashed.
    pub node: Option<&'a Node>,
    /// What it has persisted.
    pub disk: &'a DurableState,
}

/// A write acknowledged to its client (it committed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AckedWrite {
    /// Its index.
    pub index: Index,
    /// Its term.
    pub term: Term,
    /// The value written.
    pub value: String,
}

/// Everything the checker looks at after one step.
#[derive(Clone, Copy, Debug)]
pub struct Observation<'a> {
    /// The step just taken.
    pub step: u64,
    /// Every node, in id order.
    pub nodes: &'a [NodeState<'a>],
    /// Entries applied during this step, in order, with the applying node.
    pub applied: &'a [(NodeId, Entry)],
    /// Every write acknowledged so far.
    pub acked: &'a [AckedWrite],
    /// Nodes restarted during this step (their volatile state was rebuilt).
    pub restarted: &'a [NodeId],
    /// The nodes this step may have changed, besides those restarted: the
    /// nodes it stepped or crashed (repeats allowed). `None`: any node may
    /// have changed. Why: the checker compares a summary of every node it
    /// is told may have changed with the previous step's; a simulator that
    /// knows which nodes it touched spares it the others (a delivery
    /// touches one node of five).
    pub touched: Option<&'a [NodeId]>,
}

impl<'a> Observation<'a> {
    /// The live nodes, in id order.
    pub fn live(&self) -> impl Iterator<Item = &'a Node> + 'a {
        self.nodes.iter().filter_map(|s| s.node)
    }

    /// True if `id` was restarted during this step.
    pub fn was_restarted(&self, id: NodeId) -> bool {
        self.restarted.contains(&id)
    }
}

/// The properties of PROTOCOL.md §9.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Property {
    /// At most one leader per term.
    ElectionSafety,
    /// A leader never overwrites or deletes entries in its log.
    LeaderAppendOnly,
    /// Logs with an entry of the same index and term agree up to it.
    LogMatching,
    /// A leader holds every entry committed before its term.
    LeaderCompleteness,
    /// No two nodes apply different entries at one index.
    StateMachineSafety,
    /// An acknowledged write disappeared.
    AckedWriteLost,
    /// A node voted for two candidates in one term (across restarts too).
    DoubleVote,
    /// Term, vote or commit went backwards.
    MonotonicState,
    /// snapshot ≤ applied ≤ committed ≤ last index was broken.
    IndexOrder,
    /// An ownership epoch failed to increase.
    EpochOrder,
    /// Two nodes applied different values at one index.
    AppliedValues,
    /// A node applied an entry twice, or out of order.
    ApplyOrder,
    /// A witness applied an entry or kept a snapshot with data.
    WitnessData,
    /// A snapshot's data differs from the node's state after its index.
    SnapshotContents,
}

impl Property {
    /// Every property, in the order of PROTOCOL.md §9.
    pub const ALL: [Property; 14] = [
        Property::ElectionSafety,
        Property::LeaderAppendOnly,
        Property::LogMatching,
        Property::LeaderCompleteness,
        Property::StateMachineSafety,
        Property::AckedWriteLost,
        Property::DoubleVote,
        Property::MonotonicState,
        Property::IndexOrder,
        Property::EpochOrder,
        Property::AppliedValues,
        Property::ApplyOrder,
        Property::WitnessData,
        Property::SnapshotContents,
    ];

    /// The name traces use.
    pub fn name(self) -> &'static str {
        match self {
            Property::ElectionSafety => "election_safety",
            Property::LeaderAppendOnly => "leader_append_only",
            Property::LogMatching => "log_matching",
            Property::LeaderCompleteness => "leader_completeness",
            Property::StateMachineSafety => "state_machine_safety",
            Property::AckedWriteLost => "acked_write_lost",
            Property::DoubleVote => "double_vote",
            Property::MonotonicState => "monotonic_state",
            Property::IndexOrder => "index_order",
            Property::EpochOrder => "epoch_order",
            Property::AppliedValues => "applied_values",
            Property::ApplyOrder => "apply_order",
            Property::WitnessData => "witness_data",
            Property::SnapshotContents => "snapshot_contents",
        }
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A broken property: which, on which nodes, and the figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Violation {
    /// The property.
    pub property: Property,
    /// The nodes involved, each once, in the order the check names them.
    pub nodes: Vec<NodeId>,
    /// The terms and indexes involved, in a sentence.
    pub detail: String,
}

impl Violation {
    /// A violation of `property` on `nodes`, a node named twice kept once
    /// (a node that voted for itself and then for a rival is one node,
    /// not two, in the banner's "Nodes 1, 2").
    pub fn new(property: Property, named: Vec<NodeId>, detail: impl Into<String>) -> Violation {
        let mut nodes = Vec::with_capacity(named.len());
        for n in named {
            if !nodes.contains(&n) {
                nodes.push(n);
            }
        }
        Violation { property, nodes, detail: detail.into() }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} violated on nodes {:?}: {}", self.property, self.nodes, self.detail)
    }
}

/// "term T", or "nothing" for an index a log does not hold: for details.
fn describe_term(term: Option<Term>) -> String {
    term.map_or_else(|| "nothing".to_string(), |t| format!("term {t}"))
}

/// One property's check, fed every observation in order. Its memory is
/// held in a [`Shared`], which it reads freely and changes only through
/// [`Shared::edit`], so that a step that leaves it as it was copies
/// nothing and keeps its key digest.
pub trait Invariant: fmt::Debug + Clone + Default {
    /// Looks at one step and reports what broke.
    fn observe(memory: &mut Shared<Self>, obs: &Observation<'_>, out: &mut Vec<Violation>);

    /// Writes what it remembers, which decides what it reports from here
    /// on (state keys: `crate::core::StateKey`).
    fn write_key(&self, k: &mut crate::core::StateKey);
}

/// Every figure of one node that the per-node checks (`election_safety`,
/// `leader_append_only`, `double_vote`, `monotonic_state`, `index_order`)
/// read. Why: those checks only compare a node with what they remembered of
/// the same node, so a node whose glance is unchanged (and that did not
/// restart) cannot make them report anything new; [`Checker`] shows them
/// only the nodes whose glance changed. The glance also holds everything
/// the other checks compare from step to step (liveness, role, term,
/// commit, the log's ends), so a step that changed no glance, applied no
/// entry and acknowledged no write leaves every check as it was and
/// reports nothing new: the checker skips it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Glance {
    id: NodeId,
    live: Option<LiveGlance>,
    disk: HardState,
}

/// The figures of a live node, in a [`Glance`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct LiveGlance {
    role: Role,
    term: Term,
    voted_for: Option<NodeId>,
    commit: Index,
    applied: Index,
    snapshot_index: Index,
    last_index: Index,
    last_term: Term,
}

impl Glance {
    fn of(state: &NodeState<'_>) -> Glance {
        let live = state.node.map(|n| {
            let log = n.log();
            LiveGlance {
                role: n.role(),
                term: n.term(),
                voted_for: n.voted_for(),
                commit: n.commit_index(),
                applied: n.applied_index(),
                snapshot_index: log.snapshot_index(),
                last_index: log.last_index(),
                last_term: log.last_term(),
            }
        });
        Glance { id: state.id, live, disk: state.disk.hard_state }
    }
}

/// Every property of PROTOCOL.md §9, checked together. Cloneable so that the
/// simulator can checkpoint it with the cluster and replay from there; a
/// copy shares every check's memory and the previous step's glances until
/// a step changes them, so it costs a pointer per check.
///
/// ```
/// use quorumscope::check::{Checker, Observation};
///
/// let mut checker = Checker::default();
/// let obs = Observation { step: 0, nodes: &[], applied: &[], acked: &[], restarted: &[], touched: None };
/// assert!(checker.observe(&obs).is_empty());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Checker {
    election_safety: Shared<ElectionSafety>,
    leader_append_only: Shared<LeaderAppendOnly>,
    log_matching: Shared<LogMatching>,
    leader_completeness: Shared<LeaderCompleteness>,
    state_machine_safety: Shared<StateMachineSafety>,
    acked_write_lost: Shared<AckedWriteLost>,
    double_vote: Shared<DoubleVote>,
    monotonic_state: Shared<MonotonicState>,
    index_order: Shared<IndexOrder>,
    epoch_order: Shared<EpochOrder>,
    #[cfg(not(target_arch = "wasm32"))]
    native: NativeChecks,
    /// Everything reported so far: a violation is reported once per run.
    reported: SortedMap<(Property, Vec<NodeId>, String), ()>,
    /// What the previous step showed, shared like the checks' memories:
    /// most steps leave it as it was.
    last: Arc<LastStep>,
    /// The allocation each step's changed nodes are gathered in, empty
    /// between steps.
    changed: Vec<NodeState<'static>>,
}

/// `states` emptied, with its allocation kept for states that borrow for
/// another lifetime: collecting a vector's own (here empty) iterator reuses
/// its buffer in place. A step's views of the nodes are built in the
/// previous step's allocation this way.
pub(crate) fn recycle<'b>(mut states: Vec<NodeState<'_>>) -> Vec<NodeState<'b>> {
    states.clear();
    states.into_iter().map(|_| unreachable!("the vector was just emptied")).collect()
}

/// What the previous step showed: each node's glance, in the observation's
/// order, and how many writes were acknowledged. Its `Debug` shows nothing
/// and the state key leaves it out: it only says what the checks need not
/// look at again, never what they report.
#[derive(Clone, Default)]
struct LastStep {
    glances: Vec<Glance>,
    acked: usize,
}

impl fmt::Debug for LastStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LastStep")
    }
}

impl Checker {
    /// Looks at one step with every check, in the order of PROTOCOL.md §9,
    /// and returns the violations not reported before.
    pub fn observe(&mut self, obs: &Observation<'_>) -> Vec<Violation> {
        if !self.has_news(obs.touched, obs.restarted, obs.applied.len(), obs.acked.len()) {
            return Vec::new();
        }
        let mut changed = recycle(std::mem::take(&mut self.changed));
        self.gather_changed(obs, &mut changed);
        let acked_before = self.last.acked;
        if acked_before != obs.acked.len() {
            Arc::make_mut(&mut self.last).acked = obs.acked.len();
        }
        let mut found = Vec::new();
        if !changed.is_empty() || !obs.applied.is_empty() || obs.acked.len() != acked_before {
            // The per-node checks (see [`Glance`]) are shown only the
            // nodes that changed.
            let local = Observation { nodes: &changed, ..*obs };
            Invariant::observe(&mut self.election_safety, &local, &mut found);
            Invariant::observe(&mut self.leader_append_only, &local, &mut found);
            Invariant::observe(&mut self.log_matching, obs, &mut found);
            Invariant::observe(&mut self.leader_completeness, obs, &mut found);
            Invariant::observe(&mut self.state_machine_safety, obs, &mut found);
            Invariant::observe(&mut self.acked_write_lost, obs, &mut found);
            Invariant::observe(&mut self.double_vote, &local, &mut found);
            Invariant::observe(&mut self.monotonic_state, &local, &mut found);
            Invariant::observe(&mut self.index_order, &local, &mut found);
            Invariant::observe(&mut self.epoch_order, obs, &mut found);
            #[cfg(not(target_arch = "wasm32"))]
            self.native.observe(obs, &mut found);
            found.retain(|v| {
                self.reported.insert((v.property, v.nodes.clone(), v.detail.clone()), ()).is_none()
            });
        }
        self.changed = recycle(changed);
        found
    }

    /// False when a step that touched the nodes `touched` (see
    /// [`Observation::touched`]), restarted `restarted`, applied `applied`
    /// entries and leaves `acked` writes acknowledged in all changed
    /// nothing any check reads: a lost message or a quiet tick, most steps
    /// of a fault campaign. A simulator asks before it gathers an
    /// observation, which such a step would spend most of its time on.
    pub fn has_news(
        &self,
        touched: Option<&[NodeId]>,
        restarted: &[NodeId],
        applied: usize,
        acked: usize,
    ) -> bool {
        touched.is_none_or(|t| !t.is_empty())
            || !restarted.is_empty()
            || applied > 0
            || acked != self.last.acked
    }

    /// Gathers into `changed` the nodes whose glance changed since the
    /// previous step, or that restarted during it; remembers the new
    /// glances. Only the nodes the step may have changed are looked at
    /// (see [`Observation::touched`]), unless the list of nodes changed.
    fn gather_changed<'a>(&mut self, obs: &Observation<'a>, changed: &mut Vec<NodeState<'a>>) {
        let glances = &self.last.glances;
        let same_nodes =
            glances.len() == obs.nodes.len() && glances.iter().zip(obs.nodes).all(|(g, s)| g.id == s.id);
        if glances.len() > obs.nodes.len() {
            Arc::make_mut(&mut self.last).glances.truncate(obs.nodes.len());
        }
        // Looked up in the step's own short lists (a few nodes) rather than
        // gathered into a sorted list of positions: no allocation per step.
        let touched = obs.touched.filter(|_| same_nodes);
        for (i, state) in obs.nodes.iter().enumerate() {
            let restarted = obs.was_restarted(state.id);
            if touched.is_some_and(|t| !t.contains(&state.id)) && !restarted {
                // Every test that runs the simulator checks that it reports
                // each node it changes: one it missed would escape the
                // per-node checks.
                debug_assert_eq!(
                    self.last.glances[i],
                    Glance::of(state),
                    "node {} changed but was not reported",
                    state.id
                );
                continue;
            }
            let glance = Glance::of(state);
            match self.last.glances.get(i) {
                Some(before) if *before == glance && !restarted => continue,
                Some(_) => Arc::make_mut(&mut self.last).glances[i] = glance,
                None => Arc::make_mut(&mut self.last).glances.push(glance),
            }
            changed.push(*state);
        }
    }

    /// Writes what the checks remember, which decides what they report
    /// from here on: each check's digest, kept while the check does not
    /// change ([`Shared::key_digest`]), and the violations reported. Left
    /// out: the previous step's glances and the scratch vectors, which
    /// only say what need not be looked at again.
    pub fn write_key(&self, k: &mut crate::core::StateKey) {
        let Checker {
            election_safety,
            leader_append_only,
            log_matching,
            leader_completeness,
            state_machine_safety,
            acked_write_lost,
            double_vote,
            monotonic_state,
            index_order,
            epoch_order,
            #[cfg(not(target_arch = "wasm32"))]
            native,
            reported,
            last: _,
            changed: _,
        } = self;
        k.part(election_safety.key_digest(k));
        k.part(leader_append_only.key_digest(k));
        k.part(log_matching.key_digest(k));
        k.part(leader_completeness.key_digest(k));
        k.part(state_machine_safety.key_digest(k));
        k.part(acked_write_lost.key_digest(k));
        k.part(double_vote.key_digest(k));
        k.part(monotonic_state.key_digest(k));
        k.part(index_order.key_digest(k));
        k.part(epoch_order.key_digest(k));
        #[cfg(not(target_arch = "wasm32"))]
        native.write_key(k);
        k.multiset(reported.iter(), |((property, nodes, detail), ()), k| {
            k.word(*property as u64);
            k.ids(nodes.iter().copied());
            k.bytes(detail.as_bytes());
        });
    }
}

/// The four checks beyond PROTOCOL.md §9, native only (see the module
/// documentation); each looks at every node.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Debug, Default)]
struct NativeChecks {
    applied_values: Shared<AppliedValues>,
    apply_order: Shared<ApplyOrder>,
    witness_data: Shared<WitnessData>,
    snapshot_contents: Shared<SnapshotContents>,
}

#[cfg(not(target_arch = "wasm32"))]
impl NativeChecks {
    fn write_key(&self, k: &mut crate::core::StateKey) {
        // The witness check remembers nothing.
        let NativeChecks { applied_values, apply_order, witness_data: _, snapshot_contents } = self;
        k.part(applied_values.key_digest(k));
        k.part(apply_order.key_digest(k));
        k.part(snapshot_contents.key_digest(k));
    }

    fn observe(&mut self, obs: &Observation<'_>, out: &mut Vec<Violation>) {
        Invariant::observe(&mut self.applied_values, obs, out);
        Invariant::observe(&mut self.apply_order, obs, out);
        Invariant::observe(&mut self.witness_data, obs, out);
        Invariant::observe(&mut self.snapshot_contents, obs, out);
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{leader, World};
    use super::*;
    use crate::core::{Action, Event};

    #[test]
    fn a_violation_is_reported_once_per_run() {
        let mut checker = Checker::default();
        let (a, b) = (leader(1, 2, &[1]), leader(2, 2, &[1]));
        let world = World::default().live(&a).live(&b);
        let found = world.run(&mut checker);
        let properties: Vec<Property> = found.iter().map(|v| v.property).collect();
        assert_eq!(properties, [Property::ElectionSafety]);
        assert!(world.run(&mut checker).is_empty(), "already reported");
        let c = leader(3, 2, &[1]);
        let third = World::default().live(&a).live(&b).live(&c).run(&mut checker);
        assert_eq!(third[0].detail, "nodes 1 and 3 both led term 2", "a new pair is news");
    }

    #[test]
    fn an_unchanged_step_is_skipped_and_a_change_is_checked_against_unchanged_nodes() {
        use super::testing::{disk, follower, restarted};
        let mut checker = Checker::default();
        let a = follower(1, 3, 0, &[1, 1, 2, 3]);
        let b = follower(2, 3, 0, &[1, 1, 3]);
        let world = World::default().live(&a).live(&b);
        assert!(world.run(&mut checker).is_empty(), "no shared entry above 2");
        assert!(world.run(&mut checker).is_empty(), "nothing changed");
        // Only b changes; the pair is checked against a, which did not.
        let b = follower(2, 3, 0, &[1, 1, 3, 3]);
        let found = World::default().live(&a).live(&b).run(&mut checker);
        let properties: Vec<Property> = found.iter().map(|v| v.property).collect();
        assert_eq!(properties, [Property::LogMatching]);
        // Per-node checks still see what changed: a second vote after a restart.
        let lost = disk(3, None, 0, &[1]);
        let voted = restarted(3, disk(3, Some(1), 0, &[1]));
        assert!(World::default().live_on(&voted, &lost).run(&mut checker).is_empty());
        let again = restarted(3, disk(3, Some(2), 0, &[1]));
        let found = World::default().restart(3).live_on(&again, &lost).run(&mut checker);
        assert_eq!(found.iter().map(|v| v.property).collect::<Vec<_>>(), [Property::DoubleVote]);
    }

    /// A checker keyed (under two renamings) after each step gives the
    /// keys of one that saw the same steps and was never keyed: a check
    /// changed in place (the checker not cloned, so its `Arc` not copied)
    /// must not keep its old digest, nor a check keyed under one renaming
    /// give that digest under another. A copy changed afterwards leaves
    /// the original's key as it was.
    #[test]
    fn kept_digests_give_the_keys_computed_afresh() {
        use super::testing::follower;
        use crate::core::StateKey;
        let key = |checker: &Checker, rename: &[NodeId]| {
            let mut k = StateKey::renaming(rename);
            checker.write_key(&mut k);
            k.finish()
        };
        let (swap, identity): (&[NodeId], &[NodeId]) = (&[0, 2, 1], &[]);
        let (a, b) = (follower(1, 1, 0, &[1]), follower(2, 1, 0, &[1]));
        let a_leads = leader(1, 2, &[1]);
        let b_grows = follower(2, 2, 0, &[1, 2]);
        let worlds = [
            World::default().live(&a).live(&b),
            World::default().live(&a_leads).live(&b),
            World::default().live(&a_leads).live(&b_grows),
        ];
        let mut keyed = Checker::default();
        let mut keys = Vec::new();
        for (i, world) in worlds.iter().enumerate() {
            assert!(world.run(&mut keyed).is_empty());
            let mut afresh = Checker::default();
            for w in &worlds[..=i] {
                w.run(&mut afresh);
            }
            for rename in [identity, swap] {
                assert_eq!(key(&keyed, rename), key(&afresh, rename), "step {i}, renaming {rename:?}");
            }
            let k = key(&keyed, identity);
            assert!(!keys.contains(&k), "step {i} changed what the checks remember");
            keys.push(k);
        }
        let mut copy = keyed.clone();
        let b_leads = leader(2, 3, &[1, 2]);
        assert!(World::default().live(&a_leads).live(&b_leads).run(&mut copy).is_empty());
        assert_ne!(key(&copy, identity), keys[2], "the copy changed");
        assert_eq!(key(&keyed, identity), keys[2], "the original did not");
    }

    #[test]
    fn a_healthy_leader_taking_writes_is_silent() {
        let mut checker = Checker::default();
        let mut node = leader(1, 1, &[]);
        let mut acked: Vec<(u64, u64, String)> = Vec::new();
        for i in 0..50u64 {
            let value = format!("w{i}");
            let actions = node.step_synced(Event::Propose(value.as_bytes().to_vec().into())).unwrap();
            let mut world = World::default().live(&node);
            for a in &actions {
                if let Action::Apply(e) = a {
                    world = world.applied(1, e.clone());
                }
            }
            acked.push((node.log().last_index(), 1, value));
            for (index, term, value) in &acked {
                world = world.acked(*index, *term, value);
            }
            assert_eq!(world.run(&mut checker), [], "step {i}");
        }
    }
}
