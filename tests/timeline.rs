//! Time travel: checkpoints plus deterministic replay return exactly to an
//! earlier step; acting in the past forks the run; traces export and import.

use quorumscope::sim::{
    export_json_lines, import_json_lines, view, Command, Sim, SimConfig, Target, Timeline, CHECKPOINT_EVERY,
    MAX_CHECKPOINTS,
};

fn timeline(seed: u64) -> Timeline {
    let mut config = SimConfig::with_nodes(5, seed);
    config.network.drop = 0.05;
    config.network.duplicate = 0.02;
    Timeline::new(Sim::new(config).expect("valid"))
}

fn picture(t: &Timeline) -> String {
    serde_json::to_string(&view(t.sim())).unwrap()
}

#[test]
fn seeking_back_restores_every_earlier_step_exactly() {
    let mut t = timeline(11);
    // pictures[k] is the state after k steps (commands issued at a step
    // belong to the next one, as seek shows them).
    let mut pictures = vec![picture(&t)];
    for _ in 0..(3 * CHECKPOINT_EVERY + 17) {
        t.step();
        pictures.push(picture(&t));
        if t.sim().step_count() == 150 {
            t.command(Command::Crash { node: Target::Leader, after_persist: false }).ok();
        }
    }
    let trace_len_at = |t: &Timeline, step: u64| t.trace().iter().filter(|e| e.step < step).count();
    let full = t.trace().to_vec();
    for target in [0u64, 1, 127, 128, 129, 149, 150, 151, 300, 400] {
        t.seek(target);
        assert_eq!(t.sim().step_count(), target);
        assert_eq!(picture(&t), pictures[target as usize], "state after seeking to step {target}");
        assert_eq!(t.trace().len(), trace_len_at(&t, target), "trace truncated at step {target}");
    }
    // Forward again replays the recorded crash: the same run, event for event.
    t.seek(full.last().unwrap().step + 1);
    assert_eq!(t.trace(), &full[..]);
}

#[test]
fn acting_in_the_past_forks_the_run() {
    let mut t = timeline(12);
    for _ in 0..300 {
        t.step();
    }
    let original = t.trace().to_vec();
    t.seek(100);
    t.command(Command::Heal {}).expect("heal always applies");
    t.command(Command::Crash { node: Target::Node(2), after_persist: false }).unwrap();
    for _ in 0..200 {
        t.step();
    }
    assert_eq!(t.inputs().len(), 2, "the fork keeps only the new commands");
    assert!(t.sim().node(2).is_none(), "node 2 crashed in the fork");
    assert_ne!(t.trace(), &original[..], "the future was rewritten");
    assert_eq!(&t.trace()[..50], &original[..50], "the past before step 100 is untouched");
}

#[test]
fn a_failed_command_changes_nothing() {
    let mut t = timeline(13);
    for _ in 0..50 {
        t.step();
    }
    let before = picture(&t);
    let err = t.command(Command::Restart { node: Target::Node(9) }).unwrap_err();
    assert!(err.0.contains("node 9"), "{err}");
    assert!(t.command(Command::Partition { groups: vec![vec![1, 2], vec![2, 3]] }).is_err());
    assert_eq!(picture(&t), before);
    assert!(t.inputs().is_empty());
}

#[test]
fn traces_export_and_import_as_json_lines() {
    let mut t = timeline(14);
    for _ in 0..400 {
        t.step();
    }
    let text = export_json_lines(t.trace());
    let back = import_json_lines(&text).expect("round trip");
    assert_eq!(back, t.trace());
    for line in text.lines().take(50) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for key in ["step", "tick", "kind", "text"] {
            assert!(v.get(key).is_some(), "every event has {key}: {line}");
        }
    }
    let err = import_json_lines("{\"step\": 0}\n").unwrap_err();
    assert!(err.starts_with("line 1:"), "{err}");
}

/// A long run whose logs are never snapshotted: checkpoints space out as
/// the logs grow and the older ones thin out, yet every step is still
/// reachable exactly.
#[test]
fn long_runs_keep_few_checkpoints_and_still_seek_exactly() {
    let mut t = timeline(13);
    let targets = [0u64, 1, 500, 4_321, 20_000, 39_999, 59_000, 69_998];
    let mut pictures = Vec::new();
    for step in 0..70_000u64 {
        // Before this step's command: seek shows a step's commands with
        // the step after it.
        if targets.contains(&step) {
            pictures.push((step, picture(&t)));
        }
        if step % 5 == 0 {
            // Rejected while there is no leader; that is fine.
            t.command(Command::Write { value: format!("k{}=v", step % 97), node: None }).ok();
        }
        t.step();
    }
    assert!(t.sim().footprint() > 100_000, "the logs grew: footprint {}", t.sim().footprint());
    assert!(
        (2..=MAX_CHECKPOINTS).contains(&t.checkpoint_count()),
        "{} checkpoints for 70,000 steps",
        t.checkpoint_count()
    );
    let full = t.trace().to_vec();
    // Far back first (through thinned checkpoints), then forward.
    for (step, expected) in pictures.iter().rev() {
        t.seek(*step);
        // Not assert_eq: the pictures are megabytes.
        assert!(&picture(&t) == expected, "state after seeking to step {step} differs");
    }
    t.seek(70_000);
    assert!(t.trace() == &full[..], "replayed forward, the same run event for event");
}
