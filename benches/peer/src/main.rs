//! quorumscope against raft-rs, under identical conditions: one thread,
//! in-memory logs, every node really stepped, in-process FIFO delivery,
//! messages released only after what they depend on is persisted, the same
//! election and heartbeat ticks, pre-vote on in both.
//!
//! `cargo run --release -p quorumscope-peer -- [--quick]` prints a Markdown
//! table: `| figure | quorumscope | raft-rs | ratio | target |`, the ratio
//! being quorumscope ÷ raft-rs.

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

const FULL: Scale = Scale { proposals: 200_000, runs: 3, transfers: 20_000, seeds: 1_000 };
const QUICK: Scale = Scale { proposals: 20_000, runs: 1, transfers: 2_000, seeds: 1_000 };

/// Proposal `i`: its number, then filler, `size` bytes in all.
pub fn payload(i: usize, size: usize) -> Vec<u8> {
    let mut data = vec![0xA5; size];
    let n = size.min(8);
    data[..n].copy_from_slice(&(i as u64).to_le_bytes()[..n]);
    data
}

fn main() {
    let scale = match std::env::args().nth(1).as_deref() {
        None => FULL,
        Some("--quick") => QUICK,
        Some(other) => {
            eprintln!("usage: quorumscope-peer [--quick] (unknown argument {other:?})");
            std::process::exit(2);
        }
    };
    report::header();
    let (ours_256, peer_256) = throughput_rows(scale);
    per_entry_rows(scale.proposals as f64, &ours_256, &peer_256);
    transfer_row(scale);
    election_rows(scale);
    anchor_rows(scale);
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
        let note = format!("— ({ours_failed}/{peer_failed} trials found no leader)");
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
