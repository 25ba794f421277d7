//! Test helpers: real nodes built from hand-made durable state, and
//! observations assembled from them.

use super::{AckedWrite, Checker, Invariant, NodeState, Observation, Shared, Violation};
use crate::core::{
    Config, CpEntry, DurableState, Entry, Event, HardState, Index, Member, Node, NodeId, Payload, Role, Term,
};

/// The disk shown for live nodes whose disk a test does not care about.
static NO_DISK: DurableState = DurableState {
    hard_state: HardState { term: 0, voted_for: None, commit: 0 },
    snapshot: None,
    entries: Vec::new(),
};

/// A no-op entry.
pub(crate) fn entry(index: Index, term: Term) -> Entry {
    Entry { index, term, payload: Payload::Noop }
}

/// An ownership entry of the control plane.
pub(crate) fn ownership(index: Index, range: &str, epoch: u64) -> Entry {
    let cp = CpEntry::Ownership { range: range.into(), owner: 1, epoch };
    Entry { index, term: 1, payload: Payload::ControlPlane(Box::new(cp)) }
}

/// A log given by its terms, from index 1.
pub(crate) fn entries(terms: &[Term]) -> Vec<Entry> {
    terms.iter().enumerate().map(|(i, t)| entry(i as Index + 1, *t)).collect()
}

/// What a node persisted: term, vote, commit and a log given by its terms.
pub(crate) fn disk(term: Term, voted_for: Option<NodeId>, commit: Index, terms: &[Term]) -> DurableState {
    DurableState {
        hard_state: HardState { term, voted_for, commit },
        snapshot: None,
        entries: entries(terms),
    }
}

/// A follower of a five-member cluster restarted from `durable`.
pub(crate) fn restarted(id: NodeId, durable: DurableState) -> Node {
    let cfg = Config::new(id, (1..=5).map(Member::data).collect());
    Node::restart(cfg, durable).expect("valid config").0
}

/// A follower in `term` whose log has `terms` and whose watermark is `commit`.
pub(crate) fn follower(id: NodeId, term: Term, commit: Index, terms: &[Term]) -> Node {
    restarted(id, disk(term, None, commit, terms))
}

/// A single-voter node that has just won `term` holding `terms`: its log is
/// `terms` then its own no-op, all committed.
pub(crate) fn leader(id: NodeId, term: Term, terms: &[Term]) -> Node {
    let cfg = Config::new(id, vec![Member::data(id)]);
    let (mut node, _) = Node::restart(cfg, disk(term - 1, None, 0, terms)).expect("valid config");
    node.step_synced(Event::TimeoutNow).expect("a single voter may campaign");
    assert_eq!((node.role(), node.term()), (Role::Leader, term));
    node
}

/// One observation under construction.
#[derive(Default)]
pub(crate) struct World<'a> {
    nodes: Vec<NodeState<'a>>,
    applied: Vec<(NodeId, Entry)>,
    acked: Vec<AckedWrite>,
    restarted: Vec<NodeId>,
}

impl<'a> World<'a> {
    /// A live node whose disk does not matter.
    pub(crate) fn live(self, node: &'a Node) -> Self {
        self.node(NodeState { id: node.id(), node: Some(node), disk: &NO_DISK })
    }

    /// A live node and its disk.
    pub(crate) fn live_on(self, node: &'a Node, disk: &'a DurableState) -> Self {
        self.node(NodeState { id: node.id(), node: Some(node), disk })
    }

    /// A crashed node and what it persisted.
    pub(crate) fn crashed(self, id: NodeId, disk: &'a DurableState) -> Self {
        self.node(NodeState { id, node: None, disk })
    }

    fn node(mut self, state: NodeState<'a>) -> Self {
        self.nodes.push(state);
        self.nodes.sort_by_key(|s| s.id);
        self
    }

    /// Node `id` applied `entry` during the step.
    pub(crate) fn applied(mut self, id: NodeId, entry: Entry) -> Self {
        self.applied.push((id, entry));
        self
    }

    /// The write `value` at `(index, term)` was acknowledged.
    pub(crate) fn acked(mut self, index: Index, term: Term, value: &str) -> Self {
        self.acked.push(AckedWrite { index, term, value: value.into() });
        self
    }

    /// Node `id` restarted during the step.
    pub(crate) fn restart(mut self, id: NodeId) -> Self {
        self.restarted.push(id);
        self
    }

    fn observation(&self) -> Observation<'_> {
        Observation {
            step: 0,
            nodes: &self.nodes,
            applied: &self.applied,
            acked: &self.acked,
            restarted: &self.restarted,
            touched: None,
        }
    }

    /// Feeds the observation to `check` and returns what it reported.
    pub(crate) fn check<T: Invariant>(&self, check: &mut Shared<T>) -> Vec<Violation> {
        let mut out = Vec::new();
        T::observe(check, &self.observation(), &mut out);
        out
    }

    /// Feeds the observation to every check at once.
    pub(crate) fn run(&self, checker: &mut Checker) -> Vec<Violation> {
        checker.observe(&self.observation())
    }
}
