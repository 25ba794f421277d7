//! Events within a step come in the order the node did the work
//! (SCENARIO.md, Version 2, "Causal order within a step"): a reader that
//! replays the trace line by line never sees a commit of an entry it has not
//! seen stored. Checked over every built-in scenario and many campaign
//! seeds, with and without the switch that lets earlier-term entries commit.

use std::collections::BTreeMap;

use quorumscope::campaign::{scenario_for, CampaignOptions};
use quorumscope::core::{CommitRule, NodeId};
use quorumscope::scenario::{self, Scenario};
use quorumscope::sim::{Timeline, TraceBody, TraceEvent};

/// What a line-by-line reader knows of one node's log.
#[derive(Default)]
struct ReadLog {
    /// Index to term, of the entries the trace has shown stored.
    entries: BTreeMap<u64, u64>,
    /// Everything up to here is covered by a snapshot.
    snapshot: u64,
}

/// Replays `trace` as a reader would; the error names the step and line.
fn replay(trace: &[TraceEvent]) -> Result<(), String> {
    let mut logs: BTreeMap<NodeId, ReadLog> = BTreeMap::new();
    // Per node, the highest index committed so far within the current step.
    let mut committed_this_step: BTreeMap<NodeId, u64> = BTreeMap::new();
    let mut step = u64::MAX;
    for (line, e) in trace.iter().enumerate() {
        if e.step != step {
            step = e.step;
            committed_this_step.clear();
        }
        let at = || format!("step {} (line {}): {}", e.step, line + 1, e.to_json_line());
        match &e.body {
            TraceBody::EntryAppended { node, index, term, .. } => {
                if committed_this_step.get(node).is_some_and(|c| c >= index) {
                    return Err(format!("entry stored after a commit that covers it: {}", at()));
                }
                let log = logs.entry(*node).or_default();
                // An append at `index` replaces whatever followed it.
                log.entries.split_off(index);
                log.entries.insert(*index, *term);
            }
            TraceBody::SnapshotInstalled { node, index, .. } => {
                let log = logs.entry(*node).or_default();
                log.entries.clear();
                log.snapshot = *index;
            }
            TraceBody::SnapshotTaken { node, index, .. } => {
                let log = logs.entry(*node).or_default();
                log.snapshot = log.snapshot.max(*index);
            }
            TraceBody::CommitAdvanced { node, index, rule } => {
                let log = logs.entry(*node).or_default();
                if *index > log.snapshot && !log.entries.contains_key(index) {
                    return Err(format!("commit of an entry never shown stored: {}", at()));
                }
                if rule.is_none() {
                    return Err(format!("commit without the core's rule: {}", at()));
                }
                committed_this_step.insert(*node, *index);
            }
            _ => {}
        }
    }
    Ok(())
}

fn trace_of(s: &Scenario) -> Vec<TraceEvent> {
    let mut timeline = Timeline::new(s.build().expect("valid scenario"));
    while timeline.sim().now() < s.run_until {
        timeline.step();
    }
    timeline.trace().to_vec()
}

#[test]
fn every_builtin_scenario_commits_only_what_it_has_shown_stored() {
    for name in scenario::builtin_names() {
        let s = scenario::builtin(name).expect("listed");
        if let Err(e) = replay(&trace_of(&s)) {
            panic!("scenario {name}: {e}");
        }
    }
}

#[test]
fn campaign_seeds_commit_only_what_they_have_shown_stored() {
    let plain = CampaignOptions { steps: 1500, ..CampaignOptions::default() };
    // With the Figure 8 rule off, leaders commit earlier-term entries too.
    let figure8 = CampaignOptions { off: vec!["current_term_commit".into()], ..plain.clone() };
    for options in [plain, figure8] {
        for seed in 0..40 {
            let s = scenario_for(seed, &options).expect("campaign scenario");
            if let Err(e) = replay(&trace_of(&s)) {
                panic!("seed {seed} (off: {:?}): {e}", options.off);
            }
        }
    }
}

/// The reader catches the order the issue reported (a commit printed before
/// the entry it covers), so the tests above can fail.
#[test]
fn the_reader_rejects_a_commit_before_its_entry() {
    let s = scenario::builtin("first-election").expect("built-in");
    let mut trace = trace_of(&s);
    let commit =
        trace.iter().position(|e| matches!(e.body, TraceBody::CommitAdvanced { .. })).expect("a commit");
    let TraceBody::CommitAdvanced { node, index, .. } = trace[commit].body.clone() else { unreachable!() };
    let stored = trace[..commit]
        .iter()
        .rposition(|e| matches!(e.body, TraceBody::EntryAppended { node: n, index: i, .. } if n == node && i == index))
        .expect("its entry was stored first");
    // Move the commit to just before its entry, within the entry's step.
    let mut moved = trace.remove(commit);
    moved.step = trace[stored].step;
    trace.insert(stored, moved);
    assert!(replay(&trace).is_err(), "a commit before its entry must be caught");
}

/// A leader that commits an entry of its own term says how many earlier
/// entries that carried (Raft §5.4.2), as the core computed it.
#[test]
fn a_new_leaders_first_commit_states_its_rule() {
    let s = scenario::builtin("leader-crash").expect("built-in");
    let trace = trace_of(&s);
    let rules: Vec<CommitRule> = trace
        .iter()
        .filter_map(|e| match &e.body {
            TraceBody::CommitAdvanced { rule: Some(rule), .. } => Some(*rule),
            _ => None,
        })
        .collect();
    assert!(rules.iter().any(|r| matches!(r, CommitRule::CurrentTerm { .. })), "{rules:?}");
    assert!(rules.iter().any(|r| matches!(r, CommitRule::Leader)), "{rules:?}");
    assert!(!rules.iter().any(|r| matches!(r, CommitRule::EarlierTerm)), "every switch is on: {rules:?}");
}
