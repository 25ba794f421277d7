//! `quorumscope diff A B`: the first divergence it reports is the one the
//! two runs' own traces (`quorumscope run --json`) show, explained from
//! their events; identical runs report none; bad input exits 2 naming the
//! field.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

const PRE_VOTE_OFF: &str = include_str!("../src/scenario/library/pre-vote-off.json");

fn quorumscope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quorumscope")).args(args).output().expect("the CLI runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A scenario file written into a directory of this test's own.
fn file(name: &str, text: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli_diff");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write scenario");
    path.to_string_lossy().into_owned()
}

/// pre-vote-off with pre-vote switched back on: the scenario's twin.
fn on_twin() -> String {
    let twin = PRE_VOTE_OFF.replace(r#""pre_vote": false"#, r#""pre_vote": true"#);
    assert_ne!(twin, PRE_VOTE_OFF, "the library file spells the switch as expected");
    twin
}

/// A run's trace events (without their sentences) grouped by step.
fn trace_by_step(source: &str) -> BTreeMap<u64, Vec<Value>> {
    let out = quorumscope(&["run", source, "--json"]);
    let mut steps: BTreeMap<u64, Vec<Value>> = BTreeMap::new();
    for line in stdout(&out).lines() {
        let event: Value = serde_json::from_str(line).expect("a JSON line");
        let step = event["step"].as_u64().expect("a step");
        steps.entry(step).or_default().push(event);
    }
    steps
}

/// The first step at which two traces differ, computed from the traces
/// alone, and each side's events at that step that the other lacks.
fn first_divergence(
    a: &BTreeMap<u64, Vec<Value>>,
    b: &BTreeMap<u64, Vec<Value>>,
) -> (u64, Vec<Value>, Vec<Value>) {
    let steps: std::collections::BTreeSet<u64> = a.keys().chain(b.keys()).copied().collect();
    let empty = Vec::new();
    for step in steps {
        let (ea, eb) = (a.get(&step).unwrap_or(&empty), b.get(&step).unwrap_or(&empty));
        if ea != eb {
            let only =
                |x: &Vec<Value>, y: &Vec<Value>| x.iter().filter(|e| !y.contains(e)).cloned().collect();
            return (step, only(ea, eb), only(eb, ea));
        }
    }
    panic!("the traces never differ");
}

fn count(trace: &BTreeMap<u64, Vec<Value>>, kind: &str) -> usize {
    trace.values().flatten().filter(|e| e["kind"] == kind).count()
}

#[test]
fn pre_vote_off_against_its_on_twin_reports_the_step_the_traces_show() {
    let (off, on) = (file("pre-vote-off.json", PRE_VOTE_OFF), file("pre-vote-on.json", &on_twin()));
    let (trace_off, trace_on) = (trace_by_step(&off), trace_by_step(&on));
    let (step, only_off, only_on) = first_divergence(&trace_off, &trace_on);

    let out = quorumscope(&["diff", &off, &on]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "runs that differ exit 1:\n{text}");
    let headline = text.lines().find(|l| l.starts_with("first divergence: ")).expect("a divergence line");
    assert!(headline.starts_with(&format!("first divergence: step {step} (tick ")), "{headline}");

    // The explanation lists exactly each side's unmatched events, by their
    // own sentences, and the headline quotes one from each side.
    let listed = |prefix: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.strip_prefix(prefix))
            .map(|l| l.split("] ").nth(1).unwrap_or("").to_string())
            .collect()
    };
    let sentences = |events: &[Value]| -> Vec<String> {
        events.iter().map(|e| e["text"].as_str().expect("text").to_string()).collect()
    };
    assert_eq!(listed("  only in A: "), sentences(&only_off));
    assert_eq!(listed("  only in B: "), sentences(&only_on));
    assert!(!only_off.is_empty() && !only_on.is_empty());
    // Pre-vote off: node 1 stands at once; on: it probes first.
    assert!(only_off.iter().any(|e| e["kind"] == "term_changed"), "{only_off:?}");
    assert!(
        only_on.iter().any(|e| e["msg"] == "probe") && !only_on.iter().any(|e| e["kind"] == "term_changed")
    );
    assert!(headline.contains(&format!("in A, {}", sentences(&only_off)[0])), "{headline}");

    // The summary agrees with the traces: off, a leader is deposed; on, none.
    let deposed = format!("{} / {}", count(&trace_off, "leader_deposed"), count(&trace_on, "leader_deposed"));
    assert_eq!(deposed, "1 / 0");
    assert!(text.contains("DIFF  leaders deposed:\n        A: 1\n        B: 0"), "{text}");
    assert!(text.contains("same  violations: none"), "{text}");
}

#[test]
fn the_same_decision_answered_differently_is_named_with_its_reason() {
    // The watermark rule alone off: the refusal reason changes from
    // watermark_not_covered to log_behind (PROTOCOL.md §10), and nothing else.
    let wm = include_str!("../src/scenario/library/watermark-rule-off.json");
    let on = file(
        "watermark-rule-on.json",
        &wm.replace(r#""watermark_rule": false"#, r#""watermark_rule": true"#),
    );
    let out = quorumscope(&["diff", "watermark-rule-off", &on]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let headline = text.lines().find(|l| l.starts_with("first divergence: ")).expect("a divergence line");
    assert!(
        headline.contains("answers node")
            && headline.contains("refuses it in A: log_behind and refuses it in B: watermark_not_covered"),
        "{headline}"
    );
    // The same outcome otherwise: every summary row is the same.
    assert!(!text.contains("DIFF "), "{text}");
}

#[test]
fn identical_files_report_no_divergence() {
    let a = file("same-a.json", PRE_VOTE_OFF);
    let out = quorumscope(&["diff", &a, "pre-vote-off", "--until", "120"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("no divergence"), "{text}");
    assert!(text.contains("until tick 120"), "{text}");
    assert!(!text.contains("DIFF "), "{text}");
}

#[test]
fn a_different_seed_for_both_is_still_one_seed() {
    // --seed applies to both runs: the same file against itself never differs.
    let out = quorumscope(&["diff", "split-vote", "split-vote", "--seed", "99"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("seed 99"));
}

#[test]
fn bad_input_exits_2_naming_the_field() {
    let bad = file("bad.json", &PRE_VOTE_OFF.replace(r#"{ "id": 3 }"#, r#"{ "id": 3, "kind": "oracle" }"#));
    let out = quorumscope(&["diff", "pre-vote-off", &bad]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.json: cluster.members[2].kind"), "{err}");
    assert!(stdout(&out).is_empty(), "nothing partial runs");

    for args in [&["diff", "pre-vote-off"][..], &["diff", "a", "b", "c"], &["diff", "x", "y", "--until"]] {
        let out = quorumscope(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}: a message on stderr");
    }
}
