//! The crash test and the soak: clients writing and reading while a
//! nemesis kills nodes with SIGKILL (the leader most often), restarts them
//! and cuts the leader off; then every client operation is checked for
//! linearizability, every acknowledged write is looked for in every node's
//! recovered log, and the logs are compared.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use quorumscope::core::rng::Rng;
use quorumscope::core::{DurableState, Index, NodeId, Payload, Term};

use crate::client::{self, Response};
use crate::cluster::Cluster;
use crate::kv::Command;
use crate::linear::{self, Kind, Op};
use crate::storage::Storage;

/// How a run is shaped.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Seed of the nemesis and the clients' choices.
    pub seed: u64,
    /// How long clients and nemesis run.
    pub duration: Duration,
    /// Concurrent clients.
    pub clients: u64,
    /// Keys they share.
    pub keys: u64,
    /// Kill, cut and restart nodes (off: a plain load test).
    pub nemesis: bool,
}

/// A write the cluster acknowledged.
#[derive(Clone, Debug)]
pub struct Acked {
    key: String,
    value: String,
    index: Index,
    term: Term,
}

/// What a run did and found.
#[derive(Debug, Default)]
pub struct Report {
    /// Client operations with an answer (acknowledged writes, reads).
    pub operations: u64,
    /// Writes acknowledged.
    pub acked: u64,
    /// Writes whose outcome the client never learnt.
    pub unknown: u64,
    /// SIGKILLs sent.
    pub kills: u64,
    /// Restarts.
    pub restarts: u64,
    /// Leader isolations.
    pub partitions: u64,
    /// What went wrong, one line each; empty when all is well.
    pub violations: Vec<String>,
    /// Latency of each acknowledged write, in microseconds.
    pub write_latencies_us: Vec<u64>,
    /// Latency of each answered read, in microseconds.
    pub read_latencies_us: Vec<u64>,
}

/// The shared record of the clients.
#[derive(Default)]
struct Record {
    history: Vec<Op>,
    acked: Vec<Acked>,
    write_us: Vec<u64>,
    read_us: Vec<u64>,
}

/// Runs the plan against a started cluster.
pub fn run(cluster: &mut Cluster, plan: &Plan) -> Report {
    let mut report = Report::default();
    if cluster.wait_for_leader(Duration::from_secs(10)).is_none() {
        report.violations.push("no leader within 10 s of the start".into());
        return report;
    }
    let origin = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let record = Arc::new(Mutex::new(Record::default()));
    let addrs: Vec<_> = cluster.members.values().map(|m| m.client).collect();
    let hint = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..plan.clients)
        .map(|c| {
            let (stop, record, addrs, hint) =
                (Arc::clone(&stop), Arc::clone(&record), addrs.clone(), Arc::clone(&hint));
            let (keys, seed) = (plan.keys, plan.seed ^ (c + 1) << 32);
            thread::spawn(move || client_loop(c, seed, keys, &addrs, &hint, &stop, &record, origin))
        })
        .collect();
    let end = origin + plan.duration;
    if plan.nemesis {
        nemesis(cluster, plan.seed, end, &mut report);
    } else {
        thread::sleep(plan.duration);
    }
    // Everyone back, links healed, then the clients stop.
    heal_all(cluster, &mut report);
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.join();
    }
    let record = std::mem::take(&mut *record.lock().unwrap_or_else(|p| p.into_inner()));
    report.unknown = record.history.iter().filter(|op| op.completed.is_none()).count() as u64;
    report.acked = record.acked.len() as u64;
    report.write_latencies_us = record.write_us;
    report.read_latencies_us = record.read_us;
    report.operations += record.history.iter().filter(|op| op.completed.is_some()).count() as u64;
    let mut history = record.history;
    history.extend(final_history(cluster, plan.keys, origin, &mut report));
    // The search recurses once per operation of a key: a long soak needs a
    // deeper stack than a test thread has.
    let checked = thread::Builder::new().stack_size(512 << 20).spawn(move || linear::check(&history));
    match checked.map(|t| t.join()) {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(f))) => report.violations.push(format!("not linearizable: key {:?}: {}", f.key, f.detail)),
        _ => report.violations.push("the linearizability check could not run".into()),
    }
    converge(cluster, &mut report);
    check_disks(cluster, &record.acked, &mut report);
    report
}

#[allow(clippy::too_many_arguments)] // one worker's whole context, passed once
fn client_loop(
    c: u64,
    seed: u64,
    keys: u64,
    addrs: &[std::net::SocketAddr],
    hint: &AtomicU64,
    stop: &AtomicBool,
    record: &Mutex<Record>,
    origin: Instant,
) {
    let mut rng = Rng::new(seed);
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        let key = format!("key{}", rng.range_inclusive(0, keys - 1));
        let write = rng.unit() < 0.6;
        n += 1;
        let value = format!("c{c}-{n}");
        let target = addrs[hint.load(Ordering::Relaxed) as usize % addrs.len()];
        let (method, body) = if write { ("PUT", value.as_str()) } else { ("GET", "") };
        let started = Instant::now();
        let invoked = started.duration_since(origin).as_nanos() as u64;
        let answer = client::request(
            target,
            method,
            &format!("/kv/{}", client::escape(&key)),
            body,
            Duration::from_secs(4),
        );
        let completed = Instant::now().duration_since(origin).as_nanos() as u64;
        let us = started.elapsed().as_micros() as u64;
        let mut r = record.lock().unwrap_or_else(|p| p.into_inner());
        match (write, answer) {
            (_, Ok(Response { status: 421, body })) => {
                // Refused without effect: nothing to record; follow the hint.
                let next = body["leader"]
                    .as_str()
                    .and_then(client::url_addr)
                    .and_then(|a| addrs.iter().position(|&x| x == a));
                let guess = next.unwrap_or_else(|| rng.range_inclusive(0, addrs.len() as u64 - 1) as usize);
                hint.store(guess as u64, Ordering::Relaxed);
            }
            (true, Ok(Response { status: 200, body })) => {
                let (index, term) = (body["index"].as_u64().unwrap_or(0), body["term"].as_u64().unwrap_or(0));
                r.acked.push(Acked { key: key.clone(), value: value.clone(), index, term });
                r.history.push(Op { key, kind: Kind::Put(value), invoked, completed: Some(completed) });
                r.write_us.push(us);
            }
            (true, _) => {
                // A 503, a timeout or a dead connection: it may or may not
                // take effect.
                r.history.push(Op { key, kind: Kind::Put(value), invoked, completed: None });
                drop(r);
                hint.store(rng.range_inclusive(0, addrs.len() as u64 - 1), Ordering::Relaxed);
                thread::sleep(Duration::from_millis(20));
            }
            (false, Ok(Response { status: status @ (200 | 404), body })) => {
                let seen = if status == 200 { body["value"].as_str().map(String::from) } else { None };
                r.history.push(Op { key, kind: Kind::Get(seen), invoked, completed: Some(completed) });
                r.read_us.push(us);
            }
            (false, _) => {
                drop(r);
                hint.store(rng.range_inclusive(0, addrs.len() as u64 - 1), Ordering::Relaxed);
                thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// Until `end`: every 0.4-1.2 s, kill the leader (half the time), kill
/// another node, or cut the leader off from everyone; down nodes restart
/// and cuts heal after 0.3-1 s. At most a minority is ever down or cut.
fn nemesis(cluster: &mut Cluster, seed: u64, end: Instant, report: &mut Report) {
    println!("crash test seed {seed} (QS_CRASH_SEED replays the nemesis' choices)");
    let mut rng = Rng::new(seed);
    let ids: Vec<NodeId> = cluster.members.keys().copied().collect();
    let minority = (ids.len() - 1) / 2;
    let mut down: Vec<(NodeId, Instant)> = Vec::new();
    let mut cut: Option<(NodeId, Instant)> = None;
    while Instant::now() < end {
        thread::sleep(Duration::from_millis(rng.range_inclusive(400, 1200)));
        let now = Instant::now();
        for (id, _) in down.iter().filter(|(_, at)| *at <= now) {
            if cluster.start(*id).is_ok() {
                report.restarts += 1;
            }
        }
        down.retain(|(_, at)| *at > now);
        if cut.is_some_and(|(_, at)| at <= now) {
            heal(cluster);
            cut = None;
        }
        if down.len() + usize::from(cut.is_some()) >= minority {
            continue;
        }
        let leader = cluster.leader();
        let roll = rng.unit();
        let back = now + Duration::from_millis(rng.range_inclusive(300, 1000));
        if roll < 0.25 {
            if let Some(l) = leader {
                for &id in &ids {
                    let peers: Vec<String> = if id == l {
                        ids.iter().filter(|&&x| x != l).map(|x| x.to_string()).collect()
                    } else {
                        vec![l.to_string()]
                    };
                    let _ = cluster.admin(id, &format!("cut?peers={}", peers.join(",")));
                }
                report.partitions += 1;
                cut = Some((l, back));
            }
            continue;
        }
        let victim = match leader {
            Some(l) if roll < 0.75 => l,
            _ => ids[rng.range_inclusive(0, ids.len() as u64 - 1) as usize],
        };
        if cluster.is_up(victim) {
            cluster.kill(victim);
            report.kills += 1;
            down.push((victim, back));
        }
    }
}

fn heal(cluster: &Cluster) {
    for &id in cluster.members.keys() {
        let _ = cluster.admin(id, "heal");
    }
}

fn heal_all(cluster: &mut Cluster, report: &mut Report) {
    let ids: Vec<NodeId> = cluster.members.keys().copied().collect();
    for id in ids {
        if !cluster.is_up(id) && cluster.start(id).is_ok() {
            report.restarts += 1;
        }
    }
    thread::sleep(Duration::from_millis(200));
    heal(cluster);
    if cluster.wait_for_leader(Duration::from_secs(10)).is_none() {
        report.violations.push("no leader within 10 s after healing".into());
    }
}

/// One linearizable read of every key after the run, through the leader:
/// each must see the last write the history allows.
fn final_history(cluster: &Cluster, keys: u64, origin: Instant, report: &mut Report) -> Vec<Op> {
    let mut out = Vec::new();
    for k in 0..keys {
        let key = format!("key{k}");
        let end = Instant::now() + Duration::from_secs(5);
        while Instant::now() < end {
            let Some(leader) = cluster.leader() else {
                thread::sleep(Duration::from_millis(50));
                continue;
            };
            let invoked = origin.elapsed().as_nanos() as u64;
            let addr = cluster.members[&leader].client;
            let answer = client::request(addr, "GET", &format!("/kv/{key}"), "", Duration::from_secs(3));
            let completed = Some(origin.elapsed().as_nanos() as u64);
            if let Ok(Response { status: status @ (200 | 404), body }) = answer {
                let seen = if status == 200 { body["value"].as_str().map(String::from) } else { None };
                out.push(Op { key: key.clone(), kind: Kind::Get(seen), invoked, completed });
                report.operations += 1;
                break;
            }
        }
    }
    out
}

/// Waits (at most 5 s) until every node has applied what the leader has
/// committed, so that the logs can be compared.
fn converge(cluster: &Cluster, report: &mut Report) {
    let end = Instant::now() + Duration::from_secs(5);
    while Instant::now() < end {
        let commits: Vec<u64> = cluster
            .members
            .keys()
            .filter_map(|&id| cluster.status(id))
            .map(|s| s["commit"].as_u64().unwrap_or(0))
            .collect();
        if commits.len() == cluster.members.len() && commits.iter().all(|&c| c == commits[0]) {
            return;
        }
        thread::sleep(Duration::from_millis(50));
    }
    report.violations.push("the nodes' commit indexes did not converge within 5 s".into());
}

/// Kills every node, recovers each one's files, and checks that every
/// acknowledged write is in every log at its index and term, and that the
/// logs agree on every index any two of them committed.
fn check_disks(cluster: &mut Cluster, acked: &[Acked], report: &mut Report) {
    let ids: Vec<NodeId> = cluster.members.keys().copied().collect();
    let mut disks: BTreeMap<NodeId, DurableState> = BTreeMap::new();
    for &id in &ids {
        cluster.kill(id);
        match Storage::open(&cluster.data_dir(id), None) {
            Ok((_, durable, _)) => {
                disks.insert(id, durable);
            }
            Err(e) => report.violations.push(format!("node {id}: recovery failed: {e}")),
        }
    }
    for a in acked {
        for (id, disk) in &disks {
            let found = disk.entries.iter().find(|e| e.index == a.index);
            let covered = disk.snapshot.as_ref().is_some_and(|s| s.index >= a.index);
            match found {
                Some(e) if e.term != a.term => report.violations.push(format!(
                    "acked write {}={} at {}@t{} lost on node {id}: its log has term {} there",
                    a.key, a.value, a.index, a.term, e.term
                )),
                Some(e) => {
                    if let Payload::Write(bytes) = &e.payload {
                        let want = Command::Put { key: a.key.clone(), value: a.value.clone() };
                        if Command::decode(bytes) != Some(want) {
                            report.violations.push(format!(
                                "node {id}: entry {} is not the acked write {}={}",
                                a.index, a.key, a.value
                            ));
                        }
                    }
                }
                None if !covered => report.violations.push(format!(
                    "acked write {}={} at {}@t{} missing on node {id}",
                    a.key, a.value, a.index, a.term
                )),
                None => {}
            }
        }
    }
    let agreed = disks.values().map(|d| d.hard_state.commit).min().unwrap_or(0);
    let terms = |d: &DurableState| -> BTreeMap<Index, Term> {
        d.entries.iter().filter(|e| e.index <= agreed).map(|e| (e.index, e.term)).collect()
    };
    let mut reference: Option<(NodeId, BTreeMap<Index, Term>)> = None;
    for (&id, disk) in &disks {
        let mine = terms(disk);
        if let Some((other, theirs)) = &reference {
            if let Some((index, term)) = mine.iter().find(|(i, t)| theirs.get(i).is_some_and(|x| x != *t)) {
                report.violations.push(format!(
                    "logs disagree at index {index}: node {id} has term {term}, node {other} has {}",
                    theirs[index]
                ));
            }
        } else {
            reference = Some((id, mine));
        }
    }
}

impl Report {
    /// The summary lines the crash test and the soak print.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "operations={} acked={} unknown={} kills={} restarts={} partitions={} violations={}",
            self.operations,
            self.acked,
            self.unknown,
            self.kills,
            self.restarts,
            self.partitions,
            self.violations.len()
        );
        for v in &self.violations {
            out.push_str(&format!("\nviolation: {v}"));
        }
        out
    }
}

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
