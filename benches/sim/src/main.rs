//! Simulator speed and scale, natively: steps per second and simulated time
//! per wall-clock second under a fault campaign's workload (checker on),
//! the time a 10,000-seed `quorumscope check` takes, and how steps/s and
//! resident memory scale with cluster size and with log length (snapshots
//! on and off). Prints Markdown rows in the peer bench's columns
//! (`| figure | quorumscope | raft-rs | ratio | target |`, the peer cells
//! empty).
//!
//! Every workload runs in a child process of this binary (`--case`), so
//! each resident-memory figure is that workload's alone.
//!
//! Flags: `--quick` shrinks every workload about 10×; `--rows-only` leaves
//! out the table header (for `make bench`, which joins several tables);
//! `--json FILE` also writes the native 5- and 9-node figures and their
//! scenarios, for `tools/wasm-bench.mjs` to replay in wasm.

use std::fmt::Write as _;
use std::process::Command as Process;
use std::time::Instant;

use quorumscope::campaign::{scenario_for, CampaignOptions};
use quorumscope::scenario::Scenario;
use quorumscope::sim::{Command, Sim, SimConfig, Timeline};

/// The seed every workload derives from.
const SEED: u64 = 7;
/// Child runs per workload; the fastest is reported.
const RUNS: usize = 3;
/// Cluster sizes the fault workload runs at.
const CLUSTER_SIZES: [u64; 3] = [5, 9, 15];
/// Cluster sizes whose scenarios `--json` hands to the wasm bench.
const WASM_SIZES: [u64; 2] = [5, 9];
/// Applied entries between snapshots when snapshots are on.
const SNAPSHOT_EVERY: u64 = 1000;
/// Writes the log-length workload keeps in flight.
const WRITES_IN_FLIGHT: usize = 32;

/// The command line.
#[derive(Default)]
struct Options {
    quick: bool,
    rows_only: bool,
    json: Option<String>,
    case: Option<String>,
}

/// One workload.
#[derive(Clone, Copy)]
enum Case {
    /// A fault campaign's script replayed on `nodes` nodes; snapshots every
    /// `snapshot` applied entries (0: off, as campaigns run).
    Faults { nodes: u64, snapshot: u64 },
    /// Five quiet nodes whose log first grows to `entries` acknowledged
    /// writes; snapshots every `snapshot` applied entries (0: off).
    Log { entries: u64, snapshot: u64 },
}

/// What one workload measured.
struct Measure {
    steps: u64,
    ticks: u64,
    secs: f64,
    rss_kb: u64,
}

impl Measure {
    fn steps_per_sec(&self) -> f64 {
        self.steps as f64 / self.secs
    }

    /// Simulated milliseconds per wall-clock millisecond (1 tick = 1 ms).
    fn real_time_factor(&self) -> f64 {
        self.ticks as f64 / self.secs / 1000.0
    }
}

fn main() {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("quorumscope-simbench: {e}\nusage: quorumscope-simbench [--quick] [--rows-only] [--json FILE]");
            std::process::exit(2);
        }
    };
    let result = match &options.case {
        Some(case) => run_child(case, options.quick),
        None => run_parent(&options),
    };
    if let Err(e) = result {
        eprintln!("quorumscope-simbench: {e}");
        std::process::exit(1);
    }
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Options, String> {
    let mut options = Options::default();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => options.quick = true,
            "--rows-only" => options.rows_only = true,
            "--json" => options.json = Some(args.next().ok_or("--json needs a file")?),
            "--case" => options.case = Some(args.next().ok_or("--case needs a workload")?),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(options)
}

// ---- Workloads (run in the child) -------------------------------------------

impl Case {
    fn arg(self) -> String {
        match self {
            Case::Faults { nodes, snapshot } => format!("faults:{nodes}:{snapshot}"),
            Case::Log { entries, snapshot } => format!("log:{entries}:{snapshot}"),
        }
    }

    fn parse(text: &str) -> Option<Case> {
        let parts: Vec<u64> = text.split(':').skip(1).map(str::parse).collect::<Result<_, _>>().ok()?;
        match (text.split(':').next()?, parts.as_slice()) {
            ("faults", [nodes, snapshot]) => Some(Case::Faults { nodes: *nodes, snapshot: *snapshot }),
            ("log", [entries, snapshot]) => Some(Case::Log { entries: *entries, snapshot: *snapshot }),
            _ => None,
        }
    }
}

/// Steps the fault workload takes.
fn fault_steps(quick: bool) -> u64 {
    if quick {
        50_000
    } else {
        500_000
    }
}

/// Steps timed once the log has reached its length.
fn log_window(quick: bool) -> u64 {
    if quick {
        20_000
    } else {
        200_000
    }
}

/// Runs one workload and prints its figures as `key=value` words.
fn run_child(case: &str, quick: bool) -> Result<(), String> {
    let case = Case::parse(case).ok_or_else(|| format!("--case {case:?}: unknown workload"))?;
    let m = match case {
        Case::Faults { nodes, snapshot } => run_faults(nodes, snapshot, fault_steps(quick))?,
        Case::Log { entries, snapshot } => run_log(entries, snapshot, log_window(quick))?,
    };
    println!("steps={} ticks={} secs={} rss_kb={}", m.steps, m.ticks, m.secs, m.rss_kb);
    Ok(())
}

/// A fault campaign's seed as a replayable scenario: partitions, cut links,
/// crashes and restarts, drops, duplicates, delays, writes and handovers.
fn fault_scenario(nodes: u64, steps: u64) -> Result<Scenario, String> {
    scenario_for(SEED, &CampaignOptions { steps, nodes, witness: Some(false), off: Vec::new(), basic: true })
}

fn run_faults(nodes: u64, snapshot: u64, steps: u64) -> Result<Measure, String> {
    let mut scenario = fault_scenario(nodes, steps)?;
    scenario.cluster.snapshot_threshold = snapshot;
    let mut sim = scenario.build().map_err(|e| e.0)?;
    let start = Instant::now();
    step_until(&mut sim, steps);
    let secs = start.elapsed().as_secs_f64();
    Ok(Measure { steps, ticks: sim.now(), secs, rss_kb: rss_kb() })
}

/// The timed loop, kept out of line so a profiler can count it alone
/// (`valgrind --tool=callgrind --toggle-collect='*step_until*'`), apart from
/// recording the scenario.
#[inline(never)]
fn step_until(sim: &mut Sim, steps: u64) {
    // One events buffer for the whole run, as a host that drops each step's
    // events would keep: `step` would allocate and grow a fresh one per step.
    let mut events = Vec::new();
    while sim.step_count() < steps {
        events.clear();
        sim.step_into(&mut events);
        std::hint::black_box(&events);
    }
}

fn run_log(entries: u64, snapshot: u64, window: u64) -> Result<Measure, String> {
    let mut config = SimConfig::with_nodes(5, SEED);
    config.snapshot_threshold = snapshot;
    let mut sim = Sim::new(config).map_err(|e| e.0)?;
    let mut written = 0;
    let limit = entries.saturating_mul(1000);
    while (sim.acked().len() as u64) < entries {
        if sim.step_count() > limit {
            return Err(format!("the log did not reach {entries} entries in {limit} steps"));
        }
        write_and_step(&mut sim, &mut written);
    }
    let (ticks, start) = (sim.now(), Instant::now());
    for _ in 0..window {
        write_and_step(&mut sim, &mut written);
    }
    let secs = start.elapsed().as_secs_f64();
    Ok(Measure { steps: window, ticks: sim.now() - ticks, secs, rss_kb: rss_kb() })
}

/// Keeps a few client writes in flight (refused ones while there is no
/// leader are simply retried), then takes one step.
fn write_and_step(sim: &mut Sim, written: &mut u64) {
    if sim.pending_writes().len() < WRITES_IN_FLIGHT {
        let value = format!("k{}={}", *written % 16, *written);
        if sim.command(&Command::Write { value, node: None }).is_ok() {
            *written += 1;
        }
    }
    std::hint::black_box(sim.step());
}

/// This process's resident memory in KB (`VmRSS`), 0 where unknown.
fn rss_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

// ---- The table (the parent) -------------------------------------------------

fn run_parent(options: &Options) -> Result<(), String> {
    if !options.rows_only {
        println!("| figure | quorumscope | raft-rs | ratio | target |");
        println!("| --- | ---: | ---: | ---: | --- |");
    }
    let mut native = Vec::new();
    for nodes in CLUSTER_SIZES {
        let m = measure(Case::Faults { nodes, snapshot: 0 }, options.quick)?;
        print_fault_rows(nodes, &m, options.quick);
        native.push((nodes, m.steps_per_sec()));
    }
    print_snapshot_fault_rows(options.quick)?;
    for nodes in WASM_SIZES {
        print_timeline_row(nodes, options.quick)?;
    }
    print_check_row(options.quick)?;
    print_log_rows(options.quick)?;
    if let Some(path) = &options.json {
        write_json(path, &native, options.quick)?;
    }
    Ok(())
}

/// Runs `case` in a child process `RUNS` times and keeps the fastest run:
/// on a shared machine other work only ever adds time.
fn measure(case: Case, quick: bool) -> Result<Measure, String> {
    let mut best = measure_once(case, quick)?;
    for _ in 1..RUNS {
        let m = measure_once(case, quick)?;
        if m.secs < best.secs {
            best = m;
        }
    }
    Ok(best)
}

/// Runs `case` in a child process and reads its figures back.
fn measure_once(case: Case, quick: bool) -> Result<Measure, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut child = Process::new(exe);
    child.args(["--case", &case.arg()]);
    if quick {
        child.arg("--quick");
    }
    let out = child.output().map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!("workload {}: {}", case.arg(), String::from_utf8_lossy(&out.stderr)));
    }
    let field = |key: &str| -> Result<f64, String> {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(key)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("workload {}: no {key} in {text:?}", case.arg()))
    };
    Ok(Measure {
        steps: field("steps")? as u64,
        ticks: field("ticks")? as u64,
        secs: field("secs")?,
        rss_kb: field("rss_kb")? as u64,
    })
}

fn print_fault_rows(nodes: u64, m: &Measure, quick: bool) {
    let what = format!("{nodes} nodes, faults, checker on, {} steps", group(fault_steps(quick)));
    let target = if nodes == 5 { "≥ 1000× real time at 5 nodes" } else { "" };
    row(&format!("simulator steps/s, {what}"), &group(m.steps_per_sec() as u64), "");
    row(
        &format!("simulated time per wall-clock second, {what}"),
        &format!("{}× real time", group(m.real_time_factor() as u64)),
        target,
    );
    row(&format!("resident memory, {what}"), &megabytes(m.rss_kb), "");
}

/// The 5-node fault workload with snapshots on: campaigns never snapshot,
/// so every restart replays a whole log, and over a long run the logs (and
/// the per-step cost) grow; this shows the same faults on bounded logs.
fn print_snapshot_fault_rows(quick: bool) -> Result<(), String> {
    let m = measure(Case::Faults { nodes: 5, snapshot: SNAPSHOT_EVERY }, quick)?;
    let what = format!(
        "5 nodes, faults, checker on, snapshots every {} entries, {} steps",
        group(SNAPSHOT_EVERY),
        group(fault_steps(quick))
    );
    row(&format!("simulator steps/s, {what}"), &group(m.steps_per_sec() as u64), "");
    row(
        &format!("simulated time per wall-clock second, {what}"),
        &format!("{}× real time", group(m.real_time_factor() as u64)),
        "≥ 1000× real time at 5 nodes",
    );
    Ok(())
}

/// Steps/s of the fault workload through a `Timeline` (trace and
/// checkpoints kept), the path the wasm bindings step along; the fastest
/// of `RUNS` runs.
fn print_timeline_row(nodes: u64, quick: bool) -> Result<(), String> {
    let steps = fault_steps(quick);
    let scenario = fault_scenario(nodes, steps)?;
    let mut rate: f64 = 0.0;
    for _ in 0..RUNS {
        let mut timeline = Timeline::new(scenario.build().map_err(|e| e.0)?);
        let start = Instant::now();
        while timeline.sim().step_count() < steps {
            std::hint::black_box(timeline.step());
        }
        rate = rate.max(steps as f64 / start.elapsed().as_secs_f64());
    }
    let what = format!("{nodes} nodes, faults, {} steps", group(steps));
    row(
        &format!("simulator steps/s through a Timeline (the bindings' path), {what}"),
        &group(rate as u64),
        "",
    );
    Ok(())
}

/// Times `quorumscope check` (the release binary next to this one) on
/// every core.
fn print_check_row(quick: bool) -> Result<(), String> {
    let seeds = if quick { 1_000 } else { 10_000 };
    let exe = std::env::current_exe().map_err(|e| e.to_string())?.with_file_name("quorumscope");
    let figure = format!("`quorumscope check --seeds {} --steps 3000`, all cores", group(seeds));
    let target = "< 10 min at 10,000 seeds";
    if !exe.exists() {
        row(&figure, "not built (`cargo build --release`)", target);
        return Ok(());
    }
    let start = Instant::now();
    let status = Process::new(&exe)
        .args(["check", "--seeds", &seeds.to_string(), "--steps", "3000"])
        .stdout(std::process::Stdio::null())
        .status()
        .map_err(|e| format!("{}: {e}", exe.display()))?;
    let secs = start.elapsed().as_secs_f64();
    // A violation found makes `check` exit 1; the time still counts.
    let note = if status.success() { "" } else { " (violations found)" };
    row(&figure, &format!("{secs:.1} s{note}"), target);
    Ok(())
}

fn print_log_rows(quick: bool) -> Result<(), String> {
    let lengths: [u64; 2] = if quick { [1_000, 10_000] } else { [10_000, 100_000] };
    for snapshot in [SNAPSHOT_EVERY, 0] {
        let how = match snapshot {
            0 => "snapshots off".to_string(),
            n => format!("snapshot every {} entries", group(n)),
        };
        for entries in lengths {
            let m = measure(Case::Log { entries, snapshot }, quick)?;
            let what = format!("5 nodes, {} log entries, {how}", group(entries));
            let target = if snapshot == 0 { "" } else { "flat in log length" };
            row(&format!("simulator steps/s, {what}"), &group(m.steps_per_sec() as u64), target);
            row(&format!("resident memory, {what}"), &megabytes(m.rss_kb), target);
        }
    }
    Ok(())
}

/// Writes the native figures and the scenarios they ran, for the wasm
/// bench: `{"quick", "steps", "native": {"5": steps/s}, "scenarios": {"5": …}}`.
fn write_json(path: &str, native: &[(u64, f64)], quick: bool) -> Result<(), String> {
    let steps = fault_steps(quick);
    let mut figures = Vec::new();
    let mut scenarios = Vec::new();
    for (nodes, sps) in native.iter().filter(|(n, _)| WASM_SIZES.contains(n)) {
        figures.push(format!("\"{nodes}\": {sps:.0}"));
        scenarios.push(format!("\"{nodes}\": {}", fault_scenario(*nodes, steps)?.to_json()));
    }
    let mut json = String::new();
    let _ = write!(
        json,
        "{{\"quick\": {quick}, \"steps\": {steps}, \"native\": {{{}}}, \"scenarios\": {{{}}}}}",
        figures.join(", "),
        scenarios.join(", ")
    );
    std::fs::write(path, json).map_err(|e| format!("{path}: {e}"))
}

// ---- Formatting ---------------------------------------------------------------

/// One table row with the peer and ratio cells empty (an empty target is
/// shown as "—", as the peer bench does).
fn row(figure: &str, ours: &str, target: &str) {
    let target = if target.is_empty() { "—" } else { target };
    println!("| {figure} | {ours} | | | {target} |");
}

/// `1234567` as `1,234,567`.
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn megabytes(kb: u64) -> String {
    format!("{:.1} MB", kb as f64 / 1000.0)
}
