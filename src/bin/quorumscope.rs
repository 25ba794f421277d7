//! The `quorumscope` command line: run scenarios, list the library, run
//! fault campaigns (SCENARIO.md, "The CLI").

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use quorumscope::campaign::{self, CampaignOptions, SeedReport};
use quorumscope::elect_times::{self as fig16, TimeoutRange};
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
  quorumscope list
  quorumscope check --seeds N [--from S] [--steps M] [--nodes K] [--witness] [--off SWITCH]...
  quorumscope explore <three | witness | learner> [--depth N] [--off SWITCH]...
  quorumscope elect-times [--trials N] [--ours] [--ticks-per-ms K] [--csv]
  quorumscope node | cluster up/down | merge | check-trace ...  (a real cluster: quorumscope-node)";

/// Exit codes: 0 clean, 1 a violation, 2 bad input.
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(&args[1..]),
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
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--seed" => seed = Some(number(args, &mut i, "--seed")?),
            "--until" => until = Some(number(args, &mut i, "--until")?),
            "--json" => json = true,
            "--brief" => brief = true,
            flag if flag.starts_with("--") => return Err(format!("run: unknown option {flag}")),
            name if source.is_none() => source = Some(name.to_string()),
            extra => return Err(format!("run: unexpected argument {extra:?}")),
        }
        i += 1;
    }
    let source = source.ok_or("run needs a built-in scenario name or a file.json")?;
    let mut scenario = load(&source)?;
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    let until = until.unwrap_or(scenario.run_until);
    let sim = scenario.build().map_err(|e| e.0)?;
    let mut timeline = Timeline::new(sim);
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

/// Model checking: every interleaving of a small cluster, breadth-first;
/// the shortest counterexample is written as a scenario file.
fn explore(args: &[String]) -> Result<bool, String> {
    use quorumscope::explore::{self as mc, Options, Shape};
    let (mut shape, mut depth, mut off) = (None, None, Vec::new());
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--depth" => depth = Some(number(args, &mut i, "--depth")?),
            "--off" => {
                i += 1;
                off.push(args.get(i).ok_or("--off needs a switch name")?.clone());
            }
            flag if flag.starts_with("--") => return Err(format!("explore: unknown option {flag}")),
            name if shape.is_none() => shape = Some(Shape::parse(name)?),
            extra => return Err(format!("explore: unexpected argument {extra:?}")),
        }
        i += 1;
    }
    let shape = shape.ok_or_else(|| format!("explore needs a shape: {}", Shape::NAMES.join(", ")))?;
    let mut options = Options::new(shape);
    options.depth = depth.unwrap_or(mc::DEFAULT_DEPTH);
    options.off = off;
    options.validate()?;
    let show = std::io::stderr().is_terminal();
    let report = mc::explore(&options, |d, states, frontier| {
        if show {
            eprintln!("depth {d}: {states} states, {frontier} to expand");
        }
    })?;
    let off =
        if options.off.is_empty() { "every switch on".to_string() } else { options.off.join(", ") + " off" };
    say!(
        "explore {}: {} members, {off}, election timeout {} ticks, heartbeat {}, delay 1 tick",
        shape.name(),
        shape.members().len(),
        mc::ELECTION_TICKS,
        mc::HEARTBEAT_TICKS
    );
    say!("new states per depth: {:?}", report.per_depth);
    if report.truncated {
        say!(
            "stopped at the limit of {} states: depth {} is only partly explored",
            options.max_states,
            report.depth
        );
    }
    if let Some(cx) = &report.counterexample {
        say!("shortest counterexample ({} moves), breaking {}:", cx.moves.len(), cx.property);
        for (tick, mv) in &cx.moves {
            if !matches!(mv, mc::Move::Tick) {
                say!("  {}", mc::describe_move(*tick, mv));
            }
        }
        let file = format!("quorumscope-explore-{}.json", shape.name());
        match std::fs::write(&file, cx.scenario.to_json()) {
            Ok(()) => say!("replay: quorumscope run {file}"),
            Err(e) => say!("could not save {file}: {e}"),
        }
    }
    say!("states={} depth={} violations={}", report.states, report.depth, report.violations);
    Ok(report.violations == 0)
}

/// The Raft paper's Figure 16: time to elect a new leader after a crash.
fn elect_times(args: &[String]) -> Result<bool, String> {
    let (mut trials, mut ours, mut csv, mut scale) = (1000u64, false, false, 1u64);
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--trials" => trials = number(args, &mut i, "--trials")?,
            "--ours" => ours = true,
            "--ticks-per-ms" => scale = number(args, &mut i, "--ticks-per-ms")?,
            "--csv" => csv = true,
            other => return Err(format!("elect-times: unknown argument {other:?}")),
        }
        i += 1;
    }
    if !(1..=100).contains(&scale) {
        return Err(format!("--ticks-per-ms {scale}: must be between 1 and 100"));
    }
    if trials == 0 || trials > 1_000_000 {
        return Err(format!("--trials {trials}: must be between 1 and 1000000"));
    }
    let paper = !ours;
    let results: Vec<(TimeoutRange, Vec<Option<u64>>)> =
        fig16::RANGES.iter().map(|r| (*r, parallel_trials(*r, trials, paper, scale))).collect();
    if csv {
        say!("range,ms,fraction");
        for (range, times) in &results {
            say_raw!("{}", fig16::cdf_csv(*range, times));
        }
        return Ok(true);
    }
    let model = if paper {
        "the paper's Raft (pre-vote, stickiness and check quorum off)"
    } else {
        "quorumscope's defaults"
    };
    let clock = if scale == 1 { "1 tick = 1 ms".to_string() } else { format!("{scale} ticks = 1 ms") };
    say!("Figure 16, {model}: 5 servers, {clock}, one-way delay 7–8 ms, {trials} trials per range");
    say!("| timeout (ms) | median | p99 | max | mean | no leader in {} ms |", fig16::CAP_TICKS);
    say!("| --- | --- | --- | --- | --- | --- |");
    for (range, times) in &results {
        let s = fig16::summarize(*range, times);
        say!(
            "| {}–{} | {} | {} | {} | {:.1} | {} |",
            range.min,
            range.max,
            s.median,
            s.p99,
            s.max,
            s.mean,
            s.capped
        );
    }
    say!("The paper reports:");
    for (range, what) in fig16::PAPER_REPORTS {
        say!("  {range} ms: {what}");
    }
    Ok(true)
}

fn parallel_trials(range: TimeoutRange, trials: u64, paper: bool, scale: u64) -> Vec<Option<u64>> {
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
                let t = fig16::trial_scaled(range, fig16::trial_seed(k), paper, scale);
                if let Ok(mut r) = results.lock() {
                    r[k as usize] = t;
                }
            });
        }
    });
    results.into_inner().unwrap_or_default()
}
