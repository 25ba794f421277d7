//! `quorumscope-node soak`, the real cluster's rows in `make bench`: a
//! load phase for throughput and latency, then a kill -9 phase for safety.

use std::time::Duration;

use crate::chaos::{run, Plan};
use crate::cluster::Cluster;

/// The `p`-th percentile (0-100) of `values`, by nearest rank.
pub fn percentile(values: &mut [u64], p: f64) -> u64 {
    if values.is_empty() {
        return 0;
    }
    values.sort_unstable();
    let rank = ((p / 100.0) * values.len() as f64).ceil() as usize;
    values[rank.clamp(1, values.len()) - 1]
}

/// `quorumscope-node soak [--seconds N] [--nodes 3|5] [--clients C]`: a
/// load phase (throughput and latency, no faults), then a nemesis phase of
/// the same length (linearizability, no acked write lost), as Markdown
/// rows for `make bench`.
pub fn soak_command(args: &[String]) -> Result<bool, String> {
    let (mut seconds, mut nodes, mut clients) = (60u64, 3u64, 8u64);
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        i += 1;
        let value =
            args.get(i).and_then(|v| v.parse::<u64>().ok()).ok_or(format!("{flag} needs a number"))?;
        match flag {
            "--seconds" => seconds = value.max(1),
            "--nodes" => nodes = value,
            "--clients" => clients = value.max(1),
            other => {
                return Err(format!(
                    "unknown option {other:?}: soak [--seconds N] [--nodes 3|5] [--clients C]"
                ))
            }
        }
        i += 1;
    }
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let dir = std::env::temp_dir().join(format!("qs-soak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_millis() as u64);
    let mut all_ok = true;
    for nemesis in [false, true] {
        let sub = dir.join(if nemesis { "nemesis" } else { "load" });
        let mut cluster = Cluster::plan(&exe, &sub, nodes, false, &["--snapshot-threshold", "1000"])
            .map_err(|e| e.to_string())?;
        cluster.start_all().map_err(|e| e.to_string())?;
        let plan = Plan { seed, duration: Duration::from_secs(seconds), clients, keys: 32, nemesis };
        let mut r = run(&mut cluster, &plan);
        drop(cluster);
        eprintln!(
            "soak ({}): {}",
            if nemesis { "kill -9, restarts, isolation" } else { "load" },
            r.summary()
        );
        let what = format!("real cluster, {nodes} processes, {clients} clients, {seconds} s");
        if nemesis {
            println!("| {what} under kill -9 (seed {seed}): kills, restarts, violations | {} kills, {} restarts, {} violations | | | 0 violations |", r.kills, r.restarts, r.violations.len());
        } else {
            let rate = r.acked as f64 / seconds as f64;
            let w = [50.0, 95.0, 99.0].map(|p| percentile(&mut r.write_latencies_us, p) as f64 / 1000.0);
            let rd = [50.0, 99.0].map(|p| percentile(&mut r.read_latencies_us, p) as f64 / 1000.0);
            println!("| {what}: acknowledged writes per second (fsynced, group commit) | {rate:.0} | | | |");
            println!(
                "| {what}: write latency p50 / p95 / p99 | {:.1} / {:.1} / {:.1} ms | | | |",
                w[0], w[1], w[2]
            );
            println!(
                "| {what}: linearizable read latency p50 / p99 | {:.1} / {:.1} ms | | | |",
                rd[0], rd[1]
            );
        }
        all_ok &= r.violations.is_empty();
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(all_ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut v: Vec<u64> = (1..=100).rev().collect();
        assert_eq!(percentile(&mut v, 50.0), 50);
        assert_eq!(percentile(&mut v, 99.0), 99);
        assert_eq!(percentile(&mut v, 100.0), 100);
        assert_eq!(percentile(&mut [7], 1.0), 7);
        assert_eq!(percentile(&mut [], 50.0), 0);
    }
}
