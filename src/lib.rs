//! # quorumscope
//!
//! A deterministic consensus core (Raft with pre-vote, leader stickiness,
//! check quorum, witnesses, learners, joint consensus, snapshots, a commit
//! watermark and leadership handover), built to be watched step by step.
//!
//! - [`core`]: the sans-I/O protocol node, `step(Event) -> Vec<Action>`.
//!   Start at [`core::Node`]; the vote rule is in [`core::decide`], quorum
//!   arithmetic in [`core::quorum`].

#![deny(missing_docs)]

pub mod core;
