//! Starting a cluster from given durable states (a scenario's `initial`),
//! to set up a situation such as the Raft paper's Figures 7 and 8 directly
//! instead of manufacturing it through faults. Each node restarts from its
//! state as from a disk; the checker then looks at the whole cluster at
//! once, and anything it finds is a state no empty start could reach.

use serde::Serialize;

use crate::core::{DurableState, Entry, HardState, Index, MemberKind, Node, NodeId, Payload, Term};

use super::trace::TraceBody;
use super::{Sim, SimError};

/// One node's durable state at the start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InitialState {
    /// The node.
    pub node: NodeId,
    /// Its current term.
    pub term: Term,
    /// Its vote in that term.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voted_for: Option<NodeId>,
    /// Its commit watermark.
    pub commit: Index,
    /// Its log from index 1.
    pub log: Vec<InitialEntry>,
}

/// One entry of an initial log: its term and a write or a no-op.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InitialEntry {
    /// Its term.
    pub term: Term,
    /// `write` or `noop`.
    pub kind: &'static str,
    /// The write's value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl InitialState {
    /// The state as a disk holds it.
    fn durable(&self) -> DurableState {
        let mut entries = Vec::with_capacity(self.log.len());
        for (e, index) in self.log.iter().zip(1..) {
            let payload = match &e.value {
                Some(value) => Payload::Write(value.as_bytes().into()),
                None => Payload::Noop,
            };
            entries.push(Entry { index, term: e.term, payload });
        }
        let hard_state = HardState { term: self.term, voted_for: self.voted_for, commit: self.commit };
        DurableState { hard_state, snapshot: None, entries }
    }
}

impl Sim {
    /// Puts each listed node in its initial state, before the first step,
    /// and checks the cluster as a whole; a property it breaks is reported
    /// as a violation at step 0. The states' own consistency (terms never
    /// decrease along a log, the term covers the log, the commit is within
    /// it) is the scenario reader's to check.
    pub fn load_initial(&mut self, states: &[InitialState]) -> Result<(), SimError> {
        if self.step != 0 {
            return Err(SimError("an initial state is loaded before the first step".into()));
        }
        for s in states {
            let Some(n) = super::node_mut(&mut self.nodes, s.node) else {
                return Err(SimError(format!("initial: node {} is not a member", s.node)));
            };
            let mut disk = s.durable();
            // Witnesses keep metadata only, as they would have stored it.
            if n.config.members.iter().any(|m| m.id == s.node && m.kind == MemberKind::Witness) {
                for e in &mut disk.entries {
                    *e = e.for_witness();
                }
            }
            n.disk = disk;
            let copy = n.disk.copy_for_restart(Vec::new());
            let (node, actions) =
                Node::restart(n.config.clone(), copy).map_err(|e| SimError(e.to_string()))?;
            n.node = Some(node);
            self.perform(s.node, actions, false);
        }
        self.touched_now = None;
        let first = self.events.len();
        self.run_checker();
        const UNREACHABLE: &str = " (the initial state is not reachable from an empty start)";
        for e in &mut self.events[first..] {
            if let TraceBody::Violation { detail, .. } = &mut e.body {
                detail.push_str(UNREACHABLE);
                e.text = format!("{}{UNREACHABLE}", e.text).into();
            }
        }
        self.applied_now.clear();
        self.touched_now = self.checking.then(Vec::new);
        Ok(())
    }
}
