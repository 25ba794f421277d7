//! Every seed a campaign saves replays exactly (issue 11): the campaign
//! gives its commands at the start of a tick, where a replayed script runs
//! them, so `quorumscope run` on the saved file finds the same violations
//! at the same steps, the same elections and the same settling.

use quorumscope::campaign::{self, CampaignOptions, SeedReport};
use quorumscope::check::Property;
use quorumscope::scenario;
use quorumscope::sim::TraceBody;

/// What the replay of `seed`'s saved scenario shows in `steps` steps:
/// (first violations, elections, acknowledged writes, the tick reached).
fn replay(seed: u64, options: &CampaignOptions, steps: u64) -> (Vec<(Property, u64)>, u64, u64, u64) {
    let saved = campaign::scenario_for(seed, options).expect("valid options");
    let s = scenario::parse(&saved.to_json()).expect("the saved scenario parses");
    let mut sim = s.build().expect("the saved scenario builds");
    let mut events = Vec::new();
    for _ in 0..steps {
        events.extend(sim.step());
    }
    let mut violations: Vec<(Property, u64)> = Vec::new();
    let mut leaders = 0;
    for e in &events {
        match e.body {
            TraceBody::Violation { property, .. } if !violations.iter().any(|(p, _)| *p == property) => {
                violations.push((property, e.step))
            }
            TraceBody::LeaderElected { .. } => leaders += 1,
            _ => {}
        }
    }
    (violations, leaders, sim.acked().len() as u64, sim.now())
}

fn check_replays(options: &CampaignOptions, seeds: std::ops::Range<u64>) -> Vec<SeedReport> {
    let mut reports = Vec::new();
    for seed in seeds {
        let r = campaign::run_seed(seed, options).expect("valid options");
        let (violations, leaders, acked, tick) = replay(seed, options, r.steps);
        assert_eq!(violations, r.violations, "seed {seed}: the replay found other violations");
        assert_eq!(
            (leaders, acked, tick),
            (r.leaders, r.acked, r.end_tick),
            "seed {seed}: the replay differs"
        );
        reports.push(r);
    }
    reports
}

#[test]
fn campaign_seeds_replay_step_for_step() {
    let options = CampaignOptions { steps: 1500, ..CampaignOptions::default() };
    let reports = check_replays(&options, 0..12);
    assert!(reports.iter().any(|r| r.membership > 0) && reports.iter().any(|r| r.snapshots > 0));
}

#[test]
fn violating_seeds_replay_their_violation_at_the_same_step() {
    // durable_vote off: a crash after voting lets a node vote twice.
    let options =
        CampaignOptions { steps: 2000, off: vec!["durable_vote".into()], ..CampaignOptions::default() };
    let mut found = Vec::new();
    for seed in 0..400 {
        let r = campaign::run_seed(seed, &options).expect("valid options");
        if r.violations.is_empty() {
            continue;
        }
        let (violations, ..) = replay(seed, &options, r.steps);
        assert_eq!(violations, r.violations, "seed {seed}: the saved scenario does not replay its violation");
        found.push(seed);
        if found.len() == 2 {
            return;
        }
    }
    panic!("durable_vote off: only {found:?} violated in 400 seeds");
}
