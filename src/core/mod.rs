//! The protocol core: a sans-I/O, deterministic consensus node.
//!
//! `Node::step(Event) -> Result<Vec<Action>, Error>`: no clock (time is
//! `Event::Tick`), no socket (messages come in as events and go out as
//! `Action::Send`), no disk (`Action::Persist`, always before the send that
//! depends on it) and no global randomness (a SplitMix64 per node, seeded
//! from the configuration).

mod action;
mod candidate;
mod config;
mod control_plane;
mod describe;
mod durability;
mod durable;
mod entry;
mod error;
mod event;
mod follower;
mod handover;
mod leader;
mod log;
mod membership;
mod message;
mod node;
mod node_map;
mod node_set;
mod progress;
pub mod quorum;
mod reconfigure;
mod report;
pub mod rng;
mod role_cause;
mod snapshot;
mod state_key;
mod vote;

pub use action::Action;
pub use candidate::ElectionTally;
pub use config::{Config, Switches};
pub use control_plane::{ControlPlaneLog, CpEntry, CpEvent};
pub use describe::Headline;
pub use durable::{DurableMark, DurableState, HardState, Persist, Snapshot};
pub use entry::{Bytes, Entry, Index, NodeId, Payload, Term};
pub use error::Error;
pub use event::Event;
pub use handover::{
    Handover, HandoverFailure, HandoverMode, HandoverOutcome, HandoverResult, Phase, PhaseReport,
};
pub use log::Log;
pub use membership::{Member, MemberKind, Membership, VotingState};
pub use message::{AppendOutcome, Body, Message, MessageContents, MessageKind};
pub use node::{Node, Role};
pub use node_map::{MapKey, NodeMap, SortedMap};
pub use node_set::NodeSet;
pub use progress::{Progress, ProgressState};
pub use quorum::{ConfigName, ConfigTally};
pub use report::{CommitReport, CommitRule, ProgressMode, ProgressReport, VoteReport};
pub use role_cause::RoleCause;
pub use state_key::{KeptDigests, Small, StateKey};
pub use vote::{decide, log_guards_apply, Decision, Refusal, VoteRequest, VoterView};
