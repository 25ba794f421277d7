//! The Raft paper's Figure 16: how long a five-server cluster takes to
//! elect a new leader after the leader crashes, for several ranges of
//! election timeout, on the testbed the paper measured (`Testbed::PAPER`):
//! a one-way network delay of 1–4 ms; a durable write of 8 ms, one at a
//! time per node, which a reply waits for and a request may overlap (Raft
//! thesis §10.2.1); the paper's timer rule (Figure 2); the heartbeat half
//! the minimum timeout; the crash of a leader that has led for at least two
//! maximum timeouts, at a random point of its heartbeat interval; 10 ticks
//! to the millisecond.
//!
//! `paper` runs the paper's Raft (no pre-vote, stickiness or check quorum,
//! the paper's timer rule); otherwise quorumscope's defaults on the same
//! testbed, whose extra probe round trip and stickiness show up as a shift
//! of the curve.

use serde::Serialize;

use crate::core::rng::{derive_seed, Rng};
use crate::core::Role;
use crate::sim::{Command, NetworkConfig, Sim, SimConfig, Target, TraceBody};

/// An election timeout range in ms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TimeoutRange {
    /// Minimum.
    pub min: u64,
    /// Maximum.
    pub max: u64,
}

impl TimeoutRange {
    /// Checks the range.
    pub fn validate(&self) -> Result<(), String> {
        if self.min < 2 || self.min > self.max || self.max > 10_000 {
            return Err(format!(
                "timeout range {}–{} must satisfy 2 ≤ min ≤ max ≤ 10000",
                self.min, self.max
            ));
        }
        Ok(())
    }
}

/// The ranges of Figure 16.
pub const RANGES: [TimeoutRange; 7] = [
    TimeoutRange { min: 150, max: 150 },
    TimeoutRange { min: 150, max: 151 },
    TimeoutRange { min: 150, max: 155 },
    TimeoutRange { min: 150, max: 175 },
    TimeoutRange { min: 150, max: 200 },
    TimeoutRange { min: 150, max: 300 },
    TimeoutRange { min: 12, max: 24 },
];

/// What the paper reports, for the table beside ours.
pub const PAPER_REPORTS: [(&str, &str); 4] = [
    ("150–155", "median about 287 ms"),
    ("150–200", "worst case about 513 ms"),
    ("150–150", "over 10 s (split votes)"),
    ("12–24", "mean 35 ms"),
];

/// The paper's broadcast time ("roughly 15 ms", §9.3), printed beside the
/// one measured on the testbed.
pub const PAPER_BROADCAST_MS: u64 = 15;

/// Longest a trial waits for a new leader, in ms.
pub const CAP_MS: u64 = 20_000;

/// The machine the experiment runs on, in ms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Testbed {
    /// One-way network delay, min and max.
    pub delay_ms: [u64; 2],
    /// How long a durable write takes.
    pub write_ms: u64,
    /// Ticks to the millisecond: a finer clock draws timeouts from more
    /// distinct values (150–155 ms is only six whole milliseconds).
    pub ticks_per_ms: u64,
}

impl Testbed {
    /// The paper's: what reproduces the figures it reports (docs/figure16.md).
    pub const PAPER: Testbed = Testbed { delay_ms: [1, 4], write_ms: 8, ticks_per_ms: 10 };

    /// One line for the table's heading.
    pub fn describe(&self) -> String {
        format!(
            "5 servers, one-way delay {}–{} ms, durable write {} ms (one at a time per node; requests overlap it, replies wait), {} ticks = 1 ms",
            self.delay_ms[0], self.delay_ms[1], self.write_ms, self.ticks_per_ms
        )
    }

    /// The cluster of trial `seed` for `range`.
    fn sim(&self, range: TimeoutRange, seed: u64, paper: bool) -> Option<Sim> {
        let k = self.ticks_per_ms.clamp(1, 100);
        let mut config = SimConfig::with_nodes(5, seed);
        config.election_ticks = [range.min * k, range.max * k];
        config.heartbeat_ticks = (range.min * k / 2).max(1);
        let delay_ticks = [self.delay_ms[0] * k, self.delay_ms[1] * k];
        config.network = NetworkConfig { delay_ticks, drop: 0.0, duplicate: 0.0 };
        config.disk_ticks = [self.write_ms * k; 2];
        if paper {
            // The paper's Raft had none of these liveness refinements. Check
            // quorum matters most at 12–24 ms, where a round trip with its
            // writes nears the minimum timeout.
            config.switches.pre_vote = false;
            config.switches.stickiness = false;
            config.switches.check_quorum = false;
            config.paper_timer = true;
        }
        let mut sim = Sim::new(config).ok()?;
        sim.set_checking(false);
        Some(sim)
    }
}

/// What one trial found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Outcome {
    /// A new leader this many ms after the crash.
    Elected(u64),
    /// No leader within `CAP_MS` of the crash.
    NoLeader,
    /// No leader held office long enough to crash it: the cluster never
    /// settled (split votes at 150–150 ms), so there was no crash to time.
    NeverLed,
}

/// The seed of trial `k` (from 0) of every range: the CLI's
/// `elect-times` and the page's Figure 16 panel both draw their trials from
/// it, so the same experiment gives the same numbers in both.
pub fn trial_seed(k: u64) -> u64 {
    0x16_0000 + k
}

/// Runs `sim` until a leader has held office for `ticks`, at most until
/// `deadline`; returns it.
fn established_leader(sim: &mut Sim, ticks: u64, deadline: u64) -> Option<u64> {
    let mut since = None;
    while sim.now() < deadline {
        let leader = sim.leader();
        match (leader, since) {
            (Some(l), Some((held, from))) if l == held && sim.now() >= from + ticks => return Some(l),
            (Some(l), Some((held, _))) if l == held => {}
            (Some(l), _) => since = Some((l, sim.now())),
            (None, _) => since = None,
        }
        sim.step();
    }
    None
}

/// One trial on `testbed`: ms from the crash of an established leader to a
/// new one.
pub fn trial(testbed: &Testbed, range: TimeoutRange, seed: u64, paper: bool) -> Outcome {
    let k = testbed.ticks_per_ms.clamp(1, 100);
    let Some(mut sim) = testbed.sim(range, seed, paper) else { return Outcome::NeverLed };
    // A leader that has led for two maximum timeouts, as the paper's
    // crashed leaders had: its followers' timers run from its heartbeats,
    // not from its election. Bounded even for split-vote ranges.
    let deadline = 60 * range.max * k;
    let Some(victim) = established_leader(&mut sim, 2 * range.max * k, deadline) else {
        return Outcome::NeverLed;
    };
    let mut rng = Rng::new(derive_seed(seed, 0xF16));
    let heartbeat = (range.min * k / 2).max(1);
    sim.run_until_tick(sim.now() + rng.range_inclusive(0, heartbeat - 1), u64::MAX);
    if sim.node(victim).map(|n| n.role()) != Some(Role::Leader) {
        return Outcome::NeverLed;
    }
    if sim.command(&Command::Crash { node: Target::Node(victim), after_persist: false }).is_err() {
        return Outcome::NeverLed;
    }
    let crashed_at = sim.now();
    while sim.now() < crashed_at + CAP_MS * k {
        for e in sim.step() {
            if matches!(e.body, TraceBody::LeaderElected { .. }) {
                return Outcome::Elected((sim.now() - crashed_at).div_ceil(k));
            }
        }
    }
    Outcome::NoLeader
}

/// The broadcast time on `testbed`, in ms: from a client write reaching an
/// established leader (timeouts 150–300 ms, the paper's Raft) until all
/// four followers have acknowledged it. `None` if the cluster never
/// settled.
pub fn broadcast_ms(testbed: &Testbed, seed: u64) -> Option<f64> {
    let k = testbed.ticks_per_ms.clamp(1, 100);
    let range = TimeoutRange { min: 150, max: 300 };
    let mut sim = testbed.sim(range, seed, true)?;
    let leader = established_leader(&mut sim, 2 * range.max * k, 60 * range.max * k)?;
    sim.command(&Command::Write { value: "x".into(), node: Some(Target::Node(leader)) }).ok()?;
    let (start, index) = (sim.now(), sim.node(leader)?.log().last_index());
    while sim.now() < start + CAP_MS * k {
        let node = sim.node(leader)?;
        let acked = (1..=5)
            .filter(|id| *id != leader)
            .all(|id| node.progress(id).is_some_and(|p| p.match_index >= index));
        if acked {
            return Some((sim.now() - start) as f64 / k as f64);
        }
        sim.step();
    }
    None
}

/// Median, 99th percentile, maximum and mean of a range's trials.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// The range.
    pub range: TimeoutRange,
    /// Trials that crashed a leader (the ones timed).
    pub trials: usize,
    /// Of those, trials with no leader within the cap.
    pub capped: usize,
    /// Trials whose cluster never had a leader to crash (not timed).
    pub never_led: usize,
    /// Median ms.
    pub median: u64,
    /// 99th percentile ms.
    pub p99: u64,
    /// Maximum ms.
    pub max: u64,
    /// Mean ms.
    pub mean: f64,
}

/// The timed trials' ms, sorted, capped trials counting as the cap.
fn timed(outcomes: &[Outcome]) -> Vec<u64> {
    let mut sorted: Vec<u64> = outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Elected(ms) => Some(*ms),
            Outcome::NoLeader => Some(CAP_MS),
            Outcome::NeverLed => None,
        })
        .collect();
    sorted.sort_unstable();
    sorted
}

/// Summarizes a range's outcomes (capped trials count as the cap; trials
/// that never crashed a leader are counted apart).
pub fn summarize(range: TimeoutRange, outcomes: &[Outcome]) -> Summary {
    let sorted = timed(outcomes);
    let at = |q: f64| sorted.get(((sorted.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0);
    let mean = if sorted.is_empty() { 0.0 } else { sorted.iter().sum::<u64>() as f64 / sorted.len() as f64 };
    Summary {
        range,
        trials: sorted.len(),
        capped: outcomes.iter().filter(|o| **o == Outcome::NoLeader).count(),
        never_led: outcomes.iter().filter(|o| **o == Outcome::NeverLed).count(),
        median: at(0.5),
        p99: at(0.99),
        max: sorted.last().copied().unwrap_or(0),
        mean,
    }
}

/// The empirical CDF of the timed trials as CSV rows `range,ms,fraction`.
pub fn cdf_csv(range: TimeoutRange, outcomes: &[Outcome]) -> String {
    let sorted = timed(outcomes);
    let n = sorted.len().max(1) as f64;
    let mut out = String::new();
    for (i, t) in sorted.iter().enumerate() {
        let last_of_value = sorted.get(i + 1) != Some(t);
        if last_of_value {
            out.push_str(&format!("{}-{},{},{:.4}\n", range.min, range.max, t, (i + 1) as f64 / n));
        }
    }
    out
}
