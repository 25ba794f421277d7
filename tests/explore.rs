//! The model checker (`quorumscope explore`): clean with every switch on,
//! a shortest counterexample with an unsafe switch off that `quorumscope
//! run` replays, verdicts that symmetry reduction and threads do not
//! change, goals, random walks, and the `messages` command it writes.

use std::process::Command as Process;

use quorumscope::core::StateKey;
use quorumscope::explore::{explore, explore_telling, Goal, Options, Report, Search, Shape, Stage, Walks};
use quorumscope::scenario;
use quorumscope::sim::{Command, Sim, Target, TraceBody};

/// Small bounds a debug build explores in seconds.
fn options(shape: Shape, depth: u64, off: &[&str]) -> Options {
    let mut o = Options::new(shape);
    o.bounds.depth = depth;
    o.bounds.drops = 0;
    o.bounds.duplicates = 0;
    o.bounds.handovers = 0;
    o.off = off.iter().map(|s| s.to_string()).collect();
    o.search = Search::Breadth;
    o
}

fn run(o: &Options) -> Report {
    explore(o, |_| true).expect("valid options")
}

/// Replays a scenario as `quorumscope run` does; the first violation.
fn replay(json: &str) -> Option<String> {
    let scenario = scenario::parse(json).expect("the counterexample parses");
    let mut sim = scenario.build().expect("and builds");
    while sim.now() < scenario.run_until {
        for e in sim.step() {
            if let TraceBody::Violation { property, .. } = e.body {
                return Some(property.name().to_string());
            }
        }
    }
    None
}

/// The explorer's initial state for `o`.
fn initial_state(o: &Options) -> quorumscope::explore::model::State {
    quorumscope::explore::model::State::initial(&o.sim_config().unwrap()).unwrap()
}

/// Runs `path` from `root`: every move runs, and only the last breaks a
/// property.
fn assert_breaks_at_its_last_move(
    root: &quorumscope::explore::model::State,
    path: &[quorumscope::explore::model::Move],
) {
    use quorumscope::explore::model::{apply, violation};
    let mut state = root.clone();
    for (i, mv) in path.iter().enumerate() {
        let (next, events) = apply(&state, mv).expect("every move runs");
        assert_eq!(
            violation(&events).is_some(),
            i + 1 == path.len(),
            "breaks it at its last move only: {path:?}"
        );
        state = next;
    }
}

/// Three nodes, the default bounds, `switch` off.
fn three_with_off(switch: &str) -> Options {
    let mut o = Options::new(Shape::Three);
    o.off = vec![switch.to_string()];
    o
}

/// `switch` off on three nodes, random walks alone from `seed`.
fn walks_with(switch: &str, seed: u64) -> Options {
    Options { search: Search::Walk(Walks { seed, ..Walks::default() }), ..three_with_off(switch) }
}

#[test]
fn every_shape_is_clean_with_every_switch_on() {
    for (shape, depth) in
        [(Shape::Three, 6), (Shape::Five, 4), (Shape::Witness, 6), (Shape::Learner, 5), (Shape::Joint, 5)]
    {
        let report = run(&options(shape, depth, &[]));
        assert_eq!(report.violations, 0, "{shape:?}: {:?}", report.counterexample);
        assert!(report.counterexample.is_none());
        assert_eq!(report.depth, depth, "{shape:?} explored to its depth");
        assert!(report.states > 50, "{shape:?}: only {} states", report.states);
        assert!(!report.truncated);
        assert_eq!(report.per_depth.iter().sum::<u64>(), report.states);
    }
}

#[test]
fn drops_duplicates_and_handovers_are_explored_and_clean() {
    let mut o = options(Shape::Three, 5, &[]);
    let small = run(&o).states;
    (o.bounds.drops, o.bounds.duplicates, o.bounds.handovers) = (1, 1, 1);
    let report = run(&o);
    assert_eq!(report.violations, 0, "{:?}", report.counterexample);
    assert!(report.states > small, "more moves, more states: {} vs {small}", report.states);
}

/// `durable_vote` off: vote, reboot, vote again in the same term. The
/// shortest run is 8 moves (two ticks, four probe deliveries, the reboot,
/// the second vote request).
/// `durable_vote` off, without writes (a vote needs none): small enough
/// for a debug build.
fn vote_bug(depth: u64) -> Options {
    let mut o = options(Shape::Three, depth, &["durable_vote"]);
    o.bounds.writes = 0;
    o
}

#[test]
fn durable_vote_off_yields_a_shortest_counterexample_that_replays() {
    let report = run(&vote_bug(10));
    assert_eq!(report.violations, 1);
    let cx = report.counterexample.expect("a counterexample");
    assert_eq!(cx.property, "double_vote");
    assert_eq!(cx.moves.len(), 8, "shortest: {:?}", cx.moves);
    assert_eq!(report.depth, 8, "found at the first depth that has one");
    // Breadth-first: one depth less holds no violation.
    assert_eq!(run(&vote_bug(7)).violations, 0);
    let json = cx.scenario.to_json();
    assert_eq!(replay(&json).as_deref(), Some("double_vote"), "the scenario replays to the same violation");
    assert!(!scenario::parse(&json).unwrap().switches.durable_vote);
}

#[test]
fn symmetry_reduction_and_threads_do_not_change_verdicts() {
    for (mut o, clean) in [(options(Shape::Three, 5, &[]), true), (vote_bug(8), false)] {
        let reduced = run(&o);
        o.symmetry = false;
        let full = run(&o);
        assert_eq!((reduced.violations, full.violations), (u64::from(!clean), u64::from(!clean)));
        assert_eq!(reduced.depth, full.depth, "the same shortest depth");
        assert_eq!(
            reduced.counterexample.as_ref().map(|c| c.property.clone()),
            full.counterexample.as_ref().map(|c| c.property.clone())
        );
        assert!(reduced.states * 2 < full.states, "symmetry merges: {} vs {}", reduced.states, full.states);
        if !clean {
            continue;
        }
        o.symmetry = true;
        for threads in [1, 3] {
            o.threads = threads;
            let again = run(&o);
            assert_eq!(
                (again.states, again.transitions),
                (reduced.states, reduced.transitions),
                "{threads} threads"
            );
        }
    }
}

#[test]
fn symmetric_states_share_a_key_and_different_ones_do_not() {
    let o = options(Shape::Three, 1, &[]);
    let sim = Sim::new(o.sim_config().unwrap()).unwrap();
    let after = |id| {
        let mut s = sim.clone();
        s.command(&Command::TimeoutNow { node: Target::Node(id) }).unwrap();
        s
    };
    let key = |s: &Sim, rename: &[u64]| {
        let mut k = StateKey::renaming(rename);
        s.write_key(&mut k, false);
        k.finish()
    };
    let (one, two) = (after(1), after(2));
    assert_eq!(key(&sim, &[]), key(&sim.clone(), &[]), "a clone is the same state");
    assert_ne!(key(&one, &[]), key(&two, &[]), "node 1 probing is not node 2 probing");
    // Renaming 1 <-> 2 maps one onto the other.
    assert_eq!(key(&one, &[0, 2, 1, 3]), key(&two, &[]));
    assert_ne!(key(&one, &[]), key(&sim, &[]));
}

#[test]
fn goals_find_the_shortest_run_to_a_situation() {
    let mut o = options(Shape::Three, 8, &[]);
    o.goal = Some(Goal::SplitVote);
    let report = run(&o);
    assert!(report.goal_reached, "two candidates in one term are reachable");
    assert_eq!(report.violations, 0);
    let cx = report.counterexample.unwrap();
    assert_eq!(cx.property, "split_vote");
    // Two timeouts, one probe reply each way at least: more than 2 moves.
    assert!(cx.moves.len() > 2 && cx.moves.len() == report.depth as usize);
    assert!(Goal::parse("no_such_goal").unwrap_err().contains("split_vote"));
}

#[test]
fn random_walks_repeat_from_their_seed_and_find_the_vote_bug() {
    let mut o = vote_bug(16);
    o.search = Search::Walk(Walks { seed: 3, count: 3000, depth: 16, ..Walks::default() });
    let first = run(&o);
    let second = run(&o);
    assert_eq!((first.states, first.transitions), (second.states, second.transitions), "seed 3 twice");
    assert!(first.by_walk);
    let cx = first.counterexample.expect("seed 3 finds the violation within 3000 walks");
    assert_eq!(replay(&cx.scenario.to_json()), Some(cx.property.clone()), "and its run replays");
    // Shrunk: no single move can be taken out (the shortest is 8 moves).
    assert!(cx.moves.len() >= 8 && cx.moves.len() <= 12, "{} moves", cx.moves.len());
}

/// The default search tells which stage reports, in the order they run:
/// breadth-first search stops at its tiny limit, the narrow bounds (no
/// crash) cannot hold the vote bug, the walks find it, their run is
/// shrunk, then searched for a shorter one. The page names the stage from
/// this; a report from the wrong stage, or none from one, fails it.
#[test]
fn the_default_search_reports_each_stage_in_order() {
    let mut o = vote_bug(16);
    (o.max_states, o.keyed_states) = (300, 300);
    o.search = Search::Both(Walks { seed: 3, count: 3000, depth: 16, ..Walks::default() });
    let mut stages: Vec<Stage> = Vec::new();
    let report = explore(&o, |p| {
        if stages.last() != Some(&p.stage) {
            stages.push(p.stage);
        }
        true
    })
    .expect("valid options");
    assert!(report.by_walk && report.counterexample.is_some(), "the walks find the vote bug");
    assert_eq!(&stages[..4], &[Stage::Breadth, Stage::Narrow, Stage::Walks, Stage::Shrink], "{stages:?}");
    let order = |s: &Stage| Stage::ALL.iter().position(|a| a == s);
    assert!(stages.windows(2).all(|w| order(&w[0]) < order(&w[1])), "each stage once, in order: {stages:?}");
}

#[test]
fn a_run_the_walks_found_is_told_before_the_searches_for_a_shorter_one() {
    let mut o = vote_bug(16);
    (o.max_states, o.keyed_states) = (300, 300);
    o.search = Search::Both(Walks { seed: 3, count: 3000, depth: 16, ..Walks::default() });
    // The stage under way each time a run is told, and the runs' lengths.
    let (stage, mut told) = (std::cell::Cell::new(Stage::Breadth), Vec::new());
    let report = explore_telling(
        &o,
        |p| {
            stage.set(p.stage);
            true
        },
        |so_far| told.push((stage.get(), so_far.clone())),
    )
    .expect("valid options");
    let (first_stage, first) = told.first().expect("the walks' run is told");
    assert_eq!(
        *first_stage,
        Stage::Shrink,
        "told once the walks' runs are shrunk, before the searches after them"
    );
    let cx = first.counterexample.as_ref().expect("a run");
    assert!(first.by_walk);
    // Its scenario says how it was found, and does not call it the shortest.
    assert!(
        cx.scenario.explain.starts_with(&format!(
            "A run that breaks {}, found by the random walks of `quorumscope explore three` and shrunk to {} moves.",
            cx.property,
            cx.moves.len()
        )),
        "{}",
        cx.scenario.explain
    );
    // Nothing is proven of its length yet: a Cancel then says so, not what the finished search would.
    assert_eq!(
        first.length_known_so_far(),
        ["not proven shortest: the search was stopped before its searches for a shorter run ended"]
    );
    let len = |r: &Report| r.counterexample.as_ref().map(|c| c.moves.len()).expect("a run");
    assert!(told.iter().all(|(_, r)| len(r) <= len(first)), "a later run told is never longer");
    assert!(len(&report) <= len(&told.last().expect("told").1), "the end is no longer than the last told");
}

#[test]
fn bad_input_is_an_error() {
    assert!(Shape::parse("seven").is_err());
    let mut o = Options::new(Shape::Three);
    o.bounds.depth = 0;
    assert!(explore(&o, |_| true).is_err());
    let mut o = Options::new(Shape::Three);
    o.off = vec!["no_such_switch".into()];
    let err = explore(&o, |_| true).unwrap_err();
    assert!(err.contains("no_such_switch"), "{err}");

    let cli = env!("CARGO_BIN_EXE_quorumscope");
    for args in [
        &["explore"][..],
        &["explore", "seven"],
        &["explore", "three", "--depth", "0"],
        &["explore", "three", "--depth", "x"],
        &["explore", "three", "--off", "nope"],
        &["explore", "three", "--goal", "nope"],
        &["explore", "three", "--threads", "0"],
        &["explore", "three", "--bogus"],
    ] {
        let out = Process::new(cli).args(args).output().expect("the CLI runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}: a message on stderr");
    }
}

/// The CLI: summary line, exit 1, the file written, `run` replays it.
#[test]
fn the_cli_writes_the_counterexample_and_run_replays_it() {
    let dir = std::env::temp_dir().join(format!("quorumscope-explore-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cli = env!("CARGO_BIN_EXE_quorumscope");
    let small = ["--writes", "0", "--drops", "0", "--duplicates", "0", "--handovers", "0", "--bfs-only"];
    let out = Process::new(cli)
        .args(["explore", "three", "--depth", "9", "--off", "durable_vote"])
        .args(small)
        .current_dir(&dir)
        .output()
        .expect("the CLI runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let last = stdout.lines().last().unwrap_or_default();
    assert!(last.starts_with("states=") && last.ends_with("depth=8 violations=1"), "{last}");
    assert!(stdout.contains("bounds: depth 9, writes 0, crashes 1, drops 0"), "bounds stated: {stdout}");
    let file = dir.join("quorumscope-explore-three.json");
    let replayed = Process::new(cli).arg("run").arg(&file).output().expect("the CLI runs");
    assert_eq!(replayed.status.code(), Some(1), "`run` shows the violation");
    assert!(String::from_utf8_lossy(&replayed.stdout).contains("VIOLATION double_vote"));

    let clean = Process::new(cli)
        .args(["explore", "witness", "--depth", "3", "--walks", "20", "--walk-depth", "10"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(clean.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&clean.stdout).lines().last().unwrap().ends_with("violations=0"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_messages_command_acts_on_one_message_or_all_that_match() {
    let json = |script: &str| {
        format!(
            r#"{{"cluster": {{"members": [{{"id": 1}}, {{"id": 2}}, {{"id": 3}}], "network": {{"delay_ticks": [50, 50]}}}},
               "script": [{{"at": 0, "do": "timeout_now", "node": 1}}, {script}], "run_until": 3}}"#
        )
    };
    let trace = |script: &str| {
        let s = scenario::parse(&json(script)).expect("parses");
        let mut sim = s.build().unwrap();
        let mut events = Vec::new();
        while sim.now() < s.run_until {
            events.extend(sim.step());
        }
        events
    };
    let delivered = |events: &[quorumscope::sim::TraceEvent]| {
        events.iter().filter(|e| matches!(e.body, TraceBody::MessageDelivered { .. })).count()
    };
    let one = trace(r#"{"at": 0, "do": "messages", "action": "deliver", "msg": "probe", "nth": 1}"#);
    assert_eq!(delivered(&one), 1, "only the second probe");
    assert!(one.iter().any(|e| matches!(e.body, TraceBody::MessageDelivered { to: 3, .. })));
    let all = trace(r#"{"at": 0, "do": "messages", "action": "deliver", "from": 1}"#);
    assert_eq!(delivered(&all), 2, "both probes");
    let dropped = trace(r#"{"at": 0, "do": "messages", "action": "drop", "to": 2}"#);
    assert!(dropped
        .iter()
        .any(|e| matches!(&e.body, TraceBody::MessageDropped { to: 2, cause, .. } if cause == "script")));
    let copied = trace(r#"{"at": 0, "do": "messages", "action": "duplicate", "to": 2}"#);
    assert!(copied.iter().any(|e| matches!(e.body, TraceBody::MessageDuplicated { to: 2, .. })));

    for (bad, field) in [
        (r#"{"at": 0, "do": "messages"}"#, "script[1].action"),
        (r#"{"at": 0, "do": "messages", "action": "smash"}"#, "script[1].action"),
        (r#"{"at": 0, "do": "messages", "action": "hold", "nth": 0}"#, "script[1].nth"),
        (r#"{"at": 0, "do": "messages", "action": "drop", "count": 2, "nth": 0}"#, "script[1].nth"),
        (r#"{"at": 0, "do": "messages", "action": "drop", "nth": -1}"#, "script[1].nth"),
        (r#"{"at": 0, "do": "messages", "action": "drop", "msg": "letter"}"#, "script[1].msg"),
        (r#"{"at": 0, "do": "messages", "action": "drop", "to": 9}"#, "script[1].to"),
    ] {
        let err = scenario::parse(&json(bad)).unwrap_err();
        assert!(err.starts_with(field), "{bad}: {err}");
    }
}

/// The built-in library carries the model checker's shortest run for
/// `durable_vote`: it replays to the violation, and is exactly what the
/// explorer finds today (a change to the model or the core that shortens
/// or breaks it shows here).
#[test]
fn the_library_holds_the_model_checkers_durable_vote_run() {
    let builtin = scenario::builtin("durable-vote-found").expect("in the library");
    assert!(builtin.title.starts_with("Found by the model checker"));
    assert_eq!(replay(&builtin.to_json()).as_deref(), Some("double_vote"));
    let found = run(&vote_bug(8)).counterexample.expect("found");
    assert_eq!(found.scenario.script, builtin.script, "the same run");
}

/// `log_guards` off: a lagging node elected, a committed entry lost. Too
/// deep for breadth-first search here (about 20 moves); the walks, which
/// start again from states that reached new outlines, find it within a
/// few hundred walks, and the shrunk run replays.
#[test]
fn walks_find_the_log_guards_bug_and_its_run_replays() {
    let mut o = Options::new(Shape::Three);
    o.off = vec!["log_guards".into()];
    o.search = Search::Walk(Walks { seed: 2, count: 2000, ..Walks::default() });
    let report = run(&o);
    println!("seed 2: {} walks", report.walks);
    assert!(report.by_walk);
    let cx = report.counterexample.expect("seed 2 finds it within 2000 walks");
    assert_eq!(cx.property, "leader_completeness");
    assert!(cx.moves.len() <= 60, "shrunk: {} moves", cx.moves.len());
    assert_eq!(replay(&cx.scenario.to_json()).as_deref(), Some("leader_completeness"));
    // With the switch on, as many walks find nothing.
    o.off.clear();
    o.search = Search::Walk(Walks { seed: 2, count: report.walks, ..Walks::default() });
    assert_eq!(run(&o).violations, 0);
}

/// After walks find the vote bug, breadth-first search within the bounds
/// the shrunk run used either proves it shortest there or finds a shorter
/// one: either way the run written is 8 moves, the shortest breadth-first
/// search finds within the default bounds, and it is marked proven.
#[test]
fn a_walks_run_is_proven_shortest_within_its_own_bounds() {
    let mut o = vote_bug(3);
    o.search = Search::Both(Walks { seed: 3, count: 3000, depth: 16, ..Walks::default() });
    let report = run(&o);
    assert_eq!(report.states, report.per_depth.iter().sum::<u64>(), "depth 3 holds no violation");
    let cx = report.counterexample.expect("the walks find it");
    let within = report.shortest_within.expect("proven within the run's own bounds");
    assert_eq!(cx.moves.len(), 8, "{:?}", cx.moves);
    assert_eq!(within.depth, 8);
    assert!(report.confirm_states > 0, "breadth-first search ran");
    assert!(within.writes == 0 && within.drops <= o.bounds.drops && within.term <= 4, "{within:?}");
    assert_eq!(replay(&cx.scenario.to_json()).as_deref(), Some("double_vote"));
    // Walks alone leave the run unproven.
    o.search = Search::Walk(Walks { seed: 3, count: 3000, depth: 16, ..Walks::default() });
    assert!(run(&o).shortest_within.is_none());
}

/// The shortest vote-bug run (8 moves) with moves of node 3 woven in (a
/// timeout, its probes delivered): 11 moves, which still break
/// `double_vote`; the options and the initial state.
fn padded_vote_bug() -> (Options, quorumscope::explore::model::State, Vec<quorumscope::explore::model::Move>)
{
    use quorumscope::explore::model::{apply, violation, Move};
    use quorumscope::sim::MessageAction;
    let o = vote_bug(8);
    let cx = run(&o).counterexample.expect("the shortest run");
    let shortest: Vec<Move> = cx.moves.iter().map(|(_, mv)| mv.clone()).collect();
    assert_eq!(shortest.len(), 8);
    let probe = |to| {
        Move::Do(Command::Messages {
            action: MessageAction::Deliver,
            from: Some(Target::Node(3)),
            to: Some(Target::Node(to)),
            msg: Some(quorumscope::core::MessageKind::Probe),
            count: None,
            nth: Some(0),
        })
    };
    let mut padded = shortest.clone();
    padded.insert(0, Move::Do(Command::TimeoutNow { node: Target::Node(3) }));
    padded.insert(3, probe(1));
    padded.insert(6, probe(2));
    let root = initial_state(&o);
    // The padded run still breaks the property, later than the shortest.
    let mut state = root.clone();
    let mut broke = None;
    for (i, mv) in padded.iter().enumerate() {
        let (next, events) = apply(&state, mv).expect("every padded move runs");
        if let Some(p) = violation(&events) {
            broke = Some((i + 1, p));
            break;
        }
        state = next;
    }
    assert_eq!(broke, Some((11, "double_vote".to_string())), "{padded:?}");
    (o, root, padded)
}

/// The padded vote-bug run: the shrinker takes node 3's moves out again,
/// and gives back 8 moves, the shortest breadth-first search finds, still
/// breaking `double_vote`. A shrinker that only cuts single moves from the
/// end, or none, keeps some of node 3's.
#[test]
fn a_padded_run_shrinks_back_to_the_shortest() {
    use quorumscope::explore::shrink::shrink;
    let (o, root, padded) = padded_vote_bug();
    let shrunk = shrink(&o, &root, padded, "double_vote");
    assert_eq!(shrunk.len(), 8, "{shrunk:?}");
    assert!(
        shrunk.iter().all(|mv| !format!("{mv:?}").contains("Node(3)")),
        "node 3's moves are gone: {shrunk:?}"
    );
}

/// Retracing the padded run along its waypoints (the outlines it passed)
/// finds a shorter run (greedily: each stretch the shortest to the
/// furthest waypoint it can reach, not the shortest run overall) that
/// breaks `double_vote` at its last move; along the shortest run's own
/// waypoints there is nothing shorter.
#[test]
fn retracing_a_padded_run_finds_a_shorter_one() {
    use quorumscope::explore::retrace::retrace;
    let (o, root, padded) = padded_vote_bug();
    let retraced = retrace(&o, &root, &padded, "double_vote").expect("a shorter run");
    assert!((8..padded.len()).contains(&retraced.len()), "{retraced:?}");
    assert_breaks_at_its_last_move(&root, &retraced);
    let shortest = run(&o).counterexample.expect("the shortest run");
    let shortest: Vec<_> = shortest.moves.into_iter().map(|(_, mv)| mv).collect();
    assert_eq!(retrace(&o, &root, &shortest, "double_vote"), None, "nothing shorter along its way");
}

/// Retracing may spend the crash and the handover the caller's bounds
/// allow, not only what the run spent: a forced handover skips the
/// pre-vote and the stickiness a timeout must wait out. Seed 3's walks
/// reach Raft's Figure 8 by a run of 48 moves with no handover; retraced
/// within its own resources and shrunk it was 31 moves, now 30, through a
/// forced failover (the library's `current-term-commit-found`).
#[test]
fn retracing_may_spend_what_the_callers_bounds_allow() {
    use quorumscope::explore::model::Move;
    let cx = run(&walks_with("current_term_commit", 3)).counterexample.expect("seed 3 reaches Figure 8");
    let failover = cx.moves.iter().any(|(_, m)| matches!(m, Move::Do(Command::Failover { .. })));
    assert!(cx.moves.len() < 31 && failover, "{} moves: {:?}", cx.moves.len(), cx.moves);
    assert_eq!(replay(&cx.scenario.to_json()).as_deref(), Some("leader_completeness"));
}

/// Shrinking takes a move out together with the later moves that no
/// longer run without it: an election goes whole, where each of its moves
/// alone leaves later ones naming messages never sent, and its moves are
/// too far apart to go as a pair. Seed 1's walks reach the forced-handover
/// bug (`force_respects_vote_rule` off) by a run that shrank to 54 moves
/// without that; 18 with it (the shortest within narrow bounds is 12).
#[test]
fn a_move_goes_with_what_no_longer_runs_without_it() {
    let cx = run(&walks_with("force_respects_vote_rule", 1)).counterexample.expect("seed 1's walks find it");
    assert!(cx.moves.len() <= 18, "{} moves: {:?}", cx.moves.len(), cx.moves);
    assert_eq!(replay(&cx.scenario.to_json()).as_deref(), Some(cx.property.as_str()));
}

/// The explorer's moves that replay a scenario: its commands, and a tick
/// each time its script waits for the clock.
fn moves_of(scenario: &scenario::Scenario) -> Vec<quorumscope::explore::model::Move> {
    use quorumscope::explore::model::Move;
    let mut moves = Vec::new();
    let mut now = 0;
    for step in &scenario.script {
        for _ in now..step.at {
            moves.push(Move::Tick);
        }
        now = now.max(step.at);
        moves.push(Move::Do(step.command.clone()));
    }
    moves
}

/// Two moves, each with what then no longer runs, go together: seed 1's
/// Figure 8 run as shrinking left it when it took one move at a time
/// (37 moves, tests/testdata) loses two stretches that each stand in for
/// the other, and still breaks leader_completeness.
#[test]
fn two_moves_go_together_with_what_no_longer_runs_without_them() {
    use quorumscope::explore::shrink::shrink;
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/testdata/figure-8-walk-37-moves.json"
    ))
    .expect("the test's run");
    let run37 = moves_of(&scenario::parse(&text).expect("it parses"));
    assert_eq!(run37.len(), 37);
    let o = three_with_off("current_term_commit");
    let root = initial_state(&o);
    let shrunk = shrink(&o, &root, run37, "leader_completeness");
    assert!(shrunk.len() <= 29, "{} moves: {shrunk:?}", shrunk.len());
    assert_breaks_at_its_last_move(&root, &shrunk);
}
