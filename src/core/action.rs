//! What a step asks its host to do, in order.

use serde::Serialize;

use super::durable::{Persist, Snapshot};
use super::entry::{Entry, Index};
use super::handover::{HandoverOutcome, PhaseReport};
use super::membership::Membership;
use super::message::Message;
use super::report::{CommitReport, ProgressReport, VoteReport};

/// One instruction to the host. Hosts perform actions in order: a `Persist`
/// always precedes the `Send` that depends on it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Deliver a message.
    Send(Message),
    /// Make a write durable before continuing.
    Persist(Persist),
    /// Apply a committed entry to the state machine (data members only, in
    /// index order, each exactly once per incarnation).
    Apply(Entry),
    /// The applied log has grown past the threshold: hand back a snapshot
    /// at `applied` when convenient.
    SnapshotHint {
        /// The applied index to snapshot at.
        applied: Index,
    },
    /// Replace the state machine with this snapshot.
    RestoreSnapshot(Box<Snapshot>),
    /// The membership in effect changed.
    MembershipChanged(Box<Membership>),
    /// A handover entered a phase.
    HandoverPhase(PhaseReport),
    /// A handover ended.
    HandoverOutcome(Box<HandoverOutcome>),
    /// The commit watermark advanced, and by which rule: after the entries
    /// it covers were persisted, before they are applied.
    Committed(CommitReport),
    /// The vote rule judged a request; the reply that carries the decision
    /// follows.
    Voted(VoteReport),
    /// A leader's view of a follower changed mode.
    ProgressChanged(ProgressReport),
}
