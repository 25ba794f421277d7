//! A cluster of node processes on this machine: `quorumscope cluster
//! up/down`, and the handle the crash test and the soak drive (kill -9,
//! restart, cut links). Every process it starts is killed when the handle
//! is dropped, unless `detach` hands them over to `cluster down`.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use quorumscope::core::NodeId;

use crate::client;

/// The file `cluster up` leaves for `cluster down`.
pub const CLUSTER_FILE: &str = "cluster.json";

/// One node of a local cluster.
pub struct Member {
    /// Its id.
    pub id: NodeId,
    /// Its peer (TCP) address.
    pub peer: SocketAddr,
    /// Its client API address.
    pub client: SocketAddr,
    /// The running process, if any.
    pub child: Option<Child>,
}

/// A local cluster.
pub struct Cluster {
    exe: PathBuf,
    dir: PathBuf,
    witness: bool,
    extra: Vec<String>,
    /// The members, by id.
    pub members: BTreeMap<NodeId, Member>,
}

/// Addresses on 127.0.0.1 with ports the OS picks: bound, read, released.
/// Another process could take one in between; a node that cannot bind
/// exits with a message naming the address.
pub fn free_addrs(n: usize) -> std::io::Result<Vec<SocketAddr>> {
    let listeners: Vec<TcpListener> =
        (0..n).map(|_| TcpListener::bind("127.0.0.1:0")).collect::<Result<_, _>>()?;
    listeners.iter().map(TcpListener::local_addr).collect()
}

fn list(members: &BTreeMap<NodeId, Member>, addr: impl Fn(&Member) -> SocketAddr) -> String {
    members.values().map(|m| format!("{}={}", m.id, addr(m))).collect::<Vec<_>>().join(",")
}

impl Cluster {
    /// Plans `n` nodes in `dir` (node `n` a witness when `witness`),
    /// running `exe` (the `quorumscope-node` binary) with `extra` options.
    pub fn plan(exe: &Path, dir: &Path, n: u64, witness: bool, extra: &[&str]) -> std::io::Result<Cluster> {
        let addrs = free_addrs(2 * n as usize)?;
        let members = (1..=n)
            .map(|id| {
                let i = (id - 1) as usize;
                (id, Member { id, peer: addrs[2 * i], client: addrs[2 * i + 1], child: None })
            })
            .collect();
        fs::create_dir_all(dir)?;
        let extra = extra.iter().map(|s| s.to_string()).collect();
        Ok(Cluster { exe: exe.to_path_buf(), dir: dir.to_path_buf(), witness, extra, members })
    }

    /// The data directory of node `id`.
    pub fn data_dir(&self, id: NodeId) -> PathBuf {
        self.dir.join(format!("node-{id}"))
    }

    /// Starts (or restarts) node `id`; its stderr goes to `DIR/node-ID.log`.
    pub fn start(&mut self, id: NodeId) -> std::io::Result<()> {
        self.start_with(id, &[])
    }

    /// `start` with options for this node only (say, `--join`).
    pub fn start_with(&mut self, id: NodeId, own: &[&str]) -> std::io::Result<()> {
        let peers = list(&self.members, |m| m.peer);
        let clients = list(&self.members, |m| m.client);
        let log =
            OpenOptions::new().create(true).append(true).open(self.dir.join(format!("node-{id}.log")))?;
        let last = *self.members.keys().last().unwrap_or(&0);
        let m = &self.members[&id];
        let mut cmd = Command::new(&self.exe);
        cmd.arg("node").args(["--id", &id.to_string(), "--peers", &peers, "--clients", &clients]);
        cmd.arg("--client").arg(m.client.to_string()).arg("--data").arg(self.data_dir(id));
        if self.witness {
            cmd.args(["--witnesses", &last.to_string()]);
        }
        cmd.args(&self.extra).args(own).stdin(Stdio::null()).stdout(Stdio::null()).stderr(log);
        let child = cmd.spawn()?;
        if let Some(m) = self.members.get_mut(&id) {
            m.child = Some(child);
        }
        Ok(())
    }

    /// Starts every node.
    pub fn start_all(&mut self) -> std::io::Result<()> {
        let ids: Vec<NodeId> = self.members.keys().copied().collect();
        ids.into_iter().try_for_each(|id| self.start(id))
    }

    /// `kill -9` of node `id` (SIGKILL: no chance to flush or close).
    pub fn kill(&mut self, id: NodeId) {
        if let Some(mut child) = self.members.get_mut(&id).and_then(|m| m.child.take()) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// True when node `id`'s process is running.
    pub fn is_up(&self, id: NodeId) -> bool {
        self.members.get(&id).is_some_and(|m| m.child.is_some())
    }

    /// `GET /status` of node `id`.
    pub fn status(&self, id: NodeId) -> Option<Value> {
        let m = self.members.get(&id)?;
        let r = client::request(m.client, "GET", "/status", "", Duration::from_millis(500)).ok()?;
        (r.status == 200).then_some(r.body)
    }

    /// The first running node that says it leads.
    pub fn leader(&self) -> Option<NodeId> {
        let leader = self.members.keys().filter(|&&id| self.is_up(id)).find_map(|&id| {
            let s = self.status(id)?;
            (s["role"] == "leader").then_some(id)
        })?;
        Some(leader)
    }

    /// Waits until some node leads, at most `limit`.
    pub fn wait_for_leader(&self, limit: Duration) -> Option<NodeId> {
        poll(limit, || self.leader())
    }

    /// Waits until every running node answers `GET /status`, at most
    /// `limit`: a leader needs only a majority, so a node can still be
    /// starting after one is elected.
    pub fn wait_until_serving(&self, limit: Duration) -> bool {
        let serving =
            || self.members.keys().filter(|&&id| self.is_up(id)).all(|&id| self.status(id).is_some());
        poll(limit, || serving().then_some(())).is_some()
    }

    /// An operator command on node `id` (`POST /admin/...`). It waits its
    /// turn in the node's loop, behind disk writes that a loaded machine
    /// can slow to hundreds of milliseconds, hence the longer timeout.
    pub fn admin(&self, id: NodeId, path: &str) -> Option<client::Response> {
        let m = self.members.get(&id)?;
        client::request(m.client, "POST", &format!("/admin/{path}"), "", Duration::from_secs(2)).ok()
    }

    /// Leaves the processes running and records them in `DIR/cluster.json`
    /// for `cluster down`.
    pub fn detach(mut self) -> std::io::Result<()> {
        let nodes: Vec<Value> = self
            .members
            .values_mut()
            .map(|m| {
                let pid = m.child.take().map(|c| c.id());
                json!({ "id": m.id, "pid": pid, "peer": m.peer.to_string(), "client": format!("http://{}", m.client) })
            })
            .collect();
        fs::write(self.dir.join(CLUSTER_FILE), json!({ "nodes": nodes }).to_string())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let ids: Vec<NodeId> = self.members.keys().copied().collect();
        for id in ids {
            self.kill(id);
        }
    }
}

/// `cluster down`: kills the processes `cluster up` recorded in `dir`.
pub fn down(dir: &Path) -> Result<usize, String> {
    let path = dir.join(CLUSTER_FILE);
    let text =
        fs::read_to_string(&path).map_err(|e| format!("{}: {e} (is a cluster up there?)", path.display()))?;
    let file: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut stopped = 0;
    for node in file["nodes"].as_array().into_iter().flatten() {
        if let Some(pid) = node["pid"].as_u64().filter(|&pid| is_node_process(pid)) {
            let ok = Command::new("kill").arg("-KILL").arg(pid.to_string()).stderr(Stdio::null()).status();
            if ok.is_ok_and(|s| s.success()) {
                stopped += 1;
            }
        }
    }
    fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(stopped)
}

/// True when `pid` still runs `quorumscope-node` (Linux's /proc): a pid
/// recorded long ago may belong to another program by now.
fn is_node_process(pid: u64) -> bool {
    fs::read(format!("/proc/{pid}/cmdline"))
        .is_ok_and(|c| String::from_utf8_lossy(&c).contains("quorumscope-node"))
}

/// What `ready` gives, asked every 50 ms until it gives something, for at
/// most `limit`.
fn poll<T>(limit: Duration, mut ready: impl FnMut() -> Option<T>) -> Option<T> {
    let end = Instant::now() + limit;
    loop {
        if let Some(found) = ready() {
            return Some(found);
        }
        if Instant::now() >= end {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}
