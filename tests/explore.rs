//! The model checker (`quorumscope explore`): clean with every switch on,
//! a replayable shortest counterexample with an unsafe switch off, and the
//! defence in depth of PROTOCOL.md §10 (the watermark rule alone off is safe).

use std::process::Command as Process;

use quorumscope::explore::{explore, Options, Report, Shape};
use quorumscope::scenario;
use quorumscope::sim::TraceBody;

fn run(shape: Shape, depth: u64, off: &[&str]) -> Report {
    let mut options = Options::new(shape);
    options.depth = depth;
    options.off = off.iter().map(|s| s.to_string()).collect();
    explore(&options, |_, _, _| {}).expect("valid options")
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

#[test]
fn every_shape_is_clean_with_every_switch_on() {
    for (shape, depth) in [(Shape::Three, 5), (Shape::Witness, 5), (Shape::Learner, 4)] {
        let report = run(shape, depth, &[]);
        assert_eq!(report.violations, 0, "{shape:?}: {:?}", report.counterexample);
        assert!(report.counterexample.is_none());
        assert_eq!(report.depth, depth, "{shape:?} explored to its depth");
        assert!(report.states > 100, "{shape:?}: only {} states", report.states);
        assert!(!report.truncated);
        assert_eq!(report.per_depth.iter().sum::<u64>(), report.states);
    }
}

#[test]
fn watermark_rule_alone_off_is_safe() {
    // PROTOCOL.md §10: with only the watermark rule off, the up-to-date
    // check still refuses lagging candidates; no violation is reachable.
    // (Depth 6 keeps the debug build quick; `quorumscope explore three
    // --depth 7 --off watermark_rule` is clean too, where durable_vote off
    // is not.)
    let report = run(Shape::Three, 6, &["watermark_rule"]);
    assert_eq!(report.violations, 0, "{:?}", report.counterexample);
    assert_eq!(report.depth, 6);
    assert!(!report.truncated);
}

#[test]
fn bad_input_is_an_error() {
    assert!(Shape::parse("five").is_err());
    let mut options = Options::new(Shape::Three);
    options.depth = 0;
    assert!(explore(&options, |_, _, _| {}).is_err());
    let mut options = Options::new(Shape::Three);
    options.off = vec!["no_such_switch".into()];
    let err = explore(&options, |_, _, _| {}).unwrap_err();
    assert!(err.contains("no_such_switch"), "{err}");

    let cli = env!("CARGO_BIN_EXE_quorumscope");
    for args in [
        &["explore"][..],
        &["explore", "five"],
        &["explore", "three", "--depth", "0"],
        &["explore", "three", "--depth", "x"],
        &["explore", "three", "--off", "nope"],
        &["explore", "three", "--bogus"],
    ] {
        let out = Process::new(cli).args(args).output().expect("the CLI runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}: a message on stderr");
    }
}

/// `durable_vote` off: a shortest counterexample (vote, reboot, vote again
/// in the same term) at depth 7, written by the CLI, replayed by `run`.
#[test]
fn durable_vote_off_yields_a_shortest_replayable_counterexample() {
    let dir = std::env::temp_dir().join(format!("quorumscope-explore-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cli = env!("CARGO_BIN_EXE_quorumscope");
    let out = Process::new(cli)
        .args(["explore", "three", "--depth", "7", "--off", "durable_vote"])
        .current_dir(&dir)
        .output()
        .expect("the CLI runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let last = stdout.lines().last().unwrap_or_default();
    assert!(last.starts_with("states=") && last.ends_with("depth=7 violations=1"), "{last}");
    let property = ["double_vote", "election_safety"]
        .into_iter()
        .find(|p| stdout.contains(&format!("breaking {p}")))
        .unwrap_or_else(|| panic!("a vote property is broken: {stdout}"));
    let file = dir.join("quorumscope-explore-three.json");
    let json = std::fs::read_to_string(&file).expect("the counterexample file");
    assert_eq!(replay(&json).as_deref(), Some(property), "the file replays to the same violation");
    assert!(!scenario::parse(&json).unwrap().switches.durable_vote);
    let replayed = Process::new(cli).arg("run").arg(&file).output().expect("the CLI runs");
    assert_eq!(replayed.status.code(), Some(1), "`run` shows the violation");
    assert!(String::from_utf8_lossy(&replayed.stdout).contains("VIOLATION"));

    let clean =
        Process::new(cli).args(["explore", "witness", "--depth", "3"]).current_dir(&dir).output().unwrap();
    assert_eq!(clean.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}
