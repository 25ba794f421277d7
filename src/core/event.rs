//! What can happen to a node.

use serde::Serialize;

use super::control_plane::CpEntry;
use super::durable::DurableMark;
use super::entry::{Bytes, Index, NodeId};
use super::handover::HandoverMode;
use super::membership::Member;
use super::message::Message;
use super::node_set::NodeSet;

/// One input to `Node::step`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// One logical tick of time.
    Tick,
    /// A message arrived.
    Message(Message),
    /// A client write (leader only).
    Propose(Bytes),
    /// Several client writes appended and sent together (leader only).
    ProposeBatch(Vec<Bytes>),
    /// A control-plane entry (leader only).
    ControlPlane(CpEntry),
    /// Add a server (leader only; data members normally join catching up).
    AddServer(Member),
    /// Remove a server (leader only).
    RemoveServer(NodeId),
    /// Enter joint consensus toward this voter set (leader only).
    ChangeVoters(NodeSet),
    /// Hand leadership to `to` (leader only).
    Handover {
        /// The target.
        to: NodeId,
        /// Coordinated or forced.
        mode: HandoverMode,
    },
    /// The host finished a write (`Action::Persist`): this is what its disk
    /// now holds. A candidate counts its own vote, and a leader its own copy
    /// of an entry, only once reported here (PROTOCOL.md §2, Raft thesis
    /// §10.2.1); a host whose writes are synchronous reports after each
    /// step that persisted anything.
    Durable(DurableMark),
    /// Operator command: let the election timer fire now.
    TimeoutNow,
    /// The application's snapshot at `index`, answering a snapshot hint or
    /// taken on its own.
    Snapshot {
        /// The applied index it covers.
        index: Index,
        /// The application's state.
        data: Bytes,
    },
}
