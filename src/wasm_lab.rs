//! The lab module's WebAssembly bindings (feature `lab-binding`): a second
//! wasm module, `pkg/quorumscope_lab_bg.wasm`, built from this crate and
//! fetched the first time a reader opens one of the panels few readers
//! open: the model checker ("Find a run where…", [`explore`]), the Compare
//! view ([`compare_scenarios`]), trace replay ([`Replay`]) and Figure 16's
//! trials ([`elect_trial`]). The start-up module (`src/wasm.rs`) carries
//! none of them.
//!
//! Thin: the search, the comparison, the fold and the trials are the
//! crate's; this reads the page's request (errors name the field) and hands
//! back what they report, never a panic.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::core::{Member, Switches};
use crate::elect_times;
use crate::explore::{self, describe_move, Bounds, Goal, Options, Report, Search, Shape, Walks};
use crate::json::path::{self, Fields, Int};
use crate::json::Json;
use crate::scenario;
use crate::sim;
use crate::wasm_shared::{from_js, to_js};

/// Unique states breadth-first search in the page may go to: the CLI's
/// default. Each state of a depth's frontier, and each successor found
/// while a depth is expanded, holds a simulator, and a worker's wasm memory
/// stops at 4 GB, less on a phone. Measured under node, three nodes with
/// the default bounds, every switch on: 579 MB of wasm memory at 250,000
/// states (12.8 s), 111 MB at 50,000.
pub const PAGE_MAX_STATES: u64 = 250_000;
/// The page's breadth-first limit unless the reader sets one: 111 MB and
/// about 3 s, measured as above. Enough for `durable_vote`'s 8-move run
/// within the default bounds (found at 28,465 states, as the CLI finds it);
/// the deeper search goes on from there.
pub const PAGE_DEFAULT_STATES: u64 = 50_000;
/// What the page's searches after breadth-first search scale their limits
/// from (`Options::keyed_states`): they keep a key per state, not a
/// simulator, so it is not the memory-bound limit above. Enough for the
/// narrow bounds' 12-move `log_guards` and `force_respects_vote_rule` runs
/// (found at 261,278 and 359,043 states of the 400,000 this allows), as
/// the CLI finds them.
pub const PAGE_KEYED_STATES: u64 = 200_000;

#[derive(Serialize)]
struct ShapeInfo {
    name: &'static str,
    members: Vec<Member>,
    bounds: Bounds,
}

#[derive(Serialize)]
struct GoalInfo {
    name: &'static str,
    describe: &'static str,
}

impl From<Goal> for GoalInfo {
    fn from(goal: Goal) -> GoalInfo {
        GoalInfo { name: goal.name(), describe: goal.describe() }
    }
}

#[derive(Serialize)]
struct SwitchInfo {
    name: &'static str,
    /// Off, committed entries are no longer guaranteed safe
    /// (`Switches::keep_committed_safe`).
    guards_safety: bool,
}

/// What the page's form offers, from the explorer itself:
/// `{shapes: [{name, members, bounds}], stages: [{name, describe}] (of the
/// default search, in order), goals: [{name, describe}],
/// switches: [{name, guards_safety}], max_depth, max_states,
/// default_max_states, default_walks}`.
#[wasm_bindgen(js_name = exploreCatalog)]
pub fn explore_catalog() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct StageInfo {
        name: explore::Stage,
        describe: &'static str,
    }
    #[derive(Serialize)]
    struct Catalog {
        shapes: Vec<ShapeInfo>,
        stages: Vec<StageInfo>,
        goals: Vec<GoalInfo>,
        switches: Vec<SwitchInfo>,
        max_depth: u64,
        max_states: u64,
        default_max_states: u64,
        default_walks: u64,
        default_walk_seed: u64,
    }
    let shapes = Shape::NAMES
        .iter()
        .filter_map(|name| Shape::parse(name).ok())
        .map(|shape| ShapeInfo { name: shape.name(), members: shape.members(), bounds: Bounds::new(shape) })
        .collect();
    let goals = Goal::NAMES.iter().filter_map(|name| Goal::parse(name).ok()).map(GoalInfo::from).collect();
    let switches = Switches::NAMES
        .iter()
        .map(|&name| {
            let mut off = Switches::default();
            if let Some(on) = off.by_name_mut(name) {
                *on = false;
            }
            SwitchInfo { name, guards_safety: !off.keep_committed_safe() }
        })
        .collect();
    let stages =
        explore::Stage::ALL.iter().map(|&name| StageInfo { name, describe: name.describe() }).collect();
    to_js(&Catalog {
        shapes,
        stages,
        goals,
        switches,
        max_depth: explore::MAX_DEPTH,
        max_states: PAGE_MAX_STATES,
        default_max_states: PAGE_DEFAULT_STATES,
        default_walks: explore::DEFAULT_WALKS,
        default_walk_seed: explore::DEFAULT_WALK_SEED,
    })
}

/// A small count of a bound (a `u8` in [`Bounds`]).
const SMALL: Int = Int { what: "a whole number from 0 to 255", min: 0, max: u8::MAX as u64, unit: "" };
const DEPTH: Int = Int { what: "a number of moves", min: 1, max: explore::MAX_DEPTH, unit: " moves" };
const IN_FLIGHT: Int = Int { what: "a number of messages", min: 1, max: 64, unit: " messages" };
const TERM: Int = Int { what: "a term", min: 1, max: 1000, unit: "" };
const STATES: Int = Int { what: "a number of states", min: 1, max: PAGE_MAX_STATES, unit: " states" };
const WALKS: Int = Int { what: "a number of walks", min: 1, max: explore::DEFAULT_WALKS, unit: " walks" };

/// Field `key` of `f` as an integer of `spec`'s range, unless absent or `null`.
fn int_field(f: &Fields, key: &str, spec: &Int) -> Result<Option<u64>, String> {
    f.present(key).map(|(v, p)| path::int(v, &p, spec)).transpose()
}

/// Reads the page's request into explorer options: `{shape, goal, off,
/// bounds: {depth, writes, crashes, drops, duplicates, handovers,
/// snapshots, in_flight, term}, max_states, walks: {seed, count}}`, every
/// field but `shape` optional (a bound left out keeps the shape's
/// default). Breadth-first on one thread; if `walks` is given, the CLI's
/// default search (narrow bounds, random walks, the searches for a shorter
/// run) when it finds nothing. The explorer's own validation runs on top.
fn read_request(request: &Json) -> Result<Options, String> {
    let f = Fields::of(request, "")?;
    let (v, p) = f.field("shape", "a shape name")?;
    let shape = Shape::NAMES[path::one_of(v, &p, "shape", &Shape::NAMES)?];
    let mut options = Options::new(Shape::parse(shape)?);
    options.threads = 1; // a worker's wasm has no threads
    options.max_states = PAGE_DEFAULT_STATES;
    options.keyed_states = PAGE_KEYED_STATES;
    options.search = Search::Breadth;
    if let Some((v, p)) = f.present("goal") {
        options.goal = Some(Goal::parse(Goal::NAMES[path::one_of(v, &p, "goal", &Goal::NAMES)?])?);
    }
    if let Some((off, p)) = f.present("off") {
        let names = path::array(off, &p, Switches::NAMES.len())?;
        options.off = names
            .iter()
            .enumerate()
            .map(|(i, name)| path::text(name, &path::item_path(&p, i)))
            .collect::<Result<_, _>>()?;
    }
    if let Some((bounds, p)) = f.present("bounds") {
        read_bounds(&Fields::of(bounds, &p)?, &mut options.bounds)?;
    }
    if let Some(n) = int_field(&f, "max_states", &STATES)? {
        options.max_states = n;
    }
    if let Some((walks, p)) = f.present("walks") {
        let w = Fields::of(walks, &p)?;
        let mut walks = Walks::default();
        if let Some(seed) = w.optional("seed", |v, p| path::uint(v, p, "a seed"))? {
            walks.seed = seed;
        }
        if let Some(count) = int_field(&w, "count", &WALKS)? {
            walks.count = count;
        }
        options.search = Search::Both(walks);
    }
    options.validate()?;
    Ok(options)
}

fn read_bounds(f: &Fields, b: &mut Bounds) -> Result<(), String> {
    if let Some(n) = int_field(f, "depth", &DEPTH)? {
        b.depth = n;
    }
    for (key, field) in [
        ("writes", &mut b.writes),
        ("crashes", &mut b.crashes),
        ("drops", &mut b.drops),
        ("duplicates", &mut b.duplicates),
        ("handovers", &mut b.handovers),
        ("snapshots", &mut b.snapshots),
    ] {
        if let Some(n) = int_field(f, key, &SMALL)? {
            *field = n as u8;
        }
    }
    if let Some(n) = int_field(f, "in_flight", &IN_FLIGHT)? {
        b.in_flight = n as usize;
    }
    if let Some(n) = int_field(f, "term", &TERM)? {
        b.term = n;
    }
    Ok(())
}

/// The path found, as the CLI prints it and the file it writes.
#[derive(Serialize)]
struct CounterexampleJson {
    /// The property broken, or the goal's name.
    property: String,
    /// One line per move (`describe_move`).
    moves: Vec<String>,
    /// The scenario file that replays it, as `quorumscope explore` writes it.
    scenario: String,
}

/// What a search reports: the options' summary the CLI prints, the
/// explorer's own report, and the run.
#[derive(Serialize)]
struct ReportJson<'a> {
    shape: &'static str,
    switches: String,
    bounds: String,
    symmetry: bool,
    goal: Option<GoalInfo>,
    max_states: u64,
    walk_seed: Option<u64>,
    /// `Report::found_by`, if a run was found.
    found_by: Option<&'static str>,
    /// `Report::length_known`: what is proven of the run's length.
    length_known: Vec<String>,
    #[serde(flatten)]
    report: &'a Report,
    counterexample: Option<CounterexampleJson>,
}

/// `report` as the page reads it; `so_far`: a run the search still held
/// when it was stopped (see `explore::explore_telling`), not its end.
fn report_json<'a>(options: &Options, report: &'a Report, so_far: bool) -> ReportJson<'a> {
    let counterexample = report.counterexample.as_ref().map(|cx| CounterexampleJson {
        moves: cx.moves.iter().map(|(tick, mv)| describe_move(*tick, mv)).collect(),
        scenario: cx.scenario.to_json(),
        property: cx.property.clone(),
    });
    ReportJson {
        shape: options.shape.name(),
        switches: options.describe_switches(),
        bounds: options.bounds.describe(),
        symmetry: options.symmetry,
        goal: options.goal.map(GoalInfo::from),
        max_states: options.max_states,
        walk_seed: match options.search {
            Search::Walk(w) | Search::Both(w) => Some(w.seed),
            Search::Breadth => None,
        },
        found_by: counterexample.as_ref().map(|_| report.found_by()),
        length_known: match (&counterexample, so_far) {
            (None, _) => Vec::new(),
            (Some(_), false) => report.length_known(),
            (Some(_), true) => report.length_known_so_far(),
        },
        report,
        counterexample,
    }
}

/// Explores as `request` says (see [`read_request`]) and returns the
/// report (`{states, depth, violations, …, counterexample: {property,
/// moves, scenario}}`). `progress` is called with `{stage, depth, states,
/// transitions, frontier, walks, expanded}` after each depth, every 2,048
/// states expanded within one (`expanded` of `frontier`), and every 100
/// random walks; the search stops, reporting what it has, if it returns `false`
/// or throws. `found`, if given, is called with each run the search holds
/// before it ends, as a report in the same shape that says what is known of
/// the run so far (`explore::explore_telling`): the page keeps the last,
/// for a Cancel that ends the worker during the slower later searches.
/// Bad requests are errors naming the field.
#[wasm_bindgen]
pub fn explore(
    request: JsValue,
    progress: &js_sys::Function,
    found: Option<js_sys::Function>,
) -> Result<JsValue, JsError> {
    let options = from_js(&request).and_then(|r| read_request(&r)).map_err(|e| JsError::new(&e))?;
    let report = explore::explore_telling(
        &options,
        |p| {
            let Ok(value) = to_js(p) else { return false };
            progress.call1(&JsValue::NULL, &value).is_ok_and(|keep_going| keep_going.as_bool() != Some(false))
        },
        |so_far| {
            if let (Some(found), Ok(value)) = (&found, to_js(&report_json(&options, so_far, true))) {
                // A throwing listener only loses this report: the search goes on.
                let _ = found.call1(&JsValue::NULL, &value);
            }
        },
    )
    .map_err(|e| JsError::new(&e))?;
    to_js(&report_json(&options, &report, false))
}

/// Runs two scenarios (JSON) side by side until the later `run_until` and
/// returns the comparison (`crate::compare`): the first divergence,
/// explained, and the summary rows. The error names the field (the page
/// has loaded both scenarios already, so it knows which one is wrong).
#[wasm_bindgen(js_name = compareScenarios)]
pub fn compare_scenarios(a: &str, b: &str) -> Result<JsValue, JsError> {
    let a = scenario::parse(a).map_err(|e| JsError::new(&e))?;
    let b = scenario::parse(b).map_err(|e| JsError::new(&e))?;
    let until = crate::compare::default_until(&a, &b);
    to_js(&crate::compare::compare(&a, &b, until).map_err(|e| JsError::new(&e))?)
}

/// Trial `k` (from 0) of the Raft paper's Figure 16 on the paper's testbed,
/// seeded as `quorumscope elect-times` seeds it: ms from the leader's crash
/// to a new leader; -1 when none within the cap; -2 when the cluster never
/// had a leader in office to crash.
#[wasm_bindgen(js_name = electTrial)]
pub fn elect_trial(min: u32, max: u32, k: f64, paper: bool) -> Result<i32, JsError> {
    let range = elect_times::TimeoutRange { min: u64::from(min), max: u64::from(max) };
    range.validate().map_err(|e| JsError::new(&e))?;
    let testbed = elect_times::Testbed::PAPER;
    Ok(match elect_times::trial(&testbed, range, elect_times::trial_seed(k as u64), paper) {
        elect_times::Outcome::Elected(ms) => ms as i32,
        elect_times::Outcome::NoLeader => -1,
        elect_times::Outcome::NeverLed => -2,
    })
}

/// A recorded trace played back (`sim::Replay`): the picture at each
/// position, folded from the trace's own facts, for traces that cannot be
/// re-simulated such as a real cluster's. The page wraps it in the
/// simulator's interface (www/trace-replay.js).
#[wasm_bindgen]
pub struct Replay(sim::Replay);

#[wasm_bindgen]
impl Replay {
    /// Reads a trace in JSON lines; the error names the line.
    #[wasm_bindgen(js_name = fromTrace)]
    pub fn from_trace(text: &str) -> Result<Replay, JsError> {
        let events = sim::import_json_lines(text).map_err(|e| JsError::new(&e))?;
        Ok(Replay(sim::Replay::new(events)))
    }

    /// The trace's events.
    pub fn events(&self) -> Result<JsValue, JsError> {
        to_js(self.0.events())
    }

    /// Moves to the picture after the first `pos` events.
    pub fn seek(&mut self, pos: u32) {
        self.0.seek(pos as usize);
    }

    /// The picture, as `Cluster.state()` gives it.
    pub fn state(&self) -> Result<JsValue, JsError> {
        to_js(&self.0.view())
    }
}
