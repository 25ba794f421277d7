//! Randomized fault campaigns: one seed drives a cluster through
//! partitions, cut links, crashes and restarts, drops, duplicates and
//! reordering, client writes, transfers and failovers, membership changes
//! (data members, witnesses, learners, joint changes that may remove the
//! leader), snapshots and control-plane appends, with the checker watching
//! every step; then the faults heal and the cluster must settle in bounded
//! time. Everything derives from the seed, so `quorumscope run` replays it.

use serde::Serialize;

use crate::check::Property;
use crate::core::rng::{derive_seed, Rng};
use crate::core::{Member, NodeId, Payload, Switches};
use crate::scenario::Scenario;
use crate::sim::{Command, NetworkConfig, ScriptStep, Sim, SimConfig, Target, TraceBody};

mod faults;

use faults::Faults;

/// What a campaign varies.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CampaignOptions {
    /// Steps of faults per seed.
    pub steps: u64,
    /// Cluster size; 0 alternates 3 and 5 by seed.
    pub nodes: u64,
    /// Make the last member a witness; `None` alternates by seed.
    pub witness: Option<bool>,
    /// Switches turned off.
    pub off: Vec<String>,
    /// Only the classic faults (`--basic`): no membership changes,
    /// snapshots or control-plane appends. The teaching switches' tests
    /// use it: their violations need many writes and handovers, which the
    /// full mix dilutes.
    pub basic: bool,
}

impl Default for CampaignOptions {
    fn default() -> CampaignOptions {
        CampaignOptions { steps: 3000, nodes: 0, witness: None, off: Vec::new(), basic: false }
    }
}

/// Ticks allowed, after every fault has healed, for the cluster to settle:
/// a leader of its own latest configuration, which has committed an entry
/// of its term, no configuration change pending or joint, every learner
/// promoted, and every member up with the leader's commit watermark and
/// the same entry there.
pub const LIVENESS_TICKS: u64 = 600;

/// What one seed did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SeedReport {
    /// The seed.
    pub seed: u64,
    /// Properties broken, each with the first step it broke at.
    pub violations: Vec<(Property, u64)>,
    /// Leader elections seen.
    pub leaders: u64,
    /// Writes acknowledged.
    pub acked: u64,
    /// Steps taken.
    pub steps: u64,
    /// Whether the cluster settled after healing, within `LIVENESS_TICKS`
    /// (see there).
    pub live: bool,
    /// The tick the run ended at.
    pub end_tick: u64,
    /// Membership commands the leader accepted (add, remove, joint).
    pub membership: u64,
    /// Snapshots taken or installed.
    pub snapshots: u64,
    /// Control-plane entries appended.
    pub cp: u64,
}

/// Checks the options; the error names the problem.
pub fn validate(options: &CampaignOptions) -> Result<Switches, String> {
    let mut switches = Switches::default();
    for name in &options.off {
        match switches.by_name_mut(name) {
            Some(s) => *s = false,
            None => {
                return Err(format!("--off {name}: unknown switch (known: {})", Switches::NAMES.join(", ")))
            }
        }
    }
    if options.nodes != 0 && !(1..=15).contains(&options.nodes) {
        return Err(format!("--nodes {}: the simulator runs 1 to 15 nodes", options.nodes));
    }
    if options.steps == 0 || options.steps > 10_000_000 {
        return Err(format!("--steps {}: must be between 1 and 10000000", options.steps));
    }
    Ok(switches)
}

/// The cluster a seed runs.
pub fn seed_config(seed: u64, options: &CampaignOptions, switches: Switches) -> SimConfig {
    let n = if options.nodes == 0 { [3, 5][(seed % 2) as usize] } else { options.nodes };
    let witness = options.witness.unwrap_or(seed % 4 >= 2) && n >= 3;
    let mut members: Vec<Member> = (1..=n).map(Member::data).collect();
    if witness {
        members[(n - 1) as usize] = Member::witness(n);
    }
    let mut config = SimConfig::with_nodes(n, seed);
    config.members = members;
    // Small batches let an old-term entry reach a quorum before the new
    // leader's no-op does: the window Raft's Figure 8 is about.
    config.max_batch = [64, 1, 4][(seed / 4 % 3) as usize];
    // Snapshots off for a quarter of the seeds; otherwise often enough that
    // followers and new members catch up from one.
    config.snapshot_threshold = if options.basic { 0 } else { [0, 4, 16, 64][(seed / 12 % 4) as usize] };
    config.switches = switches;
    config
}

/// Runs one seed.
pub fn run_seed(seed: u64, options: &CampaignOptions) -> Result<SeedReport, String> {
    run_recorded(seed, options).map(|(report, _)| report)
}

/// The seed's run as a scenario file, so that `quorumscope run` replays it
/// exactly (the same cluster, seed and commands at the same ticks).
pub fn scenario_for(seed: u64, options: &CampaignOptions) -> Result<Scenario, String> {
    let (report, script) = run_recorded(seed, options)?;
    let config = seed_config(seed, options, validate(options)?);
    let mut names: Vec<String> = report.violations.iter().map(|(p, _)| p.to_string()).collect();
    if !report.live {
        names.push(format!("not settled within {LIVENESS_TICKS} ticks of healing"));
    }
    Ok(Scenario::from_run(
        format!("Campaign seed {seed}"),
        format!("A randomized fault campaign's seed {seed}; findings: {}.", names.join(", ")),
        &config,
        script,
        report.end_tick,
    ))
}

/// Runs one seed and records the commands it gave. Commands are given only
/// at the start of a tick, before its deliveries, which is where a
/// replayed script runs them: so the replay is the same run, step for step.
fn run_recorded(seed: u64, options: &CampaignOptions) -> Result<(SeedReport, Vec<ScriptStep>), String> {
    let switches = validate(options)?;
    let config = seed_config(seed, options, switches);
    let mut sim = Sim::new(config).map_err(|e| e.0)?;
    let mut run = Run { sim: &mut sim, report: SeedReport::new(seed), script: Vec::new() };
    let mut faults = Faults::new(Rng::new(derive_seed(seed, 0xFA_0175)));
    let mut next_fault = 0;
    let mut tick_start = true;
    while run.sim.step_count() < options.steps || !tick_start {
        if tick_start && run.sim.now() >= next_fault && run.sim.step_count() < options.steps {
            next_fault = run.sim.now() + faults.rng.range_inclusive(2, 30);
            let command = faults.next(run.sim, options.basic);
            let is_write = matches!(command, Command::Write { .. });
            // Cutting a leader off right after a write strands the entry
            // on a minority: the first move of Figure 8.
            if run.give(command) && is_write && faults.rng.unit() < 0.2 {
                faults.isolate_next = true;
                next_fault = run.sim.now() + 1;
            }
        }
        let now = run.sim.now();
        let events = run.sim.step();
        tick_start = run.sim.now() != now;
        run.tally(&events);
        // A reactive nemesis: now and then cut a leader off the moment it
        // is elected or advances its commit watermark, before what follows
        // spreads (at the next tick's start) — the interleavings Raft's
        // Figure 8 needs, which blind random timing almost never hits.
        let leader = run.sim.leader();
        let pivotal = events.iter().any(|e| match e.body {
            TraceBody::LeaderElected { .. } => true,
            TraceBody::CommitAdvanced { node, .. } => Some(node) == leader,
            _ => false,
        });
        if pivotal && faults.rng.unit() < 0.2 {
            faults.isolate_next = true;
            next_fault = run.sim.now();
        }
    }
    run.heal_everything();
    let deadline = run.sim.now() + LIVENESS_TICKS;
    let mut live = settled(run.sim);
    while run.sim.now() < deadline && !live {
        let now = run.sim.now();
        let events = run.sim.step();
        run.tally(&events);
        if run.sim.now() != now {
            // A node still armed to crash at its next persist goes down
            // here; bring it back, as healing means.
            run.restart_crashed();
            live = settled(run.sim);
        }
    }
    let Run { report: mut r, script, .. } = run;
    r.live = live;
    r.acked = sim.acked().len() as u64;
    r.steps = sim.step_count();
    r.end_tick = sim.now();
    Ok((r, script))
}

impl SeedReport {
    fn new(seed: u64) -> SeedReport {
        SeedReport {
            seed,
            violations: Vec::new(),
            leaders: 0,
            acked: 0,
            steps: 0,
            live: false,
            end_tick: 0,
            membership: 0,
            snapshots: 0,
            cp: 0,
        }
    }
}

/// A seed's run under way: the cluster, what it found, what it was told.
struct Run<'a> {
    sim: &'a mut Sim,
    report: SeedReport,
    script: Vec<ScriptStep>,
}

impl Run<'_> {
    /// Gives `command` now and records it; false when the cluster refused
    /// it (a fault it cannot take, say a handover with no leader, is
    /// simply not given).
    fn give(&mut self, command: Command) -> bool {
        let Ok(events) = self.sim.command(&command) else { return false };
        let reconfigures = matches!(
            command,
            Command::AddServer { .. } | Command::RemoveServer { .. } | Command::ChangeVoters { .. }
        );
        if reconfigures {
            self.report.membership += 1;
        }
        self.tally(&events);
        self.script.push(ScriptStep { at: self.sim.now(), command });
        true
    }

    fn tally(&mut self, events: &[crate::sim::TraceEvent]) {
        let report = &mut self.report;
        for e in events {
            match &e.body {
                TraceBody::LeaderElected { .. } => report.leaders += 1,
                TraceBody::SnapshotTaken { .. } | TraceBody::SnapshotInstalled { .. } => {
                    report.snapshots += 1
                }
                TraceBody::CpAppended { .. } => report.cp += 1,
                TraceBody::Violation { property, .. }
                    if !report.violations.iter().any(|(p, _)| p == property) =>
                {
                    report.violations.push((*property, e.step))
                }
                _ => {}
            }
        }
    }

    fn heal_everything(&mut self) {
        let quiet = NetworkConfig::default();
        self.give(Command::Heal {});
        self.give(Command::SetNetwork {
            from: None,
            to: None,
            one_way: false,
            delay_ticks: Some(quiet.delay_ticks),
            drop: Some(0.0),
            duplicate: Some(0.0),
        });
        self.restart_crashed();
    }

    fn restart_crashed(&mut self) {
        let down: Vec<NodeId> =
            self.sim.nodes().iter().filter(|(_, n)| n.node.is_none()).map(|(id, _)| *id).collect();
        for id in down {
            self.give(Command::Restart { node: Target::Node(id) });
        }
    }
}

/// True when the cluster has settled (see `LIVENESS_TICKS`).
pub fn settled(sim: &Sim) -> bool {
    let Some((id, leader)) = sim.leader().and_then(|l| sim.node(l).map(|n| (l, n))) else { return false };
    let (m, log, commit) = (leader.membership(), leader.log(), leader.commit_index());
    let pending_config =
        log.range(commit + 1, log.last_index()).iter().any(|e| matches!(e.payload, Payload::Config(_)));
    if !m.is_voter(id) || m.is_joint() || !m.learners.is_empty() || pending_config {
        return false;
    }
    if log.term_at(commit) != Some(leader.term()) {
        return false;
    }
    m.members().iter().all(|member| {
        sim.node(*member)
            .is_some_and(|n| n.commit_index() == commit && n.log().term_at(commit) == log.term_at(commit))
    })
}
