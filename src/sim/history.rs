//! Time travel: checkpoints plus deterministic replay. Going back restores
//! the nearest checkpoint at or before the target and replays from it;
//! acting in the past forks the run (the recorded future is discarded).
//!
//! Checkpoints come every `CHECKPOINT_EVERY` steps while the simulator is
//! small: a 5-node checkpoint is then a few tens of kilobytes and a seek
//! replays at most 127 steps, well under a millisecond. A checkpoint copies
//! every log, so once logs grow long the spacing grows with them (at most
//! `COPY_PER_STEP` entries copied per step on average): without that, a run
//! of 500,000 steps with unsnapshotted logs spent most of its time, and
//! gigabytes, copying logs. And at most `MAX_CHECKPOINTS` are kept: past
//! that, every other checkpoint of the older half goes, so memory stays
//! bounded while recent history stays dense (stepping back is cheap, a jump
//! far back replays more).
//!
//! The trace can be bounded too (`Timeline::limit_trace`, used by the page):
//! only the newest events are kept, and seeking back before them re-derives
//! the older ones by replaying from a checkpoint, as any seek does. Event
//! positions stay absolute (`trace_base` is the position of the first kept
//! one), so readers can ask for "the events from position n on".

use super::command::Command;
use super::trace::TraceEvent;
use super::{Sim, SimError};

/// Steps between checkpoints while the simulator is small.
pub const CHECKPOINT_EVERY: u64 = 128;
/// Footprint units (`Sim::footprint`: log entries, acknowledged writes) a
/// checkpoint may copy per step, averaged over the steps between two.
const COPY_PER_STEP: u64 = 16;
/// Checkpoints kept at most.
pub const MAX_CHECKPOINTS: usize = 256;

/// A copy of the simulator to go back to, with how much of the history it
/// already holds: an operator's command at a step runs before that step,
/// possibly before the copy is taken, so the step alone does not say.
#[derive(Clone, Debug)]
struct Checkpoint {
    sim: Sim,
    /// Recorded commands already applied to `sim`.
    inputs_applied: usize,
    /// Trace events `sim` has already produced (an absolute position).
    trace_len: usize,
    /// `sim.footprint()` when taken: what the copy holds.
    footprint: u64,
}

/// A simulator with its history: the trace, the operator's commands, and
/// checkpoints to go back to (in step order; the first at the start).
#[derive(Clone, Debug)]
pub struct Timeline {
    sim: Sim,
    checkpoints: Vec<Checkpoint>,
    inputs: Vec<(u64, Command)>,
    next_input: usize,
    /// The kept events: positions `trace_base..trace_base + trace.len()`.
    trace: Vec<TraceEvent>,
    trace_base: usize,
    /// Events kept at least when bounded; `None` keeps them all.
    trace_limit: Option<usize>,
    /// Most footprint units all checkpoints together may hold; `None`: no bound but `MAX_CHECKPOINTS`.
    checkpoint_budget: Option<u64>,
}

impl Timeline {
    /// A timeline starting from `sim`.
    pub fn new(sim: Sim) -> Timeline {
        let start =
            Checkpoint { sim: sim.clone(), inputs_applied: 0, trace_len: 0, footprint: sim.footprint() };
        Timeline {
            checkpoints: vec![start],
            sim,
            inputs: Vec::new(),
            next_input: 0,
            trace: Vec::new(),
            trace_base: 0,
            trace_limit: None,
            checkpoint_budget: None,
        }
    }

    /// Bounds what the checkpoints hold together, in `Sim::footprint` units
    /// (log entries and acknowledged writes): past it, older checkpoints are
    /// thinned as past `MAX_CHECKPOINTS`, so a run whose logs keep growing
    /// still has bounded history (a far seek back replays more).
    pub fn limit_checkpoints(&mut self, footprint: u64) {
        self.checkpoint_budget = Some(footprint);
    }

    fn checkpoints_over_budget(&self) -> bool {
        self.checkpoints.len() > MAX_CHECKPOINTS
            || self
                .checkpoint_budget
                .is_some_and(|b| self.checkpoints.iter().map(|c| c.footprint).sum::<u64>() > b)
    }

    /// Keeps only about the newest `events` trace events (at most half as
    /// many again, dropped in batches so that trimming stays cheap), so that
    /// memory stays bounded however long the run.
    pub fn limit_trace(&mut self, events: usize) {
        self.trace_limit = Some(events.max(1));
        self.trim_trace();
    }

    fn trim_trace(&mut self) {
        let Some(limit) = self.trace_limit else { return };
        if self.trace.len() > limit + limit / 2 {
            let cut = self.trace.len() - limit;
            self.trace.drain(..cut);
            self.trace_base += cut;
        }
    }

    /// The absolute position of the first kept event (0 unless bounded).
    pub fn trace_base(&self) -> usize {
        self.trace_base
    }

    /// How many events the run has produced up to the current step, kept
    /// or not.
    pub fn trace_end(&self) -> usize {
        self.trace_base + self.trace.len()
    }

    /// The simulator at the current step.
    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    /// Every event up to the current step (the kept ones, from
    /// `trace_base`, when the trace is bounded).
    pub fn trace(&self) -> &[TraceEvent] {
        &self.trace
    }

    /// The operator's commands and the step each preceded.
    pub fn inputs(&self) -> &[(u64, Command)] {
        &self.inputs
    }

    /// How many checkpoints are held (at most `MAX_CHECKPOINTS`).
    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.len()
    }

    /// Takes one step (replaying recorded commands due before it) and
    /// returns its events.
    pub fn step(&mut self) -> &[TraceEvent] {
        self.trim_trace();
        let start = self.trace.len();
        let step = self.sim.step_count();
        self.checkpoint_if_due(step);
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

    /// Keeps a copy of the simulator before step `step` if the last one is
    /// far enough behind. After a seek back the later checkpoints are still
    /// valid (replay is deterministic), so none is due until past them.
    fn checkpoint_if_due(&mut self, step: u64) {
        let last = self.checkpoints.last().map_or(0, |c| c.sim.step_count());
        // The footprint walks every node: only worth it once the minimum
        // spacing has passed, not on every step.
        if step <= last || step - last < CHECKPOINT_EVERY {
            return;
        }
        if step - last < self.sim.footprint() / COPY_PER_STEP {
            return;
        }
        self.checkpoints.push(Checkpoint {
            sim: self.sim.clone(),
            inputs_applied: self.next_input,
            trace_len: self.trace_end(),
            footprint: self.sim.footprint(),
        });
        while self.checkpoints_over_budget() {
            let before = self.checkpoints.len();
            let older_half = before / 2;
            let mut i = 0;
            // Odd positions of the older half go; the first (the start) stays.
            self.checkpoints.retain(|_| {
                let keep = i >= older_half || i % 2 == 0;
                i += 1;
                keep
            });
            if self.checkpoints.len() == before {
                break; // two or three left: nothing more to thin
            }
        }
    }

    /// How many checkpoints are strictly before `step` (at least the first,
    /// at step 0): those are the ones that cannot hold a command given at
    /// `step`.
    fn checkpoints_before(&self, step: u64) -> usize {
        self.checkpoints.partition_point(|c| c.sim.step_count() < step).max(1)
    }

    /// Runs an operator command now. In the past, this forks: the recorded
    /// future is discarded. Errors leave everything as it was.
    pub fn command(&mut self, command: Command) -> Result<&[TraceEvent], SimError> {
        let step = self.sim.step_count();
        let events = self.sim.command(&command)?;
        self.inputs.truncate(self.next_input);
        self.checkpoints.truncate(self.checkpoints_before(step));
        self.inputs.push((step, command));
        self.next_input = self.inputs.len();
        self.trim_trace();
        let start = self.trace.len();
        self.trace.extend(events);
        Ok(&self.trace[start..])
    }

    /// Moves to the state after `target` steps: back by restoring a
    /// checkpoint and replaying, forward by stepping.
    pub fn seek(&mut self, target: u64) {
        self.rewind(target);
        while self.sim.step_count() < target {
            self.step();
        }
    }

    /// The first half of a seek back: restores the checkpoint at or before
    /// `target` (if `target` is behind the current step) without replaying,
    /// so that a caller can replay the rest in slices, showing progress
    /// between them (the page's long seeks). `step` and `seek` replay from
    /// there exactly as a seek would have.
    pub fn rewind(&mut self, target: u64) {
        if target < self.sim.step_count() {
            // Seeking to step n shows the state before the commands given
            // at n, as the first pass did before they were given.
            let checkpoint = &self.checkpoints[self.checkpoints_before(target) - 1];
            self.sim = checkpoint.sim.clone();
            self.next_input = checkpoint.inputs_applied;
            match checkpoint.trace_len.checked_sub(self.trace_base) {
                Some(kept) => self.trace.truncate(kept),
                // Before the kept events: replay re-derives them.
                None => {
                    self.trace.clear();
                    self.trace_base = checkpoint.trace_len;
                }
            }
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
