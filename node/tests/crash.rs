//! The crash test (issue 17): a 3-node cluster of real processes under
//! concurrent clients, `kill -9` of the leader and of others mid-write,
//! restarts and leader isolation; then a linearizability check of every
//! client operation, every acknowledged write looked for in every node's
//! recovered log, and the logs compared. About 30 s.

use std::path::PathBuf;
use std::time::Duration;

use quorumscope::sim::import_json_lines;
use quorumscope_node::chaos::{self, Plan};
use quorumscope_node::cluster::Cluster;
use quorumscope_node::merge;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn kill_9_restarts_and_partitions_lose_no_acknowledged_write() {
    let seed = std::env::var("QS_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(1)
    });
    let dir = scratch("crash");
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_quorumscope-node"));
    let mut cluster = Cluster::plan(&exe, &dir, 3, false, &["--snapshot-threshold", "200"]).unwrap();
    cluster.start_all().unwrap();
    let plan = Plan { seed, duration: Duration::from_secs(20), clients: 4, keys: 6, nemesis: true };
    let report = chaos::run(&mut cluster, &plan);
    drop(cluster); // kills whatever still runs, even before a failed assert
    println!("{}", report.summary());
    // The nodes' traces, merged, read back as the page reads them, and
    // checked against the properties a trace shows.
    let merged =
        merge::merge(std::slice::from_ref(&dir)).unwrap_or_else(|e| panic!("seed {seed}: merge: {e}"));
    let events = import_json_lines(&merged).unwrap();
    let findings = merge::check(&events);
    println!("merged trace: {} events, trace violations={}", events.len(), findings.len());
    assert!(findings.is_empty(), "seed {seed}: {findings:?}");
    assert!(
        events.iter().any(|e| e.body.kind() == "crash") && events.iter().any(|e| e.body.kind() == "restart")
    );
    assert!(report.violations.is_empty(), "seed {seed}: {}", report.summary());
    assert!(report.kills >= 3, "seed {seed}: the nemesis must have killed nodes: {}", report.summary());
    assert!(report.acked >= 50, "seed {seed}: the cluster must have made progress: {}", report.summary());
    let _ = std::fs::remove_dir_all(&dir);
}
