//! The Raft paper's Figure 16: how long a five-server cluster takes to
//! elect a new leader after the leader crashes, for several ranges of
//! election timeout. One tick is one millisecond; a one-way delay of 7–8 ms
//! makes a broadcast (request and reply) take about 15 ms; the heartbeat is
//! half the minimum timeout; the leader crashes at a uniformly random point
//! of its heartbeat interval.
//!
//! `paper` runs the paper's Raft (no pre-vote, stickiness or check quorum); otherwise
//! quorumscope's defaults, whose extra probe round trip and stickiness show
//! up as a shift of the curve.

use serde::Serialize;

use crate::core::rng::{derive_seed, Rng};
use crate::sim::{Command, NetworkConfig, Sim, SimConfig, Target, TraceBody};

/// An election timeout range in ticks (ms).
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

/// Longest a trial waits for a new leader, in ticks.
pub const CAP_TICKS: u64 = 20_000;

/// The seed of trial `k` (from 0) of every range: the CLI's
/// `elect-times` and the page's Figure 16 panel both draw their trials from
/// it, so the same experiment gives the same numbers in both.
pub fn trial_seed(k: u64) -> u64 {
    0x16_0000 + k
}

/// One trial: milliseconds from the crash to a new leader, `None` past the
/// cap. One tick is one millisecond.
pub fn trial(range: TimeoutRange, seed: u64, paper: bool) -> Option<u64> {
    trial_scaled(range, seed, paper, 1)
}

/// One trial with `ticks_per_ms` ticks to the millisecond: a finer clock
/// draws timeouts from more distinct values (150–155 ms is only six whole
/// milliseconds), which is closer to the paper's continuous time.
pub fn trial_scaled(range: TimeoutRange, seed: u64, paper: bool, ticks_per_ms: u64) -> Option<u64> {
    let k = ticks_per_ms.clamp(1, 100);
    let ms = |t: u64| t.div_ceil(k);
    let range = TimeoutRange { min: range.min * k, max: range.max * k };
    let mut config = SimConfig::with_nodes(5, seed);
    config.election_ticks = [range.min, range.max];
    config.heartbeat_ticks = (range.min / 2).max(1);
    config.network = NetworkConfig { delay_ticks: [7 * k, 8 * k], drop: 0.0, duplicate: 0.0 };
    if paper {
        // The paper's Raft had none of these liveness refinements. Check
        // quorum matters most at 12–24 ms: a round trip (15 ms) exceeds the
        // minimum timeout, so leaders would keep stepping down.
        config.switches.pre_vote = false;
        config.switches.stickiness = false;
        config.switches.check_quorum = false;
    }
    let mut sim = Sim::new(config).ok()?;
    sim.set_checking(false);
    // Let a first leader settle (bounded even for split-vote ranges).
    let settle_by = 30 * range.max + 1_000;
    while sim.leader().is_none() && sim.now() < settle_by {
        sim.step();
    }
    let old = sim.leader()?;
    let mut rng = Rng::new(derive_seed(seed, 0xF16));
    let crash_at = sim.now() + 4 * range.max.max(20) + rng.range_inclusive(0, (range.min / 2).max(1) - 1);
    sim.run_until_tick(crash_at, u64::MAX);
    let victim = sim.leader().unwrap_or(old);
    sim.command(&Command::Crash { node: Target::Node(victim), after_persist: false }).ok()?;
    let crashed_at = sim.now();
    while sim.now() < crashed_at + CAP_TICKS * k {
        for e in sim.step() {
            if matches!(e.body, TraceBody::LeaderElected { .. }) {
                return Some(ms(sim.now() - crashed_at));
            }
        }
    }
    None
}

/// Median, 99th percentile, maximum and mean of a range's trials.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// The range.
    pub range: TimeoutRange,
    /// Trials run.
    pub trials: usize,
    /// Trials with no leader within the cap.
    pub capped: usize,
    /// Median ms.
    pub median: u64,
    /// 99th percentile ms.
    pub p99: u64,
    /// Maximum ms.
    pub max: u64,
    /// Mean ms.
    pub mean: f64,
}

/// Summarizes trial times (capped trials count as the cap).
pub fn summarize(range: TimeoutRange, times: &[Option<u64>]) -> Summary {
    let mut sorted: Vec<u64> = times.iter().map(|t| t.unwrap_or(CAP_TICKS)).collect();
    sorted.sort_unstable();
    let at = |q: f64| sorted.get(((sorted.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0);
    let mean = if sorted.is_empty() { 0.0 } else { sorted.iter().sum::<u64>() as f64 / sorted.len() as f64 };
    Summary {
        range,
        trials: times.len(),
        capped: times.iter().filter(|t| t.is_none()).count(),
        median: at(0.5),
        p99: at(0.99),
        max: sorted.last().copied().unwrap_or(0),
        mean,
    }
}

/// The empirical CDF as CSV rows `range,ms,fraction`.
pub fn cdf_csv(range: TimeoutRange, times: &[Option<u64>]) -> String {
    let mut sorted: Vec<u64> = times.iter().map(|t| t.unwrap_or(CAP_TICKS)).collect();
    sorted.sort_unstable();
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
