//! A bounded trace (what the page uses, so that an embed left playing for
//! an hour stays within a fixed memory budget): only the newest events are
//! kept, positions stay absolute, and seeking back before the kept ones
//! re-derives them by replay, identical to a run that kept everything.

use quorumscope::sim::{Command, Sim, SimConfig, Target, Timeline};

const SEED: u64 = 23;
const LIMIT: usize = 500;

fn timeline(limit: Option<usize>) -> Timeline {
    let mut config = SimConfig::with_nodes(5, SEED);
    config.network.drop = 0.05;
    let mut t = Timeline::new(Sim::new(config).expect("valid"));
    if let Some(n) = limit {
        t.limit_trace(n);
    }
    t
}

/// Steps both, crashing the leader once on the way (a recorded input).
fn run(t: &mut Timeline, steps: u64) {
    for _ in 0..steps {
        t.step();
        if t.sim().step_count() == 3_000 {
            t.command(Command::Crash { node: Target::Leader, after_persist: false }).ok();
        }
    }
}

#[test]
fn only_the_newest_events_are_kept_and_positions_stay_absolute() {
    let (mut full, mut bounded) = (timeline(None), timeline(Some(LIMIT)));
    run(&mut full, 12_000);
    run(&mut bounded, 12_000);
    assert!(bounded.trace().len() <= LIMIT + LIMIT / 2, "seed {SEED}: kept {}", bounded.trace().len());
    assert_eq!(bounded.trace_end(), full.trace().len());
    assert_eq!(bounded.trace(), &full.trace()[bounded.trace_base()..]);
}

#[test]
fn seeking_before_the_kept_events_rederives_them() {
    let (mut full, mut bounded) = (timeline(None), timeline(Some(LIMIT)));
    run(&mut full, 12_000);
    run(&mut bounded, 12_000);
    for target in [2_500, 3_001, 11_000, 40, 12_000] {
        full.seek(target);
        bounded.seek(target);
        assert_eq!(bounded.trace_end(), full.trace().len(), "seed {SEED}: seek to {target}");
        assert_eq!(bounded.trace(), &full.trace()[bounded.trace_base()..], "seed {SEED}: seek to {target}");
        assert!(bounded.trace().len() <= LIMIT + LIMIT / 2);
    }
}

#[test]
fn a_checkpoint_budget_bounds_history_and_seeks_stay_exact() {
    let mut full = timeline(None);
    let mut bounded = timeline(Some(LIMIT));
    bounded.limit_checkpoints(2_000);
    for t in [&mut full, &mut bounded] {
        for i in 0..20_000u64 {
            t.step();
            if i % 40 == 0 {
                t.command(Command::Write { value: format!("k{i}=1"), node: None }).ok();
            }
        }
    }
    assert!(
        bounded.checkpoint_count() < full.checkpoint_count(),
        "seed {SEED}: the budget thinned checkpoints"
    );
    for target in [100, 7_777, 19_999] {
        full.seek(target);
        bounded.seek(target);
        assert_eq!(bounded.trace(), &full.trace()[bounded.trace_base()..], "seed {SEED}: seek to {target}");
    }
}
