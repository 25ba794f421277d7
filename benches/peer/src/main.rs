//! quorumscope against raft-rs, under identical conditions: one thread,
//! in-memory logs, every node really stepped, in-process FIFO delivery,
//! messages released only after what they depend on is persisted, the same
//! election and heartbeat ticks, pre-vote on in both.
//!
//! `cargo run --release -p quorumscope-peer -- [--quick]` prints a Markdown
//! table: `| figure | quorumscope | raft-rs | ratio | target |`, the ratio
//! being quorumscope ÷ raft-rs. Timing is the fastest of several runs; on a
//! busy machine, count instructions instead (repeatable):
//!
//! ```sh
//! valgrind --tool=callgrind --toggle-collect='*harness::drive*' \
//!     target/release/quorumscope-peer --only ours 3 1 20000
//! ```
//!
//! `--only ours|raft-rs VOTERS BATCH PROPOSALS` runs one throughput run of
//! one implementation and prints its per-entry costs, for profilers.

mod alloc;
mod harness;
mod ours;
mod raftrs;
mod report;

use harness::{Cluster, Cost};
use ours::Ours;
use raftrs::RaftRs;
use report::{verdict, Row};

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

/// How much work each figure does.
#[derive(Clone, Copy)]
struct Scale {
    /// Proposals per throughput run.
    proposals: usize,
    /// Runs per throughput figure; the fastest is reported.
    runs: usize,
    /// Leadership transfers per run.
    transfers: usize,
    /// Seeds of the crash experiment.
    seeds: u64,
}

const FULL: Scale = Scale { proposals: 200_000, runs: 5, transfers: 20_000, seeds: 1_000 };
const QUICK: Scale = Scale { proposals: 20_000, runs: 1, transfers: 2_000, seeds: 1_000 };

/// Proposal `i`: its number, then filler, `size` bytes in all.
pub fn payload(i: usize, size: usize) -> Vec<u8> {
    let mut data = vec![0xA5; size];
    let n = size.min(8);
    data[..n].copy_from_slice(&(i as u64).to_le_bytes()[..n]);
    data
}

/// What the command line asks for.
enum Mode {
    /// The whole table at this scale.
    Table(Scale),
    /// One throughput run of one implementation, for a profiler:
    /// `--only ours|raft-rs VOTERS BATCH PROPOSALS`.
    Only { peer: bool, voters: u64, batch: usize, proposals: usize },
}

const USAGE: &str = "usage: quorumscope-peer [--quick | --only ours|raft-rs VOTERS BATCH PROPOSALS]";

fn parse(args: &[String]) -> Option<Mode> {
    match args {
        [] => Some(Mode::Table(FULL)),
        [quick] if quick == "--quick" => Some(Mode::Table(QUICK)),
        [only, which, voters, batch, proposals] if only == "--only" => Some(Mode::Only {
            peer: match which.as_str() {
                "ours" => false,
                "raft-rs" => true,
                _ => return None,
            },
            voters: voters.parse().ok().filter(|v| *v > 0)?,
            batch: batch.parse().ok().filter(|b| *b > 0)?,
            proposals: proposals.parse().ok().filter(|p| *p > 0)?,
        }),
        _ => None,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse(&args) {
        Some(Mode::Table(scale)) => table(scale),
        Some(Mode::Only { peer, voters, batch, proposals }) => only(peer, voters, batch, proposals),
        None => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

/// Prints every figure.
fn table(scale: Scale) {
    report::header();
    let (ours_256, peer_256) = throughput_rows(scale);
    per_entry_rows(scale.proposals as f64, &ours_256, &peer_256);
    transfer_row(scale);
    election_rows(scale);
    anchor_rows(scale);
}

/// One throughput run, printed as a line of per-entry costs.
fn only(peer: bool, voters: u64, batch: usize, proposals: usize) {
    let cost = if peer {
        harness::throughput::<RaftRs>(voters, batch, proposals, 1)
    } else {
        harness::throughput::<Ours>(voters, batch, proposals, 1)
    };
    let per = |x: u64| x as f64 / proposals as f64;
    println!(
        "{} voters={voters} batch={batch}: {:.0} ns, {:.3} messages, {:.3} steps, {:.3} allocations, {:.0} bytes per entry",
        if peer { "raft-rs" } else { "quorumscope" },
        cost.elapsed.as_nanos() as f64 / proposals as f64,
        per(cost.counters.messages),
        per(cost.counters.steps),
        per(cost.allocs.allocations),
        per(cost.allocs.bytes),
    );
}

/// The fastest of `runs` runs.
fn best(runs: usize, run: impl Fn() -> Cost) -> Cost {
    (0..runs).map(|_| run()).min_by_key(|c| c.elapsed).expect("at least one run")
}

/// Both implementations on the same throughput run, fastest of `runs` each.
fn throughput_pair(scale: Scale, voters: u64, batch: usize) -> (Cost, Cost) {
    let ours = best(scale.runs, || harness::throughput::<Ours>(voters, batch, scale.proposals, 1));
    let peer = best(scale.runs, || harness::throughput::<RaftRs>(voters, batch, scale.proposals, 1));
    (ours, peer)
}

/// Figure (a): commits per second; returns the 3-voter, batch-256 costs.
fn throughput_rows(scale: Scale) -> (Cost, Cost) {
    let mut at_256 = None;
    for voters in [3, 5] {
        for batch in [1, 16, 256] {
            let (ours, peer) = throughput_pair(scale, voters, batch);
            let rate = |c: &Cost| scale.proposals as f64 / c.elapsed.as_secs_f64();
            let met = rate(&ours) >= 2.0 * rate(&peer);
            let figure = format!("commits/s, {voters} voters, batch {batch}");
            Row::compare(figure, rate(&ours), rate(&peer), verdict("≥ 2× raft-rs", met)).print();
            if (voters, batch) == (3, 256) {
                at_256 = Some((ours, peer));
            }
        }
    }
    at_256.expect("the 3-voter, batch-256 run")
}

/// Figure (b): the cost of one committed entry at batch 256, 3 voters.
fn per_entry_rows(entries: f64, ours: &Cost, peer: &Cost) {
    let per = |x: u64| x as f64 / entries;
    let nanos = |c: &Cost| c.elapsed.as_nanos() as f64 / entries;
    let figure = |what: &str| format!("{what} per committed entry (3 voters, batch 256)");
    Row::compare(figure("ns"), nanos(ours), nanos(peer), "—").print();
    Row::compare(figure("messages"), per(ours.counters.messages), per(peer.counters.messages), "—").print();
    Row::compare(figure("step calls"), per(ours.counters.steps), per(peer.counters.steps), "—").print();
    let (a, b) = (per(ours.allocs.allocations), per(peer.allocs.allocations));
    Row::compare(figure("allocations"), a, b, verdict("≤ 1 for quorumscope", a <= 1.0)).print();
    Row::compare(figure("bytes allocated"), per(ours.allocs.bytes), per(peer.allocs.bytes), "—").print();
}

/// Figure (c): leadership transfers per second around a ring of three.
fn transfer_row(scale: Scale) {
    let rate = |c: Cost| scale.transfers as f64 / c.elapsed.as_secs_f64();
    let ours = rate(best(scale.runs, || harness::transfers::<Ours>(scale.transfers, 1)));
    let peer = rate(best(scale.runs, || harness::transfers::<RaftRs>(scale.transfers, 1)));
    Row::compare("leadership transfers/s, ring of 3", ours, peer, "—").print();
}

/// Ticks from a leader crash to a new leader over `seeds` seeds, sorted;
/// and how many trials found no leader within the cap.
fn crash_ticks<C: Cluster>(voters: u64, seeds: u64) -> (Vec<u64>, usize) {
    let trials: Vec<Option<u64>> =
        (0..seeds).map(|seed| harness::ticks_to_elect_after_crash::<C>(voters, seed)).collect();
    let mut ticks: Vec<u64> = trials.iter().flatten().copied().collect();
    ticks.sort_unstable();
    let failed = trials.len() - ticks.len();
    (ticks, failed)
}

/// The value below which a fraction `q` of the sorted `values` fall.
fn quantile(values: &[u64], q: f64) -> f64 {
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    values[rank - 1] as f64
}

/// Figure (d): ticks to elect after a leader crash, median and p99.
fn election_rows(scale: Scale) {
    for voters in [3, 5] {
        let (ours, ours_failed) = crash_ticks::<Ours>(voters, scale.seeds);
        let (peer, peer_failed) = crash_ticks::<RaftRs>(voters, scale.seeds);
        let note = match (ours_failed, peer_failed) {
            (0, 0) => "— (every trial elected)".to_string(),
            (a, b) => format!("— (no leader within the cap: {a} quorumscope, {b} raft-rs trials)"),
        };
        for (name, q) in [("median", 0.5), ("p99", 0.99)] {
            let figure = format!("ticks to elect after leader crash, {voters} voters, {name}");
            Row::compare(figure, quantile(&ours, q), quantile(&peer, q), &note).print();
        }
    }
}

/// Published figures of other implementations beside quorumscope's closest
/// measurement (their conditions differ; the peer cells stay empty).
fn anchor_rows(scale: Scale) {
    let nanos = |voters| {
        let c = best(scale.runs, || harness::throughput::<Ours>(voters, 1, scale.proposals, 1));
        c.elapsed.as_nanos() as f64 / scale.proposals as f64
    };
    let one = "ns/proposal, 1 voter, batch 1";
    Row::ours_only(one, nanos(1), "published: etcd raft BenchmarkRawNode 685 ns/proposal").print();
    let two = "ns/proposal, 2 voters (ours: both stepped)";
    Row::ours_only(two, nanos(2), "published: etcd raft 1.14 µs (2 voters, replies faked)").print();
    let three = "µs/commit, 3 voters, single client (batch 1)";
    Row::ours_only(three, nanos(3) / 1000.0, "published: openraft ~30 µs per commit").print();
}
