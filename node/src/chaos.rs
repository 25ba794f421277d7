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
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
    /// Where the cluster said it committed.
    pub index: Index,
    /// In which term.
    pub term: Term,
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

/// Kills every node, then checks its recovered files (`disk_violations`).
fn check_disks(cluster: &mut Cluster, acked: &[Acked], report: &mut Report) {
    let ids: Vec<NodeId> = cluster.members.keys().copied().collect();
    let mut dirs = Vec::new();
    for id in ids {
        cluster.kill(id);
        dirs.push((id, cluster.data_dir(id)));
    }
    report.violations.extend(disk_violations(&dirs, acked));
}

/// Recovers each node's files and checks that every acknowledged write is
/// in every log (or under its snapshot) at its index and term, carrying its
/// key and value, and that the logs agree on every index all of them
/// committed.
pub fn disk_violations(dirs: &[(NodeId, std::path::PathBuf)], acked: &[Acked]) -> Vec<String> {
    let mut out = Vec::new();
    let mut disks: BTreeMap<NodeId, DurableState> = BTreeMap::new();
    for (id, dir) in dirs {
        match Storage::open(dir, None) {
            Ok((_, durable, _)) => {
                disks.insert(*id, durable);
            }
            Err(e) => out.push(format!("node {id}: recovery failed: {e}")),
        }
    }
    for a in acked {
        for (id, disk) in &disks {
            if let Some(problem) = acked_write_problem(a, disk) {
                out.push(format!(
                    "acked write {}={} at {}@t{} on node {id}: {problem}",
                    a.key, a.value, a.index, a.term
                ));
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
        match &reference {
            Some((other, theirs)) => {
                if let Some((index, term)) = mine.iter().find(|(i, t)| theirs.get(i).is_some_and(|x| x != *t))
                {
                    out.push(format!(
                        "logs disagree at index {index}: node {id} has term {term}, node {other} has {}",
                        theirs[index]
                    ));
                }
            }
            None => reference = Some((id, mine)),
        }
    }
    out
}

/// What is wrong with an acknowledged write on one recovered disk, if
/// anything.
fn acked_write_problem(a: &Acked, disk: &DurableState) -> Option<String> {
    let Some(e) = disk.entries.iter().find(|e| e.index == a.index) else {
        let covered = disk.snapshot.as_ref().is_some_and(|s| s.index >= a.index);
        return (!covered).then(|| "missing".to_string());
    };
    if e.term != a.term {
        return Some(format!("lost: the log has term {} there", e.term));
    }
    let Payload::Write(bytes) = &e.payload else { return None }; // a witness keeps metadata only
    let want = Command::Put { key: a.key.clone(), value: a.value.clone() };
    (Command::decode(bytes) != Some(want)).then(|| "the entry there is another write".to_string())
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

#[cfg(test)]
mod tests {
    use super::*;

    use quorumscope::core::{Entry, HardState, Persist};

    fn write(index: Index, term: Term, key: &str, value: &str) -> Entry {
        let cmd = Command::Put { key: key.into(), value: value.into() };
        Entry { index, term, payload: Payload::Write(cmd.encode()) }
    }

    fn disk(dir: &std::path::Path, entries: Vec<Entry>, commit: Index) {
        let _ = std::fs::remove_dir_all(dir);
        let (mut s, _, _) = Storage::open(dir, None).unwrap();
        s.persist(&Persist::Entries(entries)).unwrap();
        s.persist(&Persist::HardState(HardState { term: 2, voted_for: None, commit })).unwrap();
        s.sync().unwrap();
    }

    #[test]
    fn the_disk_check_finds_lost_missing_and_replaced_writes_and_disagreeing_logs() {
        let base = std::env::temp_dir().join(format!("qs-disks-{}", std::process::id()));
        let dirs: Vec<(NodeId, std::path::PathBuf)> =
            (1..=3).map(|id| (id, base.join(format!("node-{id}")))).collect();
        let acked = vec![
            Acked { key: "a".into(), value: "1".into(), index: 1, term: 1 },
            Acked { key: "b".into(), value: "2".into(), index: 2, term: 1 },
        ];
        disk(&dirs[0].1, vec![write(1, 1, "a", "1"), write(2, 1, "b", "2")], 2);
        disk(&dirs[1].1, vec![write(1, 1, "a", "1"), write(2, 1, "b", "2")], 2);
        disk(&dirs[2].1, vec![write(1, 1, "a", "1"), write(2, 1, "b", "2")], 2);
        assert_eq!(disk_violations(&dirs, &acked), Vec::<String>::new());
        // Node 2 lost entry 2 to another term; node 3 never got it.
        disk(&dirs[1].1, vec![write(1, 1, "a", "1"), write(2, 2, "b", "2")], 2);
        disk(&dirs[2].1, vec![write(1, 1, "a", "9")], 1);
        let found = disk_violations(&dirs, &acked);
        std::fs::remove_dir_all(&base).unwrap();
        let expect = [
            "acked write a=1 at 1@t1 on node 3: the entry there is another write",
            "acked write b=2 at 2@t1 on node 2: lost: the log has term 2 there",
            "acked write b=2 at 2@t1 on node 3: missing",
        ];
        for e in expect {
            assert!(found.iter().any(|f| f == e), "{e} not in {found:?}");
        }
        // Index 1 is committed everywhere and has the same term: no
        // disagreement yet; make node 2 differ there.
        assert!(!found.iter().any(|f| f.starts_with("logs disagree")));
        disk(&dirs[0].1, vec![write(1, 1, "a", "1")], 1);
        disk(&dirs[1].1, vec![write(1, 3, "a", "1")], 1);
        disk(&dirs[2].1, vec![write(1, 1, "a", "1")], 1);
        let found = disk_violations(&dirs, &[]);
        std::fs::remove_dir_all(&base).unwrap();
        assert_eq!(found, vec!["logs disagree at index 1: node 2 has term 3, node 1 has 1".to_string()]);
    }
}
