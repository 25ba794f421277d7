//! Operator and fault commands, shaped as SCENARIO.md's script steps
//! (`{"at": 30, "do": "write", "value": "x=1"}`). Written with serde; read
//! by `command_read.rs` (`impl FromJson`), under the same names.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::core::{CpEntry, MemberKind, MessageKind, NodeId, VotingState};

/// A node, or whichever node leads when the command runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// This node.
    Node(NodeId),
    /// The node leading at that tick (skipped, with a trace line, if none).
    Leader,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Node(id) => write!(f, "node {id}"),
            Target::Leader => write!(f, "the leader"),
        }
    }
}

impl Serialize for Target {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Target::Node(id) => s.serialize_u64(*id),
            Target::Leader => s.serialize_str("leader"),
        }
    }
}

/// How a failover treats a target that has not caught up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailoverMode {
    /// Abort at the deadline.
    Coordinated,
    /// Hand over at the deadline anyway.
    Force,
}

/// What the `messages` command does to the messages it matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageAction {
    /// Lose those in flight, and the next `count` sent.
    Drop,
    /// Put a second copy of those in flight on the wire.
    Duplicate,
    /// Keep those in flight, and those sent later, from being delivered
    /// until released.
    Hold,
    /// End the holds the filter covers and let the held ones go on.
    Release,
    /// Deliver the held or in-flight ones now, in send order.
    Deliver,
}

impl MessageAction {
    /// Every action.
    pub const ALL: [MessageAction; 5] = [
        MessageAction::Drop,
        MessageAction::Duplicate,
        MessageAction::Hold,
        MessageAction::Release,
        MessageAction::Deliver,
    ];
}

/// One command (the `do` of a script step).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "do", rename_all = "snake_case")]
pub enum Command {
    /// A client write, to the leader unless `node` says otherwise.
    Write {
        /// The value, such as `x=1`.
        value: String,
        /// Where to send it.
        #[serde(skip_serializing_if = "Option::is_none")]
        node: Option<Target>,
    },
    /// Crash a node; with `after_persist`, at its next durable write,
    /// between the persist and the sends that depend on it.
    Crash {
        /// The node.
        node: Target,
        /// Crash right after the node's next persist instead of now.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        after_persist: bool,
    },
    /// Restart a crashed node from its disk.
    Restart {
        /// The node.
        node: Target,
    },
    /// Partition the network into groups.
    Partition {
        /// Groups that can talk among themselves.
        groups: Vec<Vec<NodeId>>,
    },
    /// Cut one link.
    Cut {
        /// One end.
        from: Target,
        /// The other end.
        to: Target,
        /// Only `from → to`.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        one_way: bool,
    },
    /// Restore every link.
    Heal {},
    /// Let a node's election timer fire now.
    TimeoutNow {
        /// The node.
        node: Target,
    },
    /// Leadership transfer (a coordinated handover with the default deadline).
    Transfer {
        /// The target.
        to: Target,
    },
    /// Failover to a target.
    Failover {
        /// The target.
        to: Target,
        /// Coordinated or force.
        mode: FailoverMode,
        /// The deadline (coordinated) or timeout (force), in ticks.
        #[serde(skip_serializing_if = "Option::is_none")]
        deadline_ticks: Option<u64>,
    },
    /// Add a server (a data member joins catching up unless `state` says).
    AddServer {
        /// The new node's id.
        node: NodeId,
        /// Data or witness.
        #[serde(skip_serializing_if = "Option::is_none")]
        kind: Option<MemberKind>,
        /// Voting or catching up.
        #[serde(skip_serializing_if = "Option::is_none")]
        state: Option<VotingState>,
    },
    /// Remove a server.
    RemoveServer {
        /// The node.
        node: Target,
    },
    /// Joint consensus toward this voter set.
    ChangeVoters {
        /// The new voters.
        voters: Vec<NodeId>,
    },
    /// Append a control-plane entry.
    CpAppend {
        /// The entry.
        entry: CpEntry,
        /// Where to send it (the leader by default).
        #[serde(skip_serializing_if = "Option::is_none")]
        node: Option<Target>,
    },
    /// Have a node's application take a snapshot now.
    Snapshot {
        /// The node.
        node: Target,
    },
    /// Change the network's behaviour: for every link, or, with `from` and
    /// `to`, for that one link (both directions unless `one_way`).
    SetNetwork {
        /// One end of the link to configure (with `to`).
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<Target>,
        /// The other end.
        #[serde(skip_serializing_if = "Option::is_none")]
        to: Option<Target>,
        /// Only `from → to`.
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        one_way: bool,
        /// New delay range.
        #[serde(skip_serializing_if = "Option::is_none")]
        delay_ticks: Option<[u64; 2]>,
        /// New drop probability.
        #[serde(skip_serializing_if = "Option::is_none")]
        drop: Option<f64>,
        /// New duplication probability.
        #[serde(skip_serializing_if = "Option::is_none")]
        duplicate: Option<f64>,
    },
    /// Act on particular messages (etcd's `deliver-msgs` and `drop`): those
    /// matching every filter given. With `nth` (beyond SCENARIO.md), only
    /// the `nth` match from 0 in send order: a model checker's "deliver
    /// this one message" as a line a scenario replays.
    Messages {
        /// What to do.
        action: MessageAction,
        /// Only messages from this node.
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<Target>,
        /// Only messages to this node.
        #[serde(skip_serializing_if = "Option::is_none")]
        to: Option<Target>,
        /// Only messages of this kind.
        #[serde(skip_serializing_if = "Option::is_none")]
        msg: Option<MessageKind>,
        /// For `drop`: also lose the next `count` matching messages sent.
        #[serde(skip_serializing_if = "Option::is_none")]
        count: Option<u64>,
        /// For `deliver`, `drop` and `duplicate`: only the `nth` match.
        #[serde(skip_serializing_if = "Option::is_none")]
        nth: Option<u64>,
    },
}

impl Command {
    /// The command's name, as `do` spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Write { .. } => "write",
            Command::Crash { .. } => "crash",
            Command::Restart { .. } => "restart",
            Command::Partition { .. } => "partition",
            Command::Cut { .. } => "cut",
            Command::Heal {} => "heal",
            Command::TimeoutNow { .. } => "timeout_now",
            Command::Transfer { .. } => "transfer",
            Command::Failover { .. } => "failover",
            Command::AddServer { .. } => "add_server",
            Command::RemoveServer { .. } => "remove_server",
            Command::ChangeVoters { .. } => "change_voters",
            Command::CpAppend { .. } => "cp_append",
            Command::Snapshot { .. } => "snapshot",
            Command::SetNetwork { .. } => "set_network",
            Command::Messages { .. } => "messages",
        }
    }
}

/// The positions of `script`'s steps in the order they run: by tick, and
/// the steps of one tick as written. One function for the scenario check
/// and the simulator's schedule, so that the wasm module holds one stable
/// sort (kilobytes each), not one per element type.
pub fn run_order(script: &[ScriptStep]) -> Vec<usize> {
    // A counting sort over the distinct ticks, which `sort_unstable` on u64
    // finds: the module already holds that sort (node ids), where a stable
    // sort of the steps would add kilobytes of its own.
    let mut ticks: Vec<u64> = script.iter().map(|s| s.at).collect();
    ticks.sort_unstable();
    ticks.dedup();
    let rank = |at: u64| ticks.partition_point(|&t| t < at);
    // starts[r]: where the steps of the r-th tick begin in the order.
    let mut starts = vec![0usize; ticks.len() + 1];
    for step in script {
        starts[rank(step.at) + 1] += 1;
    }
    for r in 1..starts.len() {
        starts[r] += starts[r - 1];
    }
    let mut order = vec![0usize; script.len()];
    for (i, step) in script.iter().enumerate() {
        let slot = &mut starts[rank(step.at)];
        order[*slot] = i;
        *slot += 1;
    }
    order
}

/// A command and the tick it runs at.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScriptStep {
    /// The tick.
    pub at: u64,
    /// The command.
    #[serde(flatten)]
    pub command: Command,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_order_is_by_tick_and_as_written_within_a_tick() {
        let script: Vec<ScriptStep> =
            [5, 1, 5, 0, 1, 5].into_iter().map(|at| ScriptStep { at, command: Command::Heal {} }).collect();
        assert_eq!(run_order(&script), [3, 1, 4, 0, 2, 5]);
        assert_eq!(run_order(&[]), [] as [usize; 0]);
    }
}
