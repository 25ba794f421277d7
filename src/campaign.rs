//! Randomized fault campaigns: one seed drives a cluster through
//! partitions, cut links, crashes and restarts, drops, duplicates and
//! reordering, client writes and handovers, with the checker watching
//! every step; then the faults heal and a leader must emerge in bounded
//! time. Everything derives from the seed, so `quorumscope run` replays it.

use serde::{Deserialize, Serialize};

use crate::check::Property;
use crate::core::rng::{derive_seed, Rng};
use crate::core::{Member, NodeId, Switches};
use crate::scenario::Scenario;
use crate::sim::{Command, FailoverMode, NetworkConfig, ScriptStep, Sim, SimConfig, Target, TraceBody};

/// What a campaign varies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CampaignOptions {
    /// Steps of faults per seed.
    pub steps: u64,
    /// Cluster size; 0 alternates 3 and 5 by seed.
    pub nodes: u64,
    /// Make the last member a witness; `None` alternates by seed.
    pub witness: Option<bool>,
    /// Switches turned off.
    pub off: Vec<String>,
}

impl Default for CampaignOptions {
    fn default() -> CampaignOptions {
        CampaignOptions { steps: 3000, nodes: 0, witness: None, off: Vec::new() }
    }
}

/// Ticks allowed for a leader to emerge once every fault has healed.
pub const LIVENESS_TICKS: u64 = 400;

/// What one seed did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
    /// Whether a leader emerged after healing, within `LIVENESS_TICKS`.
    pub live: bool,
    /// The tick the run ended at.
    pub end_tick: u64,
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
    let names: Vec<String> = report.violations.iter().map(|(p, _)| p.to_string()).collect();
    Ok(Scenario::from_run(
        format!("Campaign seed {seed}"),
        format!("A randomized fault campaign's seed {seed}; violations: {}.", names.join(", ")),
        &config,
        script,
        report.end_tick,
    ))
}

fn run_recorded(seed: u64, options: &CampaignOptions) -> Result<(SeedReport, Vec<ScriptStep>), String> {
    let switches = validate(options)?;
    let config = seed_config(seed, options, switches);
    let mut sim = Sim::new(config).map_err(|e| e.0)?;
    let mut script = Vec::new();
    let mut faults = Faults { rng: Rng::new(derive_seed(seed, 0xFA_0175)), writes: 0, isolate_next: false };
    let mut report =
        SeedReport { seed, violations: Vec::new(), leaders: 0, acked: 0, steps: 0, live: false, end_tick: 0 };
    let mut next_fault = 0;
    while sim.step_count() < options.steps {
        if sim.now() >= next_fault {
            next_fault = sim.now() + faults.rng.range_inclusive(2, 30);
            let command = faults.next(&sim);
            // A fault the cluster refuses (say, a handover with no leader) is
            // simply not applied.
            if let Ok(events) = sim.command(&command) {
                tally(&events, &mut report);
                // Cutting a leader off right after a write strands the entry
                // on a minority: the first move of Figure 8.
                if matches!(command, Command::Write { .. }) && faults.rng.unit() < 0.2 {
                    faults.isolate_next = true;
                    next_fault = sim.now() + 1;
                }
                script.push(ScriptStep { at: sim.now(), command });
            }
        }
        let events = sim.step();
        tally(&events, &mut report);
        // A reactive nemesis: now and then cut a leader off the moment it
        // is elected or advances its commit watermark, before what follows
        // spreads — the interleavings Raft's Figure 8 needs, which blind
        // random timing almost never hits.
        let leader = sim.leader();
        let pivotal = events.iter().any(|e| match e.body {
            TraceBody::LeaderElected { .. } => true,
            TraceBody::CommitAdvanced { node, .. } => Some(node) == leader,
            _ => false,
        });
        if pivotal && faults.rng.unit() < 0.2 {
            faults.isolate_next = true;
            next_fault = sim.now();
        }
    }
    heal_everything(&mut sim, &mut report, &mut script);
    let deadline = sim.now() + LIVENESS_TICKS;
    while sim.now() < deadline && sim.leader().is_none() {
        let events = sim.step();
        tally(&events, &mut report);
        // A node still armed to crash at its next persist goes down here;
        // bring it back, as healing means.
        restart_crashed(&mut sim, &mut report, &mut script);
    }
    report.live = sim.leader().is_some();
    report.acked = sim.acked().len() as u64;
    report.steps = sim.step_count();
    report.end_tick = sim.now();
    Ok((report, script))
}

fn tally(events: &[crate::sim::TraceEvent], report: &mut SeedReport) {
    for e in events {
        match &e.body {
            TraceBody::LeaderElected { .. } => report.leaders += 1,
            TraceBody::Violation { property, .. }
                if !report.violations.iter().any(|(p, _)| p == property) =>
            {
                report.violations.push((*property, e.step))
            }
            _ => {}
        }
    }
}

fn heal_everything(sim: &mut Sim, report: &mut SeedReport, script: &mut Vec<ScriptStep>) {
    let quiet = NetworkConfig::default();
    let commands = vec![
        Command::Heal {},
        Command::SetNetwork {
            from: None,
            to: None,
            one_way: false,
            delay_ticks: Some(quiet.delay_ticks),
            drop: Some(0.0),
            duplicate: Some(0.0),
        },
    ];
    apply_all(sim, report, script, commands);
    restart_crashed(sim, report, script);
}

fn restart_crashed(sim: &mut Sim, report: &mut SeedReport, script: &mut Vec<ScriptStep>) {
    let down: Vec<Command> = sim
        .nodes()
        .iter()
        .filter(|(_, n)| n.node.is_none())
        .map(|(id, _)| Command::Restart { node: Target::Node(*id) })
        .collect();
    apply_all(sim, report, script, down);
}

fn apply_all(sim: &mut Sim, report: &mut SeedReport, script: &mut Vec<ScriptStep>, commands: Vec<Command>) {
    for command in commands {
        if let Ok(events) = sim.command(&command) {
            tally(&events, report);
            script.push(ScriptStep { at: sim.now(), command });
        }
    }
}

/// The campaign's own random choices.
struct Faults {
    rng: Rng,
    writes: u64,
    isolate_next: bool,
}

impl Faults {
    fn pick<'a>(&mut self, ids: &'a [NodeId]) -> &'a NodeId {
        &ids[self.rng.range_inclusive(0, ids.len() as u64 - 1) as usize]
    }

    /// Two groups: at random, or the leader alone, or the leader with one
    /// follower (the minorities that Figure 8 and check quorum are about).
    fn split(&mut self, ids: &[NodeId], leader: Option<NodeId>) -> Vec<Vec<NodeId>> {
        let mut groups = vec![Vec::new(), Vec::new()];
        let (leader, buddy) = match leader {
            Some(l) => (l, *self.pick(ids)),
            None => (0, 0),
        };
        let shape = self.rng.range_inclusive(0, 2);
        for id in ids {
            let side = match shape {
                0 if leader != 0 => usize::from(*id != leader),
                1 if leader != 0 => usize::from(*id != leader && *id != buddy),
                _ => self.rng.range_inclusive(0, 1) as usize,
            };
            groups[side].push(*id);
        }
        groups
    }

    fn next(&mut self, sim: &Sim) -> Command {
        let ids: Vec<NodeId> = sim.nodes().keys().copied().collect();
        let down: Vec<NodeId> =
            sim.nodes().iter().filter(|(_, n)| n.node.is_none()).map(|(id, _)| *id).collect();
        if std::mem::take(&mut self.isolate_next) {
            return Command::Partition { groups: self.split(&ids, sim.leader()) };
        }
        let roll = self.rng.range_inclusive(0, 99);
        let may_crash = down.len() * 2 + 2 < ids.len();
        match roll {
            0..=34 => {
                self.writes += 1;
                Command::Write { value: format!("k{}={}", self.writes % 7, self.writes), node: None }
            }
            35..=44 => Command::Partition { groups: self.split(&ids, sim.leader()) },
            45..=49 => {
                let a = *self.pick(&ids);
                let b = *self.pick(&ids);
                let one_way = self.rng.range_inclusive(0, 1) == 1;
                if a == b {
                    Command::Heal {}
                } else {
                    Command::Cut { from: Target::Node(a), to: Target::Node(b), one_way }
                }
            }
            50..=57 => Command::Heal {},
            // Crashes right after a persist are where durability bugs live.
            58..=65 if may_crash => {
                let after_persist = self.rng.range_inclusive(0, 2) == 0;
                Command::Crash { node: Target::Node(*self.pick(&ids)), after_persist }
            }
            // Crashing leaders mid-replication is what Figure 8 needs.
            66..=71 if may_crash && sim.leader().is_some() => {
                let after_persist = self.rng.range_inclusive(0, 3) == 0;
                Command::Crash { node: Target::Leader, after_persist }
            }
            58..=81 if !down.is_empty() => Command::Restart { node: Target::Node(*self.pick(&down)) },
            58..=81 => Command::Write { value: format!("w{}", self.writes), node: None },
            82..=85 => {
                let drop = self.rng.range_inclusive(0, 10) as f64 / 100.0;
                let duplicate = self.rng.range_inclusive(0, 5) as f64 / 100.0;
                let high = self.rng.range_inclusive(1, 8);
                // Half the time one link only: a slow or lossy link among
                // healthy ones.
                let (a, b) = (*self.pick(&ids), *self.pick(&ids));
                let link = (a != b && self.rng.range_inclusive(0, 1) == 0).then_some((a, b));
                Command::SetNetwork {
                    from: link.map(|(a, _)| Target::Node(a)),
                    to: link.map(|(_, b)| Target::Node(b)),
                    one_way: false,
                    delay_ticks: Some([1, high]),
                    drop: Some(drop),
                    duplicate: Some(duplicate),
                }
            }
            86..=94 => {
                let to = Target::Node(*self.pick(&ids));
                let mode = if self.rng.range_inclusive(0, 1) == 0 {
                    FailoverMode::Coordinated
                } else {
                    FailoverMode::Force
                };
                let deadline_ticks = Some(self.rng.range_inclusive(0, 40));
                Command::Failover { to, mode, deadline_ticks }
            }
            _ => Command::TimeoutNow { node: Target::Node(*self.pick(&ids)) },
        }
    }
}
