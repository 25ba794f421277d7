//! Errors: every one names what was wrong, and none leaves a node changed.

use std::fmt;

use super::entry::{Index, NodeId};

/// Why the core refused a configuration, an event or an argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// A configuration field is invalid.
    Config {
        /// The field's path, such as `election_ticks_min`.
        field: String,
        /// Why it is invalid.
        reason: String,
    },
    /// An argument to an operator command is invalid.
    InvalidArgument(String),
    /// Only the leader accepts this; `leader` is the hint to forward to.
    NotLeader {
        /// The leader this node knows of, if any.
        leader: Option<NodeId>,
    },
    /// Writes and changes wait while a handover is frozen.
    HandoverInProgress {
        /// The handover's target.
        to: NodeId,
    },
    /// One membership change at a time.
    ChangeInProgress {
        /// Index of the uncommitted configuration entry.
        index: Index,
    },
    /// A new leader must commit an entry of its own term before changing
    /// membership (the known unsafe case otherwise).
    TermNotCommitted,
    /// An ownership epoch must strictly increase per range.
    StaleEpoch {
        /// The range.
        range: String,
        /// The epoch that was asked for.
        epoch: u64,
        /// The range's current epoch.
        current: u64,
    },
}

impl Error {
    /// A configuration error for `field`.
    pub fn config(field: impl Into<String>, reason: impl Into<String>) -> Error {
        Error::Config { field: field.into(), reason: reason.into() }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config { field, reason } => write!(f, "{field}: {reason}"),
            Error::InvalidArgument(reason) => write!(f, "{reason}"),
            Error::NotLeader { leader: Some(l) } => write!(f, "not the leader; node {l} leads"),
            Error::NotLeader { leader: None } => write!(f, "not the leader; no leader is known"),
            Error::HandoverInProgress { to } => {
                write!(f, "a handover to node {to} is in progress: writes and changes wait until it ends")
            }
            Error::ChangeInProgress { index } => {
                write!(
                    f,
                    "the membership change at index {index} has not committed yet: one change at a time"
                )
            }
            Error::TermNotCommitted => write!(
                f,
                "this leader has not yet committed an entry of its own term, so membership cannot change yet"
            ),
            Error::StaleEpoch { range, epoch, current } => {
                write!(f, "ownership epoch {epoch} for {range} does not exceed the current epoch {current}")
            }
        }
    }
}

impl std::error::Error for Error {}
