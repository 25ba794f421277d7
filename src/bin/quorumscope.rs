//! The `quorumscope` command line: run scenarios, list the library, run
//! fault campaigns (SCENARIO.md, "The CLI").

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use quorumscope::campaign::{self, CampaignOptions, SeedReport};
use quorumscope::compare;
use quorumscope::elect_times::{self as fig16, TimeoutRange};
use quorumscope::lanes::{self, LanesOptions};
use quorumscope::scenario::{self, Scenario};
use quorumscope::sim::{Timeline, TraceBody};

/// Prints a line; a closed pipe (say, `| head`) ends output quietly
/// instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

/// Prints without a newline, like `say!`.
macro_rules! say_raw {
    ($($arg:tt)*) => {{
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

const USAGE: &str = "usage:
  quorumscope run <built-in name | file.json> [--seed N] [--until T] [--json] [--brief]
      [--lanes [--heartbeats]]   (a text sequence diagram: one column per node)
  quorumscope diff <A: name | a.json> <B: name | b.json> [--seed N] [--until T]
  quorumscope list
  quorumscope check --seeds N [--from S] [--steps M] [--nodes K] [--witness] [--off SWITCH]...
  quorumscope explore <three | five | witness | learner | joint> [--depth N] [--off SWITCH]...
      [--goal NAME] [--bfs-only | --walk SEED] [--seed N] [--walks N] [--walk-depth N] [--walk-in-flight N]
      [--threads N] [--no-symmetry] [--out FILE]
      [--writes N] [--crashes N] [--drops N] [--duplicates N] [--handovers N] [--snapshots N]
      [--in-flight N] [--term N] [--max-states N]
  quorumscope elect-times [--trials N] [--ours] [--ticks-per-ms K] [--csv]
  quorumscope node | cluster up/down | merge | check-trace ...  (a real cluster: quorumscope-node)";

/// Exit codes: 0 clean, 1 a violation (for `diff`: the runs differ), 2 bad
/// input.
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
        Some("diff") => diff(&args[1..]),
        Some("list") => list(),
        Some("check") => check(&args[1..]),
        Some("elect-times") => elect_times(&args[1..]),
        Some("explore") => explore(&args[1..]),
        Some("node" | "cluster" | "merge" | "check-trace") => return real_cluster(&args),
        Some("help" | "--help" | "-h") => {
            say!("{USAGE}");
            Ok(true)
        }
        Some(other) => Err(format!("unknown command {other:?}\n{USAGE}")),
        None => Err(USAGE.to_string()),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("quorumscope: {message}");
            ExitCode::from(2)
        }
    }
}

/// The real-cluster commands live in the `quorumscope-node` binary (the
/// `node/` workspace crate), built next to this one, so that neither this
/// binary nor the wasm build links its network and checksum crates.
fn real_cluster(args: &[String]) -> ExitCode {
    let sibling = std::env::current_exe().ok().and_then(|exe| Some(exe.parent()?.join("quorumscope-node")));
    let Some(exe) = sibling.filter(|p| p.is_file()) else {
        eprintln!("quorumscope: {} needs the quorumscope-node binary next to this one: cargo build --release --workspace", args[0]);
        return ExitCode::from(2);
    };
    let mut cmd = std::process::Command::new(&exe);
    cmd.args(args);
    #[cfg(unix)]
    {
        // Become the node process, so that a signal to this pid (kill -9
        // in a crash test) reaches the node itself.
        use std::os::unix::process::CommandExt;
        let err = cmd.exec();
        eprintln!("quorumscope: {}: {err}", exe.display());
        ExitCode::from(2)
    }
    #[cfg(not(unix))]
    match cmd.status() {
        Ok(status) => ExitCode::from(status.code().unwrap_or(2) as u8),
        Err(err) => {
            eprintln!("quorumscope: {}: {err}", exe.display());
            ExitCode::from(2)
        }
    }
}

/// Parses `--flag value` as a number.
fn number(args: &[String], i: &mut usize, flag: &str) -> Result<u64, String> {
    *i += 1;
    let raw = args.get(*i).ok_or_else(|| format!("{flag} needs a number"))?;
    raw.parse().map_err(|_| format!("{flag} {raw:?}: not a non-negative integer"))
}

fn load(source: &str) -> Result<Scenario, String> {
    if let Some(s) = scenario::builtin(source) {
        return Ok(s);
    }
    if !source.ends_with(".json") && !std::path::Path::new(source).exists() {
        let names: Vec<&str> = scenario::builtin_names().collect();
        return Err(format!("{source:?} is neither a built-in scenario ({}) nor a file", names.join(", ")));
    }
    let text = std::fs::read_to_string(source).map_err(|e| format!("{source}: {e}"))?;
    scenario::parse(&text).map_err(|e| format!("{source}: {e}"))
}

fn run(args: &[String]) -> Result<bool, String> {
    let (mut source, mut seed, mut until, mut json, mut brief) = (None, None, None, false, false);
    let (mut lanes, mut lanes_options) = (false, LanesOptions::default());
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--seed" => seed = Some(number(args, &mut i, "--seed")?),
            "--until" => until = Some(number(args, &mut i, "--until")?),
            "--json" => json = true,
            "--brief" => brief = true,
            "--lanes" => lanes = true,
            "--heartbeats" => lanes_options.heartbeats = true,
            flag if flag.starts_with("--") => return Err(format!("run: unknown option {flag}")),
            name if source.is_none() => source = Some(name.to_string()),
            extra => return Err(format!("run: unexpected argument {extra:?}")),
        }
        i += 1;
    }
    let source = source.ok_or("run needs a built-in scenario name or a file.json")?;
    if lanes_options.heartbeats && !lanes {
        return Err("run: --heartbeats draws heartbeats in the --lanes diagram; add --lanes".into());
    }
    if lanes && (json || brief) {
        return Err("run: --lanes prints a diagram; it does not combine with --json or --brief".into());
    }
    let mut scenario = load(&source)?;
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    let until = until.unwrap_or(scenario.run_until);
    let members: Vec<u64> = scenario.cluster.members.iter().map(|m| m.id).collect();
    let sim = scenario.build().map_err(|e| e.0)?;
    let mut timeline = Timeline::new(sim);
    if lanes {
        let (events, clean) = run_to_end(&mut timeline, until);
        say_raw!("{}", lanes::render(&events, &members, lanes_options));
        return Ok(clean);
    }
    let out = std::io::stdout();
    let mut out = out.lock();
    let mut clean = true;
    // Bounded: a run of `until` ticks takes at most this many steps.
    let max_steps = until.saturating_mul(10_000).max(1_000_000);
    while timeline.sim().now() < until && timeline.sim().step_count() < max_steps {
        for e in timeline.step() {
            let noisy = matches!(
                e.body,
                TraceBody::MessageSent { .. }
                    | TraceBody::MessageDelivered { .. }
                    | TraceBody::EntryAppended { .. }
                    | TraceBody::Applied { .. }
            );
            let line = if json {
                e.to_json_line()
            } else if brief && noisy {
                continue;
            } else {
                format!("[step {} tick {}] {}", e.step, e.tick, e.text)
            };
            if writeln!(out, "{line}").is_err() {
                return Ok(clean);
            }
            if matches!(e.body, TraceBody::Violation { .. }) {
                clean = false;
            }
        }
        if !clean {
            break;
        }
    }
    Ok(clean)
}

/// Runs two scenario files with the same seed and prints the first step
/// where their traces differ, then what differs by the end. Like diff(1):
/// `Ok(false)` (exit 1) when the runs differ, `Ok(true)` when they match.
fn diff(args: &[String]) -> Result<bool, String> {
    let (mut sources, mut seed, mut until) = (Vec::new(), None, None);
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--seed" => seed = Some(number(args, &mut i, "--seed")?),
            "--until" => until = Some(number(args, &mut i, "--until")?),
            flag if flag.starts_with("--") => return Err(format!("diff: unknown option {flag}")),
            name if sources.len() < 2 => sources.push(name.to_string()),
            extra => return Err(format!("diff: unexpected argument {extra:?}")),
        }
        i += 1;
    }
    let [a, b] = &sources[..] else {
        return Err("diff needs two scenarios: quorumscope diff A.json B.json".into());
    };
    let (mut scenario_a, mut scenario_b) = (load(a)?, load(b)?);
    // One seed for both, so that the only difference is the files'.
    let seed = seed.unwrap_or(scenario_a.seed);
    scenario_a.seed = seed;
    scenario_b.seed = seed;
    let until = until.unwrap_or_else(|| compare::default_until(&scenario_a, &scenario_b));
    let comparison = compare::compare(&scenario_a, &scenario_b, until)?;
    say!("A: {a}\nB: {b}\nseed {seed}, until tick {until}");
    match &comparison.divergence {
        Some(d) => {
            say!("first divergence: {}", d.headline);
            for e in &d.only_a {
                say!("  only in A: [step {} tick {}] {}", e.step, e.tick, e.text);
            }
            for e in &d.only_b {
                say!("  only in B: [step {} tick {}] {}", e.step, e.tick, e.text);
            }
        }
        None => say!("no divergence: the two traces are identical"),
    }
    for row in &comparison.summary {
        if row.same {
            say!("same  {}: {}", row.topic, row.a);
        } else {
            say!("DIFF  {}:\n        A: {}\n        B: {}", row.topic, row.a, row.b);
        }
    }
    Ok(comparison.divergence.is_none())
}

/// Runs to `until` (or the first violation), keeping the whole trace; true
/// when no violation was found.
fn run_to_end(timeline: &mut Timeline, until: u64) -> (Vec<quorumscope::sim::TraceEvent>, bool) {
    let mut events = Vec::new();
    // Bounded like `run`'s loop.
    let max_steps = until.saturating_mul(10_000).max(1_000_000);
    while timeline.sim().now() < until && timeline.sim().step_count() < max_steps {
        let step = timeline.step();
        let violated = step.iter().any(|e| matches!(e.body, TraceBody::Violation { .. }));
        events.extend_from_slice(step);
        if violated {
            return (events, false);
        }
    }
    (events, true)
}

fn list() -> Result<bool, String> {
    for name in scenario::builtin_names() {
        let title = scenario::builtin(name).map(|s| s.title).unwrap_or_default();
        say!("{name}: {title}");
    }
    Ok(true)
}

fn check(args: &[String]) -> Result<bool, String> {
    let (mut seeds, mut from) = (None, 0);
    let mut options = CampaignOptions::default();
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--seeds" => seeds = Some(number(args, &mut i, "--seeds")?),
            "--from" => from = number(args, &mut i, "--from")?,
            "--steps" => options.steps = number(args, &mut i, "--steps")?,
            "--nodes" => options.nodes = number(args, &mut i, "--nodes")?,
            "--witness" => options.witness = Some(true),
            "--basic" => options.basic = true,
            "--off" => {
                i += 1;
                options.off.push(args.get(i).ok_or("--off needs a switch name")?.clone());
            }
            other => return Err(format!("check: unknown argument {other:?}")),
        }
        i += 1;
    }
    let seeds = seeds.ok_or("check needs --seeds N")?;
    campaign::validate(&options)?;
    let reports = run_campaign(from, seeds, &options)?;
    let (mut violations, mut leaders, mut acked, mut dead) = (0, 0, 0, 0);
    let (mut membership, mut snapshots, mut cp) = (0, 0, 0);
    for r in &reports {
        leaders += r.leaders;
        acked += r.acked;
        membership += r.membership;
        snapshots += r.snapshots;
        cp += r.cp;
        for (property, step) in &r.violations {
            violations += 1;
            let file = format!("quorumscope-seed-{}.json", r.seed);
            let saved = campaign::scenario_for(r.seed, &options)
                .and_then(|s| std::fs::write(&file, s.to_json()).map_err(|e| e.to_string()));
            match saved {
                Ok(()) => {
                    say!("seed {}: {property} broken at step {step}; replay: quorumscope run {file}", r.seed)
                }
                Err(e) => {
                    say!("seed {}: {property} broken at step {step} (could not save {file}: {e})", r.seed)
                }
            }
        }
        if !r.live {
            dead += 1;
            // Saved like a violating seed, so that it replays.
            let file = format!("quorumscope-seed-{}.json", r.seed);
            let saved = campaign::scenario_for(r.seed, &options)
                .and_then(|s| std::fs::write(&file, s.to_json()).map_err(|e| e.to_string()));
            let ticks = campaign::LIVENESS_TICKS;
            match saved {
                Ok(()) => say!(
                    "seed {}: not settled within {ticks} ticks after healing; replay: quorumscope run {file}",
                    r.seed
                ),
                Err(e) => say!(
                    "seed {}: not settled within {ticks} ticks after healing (could not save {file}: {e})",
                    r.seed
                ),
            }
        }
    }
    let live = reports.len() as u64 - dead;
    say!(
        "liveness: {live} of {} seeds settled after healing (a leader of its own configuration, every member up with its commit, no change pending, learners promoted)",
        reports.len()
    );
    // The contract's fields end the line (SCENARIO.md, "The CLI").
    say!(
        "membership={membership} snapshots={snapshots} cp={cp} live={live}/{} seeds={} steps={} violations={violations} leaders={leaders} acked={acked}",
        reports.len(),
        reports.len(),
        options.steps
    );
    Ok(violations == 0 && dead == 0)
}

/// Runs seeds on every core, with a progress bar on a terminal.
fn run_campaign(from: u64, seeds: u64, options: &CampaignOptions) -> Result<Vec<SeedReport>, String> {
    let next = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    let results = Mutex::new(Vec::with_capacity(seeds as usize));
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let show = std::io::stderr().is_terminal();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= seeds {
                    return;
                }
                let report = campaign::run_seed(from + k, options);
                results.lock().expect("no worker panics while holding the lock").push(report);
                let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                if show && (d.is_multiple_of(10) || d == seeds) {
                    let width = 40;
                    let filled = (d * width / seeds.max(1)) as usize;
                    eprint!(
                        "\r[{}{}] {d}/{seeds} seeds",
                        "#".repeat(filled),
                        " ".repeat(width as usize - filled)
                    );
                }
            });
        }
    });
    if show {
        eprintln!();
    }
    let mut reports = results
        .into_inner()
        .map_err(|_| "a worker panicked".to_string())?
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    reports.sort_by_key(|r| r.seed);
    Ok(reports)
}

/// Model checking: every interleaving of a small cluster, breadth-first
/// (or random walks); the shortest counterexample is written as a scenario
/// file.
fn explore(args: &[String]) -> Result<bool, String> {
    use quorumscope::explore::{self as mc, Goal, Options, Search, Shape, Walks};
    let Some(shape) = args.first().filter(|a| !a.starts_with("--")) else {
        return Err(format!("explore needs a shape: {}", Shape::NAMES.join(", ")));
    };
    let mut options = Options::new(Shape::parse(shape)?);
    let mut out = format!("quorumscope-explore-{shape}.json");
    let (mut walks, mut only) = (Walks::default(), None);
    let mut i = 1;
    while i < args.len() {
        let b = &mut options.bounds;
        match args[i].as_str() {
            "--depth" => b.depth = number(args, &mut i, "--depth")?,
            "--writes" => b.writes = small(args, &mut i, "--writes")?,
            "--crashes" => b.crashes = small(args, &mut i, "--crashes")?,
            "--drops" => b.drops = small(args, &mut i, "--drops")?,
            "--duplicates" => b.duplicates = small(args, &mut i, "--duplicates")?,
            "--handovers" => b.handovers = small(args, &mut i, "--handovers")?,
            "--snapshots" => b.snapshots = small(args, &mut i, "--snapshots")?,
            "--in-flight" => b.in_flight = number(args, &mut i, "--in-flight")? as usize,
            "--term" => b.term = number(args, &mut i, "--term")?,
            "--threads" => options.threads = number(args, &mut i, "--threads")? as usize,
            "--max-states" => {
                options.max_states = number(args, &mut i, "--max-states")?;
                options.keyed_states = options.max_states;
            }
            "--no-symmetry" => options.symmetry = false,
            "--walk" => {
                walks.seed = number(args, &mut i, "--walk")?;
                only = Some("walk");
            }
            "--bfs-only" => only = Some("bfs"),
            "--seed" => walks.seed = number(args, &mut i, "--seed")?,
            "--walks" => walks.count = number(args, &mut i, "--walks")?,
            "--walk-depth" => walks.depth = number(args, &mut i, "--walk-depth")?,
            "--walk-in-flight" => walks.in_flight = number(args, &mut i, "--walk-in-flight")? as usize,
            "--goal" => {
                i += 1;
                options.goal = Some(Goal::parse(args.get(i).ok_or("--goal needs a goal name")?)?);
            }
            "--off" => {
                i += 1;
                options.off.push(args.get(i).ok_or("--off needs a switch name")?.clone());
            }
            "--out" => {
                i += 1;
                out = args.get(i).ok_or("--out needs a file name")?.clone();
            }
            flag if flag.starts_with("--") => return Err(format!("explore: unknown option {flag}")),
            extra => return Err(format!("explore: unexpected argument {extra:?}")),
        }
        i += 1;
    }
    options.search = match only {
        Some("walk") => Search::Walk(walks),
        Some(_) => Search::Breadth,
        None => Search::Both(walks),
    };
    options.validate()?;
    say!(
        "explore {}: {} members, {}, {}; every message held until a move delivers, drops or copies it; \
         election timeout {} ticks (or fired as a move), heartbeat {}",
        shape,
        options.shape.members().len(),
        options.describe_switches(),
        match options.search {
            Search::Breadth => format!("breadth-first on {} threads", options.threads),
            Search::Walk(w) => format!(
                "{} random walks of up to {} moves (in flight {}), seed {}",
                w.count, w.depth, w.in_flight, w.seed
            ),
            Search::Both(w) => format!(
                "breadth-first on {} threads, then (if it finds nothing) {} random walks of up to {} moves \
                 (in flight {}), seed {}",
                options.threads, w.count, w.depth, w.in_flight, w.seed
            ),
        },
        mc::ELECTION_TICKS,
        mc::HEARTBEAT_TICKS
    );
    say!(
        "bounds: {}; symmetry reduction {}",
        options.bounds.describe(),
        if options.symmetry { "on" } else { "off" }
    );
    if let Some(goal) = options.goal {
        say!("goal: {} ({})", goal.name(), goal.describe());
    }
    let started = std::time::Instant::now();
    let report = mc::explore(&options, |p| {
        let secs = started.elapsed().as_secs_f64();
        // Reports within a depth (`expanded` > 0) are the page's: the
        // terminal prints a line per depth.
        if p.stage == mc::Stage::Shrink {
            eprintln!("{}, {secs:.1} s", p.stage.describe());
        } else if p.walks == 0 && p.expanded == 0 {
            let stage = if p.stage == mc::Stage::Breadth {
                String::new()
            } else {
                format!("{}: ", p.stage.describe())
            };
            eprintln!("{stage}depth {}: {} states, {} to expand, {secs:.1} s", p.depth, p.states, p.frontier);
        } else if p.walks > 0 && p.walks % 1000 == 0 {
            eprintln!(
                "{} random walks: {} states, {} to start from, {secs:.1} s",
                p.walks, p.states, p.frontier
            );
        }
        true
    })?;
    let secs = started.elapsed().as_secs_f64();
    if !report.per_depth.is_empty() {
        say!("new states per depth: {:?}", report.per_depth);
    }
    if report.truncated {
        say!(
            "stopped at the limit of {} states: depth {} is only partly explored",
            options.max_states,
            report.depth
        );
    }
    if report.walks > 0 {
        say!("random walks: {} taken, {} distinct states reached", report.walks, report.walk_states);
    }
    if report.confirm_states > 0 {
        say!(
            "searches for a shorter run (narrower bounds, then the run's own): {} states",
            report.confirm_states
        );
    }
    if let Some(cx) = &report.counterexample {
        let what = if report.goal_reached { "reaching" } else { "breaking" };
        say!("{}: {} moves, {what} {}:", report.found_by(), cx.moves.len(), cx.property);
        for line in report.length_known() {
            say!("{line}");
        }
        for (tick, mv) in &cx.moves {
            say!("  {}", mc::describe_move(*tick, mv));
        }
        match std::fs::write(&out, cx.scenario.to_json()) {
            Ok(()) => say!("replay: quorumscope run {out}"),
            Err(e) => say!("could not save {out}: {e}"),
        }
    } else if let Some(goal) = options.goal {
        say!("goal {} not reached within the bounds", goal.name());
    }
    say!(
        "time={secs:.1}s transitions={} unique_states_per_sec={:.0}",
        report.transitions,
        (report.states + report.walk_states) as f64 / secs.max(1e-9)
    );
    say!("states={} depth={} violations={}", report.states, report.depth, report.violations);
    Ok(report.violations == 0 && (options.goal.is_none() || report.goal_reached))
}

/// A small count option (a bound of a few).
fn small(args: &[String], i: &mut usize, name: &str) -> Result<u8, String> {
    let n = number(args, i, name)?;
    u8::try_from(n).map_err(|_| format!("{name} {n}: at most 255"))
}

/// The Raft paper's Figure 16: time to elect a new leader after a crash.
fn elect_times(args: &[String]) -> Result<bool, String> {
    let (mut trials, mut ours, mut csv) = (1000u64, false, false);
    let mut testbed = fig16::Testbed::PAPER;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--trials" => trials = number(args, &mut i, "--trials")?,
            "--ours" => ours = true,
            "--ticks-per-ms" => testbed.ticks_per_ms = number(args, &mut i, "--ticks-per-ms")?,
            "--csv" => csv = true,
            other => return Err(format!("elect-times: unknown argument {other:?}")),
        }
        i += 1;
    }
    if !(1..=100).contains(&testbed.ticks_per_ms) {
        return Err(format!("--ticks-per-ms {}: must be between 1 and 100", testbed.ticks_per_ms));
    }
    if trials == 0 || trials > 1_000_000 {
        return Err(format!("--trials {trials}: must be between 1 and 1000000"));
    }
    let paper = !ours;
    let results: Vec<(TimeoutRange, Vec<fig16::Outcome>)> = fig16::RANGES
        .iter()
        .map(|r| (*r, parallel_trials(trials, |k| fig16::trial(&testbed, *r, fig16::trial_seed(k), paper))))
        .collect();
    if csv {
        say!("range,ms,fraction");
        for (range, outcomes) in &results {
            say_raw!("{}", fig16::cdf_csv(*range, outcomes));
        }
        return Ok(true);
    }
    let model = if paper {
        "the paper's Raft (pre-vote, stickiness and check quorum off; the paper's timer rule)"
    } else {
        "quorumscope's defaults"
    };
    say!("Figure 16, {model}, {trials} trials per range");
    say!("Testbed: {}", testbed.describe());
    say!("| timeout (ms) | median | p99 | max | mean | no leader in {} ms | never led |", fig16::CAP_MS);
    say!("| --- | --- | --- | --- | --- | --- | --- |");
    for (range, outcomes) in &results {
        let s = fig16::summarize(*range, outcomes);
        say!(
            "| {}–{} | {} | {} | {} | {:.1} | {} | {} |",
            range.min,
            range.max,
            s.median,
            s.p99,
            s.max,
            s.mean,
            s.capped,
            s.never_led
        );
    }
    let samples = parallel_trials(trials.min(200), |k| fig16::broadcast_ms(&testbed, fig16::trial_seed(k)));
    let measured: Vec<f64> = samples.into_iter().flatten().collect();
    let broadcast = measured.iter().sum::<f64>() / measured.len().max(1) as f64;
    say!(
        "Broadcast time (a write until all four followers acknowledge it), mean of {}: {broadcast:.1} ms (paper: roughly {} ms)",
        measured.len(),
        fig16::PAPER_BROADCAST_MS
    );
    say!("Never led: the cluster had no leader in office long enough to crash (not timed, not in the other columns).");
    say!("The paper reports:");
    for (range, what) in fig16::PAPER_REPORTS {
        say!("  {range} ms: {what}");
    }
    Ok(true)
}

/// Runs `trial(k)` for k in 0..trials on every core, in order of k.
fn parallel_trials<T: Send + Clone>(trials: u64, trial: impl Fn(u64) -> T + Sync) -> Vec<T> {
    let next = AtomicU64::new(0);
    let results = Mutex::new(vec![None; trials as usize]);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= trials {
                    return;
                }
                let t = trial(k);
                if let Ok(mut r) = results.lock() {
                    r[k as usize] = Some(t);
                }
            });
        }
    });
    results.into_inner().unwrap_or_default().into_iter().flatten().collect()
}
