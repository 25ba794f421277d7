//! Time travel: checkpoints every `CHECKPOINT_EVERY` steps plus
//! deterministic replay. Going back restores the nearest checkpoint at or
//! before the target and replays at most `CHECKPOINT_EVERY − 1` steps;
//! acting in the past forks the run (the recorded future is discarded).
//!
//! Why 128: a 5-node checkpoint is a few tens of kilobytes, so a
//! 10,000-step run keeps about 80 of them (a few megabytes), while a seek
//! replays at most 127 steps — well under a millisecond natively.

use super::command::Command;
use super::trace::TraceEvent;
use super::{Sim, SimError};

/// Steps between checkpoints.
pub const CHECKPOINT_EVERY: u64 = 128;

/// A simulator with its history: the trace, the operator's commands, and
/// checkpoints to go back to.
#[derive(Clone, Debug)]
pub struct Timeline {
    sim: Sim,
    checkpoints: Vec<Sim>,
    inputs: Vec<(u64, Command)>,
    next_input: usize,
    trace: Vec<TraceEvent>,
}

impl Timeline {
    /// A timeline starting from `sim`.
    pub fn new(sim: Sim) -> Timeline {
        Timeline { checkpoints: vec![sim.clone()], sim, inputs: Vec::new(), next_input: 0, trace: Vec::new() }
    }

    /// The simulator at the current step.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// Every event up to the current step.
    pub fn trace(&self) -> &[TraceEvent] {
        &self.trace
    }

    /// The operator's commands and the step each preceded.
    pub fn inputs(&self) -> &[(u64, Command)] {
        &self.inputs
    }

    /// Takes one step (replaying recorded commands due before it) and
    /// returns its events.
    pub fn step(&mut self) -> &[TraceEvent] {
        let start = self.trace.len();
        let step = self.sim.step_count();
        if step.is_multiple_of(CHECKPOINT_EVERY) && self.checkpoints.len() as u64 == step / CHECKPOINT_EVERY {
            self.checkpoints.push(self.sim.clone());
        }
        while let Some((at, command)) = self.inputs.get(self.next_input) {
            if *at != step {
                break;
            }
            // Recorded commands succeeded the first time; determinism makes
            // them succeed again.
            if let Ok(events) = self.sim.command(command) {
                self.trace.extend(events);
            }
            self.next_input += 1;
        }
        self.sim.step_into(&mut self.trace);
        &self.trace[start..]
    }

    /// Runs an operator command now. In the past, this forks: the recorded
    /// future is discarded. Errors leave everything as it was.
    pub fn command(&mut self, command: Command) -> Result<&[TraceEvent], SimError> {
        let step = self.sim.step_count();
        let events = self.sim.command(&command)?;
        self.inputs.truncate(self.next_input);
        self.checkpoints.truncate((step / CHECKPOINT_EVERY + 1) as usize);
        self.inputs.push((step, command));
        self.next_input = self.inputs.len();
        let start = self.trace.len();
        self.trace.extend(events);
        Ok(&self.trace[start..])
    }

    /// Moves to the state after `target` steps: back by restoring a
    /// checkpoint and replaying, forward by stepping.
    pub fn seek(&mut self, target: u64) {
        if target < self.sim.step_count() {
            let k = ((target / CHECKPOINT_EVERY) as usize).min(self.checkpoints.len() - 1);
            self.sim = self.checkpoints[k].clone();
            let from = self.sim.step_count();
            let keep = self.trace.partition_point(|e| e.step < from);
            self.trace.truncate(keep);
            self.next_input = self.inputs.partition_point(|(at, _)| *at < from);
        }
        while self.sim.step_count() < target {
            self.step();
        }
    }

    /// One step back.
    pub fn step_back(&mut self) {
        let now = self.sim.step_count();
        if now > 0 {
            self.seek(now - 1);
        }
    }
}
