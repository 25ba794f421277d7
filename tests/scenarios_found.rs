//! The model checker's runs in the built-in library (`*-found`, issue 15):
//! one per unsafe switch, each on the explorer's own cluster, reporting
//! exactly the violation its explanation names at the step it names; the
//! same run with the switch on reports none and shows the refusal the
//! explanation promises; each guided tour lands on its moments in order,
//! pointing at things on screen then; each round-trips through
//! `quorumscope run`.

// Only the tour half of the library's presentation checks applies: a found
// run's explanation also gives its command and what was proven.
#[allow(dead_code)]
mod presentation;

use quorumscope::check::Property;
use quorumscope::core::{NodeId, Switches};
use quorumscope::explore::{Options, Shape};
use quorumscope::scenario::{self, Highlight, Scenario, MAX_CAPTION_CHARS};
use quorumscope::sim::{TraceBody, TraceEvent};

/// A `*-found` scenario and what its explanation says.
struct Found {
    name: &'static str,
    switch: &'static str,
    /// The violation it reports first, and about which nodes.
    property: Property,
    nodes: &'static [NodeId],
    /// The step the checker reports it at (as the page's banner and the
    /// CLI's trace number steps).
    step: u64,
    /// What the explanation says the same run shows with the switch on
    /// (a word it names), and a check of it on that run's events.
    on: (&'static str, fn(&[serde_json::Value]) -> bool),
}

/// Node 1 refuses node `candidate` with `code`.
fn refused(events: &[serde_json::Value], candidate: NodeId, code: &str) -> bool {
    events.iter().any(|e| {
        matches!(e["kind"].as_str(), Some("vote_refused" | "probe_refused"))
            && e["voter"] == 1
            && e["candidate"] == candidate
            && e["reason"]["code"] == code
    })
}

const FOUND: [Found; 4] = [
    Found {
        name: "durable-vote-found",
        switch: "durable_vote",
        property: Property::DoubleVote,
        nodes: &[1, 2],
        step: 6,
        on: ("already_voted", |events| refused(events, 2, "already_voted")),
    },
    Found {
        name: "current-term-commit-found",
        switch: "current_term_commit",
        property: Property::LeaderCompleteness,
        nodes: &[2, 1],
        step: 24,
        // Nothing of an earlier term is committed by counting, so x=1 is
        // never acknowledged.
        on: ("never acknowledged", |events| {
            let kind = |k: &str| events.iter().any(|e| e["kind"] == k);
            let earlier =
                events.iter().any(|e| e["kind"] == "commit_advanced" && e["rule"] == "earlier_term");
            !earlier && !kind("write_acked") && kind("entry_appended")
        }),
    },
    Found {
        name: "log-guards-found",
        switch: "log_guards",
        property: Property::LeaderCompleteness,
        nodes: &[3, 1],
        step: 9,
        on: ("watermark_not_covered", |events| refused(events, 3, "watermark_not_covered")),
    },
    Found {
        name: "force-vote-rule-found",
        switch: "force_respects_vote_rule",
        property: Property::LeaderCompleteness,
        nodes: &[3, 1],
        step: 9,
        on: ("watermark_not_covered", |events| refused(events, 3, "watermark_not_covered")),
    },
];

fn builtin(name: &str) -> Scenario {
    scenario::builtin(name).unwrap_or_else(|| panic!("{name} is not a built-in scenario"))
}

/// The whole run, past the first violation.
fn run(scenario: &Scenario) -> Vec<TraceEvent> {
    let mut sim = scenario.build().expect("the scenario builds");
    sim.run_until_tick(scenario.run_until, 100_000)
}

fn violations(events: &[TraceEvent]) -> Vec<(Property, Vec<NodeId>, u64)> {
    events
        .iter()
        .filter_map(|e| match &e.body {
            TraceBody::Violation { property, nodes, .. } => Some((*property, nodes.clone(), e.step)),
            _ => None,
        })
        .collect()
}

fn json(e: &TraceEvent) -> serde_json::Value {
    serde_json::to_value(e).expect("events serialize")
}

#[test]
fn one_found_run_per_unsafe_switch_on_the_explorers_cluster() {
    let registered: Vec<&str> = scenario::builtin_names().filter(|n| n.ends_with("-found")).collect();
    let expected: Vec<&str> = FOUND.iter().map(|f| f.name).collect();
    assert_eq!(registered, expected);
    for f in &FOUND {
        let s = builtin(f.name);
        let mut explorer = Options::new(Shape::Three);
        explorer.off = vec![f.switch.to_string()];
        assert_eq!(
            s.sim_config(),
            explorer.sim_config().unwrap(),
            "{}: the explorer's cluster, {} off",
            f.name,
            f.switch
        );
        assert!(s.title.starts_with("Found by the model checker"), "{}: {}", f.name, s.title);
        let command = format!("quorumscope explore three --off {}", f.switch);
        assert!(s.explain.contains(&command), "{}: the explanation gives the command that found it", f.name);
        assert!(
            s.explain.contains("proves no shorter run") || s.explain.contains("not proven"),
            "{}: the explanation says whether the run is proven shortest",
            f.name
        );
    }
}

#[test]
fn each_found_run_reports_the_violation_its_explanation_names_at_its_step() {
    for f in &FOUND {
        let s = builtin(f.name);
        let found = violations(&run(&s));
        let (property, nodes, step) = found.first().unwrap_or_else(|| panic!("{}: no violation", f.name));
        assert_eq!((*property, nodes.as_slice()), (f.property, f.nodes), "{}: {found:?}", f.name);
        assert_eq!(*step, f.step, "{}: the step the checker reports it at", f.name);
        let said = format!("reports {} at step {}", f.property.name(), f.step);
        assert!(s.explain.contains(&said), "{}: the explanation says {said:?}", f.name);
    }
}

#[test]
fn with_the_switch_on_the_same_run_is_safe_and_refused() {
    for f in &FOUND {
        let mut s = builtin(f.name);
        s.switches = Switches::default();
        let events = run(&s);
        assert_eq!(violations(&events), [], "{}: every switch on", f.name);
        let (says, shows) = f.on;
        assert!(
            shows(&events.iter().map(json).collect::<Vec<_>>()),
            "{}: with the switch on, {says}",
            f.name
        );
        assert!(builtin(f.name).explain.contains(says), "{}: the explanation names {says:?}", f.name);
    }
}

/// Whether what `highlight` points at is on screen after `step` steps.
fn on_screen(highlight: Highlight, events: &[TraceEvent], step: u64) -> bool {
    let upto = || events.iter().filter(move |e| e.step <= step).map(json);
    match highlight {
        Highlight::Node(_) | Highlight::Banner => true,
        Highlight::Message(seq) => {
            let sent = upto().any(|e| e["kind"] == "message_sent" && e["seq"] == seq);
            let gone = upto().any(|e| {
                matches!(e["kind"].as_str(), Some("message_delivered" | "message_dropped")) && e["seq"] == seq
            });
            sent && !gone
        }
        Highlight::Log(node, index) => {
            upto().any(|e| e["kind"] == "entry_appended" && e["node"] == node && e["index"] == index)
        }
    }
}

#[test]
fn each_tour_lands_in_order_on_things_on_screen_with_captions_in_bounds() {
    for f in &FOUND {
        let s = builtin(f.name);
        let events = run(&s);
        assert!((3..=6).contains(&s.pauses.len()), "{}: {} moments", f.name, s.pauses.len());
        let landed = presentation::assert_tour_lands(f.name, &s, &events);
        // The page shows one picture per step: two moments in one step
        // would caption one picture twice, the first describing a state
        // already gone (a restart under the double vote that follows).
        // Such moments are one moment whose caption tells both.
        let steps: Vec<u64> = landed.iter().map(|e| e.step).collect();
        assert!(steps.windows(2).all(|w| w[0] < w[1]), "{}: moments share a step: {steps:?}", f.name);
        for (i, (pause, event)) in s.pauses.iter().zip(landed).enumerate() {
            assert!(pause.caption.chars().count() <= MAX_CAPTION_CHARS, "{}: pauses[{i}] caption", f.name);
            let highlight = pause.highlight.as_deref().and_then(Highlight::read);
            let highlight =
                highlight.unwrap_or_else(|| panic!("{}: pauses[{i}] points at something", f.name));
            assert!(
                on_screen(highlight, &events, event.step),
                "{}: pauses[{i}] highlights {highlight:?}, not on screen after step {}",
                f.name,
                event.step
            );
        }
        // The last moment is the violation, on the banner.
        let last = s.pauses.last().expect("moments");
        assert_eq!(
            (last.on.as_deref(), last.highlight.as_deref()),
            (Some("violation"), Some("banner")),
            "{}",
            f.name
        );
    }
}

#[test]
fn found_runs_round_trip_through_quorumscope_run() {
    let dir = std::env::temp_dir().join(format!("quorumscope-found-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let cli = |what: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_quorumscope"))
            .args(["run", what, "--json"])
            .output()
            .expect("the CLI runs");
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    for f in &FOUND {
        let s = builtin(f.name);
        assert_eq!(scenario::parse(&s.to_json()).as_ref(), Ok(&s), "{}: written and read back", f.name);
        let file = dir.join(format!("{}.json", f.name));
        std::fs::write(&file, s.to_json()).expect("written");
        let (code, by_name) = cli(f.name);
        assert_eq!(code, Some(1), "{}: exit 1 on a violation", f.name);
        let line = format!(r#""kind":"violation","property":"{}""#, f.property.name());
        assert!(by_name.contains(&line), "{}: {line}", f.name);
        let (code, from_file) = cli(file.to_str().expect("a UTF-8 path"));
        assert_eq!(code, Some(1));
        assert_eq!(from_file, by_name, "{}: the written file runs as the built-in does", f.name);
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The narration blames the switch that is off: in the forced-failover run
/// the log guards are on, and a forced hand-over alone skips them.
#[test]
fn the_narration_names_the_switch_that_let_the_vote_through() {
    let sentences =
        |name: &str| -> Vec<String> { run(&builtin(name)).iter().map(|e| e.text.to_string()).collect() };
    let forced = sentences("force-vote-rule-found");
    assert!(
        forced.iter().any(|t| t.contains(
            "a forced hand-over skips the watermark and up-to-date checks (force_respects_vote_rule is off)"
        )),
        "the grant names force_respects_vote_rule"
    );
    assert!(!forced.iter().any(|t| t.contains("checks are switched off") || t.contains("not the vote rule")));
    let guards_off = sentences("log-guards-found");
    assert!(guards_off.iter().any(|t| t.contains("the watermark and up-to-date checks are switched off")));
    assert!(!guards_off.iter().any(|t| t.contains("force_respects_vote_rule is off")));
}
