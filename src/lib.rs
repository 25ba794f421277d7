//! # quorumscope
//!
//! A deterministic consensus core (Raft with pre-vote, leader stickiness,
//! check quorum, witnesses, learners, joint consensus, snapshots, a commit
//! watermark and leadership handover), built to be watched step by step.
//!
//! - [`core`]: the sans-I/O protocol node, `step(Event) -> Vec<Action>`.
//!   Start at [`core::Node`]; the vote rule is in [`core::decide`], quorum
//!   arithmetic in [`core::quorum`].
//! - [`campaign`]: randomized fault campaigns over many seeds.
//! - [`elect_times`]: the Raft paper's Figure 16 experiment.
//! - [`json`]: the small JSON reader behind scenario files, commands and
//!   trace import.
//! - [`compare`]: two variants of a scenario run side by side: the first
//!   step where their traces differ, explained, and a summary of what differs.
//! - [`check`]: the safety checker, one module per property of §9.
//! - [`scenario`]: scenario files, their validation, the built-in library.
//! - [`sim`]: the deterministic cluster simulator with faults, the trace
//!   and time travel.

#![deny(missing_docs)]

pub mod campaign;
pub mod check;
pub mod compare;
pub mod core;
pub mod elect_times;
pub mod explore;
pub mod json;
pub mod lanes;
pub mod scenario;
pub mod sim;
#[cfg(all(target_arch = "wasm32", feature = "page-binding"))]
pub mod wasm;
#[cfg(all(target_arch = "wasm32", feature = "lab-binding"))]
pub mod wasm_lab;
#[cfg(all(target_arch = "wasm32", any(feature = "page-binding", feature = "lab-binding")))]
mod wasm_shared;
