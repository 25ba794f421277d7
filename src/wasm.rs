//! The start-up module's WebAssembly bindings (feature `page-binding`): a
//! thin `wasm-bindgen` class over the simulator's timeline. No protocol
//! logic lives here; errors become JavaScript exceptions carrying the
//! message, never a panic. What few readers open (the model checker, the
//! Compare view, trace replay, Figure 16's trials) is in the lab module
//! (`src/wasm_lab.rs`), loaded on demand.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::json::FromJson;
use crate::scenario::{self, Scenario};
use crate::sim::{self, Timeline, TraceEvent};
use crate::wasm_shared::{from_js, to_js};

/// Trace events the page's simulator keeps (the newest): with the
/// checkpoints' bound, this keeps the module's memory within the page's
/// budget however long a run plays (README, "Long runs"). Older events are
/// re-derived by replay when a seek goes back to them.
const TRACE_KEPT: usize = 30_000;
/// What the page's checkpoints may hold together, in `Sim::footprint` units
/// (log entries and acknowledged writes, roughly 100 bytes each): about
/// 20 MB, the other half of the memory budget.
const CHECKPOINT_FOOTPRINT: u64 = 200_000;

/// A simulated cluster with its history, as the page drives it.
#[wasm_bindgen]
pub struct Cluster {
    scenario: Scenario,
    timeline: Timeline,
}

#[wasm_bindgen]
impl Cluster {
    /// A cluster from scenario JSON (SCENARIO.md); the error names the field.
    #[wasm_bindgen(js_name = fromScenario)]
    pub fn from_scenario(json: &str) -> Result<Cluster, JsError> {
        let scenario = scenario::parse(json).map_err(|e| JsError::new(&e))?;
        Cluster::from_parsed(scenario)
    }

    /// A built-in scenario by name.
    #[wasm_bindgen(js_name = builtin)]
    pub fn builtin(name: &str) -> Result<Cluster, JsError> {
        let scenario = scenario::builtin(name)
            .ok_or_else(|| JsError::new(&format!("no built-in scenario named {name:?}")))?;
        Cluster::from_parsed(scenario)
    }

    fn from_parsed(scenario: Scenario) -> Result<Cluster, JsError> {
        let sim = scenario.build().map_err(|e| JsError::new(&e.0))?;
        let mut timeline = Timeline::new(sim);
        timeline.limit_trace(TRACE_KEPT);
        timeline.limit_checkpoints(CHECKPOINT_FOOTPRINT);
        Ok(Cluster { scenario, timeline })
    }

    /// The built-in library: `[{name, title, explain, pauses}]`.
    #[wasm_bindgen(js_name = library)]
    pub fn library() -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct Item {
            name: &'static str,
            title: String,
            explain: String,
            pauses: Vec<scenario::Pause>,
        }
        let items: Vec<Item> = scenario::builtin_names()
            .filter_map(|name| {
                scenario::builtin(name).map(|s| Item {
                    name,
                    title: s.title,
                    explain: s.explain,
                    pauses: s.pauses,
                })
            })
            .collect();
        to_js(&items)
    }

    /// The scenario this cluster was built from.
    pub fn scenario(&self) -> Result<JsValue, JsError> {
        to_js(&self.scenario)
    }

    /// One step (a tick or a delivery); returns its events.
    pub fn step(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.timeline.step())
    }

    /// Takes `n` steps and returns how many events they produced, without
    /// turning any of them into JavaScript objects (they stay in the trace,
    /// for `traceFrom`). Playback and benchmarks step many times per frame,
    /// and converting every step's events costs more than the core's work.
    #[wasm_bindgen(js_name = runSteps)]
    pub fn run_steps(&mut self, n: u32) -> f64 {
        let mut events = 0usize;
        for _ in 0..n {
            events += self.timeline.step().len();
        }
        events as f64
    }

    /// Steps until the clock advances one tick (or `max_steps`); returns
    /// the events.
    #[wasm_bindgen(js_name = stepTick)]
    pub fn step_tick(&mut self, max_steps: u32) -> Result<JsValue, JsError> {
        let start = self.timeline.sim().now();
        let mut events: Vec<TraceEvent> = Vec::new();
        for _ in 0..max_steps {
            events.extend_from_slice(self.timeline.step());
            if self.timeline.sim().now() > start {
                break;
            }
        }
        to_js(&events)
    }

    /// Steps until an event of one of `kinds` happens, at most `max_steps`.
    #[wasm_bindgen(js_name = runUntilKind)]
    pub fn run_until_kind(&mut self, kinds: Vec<String>, max_steps: u32) -> Result<JsValue, JsError> {
        let mut events: Vec<TraceEvent> = Vec::new();
        for _ in 0..max_steps {
            let step = self.timeline.step();
            let hit = step.iter().any(|e| kinds.iter().any(|k| k == e.body.kind()));
            events.extend_from_slice(step);
            if hit {
                break;
            }
        }
        to_js(&events)
    }

    /// The whole cluster as plain objects.
    pub fn state(&self) -> Result<JsValue, JsError> {
        to_js(&sim::view(self.timeline.sim()))
    }

    /// Runs an operator or fault command (a script step without `at`);
    /// errors leave the cluster as it was.
    pub fn command(&mut self, command: JsValue) -> Result<JsValue, JsError> {
        // The error names the field: `command.node: node ids start at 1`.
        let command = from_js(&command)
            .and_then(|v| sim::Command::from_json(&v, "command"))
            .map_err(|e| JsError::new(&e))?;
        let events = self.timeline.command(command).map_err(|e| JsError::new(&e.0))?;
        to_js(&events)
    }

    /// The tick the next step happens at: now if a delivery is due, else
    /// the next tick.
    #[wasm_bindgen(js_name = nextStepTick)]
    pub fn next_step_tick(&self) -> f64 {
        let sim = self.timeline.sim();
        match sim.network().next_delivery_tick() {
            Some(t) if t <= sim.now() => sim.now() as f64,
            _ => (sim.now() + 1) as f64,
        }
    }

    /// Steps taken.
    #[wasm_bindgen(js_name = stepCount)]
    pub fn step_count(&self) -> f64 {
        self.timeline.sim().step_count() as f64
    }

    /// Moves to the state after `step` steps (back or forward).
    pub fn seek(&mut self, step: f64) -> Result<(), JsError> {
        if !(0.0..=1e9).contains(&step) || step.fract() != 0.0 {
            // No figure in the message: formatting a float would add
            // several kilobytes to the module; the caller has the value.
            return Err(JsError::new("seek: expected a whole number of steps from 0 to 1e9"));
        }
        self.timeline.seek(step as u64);
        Ok(())
    }

    /// Goes back to the checkpoint at or before `step` when `step` is
    /// behind, without replaying: the page then replays the rest in slices
    /// (`runSteps`) to show progress on a long seek. (It took the place of
    /// a `stepBack` the page never called: the module has no bytes to spare.)
    pub fn rewind(&mut self, step: f64) {
        // Negative and fractional values truncate; a step ahead is a no-op.
        self.timeline.rewind(step as u64);
    }

    /// Events from position `from` of the trace on (positions count every
    /// event of the run; those before `traceBase` are no longer kept).
    #[wasm_bindgen(js_name = traceFrom)]
    pub fn trace_from(&self, from: u32) -> Result<JsValue, JsError> {
        let trace = self.timeline.trace();
        let skip = (from as usize).saturating_sub(self.timeline.trace_base());
        to_js(trace.get(skip..).unwrap_or(&[]))
    }

    /// Events the run has produced up to the current step.
    #[wasm_bindgen(js_name = traceLength)]
    pub fn trace_length(&self) -> u32 {
        self.timeline.trace_end() as u32
    }

    /// Position of the first event still kept (see `TRACE_KEPT`).
    #[wasm_bindgen(js_name = traceBase)]
    pub fn trace_base(&self) -> u32 {
        self.timeline.trace_base() as u32
    }

    /// The trace as JSON lines (the kept events: the newest `TRACE_KEPT`).
    #[wasm_bindgen(js_name = exportTrace)]
    pub fn export_trace(&self) -> String {
        sim::export_json_lines(self.timeline.trace())
    }

    /// The operator's commands so far: `[[step, command], ...]`.
    pub fn inputs(&self) -> Result<JsValue, JsError> {
        to_js(&self.timeline.inputs())
    }
}

/// How many of `voters` voters make a quorum (a strict majority): the
/// custom-cluster form states it from the core instead of computing it.
#[wasm_bindgen(js_name = majorityNeeded)]
pub fn majority_needed(voters: u32) -> u32 {
    crate::core::quorum::majority_needed(voters as usize) as u32
}
