//! The control-plane log (PROTOCOL.md §8): the same core, carrying typed
//! entries only. [`CpEntry`] has no variant that can hold user data, and
//! [`ControlPlaneLog`] exposes no way to propose anything else, so a user
//! write cannot be expressed through it.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::action::Action;
use super::config::Config;
use super::durable::DurableState;
use super::entry::{NodeId, Term};
use super::error::Error;
use super::event::Event;
use super::message::Message;
use super::node::Node;

/// A control-plane entry: exactly three kinds of decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CpEntry {
    /// Admit a node into the managed system.
    Admit(NodeId),
    /// Remove a node from the managed system.
    Remove(NodeId),
    /// Move ownership of a range; the epoch fences the old owner and must
    /// strictly increase per range.
    Ownership {
        /// The range, such as `users:[0,1000)`.
        range: String,
        /// The new owner.
        owner: NodeId,
        /// The ownership epoch.
        epoch: u64,
    },
    /// Record which node leads in which term.
    LeaderConfig {
        /// The term.
        term: Term,
        /// The leader.
        leader: NodeId,
    },
}

impl fmt::Display for CpEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CpEntry::Admit(id) => write!(f, "admit node {id}"),
            CpEntry::Remove(id) => write!(f, "remove node {id}"),
            CpEntry::Ownership { range, owner, epoch } => {
                write!(f, "{range} owned by node {owner} at epoch {epoch}")
            }
            CpEntry::LeaderConfig { term, leader } => write!(f, "node {leader} leads term {term}"),
        }
    }
}

/// What a control-plane node accepts besides appends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CpEvent {
    /// One logical tick.
    Tick,
    /// A message arrived.
    Message(Message),
    /// The host finished a write: what its disk now holds (`Event::Durable`).
    Durable(super::durable::DurableMark),
}

/// A consensus node whose only write is a typed control-plane entry.
///
/// ```
/// use quorumscope::core::{Config, ControlPlaneLog, CpEntry, Error, Member};
///
/// let mut cp = ControlPlaneLog::new(Config::new(1, vec![Member::data(1), Member::data(2)]))?;
/// // Nobody leads yet: the append is refused with the (absent) leader hint.
/// let refused = cp.append(CpEntry::Admit(3));
/// assert_eq!(refused, Err(Error::NotLeader { leader: None }));
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ControlPlaneLog {
    node: Node,
}

impl ControlPlaneLog {
    /// A fresh control-plane node.
    pub fn new(config: Config) -> Result<ControlPlaneLog, Error> {
        Ok(ControlPlaneLog { node: Node::new(config)? })
    }

    /// A control-plane node restarted from what it persisted.
    pub fn restart(config: Config, durable: DurableState) -> Result<(ControlPlaneLog, Vec<Action>), Error> {
        let (node, actions) = Node::restart(config, durable)?;
        Ok((ControlPlaneLog { node }, actions))
    }

    /// Appends a control-plane entry; only the leader may, anyone else
    /// answers `NotLeader` with its hint so the caller can forward.
    pub fn append(&mut self, entry: CpEntry) -> Result<Vec<Action>, Error> {
        self.node.step(Event::ControlPlane(entry))
    }

    /// Advances time or delivers a message.
    pub fn step(&mut self, event: CpEvent) -> Result<Vec<Action>, Error> {
        match event {
            CpEvent::Tick => self.node.step(Event::Tick),
            CpEvent::Message(m) => self.node.step(Event::Message(m)),
            CpEvent::Durable(mark) => self.node.step(Event::Durable(mark)),
        }
    }

    /// The underlying node, read-only.
    pub fn node(&self) -> &Node {
        &self.node
    }
}

impl Node {
    /// Appends a control-plane entry on the leader; an ownership epoch must
    /// exceed the range's latest, committed or not.
    pub(crate) fn append_control_plane(
        &mut self,
        entry: CpEntry,
        out: &mut Vec<Action>,
    ) -> Result<(), Error> {
        self.check_can_write()?;
        if let CpEntry::Ownership { range, epoch, .. } = &entry {
            let current = self.epochs_at(self.log.last_index()).get(range).copied().unwrap_or(0);
            if *epoch <= current {
                return Err(Error::StaleEpoch { range: range.clone(), epoch: *epoch, current });
            }
        }
        self.append_entries(vec![super::entry::Payload::ControlPlane(Box::new(entry))], out);
        Ok(())
    }
}
